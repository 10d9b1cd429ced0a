"""Classification metrics of a model's predictions (scikit-learn)."""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def _score(function, truth, scores):
    if truth.min() == truth.max():
        return None  # undefined when only one of positive/negative is present
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
        A score is None where it is undefined (a class without positives or negatives).
    """
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
        result["accuracy"] = float(np.mean(labels.argmax(axis=1) == probabilities.argmax(axis=1)))
    return result


def format_metric(value) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
