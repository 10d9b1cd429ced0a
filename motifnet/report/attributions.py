"""The attribution sections of ``summary.html``: what ``motifnet attribute`` left in a report folder.

Rendered by :func:`motifnet.report.summary.render_report` (``templates/attribution_section.html``).
"""

from __future__ import annotations

from ._sections import read_section_entries

SUMMARY = "attribution.json"
_ENTRY_KEYS = ("method_label", "target", "data", "n_sequences", "score", "npz", "completeness", "top")
_ROW_KEYS = ("rank", "id", "target", "probability", "logit", "window_start", "window_end", "window_sequence",
             "window_structure", "window_score", "image")


def report_entries(report_dir) -> list:
    """Attribution summaries shown in the report of ``report_dir``, with paths relative to it.

    Reads ``attribution.json`` in ``report_dir`` and in its immediate subfolders (sorted by
    folder name); unreadable files are skipped with a warning.
    """
    def localise(entry, prefix):
        entry["npz"] = prefix + entry["npz"]
        for row in entry["top"]:
            row["image"] = prefix + row["image"]

    return read_section_entries(report_dir, SUMMARY, _ENTRY_KEYS, "top", _ROW_KEYS, "attribution", localise)

