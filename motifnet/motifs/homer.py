"""HOMER's motif format: writing probability matrices as ``.motif`` files and reading them back.

Each motif is a header line ``>CONSENSUS<TAB>NAME<TAB>LOG-ODDS-THRESHOLD`` and one row per
position of tab-separated letter probabilities (columns in the alphabet's order: A C G T for
DNA). HOMER (``findMotifs.pl``, ``annotatePeaks.pl -m``, ``scanMotifGenomeWide.pl``) calls a
site where the motif's log-odds score (natural logarithm, against an even background) reaches
the threshold. motifnet writes 0.6 times the best score the matrix can reach (probabilities
floored at 0.001), about what HOMER's own de novo motifs carry relative to their width.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.fasta import display_name
from ..errors import InputError
from .meme import MemeMotif, text_lines

#: Fraction of the best achievable log-odds score written as the detection threshold.
THRESHOLD_FRACTION = 0.6
_FLOOR = 1e-3


def log_odds_threshold(pwm: np.ndarray, fraction: float = THRESHOLD_FRACTION) -> float:
    """``fraction`` of the best log-odds score of ``pwm`` (natural log, even background, floor 0.001)."""
    pwm = np.asarray(pwm, dtype=np.float64)
    letters = pwm.shape[1]
    best = np.log(np.maximum(pwm, _FLOOR) * letters).max(axis=1).sum()
    return float(fraction * best)


def _consensus(pwm: np.ndarray, letters: str) -> str:
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
        lines = [f">{_consensus(pwm, letters)}\t{name}\t{log_odds_threshold(pwm):.6f}"]
        lines += ["\t".join(f"{value:.6f}" for value in row) for row in pwm]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n" if blocks else ""


def read_homer(path, letters: int = 4) -> list:
    """Motifs of a HOMER ``.motif`` file (plain or gzip).

    Parameters
    ----------
    path : path
    letters : int
        Values per row. Default is 4 (DNA).

    Returns
    -------
    list of (MemeMotif, float)
        Each motif (name: the header's name column; ``alt_name`` its consensus; ``nsites`` 0)
        and its log-odds threshold.

    Raises
    ------
    InputError
        As :func:`parse_homer`.
    """
    return parse_homer(text_lines(path), display_name(path), letters)


def parse_homer(lines, path, letters: int = 4) -> list:
    """:func:`read_homer` of a file's stripped ``lines`` (``path`` names the file in messages).

    Raises
    ------
    InputError
        A row before the first header, a header without three columns, a row of the wrong width, or a
        header without rows.
    """
    motifs = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if line.startswith(">"):
            fields = line[1:].split("\t")
            if len(fields) < 3:
                raise InputError(f"{path}:{number}: a HOMER motif header needs '>CONSENSUS<TAB>NAME<TAB>"
                                 f"THRESHOLD', received: {line!r}")
            try:
                threshold = float(fields[2])
            except ValueError:
                raise InputError(f"{path}:{number}: the log-odds threshold is not a number: "
                                 f"{fields[2]!r}") from None
            if motifs and not motifs[-1][2]:
                raise InputError(f"{path}:{number}: the motif {motifs[-1][0]!r} has no rows of probabilities")
            motifs.append([fields[1].strip(), fields[0].strip(), [], threshold])
            continue
        if not motifs:
            raise InputError(f"{path}:{number}: a matrix row before the first '>' header")
        try:
            row = [float(value) for value in line.split()]
        except ValueError:
            raise InputError(f"{path}:{number}: a matrix row of numbers expected, received: {line!r}") from None
        if len(row) != letters or not all(math.isfinite(value) for value in row):
            raise InputError(f"{path}:{number}: a matrix row of {letters} probabilities expected, received: "
                             f"{line!r}")
        motifs[-1][2].append(row)
    if motifs and not motifs[-1][2]:
        raise InputError(f"{path}: the motif {motifs[-1][0]!r} has no rows of probabilities")
    return [(MemeMotif(name, consensus, np.array(rows, dtype=np.float64), 0), threshold)
            for name, consensus, rows, threshold in motifs]
