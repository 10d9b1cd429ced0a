"""Genomic coordinates: BED intervals and a genome FASTA (through pyfaidx) -> fixed-length sequence windows.

A BED file (BED3 to BED12, narrowPeak or broadPeak; plain or gzip) gives one window of ``length`` bases per
line: centred on the summit when column 10 holds one (narrowPeak, offset from the start; -1 means
none), else on the interval's centre. BED6's strand ``-`` reads the window reverse-complemented.
Windows are named ``chrom:start-end(strand)`` (0-based, half-open, the window's coordinates), and
come out as :class:`motifnet.data.fasta.FastaBlock` objects, so the FASTA loader reads them as it
reads FASTA records.

The genome is a FASTA file, plain or bgzip-compressed, with its ``.fai`` index (built beside it
when missing, or in a temporary folder when its folder is not writable; bgzip needs its ``.gzi``
too). A plain FASTA's index is checked against the file, since reading through another file's
index gives other letters without an error.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import shutil
import struct
import tempfile
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, OptionValueError, ParamError
from .fasta import FastaBlock, is_bed_path, iter_text_stream, looks_like_bed

log = logging.getLogger("motifnet")

#: The window length of BED input when ``--length`` is not given.
DEFAULT_BED_LENGTH = 200
_COMPLEMENT = bytes.maketrans(b"ACGTRYSWKMBDHVNacgtryswkmbdhvn", b"TGCAYRSWMKVHDBNtgcayrswmkvhdbn")
#: A window id, ``chrom:start-end(strand)``, possibly followed by a suffix (``/shuffle1``). The start is
#: negative for a window that reaches before its chromosome's start (padded with N).
WINDOW_ID = re.compile(r"^(?P<chrom>.+):(?P<start>-?\d+)-(?P<end>\d+)\((?P<strand>[+-])\)")


@dataclass(frozen=True)
class Window:
    """One window of the genome: 0-based half-open ``[start, end)`` on ``chrom``, read on ``strand``."""

    chrom: str
    start: int
    end: int
    strand: str = "+"

    @property
    def id(self) -> str:
        return f"{self.chrom}:{self.start}-{self.end}({self.strand})"


def parse_window_id(identifier: str) -> Window | None:
    """The window a record id names (``chrom:start-end(strand)``, a suffix allowed); None for other ids."""
    match = WINDOW_ID.match(identifier)
    if match is None:
        return None
    return Window(match["chrom"], int(match["start"]), int(match["end"]), match["strand"])


def reverse_complement(sequence: bytes) -> bytes:
    """The reverse complement of DNA letters (IUPAC codes complemented, other bytes kept)."""
    return sequence.translate(_COMPLEMENT)[::-1]


class Genome:
    """A genome FASTA read by random access (pyfaidx).

    Parameters
    ----------
    path : str
        Plain or bgzip FASTA; its ``.fai`` index is used, or built when missing.

    Raises
    ------
    InputError
        A missing file, a gzip file that is not bgzip, or a FASTA pyfaidx cannot index.
    """

    def __init__(self, path):
        import pyfaidx

        self.path = str(path)
        if Path(self.path).is_dir():
            raise InputError(f"--genome {self.path}: a folder, not a FASTA file; give the genome's .fa (or bgzip "
                             ".fa.gz) file")
        if not Path(self.path).exists():
            raise InputError(f"--genome {self.path}: no such file")
        if not Path(self.path).is_file():
            raise InputError(f"--genome {self.path}: a pipe (or another stream), but a genome is read by position "
                             "through its index (.fai): give the FASTA file")
        self._index_folder = None
        index = {}
        if not _index_writable(self.path):
            # pyfaidx writes a missing index beside the FASTA; here it goes to a temporary folder instead.
            self._index_folder = tempfile.TemporaryDirectory(prefix="motifnet-fai-")
            index = {"indexname": str(Path(self._index_folder.name) / (Path(self.path).name + ".fai")),
                     "gzi_indexname": str(Path(self._index_folder.name) / (Path(self.path).name + ".gzi"))}
            for suffix, key in ((".fai", "indexname"), (".gzi", "gzi_indexname")):
                if _index_present(self.path + suffix):
                    shutil.copyfile(self.path + suffix, index[key])
            log.info("%s: its folder is not writable; indexing it in %s", self.path, self._index_folder.name)
        index_file = index.get("indexname", self.path + ".fai")
        gzi_file = index.get("gzi_indexname", self.path + ".gzi")
        built = [path for path in (index_file, gzi_file) if not Path(path).exists()]
        try:
            # rebuild=False: pyfaidx would write over an index older than the FASTA (a file of the user's that
            # may be no index at all, or an index copied before its FASTA); it is checked against the FASTA below.
            with warnings.catch_warnings():  # pyfaidx warns of an older index on standard error; it is checked below
                warnings.filterwarnings("ignore", message="(BGZF )?Index file .* is older than FASTA file",
                                        category=RuntimeWarning)
                self._fasta = pyfaidx.Fasta(self.path, as_raw=True, sequence_always_upper=True, rebuild=False,
                                            **index)
        except (pyfaidx.UnsupportedCompressionFormat, pyfaidx.FastaIndexingError, ValueError, OSError, struct.error,
                IndexError) as error:
            for path in built:  # what a failed build left (pyfaidx writes the index as it reads): motifnet's
                Path(path).unlink(missing_ok=True)
            raise self._unreadable(error, index_file, gzi_file, built) from None
        self.lengths = {name: len(record) for name, record in self._fasta.records.items()}
        faidx = self._fasta.faidx
        bgzip = bool(getattr(faidx, "_bgzf", False))
        try:
            with (_BgzfBytes(self.path, faidx.gzi_index) if bgzip else open(self.path, "rb")) as handle:
                problem = _index_mismatch(handle, faidx.index)
        except (OSError, ValueError, EOFError, RuntimeError, struct.error, zlib.error) as error:
            # a .gzi of another file points into nowhere; a damaged bgzip block (Bio.bgzf's errors)
            problem = f"reading through it fails: {error}"
        if problem:
            self.close()
            # Every index file just built from the FASTA (a .gzi of the user's may be another file's): the FASTA is
            # at fault, and the index files motifnet wrote go.
            if index_file in built and (gzi_file in built or not bgzip):
                for path in built:
                    Path(path).unlink(missing_ok=True)
                raise InputError(f"--genome {self.path}: cannot be indexed as FASTA: the index built from it does "
                                 f"not read it back ({problem}), as when a record's lines are of different lengths "
                                 "(a last line longer than the others); rewrap it to lines of one length (e.g. "
                                 "seqkit seq -w 60)")
            indexes = f"{faidx.indexname} and {faidx.gzi_indexname}" if bgzip else faidx.indexname
            raise InputError(f"--genome {self.path}: its index {indexes} does not match the FASTA ({problem}); "
                             "delete the index so that it is built again")

    def _unreadable(self, error: Exception, index_file: str, gzi_file: str, built: list) -> InputError:
        """The message for a genome pyfaidx cannot open (``built``: the index files this attempt would have made)."""
        import pyfaidx

        if isinstance(error, pyfaidx.UnsupportedCompressionFormat):
            return InputError(f"--genome {self.path}: gzip without random access; compress it with bgzip "
                              "(samtools/htslib) or give the plain FASTA")
        if str(error).startswith("Duplicate key"):
            return InputError(f"--genome {self.path}: two records have the name {str(error)[14:]} (a record's "
                              "name is its header up to the first space)")
        if isinstance(error, (struct.error, IndexError)) and gzi_file not in built:
            # pyfaidx's reading of a damaged or cut .gzi
            return InputError(f"--genome {self.path}: its index {gzi_file} is not a bgzip index ({error}); delete "
                              "the index so that it is built again")
        if isinstance(error, ValueError) and index_file not in built:
            # pyfaidx reads an existing index without checking that its lines are index lines.
            return InputError(f"--genome {self.path}: its index {index_file} is not a FASTA index ({error}); delete "
                              "the index so that it is built again")
        with open(self.path, "rb") as handle:
            if handle.read(2) == b"\x1f\x8b":  # pyfaidx takes only a name's .gz for compression
                return InputError(f"--genome {self.path}: gzip-compressed, but its name does not end in .gz; "
                                  "rename it (genome.fa.gz) so that it is read as bgzip")
        if "not be writable" in str(error):  # pyfaidx's advice names options of its own Python API
            state = "cannot be written" if index_file in built else "is out of date and cannot be written again"
            return InputError(f"--genome {self.path}: its index {index_file} {state}; delete it, or give a copy of "
                              "the genome in a folder you can write to")
        if "line length" in str(error).lower():  # pyfaidx: a record's lines (but its last) of different lengths
            return InputError(f"--genome {self.path}: cannot be indexed as FASTA ({error}); rewrap it to lines of one "
                              "length (e.g. seqkit seq -w 60)")
        return InputError(f"--genome {self.path}: cannot be indexed as FASTA ({error})")

    def describe_names(self, chrom: str) -> str:
        """A few of the genome's chromosome names, for a message about ``chrom``, which it lacks."""
        other = chrom[3:] if chrom.lower().startswith("chr") else f"chr{chrom}"
        if other in self.lengths:
            return f"it names it {other!r}: the file and the genome use different chromosome names"
        return ", ".join(list(self.lengths)[:5]) + (", ..." if len(self.lengths) > 5 else "")

    def close(self) -> None:
        self._fasta.close()
        if self._index_folder is not None:
            self._index_folder.cleanup()
            self._index_folder = None

    def __enter__(self) -> Genome:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fetch(self, window: Window) -> bytes:
        """The window's letters, upper case, reverse-complemented on ``-``; beyond a chromosome's end: N."""
        size = self.lengths[window.chrom]
        left, right = max(window.start, 0), min(window.end, size)
        letters = str(self._fasta[window.chrom][left:right]).encode("ascii") if right > left else b""
        letters = b"N" * (left - window.start) + letters + b"N" * (window.end - right)
        return reverse_complement(letters) if window.strand == "-" else letters


def _index_present(index: str) -> bool:
    """Whether the index file ``index`` exists (it is used whatever its age; see :class:`Genome`)."""
    return Path(index).is_file()


def _index_writable(path: str) -> bool:
    """Whether pyfaidx can use or write the FASTA's index (and bgzip's ``.gzi``) beside it."""
    suffixes = (".fai", ".gzi") if path.endswith((".gz", ".bgz")) else (".fai",)
    if all(_index_present(path + suffix) for suffix in suffixes):
        return True
    # pyfaidx writes PATH.fai beside the path it was given: a link's folder, not its target's.
    return os.access(Path(os.path.abspath(path)).parent, os.W_OK)


class _BgzfBytes:
    """Bytes of a bgzip file's uncompressed text at uncompressed offsets (``seek``/``read``), through its ``.gzi``
    blocks, as pyfaidx reads them."""

    def __init__(self, path: str, blocks):
        from Bio import bgzf

        self._reader = bgzf.BgzfReader(path, "rb")
        self._blocks = blocks
        self._starts = [block.ustart for block in blocks]
        self._make_virtual_offset = bgzf.make_virtual_offset

    def seek(self, offset: int) -> None:
        block = self._blocks[max(bisect.bisect_right(self._starts, offset) - 1, 0)]
        self._reader.seek(self._make_virtual_offset(block.cstart, offset - block.ustart))

    def read(self, size: int) -> bytes:
        data = self._reader.read(size) if size else b""
        return data.encode("latin-1") if isinstance(data, str) else data

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._reader.close()


def _index_mismatch(handle, index) -> str | None:
    """What shows that a FASTA's ``.fai`` (and bgzip's ``.gzi``) belongs to another file (another genome, another
    line length).

    Reading through a wrong index yields other letters without an error, so each record's index
    entry is checked where the file is cheap to read: the header line before its first base, the
    line length, and the line end after its last base. ``handle`` reads the FASTA's text by offset
    (the uncompressed text of a bgzip file).
    """
    if not index:
        handle.seek(0)
        return "it lists no record" if handle.read(1) else None
    for name, entry in index.items():
        offset, length, width, line_bytes = entry.offset, entry.rlen, entry.lenc, entry.lenb
        handle.seek(max(offset - 1 - 4096, 0))
        before = handle.read(offset - max(offset - 1 - 4096, 0))
        header = before[:-1].rsplit(b"\n", 1)[-1] if before.endswith(b"\n") else b""
        if not header.startswith(b">") or name.encode() not in header:
            return f"{name} does not start at byte {offset}"
        if length > width:
            handle.seek(offset + width)
            if handle.read(1) not in (b"\n", b"\r"):
                return f"the lines of {name} are not {width} letters long"
        if length:
            last = offset + (length - 1) // width * line_bytes + (length - 1) % width
            handle.seek(last)
            ending = handle.read(2)
            if ending[:1] in (b"\n", b"\r", b">", b"") or ending[1:2] not in (b"\n", b"\r", b""):
                return f"{name} is not {length} letters long, as the index says"
    # After the last record the index lists, the file holds no more letters (a record added later).
    name, entry = max(index.items(), key=lambda item: item[1].offset)
    end = entry.offset
    if entry.rlen:
        end += (entry.rlen - 1) // entry.lenc * entry.lenb + (entry.rlen - 1) % entry.lenc + 1
    handle.seek(end)
    rest = handle.read(4097)
    if len(rest) > 4096 or rest.strip():
        return f"the file goes on after {name}, its last indexed record"
    return None


@dataclass(frozen=True)
class BedInterval:
    """One BED line: its interval, strand, summit offset (-1: none) and line number."""

    chrom: str
    start: int
    end: int
    strand: str
    summit: int
    line: int

    def window(self, length: int) -> Window:
        """The window of ``length`` bases centred on the summit (or the interval's centre)."""
        centre = self.start + self.summit if self.summit >= 0 else (self.start + self.end) // 2
        start = centre - length // 2
        return Window(self.chrom, start, start + length, "-" if self.strand == "-" else "+")


def read_bed(path) -> list:
    """The intervals of a BED file (BED3 to BED12, narrowPeak, broadPeak; plain or gzip); header lines skipped.

    Raises
    ------
    InputError
        A line with fewer than three columns, coordinates that are not integers or not
        ``0 <= start < end``, a strand other than ``+``, ``-`` or ``.``, or a summit outside its
        interval; the message names file, line and value. A file without intervals.
    """
    return list(iter_bed(path))


def iter_bed(path):
    """Yield the intervals of a BED file one at a time (see :func:`read_bed`), so memory stays flat."""
    name = str(path)
    if not Path(name).is_file():
        raise InputError(f"{name}: no such file")
    found = False
    with iter_text_stream(name) as stream:
        for number, line in enumerate(stream, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            found = True
            yield _bed_interval(line.split("\t"), name, number, line)
    if not found:
        raise InputError(f"{name}: contains no BED intervals (empty file?)")


_BED_INTEGER = re.compile(r"\s*-?[0-9]+\s*")


def _bed_integer(text: str) -> int:
    """A BED coordinate: ASCII digits, perhaps a minus sign (Python's int() also takes ``1_000`` and ``+720``)."""
    if not _BED_INTEGER.fullmatch(text):
        raise ValueError(text)
    return int(text)


#: What a file named as BED is when its first line starts with the key, and what to do.
_NOT_BED = {">": "; the file looks like FASTA: give it a FASTA name (.fa, .fa.gz), not a BED one",
            "@": "; the file looks like FASTQ: convert it to FASTA (e.g. seqkit fq2fa)"}


def _first_line(path, skipped: tuple = ()) -> str:
    """The first non-empty line of ``path`` not starting with one of ``skipped``; '' for none, or a file that
    cannot be read (it is named when it is read)."""
    try:
        with iter_text_stream(str(path)) as stream:
            for line in stream:
                if line.strip() and not line.startswith(skipped):
                    return line
    except (InputError, OSError):
        pass
    return ""


def _not_bed_hint(path) -> str:
    """:data:`_NOT_BED`'s hint for the first non-empty line of ``path``; '' for BED, or a file that cannot be read."""
    return _NOT_BED.get(_first_line(path)[:1], "")


def _first_line_is_bed(path) -> bool:
    """Whether the first line of ``path`` that is no header or comment reads as a BED line (chrom, start, end)."""
    return looks_like_bed(_first_line(path, ("#", "track", "browser")))


def _bed_interval(columns: list, name: str, number: int, line: str) -> BedInterval:
    where = f"{name}, line {number}"
    while len(columns) > 3 and not columns[-1].strip():
        columns = columns[:-1]  # trailing tabs (an awk or spreadsheet edit) do not make a narrowPeak line 11 columns
    if len(columns) < 3:
        hint = _NOT_BED.get(line[:1], "")
        raise InputError(f"{where}: a BED line needs tab-separated chrom, start and end, found {line[:60]!r}{hint}")
    chrom = columns[0].strip()
    try:
        start, end = _bed_integer(columns[1]), _bed_integer(columns[2])
    except ValueError:
        # 'chrom start end ...' or 'seqnames start end' (an R or pandas export): a column header, not an interval
        header = "; a column header? start it with # (or remove it)" if not any(
            character.isdigit() for character in columns[1] + columns[2]) else ""
        raise InputError(f"{where}: start and end must be integers, found {columns[1]!r} and {columns[2]!r}"
                         f"{header}") from None
    if not 0 <= start < end:
        raise InputError(f"{where}: the interval must have 0 <= start < end, found {start}-{end}")
    strand = columns[5].strip() if len(columns) > 5 else "."
    if strand not in ("+", "-", "."):
        raise InputError(f"{where}: strand (column 6) must be +, - or ., found {strand!r}")
    summit = -1
    # Column 10 is narrowPeak's summit on 10-column lines only: in BED12 (and gappedPeak) it is blockCount.
    if len(columns) == 10:
        try:
            summit = _bed_integer(columns[9])
        except ValueError:
            raise InputError(f"{where}: the summit (column 10) must be an integer, found {columns[9]!r}") from None
        if summit >= end - start or summit < -1:
            raise InputError(f"{where}: the summit offset (column 10) {summit} lies outside the interval "
                             f"{start}-{end} (offsets run from 0 to {end - start - 1}; -1: none)")
    return BedInterval(chrom, start, end, strand, summit, number)


def check_interval(interval: BedInterval, genome: Genome, name: str) -> None:
    """Refuse an interval on a chromosome the genome lacks, or past the chromosome's end."""
    where = f"{name}, line {interval.line}"
    if interval.chrom not in genome.lengths:
        raise InputError(f"{where}: chromosome {interval.chrom!r} is not in the genome {genome.path} "
                         f"({genome.describe_names(interval.chrom)})")
    size = genome.lengths[interval.chrom]
    if interval.end > size:
        raise InputError(f"{where}: end {interval.end} lies past the end of {interval.chrom} ({size} bases in "
                         f"{genome.path})")


def bed_windows(path, genome: Genome, length: int) -> list:
    """The windows of a BED file's intervals, checked against ``genome`` (see :func:`read_bed`)."""
    name = str(path)
    windows = []
    for interval in read_bed(name):
        check_interval(interval, genome, name)
        windows.append(interval.window(length))
    return windows


def windows_block(name: str, windows, sequences) -> FastaBlock:
    """A :class:`FastaBlock` named ``name`` of the windows' sequences (ids ``chrom:start-end(strand)``)."""
    return sequence_block(name, [window.id for window in windows], sequences)


def sequence_block(name: str, ids, sequences) -> FastaBlock:
    """A :class:`FastaBlock` of ``sequences`` (bytes) under the headers ``ids``."""
    letters = np.frombuffer(b"".join(sequences), dtype=np.uint8).copy()
    lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    return FastaBlock(name, 1, list(ids), letters, lengths)


def read_bed_block(path, genome: Genome, length: int) -> FastaBlock:
    """A BED file's windows as one :class:`FastaBlock` (the loader's input)."""
    windows = bed_windows(path, genome, length)
    partial = sum(1 for window in windows if window.start < 0 or window.end > genome.lengths[window.chrom])
    if partial:
        log.info("%s: %d window(s) reach past a chromosome's end and are padded with N", path, partial)
    sequences = [genome.fetch(window) for window in windows]
    _warn_mostly_n(path, genome, windows, sequences)
    return windows_block(str(path), windows, sequences)


def _warn_mostly_n(path, genome: Genome, windows: list, sequences: list) -> None:
    """Warn about windows more than half N: assembly gaps, which peaks of the same assembly rarely fall in (the N
    padding past a chromosome's end is not counted: that is the edge, not a gap)."""
    def gap(window, sequence) -> bool:
        padded = max(0, -window.start) + max(0, window.end - genome.lengths[window.chrom])
        return 2 * (sequence.upper().count(b"N") - padded) > len(sequence) - padded

    gaps = [window for window, sequence in zip(windows, sequences) if gap(window, sequence)]
    if gaps:
        first = gaps[0]
        log.warning("%s: %d of %d window(s) are more than half N (the first: %s:%d-%d), as in an assembly gap; are the "
                    "BED file and --genome %s of the same assembly?", path, len(gaps), len(windows), first.chrom,
                    first.start, first.end, genome.path)


def iter_bed_blocks(path, genome: Genome, length: int, records: int = 4096):
    """Yield a BED file's windows in blocks of ``records`` windows (streaming prediction: memory stays flat)."""
    name = str(path)
    part, first = [], 0
    for interval in iter_bed(name):
        check_interval(interval, genome, name)
        part.append(interval.window(length))
        if len(part) == records:
            yield _numbered_block(name, genome, part, first)
            part, first = [], first + len(part)
    if part:
        yield _numbered_block(name, genome, part, first)


def _numbered_block(name: str, genome: Genome, windows: list, first: int) -> FastaBlock:
    block = windows_block(name, windows, [genome.fetch(window) for window in windows])
    block.first_number = first + 1
    return block


def check_genome_options(genome, fasta_paths, structure, genome_for_bed_only: bool = False) -> None:
    """Refuse BED input without ``--genome``, and ``--genome`` with sequence+structure input.

    With ``genome_for_bed_only`` (``predict``, which reads the genome for BED inputs and nothing else;
    ``train`` reads it for ``--background genomic``, ``scan``, ``motifs`` and ``attribute --bedgraph`` map
    FASTA records named ``chrom:start-end(strand)`` onto it), also ``--genome`` when no input is a BED
    file: it would be ignored.
    """
    bed = [path for path in fasta_paths if is_bed_path(path)]
    if bed and genome is None:
        for path in bed:  # a FASTA file named .bed: asking for --genome would send the user the wrong way
            hint = _not_bed_hint(path)
            if hint:
                raise InputError(f"{path}: named as a BED file{hint}")
        raise OptionValueError(f"{bed[0]}: BED input needs --genome FILE.fa (the sequences of its intervals)")
    if genome is not None and not bed and genome_for_bed_only:
        from .fasta import is_pipe

        pipes = [path for path in fasta_paths if path == "-" or is_pipe(path)]
        if pipes:  # the shell's <(...) or a pipe: BED is told by a file's name, which a pipe lacks
            pipe = "standard input" if pipes[0] == "-" else pipes[0]
            raise OptionValueError(f"--genome {genome} reads the windows of BED files, told by their names (.bed, "
                                   f".narrowPeak, .broadPeak), and {pipe} is a pipe: if it carries BED lines, save "
                                   "them to a file of such a name")
        for path in fasta_paths:  # BED lines in a .txt file: "leave out --genome" sent the user the wrong way
            if _first_line_is_bed(path):
                raise InputError(f"{path}: looks like BED, and BED files are told by their names: name it .bed (or "
                                 ".narrowPeak, .broadPeak) to read its windows from --genome")
        raise OptionValueError(f"--genome {genome} reads the windows of BED files (.bed, .narrowPeak, .broadPeak), and "
                         "none of the inputs is one: FASTA records are read as they are; leave out --genome")
    if genome is not None and structure:
        # (exit 1: a run's saved structure, not only the command line, may be the cause)
        raise ParamError("--genome reads plain DNA windows; it does not go with --structure-alphabet")
