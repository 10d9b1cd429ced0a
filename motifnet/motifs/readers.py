"""Motif files in the formats the field exchanges: MEME, JASPAR, TRANSFAC and HOMER, told apart by their text.

:func:`read_motifs` reads any of them into probability matrices (:class:`MemeMotif`), so that ``compare``, ``scan``
and ``marginalize`` take a JASPAR download, a TRANSFAC, HOMER or HOCOMOCO library, or motifnet's own ``--formats``
exports as they take a MEME file. Matrices are parsed by Biopython (``Bio.motifs``), one motif at a time so that
a message can name the motif and its line; counts become probabilities per position.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

import numpy as np

from ..data.fasta import display_name
from ..errors import InputError
from .meme import MemeMotif, checked_probabilities, first_invalid_row, is_meme, parse_meme, parse_number, text_lines

log = logging.getLogger("motifnet")

#: The formats :func:`read_motifs` reads, as messages name them.
READ_FORMATS = "MEME, JASPAR, TRANSFAC or HOMER"
_DNA = "ACGT"
# A TRANSFAC line: a two-letter code or a position number, then spaces and a value ('AC  M00001', 'XX', '01  1 2 3 4').
_TRANSFAC_LINE = re.compile(r"^([A-Z][A-Z0-9]|\d+)(\s|$)")
_TRANSFAC_FIRST = re.compile(r"^(AC|ID|NA|DE|VV|BF|XX|P0|PO)(\s|$)")
# A JASPAR row of counts for one letter: 'A  [ 0  3 79 ]'.
_JASPAR_ROW = re.compile(r"^([A-Za-z])\s*\[(.*)\]$")
_HINT = {
    "jaspar": "a JASPAR motif is a '>ID NAME' line and a row 'X [ counts ]' for each of A, C, G and T (or U), or four "
              "rows of counts without letters; a HOMER or HOCOMOCO motif is a '>' line and one row of four numbers "
              "(A C G T) per position",
    "transfac": "a TRANSFAC motif has a 'P0  A  C  G  T' line (or U for RNA), one numbered row of counts per "
                "position, and ends with '//'",
}


@dataclass
class MotifDatabase:
    """Motifs read from one source, for TOMTOM and scanning.

    Attributes
    ----------
    letters : str
        Column letters of every matrix.
    motifs : list of MemeMotif
        ``name`` is the motif ID (``MA0139.2``), ``alt_name`` its name (``CTCF``).
    source : str
        What was loaded, for messages and the report (``JASPAR2026 CORE, all taxonomic groups``).
    nucleic : bool
        The file names no alphabet (HOMER and other per-position matrices, JASPAR rows without
        letters): its A C G T columns read as A C G U for RNA motifs too. Default is False.
    """

    letters: str
    motifs: list
    source: str
    nucleic: bool = False


def read_motifs(path) -> MotifDatabase:
    """The motifs of a motif file in MEME, JASPAR, TRANSFAC or HOMER format, plain or gzip.

    The format is told by the first line that is not blank: ``MEME version`` (or the banner of
    MEME's text output); ``>`` (JASPAR, HOMER, HOCOMOCO: each motif a ``>`` line and the rows
    of its matrix); a TRANSFAC line code (``AC``, ``ID``, ``NA``, ``VV``, ``P0``, ``XX``). A ``>``
    motif's rows are JASPAR's ``A [ counts ]`` rows, four rows of counts without letters (JASPAR's
    ``.pfm``), or one row of four numbers (A C G T) per position (HOMER, HOCOMOCO, CIS-BP); four
    rows of four numbers are read per position when their rows, and not their columns, have one
    total. JASPAR and TRANSFAC letters are A, C, G and T, or U (RNA, read as such).

    Parameters
    ----------
    path : path or ``-``
        ``-`` reads standard input.

    Returns
    -------
    MotifDatabase
        ``source`` is the file and its number of motifs. Each motif is named by its ID (JASPAR's
        matrix ID, TRANSFAC's accession ``AC``, else ``ID``; HOMER's name column, else the first
        word of the ``>`` line) and its name (JASPAR's name, TRANSFAC's ``ID``, else ``NA`` or
        ``DE``, HOMER's consensus); ``nsites`` is a position's total count (0 for frequencies).

    Raises
    ------
    InputError
        An empty file, a file in none of these formats, or a matrix that does not parse or holds
        negative, non-numeric or all-zero counts; the message names the file, the motif and its line.
    """
    return parse_motifs(text_lines(path), display_name(path))


def parse_motifs(lines, name) -> MotifDatabase:
    """:func:`read_motifs` of a file's stripped ``lines`` (``name`` names the file in messages)."""
    first = next((number for number, line in enumerate(lines) if line), None)
    if first is None:
        raise InputError(f"{name}: an empty file; give a motif file ({READ_FORMATS})")
    if is_meme(lines[first]):
        # Motifs of another format appended (files concatenated) would be skipped as text between MEME's sections.
        other = next((number for number, line in enumerate(lines, start=1)
                      if line.startswith(">") or _is_matrix_line(line)), None)
        if other is not None:
            raise InputError(f"{name}:{other}: a motif of another format ({lines[other - 1][:40]!r}) in a MEME file; "
                             "give one format per file")
        letters, motifs = parse_meme(lines, name)
        return MotifDatabase(letters, motifs, f"{name} ({len(motifs)} motif(s))")
    if lines[first].startswith(">"):
        second = next((line for line in lines[first + 1:] if line), "")
        if re.fullmatch(r"[A-Za-z.*-]+", second):
            raise InputError(f"{name}: a FASTA file (a '>' header followed by sequence letters), not a motif file in "
                             f"{READ_FORMATS} format")
        letters = _letters(lines, name, "jaspar")
        motifs = [_header_motif(block, name, letters, index) for index, block in enumerate(_blocks(lines), start=1)]
        # Rows without letters (HOMER, HOCOMOCO, JASPAR's .pfm) name no alphabet.
        nucleic = letters == _DNA and not any(_JASPAR_ROW.match(line) for line in lines)
        return MotifDatabase(letters, motifs, f"{name} ({len(motifs)} motif(s))", nucleic)
    if _TRANSFAC_FIRST.match(lines[first]):
        letters = _letters(lines, name, "transfac")
        motifs = _transfac_motifs(lines, name, letters)
        return MotifDatabase(letters, motifs, f"{name} ({len(motifs)} motif(s))")
    shown = lines[first] if len(lines[first]) <= 60 else lines[first][:57] + "..."
    raise InputError(f"{name}: not a motif file in {READ_FORMATS} format (its first line is {shown!r}); a MEME file "
                     "opens with 'MEME version', a JASPAR or HOMER file with '>', a TRANSFAC file with 'AC', 'ID' or "
                     "'VV'")


def _blocks(lines) -> list:
    """``(line number, '>' line, [(line number, row), ...])`` of each motif of a ``>`` file."""
    blocks = []
    for number, line in enumerate(lines, start=1):
        if line.startswith(">"):
            blocks.append((number, line, []))
        elif line and blocks:
            blocks[-1][2].append((number, line))
    return blocks


def _homer_header(header: str) -> bool:
    """Whether a ``>`` line is HOMER's ``>CONSENSUS<TAB>NAME[<TAB>THRESHOLD...]``: its matrix has a row per position."""
    fields = header[1:].split("\t")
    return len(fields) >= 2 and re.fullmatch(r"[A-Za-z]+", fields[0].strip()) is not None


def _header_names(header: str, index: int) -> tuple:
    """(name, alternate name) of a ``>`` line: HOMER's name and consensus, else ``>ID NAME``."""
    if _homer_header(header):
        consensus, name = (field.strip() for field in header[1:].split("\t")[:2])
        return (name, consensus) if name else (consensus, "")
    words = header[1:].split()
    return (words[0], " ".join(words[1:])) if words else (f"motif_{index}", "")


def _header_motif(block, path, letters: str, index: int) -> MemeMotif:
    """The motif of one ``>`` block: JASPAR rows with letters or four rows without, or rows per position."""
    number, header, rows = block
    name, alt_name = _header_names(header, index)
    where = f"{path}:{number}: motif {name}"
    if not rows:
        raise InputError(f"{where}: no rows of counts follow its '>' line; {_HINT['jaspar']}")
    lettered = [_JASPAR_ROW.match(line) for _, line in rows]
    if any(lettered):
        if not all(lettered):
            row_number, line = next((row for row, match in zip(rows, lettered) if not match))
            raise InputError(f"{path}:{row_number}: motif {name}: a row without a letter among rows with letters "
                             f"({line[:40]!r}); {_HINT['jaspar']}")
        labels = [match.group(1).upper() for match in lettered]
        if sorted(labels) != sorted(letters):
            raise InputError(f"{where}: rows for {' '.join(labels)}; a JASPAR matrix has one row for each of "
                             f"{' '.join(letters)}")
        text = "\n".join([">" + name] + [_as_dna_line(line, "jaspar") for _, line in rows])
        return _counts_motif(_biopython(text, "jaspar", where), name, alt_name, where, letters)
    widths = [len(line.split()) for _, line in rows]
    if set(widths) == {4} and (len(rows) != 4 or _homer_header(header) or _per_position(rows, where)):
        text = "\n".join([">" + name] + [line for _, line in rows])
        return _counts_motif(_biopython(text, "pfm-four-columns", where), name, alt_name, where, letters)
    if len(rows) == 4 and len(set(widths)) == 1:
        text = "\n".join([">" + name] + [line for _, line in rows])
        return _counts_motif(_biopython(text, "jaspar", where), name, alt_name, where, letters)
    shape = f"{len(rows)} row{'s' if len(rows) != 1 else ''} of {'/'.join(map(str, sorted(set(widths))))} values"
    raise InputError(f"{where}: {shape}, neither four rows of counts (A, C, G, T) nor rows of four numbers per "
                     f"position; {_HINT['jaspar']}")


def _per_position(rows, where: str) -> bool:
    """Whether four rows of four numbers are positions (their rows have one total, their columns do not); a warning
    names ``where`` (the motif) when both have one."""
    values = np.array([[parse_number(value) for value in line.split()] for _, line in rows], dtype=float)
    if not np.isfinite(values).all():
        return False

    def one_total(totals):
        return np.ptp(totals) <= 0.01 * max(np.abs(totals).max(), 1e-12)

    rows, columns = one_total(values.sum(axis=1)), one_total(values.sum(axis=0))
    if rows and columns:
        log.warning("%s: four rows of four numbers whose rows and columns have one total each: read as JASPAR's rows "
                    "of A, C, G and T; for one row per position, give a HOMER line ('>CONSENSUS<TAB>NAME')", where)
    return bool(rows and not columns)


def _is_matrix_line(line: str) -> bool:
    """Whether ``line`` opens a TRANSFAC matrix: ``P0`` (or ``PO``, as JASPAR writes it) and the letters."""
    return line.split()[:1] in (["P0"], ["PO"])


def _transfac_motifs(lines, path, letters: str) -> list:
    """The motifs of a TRANSFAC file: each block up to ``//`` that holds a ``P0`` matrix, parsed on its own."""
    motifs, block = [], []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if line != "//" and not _TRANSFAC_LINE.match(line):
            raise InputError(f"{path}:{number}: not a TRANSFAC line ({line[:40]!r}); each line opens with a "
                             f"two-letter code (AC, ID, P0, XX, ...) or a position number; {_HINT['transfac']}")
        block.append((number, line))
        if line == "//":
            motifs += _transfac_block(block, path, letters, len(motifs) + 1)
            block = []
    if any(_is_matrix_line(line) for _, line in block):
        raise InputError(f"{path}:{block[0][0]}: the last motif does not end with '//'; {_HINT['transfac']}")
    if any(line != "XX" for _, line in block):
        raise InputError(f"{path}:{block[0][0]}: text after the last '//' that holds no matrix "
                         f"({block[0][1][:40]!r}); {_HINT['transfac']}")
    return motifs


def _transfac_block(block, path, letters: str, index: int) -> list:
    """The motif of one TRANSFAC block (none for a block without a matrix, such as the ``VV`` header)."""
    if not any(_is_matrix_line(line) for _, line in block):
        return []
    where = f"{path}:{block[0][0]}: motif {index}"
    text = "\n".join(_as_dna_line(line, "transfac") for _, line in block) + "\n"
    record = _biopython(text, "transfac", where)
    # The accession names a matrix uniquely (JASPAR's TRANSFAC export gives ID the factor's name, shared by
    # several matrices); the identifier, else the factor's name or description, is the alternate name.
    fields = {key: " ".join(str(value).split()) for key, value in dict(record).items() if isinstance(value, str)}
    name = fields.get("AC") or fields.get("ID") or fields.get("NA") or f"motif_{index}"
    alt_name = next((fields[key] for key in ("ID", "NA", "DE") if fields.get(key) and fields[key] != name), "")
    return [_counts_motif(record, name, alt_name, f"{path}:{block[0][0]}: motif {name}", letters)]


def _biopython(text: str, kind: str, where: str):
    """The one motif Biopython reads from ``text`` in format ``kind``.

    Raises
    ------
    InputError
        Biopython refuses the text (its reason is given), or reads no motif from it.
    """
    from Bio import motifs as biomotifs

    label = "TRANSFAC" if kind == "transfac" else "JASPAR/HOMER"
    hint = _HINT["transfac" if kind == "transfac" else "jaspar"]
    try:
        # Not strict: TRANSFAC files written by other tools space their columns by tabs or one space.
        records = list(biomotifs.parse(io.StringIO(text), kind, strict=False) if kind == "transfac"
                       else biomotifs.parse(io.StringIO(text), kind))
    except Exception as error:  # Biopython raises ValueError, KeyError or a bare Exception on malformed text
        raise InputError(f"{where}: not a readable {label} matrix ({type(error).__name__}: {error}); {hint}") from None
    if len(records) != 1:
        raise InputError(f"{where}: not a complete {label} matrix; {hint}")
    return records[0]


def _letters(lines, path, kind: str) -> str:
    """The letters of a JASPAR or TRANSFAC file: ACGT, or ACGU when its rows or columns are named with U.

    Raises
    ------
    InputError
        Rows or columns named by other letters (protein, say): these formats are read for DNA and RNA.
    """
    labels = set()
    for line in lines:
        if kind == "jaspar" and (row := _JASPAR_ROW.match(line)):
            labels.add(row.group(1).upper())
        elif kind == "transfac" and _is_matrix_line(line):
            labels.update(letter.upper() for letter in line.split()[1:])
    if labels and not (labels <= set(_DNA) or labels <= set("ACGU")):
        label = "JASPAR" if kind == "jaspar" else "TRANSFAC"
        raise InputError(f"{path}: {label} matrices over the letters {''.join(sorted(labels))}; {label} files are "
                         "read for DNA (A C G T) and RNA (A C G U): give motifs over other letters as a MEME file "
                         "(motifnet writes one beside each export)")
    return "ACGU" if "U" in labels else _DNA


def _as_dna_line(line: str, kind: str) -> str:
    """``line`` with its letters as Biopython reads them: upper case, U as T."""
    if kind == "jaspar" and (row := _JASPAR_ROW.match(line)):
        return f"{row.group(1).upper().replace('U', 'T')}  [{row.group(2)}]"
    if kind == "transfac" and _is_matrix_line(line):
        return "  ".join([line.split()[0], *(letter.upper().replace("U", "T") for letter in line.split()[1:])])
    return line


def _counts_motif(record, name: str, alt_name: str, where: str, letters: str) -> MemeMotif:
    """A Biopython motif as probabilities: each position's counts (or frequencies) over their total."""
    counts = np.array([record.counts[letter] for letter in _DNA], dtype=np.float64).T
    if counts.size == 0:
        raise InputError(f"{where}: an empty matrix")
    if (row := first_invalid_row(counts)) is not None:
        raise InputError(f"{where}, position {row + 1}: negative or non-numeric counts "
                         f"({' '.join(f'{value:g}' for value in counts[row])})")
    totals = counts.sum(axis=1)
    if (totals == 0).any():
        raise InputError(f"{where}, position {int(np.flatnonzero(totals == 0)[0]) + 1}: all counts are 0; "
                         "each position needs a count above 0")
    # Probabilities written to a few decimals are kept as written (checked_probabilities), so that a matrix reads
    # back as the one written; counts are divided by each position's total.
    written = np.abs(totals - 1) <= 1e-4
    pwm = checked_probabilities(np.where(written[:, None], counts, counts / totals[:, None]), letters, where)
    # Counts name their sites (a position's total); frequencies (totals of 1) do not.
    nsites = int(round(float(np.median(totals)))) if np.median(totals) > 1.5 else 0
    return MemeMotif(name, " ".join(alt_name.split()), pwm, nsites)
