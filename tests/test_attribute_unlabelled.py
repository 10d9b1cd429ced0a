"""``motifnet attribute RUN_DIR FASTA...``: plain FASTA without labels (motifnet.run.unlabelled)."""

import json
import logging

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import write_fasta

from motifnet.cli.main import main
from motifnet.errors import InputError
from motifnet.report._templates import environment
from motifnet.run.rundir import open_run
from motifnet.run.unlabelled import read_unlabelled


def records(path):
    """(id, sequence) pairs of a small FASTA file, in order."""
    lines = path.read_text().split()
    return [(lines[i][1:].split()[0], lines[i + 1]) for i in range(0, len(lines), 2)]


def attribute(run_dir, out, *args):
    """Run ``motifnet attribute ... --method deeplift`` and return its attributions.npz."""
    result = CliRunner().invoke(main, ["attribute", str(run_dir), *map(str, args), "-o", str(out), "--top", "2",
                                       "--method", "deeplift"])
    assert result.exit_code == 0, result.output
    with np.load(out / "attributions.npz", allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


@pytest.fixture(scope="module")
def labelled(trained_run, tmp_path_factory):
    """The attributions of the run's two files through the labelled ``--fasta`` form."""
    run_dir, (up, down) = trained_run
    return attribute(run_dir, tmp_path_factory.mktemp("labelled") / "out", "--fasta", up, "--fasta", down)


def same_as_labelled(arrays, labelled):
    index = {record_id: row for row, record_id in enumerate(labelled["ids"])}
    rows = [index[record_id] for record_id in arrays["ids"]]
    np.testing.assert_array_equal(arrays["target"], labelled["target"][rows])
    np.testing.assert_allclose(arrays["attributions"], labelled["attributions"][rows], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(arrays["probability"], labelled["probability"][rows], rtol=1e-5)


def test_one_unlabelled_file_gives_the_attributions_of_the_labelled_form(trained_run, cli, tmp_path, labelled):
    run_dir, (up, _) = trained_run
    arrays = attribute(run_dir, tmp_path / "one", up)
    assert list(arrays["ids"]) == [record_id for record_id, _ in records(up)] and len(arrays["ids"]) == 40
    assert arrays["labels"].shape == (40, 0) and list(arrays["class_names"]) == ["up", "down"]
    same_as_labelled(arrays, labelled)


def test_three_unlabelled_files_in_order(trained_run, cli, tmp_path, labelled):
    run_dir, (up, down) = trained_run
    pairs = records(up) + records(down)
    # Three files cut across the classes: labels play no part.
    parts = [write_fasta(tmp_path / f"part{i}.fa", pairs[start:stop])
             for i, (start, stop) in enumerate([(0, 30), (30, 35), (35, 80)])]
    arrays = attribute(run_dir, tmp_path / "three", *parts)
    assert list(arrays["ids"]) == [record_id for record_id, _ in pairs]
    same_as_labelled(arrays, labelled)  # the same records in the same order: the same predicted-class targets


def test_target_by_name(trained_run, cli, tmp_path):
    run_dir, (up, down) = trained_run
    arrays = attribute(run_dir, tmp_path / "down", down, up, "--target", "down")
    assert set(arrays["target_name"]) == {"down"} and set(arrays["target"]) == {1}
    assert len(arrays["ids"]) == 80 and arrays["ids"][0] == "down0" and arrays["ids"][40] == "up0"


@pytest.mark.parametrize("extra", [["--fasta", "DOWN"], ["--multi-label"], ["--group", "all"]])
def test_files_and_the_labelled_selection_exclude_each_other(trained_run, cli, tmp_path, extra):
    run_dir, (up, down) = trained_run
    extra = [down if arg == "DOWN" else arg for arg in extra]
    result = cli("attribute", run_dir, up, *extra, "-o", tmp_path / "out", "--method", "saliency")
    assert result.exit_code == 2 and "Traceback" not in result.output  # a usage error: the command line shows it
    assert len(result.stderr.strip().splitlines()) == 1
    assert "FASTA arguments (plain, unlabelled) and --fasta/--multi-label/--group exclude each other" in result.stderr
    assert not (tmp_path / "out").exists()


def test_read_unlabelled_sources_and_refusals(trained_run, tmp_path):
    run_dir, (up, down) = trained_run
    run = open_run(run_dir)
    dataset = read_unlabelled(run, [up, down])
    assert len(dataset) == 80 and list(np.bincount(dataset.sources)) == [40, 40]
    assert dataset.targets is None and dataset.labels.shape == (80, 0)
    np.testing.assert_array_equal(dataset.codes, run.dataset.codes)  # the run's own encoding of these records
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.raises(InputError, match="no FASTA records"):
        read_unlabelled(run, [empty])
    short = write_fasta(tmp_path / "short.fa", [("s", "ACGT")])
    with pytest.raises(InputError, match="length"):
        read_unlabelled(run, [short])


def test_records_that_share_an_id_are_kept_with_one_warning(trained_run, tmp_path, caplog):
    """motifs' seqlets.tsv and attribute's tables name records by id; repeated ids went unmentioned."""
    run_dir, (up, down) = trained_run
    same = tmp_path / "same.fa"
    same.write_text("".join(f">r{i % 3}\n{'ACGT' * 10}\n" for i in range(7)))
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        dataset = read_unlabelled(open_run(run_dir), [up, same])
    assert len(dataset) == 47 and list(dataset.ids[40:]) == ["r0", "r1", "r2", "r0", "r1", "r2", "r0"]
    assert [record.getMessage() for record in caplog.records] == [
        f"duplicate record id 'r0': {same}, record 1 ('r0') and {same}, record 4 ('r0') (3 id(s) occur more than "
        "once); results are kept, but tables keyed by id (predictions, attributions) will be ambiguous"]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        read_unlabelled(open_run(run_dir), [up, down])
    assert not caplog.records


def test_multi_label_and_regression_runs(multi_label_run, regression_run, tmp_path):
    for name, fixture in {"multi": multi_label_run, "regression": regression_run}.items():
        run_dir = fixture[0]
        run = open_run(run_dir)
        sequence = ("ACGT" * 100)[:run.dataset_encoder.length]
        plain = write_fasta(tmp_path / f"{name}.fa", [(f"r{i}", sequence) for i in range(3)])
        arrays = attribute(run_dir, tmp_path / name, plain)
        assert list(arrays["ids"]) == ["r0", "r1", "r2"] and arrays["labels"].shape == (3, 0)
        assert list(arrays["class_names"]) == run.output_names
        # a regression model's output was described as a class's logit, its predicted value as a probability
        entry = json.loads((tmp_path / name / "attribution.json").read_text())
        assert entry["regression"] is (name == "regression")
        assert entry["explained_output"] == (
            "predicted value of the target (the output layer is linear)" if name == "regression"
            else "logit of the target class (input of the output layer's softmax/sigmoid)")
        section = environment().get_template("attribution_section.html").render(
            attributions=[{**entry, "anchor": "a", "folder": name}])
        words = ("predicted value", "probability") if name == "regression" else ("probability", "predicted value")
        assert f"<th>{words[0]}</th>" in section and f"highest {words[0]} of their target" in section
        assert f"<th>{words[1]}</th>" not in section
        # a linear output has no logit beside it: the value was shown twice, once as "output"
        assert ("<th>logit</th>" in section) is (name != "regression")
        output = "output" if name == "regression" else "logit"
        assert f"change of the {output} from the baseline" in section and f"in {output} units" in section


def test_a_regression_runs_attributions_carry_the_measured_values_of_labelled_records(regression_run, tmp_path):
    """attributions.npz of a regression run's test split had empty labels and no values: attributions could not be set
    against the measured values without going back to the FASTA. Unlabelled records have none to give."""
    run_dir = regression_run[0]
    run = open_run(run_dir)
    arrays = attribute(run_dir, tmp_path / "split", "--group", "all")
    order = {record_id: row for row, record_id in enumerate(run.dataset.ids)}
    rows = [order[record_id] for record_id in arrays["ids"]]
    assert arrays["targets"].shape == (len(run.dataset), 1) and arrays["targets"].dtype == np.float32
    np.testing.assert_array_equal(arrays["targets"], run.dataset.targets[rows])
    assert len(np.unique(arrays["targets"])) > 1
    plain = write_fasta(tmp_path / "plain.fa", [("r0", ("ACGT" * 100)[:run.dataset_encoder.length])])
    assert "targets" not in attribute(run_dir, tmp_path / "plain", plain)


@pytest.mark.parametrize("regression", [False, True])
def test_the_report_sections_name_a_regression_models_outputs_targets_not_class_logits(regression):
    """The TF-MoDISco and variants sections of a regression run's report spoke of 'the logit of each class', a
    'class' column and 'the logit of the output'; the distinct motifs of 'firing differently between classes'."""
    env = environment()
    facts = {"targets": []} if regression else None
    patterns = env.get_template("patterns_section.html").render(regression=facts, patterns=[{
        "anchor": "p", "method_label": "DeepLIFT", "folder": "m", "classes": ["activity"], "data": "test split",
        "n_sequences": 3, "modisco": {"package": "modisco-lite", "version": "2"}, "motif_database": None,
        "files": [], "regression": regression, "patterns": [{
            "name": "pattern_1", "class": "activity", "sign": "+", "seqlets": 9, "seqlets_per_group": [],
            "consensus": "TGACTCA", "best_match": None, "kernel_motif": None, "image": "pattern_1.png",
            "match_image": None}]}])
    text = " ".join(patterns.split())
    if regression:
        assert "contributions of every letter to the predicted value of each target" in text
        assert "A positive pattern raises the target&#39;s predicted value" in text
        assert "targets: activity" in text and "<th>target</th>" in text and "logit" not in text
    else:
        assert "contributions of every letter to the logit of each class" in text
        assert "classes: activity" in text and "<th>class</th>" in text
    variants = env.get_template("variants_section.html").render(regression=facts, variants=[])
    assert variants.strip() == ""
    variants = env.get_template("variants_section.html").render(regression=facts, variants=[{
        "anchor": "v", "vcf": "v.vcf", "folder": "v", "genome": "g.fa", "snvs": 0, "skipped_indels": 0,
        "skipped_mismatches": 0, "window_length": 100, "offset": 50, "null": 10, "max_abs_delta_unit": "value",
        "logo_method": None, "files": [], "top": []}])
    assert ("drive the predicted value of the target the variant changes most" in " ".join(variants.split())) \
        is regression
    assert ("logit" in variants) is not regression


@pytest.mark.parametrize("command", [["attribute", "--method", "saliency"], ["activations"], ["cluster"]])
def test_new_labelled_data_and_a_split_exclude_each_other(trained_run, cli, tmp_path, command):
    """--group was silently ignored beside --fasta."""
    run_dir, (up, down) = trained_run
    out = tmp_path / ("out.tsv" if command[0] == "activations" else "out.png" if command[0] == "cluster" else "out")
    result = cli(command[0], run_dir, "--fasta", up, "--fasta", down, "--group", "val", "-o", out, *command[1:])
    assert result.exit_code == 2 and "Traceback" not in result.output  # a usage error (it exited 1)
    assert result.stderr.strip().splitlines() == [
        "Error: --group val chooses a split of the run's data and --fasta gives new data instead; give one or the "
        f"other (see 'main {command[0]} --help')"]
    assert not out.exists()
    # --group at its default beside --fasta is no choice: the files are read
    assert cli(command[0], run_dir, "--fasta", up, "--fasta", down, "-o", out, *command[1:]).exit_code == 0


@pytest.mark.parametrize("command", [["attribute", "--method", "saliency"],
                                     ["motifs", "--window", "5", "--flank", "2"]])  # seqlets that fit 40 letters
def test_a_file_given_twice_is_refused(trained_run, cli, tmp_path, command):
    """attribute and motifs read the same FASTA file twice: every record (and id) twice, seqlets counted twice;
    '- -' said that standard input held no records."""
    run_dir, (up, _) = trained_run
    name, *options = command
    result = cli(name, run_dir, up, up, "-o", tmp_path / "out", *options)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{up} is given twice: its records would count twice; give each input file once" in result.stderr
    result = cli(name, run_dir, "-", "-", "-o", tmp_path / "out", *options, input=up.read_text())
    assert result.exit_code == 2, result.output
    assert "standard input ('-') can be read only once" in result.stderr
    assert not (tmp_path / "out").exists()
