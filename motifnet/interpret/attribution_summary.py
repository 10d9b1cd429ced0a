"""The numbers ``motifnet attribute`` shows: labels, logo heights, ranked sequences, windows and checks.

Everything here is computed from :class:`motifnet.interpret.attribution.Attributions` and the
encoded records; the drawing is in :mod:`motifnet.plot.attribution` and the files are written by
:mod:`motifnet.workflows.attribution`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._text import short_text
from .attribution import AttributionConfig, strongest_windows

#: Sequences longer than this are drawn as a profile of the whole sequence and logos of a window.
MAX_LOGO_POSITIONS = 120
#: Width of the strongest window when the model has no first convolution to take it from.
DEFAULT_WINDOW = 10

METHOD_LABELS = {
    "saliency": "saliency (|gradient| of the target logit)",
    "grad-input": "gradient x input",
    "integrated-gradients": "integrated gradients",
    "deeplift": "DeepLIFT (rescale rule)",
    "ism": "in-silico mutagenesis",
}
SCORE_LABELS = {
    "saliency": "saliency of the observed letter",
    "grad-input": "gradient x input of the observed letter",
    "integrated-gradients": "attribution summed over the letters of each position",
    "deeplift": "attribution summed over the letters of each position",
    "ism": "minus the mean change of the logit over the substitutions of each position",
}
#: Short y-axis labels of the logos.
AXIS_LABELS = {"saliency": "|gradient|", "grad-input": "grad x input", "integrated-gradients": "attribution",
               "deeplift": "attribution", "ism": "-mean change"}
#: Colour-bar labels of the per-letter heat map, for the methods that have one.
HEATMAP_LABELS = {"ism": "change of logit", "saliency": "|gradient|"}


def for_task(text: str, task: str) -> str:
    """``text`` as said of a model of ``task``: a regression model's output is its value, and has no logit."""
    return re.sub(r"\blogit\b", "output", text) if task == "regression" else text


def method_label(config: AttributionConfig, task: str = "classification") -> str:
    """The method with its settings, as the report and the figure titles name it.

    Parameters
    ----------
    config : AttributionConfig
    task : str
        ``regression``: the output explained is named so, not a logit. Default is ``classification``.

    Returns
    -------
    str
        For example ``integrated gradients, 50 steps, baseline: zeros``.
    """
    label = for_task(METHOD_LABELS[config.method], task)
    if config.method == "integrated-gradients":
        label += f", {config.steps} steps"
    if config.baseline == "shuffle":
        label += f", baseline: {config.shuffles} dinucleotide shuffles (seed {config.seed})"
    elif config.baseline:
        label += f", baseline: {config.baseline}"
    return label


def target_description(config: AttributionConfig, result, output_names) -> str:
    """What was explained: each sequence's predicted class, or the one target's name."""
    if config.target is None and result.task != "regression":
        return "each sequence's predicted class"
    return output_names[int(result.targets[0])]


def logo_heights(scores: np.ndarray, sequence: np.ndarray, encoder) -> tuple:
    """Letter heights of an attribution logo: each position's score on its observed letter(s).

    Parameters
    ----------
    scores : numpy.ndarray, shape=(length,)
        Per-position scores (:attr:`motifnet.interpret.attribution.Attributions.scores`).
    sequence : numpy.ndarray, shape=(length, channels)
        The model input of the sequence (track channels after the sequence channels are ignored).
    encoder : motifnet.data.encoding.Encoder

    Returns
    -------
    (sequence_heights, structure_heights)
        shape=(length, letters), and shape=(length, structure_letters) or None. A position's
        score goes to its letter (split by the encoding for ambiguity codes, 0 for padding),
        and for sequence+structure models also to its structure letter(s) in the second matrix.
    """
    encoded = np.asarray(sequence, dtype=np.float64)[:, :encoder.channels]
    scores = np.asarray(scores, dtype=np.float64)[:, None]
    if encoder.structure is None:
        return scores * encoded, None
    joint = encoded.reshape(len(encoded), len(encoder.alphabet.letters), len(encoder.structure.letters))
    return scores * joint.sum(axis=2), scores * joint.sum(axis=1)


def decode(encoder, codes: np.ndarray) -> tuple:
    """Letters of a row of codes: the sequence and the structure string (or None); '-' is padding.

    Parameters
    ----------
    encoder : motifnet.data.encoding.Encoder
    codes : numpy.ndarray of int, shape=(length,)

    Returns
    -------
    (str, str or None)
    """
    codes = np.asarray(codes, dtype=np.int64)
    sequence_symbols = "-" + encoder.alphabet.symbols
    if encoder.structure_mode != "letters":
        return "".join(sequence_symbols[c] for c in codes), None
    n_struct = len(encoder.structure.symbols) + 1
    structure_symbols = "-" + encoder.structure.symbols
    return ("".join(sequence_symbols[c // n_struct] for c in codes),
            "".join(structure_symbols[c % n_struct] for c in codes))


def completeness(result) -> dict | None:
    """How closely attributions sum to the change of the logit (integrated gradients, DeepLIFT).

    Parameters
    ----------
    result : motifnet.interpret.attribution.Attributions

    Returns
    -------
    dict or None
        ``median_relative_error``, ``max_relative_error``, ``max_absolute_error`` (in logit units: a
        sequence whose logit hardly differs from the baseline's has a large relative error from a tiny
        one) and ``mean_logit_difference``; None for methods without a baseline.
    """
    if result.reference_logits is None:
        return None
    difference = result.logits.astype(np.float64) - result.reference_logits
    values = result.values  # possibly memory-mapped: summed a block of records at a time
    totals = np.concatenate([np.asarray(values[start:start + 1024]).sum(axis=(1, 2), dtype=np.float64)
                             for start in range(0, len(values), 1024)])
    absolute = np.abs(totals - difference)
    error = absolute / np.maximum(np.abs(difference), 1e-12)
    return {"median_relative_error": float(np.median(error)), "max_relative_error": float(np.max(error)),
            "max_absolute_error": float(np.max(absolute)), "mean_logit_difference": float(np.mean(difference))}


def top_order(probabilities: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest probabilities, highest first (ties: input order)."""
    return np.argsort(-np.asarray(probabilities, dtype=np.float64), kind="stable")[:count]


def window_entry(result, index: int, start: int, width: int, letters: str, structure: str | None,
                 output_names) -> dict:
    """One sequence's row of ``attribution.json``: its prediction and strongest window.

    Parameters
    ----------
    result : motifnet.interpret.attribution.Attributions
    index : int
        The sequence's row in ``result``.
    start : int
        0-based start of its strongest window (:func:`motifnet.interpret.attribution.strongest_windows`).
    width : int
        Window width (clipped to the sequence length).
    letters, structure : str and str or None
        The decoded sequence (see :func:`decode`).
    output_names : list of str

    Returns
    -------
    dict
        ``target``, ``probability``, ``logit``, ``window_start`` and ``window_end`` (1-based,
        inclusive), ``window_sequence``, ``window_structure`` and ``window_score`` (the sum of
        the window's scores).
    """
    stop = int(start) + min(width, len(letters))
    return {"target": output_names[int(result.targets[index])], "probability": float(result.probabilities[index]),
            "logit": float(result.logits[index]), "window_start": int(start) + 1, "window_end": stop,
            "window_sequence": letters[int(start):stop],
            "window_structure": structure[int(start):stop] if structure else None,
            "window_score": float(np.sum(result.scores[index][int(start):stop]))}


def shown_positions(scores: np.ndarray, window_width: int, max_positions: int = MAX_LOGO_POSITIONS,
                    letters: tuple | None = None) -> tuple:
    """The positions a sequence's logo shows: all of them, or at most ``max_positions`` of the record's letters
    around its strongest window.

    Parameters
    ----------
    scores : numpy.ndarray, shape=(length,)
    window_width : int
    max_positions : int
        Default is :data:`MAX_LOGO_POSITIONS`.
    letters : (int, int) or None
        The positions that hold the record's letters, ``[start, end)``, when it was padded to the model's
        length: a part shown is taken from them, not from the padding. Default: every position.

    Returns
    -------
    (first, last)
        0-based, half-open; inside the sequence.
    """
    length = len(scores)
    if length <= max_positions:
        return 0, length
    start, end = letters if letters is not None else (0, length)
    if end - start <= max_positions:
        return start, end
    scores = np.asarray(scores)[start:end]
    centre = start + int(strongest_windows(scores[None], window_width)[0]) + min(window_width, end - start) // 2
    first = int(np.clip(centre - max_positions // 2, start, end - max_positions))
    return first, first + max_positions


@dataclass
class SequenceView:
    """What the attribution figure of one sequence draws (:func:`motifnet.plot.attribution.plot_sequence_attribution`).

    Attributes
    ----------
    title : str
    scores : numpy.ndarray, shape=(length,)
        The whole sequence's scores (drawn as a profile when only part of it is shown).
    first, last : int
        Shown positions, 0-based and half-open.
    letters : str
    logo : numpy.ndarray, shape=(last - first, letters)
        Signed logo heights of the shown positions (:func:`logo_heights`).
    strip : numpy.ndarray, shape=(last - first, letters)
        The sequence itself: 1 on each observed letter.
    structure_letters : str or None
    structure_logo, structure_strip : numpy.ndarray or None
        The same for the structure letters of sequence+structure models.
    axis_label : str
        The logo's y-axis label.
    heatmap : numpy.ndarray or None, shape=(last - first, channels)
        Every letter's value at every shown position (saliency and ISM), or None.
    heatmap_label : str or None
    channel_names : list of str
        Rows of the heat map.
    """

    title: str
    scores: np.ndarray
    first: int
    last: int
    letters: str
    logo: np.ndarray
    strip: np.ndarray
    structure_letters: str | None
    structure_logo: np.ndarray | None
    structure_strip: np.ndarray | None
    axis_label: str
    heatmap: np.ndarray | None
    heatmap_label: str | None
    channel_names: list

    @property
    def partial(self) -> bool:
        """Only a window of the sequence is shown."""
        return self.last - self.first < len(self.scores)


#: A record id or class name in a figure's title is cut to this many characters, keeping both ends.
TITLE_ID_CHARACTERS = 48


def sequence_title(result, index: int, class_names, record_id: str, rank: int | None = None) -> str:
    """The figure title of one sequence: rank, id, target, prediction, logit (classification) and method."""
    head = f"{rank}. " if rank is not None else ""
    target = class_names[int(result.targets[index])]
    if result.task == "regression":  # the output is the value: it has no logit
        told = f"predicted {float(result.probabilities[index]):.3f}"
    else:
        told = f"probability {float(result.probabilities[index]):.3f}, logit {float(result.logits[index]):.2f}"
    # an id of hundreds of characters made the figure metres wide, its logo a strip of its left third
    return (f"{head}{short_text(record_id, TITLE_ID_CHARACTERS)}: target {short_text(target, TITLE_ID_CHARACTERS)} "
            f"({told}); {method_label(result.config, result.task)}")


def sequence_view(result, index: int, sequence: np.ndarray, encoder, class_names, record_id: str,
                  rank: int | None = None, window_width: int = DEFAULT_WINDOW) -> SequenceView:
    """The numbers behind one sequence's attribution figure.

    Parameters
    ----------
    result : motifnet.interpret.attribution.Attributions
    index : int
        The sequence's row in ``result``.
    sequence : numpy.ndarray, shape=(length, channels)
        Its model input.
    encoder : motifnet.data.encoding.Encoder
    class_names : list of str
        The model's outputs (targets are indices into it).
    record_id : str
    rank : int or None
        Shown before the id in the title.
    window_width : int
        Width of the strongest window that a long sequence's shown part is centred on.
        Default is :data:`DEFAULT_WINDOW`.

    Returns
    -------
    SequenceView
    """
    method = result.config.method
    scores = np.asarray(result.scores[index], dtype=np.float64)
    held = np.flatnonzero(encoder.holds_letters(sequence))  # not a padded record's padding
    letters = (int(held[0]), int(held[-1]) + 1) if held.size else None
    first, last = shown_positions(scores, window_width, letters=letters)
    shown = slice(first, last)
    logo, structure_logo = logo_heights(scores, sequence, encoder)
    strip, structure_strip = logo_heights(np.ones(len(scores)), sequence, encoder)
    structure = encoder.structure is not None
    heatmap = np.asarray(result.values[index], dtype=np.float64)[shown] if method in HEATMAP_LABELS else None
    return SequenceView(
        title=sequence_title(result, index, class_names, record_id, rank), scores=scores, first=first, last=last,
        letters=encoder.alphabet.letters, logo=logo[shown], strip=strip[shown],
        structure_letters=encoder.structure.letters if structure else None,
        structure_logo=structure_logo[shown] if structure else None,
        structure_strip=structure_strip[shown] if structure else None,
        axis_label=AXIS_LABELS[method], heatmap=heatmap,
        heatmap_label=for_task(HEATMAP_LABELS[method], result.task) if method in HEATMAP_LABELS else None,
        channel_names=list(result.channel_names))
