"""Whether records are windows centred on a site: a class's letters differ from the others' by position.

In windows cut around a site (a CLIP crosslink) the bound element sits near the centre, so the
letters that set a class apart are not the same at every position. Where a motif may lie
anywhere, a class differs from the others equally along the window. Letters that change along
the window in every class alike (fixed adapters, padding, the crosslinking preference shared by
all classes) are not a class's signal and do not count.

The test: for each class, the counts of sequence letters in ten stretches of the window, in the
class and in the other records, a table of 2 x stretches x letters; a log-linear model with every
two-way association (class and stretch, class and letter, stretch and letter) but no three-way one,
fitted by iterative proportional fitting, and its likelihood-ratio statistic G² (the three-way
interaction: the class's letters differ from the others' differently along the window).
``motifnet train``'s preset ``auto`` reads it to pick its network (:func:`motifnet.model.params.auto_preset`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

#: Stretches of the window whose letter counts are compared.
BINS = 10
#: A class sets itself apart by position when its test gives a p-value below this ...
MAX_P = 1e-6
#: ... and an effect of at least this size (a Cramér's V of the interaction; see :class:`PositionTest`).
MIN_EFFECT = 0.01
#: At most this many records are counted (a seeded sample of them): the effect does not depend on the number.
MAX_RECORDS = 100_000
_FIT_STEPS, _FIT_TOLERANCE = 200, 1e-10


@dataclass(frozen=True)
class PositionTest:
    """The test of one group of records against the others.

    Attributes
    ----------
    group : str
        The class (regression: the records whose first target lies above its median).
    records : int
        Records of the group counted (the others are the rest of the records counted).
    statistic : float
        G², the likelihood-ratio statistic of the three-way interaction.
    dof : int
        Its degrees of freedom: (stretches - 1) x (letters - 1), over the stretches and letters seen.
    p_value : float
    effect : float
        sqrt(G² / (letters counted x (min(stretches, letters) - 1))), on the scale of Cramér's V: 0 when
        the group differs from the others alike at every position.
    """

    group: str
    records: int
    statistic: float
    dof: int
    p_value: float
    effect: float

    @property
    def positional(self) -> bool:
        """Whether the group differs from the others by position (significant and not negligible)."""
        return self.p_value < MAX_P and self.effect >= MIN_EFFECT

    def describe(self) -> str:
        p_value = f"p {self.p_value:.1g}" if self.p_value > 0 else "p < 1e-300"  # below what a float holds
        return (f"{self.group} against the other records: G² {self.statistic:.0f} on {self.dof} df, "
                f"{p_value}, effect {self.effect:.3f}")


def letter_table(encoder) -> np.ndarray:
    """Code -> count of each sequence letter, for codes that stand for one letter (padding, ambiguity codes: 0).

    With a structure alphabet (codes of sequence and structure letters together) the structure
    letter is summed out: the structure's own letters change along any folded window.

    Parameters
    ----------
    encoder : motifnet.data.encoding.Encoder

    Returns
    -------
    numpy.ndarray, shape=(codes, sequence letters)
    """
    letters = len(encoder.alphabet.letters)
    table = encoder.code_table
    if encoder.structure_mode == "letters":
        table = table.reshape(len(table), letters, -1).sum(axis=2)
    single = (np.count_nonzero(table, axis=1) == 1) & np.isclose(table.sum(axis=1), 1.0)
    return np.where(single[:, None], table, 0.0)


def _stretch_counts(codes: np.ndarray, table: np.ndarray, bins: int) -> np.ndarray:
    """Letter counts per stretch of the window, shape (bins, letters)."""
    edges = np.linspace(0, codes.shape[1], bins + 1).round().astype(int)
    counts = np.zeros((bins, table.shape[1]))
    for stretch in range(bins):
        part = codes[:, edges[stretch]:edges[stretch + 1]].ravel()
        counts[stretch] = np.bincount(part, minlength=len(table))[:len(table)] @ table
    return counts


def _no_three_way_fit(observed: np.ndarray) -> np.ndarray:
    """Expected counts of a 2 x S x L table under all two-way associations, by iterative proportional fitting."""
    fitted = np.full(observed.shape, observed.sum() / observed.size)
    margins = [(observed.sum(axis=axis, keepdims=True), axis) for axis in (2, 1, 0)]
    for _ in range(_FIT_STEPS):
        before = fitted.copy()
        for margin, axis in margins:
            current = fitted.sum(axis=axis, keepdims=True)
            fitted *= np.divide(margin, current, out=np.zeros_like(current), where=current > 0)
        if np.max(np.abs(fitted - before)) <= _FIT_TOLERANCE * observed.sum():
            break
    return fitted


def position_test(codes: np.ndarray, inside: np.ndarray, table: np.ndarray, group: str,
                  bins: int = BINS) -> PositionTest:
    """Test whether the records ``inside`` differ from the others differently along the window.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape=(n, length)
        Integer codes, as :class:`motifnet.data.dataset.Dataset` holds them.
    inside : numpy.ndarray of bool, shape=(n,)
        The group's records; the others are the rest.
    table : numpy.ndarray, shape=(codes, letters)
        Each code's letters (:func:`letter_table`; codes of zero rows are not counted).
    group : str
        A name for the group, for messages.
    bins : int
        Number of stretches the window is cut into. Default is :data:`BINS`; at most the window's length.

    Returns
    -------
    PositionTest
        A statistic of 0 with p-value 1 when fewer than two stretches or letters hold counts, or
        either side has no records.
    """
    codes, inside = np.asarray(codes), np.asarray(inside, dtype=bool)
    bins = max(1, min(int(bins), codes.shape[1] if codes.ndim == 2 else 0))
    observed = np.stack([_stretch_counts(codes[inside], table, bins), _stretch_counts(codes[~inside], table, bins)])
    observed = observed[:, observed.sum(axis=(0, 2)) > 0][:, :, observed.sum(axis=(0, 1)) > 0]
    records = int(inside.sum())
    if min(observed.shape[1:]) < 2 or min(observed.sum(axis=(1, 2))) == 0:
        return PositionTest(group, records, 0.0, 0, 1.0, 0.0)
    fitted = _no_three_way_fit(observed)
    seen = observed > 0
    statistic = max(0.0, float(2 * (observed[seen] * np.log(observed[seen] / fitted[seen])).sum()))
    dof = (observed.shape[1] - 1) * (observed.shape[2] - 1)
    effect = float(np.sqrt(statistic / (observed.sum() * (min(observed.shape[1:]) - 1))))
    return PositionTest(group, records, statistic, dof, float(chi2.sf(statistic, dof)), effect)


def position_tests(dataset, records=None, max_records: int = MAX_RECORDS, seed: int = 0) -> list:
    """:func:`position_test` of each class of ``dataset`` against the other records.

    Parameters
    ----------
    dataset : motifnet.data.dataset.Dataset
    records : numpy.ndarray of int or None
        The records to read (training: the training split). Default is None: all.
    max_records : int
        At most this many of them are read, drawn with ``seed``. Default is :data:`MAX_RECORDS`.
    seed : int

    Returns
    -------
    list of PositionTest
        One per class (a record of several classes counts in each); regression: one, the records
        whose first target lies above its median against the others.
    """
    index = np.arange(len(dataset)) if records is None else np.asarray(records)
    if len(index) > max_records:
        index = np.sort(np.random.default_rng(seed).choice(index, max_records, replace=False))
    codes, table = dataset.codes[index], letter_table(dataset.encoder)
    if dataset.task == "regression":
        target = dataset.targets[index, 0]
        return [position_test(codes, target > np.median(target), table, f"{dataset.target_names[0]} above its median")]
    labels = dataset.labels[index]
    return [position_test(codes, labels[:, column] > 0, table, name) for column, name in enumerate(dataset.class_names)]
