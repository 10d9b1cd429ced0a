"""Position weight matrix arithmetic shared by the layers that draw and those that compute."""

from __future__ import annotations

import numpy as np


def information_matrix(pwm: np.ndarray) -> np.ndarray:
    """Letter heights in bits: each row's probabilities times its information content.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(positions, letters)
        Rows are probability distributions (rows of zeros stay zero).

    Returns
    -------
    numpy.ndarray, shape=(positions, letters)
        ``pwm * (log2(letters) - H(row))``.
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(pwm > 0, pwm * np.log2(pwm), 0.0), axis=1)
    content = np.where(pwm.sum(axis=1) > 0, np.log2(pwm.shape[1]) - entropy, 0.0)
    return pwm * content[:, None]
