"""motifnet.interpret.influence: the loss increase when groups of first-layer kernels are silenced."""

from types import SimpleNamespace

import numpy as np
import pytest
from helpers import reverse_complement_text

from motifnet.data.alphabets import DNA
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.errors import ParamError
from motifnet.interpret.influence import evenly_spaced, group_influence, model_loss

SEQUENCES = ["ACGTAC", "TTTTTT", "GGGGGA", "CCACGT"]
LABELS = np.array([[0, 1], [1, 0], [1, 0], [0, 1]], dtype=np.uint8)  # class 1: the records with AC
# Kernel 0 is 1 on the windows 'AC' (A + C - 1): maxima 1, 0, 0, 1; over all 20 windows it is 1 three times.
MAXIMA_0 = np.array([1.0, 0.0, 0.0, 1.0])
MEAN_0 = 3 / 20
WEIGHT, BIAS = 2.0, -0.5  # logit of class 1 minus that of class 0 = WEIGHT * maximum of kernel 0 + BIAS


def records(sequences=SEQUENCES, labels=LABELS):
    lookup = {letter: code for code, letter in enumerate("ACGT", start=1)}
    codes = np.array([[lookup[letter] for letter in text] for text in sequences], dtype=np.uint8)
    n = len(codes)
    return Dataset(Encoder(DNA, codes.shape[1]), codes, np.asarray(labels, dtype=np.uint8),
                   np.array([f"s{i}" for i in range(n)]), np.zeros(n, dtype=np.int32), ["c0", "c1"], False, [])


@pytest.fixture(scope="module")
def network():
    """sequence -> conv_1 (kernel 0 finds 'AC'; kernel 1, 2 G + T, is not read) -> global max -> softmax."""
    import keras

    sequence = keras.Input(shape=(6, 4), name="sequence")
    conv = keras.layers.Conv1D(2, 2, activation="relu", name="conv_1")
    dense = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(sequence, dense(keras.layers.GlobalMaxPooling1D()(conv(sequence))))
    kernel = np.zeros((2, 4, 2), dtype=np.float32)
    kernel[0, 0, 0] = kernel[1, 1, 0] = 1.0
    kernel[0, 2, 1], kernel[1, 3, 1] = 2.0, 1.0
    conv.set_weights([kernel, np.array([-1.0, 0.0], dtype=np.float32)])
    dense.set_weights([np.array([[0.0, WEIGHT], [0.0, 0.0]], dtype=np.float32), np.array([0.0, BIAS], np.float32)])
    return model


def cross_entropy(maxima_0):
    """The mean categorical cross-entropy of the network given kernel 0's maximum per record, by hand."""
    difference = WEIGHT * maxima_0 + BIAS
    probability_1 = 1 / (1 + np.exp(-difference))
    return float(-np.mean(np.where(LABELS[:, 1] == 1, np.log(probability_1), np.log(1 - probability_1))))


@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_silencing_a_kernel_costs_what_its_constant_mean_output_costs(network, batch_size):
    influence = group_influence(network, records(), [[0], [1], [1, 0]], batch_size=batch_size)
    # Silenced, kernel 0 outputs its mean activation everywhere, so its maximum is that mean in every record.
    expected = cross_entropy(np.full(4, MEAN_0)) - cross_entropy(MAXIMA_0)
    assert expected > 0.1
    np.testing.assert_allclose(influence, [expected, 0.0, expected], rtol=1e-5, atol=1e-6)


def test_the_kernels_are_restored(network):
    data = records()
    sequence = data.model_inputs(slice(0, 4))["sequence"]
    before = [np.array(value) for value in network.get_layer("conv_1").get_weights()]
    predictions = np.asarray(network(sequence))
    group_influence(network, data, [[0, 1]])
    for value, kept in zip(network.get_layer("conv_1").get_weights(), before):
        np.testing.assert_array_equal(value, kept)
    np.testing.assert_array_equal(np.asarray(network(sequence)), predictions)


def test_a_subset_of_the_records_is_used_at_most():
    np.testing.assert_array_equal(evenly_spaced(4, limit=10), [0, 1, 2, 3])
    np.testing.assert_array_equal(evenly_spaced(10, limit=4), [0, 3, 6, 9])


def test_influence_on_a_subset_matches_the_subset_itself(network):
    # max_records=2 keeps records 0 and 3 (both hold AC), so kernel 0's mean is over their 10 windows (3 are AC).
    data = records()
    influence = group_influence(network, data, [[0]], max_records=2)
    labels = LABELS[[0, 3]]

    def loss(maxima):
        probability_1 = 1 / (1 + np.exp(-(WEIGHT * maxima + BIAS)))
        return float(-np.mean(np.where(labels[:, 1] == 1, np.log(probability_1), np.log(1 - probability_1))))

    np.testing.assert_allclose(influence, [loss(np.full(2, 3 / 10)) - loss(np.ones(2))], rtol=1e-5)


def test_a_network_reading_both_strands_gives_the_reverse_complement_the_same_influence():
    """The kernels' mean is taken over both strands, so reverse-complementing every record changes nothing."""
    import keras

    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    rng = np.random.default_rng(4)
    sequences = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(24)]
    labels = np.eye(2, dtype=np.uint8)[rng.integers(0, 2, 24)]
    keras.utils.set_random_seed(5)
    model = build_model(resolve({"kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "strand": "both"}), 30, 4, 2, False,
                        complement=(3, 2, 1, 0))
    groups = [[0], [1, 2], [3, 4, 5], [0, 1, 2, 3, 4, 5]]
    forward = group_influence(model, records(sequences, labels), groups)
    reverse = group_influence(model, records([reverse_complement_text(text) for text in sequences], labels), groups)
    np.testing.assert_allclose(reverse, forward, rtol=1e-5, atol=1e-6)
    assert np.abs(forward).max() > 1e-3


def test_no_groups_need_no_work(network):
    assert group_influence(network, records(), []).shape == (0,)


@pytest.mark.parametrize("groups,max_records,fragment", [
    ([[]], 10, "kernel groups must be non-empty lists of kernels 0 to 1, received: []"),
    ([[2]], 10, "kernel groups must be non-empty lists of kernels 0 to 1, received: [2]"),
    ([[0, -1]], 10, "kernel groups must be non-empty lists of kernels 0 to 1, received: [0, -1]"),
    ([[0]], 0, "max_records must be at least 1, received: 0"),
])
def test_bad_groups_are_refused(network, groups, max_records, fragment):
    with pytest.raises(ParamError) as error:
        group_influence(network, records(), groups, max_records=max_records)
    assert fragment in str(error.value)


def test_the_loss_of_each_task():
    single = SimpleNamespace(task="classification", multi_label=False, labels=np.array([[1, 0], [0, 1]]))
    assert model_loss(single, np.array([[0.8, 0.2], [0.5, 0.5]])) == pytest.approx(-(np.log(0.8) + np.log(0.5)) / 2)
    multi = SimpleNamespace(task="classification", multi_label=True, labels=np.array([[1, 1], [0, 1]]))
    expected = -(np.log(0.9) + np.log(0.6) + np.log(0.7) + np.log(0.6)) / 4
    assert model_loss(multi, np.array([[0.9, 0.6], [0.3, 0.6]])) == pytest.approx(expected)
    # Regression: each target's mean squared error over its variance, averaged; a constant target counts as 1.
    regression = SimpleNamespace(task="regression", targets=np.array([[0.0, 5.0], [2.0, 5.0]]))
    assert model_loss(regression, np.array([[1.0, 5.0], [1.0, 7.0]])) == pytest.approx((1.0 / 1.0 + 2.0 / 1.0) / 2)


@pytest.mark.parametrize("settings,n_features", [
    ({"strand": "both", "kernel_num": 6, "kernel_len": 5, "neuron_num": 8}, 0),
    ({"strand": "both", "kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "global_pool": "max",
      "position_bins": 3}, 2),
    ({"strand": "both", "kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "global_pool": "max+avg",
      "batch_norm": True, "pool_size": 2, "pool_stride": 2}, 0),
    ({"strand": "forward", "kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "global_pool": "max+avg",
      "position_bins": 0}, 1),
    ({"strand": "forward", "kernel_num": 6, "kernel_len": 5, "neuron_num": 8, "global_pool": "avg"}, 0),
    ({"strand": "forward", "conv_num": 2, "kernel_num": 6, "kernel_len": 4, "neuron_num": 8, "batch_norm": True,
      "global_pool": None, "position_bins": 0, "pool_size": 2, "pool_stride": 2}, 0),
])
def test_influence_is_the_loss_with_the_group_silenced_in_the_weights(settings, n_features):
    """Cutting the network (after global_pool or after conv_1) gives what zero weights and mean biases give, for
    every architecture: both strands, per-sequence features, position weights, max+avg pooling, pooling and batch
    normalisation before the global pooling, more convolutions."""
    import dataclasses

    import keras

    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    rng = np.random.default_rng(8)
    sequences = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(40)]
    data = records(sequences, np.eye(2, dtype=np.uint8)[rng.integers(0, 2, 40)])
    if n_features:
        data = dataclasses.replace(data, features=rng.normal(size=(40, n_features)).astype(np.float32))
    keras.utils.set_random_seed(3)
    model = build_model(resolve(settings), 30, 4, 2, False, n_features=n_features, complement=(3, 2, 1, 0))
    layer = model.get_layer("conv_1")
    weights, bias = layer.get_weights()
    layer.set_weights([weights, bias + 0.05])  # some kernels fire, so that silencing them matters
    groups = [[0], [1, 2], [5, 3], [0, 1, 2, 3, 4, 5]]
    inputs = data.model_inputs(slice(0, 40))
    sequence = inputs["sequence"]
    strands = [sequence, sequence[:, ::-1, ::-1]] if settings.get("strand") == "both" else [sequence]
    probe = keras.Model(model.get_layer("sequence").output, layer.output)
    activations = np.concatenate([np.asarray(probe(strand)) for strand in strands], axis=1)
    mean = activations.mean(axis=(0, 1))

    def loss():
        return model_loss(data, np.asarray(model.predict_on_batch(inputs)))

    baseline = loss()
    expected = []
    for group in groups:
        silenced_weights, silenced_bias = weights.copy(), bias + 0.05
        silenced_weights[..., group] = 0.0
        silenced_bias[group] = mean[group]
        layer.set_weights([silenced_weights, silenced_bias])
        expected.append(loss() - baseline)
    layer.set_weights([weights, bias + 0.05])
    influence = group_influence(model, data, groups, batch_size=7)
    np.testing.assert_allclose(influence, expected, rtol=1e-4, atol=1e-6)
    assert np.abs(influence).max() > 1e-3
