"""Motif commands: ``motifnet compare`` (a motif file matched with known motifs) and ``motifnet motifs``
(TF-MoDISco patterns from attributions)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .._signals import stopping_on_signals
from .._validate import check_output_folder
from ..motifs.modisco import ModiscoConfig
from .options import (
    SEED,
    IntRange,
    echo_path,
    echo_result,
    folder_output,
    genome_option,
    logging_options,
    matching_options,
    matching_rules,
    parse_formats,
    parse_tax_groups,
    refuse_input_as_output,
    refuse_inputs_written,
    refuse_unused,
    selection_options,
    standard_output_dash,
    tax_group_option,
    warn_if_csv,
)

log = logging.getLogger("motifnet")


@click.command()
@click.argument("query", metavar="QUERY")
@click.option("--db", "database", default="jaspar", show_default=True, metavar="jaspar|FILE",
              help="Target motifs: JASPAR (bundled with pyjaspar, latest versions) or a motif file (- for standard "
                   "input).")
@click.option("--collection", default="CORE", show_default=True, help="JASPAR collection.")
@tax_group_option("JASPAR taxonomic group(s), e.g. vertebrates, plants, insects. [default: all]")
@click.option("--top", type=int, default=5, show_default=True, metavar="N",
              help="Matches per query motif (at least 1).")
@click.option("-o", "--output", metavar="FILE.tsv", callback=standard_output_dash,
              help="TSV file to write; - for standard output. [default: standard output]")
@logging_options(tensorflow=False, device=False)
def compare(query, database, collection, tax_group, top, output):
    """Match the motifs of a motif file (- for standard input) with known motifs (TOMTOM).

    QUERY and a --db FILE are motif files in MEME, JASPAR, TRANSFAC or HOMER format
    (told apart by their text; JASPAR and TRANSFAC counts over A C G T or U). Writes
    MEME's tomtom.tsv columns (Query_ID, Target_ID, Optimal_offset, p-value, E-value,
    q-value, Overlap, Query_consensus, Target_consensus, Orientation) and Target_name:
    the best matches of each query, smallest p-value first.
    """
    from .._io import write_text
    from ..motifs.jaspar import is_jaspar
    from ..motifs.matching import compare_file

    refuse_unused(("collection", is_jaspar(database), "JASPAR only (--db jaspar)"))
    refuse_input_as_output(output, [query, database], file_output=True)
    warn_if_csv(output)
    if query == "-" and database == "-":
        raise click.UsageError("QUERY and --db cannot both be - (standard input): give one of them as a file")
    text = compare_file(query, database, collection, parse_tax_groups(tax_group), top)
    if output:
        write_text(output, text)
        log.info("wrote %s", output)
    else:
        echo_result(text, nl=False)


# The defaults --help shows are the library's.
_MODISCO = ModiscoConfig()

_MOTIFS_EPILOG = """\b
Hypothetical contributions (what every letter would contribute at each position; TF-MoDISco
clusters seqlets by them), for the logit of each class in turn:
  deeplift              DeepLIFT's multipliers m against each reference r:
                        m[letter] - sum(m * r), averaged over the references (DeepSHAP's
                        rule). Default, with --baseline shuffle (--shuffles 10).
  integrated-gradients  the same with m the mean gradient on the path from each reference.
  saliency              the gradient, mean-centred over the letters at each position.
  ism                   the logit change of every substitution, mean-centred.
\b
Outputs in OUT_DIR: patterns.meme (positive patterns by seqlet count, then negative ones;
trimmed probability matrices), patterns.tsv, seqlets.tsv, pattern_N.png (CWM and PFM logos),
with matching pattern_matches.tsv and match_pattern_N.png (q < 0.05); --formats writes
patterns.jaspar, .transfac, .homer instead, or as well when it lists meme (scan and
marginalize read patterns.meme); patterns.json, what the report shows. If OUT_DIR or its
parent holds the summary.html of visualize-kernels, its patterns section is updated.
DNA and RNA sequence models only."""


@click.command("motifs", epilog=_MOTIFS_EPILOG)
@click.argument("run_dir")
@click.argument("fasta_files", nargs=-1, metavar="[FASTA|BED]...")
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for motifs and logos.")
@click.option("--method", default="deeplift", show_default=True,
              type=click.Choice(["deeplift", "integrated-gradients", "saliency", "ism"]),
              help="How hypothetical contributions are computed (see below).")
@click.option("--target", metavar="CLASS",
              help="Only this class (name or 0-based index). [default: every class in turn]")
@click.option("--baseline", type=click.Choice(["zeros", "uniform", "shuffle"]),
              help="References of deeplift and integrated-gradients. [default: shuffle]")
@click.option("--shuffles", type=int, help="--baseline shuffle: references per sequence, at most 1000. [default: 10]")
@click.option("--steps", type=int, help="integrated-gradients: points on the path, at most 10000. [default: 50]")
@click.option("--seed", type=SEED, default=0, show_default=True,
              help="Seed of the shuffles and of the order in which TF-MoDISco gets the records (it clusters the "
                   "first --max-seqlets seqlets it finds).")
@click.option("--max-seqlets", type=IntRange(min=2), default=_MODISCO.max_seqlets, show_default=True,
              help="Seqlets per metacluster (sign) that TF-MoDISco clusters (memory; at least 2, which it needs to "
                   "cluster); raise it on a machine with many cores (modisco-lite's own default is 20000).")
@click.option("--window", type=IntRange(min=1), default=_MODISCO.window, show_default=True,
              help="Sliding window that finds seqlets.")
@click.option("--flank", type=IntRange(min=1), default=_MODISCO.flank, show_default=True,
              help="Columns added on each side of a seqlet.")
@click.option("--min-seqlets", type=IntRange(min=1), default=_MODISCO.min_seqlets, show_default=True,
              help="Seqlets a pattern needs to be kept.")
@click.option("--min-metacluster-size", type=IntRange(min=1), default=_MODISCO.min_metacluster,
              show_default=True,
              help="Seqlets a metacluster (sign) needs to be clustered at all.")
@click.option("--fdr", type=float, default=_MODISCO.fdr, show_default=True,
              help="Target false discovery rate of seqlets.")
@click.option("--leiden-runs", type=IntRange(min=1), default=_MODISCO.leiden_runs, show_default=True,
              help="Leiden clusterings per round (the best is kept).")
@click.option("--trim-fraction", type=float, default=_MODISCO.trim_fraction, show_default=True,
              help="Exported matrices keep the columns from the first to the last whose contribution reaches "
                   "this fraction of the largest.")
@matching_options("patterns")
@click.option("--formats", default="meme", show_default=True, metavar="meme,jaspar,transfac,homer",
              help="Motif file formats to write, comma-separated (patterns.meme, .jaspar, .transfac, .homer): "
                   "those alone; list meme to keep patterns.meme.")
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs (.bed, .narrowPeak, .broadPeak): each BED "
               "line is the window of the model's length around its summit or centre; seqlets.tsv then gives genome "
               "coordinates.")
@selection_options
@stopping_on_signals  # stops between batches
@logging_options
def motifs_command(run_dir, fasta_files, out_dir, method, target, baseline, shuffles, steps, seed, max_seqlets,
                   window, flank, min_seqlets, min_metacluster_size, fdr, leiden_runs, trim_fraction, motif_db,
                   tax_group, no_match, formats, genome, group, fasta, multi_label, batch_size):
    """Motifs that drive the predictions: TF-MoDISco patterns in the contributions (modisco-lite).

    For every class (or --target): hypothetical contributions of every record to the class's
    logit, then TF-MoDISco: seqlets, metaclusters by sign, patterns. Each pattern is written
    as its trimmed probability matrix, drawn as CWM and PFM logos and matched with known
    motifs. Data: the run's test split (--group), new labelled --fasta files, or plain FASTA
    files given after RUN_DIR (no labels needed); BED files in either place with --genome.
    """
    from ..interpret.attribution import AttributionConfig
    from ..interpret.hypothetical import check_hypothetical_config
    from ..motifs.matching import MotifOptions
    from ..workflows.patterns import MOTIFS_FILES, check_motifs_options, motifs_figure, motifs_run
    from .interpret import open_with_data, open_with_unlabelled

    attribution = check_hypothetical_config(AttributionConfig(method, target, baseline, steps, shuffles, seed,
                                                              batch_size))
    modisco = ModiscoConfig(max_seqlets, window, flank, min_seqlets, min_metacluster_size, fdr, leiden_runs,
                            trim_fraction)
    refuse_unused(*matching_rules(no_match))
    options = MotifOptions(match=not no_match, database=motif_db, tax_group=parse_tax_groups(tax_group),
                           formats=parse_formats(formats))
    refuse_input_as_output(out_dir, (*fasta, *fasta_files, genome), run_dir)
    check_output_folder(out_dir)
    refuse_inputs_written(out_dir, [("--motif-db", motif_db), ("--genome", genome),
                                    *(("--fasta", path) for path in fasta), *(("input", path) for path in fasta_files)],
                          MOTIFS_FILES, run_dir, numbered=motifs_figure)

    checked = {}

    def check_options(run):  # before reading any data: a typo in --target was told after the whole input was read
        checked["database"] = check_motifs_options(run, attribution, modisco, options)  # read once: it may be a pipe

    if fasta_files:
        run, dataset, label = open_with_unlabelled(run_dir, fasta_files, fasta, multi_label, genome, check_options)
    else:
        run, dataset, label = open_with_data(run_dir, group, fasta, multi_label, genome, check_options)
    motifs_run(run, dataset, out_dir, attribution, modisco, options, data_label=label, database=checked["database"])
    # the main file, which --formats may leave out: it printed patterns.meme, not written, to a script's $(...)
    written = options.formats or ("meme",)
    echo_path(Path(out_dir) / f"patterns.{'meme' if 'meme' in written else written[0]}")
