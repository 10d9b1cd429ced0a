"""motifnet.model.adjacency: reading and checking adjacency files, which layers they make sparse, their fit."""

import hashlib

import numpy as np
import pytest
from helpers import ADJACENCY

from motifnet.errors import ParamError
from motifnet.model.adjacency import (
    FEATURES_LAYER,
    Adjacency,
    adjacency_files,
    adjacency_problem,
    check_layer_input,
    read_adjacencies,
    read_adjacency,
)
from motifnet.model.params import convert_value, resolve

# -- matrices -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("matrix, problem", [
    (ADJACENCY, None),
    (ADJACENCY.astype(bool), None),
    (ADJACENCY.astype(np.float64), None),
    (np.ones(4), "expected a 2-D matrix (inputs x units), received an array of shape (4,)"),
    (np.ones((3, 0)), "expected at least one input and one unit, received shape (3, 0)"),
    (np.array([[1, 0], [0, -1]]), "expected only 0 and 1, received -1 at row 1, column 1 (0-based)"),
    (np.array([["1"]]), "expected numbers 0 and 1, received values of dtype <U1"),
    (np.zeros((2, 2)), "every entry is 0: the layer would connect nothing"),
])
def test_what_is_wrong_with_a_matrix(matrix, problem):
    assert adjacency_problem(matrix) == problem


def test_connections_and_units_without_inputs():
    matrix = np.array([[1, 0, 0], [1, 0, 1]], dtype=np.uint8)
    adjacency = Adjacency(matrix, "dense_adjacency", "a.npy", "0" * 64)
    assert adjacency.shape == (2, 3) and all(type(size) is int for size in adjacency.shape)
    assert adjacency.connections == 3
    assert adjacency.unconnected_units.tolist() == [1]
    assert adjacency.to_json() == {"parameter": "dense_adjacency", "path": "a.npy", "sha256": "0" * 64,
                                   "shape": [2, 3], "connections": 3}


# -- adjacency files ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float32, bool])
def test_npy_files_of_any_numeric_dtype(tmp_path, dtype):
    path = tmp_path / "a.npy"
    np.save(path, ADJACENCY.astype(dtype))
    adjacency = read_adjacency(path)
    np.testing.assert_array_equal(adjacency.matrix, ADJACENCY)
    assert adjacency.matrix.dtype == np.uint8
    assert adjacency.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert adjacency.to_json() == {"parameter": "dense_adjacency", "path": str(path), "sha256": adjacency.sha256,
                                   "shape": [6, 4], "connections": 9}


def rows_text(row_names=None):
    lines = []
    for index, row in enumerate(ADJACENCY):
        cells = [str(value) for value in row]
        lines.append("\t".join(([row_names[index]] if row_names else []) + cells))
    return lines


GENES = ["g1", "g2", "g3", "g4", "g5", "g6"]
PATHWAYS = ["p1", "p2", "p3", "p4"]


@pytest.mark.parametrize("header, row_names", [
    (None, None),
    ("p1\tp2\tp3\tp4", None),
    ("#p1\tp2\tp3\tp4", None),
    ("gene\tp1\tp2\tp3\tp4", GENES),
    ("\tp1\tp2\tp3\tp4", GENES),
    ("p1\tp2\tp3\tp4", GENES),
    (None, GENES),
])
def test_tab_separated_files_with_optional_names(tmp_path, header, row_names):
    path = tmp_path / "a.tsv"
    lines = ([header] if header else []) + rows_text(row_names)
    path.write_text("\r\n".join(lines) + "\r\n\n")
    adjacency = read_adjacency(path, "features_adjacency")
    np.testing.assert_array_equal(adjacency.matrix, ADJACENCY)
    assert adjacency.row_names == row_names
    assert adjacency.column_names == (PATHWAYS if header else None)
    assert adjacency.parameter == "features_adjacency"


def _write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.mark.parametrize("name, content, message", [
    ("two.tsv", "1\t0\n0\t2\n", r"two.tsv, line 2, column 2: expected 0 or 1, received '2'"),
    ("half.tsv", "g1\t1\t0.5\n", r"half.tsv, line 1, column 3: expected 0 or 1, received '0.5'"),
    ("ragged.tsv", "1\t0\t1\n0\t1\n", r"ragged.tsv, line 2: 2 values, but line 1 has 3"),
    ("names.tsv", "a\tb\tc\n1\t0\n", r"names.tsv, line 1: 3 column names, but the rows have 2 values"),
    ("zeros.tsv", "0\t0\n0\t0\n", "zeros.tsv: every entry is 0"),
    ("empty.tsv", "\n\n", "empty.tsv: the file is empty"),
    ("header.tsv", "a\tb\n", "header.tsv: has column names but no rows"),
    ("binary.dat", b"\xff\xfe\x00\x01", "binary.dat: neither a .npy file nor UTF-8 text"),
])
def test_bad_adjacency_files_are_refused(tmp_path, name, content, message):
    path = _write(tmp_path, name, content)
    with pytest.raises(ParamError, match="parameter dense_adjacency: .*" + message):
        read_adjacency(path)


def test_npy_files_with_objects_or_three_axes_are_refused(tmp_path):
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([[1, None]], dtype=object), allow_pickle=True)
    with pytest.raises(ParamError, match="objects.npy: the .npy file holds Python objects, which motifnet does "
                                         r"not load \(no pickle\)"):
        read_adjacency(objects)
    cube = tmp_path / "cube.npy"
    np.save(cube, np.ones((2, 2, 2)))
    with pytest.raises(ParamError, match=r"cube.npy: expected a 2-D matrix \(inputs x units\)"):
        read_adjacency(cube)
    with pytest.raises(ParamError, match=r"missing.npy: no such file; give a .npy file or a tab-separated"):
        read_adjacency(tmp_path / "missing.npy")


def test_parameters_name_one_file_per_dense_layer(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, ADJACENCY)
    assert convert_value("dense_adjacency", f"{path}, -") == (str(path), "-")
    assert convert_value("dense_adjacency", "none") is None
    params = resolve({"dense_num": 3, "dense_adjacency": f"-,{path},{path}", "features_adjacency": str(path)})
    adjacency = read_adjacencies(params)
    assert sorted(adjacency) == ["dense_2", "dense_3", FEATURES_LAYER]
    assert adjacency["dense_2"] is adjacency["dense_3"]  # one file is read once
    assert adjacency[FEATURES_LAYER].parameter == "features_adjacency"
    with pytest.raises(ParamError, match="dense_adjacency has 2 values but dense_num is 3"):
        resolve({"dense_num": 3, "dense_adjacency": f"{path},-"})
    with pytest.raises(ParamError, match="dense_num is 0"):
        read_adjacencies(resolve({"dense_num": 0, "dense_adjacency": str(path)}))


# -- which layers, and whether they fit ------------------------------------------------------------------------

def test_one_file_for_every_dense_layer_or_one_per_layer():
    assert adjacency_files({"dense_num": 2, "dense_adjacency": "a.npy"}) == {
        "dense_1": ("dense_adjacency", "a.npy"), "dense_2": ("dense_adjacency", "a.npy")}
    assert adjacency_files({"dense_num": 3, "dense_adjacency": ("-", "b.tsv", None),
                            "features_adjacency": "f.tsv"}) == {
        "dense_2": ("dense_adjacency", "b.tsv"), FEATURES_LAYER: ("features_adjacency", "f.tsv")}
    assert adjacency_files({"dense_num": 1, "dense_adjacency": None, "features_adjacency": "-"}) == {}
    assert read_adjacencies(resolve({})) == {}


def test_a_matrix_must_have_one_row_per_input_of_its_layer():
    adjacency = Adjacency(ADJACENCY, "dense_adjacency", "a.npy", "")
    check_layer_input(adjacency, "dense_1", 6)  # fits: no error
    with pytest.raises(ParamError) as raised:
        check_layer_input(adjacency, "dense_1", 7, "flatten")
    assert str(raised.value) == (
        "parameter dense_adjacency: a.npy has shape (6, 4) (inputs x units), but dense_1 receives 7 inputs "
        "(flatten); the matrix must have shape (7, units): one row per input")
    with pytest.raises(ParamError, match=r"but sparse_features receives 2 inputs; the matrix"):
        check_layer_input(Adjacency(ADJACENCY, "features_adjacency", "a.npy", ""), "sparse_features", 2)
