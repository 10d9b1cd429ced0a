"""``motifnet fold``: RNA secondary structure with ViennaRNA, in the formats ``train`` reads."""

from __future__ import annotations

import os
import shutil
import tempfile

import click

from .._io import standard_output
from .._signals import cleanup_if_ended, stopping_on_signals
from ..data.folding import MAX_SAMPLES
from .options import SEED, IntRange, given, logging_options, refuse_input_as_output


@click.command()
@click.argument("fasta")
@click.option("-o", "--output", required=True, metavar="OUT.fa",
              help="FASTA file to write (appears when complete); - for standard output (written once complete).")
@click.option("--format", "fold_format", type=click.Choice(["dotbracket", "context", "profile"]),
              default="dotbracket", show_default=True,
              help="MFE dot-bracket, structural contexts (FHIMST), or context probabilities (six rows F H I M S T).")
@click.option("--jobs", type=IntRange(min=1), metavar="N", help="Worker processes. [default: all cores]")
@click.option("--window", type=IntRange(min=1), metavar="W",
              help="Local folding for long sequences: windows of W bases (RNAplfold -W).")
@click.option("--span", type=IntRange(min=1), metavar="S",
              help="With --window: base pairs span at most S bases (RNAplfold -L). [default: W]")
@click.option("--samples", type=IntRange(1, MAX_SAMPLES), metavar="N",
              help="profile: structures sampled from the Boltzmann ensemble per record. [default: 1000]")
@click.option("--exact", is_flag=True, help="profile: exact context probabilities instead of sampling.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the sampling.")
@stopping_on_signals  # stops between chunks; the output is not written
@logging_options(tensorflow=False, device=False)  # folding needs no model
def fold(fasta, output, fold_format, jobs, window, span, samples, exact, seed):
    """Predict RNA secondary structure with ViennaRNA, in the formats train reads.

    FASTA holds plain sequence records (RNA; DNA is folded with T read as U). Records are
    written in input order: header (with mfe=E after the id), sequence, then the structure.
    Train on the output with --structure-alphabet "()." (dotbracket), --structure-alphabet
    FHIMST (context) or --structure-alphabet FHIMST --structure-pwm (profile).
    """
    from ..data.folding import FoldOptions, fold_file

    if output != "-":
        refuse_input_as_output(output, [fasta], file_output=True)
    options = FoldOptions(fold_format, window=window, span=span, samples=samples, exact=exact, seed=seed, jobs=jobs)
    if given("seed") and not options.sampled:
        raise click.UsageError(f"--seed {seed} applies to sampled profiles (--format profile without --exact or "
                               f"--window); {options.describe()} samples nothing: leave out --seed")
    if output != "-":
        fold_file(fasta, output, options, announce=True)
        return
    # Standard output: fold into a scratch file, then copy it, so that a stopped fold writes nothing there.
    with tempfile.TemporaryDirectory(prefix="motifnet-fold-") as folder, \
            cleanup_if_ended(lambda: shutil.rmtree(folder, ignore_errors=True)):
        scratch = os.path.join(folder, "folded.fa")
        fold_file(fasta, scratch, options, scratch=True, announce=True)
        with open(scratch, "rb") as handle, standard_output(binary=True) as stdout:
            shutil.copyfileobj(handle, stdout)
