"""The clustered-activation heat map of ``motifnet cluster``."""

from __future__ import annotations

import warnings

import numpy as np

from ..interpret.clustering import ClusterResult

# Above this many rows the sequence identifiers are not drawn: they would overlap.
MAX_ROW_LABELS = 60
# At most this many kernel names along the x axis; above it every n-th kernel is named.
MAX_COLUMN_LABELS = 60
COLORBAR_LABEL = "max activation (z-score)"
# Width in inches of the strip left of the dendrogram that holds the colour bar and the legend.
STRIP = 1.6
# Characters of a class name in the legend, which the strip holds.
LEGEND_CHARACTERS = 22


def plot_clustermap(result: ClusterResult, title: str | None = None, width: float = 9.0,
                    height: float | None = None, vmax: float = 3.0, cmap: str = "vlag"):
    """Draw the clustered, standardised activations as a seaborn clustermap.

    The dendrograms are the precomputed linkages of ``result``; rows carry a colour bar of
    their class, with a legend. The figure belongs to the returned grid (seaborn makes its
    own); save it with ``grid.savefig`` and close it with ``matplotlib.pyplot.close(grid.figure)``.

    Parameters
    ----------
    result : ClusterResult
    title : str or None
        Figure title. Default is a description of what is shown.
    width, height : float
        Figure size in inches (at 100 dpi, 9 inches is 900 pixels). Default height grows with
        the number of sequences, from 7 to 11 inches.
    vmax : float
        Z-scores beyond +-``vmax`` get the end colours, so a few outliers do not wash out the
        rest. Default is 3.
    cmap : str
        Diverging matplotlib colour map centred on 0. Default is 'vlag'.

    Returns
    -------
    seaborn.matrix.ClusterGrid
    """
    import pandas as pd
    import seaborn as sns
    from matplotlib.patches import Patch

    n_rows, n_kernels = result.matrix.shape
    if height is None:
        height = float(np.clip(6 + n_rows / 100, 7, 11))
    from .figures import class_labels, class_palette, seaborn_matrix_quietly

    palette = class_palette(result.class_names)
    # Positional row index: identifiers need not be unique, and seaborn aligns colours by index.
    row_colors = pd.Series([palette[c] for c in result.row_classes], name="class")
    frame = pd.DataFrame(result.matrix, columns=result.kernel_names)
    column_step = max(1, int(np.ceil(n_kernels / MAX_COLUMN_LABELS)))
    with warnings.catch_warnings(), seaborn_matrix_quietly():
        # A dendrogram whose merges are all at distance 0 (kernels that rise and fall together over two
        # sequences standardise to the same column) is drawn flat; matplotlib only warns about its axis limits.
        warnings.filterwarnings("ignore", message="Attempting to set identical low and high", category=UserWarning)
        grid = sns.clustermap(
            frame, row_linkage=result.row_linkage, col_linkage=result.col_linkage,
            col_cluster=result.col_linkage is not None, row_colors=row_colors, cmap=cmap, center=0,
            vmin=-vmax, vmax=vmax, figsize=(width, height),
            yticklabels=[str(i) for i in result.ids] if n_rows <= MAX_ROW_LABELS else False,
            xticklabels=column_step, dendrogram_ratio=(0.12, 0.12), colors_ratio=0.025,
            cbar_kws={"orientation": "horizontal"}, tree_kws={"linewidths": 0.6},
        )
    # seaborn fills the figure; a strip on the left takes the colour bar and the class legend,
    # which would otherwise sit on the dendrogram and the colour-bar label.
    left = STRIP / width
    grid.gs.update(left=left + 0.01, top=1 - 0.5 / height)
    grid.ax_cbar.set_position((0.02, 1 - 1.0 / height, left - 0.04, 0.15 / height))
    grid.ax_cbar.set_title(COLORBAR_LABEL, fontsize=8)
    grid.ax_cbar.tick_params(labelsize=7)
    heatmap = grid.ax_heatmap
    heatmap.set_xlabel("kernel")
    heatmap.set_ylabel(f"sequences ({n_rows})" if n_rows > MAX_ROW_LABELS else "")
    heatmap.tick_params(axis="x", labelsize=8 if n_kernels <= 40 else 6, rotation=90)
    if n_rows <= MAX_ROW_LABELS:
        heatmap.tick_params(axis="y", labelsize=7 if n_rows <= 40 else 5)
    shown = sorted(set(result.row_classes.tolist()))
    labels = class_labels(result.class_names, LEGEND_CHARACTERS)  # the names that shared a start were cut alike
    handles = [Patch(facecolor=palette[c], label=labels[c]) for c in shown]
    grid.figure.legend(handles=handles, title="class", loc="upper left", bbox_to_anchor=(0.01, 1 - 1.4 / height),
                       fontsize=8, title_fontsize=8, frameon=False, alignment="left")
    if title is None:
        title = f"Clustered maximum activations of {n_kernels} first-layer kernels in {n_rows} sequences"
        if result.subsampled_from is not None:
            title += f" (class-stratified sample of {result.subsampled_from})"
    grid.figure.suptitle(title, fontsize=11, y=1 - 0.1 / height, va="top")
    return grid
