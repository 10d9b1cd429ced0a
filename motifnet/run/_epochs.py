"""What ``motifnet train`` shows and writes epoch by epoch.

:class:`EpochProgress` puts progress lines on standard error; :class:`RunFolderRecorder` keeps
``history.tsv``, the best model and ``motifnet.json`` current in the run folder, so a job killed
at any point leaves a loadable model. Both plug into :func:`motifnet.run.fit.fit_model`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np

from .. import _progress
from .._io import atomic_path, sha256, write_json, write_text
from . import rundir
from .evaluation import format_metric

log = logging.getLogger("motifnet")


class EpochProgress:
    """Progress lines during each epoch: per batch on a terminal, every few seconds otherwise.

    ``callback`` is the Keras callback to pass to :func:`motifnet.run.fit.fit_model`;
    :meth:`stop_reporter` must be called when fitting ends, also after an interrupt.
    """

    def __init__(self, epochs: int, steps_per_epoch: int):
        import keras

        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.epoch = 0
        self.epoch_first_step = 0
        self.progress = None
        self.reporter = None
        self.tty = sys.stderr.isatty()
        self.started = time.perf_counter()
        self.callback = keras.callbacks.Callback()
        self.callback.on_epoch_begin = self.on_epoch_begin
        self.callback.on_epoch_end = self.on_epoch_end
        if self.tty:
            # A batch hook makes Keras wait for every batch's logs; only a terminal shows them.
            self.callback.on_train_batch_end = self.on_batch_end
        else:
            # Logs and batch jobs get a line every REPORT_SECONDS from a thread that reads the
            # optimizer's step counter, which costs the training loop nothing.
            self.callback.on_train_begin = self.start_reporter
            self.callback.on_train_end = self.stop_reporter

    def seconds(self) -> float:
        """Seconds since the current epoch began."""
        return time.perf_counter() - self.started

    def _steps_done(self) -> int:
        return int(np.asarray(self.callback.model.optimizer.iterations))

    def start_reporter(self, logs=None):
        import threading

        stop = threading.Event()

        def report():
            while not stop.wait(_progress.REPORT_SECONDS):
                progress = self.progress
                if progress is not None:
                    progress.update(max(0, self._steps_done() - self.epoch_first_step))

        self.reporter = (stop, threading.Thread(target=report, name="motifnet-progress", daemon=True))
        self.reporter[1].start()

    def stop_reporter(self, logs=None):
        if self.reporter is not None:
            self.reporter[0].set()
            self.reporter[1].join()
            self.reporter = None

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()
        self.epoch = epoch + 1
        if not self.tty:
            self.epoch_first_step = self._steps_done()
            self.progress = _progress.Progress(f"epoch {self.epoch}/{self.epochs}", total=self.steps_per_epoch,
                                               unit="batches", every=0)

    def on_batch_end(self, batch, logs=None):
        if batch % 10 == 0:
            sys.stderr.write(f"\repoch {self.epoch}/{self.epochs}  batch {batch + 1}  loss {logs.get('loss', 0):.4f}")
            sys.stderr.flush()

    def on_epoch_end(self, epoch, logs=None):
        self.progress = None
        if self.tty:
            sys.stderr.write("\r\x1b[K")  # the epoch's summary line replaces the batch line


class RunFolderRecorder:
    """After each epoch: a row of ``history.tsv``, the model when it improved, and a log line.

    Parameters
    ----------
    run_dir : pathlib.Path
    meta : dict
        ``motifnet.json``'s content; ``training.best_epoch`` and ``best_val_loss`` are updated.
    progress : EpochProgress
        Times the epoch.
    columns : tuple of str
        ``history.tsv``'s columns (:data:`motifnet.run.rundir.HISTORY_COLUMNS`, or regression's).
    saving : callable or None
        ``saving(model)``: context in which the model is saved (regression folds its target scale in).
    """

    def __init__(self, run_dir: Path, meta: dict, progress: EpochProgress, columns=rundir.HISTORY_COLUMNS,
                 saving=None):
        self.run_dir, self.meta, self.progress, self.columns = run_dir, meta, progress, columns
        self.saving = saving or contextlib.nullcontext
        self.rows: list = []
        self.best_epoch = 0

    def _save_best(self, model, epoch: int, val_loss: float) -> None:
        """Save ``model`` as the run's model, the best of epoch ``epoch``, and say so in ``motifnet.json``.

        ``motifnet.json`` lists the SHA-256 of the model file (:data:`motifnet.run.rundir.MODEL_DIGESTS`),
        which commands check before they use it: while the file is replaced, both the old one's and the
        new one's, so that a job killed at any point leaves a model that its ``motifnet.json`` accepts.
        """
        training, path = self.meta["training"], self.run_dir / rundir.MODEL
        with atomic_path(path, suffix=".keras") as tmp, self.saving(model):
            model.save(tmp)
            digest = sha256(tmp)
            # The file on disk, not the record: a run of an older motifnet has none, or another writer replaced it.
            training[rundir.MODEL_DIGESTS] = [sha256(path), digest] if path.exists() else [digest]
            write_json(self.run_dir / rundir.META, self.meta)
        self.best_epoch = epoch  # only once saved: a failed save (full disk) leaves the earlier best on disk
        training.update(best_epoch=epoch, best_val_loss=float(val_loss))
        training[rundir.MODEL_DIGESTS] = [digest]
        write_json(self.run_dir / rundir.META, self.meta)

    def checkpoint(self, model, state, best_weights) -> None:
        """The ``checkpoint`` hook of :func:`motifnet.run.fit.fit_model`: what ``train --resume`` needs."""
        from . import _checkpoint

        _checkpoint.save(self.run_dir, model, state, best_weights, self.rows)

    def resume_from(self, model, checkpoint) -> None:
        """Continue after ``checkpoint``'s epoch: its rows in ``history.tsv``, its best model saved again.

        ``model`` holds the checkpoint's last-epoch weights, and keeps them.
        """
        self.rows = list(checkpoint.rows)
        state = checkpoint.state
        self.best_epoch = state.best_epoch  # on disk already: a failed save below leaves it there
        write_text(self.run_dir / rundir.HISTORY, rundir.history_text(self.rows, self.columns))
        self.meta["training"].update(best_epoch=None, epochs_run=state.epoch)
        self.meta["training"].pop("best_val_loss", None)
        if checkpoint.best_weights is not None:
            last = model.get_weights()
            model.set_weights(checkpoint.best_weights)
            self._save_best(model, state.best_epoch, state.best_loss)
            model.set_weights(last)
        else:
            write_json(self.run_dir / rundir.META, self.meta)

    def epoch_ended(self, model, epoch: int, logs: dict, improved: bool) -> None:
        """The ``on_epoch_end`` hook of :func:`motifnet.run.fit.fit_model`."""
        seconds = self.progress.seconds()
        learning_rate = logs["learning_rate"]
        self.rows.append({"epoch": epoch, **{name: logs.get(name) for name in self.columns[1:7]},
                          "learning_rate": learning_rate, "seconds": seconds})
        val_loss = logs.get("val_loss", math.inf)
        # motifnet.json counts the epochs after each one, as history.tsv does: a run killed outright
        # (SIGKILL, a node lost) says how far it got.
        self.meta["training"]["epochs_run"] = len(self.rows)
        if improved:
            self._save_best(model, epoch, val_loss)
        else:
            write_json(self.run_dir / rundir.META, self.meta)
        write_text(self.run_dir / rundir.HISTORY, rundir.history_text(self.rows, self.columns))
        log.info("epoch %d/%d  loss %.4f  val_loss %.4f  %s %s  lr %.3g  %.1fs%s", epoch, self.progress.epochs,
                 logs.get("loss", math.nan), val_loss, self.columns[6], format_metric(logs.get(self.columns[6])),
                 learning_rate, seconds, "  *best, saved" if improved else "")
