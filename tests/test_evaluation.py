"""motifnet.run.evaluation: classification and regression metrics, exact on small inputs worked by hand."""

import math

import numpy as np
import pytest

from motifnet.run.evaluation import compute_metrics, format_metric, regression_metrics, summary_line

# Class a: positives score 0.9 and 0.4, negatives 0.3 and 0.6 -> 3 of 4 pairs ordered: ROC-AUC 0.75;
# ranked 0.9+, 0.6-, 0.4+, 0.3- -> precision 1 and 2/3 at the positives: average precision 5/6.
# Class b mirrors it. Predicted classes a, b, b, a against a, a, b, b: accuracy 0.5.
LABELS = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.uint8)
PROBABILITIES = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.6, 0.4]])


def test_single_label_metrics():
    metrics = compute_metrics(LABELS, PROBABILITIES, ["a", "b"], multi_label=False)
    assert set(metrics) == {"n", "per_class", "roc_auc_mean", "pr_auc_mean", "accuracy"}
    assert metrics["n"] == 4
    for name in ("a", "b"):
        assert metrics["per_class"][name]["roc_auc"] == pytest.approx(0.75)
        assert metrics["per_class"][name]["pr_auc"] == pytest.approx(5 / 6)
        assert metrics["per_class"][name]["positives"] == 2
    assert metrics["roc_auc_mean"] == pytest.approx(0.75) and metrics["pr_auc_mean"] == pytest.approx(5 / 6)
    assert metrics["accuracy"] == 0.5


def test_a_class_without_positives_has_no_scores_and_is_left_out_of_the_means():
    labels = np.hstack([LABELS, np.zeros((4, 1), dtype=np.uint8)])
    probabilities = np.hstack([PROBABILITIES * 0.9, np.full((4, 1), 0.1)])
    metrics = compute_metrics(labels, probabilities, ["a", "b", "empty"], multi_label=False)
    assert metrics["per_class"]["empty"] == {"roc_auc": None, "pr_auc": None, "positives": 0}
    assert metrics["roc_auc_mean"] == pytest.approx(0.75) and metrics["pr_auc_mean"] == pytest.approx(5 / 6)


def test_multi_label_metrics_add_micro_and_macro_averages():
    labels = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=np.uint8)
    probabilities = np.array([[0.8, 0.2], [0.7, 0.9], [0.1, 0.4], [0.3, 0.5]])
    metrics = compute_metrics(labels, probabilities, ["x", "y"], multi_label=True)
    assert "accuracy" not in metrics
    assert metrics["per_class"]["x"]["roc_auc"] == 1.0 and metrics["per_class"]["x"]["pr_auc"] == 1.0
    assert metrics["per_class"]["y"]["roc_auc"] == pytest.approx(0.75)
    assert metrics["per_class"]["y"]["pr_auc"] == pytest.approx(5 / 6)
    assert metrics["roc_auc_macro"] == metrics["roc_auc_mean"] == pytest.approx(0.875)
    assert metrics["pr_auc_macro"] == metrics["pr_auc_mean"] == pytest.approx(11 / 12)
    # All eight cells: positives 0.9, 0.8, 0.7, 0.4 against negatives 0.5, 0.3, 0.2, 0.1 -> 15 of 16 pairs;
    # ranked +, +, +, -, +, ... -> average precision (1 + 1 + 1 + 4/5) / 4.
    assert metrics["roc_auc_micro"] == pytest.approx(15 / 16)
    assert metrics["pr_auc_micro"] == pytest.approx(0.95)


def test_no_records_no_scores():
    metrics = compute_metrics(np.zeros((0, 2)), np.zeros((0, 2)), ["a", "b"], multi_label=False)
    assert metrics == {"n": 0, "per_class": {}, "roc_auc_mean": None, "pr_auc_mean": None}


def test_regression_metrics():
    # Target t: deviations (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5): r = 4 / 5; the same ranks give
    # Spearman 0.8; squared errors 0, 1, 1, 0: MSE 0.5; R² = 1 - 4 * 0.5 / 5 = 0.6.
    # Target flat: constant truth, so the correlations and R² are undefined; MSE (16 + 9 + 4 + 1) / 4.
    targets = np.array([[1, 5], [2, 5], [3, 5], [4, 5]], dtype=np.float32)
    predictions = np.array([[1, 1], [3, 2], [2, 3], [4, 4]], dtype=np.float32)
    metrics = regression_metrics(targets, predictions, ["t", "flat"])
    assert metrics["task"] == "regression" and metrics["n"] == 4
    assert metrics["per_target"]["t"] == pytest.approx({"pearson": 0.8, "spearman": 0.8, "r2": 0.6, "mse": 0.5})
    assert metrics["per_target"]["flat"] == {"pearson": None, "spearman": None, "r2": None, "mse": 7.5}
    assert metrics["pearson_mean"] == pytest.approx(0.8) and metrics["spearman_mean"] == pytest.approx(0.8)
    assert metrics["r2_mean"] == pytest.approx(0.6) and metrics["mse_mean"] == pytest.approx(4.0)


def test_regression_metrics_of_one_or_no_record():
    one = regression_metrics(np.array([[2.0]]), np.array([[3.0]]), ["t"])
    assert one["per_target"]["t"] == {"pearson": None, "spearman": None, "r2": None, "mse": 1.0}
    none = regression_metrics(np.zeros((0, 1)), np.zeros((0, 1)), ["t"])
    assert none["n"] == 0 and none["per_target"]["t"] == {"pearson": None, "spearman": None, "r2": None, "mse": None}
    assert none["mse_mean"] is None


@pytest.mark.parametrize("value, text", [(None, "n/a"), (math.nan, "n/a"), (0.12345, "0.123"), (1, "1.000"),
                                         (-0.0004, "-0.000")])
def test_format_metric(value, text):
    assert format_metric(value) == text


def test_summary_line_of_train():
    metrics = compute_metrics(LABELS, PROBABILITIES, ["a", "b"], multi_label=False)
    assert summary_line(metrics, "runs/x") == ("test ROC-AUC (mean over classes) 0.750, PR-AUC 0.833; "
                                               "run folder: runs/x")
    regression = {"pearson_mean": 0.8, "r2_mean": None}
    assert summary_line(regression, "r", task="regression") == ("test Pearson r (mean over targets) 0.800, R² n/a; "
                                                               "run folder: r")


def test_nan_predictions_of_a_diverged_model_give_no_scores_instead_of_an_error():
    labels = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    metrics = compute_metrics(labels, np.full((4, 2), np.nan), ["a", "b"], multi_label=False)
    assert metrics["roc_auc_mean"] is None and metrics["pr_auc_mean"] is None and metrics["accuracy"] is None
    multi = compute_metrics(labels, np.full((4, 2), np.nan), ["a", "b"], multi_label=True)
    assert multi["roc_auc_micro"] is None and multi["pr_auc_micro"] is None
    regression = regression_metrics(np.array([[1.0], [2.0], [3.0]]), np.array([[np.nan], [1.0], [np.inf]]), ["t"])
    assert regression["per_target"]["t"] == {"pearson": None, "spearman": None, "r2": None, "mse": None}
