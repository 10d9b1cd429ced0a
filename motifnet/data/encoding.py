"""Turning sequences (and structures) into compact integer codes, and codes into model input.

Sequences are held as one small integer code per position (``uint8`` for every
built-in alphabet): code 0 is padding, the letters and ambiguity codes follow.
A code table maps each code to its row of the one-hot (or even-distribution)
encoding; the float input a model sees is made from codes only when needed,
batch by batch.

With a structure alphabet, sequence and structure letters are encoded jointly
over the product alphabet (channel ``i * S + j`` is sequence letter ``i`` paired
with structure letter ``j``). With a structure PWM the channel for ``(i, j)`` holds
the sequence encoding of letter ``i`` times the probability of structure letter ``j``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, OptionValueError, ParamError
from .alphabets import PROTEIN_STRAYS, Alphabet
from .fasta import EMPTY_SEQUENCE, record_at, record_letters
from .options import MAX_LENGTH

log = logging.getLogger("motifnet")

STRUCTURE_MODES = (None, "letters", "pwm")
_PWM_SUM_TOLERANCE = 1e-2
_ENERGY_SUFFIX = re.compile(rb"\s+\(\s*[-+]?\d+(\.\d*)?\s*\)\s*$")


def _symbol_table(alphabet: Alphabet) -> tuple[np.ndarray, np.ndarray]:
    """Byte -> code lookup (``-1`` for characters outside the alphabet) and code -> vector table."""
    symbols = alphabet.symbols
    lookup = np.full(256, -1, dtype=np.int32)
    table = np.zeros((len(symbols) + 1, len(alphabet.letters)), dtype=np.float32)
    for code, symbol in enumerate(symbols, start=1):
        members = alphabet.ambiguity.get(symbol, symbol) if symbol not in alphabet.letters else symbol
        for letter in members:
            table[code, alphabet.letters.index(letter)] = 1.0 / len(members)
        lookup[ord(symbol)] = code
        if not alphabet.case_sensitive:
            lookup[ord(symbol.lower())] = code
    return lookup, table


# Bytes that are no letter of any sequence alphabet (letters, gaps and stop codons are refused, when they are, by
# the alphabet's own check).
_NOT_LETTERS = np.ones(256, dtype=bool)
_NOT_LETTERS[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*-.", dtype=np.uint8)] = False


def refuse_non_letters(sequence: bytes, where: str) -> None:
    """Refuse a sequence holding a character that is no letter (a digit, say): it changes the record's length,
    which a message about lengths would blame instead.

    Raises
    ------
    InputError
        Names ``where`` (the record), the character and its position.
    """
    bad = np.flatnonzero(_NOT_LETTERS[np.frombuffer(sequence, dtype=np.uint8)])
    if bad.size:
        position = int(bad[0])  # the bytes before it are letters: one byte each, so it is also the character's place
        character = _character_at(sequence, position)
        profile = profile_rows_fix(sequence, position)
        if profile is not None:
            raise InputError(f"{where}: sequence character {character!r} at position {position + 1} is not a letter; "
                             f"{profile}")
        hint = " (a position number of a GenBank-style sequence line?)" if character.isdigit() else ""
        shown = _shown(character, sequence, position)
        raise InputError(f"{where}: sequence character {shown} at position {position + 1} is not a letter{hint}; "
                         "give sequences of letters only")


#: What the rows of a structure profile hold (numbers; their spaces where a reader keeps them).
#: A record more than this many times a cropping model's length is warned of (once a command).
LONG_RECORD_FACTOR = 10
_PROFILE_BYTES = b"0123456789.eE+- \t"


def profile_rows_fix(sequence: bytes, position: int) -> str | None:
    """What to do about a record read as sequence alone whose letters end at ``position`` in numbers alone: the
    rows of a structure profile (``motifnet fold --format profile``), whose spaces the reader dropped; or None."""
    rest = sequence[position:]
    if not position or rest.translate(None, _PROFILE_BYTES) or sequence[:position].translate(None, _NUCLEOTIDES):
        return None
    return ("the record looks like a sequence line followed by the rows of a structure profile, as motifnet fold "
            "--format profile writes them; train on such files with --structure-alphabet FHIMST --structure-pwm, "
            "or give the sequence lines alone")


def _shown(character: str, text: bytes, start: int) -> str:
    """How a message names ``character`` (:func:`_character_at` of ``text`` at ``start``), or the byte there."""
    return repr(character) if character else f"byte 0x{text[start]:02x} (not UTF-8 text)"


def _character_at(text: bytes, start: int) -> str:
    """The UTF-8 character that begins at byte ``start`` of ``text`` (empty: none begins there)."""
    for end in range(start + 1, min(start + 4, len(text)) + 1):
        try:
            return text[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""


def fit_length(array: np.ndarray, length: int) -> np.ndarray:
    """Centre-crop or zero-pad ``array`` along its first axis to ``length``.

    Cropping keeps the middle (the extra base goes to the right when the excess is odd);
    padding adds zeros on both sides (the extra zero goes to the right).
    """
    current = array.shape[0]
    if current == length:
        return array
    if current > length:
        start = (current - length) // 2
        return array[start:start + length]
    padded = np.zeros((length,) + array.shape[1:], dtype=array.dtype)
    left = (length - current) // 2
    padded[left:left + current] = array
    return padded


#: The letters of ``motifnet fold --format context`` structure lines; H, M, S and T are also nucleotide letters (IUPAC).
CONTEXT_LETTERS = "FHIMST"
_NUCLEOTIDES = b"ACGTUNacgtun"


def context_line(sequence: bytes) -> bool:
    """Whether a record read as sequence alone is a nucleotide line followed by a structure line of ``motifnet fold
    --format context`` (as long, of F, H, I, M, S and T with an F or I, or a stem S and a hairpin H): such records
    were read as sequences of twice the length, their structure letters as T and IUPAC codes, without a word."""
    half = len(sequence) // 2
    if half < 4 or len(sequence) % 2:
        return False
    # F and I are no nucleotide codes; a stem (S) closes a hairpin (H). A poly-T tail with an IUPAC S is no structure.
    if sequence.find(b"F", half) < 0 and sequence.find(b"I", half) < 0 and (
            sequence.find(b"S", half) < 0 or sequence.find(b"H", half) < 0):
        return False
    first, second = sequence[:half], sequence[half:]
    return not second.translate(None, CONTEXT_LETTERS.encode()) and not first.translate(None, _NUCLEOTIDES)


def dot_bracket_fix(sequence: bytes, symbols: str, reader: str = "") -> str | None:
    """What to do about a sequence-only record holding '(' or ')' outside ``symbols``, or a structure line of
    fold's context format (:func:`context_line`), or None.

    Such a record is a sequence + structure record read as sequence only: its structure
    line was taken for more sequence (hence a doubled length, or a '.' read as an alignment gap).
    ``reader`` names what reads sequence only ("the model", "scan"); empty: training, which can read
    the structure with --structure-alphabet.
    """
    if context_line(sequence):
        advice = (f"{reader} reads sequence only: give the sequence lines alone" if reader else
                  f"pass --structure-alphabet {CONTEXT_LETTERS} to read its lines as sequence and structure")
        return ("the record looks like a sequence line followed by a structure line of motifnet fold's context "
                f"format (its letters {CONTEXT_LETTERS} read as sequence); {advice}")
    brackets = "()[]{}<>."
    found = "".join(char for char in brackets if char.encode() in sequence and char not in symbols)
    # An all-unpaired structure line ('....') has no bracket: then the record is letters, then as many dots.
    first, second = sequence[:len(sequence) // 2], sequence[len(sequence) // 2:]
    unpaired_line = (found and len(sequence) % 2 == 0 and not second.translate(None, brackets.encode())
                     and first.translate(None, brackets.encode()) == first)
    if not (set(found) & set("()") or unpaired_line):
        return None
    letters = "".join(char for char in brackets if char in found or char in "()")
    advice = (f"{reader} reads sequence only: give the sequence lines alone" if reader else
              f"pass --structure-alphabet '{letters}' to read its lines as sequence and structure")
    return (f"the record looks like a sequence line followed by a dot-bracket structure line ({found!r} read as "
            f"sequence); {advice}")


@dataclass
class _Where:
    """Stands in for a record in error messages built by :class:`Encoder`."""

    text: str

    def where(self) -> str:
        return self.text


@dataclass
class EncodedRecords:
    """Encoded form of a batch of records.

    Attributes
    ----------
    codes : numpy.ndarray, shape=(n, length)
        Integer code per position (0 = padding).
    structure : numpy.ndarray or None, shape=(n, length, structure_letters)
        Structure probabilities (PWM mode only).
    ids : list of str
        Record identifiers.
    headers : list of str
        Full header lines.
    """

    codes: np.ndarray
    structure: np.ndarray | None
    ids: list
    headers: list


class Encoder:
    """How records become arrays of one fixed length.

    Parameters
    ----------
    alphabet : Alphabet
        The sequence alphabet.
    length : int
        Length of the encoded sequences.
    resize : bool
        When True, longer sequences are centre-cropped and shorter ones zero-padded to
        ``length``; when False any other length is an error.
    structure : Alphabet or None
        Structure letters, for sequence+structure input.
    structure_mode : {None, 'letters', 'pwm'}
        ``letters``: a structure line per record; ``pwm``: one row of probabilities
        per structure letter.
    """

    def __init__(self, alphabet: Alphabet, length: int, resize: bool = False,
                 structure: Alphabet | None = None, structure_mode: str | None = None):
        if structure_mode not in STRUCTURE_MODES:
            raise ParamError(f"structure mode must be one of {STRUCTURE_MODES}, received: {structure_mode!r}")
        if (structure is None) != (structure_mode is None):
            raise ParamError("a structure alphabet and a structure mode go together")
        if not 1 <= length <= MAX_LENGTH:
            raise OptionValueError(f"--length must be a positive number of positions, at most {MAX_LENGTH:,}, "
                                   f"received: {length}")
        self.alphabet = alphabet
        self.length = int(length)
        self.resize = bool(resize)
        self.structure = structure
        self.structure_mode = structure_mode
        self.seq_lookup, self.seq_table = _symbol_table(alphabet)
        if structure is not None:
            self.struct_lookup, self.struct_table = _symbol_table(structure)
        if structure_mode == "letters":
            n_struct = self.struct_table.shape[0]
            rows = [np.outer(self.seq_table[code // n_struct], self.struct_table[code % n_struct]).ravel()
                    for code in range(self.seq_table.shape[0] * n_struct)]
            self.code_table = np.asarray(rows, dtype=np.float32)
        else:
            self.code_table = self.seq_table
        self.code_dtype = np.uint8 if self.code_table.shape[0] <= 256 else np.uint16
        # Byte -> sequence code in the smallest dtype, its largest value marking bytes outside the alphabet.
        byte_dtype = np.uint8 if self.seq_table.shape[0] < 255 else np.uint16
        self._invalid = np.iinfo(byte_dtype).max
        self.byte_codes = np.where(self.seq_lookup >= 0, self.seq_lookup, self._invalid).astype(byte_dtype)

    @property
    def channels(self) -> int:
        """Number of input channels made from sequence (and structure)."""
        structure_letters = len(self.structure.letters) if self.structure is not None else 1
        return len(self.alphabet.letters) * structure_letters

    @property
    def channel_names(self) -> list:
        if self.structure is None:
            return list(self.alphabet.letters)
        return [f"{a}|{s}" for a in self.alphabet.letters for s in self.structure.letters]

    @property
    def complement_channels(self) -> tuple | None:
        """For each channel, the channel that holds its complement; None without a reverse complement.

        Reversing the positions of an encoded sequence and reordering its channels by this tuple
        gives the encoding of its reverse complement. Sequence+structure input has none: structure
        letters have no complement.
        """
        complement = self.alphabet.complement
        if complement is None or self.structure is not None:
            return None
        letters = self.alphabet.letters if self.alphabet.case_sensitive else self.alphabet.letters.upper()
        return tuple(letters.index(letter) for letter in complement)

    def describe_input(self) -> str:
        """The alphabet(s) of the input in a few words, e.g. ``rna (ACGU, ...) with structure letters '().'``."""
        text = self.alphabet.describe()
        if self.structure is not None:
            text += f" with structure letters {self.structure.letters!r}"
        return text

    def to_json(self) -> dict:
        return {
            "alphabet": self.alphabet.to_json(),
            "length": self.length,
            "resize": self.resize,
            "structure_alphabet": self.structure.to_json() if self.structure is not None else None,
            "structure_mode": self.structure_mode,
        }

    @classmethod
    def from_json(cls, obj: dict) -> Encoder:
        structure = obj.get("structure_alphabet")
        return cls(Alphabet.from_json(obj["alphabet"]), obj["length"], obj.get("resize", False),
                   Alphabet.from_json(structure) if structure else None, obj.get("structure_mode"))

    # -- parsing record bodies -------------------------------------------------------------

    def _fold_advice(self) -> str:
        """What to do with plain records for a model of sequence and structure letters."""
        formats = {"().": "dotbracket", "FHIMST": "context"}  # motifnet fold's letter formats
        fold_format = formats.get("".join(sorted(self.structure.letters)))
        how = f": fold plain FASTA with motifnet fold --format {fold_format} first" if fold_format else ""
        return f"the model was trained on sequence and structure letters {self.structure.letters!r}{how}"

    def split_body(self, record) -> tuple[bytes, object]:
        """Return the sequence bytes and the structure (bytes, float array or None) of a record."""
        lines = record.lines
        if self.structure_mode is None:
            sequence = b"".join(lines)
            if not sequence:
                raise InputError(f"{record.where()}: {EMPTY_SEQUENCE}")
            return sequence, None
        if self.structure_mode == "letters":
            if len(lines) != 2:
                profile = len(lines) == 1 + len(self.structure.letters) and not lines[1].translate(None, _PROFILE_BYTES)
                advice = ("its lines after the sequence hold numbers: a structure profile (motifnet fold --format "
                          "profile), which --structure-pwm reads" if profile and not self.for_model
                          else self._fold_advice() if self.for_model
                          else "--structure-alphabet reads records of three lines")
                raise InputError(
                    f"{record.where()}: expected three lines per record (header, sequence, structure), found "
                    f"{len(lines)} line(s) after the header; {advice}"
                )
            structure = _ENERGY_SUFFIX.sub(b"", lines[1])
            if len(structure) != len(lines[0]):
                raise InputError(
                    f"{record.where()}: the structure line has {len(structure)} characters but the "
                    f"sequence has {len(lines[0])}; both lines must be equally long"
                )
            return lines[0], structure
        n_rows = len(self.structure.letters)
        if len(lines) != 1 + n_rows:
            raise InputError(
                f"{record.where()}: expected the sequence line and {n_rows} structure rows "
                f"(one per letter of {self.structure.letters!r}) with --structure-pwm, "
                f"found {len(lines)} line(s) after the header"
            )
        try:
            rows = [np.array(row.split(), dtype=np.float64) for row in lines[1:]]
        except ValueError as error:
            raise InputError(f"{record.where()}: structure PWM rows must hold numbers ({error})") from None
        # Widths are checked before stacking: NumPy refuses ragged rows with a ValueError of its own.
        if any(len(row) != len(lines[0]) for row in rows):
            widths = sorted({len(row) for row in rows})
            raise InputError(
                f"{record.where()}: structure PWM rows have {widths} values but the sequence has "
                f"{len(lines[0])} positions; each row needs one value per position"
            )
        matrix = np.array(rows)
        sums = matrix.sum(axis=0)
        # NaN fails no comparison: a 'nan' passed, and made every weight of the trained network NaN
        bad = np.flatnonzero(~(np.abs(sums - 1.0) <= _PWM_SUM_TOLERANCE) | ~(matrix >= 0).all(axis=0))
        if bad.size:
            position = int(bad[0])
            column = matrix[:, position]
            what = (f"holds {', '.join(sorted({str(v) for v in column if not np.isfinite(v)}))}"
                    if not np.isfinite(column).all() else f"sums to {sums[position]:.4g}")
            raise InputError(f"{record.where()}: structure PWM column {position + 1} {what}; every column must hold "
                             "non-negative probabilities summing to 1")
        return lines[0], matrix.T.astype(np.float32)

    #: How errors tell the user to fix a mismatch: training options, or the model's fixed inputs.
    for_model = False
    #: Whether a model's reader warned of records far longer than the model reads (once a command).
    warned_long = False

    def _warn_long(self, lengths: np.ndarray, where) -> None:
        """Warn once, for a model that crops (``--length``), of records more than :data:`LONG_RECORD_FACTOR` times
        its length: a chromosome of 50 Mb gave one prediction of its central 200 letters without a word."""
        if not self.for_model or self.warned_long:
            return
        long = np.flatnonzero(lengths > LONG_RECORD_FACTOR * self.length)
        if long.size:
            self.warned_long = True
            row = int(long[0])
            log.warning("%s has %s letters, and the model reads the central %d of a record (it was trained with "
                        "--length %d): cut long sequences into windows of that length (e.g. bedtools makewindows and "
                        "getfasta) to read all of them, or find motif sites with motifnet scan", where(row),
                        f"{int(lengths[row]):,}", self.length, self.length)

    def _codes(self, data: bytes, lookup: np.ndarray, alphabet: Alphabet, record, what: str) -> np.ndarray:
        codes = lookup[np.frombuffer(data, dtype=np.uint8)]
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            position = int(bad[0])  # the bytes before it are in the alphabet, one byte each: also its place
            char = _character_at(data, position)  # 'é', not the 'Ã' of its first byte
            shown = _shown(char, data, position)
            if what == "sequence":
                fix = ("the model was trained on this alphabet; give data of the same kind" if self.for_model
                       else "fix the record or choose --alphabet")
                known = f"{alphabet.name} alphabet (allowed: {alphabet.symbols})"
                # DNA files beside RNA files (or a DNA model given RNA): the same nucleotides, written apart.
                other = {("dna", "U"): ("RNA", "DNA", "U as T"), ("rna", "T"): ("DNA", "RNA", "T as U")}.get(
                    (alphabet.name, char.upper()))
                if other is not None:
                    fix = (f"this record looks like {other[0]} and the model was trained on {other[1]}: write "
                           f"{other[2]}" if self.for_model else
                           f"this record looks like {other[0]}: give every file in one alphabet (write {other[2]}), "
                           "or choose --alphabet")
                elif alphabet.name == "protein" and char.upper() in PROTEIN_STRAYS and char != ";":
                    fix = PROTEIN_STRAYS[char.upper()]  # a stop codon, a selenocysteine: "data of the same kind" it is
                structure_fix = dot_bracket_fix(data, alphabet.symbols, "the model" if self.for_model else "")
                if structure_fix is not None:
                    fix = structure_fix
                elif char and char in "-.":
                    fix = "an alignment gap: remove the gaps (e.g. seqkit seq -g) or give the unaligned sequences"
                elif char == ";":
                    fix = "a ';' comment line read as sequence? remove comment lines (e.g. grep -v '^;')"
            else:
                fix = ("the model was trained on this structure alphabet" if self.for_model
                       else "fix the record or --structure-alphabet")
                known = f"structure alphabet {alphabet.letters!r}"
            raise InputError(
                f"{record.where()}: {what} character {shown} at position {position + 1} is not in the "
                f"{known}; {fix}"
            )
        return codes

    def check_length(self, record, actual: int, sequence: bytes = b"") -> None:
        if not self.resize and actual != self.length:
            structure = dot_bracket_fix(sequence, self.alphabet.symbols, "the model" if self.for_model else "")
            if structure is None:
                refuse_non_letters(sequence, record.where())
            fix = (structure
                   or ("the model takes this length only (it does not crop or pad); give sequences of that length"
                       if self.for_model else
                       "sequences must be equally long, or pass --length N to centre-crop/pad them"))
            raise InputError(f"{record.where()}: sequence length {actual} differs from {self.length}; {fix}")

    def encode_sequences(self, sequences: Sequence, where) -> np.ndarray:
        """Encode sequence-only records given as a list of bytes (see :meth:`encode_letters`)."""
        lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
        return self.encode_letters(np.frombuffer(b"".join(sequences), dtype=np.uint8), lengths, where)

    def encode_letters(self, letters: np.ndarray, lengths: np.ndarray, where) -> np.ndarray:
        """Encode sequence-only records in bulk: one lookup over all letters, no per-letter Python.

        Parameters
        ----------
        letters : numpy.ndarray of uint8, shape=(total,)
            The sequences one after the other (as :class:`motifnet.data.fasta.FastaBlock` holds them).
        lengths : numpy.ndarray of int, shape=(n,)
            Each sequence's length.
        where : callable
            ``where(i)`` names record ``i`` in error messages (file, record, id).

        Returns
        -------
        numpy.ndarray, shape=(n, length)
        """
        n = len(lengths)
        empty = np.flatnonzero(lengths == 0)
        if empty.size:
            raise InputError(f"{where(int(empty[0]))}: {EMPTY_SEQUENCE}")
        if not self.resize:
            wrong = np.flatnonzero(lengths != self.length)
            if wrong.size:
                row = int(wrong[0])
                self.check_length(_Where(where(row)), int(lengths[row]), record_letters(letters, lengths, row))
        flat = self.byte_codes[letters]
        bad = np.flatnonzero(flat == self._invalid)
        if bad.size:
            row = record_at(lengths, int(bad[0]))
            self._codes(record_letters(letters, lengths, row), self.seq_lookup, self.alphabet, _Where(where(row)),
                        "sequence")
        if not self.resize:
            return flat.reshape(n, self.length).astype(self.code_dtype, copy=False)
        self._warn_long(lengths, where)
        codes = np.zeros((n, self.length), dtype=self.code_dtype)
        start = 0
        for row, size in enumerate(lengths.tolist()):
            codes[row] = fit_length(flat[start:start + size], self.length)
            start += size
        return codes

    def encode(self, records: Sequence) -> EncodedRecords:
        """Encode records (as returned by :func:`motifnet.data.fasta.read_fasta`).

        Returns
        -------
        EncodedRecords

        Raises
        ------
        InputError
            A character outside the alphabet (file, record and position named), a wrong
            number of lines, unequal sequence/structure lengths, or a length that differs
            from the encoder's while resizing is off.
        """
        n = len(records)
        if self.structure_mode is None:
            sequences = [b"".join(record.lines) for record in records]
            codes = self.encode_sequences(sequences, lambda i: records[i].where())
            return EncodedRecords(codes, None, [r.id for r in records], [r.header for r in records])
        codes = np.zeros((n, self.length), dtype=self.code_dtype)
        pwm = (np.zeros((n, self.length, len(self.structure.letters)), dtype=np.float32)
               if self.structure_mode == "pwm" else None)
        n_struct = self.struct_table.shape[0] if self.structure_mode == "letters" else 1
        for row, record in enumerate(records):
            sequence, structure = self.split_body(record)
            self.check_length(record, len(sequence), sequence)
            seq_codes = self._codes(sequence, self.seq_lookup, self.alphabet, record, "sequence")
            if self.structure_mode == "letters":
                struct_codes = self._codes(structure, self.struct_lookup, self.structure, record, "structure")
                seq_codes = seq_codes * n_struct + struct_codes
            codes[row] = fit_length(seq_codes.astype(self.code_dtype), self.length)
            if pwm is not None:
                pwm[row] = fit_length(structure, self.length)
        return EncodedRecords(codes, pwm, [r.id for r in records], [r.header for r in records])

    def check_sequence(self, record) -> None:
        """Refuse a plain sequence record (one not folded yet) that this encoder would refuse once folded: a letter
        outside the alphabet, or a length it does not take (:class:`InputError`, as :meth:`encode` words it)."""
        sequence = b"".join(record.lines)
        if not sequence:
            raise InputError(f"{record.where()}: {EMPTY_SEQUENCE}")
        self.check_length(record, len(sequence), sequence)
        self._codes(sequence, self.seq_lookup, self.alphabet, record, "sequence")

    def holds_letters(self, inputs: np.ndarray) -> np.ndarray:
        """Which positions of model inputs hold a letter: not the zeros a short record was padded with.

        Parameters
        ----------
        inputs : numpy.ndarray, shape=(..., length, channels or more)
            Encoded records (:meth:`one_hot`); channels past :attr:`channels` (features) are not looked at.

        Returns
        -------
        numpy.ndarray of bool, shape=(..., length)
        """
        return np.asarray(inputs)[..., :self.channels].any(axis=-1)

    def one_hot(self, codes: np.ndarray, structure: np.ndarray | None = None) -> np.ndarray:
        """Float model input from codes (NumPy version of the in-pipeline conversion).

        Returns
        -------
        numpy.ndarray, shape=(n, length, channels)
        """
        encoded = self.code_table[codes]
        if self.structure_mode == "pwm":
            encoded = (encoded[..., :, None] * structure[..., None, :]).reshape(
                encoded.shape[:-1] + (self.channels,))
        return encoded.astype(np.float32, copy=False)
