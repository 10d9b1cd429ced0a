"""Which data an interpretation command looks at: a split of the run's data, or new labelled FASTA (or BED)."""

from __future__ import annotations

import numpy as np

from ..data.dataset import Dataset, load_dataset
from ..data.genome import check_genome_options
from ..data.split import GROUPS
from ..errors import InputError, OptionValueError, ParamError
from .fold_new_inputs import folded_as_trained
from .rundir import Run

GROUP_CHOICES = GROUPS + ("all",)


def select_data(run: Run, group: str = "test", fasta=None, multi_label: bool = False, genome=None) -> Dataset:
    """The records an interpretation command works on.

    Parameters
    ----------
    run : Run
        The opened run folder.
    group : {'train', 'val', 'test', 'all'}
        Split of the run's own data to use. Default is 'test'.
    fasta : list of str or None
        New labelled FASTA files instead (one per class, in the model's class order, or one
        multi-label file), read with the model's alphabet and length. Regression models: one or
        more files with the target values after the id in each header.
    multi_label : bool
        ``fasta`` is a multi-label file; a multi-label run reads it so without it. Default is False.
    genome : str or None
        Genome FASTA of BED files among ``fasta``: each BED line is the window of the model's
        length around its summit or centre, named ``chrom:start-end(strand)``. Default is None.

    Raises
    ------
    ParamError, InputError
        Unknown group, an empty split, new data that does not fit the model, BED without
        ``genome``, or ``genome`` or ``multi_label`` without new data.
    """
    if genome is not None and not fasta:
        raise OptionValueError("--genome reads the windows of BED files given as new data; the run's own --group "
                               "data needs no genome")
    if multi_label and not fasta:
        raise OptionValueError("--multi-label says how the --fasta file is labelled; the run's own --group data is "
                               "read as it was trained: give --fasta FILE, or leave --multi-label out")
    if fasta:
        check_genome_options(genome, [str(path) for path in fasta], run.dataset_encoder.structure_mode)
        # A run trained with ``train --fold`` folds plain FASTA itself, as its inputs were folded.
        with folded_as_trained(run, fasta) as readable:
            dataset = _new_data(run, readable, multi_label, genome)
        for entry, path in zip(dataset.files, fasta):
            entry["path"] = str(path)  # the file given, not its temporary folded copy
        return dataset
    if group not in GROUP_CHOICES:
        raise OptionValueError(f"--group must be one of {', '.join(GROUP_CHOICES)}, received: {group!r}")
    dataset = run.dataset
    if group == "all":
        return dataset
    index = np.flatnonzero(run.groups == GROUPS.index(group))
    if len(index) == 0:
        raise ParamError(f"the {group} split of {run.path} is empty; choose another --group")
    return dataset.subset(index)


def _new_data(run: Run, fasta: list, multi_label: bool, genome=None) -> Dataset:
    data_meta = run.meta["data"]
    if data_meta.get("tracks") or data_meta.get("features"):
        raise ParamError(
            "this model was trained with position-wise tracks or per-sequence features, which --fasta "
            "cannot supply; use --group to look at the run's own data"
        )
    if run.task == "regression":
        return _new_regression_data(run, fasta, multi_label, genome)
    # The run knows whether it is multi-label: the flag may be left out, but not given to a single-label model.
    if multi_label and not data_meta["multi_label"]:
        raise ParamError("the model is single-label; drop --multi-label and give one FASTA file per class")
    multi_label = bool(data_meta["multi_label"])
    if multi_label and len(fasta) != 1:
        raise ParamError(f"the model is multi-label: give one multi-label FASTA file (class indices at the end of "
                         f"each header), received {len(fasta)}")
    encoder = run.dataset_encoder
    structure = encoder.structure.letters if encoder.structure is not None else None
    alphabet = encoder.alphabet.name if encoder.alphabet.name != "custom" else encoder.alphabet.letters
    if not multi_label and len(fasta) != len(run.class_names):
        raise ParamError(
            f"give one FASTA file per class of the model ({', '.join(run.class_names)}), in that order; "
            f"received {len(fasta)}"
        )
    dataset = load_dataset(fasta, for_model=True, multi_label=multi_label, class_names=run.class_names,
                           alphabet=alphabet, structure=structure, structure_pwm=encoder.structure_mode == "pwm",
                           **_length_options(encoder, genome))
    return dataset


def _length_options(encoder, genome) -> dict:
    """How new records are fitted to the model: cropped and padded as trained, or refused when not its length.

    BED windows (with ``genome``) are cut at the model's length.
    """
    if genome is not None:
        return {"genome": genome, "length": encoder.length}
    return {"length": encoder.length if encoder.resize else None,
            "model_length": None if encoder.resize else encoder.length}


def _new_regression_data(run: Run, fasta: list, multi_label: bool, genome=None) -> Dataset:
    if multi_label:
        raise ParamError("the model is a regression model; drop --multi-label (targets come from the headers)")
    encoder = run.dataset_encoder
    alphabet = encoder.alphabet.name if encoder.alphabet.name != "custom" else encoder.alphabet.letters
    structure = encoder.structure.letters if encoder.structure is not None else None
    dataset = load_dataset(fasta, for_model=True, task="regression", alphabet=alphabet, structure=structure,
                           structure_pwm=encoder.structure_mode == "pwm", **_length_options(encoder, genome))
    names = run.output_names
    if dataset.targets.shape[1] != len(names):
        raise InputError(
            f"{fasta[0]}: {dataset.targets.shape[1]} target value(s) per header, but the model predicts "
            f"{len(names)} ({', '.join(names)}); give those values after the id, in that order"
        )
    dataset.target_names = list(names)
    return dataset
