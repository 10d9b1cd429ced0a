"""The labels of the records: class names (from the files' names or --class-names), the class indices of
multi-label headers, and a label matrix of one column per class; regression targets come from :mod:`.targets`."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np

from .._validate import check_column_names
from ..errors import InputError, ParamError
from .fasta import FOLD_ENERGY, display_name
from .options import DataOptions

log = logging.getLogger("motifnet")

_FASTA_SUFFIXES = (".gz", ".fa", ".fasta", ".fna", ".faa", ".fas", ".txt", ".seq", ".bed", ".narrowpeak", ".broadpeak")
LABEL_TOKEN = re.compile(r"^\d+(,\d+)*,?$")
NO_CLASS = "-"  # multi-label: the last word of the header of a record that belongs to no class ('>seq7 -')
MAX_CLASS_INDEX = 10_000  # multi-label: a larger index is a typo, and would allocate a huge label matrix


def class_name_from_path(path) -> str:
    """A class's name from its file's: the name without FASTA and compression suffixes; ``stdin`` for ``-``."""
    if str(path) == "-":
        return "stdin"
    name = Path(str(path)).name
    lowered = name.lower()
    changed = True
    while changed:
        changed = False
        for suffix in _FASTA_SUFFIXES:
            if lowered.endswith(suffix) and len(lowered) > len(suffix):
                name, lowered = name[: -len(suffix)], lowered[: -len(suffix)]
                changed = True
    return name


_PIPE_PATH = re.compile(r"/(dev|proc/self|proc/\d+)/fd/\d+")


def class_names_from_paths(paths) -> list:
    """Each file's class name (:func:`class_name_from_path`); a warning for a file that is a pipe of the shell's
    ``<(...)``, whose class a number such as 63 would name in every table and figure."""
    names = [class_name_from_path(path) for path in paths]
    for path, name in zip(paths, names):
        if _PIPE_PATH.fullmatch(str(path)):
            log.warning("class %r is named after %s, a pipe (the shell's <(...)): name the classes with "
                        "--class-names", name, path)
    return names


def parse_multi_label(record, n_classes: int | None) -> tuple[str, list]:
    """Return the record id and class indices from a multi-label header (``id 0,2``, ``id 0, 2`` or ``0,2``;
    ``id -`` or ``-``: a record of no class, no indices).

    The energy that ``motifnet fold`` writes after a header's first word (``0,2 mfe=-3.40``) is not one of its words.
    """
    words = record.header.split()
    words = words[:1] + [word for word in words[1:] if not FOLD_ENERGY.fullmatch(word)]  # the id stays, as predict's
    # Indices written with a space after a comma ("0, 2") are one list, not a word "0," of the description.
    first = len(words) - 1
    while first > 0 and words[first - 1].endswith(",") and LABEL_TOKEN.match(words[first - 1]):
        first -= 1
    if first >= 0:
        words = [*words[:first], "".join(words[first:])]
    identifier = words[0] if len(words) > 1 else f"record_{record.number}"
    if words and words[-1] == NO_CLASS:
        if len(words) > 2 and LABEL_TOKEN.match(words[-2]):
            raise InputError(f"{record.where()}: the header ends with class indices and {NO_CLASS} (no class), found "
                             f"header {record.header!r}; give either")
        return identifier, []
    if not words or not LABEL_TOKEN.match(words[-1]):
        raise InputError(
            f"{record.where()}: multi-label headers must end with comma-separated class indices "
            f"(e.g. '>seq1 0,2'), or {NO_CLASS} for a record of no class, found header {record.header!r}"
        )
    indices = sorted({int(token) for token in words[-1].split(",") if token})
    if indices[-1] > MAX_CLASS_INDEX:
        raise InputError(
            f"{record.where()}: class index {indices[-1]} is above {MAX_CLASS_INDEX}; "
            "multi-label headers end with class indices 0, 1, 2, ... (e.g. '>seq1 0,2')"
        )
    if n_classes is not None and indices[-1] >= n_classes:
        raise InputError(
            f"{record.where()}: class index {indices[-1]} is out of range for {n_classes} class "
            "names (indices start at 0)"
        )
    return identifier, indices


def record_labels(data: DataOptions, files: list) -> tuple:
    """Record ids, the label matrix, class names, and (regression) targets and target names.

    ``files``: the input files as loaded (each with its records' ids, headers and places for messages).
    """
    from .targets import record_targets

    n_records = sum(len(input_file) for input_file in files)
    class_names = [name.strip() for name in data.class_names] if data.class_names is not None else None
    if data.task == "regression":
        # The header-only records live only for this call (one object per record).
        ids, targets, target_names = record_targets(
            [record for input_file in files for record in input_file.header_records()], data.targets_file,
            list(data.target_names) if data.target_names is not None else None)
        return ids, np.zeros((n_records, 0), dtype=np.uint8), [], targets, list(target_names)
    if data.multi_label:
        ids, labels, class_names = _multi_labels(files[0], class_names, n_records)
    else:
        if class_names is None:
            class_names = class_names_from_paths(data.fasta)
        if len(class_names) != len(files):
            raise ParamError(f"--class-names gives {len(class_names)} name(s) for {len(files)} FASTA file(s)")
        labels = np.zeros((n_records, len(files)), dtype=np.uint8)
        start = 0
        for index, input_file in enumerate(files):
            labels[start:start + len(input_file), index] = 1
            start += len(input_file)
        ids = [identifier for input_file in files for identifier in input_file.ids()]
    check_column_names(class_names, "class names", "--class-names")
    check_distinct_class_names(class_names, from_files=data.class_names is None)
    with_comma = [(index, name) for index, name in enumerate(class_names) if "," in name]
    if with_comma and data.class_names is None:  # (--class-names cannot give one: it is split at commas)
        index, name = with_comma[0]
        log.warning("class %r (from its file name) holds a comma, and cluster --classes reads a comma as a "
                    "separator: name it by its index (%d) there, or name the classes with --class-names", name, index)
    return ids, labels, class_names, None, []


def check_distinct_class_names(class_names: list, from_files: bool) -> None:
    """Refuse a class name given twice; ``from_files``: the names are the FASTA files' (no --class-names).

    Raises
    ------
    ParamError
        Naming where the names came from, and for file names the option that names the classes.
    """
    if len(set(class_names)) != len(class_names):
        where = "class names (from the file names)" if from_files else "--class-names"
        advice = "; name the classes with --class-names" if from_files else ""
        raise ParamError(f"{where} must be distinct, received: {', '.join(class_names)}{advice}")


def _multi_labels(input_file, class_names: list | None, n_records: int) -> tuple:
    """Ids, label matrix and class names from the trailing class indices of a multi-label file's headers."""
    n_classes = len(class_names) if class_names else None
    parsed = [parse_multi_label(record, n_classes) for record in input_file.header_records()]
    if n_classes is None:
        labelled = [max(indices) for _, indices in parsed if indices]
        if not labelled:
            raise InputError(f"{display_name(input_file.path)}: no record names a class (every header ends with "
                             f"{NO_CLASS}); multi-label headers end with class indices 0, 1, 2, ... (e.g. '>seq1 0,2')")
        n_classes = max(labelled) + 1
        first_row = {}
        for row, (_, indices) in enumerate(parsed):
            for index in indices:
                first_row.setdefault(index, row)
        missing = sorted(set(range(n_classes)) - set(first_row))
        if missing:
            row = first_row[n_classes - 1]
            shown = ", ".join(map(str, missing[:5])) + (", ..." if len(missing) > 5 else "")
            raise InputError(
                f"{input_file.where(row)}: class index {n_classes - 1} leaves {len(missing)} class(es) "
                f"without records ({shown}); class indices must run from 0 without gaps: renumber the classes"
            )
    labels = np.zeros((n_records, n_classes), dtype=np.uint8)
    for row, (_, indices) in enumerate(parsed):
        labels[row, indices] = 1
    if len(np.flatnonzero(labels.sum(axis=0))) < 2:
        all_labelled = bool(labels.any(axis=1).all())
        every = "every record carries" if all_labelled else "every record that names a class names"
        unlabelled = "" if all_labelled else f" (records of no class, {NO_CLASS}, are not one)"
        raise InputError(
            f"{display_name(input_file.path)}: {every} the same single class; a classifier needs at least two "
            f"classes{unlabelled}"
        )
    return [identifier for identifier, _ in parsed], labels, class_names or [f"class_{i}" for i in range(n_classes)]
