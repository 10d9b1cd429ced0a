"""visualize-kernels and activations on real runs: files, numbers, and the planted motifs found."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import PLANTED, SAMPLE_DNA, TINY_PARAMS, best_agreement, random_dna, write_fasta

from motifnet.motifs.meme import read_meme
from motifnet.run.rundir import open_run


def test_activations_equal_a_direct_convolution(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "acts.npz"
    result = cli("activations", run_dir, "-o", out, "--group", "all", "--batch-size", "7")
    assert result.exit_code == 0, result.stderr
    with np.load(out) as arrays:
        best, where, ids = arrays["max_activation"], arrays["position"], arrays["ids"]
    run = open_run(run_dir)
    kernel, bias = run.model.get_layer("conv_1").get_weights()
    x = run.dataset.encoder.one_hot(run.dataset.codes)
    width = kernel.shape[0]
    windows = np.stack([x[:, p:p + width] for p in range(x.shape[1] - width + 1)], axis=1)
    direct = np.maximum(np.einsum("npwc,wck->npk", windows, kernel) + bias, 0)
    np.testing.assert_allclose(best, direct.max(axis=1), rtol=1e-5, atol=1e-6)
    strongest = direct.max(axis=1) > 1e-3  # argmax of all-zero activations is arbitrary
    assert (where[strongest] == direct.argmax(axis=1)[strongest]).mean() > 0.99
    assert list(ids) == list(run.dataset.ids)


def test_activations_table(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "acts.tsv"
    assert cli("activations", run_dir, "-o", out).exit_code == 0
    lines = out.read_text().strip().split("\n")
    header = lines[0].split("\t")
    assert header[:4] == ["id", "classes", "kernel_0_max", "kernel_0_position"] and len(header) == 2 + 2 * 4
    assert len(lines) == 1 + 12  # the test split
    assert lines[1].split("\t")[1] in {"up", "down"}


@pytest.mark.slow
def test_top_kernels_find_every_planted_motif(sample_run, cli, tmp_path):
    out = tmp_path / "kernels"
    result = cli("visualize-kernels", sample_run, "-o", out, "--group", "all", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out / "summary.html")
    rows = [line.split("\t") for line in (out / "kernels.tsv").read_text().strip().split("\n")]
    assert rows[0][:5] == ["kernel", "importance", "top_class", "consensus", "sites"]
    importances = [float(row[1]) for row in rows[1:]]
    assert importances == sorted(importances, reverse=True)
    letters, motifs = read_meme(out / "motifs.meme")
    assert letters == "ACGT" and [m.name for m in motifs] == [f"kernel_{row[0]}" for row in rows[1:]]
    top = motifs[:8]
    for name, consensus in PLANTED.items():
        scores = [best_agreement(m.pwm, consensus) for m in top]
        assert max(scores) >= 0.8, (name, scores)
        winner = top[int(np.argmax(scores))]
        assert rows[1 + motifs.index(winner)][2] == name  # the kernel's top class is the motif's class
    for kernel in (row[0] for row in rows[1:]):
        for prefix in ("motif", "position", "activations"):
            assert (out / f"{prefix}_kernel_{kernel}.png").stat().st_size > 1000
    assert not list(out.glob("additional_features_kernel_*"))


@pytest.mark.slow
def test_sites_sit_where_the_motif_was_planted(sample_run):
    from motifnet.interpret.activations import max_activations
    from motifnet.interpret.kernels import kernel_motifs
    from motifnet.run.selection import select_data

    run = open_run(sample_run)
    dataset = select_data(run, "all")
    activations = max_activations(run, dataset)
    motifs = sorted(kernel_motifs(activations, dataset), key=lambda m: -m.importance)
    planted = {}
    for path in SAMPLE_DNA:
        for line in path.read_text().split("\n"):
            if line.startswith(">") and "pos=" in line:
                words = dict(word.split("=") for word in line[1:].split()[1:])
                planted[line[1:].split()[0]] = (int(words["pos"]), len(words["motif"]))
    best = motifs[0]
    hits = []
    for index in best.sites:
        record = str(dataset.ids[index])
        if record in planted:
            start, width = planted[record]
            window = activations.position[index, best.kernel]
            hits.append(window < start + width and start < window + activations.kernel_len)
    assert len(hits) > 100 and np.mean(hits) > 0.95


def test_visualize_kernels_on_a_structure_model_and_selected_kernels(rna_structure_run, cli, tmp_path):
    run_dir, _ = rna_structure_run
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, "--kernels", "1,3", "--group", "all", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.glob("motif_kernel_*.png")) == ["motif_kernel_1.png", "motif_kernel_3.png"]
    letters, motifs = read_meme(out / "motifs_structure.meme")
    assert letters == "()."
    for motif in motifs:
        np.testing.assert_allclose(motif.pwm.sum(axis=1), 1.0, atol=1e-5)
    assert read_meme(out / "motifs.meme")[0] == "ACGU"
    assert "strands" not in (out / "motifs.meme").read_text()  # RNA: no reverse strand
    # the structure consensus the report shows is in the table too (it was the report's alone)
    header, *rows = [line.split("\t") for line in (out / "kernels.tsv").read_text().splitlines()]
    assert header[3:6] == ["consensus", "structure_consensus", "sites"] and len(rows) == 2
    # one line of the kernels, not one per kernel (64 lines for a default network), in kernels.tsv's order
    listed = ", ".join(f"kernel {row[0]} ({float(row[1]):.3f}, {row[5]} sites)" for row in rows)
    assert f"2 kernel(s); most important: {listed}" in result.stderr
    assert "(1/2)" not in result.stderr
    assert all(row[4] != "-" and set(row[4].upper()) <= set("().") for row in rows)
    # ... and the distinct motifs carry theirs: table, report and logo (they showed the sequence alone)
    from matplotlib import image as plt_image

    structure = {row[0]: row[4] for row in rows}
    header, *groups = [line.split("\t") for line in (out / "distinct_motifs.tsv").read_text().splitlines()]
    column = header.index("structure_consensus")
    assert header[column - 1] == "consensus" and groups
    html = (out / "summary.html").read_text()
    state = json.loads((out / "report.json").read_text())
    for group, entry in zip(groups, state["kernels"]["distinct"]):
        assert group[column] == entry[0]["structure_consensus"]  # the trimmed columns of the best kernel's
        assert group[column] in structure[group[header.index("best_kernel")]]
        assert len(group[column]) == len(group[column - 1]) and set(group[column].upper()) <= set("().")
        assert f"{group[column - 1]}<br>{group[column]}" in html
        height, _, _ = plt_image.imread(out / entry[1]).shape
        assert height > 1.6 * 0.8 * 100  # two logos of 0.8 inch, one above the other
    # The page links motifs_structure.meme, gives each kernel's structure consensus beside its sequence consensus,
    # shows its two logos taller than a sequence logo alone, and says why nothing was matched (it linked motifs.meme
    # alone, the kernels' lines showed the sequence consensus only, and the matches' columns went without a word).
    assert re.findall(r'href="(motifs(?:_structure)?\.meme)"', html) == ["motifs.meme", "motifs_structure.meme"]
    kernel_rows = dict((row[0], row) for row in rows)
    for kernel in ("1", "3"):
        consensus, structure_consensus = kernel_rows[kernel][3:5]
        assert (f'consensus <span class="seq">{consensus}</span>, structure <span class="seq">{structure_consensus}'
                f'</span>') in html
        assert f'<img class="motif two-logos" src="motif_kernel_{kernel}.png"' in html
    assert "rna (ACGU); structure letters ( ) ." in html  # was "rna (ACGU) + structure (). (letters)"
    assert ("not\ncompared with known motifs: JASPAR holds DNA motifs and the model&#39;s letters are ACGU; give "
            "--motif-db FILE") in html


@pytest.mark.slow
def test_html_in_headers_and_class_names_is_shown_as_text(cli, tmp_path):
    rng = np.random.default_rng(8)
    evil = "<b>bold</b>"
    a = write_fasta(tmp_path / "a.fa", [(f"{evil}{i}", s) for i, s in enumerate(random_dna(rng, 30, 30, "GATC"))])
    # Every record's id carries the markup, so the strongest sites show it whatever the model learned.
    b = write_fasta(tmp_path / "b.fa", [(f"{evil}b{i}", s) for i, s in enumerate(random_dna(rng, 30, 30))])
    run_dir = tmp_path / "run"
    args = ["--class-names", "<script>alert(1)</script>,plain", "--param", "dropout_input=0", "--seed", "2"]
    assert cli("train", a, b, "-o", run_dir, *TINY_PARAMS, *args).exit_code == 0
    out = tmp_path / "vk"
    assert cli("visualize-kernels", run_dir, "-o", out, "--group", "all").exit_code == 0
    html = (out / "summary.html").read_text()
    assert "<script>" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    for source in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not source.startswith(("http:", "https:", "//")), source
        if not source.startswith("#"):
            assert (out / source).exists(), source


@pytest.mark.parametrize("args,fragment", [
    (["--kernels", "0,99"], "out of range: 99"),
    (["--group", "nope"], "Invalid value for '--group'"),
    (["--fasta", "{a}"], "give one FASTA file per class of the model (up, down)"),
    (["--jobs", "0"], "Invalid value for '--jobs'"),
])
def test_bad_options_of_visualize_kernels(trained_run, cli, tmp_path, args, fragment):
    run_dir, (up, _) = trained_run
    args = [arg.format(a=up) for arg in args]
    result = cli("visualize-kernels", run_dir, "-o", tmp_path / "vk", *args)
    assert result.exit_code != 0 and fragment in result.stderr and "Traceback" not in result.output


def test_new_labelled_fasta_is_checked_against_the_model(trained_run, cli, tmp_path):
    run_dir, (up, down) = trained_run
    result = cli("activations", run_dir, "-o", tmp_path / "a.npz", "--fasta", up, "--fasta", down)
    assert result.exit_code == 0, result.stderr
    assert f"looking at 80 sequences (FASTA files {up}, {down})" in result.stderr  # was "2 FASTA file(s)"
    with np.load(tmp_path / "a.npz") as arrays:
        assert arrays["max_activation"].shape == (80, 4)
        assert arrays["labels"][:40, 0].all() and arrays["labels"][40:, 1].all()
    rna = write_fasta(tmp_path / "rna.fa", [("u", "ACGU" * 10)])
    result = cli("activations", run_dir, "-o", tmp_path / "b.npz", "--fasta", rna, "--fasta", down)
    assert result.exit_code == 1 and "not in the dna alphabet" in result.stderr


def test_the_data_label_names_the_files_and_counts_beyond_three():
    from motifnet.cli.interpret import _files_label

    assert _files_label(["a.fa"]) == "FASTA file a.fa"
    assert _files_label(["-", "b.fa"]) == "FASTA files standard input, b.fa"
    assert _files_label(["a.bed", "b.bed"], "unlabelled ") == "unlabelled BED files a.bed, b.bed"
    assert _files_label([f"{n}.fa" for n in "abcde"]) == "5 FASTA files (a.fa, b.fa, c.fa, ...)"


def test_cluster_and_optimize_inputs_write_their_pngs(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    result = cli("cluster", run_dir, "-o", tmp_path / "c.png", "--group", "all", "--classes", "0,1")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    result = cli("optimize-inputs", run_dir, "--layer", "output", "-o", tmp_path / "o.png", "--steps", "300")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "o.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # progress at most every 10 s, as for every long step (it was a line per 100 steps, 148 lines in 10 s)
    assert "step 300 of 300" in result.stderr and "step 100 of 300" not in result.stderr


@pytest.mark.parametrize("args,fragment", [
    (["optimize-inputs", "{run}", "--layer", "conv_9", "-o", "{tmp}/x.png"], "conv_9"),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--nodes", "0,4", "-o", "{tmp}/x.png"], "4"),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--steps", "0", "-o", "{tmp}/x.png"], "steps"),
    (["cluster", "{run}", "--classes", "0,2", "-o", "{tmp}/x.png"], "2"),
    (["cluster", "{run}", "--classes", "zero", "-o", "{tmp}/x.png"], "--classes: 'zero' is not a class of the model"),
])
def test_bad_options_of_cluster_and_optimize_inputs(trained_run, cli, tmp_path, args, fragment):
    run_dir, _ = trained_run
    result = cli(*[arg.format(run=run_dir, tmp=tmp_path) for arg in args])
    message = result.stderr.strip()
    # a value outside the option's range (--steps 0) is a usage error, as Click's own range checks
    assert result.exit_code == (2 if "--steps" in args else 1), message
    assert fragment in message and "Traceback" not in result.output, message
    assert len(message.split("\n")) == 1 or message.split("\n")[-1].startswith("Error:"), message
    assert not (tmp_path / "x.png").exists()


def test_cluster_refuses_multi_label_runs(multi_label_run, cli, tmp_path):
    run_dir, _ = multi_label_run
    result = cli("cluster", run_dir, "-o", tmp_path / "x.png", "--group", "all")
    assert result.exit_code == 1 and "single-label" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "x.png").exists()


def test_motifs_meme_holds_the_kernel_motifs(trained_run, cli, tmp_path):
    from motifnet import kernel_motifs, max_activations, select_data

    run_dir, _ = trained_run
    out = tmp_path / "vk"
    # untrimmed; one kernel drawn (motifs.meme holds every kernel's motif whatever --top says)
    result = cli("visualize-kernels", run_dir, "-o", out, "--group", "all", "--trim-ic", "0", "--top", "1",
                 "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    run = open_run(run_dir)
    dataset = select_data(run, "all")
    expected = {f"kernel_{m.kernel}": m for m in kernel_motifs(max_activations(run, dataset), dataset)}
    letters, motifs = read_meme(out / "motifs.meme")
    assert letters == "ACGT"
    assert sorted(m.name for m in motifs) == sorted(name for name, m in expected.items() if m.pwm is not None)
    for motif in motifs:
        np.testing.assert_allclose(motif.pwm, expected[motif.name].pwm, atol=1e-6)
        assert motif.nsites == expected[motif.name].n_sites
        assert motif.alt_name == f"importance={expected[motif.name].importance:.4f}"


def test_figures_drawn_in_worker_processes_equal_those_drawn_in_one(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    for jobs in ("1", "2"):
        result = cli("visualize-kernels", run_dir, "-o", tmp_path / jobs, "--group", "all", "--no-match",
                     "--top", "2", "--jobs", jobs)
        assert result.exit_code == 0, result.stderr
    assert "in 2 processes" in result.stderr
    drawn = [f"{prefix}_kernel_" for prefix in ("motif", "activations", "position")]
    pngs = sorted(path.name for path in (tmp_path / "1").glob("*.png"))
    assert len([name for name in pngs if name.startswith(tuple(drawn))]) == 3 * 2  # the figures of the top 2 kernels
    assert pngs == sorted(path.name for path in (tmp_path / "2").glob("*.png"))
    for name in pngs:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name
    def report(folder):  # without the time it was written
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", (tmp_path / folder / "summary.html").read_text())

    assert report("1") == report("2")


def test_the_page_links_the_motif_files_of_the_formats_written(trained_run, cli, tmp_path):
    """--formats without meme wrote no motifs.meme, and the page still linked it: its one dead link."""
    out = tmp_path / "vk"
    args = ("--group", "all", "--jobs", "1", "--kernels", "1", "--no-match")
    assert cli("visualize-kernels", trained_run[0], "-o", out, *args, "--formats", "homer,jaspar").exit_code == 0
    html = (out / "summary.html").read_text()
    links = re.findall(r'href="(motifs\.[a-z]+)"', html)
    assert links == ["motifs.jaspar", "motifs.homer"] and not (out / "motifs.meme").exists()
    for source in re.findall(r'(?:src|href)="([^"#][^"]*)"', html):
        assert (out / source).exists(), source


def test_a_rerun_keeps_only_this_runs_outputs_and_what_others_put_there(trained_run, cli, tmp_path):
    run_dir, (up, down) = trained_run
    out = tmp_path / "vk"
    result = cli("visualize-kernels", run_dir, "-o", out, "--group", "all", "--jobs", "1", "--formats", "meme,jaspar")
    assert result.exit_code == 0, result.stderr
    dropped = {"matches.tsv", "motifs.jaspar", "motif_kernel_0.png", "motif_kernel_3.png"}  # not written again
    assert dropped <= {path.name for path in out.iterdir()}
    # A scan adds its section to the report; the user adds notes and a subfolder of their own.
    assert cli("scan", out / "motifs.meme", up, down, "-o", out).exit_code == 0
    scan_files = {"scan.json", "hits.tsv", "hits.bed", "enrichment.tsv", "enrichment.png"}
    users = {"notes.txt": b"mine", "motif_kernel_notes.png": b"mine too"}
    for name, content in users.items():
        (out / name).write_bytes(content)
    (out / "mine").mkdir()
    (out / "mine" / "motif_kernel_0.png").write_bytes(b"mine")
    assert 'id="scan"' in (out / "summary.html").read_text()
    args = ("--group", "all", "--jobs", "1", "--kernels", "1", "--no-match")
    result = cli("visualize-kernels", run_dir, "-o", out, *args)
    assert result.exit_code == 0, result.stderr
    alone = tmp_path / "alone"  # what this run writes into a folder of its own
    assert cli("visualize-kernels", run_dir, "-o", alone, *args).exit_code == 0
    written = {path.name for path in alone.iterdir()}
    assert not written & dropped
    assert {"kernels.tsv", "motifs.meme", "motif_kernel_1.png", "summary.html"} <= written
    assert {path.name for path in out.iterdir()} == written | scan_files | set(users) | {"mine"}
    assert all((out / name).read_bytes() == content for name, content in users.items())
    assert (out / "mine" / "motif_kernel_0.png").read_bytes() == b"mine"
    assert 'id="scan"' in (out / "summary.html").read_text()
    # In a folder that held no visualize-kernels run, files of its names are the user's: kept.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    theirs = ("matches.tsv", "motifs.jaspar", "match_kernel_0.png", "motif_kernel_3.png")
    for name in theirs:
        (fresh / name).write_bytes(b"mine")
    assert cli("visualize-kernels", run_dir, "-o", fresh, *args).exit_code == 0
    assert all((fresh / name).read_bytes() == b"mine" for name in theirs)


def test_a_rerun_removes_only_the_files_the_earlier_report_lists(trained_run, cli, tmp_path):
    """A rerun removed every file of the command's names that it did not write again: the user's matches.tsv beside
    a --no-match report, their motifs.jaspar or motif_kernel_99.png, none of them written by the earlier run."""
    run_dir = trained_run[0]
    out = tmp_path / "vk"
    args = ("--group", "all", "--jobs", "1", "--no-match")
    assert cli("visualize-kernels", run_dir, "-o", out, *args, "--kernels", "0").exit_code == 0
    listed = json.loads((out / "report.json").read_text())["outputs"]
    assert {"kernels.tsv", "motif_kernel_0.png", "report.json", "summary.html"} <= set(listed)
    assert set(listed) == {path.name for path in out.iterdir()}  # every file of the run, nothing else
    users = ("matches.tsv", "motifs.jaspar", "motif_kernel_99.png")
    for name in users:
        (out / name).write_bytes(b"mine")
    result = cli("visualize-kernels", run_dir, "-o", out, *args, "--kernels", "0")
    assert result.exit_code == 0, result.stderr
    assert all((out / name).read_bytes() == b"mine" for name in users) and "removed" not in result.stderr
    # One of the names this run writes, not the earlier run's: refused, nothing written.
    (out / "motif_kernel_1.png").write_bytes(b"mine")
    before = _folder_bytes(out)
    result = cli("visualize-kernels", run_dir, "-o", out, *args, "--kernels", "0,1")
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == (
        f"Error: -o {out}: holds motif_kernel_1.png, which this visualize-kernels run writes, but the report.json "
        "there does not list it as its run's; nothing was written: choose another folder, or move "
        "motif_kernel_1.png away")
    assert _folder_bytes(out) == before


def test_a_stop_before_any_file_leaves_no_folder_it_made(trained_run, tmp_path, monkeypatch):
    # It left an empty output folder (and its new parents) behind.
    import motifnet.workflows.visualize as visualize
    from motifnet._signals import StopRequested

    def stopped(*args, **kwargs):
        raise StopRequested

    monkeypatch.setattr(visualize, "max_activations", stopped)
    monkeypatch.setattr(visualize, "forward_and_both_strand_activations", stopped)
    run = open_run(trained_run[0])
    with pytest.raises(StopRequested):
        visualize.visualize_kernels(run, run.dataset, tmp_path / "new" / "out")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kept").mkdir()  # a folder that was there stays
    with pytest.raises(StopRequested):
        visualize.visualize_kernels(run, run.dataset, tmp_path / "kept")
    assert (tmp_path / "kept").is_dir()


def _folder_bytes(folder):
    return {path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_stop_after_the_figures_leaves_an_earlier_report_whole_and_a_new_folder_as_it_was(trained_run, cli, tmp_path,
                                                                                           monkeypatch):
    """Files were written into the folder as they were drawn: a stop then left a new folder with kernels.tsv and no
    report.json (a rerun was refused), or an earlier report with some figures of the new run."""
    import motifnet.workflows.visualize as visualize
    from motifnet._signals import StopRequested

    run_dir = trained_run[0]
    earlier = tmp_path / "earlier"
    args = ("--group", "all", "--jobs", "1", "--no-match")
    assert cli("visualize-kernels", run_dir, "-o", earlier, *args, "--kernels", "0,1").exit_code == 0
    before = _folder_bytes(earlier)

    def stopped(*args, **kwargs):
        raise StopRequested

    run = open_run(run_dir)
    with monkeypatch.context() as patch:
        patch.setattr(visualize, "rank_by_influence", stopped)  # every figure, kernels.tsv and motifs.meme drawn
        for out in (earlier, tmp_path / "new"):
            with pytest.raises(StopRequested):
                visualize.visualize_kernels(run, run.dataset, out, kernels=[2, 3], jobs=1)
    assert _folder_bytes(earlier) == before and not (tmp_path / "new").exists()
    assert cli("visualize-kernels", run_dir, "-o", tmp_path / "new", *args).exit_code == 0


def test_a_users_file_of_a_name_this_run_writes_is_refused_before_anything_is_written(trained_run, cli, tmp_path):
    """Only summary.html, kernels.tsv, motifs.meme and report.json were guarded: a user's distinct_motifs.tsv or
    motif_kernel_0.png in a folder without a report was replaced."""
    for name in ("distinct_motifs.tsv", "motif_kernel_0.png", "training_curves.png"):
        out = tmp_path / name
        out.mkdir()
        (out / name).write_bytes(b"mine")
        result = cli("visualize-kernels", trained_run[0], "-o", out, "--no-match", "--kernels", "0", "--jobs", "1")
        assert result.exit_code == 1 and "Traceback" not in result.output
        last = result.stderr.splitlines()[-1]
        assert last.startswith(f"Error: -o {out}: holds {name}") and "nothing was written" in last
        assert _folder_bytes(out) == {Path(name): b"mine"}


@pytest.mark.parametrize("name, content", [
    ("summary.html", "my own notes"), ("kernels.tsv", "my own notes"), ("motifs.meme", "my own notes"),
    ("report.json", '{"tool": "other"}'),
    # A report.json that is not JSON was taken for a damaged one of motifnet's: the user's files of report names
    # beside it were removed or replaced as an earlier run's.
    ("report.json", "my notes, not JSON"),
])
def test_a_users_file_of_a_report_name_in_a_folder_without_a_report_is_refused(trained_run, cli, tmp_path, name,
                                                                                content):
    """A summary.html of the user's in a folder that held no report was replaced without a word; a report.json of
    another tool made every file of the report's names there look like an earlier run's, replaced or removed."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text(content)
    result = cli("visualize-kernels", trained_run[0], "-o", out, "--no-match", "--kernels", "0")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (f"Error: -o {out}: holds {name}, which visualize-kernels writes, but no motifnet "
                                     f"report (no report.json of motifnet's); choose another folder, or move {name} "
                                     "away")
    assert sorted(path.name for path in out.iterdir()) == [name]
    assert (out / name).read_text() == content
    # summary.html and kernels.tsv of the user's together are no report of motifnet 0.1.0's either
    (out / "summary.html").write_text("<html>my page</html>")
    (out / "kernels.tsv").write_text("my table")
    result = cli("visualize-kernels", trained_run[0], "-o", out, "--no-match", "--kernels", "0")
    assert result.exit_code == 1 and (out / "summary.html").read_text() == "<html>my page</html>"


@pytest.mark.parametrize("command", [
    ("visualize-kernels", "{run}", "-o", "{out}", "--no-match", "--kernels", "0"),
    ("attribute", "{run}", "-o", "{out}", "--method", "saliency", "--top", "1"),
    ("scan", "{motifs}", "{fasta}", "-o", "{out}"),
])
def test_a_folder_another_command_writes_is_refused_and_left_as_it_is(trained_run, cli, tmp_path, command):
    """Two commands writing one folder at once both exited 0 and left a mix of two runs (one's report with the
    other's figures, or one's attribution.json beside the other's logos)."""
    from motifnet.motifs.meme import MemeMotif, write_meme
    from motifnet.run.lock import acquire

    planted_meme = tmp_path / "motif.meme"
    pwm = np.full((6, 4), 0.05)
    pwm[np.arange(6), ["ACGT".index(letter) for letter in "TTGACA"]] = 0.85
    write_meme(planted_meme, [MemeMotif("ttgaca", "", pwm, 20)], "ACGT", [0.25] * 4, strands=True)
    out = tmp_path / "busy"
    with acquire(out, "visualize-kernels"):
        (out / "notes.txt").write_text("mine")
        args = [arg.format(run=trained_run[0], out=out, motifs=planted_meme, fasta=trained_run[1][0])
                for arg in command]
        result = cli(*args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines()[-1].startswith(f"Error: {out}: in use by motifnet visualize-kernels (pid ")
        assert sorted(path.name for path in out.iterdir()) == [".motifnet.lock", "notes.txt"]
    assert cli(*args).exit_code == 0 and not (out / ".motifnet.lock").exists()


def test_a_staging_folder_a_killed_run_left_is_removed_by_the_next(trained_run, cli, tmp_path):
    out = tmp_path / "report"
    stale = out / ".visualize-kernels.k1ll3d00.partial"
    stale.mkdir(parents=True)
    (stale / "kernels.tsv").write_text("half")
    (out / ".visualize-kernels.notes").mkdir()  # not a staging folder's name: stays
    result = cli("visualize-kernels", trained_run[0], "-o", out, "--no-match", "--kernels", "0", "--jobs", "1")
    assert result.exit_code == 0 and "left by a visualize-kernels that was killed" in result.stderr
    assert not stale.exists() and (out / ".visualize-kernels.notes").is_dir()
    assert not [path for path in out.iterdir() if path.name.endswith(".partial")]


def test_reruns_after_a_report_without_a_list_or_a_run_without_a_report_take_their_files_for_motifnets(trained_run,
                                                                                                       tmp_path):
    """Found in review: a report written before report.json listed its files kept its figures of kernels no longer
    drawn, and the next run drawing them refused them as the user's; a run without a report (report=False) into a
    report folder left files the report's list did not hold, refused the same way, and into a folder of its own
    removed nothing of an earlier such run."""
    import motifnet.workflows.visualize as visualize
    from motifnet.motifs.matching import MotifOptions

    run = open_run(trained_run[0])
    options = MotifOptions(match=False)

    def draw(out, kernels, report=True):
        visualize.visualize_kernels(run, run.dataset, out, kernels, jobs=1, motif_options=options, report=report)
        return {path.name for path in out.iterdir()}

    legacy = tmp_path / "legacy"
    draw(legacy, [0, 1])
    state = json.loads((legacy / "report.json").read_text())
    del state["outputs"]  # as a motifnet that kept no list wrote it
    (legacy / "report.json").write_text(json.dumps(state))
    assert not any("kernel_1" in name for name in draw(legacy, [0]))  # removed by their names, as that motifnet did
    assert "motif_kernel_1.png" in draw(legacy, [0, 1])
    mixed = tmp_path / "mixed"
    draw(mixed, [0])
    assert "motif_kernel_1.png" in draw(mixed, [1], report=False)
    assert "motif_kernel_1.png" in json.loads((mixed / "report.json").read_text())["outputs"]
    assert "motif_kernel_1.png" in draw(mixed, [1])  # the run without a report's files are motifnet's
    plain = tmp_path / "plain"
    draw(plain, [0, 1], report=False)
    assert not any("kernel_1" in name for name in draw(plain, [0], report=False))
