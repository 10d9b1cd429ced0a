"""Progress lines of long steps: what they say, when, and that --quiet silences them."""

import logging

import pytest
from helpers import TINY_PARAMS

import motifnet._progress
from motifnet._progress import Progress


def test_a_line_names_the_work_the_count_the_rate_and_the_time_left():
    progress = Progress("predicting", total=1000, unit="sequences", every=1e9)
    progress.advance(250)
    assert progress.done == 250
    assert progress.line(5.0) == "predicting: 250 of 1,000 sequences (50 per second, about 15 s left)"
    unknown_total = Progress("reading a.fa", every=1e9)
    unknown_total.advance(12_345)
    assert unknown_total.line(1.0) == "reading a.fa: 12,345 records (12,345 per second)"
    # A count whose total is not known, with the share of the input read (bytes of the files): the time left.
    share_read = Progress("predicting", every=1e9)
    share_read.advance(3_000, share=0.25)
    assert share_read.line(10.0) == "predicting: 3,000 records (300 per second, 25% of the input, about 30 s left)"


def test_lines_are_logged_only_when_the_interval_has_passed(caplog):
    with caplog.at_level(logging.INFO, logger="motifnet"):
        quiet = Progress("slow", every=1e9)
        for _ in range(5):
            quiet.advance(1)
        assert not caplog.records
        every_time = Progress("fast", total=3, every=0)
        for _ in range(3):
            every_time.advance(1)
    assert [record.getMessage().split(" (")[0] for record in caplog.records] == [
        "fast: 1 of 3 records", "fast: 2 of 3 records", "fast: 3 of 3 records"]


@pytest.mark.parametrize("command, expected", [
    (["predict", "{run}", "{up}", "-o", "{tmp}/p.tsv"],
     ["predicting: 40 records", "100% of the input, about 0 s left"]),
    (["activations", "{run}", "-o", "{tmp}/a.npz", "--group", "all", "--batch-size", "16"],
     ["first-layer activations: 16 of 80 sequences", "first-layer activations: 80 of 80 sequences"]),
    (["attribute", "{run}", "-o", "{tmp}/attr", "--method", "saliency", "--group", "all", "--top", "0"],
     ["attributions: 80 of 80 sequences"]),
    (["attribute", "{run}", "-o", "{tmp}/attr", "--method", "saliency", "--top", "2"],
     ["drawing attribution logos: 1 of 2 figures", "drawing attribution logos: 2 of 2 figures"]),
])
def test_long_steps_report_progress_unless_quiet(trained_run, cli, tmp_path, monkeypatch, command, expected):
    run_dir, (up, _) = trained_run
    monkeypatch.setattr(motifnet._progress, "REPORT_SECONDS", 0.0)
    args = [arg.format(run=run_dir, up=up, tmp=tmp_path) for arg in command]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    for fragment in expected:
        assert fragment in result.stderr, result.stderr
    quiet = cli(*args, "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr


@pytest.mark.slow
def test_training_off_a_terminal_reports_batches_of_each_epoch(dna_files, cli, tmp_path, monkeypatch):
    import re

    monkeypatch.setattr(motifnet._progress, "REPORT_SECONDS", 0.02)
    a, b = dna_files
    result = cli("train", a, b, "-o", tmp_path / "run", "--seed", "1", *TINY_PARAMS)
    assert result.exit_code == 0, result.stderr
    # 42 training records in batches of 16: 3 batches per epoch, counted from the optimizer's steps.
    counts = [(int(epoch), int(done)) for epoch, done in
              re.findall(r"^epoch (\d)/2: (\d) of 3 batches \(", result.stderr, flags=re.MULTILINE)]
    assert counts and {epoch for epoch, _ in counts} <= {1, 2}
    assert all(0 <= done <= 3 for _, done in counts)
    quiet = cli("train", a, b, "-o", tmp_path / "run", "--seed", "1", "--overwrite", "--quiet", *TINY_PARAMS)
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr
