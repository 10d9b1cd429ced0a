"""Bad inputs of every command in one table: a non-zero exit, one line naming the problem, no traceback,
and no file outside the output changed (issue 16: outputs that replaced inputs, outputs in another format
than their name says, names that break TSV headers, messages that misled).

Each case copies the shared run and its FASTA files into ``tmp_path`` first, so a regression that writes
where it must not shows up here as a changed digest, not as damage to the shared fixtures.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import numpy as np
import pytest
from helpers import TINY_PARAMS, copy_run, folder_digest, gata_records, write_fasta

MEME = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF m1
letter-probability matrix: alength= 4 w= 3 nsites= 10 E= 0
 1.0 0.0 0.0 0.0
 0.0 1.0 0.0 0.0
 0.0 0.0 1.0 0.0
"""


# train's output in the cases below; tiny parameters keep an unrefused case (before the fix) short.
NEW_RUN = ["-o", "{tmp}/new", *TINY_PARAMS]


def _deny_reading_meta(monkeypatch) -> None:
    """motifnet.json raises PermissionError when read (tests run as root, where chmod 000 still reads)."""
    read_text = pathlib.Path.read_text

    def guarded(self, *args, **kwargs):
        if self.name == "motifnet.json":
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_text", guarded)


# (arguments, expected message fragment, what the command may write: a name in tmp_path or None).
# Placeholders: {run} a copy of the trained run, {up}/{down} copies of its FASTA files, {short} records of
# length 20, {meme} a MEME file, {tabbed} a FASTA file whose name holds a TAB, {gata} regression records,
# {tmp} the test's folder.
CASES = [
    # -o naming an input would replace it
    (["predict", "{run}", "{up}", "-o", "{up}"], "-o/--output: {up} is the input file {up}", None),
    (["predict", "{run}", "{up}", "-o", "{run}/model.keras"], "is the input file {run}/model.keras", None),
    (["compare", "{meme}", "--db", "{meme}", "-o", "{meme}"], "-o/--output: {meme} is the input file", None),
    (["fold", "{up}", "-o", "{up}"], "-o/--output: {up} is the input file {up}", None),
    (["activations", "{run}", "--fasta", "{up}", "--fasta", "{down}", "-o", "{run}/data.npz"],
     "is the input file {run}/data.npz", None),
    (["attribute", "{run}", "--method", "saliency", "--fasta", "{up}", "--fasta", "{down}", "-o", "{down}"],
     "-o/--output: {down} is the input file {down}", None),
    (["visualize-kernels", "{run}", "--no-match", "--fasta", "{up}", "--fasta", "{down}", "-o", "{up}"],
     "-o/--output: {up} is the input file {up}", None),
    (["cluster", "{run}", "--fasta", "{up}", "--fasta", "{down}", "-o", "{up}"],
     "the file name must end in .png, .pdf or .svg", None),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--steps", "2", "-o", "{run}/model.keras"],
     "the file name must end in .png, .pdf or .svg", None),
    # an output in another format than its name says
    (["cluster", "{run}", "--group", "all", "-o", "{tmp}/heat.jpg"], "-o/--output: cannot write {tmp}/heat.jpg: "
     "the file name must end in .png, .pdf or .svg", None),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--steps", "2", "-o", "{tmp}/nodes.txt"],
     "the file name must end in .png, .pdf or .svg", None),
    (["activations", "{run}", "-o", "{tmp}/act.csv"],
     "-o/--output: cannot write {tmp}/act.csv: the file name must end in .npz or .tsv", None),
    # names that would break TSV headers
    (["train", "{up}", "{down}", "--class-names", "a\tb,c", *NEW_RUN], "class names must be non-empty "
     "and hold no tab or line break (they head table columns), received: 'a\\tb'; pass --class-names", "new"),
    (["train", "{up}", "{down}", "--class-names", "a\nb,c", *NEW_RUN], "received: 'a\\nb'", "new"),
    (["train", "{up}", "{down}", "--class-names", "a,", *NEW_RUN], "received: ''; pass --class-names",
     "new"),
    (["train", "{tabbed}", "{down}", *NEW_RUN], "received: 'x\\ty'; pass --class-names", "new"),
    (["train", "{gata}", "--task", "regression", "--target-names", "n\tm", *NEW_RUN],
     "target names must be non-empty and hold no tab or line break", "new"),
    # messages that misled
    (["activations", "{run}", "--fasta", "{short}", "--fasta", "{short}", "-o", "{tmp}/act.npz"],
     "but the model takes length 40 only (it does not crop or pad); give sequences of that length", "act.npz"),
    (["activations", "{run}", "-o", "{tmp}/folder.npz"], "{tmp}/folder.npz: Is a directory", "folder"),
    (["predict", "{run}", "{up}"], "motifnet.json: cannot be read (Permission denied); ask the owner", None),
]


@pytest.fixture
def inputs(trained_run, tmp_path):
    """Private copies of the run and its data, with the other input files, keyed by placeholder name."""
    run_dir, (up, down) = trained_run
    data = tmp_path / "inputs"
    data.mkdir()
    rng = np.random.default_rng(5)
    short = "".join(rng.choice(list("ACGT"), size=20))
    gata = [(f"{record_id} {value:.3f}", sequence) for record_id, sequence, value in gata_records(20, seed=1)]
    (tmp_path / "folder.npz").mkdir()
    (tmp_path / "meme.meme").write_text(MEME)
    return {
        "run": copy_run(run_dir, data / "run"),
        "up": pathlib.Path(shutil.copy(up, data / "up.fa")),
        "down": pathlib.Path(shutil.copy(down, data / "down.fa")),
        "short": write_fasta(data / "short.fa", [("s1", short), ("s2", short)]),
        "tabbed": pathlib.Path(shutil.copy(up, data / "x\ty.fa")),
        "gata": write_fasta(data / "gata.fa", gata),
        "meme": tmp_path / "meme.meme",
        "tmp": tmp_path,
    }


@pytest.mark.parametrize("args, fragment, output", CASES, ids=[f"{case[0][0]}: {case[1][:48]}" for case in CASES])
def test_bad_input_gives_one_line_and_changes_no_input(cli, inputs, monkeypatch, args, fragment, output):
    tmp_path = inputs["tmp"]
    if "motifnet.json: cannot be read" in fragment:
        _deny_reading_meta(monkeypatch)
    values = {name: str(path) for name, path in inputs.items()}
    before = folder_digest(tmp_path)
    result = cli(*[argument.format(**values) for argument in args])
    message = result.stderr.strip()
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert len(message.splitlines()) == 1 or message.splitlines()[-1].startswith("Error:"), message
    assert fragment.format(**values) in message, message
    if args[0] not in ("train", "grid-search"):
        assert "--length" not in message  # an option these commands do not have
    after = folder_digest(tmp_path)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert [name for name in changed if output is None or not name.startswith(output)] == []


def test_attribute_removes_only_the_logos_it_wrote(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "attribution"
    out.mkdir()
    mine = out / "attribution_1_my_figure.png"
    mine.write_bytes(b"not written by motifnet")
    arguments = ("attribute", run_dir, "-o", out, "--method", "saliency", "--group", "all")
    assert cli(*arguments, "--top", "3").exit_code == 0
    first = json.loads((out / "attribution.json").read_text())["top"]
    assert len(first) == 3 and mine.read_bytes() == b"not written by motifnet"
    result = cli(*arguments, "--top", "1")
    assert result.exit_code == 0, result.output
    images = sorted(path.name for path in out.glob("attribution_*.png"))
    assert images == sorted([mine.name, first[0]["image"]])  # the earlier run's ranks 2 and 3 are gone
    assert mine.read_bytes() == b"not written by motifnet"


def test_a_forged_attribution_json_deletes_nothing_outside_the_logos(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "attribution"
    out.mkdir()
    keep = tmp_path / "keep.png"
    keep.write_bytes(b"x")
    (out / "attribution.json").write_text(json.dumps({"top": [{"image": "../keep.png"}, {"image": "notes.txt"}]}))
    (out / "notes.txt").write_text("mine")
    result = cli("attribute", run_dir, "-o", out, "--method", "saliency", "--group", "all", "--top", "1")
    assert result.exit_code == 0, result.output
    assert keep.exists() and (out / "notes.txt").exists()


@pytest.mark.parametrize("command, name, magic", [
    ("cluster", "heat.pdf", b"%PDF"),
    ("cluster", "heat.svg", b"<?xml"),
    ("cluster", "heat.PNG", b"\x89PNG"),
    ("activations", "act.tsv", b"id\t"),
    ("activations", "act.npz", b"PK"),
])
def test_an_output_holds_what_its_name_says(trained_run, cli, tmp_path, command, name, magic):
    run_dir, _ = trained_run
    result = cli(command, run_dir, "--group", "all", "-o", tmp_path / name)
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes().startswith(magic)
    assert os.listdir(tmp_path) == [name]  # no temporary file left beside it
