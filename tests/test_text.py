"""Text from input files as reports, figures and the terminal show it (motifnet._text)."""

import pytest

from motifnet._text import short_labels, short_text, shown_text


def test_control_and_direction_characters_are_shown_escaped_and_line_ends_kept():
    """A right-to-left override in a class name reversed the AUC printed after it in the report and the ROC legend;
    a bell in a record id rang the terminal of `info`."""
    assert shown_text("cls\u202eA (AUC 0.393)") == "cls\\u202eA (AUC 0.393)"
    assert shown_text("id\x07\x1b[31m\u2066x\u200f") == "id\\u0007\\u001b[31m\\u2066x\\u200f"
    assert shown_text("a\tb\nc\r\n é Ω") == "a\tb\nc\r\n é Ω"
    assert shown_text(3) == "3"


@pytest.mark.parametrize("names, limit, expected", [
    (["a", "bb"], 5, ["a", "bb"]),  # short names stay whole
    # a shared start: both ends kept, the ends tell the names apart
    (["K562_conservative_IDR_peaks_CTCF", "K562_conservative_IDR_peaks_GATA1"], 22,
     ["K562_conser…peaks_CTCF", "K562_conser…eaks_GATA1"]),
    # a shared end is cut first, at a word's start (not "…K56" of "HepG2" and "K562")
    (["ENCFF001_CTCF_K562_conservative_IDR_peaks", "ENCFF003_ELK1_HepG2_conservative_IDR_peaks"], 24,
     ["ENCFF001_CTCF_K562…", "ENCFF003_ELK1_HepG2…"]),
    # names that would read alike cut at the limit are cut less
    (["aaaaaaaXbbb", "aaaaaaaYbbb"], 5, ["aaaa…Xbbb", "aaaa…Ybbb"]),
    (["aaaaaaaXbbbb", "aaaaaaaYbbbb"], 5, ["aa…X…", "aa…Y…"]),  # an end of four letters shared: cut first
    (["same_long_name", "same_long_name"], 6, ["sam…me", "sam…me"]),  # equal names stay equal
])
def test_short_labels_are_cut_in_the_middle_and_stay_distinct(names, limit, expected):
    labels = short_labels(names, limit)
    assert labels == expected
    assert len(set(labels)) == len(set(names))


def test_short_text_cuts_one_text_in_the_middle():
    assert short_text("a" * 30 + "Z", 9) == "aaaa…aaaZ"
    assert short_text("short", 9) == "short"
    assert short_text("x\u202e" + "y" * 20, 8) == "x\\u2…yyy"
