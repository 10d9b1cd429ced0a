"""Trimmed kernel motifs and their export: exact trimming, and every format parses back with Biopython."""

import io

import numpy as np
import pytest

from motifnet.errors import ParamError
from motifnet.motifs.export import (
    check_formats,
    check_trim_ic,
    check_trim_ic_reachable,
    format_jaspar,
    format_transfac,
    information_content,
    trim_bounds,
    trim_motif,
    write_motifs,
)
from motifnet.motifs.meme import MemeMotif, read_meme

FLAT = [0.25, 0.25, 0.25, 0.25]


def test_information_content_in_bits():
    pwm = np.array([[1, 0, 0, 0], FLAT, [0.5, 0.5, 0, 0], [0, 0, 0, 0]], dtype=float)
    np.testing.assert_allclose(information_content(pwm), [2.0, 0.0, 1.0, 0.0])
    # Against the data's letter frequencies, a column equal to them carries nothing.
    background = [0.4, 0.1, 0.1, 0.4]
    np.testing.assert_allclose(information_content(np.array([background, [1, 0, 0, 0]]), background),
                               [0.0, np.log2(1 / 0.4)])


def test_trim_bounds_cut_flat_flanks_only():
    strong, weak = [0.97, 0.01, 0.01, 0.01], [0.55, 0.15, 0.15, 0.15]  # weak: 0.29 bits
    pwm = np.array([FLAT, weak, strong, FLAT, strong, weak, FLAT, FLAT])
    assert trim_bounds(pwm, threshold=0.3) == (2, 5)  # the flat column between strong ones stays
    assert trim_bounds(pwm, threshold=0.25) == (1, 6)
    assert trim_bounds(pwm, threshold=0) == (0, 8)
    assert trim_bounds(np.array([FLAT] * 5), threshold=0.3) == (0, 5)  # nothing to anchor a trim to
    motif = MemeMotif("kernel_4", "importance=0.5000", pwm, 120)
    trimmed, columns = trim_motif(motif, threshold=0.3)
    assert columns == (2, 5) and trimmed.nsites == 120 and trimmed.name == "kernel_4"
    np.testing.assert_array_equal(trimmed.pwm, pwm[2:5])


def count_motifs(rng, letters="ACGT", n=3):
    """Motifs whose probabilities are whole counts over nsites, as kernel motifs of one-hot data are."""
    motifs = []
    for i in range(n):
        nsites = int(rng.integers(5, 800))
        counts = np.stack([rng.multinomial(nsites, rng.dirichlet(np.ones(len(letters)))) for _ in range(6 + i)])
        motifs.append((MemeMotif(f"kernel_{i}", f"importance={i / 3:.4f}", counts / nsites, nsites), counts))
    return motifs


def bio_counts(motif, letters):
    return np.array([motif.counts[letter] for letter in letters], dtype=float).T


@pytest.mark.parametrize("letters", ["ACGT", "ACGU"])
def test_meme_file_parses_back_with_biopython(tmp_path, letters):
    from Bio import motifs as bio

    pairs = count_motifs(np.random.default_rng(1), letters)
    background = [0.3, 0.2, 0.2, 0.3]
    [path] = write_motifs(tmp_path / "motifs", [m for m, _ in pairs], letters, background,
                          strands=letters == "ACGT")
    assert path.name == "motifs.meme"
    with open(path) as handle:
        record = bio.parse(handle, "minimal")
    assert record.alphabet == letters and [m.name for m in record] == ["kernel_0", "kernel_1", "kernel_2"]
    assert record.background == dict(zip(letters, background))
    for (motif, counts), parsed in zip(pairs, record):
        # Biopython turns probabilities back into counts (times nsites, rounded): exact for whole counts.
        np.testing.assert_array_equal(bio_counts(parsed, letters), counts)
        assert parsed.num_occurrences == motif.nsites


def test_jaspar_and_transfac_files_parse_back_with_biopython(tmp_path):
    from Bio import motifs as bio

    pairs = count_motifs(np.random.default_rng(2))
    paths = write_motifs(tmp_path / "motifs", [m for m, _ in pairs], "ACGT", FLAT, formats=("jaspar", "transfac"))
    assert [p.name for p in paths] == ["motifs.jaspar", "motifs.transfac"]
    with open(paths[0]) as handle:
        jaspar = bio.parse(handle, "jaspar")
    with open(paths[1]) as handle:
        transfac = bio.parse(handle, "transfac", strict=True)
    assert [m.matrix_id for m in jaspar] == ["kernel_0", "kernel_1", "kernel_2"]
    assert [m.name for m in jaspar] == ["importance=0.0000", "importance=0.3333", "importance=0.6667"]
    assert [m["ID"] for m in transfac] == ["kernel_0", "kernel_1", "kernel_2"]
    for (motif, counts), from_jaspar, from_transfac in zip(pairs, jaspar, transfac):
        np.testing.assert_array_equal(bio_counts(from_jaspar, "ACGT"), counts)  # whole counts are written exactly
        np.testing.assert_array_equal(bio_counts(from_transfac, "ACGT"), counts)
        assert from_transfac["BA"] == f"{motif.nsites} sites"


def test_fractional_counts_keep_three_decimals():
    from Bio import motifs as bio

    # Ambiguity codes (N = a quarter of each letter) give fractional counts.
    pwm = np.array([[0.4125, 0.0125, 0.0125, 0.5625], [0.2, 0.3, 0.1, 0.4]])
    motif = MemeMotif("kernel_0", "", pwm, 40)
    for text, reader in ((format_jaspar([motif], "ACGT"), "jaspar"), (format_transfac([motif], "ACGT"), "transfac")):
        parsed = bio.parse(io.StringIO(text), reader)[0]
        np.testing.assert_allclose(bio_counts(parsed, "ACGT"), pwm * 40, atol=5e-4)
    assert "\nA  [ 16.5    8 ]\nC  [  0.5   12 ]\n" in format_jaspar([motif], "ACGT")


def test_other_alphabets_are_written_with_their_letters():
    pwm = np.eye(3)[[0, 2]]
    motif = MemeMotif("kernel_1", "importance=1.0000", pwm, 2)
    assert format_jaspar([motif], "().") == (">kernel_1 importance=1.0000\n(  [ 2 0 ]\n)  [ 0 0 ]\n.  [ 0 2 ]\n")
    text = format_transfac([motif], "HIS")
    assert "P0  H  I  S\n01  2  0  0\n02  0  0  2\nXX\nBA  2 sites\nXX\n//" in text


@pytest.mark.parametrize("formats,fragment", [
    (("meme", "pdf"), r"received: 'meme,pdf' \(unknown: pdf\)"),
    ((), "--formats expects a comma-separated list of meme, jaspar, transfac, homer, received: ''"),
    ("meme,jaspar", "formats expects a sequence of format names"),
])
def test_bad_formats(formats, fragment):
    with pytest.raises(ParamError, match=fragment):
        check_formats(formats)


def test_formats_are_deduplicated_in_order():
    assert check_formats(["transfac", " MEME", "transfac"]) == ("transfac", "meme")
    assert check_formats(None) == ("meme",)


@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf")])
def test_bad_trim_thresholds(value):
    with pytest.raises(ParamError, match="--trim-ic expects a number of bits >= 0"):
        check_trim_ic(value)


def test_a_trim_threshold_no_column_can_reach_is_refused():
    # A column carries at most log2(1/q) bits, all of it on the rarest letter (frequency q).
    check_trim_ic_reachable(2.0, [np.full(4, 0.25), None])
    with pytest.raises(ParamError, match=r"^--trim-ic 2.01 is more than a column .* give at most 2 bits"):
        check_trim_ic_reachable(2.01, [np.full(4, 0.25), None])
    check_trim_ic_reachable(3.3, [np.array([0.1, 0.4, 0.4, 0.1])])  # log2(10) = 3.32: rare letters carry more
    with pytest.raises(ParamError, match="give at most 3.32 bits"):
        check_trim_ic_reachable(3.4, [np.array([0.1, 0.4, 0.4, 0.1])])
    check_trim_ic_reachable(2.5, [np.full(4, 0.25), np.array([0.125, 0.875])])  # the structure's 3 bits count
    check_trim_ic_reachable(9.0, [np.array([0.0, 0.5, 0.5, 0.0]) + 1e-3])  # a letter almost never seen


def test_exported_motifs_are_the_kernel_motifs_trimmed(trained_run, cli, tmp_path):
    from motifnet import kernel_motifs, max_activations, select_data
    from motifnet.interpret.kernels import background_frequencies
    from motifnet.run.rundir import open_run

    run_dir, _ = trained_run
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, "--group", "all", "--no-match", "--trim-ic", "1",
                 "--formats", "meme,jaspar,transfac", "--top", "1", "--jobs", "1")  # the files hold every kernel
    assert result.exit_code == 0, result.stderr
    assert not (out / "matches.tsv").exists() and not list(out.glob("match_kernel_*.png"))
    run = open_run(run_dir)
    dataset = select_data(run, "all")
    background = background_frequencies(dataset)[0]
    expected = {f"kernel_{m.kernel}": m for m in kernel_motifs(max_activations(run, dataset), dataset)}
    rows = [line.split("\t") for line in (out / "kernels.tsv").read_text().rstrip("\n").split("\n")]
    header = rows[0]
    assert header[-5:] == ["motif_columns", "best_match_id", "best_match_name", "best_match_p", "best_match_q"]
    columns = {f"kernel_{row[0]}": row[header.index("motif_columns")] for row in rows[1:]}
    text = (out / "motifs.meme").read_text()
    assert "strands: + -" in text
    assert "A {:.4f} C {:.4f} G {:.4f} T {:.4f}".format(*background) in text  # the data's letter frequencies
    letters, motifs = read_meme(out / "motifs.meme")
    assert letters == "ACGT" and motifs
    for motif in motifs:
        start, end = trim_bounds(expected[motif.name].pwm, background, 1.0)
        assert columns[motif.name] == f"{start + 1}-{end}"
        np.testing.assert_allclose(motif.pwm, expected[motif.name].pwm[start:end], atol=1e-6)
        assert motif.nsites == expected[motif.name].n_sites
    assert any(len(motif.pwm) < 5 for motif in motifs)  # some kernel (5 columns) was trimmed
    assert all(row[-4:] == [""] * 4 for row in rows[1:])  # no matching asked for
    assert (out / "motifs.jaspar").read_text().count(">kernel_") == len(motifs)
    assert (out / "motifs.transfac").read_text().count("//") == len(motifs)


def test_rna_model_meme_file_declares_rna_and_no_strands(rna_structure_run, cli, tmp_path):
    from Bio import motifs as bio

    run_dir, _ = rna_structure_run
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, "--group", "all", "--trim-ic", "0", "--top", "1",
                 "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    text = (out / "motifs.meme").read_text()
    assert text.startswith("MEME version 4\n\nALPHABET= ACGU\n\nBackground letter frequencies\n")
    assert "strands" not in text
    with open(out / "motifs.meme") as handle:
        record = bio.parse(handle, "minimal")
    assert record.alphabet == "ACGU" and len(record) == len(read_meme(out / "motifs.meme")[1]) > 0
    # No RNA database is bundled: nothing is matched unless --motif-db is given.
    assert not (out / "matches.tsv").exists()
