"""Options shared by several commands, each declared once, and the parsing of option strings.

Groups of options (in the spirit of deepTools' ``parserCommon``) are decorators that a command
combines:

- :func:`logging_options`: ``--quiet``, ``--verbose``, ``--device`` (every command);
- :func:`data_reading_options`: how labelled FASTA files are read (``train``, ``grid-search``);
  the command receives one :class:`motifnet.data.options.DataOptions` as ``data``, the
  ``--split`` fractions as ``split`` and the ``--param``/``--params`` values as ``params``;
- :func:`selection_options`: which records of a run to look at (``--group``, ``--fasta``,
  ``--multi-label``, ``--batch-size``; the interpretation commands);
- single options that several commands take with their own help text (``--seed``,
  ``--overwrite``, ``--batch-size``, ``--features``, ``--track``).

The parse functions turn option strings into Python values for the library, with the messages
users know; the library validates the values themselves.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path

import click

from ..data.options import MAX_BACKGROUND_RATIO, MAX_BATCH_SIZE, MAX_LENGTH
from ..errors import OptionValueError

log = logging.getLogger("motifnet")

SPLIT_DEFAULT = "0.7,0.15"


# -- parsing option strings -------------------------------------------------------------------------

def parse_tracks(texts) -> list:
    """``--track NAME=FILE[,FILE...]`` options as (name, [files]) pairs.

    Raises
    ------
    ParamError
        A text without a name or files, or a name given twice.
    """
    from ..data.features import check_tracks

    tracks = []
    for text in texts:
        name, _, files = text.partition("=")
        if not name.strip() or not files.strip():
            raise OptionValueError(f"--track expects NAME=FILE[,FILE...], received: {text!r}")
        tracks.append((name.strip(), [path for path in files.split(",") if path]))
    return check_tracks(tracks)


def text_list(text: str | None, option: str, noun: str = "values", example: str = "0,3") -> list | None:
    """``a, b,`` as a list of stripped strings; None for an absent option.

    A trailing comma is allowed (``0,3,``, as loops in shell scripts write lists); an empty part
    between two values (``1,,0``) is refused, as it is more likely a value left out than meant. So is
    an empty value (``--kernels ""``, as ``--kernels "$UNSET"`` gives): leaving the option out is how
    to ask for its default, and an empty shell variable should not silently mean "all".

    Raises
    ------
    ParamError
        An empty value, or an empty part before the last; the message names ``option``.
    """
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if parts[-1] == "":
        parts.pop()
    if not any(parts):
        raise OptionValueError(f"{option} is empty: give comma-separated {noun} (e.g. {example}), or leave the "
                               "option out for its default")
    if "" in parts:
        raise OptionValueError(f"{option} expects comma-separated {noun} (e.g. {example}), received: {text!r}")
    return parts


def int_list(text: str | None, option: str, noun: str = "integers", example: str = "0,3") -> list | None:
    """``0,3`` as a list of integers; None for an absent option (parts as :func:`text_list`).

    Raises
    ------
    ParamError
        A part that is not an integer, an empty value, or an empty part before the last; the message names
        ``option``.
    """
    parts = text_list(text, option, noun, example)
    try:
        return None if parts is None else [int(part) for part in parts]
    except ValueError:
        raise OptionValueError(f"{option} expects comma-separated {noun} (e.g. {example}), "
                               f"received: {text!r}") from None


def parse_kernels(text: str | None) -> list | None:
    """``--kernels 0,3,7`` as a list of kernel numbers; None (all kernels) for an absent option.

    The library checks the numbers against the model (:func:`motifnet.interpret.kernels.check_kernels`).

    Raises
    ------
    ParamError
        A part that is not an integer, an empty value, or an empty part before the last.
    """
    return int_list(text, "--kernels", "kernel numbers", "0,3,7")


def parse_tax_groups(text: str | None) -> list | None:
    """``--tax-group vertebrates,plants`` as a list of JASPAR taxonomic groups; None (all) for an absent option."""
    return text_list(text, "--tax-group", "taxonomic groups", "vertebrates,plants")


def parse_chroms(text: str | None, option: str) -> tuple:
    """``--val-chroms chr8,chr9`` as a tuple of chromosome names; empty for an absent option."""
    return tuple(text_list(text, option, "chromosome names", "chr8,chr9") or ())


def parse_formats(text: str) -> tuple:
    """``--formats meme,jaspar`` as a tuple of lower-case format names (parts as :func:`text_list`).

    The library checks the names (:func:`motifnet.motifs.export.check_formats`).

    Raises
    ------
    ParamError
        An empty value, or an empty part before the last.
    """
    return tuple(part.lower() for part in text_list(text, "--formats", "format names", "meme,jaspar"))


def parse_split(text: str) -> tuple[float, float]:
    """``--split TRAIN,VAL`` as two fractions; the rest of the records is the test split.

    Raises
    ------
    ParamError
        Not two numbers, a fraction outside (0, 1), or fractions summing to more than 1.
    """
    try:
        train, val = (float(part) for part in text.split(","))
    except ValueError:
        raise OptionValueError(f"--split expects two fractions TRAIN,VAL (e.g. 0.7,0.15), received: {text!r}") from None
    if not (0 < train < 1 and 0 < val < 1 and train + val <= 1 + 1e-9):
        raise OptionValueError(
            f"--split fractions must be above 0 and sum to at most 1 (the rest is the test split; "
            f"validation is needed for early stopping), received: {text!r}"
        )
    return train, val


def parse_params(assignments, params_file: str | None) -> dict:
    """Hyperparameters of ``--params FILE.json`` overridden by the ``--param KEY=VALUE`` assignments.

    Raises
    ------
    ParamError
        An unreadable file, a malformed assignment or an unknown parameter.
    """
    from ..model.params import load_params_file, parse_assignments

    params = load_params_file(params_file) if params_file else {}
    params.update(parse_assignments(assignments))
    return params


# -- groups of options ------------------------------------------------------------------------------

def combine(*decorators):
    """One decorator applying ``decorators`` so that ``--help`` lists their options in the given order."""
    def decorate(function):
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return decorate


def logging_options(command=None, *, tensorflow: bool = True, device: bool = True):
    """--quiet, --verbose and --device for a command; ``tensorflow=False`` for commands that load no model in this
    process, ``device=False`` for those that run none anywhere (their --device is accepted, as scripts pass it to
    every command, but not shown)."""
    if command is None:
        return functools.partial(logging_options, tensorflow=tensorflow, device=device)

    @click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on standard error.")
    @click.option("--verbose", "-v", is_flag=True,
                  help="Debug messages, and TensorFlow's own log." if tensorflow else "Debug messages.")
    @click.option("--device", type=click.Choice(["auto", "cpu"]), default="auto", show_default=True, hidden=not device,
                  help="auto: a GPU when TensorFlow finds one, else the CPU; cpu: never a GPU.")
    @functools.wraps(command)
    def wrapper(*args, quiet, verbose, device, **kwargs):
        if quiet and verbose:  # the last one won silently, or rather --verbose always did
            raise click.UsageError("--quiet and --verbose exclude each other: give one")
        setup_logging(quiet, verbose, device, tensorflow)
        return command(*args, **kwargs)
    return wrapper


def multi_label_option(help: str):
    """``--multi-label``: one FASTA file whose headers end with class indices."""
    return click.option("--multi-label", is_flag=True, help=help)


class IntRange(click.IntRange):
    """click's IntRange, whose refusal of a value that is no integer says so: "'1.5' is not a valid integer"
    (click's own says "integer range"), and whose metavar in ``--help`` is INTEGER."""

    name = "integer"


class FloatRange(click.FloatRange):
    """click's FloatRange, whose refusal of a value that is no number says "is not a valid float"."""

    name = "float"


#: Seeds that NumPy, TensorFlow and Python's random all accept.
SEED = IntRange(0, 2**32 - 1)


def seed_option(help: str):
    """``--seed N`` of a command whose default seed is drawn at random (and recorded)."""
    return click.option("--seed", type=SEED, help=f"{help} [default: random, recorded]")


def preset_option(help: str, auto: bool = False):
    """``--preset NAME``: the hyperparameter values that ``--param`` and ``--params`` override; with
    ``auto`` (``train``) also 'auto', the default, which picks one of them by the input."""
    from ..model.params import AUTO_PRESET, DEFAULT_PRESET, preset_order

    choices = [AUTO_PRESET, *preset_order()] if auto else preset_order()
    return click.option("--preset", type=click.Choice(list(choices)), default=AUTO_PRESET if auto else DEFAULT_PRESET,
                        show_default=True, help=help)


def overwrite_option(help: str):
    """``--overwrite``: replace what the output folder holds."""
    return click.option("--overwrite", is_flag=True, help=help)


def batch_size_option(help: str = "Records per forward pass."):
    """``--batch-size N`` (default 256, at most :data:`MAX_BATCH_SIZE`) of a command that runs the model."""
    return click.option("--batch-size", type=IntRange(min=1, max=MAX_BATCH_SIZE), default=256,
                        show_default=True, help=help)


def echo_result(text: str, nl: bool = True) -> None:
    """Write a command's result (a table, the path of its main output) to standard output; an error there names
    standard output, and a closed one is refused (:func:`motifnet._io.standard_output`)."""
    from .._io import standard_output

    with standard_output() as stdout:
        click.echo(text, nl=nl, file=stdout)


def echo_path(path) -> None:
    """Print the path of a command's main output file (:func:`echo_result`), unless standard output is closed
    (``>&-``): the files are written, and a script that closed it does not read the path."""
    import sys

    if sys.stdout is not None:
        echo_result(str(path))


def given(name: str) -> bool:
    """Whether the command line gave the current command's parameter ``name`` (not its default)."""
    return click.get_current_context().get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE


def refuse_unused(*rules) -> None:
    """Refuse options given on the command line where they do nothing (a usage error, exit status 2).

    ``rules``: ``(option, applies, where)``: the parameter name of an option, whether it does
    anything with the other options given, and what it applies to (for the message).
    """
    for name, applies, where in rules:
        if given(name) and not applies:
            raise click.UsageError(f"{_long_flag(name)} applies to {where}; leave it out")


def _long_flag(name: str) -> str:
    """The long flag of the current command's parameter ``name`` (``--split`` of ``split_text``)."""
    params = click.get_current_context().command.params
    flags = [flag for param in params if param.name == name for flag in param.opts if flag.startswith("--")]
    return flags[0] if flags else f"--{name.replace('_', '-')}"


def tax_group_option(help: str = "JASPAR taxonomic group(s). [default: all]"):
    """``--tax-group GROUP[,GROUP]``: JASPAR's taxonomic groups (:func:`parse_tax_groups`)."""
    return click.option("--tax-group", metavar="GROUP[,GROUP]", help=help)


def matching_options(matched: str):
    """``--motif-db``, ``--tax-group`` and ``--no-match`` of a command that matches ``matched`` ('kernels',
    'patterns') with known motifs by TOMTOM (see :func:`matching_rules`)."""
    return combine(
        click.option("--motif-db", metavar="jaspar|FILE",
                     help=f"Known motifs to match the {matched} with (TOMTOM). [default: JASPAR CORE for DNA models, "
                          "none otherwise]"),
        tax_group_option(),
        click.option("--no-match", is_flag=True, help=f"Do not match the {matched} with known motifs."))


def matching_rules(no_match: bool) -> tuple:
    """:func:`refuse_unused` rules of ``--tax-group`` and ``--motif-db``, which ``--no-match`` makes idle."""
    return tuple((name, not no_match, "matching (not with --no-match)") for name in ("tax_group", "motif_db"))


def standard_output_dash(ctx, param, value):
    """Click callback of a file output that defaults to standard output: ``-o -`` means standard output too."""
    return None if value == "-" else value


def folder_output(ctx, param, value):
    """Click callback of a folder output (OUT_DIR, RUN_DIR): ``-o -`` is refused, not made into a folder named ``-``
    (``-`` is standard input or output to every command that reads or writes one file)."""
    if value == "-":
        raise click.BadParameter(f"- names standard output, and {param.metavar} is a folder of several files: "
                                 "give the folder's name")
    return value


def refuse_input_as_output(output, inputs=(), run_dir=None, option: str = "-o/--output",
                           file_output: bool = False) -> None:
    """Refuse an output that names an input: a file given to the command, or a file the run folder holds.

    With ``file_output`` (the output is one file), also a folder, or a file in a folder that does
    not exist (:func:`motifnet._validate.check_output_file`).

    Raises
    ------
    ParamError
        ``output`` resolves to one of those files (see :func:`motifnet._validate.check_output_not_input`).
    """
    from .._validate import check_output_file, check_output_not_input

    if file_output:
        check_output_file(output, option)
    files = [str(path) for path in inputs if path] + _run_files(run_dir)
    check_output_not_input(output, files, option)


def refuse_inputs_written(out_dir, inputs, written, run_dir=None, numbered=None) -> None:
    """Refuse, before any work, an input that the command would replace with a file it writes in ``out_dir``.

    Parameters
    ----------
    out_dir : path
        The command's output folder.
    inputs : iterable of (str, path or None)
        Each input file with the option or argument that the message names it by.
    written : iterable of str
        The names of the files the command writes there.
    run_dir : path, optional
        The run folder the command reads: its files are inputs too.
    numbered : callable, optional
        Whether the command writes a file of a given name too (numbered figures; see
        :func:`motifnet._validate.check_inputs_not_written`).

    Raises
    ------
    ParamError
    """
    from .._validate import check_inputs_not_written

    labelled = [*inputs, *(("RUN_DIR", path) for path in _run_files(run_dir))]
    check_inputs_not_written(out_dir, labelled, written, click.get_current_context().info_name, numbered)


def _run_files(run_dir) -> list:
    """The files of a run folder that commands read or train writes (none without a run folder): its lock,
    and every file of its resume/ and folded/ folders, included."""
    if run_dir is None:
        return []
    from ..run.lock import LOCK
    from ..run.rundir import DATA, FOLDED, HISTORY, META, METRICS, MODEL, RESUME, SPECTRUM, SPLIT

    files = [os.path.join(run_dir, name) for name in (MODEL, META, DATA, SPLIT, HISTORY, METRICS, SPECTRUM, LOCK)]
    for folder in (RESUME, FOLDED):
        files += sorted(str(path) for path in Path(run_dir, folder).rglob("*") if path.is_file())
    return files


def features_option(help: str):
    """``--features FILE`` (repeatable): per-sequence feature files, one per FASTA file."""
    return click.option("--features", "feature_files", multiple=True, metavar="FILE", help=help)


def track_option(help: str):
    """``--track NAME=FILE[,FILE...]`` (repeatable): position-wise tracks, one file per FASTA file."""
    return click.option("--track", "tracks", multiple=True, metavar="NAME=FILE[,FILE...]", help=help)


def genome_option(help: str, required: bool = False):
    """``--genome FILE.fa``: the genome whose windows BED inputs name (``required`` where windows of it are always
    read)."""
    return click.option("--genome", metavar="FILE.fa", required=required, help=help)


def background_options(command):
    """``--background``, ``--shuffle-k`` and ``--background-ratio``: a generated class for positives-only training."""
    return combine(
        click.option("--background", metavar="shuffle|genomic|FILE",
                     help="Add a class 'background': shuffled copies of the inputs (shuffle), GC-matched random "
                          "windows of --genome overlapping no input (genomic), or a FASTA or BED file."),
        click.option("--shuffle-k", type=IntRange(min=1), default=2, show_default=True, metavar="K",
                     help="--background shuffle: keep the counts of every K-mer (2: dinucleotides)."),
        click.option("--background-ratio", type=FloatRange(min=0, min_open=True, max=MAX_BACKGROUND_RATIO),
                     default=1.0,
                     show_default=True, metavar="R", help="Generated background records per input record."),
    )(command)


def data_reading_options(*, split_help: str, param_help: str, params_help: str):
    """How labelled FASTA files are read (``train`` and ``grid-search``).

    The command declares the ``FASTA`` argument; it receives, instead of the option strings,
    ``data`` (a :class:`motifnet.data.options.DataOptions` of the files and the reading options),
    ``split`` (two fractions) and ``params`` (a dict of hyperparameters).

    Parameters
    ----------
    split_help, param_help, params_help : str
        Help of ``--split``, ``--param`` and ``--params``, which mean a little more for a search.
    """
    options = combine(
        click.option("--alphabet", help="dna, rna, protein, or the letters of a custom alphabet. [default: detected]"),
        click.option("--structure-alphabet", metavar="LETTERS",
                     help="Structure letters, e.g. '().' or 'FHIMST': records are header, sequence, structure."),
        click.option("--structure-pwm", is_flag=True,
                     help="The structure is a matrix: one line of probabilities per structure letter."),
        multi_label_option("One FASTA file, class indices at the end of each header ('>s1 0,2'; '>s2 -': no class)."),
        click.option("--class-names", metavar="A,B,...", help="Class names. [default: file names, or class_0...]"),
        click.option("--split", "split_text", default=SPLIT_DEFAULT, show_default=True, metavar="TRAIN,VAL",
                     help=split_help),
        click.option("--length", type=IntRange(min=1, max=MAX_LENGTH),
                     help="Centre-crop longer and zero-pad shorter sequences to N."),
        click.option("--param", "param_items", multiple=True, metavar="KEY=VALUE", help=param_help),
        click.option("--params", "params_file", metavar="FILE.json", help=params_help),
    )

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, fasta, alphabet, structure_alphabet, structure_pwm, multi_label, class_names, split_text,
                    length, param_items, params_file, **kwargs):
            from ..data.options import DataOptions

            names = text_list(class_names, "--class-names", "class names", "up,down")
            data = DataOptions(tuple(fasta), multi_label=multi_label, class_names=names,
                               alphabet=alphabet, structure=structure_alphabet, structure_pwm=structure_pwm,
                               length=length)
            return command(*args, data=data, params=parse_params(param_items, params_file),
                           split=parse_split(split_text), **kwargs)
        return options(wrapper)
    return decorate


def selection_options(command):
    """--group, --fasta, --multi-label and --batch-size: the records of a run a command looks at."""
    return combine(
        click.option("--group", type=click.Choice(["train", "val", "test", "all"]), default="test", show_default=True,
                     help="Which split of the run's data to look at."),
        click.option("--fasta", multiple=True, metavar="FILE",
                     help="New labelled data instead: one FASTA file per class in the model's class order "
                          "(repeat the option), or one multi-label file."),
        multi_label_option("The --fasta file is multi-label (the default for a multi-label run)."),
        batch_size_option(),
    )(command)


class _StderrFormatter(logging.Formatter):
    """A log line as users read it on standard error: the message, and ``warning:`` before a warning's, so
    that every warning of a batch job's log is found by that word."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return f"warning: {message}" if record.levelno == logging.WARNING else message


def setup_logging(quiet: bool, verbose: bool, device: str = "auto", tensorflow: bool = True) -> None:
    """Send the ``motifnet`` log to standard error at the level of --quiet/--verbose; apply --device.

    Parameters
    ----------
    quiet, verbose : bool
        Warnings and errors only, or debug messages (and TensorFlow's own log).
    device : {'auto', 'cpu'}
        ``cpu`` hides every GPU from TensorFlow. Default is 'auto'.
    tensorflow : bool
        Quieten TensorFlow's start-up messages (commands without a model pass False: they never
        import it). Default is True.
    """
    from .._tf import quiet_tensorflow

    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; batch nodes have no display
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""  # TensorFlow then sees no GPU
    if tensorflow:
        quiet_tensorflow(verbose)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_StderrFormatter())
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)


def warn_if_csv(output) -> None:
    """Warn that a table named ``.csv`` (or ``.csv.gz``) by ``-o`` is tab-separated all the same."""
    if output and str(output).lower().endswith((".csv", ".csv.gz")):
        log.warning("-o %s: the table is tab-separated, whatever the file's name says (name it .tsv, or read it "
                    "with a tab as the separator)", output)
