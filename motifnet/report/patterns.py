"""The TF-MoDISco patterns section of ``summary.html``: what ``motifnet motifs`` left in a report folder.

Rendered by :func:`motifnet.report.summary.render_report` (``templates/patterns_section.html``).
"""

from __future__ import annotations

from pathlib import Path

from ._sections import read_section_entries

SUMMARY = "patterns.json"
_ENTRY_KEYS = ("method_label", "classes", "data", "n_sequences", "modisco", "motif_database", "patterns")
_ROW_KEYS = ("name", "class", "sign", "seqlets", "seqlets_per_group", "consensus", "image", "match_image",
             "best_match", "kernel_motif")
# Files of the pattern folder the page links to, when present.
_FILES = ("patterns.meme", "patterns.tsv", "seqlets.tsv", "pattern_matches.tsv")


def report_entries(report_dir) -> list:
    """Pattern summaries shown in the report of ``report_dir``, with paths relative to it.

    Reads ``patterns.json`` in ``report_dir`` and in its immediate subfolders (sorted by folder
    name); unreadable files are skipped with a warning.
    """
    report_dir = Path(report_dir)

    def localise(entry, prefix):
        for row in entry["patterns"]:
            row["image"] = prefix + row["image"]
            if row["match_image"]:
                row["match_image"] = prefix + row["match_image"]
        folder = report_dir / prefix
        entry["files"] = [prefix + name for name in _FILES if (folder / name).is_file()]

    return read_section_entries(report_dir, SUMMARY, _ENTRY_KEYS, "patterns", _ROW_KEYS, "patterns", localise)
