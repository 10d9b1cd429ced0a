"""``python -m motifnet``: the same as the ``motifnet`` command."""

from .cli.main import run

run()
