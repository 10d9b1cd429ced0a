"""Small file helpers: atomic writes, NumPy archives and checksums."""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager, suppress
from pathlib import Path

from ._signals import cleanup_if_ended

log = logging.getLogger("motifnet")


@contextmanager
def atomic_path(path, suffix: str = ""):
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    What a plain ``open(path, "w")`` would do is kept: a symbolic link stays and its target gets the
    data; a replaced file keeps its permission bits and, where the writer may set them, its owner
    and group; a device or named pipe (``-o /dev/null``) is written to directly, as it cannot be
    half-written. ``suffix`` is kept at the end of the temporary name for writers that insist on an
    extension.
    """
    given = Path(path)
    descriptor = open_descriptor(given)
    if descriptor is not None:
        yield from _descriptor_write(given, descriptor)
        return
    path = write_target(given)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise _naming(error, path) from None
    if status is not None and not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
        try:
            yield path
        except OSError as error:  # a write error names no file (-o /dev/full): the one asked for
            if error.filename is not None or isinstance(error, BrokenPipeError):
                raise
            raise _naming(error, given) from None
        return
    if str(path) in _STAGED:
        # A temporary file of staged_outputs, handed to a writer that writes atomically itself (save_figure): its
        # own block renames or removes it. A temporary of it, killed, was named ``..NAME.*.partial.png.*.partial.png``,
        # which no later write removed.
        yield path
        return
    if path == given:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():  # a plain write through a link creates no folder either
        raise FileNotFoundError(errno.ENOENT, f"links to {path}, whose folder does not exist", str(given))
    remove_gone_partials(path, suffix)
    # The writer's pid and host in the name let a later write of ``path`` remove what a kill left (above).
    tag = f"{os.getpid()}@{_host_in_name()}."
    if len(os.fsencode(f".{path.name}.{tag}12345678.partial{suffix}")) > 255:  # a name near the system's limit
        tag = ""
    # The name is chosen before the file is created (O_EXCL), inside the block that removes it: a stop
    # (KeyboardInterrupt, a worker's SystemExit) raised just as the file appears does not leave it behind.
    tmp = None
    try:
        while True:
            tmp = str(path.parent / f".{path.name}.{tag}{secrets.token_hex(4)}.partial{suffix}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileExistsError:  # another file has that name: it is not ours to remove
                tmp = None
            except OSError as error:  # a folder we may not write to: name the file asked for
                tmp = None
                raise _naming(error, path) from None
        os.close(fd)
        _as_a_plain_write(tmp, status)
        # A second signal ends the process at once, without the clean-up below.
        ending = cleanup_if_ended(functools.partial(_remove_quietly, tmp))
        try:
            with ending:
                yield Path(tmp)
        except OSError as error:
            # A failed write (a full disk: ENOSPC) names the file asked for, not the temporary one beside it.
            if error.errno is None or error.filename not in (None, tmp, Path(tmp)):
                raise
            raise _naming(error, path) from None
        try:
            os.replace(tmp, path)
        except OSError as error:
            raise _naming(error, path) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


class _StagedError(Exception):
    """An error of a staged block, carried past :func:`atomic_path`, which would name its own file in it."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error


@contextmanager
def staged_outputs():
    """Files written in one go: yields ``stage(path, suffix="")``, which gives a temporary path beside ``path``
    (as :func:`atomic_path` does) to write in full.

    When the block ends without an error the staged files are renamed into place one after the other, in
    the order they were staged (stage last the file that lists the others, a summary: it appears last),
    which takes moments, where drawing them took long. An error, a stop
    (:class:`motifnet._signals.StopRequested`) or a second signal in the block removes every staged file,
    and the folder keeps what an earlier run wrote, not a mix of two runs. An error in the block keeps its
    own file name (one about a staged file names the file asked for, not its temporary name).
    """
    entered, finals = [], {}

    def stage(path, suffix=""):
        manager = atomic_path(path, suffix)
        tmp = manager.__enter__()
        entered.append(manager)
        finals[str(tmp)] = path
        _STAGED.add(str(tmp))
        return tmp

    try:
        try:
            yield stage
        except BaseException as error:
            raise _StagedError(error) from None
        for index, manager in enumerate(entered):  # in order: the summary, staged last, is renamed last
            try:
                manager.__exit__(None, None, None)
            except BaseException as error:
                raise _StagedError(error) from None
            finally:
                entered[index] = None
    except _StagedError as staged:
        for manager in entered:  # what is not renamed yet is removed
            if manager is not None:
                with suppress(BaseException):
                    manager.__exit__(_StagedError, staged, None)
        error = staged.error
        if isinstance(error, OSError) and str(error.filename) in finals:
            raise _naming(error, finals[str(error.filename)]) from None
        raise error from None
    finally:
        _STAGED.difference_update(finals)


#: The temporary files :func:`staged_outputs` has handed out and not yet renamed or removed: :func:`atomic_path`
#: writes these as they are (a user's own file of such a name keeps its atomic write).
_STAGED: set = set()


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


_DESCRIPTOR = re.compile(r"/dev/(?:(stdout)|(stderr)|fd/(\d+))|/proc/(self|\d+)/fd/(\d+)")


def open_descriptor(path) -> int | None:
    """The file descriptor of this process that ``path`` names: ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` or
    ``/proc/self/fd/N`` (what the shell's ``>(cmd)`` gives); None for any other path."""
    match = _DESCRIPTOR.fullmatch(os.path.normpath(str(path)))
    if match is None or match[4] not in (None, "self", str(os.getpid())):
        return None
    return 1 if match[1] else 2 if match[2] else int(match[3] or match[5])


def _descriptor_write(given: Path, descriptor: int):
    """:func:`atomic_path` for a path that names one of this process's descriptors (:func:`open_descriptor`).

    A pipe, terminal or device is opened by that name and written as it comes. A file (``-o /dev/stdout >>
    log.tsv``) gets the data through the descriptor the shell opened, once all is written to a temporary file:
    its offset and append mode are kept, where opening it again by name for writing would empty it, and a
    failure on the way leaves it as it was.
    """
    try:
        status = os.fstat(descriptor)
    except OSError as error:  # a closed descriptor (>&-): named as asked
        raise _naming(error, given) from None
    tmp = None
    try:
        if not stat.S_ISREG(status.st_mode):
            yield given
            return
        handle, tmp = tempfile.mkstemp(prefix=".motifnet-", suffix=".partial")
        os.close(handle)
        with cleanup_if_ended(functools.partial(_remove_quietly, tmp)):
            yield Path(tmp)
        with open(tmp, "rb") as source, os.fdopen(os.dup(descriptor), "wb") as target:
            shutil.copyfileobj(source, target)
    except OSError as error:  # a write error (a full disk) names the file asked for, not the temporary one
        if isinstance(error, BrokenPipeError) or error.filename not in (None, tmp, Path(tmp) if tmp else None):
            raise
        raise _naming(error, given) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def write_target(path: Path) -> Path:
    """The file a plain write to ``path`` writes: the end of a chain of symbolic links (which may not exist yet).

    Raises
    ------
    OSError
        A loop of links (ELOOP), named as ``path``.
    """
    if not os.path.islink(path):
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a link to a file not written yet: a plain write creates it
        return Path(os.path.realpath(path))
    except OSError as error:
        raise _naming(error, path) from None


def _naming(error: OSError, path: Path) -> OSError:
    """``error`` (same type and errno) about ``path``."""
    return type(error)(error.errno, error.strerror or os.strerror(error.errno), str(path))


def _as_a_plain_write(tmp: str, replaced) -> None:
    """Give ``tmp`` (created private, 0600) what ``open(path, "w")`` would leave: the permission bits of the
    file it replaces (``replaced``, an ``os.stat_result``), and its owner and group where this process may
    set them; or, for a new file, the umask's bits."""
    if replaced is None:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    for owner in ((replaced.st_uid, replaced.st_gid), (-1, replaced.st_gid)):
        try:
            os.chown(tmp, *owner)
            break
        except OSError:  # not ours to give away (not root): a plain write keeps them, we keep what we may
            continue
    # Without set-id and sticky bits, which a plain write by anyone but root clears.
    os.chmod(tmp, stat.S_IMODE(replaced.st_mode) & 0o777)


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def text_output(tmp, name):
    """A text handle (UTF-8) on the file ``tmp`` that holds the output ``name``, gzip-compressed where ``name`` ends
    in ``.gz``, as its readers will expect from the name (without a time or file name in the gzip header, so that
    the same text gives the same bytes)."""
    import gzip
    import io

    if not str(name).lower().endswith(".gz"):
        with open(tmp, "w", encoding="utf-8") as handle:
            yield handle
        return
    # level 6, gzip's own default: level 9 (GzipFile's) took twice as long for a few per cent smaller files
    with open(tmp, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as packed, \
            io.TextIOWrapper(packed, encoding="utf-8") as handle:
        yield handle


class _StandardOutput:
    """Standard output (text or bytes) whose failed writes name it (:func:`standard_output`).

    ``written`` (a class attribute): whether a command's result has gone to standard output since
    :func:`standard_output_written` last reset it, for the line a stopped command ends with.
    """

    written = False

    def __init__(self, stream):
        self._stream = stream

    def _named(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OSError(error.errno, error.strerror or str(error), "standard output") from None

    def write(self, data):
        _StandardOutput.written = _StandardOutput.written or bool(data)
        return self._named(self._stream.write, data)

    def flush(self):
        return self._named(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextmanager
def standard_output(binary: bool = False):
    """Standard output for a command's result (its binary buffer with ``binary``), flushed at the end, whose write
    errors (a full disk behind ``> file``) name standard output: the bare error said only ``No space left on
    device``. Only the writes are named so: an error of the work between them (reading an input) keeps its own
    file. A closed pipe stays a :class:`BrokenPipeError`, which ends a command quietly, as ``cat``'s ``| head``
    does."""
    import sys

    from .errors import MotifnetError

    if sys.stdout is None:  # closed by the shell (>&-): the interpreter gives no stream
        raise MotifnetError("standard output is closed (>&-), and this result is written there: leave it open, "
                            "or give -o FILE where the command has it")
    stream = _StandardOutput(sys.stdout.buffer if binary else sys.stdout)
    yield stream
    stream.flush()


def standard_output_written(reset: bool = False) -> bool:
    """Whether a result went (in part) to standard output through :func:`standard_output`; ``reset`` starts anew."""
    written = _StandardOutput.written
    if reset:
        _StandardOutput.written = False
    return written


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (:func:`atomic_path`), gzip-compressed for a name ending in
    ``.gz`` (:func:`text_output`)."""
    with atomic_path(path) as tmp, text_output(tmp, path) as handle:
        handle.write(text)


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def write_npz(path, arrays: dict, compresslevel: int = 1) -> None:
    """Write ``arrays`` to an ``.npz`` archive that :func:`numpy.load` reads, atomically, without pickle.

    Each array is deflated as it is written, at zlib level 1 by default: on one-byte sequence
    codes that is about ten times faster than :func:`numpy.savez_compressed` (level 6) for
    files about 15% larger, which matters when a million records are saved before training.
    """
    import numpy as np

    with atomic_path(path, suffix=".npz") as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
            for name, value in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)


def sha256_of_bytes(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex, as :func:`sha256` gives it for a file holding them."""
    return hashlib.sha256(data).hexdigest()


def sha256(path) -> str:
    """The SHA-256 of the file ``path`` in hex, read a block at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_folders(folder) -> list:
    """``folder`` and those of its parents that do not exist yet, deepest first (what making it will create)."""
    folder, missing = Path(folder).absolute(), []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def remove_unwritten(folder, names, written) -> list:
    """Delete the files ``names`` in ``folder`` that a command did not write again (``written``).

    A rerun calls it once its own files are written, with the names of what an earlier run of it
    wrote there: those would pass for this run's. Only ``names`` are ever removed, and only files.

    Returns
    -------
    list of pathlib.Path
        The files removed, in the order of ``names``.
    """
    folder, written, removed = Path(folder), set(written), []
    for name in dict.fromkeys(names):
        path = folder / name
        if name not in written and path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def remove_empty_folders(folders) -> None:
    """Remove ``folders`` (deepest first, as :func:`missing_folders` lists them) while they are empty.

    A command refused after making its output folder leaves no empty folder behind; a folder that
    holds anything, and every folder above it, stays.
    """
    for folder in folders:
        try:
            Path(folder).rmdir()
        except FileNotFoundError:
            continue  # removed already (by the lock that made it, say): the folders above may be empty too
        except OSError:
            break


@contextmanager
def output_folder(folder):
    """Make the output folder ``folder`` (and its missing parents) for the block; a failure or stop
    within the block removes the folders it made while they are empty (:func:`remove_empty_folders`).

    Yields
    ------
    pathlib.Path
        ``folder``.
    """
    folder = Path(folder)
    made = missing_folders(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with cleanup_if_ended(functools.partial(remove_empty_folders, made)):  # a second signal: no finally runs
            yield folder
    except BaseException:  # a refused or stopped command leaves no empty folder of its own behind
        remove_empty_folders(made)
        raise


@contextmanager
def staging_folder(folder, command: str):
    """A hidden folder in ``folder`` (``.COMMAND.XXXXXXXX.partial``) for the block to write its files into, removed
    with whatever is left in it when the block ends; :func:`publish_staged` moves the files into ``folder``.

    A command of many files that fails or is stopped halfway so leaves ``folder`` as an earlier run left it, not a
    mix of two runs (or, in a new folder, a half report that a rerun refuses).
    """
    stage = Path(tempfile.mkdtemp(prefix=f".{command}.", suffix=".partial", dir=folder))
    try:
        with cleanup_if_ended(functools.partial(shutil.rmtree, stage, ignore_errors=True)):  # no finally runs then
            yield stage
    except OSError as error:  # a full disk named the hidden staging file: name the file asked for
        try:
            inside = Path(error.filename).relative_to(stage) if error.filename else None
        except ValueError:
            inside = None
        if inside is None:
            raise
        raise _naming(error, Path(folder) / inside) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish_staged(stage, folder, first=(), last=()) -> list:
    """Move the files of ``stage`` (:func:`staging_folder`) into ``folder``, replacing files of those names, those
    in ``first`` first (the file that marks the folder as the command's) and those in ``last`` last (the file that
    lists the others); the names moved. Each gets what a plain write would leave: the permission bits (and owner
    and group where this process may set them) of the file it replaces, or the umask's."""
    stage, folder = Path(stage), Path(folder)
    names = sorted(path.name for path in stage.iterdir() if path.is_file() and not is_partial(path.name))
    names = ([name for name in first if name in names] + [name for name in names if name not in (*first, *last)]
             + [name for name in last if name in names])
    for name in names:
        target = write_target(folder / name)  # a link is written through, as a plain write does
        try:
            replaced = os.stat(target)
        except OSError:
            replaced = None
        _as_a_plain_write(str(stage / name), replaced)
        try:
            os.replace(stage / name, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            shutil.move(stage / name, target)  # a link to another file system
    return names


#: The names :func:`atomic_path` gives its temporary files, read at their last ``.partial``: ``.NAME.PID@HOST.XXXXXXXX
#: .partialSUFFIX`` (``XXXXXXXX``: 8 hex digits), and without ``PID@HOST.`` for a name too long to hold the writer
#: (and from motifnet before 2026-12-07; before 2026-12-02, tempfile's 8 characters of ``[a-z0-9_]``).
_TAGGED_PARTIAL = re.compile(r"\.(.+)\.(\d+)@([^@]+)\.[0-9a-f]{8}\.partial((?:(?!\.partial).)*)", re.S)
_UNTAGGED_PARTIAL = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.partial((?:(?!\.partial).)*)", re.S)


def _partial_writer(name: str):
    """For a temporary file name of :func:`atomic_path`: (pid, host) of its writer, or (None, None) for a name that
    does not hold it; None for any other name."""
    tagged = _TAGGED_PARTIAL.fullmatch(name)
    if tagged is not None:
        return int(tagged[2]), tagged[3]
    return (None, None) if _UNTAGGED_PARTIAL.fullmatch(name) is not None else None


def is_partial(name: str) -> bool:
    """Whether ``name`` is that of a temporary file of :func:`atomic_path` (see :data:`_TAGGED_PARTIAL`); a user's
    ``.model.keras.notes.partial`` is not."""
    return _partial_writer(name) is not None


def remove_gone_partials(path, suffix: str = "") -> list:
    """Delete the temporary files of :func:`atomic_path` for ``path`` whose writer, a process of this host, is gone:
    what a write killed outright (SIGKILL, the out-of-memory killer) before its rename left beside ``path``. Those of
    a live writer and of other hosts stay; the name holds the writer, so no other file is taken for one.

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    import glob

    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)@(.+)\.[0-9a-f]{{8}}\.partial{re.escape(suffix)}")
    try:
        candidates = sorted(path.parent.glob(f".{glob.escape(path.name)}.*.partial{glob.escape(suffix)}"))
    except OSError:  # a folder that cannot be listed: the write itself says what is wrong
        return []
    removed, _ = _remove_if_owner_gone(candidates, pattern)
    for leftover in removed:
        log.info("removed %s, left by a write of %s that was killed before it finished", leftover.name, path)
    return removed


def _by_writer(paths, writer) -> tuple:
    """The files of ``paths`` whose writer is gone, and those of other hosts: ``writer(name)`` gives the (pid, host)
    a name holds, (None, None) for a name of ours that holds none (counted gone), or None for a name not ours.
    A writer of this host is gone when :func:`_scratch_owner_gone` says so."""
    host = _host_in_name()
    gone, elsewhere = [], []
    for path in paths:
        found = writer(path.name)
        if found is None or path.is_symlink() or not path.is_file():
            continue
        pid, its_host = found
        if pid is None or (its_host == host and _scratch_owner_gone(pid, path)):
            gone.append(path)
        elif its_host != host:
            elsewhere.append(path)
    return gone, elsewhere


def _remove_if_owner_gone(paths, pattern) -> tuple:
    """Delete the files of ``paths`` whose names ``pattern`` matches with the pid (group 1) of a gone process of this
    host (group 2; :func:`_scratch_owner_gone`); (removed, those of other hosts)."""

    def writer(name):
        match = pattern.fullmatch(name)
        return (int(match[1]), match[2]) if match else None

    gone, elsewhere = _by_writer(paths, writer)
    removed = []
    for path in gone:
        with suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed, elsewhere


def remove_written(folder, written) -> list:
    """Remove the files of ``folder`` for whose names ``written(name)`` is true, then the folder if it is empty.

    For the folders a command makes and fills: what else is there (a file of the user's) stays.

    Returns
    -------
    list of str
        The names left in ``folder`` (sorted; none when it was removed).
    """
    folder = Path(folder)
    kept = []
    for entry in sorted(folder.iterdir()):
        if written(entry.name) and (entry.is_file() or entry.is_symlink()):
            entry.unlink()
        else:
            kept.append(entry.name)
    if not kept:
        folder.rmdir()
    return kept


def leftover_partials(folder) -> list:
    """The temporary files of :func:`atomic_path` in ``folder`` that writes killed before their rename left: those
    whose writer, a process of this host, is gone, and those that do not name their writer.

    Only safe to remove while no other process writes into ``folder`` (a run folder's lock): a file that does not
    name its writer may be a live one's (a ``predict -o`` into the run folder of a name too long to hold it).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found, elsewhere = _by_writer(sorted(folder.glob(".*")), _partial_writer)
    if elsewhere:  # a batch job killed on one node and run again on another left them
        _warn_other_hosts(folder, elsewhere, "temporary files of another host's writes")
    return found


def scratch_file(folder, kind: str, suffix: str) -> Path:
    """A new empty hidden file ``.KIND.PID@HOST.XXXXXXXX.SUFFIX`` in ``folder`` (``XXXXXXXX``: tempfile's 8
    characters), for a command's work in progress. The name says which process made it, so that
    :func:`remove_scratch_files` removes only those whose process is gone."""
    import tempfile

    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{kind}.{os.getpid()}@{_host_in_name()}.",
                                         suffix=suffix, delete=False)
    handle.close()
    return Path(handle.name)


def remove_scratch_files(folder, kind: str, suffixes=(".npy", ".npz", ".log")) -> list:
    """Delete the files :func:`scratch_file` made of ``kind`` in ``folder`` whose process, on this host, is gone:
    what a run killed outright (SIGKILL, the out-of-memory killer) left behind. A file whose pid is held by a
    process that started after the file was last written counts as gone too (the pid was reused; see
    :func:`process_started_after`). Those of a live process (another run into the same folder) and of other
    hosts (a shared file system) stay; nothing else is named so.

    Parameters
    ----------
    folder : str or pathlib.Path
    kind : str
        As given to :func:`scratch_file`.
    suffixes : tuple of str
        The endings the command gives its scratch files, as given to :func:`scratch_file` (with the dot).

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    endings = "|".join(re.escape(suffix) for suffix in suffixes)
    name = re.compile(rf"\.{re.escape(kind)}\.(\d+)@(.+)\.[a-z0-9_]{{8}}({endings})")
    removed, elsewhere = _remove_if_owner_gone(sorted(Path(folder).glob(f".{kind}.*")), name)
    if elsewhere:
        _warn_other_hosts(folder, elsewhere)
    return removed


def _warn_other_hosts(folder, paths, what: str = "scratch files of another host") -> None:
    """Say which scratch files (or ``what`` else) of other hosts stay: whether their runs are alive cannot be told
    from here (a batch job requeued on another node, or a container restarted under a new host name, leaves them)."""
    sizes = []
    for path in paths:
        try:
            sizes.append(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)")
        except OSError:  # removed meanwhile by its own run
            continue
    if sizes:
        log.warning("left in %s: %s, whose runs cannot be checked from here: %s; delete them if no run on that "
                    "host still writes them", folder, what, ", ".join(sizes))


def _scratch_owner_gone(pid: int, path: Path) -> bool:
    """Whether the process of this host that made scratch file ``path`` (``pid``, from its name) is gone: no
    process has that pid, or the one that has it started after the file was last written (a reused pid)."""
    if not process_alive(pid):
        return True
    try:
        written = path.stat().st_mtime
    except OSError:  # removed meanwhile (its run ended), or unreadable: leave it
        return False
    return process_started_after(pid, written, FILE_TIME_MARGIN_S)


def _host_in_name() -> str:
    """This host's name as scratch file names hold it: characters a file name may not hold (or that would read
    ambiguously) written ``_``."""
    import re
    import socket

    return re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname()) or "_"


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (one of another user counts as alive; ``pid`` > 0)."""
    if pid <= 0:  # os.kill would signal a process group
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, OSError):  # not a pid this system can have
        return False
    return True


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` of this host started (seconds since the epoch), from ``/proc`` (Linux): the boot time
    (whole seconds) plus the clock ticks from boot to its start. None where that cannot be read (another
    system, no such process, ``/proc`` hidden)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        ticks = int(stat_line.rsplit(")", 1)[1].split()[19])  # field 22, starttime; the name in () may hold spaces
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


# How much later than a moment a process must have started to count as started after it. A start time from /proc
# is the boot time (cut to whole seconds) plus clock ticks (10 ms each), so a process and the moment it noted
# at once may read a little apart. A reused pid belongs to a process started well after the dead one (the pid
# had to come round again), so the margin costs next to nothing.
START_MARGIN_S = 2.0
# The same for a file's modification time, which a file server's clock sets (NFS on a cluster): it may run
# behind this host's, and a live run's own scratch file must never look older than its run.
FILE_TIME_MARGIN_S = 300.0


def process_started_after(pid: int, moment: float, margin: float = START_MARGIN_S) -> bool:
    """Whether process ``pid`` of this host started more than ``margin`` seconds after ``moment`` (seconds
    since the epoch), so cannot be the process that wrote something then: its pid was reused after that one
    ended. False where its start time cannot be read (see :func:`process_start_time`): a live pid then counts
    as the writer, as before. Default margin: :data:`START_MARGIN_S`."""
    started = process_start_time(pid)
    return started is not None and started > moment + margin


@contextmanager
def scratch_path(folder, kind: str, suffix: str):
    """A new :func:`scratch_file` of ``kind`` in ``folder`` for the block, removed when it ends, and by a second
    signal too (which ends the process at once: no ``finally`` runs then)."""
    path = scratch_file(folder, kind, suffix)
    try:
        with cleanup_if_ended(functools.partial(_remove_quietly, str(path))):
            yield path
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def scratch_memmap(folder, kind: str, shape: tuple):
    """A float32 array memory-mapped to a :func:`scratch_path` of ``kind`` in ``folder`` for the block.

    For arrays as large as a command's results (attributions, TF-MoDISco's inputs): memory stays bounded.
    """
    with scratch_path(folder, kind, ".npy") as path:
        yield reserved_memmap(path, shape)


def reserved_memmap(path, shape: tuple, dtype="float32"):
    """A new ``.npy`` file at ``path`` memory-mapped for writing, with its disk space reserved first.

    A memory-mapped file is written page by page as the array is filled; without its blocks
    allocated up front, a full disk (or quota) ends the process with SIGBUS at whatever page comes
    next, with no message and the file left behind. Reserving the blocks turns that into an
    ``OSError`` naming ``path`` here, before any work.

    Returns
    -------
    numpy.memmap

    Raises
    ------
    OSError
        The space cannot be reserved (no space left on the device, a quota), with ``path`` as its
        ``filename``.
    """
    import numpy as np

    array = np.lib.format.open_memmap(str(path), mode="w+", dtype=dtype, shape=shape)
    size = os.path.getsize(path)
    try:
        with open(path, "r+b") as handle:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(handle.fileno(), 0, size)
            else:  # macOS: writing the zeros allocates them
                offset = array.offset
                handle.seek(offset)
                block = bytes(1 << 20)
                while offset < size:
                    handle.write(block[:size - offset])
                    offset += len(block)
    except OSError as error:
        del array
        raise OSError(error.errno, error.strerror, str(path)) from None
    return array
