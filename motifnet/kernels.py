"""What each first-layer kernel learned: motif, importance and top class (pysster's rules).

For a kernel, the threshold is the largest of the per-class means of the maximum activation;
a sequence counts as a site when its maximum activation exceeds it. The motif is the mean of
the input windows at the sites of the top class (the class with the largest mean maximum
activation), at most 750 of them (the strongest). The importance score is the largest minus
the smallest per-class mean maximum activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import KernelActivations
from .data import Dataset
from .errors import ParamError

MAX_SITES = 750


@dataclass
class KernelMotif:
    """One kernel's motif and scores.

    Attributes
    ----------
    kernel : int
    importance : float
        Largest minus smallest per-class mean maximum activation.
    top_class : int
        Class with the largest mean maximum activation.
    class_means : numpy.ndarray, shape=(classes,)
    threshold : float
    selected : numpy.ndarray of bool, shape=(n,)
        Sequences whose maximum activation exceeds the threshold (any class).
    sites : numpy.ndarray of int, shape=(m,)
        Sequences of the top class used for the motif, strongest first (m <= 750).
    pwm : numpy.ndarray or None, shape=(kernel_len, letters)
        Sequence letter probabilities; None without sites.
    structure_pwm : numpy.ndarray or None, shape=(kernel_len, structure_letters)
        Structure letter probabilities (sequence+structure models).
    track_windows : numpy.ndarray or None, shape=(m, kernel_len, tracks)
        Track values at the sites.
    """

    kernel: int
    importance: float
    top_class: int
    class_means: np.ndarray
    threshold: float
    selected: np.ndarray
    sites: np.ndarray
    pwm: np.ndarray | None
    structure_pwm: np.ndarray | None
    track_windows: np.ndarray | None

    @property
    def n_sites(self) -> int:
        return int(len(self.sites))


def consensus(pwm: np.ndarray | None, letters: str) -> str:
    """Most probable letter per position; lower case where it has less than half the probability."""
    if pwm is None:
        return ""
    out = []
    for row in pwm:
        if row.sum() == 0:
            out.append("-")
            continue
        letter = letters[int(row.argmax())]
        out.append(letter if row.max() >= 0.5 else letter.lower())
    return "".join(out)


def parse_kernel_list(text: str | None, n_kernels: int) -> list:
    """Parse ``--kernels 0,3,7`` (default: all), checking the range."""
    if not text:
        return list(range(n_kernels))
    try:
        kernels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ParamError(f"--kernels expects comma-separated kernel numbers (e.g. 0,3,7), received: {text!r}") from None
    bad = [k for k in kernels if not 0 <= k < n_kernels]
    if bad or not kernels:
        raise ParamError(
            f"--kernels {text}: the model's first layer has kernels 0 to {n_kernels - 1}; out of range: "
            f"{', '.join(map(str, bad)) or 'none given'}"
        )
    return sorted(set(kernels))


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    sums = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)


def site_windows(dataset: Dataset, sequences: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Encoded input windows, shape=(m, width, channels), for sequence/start pairs (no tracks)."""
    columns = starts[:, None] + np.arange(width)[None, :]
    codes = dataset.codes[sequences[:, None], columns]
    structure = dataset.structure[sequences[:, None], columns] if dataset.structure is not None else None
    return dataset.encoder.one_hot(codes, structure)


def kernel_motifs(activations: KernelActivations, dataset: Dataset, kernels=None) -> list:
    """Motif, importance and sites of each kernel (see the module description).

    Parameters
    ----------
    activations : KernelActivations
        From :func:`motifnet.activations.max_activations` on ``dataset``.
    dataset : Dataset
        The same records.
    kernels : list of int or None
        Kernels to summarise; default all.

    Returns
    -------
    list of KernelMotif
        In the order of ``kernels``.
    """
    kernels = list(range(activations.n_kernels)) if kernels is None else list(kernels)
    encoder = dataset.encoder
    means = activations.class_means()
    present = ~np.isnan(means[:, 0])
    width = activations.kernel_len
    letters = len(encoder.alphabet.letters)
    result = []
    for kernel in kernels:
        class_means = means[:, kernel]
        valid = class_means[present]
        threshold = float(valid.max())
        importance = float(valid.max() - valid.min())
        top_class = int(np.flatnonzero(present)[valid.argmax()])
        values = activations.max_activation[:, kernel]
        selected = values > threshold
        candidates = np.flatnonzero(selected & (activations.labels[:, top_class] == 1))
        order = np.lexsort((candidates, -values[candidates]))  # strongest first, ties by index
        sites = candidates[order][:MAX_SITES]
        pwm = structure_pwm = track_windows = None
        if len(sites):
            starts = activations.position[sites, kernel]
            mean = site_windows(dataset, sites, starts, width).mean(axis=0)
            if encoder.structure is not None:
                joint = mean.reshape(width, letters, len(encoder.structure.letters))
                pwm, structure_pwm = _normalise_rows(joint.sum(axis=2)), _normalise_rows(joint.sum(axis=1))
            else:
                pwm = _normalise_rows(mean)
            if dataset.tracks is not None:
                columns = starts[:, None] + np.arange(width)[None, :]
                track_windows = dataset.tracks[sites[:, None], columns]
        result.append(KernelMotif(kernel, importance, top_class, class_means, threshold, selected, sites,
                                  pwm, structure_pwm, track_windows))
    return result


def background_frequencies(dataset: Dataset) -> tuple:
    """Letter frequencies of sequence and structure (padding excluded).

    Returns
    -------
    (sequence, structure)
        Arrays of shape=(letters,) and shape=(structure_letters,), or None without structure.
    """
    encoder = dataset.encoder
    counts = np.bincount(dataset.codes.ravel(), minlength=encoder.code_table.shape[0]).astype(np.float64)
    totals = counts @ encoder.code_table.astype(np.float64)
    structure = None
    if encoder.structure_mode == "letters":
        joint = totals.reshape(len(encoder.alphabet.letters), len(encoder.structure.letters))
        totals, structure = joint.sum(axis=1), joint.sum(axis=0)
    elif encoder.structure_mode == "pwm":
        real = dataset.codes > 0
        structure = dataset.structure[real].sum(axis=0).astype(np.float64)

    def normalise(values):
        return values / values.sum() if values.sum() > 0 else np.full(len(values), 1 / len(values))

    return normalise(totals), None if structure is None else normalise(structure)
