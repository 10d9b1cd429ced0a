"""A TF-MoDISco pattern drawn as its contribution-weight matrix and its probability matrix, side by side."""

from __future__ import annotations

import numpy as np

from .figures import letter_colors, plot_logo, shade_columns


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


#: Trimmed-away columns shown on each side of a pattern's core: TF-MoDISco's patterns are ~50 columns around a core
#: of ~10, and drawn whole their letters and labels came out a few pixels tall in the report.
PATTERN_FLANK = 5


def shown_columns(length: int, core: tuple, flank: int = PATTERN_FLANK) -> tuple:
    """The columns ``[start, end)`` of a pattern of ``length`` columns that its figure shows: the core and ``flank``
    trimmed columns on each side."""
    return max(0, core[0] - flank), min(length, core[1] + flank)


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

        # 9 inches: the report shows the figure at its own width, so its text is read at its own size
        _, axes = plt.subplots(1, 2, figsize=(10, 2.6), layout="constrained")
    from matplotlib.ticker import FixedLocator, FuncFormatter

    left, right = axes
    start, end = shown_columns(len(cwm), core)
    plot_contribution_logo(cwm[start:end], letters, ax=left, title="contribution-weight matrix (CWM)")
    plot_logo(pfm[start:end], letters, ax=right, title="probability matrix of the seqlets (PFM)")
    hidden = start + len(cwm) - end
    for ax in (left, right):
        shade_columns(ax, [(0, core[0] - start), (core[1] - start, end - start)])
        # the pattern's own column numbers
        ticks = [tick for tick in ax.get_xticks() if 1 <= tick <= end - start]
        step = -(-len(ticks) // 15)  # at most 15 numbers under a logo: more ran into each other
        ax.xaxis.set_major_locator(FixedLocator(ticks[::step]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda tick, _: f"{int(round(tick)) + start}"))
        ax.set_xlabel("position (shaded: trimmed" + (f"; {hidden} more not shown)" if hidden else ")"))
    return left, right
