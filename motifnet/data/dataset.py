"""Labelled data sets: FASTA files -> records -> compact encoded arrays, and the split.

Single-label: one FASTA file per class, the first file is class 0. Multi-label: one FASTA
file whose headers end with comma-separated class indices (``>id 0,2`` or ``>0,2``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._io import sha256, write_npz
from .._progress import Progress
from ..errors import InputError, ParamError
from .alphabets import Alphabet, detect_alphabet, get_alphabet, structure_alphabet
from .encoding import Encoder
from .fasta import FastaBlock, FastaRecord, display_name, iter_fasta_blocks, read_fasta
from .features import FeatureSpec, encode_features, fit_features, parse_track_options, read_feature_table, read_track
from .options import DataOptions

log = logging.getLogger("motifnet")

GROUPS = ("train", "val", "test")
_FASTA_SUFFIXES = (".gz", ".fa", ".fasta", ".fna", ".faa", ".fas", ".txt", ".seq")
LABEL_TOKEN = re.compile(r"^\d+(,\d+)*,?$")
_COUNT_CHUNK_BYTES = 1 << 22
_NO_LETTERS = np.zeros(0, dtype=np.uint8)


@dataclass
class Dataset:
    """Encoded, labelled sequences held compactly.

    Attributes
    ----------
    encoder : Encoder
        Alphabet(s), length and structure mode.
    codes : numpy.ndarray, shape=(n, length)
        One small integer per position (see :mod:`motifnet.data.encoding`).
    labels : numpy.ndarray, shape=(n, classes), dtype=uint8
        One-hot (single-label) or multi-hot (multi-label) class membership.
    ids : numpy.ndarray of str, shape=(n,)
        Record identifiers.
    sources : numpy.ndarray of int, shape=(n,)
        Index of the input file each record came from.
    class_names : list of str
    multi_label : bool
    files : list of dict
        Input files: path, SHA-256, number of records.
    structure : numpy.ndarray or None, shape=(n, length, structure_letters)
        Structure probabilities (``--structure-pwm`` only).
    tracks : numpy.ndarray or None, shape=(n, length, tracks)
        Position-wise numeric tracks.
    track_names : list of str
    features : numpy.ndarray or None, shape=(n, width)
        Encoded per-sequence features (after :meth:`fit_features`).
    feature_spec : FeatureSpec or None
    task : {'classification', 'regression'}
    targets : numpy.ndarray or None, shape=(n, targets), dtype=float32
        Regression only: the measured values (``labels`` then has shape (n, 0) and
        ``class_names`` is empty).
    target_names : list of str
    """

    encoder: Encoder
    codes: np.ndarray
    labels: np.ndarray
    ids: np.ndarray
    sources: np.ndarray
    class_names: list
    multi_label: bool
    files: list
    structure: np.ndarray | None = None
    tracks: np.ndarray | None = None
    track_names: list = field(default_factory=list)
    features: np.ndarray | None = None
    feature_spec: FeatureSpec | None = None
    feature_rows: list | None = field(default=None, repr=False)
    task: str = "classification"
    targets: np.ndarray | None = None
    target_names: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def channels(self) -> int:
        return self.encoder.channels + len(self.track_names)

    @property
    def output_names(self) -> list:
        """Names of the model's output units: classes, or targets (regression)."""
        return list(self.target_names) if self.task == "regression" else list(self.class_names)

    def fit_features(self, train_index: np.ndarray) -> None:
        """Fix feature categories / standardisation from the training records and encode."""
        if self.feature_rows is None:
            return
        names, rows, categorical = self.feature_rows
        self.feature_spec = fit_features(names, rows, categorical, train_index)
        self.features = encode_features(self.feature_spec, rows)
        self.feature_rows = None

    def subset(self, index) -> Dataset:
        """The records at ``index`` (any NumPy index), sharing the metadata."""
        def pick(array):
            return None if array is None else array[index]
        return Dataset(self.encoder, self.codes[index], self.labels[index], self.ids[index],
                       self.sources[index], self.class_names, self.multi_label, self.files,
                       pick(self.structure), pick(self.tracks), self.track_names,
                       pick(self.features), self.feature_spec, task=self.task, targets=pick(self.targets),
                       target_names=self.target_names)

    def model_inputs(self, index) -> dict:
        """Float model inputs for the records at ``index`` (a slice or index array).

        Returns
        -------
        dict
            ``sequence``, shape=(n, length, channels), and ``features`` when used.
        """
        structure = self.structure[index] if self.structure is not None else None
        sequence = self.encoder.one_hot(self.codes[index], structure)
        if self.tracks is not None:
            sequence = np.concatenate([sequence, self.tracks[index]], axis=-1)
        inputs = {"sequence": sequence}
        if self.features is not None:
            inputs["features"] = self.features[index]
        return inputs

    def save(self, path) -> None:
        """Write the arrays to an ``.npz`` file (no pickle), atomically."""
        arrays = {"codes": self.codes, "labels": self.labels, "ids": self.ids.astype(str),
                  "sources": self.sources}
        for name in ("structure", "tracks", "features", "targets"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        write_npz(path, arrays)

    @classmethod
    def load(cls, path, meta: dict) -> Dataset:
        """Read arrays written by :meth:`save`; ``meta`` is the run's ``motifnet.json``."""
        with np.load(path, allow_pickle=False) as arrays:
            loaded = {name: arrays[name] for name in arrays.files}
        data_meta = meta["data"]
        spec = data_meta.get("features")
        return cls(Encoder.from_json(data_meta["encoder"]), loaded["codes"], loaded["labels"],
                   loaded["ids"], loaded["sources"], list(data_meta["class_names"]),
                   bool(data_meta["multi_label"]), list(data_meta["files"]),
                   loaded.get("structure"), loaded.get("tracks"), list(data_meta.get("tracks", [])),
                   loaded.get("features"), FeatureSpec.from_json(spec) if spec else None,
                   task=data_meta.get("task", "classification"), targets=loaded.get("targets"),
                   target_names=list(data_meta.get("target_names", [])))

    def describe(self) -> dict:
        """Metadata stored in ``motifnet.json`` under ``data``."""
        return {
            "encoder": self.encoder.to_json(),
            "class_names": self.class_names,
            "multi_label": self.multi_label,
            "files": self.files,
            "records": len(self),
            "records_per_class": [int(v) for v in self.labels.sum(axis=0)],
            "channels": self.channels,
            "tracks": self.track_names,
            "features": self.feature_spec.to_json() if self.feature_spec else None,
            "task": self.task,
            "target_names": list(self.target_names),
        }


def class_name_from_path(path) -> str:
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


def parse_multi_label(record, n_classes: int | None) -> tuple[str, list]:
    """Return the record id and class indices from a multi-label header (``id 0,2`` or ``0,2``)."""
    words = record.header.split()
    if not words or not LABEL_TOKEN.match(words[-1]):
        raise InputError(
            f"{record.where()}: multi-label headers must end with comma-separated class indices "
            f"(e.g. '>seq1 0,2'), found header {record.header!r}"
        )
    indices = sorted({int(token) for token in words[-1].split(",") if token})
    if n_classes is not None and indices[-1] >= n_classes:
        raise InputError(
            f"{record.where()}: class index {indices[-1]} is out of range for {n_classes} class "
            "names (indices start at 0)"
        )
    identifier = words[0] if len(words) > 1 else f"record_{record.number}"
    return identifier, indices


@dataclass
class _InputFile(FastaBlock):
    """One input file while it is loaded: headers and lengths first, codes once the alphabet is known.

    ``pending`` holds what still has to be encoded: the bulk reader's blocks (sequence-only
    input: letters and lengths in arrays, no Python object per record) or the records
    (sequence + structure input). ``source`` is the path as given (``-`` for standard input).
    """

    source: str = ""
    pending: list = field(default_factory=list)

    def header_records(self) -> list:
        """The records as header-only :class:`FastaRecord` objects, for header parsers."""
        return [FastaRecord(self.path, number, header, []) for number, header in enumerate(self.headers, start=1)]


def _read_input_file(path: str, structure_mode) -> _InputFile:
    name = display_name(path)
    if structure_mode is None:  # the bulk reader: whole blocks at a time
        progress = Progress(f"reading {name}")
        blocks = []
        for block in iter_fasta_blocks(path):
            blocks.append(block)
            progress.advance(len(block))
        headers = [header for block in blocks for header in block.headers]
        lengths = np.concatenate([block.lengths for block in blocks])
        return _InputFile(name, 1, headers, _NO_LETTERS, lengths, path, blocks)
    records = list(read_fasta(path))
    lengths = np.fromiter((len(record.lines[0]) if record.lines else 0 for record in records),
                          dtype=np.int64, count=len(records))
    return _InputFile(name, 1, [record.header for record in records], _NO_LETTERS, lengths, path, records)


def _byte_counts(files, structure_mode) -> np.ndarray:
    """How often each byte occurs in the sequences (not the structures)."""
    counts = np.zeros(256, dtype=np.int64)
    for input_file in files:
        if structure_mode is None:
            arrays = [block.letters for block in input_file.pending]
        else:
            arrays = [np.frombuffer(b"".join(record.lines[0] for record in input_file.pending if record.lines),
                                    dtype=np.uint8)]
        for letters in arrays:
            # A few MB at a time: np.bincount works on a platform-integer copy of its input.
            for start in range(0, len(letters), _COUNT_CHUNK_BYTES):
                counts += np.bincount(letters[start:start + _COUNT_CHUNK_BYTES], minlength=256)
    return counts


def _choose_alphabet(files, alphabet: str | None, structure_mode) -> Alphabet:
    if alphabet:
        return get_alphabet(alphabet)
    from collections import Counter

    counts_by_byte = _byte_counts(files, structure_mode)
    counts = Counter()
    for byte in np.flatnonzero(counts_by_byte):
        counts[chr(byte).upper()] += int(counts_by_byte[byte])
    detected = detect_alphabet(counts)
    log.info("alphabet detected from the data: %s; pass --alphabet to choose another", detected.describe())
    return detected


def _encode_files(encoder: Encoder, files) -> tuple:
    """Encode every file into one preallocated array, releasing each block once it is encoded."""
    total = sum(len(input_file) for input_file in files)
    codes = np.zeros((total, encoder.length), dtype=encoder.code_dtype)
    structure_parts = []
    start = 0
    for input_file in files:
        pending, input_file.pending = input_file.pending, []
        if encoder.structure_mode is None:
            while pending:
                block = pending.pop(0)
                codes[start:start + len(block)] = encoder.encode_letters(block.letters, block.lengths, block.where)
                start += len(block)
        else:
            encoded = encoder.encode(pending)
            codes[start:start + len(pending)] = encoded.codes
            structure_parts.append(encoded.structure)
            start += len(pending)
    structure = np.concatenate(structure_parts) if encoder.structure_mode == "pwm" else None
    return codes, structure


def load_dataset(fasta_paths, **options) -> Dataset:
    """Read and encode labelled FASTA files.

    Parameters
    ----------
    fasta_paths : DataOptions or list of str
        How to read the data; or the FASTA files, with the other fields of
        :class:`motifnet.data.options.DataOptions` as keywords.
    **options
        Fields of :class:`DataOptions` (only with a list of files).

    Returns
    -------
    Dataset

    Raises
    ------
    InputError, ParamError
        For every problem with the files or options; the message names file and record.
    """
    from .targets import check_task_options, record_targets

    if isinstance(fasta_paths, DataOptions):
        if options:
            raise TypeError("load_dataset: pass either DataOptions or keywords, not both")
        data = fasta_paths
    else:
        data = DataOptions(tuple(fasta_paths), **options)
    multi_label, alphabet, structure, structure_pwm = (data.multi_label, data.alphabet, data.structure,
                                                       data.structure_pwm)
    length, feature_files, categorical_features, tracks = (data.length, list(data.feature_files),
                                                           data.categorical_features, list(data.tracks))
    task, targets_file = data.task, data.targets_file
    class_names = list(data.class_names) if data.class_names is not None else None
    target_names = list(data.target_names) if data.target_names is not None else None
    check_task_options(task, multi_label=multi_label, class_names=class_names, targets_file=targets_file,
                       target_names=target_names)
    regression = task == "regression"
    paths = list(data.fasta)
    if not paths:
        raise ParamError("give at least one FASTA file")
    if paths.count("-") > 1:
        raise ParamError("standard input ('-') can be read only once")
    if multi_label and len(paths) != 1:
        raise ParamError(f"--multi-label reads one FASTA file with labels in its headers, received {len(paths)}")
    if not multi_label and not regression and len(paths) < 2:
        raise InputError(
            f"{display_name(paths[0])}: one FASTA file means a single class; give one FASTA file per class "
            "(at least two), or use --multi-label with class indices in the headers"
        )
    if structure_pwm and not structure:
        raise ParamError("--structure-pwm needs --structure-alphabet (the letters of the PWM rows)")
    structure_mode = ("pwm" if structure_pwm else "letters") if structure else None

    files = [_read_input_file(path, structure_mode) for path in paths]
    for input_file in files:
        log.info("read %s: %d records", input_file.path, len(input_file))
    if structure_mode is None:
        for input_file in files:
            empty = np.flatnonzero(input_file.lengths == 0)
            if empty.size:
                raise InputError(f"{input_file.where(int(empty[0]))}: empty sequence")
    n_records = sum(len(input_file) for input_file in files)

    if class_names is not None:
        class_names = [name.strip() for name in class_names]
    targets = None
    if regression:
        # The header-only records live only for this call (one object per record).
        ids, targets, target_names = record_targets(
            [record for input_file in files for record in input_file.header_records()], targets_file, target_names)
        labels, class_names = np.zeros((n_records, 0), dtype=np.uint8), []
    elif multi_label:
        n_classes = len(class_names) if class_names else None
        parsed = [parse_multi_label(record, n_classes) for record in files[0].header_records()]
        n_classes = n_classes or max(max(indices) for _, indices in parsed) + 1
        labels = np.zeros((n_records, n_classes), dtype=np.uint8)
        for row, (_, indices) in enumerate(parsed):
            labels[row, indices] = 1
        ids = [identifier for identifier, _ in parsed]
        class_names = class_names or [f"class_{i}" for i in range(n_classes)]
        present = np.flatnonzero(labels.sum(axis=0))
        if len(present) < 2:
            raise InputError(
                f"{display_name(paths[0])}: every record carries the same single class; "
                "a classifier needs at least two classes"
            )
    else:
        if class_names is None:
            class_names = [class_name_from_path(path) for path in paths]
        if len(class_names) != len(paths):
            raise ParamError(f"--class-names gives {len(class_names)} name(s) for {len(paths)} FASTA file(s)")
        labels = np.zeros((n_records, len(paths)), dtype=np.uint8)
        start = 0
        for index, input_file in enumerate(files):
            labels[start:start + len(input_file), index] = 1
            start += len(input_file)
        ids = [identifier for input_file in files for identifier in input_file.ids()]
    if len(set(class_names)) != len(class_names):
        raise ParamError(
            f"class names must be distinct, received: {', '.join(class_names)}; pass --class-names"
        )

    resize = length is not None
    if not resize:
        if structure_mode is not None:
            for input_file in files:
                for record in input_file.pending:
                    if not record.lines:
                        raise InputError(f"{record.where()}: empty record")
        length = int(files[0].lengths[0])
        for input_file in files:
            wrong = np.flatnonzero(input_file.lengths != length)
            if wrong.size:
                row = int(wrong[0])
                raise InputError(
                    f"{input_file.where(row)}: sequence length {int(input_file.lengths[row])} differs "
                    f"from {length} ({files[0].where(0)}); sequences must be equally long, or pass "
                    "--length N to centre-crop/pad them"
                )
    chosen = _choose_alphabet(files, alphabet, structure_mode)
    encoder = Encoder(chosen, length, resize, structure_alphabet(structure) if structure else None,
                      structure_mode)
    codes, structure_values = _encode_files(encoder, files)
    sources = np.concatenate([np.full(len(input_file), i, dtype=np.int32) for i, input_file in enumerate(files)])
    file_info = [{"path": input_file.path, "sha256": sha256(input_file.source) if input_file.source != "-" else None,
                  "records": len(input_file)} for input_file in files]
    dataset = Dataset(encoder, codes, labels, np.array(ids, dtype=str), sources, class_names,
                      multi_label, file_info, structure=structure_values, task=task, targets=targets,
                      target_names=list(target_names) if regression else [])

    if tracks:
        columns, names = [], []
        for name, track_paths in parse_track_options(tracks):
            if len(track_paths) != len(paths):
                raise ParamError(
                    f"--track {name}: give one file per FASTA file ({len(paths)}), received {len(track_paths)}"
                )
            columns.append(np.concatenate([read_track(track_path, input_file.ids(), input_file.lengths, length)
                                           for track_path, input_file in zip(track_paths, files)]))
            names.append(name)
        dataset.tracks = np.stack(columns, axis=-1)
        dataset.track_names = names
    if feature_files:
        names, rows = read_feature_table(feature_files, [len(input_file) for input_file in files], categorical_features)
        dataset.feature_rows = (names, rows, categorical_features)
    return dataset


def parse_split(text: str) -> tuple[float, float]:
    """Parse ``--split TRAIN,VAL`` (fractions; the rest is the test split)."""
    try:
        train, val = (float(part) for part in text.split(","))
    except ValueError:
        raise ParamError(f"--split expects two fractions TRAIN,VAL (e.g. 0.7,0.15), received: {text!r}") from None
    if not (0 < train < 1 and 0 < val < 1 and train + val <= 1 + 1e-9):
        raise ParamError(
            f"--split fractions must be above 0 and sum to at most 1 (the rest is the test split; "
            f"validation is needed for early stopping), received: {text!r}"
        )
    return train, val


def make_split(labels: np.ndarray, train: float, val: float, seed: int) -> np.ndarray:
    """Assign each record to train (0), val (1) or test (2), stratified by class, seeded.

    Single-label data is stratified by class, multi-label data by label combination.
    Within each stratum the sizes are rounded, so every split keeps the class proportions.

    Returns
    -------
    numpy.ndarray of int8, shape=(n,)
    """
    rng = np.random.default_rng(seed)
    keys = np.packbits(labels.astype(bool), axis=1)
    _, strata = np.unique(keys, axis=0, return_inverse=True)
    groups = np.full(len(labels), 2, dtype=np.int8)
    for stratum in np.unique(strata):
        members = rng.permutation(np.flatnonzero(strata == stratum))
        n_train = int(round(len(members) * train))
        n_val = int(round(len(members) * (train + val))) - n_train
        groups[members[:n_train]] = 0
        groups[members[n_train:n_train + n_val]] = 1
    return groups
