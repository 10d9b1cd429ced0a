"""motifnet: motif discovery with convolutional neural networks on biological sequences."""

__version__ = "0.1.0"

from .alphabets import DNA, PROTEIN, RNA, Alphabet, get_alphabet  # noqa: E402
from .data import Dataset, load_dataset, make_split  # noqa: E402
from .encoding import Encoder  # noqa: E402
from .errors import InputError, MotifnetError, ParamError, RunDirError  # noqa: E402
from .fasta import FastaRecord, read_fasta  # noqa: E402
from .params import PARAMS, resolve  # noqa: E402
from .rundir import Run, open_run  # noqa: E402

__all__ = [
    "__version__", "Alphabet", "DNA", "RNA", "PROTEIN", "get_alphabet", "Dataset", "load_dataset",
    "make_split", "Encoder", "MotifnetError", "InputError", "ParamError", "RunDirError", "FastaRecord",
    "read_fasta", "PARAMS", "resolve", "Run", "open_run",
]
