"""motifnet.workflows.train: options checked before any reading, and ``fold`` trains on the folded files.

Training itself is replaced by a stand-in here (the CLI tests and the shared trained runs cover it).
"""

import numpy as np
import pytest
from helpers import random_dna, write_fasta

from motifnet.data.options import DataOptions
from motifnet.errors import ParamError
from motifnet.run.fold_inputs import FoldedInputs
from motifnet.run.training import TrainConfig
from motifnet.workflows import train as workflow


@pytest.mark.parametrize("data,config,message", [
    (DataOptions(("a.fa", "b.fa"), class_names=("x", "y"), task="regression"), {},
     "--class-names is for classification"),
    (DataOptions(("a.fa", "b.fa")), {"epistatic_reg": 0.1}, "--epistatic-reg needs --task regression"),
    (DataOptions(("a.fa", "b.fa")), {"params": {"kernal_num": 3}}, "unknown parameter 'kernal_num'"),
])
def test_options_are_refused_before_any_file_is_read(tmp_path, data, config, message):
    # a.fa and b.fa do not exist: the error must come from the options, and nothing is written.
    with pytest.raises(ParamError, match=message):
        workflow.train_from_files(data, TrainConfig(str(tmp_path / "run"), **config))
    assert not (tmp_path / "run").exists()


def test_fold_trains_on_the_folded_files_under_the_plain_files_names(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    folded = []
    for name in ("p", "q"):
        records = [(f"{name}{i}", [sequence, "FHIMST"[i % 6] * 20]) for i, sequence in
                   enumerate(random_dna(rng, 10, 20))]
        folded.append(str(write_fasta(tmp_path / f"folded_{name}.fa", records)))
    calls = []

    def fold_training_inputs(paths, run_dir, fold_format, **options):
        calls.append((paths, run_dir, fold_format, options))
        return FoldedInputs(folded, "FHIMST", False, ["up", "down"], {"format": "context", "seed": 0})

    def train(dataset, config, lock=None):
        assert config.fold == {"format": "context", "seed": 0}  # recorded, so later commands fold alike
        assert lock is not None and (tmp_path / "run" / ".motifnet.lock").exists()  # held since before folding
        calls.append((dataset, config))
        return {"roc_auc_mean": 1.0}

    monkeypatch.setattr(workflow, "fold_training_inputs", fold_training_inputs)
    monkeypatch.setattr(workflow, "train", train)
    data = DataOptions(("up.fa", "down.fa"), alphabet="dna")
    config = TrainConfig(str(tmp_path / "run"), seed=4, overwrite=True)
    assert workflow.train_from_files(data, config, fold="context") == {"roc_auc_mean": 1.0}
    (paths, run_dir, fold_format, options), (dataset, used) = calls
    assert paths == ["up.fa", "down.fa"] and fold_format == "context"
    assert options == {"multi_label": False, "overwrite": True, "seed": 4, "structure_alphabet": None,
                       "structure_pwm": False, "regression": False}
    assert dataset.class_names == ["up", "down"] and len(dataset) == 20
    assert dataset.encoder.structure.letters == "FHIMST"
    assert used.keep_folded and not config.keep_folded and used.seed == 4


def test_fold_refuses_files_of_one_name_before_folding(tmp_path, monkeypatch):
    # It folded both files (into a-1.fa and a-2.fa) and then blamed a --class-names the user never gave.
    monkeypatch.setattr(workflow, "fold_training_inputs", lambda *args, **kwargs: pytest.fail("folded"))
    data = DataOptions((str(tmp_path / "x" / "bound.fa"), str(tmp_path / "y" / "bound.fa")))
    with pytest.raises(ParamError, match=r"^class names \(from the file names\) must be distinct, received: bound, "
                                         r"bound; name the classes with --class-names$"):
        workflow.train_from_files(data, TrainConfig(str(tmp_path / "run")), fold="context")
    assert not (tmp_path / "run").exists()
