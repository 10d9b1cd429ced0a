"""Hyperparameters: one table of names, defaults, types and meaning, and their validation.

The table drives parsing of ``--param KEY=VALUE`` and ``--params FILE.json``, the checks
run before training, ``motifnet train --help`` and the parameter table in README.md.
Names and meaning follow pysster's Model class.

Presets are named sets of values (:data:`PRESETS`): ``pysster`` is pysster's published
defaults (each :class:`ParamSpec`'s ``default``), ``motifnet`` the architecture motifnet
recommends. :func:`resolve` starts from a preset (:data:`DEFAULT_PRESET` unless told) and
applies the user's values on top.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

from ..data.options import MAX_BATCH_SIZE, MAX_LENGTH
from ..errors import OptionValueError, ParamError, WindowTooShortError

log = logging.getLogger("motifnet")


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter.

    Attributes
    ----------
    low_open : bool
        ``low`` itself is excluded (values must be greater than it).
    name, default, doc
        Its name, its value in the ``pysster`` preset (pysster's default; see :data:`PRESETS`)
        and its meaning.
    kind : {'int', 'float', 'bool', 'choice', 'path'}
        Value type. A ``path`` is a file name (checked where the file is read), or ``-``.
    layers : str or None
        The count parameter (``conv_num``, ``dense_num``, ``rnn_num``) when the value may
        be given per layer as a tuple.
    low, high : float or None
        Inclusive lower bound, exclusive upper bound (``high``) for numbers.
    most : int or None
        Inclusive upper bound of an integer: past it a value is a typing slip, not a network (TensorFlow
        would fail on it with a traceback, or the machine run out of memory building it).
    choices : tuple or None
        Allowed values of a ``choice`` parameter.
    optional : bool
        Whether ``None`` is accepted.
    words : tuple
        Words accepted beside numbers, resolved once the input is known (``kernel_len`` 'auto').
    """

    name: str
    default: object
    kind: str
    doc: str
    layers: str | None = None
    low: float | None = None
    high: float | None = None
    most: int | None = None
    choices: tuple | None = None
    optional: bool = False
    low_open: bool = False
    words: tuple = ()

    def describe_allowed(self) -> str:
        if self.kind == "choice":
            text = " or ".join(repr(c) for c in self.choices)
        elif self.kind == "bool":
            text = "true or false"
        elif self.kind == "path":
            text = "a file (.npy or tab-separated 0/1 matrix), '-'"
        else:
            noun = "an integer" if self.kind == "int" else "a number"
            if self.low is not None and self.most is not None:
                text = f"{noun} from {self.low:g} to {self.most:,}"
            elif self.low is not None and self.high is not None:
                text = f"{noun} in [{self.low:g}, {self.high:g})"
            elif self.low is not None:
                text = f"{noun} {'>' if self.low_open else '>='} {self.low:g}"
            else:
                text = noun
        if self.words:
            text += "".join(f" or {word!r}" for word in self.words)
        if self.optional:
            text += " or None"
        if self.layers:
            text += f", or one value per layer ({self.layers} values, comma-separated)"
        return text


# Upper bounds of integer parameters, well past the networks of the field (Enformer and Borzoi have about 1,500
# channels a layer): a value beyond is a typing slip. Unbounded, one past 2**63 ended in TensorFlow's traceback,
# and a hundred million kernels filled the memory while the network was built, before any check could say so.
_MOST_LAYERS = 100
_MOST_UNITS = 10_000
_MOST_EPOCHS = 1_000_000

PARAMS = (
    ParamSpec("conv_num", 2, "int", "number of convolutional/pooling layers", low=0, most=_MOST_LAYERS),
    ParamSpec("kernel_num", 30, "int", "number of kernels in each conv layer", "conv_num", low=1, most=_MOST_UNITS),
    ParamSpec("kernel_len", 25, "int",
              "length of kernels; auto: 15 for alphabets of up to 4 letters (DNA, RNA), 8 for larger ones "
              "(protein), decided when the input is read", "conv_num", low=1, words=("auto",), most=MAX_LENGTH),
    ParamSpec("conv_activation", "relu", "choice",
              "activation of the first convolution, the motif layer (later convolutions use ReLU): relu, or "
              "exponential, which Koo & Ploenzke (2021) found to make first-layer kernels read whole motifs",
              choices=("relu", "exponential")),
    ParamSpec("pool_size", 2, "int", "size of pooling windows", "conv_num", low=1, most=MAX_LENGTH),
    ParamSpec("pool_stride", 2, "int", "step size of pooling operation", "conv_num", low=1, most=MAX_LENGTH),
    ParamSpec("global_pool", None, "choice",
              "pool the whole sequence axis (max, avg, or max+avg: both, side by side, so the network sees a "
              "kernel's best site and how often it fires) instead of flattening: after the last conv block, or "
              "after the RNN layers (the last then returns every position); per-block pooling still applies "
              "first (pool_size=1 turns it off)",
              choices=("max", "avg", "max+avg"), optional=True),
    ParamSpec("position_bins", 0, "int",
              "with global_pool max or max+avg: before pooling, weight each kernel's activations by a learned "
              "factor per stretch of the sequence, in this many equal stretches (factors start at 1): a kernel may "
              "count more near the centre of inputs centred on a site (CLIP, ChIP summits); 0: off (the preset's "
              "value gives way when global_pool is set to avg or None)",
              low=0, most=MAX_LENGTH),
    ParamSpec("batch_norm", False, "bool",
              "batch normalisation after each convolution's activation (conv_1's output stays the activation: ReLU or "
              "exponential)"),
    ParamSpec("strand", "forward", "choice",
              "strands the network reads: forward; both (the sequence and its reverse complement through shared "
              "weights, logits averaged; DNA/RNA sequence input only); auto (both for DNA, which is double-"
              "stranded; forward for RNA, protein and other input)", choices=("forward", "both", "auto")),
    ParamSpec("dense_num", 1, "int", "number of dense layers", low=0, most=_MOST_LAYERS),
    ParamSpec("neuron_num", 100, "int", "number of neurons in each dense layer", "dense_num", low=1, most=_MOST_UNITS),
    ParamSpec("dropout_input", 0.1, "float", "dropout portion after input", low=0, high=1),
    ParamSpec("dropout_conv", 0.3, "float", "dropout portion after pooling layers", "conv_num", low=0, high=1),
    ParamSpec("dropout_dense", 0.6, "float", "dropout portion after dense layers", "dense_num", low=0, high=1),
    ParamSpec("batch_size", 128, "int", "batch size during training", low=1, most=MAX_BATCH_SIZE),
    ParamSpec("learning_rate", 0.0005, "float", "learning rate of the Adam optimizer", low=0, low_open=True),
    ParamSpec("weight_decay", 0.0, "float",
              "decoupled weight decay (AdamW; Keras' Adam weight_decay): each training step shrinks every kernel "
              "weight by the current learning rate x weight_decay of itself (biases, position weights and batch "
              "normalisation's scales and offsets are not decayed); learning_rate x weight_decay must be below 1; "
              "0: off",
              low=0),
    ParamSpec("ema_momentum", 0.0, "float",
              "exponential moving average of the weights (Polyak averaging; Keras' use_ema): its momentum per "
              "training step; validation, early stopping and the saved model use the averaged weights (batch "
              "normalisation statistics are not averaged); 0: off",
              low=0, high=1),
    ParamSpec("patience_lr", 5, "int",
              "epochs without validation loss improvement before halving the learning rate", low=1, most=_MOST_EPOCHS),
    ParamSpec("patience_stopping", 15, "int",
              "epochs without validation loss improvement before stopping (best weights kept)", low=1,
              most=_MOST_EPOCHS),
    ParamSpec("epochs", 500, "int", "maximum number of training epochs", low=1, most=_MOST_EPOCHS),
    ParamSpec("kernel_constraint", 3.0, "float", "max-norm constraint on all weights (None: off)",
              low=0, low_open=True, optional=True),
    ParamSpec("rnn_type", None, "choice", "recurrent layers between conv and dense block: LSTM or GRU",
              choices=("LSTM", "GRU"), optional=True),
    ParamSpec("rnn_num", 1, "int", "number of RNN layers", low=1, most=_MOST_LAYERS),
    ParamSpec("rnn_units", 32, "int", "output dimensions of each RNN layer", "rnn_num", low=1, most=_MOST_UNITS),
    ParamSpec("rnn_bidirectional", True, "bool", "whether RNN layers are bidirectional"),
    ParamSpec("rnn_dropout_input", 0.2, "float", "dropout portion for RNN input connections",
              "rnn_num", low=0, high=1),
    ParamSpec("rnn_dropout_recurrent", 0.0, "float", "dropout portion for RNN recurrent connections",
              "rnn_num", low=0, high=1),
    ParamSpec("dense_adjacency", None, "path",
              "adjacency matrix (inputs x units) of each dense layer: a file makes the layer sparsely "
              "connected, with one unit per column (neuron_num is then ignored); '-' keeps a Dense layer",
              "dense_num", optional=True),
    ParamSpec("features_adjacency", None, "path",
              "adjacency matrix (feature columns x units) of a sparse layer on the per-sequence features "
              "before they join the dense block", optional=True),
)
SPECS = {spec.name: spec for spec in PARAMS}

#: How each preset differs from pysster's defaults. The ``motifnet`` values were chosen by
#: ``benchmarks/defaults.py`` (issue 17). Keep every preset's values here, and only here.
_PRESET_CHANGES = {
    "pysster": {},
    "motifnet": {
        "conv_num": 1, "kernel_num": 64, "kernel_len": "auto", "pool_size": 1, "pool_stride": 1,
        "global_pool": "max", "position_bins": 16, "dense_num": 1, "neuron_num": 32, "strand": "auto",
        "dropout_conv": 0.0,
    },
    # pysster's network with kernels of 8, the length of pysster's published CLIP runs: its dense layer
    # reads where each motif lies, which counts in windows centred on a site (benchmarks/results.md).
    "centred": {"kernel_len": 8},
}
#: Preset name -> the value of every parameter.
PRESETS = {name: {**{spec.name: spec.default for spec in PARAMS}, **changes}
           for name, changes in _PRESET_CHANGES.items()}
#: The preset :func:`resolve` starts from when none is named, and the one preset ``auto`` takes for
#: input other than centred RNA windows.
DEFAULT_PRESET = "motifnet"
#: Not a set of values: ``motifnet train`` takes preset ``centred`` for RNA windows in which a class's
#: letters differ from the other records' along the window (centred on a site), else
#: :data:`DEFAULT_PRESET` (:func:`auto_preset`).
AUTO_PRESET = "auto"
#: The values of the default preset.
DEFAULTS = dict(PRESETS[DEFAULT_PRESET])

_NONE_WORDS = {"none", "null", ""}
_TRUE_WORDS = {"true", "yes", "1", "on"}
_FALSE_WORDS = {"false", "no", "0", "off"}


def _unknown(name: str) -> ParamError:
    close = difflib.get_close_matches(name, SPECS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ParamError(f"unknown parameter {name!r}{hint}; known parameters: {', '.join(SPECS)}")


def _bad(spec: ParamSpec, value) -> ParamError:
    return ParamError(f"parameter {spec.name} expects {spec.describe_allowed()}, received: {value!r}")


def _convert_scalar(spec: ParamSpec, value, bounded: bool = True):
    """Convert one value (a string from the command line or a JSON value) and check its range.

    ``bounded`` False skips the upper bound of integers (``most``), which guards new networks against typing
    slips; a saved run's values built a network already, whatever the bounds of this version say.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in _NONE_WORDS):
        if spec.optional:
            return None
        raise _bad(spec, value)
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
            return value.strip().lower() in _TRUE_WORDS
        raise _bad(spec, value)
    if spec.kind == "path":
        if isinstance(value, str):
            return value.strip()
        raise _bad(spec, value)
    if spec.words and isinstance(value, str) and value.strip().lower() in spec.words:
        return value.strip().lower()
    if spec.kind == "choice":
        if isinstance(value, str):
            for choice in spec.choices:
                if value.strip().upper() == choice.upper():
                    return choice
        raise _bad(spec, value)
    if isinstance(value, bool) or (isinstance(value, str) and "_" in value):  # Python reads "1_0" as 10
        raise _bad(spec, value)
    try:
        if spec.kind == "int":
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        else:
            number = float(value)
    except (TypeError, ValueError):
        raise _bad(spec, value) from None
    if not math.isfinite(number):  # NaN passes every range comparison below, and inf has no meaning here
        raise _bad(spec, value)
    below = spec.low is not None and (number < spec.low or (spec.low_open and number == spec.low))
    above = ((spec.high is not None and number >= spec.high)
             or (bounded and spec.most is not None and number > spec.most))
    if below or above:
        raise _bad(spec, value)
    return number


def convert_value(name: str, value, bounded: bool = True):
    """Convert a value for parameter ``name``: a scalar, or a tuple for per-layer parameters.

    Strings are parsed as on the command line (``300,100,30`` is a tuple); lists from
    JSON become tuples, and a list of one value that value (the value of every layer).
    ``bounded`` False: integers are not held to their upper bound (a saved run's values, :func:`from_json`).

    Raises
    ------
    ParamError
        Unknown name, wrong type, or out of range.
    """
    if name not in SPECS:
        raise _unknown(name)
    spec = SPECS[name]
    if isinstance(value, str) and "," in value:
        value = [part for part in value.split(",")]
    if isinstance(value, (list, tuple)):
        if not spec.layers:
            raise ParamError(f"parameter {name} takes a single value, received: {value!r}")
        if not value:
            raise _bad(spec, value)
        if len(value) == 1:  # one value is the value of every layer, as a scalar is
            return _convert_scalar(spec, value[0], bounded)
        return tuple(_convert_scalar(spec, item, bounded) for item in value)
    return _convert_scalar(spec, value, bounded)


def parse_assignments(assignments) -> dict:
    """Parse ``KEY=VALUE`` strings from ``--param`` into a dict of converted values."""
    result = {}
    for text in assignments:
        if "=" not in text:
            raise OptionValueError(f"--param expects KEY=VALUE (e.g. kernel_num=20), received: {text!r}")
        key, value = text.split("=", 1)
        key = key.strip()
        try:
            value = convert_value(key, value.strip())
        except ParamError as error:  # a value typed on the command line: a usage error, as Click's own
            raise OptionValueError(str(error)) from None
        if key in result and result[key] != value:  # the last one wins (scripts add overrides to a base list)
            log.info("--param %s given more than once: using the last, %s", key, value.strip() if isinstance(value, str)
                     else value)
        result[key] = value
    return result


def _distinct_keys(pairs) -> dict:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:  # json keeps the last without a word, and the first may be the one meant
        raise ValueError(f"{', '.join(repeated)} given more than once in one object")
    return dict(pairs)


def load_json_file(path, kind: str):
    """The JSON value of a file the user wrote (``kind``: ``parameter`` or ``grid``), keys distinct in each object.

    Raises
    ------
    ParamError
        A missing or unreadable file, text that is not JSON, or a key repeated in an object.
    """
    try:
        # utf-8-sig: a byte-order mark, as Windows editors write
        return json.loads(Path(path).read_text(encoding="utf-8-sig"), object_pairs_hook=_distinct_keys)
    except FileNotFoundError:
        raise ParamError(f"{path}: no such {kind} file") from None
    except IsADirectoryError:
        raise ParamError(f"{path}: a folder, not a JSON {kind} file") from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ParamError(f"{path}: not a JSON {kind} file ({error})") from None


def load_params_file(path) -> dict:
    """Read a JSON object of parameters (``--params FILE.json``)."""
    obj = load_json_file(path, "parameter")
    if not isinstance(obj, dict):
        raise ParamError(f"{path}: expected a JSON object of parameter names and values")
    try:
        return {key: convert_value(key, value) for key, value in obj.items()}
    except ParamError as error:
        raise ParamError(f"{path}: {error}") from None


def check_preset(name) -> str:
    """The preset called ``name`` (case and surrounding spaces ignored).

    Raises
    ------
    ParamError
        No such preset; the message lists the presets.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in PRESETS:
        raise ParamError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}")
    return key


def auto_preset(rna: bool, centred: bool) -> str:
    """The preset ``auto`` stands for: ``centred`` for RNA windows centred on a site, else ``motifnet``.

    On the benchmarks of issue 17 (``benchmarks/results.md``) pysster's position-resolved network with
    kernels of 8 predicts CLIP windows, centred on a crosslink site, better than motifnet's global-pool
    network (and reaches pysster's published figures); where a motif may lie anywhere it is far worse.
    DNA keeps motifnet's network, which reads both strands, whether centred or not: on planted DNA
    windows centred like ChIP-seq summits it beats the position-resolved network too (test ROC-AUC
    0.902 against 0.812, oracle 0.919).

    Parameters
    ----------
    rna : bool
        Whether the input's alphabet is RNA (ACGU).
    centred : bool
        Whether a class's letters differ from the other records' along the window
        (:attr:`motifnet.data.centring.PositionTest.positional` for some class).
    """
    return "centred" if rna and centred else DEFAULT_PRESET


def possible_presets(name: str | None) -> list:
    """The presets ``name`` may stand for in training: for 'auto' (or None, training's default) the two
    :func:`auto_preset` picks from, else itself."""
    if name in (None, AUTO_PRESET):
        return [auto_preset(False, False), auto_preset(True, True)]
    return [name]


def check_overrides(overrides: dict | None, preset: str | None) -> dict:
    """Parameters resolved for a preset that may be 'auto', before the input is read.

    For 'auto' the values of the first preset it may take that accepts ``overrides``; the input
    decides later (:func:`auto_preset`), and that preset's values are checked again then.

    Raises
    ------
    ParamError
        No preset ``preset`` may stand for accepts ``overrides`` (the first one's message).
    """
    errors = []
    names = possible_presets(preset)
    for name in names:
        try:
            return resolve(overrides, name)
        except ParamError as error:
            errors.append(error)
    others = [f"{name}: {error}" for name, error in zip(names[1:], errors[1:]) if str(error) != str(errors[0])]
    if others:  # the user named no preset: say that each one auto picks from refuses, and why
        raise ParamError(f"{errors[0]} (preset auto picks {' or '.join(names)} by the input, and neither takes "
                         f"this; {'; '.join(others)})")
    raise errors[0]


def preset_values(name: str) -> dict:
    """Every parameter's value in preset ``name`` (a new dict; for ``--help`` and the README table).

    Raises
    ------
    ParamError
        No such preset; the message lists the presets.
    """
    return dict(PRESETS[check_preset(name)])


def resolve(overrides: dict | None = None, preset: str | None = None, bounded: bool = True) -> dict:
    """Start from a preset, apply ``overrides``, and check that the values fit together.

    Parameters
    ----------
    overrides : dict
        Parameter name -> value (already converted or raw).
    preset : str or None
        A name in :data:`PRESETS` (``pysster`` or ``motifnet``). Default is None: :data:`DEFAULT_PRESET`.
    bounded : bool
        Hold integers to their upper bound (``ParamSpec.most``). False for values read back from a saved run.

    Returns
    -------
    dict
        Every parameter of :data:`PARAMS`, per-layer tuples checked against their counts.

    Raises
    ------
    ParamError
        An unknown preset (the presets are listed), unknown names, bad values, or a tuple whose
        length differs from its layer count.
    """
    params = preset_values(DEFAULT_PRESET if preset is None else preset)
    for name, value in (overrides or {}).items():
        params[name] = convert_value(name, value, bounded)
    for spec in PARAMS:
        value = params[spec.name]
        if spec.layers and isinstance(value, tuple):
            count = params[spec.layers]
            if spec.layers == "rnn_num" and params["rnn_type"] is None:
                continue
            if len(value) != count:
                raise ParamError(
                    f"parameter {spec.name} has {len(value)} values but {spec.layers} is {count}; "
                    f"give one value for all layers or exactly {count}"
                )
    weighted = params["global_pool"] in ("max", "max+avg")
    if params["position_bins"] and not weighted and "position_bins" not in (overrides or {}):
        params["position_bins"] = 0  # the preset's weighting belongs to its global max pooling
    if params["position_bins"] and not weighted:
        raise ParamError(f"parameter position_bins={params['position_bins']} needs global_pool='max' or 'max+avg' "
                         f"(received: global_pool={params['global_pool']!r}); set global_pool=max or position_bins=0")
    if params["learning_rate"] * params["weight_decay"] >= 1:
        raise ParamError(f"parameter weight_decay={params['weight_decay']} with "
                         f"learning_rate={params['learning_rate']} would shrink each kernel weight by its whole "
                         "value or more in one step (their product must be below 1); give a smaller learning_rate or "
                         "weight_decay (weight_decay=0: no decay)")
    return params


def layer_value(params: dict, name: str, index: int):
    """The value of a per-layer parameter for layer ``index`` (0-based)."""
    value = params[name]
    return value[index] if isinstance(value, tuple) else value


def to_json(params: dict) -> dict:
    """Parameters as JSON values (tuples become lists), as ``motifnet.json`` stores them."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


def changed_from_preset(preset: str, params: dict, given) -> dict:
    """The parameters of ``given`` (those ``--param`` and ``--params`` set, as ``motifnet.json`` records them) whose
    values in ``params`` are not ``preset``'s: name -> the preset's value ('auto' where the input decides it).
    Values the preset or the network's rules set (``position_bins`` 0 beside ``global_pool`` avg) are not among
    them; an unknown preset (a run's of another motifnet) gives none."""
    values = PRESETS.get(preset)
    if values is None:
        return {}
    preset_json, params = to_json(values), to_json(params)
    return {name: preset_json[name] for name in given
            if name in preset_json and name in params and preset_json[name] != params[name]}


def from_json(saved: dict) -> dict:
    """Parameters read back from ``motifnet.json``, with pysster's values for those it lacks.

    A run trained before a parameter existed was built as that parameter's ``pysster`` value
    builds it (those values leave pysster's network unchanged), so filling them in describes
    the network the run really has. Integers are not held to the upper bounds new networks get
    (:class:`ParamSpec` ``most``): a run trained before those bounds, or past them, still opens.

    Raises
    ------
    ParamError
        An unknown name or a bad value.
    """
    return resolve(saved, preset="pysster", bounded=False)


def matches_saved(saved: dict, params: dict) -> bool:
    """Whether a run whose ``motifnet.json`` holds ``saved`` was trained with the resolved ``params``.

    Parameters missing from ``saved`` count as their ``pysster`` values (see :func:`from_json`), and
    ``strand`` 'auto' in ``params`` matches the strand training resolved it to (see :func:`resolve_strand`);
    ``kernel_len`` 'auto' must be resolved for the run's alphabet first (:func:`resolve_kernel_len`).

    Raises
    ------
    ParamError
        ``saved`` holds an unknown name or a bad value.
    """
    restored = from_json(saved)
    if params.get("strand") == "auto" and restored["strand"] in ("forward", "both"):
        restored["strand"] = "auto"
    return restored == params


#: ``kernel_len`` 'auto': kernels of 15 for alphabets of up to this many letters (DNA, RNA), else 8.
AUTO_KERNEL_LETTERS = 4
AUTO_KERNEL_LEN = (15, 8)


def has_auto(value) -> bool:
    """Whether a value (or one of a per-layer tuple or list) is 'auto'."""
    return value == "auto" or (isinstance(value, (list, tuple)) and "auto" in value)


def resolve_kernel_len(params: dict, letters: int) -> dict:
    """The parameters with ``kernel_len`` 'auto' decided for an alphabet of ``letters`` letters.

    Kernels of 15 for alphabets of up to 4 letters (DNA, RNA), of 8 for larger ones (protein): a
    kernel of 15 over 20 letters has 300 weights to fit, most of them beside a motif of a few
    residues (``benchmarks/defaults.py``, the protein set: test ROC-AUC 0.791 with kernels of 8
    against 0.696 with 15). Values given as numbers are kept.

    Parameters
    ----------
    params : dict
        Resolved parameters.
    letters : int
        Letters of the sequence alphabet (not counting structure or track channels).

    Returns
    -------
    dict
        A copy of ``params`` without 'auto' in ``kernel_len``.
    """
    value = params["kernel_len"]
    if not has_auto(value):
        return dict(params)
    length = AUTO_KERNEL_LEN[0] if letters <= AUTO_KERNEL_LETTERS else AUTO_KERNEL_LEN[1]
    if isinstance(value, tuple):
        return {**params, "kernel_len": tuple(length if item == "auto" else item for item in value)}
    return {**params, "kernel_len": length}


def resolve_strand(params: dict, complement, received: str = "this input", double_stranded: bool = True) -> dict:
    """The parameters with ``strand`` as the network is built: ``auto`` decided, ``both`` checked.

    Parameters
    ----------
    params : dict
        Resolved parameters.
    complement : sequence of int or None
        For each input channel, the channel of its complement (see
        :attr:`motifnet.data.dataset.Dataset.complement_channels`); None when the input has no
        reverse complement (protein, structure or track channels).
    received : str
        What the input is, for the error message (e.g. ``protein (ACDE...)``).
    double_stranded : bool
        Whether a motif may sit on either strand of the input (DNA); 'auto' reads both strands
        only then. RNA has a complement but, single-stranded, a motif and its reverse complement
        are different things to an RNA-binding protein. Default is True.

    Returns
    -------
    dict
        A copy of ``params`` whose ``strand`` is 'forward' or 'both'.

    Raises
    ------
    ParamError
        ``strand`` is 'both' but the input has no reverse complement.
    """
    strand = params["strand"]
    if strand == "auto":
        strand = "both" if complement is not None and double_stranded else "forward"
    elif strand == "both" and complement is None:
        raise ParamError(
            f"parameter strand='both' needs input with a reverse complement (a DNA or RNA alphabet, ACGT or ACGU, "
            f"without structure or track channels), received: {received}; use strand=forward, or strand=auto "
            "to read both strands only where the input has a complement"
        )
    return {**params, "strand": strand}


def output_length(params: dict, length: int) -> list:
    """Length of the sequence after each conv and pool layer, as (layer name, length) pairs (pooling of 1 at
    steps of 1 is no layer, and no step)."""
    if has_auto(params["kernel_len"]):
        raise ValueError("kernel_len 'auto' is decided by the input: resolve_kernel_len() first")
    steps = []
    for index in range(params["conv_num"]):
        length = length - layer_value(params, "kernel_len", index) + 1
        steps.append((f"conv_{index + 1}", length))
        if length < 1:
            break
        pool = layer_value(params, "pool_size", index)
        stride = layer_value(params, "pool_stride", index)
        if (pool, stride) == (1, 1):  # the identity: the network has no such layer
            continue
        length = (length - pool) // stride + 1 if length >= pool else 0
        steps.append((f"pool_{index + 1}", length))
        if length < 1:
            break
    return steps


def network_params(overrides: dict | None, preset: str | None, letters: int, length: int) -> dict:
    """The parameters a network is built with: ``preset``'s values with ``overrides`` (:func:`resolve`),
    ``kernel_len`` 'auto' decided for ``letters`` letters (:func:`resolve_kernel_len`), checked against
    windows of ``length`` (:func:`check_length`).

    Raises
    ------
    ParamError
        The preset refuses ``overrides``; :class:`motifnet.errors.WindowTooShortError` where the
        network shrinks windows of ``length`` to nothing.
    """
    params = resolve_kernel_len(resolve(overrides, preset), letters)
    check_length(params, length)
    return params


def check_length(params: dict, length: int) -> None:
    """Refuse a network whose sequence length shrinks to zero or below."""
    steps = output_length(params, length)
    if steps and steps[-1][1] < 1:
        path = " -> ".join([f"input {length}"] + [f"{name} {size}" for name, size in steps])
        raise WindowTooShortError(
            f"the network shrinks the sequence to nothing ({path}); use fewer conv layers "
            "(conv_num), shorter kernels (kernel_len), smaller pooling (pool_size/pool_stride) "
            "or longer sequences (--length)"
        )


def preset_order() -> list:
    """The presets in the order tables show them: the two that ``auto`` picks from, then the rest."""
    first = [DEFAULT_PRESET, auto_preset(True, True)]
    return first + [name for name in PRESETS if name not in first]


def markdown_table() -> str:
    """The parameter table as Markdown (kept in README.md): one value column per preset, auto's two first."""
    names = preset_order()
    picks = {DEFAULT_PRESET: " (auto: most input)", auto_preset(True, True): " (auto: centred RNA windows)"}
    titles = [f"`{name}`{picks.get(name, '')}" for name in names]
    rows = ["| parameter | " + " | ".join(titles) + " | accepts | meaning |",
            "|---|" + "---|" * len(names) + "---|---|"]
    for spec in PARAMS:
        values = " | ".join(str(PRESETS[name][spec.name]) for name in names)
        rows.append(f"| `{spec.name}` | {values} | {spec.describe_allowed()} | {spec.doc} |")
    return "\n".join(rows)
