"""``motifnet info``: what a run folder holds."""

from __future__ import annotations

import click

from .options import echo_result, logging_options


@click.command()
@click.argument("run_dir")
@logging_options
def info(run_dir):
    """Show a run folder: data, parameters, layers (names and nodes) and metrics."""
    from .._text import shown_text
    from ..run.info import describe_run
    from ..run.rundir import open_run

    # names from the input files: a bell or an escape sequence in one is shown, not sent to the terminal
    echo_result(shown_text(describe_run(open_run(run_dir))))
