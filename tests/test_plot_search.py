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


def test_values_of_every_type_are_drawn_as_the_command_line_writes_them():
    from motifnet.plot.search import plot_scores_by_value

    groups = [(0.2, [0.7, 0.8]), (3, [0.6]), (True, [0.9]), ((300, 100), [0.5]), (None, [0.4]), (1e-05, [])]
    ax = plot_scores_by_value(groups, "value", "roc-auc", best=(True, 0.9))
    try:
        assert [t.get_text() for t in ax.get_xticklabels()] == ["0.2", "3", "true", "300,100", "None", "1e-05"]
        stars = [line for line in ax.lines if line.get_marker() == "*"]
        assert len(stars) == 1 and abs(stars[0].get_xdata()[0] - 2) <= 0.15
    finally:
        plt.close(ax.figure)


def test_a_float_grid_named_like_a_result_column_is_grouped_by_the_trials_values():
    """results.tsv shares the epochs column with a grid over epochs; parse_row makes it a float."""
    from motifnet.report.search_summary import scores_by_value

    rows = [{"status": "ok", "score": 0.7, "epochs": 2.0, "dropout_conv": "0.2",
             "params": {"epochs": 2, "dropout_conv": 0.2}},
            {"status": "ok", "score": 0.8, "epochs": 3.0, "dropout_conv": "0.4",
             "params": {"epochs": 3, "dropout_conv": 0.4}}]
    assert scores_by_value(rows, "epochs", ["2", "3"]) == [("2", [0.7]), ("3", [0.8])]
    assert scores_by_value(rows, "dropout_conv", ["0.2", "0.4"]) == [("0.2", [0.7]), ("0.4", [0.8])]
    figure = plot_scores_by_parameter([("epochs", scores_by_value(rows, "epochs", ["2", "3"]))], "roc-auc",
                                      {"epochs": 3.0, "score": 0.8})
    try:
        assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["2", "3"]
    finally:
        plt.close(figure)
