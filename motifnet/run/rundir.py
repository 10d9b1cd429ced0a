"""The run folder written by ``motifnet train`` and read by every later command.

=================  ===============================================================
``model.keras``    the best model so far (Keras native format), replaced atomically
``motifnet.json``  version, data description, parameters, seed, split sizes, status
``data.npz``       the encoded training data (compact codes, labels, ids; no pickle)
``split.tsv``      which record went to train, val or test
``history.tsv``    one row per epoch: losses, metrics, learning rate
``metrics.json``   ROC-AUC and PR-AUC per class on the test split, with means
``folded/``        ``train --fold`` only: the folded input files, kept when the run is replaced
=================  ===============================================================

Each file is read by one function here: :func:`open_run` (``motifnet.json``, and the others
through :class:`Run`), :func:`read_split`, :func:`read_history` and :func:`read_metrics`.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .._io import sha256, sha256_of_bytes
from .._validate import is_column_name
from .._version import __version__
from ..data.dataset import Dataset
from ..data.split import GROUPS
from ..errors import RunDirError
from .lock import describe_holder, live_holder

log = logging.getLogger("motifnet")

MODEL = "model.keras"
#: The key in ``motifnet.json``'s ``training`` of the SHA-256 digests ``model.keras`` may have (see :meth:`Run.model`).
MODEL_DIGESTS = "model_sha256"
#: The key of ``motifnet.json`` that holds the SHA-256 of ``data.npz`` (runs of an older motifnet lack it).
DATA_DIGEST = "data_sha256"
#: Reads of model.keras that a training may replace with a better model, each time, before the command gives up.
_LOAD_TRIES = 3
META = "motifnet.json"
DATA = "data.npz"
SPLIT = "split.tsv"
HISTORY = "history.tsv"
METRICS = "metrics.json"
FOLDED = "folded"
FOLDED_SOURCES = "sources.json"  # in folded/: where each folded file came from, and how it was folded
RESUME = "resume"
SPECTRUM = "epistasis.tsv"  # regression with --epistatic-reg (motifnet.run.regression)
#: Present while ``train`` has a folder without its ``motifnet.json`` (a new run before it is written, a run being
#: replaced): files of train's names in a folder without either are the user's, not a run's.
UNFINISHED = ".motifnet.unfinished"

#: ``history.tsv``'s columns for classification (regression's: :data:`motifnet.run.regression.HISTORY_COLUMNS`).
HISTORY_COLUMNS = ("epoch", "loss", "val_loss", "accuracy", "val_accuracy", "auc", "val_auc", "learning_rate",
                   "seconds")


def history_text(rows, columns=HISTORY_COLUMNS) -> str:
    """``history.tsv``: a header of ``columns``, then one row per epoch (6 significant digits; empty for None).

    Parameters
    ----------
    rows : list of dict
        Column name -> value, one dict per epoch.
    columns : tuple of str
    """
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join("" if row[c] is None else (str(row[c]) if c == "epoch" else f"{row[c]:.6g}")
                               for c in columns))
    return "\n".join(lines) + "\n"


def read_history(run_path) -> dict | None:
    """The columns of a run's ``history.tsv``.

    Parameters
    ----------
    run_path : str or pathlib.Path
        The run folder.

    Returns
    -------
    dict or None
        Column name -> list of floats, one per epoch (NaN for empty cells); None when the file is
        missing, unreadable or has no epoch yet.
    """
    try:
        lines = (Path(run_path) / HISTORY).read_text(encoding="utf-8").strip().split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if len(lines) < 2:
        return None
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    try:
        return {name: [float(row[i]) if row[i] else np.nan for row in rows] for i, name in enumerate(header)}
    except (IndexError, ValueError):
        return None


def read_metrics(run_path) -> dict | None:
    """The test metrics of a run (``metrics.json``, written when training completed).

    Parameters
    ----------
    run_path : str or pathlib.Path
        The run folder.

    Returns
    -------
    dict or None
        As :func:`motifnet.run.evaluation.compute_metrics` (classification) or
        :func:`motifnet.run.evaluation.regression_metrics` returned them, with ``split``; None when
        the file is missing or damaged (training has not finished).
    """
    try:
        metrics = json.loads((Path(run_path) / METRICS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return metrics if _metrics_problem(metrics) is None else None


#: The scores of each class (or target) in ``metrics.json``, and their means beside them, by task.
_METRIC_SCORES = {"classification": ("per_class", ("roc_auc", "pr_auc"), ("roc_auc_mean", "pr_auc_mean")),
                  "regression": ("per_target", ("pearson", "spearman", "r2", "mse"),
                                 ("pearson_mean", "spearman_mean", "r2_mean", "mse_mean"))}


def _metrics_problem(metrics) -> str | None:
    """What is wrong with the content of ``metrics.json`` (None: nothing): what ``info``, the report and a grid
    search read of it must be there, of its type (a score may be null: not defined for the test split)."""
    def score(value) -> bool:
        return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))

    if not isinstance(metrics, dict):
        return "not an object"
    if not isinstance(metrics.get("n"), int) or isinstance(metrics.get("n"), bool) or metrics["n"] < 0:
        return "n"
    per, keys, means = _METRIC_SCORES["regression" if metrics.get("task") == "regression" else "classification"]
    entries = metrics.get(per)
    if not isinstance(entries, dict) or not all(
            isinstance(entry, dict) and all(key in entry and score(entry[key]) for key in keys)
            for entry in entries.values()):
        return per
    if per == "per_class" and not all(isinstance(entry.get("positives"), int) for entry in entries.values()):
        return "positives"
    return next((key for key in means if key not in metrics or not score(metrics[key])), None)


def read_split(path) -> np.ndarray:
    """Read ``split.tsv`` into group codes (0 train, 1 val, 2 test), in record order."""
    groups = []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[-1] != "group":
            raise RunDirError(f"{path}: not a motifnet split file (header {header})")
        for line in handle:
            groups.append(GROUPS.index(line.rstrip("\n").split("\t")[-1]))
    return np.array(groups, dtype=np.int8)


def split_text(dataset: Dataset, groups: np.ndarray) -> str:
    lines = ["index\tid\tfile\tgroup"]
    for index, (record_id, source, group) in enumerate(zip(dataset.ids, dataset.sources, groups)):
        lines.append(f"{index}\t{record_id}\t{dataset.files[source]['path']}\t{GROUPS[group]}")
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    """A run folder opened for reading.

    Attributes
    ----------
    path : pathlib.Path
    meta : dict
        The content of ``motifnet.json``.
    """

    path: Path
    meta: dict

    @property
    def class_names(self) -> list:
        return self.meta["data"]["class_names"]

    @property
    def task(self) -> str:
        return self.meta["data"].get("task", "classification")

    @property
    def output_names(self) -> list:
        """Names of the model's outputs: the classes, or the targets of a regression model."""
        data = self.meta["data"]
        return list(data["target_names"]) if self.task == "regression" else list(data["class_names"])

    @cached_property
    def output_scale(self) -> np.ndarray | None:
        """Per output, the unit in which changes of different outputs are compared: a regression target's standard
        deviation in the training split (``motifnet.json``'s ``regression.std``); None for classes, whose
        probabilities share one scale."""
        if self.task != "regression":
            return None
        std = (self.meta.get("regression") or {}).get("std")
        try:
            scale = np.asarray(std, dtype=np.float64)
        except (TypeError, ValueError):
            scale = np.zeros(0)
        if scale.shape != (len(self.output_names),) or not (np.isfinite(scale) & (scale > 0)).all():
            log.warning("%s: %s records no standard deviation of each target (regression.std); changes of the "
                        "targets are compared as they are", self.path, META)
            return None
        return scale

    @property
    def status(self) -> str | None:
        """The training status of ``motifnet.json``; "interrupted" for a "running" run that no live process holds.

        A training killed with SIGKILL cannot record how it ended; its lock (:mod:`motifnet.run.lock`)
        is then gone or stale.
        """
        status = self.meta.get("training", {}).get("status")
        if status == "running" and live_holder(self.path) is None:
            return "interrupted"
        return status

    @property
    def complete(self) -> bool:
        return self.meta.get("training", {}).get("status") == "complete"

    def missing_model(self) -> str | None:
        """Why the run holds no model and what to do, in one sentence; None when ``model.keras`` exists.

        A training that diverged before any epoch improved saved no model: training again as it was
        would diverge again, so the sentence says which parameters to change.
        """
        if (self.path / MODEL).exists():
            return None
        status = self.status
        if status == "diverged":
            params = self.meta["params"]
            rate = params.get("learning_rate")
            rate = f" than {rate:g}" if isinstance(rate, (int, float)) and not isinstance(rate, bool) else ""
            # A run trained without the max-norm weight constraint may need it back as well.
            constraint = (" or a weight constraint (--param kernel_constraint=3)"
                          if "kernel_constraint" in params and params["kernel_constraint"] is None else "")
            return (f"training diverged and saved no model ({MODEL} is missing); train again with --overwrite and "
                    f"a smaller learning rate{rate} (--param learning_rate=...){constraint}")
        best = self.meta["training"].get("best_epoch")
        if best:
            # Training saved one: the file was deleted or moved since.
            return (f"{MODEL} is missing, though training saved one (best epoch {best}); restore the file, or train "
                    "again with --overwrite")
        if status == "running":
            return f"holds no model yet ({MODEL} is missing); training is still in its first epoch - wait for it"
        # "train again" alone led to a train that refused the folder ("holds a run already").
        return (f"holds no model yet ({MODEL} is missing); training stopped before its first epoch ended - run the "
                "same motifnet train command with --resume (or --overwrite) to train it")

    def check_model(self) -> None:
        """Raise :class:`RunDirError` saying why, when the run holds no model (see :meth:`missing_model`)."""
        missing = self.missing_model()
        if missing:
            raise RunDirError(f"{self.path}: {missing}")

    @cached_property
    def dataset_encoder(self):
        """The encoder of the training data, set to explain mismatches in terms of the model."""
        from ..data.encoding import Encoder

        encoder = Encoder.from_json(self.meta["data"]["encoder"])
        encoder.for_model = True
        return encoder

    @cached_property
    def model(self):
        """The Keras model, loaded with safe mode on."""
        import keras

        from ..model.layers import CUSTOM_OBJECTS

        model_path = self.path / MODEL
        self.check_model()
        data, verdict = self._read_model(model_path)
        # Loaded from the bytes that were hashed: a training that saves a better model meanwhile (a run read while
        # it trains) cannot make the model loaded another than the one checked.
        with tempfile.TemporaryDirectory(prefix="motifnet-model-") as folder:
            copy = Path(folder) / MODEL
            copy.write_bytes(data)
            try:
                model = keras.saving.load_model(copy, compile=False, safe_mode=True, custom_objects=CUSTOM_OBJECTS)
            except Exception as error:  # Keras raises many types for damaged archives
                # Keras calls any file that is not a zip archive 'not found', which misleads here.
                why = "not a zip archive: damaged or replaced" if not zipfile.is_zipfile(copy) else error
                raise RunDirError(f"{model_path}: cannot be loaded as a Keras model ({why}); train again") from None
        self._check_model_matches(model, verdict)
        if not self.complete:
            # Every command that reads the model says so, not only predict.
            log.warning("training in %s did not complete (%s); using its best model so far", self.path,
                        self.status)
        return model

    def _read_model(self, path: Path) -> tuple:
        """``(bytes, verdict)`` of the model file: ``verdict`` is ``accepted`` (a digest ``motifnet.json``
        records, or none recorded), ``changing`` (replaced at every try: a training saving better models faster than
        it is read) or ``foreign``."""
        digest = None
        for _ in range(_LOAD_TRIES):
            try:
                data = path.read_bytes()
            except PermissionError as error:
                raise _unreadable(path, error) from None
            except OSError as error:
                raise RunDirError(f"{path}: cannot be read ({error.strerror or error}); train again") from None
            previous, digest = digest, sha256_of_bytes(data)
            digests = self._recorded_digests()
            if not digests or digest in digests:
                return data, "accepted"
            if previous == digest:
                break  # the same file twice: not a save in between
        return data, "foreign" if previous in (None, digest) else "changing"

    def holds_its_model(self) -> bool:
        """Whether ``model.keras`` is there and is a model this run's training saved (its SHA-256 one that
        ``motifnet.json`` records; any model for a run of an older motifnet, which records none)."""
        path = self.path / MODEL
        if not path.is_file():
            return False
        digests = self._recorded_digests()
        return not digests or sha256(path) in digests

    def _recorded_digests(self) -> list:
        """The digests ``model.keras`` may have, from ``motifnet.json`` as it is now (a training may have saved a
        better model since the run was opened); empty for a run of an older motifnet, which records none."""
        digests = self.meta["training"].get(MODEL_DIGESTS) or []
        try:
            now = json.loads((self.path / META).read_text(encoding="utf-8"))
            return [*digests, *(now["training"].get(MODEL_DIGESTS) or [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return digests

    def _check_model_matches(self, model, verdict: str) -> None:
        """Refuse a model.keras that is not the one motifnet.json describes (copied from another run, say).

        Its sequence input must take the encoder's length (or any length) and channels, and its output
        one value per class (or target): predictions of another model would be written under these names.
        """
        encoder = self.dataset_encoder
        expected = encoder.channels + len(self.meta["data"].get("tracks", []))  # as Dataset.channels
        problem = None
        sequence = next((tensor for tensor in model.inputs if tensor.name == "sequence"), None)
        if sequence is not None and len(sequence.shape) == 3:
            length, channels = sequence.shape[1:]
            if channels != expected or length not in (None, encoder.length):
                problem = (f"it reads {length} positions x {channels} channels, {META} describes "
                           f"{encoder.length} x {expected}")
        outputs = model.outputs[0].shape[-1]
        if problem is None and outputs != len(self.output_names):
            names = ", ".join(self.output_names)
            problem = f"it has {outputs} output(s), {META} names {len(self.output_names)} ({names})"
        if problem:
            raise RunDirError(f"{self.path / MODEL}: does not match {META}: {problem}; was it copied from another "
                              "run? Put back this run's model, or train again")
        if verdict == "changing":
            raise RunDirError(f"{self.path / MODEL}: its training replaced it with a better model each time it was "
                              f"read ({_LOAD_TRIES} times); run the command again, or once the training has ended")
        if verdict == "foreign":
            raise RunDirError(f"{self.path / MODEL}: does not match {META}: it is not the model this training saved "
                              f"(its SHA-256 is not one {META} records); was it copied from another run? Put back "
                              f"this run's model, or train again (a model known to be this run's, as one that a "
                              f"motifnet without this check saved on --resume: remove training.{MODEL_DIGESTS} from "
                              f"{META})")

    def _replaced_meanwhile(self) -> str | None:
        """Why the run's files may not fit together but for damage: a training writing the folder now, or one that
        replaced the run since it was opened (``motifnet.json`` describes other data or parameters)."""
        holder = live_holder(self.path)
        if holder is not None:
            return f"{self.path} is being written by {describe_holder(holder)}: run again once it ends"
        try:
            now = json.loads((self.path / META).read_text(encoding="utf-8"))
            replaced = {key: value for key, value in now.items() if key != "training"} != {
                key: value for key, value in self.meta.items() if key != "training"}
        except (OSError, ValueError, AttributeError):
            return None
        return f"{self.path} was trained again while it was read: run again" if replaced else None

    def _damaged(self, path: Path, why: str) -> RunDirError:
        """The error for a run file that is missing or does not fit the rest: damaged, or replaced meanwhile."""
        meanwhile = self._replaced_meanwhile()
        if meanwhile is not None:
            return RunDirError(f"{path}: does not fit the run as it was opened ({why}); {meanwhile}")
        return RunDirError(f"{path}: {why}; train again")

    @cached_property
    def dataset(self) -> Dataset:
        path = self.path / DATA
        recorded = self.meta.get(DATA_DIGEST)
        try:
            dataset = Dataset.load(path, self.meta)
            changed = isinstance(recorded, str) and sha256(path) != recorded
        except PermissionError as error:
            raise _unreadable(path, error) from None
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise self._damaged(path, f"missing or damaged ({error})") from None
        if changed:
            advice = self._replaced_meanwhile() or "was it copied from another run? Put back this run's data.npz, or " \
                                                   "train again"
            raise RunDirError(f"{path}: does not match {META}: it is not the data this training saved (its SHA-256 is "
                              f"not the one {META} records); {advice}")
        records = self.meta["data"].get("records")
        if isinstance(records, int) and len(dataset) != records:  # a run of an older motifnet records no digest
            raise self._damaged(path, f"does not match {META} ({len(dataset)} records, {META} describes {records})")
        return dataset

    @cached_property
    def groups(self) -> np.ndarray:
        try:
            groups = read_split(self.path / SPLIT)
        except PermissionError as error:
            raise _unreadable(self.path / SPLIT, error) from None
        except (OSError, ValueError, IndexError) as error:
            raise self._damaged(self.path / SPLIT, f"missing or damaged ({error})") from None
        # A cut or edited file would select the wrong records. motifnet.json gives their number (a run
        # of an older motifnet may lack it: then data.npz does).
        records = self.meta["data"].get("records")
        records = records if isinstance(records, int) else len(self.dataset)
        if len(groups) != records:
            raise self._damaged(self.path / SPLIT, f"damaged ({len(groups)} rows for the {records} records of {DATA})")
        return groups


def _why_no_best(folder: Path) -> str:
    """Why the grid-search folder ``folder`` holds no ``best/`` run, from its ``search.json`` and ``results.tsv``."""
    from .search_folder import BEST, RESULTS, read_search_state

    try:
        status = read_search_state(folder).get("status")
    except (OSError, ValueError):
        status = None
    try:
        rows = (folder / RESULTS).read_text(encoding="utf-8").splitlines()[1:]
    except (OSError, ValueError):
        rows = []
    succeeded = any(row.split("\t")[1:2] == ["ok"] for row in rows)
    if status == "running":
        return "a search is running there, or was killed; the same grid-search command goes on with it"
    if rows and not succeeded:
        return f"every trial failed (see its {RESULTS})"
    if status == "complete":
        return f"its {BEST}/ was removed; the same grid-search command trains it again"
    ended = f" '{status}'" if isinstance(status, str) else ""
    return f"the search ended{ended} before {BEST}/ was trained (see its log); the same grid-search command goes on"


def open_run(path) -> Run:
    """Open a run folder, checking that it is one.

    Raises
    ------
    RunDirError
        The folder does not exist, is not a motifnet run folder, or its metadata is damaged.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunDirError(f"{path}: a file, not a run folder (give the folder that 'motifnet train -o' wrote)")
    if not path.is_dir():
        raise RunDirError(f"{path}: no such run folder (make one with 'motifnet train')")
    meta_path = path / META
    if not meta_path.exists():
        from .search_folder import BEST, SETTINGS

        if (path / SETTINGS).is_file():
            if (path / BEST / META).is_file():
                raise RunDirError(f"{path}: a grid-search folder, not a run folder; its best trial's run is "
                                  f"{path / BEST}")
            raise RunDirError(f"{path}: a grid-search folder, not a run folder, and it holds no best trial's run: "
                              f"{_why_no_best(path)}")
        if (path / UNFINISHED).exists():
            raise RunDirError(f"{path}: a training that stopped before it wrote {META} (killed early, or running "
                              "still): not a run yet; train into it again with --resume or --overwrite")
        raise RunDirError(f"{path}: not a motifnet run folder ({META} is missing)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["data"]["encoder"]
        meta["params"]
    except PermissionError as error:
        raise _unreadable(meta_path, error) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunDirError(f"{meta_path}: damaged ({error.__class__.__name__}: {error}); train again") from None
    problem = _meta_problem(meta)
    if problem:
        raise RunDirError(f"{meta_path}: damaged ({problem}); restore the file as training wrote it, or train again")
    if _version_numbers(meta.get("motifnet_version")) > _version_numbers(__version__):
        log.warning("%s was trained by motifnet %s, newer than this motifnet %s: what it holds may be read wrongly; "
                    "update motifnet", path, meta["motifnet_version"], __version__)
    return Run(path, meta)


def _version_numbers(version) -> tuple:
    """The leading numbers of a version text without trailing zeros (``0.1.0`` -> (0, 1), as ``0.1``); () for none."""
    found = re.match(r"\d+(\.\d+)*", version) if isinstance(version, str) else None
    numbers = [int(part) for part in found.group(0).split(".")] if found else []
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _is_names(value) -> bool:
    """Distinct, non-empty texts without a tab or line break (they head the columns of predict's table)."""
    return isinstance(value, list) and all(map(is_column_name, value)) and len(set(value)) == len(value)


def _meta_problem(meta) -> str | None:
    """What makes a (hand-edited) ``motifnet.json`` unusable, in a few words; None when nothing does.

    Checks what later commands rely on before they load the model and data: the fields' types, and
    class or target names that agree with the counts written beside them.
    """
    if not isinstance(meta, dict):
        return f"expected a JSON object, found {type(meta).__name__}"
    data = meta["data"]
    for name, value, kind in (("data", data, dict), ("data.encoder", data.get("encoder") if isinstance(data, dict)
                                                      else None, dict), ("params", meta["params"], dict)):
        if not isinstance(value, kind):
            return f"{name} must be a JSON object, found {type(value).__name__}"
    task = data.get("task", "classification")
    if task not in ("classification", "regression"):
        return f"data.task must be 'classification' or 'regression', found {task!r}"
    if not isinstance(data.get("multi_label", False), bool):
        return f"data.multi_label must be true or false, found {data['multi_label']!r}"
    names_key = "target_names" if task == "regression" else "class_names"
    names = data.get(names_key)
    if not _is_names(names) or not names:
        return (f"data.{names_key} must be a list of distinct, non-empty names without tabs or line breaks, found "
                f"{names!r}")
    counts = data.get("records_per_class")
    if task == "classification" and counts is not None:
        if not isinstance(counts, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
            return f"data.records_per_class must be a list of integers, found {counts!r}"
        if len(counts) != len(names):
            return (f"data.class_names lists {len(names)} class(es) ({', '.join(names)}) but the run was "
                    f"trained on {len(counts)}")
    files = data.get("files", [])
    # sha256 is null for records motifnet made (a generated background), but never missing.
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("path"), str)
                                              and _is_count(f.get("records"))
                                              and isinstance(f.get("sha256", 0), (str, type(None))) for f in files):
        return "data.files must be a list of objects with a path, a number of records and a sha256"
    adjacency = meta.get("adjacency", {})
    if not isinstance(adjacency, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("path"), str) and isinstance(entry.get("sha256"), str)
            and _is_count(entry.get("connections")) and isinstance(entry.get("shape"), list)
            and len(entry["shape"]) == 2 and all(map(_is_count, entry["shape"])) for entry in adjacency.values()):
        return "adjacency must be an object of layers, each with a path, shape, connections and sha256"
    choice = meta.get("preset_choice") or {}
    if not isinstance(choice, dict) or not isinstance(choice.get("reason", ""), str):
        return f"preset_choice must be an object with a reason text, found {choice!r}"
    # Training writes both from its start (a run of motifnet 0.1.0 has them too).
    training = meta.get("training")
    if not isinstance(training, dict) or not isinstance(training.get("status"), str):
        return f"training must be an object with a status text, found {training!r}"
    split = meta.get("split")
    if not isinstance(split, dict) or not all(_is_count(split.get(group)) for group in GROUPS):
        return f"split must be an object with a number of records per group ({', '.join(GROUPS)}), found {split!r}"
    return _encoder_problem(data["encoder"])


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _encoder_problem(encoder) -> str | None:
    """What stops ``data.encoder`` from giving back the encoder training used; None when nothing does."""
    from ..data.encoding import Encoder
    from ..errors import MotifnetError

    try:
        Encoder.from_json(encoder)
    except (MotifnetError, KeyError, TypeError, ValueError, AttributeError) as error:
        detail = f"missing {error}" if isinstance(error, KeyError) else str(error)
        return f"data.encoder does not describe an encoder ({detail})"
    return None


def _unreadable(path, error: PermissionError) -> RunDirError:
    """A run file this user may not read: the file is fine, so the fix is a permission, not training again."""
    return RunDirError(f"{path}: cannot be read ({error.strerror}); ask the owner of the run folder for read "
                       "permission (chmod a+r)")
