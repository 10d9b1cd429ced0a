"""Predicted against measured values of a regression run, one image per target."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..run.evaluation import regression_metrics


def prediction_images(out: Path, measured: np.ndarray, predicted: np.ndarray, target_names) -> list:
    """``prediction_TARGET.png`` per target (predicted against measured); (file, caption) pairs for the report."""
    import matplotlib.pyplot as plt

    from .figures import plot_predicted_measured, save_figure

    scores = regression_metrics(measured, predicted, target_names)["per_target"]
    images, used = [], set()
    for index, name in enumerate(target_names):
        figure, ax = plt.subplots(figsize=(4.4, 4.2))
        plot_predicted_measured(measured[:, index], predicted[:, index], name, scores[name]["pearson"],
                                scores[name]["r2"], ax=ax)
        file_name = f"prediction_{_file_safe(name)}.png"
        if file_name in used:  # names that differ only in characters a file name cannot hold
            file_name = f"prediction_{index + 1}_{_file_safe(name)}.png"
        used.add(file_name)
        save_figure(figure, out / file_name)
        images.append((file_name, f"{name}: predicted against measured, test split"))
    return images

def _file_safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "target"
