"""motifnet.interpret.activations: first-layer maxima, positions and profiles of a hand-set convolution."""

import gzip

import numpy as np
import pytest

from motifnet.data.alphabets import DNA
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.errors import RunDirError
from motifnet.interpret.activations import (
    KernelActivations,
    activation_profiles,
    group_matrix,
    max_activations,
    motif_layer,
)
from motifnet.run.rundir import open_run

SEQUENCES = ["ACGTAC", "TTTTTT", "GGGGGA", "CCACGT"]
LABELS = [[1, 0], [1, 0], [0, 1], [0, 1]]
# Per window (5 of width 2): kernel 0 is 1 on 'AC' and 0 elsewhere; kernel 1 scores G first (2) plus T second (1).
KERNEL_0 = [[1, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0]]
KERNEL_1 = [[0, 0, 3, 0, 0], [1, 1, 1, 1, 1], [2, 2, 2, 2, 2], [0, 0, 0, 0, 3]]


def dataset(sequences=SEQUENCES, labels=LABELS):
    lookup = {letter: code for code, letter in enumerate("ACGT", start=1)}
    codes = np.array([[lookup[letter] for letter in text] for text in sequences], dtype=np.uint8)
    return Dataset(Encoder(DNA, len(sequences[0])), codes, np.asarray(labels, dtype=np.uint8),
                   np.array([f"s{i}" for i in range(len(codes))]), np.zeros(len(codes), dtype=np.int32),
                   ["c0", "c1"], False, [])


@pytest.fixture(scope="module")
def detector():
    """sequence (6 x ACGT) -> conv_1: kernel 0 finds 'AC' (A + C - 1), kernel 1 is 2 G + T at the second place."""
    import keras

    sequence = keras.Input(shape=(6, 4), name="sequence")
    conv = keras.layers.Conv1D(2, 2, activation="relu", name="conv_1")
    model = keras.Model(sequence, keras.layers.Flatten()(conv(sequence)))
    kernel = np.zeros((2, 4, 2), dtype=np.float32)
    kernel[0, 0, 0] = kernel[1, 1, 0] = 1.0  # A then C
    kernel[0, 2, 1], kernel[1, 3, 1] = 2.0, 1.0  # G first, T second
    conv.set_weights([kernel, np.array([-1.0, 0.0], dtype=np.float32)])
    return model


@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_maxima_and_their_first_positions(detector, batch_size):
    activations = max_activations(detector, dataset(), batch_size=batch_size)
    np.testing.assert_array_equal(activations.max_activation, [[1, 3], [0, 1], [0, 2], [1, 3]])
    np.testing.assert_array_equal(activations.position, [[0, 2], [0, 0], [0, 0], [2, 4]])
    assert activations.kernel_len == 2 and activations.n_kernels == 2
    assert list(activations.ids) == ["s0", "s1", "s2", "s3"] and activations.class_names == ["c0", "c1"]


def test_profiles_per_class_over_the_selected_sequences(detector):
    data = dataset()
    everything = np.ones((4, 2), dtype=bool)
    mean, std, count = activation_profiles(detector, data, everything, batch_size=3)
    assert mean.shape == std.shape == (2, 2, 5)
    for kernel, values in enumerate((np.array(KERNEL_0, float), np.array(KERNEL_1, float))):
        for group, rows in enumerate(([0, 1], [2, 3])):
            np.testing.assert_allclose(mean[group, kernel], values[rows].mean(axis=0), atol=1e-12)
            np.testing.assert_allclose(std[group, kernel], values[rows].std(axis=0), atol=1e-7)
    np.testing.assert_array_equal(count, [[2, 2], [2, 2]])
    # Only sequence 0 of class c0 counts for kernel 1: its own profile, no spread.
    selected = np.array([[True], [False], [True], [True]])
    mean, std, count = activation_profiles(detector, data, selected, kernels=[1])
    np.testing.assert_allclose(mean[:, 0], [KERNEL_1[0], np.mean(KERNEL_1[2:], axis=0)])
    np.testing.assert_allclose(std[0, 0], 0, atol=1e-12)
    np.testing.assert_array_equal(count, [[1], [2]])


def test_class_means_and_an_empty_class():
    activations = KernelActivations(np.array([[1, 3], [0, 1], [0, 2], [1, 3]], dtype=np.float32),
                                    np.zeros((4, 2), dtype=np.int32), np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0],
                                                                                [0, 1, 0]], dtype=np.uint8),
                                    np.array(["s0", "s1", "s2", "s3"]), ["c0", "c1", "none"], 2)
    means = activations.class_means()
    np.testing.assert_allclose(means[:2], [[0.5, 2.0], [0.5, 2.5]])
    assert np.isnan(means[2]).all()
    np.testing.assert_array_equal(activations.groups, activations.labels)
    assert activations.group_names == ["c0", "c1", "none"]


def test_table_and_arrays_of_a_classification_run(detector, tmp_path):
    activations = max_activations(detector, dataset())
    assert activations.to_tsv() == ("id\tclasses\tkernel_0_max\tkernel_0_position\tkernel_1_max\tkernel_1_position\n"
                                    "s0\tc0\t1\t0\t3\t2\ns1\tc0\t0\t0\t1\t0\ns2\tc1\t0\t0\t2\t0\ns3\tc1\t1\t2\t3\t4\n")
    activations.save(tmp_path / "a.tsv")
    assert (tmp_path / "a.tsv").read_text() == activations.to_tsv()
    activations.save(tmp_path / "a.TSV.gz")  # the ending's case does not matter
    assert gzip.decompress((tmp_path / "a.TSV.gz").read_bytes()).decode() == activations.to_tsv()
    activations.save(tmp_path / "a.npz")
    with np.load(tmp_path / "a.npz") as arrays:
        assert sorted(arrays.files) == ["class_names", "ids", "kernel_len", "labels", "max_activation", "position"]
        np.testing.assert_array_equal(arrays["max_activation"], activations.max_activation)
        assert list(arrays["class_names"]) == ["c0", "c1"] and int(arrays["kernel_len"]) == 2


def test_regression_data_is_one_group_with_target_columns(tmp_path):
    targets = np.array([[1000012.31], [0.3]], dtype=np.float32)
    activations = KernelActivations(np.array([[2.0], [0.5]], dtype=np.float32), np.array([[3], [1]]),
                                    np.zeros((2, 0), dtype=np.uint8), np.array(["a", "b"]), [], 4,
                                    targets=targets, target_names=["kd"])
    assert activations.group_names == ["all"]
    np.testing.assert_array_equal(activations.groups, [[1], [1]])
    np.testing.assert_array_equal(group_matrix(np.zeros((3, 0)), np.zeros((3, 1))), [[1], [1], [1]])
    assert activations.to_tsv() == "id\tkd\tkernel_0_max\tkernel_0_position\na\t1000012.3\t2\t3\nb\t0.3\t0.5\t1\n"
    activations.save(tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz") as arrays:
        assert "labels" not in arrays.files and list(arrays["target_names"]) == ["kd"]
        np.testing.assert_array_equal(arrays["targets"], targets)


def test_a_model_without_convolutions_has_no_motif_layer():
    import keras

    sequence = keras.Input(shape=(6, 4), name="sequence")
    model = keras.Model(sequence, keras.layers.Dense(2, name="output")(keras.layers.Flatten()(sequence)))
    with pytest.raises(RunDirError, match=r"^the model has no convolutional layer \(conv_num=0\)"):
        motif_layer(model)
    with pytest.raises(RunDirError):
        max_activations(model, dataset())


def test_a_run_gives_the_same_activations_as_its_model(trained_run):
    run = open_run(trained_run[0])
    data = run.dataset.subset(np.arange(10))
    from_run, from_model = max_activations(run, data), max_activations(run.model, data, batch_size=4)
    np.testing.assert_array_equal(from_run.max_activation, from_model.max_activation)
    np.testing.assert_array_equal(from_run.position, from_model.position)
    assert motif_layer(run) is run.model.get_layer("conv_1")


def test_a_signal_stops_between_batches(detector):
    # How visualize-kernels stops while it computes activations.
    import signal

    from motifnet._signals import StopRequested, stop_on_signals
    from motifnet.interpret.activations import conv_batches

    rows = []
    with stop_on_signals(), pytest.raises(StopRequested):
        for batch_rows, _ in conv_batches(detector, dataset(), batch_size=1):
            rows.append(batch_rows)
            signal.raise_signal(signal.SIGTERM)
    assert rows == [slice(0, 1)]


def gata_model():
    """A network that reads both strands, whose conv_1 kernel 0 is 1 exactly on 'GATA' (kernel 1 is off)."""
    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    params = resolve({"conv_num": 1, "kernel_num": 2, "kernel_len": 4, "pool_size": 1, "pool_stride": 1,
                      "global_pool": "max", "batch_norm": True, "neuron_num": 4, "strand": "both"})
    model = build_model(params, 6, 4, 2, False, complement=(3, 2, 1, 0))
    kernel = np.zeros((4, 4, 2), dtype=np.float32)
    kernel[[0, 1, 2, 3], [2, 0, 3, 0], 0] = 1.0  # G A T A
    model.get_layer("conv_1").set_weights([kernel, np.array([-3.0, -1.0], dtype=np.float32)])
    return model


def test_activations_of_a_both_strands_model_are_those_of_the_forward_strand():
    # 'TATC' (GATA's reverse complement) is found by the network's reverse strand, not in conv_1's activations.
    activations = max_activations(gata_model(), dataset(["AGATAC", "TTATCT", "GATAGA", "CCCCCC"]), batch_size=3)
    np.testing.assert_array_equal(activations.max_activation, [[1, 0], [0, 0], [1, 0], [0, 0]])
    np.testing.assert_array_equal(activations.position[:, 0], [1, 0, 0, 0])
    assert activations.kernel_len == 4
    mean, _, count = activation_profiles(gata_model(), dataset(["AGATAC", "TTATCT", "GATAGA", "CCCCCC"]),
                                         np.ones((4, 2), dtype=bool))
    np.testing.assert_array_equal(mean[:, 0], [[0, 0.5, 0], [0.5, 0, 0]])  # class 0: AGATAC, TTATCT
    assert count.tolist() == [[2, 2], [2, 2]]


@pytest.mark.parametrize("command, args", [
    ("activations", ["--group", "all", "-o", "{tmp}/activations.npz"]),
    ("cluster", ["--group", "all", "-o", "{tmp}/heat.png"]),
    ("optimize-inputs", ["--layer", "conv_1", "--steps", "100", "-o", "{tmp}/inputs.png"]),
])
def test_commands_stop_at_a_safe_point_on_a_signal(trained_run, cli, tmp_path, monkeypatch, command, args):
    """SIGTERM or Ctrl-C while the model loads: the command stops at its next safe point, says so in one
    line, and writes nothing (without its handlers, SIGTERM would end the process with no word)."""
    import signal

    from motifnet.run.rundir import Run

    load, models = Run.__dict__["model"].func, []

    def model(run):
        if not models:  # one signal: a second one ends the process at once
            signal.raise_signal(signal.SIGINT)
            models.append(load(run))
        return models[0]

    monkeypatch.setattr(Run, "model", property(model))
    result = cli(command, trained_run[0], *[arg.format(tmp=tmp_path) for arg in args])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert any("SIGINT received: stopping at the next safe point" in line for line in lines)
    assert lines[-1] == "Error: stopped by a signal before finishing; files not yet complete were not written"
    assert not list(tmp_path.iterdir())


def test_the_table_goes_to_standard_output_with_o_dash(trained_run, cli, tmp_path):
    """``-o -`` was refused for its ending: a pipeline had to go through a file."""
    run_dir, _ = trained_run
    result = cli("activations", run_dir, "--group", "all", "-o", "-")
    assert result.exit_code == 0, result.output
    written = cli("activations", run_dir, "--group", "all", "-o", tmp_path / "a.tsv")
    assert written.exit_code == 0 and not (tmp_path / "-").exists()
    assert result.stdout == (tmp_path / "a.tsv").read_text()
    assert result.stdout.startswith("id\tclasses\tkernel_0_max\tkernel_0_position\t")


@pytest.mark.parametrize("output", ["-", "table.tsv"])
def test_a_stop_while_the_table_is_written_says_whether_standard_output_holds_part_of_it(trained_run, cli, tmp_path,
                                                                                          monkeypatch, output):
    """A stop while -o - wrote its rows ended with 'files not yet complete were not written', as if nothing had been
    written: standard output held whole rows, but not all of them. Its last line says so now; a file stays unwritten."""
    from motifnet._signals import StopRequested

    calls = []

    def stop():
        calls.append(1)
        if len(calls) == 3:  # after two chunks of rows
            raise StopRequested("SIGTERM")

    monkeypatch.setattr("motifnet.interpret.activations.check_stop", stop)
    monkeypatch.setattr("motifnet.interpret.activations.TSV_CHUNK_ROWS", 5)
    result = cli("activations", trained_run[0], "--group", "all", "-o",
                 output if output == "-" else tmp_path / output)
    assert result.exit_code == 1, result.output
    last = result.stderr.strip().splitlines()[-1]
    if output == "-":
        rows = result.stdout.splitlines()[1:]  # after the header: whole chunks of rows, not all of the records
        assert rows and len(rows) % 5 == 0 and result.stdout.endswith("\n") and all("\t" in row for row in rows)
        assert last == ("Error: stopped by a signal before finishing; the rows on standard output are whole but not "
                        "all of them (the output is incomplete), and files not yet complete were not written")
    else:
        assert result.stdout == "" and not list(tmp_path.iterdir())
        assert last == "Error: stopped by a signal before finishing; files not yet complete were not written"


def test_the_table_is_written_a_chunk_at_a_time_and_a_stop_leaves_no_file(detector, tmp_path, monkeypatch):
    """The whole table was built as one text (4.4 GB for 3 million records) and a signal was not heeded while it
    was written (a minute after the computing ended)."""
    import io

    from motifnet._signals import StopRequested

    activations = max_activations(detector, dataset())
    whole = activations.to_tsv()
    for chunk in (1, 3, 4):
        text = io.StringIO()
        activations.write_tsv(text, chunk=chunk)
        assert text.getvalue() == whole
    calls = []

    def stop():
        calls.append(1)
        if len(calls) == 2:
            raise StopRequested("SIGINT")

    monkeypatch.setattr("motifnet.interpret.activations.check_stop", stop)
    monkeypatch.setattr("motifnet.interpret.activations.TSV_CHUNK_ROWS", 1)
    (tmp_path / "kept.tsv").write_text("the user's\n")
    with pytest.raises(StopRequested):
        activations.save(tmp_path / "kept.tsv")
    assert (tmp_path / "kept.tsv").read_text() == "the user's\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["kept.tsv"]
