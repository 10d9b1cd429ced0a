"""motifnet: motif discovery with convolutional neural networks on biological sequences.

The command line (``motifnet --help``) is the main interface; this package exposes the
same steps to Python users.
"""

__version__ = "0.1.0"

from .activations import KernelActivations, max_activations  # noqa: E402
from .alphabets import DNA, PROTEIN, RNA, Alphabet, get_alphabet  # noqa: E402
from .attribution import (  # noqa: E402
    AttributionConfig,
    Attributions,
    attribute,
    dinucleotide_shuffle,
    strongest_windows,
)
from .attribution_output import attribute_run  # noqa: E402
from .clustering import cluster_activations, plot_clustermap  # noqa: E402
from .data import Dataset, load_dataset, make_split  # noqa: E402
from .distinct import MotifGroup, cluster_motifs, distinct_motifs  # noqa: E402
from .encoding import Encoder  # noqa: E402
from .errors import InputError, MotifnetError, ParamError, RunDirError  # noqa: E402
from .evaluation import regression_metrics  # noqa: E402
from .export import trim_bounds, trim_motif, write_motifs  # noqa: E402
from .fasta import FastaRecord, read_fasta  # noqa: E402
from .folding import FoldOptions, fold_file, fold_sequence, structure_contexts  # noqa: E402
from .kernels import KernelMotif, kernel_motifs  # noqa: E402
from .matching import MotifDatabase, MotifOptions, compare_motifs, load_jaspar, match_motifs  # noqa: E402
from .meme import MemeMotif, read_meme, write_meme  # noqa: E402
from .optimize import optimize_inputs  # noqa: E402
from .params import PARAMS, resolve  # noqa: E402
from .rundir import Run, open_run  # noqa: E402
from .search import ClusterOptions, SearchConfig, SearchResult, load_grid, run_search  # noqa: E402
from .selection import select_data  # noqa: E402
from .targets import TargetScale, read_target_table  # noqa: E402
from .visualize import visualize_kernels  # noqa: E402

__all__ = [
    "__version__", "Alphabet", "DNA", "RNA", "PROTEIN", "get_alphabet", "Dataset", "load_dataset",
    "make_split", "Encoder", "MotifnetError", "InputError", "ParamError", "RunDirError", "FastaRecord",
    "read_fasta", "PARAMS", "resolve", "Run", "open_run", "select_data", "KernelActivations",
    "max_activations", "KernelMotif", "kernel_motifs", "MemeMotif", "read_meme", "write_meme",
    "cluster_activations", "plot_clustermap", "optimize_inputs", "visualize_kernels",
    "FoldOptions", "fold_file", "fold_sequence", "structure_contexts",
    "trim_bounds", "trim_motif", "write_motifs", "MotifDatabase", "MotifOptions", "compare_motifs", "load_jaspar",
    "match_motifs", "MotifGroup", "cluster_motifs", "distinct_motifs",
    "AttributionConfig", "Attributions", "attribute", "attribute_run", "dinucleotide_shuffle", "strongest_windows",
    "ClusterOptions", "SearchConfig", "SearchResult", "load_grid", "run_search",
    "regression_metrics", "TargetScale", "read_target_table",  # epistasis: import motifnet.epistasis (Keras)
]
