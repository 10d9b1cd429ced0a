"""TOMTOM (memelite) of motifs against motifs: q-values, self-matches, one strand for proteins, ranking."""

import logging

import numpy as np
import pytest

from motifnet.errors import ParamError
from motifnet.motifs.tomtom import MIN_TARGETS, Comparison, benjamini_hochberg, compare_motifs


def random_pwms(n, seed=0, letters=4):
    rng = np.random.default_rng(seed)
    return [rng.dirichlet(np.full(letters, 0.3), size=int(rng.integers(6, 20))) for _ in range(n)]


def test_benjamini_hochberg_exact():
    np.testing.assert_allclose(benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])),
                               [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert benjamini_hochberg(np.array([0.9, 0.8])).max() <= 1.0


def test_every_motif_matches_itself_best_kernel_against_kernel():
    pwms = random_pwms(30, seed=4)
    comparison = compare_motifs(pwms, pwms, reverse_complement=True)
    assert comparison.p_values.shape == (30, 30)
    assert [int(comparison.ranked(i)[0]) for i in range(30)] == list(range(30))
    np.testing.assert_array_equal(np.diag(comparison.offsets), 0)
    assert not np.diag(comparison.reverse).any()


def test_protein_motifs_are_matched_on_one_strand():
    rng = np.random.default_rng(2)
    targets = [rng.dirichlet(np.full(20, 0.2), size=int(rng.integers(6, 15))) for _ in range(60)]
    comparison = compare_motifs([targets[5][2:8]], targets)
    assert int(comparison.ranked(0)[0]) == 5 and comparison.offsets[0, 5] == 2
    assert not comparison.reverse.any()


def test_ranking_breaks_ties_by_overlap_then_index():
    p = np.array([[0.01, 0.01, 0.01, 0.001]])
    comparison = Comparison(p, p * 4, p, np.zeros((1, 4), int), np.array([[3, 5, 5, 1]]), np.zeros((1, 4), bool))
    assert list(comparison.ranked(0)) == [3, 1, 2, 0]
    assert list(comparison.ranked(0, top=2)) == [3, 1]


def test_mismatched_letters_are_refused():
    with pytest.raises(ParamError, match="one alphabet"):
        compare_motifs([np.full((5, 4), 0.25)], [np.full((5, 20), 0.05)])


def test_few_targets_are_warned_about_and_no_queries_give_empty_arrays(caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    targets = random_pwms(5)
    comparison = compare_motifs([targets[0]], targets)
    assert comparison.p_values.shape == (1, 5) and int(comparison.ranked(0)[0]) == 0
    assert f"unreliable below about {MIN_TARGETS}" in caplog.text
    empty = compare_motifs([], targets, warn=False)
    assert empty.p_values.shape == (0, 5) and empty.offsets.dtype.kind == "i" and empty.reverse.dtype == bool
    with pytest.raises(ParamError, match="at least one target"):
        compare_motifs([targets[0]], [])


def consensus(text: str, high: float = 0.97, low: float = 0.01) -> np.ndarray:
    """A matrix of ``text``'s letters: ``high`` for the letter, ``low`` for each other."""
    matrix = np.full((len(text), 4), low)
    matrix[np.arange(len(text)), ["ACGT".index(letter) for letter in text]] = high
    return matrix


@pytest.mark.parametrize("untie", [True, False])
def test_a_pair_without_any_alignment_gets_offset_and_overlap_0_not_what_the_memory_held(untie, monkeypatch):
    """A G/C query against A/T targets: memelite leaves those cells unwritten, and compare's table showed
    Optimal_offset and Overlap -9223372036854775808 beside numpy's 'invalid value encountered in cast', or the
    values of a narrower query that ran before it in the same thread. Untied (as compare_motifs gives them to
    memelite), the columns give every alignment a score; tied, none scores: offset and overlap 0."""
    import warnings

    from motifnet.motifs import tomtom

    if not untie:
        monkeypatch.setattr(tomtom, "_without_ties", list)

    rng = np.random.default_rng(0)
    targets = [consensus("".join(rng.choice(list("AT"), 8))) for _ in range(80)] + [consensus("AGATAAGA")]
    queries = [consensus("ATTATA"), consensus("GCGCGCG"), consensus("GATAAG")]  # the narrower one runs first
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = compare_motifs(queries, targets, reverse_complement=True)
    unaligned = result.p_values[1, :-1] == 1  # no A/T target aligns with any G or C
    assert unaligned.all()
    # every alignment is as far as any other: whichever is given lies on the motifs, not in scratch memory
    assert ((-7 < result.offsets[1, :-1]) & (result.offsets[1, :-1] < 8)).all()
    assert ((0 <= result.overlaps[1, :-1]) & (result.overlaps[1, :-1] <= 7)).all()
    if not untie:
        assert (result.offsets[1, :-1] == 0).all() and (result.overlaps[1, :-1] == 0).all()
        assert not result.reverse[1, :-1].any()
    assert (result.overlaps[0] > 0).all()  # the A/T query aligns with every target
    assert (result.offsets[2, -1], result.overlaps[2, -1]) == (1, 6) and result.p_values[2, -1] < 1e-5


def test_a_database_of_sharp_consensus_matrices_gives_p_values_of_chance_not_0():
    """memelite's null distribution went wrong on exactly equal target columns: a one-column query got p-value 0
    against every one of 61 sharp 12-column targets, each of which holds its column on one strand or the other."""
    def sharp(text):
        return consensus(text, 0.91, 0.03)

    rng = np.random.default_rng(1)
    targets = [sharp("".join(rng.choice(list("ACGT"), 12))) for _ in range(60)] + [sharp("GATTACAGGCTTCA")]
    result = compare_motifs([sharp("A"), sharp("GATTACAGGCTTCA"), sharp("GATTACA")], targets,
                            reverse_complement=True)
    assert (result.p_values[0] > 0.5).all()
    # a perfect match of 14 columns: about 4**-14 per placement; of its first 7: about 4**-7
    assert result.ranked(1)[0] == 60 and 1e-10 < result.p_values[1, 60] < 1e-7
    assert result.ranked(2)[0] == 60 and 1e-5 < result.p_values[2, 60] < 1e-2
    assert np.median(result.p_values[1:, :60]) > 0.3


def test_ties_are_broken_by_less_than_1e_9_and_a_row_of_zeros_stays_zeros():
    """A row of zeros (a kernel column that only padding filled) became a random column: p-values of such
    kernels against each other moved by up to 9 orders of magnitude."""
    from motifnet.motifs.tomtom import TIE_BREAK, _without_ties

    targets = [consensus("ACGT"), np.vstack([consensus("GA"), np.zeros((2, 4))])]
    untied = _without_ties(targets)
    # each entry moved up by less than TIE_BREAK, then the row renormalised: within 4 x TIE_BREAK of where it was
    assert np.abs(untied[0] - targets[0]).max() < 4 * TIE_BREAK and (untied[0] != targets[0]).all()
    np.testing.assert_array_equal(untied[1][2:], 0)
    np.testing.assert_allclose(untied[1].sum(axis=1), [1, 1, 0, 0])
    assert [matrix.tolist() for matrix in _without_ties(targets)] == [matrix.tolist() for matrix in untied]


def test_chance_matches_of_protein_motifs_get_p_values_of_chance():
    """memelite's merging of similar target columns keys them by 100**letter, which overflows for 20 letters:
    distinct columns merged, and DEFGA against random 8-mers got p = 5.6e-10 for one letter of five."""
    letters = "ACDEFGHIKLMNPQRSTVWY"

    def consensus(text):
        matrix = np.full((len(text), 20), 0.01)
        matrix[np.arange(len(text)), [letters.index(letter) for letter in text]] = 0.81
        return matrix

    rng = np.random.default_rng(0)
    targets = [consensus("AAWWCHWAA")] + [consensus("".join(rng.choice(list(letters), 8))) for _ in range(60)]
    targets.append(consensus("MDEFGAKR"))  # holds the query whole
    result = compare_motifs([consensus("KLMNP"), consensus("DEFGA")], targets)
    assert result.p_values[:, :-1].min() > 1e-3  # no target but the last holds more than two of the five letters
    assert result.p_values[1, -1] < 1e-4 and result.p_values[1, -1] == result.p_values[1].min()
    assert result.overlaps[1, -1] == 5


def test_wide_queries_get_fewer_threads_so_that_tomtoms_scratch_memory_stays_bounded(monkeypatch):
    """memelite gives each thread 3,200 x width^3 bytes: a query of 200 columns asked for 24 GB on two cores."""
    import importlib

    import numba

    from motifnet.motifs.tomtom import tomtom_threads

    with monkeypatch.context() as patched:
        patched.setattr(numba, "get_num_threads", lambda: 16)
        assert [tomtom_threads(width) for width in (10, 30, 50, 60, 80, 200)] == [16, 16, 5, 3, 1, 1]
    assert tomtom_threads(60) == min(3, numba.get_num_threads())
    asked = []
    module = importlib.import_module("memelite.tomtom")  # the package's name 'tomtom' is the function
    real = module.tomtom
    monkeypatch.setattr(module, "tomtom", lambda *args, **kwargs: asked.append(kwargs["n_jobs"])
                        or real(*args, **{**kwargs, "n_jobs": 1}))
    rng = np.random.default_rng(0)
    query = rng.dirichlet(np.ones(4), 60)
    compare_motifs([query], [rng.dirichlet(np.ones(4), 8) for _ in range(MIN_TARGETS)], warn=False)
    assert asked == [tomtom_threads(60)]


def test_numbas_threads_are_restored_when_tomtom_fails(monkeypatch):
    """memelite sets numba's threads to n_jobs and restores them only on success: a MemoryError left the whole
    process on one thread (found in review)."""
    import importlib

    import numba

    module = importlib.import_module("memelite.tomtom")
    threads = {"now": 16}  # numba's setting, whatever this machine's cores
    monkeypatch.setattr(numba, "get_num_threads", lambda: threads["now"])
    monkeypatch.setattr(numba, "set_num_threads", lambda n: threads.update(now=n))

    def failing(*args, **kwargs):
        numba.set_num_threads(1)  # as memelite sets n_jobs threads before its scratch arrays
        raise MemoryError("scratch arrays")

    monkeypatch.setattr(module, "tomtom", failing)
    rng = np.random.default_rng(0)
    with pytest.raises(MemoryError):
        compare_motifs([rng.dirichlet(np.ones(4), 8)], [rng.dirichlet(np.ones(4), 8) for _ in range(MIN_TARGETS)],
                       warn=False)
    assert threads["now"] == 16
