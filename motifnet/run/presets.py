"""Which preset a training takes: preset auto decided by the input, and the network's parameters."""

from __future__ import annotations

import logging

import numpy as np

from ..data.centring import MAX_P, MIN_EFFECT, position_tests
from ..data.dataset import Dataset
from ..errors import ParamError, WindowTooShortError
from ..model.params import AUTO_PRESET, auto_preset, has_auto, network_params, resolve

log = logging.getLogger("motifnet")


def choose_preset(preset: str | None, overrides: dict, dataset: Dataset, records: np.ndarray | None,
                  pick: dict | None = None) -> tuple:
    """The preset to train with, its network's parameters, and for 'auto' (or None) why it was taken.

    Preset auto tests RNA input (:func:`motifnet.data.centring.position_tests` on ``records``) and
    takes :func:`motifnet.model.params.auto_preset`'s pick (:func:`pick_by_input`). ``centred`` gives
    way to ``motifnet`` when its network does not fit the windows or refuses ``overrides`` (one of
    motifnet's own, say position_bins) and motifnet's takes them (:func:`settle_pick`).

    Parameters
    ----------
    preset : str or None
        A preset name, or 'auto' (None: 'auto').
    overrides : dict
        ``--param`` values.
    dataset : motifnet.data.dataset.Dataset
    records : numpy.ndarray of int or None
        The records the test reads (training: the training split). None: all.
    pick : dict or None
        For 'auto': :func:`pick_by_input`'s pick for these records, made already (grid-search makes it
        once for all its trials), used instead of testing the records again. Default is None.

    Returns
    -------
    tuple
        ``(preset, params, choice)``: ``params`` as :func:`motifnet.model.params.network_params`
        gives them; ``choice`` is None for a named preset, else ``{"asked": "auto", "reason": text,
        "position_tests": [...]}``.

    Raises
    ------
    ParamError
        The preset refuses the parameters; for 'auto', the message says which preset it took and why.
    """
    letters, length = len(dataset.encoder.alphabet.letters), dataset.encoder.length
    if (preset or AUTO_PRESET) != AUTO_PRESET:
        params = network_params(overrides, preset, letters, length)
        _log_kernel_len(overrides, preset, params, letters)
        return preset, params, None
    chosen, params, choice = settle_pick(pick or pick_by_input(dataset, records), overrides, letters, length)
    log.info("preset auto: %s, for %s", chosen, choice["reason"])
    _log_kernel_len(overrides, chosen, params, letters)
    return chosen, params, choice


def pick_by_input(dataset: Dataset, records: np.ndarray | None) -> dict:
    """Preset auto's pick by the input alone: ``{"asked": "auto", "preset": name, "reason": text,
    "position_tests": [...]}`` (RNA input is tested on ``records``; other input is not)."""
    alphabet = dataset.encoder.alphabet
    tests = []
    if set(alphabet.letters) != set("ACGU"):
        chosen = auto_preset(False, False)
        kind = alphabet.name.upper() if alphabet.name in ("dna", "rna") else f"{alphabet.name} alphabet"
        why = f"{kind} input (auto takes {auto_preset(True, True)} for RNA windows only)"
    else:
        tests = position_tests(dataset, records)
        centred = any(test.positional for test in tests)
        chosen = auto_preset(True, centred)
        shown = max(tests, key=lambda test: round(test.effect, 9))  # the first of equals (two classes: one test)
        # The threshold is said where no class met it: a p-value of 0.02 beside "no class differs" read as a slip.
        rule = "" if centred else f"; a class differs where p < {MAX_P:g} and effect >= {MIN_EFFECT:g}"
        why = (f"RNA windows in which {'a class differs' if centred else 'no class differs'} from the other "
               f"records by position ({shown.describe()}{rule})")
    return {"asked": AUTO_PRESET, "preset": chosen, "reason": why,
            "position_tests": [{"group": test.group, "records": test.records, "g_squared": test.statistic,
                                "df": test.dof, "p_value": test.p_value, "effect": test.effect,
                                "positional": test.positional} for test in tests]}


def settle_pick(pick: dict, overrides: dict, letters: int, length: int) -> tuple:
    """The preset of :func:`pick_by_input`'s ``pick`` that takes ``overrides`` on windows of ``length``.

    ``centred`` gives way to ``motifnet`` where its network does not fit the windows, and where it
    refuses ``overrides`` that motifnet's takes.

    Returns
    -------
    tuple
        ``(preset, params, choice)``: ``choice`` is ``pick`` without its ``preset``, the reason
        extended by why the pick gave way.

    Raises
    ------
    ParamError
        Neither takes the values; the message says which preset auto took and why.
    """
    chosen, why = pick["preset"], pick["reason"]
    params = refused = None
    try:
        params = network_params(overrides, chosen, letters, length)
    except ParamError as error:
        refused = error
    if refused is not None and chosen != auto_preset(False, False):
        fallback = None
        try:
            params = network_params(overrides, auto_preset(False, False), letters, length)
        except ParamError as error:
            fallback = error
        if fallback is None or isinstance(refused, WindowTooShortError):
            # motifnet takes over where it accepts the values, and where centred's network is too deep for the
            # windows (then motifnet's own refusal, if any, is the one to fix). Else the error is the one of the
            # preset the input called for.
            why += (f", but {chosen}'s network does not fit windows of {length}"
                    if isinstance(refused, WindowTooShortError)
                    else f", but {chosen} does not take {refused_overrides(overrides, chosen)}")
            chosen, refused = auto_preset(False, False), fallback
    if refused is not None:
        # Another preset is no way out of windows too short: every other network is deeper than motifnet's.
        advice = "" if isinstance(refused, WindowTooShortError) else "; --preset names another"
        raise type(refused)(f"{refused} (preset auto took {chosen} for {why}{advice})") from None
    choice = {key: value for key, value in pick.items() if key != "preset"}
    return chosen, params, {**choice, "reason": why}


def refused_overrides(overrides: dict, preset: str) -> str:
    """The ``--param`` values that ``preset`` refuses (``--param position_bins=4``): those without which it
    takes the rest; all of them where no single one is to blame."""
    def accepted(kept):
        try:
            resolve(kept, preset)
        except ParamError:
            return False
        return True

    names = [name for name in overrides if accepted({key: value for key, value in overrides.items() if key != name})]
    return " ".join(f"--param {name}={param_text(overrides[name])}" for name in names or overrides)


def param_text(value) -> str:
    """A saved parameter value as ``--param`` reads it (lists comma-separated)."""
    return ",".join(str(item) for item in value) if isinstance(value, list) else str(value)


def _log_kernel_len(overrides: dict, preset: str, params: dict, letters: int) -> None:
    if has_auto(resolve(overrides, preset)["kernel_len"]):
        log.info("kernel_len auto: kernels of %s for an alphabet of %d letters", params["kernel_len"], letters)
