"""Handcrafted inputs beside the sequence: per-sequence features and position-wise tracks.

Per-sequence features (one text file per FASTA file, one tab-separated line per record,
optional ``#`` header line naming the columns) join the network at the first dense layer.
Numeric columns are standardised with the training data's mean and standard deviation;
categorical columns are one-hot encoded over the categories seen in training.

Position-wise tracks (``--track NAME=FILE``) are FASTA-like files: a ``>id`` header per
record, then one number per sequence position (whitespace-separated, any line breaks);
each track becomes one extra input channel, cropped or padded like the sequence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, ParamError
from .encoding import fit_length
from .fasta import display_name, iter_text_stream, read_fasta


def iter_feature_rows(path):
    """Yield ``(line number, values)`` for each data line of a feature file, and column names first.

    The first item is the list of column names (from a ``#`` header line, or None).
    """
    handle = iter_text_stream(path, "a feature file (one row of numbers per record)")
    names = None
    first = True
    with handle:
        for line_number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            if text.startswith("#"):
                if first:
                    names = [name.strip() for name in text[1:].split("\t")]
                    yield names
                    first = False
                continue
            if first:
                yield None
                first = False
            yield line_number, text.split("\t")
    if first:
        raise InputError(f"{display_name(path)}: feature file has no lines")


@dataclass
class FeatureSpec:
    """Column layout of per-sequence features, learned on the training data.

    Attributes
    ----------
    names : list of str
        Column names.
    categorical : bool
        One-hot encode every column (categories fixed at training) rather than standardise.
    categories : list of list of str
        Per column, the categories (categorical only).
    mean, std : list of float
        Per column, the training mean and standard deviation (numeric only).
    """

    names: list
    categorical: bool
    categories: list = field(default_factory=list)
    mean: list = field(default_factory=list)
    std: list = field(default_factory=list)

    @property
    def width(self) -> int:
        return sum(len(c) for c in self.categories) if self.categorical else len(self.names)

    def to_json(self) -> dict:
        return {"names": self.names, "categorical": self.categorical, "categories": self.categories,
                "mean": self.mean, "std": self.std}

    @classmethod
    def from_json(cls, obj):
        return cls(obj["names"], obj["categorical"], obj.get("categories", []),
                   obj.get("mean", []), obj.get("std", []))


def read_feature_table(paths, record_counts, categorical: bool) -> tuple[list, list]:
    """Read raw feature rows (strings) from one file per FASTA file.

    Returns
    -------
    (names, rows)
        Column names and one list of strings per record, in record order.
    """
    if len(paths) != len(record_counts):
        raise ParamError(
            f"give one feature file per FASTA file: {len(record_counts)} FASTA file(s), "
            f"{len(paths)} feature file(s)"
        )
    names, rows, first_header = None, [], None
    for path_number, (path, expected) in enumerate(zip(paths, record_counts)):
        lines = iter_feature_rows(path)
        file_names = next(lines)
        if path_number == 0:
            first_header = file_names
        else:  # a header of other columns would be read as the first file's columns
            _check_header(path, file_names, first_header, f"{display_name(paths[0])}'s",
                          "; give every feature file the same columns in the same order (a file without a header "
                          "is read by position)")
        count = 0
        for line_number, values in lines:
            count += 1
            if names is None:
                names = file_names or [f"feature_{i + 1}" for i in range(len(values))]
            # Checked here, where file and line are known, rather than when fitting after the split.
            check_feature_row(names, categorical, values, f"{display_name(path)}, line {line_number}")
            rows.append(values)
        if count != expected:
            raise InputError(
                f"{display_name(path)}: {count} feature line(s) but its FASTA file has {expected} "
                "record(s); give one line per record, in the same order"
            )
    return names, rows


def fit_features(names, rows, categorical: bool, train_index: np.ndarray) -> FeatureSpec:
    """Learn categories or standardisation from the training rows."""
    spec = FeatureSpec(list(names), categorical)
    if categorical:
        spec.categories = [sorted({rows[i][column] for i in train_index}) for column in range(len(names))]
    else:
        values = _numeric(names, rows)
        train = values[train_index] if len(train_index) else values
        spec.mean = [float(v) for v in train.mean(axis=0)]
        spec.std = [float(v) if v > 0 else 1.0 for v in train.std(axis=0)]
    return spec


def _check_header(path, names, expected, whose: str, advice: str) -> None:
    """Refuse the header ``names`` of the feature file ``path`` where it names other columns than ``expected``
    (``whose``: where those come from; ``advice`` ends the message); a file or a reference without a header is
    not checked."""
    if None not in (names, expected) and list(names) != list(expected):
        raise InputError(f"{display_name(path)}: its header names the columns {', '.join(names)}, and {whose} "
                         f"{', '.join(expected)}{advice}")


def check_feature_row(names, categorical: bool, values, where: str) -> None:
    """Refuse a row of a feature file with another number of columns than ``names``, or (numeric features) a
    value that is not a finite number; ``where`` names the file and line.

    Raises
    ------
    InputError
    """
    if len(values) != len(names):
        raise InputError(f"{where}: {len(values)} column(s), expected {len(names)} ({', '.join(names)})")
    if not categorical:
        _check_numeric(names, values, where)


def check_feature_names(spec: FeatureSpec, names, path) -> None:
    """Refuse a feature file whose header names other columns than those the model was trained on (or in
    another order): its values would be read as the trained columns. A file without a header, or a model trained
    on files without one, is not checked.

    Raises
    ------
    InputError
    """
    unnamed = [f"feature_{i + 1}" for i in range(len(spec.names))]  # trained on files without a header
    _check_header(path, names, None if list(spec.names) == unnamed else spec.names, "the model was trained on",
                  ", in that order; give the same columns in the same order")


def _check_numeric(names, values, where: str) -> None:
    for name, value in zip(names, values):
        try:
            number = float(value)
        except ValueError:
            raise InputError(
                f"{where}: feature {name!r} value {value!r} is not a number; use --categorical-features "
                "for categories"
            ) from None
        if not math.isfinite(number):  # nan, inf and overflowing numbers such as 1e999
            raise InputError(f"{where}: feature {name!r} value {value!r} is not a finite number; give a "
                             "finite value (impute missing ones)")


def _numeric(names, rows) -> np.ndarray:
    try:
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(names))
    except ValueError:
        for number, row in enumerate(rows, start=1):
            _check_numeric(names, row, f"record {number}")
        raise


def check_categories(spec: FeatureSpec, row, where: str) -> None:
    """Refuse a row of a categorical spec with a category that training never saw; ``where`` names the row."""
    for name, categories, value in zip(spec.names, spec.categories, row):
        if value not in categories:
            raise InputError(f"{where}: feature {name!r} has the category {value!r}, which was not seen in "
                             f"training (known: {', '.join(categories)}); give one of those")


def unseen_categories(spec: FeatureSpec, rows) -> list:
    """The categories of ``rows`` that a categorical spec does not know, per feature column.

    Returns
    -------
    list of (str, list of str, list of int)
        Feature name, its unknown categories (sorted) and the rows holding one, for each column with any.
    """
    found = []
    for column, (name, categories) in enumerate(zip(spec.names, spec.categories)):
        known = set(categories)
        rows_unseen = [number for number, row in enumerate(rows) if row[column] not in known]
        if rows_unseen:
            found.append((name, sorted({rows[number][column] for number in rows_unseen}), rows_unseen))
    return found


def encode_features(spec: FeatureSpec, rows) -> np.ndarray:
    """Encode raw rows with a fitted spec, shape=(n, spec.width).

    A category the spec does not know is encoded as none of its categories (zeros), as scikit-learn's
    ``OneHotEncoder(handle_unknown="ignore")`` does: training meets such categories in validation
    and test records (it warns, :func:`unseen_categories`); predict refuses them first
    (:func:`check_categories`), naming the file and line.
    """
    if spec.categorical:
        blocks = []
        for column, categories in enumerate(spec.categories):
            index = {category: i for i, category in enumerate(categories)}
            block = np.zeros((len(rows), len(categories)), dtype=np.float32)
            for row_number, row in enumerate(rows):
                if row[column] in index:
                    block[row_number, index[row[column]]] = 1.0
            blocks.append(block)
        return np.concatenate(blocks, axis=1)
    values = _numeric(spec.names, rows)
    return ((values - np.array(spec.mean)) / np.array(spec.std)).astype(np.float32)


def check_tracks(tracks) -> list:
    """Check position-wise track options: (name, files) pairs with distinct names.

    Parameters
    ----------
    tracks : sequence of (str, sequence of str)
        Each track's name and its files, one per FASTA file (the command line's
        ``--track NAME=FILE[,FILE...]``, parsed).

    Returns
    -------
    list of (str, list of str)

    Raises
    ------
    ParamError
        A pair that is not (name, files), an empty name or file list, or a name given twice.
    """
    checked = []
    for track in tracks:
        if isinstance(track, str) or len(track) != 2 or isinstance(track[1], str):
            raise ParamError(f"tracks are (name, [files]) pairs, received: {track!r}")
        name, files = str(track[0]).strip(), [str(path) for path in track[1]]
        if not name or not files:
            raise ParamError(f"a track needs a name and at least one file, received: {track!r}")
        checked.append((name, files))
    names = [name for name, _ in checked]
    if len(set(names)) != len(names):
        raise ParamError(f"--track names must be distinct, received: {', '.join(names)}")
    return checked


def iter_track_values(path, length: int):
    """Yield (id, values) per record of a track file, values fitted to ``length``."""
    for record in read_fasta(path):
        words = b" ".join(record.lines).split()
        try:
            with np.errstate(over="ignore"):  # a number past float32's range becomes inf, refused below
                values = np.array(words, dtype=np.float32)
        except ValueError:
            raise InputError(f"{record.where()}: track values must be numbers") from None
        bad = np.flatnonzero(~np.isfinite(values))  # nan, inf, and numbers past float32's range such as 1e39
        if bad.size:
            raise InputError(f"{record.where()}: track value {words[bad[0]].decode(errors='replace')!r} at position "
                             f"{bad[0] + 1} is not a finite number within float32's range (+-3.4e38); give a finite "
                             "value (impute missing ones)")
        yield record, values


def read_track(path, ids, lengths, length: int) -> np.ndarray:
    """Read one track file aligned to the records (same ids, one value per position)."""
    out = np.zeros((len(ids), length), dtype=np.float32)
    count = 0
    for row, (record, values) in enumerate(iter_track_values(path, length)):
        if row >= len(ids):
            raise InputError(f"{record.where()}: the track file has more records than its FASTA file ({len(ids)})")
        check_track_record(record, values, ids[row], lengths[row])
        out[row] = fit_length(values, length)
        count += 1
    if count != len(ids):
        raise InputError(f"{display_name(path)}: {count} track record(s) but the FASTA file has {len(ids)}")
    return out


def check_track_record(record, values, expected_id: str, expected_length: int) -> None:
    if record.id != expected_id:
        raise InputError(
            f"{record.where()}: track record id {record.id!r} does not match the sequence record "
            f"{expected_id!r}; track files must list the same records in the same order"
        )
    if len(values) != expected_length:
        raise InputError(
            f"{record.where()}: {len(values)} track value(s) for a sequence of {expected_length} "
            "positions; give one value per position"
        )
