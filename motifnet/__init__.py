"""motifnet: motif discovery with convolutional neural networks on biological sequences.

The command line (``motifnet --help``) is the main interface; this package exposes the
same steps to Python users.
"""

from ._version import __version__
from .data.alphabets import DNA, PROTEIN, RNA, Alphabet, get_alphabet  # noqa: E402
from .data.background import genomic_background, shuffled_background  # noqa: E402
from .data.dataset import Dataset, load_dataset  # noqa: E402
from .data.encoding import Encoder  # noqa: E402
from .data.fasta import FastaRecord, read_fasta  # noqa: E402
from .data.folding import FoldOptions, fold_file, fold_sequence, structure_contexts  # noqa: E402
from .data.genome import Genome, Window, read_bed  # noqa: E402
from .data.options import DataOptions  # noqa: E402
from .data.split import make_split  # noqa: E402
from .data.targets import TargetScale, read_target_table  # noqa: E402
from .data.vcf import read_snvs  # noqa: E402
from .errors import InputError, MotifnetError, ParamError, RunDirError  # noqa: E402
from .interpret.activations import KernelActivations, max_activations  # noqa: E402
from .interpret.attribution import (  # noqa: E402
    AttributionConfig,
    Attributions,
    attribute,
    dinucleotide_shuffle,
    strongest_windows,
)
from .interpret.clustering import cluster_activations
from .interpret.hypothetical import hypothetical_contributions  # noqa: E402
from .interpret.influence import group_influence  # noqa: E402
from .interpret.kernels import KernelMotif, kernel_motifs  # noqa: E402
from .interpret.marginalize import MarginalizeConfig, ablation_effects, insertion_effects, pair_effects  # noqa: E402
from .interpret.optimize import optimize_inputs  # noqa: E402
from .interpret.variants import VariantConfig, score_variants  # noqa: E402
from .model.params import PARAMS, PRESETS, resolve  # noqa: E402
from .motifs.distinct import MotifGroup, cluster_motifs, distinct_motifs  # noqa: E402
from .motifs.export import trim_bounds, trim_motif, write_motifs  # noqa: E402
from .motifs.jaspar import MotifDatabase, load_jaspar  # noqa: E402
from .motifs.matching import MotifOptions, match_motifs  # noqa: E402
from .motifs.meme import MemeMotif, read_meme, write_meme  # noqa: E402
from .motifs.modisco import ModiscoConfig  # noqa: E402
from .motifs.tomtom import compare_motifs  # noqa: E402
from .plot.clustermap import plot_clustermap  # noqa: E402
from .run.evaluation import regression_metrics  # noqa: E402
from .run.rundir import Run, open_run  # noqa: E402
from .run.selection import select_data  # noqa: E402
from .search.grid import ClusterOptions, SearchConfig, SearchResult, load_grid, run_search  # noqa: E402
from .workflows.attribution import attribute_run  # noqa: E402
from .workflows.marginalize import marginalize_to_folder  # noqa: E402
from .workflows.patterns import motifs_run  # noqa: E402
from .workflows.variants import variants_to_folder  # noqa: E402
from .workflows.visualize import visualize_kernels  # noqa: E402

__all__ = [
    "__version__", "Alphabet", "DNA", "RNA", "PROTEIN", "get_alphabet", "Dataset", "DataOptions", "load_dataset",
    "make_split", "Encoder", "MotifnetError", "InputError", "ParamError", "RunDirError", "FastaRecord",
    "read_fasta", "PARAMS", "PRESETS", "resolve", "Run", "open_run", "select_data", "KernelActivations",
    "max_activations", "KernelMotif", "kernel_motifs", "MemeMotif", "read_meme", "write_meme",
    "cluster_activations", "plot_clustermap", "optimize_inputs", "visualize_kernels",
    "FoldOptions", "fold_file", "fold_sequence", "structure_contexts",
    "trim_bounds", "trim_motif", "write_motifs", "MotifDatabase", "MotifOptions", "compare_motifs", "load_jaspar",
    "match_motifs", "MotifGroup", "cluster_motifs", "distinct_motifs",
    "AttributionConfig", "Attributions", "attribute", "attribute_run", "dinucleotide_shuffle", "strongest_windows",
    "ClusterOptions", "SearchConfig", "SearchResult", "load_grid", "run_search",
    "regression_metrics", "TargetScale", "read_target_table",  # epistasis: import motifnet.model.epistasis (Keras)
    "Genome", "Window", "read_bed", "shuffled_background", "genomic_background", "read_snvs", "VariantConfig",
    "score_variants", "variants_to_folder", "hypothetical_contributions", "ModiscoConfig", "motifs_run",
    "MarginalizeConfig", "insertion_effects", "pair_effects", "ablation_effects", "marginalize_to_folder",
    "group_influence",
]
