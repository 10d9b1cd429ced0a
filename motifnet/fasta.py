"""Streaming FASTA reading: plain or gzip files, standard input, multi-line records, CRLF."""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class FastaRecord:
    """One FASTA record as read: its header and the lines of its body.

    Parameters
    ----------
    path : str
        The file it came from (``-`` for standard input).
    number : int
        1-based position of the record in its file.
    header : str
        The header line without ``>`` and surrounding whitespace.
    lines : list of bytes
        Body lines with line endings and surrounding whitespace removed, empty lines dropped.
    """

    path: str
    number: int
    header: str
    lines: list

    @property
    def id(self) -> str:
        """The first word of the header, or ``record_N`` when the header is empty."""
        words = self.header.split()
        return words[0] if words else f"record_{self.number}"

    def where(self) -> str:
        return f"{self.path}, record {self.number} ({self.id!r})"


def display_name(path) -> str:
    return "standard input" if str(path) == "-" else str(path)


def _open_binary(path: str):
    if path == "-":
        stream = sys.stdin.buffer
        head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
        if head == _GZIP_MAGIC:
            return gzip.GzipFile(fileobj=stream)
        return stream
    file_path = Path(path)
    if not file_path.exists():
        raise InputError(f"{path}: no such file")
    if file_path.is_dir():
        raise InputError(f"{path}: is a folder, expected a FASTA file")
    handle = open(file_path, "rb")
    if handle.read(2) == _GZIP_MAGIC:
        handle.close()
        return gzip.open(file_path, "rb")
    handle.seek(0)
    return handle


def read_fasta(path) -> Iterator[FastaRecord]:
    """Yield the records of a FASTA file one at a time.

    Handles multi-line records, gzip compression (detected from the content, not the
    name), CRLF line endings, blank lines, and ``-`` for standard input.

    Parameters
    ----------
    path : str or pathlib.Path
        The file, or ``-``.

    Raises
    ------
    InputError
        The file is missing, empty, not FASTA (text before the first header),
        or not readable as gzip.
    """
    path = str(path)
    name = display_name(path)
    handle = _open_binary(path)
    number = 0
    header = None
    lines: list = []
    try:
        for line_number, raw in enumerate(handle, start=1):
            if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte-order mark, as some Windows editors write
            line = raw.strip()
            if not line:
                continue
            if line[:1] == b">":
                if header is not None:
                    yield FastaRecord(name, number, header, lines)
                number += 1
                header = line[1:].decode("utf-8", errors="replace").strip()
                lines = []
            elif header is None:
                preview = line[:30].decode("utf-8", errors="replace")
                raise InputError(
                    f"{name}: not a FASTA file: line {line_number} ({preview!r}) comes before "
                    "any header; FASTA records start with a '>' header line"
                )
            else:
                lines.append(line)
        if header is not None:
            yield FastaRecord(name, number, header, lines)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise InputError(f"{name}: cannot be read ({error}); is it a complete gzip or text file?") from error
    except UnicodeDecodeError as error:  # pragma: no cover - decode uses errors="replace"
        raise InputError(f"{name}: cannot be decoded ({error})") from error
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if number == 0:
        raise InputError(f"{name}: contains no FASTA records (empty file?)")


def iter_text_stream(path) -> io.TextIOBase:
    """Open a plain or gzip text file (or ``-``) for reading lines as text."""
    return io.TextIOWrapper(_open_binary(str(path)), encoding="utf-8", errors="replace")
