"""The scores of a ``motifnet variants`` run kept in its output folder, so that a stopped or killed run continues.

Scoring a large VCF with ``--null`` takes hours; a batch system's SIGTERM, or its SIGKILL at the end of the time
limit, lost all of it. :func:`motifnet.interpret.variants.score_variants` scores the SNVs chunk by chunk; this
keeps each chunk's scores in ``OUT_DIR/.variants.resume/``: ``key.json`` (what the scores depend on besides the
windows: the motifnet version, the model's weights, window length and offset, ``--null``, ``--seed``; the
chunks' sizes follow from them) and ``rows-FIRST.npz`` files (each holding the scores of consecutive chunks,
written at most every :data:`SAVE_SECONDS` and at a stop). Each chunk is kept with the SHA-256 of its SNVs and
their windows, so a rerun takes a chunk's scores only where the VCF and the genome give the same windows there: a
changed VCF, genome or option is scored again, never mixed in. The folder goes once the run's files are written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import zipfile
from pathlib import Path

import numpy as np

from .._io import is_partial, write_json, write_npz
from .._version import __version__

log = logging.getLogger("motifnet")

RESUME_FOLDER = ".variants.resume"
KEY_FILE = "key.json"
_ROWS = re.compile(r"rows-(\d{12})\.npz")
#: Seconds between two saves while scoring: a run killed outright (SIGKILL) scores at most this much again.
SAVE_SECONDS = 60.0
#: The arrays of a chunk, in the order :func:`motifnet.interpret.variants.score_variants` hands them over.
ARRAYS = ("ref", "alt", "ref_logits", "alt_logits", "p_values")
_FORMAT = 1


def remove_kept_scores(out) -> None:
    """Remove the scores kept in ``out`` (the run's files are written, or they are of another model or options):
    this module's files only, then their folder if that leaves it empty."""
    folder = Path(out) / RESUME_FOLDER
    if not folder.is_dir() or folder.is_symlink():
        return
    try:
        for path in folder.iterdir():
            if (path.name == KEY_FILE or _ROWS.fullmatch(path.name) or is_partial(path.name)) and path.is_file():
                path.unlink(missing_ok=True)
    except OSError as error:  # the results are written: a folder that cannot be emptied is no failure of the run
        log.warning("%s: cannot remove the kept scores (%s); remove the folder by hand", folder,
                    error.strerror or error)
        return
    try:
        folder.rmdir()
    except OSError:  # something else was put there: it stays
        pass


def check_resume_folder(out) -> None:
    """Refuse, before any work, an ``OUT_DIR/.variants.resume`` that is not a plain folder (a file, a symbolic link):
    the first save there failed after a minute of work, or kept scores where no rerun looked for them.

    Raises
    ------
    ParamError
        Naming it and what to do.
    """
    from ..errors import ParamError

    folder = Path(out) / RESUME_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        what = "a symbolic link" if folder.is_symlink() else "a file"
        raise ParamError(f"{folder}: {what}, not a folder of motifnet's; variants keeps the scores of a stopped run "
                         "there: move it away")


def weights_digest(model) -> str:
    """SHA-256 of the model's weights (shapes and values): a retrained model's scores are not taken."""
    digest = hashlib.sha256()
    for weight in model.weights:
        value = np.ascontiguousarray(np.asarray(weight.numpy()))
        digest.update(f"{weight.path}{value.shape}{value.dtype}".encode())
        digest.update(value.tobytes())
    return digest.hexdigest()


class VariantCheckpoint:
    """The kept scores of the chunks of one ``variants`` output folder (see the module's description).

    Parameters
    ----------
    out : path
        The output folder (held by the run: :func:`motifnet.workflows._output.locked_output_folder`).
    key : dict
        What the scores depend on besides the windows (JSON values). Kept scores of another key are not used, and
        not removed before this run saves scores of its own (a rerun with a mistyped option, or of another run
        folder, that is stopped at once keeps them).
    """

    def __init__(self, out, key: dict):
        self.folder = Path(out) / RESUME_FOLDER
        self.key = {"format": _FORMAT, "motifnet": __version__, **key}
        self._kept: dict = {}  # chunk's first row -> (digest, arrays)
        self._pending: list = []  # (first, digest, arrays) scored since the last save
        self._last_save = time.monotonic()
        self._stale = False  # the folder holds scores of another key, replaced at the first save
        self._failed = False  # a save failed (a full disk): the run goes on without keeping scores
        self.reused = 0  # SNVs whose kept scores were taken
        self.saved = 0  # SNVs scored and saved by this run
        self._load()

    @property
    def kept_snvs(self) -> int:
        """SNVs with kept scores (found at the start), whether or not their windows are still the same."""
        return sum(len(arrays[0]) for _, arrays in self._kept.values())

    def take(self, first: int, digest: str):
        """The kept arrays (:data:`ARRAYS`) of the chunk starting at row ``first``, or None when there are none or
        they are of other SNVs or windows."""
        kept = self._kept.get(first)
        if kept is None or kept[0] != digest:
            return None
        self.reused += len(kept[1][0])
        return kept[1]

    def add(self, first: int, digest: str, arrays) -> None:
        """Keep a scored chunk; saved with those before it once :data:`SAVE_SECONDS` have passed since the last save."""
        self._pending.append((first, digest, tuple(np.asarray(array) for array in arrays)))
        if time.monotonic() - self._last_save >= SAVE_SECONDS:
            self.save()

    def save(self) -> int:
        """Save the chunks scored since the last save (one ``rows-FIRST.npz``); returns their SNVs.

        A save that fails (a full disk, a quota) is said once as a warning: the scores are all in memory, so the run
        goes on, without keeping any more (a stop then keeps none of them).
        """
        self._last_save = time.monotonic()
        if not self._pending or self._failed:
            return 0
        pending, self._pending = self._pending, []
        try:
            self._write(pending)
        except OSError as error:
            self._failed = True
            log.warning("%s: cannot keep the scores of a stopped run there (%s); scoring goes on without keeping "
                        "them", self.folder, error.strerror or error)
            return 0
        for first, digest, chunk in pending:
            self._kept[first] = (digest, chunk)
        saved = sum(len(chunk[2][0]) for chunk in pending)
        self.saved += saved
        return saved

    def _write(self, pending: list) -> None:
        if self._stale:  # the scores of another model or other options go once this run has scores to keep
            remove_kept_scores(self.folder.parent)
            self._stale = False
        self.folder.mkdir(exist_ok=True)
        if not (self.folder / KEY_FILE).is_file():
            write_json(self.folder / KEY_FILE, self.key)
        arrays = {name: np.concatenate([chunk[2][index] for chunk in pending]) for index, name in enumerate(ARRAYS)}
        write_npz(self.folder / f"rows-{pending[0][0]:012d}.npz",
                  {"firsts": np.array([chunk[0] for chunk in pending], dtype=np.int64),
                   "sizes": np.array([len(chunk[2][0]) for chunk in pending], dtype=np.int64),
                   "digests": np.array([chunk[1] for chunk in pending]), **arrays})

    def _load(self) -> None:
        if not self.folder.is_dir() or self.folder.is_symlink():
            return
        try:
            key = json.loads((self.folder / KEY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            key = None
        if key != self.key:
            if isinstance(key, dict):
                differ = sorted(name for name in set(key) | set(self.key) if key.get(name) != self.key.get(name))
                log.warning("%s: scores kept by a stopped run of another %s; not used, and replaced once this run "
                            "keeps scores of its own", self.folder, ", ".join(
                                {"model": "model (weights)", "motifnet": "motifnet version"}.get(name, name)
                                for name in differ))
            self._stale = True
            return
        for path in sorted(self.folder.iterdir()):
            if _ROWS.fullmatch(path.name):
                self._read(path)

    def _read(self, path: Path) -> None:
        """Take the chunks of one saved file; a damaged one (a disk full while it was renamed) is scored again."""
        try:
            with np.load(path, allow_pickle=False) as data:
                firsts, sizes, digests = data["firsts"], data["sizes"], data["digests"]
                arrays = [data[name] for name in ARRAYS]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            log.warning("%s: cannot be read; its SNVs are scored again", path)
            return
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        if bounds[-1] != len(arrays[0]) or any(len(array) != bounds[-1] for array in arrays):
            log.warning("%s: its arrays disagree in length; its SNVs are scored again", path)
            return
        for index, (first, digest) in enumerate(zip(firsts.tolist(), digests.tolist())):
            self._kept[first] = (digest, tuple(array[bounds[index]:bounds[index + 1]] for array in arrays))
