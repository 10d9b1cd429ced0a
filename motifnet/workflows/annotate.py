"""Kernel motifs matched to a motif database, with the TSV and match images visualize-kernels writes."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from .._io import write_text
from ..errors import OptionValueError
from ..motifs.jaspar import DNA_LETTERS, MotifDatabase, in_query_letters, load_database
from ..motifs.matching import SIGNIFICANT_Q, MotifOptions, match_alignment, match_motifs, matches_tsv
from ..plot.matches import plot_match

log = logging.getLogger("motifnet")


def kernel_database(options: MotifOptions, letters: str, what: str = "kernels") -> MotifDatabase | None:
    """The database to match a model's kernels (or ``what`` else: TF-MoDISco's patterns) against (None: no matching).

    JASPAR by default for DNA models; other alphabets need ``--motif-db FILE``.

    Raises
    ------
    ParamError, InputError
        The database cannot be read or its alphabet is not the model's.
    """
    reason = not_matched_because(options, letters)
    if reason is not None:
        if options.match and options.tax_group:  # it would choose among JASPAR's motifs, which are not matched here
            rna = sorted(letters) == sorted("ACGU")
            raise OptionValueError(f"--tax-group applies to JASPAR, which holds DNA motifs, and the model's "
                                   f"letters are {letters}; leave it out"
                                   + (", and give --motif-db FILE.meme of RNA motifs (ALPHABET= ACGU) to match "
                                      "them" if rna else ""))
        if options.match:
            log.info("not matching %s with known motifs: %s", what, reason)
        return None
    database = load_database(options.database or "jaspar", options.collection, options.tax_group)
    return in_query_letters(letters, database, "the model")


def not_matched_because(options: MotifOptions, letters: str) -> str | None:
    """Why :func:`kernel_database` matches nothing, in words for the log and the report; None when it matches."""
    if not options.match:
        return "--no-match was given"
    if options.database is None and letters != DNA_LETTERS:
        return (f"JASPAR holds DNA motifs and the model's letters are {letters}; give --motif-db FILE (MEME, JASPAR, "
                "HOMER or TRANSFAC motifs of these letters) to match them")
    return None


#: Next significant matches the report names beside a kernel's best match (:attr:`MotifMatch.also`).
ALSO_MATCHES = 3


def next_matches(rows) -> tuple:
    """The names of the significant matches after the best (``rows``, best first), without the best's name and
    without repeats, at most :data:`ALSO_MATCHES`."""
    names = []
    for row in rows[1:]:
        if len(names) == ALSO_MATCHES:
            break
        if row.q_value < SIGNIFICANT_Q and row.target_name not in names and row.target_name != rows[0].target_name:
            names.append(row.target_name)
    return tuple(names)


def annotate_kernels(out_dir, motifs, exported, letters: str, database: MotifDatabase, top: int = 5,
                     draw=None) -> dict:
    """Match exported kernel motifs; write ``matches.tsv`` and ``match_kernel_N.png``.

    A figure is drawn for each kernel whose best match has a q-value below 0.05.

    Parameters
    ----------
    out_dir : path
    motifs : list of KernelMotif
        The untrimmed motifs (for the logos).
    exported : list of motifnet.motifs.export.ExportedMotif
        The trimmed motifs that are matched.
    letters : str
    database : MotifDatabase
    top : int
        Matches per kernel in ``matches.tsv``. Default is 5.
    draw : set of int or None
        Kernels whose match figure may be drawn; default all.

    Returns
    -------
    (dict of int to MotifMatch, dict of int to str)
        The best match of each matched kernel, and the figure of each kernel that has one.
    """
    out = Path(out_dir)
    flat = [item.kernel for item in exported if not item.informative]
    if flat:
        log.info("not matching kernel(s) %s: no column of their motifs reaches the --trim-ic threshold",
                 ", ".join(map(str, flat)))
    exported = [item for item in exported if item.informative]
    if not exported:
        write_text(out / "matches.tsv", matches_tsv([]))
        return {}, {}
    log.info("matching %d kernel motif(s) with %s", len(exported), database.source)
    matches = match_motifs([e.motif for e in exported], database, top)
    write_text(out / "matches.tsv", matches_tsv(matches))
    untrimmed = {m.kernel: m.pwm for m in motifs}
    best, figures = {}, {}
    for item, rows in zip(exported, matches):
        match = rows[0]
        best[item.kernel] = match = dataclasses.replace(match, also=next_matches(rows))
        if match.q_value >= SIGNIFICANT_Q or (draw is not None and item.kernel not in draw):
            continue
        figures[item.kernel] = f"match_kernel_{item.kernel}.png"
        write_match_figure(out / figures[item.kernel], f"kernel {item.kernel}", untrimmed[item.kernel], item.columns,
                           match, letters)
    return best, figures


def write_match_figure(path, title: str, pwm, kept: tuple, match, letters: str, first_column: int = 1,
                       xlabel: str | None = None) -> None:
    """Save a motif's logo (titled ``title``) over its match's logo (:func:`motifnet.plot.matches.plot_match`, with
    ``first_column``) to ``path``; ``xlabel`` replaces the upper logo's axis label."""
    import matplotlib.pyplot as plt

    from ..plot.figures import logo_width, save_figure

    width, _, _ = match_alignment(len(pwm), kept, match.offset, len(match.target_pwm))
    figure, axes = plt.subplots(2, 1, figsize=(logo_width(width), 4.4), layout="constrained")
    plot_match(pwm, kept, match, letters, axes=axes, first_column=first_column)
    axes[0].set_title(title, fontsize=10)
    if xlabel:
        axes[0].set_xlabel(xlabel)
    axes[1].set_title(f"best match: {match.target_name} {match.target_id}, q = {match.q_value:.2g}", fontsize=10)
    save_figure(figure, path)
