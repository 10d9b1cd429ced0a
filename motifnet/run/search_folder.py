"""What a grid-search folder holds: the names of its files, shared by the search that writes them and
the reports that read them."""

from __future__ import annotations

RESULTS = "results.tsv"
SETTINGS = "search.json"
BEST = "best"
SUMMARY = "summary.html"
PLOT = "score_by_parameter.png"


def format_value(value) -> str:
    """A parameter value as on the command line (tuples comma-separated)."""
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
