"""Whether records are windows centred on a site: letter composition that changes along the window.

Windows cut around a site (a CLIP crosslink, a peak summit) hold letters whose frequencies
depend on the position: the bound element, and the crosslinking preference, sit near the centre.
Sequences in which a motif may lie anywhere have the same composition at every position. A
chi-square test of letters against stretches of the window, per class, tells the two apart;
``motifnet train``'s preset ``auto`` reads it to pick its network
(:func:`motifnet.model.params.auto_preset`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

#: Stretches of the window whose letter counts are compared.
BINS = 10
#: A group's composition is position-dependent when its test gives a p-value below this ...
MAX_P = 1e-6
#: ... and an effect of at least this size (Cramér's V of letters against stretches).
MIN_EFFECT = 0.02


@dataclass(frozen=True)
class PositionTest:
    """The chi-square test of letters against stretches of the window for one group of records.

    Attributes
    ----------
    group : str
        The class (or 'all records' for regression).
    records : int
    statistic : float
        Pearson's chi-square.
    dof : int
        Its degrees of freedom: (stretches - 1) x (letters seen - 1).
    p_value : float
    effect : float
        Cramér's V, sqrt(chi-square / (letters counted x (min(stretches, letters) - 1))): 0 when the
        composition is the same everywhere, 1 when each stretch holds letters of its own.
    """

    group: str
    records: int
    statistic: float
    dof: int
    p_value: float
    effect: float

    @property
    def positional(self) -> bool:
        """Whether the composition depends on the position (significant and not negligible)."""
        return self.p_value < MAX_P and self.effect >= MIN_EFFECT

    def describe(self) -> str:
        return (f"{self.group}: chi-square {self.statistic:.0f} on {self.dof} df, "
                f"p {self.p_value:.1g}, Cramér's V {self.effect:.3f}")


def position_test(codes: np.ndarray, code_table: np.ndarray, group: str = "all records",
                  bins: int = BINS) -> PositionTest:
    """Test whether the letter composition of ``codes`` changes along the window.

    Parameters
    ----------
    codes : numpy.ndarray of int, shape=(n, length)
        Integer codes (0: padding, not counted), as :class:`motifnet.data.dataset.Dataset` holds them.
    code_table : numpy.ndarray, shape=(codes, letters)
        Each code's letters (an ambiguity code counts as its share of each;
        :attr:`motifnet.data.encoding.Encoder.code_table`).
    group : str
        A name for the records, for messages.
    bins : int
        Number of stretches the window is cut into (the last ones one position shorter when the
        length is not a multiple). Default is :data:`BINS`; at most the window's length.

    Returns
    -------
    PositionTest
        A statistic of 0 with p-value 1 when fewer than two stretches or letters hold counts.
    """
    codes = np.asarray(codes)
    length = codes.shape[1] if codes.ndim == 2 else 0
    bins = max(1, min(int(bins), length))
    edges = np.linspace(0, length, bins + 1).round().astype(int)
    counts = np.zeros((bins, code_table.shape[1]))
    for stretch in range(bins):
        part = codes[:, edges[stretch]:edges[stretch + 1]].ravel()
        per_code = np.bincount(part, minlength=code_table.shape[0])[:code_table.shape[0]].astype(float)
        per_code[0] = 0.0  # padding
        counts[stretch] = per_code @ code_table
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    total = counts.sum()
    if min(counts.shape) < 2 or total == 0:
        return PositionTest(group, len(codes), 0.0, 0, 1.0, 0.0)
    expected = counts.sum(axis=1, keepdims=True) * counts.sum(axis=0, keepdims=True) / total
    statistic = float(((counts - expected) ** 2 / expected).sum())
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    effect = float(np.sqrt(statistic / (total * (min(counts.shape) - 1))))
    return PositionTest(group, len(codes), statistic, dof, float(chi2.sf(statistic, dof)), effect)


def position_tests(dataset) -> list:
    """:func:`position_test` per class of ``dataset`` (a record of several classes counts in each),
    or once over all records for regression.

    Parameters
    ----------
    dataset : motifnet.data.dataset.Dataset

    Returns
    -------
    list of PositionTest
    """
    table = dataset.encoder.code_table
    if dataset.task == "regression" or not dataset.class_names:
        return [position_test(dataset.codes, table)]
    return [position_test(dataset.codes[dataset.labels[:, column] > 0], table, name)
            for column, name in enumerate(dataset.class_names)]
