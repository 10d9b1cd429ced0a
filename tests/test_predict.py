"""motifnet.run.predict: the one prediction path (in memory, streamed chunk by chunk), batch-size independent."""

import io
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    assert_same_outputs,
    diverged_copy,
    random_dna,
    signalled_while_input_stalls,
    two_classes,
    write_fasta,
)

from motifnet.data.dataset import load_dataset
from motifnet.data.pipeline import dataset_arrays
from motifnet.model.params import resolve
from motifnet.run.predict import PredictConfig, predict_arrays, predict_chunks, predict_encoded, write_predictions


@pytest.fixture(scope="module")
def model_and_data(tmp_path_factory):
    """An untrained (seeded) network with a recurrent layer, and 50 records of two classes."""
    from motifnet.run.fit import build_seeded

    folder = tmp_path_factory.mktemp("predict")
    a, b = two_classes(folder, names=("a", "b"), ids=("a", "b"), n=25, motif="GGATCC", seed=5)
    dataset = load_dataset([str(a), str(b)])
    params = resolve({"conv_num": 1, "kernel_num": 8, "kernel_len": 5, "neuron_num": 8, "rnn_type": "GRU"})
    return build_seeded(dataset, params, 2), dataset


def test_predictions_do_not_depend_on_the_batch_size(model_and_data):
    model, dataset = model_and_data
    index = np.arange(len(dataset))
    by_size = {size: predict_arrays(model, dataset, index, size) for size in (1, 8, 64)}
    assert by_size[1].shape == (50, 2)
    assert_same_outputs(by_size[8], by_size[1])
    assert_same_outputs(by_size[64], by_size[1])
    np.testing.assert_allclose(by_size[1], np.asarray(model(dataset.model_inputs(index), training=False)),
                               rtol=1e-5, atol=1e-6)  # the model itself, called once on every record


def test_a_subset_is_predicted_in_the_order_asked(model_and_data):
    model, dataset = model_and_data
    everything = predict_arrays(model, dataset, np.arange(len(dataset)), 16)
    index = np.array([7, 3, 40, 3])
    assert_same_outputs(predict_arrays(model, dataset, index, 3), everything[index])
    assert_same_outputs(predict_encoded(model, dataset.encoder, dataset_arrays(dataset, index), 2), everything[index])


def test_no_records_give_an_empty_table_of_the_models_width(model_and_data):
    model, dataset = model_and_data
    empty = predict_arrays(model, dataset, np.zeros(0, dtype=np.int64), 8)
    assert empty.shape == (0, 2) and empty.dtype == np.float32


def test_streamed_chunks_give_the_in_memory_predictions(rna_structure_run):
    """Sequence+structure input is read file by file in chunks of batch_size x chunk_batches records."""
    from motifnet.run.rundir import open_run

    run_dir, files = rna_structure_run
    run = open_run(run_dir)
    config = PredictConfig([str(path) for path in files], batch_size=4, chunk_batches=4)
    chunks = list(predict_chunks(run, config))
    assert [len(ids) for ids, _ in chunks] == [16, 14, 16, 14]  # two files of 30 records
    streamed = np.concatenate([values for _, values in chunks])
    assert [i for ids, _ in chunks for i in ids] == list(run.dataset.ids)
    assert_same_outputs(streamed, predict_arrays(run.model, run.dataset, np.arange(len(run.dataset)), 64))
    table = io.StringIO()
    assert write_predictions(run, config, table) == 60
    assert table.getvalue().splitlines()[0] == "id\tp\tq"


def test_the_share_read_counts_the_files_before_by_their_size(trained_run, tmp_path):
    """Over several inputs the share read is (bytes of the files before + bytes of this file read) / all bytes:
    each file's end (one block each here) is reached at its part of the whole, gzip counted compressed."""
    import gzip
    import os

    from motifnet.run import predict as predict_module
    from motifnet.run.rundir import open_run

    up, down = trained_run[1]
    small = tmp_path / "small.fa.gz"
    small.write_bytes(gzip.compress(Path(up).read_bytes()))
    large = tmp_path / "large.fa"
    large.write_bytes(Path(down).read_bytes() * 4)
    run = open_run(trained_run[0])
    shares = [share for _, _, share in predict_module.encoded_chunks(run, PredictConfig([str(small), str(large)]), {})]
    first_end = os.path.getsize(small) / (os.path.getsize(small) + os.path.getsize(large))
    assert shares == [pytest.approx(first_end), pytest.approx(1.0)]


def test_a_signal_while_the_input_stalls_stops_without_waiting_for_more_input(trained_run):
    """A signal while standard input stalled (a producer that wrote nothing more) was acted on only when more input
    came: the helper thread's read was awaited without a look at the stop flag."""
    import threading

    from motifnet._signals import StopRequested, request_stop, stop_on_signals
    from motifnet.run import predict as predict_module
    from motifnet.run.rundir import open_run

    run = open_run(trained_run[0])
    config = PredictConfig([trained_run[1][0]], batch_size=16)
    first = next(predict_module.encoded_chunks(run, config, {}))
    stall, stalled_until = threading.Event(), []

    def stalling_input():
        yield first
        stall.wait(60)  # the producer writes nothing more
        stalled_until.append("more input")
        yield first

    with stop_on_signals():
        stream = predict_module._stream_predictions(run, stalling_input(), 16)
        ids, values, _ = next(stream)
        assert list(ids) == list(first[0]) and len(values) == len(ids)
        threading.Timer(0.5, request_stop).start()  # the signal's handler, while the input stalls
        try:
            with pytest.raises(StopRequested):
                next(stream)
            assert stalled_until == []  # stopped while the input still stalled
        finally:
            stall.set()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see the signal handlers")
def test_a_signal_ends_the_process_while_standard_input_stalls(trained_run, tmp_path):
    """The process waited for more input, then aborted at exit ("could not acquire lock for <stdin> at interpreter
    shutdown"): the helper thread's read held the lock of sys.stdin."""
    run_dir, (up, _) = trained_run
    stderr, returncode = signalled_while_input_stalls(
        ["predict", str(run_dir), "-", "-o", str(tmp_path / "p.tsv")], Path(up).read_bytes())
    assert returncode == 1, stderr.decode()
    assert stderr.decode().strip().endswith("files not yet complete were not written") and b"Fatal" not in stderr
    assert not (tmp_path / "p.tsv").exists()


@pytest.mark.parametrize("when", ["after", "during"])
def test_a_signal_stops_prediction_and_the_file_is_not_written(cli, trained_run, tmp_path, monkeypatch, when):
    """A signal after a chunk stops before the next one (standard output keeps the whole chunks before it); a
    signal while a chunk is predicted stops before its next batch, so a file that is one chunk stops too."""
    import signal

    from motifnet.run import predict as predict_module

    run_dir, (up, down) = trained_run
    predicted = []
    predict_encoded_before = predict_module.predict_encoded

    def signalling(model, encoder, arrays, batch_size):
        predicted.append(batch_size)
        if when == "during":
            signal.raise_signal(signal.SIGTERM)  # before the chunk's first batch
            return predict_encoded_before(model, encoder, arrays, batch_size)
        values = predict_encoded_before(model, encoder, arrays, batch_size)
        signal.raise_signal(signal.SIGTERM)  # once the first chunk is predicted
        return values

    monkeypatch.setattr(predict_module, "predict_encoded", signalling)
    # One chunk per file here; standard output gets the first file's rows, whole, or none.
    result = cli("predict", run_dir, up, down, "--batch-size", "4")
    assert result.exit_code == 1 and len(predicted) == 1
    # rows on standard output: the last line says they are whole but not all of them
    assert result.stderr.strip().endswith(
        "Error: stopped by a signal before finishing; the rows on standard output are whole but not all of them (the "
        "output is incomplete), and files not yet complete were not written" if when == "after" else
        "Error: stopped by a signal before finishing; files not yet complete were not written")
    if when == "after":
        rows = result.stdout.strip().split("\n")
        assert len(rows) == 1 + open(up).read().count(">") and all(len(row.split("\t")) == 3 for row in rows)
    else:
        assert result.stdout == ""

    predicted.clear()
    result = cli("predict", run_dir, up, down, "-o", tmp_path / "out.tsv")
    assert result.exit_code == 1 and len(predicted) == 1
    assert list(tmp_path.iterdir()) == []  # neither the table nor its temporary file


def test_predict_encoded_stops_before_its_next_batch_once_a_stop_is_asked(trained_run, monkeypatch):
    from motifnet._signals import StopRequested, request_stop, stop_on_signals
    from motifnet.data.pipeline import dataset_arrays
    from motifnet.run import fit
    from motifnet.run.predict import predict_encoded
    from motifnet.run.rundir import open_run

    run = open_run(trained_run[0])
    ended = []
    stopping = type(fit.stop_at_signal_callback())

    class Counting(stopping):
        def on_predict_batch_end(self, batch, logs=None):
            ended.append(batch)
            if batch == 2:
                request_stop()  # as a signal's handler does, here while the third batch ends

    monkeypatch.setattr(fit, "stop_at_signal_callback", Counting)
    arrays = dataset_arrays(run.dataset, np.arange(len(run.dataset)))  # 80 records: 20 batches of 4
    with stop_on_signals(), pytest.raises(StopRequested):
        predict_encoded(run.model, run.dataset.encoder, arrays, 4)
    assert ended == [0, 1, 2]


@pytest.fixture(scope="module")
def protein_model(tmp_path_factory):
    """An untrained (seeded) protein network, as a run folder's stand-in for predict_chunks."""
    from types import SimpleNamespace

    from motifnet.run.fit import build_seeded

    folder = tmp_path_factory.mktemp("protein")
    rng = np.random.default_rng(6)
    letters = np.array(list("ACDEFGHIKLMNPQRSTVWY"))
    files = [write_fasta(folder / f"{name}.fa", [(f"{name}{i}", "".join(rng.choice(letters, 20))) for i in range(6)])
             for name in ("p", "q")]
    dataset = load_dataset([str(path) for path in files], alphabet="protein")
    params = resolve({"conv_num": 1, "kernel_num": 4, "kernel_len": 5, "neuron_num": 8})
    model = build_seeded(dataset, params, 2)
    return SimpleNamespace(model=model, dataset_encoder=dataset.encoder, meta={"data": dataset.describe()},
                           output_names=dataset.output_names), files


def test_a_protein_model_warns_about_dna_input_once_per_file_and_still_predicts(protein_model, tmp_path, caplog):
    import logging

    run, (protein_file, _) = protein_model
    rng = np.random.default_rng(7)
    dna = write_fasta(tmp_path / "dna.fa", [(f"d{i}", s) for i, s in enumerate(random_dna(rng, 5, 20))])
    with caplog.at_level(logging.WARNING, logger="motifnet"):
        rows = sum(len(ids) for ids, _ in predict_chunks(run, PredictConfig([str(protein_file), str(dna)])))
    assert rows == 11
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"{dna}: 100% of the letters are A, C, G, T/U or N: this looks like DNA or RNA, but the "
                        "model reads protein; its scores mean nothing for nucleotide sequences"]


def test_a_dna_model_refuses_protein_letters(trained_run, tmp_path):
    from motifnet.errors import InputError
    from motifnet.run.rundir import open_run

    run_dir, _ = trained_run
    protein = write_fasta(tmp_path / "protein.fa", [("m1", "LVWEFQPI" * 5)])
    with pytest.raises(InputError, match=r"protein\.fa, record 1 \('m1'\): sequence character 'L' at position 1 "
                                         r"is not in the dna alphabet"):
        list(predict_chunks(open_run(run_dir), PredictConfig([str(protein)])))


def test_predict_warns_of_repeated_ids(cli, trained_run, tmp_path):
    # activations and cluster warned of repeated ids; predict, whose table is keyed by id, said nothing.
    run_dir, _ = trained_run
    rng = np.random.default_rng(3)
    records = random_dna(rng, 5, 40)
    path = write_fasta(tmp_path / "dup.fa", zip(["x", "y", "x", "z", "y"], records))
    result = cli("predict", run_dir, path)
    assert result.exit_code == 0 and len(result.stdout.strip().split("\n")) == 6
    assert "records 1 and 3 (in input order) have the same id, and 2 id(s) occur more than once" in result.stderr
    result = cli("predict", run_dir, write_fasta(tmp_path / "ok.fa", zip(["x", "y"], records[:2])))
    assert result.exit_code == 0 and "same id" not in result.stderr


def test_predict_on_a_diverged_run_says_in_one_line_that_there_is_no_model(cli, trained_run, tmp_path):
    # It warned "using its best model so far", then said training "stopped before its first epoch ended".
    run_dir = diverged_copy(trained_run[0], tmp_path / "run")
    up = trained_run[1][0]
    result = cli("predict", run_dir, up)
    message = result.stderr.strip()
    assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.output
    assert message.split("\n") == [f"Error: {run_dir}: training diverged and saved no model (model.keras is "
                                    "missing); train again with --overwrite and a smaller learning rate than 1e+30 "
                                    "(--param learning_rate=...) or a weight constraint (--param kernel_constraint=3)"]


@pytest.mark.parametrize("other, problem", [
    # the same input, one output: predict wrote a table with a header of three columns and rows of two, exit 0
    ("regression_run", "it has 1 output(s), motifnet.json names 2 (up, down)"),
    # another length: a Keras traceback
    ("multi_label_run", "it reads 30 positions x 4 channels, motifnet.json describes 40 x 4"),
])
@pytest.mark.parametrize("command", ["predict", "activations"])
def test_a_model_keras_from_another_run_is_refused_in_one_line(trained_run, cli, tmp_path, request, other, problem,
                                                               command):
    import shutil

    from helpers import copy_run

    run_dir, (up, _) = trained_run
    swapped = copy_run(run_dir, tmp_path / "swapped")
    shutil.copyfile(request.getfixturevalue(other)[0] / "model.keras", swapped / "model.keras")
    result = cli(command, swapped, up) if command == "predict" else cli(command, swapped, "-o", tmp_path / "act.tsv")
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {swapped / 'model.keras'}: does not match motifnet.json: {problem}; was it copied from another run? "
        "Put back this run's model, or train again")
    assert "Traceback" not in result.output and result.stdout == ""


def test_the_largest_batch_size_predicts_as_the_default_and_a_larger_one_is_refused(trained_run, cli, monkeypatch):
    # --batch-size 100000000 read the file in blocks of 16 x that x the length, which Python sets aside first: "out
    # of memory" on a file of 500 records; a value past 2**63 gave a traceback.
    import motifnet.data.fasta as fasta_module

    run_dir, (up, _) = trained_run
    default = cli("predict", run_dir, up)
    assert default.exit_code == 0, default.output
    reads = []
    iter_blocks = fasta_module.iter_fasta_blocks

    def recording(path, block_bytes=fasta_module.DEFAULT_BLOCK_BYTES):
        reads.append(block_bytes)
        return iter_blocks(path, block_bytes)

    monkeypatch.setattr("motifnet.run.predict.iter_fasta_blocks", recording)
    largest = cli("predict", run_dir, up, "--batch-size", "1000000")
    assert largest.exit_code == 0, largest.output
    assert largest.stdout == default.stdout and reads == [1 << 28]
    for value in ("1000001", "99999999999999999999999"):
        result = cli("predict", run_dir, up, "--batch-size", value)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "'--batch-size': " in result.stderr and "1<=x<=1000000" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_track_for_a_model_trained_without_tracks_is_refused_saying_so(trained_run, cli, tmp_path):
    # It said "the model was trained with tracks []".
    run_dir, (up, _) = trained_run
    track = tmp_path / "cons.tsv"
    track.write_text("x\t0\n")
    result = cli("predict", run_dir, up, "--track", f"cons={track}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == "Error: the model was trained without --track; leave out --track cons"


def test_a_model_keras_of_the_same_shapes_but_other_weights_is_refused(trained_run, cli, tmp_path):
    """Only shapes were compared: another run's model of the same network (a copy of one trained with another seed,
    say) was read as this run's, and info, predict and the reports gave its results under this run's name."""
    import keras
    from helpers import copy_run

    run_dir, (up, _) = trained_run
    swapped = copy_run(run_dir, tmp_path / "swapped")
    model = keras.saving.load_model(swapped / "model.keras", compile=False)
    model.set_weights([weights + 0.01 for weights in model.get_weights()])
    model.save(swapped / "model.keras")
    result = cli("predict", swapped, up)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {swapped / 'model.keras'}: does not match motifnet.json: it is not the model this training saved (its "
        "SHA-256 is not one motifnet.json records); was it copied from another run? Put back this run's model, or "
        "train again (a model known to be this run's, as one that a motifnet without this check saved on --resume: "
        "remove training.model_sha256 from motifnet.json)")
    assert cli("predict", run_dir, up).exit_code == 0  # the run's own model


@pytest.mark.parametrize("name", ["p.csv", "p.CSV.gz", "p.tsv"])
def test_a_table_named_csv_is_written_tab_separated_with_a_warning(trained_run, cli, tmp_path, name):
    """predict -o preds.csv wrote a tab-separated table under a comma-separated name without a word."""
    run_dir, (up, _) = trained_run
    result = cli("predict", run_dir, up, "-o", tmp_path / name)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    if name == "p.tsv":
        assert warned == []
    else:
        assert warned == [f"warning: -o {tmp_path / name}: the table is tab-separated, whatever the file's name says "
                          "(name it .tsv, or read it with a tab as the separator)"]
