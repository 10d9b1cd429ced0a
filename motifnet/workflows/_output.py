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
def locked_output_folder(folder, command: str, stale_stages: str | None = None):
    """Make the output folder ``folder`` (see :func:`motifnet._io.output_folder`) and hold its lock for the block.

    Two commands writing one folder at once each replaced and removed the other's files and both exited 0,
    leaving a mix of two runs; the second is now refused, naming the first (:mod:`motifnet.run.lock`).

    Parameters
    ----------
    folder : path
    command : str
        What holds the folder, named to a command refused meanwhile.
    stale_stages : str or None
        The command's hidden staging folders (:func:`motifnet._io.staging_folder`, ``.NAME.*.partial``): those
        a command killed outright left are removed once the lock is held (none of them can be in use then).
        Default is None.

    Raises
    ------
    RunDirError
        Another live process holds the folder, or one of another host.
    """
    with output_folder(folder) as out, acquire(out, command):
        for stage in sorted(Path(out).glob(f".{stale_stages}.*.partial")) if stale_stages else ():
            if stage.is_dir() and not stage.is_symlink():
                log.info("removing %s, left by a %s that was killed before it finished", stage, command)
                shutil.rmtree(stage, ignore_errors=True)
        yield out
