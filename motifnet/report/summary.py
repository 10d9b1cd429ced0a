"""``summary.html``: one offline page with the data, training, metrics and every kernel's plots.

Rendered with Jinja2 (autoescape on) from ``templates/summary.html``; images are linked by
relative path and live beside the page.
"""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

import numpy as np

from .._io import write_text
from .._version import __version__
from ..data.dataset import GROUPS, Dataset
from ..run.rundir import HISTORY, METRICS, Run
from ._templates import environment

log = logging.getLogger("motifnet")


def read_history(path) -> dict | None:
    """Columns of ``history.tsv`` as lists of floats (None when missing or empty)."""
    try:
        lines = Path(path).read_text().strip().split("\n")
    except OSError:
        return None
    if len(lines) < 2:
        return None
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    return {name: [float(row[i]) if row[i] else np.nan for row in rows] for i, name in enumerate(header)}


def _curves(run: Run, out: Path) -> list:
    """Training curves, ROC and precision-recall images of the run's test split."""
    import matplotlib.pyplot as plt

    from ..plot.figures import plot_pr_curves, plot_roc_curves, plot_training_curves, save_figure
    from ..run.predict import predict_arrays

    images = []
    history = read_history(run.path / HISTORY)
    if history:
        figure, ax = plt.subplots(figsize=(5.2, 4))
        plot_training_curves(history, ax=ax)
        save_figure(figure, out / "training_curves.png")
        images.append(("training_curves.png", "Loss and validation loss per epoch"))
    test = np.flatnonzero(run.groups == GROUPS.index("test"))
    if len(test):
        dataset = run.dataset
        probabilities = predict_arrays(run.model, dataset, test, 256)
        if dataset.task == "regression":  # predicted against measured, in place of ROC and PR curves
            from ..plot.regression import prediction_images

            return images + prediction_images(out, dataset.targets[test], probabilities, dataset.target_names)
        labels = dataset.labels[test]
        for name, function, caption in (("roc_curves.png", plot_roc_curves, "ROC curves, test split"),
                                        ("pr_curves.png", plot_pr_curves, "Precision-recall curves, test split")):
            figure, ax = plt.subplots(figsize=(4.4, 4))
            function(labels, probabilities, dataset.class_names, ax=ax)
            save_figure(figure, out / name)
            images.append((name, caption))
    return images


def report_context(run: Run, dataset: Dataset, kernels, data_label: str, curve_images,
                   motif_database: str | None = None) -> dict:
    """The plain dict the template renders (``motif_database``: what the kernels were matched against)."""
    meta = run.meta
    data = meta["data"]
    encoder = data["encoder"]
    try:
        metrics = json.loads((run.path / METRICS).read_text())
    except (OSError, ValueError):
        metrics = None
    alphabet = f"{encoder['alphabet']['name']} ({encoder['alphabet']['letters']})"
    if encoder.get("structure_alphabet"):
        alphabet += f" + structure {encoder['structure_alphabet']['letters']} ({encoder['structure_mode']})"
    return {
        "title": f"motifnet report: {run.path.name}",
        "version": __version__,
        "generated": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "run_path": str(run.path),
        "training": meta["training"],
        "seed": meta.get("seed"),
        "alphabet": alphabet,
        "length": encoder["length"],
        "resized": encoder.get("resize"),
        "multi_label": data["multi_label"],
        "classes": list(zip(data["class_names"], data["records_per_class"])),
        "files": data["files"],
        "split": meta["split"],
        "params": meta["params"],
        "metrics": metrics,
        "curves": curve_images,
        "data_label": data_label,
        "n_sequences": len(dataset),
        "kernels": kernels,
        "class_names": ["all"] if dataset.task == "regression" else list(dataset.class_names),
        "regression": _regression_context(meta),
        "motif_database": motif_database,
    }


def _regression_context(meta: dict) -> dict | None:
    """Targets (training mean and sd) and the epistatic landscape of a regression run; None otherwise."""
    if meta["data"].get("task") != "regression":
        return None
    described = meta.get("regression", {})
    names = meta["data"]["target_names"]
    return {"targets": list(zip(names, described.get("mean", [np.nan] * len(names)),
                                described.get("std", [np.nan] * len(names)))),
            "epistasis": described.get("epistasis")}


def write_report(run: Run, out: Path, dataset: Dataset, kernels, data_label: str,
                 motif_database: str | None = None, distinct=None, n_kernels: int | None = None) -> Path:
    """Render ``summary.html`` into ``out`` (with the curve images it links).

    ``distinct``: (MotifGroup, logo image) pairs shown first (see :mod:`motifnet.motifs.distinct`);
    ``n_kernels``: kernels in all, when ``kernels`` holds only the plotted ones.
    """
    from .attributions import report_entries

    curves = _curves(run, out)
    context = report_context(run, dataset, kernels, data_label, curves, motif_database)
    context["distinct"] = distinct or []
    context["n_kernels"] = n_kernels if n_kernels is not None else len(kernels)
    context["attributions"] = report_entries(out)  # kept from earlier `motifnet attribute` runs
    from .search_summary import search_link

    context["search"] = search_link(run.path, out)  # the run is the best of a grid search
    html = environment().get_template("summary.html").render(**context)
    path = out / "summary.html"
    write_text(path, html)
    log.info("report: %s", path)
    return path
