"""Helpers shared by test modules: tiny FASTA writers, the sample data, the planted motifs, a Chromium check.

Not a test module and not a conftest: test modules import from here (``from helpers import ...``) rather
than from each other, so each test module can be read, run and moved on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DNA = [ROOT / "sample_data" / "dna" / f"{name}.fa" for name in ("ets", "ap1", "gata")]
SAMPLE_RNA = [ROOT / "sample_data" / "rna" / f"{name}.fa" for name in ("loop", "stem")]
SAMPLE_PARAMS = ROOT / "sample_data" / "dna" / "params.json"

# Small, fast networks for tests that check plumbing rather than learning.
TINY_PARAMS = ["--param", "conv_num=1", "--param", "kernel_num=4", "--param", "kernel_len=5",
               "--param", "neuron_num=8", "--param", "epochs=2", "--param", "batch_size=16"]

#: The motifs planted in the DNA sample data, by class (sample_data/dna/*.fa).
PLANTED = {"ets": "ACCGGAAGTG", "ap1": "ATGACTCAT", "gata": "AGATAAGG"}

# 6 inputs, 4 units; unit 3 sees only input 5, input 4 feeds no unit.
ADJACENCY = np.array([
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
    [1, 0, 1, 1],
], dtype=np.uint8)


def assert_same_outputs(actual, expected) -> None:
    """Network outputs that must be the same numbers, computed in batches of different sizes.

    They may differ in the last bits of a float32: the CPU's math library picks its kernels by
    batch size (seen: 1.2e-7 on an AMD EPYC without AVX-512, none on machines with it). The
    errors this guards against (a wrong record, padding or another batch's records leaking in)
    differ by 1e-3 and more.
    """
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def write_fasta(path: Path, records, wrap: int | None = None) -> Path:
    """Write (header, body) pairs; body is a string (wrapped at ``wrap``) or a list of lines."""
    lines = []
    for header, body in records:
        lines.append(f">{header}")
        if isinstance(body, str):
            step = wrap or max(len(body), 1)
            lines.extend(body[i:i + step] for i in range(0, len(body), step))
        else:
            lines.extend(body)
    path.write_text("\n".join(lines) + "\n")
    return path


def two_classes(folder: Path, names=("up", "down"), ids=("u", "d"), n: int = 40, length: int = 30,
                motif: str = "TTGACA", seed: int = 1) -> list:
    """Two FASTA files of ``n`` random records each; the first class carries ``motif``. Returns their paths.

    The first file's records are drawn first, so a seed gives the same files as before this helper.
    """
    rng = np.random.default_rng(seed)
    paths = []
    for name, prefix, planted in ((names[0], ids[0], motif), (names[1], ids[1], None)):
        records = [(f"{prefix}{i}", sequence) for i, sequence in enumerate(random_dna(rng, n, length, planted))]
        paths.append(write_fasta(folder / f"{name}.fa", records))
    return paths


def random_dna(rng: np.random.Generator, n: int, length: int, motif: str | None = None) -> list:
    """``n`` random sequences, each with ``motif`` planted at a random position."""
    sequences = []
    for _ in range(n):
        letters = list(rng.choice(list("ACGT"), size=length))
        if motif:
            start = int(rng.integers(0, length - len(motif) + 1))
            letters[start:start + len(motif)] = motif
        sequences.append("".join(letters))
    return sequences


def gata_records(n: int, seed: int, length: int = 50) -> list:
    """(id, sequence, value): random DNA with 0-3 planted GATA sites; the value is their count plus noise."""
    rng = np.random.default_rng(seed)
    records = []
    for index in range(n):
        letters = list(rng.choice(list("ACGT"), size=length))
        for _ in range(int(rng.integers(0, 4))):
            start = int(rng.integers(0, length - 4))
            letters[start:start + 4] = "GATA"
        sequence = "".join(letters)
        records.append((f"s{index}", sequence, sequence.count("GATA") + rng.normal(0, 0.3)))
    return records


def read_tsv(text: str) -> tuple[list, list]:
    """Header and rows of a tab-separated table."""
    lines = text.strip().split("\n")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:]]


def reverse_complement_text(text: str) -> str:
    return text[::-1].translate(str.maketrans("ACGT", "TGCA"))


def best_agreement(pwm, motif: str) -> float:
    """Largest fraction of the motif's letters that are the PWM's argmax, over offsets and strands."""
    letters = "".join("ACGT"[i] for i in pwm.argmax(axis=1))
    best = 0.0
    for candidate in (motif, reverse_complement_text(motif)):
        for offset in range(-len(candidate) + 1, len(letters)):
            agree = sum(1 for j, letter in enumerate(candidate)
                        if 0 <= offset + j < len(letters) and letters[offset + j] == letter)
            best = max(best, agree / len(candidate))
    return best


def copy_run(run_dir: Path, destination: Path) -> Path:
    """A private copy of a shared run folder, for a test that writes into it."""
    return Path(shutil.copytree(run_dir, destination))


def diverged_copy(run_dir: Path, destination: Path) -> Path:
    """A copy of a run as a training that diverged in its first epoch leaves it: no model, status "diverged"."""
    copy = copy_run(run_dir, destination)
    meta = json.loads((copy / "motifnet.json").read_text())
    meta["training"].update(status="diverged", best_epoch=None, epochs_run=1)
    meta["params"].update(learning_rate=1e30, kernel_constraint=None)
    (copy / "motifnet.json").write_text(json.dumps(meta))
    (copy / "model.keras").unlink()
    (copy / "metrics.json").unlink()
    return copy


def folder_digest(folder: Path) -> dict:
    """Relative path -> SHA-256 of every file under ``folder``: compared to catch writes into shared runs."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


# -- summary.html in headless Chromium ----------------------------------------------------------------------------

CHECKER = """<script>
window.__problems = [];
window.addEventListener("error", function (event) {
  var target = event.target || {};
  window.__problems.push(target.src || target.href || String(event.message));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                     .map(function (i) { return i.getAttribute("src"); });
  var out = document.createElement("pre");
  out.id = "motifnet-check";
  out.textContent = JSON.stringify({images: images.length, broken: broken, errors: window.__problems});
  document.body.appendChild(out);
});
</script>"""


def chromium() -> str:
    """The headless browser; fails on CI without one, skips elsewhere."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing; .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def check_in_chromium(html_path: Path, profile: Path) -> dict:
    """Open a report in headless Chromium; return its image count, broken images and load errors."""
    html = html_path.read_text()
    checked = html_path.with_name("checked.html")
    checked.write_text(html.replace("<head>", "<head>\n" + CHECKER, 1))
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--dump-dom", checked.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="motifnet-check">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def make_genome(folder: Path, sizes=None, motif: str = "ACCGGAAGTG", sites: int = 15, seed: int = 0) -> dict:
    """A small random genome (FASTA + .fai) with ``motif`` planted ``sites`` times per chromosome, and BED files.

    Returns a dict: ``genome`` (path), ``sequences`` (chrom -> str), ``bed`` (BED6, strands alternating,
    100-base intervals whose centre is the motif's centre), ``narrowpeak`` (the same intervals with
    the summit at offset 50) and ``sites`` (chrom, 0-based motif start) pairs.
    """
    import pyfaidx

    sizes = sizes or {"chr1": 6000, "chr2": 5000, "chr3": 4000}
    rng = np.random.default_rng(seed)
    sequences, bed, narrowpeak, planted = {}, [], [], []
    for chrom, size in sizes.items():
        letters = list(rng.choice(list("ACGT"), size))
        for i in range(sites):
            start = 200 + i * (size - 400) // sites
            letters[start + 45:start + 45 + len(motif)] = motif
            planted.append((chrom, start + 45))
            bed.append(f"{chrom}\t{start}\t{start + 100}\tpeak{i}\t0\t{'+-'[i % 2]}")
            narrowpeak.append(f"{chrom}\t{start}\t{start + 100}\tpeak{i}\t0\t.\t1\t1\t1\t50")
        sequences[chrom] = "".join(letters)
    genome = folder / "genome.fa"
    write_fasta(genome, [(f"{chrom} random", body) for chrom, body in sequences.items()], wrap=60)
    pyfaidx.Fasta(str(genome)).close()  # writes genome.fa.fai
    (folder / "peaks.bed").write_text("\n".join(bed) + "\n")
    (folder / "peaks.narrowPeak").write_text("\n".join(narrowpeak) + "\n")
    return {"genome": genome, "sequences": sequences, "bed": folder / "peaks.bed",
            "narrowpeak": folder / "peaks.narrowPeak", "sites": planted}


#: The Pumilio element, as planted by :func:`two_class_files`.
PUMILIO = "UGUAAAUA"


def rna_windows(rng, n: int, length: int, motif: str | None, centred: bool, prefix: str = "r",
                flanks: str = "") -> list:
    """Random RNA of ``length`` between ``flanks`` (the same on both sides); ``motif`` at the centre (+-3),
    or anywhere, in each record."""
    records = []
    for i in range(n):
        letters = list(rng.choice(list("ACGU"), length))
        if motif:
            middle = (length - len(motif)) // 2
            start = middle + int(rng.integers(-3, 4)) if centred else int(rng.integers(0, length - len(motif) + 1))
            letters[start:start + len(motif)] = motif
        records.append((f"{prefix}{i}", flanks + "".join(letters) + flanks))
    return records


def two_class_files(folder, rng, kind: str, length: int = 100, flanks: str = "", n: int = 300) -> list:
    """A class carrying the Pumilio element (kind 'centred' or 'anywhere') and a plain one."""
    bound = rna_windows(rng, n, length, PUMILIO, kind == "centred", "b", flanks)
    plain = rna_windows(rng, n, length, None, False, "p", flanks)
    return [str(write_fasta(folder / f"{kind}_bound.fa", bound)), str(write_fasta(folder / f"{kind}_plain.fa", plain))]


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def scratch_name(kind: str, suffix: str, pid: int, random: str = "k9x_2abc") -> str:
    """The name motifnet._io.scratch_file gives a scratch file of ``kind`` made by process ``pid`` of this host."""
    from motifnet._io import _host_in_name

    return f".{kind}.{pid}@{_host_in_name()}.{random}{suffix}"


def handles_sigterm(pid: int) -> bool:
    """Whether process ``pid`` has a handler for SIGTERM (its caught signals in /proc)."""
    import signal

    try:
        caught = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if line.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return False
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def signalled_while_input_stalls(arguments: list, written: bytes) -> tuple:
    """Run ``motifnet ARGUMENTS`` with ``written`` on a standard input that then stalls (stays open), send SIGTERM
    once the command handles it, and return (standard error, exit status); the command gets 60 s to end."""
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "motifnet", *arguments], stdin=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        process.stdin.write(written)
        process.stdin.flush()
        deadline = time.monotonic() + 120
        while not handles_sigterm(process.pid) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        time.sleep(0.5)  # the handlers are in place: let the reading start
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)  # standard input stays open: communicate() would close it
        return process.stderr.read(), process.returncode
    finally:
        process.kill()
        process.stdin.close()
