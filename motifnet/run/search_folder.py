"""What a grid-search folder holds: the names of its files and the one reader of ``search.json``, shared
by the search that writes them and the reports that read them."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = "results.tsv"
SETTINGS = "search.json"
BEST = "best"
SUMMARY = "summary.html"
PLOT = "score_by_parameter.png"
#: The files a search writes in its folder, besides the run folder ``best/``.
SEARCH_FILES = (SETTINGS, RESULTS, SUMMARY, PLOT)

# results.tsv: these columns, with the grid's parameters between them.
LEADING_COLUMNS = ("trial", "status", "score", "fold_scores", "epochs", "best_epoch", "seconds", "attempts", "seed")
TRAILING_COLUMNS = ("params", "error", "preset")


def read_search_state(folder) -> dict:
    """The content of a search folder's ``search.json``: ``settings``, ``status`` and the ``best`` trial.

    Parameters
    ----------
    folder : str or pathlib.Path
        The search folder.

    Returns
    -------
    dict

    Raises
    ------
    OSError
        The file is missing or unreadable.
    ValueError
        It is not JSON, or not a JSON object with ``settings``.
    """
    state = json.loads((Path(folder) / SETTINGS).read_text(encoding="utf-8"))
    if not isinstance(state, dict) or not isinstance(state.get("settings"), dict):
        raise ValueError(f"{Path(folder) / SETTINGS}: not the settings file of a motifnet search")
    return state


def format_value(value) -> str:
    """A parameter value as on the command line (tuples comma-separated)."""
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def grid_column(name: str) -> str:
    """The ``results.tsv`` column of grid parameter ``name``: ``param_NAME`` where a result column has that name.

    A grid over ``epochs`` or ``seed`` would otherwise share the column of the epochs trained or of
    the trial's seed, and one value would overwrite the other.
    """
    return f"param_{name}" if name in LEADING_COLUMNS or name in TRAILING_COLUMNS else name
