"""motifnet: motif discovery with convolutional neural networks on biological sequences.

The command line (``motifnet --help``) is the main interface; this package exposes the
same steps to Python users. The names below are imported when first used (PEP 562), so that
``import motifnet`` and the command line's start-up stay fast, and Ctrl-C at start-up meets the
command line's own handling rather than an import in progress.
"""

import importlib

from ._version import __version__

# Submodule (relative to this package) -> the public names it provides.
_EXPORTS = {
    ".data.alphabets": ("DNA", "PROTEIN", "RNA", "Alphabet", "get_alphabet"),
    ".data.background": ("genomic_background", "shuffled_background"),
    ".data.dataset": ("Dataset", "load_dataset"),
    ".data.encoding": ("Encoder",),
    ".data.fasta": ("FastaRecord", "read_fasta"),
    ".data.folding": ("FoldOptions", "fold_file", "fold_sequence", "structure_contexts"),
    ".data.genome": ("Genome", "Window", "read_bed"),
    ".data.options": ("DataOptions",),
    ".data.split": ("make_split",),
    ".data.targets": ("TargetScale", "read_target_table"),
    ".data.vcf": ("read_snvs",),
    ".errors": ("InputError", "MotifnetError", "ParamError", "RunDirError"),
    ".interpret.activations": ("KernelActivations", "max_activations"),
    ".interpret.attribution": (
        "AttributionConfig", "Attributions", "attribute", "dinucleotide_shuffle", "strongest_windows",
    ),
    ".interpret.clustering": ("cluster_activations", "cluster_sequences"),
    ".interpret.hypothetical": ("hypothetical_contributions",),
    ".interpret.influence": ("group_influence",),
    ".interpret.kernels": ("KernelMotif", "kernel_motifs"),
    ".interpret.marginalize": ("MarginalizeConfig", "ablation_effects", "insertion_effects", "pair_effects"),
    ".interpret.optimize": ("optimize_inputs",),
    ".interpret.variants": ("VariantConfig", "score_variants"),
    ".model.params": ("PARAMS", "PRESETS", "resolve"),
    ".motifs.distinct": ("MotifGroup", "cluster_motifs", "distinct_motifs"),
    ".motifs.export": ("trim_bounds", "trim_motif", "write_motifs"),
    ".motifs.jaspar": ("MotifDatabase", "load_jaspar"),
    ".motifs.matching": ("MotifOptions", "match_motifs"),
    ".motifs.meme": ("MemeMotif", "read_meme", "write_meme"),
    ".motifs.modisco": ("ModiscoConfig",),
    ".motifs.tomtom": ("compare_motifs",),
    ".plot.clustermap": ("plot_clustermap",),
    ".run.evaluation": ("regression_metrics",),
    ".run.rundir": ("Run", "open_run"),
    ".run.selection": ("select_data",),
    ".search._space": ("load_grid",),
    ".search.grid": ("ClusterOptions", "SearchConfig", "SearchResult", "run_search"),
    ".workflows.attribution": ("attribute_run",),
    ".workflows.marginalize": ("marginalize_to_folder",),
    ".workflows.patterns": ("motifs_run",),
    ".workflows.variants": ("variants_to_folder",),
    ".workflows.visualize": ("visualize_kernels",),
}
_SOURCE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = ["__version__", *_SOURCE]  # epistasis: import motifnet.model.epistasis (Keras)


def __getattr__(name: str):
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
