"""``train --overwrite``: only motifnet's files are replaced (an input inside the run folder: test_bad_inputs)."""

from pathlib import Path

import pytest
from helpers import TINY_PARAMS, copy_run, dead_pid, folder_digest

from motifnet.run.lock import LOCK
from motifnet.run.training import check_run_dir, lock_run_dir


def test_overwrite_keeps_files_motifnet_did_not_write(trained_run, cli, tmp_path):
    shared, files = trained_run
    run_dir = copy_run(shared, tmp_path / "run")
    (run_dir / "notes.txt").write_text("my notes")
    (run_dir / "figures").mkdir()
    (run_dir / "figures" / "a.png").write_bytes(b"png")
    (run_dir / "report").mkdir()
    # train writes epistasis.tsv for regression with --epistatic-reg only: beside this run it is the user's (it went)
    (run_dir / "epistasis.tsv").write_text("index\torder\tsites\tvalue\n")
    model = (run_dir / "model.keras").read_bytes()
    result = cli("train", *files, "-o", run_dir, "--overwrite", "--seed", "4", *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    assert (run_dir / "notes.txt").read_text() == "my notes"
    assert (run_dir / "figures" / "a.png").read_bytes() == b"png" and (run_dir / "report").is_dir()
    assert (run_dir / "epistasis.tsv").read_text() == "index\torder\tsites\tvalue\n"
    assert ("keeping 4 file(s) that motifnet did not write: epistasis.tsv, figures, notes.txt, report"
            in " ".join(result.stderr.split()))
    assert (run_dir / "model.keras").read_bytes() != model
    assert not (run_dir / LOCK).exists()


def test_overwrite_and_a_completed_training_keep_the_users_files_inside_resume_and_folded(trained_run, cli, tmp_path):
    """resume/ and folded/ were removed whole, with what the user had put in them."""
    shared, files = trained_run
    run_dir = copy_run(shared, tmp_path / "run")
    for folder in ("resume", "folded"):
        (run_dir / folder).mkdir()
        (run_dir / folder / "mine.txt").write_text("my notes")
    (run_dir / "resume" / "epoch-3.npz").write_bytes(b"an epoch")
    (run_dir / "resume" / "state.json").write_text("{}")
    (run_dir / "folded" / "sources.json").write_text('{"up.fa": {}}')
    (run_dir / "folded" / "up.fa").write_text(">a\nACGU\n")
    result = cli("train", *files, "-o", run_dir, "--overwrite", "--seed", "4", *TINY_PARAMS)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (run_dir / "resume").iterdir()) == ["mine.txt"]  # training completed
    assert sorted(path.name for path in (run_dir / "folded").iterdir()) == ["mine.txt"]
    assert "keeping 2 file(s) that motifnet did not write: folded/mine.txt, resume/mine.txt" in result.stderr
    (run_dir / "resume" / "mine.txt").unlink()
    result = cli("train", *files, "-o", run_dir, "--overwrite", "--seed", "4", *TINY_PARAMS)
    assert result.exit_code == 0 and not (run_dir / "resume").exists()  # emptied: removed, as before


def test_partial_files_of_killed_writes_are_removed_when_the_folder_is_locked(trained_run, tmp_path, caplog):
    import logging
    import os

    from motifnet._io import _host_in_name

    run_dir = copy_run(trained_run[0], tmp_path / "run")
    (run_dir / "resume").mkdir()
    writer = f"{dead_pid()}@{_host_in_name()}"
    partials = [run_dir / f".model.keras.{writer}.0a1b2c3d.partial.keras", run_dir / ".history.tsv.4e5f6a7b.partial",
                run_dir / f".data.npz.{writer}.89abcdef.partial.npz",
                run_dir / "resume" / f".epoch-4.npz.{writer}.01234567.partial.npz",
                run_dir / ".metrics.json.k2j4x_1q.partial"]  # tempfile's name, of motifnet before 2026-12-02
    for partial in partials:
        partial.write_bytes(b"half")
    # not atomic_path's names, or a writer that lives (a predict -o into the run folder) or cannot be checked: they
    # stay (the first three were removed, the user's notes among them, by every train into the folder)
    kept = [run_dir / ".keep.partial-notes", run_dir / ".model.keras.notes.partial", run_dir / ".my.x.partial",
            run_dir / f".predictions.tsv.{os.getpid()}@{_host_in_name()}.0a1b2c3d.partial",
            # a live writer's file whose target name holds an older temporary's (a nested name)
            run_dir / f".a.deadbeef.partial.png.{os.getpid()}@{_host_in_name()}.00000000.partial.png",
            run_dir / f".predictions.tsv.{dead_pid()}@node-7.cluster.0a1b2c3d.partial"]
    for path in kept:
        path.write_text("not a dead writer's of this host")
    before = {name: digest for name, digest in folder_digest(run_dir).items()
              if name not in {str(partial.relative_to(run_dir)) for partial in partials}}
    with caplog.at_level(logging.INFO, logger="motifnet"), lock_run_dir(run_dir):
        assert not any(partial.exists() for partial in partials)
    assert folder_digest(run_dir) == before and all(path.exists() for path in kept)
    assert caplog.text.count("left by a write that was killed") == 5
    assert "temporary files of another host's writes, whose runs cannot be checked from here: .predictions.tsv." \
        in caplog.text


def test_a_temporary_file_of_another_host_does_not_make_a_folder_a_run(tmp_path):
    """A batch job killed on one node and requeued on another: its leftover was taken for a file of a run."""
    from motifnet.run.rundir import UNFINISHED
    from motifnet.run.training import check_run_dir

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / UNFINISHED).write_text("")
    (run_dir / ".model.keras.4242@node-3.0a1b2c3d.partial.keras").write_bytes(b"half")
    check_run_dir(run_dir, overwrite=False)  # not refused


def test_a_folder_that_motifnet_left_without_motifnet_json_is_a_run_to_overwrite(tmp_path):
    from motifnet.errors import ParamError
    from motifnet.run.rundir import UNFINISHED

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "data.npz").write_bytes(b"x")  # a training stopped before motifnet.json was written, with its mark
    (run_dir / UNFINISHED).write_text("")
    with pytest.raises(ParamError, match="holds a run already; pass --overwrite"):
        check_run_dir(run_dir, overwrite=False)
    check_run_dir(run_dir, overwrite=True)
    (run_dir / "mine.txt").write_text("x")  # stays when the run is replaced
    check_run_dir(run_dir, overwrite=True)
    (run_dir / UNFINISHED).unlink()
    with pytest.raises(ParamError, match="is not a motifnet run"):
        check_run_dir(run_dir, overwrite=True)


@pytest.mark.parametrize("name", ["model.keras", "history.tsv", "split.tsv", "metrics.json", "data.npz"])
@pytest.mark.parametrize("mode", [[], ["--overwrite"], ["--resume"]])
def test_a_users_file_of_a_run_files_name_alone_in_the_folder_is_not_a_run(dna_files, cli, tmp_path, name, mode):
    """A folder holding only the user's model.keras (or history.tsv, ...) was taken for a run: 'holds a run already',
    and --overwrite or --resume replaced the file with exit 0."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / name).write_text("the user's")
    result = cli("train", *dna_files, "-o", out, *TINY_PARAMS, *mode)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {out}: folder is not empty and is not a motifnet run; choose another -o")
    assert [path.name for path in out.iterdir()] == [name] and (out / name).read_text() == "the user's"


def test_a_training_stopped_before_motifnet_json_leaves_a_folder_that_overwrite_and_resume_take(dna_files, cli,
                                                                                                   tmp_path,
                                                                                                   monkeypatch):
    from motifnet.run import training
    from motifnet.run.rundir import UNFINISHED

    out = tmp_path / "run"
    write_json = training.write_json

    def failing(path, obj):
        if Path(path).name == "motifnet.json":
            raise OSError(28, "No space left on device", str(path))
        write_json(path, obj)

    with monkeypatch.context() as patch:
        patch.setattr(training, "write_json", failing)
        assert cli("train", *dna_files, "-o", out, *TINY_PARAMS).exit_code == 1
    assert sorted(path.name for path in out.iterdir()) == sorted(["data.npz", "split.tsv", UNFINISHED])
    result = cli("train", *dna_files, "-o", out, *TINY_PARAMS, "--resume")
    assert result.exit_code == 0, result.output
    assert not (out / UNFINISHED).exists() and (out / "motifnet.json").is_file()


def test_a_folder_training_may_not_use_is_refused_before_the_inputs_are_read(dna_files, cli, tmp_path):
    """The folder was refused only after every input was read (minutes for a large one): here a broken input
    would have been found first."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("the user's")
    broken = tmp_path / "broken.fa"
    broken.write_text(">a\nAC GT\n")
    result = cli("train", dna_files[0], broken, "-o", out, *TINY_PARAMS)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {out}: folder is not empty and is not a motifnet run; choose another -o"]
    run = cli("train", *dna_files, "-o", tmp_path / "run", *TINY_PARAMS)
    assert run.exit_code == 0, run.output
    again = cli("train", dna_files[0], broken, "-o", tmp_path / "run", *TINY_PARAMS)
    assert again.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'run'}: holds a run already; pass --overwrite to replace it, --resume to continue it, "
        "or choose another -o"]
