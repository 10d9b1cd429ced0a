"""``motifnet optimize-inputs`` on a run folder: optimise, draw the logos, save the figure."""

from __future__ import annotations

import logging

import numpy as np

from .._progress import Progress
from ..interpret.optimize import (
    DEFAULT_L2,
    _check_nodes,
    _get_layer,
    check_settings,
    optimize_inputs,
    sequence_pwms,
    uses_pre_activation,
)
from ..plot.optimized import plot_optimized_inputs

log = logging.getLogger("motifnet")

def optimize_for_run(run, layer_name: str, nodes: list[int] | None, output, bound: float = 0.1,
                     lr: float = 0.02, steps: int = 600, seed: int = 0, l2: float = DEFAULT_L2,
                     prefix: str = "") -> np.ndarray:
    """Optimise inputs for nodes of a run's model and save their logos (PNG, PDF or SVG, by the suffix).

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    layer_name : str
    nodes : list of int or None
        Default is None (all nodes of the layer).
    output : str or pathlib.Path
        PNG file written (atomically).
    bound, lr, steps, seed, l2
        See :func:`optimize_inputs`.
    prefix : str
        Put before the arguments' names in messages (the command line gives ``--``). Default is "".

    Returns
    -------
    numpy.ndarray, shape=(nodes, length, channels)
        The learnt inputs.

    Raises
    ------
    ParamError, RunDirError
    """
    from ..plot.figures import save_figure

    check_settings(bound, lr, steps, l2, prefix)  # before the model loads
    model = run.model
    layer = _get_layer(model, layer_name)
    chosen = _check_nodes(nodes, int(layer.output.shape[-1]), layer_name, prefix)
    log.info("optimising %d node(s) of layer %s for %d steps", len(chosen), layer_name, steps)
    tracker = Progress("optimising", total=steps, unit="steps")

    def progress(step, total):
        # a line every 10 s at most, as for every long step; and the last step's
        if step == total:
            log.info("step %d of %d", step, total)
        else:
            tracker.update(step)

    x = optimize_inputs(model, layer_name, chosen, bound=bound, lr=lr, steps=steps, l2=l2, seed=seed,
                        progress=progress)
    encoder = run.dataset_encoder
    sequence, structure = sequence_pwms(x, encoder)
    if layer_name == "output":
        labels = [f"{node} ({run.output_names[node]})" for node in chosen]
    else:
        labels = chosen
    value = "value before the activation" if uses_pre_activation(layer) else (
        "maximum over positions" if len(layer.output.shape) == 3 else "their value")
    figure = plot_optimized_inputs(
        sequence, encoder.alphabet.letters, labels, layer_name=layer_name,
        title=f"Inputs that maximise nodes of {layer_name} ({value})",
        structure_pwms=structure, structure_letters=encoder.structure.letters if structure is not None else None)
    save_figure(figure, output)
    return x
