"""motifnet.run.selection: a split of the run's own data, or new labelled FASTA checked against the model."""

import numpy as np
import pytest
from helpers import write_fasta

from motifnet.errors import InputError, ParamError
from motifnet.run.rundir import open_run
from motifnet.run.selection import select_data


def split_groups(run_dir):
    lines = (run_dir / "split.tsv").read_text().strip().split("\n")[1:]
    return np.array([line.split("\t")[-1] for line in lines])


def test_the_groups_are_the_records_of_split_tsv(trained_run):
    run_dir, _ = trained_run
    run = open_run(run_dir)
    groups = split_groups(run_dir)
    every = select_data(run, "all")
    assert every is run.dataset and len(every) == 80
    for group, size in (("train", 56), ("val", 12), ("test", 12)):
        chosen = select_data(run, group)
        assert len(chosen) == size
        assert list(chosen.ids) == list(run.dataset.ids[groups == group])
    assert list(select_data(run).ids) == list(select_data(run, "test").ids)  # the default


def test_an_unknown_group_is_refused(trained_run):
    with pytest.raises(ParamError, match=r"^--group must be one of train, val, test, all, received: 'tests'$"):
        select_data(open_run(trained_run[0]), "tests")


def test_new_files_are_read_in_the_model_class_order(trained_run):
    run_dir, (up, down) = trained_run
    data = select_data(open_run(run_dir), fasta=[down, up])  # read as classes up, down whatever their names
    assert data.class_names == ["up", "down"] and len(data) == 80
    assert data.labels[:40, 0].all() and data.labels[40:, 1].all()
    assert data.ids[0] == "down0"


@pytest.mark.parametrize("make, message, error", [
    (lambda tmp, up: [up], r"give one FASTA file per class of the model \(up, down\), in that order; received 1",
     ParamError),
    (lambda tmp, up: [write_fasta(tmp / "short.fa", [("a", "ACGT" * 5)]), write_fasta(tmp / "b.fa", [("b", "A" * 20)])],
     r"short.fa, record 1 \('a'\): sequence length 20 differs from 40; the model takes this length only \(it does "
     r"not crop or pad\)", InputError),
    # The model fixes the alphabet: no pointing to --alphabet, which the commands reading new data lack.
    (lambda tmp, up: [write_fasta(tmp / "rna.fa", [("a", "ACGU" * 10)]), up],
     r"rna.fa, record 1 \('a'\): sequence character 'U' at position 4 is not in the dna alphabet \(allowed: "
     r"ACGTRYSWKMBDHVN\); this record looks like RNA and the model was trained on DNA: write U as T$", InputError),
])
def test_new_files_that_do_not_fit_the_model(trained_run, tmp_path, make, message, error):
    run_dir, (up, _) = trained_run
    with pytest.raises(error, match=message):
        select_data(open_run(run_dir), fasta=make(tmp_path, up))


def test_new_multi_label_data(multi_label_run):
    run_dir, fasta = multi_label_run
    run = open_run(run_dir)
    data = select_data(run, fasta=[fasta], multi_label=True)
    assert data.class_names == ["x", "y", "z"] and data.labels.shape == (60, 3)
    np.testing.assert_array_equal(data.labels, run.dataset.labels)
    # The run says it is multi-label: the flag is not needed again.
    np.testing.assert_array_equal(select_data(run, fasta=[fasta]).labels, run.dataset.labels)
    for flag in (False, True):
        with pytest.raises(ParamError, match=r"the model is multi-label: give one multi-label FASTA file \(class "
                                             r"indices at the end of each header\), received 2"):
            select_data(run, fasta=[fasta, fasta], multi_label=flag)


def test_multi_label_flag_refused_for_a_single_label_model(trained_run):
    run_dir, (up, _) = trained_run
    with pytest.raises(ParamError, match="the model is single-label; drop --multi-label and give one FASTA file "
                                         "per class"):
        select_data(open_run(run_dir), fasta=[up], multi_label=True)


def test_new_regression_data(regression_run, tmp_path):
    run_dir, _, records = regression_run
    run = open_run(run_dir)
    labelled = write_fasta(tmp_path / "new.fa", [(f"{record_id} {value:.3f}", sequence)
                                                 for record_id, sequence, value in records[:5]])
    data = select_data(run, fasta=[labelled])
    assert data.target_names == ["gata_count"] and data.targets.shape == (5, 1)
    np.testing.assert_allclose(data.targets[:, 0], [value for _, _, value in records[:5]], atol=5e-4)
    two = write_fasta(tmp_path / "two.fa", [("a 1 2", records[0][1])])
    with pytest.raises(InputError, match=r"two.fa: 2 target value\(s\) per header, but the model predicts 1 "
                                         r"\(gata_count\)"):
        select_data(run, fasta=[two])
    with pytest.raises(ParamError, match="the model is a regression model; drop --multi-label"):
        select_data(run, fasta=[labelled], multi_label=True)
