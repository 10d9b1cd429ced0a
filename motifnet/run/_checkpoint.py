"""What ``train --resume`` continues from: the state of the last epoch done, in ``RUN_DIR/resume/``.

After every epoch with finite losses training writes ``resume/epoch-N.npz`` (every variable of
the model, the seed states of its dropout layers included; the optimizer's variables, its step
counter and learning rate included; the best epoch's weights) and then ``resume/state.json``
(the fit's counters and ``history.tsv``'s rows), each atomically. ``state.json`` names its
archive, so a job killed between the two writes resumes from the epoch before. The folder goes
once training has completed and its test metrics are written.
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import is_partial, remove_written, write_json, write_npz
from ..errors import RunDirError
from . import rundir
from .fit import FitState, Resume

STATE = "state.json"


@dataclass
class Checkpoint:
    """The last epoch done of an interrupted training.

    Attributes
    ----------
    state : FitState
    rows : list of dict
        ``history.tsv``'s rows up to that epoch.
    variables, optimizer : list of numpy.ndarray
        ``model.variables`` and ``model.optimizer.variables`` after that epoch.
    best_weights : list of numpy.ndarray or None
        The best epoch's weights (``model.get_weights()`` order); when the last epoch is the best,
        they are taken from the model by :meth:`restore`.
    """

    state: FitState
    rows: list
    variables: list
    optimizer: list
    best_weights: list | None

    def resume(self) -> Resume:
        return Resume(self.state, self.best_weights)

    def restore(self, model) -> None:
        """Set the model's variables and its optimizer's (building the optimizer first) to the checkpoint's.

        Raises
        ------
        RunDirError
            The checkpoint was written by a network of another shape.
        """
        model.optimizer.build(model.trainable_variables)
        for kind, targets, values in (("model", model.variables, self.variables),
                                      ("optimizer", model.optimizer.variables, self.optimizer)):
            shapes = [tuple(variable.shape) for variable in targets]
            if shapes != [value.shape for value in values]:
                raise RunDirError(f"the {kind} state in {rundir.RESUME}/ does not fit this network; "
                                  "train again with --overwrite")
            for variable, value in zip(targets, values):
                variable.assign(value)
        if self.best_weights is None and self.state.best_epoch == self.state.epoch:
            self.best_weights = model.get_weights()  # the last epoch is the best: its weights were not stored twice


def save(run_dir: Path, model, state: FitState, best_weights: list | None, rows: list) -> None:
    """Write the checkpoint of the epoch ``state.epoch`` (archive, then ``state.json``); drop older archives."""
    folder = Path(run_dir) / rundir.RESUME
    name = f"epoch-{state.epoch}.npz"
    arrays = {f"model_{i}": np.asarray(variable) for i, variable in enumerate(model.variables)}
    arrays.update({f"optimizer_{i}": np.asarray(variable) for i, variable in enumerate(model.optimizer.variables)})
    # The best weights are the model's own when this epoch is the best: not stored twice.
    if state.best_epoch != state.epoch:
        arrays.update({f"best_{i}": weight for i, weight in enumerate(best_weights or ())})
    # Stored, not deflated: weights hardly compress, and the write holds up training every epoch.
    write_npz(folder / name, arrays, compresslevel=0)
    write_json(folder / STATE, {"fit": state.to_json(), "archive": name,
                                "history": [{key: _json_number(value) for key, value in row.items()} for row in rows]})
    for old in folder.glob("epoch-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)


def load(run_dir: Path) -> Checkpoint | None:
    """The checkpoint in ``run_dir``, or None when training saved none (it stopped in its first epoch).

    Raises
    ------
    RunDirError
        ``resume/`` is damaged (the message says to train again with ``--overwrite``).
    """
    folder = Path(run_dir) / rundir.RESUME
    if not (folder / STATE).is_file():
        return None
    try:
        obj = json.loads((folder / STATE).read_text(encoding="utf-8"))
        state = FitState.from_json(obj["fit"])
        rows = [{key: _from_json_number(value) for key, value in row.items()} for row in obj["history"]]
        with np.load(folder / Path(obj["archive"]).name, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
        raise RunDirError(f"{folder}: damaged ({error}); train again with --overwrite") from None
    return Checkpoint(state, rows, _numbered(arrays, "model"), _numbered(arrays, "optimizer"),
                      _numbered(arrays, "best") or None)


def written_in_resume(name: str) -> bool:
    """Whether ``name`` is that of a file training writes into ``resume/`` (an epoch's archive, ``state.json``)."""
    return name == STATE or re.fullmatch(r"epoch-\d+\.npz", name) is not None or is_partial(name)


def remove(run_dir: Path) -> None:
    """Remove what training wrote into ``resume/`` (training completed), and the folder once it is empty."""
    folder = Path(run_dir) / rundir.RESUME
    if folder.is_dir():
        remove_written(folder, written_in_resume)


def _numbered(arrays: dict, prefix: str) -> list:
    count = sum(1 for name in arrays if name.startswith(prefix + "_"))
    return [arrays[f"{prefix}_{i}"] for i in range(count)]


def _json_number(value):
    """JSON has no NaN or infinity: those are kept as the strings 'nan', 'inf' and '-inf'."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _from_json_number(value):
    return float(value) if isinstance(value, str) else value
