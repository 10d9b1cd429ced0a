"""Alphabets: the letters a model sees, their ambiguity codes, and detection from data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..errors import ParamError

_DNA_AMBIGUITY = {
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}
_RNA_AMBIGUITY = {code: letters.replace("T", "U") for code, letters in _DNA_AMBIGUITY.items()}
_PROTEIN_LETTERS = "ACDEFGHIKLMNPQRSTVWY"
_PROTEIN_AMBIGUITY = {"B": "DN", "Z": "EQ", "J": "IL", "X": _PROTEIN_LETTERS}

_NUCLEOTIDE_SHARE_FOR_DETECTION = 0.9
# Watson-Crick pairs of the DNA and the RNA letters.
_COMPLEMENTS = ({"A": "T", "C": "G", "G": "C", "T": "A"}, {"A": "U", "C": "G", "G": "C", "U": "A"})


#: Symbols found beside amino-acid letters that are no letter of the protein alphabet, and what to do with each.
PROTEIN_STRAYS = {"*": "a '*' ending a record is a stop codon: remove it",
                  ";": "a line starting with ';' is a comment: remove it",
                  "U": "U is selenocysteine: write it as C", "O": "O is pyrrolysine: write it as K"}


@dataclass(frozen=True)
class Alphabet:
    """The letters of one input track (sequence or structure) and how to read them.

    Parameters
    ----------
    name : str
        ``dna``, ``rna``, ``protein`` or ``custom``.
    letters : str
        The letters in channel order; each becomes one one-hot channel.
    ambiguity : dict of str to str
        Codes that stand for several letters (IUPAC); each is encoded as the
        even distribution over the letters it stands for.
    case_sensitive : bool
        When False, input is upper-cased before encoding.
    """

    name: str
    letters: str
    ambiguity: dict = field(default_factory=dict)
    case_sensitive: bool = False

    def __post_init__(self):
        if not self.letters:
            raise ParamError("an alphabet needs at least one letter, received: ''")
        if len(set(self.letters)) != len(self.letters):
            raise ParamError(f"alphabet letters must be distinct, received: {self.letters!r}")
        bad = [c for c in self.letters if not (c.isprintable() and not c.isspace() and c != ">")]
        if bad:
            raise ParamError(
                f"alphabet {self.letters!r} contains unusable characters {''.join(bad)!r}; "
                "use printable characters other than whitespace and '>'"
            )
        if any(ord(c) > 127 for c in self.letters):
            raise ParamError(f"alphabet {self.letters!r} must use ASCII characters only")

    @property
    def symbols(self) -> str:
        """Letters followed by ambiguity codes: every character that may appear in input."""
        return self.letters + "".join(code for code in self.ambiguity if code not in self.letters)

    @property
    def complement(self) -> str | None:
        """The complementary letter of each letter, in channel order; None for alphabets without one.

        DNA gives ``TGCA`` and RNA ``UGCA``; a custom alphabet has a complement when its letters are
        exactly those of DNA or RNA, in any order. Ambiguity codes need no entry: they are encoded
        as distributions over the letters, which the complement permutes.
        """
        letters = self.letters if self.case_sensitive else self.letters.upper()
        for pairs in _COMPLEMENTS:
            if sorted(letters) == sorted(pairs):
                return "".join(pairs[letter] for letter in letters)
        return None

    def describe(self) -> str:
        extra = f", ambiguity codes {''.join(self.ambiguity)}" if self.ambiguity else ""
        return f"{self.name} ({self.letters}{extra})"

    def to_json(self) -> dict:
        return {"name": self.name, "letters": self.letters, "ambiguity": dict(self.ambiguity),
                "case_sensitive": self.case_sensitive}

    @classmethod
    def from_json(cls, obj: dict) -> Alphabet:
        return cls(obj["name"], obj["letters"], dict(obj.get("ambiguity", {})),
                   bool(obj.get("case_sensitive", False)))


DNA = Alphabet("dna", "ACGT", _DNA_AMBIGUITY)
RNA = Alphabet("rna", "ACGU", _RNA_AMBIGUITY)
PROTEIN = Alphabet("protein", _PROTEIN_LETTERS, _PROTEIN_AMBIGUITY)
NAMED_ALPHABETS = {"dna": DNA, "rna": RNA, "protein": PROTEIN}


def get_alphabet(spec: str) -> Alphabet:
    """Return the alphabet named ``dna``, ``rna`` or ``protein``, or a custom one from its letters.

    A custom alphabet is case-sensitive when its letters mix upper and lower case;
    otherwise input is upper-cased (when the letters are upper case) before encoding.
    """
    if spec is None:
        raise ParamError("no alphabet given")
    key = spec.strip()
    if key.lower() in NAMED_ALPHABETS:
        return NAMED_ALPHABETS[key.lower()]
    has_upper = any(c.isupper() for c in key)
    has_lower = any(c.islower() for c in key)
    if has_upper and has_lower:
        return Alphabet("custom", key, {}, case_sensitive=True)
    if has_lower:
        # A lower-case custom alphabet is matched case-insensitively by upper-casing both.
        key = key.upper()
    return Alphabet("custom", key, {}, case_sensitive=False)


def structure_alphabet(spec: str) -> Alphabet:
    """An alphabet for structure letters (``().`` or ``FHIMST``); never has ambiguity codes."""
    alphabet = get_alphabet(spec)
    if alphabet.name != "custom":
        raise ParamError(
            f"--structure-alphabet expects the structure letters themselves (e.g. '().' or "
            f"'FHIMST'), received: {spec!r}"
        )
    return Alphabet("structure", alphabet.letters, {}, alphabet.case_sensitive)


def detect_alphabet(counts: Counter) -> Alphabet:
    """Guess the alphabet from letter counts of the input sequences.

    Nucleotides (``N`` the only ambiguity code counted as one) must make up at least
    90% of the letters to call DNA or RNA, since every IUPAC nucleotide code is also an
    amino-acid letter; more ``U`` than ``T`` means RNA. Other letters then are errors
    the encoder reports with their position.
    Letters outside the 20 amino acids and their codes give a custom alphabet of
    the letters seen, in sorted order.

    Parameters
    ----------
    counts : collections.Counter
        Upper-cased letter -> number of occurrences.
    """
    total = sum(counts.values())
    if total == 0:
        raise ParamError("cannot detect the alphabet of empty sequences; pass --alphabet")
    letters = set(counts)
    nucleotide = sum(counts[c] for c in "ACGTUN")
    if nucleotide / total >= _NUCLEOTIDE_SHARE_FOR_DETECTION:
        # Mostly nucleotides: a stray letter is a typo that the encoder will point at.
        return RNA if counts["U"] > counts["T"] else DNA
    # Characters no alphabet may hold (whitespace, '>', non-ASCII) are left out, so that the
    # encoder reports them with their file, record and position.
    usable = {c for c in letters if c.isascii() and c.isprintable() and not c.isspace() and c != ">"}
    if usable <= set(PROTEIN.symbols):
        return PROTEIN
    return Alphabet("custom", "".join(sorted(usable)), {}, case_sensitive=False)
