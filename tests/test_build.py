"""motifnet.model.build: shapes, layer names, activations and constraints for several configurations."""

import numpy as np
import pytest

from motifnet.errors import ParamError
from motifnet.model.params import resolve


def build(length=100, channels=4, classes=3, multi_label=False, features=0, task="classification", **overrides):
    from motifnet.model.build import build_model

    return build_model(resolve(overrides), length, channels, classes, multi_label, features, task=task)


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
