"""Adjacency matrices of sparsely connected layers: reading, checking and describing them.

An adjacency matrix ``A`` of shape (inputs, units) holds 1 where an input is connected to a
unit and 0 where it is not (see :class:`motifnet.model.layers.SparselyConnected`). Users give one
per dense layer (``--param dense_adjacency=FILE[,FILE...]``, ``-`` for an ordinary Dense
layer) and one for the per-sequence features (``--param features_adjacency=FILE``), as

- a NumPy ``.npy`` file (any integer, boolean or float dtype; read without pickle), or
- a tab-separated text matrix of 0 and 1, with optional column names on the first line
  (which may start with ``#``) and optional row names in the first column.

This module needs no TensorFlow: files are checked before any data is read.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ParamError

#: Name of the sparse layer that ``features_adjacency`` puts on the per-sequence features.
FEATURES_LAYER = "sparse_features"
_NPY_MAGIC = b"\x93NUMPY"
_ACCEPTED = ("a .npy file or a tab-separated matrix of 0 and 1 (optional row and column names), "
             "shape (inputs, units)")


@dataclass(frozen=True)
class Adjacency:
    """One adjacency matrix and where it came from.

    Attributes
    ----------
    matrix : numpy.ndarray of uint8, shape=(inputs, units)
        0 and 1 only.
    parameter : str
        The parameter that named the file (``dense_adjacency`` or ``features_adjacency``).
    path : str
        The file, as given.
    sha256 : str
        Checksum of the bytes that were read.
    row_names, column_names : list of str or None
        Names from a tab-separated file, when it has them.
    """

    matrix: np.ndarray
    parameter: str
    path: str
    sha256: str
    row_names: list | None = None
    column_names: list | None = None

    @property
    def shape(self) -> tuple:
        return tuple(int(size) for size in self.matrix.shape)

    @property
    def connections(self) -> int:
        """Number of 1 entries: the weights of the layer that can be non-zero."""
        return int(self.matrix.sum())

    @property
    def unconnected_units(self) -> np.ndarray:
        """Units (0-based columns) without any input: they output only their bias."""
        return np.flatnonzero(self.matrix.sum(axis=0) == 0)

    def to_json(self) -> dict:
        return {"parameter": self.parameter, "path": self.path, "sha256": self.sha256,
                "shape": list(self.shape), "connections": self.connections}


def adjacency_problem(matrix) -> str | None:
    """What is wrong with ``matrix`` as an adjacency matrix, or None when it is usable.

    Usable: 2-D with at least one row and one column, numbers (or booleans) that are all 0 or 1,
    at least one of them 1.
    """
    array = np.asarray(matrix)
    if array.ndim != 2:
        return f"expected a 2-D matrix (inputs x units), received an array of shape {array.shape}"
    if 0 in array.shape:
        return f"expected at least one input and one unit, received shape {array.shape}"
    if array.dtype.kind not in "biuf":
        return f"expected numbers 0 and 1, received values of dtype {array.dtype}"
    binary = (array == 0) | (array == 1)
    if not binary.all():
        row, column = (int(i) for i in np.argwhere(~binary)[0])
        return (f"expected only 0 and 1, received {array[row, column].item()!r} at row {row}, "
                f"column {column} (0-based)")
    if not array.any():
        return "every entry is 0: the layer would connect nothing"
    return None


def _parse_npy(data: bytes, where: str) -> np.ndarray:
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ParamError(f"{where}: the .npy file holds Python objects, which motifnet does not load "
                             f"(no pickle); save a numeric array of 0 and 1 instead") from None
        raise ParamError(f"{where}: not a readable .npy file ({error}); expected {_ACCEPTED}") from None
    except (OSError, EOFError) as error:
        raise ParamError(f"{where}: not a readable .npy file ({error}); expected {_ACCEPTED}") from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_tsv(data: bytes, where: str) -> tuple:
    """(matrix, row names, column names) of a tab-separated 0/1 matrix."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParamError(f"{where}: neither a .npy file nor UTF-8 text; expected {_ACCEPTED}") from None
    lines = [(number, line.rstrip("\r")) for number, line in enumerate(text.split("\n"), start=1)
             if line.strip()]
    if not lines:
        raise ParamError(f"{where}: the file is empty; expected {_ACCEPTED}")
    header = None
    first_number, first_line = lines[0]
    first_cells = [cell.strip() for cell in first_line.split("\t")]
    # Column names: a '#' line, or a first line with a non-number after its first cell (a first
    # cell alone that is not a number is the name of a data row).
    if first_line.startswith("#") or not all(_is_number(cell) for cell in first_cells[1:]):
        header = [cell.strip() for cell in first_line.lstrip("#").split("\t")]
        lines = lines[1:]
    lines = [(number, line) for number, line in lines if not line.startswith("#")]
    if not lines:
        raise ParamError(f"{where}: has column names but no rows; expected {_ACCEPTED}")
    row_names_given = not _is_number(lines[0][1].split("\t")[0].strip())
    row_names, rows = [], []
    width = None
    for number, line in lines:
        cells = [cell.strip() for cell in line.split("\t")]
        if row_names_given:
            row_names.append(cells[0])
            cells = cells[1:]
        if width is None:
            width, width_line = len(cells), number
        elif len(cells) != width:
            raise ParamError(f"{where}, line {number}: {len(cells)} values, but line {width_line} has {width}; "
                             "every row needs one value per unit (tab-separated)")
        row = []
        for column, cell in enumerate(cells, start=2 if row_names_given else 1):
            if cell not in ("0", "1") and not (_is_number(cell) and float(cell) in (0.0, 1.0)):
                raise ParamError(f"{where}, line {number}, column {column}: expected 0 or 1, received {cell!r}")
            row.append(float(cell) == 1.0)
        rows.append(row)
    column_names = None
    if header is not None:
        if row_names_given and len(header) == width + 1:
            header = header[1:]  # the corner cell above the row names
        if len(header) != width:
            raise ParamError(f"{where}, line {first_number}: {len(header)} column names, but the rows have "
                             f"{width} values; give one name per unit (and optionally one above the row names)")
        column_names = header
    return np.array(rows, dtype=np.uint8), (row_names or None), column_names


def read_adjacency(path, parameter: str = "dense_adjacency") -> Adjacency:
    """Read and check one adjacency file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.npy`` file (recognised by its content) or a tab-separated 0/1 matrix.
    parameter : str
        The parameter that named the file, for messages. Default is ``dense_adjacency``.

    Returns
    -------
    Adjacency

    Raises
    ------
    ParamError
        The file is missing or unreadable, holds pickled objects, is not 2-D, holds values
        other than 0 and 1, has ragged rows, or has no 1 at all.
    """
    where = f"parameter {parameter}: {path}"
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ParamError(f"{where}: no such file; give {_ACCEPTED}, or '-' for an ordinary Dense layer") from None
    except OSError as error:
        raise ParamError(f"{where}: cannot be read ({error.strerror or error})") from None
    row_names = column_names = None
    if data.startswith(_NPY_MAGIC):
        matrix = _parse_npy(data, where)
    else:
        matrix, row_names, column_names = _parse_tsv(data, where)
    problem = adjacency_problem(matrix)
    if problem:
        raise ParamError(f"{where}: {problem}")
    matrix = np.asarray(matrix).astype(np.uint8)
    return Adjacency(matrix, parameter, str(path), hashlib.sha256(data).hexdigest(), row_names, column_names)


def adjacency_files(params: dict) -> dict:
    """Layer name -> (parameter, file) for every layer that the parameters make sparse.

    ``dense_adjacency`` gives one file per dense layer (a single file applies to every dense
    layer); ``-`` or None keeps an ordinary Dense layer. ``features_adjacency`` puts a sparse
    layer named ``sparse_features`` on the per-sequence features.
    """
    files = {}
    dense = params.get("dense_adjacency")
    for index in range(params.get("dense_num", 0)):
        path = dense[index] if isinstance(dense, tuple) else dense
        if path not in (None, "-"):
            files[f"dense_{index + 1}"] = ("dense_adjacency", path)
    features = params.get("features_adjacency")
    if features not in (None, "-"):
        files[FEATURES_LAYER] = ("features_adjacency", features)
    return files


def read_adjacencies(params: dict) -> dict:
    """Read every adjacency file that resolved parameters name (each file once).

    Parameters
    ----------
    params : dict
        Resolved hyperparameters (see :func:`motifnet.model.params.resolve`).

    Returns
    -------
    dict
        Layer name (``dense_1``..., ``sparse_features``) -> :class:`Adjacency`.

    Raises
    ------
    ParamError
        See :func:`read_adjacency`; also a ``dense_adjacency`` file with ``dense_num`` 0.
    """
    dense = params.get("dense_adjacency")
    named = dense if isinstance(dense, tuple) else (dense,)
    if params.get("dense_num", 0) == 0 and any(path not in (None, "-") for path in named):
        raise ParamError(f"parameter dense_adjacency names {dense!r}, but dense_num is 0 (no dense layers); "
                         "set dense_num or leave dense_adjacency out")
    cache: dict = {}
    result = {}
    for layer, (parameter, path) in adjacency_files(params).items():
        key = (parameter, path)
        if key not in cache:
            cache[key] = read_adjacency(path, parameter)
        result[layer] = cache[key]
    return result


def check_layer_input(adjacency: Adjacency, layer: str, inputs: int, source: str = "") -> None:
    """Refuse an adjacency whose number of rows differs from the layer's real input size.

    Parameters
    ----------
    adjacency : Adjacency
    layer : str
        Name of the sparse layer (``dense_1``, ``sparse_features``).
    inputs : int
        Size of the layer's input (last axis).
    source : str
        What feeds the layer, for the message (``flatten``, ``concat_features: ...``).

    Raises
    ------
    ParamError
        The message states the matrix's shape and the shape it needs.
    """
    if adjacency.shape[0] == inputs:
        return
    feeding = f" ({source})" if source else ""
    raise ParamError(
        f"parameter {adjacency.parameter}: {adjacency.path} has shape {adjacency.shape} (inputs x units), but "
        f"{layer} receives {inputs} inputs{feeding}; the matrix must have shape ({inputs}, units): one row "
        "per input"
    )
