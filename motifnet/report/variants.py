"""The variants section of ``summary.html``: what ``motifnet variants`` left in a report folder.

Rendered by :func:`motifnet.report.summary.render_report` (``templates/variants_section.html``).
"""

from __future__ import annotations

from pathlib import Path

from ._sections import read_section_entries

SUMMARY = "variants.json"
_ENTRY_KEYS = ("vcf", "genome", "snvs", "skipped_indels", "skipped_mismatches", "window_length", "offset", "null",
               "logo_method", "top")
_ROW_KEYS = ("rank", "chrom", "pos", "id", "ref", "alt", "target", "ref_value", "alt_value", "delta", "p_value",
             "image")
_FILES = ("variants.tsv",)


def variant_entries(report_dir) -> list:
    """``variants.json`` summaries of ``report_dir`` and its immediate subfolders, paths relative to it."""
    report_dir = Path(report_dir)

    def localise(entry, prefix):
        for row in entry["top"]:
            row["image"] = prefix + row["image"]
        entry["files"] = [prefix + name for name in _FILES if (report_dir / prefix / name).is_file()]

    return read_section_entries(report_dir, SUMMARY, _ENTRY_KEYS, "top", _ROW_KEYS, "variants", localise)
