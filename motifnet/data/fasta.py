"""Streaming FASTA reading: plain or gzip files, standard input, multi-line records, CRLF."""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
import select
import stat
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._signals import check_stop
from ..errors import InputError, OptionValueError

log = logging.getLogger("motifnet")

_GZIP_MAGIC = b"\x1f\x8b"
#: The message for a record without sequence (its file, record and id go before it).
EMPTY_SEQUENCE = "empty sequence (a header without sequence lines); remove the record or give its sequence"
# A damaged or truncated gzip stream raises any of these while it is read, not when it is opened.
_READ_ERRORS = (OSError, EOFError, gzip.BadGzipFile, zlib.error)


def _unreadable(name: str, error: BaseException) -> InputError:
    if isinstance(error, (EOFError, gzip.BadGzipFile, zlib.error)):
        return InputError(f"{name}: cannot be read, a damaged or truncated gzip file ({error.__class__.__name__}: "
                          f"{error}); compress it again or give the uncompressed file")
    return InputError(f"{name}: cannot be read ({error})")


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
        return record_id(self.header, self.number)

    def where(self) -> str:
        return f"{self.path}, record {self.number} ({self.id!r})"


#: A word of a header that gives the energy of a record folded by ``motifnet fold`` (after the id:
#: :func:`motifnet.data.folding.header_with_energy`); readers of values or class indices in headers skip it.
FOLD_ENERGY = re.compile(r"mfe=[-+]?\d\S*")


def display_name(path) -> str:
    return "standard input" if str(path) == "-" else str(path)


# The process's own reader of standard input (see stdin_binary): one, so that bytes it has read ahead are not lost.
_STDIN = []
#: Seconds a read of standard input waits for data before it looks at the stop flag again.
_STDIN_WAIT = 0.2


class _StoppableInput(io.RawIOBase):
    """A descriptor read once it has data; while it has none, the stop flag is looked at every :data:`_STDIN_WAIT` s.

    So a signal stops a command whose standard input stalls (a producer that writes nothing more) at
    once, as :class:`motifnet._signals.StopRequested` from the read, where the read itself would wait.
    """

    def __init__(self, descriptor: int):
        super().__init__()
        self.descriptor = descriptor
        self.waiting = select.poll()
        self.waiting.register(descriptor, select.POLLIN)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def readinto(self, buffer) -> int:
        while not self.waiting.poll(int(_STDIN_WAIT * 1000)):  # readable, at its end, or closed: read
            check_stop()
        data = os.read(self.descriptor, len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self.descriptor)
        super().close()


def stdin_binary():
    """Standard input as a binary stream of this process's own: a reader of a duplicate of its descriptor.

    A helper thread blocked in a read from a pipe that stalls holds its stream's lock; an interpreter
    that ends meanwhile (a signal stopped the work) closes ``sys.stdin`` and aborts on that lock
    ("could not acquire lock ... at interpreter shutdown"). A stream of its own leaves ``sys.stdin``
    free. Its reads look at the stop flag while no data comes (:class:`_StoppableInput`). Where standard
    input has no descriptor (replaced by a test), ``sys.stdin.buffer``.
    """
    if sys.stdin is None:  # started with standard input closed (`<&-`)
        raise InputError("standard input is closed: give a file, or pipe the input ('-' reads standard input)")
    try:
        descriptor = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both an OSError and a ValueError
        return sys.stdin.buffer
    if not _STDIN or _STDIN[0].closed:
        copy = os.dup(descriptor)  # standard input stays open, as sys.stdin does
        _STDIN[:] = [io.BufferedReader(_StoppableInput(copy)) if hasattr(select, "poll") else open(copy, "rb")]
    return _STDIN[0]


def is_stdin(handle) -> bool:
    """Whether ``handle`` is a stream of standard input (which is not closed after reading)."""
    return handle is sys.stdin.buffer or handle in _STDIN


def is_pipe(path) -> bool:
    """Whether ``path`` (not ``-``) names a pipe or another stream (``<(zcat x.fa.gz)``, ``/dev/stdin``): readable
    once, like standard input, where a command that reads its inputs twice needs a file."""
    if str(path) == "-":
        return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def refuse_stdin_twice(paths, advice: str = "") -> None:
    """Refuse standard input (``-``) among ``paths`` more than once: the second reader would find it empty.

    Raises
    ------
    OptionValueError
        A usage error (exit 2), as every command gives it; ``advice`` ends the message.
    """
    if [str(path) for path in paths].count("-") > 1:
        raise OptionValueError(f"standard input ('-') can be read only once{advice}")


#: What :func:`refuse_pipes` advises by default: commands that read standard input once take it.
PIPE_ADVICE = "save it to a file, or give it as - (standard input)"


def refuse_pipes(paths, why: str, advice: str = PIPE_ADVICE) -> None:
    """Refuse a pipe among ``paths`` (see :func:`is_pipe`); ``why`` says what reads it twice, ``advice`` what to
    give instead.

    Raises
    ------
    InputError
        Naming the pipe, and what to give instead.
    """
    for path in paths:
        if path is not None and is_pipe(path):
            raise InputError(f"{path}: a pipe, which can be read only once, and {why}; {advice}")


def _open_binary(path: str, kind: str = "a FASTA file"):
    if path == "-":
        stream = stdin_binary()
        head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
        if head == _GZIP_MAGIC:
            return gzip.GzipFile(fileobj=stream)
        return stream
    file_path = Path(path)
    if not file_path.exists():
        raise InputError(f"{path}: no such file")
    if file_path.is_dir():
        raise InputError(f"{path}: is a folder, expected {kind}")
    handle = open(file_path, "rb")
    # Peeked, not read and sought back, nor opened again: a pipe (<(zcat x.fa.gz), /dev/stdin) can do neither.
    if handle.peek(2)[:2] == _GZIP_MAGIC:
        return _GzipOwningFile(handle)
    return handle


class _GzipOwningFile(gzip.GzipFile):
    """A gzip reader of an open file that it closes with itself (``GzipFile(fileobj=...)`` leaves it open)."""

    def __init__(self, handle):
        super().__init__(fileobj=handle, mode="rb")
        self._owned = handle

    def close(self):
        try:
            super().close()
        finally:
            self._owned.close()


_BED_SUFFIXES = (".bed", ".narrowpeak", ".broadpeak", ".bed.gz", ".narrowpeak.gz", ".broadpeak.gz")


def is_bed_path(path) -> bool:
    """Whether a file looks like BED: its name ends in ``.bed``, ``.narrowPeak``... (gzip allowed)."""
    return str(path).lower().endswith(_BED_SUFFIXES)


def looks_like_bed(line: str) -> bool:
    """Whether a text line reads as BED: a name, then start and end as whole numbers, tab-separated."""
    columns = line.split("\t")
    return len(columns) >= 3 and columns[1].strip().isdigit() and columns[2].strip().isdigit()


def _not_fasta(name: str, line_number: int, line: bytes) -> InputError:
    """The error for text before the first header, saying what the file looks like when that is clear."""
    for magic, (what, instead) in _BINARY_FORMATS.items():
        if line.startswith(magic.encode("latin-1")):
            return InputError(f"{name}: {what}, not a FASTA file; {instead}")
    preview = line[:30].decode("utf-8", errors="replace").strip()
    message = (f"{name}: not a FASTA file: line {line_number} ({preview!r}) comes before any header; FASTA "
               "records start with a '>' header line")
    if line[:1] == b"@":
        message += "; it looks like FASTQ: convert it to FASTA (e.g. seqkit fq2fa)"
    elif line[:1] == b";":
        message += "; ';' comment lines are not read: remove them (e.g. grep -v '^;')"
    elif looks_like_bed(line.decode("utf-8", errors="replace")):
        if is_bed_path(name):  # a command without --genome (those with it read BED files as windows of it)
            return InputError(f"{name}: BED, which this command does not read; give it FASTA (the windows' "
                              "sequences: bedtools getfasta -s)")
        message += ("; it looks like BED, which is read from files only: save it as a .bed file and pass --genome "
                    "FILE.fa" if name == display_name("-") else
                    "; it looks like BED: name it .bed (or .narrowPeak) and pass --genome FILE.fa")
    return InputError(message)


def _carriage_returns(name: str) -> InputError:
    """The error for a file whose lines end in a carriage return alone (classic Mac OS): one long line."""
    return InputError(f"{name}: its lines end in a carriage return alone (classic Mac OS line endings), so "
                      "headers and sequences run together; convert them to line feeds (e.g. tr '\\r' '\\n')")


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
    warned = False
    try:
        for line_number, raw in enumerate(handle, start=1):
            if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte-order mark, as some Windows editors write
            line = raw.strip()
            if not line:
                continue
            if b"\r" in line:  # inside a line (a CRLF line's is stripped): lines that end in it alone, from here on
                raise _carriage_returns(name)
            if line[:1] == b">":
                if header is not None:
                    yield FastaRecord(name, number, header, lines)
                number += 1
                header = line[1:].decode("utf-8", errors="replace").strip()
                if "\ufffd" in header and not warned:
                    warned = _warn_not_utf8(name, number, header)
                lines = []
            elif header is None:
                raise _not_fasta(name, line_number, line)
            else:
                lines.append(line)
        if header is not None:
            yield FastaRecord(name, number, header, lines)
    except _READ_ERRORS as error:
        raise _unreadable(name, error) from None
    except UnicodeDecodeError as error:  # pragma: no cover - decode uses errors="replace"
        raise InputError(f"{name}: cannot be decoded ({error})") from error
    finally:
        if not is_stdin(handle):
            handle.close()
    if number == 0:
        raise InputError(f"{name}: contains no FASTA records (empty file?)")


_WHITESPACE = b" \t\r\n\x0b\x0c"
DEFAULT_BLOCK_BYTES = 1 << 24


@dataclass
class FastaBlock:
    """Consecutive records of a FASTA file, read in bulk (sequence-only records).

    Attributes
    ----------
    path : str
        The file (``standard input`` for ``-``).
    first_number : int
        1-based number of the block's first record in its file.
    headers : list of str
        Header lines without ``>``.
    letters : numpy.ndarray of uint8, shape=(total,)
        The records' sequences one after the other, line breaks and other whitespace removed.
    lengths : numpy.ndarray of int64, shape=(records,)
        Each record's number of letters.
    bytes_read : int or None
        How far into the file this block and those before it reach, in bytes of the file as stored
        (compressed bytes for gzip, estimated from the ratio so far); None where that cannot be told
        (standard input, a pipe).
    """

    path: str
    first_number: int
    headers: list
    letters: np.ndarray
    lengths: np.ndarray
    bytes_read: int | None = field(default=None, kw_only=True)  # (subclasses add fields of their own)

    def __len__(self) -> int:
        return len(self.headers)

    def ids(self) -> list:
        return [record_id(header, self.first_number + i) for i, header in enumerate(self.headers)]

    def where(self, index: int) -> str:
        number = self.first_number + index
        return f"{self.path}, record {number} ({record_id(self.headers[index], number)!r})"

    def sequence(self, index: int) -> bytes:
        """Record ``index``'s sequence."""
        return record_letters(self.letters, self.lengths, index)


def record_letters(letters: np.ndarray, lengths: np.ndarray, index: int) -> bytes:
    """Record ``index``'s letters, of records held one after the other (as :class:`FastaBlock` holds them)."""
    start = int(lengths[:index].sum())
    return letters[start:start + int(lengths[index])].tobytes()


def record_at(lengths: np.ndarray, offset: int) -> int:
    """The record holding letter ``offset`` of records of ``lengths`` held one after the other."""
    return int(np.searchsorted(np.cumsum(lengths), offset, side="right"))


def record_id(header: str, number: int) -> str:
    """The first word of ``header``, or ``record_N`` (N = ``number``) when the header is empty."""
    words = header.split(None, 1)
    return words[0] if words else f"record_{number}"


_IS_WHITESPACE = np.zeros(256, dtype=bool)
_IS_WHITESPACE[list(_WHITESPACE)] = True


def _warn_not_utf8(name: str, number: int, header: str) -> bool:
    """Warn that record ``number``'s header held bytes that are not UTF-8 (read as U+FFFD); returns True."""
    log.warning("%s, record %d: its header %r has bytes that are not UTF-8 text, read as the replacement "
                "character U+FFFD; ids and descriptions from such headers will not be the file's: save it as UTF-8 "
                "to keep them", name, number, header[:60])
    return True


def _warn_not_utf8_block(block: FastaBlock) -> bool:
    """:func:`_warn_not_utf8` for the first such header of ``block``; whether there was one."""
    index = next((index for index, header in enumerate(block.headers) if "\ufffd" in header), None)
    return index is not None and _warn_not_utf8(block.path, block.first_number + index, block.headers[index])


def _split_records(text: bytes, name: str, first_number: int) -> FastaBlock:
    """Split whole records (``text`` starts with '>') with array operations, no loop over records.

    Raises
    ------
    InputError
        Lines that end in a carriage return alone (see :func:`_carriage_returns`).
    """
    data = np.frombuffer(text + b"\n", dtype=np.uint8)  # every header line now ends in a line break
    newlines = np.flatnonzero(data == ord("\n"))
    # Records start at '>' at the beginning of a line; '>' inside a header is kept.
    line_starts = newlines[:-1] + 1
    starts = np.concatenate(([0], line_starts[data[line_starts] == ord(">")]))
    header_ends = newlines[np.searchsorted(newlines, starts)]
    # Every header's bytes with its line break, gathered at once and decoded in one piece.
    spans = header_ends - starts  # after '>' up to and including the line break
    offsets = np.cumsum(spans) - spans
    header_index = np.arange(int(spans.sum())) + np.repeat(starts + 1 - offsets, spans)
    lines = data[header_index].tobytes().decode("utf-8", errors="replace").split("\n")
    headers = [line.strip() for line in lines[:-1]]
    if any("\r" in header for header in headers):  # a header that ran on into its letters (and the next records)
        raise _carriage_returns(name)
    # A record's letters: its body less line breaks. Bytes up to the space are dropped first; if
    # the count then differs, the bodies hold other whitespace or control characters, and only the
    # FASTA whitespace is removed (control characters stay, for the encoder to report).
    body_starts = np.minimum(header_ends + 1, len(text))
    body_ends = np.append(starts[1:], len(text))
    breaks = np.searchsorted(newlines, body_ends) - np.searchsorted(newlines, body_starts)
    lengths = body_ends - body_starts - breaks
    def sequence_bytes(dropped):
        keep = ~dropped
        keep[header_index] = False
        keep[starts] = False
        return keep

    keep = sequence_bytes(data <= ord(" "))
    if int(lengths.sum()) != int(np.count_nonzero(keep)):
        # CRLF line endings (\r\r\n too), or lines that end in a carriage return alone: then one stands between
        # two bytes of letters or header, as read_fasta finds it inside a line stripped of its whitespace
        carriage = np.flatnonzero(data == ord("\r"))
        carriage = carriage[carriage > 0]  # data ends in a line feed: carriage + 1 is in it
        if (~_IS_WHITESPACE[data[carriage - 1]] & ~_IS_WHITESPACE[data[carriage + 1]]).any():
            raise _carriage_returns(name)
        keep = sequence_bytes(_IS_WHITESPACE[data])
        lengths = np.add.reduceat(keep[:len(text)], starts, dtype=np.int64)
    return FastaBlock(name, first_number, headers, data[keep], lengths.astype(np.int64, copy=False))


def iter_fasta_blocks(path, block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[FastaBlock]:
    """Yield a FASTA file's sequence records in blocks of about ``block_bytes`` bytes.

    The fast path for sequence-only input: whole blocks are split with bytes methods
    instead of line by line, so reading runs at the speed of memory copies. Handles the
    same inputs as :func:`read_fasta` (gzip, CRLF, multi-line records, blank lines, ``-``).

    Raises
    ------
    InputError
        Missing, empty or non-FASTA file, or unreadable gzip.
    """
    path = str(path)
    name = display_name(path)
    handle = _open_binary(path)
    number = 1
    carry = b""
    first = True
    warned = False
    try:
        chunk = handle.read(block_bytes)
        while True:
            # One chunk read ahead: the last block then takes the file's last record with it.
            following = handle.read(block_bytes) if chunk else b""
            data = carry + chunk
            at_end = not following
            if first:
                stripped = data.lstrip(_WHITESPACE)
                if not at_end and (len(data) < 3 or b"\n" not in stripped):
                    carry, chunk = data, following  # decide on the first line only once it is complete
                    continue
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]  # a UTF-8 byte-order mark, as some Windows editors write
                    stripped = data.lstrip(_WHITESPACE)
                if not stripped:
                    raise InputError(f"{name}: contains no FASTA records (empty file?)")
                if stripped[:1] != b">":
                    line_number = data[: len(data) - len(stripped)].count(b"\n") + 1
                    raise _not_fasta(name, line_number, stripped.split(b"\n", 1)[0].rstrip(b"\r"))
                if b"\r" in stripped.split(b"\n", 1)[0].rstrip(b"\r"):
                    raise _carriage_returns(name)
                data = stripped
                first = False
            if at_end:
                if data:
                    block = _split_records(data, name, number)
                    warned = warned or _warn_not_utf8_block(block)
                    block.bytes_read = _stored_bytes_read(handle, 0)
                    yield block
                return
            cut = data.rfind(b"\n>")
            if cut < 0:
                carry, chunk = data, following  # one record longer than the block: read on
                continue
            block = _split_records(data[:cut], name, number)
            warned = warned or _warn_not_utf8_block(block)
            number += len(block)
            carry, chunk = data[cut + 1:], following
            block.bytes_read = _stored_bytes_read(handle, len(carry) + len(chunk))
            yield block
    except _READ_ERRORS as error:
        raise _unreadable(name, error) from None
    finally:
        if not is_stdin(handle):
            handle.close()


def _stored_bytes_read(handle, ahead: int) -> int | None:
    """Bytes of the file as stored that the records read so far take: what was read less the ``ahead`` bytes
    (decompressed) read but not yet used; for gzip, the compressed bytes read scaled by the share used.
    None for standard input and pipes, whose position cannot be told."""
    if is_stdin(handle) or (isinstance(handle, gzip.GzipFile) and not isinstance(handle, _GzipOwningFile)):
        return None  # (standard input, decompressed)
    try:
        if isinstance(handle, _GzipOwningFile):
            decompressed = handle.tell()
            used = (decompressed - ahead) / decompressed if decompressed else 1.0
            return round(handle._owned.tell() * used)
        return handle.tell() - ahead
    except OSError:  # a named pipe (<(zcat x.fa.gz)): no position
        return None


class _TextStream(io.TextIOWrapper):
    """Lines of text whose read errors (a damaged gzip) become an :class:`InputError` naming the file, as does
    a line with NUL bytes (UTF-16 text, or binary data).

    Bytes that are not UTF-8 (a Latin-1 id, say) are read as U+FFFD; the first line that holds one is
    named in a warning, since ids and names taken from it will not be the file's.
    """

    lines_read = 0
    warned = False

    def __next__(self):
        line = self.readline()  # one path for every line read, so that each is counted once
        if not line:
            raise StopIteration
        return line

    def readline(self, size=-1):
        try:
            return self._counted(super().readline(size))
        except _READ_ERRORS as error:
            raise _unreadable(self.display_name, error) from None

    def _counted(self, line: str) -> str:
        self.lines_read += line.endswith("\n")
        if self.lines_read <= 1:
            for magic, (what, instead) in _BINARY_FORMATS.items():
                if line.startswith(magic):
                    raise InputError(f"{self.display_name}: {what}, not text; {instead}")
        if "\x00" in line:  # no text file holds one; read on, the columns of UTF-16 text mislead every reader
            raise InputError(f"{self.display_name}, line {self.lines_read + (not line.endswith(chr(10)))}: NUL "
                             "bytes: a UTF-16 file (as some Windows tools save text), or not text at all; save it "
                             "as UTF-8 (or plain ASCII) text")
        if "\ufffd" in line and not self.warned:
            self.warned = True
            log.warning("%s, line %d: bytes that are not UTF-8 text, read as the replacement character U+FFFD; "
                        "ids and names from such lines will not match the file's: save it as UTF-8 to keep them",
                        self.display_name, self.lines_read + (not line.endswith("\n")))
        return line


#: The first bytes (read through gzip: all are BGZF files) of binary formats of genomics -> what to say of one.
_BINARY_FORMATS = {
    "BCF\x02": ("a BCF file (binary VCF)", "convert it to a VCF first (bcftools view -Oz -o variants.vcf.gz FILE)"),
    "BAM\x01": ("a BAM file (binary alignments)", "give peaks as BED or sequences as FASTA"),
    "CRAM\x02": ("a CRAM file (compressed alignments)", "give peaks as BED or sequences as FASTA"),
    "CRAM\x03": ("a CRAM file (compressed alignments)", "give peaks as BED or sequences as FASTA"),
}


def iter_text_stream(path, kind: str = "a text file") -> io.TextIOBase:
    """Open a plain or gzip text file (or ``-``) for reading lines as text.

    ``kind`` says what the file should be (``"a feature file"``), for the message about a folder.

    Raises
    ------
    InputError
        Missing file, or (while reading) a damaged gzip stream; the message names the file.
    """
    # utf-8-sig: a byte-order mark (as Windows editors write) would otherwise join the first column's value.
    stream = _TextStream(_open_binary(str(path), kind), encoding="utf-8-sig", errors="replace")
    stream.display_name = display_name(path)
    return stream
