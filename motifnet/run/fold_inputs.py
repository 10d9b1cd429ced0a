"""``motifnet train --fold``: the run's inputs folded once into ``RUN_DIR/folded/`` and reused.

The folding itself (ViennaRNA) is :mod:`motifnet.data.folding`; this module keeps the cache of
folded files, keyed by each source's SHA-256 and the folding settings.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from .._io import missing_folders, remove_empty_folders, sha256, write_json
from .._version import __version__
from ..data.dataset import identical_files_error
from ..data.fasta import display_name
from ..data.folding import SAMPLING_SEEDS, STRUCTURE_ALPHABETS, FoldOptions, fold_file
from ..data.labels import class_name_from_path
from ..errors import OptionValueError
from . import rundir
from .fold_new_inputs import fold_settings
from .training import check_run_dir

log = logging.getLogger("motifnet")

MANIFEST = rundir.FOLDED_SOURCES


@dataclass
class FoldedInputs:
    """What ``motifnet train --fold`` trains on.

    Attributes
    ----------
    paths : list of str
        The folded FASTA files, in the order of the inputs.
    structure_alphabet : str
        ``FHIMST``.
    structure_pwm : bool
        True for profiles.
    class_names : list of str or None
        Class names from the original file names (single-label), so that folding does
        not rename classes.
    settings : dict
        The folding options (``jobs`` aside), recorded in ``motifnet.json`` under ``fold``.
    """

    paths: list
    structure_alphabet: str
    structure_pwm: bool
    class_names: list | None
    settings: dict


def fold_training_inputs(fasta_paths, run_dir, fold_format: str, *, multi_label: bool = False,
                         overwrite: bool = False, seed: int | None = None, jobs: int | None = None,
                         structure_alphabet: str | None = None, structure_pwm: bool = False,
                         regression: bool = False) -> FoldedInputs:
    """Fold the inputs of ``motifnet train --fold`` into ``RUN_DIR/folded/``.

    The run folder is checked first, as training would, so that no folding is wasted on a
    folder that training then refuses; training keeps ``folded/`` when it replaces a run. A
    folded file whose source (SHA-256) and settings are unchanged is reused;
    ``folded/sources.json`` records where each folded file came from.

    Parameters
    ----------
    fasta_paths : list of str
        The plain FASTA files given to ``train``.
    run_dir : str or pathlib.Path
        The run folder.
    fold_format : {'context', 'profile'}
        Structural contexts of the MFE structure, or context profiles (sampled, 1000
        structures).
    multi_label, overwrite : bool
        As for ``train``.
    seed : int or None
        Seed of the sampling (0 when None).
    jobs : int or None
        Worker processes; default: all cores.
    structure_alphabet, structure_pwm
        ``train``'s own structure options, refused here: folding sets them.
    regression : bool
        The files are parts of a regression set, not classes (how a copied file is refused).

    Raises
    ------
    OptionValueError
        An unknown format, or structure options (options that exclude each other: a usage error).
    ParamError
        A run folder training would refuse.
    InputError
        As :func:`fold_file`.
    """
    if fold_format not in ("context", "profile"):
        raise OptionValueError(f"--fold must be 'context' or 'profile', received: {fold_format!r}")
    if structure_alphabet or structure_pwm:
        given = "--structure-alphabet" if structure_alphabet else "--structure-pwm"
        raise OptionValueError(f"--fold {fold_format} sets the structure input itself (--structure-alphabet FHIMST"
                         f"{' --structure-pwm' if fold_format == 'profile' else ''}); leave out {given}, "
                         "or train on files you folded with 'motifnet fold'")
    options = FoldOptions(format=fold_format, seed=0 if seed is None else seed, jobs=jobs)
    run_dir = Path(run_dir)
    check_run_dir(run_dir, overwrite)
    digests = [sha256(source) if str(source) != "-" else None for source in fasta_paths]
    for index, digest in enumerate(digests):
        if digest is not None and digest in digests[:index]:  # a copy: refused before any folding, by its own name
            raise identical_files_error(fasta_paths[digests.index(digest)], fasta_paths[index], regression=regression)
    folded_dir = run_dir / rundir.FOLDED
    made = missing_folders(folded_dir)
    folded_dir.mkdir(parents=True, exist_ok=True)
    try:
        paths, names, settings = _fold_each(fasta_paths, digests, folded_dir, options)
    except BaseException:  # a refused record, a stop: no empty folded/ (or run folder) is left behind
        remove_empty_folders(made)
        raise
    alphabet, pwm = STRUCTURE_ALPHABETS[fold_format]
    return FoldedInputs(paths, alphabet, pwm, None if multi_label else names, settings)


def _fold_each(fasta_paths, digests, folded_dir: Path, options: FoldOptions) -> tuple:
    """Fold each input into ``folded_dir`` (or reuse its earlier fold): the folded paths, class names, settings."""
    manifest_path = folded_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    settings = fold_settings(options)
    names = [class_name_from_path(path) if str(path) != "-" else "stdin" for path in fasta_paths]
    paths = []
    for index, (source, name, digest) in enumerate(zip(fasta_paths, names, digests)):
        file_name = f"{name}.fa" if names.count(name) == 1 else f"{name}-{index + 1}.fa"
        target = folded_dir / file_name
        entry = {"source": display_name(source), "sha256": digest,
                 "settings": settings, "motifnet_version": __version__}
        if options.sampled:  # a profile sampled with each record's seed from its position (before) is not reused
            entry["seeding"] = SAMPLING_SEEDS
        if entry["sha256"] and target.exists() and manifest.get(file_name) == entry:
            log.info("reusing %s (folded from %s)", target, entry["source"])
        else:
            log.info("folding %s: %s", entry["source"], options.describe())
            fold_file(source, target, options)
            manifest[file_name] = entry
            write_json(manifest_path, manifest)
        paths.append(str(target))
    return paths, names, settings
