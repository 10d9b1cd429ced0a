"""Epistatic-sparsity regularisation of regression networks ("epistatic nets").

For variants of one reference sequence, the *sites* are the positions where variants differ
from the reference, each with one alternative letter. The 2ⁿ combinations of reference and
alternative letters at n sites form a Boolean landscape; combination ``k`` carries the
alternative at site ``i`` when bit ``n - 1 - i`` of ``k`` is set (site 0 is the most
significant bit, as in ``itertools.product([0, 1], repeat=n)``).

With ``f`` the network's predictions for all combinations (shape (2ⁿ, targets)), the
Walsh–Hadamard transform ``H f`` uses the unnormalised ±1 matrix in Sylvester order,
``H[j, k] = (-1)^popcount(j & k)`` (``scipy.linalg.hadamard``), computed by the fast
butterfly in n·2ⁿ additions (:func:`walsh_hadamard`). The *spectrum* is ``H f / 2ⁿ``, the
coefficients ``beta`` with ``f = H beta``: ``beta[0]`` is the mean prediction and ``beta[j]``
the interaction of the sites whose bits are set in ``j`` (±1 coding). During training the
loss is ``MSE + WEIGHT * sum |beta|`` (summed over targets, on the standardised targets the
network learns), evaluated exactly over all combinations at every step, inside the gradient
tape. Up to :data:`MAX_EXACT_SITES` sites are supported; more are refused.

Reference: Aghazadeh et al., "Epistatic Net allows the sparse spectral regularization of deep
neural networks for inferring fitness functions", Nature Communications 12, 5225 (2021).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np

from ..errors import InputError, ParamError

log = logging.getLogger("motifnet")

#: Largest number of variant sites for the exact penalty (2^14 = 16384 combinations per step).
MAX_EXACT_SITES = 14
_MAX_LISTED = 5


def walsh_hadamard(values):
    """Unnormalised fast Walsh–Hadamard transform along the first axis (TensorFlow, differentiable).

    Parameters
    ----------
    values : array-like or tf.Tensor, shape=(2**n, ...)

    Returns
    -------
    tf.Tensor, shape=values.shape
        ``H @ values`` with ``H = scipy.linalg.hadamard(2**n)``, in n passes of 2**n additions.

    Raises
    ------
    ValueError
        The first axis is not a power of two.
    """
    import tensorflow as tf

    values = tf.convert_to_tensor(values)
    size = int(values.shape[0])
    if size < 1 or size & (size - 1):
        raise ValueError(f"walsh_hadamard: the first axis must have a power-of-two length, received {size}")
    x = tf.reshape(values, [size, -1])
    half = 1
    while half < size:  # one butterfly pass per bit, from the least significant
        x = tf.reshape(x, [size // (2 * half), 2, half, -1])
        low, high = x[:, 0], x[:, 1]
        x = tf.stack([low + high, low - high], axis=1)
        half *= 2
    return tf.reshape(x, tf.shape(values))


def spectrum(predictions):
    """Walsh–Hadamard spectrum ``H f / 2ⁿ`` of predictions for all combinations, shape=(2ⁿ, ...)."""
    import tensorflow as tf

    predictions = tf.convert_to_tensor(predictions)
    return walsh_hadamard(predictions) / tf.cast(tf.shape(predictions)[0], predictions.dtype)


def spectrum_l1(predictions):
    """``sum |H f| / 2ⁿ`` over coefficients and targets: the regulariser before its weight."""
    import tensorflow as tf

    return tf.reduce_sum(tf.abs(spectrum(predictions)))


@dataclass
class Landscape:
    """The Boolean landscape of variants of one reference sequence.

    Attributes
    ----------
    reference : numpy.ndarray of int, shape=(length,)
        Codes of the reference sequence (see :mod:`motifnet.data.encoding`).
    positions : numpy.ndarray of int, shape=(n,)
        0-based variant sites, increasing.
    alternatives : numpy.ndarray of int, shape=(n,)
        Code of the alternative letter at each site.
    symbols : str
        The encoder's symbols, to name codes (code ``c`` is ``symbols[c - 1]``, 0 is padding).
    source : str
        Where the reference came from (a file, or the consensus).
    """

    reference: np.ndarray
    positions: np.ndarray
    alternatives: np.ndarray
    symbols: str
    source: str

    @property
    def n_sites(self) -> int:
        return int(len(self.positions))

    def letter(self, code: int) -> str:
        return "-" if code == 0 else self.symbols[int(code) - 1]

    def site_labels(self) -> list:
        """``17A>G`` (1-based position, reference and alternative letter) per site."""
        return [f"{p + 1}{self.letter(self.reference[p])}>{self.letter(a)}"
                for p, a in zip(self.positions, self.alternatives)]

    def bits(self) -> np.ndarray:
        """Which sites carry the alternative in each combination, shape=(2ⁿ, n), bool."""
        n = self.n_sites
        combinations = np.arange(2 ** n)[:, None]
        return ((combinations >> (n - 1 - np.arange(n))[None, :]) & 1).astype(bool)

    def combination_codes(self) -> np.ndarray:
        """Codes of all 2ⁿ combinations, shape=(2ⁿ, length), in combination order."""
        codes = np.tile(self.reference, (2 ** self.n_sites, 1))
        codes[:, self.positions] = np.where(self.bits(), self.alternatives[None, :],
                                            self.reference[self.positions][None, :])
        return codes

    def to_json(self) -> dict:
        return {"reference": self.source, "sites": self.n_sites, "combinations": 2 ** self.n_sites,
                "variants": self.site_labels(),
                "reference_sequence": "".join(self.letter(c) for c in self.reference)}


def consensus_codes(codes: np.ndarray) -> np.ndarray:
    """The most frequent code at each position (ties: the smaller code), shape=(length,)."""
    top = int(codes.max()) + 1
    counts = np.stack([(codes == code).sum(axis=0) for code in range(top)])
    return counts.argmax(axis=0).astype(codes.dtype)


def _listing(items) -> str:
    items = list(items)
    shown = "; ".join(items[:_MAX_LISTED])
    return shown + (f"; and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def find_landscape(codes: np.ndarray, encoder, reference: np.ndarray | None = None,
                   source: str = "consensus of the training sequences") -> Landscape:
    """Variant sites of ``codes`` against ``reference`` (default: their consensus).

    Parameters
    ----------
    codes : numpy.ndarray, shape=(m, length)
        The training sequences' codes.
    encoder : Encoder
        Their encoder (names the letters in messages).
    reference : numpy.ndarray or None, shape=(length,)
    source : str
        How :meth:`Landscape.to_json` names the reference.

    Raises
    ------
    InputError
        No site varies, a site with more than one alternative letter (sites and letters named),
        or more than :data:`MAX_EXACT_SITES` sites.
    """
    if encoder.structure_mode is not None:
        raise ParamError("--epistatic-reg works on sequence-only models; sequence+structure input is not supported")
    codes = np.asarray(codes)
    reference = consensus_codes(codes) if reference is None else np.asarray(reference, dtype=codes.dtype)
    landscape = Landscape(reference, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=codes.dtype),
                          encoder.alphabet.symbols, source)
    differs = codes != reference[None, :]
    positions = np.flatnonzero(differs.any(axis=0))
    if len(positions) == 0:
        raise InputError(f"--epistatic-reg: the training sequences do not differ from the reference ({source}); "
                         "there is no landscape to regularise")
    alternatives, ambiguous = [], []
    for position in positions:
        observed = np.unique(codes[differs[:, position], position])
        if len(observed) > 1:
            ambiguous.append(f"position {position + 1}: reference {landscape.letter(reference[position])}, "
                             f"alternatives {', '.join(landscape.letter(c) for c in observed)}")
        alternatives.append(observed[0])
    if ambiguous:
        raise InputError(
            f"--epistatic-reg needs exactly one alternative letter per variant site (a Boolean landscape), but "
            f"{len(ambiguous)} site(s) have several ({_listing(ambiguous)}); keep only variants with one "
            "substitution per site, or train without --epistatic-reg"
        )
    landscape.positions, landscape.alternatives = positions, np.array(alternatives, dtype=codes.dtype)
    if landscape.n_sites > MAX_EXACT_SITES:
        raise InputError(
            f"--epistatic-reg: the training sequences differ from the reference ({source}) at "
            f"{landscape.n_sites} sites ({', '.join(landscape.site_labels()[:8])}, ...); the exact penalty "
            f"enumerates all 2^n combinations and is limited to {MAX_EXACT_SITES} sites. Restrict the data to "
            "variants at fewer sites, or train without --epistatic-reg"
        )
    return landscape


@keras.saving.register_keras_serializable(package="motifnet")
class EpistaticNet(keras.Model):
    """A functional model whose training loss adds the L1 norm of its Walsh–Hadamard spectrum.

    Built like a functional model (``EpistaticNet(inputs=..., outputs=...)``); after
    :meth:`regularise`, every training step adds ``weight * spectrum_l1(model(landscape))``
    to the compiled loss, inside the gradient tape. Validation losses stay the plain compiled
    loss. The landscape is a training-time setting and is not saved: a loaded model is an
    ordinary predictor (it loads with ``keras.saving.load_model(..., safe_mode=True)``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._landscape_input = None
        self._penalty_weight = 0.0

    def regularise(self, landscape_input, weight: float) -> None:
        """Add the penalty to training.

        Parameters
        ----------
        landscape_input : callable
            Returns the model input for all 2ⁿ combinations (traced into the training step).
        weight : float
            Weight of the spectrum's L1 norm, >= 0.
        """
        if not weight >= 0:
            raise ValueError(f"EpistaticNet: the penalty weight must be >= 0, received {weight}")
        self._landscape_input = landscape_input
        self._penalty_weight = float(weight)

    def spectrum_penalty(self):
        """``spectrum_l1`` of the current predictions on the landscape (differentiable)."""
        return spectrum_l1(self(self._landscape_input(), training=False))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)
        if training and self._landscape_input is not None and self._penalty_weight > 0:
            loss = loss + self._penalty_weight * self.spectrum_penalty()
        return loss


def landscape_input(landscape: Landscape, encoder):
    """A function returning the one-hot model input of all combinations, made in-graph from codes."""
    import tensorflow as tf

    table = tf.constant(encoder.code_table)
    codes = tf.constant(landscape.combination_codes().astype(np.int32))

    def make():
        return {"sequence": tf.gather(table, codes)}

    return make


def epistatic_model(model, landscape: Landscape, encoder, weight: float, learning_rate: float):
    """The same network as an :class:`EpistaticNet`, compiled for regression and regularised.

    Parameters
    ----------
    model : keras.Model
        A functional regression model from :func:`motifnet.model.build.build_model` (layers are shared).
    landscape : Landscape
    encoder : Encoder
    weight : float
        ``--epistatic-reg``.
    learning_rate : float

    Returns
    -------
    EpistaticNet
    """
    from .compile import compile_model

    if len(model.inputs) != 1:
        raise ParamError("--epistatic-reg works on sequence-only models; it cannot be combined with --features")
    net = EpistaticNet(inputs=model.inputs, outputs=model.outputs, name=model.name)
    # The optimizer settings of the model as built (ema_momentum, weight_decay), but for the learning rate given.
    averaging = model.optimizer.ema_momentum if getattr(model.optimizer, "use_ema", False) else 0.0
    compile_model(net, learning_rate, False, "regression", averaging, model.optimizer.weight_decay or 0.0)
    net.regularise(landscape_input(landscape, encoder), weight)
    return net


def landscape_spectrum(model, landscape: Landscape, encoder, batch_size: int = 1024) -> np.ndarray:
    """The spectrum ``H f / 2ⁿ`` of a model's predictions over the landscape, shape=(2ⁿ, outputs)."""
    codes = landscape.combination_codes()
    predictions = np.concatenate([
        np.asarray(model({"sequence": encoder.one_hot(codes[start:start + batch_size])}, training=False))
        for start in range(0, len(codes), batch_size)])
    return np.asarray(spectrum(predictions.astype(np.float64)))
