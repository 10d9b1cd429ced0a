"""``python -m motifnet.cli``: the same as the ``motifnet`` command."""

from .main import run

run()
