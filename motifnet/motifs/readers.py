"""Motif files in the formats the field exchanges: MEME, JASPAR, TRANSFAC and HOMER, told apart by their text.

:func:`read_motifs` reads any of them into probability matrices (:class:`MemeMotif`), so that ``compare``, ``scan``
and ``marginalize`` take a JASPAR download, a TRANSFAC or HOMER library, or motifnet's own ``--formats`` exports
as they take a MEME file. JASPAR and TRANSFAC files are parsed by Biopython (``Bio.motifs``), HOMER files as
:mod:`motifnet.motifs.homer` writes and HOMER reads them; counts become probabilities per position.
"""

from __future__ import annotations

import io
import re

import numpy as np

from ..data.fasta import display_name
from ..errors import InputError
from .homer import parse_homer
from .meme import MemeMotif, checked_probabilities, first_invalid_row, is_meme, parse_meme, parse_number, text_lines

#: The formats :func:`read_motifs` reads, as messages name them.
READ_FORMATS = "MEME, JASPAR, TRANSFAC or HOMER"
_DNA = "ACGT"
# A TRANSFAC line opens with a two-letter code and spaces: 'AC  M00001', 'P0      A      C      G      T', 'XX'.
_TRANSFAC_LINE = re.compile(r"^(AC|ID|NA|DE|VV|BF|XX|P0|PO)(\s|$)")
# A JASPAR row: 'A  [ 0  3 79 ]' (the brackets optional in JASPAR's files of 2010 to 2014).
_JASPAR_ROW = re.compile(r"^([A-Za-z])\s*\[(.*)\]$")


def read_motifs(path) -> tuple:
    """The letters and motifs of a motif file in MEME, JASPAR, TRANSFAC or HOMER format, plain or gzip.

    The format is told by the first line that is not blank: ``MEME version`` (or the banner of
    MEME's text output); ``>ID NAME`` followed by ``A [ counts ]`` rows or by four rows of counts
    (JASPAR); ``>CONSENSUS<TAB>NAME<TAB>THRESHOLD`` (HOMER); a TRANSFAC line code (``AC``, ``ID``,
    ``NA``, ``VV``, ``P0``, ``XX``). JASPAR and TRANSFAC matrices hold counts, or frequencies, over
    A, C, G and T (U for RNA, read as such); HOMER's hold DNA probabilities.

    Parameters
    ----------
    path : path or ``-``
        ``-`` reads standard input.

    Returns
    -------
    (letters, motifs)
        As :func:`motifnet.motifs.meme.read_meme`: ``name`` is the motif's ID (JASPAR's matrix ID,
        TRANSFAC's accession ``AC``, else ``ID``; HOMER's name column) and ``alt_name`` its name
        (JASPAR's name; TRANSFAC's ``ID``, else ``NA`` or ``DE``; HOMER's consensus); ``nsites`` the counts of a column
        (0 for HOMER and frequency matrices).

    Raises
    ------
    InputError
        A file in none of these formats, or a matrix that does not parse or holds negative,
        non-numeric or all-zero counts; the message names the file and the motif.
    """
    lines = text_lines(path)
    name = display_name(path)
    first = next((line for line in lines if line), "")
    if is_meme(first):
        return parse_meme(lines, name)
    if first.startswith(">"):
        second = next((line for line in lines[lines.index(first) + 1:] if line), "")
        if re.fullmatch(r"[A-Za-z.*-]+", second):
            raise InputError(f"{name}: a FASTA file (a '>' header followed by sequence letters), not a motif file in "
                             f"{READ_FORMATS} format")
        header = first[1:].split("\t")
        if len(header) >= 3 and parse_number(header[2]) is not None:
            motifs = [motif for motif, _ in parse_homer(lines, name)]
            # HOMER's matrices are DNA; motifnet's exports of RNA motifs spell their consensus with U.
            rna = any("U" in motif.alt_name.upper() for motif in motifs) and \
                not any("T" in motif.alt_name.upper() for motif in motifs)
            return ("ACGU" if rna else _DNA), motifs
        return _parse_counts(lines, name, "jaspar")
    if _TRANSFAC_LINE.match(first):
        return _parse_counts(lines, name, "transfac")
    shown = first if len(first) <= 60 else first[:57] + "..."
    raise InputError(f"{name}: not a motif file in {READ_FORMATS} format (its first line is {shown!r}); a MEME file "
                     "opens with 'MEME version', a JASPAR or HOMER file with '>', a TRANSFAC file with 'AC', 'ID' or "
                     "'VV'")


def _parse_counts(lines, path, kind: str) -> tuple:
    """JASPAR or TRANSFAC ``lines`` through Biopython; RNA files (U in place of T) are read with U."""
    from Bio import motifs as biomotifs

    letters, text = _as_dna(lines, path, kind)
    label = "JASPAR" if kind == "jaspar" else "TRANSFAC"
    try:
        # Not strict: TRANSFAC files written by other tools space their columns by tabs or one space.
        records = list(biomotifs.parse(io.StringIO(text), kind, strict=False))
    except Exception as error:  # Biopython raises ValueError, KeyError or bare Exception on malformed text
        raise InputError(f"{path}: not a readable {label} motif file ({error}); "
                         f"{_FORMAT_HINT[kind]}") from None
    begun = sum(1 for line in lines if line.startswith(">")) if kind == "jaspar" else \
        sum(1 for line in lines if line.split()[:1] in (["P0"], ["PO"]))
    if len(records) != begun:
        raise InputError(f"{path}: {begun} {label} {'matrix begins' if begun == 1 else 'matrices begin'}, but "
                         f"{len(records) or 'none'} {'is' if len(records) < 2 else 'are'} complete; "
                         f"{_FORMAT_HINT[kind]}")
    motifs = [_counts_motif(record, kind, number, path, letters) for number, record in enumerate(records, start=1)]
    return letters, motifs


_FORMAT_HINT = {
    "jaspar": "each motif is a '>ID NAME' line and one 'X [ counts ]' row for each of A, C, G and T (or U)",
    "transfac": "each motif has a 'P0  A  C  G  T' line (or U for RNA), one numbered row of counts per position, "
                "and ends with '//'",
}


def _as_dna(lines, path, kind: str) -> tuple:
    """The letters of a JASPAR or TRANSFAC file (ACGT or ACGU) and its text with U rows relabelled T for Biopython.

    Raises
    ------
    InputError
        Rows or columns named by other letters (protein, say): these formats are read for DNA and RNA.
    """
    labels = set()
    for line in lines:
        if kind == "jaspar" and (row := _JASPAR_ROW.match(line)):
            labels.add(row.group(1).upper())
        elif kind == "transfac" and line.split()[:1] in (["P0"], ["PO"]):
            labels.update(letter.upper() for letter in line.split()[1:])
    if labels and not (labels <= set(_DNA) or labels <= set("ACGU")):
        label = "JASPAR" if kind == "jaspar" else "TRANSFAC"
        raise InputError(f"{path}: {label} matrices over the letters {''.join(sorted(labels))}; {label} files are "
                         "read for DNA (A C G T) and RNA (A C G U): give motifs over other letters as a MEME file "
                         "(motifnet writes one beside each export)")
    letters = "ACGU" if "U" in labels else _DNA
    return letters, "\n".join(_as_dna_line(line, kind) for line in lines) + "\n"


def _as_dna_line(line: str, kind: str) -> str:
    """``line`` with its letters as Biopython reads them: upper case, U as T."""
    if kind == "jaspar" and (row := _JASPAR_ROW.match(line)):
        return f"{row.group(1).upper().replace('U', 'T')}  [{row.group(2)}]"
    if kind == "transfac" and line.split()[:1] in (["P0"], ["PO"]):
        return "  ".join([line.split()[0], *(letter.upper().replace("U", "T") for letter in line.split()[1:])])
    return line


def _counts_motif(record, kind: str, number: int, path, letters: str) -> MemeMotif:
    """A Biopython motif as probabilities (each position's counts over their total), named as the file names it."""
    if kind == "jaspar":
        name, alt_name = record.matrix_id or record.name, record.name if record.name != record.matrix_id else ""
    else:
        # The accession names a matrix uniquely (JASPAR's TRANSFAC export gives ID the factor's name, shared by
        # several matrices); the identifier, else the factor's name or description, is the alternate name.
        fields = dict(record)
        name = fields.get("AC") or fields.get("ID") or fields.get("NA") or f"motif_{number}"
        alt_name = next((fields[key] for key in ("ID", "NA", "DE") if fields.get(key) and fields[key] != name), "")
    name, alt_name = str(name).strip(), " ".join(str(alt_name).split())
    counts = np.array([record.counts[letter] for letter in _DNA], dtype=np.float64).T
    where = f"{path}: motif {name}"
    if counts.size == 0:
        raise InputError(f"{where}: an empty matrix")
    if (row := first_invalid_row(counts)) is not None:
        raise InputError(f"{where}, position {row + 1}: negative or non-numeric counts "
                         f"({' '.join(f'{value:g}' for value in counts[row])})")
    totals = counts.sum(axis=1)
    if (totals == 0).any():
        raise InputError(f"{where}, position {int(np.flatnonzero(totals == 0)[0]) + 1}: all counts are 0; "
                         "each position needs a count above 0")
    pwm = checked_probabilities(counts / totals[:, None], letters, where)
    # Counts name their sites (a column's total); frequencies (totals of 1) do not.
    nsites = int(round(float(np.median(totals)))) if np.median(totals) > 1.5 else 0
    return MemeMotif(name, alt_name, pwm, nsites)
