"""A run trained with ``train --fold`` folds plain FASTA itself, as its inputs were folded."""

import json
import tempfile

import numpy as np
import pytest
from helpers import write_fasta
from test_folding import plain_rna_subset, train_folded

from motifnet.data.alphabets import RNA, structure_alphabet
from motifnet.data.encoding import Encoder
from motifnet.data.folding import FoldOptions, fold_file
from motifnet.run.fold_new_inputs import carries_structure, folded_as_trained, run_fold_options
from motifnet.run.rundir import Run

RECORDS = [("a", "GGGGAAACCCCAUAUAUGCGC"), ("b", "AUAUAUGCGCAAAAGCGCAAA")]


def _run(tmp_path, fold_format, meta_extra=None):
    """A run folder's metadata (no model) for a network trained on ``fold_format`` files."""
    plain = write_fasta(tmp_path / "plain.fa", RECORDS)
    folded = tmp_path / f"{fold_format}.fa"
    fold_file(plain, folded, FoldOptions(format=fold_format, jobs=1))
    encoder = Encoder(RNA, 21, structure=structure_alphabet("FHIMST"),
                      structure_mode="pwm" if fold_format == "profile" else "letters")
    meta = {"data": {"encoder": encoder.to_json()}, **(meta_extra or {})}
    return Run(tmp_path, meta), plain, folded


@pytest.mark.parametrize("fold_format", ["context", "profile"])
def test_plain_and_folded_records_are_told_apart(tmp_path, fold_format):
    run, plain, folded = _run(tmp_path, fold_format)
    wrapped = write_fasta(tmp_path / "wrapped.fa", RECORDS, wrap=10)  # several lines, still plain
    assert carries_structure(folded, run.dataset_encoder)
    assert not carries_structure(plain, run.dataset_encoder)
    assert not carries_structure(wrapped, run.dataset_encoder)


@pytest.mark.parametrize("meta_extra, expected", [
    ({}, FoldOptions(format="context")),  # older runs: detected from the FHIMST letters
    ({"fold": {"format": "context", "seed": 3}}, FoldOptions(format="context", seed=3)),
])
def test_the_run_fold_options_are_read_or_detected(tmp_path, meta_extra, expected):
    run, _, _ = _run(tmp_path, "context", meta_extra)
    assert run_fold_options(run) == expected


def test_older_runs_take_the_options_from_the_folded_sources(tmp_path):
    run, _, _ = _run(tmp_path, "profile")
    (tmp_path / "folded").mkdir()
    settings = {"format": "profile", "window": None, "span": None, "samples": 50, "exact": False, "seed": 4}
    (tmp_path / "folded" / "sources.json").write_text(json.dumps({"x.fa": {"settings": settings}}))
    assert run_fold_options(run) == FoldOptions(**settings)


def test_plain_input_is_folded_into_a_temporary_folder_that_is_removed(tmp_path, monkeypatch):
    run, plain, folded = _run(tmp_path, "context")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    with folded_as_trained(run, [plain, folded]) as paths:
        assert paths[1] == str(folded)  # already folded: read as it is
        assert open(paths[0]).read() == folded.read_text()
    assert list((tmp_path / "tmp").iterdir()) == []


def _table(path):
    lines = path.read_text().splitlines()
    return lines[0], {line.split("\t")[0]: np.array(line.split("\t")[1:], dtype=float) for line in lines[1:]}


@pytest.mark.slow
def test_a_fold_run_predicts_plain_fasta_as_it_predicts_folded_fasta(cli, tmp_path):
    run_dir, meta, (loop, stem) = train_folded(cli, tmp_path, 30, "context", seed=1)
    assert meta["fold"] == {"format": "context", "window": None, "span": None, "samples": None,
                            "exact": False, "seed": 1}
    (tmp_path / "new").mkdir()
    new_plain = plain_rna_subset(tmp_path / "new", 30)
    folded = [tmp_path / "new" / f"folded_{path.name}" for path in new_plain]
    for source, target in zip(new_plain, folded):
        result = cli("fold", source, "--format", "context", "-o", target)  # context samples nothing: no --seed
        assert result.exit_code == 0, result.stderr

    result = cli("predict", run_dir, new_plain[0], "-o", tmp_path / "plain.tsv")
    assert result.exit_code == 0, result.stderr
    assert "folding 30 records with ViennaRNA (context), as the run was trained" in result.stderr
    result = cli("predict", run_dir, folded[0], "-o", tmp_path / "folded.tsv")
    assert result.exit_code == 0, result.stderr
    assert "folding" not in result.stderr
    header, from_plain = _table(tmp_path / "plain.tsv")
    _, from_folded = _table(tmp_path / "folded.tsv")
    assert header == "id\tloop\tstem" and list(from_plain) == list(from_folded) and len(from_plain) == 30
    for record_id, values in from_plain.items():
        np.testing.assert_array_equal(values, from_folded[record_id])

    result = cli("predict", run_dir, "-", input=new_plain[0].read_text())  # standard input too
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (tmp_path / "plain.tsv").read_text()

    result = cli("activations", run_dir, "--fasta", new_plain[0], "--fasta", new_plain[1], "-o",
                 tmp_path / "plain.npz")
    assert result.exit_code == 0, result.stderr
    result = cli("activations", run_dir, "--fasta", folded[0], "--fasta", folded[1], "-o", tmp_path / "folded.npz")
    assert result.exit_code == 0, result.stderr
    with np.load(tmp_path / "plain.npz") as from_plain, np.load(tmp_path / "folded.npz") as from_folded:
        for name in ("max_activation", "position", "ids", "labels"):
            np.testing.assert_array_equal(from_plain[name], from_folded[name])

    result = cli("visualize-kernels", run_dir, "--fasta", new_plain[0], "--fasta", new_plain[1], "--no-match",
                 "-o", tmp_path / "kernels")
    assert result.exit_code == 0, result.stderr
    assert "folding 60 records with ViennaRNA (context)" in result.stderr

    # attribute: plain unlabelled FASTA after RUN_DIR, explained as the folded file is
    for name, source in (("plain", new_plain[0]), ("folded", folded[0])):
        result = cli("attribute", run_dir, source, "--method", "saliency", "--top", "3", "-o",
                     tmp_path / f"attribute_{name}")
        assert result.exit_code == 0, result.stderr
    with np.load(tmp_path / "attribute_plain" / "attributions.npz") as from_plain, \
            np.load(tmp_path / "attribute_folded" / "attributions.npz") as from_folded:
        for name in from_folded.files:
            np.testing.assert_array_equal(from_plain[name], from_folded[name])


def test_an_error_in_a_folded_copy_names_the_users_file(tmp_path):
    # Errors raised while reading the folded copy named a file in a temporary folder, gone by then.
    from motifnet.errors import InputError

    run, plain, _ = _run(tmp_path, "context")
    with pytest.raises(InputError) as error, folded_as_trained(run, [plain]) as paths:
        raise InputError(f"{paths[0]}, record 2 ('b'): sequence length 21 differs from 40")
    assert str(error.value) == f"{plain} (folded), record 2 ('b'): sequence length 21 differs from 40"


def test_a_warning_about_a_folded_copy_names_the_users_file(tmp_path, caplog):
    # A warning of repeated ids named the temporary folded copy (motifnet-fold-.../0-plain.fa), not the user's file.
    import logging

    from motifnet.data.dataset import warn_duplicate_ids

    run, plain, _ = _run(tmp_path, "context")
    caplog.clear()  # the folding's own lines
    with caplog.at_level(logging.WARNING, logger="motifnet"), folded_as_trained(run, [plain]) as paths:
        warn_duplicate_ids(["a", "a"], lambda row: f"{paths[0]}, record {row + 1}")
    assert [record.getMessage() for record in caplog.records] == [
        f"duplicate record id 'a': {plain} (folded), record 1 and {plain} (folded), record 2 (1 id(s) occur more than "
        "once); results are kept, but tables keyed by id (predictions, attributions) will be ambiguous"]
    logging.getLogger("motifnet").warning("after the block: %s", paths[0])  # the names are mapped in the block only
    assert caplog.records[-1].getMessage() == f"after the block: {paths[0]}"
