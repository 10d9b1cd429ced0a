"""Exported kernel motifs: trimmed of uninformative flanks, written as MEME, JASPAR or TRANSFAC.

A kernel is usually longer than the motif it detects, and the columns beyond the motif are
close to the background. Exported motifs keep the columns from the first to the last whose
information content reaches a threshold (in bits, relative to the background letter
frequencies of the data); the untrimmed matrices stay in the kernel arrays.

The default threshold, 0.3 bits, is about what a DNA column with one letter at 55% and the
others even carries against a uniform background, and several times what a column of pure
background letters shows from sampling noise alone: about (letters - 1) / (2 n ln 2) bits for
n sites, 0.04 bits at 50 sites (a kernel motif averages up to 750). Protein columns have more
letters and so more noise (0.27 bits at 50 sites); ``--trim-ic 1`` suits them better.
``--trim-ic 0`` keeps every column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .._io import write_text
from ..errors import OptionValueError, ParamError
from .homer import format_homer
from .meme import MemeMotif, format_meme

DEFAULT_TRIM_IC = 0.3
FORMATS = ("meme", "jaspar", "transfac", "homer")


def information_content(pwm: np.ndarray, background=None) -> np.ndarray:
    """Information content of each column in bits, relative to ``background``.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(width, letters)
        Rows are probability distributions (rows of zeros, e.g. padding, carry 0 bits).
    background : array-like or None, shape=(letters,)
        Letter frequencies; default uniform.

    Returns
    -------
    numpy.ndarray, shape=(width,)
        ``sum_j p_j log2(p_j / b_j)`` per column: log2(letters) minus the entropy for a
        uniform background.
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    letters = pwm.shape[1]
    background = np.full(letters, 1 / letters) if background is None else np.asarray(background, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pwm > 0, pwm * np.log2(pwm / background[None, :]), 0.0)
    return np.maximum(terms.sum(axis=1), 0.0)


def trim_bounds(pwm: np.ndarray, background=None, threshold: float = DEFAULT_TRIM_IC) -> tuple:
    """Columns to keep: from the first to the last whose information content reaches ``threshold``.

    Parameters
    ----------
    pwm : numpy.ndarray, shape=(width, letters)
    background : array-like or None, shape=(letters,)
        Default uniform.
    threshold : float
        Bits. Default is 0.3.

    Returns
    -------
    (start, end)
        Half-open column range; the whole motif when no column reaches the threshold (there
        is nothing to anchor a trim to).
    """
    return _bounds(information_content(pwm, background), threshold)[:2]


def _bounds(content: np.ndarray, threshold: float) -> tuple:
    """(start, end, any column reaches ``threshold``) of per-column information ``content``: the whole range
    where none does."""
    informative = np.flatnonzero(content >= threshold)
    if not len(informative):
        return 0, len(content), False
    return int(informative[0]), int(informative[-1]) + 1, True


def trim_motif(motif: MemeMotif, background=None, threshold: float = DEFAULT_TRIM_IC) -> tuple:
    """``motif`` trimmed by :func:`trim_bounds`.

    Returns
    -------
    (MemeMotif, (start, end))
        The trimmed motif (same name, alternate name and nsites) and the kept column range.
    """
    start, end = trim_bounds(motif.pwm, background, threshold)
    return replace(motif, pwm=motif.pwm[start:end]), (start, end)


def check_trim_ic(value: float) -> float:
    """Validate ``--trim-ic``."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise OptionValueError(f"--trim-ic expects a number of bits >= 0 (0 keeps every column), received: {value!r}")
    return float(value)


def check_formats(formats) -> tuple:
    """Check motif file format names (``--formats``): a tuple, lower case, duplicates dropped, order kept.

    Parameters
    ----------
    formats : sequence of str or None
        Names from :data:`FORMATS`, e.g. ``("meme", "jaspar")``. Default (None): MEME only.

    Raises
    ------
    ParamError
        A string instead of a sequence of names, no name, or an unknown name.
    """
    if formats is None:
        return ("meme",)
    if isinstance(formats, str):
        raise ParamError(f"formats expects a sequence of format names (e.g. ('meme', 'jaspar')), received: {formats!r}")
    parts = [str(part).strip().lower() for part in formats]
    parts = [part for part in parts if part]
    bad = [part for part in parts if part not in FORMATS]
    if bad or not parts:
        # Worded as the command line spells the option, whose names reach here unchanged.
        received = ",".join(map(str, formats))
        raise OptionValueError(f"--formats expects a comma-separated list of {', '.join(FORMATS)}, "
                               f"received: {received!r}" + (f" (unknown: {', '.join(bad)})" if bad else ""))
    return tuple(dict.fromkeys(parts))


def _counts(motif: MemeMotif) -> np.ndarray:
    """Counts for the count-based formats: probabilities times the number of sites."""
    return np.asarray(motif.pwm, dtype=np.float64) * max(motif.nsites, 1)


def _number(value: float) -> str:
    """A count with at most three decimals and no trailing zeros (whole counts stay integers)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def format_jaspar(motifs, letters: str) -> str:
    """JASPAR format: a ``>ID name`` header and one ``X [ counts ]`` row per letter.

    Counts are the probabilities times ``nsites`` (kernel motifs are means of site windows,
    so whole numbers for one-hot data; ambiguity codes give fractions, written with up to
    three decimals). Biopython's reader accepts DNA (ACGT) files; other alphabets are written
    with their own letters.
    """
    blocks = []
    for motif in motifs:
        texts = [[_number(value) for value in column] for column in _counts(motif).T]
        width = max((len(text) for row in texts for text in row), default=1)
        lines = [f">{motif.name} {motif.alt_name}".rstrip()]
        lines += [f"{letter}  [ {' '.join(text.rjust(width) for text in row)} ]" for letter, row in zip(letters, texts)]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n" if blocks else ""


def format_transfac(motifs, letters: str) -> str:
    """TRANSFAC format: ``AC``/``ID``/``DE`` lines, a ``P0`` count matrix, ``BA`` sites, ``//``.

    Counts as in :func:`format_jaspar`. Biopython's reader accepts DNA (ACGT) files.
    """
    blocks = []
    for motif in motifs:
        texts = [[_number(value) for value in row] for row in _counts(motif)]
        width = max([len(text) for row in texts for text in row] + [len(letter) for letter in letters])
        digits = max(2, len(str(len(texts))))
        lines = [f"AC  {motif.name}", "XX", f"ID  {motif.name}", "XX"]
        if motif.alt_name:
            lines += [f"DE  {motif.alt_name}", "XX"]
        lines.append("P0".ljust(digits) + "  " + "  ".join(letter.rjust(width) for letter in letters))
        for index, row in enumerate(texts, start=1):
            lines.append(f"{index:0{digits}d}  " + "  ".join(text.rjust(width) for text in row))
        lines += ["XX", f"BA  {motif.nsites} sites", "XX", "//"]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n" if blocks else ""


def write_motifs(stem, motifs, letters: str, background, formats=("meme",), alphabet_name: str = "motifnet",
                 strands: bool = False, stage=None) -> list:
    """Write ``motifs`` in each of ``formats`` as ``STEM.meme``, ``STEM.jaspar``, ``STEM.transfac``, ``STEM.homer``.

    Parameters
    ----------
    stem : path
        File path without extension (``out/motifs``).
    motifs : list of MemeMotif
        Already trimmed.
    letters : str
    background : array-like, shape=(letters,)
        Letter frequencies of the data (MEME format only).
    formats : sequence of str
        Any of ``meme``, ``jaspar``, ``transfac``, ``homer`` (:mod:`motifnet.motifs.homer`). Default is
        MEME only.
    alphabet_name : str
        Name of a custom alphabet in the MEME file.
    strands : bool
        ``strands: + -`` in the MEME file (DNA).
    stage : callable or None
        Gives the path each file is written to (:func:`motifnet._io.staged_outputs`). Default is None: its own.

    Returns
    -------
    list of pathlib.Path
        The files written (their own paths).
    """
    stem = Path(stem)
    paths = []
    for name in check_formats(formats):
        path = stem.with_name(f"{stem.name}.{name}")
        if name == "meme":
            text = format_meme(motifs, letters, background, alphabet_name, strands)
        elif name == "jaspar":
            text = format_jaspar(motifs, letters)
        elif name == "homer":
            text = format_homer(motifs, letters)
        else:
            text = format_transfac(motifs, letters)
        write_text(stage(path) if stage else path, text)
        paths.append(path)
    return paths


@dataclass
class ExportedMotif:
    """A kernel's exported motif.

    Attributes
    ----------
    kernel : int
    motif : MemeMotif
        The trimmed sequence motif (``kernel_N``).
    columns : (start, end)
        Kernel columns kept (half-open, 0-based).
    structure : MemeMotif or None
        The structure motif over the same columns (sequence+structure models).
    informative : bool
        Some column reaches the threshold; when none does, the motif is exported untrimmed
        and not matched with known motifs (flat motifs match weak columns of long database
        motifs with deceptively small p-values).
    """

    kernel: int
    motif: MemeMotif
    columns: tuple
    structure: MemeMotif | None = None
    informative: bool = True


def check_trim_ic_reachable(trim_ic: float, backgrounds) -> None:
    """Refuse a ``--trim-ic`` that no column can reach against the data's letter frequencies.

    A column carries at most log2(1 / q) bits, q the frequency of the rarest letter (all of the
    column on it); above that every motif would be written untrimmed, as if none had informative
    columns.

    Parameters
    ----------
    trim_ic : float
    backgrounds : sequence of array-like or None
        Letter frequencies of the sequence (and structure) alphabet; None entries are skipped
        (:func:`motifnet.interpret.kernels.background_frequencies`).

    Raises
    ------
    ParamError
        ``trim_ic`` above the most a sequence (or structure) column can carry.
    """
    most = max(_most_information(background) for background in backgrounds if background is not None)
    if check_trim_ic(trim_ic) > most:
        largest = math.floor(most * 100) / 100
        raise ParamError(f"--trim-ic {trim_ic:g} is more than a column can carry against this data's letter "
                         f"frequencies, so no column would reach it; give at most {largest:g} bits (0 keeps every "
                         "column)")


def _most_information(background) -> float:
    seen = np.asarray(background, dtype=np.float64)
    seen = seen[seen > 0]
    return float(np.log2(1 / seen.min())) if len(seen) else 0.0


def trimmed_columns(motif, sequence_background, structure_background, trim_ic: float) -> tuple:
    """The columns of a kernel motif that :func:`export_kernel_motifs` keeps: from the first to the last whose
    information content (sequence or structure, the larger) reaches ``trim_ic`` bits.

    Returns
    -------
    (start, end, informative)
        Half-open; all columns and ``informative`` False where no column reaches ``trim_ic``.
    """
    content = information_content(motif.pwm, sequence_background)
    if motif.structure_pwm is not None:
        content = np.maximum(content, information_content(motif.structure_pwm, structure_background))
    # A column that lies in the padding of every site (a C-terminal kernel's last columns) holds no letter: a row of
    # zeros, which no motif format reads. Padding lies at a record's ends, so such columns lie at the kernel's: they
    # are never kept, --trim-ic 0 and motifs of no informative column included.
    has_letters = np.asarray(motif.pwm).sum(axis=1) > 0
    content[~has_letters] = -np.inf
    start, end, informative = _bounds(content, trim_ic)
    if not informative and has_letters.any():
        start, end = int(np.argmax(has_letters)), len(has_letters) - int(np.argmax(has_letters[::-1]))
    return start, end, informative


def export_kernel_motifs(out_dir, motifs, dataset, trim_ic: float = DEFAULT_TRIM_IC, formats=("meme",)) -> list:
    """Trim the kernels' motifs and write ``motifs.*`` (and ``motifs_structure.*``) in ``formats``.

    Sequence and structure motifs of a kernel keep the same columns: those from the first to
    the last where either reaches ``trim_ic`` bits against the data's letter frequencies.

    Parameters
    ----------
    out_dir : path
    motifs : list of KernelMotif
        In the order to write; kernels without sites are left out.
    dataset : Dataset
        The data the motifs come from (background frequencies, alphabet).
    trim_ic : float
        Bits. Default is 0.3.
    formats : sequence of str
        Default is MEME only.

    Returns
    -------
    list of ExportedMotif
        In the order of ``motifs``.
    """
    from ..interpret.kernels import background_frequencies

    trim_ic = check_trim_ic(trim_ic)
    encoder = dataset.encoder
    sequence_background, structure_background = background_frequencies(dataset)
    exported = []
    for motif in motifs:
        if motif.pwm is None:
            continue
        start, end, informative = trimmed_columns(motif, sequence_background, structure_background, trim_ic)
        alt_name = f"importance={motif.importance:.4f}"
        structure = None
        if motif.structure_pwm is not None:
            structure = MemeMotif(f"kernel_{motif.kernel}", alt_name, motif.structure_pwm[start:end],
                                  len(motif.sites))  # nsites: the sites the matrix is made from (at most 750)
        exported.append(ExportedMotif(motif.kernel, MemeMotif(f"kernel_{motif.kernel}", alt_name,
                                                              motif.pwm[start:end], len(motif.sites)),
                                      (start, end), structure, informative))
    alphabet = encoder.alphabet
    write_motifs(Path(out_dir) / "motifs", [e.motif for e in exported], alphabet.letters, sequence_background,
                 formats, alphabet_name=alphabet.name, strands=alphabet.letters == "ACGT")
    if encoder.structure is not None:
        write_motifs(Path(out_dir) / "motifs_structure", [e.structure for e in exported],
                     encoder.structure.letters, structure_background, formats, alphabet_name="structure")
    return exported
