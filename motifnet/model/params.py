"""Hyperparameters: one table of names, defaults, types and meaning, and their validation.

The table drives parsing of ``--param KEY=VALUE`` and ``--params FILE.json``, the checks
run before training, ``motifnet train --help`` and the parameter table in README.md.
Names, defaults and meaning follow pysster's Model class.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParamError


@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter.

    Attributes
    ----------
    low_open : bool
        ``low`` itself is excluded (values must be greater than it).
    name, default, doc
        Its name, default value and meaning.
    kind : {'int', 'float', 'bool', 'choice', 'path'}
        Value type. A ``path`` is a file name (checked where the file is read), or ``-``.
    layers : str or None
        The count parameter (``conv_num``, ``dense_num``, ``rnn_num``) when the value may
        be given per layer as a tuple.
    low, high : float or None
        Inclusive lower bound, exclusive upper bound (``high``) for numbers.
    choices : tuple or None
        Allowed values of a ``choice`` parameter.
    optional : bool
        Whether ``None`` is accepted.
    """

    name: str
    default: object
    kind: str
    doc: str
    layers: str | None = None
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    optional: bool = False
    low_open: bool = False

    def describe_allowed(self) -> str:
        if self.kind == "choice":
            text = " or ".join(repr(c) for c in self.choices)
        elif self.kind == "bool":
            text = "true or false"
        elif self.kind == "path":
            text = "a file (.npy or tab-separated 0/1 matrix), '-'"
        else:
            noun = "an integer" if self.kind == "int" else "a number"
            if self.low is not None and self.high is not None:
                text = f"{noun} in [{self.low:g}, {self.high:g})"
            elif self.low is not None:
                text = f"{noun} {'>' if self.low_open else '>='} {self.low:g}"
            else:
                text = noun
        if self.optional:
            text += " or None"
        if self.layers:
            text += f", or one value per layer ({self.layers} values, comma-separated)"
        return text


PARAMS = (
    ParamSpec("conv_num", 2, "int", "number of convolutional/pooling layers", low=0),
    ParamSpec("kernel_num", 30, "int", "number of kernels in each conv layer", "conv_num", low=1),
    ParamSpec("kernel_len", 25, "int", "length of kernels", "conv_num", low=1),
    ParamSpec("pool_size", 2, "int", "size of pooling windows", "conv_num", low=1),
    ParamSpec("pool_stride", 2, "int", "step size of pooling operation", "conv_num", low=1),
    ParamSpec("dense_num", 1, "int", "number of dense layers", low=0),
    ParamSpec("neuron_num", 100, "int", "number of neurons in each dense layer", "dense_num", low=1),
    ParamSpec("dropout_input", 0.1, "float", "dropout portion after input", low=0, high=1),
    ParamSpec("dropout_conv", 0.3, "float", "dropout portion after pooling layers", "conv_num", low=0, high=1),
    ParamSpec("dropout_dense", 0.6, "float", "dropout portion after dense layers", "dense_num", low=0, high=1),
    ParamSpec("batch_size", 128, "int", "batch size during training", low=1),
    ParamSpec("learning_rate", 0.0005, "float", "learning rate of the Adam optimizer", low=0, low_open=True),
    ParamSpec("patience_lr", 5, "int",
              "epochs without validation loss improvement before halving the learning rate", low=1),
    ParamSpec("patience_stopping", 15, "int",
              "epochs without validation loss improvement before stopping (best weights kept)", low=1),
    ParamSpec("epochs", 500, "int", "maximum number of training epochs", low=1),
    ParamSpec("kernel_constraint", 3.0, "float", "max-norm constraint on all weights (None: off)",
              low=0, low_open=True, optional=True),
    ParamSpec("rnn_type", None, "choice", "recurrent layers between conv and dense block: LSTM or GRU",
              choices=("LSTM", "GRU"), optional=True),
    ParamSpec("rnn_num", 1, "int", "number of RNN layers", low=1),
    ParamSpec("rnn_units", 32, "int", "output dimensions of each RNN layer", "rnn_num", low=1),
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
DEFAULTS = {spec.name: spec.default for spec in PARAMS}

_NONE_WORDS = {"none", "null", ""}
_TRUE_WORDS = {"true", "yes", "1", "on"}
_FALSE_WORDS = {"false", "no", "0", "off"}


def _unknown(name: str) -> ParamError:
    close = difflib.get_close_matches(name, SPECS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ParamError(f"unknown parameter {name!r}{hint}; known parameters: {', '.join(SPECS)}")


def _bad(spec: ParamSpec, value) -> ParamError:
    return ParamError(f"parameter {spec.name} expects {spec.describe_allowed()}, received: {value!r}")


def _convert_scalar(spec: ParamSpec, value):
    """Convert one value (a string from the command line or a JSON value) and check its range."""
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
    if spec.kind == "choice":
        if isinstance(value, str):
            for choice in spec.choices:
                if value.strip().upper() == choice.upper():
                    return choice
        raise _bad(spec, value)
    if isinstance(value, bool):
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
    above = spec.high is not None and number >= spec.high
    if below or above:
        raise _bad(spec, value)
    return number


def convert_value(name: str, value):
    """Convert a value for parameter ``name``: a scalar, or a tuple for per-layer parameters.

    Strings are parsed as on the command line (``300,100,30`` is a tuple); lists from
    JSON become tuples.

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
        return tuple(_convert_scalar(spec, item) for item in value)
    return _convert_scalar(spec, value)


def parse_assignments(assignments) -> dict:
    """Parse ``KEY=VALUE`` strings from ``--param`` into a dict of converted values."""
    result = {}
    for text in assignments:
        if "=" not in text:
            raise ParamError(f"--param expects KEY=VALUE (e.g. kernel_num=20), received: {text!r}")
        key, value = text.split("=", 1)
        key = key.strip()
        result[key] = convert_value(key, value.strip())
    return result


def load_params_file(path) -> dict:
    """Read a JSON object of parameters (``--params FILE.json``)."""
    try:
        obj = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ParamError(f"{path}: no such parameter file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParamError(f"{path}: not a JSON parameter file ({error})") from None
    if not isinstance(obj, dict):
        raise ParamError(f"{path}: expected a JSON object of parameter names and values")
    return {key: convert_value(key, value) for key, value in obj.items()}


def resolve(overrides: dict | None = None) -> dict:
    """Complete a set of parameters with the defaults and check that they fit together.

    Parameters
    ----------
    overrides : dict
        Parameter name -> value (already converted or raw).

    Returns
    -------
    dict
        Every parameter of :data:`PARAMS`, per-layer tuples checked against their counts.

    Raises
    ------
    ParamError
        Unknown names, bad values, or a tuple whose length differs from its layer count.
    """
    params = dict(DEFAULTS)
    for name, value in (overrides or {}).items():
        params[name] = convert_value(name, value)
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
    return params


def layer_value(params: dict, name: str, index: int):
    """The value of a per-layer parameter for layer ``index`` (0-based)."""
    value = params[name]
    return value[index] if isinstance(value, tuple) else value


def to_json(params: dict) -> dict:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


def output_length(params: dict, length: int) -> list:
    """Length of the sequence after each conv and pool layer, as (layer name, length) pairs."""
    steps = []
    for index in range(params["conv_num"]):
        length = length - layer_value(params, "kernel_len", index) + 1
        steps.append((f"conv_{index + 1}", length))
        if length < 1:
            break
        pool = layer_value(params, "pool_size", index)
        stride = layer_value(params, "pool_stride", index)
        length = (length - pool) // stride + 1 if length >= pool else 0
        steps.append((f"pool_{index + 1}", length))
        if length < 1:
            break
    return steps


def check_length(params: dict, length: int) -> None:
    """Refuse a network whose sequence length shrinks to zero or below."""
    steps = output_length(params, length)
    if steps and steps[-1][1] < 1:
        path = " -> ".join([f"input {length}"] + [f"{name} {size}" for name, size in steps])
        raise ParamError(
            f"the network shrinks the sequence to nothing ({path}); use fewer conv layers "
            "(conv_num), shorter kernels (kernel_len), smaller pooling (pool_size/pool_stride) "
            "or longer sequences (--length)"
        )


def markdown_table() -> str:
    """The parameter table as Markdown (kept in README.md)."""
    rows = ["| parameter | default | accepts | meaning |", "|---|---|---|---|"]
    for spec in PARAMS:
        rows.append(f"| `{spec.name}` | {spec.default} | {spec.describe_allowed()} | {spec.doc} |")
    return "\n".join(rows)
