"""Hyperparameter grid search on Dask: every combination of a grid is a trial, trained and scored
on the validation split (or by K-fold cross-validation); the best is retrained into a run folder.

The search folder::

    search.json        the settings (data, grid, metric, seed...), the status (running, interrupted,
                       failed, complete), then the best trial
    results.tsv        one row per finished trial, appended (and synced) as each one finishes
    best/              the best parameters retrained by motifnet train's code: a normal run folder
    summary.html       ranked table and score_by_parameter.png

A search started again with the same settings skips the trials in ``results.tsv``. Each
trial's seed derives from the search seed and its parameters, and every trial uses the same
split (from the search seed), so results do not depend on the order in which trials ran.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import shutil
import uuid
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .._io import leftover_partials, missing_folders, remove_empty_folders, sha256, write_json
from .._signals import check_stop, stop_requested
from .._version import __version__
from ..data.dataset import check_options
from ..data.fasta import refuse_pipes
from ..data.genome import is_bed_path
from ..data.options import DataOptions, well_formed_track
from ..errors import InputError, MotifnetError, OptionValueError, ParamError, RunDirError
from ..model.params import (
    AUTO_PRESET,
    PRESETS,
    SPECS,
    convert_value,
    from_json,
    has_auto,
    matches_saved,
    network_params,
    resolve,
    resolve_kernel_len,
    to_json,
)
from ..run.lock import LOCK, acquire
from ..run.presets import settle_pick
from ..run.rundir import META, MODEL, read_metrics
from ..run.search_folder import (
    BEST,
    RESULTS,
    SEARCH_FILES,
    SETTINGS,
    format_value,
    read_search_state,
)
from ._cluster import SUBMIT_COMMANDS, ClusterOptions, check_environment, connect
from ._results import ResultsFile, parse_row, rank, result_row, transient_failure
from ._space import MAX_TRIALS, canonical_json, check_grid_size, describe_trial, expand_grid
from ._trial import METRICS, TrialTask, describe_data, retrain_best, run_trial

log = logging.getLogger("motifnet")

JOB_LOGS = "job-logs"  # batch jobs' logs, in the search folder
_POLL_SECONDS = 5  # how often a waiting search looks for new workers
_STOP_POLL_SECONDS = 0.5  # how often a search waiting for its retraining looks for a signal
_STOP_GRACE_SECONDS = 60  # how long a stopped search waits for its retraining to reach a batch boundary


@dataclass
class SearchConfig:
    """What ``motifnet grid-search`` was asked to do.

    Attributes
    ----------
    data : DataOptions
        How the labelled FASTA files are read, as for ``motifnet train`` (files by name, not standard
        input; classification of sequences, without per-sequence features or tracks).
    search_dir : str
        The search folder.
    grid : dict
        Parameter name -> list of values (see :func:`load_grid`).
    params : dict
        Fixed parameters of every trial.
    metric : {'roc-auc', 'pr-auc', 'val-loss'}
        Mean ROC-AUC or PR-AUC over classes (higher is better) or the validation loss (lower is
        better), on the validation split or each held-out fold. Default is 'roc-auc'.
    folds : int or None
        K-fold cross-validation (stratified, seeded) on the train and validation records; the
        score is the mean over folds. Default is None: the validation split.
    split : tuple of float
        Train and validation fractions; the test split is never seen by the search.
    seed : int or None
        Seed of split, folds and (with each trial's parameters) trial seeds; drawn and recorded
        when None, or taken from the folder when a search is continued.
    overwrite : bool
        Start over in a folder that holds a search with other settings.
    max_trials : int
        Refuse a grid of more trials (a typing slip can make millions). Default is :data:`MAX_TRIALS`.
    preset : str or None
        The hyperparameters that ``params`` and the grid override (see
        :data:`motifnet.model.params.PRESETS`), or 'auto': each trial starts from the preset ``motifnet
        train`` takes with its values (:func:`trial_preset`), the input tested once, when a worker first
        reads the data (:func:`motifnet.run.presets.pick_by_input`). Default is None: 'auto'. A search
        continued with 'auto' keeps the pick it began with, or the named preset it began with.
    """

    data: DataOptions
    search_dir: str
    grid: dict
    params: dict = field(default_factory=dict)
    metric: str = "roc-auc"
    folds: int | None = None
    split: tuple = (0.7, 0.15)
    seed: int | None = None
    overwrite: bool = False
    max_trials: int = MAX_TRIALS
    preset: str | None = None

    def checked(self) -> SearchConfig:
        """Refuse settings the search cannot run (before anything is written).

        Raises
        ------
        ParamError, InputError
        """
        if self.metric not in METRICS:
            raise OptionValueError(f"--metric must be one of {', '.join(METRICS)}, received: {self.metric!r}")
        if self.folds is not None and self.folds < 2:
            raise OptionValueError(f"--folds must be at least 2, received: {self.folds}")
        check_grid_size(self.grid, self.max_trials)
        data = self.data
        if data.task != "classification" or data.feature_files or data.tracks:
            raise ParamError("grid-search trains classifiers of sequences; received data options it does not "
                             f"support (task {data.task!r}, {len(data.feature_files)} feature file(s), "
                             f"{len(data.tracks)} track(s))")
        if not data.fasta:
            raise ParamError("give at least one FASTA file")
        for path in data.fasta:
            if str(path) == "-":
                raise ParamError("grid-search reads FASTA files by name on every worker; standard input "
                                 "('-') cannot be used: save it to a file")
            refuse_pipes([path], "grid-search reads its inputs by name on every worker", "save it to a file")
            if not Path(path).is_file():
                raise InputError(f"{path}: no such {'BED' if is_bed_path(path) else 'FASTA'} file")
        for option, path in (("--genome", data.genome), ("--background", data.background_file)):
            if path is not None and not Path(path).is_file():
                raise InputError(f"{path}: no such file ({option})")
        # What load_dataset would refuse on a worker, refused here before a cluster starts (or a batch job queues).
        check_options(data)
        return self


@dataclass
class SearchResult:
    """The outcome of :func:`run_search`.

    Attributes
    ----------
    rows : list of dict
        Every trial, ranked: successful trials best first, then failed ones in grid order.
    best : dict or None
        The best trial's row.
    best_dir : pathlib.Path
    ran : list of str
        Ids of the trials run by this call (finished trials of an earlier call are not).
    summary : pathlib.Path
    """

    rows: list
    best: dict | None
    best_dir: Path
    ran: list
    summary: Path


def _settings(config: SearchConfig, seed: int) -> dict:
    """What must not change when a search is continued (file contents by SHA-256, not by path)."""
    settings = _sequence_settings(config, seed)
    data = config.data
    # Only when given, so that a search without them continues one written before they were recorded.
    if data.genome:
        settings["genome"] = {"name": Path(data.genome).name, "sha256": sha256(data.genome)}
    if data.background_file:
        settings["background"] = {"source": {"name": Path(data.background_file).name,
                                             "sha256": sha256(data.background_file)}}
    elif data.background:  # generated: how much, and for shuffles the k-mers kept
        settings["background"] = {"source": data.background, "ratio": data.background_ratio,
                                  **({"shuffle_k": data.shuffle_k} if data.background == "shuffle" else {})}
    files = _parameter_files(config)
    if files:  # a matrix changed under its name gave trials of two networks, ranked as one search
        settings["parameter_files"] = files
    return settings


def _absolute_files(params: dict) -> dict:
    """``params`` with their files (adjacency matrices) by absolute path: workers may run in another folder."""
    return _files_by_content(params, lambda path: str(Path(path).resolve()))


def _files_by_content(params: dict, rename) -> dict:
    """``params`` with each file that a path-valued parameter names (not None or '-') replaced by ``rename(path)``."""
    def renamed(value):
        if isinstance(value, (tuple, list)):
            return tuple(renamed(item) for item in value)
        return value if value in (None, "-") else rename(value)

    return {name: renamed(value) if name in SPECS and SPECS[name].kind == "path" else value
            for name, value in params.items()}


def _parameter_files(config: SearchConfig) -> dict:
    """Path as given -> SHA-256 of every file the parameters and the grid name (adjacency matrices); a missing
    file is left to the trials, which record it as a parameter error."""
    found = {}

    def digest(path):
        if Path(path).is_file():
            found[str(path)] = sha256(path)
        return path

    for params in (config.params, *({name: value} for name, values in config.grid.items() for value in values)):
        _files_by_content(params, digest)
    return found


def _checksums(settings: dict) -> tuple:
    """The SHA-256 of every file the trials read: a worker's cache key for the data set."""
    files = [entry["sha256"] for entry in settings["files"]]
    files += [settings["genome"]["sha256"]] if "genome" in settings else []
    source = settings.get("background", {}).get("source")
    return tuple(files + ([source["sha256"]] if isinstance(source, dict) else []))


def _sequence_settings(config: SearchConfig, seed: int) -> dict:
    """The settings every search records: input files, reading options, split, grid, parameters and preset."""
    data = config.data
    # The keys and values of searches written before DataOptions: a continued search compares them.
    return {
        "files": [{"name": Path(path).name, "sha256": sha256(path)} for path in data.fasta],
        "multi_label": data.multi_label,
        "class_names": list(data.class_names) if data.class_names is not None else None,
        "alphabet": data.alphabet, "structure_alphabet": data.structure, "structure_pwm": data.structure_pwm,
        "length": data.length,
        "split": list(config.split), "metric": config.metric, "folds": config.folds, "seed": seed,
        "grid": {name: [to_json({"v": value})["v"] for value in values] for name, values in config.grid.items()},
        "params": to_json(config.params),
        "preset": config.preset or AUTO_PRESET,
        # A preset's values may change between versions (the motifnet preset did): trials of one search
        # must build the same networks, so the values themselves are compared too. Those of preset auto's
        # pick are recorded (with the pick, under preset_taken) once a worker has read the data.
        "preset_values": None if (config.preset or AUTO_PRESET) == AUTO_PRESET else to_json(PRESETS[config.preset]),
    }


def network_preset(settings: dict) -> str | None:
    """The preset the trials of a search start from: the one named, or the one preset auto took (None
    while auto has not decided)."""
    return settings.get("preset_taken") if settings["preset"] == AUTO_PRESET else settings["preset"]


def _prepare_folder(config: SearchConfig) -> tuple:
    """Create or reopen the search folder; returns (settings, earlier search.json content or None)."""
    folder = Path(config.search_dir)
    earlier = None
    if (folder / SETTINGS).exists():
        try:
            earlier = read_search_state(folder)
            earlier["settings"]["seed"]
            earlier["settings"].setdefault("preset", "pysster")  # searches from before presets
            if earlier["settings"]["preset"] == "pysster":  # pysster's network never changes
                earlier["settings"].setdefault("preset_values", to_json(PRESETS["pysster"]))
            taken = earlier["settings"].get("preset_taken")
            if earlier["settings"]["preset"] == AUTO_PRESET and taken is not None and taken not in PRESETS:
                raise ValueError(f"preset_taken {taken!r} is not a preset")
            if not isinstance(earlier["settings"].get("preset_values", {}), dict | None):
                raise TypeError("preset_values is not a table of parameters")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ParamError(f"{folder / SETTINGS}: damaged ({error}), or not a search of motifnet's; choose another "
                             f"-o, or move {SETTINGS} away") from None
    elif folder.is_dir() and any(entry.name != LOCK for entry in folder.iterdir()):
        raise ParamError(f"{folder}: folder is not empty and is not a motifnet search; choose another -o")
    seed = config.seed
    if seed is None:
        seed = earlier["settings"]["seed"] if earlier else secrets.randbelow(2**31)
    fresh = _settings(config, seed)
    # A named preset is continued under auto only by a search that goes on (not started over with --overwrite).
    settings = _as_continued(fresh, earlier["settings"], not config.overwrite and _has_results(folder)) \
        if earlier else fresh
    if earlier and earlier["settings"] != settings:
        if not config.overwrite and _has_results(folder):
            # either side's keys: a setting given only when used (a genome, a background, parameter files) is
            # missing from one side; the preset auto took follows from the preset
            changed = [key for key in {**earlier["settings"], **settings}
                       if settings.get(key) != earlier["settings"].get(key)]
            if "preset" in changed and "preset_taken" in changed:
                changed.remove("preset_taken")
            began, taken = earlier["settings"]["preset"], earlier["settings"].get("preset_taken")
            hint = (f" (it began with --preset {began}{f', which took {taken}' if taken else ''})"
                    if "preset" in changed else "")
            verb = "differs" if len(changed) == 1 and not changed[0].endswith("s") else "differ"  # not "files differs"
            raise ParamError(f"{folder}: holds a search with other settings ({', '.join(changed)} {verb}"
                             f"{_preset_change(earlier['settings'], settings) if 'preset_values' in changed else ''}"
                             f"{_file_change(earlier['settings'], settings) if 'parameter_files' in changed else ''}"
                             f"){hint}; continue it with the same arguments, pass --overwrite to start over, "
                             "or choose another -o")
        settings = fresh  # a new search: nothing of the earlier one is kept
        _remove_search_files(folder)  # with --overwrite, or a search that had not finished a trial
        earlier = None
    folder.mkdir(parents=True, exist_ok=True)
    if earlier is None:
        write_json(folder / SETTINGS, {"motifnet_version": __version__, "settings": settings,
                                       "status": "running", "best": None})
    return settings, earlier


def _as_continued(settings: dict, recorded: dict, named: bool = True) -> dict:
    """``settings`` as a continuation of the search that recorded ``recorded``, where the difference
    is one a continued search takes over (compared with ``recorded`` afterwards):

    - preset auto continues the preset the search began with: the one auto took (``preset_taken``),
      or, with ``named``, a named one (a search begun before grid-search had auto, or with ``--preset``);
    - a value the preset now decides from the input ('auto') where the search recorded a number: the
      search goes on with the recorded number (:func:`pinned_values`), so that its trials build the
      same networks;
    - a search recorded before the adjacency files were (``parameter_files``) goes on without them.
    """
    settings = dict(settings)
    if "parameter_files" not in recorded:
        settings.pop("parameter_files", None)
    if settings["preset"] == AUTO_PRESET:
        if recorded.get("preset") == AUTO_PRESET and recorded.get("preset_taken") in PRESETS:
            settings.update(preset_taken=recorded["preset_taken"],
                            preset_values=to_json(PRESETS[recorded["preset_taken"]]))
        elif named and recorded.get("preset") in PRESETS:
            log.info("preset auto: this search began with --preset %s and goes on with it (--overwrite starts it "
                     "over)", recorded["preset"])
            settings.update(preset=recorded["preset"], preset_values=to_json(PRESETS[recorded["preset"]]))
    if isinstance(recorded.get("preset_values"), dict) and settings["preset_values"]:
        before, now = recorded["preset_values"], settings["preset_values"]
        if all(value == now[name] or has_auto(now[name]) and not has_auto(value)
               for name, value in _as_now(before, now).items()):
            settings["preset_values"] = before
    return settings


def _remove_search_files(folder: Path) -> None:
    """Remove what a search wrote into ``folder`` (its files, and ``best/``'s run files); files of others stay."""
    for name in SEARCH_FILES:
        (folder / name).unlink(missing_ok=True)
    for partial in leftover_partials(folder):
        partial.unlink()
    _remove_best(folder / BEST)
    others = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if entry.name == BEST and entry.is_dir() and not entry.is_symlink():  # what stays of best/ is yours
            others += [f"{BEST}/{inside.name}" for inside in sorted(entry.iterdir()) if inside.name != LOCK]
        elif entry.name != LOCK:
            others.append(entry.name)
    if others:
        log.info("%s: starting over; keeping %d file(s) that motifnet did not write: %s", folder, len(others),
                 ", ".join(others))


def _remove_best(best_dir: Path) -> None:
    """Remove the best trial's run files from ``best_dir``, and the folder when nothing else is in it."""
    from ..run.training import remove_run_files

    if not best_dir.is_dir() or best_dir.is_symlink():
        return
    remove_run_files(best_dir, name_kept=False)  # the search names what it keeps, best/'s files among them
    for partial in leftover_partials(best_dir):
        partial.unlink()
    if all(entry.name == LOCK for entry in best_dir.iterdir()):
        shutil.rmtree(best_dir)


def _as_now(recorded: dict, now: dict) -> dict:
    """Recorded preset values for the parameters of ``now``.

    A parameter added since the search began counts as its pysster value, which leaves the old
    network unchanged (as for runs, :func:`motifnet.model.params.from_json`); one since removed
    builds nothing and is dropped.
    """
    pysster = to_json(PRESETS["pysster"])
    return {name: recorded.get(name, pysster.get(name)) for name in now}


def pinned_values(settings: dict) -> dict:
    """Preset values a continued search keeps from when it began: where the preset now says 'auto' (decided
    from the input) and the search recorded a number. Trials get them unless their own parameters set them."""
    preset = network_preset(settings)
    if preset is None:  # preset auto has not decided yet: nothing recorded to keep
        return {}
    now = to_json(PRESETS[preset])
    recorded = _as_now(settings.get("preset_values") or now, now)
    return {name: convert_value(name, value) for name, value in recorded.items()
            if has_auto(now[name]) and not has_auto(value)}


def _preset_change(earlier: dict, settings: dict) -> str:
    """Which values of the preset differ from those the search began with, for the refusal."""
    before = earlier.get("preset_values")
    preset = network_preset(settings)
    if earlier.get("preset") != settings["preset"] or preset is None:
        return ""
    if before is None:
        return (f": the search began before motifnet recorded the values of preset {preset!r}, "
                "which may have changed since")
    now = settings["preset_values"]
    before = _as_now(before, now)
    differ = [f"{name} {before[name]!r} -> {value!r}" for name, value in now.items() if before[name] != value]
    return f": preset {preset!r} now has {', '.join(differ)}" if differ else ""


def _file_change(earlier: dict, settings: dict) -> str:
    """Which parameter files (adjacency matrices) changed, or are new or gone, since the search began."""
    before, now = earlier.get("parameter_files") or {}, settings.get("parameter_files") or {}
    changed = [f"{name} changed" for name in now if name in before and before[name] != now[name]]
    changed += [f"{name} is new" for name in now if name not in before]
    changed += [f"{name} is gone" for name in before if name not in now]
    return f": {', '.join(changed)}" if changed else ""


def _has_results(folder: Path) -> bool:
    """Whether the folder holds a finished trial or a best run (what starting over would lose)."""
    return _row_count(folder) > 0 or (folder / BEST).exists()


def _row_count(folder: Path) -> int:
    """The finished trials in ``results.tsv``."""
    try:
        with open(folder / RESULTS, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except OSError:
        lines = []
    return len([line for line in lines[1:-1] if line])


@contextmanager
def _status_kept(folder: Path, new_search: bool):
    """Within the block, ``search.json`` says 'running'; when the block raises, it no longer does.

    Stopped by a signal: 'interrupted' (the same command continues it). Failed before any trial
    finished in a search this call began (refused data, a cluster that did not start): what it
    wrote is removed. Refused (a motifnet error) before a trial of this call finished, in a search
    begun earlier: the status it had (a complete search stays complete). Failed otherwise: 'failed',
    as when the retraining of the best trial, or the record of its results, fails (the block sets
    ``ranked`` in the dict it gets once the trials are done and ranked).
    """
    earlier = None if new_search else read_search_state(folder).get("status")
    if earlier == "running":  # with the folder's lock held: a search killed with SIGKILL
        earlier = "interrupted"
    rows = _row_count(folder)
    progress = {"ranked": False}
    _set_status(folder, "running")
    try:
        yield progress
    except BaseException as error:
        try:
            if isinstance(error, KeyboardInterrupt):
                _set_status(folder, "interrupted")
            elif new_search and not _row_count(folder):
                _forget_search(folder)
            elif isinstance(error, MotifnetError) and earlier and _row_count(folder) == rows \
                    and not progress["ranked"]:
                _set_status(folder, earlier, force=True)
            else:
                _set_status(folder, "failed")
        except (OSError, ValueError) as cleanup_error:  # the search's own error is the one to report
            log.warning("%s: cannot record how the search ended (%s)", folder / SETTINGS, cleanup_error)
        raise


def _set_status(folder: Path, status: str, force: bool = False) -> None:
    """Record ``status`` in ``search.json``, unless it says so already or (without ``force``) the search's
    outcome (complete, failed)."""
    state = read_search_state(folder)
    if state.get("status") != status and (force or status == "running" or state.get("status") == "running"):
        write_json(folder / SETTINGS, {**state, "status": status})


def _forget_search(folder: Path) -> None:
    """Remove the files of a search that never finished a trial."""
    for name in (SETTINGS, RESULTS):
        (folder / name).unlink(missing_ok=True)
    for partial in leftover_partials(folder):
        partial.unlink()


def _best_state(best_dir: Path, params: dict, seed: int, preset: str, pick: dict | None = None) -> str | None:
    """'current' when ``best_dir`` holds the complete run of these parameters and seed, 'interrupted'
    when it holds their unfinished run (retraining continues it), else None. ``pick``: preset auto's
    (:func:`motifnet.run.presets.pick_by_input`) where ``preset`` is 'auto'."""
    from ..run.rundir import open_run

    try:
        run = open_run(best_dir)
    except MotifnetError:
        return None
    if not _is_trial_run(run, params, seed, preset, pick):
        return None
    status = run.meta["training"].get("status")
    if run.complete and read_metrics(best_dir) is not None:
        if run.holds_its_model():  # a deleted or damaged model was taken for the best trial's
            return "current"
        log.warning("%s: its %s is missing or not the model its training saved: the best trial is trained again",
                    best_dir, MODEL)
        return None
    # complete without its test metrics (killed in between) resumes from its last checkpoint; a diverged
    # or failed-to-start run is trained again.
    return "interrupted" if status in ("running", "interrupted", "failed", "complete") else None


def _is_trial_run(run, params: dict, seed: int, preset: str, pick: dict | None) -> bool:
    """Whether ``run`` (a :class:`motifnet.run.rundir.Run`) was trained with these parameters and seed (see
    :func:`_best_state`); False for a damaged ``motifnet.json``."""
    try:
        letters = len(run.meta["data"]["encoder"]["alphabet"]["letters"])
        if preset == AUTO_PRESET:
            preset = settle_pick(pick, params, letters, run.meta["data"]["encoder"]["length"])[0]
        # Adjacency files compared by their contents: best/ names them by absolute path (as trained on a worker)
        # or as typed (an earlier motifnet), and the search's folder may have moved since.
        recorded = {entry["path"]: entry["sha256"] for entry in run.meta.get("adjacency", {}).values()}
        saved = _files_by_content(run.meta["params"], lambda path: recorded.get(path, path))
        given = _files_by_content(params, lambda path: sha256(path) if Path(path).is_file() else path)
        return run.meta.get("seed") == seed and matches_saved(saved, resolve_kernel_len(resolve(given, preset),
                                                                                        letters))
    except (ParamError, KeyError, TypeError):
        return False


def _refuse_other_best(best_dir: Path, trials: list, pinned: dict, seed: int, preset: str, pick: dict | None) -> None:
    """Refuse a ``best_dir`` that holds a complete run of none of ``trials`` (with ``seed``): a run of the user's
    (``train -o SEARCH_DIR/best``), which retraining the best trial would replace.

    A run whose parameters cannot be compared (a damaged ``motifnet.json``, a parameter of a newer motifnet) is
    left to :func:`_retrain_best`, which trains it again as before.

    Raises
    ------
    RunDirError
        Naming the folder, and ``--overwrite`` or moving the run out.
    """
    from ..run.rundir import open_run

    try:
        run = open_run(best_dir)
    except MotifnetError:
        return  # no run, or not motifnet's: retraining refuses what it may not replace
    try:
        len(run.meta["data"]["encoder"]["alphabet"]["letters"])
        from_json(run.meta["params"])  # a name or value this motifnet does not know: not comparable
    except (ParamError, KeyError, TypeError, ValueError):
        return
    if any(_is_trial_run(run, {**pinned, **trial.params}, seed, preset, pick) for trial in trials):
        return
    raise RunDirError(f"{best_dir} holds a run that none of this search's trials made (other parameters or "
                      f"seed): retraining the best trial there would replace it; move it out of "
                      f"{best_dir.parent}, or give --overwrite to start the search over (its finished trials "
                      f"too) and replace it")


def run_search(config: SearchConfig, cluster: ClusterOptions | None = None, on_result=None,
               runner=run_trial) -> SearchResult:
    """Run (or continue) a grid search and write the search folder.

    Parameters
    ----------
    config : SearchConfig
    cluster : ClusterOptions or None
        Where trials run. Default is a local cluster of worker processes.
    on_result : callable or None
        Called in this process as ``on_result(row, finished, total)`` after each trial's row is
        written (``row`` as in ``results.tsv``). An exception it raises stops the search; the
        rows written so far stay, and the search can be continued.
    runner : callable
        The function run on a worker for each trial attempt, given a :class:`motifnet.search._trial.TrialTask`
        and returning a dict as :func:`motifnet.search._trial.run_trial` does. Default is run_trial.

    Returns
    -------
    SearchResult

    Raises
    ------
    ParamError, InputError
        Bad settings or data (before any trial runs), batch jobs this machine cannot submit, a
        folder holding another search. What a search begun by this call wrote is removed then,
        unless a trial finished.
    MotifnetError
        Every trial failed (the rows and the summary are written first).
    motifnet._signals.StopRequested
        A signal asked to stop (see :func:`motifnet._signals.stop_on_signals`): finished trials stay
        in ``results.tsv`` and ``search.json`` says 'interrupted'; the same call continues the search.
    """
    from ..run.training import check_inputs_outside

    config.checked()
    # best/ is a run folder that a new search (--overwrite) empties and retrains: an input there would be lost
    check_inputs_outside(Path(config.search_dir) / BEST, config.data.input_files(config.data.genome))
    cluster = cluster or ClusterOptions()
    if cluster.log_directory is None and cluster.kind in SUBMIT_COMMANDS:
        cluster = dataclasses.replace(cluster, log_directory=str(Path(config.search_dir).resolve() / JOB_LOGS))
    cluster = cluster.checked()
    check_environment(cluster)  # a machine that cannot submit the jobs is refused before anything is written
    folder = Path(config.search_dir)
    if folder.exists() and not folder.is_dir():
        raise ParamError(f"{folder}: exists and is not a folder; choose another -o")
    made = missing_folders(folder)
    made_logs = missing_folders(cluster.log_directory) if cluster.log_directory else []  # dask-jobqueue makes it
    try:
        # One search at a time in a folder: two would append to one results file and retrain one best/.
        with acquire(folder, "grid-search"):
            settings, earlier = _prepare_folder(config)
            with _status_kept(folder, new_search=earlier is None) as progress:
                return _search(config, cluster, settings, on_result, runner, progress)
    except BaseException:
        remove_empty_folders(made_logs)  # a search refused or failed before it wrote anything leaves no folder
        remove_empty_folders(made)
        raise


def _search(config: SearchConfig, cluster: ClusterOptions, settings: dict, on_result, runner,
            progress: dict) -> SearchResult:
    """:func:`run_search` once the folder is prepared (``settings``: what ``search.json`` records; ``progress``:
    see :func:`_status_kept`)."""
    folder = Path(config.search_dir)
    seed = settings["seed"]
    pinned = pinned_values(settings)
    if settings["preset"] == AUTO_PRESET and "preset_taken" in settings:
        log.info("preset auto: %s, as when this search began", settings["preset_taken"])
    if pinned:
        log.info("continuing a search that began with %s: its trials keep that value",
                 ", ".join(f"{name}={format_value(value)}" for name, value in pinned.items()))
    trials = expand_grid(config.grid, config.params, seed)
    by_id = {trial.id: trial for trial in trials}
    results = ResultsFile(folder / RESULTS, list(config.grid))
    finished = {key: row for key, row in results.rows().items() if key in by_id}
    # A trial failed for a cause that may pass (a worker lost to memory or wall time, an error in training) runs
    # again: kept as failed, it was left out of a search that looked complete. Its new row replaces the old one.
    again = [key for key, row in finished.items() if transient_failure(row)]
    if again:
        log.info("running again %d trial(s) that failed earlier for a cause that may pass (a worker lost, an error "
                 "in training): %s", len(again), ", ".join(again))
        finished = {key: row for key, row in finished.items() if key not in again}
    pending = [trial for trial in trials if trial.id not in finished]
    # Workers may run elsewhere: they read the files by absolute path, checked against the recorded checksums.
    data = _for_workers(config.data, seed)
    checksums = _checksums(settings)
    where = f"{config.folds}-fold cross-validation" if config.folds else "the validation split"
    log.info("grid search: %d trial(s), %d finished earlier; %s on %s; seed %d", len(trials),
             len(trials) - len(pending), config.metric, where, seed)
    best_dir = folder / BEST
    _refuse_other_best(best_dir, trials, pinned, seed, settings["preset"], _recorded_pick(folder, settings))
    ran: list = []
    with ExitStack() as stack:
        connection = None

        def connected():
            nonlocal connection
            if connection is None:
                connection = stack.enter_context(connect(cluster, len(pending)))
                log.info("running on %s", connection.description)
            return connection

        if pending:
            _run_trials(connected(), config, settings, (data, checksums), pending, results,
                        len(trials) - len(pending), len(trials), on_result, runner, ran, pinned)
        rows = rank([parse_row(row) for key, row in results.rows().items() if key in by_id], trials, config.metric)
        progress["ranked"] = True  # a failure from here on (retraining best/, recording it) leaves 'failed'
        best = rows[0] if rows and rows[0]["status"] == "ok" else None
        test_metrics = None
        if best is not None:
            check_stop()  # a signal as the last trial ended: no retraining begins (the next run does it)
            test_metrics = _retrain_best(connected, best_dir, best["trial"],
                                         _absolute_files({**pinned, **by_id[best["trial"]].params}),
                                         config.split, seed, (data, checksums), settings["preset"],
                                         _recorded_pick(folder, settings), config.metric)
    from ..report.search_summary import write_summary

    run_score = _best_run_score(folder, best, test_metrics)
    summary = write_summary(folder, rows, trials, settings, best_dir if best else None, run_score)
    _record_best(folder, best, best_dir, test_metrics, run_score)
    if best is None:
        first = next((row["error"] for row in rows if row["error"]), "no error recorded")
        raise MotifnetError(f"all {len(rows)} trial(s) failed, the first with: {first}; see {folder / RESULTS}")
    # The trial's weights started from its own seed, best/'s from --seed's: say best/'s own score, which differs.
    retrained = (f" (retrained with seed {seed}: {config.metric} {run_score:.4f} on its validation split)"
                 if run_score is not None else "")
    log.info("best trial %s (%s %.4f): %s; run folder %s%s; summary %s", best["trial"], config.metric,
             best["score"], describe_trial(by_id[best["trial"]]), best_dir, retrained, summary)
    return SearchResult(rows, best, best_dir, ran, summary)


def _for_workers(data: DataOptions, seed: int) -> DataOptions:
    """``data`` with absolute paths (workers may run elsewhere) and the search's seed for a generated background.

    The background's seed is the search's, as ``motifnet train --seed`` uses its seed: ``best/``
    trains on the records ``motifnet train`` with the best parameters and the same seed reads.
    """
    def absolute(path):
        return None if path is None else str(Path(path).resolve())

    background = data.background_file
    tracks = tuple((track[0], tuple(absolute(path) for path in track[1])) if well_formed_track(track) else track
                   for track in data.tracks)
    return data.replace(fasta=tuple(absolute(path) for path in data.fasta),
                        feature_files=tuple(absolute(path) for path in data.feature_files), tracks=tracks,
                        targets_file=absolute(data.targets_file), genome=absolute(data.genome),
                        background=absolute(background) if background else data.background,
                        background_seed=seed if data.background else 0)


def _retrain_best(connected, best_dir: Path, trial: str, params: dict, split: tuple, seed: int,
                  data, preset: str, pick: dict | None = None, metric: str | None = None) -> dict | None:
    """Train the best trial's parameters into ``best_dir`` on a worker, unless it holds that run already.

    ``connected()`` returns the cluster connection; ``data``: the options and checksums of the files;
    ``preset``: a name, or 'auto' with its ``pick`` by the input, which the training settles for the
    parameters as ``motifnet train`` does (:func:`motifnet.run.presets.settle_pick`); ``metric``: the search's,
    with which the new run is scored on its validation records (``search_score``).
    Returns the new run's test metrics, or None when the run was there already.
    """
    state = _best_state(best_dir, params, seed, preset, pick)
    if state == "current":
        log.info("%s already holds the best trial's run", best_dir)
        return None
    from ..run.training import TrainConfig

    connection = connected()
    if best_dir.is_dir() and not (best_dir / META).exists():
        _remove_best(best_dir)  # a retraining killed before it wrote anything useful
    log.info("%s the best trial (%s) into %s", "continuing to retrain" if state == "interrupted" else "retraining",
             trial, best_dir)
    train_config = TrainConfig(str(best_dir.resolve()), dict(params), tuple(split), seed,
                               overwrite=state != "interrupted", resume=state == "interrupted", preset=preset,
                               preset_choice=pick, others_allowed=True,
                               inputs=tuple(str(path) for path in data[0].input_files()))
    stop_event = f"motifnet-stop-{uuid.uuid4().hex}"
    future = connection.client.submit(retrain_best, *data, train_config, connection.threads, stop_event, metric,
                                      pure=False, resources=connection.resources,
                                      key=f"motifnet-best-{uuid.uuid4().hex}")
    return _retrained(future, stop_event, connection.check)


def _best_run_score(folder: Path, best: dict | None, test_metrics: dict | None) -> float | None:
    """The score of the retrained best run on its validation records (None where unknown).

    ``test_metrics``: those of a run just retrained, with its ``search_score``; otherwise (None) the score
    ``search.json`` recorded for the same best trial before.
    """
    if best is None:
        return None
    if test_metrics is not None:
        return test_metrics.get("search_score")
    before = read_search_state(folder).get("best") or {}
    return before.get("run_score") if before.get("trial") == best["trial"] else None


def _record_best(folder: Path, best: dict | None, best_dir: Path, test_metrics: dict | None,
                 run_score: float | None) -> None:
    """Write the search's outcome into ``search.json``: status, the best trial, its run's score
    (:func:`_best_run_score`) and its run's metrics (``test_metrics``, or read from ``best_dir``)."""
    state = read_search_state(folder)
    state.update(status="complete" if best else "failed",
                 best=None if best is None else {"trial": best["trial"], "score": best["score"],
                                                 "params": best["params"], "run": BEST})
    if best is None:
        write_json(folder / SETTINGS, state)
        return
    if test_metrics is None:
        test_metrics = read_metrics(best_dir)
    # best/ starts from --seed's weights, the trial from its own seed's: its score is its own
    state["best"]["run_score"] = run_score
    if test_metrics is not None:
        state["best"]["test_roc_auc_mean"] = test_metrics.get("roc_auc_mean")
        state["best"]["test_pr_auc_mean"] = test_metrics.get("pr_auc_mean")
    write_json(folder / SETTINGS, state)


def _run_trials(connection, config, settings, data, pending, results, done, total, on_result, runner, ran,
                pinned=None) -> None:
    """Submit the pending trials, retry each failure once, and append every outcome as it arrives.

    ``settings``: what ``search.json`` records (preset auto's pick is added once the data is read);
    ``data``: the :class:`DataOptions` the workers read and the files' checksums; ``pinned``: values each
    trial gets unless its own parameters set them (:func:`pinned_values`).
    """
    pinned = pinned or {}
    seed = settings["seed"]
    from distributed import TimeoutError as WaitTimeout
    from distributed import wait

    described = connection.client.submit(describe_data, *data, tuple(config.split), seed, settings["preset"],
                                         pure=False, resources=connection.resources,
                                         key=f"motifnet-data-{uuid.uuid4().hex}")
    facts = _result(connection, described)
    if "error" in facts:
        raise facts["error"]  # a problem with the data stops the search before any trial
    _check_data(config, facts)
    pick = _record_pick(Path(config.search_dir), settings, facts["preset_pick"]) \
        if settings["preset"] == AUTO_PRESET else None
    presets = {}  # each trial's preset: for auto, the one train would take with the trial's values
    gave_way = {}  # and why it is not auto's pick (", but centred does not take ...")
    token = uuid.uuid4().hex[:8]  # keys unique to this call: a shared scheduler may still hold older ones

    def submit(trial, attempt):
        task = TrialTask(trial.id, to_json(_absolute_files({**pinned, **trial.params})), trial.seed, seed,
                         tuple(config.split),
                         config.metric, config.folds, connection.threads, *data,
                         preset=presets[trial.id])
        return connection.client.submit(runner, task, pure=False, resources=connection.resources,
                                        key=f"motifnet-trial-{trial.id}-{attempt}-{token}")

    def record(trial, outcome, attempts, errors):
        row = result_row(trial, outcome, attempts, errors, presets.get(trial.id))
        results.append(row)
        ran.append(trial.id)
        nonlocal done
        done += 1
        described = describe_trial(trial)
        if gave_way.get(trial.id):
            described += f" (preset {presets[trial.id]}{gave_way[trial.id]})"
        if outcome["status"] == "ok":
            log.info("[%d/%d] trial %s %s: %s %.4f (%.4g epochs, %.1f s)", done, total, trial.id, described,
                     config.metric, outcome["score"], outcome["epochs"], outcome["seconds"])
        else:
            log.warning("[%d/%d] trial %s %s failed: %s", done, total, trial.id, described, row["error"])
        if on_result is not None:
            on_result(row, done, total)

    waiting = deque()  # (trial, attempt, errors of earlier attempts), submitted as workers become free
    for trial in pending:
        try:
            presets[trial.id], gave_way[trial.id] = trial_preset(settings, pick, {**pinned, **trial.params},
                                                                 facts["letters"], facts["length"])
            waiting.append((trial, 1, []))
        except ParamError as error:  # this combination cannot be built: recorded at once, the others go on
            record(trial, {"status": "failed", "seconds": None}, 0, [str(error)])
    warn_same_networks([trial for trial, _, _ in waiting], presets, pinned, facts)
    futures = {}
    try:
        while waiting or futures:
            check_stop()  # after a signal: no new trial; the running ones are cancelled below, the rows stay
            connection.check()  # a refused batch job: its worker never comes
            # One trial in flight per worker process: a worker that dies then takes no queued trial with it,
            # and trials start on workers that join later (batch jobs leaving the queue).
            while waiting and len(futures) < max(1, len(connection.client.nthreads())):
                trial, attempt, errors = waiting.popleft()
                futures[submit(trial, attempt)] = (trial, attempt, errors)
            if not futures:
                continue
            try:
                finished, _ = wait(list(futures), timeout=_POLL_SECONDS, return_when="FIRST_COMPLETED")
            except WaitTimeout:
                continue
            for future in finished:
                trial, attempt, errors = futures.pop(future)
                outcome = _outcome(future)
                if outcome.get("retry") and stop_requested():
                    continue  # lost to the stop (a worker that ended, a cancelled trial): the next run runs it
                if outcome["status"] != "ok":
                    errors = errors + [f"attempt {attempt}: {outcome['error']}" if outcome.get("retry")
                                       else outcome["error"]]
                    if outcome.get("retry") and attempt == 1:
                        log.warning("trial %s failed (%s); trying it once more", trial.id, outcome["error"])
                        waiting.appendleft((trial, 2, errors))
                        continue
                record(trial, outcome, attempt, errors)
    except BaseException:
        connection.client.cancel(list(futures))
        raise


def _result(connection, future):
    """The result of ``future``, waited for in steps (:func:`_wait_in_steps`); a stop or a refused batch job
    cancels it."""
    try:
        _wait_in_steps(future, connection.check)
    except BaseException:
        future.cancel()
        raise
    return future.result()


def _wait_in_steps(future, check) -> None:
    """Wait for ``future`` in short steps, so that a signal (:func:`motifnet._signals.check_stop`) or ``check()``
    (:meth:`motifnet.search._cluster.Connection.check`: a worker that will never come) ends the wait by raising."""
    from distributed import TimeoutError as WaitTimeout
    from distributed import wait

    while True:
        check_stop()
        check()
        try:
            wait(future, timeout=_STOP_POLL_SECONDS)
            return
        except WaitTimeout:
            continue


def _record_pick(folder: Path, settings: dict, pick: dict) -> dict:
    """Preset auto's pick by the input (:func:`motifnet.run.presets.pick_by_input`): recorded in ``settings``
    and ``search.json`` the first time; a continued search keeps the one it began with, returned."""
    if "preset_taken" in settings:
        recorded = _recorded_pick(folder, settings)
        if recorded["preset"] != pick["preset"]:
            log.warning("preset auto: this search began with %s; it keeps it (the input now calls for %s, for %s)",
                        recorded["preset"], pick["preset"], pick["reason"])
        return recorded
    log.info("preset auto: %s, for %s", pick["preset"], pick["reason"])
    settings.update(preset_taken=pick["preset"], preset_values=to_json(PRESETS[pick["preset"]]))
    state = read_search_state(folder)
    state["settings"].update(preset_taken=pick["preset"], preset_values=settings["preset_values"])
    state["preset_choice"] = pick
    write_json(folder / SETTINGS, state)
    return pick


def _recorded_pick(folder: Path, settings: dict) -> dict | None:
    """The pick preset auto made when the search began (None for a named preset, or before the pick: the
    retraining of the best trial then makes it itself, as train does)."""
    if settings["preset"] != AUTO_PRESET or settings.get("preset_taken") not in PRESETS:
        return None
    recorded = read_search_state(folder).get("preset_choice")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("reason"), str):
        recorded = {"asked": AUTO_PRESET, "reason": "the input, when this search began", "position_tests": []}
    return {**recorded, "preset": settings["preset_taken"]}


def same_networks(trials: list, presets: dict, pinned: dict, facts: dict) -> list:
    """Groups of trials whose values differ but build the same network: 'auto' decided as the input decides it
    (``kernel_len`` auto is 15 for DNA and RNA, ``strand`` auto is both for DNA and forward for RNA) beside that
    value itself. Only the trials still to run are compared (those of a continued search that finished are
    not trained again).

    Parameters
    ----------
    trials : list of Trial
    presets : dict
        Trial id -> the preset it starts from (:func:`trial_preset`).
    pinned : dict
        Values each trial gets unless its own parameters set them (:func:`pinned_values`).
    facts : dict
        :func:`motifnet.search._trial.describe_data`'s description: ``letters``, ``length``, ``strand_auto``.

    Returns
    -------
    list of list of Trial
        Each group of two or more, in the grid's order.
    """
    groups = {}
    for trial in trials:
        built = network_params({**pinned, **trial.params}, presets[trial.id], facts["letters"], facts["length"])
        if built["strand"] == "auto":
            built["strand"] = facts["strand_auto"]
        groups.setdefault((presets[trial.id], canonical_json(built)), []).append(trial)
    return [group for group in groups.values() if len(group) > 1]


def warn_same_networks(trials: list, presets: dict, pinned: dict, facts: dict) -> None:
    """Say which trials build the same network (:func:`same_networks`): their scores differ by their seeds only."""
    for group in same_networks(trials, presets, pinned, facts):
        described = "; ".join(f"{trial.id} ({describe_trial(trial)})" for trial in group)
        log.warning("trials %s build the same network on this input ('auto' is decided by the input): their scores "
                    "differ by their seeds only; keep one of these values in --grid", described)


def trial_preset(settings: dict, pick: dict | None, params: dict, letters: int, length: int) -> tuple:
    """The preset a trial with ``params`` starts from: the search's own, or for preset auto the one
    ``motifnet train`` takes with these values (``pick`` settled by :func:`motifnet.run.presets.settle_pick`:
    ``centred`` gives way to ``motifnet`` for values only motifnet's network takes, and on windows too
    short for its network).

    Returns
    -------
    tuple
        ``(preset, why)``: ``why`` says why auto's pick gave way (", but centred does not take ..."),
        else it is empty.

    Raises
    ------
    ParamError
        The preset cannot build this trial's network on windows of ``length``.
    """
    if settings["preset"] != AUTO_PRESET:
        network_params(params, settings["preset"], letters, length)
        return settings["preset"], ""
    preset, _, choice = settle_pick(pick, params, letters, length)
    return preset, choice["reason"][len(pick["reason"]):]


def _retrained(future, stop_event: str, check=lambda: None) -> dict:
    """The best run's test metrics; a lost worker becomes one error that says how to go on.

    A signal to this process (see :func:`motifnet._signals.check_stop`) sets the worker's
    ``stop_event``: the retraining stops at its next batch, keeping its best model and what
    ``train --resume`` needs, and :class:`motifnet._signals.StopRequested` is raised here once it has.
    ``check()`` raises where the wait is in vain (:meth:`motifnet.search._cluster.Connection.check`); the
    retraining is then told to stop as for a signal.
    """
    from distributed import Event, KilledWorker, wait

    from .._signals import StopRequested

    try:
        _wait_in_steps(future, check)
    except (StopRequested, MotifnetError) as reason:
        if isinstance(reason, StopRequested):
            log.warning("stopping the retraining at its next batch; run the same command again to continue it")
        elif not future.client.nthreads():  # a batch job refused and no worker came: nothing is training
            future.cancel()
            raise
        try:
            Event(stop_event, client=future.client).set()
            wait(future, timeout=_STOP_GRACE_SECONDS)
        except Exception as error:  # noqa: BLE001 - the scheduler is gone or slow: the stop stands regardless
            log.warning("the retraining could not be told to stop (%s); it may train on and hold %s's lock until "
                        "it ends", str(error) or f"no answer in {_STOP_GRACE_SECONDS} s", BEST)
            future.cancel()
        raise
    try:
        metrics = future.result()
    except KilledWorker as error:
        raise MotifnetError(f"retraining the best trial lost its worker ({error}); run the same command "
                            "again to retrain it (finished trials are kept)") from None
    if metrics is None:  # stopped on the worker's side (its own signal)
        raise StopRequested
    return metrics


def _outcome(future) -> dict:
    """The result of a finished trial future, or a failed outcome for a lost worker or a runner's error."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as error:  # the worker died (memory, wall time) or its node was lost
        return {"status": "failed", "error": f"worker lost ({error})", "retry": True, "seconds": None}
    except Exception as error:  # noqa: BLE001 - a runner's own error fails the trial, not the search
        return {"status": "failed", "error": f"{type(error).__name__}: {error}", "retry": True, "seconds": None}
    finally:
        future.release()


def _check_data(config: SearchConfig, facts: dict) -> None:
    """Refuse a split or a fold count the data cannot support (before any trial runs)."""
    if config.folds:
        smallest = min(facts["searched_per_class"])
        if not config.data.multi_label and config.folds > smallest:
            raise ParamError(f"--folds {config.folds}: the smallest class has {smallest} train+validation "
                             "record(s); use fewer folds")
        if config.folds > facts["split"]["train"] + facts["split"]["val"]:
            raise ParamError(f"--folds {config.folds}: more folds than train+validation records")
    elif facts["split"]["val"] == 0 or facts["split"]["train"] == 0:
        raise ParamError("the train or validation split is empty; use more records or larger --split fractions")
