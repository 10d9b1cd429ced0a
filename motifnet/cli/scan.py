"""Motif sites and in-silico experiments: ``motifnet scan`` (FIMO hits and enrichment) and ``motifnet marginalize``
(what inserting or ablating a motif does to a run's predictions)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .._signals import stopping_on_signals
from .._validate import check_output_folder
from ..data.options import MAX_LENGTH
from .options import (
    SEED,
    IntRange,
    batch_size_option,
    echo_path,
    folder_output,
    genome_option,
    given,
    logging_options,
    refuse_input_as_output,
    refuse_inputs_written,
    refuse_unused,
    text_list,
)

log = logging.getLogger("motifnet")

_SCAN_EPILOG = """\b
Outputs in OUT_DIR:
  hits.tsv        motif, record, start (0-based), end, strand, score (log-odds against
                  the background, bits), p_value, q_value (Benjamini-Hochberg over
                  the motif's windows scanned), empirical_fdr (against
                  dinucleotide-shuffled copies), sequence (on the motif's strand;
                  U in RNA records), motif_alt_id (the motif's name beside its ID,
                  as FIMO's); with --genome: chrom in place of record, genome
                  positions and strands, and a column window
                  (chrom:start-end(strand)) before motif_alt_id
  hits.bed        record (chrom), start, end, motif, score, strand
  enrichment.tsv  per motif and class (FASTA file): records with a hit, fraction,
                  odds ratio against the other classes, Fisher p (one-sided:
                  enrichment), BH q, motif_alt_id
  enrichment.png  log2 odds ratio, motif x class (two classes or more)
  scan.json       what the report shows
Record ids must be distinct (hits.tsv names records by id). An earlier scan's
enrichment.png in OUT_DIR is removed once a scan of one class has written its files."""


@click.command("scan", epilog=_SCAN_EPILOG)
@click.argument("motifs", metavar="MOTIFS")
@click.argument("fasta_files", nargs=-1, required=True, metavar="FASTA|BED...")
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for hits and enrichment.")
@click.option("--threshold", type=float, default=1e-4, metavar="P", show_default=True,
              help="A hit's p-value is below P, a p-value in (0, 1] (as FIMO's --thresh).")
@click.option("--q-threshold", type=float, metavar="Q",
              help="Keep only hits with a q-value at most Q, in (0, 1], as well. [default: none]")
@click.option("--shuffles", type=IntRange(min=1, max=1000), default=1, show_default=True,
              help="Dinucleotide-shuffled copies of each record scanned for the empirical FDR (1 to 1000).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the shuffles.")
@click.option("--chunk-records", type=IntRange(min=1), default=10000, show_default=True,
              help="Records scanned at a time (memory).")
@click.option("--background", default="input", show_default=True, metavar="input|uniform|FILE",
              help="Letter frequencies of the log-odds and p-values: the input's, uniform, or a MEME background "
                   "file ('A 0.3' lines); made strand-symmetric when both strands are scanned.")
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs (.bed, .narrowPeak, .broadPeak): each BED "
               "line is the window of --length around its summit or centre; hits are given in genome coordinates.")
@click.option("--length", type=IntRange(min=1, max=MAX_LENGTH), default=200, show_default=True,
              help="Window length of BED lines (--genome).")
@click.option("--strands", type=click.Choice(["auto", "both", "given"]), default="auto", show_default=True,
              help="Strands scanned: both, or the records' own (FIMO's --norc); auto: the given strand for RNA "
                   "motifs (ALPHABET= ACGU), both for DNA motifs.")
@click.option("--class-names", metavar="A,B,...",
              help="The classes' names, one per FASTA or BED file in their order (enrichment.tsv, the heat map). "
                   "[default: the file names]")
@stopping_on_signals  # stops between chunks
@logging_options(tensorflow=False, device=False)
def scan_command(motifs, fasta_files, out_dir, threshold, q_threshold, shuffles, seed, chunk_records, background,
                 genome, length, strands, class_names):
    """Find the sites of motifs in FASTA files (FIMO through memelite) and their enrichment per class.

    MOTIFS is a motif file in MEME, JASPAR, TRANSFAC or HOMER format (motifs_distinct.meme
    of visualize-kernels, patterns.meme of motifs, a JASPAR download, a HOMER library;
    - reads standard input) or a report folder (its motifs_distinct.meme, else
    patterns.meme). Each FASTA file is
    one class, named after the file (or by --class-names); so is each BED file, read as windows of --genome. DNA
    and RNA motifs and sequences; U reads as T. DNA motifs are scanned on both strands, RNA
    motifs on the records' own strand (--strands).
    """
    from ..data.genome import check_genome_options, is_bed_path
    from ..motifs.scan import ScanConfig, motif_file
    from ..report.motif_sites import SCAN_SUMMARY
    from ..workflows.scan import SCAN_FILES, scan_to_folder

    # Only a --length the user gave is refused: its default is there for BED inputs and harms no FASTA scan.
    if given("length") and (genome is None or not any(is_bed_path(path) for path in fasta_files)):
        raise click.UsageError(
            f"--length {length} applies to BED inputs read on --genome (the window around each line); give "
            "--genome FILE.fa with BED inputs, or leave out --length" if genome is None else
            f"--length {length} applies to BED inputs (.bed, .narrowPeak, .broadPeak), and none of the inputs is "
            "one: FASTA records are scanned whole; leave out --length")
    if motifs == "-" and "-" in fasta_files:
        raise click.UsageError("MOTIFS and a FASTA file cannot both be - (standard input): give one of them as a file")
    names = text_list(class_names, "--class-names", "class names", "bound,unbound")
    config = ScanConfig(threshold, q_threshold, shuffles, seed, chunk_records, background, genome, length,
                        strands).checked()
    check_genome_options(genome, list(fasta_files), None)
    out = Path(out_dir)
    inputs = [("MOTIFS", None if motifs == "-" else motif_file(motifs)), *(("FASTA", path) for path in fasta_files),
              ("--genome", genome),
              ("--background", None if background in ("input", "uniform") else background)]
    refuse_input_as_output(out_dir, [path for _, path in inputs])
    refuse_inputs_written(out_dir, inputs, (*SCAN_FILES, SCAN_SUMMARY))
    check_output_folder(out_dir)
    scan_to_folder(motifs, list(fasta_files), out_dir, config, names)
    echo_path(out / "hits.tsv")


_MARGINALIZE_EPILOG = """\b
Outputs in OUT_DIR:
  effects.tsv      motif, class, mean_delta (inserted - background probability),
                   ci_low, ci_high (95% t-interval over the sequences), mean_logit_delta
  effects.png      mean_delta, motif x class (regression: in standard deviations of
                   each target, motif x target)
  pairs.tsv        --pairs: motif_a, motif_b, orientation (same/opposite), spacing,
                   class, mean_delta, expected_delta (sum of the single effects),
                   cooperativity; the same of the logits (single-label: each class's
                   logit against the others' mean; multi-label: log-odds)
  pair_NN_A_B.png  --pairs: logit cooperativity by spacing and orientation, one panel
                   per class (NN: the pair's rank)
  ablation.tsv     --hits: motif, class, records, mean_delta (ablated - original),
                   ci_low, ci_high, mean_logit_delta
  marginalize.json what the report shows, and the files this run wrote
An earlier run's pairs.tsv, ablation.tsv and pair figures in OUT_DIR that this run
does not write again are removed once the new files are written."""


@click.command("marginalize", epilog=_MARGINALIZE_EPILOG)
@click.argument("run_dir")
@click.option("--motifs", "motif_path", required=True, metavar="MOTIFS",
              help="A motif file (MEME, JASPAR, TRANSFAC or HOMER; - for standard input), or a report folder "
                   "(its motifs_distinct.meme, else patterns.meme).")
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for the tables and figures.")
@click.option("-n", "n", type=IntRange(min=2), default=200, metavar="N", show_default=True,
              help="Background sequences: dinucleotide-shuffled records of the run's data.")
@click.option("--position", type=IntRange(min=0), metavar="P",
              help="0-based start of the inserted motif (the pair's first). [default: centred]")
@click.option("--sample", is_flag=True, help="Insert instances drawn from each matrix, not its consensus.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of backgrounds, shuffles and samples.")
@click.option("--pairs", type=IntRange(min=0), default=0, metavar="K", show_default=True,
              help="Pairs among the K motifs with the largest effect (K at least 2; 0: no pairs).")
@click.option("--max-spacing", type=IntRange(min=0), default=20, metavar="S", show_default=True,
              help="Pairs at spacings 0 to S (positions between the motifs).")
@click.option("--hits", metavar="hits.tsv",
              help="Ablate these sites (motifnet scan on the --fasta files: its hits.tsv or its folder).")
@click.option("--fasta", multiple=True, metavar="FILE",
              help="The FASTA file(s) the --hits were found in (only with --hits).")
@batch_size_option()
@stopping_on_signals  # stops between forward passes
@logging_options
def marginalize_command(run_dir, motif_path, out_dir, n, position, sample, seed, pairs, max_spacing, hits, fasta,
                        batch_size):
    """What a run's model makes of each motif: inserted into shuffled records, in pairs, or ablated.

    Each motif's consensus (or --sample instances) is inserted into N dinucleotide-shuffled
    records of the run's data, and the change of each class's probability and logit is
    averaged. DNA and RNA sequence models, and runs trained with --fold: each changed
    sequence (and each background) is folded again with the run's fold options before
    prediction. Structure given in the input, tracks and features are refused.
    """
    from ..interpret.marginalize import MarginalizeConfig
    from ..motifs.scan import motif_file
    from ..report.motif_sites import MARGINALIZE_SUMMARY
    from ..run.rundir import open_run
    from ..workflows.marginalize import HITS_NEED_FASTA, marginalize_to_folder, replaced_pair_figure

    refuse_unused(("max_spacing", bool(pairs), "pairs of motifs (--pairs N)"),
                  ("fasta", bool(hits), "the ablation of the sites of --hits (the backgrounds are the run's data)"))
    if hits and not fasta:
        raise click.UsageError(HITS_NEED_FASTA)
    config = MarginalizeConfig(n, position, sample, seed, pairs, max_spacing, batch_size).checked()
    if motif_path == "-" and "-" in (hits, *fasta):
        raise click.UsageError("--motifs and --hits or --fasta cannot both be - (standard input): give one of them "
                               "as a file")
    inputs = [("--motifs", None if motif_path == "-" else motif_file(motif_path)), ("--hits", hits),
              *(("--fasta", path) for path in fasta)]
    refuse_input_as_output(out_dir, [path for _, path in inputs], run_dir)
    refuse_inputs_written(out_dir, inputs, ("effects.tsv", "effects.png", "pairs.tsv", "ablation.tsv",
                                            MARGINALIZE_SUMMARY), run_dir,
                          numbered=replaced_pair_figure(out_dir))
    marginalize_to_folder(open_run(run_dir), motif_path, out_dir, config, hits, list(fasta))
    echo_path(Path(out_dir) / "effects.tsv")
