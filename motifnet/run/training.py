"""Training a model on a data set and writing the run folder."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._io import is_partial, leftover_partials, remove_written, sha256, write_json, write_text
from .._signals import check_stop
from .._validate import names_index
from .._version import __version__
from ..data.dataset import Dataset, check_class_sizes, records_sha256
from ..data.repeats import warn_repeated_sequences
from ..data.split import group_indices, make_split
from ..errors import OptionValueError, ParamError, RunDirError, TrainingDiverged
from ..model.adjacency import read_adjacencies
from ..model.params import (
    PRESETS,
    from_json,
    has_auto,
    resolve_strand,
    to_json,
)
from . import rundir
from ._epochs import EpochProgress, RunFolderRecorder
from .evaluation import compute_metrics
from .fit import FitResult, build_seeded, fit_model
from .lock import LOCK, RunLock, acquire
from .predict import predict_arrays
from .presets import choose_preset, param_text

log = logging.getLogger("motifnet")


@dataclass
class TrainConfig:
    """What ``motifnet train`` was asked to do.

    Attributes
    ----------
    run_dir : str
        Output folder.
    params : dict
        Hyperparameter overrides (names from :mod:`motifnet.model.params`).
    split : tuple of float
        Train and validation fractions; the rest is the test split. Default is (0.7, 0.15).
    seed : int or None
        Seed of split, weights, shuffling and dropout; a random one is drawn (and recorded) when None.
    overwrite : bool
        Replace an existing run folder.
    epistatic_reg : float or None
        Regression only: weight of the epistatic-sparsity penalty (see :mod:`motifnet.model.epistasis`).
    reference : str or None
        ``--reference FILE.fa`` of the penalty's landscape; default: the training consensus.
    keep_folded : bool
        ``train --fold``: keep ``RUN_DIR/folded/`` (the folded inputs just written or reused)
        when the folder is replaced; otherwise it goes with the rest. Default is False.
    fold : dict or None
        ``train --fold``: the folding options, recorded in ``motifnet.json`` under ``fold`` so that
        later commands fold new plain FASTA the same way. Default is None.
    resume : bool
        Continue the interrupted training in ``run_dir`` from its last epoch done; a completed run
        is left as it is, and a folder without a run to continue gets a new one. The inputs and
        parameters must be those of the run (checked; the message says what differs).
        Default is False.
    inputs : tuple of str
        The files read (FASTA, features, tracks, targets, reference): their SHA-256 checksums
        are recorded in ``motifnet.json`` under ``inputs``, and ``resume`` compares them. Default
        is none.
    preset : str or None
        The hyperparameters ``params`` override (see :data:`motifnet.model.params.PRESETS`);
        recorded in ``motifnet.json``; or 'auto', which takes ``centred`` for RNA windows in which
        a class's letters differ from the other records' along the window, and ``motifnet`` otherwise
        (:func:`motifnet.model.params.auto_preset`, :func:`motifnet.data.centring.position_tests`;
        ``motifnet.json`` records the preset taken and, under ``preset_choice``, why). Default is
        None: 'auto'.
    preset_choice : dict or None
        For preset auto: its pick by the input, made already for the same training records
        (:func:`motifnet.run.presets.pick_by_input`; ``grid-search`` makes it once for its trials and
        the retraining of the best), used instead of testing them again. Default is None.
    others_allowed : bool
        With ``overwrite``: train into ``run_dir`` also when it holds no run but files of others, which
        stay (``grid-search``'s ``best/``: the search made the folder, and a report made in it stays
        when the search starts over). Default is False: such a folder is refused.
    val_chroms, test_chroms : tuple of str
        BED input: hold out the windows of these chromosomes as the validation and test groups
        instead of a random split (see :func:`motifnet.data.split.chromosome_split`). Default is none.
    """

    run_dir: str
    params: dict = field(default_factory=dict)
    split: tuple = (0.7, 0.15)
    seed: int | None = None
    overwrite: bool = False
    epistatic_reg: float | None = None
    reference: str | None = None
    keep_folded: bool = False
    fold: dict | None = None
    resume: bool = False
    inputs: tuple = ()
    preset: str | None = None
    preset_choice: dict | None = None
    others_allowed: bool = False
    val_chroms: tuple = ()
    test_chroms: tuple = ()


def written_names() -> tuple:
    """What ``train`` writes into a run folder: all that ``--overwrite`` removes (``folded/`` unless kept)."""
    return (rundir.MODEL, rundir.META, rundir.DATA, rundir.SPLIT, rundir.HISTORY, rundir.METRICS, rundir.SPECTRUM,
            rundir.RESUME, rundir.FOLDED)


def lock_run_dir(path, command: str = "train") -> RunLock:
    """Take the run folder's lock (see :mod:`motifnet.run.lock`) and remove what killed writes left there.

    Raises
    ------
    RunDirError
        Another live process holds the folder, or one of another host.
    """
    lock = acquire(path, command)
    for folder in (Path(path), Path(path) / rundir.FOLDED, Path(path) / rundir.RESUME):
        for partial in leftover_partials(folder):
            log.info("removing %s, left by a write that was killed before it finished", partial)
            partial.unlink(missing_ok=True)
    return lock


def check_inputs_outside(path, inputs) -> None:
    """Refuse input files that live inside the run folder ``path`` (replacing the run would mix or lose them).

    Parameters
    ----------
    path : str or pathlib.Path
        The run folder.
    inputs : iterable of str
        The input files (FASTA, features, tracks, targets, reference, genome); ``-`` and None are skipped.
    """
    folder = Path(path).resolve()
    for name in inputs:
        if name is None or str(name) == "-":
            continue
        if Path(name).resolve() == folder:
            raise ParamError(f"-o {path} is the input file {name}; give a new folder for the run")
        if names_index(path, name):
            raise ParamError(f"-o {path} is the index of the input file {name}; give a new folder for the run")
        if Path(name).resolve().is_relative_to(folder):
            raise ParamError(f"{name}: input file inside the run folder {path}; move it out of the folder "
                             "or choose another -o")


def check_run_dir(path: Path, overwrite: bool, others_allowed: bool = False) -> None:
    """Refuse an output folder that training may not use (``folded/`` of ``train --fold`` aside); with
    ``others_allowed``, a folder that holds no run but files of others (which stay) is used."""
    if path.exists() and not path.is_dir():
        raise ParamError(f"{path}: exists and is not a folder; choose another -o")
    if not path.is_dir():
        return
    ignored = {rundir.FOLDED, LOCK, rundir.UNFINISHED}  # and temporary files of killed writes, of any host
    entries = [entry.name for entry in path.iterdir() if entry.name not in ignored and not is_partial(entry.name)]
    if entries:
        # Without motifnet.json, the mark of a run stopped before it was written (or while it was replaced) says
        # that files of train's names are motifnet's; without it, they are the user's (a model.keras of their own).
        if not (path / rundir.META).exists() and not unfinished(path) and not others_allowed:
            raise ParamError(f"{path}: folder is not empty and is not a motifnet run; choose another -o")
        if not overwrite:
            raise ParamError(f"{path}: holds a run already; pass --overwrite to replace it, --resume to continue it, "
                             "or choose another -o")


def prepare_run_dir(path: Path, overwrite: bool, keep_folded: bool = False, others_allowed: bool = False) -> None:
    """Create the output folder, removing the files of a run it holds (``folded/`` kept with ``keep_folded``).

    Only what ``train`` writes (:func:`written_names`) is removed; other files stay.
    """
    check_run_dir(path, overwrite, others_allowed)
    if path.is_dir():
        remove_run_files(path, keep_folded)
    path.mkdir(parents=True, exist_ok=True)
    write_text(path / rundir.UNFINISHED, "")  # until motifnet.json is written


def remove_run_files(path: Path, keep_folded: bool = False, name_kept: bool = True) -> list:
    """Remove what ``train`` wrote into the run folder ``path`` (:func:`written_names`); return what stays.

    Files motifnet did not write stay, and are named in the log (unless ``name_kept`` is False: the caller
    names them). ``motifnet.json`` goes first: a
    removal that fails half-way leaves a folder that no longer reads as a complete run, and its mark
    :data:`rundir.UNFINISHED` (written first, removed last) says that the files left are motifnet's.
    """
    kept = []
    removed = False
    written = set(written_names()) - ({rundir.SPECTRUM} if not _wrote_spectrum(Path(path)) else set())
    write_text(Path(path) / rundir.UNFINISHED, "")  # a stop on the way leaves a folder that reads as motifnet's
    for entry in sorted(Path(path).iterdir(), key=lambda entry: entry.name != rundir.META):
        if entry.name == rundir.UNFINISHED:
            continue
        if entry.name not in written or (entry.name == rundir.FOLDED and keep_folded):
            kept.append(entry.name)
            continue
        removed = True
        if entry.is_dir() and not entry.is_symlink():
            inside = remove_written(entry, _written_inside(entry))
            kept += [f"{entry.name}/{name}" for name in inside]
        else:
            entry.unlink()
    (Path(path) / rundir.UNFINISHED).unlink()  # the run's files are gone
    others = sorted(set(kept) - {rundir.FOLDED, LOCK})
    if others and removed and name_kept:  # not again for a folder whose run went before (retraining best/)
        log.info("%s: replacing the run; keeping %d file(s) that motifnet did not write: %s", path,
                 len(others), ", ".join(others))
    return kept


def run_mark(path) -> tuple | None:
    """What tells whether ``train`` touched the run folder ``path``: its ``motifnet.json``'s inode, time and size
    (rewritten, never edited in place) and whether the mark of a run being written or replaced is there; None for
    a folder with neither (no run)."""
    try:
        meta = os.stat(Path(path) / rundir.META)
        identity = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
    except OSError:
        identity = None
    unfinished_mark = (Path(path) / rundir.UNFINISHED).exists()
    return None if identity is None and not unfinished_mark else (identity, unfinished_mark)


def _wrote_spectrum(path: Path) -> bool:
    """Whether the run in ``path`` writes ``epistasis.tsv`` (regression with ``--epistatic-reg``): other runs do
    not, so a file of that name beside them is the user's. A folder without ``motifnet.json`` but with the mark of
    a run being written or replaced holds motifnet's files only."""
    try:
        meta = json.loads((path / rundir.META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return (path / rundir.UNFINISHED).exists()
    except (OSError, ValueError):
        return True  # a damaged motifnet.json: as before, the run's names are the run's
    return isinstance(meta, dict) and bool((meta.get("regression") or {}).get("epistasis"))


def _written_inside(folder: Path):
    """Whether a file of the run's folder ``folder`` (``resume/``, ``folded/``) is one ``train`` writes there."""
    if folder.name == rundir.FOLDED:
        try:
            listed = set(json.loads((folder / rundir.FOLDED_SOURCES).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            listed = set()
        return lambda name: name == rundir.FOLDED_SOURCES or name in listed or is_partial(name)
    from ._checkpoint import written_in_resume

    return written_in_resume


def train(dataset: Dataset, config: TrainConfig, lock: RunLock | None = None) -> dict:
    """Train a model on ``dataset`` and write the run folder ``config.run_dir``.

    The best model so far (lowest validation loss) is on disk after every epoch that
    improves it, so a job stopped at any point (``KeyboardInterrupt``, or SIGTERM and SIGINT at
    the next batch within :func:`motifnet._signals.stop_on_signals`, which raise its subclass
    ``StopRequested``) leaves a loadable model; ``motifnet.json`` records whether training completed.
    What resuming needs is saved after every epoch (see :mod:`motifnet.run._checkpoint`), and
    ``config.resume`` continues from there.

    Parameters
    ----------
    dataset : Dataset
        Encoded data (see :func:`motifnet.data.dataset.load_dataset`).
    config : TrainConfig
    lock : RunLock or None
        The lock of ``config.run_dir`` when the caller holds it already (``train --fold`` takes it
        before folding); default: it is taken (:func:`lock_run_dir`) and released when training ends.

    Returns
    -------
    dict
        The test-split metrics (also written to ``metrics.json``).

    Raises
    ------
    ParamError
        Bad parameters (checked before anything is written); with ``resume``, a run of other
        inputs or parameters, or one that diverged.
    RunDirError
        Another process holds the run folder.
    OSError
        A write failed (a full disk: ENOSPC); it names the file, and a failure during fitting also
        says which model, if any, was saved (``motifnet.json`` then records status "failed"; so does a
        failure while the test split is scored, which ``resume`` scores again).
    KeyboardInterrupt
        A signal (:class:`motifnet._signals.StopRequested`): status "interrupted", resumable.
    """
    if lock is None:
        with lock_run_dir(config.run_dir) as held:
            return train(dataset, config, held)
    from . import _checkpoint
    from .regression import RegressionSetup

    run_dir = Path(config.run_dir)
    if config.resume and config.overwrite:
        raise OptionValueError("--resume continues the run in the folder and --overwrite replaces it; pass one of them")
    previous = _previous_meta(run_dir) if config.resume else None
    if previous is not None and previous["training"]["status"] == "diverged":
        raise ParamError(f"{run_dir}: training diverged; resuming would repeat it; train again with other "
                         "parameters (--param learning_rate, --param kernel_constraint) and --overwrite")
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    if previous is not None and config.seed is None:
        seed = previous["seed"]
        if previous.get("deterministic"):
            # deterministic operations, as the run began; also when it restarts (stopped before its first epoch)
            config = dataclasses.replace(config, seed=seed)
    if config.epistatic_reg is not None and dataset.task != "regression":
        raise OptionValueError("--epistatic-reg needs --task regression")
    # Of the records as read: which windows the split drops depends on the seed, which is compared on its own.
    records_checksum = records_sha256(dataset.codes, dataset.labels, dataset.ids, dataset.structure, dataset.targets,
                                      dataset.tracks)
    dataset, groups, index, split_meta = _split_windows(dataset, config, seed)
    # Preset auto reads the training records only; parameters are checked before anything is written.
    preset, params, choice = choose_preset(config.preset, config.params, dataset, index["train"],
                                           config.preset_choice)
    # strand 'auto' decided (and 'both' refused for input without a complement) before anything is written.
    params = resolve_strand(params, dataset.complement_channels, dataset.describe_input(), dataset.double_stranded)
    if not config.others_allowed:  # not again for grid-search's retraining of its best trial, after every trial
        warn_repeated_sequences(dataset, index, params["strand"] == "both")
    adjacency = read_adjacencies(params)
    dataset.fit_features(index["train"])
    regression = (RegressionSetup.prepare(dataset, index["train"], config.epistatic_reg, config.reference)
                  if dataset.task == "regression" else None)
    meta = _run_meta(dataset, preset, params, adjacency, regression, seed, config.split, index, config.inputs,
                     records_checksum)
    if choice is not None:
        meta["preset_choice"] = choice
    meta["params_given"] = sorted(config.params)  # those --param and --params set: the rest are the preset's
    meta["split"].update(split_meta)
    meta["deterministic"] = config.seed is not None
    if config.fold is not None:
        meta["fold"] = config.fold
    checkpoint, lost_first_epoch = None, False
    if previous is not None:
        # Also a complete run is checked: a requeued job whose inputs changed must not pass for done.
        _check_same_run(run_dir, previous, meta)
        finished = _finished_run(run_dir, previous)
        if finished is not None:
            return finished
        checkpoint = _checkpoint.load(run_dir)
        history = rundir.read_history(run_dir) if checkpoint is None else None
        epochs = len(next(iter(history.values()))) if history else 0
        lost_first_epoch = epochs == 1
        if lost_first_epoch:
            # The first epoch's checkpoint was never written (a full disk): only that epoch is lost.
            log.warning("%s: resume/ holds no state of epoch 1 (a write that failed, as on a full disk, a job killed "
                        "outright while it saved, or a run of an older motifnet); training starts again", run_dir)
        elif epochs:
            raise ParamError(f"{run_dir}: holds {epochs} epochs of a training but not what --resume needs "
                             f"({rundir.RESUME}/ is missing: a run of an older motifnet, or removed); pass "
                             "--overwrite to train again")
    if config.resume and checkpoint is None:
        if not lost_first_epoch:
            log.info("%s: no training to resume; starting one", run_dir)
        # Only motifnet's own files of a run that stopped before its first epoch are replaced.
        config = dataclasses.replace(config, overwrite=previous is not None or unfinished(run_dir))
    model = build_seeded(dataset, params, seed, adjacency, deterministic=config.seed is not None)
    if regression is not None:
        model = regression.wrap(model, dataset, params["learning_rate"])
    if checkpoint is not None:
        checkpoint.restore(model)
        meta = previous
        meta["training"]["status"] = "running"
        log.info("resuming %s after epoch %d of at most %d (best so far: epoch %d)", run_dir, checkpoint.state.epoch,
                 params["epochs"], checkpoint.state.best_epoch)
    else:
        # Only now, with the model built (adjacency shapes checked), is an existing run replaced;
        # not after a signal while reading, which leaves it as it was.
        check_stop()
        prepare_run_dir(run_dir, config.overwrite, config.keep_folded, config.others_allowed)
        _log_start(model, index, seed)
        dataset.save(run_dir / rundir.DATA)
        meta[rundir.DATA_DIGEST] = sha256(run_dir / rundir.DATA)  # later commands refuse another run's data.npz
        write_text(run_dir / rundir.SPLIT, rundir.split_text(dataset, groups))
    write_json(run_dir / rundir.META, meta)
    (run_dir / rundir.UNFINISHED).unlink(missing_ok=True)

    result = _fit_into_folder(model, dataset, index, params, seed, run_dir, meta, regression, checkpoint)
    log.info("best epoch %d of %d (validation loss %.4f)", result.best_epoch, result.epochs_run, result.best_loss)
    # motifnet.json says 'running' until the metrics are written; the checkpoint of the last epoch stays until
    # then, so that a run stopped or failed while the test split is scored is resumed by scoring it.
    try:
        metrics = _test_metrics(model, dataset, index["test"], regression, run_dir, params["batch_size"])
        headline = "pearson_mean" if regression is not None else "roc_auc_mean"
        meta["training"][f"test_{headline}"] = metrics[headline]
        write_json(run_dir / rundir.METRICS, metrics)
    except KeyboardInterrupt:
        _record_status(run_dir, meta, "interrupted")
        # grid-search's retraining of its best trial (others_allowed) stops here too, and grid-search has no --resume
        log.warning("stopped while the best model was scored on the test split; %s scores it",
                    "the same grid-search command" if config.others_allowed else "--resume")
        raise
    except BaseException:
        _record_status(run_dir, meta, "failed")  # a full disk, say: the error on its way out names it
        raise
    meta["training"]["status"] = "complete"
    write_json(run_dir / rundir.META, meta)
    _checkpoint.remove(run_dir)  # complete, with its metrics: nothing left to resume
    return metrics


def _record_status(run_dir: Path, meta: dict, status: str) -> None:
    """Write ``status`` to ``motifnet.json`` on the way out of an error, which a failed write must not hide."""
    meta["training"]["status"] = status
    try:
        write_json(run_dir / rundir.META, meta)
    except OSError as error:
        log.warning("%s could not record the status %r: %s", run_dir / rundir.META, status, error)


def _previous_meta(run_dir: Path) -> dict | None:
    """``motifnet.json`` of the run in ``run_dir`` for ``--resume``, or None when there is none."""
    path = run_dir / rundir.META
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(meta["training"]["status"], str) or not isinstance(meta["seed"], int):
            raise TypeError("training status or seed missing")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunDirError(f"{path}: damaged ({error}); train again with --overwrite instead of --resume") from None
    return meta


def resumed_background_seed(run_dir, seed: int) -> int:
    """The seed of the background that ``--resume`` without ``--seed`` continues with: the run's, as the training
    seed is (``seed``, the default's, was refused as a changed origin.background.seed); ``seed`` when the run
    recorded none."""
    previous = _previous_meta(Path(run_dir))
    background = ((previous or {}).get("data", {}).get("origin") or {}).get("background") or {}
    recorded = background.get("seed")
    return recorded if isinstance(recorded, int) and not isinstance(recorded, bool) else seed


def _finished_run(run_dir: Path, meta: dict) -> dict | None:
    """The test metrics of a completed run (nothing to resume), else None."""
    from . import _checkpoint

    metrics = rundir.read_metrics(run_dir)
    if meta["training"]["status"] != "complete" or metrics is None:
        return None
    _checkpoint.remove(run_dir)  # left by a job killed just after writing its metrics
    log.info("%s: training is complete (%s epochs); nothing to resume", run_dir, meta["training"].get("epochs_run"))
    return metrics


def check_resume_inputs(run_dir, inputs, fold: dict | None = None) -> None:
    """Before ``train --fold --resume`` folds anything: refuse inputs or fold options other than the run's.

    Parameters
    ----------
    run_dir : str or pathlib.Path
    inputs : sequence of str
        The input files (``-`` skipped).
    fold : dict or None
        The fold settings asked for (see :func:`motifnet.run.fold_new_inputs.fold_settings`).

    Raises
    ------
    ParamError
        The run recorded other input checksums or fold settings (the message says which).
    """
    run_dir = Path(run_dir)
    previous = _previous_meta(run_dir)
    if previous is None:
        return
    differences = []
    if previous.get("inputs"):  # grid-search's best/ recorded none before 2026-12-05
        now = [{"path": str(path), "sha256": sha256(path)} for path in inputs if str(path) != "-"]
        # standard input is compared once it is read (see _check_same_run)
        differences = _input_differences([entry for entry in previous["inputs"] if entry["path"] != "-"], now)
    if fold is not None and previous.get("fold") not in (None, fold):
        differences.append(f"fold: {previous['fold']!r} -> {fold!r}")
    if differences:
        raise ParamError(f"{run_dir}: --resume needs the inputs and parameters of the run, but "
                         + "; ".join(differences) + "; run the command of the run, or --overwrite to replace it")


def unfinished(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds what a ``train`` stopped before writing ``motifnet.json`` (or while it replaced the
    run) left: its mark :data:`rundir.UNFINISHED`."""
    return (Path(run_dir) / rundir.UNFINISHED).is_file()


def _check_same_run(run_dir: Path, previous: dict, meta: dict) -> None:
    """Refuse to resume a run of other inputs, data, parameters, seed or split; the message says what differs.

    What a run of an older motifnet did not record (input checksums, the preset, parameters that
    did not exist) is not compared; its parameters count as their pysster values.
    """
    differences, keep, other_records = [], [], False
    # Run of another preset: naming it restores the values it set; only the run's own --param values are hinted.
    other_preset = previous.get("preset") if previous.get("preset", meta["preset"]) != meta["preset"] else None
    by_preset = to_json(PRESETS[other_preset]) if other_preset in PRESETS else {}
    for key in ("inputs", "data", "records_sha256", "preset", "params", "adjacency", "regression", "seed", "split",
                "fold"):
        recorded = key in previous or key not in ("inputs", "records_sha256", "preset")
        if not recorded or key == "inputs" and not previous[key]:
            continue  # not recorded: a run of an older motifnet (grid-search's best/ recorded no inputs)
        old, new = previous.get(key), meta.get(key)
        if key == "params":
            old = to_json(from_json(old))
        if key == "data" and "records_sha256" in previous:
            # The genome and a background file as typed (./genome.fa, genome.fa, another folder's copy): their
            # windows and records are compared by records_sha256 and inputs' checksums instead.
            old, new = _without_origin_paths(old), _without_origin_paths(new)
        if old == new:
            continue
        if key == "inputs":
            differences.extend(_input_differences(old, new))
        elif key == "records_sha256":
            other_records = True  # said below, unless a changed input or option (a seed) says why
        elif isinstance(old, dict) and isinstance(new, dict):
            # The data's files are compared by checksum under inputs (the same file may be named otherwise).
            names = sorted(name for name in set(old) | set(new)
                           if old.get(name) != new.get(name) and (key == "params" or name in old)
                           and not (key == "data" and name == "files" and previous.get("inputs")))
            if names:
                differences.append(f"{key}: " + ", ".join(
                    f"{name} {old.get(name)!r} -> {new.get(name)!r}" if key == "params"
                    else _value_differences(name, old.get(name), new.get(name)) for name in names))
            if key == "params":
                # A default may have changed since the run began (a new motifnet): its own values continue it.
                keep += [f"--param {name}={param_text(old.get(name))}" for name in names if name in old
                         and not (name in by_preset and (by_preset[name] == old[name] or has_auto(by_preset[name])))]
        else:
            differences.append(f"{key}: {old!r} -> {new!r}")
            if key == "preset" and old in PRESETS:  # e.g. a run begun before preset auto chose by the input
                keep.append(f"--preset {old}")
    if other_records and not differences:
        differences.append(_other_records(previous, meta))
    if differences:
        hint = f" (to keep the run's parameters: {' '.join(keep)})" if keep else ""
        raise ParamError(f"{run_dir}: --resume needs the inputs and parameters of the run, but "
                         + "; ".join(differences) + f"; run the command of the run{hint}, or --overwrite to replace it")


def _other_records(previous: dict, meta: dict) -> str:
    """Why the records read differ from the run's, where no input, option or seed does: the genome's windows."""
    origin, before = meta["data"].get("origin") or {}, (previous.get("data") or {}).get("origin") or {}
    genome, genome_before = origin.get("genome"), before.get("genome") or {}
    if not genome:
        return "the records read differ from the run's"
    was = genome_before.get("path")
    if was and not _same_path(was, genome["path"]):  # another genome, not the run's changed under its name
        return f"the run was trained on the windows of --genome {was}, and those of {genome['path']} differ"
    drawn = " or this motifnet draws the genomic background otherwise" if (origin.get("background") or {}).get(
        "kind") == "genomic" else ""
    return f"the windows read from --genome {genome['path']} differ from the run's (the genome changed since the " \
           f"run started{drawn})"


def _same_path(a: str, b: str) -> bool:
    """Whether two paths as typed name one file (from here), or the same name where either is gone."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normpath(a) == os.path.normpath(b)


def _without_origin_paths(data):
    """``data`` (of motifnet.json) without the paths of its origin's genome and background file."""
    if not isinstance(data, dict) or not isinstance(data.get("origin"), dict):
        return data
    origin = {part: ({name: value for name, value in entry.items() if name != "path"} if isinstance(entry, dict)
                     and part in ("genome", "background") else entry) for part, entry in data["origin"].items()}
    return {**data, "origin": origin}


def _value_differences(name: str, old, new) -> str:
    """``name old -> new`` of a recorded value, or of each entry that differs where both are objects
    (``encoder.length 60 -> 58``); a long value by its name alone."""
    if isinstance(old, dict) and isinstance(new, dict):
        return ", ".join(_value_differences(f"{name}.{key}", old.get(key), new.get(key))
                         for key in sorted(set(old) | set(new), key=str) if old.get(key) != new.get(key))
    text = f"{name} {old!r} -> {new!r}"
    return text if len(text) <= 100 else name


def _input_differences(old: list, new: list) -> list:
    """Inputs are the same files when their checksums are (named as given, ``./a.fa`` or ``a.fa``)."""
    if len(old) != len(new):
        return ["input files " + " ".join(entry["path"] for entry in old) + " -> "
                + " ".join(entry["path"] for entry in new)]
    return [("standard input (-) holds other records than the run's" if now["path"] == "-" else
             f"{now['path']} changed since the run started (SHA-256 differs)")
            if os.path.normpath(entry["path"]) == os.path.normpath(now["path"]) else
            f"the run was trained on {entry['path']}, not {now['path']} (their contents differ)"
            for entry, now in zip(old, new) if entry["sha256"] != now["sha256"]]


def _split(dataset: Dataset, split: tuple, seed: int) -> tuple:
    """The group code of each record, and the record indices of each group; refuses an empty train or val."""
    from .regression import split_labels

    check_class_sizes(dataset)
    labels = split_labels(dataset) if dataset.task == "regression" else dataset.labels
    groups = make_split(labels, split[0], split[1], seed)
    index = group_indices(groups)
    for name in ("train", "val"):
        if len(index[name]) == 0:
            raise ParamError(f"the {name} split is empty; use more records or larger --split fractions")
    return groups, index


def _warn_missing_classes(dataset: Dataset, index: dict, split: tuple, held_out: dict | None = None,
                          dropped: int = 0) -> None:
    """Warn of a class without records in a split that has a share (rounding can leave a small class out, and so
    can the chromosomes held out, or the dropping of windows that overlap training windows), and say when the
    fractions leave no test split at all.

    ``held_out``: the groups made of chromosomes (``{"test": ["chr3"]}``), which have records whatever the
    fractions; ``dropped``: validation and test windows dropped for overlapping a training window (``dataset``
    and ``index`` are those left).
    """
    held_out = {group: chroms for group, chroms in (held_out or {}).items() if chroms}
    shares = {"train": split[0], "val": split[1], "test": 1 - split[0] - split[1]}
    if shares["test"] <= 1e-9 and "test" not in held_out:
        log.info("no test split: --split %g,%g leaves no records for it, so the run has no test metrics (score "
                 "held-out records with 'motifnet predict')", split[0], split[1])
    if dataset.task == "regression":
        return
    what = {"train": ("training", "the network does not learn it"),
            "val": ("validation", "its validation scores are n/a"),
            "test": ("test", "its test scores are n/a")}
    totals = dataset.labels.sum(axis=0)
    counts = {group: dataset.labels[index[group]].sum(axis=0) for group in shares}
    # records of each class outside the held-out chromosomes: those the fractions share out
    shared = totals - sum((counts[group] for group in held_out), np.zeros_like(totals))
    for group, share in shares.items():
        if share <= 1e-9 and group not in held_out:
            continue
        for c, (name, count, total) in enumerate(zip(dataset.class_names, counts[group], totals.tolist())):
            if count:
                continue
            if group in held_out:
                how = f"--{group}-chroms {','.join(held_out[group])}"
                advice = "hold out chromosomes that carry the class's records"
            elif held_out and shared[c] == 0:
                how = "all of them on " + " and ".join(f"--{other}-chroms {','.join(chroms)}"
                                                       for other, chroms in held_out.items())
                advice = "hold out other chromosomes"
            else:
                how = f"split {split[0]:g}/{split[1]:g}/{round(shares['test'], 6):g}"
                advice = "give the class more records or change --split"
            if dropped and group != "train":
                how += f", after dropping {dropped} validation/test window(s) overlapping a training window"
            log.warning("class %r has no record in the %s split (%d record(s) in all, %s): %s; %s", name,
                        what[group][0], total, how, what[group][1], advice)


def _split_windows(dataset: Dataset, config: TrainConfig, seed: int) -> tuple:
    """The split, by chromosome with ``val_chroms``/``test_chroms``; val and test windows overlapping train dropped.

    Returns the data set (less the dropped records), the groups, their indices and what
    ``motifnet.json`` records of it under ``split``.
    """
    from ..data.split import chromosome_split, overlapping_windows, window_chromosomes

    if not (config.val_chroms or config.test_chroms):
        groups, index = _split(dataset, config.split, seed)
        extra = {}
    else:
        check_class_sizes(dataset)
        groups = chromosome_split(dataset.ids, dataset.labels, config.split, seed, config.val_chroms,
                                  config.test_chroms)
        index = group_indices(groups)
        present = set(window_chromosomes(dataset.ids))
        absent = {name: [chrom for chrom in chroms if chrom not in present]
                  for name, chroms in (("val", config.val_chroms), ("test", config.test_chroms))}
        for name in ("train", "val", "test"):
            if len(index[name]) == 0 and (name != "test" or config.test_chroms):
                where = "the other chromosomes" if name == "train" else f"--{name}-chroms"
                lacking = f" ({', '.join(absent[name])}: no record lies there)" if absent.get(name) else ""
                raise ParamError(f"the {name} split is empty: no record on {where}{lacking}; check the chromosome "
                                 f"names (records lie on {', '.join(sorted(present)[:8])}"
                                 f"{', ...' if len(present) > 8 else ''})")
        for name, chroms in absent.items():
            if chroms:
                log.warning("--%s-chroms names %s, on which no record lies", name, ", ".join(chroms))
        extra = {"val_chroms": list(config.val_chroms), "test_chroms": list(config.test_chroms)}
    held_out = {"val": config.val_chroms, "test": config.test_chroms}
    if not (dataset.origin or {}).get("window_length"):
        _warn_missing_classes(dataset, index, config.split, held_out)
        return dataset, groups, index, extra
    dropped = overlapping_windows(dataset.ids, groups)
    extra["dropped_overlapping"] = int(dropped.sum())
    if dropped.any():
        log.info("dropped %d validation/test window(s) overlapping a training window", int(dropped.sum()))
        keep = np.flatnonzero(~dropped)
        dataset, groups = dataset.subset(keep), groups[keep]
        index = group_indices(groups)
    _warn_missing_classes(dataset, index, config.split, held_out, int(dropped.sum()))
    return dataset, groups, index, extra


def _log_start(model, index: dict, seed: int) -> None:
    import tensorflow as tf

    from ..model.build import summary_lines

    for line in summary_lines(model):
        log.info("%s", line)
    gpus = tf.config.list_physical_devices("GPU")
    log.info("training on %d records (validation %d, test %d), seed %d, on %s", len(index["train"]),
             len(index["val"]), len(index["test"]), seed, f"{len(gpus)} GPU(s)" if gpus else "the CPU")


def _input_checksums(inputs, dataset: Dataset) -> list:
    """Path and SHA-256 of each input; standard input (``-``) by the SHA-256 of its records as read."""
    stdin = next((entry["sha256"] for entry in dataset.files if entry.get("path") == "standard input"), None)
    return [{"path": str(path), "sha256": stdin if str(path) == "-" else sha256(path)} for path in inputs
            if str(path) != "-" or stdin is not None]


def _run_meta(dataset: Dataset, preset: str, params: dict, adjacency: dict, regression, seed: int, split: tuple,
              index: dict, inputs=(), records_checksum: str | None = None) -> dict:
    """``motifnet.json`` as training starts; ``records_checksum``: :func:`records_sha256` of the records as read."""
    return {
        "motifnet_version": __version__,
        "inputs": _input_checksums(inputs, dataset),
        "data": dataset.describe(),
        # What --resume compares beyond the files: windows of a --genome, which may change under its name.
        **({"records_sha256": records_checksum} if records_checksum else {}),
        "preset": preset,
        "params": to_json(params),
        **({"adjacency": {layer: matrix.to_json() for layer, matrix in adjacency.items()}} if adjacency else {}),
        **({"regression": regression.describe()} if regression is not None else {}),
        "seed": seed,
        "split": {"fractions": list(split), **{name: int(len(index[name])) for name in ("train", "val", "test")}},
        "training": {"status": "running", "best_epoch": None, "epochs_run": 0},
    }


def _fit_into_folder(model, dataset: Dataset, index: dict, params: dict, seed: int, run_dir: Path, meta: dict,
                     regression, checkpoint=None) -> FitResult:
    """Fit with progress lines and the run folder kept current; ``motifnet.json`` says how it ended.

    With ``checkpoint`` (a :class:`motifnet.run._checkpoint.Checkpoint`) the fit continues after its
    epoch: ``history.tsv`` gets its rows back and the best model so far is saved again (a job
    killed after an epoch's model but before its checkpoint may have left a later one).
    """
    from .regression import HISTORY_COLUMNS

    progress = EpochProgress(params["epochs"], steps_per_epoch=-(-len(index["train"]) // params["batch_size"]))
    if regression is not None:
        recorder = RunFolderRecorder(run_dir, meta, progress, HISTORY_COLUMNS, regression.saving)
    else:
        recorder = RunFolderRecorder(run_dir, meta, progress)
    targets = regression.fit_targets if regression is not None else dataset.labels
    status = "interrupted"
    try:
        if checkpoint is not None:  # saves the best model again: a failed write is recorded as any other
            recorder.resume_from(model, checkpoint)
        result = fit_model(model, dataset, targets, index["train"], index["val"], params, seed,
                           callbacks=[progress.callback], on_epoch_end=recorder.epoch_ended,
                           checkpoint=recorder.checkpoint,
                           resume=checkpoint.resume() if checkpoint is not None else None)
        status = "complete"
    except TrainingDiverged as error:
        status = "diverged"
        raise TrainingDiverged(f"{run_dir}: {error}; {_saved(recorder, run_dir)}") from None
    except OSError as error:  # a write failed (a full disk): the error names the file and says what was saved
        status = "failed"
        raise type(error)(error.errno, f"{error.strerror or error}; {_saved(recorder, run_dir)}",
                          error.filename) from None
    finally:
        progress.stop_reporter()  # also when training was interrupted
        # A fit that ended stays 'running' until the test split is scored (train writes 'complete' then).
        meta["training"].update(status="running" if status == "complete" else status, epochs_run=len(recorder.rows))
        try:
            write_json(run_dir / rundir.META, meta)
        except OSError:
            if status == "complete":
                raise
            # The disk is full: the error on its way out says what failed first.
        if status == "interrupted":  # a diverged or failed training says what was saved in its error
            log.warning("training stopped after %d epoch(s); %s", len(recorder.rows), _saved(recorder, run_dir))
    return result


def _saved(recorder: RunFolderRecorder, run_dir: Path) -> str:
    """What a training that stopped early left: the best model so far, or none."""
    if recorder.best_epoch:
        return f"the best model so far (epoch {recorder.best_epoch}) is in {run_dir / rundir.MODEL}"
    return "no model was saved"


def _test_metrics(model, dataset: Dataset, test_index: np.ndarray, regression, run_dir: Path,
                  batch_size: int) -> dict:
    """Metrics of the best model on the test split (regression: also ``epistasis.tsv``)."""
    if regression is not None:  # the model predicts original values from here on
        return regression.finish(model, dataset, test_index, run_dir, batch_size)
    probabilities = predict_arrays(model, dataset, test_index, batch_size)
    return {"split": "test", **compute_metrics(dataset.labels[test_index], probabilities, dataset.class_names,
                                               dataset.multi_label)}
