"""Metrics of a model's predictions: classification (scikit-learn) and regression (SciPy)."""

from __future__ import annotations

import math

import numpy as np


def _score(function, truth, scores):
    if truth.min() == truth.max():
        return None  # undefined when only one of positive/negative is present
    if not np.all(np.isfinite(scores)):
        return None  # a diverged model predicts NaN: no ranking to score
    return float(function(truth, scores))


def _mean(values):
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def compute_metrics(labels: np.ndarray, probabilities: np.ndarray, class_names, multi_label: bool) -> dict:
    """Per-class ROC-AUC and PR-AUC (average precision), and their means.

    Parameters
    ----------
    labels : numpy.ndarray, shape=(n, classes)
        True one-hot or multi-hot labels.
    probabilities : numpy.ndarray, shape=(n, classes)
        Predicted probabilities.
    class_names : list of str
    multi_label : bool
        Adds micro-averaged scores (macro is the mean over classes).

    Returns
    -------
    dict
        ``n``, ``per_class`` (name -> roc_auc, pr_auc, positives), ``roc_auc_mean``, ``pr_auc_mean``,
        ``accuracy`` (single-label) or ``roc_auc_micro``/``pr_auc_micro`` (multi-label).
        A score is None where it is undefined (a class without positives or negatives, or
        non-finite probabilities).
    """
    from sklearn.metrics import average_precision_score, roc_auc_score  # not at import: `--help` stays fast

    labels = np.asarray(labels)
    result = {"n": int(len(labels)), "per_class": {}}
    if len(labels) == 0:
        result.update(roc_auc_mean=None, pr_auc_mean=None)
        return result
    for index, name in enumerate(class_names):
        truth, scores = labels[:, index], probabilities[:, index]
        result["per_class"][name] = {
            "roc_auc": _score(roc_auc_score, truth, scores),
            "pr_auc": _score(average_precision_score, truth, scores),
            "positives": int(truth.sum()),
        }
    per_class = result["per_class"].values()
    result["roc_auc_mean"] = _mean([c["roc_auc"] for c in per_class])
    result["pr_auc_mean"] = _mean([c["pr_auc"] for c in per_class])
    if multi_label:
        result["roc_auc_macro"] = result["roc_auc_mean"]
        result["pr_auc_macro"] = result["pr_auc_mean"]
        result["roc_auc_micro"] = _score(roc_auc_score, labels.ravel(), probabilities.ravel())
        result["pr_auc_micro"] = _score(average_precision_score, labels.ravel(), probabilities.ravel())
    else:
        result["accuracy"] = (float(np.mean(labels.argmax(axis=1) == probabilities.argmax(axis=1)))
                              if np.all(np.isfinite(probabilities)) else None)
    return result


def format_metric(value) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def summary_line(metrics: dict, run_dir, task: str = "classification") -> str:
    """The line ``motifnet train`` ends with: the headline test metrics and the run folder.

    Parameters
    ----------
    metrics : dict
        Test metrics, as :func:`compute_metrics` (classification) or :func:`regression_metrics`
        return them.
    run_dir : str or pathlib.Path
        The run folder.
    task : {'classification', 'regression'}
        Default is 'classification'.

    Returns
    -------
    str
        Classification: mean ROC-AUC and PR-AUC over classes; regression: mean Pearson r and
        R² over targets; a missing score reads ``n/a``.
    """
    if task == "regression":
        return (f"test Pearson r (mean over targets) {format_metric(metrics['pearson_mean'])}, "
                f"R² {format_metric(metrics['r2_mean'])}; run folder: {run_dir}")
    return (f"test ROC-AUC (mean over classes) {format_metric(metrics['roc_auc_mean'])}, "
            f"PR-AUC {format_metric(metrics['pr_auc_mean'])}; run folder: {run_dir}")


def _correlation(function, truth, predicted):
    if len(truth) < 2 or not np.all(np.isfinite(predicted)) or np.ptp(truth) == 0 or np.ptp(predicted) == 0:
        return None  # undefined for constant or non-finite values
    return float(function(truth, predicted)[0])


def regression_metrics(targets: np.ndarray, predictions: np.ndarray, target_names) -> dict:
    """Per-target Pearson and Spearman correlation, R² and mean squared error, and their means.

    Parameters
    ----------
    targets : numpy.ndarray, shape=(n, targets)
        Measured values.
    predictions : numpy.ndarray, shape=(n, targets)
        Predicted values (original scale).
    target_names : list of str

    Returns
    -------
    dict
        ``task`` ('regression'), ``n``, ``per_target`` (name -> pearson, spearman, r2, mse), and
        ``pearson_mean``, ``spearman_mean``, ``r2_mean``, ``mse_mean``. A score is None where it
        is undefined (fewer than two records, constant or non-finite values).
    """
    from scipy.stats import pearsonr, spearmanr

    targets = np.asarray(targets, dtype=np.float64)
    predictions = np.asarray(predictions, dtype=np.float64)
    result = {"task": "regression", "n": int(len(targets)), "per_target": {}}
    for index, name in enumerate(target_names):
        truth, predicted = targets[:, index], predictions[:, index]
        if len(truth) and np.all(np.isfinite(predicted)):
            mse = float(np.mean((truth - predicted) ** 2))
            total = float(np.sum((truth - truth.mean()) ** 2))
            r2 = 1.0 - mse * len(truth) / total if len(truth) > 1 and total > 0 else None
        else:
            mse = r2 = None
        result["per_target"][name] = {
            "pearson": _correlation(pearsonr, truth, predicted),
            "spearman": _correlation(spearmanr, truth, predicted),
            "r2": r2,
            "mse": mse,
        }
    for score in ("pearson", "spearman", "r2", "mse"):
        result[f"{score}_mean"] = _mean([entry[score] for entry in result["per_target"].values()])
    return result
