"""Logos of optimised inputs (``motifnet optimize-inputs``)."""

from __future__ import annotations

import numpy as np

from ..errors import ParamError

#: Distance (inches) from the top of the figure to the top of its title.
TITLE_TOP_INCHES = 0.1


def plot_optimized_inputs(pwms, letters: str, node_labels, layer_name: str | None = None,
                          structure: bool = False, bits: bool = True, title: str | None = None,
                          structure_pwms=None, structure_letters: str | None = None):
    """Draw one logo per node, stacked, from the PWMs of optimised inputs.

    Parameters
    ----------
    pwms : numpy.ndarray, shape=(nodes, length, letters)
        See :func:`input_to_pwm`.
    letters : str
        Letters of the PWM columns.
    node_labels : list
        One label per node (usually its number), used in each logo's title.
    layer_name : str or None
        Prefixed to each title (``conv_1, node 3``).
    structure : bool
        ``pwms`` hold structure letters: use structure-letter colours.
    bits : bool
        Heights in bits (information content); probabilities otherwise. Default is True.
    title : str or None
        Title of the whole figure.
    structure_pwms : numpy.ndarray or None, shape=(nodes, length, structure_letters)
        With sequence+structure models: each node gets a second logo row, of its structure.
    structure_letters : str or None
        Letters of ``structure_pwms``.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per node (two with ``structure_pwms``), top to bottom; the caller saves and closes it.
    """
    import matplotlib.pyplot as plt

    from .figures import plot_logo

    pwms = np.asarray(pwms)
    node_labels = list(node_labels)
    if pwms.ndim != 3 or pwms.shape[2] != len(letters) or len(node_labels) != pwms.shape[0]:
        raise ParamError(
            f"expected PWMs of shape (nodes, length, {len(letters)}) with one label per node, received shape "
            f"{pwms.shape} and {len(node_labels)} label(s)"
        )
    rows = [(pwm, letters, structure, label, "") for pwm, label in zip(pwms, node_labels)]
    if structure_pwms is not None:
        structure_pwms = np.asarray(structure_pwms)
        if structure_letters is None or structure_pwms.shape != pwms.shape[:2] + (len(structure_letters),):
            raise ParamError(
                f"expected structure PWMs of shape {pwms.shape[:2] + (len(structure_letters or ''),)} with their "
                f"letters, received shape {structure_pwms.shape}"
            )
        rows = [row for sequence_row, structure_pwm in zip(rows, structure_pwms)
                for row in ((*sequence_row[:4], " (sequence)"),
                            (structure_pwm, structure_letters, True, sequence_row[3], " (structure)"))]
    length = pwms.shape[1]
    # About 0.18 inch per position keeps letters legible; very long inputs are capped at 24 inches.
    width = float(np.clip(1.5 + 0.18 * length, 6, 24))
    row_height = 1.4
    height = row_height * len(rows) + (0.9 if title else 0.5)
    # Not sharex: every logo spans the same positions anyway, and shared axes update each other on every
    # change of limits, which took a minute to lay out 150 nodes.
    figure, axes = plt.subplots(len(rows), 1, figsize=(width, height), squeeze=False)
    for ax, (pwm, row_letters, row_structure, label, part) in zip(axes[:, 0], rows):
        name = f"{layer_name}, node {label}" if layer_name else str(label)
        plot_logo(pwm, row_letters, ax=ax, title=name + part, structure=row_structure, bits=bits)
        ax.set_xlabel("")
        # every logo numbers its positions: with many nodes the last one is thousands of pixels below the first
        ax.tick_params(axis="x", labelbottom=True, labelsize=7, pad=1)
    # Shared positions: one axis label, under the last logo.
    axes[-1, 0].set_xlabel("position")
    if title:
        # A fixed distance from the top, not a fraction of the height: suptitle's default place (98% of the
        # height) is almost 4 inches down the 190-inch figure of 150 nodes, inside the second logo.
        # tight_layout keeps the title's height (and its pad) free above the first logo.
        figure.suptitle(title, fontsize=12, y=1 - TITLE_TOP_INCHES / height, va="top")
    figure.tight_layout()
    return figure
