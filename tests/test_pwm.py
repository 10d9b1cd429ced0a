"""motifnet._pwm: letter heights in bits for known matrices."""

import warnings

import numpy as np
import pytest

from motifnet._pwm import information_matrix


def test_known_rows_of_a_dna_matrix():
    pwm = np.array([
        [1.0, 0.0, 0.0, 0.0],      # certain: 2 bits, all on A
        [0.25, 0.25, 0.25, 0.25],  # uniform: nothing
        [0.5, 0.0, 0.5, 0.0],      # two letters: 1 bit, half each
        [0.0, 0.0, 0.0, 0.0],      # padding: stays zero
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log2(0) must not warn
        heights = information_matrix(pwm)
    np.testing.assert_allclose(heights, [[2, 0, 0, 0], [0, 0, 0, 0], [0.5, 0, 0.5, 0], [0, 0, 0, 0]], atol=1e-12)


def test_rows_sum_to_their_information_content_for_any_alphabet():
    rng = np.random.default_rng(0)
    for letters in (2, 4, 20):
        pwm = rng.dirichlet(np.ones(letters), size=7)
        heights = information_matrix(pwm)
        content = np.log2(letters) + (pwm * np.log2(pwm)).sum(axis=1)
        np.testing.assert_allclose(heights.sum(axis=1), content, rtol=1e-12)
        np.testing.assert_allclose(heights / content[:, None], pwm, rtol=1e-10)  # heights keep the proportions
        assert (heights >= 0).all()


def test_lists_are_accepted_and_the_result_is_float64():
    heights = information_matrix([[0, 1], [1, 0]])
    assert heights.dtype == np.float64
    assert heights.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert information_matrix(np.zeros((0, 4))).shape == (0, 4)


@pytest.mark.parametrize("row", [[0.7, 0.1, 0.1, 0.1], [0.4, 0.3, 0.2, 0.1]])
def test_a_single_row_matches_the_textbook_formula(row):
    expected = 2 + sum(p * np.log2(p) for p in row)
    assert information_matrix([row]).sum() == pytest.approx(expected, rel=1e-12)
