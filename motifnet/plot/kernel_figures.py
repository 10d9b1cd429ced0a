"""The per-kernel figures of ``visualize-kernels``, drawn from a few small arrays per kernel.

:func:`figure_data` picks out what a kernel's figures show (in the process that holds the
activations); :func:`kernel_figures` draws them and needs nothing else, so worker processes
can draw kernels side by side without TensorFlow or the data set
(:func:`motifnet.workflows.kernel_figures.write_kernel_figures` saves them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .figures import logo_width


@dataclass
class KernelFigureData:
    """Everything the figures of one kernel show.

    ``violin_values`` (classification) holds the maximum activations per class;
    ``activation``/``target_values`` (regression) the maximum activation and the target per record.
    """

    out: str
    kernel: int
    title: str
    kernel_len: int
    letters: str
    pwm: np.ndarray | None
    structure_letters: str
    structure_pwm: np.ndarray | None
    class_names: list
    positions: list
    length: int
    mean: np.ndarray
    std: np.ndarray
    threshold: float
    violin_values: list | None
    activation: np.ndarray | None
    target_values: np.ndarray | None
    target: str | None
    correlation: float | None
    track_names: list
    track_windows: np.ndarray | None
    kept: tuple | None = None  # the columns motifs.meme keeps (start, end); None: not trimmed, or no motif


def figure_data(out, motif, activations, dataset, profile, names, kept: tuple | None = None) -> KernelFigureData:
    """Pick out what the figures of ``motif``'s kernel show (see :func:`kernel_figures`); ``kept``: the columns its
    exported motif keeps, the others shaded."""
    kernel = motif.kernel
    # The logo is made from the strongest (at most 750) of the sites: a title of more says so.
    sites = f"{motif.n_sites} sites" + (f", logo of the {len(motif.sites)} strongest"
                                         if motif.n_sites > len(motif.sites) else "")
    title = f"kernel {kernel}: importance {motif.importance:.3f}, top class {names[motif.top_class]}, {sites}"
    if motif.correlation is not None:
        title = f"kernel {kernel}: r = {motif.correlation:+.3f} with {motif.target}, {sites}"
    mean, std = profile
    positions = [activations.position[motif.selected & (activations.groups[:, c] == 1), kernel]
                 for c in range(len(names))]
    regression = motif.correlation is not None
    encoder = dataset.encoder
    return KernelFigureData(
        out=str(out), kernel=kernel, title=title, kernel_len=activations.kernel_len,
        letters=encoder.alphabet.letters, pwm=motif.pwm,
        structure_letters=encoder.structure.letters if encoder.structure is not None else "",
        structure_pwm=motif.structure_pwm, class_names=list(names), positions=positions,
        length=mean.shape[1], mean=mean, std=std, threshold=motif.threshold,
        violin_values=None if regression else [activations.max_activation[activations.labels[:, c] == 1, kernel]
                                               for c in range(len(names))],
        activation=activations.max_activation[:, kernel] if regression else None,
        target_values=(activations.targets[:, activations.target_names.index(motif.target)] if regression
                       else None),
        target=motif.target, correlation=motif.correlation,
        track_names=list(dataset.track_names), track_windows=motif.track_windows, kept=kept)


def _figure(width, height, rows=1, **kwargs):
    import matplotlib.pyplot as plt

    return plt.subplots(rows, 1, figsize=(width, height), squeeze=False, layout="constrained", **kwargs)


def kernel_figures(data: KernelFigureData) -> dict:
    """Draw pysster's figures of one kernel.

    Parameters
    ----------
    data : KernelFigureData

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        By file name, in the order the report shows them: ``motif_kernel_N.png`` (logo),
        ``activations_kernel_N.png`` (violins, or activation against the target),
        ``position_kernel_N.png`` (where it fires) and, with tracks,
        ``additional_features_kernel_N.png``. The caller saves and closes them.
    """
    kernel = data.kernel
    figures = {f"motif_kernel_{kernel}.png": draw_motif_figure(data),
               f"activations_kernel_{kernel}.png": draw_activation_figure(data),
               f"position_kernel_{kernel}.png": draw_position_figure(data)}
    if data.track_names:
        figures[f"additional_features_kernel_{kernel}.png"] = draw_track_figure(data)
    return figures


def draw_motif_figure(data: KernelFigureData):
    """The kernel's logo (and structure logo), or a note that it has no sites; returns the Figure."""
    from .figures import letter_key, plot_logo, shade_columns

    width = logo_width(data.kernel_len)
    if data.pwm is None:
        figure, axes = _figure(width, 1.6)
        axes[0, 0].text(0.5, 0.5, "no sequence of the top class exceeds the threshold", ha="center", va="center")
        axes[0, 0].set_axis_off()
        axes[0, 0].set_title(data.title, fontsize=10)
    elif data.structure_pwm is not None:
        figure, axes = _figure(width, 4.6, rows=2)
        plot_logo(data.pwm, data.letters, ax=axes[0, 0], title=data.title)
        plot_logo(data.structure_pwm, data.structure_letters, ax=axes[1, 0], structure=True)
        letter_key(axes[1, 0], data.structure_letters, structure=True)
        # Each panel names what it shows beside its axis: a title over the lower panel sat under the
        # upper panel's ticks, where it read as that panel's label.
        for ax, kind in ((axes[0, 0], "sequence"), (axes[1, 0], "structure")):
            ax.set_ylabel(f"{kind}\n{ax.get_ylabel()}")
        axes[0, 0].set_xlabel("")
    else:
        figure, axes = _figure(width, 2.2)
        plot_logo(data.pwm, data.letters, ax=axes[0, 0], title=data.title)
    if data.pwm is not None and data.kept is not None and data.kept != (0, data.kernel_len):
        for ax in axes[:, 0]:
            shade_columns(ax, [(0, data.kept[0]), (data.kept[1], data.kernel_len)])
        axes[-1, 0].set_xlabel("position (shaded: trimmed from motifs.meme)")
    return figure


def draw_position_figure(data: KernelFigureData):
    """Where the kernel fires: site positions and the mean activation profile; returns the Figure."""
    import matplotlib.pyplot as plt

    from .figures import plot_activation_profile, plot_site_positions

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    plot_site_positions(data.positions, data.length, data.class_names, ax=left)
    left.set_xlabel("position in sequence (window start, from 0)")
    plot_activation_profile(data.mean, data.std, data.class_names, ax=right,
                            counts=[len(positions) for positions in data.positions])
    figure.suptitle(f"kernel {data.kernel}: where it fires", fontsize=11)
    figure.tight_layout()
    return figure


def draw_activation_figure(data: KernelFigureData):
    """Maximum activation per class (violins), or against the target for regression; returns the Figure."""
    from .figures import plot_activation_target, plot_activation_violins

    kernel = data.kernel
    if data.correlation is not None:
        figure, axes = _figure(4.4, 3.6)
        plot_activation_target(data.activation, data.target_values, data.target, data.correlation,
                               data.threshold, ax=axes[0, 0])
        axes[0, 0].set_title(f"kernel {kernel}: r = {data.correlation:+.3f} with {data.target}", fontsize=10)
    else:
        figure, axes = _figure(max(3.5, 1.1 * len(data.class_names) + 1.5), 3.6)
        plot_activation_violins(data.violin_values, data.class_names, data.threshold, ax=axes[0, 0])
        axes[0, 0].set_title(f"kernel {kernel}: maximum activation per class", fontsize=10)
    return figure


def draw_track_figure(data: KernelFigureData):
    """Each track's mean ± sd across the motif's sites, one row per track; returns the Figure."""
    from .figures import plot_track_windows

    figure, axes = _figure(5, 2.2 * len(data.track_names), rows=len(data.track_names))
    for index, name in enumerate(data.track_names):
        if data.track_windows is not None:
            plot_track_windows(data.track_windows[:, :, index], name, ax=axes[index, 0])
        else:
            axes[index, 0].set_axis_off()
    axes[0, 0].set_title(f"kernel {data.kernel}: tracks at the motif's sites", fontsize=10)
    return figure
