"""``motifnet scan``: hits of MEME motifs in FASTA files, their enrichment per class, files and heat map."""

from __future__ import annotations

import logging
from pathlib import Path

from .._io import write_json, write_text
from ..errors import InputError
from ..motifs.enrichment import ENRICHMENT_COLUMNS, enrichment_table, log2_odds_matrix
from ..motifs.scan import ScanConfig, ScanResult, load_scan_motifs, scan_files

log = logging.getLogger("motifnet")


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


def scan_to_folder(motif_path, files, out_dir, config: ScanConfig) -> ScanResult:
    """Scan ``files`` (FASTA, or BED with ``config.genome``; one per class) for the motifs of ``motif_path``.

    Writes ``hits.tsv``, ``hits.bed``, ``enrichment.tsv``, ``scan.json`` (what the report shows) and,
    with two classes or more, ``enrichment.png``. When OUT_DIR or its parent is a report folder of
    ``visualize-kernels``, its page is rendered again with the scan section.

    Parameters
    ----------
    motif_path : path
        A MEME file, or a report folder (see :func:`motifnet.motifs.scan.motif_file`).
    files : list of path
    out_dir : path
    config : ScanConfig

    Returns
    -------
    ScanResult
    """
    from ..plot.figures import save_figure
    from ..plot.scan import plot_enrichment
    from ..report.motif_sites import SCAN_SUMMARY
    from ..report.summary import find_report, render_report

    motifs = load_scan_motifs(motif_path)
    log.info("scanning %d FASTA file(s) for %d motifs of %s", len(files), len(motifs.names), motifs.path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = scan_files(motifs, files, config.checked(), out / "hits.tsv", out / "hits.bed")
    rows = enrichment_table(motifs.names, result.class_names, result.records_with_hit, result.records_per_class)
    write_text(out / "enrichment.tsv", enrichment_text(rows))
    image = None
    if len(result.class_names) > 1:
        ax = plot_enrichment(log2_odds_matrix(rows, motifs.names, result.class_names), motifs.names,
                             result.class_names)
        image = "enrichment.png"
        save_figure(ax.figure, out / image)
    keys = ("motif", "class", "records_with_hit", "fraction", "log2_odds_ratio", "q_value")
    write_json(out / SCAN_SUMMARY, {
        "motif_file": str(motifs.path), "classes": result.class_names,
        "records": int(result.records_per_class.sum()), "hits": result.hits, "threshold": config.threshold,
        "q_threshold": config.q_threshold, "background": config.background,
        "background_frequencies": dict(zip("ACGT", (round(float(value), 6) for value in result.background))),
        "genome": config.genome, "enrichment": [{key: row[key] for key in keys} for row in rows],
        "image": image})
    report = find_report(out)
    if report is not None:
        try:
            log.info("added the scan section to %s", render_report(report))
        except InputError as error:
            log.warning("warning: the report in %s was not updated (%s)", report, error)
    return result
