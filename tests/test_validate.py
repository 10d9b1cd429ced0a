"""motifnet._validate: the shared checks of user-given indices and input files, and their messages."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

from motifnet._validate import check_indices, check_inputs_not_written
from motifnet.errors import MotifnetError, ParamError

NOUNS = ("class index", "class indices", "index")
VALID = "valid: 0 to 2 (a, b, c)"


def test_valid_indices_come_back_as_ints_in_the_given_order():
    checked = check_indices((2, np.int64(0), 2), 3, "--classes", NOUNS, VALID)
    assert checked == [2, 0, 2] and all(type(index) is int for index in checked)
    assert check_indices(iter([1]), 3, "--classes", NOUNS, VALID) == [1]


@pytest.mark.parametrize("values, message", [
    ([], "--classes: give at least one class index; valid: 0 to 2 (a, b, c)"),
    ([0, 1.0], "--classes: expected class indices (integers), received: 1.0; valid: 0 to 2 (a, b, c)"),
    (["1"], "--classes: expected class indices (integers), received: '1'; valid: 0 to 2 (a, b, c)"),
    ([0, 3], "--classes: index 3 is out of range; valid: 0 to 2 (a, b, c)"),
    ([-1], "--classes: index -1 is out of range; valid: 0 to 2 (a, b, c)"),
])
def test_bad_indices_are_one_parameter_error_naming_the_value(values, message):
    with pytest.raises(ParamError) as raised:
        check_indices(values, 3, "--classes", NOUNS, VALID)
    assert str(raised.value) == message
    assert isinstance(raised.value, MotifnetError)


def test_nothing_is_valid_when_there_are_no_items():
    with pytest.raises(ParamError, match="kernel 0 is out of range"):
        check_indices([0], 0, "kernels", ("kernel", "kernel indices", "kernel"), "the model has no kernels")


def test_an_input_the_command_would_write_over_is_refused_through_links_and_numbered_names(tmp_path):
    out = tmp_path / "out"
    mine = tmp_path / "mine.meme"
    mine.write_text("kept")
    # No output folder yet: nothing there can be written over.
    check_inputs_not_written(out, [("--db", mine)], ["hits.tsv"], "scan")
    out.mkdir()
    (out / "hits.tsv").symlink_to(mine)  # writing hits.tsv would go through the link to the input
    (out / "figure_2.png").write_text("figure")
    (out / "notes.tsv").write_text("a file the command does not write")
    os.link(out / "notes.tsv", tmp_path / "hard.tsv")
    (tmp_path / "to_figure.png").symlink_to(out / "figure_2.png")

    def refused(inputs, written, numbered=None):
        with pytest.raises(ParamError) as error:
            check_inputs_not_written(out, inputs, written, "scan", numbered)
        return str(error.value)

    assert refused([("FASTA", None), ("--db", mine)], ["hits.tsv"]) == (
        f"--db {mine}: motifnet scan writes this file in {out}, which would replace it; copy it elsewhere or "
        "choose another -o folder")
    numbered = re.compile(r"figure_[0-9]+\.png").fullmatch
    link = tmp_path / "to_figure.png"
    assert refused([("--fasta", link)], [], numbered).startswith(f"--fasta {link}:")
    assert refused([("--fasta", out / "figure_2.png")], [], numbered).startswith(f"--fasta {out / 'figure_2.png'}:")
    assert refused([("--hits", tmp_path / "hard.tsv")], {"notes.tsv"}).startswith("--hits")
    # Names it does not write, inputs elsewhere, folders and missing paths pass.
    check_inputs_not_written(out, [("--db", mine), ("--hits", tmp_path / "hard.tsv")], ["other.tsv"], "scan")
    check_inputs_not_written(out, [("--db", tmp_path), ("--db", tmp_path / "missing")], ["hits.tsv"], "scan")
    assert mine.read_text() == "kept"


def test_an_output_folder_through_a_link_to_nothing_is_refused_before_any_work(tmp_path, cli, trained_run):
    """A link to a missing folder, as -o or above it, was "dang: File exists", after the data was read."""
    from motifnet._validate import check_output_folder

    (tmp_path / "dang").symlink_to(tmp_path / "gone")
    for output in (tmp_path / "dang", tmp_path / "dang" / "sub"):
        with pytest.raises(ParamError, match="^" + re.escape(
                f"-o/--output {output}: {tmp_path / 'dang'} is a link to {tmp_path / 'gone'}, which does not exist; "
                "make that folder, or give another folder") + "$"):
            check_output_folder(output)
    result = cli("attribute", trained_run[0], "--method", "saliency", "-o", tmp_path / "dang")
    assert result.exit_code == 1 and result.stderr.strip().endswith("which does not exist; make that folder, or give "
                                                                    "another folder"), result.stderr
    (tmp_path / "gone").mkdir()
    check_output_folder(tmp_path / "dang" / "sub")  # the link leads somewhere now


def test_outputs_in_a_folder_without_write_permission_are_refused_before_any_work(tmp_path, monkeypatch, cli,
                                                                                   trained_run):
    # The file was written at the end, after the work: "Error: imm/o.png: Permission denied".
    from motifnet import _validate
    from motifnet._validate import check_output_file, check_output_folder

    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(_validate.os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    with pytest.raises(ParamError, match=re.escape(f"-o/--output: cannot write {locked / 'o.png'}: no permission to "
                                                   f"create files in the folder {locked}; choose another folder")):
        check_output_file(locked / "o.png")
    with pytest.raises(ParamError, match=re.escape(f"-o/--output {locked}: no permission to create files in")):
        check_output_folder(locked)
    with pytest.raises(ParamError, match=re.escape(f"-o/--output {locked / 'a' / 'b'}: cannot be made: no "
                                                   f"permission to create files in the folder {locked}")):
        check_output_folder(locked / "a" / "b")
    check_output_file(tmp_path / "o.png")
    check_output_folder(tmp_path / "new" / "out")
    # A device is written directly, and a link's target beside the target: neither needs the link's folder.
    monkeypatch.setattr(_validate.os, "access", lambda path, mode: Path(path) not in (locked, Path("/dev"))
                        and real_access(path, mode))
    check_output_file("/dev/null")
    (locked / "link.tsv").symlink_to(tmp_path / "real.tsv")
    check_output_file(locked / "link.tsv")
    result = cli("cluster", trained_run[0], "-o", locked / "c.png")
    assert result.exit_code == 1 and "no permission to create files in the folder" in result.stderr
    assert "looking at" not in result.stderr  # refused before the work
