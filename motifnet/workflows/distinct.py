"""The distinct-motif files of visualize-kernels: MEME file, table and one logo per group."""

from __future__ import annotations

from pathlib import Path

from ..motifs.distinct import distinct_table, group_meme_motifs


def write_distinct(out_dir, groups, motifs, dataset, plotted) -> list:
    """Write ``distinct_motifs.tsv``, ``motifs_distinct.meme`` and the groups' logos.

    A group's logo is its best kernel's ``motif_kernel_N.png``; where that kernel has no plots
    (``--top``), ``distinct_kernel_N.png`` is drawn instead.

    Parameters
    ----------
    out_dir : path
    groups : list of MotifGroup
    motifs : list of KernelMotif
        The untrimmed motifs (for the logos).
    dataset : Dataset
    plotted : set of int
        Kernels whose per-kernel plots were written.

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
    untrimmed = {m.kernel: m for m in motifs}
    entries = []
    for rank, group in enumerate(groups, start=1):
        image = None
        if group.motif is not None:
            image = f"motif_kernel_{group.best_kernel}.png"
            if group.best_kernel not in plotted:
                image = f"distinct_kernel_{group.best_kernel}.png"
                _write_logo(out / image, untrimmed[group.best_kernel].pwm, letters,
                            f"group {rank}: kernel {group.best_kernel}, importance {group.importance:.3f}")
        entries.append((group, image))
    return entries


def _write_logo(path, pwm, letters: str, title: str) -> None:
    """Save the logo of ``pwm`` (:func:`motifnet.plot.figures.plot_logo`) to ``path``."""
    import matplotlib.pyplot as plt

    from ..plot.figures import logo_width, plot_logo, save_figure

    figure, ax = plt.subplots(figsize=(logo_width(len(pwm)), 2.2), layout="constrained")
    plot_logo(pwm, letters, ax=ax, title=title)
    save_figure(figure, path)
