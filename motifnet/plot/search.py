"""Plots of a grid search: the trial scores for each value of each grid parameter."""

from __future__ import annotations

import numpy as np

from ..run.search_folder import format_value
from .figures import _axes

METRIC_LABELS = {"roc-auc": "ROC-AUC (mean over classes)", "pr-auc": "PR-AUC (mean over classes)",
                 "val-loss": "validation loss"}


def _label(value) -> str:
    return value if isinstance(value, str) else format_value(value)


def plot_scores_by_value(groups, name: str, metric: str, best: tuple | None = None, ax=None):
    """Box and strip plot of the trial scores for each value of one parameter.

    Parameters
    ----------
    groups : list of (object, list of float)
        From :func:`motifnet.report.search_summary.scores_by_value`: each value (text as in
        ``results.tsv``, or a number, bool, tuple or None, shown as ``--param`` writes it) and its scores.
    name : str
        The parameter (x-axis label).
    metric : str
        ``roc-auc``, ``pr-auc`` or ``val-loss`` (y-axis label).
    best : (object, float) or None
        The best trial's value of the parameter and its score: that point is drawn as a star.
    ax : matplotlib.axes.Axes or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax, figsize=(3.6, 3.2))
    # Values may come as numbers, booleans, tuples or None rather than as results.tsv's text.
    groups = [(_label(label), scores) for label, scores in groups]
    best = (_label(best[0]), best[1]) if best is not None else None
    labels = [label for label, _ in groups]
    positions = np.arange(len(labels))
    filled = [(position, scores) for position, (_, scores) in zip(positions, groups) if scores]
    if filled:
        ax.boxplot([scores for _, scores in filled], positions=[position for position, _ in filled], widths=0.55,
                   showfliers=False, patch_artist=True, boxprops={"facecolor": "#dbe6f2", "edgecolor": "#59636e"},
                   medianprops={"color": "#59636e"}, whiskerprops={"color": "#59636e"},
                   capprops={"color": "#59636e"})
    jitter = np.random.default_rng(0)  # the same picture for the same scores
    for position, (label, scores) in zip(positions, groups):
        if not scores:
            ax.text(position, 0.5, "all trials\nfailed", transform=ax.get_xaxis_transform(), ha="center",
                    va="center", color="#59636e", fontsize=9)
            continue
        x = position + (jitter.uniform(-0.15, 0.15, len(scores)) if len(scores) > 1 else np.zeros(1))
        starred = scores.index(best[1]) if best is not None and label == best[0] and best[1] in scores else None
        plain = [i for i in range(len(scores)) if i != starred]
        ax.scatter(x[plain], np.asarray(scores)[plain], s=22, color="#255c99", alpha=0.85, zorder=3,
                   edgecolors="white", linewidths=0.5)
        if starred is not None:
            ax.plot(x[starred], scores[starred], marker="*", markersize=15, color="#d62839",
                    markeredgecolor="white", linestyle="none", zorder=5, label="best trial")
    ax.set_xlabel(name)
    ax.set_ylabel(METRIC_LABELS.get(metric, metric) + (" (lower is better)" if metric == "val-loss" else ""))
    long_labels = max((len(label) for label in labels), default=0) > 6
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=30 if long_labels else 0, ha="right" if long_labels else "center")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    return ax


def plot_scores_by_parameter(panels, metric: str, best: dict | None = None, columns: int = 3):
    """One :func:`plot_scores_by_value` panel per grid parameter, on a shared score axis.

    Parameters
    ----------
    panels : list of (str, list of (str, list of float))
        Per parameter, its name and its scores grouped by value (see
        :func:`motifnet.report.search_summary.scores_by_value`).
    metric : str
        ``roc-auc``, ``pr-auc`` or ``val-loss``.
    best : dict or None
        The best trial's row: its value of each parameter and its ``score`` are drawn as a star.
    columns : int
        Panels per row at most. Default is 3.

    Returns
    -------
    matplotlib.figure.Figure
        The caller saves and closes it.
    """
    import matplotlib.pyplot as plt

    columns = min(len(panels), columns)
    lines = -(-len(panels) // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(3.8 * columns, 3.4 * lines), squeeze=False,
                                sharey=True, constrained_layout=True)
    for index, (name, groups) in enumerate(panels):
        ax = axes[index // columns][index % columns]
        plot_scores_by_value(groups, name, metric, (best[name], best["score"]) if best else None, ax=ax)
        if index % columns:
            ax.set_ylabel("")
    for index in range(len(panels), lines * columns):
        axes[index // columns][index % columns].set_visible(False)
    return figure
