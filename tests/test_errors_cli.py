"""A training that fails after it started: one line naming the problem, and motifnet.json saying how it ended.

Bad inputs refused before anything runs are in the table of :mod:`test_bad_inputs`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import TINY_PARAMS, folder_digest, random_dna, write_fasta


@pytest.fixture
def inputs(tmp_path):
    """Two classes of 20 records of length 30 in the test's folder."""
    rng = np.random.default_rng(0)
    write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in enumerate(random_dna(rng, 20, 30, "GGATCC"))])
    write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 20, 30))])
    return tmp_path


def _check_refused(cli, arguments, fragment, folder) -> None:
    before = folder_digest(folder)
    result = cli(*arguments)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (AssertionError, TypeError,
                                                                                  ValueError, AttributeError))
    assert fragment in " ".join(result.output.split()), result.output
    after = folder_digest(folder)
    changed = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name) and not name.startswith("out"))
    assert not changed, f"files outside the output changed: {changed}"


@pytest.mark.slow
def test_a_diverging_training_stops_with_one_line_and_records_it(cli, inputs):
    arguments = ["train", inputs / "a.fa", inputs / "b.fa", "-o", inputs / "out", *TINY_PARAMS,
                 "--param", "learning_rate=1e30", "--param", "kernel_constraint=None", "--seed", "1"]
    _check_refused(cli, arguments, "training diverged at epoch 1 (loss nan", inputs)
    meta = json.loads((inputs / "out" / "motifnet.json").read_text())
    assert meta["training"]["status"] == "diverged"
    assert not (inputs / "out" / "metrics.json").exists()
