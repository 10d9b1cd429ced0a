"""Optimised inputs: a hand-built motif detector, the L2 penalty, logits, seeds, errors, a trained run, the plot."""

import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from motifnet.errors import ParamError  # noqa: E402
from motifnet.interpret.optimize import (  # noqa: E402
    input_to_pwm,
    layer_nodes,
    node_values,
    optimize_inputs,
    random_inputs,
    sequence_pwms,
    uses_pre_activation,
)
from motifnet.plot.optimized import plot_optimized_inputs  # noqa: E402
from motifnet.workflows.optimize import optimize_for_run  # noqa: E402

LETTERS = "ACGT"
MOTIF = "ACG"


def build_detector():
    """Input (10, 4) -> conv_1 detecting ACG (one kernel, ReLU) -> global max -> softmax of 2 classes.

    The kernel scores +1 for each motif letter and -1 for every other letter, so a window
    scores 3 exactly on ACG. The output's logit 1 is twice logit 0: the probability of class 0
    falls as the motif gets stronger while its logit rises.
    """
    import keras

    sequence = keras.Input(shape=(10, 4), name="sequence")
    conv = keras.layers.Conv1D(1, 3, activation="relu", name="conv_1")
    hidden = keras.layers.GlobalMaxPooling1D(name="pool_1")(conv(sequence))
    output = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(sequence, output(hidden))
    kernel = np.full((3, 4, 1), -1.0, dtype=np.float32)
    for offset, letter in enumerate(MOTIF):
        kernel[offset, LETTERS.index(letter), 0] = 1.0
    conv.set_weights([kernel, np.zeros(1, dtype=np.float32)])
    output.set_weights([np.array([[1.0, 2.0]], dtype=np.float32), np.zeros(2, dtype=np.float32)])
    return model


@pytest.fixture(scope="module")
def detector():
    return build_detector()


def consensus(x):
    return "".join(LETTERS[i] for i in input_to_pwm(x).argmax(axis=-1))


def objective(model, layer, x, nodes, l2):
    values = node_values(model, layer, x, nodes)[np.arange(len(nodes)), np.arange(len(nodes))]
    return values - l2 * (x.astype(np.float64) ** 2).sum(axis=(1, 2))


def test_conv_node_learns_the_motif_and_the_objective_rises(detector):
    l2 = 1e-3
    x = optimize_inputs(detector, "conv_1", [0], steps=300, l2=l2, seed=0)
    assert x.shape == (1, 10, 4) and x.dtype == np.float32
    assert MOTIF in consensus(x[0])
    start = random_inputs(1, 10, 4, bound=0.1, seed=0)
    before, after = objective(detector, "conv_1", start, [0], l2), objective(detector, "conv_1", x, [0], l2)
    assert after[0] > before[0] + 1.0


def test_larger_l2_gives_smaller_inputs(detector):
    norms = [np.linalg.norm(optimize_inputs(detector, "conv_1", [0], steps=200, l2=l2)) for l2 in (0.0, 0.01, 0.1)]
    assert norms[0] > norms[1] > norms[2]


def test_same_seed_same_result_other_seed_other_result(detector):
    first = optimize_inputs(detector, "conv_1", [0], steps=100, seed=4)
    again = optimize_inputs(detector, "conv_1", [0], steps=100, seed=4)
    other = optimize_inputs(detector, "conv_1", [0], steps=100, seed=5)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_softmax_output_is_optimised_before_the_activation(detector):
    import keras

    layer = detector.get_layer("output")
    assert uses_pre_activation(layer) and not uses_pre_activation(detector.get_layer("conv_1"))
    start = random_inputs(1, 10, 4, seed=0)
    # The node values of the output layer are the logits, not the probabilities.
    hidden = np.asarray(keras.Model(detector.inputs, layer.input)([start]))
    logits = hidden @ np.array([[1.0, 2.0]])
    np.testing.assert_allclose(node_values(detector, "output", start), logits, rtol=1e-5, atol=1e-6)

    x = optimize_inputs(detector, "output", [0], steps=300, seed=0)
    logit_before = node_values(detector, "output", start, [0])[0, 0]
    logit_after = node_values(detector, "output", x, [0])[0, 0]
    assert logit_after > logit_before + 1.0
    assert MOTIF in consensus(x[0])
    # Maximising the probability of class 0 would have removed the motif instead (logit 1 = 2 * logit 0).
    probability_before = np.asarray(detector(start))[0, 0]
    probability_after = np.asarray(detector(x))[0, 0]
    assert probability_after < probability_before


def test_nodes_are_independent_rows_of_one_batch(detector):
    both = optimize_inputs(detector, "output", None, steps=50)
    alone = optimize_inputs(detector, "output", [0], steps=50)
    assert both.shape == (2, 10, 4)
    # Row 0 of a seeded start is the same whatever the number of rows, and rows do not interact.
    np.testing.assert_allclose(both[0], alone[0], rtol=1e-4, atol=1e-5)


def test_progress_is_called_every_50_steps_and_at_the_end(detector):
    calls = []
    optimize_inputs(detector, "conv_1", [0], steps=120, progress=lambda step, steps: calls.append((step, steps)))
    assert calls == [(50, 120), (100, 120), (120, 120)]


def test_layer_nodes(detector):
    assert layer_nodes(detector, "conv_1") == 1
    assert layer_nodes(detector, "pool_1") == 1
    assert layer_nodes(detector, "output") == 2


@pytest.mark.parametrize("kwargs,fragment", [
    ({"layer_name": "conv_9"}, "layer 'conv_9' is not a layer of the model; choose one of: conv_1, pool_1, output"),
    ({"layer_name": "sequence"}, "layer 'sequence' is an input of the model, which is what gets optimised; choose"),
    ({"nodes": [2]}, "nodes: node 2 is out of range; layer 'output' has 2 node(s), numbered 0 to 1"),
    ({"nodes": [-1]}, "node -1 is out of range"),
    ({"nodes": []}, "nodes: give at least one node"),
    ({"nodes": [0.5]}, "expected node numbers (integers), received: 0.5"),
    ({"bound": 0}, "bound must be a finite number above 0, received: 0"),
    ({"lr": -0.1}, "lr must be a finite number above 0, received: -0.1"),
    ({"lr": float("inf")}, "lr must be a finite number above 0, received: inf"),
    ({"lr": float("nan")}, "lr must be a finite number above 0, received: nan"),
    ({"steps": 0}, "steps must be an integer above 0, received: 0"),
    ({"steps": 2.5}, "steps must be an integer above 0, received: 2.5"),
    ({"steps": 100_001}, "steps must be at most 100,000, received: 100001"),
    ({"l2": -1}, "l2 must be a finite number of at least 0, received: -1"),
    ({"restarts": -1}, "restarts must be an integer of at least 0, received: -1"),
    ({"restarts": 1.5}, "restarts must be an integer of at least 0, received: 1.5"),
    ({"length": 12}, "length: the model takes inputs of length 10, received: 12"),
    ({"channels": 5}, "channels: the model takes inputs of channels 4, received: 5"),
    # Finite settings whose inputs overflow float32: refused, not drawn from NaN (a logomaker traceback).
    ({"lr": 1e300}, "lr must be at most 3.4e+38 (the largest 32-bit float), received: 1e+300"),
    ({"lr": 1e37}, "grew beyond the range of 32-bit floats (bound 0.1, lr 1e+37)"),
    ({"bound": 1e300}, "bound must be at most 3.4e+38 (the largest 32-bit float), received: 1e+300"),
])
def test_bad_arguments(detector, kwargs, fragment):
    arguments = {"layer_name": "output", "nodes": [0], "steps": 1, **kwargs}
    with pytest.raises(ParamError) as error:
        optimize_inputs(detector, **arguments)
    assert fragment in str(error.value)


def test_layer_nodes_unknown_layer_lists_valid_names(detector):
    with pytest.raises(ParamError, match="is not a layer of the model; choose one of: conv_1, pool_1, output"):
        layer_nodes(detector, "dense_1")


def test_features_input_is_fed_zeros():
    import keras

    sequence = keras.Input(shape=(8, 4), name="sequence")
    features = keras.Input(shape=(3,), name="features")
    hidden = keras.layers.Flatten(name="flatten")(keras.layers.Conv1D(2, 3, activation="relu", name="conv_1")(sequence))
    joined = keras.layers.Concatenate(name="concat_features")([hidden, features])
    model = keras.Model([sequence, features], keras.layers.Dense(2, activation="sigmoid", name="output")(joined))
    x = optimize_inputs(model, "output", [0, 1], steps=20)
    assert x.shape == (2, 8, 4) and np.isfinite(x).all()
    assert layer_nodes(model, "concat_features") == 2 * 6 + 3


@pytest.mark.parametrize("settings,tried", [
    ({}, "bound 0.1 and two restarts at 0.3 and 0.9"),
    ({"bound": 0.5, "restarts": 1}, "bound 0.5 and one restart at 1.5"),
    ({"restarts": 0}, "bound 0.1 and no restart"),
])
def test_dead_nodes_are_reported_with_every_bound_tried(caplog, settings, tried):
    # The warning said "a larger bound (now 0.9)" to a user who had left the bound at 0.1: the restarts that
    # had widened it were logged at info level only.
    import keras

    sequence = keras.Input(shape=(6, 4), name="sequence")
    conv = keras.layers.Conv1D(1, 2, activation="relu", name="conv_1")
    model = keras.Model(sequence, conv(sequence))
    conv.set_weights([np.zeros((2, 4, 1), dtype=np.float32), np.array([-1.0], dtype=np.float32)])
    with caplog.at_level(logging.INFO, logger="motifnet"):
        optimize_inputs(model, "conv_1", [0], steps=10, **settings)
    warnings = [record.getMessage() for record in caplog.records
                if record.name == "motifnet" and record.levelno == logging.WARNING]
    assert warnings == [
        "layer conv_1: node(s) 0 did not respond: their value did not rise from the random start (a ReLU that is "
        "off everywhere has no gradient, or no letter raised it), so their logos show no preference; tried "
        f"{tried}; a larger bound starts from inputs that are more likely to switch them on"]
    restarts = [record.getMessage() for record in caplog.records if "starting them again" in record.getMessage()]
    assert len(restarts) == settings.get("restarts", 2)


def test_input_to_pwm_is_a_softmax_over_channels():
    x = np.array([[0.0, 0.0, 0.0, 0.0], [np.log(3.0), 0.0, 0.0, 0.0], [1000.0, 0.0, 0.0, -1000.0]])
    pwm = input_to_pwm(x)
    np.testing.assert_allclose(pwm[0], 0.25)
    np.testing.assert_allclose(pwm[1], [0.5, 1 / 6, 1 / 6, 1 / 6])
    np.testing.assert_allclose(pwm[2], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(input_to_pwm(np.zeros((2, 5, 4))).sum(axis=-1), 1.0)


def test_sequence_pwms_leave_out_tracks_and_split_structure():
    from motifnet.data.alphabets import get_alphabet, structure_alphabet
    from motifnet.data.encoding import Encoder

    rng = np.random.default_rng(1)
    plain = Encoder(get_alphabet("dna"), 6)
    x = rng.normal(size=(2, 6, 4 + 1))  # one track channel after the letters
    sequence, structure = sequence_pwms(x, plain)
    np.testing.assert_allclose(sequence, input_to_pwm(x[..., :4]))
    assert structure is None

    paired = Encoder(get_alphabet("rna"), 6, structure=structure_alphabet("()."), structure_mode="letters")
    x = rng.normal(size=(2, 6, 12))
    sequence, structure = sequence_pwms(x, paired)
    joint = input_to_pwm(x).reshape(2, 6, 4, 3)  # channel i * 3 + j pairs letter i with structure j
    np.testing.assert_allclose(sequence, joint.sum(axis=3))
    np.testing.assert_allclose(structure, joint.sum(axis=2))
    np.testing.assert_allclose(structure.sum(axis=-1), 1.0)


def test_trained_run_model_layers(trained_run):
    from motifnet.run.rundir import open_run

    model = open_run(trained_run[0]).model
    for layer, nodes in (("conv_1", 4), ("dense_1", 8), ("output", 2)):
        assert layer_nodes(model, layer) == nodes
        x = optimize_inputs(model, layer, None, steps=20)
        assert x.shape == (nodes, 40, 4)
        assert np.isfinite(x).all()
        assert np.isfinite(input_to_pwm(x)).all()
    x = optimize_inputs(model, "dense_1", [7, 0], steps=5)
    assert x.shape == (2, 40, 4)


def test_plot_has_one_logo_per_node_headless():
    rng = np.random.default_rng(0)
    pwms = input_to_pwm(rng.normal(size=(3, 12, 4)) * 3)
    figure = plot_optimized_inputs(pwms, LETTERS, [0, 4, 7], layer_name="conv_1", title="Optimised inputs")
    try:
        assert len(figure.axes) == 3
        assert [ax.get_title() for ax in figure.axes] == ["conv_1, node 0", "conv_1, node 4", "conv_1, node 7"]
        assert figure.axes[-1].get_xlabel() == "position" and figure.axes[0].get_xlabel() == ""
        figure.canvas.draw()
        # every logo numbers its positions (a 100-node figure had them under its last logo only, 13,000 px down)
        assert all([label.get_text() for label in ax.get_xticklabels() if label.get_visible() and label.get_text()]
                   for ax in figure.axes)
        assert figure.get_size_inches()[1] > 3 * 1.0
    finally:
        plt.close(figure)
    assert not plt.get_fignums()


@pytest.mark.parametrize("n_nodes", [2, 150])
def test_the_title_sits_above_every_logo(n_nodes):
    # The title was placed at 98% of the figure's height: with 150 nodes (a figure 190 inches tall) that is
    # inside the second logo; with 2 it only just cleared the first logo's title.
    pwms = input_to_pwm(np.random.default_rng(3).normal(size=(n_nodes, 1, 4)) * 3)
    figure = plot_optimized_inputs(pwms, LETTERS, range(n_nodes), layer_name="conv_1", title="Optimised inputs")
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        to_figure = figure.transFigure.inverted()
        [title] = figure.texts
        assert title.get_text() == "Optimised inputs"
        title_box = title.get_window_extent(renderer).transformed(to_figure)
        assert title_box.y1 <= 1
        assert len(figure.axes) == n_nodes
        for ax in figure.axes:  # each logo with its own title and tick labels
            assert title_box.y0 > ax.get_tightbbox(renderer).transformed(to_figure).y1
    finally:
        plt.close(figure)


def test_plot_with_structure_has_two_logos_per_node():
    rng = np.random.default_rng(2)
    pwms, structure = input_to_pwm(rng.normal(size=(2, 5, 4))), input_to_pwm(rng.normal(size=(2, 5, 3)))
    figure = plot_optimized_inputs(pwms, "ACGU", [0, 1], layer_name="conv_1", structure_pwms=structure,
                                   structure_letters="().")
    try:
        assert [ax.get_title() for ax in figure.axes] == [
            "conv_1, node 0 (sequence)", "conv_1, node 0 (structure)",
            "conv_1, node 1 (sequence)", "conv_1, node 1 (structure)"]
    finally:
        plt.close(figure)


def test_optimize_for_run_writes_the_logos(trained_run, tmp_path):
    from motifnet.run.rundir import open_run

    output = tmp_path / "optimized.png"
    x = optimize_for_run(open_run(trained_run[0]), "output", [1], output, steps=10)
    assert x.shape == (1, 40, 4)
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.get_fignums()
    with pytest.raises(ParamError, match="node 2 is out of range"):
        optimize_for_run(open_run(trained_run[0]), "output", [2], tmp_path / "never.png", steps=10)
    assert not (tmp_path / "never.png").exists()


@pytest.mark.parametrize("option, value, message", [
    ("--lr", "inf", "Error: --lr must be a finite number above 0, received: inf"),
    ("--lr", "nan", "Error: --lr must be a finite number above 0, received: nan"),
    ("--lr", "0", "Error: --lr must be a finite number above 0, received: 0.0"),
    ("--steps", "0", "Error: --steps must be an integer above 0, received: 0"),
    ("--steps", "10000000000", "Error: --steps must be at most 100,000, received: 10000000000"),
    ("--bound", "-1", "Error: --bound must be a finite number above 0, received: -1.0"),
    ("--bound", "1e300", "Error: --bound must be at most 3.4e+38 (the largest 32-bit float), received: 1e+300"),
    ("--lr", "1e39", "Error: --lr must be at most 3.4e+38 (the largest 32-bit float), received: 1e+39"),
])
def test_cli_refuses_bad_settings_before_loading_the_model(trained_run, cli, tmp_path, monkeypatch, option, value,
                                                           message):
    from motifnet.run.rundir import Run

    monkeypatch.setattr(Run, "model", property(lambda run: pytest.fail("the model was loaded")))
    output = tmp_path / "never.png"
    result = cli("optimize-inputs", trained_run[0], "--layer", "output", "--nodes", "0", "-o", output, option, value)
    assert result.exit_code == 2, result.output  # a value outside the option's range: a usage error
    assert result.stderr.strip().splitlines() == [f"{message} (see 'main optimize-inputs --help')"]
    assert "Traceback" not in result.output and not output.exists()


def test_cli_names_the_option_of_a_node_out_of_range(trained_run, cli, tmp_path):
    output = tmp_path / "never.png"
    result = cli("optimize-inputs", trained_run[0], "--layer", "output", "--nodes", "0,2", "-o", output)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        "Error: --nodes: node 2 is out of range; layer 'output' has 2 node(s), numbered 0 to 1"]
    assert not output.exists()


def test_plot_refuses_mismatched_labels():
    with pytest.raises(ParamError, match="one label per node"):
        plot_optimized_inputs(np.full((2, 5, 4), 0.25), LETTERS, [0])


def test_a_node_dead_at_the_start_is_restarted_wider_and_learns(detector, caplog):
    """With bias -0.75 the ACG detector is off at every window of seed 0's start in [-0.1, 0.1]
    (asserted below), so the first ascent has no gradient; a start in [-0.3, 0.3] switches it on."""
    import keras

    conv = detector.get_layer("conv_1")
    kernel, _ = conv.get_weights()
    sequence = keras.Input(shape=(10, 4), name="sequence")
    dead = keras.layers.Conv1D(1, 3, activation="relu", name="conv_1")
    model = keras.Model(sequence, dead(sequence))
    dead.set_weights([kernel, np.array([-0.75], dtype=np.float32)])
    start = random_inputs(1, 10, 4, bound=0.1, seed=0)
    assert node_values(model, "conv_1", start, [0]).max() == 0
    with caplog.at_level(logging.INFO, logger="motifnet"):
        x = optimize_inputs(model, "conv_1", [0], steps=200, seed=0)
    assert "node(s) 0 did not respond from [-0.1, 0.1]; starting them again from [-0.3, 0.3]" in caplog.text
    assert "layer conv_1: node(s) 0 responded when started from [-0.3, 0.3]" in caplog.text  # it was not said
    assert MOTIF in consensus(x[0])
    with caplog.at_level(logging.INFO, logger="motifnet"):
        caplog.clear()
        optimize_inputs(model, "conv_1", [0], steps=200, seed=0, restarts=0)
    assert "did not respond: their value did not rise" in caplog.text


def test_a_network_that_reads_both_strands():
    """conv_1 nodes are the forward strand's (the ACG detector learns ACG); output logits are strand-symmetric."""
    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    params = resolve({"conv_num": 1, "kernel_num": 1, "kernel_len": 3, "pool_size": 1, "pool_stride": 1,
                      "global_pool": "max", "neuron_num": 2, "strand": "both", "batch_norm": True})
    model = build_model(params, 10, 4, 2, False, complement=(3, 2, 1, 0))
    kernel = np.full((3, 4, 1), -1.0, dtype=np.float32)
    for offset, letter in enumerate(MOTIF):
        kernel[offset, LETTERS.index(letter), 0] = 1.0
    model.get_layer("conv_1").set_weights([kernel, np.zeros(1, dtype=np.float32)])
    x = optimize_inputs(model, "conv_1", [0], steps=300, seed=0)
    assert MOTIF in consensus(x[0])
    inputs = random_inputs(3, 10, 4, bound=1.0, seed=1)
    reverse = inputs[:, ::-1, ::-1]
    np.testing.assert_allclose(node_values(model, "output", reverse), node_values(model, "output", inputs),
                               rtol=0, atol=1e-6)
    assert layer_nodes(model, "strand_merge") == 2
    optimized = optimize_inputs(model, "output", [0, 1], steps=20)
    assert optimized.shape == (2, 10, 4) and np.isfinite(optimized).all()


def test_a_node_given_twice_is_optimised_once(detector):
    x = optimize_inputs(detector, "output", [1, 0, 1], steps=5)
    np.testing.assert_array_equal(x, optimize_inputs(detector, "output", [1, 0], steps=5))


def test_a_signal_stops_the_ascent_between_chunks_of_steps(detector):
    import signal

    from motifnet._signals import StopRequested, stop_on_signals

    done = []

    def progress(step, total):
        done.append(step)
        if len(done) == 1:  # one signal: a second one would end the process at once
            signal.raise_signal(signal.SIGTERM)

    with stop_on_signals(), pytest.raises(StopRequested):
        optimize_inputs(detector, "conv_1", steps=200, progress=progress)
    assert done == [50]  # the first chunk of steps, then no other


def test_a_kernel_whose_columns_favour_one_letter_gets_its_motif_not_a_homopolymer():
    """A convolution node's value was its mean over positions, largest for the letter with the largest summed
    weight repeated: AGATAAGG (four A) came out as AAAA..., which switches the kernel on nowhere."""
    import keras

    motif = "AGATAAGG"
    sequence = keras.Input(shape=(20, 4), name="sequence")
    conv = keras.layers.Conv1D(1, len(motif), activation="relu", name="conv_1")
    output = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(sequence, output(keras.layers.GlobalMaxPooling1D(name="pool_1")(conv(sequence))))
    kernel = np.full((len(motif), 4, 1), -1.0, dtype=np.float32)
    for offset, letter in enumerate(motif):
        kernel[offset, LETTERS.index(letter), 0] = 1.0
    conv.set_weights([kernel, np.zeros(1, dtype=np.float32)])  # the motif scores 8; eight A score 0
    output.set_weights([np.array([[1.0, -1.0]], dtype=np.float32), np.zeros(2, dtype=np.float32)])
    x = optimize_inputs(model, "conv_1", [0], seed=0)
    assert motif in consensus(x[0])
    one_hot = np.eye(4, dtype=np.float32)[input_to_pwm(x[0]).argmax(axis=-1)][None]
    assert node_values(model, "conv_1", one_hot, [0])[0, 0] == pytest.approx(8.0)


def test_a_relu_unit_that_stays_off_at_its_learnt_input_is_named(detector, caplog):
    """A Dense ReLU unit read before its activation rose from -100 to about -97 and drew a confident logo without a
    word: no input switches it on. Beside it, a unit that does switch on gets no warning."""
    import keras

    conv = detector.get_layer("conv_1")
    sequence = keras.Input(shape=(10, 4), name="sequence")
    own = keras.layers.Conv1D(1, 3, activation="relu", name="conv_1")
    hidden = keras.layers.Dense(2, activation="relu", name="dense_1")
    model = keras.Model(sequence, hidden(keras.layers.GlobalMaxPooling1D()(own(sequence))))
    own.set_weights(conv.get_weights())
    hidden.set_weights([np.array([[1.0, 1.0]], dtype=np.float32), np.array([0.0, -100.0], dtype=np.float32)])
    with caplog.at_level(logging.INFO, logger="motifnet"):
        x = optimize_inputs(model, "dense_1", [0, 1], steps=200, seed=0)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("layer dense_1: node(s) 1 stay off at their learnt inputs")
    assert MOTIF in consensus(x[0]) and MOTIF in consensus(x[1])  # node 1's best try: what comes closest


def test_the_title_says_what_is_maximised(trained_run, regression_run, tmp_path, monkeypatch):
    """A regression model's output layer was titled 'Inputs that maximise nodes of output (output)'."""
    import motifnet.workflows.optimize as workflow
    from motifnet.run.rundir import open_run

    titles = []
    original = workflow.plot_optimized_inputs

    def recording(*args, title=None, **kwargs):
        titles.append(title)
        return original(*args, title=title, **kwargs)

    monkeypatch.setattr(workflow, "plot_optimized_inputs", recording)
    optimize_for_run(open_run(trained_run[0]), "output", [1], tmp_path / "a.png", steps=2)
    optimize_for_run(open_run(trained_run[0]), "conv_1", [0], tmp_path / "b.png", steps=2)
    optimize_for_run(open_run(regression_run[0]), "output", [0], tmp_path / "c.png", steps=2)
    assert titles == ["Inputs that maximise nodes of output (value before the activation)",
                      "Inputs that maximise nodes of conv_1 (maximum over positions)",
                      "Inputs that maximise nodes of output (their value)"]
