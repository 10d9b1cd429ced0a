"""New plain FASTA for a run trained with ``train --fold``: folded as the run's inputs were.

``predict``, ``activations``, ``visualize-kernels`` and ``attribute`` read sequence+structure
records for such a run; plain sequence records are folded first (ViennaRNA, the run's fold
options) into a temporary folder that is removed afterwards. Input that already carries the
structure lines is read as it is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import shutil
import tempfile
from pathlib import Path

from ..data.encoding import Encoder
from ..data.fasta import display_name, read_fasta, stdin_binary
from ..data.folding import CONTEXTS, FoldOptions, fold_file, structure_line
from ..errors import InputError, ParamError, RunDirError
from . import rundir
from .rundir import Run

log = logging.getLogger("motifnet")

#: Where ``motifnet.json`` records the folding options of ``train --fold`` (``jobs`` left out).
META_KEY = "fold"


def fold_settings(options: FoldOptions) -> dict:
    """The folding options as recorded in ``motifnet.json`` and ``folded/sources.json``."""
    return {key: value for key, value in dataclasses.asdict(options).items() if key != "jobs"}


def run_fold_options(run: Run) -> FoldOptions | None:
    """How the run's inputs were folded, or None for a run not trained on FHIMST contexts.

    Read from ``motifnet.json`` (``fold``); runs written before it was recorded fall back to
    ``folded/sources.json``, then to the structure input: ``FHIMST`` letters (context) or
    probabilities (profile), folded with the defaults of ``motifnet fold``.

    Raises
    ------
    RunDirError
        Recorded options that are not valid folding options.
    """
    options = recorded_fold_options(run)
    if options is not None:
        return options
    encoder = run.dataset_encoder
    if encoder.structure is None or encoder.structure.letters != CONTEXTS:
        return None
    return FoldOptions(format="profile" if encoder.structure_mode == "pwm" else "context")


def recorded_fold_options(run: Run) -> FoldOptions | None:
    """The folding options of a run trained with ``train --fold``, or None for any other run.

    Unlike :func:`run_fold_options`, options are never guessed from the structure input: None
    means the run's structure (if any) was given in its input, folded with options it did not record.

    Raises
    ------
    RunDirError
        Recorded options that are not valid folding options.
    """
    settings = run.meta.get(META_KEY)
    if settings is None:
        settings = _settings_from_manifest(run.path)
    if settings is None:
        return None
    try:
        return FoldOptions(**settings)
    except (TypeError, ParamError) as error:
        raise RunDirError(f"{run.path}: the folding options in {rundir.META} are damaged ({error}); "
                          "train again with --fold") from None


def _settings_from_manifest(run_path) -> dict | None:
    manifest = Path(run_path) / rundir.FOLDED / "sources.json"
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        settings = next(iter(entries.values()))["settings"]
    except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
        return None
    return settings if isinstance(settings, dict) else None


def carries_structure(path, encoder: Encoder) -> bool:
    """Whether the first record of ``path`` has the structure lines ``encoder`` reads.

    Plain records (a sequence, on one or more lines) do not: their lines after the first
    are not of the structure alphabet (letters) or not rows of numbers (probabilities).
    """
    records = read_fasta(path)
    try:
        record = next(records)
    finally:
        records.close()
    try:
        _, structure = encoder.split_body(record)
    except InputError:
        return False
    if encoder.structure_mode == "letters":
        letters = encoder.structure.letters
        return set(structure.decode("ascii", errors="replace")) <= set(letters + letters.lower())
    return True


def _checked_count(paths, encoder: Encoder) -> int:
    """The records of the plain files ``paths``, each checked as the model will read it once folded: a letter
    the model does not take (a T for an RNA model, a U for a DNA one) or a length it does not take is refused
    before any record is folded, not after all of them (a record already folded is left to the folding's own
    message)."""
    count = 0
    for path in paths:
        for record in read_fasta(path):
            if structure_line(record.lines) is None:
                encoder.check_sequence(record)
            count += 1
    return count


@contextlib.contextmanager
def folded_as_trained(run: Run, fasta, labels=None):
    """Yield ``fasta`` with each plain file replaced by a temporary copy folded as the run's inputs were.

    Runs not trained on folded input, and files that carry the structure lines, are given back
    unchanged. Standard input (``-``) is read once into the temporary folder. The folder is
    removed when the block ends.

    Parameters
    ----------
    run : Run
        The opened run folder.
    fasta : list of str
        FASTA files, ``-`` for standard input.
    labels : list of str or None
        How progress names each file. Default is None: its path.

    Yields
    ------
    list of str
        The files to read, in the order of ``fasta``.

    Raises
    ------
    InputError
        Unreadable input or records that are not nucleotide sequences (see
        :func:`motifnet.data.folding.fold_file`). An input error raised within the block about a
        folded copy, and a message logged within it, names the user's file (``FILE (folded)``), not the
        temporary one.
    """
    fasta = [str(path) for path in fasta]
    options = run_fold_options(run) if run.dataset_encoder.structure is not None else None
    if options is None:
        yield fasta
        return
    with tempfile.TemporaryDirectory(prefix="motifnet-fold-") as temp:
        folder = Path(temp)
        readable = [_stdin_copy(folder) if path == "-" else path for path in fasta]
        plain = [index for index, path in enumerate(readable)
                 if not carries_structure(path, run.dataset_encoder)]
        copies = {readable[index]: display_name("-") for index, path in enumerate(fasta) if path == "-"}
        try:  # a refused record of standard input is named so, not by its temporary copy
            if plain:
                count = _checked_count([readable[index] for index in plain], run.dataset_encoder)
                log.info("folding %d records with ViennaRNA (%s), as the run was trained", count, options.format)
            for index in plain:
                target = folder / f"{index}-{Path(fasta[index]).name if fasta[index] != '-' else 'stdin'}"
                fold_file(readable[index], target, options, label=labels[index] if labels else None, scratch=True)
                readable[index] = str(target)
        except InputError as error:
            raise InputError(_replaced(str(error), copies)) from None
        shown = {path: f"{display_name(fasta[index])} (folded)" for index, path in enumerate(readable)
                 if path != fasta[index]}

        def users_names(message: str) -> str:
            return _replaced(message, shown)

        def in_users_names(record: logging.LogRecord) -> bool:
            record.msg, record.args = users_names(record.getMessage()), ()
            return True

        log.addFilter(in_users_names)  # warnings (repeated ids, foreign letters) name the user's files too
        try:
            yield readable
        except InputError as error:
            raise InputError(users_names(str(error))) from None
        finally:
            log.removeFilter(in_users_names)


def _replaced(message: str, names: dict) -> str:
    """``message`` with each path of ``names`` replaced by the name the user knows it by."""
    for path, name in names.items():
        message = message.replace(path, name)
    return message


def _stdin_copy(folder: Path) -> str:
    path = folder / "stdin.fa"
    with open(path, "wb") as handle:
        shutil.copyfileobj(stdin_binary(), handle)
    return str(path)
