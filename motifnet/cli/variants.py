"""``motifnet variants``: the effect of SNVs on a run's predictions."""

from __future__ import annotations

from pathlib import Path

import click

from .._signals import stopping_on_signals
from .options import (
    SEED,
    IntRange,
    batch_size_option,
    echo_path,
    folder_output,
    genome_option,
    logging_options,
    refuse_inputs_written,
)

_EPILOG = """\b
Outputs in OUT_DIR:
  variants.tsv   chrom, pos, id, ref, alt, then per class ref_CLASS, alt_CLASS,
                 delta_CLASS (alt - ref probability), logit_delta_CLASS, then
                 max_abs_delta and p_value (empirical, against --null random
                 substitutions in the same window); sorted by max_abs_delta
  variants.json  counts: SNVs scored, indels and mismatches skipped; settings;
                 the --top variants and their logos
  variant_RANK_CHROM-POS-REF-ALT.png
                 attribution logos (integrated gradients) of the reference
                 and alternative windows of the --top variants
When OUT_DIR is a report folder of visualize-kernels (or a subfolder of one), its
summary.html gains a section with the top variants and their logos.
A stopped or killed run keeps the scores of the SNVs done in
OUT_DIR/.variants.resume/: the same command continues from them."""


@click.command("variants", epilog=_EPILOG)
@click.argument("run_dir")
@click.option("--vcf", required=True, metavar="FILE.vcf[.gz]",
              help="The variants (plain, gzip or bgzip VCF; - reads standard input).")
@genome_option("Genome FASTA (plain or bgzip, indexed) the VCF's coordinates refer to.", required=True)
@click.option("-o", "--output", "out_dir", required=True, callback=folder_output,
              metavar="OUT_DIR", help="Folder for variants.tsv.")
@click.option("--offset", type=IntRange(min=0), metavar="N",
              help="0-based position of the variant in its window. [default: the centre, length // 2]")
@click.option("--null", type=IntRange(min=0), default=100, show_default=True, metavar="N",
              help="Random substitutions in each window for the empirical p-value (0: none; at most 100,000).")
@click.option("--skip-mismatches", is_flag=True, help="Skip (and count) variants whose REF disagrees with the genome.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the null substitutions.")
@click.option("--top", type=IntRange(min=0), default=10, show_default=True, metavar="N",
              help="Draw attribution logos of the reference and alternative windows of the N variants with the "
                   "largest |delta| (0: none).")
@batch_size_option()
@stopping_on_signals  # between batches of windows (scores kept in OUT_DIR/.variants.resume) or of logos
@logging_options
def variants_command(run_dir, vcf, genome, out_dir, offset, null, skip_mismatches, seed, top, batch_size):
    """Score the SNVs of a VCF file: a run's predictions for the reference and alternative windows.

    Each SNV's window (the model's length) is read from --genome with the variant at its
    centre (or --offset); indels and other non-SNV alleles are skipped and counted. DNA
    sequence models only (no structure, tracks or features).
    """
    from ..interpret.variants import VariantConfig
    from ..run.rundir import open_run
    from ..workflows.variants import SUMMARY_FILE, VARIANTS_FILE, variant_logo, variants_to_folder

    refuse_inputs_written(out_dir, [("--vcf", vcf), ("--genome", genome)], (VARIANTS_FILE, SUMMARY_FILE), run_dir,
                          numbered=variant_logo)
    config = VariantConfig(offset, null, seed, batch_size, skip_mismatches)
    variants_to_folder(open_run(run_dir), vcf, genome, out_dir, config, top)
    echo_path(Path(out_dir) / VARIANTS_FILE)
