"""``motifnet visualize-kernels``: per-kernel plots, motifs.meme, kernels.tsv and the report.

Records that are genome windows (BED input with a genome) also give ``kernel_sites.bed``: each
kernel's motif sites in genome coordinates.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._io import publish_staged, remove_unwritten, staging_folder, write_json, write_text
from .._parallel import available_cores, ordered_map
from .._signals import check_stop
from ..data.dataset import Dataset
from ..errors import OptionValueError, ParamError
from ..interpret.activations import (
    activation_profiles,
    forward_and_both_strand_activations,
    max_activations,
    motif_layer,
)
from ..interpret.influence import group_influence
from ..interpret.kernels import background_frequencies, check_kernels, check_target, consensus, kernel_motifs
from ..motifs.colocation import kernel_sites, nearby_firing
from ..motifs.distinct import check_top_kernels, distinct_motifs, label_groups, rank_by_influence
from ..motifs.export import FORMATS, check_trim_ic_reachable, export_kernel_motifs, trimmed_columns
from ..motifs.matching import MotifOptions
from ..plot.kernel_figures import figure_data
from ..run.rundir import Run
from ._output import locked_output_folder, refuse_users_files
from .annotate import annotate_kernels, kernel_database, not_matched_because
from .distinct import write_distinct
from .kernel_figures import write_kernel_figures

log = logging.getLogger("motifnet")

SITES_BED = "kernel_sites.bed"
#: Files of fixed names that visualize-kernels writes in its folder (besides the per-kernel figures): an input
#: of one of these names there (a --motif-db motifs.meme, say) would be replaced.
REPORT_FILES = ("kernels.tsv", "matches.tsv", "distinct_motifs.tsv", "motifs_distinct.meme", SITES_BED,
                "summary.html", "report.json", *(f"{stem}.{suffix}" for stem in ("motifs", "motifs_structure")
                                                 for suffix in FORMATS))
_KERNEL_FIGURE = re.compile(r"(motif|activations|position|additional_features|match|distinct)_kernel_[0-9]+\.png")
# The curve images of the report (motifnet.report.curves), as an earlier report.json may list them.
_CURVE_IMAGE = re.compile(r"(training|roc|pr)_curves\.png|prediction_[\w.-]+\.png")


def kernel_figure(name: str) -> bool:
    """Whether visualize-kernels writes a per-kernel figure of this name (``motif_kernel_3.png``)."""
    return _KERNEL_FIGURE.fullmatch(name) is not None


@dataclass
class KernelPlots:
    """Per-kernel results as shown in the report."""

    kernel: int
    importance: float
    top_class: str
    consensus: str
    structure_consensus: str
    sites: int
    class_means: list
    images: list
    top_sites: list
    motif_columns: tuple | None = None  # kernel columns of the exported (trimmed) motif, half-open
    best_match: object = None  # motifnet.motifs.matching.MotifMatch
    correlation: float | None = None  # regression: Pearson r of the maximum activation with the target
    target: str | None = None  # regression: that target


def _top_sites(motif, activations, count: int = 5) -> list:
    """(record id, max activation, 1-based start) of the strongest sites, for the report."""
    kernel = motif.kernel
    return [(str(activations.ids[i]), float(activations.max_activation[i, kernel]),
             int(activations.position[i, kernel]) + 1) for i in motif.sites[:count]]


def kernels_table(results, class_names, structure: bool = False) -> str:
    """``kernels.tsv`` of the kernels ``results``; ``structure``: the model reads structure too (a column of its
    consensus, ``-`` for kernels without sites)."""
    regression = bool(results) and results[0].correlation is not None
    columns = ["kernel", "importance", "correlation", "target"] if regression else ["kernel", "importance", "top_class"]
    columns += ["consensus"] + (["structure_consensus"] if structure else []) + ["sites"]
    columns += [f"mean_max_{name}" for name in class_names]
    columns += ["motif_columns", "best_match_id", "best_match_name", "best_match_p", "best_match_q"]
    lines = ["\t".join(columns)]
    for item in results:
        row = [str(item.kernel), f"{item.importance:.6g}"]
        row += [f"{item.correlation:.6g}", item.target] if regression else [item.top_class]
        row += [item.consensus or "-"] + ([item.structure_consensus or "-"] if structure else []) + [str(item.sites)]
        row += ["" if np.isnan(v) else f"{v:.6g}" for v in item.class_means]
        row.append(f"{item.motif_columns[0] + 1}-{item.motif_columns[1]}" if item.motif_columns else "")
        match = item.best_match
        row += ([match.target_id, match.target_name, f"{match.p_value:.3g}", f"{match.q_value:.3g}"] if match
                else [""] * 4)
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def kernel_sites_bed(motifs, activations) -> str | None:
    """BED6 of every kernel's motif sites (:attr:`KernelMotif.sites`) in genome coordinates.

    One line per site: chrom, start, end (the kernel's window, ``kernel_len`` bases, less any part of it in
    the zeros a short record was padded with, or before the chromosome's start), name ``kernel_N``, score
    (the maximum activation) and strand (the strand the kernel read, the window's); sorted by chrom and
    start. Records that are not genome windows, and maxima wholly in padding, are left out. None when no
    record is a window.
    """
    genomic = activations.genome_sites()
    if genomic is None:
        return None
    rows = []
    for motif in motifs:
        for site in motif.sites:
            if not genomic.placed[site, motif.kernel]:  # not a genome window, or a maximum in a short record's padding
                continue
            rows.append((str(genomic.chrom[site]), int(genomic.read_start[site, motif.kernel]),
                         int(genomic.read_end[site, motif.kernel]), motif.kernel,
                         float(activations.max_activation[site, motif.kernel]), str(genomic.strand[site])))
    rows.sort(key=lambda row: (row[0], row[1], row[3]))
    return "".join(f"{c}\t{max(s, 0)}\t{e}\tkernel_{k}\t{v:.6g}\t{d}\n" for c, s, e, k, v, d in rows if e > 0)


def visualize_kernels(run: Run, dataset: Dataset, out_dir, kernels: list | None = None, batch_size: int = 256,
                      report: bool = True, data_label: str = "test split", motif_options: MotifOptions | None = None,
                      target=None, top: int | None = None, jobs: int | None = None) -> list:
    """Write pysster's per-kernel plots, ``motifs.meme``, ``kernels.tsv`` and ``summary.html``.

    Genome windows (records named ``chrom:start-end(strand)``) also give ``kernel_sites.bed``
    (:func:`kernel_sites_bed`).

    Kernels with the same motif are grouped (:mod:`motifnet.motifs.distinct`) into
    ``distinct_motifs.tsv`` and ``motifs_distinct.meme``, which the report shows first, ranked by
    influence (:func:`motifnet.interpret.influence.group_influence` on ``dataset``).

    Exported motifs are trimmed of uninformative flanks; for DNA models (or with a motif
    database) each is matched with TOMTOM (``matches.tsv``, ``match_kernel_N.png``).

    Parameters
    ----------
    run : Run
    dataset : Dataset
        The records to look at.
    out_dir : path
        Output folder (created).
    kernels : list of int or None
        Kernel numbers of ``conv_1``, e.g. ``[0, 3, 7]``. Default (None): every kernel.
    batch_size : int
        Records per forward pass. Default is 256.
    report : bool
        Also write ``summary.html``. Default is True.
    data_label : str
        How the report names the data looked at.
    motif_options : MotifOptions or None
        Trimming, export formats and matching; default :class:`motifnet.motifs.matching.MotifOptions`.
    target : str or int or None
        Regression models: the target importance is measured against (name or index; default each
        kernel's own, the one it correlates with most strongly). See
        :func:`motifnet.interpret.kernels.kernel_motifs`.
    top : int or None
        Per-kernel plots (and report sections) for the ``top`` most important kernels only;
        default all. The tables and the distinct motifs cover every kernel.
    jobs : int or None
        Processes that draw the per-kernel figures side by side; default the available cores.

    Returns
    -------
    list of KernelPlots
        Sorted by importance, most important first.
    """
    if jobs is not None and jobs < 1:
        raise OptionValueError(f"--jobs must be at least 1, received: {jobs}")
    out = Path(out_dir)
    names = ["all"] if dataset.task == "regression" else list(dataset.class_names)  # groups the plots compare
    chosen = check_kernels(kernels, motif_layer(run).filters)  # refuse bad --kernels before the work
    check_target(target, dataset.task, dataset.target_names)
    top = check_top_kernels(top)
    motif_options = motif_options or MotifOptions()
    check_trim_ic_reachable(motif_options.trim_ic, background_frequencies(dataset))
    database = kernel_database(motif_options, dataset.encoder.alphabet.letters)  # also before the work
    with locked_output_folder(out, "visualize-kernels", stale_stages=True), \
            staging_folder(out, "visualize-kernels") as stage:
        # Every file is written into the stage and moved into the folder at the end, so that a run that fails or is
        # stopped halfway leaves the earlier results whole (or, in a new folder, nothing a rerun would refuse).
        earlier, listed = _earlier_outputs(out, report)
        log.info("computing first-layer activations of %d sequences", len(dataset))
        if dataset.double_stranded:
            # DNA: the distinct motifs group kernels by their sites on both strands, read in the same pass.
            activations, both_strands = forward_and_both_strand_activations(run, dataset, batch_size)
        else:
            activations, both_strands = max_activations(run, dataset, batch_size), None
        motifs = kernel_motifs(activations, dataset, chosen, target)
        selected = np.stack([m.selected for m in motifs], axis=1)
        mean, std, _ = activation_profiles(run, dataset, selected, chosen, batch_size)
        plotted = {m.kernel for m in sorted(motifs, key=lambda m: (-m.importance, m.kernel))[:top]}
        results = [_kernel_row(motif, activations, dataset.encoder, names) for motif in motifs]
        _draw_kernel_figures(stage, results, motifs, activations, dataset, (mean, std), names, plotted, jobs,
                             motif_options.trim_ic)
        order = sorted(range(len(results)), key=lambda i: (-results[i].importance, results[i].kernel))
        results = [results[i] for i in order]
        motifs = [motifs[i] for i in order]
        exported, best = _export_and_match(stage, results, motifs, dataset, motif_options, database, plotted)
        write_text(stage / "kernels.tsv", kernels_table(results, names, dataset.encoder.structure is not None))
        sites_bed = kernel_sites_bed(motifs, activations)
        if sites_bed is not None:
            write_text(stage / SITES_BED, sites_bed)
        nearby = _nearby_firing(run, dataset, motifs, activations, both_strands, target, batch_size)
        structure = dataset.encoder.structure
        groups = distinct_motifs(motifs, exported, dataset.encoder.alphabet.letters, best, nearby=nearby,
                                 structure_letters=structure.letters if structure is not None else "")
        measured = [group.members for group in groups if group.motif is not None]
        log.info("silencing each of %d distinct motifs to measure its influence", len(measured))
        groups = rank_by_influence(groups, group_influence(run.model, dataset, measured, batch_size))
        label_groups(groups, results)
        distinct = write_distinct(stage, groups, dataset)
        if report:
            from ..report.summary import STATE, render_report, write_report_state

            write_report_state(run, stage, dataset, [item for item in results if item.kernel in plotted], data_label,
                               motif_database=database.source if database else None, distinct=distinct,
                               n_kernels=len(results), outputs=[path.name for path in stage.iterdir()],
                               not_matched=not_matched_because(motif_options, dataset.encoder.alphabet.letters))
        check_stop()  # the last moment a stop leaves the earlier results as they were
        if listed is not None:
            _refuse_clashes(out, stage, listed)
        # kernels.tsv first: a folder that holds it is this command's (a run killed while moving leaves no folder
        # of files that the next run would refuse as the user's)
        written = publish_staged(stage, out, first=("kernels.tsv",), last=(STATE,) if report else ())
        if sites_bed is not None:
            log.info("wrote %s (the kernels' motif sites in genome coordinates)", out / SITES_BED)
        if report:
            from ..report.summary import PAGE

            log.info("report: %s", render_report(out))
            written.append(PAGE)
        # Only now, so that a run that fails or is stopped halfway leaves the earlier results whole.
        removed = remove_unwritten(out, earlier, written)
        for path in removed:
            log.info("removed %s of an earlier visualize-kernels run", path)
        if not report and listed:
            _relist_outputs(out, listed, removed, written)
    return results


def _refuse_clashes(out: Path, stage: Path, listed: set) -> None:
    """Refuse to move the files of ``stage`` into ``out`` where one of the user's has the name of one of them
    (``motif_kernel_0.png``, ``distinct_motifs.tsv``): it would be replaced. Files of ``listed`` (those the earlier
    report in ``out`` lists as its run's; empty without one) are motifnet's
    (see :func:`motifnet.workflows._output.refuse_users_files`)."""
    from ..report.summary import PAGE, STATE

    report_there = (out / STATE).is_file()
    # Those every run writes are the earlier report's, whatever its list says (check_report_folder vetted them).
    ours = listed | ({STATE, PAGE, "kernels.tsv", "motifs.meme"} if report_there else set())
    where = "the report.json there does not list it as its run's" if report_there else "no motifnet report"
    refuse_users_files(out, (path.name for path in stage.iterdir()), ours, "visualize-kernels", where)


def check_report_folder(out_dir) -> None:
    """Refuse an output folder that holds files of the report's names but no report of motifnet's.

    A report folder has motifnet's ``report.json`` (one that is not JSON is a damaged one of motifnet's only
    beside the page and table below), or, from motifnet 0.1.0, a ``summary.html`` titled ``motifnet report``
    beside ``kernels.tsv``. In any other folder a ``report.json``, or a file of a name every report writes
    (``summary.html``, ``kernels.tsv``, ``motifs.meme``), is the user's, which writing the report would replace
    (and its ``report.json`` would make the user's other files of the report's names look like an earlier
    run's); one of another name the run writes is refused once it is known (:func:`_refuse_clashes`).

    Raises
    ------
    ParamError
        Naming the folder and the file.
    """
    import json

    from ..report.summary import STATE, STATE_FORMAT

    out = Path(out_dir)
    if not out.is_dir():
        return
    try:
        old_report = (out / "kernels.tsv").is_file() and "motifnet report" in (out / "summary.html").read_text(
            encoding="utf-8", errors="replace")
    except OSError:
        old_report = False
    if (out / STATE).is_file():
        try:
            state = json.loads((out / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # motifnet writes report.json whole (a temporary file renamed): one that is not JSON is motifnet's only
            # in a folder that holds its page and table too (damaged since); this run then writes it again.
            state = None
            if old_report:
                return
        if isinstance(state, dict) and state.get("format") == STATE_FORMAT:
            return
        theirs = [STATE]
    else:
        if old_report:
            return
        # Those every run writes; a file of another of the report's names (matches.tsv with --no-match) is refused
        # only if this run writes it (see _refuse_clashes), which is known once it is drawn.
        theirs = [name for name in ("summary.html", "kernels.tsv", "motifs.meme") if (out / name).exists()]
    if theirs:
        raise ParamError(f"-o {out}: holds {theirs[0]}, which visualize-kernels writes, but no motifnet report "
                         f"(no {STATE} of motifnet's); choose another folder, or move {theirs[0]} away")


def _earlier_outputs(out: Path, report: bool) -> tuple:
    """The files of an earlier visualize-kernels run in ``out`` that this run may not write again, and the names
    the earlier run's ``report.json`` lists as its files (None where no list says which files are motifnet's).

    No earlier run (no ``kernels.tsv`` or ``report.json``, which only this command writes): ``([], set())``, and
    files of the names this run writes are the user's. Otherwise the files the earlier ``report.json`` lists
    (``outputs``, of the names this command writes only, in ``out`` itself: never what other commands or the user
    added). A folder without that list (a report of a motifnet that did not keep one, or a run without a report)
    gives the files of the report's names (:data:`REPORT_FILES`, the per-kernel figures, the curves its
    ``report.json`` lists) and None. Without ``report`` the earlier page, ``report.json`` and curves stay: other
    commands' sections render from them.
    """
    from ..report.summary import PAGE, STATE

    if not ((out / "kernels.tsv").is_file() or (out / STATE).is_file()):
        return [], set()
    listed = _listed_outputs(out)
    if listed is None:
        figures = sorted(path.name for path in out.glob("*_kernel_*.png") if kernel_figure(path.name))
        names = [*REPORT_FILES, *figures, *_listed_curves(out)]
    else:
        names = listed
    if not report:
        names = [name for name in names if name not in (PAGE, STATE) and not _CURVE_IMAGE.fullmatch(name)]
    return names, None if listed is None else set(listed)


def _listed_curves(out: Path) -> list:
    """The curve images that ``report.json`` in ``out`` lists (:func:`motifnet.report.curves.write_curves`)."""
    from ..report.summary import STATE

    try:
        curves = json.loads((out / STATE).read_text(encoding="utf-8"))["curves"]
        names = [entry[0] for entry in curves]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return []
    return [name for name in names if isinstance(name, str) and _CURVE_IMAGE.fullmatch(name)]


def _relist_outputs(out: Path, listed: set, removed: list, written: list) -> None:
    """After a run without a report into a report folder: its ``report.json``, kept, lists this run's files too
    (and no longer those removed), so that a later run takes them for motifnet's."""
    from ..report.summary import STATE

    state = json.loads((out / STATE).read_text(encoding="utf-8"))
    state["outputs"] = sorted((listed - {path.name for path in removed}) | set(written))
    write_json(out / STATE, state)


def _listed_outputs(out: Path) -> list | None:
    """The files that ``report.json`` in ``out`` lists as its run's, of the names this command writes; None
    without such a list."""
    from ..report.summary import STATE

    try:
        names = json.loads((out / STATE).read_text(encoding="utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(names, list):
        return None
    return [name for name in names if isinstance(name, str) and (name in REPORT_FILES or kernel_figure(name)
                                                                  or _CURVE_IMAGE.fullmatch(name))]


def _nearby_firing(run, dataset: Dataset, motifs: list, activations, both_strands, target, batch_size: int) -> dict:
    """How the kernels fire near each kernel's sites, for grouping kernels by where they fire.

    See :func:`motifnet.motifs.colocation.nearby_firing`. DNA: the sites and firing on both
    strands (``both_strands``; the motifs' own sites are forward-strand ones, which would keep a
    motif and its reverse complement apart); otherwise the motifs' sites.
    """
    if both_strands is not None:
        motifs, activations = kernel_motifs(both_strands, dataset, [m.kernel for m in motifs], target), both_strands
    thresholds = {motif.kernel: motif.threshold for motif in motifs}
    return nearby_firing(run, dataset, kernel_sites(motifs, activations), thresholds, batch_size,
                         both_strands=both_strands is not None)


def _kernel_row(motif, activations, encoder, names: list) -> KernelPlots:
    """A kernel's row of ``kernels.tsv`` and its report entry (images added when drawn)."""
    structure_letters = encoder.structure.letters if encoder.structure is not None else ""
    return KernelPlots(motif.kernel, motif.importance, names[motif.top_class],
                       consensus(motif.pwm, encoder.alphabet.letters),
                       consensus(motif.structure_pwm, structure_letters), motif.n_sites,
                       [float(v) for v in motif.class_means], [], _top_sites(motif, activations),
                       correlation=motif.correlation, target=motif.target)


def _draw_kernel_figures(out: Path, results: list, motifs: list, activations, dataset: Dataset, profiles: tuple,
                         names: list, plotted: set, jobs: int | None, trim_ic: float) -> None:
    """Draw the per-kernel figures of the ``plotted`` kernels in ``jobs`` processes; sets each row's images.
    ``trim_ic``: the logos shade the columns that the exported motifs trim away."""
    mean, std = profiles
    # one line, not one per kernel (64 lines for a default network): kernels.tsv lists them all
    ranked = sorted(motifs, key=lambda motif: (-motif.importance, motif.kernel))
    log.info("%d kernel(s); most important: %s", len(motifs), ", ".join(
        f"kernel {motif.kernel} ({motif.importance:.3f}, {motif.n_sites} sites)" for motif in ranked[:3]))
    for index, motif in enumerate(motifs):
        log.debug("kernel %d (%d/%d): importance %.3f, %d sites", motif.kernel, index + 1, len(motifs),
                  motif.importance, motif.n_sites)
    backgrounds = background_frequencies(dataset)
    to_draw = [figure_data(out, motif, activations, dataset, (mean[:, index], std[:, index]), names,
                           _kept_columns(motif, backgrounds, trim_ic))
               for index, motif in enumerate(motifs) if motif.kernel in plotted]
    if not to_draw:
        return
    jobs = min(jobs or available_cores(), len(to_draw))
    log.info("drawing the figures of %d kernel(s)%s", len(to_draw), f" in {jobs} processes" if jobs > 1 else "")
    by_kernel = {item.kernel: item for item in results}
    for data, images in zip(to_draw, ordered_map(write_kernel_figures, to_draw, jobs)):
        by_kernel[data.kernel].images = images


def _kept_columns(motif, backgrounds: tuple, trim_ic: float) -> tuple | None:
    """The columns of ``motif`` that its exported motif keeps (:func:`motifnet.motifs.export.trimmed_columns`);
    None without sites or where no column is informative (nothing trimmed)."""
    if motif.pwm is None:
        return None
    start, end, informative = trimmed_columns(motif, *backgrounds, trim_ic)
    return (start, end) if informative else None


def _export_and_match(out: Path, results: list, motifs: list, dataset: Dataset, motif_options: MotifOptions,
                      database, plotted: set) -> tuple:
    """Export the trimmed kernel motifs and match them to ``database``; fills each row's match fields.

    Returns the exported motifs and the best match of each matched kernel.
    """
    letters = dataset.encoder.alphabet.letters
    exported = export_kernel_motifs(out, motifs, dataset, motif_options.trim_ic, motif_options.formats)
    best, figures = annotate_kernels(out, motifs, exported, letters, database, motif_options.top,
                                     draw=plotted) if database else ({}, {})
    columns = {item.kernel: item.columns for item in exported}
    for item in results:
        item.motif_columns = columns.get(item.kernel)
        item.best_match = best.get(item.kernel)
        if item.kernel in figures:  # the match figure shows the kernel's logo too
            item.images[0] = figures[item.kernel]
    return exported, best
