"""The ``motifnet`` command group: library errors as one line, logging set-up, commands loaded on demand.

Each command lives in the module of its group (``training``, ``predict``, ``interpret``, ``motifs``, ``scan``,
``fold``, ``info``); :data:`COMMANDS` names it, and :class:`LazyGroup` imports that module only when
the command runs or its help is shown, so that ``motifnet info`` does not pay for the imports of
``train`` (click's ``LazyGroup`` recipe).
"""

from __future__ import annotations

import difflib
import importlib
import logging
import os
import sys

import click

from .._io import standard_output_written
from .._signals import ignore_signals_while_exiting
from .._validate import either
from .._version import __version__
from ..errors import MotifnetError, OptionValueError

log = logging.getLogger("motifnet")

# Command name -> "module:function" (modules relative to this package).
COMMANDS = {
    "train": "training:train",
    "grid-search": "training:grid_search",
    "predict": "predict:predict",
    "fold": "fold:fold",
    "activations": "interpret:activations",
    "visualize-kernels": "interpret:visualize_kernels_command",
    "cluster": "interpret:cluster",
    "optimize-inputs": "interpret:optimize_inputs_command",
    "attribute": "interpret:attribute",
    "compare": "motifs:compare",
    "motifs": "motifs:motifs_command",
    "scan": "scan:scan_command",
    "marginalize": "scan:marginalize_command",
    "variants": "variants:variants_command",
    "info": "info:info",
}

#: What ``motifnet --help`` lists beside each command: whole, where the first sentence of a command's own help
#: would be cut at the terminal's width.
SHORT_HELP = {
    "train": "Train a network on labelled FASTA or BED files.",
    "grid-search": "Train a hyperparameter grid in parallel; keep the best.",
    "predict": "Predict classes or targets of new sequences (TSV).",
    "fold": "RNA secondary structure (ViennaRNA) in train's formats.",
    "activations": "Each kernel's maximum activation and its position.",
    "visualize-kernels": "Kernel logos, sites, JASPAR matches, summary.html.",
    "cluster": "Cluster sequences and kernels by kernel activation.",
    "optimize-inputs": "The input that maximises each node of a layer.",
    "attribute": "Which positions and letters drive a prediction.",
    "compare": "Match motifs with known ones (TOMTOM, JASPAR).",
    "motifs": "TF-MoDISco motifs of the attributions (modisco-lite).",
    "scan": "Motif sites (FIMO) and their enrichment per class.",
    "marginalize": "Motifs inserted, paired or ablated: their effect.",
    "variants": "Effects of the SNVs of a VCF file, with p-values.",
    "info": "Data, parameters, layers and metrics of a run folder.",
}

# `motifnet` alone shows the help through this usage error (Click 8.2 and later; before, through an Exit).
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())
_STOPPED = "stopped by a signal before finishing; files not yet complete were not written"
#: ... when part of the result went to standard output (``-o -``): what is there is whole rows, but not all of them.
_STOPPED_STDOUT = ("stopped by a signal before finishing; the rows on standard output are whole but not all of "
                   "them (the output is incomplete), and files not yet complete were not written")


def _stopped() -> str:
    """The line a command stopped by a signal ends with."""
    return _STOPPED_STDOUT if standard_output_written() else _STOPPED


class OneLineUsageError(click.UsageError):
    """A usage error said in one line on standard error, with where to read the command's options.

    Click's own form takes four lines (usage, a hint, a blank line, the error), which a batch job's
    log or a pipeline's stderr would have to be read across; the exit status stays 2.
    """

    def show(self, file=None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        # Click lists a missing choice option's choices one a line: one line of them here.
        message = " ".join(self.format_message().split())
        click.echo(f"Error: {message}{hint}", file=file, err=True)


def refuse_empty_values(command: click.Command) -> click.Command:
    """Make every text option and argument of ``command`` refuse an empty or blank value (a usage error).

    No motifnet option takes an empty text: ``--genome "$GENOME"`` or ``-o "$OUT"`` with the variable
    unset would otherwise mean "no genome" or "the current folder" without a word. Each parameter's own
    callback runs after the check.
    """
    for param in command.params:
        if not (isinstance(param.type, (click.types.StringParamType, click.Path))
                and not getattr(param, "is_flag", False)):
            continue
        param.callback = _non_empty(param.callback)
    return command


def _non_empty(callback):
    def check(ctx, param, value):
        values = value if isinstance(value, (tuple, list)) else (value,)  # multiple=True or nargs: a tuple
        if any(item is not None and not str(item).strip() for item in values):
            optional = isinstance(param, click.Option) and not param.required
            hint = "; leave the option out for its default" if optional else ""
            raise click.BadParameter(f"is empty{hint}", ctx, param)
        return callback(ctx, param, value) if callback is not None else value

    return check


def _one_line(error: click.UsageError) -> OneLineUsageError:
    if isinstance(error, OneLineUsageError):
        return error
    hint = _param_hint(error)  # in place of Click's guess among the options (--learning-rate: '--length'?)
    # Click's own words for the option (they differ between versions), without its guesses
    one_line = OneLineUsageError(error.message.rstrip(".") + hint if hint else error.format_message(), error.ctx)
    one_line.exit_code = error.exit_code
    return one_line


def _param_hint(error: click.UsageError) -> str:
    """For an unknown option of a command that takes ``--param`` and named like a hyperparameter (``--epochs``,
    ``--epoch``, ``--kernel-len``): how to give that hyperparameter."""
    if not isinstance(error, click.NoSuchOption) or error.ctx is None:
        return ""
    if not any(param.name == "param_items" for param in error.ctx.command.params):
        return ""
    from ..model.params import SPECS

    typed = error.option_name.lstrip("-").split("=")[0].replace("-", "_").lower()
    # --dropout, --patience: the hyperparameters of that family; else the closest name (--epoch: epochs)
    close = [name for name in SPECS if name.startswith(typed + "_")] or \
        difflib.get_close_matches(typed, list(SPECS), n=1, cutoff=0.8)
    if not close:
        return ""
    return f"; hyperparameters are given as --param NAME=VALUE: {either(f'--param {name}=...' for name in close)}"


def _command_context(ctx: click.Context) -> click.Context:
    """A context of the subcommand that ``ctx`` (the group's) ran, for the ``--help`` it names."""
    name = ctx.invoked_subcommand
    command = ctx.command.get_command(ctx, name) if name else None
    return click.Context(command, parent=ctx, info_name=name) if command is not None else ctx


class LazyGroup(click.Group):
    """A group whose commands are imported from their modules on first use.

    Library errors (:class:`motifnet.errors.MotifnetError`), failed file operations and work
    stopped by a signal become one line on standard error and exit status 1; usage errors (Click's,
    and the library's :class:`motifnet.errors.OptionValueError`: an option's value out of range) keep
    Click's exit status 2.

    Parameters
    ----------
    lazy_commands : dict
        Command name -> ``"module:attribute"``, the module relative to :mod:`motifnet.cli`.
    """

    def __init__(self, *args, lazy_commands: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx) -> list:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def resolve_command(self, ctx, args):
        typed = args[0] if args else ""  # before Click parses (and may consume) the arguments
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            # Click names an unknown command without a hint; a misspelt one gets the closest name.
            close = [] if typed.startswith("-") else difflib.get_close_matches(typed.lower(), self.list_commands(ctx),
                                                                               n=1)
            if not close:
                raise
            raise click.UsageError(f"{error.message.rstrip('.')}; did you mean '{close[0]}'?", ctx) from None

    def get_command(self, ctx, cmd_name):
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            self.add_command(refuse_empty_values(self._load(cmd_name)), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
        module = importlib.import_module(f"{__package__}.{module_name}")
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):  # a wrong table entry is a bug, not a user error
            raise TypeError(f"{module.__name__}.{attribute} is not a click command")
        command.short_help = command.short_help or SHORT_HELP.get(cmd_name)
        return command

    def parse_args(self, ctx, args):
        # The group's own options (`motifnet --verison`); `motifnet` alone still shows the help.
        try:
            return super().parse_args(ctx, args)
        except _NO_ARGS_IS_HELP:
            raise
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx):
        standard_output_written(reset=True)  # of this command alone (tests run several in one process)
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None
        except OptionValueError as error:
            # The library's check of an option's value: a usage error, as Click's own range checks are.
            raise OneLineUsageError(str(error), _command_context(ctx)) from None
        except MotifnetError as error:
            raise click.ClickException(str(error)) from None
        except KeyboardInterrupt:
            # StopRequested: SIGTERM or SIGINT honoured at a safe point (see motifnet._signals); a plain
            # KeyboardInterrupt: Ctrl-C before the command installed its handlers (Click would say "Aborted!").
            raise click.ClickException(_stopped()) from None
        except SystemError as error:
            # Ctrl-C inside compiled code (numba's TOMTOM in memelite) comes back wrapped in a SystemError.
            if isinstance(error.__cause__ or error.__context__, KeyboardInterrupt):
                raise click.ClickException(_stopped()) from None
            raise
        except BrokenPipeError:
            _end_quietly_without_reader()
        except OSError as error:
            where = f"{error.filename}: " if error.filename else "standard output: " if _echoing(error) else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from None
        except MemoryError as error:  # numpy's "Unable to allocate 90.9 TiB for an array with shape ..." among them
            raise click.ClickException(_out_of_memory(str(error), _command_context(ctx).command)) from None
        except Exception as error:
            if not _resource_exhausted(error):
                raise
            raise click.ClickException(_exhausted(getattr(error, "message", "") or str(error),
                                                  _command_context(ctx).command)) from None


def _echoing(error: OSError) -> bool:
    """Whether ``error`` came from Click writing to standard output: a command's ``--help`` on a full disk, which
    Click prints while it parses, before the command's own wrapper of standard output is in place."""
    trace = error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code is click.utils.echo.__code__:
            return not trace.tb_frame.f_locals.get("err")
        trace = trace.tb_next
    return False


def _plug_closed_streams() -> None:
    """Standard output or error closed by the shell (``>&-``, ``2>&-``): /dev/null takes its descriptor.

    A file opened later would otherwise get descriptor 1 or 2 and receive what is written there (the
    progress lines, an error; the output of worker processes). Standard error then goes nowhere, as
    asked; standard output stays closed for the interpreter (``sys.stdout`` is None), so a result meant for
    it is refused in one line (:func:`motifnet._io.standard_output`) and a printed path is left out.
    """
    for descriptor in (1, 2):
        try:
            os.fstat(descriptor)
            continue
        except OSError:
            pass
        null = os.open(os.devnull, os.O_WRONLY)
        if null != descriptor:
            os.dup2(null, descriptor)
            os.close(null)
        if descriptor == 2:
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 (the process's stream, never closed)


def _end_quietly_without_reader() -> None:
    """The reader of standard output went away (``| head``): stop quietly, as ``cat`` would (status 141, SIGPIPE's),
    with standard output on /dev/null so that the interpreter's last flush raises nothing more."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(141)


def _resource_exhausted(error: Exception) -> bool:
    """TensorFlow's ResourceExhaustedError (an allocation the device or memory cannot hold), told without importing
    TensorFlow."""
    return any(cls.__name__ == "ResourceExhaustedError" for cls in type(error).__mro__)


def _exhausted(detail: str, command: click.Command) -> str:
    """The line for TensorFlow's ResourceExhaustedError: out of memory, or (a full disk, too many open files) not."""
    detail = " ".join(detail.split())
    if any(word in detail.lower() for word in ("oom", "alloc", "memory")):
        return _out_of_memory(detail, command)
    return f"resources exhausted: {detail[:300]}"


def _out_of_memory(detail: str, command: click.Command) -> str:
    """The line for running out of memory, with advice in the options ``command`` has."""
    # TensorFlow's message starts with its function node in braces and runs over lines; keep the first one's reason.
    detail = " ".join(detail.split())
    if "OOM when allocating" in detail:
        detail = detail[detail.index("OOM when allocating"):]
        detail = detail.split(" on /job:")[0].split(" [Op:")[0]
    detail = f" ({detail[:200]})" if detail else ""
    if command.name in ("train", "grid-search"):
        advice = ("use a smaller batch (--param batch_size), fewer or shorter sequences, or a smaller network "
                  "(--param kernel_num, neuron_num)" + (", or more --memory per batch job" if command.name ==
                                                       "grid-search" else ""))
    else:
        # The options that bound memory: the batch, and those whose help says so (scan's --chunk-records, cluster's
        # --max-sequences, motifs' --max-seqlets).
        bounding = [f"--{parameter.name.replace('_', '-')}" for parameter in command.params
                    if isinstance(parameter, click.Option) and parameter.name != "memory" and
                    (parameter.name == "batch_size" or "(memory)" in (parameter.help or ""))]
        advice = (f"use a smaller {' or '.join(bounding)}, or fewer or smaller inputs" if bounding else
                  "give fewer or smaller inputs")
    return f"out of memory{detail}; {advice}, or a machine with more memory"


def _keep_hyphenated_words_whole() -> None:
    """``--help`` text is wrapped between words only: wrapped at hyphens, ``--structure-alphabet`` came out as
    ``--structure-`` and ``alphabet`` on two lines (copied so, an unknown option), "Multi-" and "label".
    click has no setting for it; its wrapper is the standard library's, which splits words with this pattern."""
    try:
        from click._textwrap import TextWrapper
    except ImportError:  # another click: its help as it wraps it
        return
    TextWrapper.wordsep_re = TextWrapper.wordsep_simple_re  # what break_on_hyphens=False would choose


_keep_hyphenated_words_whole()


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="motifnet")
def main():
    """Motif discovery with convolutional neural networks.

    Train a network on FASTA files (one per class, or one multi-label file), predict
    new sequences, and see which sequence motifs the network learned. Progress goes to
    standard error, results to files or standard output.
    """


def run() -> None:
    """The process's entry point (the ``motifnet`` script, ``python -m motifnet``): :func:`main`, then exit.

    A command ends with SystemExit carrying its status, its outputs complete or its error said. The
    interpreter then takes seconds to exit (TensorFlow's teardown), and a SIGINT or SIGTERM in them
    would turn that status into 130 or 143 without a word, so both are ignored from then on. Only
    for a process that ends here: ``main()`` called from Python (a notebook, a test) keeps its Ctrl-C.
    """
    _plug_closed_streams()
    try:
        main()
    except SystemExit:
        ignore_signals_while_exiting()
        raise
    except BrokenPipeError:  # `motifnet --help | head`
        _end_quietly_without_reader()
    except OSError as error:
        # Only the group's own output gets here (--help, --version; a command's errors are said by LazyGroup): a
        # full disk behind `> file` was a traceback.
        click.echo(f"Error: standard output: {error.strerror or error}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
