"""Attribution maps: the shuffle, a hand-built network with known answers, completeness and ISM on
trained models, the planted motifs and the command line.

The numbers behind the logos are tested in test_attribution_summary.py, the figures in
test_plot_attribution.py and the report's attribution sections in test_report.py."""

import json
import os
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from helpers import (  # noqa: E402
    SAMPLE_DNA,
    TINY_PARAMS,
    assert_same_outputs,
    copy_run,
    dead_pid,
    reverse_complement_text,
    scratch_name,
    write_fasta,
)

from motifnet.data.alphabets import DNA  # noqa: E402
from motifnet.data.dataset import Dataset  # noqa: E402
from motifnet.data.encoding import Encoder, fit_length  # noqa: E402
from motifnet.errors import ParamError  # noqa: E402
from motifnet.interpret.attribution import (  # noqa: E402
    AttributionConfig,
    attribute,
    dinucleotide_shuffle,
    dinucleotide_shuffle_order,
    make_references,
    resolve_target,
    strongest_windows,
)
from motifnet.run.rundir import open_run  # noqa: E402
from motifnet.run.selection import select_data  # noqa: E402


def pairs(sequence):
    return Counter(zip(sequence[:-1], sequence[1:]))


def logit_function(model):
    """The target logits by an independent route: a Keras sub-model ending at the output's input."""
    import keras

    output = model.get_layer("output")
    before = keras.Model(model.inputs, output.input)

    def logits(inputs, targets):
        inputs = inputs if isinstance(inputs, dict) else [inputs]  # the networks' inputs are a list
        hidden = np.asarray(before(inputs, training=False), dtype=np.float64)
        values = hidden @ np.asarray(output.kernel, dtype=np.float64) + np.asarray(output.bias, dtype=np.float64)
        return values[np.arange(len(values)), targets]
    return logits


def relative_errors(result):
    difference = result.logits.astype(np.float64) - result.reference_logits
    error = np.abs(np.asarray(result.values, dtype=np.float64).sum(axis=(1, 2)) - difference)
    return error / np.abs(difference), difference


# -- the dinucleotide shuffle ----------------------------------------------------------------------------------

@pytest.mark.parametrize("letters,length", [("ACGT", 100), ("ACGT", 7), ("AC", 50), ("ACDEFGHIKLMNPQRSTVWY", 300),
                                            ("A", 20), ("ACGT", 3), (list(range(40)), 500)])
def test_dinucleotide_shuffle_keeps_every_pair_count_exactly(letters, length):
    rng = np.random.default_rng(length)
    for trial in range(20):
        sequence = np.asarray(list(letters))[rng.integers(0, len(letters), size=length)]
        order = dinucleotide_shuffle_order(sequence, np.random.default_rng(trial))
        shuffled = sequence[order]
        assert sorted(order) == list(range(length))  # a permutation of the positions
        assert pairs(list(shuffled)) == pairs(list(sequence))
        assert shuffled[0] == sequence[0] and shuffled[-1] == sequence[-1]


def test_dinucleotide_shuffle_is_seeded_and_mixes():
    sequence = np.array(list("ACGTTGCAAGCTTACGGATCCATGCATGACGTAGCTAGCTAGGATCGATCGGATACGATCAGCAT"))
    first = dinucleotide_shuffle(sequence, np.random.default_rng(5))
    assert np.array_equal(first, dinucleotide_shuffle(sequence, np.random.default_rng(5)))
    outcomes = {"".join(dinucleotide_shuffle(sequence, np.random.default_rng(seed))) for seed in range(30)}
    assert len(outcomes) >= 25
    assert np.mean(first != sequence) > 0.4
    # Short sequences have nothing to shuffle; a single symbol stays as it is.
    assert list(dinucleotide_shuffle(np.array(list("AC")), np.random.default_rng(0))) == ["A", "C"]
    assert "".join(dinucleotide_shuffle(np.array(list("AAAAA")), np.random.default_rng(0))) == "AAAAA"


def test_every_arrangement_with_the_same_pairs_can_come_out():
    # ACAGA... the arrangements of "ACAGATA" that keep its pairs: A then C/G/T in any order.
    sequence = np.array(list("ACAGATA"))
    seen = {"".join(dinucleotide_shuffle(sequence, np.random.default_rng(seed))) for seed in range(200)}
    assert seen == {"A" + "".join(p) + "A" for p in
                    ("CAGAT", "CATAG", "GACAT", "GATAC", "TACAG", "TAGAC")}


# -- a hand-built network with answers worked out by hand --------------------------------------------------------

def build_ac_detector():
    """Input (4, ACGT) -> conv_1: one kernel of width 2 scoring A then C, bias -1 (ReLU) -> max over
    the 3 windows -> output logits (2 * h + 0.5, -h).

    For "GACA" and the zeros baseline: window AC has z = 1 (reference -1), the others z = -1 as
    for the reference. DeepLIFT: ReLU secant 1/2, the pool passes the whole change (1) to window
    AC, so A and C each get 2 * 1 * 1/2 = 1, summing to logit change 2. The plain gradient there is
    2 per letter, so gradient x input sums to 4 instead.
    """
    import keras

    sequence = keras.Input(shape=(4, 4), name="sequence")
    conv = keras.layers.Conv1D(1, 2, activation="relu", name="conv_1")
    x = keras.layers.MaxPooling1D(3, name="pool_1")(conv(sequence))
    x = keras.layers.Flatten(name="flatten")(x)
    output = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model([sequence], output(x))  # a list of inputs, as motifnet's own networks have
    kernel = np.zeros((2, 4, 1), dtype=np.float32)
    kernel[0, 0, 0] = kernel[1, 1, 0] = 1.0
    conv.set_weights([kernel, np.array([-1.0], dtype=np.float32)])
    output.set_weights([np.array([[2.0, -1.0]], dtype=np.float32), np.array([0.5, 0.0], dtype=np.float32)])
    return model


def tiny_dataset(sequences, labels=None, length=None):
    encoder = Encoder(DNA, length or len(sequences[0]))
    codes = np.stack([encoder.seq_lookup[np.frombuffer(s.encode(), dtype=np.uint8)] for s in sequences])
    labels = np.eye(2, dtype=np.uint8)[labels if labels is not None else [0] * len(sequences)]
    return Dataset(encoder, codes.astype(np.uint8), labels, np.array([f"s{i}" for i in range(len(sequences))]),
                   np.zeros(len(sequences), dtype=np.int32), ["x", "y"], False, [])


@pytest.fixture(scope="module")
def detector():
    return build_ac_detector()


def expected(cells, length=4):
    array = np.zeros((length, 4))
    for (position, letter), value in cells.items():
        array[position, "ACGT".index(letter)] = value
    return array


def test_deeplift_integrated_gradients_and_gradients_on_the_hand_built_network(detector):
    data = tiny_dataset(["GACA"])
    deeplift = attribute(detector, data, AttributionConfig("deeplift", 0))
    np.testing.assert_allclose(deeplift.values[0], expected({(1, "A"): 1.0, (2, "C"): 1.0}), atol=1e-6)
    np.testing.assert_allclose([deeplift.logits[0], deeplift.reference_logits[0]], [2.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(deeplift.scores[0], [0, 1, 1, 0], atol=1e-6)
    # With an even number of steps, half the midpoints lie beyond alpha = 0.5 where the ReLU opens.
    integrated = attribute(detector, data, AttributionConfig("integrated-gradients", 0, steps=50))
    np.testing.assert_allclose(integrated.values[0], expected({(1, "A"): 1.0, (2, "C"): 1.0}), atol=1e-5)
    gradient = attribute(detector, data, AttributionConfig("grad-input", 0))
    np.testing.assert_allclose(gradient.values[0], expected({(1, "A"): 2.0, (2, "C"): 2.0}), atol=1e-6)
    saliency = attribute(detector, data, AttributionConfig("saliency", 1))  # logit 1 is -h: |gradient| 1
    np.testing.assert_allclose(saliency.values[0], expected({(1, "A"): 1.0, (2, "C"): 1.0}), atol=1e-6)


def test_ism_on_the_hand_built_network(detector):
    result = attribute(detector, tiny_dataset(["GACA"]), AttributionConfig("ism", 0))
    # Breaking A or C of the AC window drops the maximum from 1 to 0 (logit -2); nothing else matters.
    want = expected({(1, "C"): -2, (1, "G"): -2, (1, "T"): -2, (2, "A"): -2, (2, "G"): -2, (2, "T"): -2})
    np.testing.assert_allclose(result.values[0], want, atol=1e-6)
    np.testing.assert_allclose(result.scores[0], [0, 2, 2, 0], atol=1e-6)
    assert result.channel_names == list("ACGT")


def test_deeplift_maxpool_passes_the_change_when_input_and_reference_peak_apart(detector):
    # The reference ACGG peaks in window 0, the input GGAC in window 2: the plain gradient would
    # credit only window 2 and miss the loss of window 0; the sum must still be exact.
    data = tiny_dataset(["GGAC", "ACAC", "TTTT"])
    for baseline in ("zeros", "uniform", "shuffle"):
        result = attribute(detector, data, AttributionConfig("deeplift", 0, baseline))
        errors = np.abs(result.values.sum(axis=(1, 2)) - (result.logits - result.reference_logits))
        assert errors.max() < 1e-5, baseline


def test_targets_and_options():
    assert resolve_target(None, ["a", "b"]) is None
    assert resolve_target("b", ["a", "b"]) == 1
    assert resolve_target("1", ["a", "b"]) == 1
    assert resolve_target("0", ["1", "0"]) == 1  # a class name wins over an index
    with pytest.raises(ParamError, match="'c' is not a class of the model.*0 a, 1 b"):
        resolve_target("c", ["a", "b"])
    with pytest.raises(ParamError, match="--target 2 is out of range: the model has 2 classes"):
        resolve_target(2, ["a", "b"])
    # a regression model's outputs were called classes
    with pytest.raises(ParamError, match="--target 1 is out of range: the model has 1 target, number 0: "
                                         "0 gata_count$"):
        resolve_target(1, ["gata_count"], "regression")
    with pytest.raises(ParamError, match="'x' is not a target of the model; give a target name or a 0-based index"):
        resolve_target("x", ["gata_count", "other"], "regression")
    checked = AttributionConfig("integrated-gradients").checked()
    assert (checked.baseline, checked.steps, checked.shuffles) == ("zeros", 50, None)
    assert AttributionConfig("deeplift", baseline="shuffle").checked().shuffles == 10
    assert AttributionConfig("ism").checked().baseline is None


@pytest.mark.parametrize("kwargs,fragment", [
    ({"method": "lime"}, "--method must be one of"),
    ({"method": "ism", "baseline": "zeros"}, "--baseline is used by integrated-gradients and deeplift only"),
    ({"method": "deeplift", "baseline": "noise"}, "--baseline must be one of zeros, uniform, shuffle"),
    ({"method": "deeplift", "steps": 10}, "--steps is used by integrated-gradients only"),
    ({"method": "integrated-gradients", "steps": 0}, "--steps must be at least 1, received: 0"),
    ({"method": "deeplift", "shuffles": 3}, "--shuffles is used with --baseline shuffle only"),
    ({"method": "deeplift", "baseline": "shuffle", "shuffles": 0}, "--shuffles must be at least 1"),
    ({"method": "deeplift", "seed": -1}, "--seed must be at least 0, received: -1"),
    ({"method": "ism", "batch_size": 2.5}, "--batch-size must be an integer, received: 2.5"),
    # Numbers past any use that would exhaust the memory (a traceback) rather than be refused.
    ({"method": "integrated-gradients", "steps": 10**20}, "--steps must be at most 10000, received: 10000000000"),
    ({"method": "deeplift", "baseline": "shuffle", "shuffles": 1001},
     "--shuffles must be at most 1000, received: 1001"),
])
def test_bad_options_are_refused(kwargs, fragment):
    with pytest.raises(ParamError, match=fragment.replace("(", r"\(")):
        AttributionConfig(**kwargs).checked()


def test_baselines_replace_only_the_sequence_channels():
    data = tiny_dataset(["GACAGTTACA", "CCCGGGAAAT"])
    sequence = data.model_inputs(slice(None))["sequence"]
    np.testing.assert_array_equal(make_references(data, slice(None), sequence, "zeros"), 0)
    np.testing.assert_array_equal(make_references(data, slice(None), sequence, "uniform"), 0.25)
    shuffled = make_references(data, slice(None), sequence, "shuffle", shuffles=4, seed=3)
    assert shuffled.shape == (2, 4, 10, 4)
    for row in range(2):
        for reference in shuffled[row]:
            letters = "".join("ACGT"[i] for i in reference.argmax(axis=1))
            original = "".join("ACGT"[i] for i in sequence[row].argmax(axis=1))
            assert pairs(letters) == pairs(original)
    # The shuffles of a record depend on its place in the selection, not on the batch.
    again = make_references(data, slice(1, 2), sequence[1:2], "shuffle", shuffles=4, seed=3, first_index=1)
    np.testing.assert_array_equal(again[0], shuffled[1])


def padded_dataset(sequences, length):
    """``tiny_dataset`` of records shorter than the model, zero-padded (fit_length) to ``length``."""
    data = tiny_dataset(sequences)
    data.encoder = Encoder(DNA, length)
    data.codes = np.stack([fit_length(row, length) for row in data.codes])
    return data


def test_a_short_records_padding_gets_no_letters_in_baselines_and_no_ism_value(detector):
    """The uniform baseline put 1/4 in a padded record's padding, shuffles moved its letters into it, and ISM
    substituted letters there: padding, which holds no letter, got attribution."""
    data = padded_dataset(["GACAGTTACA", "CCCGGGAAAT"], 14)
    sequence = data.model_inputs(slice(None))["sequence"]
    letters = np.zeros(14, dtype=bool)
    letters[2:12] = True
    uniform = make_references(data, slice(None), sequence, "uniform")
    np.testing.assert_array_equal(uniform[:, :, letters], 0.25)
    np.testing.assert_array_equal(uniform[:, :, ~letters], 0)
    shuffled = make_references(data, slice(None), sequence, "shuffle", shuffles=8, seed=3)
    np.testing.assert_array_equal(shuffled[:, :, ~letters], 0)
    np.testing.assert_array_equal(shuffled[:, :, letters].sum(axis=-1), 1)
    for row in range(2):
        original = "".join("ACGT"[i] for i in sequence[row, letters].argmax(axis=1))
        for reference in shuffled[row]:
            assert pairs("".join("ACGT"[i] for i in reference[letters].argmax(axis=1))) == pairs(original)
    # ISM of CA padded to 4 letters: an A put in the padding before C would make the detector's AC
    result = attribute(detector, padded_dataset(["CA"], 4), AttributionConfig("ism", 0))
    np.testing.assert_array_equal(result.values[0, [0, 3]], 0)
    np.testing.assert_array_equal(result.scores[0, [0, 3]], 0)


def test_strongest_windows():
    scores = np.array([[0, 1, 5, -2, 3, 4, 0], [4, 0, 0, 0, 0, 0, 1], [1, 1, 0, 1, 1, 0, 0]], dtype=float)
    assert list(strongest_windows(scores, 2)) == [4, 0, 0]  # ties: the first window
    assert list(strongest_windows(scores, 1)) == [2, 0, 0]
    assert list(strongest_windows(scores, 5)) == [1, 0, 0]
    assert list(strongest_windows(scores, 50)) == [0, 0, 0]


def test_random_untrained_networks_of_every_supported_shape_sum_exactly():
    """Pysster's default block (two conv/pool layers, a dense layer), multi-label outputs, features, and
    sparsely connected layers (on the dense block and on the features branch)."""
    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 40)) for _ in range(6)]
    data = tiny_dataset(sequences)
    params = resolve({"kernel_num": 6, "kernel_len": 5, "neuron_num": 8})  # conv_num=2, pool 2/2
    from motifnet.model.adjacency import Adjacency

    def adjacency(rows, columns):
        matrix = (rng.random((rows, columns)) < 0.5).astype(np.uint8)
        matrix[0] = 1
        return Adjacency(matrix, "dense_adjacency", "test", "")

    flat = int(build_model(params, 40, 4, 2, False, n_features=3).get_layer("dense_1").input.shape[-1]) - 3
    sparse = {"sparse_features": adjacency(3, 2), "dense_1": adjacency(flat + 2, 5)}
    for multi_label, n_features, layers in ((False, 0, None), (True, 0, None), (False, 3, None), (False, 3, sparse)):
        import keras

        keras.utils.set_random_seed(1)
        model = build_model(params, 40, 4, 2, multi_label, n_features=n_features, adjacency=layers or {})
        if layers:
            assert type(model.get_layer("dense_1")).__name__ == "SparselyConnected"
        if n_features:
            data.features = rng.normal(size=(6, n_features)).astype(np.float32)
        result = attribute(model, data, AttributionConfig("deeplift", 1, "uniform"))
        errors, difference = relative_errors(result)
        assert np.all(errors * np.abs(difference) <= 1e-3 * np.maximum(np.abs(difference), 1e-2)), errors
        inputs = data.model_inputs(slice(None))
        own = logit_function(model)({k: v for k, v in inputs.items()}, np.ones(6, dtype=int))
        np.testing.assert_allclose(result.logits, own, rtol=1e-5, atol=1e-5)
    data.features = None


def test_deeplift_exp_secant_keeps_its_digits_when_input_and_reference_are_close():
    """float32 (exp(z) - exp(z')) / (z - z') is off by 2% at a gap of 1e-5; the slope must stay exact."""
    import tensorflow as tf

    from motifnet.interpret._deeplift import _rescale

    z_ref = np.array([5.0, -3.0, 0.5, 2.0, 12.0, -20.0, 1.0], dtype=np.float32)
    z = z_ref + np.array([1e-5, -2e-6, 0.0, 0.7, -3.0, 30.0, 1e-3], dtype=np.float32)
    with tf.GradientTape() as tape:
        z_in = tf.constant(z)
        tape.watch(z_in)
        out, out_ref = _rescale(z_in, tf.constant(z_ref), "exponential")
    slope = tape.gradient(out, z_in).numpy()
    gap = z.astype(np.float64) - z_ref
    exact = np.where(gap != 0, np.expm1(gap) / np.where(gap != 0, gap, 1), 1) * np.exp(z_ref.astype(np.float64))
    np.testing.assert_allclose(slope, exact, rtol=2e-6)
    np.testing.assert_allclose(out.numpy(), np.exp(z.astype(np.float64)), rtol=2e-6)
    np.testing.assert_allclose(out_ref.numpy(), np.exp(z_ref.astype(np.float64)), rtol=2e-6)


def test_deeplift_refuses_recurrent_models_before_any_work():
    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    model = build_model(resolve({"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "rnn_type": "LSTM",
                                 "rnn_units": 4}), 20, 4, 2, False)
    with pytest.raises(ParamError, match="deeplift does not support recurrent models.*rnn_1.*Use integrated"):
        attribute(model, tiny_dataset(["ACGT" * 5]), AttributionConfig("deeplift"))
    # The gradient methods work on it.
    result = attribute(model, tiny_dataset(["ACGT" * 5]), AttributionConfig("integrated-gradients", steps=4))
    assert result.values.shape == (1, 20, 4)


@pytest.mark.parametrize("overrides", [
    {"conv_num": 1, "global_pool": "max", "pool_size": 1, "pool_stride": 1},
    {"conv_num": 2, "global_pool": "avg", "batch_norm": True},
    {"conv_num": 1, "global_pool": "max", "batch_norm": True, "strand": "both"},
    {"conv_num": 2, "strand": "both"},  # pysster's block, flattened
    {"conv_num": 1, "global_pool": "max", "position_bins": 4, "strand": "both"},  # 36 positions: 4 bins of 9
    {"conv_num": 2, "global_pool": "max", "position_bins": 3, "batch_norm": True},  # 7 positions: 3, 2, 2
    {"conv_num": 1, "global_pool": "max+avg", "position_bins": 4, "strand": "both"},
    {"conv_num": 2, "global_pool": "max+avg", "batch_norm": True},
    {"conv_num": 1, "global_pool": "max", "position_bins": 4, "strand": "both", "conv_activation": "exponential"},
    {"conv_num": 2, "conv_activation": "exponential"},  # exp on conv_1, ReLU on conv_2, flattened
])
@pytest.mark.parametrize("n_features", [0, 3])
def test_deeplift_sums_exactly_on_networks_that_pool_globally_or_read_both_strands(overrides, n_features):
    import keras

    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    rng = np.random.default_rng(0)
    data = tiny_dataset(["".join(rng.choice(list("ACGT"), 40)) for _ in range(6)])
    data.features = rng.normal(size=(6, n_features)).astype(np.float32) if n_features else None
    keras.utils.set_random_seed(1)
    params = resolve({"kernel_num": 6, "kernel_len": 5, "neuron_num": 8, **overrides})
    model = build_model(params, 40, 4, 2, False, n_features=n_features, complement=data.complement_channels)
    for variable in model.weights:  # batch normalisation and position weights away from the identity
        if "moving" in variable.path or "gamma" in variable.path or "beta" in variable.path:
            variable.assign(rng.uniform(0.5, 1.5, variable.shape) if "gamma" in variable.path or "variance"
                            in variable.path else rng.normal(0, 0.3, variable.shape))
        if "position_weights" in variable.path:
            variable.assign(rng.uniform(0, 2, variable.shape))
    result = attribute(model, data, AttributionConfig("deeplift", 1, "uniform"))
    errors, difference = relative_errors(result)
    assert np.all(errors * np.abs(difference) <= 1e-3 * np.maximum(np.abs(difference), 1e-2)), errors
    own = logit_function(model)(data.model_inputs(slice(None)), np.ones(6, dtype=int))
    np.testing.assert_allclose(result.logits, own, rtol=1e-5, atol=1e-5)
    gradients = attribute(model, data, AttributionConfig("integrated-gradients", 1, "uniform", steps=8))
    assert gradients.values.shape == (6, 40, 4) and np.isfinite(gradients.values).all()


def test_ism_of_a_both_strands_model_is_the_reverse_complement_of_ism_of_the_reverse_complement():
    import keras

    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    rng = np.random.default_rng(2)
    sequences = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(4)]
    keras.utils.set_random_seed(3)
    model = build_model(resolve({"conv_num": 1, "kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "strand": "both",
                                 "global_pool": "max"}), 30, 4, 2, False, complement=(3, 2, 1, 0))
    forward = attribute(model, tiny_dataset(sequences), AttributionConfig("ism", 0))
    reverse = attribute(model, tiny_dataset([reverse_complement_text(text) for text in sequences]),
                        AttributionConfig("ism", 0))
    np.testing.assert_allclose(reverse.logits, forward.logits, rtol=0, atol=1e-6)
    np.testing.assert_allclose(reverse.values[:, ::-1, ::-1], forward.values, rtol=0, atol=1e-5)
    assert np.abs(forward.values).max() > 1e-3


# -- trained models -------------------------------------------------------------------------------------------

def test_completeness_ism_and_batch_sizes_on_the_trained_run(trained_run):
    run = open_run(trained_run[0])
    data = select_data(run, "all")
    logits = logit_function(run.model)
    for baseline in ("zeros", "uniform", "shuffle"):
        shuffles = 3 if baseline == "shuffle" else None
        result = attribute(run.model, data, AttributionConfig("deeplift", "up", baseline, shuffles=shuffles))
        errors, difference = relative_errors(result)
        # Relative error 1e-3; logit changes below 0.01 are held to 1e-5 absolutely.
        assert np.all(errors * np.abs(difference) <= 1e-3 * np.maximum(np.abs(difference), 1e-2)), baseline
        sequence = data.model_inputs(slice(None))["sequence"]
        np.testing.assert_allclose(result.logits, logits(sequence, result.targets), atol=1e-4)
        references = make_references(data, slice(None), sequence, baseline, shuffles or 1, 0)
        own = np.mean([logits(references[:, k], result.targets) for k in range(references.shape[1])], axis=0)
        np.testing.assert_allclose(result.reference_logits, own, atol=1e-4)

    small = data.subset(np.arange(12))
    ism = attribute(run.model, small, AttributionConfig("ism", "down", batch_size=7))
    sequence = small.model_inputs(slice(None))["sequence"]
    original = logits(sequence, ism.targets)
    for row in range(len(small)):
        mutants = np.repeat(sequence[row][None], 40 * 4, axis=0)
        for position in range(40):
            for letter in range(4):
                mutants[position * 4 + letter, position] = np.eye(4)[letter]
        direct = logits(mutants, np.full(len(mutants), ism.targets[row])) - original[row]
        np.testing.assert_allclose(ism.values[row].ravel(), direct, atol=2e-5, rtol=0)
    for method in ("integrated-gradients", "ism", "saliency"):
        steps = 6 if method == "integrated-gradients" else None
        one = attribute(run.model, small, AttributionConfig(method, 0, steps=steps, batch_size=1))
        many = attribute(run.model, small, AttributionConfig(method, 0, steps=steps, batch_size=256))
        np.testing.assert_allclose(one.values, many.values, atol=1e-5)


def test_the_explained_probabilities_are_those_predict_gives(trained_run):
    # attribute computed them through a model of its own, not predict's path.
    from motifnet.run.predict import predict_arrays

    run = open_run(trained_run[0])
    data = select_data(run, "all")
    predicted = predict_arrays(run.model, data, np.arange(len(data)), 64)
    for target in (None, "down"):
        result = attribute(run.model, data, AttributionConfig("saliency", target, batch_size=5))
        assert result.targets.tolist() == (predicted.argmax(axis=1).tolist() if target is None else [1] * len(data))
        assert_same_outputs(result.probabilities, predicted[np.arange(len(data)), result.targets])


@pytest.mark.slow
def test_deeplift_and_integrated_gradients_sum_to_the_logit_change_on_the_sample_run(sample_run):
    run = open_run(sample_run)
    data = select_data(run, "test")
    for baseline in ("zeros", "shuffle"):
        shuffles = 3 if baseline == "shuffle" else None
        result = attribute(run.model, data, AttributionConfig("deeplift", None, baseline, shuffles=shuffles))
        errors, difference = relative_errors(result)
        assert np.all(errors * np.abs(difference) <= 1e-3 * np.maximum(np.abs(difference), 1e-2)), baseline
    # Integrated gradients approximate the path integral: 50 midpoints get within 5% for at least
    # 95% of the sequences (the logit is piecewise linear along the path, so the error falls as 1/steps);
    # 200 steps halve the mean error at least.
    coarse = relative_errors(attribute(run.model, data, AttributionConfig("integrated-gradients", steps=50)))[0]
    fine = relative_errors(attribute(run.model, data, AttributionConfig("integrated-gradients", steps=200)))[0]
    assert np.quantile(coarse, 0.95) < 0.05 and np.median(coarse) < 0.01, (np.quantile(coarse, 0.95), coarse.max())
    assert fine.mean() < 0.5 * coarse.mean() and fine.max() < coarse.max()


def planted_sites():
    sites = {}
    for path in SAMPLE_DNA:
        for line in path.read_text().split("\n"):
            if line.startswith(">") and "pos=" in line:
                words = dict(word.split("=") for word in line[1:].split()[1:])
                sites[line[1:].split()[0]] = (int(words["pos"]), len(words["motif"]))
    return sites


@pytest.mark.slow
@pytest.mark.parametrize("method", ["deeplift", "ism"])
def test_strongest_windows_fall_on_the_planted_sites(sample_run, method):
    """Each test-split sequence that carries a planted site is explained for its own class; the
    strongest 10-base window must overlap the site. A window placed at random overlaps a site of
    8-10 bases in a 100-base sequence with probability about 0.19 (computed per sequence below),
    so the test asks for at least 75% hits and at least 3.5 times chance; the model finds about 90%.
    """
    run = open_run(sample_run)
    data = select_data(run, "test")
    sites, width, length = planted_sites(), 10, data.encoder.length
    hits, chance = [], []
    for index in range(len(data.class_names)):
        members = data.subset(np.flatnonzero(data.labels[:, index] == 1))
        result = attribute(run.model, members, AttributionConfig(method, index))
        for record_id, start in zip(members.ids, strongest_windows(result.scores, width)):
            if str(record_id) not in sites:
                continue
            site, motif = sites[str(record_id)]
            hits.append(start < site + motif and site < start + width)
            overlapping = min(site + motif - 1, length - width) - max(0, site - width + 1) + 1
            chance.append(overlapping / (length - width + 1))
    assert len(hits) > 150
    assert np.mean(hits) >= 0.75 and np.mean(hits) >= 3.5 * np.mean(chance), (np.mean(hits), np.mean(chance))


# -- sequence + structure -------------------------------------------------------------------------------------

def test_sequence_structure_models(rna_structure_run, cli, tmp_path):
    structure_run, _ = rna_structure_run
    run = open_run(structure_run)
    data = select_data(run, "all").subset(np.arange(8))
    assert data.encoder.channels == 12
    result = attribute(run.model, data, AttributionConfig("deeplift", "p", "shuffle", shuffles=2))
    errors, difference = relative_errors(result)
    assert np.all(errors * np.abs(difference) <= 1e-3 * np.maximum(np.abs(difference), 1e-2))
    # The shuffle works on joint symbols: joint dinucleotides are kept.
    sequence = data.model_inputs(slice(None))["sequence"]
    references = make_references(data, slice(None), sequence, "shuffle", 2, 0)
    for row in range(len(data)):
        assert pairs(list(references[row, 0].argmax(axis=1))) == pairs(list(sequence[row].argmax(axis=1)))
    # ISM substitutes every (letter, structure) pair, checked against a direct forward pass.
    ism = attribute(run.model, data.subset(np.arange(2)), AttributionConfig("ism", "p"))
    assert ism.values.shape == (2, 20, 12) and ism.channel_names[:3] == ["A|(", "A|)", "A|."]
    logits = logit_function(run.model)
    row = sequence[0]
    mutants = np.repeat(row[None], 20 * 12, axis=0)
    for position in range(20):
        for channel in range(12):
            mutants[position * 12 + channel, position] = np.eye(12)[channel]
    direct = logits(mutants, np.zeros(len(mutants), dtype=int)) - logits(row[None], np.zeros(1, dtype=int))[0]
    np.testing.assert_allclose(ism.values[0].ravel(), direct, atol=2e-5, rtol=0)

    out = tmp_path / "attr"
    done = cli("attribute", structure_run, "-o", out, "--method", "ism", "--top", "2", "--group", "all")
    assert done.exit_code == 0, done.stderr
    summary = json.loads((out / "attribution.json").read_text())
    assert summary["top"][0]["window_structure"] and len(list(out.glob("attribution_*.png"))) == 2


# -- the command line and the report ------------------------------------------------------------------------------

def test_attribute_command_writes_arrays_logos_and_the_summary(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "deeplift"
    result = cli("attribute", run_dir, "-o", out, "--method", "deeplift", "--target", "up", "--baseline", "shuffle",
                 "--shuffles", "2", "--top", "3", "--group", "all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out / "attributions.npz")
    assert "sum to the logit change" in result.stderr
    with np.load(out / "attributions.npz", allow_pickle=False) as arrays:
        assert arrays["attributions"].shape == (80, 40, 4) and arrays["attributions"].dtype == np.float32
        assert arrays["position_scores"].shape == (80, 40)
        assert set(arrays["target_name"]) == {"up"} and set(arrays["target"]) == {0}
        assert str(arrays["method"]) == "deeplift" and str(arrays["baseline"]) == "shuffle"
        assert list(arrays["class_names"]) == ["up", "down"] and len(arrays["ids"]) == 80
        np.testing.assert_allclose(arrays["attributions"].sum(axis=(1, 2)),
                                   arrays["logit"] - arrays["reference_logit"], atol=1e-4)
        probability = arrays["probability"]
        scores = arrays["position_scores"]
        ids = list(arrays["ids"])
    images = sorted(p.name for p in out.glob("attribution_*.png"))
    assert len(images) == 3 and images[0].startswith("attribution_1_")
    summary = json.loads((out / "attribution.json").read_text())
    assert [row["probability"] for row in summary["top"]] == sorted(probability, reverse=True)[:3]
    assert summary["target"] == "up" and summary["window_width"] == 5 and summary["npz"] == "attributions.npz"
    first = summary["top"][0]
    window = scores[ids.index(first["id"])][first["window_start"] - 1:first["window_end"]]
    assert first["window_end"] - first["window_start"] == 4 and first["window_score"] == pytest.approx(window.sum())
    assert not list(out.glob(".attributions.*"))  # the scratch file is gone
    assert "attribution section" not in result.stderr and not (out / "summary.html").exists()  # no report here


def test_attribute_without_a_report_and_new_fasta(trained_run, cli, tmp_path):
    run_dir, (a, b) = trained_run
    out = tmp_path / "sal"
    result = cli("attribute", run_dir, "-o", out, "--method", "saliency", "--fasta", a, "--fasta", b, "--top", "0")
    assert result.exit_code == 0, result.stderr
    assert "attribution section" not in result.stderr and not list(out.glob("*.png"))
    with np.load(out / "attributions.npz") as arrays:
        assert "reference_logit" not in arrays.files and (arrays["attributions"] >= 0).all()


def test_a_scratch_file_left_by_a_killed_attribute_is_removed_by_the_next_run_and_nothing_else(trained_run, cli,
                                                                                                 tmp_path):
    """A SIGKILL leaves the hidden scratch array, as large as all the attributions; a rerun into the folder left
    it there, and each kill added one. Now the next run removes it, as motifs removes its own; files of other
    names stay."""
    run_dir, (a, b) = trained_run
    out = tmp_path / "sal"
    out.mkdir()
    stale = out / scratch_name("attributions", ".npy", dead_pid())
    stale.write_bytes(b"\x93NUMPY" + bytes(100))
    # a user's files, and the scratch file of another run into the folder that is still working
    kept = [out / ".attributions.mine.npy", out / scratch_name("attributions", ".npy", os.getpid()),
            out / stale.name[1:], out / scratch_name("attributions", ".txt", dead_pid()),
            out / stale.name.replace("@", "@another-host.")]  # another host's: its process cannot be checked
    for path in kept:
        path.write_text("mine\n")
    result = cli("attribute", run_dir, "-o", out, "--method", "saliency", "--fasta", a, "--fasta", b, "--top", "0")
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and all(path.read_text() == "mine\n" for path in kept)
    assert sorted(out.glob(".attributions.*")) == sorted([kept[0], kept[1], kept[3], kept[4]])  # its own is gone
    assert f"scratch files of another host, whose runs cannot be checked from here: {kept[4].name}" in result.stderr


@pytest.mark.parametrize("args,fragment,status", [
    (["--method", "deeplift", "--target", "sideways"], "--target 'sideways' is not a class of the model", 1),
    (["--method", "deeplift", "--target", "7"], "--target 7 is out of range: the model has 2 classes", 1),
    (["--method", "ism", "--baseline", "zeros"], "--baseline is used by integrated-gradients and deeplift only", 2),
    (["--method", "deeplift", "--steps", "10"], "--steps is used by integrated-gradients only", 2),
    # a value outside the option's range: a usage error (2), as Click's own range checks
    (["--method", "integrated-gradients", "--steps", "0"], "--steps must be at least 1", 2),
    (["--method", "deeplift", "--shuffles", "4"], "--shuffles is used with --baseline shuffle only", 2),
    (["--method", "integrated-gradients", "--steps", "100000000000000000000"], "--steps must be at most 10000", 2),
    (["--method", "deeplift", "--baseline", "shuffle", "--shuffles", "5000"], "--shuffles must be at most 1000", 2),
])
def test_bad_options_of_attribute(trained_run, cli, tmp_path, monkeypatch, args, fragment, status):
    """Refused before the model loads, and without making the output folder."""
    from motifnet.run.rundir import Run

    monkeypatch.setattr(Run, "model", property(lambda run: pytest.fail("the model was loaded")))
    result = cli("attribute", trained_run[0], "-o", tmp_path / "new" / "out", *args)
    assert result.exit_code == status
    assert fragment in result.stderr.strip().split("\n")[-1] and "Traceback" not in result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("output, fragment", [
    ("taken", "-o/--output {tmp}/taken: must be a folder, not a file; give a new or existing folder"),
    ("taken/out", "-o/--output {tmp}/taken/out: cannot be made, {tmp}/taken is a file; give a new or existing "
                  "folder"),
])
def test_attribute_refuses_an_output_that_is_a_file(trained_run, cli, tmp_path, output, fragment):
    (tmp_path / "taken").write_text("mine\n")
    result = cli("attribute", trained_run[0], "--method", "saliency", "-o", tmp_path / output)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == ["Error: " + fragment.format(tmp=tmp_path)]
    assert (tmp_path / "taken").read_text() == "mine\n"


@pytest.mark.parametrize("name", ["attribution.json", "attribution_1_r0.png", "attributions_up.bedGraph"])
def test_an_input_named_like_an_output_in_out_dir_is_refused(trained_run, cli, tmp_path, name):
    # attribute read the FASTA OUT/attribution.json (or one named like its logos), then wrote its own file over it.
    out = tmp_path / "out"
    out.mkdir()
    fasta = out / name
    fasta.write_text(">r0\n" + "ACGT" * 10 + "\n")
    result = cli("attribute", trained_run[0], fasta, "--method", "saliency", "-o", out)
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: FASTA {fasta}: motifnet attribute writes this file in {out}, which would replace it; copy it "
        "elsewhere or choose another -o folder")
    assert fasta.read_text() == ">r0\n" + "ACGT" * 10 + "\n" and sorted(out.iterdir()) == [fasta]


def test_a_refused_attribute_removes_only_the_folders_it_made(trained_run, cli, tmp_path):
    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "model.keras").unlink()
    (tmp_path / "mine").mkdir()
    result = cli("attribute", run_dir, "--method", "saliency", "-o", tmp_path / "mine" / "new" / "deeper")
    assert result.exit_code == 1 and "model.keras is missing" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "mine").is_dir() and not list((tmp_path / "mine").iterdir())


def test_a_rerun_removes_the_earlier_bedgraphs_and_logos_but_no_other_file(trained_run, cli, tmp_path):
    """Records named as genome windows get bedGraph files; a rerun for another target must not leave the
    first target's file behind (it would pass for this run's), nor delete a file it did not write."""
    rng = np.random.default_rng(5)
    records = [(f"chr1:{40 * i}-{40 * i + 40}(+)", "".join(rng.choice(list("ACGT"), 40))) for i in range(6)]
    windows = write_fasta(tmp_path / "windows.fa", records)
    out = tmp_path / "out"
    out.mkdir()
    (out / "attributions_mine.bedGraph").write_text("mine\n")
    (out / "attribution_1_mine.png").write_text("mine\n")
    common = ("attribute", trained_run[0], windows, "--method", "saliency", "--bedgraph", "-o", out)
    assert cli(*common, "--target", "up", "--top", "3").exit_code == 0
    assert (out / "attributions_up.bedGraph").is_file() and len(list(out.glob("attribution_?_chr1_*.png"))) == 3
    result = cli(*common, "--target", "down", "--top", "1")
    assert result.exit_code == 0, result.stderr
    summary = json.loads((out / "attribution.json").read_text())
    assert summary["bedgraphs"] == ["attributions_down.bedGraph"]
    assert sorted(path.name for path in out.iterdir()) == sorted([
        "attribution.json", "attributions.npz", "attributions_down.bedGraph", summary["top"][0]["image"],
        "attributions_mine.bedGraph", "attribution_1_mine.png"])


@pytest.mark.parametrize("name, content", [
    ("attribution.json", '{"mine": 1}'), ("attribution.json", "not JSON"), ("attributions.npz", "mine"),
    (None, "mine"),  # the first logo's name: known once the run has drawn it
])
def test_a_users_file_of_a_name_attribute_writes_is_refused_and_kept(trained_run, cli, tmp_path, name, content):
    """attribute had no guard: a folder's attribution.json of another tool, or the user's attributions.npz, was
    replaced with exit 0."""
    import matplotlib.pyplot as plt

    plt.close("all")  # figures an earlier test left open are not this run's
    args = ("attribute", trained_run[0], "--method", "saliency", "--top", "1", "--target", "up", "--group", "all")
    if name is None:
        assert cli(*args, "-o", tmp_path / "alone").exit_code == 0
        name = json.loads((tmp_path / "alone" / "attribution.json").read_text())["top"][0]["image"]
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text(content)
    result = cli(*args, "-o", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"Error: -o {out}: holds {name}, which ") and "of motifnet's" in last
    assert sorted(path.name for path in out.iterdir()) == [name] and (out / name).read_text() == content
    assert not plt.get_fignums()  # the logo refused was not drawn (a figure left open)


def test_a_users_logo_name_beside_an_earlier_attribute_is_refused_and_kept(trained_run, cli, tmp_path):
    """In the folder of an earlier attribute, a user's file named like a logo of the new run (not one the earlier
    attribution.json lists) was replaced with exit 0."""
    args = ("attribute", trained_run[0], "--method", "saliency", "--target", "up", "--group", "all")
    alone = tmp_path / "alone"
    assert cli(*args, "--top", "2", "-o", alone).exit_code == 0
    second = json.loads((alone / "attribution.json").read_text())["top"][1]["image"]
    out = tmp_path / "out"
    assert cli(*args, "--top", "1", "-o", out).exit_code == 0
    (out / second).write_text("mine")
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    result = cli(*args, "--top", "2", "-o", out)
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == (
        f"Error: -o {out}: holds {second}, which this attribute run writes, but the attribution.json there does not "
        f"list it as its run's; nothing was written: choose another folder, or move {second} away")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


@pytest.mark.slow
def test_attribute_refuses_deeplift_on_a_recurrent_run(cli, tmp_path, dna_files):
    run_dir = tmp_path / "rnn"
    assert cli("train", *dna_files, "-o", run_dir, *TINY_PARAMS, "--param", "rnn_type=GRU", "--param", "rnn_units=4",
               "--param", "epochs=1").exit_code == 0
    result = cli("attribute", run_dir, "-o", tmp_path / "out", "--method", "deeplift", "--group", "all")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "deeplift does not support recurrent models (layer rnn_1: Bidirectional)" in result.stderr
    assert not (tmp_path / "out" / "attributions.npz").exists()


def test_a_signal_stops_attribution_between_batches(detector):
    import signal

    from motifnet._signals import StopRequested, stop_on_signals

    done = []

    def progress(records, total):
        done.append(records)
        signal.raise_signal(signal.SIGTERM)

    with stop_on_signals(), pytest.raises(StopRequested):
        attribute(detector, tiny_dataset(["GACA"] * 5), AttributionConfig("grad-input", 0, batch_size=2),
                  progress=progress)
    assert done == [2]  # the first batch of two records, then no other


@pytest.mark.parametrize("command", [["attribute", "--method", "saliency", "--top", "3"],
                                     ["marginalize", "--pairs", "2", "--max-spacing", "2", "-n", "20"]])
def test_a_stop_while_figures_are_drawn_keeps_the_earlier_files_whole(trained_run, tmp_path, cli, monkeypatch,
                                                                      command):
    """A signal while the logos were drawn left the new attributions.npz and some new logos beside the earlier
    attribution.json and logos (a second signal), or was not heeded until every figure was drawn (a first)."""
    from helpers import folder_digest

    from motifnet._signals import request_stop
    from motifnet.motifs.meme import MemeMotif, write_meme
    from motifnet.plot import figures

    run_dir = trained_run[0]
    name, *options = command
    if name == "marginalize":
        motifs = tmp_path / "m.meme"
        pwms = [np.eye(4)[[3, 3, 2, 0, 1, 0]] * 0.94 + 0.015, np.eye(4)[[2, 2, 2, 2, 2, 2]] * 0.94 + 0.015]
        write_meme(motifs, [MemeMotif(f"m{i}", "", pwm, 10) for i, pwm in enumerate(pwms)], "ACGT", [0.25] * 4)
        options = ["--motifs", motifs, *options]
    out = tmp_path / "out"
    assert cli(name, run_dir, "-o", out, *options).exit_code == 0
    (out / "notes.txt").write_text("the user's")
    before = folder_digest(out)
    save_figure, drawn = figures.save_figure, []

    def stopping_after_one(figure, path):
        save_figure(figure, path)
        drawn.append(path)
        request_stop()  # as SIGTERM's handler does, while the first figure is written

    monkeypatch.setattr(figures, "save_figure", stopping_after_one)  # as marginalize imports it, when it draws
    monkeypatch.setattr("motifnet.workflows.attribution.save_figure", stopping_after_one)
    result = cli(name, run_dir, "-o", out, *options, "--seed", "5")
    assert result.exit_code == 1 and "stopped by a signal" in result.stderr, result.output
    assert len(drawn) == 1
    assert folder_digest(out) == before  # no file of the stopped run, none of the earlier ones changed
    result = cli(name, run_dir, "-o", tmp_path / "new" / "out", *options)
    assert result.exit_code == 1 and not (tmp_path / "new").exists()  # marginalize left the folder it made
