"""Exceptions raised by motifnet for problems a user can fix.

The library raises these; only the command-line interface turns them into a
one-line message on standard error and a non-zero exit status.
"""


class MotifnetError(Exception):
    """Base class of every error that a user can fix by changing the input or options."""


class InputError(MotifnetError):
    """A sequence, structure, feature or track file cannot be used as given."""


class ParamError(MotifnetError):
    """A hyperparameter or option is unknown, of the wrong type or out of range."""


class WindowTooShortError(ParamError):
    """The network's convolutions and pooling shrink the windows to nothing."""


class RunDirError(MotifnetError):
    """A run folder is missing, incomplete, corrupt or incompatible with the request."""


class TrainingDiverged(MotifnetError):
    """Training produced a non-finite loss (too high a learning rate, no weight constraint)."""


class OptionValueError(ParamError):
    """An option's value outside what it accepts (a range, a form, a choice): a usage error, which the
    command line reports as Click reports its own (exit status 2, naming the command's ``--help``)."""
