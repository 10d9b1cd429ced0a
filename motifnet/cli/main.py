"""The ``motifnet`` command line: thin wrappers that parse options and call the library."""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
from pathlib import Path

import click

from .._version import __version__
from ..errors import MotifnetError

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


def _setup_logging(quiet: bool, verbose: bool, device: str = "auto", tensorflow: bool = True) -> None:
    from .._tf import quiet_tensorflow

    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; batch nodes have no display
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # TensorFlow then sees no GPU
    if tensorflow:
        quiet_tensorflow(verbose)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


def _logging_options(command=None, *, tensorflow: bool = True):
    """--quiet, --verbose and --device for a command; ``tensorflow=False`` for commands without a model."""
    if command is None:
        return functools.partial(_logging_options, tensorflow=tensorflow)

    @click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on standard error.")
    @click.option("--verbose", "-v", is_flag=True, help="Debug messages, and TensorFlow's own log.")
    @click.option("--device", type=click.Choice(["auto", "cpu"]), default="auto", show_default=True,
                  help="auto: a GPU when TensorFlow finds one, else the CPU; cpu: never a GPU.")
    @functools.wraps(command)
    def wrapper(*args, quiet, verbose, device, **kwargs):
        _setup_logging(quiet, verbose, device, tensorflow)
        return command(*args, **kwargs)
    return wrapper


def _comma_list(text):
    return [part.strip() for part in text.split(",")] if text else None


def _param_epilog() -> str:
    from ..model.params import PARAMS

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
@click.option("--fold", "fold_format", type=click.Choice(["context", "profile"]),
              help="Fold plain FASTA with ViennaRNA first (into RUN_DIR/folded/) and train on sequence + "
                   "structural contexts (FHIMST) or context profiles.")
@click.option("--task", type=click.Choice(["classification", "regression"]), default="classification",
              show_default=True, help="regression: predict numbers (target values after the id in each header, "
                                      "or --targets) with linear outputs and mean squared error.")
@click.option("--targets", "targets_file", metavar="FILE.tsv",
              help="Regression: target values, tab-separated: a header 'id<TAB>name...', one row per record id.")
@click.option("--target-names", metavar="A,B,...", help="Regression: target names. [default: --targets header, "
                                                         "or target_1...]")
@click.option("--epistatic-reg", type=float, metavar="WEIGHT",
              help="Regression on variants of one reference: add WEIGHT x the L1 norm of the Walsh-Hadamard "
                   "spectrum of the predicted landscape (at most 14 variant sites).")
@click.option("--reference", metavar="FILE.fa",
              help="--epistatic-reg: the reference sequence. [default: consensus of the training sequences]")
@_logging_options
def train(fasta, run_dir, alphabet, structure_alphabet, structure_pwm, multi_label, class_names, split_text,
          length, param_items, params_file, feature_files, categorical_features, tracks, seed, overwrite,
          fold_format, task, targets_file, target_names, epistatic_reg, reference):
    """Train a network on labelled FASTA files and write RUN_DIR.

    Single-label: one FASTA file per class, the first file is class 0. Multi-label: one
    file whose headers end with class indices ('>seq1 0,2'). Regression (--task regression):
    one or more files, target values after the id ('>seq1 1.5 2.0') or from --targets.
    '-' reads standard input.
    """
    from ..data.dataset import load_dataset, parse_split
    from ..data.targets import check_task_options
    from ..model.adjacency import read_adjacencies
    from ..model.params import load_params_file, parse_assignments, resolve
    from ..run.training import TrainConfig
    from ..run.training import train as run_training

    check_task_options(task, multi_label=multi_label, class_names=class_names, targets_file=targets_file,
                       target_names=target_names, epistatic_reg=epistatic_reg, reference=reference)

    overrides = load_params_file(params_file) if params_file else {}
    overrides.update(parse_assignments(param_items))
    read_adjacencies(resolve(overrides))  # refuse bad parameters and adjacency files before reading any data
    split = parse_split(split_text)
    class_names = _comma_list(class_names)
    if fold_format:
        from ..run.fold_inputs import fold_training_inputs

        folded = fold_training_inputs(fasta, run_dir, fold_format, multi_label=multi_label, overwrite=overwrite,
                                      seed=seed, structure_alphabet=structure_alphabet, structure_pwm=structure_pwm)
        fasta, structure_alphabet, structure_pwm = folded.paths, folded.structure_alphabet, folded.structure_pwm
        if task == "classification":
            class_names = class_names or folded.class_names
    dataset = load_dataset(fasta, multi_label=multi_label, class_names=class_names,
                           alphabet=alphabet, structure=structure_alphabet, structure_pwm=structure_pwm,
                           length=length, feature_files=list(feature_files),
                           categorical_features=categorical_features, tracks=list(tracks), task=task,
                           targets_file=targets_file, target_names=_comma_list(target_names))
    log.info("read %d records, %d %s (%s), length %d", len(dataset), len(dataset.output_names),
             "target(s)" if task == "regression" else "classes", ", ".join(dataset.output_names),
             dataset.encoder.length)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        metrics = run_training(dataset, TrainConfig(run_dir, overrides, split, seed, overwrite, epistatic_reg,
                                                    reference, keep_folded=bool(fold_format)))
    except KeyboardInterrupt:
        raise click.ClickException(f"training interrupted; {run_dir} keeps the best model so far") from None
    from ..run.evaluation import format_metric

    if task == "regression":
        log.info("test Pearson r (mean over targets) %s, R² %s; run folder: %s",
                 format_metric(metrics["pearson_mean"]), format_metric(metrics["r2_mean"]), run_dir)
    else:
        log.info("test ROC-AUC (mean over classes) %s, PR-AUC %s; run folder: %s",
                 format_metric(metrics["roc_auc_mean"]), format_metric(metrics["pr_auc_mean"]), run_dir)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@main.command("grid-search")
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", "search_dir", required=True, metavar="SEARCH_DIR",
              help="Search folder (created; a search started again with the same arguments continues there).")
@click.option("--grid", "grid_file", required=True, metavar="GRID.json",
              help='JSON object of parameter names and lists of values, e.g. {"kernel_num": [10, 30]}.')
@click.option("--metric", type=click.Choice(["roc-auc", "pr-auc", "val-loss"]), default="roc-auc", show_default=True,
              help="Score of a trial: mean ROC-AUC or PR-AUC over classes, or validation loss (lower is better).")
@click.option("--folds", type=click.IntRange(min=2), metavar="K",
              help="Score by K-fold cross-validation on the train+validation records instead of the validation split.")
@click.option("--seed", type=int, help="Seed of split, folds and trial seeds. [default: random, recorded]")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Local worker processes [default: the cores], or batch jobs with --slurm/--pbs [default: one "
                   "per trial, at most 10].")
@click.option("--threads", type=click.IntRange(min=1), metavar="N",
              help="TensorFlow threads per trial. [default: cores / workers; --cores for batch jobs]")
@click.option("--scheduler", metavar="ADDRESS", help="Use a running Dask scheduler (e.g. tcp://node1:8786).")
@click.option("--slurm", "batch", flag_value="slurm", help="Run the workers as SLURM jobs (dask-jobqueue).")
@click.option("--pbs", "batch", flag_value="pbs", help="Run the workers as PBS jobs (dask-jobqueue).")
@click.option("--queue", help="Batch jobs: queue or partition.")
@click.option("--cores", type=click.IntRange(min=1), help="Batch jobs: cores per job.")
@click.option("--memory", metavar="SIZE", help="Batch jobs: memory per job, e.g. 16GB.")
@click.option("--walltime", metavar="HH:MM:SS", help="Batch jobs: wall-time limit per job.")
@click.option("--job-extra", multiple=True, metavar="DIRECTIVE",
              help="Batch jobs: an extra scheduler directive, e.g. --account=lab (repeatable).")
@click.option("--interface", metavar="NAME", help="Batch jobs: network interface the scheduler listens on, e.g. ib0.")
@click.option("--alphabet", help="dna, rna, protein, or the letters of a custom alphabet. [default: detected]")
@click.option("--structure-alphabet", metavar="LETTERS", help="Structure letters, e.g. '().' or 'FHIMST'.")
@click.option("--structure-pwm", is_flag=True, help="The structure is a matrix: one line per structure letter.")
@click.option("--multi-label", is_flag=True, help="One FASTA file, class indices at the end of each header.")
@click.option("--class-names", metavar="A,B,...", help="Class names. [default: file names, or class_0...]")
@click.option("--split", "split_text", default="0.7,0.15", show_default=True, metavar="TRAIN,VAL",
              help="Train and validation fractions; the rest is the test split, never seen by the search.")
@click.option("--length", type=click.IntRange(min=1), help="Centre-crop longer and zero-pad shorter sequences to N.")
@click.option("--param", "param_items", multiple=True, metavar="KEY=VALUE",
              help="A fixed hyperparameter of every trial (repeatable).")
@click.option("--params", "params_file", metavar="FILE.json", help="Fixed hyperparameters from a JSON object.")
@click.option("--overwrite", is_flag=True, help="Start over when SEARCH_DIR holds a search with other settings.")
@_logging_options(tensorflow=False)  # the trials import TensorFlow on the workers; this process only schedules
def grid_search(fasta, search_dir, grid_file, metric, folds, seed, workers, threads, scheduler, batch, queue, cores,
                memory, walltime, job_extra, interface, alphabet, structure_alphabet, structure_pwm, multi_label,
                class_names, split_text, length, param_items, params_file, overwrite):
    """Train every combination of a hyperparameter grid in parallel on Dask and keep the best.

    Each trial is scored on the validation split (or by --folds cross-validation) and
    appended to SEARCH_DIR/results.tsv as it finishes; the best is retrained into
    SEARCH_DIR/best (a run folder); SEARCH_DIR/summary.html ranks the trials. Trials run on
    local worker processes, an existing Dask cluster (--scheduler), or SLURM/PBS jobs.
    """
    from ..data.dataset import parse_split
    from ..model.params import load_params_file, parse_assignments
    from ..search._cluster import ClusterOptions
    from ..search.grid import SearchConfig, load_grid, run_search

    fixed = load_params_file(params_file) if params_file else {}
    fixed.update(parse_assignments(param_items))
    config = SearchConfig(list(fasta), search_dir, load_grid(grid_file), fixed, metric, folds, parse_split(split_text),
                          seed, multi_label, _comma_list(class_names), alphabet, structure_alphabet, structure_pwm,
                          length, overwrite)
    kind = "scheduler" if scheduler else batch or "local"
    if scheduler and batch:
        raise click.UsageError(f"--scheduler and --{batch} exclude each other")
    cluster = ClusterOptions(kind, workers, threads, scheduler, queue, cores, memory, walltime, tuple(job_extra),
                             interface)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        result = run_search(config, cluster)
    except KeyboardInterrupt:
        raise click.ClickException(f"search interrupted; run the same command again to continue it in "
                                   f"{search_dir}") from None
    click.echo(str(result.summary))


@main.command()
@click.argument("fasta")
@click.option("-o", "--output", required=True, metavar="OUT.fa", help="FASTA file to write (appears when complete).")
@click.option("--format", "fold_format", type=click.Choice(["dotbracket", "context", "profile"]),
              default="dotbracket", show_default=True,
              help="MFE dot-bracket, structural contexts (FHIMST), or context probabilities (six rows F H I M S T).")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes. [default: all cores]")
@click.option("--window", type=click.IntRange(min=1), metavar="W",
              help="Local folding for long sequences: windows of W bases (RNAplfold -W).")
@click.option("--span", type=click.IntRange(min=1), metavar="S",
              help="With --window: base pairs span at most S bases (RNAplfold -L). [default: W]")
@click.option("--samples", type=click.IntRange(min=1), metavar="N",
              help="profile: structures sampled from the Boltzmann ensemble per record. [default: 1000]")
@click.option("--exact", is_flag=True, help="profile: exact context probabilities instead of sampling.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the sampling.")
@_logging_options(tensorflow=False)  # folding needs no model
def fold(fasta, output, fold_format, jobs, window, span, samples, exact, seed):
    """Predict RNA secondary structure with ViennaRNA, in the formats train reads.

    FASTA holds plain sequence records (RNA; DNA is folded with T read as U). Records are
    written in input order: header (with mfe=E after the id), sequence, then the structure.
    Train on the output with --structure-alphabet "()." (dotbracket), --structure-alphabet
    FHIMST (context) or --structure-alphabet FHIMST --structure-pwm (profile).
    """
    from ..data.folding import FoldOptions, fold_file

    options = FoldOptions(fold_format, window=window, span=span, samples=samples, exact=exact, seed=seed, jobs=jobs)
    log.info("folding %s: %s, %d job(s)", fasta, options.describe(), options.n_jobs)
    fold_file(fasta, output, options)


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
    """Predict class probabilities (or target values) for the records of FASTA files.

    Writes a tab-separated table: 'id', then one column per class (regression models: per
    target, in the target's units), one row per record.
    """
    from .._io import atomic_path
    from ..run.predict import PredictConfig, write_predictions
    from ..run.rundir import open_run

    run = open_run(run_dir)
    if not run.complete:
        log.warning("warning: training in %s did not complete; using its best model so far", run_dir)
    config = PredictConfig(list(fasta), batch_size, features=list(feature_files), tracks=list(tracks))
    if output:
        with atomic_path(output) as tmp, open(tmp, "w", encoding="utf-8") as handle:
            count = write_predictions(run, config, handle)
    else:
        count = write_predictions(run, config, sys.stdout)
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
    from ..run.rundir import open_run
    from ..run.selection import select_data

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
    from ..interpret.activations import max_activations

    run, dataset, _ = _open_with_data(run_dir, group, fasta, multi_label)
    result = max_activations(run, dataset, batch_size)
    result.save(output)
    log.info("wrote %s (%d sequences x %d kernels)", output, len(dataset), result.n_kernels)


@main.command("visualize-kernels")
@click.argument("run_dir")
@click.option("-o", "--output", "out_dir", required=True, metavar="OUT_DIR", help="Folder for plots and report.")
@click.option("--kernels", metavar="0,3,7", help="Kernels to show. [default: all]")
@click.option("--motif-db", metavar="jaspar|FILE.meme",
              help="Known motifs to match the kernels with (TOMTOM). [default: JASPAR CORE for DNA models, "
                   "none otherwise]")
@click.option("--tax-group", metavar="GROUP[,GROUP]", help="JASPAR taxonomic group(s). [default: all]")
@click.option("--no-match", is_flag=True, help="Do not match the kernels with known motifs.")
@click.option("--trim-ic", type=float, default=0.3, show_default=True, metavar="BITS",
              help="Exported motifs keep the columns from the first to the last with this information content "
                   "(0: all).")
@click.option("--formats", default="meme", show_default=True, metavar="meme,jaspar,transfac",
              help="Motif file formats to write (motifs.meme, motifs.jaspar, motifs.transfac).")
@click.option("--target", metavar="NAME",
              help="Regression models: rank kernels by the correlation of their maximum activation with this "
                   "target (name or 0-based index). [default: the first target]")
@click.option("--top", "top_kernels", type=int, metavar="N",
              help="Per-kernel plots for the N most important kernels only; tables and distinct motifs cover all. "
                   "[default: all]")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Processes drawing the per-kernel plots. [default: all cores]")
@_data_options
@_logging_options
def visualize_kernels_command(run_dir, out_dir, kernels, motif_db, tax_group, no_match, trim_ic, formats, target,
                              top_kernels, jobs, group, fasta, multi_label, batch_size):
    """Motif logo, positions and activations of each first-layer kernel, and summary.html.

    Writes motif_kernel_N.png, position_kernel_N.png, activations_kernel_N.png (and
    additional_features_kernel_N.png with tracks), motifs.meme, kernels.tsv, distinct_motifs.tsv,
    motifs_distinct.meme and summary.html; with matching also matches.tsv and match_kernel_N.png.
    """
    from ..motifs.matching import MotifOptions
    from ..workflows.visualize import visualize_kernels

    options = MotifOptions(match=not no_match, database=motif_db, tax_group=tax_group, trim_ic=trim_ic,
                           formats=formats)
    run, dataset, label = _open_with_data(run_dir, group, fasta, multi_label)
    visualize_kernels(run, dataset, out_dir, kernels, batch_size, data_label=label, motif_options=options,
                      target=target, top=top_kernels, jobs=jobs)
    click.echo(str(Path(out_dir) / "summary.html"))


@main.command()
@click.argument("query", metavar="QUERY.meme")
@click.option("--db", "database", default="jaspar", show_default=True, metavar="jaspar|FILE.meme",
              help="Target motifs: JASPAR (bundled with pyjaspar, latest versions) or a MEME file.")
@click.option("--collection", default="CORE", show_default=True, help="JASPAR collection.")
@click.option("--tax-group", metavar="GROUP[,GROUP]",
              help="JASPAR taxonomic group(s), e.g. vertebrates, plants, insects. [default: all]")
@click.option("--top", type=int, default=5, show_default=True, help="Matches per query motif.")
@click.option("-o", "--output", metavar="FILE.tsv", help="TSV file to write. [default: standard output]")
@_logging_options(tensorflow=False)
def compare(query, database, collection, tax_group, top, output):
    """Match the motifs of a MEME file with known motifs (TOMTOM).

    Writes MEME's tomtom.tsv columns (Query_ID, Target_ID, Optimal_offset, p-value,
    E-value, q-value, Overlap, Query_consensus, Target_consensus, Orientation) and
    Target_name: the best matches of each query, smallest p-value first.
    """
    from .._io import write_text
    from ..motifs.matching import compare_file

    text = compare_file(query, database, collection, tax_group, top)
    if output:
        write_text(output, text)
        log.info("wrote %s", output)
    else:
        click.echo(text, nl=False)


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
    from ..interpret.activations import max_activations
    from ..interpret.clustering import cluster_activations
    from ..plot.clustermap import plot_clustermap
    from ..plot.figures import save_figure

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
    from ..run.rundir import open_run
    from ..workflows.optimize import optimize_for_run

    optimize_for_run(open_run(run_dir), layer, _int_list(nodes, "--nodes"), output, bound, lr, steps, seed)
    log.info("wrote %s", output)


_ATTRIBUTE_EPILOG = """\b
Methods (all explain the target's logit, the input of the output layer's softmax/sigmoid):
  saliency              |gradient| per position and letter. Local: a saturated unit (a
                        ReLU that is off, a motif already strong enough) has zero gradient
                        however much the letter matters. No sign, no baseline.
  grad-input            gradient x input: for one-hot input the observed letter's gradient.
                        Saturates like saliency.
  integrated-gradients  (input - baseline) x the gradient averaged on the straight path
                        from the baseline (--steps midpoints). Sums to logit(input) -
                        logit(baseline), closer with more steps.
  deeplift              DeepLIFT's rescale rule (ReLU secants against the baseline's
                        activations; max pooling passes each window's change of maximum to
                        one unit). Sums to logit(input) - logit(baseline) exactly.
                        Convolution/dense/pooling models only: recurrent models are refused.
  ism                   logit(mutant) - logit(input) for every single-letter substitution
                        (sequence+structure models: every pair of letters). Exact, no
                        baseline, costs one forward pass per position and letter.
\b
Baselines (integrated-gradients, deeplift; default zeros). The attribution is relative to
the baseline, so the choice changes the answer:
  zeros     no letter at all (not a sequence the model was trained on).
  uniform   every letter 1/A (pairs 1/(A*S)): an "average" sequence.
  shuffle   the sequence with its dinucleotides shuffled (--shuffles references, averaged;
            --seed): keeps composition, so only order-dependent signal is credited.
\b
Outputs in OUT_DIR: attributions.npz, attribution_<rank>_<id>.png (--top sequences with the
highest probability of their target), attribution.json; if OUT_DIR or its parent holds the
summary.html of visualize-kernels, its attribution section is updated."""


@main.command(epilog=_ATTRIBUTE_EPILOG)
@click.argument("run_dir")
@click.option("-o", "--output", "out_dir", required=True, metavar="OUT_DIR", help="Folder for arrays and logos.")
@click.option("--method", required=True,
              type=click.Choice(["saliency", "grad-input", "integrated-gradients", "deeplift", "ism"]),
              help="Attribution method (see below).")
@click.option("--target", metavar="CLASS",
              help="Class to explain: a class name or a 0-based index. [default: each sequence's predicted class]")
@click.option("--baseline", type=click.Choice(["zeros", "uniform", "shuffle"]),
              help="Reference input of integrated-gradients and deeplift. [default: zeros]")
@click.option("--steps", type=int, help="Integrated gradients: points on the path. [default: 50]")
@click.option("--shuffles", type=int, help="--baseline shuffle: shuffled references per sequence. [default: 10]")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the shuffles.")
@click.option("--top", type=click.IntRange(min=0), default=20, show_default=True,
              help="Draw logos of this many sequences (highest probability of their target).")
@_data_options
@_logging_options
def attribute(run_dir, out_dir, method, target, baseline, steps, shuffles, seed, top, group, fasta, multi_label,
              batch_size):
    """Attribution maps: which positions and letters of each sequence drive the prediction.

    Computed through the whole network for the logit of the target class; see the methods
    and their caveats below.
    """
    from ..interpret.attribution import AttributionConfig
    from ..workflows.attribution import attribute_run

    config = AttributionConfig(method, target, baseline, steps, shuffles, seed, batch_size).checked()
    run, dataset, label = _open_with_data(run_dir, group, fasta, multi_label)
    attribute_run(run, dataset, out_dir, config, top, data_label=label)
    click.echo(str(Path(out_dir) / "attributions.npz"))


def _int_list(text, option):
    from ..errors import ParamError

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
    from ..run.info import describe_run
    from ..run.rundir import open_run

    click.echo(describe_run(open_run(run_dir)))


if __name__ == "__main__":  # pragma: no cover
    main()
