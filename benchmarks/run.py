"""motifnet's benchmarks: each figure beside a reference measured in the same run.

Run with ``make bench`` (or ``python benchmarks/run.py [--quick]``); writes
``benchmarks/results.md``. Data are generated (seeded) in a temporary folder:

1. FASTA -> encoded arrays: motifnet's bulk reader and encoder against a per-character
   Python encoder (the way pysster encodes) on the same file; and MB/s on one core.
2. Memory of training data: peak resident memory of ``motifnet train`` on N sequences of
   200 bases (1,000,000 in the full run), one epoch of a small network.
3. Training: seconds per epoch of ``motifnet train`` against a plain Keras ``model.fit`` on
   pre-encoded float32 arrays, same architecture, batch size, data and epochs; each side
   runs twice, taking turns, and its fastest epoch after the first counts.
4. Prediction: ``motifnet predict``'s throughput (FASTA file to TSV file, after start-up)
   against plain ``model.predict`` on pre-encoded arrays; peak memory on 10x more records.
5. Interpretation: ``visualize-kernels`` for 30 kernels on 10,000 sequences, against the
   same command drawing its plots in one process (``--jobs 1``); the first use after
   installing (TOMTOM's one-time compilation) is reported beside it. 5b: the influence of its
   distinct motifs (``group_influence``) against that measure's definition run literally.
6. Start-up: ``motifnet --help``.
7. Genomic inputs (issue 20): BED windows, ``motifnet variants`` and their memory, in a section
   of their own (``benchmarks/genome.py``, which also runs alone).
8. ``motifnet motifs`` (time and peak memory at 10,000 and 100,000 records) and ``motifnet scan``
   (throughput beside memelite's FIMO called directly, memory) in a section of their own
   (``benchmarks/motifs_scan.py``, which also runs alone).

Timings use ``time.perf_counter``; memory is the peak resident set size of a child
process (``resource.getrusage(RUSAGE_CHILDREN)`` of a fresh interpreter per measurement).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MOTIFNET = [sys.executable, "-m", "motifnet"]
EPOCHS = 5  # benchmark 3: per run of each side; the fastest of epochs 2-5 counts
SMALL_NET = ["--param", "conv_num=1", "--param", "kernel_num=30", "--param", "kernel_len=12",
             "--param", "pool_size=4", "--param", "pool_stride=4", "--param", "neuron_num=32"]


def write_fasta(path: Path, n: int, length: int, seed: int, motif: bytes | None = None, wrap: int = 100):
    """n random DNA records (two-line wrapped), optionally with a motif planted in each; ids ``STEM_N`` (the file's
    name without its ending), so that records of two files never share one."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    with open(path, "wb") as handle:
        for start in range(0, n, 50_000):
            block = letters[rng.integers(0, 4, (min(50_000, n - start), length))]
            if motif:
                where = rng.integers(0, length - len(motif), len(block))
                for row, column in enumerate(where):
                    block[row, column:column + len(motif)] = np.frombuffer(motif, dtype=np.uint8)
            lines = []
            for offset, row in enumerate(block):
                text = row.tobytes()
                lines.append(b">%s_%d sample record\n" % (path.stem.encode(), start + offset))
                lines.extend(text[i:i + wrap] + b"\n" for i in range(0, length, wrap))
            handle.write(b"".join(lines))
    return path


def peak_memory_mb(command: list) -> tuple:
    """Run ``command`` in a fresh interpreter that reports its own peak RSS; (MB, seconds)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, time.perf_counter() - t, code)")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    mb, seconds, code = out.stdout.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} exited with {code}")
    return float(mb), float(seconds)


def python_encoder(path: Path) -> np.ndarray:
    """The reference: read line by line and one-hot encode letter by letter in Python."""
    table = {"A": [1.0, 0.0, 0.0, 0.0], "C": [0.0, 1.0, 0.0, 0.0], "G": [0.0, 0.0, 1.0, 0.0],
             "T": [0.0, 0.0, 0.0, 1.0]}
    sequences, current = [], []
    with open(path) as handle:
        for line in handle:
            if line.startswith(">"):
                if current:
                    sequences.append("".join(current))
                current = []
            else:
                current.append(line.strip().upper())
    sequences.append("".join(current))
    return np.array([[table[letter] for letter in sequence] for sequence in sequences], dtype=np.float32)


def motifnet_encoder(path: Path) -> np.ndarray:
    from motifnet.data.alphabets import DNA
    from motifnet.data.encoding import Encoder
    from motifnet.data.fasta import iter_fasta_blocks

    encoder = Encoder(DNA, 200)
    return np.concatenate([encoder.encode_letters(block.letters, block.lengths, block.where)
                           for block in iter_fasta_blocks(path)])


def best_of(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_encoding(folder: Path, n: int) -> list:
    path = write_fasta(folder / "encode.fa", n, 200, seed=1)
    reference_path = write_fasta(folder / "encode_small.fa", max(n // 10, 1000), 200, seed=1)
    megabytes = path.stat().st_size / 1e6
    small_megabytes = reference_path.stat().st_size / 1e6
    ours = megabytes / best_of(lambda: motifnet_encoder(path))
    reference = small_megabytes / best_of(lambda: python_encoder(reference_path), repeats=1)
    assert np.array_equal(motifnet_encoder(reference_path),
                          python_encoder(reference_path).argmax(axis=2) + 1), "encoders disagree"
    return [
        ("1. FASTA -> encoded arrays (one core)", f"{ours:.0f} MB/s ({megabytes:.0f} MB file)",
         f"per-character Python encoder: {reference:.1f} MB/s", f"{ours / reference:.0f}x",
         ">= 30x and >= 100 MB/s", ours / reference >= 30 and ours >= 100),
    ]


def bench_training_memory(folder: Path, n: int) -> list:
    half = n // 2
    a = write_fasta(folder / "mem_a.fa", half, 200, seed=2, motif=b"GGATCCAT")
    b = write_fasta(folder / "mem_b.fa", n - half, 200, seed=3)
    mb, seconds = peak_memory_mb([*MOTIFNET, "train", str(a), str(b), "-o", str(folder / "mem_run"), "--quiet",
                                  "--overwrite", "--seed", "1", *SMALL_NET, "--param", "epochs=1",
                                  "--param", "batch_size=512"])
    raw = n * 200 * 16 / 1e6
    return [("2. Peak memory of `train`, one epoch", f"{mb:,.0f} MB for {n:,} x 200 bases ({seconds:.0f} s)",
             f"float32 one-hot of the same data alone: {raw:,.0f} MB", f"{mb / raw:.2f}x",
             "< 2,000 MB at 1,000,000 sequences", mb < 2000 if n >= 1_000_000 else None)]


def bench_training_speed(folder: Path, n: int) -> list:
    import keras

    from motifnet.data.dataset import load_dataset
    from motifnet.model.build import build_model
    from motifnet.model.params import parse_assignments, resolve
    from motifnet.run.rundir import open_run, read_history

    half = n // 2
    a = write_fasta(folder / "fit_a.fa", half, 200, seed=4, motif=b"GGATCCAT")
    b = write_fasta(folder / "fit_b.fa", n - half, 200, seed=5)
    run_dir = folder / "fit_run"
    params = resolve(parse_assignments([item for item in SMALL_NET if item != "--param"]))

    def motifnet_epochs() -> list:
        # No --seed: a seeded run also makes TensorFlow's ops deterministic, which the reference is not.
        subprocess.run([*MOTIFNET, "train", str(a), str(b), "-o", str(run_dir), "--quiet", "--overwrite",
                        *SMALL_NET, "--param", f"epochs={EPOCHS}", "--param", "patience_stopping=100"], check=True)
        return read_history(run_dir)["seconds"][1:]  # the first epoch traces

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    def reference_epochs() -> list:
        times.clear()
        keras.utils.set_random_seed(1)
        # The run's own network: preset auto reads DNA on both strands (complement given), which a model built
        # without the complement does not (half the convolution's work: the ratio read 2.03x).
        model = build_model(params, 200, 4, 2, False, complement=dataset.complement_channels, letters=4)
        trained = open_run(run_dir).model
        if [layer.output.shape for layer in model.layers] != [layer.output.shape for layer in trained.layers] \
                or model.count_params() != trained.count_params():
            raise RuntimeError("the reference network differs from the one motifnet train built")
        model.fit(x[groups == 0], y[groups == 0], validation_data=(x[groups == 1], y[groups == 1]),
                  batch_size=params["batch_size"], epochs=EPOCHS, verbose=0, callbacks=[EpochTimer()])
        return times[1:]

    times: list = []
    ours_epochs = motifnet_epochs()
    groups = open_run(run_dir).groups  # the reference trains and validates on the same records
    dataset = load_dataset([a, b], alphabet="dna")
    x = dataset.encoder.one_hot(dataset.codes)
    y = dataset.labels.astype(np.float32)
    reference_times = reference_epochs()
    # Taking turns, twice: epochs on a shared machine vary by a third from one to the next.
    ours_epochs += motifnet_epochs()
    reference_times += reference_epochs()
    ours, reference = min(ours_epochs), min(reference_times)
    return [("3. Training, seconds per epoch", f"{ours:.2f} s (`motifnet train`, {int((groups == 0).sum()):,} "
             "training sequences)", f"plain `model.fit` on float32 arrays: {reference:.2f} s",
             f"{ours / reference:.2f}x", "<= 1.10x", ours / reference <= 1.10)], run_dir


def bench_prediction(folder: Path, run_dir: Path, n: int) -> list:
    from motifnet.run.predict import PredictConfig, write_predictions
    from motifnet.run.rundir import open_run

    path = write_fasta(folder / "predict.fa", n, 200, seed=6)
    run = open_run(run_dir)
    model = run.model

    def predict_to_tsv():
        with open(folder / "predictions.tsv", "w", encoding="utf-8") as handle:
            write_predictions(run, PredictConfig([str(path)], 256), handle)

    ours_seconds = best_of(predict_to_tsv, repeats=2)
    x = motifnet_encoder(path)
    one_hot = run.dataset_encoder.one_hot(x)
    reference_seconds = best_of(lambda: model.predict(one_hot, batch_size=256, verbose=0), repeats=2)
    ours, reference = n / ours_seconds, n / reference_seconds
    small = write_fasta(folder / "predict_small.fa", n // 10, 200, seed=7)
    big_mb, _ = peak_memory_mb([*MOTIFNET, "predict", str(run_dir), str(path), "-o", str(folder / "p.tsv")])
    small_mb, _ = peak_memory_mb([*MOTIFNET, "predict", str(run_dir), str(small), "-o", str(folder / "q.tsv")])
    return [
        ("4a. Prediction throughput", f"{ours:,.0f} records/s (`predict`, FASTA file to TSV file)",
         f"plain `model.predict` on pre-encoded arrays: {reference:,.0f} records/s", f"{ours / reference:.2f}x",
         ">= 0.9x", ours / reference >= 0.9),
        ("4b. Prediction memory", f"{big_mb:,.0f} MB peak on {n:,} records",
         f"{small_mb:,.0f} MB on {n // 10:,} records", f"{big_mb / small_mb:.2f}x", "<= 1.2x",
         big_mb / small_mb <= 1.2),
    ]


def bench_interpretation(folder: Path, n: int) -> list:
    half = n // 2
    a = write_fasta(folder / "vk_a.fa", half, 200, seed=8, motif=b"GGATCCAT")
    b = write_fasta(folder / "vk_b.fa", n - half, 200, seed=9)
    run_dir = folder / "vk_run"
    subprocess.run([*MOTIFNET, "train", str(a), str(b), "-o", str(run_dir), "--quiet", "--overwrite", "--seed", "1",
                    *SMALL_NET, "--param", "epochs=1", "--split", "0.1,0.1"], check=True)
    # TOMTOM (memelite) is compiled by numba on its first use and cached; an empty cache folder
    # makes the first run pay for that as on a fresh install, the runs after it do not.
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}

    def visualize(name: str, *options: str) -> float:
        start = time.perf_counter()
        subprocess.run([*MOTIFNET, "visualize-kernels", str(run_dir), "-o", str(folder / name), "--group", "all",
                        "--quiet", *options], check=True, stdout=subprocess.DEVNULL, env=environment)
        return time.perf_counter() - start

    first_use = visualize("vk_first")
    serial = visualize("vk_serial", "--jobs", "1")
    seconds = visualize("vk")
    cores = os.cpu_count()
    return [("5. `visualize-kernels`, 30 kernels", f"{seconds:.1f} s on {n:,} sequences, plots in {cores} processes "
             f"(start-up included; first use after installing: {first_use:.0f} s, TOMTOM compiled once)",
             f"the same with `--jobs 1`: {serial:.1f} s", f"{seconds / serial:.2f}x",
             "< 60 s on 2 cores", seconds < 60 if n >= 10_000 else None),
            bench_influence(run_dir, folder / "vk" / "distinct_motifs.tsv")]


def influence_by_weights(model, records, groups: list, batch_size: int = 256) -> np.ndarray:
    """The reference for ``group_influence``: its definition, run literally. Each group's kernels get weights 0
    and biases equal to their mean activation (over both strands' positions), and the whole network predicts
    every record again."""
    from motifnet.interpret.activations import conv_batches
    from motifnet.interpret.influence import model_loss
    from motifnet.run.predict import predict_arrays

    layer = model.get_layer("conv_1")
    strands = [part for _, *parts in conv_batches(model, records, batch_size, both_strands=True) for part in parts]
    mean = np.concatenate([part.reshape(-1, layer.filters) for part in strands]).mean(axis=0, dtype=np.float64)
    everything = np.arange(len(records))
    weights, bias = layer.get_weights()
    baseline = model_loss(records, predict_arrays(model, records, everything, batch_size))
    values = []
    for group in groups:
        silenced_weights, silenced_bias = weights.copy(), bias.copy()
        silenced_weights[..., group], silenced_bias[group] = 0.0, mean[group]
        layer.set_weights([silenced_weights, silenced_bias])
        values.append(model_loss(records, predict_arrays(model, records, everything, batch_size)) - baseline)
    layer.set_weights([weights, bias])
    return np.array(values)


def bench_influence(run_dir: Path, table: Path) -> tuple:
    """``group_influence`` on benchmark 5's run (both strands, 10,000 records) and its distinct motifs, against
    its definition run literally; each side three times in turns, after one warm-up each."""
    import csv

    import motifnet
    from motifnet.interpret.influence import group_influence
    from motifnet.run.selection import select_data

    run = motifnet.open_run(str(run_dir))
    records = select_data(run, group="all")
    with open(table) as handle:
        groups = [[int(kernel) for kernel in row["members"].split(",")]
                  for row in csv.DictReader(handle, delimiter="\t") if row["influence"]]
    times = {"motifnet": [], "reference": []}
    values = {}
    for turn in range(4):
        for name, measure in (("motifnet", group_influence), ("reference", influence_by_weights)):
            start = time.perf_counter()
            values[name] = measure(run.model, records, groups)
            if turn:
                times[name].append(time.perf_counter() - start)
    ours, reference = (float(np.median(times[name])) for name in ("motifnet", "reference"))
    difference = float(np.abs(values["motifnet"] - values["reference"]).max())
    return ("5b. influence of distinct motifs (`visualize-kernels`)",
            f"{ours:.2f} s for {len(groups)} groups on {len(records):,} sequences (network cut after its "
            "global pooling)",
            f"the definition run literally (weights silenced, whole network per group): {reference:.2f} s; "
            f"largest difference {difference:.1e}",
            f"{reference / ours:.1f}x faster", "equal values (to 1e-5)", difference < 1e-5)


def bench_startup() -> list:
    seconds = best_of(lambda: subprocess.run([str(BIN / "motifnet"), "--help"], check=True,
                                             stdout=subprocess.DEVNULL), repeats=3)
    return [("6. Start-up: `motifnet --help`", f"{seconds:.2f} s", "", "", "< 1 s", seconds < 1)]


def gpus() -> int:
    """GPUs TensorFlow sees (a fresh interpreter, as motifnet's commands would)."""
    probe = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().split("\n")[-1])


def render(rows, quick: bool, load: tuple, seconds: float, gpu_count: int) -> str:
    cores = os.cpu_count()
    lines = [
        "# motifnet benchmark results",
        "",
        f"Date: {datetime.date.today().isoformat()}; machine: {platform.machine()}, {cores} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"{'QUICK run (smaller sizes; targets that need the full sizes are not judged)' if quick else 'full run'}.",
        "Produced by `make bench` (`python benchmarks/run.py`); every figure is beside a reference measured in",
        "the same run on the same data.",
        "",
        *table_lines(rows),
        "",
        f"The run took {seconds / 60:.1f} minutes; load average (1 min) {load[0]:.2f} at its start and "
        f"{load[1]:.2f} at its end. "
        + (f"TensorFlow saw {gpu_count} GPU(s): training and prediction above ran on it."
           if gpu_count else "TensorFlow saw no GPU: everything above ran on the CPU, nothing was measured on a GPU."),
    ]
    return "\n".join(lines) + "\n"


def table_lines(rows) -> list:
    """The markdown table of benchmark rows (name, motifnet, reference, ratio, target, met: True/False/None)."""
    lines = ["| benchmark | motifnet | reference (same run) | ratio | target | met |", "|---|---|---|---|---|---|"]
    for name, ours, reference, ratio, target, met in rows:
        verdict = "n/a" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {ours} | {reference} | {ratio} | {target} | {verdict} |")
    return lines


def replace_section(text: str, heading: str, section: str) -> str:
    """``text`` (``results.md``) with the ``## `` section under ``heading`` replaced by ``section`` (or added)."""
    if heading not in text:
        return text.rstrip("\n") + "\n\n" + section
    before, _, rest = text.partition(heading)
    following = rest.find("\n## ")
    after = rest[following + 1:] if following >= 0 else ""
    return before + section + ("\n" + after if after else "")


def main() -> None:
    import genome  # benchmarks/genome.py, beside this file (it imports this module's helpers)
    import motifs_scan  # benchmarks/motifs_scan.py, likewise

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a fast check of the benchmarks")
    parser.add_argument("--out", default=str(HERE / "results.md"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    scale = 10 if args.quick else 1
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="motifnet-bench-") as tmp:
        folder = Path(tmp)
        steps = [
            ("encoding", lambda: bench_encoding(folder, 200_000 // scale)),
            ("training memory", lambda: bench_training_memory(folder, 1_000_000 // scale)),
        ]
        for name, step in steps:
            print(f"benchmark: {name}", file=sys.stderr, flush=True)
            rows += step()
        print("benchmark: training speed", file=sys.stderr, flush=True)
        speed_rows, run_dir = bench_training_speed(folder, 100_000 // scale)
        rows += speed_rows
        print("benchmark: prediction", file=sys.stderr, flush=True)
        rows += bench_prediction(folder, run_dir, 1_000_000 // scale)
        print("benchmark: interpretation", file=sys.stderr, flush=True)
        rows += bench_interpretation(folder, 10_000 if not args.quick else 2_000)
        rows += bench_startup()
        genome_started, genome_load = time.perf_counter(), os.getloadavg()[0]
        (folder / "genome").mkdir()
        genome_section = genome.render_section(genome.genome_rows(folder / "genome", args.quick), args.quick,
                                               time.perf_counter() - genome_started,
                                               (genome_load, os.getloadavg()[0]))
        motifs_started = time.perf_counter()
        (folder / "motifs_scan").mkdir()
        # `motifs` on 10,000 and 100,000 records takes hours on 2 cores: `make bench-motifs` measures it.
        motifs_section = motifs_scan.render_section(
            motifs_scan.section_rows(folder / "motifs_scan", args.quick, []), args.quick,
            time.perf_counter() - motifs_started)
    text = render(rows, args.quick, (load_at_start, os.getloadavg()[0]), time.perf_counter() - started, gpus())
    text += "\n" + genome_section + "\n" + motifs_section
    out = Path(args.out)
    kept = other_sections(out.read_text() if out.exists() else "", {genome.HEADING, motifs_scan.HEADING})
    out.write_text(text + "".join("\n" + section for section in kept))
    print(text)


def other_sections(text: str, written: set) -> list:
    """The ``## `` sections of ``text`` that this run does not write (such as `make bench-defaults`' one), kept."""
    sections = ["## " + part for part in text.split("\n## ")[1:]]
    return [section.rstrip("\n") + "\n" for section in sections if section.split("\n", 1)[0] not in written]


if __name__ == "__main__":
    main()
