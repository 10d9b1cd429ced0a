"""MEME minimal motif format (version 4): writing kernel motifs and reading them back.

The files are read by MEME-suite tools (TOMTOM, FIMO, SEA) and by memelite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import write_text
from ..data.fasta import display_name, iter_text_stream
from ..errors import InputError

_STANDARD = {"ACGT": "ACGT", "ACGU": "ACGU", "ACDEFGHIKLMNPQRSTVWY": "ACDEFGHIKLMNPQRSTVWY"}
_MATRIX_HEADER = re.compile(r"letter-probability matrix:(.*)$")
# Lines that start a section of a MEME file, and so end the matrix before them (some hold numbers:
# 'MOTIF 1', 'letter-probability matrix: alength= 4 w= 6').
_SECTIONS = ("MOTIF", "URL", "letter-probability", "log-odds", "ALPHABET", "END ALPHABET", "strands",
             "Background")


@dataclass
class MemeMotif:
    """A motif as stored in a MEME file.

    Attributes
    ----------
    name : str
        Identifier (``kernel_3``).
    alt_name : str
        Alternate name (one word, e.g. ``importance=0.81``).
    pwm : numpy.ndarray, shape=(width, letters)
    nsites : int
    """

    name: str
    alt_name: str
    pwm: np.ndarray
    nsites: int


def _alphabet_lines(letters: str, name: str) -> list:
    if letters in _STANDARD:
        return [f"ALPHABET= {letters}", ""]
    # A custom alphabet definition (MEME 4.11+): one symbol per line.
    return [f'ALPHABET "{name}"'] + list(letters) + ["END ALPHABET", ""]


def meme_order(symbols) -> str:
    """The core symbols of a MEME custom alphabet in the order of its matrices' columns.

    MEME sorts them, whatever order the ALPHABET block lists them in (its DNA-like definition
    lists ``A ~ T`` before ``C ~ G``, and its matrices are ACGT): letters, then digits, then other
    symbols, each by character code.
    """
    return "".join(sorted(symbols, key=lambda symbol: (0 if symbol.isalpha() else 1 if symbol.isdigit() else 2,
                                                       symbol)))


def format_meme(motifs, letters: str, background, alphabet_name: str = "motifnet", strands: bool = False) -> str:
    """MEME version 4 text for ``motifs``.

    Parameters
    ----------
    motifs : list of MemeMotif
    letters : str
        Column letters of every PWM. A custom alphabet's columns are written in MEME's order of
        its symbols (see :func:`meme_order`).
    background : array-like, shape=(letters,)
        Letter frequencies of the data.
    alphabet_name : str
        Name of a custom alphabet (ignored for DNA, RNA, protein).
    strands : bool
        Write ``strands: + -`` (only for DNA, where a complement exists).
    """
    if letters not in _STANDARD and meme_order(letters) != letters:
        # Columns in MEME's order of the symbols, which is how MEME (and read_meme) reads them.
        columns = [letters.index(symbol) for symbol in meme_order(letters)]
        motifs = [MemeMotif(motif.name, motif.alt_name, np.asarray(motif.pwm)[:, columns], motif.nsites)
                  for motif in motifs]
        background = np.asarray(background)[columns]
        letters = meme_order(letters)
    lines = ["MEME version 4", ""] + _alphabet_lines(letters, alphabet_name)
    if strands:
        lines += ["strands: + -", ""]
    frequencies = " ".join(f"{letter} {frequency:.4f}" for letter, frequency in zip(letters, background))
    lines += ["Background letter frequencies", frequencies, ""]
    for motif in motifs:
        lines.append(f"MOTIF {motif.name} {motif.alt_name}".rstrip())
        width, alength = motif.pwm.shape
        lines.append(f"letter-probability matrix: alength= {alength} w= {width} nsites= {motif.nsites} E= 0")
        lines += [" ".join(f"{value:.6f}" for value in row) for row in motif.pwm]
        lines.append("")
    return "\n".join(lines)


def write_meme(path, motifs, letters: str, background, alphabet_name: str = "motifnet", strands: bool = False):
    """Write :func:`format_meme` output atomically."""
    write_text(path, format_meme(motifs, letters, background, alphabet_name, strands))


def read_meme(path) -> tuple:
    """Read a MEME minimal-format file, or MEME's text output (``meme.txt``), plain or gzip-compressed.

    Returns
    -------
    (letters, motifs)
        The alphabet's letters (a custom ALPHABET block's core symbols in MEME's order, see
        :func:`meme_order`, which is the order of the matrices' columns) and a list of :class:`MemeMotif`.

    Raises
    ------
    InputError
        A missing file or a folder; a file not in MEME minimal format (a motif without a name or
        without a letter-probability matrix, say), or a matrix that does not hold probabilities (see
        :func:`checked_probabilities`; rows that sum to 1 within :data:`ROW_SUM_TOLERANCE` are rescaled).
    """
    return parse_meme(text_lines(path), display_name(path))  # messages name '-' as standard input


def is_meme(first_line: str) -> bool:
    """Whether a file whose first non-blank line is ``first_line`` (stripped) is a MEME file: its version line, or
    the banner of MEME's text output (``meme.txt``) before it."""
    return first_line.startswith(("MEME version", "MEME - ", "*"))


def parse_meme(lines, path) -> tuple:
    """:func:`read_meme` of a file's stripped ``lines`` (``path`` names the file in messages)."""
    # MEME's own text output (meme.txt) opens with a banner before its version line, as TOMTOM and FIMO accept.
    banner = 0
    # Blank lines before the version line are skipped, as MEME's own tools do.
    while banner < len(lines) and (not lines[banner] or lines[banner].startswith(("*", "MEME - "))):
        banner += 1
    if banner == len(lines) or not lines[banner].startswith("MEME version"):
        raise InputError(f"{path}: not a MEME motif file (first line must be 'MEME version ...')")
    letters = None
    motifs = []
    declared = []  # each motif's alength= (None where its header has none)
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("ALPHABET="):
            letters = _one_alphabet(letters, line.split("=", 1)[1].strip(), path)
        elif line.startswith("ALPHABET "):
            symbols = []
            index += 1
            while index < len(lines) and lines[index] != "END ALPHABET":
                definition = lines[index].split("#", 1)[0].strip()
                # Core symbols only: 'A "name" colour ~ T "name" colour' defines a complementary
                # pair; 'N = ACGT' lines are ambiguity codes and aliases.
                if definition and "=" not in definition:
                    symbols.append(definition[0])
                    if "~" in definition:
                        symbols.append(definition.split("~", 1)[1].strip()[0])
                index += 1
            letters = _one_alphabet(letters, meme_order(symbols), path)
        elif line.split()[:1] == ["MOTIF"]:
            words = line.split()
            if len(words) < 2:
                raise InputError(f"{path}: motif {len(motifs) + 1} has no name; write 'MOTIF NAME' on its line")
            # meme.txt: 'MOTIF GCGCGCGC MEME-1 width = 8 sites = 13 llr = 142 E-value = 1.1e-018'
            name, alt = words[1], re.sub(r"\s*\bwidth\s*=.*$", "", " ".join(words[2:]))
            index += 1
            # The matrix belongs to this motif only if it comes before the next one (or the end of the file).
            while index < len(lines) and not lines[index].startswith(("letter-probability", "MOTIF")):
                index += 1
            header = _MATRIX_HEADER.match(lines[index]) if index < len(lines) else None
            if header is None:
                raise InputError(f"{path}: motif {name} has no letter-probability matrix; give each MOTIF a "
                                 "'letter-probability matrix: alength= LETTERS w= WIDTH' line followed by WIDTH "
                                 "rows of probabilities")
            fields = dict(re.findall(r"(\w+)=\s*(\S+)", header.group(1)))
            width, nsites = _header_numbers(fields, f"{path}: motif {name}")
            pwm = _matrix_rows(lines, index + 1, width, f"{path}: motif {name}")
            motifs.append(MemeMotif(name, alt, pwm, nsites))
            declared.append(fields.get("alength"))
            index += len(pwm)
        index += 1
    if letters is None:
        raise InputError(f"{path}: no ALPHABET line; add one after the 'MEME version' line: 'ALPHABET= ACGT' for DNA, "
                         "'ALPHABET= ACGU' for RNA, 'ALPHABET= ACDEFGHIKLMNPQRSTVWY' for protein")
    for motif, alength in zip(motifs, declared):
        motif.pwm = checked_probabilities(motif.pwm, letters, f"{path}: motif {motif.name}")
        if alength is not None and parse_number(alength) != len(letters):
            raise InputError(f"{path}: motif {motif.name}: alength= {alength}, but the alphabet {letters} and the "
                             f"matrix rows have {len(letters)} letters; write alength= {len(letters)}")
    return letters, motifs


def _one_alphabet(letters, new: str, path) -> str:
    """The file's alphabet: ``new``, unless an earlier ALPHABET gave other letters (files concatenated by hand).

    MEME's alphabets ignore case unless they define a letter in both cases: ``ALPHABET= acgt`` is DNA (it was
    read as an alphabet of its own, matched on one strand and refused against JASPAR), as are RNA and protein in
    lower case. Other letters keep their case, as motifnet's custom alphabets do where they mix cases.
    """
    from ..data.alphabets import NAMED_ALPHABETS

    if new.islower() and new.upper() in {alphabet.letters for alphabet in NAMED_ALPHABETS.values()}:
        new = new.upper()
    if letters is not None and letters != new:
        raise InputError(f"{path}: two ALPHABET definitions, {letters} and then {new}; a MEME file holds motifs "
                         "over one alphabet: split it into one file per alphabet")
    return new


def text_lines(path) -> list:
    """The stripped lines of a motif file, plain or gzip; ``-`` reads standard input.

    A UTF-8 byte-order mark is dropped.
    """
    if str(path) != "-" and Path(path).is_dir():
        raise InputError(f"{path}: a folder, not a motif file")
    # Bytes that are not UTF-8 (a Latin-1 motif name) are read as U+FFFD, with a warning naming the line; NUL
    # bytes (UTF-16, binary data) are refused naming it.
    with iter_text_stream(path) as stream:
        return [line.strip() for line in stream]


#: How far a row of a letter-probability matrix may sum from 1 (rounding in files written with few
#: decimals) before it is refused rather than rescaled.
ROW_SUM_TOLERANCE = 0.05


def _header_numbers(fields: dict, where: str) -> tuple:
    """The width (``w=``; None when absent: MEME's format makes it optional, the rows give it) and number of
    sites (``nsites=``, 0 when absent) of a matrix header's ``fields``."""
    width = _width(fields["w"], where) if "w" in fields else None
    nsites = parse_number(fields.get("nsites", "0"))
    if nsites is None or not np.isfinite(nsites) or nsites < 0:
        raise InputError(f"{where}: nsites= {fields['nsites']!r} is not a number of sites; write the number of "
                         "sites the matrix was made from (0 if unknown) after nsites=")
    return width, int(nsites)


def _width(text: str, where: str) -> int:
    width = parse_number(text)
    if width is None or not np.isfinite(width) or not width.is_integer():
        raise InputError(f"{where}: w= {text!r} is not a whole number; write the matrix's number of "
                         "rows (positions) after w=, or leave w= out")
    return int(width)


def _matrix_rows(lines, start: int, width: int | None, where: str) -> np.ndarray:
    """The rows of numbers of a letter-probability matrix from ``lines[start]`` on, which must be ``width``
    (None: as many as there are, at least one)."""
    if width is not None and width < 1:
        raise InputError(f"{where}: w= {width}; a motif needs at least one row")
    rows = []
    for line_index in range(start, len(lines)):
        line = lines[line_index]
        tokens = line.split()
        values = [parse_number(token) for token in tokens]
        commas = [token for token in tokens if _DECIMAL_COMMA.fullmatch(token)]
        if line.startswith(_SECTIONS) or not any(value is not None for value in values) and not commas:
            break  # a blank line or the next section: the matrix ends here
        if None in values:
            # A row of numbers with one that is not: a typo in the row, not the end of the matrix.
            token = commas[0] if commas else tokens[values.index(None)]
            fix = (f"write decimals with a point ({token.replace(',', '.')})" if commas else
                   "write the letter's probability (0 to 1) there")
            raise InputError(f"{where}, row {len(rows) + 1}: {token!r} is not a number; {fix}")
        rows.append(values)
    if width is None and not rows:
        raise InputError(f"{where}: no rows of numbers follow the 'letter-probability matrix' line; give one row "
                         "of one number per letter for each position")
    if width is not None and len(rows) != width:
        # Rows beyond w= are refused too: reading only the first w= would drop the rest without a word.
        raise InputError(f"{where}: w= {width} but {len(rows)} rows of numbers follow the 'letter-probability "
                         "matrix' line; give WIDTH rows of one number per letter")
    lengths = [len(row) for row in rows]
    if len(set(lengths)) > 1:
        raise InputError(f"{where}: rows of different lengths ({', '.join(map(str, lengths))} numbers); give "
                         "WIDTH rows of one number per letter")
    return np.array(rows, dtype=np.float64)


#: A number written with a decimal comma ('0,25'), as some locales' spreadsheets export it.
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")


def parse_number(token: str) -> float | None:
    """``token`` as a float, or None when it is not a number."""
    try:
        return float(token)
    except ValueError:
        return None


def first_invalid_row(matrix: np.ndarray) -> int | None:
    """The index of the first row of ``matrix`` with a negative or non-finite value, or None."""
    invalid = np.flatnonzero(~np.isfinite(matrix).all(axis=1) | (matrix < 0).any(axis=1))
    return int(invalid[0]) if len(invalid) else None


def checked_probabilities(pwm: np.ndarray, letters: str, where: str) -> np.ndarray:
    """``pwm`` checked to hold probabilities over ``letters``; rows summing to 1 only roughly are rescaled.

    Raises
    ------
    InputError
        Rows of another length than ``letters``, values that are negative or not finite, or a row
        whose sum is further than :data:`ROW_SUM_TOLERANCE` from 1 (counts, say).
    """
    if pwm.shape[1] != len(letters):
        raise InputError(f"{where}: rows of {pwm.shape[1]} values; the alphabet {letters} needs {len(letters)}")
    if (row := first_invalid_row(pwm)) is not None:
        raise InputError(f"{where}, row {row + 1}: negative or non-numeric probabilities "
                         f"({' '.join(f'{value:g}' for value in pwm[row])})")
    with np.errstate(over="ignore"):  # values near the float limit sum to inf: said below, not as a numpy warning
        sums = pwm.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1) > ROW_SUM_TOLERANCE)
    if len(off):
        raise InputError(f"{where}, row {off[0] + 1}: the probabilities sum to {sums[off[0]]:g}, not 1; a "
                         "letter-probability matrix holds probabilities (for counts, divide each row by its total)")
    # Rows written to a few decimals are rescaled; those that sum to 1 to the file's precision are kept
    # as written, so that a matrix read back is the one written.
    rounded = np.abs(sums - 1) > 1e-4
    return np.where(rounded[:, None], pwm / sums[:, None], pwm)
