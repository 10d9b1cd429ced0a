"""The grid search's plot: one panel of scores per grid parameter (headless)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from motifnet.plot.search import plot_scores_by_parameter  # noqa: E402


def test_one_panel_per_parameter_and_the_best_trial_starred():
    panels = [("kernel_len", [("5", [0.7, 0.8]), ("9", [0.9])]), ("kernel_num", [("4", [0.7, 0.9]), ("8", [0.8])]),
              ("dropout", [("0", [0.9]), ("0.1", [0.7, 0.8])]), ("epochs", [("2", [0.7, 0.8, 0.9])])]
    best = {"kernel_len": "9", "kernel_num": "4", "dropout": "0", "epochs": "2", "score": 0.9}
    figure = plot_scores_by_parameter(panels, "pr-auc", best)
    try:
        axes = figure.axes
        assert len(axes) == 6 and [ax.get_visible() for ax in axes] == [True] * 4 + [False] * 2  # 2 rows of 3
        assert [ax.get_xlabel() for ax in axes[:4]] == ["kernel_len", "kernel_num", "dropout", "epochs"]
        assert "PR-AUC" in axes[0].get_ylabel() and axes[1].get_ylabel() == "" and "PR-AUC" in axes[3].get_ylabel()
        stars = [[line for line in ax.lines if line.get_marker() == "*"] for ax in axes[:4]]
        assert [len(found) for found in stars] == [1, 1, 1, 1]
        assert all(found[0].get_ydata()[0] == 0.9 for found in stars)
    finally:
        plt.close(figure)
