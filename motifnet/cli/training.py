"""``motifnet train`` and ``motifnet grid-search``: the commands that train networks."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .._signals import stopping_on_signals
from .options import (
    IntRange,
    background_options,
    combine,
    data_reading_options,
    echo_path,
    features_option,
    folder_output,
    genome_option,
    logging_options,
    overwrite_option,
    parse_chroms,
    parse_tracks,
    preset_option,
    refuse_inputs_written,
    refuse_unused,
    seed_option,
    text_list,
    track_option,
)

log = logging.getLogger("motifnet")

#: The most TensorFlow threads a trial may ask for: TensorFlow takes a 32-bit count, and more threads than any
#: machine's cores only slow a trial down.
MAX_THREADS = 4096


def _param_epilog() -> str:
    from ..model.params import PARAMS, PRESETS, preset_order

    names = preset_order()
    lines = ["\b", "Hyperparameters (--param KEY=VALUE; per-layer values comma-separated), their values in "
             f"--preset {' and '.join(names)}:"]
    width = max(7, *(len(name) for name in names))
    lines.append(f"  {'parameter':<22} {' '.join(f'{name:<{width}}' for name in names)} meaning")
    for spec in PARAMS:
        values = " ".join(f"{str(PRESETS[name][spec.name]):<{width}}" for name in names)
        lines.append(f"  {spec.name:<22} {values} {spec.doc}")
    return "\n".join(lines)


_regression_options = combine(
    click.option("--task", type=click.Choice(["classification", "regression"]), default="classification",
                 show_default=True, help="regression: predict numbers (target values after the id in each header, "
                                         "or --targets) with linear outputs and mean squared error."),
    click.option("--targets", "targets_file", metavar="FILE.tsv",
                 help="Regression: target values, tab-separated: a header 'id<TAB>name...', one row per record id."),
    click.option("--target-names", metavar="A,B,...", help="Regression: target names. [default: --targets header, "
                                                            "or target_1...]"),
    click.option("--epistatic-reg", type=float, metavar="WEIGHT",
                 help="Regression on variants of one reference: add WEIGHT x the L1 norm of the Walsh-Hadamard "
                      "spectrum of the predicted landscape (at most 14 variant sites)."),
    click.option("--reference", metavar="FILE.fa",
                 help="--epistatic-reg: the reference sequence. [default: consensus of the training sequences]"),
)


@click.command(epilog=_param_epilog())
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", "run_dir", required=True, callback=folder_output,
              metavar="RUN_DIR", help="Run folder to create.")
@data_reading_options(split_help="Train and validation fractions; the rest is the test split.",
                      param_help="A hyperparameter (repeatable).", params_help="Hyperparameters from a JSON object.")
@features_option("Per-sequence features, one file per FASTA file (tab-separated, one line per record).")
@click.option("--categorical-features", is_flag=True, help="Feature columns are categories (one-hot encoded).")
@track_option("A position-wise numeric track, one file per FASTA file (repeatable).")
@preset_option("Starting hyperparameter values, chosen on benchmarks; --param and --params override them. "
               "motifnet: global pooling, both strands of DNA. centred: pysster's network with kernels of 8, which "
               "reads where a motif lies. auto: centred for RNA windows centred on a site (CLIP crosslinks: a "
               "class's letters differ from the others' along the window), motifnet otherwise. pysster: pysster's "
               "published defaults (Budach & Marsico 2018).", auto=True)
@seed_option("Seed of split, weights, shuffling and dropout, and deterministic TensorFlow ops (bit-identical "
              "CPU runs, somewhat slower).")
@overwrite_option("Replace the run RUN_DIR holds: only motifnet's files go, others stay.")
@click.option("--resume", is_flag=True,
              help="Continue the interrupted training in RUN_DIR from its last epoch (same inputs and options "
                   "needed); a complete run is left as it is, and a missing or empty RUN_DIR starts one, so a batch "
                   "job can simply be requeued.")
@click.option("--fold", "fold_format", type=click.Choice(["context", "profile"]),
              help="Fold plain FASTA with ViennaRNA first (into RUN_DIR/folded/) and train on sequence + "
                   "structural contexts (FHIMST) or context profiles.")
@_regression_options
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs: each BED line (BED3 to BED12, narrowPeak, "
               "broadPeak) is a window of --length bases (default 200) around its summit or centre.")
@background_options
@click.option("--val-chroms", metavar="CHR,...", help="BED input: the validation windows are those of these "
                                                        "chromosomes (instead of a random split).")
@click.option("--test-chroms", metavar="CHR,...", help="BED input: the test windows are those of these chromosomes.")
# Above the logging options, whose TensorFlow import takes seconds: SIGTERM and Ctrl-C then stop at the next
# batch (the best model so far is kept) however early they come.
@stopping_on_signals
@logging_options
def train(data, run_dir, split, params, feature_files, categorical_features, tracks, preset, seed, overwrite, resume,
          fold_format, task, targets_file, target_names, epistatic_reg, reference, genome, background, shuffle_k,
          background_ratio, val_chroms, test_chroms):
    """Train a network on labelled FASTA files and write RUN_DIR.

    Single-label: one FASTA file per class, the first file is class 0. Multi-label: one
    file whose headers end with class indices ('>seq1 0,2'). Regression (--task regression):
    one or more files, target values after the id ('>seq1 1.5 2.0') or from --targets.
    '-' reads standard input. BED files (.bed, .narrowPeak, .broadPeak) with --genome: one file per class.
    """
    from ..run.evaluation import summary_line
    from ..run.rundir import MODEL
    from ..run.training import TrainConfig, run_mark
    from ..workflows.train import train_from_files

    refuse_unused(*_background_rules(background), ("categorical_features", bool(feature_files), "--features files"),
                  ("split_text", not (val_chroms and test_chroms), "the records not held out by chromosome (with both "
                   "--val-chroms and --test-chroms there are none)"))

    # The background seed only with --background: data without one reads as grid-search reads it.
    data = data.replace(feature_files=feature_files, categorical_features=categorical_features,
                        tracks=parse_tracks(tracks),
                        task=task, targets_file=targets_file,
                        target_names=text_list(target_names, "--target-names", "target names", "expr,bind"),
                        genome=genome, background=background, shuffle_k=shuffle_k, background_ratio=background_ratio,
                        background_seed=(seed or 0) if background else 0)
    config = TrainConfig(run_dir, params, split, seed, overwrite, epistatic_reg, reference, resume=resume,
                         preset=preset, val_chroms=parse_chroms(val_chroms, "--val-chroms"),
                         test_chroms=parse_chroms(test_chroms, "--test-chroms"))
    earlier = run_mark(run_dir)
    try:
        metrics = train_from_files(data, config, fold=fold_format)
    except KeyboardInterrupt:
        now = run_mark(run_dir)
        if earlier is not None and now == earlier:
            raise click.ClickException(f"stopped by a signal before training began; the run in {run_dir} is as it "
                                       "was") from None
        if now is None:
            raise  # no run was begun: the group's one line for any stop
        if now[0] is None or not (Path(run_dir) / MODEL).exists():  # replaced half-way, or no epoch saved yet
            raise click.ClickException(f"stopped by a signal before the first epoch finished; --resume on {run_dir} "
                                       "starts the training again") from None
        raise click.ClickException(f"training interrupted; {run_dir} keeps the best model so far "
                                   "(--resume continues it)") from None
    log.info("%s", summary_line(metrics, run_dir, task))


@click.command("grid-search")
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", "search_dir", required=True, callback=folder_output,
              metavar="SEARCH_DIR",
              help="Search folder (created; a search started again with the same arguments continues there).")
@click.option("--grid", "grid_file", required=True, metavar="GRID.json",
              help='JSON object of parameter names and lists of values, e.g. {"kernel_num": [10, 30]}.')
@click.option("--metric", type=click.Choice(["roc-auc", "pr-auc", "val-loss"]), default="roc-auc", show_default=True,
              help="Score of a trial: mean ROC-AUC or PR-AUC over classes, or validation loss (lower is better).")
@click.option("--folds", type=IntRange(min=2), metavar="K",
              help="Score by K-fold cross-validation on the train+validation records instead of the validation split.")
@seed_option("Seed of split, folds and trial seeds.")
@preset_option("Starting hyperparameter values of every trial: auto gives each trial the preset train would "
               "take with its values (the input tested once, when first read; a continued search keeps that "
               "pick); --param, --params and the grid override them.", auto=True)
@click.option("--max-trials", type=IntRange(min=1, max=100_000), default=10_000, show_default=True, metavar="N",
              help="Refuse a grid of more trials; raise it (up to 100,000) to confirm a larger grid.")
@click.option("--workers", type=IntRange(min=1), metavar="N",
              help="Local worker processes [default: the cores], or batch jobs with --slurm/--pbs [default: one "
                   "per trial, at most 10].")
@click.option("--threads", type=IntRange(min=1, max=MAX_THREADS), metavar="N",
              help="TensorFlow threads per trial. [default: cores / workers; --cores for batch jobs]")
@click.option("--scheduler", metavar="ADDRESS", help="Use a running Dask scheduler (e.g. tcp://node1:8786).")
@click.option("--slurm", is_flag=True, help="Run the workers as SLURM jobs (dask-jobqueue; needs sbatch).")
@click.option("--pbs", is_flag=True, help="Run the workers as PBS jobs (dask-jobqueue; needs qsub).")
@click.option("--queue", help="Batch jobs: queue or partition.")
@click.option("--cores", type=IntRange(min=1), help="Batch jobs: cores per job.")
@click.option("--memory", metavar="SIZE", help="Batch jobs: memory per job, e.g. 16GB, 4000MB or 16GiB.")
@click.option("--walltime", metavar="HH:MM:SS",
              help="Batch jobs: wall-time limit per job: HH:MM:SS or MM:SS; also minutes, D-HH:MM:SS or UNLIMITED "
                   "(SLURM), seconds (PBS; hours may pass 24: 36:00:00).")
@click.option("--job-extra", multiple=True, metavar="DIRECTIVE",
              help="Batch jobs: an extra scheduler directive, e.g. --account=lab (repeatable).")
@click.option("--interface", metavar="NAME", help="Batch jobs: network interface the scheduler listens on, e.g. ib0.")
@data_reading_options(split_help="Train and validation fractions; the rest is the test split, never seen by the "
                                 "search.",
                      param_help="A fixed hyperparameter of every trial (repeatable).",
                      params_help="Fixed hyperparameters from a JSON object.")
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs, as for train; every worker reads it.")
@background_options
@overwrite_option("Start over when SEARCH_DIR holds a search with other settings.")
@logging_options(tensorflow=False)  # the trials import TensorFlow on the workers; this process only schedules
def grid_search(data, search_dir, grid_file, metric, folds, seed, preset, max_trials, workers, threads, scheduler,
                slurm, pbs, queue, cores, memory, walltime, job_extra, interface, split, params, genome, background,
                shuffle_k, background_ratio, overwrite):
    """Train every combination of a hyperparameter grid in parallel on Dask and keep the best.

    FASTA (or BED with --genome) files as train reads them: one file per class, or one
    multi-label file. It searches classifiers (regression is train's alone).

    Each trial is scored on the validation split (or by --folds cross-validation) and
    appended to SEARCH_DIR/results.tsv as it finishes; the best is retrained into
    SEARCH_DIR/best (a run folder); SEARCH_DIR/summary.html ranks the trials. Trials run on
    local worker processes, an existing Dask cluster (--scheduler), or SLURM/PBS jobs.
    """
    from .._signals import say_if_finished_after_a_signal, stop_on_signals
    from ..run.search_folder import SEARCH_FILES
    from ..search._cluster import ClusterOptions
    from ..search._space import load_grid
    from ..search.grid import SearchConfig, run_search

    refuse_unused(*_background_rules(background))
    if slurm and pbs:
        raise click.UsageError("--slurm and --pbs exclude each other: give the batch system of this cluster")
    batch = "slurm" if slurm else "pbs" if pbs else None
    if scheduler and batch:
        raise click.UsageError(f"--scheduler and --{batch} exclude each other")
    kind = "scheduler" if scheduler else batch or "local"
    # Checked before any file is read: a usage error is said first, as Click's own are.
    cluster = ClusterOptions(kind, workers, threads, scheduler, queue, cores, memory, walltime, tuple(job_extra),
                             interface).checked()
    # The generated background's seed is the search's (known once the folder is read): see run_search.
    data = data.replace(genome=genome, background=background, shuffle_k=shuffle_k, background_ratio=background_ratio)
    # (--overwrite removed a --grid file named like one of these, once read)
    refuse_inputs_written(search_dir, [("--grid", grid_file), *(("FASTA", path) for path in data.fasta),
                                       ("--genome", genome), ("--background", data.background_file)], SEARCH_FILES)
    config = SearchConfig(data=data, search_dir=search_dir, grid=load_grid(grid_file), params=params, metric=metric,
                          folds=folds, split=split, seed=seed, overwrite=overwrite, max_trials=max_trials,
                          preset=preset)
    try:
        # SIGTERM and Ctrl-C start no more trials and cancel the running ones; finished ones stay.
        with stop_on_signals():
            result = run_search(config, cluster)
            say_if_finished_after_a_signal()
    except KeyboardInterrupt:
        raise click.ClickException(f"search interrupted; run the same command again to continue it in "
                                   f"{search_dir}") from None
    echo_path(result.summary)


def _background_rules(background) -> tuple:
    """:func:`refuse_unused` rules of ``--shuffle-k`` and ``--background-ratio``: a generated background's."""
    from ..data.options import GENERATED_BACKGROUNDS

    return (("shuffle_k", background == "shuffle", "--background shuffle"),
            ("background_ratio", background in GENERATED_BACKGROUNDS,
             "a generated background (--background shuffle or genomic)"))
