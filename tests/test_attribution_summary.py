"""The numbers behind the attribution logos and attribution.json, on hand-made score matrices."""

from types import SimpleNamespace

import numpy as np
import pytest

from motifnet.data.alphabets import DNA, structure_alphabet
from motifnet.data.encoding import Encoder
from motifnet.interpret.attribution import AttributionConfig
from motifnet.interpret.attribution_summary import (
    MAX_LOGO_POSITIONS,
    completeness,
    decode,
    logo_heights,
    method_label,
    sequence_title,
    sequence_view,
    shown_positions,
    target_description,
    top_order,
    window_entry,
)


def fake_result(scores, method="ism", values=None, task="classification", target=None, reference_logits=None):
    """An Attributions-like object for ``len(scores)`` sequences of 4 channels."""
    scores = np.asarray(scores, dtype=np.float32)
    n, length = scores.shape
    if values is None:
        values = np.zeros((n, length, 4), dtype=np.float32)
    return SimpleNamespace(
        values=values, scores=scores, targets=np.arange(n) % 2, logits=np.linspace(1, 2, n).astype(np.float32),
        reference_logits=reference_logits, probabilities=np.linspace(0.9, 0.5, n).astype(np.float32),
        channel_names=list("ACGT"), config=AttributionConfig(method, target).checked(), task=task)


def test_logo_heights_put_each_score_on_its_letter():
    dna = Encoder(DNA, 5)
    codes = np.array([1, 2, 3, 4, 0])  # A C G T padding
    sequence = dna.one_hot(codes[None])[0]
    heights, structure = logo_heights(np.array([1.0, -2.0, 0.5, 3.0, 9.0]), sequence, dna)
    np.testing.assert_array_equal(heights, [[1, 0, 0, 0], [0, -2, 0, 0], [0, 0, 0.5, 0], [0, 0, 0, 3], [0, 0, 0, 0]])
    assert structure is None
    rna = Encoder(DNA, 3, structure=structure_alphabet("()."), structure_mode="letters")
    codes = np.array([1 * 4 + 1, 4 * 4 + 3, 0])  # A(  T.  padding
    assert decode(rna, codes) == ("AT-", "(.-")
    assert decode(dna, np.array([4, 3, 0])) == ("TG-", None)
    sequence_heights, structure_heights = logo_heights(np.array([2.0, -1.0, 7.0]), rna.one_hot(codes[None])[0], rna)
    np.testing.assert_array_equal(sequence_heights, [[2, 0, 0, 0], [0, 0, 0, -1], [0, 0, 0, 0]])
    np.testing.assert_array_equal(structure_heights, [[2, 0, 0], [0, 0, -1], [0, 0, 0]])


def test_top_order_is_highest_first_and_stable():
    assert list(top_order(np.array([0.2, 0.9, 0.5, 0.9]), 3)) == [1, 3, 2]
    assert list(top_order(np.array([0.2]), 5)) == [0]


@pytest.mark.parametrize("config,label", [
    (AttributionConfig("saliency"), "saliency (|gradient| of the target logit)"),
    (AttributionConfig("integrated-gradients", steps=8), "integrated gradients, 8 steps, baseline: zeros"),
    (AttributionConfig("deeplift", baseline="shuffle", shuffles=3, seed=2),
     "DeepLIFT (rescale rule), baseline: 3 dinucleotide shuffles (seed 2)"),
])
def test_method_label(config, label):
    assert method_label(config.checked()) == label


def test_target_description():
    assert target_description(AttributionConfig("ism").checked(), fake_result(np.zeros((2, 3))),
                              ["up", "down"]) == "each sequence's predicted class"
    result = fake_result(np.zeros((2, 3)), target=1)
    result.targets = np.array([1, 1])
    assert target_description(result.config, result, ["up", "down"]) == "down"


def test_completeness_compares_sums_with_the_logit_change():
    values = np.zeros((3, 2, 4), dtype=np.float32)
    values[:, 0, 0] = [1.0, 2.0, 0.5]  # sums 1, 2, 0.5
    result = fake_result(np.zeros((3, 2)), "deeplift", values, reference_logits=np.zeros(3))
    result.logits = np.array([1.0, 2.5, 0.5], dtype=np.float32)  # errors 0, 0.2, 0
    checks = completeness(result)
    assert checks["median_relative_error"] == pytest.approx(0.0)
    assert checks["max_relative_error"] == pytest.approx(0.2)
    assert checks["max_absolute_error"] == pytest.approx(0.5)  # a relative error alone hid it
    assert checks["mean_logit_difference"] == pytest.approx(4 / 3)
    assert completeness(fake_result(np.zeros((1, 2)))) is None


def test_window_entry_names_the_strongest_window():
    result = fake_result([[0, 1, 5, -2, 3, 4, 0]])
    entry = window_entry(result, 0, 4, 2, "ACGTACG", None, ["up", "down"])
    assert entry == {"target": "up", "probability": pytest.approx(0.9), "logit": pytest.approx(1.0),
                     "window_start": 5, "window_end": 6, "window_sequence": "AC", "window_structure": None,
                     "window_score": pytest.approx(7.0)}
    assert window_entry(result, 0, 0, 50, "ACGTACG", "((...))", ["up"])["window_structure"] == "((...))"


def test_shown_positions_centre_long_sequences_on_their_strongest_window():
    assert shown_positions(np.ones(40), 5) == (0, 40)
    scores = np.zeros(300)
    scores[200:205] = 1.0
    first, last = shown_positions(scores, 5)
    assert last - first == MAX_LOGO_POSITIONS and first < 200 and 205 <= last
    assert first == 202 - MAX_LOGO_POSITIONS // 2
    scores = np.zeros(300)
    scores[-3:] = 1.0  # at the end: the window stays inside the sequence
    assert shown_positions(scores, 5) == (300 - MAX_LOGO_POSITIONS, 300)


def test_a_padded_records_shown_part_is_taken_from_its_letters():
    """A 100-letter record padded to 200 showed positions 81-200, half of them padding, and lost letters 51-80."""
    scores = np.zeros(200)
    scores[140:145] = 1.0
    assert shown_positions(scores, 5, letters=(50, 150)) == (50, 150)  # the letters fit: all of them
    scores = np.zeros(400)
    scores[395:] = 5.0  # the padding's scores do not draw the window (ISM, uniform baselines gave it some)
    scores[140:145] = 1.0
    first, last = shown_positions(scores, 5, letters=(50, 350))
    assert last - first == MAX_LOGO_POSITIONS and 50 <= first <= 140 and 145 <= last <= 350


@pytest.mark.parametrize("method", ["saliency", "grad-input", "integrated-gradients", "deeplift", "ism"])
def test_a_regression_sequences_figure_gives_its_value_and_no_logit(method):
    """A regression output has no logit; titles, axis and heat-map labels said "logit"."""
    result = fake_result(np.zeros((1, 4)), method, task="regression", target=0)
    title = sequence_title(result, 0, ["expression"], "s1")
    assert title.startswith("s1: target expression (predicted 0.900); ") and "logit" not in title
    view = sequence_view(result, 0, Encoder(DNA, 4).one_hot(np.array([[1, 2, 3, 4]]))[0], Encoder(DNA, 4),
                         ["expression"], "s1")
    assert "logit" not in f"{view.title} {view.axis_label} {view.heatmap_label}"
    classified = sequence_title(fake_result(np.zeros((1, 4)), method), 0, ["up", "down"], "s1")
    assert "logit 1.00" in classified


def test_a_long_record_id_is_cut_in_the_figure_title():
    """An id of 300 letters made the figure 3,762 pixels wide, its logo a strip of the left third."""
    title = sequence_title(fake_result(np.zeros((1, 4)), "ism"), 0, ["up", "down"], "chr1_" + "x" * 300 + "_end", 2)
    assert title.startswith("2. chr1_" + "x" * 19 + "…" + "x" * 19 + "_end: target up ") and len(title) < 150


@pytest.mark.parametrize("method,heatmap", [("ism", True), ("saliency", True), ("deeplift", False)])
def test_sequence_view_of_a_short_and_a_long_sequence(method, heatmap):
    dna = Encoder(DNA, 200)
    codes = np.tile([1, 2, 3, 4], 50)
    sequence = dna.one_hot(codes[None])[0]
    scores = np.zeros((1, 200))
    scores[0, 150] = 2.0
    result = fake_result(scores, method, np.ones((1, 200, 4), dtype=np.float32))
    view = sequence_view(result, 0, sequence, dna, ["up", "down"], "seq<1>", rank=3, window_width=1)
    assert view.partial and view.last - view.first == MAX_LOGO_POSITIONS and view.first <= 150 < view.last
    assert view.logo.shape == view.strip.shape == (MAX_LOGO_POSITIONS, 4)
    assert view.logo[150 - view.first].tolist() == [0, 0, 2.0, 0]  # position 151 is a G
    np.testing.assert_array_equal(view.strip.sum(axis=1), 1)
    assert view.title.startswith("3. seq<1>: target up (probability 0.900, logit 1.00); ")
    assert (view.heatmap is not None) == heatmap and view.structure_logo is None
    short = sequence_view(fake_result(np.ones((1, 4)), method), 0, Encoder(DNA, 4).one_hot(codes[None, :4])[0],
                          Encoder(DNA, 4), ["up", "down"], "s")
    assert not short.partial and (short.first, short.last) == (0, 4) and not short.title.startswith("None")
