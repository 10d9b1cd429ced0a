"""Kernel motifs by pysster's rules, checked on hand-made activations."""

import numpy as np
import pytest

from motifnet.data.alphabets import DNA
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.errors import ParamError
from motifnet.interpret.activations import KernelActivations
from motifnet.interpret.kernels import MAX_SITES, background_frequencies, check_kernels, consensus, kernel_motifs


def make_dataset(sequences, labels, structure=None):
    encoder = Encoder(DNA, len(sequences[0]))
    lookup = {c: i + 1 for i, c in enumerate("ACGT")}
    codes = np.array([[lookup[c] for c in s] for s in sequences], dtype=np.uint8)
    labels = np.asarray(labels, dtype=np.uint8)
    return Dataset(encoder, codes, labels, np.array([f"s{i}" for i in range(len(codes))]),
                   np.zeros(len(codes), dtype=np.int32), ["c0", "c1"], False, [])


def test_threshold_importance_top_class_and_sites():
    sequences = ["ACGTAC", "ACGTAC", "TTTTTT", "GGGGGG"]
    labels = [[1, 0], [1, 0], [0, 1], [0, 1]]
    # kernel 0: class 0 means (0.9+0.5)/2=0.7, class 1 means (0.1+0.3)/2=0.2 -> threshold 0.7
    activations = KernelActivations(np.array([[0.9, 0.0], [0.5, 0.0], [0.1, 0.0], [0.3, 0.0]], dtype=np.float32),
                                    np.array([[1, 0], [0, 0], [0, 0], [2, 0]]), np.asarray(labels),
                                    np.array(["s0", "s1", "s2", "s3"]), ["c0", "c1"], 3)
    motif, silent = kernel_motifs(activations, make_dataset(sequences, labels))
    assert motif.threshold == pytest.approx(0.7)
    assert motif.importance == pytest.approx(0.5)
    assert motif.top_class == 0
    assert motif.selected.tolist() == [True, False, False, False]  # strictly above the threshold
    assert motif.sites.tolist() == [0]
    np.testing.assert_array_equal(motif.pwm, np.eye(4)[[1, 2, 3]])  # window 'CGT' at position 1
    assert consensus(motif.pwm, "ACGT") == "CGT"
    # a kernel that never fires: importance 0, no site above a zero threshold
    assert silent.importance == 0 and silent.n_sites == 0 and silent.pwm is None


def test_motif_uses_at_most_750_strongest_sites_of_the_top_class(tmp_path):
    n = 2000
    rng = np.random.default_rng(0)
    sequences = ["".join(rng.choice(list("ACGT"), 8)) for _ in range(n)]
    labels = np.zeros((n, 2), dtype=np.uint8)
    labels[:1600, 0] = 1
    labels[1600:, 1] = 1
    values = np.zeros((n, 1), dtype=np.float32)
    values[:1600, 0] = np.linspace(0, 1, 1600)
    activations = KernelActivations(values, np.zeros((n, 1), dtype=np.int32), labels,
                                    np.array([str(i) for i in range(n)]), ["c0", "c1"], 4)
    (motif,) = kernel_motifs(activations, make_dataset(sequences, labels))
    # 800 sites above the class mean of 0.5 (the count the report gives: it said 750), the 750 strongest for the logo
    assert motif.n_sites == 800 and len(motif.sites) == MAX_SITES
    assert motif.sites.tolist() == list(range(1599, 1599 - MAX_SITES, -1))  # strongest first
    windows = np.array([[("ACGT".index(c)) for c in sequences[i][:4]] for i in motif.sites])
    expected = np.stack([np.bincount(windows[:, p], minlength=4) / MAX_SITES for p in range(4)])
    np.testing.assert_allclose(motif.pwm, expected, atol=1e-6)
    # The exported motif's nsites is that of the matrix (750), so JASPAR counts stay whole numbers.
    from motifnet.motifs.export import export_kernel_motifs
    from motifnet.motifs.meme import read_meme

    dataset = make_dataset(sequences, labels)
    (exported,) = export_kernel_motifs(tmp_path, [motif], dataset, trim_ic=0, formats=("meme", "jaspar"))
    assert exported.motif.nsites == MAX_SITES
    assert read_meme(tmp_path / "motifs.meme")[1][0].nsites == MAX_SITES
    counts = [float(value) for line in (tmp_path / "motifs.jaspar").read_text().splitlines()[1:]
              for value in line.split("[")[1].split("]")[0].split()]
    assert all(value.is_integer() for value in counts) and sum(counts) == 4 * MAX_SITES


def test_columns_in_the_padding_of_every_site_are_not_exported(tmp_path):
    """A C-terminal kernel whose last columns lay in the padding at every site was written with rows of zeros under
    --trim-ic 0, which motifnet's own readers (compare, scan) refused."""
    from motifnet.motifs.export import export_kernel_motifs
    from motifnet.motifs.meme import read_meme

    rng = np.random.default_rng(3)
    n = 40
    dataset = make_dataset(["".join(rng.choice(list("ACGT"), 8)) for _ in range(n)], [[1, 0]] * 20 + [[0, 1]] * 20)
    dataset.codes[:, 6:] = 0  # every record ends in two positions of padding (records of 6 in a model of 8)
    activations = KernelActivations(np.linspace(1, 0, n, dtype=np.float32)[:, None], np.full((n, 1), 4, np.int32),
                                    dataset.labels, dataset.ids, ["c0", "c1"], 4)  # every site at 4: columns 2-3 padded
    (motif,) = kernel_motifs(activations, dataset)
    assert motif.pwm[2:].sum() == 0 and np.allclose(motif.pwm[:2].sum(axis=1), 1)
    (exported,) = export_kernel_motifs(tmp_path, [motif], dataset, trim_ic=0, formats=("meme", "jaspar"))
    assert exported.columns == (0, 2)
    (written,) = read_meme(tmp_path / "motifs.meme")[1]
    np.testing.assert_allclose(written.pwm, motif.pwm[:2], atol=1e-6)
    # no column informative: the motif is written whole, but for its columns of padding
    (flat,) = export_kernel_motifs(tmp_path / "flat", [motif], dataset, trim_ic=1.99)
    assert flat.columns == (0, 2) and not flat.informative
    (written,) = read_meme(tmp_path / "flat" / "motifs.meme")[1]
    np.testing.assert_allclose(written.pwm, motif.pwm[:2], atol=1e-6)


def test_multi_label_class_means_count_a_sequence_in_every_class_it_has():
    labels = np.array([[1, 1], [0, 1]], dtype=np.uint8)
    activations = KernelActivations(np.array([[1.0], [0.0]], dtype=np.float32), np.zeros((2, 1), dtype=np.int32),
                                    labels, np.array(["a", "b"]), ["c0", "c1"], 2)
    np.testing.assert_allclose(activations.class_means()[:, 0], [1.0, 0.5])


@pytest.mark.parametrize("kernels,fragment", [
    ([3, 9], "--kernels 3,9: the model's first layer has kernels 0 to 4; out of range: 9"),
    ([-1], "out of range: -1"),
    ([], "none given"),
    ([1.0], "expects a list of kernel numbers"),
    ("0,3", "expects a list of kernel numbers"),
])
def test_kernel_list_is_checked(kernels, fragment):
    assert check_kernels([2, 0, np.int64(2)], 5) == [0, 2]
    assert check_kernels(None, 3) == [0, 1, 2]
    with pytest.raises(ParamError, match=fragment):
        check_kernels(kernels, 5)


def test_background_frequencies_ignore_padding():
    dataset = make_dataset(["AACG", "AACG"], [[1, 0], [0, 1]])
    dataset.codes[:, 3] = 0  # padding
    sequence, structure = background_frequencies(dataset)
    np.testing.assert_allclose(sequence, [2 / 3, 1 / 3, 0, 0])  # AAC of AACG
    assert structure is None


def test_motifs_of_a_network_that_reads_both_strands_come_from_forward_windows():
    from motifnet.interpret.activations import max_activations
    from motifnet.model.build import build_model
    from motifnet.model.params import resolve

    params = resolve({"conv_num": 1, "kernel_num": 1, "kernel_len": 4, "pool_size": 1, "pool_stride": 1,
                      "global_pool": "avg", "neuron_num": 4, "strand": "both"})
    model = build_model(params, 8, 4, 2, False, complement=(3, 2, 1, 0))
    kernel = np.zeros((4, 4, 1), dtype=np.float32)
    kernel[[0, 1, 2, 3], [2, 0, 3, 0], 0] = 1.0  # 'GATA' scores 4, one mismatch 3
    model.get_layer("conv_1").set_weights([kernel, np.array([-2.0], dtype=np.float32)])
    sequences = ["CGATACCC", "CCGATTCC", "TATCCCCC", "CCCCCCCC"]  # GATA, GATT, GATA's reverse complement, none
    data = make_dataset(sequences, [[1, 0], [1, 0], [0, 1], [0, 1]])
    activations = max_activations(model, data)
    np.testing.assert_array_equal(activations.max_activation[:, 0], [2, 1, 0, 0])
    (motif,) = kernel_motifs(activations, data)
    # Class 0 means 1.5, class 1 means 0: threshold 1.5, so only 'GATA' (at position 1) is a site.
    assert motif.top_class == 0 and motif.sites.tolist() == [0]
    assert consensus(motif.pwm, "ACGT") == "GATA"


def test_regression_kernels_are_measured_against_their_own_target_unless_one_is_chosen():
    """With two targets every kernel was measured against the first: a kernel that tracks the second alone had
    importance near 0, and the distinct motif of its group took a kernel that was not its best."""
    sequences = ["ACGTAC", "ACGTAC", "TTTTTT", "GGGGGG"]
    targets = np.array([[1.0, 0.0], [2.0, 5.0], [3.0, 1.0], [4.0, 3.0]])
    # kernel 0 follows the first target exactly; kernel 1 the second (against the first: r = 0.29)
    activity = np.array([[1.0, 0.0], [2.0, 5.0], [3.0, 1.0], [4.0, 3.0]], dtype=np.float32)
    activations = KernelActivations(activity, np.zeros((4, 2), dtype=int), np.zeros((4, 1), dtype=np.uint8),
                                    np.array(["s0", "s1", "s2", "s3"]), [], 3, targets=targets,
                                    target_names=["gata", "foxa"])
    data = make_dataset(sequences, [[1, 0]] * 4)
    first, second = kernel_motifs(activations, data)
    assert (first.target, second.target) == ("gata", "foxa")
    assert first.correlation == pytest.approx(1.0) and second.correlation == pytest.approx(1.0)
    r = np.corrcoef(activity[:, 1], targets[:, 0])[0, 1]
    chosen = kernel_motifs(activations, data, target="gata")
    assert [m.target for m in chosen] == ["gata", "gata"]
    assert [m.importance for m in chosen] == pytest.approx([1.0, abs(r)])
    assert [m.target for m in kernel_motifs(activations, data, target=1)] == ["foxa", "foxa"]


def test_consensus_marks_uncertain_letters_in_lower_case_unless_the_alphabet_has_lower_case_letters():
    """A case-sensitive --alphabet's consensus read 'KSsSLkSl': uncertain K, S, L, or the letters k, s, l?"""
    rows = np.array([[0.9, 0.05, 0.05, 0.0], [0.4, 0.3, 0.2, 0.1], [0.0, 0.0, 0.0, 0.0], [0.1, 0.1, 0.2, 0.6]])
    assert consensus(rows, "ACGT") == "Aa-T"
    assert consensus(rows, "ACac") == "AA-c"  # 'c' the letter, confidently; the second 'A' is uncertain: unmarked
