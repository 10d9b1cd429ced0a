"""A folder numba can cache memelite's compiled functions in, wherever motifnet is installed.

memelite compiles its TOMTOM and FIMO functions with numba's ``cache=True``. numba keeps the cache
beside the package (``__pycache__``) or in the user's cache folder (``~/.cache/numba``), and where it
can write neither (a read-only install with a home that cannot be written: shared HPC modules,
containers) it refuses to compile them ("cannot cache function ...: no locator available"). numba
reads ``NUMBA_CACHE_DIR`` first; motifnet sets it to a folder of its own under the temporary folder
then, and only then.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import stat
import tempfile
from pathlib import Path


def _can_write(folder: Path) -> bool:
    """Whether a file can be made in ``folder`` (made if missing), as numba checks a cache folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _user_cache() -> Path:
    """numba's user-wide cache folder (``~/.cache/numba`` on Linux)."""
    from numba.misc.appdirs import AppDirs

    return Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)


def _own_folder() -> Path:
    """``motifnet-numba-UID`` in the temporary folder, when it is this user's alone; else a new folder there.

    numba reads its cache index with pickle: a folder another user made (or may write) in a shared temporary folder
    could hold one that runs their code, so it is not used.
    """
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"motifnet-numba-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        status = os.lstat(folder)
    except OSError:  # a file of that name, or no permission
        status = None
    if (status is not None and stat.S_ISDIR(status.st_mode) and (uid is None or status.st_uid == uid)
            and not status.st_mode & 0o077):
        return folder
    return Path(tempfile.mkdtemp(prefix="motifnet-numba-"))


@functools.cache  # once per process: the answer, and the environment it sets, last as long
def numba_cache(package: str = "memelite") -> None:
    """Set ``NUMBA_CACHE_DIR`` to a writable folder when numba could cache ``package``'s functions nowhere.

    Call before ``package`` compiles anything. A ``NUMBA_CACHE_DIR`` the user set is left alone.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    spec = importlib.util.find_spec(package)
    beside = Path(next(iter(spec.submodule_search_locations or []), "")) / "__pycache__" if spec else None
    if (beside is not None and _can_write(beside)) or _can_write(_user_cache()):
        return
    os.environ["NUMBA_CACHE_DIR"] = str(_own_folder())
    from numba.core import config  # imported above: numba read its settings then

    config.reload_config()
