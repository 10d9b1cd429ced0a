"""``motifnet motifs`` and ``motifnet scan`` (issues 18 and 19), each beside a same-run reference.

Run on its own with ``python benchmarks/motifs_scan.py [--quick] [--motifs-sizes 10000,100000]``
(it rewrites only its own section of ``benchmarks/results.md``), or as part of ``make bench``
(``benchmarks/run.py`` renders the section at the end of the file). Data are generated (seeded)
in a temporary folder:

M1. ``motifnet motifs RUN records.fa --target planted --no-match``: wall time and peak memory
    on N records of 200 nt (10,000 and 100,000 in the full run; half carry a planted motif),
    DeepLIFT with 10 shuffled references per record (the default) and TF-MoDISco with motifnet's
    defaults. Memory is the largest sum, sampled twice a second, of the proportional set size
    (PSS) of the command and every process under it (TF-MoDISco runs in a child process, and
    modisco-lite forks workers that share pages with it: PSS counts a shared page once). The
    reference is the size of the two float32 arrays TF-MoDISco is handed (the one-hot records
    and their hypothetical contributions), which any pipeline holds in memory.
M2. ``motifnet scan``: records per second of ``scan_files`` (FASTA read, background counted,
    FIMO through memelite on both strands, one dinucleotide-shuffled copy scanned for the
    empirical FDR, q-values, files written) against memelite's ``fimo`` called directly on the
    same records already one-hot encoded, same motifs and p-value threshold; the default
    ``--background input`` and ``--background uniform`` both.
M3. ``motifnet scan`` memory: peak resident memory on N and 10 N records (flat: ratio near 1).
M4. ``motifnet scan`` memory on one chromosome-length record (20,000,000 letters; 2,000,000 in the
    quick run), scanned in pieces, against the same number of letters as 10,000 records of 2,000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from run import MOTIFNET, SMALL_NET, best_of, peak_memory_mb, replace_section, table_lines, write_fasta

HERE = Path(__file__).resolve().parent
HEADING = "## Motifs from attributions and motif scanning (issues 18 and 19)"
LENGTH = 200
PLANTED = b"ACCGGAAGTG"
SCAN_MOTIFS = 10


def _children() -> dict:
    """Process id -> its parent's, for every process whose /proc entry can be read."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the command name may hold spaces and parentheses: the fields after the last ')' are plain
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(entry.name)] = int(fields[1])
    return parents


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_tree_memory_mb(command: list, log_path: Path, every: float = 0.5) -> tuple:
    """Run ``command`` (standard error to ``log_path``); the largest PSS sum of its process tree, in MB, and seconds.

    Raises
    ------
    RuntimeError
        The command exited with a non-zero status.
    """
    start = time.perf_counter()
    peak_kb = 0
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        while process.poll() is None:
            parents = _children()
            tree, frontier = set(), {process.pid}
            while frontier:
                tree |= frontier
                frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
            peak_kb = max(peak_kb, sum(_pss_kb(pid) for pid in tree))
            time.sleep(every)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    return peak_kb / 1024, time.perf_counter() - start


def bench_motifs(folder: Path, sizes: list) -> list:
    """M1: a small network trained on planted records, then ``motifnet motifs`` on each size."""
    if not sizes:
        return []
    half = 5_000 if max(sizes) >= 10_000 else 500
    planted = write_fasta(folder / "planted.fa", half, LENGTH, seed=11, motif=PLANTED)
    background = write_fasta(folder / "background.fa", half, LENGTH, seed=12)
    run_dir = folder / "motifs_run"
    subprocess.run([*MOTIFNET, "train", str(planted), str(background), "-o", str(run_dir), "--seed", "1",
                    "--quiet", *SMALL_NET, "--param", "epochs=3"], check=True, stdout=subprocess.DEVNULL)
    rows = []
    for n in sizes:
        records = folder / f"explain_{n}.fa"
        with open(records, "wb") as handle:  # half planted, half not
            handle.write(write_fasta(folder / "a.fa", n // 2, LENGTH, seed=21, motif=PLANTED).read_bytes())
            handle.write(write_fasta(folder / "b.fa", n - n // 2, LENGTH, seed=22).read_bytes())
        command = [*MOTIFNET, "motifs", str(run_dir), str(records), "-o", str(folder / f"modisco_{n}"), "--target",
                   "planted", "--no-match"]
        log_path = folder / f"motifs_{n}.log"  # progress and any error: a failure names its cause below
        try:
            megabytes, seconds = peak_tree_memory_mb(command, log_path)
        except RuntimeError:
            last = log_path.read_text().strip().splitlines()[-1:] if log_path.exists() else []
            rows.append((f"M1. `motifs`, {n:,} records of {LENGTH} nt", f"failed: {' '.join(last)}", "", "",
                         "< 4,000 MB at 100,000 on 2 cores", False))
            continue
        patterns = (folder / f"modisco_{n}" / "patterns.tsv").read_text().count("\n") - 1
        arrays = 2 * n * LENGTH * 4 * 4 / 1e6
        met = megabytes < 4_000 if n >= 100_000 else None
        rows.append((f"M1. `motifs`, {n:,} records of {LENGTH} nt", f"{seconds / 60:.1f} min, {megabytes:,.0f} MB "
                     f"peak ({patterns} patterns)", f"one-hot + contributions as float32: {arrays:,.0f} MB",
                     f"{megabytes / arrays:.1f}x", "< 4,000 MB at 100,000 on 2 cores", met))
    return rows


def scan_motifs(path: Path, seed: int = 3) -> list:
    """SCAN_MOTIFS random motifs of widths 8 to 16 (Dirichlet columns), written as MEME; their matrices."""
    from motifnet.motifs.meme import MemeMotif, write_meme

    rng = np.random.default_rng(seed)
    pwms = [rng.dirichlet([0.3] * 4, size=int(width)) for width in rng.integers(8, 17, SCAN_MOTIFS)]
    write_meme(path, [MemeMotif(f"m{i}", "", pwm, 20) for i, pwm in enumerate(pwms)], "ACGT", [0.25] * 4,
               strands=True)
    return pwms


def bench_scan(folder: Path, n: int) -> list:
    """M2: records per second of ``scan_files`` against memelite's ``fimo`` on one-hot arrays."""
    from memelite import fimo

    from motifnet.motifs.scan import ScanConfig, load_scan_motifs, one_hot, record_chunks, scan_files

    records = write_fasta(folder / "scan.fa", n, LENGTH, seed=31, motif=PLANTED)
    pwms = scan_motifs(folder / "scan.meme")
    motifs = load_scan_motifs(folder / "scan.meme")
    # the same records, encoded once, outside the timing
    one_hot_records = np.concatenate([one_hot(chunk.indices) for chunk in record_chunks([records], 10_000)])
    matrices = {f"m{i}": np.ascontiguousarray(pwm.T) for i, pwm in enumerate(pwms)}
    fimo(matrices, one_hot_records[:10], threshold=1e-4)  # numba compiles once, outside the timing
    reference = best_of(lambda: fimo(matrices, one_hot_records, threshold=1e-4), repeats=2)
    rows = []
    for background in ("input", "uniform"):
        seconds = best_of(lambda background=background: scan_files(
            motifs, [records], ScanConfig(background=background), folder / "hits.tsv", folder / "hits.bed"),
            repeats=2)
        rows.append((f"M2. `scan` throughput, {SCAN_MOTIFS} motifs, `--background {background}`",
                     f"{n / seconds:,.0f} records/s ({n:,} x {LENGTH} nt, one shuffled copy for the FDR)",
                     f"memelite `fimo` on the one-hot records: {n / reference:,.0f} records/s",
                     f"{reference / seconds:.2f}x", "beside memelite (issue 19)", None))
    return rows


def bench_scan_memory(folder: Path, n: int) -> list:
    """M3: peak memory of ``motifnet scan`` on n and 10 n records."""
    peaks = []
    for size in (n, 10 * n):
        records = write_fasta(folder / f"scan_{size}.fa", size, LENGTH, seed=41, motif=PLANTED)
        megabytes, _ = peak_memory_mb([*MOTIFNET, "scan", str(folder / "scan.meme"), str(records), "-o",
                                       str(folder / f"scan_out_{size}"), "--quiet"])
        peaks.append(megabytes)
    return [("M3. `scan` peak memory", f"{peaks[1]:,.0f} MB on {10 * n:,} records",
             f"{peaks[0]:,.0f} MB on {n:,} records", f"{peaks[1] / peaks[0]:.2f}x", "<= 1.2x (flat)",
             peaks[1] / peaks[0] <= 1.2)]


def bench_scan_long_record(folder: Path, letters: int) -> list:
    """M4: peak memory of ``motifnet scan`` on one record of ``letters`` against 10,000 records of the same letters."""
    peaks = []
    for n, length in ((1, letters), (10_000, letters // 10_000)):
        records = write_fasta(folder / f"scan_long_{n}.fa", n, length, seed=43, wrap=60)
        megabytes, _ = peak_memory_mb([*MOTIFNET, "scan", str(folder / "scan.meme"), str(records), "-o",
                                       str(folder / f"scan_long_out_{n}"), "--quiet"])
        peaks.append(megabytes)
    return [("M4. `scan` peak memory, one long record", f"{peaks[0]:,.0f} MB on one record of {letters:,} letters",
             f"{peaks[1]:,.0f} MB on 10,000 records of {letters // 10_000:,}", f"{peaks[0] / peaks[1]:.2f}x",
             "<= 1.5x", peaks[0] / peaks[1] <= 1.5)]


def section_rows(folder: Path, quick: bool, motifs_sizes: list) -> list:
    """Every row of this section (see the module's docstring), measured in ``folder``."""
    scale = 10 if quick else 1
    rows = []
    for name, step in (("scan", lambda: bench_scan(folder, 100_000 // scale)),
                       ("scan memory", lambda: bench_scan_memory(folder, 20_000 // scale)),
                       ("scan long record", lambda: bench_scan_long_record(folder, 20_000_000 // scale)),
                       ("motifs", lambda: bench_motifs(folder, [size // scale for size in motifs_sizes]))):
        print(f"benchmark: {name}", file=sys.stderr, flush=True)
        step_rows = step()
        rows += step_rows
        for row in step_rows:  # on record even if a later step fails
            print(" | ".join(str(cell) for cell in row), file=sys.stderr, flush=True)
    return rows


def render_section(rows, quick: bool, seconds: float) -> str:
    """This benchmark's section of ``results.md``: a heading and a table as ``run.py`` draws them."""
    lines = [
        HEADING,
        "",
        f"Random DNA records of {LENGTH} nt (a motif planted in half of them); {SCAN_MOTIFS} random motifs of "
        "widths 8-16 for `scan`, threshold p < 1e-4; `motifs` on a small network (3 epochs)."
        + (" QUICK run (smaller sizes)." if quick else ""),
        "",
        *table_lines(rows),
    ]
    lines += ["", "M2 includes the dinucleotide shuffle of every record for the empirical FDR (`--shuffles 1`, "
              "`motifnet.data.shuffle`: a numba-compiled Euler walk, with numpy set-up per record), which a profile "
              "of 20,000 records (2026-12-01) puts at about 74% of `scan`'s time; memelite's FIMO itself is about "
              "4% of it.",
              "", f"This section took {seconds / 60:.1f} minutes."]
    return "\n".join(lines) + "\n"


def measure(quick: bool, motifs_sizes=(10_000, 100_000)) -> str:
    """Run this benchmark in a temporary folder; its section of ``results.md``."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="motifnet-bench-motifs-") as tmp:
        rows = section_rows(Path(tmp), quick, list(motifs_sizes))
    return render_section(rows, quick, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a fast check of the benchmark")
    parser.add_argument("--motifs-sizes", default="10000,100000", metavar="N,N",
                        help="records `motifs` explains, one measurement each ('' for none)")
    parser.add_argument("--out", default=str(HERE / "results.md"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    section = measure(args.quick, [int(size) for size in args.motifs_sizes.split(",") if size])
    out = Path(args.out)
    out.write_text(replace_section(out.read_text() if out.exists() else "", HEADING, section))
    print(section)


if __name__ == "__main__":
    main()
