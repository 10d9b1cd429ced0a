"""Genomic inputs (issue 20): BED windows, variants and their memory, each beside a same-run reference.

Run on its own with ``python benchmarks/genome.py [--quick]`` (it rewrites only its own section
of ``benchmarks/results.md``), or as part of ``make bench`` (``benchmarks/run.py`` renders the
section at the end of the file). The genome, BED and VCF files are generated (seeded) in a
temporary folder:

G1. BED -> encoded windows: ``load_dataset`` (motifnet's loader: BED parsed and checked against
    the genome, windows read through pyfaidx, minus strands reverse-complemented, encoded)
    against pyfaidx reading the same windows directly (``Fasta[chrom][start:end]``, reverse
    complement on minus) and nothing else.
G2. ``motifnet variants``: SNVs per second of ``variants_to_folder`` (VCF read and checked, ref,
    alt and ``--null`` windows predicted, table written; ``top=0``, without the fixed cost of the
    top variants' logos), against plain ``model.predict`` on pre-encoded windows, as many per SNV.
G3. Memory: peak resident memory of ``motifnet predict RUN peaks.bed --genome`` on N and 10 N
    peaks, and of ``motifnet variants`` on M and 10 M SNVs; flat means the ratio stays near 1.
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
from run import MOTIFNET, SMALL_NET, best_of, peak_memory_mb, replace_section, table_lines

HERE = Path(__file__).resolve().parent
HEADING = "## Genomic inputs (issue 20)"
WINDOW = 200
NULL = 100  # motifnet variants' default --null
MEMORY_NULL = 10  # --null of the memory runs: their size, not their p-values, is what counts
_COMPLEMENT = bytes.maketrans(b"ACGTN", b"TGCAN")


def random_genome(chromosomes: int, size: int, seed: int = 0) -> dict:
    """{chrom: letters as bytes} of random DNA."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    return {f"chr{number}": letters[rng.integers(0, 4, size)].tobytes() for number in range(1, chromosomes + 1)}


def write_genome(path: Path, sequences: dict) -> Path:
    """The genome as FASTA (60 letters a line) with its .fai index (made here, outside the timings)."""
    import pyfaidx

    with open(path, "wb") as handle:
        for chrom, body in sequences.items():
            handle.write(b">" + chrom.encode() + b"\n")
            handle.write(b"\n".join(body[i:i + 60] for i in range(0, len(body), 60)) + b"\n")
    pyfaidx.Fasta(str(path)).close()
    return path


def write_bed(path: Path, sequences: dict, n: int, seed: int, motif: bytes | None = None,
              taken: set | None = None) -> list:
    """n BED6 peaks of 100 bases on random chromosomes and strands; (chrom, start, end, strand) of their windows.

    With ``motif``, the motif is planted at each peak's centre (in ``sequences``, which the caller
    writes out afterwards) so that a model has something to learn. ``taken``: (chrom, start) pairs
    already drawn (by another file of the same run); the new ones are added.
    """
    rng = np.random.default_rng(seed)
    names = list(sequences)
    windows, lines = [], []
    taken = set() if taken is None else taken  # the same window twice would be a duplicate record id (warned)
    for index in range(n):
        chrom, start = None, None
        while chrom is None or (chrom, start) in taken:
            chrom = names[int(rng.integers(len(names)))]
            start = int(rng.integers(WINDOW, len(sequences[chrom]) - 2 * WINDOW))
        taken.add((chrom, start))
        strand = "+-"[int(rng.integers(2))]
        lines.append(f"{chrom}\t{start}\t{start + 100}\tpeak{index}\t0\t{strand}\n")
        left = start + 50 - WINDOW // 2
        windows.append((chrom, left, left + WINDOW, strand))
        if motif:
            body = sequences[chrom]
            centre = start + 50 - len(motif) // 2
            sequences[chrom] = body[:centre] + motif + body[centre + len(motif):]
    path.write_text("".join(lines))
    return windows


def write_vcf(path: Path, sequences: dict, n: int, seed: int) -> None:
    """n SNVs at random positions (REF from the genome, ALT another base), sorted, VCF 4.2."""
    rng = np.random.default_rng(seed)
    names = list(sequences)
    picks = sorted((int(rng.integers(len(names))), int(rng.integers(WINDOW, len(sequences[names[0]]) - WINDOW)))
                   for _ in range(n))
    lines = ["##fileformat=VCFv4.2"]
    lines += [f"##contig=<ID={name},length={len(body)}>" for name, body in sequences.items()]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for number, (chrom_index, position) in enumerate(picks):
        chrom = names[chrom_index]
        ref = chr(sequences[chrom][position])
        alt = "ACGT"[("ACGT".index(ref) + 1 + int(rng.integers(3))) % 4]
        lines.append(f"{chrom}\t{position + 1}\tsnv{number}\t{ref}\t{alt}\t.\tPASS\t.")
    path.write_text("\n".join(lines) + "\n")


def pyfaidx_windows(genome: Path, windows: list) -> list:
    """The reference: the windows' letters read with pyfaidx directly (minus strands reverse-complemented)."""
    import pyfaidx

    fasta = pyfaidx.Fasta(str(genome), as_raw=True, sequence_always_upper=True)
    out = []
    for chrom, start, end, strand in windows:
        letters = fasta[chrom][start:end].encode("ascii")
        out.append(letters.translate(_COMPLEMENT)[::-1] if strand == "-" else letters)
    fasta.close()
    return out


def bed_then_pyfaidx(genome: Path, paths: list) -> list:
    """A second reference: a minimal BED reader (split, centre, strand; no checks) in front of pyfaidx."""
    windows = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                chrom, start, end, _, _, strand = line.rstrip("\n").split("\t")
                left = (int(start) + int(end)) // 2 - WINDOW // 2
                windows.append((chrom, left, left + WINDOW, strand))
    return pyfaidx_windows(genome, windows)


def bench_windows(folder: Path, genome: Path, sequences: dict, n: int) -> list:
    from motifnet.data.dataset import load_dataset

    half = n // 2
    taken = set()
    windows = write_bed(folder / "load_a.bed", sequences, half, seed=11, taken=taken)
    windows += write_bed(folder / "load_b.bed", sequences, n - half, seed=12, taken=taken)
    paths = [str(folder / "load_a.bed"), str(folder / "load_b.bed")]

    def load():
        return load_dataset(paths, genome=str(genome), length=WINDOW)

    ours = n / best_of(load, repeats=2)
    reference = n / best_of(lambda: pyfaidx_windows(genome, windows), repeats=2)
    with_bed = n / best_of(lambda: bed_then_pyfaidx(genome, paths), repeats=2)
    dataset, letters = load(), pyfaidx_windows(genome, windows)
    decoded = np.frombuffer(b"NACGT", dtype=np.uint8)[dataset.codes.astype(np.int64)]  # codes: 0 N, 1-4 ACGT
    assert decoded.tobytes() == b"".join(letters), "motifnet's windows differ from pyfaidx's"
    return [("G1. BED -> encoded windows (one core)",
             f"{ours:,.0f} windows/s (`load_dataset`: {n:,} BED lines of 2 files parsed, checked against the "
             "genome, read, encoded)",
             f"pyfaidx reading the same windows directly: {reference:,.0f} windows/s (with a minimal BED reader in "
             f"front, no checks: {with_bed:,.0f} windows/s)",
             f"{ours / reference:.2f}x ({ours / with_bed:.2f}x)", "", None)]


def train_run(folder: Path, genome: Path, peaks: Path) -> Path:
    run_dir = folder / "genome_run"
    subprocess.run([*MOTIFNET, "train", str(peaks), "--genome", str(genome), "--background", "shuffle", "-o",
                    str(run_dir), "--quiet", "--overwrite", "--seed", "1", *SMALL_NET, "--param", "epochs=1"],
                   check=True)
    return run_dir


def bench_variants(folder: Path, run_dir: Path, genome: Path, sequences: dict, n: int) -> list:
    from motifnet.interpret.variants import VariantConfig
    from motifnet.run.rundir import open_run
    from motifnet.workflows.variants import variants_to_folder

    vcf = folder / "variants.vcf"
    write_vcf(vcf, sequences, n, seed=21)
    run = open_run(run_dir)
    config = VariantConfig(null=NULL)
    # top=0: the throughput per SNV, without the fixed cost of the top variants' logos.
    variants_to_folder(run, str(vcf), str(genome), folder / "warm", VariantConfig(null=0), top=0)  # traced once
    # The reference predicts a sample of the windows (memory), counted as SNVs of 2 + NULL windows each.
    windows = min(n * (2 + NULL), 50_000)
    codes = np.random.default_rng(0).integers(1, 5, (windows, WINDOW)).astype(np.uint8)
    one_hot = run.dataset_encoder.one_hot(codes)
    ours_seconds, reference_seconds = [], []
    for _ in range(2):  # the sides take turns, so that a change of the machine's load hits both
        ours_seconds.append(best_of(lambda: variants_to_folder(run, str(vcf), str(genome), folder / "variants",
                                                               config, top=0), repeats=1))
        reference_seconds.append(best_of(lambda: run.model.predict(one_hot, batch_size=256, verbose=0), repeats=1))
    ours, reference = n / min(ours_seconds), windows / (2 + NULL) / min(reference_seconds)
    return [("G2. `motifnet variants`",
             f"{ours:,.0f} SNVs/s ({n:,} SNVs, --null {NULL}: {2 + NULL} windows each; VCF read, table written, "
             "no logos: --top 0)",
             f"plain `model.predict` on pre-encoded windows, {2 + NULL} per SNV: {reference:,.0f} SNVs/s",
             f"{ours / reference:.2f}x", ">= 0.5x", ours / reference >= 0.5)]


def bench_memory(folder: Path, run_dir: Path, genome: Path, sequences: dict, peaks: int, variants: int) -> list:
    rows = []
    for label, make, command, size in (
        ("peaks", lambda path, n, seed: write_bed(path, sequences, n, seed),
         lambda path: ["predict", str(run_dir), str(path), "--genome", str(genome), "-o", str(folder / "p.tsv")],
         peaks),
        ("SNVs", lambda path, n, seed: write_vcf(path, sequences, n, seed),
         lambda path: ["variants", str(run_dir), "--vcf", str(path), "--genome", str(genome), "--null",
                       str(MEMORY_NULL), "-o", str(folder / "v_out")],
         variants),
    ):
        suffix = "bed" if label == "peaks" else "vcf"
        small, big = folder / f"mem_small.{suffix}", folder / f"mem_big.{suffix}"
        make(small, size, 31)
        make(big, 10 * size, 32)
        big_mb, _ = peak_memory_mb([*MOTIFNET, *command(big), "--quiet"])
        small_mb, _ = peak_memory_mb([*MOTIFNET, *command(small), "--quiet"])
        what = "`predict` on BED + genome" if label == "peaks" else f"`variants` (--null {MEMORY_NULL})"
        rows.append((f"G3. Memory of {what}", f"{big_mb:,.0f} MB peak on {10 * size:,} {label}",
                     f"{small_mb:,.0f} MB on {size:,} {label}", f"{big_mb / small_mb:.2f}x", "<= 1.2x",
                     big_mb / small_mb <= 1.2))
    return rows


def genome_rows(folder: Path, quick: bool) -> list:
    """Every row of this section (see the module's docstring), measured in ``folder``."""
    scale = 10 if quick else 1
    sequences = random_genome(chromosomes=4, size=2_500_000 // scale)
    peaks = folder / "train_peaks.bed"
    write_bed(peaks, sequences, 4_000 // scale, seed=1, motif=b"ACCGGAAGTG")  # plants the motif in sequences
    genome = write_genome(folder / "genome.fa", sequences)
    rows = []
    print("benchmark: BED windows", file=sys.stderr, flush=True)
    rows += bench_windows(folder, genome, sequences, 100_000 // scale)
    print("benchmark: variants", file=sys.stderr, flush=True)
    run_dir = train_run(folder, genome, peaks)
    rows += bench_variants(folder, run_dir, genome, sequences, 1_000 // scale)
    print("benchmark: genome memory", file=sys.stderr, flush=True)
    rows += bench_memory(folder, run_dir, genome, sequences, 20_000 // scale, 2_000 // scale)
    return rows


def render_section(rows, quick: bool, seconds: float, load: tuple) -> str:
    """This benchmark's section of ``results.md``: a heading and a table as ``run.py`` draws them."""
    lines = [
        HEADING,
        "",
        f"Synthetic genome of 4 x {2_500_000 // (10 if quick else 1):,} bases, 200-base windows, BED6 peaks on "
        "both strands; a small network (one epoch) trained on BED + `--background shuffle`."
        + (" QUICK run (smaller sizes)." if quick else ""),
        "",
        *table_lines(rows),
    ]
    lines += ["", f"This section took {seconds / 60:.1f} minutes; load average (1 min) {load[0]:.2f} at its start and "
              f"{load[1]:.2f} at its end."]
    return "\n".join(lines) + "\n"


def measure(quick: bool) -> str:
    """Run this benchmark in a temporary folder; its section of ``results.md``."""
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="motifnet-bench-genome-") as tmp:
        rows = genome_rows(Path(tmp), quick)
    return render_section(rows, quick, time.perf_counter() - started, (load_at_start, os.getloadavg()[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a fast check of the benchmark")
    parser.add_argument("--out", default=str(HERE / "results.md"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    section = measure(args.quick)
    out = Path(args.out)
    out.write_text(replace_section(out.read_text() if out.exists() else "", HEADING, section))
    print(section)


if __name__ == "__main__":
    main()
