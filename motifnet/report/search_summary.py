"""The grid search's ``summary.html``: settings, the ranked trials and a plot of score against each parameter."""

from __future__ import annotations

import datetime
import json
import logging
import os
import shlex
from pathlib import Path

from .._io import write_text
from .._version import __version__
from ..plot.search import METRIC_LABELS, plot_scores_by_parameter, plot_scores_by_value
from ..run.rundir import META, read_metrics
from ..run.search_folder import BEST, PLOT, RESULTS, SETTINGS, SUMMARY, format_value, grid_column, read_search_state

log = logging.getLogger("motifnet")

# plot_scores_by_value now lives in motifnet.plot.search; it stays importable from here for older callers.
__all__ = ["plot_scores_by_value", "scores_by_value", "search_link", "write_summary"]


def scores_by_value(rows, name: str, values) -> list:
    """The scores of the successful trials grouped by their value of parameter ``name``.

    Parameters
    ----------
    rows : list of dict
        Parsed rows of ``results.tsv`` (see :func:`motifnet.search._results.parse_row`).
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
            groups.setdefault(_value_of(row, name), []).append(row["score"])
    return list(groups.items())


def _value_of(row: dict, name: str) -> str:
    """The trial's value of ``name`` as formatted in ``results.tsv``.

    Taken from the trial's parameters where the row has them: in a search folder written before
    grid columns were told apart from result columns (:func:`motifnet.run.search_folder.grid_column`), a
    grid parameter named ``epochs`` or ``seed`` shares the column of that result.
    """
    params = row.get("params")
    value = params[name] if isinstance(params, dict) and name in params else row[grid_column(name)]
    return value if isinstance(value, str) else format_value(value)


def _plot(folder: Path, rows, trials, metric: str, best) -> str | None:
    """Draw and save the score of each trial against each grid parameter; the image's name, or None."""
    from ..plot.figures import save_figure

    if not any(row["status"] == "ok" for row in rows):
        return None
    panels = []
    for name in trials[0].values:
        values = list(dict.fromkeys(format_value(trial.values[name]) for trial in trials))
        panels.append((name, scores_by_value(rows, name, values)))
    if best is not None:
        best = {**{name: _value_of(best, name) for name, _ in panels}, "score": best["score"]}
    save_figure(plot_scores_by_parameter(panels, metric, best), folder / PLOT)
    return PLOT


def write_summary(folder: Path, rows, trials, settings: dict, best_dir: Path | None,
                  run_score: float | None = None) -> Path:
    """Render ``summary.html`` (and its plot) into the search folder.

    Parameters
    ----------
    folder : pathlib.Path
        The search folder.
    rows : list of dict
        Ranked, parsed rows of ``results.tsv``.
    trials : list of motifnet.search._space.Trial
        The grid's trials, in grid order.
    settings : dict
        The search's settings (``search.json``).
    best_dir : pathlib.Path or None
        The retrained best run, when there is one.
    run_score : float or None
        That run's own score on its validation records (it starts from other weights than the trial did).
        Default is None: unknown.
    """
    from ._templates import environment

    metric = settings["metric"]
    best = rows[0] if rows and rows[0]["status"] == "ok" else None
    test_metrics = read_metrics(best_dir) if best_dir is not None else None
    report = best_dir / "report" / "summary.html" if best_dir is not None else None
    try:
        choice = read_search_state(folder).get("preset_choice") or {}
    except (OSError, ValueError):
        choice = {}
    context = {
        "title": f"motifnet grid search: {folder.resolve().name}",
        "version": __version__,
        "generated": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "folder": str(folder),
        "settings": settings,
        "metric_label": METRIC_LABELS[metric],
        "lower_is_better": metric == "val-loss",
        "evaluation": f"{settings['folds']}-fold cross-validation on the train and validation records (stratified)"
                      if settings["folds"] else "the validation split",
        # (parameter, its results.tsv column): a parameter named like a result column (epochs) has its own
        "grid_columns": [(name, grid_column(name)) for name in trials[0].values] if trials else [],
        "rows": rows,
        "n_ok": sum(row["status"] == "ok" for row in rows),
        "n_failed": sum(row["status"] != "ok" for row in rows),
        "n_trials": len(trials),
        "best": best,
        "run_score": run_score if best else None,
        "best_params": {key: format_value(value) for key, value in best["params"].items()} if best else None,
        "grid": {name: [format_value(value) for value in values] for name, values in settings["grid"].items()},
        "fixed": {name: format_value(value) for name, value in settings["params"].items()
                  if name not in settings["grid"]},
        "preset": settings.get("preset_taken") or settings["preset"],
        "preset_reason": choice.get("reason") if isinstance(choice, dict) else None,
        # Under preset auto trials may start from different presets (as train would take for their values).
        "show_preset": settings["preset"] == "auto",
        "test_metrics": test_metrics,
        "best_link": f"{best_dir.name}/" if best_dir is not None else None,
        # to paste in a shell from any folder: the folder as typed was relative to where the search began, and a
        # space in it split the command
        "report_command": shlex.join(["motifnet", "visualize-kernels", str(best_dir.resolve()), "-o",
                                      str(best_dir.resolve() / "report")]) if best_dir is not None else None,
        "report_link": f"{best_dir.name}/report/summary.html" if report is not None and report.exists() else None,
        "report_stale": report is not None and _of_an_earlier_model(report.parent, best_dir),
        "plot": _plot(folder, rows, trials, metric, best),
    }
    html = environment().get_template("search_summary.html").render(**context)
    path = folder / "summary.html"
    write_text(path, html)
    return path


def _of_an_earlier_model(report_dir: Path, best_dir: Path) -> bool:
    """Whether the report in ``report_dir`` shows another model than ``best_dir``'s (trained there again since:
    ``--overwrite``, a new best): the SHA-256 of the models its training saved, as its ``report.json`` and
    ``best/motifnet.json`` record them; for a report that records none (an older motifnet), whether its
    ``summary.html`` was written before ``motifnet.json``. False where neither can tell."""
    try:
        report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))["run"]["training"]
        training = json.loads((best_dir / META).read_text(encoding="utf-8"))["training"]
        if report.get("model_sha256") and training.get("model_sha256"):
            return report["model_sha256"] != training["model_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        return (report_dir / "summary.html").stat().st_mtime < (best_dir / META).stat().st_mtime
    except OSError:
        return False


def search_link(run_path: Path, report_dir: Path) -> dict | None:
    """For a report on ``SEARCH_DIR/best``: the search's summary (relative link) and the best trial."""
    run_path = Path(run_path)
    folder = run_path.parent
    if run_path.name != BEST or not (folder / SETTINGS).exists() or not (folder / SUMMARY).exists():
        return None
    try:
        state = read_search_state(folder)
        best = state["best"]
        trials = sum(1 for _ in open(folder / RESULTS, encoding="utf-8")) - 1
        return {"href": os.path.relpath(folder / SUMMARY, report_dir), "trial": best["trial"],
                "score": float(best["score"]), "metric": state["settings"]["metric"], "trials": trials}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged search folder only costs the link
