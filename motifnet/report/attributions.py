"""The attribution sections of ``summary.html``: what ``motifnet attribute`` left in a report folder.

Rendered by :func:`motifnet.report.summary.render_report` (``templates/attribution_section.html``).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

log = logging.getLogger("motifnet")

SUMMARY = "attribution.json"
_ENTRY_KEYS = ("method_label", "target", "data", "n_sequences", "score", "npz", "completeness", "top")
_ROW_KEYS = ("rank", "id", "target", "probability", "logit", "window_start", "window_end", "window_sequence",
             "window_structure", "window_score", "image")


def report_entries(report_dir) -> list:
    """Attribution summaries shown in the report of ``report_dir``, with paths relative to it.

    Reads ``attribution.json`` in ``report_dir`` and in its immediate subfolders (sorted by
    folder name); unreadable files are skipped with a warning.
    """
    report_dir = Path(report_dir)
    candidates = [report_dir / SUMMARY] + sorted(report_dir.glob(f"*/{SUMMARY}"))
    entries = []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            missing = sorted(set(_ENTRY_KEYS) - set(entry)) + sorted(
                {key for row in entry["top"] for key in set(_ROW_KEYS) - set(row)})
            if missing:
                raise KeyError(", ".join(missing))
            folder = path.parent.relative_to(report_dir).as_posix()
            prefix = "" if folder == "." else folder + "/"
            entry["npz"] = prefix + entry["npz"]
            for row in entry["top"]:
                row["image"] = prefix + row["image"]
            entry["folder"] = prefix or "./"
            entry["anchor"] = "attribution-" + re.sub(r"[^A-Za-z0-9_-]+", "-", prefix or "main").strip("-")
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("warning: %s cannot be read (%s: %s); left out of the report", path,
                        type(error).__name__, error)
            continue
        entries.append(entry)
    return entries

