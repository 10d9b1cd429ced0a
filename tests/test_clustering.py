"""Clustering of sequences and kernels: permutations, the first split, standardisation, selection, plot."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.cluster.hierarchy import fcluster  # noqa: E402

from motifnet.errors import ParamError  # noqa: E402
from motifnet.interpret.activations import KernelActivations  # noqa: E402
from motifnet.interpret.clustering import (  # noqa: E402
    ClusterResult,
    cluster_activations,
    standardize,
    stratified_sample,
)
from motifnet.plot.clustermap import COLORBAR_LABEL, plot_clustermap  # noqa: E402


def make_activations(max_activation, classes, class_names=("a", "b", "c"), labels=None):
    max_activation = np.asarray(max_activation, dtype=np.float32)
    n, kernels = max_activation.shape
    if labels is None:
        labels = np.eye(len(class_names), dtype=np.uint8)[np.asarray(classes)]
    return KernelActivations(max_activation, np.zeros((n, kernels), dtype=np.int32), labels,
                             np.array([f"seq{i}" for i in range(n)]), list(class_names), 5)


def two_groups(rng, n_each=15, kernels=6):
    """Group 0 fires kernels 0-2, group 1 fires kernels 3-5; both carry small noise."""
    values = rng.uniform(0, 0.3, size=(2 * n_each, kernels))
    values[:n_each, : kernels // 2] += 5
    values[n_each:, kernels // 2:] += 5
    # Classes deliberately cut across the groups: the split must come from the activations.
    classes = np.arange(2 * n_each) % 3
    return values, classes, np.repeat([0, 1], n_each)


def random_activations(n=40, kernels=7, seed=0):
    rng = np.random.default_rng(seed)
    return make_activations(rng.gamma(2, 1, size=(n, kernels)), rng.integers(0, 3, n))


def test_orders_are_permutations_of_rows_and_kernels():
    result = cluster_activations(random_activations(n=40, kernels=7))
    assert isinstance(result, ClusterResult)
    assert sorted(result.row_order.tolist()) == list(range(40))
    assert sorted(result.col_order.tolist()) == list(range(7))
    assert result.matrix.shape == (40, 7)
    assert result.row_linkage.shape == (39, 4) and result.col_linkage.shape == (6, 4)
    assert result.kept_rows.tolist() == list(range(40))
    assert result.subsampled_from is None


def test_first_split_of_rows_separates_the_two_groups():
    values, classes, groups = two_groups(np.random.default_rng(1))
    result = cluster_activations(make_activations(values, classes))
    clusters = fcluster(result.row_linkage, 2, "maxclust")
    assert len(set(clusters[groups == 0])) == 1 and len(set(clusters[groups == 1])) == 1
    assert clusters[groups == 0][0] != clusters[groups == 1][0]
    # The kernels split the same way, and each group is contiguous in the row order.
    kernel_clusters = fcluster(result.col_linkage, 2, "maxclust")
    assert len(set(kernel_clusters[:3])) == 1 and len(set(kernel_clusters[3:])) == 1
    ordered_groups = groups[result.row_order]
    assert np.count_nonzero(np.diff(ordered_groups)) == 1


def test_standardisation_is_exact_and_constant_columns_are_zero():
    matrix = np.array([[1.0, 2.0, 7.0], [3.0, 2.0, 7.0], [5.0, 2.0, 7.0]])
    z = np.sqrt(1.5)  # (5 - 3) / sqrt(8 / 3)
    expected = np.array([[-z, 0, 0], [0, 0, 0], [z, 0, 0]])
    np.testing.assert_allclose(standardize(matrix), expected, atol=1e-12)
    result = cluster_activations(make_activations(matrix, [0, 1, 2]))
    np.testing.assert_allclose(result.matrix, expected, atol=1e-6)
    assert np.isfinite(result.matrix).all()


def test_standardisation_has_zero_mean_unit_variance():
    result = cluster_activations(random_activations(n=50, kernels=4))
    np.testing.assert_allclose(result.matrix.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(result.matrix.std(axis=0), 1, atol=1e-9)


def test_classes_restrict_the_sequences():
    activations = random_activations(n=60)
    classes = activations.labels.argmax(axis=1)
    result = cluster_activations(activations, classes=[0, 2])
    assert result.kept_rows.tolist() == np.flatnonzero(np.isin(classes, [0, 2])).tolist()
    assert set(result.row_classes.tolist()) == {0, 2}
    np.testing.assert_array_equal(result.row_classes, classes[result.kept_rows])
    np.testing.assert_array_equal(result.ids, activations.ids[result.kept_rows])
    assert sorted(result.row_order.tolist()) == list(range(len(result.kept_rows)))
    assert result.class_names == ["a", "b", "c"]


def test_classes_are_names_or_indices_and_a_name_wins():
    activations = random_activations(n=60)
    by_index = cluster_activations(activations, classes=[0, 2])
    for given in (["a", "c"], ["c", " a "], ["a", "2"], ["0", "c", "a"]):
        assert cluster_activations(activations, classes=given).kept_rows.tolist() == by_index.kept_rows.tolist()
    # Classes named like indices: the name is meant ("1" is the class at index 0).
    named = make_activations(activations.max_activation, activations.labels.argmax(axis=1), ("1", "0", "x"))
    assert cluster_activations(named, classes=["1", "x"]).kept_rows.tolist() == by_index.kept_rows.tolist()


@pytest.mark.parametrize("kwargs,fragment", [
    ({"classes": [3]}, "classes: index 3 is out of range; give class names or 0-based indices: 0=a, 1=b, 2=c"),
    ({"classes": ["3"]}, "classes: index 3 is out of range; give class names or 0-based indices: 0=a, 1=b, 2=c"),
    ({"classes": [-1]}, "index -1 is out of range"),
    ({"classes": []}, "give at least one class;"),
    ({"classes": ["x"]}, "classes: 'x' is not a class of the model; give class names or 0-based indices: 0=a, 1=b"),
    ({"classes": [0.5]}, "expected class names or indices (integers), received: 0.5"),
    ({"classes": [1]}, "clustering needs at least 2 sequences; classes 1 (b) gave 1"),
    ({"max_sequences": 1}, "max_sequences must be at least 2, received: 1"),
])
def test_bad_arguments(kwargs, fragment):
    activations = make_activations(np.arange(12.0).reshape(4, 3), [0, 0, 2, 1])
    with pytest.raises(ParamError) as error:
        cluster_activations(activations, **kwargs)
    assert fragment in str(error.value)


def test_multi_label_data_is_refused():
    labels = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]], dtype=np.uint8)
    activations = make_activations(np.ones((4, 3)), None, labels=labels)
    with pytest.raises(ParamError, match="clustering needs single-label data") as error:
        cluster_activations(activations)
    assert "of 4 sequences 1 carry more than one class (first: seq1 with 2)" in str(error.value)
    labels[3] = 0  # a sequence without a class is refused as well, and counted apart
    with pytest.raises(ParamError, match=r"of 4 sequences 1 carry more than one class and 1 carry none \(first: seq1"):
        cluster_activations(make_activations(np.ones((4, 3)), None, labels=labels))
    labels[1] = [1, 0, 0]
    with pytest.raises(ParamError, match=r"of 4 sequences 1 carry none \(first: seq3 with 0\)"):
        cluster_activations(make_activations(np.ones((4, 3)), None, labels=labels))


def test_subsample_keeps_class_proportions_and_is_seeded():
    classes = np.repeat([0, 1, 2], [600, 300, 100])
    rng = np.random.default_rng(2)
    activations = make_activations(rng.random((1000, 4)), classes)
    result = cluster_activations(activations, max_sequences=100, seed=5)
    assert result.subsampled_from == 1000
    assert np.bincount(result.row_classes).tolist() == [60, 30, 10]
    assert np.all(np.diff(result.kept_rows) > 0)
    np.testing.assert_array_equal(result.row_classes, classes[result.kept_rows])
    again = cluster_activations(activations, max_sequences=100, seed=5)
    np.testing.assert_array_equal(again.kept_rows, result.kept_rows)
    other = cluster_activations(activations, max_sequences=100, seed=6)
    assert not np.array_equal(other.kept_rows, result.kept_rows)


def test_stratified_sample_sums_to_size_with_uneven_shares():
    classes = np.repeat([0, 1, 2], [5, 5, 5])
    kept = stratified_sample(classes, 10, seed=0)
    assert len(kept) == 10 and len(set(kept.tolist())) == 10
    assert sorted(np.bincount(classes[kept]).tolist()) == [3, 3, 4]


def test_clustermap_draws_precomputed_clustering_headless():
    activations = random_activations(n=30, kernels=5)
    result = cluster_activations(activations)
    grid = plot_clustermap(result)
    try:
        assert len(grid.row_colors) == 30
        assert grid.ax_row_colors.collections[0].get_array().size == 30
        assert grid.dendrogram_row.reordered_ind == result.row_order.tolist()
        assert grid.dendrogram_col.reordered_ind == result.col_order.tolist()
        labels = [label.get_text() for label in grid.ax_heatmap.get_xticklabels()]
        assert labels == [f"kernel_{k}" for k in result.col_order]
        row_labels = [label.get_text() for label in grid.ax_heatmap.get_yticklabels()]
        assert row_labels == [f"seq{i}" for i in result.row_order]
        assert grid.ax_cbar.get_title() == COLORBAR_LABEL == "max activation (z-score)"
        legend = grid.figure.legends[0]
        assert [text.get_text() for text in legend.get_texts()] == ["a", "b", "c"]
        assert "5 first-layer kernels in 30 sequences" in grid.figure.get_suptitle()
    finally:
        plt.close(grid.figure)
    assert not plt.get_fignums()


def test_the_clustermap_legend_tells_apart_long_class_names_that_share_a_start():
    """Cut to their first 21 letters, three classes of one cell line all read 'K562_conservative_IDR…'."""
    rng = np.random.default_rng(0)
    names = [f"K562_conservative_IDR_peaks_{factor}" for factor in ("CTCF", "GATA1", "ELK1")]
    result = cluster_activations(make_activations(rng.gamma(2, 1, size=(30, 4)), np.arange(30) % 3, names))
    grid = plot_clustermap(result)
    try:
        shown = [text.get_text() for text in grid.figure.legends[0].get_texts()]
        assert shown == ["K562_conser…peaks_CTCF", "K562_conser…eaks_GATA1", "K562_conser…peaks_ELK1"]
    finally:
        plt.close(grid.figure)


def test_clustermap_hides_row_labels_for_many_rows_and_mentions_the_sample():
    activations = random_activations(n=300, kernels=3)
    result = cluster_activations(activations, max_sequences=150)
    grid = plot_clustermap(result)
    try:
        assert grid.ax_heatmap.get_yticklabels() == [] or all(
            not label.get_text() for label in grid.ax_heatmap.get_yticklabels())
        assert "(class-stratified sample of 300)" in grid.figure.get_suptitle()  # it said random
        assert grid.ax_heatmap.get_ylabel() == "sequences (150)"
    finally:
        plt.close(grid.figure)
    assert not plt.get_fignums()


def test_single_kernel_clusters_rows_only():
    rng = np.random.default_rng(3)
    result = cluster_activations(make_activations(rng.random((10, 1)), np.arange(10) % 3))
    assert result.col_linkage is None and result.col_order.tolist() == [0]
    grid = plot_clustermap(result)
    plt.close(grid.figure)
    assert not plt.get_fignums()


@pytest.mark.parametrize("rows", [
    [[1.0, 2.0, 0.5]] * 2,
    [[1.0, 2.0, 0.5]] * 5,
    [[0.1 + 0.2, 2.0], [0.3, 2.0], [0.30000000000000004, 2.0]],  # float noise only
])
def test_sequences_whose_activations_do_not_differ_are_refused(rows):
    activations = make_activations(rows, np.arange(len(rows)) % 3)
    with pytest.raises(ParamError) as error:
        cluster_activations(activations)
    assert str(error.value) == (
        f"clustering needs at least 2 sequences with differing activations; all {len(rows)} sequences of the data "
        "give each kernel the same maximum activation (identical sequences?); give sequences that differ")


def test_kernels_that_rise_together_in_two_sequences_are_drawn_without_library_warnings():
    # Standardised over two sequences every kernel is (-1, 1): the kernel dendrogram merges at 0.
    result = cluster_activations(make_activations([[1.0, 2.0, 3.0], [2.0, 3.0, 5.0]], [0, 1]))
    assert np.all(result.col_linkage[:, 2] == 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = plot_clustermap(result)
    try:
        np.testing.assert_array_equal(grid.data2d.to_numpy(), result.matrix[result.row_order][:, result.col_order])
    finally:
        plt.close(grid.figure)


def test_cli_refuses_identical_records_in_one_line(trained_run, cli, tmp_path):
    from helpers import write_fasta

    record = "ACGT" * 10
    up = write_fasta(tmp_path / "up.fa", [("u1", record), ("u2", record)])  # not a copy of down.fa (refused)
    down = write_fasta(tmp_path / "down.fa", [("d1", record)])
    output = tmp_path / "heat.png"
    result = cli("cluster", trained_run[0], "-q", "--fasta", up, "--fasta", down, "-o", output)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        "Error: clustering needs at least 2 sequences with differing activations; all 3 sequences of the data give "
        "each kernel the same maximum activation (identical sequences?); give sequences that differ"]
    assert not output.exists()


@pytest.mark.parametrize("which, args, message", [
    ("trained_run", ["--classes", "5"],
     "--classes: index 5 is out of range; give class names or 0-based indices: 0=up, 1=down"),
    ("trained_run", ["--classes", "up,sideways"],
     "--classes: 'sideways' is not a class of the model; give class names or 0-based indices: 0=up, 1=down"),
    ("trained_run", ["--classes", ","],
     "--classes is empty: give comma-separated values (e.g. 0,3), or leave the option out"),
    ("trained_run", ["--classes", "0,,1"], "--classes expects comma-separated values (e.g. 0,3), received: '0,,1'"),
    ("trained_run", ["--group", "all", "--classes", "0", "--max-sequences", "2"], None),
    ("trained_run", ["--group", "all", "--classes", "down,", "--max-sequences", "2"], None),
    ("multi_label_run", [], "clustering needs single-label data (exactly one class per sequence)"),
])
def test_cli_checks_classes_and_labels_before_the_model_runs(request, cli, tmp_path, monkeypatch, which, args,
                                                             message):
    """--classes and the labels are known without the model: a refusal costs no forward pass over the data."""
    from motifnet.run.rundir import Run

    class ModelLoaded(Exception):
        pass

    def model(run):
        raise ModelLoaded

    monkeypatch.setattr(Run, "model", property(model))
    output = tmp_path / "heat.png"
    result = cli("cluster", request.getfixturevalue(which)[0], "-q", "-o", output, *args)
    if message is None:  # a valid selection gets as far as the model
        assert isinstance(result.exception, ModelLoaded)
        return
    # the option's text of the wrong form is a usage error (2); classes the model lacks are refused with 1
    assert result.exit_code == (2 if "comma-separated" in message else 1), result.output
    assert result.stderr.strip().splitlines()[0].startswith("Error: " + message)
    assert len(result.stderr.strip().splitlines()) == 1 and not output.exists()


def test_clustered_rows_of_a_dataset_are_those_cluster_activations_clusters(trained_run):
    from motifnet.interpret.activations import max_activations
    from motifnet.interpret.clustering import clustered_rows
    from motifnet.run.rundir import open_run

    run = open_run(trained_run[0])
    kept, row_classes, subsampled_from, _ = clustered_rows(run.dataset, [1], max_sequences=7, seed=3)
    result = cluster_activations(max_activations(run, run.dataset), [1], max_sequences=7, seed=3)
    np.testing.assert_array_equal(kept, result.kept_rows)
    assert subsampled_from == 40 and set(row_classes[kept]) == {1}


def test_cluster_sequences_runs_the_model_on_the_sample_only_and_clusters_as_the_full_activations_would(
        trained_run, monkeypatch):
    from motifnet.interpret import activations as activations_module
    from motifnet.interpret.clustering import cluster_sequences
    from motifnet.run.rundir import open_run

    run = open_run(trained_run[0])
    full = cluster_activations(activations_module.max_activations(run, run.dataset), [0, 1], max_sequences=9, seed=2)
    seen = []
    original = activations_module.max_activations
    monkeypatch.setattr(activations_module, "max_activations",
                        lambda model, dataset, batch_size=256: seen.append(len(dataset)) or original(model, dataset,
                                                                                                     batch_size))
    sampled = cluster_sequences(run, run.dataset, [0, 1], max_sequences=9, seed=2, batch_size=4)
    assert seen == [9]  # not the 80 records of the run
    for name in ("matrix", "row_linkage", "col_linkage", "row_order", "col_order", "row_classes", "kept_rows", "ids"):
        np.testing.assert_allclose(getattr(sampled, name), getattr(full, name), rtol=1e-6, err_msg=name) \
            if name in ("matrix", "row_linkage", "col_linkage") else \
            np.testing.assert_array_equal(getattr(sampled, name), getattr(full, name), err_msg=name)
    assert sampled.subsampled_from == full.subsampled_from == 80 and sampled.class_names == full.class_names


def test_cli_says_which_classes_it_clustered(cli, trained_run, tmp_path):
    output = tmp_path / "heat.png"
    result = cli("cluster", trained_run[0], "-o", output, "--classes", "down")
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("clustering the ")]
    assert len(said) == 1 and said[0].endswith(" sequences of down (--classes)"), result.stderr
    assert output.stat().st_size > 0


def test_a_class_the_subsample_leaves_out_is_warned_of(caplog, monkeypatch):
    """--max-sequences below a small class's share dropped it from the heat map without a word."""
    import logging

    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)  # the in-process CLI turns it off
    rng = np.random.default_rng(0)
    classes = np.repeat([0, 1, 2], [60, 36, 2])
    activations = make_activations(rng.gamma(2, 1, size=(len(classes), 4)), classes)
    caplog.set_level(logging.WARNING, logger="motifnet")
    caplog.clear()
    result = cluster_activations(activations, max_sequences=10, seed=0)  # shares 6.1, 3.7, 0.2: 6, 4, 0
    names = activations.class_names
    assert set(np.unique(activations.labels[result.kept_rows].argmax(axis=1))) == {0, 1}
    assert list(dict.fromkeys(record.getMessage() for record in caplog.records)) == [
        f"a sample of 10 sequences leaves class(es) {names[2]!r} out (too small a share); give a larger "
        "--max-sequences, or choose classes with --classes"]
    caplog.clear()
    cluster_activations(activations, max_sequences=60, seed=0)  # every class keeps a row
    assert caplog.records == []
