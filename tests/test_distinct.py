"""Distinct motifs: kernels with the same motif grouped, ranked by their best kernel's importance."""

import re
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import PLANTED, best_agreement, check_in_chromium

from motifnet.motifs.colocation import SAME_SITES, NearbyFiring, colocation_scores
from motifnet.motifs.distinct import (
    MotifGroup,
    class_ranks,
    cluster_motifs,
    distinct_motifs,
    distinct_table,
    group_meme_motifs,
    label_groups,
    pair_p_values,
    rank_by_influence,
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
    # Each group takes its best kernel's top class from the kernel rows.
    label_groups(groups, [SimpleNamespace(kernel=k, top_class="bound" if k in (1, 4) else "unbound", correlation=None,
                                          target=None) for k in importance])
    assert [g.top_class for g in groups] == ["bound", "unbound", "bound", "unbound", "unbound"]
    rows = [line.split("\t") for line in distinct_table(groups).strip().split("\n")]
    assert rows[0] == ["rank", "group", "best_kernel", "influence", "importance", "top_class", "class_rank", "members",
                       "sites", "consensus", "best_match_id", "best_match_name", "best_match_q", "motif_source"]
    assert rows[1] == ["1", "group_1", "1", "", "0.5", "bound", "1", "1,2,0", "11", groups[0].consensus, "MA0076.3",
                       "ELK4", "0.001", "best member (kernel 1)"]
    # Each class counts its own motifs; the group without sites has no rank.
    assert [row[6] for row in rows[1:]] == ["1", "1", "2", "2", ""]
    assert rows[5][2:] == ["5", "", "0.9", "unbound", "", "5", "15", "-", "", "", "", "none (no sites)"]

    # Ranked by influence: the groups with a motif reorder, ties by importance; the group without sites stays last.
    ranked = rank_by_influence(groups, [0.02, 0.3, 0.02, -0.001])
    assert [g.members for g in ranked] == [[3], [1, 2, 0], [4], [6], [5]]
    assert [g.influence for g in ranked] == [0.3, 0.02, 0.02, -0.001, None]
    rows = [line.split("\t") for line in distinct_table(ranked).strip().split("\n")]
    assert [row[3] for row in rows[1:]] == ["0.3", "0.02", "0.02", "-0.001", ""]
    assert [row[5:7] for row in rows[1:]] == [["unbound", "1"], ["bound", "1"], ["bound", "2"], ["unbound", "2"],
                                              ["unbound", ""]]
    with pytest.raises(ValueError, match="one influence per group with a motif"):
        rank_by_influence(groups, [0.1])


def test_class_ranks_count_each_class_in_the_groups_order():
    motif = MemeMotif("kernel_0", "", np.full((4, 4), 0.25), 1)
    classes = ["negative", "positive", "negative", "", "positive", "positive", "negative"]
    groups = [MotifGroup([k], 1.0 - k / 10, 1, None if k == 5 else motif, top_class=top)
              for k, top in enumerate(classes)]
    assert class_ranks(groups) == [1, 1, 2, None, 2, None, 3]
    assert class_ranks([]) == []


def test_regression_groups_show_the_best_kernels_correlation_and_its_target():
    groups = [MotifGroup([2, 0], 0.6, 5, None), MotifGroup([1], 0.2, 3, None)]
    label_groups(groups, [SimpleNamespace(kernel=k, top_class=None, correlation=r, target=t)
                          for k, r, t in ((0, 0.1, "gata"), (1, 0.2, "foxa"), (2, -0.6, "gata"))])
    rows = [line.split("\t") for line in distinct_table(groups).strip().split("\n")]
    assert rows[0][5:7] == ["correlation", "target"] and [row[5:7] for row in rows[1:]] == [["-0.6", "gata"],
                                                                                          ["0.2", "foxa"]]


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
    # Refused before the data is read (it was refused after): not the missing file, the option is named.
    result = cli("visualize-kernels", run_dir, "-o", tmp_path / "out", "--top", "0", "--fasta", tmp_path / "no.fa")
    assert result.exit_code == 2  # a value outside the option's range: a usage error
    assert "Invalid value for '--top': 0 is not in the range x>=1" in result.stderr
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

    header, *lines = (out / "distinct_motifs.tsv").read_text().strip().split("\n")
    rows = [dict(zip(header.split("\t"), line.split("\t"))) for line in lines]
    members = [int(k) for row in rows for k in row["members"].split(",")]
    assert sorted(members) == list(range(20))  # every kernel in exactly one group
    top_class = {row[0]: row[2] for row in kernel_rows}
    assert [row["top_class"] for row in rows] == [top_class[row["best_kernel"]] for row in rows]  # best kernel's
    # Ranked by influence (the loss increase when a group is silenced); the groups without sites last, unmeasured.
    measured = [row for row in rows if row["consensus"] != "-"]
    assert [float(row["influence"]) for row in measured] == sorted((float(row["influence"]) for row in measured),
                                                                   reverse=True)
    assert all(row["influence"] == "" for row in rows[len(measured):])
    # Each class's motifs are numbered 1, 2, ... in the table's order; groups without sites are not.
    for name in set(top_class.values()):
        ranks = [row["class_rank"] for row in rows if row["top_class"] == name and row["consensus"] != "-"]
        assert ranks == [str(i) for i in range(1, len(ranks) + 1)]
    assert all(row["class_rank"] == "" for row in rows if row["consensus"] == "-")
    letters, motifs = read_meme(out / "motifs_distinct.meme")
    assert [m.name for m in motifs] == [f"group_{i}" for i in range(1, len(motifs) + 1)]
    assert [m.alt_name for m in motifs] == [f"kernel_{row['best_kernel']}" for row in rows[:len(motifs)]]
    found = {name: [i for i, m in enumerate(motifs) if best_agreement(m.pwm, planted) >= 0.8]
             for name, planted in PLANTED.items()}
    assert all(len(ranks) == 1 for ranks in found.values()), found  # each planted motif once
    planted_ranks = {ranks[0] for ranks in found.values()}
    noise_ranks = set(range(len(motifs))) - planted_ranks
    assert noise_ranks and max(planted_ranks) < min(noise_ranks)
    # Silencing a planted motif costs the network far more than silencing any other group.
    planted_influence = [float(rows[rank]["influence"]) for rank in planted_ranks]
    noise_influence = [float(rows[rank]["influence"]) for rank in noise_ranks]
    assert min(planted_influence) > max(0.05, 3 * max(noise_influence)), (planted_influence, noise_influence)

    html = (out / "summary.html").read_text()
    assert html.index("<h2>Distinct motifs</h2>") < html.index("<h2>Data and model</h2>")
    # The cuts in use, from the code.
    assert "below 1e-4" in html and f"beyond chance, at {round(SAME_SITES * 100)}% or more of them" in html
    assert "or at 6% or more where\ntheir motifs are also alike, with a geometric mean p-value of 1e-2 or less" in html
    assert html.count('<section class="kernel"') == 3
    # Each distinct motif's logo is its own bare logo (the kernel's figure, shrunk, was unreadable), also for the
    # groups whose best kernel has per-kernel plots.
    thumbnails = re.findall(r'<img class="thumb" src="(distinct_kernel_[0-9]+\.png)"', html)
    assert thumbnails == [f"distinct_kernel_{row['best_kernel']}.png" for row in rows[:len(motifs)]]
    assert all((out / name).is_file() for name in thumbnails)
    report = check_in_chromium(out / "summary.html", tmp_path / "profile")
    # curves, 3 kernels x (match or logo, violins, positions), one logo per distinct motif
    assert report == {"images": 3 + 3 * 3 + len(motifs), "broken": [], "errors": []}


# Second stage: kernels whose sites co-locate.

def grouped(pwms, nearby=None):
    """distinct_motifs of kernels 0..n-1 (importance falling with the number), as lists of members."""
    motifs = [SimpleNamespace(kernel=k, importance=1.0 - k / 10, n_sites=10) for k in range(len(pwms))]
    exported = [ExportedMotif(k, MemeMotif(f"kernel_{k}", "", pwm, 10), (0, len(pwm))) for k, pwm in enumerate(pwms)]
    return [g.members for g in distinct_motifs(motifs, exported, "ACGT", nearby=nearby)]


def test_partial_copies_of_one_long_motif_that_fire_together_are_one_group():
    # Two halves of one 16-letter element share no column, so TOMTOM keeps them apart ...
    rng = np.random.default_rng(1)
    element = "ACCGGAAGTGCATTGA"
    halves = [np.vstack([flank(rng, 3), letters_pwm(element[:8])]),
              np.vstack([letters_pwm(element[8:]), flank(rng, 3)])]
    assert pair_p_values(halves, "ACGT")[0, 1] > 1e-4
    assert grouped(halves) == [[0], [1]]
    # ... but near each of the first's 60 sites the second fires 8 (+-1) positions on, and near 60 of the
    # second's 80 sites the first fires 8 (+-1) positions before.
    shift = rng.integers(-1, 2, 60)
    first = NearbyFiring(np.ones((60, 2), dtype=bool), np.column_stack([np.zeros(60, int), 8 + shift]),
                         np.ones((60, 2), dtype=int), 14)
    second = NearbyFiring(np.column_stack([np.arange(80) < 60, np.ones(80, bool)]),
                          np.column_stack([np.r_[-8 - shift, np.zeros(20, int)], np.zeros(80, int)]),
                          np.ones((80, 2), dtype=int), 14)
    # The larger direction (60 of 60 sites, not 60 of 80), less the 5 of 29 offsets expected by chance.
    assert colocation_scores([first, second], [0, 1])[0, 1] == pytest.approx(1 - 5 / 29)
    assert grouped(halves, {0: first, 1: second}) == [[0, 1]]


def test_kernels_that_co_locate_below_the_cut_group_only_where_their_motifs_are_alike():
    # Two kernels with overlapping parts of one element (4 shared columns) are alike, but not alike enough
    # for TOMTOM's stage (p between 1e-4 and 1e-2); a third kernel reads something else.
    rng = np.random.default_rng(0)
    element = "TGACTCATGG"
    first = np.vstack([flank(rng, 4), letters_pwm(element[:6])])
    second = np.vstack([letters_pwm(element[2:8]), flank(rng, 4)])
    other = np.vstack([flank(rng, 4), letters_pwm("CAGGTAGC")])
    p_values = pair_p_values([first, second, other], "ACGT")
    assert 1e-4 < p_values[0, 1] < 1e-2 and p_values[0, 2] > 0.1
    # Near 10 of the first kernel's 100 sites the other kernel fires 4 positions on: a score of
    # (10 - 10 * 5 / 29) / 100 = 0.083, beyond chance but below the co-location cut (0.09).
    fires = np.zeros((100, 2), dtype=bool)
    fires[:10, 1] = True
    near_first = NearbyFiring(fires, np.where(fires, 4, 0), np.ones((100, 2), dtype=int), 14)
    near_second = NearbyFiring(np.zeros((100, 2), dtype=bool), np.zeros((100, 2), dtype=int),
                               np.ones((100, 2), dtype=int), 14)
    assert colocation_scores([near_first, near_second], [0, 1])[0, 1] == pytest.approx(0.1 * 24 / 29)
    assert grouped([first, second], {0: near_first, 1: near_second}) == [[0, 1]]
    assert grouped([first, other], {0: near_first, 1: near_second}) == [[0], [1]]
    assert grouped([first, second]) == [[0], [1]]  # TOMTOM's stage alone keeps them apart
