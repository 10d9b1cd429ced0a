"""Text from input files as motifnet shows it: in reports, figures and on the terminal."""

from __future__ import annotations

import os
import re

# C0 and C1 controls but the tab and line ends, and the characters that set the direction of the text after them
_UNSHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ELLIPSIS = "\u2026"


def shown_text(text) -> str:
    """``text`` with control and text-direction characters written as escapes (``\\u202e``).

    Names and ids come from input files: a right-to-left override in a class name turned the
    AUC 0.393 printed after it into "393.0", and a bell or escape character reached the terminal.
    """
    return _UNSHOWN.sub(lambda match: f"\\u{ord(match.group()):04x}", str(text))


def short_text(text, limit: int) -> str:
    """``text`` shown (:func:`shown_text`) in at most ``limit`` characters, cut in the middle."""
    return _cut(shown_text(text), max(limit, 3))


def short_labels(names, limit: int) -> list:
    """``names`` shown (:func:`shown_text`) in at most ``limit`` characters, cut in the middle.

    Names of class files often share an end (``CTCF_K562_idr_peaks``, ``GATA1_K562_idr_peaks``): when a
    name is longer than ``limit``, the end that all share is cut first, at a word's start. Then both ends
    of each are kept, as a shared start (``K562_idr_CTCF``, ``K562_idr_GATA1``) leaves the ends to tell
    them apart; where two cut names would read alike, all are cut less, so that names told apart stay apart.
    """
    shown = [shown_text(name) for name in names]
    longest = max(map(len, shown), default=0)
    if len(set(shown)) > 1 and longest > limit:
        shared = len(os.path.commonprefix([name[::-1] for name in shown]))
        end = shown[0][len(shown[0]) - shared:]
        shared -= min((end.find(mark) for mark in "_-. " if mark in end), default=0)  # cut at a word's start
        if shared > 3 and all(len(name) > shared for name in shown):
            shown = [name[:len(name) - shared] + ELLIPSIS for name in shown]
            longest -= shared - 1
    for width in range(max(limit, 3), longest + 1):
        labels = [_cut(name, width) for name in shown]
        if len(set(labels)) == len(set(shown)):
            return labels
    return shown


def _cut(name: str, width: int) -> str:
    if len(name) <= width:
        return name
    head = width // 2
    return name[:head] + ELLIPSIS + name[len(name) - (width - 1 - head):]
