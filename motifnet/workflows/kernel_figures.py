"""The per-kernel figures of ``visualize-kernels``, saved as PNG files beside the report."""

from __future__ import annotations

from pathlib import Path

from ..plot.figures import save_figure
from ..plot.kernel_figures import KernelFigureData, kernel_figures


def write_kernel_figures(data: KernelFigureData) -> list:
    """Draw the figures of one kernel and save them in ``data.out``.

    Needs nothing but ``data``, so worker processes can run it side by side.

    Parameters
    ----------
    data : motifnet.plot.kernel_figures.KernelFigureData

    Returns
    -------
    list of str
        The image file names, in the order the report shows them (see
        :func:`motifnet.plot.kernel_figures.kernel_figures`).
    """
    out = Path(data.out)
    names = []
    for name, figure in kernel_figures(data).items():
        save_figure(figure, out / name)
        names.append(name)
    return names
