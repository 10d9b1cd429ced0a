"""What each first-layer kernel learned: motif, importance and top class (pysster's rules).

For a kernel, the threshold is the largest of the per-class means of the maximum activation;
a sequence counts as a site when its maximum activation exceeds it. The motif is the mean of
the input windows at the sites of the top class (the class with the largest mean maximum
activation), at most 750 of them (the strongest). The importance score is the largest minus
the smallest per-class mean maximum activation.

Regression models have no classes. There the importance is the absolute Pearson correlation
between the kernel's maximum activation and a target (the first, or the one asked for; the
sign is kept in :attr:`KernelMotif.correlation`), the threshold is the mean maximum
activation over all sequences, and the motif is built from the (at most 750) strongest of
the sequences above it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from ..data.dataset import Dataset
from ..errors import ParamError
from .activations import KernelActivations

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
    correlation : float or None
        Regression: Pearson correlation of the maximum activation with the target (0 where it
        is undefined); None for classification.
    target : str or None
        Regression: the target's name.
    site_count : int or None
        Sequences of the top class (regression: of all) above the threshold, ``sites`` being the
        strongest 750 of them. Default None: ``len(sites)``.
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
    correlation: float | None = None
    target: str | None = None
    site_count: int | None = None

    @property
    def n_sites(self) -> int:
        """The kernel's sites: all of them, not only the (at most 750) the motif is built from."""
        return int(len(self.sites) if self.site_count is None else self.site_count)


def consensus(pwm: np.ndarray | None, letters: str) -> str:
    """Most probable letter per position; lower case where it has less than half the probability.

    An alphabet with lower-case letters of its own (a case-sensitive ``--alphabet``) keeps every letter as it is:
    a lower-case letter there is another letter, not an uncertain one.
    """
    if pwm is None:
        return ""
    marks = not any(letter.islower() for letter in letters)
    out = []
    for row in pwm:
        if row.sum() == 0:
            out.append("-")
            continue
        letter = letters[int(row.argmax())]
        out.append(letter if row.max() >= 0.5 or not marks else letter.lower())
    return "".join(out)


def check_kernels(kernels, n_kernels: int) -> list:
    """Check kernel numbers of the first convolutional layer (``--kernels``); None means all.

    Parameters
    ----------
    kernels : list of int or None
        0-based kernel numbers, in any order, repeats allowed. Default (None): every kernel.
    n_kernels : int
        Kernels of the model's first layer.

    Returns
    -------
    list of int
        The distinct kernel numbers, sorted.

    Raises
    ------
    ParamError
        Not a list of integers, an empty list, or a number out of range.
    """
    if kernels is None:
        return list(range(n_kernels))
    if isinstance(kernels, (str, bytes)):
        raise ParamError(f"kernels expects a list of kernel numbers (e.g. [0, 3, 7]), received: {kernels!r}")
    try:
        kernels = [operator.index(kernel) for kernel in kernels]  # numpy integers pass, floats do not
    except TypeError:
        raise ParamError(f"kernels expects a list of kernel numbers (e.g. [0, 3, 7]), received: {kernels!r}") from None
    bad = [k for k in kernels if not 0 <= k < n_kernels]
    if bad or not kernels:
        raise ParamError(
            f"--kernels {','.join(map(str, kernels))}: the model's first layer has kernels 0 to {n_kernels - 1}; "
            f"out of range: {', '.join(map(str, bad)) or 'none given'}"
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


def kernel_motifs(activations: KernelActivations, dataset: Dataset, kernels=None, target=None) -> list:
    """Motif, importance and sites of each kernel (see the module description).

    Parameters
    ----------
    activations : KernelActivations
        From :func:`motifnet.interpret.activations.max_activations` on ``dataset``.
    dataset : Dataset
        The same records.
    kernels : list of int or None
        Kernels to summarise; default all.
    target : str or int or None
        Regression: the target (name or 0-based index) that importance is measured against;
        default each kernel's own, the target its maximum activation correlates with most
        strongly (absolute Pearson r). Classification: must be None.

    Returns
    -------
    list of KernelMotif
        In the order of ``kernels``.

    Raises
    ------
    ParamError
        An unknown target, or a target for a classification model.
    """
    kernels = list(range(activations.n_kernels)) if kernels is None else list(kernels)
    if activations.targets is not None:
        chosen = None if target is None else resolve_target_index(target, activations.target_names)
        return _regression_motifs(activations, dataset, kernels, chosen)
    if target is not None:
        raise ParamError("--target chooses the target of a regression model; this model is a classifier")
    means = activations.class_means()
    present = ~np.isnan(means[:, 0])
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
        result.append(KernelMotif(kernel, importance, top_class, class_means, threshold, selected, sites,
                                  *_site_motif(activations, dataset, kernel, sites), site_count=len(candidates)))
    return result


def _site_motif(activations: KernelActivations, dataset: Dataset, kernel: int, sites: np.ndarray) -> tuple:
    """(pwm, structure_pwm, track_windows) from the input windows at ``sites`` (Nones without sites)."""
    if not len(sites):
        return None, None, None
    encoder = dataset.encoder
    width = activations.kernel_len
    letters = len(encoder.alphabet.letters)
    starts = activations.position[sites, kernel]
    mean = site_windows(dataset, sites, starts, width).mean(axis=0)
    structure_pwm = track_windows = None
    if encoder.structure is not None:
        joint = mean.reshape(width, letters, len(encoder.structure.letters))
        pwm, structure_pwm = _normalise_rows(joint.sum(axis=2)), _normalise_rows(joint.sum(axis=1))
    else:
        pwm = _normalise_rows(mean)
    if dataset.tracks is not None:
        columns = starts[:, None] + np.arange(width)[None, :]
        track_windows = dataset.tracks[sites[:, None], columns]
    return pwm, structure_pwm, track_windows


def resolve_target_index(target, target_names) -> int:
    """The index of ``--target`` (a target name or a 0-based index; default 0) of a regression model.

    Raises
    ------
    ParamError
        Neither a name nor an index in range; the message lists the targets.
    """
    if target is None:
        return 0
    names = [str(name) for name in target_names]
    text = str(target).strip()
    if text in names:
        return names.index(text)
    if text.isdigit() and int(text) < len(names):
        return int(text)
    listing = ", ".join(f"{i} {name}" for i, name in enumerate(names))
    raise ParamError(f"--target {text!r} is not a target of the model; give a target name or a 0-based index: "
                     f"{listing}")


def check_target(target, task: str, target_names) -> None:
    """Refuse ``--target`` before any work: unknown for a regression model (``task``), or given for a classifier."""
    if task == "regression":
        resolve_target_index(target, target_names)
    elif target is not None:
        raise ParamError("--target chooses the target of a regression model; this model is a classifier")


def activation_correlation(max_activation: np.ndarray, values: np.ndarray) -> float:
    """Pearson correlation of a kernel's maximum activations with target values (0 when undefined)."""
    max_activation = np.asarray(max_activation, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2 or np.ptp(max_activation) == 0 or np.ptp(values) == 0:
        return 0.0
    return float(np.corrcoef(max_activation, values)[0, 1])


def _regression_motifs(activations: KernelActivations, dataset: Dataset, kernels: list, target: int | None) -> list:
    """``target``: the index of the target every kernel is measured against; None: each kernel's own, the target
    its maximum activation correlates with most strongly (the first of equal ones), as a classifier's kernel
    is measured in its top class."""
    chosen = range(activations.targets.shape[1]) if target is None else [target]
    result = []
    for kernel in kernels:
        activation = activations.max_activation[:, kernel]
        correlations = [activation_correlation(activation, activations.targets[:, index]) for index in chosen]
        best = int(np.argmax(np.abs(correlations)))
        correlation, name = correlations[best], activations.target_names[chosen[best]]
        threshold = float(activation.mean())
        selected = activation > threshold
        candidates = np.flatnonzero(selected)
        order = np.lexsort((candidates, -activation[candidates]))  # strongest first, ties by index
        sites = candidates[order][:MAX_SITES]
        result.append(KernelMotif(kernel, abs(correlation), 0, np.array([threshold]), threshold, selected, sites,
                                  *_site_motif(activations, dataset, kernel, sites), correlation=correlation,
                                  target=name, site_count=len(candidates)))
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
