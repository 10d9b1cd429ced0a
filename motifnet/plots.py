"""Plot functions: each takes ``ax=None``, draws, and returns the Axes; callers save figures.

The numbers behind each plot are computed elsewhere (and tested there).
"""

from __future__ import annotations

import numpy as np

# Colour-blind-safe letter colours in the usual nucleotide convention (A green, C blue,
# G orange, T/U red).
NUCLEOTIDE_COLORS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839", "U": "#D62839"}
STRUCTURE_COLORS = {"(": "#4C72B0", ")": "#4C72B0", ".": "#999999", "F": "#8172B2", "T": "#CCB974",
                    "H": "#C44E52", "I": "#55A868", "M": "#64B5CD", "S": "#4C72B0"}


def _axes(ax, figsize=(6, 2)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


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


def letter_colors(letters: str, structure: bool = False) -> dict:
    """Colours for logo letters: fixed for nucleotides and structure, a palette otherwise."""
    fixed = STRUCTURE_COLORS if structure else NUCLEOTIDE_COLORS
    if all(letter in fixed for letter in letters):
        return {letter: fixed[letter] for letter in letters}
    import seaborn as sns

    palette = sns.color_palette("husl", len(letters))
    return {letter: palette[i] for i, letter in enumerate(letters)}


def plot_logo(pwm: np.ndarray, letters: str, ax=None, title: str | None = None, structure: bool = False,
              bits: bool = True):
    """Draw a sequence logo (logomaker) of a position weight matrix, in bits by default.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(positions, letters)
    letters : str
        Column letters. Letters that are not plain characters (e.g. brackets) are drawn as they are.
    ax : matplotlib Axes or None
    title : str or None
    structure : bool
        Use structure colours.
    bits : bool
        Heights in bits (information content); probabilities otherwise.
    """
    import logomaker
    import pandas as pd

    ax = _axes(ax)
    heights = information_matrix(pwm) if bits else np.asarray(pwm, dtype=np.float64)
    frame = pd.DataFrame(heights, columns=list(letters))
    frame.index = np.arange(1, len(frame) + 1)
    logomaker.Logo(frame, ax=ax, color_scheme=letter_colors(letters, structure), font_name="DejaVu Sans Mono",
                   show_spines=False)
    ax.set_ylim(0, np.log2(len(letters)) if bits else 1)
    ax.set_ylabel("bits" if bits else "probability")
    ax.set_xlabel("position")
    if len(frame) > 30:
        step = int(np.ceil(len(frame) / 15))
        ax.set_xticks(np.arange(1, len(frame) + 1, step))
    else:
        ax.set_xticks(np.arange(1, len(frame) + 1))
    if title:
        ax.set_title(title, fontsize=10)
    return ax
