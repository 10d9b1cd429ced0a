"""The grid of a search: its file, its checks, and its trials (every combination, each with a stable id and seed)."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
from dataclasses import dataclass

from ..errors import ParamError
from ..model.params import SPECS, _unknown, convert_value, load_json_file, to_json
from ..run.search_folder import format_value

log = logging.getLogger("motifnet")


def load_grid(path) -> dict:
    """Read a grid file: a JSON object mapping parameter names to lists of values to try.

    Values are those of ``--param``; per-layer tuples are JSON lists inside the list
    (``"neuron_num": [[300, 100], [100, 30]]``) or strings (``["300,100", "100,30"]``).

    Returns
    -------
    dict
        Parameter name -> list of converted values, in the file's order.

    Raises
    ------
    ParamError
        Missing or unreadable file, not a JSON object, an unknown parameter, a value that is
        not a non-empty list, a bad or repeated value. The message names the file.
    """
    return check_grid(load_json_file(path, "grid"), str(path))


def check_grid(grid, source: str = "the grid") -> dict:
    """Check and convert a grid (see :func:`load_grid`); ``source`` names it in messages."""
    example = '{"kernel_num": [10, 30], "neuron_num": [[300, 100], [100, 30]]}'
    if not isinstance(grid, dict):
        raise ParamError(f"{source}: expected a JSON object mapping parameter names to lists of values "
                         f"(e.g. {example}), received a {type(grid).__name__}")
    if not grid:
        raise ParamError(f"{source}: the grid is empty; give at least one parameter with a list of values "
                         f"(e.g. {example})")
    checked = {}
    for name, values in grid.items():
        if name not in SPECS:
            raise ParamError(f"{source}: {_unknown(name)}")
        if not isinstance(values, list):
            raise ParamError(f"{source}: parameter {name} needs a list of values to try (e.g. [{values!r}]), "
                             f"received: {values!r}")
        if not values:
            raise ParamError(f"{source}: parameter {name} has an empty list of values; give at least one")
        converted = []
        for value in values:
            try:
                value = convert_value(name, value)
            except ParamError as error:
                raise ParamError(f"{source}: {error}") from None
            if value in converted:
                raise ParamError(f"{source}: parameter {name} lists the value {format_value(value)} twice")
            converted.append(value)
        checked[name] = converted
    return checked


#: Default of :attr:`SearchConfig.max_trials` (``--max-trials``): larger grids are refused unless confirmed.
MAX_TRIALS = 10_000
#: The largest grid motifnet searches, confirmed or not: its trials are held in memory (about 1 KB each) before
#: the first runs, and at a second of training each it would run for more than a day.
TRIAL_LIMIT = 100_000


def grid_size(grid: dict) -> int:
    """The number of trials of ``grid`` (name -> values): the product of its list lengths, without expanding it."""
    return math.prod(len(values) for values in grid.values())


def check_grid_size(grid: dict, max_trials: int = MAX_TRIALS) -> int:
    """Refuse a grid of more than ``max_trials`` trials; return its number of trials.

    Raises
    ------
    ParamError
        The grid is larger: its size per parameter and how to confirm it are named.
    """
    size = grid_size(grid)
    if size > TRIAL_LIMIT:
        sizes = " x ".join(f"{len(values)} {name}" for name, values in grid.items())
        raise ParamError(f"--grid: {size:,} trials ({sizes}) is more than motifnet searches ({TRIAL_LIMIT:,}, "
                         "memory and time); use fewer values, or split the grid into searches of their own")
    if size > max_trials:
        sizes = " x ".join(f"{len(values)} {name}" for name, values in grid.items())
        raise ParamError(f"--grid: {size:,} trials ({sizes}) is more than --max-trials {max_trials:,}; use fewer "
                         f"values, or confirm with --max-trials {size}")
    return size


def canonical_json(params: dict) -> str:
    """Parameters as JSON text with sorted keys and no spaces: one text for one set of values."""
    return json.dumps(to_json(params), sort_keys=True, separators=(",", ":"))


def trial_id(params: dict) -> str:
    """A stable id of a trial's parameters (12 hex digits of the SHA-256 of their canonical JSON)."""
    return hashlib.sha256(canonical_json(params).encode()).hexdigest()[:12]


def trial_seed(seed: int, params: dict) -> int:
    """The trial's seed: derived from the search seed and the parameters, not from scheduling order."""
    digest = hashlib.sha256(f"{seed}\n{canonical_json(params)}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


@dataclass(frozen=True)
class Trial:
    """One combination of the grid.

    Attributes
    ----------
    number : int
        1-based position in the expansion (the grid's order, last parameter fastest).
    id : str
    params : dict
        Fixed parameters and this combination's values (converted; tuples for per-layer values).
    values : dict
        The grid's parameters only.
    seed : int
    """

    number: int
    id: str
    params: dict
    values: dict
    seed: int


def expand_grid(grid: dict, fixed: dict, seed: int) -> list:
    """Every combination of ``grid`` (name -> values) joined with the ``fixed`` parameters.

    A parameter in both takes the grid's values (so a parameter file can serve as the base).
    """
    overridden = sorted(set(grid) & set(fixed))
    if overridden:
        log.info("the grid's values replace %s of --param/--params", ", ".join(overridden))
    base = {name: value for name, value in fixed.items() if name not in grid}
    names = list(grid)
    trials = []
    for number, combination in enumerate(itertools.product(*(grid[name] for name in names)), start=1):
        values = dict(zip(names, combination))
        params = {**base, **values}
        trials.append(Trial(number, trial_id(params), params, values, trial_seed(seed, params)))
    return trials


def describe_trial(trial: Trial) -> str:
    return " ".join(f"{name}={format_value(value)}" for name, value in trial.values.items())
