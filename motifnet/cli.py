"""The ``motifnet`` command line: thin wrappers that parse options and call the library."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .errors import MotifnetError

log = logging.getLogger("motifnet")


class _Group(click.Group):
    """Turns library errors into one line on standard error and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MotifnetError as error:
            raise click.ClickException(str(error)) from None
        except BrokenPipeError:
            # The reader of standard output went away (e.g. `| head`): stop quietly, as `cat` would.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from None


def _setup_logging(quiet: bool, verbose: bool) -> None:
    from ._tf import quiet_tensorflow

    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; batch nodes have no display
    quiet_tensorflow(verbose)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


def _logging_options(command):
    @click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on standard error.")
    @click.option("--verbose", "-v", is_flag=True, help="Debug messages, and TensorFlow's own log.")
    @functools.wraps(command)
    def wrapper(*args, quiet, verbose, **kwargs):
        _setup_logging(quiet, verbose)
        return command(*args, **kwargs)
    return wrapper


def _comma_list(text):
    return [part.strip() for part in text.split(",")] if text else None


def _param_epilog() -> str:
    from .params import PARAMS

    lines = ["\b", "Hyperparameters (--param KEY=VALUE; per-layer values comma-separated):"]
    for spec in PARAMS:
        lines.append(f"  {spec.name:<22} {str(spec.default):<7} {spec.doc}")
    return "\n".join(lines)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="motifnet")
def main():
    """Motif discovery with convolutional neural networks.

    Train a network on FASTA files (one per class, or one multi-label file), predict
    new sequences, and see which sequence motifs the network learned. Progress goes to
    standard error, results to files or standard output.
    """


@main.command(epilog=_param_epilog())
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", "run_dir", required=True, metavar="RUN_DIR", help="Run folder to create.")
@click.option("--alphabet", help="dna, rna, protein, or the letters of a custom alphabet. [default: detected]")
@click.option("--structure-alphabet", metavar="LETTERS",
              help="Structure letters, e.g. '().' or 'FHIMST': records are header, sequence, structure.")
@click.option("--structure-pwm", is_flag=True,
              help="The structure is a matrix: one line of probabilities per structure letter.")
@click.option("--multi-label", is_flag=True, help="One FASTA file, class indices at the end of each header.")
@click.option("--class-names", metavar="A,B,...", help="Class names. [default: file names, or class_0...]")
@click.option("--split", "split_text", default="0.7,0.15", show_default=True, metavar="TRAIN,VAL",
              help="Train and validation fractions; the rest is the test split.")
@click.option("--length", type=click.IntRange(min=1), help="Centre-crop longer and zero-pad shorter sequences to N.")
@click.option("--param", "param_items", multiple=True, metavar="KEY=VALUE", help="A hyperparameter (repeatable).")
@click.option("--params", "params_file", metavar="FILE.json", help="Hyperparameters from a JSON object.")
@click.option("--features", "feature_files", multiple=True, metavar="FILE",
              help="Per-sequence features, one file per FASTA file (tab-separated, one line per record).")
@click.option("--categorical-features", is_flag=True, help="Feature columns are categories (one-hot encoded).")
@click.option("--track", "tracks", multiple=True, metavar="NAME=FILE[,FILE...]",
              help="A position-wise numeric track, one file per FASTA file (repeatable).")
@click.option("--seed", type=int, help="Seed of split, weights and shuffling. [default: random, recorded]")
@click.option("--overwrite", is_flag=True, help="Replace RUN_DIR if it holds a run.")
@_logging_options
def train(fasta, run_dir, alphabet, structure_alphabet, structure_pwm, multi_label, class_names, split_text,
          length, param_items, params_file, feature_files, categorical_features, tracks, seed, overwrite):
    """Train a network on labelled FASTA files and write RUN_DIR.

    Single-label: one FASTA file per class, the first file is class 0. Multi-label: one
    file whose headers end with class indices ('>seq1 0,2'). '-' reads standard input.
    """
    from .data import load_dataset, parse_split
    from .params import load_params_file, parse_assignments, resolve
    from .training import TrainConfig
    from .training import train as run_training

    overrides = load_params_file(params_file) if params_file else {}
    overrides.update(parse_assignments(param_items))
    resolve(overrides)  # refuse bad parameters before reading any data
    split = parse_split(split_text)
    dataset = load_dataset(fasta, multi_label=multi_label, class_names=_comma_list(class_names),
                           alphabet=alphabet, structure=structure_alphabet, structure_pwm=structure_pwm,
                           length=length, feature_files=list(feature_files),
                           categorical_features=categorical_features, tracks=list(tracks))
    log.info("read %d records, %d classes (%s), length %d", len(dataset), len(dataset.class_names),
             ", ".join(dataset.class_names), dataset.encoder.length)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        metrics = run_training(dataset, TrainConfig(run_dir, overrides, split, seed, overwrite))
    except KeyboardInterrupt:
        raise click.ClickException(f"training interrupted; {run_dir} keeps the best model so far") from None
    from .evaluation import format_metric

    log.info("test ROC-AUC (mean over classes) %s, PR-AUC %s; run folder: %s",
             format_metric(metrics["roc_auc_mean"]), format_metric(metrics["pr_auc_mean"]), run_dir)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command()
@click.argument("run_dir")
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", help="TSV file to write. [default: standard output]")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Records per forward pass (memory stays bounded by it).")
@click.option("--features", "feature_files", multiple=True, metavar="FILE",
              help="Per-sequence features, one file per FASTA file, if the model was trained with them.")
@click.option("--track", "tracks", multiple=True, metavar="NAME=FILE[,FILE...]",
              help="Position-wise tracks, if the model was trained with them.")
@_logging_options
def predict(run_dir, fasta, output, batch_size, feature_files, tracks):
    """Predict class probabilities for the records of FASTA files.

    Writes a tab-separated table: 'id', then one column per class, one row per record.
    """
    from ._io import atomic_path
    from .predict import PredictConfig, predict_files
    from .rundir import open_run

    run = open_run(run_dir)
    if not run.complete:
        log.warning("warning: training in %s did not complete; using its best model so far", run_dir)
    config = PredictConfig(list(fasta), batch_size, features=list(feature_files), tracks=list(tracks))

    def emit(handle):
        handle.write("id\t" + "\t".join(run.class_names) + "\n")
        return predict_files(run, config, lambda record_id, row: handle.write(
            record_id + "\t" + "\t".join(format(float(v), ".6g") for v in row) + "\n"))

    if output:
        with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            count = emit(handle)
    else:
        count = emit(sys.stdout)
        sys.stdout.flush()
    log.info("predicted %d record(s)%s", count, f"; wrote {output}" if output else "")


def _data_options(command):
    @click.option("--group", type=click.Choice(["train", "val", "test", "all"]), default="test", show_default=True,
                  help="Which split of the run's data to look at.")
    @click.option("--fasta", multiple=True, metavar="FILE",
                  help="New labelled data instead: one FASTA file per class in the model's class order "
                       "(repeat the option), or one multi-label file.")
    @click.option("--multi-label", is_flag=True, help="The --fasta file is multi-label.")
    @click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
                  help="Records per forward pass.")
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return command(*args, **kwargs)
    return wrapper


def _open_with_data(run_dir, group, fasta, multi_label):
    from .rundir import open_run
    from .selection import select_data

    run = open_run(run_dir)
    dataset = select_data(run, group, list(fasta), multi_label)
    label = f"{len(fasta)} FASTA file(s)" if fasta else f"{group} split" if group != "all" else "all data"
    log.info("looking at %d sequences (%s)", len(dataset), label)
    return run, dataset, label


@main.command()
@click.argument("run_dir")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Output: .npz arrays, or a tab-separated table when FILE ends in .tsv.")
@_data_options
@_logging_options
def activations(run_dir, output, group, fasta, multi_label, batch_size):
    """Maximum activation and its position for every sequence and first-layer kernel.

    Positions are 0-based starts of the kernel's window in the sequence.
    """
    from .activations import max_activations

    run, dataset, _ = _open_with_data(run_dir, group, fasta, multi_label)
    result = max_activations(run, dataset, batch_size)
    result.save(output)
    log.info("wrote %s (%d sequences x %d kernels)", output, len(dataset), result.n_kernels)


@main.command("visualize-kernels")
@click.argument("run_dir")
@click.option("-o", "--output", "out_dir", required=True, metavar="OUT_DIR", help="Folder for plots and report.")
@click.option("--kernels", metavar="0,3,7", help="Kernels to show. [default: all]")
@_data_options
@_logging_options
def visualize_kernels_command(run_dir, out_dir, kernels, group, fasta, multi_label, batch_size):
    """Motif logo, positions and activations of each first-layer kernel, and summary.html.

    Writes motif_kernel_N.png, position_kernel_N.png, activations_kernel_N.png (and
    additional_features_kernel_N.png with tracks), motifs.meme, kernels.tsv and summary.html.
    """
    from .visualize import visualize_kernels

    run, dataset, label = _open_with_data(run_dir, group, fasta, multi_label)
    visualize_kernels(run, dataset, out_dir, kernels, batch_size, data_label=label)
    click.echo(str(Path(out_dir) / "summary.html"))


@main.command()
@click.argument("run_dir")
@click.option("-o", "--output", required=True, metavar="FILE.png", help="PNG file of the clustered heat map.")
@click.option("--classes", metavar="0,3", help="Only sequences of these classes (indices). [default: all]")
@click.option("--max-sequences", type=click.IntRange(min=2), default=2000, show_default=True,
              help="Cluster a seeded, class-stratified sample when there are more sequences.")
@_data_options
@_logging_options
def cluster(run_dir, output, classes, max_sequences, group, fasta, multi_label, batch_size):
    """Hierarchical clustering of sequences and kernels by maximum activation (single-label).

    Ward linkage on Euclidean distances of the per-kernel standardised maximum activations,
    drawn as a clustered heat map with a class colour bar.
    """
    from .activations import max_activations
    from .clustering import cluster_activations, plot_clustermap
    from .plots import save_figure

    class_list = _int_list(classes, "--classes")
    run, dataset, _ = _open_with_data(run_dir, group, fasta, multi_label)
    result = cluster_activations(max_activations(run, dataset, batch_size), class_list, max_sequences)
    if result.subsampled_from:
        log.info("clustering a class-stratified sample of %d of %d sequences (--max-sequences)",
                 len(result.row_order), result.subsampled_from)
    save_figure(plot_clustermap(result).figure, output)
    log.info("wrote %s", output)


@main.command("optimize-inputs")
@click.argument("run_dir")
@click.option("--layer", required=True, metavar="NAME", help="Layer whose nodes to optimise (see motifnet info).")
@click.option("-o", "--output", required=True, metavar="FILE.png", help="PNG file: one logo row per node.")
@click.option("--nodes", metavar="0,1", help="Nodes of the layer. [default: all]")
@click.option("--bound", type=float, default=0.1, show_default=True, help="Random start uniform in [-bound, bound].")
@click.option("--lr", type=float, default=0.02, show_default=True, help="Step size of the gradient ascent.")
@click.option("--steps", type=int, default=600, show_default=True, help="Gradient ascent steps.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random start.")
@_logging_options
def optimize_inputs_command(run_dir, layer, output, nodes, bound, lr, steps, seed):
    """Learn, for each node of a layer, the input that maximises its output (as logos).

    L2-penalised gradient ascent from a random start; one logo row (softmax over letters
    per position, in bits) per node. Best read as a view of how the network works: the
    kernel logos of visualize-kernels are the reliable motifs.
    """
    from .optimize import optimize_for_run
    from .rundir import open_run

    optimize_for_run(open_run(run_dir), layer, _int_list(nodes, "--nodes"), output, bound, lr, steps, seed)
    log.info("wrote %s", output)


def _int_list(text, option):
    from .errors import ParamError

    if not text:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ParamError(f"{option} expects comma-separated integers (e.g. 0,3), received: {text!r}") from None


@main.command()
@click.argument("run_dir")
@_logging_options
def info(run_dir):
    """Show a run folder: data, parameters, layers (names and nodes) and metrics."""
    from .info import describe_run
    from .rundir import open_run

    click.echo(describe_run(open_run(run_dir)))


if __name__ == "__main__":  # pragma: no cover
    main()
