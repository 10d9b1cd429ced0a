"""HOMER's motif format: writing probability matrices as ``.motif`` files and reading them back.

Each motif is a header line ``>CONSENSUS<TAB>NAME<TAB>LOG-ODDS-THRESHOLD`` and one row per
position of tab-separated letter probabilities (columns in the alphabet's order: A C G T for
DNA). HOMER (``findMotifs.pl``, ``annotatePeaks.pl -m``, ``scanMotifGenomeWide.pl``) calls a
site where the motif's log-odds score (natural logarithm, against an even background) reaches
the threshold. motifnet writes 0.6 times the best score the matrix can reach (probabilities
floored at 0.001), about what HOMER's own de novo motifs carry relative to their width.
"""

from __future__ import annotations

import numpy as np

from ..data.fasta import display_name
from ..errors import InputError
from .meme import parse_number, text_lines
from .readers import parse_motifs

#: Fraction of the best achievable log-odds score written as the detection threshold.
THRESHOLD_FRACTION = 0.6
_FLOOR = 1e-3


def log_odds_threshold(pwm: np.ndarray, fraction: float = THRESHOLD_FRACTION) -> float:
    """``fraction`` of the best log-odds score of ``pwm`` (natural log, even background, floor 0.001)."""
    pwm = np.asarray(pwm, dtype=np.float64)
    letters = pwm.shape[1]
    best = np.log(np.maximum(pwm, _FLOOR) * letters).max(axis=1).sum()
    return float(fraction * best)


def consensus_letters(pwm: np.ndarray, letters: str) -> str:
    """The most probable letter of each row (the first on ties), as MEME's TOMTOM and HOMER's headers write it."""
    return "".join(letters[int(i)] for i in np.asarray(pwm).argmax(axis=1))


def format_homer(motifs, letters: str) -> str:
    """HOMER motif text for ``motifs`` (MemeMotif): a header line and rows of probabilities each.

    The name column is the motif's name and alternate name joined by ``/`` (HOMER's own files
    name motifs ``NAME/SOURCE``).
    """
    blocks = []
    for motif in motifs:
        pwm = np.asarray(motif.pwm, dtype=np.float64)
        name = "/".join(part for part in (motif.name, motif.alt_name) if part)
        lines = [f">{consensus_letters(pwm, letters)}\t{name}\t{log_odds_threshold(pwm):.6f}"]
        lines += ["\t".join(f"{value:.6f}" for value in row) for row in pwm]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n" if blocks else ""


def read_homer(path) -> list:
    """Motifs of a HOMER ``.motif`` file (plain or gzip) with their log-odds thresholds.

    Returns
    -------
    list of (MemeMotif, float)
        Each motif as :func:`motifnet.motifs.readers.read_motifs` reads it (name: the header's
        name column; ``alt_name`` its consensus) and its log-odds threshold.

    Raises
    ------
    InputError
        As :func:`motifnet.motifs.readers.read_motifs`, or a header without a numeric threshold (a file that
        is not HOMER's).
    """
    lines = text_lines(path)
    motifs = parse_motifs(lines, display_name(path)).motifs
    thresholds = []
    for number, line in enumerate(lines, start=1):
        if line.startswith(">"):
            fields = line[1:].split("\t")
            threshold = parse_number(fields[2]) if len(fields) >= 3 else None
            if threshold is None:
                raise InputError(f"{display_name(path)}:{number}: a HOMER motif header needs '>CONSENSUS<TAB>NAME<TAB>"
                                 f"THRESHOLD' with a number for THRESHOLD, received: {line!r}")
            thresholds.append(threshold)
    if len(thresholds) != len(motifs):
        raise InputError(f"{display_name(path)}: not a HOMER motif file (no '>' header lines with thresholds)")
    return list(zip(motifs, thresholds))
