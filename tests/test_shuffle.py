"""motifnet.data.shuffle: k-mer shuffles keep every k-mer count exactly, are seeded, and start as the original.

The dinucleotide walk itself (k=2) is also tested through attribution's baselines (tests/test_attribution.py).
"""

from collections import Counter

import numpy as np
import pytest

from motifnet.data.shuffle import kmer_shuffle


def _kmers(letters, k):
    text = bytes(letters).decode()
    return Counter(text[i:i + k] for i in range(len(text) - k + 1))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_kmer_shuffle_keeps_every_kmer_count(k):
    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"".join(rng.choice([b"A", b"C", b"G", b"T"], 150)), dtype=np.uint8)
    for trial in range(5):
        shuffled = kmer_shuffle(letters, k, np.random.default_rng(trial))
        assert _kmers(shuffled, k) == _kmers(letters, k)
        assert not np.array_equal(shuffled, letters)  # 150 random letters: a shuffle that moves nothing is a bug
        if k > 1:
            assert bytes(shuffled[:k - 1]) == bytes(letters[:k - 1])


def test_kmer_shuffle_is_seeded():
    letters = np.frombuffer(b"ACGTTGCAACGGTACCATGACGATTACAGGCATTACG", dtype=np.uint8)
    first = kmer_shuffle(letters, 3, np.random.default_rng(7))
    assert np.array_equal(first, kmer_shuffle(letters, 3, np.random.default_rng(7)))
    assert not np.array_equal(first, kmer_shuffle(letters, 3, np.random.default_rng(8)))


def test_kmer_shuffle_of_a_short_sequence_and_a_bad_k():
    letters = np.frombuffer(b"ACG", dtype=np.uint8)
    assert bytes(kmer_shuffle(letters, 3, np.random.default_rng(0))) == b"ACG"
    with pytest.raises(ValueError, match="k must be at least 1"):
        kmer_shuffle(letters, 0, np.random.default_rng(0))
