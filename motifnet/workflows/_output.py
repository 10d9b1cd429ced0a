"""Output folders of the commands that write several files: made for the command, and held by it alone."""

from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
from pathlib import Path

from .._io import output_folder
from ..run.lock import acquire

log = logging.getLogger("motifnet")


@contextmanager
def locked_output_folder(folder, command: str, stale_stages: bool = False):
    """Make the output folder ``folder`` (see :func:`motifnet._io.output_folder`) and hold its lock for the block.

    Two commands writing one folder at once each replaced and removed the other's files and both exited 0,
    leaving a mix of two runs; the second is now refused, naming the first (:mod:`motifnet.run.lock`).

    Parameters
    ----------
    folder : path
    command : str
        What holds the folder, named to a command refused meanwhile.
    stale_stages : bool
        Remove the command's hidden staging folders (:func:`motifnet._io.staging_folder`,
        ``.COMMAND.*.partial``) that a command killed outright left, once the lock is held (none of them can
        be in use then). Default is False.

    Raises
    ------
    RunDirError
        Another live process holds the folder, or one of another host.
    """
    with output_folder(folder) as out, acquire(out, command):
        for stage in sorted(Path(out).glob(f".{command}.*.partial")) if stale_stages else ():
            if stage.is_dir() and not stage.is_symlink():
                log.info("removing %s, left by a %s that was killed before it finished", stage, command)
                shutil.rmtree(stage, ignore_errors=True)
        yield out


def check_own_folder(out, summary: str, ours, names, command: str) -> bool:
    """Whether ``out`` holds the ``summary`` file (a JSON object) of an earlier ``command`` of motifnet's.

    Without one, a ``summary`` that is not motifnet's, or a file of ``names`` (those every run of ``command``
    writes), is the user's, which the run would replace: it is refused before the work.

    Parameters
    ----------
    out : path
    summary : str
        The file every run writes last, which lists what it wrote (``scan.json``, ``patterns.json``).
    ours : callable
        ``ours(content)``: whether the parsed ``summary`` is one that ``command`` wrote.
    names : iterable of str
    command : str

    Raises
    ------
    ParamError
        Naming the folder and the first such file.
    """
    import json

    out = Path(out)
    try:
        content = json.loads((out / summary).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        content = None
    if isinstance(content, dict) and ours(content):
        return True
    refuse_users_files(out, (summary, *names), (), command, f"no {summary} of motifnet's")
    return False


def refuse_unlisted(out, names, listed, summary: str, command: str) -> None:
    """Refuse, in a folder of an earlier ``command`` run, a file of ``names`` that its ``summary`` does not list
    among its files (``listed``): the user's, which this run would replace (:func:`refuse_users_files`)."""
    refuse_users_files(out, names, listed, command, f"the {summary} there does not list it as its run's")


def refuse_users_files(out, names, ours, command: str, where: str) -> None:
    """Refuse to write the files ``names`` into ``out`` where one of them exists and is not of ``ours`` (the files
    an earlier run of ``command`` there wrote): it is the user's, which the run would replace. ``where`` says why
    it is not motifnet's (``no patterns.json``).

    Raises
    ------
    ParamError
        Naming the first such file and how many more; nothing is written.
    """
    from ..errors import ParamError

    theirs = sorted(name for name in names if name not in ours and (Path(out) / name).exists())
    if theirs:
        more = f" and {len(theirs) - 1} more" if len(theirs) > 1 else ""
        raise ParamError(f"-o {out}: holds {theirs[0]}{more}, which this {command} run writes, but {where}; nothing "
                         f"was written: choose another folder, or move {theirs[0]} away")
