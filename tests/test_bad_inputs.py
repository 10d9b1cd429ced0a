"""Bad command-line inputs of every command in one table: the exit status (1, or 2 for a usage error), one
error line naming the problem, no traceback, and no file changed: a refused command writes nothing (issue 16:
unreadable or damaged inputs, values out of range, damaged or locked run folders, outputs that replaced inputs,
outputs in another format than their name says, names that break TSV headers, messages that misled).

Each case copies the shared run and its FASTA files into ``tmp_path`` first, so a regression that writes
where it must not shows up here as a changed digest, not as damage to the shared fixtures.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import shutil
import socket
import time

import numpy as np
import pytest
from helpers import TINY_PARAMS, copy_run, folder_digest, gata_records, random_dna, write_fasta

from motifnet.run.lock import LOCK

OLD_RUN = pathlib.Path(__file__).parent / "data" / "runs-0.1.0" / "classification"

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


# train's output in most cases below; tiny parameters keep an unrefused case (before the fix) short.
NEW_RUN = ["-o", "{tmp}/new", *TINY_PARAMS]
OUT = ["-o", "{out}"]


def _write_bytes(path: pathlib.Path, data: bytes) -> pathlib.Path:
    path.write_bytes(data)
    return path


def _deny_reading_meta(monkeypatch) -> None:
    """motifnet.json raises PermissionError when read (tests run as root, where chmod 000 still reads)."""
    read_text = pathlib.Path.read_text

    def guarded(self, *args, **kwargs):
        if self.name == "motifnet.json":
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "read_text", guarded)


# (arguments, expected message fragment). Placeholders name what the ``inputs`` fixture makes: see there.
CASES = [
    # Input files that cannot be read as FASTA, or hold records training cannot use.
    (["train", "{tmp}/missing.fa", "{b}", *OUT], "missing.fa: no such file"),
    (["train", "{empty}", "{b}", *OUT], "empty.fa: contains no FASTA records"),
    (["train", "{notes}", "{b}", *OUT], "notes.txt: not a FASTA file: line 1"),
    (["train", "{mixed}", "{b}", *OUT], "mixed.fa, record 2 ('m2'): sequence length 3 differs from 8"),
    (["train", "{badchar}", "{b}", *OUT], "bad.fa, record 2 ('oops'): sequence character 'J' at position 24"),
    (["train", "{a}", *OUT], "a single class"),
    (["train", "{multi}", "--multi-label", *OUT], "multi.fa, record 2 ('s2'): multi-label headers must end with"),
    (["train", "{structure}", "{structure2}", "--structure-alphabet", "().", *OUT],
     "st.fa, record 2 ('r2'): the structure line has 3 characters but the sequence has 4"),
    (["train", "{pwm}", "{structure2}", "--structure-alphabet", "().", "--structure-pwm", *OUT],
     "pwm.fa, record 1 ('p1'): expected the sequence line and 3 structure rows"),
    (["train", "{pwm}", "{structure2}", "--structure-alphabet", "HS", "--structure-pwm", *OUT],
     "pwm.fa, record 1 ('p1'): structure PWM column 3 sums to 0.7"),
    # A damaged gzip, in each command that reads FASTA.
    (["train", "{damaged}", "{b20}", *OUT], "damaged.fa.gz: cannot be read, a damaged or truncated"),
    (["train", "{truncated}", "{b20}", *OUT], "truncated.fa.gz: cannot be read, a damaged or"),
    (["predict", "{run}", "{damaged}", "-o", "{tmp}/p.tsv"], "damaged.fa.gz: cannot be read, a damaged"),
    (["fold", "{damaged}", "-o", "{tmp}/f.fa", "--jobs", "1"], "damaged.fa.gz: cannot be read, a damaged"),
    # Parameters and options out of range; inf and nan refused before the run folder is made.
    (["train", "{a}", "{b}", "--param", "kernal_num=3", *OUT],
     "unknown parameter 'kernal_num' (did you mean 'kernel_num'?)"),
    (["train", "{a}", "{b}", "--param", "dropout_conv=0.2,0.3,0.4", *OUT],
     "dropout_conv has 3 values but conv_num is 1"),
    (["train", "{a}", "{b}", "--param", "kernel_num=many", *OUT],
     "parameter kernel_num expects an integer from 1 to 10,000"),
    (["train", "{a}", "{b}", "--preset", "pysster", *OUT], "the network shrinks the sequence to nothing"),
    (["train", "{a}", "{b}", "--split", "0.9,0.2", *OUT], "--split fractions must be above 0 and sum to at most 1"),
    (["train", "{a20}", "{b20}", *OUT, "--param", "learning_rate=inf"],
     "parameter learning_rate expects a number > 0, received: 'inf'"),
    (["train", "{a20}", "{b20}", *OUT, "--param", "dropout_conv=nan"],
     "parameter dropout_conv expects a number in [0, 1)"),
    (["train", "{a20}", "{b20}", *OUT, "--features", "{a_nan}", "--features", "{b_tsv}"],
     "a_nan.tsv, line 21: feature 'gc' value 'nan' is not a finite number"),
    (["train", "{a20}", "{b20}", *OUT, "--features", "{a_huge}", "--features", "{b_tsv}"],
     "a_huge.tsv, line 2: feature 'gc' value '1e999' is not a finite number"),
    # Seeds outside what NumPy and TensorFlow accept.
    (["train", "{a20}", "{b20}", *OUT, "--seed", "-5"], "'--seed': -5 is not in the range 0<=x<=4294967295"),
    # --verbose won silently
    (["predict", "{run}", "{a}", "--quiet", "--verbose"], "--quiet and --verbose exclude each other: give one"),
    # click said "'1.5' is not a valid integer range", as if a range were asked for
    (["train", "{a20}", "{b20}", *OUT, "--seed", "1e20"], "'--seed': '1e20' is not a valid integer."),
    (["train", "{a20}", "{b20}", *OUT, "--seed", "1.5"], "'--seed': '1.5' is not a valid integer."),
    # fold took any seed, which train --fold (the same folding, seeded alike) refuses
    (["fold", "{a}", "-o", "{tmp}/f.fa", "--seed", "5000000000"], "'--seed': 5000000000 is not in the range "
                                                                  "0<=x<=4294967295"),
    (["variants", "{run}", *OUT, "--vcf", "{a}", "--genome", "{a}", "--top", "1.5"],
     "'--top': '1.5' is not a valid integer."),
    (["train", "{a20}", "{b20}", *OUT, "--seed", str(2**32)], "is not in the range 0<=x<=4294967295"),
    (["train", "{a20}", "{b20}", *OUT, "--seed", str(10**20)], "is not in the range 0<=x<=4294967295"),
    (["grid-search", "{a20}", "{b20}", *OUT, "--grid", "{huge}", "--seed", "-1"], "'--seed': -1 is not in the range"),
    (["optimize-inputs", "{run}", *OUT, "--seed", "-1"], "'--seed': -1 is not in the range 0<=x<=4294967295"),
    (["attribute", "{run}", *OUT, "--seed", "-1"], "'--seed': -1 is not in the range 0<=x<=4294967295"),
    # A grid far too large to run, counted without expanding it.
    (["grid-search", "{a20}", "{b20}", *OUT, "--grid", "{huge}"],
     "--grid: 780,000,000 trials (300 kernel_num x 50 kernel_len x 200 neuron_num x 260 batch_size) is more than "
     "motifnet searches (100,000, memory and time); use fewer values, or split the grid into searches of their own"),
    (["grid-search", "{a20}", "{b20}", *OUT, "--grid", "{huge}", "--max-trials", "100000000"],
     "'--max-trials': 100000000 is not in the range 1<=x<=100000"),
    # Run folders that are missing, not runs, incomplete, damaged or edited by hand.
    (["predict", "{tmp}/nowhere", "{a}"], "no such run folder"),
    (["predict", "{tmp}", "{a}"], "not a motifnet run folder"),
    (["predict", "{no_model}", "{up}"], "model.keras is missing, though training saved one"),
    # visualize-kernels made its output folder before it loaded the model, and left it empty.
    (["visualize-kernels", "{no_model}", "--no-match", "--group", "all", *OUT],
     "model.keras is missing, though training saved one"),
    (["motifs", "{no_model}", "--no-match", "--group", "all", "--window", "5", "--flank", "2", *OUT],
     "model.keras is missing, though training saved one"),  # likewise
    (["predict", "{bad_model}", "{up}"],
     "model.keras: cannot be loaded as a Keras model (not a zip archive: damaged or replaced)"),
    (["predict", "{bad_meta}", "{up}"], "motifnet.json: damaged"),
    (["info", "{edited}"], "motifnet.json: damaged (data.class_names lists 3 class(es) (ap1, gata, extra) but the "
                           "run was trained on 2)"),
    (["predict", "{edited}", "{a20}", "-o", "{tmp}/p.tsv"], "motifnet.json: damaged (data.class_names lists 3"),
    (["predict", "{run}", "{up}"], "motifnet.json: cannot be read (Permission denied); ask the owner"),
    # Data the model cannot take.
    (["predict", "{run}", "{rna}"],
     "rna.fa, record 1 ('u1'): sequence character 'U' at position 4 is not in the dna alphabet"),
    (["predict", "{run}", "{short_record}"], "sequence length 20 differs from 40"),
    # Labelled files for a run's model: its length, not --length (which these commands lack), is the fix.
    (["activations", "{run}", "--fasta", "{short_record}", "--fasta", "{down}", "-o", "{tmp}/a.npz"],
     "short_record.fa, record 1 ('s1'): sequence length 20 differs from 40; the model takes this length only"),
    (["visualize-kernels", "{run}", "--no-match", "--fasta", "{up}", "--fasta", "{short_record}", *OUT],
     "short_record.fa, record 1 ('s1'): sequence length 20 differs from 40; the model takes this length only"),
    # A run folder that is in use, or holds the inputs.
    (["train", "{up}", "{down}", "-o", "{locked}", "--seed", "1", *TINY_PARAMS],
     "in use by motifnet train (pid {pid} on {host}"),
    (["train", "{inside}", "{down}", "-o", "{owner}", "--overwrite", "--seed", "4", *TINY_PARAMS],
     "{inside}: input file inside the run folder {owner}"),
    # -o naming an input would replace it
    (["predict", "{run}", "{up}", "-o", "{up}"], "-o/--output: {up} is the input file {up}"),
    (["predict", "{run}", "{up}", "-o", "{run}/model.keras"], "is the input file {run}/model.keras"),
    # A run whose lock file was left behind (a killed job): the lock is the run's file too.
    (["predict", "{held}", "{up}", "-o", "{held}/.motifnet.lock"], "is the input file {held}/.motifnet.lock"),
    (["predict", "{held}", "{up}", "-o", "{held}/resume/epoch-3.npz"], "is the input file {held}/resume/epoch-3"),
    # A file output naming a folder, or in a folder that does not exist, was refused only after the work.
    (["predict", "{run}", "{up}", "-o", "{tmp}"], "-o/--output: {tmp} is a folder; give the name of a file"),
    (["predict", "{run}", "{up}", "-o", "{tmp}/nowhere/p.tsv"], "the folder {tmp}/nowhere does not exist"),
    # A name ending in '/' of a folder that does not exist: a file of that name was written.
    (["predict", "{run}", "{up}", "-o", "{tmp}/newdir/"], "-o/--output: {tmp}/newdir/ names a folder (it ends in '/')"),
    # Below a file it said "the folder ... does not exist" of a file that does.
    (["activations", "{run}", "-o", "{up}/x.npz"], "cannot write {up}/x.npz: {up} is a file, not a folder"),
    (["fold", "{rna}", "-o", "{tmp}"], "-o/--output: {tmp} is a folder"),
    (["compare", "{meme}", "-o", "{tmp}"], "-o/--output: {tmp} is a folder"),
    (["predict", "{run}", "-", "-"], "standard input ('-') can be read only once"),
    # A folder output naming a file: "File exists", and after the work for visualize-kernels and motifs.
    (["visualize-kernels", "{run}", "--no-match", "-o", "{meme}"],
     "-o/--output {meme}: must be a folder, not a file; give a new or existing folder"),
    (["motifs", "{run}", "--no-match", "-o", "{meme}"], "-o/--output {meme}: must be a folder, not a file"),
    (["scan", "{meme}", "{up}", "-o", "{down}"], "-o/--output {down}: must be a folder, not a file"),
    # scan read standard input for the letter frequencies, then found it empty: "contains no FASTA records".
    (["scan", "{meme}", "-", *OUT], "standard input ('-') can be read only once, and --background input reads the "
                                    "records twice (letter frequencies, then sites); give them as a file, or "
                                    "--background uniform or FILE"),
    (["train", "{a}", "{b}", "{a}", *NEW_RUN, "--class-names", "x,y,z"], "{a} is given twice: each FASTA file is"),
    (["train", "{a}", "{b}", *NEW_RUN, "--class-names", "x,x"], "--class-names must be distinct, received: x, x"),
    (["train", "{a}", "{b}", "-o", "{a}", "--overwrite"], "-o {a} is the input file {a}; give a new folder"),
    # A CR-only file was read as one line: "empty sequence".
    (["predict", "{run}", "{mac}"], "mac.fa: its lines end in a carriage return alone"),
    (["compare", "{meme}", "--db", "{meme}", "-o", "{meme}"], "-o/--output: {meme} is the input file"),
    (["fold", "{up}", "-o", "{up}"], "-o/--output: {up} is the input file {up}"),
    (["activations", "{run}", "--fasta", "{up}", "--fasta", "{down}", "-o", "{run}/data.npz"],
     "is the input file {run}/data.npz"),
    (["attribute", "{run}", "--method", "saliency", "--fasta", "{up}", "--fasta", "{down}", "-o", "{down}"],
     "-o/--output: {down} is the input file {down}"),
    (["visualize-kernels", "{run}", "--no-match", "--fasta", "{up}", "--fasta", "{down}", "-o", "{up}"],
     "-o/--output: {up} is the input file {up}"),
    (["cluster", "{run}", "--fasta", "{up}", "--fasta", "{down}", "-o", "{up}"],
     "the file name must end in .png, .pdf or .svg"),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--steps", "2", "-o", "{run}/model.keras"],
     "the file name must end in .png, .pdf or .svg"),
    # an output in another format than its name says
    (["cluster", "{run}", "--group", "all", "-o", "{tmp}/heat.jpg"], "-o/--output: cannot write {tmp}/heat.jpg: "
     "the file name must end in .png, .pdf or .svg"),
    (["optimize-inputs", "{run}", "--layer", "conv_1", "--steps", "2", "-o", "{tmp}/nodes.txt"],
     "the file name must end in .png, .pdf or .svg"),
    (["activations", "{run}", "-o", "{tmp}/act.csv"],
     "-o/--output: cannot write {tmp}/act.csv: the file name must end in .npz, .tsv or .tsv.gz"),
    (["activations", "{run}", "-o", "{tmp}/act.gz"],  # gzip of what? only a table is written compressed
     "-o/--output: cannot write {tmp}/act.gz: the file name must end in .npz, .tsv or .tsv.gz"),
    (["activations", "{run}", "-o", "{tmp}/.tsv.gz"],  # a hidden file that is all ending, as Path.suffix has it
     "-o/--output: cannot write {tmp}/.tsv.gz: the file name must end in .npz, .tsv or .tsv.gz after a name (it is "
     "all ending)"),
    # names that would break TSV headers
    (["train", "{up}", "{down}", "--class-names", "a\tb,c", *NEW_RUN], "class names must be non-empty "
     "and hold no tab or line break (they head table columns), received: 'a\\tb'; pass --class-names"),
    (["train", "{up}", "{down}", "--class-names", "a\nb,c", *NEW_RUN], "received: 'a\\nb'"),
    # "a," read as the names 'a' and '', then told to pass --class-names, which was passed
    (["train", "{up}", "{down}", "--class-names", "a,", *NEW_RUN], "--class-names gives 1 name(s) for 2 FASTA file(s)"),
    (["train", "{tabbed}", "{down}", *NEW_RUN], "received: 'x\\ty'; pass --class-names"),
    (["train", "{gata}", "--task", "regression", "--target-names", "n\tm", *NEW_RUN],
     "target names must be non-empty and hold no tab or line break"),
    # messages that misled
    (["activations", "{run}", "--fasta", "{short}", "--fasta", "{short_record}", "-o", "{tmp}/act.npz"],
     "differs from 40; the model takes this length only (it does not crop or pad); give sequences of that length"),
    (["activations", "{run}", "-o", "{tmp}/folder.npz"], "-o/--output: {tmp}/folder.npz is a folder"),
    # An empty -o (`-o "$OUT"` with OUT unset) wrote into the current folder, or to standard output.
    (["train", "{a}", "{b}", "-o", ""], "Invalid value for '-o' / '--output': is empty (see"),
    (["predict", "{run}", "{up}", "-o", " "], "Invalid value for '-o' / '--output': is empty"),
    (["visualize-kernels", "{run}", "--no-match", "-o", ""], "Invalid value for '-o' / '--output': is empty"),
    (["scan", "{meme}", "{up}", "-o", ""], "Invalid value for '-o' / '--output': is empty"),
    (["fold", "{rna}", "-o", ""], "Invalid value for '-o' / '--output': is empty"),
    (["compare", "{meme}", "-o", ""], "Invalid value for '-o' / '--output': is empty"),
    # An empty value meant the default (no genome, every kernel, every taxonomic group), a list of no names too.
    (["visualize-kernels", "{run}", "--no-match", "--kernels", "", *OUT],
     "Invalid value for '--kernels': is empty; leave the option out for its default"),
    (["train", "{a}", "{b}", *NEW_RUN, "--genome", " "], "Invalid value for '--genome': is empty; leave the option"),
    (["visualize-kernels", "{run}", "--no-match", "--kernels", ",", *OUT],
     "--kernels is empty: give comma-separated kernel numbers (e.g. 0,3,7), or leave the option out"),
    (["visualize-kernels", "{run}", "--tax-group", " , ", *OUT], "--tax-group is empty: give comma-separated"),
    # A folder given as a feature file was "expected a FASTA file".
    (["train", "{a20}", "{b20}", *OUT, "--features", "{tmp}", "--features", "{b_tsv}"],
     "{tmp}: is a folder, expected a feature file"),
    # Options that could not be honoured were ignored without a word.
    (["visualize-kernels", "{run}", "--no-match", "--trim-ic", "5", *OUT],
     "--trim-ic 5 is more than a column can carry against this data's letter frequencies, so no column would "
     "reach it; give at most 2.13 bits"),
    (["activations", "{run}", "--multi-label", "-o", "{tmp}/a.npz"], "--multi-label says how the --fasta file is "
                                                                     "labelled; the run's own --group data is read"),
    # An existing run is kept unless --overwrite.
    (["train", "{up}", "{down}", "-o", "{run}", *TINY_PARAMS], "holds a run already; pass --overwrite"),
]


def _case_id(arguments: list, fragment: str) -> str:
    return f"{arguments[0]}: {fragment[:56]}".replace("{", "").replace("}", "")


def _damaged_gzip(fasta: pathlib.Path, destination: pathlib.Path) -> None:
    data = bytearray(gzip.compress(fasta.read_bytes() * 50))
    data[40:60] = b"\xff" * 20  # a corrupted deflate stream: zlib.error while reading
    destination.write_bytes(bytes(data))


def _held_and_resumable(run_dir: pathlib.Path) -> None:
    """A run a killed job left: its stale lock, and the weights of an epoch to resume from."""
    (run_dir / LOCK).write_text(json.dumps({"pid": 2**22 + 1, "host": socket.gethostname(), "started": 0.0}))
    (run_dir / "resume").mkdir()
    (run_dir / "resume" / "epoch-3.npz").write_bytes(b"weights")


def _copy_run_with(run_dir: pathlib.Path, destination: pathlib.Path, damage) -> pathlib.Path:
    copy = copy_run(run_dir, destination)
    damage(copy)
    return copy


@pytest.fixture
def inputs(trained_run, dna_files, tmp_path):
    """Private copies of the run and its data, with every other input file, keyed by placeholder name.

    ``{a}``/``{b}``: two classes of 30 records of length 40 (``dna_files``); ``{a20}``/``{b20}``: 20 records of
    length 30, with features ``{a_nan}``, ``{a_huge}``, ``{b_tsv}``; ``{run}`` a copy of the trained run,
    ``{up}``/``{down}`` of its FASTA files; ``{short}`` records of length 20; ``{meme}`` a MEME file; ``{tabbed}``
    a FASTA file whose name holds a TAB; ``{gata}`` regression records; ``{edited}`` an old run whose
    motifnet.json was edited by hand; ``{locked}`` a folder another live process holds; ``{owner}`` a run
    holding the input ``{inside}``; ``{tmp}`` the test's folder, ``{out}`` an output in it.
    """
    run_dir, (up, down) = trained_run
    data = tmp_path / "inputs"
    data.mkdir()
    rng = np.random.default_rng(5)
    short = "".join(rng.choice(list("ACGT"), size=20))
    gata = [(f"{record_id} {value:.3f}", sequence) for record_id, sequence, value in gata_records(20, seed=1)]
    (tmp_path / "folder.npz").mkdir()
    (tmp_path / "meme.meme").write_text(MEME)
    a, b = dna_files
    rng = np.random.default_rng(0)
    a20 = write_fasta(data / "a.fa", [(f"a{i}", s) for i, s in enumerate(random_dna(rng, 20, 30, "GGATCC"))])
    b20 = write_fasta(data / "b.fa", [(f"b{i}", s) for i, s in enumerate(random_dna(rng, 20, 30))])
    _damaged_gzip(a20, data / "damaged.fa.gz")
    (data / "truncated.fa.gz").write_bytes(gzip.compress(a20.read_bytes())[:-20])
    (data / "a_nan.tsv").write_text("#gc\n" + "0.5\n" * 19 + "nan\n")
    (data / "a_huge.tsv").write_text("#gc\n" + "1e999\n" + "0.5\n" * 19)
    (data / "b.tsv").write_text("#gc\n" + "0.4\n" * 20)
    (data / "huge.json").write_text(json.dumps({"kernel_num": list(range(1, 301)), "kernel_len": list(range(1, 51)),
                                                "neuron_num": list(range(1, 201)),
                                                "batch_size": list(range(1, 261))}))
    edited = copy_run(OLD_RUN, data / "edited")
    meta = json.loads((edited / "motifnet.json").read_text())
    meta["data"]["class_names"].append("extra")
    (edited / "motifnet.json").write_text(json.dumps(meta))
    (data / "empty.fa").write_text("")
    (data / "notes.txt").write_text("this is not fasta\n>x\nACGT\n")
    locked = data / "locked"
    locked.mkdir()  # held by this process, alive and started before its lock
    (locked / LOCK).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
                                           "command": "train"}))
    owner = copy_run(run_dir, data / "owner")
    return {
        "run": copy_run(run_dir, data / "run"),
        "up": pathlib.Path(shutil.copy(up, data / "up.fa")),
        "down": pathlib.Path(shutil.copy(down, data / "down.fa")),
        "short": write_fasta(data / "short.fa", [("s1", short), ("s2", short)]),
        "tabbed": pathlib.Path(shutil.copy(up, data / "x\ty.fa")),
        "gata": write_fasta(data / "gata.fa", gata),
        "meme": tmp_path / "meme.meme",
        "a": a, "b": b, "a20": a20, "b20": b20,
        "damaged": data / "damaged.fa.gz", "truncated": data / "truncated.fa.gz",
        "a_nan": data / "a_nan.tsv", "a_huge": data / "a_huge.tsv", "b_tsv": data / "b.tsv", "huge": data / "huge.json",
        "edited": edited,
        "empty": data / "empty.fa",
        "notes": data / "notes.txt",
        "mixed": write_fasta(data / "mixed.fa", [("m1", "ACGTACGT"), ("m2", "ACG")]),
        "badchar": write_fasta(data / "bad.fa", [("ok", "A" * 40), ("oops", "ACGT" * 5 + "ACGJ" + "A" * 16)]),
        "multi": write_fasta(data / "multi.fa", [("s1 0,1", "ACGT"), ("s2 zero", "ACGT")]),
        "structure": write_fasta(data / "st.fa", [("r1", ["ACGU", "((.)"]), ("r2", ["ACGU", "(.)"])]),
        "structure2": write_fasta(data / "st2.fa", [("r3", ["ACGU", "...."])]),
        "pwm": write_fasta(data / "pwm.fa", [("p1", ["ACGU", "0.5 0.5 0.5 0.5", "0.5 0.5 0.2 0.5"])]),
        "rna": write_fasta(data / "rna.fa", [("u1", "ACGU" * 10)]),
        "short_record": write_fasta(data / "short_record.fa", [("s1", "ACGT" * 5)]),
        "mac": _write_bytes(data / "mac.fa", b">m1\r" + b"ACGT" * 10 + b"\r"),
        "no_model": _copy_run_with(run_dir, data / "no_model", lambda copy: (copy / "model.keras").unlink()),
        "bad_model": _copy_run_with(run_dir, data / "bad_model",
                                    lambda copy: (copy / "model.keras").write_bytes(b"not a zip")),
        "bad_meta": _copy_run_with(run_dir, data / "bad_meta", lambda copy: (copy / "motifnet.json").write_text("{")),
        "held": _copy_run_with(run_dir, data / "held", _held_and_resumable),
        "locked": locked, "pid": os.getpid(), "host": socket.gethostname(),
        "owner": owner, "inside": pathlib.Path(shutil.copy(up, owner / "up.fa")),
        "tmp": tmp_path,
        "out": tmp_path / "out",
    }


@pytest.mark.parametrize("args, fragment", CASES, ids=[_case_id(*case) for case in CASES])
def test_bad_input_gives_one_line_and_changes_no_file(cli, inputs, monkeypatch, args, fragment):
    tmp_path = inputs["tmp"]
    if "motifnet.json: cannot be read" in fragment:
        _deny_reading_meta(monkeypatch)
    values = {name: str(path) for name, path in inputs.items()}
    before = folder_digest(tmp_path)
    folders = sorted(path for path in tmp_path.rglob("*") if path.is_dir())
    result = cli(*[argument.format(**values) for argument in args])
    message = result.stderr.strip()
    usage_error = result.exit_code == 2 and "--help')" in result.stderr  # Click's checks, said in one line
    assert result.exit_code == (2 if usage_error else 1), result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (AssertionError, TypeError,
                                                                                  ValueError, AttributeError))
    # One error line (after any progress lines); click may wrap a usage error's long line.
    lines = message.splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1 and (usage_error or lines[-1] == errors[0]), message
    assert fragment.format(**values) in " ".join(message.split()), message
    if args[0] not in ("train", "grid-search"):
        assert "--length" not in message  # an option these commands do not have
    after = folder_digest(tmp_path)  # a refused command writes nothing: no half-made run folder, no output
    assert sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name)) == []
    assert sorted(path for path in tmp_path.rglob("*") if path.is_dir()) == folders  # nor an empty output folder


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


@pytest.mark.parametrize("name", ["motifs.meme", "motif_kernel_3.png"])
def test_a_motif_database_named_like_an_output_is_not_replaced(trained_run, cli, tmp_path, name):
    # visualize-kernels read --motif-db OUT/motifs.meme, then wrote its own motifs.meme over it.
    from motifnet.motifs.meme import MemeMotif, write_meme

    out = tmp_path / "report"
    out.mkdir()
    database = out / name
    write_meme(database, [MemeMotif("mine", "", np.full((4, 4), 0.25), 5)], "ACGT", [0.25] * 4)
    before = database.read_bytes()
    result = cli("visualize-kernels", trained_run[0], "--motif-db", database, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: --motif-db {database}: motifnet visualize-kernels writes this file in "
                                     f"{out}, which would replace it; copy it elsewhere or choose another -o folder")
    assert database.read_bytes() == before and sorted(out.iterdir()) == [database]
