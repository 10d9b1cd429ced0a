"""The per-kernel figures of ``visualize-kernels``, drawn from a few small arrays per kernel.

:func:`figure_data` picks out what a kernel's figures show (in the process that holds the
activations); :func:`draw_kernel_figures` draws and saves them and needs nothing else, so
worker processes can draw kernels side by side without TensorFlow or the data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


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


def figure_data(out, motif, activations, dataset, profile, names) -> KernelFigureData:
    """Pick out what the figures of ``motif``'s kernel show (see :func:`draw_kernel_figures`)."""
    kernel = motif.kernel
    title = (f"kernel {kernel}: importance {motif.importance:.3f}, top class {names[motif.top_class]}, "
             f"{motif.n_sites} sites")
    if motif.correlation is not None:
        title = f"kernel {kernel}: r = {motif.correlation:+.3f} with {motif.target}, {motif.n_sites} sites"
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
        track_names=list(dataset.track_names), track_windows=motif.track_windows)


def _figure(width, height, rows=1, **kwargs):
    import matplotlib.pyplot as plt

    return plt.subplots(rows, 1, figsize=(width, height), squeeze=False, layout="constrained", **kwargs)


def draw_kernel_figures(data: KernelFigureData) -> list:
    """Draw and save pysster's figures of one kernel in ``data.out``; return the image names.

    ``motif_kernel_N.png`` (logo), ``activations_kernel_N.png`` (violins, or activation
    against the target), ``position_kernel_N.png`` (where it fires) and, with tracks,
    ``additional_features_kernel_N.png``.
    """
    import matplotlib.pyplot as plt

    from .figures import (
        plot_activation_profile,
        plot_activation_target,
        plot_activation_violins,
        plot_logo,
        plot_site_positions,
        plot_track_windows,
        save_figure,
    )

    out, kernel = Path(data.out), data.kernel
    width = max(5.5, 0.38 * data.kernel_len + 1.2)
    if data.pwm is None:
        figure, axes = _figure(width, 1.6)
        axes[0, 0].text(0.5, 0.5, "no sequence of the top class exceeds the threshold", ha="center", va="center")
        axes[0, 0].set_axis_off()
        axes[0, 0].set_title(data.title, fontsize=10)
    elif data.structure_pwm is not None:
        figure, axes = _figure(width, 4.6, rows=2)
        plot_logo(data.pwm, data.letters, ax=axes[0, 0], title=data.title)
        axes[0, 0].set_xlabel("")
        plot_logo(data.structure_pwm, data.structure_letters, ax=axes[1, 0], structure=True, title="structure")
    else:
        figure, axes = _figure(width, 2.2)
        plot_logo(data.pwm, data.letters, ax=axes[0, 0], title=data.title)
    save_figure(figure, out / f"motif_kernel_{kernel}.png")

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
    plot_site_positions(data.positions, data.length, data.class_names, ax=left)
    left.set_xlabel("position in sequence (window start)")
    plot_activation_profile(data.mean, data.std, data.class_names, ax=right)
    figure.suptitle(f"kernel {kernel}: where it fires", fontsize=11)
    figure.tight_layout()
    save_figure(figure, out / f"position_kernel_{kernel}.png")

    if data.correlation is not None:  # regression: activation against the target
        figure, axes = _figure(4.4, 3.6)
        plot_activation_target(data.activation, data.target_values, data.target, data.correlation,
                               data.threshold, ax=axes[0, 0])
        axes[0, 0].set_title(f"kernel {kernel}: r = {data.correlation:+.3f} with {data.target}", fontsize=10)
    else:
        figure, axes = _figure(max(3.5, 1.1 * len(data.class_names) + 1.5), 3.6)
        plot_activation_violins(data.violin_values, data.class_names, data.threshold, ax=axes[0, 0])
        axes[0, 0].set_title(f"kernel {kernel}: maximum activation per class", fontsize=10)
    save_figure(figure, out / f"activations_kernel_{kernel}.png")
    # The report shows the logo and the violins in one row, then where the kernel fires.
    images = [f"motif_kernel_{kernel}.png", f"activations_kernel_{kernel}.png", f"position_kernel_{kernel}.png"]

    if data.track_names:
        figure, axes = _figure(5, 2.2 * len(data.track_names), rows=len(data.track_names))
        for index, name in enumerate(data.track_names):
            if data.track_windows is not None:
                plot_track_windows(data.track_windows[:, :, index], name, ax=axes[index, 0])
            else:
                axes[index, 0].set_axis_off()
        axes[0, 0].set_title(f"kernel {kernel}: tracks at the motif's sites", fontsize=10)
        save_figure(figure, out / f"additional_features_kernel_{kernel}.png")
        images.append(f"additional_features_kernel_{kernel}.png")
    return images
