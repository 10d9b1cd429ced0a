"""A kernel motif drawn above the database motif TOMTOM matched it to."""

from __future__ import annotations

import numpy as np

from ..motifs.matching import MotifMatch, match_alignment


def _padded(pwm: np.ndarray, start: int, width: int) -> np.ndarray:
    out = np.zeros((width, pwm.shape[1]))
    out[start:start + len(pwm)] = pwm
    return out

def plot_match(kernel_pwm: np.ndarray, kept: tuple, match: MotifMatch, letters: str, axes=None,
               first_column: int = 1):
    """The kernel's logo (trimmed-away columns shaded) over its match's logo, columns aligned.

    Parameters
    ----------
    kernel_pwm : numpy.ndarray, shape=(kernel_len, letters)
        The untrimmed kernel motif.
    kept : (start, end)
        Kernel columns of the trimmed motif that was matched.
    match : MotifMatch
    letters : str
    axes : pair of matplotlib Axes or None
        Top and bottom; a new figure by default.
    first_column : int
        The number the top logo's first column is labelled with: a window of a longer matrix keeps that matrix's
        column numbers. Default is 1.

    Returns
    -------
    pair of matplotlib Axes
    """
    from .figures import plot_logo, shade_columns

    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, figsize=(6, 4))
    top_ax, bottom_ax = axes
    width, kernel_at, target_at = match_alignment(len(kernel_pwm), kept, match.offset, len(match.target_pwm))
    plot_logo(_padded(kernel_pwm, kernel_at, width), letters, ax=top_ax)
    plot_logo(_padded(match.target_pwm, target_at, width), letters, ax=bottom_ax)
    reverse = match.orientation == "-"
    for ax, start, count, number in ((top_ax, kernel_at, len(kernel_pwm), lambda t: t + first_column - 1),
                                     # a reverse-complemented target keeps its own column numbers, right to left
                                     (bottom_ax, target_at, len(match.target_pwm),
                                      lambda t: len(match.target_pwm) + 1 - t if reverse else t)):
        ax.set_xlim(0.5, width + 0.5)
        step = 1 if count <= 25 else int(np.ceil(count / 12))
        ticks = np.arange(1, count + 1, step)
        ax.set_xticks(start + ticks)
        ax.set_xticklabels([str(number(t)) for t in ticks])
        ax.tick_params(labelbottom=True)
    shade_columns(top_ax, [(kernel_at, kernel_at + kept[0]), (kernel_at + kept[1], kernel_at + len(kernel_pwm))])
    top_ax.set_xlabel("kernel position (shaded: trimmed)")
    # strands are DNA's: a protein (or RNA) target is matched as it is
    strand = ("reverse complement, its columns numbered as in the database" if reverse
              else "forward strand" if letters == "ACGT" else "")
    bottom_ax.set_xlabel(f"{match.target_id} position" + (f" ({strand})" if strand else ""))
    return top_ax, bottom_ax
