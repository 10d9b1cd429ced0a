"""The figure of one variant of ``motifnet variants``: attribution logos of its reference and alternative windows.

The numbers come from :func:`motifnet.interpret.variants.variant_logos`; the function draws on
two Axes and returns them. Callers save.
"""

from __future__ import annotations

import numpy as np

from .attribution import plot_attribution_logo

#: Logos whose columns all stay within this of 0 (in the model's output units) show no attribution.
NO_ATTRIBUTION = 1e-6


def plot_variant_logos(ref: np.ndarray, alt: np.ndarray, letters: str, first_position: int, variant_position: int,
                       titles=(None, None), axes=None, chrom_length: int | None = None):
    """Draw the reference logo above the alternative one, on one scale, the variant's column shaded.

    Parameters
    ----------
    ref, alt : numpy.ndarray, shape=(positions, letters)
        Signed letter heights of the shown positions of the two windows.
    letters : str
    first_position : int
        Genome position (1-based) of the first shown position.
    variant_position : int
        Genome position (1-based) of the variant.
    titles : (str or None, str or None)
        Titles of the reference and alternative logos.
    axes : sequence of two matplotlib.axes.Axes or None
        Default a new figure with two rows.
    chrom_length : int or None
        Length of the variant's chromosome: positions past it (the N padding of a window at its end) get
        no tick. Default is None (every position has one).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape=(2,)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    if axes is None:
        width = float(np.clip(2.0 + 0.16 * len(ref), 7, 22))
        _, axes = plt.subplots(2, 1, figsize=(width, 4.2), sharex=True, sharey=True, layout="constrained")
    axes = np.asarray(axes)
    for ax, heights, title in zip(axes, (ref, alt), titles):
        plot_attribution_logo(heights, letters, ax=ax, title=title, first_position=first_position)
        ax.axvspan(variant_position - 0.5, variant_position + 0.5, color="#f4d03f", alpha=0.35, zorder=-1)
    stacked = np.concatenate([np.asarray(ref, dtype=np.float64), np.asarray(alt, dtype=np.float64)])
    top = float(np.clip(stacked, 0, None).sum(axis=1).max(initial=0))
    bottom = float(np.clip(stacked, None, 0).sum(axis=1).min(initial=0))
    span = top - bottom
    for ax in axes:  # one scale, so that the two windows compare
        if span < NO_ATTRIBUTION:  # rounding errors, drawn on their own scale (1e-11), looked like data
            ax.set_ylim(-1, 1)
            ax.text(0.5, 0.5, f"no attribution (all below {NO_ATTRIBUTION:g} in size)", transform=ax.transAxes,
                    ha="center", va="center", color="0.4", fontsize=9)
        else:
            ax.set_ylim(bottom - 0.06 * span, top + 0.06 * span)
    # a window near a chromosome's end is padded with N before or after it: those columns have no genome position
    last = np.inf if chrom_length is None else chrom_length
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))  # a narrow window got ticks at half positions
    axes[-1].set_xticks([tick for tick in axes[-1].get_xticks() if 1 <= tick <= last])
    # whole positions as written: at 150,123 matplotlib would show "5 ... 40" and "+1.501e5" in the corner
    axes[-1].xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
    axes[-1].set_xlim(first_position - 0.5, first_position + len(ref) - 0.5)
    axes[-1].set_xlabel("genome position")
    return axes
