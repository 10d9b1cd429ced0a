"""Streaming prediction: FASTA in, one TSV row per record out, memory bounded by the chunk size."""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import stat
import threading
from dataclasses import dataclass, field

import numpy as np

from .._progress import Progress
from .._signals import check_stop
from ..data.dataset import Dataset
from ..data.encoding import fit_length
from ..data.fasta import display_name, iter_fasta_blocks, read_fasta, refuse_stdin_twice
from ..data.features import (
    FeatureSpec,
    check_categories,
    check_feature_names,
    check_feature_row,
    check_track_record,
    check_tracks,
    encode_features,
    iter_feature_rows,
    iter_track_values,
)
from ..data.genome import Genome, check_genome_options, is_bed_path, iter_bed_blocks, parse_window_id
from ..data.letters import warn_foreign_letters
from ..errors import InputError, OptionValueError, ParamError
from .fold_new_inputs import folded_as_trained
from .rundir import Run

log = logging.getLogger("motifnet")


@dataclass
class PredictConfig:
    """What ``motifnet predict`` was asked to do.

    Attributes
    ----------
    fasta : list of str
        Input files (``-`` for standard input), predicted in order.
    batch_size : int
        Records per forward pass. Default is 256.
    chunk_batches : int
        Batches read and encoded at a time; bounds memory. Default is 16.
    features : list of str
        Per-sequence feature files, one per FASTA file (when the model was trained with them).
    tracks : list of (str, list of str)
        Position-wise tracks (when the model was trained with them): each track's name and its
        files, one per FASTA file.
    genome : str or None
        Genome FASTA of BED inputs (``.bed``, ``.narrowPeak``): each BED line is predicted as the
        window of the model's length around its summit or centre. Default is None.
    labels : list of str
        How progress names each file (folding, in runs trained with ``--fold``). Default: their paths.
    """

    fasta: list
    batch_size: int = 256
    chunk_batches: int = 16
    features: list = field(default_factory=list)
    tracks: list = field(default_factory=list)
    genome: str | None = None
    labels: list = field(default_factory=list)

    @property
    def bed_input(self) -> bool:
        """Whether some inputs are BED files (read through ``genome``)."""
        return any(is_bed_path(path) for path in self.fasta)


def _check_inputs(run: Run, config: PredictConfig) -> dict:
    data_meta = run.meta["data"]
    if config.batch_size < 1:
        raise OptionValueError(f"--batch-size must be a positive integer, received: {config.batch_size}")
    refuse_stdin_twice(config.fasta)
    trained_tracks = list(data_meta.get("tracks", []))
    tracks = dict(check_tracks(config.tracks))
    if sorted(tracks) != sorted(trained_tracks):
        if not trained_tracks:
            raise ParamError(f"the model was trained without --track; leave out --track {', '.join(tracks)}")
        raise ParamError(
            f"the model was trained with tracks [{', '.join(trained_tracks)}]; give exactly these with "
            f"--track NAME=FILE (received [{', '.join(tracks)}])"
        )
    for name, files in tracks.items():
        if len(files) != len(config.fasta):
            raise ParamError(f"--track {name}: give one file per FASTA file ({len(config.fasta)})")
    if bool(data_meta.get("features")) != bool(config.features):
        raise ParamError(
            "the model was trained with per-sequence features; give them with --features (one file per "
            "FASTA file)" if data_meta.get("features") else "the model was trained without --features"
        )
    if config.features and len(config.features) != len(config.fasta):
        raise ParamError(f"give one --features file per FASTA file ({len(config.fasta)})")
    check_genome_options(config.genome, config.fasta, run.dataset_encoder.structure_mode, genome_for_bed_only=True)
    if config.bed_input and (trained_tracks or config.features):
        raise ParamError("BED input gives plain sequence windows; the model was trained with --features or --track")
    return tracks


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _file_stream(run: Run, path: str, tracks: dict, track_order: list, feature_path: str | None, file_index,
                 feature_spec: FeatureSpec | None = None):
    """Yield (record, track values per track, feature row) for each record of one FASTA file.

    Each feature row is checked as ``train`` checks it (columns, finite numbers), and the file must have
    one row per record.
    """
    encoder = run.dataset_encoder
    track_iters = [iter_track_values(tracks[name][file_index], encoder.length) for name in track_order]
    feature_iter = None
    if feature_path is not None:
        feature_iter = iter_feature_rows(feature_path)
        check_feature_names(feature_spec, next(feature_iter), feature_path)
    for record in read_fasta(path):
        values = []
        for name, iterator in zip(track_order, track_iters):
            try:
                track_record, track_values = next(iterator)
            except StopIteration:
                raise InputError(f"--track {name}: has fewer records than {display_name(path)}") from None
            sequence_length = len(b"".join(record.lines)) if encoder.structure_mode is None else len(record.lines[0])
            check_track_record(track_record, track_values, record.id, sequence_length)
            values.append(fit_length(track_values, encoder.length))
        row = None
        if feature_iter is not None:
            try:
                line_number, row = next(feature_iter)
            except StopIteration:
                raise InputError(f"{feature_path}: has fewer lines than {display_name(path)} has records") from None
            where = f"{display_name(feature_path)}, line {line_number}"
            check_feature_row(feature_spec.names, feature_spec.categorical, row, where)
            if feature_spec.categorical:
                check_categories(feature_spec, row, where)
        yield record, values, row
    if feature_iter is not None and next(feature_iter, None) is not None:
        raise InputError(f"{display_name(feature_path)}: has more lines than {display_name(path)} has records; give "
                         "one line per record, in the same order")


def encoded_chunks(run: Run, config: PredictConfig, tracks: dict):
    """Yield ``(ids, compact arrays, share)`` chunk by chunk over all input files, in input order.

    The arrays are the model's inputs, and for sequence-only runs ``lengths``, the records' own lengths before
    the encoder's crop or pad (not an input).

    ``share`` is the share of the input's bytes read so far (0 to 1), where every input is a FASTA file
    read by the bulk reader (sequence-only runs); None otherwise (standard input, pipes, BED, folded,
    track or feature inputs).
    """
    encoder = run.dataset_encoder
    data_meta = run.meta["data"]
    track_order = list(data_meta.get("tracks", []))
    if encoder.structure_mode is None and not track_order and not data_meta.get("features"):
        # Sequence-only: the bulk reader, blocks of about chunk_bytes of FASTA.
        # At most 256 MB: a file is read in blocks of this size, and Python sets a block's memory aside before reading.
        chunk_bytes = min(max(1 << 23, config.batch_size * config.chunk_batches * encoder.length), 1 << 28)
        sizes = _file_sizes(config.fasta)
        # bytes of the files before each one, and in all
        before = None if sizes is None else [0, *itertools.accumulate(sizes)]
        with Genome(config.genome) if config.genome else contextlib.nullcontext() as genome:
            for file_index, path in enumerate(config.fasta):
                if genome is not None and is_bed_path(path):
                    blocks = iter_bed_blocks(path, genome, encoder.length, config.batch_size * config.chunk_batches)
                else:
                    blocks = iter_fasta_blocks(path, chunk_bytes)
                for number, block in enumerate(blocks):
                    if number == 0:  # the first block (up to chunk_bytes) tells the alphabet well enough
                        warn_foreign_letters(encoder.alphabet, np.bincount(block.letters, minlength=256),
                                             display_name(path))
                    share = None
                    if before is not None and block.bytes_read is not None:
                        share = (before[file_index] + block.bytes_read) / max(before[-1], 1)
                    codes = encoder.encode_letters(block.letters, block.lengths, block.where)
                    yield block.ids(), {"codes": codes, "lengths": block.lengths}, share
        return
    feature_spec = FeatureSpec.from_json(data_meta["features"]) if data_meta.get("features") else None
    chunk_size = config.batch_size * config.chunk_batches
    # A run trained with ``train --fold`` folds plain FASTA itself, as its inputs were folded.
    with folded_as_trained(run, config.fasta, config.labels or None) as fasta:
        for file_index, path in enumerate(fasta):
            feature_path = config.features[file_index] if config.features else None
            stream = _file_stream(run, path, tracks, track_order, feature_path, file_index, feature_spec)
            for number, chunk in enumerate(_chunks(stream, chunk_size)):
                if number == 0:
                    sequence_lines = slice(None) if encoder.structure_mode is None else slice(0, 1)
                    letters = b"".join(line for item in chunk for line in item[0].lines[sequence_lines])
                    warn_foreign_letters(encoder.alphabet, np.bincount(np.frombuffer(letters, dtype=np.uint8),
                                                                       minlength=256), display_name(path))
                encoded = encoder.encode([item[0] for item in chunk])
                arrays = {"codes": encoded.codes, "structure": encoded.structure}
                if track_order:
                    arrays["tracks"] = np.stack([np.stack(item[1], axis=-1) for item in chunk])
                if feature_spec is not None:
                    arrays["features"] = encode_features(feature_spec, [item[2] for item in chunk])
                yield encoded.ids, arrays, None


def _file_sizes(paths) -> list | None:
    """The sizes in bytes of ``paths`` where all are FASTA files on disk (not ``-``, a pipe or BED); else None."""
    sizes = []
    for path in paths:
        if str(path) == "-" or is_bed_path(path):
            return None
        try:
            status = os.stat(path)
        except OSError:  # the reader says what is wrong with it
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        sizes.append(status.st_size)
    return sizes


#: Seconds between looks at the stop flag while the next chunk is read (standard input may stall).
_WAIT_STEP = 0.2


def _read_ahead(chunks):
    """Yield the items of ``chunks``, each read by a helper thread while the one before is used.

    The thread reads an item only once the one before has been taken, so at most two are held.
    It is a daemon, and the wait for an item looks at the stop flag every :data:`_WAIT_STEP`
    seconds: a signal while standard input stalls (a producer that writes nothing) stops at once,
    and the process can end while the thread still waits for input. An error in the thread is
    raised here.

    Raises
    ------
    StopRequested
        A signal asked to stop while an item was awaited.
    """
    slot = queue.Queue()
    wanted = threading.Semaphore(1)
    done = threading.Event()

    def read():
        try:
            iterator = iter(chunks)
            while not done.is_set():
                if not wanted.acquire(timeout=_WAIT_STEP):
                    continue
                item = next(iterator, slot)  # the queue itself marks the end
                slot.put(("end", None) if item is slot else ("item", item))
                if item is slot:
                    return
        except BaseException as error:  # noqa: BLE001 - raised again in the thread that takes the items
            slot.put(("error", error))

    threading.Thread(target=read, name="motifnet-read-ahead", daemon=True).start()
    try:
        while True:
            try:
                kind, value = slot.get(timeout=_WAIT_STEP)
            except queue.Empty:
                check_stop()
                continue
            if kind == "error":
                raise value
            if kind == "end":
                return
            wanted.release()  # the next item is read while this one is used
            yield value
    finally:
        done.set()


def _stream_predictions(run: Run, chunks, batch_size: int):
    """Yield ``(ids, probabilities, share)`` chunk by chunk, in input order (``share`` as in :func:`encoded_chunks`).

    A helper thread reads and encodes the next chunk while the model predicts the current
    one (TensorFlow releases the interpreter lock while it computes); one-hot input is made
    per batch inside the tf.data pipeline, so memory holds only two chunks of compact codes.
    """
    model = run.model
    encoder = run.dataset_encoder
    for ids, arrays, share in _read_ahead(chunks):
        check_stop()  # a signal: the chunks yielded so far are whole; no further one is predicted
        inputs = {name: value for name, value in arrays.items() if name != "lengths"}  # the records', not inputs
        yield ids, predict_encoded(model, encoder, inputs, batch_size), share


def predict_chunks(run: Run, config: PredictConfig):
    """Yield ``(ids, values)`` for the records of the FASTA files, chunk by chunk, in input order.

    ``values`` has shape=(records, outputs): class probabilities, or target values in the
    targets' units for regression models. Progress goes to standard error every 10 s.

    Raises
    ------
    InputError, ParamError
        Records that do not fit the model's alphabet, length or inputs.
    """
    tracks = _check_inputs(run, config)
    progress = Progress("predicting")
    for ids, values, share in _stream_predictions(run, encoded_chunks(run, config, tracks), config.batch_size):
        yield ids, values
        progress.advance(len(ids), share)


def tsv_rows(ids, values: np.ndarray) -> str:
    """Rows ``id<TAB>value...``, one per record, each ending in a line break.

    Nine significant digits, which read back as the model's float32 values: six printed every value of a
    regression target near 1,000,000 as 1.00001e+06, and every probability above 0.9999995 as 1.
    """
    if not len(ids):
        return ""
    columns = [[format(v, ".9g") for v in column] for column in values.astype(np.float64).T.tolist()]
    return "\n".join(map("\t".join, zip(ids, *columns))) + "\n"


def write_predictions(run: Run, config: PredictConfig, handle) -> int:
    """Write ``motifnet predict``'s table to the text ``handle``; return the number of records.

    The table is tab-separated: ``id`` (the first word of the header), for BED input ``chrom``,
    ``start`` and ``end`` of the window, then one column per class or target
    (:attr:`Run.output_names`), one row per record in input order, written a chunk at a time.
    The column names go out with the first chunk, so input refused before any record was
    predicted leaves nothing on standard output.
    """
    count = 0
    hashes = []  # of the ids, to find repeated ids at the end: 8 bytes a record, not the ids themselves
    for ids, values in predict_chunks(run, config):
        if not count:
            coordinates = "chrom\tstart\tend\t" if config.bed_input else ""
            handle.write("id\t" + coordinates + "\t".join(run.output_names) + "\n")
        hashes.append(np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids)))
        if config.bed_input:
            ids = [_with_coordinates(identifier) for identifier in ids]
        handle.write(tsv_rows(ids, values))
        count += len(ids)
    warn_repeated_ids(np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64))
    return count


def warn_repeated_ids(keys: np.ndarray) -> None:
    """Warn when records share an id (rows of a table stay in input order, but a join by id is ambiguous).

    ``keys``: the records' ids, or hashes of them, in input order.
    """
    from ..data.dataset import first_repeat

    repeat = first_repeat(keys)
    if repeat is None:
        return
    earlier, later, repeated = repeat
    log.warning("records %d and %d (in input order) have the same id, and %d id(s) occur more than once: the rows "
                "are in input order, but a table joined by id will be ambiguous; give the records distinct ids",
                earlier + 1, later + 1, repeated)


def _with_coordinates(identifier: str) -> str:
    """``id<TAB>chrom<TAB>start<TAB>end`` of a window id (empty coordinates for other records)."""
    window = parse_window_id(identifier)
    if window is None:
        return identifier + "\t\t\t"
    return f"{identifier}\t{window.chrom}\t{window.start}\t{window.end}"


def predict_encoded(model, encoder, arrays: dict, batch_size: int) -> np.ndarray:
    """Run ``model`` over compact encoded records, ``batch_size`` at a time: the one prediction path.

    Float input is made batch by batch inside the tf.data pipeline, and Keras' compiled predict
    loop runs the batches, so no Python runs per batch but a check for a stop request before each
    (:class:`motifnet._signals.StopRequested` is raised once a signal asked to stop).

    Parameters
    ----------
    model : keras.Model
    encoder : Encoder
        The encoder of the records (and of the model's training data).
    arrays : dict
        ``codes``, shape=(n, length), and, where the model uses them, ``structure``, ``tracks``,
        ``features`` (see :func:`motifnet.data.pipeline.make_tf_dataset`); None values are ignored.
    batch_size : int

    Returns
    -------
    numpy.ndarray, shape=(n, outputs)
        The model's outputs, in record order.
    """
    from ..data.pipeline import make_tf_dataset
    from .fit import stop_at_signal_callback

    if len(arrays["codes"]) == 0:
        return np.zeros((0, model.outputs[0].shape[-1]), dtype=np.float32)
    # A signal stops the prediction before its next batch (a chunk of a large file is one call).
    return model.predict(make_tf_dataset(encoder, arrays, None, batch_size), verbose=0,
                         callbacks=[stop_at_signal_callback()])


def predict_arrays(model, dataset: Dataset, index: np.ndarray, batch_size: int) -> np.ndarray:
    """Model outputs for the records ``index`` of ``dataset`` (see :func:`predict_encoded`).

    Parameters
    ----------
    model : keras.Model
    dataset : Dataset
    index : numpy.ndarray of int
    batch_size : int

    Returns
    -------
    numpy.ndarray, shape=(len(index), outputs)
    """
    from ..data.pipeline import dataset_arrays

    return predict_encoded(model, dataset.encoder, dataset_arrays(dataset, index), batch_size)
