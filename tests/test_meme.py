"""MEME minimal format: what is written parses back to the same matrices."""

import numpy as np
import pytest

from motifnet.errors import InputError
from motifnet.motifs.meme import MemeMotif, format_meme, read_meme, write_meme


def test_dna_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    motifs = [MemeMotif(f"kernel_{i}", f"importance={i / 10:.4f}", rng.dirichlet(np.ones(4), size=6 + i), 10 * i)
              for i in range(3)]
    path = tmp_path / "m.meme"
    write_meme(path, motifs, "ACGT", [0.3, 0.2, 0.2, 0.3], strands=True)
    text = path.read_text()
    assert text.startswith("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n")
    assert "Background letter frequencies\nA 0.3000 C 0.2000 G 0.2000 T 0.3000" in text
    assert "MOTIF kernel_1 importance=0.1000\nletter-probability matrix: alength= 4 w= 7 nsites= 10 E= 0" in text
    letters, back = read_meme(path)
    assert letters == "ACGT"
    assert [m.name for m in back] == ["kernel_0", "kernel_1", "kernel_2"]
    for original, parsed in zip(motifs, back):
        np.testing.assert_allclose(parsed.pwm, original.pwm, atol=5e-7)
        assert parsed.nsites == original.nsites and parsed.alt_name == original.alt_name


def test_custom_alphabet_is_defined_and_has_no_strands(tmp_path):
    text = format_meme([MemeMotif("k", "", np.eye(3), 1)], "HIS", [1 / 3] * 3, alphabet_name="structure")
    assert 'ALPHABET "structure"\nH\nI\nS\nEND ALPHABET' in text and "strands" not in text
    path = tmp_path / "s.meme"
    path.write_text(text)
    letters, motifs = read_meme(path)
    assert letters == "HIS"
    np.testing.assert_array_equal(motifs[0].pwm, np.eye(3))


def test_not_a_meme_file(tmp_path):
    path = tmp_path / "x.meme"
    path.write_text("hello\n")
    with pytest.raises(InputError, match="not a MEME motif file"):
        read_meme(path)
