"""``motifnet compare``: the motifs of a MEME file matched with known motifs."""

from __future__ import annotations

import logging

import click

from .options import comma_list, logging_options, refuse_input_as_output

log = logging.getLogger("motifnet")


@click.command()
@click.argument("query", metavar="QUERY.meme")
@click.option("--db", "database", default="jaspar", show_default=True, metavar="jaspar|FILE.meme",
              help="Target motifs: JASPAR (bundled with pyjaspar, latest versions) or a MEME file.")
@click.option("--collection", default="CORE", show_default=True, help="JASPAR collection.")
@click.option("--tax-group", metavar="GROUP[,GROUP]",
              help="JASPAR taxonomic group(s), e.g. vertebrates, plants, insects. [default: all]")
@click.option("--top", type=int, default=5, show_default=True, help="Matches per query motif.")
@click.option("-o", "--output", metavar="FILE.tsv", help="TSV file to write. [default: standard output]")
@logging_options(tensorflow=False)
def compare(query, database, collection, tax_group, top, output):
    """Match the motifs of a MEME file with known motifs (TOMTOM).

    Writes MEME's tomtom.tsv columns (Query_ID, Target_ID, Optimal_offset, p-value,
    E-value, q-value, Overlap, Query_consensus, Target_consensus, Orientation) and
    Target_name: the best matches of each query, smallest p-value first.
    """
    from .._io import write_text
    from ..motifs.matching import compare_file

    refuse_input_as_output(output, [query, database])
    text = compare_file(query, database, collection, comma_list(tax_group), top)
    if output:
        write_text(output, text)
        log.info("wrote %s", output)
    else:
        click.echo(text, nl=False)
