"""The letters of the records: the alphabet detected from them, and warnings of letters that suggest another
alphabet (nucleotides read as protein, a stop codon or comment line read as letters, dot-brackets as sequence)."""

from __future__ import annotations

import logging

import numpy as np

from ..errors import InputError
from .alphabets import PROTEIN, PROTEIN_STRAYS, Alphabet, detect_alphabet, get_alphabet
from .encoding import CONTEXT_LETTERS, context_line, dot_bracket_fix, profile_rows_fix
from .fasta import record_at

log = logging.getLogger("motifnet")

_COUNT_CHUNK_BYTES = 1 << 22
_NUCLEOTIDE_SHARE_FOR_WARNING = 0.9


def byte_counts(files, structure_mode) -> np.ndarray:
    """How often each byte occurs in the sequences (not the structures)."""
    counts = np.zeros(256, dtype=np.int64)
    for input_file in files:
        if structure_mode is None:
            arrays = [block.letters for block in input_file.pending]
        else:
            arrays = [np.frombuffer(b"".join(record.lines[0] for record in input_file.pending if record.lines),
                                    dtype=np.uint8)]
        for letters in arrays:
            # A few MB at a time: np.bincount works on a platform-integer copy of its input.
            for start in range(0, len(letters), _COUNT_CHUNK_BYTES):
                counts += np.bincount(letters[start:start + _COUNT_CHUNK_BYTES], minlength=256)
    return counts


def choose_alphabet(files, alphabet: str | None, structure_mode) -> Alphabet:
    """The alphabet named by ``alphabet`` (--alphabet), or the one detected from the letters of ``files``."""
    if alphabet:
        return get_alphabet(alphabet)
    from collections import Counter

    counts_by_byte = byte_counts(files, structure_mode)
    counts = Counter()
    for byte in np.flatnonzero(counts_by_byte):
        counts[chr(byte).upper()] += int(counts_by_byte[byte])
    detected = detect_alphabet(counts)
    log.info("alphabet detected from the data: %s; pass --alphabet to choose another", detected.describe())
    _warn_stray_symbols(detected)
    _warn_few_protein_letters(detected, counts)
    return detected


#: Letters that, beside A, C, G and T (or U), make an alphabet of nucleotides: IUPAC codes, gaps.
_NUCLEOTIDE_EXTRAS = set("NRYSWKMBDHV-.")


def warn_custom_nucleotides(chosen: Alphabet, spec: str) -> None:
    """Warn when ``--alphabet`` gave DNA's or RNA's letters in another order, or with IUPAC codes (``TGCA``,
    ``ACGTN``): a custom alphabet, which they did not mean to get without a word (protein's letters typed out,
    which hold A, C, G and T too, are not warned about)."""
    if chosen.name != "custom" or chosen.case_sensitive:
        return
    for name, nucleotides in (("dna", "ACGT"), ("rna", "ACGU")):
        extra = "".join(letter for letter in chosen.letters if letter not in nucleotides)
        if not set(nucleotides) <= set(chosen.letters) or chosen.letters == nucleotides \
                or not set(extra) <= _NUCLEOTIDE_EXTRAS:
            continue
        what = (f"in which {', '.join(extra)} {'is a letter' if len(extra) == 1 else 'are letters'} of its own" if extra
                else f"of {name.upper()}'s letters in another order")
        strands = " reads one strand (strand auto) and" if name == "dna" else ""
        refused = "IUPAC codes that are not its letters" if extra else "N and the other IUPAC codes"
        log.warning("--alphabet %s: a custom alphabet %s: the network%s refuses %s; --alphabet %s reads %sN as "
                    "any base", spec, what, strands, refused, name, "both strands and " if name == "dna" else "")
        return


#: Protein records (of any useful size) use more distinct letters than this; fewer suggest a custom alphabet.
_FEW_PROTEIN_LETTERS = 8


def _warn_few_protein_letters(detected: Alphabet, counts) -> None:
    """Warn when protein was detected from a handful of letters (a custom alphabet such as XYZW, whose X and Z
    protein reads as ambiguity codes over the amino acids): the network would get 20 channels, most unused."""
    used = "".join(sorted(letter for letter, count in counts.items() if count and letter in detected.symbols))
    if detected.name == "protein" and len(used) <= _FEW_PROTEIN_LETTERS:
        log.warning("the records use %d letters (%s), read as protein (the 20 amino acids and their ambiguity codes); "
                    "if they are the letters of an alphabet of your own, pass --alphabet %s", len(used), used, used)


def refuse_dot_bracket(files, alphabet: str | None, for_model: bool = False) -> None:
    """Refuse nucleotide records holding dot-bracket structure lines read as sequence (no --structure-alphabet).

    Read as letters they would make a custom alphabet of nucleotides and brackets, and a network
    trained on sequences of twice their length. Checked before the lengths, which such records
    make differ. With ``alphabet`` (--alphabet, or a model's) any '(' outside it is refused; without,
    only among letters that are nearly all nucleotides (a custom alphabet may hold brackets).
    """
    blocks = [block for input_file in files for block in input_file.pending]
    counts = byte_counts(files, None) if alphabet is None else None  # one pass over the letters serves both checks
    if alphabet is None:  # a model's DNA or RNA alphabet refuses F, I and digits itself, naming the structure line
        _refuse_context_lines(counts, blocks, for_model)
    if alphabet is not None and "(" in get_alphabet(alphabet).symbols or not any(
            np.any(block.letters == ord("(")) for block in blocks):
        return
    if alphabet is None:
        sequence_letters = sum(int(counts[byte]) for byte in range(256) if chr(byte) not in "()[]{}<>.")
        nucleotides = sum(int(counts[ord(char)] + counts[ord(char.lower())]) for char in "ACGTUN")
        if nucleotides < _NUCLEOTIDE_SHARE_FOR_WARNING * sequence_letters:
            return
    for block in blocks:
        hits = np.flatnonzero(block.letters == ord("("))
        if hits.size:
            row = record_at(block.lengths, int(hits[0]))
            fix = dot_bracket_fix(block.sequence(row), "ACGTUN", "the model" if for_model else "")
            raise InputError(f"{block.where(row)}: {fix}"
                             + (", or --alphabet to read these characters as letters" if alphabet is None else ""))


def _refuse_context_lines(counts, blocks, for_model: bool) -> None:
    """Refuse records of ``motifnet fold`` read as sequence alone (no --structure-alphabet): context lines (their
    letters H, M, S and T are nucleotide letters too) and the numbers of profile rows made a network of sequence and
    structure lines joined (a custom alphabet of nucleotides and digits). Records are looked at only where the files
    hold nothing but nucleotides and context letters or numbers, and F, H, I, M, S or digits make 5% of the letters
    or more (a few IUPAC codes in DNA do not). ``counts``: :func:`byte_counts` of the records."""
    allowed = {ord(char) for char in "ACGTUNacgtun" + CONTEXT_LETTERS + "0123456789.eE+-"}
    structure = sum(int(counts[ord(char)]) for char in "FHIMS0123456789")
    if structure < 0.05 * counts.sum() or any(counts[byte] for byte in range(256) if byte not in allowed):
        return
    reader = "the model" if for_model else ""
    for block in blocks:
        starts = np.concatenate([[0], np.cumsum(block.lengths)])
        for row in range(len(block.lengths)):
            sequence = block.letters[starts[row]:starts[row + 1]].tobytes()
            if context_line(sequence):
                raise InputError(f"{block.where(row)}: {dot_bracket_fix(sequence, '', reader)}")
            first = len(sequence) - len(sequence.lstrip(b"ACGTUNacgtun"))
            profile = profile_rows_fix(sequence, first) if first < len(sequence) else None
            if profile is not None:
                raise InputError(f"{block.where(row)}: {profile}")


def _warn_stray_symbols(detected: Alphabet) -> None:
    """Warn when a custom alphabet was detected only because of '*', ';', 'U' or 'O' beside amino-acid letters.

    Translated proteins end in '*' (a stop codon), old FASTA files hold ';' comment lines, and a few proteins hold
    selenocysteine (U) or pyrrolysine (O); read as letters, they make a custom alphabet in which the records are no
    longer read as protein (no ambiguity codes X, B, Z, J).
    """
    stray = [symbol for symbol in PROTEIN_STRAYS if symbol in detected.symbols]
    if detected.name != "custom" or not stray or not set(detected.symbols) - set(stray) <= set(PROTEIN.symbols):
        return
    log.warning("the records hold %s beside amino-acid letters, read as letters of a custom alphabet; for protein, "
                "%s, or pass --alphabet protein to have them refused by record",
                " and ".join(repr(symbol) for symbol in stray), "; ".join(PROTEIN_STRAYS[symbol] for symbol in stray))


def warn_foreign_letters(alphabet: Alphabet, counts_by_byte: np.ndarray, where: str) -> bool:
    """Warn (one log line) when a protein alphabet reads letters that are almost all nucleotides.

    Nucleotide letters are valid protein letters, so DNA or RNA given to a protein model is
    encoded without error, and the results are meaningless.

    Parameters
    ----------
    alphabet : Alphabet
        The alphabet the sequences are read with (the model's).
    counts_by_byte : numpy.ndarray of int, shape=(256,)
        How often each byte occurs in the sequences.
    where : str
        The file (and record) named in the warning.

    Returns
    -------
    bool
        Whether a warning was given.
    """
    if alphabet.name != "protein":
        return False
    counts = np.asarray(counts_by_byte, dtype=np.int64)
    total = int(counts.sum() - counts[[ord(c) for c in "\n\r\t -*."]].sum())
    nucleotides = int(sum(counts[ord(c)] + counts[ord(c.lower())] for c in "ACGTUN"))
    if total == 0 or nucleotides < _NUCLEOTIDE_SHARE_FOR_WARNING * total:
        return False
    log.warning("%s: %.0f%% of the letters are A, C, G, T/U or N: this looks like DNA or RNA, but the model "
                "reads protein; its scores mean nothing for nucleotide sequences", where, 100 * nucleotides / total)
    return True
