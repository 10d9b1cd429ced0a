"""The report's images of a run: training curves, and ROC and precision-recall curves or predicted against measured.

:func:`curve_images` names the images a run's report can have; :func:`write_curves` draws
and saves those the run has data for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..data.split import GROUPS
from ..run.rundir import Run, read_history

TRAINING = ("training_curves.png", "Loss and validation loss per epoch")
ROC = ("roc_curves.png", "ROC curves, test split")
PR = ("pr_curves.png", "Precision-recall curves, test split")


def prediction_images(target_names) -> list:
    """(file, caption) of the predicted-against-measured image of each regression target, in target order.

    File names are ``prediction_TARGET.png``, with the characters a file name cannot hold
    replaced; targets whose names differ only in those characters are numbered.
    """
    images, used = [], set()
    for index, name in enumerate(target_names):
        file_name = f"prediction_{_file_safe(name)}.png"
        if file_name in used:
            file_name = f"prediction_{index + 1}_{_file_safe(name)}.png"
        used.add(file_name)
        images.append((file_name, f"{name}: predicted against measured, test split"))
    return images


def _file_safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "target"


def curve_images(run: Run) -> list:
    """Every (file, caption) a report of ``run`` can show, whether or not it has been drawn."""
    if run.meta["data"].get("task") == "regression":
        return [TRAINING] + prediction_images(run.meta["data"]["target_names"])
    return [TRAINING, ROC, PR]


def write_curves(run: Run, out: Path) -> list:
    """Draw and save the training curves and the test split's curves of ``run`` into ``out``.

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    out : pathlib.Path

    Returns
    -------
    list of (str, str)
        (file, caption) of each image written: the training curves when ``history.tsv`` has
        epochs; with a test split, ROC and precision-recall curves (classification) or one
        predicted-against-measured plot per target (regression).
    """
    import matplotlib.pyplot as plt

    from ..plot.figures import loss_label, plot_training_curves, save_figure

    images = []
    history = read_history(run.path)
    if history:
        figure, ax = plt.subplots(figsize=(5.2, 4))
        data = run.meta["data"]
        plot_training_curves(history, ax=ax, loss=loss_label(data.get("task", "classification"),
                                                             bool(data.get("multi_label"))))
        save_figure(figure, out / TRAINING[0])
        images.append(TRAINING)
    test = np.flatnonzero(run.groups == GROUPS.index("test"))
    if len(test):
        images += _write_test_curves(run, out, test)
    return images


def _write_test_curves(run: Run, out: Path, test: np.ndarray) -> list:
    """ROC and precision-recall curves, or predicted against measured (regression), of the test records."""
    import matplotlib.pyplot as plt

    from ..plot.figures import plot_pr_curves, plot_predicted_measured, plot_roc_curves, save_figure
    from ..run.evaluation import regression_metrics
    from ..run.predict import predict_arrays

    dataset = run.dataset
    predicted = predict_arrays(run.model, dataset, test, 256)
    if dataset.task == "regression":
        measured = dataset.targets[test]
        scores = regression_metrics(measured, predicted, dataset.target_names)["per_target"]
        images = prediction_images(dataset.target_names)
        for index, (name, (file_name, _)) in enumerate(zip(dataset.target_names, images)):
            figure, ax = plt.subplots(figsize=(4.4, 4.2))
            plot_predicted_measured(measured[:, index], predicted[:, index], name, scores[name]["pearson"],
                                    scores[name]["r2"], ax=ax)
            save_figure(figure, out / file_name)
        return images
    labels = dataset.labels[test]
    for (file_name, _), function in ((ROC, plot_roc_curves), (PR, plot_pr_curves)):
        figure, ax = plt.subplots(figsize=(4.4, 4))
        function(labels, predicted, dataset.class_names, ax=ax)
        save_figure(figure, out / file_name)
    return [ROC, PR]
