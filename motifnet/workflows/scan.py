"""``motifnet scan``: hits of MEME motifs in FASTA files, their enrichment per class, files and heat map."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .._io import remove_unwritten, write_json, write_text
from ..errors import InputError
from ..motifs.enrichment import ENRICHMENT_COLUMNS, enrichment_table, log2_odds_matrix
from ..motifs.scan import ScanConfig, ScanResult, load_scan_motifs, scan_class_names, scan_files
from ._output import check_own_folder, locked_output_folder, refuse_unlisted

log = logging.getLogger("motifnet")


#: The files scan writes in OUT_DIR besides ``scan.json`` (which every scan writes again).
SCAN_FILES = ("hits.tsv", "hits.bed", "enrichment.tsv", "enrichment.png")


def _earlier_outputs(out: Path) -> list:
    """The files of :data:`SCAN_FILES` that the ``scan.json`` already in ``out`` says its scan wrote: its
    tables, and ``enrichment.png`` where its ``image`` names it; none without a ``scan.json`` (files of
    these names are then the user's)."""
    from ..report.motif_sites import SCAN_SUMMARY

    if not (out / SCAN_SUMMARY).is_file():
        return []
    try:
        image = json.loads((out / SCAN_SUMMARY).read_text(encoding="utf-8")).get("image")
    except (OSError, ValueError, AttributeError):
        image = None
    return [name for name in SCAN_FILES if name != "enrichment.png" or image == name]


def _remove_earlier_outputs(out: Path, earlier, written) -> None:
    """Remove the files an earlier scan into ``out`` wrote (``earlier``) that this one did not write again
    (``enrichment.png`` of more classes), lest they pass for this run's; never another file."""
    for path in remove_unwritten(out, earlier, written):
        log.info("removed %s of an earlier scan", path)


def _cell(value) -> str:
    if value is None:
        return "NA"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def enrichment_text(rows) -> str:
    """``enrichment.tsv``: :data:`motifnet.motifs.enrichment.ENRICHMENT_COLUMNS`, NA for untested cells."""
    lines = ["\t".join(ENRICHMENT_COLUMNS)]
    lines += ["\t".join(_cell(row[column]) for column in ENRICHMENT_COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


def scan_to_folder(motif_path, files, out_dir, config: ScanConfig, class_names=None) -> ScanResult:
    """Scan ``files`` (FASTA, or BED with ``config.genome``; one per class) for the motifs of ``motif_path``.

    Writes ``hits.tsv``, ``hits.bed``, ``enrichment.tsv``, ``scan.json`` (what the report shows) and,
    with two classes or more, ``enrichment.png``; then removes those of :data:`SCAN_FILES` an earlier
    scan left in OUT_DIR that this one did not write. When OUT_DIR or its parent is a report folder of
    ``visualize-kernels``, its page is rendered again with the scan section. The inputs are checked
    before OUT_DIR is made, and a scan that fails removes the folders it made while they are empty.

    Parameters
    ----------
    motif_path : path
        A motif file, or a report folder (see :func:`motifnet.motifs.scan.motif_file`).
    files : list of path
    out_dir : path
    config : ScanConfig
    class_names : list of str or None
        One per file, in order. Default is None: the files' names (:func:`motifnet.motifs.scan.scan_class_names`).

    Returns
    -------
    ScanResult

    Raises
    ------
    InputError, ParamError
        Motifs, files or options that cannot be used (see :func:`motifnet.motifs.scan.scan_files`).
    """
    from ..plot.figures import save_figure
    from ..plot.scan import plot_enrichment
    from ..report.motif_sites import SCAN_SUMMARY
    from ..report.summary import find_report, render_report

    motifs = load_scan_motifs(motif_path)
    config = config.checked()
    class_names = scan_class_names(files, class_names)  # checked before the folder is made; warned of once
    log.info("scanning %d file(s) for %d motif(s) of %s", len(files), len(motifs.names), motifs.path)
    out = Path(out_dir)
    names = [name for name in SCAN_FILES if name != "enrichment.png" or len(files) > 1]  # those this scan writes
    own = check_own_folder(out, SCAN_SUMMARY, lambda summary: "motif_file" in summary and "enrichment" in summary,
                           names, "scan")
    with locked_output_folder(out, "scan"):
        earlier = _earlier_outputs(out)
        if own:  # an enrichment.png beside a scan of one class, which drew none, is the user's
            refuse_unlisted(out, names, earlier, SCAN_SUMMARY, "scan")
        result = scan_files(motifs, files, config, out / "hits.tsv", out / "hits.bed", class_names)
        rows = enrichment_table(motifs.names, result.class_names, result.records_with_hit, result.records_per_class,
                                result.scanned, motifs.alt_names)
        write_text(out / "enrichment.tsv", enrichment_text(rows))
        image = None
        if len(result.class_names) > 1:
            ax = plot_enrichment(log2_odds_matrix(rows, motifs.names, result.class_names), motifs.names,
                                 result.class_names, scanned=result.scanned,
                                 records_with_hit=result.records_with_hit.sum(axis=1),
                                 records=int(result.records_per_class.sum()))
            image = "enrichment.png"
            save_figure(ax.figure, out / image)
        keys = ("motif", "motif_alt_id", "class", "records_with_hit", "fraction", "log2_odds_ratio", "q_value")
        write_json(out / SCAN_SUMMARY, {
            "motif_file": str(motifs.path), "classes": result.class_names,
            "records": int(result.records_per_class.sum()), "hits": result.hits, "threshold": config.threshold,
            "q_threshold": config.q_threshold, "background": config.background,
            "background_frequencies": dict(zip(motifs.letters, (round(float(value), 6)
                                                                for value in result.background))),
            "genome": config.genome, "strands": "both" if result.both_strands else "given",
            "enrichment": [{key: row[key] for key in keys} for row in rows],
            "image": image})
        _remove_earlier_outputs(out, earlier, {"hits.tsv", "hits.bed", "enrichment.tsv", image})
        report = find_report(out)
        if report is not None:
            try:
                log.info("added the scan section to %s", render_report(report))
            except InputError as error:
                log.warning("the report in %s was not updated (%s)", report, error)
    return result
