"""The sections of ``summary.html`` for ``motifnet scan`` (motif sites and their enrichment) and ``motifnet
marginalize`` (effects of inserted motifs): what those commands left in a report folder.

Rendered by :func:`motifnet.report.summary.render_report` (``templates/scan_section.html`` and
``templates/marginalize_section.html``).
"""

from __future__ import annotations

from pathlib import Path

from ._sections import read_section_entries

SCAN_SUMMARY = "scan.json"
MARGINALIZE_SUMMARY = "marginalize.json"
_SCAN_KEYS = ("motif_file", "classes", "records", "hits", "threshold", "q_threshold", "enrichment", "image")
_SCAN_ROW_KEYS = ("motif", "class", "records_with_hit", "fraction", "log2_odds_ratio", "q_value")
_SCAN_FILES = ("hits.tsv", "hits.bed", "enrichment.tsv")
_MARGINALIZE_KEYS = ("motif_file", "n", "inserted", "effects", "image", "pair_images")
# (and mean_logit_delta, but for regression models)
_MARGINALIZE_ROW_KEYS = ("motif", "class", "mean_delta", "ci_low", "ci_high")
_MARGINALIZE_FILES = ("effects.tsv", "pairs.tsv", "ablation.tsv")


def _localiser(report_dir: Path, files: tuple):
    def localise(entry, prefix):
        if entry["image"]:
            entry["image"] = prefix + entry["image"]
        entry["pair_images"] = [prefix + image for image in entry.get("pair_images", [])]
        # the files the summary says its run wrote, where it says (a file of such a name may be the user's)
        listed = entry.get("files")
        entry["files"] = [prefix + name for name in files if (report_dir / prefix / name).is_file()
                          and (not isinstance(listed, list) or name in listed)]
    return localise


def scan_entries(report_dir) -> list:
    """``scan.json`` summaries of ``report_dir`` and its immediate subfolders, paths relative to it."""
    report_dir = Path(report_dir)
    return read_section_entries(report_dir, SCAN_SUMMARY, _SCAN_KEYS, "enrichment", _SCAN_ROW_KEYS, "scan",
                                _localiser(report_dir, _SCAN_FILES))


def marginalize_entries(report_dir) -> list:
    """``marginalize.json`` summaries of ``report_dir`` and its immediate subfolders, paths relative to it."""
    report_dir = Path(report_dir)
    return read_section_entries(report_dir, MARGINALIZE_SUMMARY, _MARGINALIZE_KEYS, "effects", _MARGINALIZE_ROW_KEYS,
                                "marginalize", _localiser(report_dir, _MARGINALIZE_FILES))
