"""Attribution figures of ``motifnet attribute``: signed logos, the sequence's letters and per-letter heat maps.

The numbers come from :mod:`motifnet.interpret.attribution_summary`; each function draws on
an Axes (or, for the figure of one sequence, a Figure) and returns it. Callers save.
"""

from __future__ import annotations

import numpy as np

from .figures import DIVERGING, _axes, letter_colors, symmetric_limit


def plot_attribution_logo(heights: np.ndarray, letters: str, ax=None, title: str | None = None,
                          structure: bool = False, first_position: int = 1, ylabel: str = "attribution"):
    """Draw an attribution logo: letters above zero support the target, letters below oppose it.

    Parameters
    ----------
    heights : numpy.ndarray, shape=(positions, letters)
        Signed letter heights (see :func:`motifnet.interpret.attribution_summary.logo_heights`).
    letters : str
    ax : matplotlib.axes.Axes or None
        Default a new figure.
    title : str or None
    structure : bool
        Use structure-letter colours. Default is False.
    first_position : int
        Number of the first position on the axis (1-based positions). Default is 1.
    ylabel : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (10, 2))
    heights = np.asarray(heights, dtype=np.float64)
    _draw_glyphs(ax, heights, letters, letter_colors(letters, structure), first_position)
    top = max(float(np.clip(heights, 0, None).sum(axis=1).max(initial=0)), 0.0)
    bottom = min(float(np.clip(heights, None, 0).sum(axis=1).min(initial=0)), 0.0)
    span = max(top - bottom, 1e-9)
    ax.set_ylim(bottom - 0.06 * span, top + 0.06 * span)
    ax.axhline(0, color="0.55", linewidth=0.6, zorder=0)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlim(first_position - 0.5, first_position + len(heights) - 0.5)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return ax


def _draw_glyphs(ax, heights: np.ndarray, letters: str, colors: dict, first_position: int) -> int:
    """Stack logomaker glyphs: positive heights upwards from zero, negative ones downwards.

    Only letters with a height get a glyph (logomaker's ``Logo`` draws every letter at every
    position, which is several times slower for attribution logos, where one letter per
    position is non-zero). Larger heights sit further from zero. Returns the number of glyphs.
    """
    import logomaker

    for side in ax.spines.values():
        side.set_visible(False)
    scale = float(np.abs(heights).max(initial=0))
    drawn = 0
    for row, values in enumerate(heights):
        up = down = 0.0
        for column in np.argsort(np.abs(values), kind="stable"):
            value = float(values[column])
            if abs(value) <= 1e-9 * scale or value == 0:
                continue
            floor, ceiling = (up, up + value) if value > 0 else (down + value, down)
            logomaker.Glyph(first_position + row, letters[column], floor, ceiling, ax=ax, width=0.95,
                            font_name="DejaVu Sans Mono", color=colors[letters[column]])
            if value > 0:
                up = ceiling
            else:
                down = floor
            drawn += 1
    return drawn


def plot_letter_strip(matrix: np.ndarray, letters: str, ax=None, structure: bool = False, first_position: int = 1,
                      label: str = "sequence"):
    """The sequence itself, each letter at full height, under a logo whose letters may be tiny.

    Parameters
    ----------
    matrix : numpy.ndarray, shape=(positions, letters)
        1 on each observed letter (fractions for ambiguity codes).
    letters : str
    ax : matplotlib.axes.Axes or None
    structure : bool
        Use structure-letter colours. Default is False.
    first_position : int
        Default is 1.
    label : str
        The row's label on the left.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (10, 0.5))
    _draw_glyphs(ax, np.asarray(matrix, dtype=np.float64), letters, letter_colors(letters, structure),
                 first_position)
    ax.set_xlim(first_position - 0.5, first_position + len(matrix) - 0.5)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    return ax


def plot_letter_heatmap(values: np.ndarray, channel_names, ax=None, first_position: int = 1, label: str = "value"):
    """Every letter's value at every position (ISM changes, saliencies), centred on zero.

    Parameters
    ----------
    values : numpy.ndarray, shape=(positions, channels)
    channel_names : list of str
        One per channel (the heat map's rows).
    ax : matplotlib.axes.Axes or None
    first_position : int
        Default is 1.
    label : str
        The colour bar's label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (10, 0.3 + 0.16 * len(channel_names)))
    values = np.asarray(values, dtype=np.float64)
    limit = symmetric_limit(values)
    # Signed values on a diverging scale centred on zero; magnitudes (saliency) on a sequential one.
    signed = values.min(initial=0) < 0
    image = ax.imshow(values.T, aspect="auto", cmap=DIVERGING if signed else "Reds", vmin=-limit if signed else 0,
                      vmax=limit, interpolation="nearest",
                      extent=(first_position - 0.5, first_position + len(values) - 0.5, len(channel_names) - 0.5,
                              -0.5))
    ax.set_yticks(np.arange(len(channel_names)))
    ax.set_yticklabels(channel_names, fontsize=7 if len(channel_names) > 8 else 8, family="DejaVu Sans Mono")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # The colour bar sits outside the axes so that every row keeps the same positions.
    bar = ax.inset_axes([1.008, 0.0, 0.008, 1.0])
    ax.figure.colorbar(image, cax=bar)
    bar.tick_params(labelsize=7)
    bar.set_ylabel(label, fontsize=7)
    return ax


def plot_score_profile(scores: np.ndarray, first: int, last: int, ax=None, title: str | None = None):
    """A whole sequence's position scores as bars, with the positions ``first``-``last`` shaded.

    Parameters
    ----------
    scores : numpy.ndarray, shape=(length,)
    first, last : int
        The part drawn in detail elsewhere (0-based, half-open).
    ax : matplotlib.axes.Axes or None
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, (10, 1.3))
    length = len(scores)
    ax.bar(np.arange(1, length + 1), scores, width=1.0, color=np.where(scores >= 0, "#b2182b", "#2166ac"))
    ax.axvspan(first + 0.5, last + 0.5, color="0.85", zorder=0)
    ax.axhline(0, color="0.55", linewidth=0.6)
    ax.set_xlim(0.5, length + 0.5)
    ax.set_ylabel("score", fontsize=9)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return ax


def _position_ticks(ax, first: int, last: int) -> None:
    """Position numbers every 1, 5 or 10 positions, so that they never crowd."""
    span = last - first + 1
    step = 1 if span <= 30 else 5 if span <= 60 else 10
    start = first if step == 1 else int(np.ceil(first / step) * step)
    ax.set_xticks(np.arange(start, last + 1, step))


#: Height in inches of each row of the figure of one sequence.
_ROW_HEIGHTS = {"profile": 1.3, "logo": 1.9, "structure": 1.3, "strip": 0.32, "strip_structure": 0.32}


def _rows(view) -> list:
    """The rows of one sequence's figure, top to bottom, with their heights in inches."""
    rows = ["profile"] if view.partial else []
    rows += ["logo"] + (["structure"] if view.structure_logo is not None else [])
    rows += ["strip"] + (["strip_structure"] if view.structure_strip is not None else [])
    heights = [_ROW_HEIGHTS[row] for row in rows]
    if view.heatmap is not None:
        rows.append("heatmap")
        heights.append(0.3 + 0.16 * view.heatmap.shape[1])
    return list(zip(rows, heights))


def plot_sequence_attribution(view, figure=None):
    """One figure for one sequence: attribution logo, the sequence's letters, and per-letter values.

    Rows: for sequences longer than
    :data:`motifnet.interpret.attribution_summary.MAX_LOGO_POSITIONS`, the score along the whole
    sequence with the shown window shaded; the logo (structure logo too for sequence+structure
    models); the sequence (and structure) letters; for ``saliency`` and ``ism`` a heat map of
    every letter's value.

    Parameters
    ----------
    view : motifnet.interpret.attribution_summary.SequenceView
        What to draw (:func:`motifnet.interpret.attribution_summary.sequence_view`).
    figure : matplotlib.figure.Figure or None
        An empty figure to draw in; default a new one sized to the rows.

    Returns
    -------
    matplotlib.figure.Figure
        Its Axes are the rows, top to bottom; the caller saves and closes it.
    """
    import matplotlib.pyplot as plt

    rows = _rows(view)
    if figure is None:
        width = float(np.clip(2.0 + 0.15 * (view.last - view.first), 7, 22))
        figure = plt.figure(figsize=(width, sum(height for _, height in rows) + 0.7), layout="constrained")
    grid = figure.add_gridspec(len(rows), 1, height_ratios=[height for _, height in rows])
    axes = {}
    for position, (row, _) in enumerate(rows):
        share = axes.get("logo") if row not in ("profile", "logo") else None
        axes[row] = figure.add_subplot(grid[position], sharex=share)
    first_position = view.first + 1
    if view.partial:
        plot_score_profile(view.scores, view.first, view.last, ax=axes["profile"],
                           title=view.title + f"\nwhole sequence; positions {view.first + 1}-{view.last} shown below")
    plot_attribution_logo(view.logo, view.letters, ax=axes["logo"], first_position=first_position,
                          title=None if view.partial else view.title, ylabel=view.axis_label)
    if view.structure_logo is not None:
        plot_attribution_logo(view.structure_logo, view.structure_letters, ax=axes["structure"], structure=True,
                              first_position=first_position, ylabel="structure")
    plot_letter_strip(view.strip, view.letters, axes["strip"], first_position=first_position)
    if view.structure_strip is not None:
        plot_letter_strip(view.structure_strip, view.structure_letters, axes["strip_structure"], structure=True,
                          first_position=first_position, label="structure")
    if view.heatmap is not None:
        plot_letter_heatmap(view.heatmap, view.channel_names, axes["heatmap"], first_position=first_position,
                            label=view.heatmap_label)
    bottom = axes[rows[-1][0]]
    for row, _ in rows:
        if row == "profile":
            continue
        axes[row].tick_params(axis="x", labelbottom=axes[row] is bottom, labelsize=8,
                              length=3.5 if axes[row] is bottom else 0)
        axes[row].set_xlabel("")
    _position_ticks(bottom, first_position, view.last)
    bottom.set_xlabel("position")
    return figure
