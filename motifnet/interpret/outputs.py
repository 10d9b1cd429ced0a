"""A model's outputs and their log-odds, from one forward pass: what in-silico experiments compare.

The log-odds ``log(p / (1 - p))`` of each output come from the output layer's values before its
activation, in float64 (:func:`log_odds`): exact where a probability rounds to 0 or 1 in float32, and
the same for two models whose softmax inputs differ by a constant (the same predictions). The model
is run once, through the one prediction path (:func:`motifnet.run.predict.predict_encoded`), as a model
of the same inputs with two outputs, its own and the output layer's values before the activation
(:func:`outputs_and_logits_model`). ``marginalize`` and ``variants`` both read models this way.
"""

from __future__ import annotations

import logging

import numpy as np

from .._signals import check_stop
from ..errors import ParamError
from ..run.predict import predict_encoded

log = logging.getLogger("motifnet")


def in_units(values, scale) -> np.ndarray:
    """``values`` (shape=(..., outputs)) in each output's unit ``scale`` (shape=(outputs,)): a regression
    target's standard deviation (:attr:`motifnet.run.rundir.Run.output_scale`), so that changes of targets of
    different sizes compare; None: the values as they are (probabilities)."""
    values = np.asarray(values, dtype=np.float64)
    return values if scale is None else values / np.asarray(scale, dtype=np.float64)


def log_odds(logits: np.ndarray, activation: str) -> np.ndarray | None:
    """``log(p / (1 - p))`` of each output, in float64, from the output layer's values before its activation.

    Parameters
    ----------
    logits : numpy.ndarray, shape=(n, outputs)
    activation : {'softmax', 'sigmoid', 'linear'}
        The output layer's activation.

    Returns
    -------
    numpy.ndarray, shape=(n, outputs), or None for ``linear`` (regression: no probabilities)
        softmax: ``z_k - logsumexp(z_j, j != k)``; sigmoid: ``z_k``. Exact where ``p`` rounds to 0 or 1.

    Raises
    ------
    ParamError
        Another activation.
    """
    from scipy.special import logsumexp

    logits = np.asarray(logits, dtype=np.float64)
    if activation == "linear":
        return None
    if activation == "sigmoid":
        return logits
    if activation != "softmax":
        raise ParamError(f"the output layer's activation must be softmax, sigmoid or linear, received: "
                         f"{activation!r}")
    others = np.empty_like(logits)
    for column in range(logits.shape[1]):
        others[:, column] = logsumexp(np.delete(logits, column, axis=1), axis=1)
    return logits - others


def class_contrast(log_odds_values: np.ndarray) -> np.ndarray:
    """Each class's logit against the mean of the other classes' logits, ``z_k - mean(z_j, j != k)``, of a softmax
    model, from its classes' log-odds (:func:`log_odds`), in float64.

    The log-odds of a class against all the others, ``z_k - logsumexp(z_j, j != k)``, do not add where the
    network adds: two motifs that each raise another class lower a third class's log-odds by less together
    than the sum of their single changes (the larger one wins the logsumexp), which looks like cooperativity
    that the network does not have. The contrast is linear in the logits, so it adds where they add, and it
    does not depend on a constant added to every logit (the same predictions). For two classes it is the
    log-odds. The contrasts of the classes sum to 0: a change of ``I`` in one class's logit alone is ``I`` in
    that class's contrast and ``-I / (K - 1)`` in each of the others'.

    Parameters
    ----------
    log_odds_values : numpy.ndarray, shape=(n, classes)

    Returns
    -------
    numpy.ndarray, shape=(n, classes)
        ``log p_k - mean(log p_j, j != k)``, with ``log p = -log(1 + exp(-log_odds))`` (exact where ``p`` rounds
        to 0 or 1).
    """
    log_p = -np.logaddexp(0.0, -np.asarray(log_odds_values, dtype=np.float64))
    classes = log_p.shape[1]
    if classes < 2:
        return log_p
    others = (log_p.sum(axis=1, keepdims=True) - log_p) / (classes - 1)
    return log_p - others


def outputs_and_logits_model(model) -> tuple:
    """``(model, activation)``: a model of the same inputs whose outputs are ``model``'s and the values of its
    ``output`` layer before the activation; ``activation`` is that layer's (``softmax``, ``sigmoid``, ``linear``).

    Raises
    ------
    ParamError
        The model has no Dense layer named ``output`` (not a motifnet model).
    """
    import keras

    names = [layer.name for layer in model.layers]
    if "output" not in names or not isinstance(model.get_layer("output"), keras.layers.Dense):
        raise ParamError("the model has no Dense layer named 'output'; in-silico experiments need a motifnet model")
    output = model.get_layer("output")
    before = keras.layers.Dense(output.units, activation=None, use_bias=output.use_bias, name="output_logits")
    logits = before(output.input)
    before.set_weights(output.get_weights())
    return keras.Model(model.inputs, [model.outputs[0], logits]), keras.activations.serialize(output.activation)


def sequence_texts(alphabet, codes: np.ndarray) -> list:
    """The letters of each row of sequence codes, padding (code 0) left out.

    Parameters
    ----------
    alphabet : Alphabet
    codes : numpy.ndarray, shape=(n, length)

    Returns
    -------
    list of str
    """
    symbols = np.frombuffer(b"\0" + alphabet.symbols.encode("ascii"), dtype=np.uint8)
    letters = symbols[codes]
    return [row[row > 0].tobytes().decode("ascii") for row in letters]


class OutputsAndLogits:
    """A model's outputs and their log-odds, for sequence codes.

    Parameters
    ----------
    model : keras.Model
    encoder : Encoder
        The encoder of the model's input.
    batch_size : int
        Sequences per forward pass.
    fold : callable or None
        For models of sequence and folded structure (``train --fold``): ``fold(sequences)`` gives the
        model's input arrays (``codes``, and ``structure`` for profiles) of a list of sequences (str),
        each folded and encoded as the model's training data were. Each row is folded as the letters
        it holds (padding left out), and each distinct sequence only once: its outputs are kept for
        later calls. Default is None: the sequence codes are the model's input.

    Attributes
    ----------
    activation : str
        The output layer's activation; ``linear`` (regression) has no log-odds, and the "logits" of
        :meth:`__call__` are then the outputs.
    outputs : int
    """

    def __init__(self, model, encoder, batch_size: int, fold=None):
        self.model, self.encoder, self.batch_size, self.fold = model, encoder, batch_size, fold
        self._with_logits, self.activation = outputs_and_logits_model(model)
        self.outputs = int(model.outputs[0].shape[-1])
        self._folded: dict = {}
        self._warned = False

    def __call__(self, codes: np.ndarray) -> tuple:
        """(outputs, logits) of the sequences ``codes``, each shape=(n, outputs), float64."""
        return self.each([codes])[0]

    def forget(self) -> None:
        """Drop the outputs kept for the sequences of earlier calls: the experiments do between chunks."""
        self._folded.clear()

    def each(self, code_arrays) -> list:
        """(outputs, logits) of each array of ``code_arrays`` (shape=(n_i, length)), all predicted (and folded) at once.

        One call per experiment: folding starts its worker processes once, not once per array.
        """
        check_stop()
        codes = np.concatenate(code_arrays)
        if self.fold is None:
            outputs, logits = self._predict({"codes": codes})
        else:
            outputs, logits = self._predict_folded(codes)
        bounds = np.cumsum([len(array) for array in code_arrays])[:-1]
        return list(zip(np.split(outputs, bounds), np.split(logits, bounds)))

    def _predict_folded(self, codes: np.ndarray) -> tuple:
        moved = int(np.sum(~_centred(codes > 0)))
        if moved and not self._warned:
            self._warned = True
            log.warning("%d sequence(s) got letters in the padding of records shorter than the model; "
                        "they are folded and read as records of their letters, centred again (as predict would)",
                        moved)
        texts = sequence_texts(self.encoder.alphabet, codes)
        new = [text for text in dict.fromkeys(texts) if text not in self._folded]
        if new:
            outputs, logits = self._predict(self.fold(new))
            self._folded.update(zip(new, zip(outputs, logits)))
        if not texts:
            return np.zeros((0, self.outputs)), np.zeros((0, self.outputs))
        known = [self._folded[text] for text in texts]
        return np.array([row[0] for row in known]), np.array([row[1] for row in known])

    def _predict(self, arrays: dict) -> tuple:
        if len(arrays["codes"]) == 0:
            return np.zeros((0, self.outputs)), np.zeros((0, self.outputs))
        outputs, logits = (np.asarray(array, dtype=np.float64) for array in
                           predict_encoded(self._with_logits, self.encoder, arrays, self.batch_size))
        odds = log_odds(logits, self.activation)
        return outputs, logits if odds is None else odds


def _centred(letters: np.ndarray) -> np.ndarray:
    """Whether the letters (True) of each row lie where the encoder puts a record of that many letters."""
    count = letters.sum(axis=1, keepdims=True)
    left = (letters.shape[1] - count) // 2
    positions = np.arange(letters.shape[1])[None, :]
    return np.all(letters == ((positions >= left) & (positions < left + count)), axis=1)
