"""The distinct-motif files of visualize-kernels: MEME file, table and one logo per group."""

from __future__ import annotations

from pathlib import Path

from ..motifs.distinct import distinct_table, group_meme_motifs


def write_distinct(out_dir, groups, dataset) -> list:
    """Write ``distinct_motifs.tsv``, ``motifs_distinct.meme`` and the groups' logos.

    A group's logo, ``distinct_kernel_N.png`` (N its best kernel), is the bare logo of its trimmed motif,
    drawn to be read at the size of the report's table (the kernel's own figure, shrunk there, had titles
    and ticks too small to read).

    Parameters
    ----------
    out_dir : path
    groups : list of MotifGroup
    dataset : Dataset

    Returns
    -------
    list of (MotifGroup, str or None)
        Each group with its logo image (None without a motif), for the report.
    """
    from .._io import write_text
    from ..interpret.kernels import background_frequencies
    from ..motifs.export import write_motifs

    out = Path(out_dir)
    letters = dataset.encoder.alphabet.letters
    write_text(out / "distinct_motifs.tsv", distinct_table(groups))
    write_motifs(out / "motifs_distinct", group_meme_motifs(groups), letters, background_frequencies(dataset)[0],
                 alphabet_name=dataset.encoder.alphabet.name, strands=letters == "ACGT")
    entries = []
    for group in groups:
        image = None
        if group.motif is not None:
            image = f"distinct_kernel_{group.best_kernel}.png"
            _write_thumbnail(out / image, group.motif.pwm, letters)
        entries.append((group, image))
    return entries


def _write_thumbnail(path, pwm, letters: str) -> None:
    """Save the bare logo of ``pwm`` (:func:`motifnet.plot.figures.plot_logo`, in bits, no axes) to ``path``."""
    import matplotlib.pyplot as plt

    from ..plot.figures import plot_logo, save_figure

    figure, ax = plt.subplots(figsize=(max(1.2, 0.26 * len(pwm)), 0.8), layout="constrained")
    plot_logo(pwm, letters, ax=ax)
    ax.axis("off")
    save_figure(figure, path)
