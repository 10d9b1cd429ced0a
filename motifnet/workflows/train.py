"""``motifnet train``: labelled FASTA files in, a run folder out (folding the inputs first with ``--fold``)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from ..data.dataset import load_dataset
from ..data.fasta import refuse_pipes, refuse_stdin_twice
from ..data.folding import FoldOptions
from ..data.labels import check_distinct_class_names, class_name_from_path
from ..data.options import GENERATED_BACKGROUNDS, DataOptions
from ..data.split import check_held_out_chroms
from ..data.targets import check_task_options
from ..errors import OptionValueError
from ..model.adjacency import read_adjacencies
from ..model.params import check_overrides
from ..run.fold_inputs import fold_training_inputs
from ..run.fold_new_inputs import fold_settings
from ..run.training import (
    TrainConfig,
    check_inputs_outside,
    check_resume_inputs,
    check_run_dir,
    lock_run_dir,
    resumed_background_seed,
    train,
)

log = logging.getLogger("motifnet")


def train_from_files(data: DataOptions, config: TrainConfig, fold: str | None = None) -> dict:
    """Read labelled FASTA files, train a network on them and write the run folder.

    Options and parameters are checked before any data is read, so that a mistake costs no
    reading or folding. With ``fold``, plain sequences are first folded with ViennaRNA into
    ``RUN_DIR/folded/`` (reused when unchanged) and the network trains on sequence and structure.

    Parameters
    ----------
    data : DataOptions
        The FASTA files and how to read them.
    config : TrainConfig
        Run folder, hyperparameters, split, seed and the regression penalty. With ``fold``,
        ``keep_folded`` is set (replacing a run keeps the folded inputs just written) and ``fold``
        records the folding options in ``motifnet.json``.
    fold : {'context', 'profile'} or None
        Fold the inputs first and train on structural contexts (``FHIMST``) or context profiles.
        Default is None: train on the files as they are.

    Returns
    -------
    dict
        The test-split metrics (also in ``RUN_DIR/metrics.json``); see :func:`motifnet.run.training.train`.

    Raises
    ------
    ParamError
        Options that do not fit the task, bad hyperparameters or adjacency files, structure
        options together with ``fold``, an input inside the run folder, or a run folder that may
        not be used.
    RunDirError
        Another process holds the run folder (see :mod:`motifnet.run.lock`).
    InputError
        Problems with the files (the message names file and record).
    KeyboardInterrupt
        Training was interrupted (Ctrl-C; or SIGTERM and SIGINT within
        :func:`motifnet._signals.stop_on_signals`, as ``StopRequested`` at the next batch); the
        run folder keeps the best model so far.
    """
    check_task_options(data.task, multi_label=data.multi_label, class_names=data.class_names,
                       targets_file=data.targets_file, target_names=data.target_names,
                       epistatic_reg=config.epistatic_reg, reference=config.reference)
    # Refuse bad parameters and adjacency files before reading any data.
    read_adjacencies(check_overrides(config.params, config.preset))
    if fold and (data.genome or data.background):
        raise OptionValueError("--fold folds FASTA files; it does not go with --genome or --background")
    if config.resume and config.overwrite:
        raise OptionValueError("--resume continues the run in the folder and --overwrite replaces it; pass one of them")
    check_held_out_chroms(config.val_chroms, config.test_chroms)
    inputs = data.input_files(config.reference)
    refuse_stdin_twice(inputs, "; give the other inputs as files")
    # A pipe's records were read, then its checksum taken of what was left (nothing): --resume compared that.
    refuse_pipes([*inputs, data.genome], "train reads each input file twice (its records, its checksum)")
    check_inputs_outside(config.run_dir, [*inputs, data.genome])
    config = dataclasses.replace(config, inputs=tuple(str(path) for path in inputs))
    # The lock is held from before folding (which writes RUN_DIR/folded/) to the end of training.
    with lock_run_dir(config.run_dir) as lock:
        if not config.resume:  # before the reading (and folding) that a folder training may not use would waste
            check_run_dir(Path(config.run_dir), config.overwrite, config.others_allowed)
        elif config.seed is None and data.background in GENERATED_BACKGROUNDS:
            data = data.replace(background_seed=resumed_background_seed(config.run_dir, data.background_seed))
        if fold:
            if data.task == "classification" and not data.multi_label and not data.class_names:
                # Before folding: the folded copies are named apart (a-1.fa, a-2.fa), their classes not.
                check_distinct_class_names([class_name_from_path(path) for path in data.fasta], from_files=True)
            if config.resume:  # before folding, which would replace the run's folded files
                check_resume_inputs(config.run_dir, inputs,
                                    fold_settings(FoldOptions(format=fold, seed=0 if config.seed is None
                                                              else config.seed)))
            data, settings = _folded(data, config, fold)
            config = dataclasses.replace(config, keep_folded=True, fold=settings)
        dataset = load_dataset(data)
        unlabelled = dataset.records_of_no_class
        log.info("read %d records%s, %d %s (%s), length %d", len(dataset),
                 f" ({unlabelled} of no class)" if unlabelled else "", len(dataset.output_names),
                 "target(s)" if data.task == "regression" else "classes", ", ".join(dataset.output_names),
                 dataset.encoder.length)
        return train(dataset, config, lock)


def _folded(data: DataOptions, config: TrainConfig, fold: str) -> tuple:
    """``data`` with the folded files of ``train --fold`` in place of the plain ones, and the fold options."""
    folded = fold_training_inputs(list(data.fasta), config.run_dir, fold, multi_label=data.multi_label,
                                  overwrite=config.overwrite or config.resume, seed=config.seed,
                                  structure_alphabet=data.structure, structure_pwm=data.structure_pwm,
                                  regression=data.task == "regression")
    changes = {"fasta": folded.paths, "structure": folded.structure_alphabet, "structure_pwm": folded.structure_pwm}
    if data.task == "classification" and not data.class_names:
        changes["class_names"] = folded.class_names  # the plain files' names, not those of the folded copies
    return data.replace(**changes), folded.settings
