"""``motifnet attribute``: attributions of a run's model, written as arrays, logos and a report section.

Outputs in OUT_DIR: ``attributions.npz``, ``attribution_<rank>_<id>.png`` (the sequences with
the highest probability of their target) and ``attribution.json``; with ``bedgraph`` and records
that are genome windows (BED input with a genome), ``attributions_<target>.bedGraph``.

The report rule: when OUT_DIR or its parent folder is the report folder of ``visualize-kernels``
(see :func:`motifnet.report.summary.find_report`), its ``summary.html`` is rendered again,
with an attribution section for every ``attribution.json`` in that folder and its immediate
subfolders (one per ``attribute`` output), so several methods can be shown side by side
(``-o report/deeplift``, ``-o report/ism``). ``visualize-kernels`` keeps the sections when it
writes the report again.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np

from .._io import (
    remove_scratch_files,
    remove_unwritten,
    scratch_memmap,
    staged_outputs,
    write_json,
    write_npz,
    write_text,
)
from .._progress import Progress
from .._signals import check_stop
from .._validate import check_output_folder
from .._version import __version__
from ..data.windows import window_table
from ..errors import ParamError
from ..interpret.attribution import (
    AttributionConfig,
    attribute,
    ism_channel_names,
    resolve_target,
    strongest_windows,
)
from ..interpret.attribution_summary import (
    DEFAULT_WINDOW,
    SCORE_LABELS,
    completeness,
    decode,
    for_task,
    method_label,
    sequence_view,
    target_description,
    top_order,
    window_entry,
)
from ..plot.attribution import plot_sequence_attribution
from ..plot.figures import save_figure
from ..report.attributions import SUMMARY
from ..report.summary import find_report, render_report, warn_if_other_run
from ._output import check_own_folder, locked_output_folder, refuse_unlisted, refuse_users_files

log = logging.getLogger("motifnet")

NPZ = "attributions.npz"
# The logo names :func:`_file_name` makes; only such files are ever deleted.
_LOGO_NAME = re.compile(r"attribution_[0-9]+_[A-Za-z0-9._-]+\.png")
_BEDGRAPH_NAME = re.compile(r"attributions_[A-Za-z0-9._-]+\.bedGraph")


def attribution_figure(name: str) -> bool:
    """Whether ``motifnet attribute`` writes a numbered file of this name (a logo or a bedGraph)."""
    return bool(_LOGO_NAME.fullmatch(name) or _BEDGRAPH_NAME.fullmatch(name))


def attribute_run(run, dataset, out_dir, config: AttributionConfig, top: int = 20,
                  data_label: str = "test split", bedgraph: bool = False, chrom_sizes: dict | None = None) -> dict:
    """Compute attributions for ``dataset`` with the run's model and write every output to ``out_dir``.

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    dataset : motifnet.data.dataset.Dataset
        The records (see :func:`motifnet.run.selection.select_data`).
    out_dir : path
        Created if needed; gets ``attributions.npz``, ``attribution_<rank>_<id>.png`` for the
        ``top`` sequences with the highest probability of their target class, and
        ``attribution.json``. A report folder (here or the parent folder) gets its
        ``summary.html`` rendered again with the attribution sections. The logos and bedGraph
        files of an earlier ``attribute`` here (listed in its ``attribution.json``) that this one
        does not write again are removed once the new ones are written; no other file is. A
        refused or stopped call removes the folders it made while they are empty.
    config : AttributionConfig
    top : int
        Number of logos. Default is 20.
    data_label : str
        How the summary names the data.
    bedgraph : bool
        Also write the per-position scores in genome coordinates, one bedGraph per target
        (:func:`write_bedgraphs`). Default is False.
    chrom_sizes : dict or None
        Chromosome lengths of the genome (``Genome.lengths``): bedGraph lines of bases past a
        chromosome's end (windows padded with N there) are left out. Default is None: none known.

    Returns
    -------
    dict
        The content of ``attribution.json``.

    Raises
    ------
    ParamError
        Bad options, an unknown target, DeepLIFT on a recurrent model, ``bedgraph`` for records
        that are not genome windows, ``out_dir`` a file or below one.
    """
    config = config.checked()
    resolve_target(config.target, dataset.output_names, dataset.task)  # before the folder is made and the model loads
    windows = window_table(dataset.ids, dataset.encoder.length, dataset.lengths, dataset.where) if bedgraph else None
    if bedgraph and windows is None:
        raise ParamError("--bedgraph needs records that are genome windows: BED input with --genome (or records "
                         "named chrom:start-end(strand))")
    out = Path(out_dir)
    check_output_folder(out)
    # an attribution.json with the list of logos _earlier_outputs reads (whose names alone it may remove) is attribute's
    ours = check_own_folder(out, SUMMARY, lambda summary: isinstance(summary.get("top"), list), (NPZ,), "attribute")
    # Every file goes to a temporary name and all are renamed at the end, attribution.json last: a stop
    # (or a second signal) while the logos are drawn leaves the earlier run's files, not a mix of two runs.
    with locked_output_folder(out, "attribute"), staged_outputs() as stage:
        earlier = _earlier_outputs(out)
        stage = _guarded(stage, out, ours, earlier)
        width = _window_width(run)
        log.info("%s of %d sequences (%s)", method_label(config), len(dataset), data_label)
        remove_scratch_files(out, SCRATCH_KIND)  # of a run killed outright (SIGKILL): as large as the attributions
        with scratch_memmap(out, SCRATCH_KIND, (len(dataset), dataset.encoder.length, _channels(dataset, config))) \
                as values:
            result = attribute(run.model, dataset, config, out=values, progress=_progress(len(dataset)))
            save_npz(stage(out / NPZ, ".npz"), result, dataset)
            checks = completeness(result)
            _log_completeness(checks, config, run.task == "regression")
            rows = write_logos(out, result, dataset, top, width, stage)
        bedgraphs = []
        if windows is not None:
            if not windows.valid.all():
                log.info("%d record(s) are not genome windows (such as a shuffled background) and are left out of "
                         "the bedGraph files", int((~windows.valid).sum()))
            bedgraphs = write_bedgraphs(out, result, windows, dataset.output_names, method_label(config),
                                        chrom_sizes, stage, dataset.codes != 0)  # padding: no base of the record
        summary = summary_entry(run, dataset, config, result, data_label, width, checks, rows, bedgraphs)
        write_json(stage(out / SUMMARY), summary)  # staged last: renamed last
    for name in bedgraphs:
        log.info("wrote %s", out / name)
    # Only now, so that a command stopped or refused halfway leaves the earlier attribution.json with its files.
    remove_unwritten(out, sorted(earlier), [row["image"] for row in rows] + bedgraphs)
    log.info("wrote %s, %s and %d logo(s) to %s", NPZ, SUMMARY, len(rows), out)
    report = find_report(out)
    if report is not None:
        warn_if_other_run(report, run, "attribution")
        log.info("added the attribution section to %s", render_report(report, run=run))
    return summary


def write_logos(out: Path, result, dataset, top: int, width: int, stage=None) -> list:
    """Draw and save the figures of the ``top`` sequences with the highest probability of their target.

    A stop (:func:`motifnet._signals.check_stop`) is honoured before each figure.

    Parameters
    ----------
    out : pathlib.Path
    result : motifnet.interpret.attribution.Attributions
    dataset : motifnet.data.dataset.Dataset
    top : int
    width : int
        Width of the strongest window of each sequence.
    stage : callable or None
        Gives the path each figure is written to (:func:`motifnet._io.staged_outputs`). Default is None:
        the figure's own path.

    Returns
    -------
    list of dict
        One row of ``attribution.json`` per figure, best first (see
        :func:`motifnet.interpret.attribution_summary.window_entry`), with ``rank``, ``id`` and ``image``.
    """
    order = top_order(result.probabilities, min(top, len(dataset)))
    windows = strongest_windows(result.scores[order], width) if len(order) else np.zeros(0, dtype=int)
    digits = len(str(max(len(order), 1)))
    rows = []
    drawn = Progress("drawing attribution logos", total=len(order), unit="figures")  # about a second each
    for rank, (index, start) in enumerate(zip(order, windows), start=1):
        record_id = str(dataset.ids[index])
        sequence = dataset.model_inputs(np.array([index]))["sequence"][0]
        check_stop()
        image = _file_name(rank, digits, record_id)
        target = stage(out / image, ".png") if stage else out / image  # before the figure: a refusal leaves none open
        view = sequence_view(result, int(index), sequence, dataset.encoder, dataset.output_names, record_id, rank,
                             width)
        save_figure(plot_sequence_attribution(view), target)
        letters, structure = decode(dataset.encoder, dataset.codes[index])
        entry = window_entry(result, int(index), int(start), width, letters, structure, dataset.output_names)
        rows.append({"rank": rank, "id": record_id, **entry, "image": image})
        drawn.advance(1)
    return rows


def bedgraph_tracks(scores, targets, windows, chrom_sizes: dict | None = None, present=None) -> dict:
    """Per-position scores in genome coordinates, one track per target.

    Parameters
    ----------
    scores : numpy.ndarray, shape=(n, length)
        Per-position scores (:attr:`Attributions.scores`) along each record as read.
    targets : numpy.ndarray of int, shape=(n,)
        The target each record was explained for.
    windows : motifnet.data.windows.WindowTable
        The records' genome windows (minus-strand records map back base by base).
    chrom_sizes : dict or None
        Chromosome lengths; bases at or past a chromosome's end are left out. Default is None.
    present : numpy.ndarray of bool or None, shape=(n, length)
        The positions that hold a letter of the record: the zeros a short record was padded with lie
        beside its window in the genome, and are left out. Default is None (every position).

    Returns
    -------
    dict
        target -> (chrom, position, value) arrays, one entry per genome base, sorted by chrom and
        position; a base covered by several windows of the target gets their mean score. Bases
        before a chromosome's start (windows padded with N), and records that are not windows
        (``windows.valid`` False: a shuffled background), are left out, and so are bases past a
        chromosome's end (padded with N) when ``chrom_sizes`` gives its length.
    """
    scores = np.asarray(scores, dtype=np.float64)
    bases = windows.bases(scores.shape[1])
    tracks = {}
    for target in np.unique(targets[windows.valid]):
        rows = np.flatnonzero((targets == target) & windows.valid)
        chrom = np.repeat(windows.chrom[rows], scores.shape[1])
        position, value = bases[rows].ravel(), scores[rows].ravel()
        keep = position >= 0
        if present is not None:
            keep &= np.asarray(present, dtype=bool)[rows].ravel()
        if chrom_sizes:
            sizes = np.array([chrom_sizes.get(name, np.iinfo(np.int64).max) for name in windows.chrom[rows]],
                             dtype=np.int64)
            keep &= position < np.repeat(sizes, scores.shape[1])
        chrom, position, value = chrom[keep], position[keep], value[keep]
        if not len(position):
            continue
        names, chrom_code = np.unique(chrom, return_inverse=True)  # sorted names: bedGraph's sort order
        key = chrom_code.astype(np.int64) * (int(position.max()) + 1) + position
        unique, first, counts = np.unique(key, return_index=True, return_counts=True)
        sums = np.bincount(np.searchsorted(unique, key), weights=value, minlength=len(unique))
        tracks[int(target)] = (names[chrom_code[first]], position[first], sums / counts)
    return tracks


def write_bedgraphs(out: Path, result, windows, output_names, label: str, chrom_sizes: dict | None = None,
                    stage=None, present=None) -> list:
    """Write ``attributions_<target>.bedGraph`` per target (see :func:`bedgraph_tracks`); the names written.

    One line per base: chrom, start, start + 1, score; a ``track`` line first. ``stage`` as in
    :func:`write_logos`; ``present`` as in :func:`bedgraph_tracks`.
    """
    paths = []
    for target, (chrom, position, value) in bedgraph_tracks(result.scores, result.targets, windows,
                                                            chrom_sizes, present).items():
        name = str(output_names[target])
        path = out / f"attributions_{_safe_name(name)}.bedGraph"
        header = f'track type=bedGraph name="{_safe_name(name)}" description="motifnet {label}, {name}"\n'
        body = "".join(f"{c}\t{p}\t{p + 1}\t{v:.6g}\n" for c, p, v in zip(chrom, position.tolist(), value.tolist()))
        write_text(stage(path) if stage else path, header + body)
        paths.append(path.name)
    return paths


def summary_entry(run, dataset, config: AttributionConfig, result, data_label: str, width: int, checks,
                  rows: list, bedgraphs: list = ()) -> dict:
    """The content of ``attribution.json`` (read back by :func:`motifnet.report.attributions.report_entries`).

    ``bedgraphs``: the names of the bedGraph files written (a rerun into the folder removes those it
    does not write again).
    """
    return {
        "motifnet_version": __version__,
        "run": str(Path(run.path).resolve()),  # absolute: the report compares it with its own run
        "method": config.method,
        "method_label": method_label(config, run.task),
        "baseline": config.baseline,
        "steps": config.steps,
        "shuffles": config.shuffles,
        "seed": config.seed,
        "target": target_description(config, result, dataset.output_names),
        # a regression model's output layer is linear: no logit, no probability
        "explained_output": ("predicted value of the target (the output layer is linear)" if run.task == "regression"
                             else "logit of the target class (input of the output layer's softmax/sigmoid)"),
        "regression": run.task == "regression",
        "score": for_task(SCORE_LABELS[config.method], run.task),
        "data": data_label,
        "n_sequences": len(dataset),
        "window_width": width,
        "completeness": checks,
        "npz": NPZ,
        "top": rows,
        "bedgraphs": list(bedgraphs),
    }


def save_npz(path, result, dataset) -> None:
    """Write ``attributions.npz`` (no pickle; the attributions stream from ``result.values``)."""
    config = result.config
    names = list(dataset.output_names)
    arrays = {
        "attributions": result.values,
        "position_scores": result.scores,
        "ids": np.asarray(dataset.ids).astype(str),
        "labels": dataset.labels,
        "class_names": np.array(names, dtype=str),
        "target": result.targets.astype(np.int32),
        "target_name": np.array([names[t] for t in result.targets], dtype=str),
        "probability": result.probabilities.astype(np.float32),
        "logit": result.logits.astype(np.float32),
        "channel_names": np.array(result.channel_names, dtype=str),
        "method": np.array(config.method),
        "baseline": np.array(config.baseline or ""),
        "steps": np.array(config.steps or 0),
        "shuffles": np.array(config.shuffles or 0),
        "seed": np.array(config.seed),
    }
    if result.reference_logits is not None:
        arrays["reference_logit"] = result.reference_logits.astype(np.float32)
    if getattr(dataset, "targets", None) is not None:  # regression: the measured values beside their attributions
        arrays["targets"] = np.asarray(dataset.targets, dtype=np.float32)
    write_npz(path, arrays)


#: The kind of the scratch file of ``attribute`` (:func:`motifnet._io.scratch_file`).
SCRATCH_KIND = "attributions"


def _channels(dataset, config: AttributionConfig) -> int:
    """Attribution channels: a substitute letter each for ISM, the model's input channels otherwise."""
    if config.method == "ism":
        return len(ism_channel_names(dataset.encoder))
    return dataset.encoder.channels + len(dataset.track_names)


def _progress(total: int):
    counter = Progress("attributions", total=total, unit="sequences")

    def progress(done, _total):
        counter.update(done)

    return progress


def _log_completeness(checks: dict | None, config: AttributionConfig, regression: bool = False) -> None:
    if checks:
        output = "output" if regression else "logit"  # a regression model's output layer is linear
        log.info("attributions sum to the %s change within %.2g (median) / %.2g (worst) relative error, "
                 "%.2g at most in %s units%s", output, checks["median_relative_error"], checks["max_relative_error"],
                 checks["max_absolute_error"], output,
                 "; more --steps make integrated gradients closer" if config.method == "integrated-gradients"
                 else "")


def _guarded(stage, out: Path, ours: bool, earlier: set):
    """``stage`` (of :func:`motifnet._io.staged_outputs`) that refuses a logo or bedGraph name of one of the user's
    files, which it would replace: any in a folder without an earlier ``attribute`` of motifnet's, and beside one,
    a file that its ``attribution.json`` does not list (``earlier``)."""
    def guarded_stage(path, suffix=""):
        if ours:
            refuse_unlisted(out, [Path(path).name], earlier | {NPZ, SUMMARY}, SUMMARY, "attribute")
        else:
            refuse_users_files(out, [Path(path).name], (), "attribute", f"no {SUMMARY} of motifnet's")
        return stage(path, suffix)

    return guarded_stage


def _earlier_outputs(out: Path) -> set:
    """The logos and bedGraph files an earlier ``attribute`` wrote to ``out``, by its ``attribution.json``.

    Only names this module makes (:func:`_file_name`, :func:`write_bedgraphs`) are listed: a file
    that ``attribute`` did not write is never among them.
    """
    try:
        summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        names = [row["image"] for row in summary.get("top", [])] + list(summary.get("bedgraphs", []))
    except (OSError, ValueError, TypeError, AttributeError, KeyError):  # none there, or not one attribute wrote
        return set()
    return {name for name in names if isinstance(name, str) and attribution_figure(name)}


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "record"


def _file_name(rank: int, width: int, record_id: str) -> str:
    return f"attribution_{rank:0{width}d}_{_safe_name(record_id)}.png"


def _window_width(run) -> int:
    """Width of the windows named in the summary: the first-layer kernel length (the model's motif scale)."""
    try:
        return int(run.model.get_layer("conv_1").kernel_size[0])
    except (ValueError, AttributeError):
        return DEFAULT_WINDOW
