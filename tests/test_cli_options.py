"""motifnet.cli: shared options declared once, option strings parsed into Python values, commands loaded lazily.

Nothing here trains: the library functions behind ``train`` and ``grid-search`` are replaced by
stand-ins that record what the command passed them.
"""

import json
import logging
import subprocess
import sys
from types import SimpleNamespace

import click
import pytest

from motifnet.cli.main import COMMANDS, SHORT_HELP, main
from motifnet.cli.options import (
    int_list,
    parse_chroms,
    parse_formats,
    parse_kernels,
    parse_split,
    parse_tax_groups,
    parse_tracks,
    setup_logging,
    text_list,
)
from motifnet.data.options import DataOptions
from motifnet.errors import ParamError

# The data-reading options of train and grid-search (cli.options.data_reading_options).
DATA_OPTIONS = ["alphabet", "structure_alphabet", "structure_pwm", "multi_label", "class_names", "split_text",
                "length", "param_items", "params_file"]


def command(name: str) -> click.Command:
    return main.get_command(click.Context(main), name)


def declaration(option: click.Parameter) -> tuple:
    """What makes two options the same for a user, help text aside."""
    return (option.opts, option.secondary_opts, option.default, option.multiple, getattr(option, "is_flag", False),
            option.metavar, repr(option.type), option.required, option.nargs)


# -- parsing option strings ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [("0.7,0.15", (0.7, 0.15)), ("0.5, 0.5", (0.5, 0.5)),
                                           (".8,.1", (0.8, 0.1))])
def test_parse_split(text, expected):
    assert parse_split(text) == expected


@pytest.mark.parametrize("text,message", [
    ("0.7", "--split expects two fractions TRAIN,VAL (e.g. 0.7,0.15), received: '0.7'"),
    ("a,b", "--split expects two fractions TRAIN,VAL (e.g. 0.7,0.15), received: 'a,b'"),
    ("0.7,0.2,0.1", "--split expects two fractions TRAIN,VAL"),
    ("0.9,0.2", "--split fractions must be above 0 and sum to at most 1 (the rest is the test split; validation "
                "is needed for early stopping), received: '0.9,0.2'"),
    ("0,0.5", "--split fractions must be above 0"),
    ("1,0.1", "--split fractions must be above 0"),
])
def test_parse_split_errors(text, message):
    with pytest.raises(ParamError) as error:
        parse_split(text)
    assert str(error.value).startswith(message)


def test_lists_of_names_and_integers():
    assert text_list(" a, b ,c", "--class-names") == ["a", "b", "c"] and text_list(None, "--class-names") is None
    assert parse_tax_groups("vertebrates, plants,") == ["vertebrates", "plants"] and parse_tax_groups(None) is None
    assert parse_chroms("chr8,chr9", "--val-chroms") == ("chr8", "chr9") and parse_chroms(None, "--val-chroms") == ()
    assert int_list("3, 0,", "--classes") == [3, 0]
    assert int_list(None, "--classes") is None
    with pytest.raises(ParamError, match=r"--nodes expects comma-separated integers \(e\.g\. 0,3\), received: '1,x'"):
        int_list("1,x", "--nodes")
    for text in ("1,,0", ",1", " , 2"):  # a value left out, not a list
        with pytest.raises(ParamError, match=f"--nodes expects comma-separated integers .*received: '{text}'"):
            int_list(text, "--nodes")


@pytest.mark.parametrize("parse, option", [
    (lambda text: text_list(text, "--class-names"), "--class-names"), (parse_kernels, "--kernels"),
    (lambda text: int_list(text, "--nodes"), "--nodes"), (parse_formats, "--formats"),
    (parse_tax_groups, "--tax-group"),
    (lambda text: parse_chroms(text, "--test-chroms"), "--test-chroms"),
])
@pytest.mark.parametrize("text", ["", " ", ","])
def test_an_empty_list_is_refused_not_read_as_the_default(parse, option, text):
    # `--kernels "$K"` with K unset meant every kernel, and `--tax-group ""` every group, without a word.
    with pytest.raises(ParamError, match=f"^{option} is empty: give comma-separated .* or leave the option out"):
        parse(text)


def test_kernels_and_formats_become_python_values():
    assert parse_kernels("7,0,7") == [7, 0, 7]  # the library sorts and checks them against the model
    assert parse_kernels(None) is None
    with pytest.raises(ParamError, match=r"--kernels expects comma-separated kernel numbers \(e\.g\. 0,3,7\)"):
        parse_kernels("0,three")
    assert parse_kernels("0, 3,") == [0, 3]
    with pytest.raises(ParamError, match=r"--kernels expects comma-separated kernel numbers .*received: '0,,3'"):
        parse_kernels("0,,3")
    assert parse_formats("meme, JASPAR,") == ("meme", "jaspar")


# -- options declared once -----------------------------------------------------------------------------

def test_train_and_grid_search_share_the_data_options():
    train = {option.name: option for option in command("train").params}
    search = {option.name: option for option in command("grid-search").params}
    for name in DATA_OPTIONS + ["seed", "overwrite", "fasta"]:
        assert declaration(train[name]) == declaration(search[name]), name
    assert train["split_text"].default == "0.7,0.15"
    assert train["alphabet"].help == search["alphabet"].help


def test_interpretation_commands_share_the_selection_options():
    names = ["group", "fasta", "multi_label", "batch_size"]
    commands = ["activations", "visualize-kernels", "cluster", "attribute", "motifs"]
    declared = [{option.name: declaration(option) for option in command(name).params} for name in commands]
    for name in names:
        assert len({repr(found[name]) for found in declared}) == 1, name
    assert declared[0]["group"][2] == "test" and declared[0]["batch_size"][2] == 256


def test_every_batch_size_has_the_same_bounds_and_default():
    """marginalize's --batch-size had no upper bound, which guards every other command against a typing slip."""
    sizes = {name: next((option for option in command(name).params if option.name == "batch_size"), None)
             for name in COMMANDS}
    sizes = {name: option for name, option in sizes.items() if option is not None}
    assert {"predict", "attribute", "marginalize", "variants"} <= sizes.keys()
    for name, option in sizes.items():
        assert (option.default, option.type.min, option.type.max) == (256, 1, 1_000_000), name


def test_every_command_takes_the_logging_options():
    for name in COMMANDS:
        options = {option.name for option in command(name).params}
        assert {"quiet", "verbose", "device"} <= options, name


def test_every_warning_on_stderr_begins_with_the_word_warning_once(capsys, monkeypatch):
    log = logging.getLogger("motifnet")
    # setup_logging replaces the handlers in place: it gets a copy of the list, and the test's end restores all
    monkeypatch.setattr(log, "handlers", list(log.handlers))
    monkeypatch.setattr(log, "propagate", log.propagate)
    monkeypatch.setattr(log, "level", log.level)
    setup_logging(quiet=False, verbose=False, tensorflow=False)
    log.info("reading %s", "a.fa")
    log.warning("duplicate record id %r", "r1")
    log.warning("a.fa, line 3: bytes that are not UTF-8 text")
    assert capsys.readouterr().err.splitlines() == [
        "reading a.fa", "warning: duplicate record id 'r1'", "warning: a.fa, line 3: bytes that are not UTF-8 text"]
    setup_logging(quiet=True, verbose=False, tensorflow=False)
    log.info("not shown")
    log.warning("shown")
    assert capsys.readouterr().err == "warning: shown\n"


def fake_train_from_files(calls):
    def train_from_files(data, config, fold=None):
        calls.append((data, config, fold))
        return {"roc_auc_mean": 0.75, "pr_auc_mean": None, "pearson_mean": 0.5, "r2_mean": 0.25}
    return train_from_files


@pytest.fixture
def no_signal_handlers(monkeypatch):
    # The commands set a SIGTERM handler for training; the test process keeps its own.
    monkeypatch.setattr("signal.signal", lambda *args: None)


def test_train_and_grid_search_read_the_data_alike(cli, tmp_path, monkeypatch, no_signal_handlers):
    calls = []
    monkeypatch.setattr("motifnet.workflows.train.train_from_files", fake_train_from_files(calls))
    monkeypatch.setattr("motifnet.search.grid.run_search",
                        lambda config, cluster: calls.append((config, cluster)) or SimpleNamespace(summary="s.html"))
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"kernel_num": [4, 8]}))
    shared = ["a.fa", "b.fa", "--alphabet", "dna", "--class-names", "up, down", "--length", "30",
              "--split", "0.6,0.2", "--param", "kernel_len=5", "--seed", "3"]
    result = cli("train", *shared, "-o", tmp_path / "run", "--overwrite")
    assert result.exit_code == 0, result.output
    assert f"test ROC-AUC (mean over classes) 0.750, PR-AUC n/a; run folder: {tmp_path / 'run'}" in result.stderr
    result = cli("grid-search", *shared, "-o", tmp_path / "search", "--grid", grid, "--folds", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "s.html"
    (data, config, fold), (search, cluster) = calls
    expected = DataOptions(("a.fa", "b.fa"), class_names=("up", "down"), alphabet="dna", length=30)
    assert data == expected and search.data == expected
    assert config.split == search.split == (0.6, 0.2) and config.seed == search.seed == 3
    assert config.params == search.params == {"kernel_len": 5}
    assert config.overwrite and not search.overwrite and fold is None
    assert search.grid == {"kernel_num": [4, 8]} and search.folds == 3 and cluster.kind == "local"


def test_train_passes_the_train_only_data_options(cli, tmp_path, monkeypatch, no_signal_handlers):
    calls = []
    monkeypatch.setattr("motifnet.workflows.train.train_from_files", fake_train_from_files(calls))
    result = cli("train", "a.fa", "-o", tmp_path / "run", "--task", "regression", "--targets", "t.tsv",
                 "--target-names", "x,y", "--track", "cons=a.t", "--features", "a.tsv", "--categorical-features",
                 "--epistatic-reg", "0.5", "--fold", "context")
    assert result.exit_code == 0, result.output
    [(data, config, fold)] = calls
    assert data == DataOptions(("a.fa",), task="regression", targets_file="t.tsv", target_names=("x", "y"),
                               tracks=(("cons", ("a.t",)),), feature_files=("a.tsv",), categorical_features=True)
    assert config.epistatic_reg == 0.5 and fold == "context"
    assert "test Pearson r (mean over targets) 0.500, R² 0.250; run folder:" in result.stderr


@pytest.mark.parametrize("earlier,after,message", [
    # an earlier run, stopped before training touched it (reading the data, splitting, building the model): it
    # said the run kept "the best model so far (--resume continues it)" while --resume then refused
    (True, None, "Error: stopped by a signal before training began; the run in {run} is as it was"),
    (False, ("motifnet.json", "data.npz"), "Error: stopped by a signal before the first epoch finished; --resume on "
                                           "{run} starts the training again"),
    (True, (".motifnet.unfinished",), "Error: stopped by a signal before the first epoch finished; --resume on {run} "
                                      "starts the training again"),  # replaced half-way: motifnet.json gone first
    (False, ("motifnet.json", "model.keras"), "Error: training interrupted; {run} keeps the best model so far "
                                              "(--resume continues it)"),
    (True, ("motifnet.json", "model.keras"), "Error: training interrupted; {run} keeps the best model so far "
                                             "(--resume continues it)"),
    (False, None, "Error: stopped by a signal before finishing; files not yet complete were not written")])
def test_interrupted_training_says_whether_a_model_was_kept(cli, tmp_path, monkeypatch, no_signal_handlers, earlier,
                                                            after, message):
    run_dir = tmp_path / "run"
    if earlier:
        run_dir.mkdir()
        (run_dir / "motifnet.json").write_text("{}")
        (run_dir / "model.keras").write_bytes(b"")

    def interrupted(data, config, fold=None):
        if after:
            run_dir.mkdir(exist_ok=True)
            (run_dir / "motifnet.json").unlink(missing_ok=True)  # replaced by a rename, never edited in place
            for name in after:
                (run_dir / name).write_text('{"training": {}}')
        raise KeyboardInterrupt

    monkeypatch.setattr("motifnet.workflows.train.train_from_files", interrupted)
    result = cli("train", "a.fa", "b.fa", "-o", run_dir)
    assert result.exit_code == 1 and result.stderr.strip() == message.format(run=run_dir), result.stderr


def test_a_stop_after_the_data_are_read_leaves_the_run_overwrite_replaces(trained_run, cli, tmp_path, monkeypatch,
                                                                           no_signal_handlers):
    """The reviewer's case: a stop while train chose the preset, after reading, before the run was replaced."""
    from helpers import TINY_PARAMS, copy_run, folder_digest

    shared, files = trained_run
    run_dir = copy_run(shared, tmp_path / "run")
    before = folder_digest(run_dir)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("motifnet.run.training.choose_preset", stopped)
    result = cli("train", *files, "-o", run_dir, "--overwrite", "--seed", "4", *TINY_PARAMS)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(f"Error: stopped by a signal before training began; the run in {run_dir} "
                                          "is as it was")
    assert folder_digest(run_dir) == before


@pytest.mark.parametrize("args,message", [
    (["train", "a.fa", "b.fa", "-o", "{tmp}/run", "--split", "0.7"], "--split expects two fractions TRAIN,VAL"),
    (["grid-search", "a.fa", "b.fa", "-o", "{tmp}/s", "--grid", "g.json", "--split", "0.9,0.3"],
     "--split fractions must be above 0 and sum to at most 1"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/run", "--param", "kernel_num"], "--param expects KEY=VALUE"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/run", "--param", "epochs=1e20"],
     "parameter epochs expects an integer from 1 to 1,000,000, received: '1e20'"),
    (["grid-search", "a.fa", "b.fa", "-o", "{tmp}/s", "--grid", "g.json", "--param", "kernal_num=3"],
     "unknown parameter 'kernal_num' (did you mean 'kernel_num'?)"),
    (["grid-search", "a.fa", "b.fa", "-o", "{tmp}/s", "--grid", "g.json", "--cores", "4"],
     "--cores applies only to batch jobs: add --slurm or --pbs"),
    (["fold", "a.fa", "-o", "{tmp}/f.fa", "--samples", "10"], "--samples applies to --format profile only"),
    (["attribute", "{tmp}", "-o", "{tmp}/at", "--method", "deeplift", "--steps", "10"],
     "--steps is used by integrated-gradients only"),
    (["grid-search", "a.fa", "b.fa", "-o", "{tmp}/s", "--grid", "g.json", "--threads", "3000000000"],
     "Invalid value for '--threads': 3000000000 is not in the range 1<=x<=4096."),
    (["visualize-kernels", "{tmp}", "-o", "{tmp}/vk", "--kernels", "0,x"],
     "--kernels expects comma-separated kernel numbers (e.g. 0,3,7), received: '0,x'"),
    (["visualize-kernels", "{tmp}", "-o", "{tmp}/vk", "--formats", "meme,pdf"],
     "--formats expects a comma-separated list of meme, jaspar, transfac, homer, received: 'meme,pdf' (unknown: pdf)"),
    (["cluster", "{tmp}", "-o", "{tmp}/c.png", "--classes", "a,,b"],
     "--classes expects comma-separated values (e.g. 0,3), received: 'a,,b'"),
    (["optimize-inputs", "{tmp}", "--layer", "conv_1", "-o", "{tmp}/o.png", "--nodes", "1.5"],
     "--nodes expects comma-separated integers (e.g. 0,3), received: '1.5'"),
])
def test_bad_option_strings_give_one_line(cli, tmp_path, args, message):
    """A value of the wrong form is a usage error: exit status 2, as for Click's own checks, naming --help."""
    result = cli(*[arg.format(tmp=tmp_path) for arg in args])
    lines = result.stderr.strip().split("\n")
    assert lines[0].endswith(f" {args[0]} --help')"), result.stderr
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), result.stderr


@pytest.mark.parametrize("command", [["train", "a.fa", "b.fa", "-o", "run"], ["scan", "m.meme", "a.bed", "-o", "s"]])
def test_a_length_beyond_any_window_is_a_usage_error(cli, tmp_path, command):
    """--length 99999999999999999999 ended in NumPy's 'Maximum allowed dimension exceeded' traceback."""
    result = cli(*command, "--length", "99999999999999999999")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--length" in result.stderr and "1000000" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["train", "a.fa", "-o", "{tmp}/r", "--shuffle-k", "3"], "--shuffle-k applies to --background shuffle"),
    (["train", "a.fa", "-o", "{tmp}/r", "--background", "b.fa", "--background-ratio", "3"],
     "--background-ratio applies to a generated background (--background shuffle or genomic)"),
    (["grid-search", "a.fa", "--grid", "g.json", "-o", "{tmp}/s", "--background-ratio", "3"],
     "--background-ratio applies to a generated background (--background shuffle or genomic)"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--categorical-features"],
     "--categorical-features applies to --features files"),
    (["train", "a.fa", "-o", "{tmp}/r", "--val-chroms", "chr2", "--test-chroms", "chr3", "--split", "0.5,0.2"],
     "--split applies to the records not held out by chromosome (with both --val-chroms and --test-chroms there "
     "are none)"),  # it was ignored, and recorded in motifnet.json as if it applied
    (["visualize-kernels", "{tmp}", "-o", "{tmp}/v", "--no-match", "--tax-group", "vertebrates"],
     "--tax-group applies to matching (not with --no-match)"),
    (["visualize-kernels", "{tmp}", "-o", "{tmp}/v", "--no-match", "--motif-db", "m.meme"],
     "--motif-db applies to matching (not with --no-match)"),
    (["motifs", "{tmp}", "-o", "{tmp}/mo", "--no-match", "--tax-group", "vertebrates"],
     "--tax-group applies to matching (not with --no-match)"),
    (["marginalize", "{tmp}", "--motifs", "m.meme", "-o", "{tmp}/m", "--max-spacing", "5"],
     "--max-spacing applies to pairs of motifs (--pairs N)"),
    (["compare", "q.meme", "--db", "m.meme", "--collection", "NOPE"], "--collection applies to JASPAR only (--db "
                                                                      "jaspar)"),
])
def test_an_option_given_where_it_does_nothing_is_a_usage_error(cli, tmp_path, args, message):
    """They were accepted without a word (and --background-ratio with a file was not even recorded)."""
    result = cli(*[arg.format(tmp=tmp_path) for arg in args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines() == [f"Error: {message}; leave it out (see 'main {args[0]} --help')"]
    assert sorted(path.name for path in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--resume", "--overwrite"],
     "--resume continues the run in the folder and --overwrite replaces it; pass one of them"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--structure-pwm"], "--structure-pwm needs --structure-alphabet"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--targets", "t.tsv"], "--targets needs --task regression"),
    (["train", "a.fa", "-o", "{tmp}/r", "--task", "regression", "--class-names", "x"],
     "--class-names is for classification"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--alphabet", "AACGT"],
     "--alphabet: alphabet letters must be distinct, received: 'AACGT'"),
    (["train", "a.fa", "b.fa", "-o", "{tmp}/r", "--structure-alphabet", "dna"],
     "--structure-alphabet expects the structure letters themselves"),
    (["train", "p.bed", "q.bed", "-o", "{tmp}/r"], "p.bed: BED input needs --genome FILE.fa"),
    # refused after reading the genome's windows, exit 1
    (["train", "p.bed", "q.bed", "-o", "{tmp}/r", "--genome", "g.fa", "--val-chroms", "chr2", "--test-chroms",
      "chr2,chr3"], "--val-chroms and --test-chroms share chr2; a chromosome goes to one group"),
    # '--targets standard input: the file is empty'
    (["train", "-", "-o", "{tmp}/r", "--task", "regression", "--targets", "-"],
     "standard input ('-') can be read only once; give the other inputs as files"),
    (["predict", "{run}", "{up}", "--genome", "{up}"], "none of the inputs is one: FASTA records are read as they "
                                                       "are; leave out --genome"),
    # a BED file piped in was told to leave out --genome, which then refused it as FASTA
    (["predict", "{run}", "-", "--genome", "{up}"], "and standard input is a pipe: if it carries BED lines, save them "
                                                    "to a file of such a name"),
    (["activations", "{run}", "-o", "{tmp}/a.tsv", "--multi-label"], "--multi-label says how the --fasta file is "
                                                                      "labelled"),
    (["visualize-kernels", "{run}", "-o", "{tmp}/v", "--genome", "{up}"], "--genome reads the windows of BED files "
                                                                          "given as new data"),
    (["attribute", "{run}", "{up}", "--group", "all", "-o", "{tmp}/o", "--method", "saliency"],
     "FASTA arguments (plain, unlabelled) and --fasta/--multi-label/--group exclude each other"),
])
def test_options_that_contradict_each_other_or_the_inputs_named_are_usage_errors(cli, tmp_path, trained_run, args,
                                                                                 message):
    """Each exited 1, as for a file that cannot be read; what the command line alone shows is a usage error."""
    run_dir, (up, _) = trained_run
    result = cli(*[arg.format(tmp=tmp_path, run=run_dir, up=up) for arg in args])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_missing_choice_option_is_one_line_with_its_choices(cli, tmp_path):
    """Click lists the choices one a line; a batch log or a pipeline's stderr gets them in one."""
    result = cli("attribute", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: Missing option '--method'. Choose from: saliency, grad-input, integrated-gradients, deeplift, ism "
        "(see 'main attribute --help')"]


# -- the command group ---------------------------------------------------------------------------------

def test_help_lists_every_command(cli):
    result = cli("--help")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].strip().split("\n")]
    assert listed == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_of_each_command(cli, name):
    result = cli(name, "--help")
    assert result.exit_code == 0 and f"Usage: main {name} [OPTIONS]" in result.stdout
    assert "--quiet" in result.stdout


def test_unknown_command_is_a_usage_error(cli):
    result = cli("trian")
    assert result.exit_code == 2 and "No such command 'trian'" in result.stderr


def test_ctrl_c_before_a_command_installs_its_handlers_is_one_error_line(cli, monkeypatch):
    # Ctrl-C while the command's module is imported raises a plain KeyboardInterrupt, not StopRequested.
    from motifnet.cli.main import LazyGroup

    def interrupted(self, ctx, args):
        raise KeyboardInterrupt

    monkeypatch.setattr(LazyGroup, "resolve_command", interrupted)
    result = cli("info", "anything")
    assert result.exit_code == 1 and "Aborted!" not in result.output
    assert result.stderr.strip() == ("Error: stopped by a signal before finishing; files not yet complete were not "
                                     "written")


def test_ctrl_c_inside_compiled_code_is_one_error_line(cli, monkeypatch, tmp_path):
    # Ctrl-C during numba's TOMTOM (memelite) reaches Python as a SystemError caused by KeyboardInterrupt.
    from motifnet.motifs import matching

    def interrupted(*args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as error:
            raise SystemError("<function tomtom> returned a result with an exception set") from error

    monkeypatch.setattr(matching, "compare_file", interrupted)
    query = tmp_path / "query.meme"
    query.write_text("MEME version 4\n")
    result = cli("compare", query)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == ("Error: stopped by a signal before finishing; files not yet complete were not "
                                     "written")

    def broken(*args):
        raise SystemError("a bug, not a signal")

    monkeypatch.setattr(matching, "compare_file", broken)
    result = cli("compare", query)
    assert isinstance(result.exception, SystemError)  # other SystemErrors are bugs: not hidden


def test_a_command_loads_only_its_own_module():
    code = ("import sys\nfrom motifnet.cli import main\ntry:\n    main(['info', '--help'])\nexcept SystemExit:\n"
            "    pass\nprint(sorted(name for name in sys.modules if name.startswith('motifnet.cli.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = result.stdout.strip().split("\n")[-1]
    assert "motifnet.cli.info" in loaded and "motifnet.cli.training" not in loaded, loaded


@pytest.mark.parametrize("module", ["motifnet", "motifnet.cli"])
def test_python_dash_m_runs_the_command_line(module):
    result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("motifnet, version ")


def test_track_options_parse_to_names_and_files():
    assert parse_tracks(["cons=a.t,b.t", " shape =c.t,"]) == [("cons", ["a.t", "b.t"]), ("shape", ["c.t"])]


@pytest.mark.parametrize("options, message", [
    (["cons"], "--track expects NAME=FILE[,FILE...], received: 'cons'"),
    (["=a.t"], "--track expects NAME=FILE[,FILE...], received: '=a.t'"),
    (["cons="], "--track expects NAME=FILE[,FILE...], received: 'cons='"),
    (["c=a.t", "c=b.t"], "--track names must be distinct, received: c, c"),
])
def test_bad_track_options(options, message):
    with pytest.raises(ParamError) as raised:
        parse_tracks(options)
    assert str(raised.value) == message


@pytest.mark.parametrize("typed, message", [
    ("trian", "Error: No such command 'trian'; did you mean 'train'?"),
    ("visualise-kernels", "Error: No such command 'visualise-kernels'; did you mean 'visualize-kernels'?"),
    ("xyzzy", "Error: No such command 'xyzzy'."),
    ("TRAIN", "Error: No such command 'TRAIN'; did you mean 'train'?"),
])
def test_a_misspelt_command_gets_the_closest_name(cli, typed, message):
    result = cli(typed, "--help")
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [message + " (see 'main --help')"]


@pytest.mark.parametrize("args, message", [
    (["--verison"], "Error: No such option '--verison'. Did you mean '--version'? (see 'main --help')"),
    # not "did you mean 'info'": it is no command name
    (["--", "--info"], "Error: No such option '--info'. (see 'main --help')"),
])
def test_an_option_where_the_command_goes_keeps_clicks_own_message_in_one_line(cli, args, message):
    # The group's own options were said in Click's four lines (usage, hint, blank line, error).
    result = cli(*args)
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [message]


def test_the_group_alone_still_shows_its_help(cli):
    result = cli()
    assert result.exit_code == 2 and "Usage: main [OPTIONS] COMMAND" in result.output and "Commands:" in result.output


@pytest.mark.parametrize("args, message", [
    (["train", "a.fa", "b.fa", "-o", "run", "--length", "0"],
     "Error: Invalid value for '--length': 0 is not in the range 1<=x<=1000000. (see 'main train --help')"),
    (["attribute", "run", "-o", "out", "--top", "-1"],
     "Error: Invalid value for '--top': -1 is not in the range x>=0. (see 'main attribute --help')"),
    (["train"], "Error: Missing argument 'FASTA...'. (see 'main train --help')"),
])
def test_a_value_click_refuses_is_one_line(cli, args, message):
    """Click's own checks (ranges, choices, missing arguments) are said in one line, exit status 2."""
    result = cli(*args)
    assert result.exit_code == 2 and result.stderr.strip().splitlines() == [message]


def _text_parameters():
    """(command, arguments before the value, how messages name the parameter) of every text option and argument."""
    cases = []
    for name in sorted(COMMANDS):
        command = main.get_command(click.Context(main), name)
        arguments = [param for param in command.params if isinstance(param, click.Argument)]
        for param in command.params:
            if not isinstance(param.type, (click.types.StringParamType, click.Path)) or getattr(param, "is_flag", 0):
                continue
            if isinstance(param, click.Argument):
                before = ["x"] * arguments.index(param)
                cases.append((name, before, param.make_metavar(click.Context(command))))
            else:
                cases.append((name, [param.opts[-1]], " / ".join(f"'{opt}'" for opt in param.opts)[1:-1]))
    return cases


@pytest.mark.parametrize("name, before, shown", _text_parameters(), ids=lambda value: str(value))
@pytest.mark.parametrize("value", ["", " "])
def test_no_text_option_or_argument_takes_an_empty_value(cli, name, before, shown, value):
    # `--genome "$GENOME"`, `--params "$P"` or `-o "$OUT"` with the variable unset meant no genome, no
    # parameter file, or the current folder, without a word.
    result = cli(name, *before, value)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert lines[0].startswith(f"Error: Invalid value for '{shown}': is empty"), lines
    assert "Traceback" not in result.output


@pytest.mark.parametrize("arguments", [
    ["train", "a.fa", "b.fa"], ["grid-search", "a.fa", "b.fa", "--grid", "grid.json"], ["visualize-kernels", "run"],
    ["attribute", "run", "--method", "saliency"], ["motifs", "run"], ["scan", "m.meme", "a.fa"],
    ["marginalize", "run", "--motifs", "m.meme"], ["variants", "run", "--vcf", "v.vcf", "--genome", "g.fa"],
])
def test_a_folder_output_named_dash_is_refused_not_made(cli, tmp_path, monkeypatch, arguments):
    """scan, marginalize and variants wrote into a new folder named '-' with exit 0; that folder then made
    variants --vcf - (standard input) refuse '-' as a folder."""
    monkeypatch.chdir(tmp_path)
    result = cli(*arguments, "-o", "-")
    metavar = {"train": "RUN_DIR", "grid-search": "SEARCH_DIR"}.get(arguments[0], "OUT_DIR")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (
        f"Error: Invalid value for '-o' / '--output': - names standard output, and {metavar} is a folder of several "
        f"files: give the folder's name (see 'main {arguments[0]} --help')")
    assert list(tmp_path.iterdir()) == []


def test_the_command_list_of_the_help_gives_each_command_whole(cli):
    """Every command's description was cut with '...' (the first sentences are longer than the terminal)."""
    assert sorted(SHORT_HELP) == sorted(COMMANDS)
    result = cli("--help")
    listed = result.stdout.split("Commands:\n", 1)[1]
    assert result.exit_code == 0 and "..." not in listed
    for name, text in SHORT_HELP.items():
        assert f"  {name} " in listed and " ".join(text.split()[:3]) in listed, name


@pytest.mark.parametrize("command, option, hint", [
    ("train", "--epochs", "--param epochs=..."), ("train", "--epoch", "--param epochs=..."),
    ("train", "--kernel-len", "--param kernel_len=..."),
    ("grid-search", "--learning_rate", "--param learning_rate=..."),
    ("train", "--dropout", "--param dropout_input=..., --param dropout_conv=... or --param dropout_dense=..."),
    ("train", "--patience", "--param patience_lr=... or --param patience_stopping=..."),
    ("train", "--foo", None), ("predict", "--epochs", None),
])
def test_an_option_named_like_a_hyperparameter_says_how_to_give_it(cli, command, option, hint):
    """`train --epochs 3` said only "No such option"; `--learning_rate` got Click's guess '--length'."""
    result = cli(command, "a.fa", option, "3", "-o", "out")
    assert result.exit_code == 2
    line = result.stderr.strip()
    # Click words "No such option" differently between versions; motifnet's part is what follows
    assert line.startswith("Error: No such option") and option in line
    if hint:
        tail = f"; hyperparameters are given as --param NAME=VALUE: {hint} (see 'main {command} --help')"
        assert line.endswith(f"{option}'{tail}") or line.endswith(f"{option}{tail}"), line
    else:
        assert "hyperparameters" not in line


@pytest.mark.parametrize("width", [60, 80])
def test_help_never_splits_a_hyphenated_word_across_lines(width):
    """fold --help read '--structure-' and 'alphabet' on two lines (copied so, an unknown option); train's
    'Multi-' 'label', motifs' 'TF-' 'MoDISco'."""
    import re

    from click.testing import CliRunner

    runner = CliRunner()
    for name in [None, *COMMANDS]:
        result = runner.invoke(main, [name, "--help"] if name else ["--help"], terminal_width=width)
        assert result.exit_code == 0, result.output
        split = [line for line in result.output.splitlines() if re.search(r"[A-Za-z]-$", line)]
        assert not split, (name, split)
