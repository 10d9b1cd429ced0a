"""What a trained network learned: ``activations``, ``visualize-kernels``, ``cluster``, ``optimize-inputs``,
``attribute``."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .._signals import stopping_on_signals
from .._validate import check_output_folder
from .options import (
    SEED,
    IntRange,
    echo_path,
    folder_output,
    genome_option,
    given,
    int_list,
    logging_options,
    matching_options,
    matching_rules,
    parse_formats,
    parse_kernels,
    parse_tax_groups,
    refuse_input_as_output,
    refuse_inputs_written,
    refuse_unused,
    selection_options,
    text_list,
)

log = logging.getLogger("motifnet")


def open_with_data(run_dir, group: str, fasta, multi_label: bool, genome=None, check_run=None) -> tuple:
    """The run, the records of :func:`selection_options` it is looked at with, and how to name them.

    ``genome``: the genome of BED files among ``fasta`` (``--genome``). ``check_run``: called with
    the opened run before its data are read, to refuse options that do not fit it (``--target``).

    Returns
    -------
    (Run, Dataset, str)
    """
    from ..errors import OptionValueError
    from ..run.rundir import open_run
    from ..run.selection import select_data

    if fasta and given("group"):
        raise OptionValueError(f"--group {group} chooses a split of the run's data and --fasta gives new data "
                               "instead; give one or the other")
    run = open_run(run_dir)
    run.check_model()  # before the data is read and counted: every command here runs the model
    if check_run is not None:
        check_run(run)
    dataset = select_data(run, group, list(fasta), multi_label, genome=genome)
    label = _files_label(fasta) if fasta else f"{group} split" if group != "all" else "all data"
    log.info("looking at %d sequences (%s)", len(dataset), label)
    return run, dataset, label


#: Input files named in a data label (the report's "kernels shown for"); more are counted.
_NAMED_FILES = 3


def _files_label(files, adjective: str = "") -> str:
    """``FASTA file a.fa``, ``FASTA files a.fa, b.fa`` or ``5 FASTA files (a.fa, b.fa, c.fa, ...)``: which data."""
    from ..data.fasta import display_name

    files = [display_name(path) for path in files]
    kind = f"{adjective}{_kind(files)} file{'s' if len(files) > 1 else ''}"
    if len(files) <= _NAMED_FILES:
        return f"{kind} {', '.join(files)}"
    return f"{len(files)} {kind} ({', '.join(files[:_NAMED_FILES])}, ...)"


def _kind(files) -> str:
    """How messages name input files: FASTA, BED, or both."""
    from ..data.genome import is_bed_path

    bed = [is_bed_path(path) for path in files]
    return "BED" if all(bed) else "BED/FASTA" if any(bed) else "FASTA"


#: ``--genome`` of the interpretation commands.
_GENOME_HELP = ("Genome FASTA (plain or bgzip, indexed) of BED inputs (.bed, .narrowPeak, .broadPeak): each BED "
                "line is the window of the model's length around its summit or centre, named chrom:start-end(strand); "
                "positions in the outputs are then also given in genome coordinates.")


def open_with_unlabelled(run_dir, files, fasta, multi_label: bool, genome=None, check_run=None) -> tuple:
    """The run and the plain FASTA (or BED with ``genome``) ``files`` (no labels, see
    :func:`motifnet.run.unlabelled.read_unlabelled`); ``check_run`` as in :func:`open_with_data`.

    Returns
    -------
    (Run, Dataset, str)

    Raises
    ------
    ParamError
        ``--fasta``, ``--multi-label`` or an explicit ``--group`` given with the files as well.
    """
    from ..errors import OptionValueError
    from ..run.rundir import open_run
    from ..run.unlabelled import read_unlabelled

    if fasta or multi_label or given("group"):
        raise OptionValueError("FASTA arguments (plain, unlabelled) and --fasta/--multi-label/--group exclude each "
                               "other; give one or the other")
    run = open_run(run_dir)
    run.check_model()  # before the data is read and counted: every command here runs the model
    if check_run is not None:
        check_run(run)
    dataset = read_unlabelled(run, list(files), genome=genome)
    label = _files_label(files, "unlabelled ")
    log.info("looking at %d sequences (%s)", len(dataset), label)
    return run, dataset, label


@click.command()
@click.argument("run_dir")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Output file: FILE.npz (arrays), FILE.tsv (a tab-separated table) or FILE.tsv.gz (the table, "
                   "gzip-compressed), or - for the table on standard output; other endings are refused.")
@selection_options
@genome_option(_GENOME_HELP)
@stopping_on_signals  # stops between batches; the output is not written
@logging_options
def activations(run_dir, output, group, fasta, multi_label, batch_size, genome):
    """Maximum activation and its position for every sequence and first-layer kernel.

    Positions are 0-based starts of the kernel's window in the sequence. BED input (--fasta
    peaks.bed --genome genome.fa) adds chrom, strand and each maximum's 0-based genome start.
    A model that reads both strands (DNA's default) is read on the forward strand here, as the
    kernel logos show it: an occurrence on the reverse strand alone is not its maximum.
    """
    from contextlib import nullcontext

    from .._io import standard_output
    from .._validate import check_suffix
    from ..interpret.activations import SAVE_SUFFIXES, max_activations

    to_stdout = output == "-"
    if not to_stdout:
        check_suffix(output, SAVE_SUFFIXES)
        refuse_input_as_output(output, (*fasta, genome), run_dir, file_output=True)
    with standard_output() if to_stdout else nullcontext() as stdout:  # a closed one is refused before the work
        run, dataset, _ = open_with_data(run_dir, group, fasta, multi_label, genome)
        result = max_activations(run, dataset, batch_size)
        if to_stdout:
            result.write_tsv(stdout)
        else:
            result.save(output)
    log.info("%s%d sequences x %d kernels", "" if to_stdout else f"wrote {output}: ", len(dataset), result.n_kernels)


@click.command("visualize-kernels")
@click.argument("run_dir")
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for plots and report.")
@click.option("--kernels", metavar="0,3,7", help="Kernels to show. [default: all]")
@matching_options("kernels")
@click.option("--trim-ic", type=float, default=0.3, show_default=True, metavar="BITS",
              help="Exported motifs keep the columns from the first to the last with this information content "
                   "(0: all).")
@click.option("--formats", default="meme", show_default=True, metavar="meme,jaspar,transfac,homer",
              help="Motif file formats to write, comma-separated (motifs.meme, motifs.jaspar, motifs.transfac, "
                   "motifs.homer): those alone; list meme to keep motifs.meme.")
@click.option("--target", metavar="NAME",
              help="Regression models: rank kernels by the correlation of their maximum activation with this "
                   "target (name or 0-based index). [default: each kernel's own, the target it correlates with "
                   "most strongly]")
@click.option("--top", "top_kernels", type=IntRange(min=1), metavar="N",
              help="Per-kernel plots for the N most important kernels only; tables and distinct motifs cover all. "
                   "[default: all]")
@click.option("--jobs", type=IntRange(min=1), metavar="N",
              help="Processes drawing the per-kernel plots. [default: all cores]")
@selection_options
@genome_option(_GENOME_HELP)
@stopping_on_signals  # stops between batches and kernels
@logging_options
def visualize_kernels_command(run_dir, out_dir, kernels, motif_db, tax_group, no_match, trim_ic, formats, target,
                              top_kernels, jobs, group, fasta, multi_label, batch_size, genome):
    """Motif logo, positions and activations of each first-layer kernel, and summary.html.

    Writes motif_kernel_N.png, position_kernel_N.png, activations_kernel_N.png (and
    additional_features_kernel_N.png with tracks), the motifs in the --formats (motifs.meme by default),
    kernels.tsv, distinct_motifs.tsv (kernels with the same motif grouped, ranked by influence: the rise of
    the loss when a group is silenced) with distinct_kernel_N.png, motifs_distinct.meme, the test curves
    (roc_curves.png, pr_curves.png, or the regression figures), report.json and summary.html; with matching
    also matches.tsv and match_kernel_N.png;
    with BED input (--fasta peaks.bed --genome genome.fa), or records named as genome windows
    (chrom:start-end(strand)), also kernel_sites.bed, the kernels' motif sites in genome coordinates.
    """
    from ..motifs.matching import MotifOptions
    from ..workflows.visualize import REPORT_FILES, check_report_folder, kernel_figure, visualize_kernels

    refuse_unused(*matching_rules(no_match))
    options = MotifOptions(match=not no_match, database=motif_db, tax_group=parse_tax_groups(tax_group),
                           trim_ic=trim_ic, formats=parse_formats(formats))
    kernel_list = parse_kernels(kernels)
    inputs = [*(("--fasta", path) for path in fasta), ("--genome", genome), ("--motif-db", motif_db)]
    refuse_input_as_output(out_dir, [path for _, path in inputs], run_dir)
    refuse_inputs_written(out_dir, inputs, REPORT_FILES, run_dir, numbered=kernel_figure)
    check_output_folder(out_dir)
    check_report_folder(out_dir)
    from ..interpret.kernels import check_target

    # before the records are read: a classifier's --target was refused only after them
    run, dataset, label = open_with_data(run_dir, group, fasta, multi_label, genome,
                                         lambda run: check_target(target, run.task, run.output_names))
    visualize_kernels(run, dataset, out_dir, kernel_list, batch_size, data_label=label, motif_options=options,
                      target=target, top=top_kernels, jobs=jobs)
    echo_path(Path(out_dir) / "summary.html")


@click.command()
@click.argument("run_dir")
@click.option("-o", "--output", required=True, metavar="FILE.png",
              help="Image of the clustered heat map: .png, .pdf or .svg.")
@click.option("--classes", metavar="0,3",
              help="Only sequences of these classes: class names or 0-based indices, comma-separated. [default: all]")
@click.option("--max-sequences", type=IntRange(min=2), default=2000, show_default=True,
              help="Cluster a seeded, class-stratified sample when there are more sequences (memory).")
@selection_options
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs (.bed, .narrowPeak, .broadPeak): each BED line "
               "is the window of the model's length around its summit or centre, named chrom:start-end(strand).")
@stopping_on_signals  # stops between batches; the output is not written
@logging_options
def cluster(run_dir, output, classes, max_sequences, group, fasta, multi_label, batch_size, genome):
    """Hierarchical clustering of sequences and kernels by maximum activation (one class per record).

    Ward linkage on Euclidean distances of the per-kernel standardised maximum activations,
    drawn as a clustered heat map with a class colour bar. Activations are those of the forward
    strand, as activations gives them, also for a model that reads both strands.
    """
    from .._validate import check_suffix
    from ..interpret.clustering import check_classes, cluster_sequences
    from ..plot.clustermap import plot_clustermap
    from ..plot.figures import FIGURE_SUFFIXES, save_figure

    check_suffix(output, FIGURE_SUFFIXES)
    refuse_input_as_output(output, (*fasta, genome), run_dir, file_output=True)
    class_list = text_list(classes, "--classes")
    run, dataset, _ = open_with_data(
        run_dir, group, fasta, multi_label, genome,
        check_run=lambda run: check_classes(class_list, run.class_names, run.task == "regression", "--classes"))
    result = cluster_sequences(run, dataset, class_list, max_sequences, batch_size=batch_size)
    if result.subsampled_from:
        log.info("clustering a class-stratified sample of %d of %d sequences (--max-sequences)",
                 len(result.row_order), result.subsampled_from)
    elif class_list:
        chosen = ", ".join(result.class_names[index] for index in sorted(set(result.row_classes.tolist())))
        log.info("clustering the %d sequences of %s (--classes)", len(result.row_order), chosen)
    save_figure(plot_clustermap(result).figure, output)
    log.info("wrote %s", output)


@click.command("optimize-inputs")
@click.argument("run_dir")
@click.option("--layer", required=True, metavar="NAME", help="Layer whose nodes to optimise (see motifnet info).")
@click.option("-o", "--output", required=True, metavar="FILE.png",
              help="Image with one logo row per node: .png, .pdf or .svg.")
@click.option("--nodes", metavar="0,1", help="Nodes of the layer. [default: all]")
@click.option("--bound", type=float, default=0.1, show_default=True,
              help="Random start uniform in [-bound, bound]; a node that does not respond starts again from 3 "
                   "and then 9 times wider.")
@click.option("--lr", type=float, default=0.02, show_default=True, help="Step size of the gradient ascent.")
@click.option("--steps", type=int, default=600, show_default=True, help="Gradient ascent steps, at most 100000.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the random start.")
@stopping_on_signals  # stops every 50 steps; the output is not written
@logging_options
def optimize_inputs_command(run_dir, layer, output, nodes, bound, lr, steps, seed):
    """Learn, for each node of a layer, the input that maximises its output (as logos).

    L2-penalised gradient ascent from a random start; one logo row (softmax over letters
    per position, in bits) per node. Best read as a view of how the network works: the
    kernel logos of visualize-kernels are the reliable motifs.
    """
    from .._validate import check_suffix
    from ..interpret.optimize import check_settings
    from ..plot.figures import FIGURE_SUFFIXES
    from ..run.rundir import open_run
    from ..workflows.optimize import optimize_for_run

    check_suffix(output, FIGURE_SUFFIXES)
    refuse_input_as_output(output, (), run_dir, file_output=True)
    check_settings(bound, lr, steps, prefix="--")
    node_list = int_list(nodes, "--nodes")
    optimize_for_run(open_run(run_dir), layer, node_list, output, bound, lr, steps, seed, prefix="--")
    log.info("wrote %s", output)


_ATTRIBUTE_EPILOG = """\b
Methods (all explain the target's logit, the input of the output layer's softmax/sigmoid;
for a regression model, its predicted value):
  saliency              |gradient| per position and letter. Local: a saturated unit (a
                        ReLU that is off, a motif already strong enough) has zero gradient
                        however much the letter matters. No sign, no baseline.
  grad-input            gradient x input: for one-hot input the observed letter's gradient.
                        Saturates like saliency.
  integrated-gradients  (input - baseline) x the gradient averaged on the straight path
                        from the baseline (--steps midpoints). Sums to logit(input) -
                        logit(baseline), closer with more steps.
  deeplift              DeepLIFT's rescale rule (ReLU or exp secants against the baseline's
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
highest probability of their target; regression: predicted value), attribution.json; if OUT_DIR or its parent holds the
summary.html of visualize-kernels, its attribution section is updated. BED input with --genome
and --bedgraph: attributions_<target>.bedGraph, the per-position scores in genome coordinates
(minus-strand windows mapped back base by base; bases of overlapping windows averaged)."""


@click.command(epilog=_ATTRIBUTE_EPILOG)
@click.argument("run_dir")
@click.argument("fasta_files", nargs=-1, metavar="[FASTA|BED]...")
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for arrays and logos.")
@click.option("--method", required=True,
              type=click.Choice(["saliency", "grad-input", "integrated-gradients", "deeplift", "ism"]),
              help="Attribution method (see below).")
@click.option("--target", metavar="CLASS",
              help="Class to explain: a class name or a 0-based index. [default: each sequence's predicted class]")
@click.option("--baseline", type=click.Choice(["zeros", "uniform", "shuffle"]),
              help="Reference input of integrated-gradients and deeplift. [default: zeros]")
@click.option("--steps", type=int, help="Integrated gradients: points on the path, at most 10000. [default: 50]")
@click.option("--shuffles", type=int,
              help="--baseline shuffle: shuffled references per sequence, at most 1000. [default: 10]")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the shuffles.")
@click.option("--top", type=IntRange(min=0), default=20, show_default=True,
              help="Draw logos of this many sequences (highest probability of their target; regression: highest "
                   "predicted value).")
@selection_options
@genome_option(_GENOME_HELP)
@click.option("--bedgraph", is_flag=True,
              help="BED input: also write attributions_<target>.bedGraph, the per-position scores in genome "
                   "coordinates, one file per target class.")
@stopping_on_signals  # stops between batches
@logging_options
def attribute(run_dir, fasta_files, out_dir, method, target, baseline, steps, shuffles, seed, top, group, fasta,
              multi_label, batch_size, genome, bedgraph):
    """Attribution maps: which positions and letters of each sequence drive the prediction.

    Computed through the whole network for the logit of the target class; see the methods
    and their caveats below. FASTA: plain files of new sequences, any number, no labels needed
    (instead of --group or --fasta); BED files with --genome likewise.
    """
    from ..interpret.attribution import AttributionConfig, resolve_target
    from ..report.attributions import SUMMARY
    from ..workflows.attribution import NPZ, attribute_run, attribution_figure

    config = AttributionConfig(method, target, baseline, steps, shuffles, seed, batch_size).checked()
    inputs = [*(("FASTA", path) for path in fasta_files), *(("--fasta", path) for path in fasta), ("--genome", genome)]
    refuse_input_as_output(out_dir, [path for _, path in inputs], run_dir)
    refuse_inputs_written(out_dir, inputs, (NPZ, SUMMARY), run_dir, numbered=attribution_figure)
    check_output_folder(out_dir)

    def check_target(run):
        resolve_target(config.target, run.output_names, run.task)

    if fasta_files:
        run, dataset, label = open_with_unlabelled(run_dir, fasta_files, fasta, multi_label, genome, check_target)
    else:
        run, dataset, label = open_with_data(run_dir, group, fasta, multi_label, genome, check_target)
    chrom_sizes = None
    genome_path = genome or ((run.meta["data"].get("origin") or {}).get("genome") or {}).get("path")
    if bedgraph and genome_path and Path(genome_path).is_file():
        from ..data.genome import Genome

        with Genome(genome_path) as opened:  # bedGraph lines stop at each chromosome's end
            chrom_sizes = dict(opened.lengths)
    attribute_run(run, dataset, out_dir, config, top, data_label=label, bedgraph=bedgraph, chrom_sizes=chrom_sizes)
    echo_path(Path(out_dir) / "attributions.npz")
