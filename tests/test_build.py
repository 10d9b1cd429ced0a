"""motifnet.model.build: shapes, layer names, activations and constraints for several configurations."""

import numpy as np
import pytest
from helpers import reverse_complement_text

from motifnet.errors import ParamError
from motifnet.model.params import resolve

DNA_COMPLEMENT = (3, 2, 1, 0)  # A C G T -> T G C A


def build(length=100, channels=4, classes=3, multi_label=False, features=0, task="classification", complement=None,
          **overrides):
    from motifnet.model.build import build_model

    # pysster's preset: the network these tests describe layer by layer (the default's own tests name theirs).
    return build_model(resolve(overrides, preset="pysster"), length, channels, classes, multi_label, features,
                       task=task, complement=complement)


def one_hot(text):
    return np.eye(4, dtype=np.float32)[["ACGT".index(letter) for letter in text]]


def random_dna(n, length, seed=0):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


def randomise(model, seed=0):
    """Random weights everywhere (batch normalisation too: its moving variance kept positive)."""
    rng = np.random.default_rng(seed)
    model.set_weights([np.abs(rng.normal(1.0, 0.3, w.shape)).astype(np.float32) if "variance" in v.path
                       else rng.normal(0, 0.5, w.shape).astype(np.float32)
                       for v, w in zip(model.weights, model.get_weights())])


def layer(model, name):
    return model.get_layer(name)


def test_default_architecture_follows_pysster():
    model = build(length=100)
    names = [layer.name for layer in model.layers]
    assert names == ["sequence", "dropout_input", "conv_1", "pool_1", "dropout_conv_1", "conv_2", "pool_2",
                     "dropout_conv_2", "flatten", "dense_1", "dropout_dense_1", "output"]
    # 100 -> conv 76 -> pool 38 -> conv 14 -> pool 7, 30 kernels each
    assert tuple(layer(model, "pool_2").output.shape) == (None, 7, 30)
    assert layer(model, "conv_1").kernel.shape == (25, 4, 30)
    assert layer(model, "dense_1").units == 100
    assert layer(model, "output").activation.__name__ == "softmax"
    assert layer(model, "dropout_input").rate == pytest.approx(0.1)
    assert layer(model, "dropout_conv_1").rate == pytest.approx(0.3)
    assert layer(model, "dropout_dense_1").rate == pytest.approx(0.6)
    assert layer(model, "conv_1").kernel_constraint.max_value == 3
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.0005)
    assert model.loss == "categorical_crossentropy"


def test_per_layer_tuples():
    model = build(length=80, conv_num=2, kernel_num=(10, 20), kernel_len=(30, 3), dense_num=3,
                  neuron_num=(300, 100, 30), dropout_dense=(0.5, 0.4, 0.3))
    assert layer(model, "conv_1").kernel.shape == (30, 4, 10)
    assert layer(model, "conv_2").kernel.shape == (3, 10, 20)
    assert [layer(model, f"dense_{i}").units for i in (1, 2, 3)] == [300, 100, 30]
    assert layer(model, "dropout_dense_3").rate == pytest.approx(0.3)


@pytest.mark.parametrize("rnn_type,bidirectional,units", [("LSTM", True, 64), ("GRU", False, 32)])
def test_rnn_between_conv_and_dense(rnn_type, bidirectional, units):
    model = build(length=60, conv_num=1, rnn_type=rnn_type, rnn_num=2, rnn_units=32,
                  rnn_bidirectional=bidirectional)
    assert "flatten" not in [layer.name for layer in model.layers]
    assert tuple(layer(model, "rnn_1").output.shape) == (None, 18, units)  # 60-25+1=36 -> pool 18
    assert tuple(layer(model, "rnn_2").output.shape) == (None, units)


def test_multi_label_uses_sigmoid_and_binary_crossentropy():
    model = build(classes=4, multi_label=True)
    assert layer(model, "output").activation.__name__ == "sigmoid"
    assert model.loss == "binary_crossentropy"
    assert tuple(model.output.shape) == (None, 4)


def test_features_join_at_first_dense_layer():
    model = build(features=5, conv_num=1)
    assert [i.name for i in model.inputs] == ["sequence", "features"]
    concat = layer(model, "concat_features")
    assert concat.output.shape[-1] == layer(model, "flatten").output.shape[-1] + 5
    assert layer(model, "dense_1").input.shape[-1] == concat.output.shape[-1]


def test_no_conv_and_no_dense_layers():
    model = build(conv_num=0, dense_num=0, length=20)
    names = [layer.name for layer in model.layers]
    assert names == ["sequence", "dropout_input", "flatten", "output"]


def test_kernel_constraint_none_turns_max_norm_off():
    assert layer(build(kernel_constraint=None), "conv_1").kernel_constraint is None


def test_network_that_shrinks_the_sequence_to_nothing_is_refused():
    with pytest.raises(ParamError, match=r"input 40 -> conv_1 16 -> pool_1 8 -> conv_2 -16\)"):
        build(length=40)  # 40 -> conv 16 -> pool 8 -> conv -16


def test_predictions_do_not_depend_on_batch_size():
    model = build(length=30, conv_num=1, kernel_len=5)
    x = np.random.default_rng(0).random((64, 30, 4)).astype("float32")
    reference = model.predict(x, batch_size=64, verbose=0)
    for batch_size in (1, 8):
        np.testing.assert_allclose(model.predict(x, batch_size=batch_size, verbose=0), reference, rtol=1e-5,
                                   atol=1e-6)
    np.testing.assert_allclose(reference.sum(axis=1), 1.0, rtol=1e-5)


def test_regression_has_one_linear_output_per_target_and_ignores_multi_label():
    model = build(length=30, conv_num=1, kernel_len=5, classes=2, multi_label=True, task="regression")
    assert layer(model, "output").activation.__name__ == "linear"
    assert model.loss == "mean_squared_error" and tuple(model.output.shape) == (None, 2)


def test_channels_of_a_sequence_and_structure_input():
    model = build(length=20, channels=12, classes=2, conv_num=1, kernel_len=5, kernel_num=4)
    assert tuple(model.get_layer("sequence").output.shape) == (None, 20, 12)
    assert layer(model, "conv_1").kernel.shape == (5, 12, 4)


def test_summary_lines_list_every_layer_and_the_total():
    from motifnet.model.build import summary_lines

    model = build(length=30, conv_num=1, kernel_len=5, kernel_num=4, neuron_num=8, classes=2)
    lines = summary_lines(model)
    assert all("\n" not in line for line in lines)
    text = "\n".join(lines)
    for layer_name in ("sequence", "conv_1", "pool_1", "flatten", "dense_1", "output"):
        assert layer_name in text, layer_name
    # conv 5*4*4+4, dense (13*4)*8+8, output 8*2+2
    assert f"{84 + 424 + 18:,}" in text
    # Whole without a terminal (a log file): the table was cut at 80 columns, its "Param #" column lost.
    table = [line for line in lines if line[:1] in "┏┃┡│├└"]
    assert "Param #" in text and table and all(line.rstrip()[-1] in "┓┃┩│┤┘" for line in table), text
    assert any(line.split("│")[-2].strip() == "84" for line in table if line.startswith("│ conv_1"))


def test_conv_activation_exponential_applies_to_the_first_convolution_only():
    import keras

    model = build(length=40, conv_num=2, kernel_len=5, kernel_num=4, conv_activation="exponential")
    randomise(model)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (3, 40))]
    conv_1, conv_2 = layer(model, "conv_1"), layer(model, "conv_2")
    values = keras.Model(model.inputs, [conv_1.output, conv_2.output]).predict(x, verbose=0)
    linear = conv_1.convolution_op(x, conv_1.kernel) + conv_1.bias
    np.testing.assert_allclose(values[0], np.exp(keras.ops.convert_to_numpy(linear)), rtol=1e-5)
    assert conv_2.activation.__name__ == "relu" and (values[1] >= 0).all()
    assert layer(build(length=40, conv_num=1, kernel_len=5), "conv_1").activation.__name__ == "relu"


# -- global pooling, batch normalisation, both strands --------------------------------------------------------

def test_global_pool_replaces_flatten_after_the_per_block_pooling():
    model = build(length=40, conv_num=2, kernel_len=5, kernel_num=(4, 6), global_pool="avg")
    names = [layer.name for layer in model.layers]
    assert "flatten" not in names and names[names.index("dropout_conv_2") + 1] == "global_pool"
    assert type(layer(model, "global_pool")).__name__ == "GlobalAveragePooling1D"
    assert tuple(layer(model, "pool_2").output.shape) == (None, 7, 6)  # 40 -> 36 -> 18 -> 14 -> 7
    assert tuple(layer(model, "global_pool").output.shape) == (None, 6)
    assert type(layer(build(length=40, conv_num=1, kernel_len=5, global_pool="max"), "global_pool")).__name__ \
        == "GlobalMaxPooling1D"


@pytest.mark.parametrize("pooling", ["max", "avg"])
def test_global_pooling_does_not_care_where_the_motif_sits(pooling):
    """Zero padding around a motif: every placement with room on both sides gives the same windows."""
    model = build(length=40, classes=2, conv_num=1, kernel_num=8, kernel_len=5, pool_size=1, pool_stride=1,
                  global_pool=pooling, task="regression")
    randomise(model)
    x = np.zeros((3, 40, 4), dtype=np.float32)
    for row, start in enumerate((4, 17, 31)):
        x[row, start:start + 5] = one_hot("GATAA")
    predictions = model.predict(x, verbose=0)
    np.testing.assert_allclose(predictions[1:], predictions[[0, 0]], rtol=0, atol=1e-6)
    flat = build(length=40, classes=2, conv_num=1, kernel_num=8, kernel_len=5, pool_size=1, pool_stride=1,
                 task="regression")
    randomise(flat)
    assert np.ptp(flat.predict(x, verbose=0)[:, 0]) > 1e-3  # flattening does care


def test_global_pool_after_recurrent_layers_pools_every_position_of_the_last():
    model = build(length=30, conv_num=1, kernel_len=5, rnn_type="GRU", rnn_num=2, rnn_units=4, global_pool="max")
    names = [layer.name for layer in model.layers]
    assert names[names.index("rnn_2") + 1] == "global_pool" and "flatten" not in names
    assert tuple(layer(model, "rnn_2").output.shape) == (None, 13, 8)  # 30 -> 26 -> pool 13, bidirectional 2 x 4
    assert tuple(layer(model, "global_pool").output.shape) == (None, 8)


def test_batch_norm_follows_each_convolutions_relu():
    model = build(length=40, conv_num=2, kernel_len=5, batch_norm=True)
    names = [layer.name for layer in model.layers]
    assert names[1:9] == ["dropout_input", "conv_1", "batch_norm_1", "pool_1", "dropout_conv_1", "conv_2",
                          "batch_norm_2", "pool_2"]
    assert layer(model, "conv_1").activation.__name__ == "relu"
    assert type(layer(model, "batch_norm_1")).__name__ == "BatchNormalization"
    assert "batch_norm_1" not in [layer.name for layer in build(length=40, conv_num=1, kernel_len=5).layers]


def test_pooling_windows_of_one_at_steps_of_one_get_no_layer():
    names = [layer.name for layer in build(length=40, conv_num=2, kernel_len=5, pool_size=(1, 2),
                                           pool_stride=(1, 2)).layers]
    assert "pool_1" not in names and names[names.index("conv_1") + 1] == "dropout_conv_1"
    assert "pool_2" in names
    strided = build(length=40, conv_num=1, kernel_len=5, pool_size=1, pool_stride=2)
    assert tuple(layer(strided, "pool_1").output.shape) == (None, 18, 30)


def test_both_strands_share_every_layer_and_average_before_the_output():
    model = build(length=30, classes=2, conv_num=1, kernel_num=4, kernel_len=5, neuron_num=8, strand="both",
                  complement=DNA_COMPLEMENT, features=3, batch_norm=True, global_pool="max")
    names = [layer.name for layer in model.layers]
    assert names == ["sequence", "reverse_complement", "dropout_input", "conv_1", "batch_norm_1", "pool_1",
                     "dropout_conv_1", "global_pool", "features", "concat_features", "dense_1", "dropout_dense_1",
                     "strand_merge", "output"]
    assert layer(model, "reverse_complement").complement == DNA_COMPLEMENT
    # One set of weights, used twice: as many as the forward-only network has.
    forward = build(length=30, classes=2, conv_num=1, kernel_num=4, kernel_len=5, neuron_num=8, features=3,
                    batch_norm=True, global_pool="max")
    assert model.count_params() == forward.count_params()
    assert len(layer(model, "conv_1")._inbound_nodes) == 2 and len(layer(model, "output")._inbound_nodes) == 1


@pytest.mark.parametrize("overrides", [
    {"conv_num": 1, "kernel_len": 5, "global_pool": "max", "pool_size": 1, "pool_stride": 1},
    {"conv_num": 2, "kernel_len": 5, "global_pool": "avg", "batch_norm": True},
    {"conv_num": 2, "kernel_len": 5},  # pysster's flatten
    {"conv_num": 1, "kernel_len": 5, "rnn_type": "GRU", "rnn_units": 4},
])
def test_both_strands_predict_a_sequence_and_its_reverse_complement_alike(overrides):
    model = build(length=30, classes=3, kernel_num=4, neuron_num=8, strand="both", complement=DNA_COMPLEMENT,
                  features=2, **overrides)
    randomise(model, seed=2)
    texts = random_dna(6, 30, seed=1)
    features = np.random.default_rng(3).normal(size=(6, 2)).astype(np.float32)
    x = np.stack([one_hot(text) for text in texts])
    reverse = np.stack([one_hot(reverse_complement_text(text)) for text in texts])
    predictions = model.predict({"sequence": x, "features": features}, verbose=0)
    np.testing.assert_allclose(model.predict({"sequence": reverse, "features": features}, verbose=0), predictions,
                               rtol=0, atol=1e-6)
    forward_only = build(length=30, classes=3, kernel_num=4, neuron_num=8, features=2, **overrides)
    forward_only.set_weights(model.get_weights())
    one_strand = forward_only.predict({"sequence": x, "features": features}, verbose=0)
    assert np.abs(one_strand - predictions).max() > 1e-4  # the reverse strand counts


def test_both_strands_average_the_logits_of_the_forward_network():
    import keras

    model = build(length=30, classes=2, conv_num=1, kernel_num=4, kernel_len=5, neuron_num=8, strand="both",
                  complement=DNA_COMPLEMENT, global_pool="max", task="regression")
    randomise(model, seed=4)
    forward = build(length=30, classes=2, conv_num=1, kernel_num=4, kernel_len=5, neuron_num=8, global_pool="max",
                    task="regression")
    forward.set_weights(model.get_weights())
    texts = random_dna(5, 30, seed=5)
    x = np.stack([one_hot(text) for text in texts])
    reverse = np.stack([one_hot(reverse_complement_text(text)) for text in texts])
    expected = (forward.predict(x, verbose=0) + forward.predict(reverse, verbose=0)) / 2
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    # conv_1's output in the graph is the forward strand's.
    conv = keras.Model(model.get_layer("sequence").output, layer(model, "conv_1").output)
    forward_conv = keras.Model(forward.get_layer("sequence").output, layer(forward, "conv_1").output)
    np.testing.assert_array_equal(np.asarray(conv(x)), np.asarray(forward_conv(x)))


def test_both_strands_model_saves_and_loads_in_safe_mode_with_identical_predictions(tmp_path):
    import keras

    from motifnet.model.layers import CUSTOM_OBJECTS

    model = build(length=30, classes=2, conv_num=1, kernel_num=4, kernel_len=5, neuron_num=8, strand="both",
                  complement=DNA_COMPLEMENT, features=2, batch_norm=True, global_pool="max", pool_size=1,
                  pool_stride=1)
    randomise(model, seed=6)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", compile=False, safe_mode=True,
                                     custom_objects=CUSTOM_OBJECTS)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    inputs = {"sequence": np.stack([one_hot(text) for text in random_dna(8, 30, seed=7)]),
              "features": np.random.default_rng(8).normal(size=(8, 2)).astype(np.float32)}
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))


def test_strand_auto_reads_both_strands_only_with_a_complement():
    with_complement = build(length=30, conv_num=1, kernel_len=5, strand="auto", complement=DNA_COMPLEMENT)
    assert "reverse_complement" in [layer.name for layer in with_complement.layers]
    without = build(length=30, channels=20, conv_num=1, kernel_len=5, strand="auto")
    assert "reverse_complement" not in [layer.name for layer in without.layers]
    assert "strand_merge" not in [layer.name for layer in without.layers]


@pytest.mark.parametrize(("channels", "complement", "message"), [
    (20, None, r"^parameter strand='both' needs input with a reverse complement .*received: this input; use "
               r"strand=forward"),
    (5, DNA_COMPLEMENT, r"^parameter strand='both': the channel complement does not fit the input: it lists 4 "
                        r"channels but the input has 5$"),
    (4, (1, 2, 3, 0), r"^parameter strand='both': the channel complement does not fit the input: expected a "
                      r"permutation that is its own inverse"),
])
def test_strand_both_is_refused_without_a_fitting_complement(channels, complement, message):
    with pytest.raises(ParamError, match=message):
        build(length=30, channels=channels, conv_num=1, kernel_len=5, strand="both", complement=complement)


def test_kernel_len_auto_follows_the_letters_not_the_channels():
    from motifnet.model.build import build_model

    def kernel_size(channels, letters):
        model = build_model(resolve({"kernel_num": 4}), 40, channels, 2, False, letters=letters)
        return layer(model, "conv_1").kernel.shape[0]

    assert kernel_size(4, None) == 15 and kernel_size(20, None) == 8  # plain one-hot: letters are channels
    assert kernel_size(12, 4) == 15  # RNA with 3 structure contexts: 12 channels, still 4 letters
    assert kernel_size(20, 20) == 8


@pytest.mark.parametrize("length, warned", [(20, True), (30, False)])
def test_more_position_bins_than_positions_is_warned_of_once(caplog, length, warned):
    from motifnet.model.build import build_model

    # 20 positions, kernels of 5: 16 positions after the convolution, 16 bins fit; both strands share the layer
    params = resolve({"kernel_num": 4, "kernel_len": 5, "position_bins": 17 if warned else 16})
    with caplog.at_level("WARNING", logger="motifnet"):
        build_model(params, length - 4 if warned else length, 4, 2, False, complement=DNA_COMPLEMENT)
    messages = [record.getMessage() for record in caplog.records if "position_bins" in record.getMessage()]
    assert messages == ([f"position_bins 17 is more than the {length - 8} positions left after the "
                         f"convolutions; {17 - (length - 8)} bins go unused (give position_bins {length - 8} or fewer)"]
                        if warned else [])
