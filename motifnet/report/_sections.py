"""Reading the summaries that commands leave in a report folder (``attribution.json``, ``patterns.json``)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

log = logging.getLogger("motifnet")


def read_section_entries(report_dir, summary: str, entry_keys, rows: str, row_keys, anchor: str, localise) -> list:
    """The summaries named ``summary`` in ``report_dir`` and its immediate subfolders, ready for the page.

    Each is checked for ``entry_keys`` and, in each of its ``rows``, for ``row_keys``; then
    ``localise(entry, prefix)`` makes its file names relative to ``report_dir`` (``prefix`` is
    the subfolder with a trailing slash, or empty). ``folder`` and an HTML ``anchor`` (starting
    with ``anchor``) are added. Unreadable summaries are left out with a warning.

    Returns
    -------
    list of dict
        In order: the folder's own summary, then those of subfolders sorted by name.
    """
    report_dir = Path(report_dir)
    entries = []
    for path in [report_dir / summary] + sorted(report_dir.glob(f"*/{summary}")):
        if not path.is_file():
            continue
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            missing = sorted(set(entry_keys) - set(entry)) + sorted(
                {key for row in entry[rows] for key in set(row_keys) - set(row)})
            if missing:
                raise KeyError(", ".join(missing))
            folder = path.parent.relative_to(report_dir).as_posix()
            prefix = "" if folder == "." else folder + "/"
            localise(entry, prefix)
            entry["folder"] = prefix or "./"
            entry["anchor"] = f"{anchor}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", prefix or "main").strip("-")
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("%s cannot be read (%s: %s); left out of the report", path,
                        type(error).__name__, error)
            continue
        entries.append(entry)
    return entries
