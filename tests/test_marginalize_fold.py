"""``motifnet marginalize`` on runs trained with ``train --fold``: every changed sequence is folded again."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from helpers import TINY_PARAMS, copy_run, read_tsv, write_fasta
from test_folding import plain_rna_subset

from motifnet.data.alphabets import RNA, structure_alphabet
from motifnet.data.encoding import Encoder
from motifnet.data.fasta import read_fasta
from motifnet.data.folding import CONTEXTS, fold_file
from motifnet.interpret.marginalize import MarginalizeConfig, sequence_codes
from motifnet.interpret.outputs import OutputsAndLogits, sequence_texts
from motifnet.motifs.meme import MemeMotif, write_meme
from motifnet.run.fold_new_inputs import run_fold_options
from motifnet.run.rundir import open_run
from motifnet.workflows.marginalize import marginalize_to_folder

MOTIF = "UGCAUG"  # planted in both classes of the RNA sample data
CONTEXT_ENCODER = Encoder(RNA, 6, structure=structure_alphabet(CONTEXTS), structure_mode="letters")


def _pwm(consensus: str) -> np.ndarray:
    pwm = np.full((len(consensus), 4), 0.02)
    for position, letter in enumerate(consensus):
        pwm[position, "ACGU".index(letter)] = 0.94
    return pwm


def _write_motifs(path, consensuses):
    write_meme(path, [MemeMotif(name, "", _pwm(name.upper()), 10) for name in consensuses], "ACGU", [0.25] * 4)
    return path


@pytest.fixture(scope="module")
def fold_run(tmp_path_factory):
    """``train --fold context`` on 20 + 20 plain RNA sample records of length 60: (run folder, (loop, stem))."""
    from click.testing import CliRunner

    from motifnet.cli.main import main

    folder = tmp_path_factory.mktemp("fold_run")
    loop, stem = plain_rna_subset(folder, 20)
    run_dir = folder / "run"
    result = CliRunner().invoke(main, ["train", str(loop), str(stem), "--fold", "context", "-o", str(run_dir),
                                       "--seed", "1", *TINY_PARAMS])
    assert result.exit_code == 0, result.output
    return run_dir, (loop, stem)


def test_sequence_codes_leave_out_the_structure_letters(tmp_path):
    records = list(read_fasta(write_fasta(tmp_path / "r.fa", [("r", ["ACGUNA", "FFSSHT"])])))
    codes = CONTEXT_ENCODER.encode(records).codes
    sequence = sequence_codes(CONTEXT_ENCODER, codes)
    assert sequence.tolist() == Encoder(RNA, 6).encode_sequences([b"ACGUNA"], str).tolist()
    assert sequence_texts(RNA, sequence) == ["ACGUNA"]
    assert sequence_texts(RNA, np.array([[0, 1, 2, 0]])) == ["AC"]  # padding left out


def _contexts_of_g(sequences) -> dict:
    """A stand-in for folding: hairpin at each G, stem elsewhere, as joint codes of CONTEXT_ENCODER."""
    n_struct = len(CONTEXTS) + 1
    codes = [[(1 + "ACGU".index(c)) * n_struct + 1 + CONTEXTS.index("H" if c == "G" else "S") for c in s]
             for s in sequences]
    return {"codes": np.array(codes, dtype=np.uint8), "structure": None}


def _profiles_of_g(sequences) -> dict:
    """A stand-in for folding into profiles: H 0.7 and S 0.3 at each G, S 0.9 and M 0.1 elsewhere."""
    rows = {"G": {"H": 0.7, "S": 0.3}, "other": {"S": 0.9, "M": 0.1}}
    structure = np.zeros((len(sequences), len(sequences[0]), len(CONTEXTS)), dtype=np.float32)
    for i, sequence in enumerate(sequences):
        for position, letter in enumerate(sequence):
            for context, probability in rows["G" if letter == "G" else "other"].items():
                structure[i, position, CONTEXTS.index(context)] = probability
    codes = np.array([[1 + "ACGU".index(c) for c in s] for s in sequences], dtype=np.uint8)
    return {"codes": codes, "structure": structure}


STAND_INS = {"letters": (CONTEXT_ENCODER, _contexts_of_g),
             "pwm": (Encoder(RNA, 6, structure=structure_alphabet(CONTEXTS), structure_mode="pwm"), _profiles_of_g)}


def _toy_model():
    import keras

    inputs = keras.Input(shape=(6, CONTEXT_ENCODER.channels), name="sequence")
    hidden = keras.layers.Flatten()(inputs)
    # A list of inputs, as motifnet's own networks have (Keras warns when called otherwise).
    return keras.Model([inputs], keras.layers.Dense(2, activation="softmax", name="output")(hidden))


@pytest.mark.parametrize("mode", ["letters", "pwm"])
def test_each_distinct_sequence_is_folded_once_and_predicted_as_folded(mode):
    encoder, stand_in = STAND_INS[mode]
    model = _toy_model()
    asked = []

    def fold(sequences):
        asked.append(list(sequences))
        return stand_in(sequences)

    predict = OutputsAndLogits(model, encoder, batch_size=2, fold=fold)
    a = np.array([[1, 2, 3, 4, 1, 1], [1, 1, 1, 1, 1, 1], [1, 2, 3, 4, 1, 1]], dtype=np.uint8)
    b = np.array([[1, 1, 1, 1, 1, 1], [3, 3, 3, 3, 3, 3]], dtype=np.uint8)
    (outputs_a, logits_a), (outputs_b, _) = predict.each([a, b])
    assert asked == [["ACGUAA", "AAAAAA", "GGGGGG"]]
    assert predict(a[:2])[0].tolist() == outputs_a[:2].tolist() and len(asked) == 1  # kept, not folded again
    folded = stand_in(sequence_texts(RNA, np.concatenate([a, b])))
    expected = model.predict(encoder.one_hot(folded["codes"], folded["structure"]), verbose=0)
    np.testing.assert_allclose(np.concatenate([outputs_a, outputs_b]), expected, atol=1e-6)
    # Log-odds (two classes: log(p0 / p1) and its mirror image), as variants gives them.
    np.testing.assert_allclose(logits_a[:, 0], np.log(outputs_a[:, 0] / outputs_a[:, 1]), atol=1e-4)
    np.testing.assert_allclose(logits_a[:, 1], -logits_a[:, 0], atol=1e-12)


def test_letters_written_into_padding_are_said_once(caplog):
    asked = []

    def fold(sequences):
        asked.append(list(sequences))
        return _contexts_of_g([s.center(6, "A") for s in sequences])  # padding as A: not looked at here

    predict = OutputsAndLogits(_toy_model(), CONTEXT_ENCODER, batch_size=4, fold=fold)
    predict(np.array([[0, 1, 2, 3, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=np.uint8))  # ACG centred, AAAAAA
    assert "padding" not in caplog.text and asked == [["ACG", "AAAAAA"]]
    predict(np.array([[3, 1, 2, 3, 0, 0], [3, 0, 2, 3, 0, 0]], dtype=np.uint8))  # G written into the padding
    predict(np.array([[3, 1, 2, 3, 0, 0]], dtype=np.uint8))
    assert caplog.text.count("2 sequence(s) got letters in the padding") == 1 and asked[1] == ["GACG", "GCG"]


def test_a_fold_run_is_marginalized_end_to_end(fold_run, tmp_path, cli):
    run_dir, (loop, stem) = fold_run
    motifs = _write_motifs(tmp_path / "m.meme", ["ugcaug", "gggg"])
    scan_out = tmp_path / "scan"
    assert cli("scan", motifs, loop, stem, "-o", scan_out, "--threshold", "0.001").exit_code == 0
    out = tmp_path / "marg"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", out, "-n", 6, "--pairs", 2, "--max-spacing", 1,
                 "--hits", scan_out / "hits.tsv", "--fasta", loop, "--fasta", stem)
    assert result.exit_code == 0, result.output
    assert "each sequence folded again (context (MFE))" in result.stderr
    assert "records with ViennaRNA (context), as the run was trained" in result.stderr
    # Progress names what is folded, not the temporary files it goes through.
    assert "the changed sequences: folded" in result.stderr
    assert "motifnet-marginalize-" not in result.stderr and "motifnet-fold-" not in result.stderr
    header, rows = read_tsv((out / "effects.tsv").read_text())
    assert [(row[0], row[1]) for row in rows] == [("ugcaug", "loop"), ("ugcaug", "stem"), ("gggg", "loop"),
                                                   ("gggg", "stem")]
    assert all(float(row[3]) <= float(row[2]) <= float(row[4]) for row in rows)
    _, rows = read_tsv((out / "pairs.tsv").read_text())
    assert len(rows) == 2 * 2 * 2  # orientations x spacings x classes
    _, rows = read_tsv((out / "ablation.tsv").read_text())
    assert int(rows[0][2]) >= 2 and rows[0][3] != "NA"  # the planted UGCAUG is found in most records
    assert "folded again" in json.loads((out / "marginalize.json").read_text())["inserted"]


def _predicted(cli, run_dir, fasta, out) -> np.ndarray:
    result = cli("predict", run_dir, fasta, "-o", out)
    assert result.exit_code == 0, result.output
    _, rows = read_tsv(out.read_text())
    return np.array([[float(value) for value in row[1:]] for row in rows])


def test_an_effect_is_what_predict_gives_for_the_inserted_sequences(fold_run, tmp_path, cli):
    run_dir, _ = fold_run
    run = open_run(run_dir)
    motifs = _write_motifs(tmp_path / "m.meme", ["ugcaug"])
    result = marginalize_to_folder(run, motifs, tmp_path / "marg", MarginalizeConfig(n=6))
    background = sequence_texts(RNA, result["background"])
    start = (len(background[0]) - len(MOTIF)) // 2
    inserted = [s[:start] + MOTIF + s[start + len(MOTIF):] for s in background]
    files = {name: write_fasta(tmp_path / f"{name}.fa", [(f"s{i}", s) for i, s in enumerate(sequences)])
             for name, sequences in (("background", background), ("inserted", inserted))}
    base = _predicted(cli, run_dir, files["background"], tmp_path / "background.tsv")
    after = _predicted(cli, run_dir, files["inserted"], tmp_path / "inserted.tsv")
    np.testing.assert_allclose(result["effects"].mean[0], (after - base).mean(axis=0), atol=2e-6)  # predict: 6 digits
    # what the changes start from: the backgrounds' mean prediction, in effects.tsv's last column too
    np.testing.assert_allclose(result["effects"].background, base.mean(axis=0), atol=2e-6)
    header, rows = read_tsv((tmp_path / "marg" / "effects.tsv").read_text())
    assert header[-1] == "background_mean"
    np.testing.assert_allclose([float(row[-1]) for row in rows], base.mean(axis=0), atol=2e-6)
    # ... which differs from what the stale structure of the backgrounds would give
    fold_file(files["background"], tmp_path / "folded.fa", dataclasses.replace(run_fold_options(run), jobs=1))
    stale = [(record.header, [sequence, record.lines[1].decode()])
             for record, sequence in zip(read_fasta(tmp_path / "folded.fa"), inserted)]
    changed = _predicted(cli, run_dir, write_fasta(tmp_path / "stale.fa", stale), tmp_path / "stale.tsv")
    assert np.abs((changed - base).mean(axis=0) - result["effects"].mean[0]).max() > 1e-4


def _without_recorded_options(run_dir, tmp_path):
    """A copy of the fold run as if trained on FHIMST files the user folded: no fold options recorded."""
    copy = copy_run(run_dir, tmp_path / "user_folded")
    meta = json.loads((copy / "motifnet.json").read_text())
    del meta["fold"]
    (copy / "motifnet.json").write_text(json.dumps(meta))
    (copy / "folded" / "sources.json").unlink()
    return copy


@pytest.mark.parametrize("case, message", [
    ("dot-bracket input", "cannot change the structure given in this model's input"),
    ("context input", "cannot change the structure given in this model's input"),
    ("structure motifs", "structure motifs (alphabet 'FHIMST'); marginalize inserts sequence motifs"),
])
def test_structure_given_in_the_input_is_refused_in_one_line(case, message, fold_run, rna_structure_run, tmp_path,
                                                             cli):
    motifs = _write_motifs(tmp_path / "motifs.meme", ["ugcaug"])
    if case == "dot-bracket input":
        run_dir = rna_structure_run[0]
    elif case == "context input":
        run_dir = _without_recorded_options(fold_run[0], tmp_path)
    else:
        run_dir = fold_run[0]
        structure_motifs = [MemeMotif("kernel_0", "", np.full((3, 6), 1 / 6), 10)]
        write_meme(tmp_path / "motifs_structure.meme", structure_motifs, CONTEXTS, [1 / 6] * 6,
                   alphabet_name="structure")
        motifs = tmp_path / "motifs_structure.meme"
    result = cli("marginalize", run_dir, "--motifs", motifs, "-o", tmp_path / "out", "-n", 4)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error:")]) == 1
    if case == "structure motifs":
        assert f"give {tmp_path / 'motifs.meme'}" in result.output
    else:
        assert "train with --fold" in result.output
    assert not (tmp_path / "out" / "effects.tsv").exists()
