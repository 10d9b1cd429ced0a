"""Labelled data sets: FASTA files -> records -> compact encoded arrays.

Single-label: one FASTA file per class, the first file is class 0. Multi-label: one FASTA
file whose headers end with comma-separated class indices (``>id 0,2`` or ``>0,2``).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._io import sha256, write_npz
from .._progress import Progress
from .._validate import repeated_file
from ..errors import InputError, OptionValueError, ParamError
from .alphabets import get_alphabet, structure_alphabet
from .encoding import Encoder, refuse_non_letters
from .fasta import (
    EMPTY_SEQUENCE,
    FastaBlock,
    FastaRecord,
    display_name,
    is_pipe,
    iter_fasta_blocks,
    read_fasta,
    refuse_stdin_twice,
)
from .features import (
    FeatureSpec,
    check_tracks,
    encode_features,
    fit_features,
    read_feature_table,
    read_track,
    unseen_categories,
)
from .labels import check_distinct_class_names, class_names_from_paths, record_labels
from .letters import byte_counts, choose_alphabet, refuse_dot_bracket, warn_custom_nucleotides, warn_foreign_letters
from .options import GENERATED_BACKGROUNDS, DataOptions

log = logging.getLogger("motifnet")

_NO_LETTERS = np.zeros(0, dtype=np.uint8)
MIN_CLASS_RECORDS = 3  # the stratified split needs a record of each class in train, validation and test


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
    origin : dict or None
        How genomic or generated inputs were made (genome, window length, background), as
        recorded in ``motifnet.json`` under ``data.origin``; None for plain FASTA input.
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
    origin: dict | None = None
    #: Each record's row in the data set as loaded (None: these rows are those), for :meth:`where`.
    positions: np.ndarray | None = field(default=None, repr=False)
    #: Each record's own length before the encoder's crop or pad (None: not known, as in runs before 2026-12-06).
    lengths: np.ndarray | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def records_of_no_class(self) -> int:
        """Multi-label records that carry no class (header ending in ``-``); 0 for other data."""
        return int((self.labels.sum(axis=1) == 0).sum()) if self.multi_label else 0

    @property
    def channels(self) -> int:
        return self.encoder.channels + len(self.track_names)

    @property
    def complement_channels(self) -> tuple | None:
        """For each model input channel, the channel of its complement; None without a reverse complement.

        See :attr:`motifnet.data.encoding.Encoder.complement_channels`. Position-wise tracks have no
        complement (a stranded signal would need its other-strand track), so input with tracks has none.
        """
        return None if self.track_names else self.encoder.complement_channels

    @property
    def double_stranded(self) -> bool:
        """Whether the input is DNA, where a motif may sit on either strand (``strand`` auto reads both)."""
        return self.complement_channels is not None and self.encoder.alphabet.letters == "ACGT"

    def describe_input(self) -> str:
        """The model input in a few words (alphabet, structure, tracks), for messages."""
        text = self.encoder.describe_input()
        if self.track_names:
            text += f" with tracks {', '.join(self.track_names)}"
        return text

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
        if categorical:
            # The split decides where a rare category falls; the network has no weights for one it never trained on.
            for name, values, unseen_rows in unseen_categories(self.feature_spec, rows):
                shown = ", ".join(map(repr, values[:5])) + (", ..." if len(values) > 5 else "")
                log.warning("feature %r: %d validation/test record(s) have a category no training record has (%s; "
                            "first: %s); they are encoded as none of the known categories", name,
                            len(unseen_rows), shown, self.where(unseen_rows[0]))
        self.features = encode_features(self.feature_spec, rows)
        self.feature_rows = None

    def where(self, row: int) -> str:
        """File, record number and id of record ``row``, for messages."""
        number = row if self.positions is None else int(self.positions[row])
        for info in self.files:
            if number < info["records"]:
                return f"{display_name(info['path'])}, record {number + 1} ({str(self.ids[row])!r})"
            number -= info["records"]
        raise IndexError(row)

    def subset(self, index) -> Dataset:
        """The records at ``index`` (any NumPy index), sharing the metadata."""
        def pick(array):
            return None if array is None else array[index]
        positions = np.arange(len(self)) if self.positions is None else self.positions
        feature_rows = None
        if self.feature_rows is not None:  # not fitted yet (BED windows dropped before the split is final)
            names, rows, categorical = self.feature_rows
            feature_rows = (names, [rows[row] for row in np.arange(len(self))[index]], categorical)
        return Dataset(self.encoder, self.codes[index], self.labels[index], self.ids[index],
                       self.sources[index], self.class_names, self.multi_label, self.files,
                       pick(self.structure), pick(self.tracks), self.track_names,
                       pick(self.features), self.feature_spec, feature_rows, task=self.task,
                       targets=pick(self.targets), target_names=self.target_names, origin=self.origin,
                       positions=positions[index], lengths=pick(self.lengths))

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
        for name in ("structure", "tracks", "features", "targets", "lengths"):
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
                   target_names=list(data_meta.get("target_names", [])), origin=data_meta.get("origin"),
                   lengths=loaded.get("lengths"))

    def describe(self) -> dict:
        """Metadata stored in ``motifnet.json`` under ``data``."""
        return {
            "encoder": self.encoder.to_json(),
            "class_names": self.class_names,
            "multi_label": self.multi_label,
            "files": self.files,
            "records": len(self),
            "records_per_class": [int(v) for v in self.labels.sum(axis=0)],
            **({"records_of_no_class": self.records_of_no_class} if self.multi_label else {}),
            "channels": self.channels,
            "tracks": self.track_names,
            "features": self.feature_spec.to_json() if self.feature_spec else None,
            "task": self.task,
            "target_names": list(self.target_names),
            **({"origin": self.origin} if self.origin else {}),
        }


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


def _fasta_window_length(files) -> int:
    """The length of genome windows drawn beside FASTA records (``--background genomic`` without ``--length``):
    theirs, when they are all as long.

    Raises
    ------
    ParamError
        Records of several lengths, naming two.
    """
    lengths = np.unique(np.concatenate([np.asarray(input_file.lengths) for input_file in files]))
    lengths = lengths[lengths > 0]  # an empty record is refused, as such, when the records are encoded
    if not len(lengths):  # no record: refused then too
        from .genome import DEFAULT_BED_LENGTH

        return DEFAULT_BED_LENGTH
    if len(lengths) > 1:
        raise ParamError(f"--background genomic: the FASTA records are {lengths[0]} to {lengths[-1]} letters long, "
                         "and the background's windows need one length; give --length N (records are then "
                         "centre-cropped or padded to it)")
    return int(lengths[0])


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


def first_repeat(keys) -> tuple | None:
    """Where ``keys`` first repeat: ``(earlier, later, repeated)``, or None when every key is distinct.

    ``later`` is the first position (in order) whose key came before, ``earlier`` that key's first
    position, and ``repeated`` the number of distinct keys that occur more than once.
    """
    keys = np.asarray(keys)
    if len(keys) < 2:
        return None
    ordered = np.sort(keys)  # the usual case, no repeat, in one copy: np.unique below makes four of them
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    del ordered
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    if not (counts > 1).any():
        return None
    inverse = inverse.reshape(-1)
    later = int(np.flatnonzero(first[inverse] != np.arange(len(inverse)))[0])
    return int(first[inverse[later]]), later, int((counts > 1).sum())


def warn_duplicate_ids(ids, where) -> None:
    """Warn (one log line) when record ids repeat: results stay right, but tables keyed by id are ambiguous.

    ``ids``: the records' ids in input order; ``where(row)``: the file and record of a row, for the message.
    """
    repeat = first_repeat(np.array(ids, dtype=str))
    if repeat is None:
        return
    earlier, later, repeated = repeat
    log.warning("duplicate record id %r: %s and %s (%d id(s) occur more than once); results are kept, but "
                "tables keyed by id (predictions, attributions) will be ambiguous",
                str(ids[later]), where(earlier), where(later), repeated)


def _where_row(files: list, row: int) -> str:
    """File and record of the ``row``-th record over all ``files``."""
    for input_file in files:
        if row < len(input_file):
            return input_file.where(row)
        row -= len(input_file)
    raise IndexError(row)


def check_class_sizes(dataset: Dataset, minimum: int = MIN_CLASS_RECORDS) -> None:
    """Refuse a class with fewer than ``minimum`` records, for training.

    The split is stratified by class: a class needs records to train on and one to validate on, or
    its validation score (ROC AUC) means nothing. With so few, the test group may get none of it
    (training then warns that the class has no test record).

    Parameters
    ----------
    dataset : Dataset
        A classification data set (regression data sets are not checked).
    minimum : int
        Default is :data:`MIN_CLASS_RECORDS` (3).

    Raises
    ------
    InputError
        Naming the (first) class with too few records, its count and its file.
    """
    if dataset.task == "regression":
        return
    counts = dataset.labels.sum(axis=0)
    for index, count in enumerate(counts.tolist()):
        if count < minimum:
            path = dataset.files[0 if dataset.multi_label else index]["path"]
            raise InputError(
                f"{path}: class {dataset.class_names[index]!r} has {count} record(s); training needs at least "
                f"{minimum} per class (to train on and to validate on; with so few the test split may get none)"
            )


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


def load_dataset(fasta_paths, model_length: int | None = None, for_model: bool = False, **options) -> Dataset:
    """Read and encode labelled FASTA files.

    Parameters
    ----------
    fasta_paths : DataOptions or list of str
        How to read the data; or the FASTA files, with the other fields of
        :class:`motifnet.data.options.DataOptions` as keywords.
    model_length : int or None
        Data for a trained model that takes this length only (and neither crops nor pads): a
        record of another length is refused saying so. Default is None: training data, whose
        records must be equally long (or ``length`` set).
    for_model : bool
        Data for a trained model, whose alphabet and length are fixed: a letter outside the
        alphabet is refused saying so, not pointing to ``--alphabet``. Default is False.
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
    if isinstance(fasta_paths, DataOptions):
        if options:
            raise TypeError("load_dataset: pass either DataOptions or keywords, not both")
        data = fasta_paths
    else:
        data = DataOptions(tuple(fasta_paths), **options)
    structure_mode = check_options(data)
    files, origin = _read_inputs(data, structure_mode)
    if data.background is not None:
        names = list(data.class_names) if data.class_names else class_names_from_paths(data.fasta)
        # Checked here, where it is known whether --class-names gave the names (the generated class is "background").
        check_distinct_class_names([*names, "background"], from_files=not data.class_names)
        data = data.replace(class_names=(*names, "background"))
    for input_file in files:
        log.info("read %s: %d record%s", input_file.path, len(input_file), "" if len(input_file) == 1 else "s")
    if structure_mode is None:
        for input_file in files:
            empty = np.flatnonzero(input_file.lengths == 0)
            if empty.size:
                raise InputError(f"{input_file.where(int(empty[0]))}: {EMPTY_SEQUENCE}")
    ids, labels, class_names, targets, target_names = record_labels(data, files)
    warn_duplicate_ids(ids, lambda row: _where_row(files, row))
    if structure_mode is None:
        refuse_dot_bracket(files, data.alphabet, for_model)
    length = data.length if data.length is not None else _common_length(files, structure_mode, model_length)
    chosen = choose_alphabet(files, data.alphabet, structure_mode)
    if data.alphabet and not for_model:  # the user's --alphabet (later commands give the model's own)
        warn_custom_nucleotides(chosen, data.alphabet)
    if data.alphabet and chosen.name == "protein":  # nucleotides are protein letters too
        for input_file in files:
            warn_foreign_letters(chosen, byte_counts([input_file], structure_mode), input_file.path)
    encoder = Encoder(chosen, length, data.length is not None,
                      structure_alphabet(data.structure) if data.structure else None, structure_mode)
    encoder.for_model = for_model
    codes, structure_values = _encode_files(encoder, files)
    sources = np.concatenate([np.full(len(input_file), i, dtype=np.int32) for i, input_file in enumerate(files)])
    # No checksum of a pipe: read once, what is left of it is nothing (train refuses pipes, see refuse_pipes).
    file_info = [{"path": input_file.path, "sha256": sha256(input_file.source) if input_file.source not in ("-", "")
                  and not is_pipe(input_file.source) else None, "records": len(input_file)} for input_file in files]
    for number, input_file in enumerate(files):
        if input_file.source == "-":  # read once: its records, as encoded, stand for its content
            rows = sources == number
            file_info[number]["sha256"] = records_sha256(
                codes[rows], labels[rows], np.array(ids, dtype=str)[rows],
                None if structure_values is None else structure_values[rows],
                None if targets is None else targets[rows])
    _refuse_identical_files(files, codes, structure_values, data.length, data.task == "regression")
    dataset = Dataset(encoder, codes, labels, np.array(ids, dtype=str), sources, class_names,
                      data.multi_label, file_info, structure=structure_values, task=data.task, targets=targets,
                      target_names=target_names, origin=origin,
                      lengths=np.concatenate([input_file.lengths for input_file in files]).astype(np.int64))
    if data.tracks:
        _add_tracks(dataset, data.tracks, files, length)
    if data.feature_files:
        names, rows = read_feature_table(list(data.feature_files), [len(input_file) for input_file in files],
                                         data.categorical_features)
        dataset.feature_rows = (names, rows, data.categorical_features)
    return dataset


def _read_inputs(data: DataOptions, structure_mode) -> tuple:
    """The input files (FASTA, or BED windows of ``data.genome``), the background last; and their origin.

    The origin (None for plain FASTA without a generated background) says how the records were made,
    for ``motifnet.json``.
    """
    from contextlib import ExitStack

    from .background import genomic_background, shuffled_background
    from .genome import DEFAULT_BED_LENGTH, Genome, Window, is_bed_path, read_bed, read_bed_block

    length = data.length or DEFAULT_BED_LENGTH
    origin = {}
    with ExitStack() as stack:
        genome = stack.enter_context(Genome(data.genome)) if data.genome else None

        def read(path):
            if genome is not None and is_bed_path(path):
                block = read_bed_block(path, genome, length)
                return _InputFile(block.path, 1, block.headers, _NO_LETTERS, block.lengths, path, [block])
            return _read_input_file(path, structure_mode)

        files = [read(path) for path in data.fasta]
        if genome is not None:
            origin["genome"] = {"path": genome.path, "chromosomes": len(genome.lengths)}
            if any(is_bed_path(path) for path in data.fasta):
                origin["window_length"] = length
        if data.background in GENERATED_BACKGROUNDS:
            positives = [block for input_file in files for block in input_file.pending]
            if data.background == "shuffle":
                block = shuffled_background(positives, data.shuffle_k, data.background_ratio, data.background_seed)
            else:
                # Whole peaks, not only their windows: a broad peak's flanks are bound too, no background.
                peaks = [Window(interval.chrom, interval.start, interval.end) for path in data.fasta
                         if is_bed_path(path) for interval in read_bed(path)]
                if data.length is None and not any(is_bed_path(path) for path in data.fasta):
                    length = _fasta_window_length(files)  # windows of BED's 200 failed later against 150-long records
                block = genomic_background(genome, positives, length, data.background_ratio, data.background_seed,
                                           peaks)
            files.append(_InputFile(block.path, 1, block.headers, _NO_LETTERS, block.lengths, "", [block]))
            origin["background"] = {"kind": data.background, "ratio": data.background_ratio,
                                    "seed": data.background_seed, "records": len(block),
                                    **({"shuffle_k": data.shuffle_k} if data.background == "shuffle" else {})}
        elif data.background is not None:
            files.append(read(data.background))
            origin["background"] = {"kind": "file", "path": data.background}
    return files, origin or None


def check_options(data: DataOptions) -> str | None:
    """Refuse contradicting options before any file is read; the structure mode (None, 'letters', 'pwm').

    Raises
    ------
    ParamError, InputError
        Options that do not go together or do not fit the task (the message names them).
    """
    from .targets import check_task_options

    check_task_options(data.task, multi_label=data.multi_label, class_names=data.class_names,
                       targets_file=data.targets_file, target_names=data.target_names)
    for spec, parse, option in ((data.alphabet, get_alphabet, "--alphabet"),
                                (data.structure, structure_alphabet, "--structure-alphabet")):
        try:
            if spec is not None:
                parse(spec)  # letters repeated or unusable: seen in the command line, refused before any file
        except ParamError as error:
            raise OptionValueError(str(error) if str(error).startswith(option) else f"{option}: {error}") from None
    paths = data.fasta
    if not paths:
        raise ParamError("give at least one FASTA file")
    check_distinct_files(paths, data.background, REGRESSION_FILES if data.task == "regression" else CLASS_FILES)
    if data.multi_label and len(paths) != 1:
        raise ParamError(f"--multi-label reads one FASTA file with labels in its headers, received {len(paths)}")
    from .background import check_background_options
    from .genome import check_genome_options

    check_genome_options(data.genome, paths, data.structure)
    check_background_options(data.background, data.shuffle_k, data.background_ratio, data.genome, data.multi_label,
                             data.task)
    if data.background is not None and (data.tracks or data.feature_files or data.structure):
        raise OptionValueError("--background makes plain sequence records; it does not go with --features, --track "
                         "or --structure-alphabet")
    if not data.multi_label and data.task != "regression" and len(paths) + (data.background is not None) < 2:
        if paths[0] != "-" and not Path(paths[0]).exists():  # a typo in the one file's name is the first thing to say
            raise InputError(f"{paths[0]}: no such file")
        raise InputError(
            f"{display_name(paths[0])}: one FASTA file means a single class; give one FASTA file per class "
            "(at least two), or use --multi-label with class indices in the headers (values to regress on are "
            "train's, with --task regression)"
        )
    if data.structure_pwm and not data.structure:
        raise OptionValueError("--structure-pwm needs --structure-alphabet (the letters of the PWM rows)")
    return ("pwm" if data.structure_pwm else "letters") if data.structure else None


def _refuse_identical_files(files: list, codes: np.ndarray, structure, length: int | None = None,
                            regression: bool = False) -> None:
    """Refuse two input files of the same records (sequences, and structures, in the same order): a copy of a class.

    :func:`check_distinct_files` finds a file given twice by its path; a copy, or a file read once from
    standard input and again from its path, is found by its records. ``codes`` holds the files' records one
    file after the other (slices of it are hashed: no copy).
    """
    seen = {}
    end = 0
    for input_file in files:
        start, end = end, end + len(input_file)
        digest = records_sha256(codes[start:end], None if structure is None else structure[start:end])
        if digest in seen:
            raise identical_files_error(seen[digest].source, input_file.source, length, regression)
        seen[digest] = input_file


def identical_files_error(first, second, length: int | None = None, regression: bool = False) -> InputError:
    """The error for two input files of the same records (``length``: the same windows of ``--length``), files of
    classes or (``regression``) parts of one regression set."""
    same = (f"the same windows of --length {length} (records that differ only outside them)" if length
            else "the same records (a copy of one file?)")
    what = "one part of the regression set" if regression else "one class"
    return InputError(f"{display_name(first)} and {display_name(second)} hold {same}: each FASTA file is {what}; "
                      "give each its own records")


def records_sha256(*arrays) -> str:
    """SHA-256 of arrays (None skipped): what a file read once, standard input, is compared by on ``--resume``."""
    digest = hashlib.sha256()
    for array in arrays:
        if array is not None:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
    return digest.hexdigest()


#: Why :func:`check_distinct_files` refuses a file given twice, for labelled inputs.
CLASS_FILES = "each FASTA file is one class, read once; give each class its own file"
#: The same, for the parts of a regression set (``train --task regression``).
REGRESSION_FILES = "each FASTA file is one part of the regression set, read once; give each part once"


def check_distinct_files(paths, background, why: str = CLASS_FILES) -> None:
    """Refuse a file given twice (two classes of identical records, or a file whose records count twice), and
    standard input (``-``) given twice (a usage error: the second reader would find it empty); ``why`` ends the
    message."""
    refuse_stdin_twice(paths)
    named = list(paths)
    if background is not None and background not in GENERATED_BACKGROUNDS:
        named.append(background)
    repeated = repeated_file(named)
    if repeated:
        first, second = repeated
        what = (f"{display_name(first)} is given twice" if Path(first) == Path(second) else
                f"{display_name(first)} and {display_name(second)} are the same file")
        raise InputError(f"{what}: {why}")


def _common_length(files: list, structure_mode: str | None, model_length: int | None = None) -> int:
    """The one length of every sequence (without ``--length``); refuses the first that differs.

    With ``model_length`` every record must have that length (the model's), and the message says so.
    """
    if structure_mode is not None:
        for input_file in files:
            for record in input_file.pending:
                if not record.lines:
                    raise InputError(f"{record.where()}: empty record")
    length = int(files[0].lengths[0]) if model_length is None else model_length
    for input_file in files:
        wrong = np.flatnonzero(input_file.lengths != length)
        if wrong.size:
            row = int(wrong[0])
            # A character that is no sequence letter (a GenBank-style position number) changes a length too: name it.
            for suspect_file, suspect_row in ((files[0], 0), (input_file, row)):
                _refuse_non_letters(suspect_file, suspect_row, structure_mode)
            found = f"{input_file.where(row)}: sequence length {int(input_file.lengths[row])} differs from {length}"
            if model_length is not None:
                raise InputError(f"{found}; the model takes this length only (it does not crop or pad); give "
                                 "sequences of that length")
            raise InputError(f"{found} ({files[0].where(0)}); sequences must be equally long, or pass --length N "
                             "to centre-crop/pad them")
    return length


def _refuse_non_letters(input_file: _InputFile, row: int, structure_mode) -> None:
    """Refuse record ``row`` of ``input_file`` if its sequence holds a character that is no letter (a digit, say).

    Raises
    ------
    InputError
        Names the record, the character and its position.
    """
    letters = b""
    if structure_mode is None:
        index = row
        for block in input_file.pending:
            if index < len(block):
                letters = block.sequence(index)
                break
            index -= len(block)
    elif input_file.pending[row].lines:
        letters = input_file.pending[row].lines[0]
    refuse_non_letters(letters, input_file.where(row))


def _add_tracks(dataset: Dataset, tracks, files: list, length: int) -> None:
    """Read the position-wise tracks (one file per FASTA file) into ``dataset.tracks``."""
    columns, names = [], []
    for name, track_paths in check_tracks(tracks):
        if len(track_paths) != len(files):
            raise ParamError(
                f"--track {name}: give one file per FASTA file ({len(files)}), received {len(track_paths)}"
            )
        columns.append(np.concatenate([read_track(track_path, input_file.ids(), input_file.lengths, length)
                                       for track_path, input_file in zip(track_paths, files)]))
        names.append(name)
    dataset.tracks = np.stack(columns, axis=-1)
    dataset.track_names = names
