"""The distinct-motif files of visualize-kernels: MEME file, table and one logo per group."""

from __future__ import annotations

from pathlib import Path

from ..motifs.distinct import distinct_table, group_meme_motifs


def write_distinct(out_dir, groups, dataset) -> list:
    """Write ``distinct_motifs.tsv``, ``motifs_distinct.meme`` and the groups' logos.

    A group's logo, ``distinct_kernel_N.png`` (N its best kernel), is the bare logo of its trimmed motif,
    drawn to be read at the size of the report's table (the kernel's own figure, shrunk there, had titles
    and ticks too small to read); for a sequence+structure model with the structure logo of the same columns
    below it.

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
    structure_letters = dataset.encoder.structure.letters if dataset.encoder.structure is not None else ""
    write_text(out / "distinct_motifs.tsv", distinct_table(groups))
    write_motifs(out / "motifs_distinct", group_meme_motifs(groups), letters, background_frequencies(dataset)[0],
                 alphabet_name=dataset.encoder.alphabet.name, strands=letters == "ACGT")
    entries = []
    for group in groups:
        image = None
        if group.motif is not None:
            image = f"distinct_kernel_{group.best_kernel}.png"
            structure = group.structure.pwm if group.structure is not None else None
            _write_thumbnail(out / image, group.motif.pwm, letters, structure, structure_letters)
        entries.append((group, image))
    return entries


def _write_thumbnail(path, pwm, letters: str, structure_pwm=None, structure_letters: str = "") -> None:
    """Save the bare logo of ``pwm`` (:func:`motifnet.plot.figures.plot_logo`, in bits, no axes) to ``path``, with
    the logo of ``structure_pwm`` (same columns) below it where given."""
    import matplotlib.pyplot as plt

    from ..plot.figures import plot_logo, save_figure

    rows = [(pwm, letters, False)] + ([(structure_pwm, structure_letters, True)] if structure_pwm is not None else [])
    figure, axes = plt.subplots(len(rows), 1, figsize=(max(1.2, 0.26 * len(pwm)), 0.8 * len(rows)),
                                layout="constrained", squeeze=False)
    for ax, (matrix, matrix_letters, structure) in zip(axes[:, 0], rows):
        plot_logo(matrix, matrix_letters, ax=ax, structure=structure)
        ax.axis("off")
    save_figure(figure, path)
