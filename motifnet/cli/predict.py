"""``motifnet predict``: class probabilities or target values for new records."""

from __future__ import annotations

import logging

import click

from .._signals import stopping_on_signals
from .options import (
    batch_size_option,
    features_option,
    genome_option,
    logging_options,
    parse_tracks,
    refuse_input_as_output,
    standard_output_dash,
    track_option,
    warn_if_csv,
)

log = logging.getLogger("motifnet")


@click.command()
@click.argument("run_dir")
@click.argument("fasta", nargs=-1, required=True)
@click.option("-o", "--output", callback=standard_output_dash,
              help="TSV file to write; - for standard output. [default: standard output]")
@batch_size_option("Records per forward pass (memory stays bounded by it).")
@features_option("Per-sequence features, one file per FASTA file, if the model was trained with them.")
@track_option("Position-wise tracks, if the model was trained with them.")
@genome_option("Genome FASTA (plain or bgzip, indexed) of BED inputs: each BED line is predicted as the window of "
               "the model's length around its summit or centre; the table gains chrom, start and end columns.")
@stopping_on_signals  # stops before the next batch: rows on standard output are whole chunks, -o is not written
@logging_options
def predict(run_dir, fasta, output, batch_size, feature_files, tracks, genome):
    """Predict class probabilities (or target values) for the records of FASTA files.

    Writes a tab-separated table: 'id', then one column per class (regression models: per
    target, in the target's units), one row per record.
    """
    from .._io import atomic_path, standard_output, text_output
    from ..run.predict import PredictConfig, write_predictions
    from ..run.rundir import open_run

    warn_if_csv(output)
    track_list = parse_tracks(tracks)
    inputs = [*fasta, genome, *feature_files, *(path for _, paths in track_list for path in paths)]
    refuse_input_as_output(output, inputs, run_dir, file_output=True)
    run = open_run(run_dir)
    run.check_model()
    config = PredictConfig(list(fasta), batch_size, features=list(feature_files), tracks=track_list, genome=genome)
    if output:
        with atomic_path(output) as tmp, text_output(tmp, output) as handle:
            count = write_predictions(run, config, handle)
    else:
        with standard_output() as stdout:
            count = write_predictions(run, config, stdout)
    log.info("predicted %s record(s)%s", f"{count:,}", f"; wrote {output}" if output else "")
