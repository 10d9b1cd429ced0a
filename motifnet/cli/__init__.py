"""The ``motifnet`` command line: parses options, calls one library function per command."""

from .main import main

__all__ = ["main"]
