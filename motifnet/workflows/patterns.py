"""``motifnet motifs``: TF-MoDISco patterns from hypothetical contributions, matched, drawn and written.

For each explained class: hypothetical contributions of every record
(:mod:`motifnet.interpret.hypothetical`, streamed batch by batch to a memory-mapped scratch file),
then TF-MoDISco (:mod:`motifnet.motifs.modisco`). The patterns of all classes are ranked (positive
patterns by seqlet count, then negative ones), their trimmed probability matrices matched with
TOMTOM, and written to OUT_DIR:

- ``patterns.meme`` (and ``patterns.jaspar``, ``.transfac``, ``.homer`` with ``formats``);
- ``patterns.tsv``, ``seqlets.tsv``, ``pattern_matches.tsv`` (when matching);
- ``pattern_N.png`` (CWM and PFM logos), ``match_pattern_N.png`` (the PFM over its match, q < 0.05);
- ``patterns.json``: what the report shows (:mod:`motifnet.report.patterns`).

When OUT_DIR or its parent is a report folder of ``visualize-kernels``, its ``summary.html`` is
rendered again with the patterns section, which also names the distinct kernel motif
(``motifs_distinct.meme``) that each pattern matches.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import numpy as np

from .._io import (
    remove_scratch_files,
    remove_unwritten,
    scratch_memmap,
    staged_outputs,
    write_json,
    write_text,
)
from .._progress import Progress
from .._signals import check_stop
from .._validate import check_inputs_not_written
from .._version import __version__
from ..data.coordinates import FROM_IDS
from ..data.windows import window_table
from ..errors import ParamError
from ..interpret.attribution import AttributionConfig, resolve_target
from ..interpret.hypothetical import check_hypothetical_config, check_modisco_alphabet, hypothetical_contributions
from ..interpret.kernels import consensus
from ..motifs._modisco_process import SCRATCH_KIND, find_patterns_stoppable
from ..motifs.distinct import COMPLEMENTED, SAME_P
from ..motifs.export import FORMATS, write_motifs
from ..motifs.jaspar import in_query_letters, read_motif_file
from ..motifs.matching import SIGNIFICANT_Q, MotifOptions, match_motifs, matches_tsv
from ..motifs.meme import MemeMotif
from ..motifs.modisco import ModiscoConfig, check_seqlet_length, no_seqlets_reason
from ..motifs.readers import MotifDatabase
from ..motifs.tomtom import compare_motifs
from ..plot.figures import save_figure
from ..plot.patterns import plot_pattern, shown_columns
from ..report.patterns import SUMMARY
from ..report.summary import find_report, render_report, warn_if_other_run
from ._output import check_own_folder, locked_output_folder, refuse_users_files
from .annotate import kernel_database

log = logging.getLogger("motifnet")

DISTINCT_MEME = "motifs_distinct.meme"
# Figures this command makes; only such files are removed when a new run has written its own.
_FIGURE_NAME = re.compile(r"(match_)?pattern_[0-9]+\.png")
_TABLES = ("patterns.tsv", "seqlets.tsv", "pattern_matches.tsv", SUMMARY)
_MOTIF_FILES = tuple(f"patterns.{suffix}" for suffix in FORMATS)
#: Files of fixed names that motifs writes in its folder (besides the numbered figures, :func:`motifs_figure`).
MOTIFS_FILES = (*_TABLES, *_MOTIF_FILES)


#: :func:`motifs_run` checks the options itself (no database given).
_CHECK = object()


def check_motifs_options(run, attribution: AttributionConfig, modisco: ModiscoConfig,
                         motif_options: MotifOptions) -> MotifDatabase | None:
    """Refuse what does not fit the run (its alphabet, ``--target``, ``--window`` and ``--flank`` against its
    length, the motif database and taxonomic groups); the CLI calls it before the records are read.

    Returns
    -------
    MotifDatabase or None
        The database to match patterns with (see :func:`motifnet.workflows.annotate.kernel_database`).

    Raises
    ------
    ParamError, InputError
    """
    encoder = run.dataset_encoder
    check_modisco_alphabet(encoder)
    if attribution.target is not None:
        resolve_target(attribution.target, list(run.output_names), run.task)
    database = kernel_database(motif_options, encoder.alphabet.letters, "patterns")
    check_seqlet_length(encoder.length, modisco)
    return database


def motifs_run(run, dataset, out_dir, attribution: AttributionConfig, modisco: ModiscoConfig | None = None,
               motif_options: MotifOptions | None = None, data_label: str = "test split",
               genome_coordinates: bool | None = None, database=_CHECK) -> dict:
    """Find TF-MoDISco patterns in the contributions of ``dataset`` to the run's model and write them to ``out_dir``.

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    dataset : motifnet.data.dataset.Dataset
        The records (a split of the run's data, new labelled or unlabelled FASTA).
    out_dir : path
        Created if needed.
    attribution : AttributionConfig
        Method (``deeplift``, ``integrated-gradients``, ``saliency``, ``ism``), baseline (default
        ``shuffle``), shuffles, steps, seed, batch size; ``target`` a class name or index, or None
        for every class in turn.
    modisco : ModiscoConfig or None
        TF-MoDISco's options; default modisco-lite's.
    motif_options : MotifOptions or None
        Matching (database, taxonomic groups, matches per pattern) and export formats.
    data_label : str
        How the report names the records. Default is ``test split``.
    genome_coordinates : bool or None
        Whether ``seqlets.tsv`` gives seqlets on the genome (see :func:`seqlets_table`). Default is None: when
        a record is named as a genome window (BED input with ``--genome``, the run's own data of a run trained on
        BED, FASTA named ``chrom:start-end(strand)``), as ``activations`` and ``attribute`` place them.
    data_label : str
        How the summary names the data.
    database : MotifDatabase or None
        What :func:`check_motifs_options` returned for these options, when it was called before (a motif
        file on standard input is read once). Default: it is called here.

    Returns
    -------
    dict
        The content of ``patterns.json``.

    Raises
    ------
    ParamError
        A model that is not a DNA/RNA sequence model, bad options, an unknown target.
    """
    attribution = check_hypothetical_config(attribution)
    modisco = modisco or ModiscoConfig()
    motif_options = motif_options or MotifOptions()
    if database is _CHECK:  # the CLI checked the options before reading the records, and kept the database
        database = check_motifs_options(run, attribution, modisco, motif_options)  # before the work
    names = list(dataset.output_names)
    chosen = ([resolve_target(attribution.target, names, dataset.task)] if attribution.target is not None
              else list(range(len(names))))
    model = run.model  # a run without a (loadable) model is refused before OUT_DIR is made
    out = Path(out_dir)
    if motif_options.database is not None and motif_options.database.strip().lower() != "jaspar":
        check_inputs_not_written(out, [("--motif-db", motif_options.database)], MOTIFS_FILES, "motifs",
                                 motifs_figure)
    # a patterns.json with the list of patterns _earlier_files reads (whose figures alone it may remove) is motifs'
    check_own_folder(out, SUMMARY, lambda summary: isinstance(summary.get("patterns"), list),
                     (name for name in MOTIFS_FILES if name != SUMMARY), "motifs")
    with locked_output_folder(out, "motifs"):
        remove_scratch_files(out, SCRATCH_KIND)  # of a run killed outright
        earlier_files = _earlier_files(out)
        return _find_and_write(run, model, dataset, out, attribution, modisco, motif_options, names, chosen,
                               database, data_label, genome_coordinates, earlier_files)


def _find_and_write(run, model, dataset, out: Path, attribution, modisco, motif_options, names, chosen, database,
                    data_label, genome_coordinates, earlier_files) -> dict:
    """The work of :func:`motifs_run` once OUT_DIR exists: contributions, TF-MoDISco, then every file."""
    encoder = dataset.encoder
    letters = encoder.alphabet.letters
    # TF-MoDISco clusters the first --max-seqlets seqlets it finds, in record order. In a seeded random
    # order of the records those are a sample of them all, not of the first records of the files (a
    # FASTA sorted by class, a BED sorted by chromosome). Seqlets name records by id, so nothing else changes.
    dataset = dataset.subset(np.random.default_rng(attribution.seed or 0).permutation(len(dataset)))
    n = len(dataset)
    patterns = []
    with scratch_memmap(out, SCRATCH_KIND, (n, encoder.length, len(letters))) as one_hot, \
            scratch_memmap(out, SCRATCH_KIND, (n, encoder.length, len(letters))) as hypothetical:
        _fill_one_hot(dataset, one_hot, attribution.batch_size)
        one_hot.flush()
        letters_known = _any_letter(one_hot)
        kind = "target" if dataset.task == "regression" else "class"  # what the log lines name
        for target in chosen:
            config = AttributionConfig(attribution.method, target, attribution.baseline, attribution.steps,
                                       attribution.shuffles, attribution.seed, attribution.batch_size)
            log.info("%s %s: hypothetical contributions (%s) of %d sequences", kind, names[target],
                     _method_text(config), n)
            counter = Progress(f"contributions to {names[target]}", total=n, unit="sequences")
            hypothetical_contributions(model, dataset, config, out=hypothetical,
                                       progress=lambda done, _total, counter=counter: counter.update(done))
            hypothetical.flush()
            if not letters_known:
                # TF-MoDISco itself fails on them ("IndexError: index -1 is out of bounds").
                log.warning("%s %s: the records hold no letter of %s (N alone), so TF-MoDISco has no "
                            "seqlets to find", kind, names[target], letters)
                continue
            reason = no_seqlets_reason(one_hot, hypothetical, modisco.window)
            if reason is not None:
                # modisco-lite fails on them (IndexError, ValueError) instead of finding nothing.
                log.warning("%s %s: %s; %s", kind, names[target], reason, _no_seqlets_hint(config))
                continue
            log.info("%s %s: TF-MoDISco (modisco-lite)", kind, names[target])
            started = time.monotonic()
            found = find_patterns_stoppable(one_hot.filename, hypothetical.filename, modisco)
            log.info("%s %s: %d positive and %d negative pattern(s) (TF-MoDISco took %.1f min)", kind, names[target],
                     sum(p.sign > 0 for p in found), sum(p.sign < 0 for p in found), (time.monotonic() - started) / 60)
            if not found:  # an empty patterns.meme without a word looked like a model that learned nothing
                log.warning("%s %s: TF-MoDISco found no pattern in %d records: too few seqlets for a metacluster "
                            "(--min-metacluster-size %d) or a pattern (--min-seqlets %d); give more records, a larger "
                            "--max-seqlets (now %d), a smaller --min-metacluster-size or --min-seqlets, or a smaller "
                            "--window (now %d) and --flank (now %d)", kind, names[target], n, modisco.min_metacluster,
                            modisco.min_seqlets, modisco.max_seqlets, modisco.window, modisco.flank)
            patterns += [(names[target], pattern) for pattern in found]
        check_stop()  # a stop asked during the last TF-MoDISco: no files written
        background = _background(one_hot)
    patterns = rank_patterns(patterns)
    motifs = [_meme_motif(rank, cls, pattern) for rank, (cls, pattern) in enumerate(patterns, start=1)]
    report = find_report(out)
    # Every file under a temporary name, all renamed at the end, patterns.json last: a stop while the figures
    # are drawn leaves an earlier run's files whole (figures no patterns.json lists would stay for good).
    with staged_outputs() as stage:
        written = write_motifs(out / "patterns", motifs, letters, background, motif_options.formats,
                               alphabet_name=encoder.alphabet.name, strands=letters == "ACGT", stage=stage)
        best, match_images = _match(out, patterns, motifs, letters, database, motif_options.top, stage)
        windows = window_table(dataset.ids, dataset.encoder.length, dataset.lengths, dataset.where) \
            if genome_coordinates is not False else None  # along the model's input, records cropped or padded
        if genome_coordinates is None:  # a BED-trained run's own windows were given along the records
            genome_coordinates = windows is not None
        write_text(stage(out / "seqlets.tsv"),
                   seqlets_table(patterns, motifs, dataset.ids, genome_coordinates, windows))
        kernel_matches = _distinct_matches(report, motifs, letters) if report is not None else {}
        groups = _label_groups(dataset)
        write_text(stage(out / "patterns.tsv"),
                   patterns_table(patterns, motifs, dataset, groups, letters, best, kernel_matches))
        images = _draw_patterns(out, patterns, motifs, letters, stage)
        summary = summary_entry(run, dataset, attribution, modisco, data_label, [names[t] for t in chosen],
                                patterns, motifs, groups, letters, best, images, match_images, kernel_matches,
                                database.source if database else None)
        written = {path.name for path in written} | set(images.values()) | set(match_images.values()) | {
            "seqlets.tsv", "patterns.tsv", SUMMARY}
        if database is not None and motifs:
            written.add("pattern_matches.tsv")
        _refuse_users_files(out, written, earlier_files)  # before anything is renamed into place
        summary["files"] = sorted(written)  # what a rerun may remove
        write_json(stage(out / SUMMARY), summary)  # staged last: renamed last
    _remove_earlier_outputs(out, written, earlier_files)
    log.info("wrote %d pattern(s) to %s", len(patterns), out)
    if report is not None:
        warn_if_other_run(report, run, "patterns")
        log.info("added the patterns section to %s", render_report(report, run=run))
    return summary


def rank_patterns(patterns: list) -> list:
    """(class, Pattern) pairs, strongest first: positive patterns by seqlet count, then negative ones."""
    return sorted(patterns, key=lambda item: (item[1].sign < 0, -len(item[1].seqlets)))


def _meme_motif(rank: int, class_name: str, pattern) -> MemeMotif:
    sign = "pos" if pattern.sign > 0 else "neg"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", str(class_name)) or "class"
    return MemeMotif(f"pattern_{rank}", f"{safe}.{sign}.{pattern.index}", pattern.core_pfm, len(pattern.seqlets))


def _label_groups(dataset) -> list:
    """Names of the groups seqlets are counted in, and each record's membership (n, groups) as booleans.

    Labelled data: the classes (a multi-label record counts in each of its classes). Unlabelled
    FASTA and regression data: none (an empty list).
    """
    labels = np.asarray(dataset.labels)
    if labels.ndim != 2 or labels.shape[1] == 0 or getattr(dataset, "task", "classification") == "regression":
        return []
    return [(str(name), labels[:, index].astype(bool)) for index, name in enumerate(dataset.class_names)]


def patterns_table(patterns, motifs, dataset, groups, letters: str, best: dict, kernel_matches: dict) -> str:
    """``patterns.tsv``: one row per pattern, in the order of ``patterns.meme``."""
    columns = ["pattern", "class", "sign", "seqlets"] + [f"seqlets_{name}" for name, _ in groups]
    columns += ["consensus", "width", "modisco_name", "best_match_id", "best_match_name", "best_match_p",
                "best_match_q", "kernel_motif", "kernel_motif_p"]
    lines = ["\t".join(columns)]
    for (class_name, pattern), motif in zip(patterns, motifs):
        records = np.array([seqlet.record for seqlet in pattern.seqlets], dtype=int)
        row = [motif.name, str(class_name), "+" if pattern.sign > 0 else "-", str(len(pattern.seqlets))]
        row += [str(int(member[records].sum())) for _, member in groups]
        row += [consensus(pattern.core_pfm, letters), str(len(motif.pwm)), motif.alt_name]
        match = best.get(motif.name)
        row += ([match.target_id, match.target_name, f"{match.p_value:.3g}", f"{match.q_value:.3g}"] if match
                else [""] * 4)
        kernel = kernel_matches.get(motif.name)
        row += [kernel[0], f"{kernel[1]:.3g}"] if kernel else ["", ""]
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def seqlets_table(patterns, motifs, ids, genome_coordinates: bool = False, windows=FROM_IDS) -> str:
    """``seqlets.tsv``: record id, start, end (0-based, end exclusive), strand, pattern, contribution.

    With ``genome_coordinates``: chrom, start, end and strand on the genome of the window each
    seqlet lies in (records named ``chrom:start-end(strand)``, minus-strand windows mapped back by
    :func:`motifnet.data.coordinates.genome_sites`), pattern, contribution, and the window; a
    record that is not a genome window keeps its id and positions, with window NA. ``windows``: the records'
    :func:`motifnet.data.windows.window_table` (None: no record is a window; default: made from ``ids``, records
    read as they are).
    """
    from ..data.coordinates import genome_sites

    seqlets = [(motif.name, seqlet) for (_, pattern), motif in zip(patterns, motifs) for seqlet in pattern.seqlets]
    rows = [seqlet.record for _, seqlet in seqlets]
    starts, ends = [seqlet.start for _, seqlet in seqlets], [seqlet.end for _, seqlet in seqlets]
    strands = [seqlet.strand for _, seqlet in seqlets]
    records = [str(ids[row]) for row in rows]
    places = [[] for _ in seqlets]
    if genome_coordinates:
        sites = genome_sites(ids, rows, starts, ends, strands, windows)
        records, starts, ends, strands = sites.chrom, sites.start, sites.end, sites.strand
        places = [[window] for window in sites.window]
    columns = ["chrom" if genome_coordinates else "id", "start", "end", "strand", "pattern", "contribution"]
    lines = ["\t".join(columns + (["window"] if genome_coordinates else []))]
    for (name, seqlet), record, start, end, strand, window in zip(seqlets, records, starts, ends, strands, places):
        lines.append("\t".join([str(record), str(start), str(end), str(strand), name,
                                f"{seqlet.contribution:.6g}", *window]))
    return "\n".join(lines) + "\n"


def _match(out: Path, patterns, motifs, letters: str, database, top: int, stage) -> tuple:
    """TOMTOM of the trimmed PFMs: ``pattern_matches.tsv``, and ``match_pattern_N.png`` for q < 0.05, written
    where ``stage`` says (:func:`motifnet._io.staged_outputs`).

    Returns (best match by pattern name, figure by pattern name).
    """
    if database is None or not motifs:
        return {}, {}
    log.info("matching %d pattern(s) with %s", len(motifs), database.source)
    matches = match_motifs(motifs, database, top)
    write_text(stage(out / "pattern_matches.tsv"), matches_tsv(matches))
    best, images = {}, {}
    for (_, pattern), motif, rows in zip(patterns, motifs, matches):
        if not rows:
            continue
        best[motif.name] = match = rows[0]
        if match.q_value < SIGNIFICANT_Q:
            images[motif.name] = f"match_{motif.name}.png"
            check_stop()
            _save_match_figure(stage(out / images[motif.name], ".png"), motif.name, pattern, match, letters)
    return best, images


def _save_match_figure(path: Path, name: str, pattern, match, letters: str) -> None:
    """The pattern's PFM (its core was matched; trimmed columns shaded, as many as ``pattern_N.png`` shows) over its
    match."""
    from .annotate import write_match_figure

    start, end = shown_columns(len(pattern.pfm), pattern.core)
    write_match_figure(path, f"{name}: probability matrix of its seqlets", pattern.pfm[start:end],
                       (pattern.core[0] - start, pattern.core[1] - start), match, letters, first_column=start + 1,
                       xlabel="pattern position (shaded: trimmed)")


def _draw_patterns(out: Path, patterns, motifs, letters: str, stage) -> dict:
    """``pattern_N.png`` for every pattern: CWM and PFM logos side by side, written where ``stage`` says; a stop
    is honoured before each."""
    import matplotlib.pyplot as plt

    images = {}
    for (class_name, pattern), motif in zip(patterns, motifs):
        check_stop()
        shown = shown_columns(len(pattern.cwm), pattern.core)
        width = max(4.0, 0.38 * (shown[1] - shown[0]) + 1.2)  # per logo
        figure, axes = plt.subplots(1, 2, figsize=(2 * width, 2.6), layout="constrained")
        plot_pattern(pattern.cwm, pattern.pfm, pattern.core, letters, axes=axes)
        figure.suptitle(f"{motif.name} ({class_name}, {'positive' if pattern.sign > 0 else 'negative'}, "
                        f"{len(pattern.seqlets)} seqlets)", fontsize=11)
        images[motif.name] = f"{motif.name}.png"
        save_figure(figure, stage(out / images[motif.name], ".png"))
    return images


def _distinct_matches(report: Path, motifs, letters: str) -> dict:
    """The distinct kernel motif of the report (``motifs_distinct.meme``) each pattern matches, if any.

    TOMTOM of each pattern's trimmed PFM against the distinct motifs (both strands for DNA and
    RNA); a pattern matches the group with the smallest p-value when it is below 1e-4, the
    threshold that groups kernels into distinct motifs. Returns {pattern name: (group, p-value)}.
    """
    path = report / DISTINCT_MEME
    if not path.is_file() or not motifs:
        return {}
    try:
        groups = in_query_letters(letters, read_motif_file(path, "distinct motifs"), "the patterns")
    except ParamError:  # another model's motifs
        return {}
    comparison = compare_motifs([m.pwm for m in motifs], [g.pwm for g in groups.motifs],
                                reverse_complement=letters in COMPLEMENTED, warn=False)
    found = {}
    for index, motif in enumerate(motifs):
        target = int(np.argmin(comparison.p_values[index]))
        p_value = float(comparison.p_values[index, target])
        if p_value < SAME_P:
            found[motif.name] = (groups.motifs[target].name, p_value)
    log.info("%d pattern(s) match a distinct kernel motif of %s", len(found), path)
    return found


def summary_entry(run, dataset, attribution: AttributionConfig, modisco: ModiscoConfig, data_label: str,
                  classes: list, patterns, motifs, groups, letters: str, best: dict, images: dict,
                  match_images: dict, kernel_matches: dict, database: str | None) -> dict:
    """The content of ``patterns.json`` (read back by :func:`motifnet.report.patterns.report_entries`)."""
    rows = []
    for (class_name, pattern), motif in zip(patterns, motifs):
        records = np.array([seqlet.record for seqlet in pattern.seqlets], dtype=int)
        match = best.get(motif.name)
        kernel = kernel_matches.get(motif.name)
        rows.append({
            "name": motif.name,
            "class": str(class_name),
            "sign": "+" if pattern.sign > 0 else "-",
            "seqlets": len(pattern.seqlets),
            "seqlets_per_group": [[name, int(member[records].sum())] for name, member in groups],
            "consensus": consensus(pattern.core_pfm, letters),
            "image": images[motif.name],
            "match_image": match_images.get(motif.name),
            "best_match": None if match is None else {
                "target_id": match.target_id, "target_name": match.target_name,
                "p_value": float(match.p_value), "q_value": float(match.q_value)},
            "kernel_motif": None if kernel is None else {"group": kernel[0], "p_value": kernel[1]},
        })
    return {
        "motifnet_version": __version__,
        "run": str(Path(run.path).resolve()),  # absolute: the report compares it with its own run
        "method": attribution.method,
        "method_label": _method_text(attribution),
        "classes": classes,  # the classes explained, or a regression model's targets
        "regression": dataset.task == "regression",
        "data": data_label,
        "n_sequences": len(dataset),
        "modisco": {"package": "modisco-lite", "version": _modisco_version(), **vars(modisco)},
        "motif_database": database,
        "patterns": rows,
    }


def _method_text(config: AttributionConfig) -> str:
    text = config.method
    if config.baseline:
        text += f", {config.baseline} baseline"
        if config.shuffles:
            text += f" x {config.shuffles}"
    if config.steps:
        text += f", {config.steps} steps"
    return text


def _no_seqlets_hint(config: AttributionConfig) -> str:
    """What a user could change when the contributions leave TF-MoDISco no seqlets to find."""
    if config.baseline == "shuffle":
        # The usual cause: a record of one repeated letter is its own shuffle, so it contributes 0.
        return ("give records of varied sequence, or --baseline uniform (a record of one repeated letter is its own "
                "shuffle)")
    return "give records of varied sequence"


def _modisco_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("modisco-lite")
    except PackageNotFoundError:
        return "unknown"


def _fill_one_hot(dataset, one_hot: np.ndarray, batch_size: int) -> None:
    """The sequence channels of every record, batch by batch."""
    letters = one_hot.shape[2]
    for start in range(0, len(dataset), batch_size):
        rows = slice(start, min(start + batch_size, len(dataset)))
        one_hot[rows] = dataset.model_inputs(rows)["sequence"][..., :letters]


def _background(one_hot: np.ndarray) -> np.ndarray:
    """Letter frequencies of the sequences (padding excluded); even when there are no letters."""
    totals = np.zeros(one_hot.shape[2])
    for start in range(0, len(one_hot), 4096):
        totals += np.asarray(one_hot[start:start + 4096], dtype=np.float64).sum(axis=(0, 1))
    return totals / totals.sum() if totals.sum() > 0 else np.full(len(totals), 1 / len(totals))


def _any_letter(one_hot, rows: int = 4096) -> bool:
    """Whether any position of the records holds a known letter (a 1; N is spread over the letters or 0)."""
    return any(np.any(one_hot[start:start + rows] == 1) for start in range(0, len(one_hot), rows))


def motifs_figure(name: str) -> bool:
    """Whether ``motifnet motifs`` writes a numbered figure of this name (``pattern_3.png``) in its output folder."""
    return _FIGURE_NAME.fullmatch(name) is not None


def _earlier_files(out: Path) -> list | None:
    """The files an earlier ``motifs`` left in ``out``, as its ``patterns.json`` lists them (``files``; an older
    one's: the figures it lists, the match table and the motif files of every format); None without one."""
    if not (out / SUMMARY).is_file():
        return None
    try:
        summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        files = summary.get("files")
        if isinstance(files, list):
            return [name for name in files if isinstance(name, str) and (name in MOTIFS_FILES
                                                                          or _FIGURE_NAME.fullmatch(name))]
        patterns = summary.get("patterns") or []
        names = [entry.get(key) for entry in patterns for key in ("image", "match_image")]
    except (OSError, ValueError, AttributeError):
        return []
    return [*(name for name in names if isinstance(name, str) and _FIGURE_NAME.fullmatch(name)),
            "pattern_matches.tsv", *_MOTIF_FILES]


def _refuse_users_files(out: Path, names: set, earlier: list | None) -> None:
    """Refuse to write the files ``names`` into ``out`` where one of them is the user's: not one of ``earlier``
    (the earlier run's, :func:`_earlier_files`) nor a file of the names every run writes beside an earlier
    ``patterns.json`` (see :func:`motifnet.workflows._output.refuse_users_files`)."""
    ours = set(earlier or ()) | ({*_TABLES, "patterns.meme"} if earlier is not None else set())
    where = f"the {SUMMARY} there does not list it as its run's" if earlier is not None else f"no {SUMMARY}"
    refuse_users_files(out, names, ours, "motifs", where)


def _remove_earlier_outputs(out: Path, written: set, earlier_files: list | None) -> None:
    """Delete what an earlier ``motifs`` wrote here and this run did not write again, and nothing else.

    Called once this run's files are written, so that a run that fails or is stopped leaves the
    earlier results whole. In a folder that held this command's ``patterns.json`` before: the files it
    lists (:func:`_earlier_files`). A file of this command's names that no ``patterns.json`` lists is the
    user's, and stays (or the run is refused, where it would write one: :func:`_refuse_users_files`).
    """
    if earlier_files is not None:
        remove_unwritten(out, earlier_files, written)
