"""A TF-MoDISco pattern drawn as its contribution-weight matrix and its probability matrix, side by side."""

from __future__ import annotations

import numpy as np

from .figures import letter_colors, plot_logo


def contribution_logo_frame(cwm: np.ndarray, letters: str):
    """The letter heights of a contribution logo: the CWM itself (signed), as a pandas DataFrame indexed from 1."""
    import pandas as pd

    frame = pd.DataFrame(np.asarray(cwm, dtype=np.float64), columns=list(letters))
    frame.index = np.arange(1, len(frame) + 1)
    return frame


def plot_contribution_logo(cwm: np.ndarray, letters: str, ax=None, title: str | None = None):
    """A logo whose letters are as tall as their mean contribution (below the line when negative).

    Parameters
    ----------
    cwm : numpy.ndarray, shape=(positions, letters)
    letters : str
    ax : matplotlib Axes or None
    title : str or None

    Returns
    -------
    matplotlib Axes
    """
    import logomaker

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 2))
    frame = contribution_logo_frame(cwm, letters)
    logomaker.Logo(frame, ax=ax, color_scheme=letter_colors(letters), font_name="DejaVu Sans Mono",
                   show_spines=False, flip_below=False)
    low = min(0.0, float(frame.clip(upper=0).sum(axis=1).min()))
    high = max(0.0, float(frame.clip(lower=0).sum(axis=1).max()))
    pad = 0.05 * max(high - low, 1e-9)
    ax.set_ylim(low - (pad if low < 0 else 0), high + pad)
    ax.axhline(0, color="#888888", linewidth=0.6)
    ax.set_ylabel("contribution")
    ax.set_xlabel("position")
    ax.set_xticks(np.arange(1, len(frame) + 1, 1 if len(frame) <= 30 else int(np.ceil(len(frame) / 15))))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_pattern(cwm: np.ndarray, pfm: np.ndarray, core: tuple, letters: str, axes=None):
    """Contribution logo (left) and probability logo in bits (right) of a pattern; trimmed-away columns shaded.

    Parameters
    ----------
    cwm, pfm : numpy.ndarray, shape=(positions, letters)
        The whole pattern (untrimmed).
    core : (start, end)
        Columns kept by trimming (half-open).
    letters : str
    axes : pair of matplotlib Axes or None
        Left and right; a new figure by default.

    Returns
    -------
    pair of matplotlib Axes
    """
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(12, 2.4))
    left, right = axes
    plot_contribution_logo(cwm, letters, ax=left, title="contribution-weight matrix (CWM)")
    plot_logo(pfm, letters, ax=right, title="probability matrix of the seqlets (PFM)")
    for ax in (left, right):
        for low, high in ((0, core[0]), (core[1], len(cwm))):
            if high > low:
                ax.axvspan(low + 0.5, high + 0.5, color="#d0d0d0", alpha=0.45, linewidth=0, zorder=0)
        ax.set_xlabel("position (shaded: trimmed)")
    return left, right
