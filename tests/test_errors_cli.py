"""Bad command-line inputs: each gives a non-zero exit, one line naming the file or option, and no traceback.

One table of (arguments, expected message fragment). Placeholders in the arguments name what the
``inputs`` fixture makes in the test's folder; ``{run}`` is the shared trained run (read only) and
``{edited}`` a copy of an old run whose ``motifnet.json`` was edited by hand. Nothing outside ``out``
(where a command was told to write) may change.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import TINY_PARAMS, folder_digest, random_dna, write_fasta

OLD_RUN = Path(__file__).parent / "data" / "runs-0.1.0" / "classification"


@pytest.fixture
def inputs(tmp_path):
    """The files the table's arguments name, by placeholder."""
    rng = np.random.default_rng(0)
    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in enumerate(random_dna(rng, 20, 30, "GGATCC"))])
    write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 20, 30))])
    data = bytearray(gzip.compress(a.read_bytes() * 50))
    data[40:60] = b"\xff" * 20  # a corrupted deflate stream: zlib.error while reading
    (tmp_path / "damaged.fa.gz").write_bytes(bytes(data))
    (tmp_path / "truncated.fa.gz").write_bytes(gzip.compress(a.read_bytes())[:-20])
    (tmp_path / "a_nan.tsv").write_text("#gc\n" + "0.5\n" * 19 + "nan\n")
    (tmp_path / "a_huge.tsv").write_text("#gc\n" + "1e999\n" + "0.5\n" * 19)
    (tmp_path / "b.tsv").write_text("#gc\n" + "0.4\n" * 20)
    (tmp_path / "huge.json").write_text(json.dumps({"kernel_num": list(range(1, 301)), "kernel_len": list(range(1, 51)),
                                                    "neuron_num": list(range(1, 201)),
                                                    "batch_size": list(range(1, 261))}))
    edited = Path(shutil.copytree(OLD_RUN, tmp_path / "edited"))
    meta = json.loads((edited / "motifnet.json").read_text())
    meta["data"]["class_names"].append("extra")
    (edited / "motifnet.json").write_text(json.dumps(meta))
    return tmp_path


CASES = [
    # A damaged gzip, in each command that reads FASTA.
    (["train", "{damaged.fa.gz}", "{b.fa}", "-o", "{out}"], "damaged.fa.gz: cannot be read, a damaged or truncated"),
    (["train", "{truncated.fa.gz}", "{b.fa}", "-o", "{out}"], "truncated.fa.gz: cannot be read, a damaged or"),
    (["predict", "{run}", "{damaged.fa.gz}", "-o", "{out}/p.tsv"], "damaged.fa.gz: cannot be read, a damaged"),
    (["fold", "{damaged.fa.gz}", "-o", "{out}/f.fa", "--jobs", "1"], "damaged.fa.gz: cannot be read, a damaged"),
    # inf and nan in parameters and feature files: refused before the run folder is made.
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--param", "learning_rate=inf"],
     "parameter learning_rate expects a number > 0, received: 'inf'"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--param", "dropout_conv=nan"],
     "parameter dropout_conv expects a number in [0, 1)"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--features", "{a_nan.tsv}", "--features", "{b.tsv}"],
     "a_nan.tsv, line 21: feature 'gc' value 'nan' is not a finite number"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--features", "{a_huge.tsv}", "--features", "{b.tsv}"],
     "a_huge.tsv, line 2: feature 'gc' value '1e999' is not a finite number"),
    # Seeds outside what NumPy and TensorFlow accept.
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--seed", "-5"], "'--seed': -5 is not in the range 0<=x<=4294967295"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--seed", "1e20"], "'--seed': '1e20' is not a valid integer range"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--seed", str(2**32)], "is not in the range 0<=x<=4294967295"),
    (["train", "{a.fa}", "{b.fa}", "-o", "{out}", "--seed", str(10**20)], "is not in the range 0<=x<=4294967295"),
    (["grid-search", "{a.fa}", "{b.fa}", "-o", "{out}", "--grid", "{huge.json}", "--seed", "-1"],
     "'--seed': -1 is not in the range"),
    (["optimize-inputs", "{run}", "-o", "{out}", "--seed", "-1"], "'--seed': -1 is not in the range 0<=x<=4294967295"),
    (["attribute", "{run}", "-o", "{out}", "--seed", "-1"], "'--seed': -1 is not in the range 0<=x<=4294967295"),
    # A hand-edited motifnet.json.
    (["info", "{edited}"], "motifnet.json: damaged (data.class_names lists 3 class(es) (ap1, gata, extra) but the "
                           "run was trained on 2)"),
    (["predict", "{edited}", "{a.fa}", "-o", "{out}/p.tsv"], "motifnet.json: damaged (data.class_names lists 3"),
    # A grid far too large to run, counted without expanding it.
    (["grid-search", "{a.fa}", "{b.fa}", "-o", "{out}", "--grid", "{huge.json}"],
     "--grid: 780,000,000 trials (300 kernel_num x 50 kernel_len x 200 neuron_num x 260 batch_size) is more than "
     "--max-trials 10,000; use fewer values, or confirm with --max-trials 780000000"),
]


def _arguments(template, folder: Path, run: Path) -> list:
    names = {"run": run, "edited": folder / "edited", "out": folder / "out",
             **{path.name: path for path in folder.iterdir()}}
    return [_fill(argument, names) for argument in template]


def _fill(argument: str, names: dict) -> str:
    for name, path in names.items():
        argument = argument.replace("{" + name + "}", str(path))
    return argument


def _check_refused(cli, arguments, fragment, folder: Path) -> None:
    before = folder_digest(folder)
    result = cli(*arguments)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (AssertionError, TypeError,
                                                                                  ValueError, AttributeError))
    assert fragment in " ".join(result.output.split()), result.output  # click may wrap a usage error's line
    after = folder_digest(folder)
    changed = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name) and not name.startswith("out"))
    assert not changed, f"files outside the output changed: {changed}"


@pytest.mark.parametrize("arguments, fragment", CASES, ids=[" ".join(case[0][:2]) + f" #{i}"
                                                            for i, case in enumerate(CASES)])
def test_a_bad_input_gives_one_line_and_a_non_zero_exit(cli, inputs, trained_run, arguments, fragment):
    _check_refused(cli, _arguments(arguments, inputs, trained_run[0]), fragment, inputs)
    # Everything here is refused before training starts: no half-made run folder to refuse later.
    if arguments[0] in ("train", "grid-search"):
        assert not (inputs / "out").exists()


@pytest.mark.slow
def test_a_diverging_training_stops_with_one_line_and_records_it(cli, inputs):
    arguments = ["train", inputs / "a.fa", inputs / "b.fa", "-o", inputs / "out", *TINY_PARAMS,
                 "--param", "learning_rate=1e30", "--param", "kernel_constraint=None", "--seed", "1"]
    _check_refused(cli, arguments, "training diverged at epoch 1 (loss nan", inputs)
    meta = json.loads((inputs / "out" / "motifnet.json").read_text())
    assert meta["training"]["status"] == "diverged"
    assert not (inputs / "out" / "metrics.json").exists()
