"""Regression targets: numbers per record from FASTA headers or a table, their split and scale.

Header targets: every word after the record id is a number (``>id 1.5``, ``>id 1.5 2.0`` or
``>id 1.5,2.0``); a ``mfe=E`` word, as ``motifnet fold`` writes it after the id, is skipped.
Table targets (``--targets FILE.tsv``): a header row (``id``, then the target names) and one
row per record id.

Training standardises each target with the mean and standard deviation of the training
split; the saved model predicts on the original scale because the scale is folded into the
weights of its linear ``output`` layer (:func:`rescaled_output`).
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .._validate import check_column_names
from ..errors import InputError, OptionValueError, ParamError
from .fasta import FOLD_ENERGY, display_name, iter_text_stream

TASKS = ("classification", "regression")
SPLIT_BINS = 5
_MAX_LISTED = 5


#: The largest target magnitude: the network computes in 32-bit floats (at most about 3.4e38), and a
#: value near that limit overflows in the standardisation and in the predictions scaled back.
TARGET_LIMIT = 1e30


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _within_limit(value: float, text: str, where: str) -> float:
    """``value``, or an :class:`InputError` naming ``where`` when it is beyond :data:`TARGET_LIMIT`."""
    if abs(value) > TARGET_LIMIT:
        raise InputError(f"{where}: the target value {text} is larger in magnitude than 1e30, more than the "
                         "network's 32-bit arithmetic holds; rescale the targets (their logarithm, or other units)")
    return value


def header_values(record) -> list:
    """The target values of one record header: every word after the id, as numbers.

    Parameters
    ----------
    record : FastaRecord

    Returns
    -------
    list of float

    Raises
    ------
    InputError
        No word after the id, or a word that is not a finite number (file and record named).
    """
    words = record.header.split()[1:]
    words = [word for word in words if not FOLD_ENERGY.fullmatch(word)]
    # '1.5,2.0' and '1.5, 2.0' are two values; a comma with no value on one side ('1.5,', '1.5,,2') lost one
    pieces = re.split(r"\s*,\s*|\s+", " ".join(words)) if words else []
    if not pieces:
        raise InputError(
            f"{record.where()}: no target value after the id; regression headers carry the values after "
            "the id ('>seq1 1.5', '>seq1 1.5 2.0' or '>seq1 1.5,2.0'); train (only) can take them from "
            "--targets FILE.tsv instead"
        )
    if "" in pieces:
        raise InputError(f"{record.where()}: a comma without a value on one side in header {record.header!r}; "
                         "regression headers carry the values after the id ('>seq1 1.5,2.0' or '>seq1 1.5 2.0')")
    values = []
    for piece in pieces:
        value = _number(piece)
        if value is None:
            raise InputError(
                f"{record.where()}: {piece!r} in the header is not a number; in a regression model's headers every "
                "word after the id is a target value ('>seq1 1.5 2.0'); train (only) can take the values from "
                "--targets FILE.tsv instead, which leaves other words in the headers"
            )
        values.append(_within_limit(value, piece, record.where()))
    return values


def header_targets(records) -> np.ndarray:
    """Target values of all records from their headers, shape=(n, targets).

    Raises
    ------
    InputError
        A header without values, a value that is not a number, or records with different
        numbers of values.
    """
    rows = []
    for record in records:  # a count that changes is named where it first does, before a later header's error
        rows.append(header_values(record))
        if len(rows[-1]) != len(rows[0]):
            raise InputError(
                f"{record.where()}: {len(rows[-1])} target value(s), but {records[0].where()} has {len(rows[0])}; "
                "every header needs the same number of values"
            )
    return np.array(rows, dtype=np.float32)


def read_target_table(path, ids) -> tuple:
    """Read ``--targets FILE.tsv`` and order its rows as the records ``ids``.

    Parameters
    ----------
    path : str
        Tab-separated: a header row (the id column, then one name per target), then one row per
        record id. Empty lines are skipped.
    ids : list of str
        Record ids, in record order; they must be distinct.

    Returns
    -------
    (names, values)
        Target names from the header, and values of shape=(len(ids), targets).

    Raises
    ------
    InputError
        Missing file, a bad header, a row of the wrong width, a value that is not a number,
        duplicate ids, ids without a row or rows without a record.
    """
    name = display_name(path)
    try:
        # the reader of every text file: gzip, a byte-order mark, UTF-16 refused naming its line
        with iter_text_stream(path, "a tab-separated targets table") as handle:
            lines = [(number, line.rstrip("\r\n")) for number, line in enumerate(handle, start=1)]
    except InputError as error:
        raise InputError(f"--targets {error}") from None
    lines = [(number, line) for number, line in lines if line.strip()]
    if not lines:
        raise InputError(f"--targets {name}: the file is empty; expected a header row 'id<TAB>name...' and "
                         "one row per record")
    header = lines[0][1].split("\t")
    names = [column.strip() for column in header[1:]]
    if header[0].strip() in set(ids) and all(_number(column) is not None for column in names):
        # read as names, the first record's row left it 'without a row'; numbers alone may name targets
        # (hours: 0, 6, 12) under an 'id' column, a record's id may not
        raise InputError(f"--targets {name}, line {lines[0][0]}: {lines[0][1]!r} looks like a record's row, but "
                         "the first row names the columns: add a header row 'id<TAB>name...' (one name per "
                         "target) above the values")
    if not names or any(not column for column in names):
        raise InputError(
            f"--targets {name}: the header row {lines[0][1]!r} must be tab-separated: the id column, then one "
            "non-empty name per target (e.g. 'id<TAB>binding')"
        )
    duplicated = recurring(ids)
    if duplicated:
        raise InputError(
            f"--targets {name}: record id(s) {_listing(duplicated)} occur more than once in the FASTA input; "
            "table targets need distinct record ids"
        )
    by_id = {}
    for number, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(
                f"--targets {name}, line {number}: {len(cells)} column(s), the header has {len(header)} "
                f"(the id and {len(names)} target(s)); columns are tab-separated"
            )
        record_id = cells[0].strip()
        if record_id in by_id:
            raise InputError(f"--targets {name}, line {number}: id {record_id!r} has a row already (line "
                             f"{by_id[record_id][0]}); give one row per record")
        values = []
        for column, cell in zip(names, cells[1:]):
            value = _number(cell.strip())
            if value is None:
                raise InputError(f"--targets {name}, line {number}: {column} of {record_id!r} is {cell!r}, "
                                 "not a finite number")
            values.append(_within_limit(value, cell.strip(), f"--targets {name}, line {number}"))
        by_id[record_id] = (number, values)
    missing = [record_id for record_id in ids if record_id not in by_id]
    if missing:
        raise InputError(f"--targets {name}: no row for {len(missing)} record id(s): {_listing(missing)}; "
                         "every record needs a row")
    known = set(ids)
    extra = [record_id for record_id in by_id if record_id not in known]
    if extra:
        raise InputError(f"--targets {name}: {len(extra)} row(s) for ids that are not in the FASTA input: "
                         f"{_listing(extra)}")
    values = np.array([by_id[record_id][1] for record_id in ids], dtype=np.float32)
    return names, values


def recurring(items) -> list:
    seen, repeated = set(), []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return repeated


def _listing(items) -> str:
    shown = ", ".join(repr(item) for item in items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def resolve_target_names(given, from_table, count: int) -> list:
    """Target names: ``--target-names`` (renames), else the table header, else ``target_1``...

    Raises
    ------
    ParamError
        A wrong number of names, empty or repeated names.
    """
    if given is not None:
        names = [name.strip() for name in given]
        if len(names) != count:
            raise ParamError(f"--target-names gives {len(names)} name(s) for {count} target value(s) per record")
    else:
        names = list(from_table) if from_table else [f"target_{i + 1}" for i in range(count)]
    check_column_names(names, "target names", "--target-names", targets=True)
    repeated = recurring(names)
    if repeated:
        raise ParamError(f"target names must be distinct, received: {', '.join(names)} ({_listing(repeated)} "
                         "repeated); pass --target-names")
    return names


def record_targets(records, targets_file=None, target_names=None) -> tuple:
    """Ids, target values and names of regression records.

    Parameters
    ----------
    records : list of FastaRecord
    targets_file : str or None
        ``--targets FILE.tsv``; None reads the values from the headers.
    target_names : list of str or None
        ``--target-names``.

    Returns
    -------
    (ids, values, names)
        ``values`` of shape=(n, targets), float32.
    """
    ids = [record.id for record in records]
    if targets_file:
        table_names, values = read_target_table(targets_file, ids)
    else:
        table_names, values = None, header_targets(records)
    return ids, values, resolve_target_names(target_names, table_names, values.shape[1])


def check_task_options(task: str, *, multi_label: bool = False, class_names=None, targets_file=None,
                       target_names=None, epistatic_reg=None, reference=None) -> None:
    """Refuse options that do not fit the task, before any data is read.

    Raises
    ------
    ParamError
        Names the option and the task it needs.
    """
    if task not in TASKS:
        raise OptionValueError(f"--task must be one of {', '.join(TASKS)}, received: {task!r}")
    if task == "regression":
        for given, option in ((multi_label, "--multi-label"), (class_names, "--class-names")):
            if given:
                raise OptionValueError(f"{option} is for classification; --task regression reads target values "
                                 "(headers or --targets)")
    else:
        for given, option in ((targets_file, "--targets"), (target_names, "--target-names"),
                              (epistatic_reg, "--epistatic-reg"), (reference, "--reference")):
            if given:
                raise OptionValueError(f"{option} needs --task regression")
    if reference and not epistatic_reg:
        raise OptionValueError("--reference is the reference sequence of --epistatic-reg; give --epistatic-reg WEIGHT")
    if epistatic_reg is not None and not (epistatic_reg >= 0 and math.isfinite(epistatic_reg)):
        raise OptionValueError(f"--epistatic-reg must be a weight >= 0, received: {epistatic_reg}")


def split_strata(values: np.ndarray, bins: int = SPLIT_BINS) -> np.ndarray:
    """One-hot quantile bins of ``values`` (equal counts by rank, ties in record order).

    Returns
    -------
    numpy.ndarray of uint8, shape=(n, min(bins, n))
    """
    n = len(values)
    bins = max(1, min(bins, n))
    ranks = np.empty(n, dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(n)
    strata = np.zeros((n, bins), dtype=np.uint8)
    strata[np.arange(n), ranks * bins // max(n, 1)] = 1
    return strata


@dataclass
class TargetScale:
    """Mean and standard deviation of each target on the training split.

    The network learns ``(value - mean) / std``; :func:`rescaled_output` folds the inverse
    into the output layer, so saved models predict original values.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray, names) -> TargetScale:
        """Fit on training values, shape=(n, targets).

        Raises
        ------
        InputError
            A target that is constant in the training split.
        """
        values = np.asarray(values, dtype=np.float64)
        mean, std = values.mean(axis=0), values.std(axis=0)
        constant = [name for name, sd in zip(names, std) if not sd > 0]
        if constant:
            raise InputError(f"target(s) {', '.join(constant)} take a single value in the training split; "
                             "a regression needs values that vary")
        return cls(mean.astype(np.float32), std.astype(np.float32))

    def standardise(self, values: np.ndarray) -> np.ndarray:
        return ((np.asarray(values, dtype=np.float32) - self.mean) / self.std).astype(np.float32)

    def to_json(self) -> dict:
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}


@contextmanager
def rescaled_output(model, scale: TargetScale):
    """Within the block, the model's linear ``output`` layer predicts on the original scale.

    ``(x @ W + b) * std + mean == x @ (W * std) + (b * std + mean)``: the weights are replaced
    by the folded ones and restored exactly (from a copy) afterwards.
    """
    layer = model.get_layer("output")
    kernel, bias = np.array(layer.kernel.numpy()), np.array(layer.bias.numpy())
    layer.kernel.assign(kernel * scale.std[None, :])
    layer.bias.assign(bias * scale.std + scale.mean)
    try:
        yield model
    finally:
        layer.kernel.assign(kernel)
        layer.bias.assign(bias)


def fold_scale(model, scale: TargetScale) -> None:
    """Fold the scale into the output layer for good (the model then predicts original values)."""
    layer = model.get_layer("output")
    layer.kernel.assign(np.array(layer.kernel.numpy()) * scale.std[None, :])
    layer.bias.assign(np.array(layer.bias.numpy()) * scale.std + scale.mean)
