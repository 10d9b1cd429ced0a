"""Shared checks of user-given values."""

from __future__ import annotations

import operator
import os
import re
import stat
from pathlib import Path

from ._io import write_target
from .errors import ParamError


def either(items) -> str:
    """``a``, ``a or b``, ``a, b or c``: the words of a message that offers one of ``items``."""
    items = [str(item) for item in items]
    return " or ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def name_or_index(text: str, names: list) -> int:
    """The position of ``text`` in ``names`` when it is one of them, else ``text`` read as an integer.

    A name wins over an index, so a class named ``1`` is that class, not the one at index 1. The
    integer is not checked against the number of names.

    Raises
    ------
    ValueError
        ``text`` is neither a name nor an integer.
    """
    text = str(text).strip()
    return names.index(text) if text in names else int(text)


def check_indices(values, count: int, option: str, nouns: tuple, valid: str) -> list:
    """Check a list of 0-based indices against ``count`` items, in the given order.

    Parameters
    ----------
    values : iterable
        The indices given by the user.
    count : int
        Number of items; valid indices are 0 to ``count - 1``.
    option : str
        What the values are for (message prefix, e.g. ``classes``).
    nouns : tuple of str
        How messages name the items: (what to give at least one of, what was expected,
        one item), e.g. ``("class index", "class indices", "index")``.
    valid : str
        The sentence that lists the valid choices.

    Raises
    ------
    ParamError
        No values, a value that is not an integer, or one out of range.
    """
    one, expected, item = nouns
    values = list(values)
    if not values:
        raise ParamError(f"{option}: give at least one {one}; {valid}")
    checked = []
    for value in values:
        try:
            index = operator.index(value)
        except TypeError:
            raise ParamError(f"{option}: expected {expected} (integers), received: {value!r}; {valid}") from None
        if not 0 <= index < count:
            raise ParamError(f"{option}: {item} {index} is out of range; {valid}")
        checked.append(index)
    return checked


def same_file(first, second) -> bool:
    """Whether two existing paths name one file (links and relative paths resolved); False if either is missing."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # a path that cannot be found is reported where it is read
        return False


def repeated_file(paths) -> tuple | None:
    """The first two of ``paths`` that name one file (links and relative paths resolved; ``-`` skipped), or None."""
    named = [path for path in paths if str(path) != "-"]
    for i, first in enumerate(named):
        for second in named[i + 1:]:
            if same_file(first, second):
                return first, second
    return None


def check_inputs_not_written(out_dir, inputs, written, command: str, numbered=None) -> None:
    """Refuse an input file that a command would replace with one of the files it writes in its output folder.

    An input is refused when a file of ``out_dir`` that the command writes is that input: the input
    itself lies there under such a name, or such a name there links to it (or is a hard link of it);
    and ``out_dir`` is refused when it names an input's index (:func:`names_index`).

    Parameters
    ----------
    out_dir : path
        The output folder (it may not exist yet: then nothing is refused).
    inputs : iterable of (str, path or None)
        Each input file with the option or argument that the message names it by; None entries and
        paths that are not files are skipped.
    written : iterable of str
        The names of the files the command writes in ``out_dir`` (looked up there, so that a file
        system that ignores case finds ``HITS.tsv`` for ``hits.tsv``).
    command : str
        The subcommand, as the message names it (``scan``).
    numbered : callable, optional
        A function of a file name that says whether the command writes a file of that name too
        (numbered figures, ``pattern_3.png``); the files of ``out_dir`` are tested with it.

    Raises
    ------
    ParamError
        An input is one of the files the command writes in ``out_dir``.
    """
    for option, source in inputs:
        if source is not None and names_index(out_dir, source):
            raise ParamError(f"-o {out_dir} is the index of {option} {source}; choose another -o folder")
    out = Path(out_dir)
    if not out.is_dir():
        return
    outputs = [out / name for name in written]
    if numbered is not None:
        outputs += [entry for entry in out.iterdir() if numbered(entry.name)]
    for option, source in inputs:
        if source is None or not Path(source).is_file():
            continue
        if any(same_file(entry, source) for entry in outputs):
            raise ParamError(f"{option} {source}: motifnet {command} writes this file in {out_dir}, which would "
                             "replace it; copy it elsewhere or choose another -o folder")


def check_output_not_input(output, inputs, option: str = "-o/--output") -> None:
    """Refuse an output path that names one of the input files (once links and relative paths are resolved).

    Writing the output would otherwise replace the input it is made from. An input's index beside
    it (``.fai``, and bgzip's ``.gzi``: what pyfaidx reads with a genome) counts as that input.

    Parameters
    ----------
    output : path or None
        The file or folder to write (None: standard output, always accepted).
    inputs : iterable of path
        The files the command reads; None entries and files that do not exist are skipped.
    option : str
        How the message names the output option. Default is '-o/--output'.

    Raises
    ------
    ParamError
        ``output`` is the same file as one of ``inputs``.
    """
    if output is None:
        return
    for source in inputs:
        if source is None:
            continue
        if same_file(output, source):
            raise ParamError(f"{option}: {output} is the input file {source}; writing there would replace it, "
                             "give another output path")
        if names_index(output, source):
            raise ParamError(f"{option}: {output} is the index of the input file {source}; writing there would "
                             "replace it, give another output path")


def names_index(output, source) -> bool:
    """Whether ``output`` is, or would be, an index of ``source`` that pyfaidx reads or builds beside it
    (``.fai``, and bgzip's ``.gzi``): one built during the command was written over by the output, or an
    output folder of that name kept the index from being built."""
    for suffix in (".fai", ".gzi"):
        index = f"{source}{suffix}"
        if same_file(output, index) or Path(output).resolve() == Path(index).parent.resolve() / Path(index).name:
            return True
    return False


def check_output_file(output, option: str = "-o/--output") -> None:
    """Refuse, before any work, a file output that names a folder or lies in a folder that does not exist.

    Parameters
    ----------
    output : path or None
        None: standard output, always accepted.
    option : str
        How the message names the output option. Default is '-o/--output'.

    Raises
    ------
    ParamError
    """
    if output is None:
        return
    if os.path.isdir(output):
        raise ParamError(f"{option}: {output} is a folder; give the name of a file to write")
    if str(output).endswith(("/", os.sep)):  # Path() drops the slash: 'newdir/' would become a file 'newdir'
        raise ParamError(f"{option}: {output} names a folder (it ends in '/'); give the name of a file to write")
    parent = Path(output).parent
    if parent.exists() and not parent.is_dir():
        raise ParamError(f"{option}: cannot write {output}: {parent} is a file, not a folder")
    if not parent.is_dir():
        raise ParamError(f"{option}: cannot write {output}: the folder {parent} does not exist")
    # Where motifnet._io.atomic_path writes: a link's target, beside it; a device or named pipe (-o /dev/null)
    # directly, needing no folder.
    target = write_target(Path(output))
    if not target.parent.is_dir():
        raise ParamError(f"{option}: cannot write {output}: it links to {target}, whose folder {target.parent} does "
                         "not exist")
    try:
        regular = stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        regular = True  # not there yet: created beside its name
    if regular and target.parent.is_dir():
        _check_writable(target.parent, f"{option}: cannot write {output}")


def _check_writable(folder: Path, what: str) -> None:
    """Refuse, before any work, a folder this process may not create files in (found after hours of work, else)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ParamError(f"{what}: no permission to create files in the folder {folder}; choose another folder, "
                         "or change its permissions")


def check_output_folder(output, option: str = "-o/--output") -> None:
    """Refuse, before any work, a folder output that names an existing file or lies below one.

    Parameters
    ----------
    output : path
        The folder to write (it need not exist yet).
    option : str
        How the message names the output option. Default is '-o/--output'.

    Raises
    ------
    ParamError
        ``output``, or the nearest of its parents that exists, is not a folder.
    """
    path = Path(output)
    if path.exists() and not path.is_dir():
        raise ParamError(f"{option} {output}: must be a folder, not a file; give a new or existing folder")
    for folder in (path.absolute(), *path.absolute().parents):  # making it would fail with "File exists"
        if folder.exists():
            break
        if folder.is_symlink():
            raise ParamError(f"{option} {output}: {folder} is a link to {os.readlink(folder)}, which does not exist; "
                             "make that folder, or give another folder")
    parent = next((folder for folder in path.absolute().parents if folder.exists()), None)
    if not path.exists() and parent is not None and not parent.is_dir():
        raise ParamError(f"{option} {output}: cannot be made, {parent} is a file; give a new or existing folder")
    if path.is_dir():
        _check_writable(path, f"{option} {output}")
    elif parent is not None:
        _check_writable(parent, f"{option} {output}: cannot be made")


def check_suffix(path, accepted: tuple, option: str = "-o/--output") -> str:
    """The ending of ``path`` (lower case) that is one of ``accepted`` (e.g. ``(".png", ".pdf")``, or ``".tsv.gz"``).

    Raises
    ------
    ParamError
        Any other ending: the file would not hold what its name says.
    """
    name = Path(str(path)).name.lower()
    suffix = max((ending for ending in accepted if name.endswith(ending) and len(name) > len(ending)), key=len,
                 default=None)
    if suffix is None:
        choices = either(accepted)
        bare = " after a name (it is all ending)" if name in accepted else ""
        raise ParamError(f"{option}: cannot write {path}: the file name must end in {choices}{bare}")
    return suffix


def is_column_name(name) -> bool:
    """Whether ``name`` can head a column of a tab-separated table: a non-empty text without a tab or line break."""
    return isinstance(name, str) and bool(name) and not any(char in name for char in "\t\n\r")


#: Columns that ``predict``'s table puts beside one per class or target (``chrom``, ``start``, ``end``: BED input).
OTHER_COLUMNS = ("id", "chrom", "start", "end")
#: Columns that ``activations``' table of a regression run puts beside one per target.
_ACTIVATION_COLUMN = re.compile(r"classes|kernel_[0-9]+_(max|position|genome_start)")


def check_column_names(names, what: str, option: str, targets: bool = False) -> None:
    """Refuse names that would break the header of a tab-separated table: empty, with a tab or line break, or the
    name of another column of the tables they head (two columns of one name: a script reads the wrong one).

    Parameters
    ----------
    names : list of str
    what : str
        What the names are (message prefix, e.g. ``class names``).
    option : str
        The option that sets them (e.g. ``--class-names``).
    targets : bool
        Names of regression targets, which also head ``activations``' columns. Default is False.

    Raises
    ------
    ParamError
        The first such name.
    """
    for name in names:
        if not is_column_name(name):
            raise ParamError(f"{what} must be non-empty and hold no tab or line break (they head table columns), "
                             f"received: {name!r}; pass {option}")
        if name in OTHER_COLUMNS or (targets and _ACTIVATION_COLUMN.fullmatch(name)):
            tables = "predict's and activations' tables" if targets else "predict's table"
            raise ParamError(f"{what} may not be {name!r}, the name of another column of {tables}; pass {option} "
                             "with another name")
