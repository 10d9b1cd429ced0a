"""A model's outputs and their log-odds from one forward pass (motifnet.interpret.outputs)."""

from __future__ import annotations

import numpy as np
import pytest

from motifnet.data.alphabets import DNA
from motifnet.data.encoding import Encoder
from motifnet.errors import ParamError
from motifnet.interpret.outputs import OutputsAndLogits, log_odds, sequence_texts
from motifnet.run.predict import predict_encoded

LENGTH = 12


def _model(classes: int, activation: str, bias_shift: float = 0.0):
    """A seeded conv -> global max -> Dense('output') network; ``bias_shift`` is added to every output bias."""
    import keras

    keras.utils.set_random_seed(3)
    sequence = keras.Input(shape=(LENGTH, 4), name="sequence")
    x = keras.layers.Conv1D(3, 4, activation="relu", name="conv_1")(sequence)
    x = keras.layers.GlobalMaxPooling1D(name="pool")(x)
    output = keras.layers.Dense(classes, activation=activation, name="output")
    model = keras.Model([sequence], output(x))
    kernel, bias = output.get_weights()
    output.set_weights([kernel * 3.0, bias + np.float32(bias_shift)])
    return model


def _codes(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 5, size=(n, LENGTH)).astype(np.uint8)


def test_log_odds_are_exact_from_the_logits():
    from scipy.special import softmax

    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.5, -1.0]])
    probabilities = softmax(logits, axis=1)
    assert log_odds(logits, "softmax") == pytest.approx(np.log(probabilities / (1 - probabilities)), rel=1e-12)
    # Two classes: the log-odds are z_k - z_other, mirror images, far past where float32 probabilities are 1.
    assert log_odds(np.array([[0.0, 40.0]]), "softmax").tolist() == [[-40.0, 40.0]]
    assert log_odds(np.array([[-30.0, 2.0]]), "sigmoid").tolist() == [[-30.0, 2.0]]
    assert log_odds(np.array([[1.5]]), "linear") is None
    with pytest.raises(ParamError, match="softmax, sigmoid or linear, received: 'relu'"):
        log_odds(np.array([[1.5]]), "relu")


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
def test_outputs_are_the_prediction_paths_and_log_odds_match_them(activation):
    model, encoder, codes = _model(3, activation), Encoder(DNA, LENGTH), _codes(40)
    outputs, odds = OutputsAndLogits(model, encoder, batch_size=16)(codes)
    expected = predict_encoded(model, encoder, {"codes": codes}, 16)
    assert outputs.dtype == np.float64 and outputs.shape == odds.shape == (40, 3)
    assert outputs == pytest.approx(expected.astype(np.float64), abs=1e-7)
    assert odds == pytest.approx(np.log(outputs / (1 - outputs)), abs=1e-4)


def test_log_odds_do_not_depend_on_the_batch_size_or_a_constant_added_to_the_softmax_inputs():
    encoder, codes = Encoder(DNA, LENGTH), _codes(37, seed=1)
    odds = [OutputsAndLogits(_model(2, "softmax"), encoder, batch_size)(codes)[1] for batch_size in (1, 8, 64)]
    assert odds[1] == pytest.approx(odds[0], abs=1e-5) and odds[2] == pytest.approx(odds[0], abs=1e-5)
    shifted = OutputsAndLogits(_model(2, "softmax", bias_shift=7.0), encoder, 8)(codes)[1]
    assert shifted == pytest.approx(odds[1], abs=1e-5)
    assert odds[0][:, 0] == pytest.approx(-odds[0][:, 1], abs=1e-12)  # two classes: mirror images


def test_each_splits_one_prediction_by_array_and_empty_input_has_its_shape():
    predict, codes = OutputsAndLogits(_model(2, "softmax"), Encoder(DNA, LENGTH), 8), _codes(10, seed=2)
    whole = predict(codes)
    parts = predict.each([codes[:3], codes[3:3], codes[3:]])
    assert [len(part[0]) for part in parts] == [3, 0, 7]
    assert np.concatenate([part[1] for part in parts]) == pytest.approx(whole[1], abs=1e-6)
    empty = predict(codes[:0])
    assert empty[0].shape == empty[1].shape == (0, 2)


def test_a_regression_models_logits_are_its_outputs():
    model, encoder, codes = _model(2, "linear"), Encoder(DNA, LENGTH), _codes(12, seed=3)
    predict = OutputsAndLogits(model, encoder, 4)
    outputs, logits = predict(codes)
    assert predict.activation == "linear"
    assert logits == pytest.approx(outputs, abs=1e-6)


def test_a_model_without_an_output_layer_is_refused():
    import keras

    sequence = keras.Input(shape=(LENGTH, 4), name="sequence")
    x = keras.layers.GlobalMaxPooling1D()(keras.layers.Conv1D(2, 3)(sequence))
    model = keras.Model([sequence], keras.layers.Dense(2, activation="softmax", name="head")(x))
    with pytest.raises(ParamError, match="no Dense layer named 'output'"):
        OutputsAndLogits(model, Encoder(DNA, LENGTH), 4)


def test_sequence_texts_leave_padding_out():
    codes = np.array([[1, 2, 3, 4, 0], [0, 0, 1, 1, 0]], dtype=np.uint8)
    assert sequence_texts(DNA, codes) == ["ACGT", "AA"]
