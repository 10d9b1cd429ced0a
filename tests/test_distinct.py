"""Distinct motifs: kernels with the same motif grouped, ranked by their best kernel's importance."""

from types import SimpleNamespace

import numpy as np
import pytest
from helpers import PLANTED, best_agreement, check_in_chromium

from motifnet.data.alphabets import DNA
from motifnet.data.dataset import Dataset
from motifnet.data.encoding import Encoder
from motifnet.interpret.activations import forward_and_both_strand_activations, max_activations
from motifnet.interpret.kernels import kernel_motifs
from motifnet.motifs.distinct import (
    KernelSites,
    MotifGroup,
    cluster_motifs,
    colocation_scores,
    distinct_motifs,
    distinct_table,
    group_meme_motifs,
    kernel_sites,
    merge_colocated,
    pair_p_values,
)
from motifnet.motifs.export import ExportedMotif
from motifnet.motifs.matching import reverse_complement
from motifnet.motifs.meme import MemeMotif, format_meme, read_meme


def letters_pwm(text, top=0.85):
    pwm = np.full((len(text), 4), (1 - top) / 3)
    for row, letter in enumerate(text):
        pwm[row, "ACGT".index(letter)] = top
    return pwm


def flank(rng, n):
    return rng.dirichlet(np.full(4, 5.0), n)


@pytest.fixture
def copies():
    """ets with flanks, a shifted partial copy, a reverse-complemented copy; then ap1 and gata."""
    rng = np.random.default_rng(0)
    ets = "ACCGGAAGTG"
    return [np.vstack([flank(rng, 2), letters_pwm(ets), flank(rng, 3)]),
            np.vstack([flank(rng, 4), letters_pwm(ets[2:]), flank(rng, 1)]),
            reverse_complement(np.vstack([flank(rng, 1), letters_pwm(ets), flank(rng, 1)])),
            np.vstack([flank(rng, 2), letters_pwm("ATGACTCAT"), flank(rng, 2)]),
            letters_pwm("AGATAAGG")]


def test_shifted_and_reverse_copies_group_and_unrelated_motifs_do_not(copies):
    assert cluster_motifs(copies, "ACGT").tolist() == [0, 0, 0, 1, 2]
    p_values = pair_p_values(copies, "ACGT")
    np.testing.assert_array_equal(p_values, p_values.T)
    assert p_values[0, 1] < 1e-4 and p_values[0, 2] < 1e-4 and p_values[1, 2] < 1e-4
    assert p_values[:3, 3:].min() > 0.1 and p_values[3, 4] > 0.1


def test_the_reverse_copy_stays_apart_without_the_reverse_complement(copies):
    # Protein-style letters: no complement is tried, so the reverse-complemented copy is a different motif.
    labels = cluster_motifs(copies, "WXYZ").tolist()
    assert labels[0] == labels[1] and labels[2] != labels[0]


def test_groups_take_the_best_member_and_put_kernels_without_motifs_last(copies):
    importance = {0: 0.2, 1: 0.5, 2: 0.3, 3: 0.4, 4: 0.1, 5: 0.9, 6: 0.05}
    sites = {k: 10 + k for k in importance}
    motifs = [SimpleNamespace(kernel=k, importance=v, n_sites=sites[k]) for k, v in importance.items()]
    exported = [ExportedMotif(k, MemeMotif(f"kernel_{k}", "", pwm, sites[k]), (0, len(pwm)))
                for k, pwm in enumerate(copies)]
    exported.append(ExportedMotif(6, MemeMotif("kernel_6", "", np.full((5, 4), 0.25), 16), (0, 5), informative=False))
    match = SimpleNamespace(target_id="MA0076.3", target_name="ELK4", q_value=0.001)
    groups = distinct_motifs(motifs, exported, "ACGT", {1: match})
    # Kernel 5 has no sites: last despite the top importance; the flat kernel 6 is compared with nothing.
    assert [g.members for g in groups] == [[1, 2, 0], [3], [4], [6], [5]]
    assert [g.importance for g in groups] == [0.5, 0.4, 0.1, 0.05, 0.9]
    assert groups[0].sites == 11 and groups[0].best_match is match and groups[0].consensus[4:12] == "CGGAAGTG"
    assert groups[-1].motif is None
    rows = [line.split("\t") for line in distinct_table(groups).strip().split("\n")]
    assert rows[0] == ["rank", "group", "best_kernel", "importance", "members", "sites", "consensus",
                       "best_match_id", "best_match_name", "best_match_q", "motif_source"]
    assert rows[1] == ["1", "group_1", "1", "0.5", "1,2,0", "11", groups[0].consensus, "MA0076.3", "ELK4", "0.001",
                       "best member (kernel 1)"]
    assert rows[5][2:] == ["5", "0.9", "5", "15", "-", "", "", "", "none (no sites)"]


def test_distinct_meme_reads_back_one_motif_per_group(tmp_path, copies):
    groups = [MotifGroup([3, 1], 0.5, 7, MemeMotif("kernel_3", "", copies[0], 7)),
              MotifGroup([2], 0.4, 9, MemeMotif("kernel_2", "", copies[3], 9)),
              MotifGroup([0], 0.1, 0, None)]
    path = tmp_path / "motifs_distinct.meme"
    path.write_text(format_meme(group_meme_motifs(groups), "ACGT", [0.25] * 4, strands=True))
    letters, motifs = read_meme(path)
    assert letters == "ACGT" and [(m.name, m.alt_name, m.nsites) for m in motifs] == [
        ("group_1", "kernel_3", 7), ("group_2", "kernel_2", 9)]
    np.testing.assert_allclose(motifs[0].pwm, copies[0], atol=1e-5)


def test_top_must_be_positive(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    result = cli("visualize-kernels", run_dir, "-o", tmp_path / "out", "--top", "0")
    assert result.exit_code == 1
    assert "--top expects a number of kernels >= 1, received: 0" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "out" / "kernels.tsv").exists()


@pytest.mark.slow
def test_every_planted_motif_is_a_distinct_motif_ranked_above_noise(sample_run, cli, tmp_path):
    """The DNA sample data: 3 planted motifs (ets, ap1, gata) and a network of 20 kernels, --top 3."""
    out = tmp_path / "kernels"
    result = cli("visualize-kernels", sample_run, "-o", out, "--group", "all", "--top", "3", "--quiet")
    assert result.exit_code == 0, result.stderr
    kernel_rows = [line.split("\t") for line in (out / "kernels.tsv").read_text().strip().split("\n")[1:]]
    assert len(kernel_rows) == 20
    for prefix in ("motif", "position", "activations"):
        assert sorted(p.name for p in out.glob(f"{prefix}_kernel_*.png")) == sorted(
            f"{prefix}_kernel_{row[0]}.png" for row in kernel_rows[:3])

    rows = [line.split("\t") for line in (out / "distinct_motifs.tsv").read_text().strip().split("\n")[1:]]
    members = [int(k) for row in rows for k in row[4].split(",")]
    assert sorted(members) == list(range(20))  # every kernel in exactly one group
    assert [float(row[3]) for row in rows] == sorted((float(row[3]) for row in rows), reverse=True)
    letters, motifs = read_meme(out / "motifs_distinct.meme")
    assert [m.name for m in motifs] == [f"group_{i}" for i in range(1, len(motifs) + 1)]
    assert [m.alt_name for m in motifs] == [f"kernel_{row[2]}" for row in rows[:len(motifs)]]
    found = {name: [i for i, m in enumerate(motifs) if best_agreement(m.pwm, planted) >= 0.8]
             for name, planted in PLANTED.items()}
    assert all(len(ranks) == 1 for ranks in found.values()), found  # each planted motif once
    planted_ranks = {ranks[0] for ranks in found.values()}
    noise_ranks = set(range(len(motifs))) - planted_ranks
    assert noise_ranks and max(planted_ranks) < min(noise_ranks)

    html = (out / "summary.html").read_text()
    assert html.index("<h2>Distinct motifs</h2>") < html.index("<h2>Data and model</h2>")
    assert html.count('<section class="kernel"') == 3
    report = check_in_chromium(out / "summary.html", tmp_path / "profile")
    # curves, 3 kernels x (match or logo, violins, positions), one logo per distinct motif
    assert report == {"images": 3 + 3 * 3 + len(motifs), "broken": [], "errors": []}


# Second stage: kernels whose sites co-locate.

def grouped(pwms, sites=None):
    """distinct_motifs of kernels 0..n-1 (importance falling with the number), as lists of members."""
    motifs = [SimpleNamespace(kernel=k, importance=1.0 - k / 10, n_sites=10) for k in range(len(pwms))]
    exported = [ExportedMotif(k, MemeMotif(f"kernel_{k}", "", pwm, 10), (0, len(pwm))) for k, pwm in enumerate(pwms)]
    return [g.members for g in distinct_motifs(motifs, exported, "ACGT", sites=sites)]


def test_partial_copies_of_one_long_motif_that_fire_together_are_one_group():
    # Two halves of one 16-letter element share no column, so TOMTOM keeps them apart ...
    rng = np.random.default_rng(1)
    element = "ACCGGAAGTGCATTGA"
    halves = [np.vstack([flank(rng, 3), letters_pwm(element[:8])]),
              np.vstack([letters_pwm(element[8:]), flank(rng, 3)])]
    assert pair_p_values(halves, "ACGT")[0, 1] > 1e-4
    assert grouped(halves) == [[0], [1]]
    # ... but the second fires 8 (+-1) positions after the first, in the same records.
    records = rng.choice(500, 60, replace=False)
    starts = rng.integers(0, 180, 60)
    first = KernelSites(records, starts)
    second = KernelSites(np.concatenate([records, np.arange(500, 520)]),
                         np.concatenate([starts + 8 + rng.integers(-1, 2, 60), rng.integers(0, 180, 20)]))
    assert colocation_scores([first, second])[0, 1] == 1.0  # every site of the smaller kernel co-locates
    assert grouped(halves, {0: first, 1: second}) == [[0, 1]]


def test_unrelated_motifs_firing_in_the_same_records_at_independent_places_stay_apart(copies):
    rng = np.random.default_rng(2)
    records = np.arange(300)  # many sites, all in shared records: only where they lie tells them apart
    sites = {0: KernelSites(records, rng.integers(0, 186, 300)), 1: KernelSites(records, rng.integers(0, 186, 300))}
    score = colocation_scores([sites[0], sites[1]])[0, 1]
    assert 0 < score < 0.13
    assert grouped([copies[0], copies[4]], sites) == [[0], [1]]


@pytest.mark.parametrize("together, merged", [(9, False), (10, True)])
def test_fewer_than_ten_co_located_records_do_not_merge(copies, together, merged):
    rng = np.random.default_rng(3)
    starts = rng.integers(0, 100, 12)
    # 12 sites each in the same records; `together` of them at offset 5, the others far off.
    other = np.where(np.arange(12) < together, starts + 5, starts + 60 + 7 * np.arange(12))
    sites = {0: KernelSites(np.arange(12), starts), 1: KernelSites(np.arange(12), other)}
    score = colocation_scores([sites[0], sites[1]])[0, 1]
    assert score == (together / 12 if merged else 0.0)
    assert grouped([copies[0], copies[4]], sites) == ([[0, 1]] if merged else [[0], [1]])


def test_merging_only_joins_whole_groups_and_labels_are_numbered_in_order():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0, 0.3, (12, 12))
    scores = (scores + scores.T) / 2
    labels = np.array([0, 1, 0, 2, 3, 1, 4, 5, 2, 6, 7, 3])
    merged = merge_colocated(labels, scores)
    for label in set(labels.tolist()):
        assert len(set(merged[labels == label].tolist())) == 1  # a TOMTOM group is never split
    assert len(set(merged.tolist())) < len(set(labels.tolist()))
    assert list(dict.fromkeys(merged.tolist())) == list(range(merged.max() + 1))
    assert merge_colocated(labels, np.eye(12)).tolist() == labels.tolist()  # nothing co-locates: unchanged


def reverse_complement_text(text):
    return text[::-1].translate(str.maketrans("ACGT", "TGCA"))


def test_a_kernel_and_its_reverse_complement_fire_together_only_when_both_strands_are_read():
    """DNA: element ACCGTCG on either strand; kernel 0 reads its start (ACCG), kernel 1 the reverse complement
    of its end (CGAC, 3 positions on); A/T background (no chance hits)."""
    import keras

    rng = np.random.default_rng(5)
    texts, labels = [], []
    for row in range(48):
        text = list("".join(rng.choice(list("AT"), 16)))
        if row < 20:  # the element in 20 of 24 positives: 10 on the forward strand, 10 on the reverse
            start = int(rng.integers(0, 10))
            text[start:start + 7] = "ACCGTCG" if row % 2 else reverse_complement_text("ACCGTCG")
        texts.append("".join(text))
        labels.append([1, 0] if row < 24 else [0, 1])
    codes = np.array([["ACGT".index(letter) + 1 for letter in text] for text in texts], dtype=np.uint8)
    data = Dataset(Encoder(DNA, 16), codes, np.array(labels, dtype=np.uint8), np.array([f"s{i}" for i in range(48)]),
                   np.zeros(48, dtype=np.int32), ["motif", "background"], False, [])
    sequence = keras.Input(shape=(16, 4), name="sequence")
    conv = keras.layers.Conv1D(2, 4, activation="relu", name="conv_1")
    model = keras.Model(sequence, keras.layers.Flatten()(conv(sequence)))
    kernel = np.zeros((4, 4, 2), dtype=np.float32)
    for column, (start, end) in enumerate(zip("ACCG", "CGAC")):
        kernel[column, "ACGT".index(start), 0] = kernel[column, "ACGT".index(end), 1] = 1.0
    conv.set_weights([kernel, np.array([-3.0, -3.0], dtype=np.float32)])  # 1 on an exact match, else 0

    forward_only = max_activations(model, data)
    assert forward_only.strand is None
    one_strand = kernel_sites(kernel_motifs(forward_only, data), forward_only)
    assert not set(one_strand[0].records) & set(one_strand[1].records)  # each sees one orientation
    assert colocation_scores([one_strand[0], one_strand[1]])[0, 1] == 0

    both = max_activations(model, data, both_strands=True)
    located = kernel_sites(kernel_motifs(both, data), both)
    assert sorted(located[0].records) == sorted(located[1].records) == list(range(20))
    for kernel_number in (0, 1):  # the window of the element, on the strand that holds the kernel's motif
        for record, start, strand in zip(*vars(located[kernel_number]).values()):
            window = texts[record][start:start + 4]
            read = window if strand == 1 else reverse_complement_text(window)
            assert read == ("ACCG", "CGAC")[kernel_number]
    np.testing.assert_array_equal(located[0].strands, -located[1].strands)
    # Read on kernel 0's strand, kernel 1's site is always 3 positions on (forward: -3 or +3 by strand).
    np.testing.assert_array_equal(located[0].records, located[1].records)
    assert sorted(set((located[1].starts - located[0].starts).tolist())) == [-3, 3]
    assert colocation_scores([located[0], located[1]])[0, 1] == 1.0
    assert merge_colocated(np.array([0, 1]), colocation_scores([located[0], located[1]])).tolist() == [0, 0]

    # visualize-kernels reads both from one pass over the data: the same as the two calls.
    one_pass = forward_and_both_strand_activations(model, data)
    for separate, shared in zip((forward_only, both), one_pass):
        for name in ("max_activation", "position", "strand"):
            np.testing.assert_array_equal(getattr(shared, name), getattr(separate, name))


def test_sites_on_the_same_and_on_opposite_strands_are_different_placements():
    records, starts = np.arange(20), np.arange(20) * 3
    strands = np.where(records < 10, 1, -1)  # kernel 1 reads the other strand in half of the records
    score = colocation_scores([KernelSites(records, starts), KernelSites(records, starts, strands)])[0, 1]
    assert score == 0.5


def _merge_by_recomputing_every_mean(labels, scores, same_sites):
    """Average linkage over groups as its definition reads: every mean recomputed from the scores."""
    groups = [list(np.flatnonzero(labels == label)) for label in dict.fromkeys(labels.tolist())]
    while len(groups) > 1:
        best, pair = -np.inf, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                mean = scores[np.ix_(groups[i], groups[j])].mean()
                if mean > best:
                    best, pair = mean, (i, j)
        if best < same_sites:
            break
        groups[pair[0]] = sorted(groups[pair[0]] + groups.pop(pair[1]))
    merged = np.zeros(len(labels), dtype=int)
    for label, members in enumerate(groups):
        merged[members] = label
    order = {}
    return np.array([order.setdefault(label, len(order)) for label in merged], dtype=int)


@pytest.mark.parametrize("seed", range(5))
def test_merging_with_updated_sums_equals_recomputing_every_mean(seed):
    from motifnet.motifs.distinct import merge_colocated

    rng = np.random.default_rng(seed)
    n = 40
    scores = rng.uniform(0, 0.3, (n, n)) ** 2 * 3
    scores = (scores + scores.T) / 2
    np.fill_diagonal(scores, 1.0)
    labels = rng.integers(0, 25, n)
    labels = np.unique(labels, return_inverse=True)[1]
    expected = _merge_by_recomputing_every_mean(labels, scores, 0.13)
    assert 1 < len(set(expected)) < len(set(labels))  # some groups merge, not all
    np.testing.assert_array_equal(merge_colocated(labels, scores, 0.13), expected)
