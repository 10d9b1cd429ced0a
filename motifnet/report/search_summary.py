"""The grid search's ``summary.html``: settings, the ranked trials and a plot of score against each parameter."""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

from .._io import write_text
from .._version import __version__
from ..run.search_folder import BEST, PLOT, RESULTS, SETTINGS, SUMMARY, format_value

log = logging.getLogger("motifnet")

_METRIC_LABELS = {"roc-auc": "ROC-AUC (mean over classes)", "pr-auc": "PR-AUC (mean over classes)",
                  "val-loss": "validation loss"}


def scores_by_value(rows, name: str, values) -> list:
    """The scores of the successful trials grouped by their value of parameter ``name``.

    Parameters
    ----------
    rows : list of dict
        Parsed rows of ``results.tsv`` (see :func:`motifnet.search.grid.parse_row`).
    name : str
        A grid parameter.
    values : list of str
        Its values as formatted in ``results.tsv``, in the grid's order.

    Returns
    -------
    list of (str, list of float)
        One pair per value, in ``values`` order (an empty list where every trial failed).
    """
    groups = {value: [] for value in values}
    for row in rows:
        if row["status"] == "ok":
            groups.setdefault(row[name], []).append(row["score"])
    return list(groups.items())


def plot_scores_by_value(groups, name: str, metric: str, best: tuple | None = None, ax=None):
    """Box and strip plot of the trial scores for each value of one parameter.

    Parameters
    ----------
    groups : list of (str, list of float)
        From :func:`scores_by_value`.
    name : str
        The parameter (x-axis label).
    metric : str
        ``roc-auc``, ``pr-auc`` or ``val-loss`` (y-axis label).
    best : (str, float) or None
        The best trial's value of the parameter and its score: that point is drawn as a star.
    ax : matplotlib.axes.Axes or None

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.2))
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
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric) + (" (lower is better)" if metric == "val-loss" else ""))
    long_labels = max((len(label) for label in labels), default=0) > 6
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, rotation=30 if long_labels else 0, ha="right" if long_labels else "center")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    return ax


def _plot(folder: Path, rows, trials, metric: str, best) -> str | None:
    import matplotlib.pyplot as plt

    from ..plot.figures import save_figure

    if not any(row["status"] == "ok" for row in rows):
        return None
    names = list(trials[0].values)
    columns = min(len(names), 3)
    lines = -(-len(names) // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(3.8 * columns, 3.4 * lines), squeeze=False,
                                sharey=True, constrained_layout=True)
    for index, name in enumerate(names):
        values = list(dict.fromkeys(format_value(trial.values[name]) for trial in trials))
        ax = axes[index // columns][index % columns]
        plot_scores_by_value(scores_by_value(rows, name, values), name, metric,
                             (best[name], best["score"]) if best else None, ax=ax)
        if index % columns:
            ax.set_ylabel("")
    for index in range(len(names), lines * columns):
        axes[index // columns][index % columns].set_visible(False)
    save_figure(figure, folder / PLOT)
    return PLOT


def write_summary(folder: Path, rows, trials, settings: dict, best_dir: Path | None) -> Path:
    """Render ``summary.html`` (and its plot) into the search folder.

    Parameters
    ----------
    folder : pathlib.Path
        The search folder.
    rows : list of dict
        Ranked, parsed rows of ``results.tsv``.
    trials : list of motifnet.search.grid.Trial
        The grid's trials, in grid order.
    settings : dict
        The search's settings (``search.json``).
    best_dir : pathlib.Path or None
        The retrained best run, when there is one.
    """
    from ._templates import environment

    metric = settings["metric"]
    best = rows[0] if rows and rows[0]["status"] == "ok" else None
    test_metrics = None
    if best_dir is not None:
        try:
            test_metrics = json.loads((best_dir / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            test_metrics = None
    report = best_dir / "report" / "summary.html" if best_dir is not None else None
    context = {
        "title": f"motifnet grid search: {folder.resolve().name}",
        "version": __version__,
        "generated": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "folder": str(folder),
        "settings": settings,
        "metric_label": _METRIC_LABELS[metric],
        "lower_is_better": metric == "val-loss",
        "evaluation": f"{settings['folds']}-fold cross-validation on the train and validation records (stratified)"
                      if settings["folds"] else "the validation split",
        "grid_names": list(trials[0].values) if trials else [],
        "rows": rows,
        "n_ok": sum(row["status"] == "ok" for row in rows),
        "n_failed": sum(row["status"] != "ok" for row in rows),
        "n_trials": len(trials),
        "best": best,
        "best_params": {key: format_value(value) for key, value in best["params"].items()} if best else None,
        "grid": {name: [format_value(value) for value in values] for name, values in settings["grid"].items()},
        "fixed": {name: format_value(value) for name, value in settings["params"].items()
                  if name not in settings["grid"]},
        "test_metrics": test_metrics,
        "best_link": f"{best_dir.name}/" if best_dir is not None else None,
        "report_link": f"{best_dir.name}/report/summary.html" if report is not None and report.exists() else None,
        "plot": _plot(folder, rows, trials, metric, best),
    }
    html = environment().get_template("search_summary.html").render(**context)
    path = folder / "summary.html"
    write_text(path, html)
    return path


def search_link(run_path: Path, report_dir: Path) -> dict | None:
    """For a report on ``SEARCH_DIR/best``: the search's summary (relative link) and the best trial."""
    import os


    run_path = Path(run_path)
    folder = run_path.parent
    if run_path.name != BEST or not (folder / SETTINGS).exists() or not (folder / SUMMARY).exists():
        return None
    try:
        state = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
        best = state["best"]
        trials = sum(1 for _ in open(folder / RESULTS, encoding="utf-8")) - 1
        return {"href": os.path.relpath(folder / SUMMARY, report_dir), "trial": best["trial"],
                "score": float(best["score"]), "metric": state["settings"]["metric"], "trials": trials}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged search folder only costs the link
