"""How labelled FASTA files are read: one object from the command line to the loader and to search workers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

#: The ``background`` values that generate records; any other value names a FASTA or BED file.
GENERATED_BACKGROUNDS = ("shuffle", "genomic")

#: The longest window: beyond what sequence CNNs read (Enformer 196,608 bases, Borzoi 524,288); a longer --length
#: (a typing slip) would fail in NumPy's allocation with a traceback. Here, not in the encoder's module, so that
#: the command line's options read it without importing NumPy.
MAX_LENGTH = 1_000_000
#: The largest batch (a command's --batch-size, train's batch_size): a forward pass of more records does not fit
#: in any machine's memory.
MAX_BATCH_SIZE = 1_000_000
#: The most generated background records per input record (``--background-ratio``): more is a typing error.
MAX_BACKGROUND_RATIO = 1000.0


@dataclass(frozen=True)
class DataOptions:
    """The data options of ``motifnet train`` and ``motifnet grid-search`` (and of :func:`load_dataset`).

    Frozen and made of tuples, so that it can be hashed (a worker's cache key), compared, and
    sent to another process.

    Attributes
    ----------
    fasta : tuple of str
        One file per class (single-label), or one file (multi-label); regression: one or more
        files. ``-`` is standard input.
    multi_label : bool
        Labels from the headers' trailing class indices. Default is False.
    class_names : tuple of str or None
        Names of the classes. Default: file names (single-label) or ``class_0``... (multi-label).
    alphabet : str or None
        ``dna``, ``rna``, ``protein`` or the letters of a custom alphabet. Default: detected.
    structure : str or None
        Structure letters (``().``, ``FHIMST``) of sequence+structure records. Default is None.
    structure_pwm : bool
        The structure is one row of probabilities per structure letter. Default is False.
    length : int or None
        Centre-crop/pad every sequence to this length. Default (None) requires equal lengths.
    feature_files : tuple of str
        Per-sequence feature files, one per FASTA file. Default is none.
    categorical_features : bool
        Treat every feature column as categorical. Default is False.
    tracks : tuple of (str, tuple of str)
        Position-wise tracks: each track's name and its files, one per FASTA file. Default is none.
    task : {'classification', 'regression'}
        Default is 'classification'.
    targets_file : str or None
        Regression: target values from a TSV file instead of the headers.
    target_names : tuple of str or None
        Regression: names of the targets.
    genome : str or None
        Genome FASTA (plain or bgzip, indexed) of BED inputs (``.bed``, ``.narrowPeak``): each BED
        line is a window of ``length`` (default 200) bases. Default is None.
    background : str or None
        Add a class ``background``: ``shuffle`` (shuffled positives), ``genomic`` (GC-matched genome
        windows) or a FASTA/BED file. Default is None.
    shuffle_k : int
        ``background='shuffle'``: the k-mer counts kept. Default is 2.
    background_ratio : float
        Generated background records per positive. Default is 1.
    background_seed : int
        Seed of the generated background. Default is 0.
    """

    fasta: tuple
    multi_label: bool = False
    class_names: tuple | None = None
    alphabet: str | None = None
    structure: str | None = None
    structure_pwm: bool = False
    length: int | None = None
    feature_files: tuple = ()
    categorical_features: bool = False
    tracks: tuple = ()
    task: str = "classification"
    targets_file: str | None = None
    target_names: tuple | None = None
    genome: str | None = None
    background: str | None = None
    shuffle_k: int = 2
    background_ratio: float = 1.0
    background_seed: int = 0

    def __post_init__(self):
        # Lists from Python callers become tuples (and FASTA paths strings): the object stays hashable.
        object.__setattr__(self, "fasta", tuple(str(path) for path in self.fasta))
        object.__setattr__(self, "feature_files", tuple(self.feature_files or ()))
        object.__setattr__(self, "tracks", tuple(_freeze_track(track) for track in self.tracks or ()))
        for name in ("class_names", "target_names"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def replace(self, **changes) -> DataOptions:
        """A copy with ``changes`` (e.g. the folded files of ``train --fold``)."""
        return dataclasses.replace(self, **changes)

    def input_files(self, reference: str | None = None) -> list:
        """Every file these options read (FASTA, features, tracks, targets, ``reference``, background), in
        that order, as ``motifnet.json`` lists them; absent ones left out."""
        tracks = [path for track in self.tracks if well_formed_track(track) for path in track[1]]
        return [path for path in (*self.fasta, *self.feature_files, *tracks, self.targets_file, reference,
                                  self.background_file) if path is not None]

    @property
    def background_file(self) -> str | None:
        """The FASTA or BED file ``background`` names; None without a background or with a generated one."""
        return self.background if self.background not in (None, *GENERATED_BACKGROUNDS) else None


def well_formed_track(track) -> bool:
    """Whether ``track`` is a (name, (files...)) pair; anything else is refused, with a message, when loaded."""
    return isinstance(track, tuple) and len(track) == 2 and isinstance(track[1], tuple)


def _freeze_track(track):
    """A (name, [files]) pair as (name, (files...)), so that the options stay hashable.

    Anything else is kept as it is and refused, with a message, when the data is loaded.
    """
    if isinstance(track, (list, tuple)) and len(track) == 2 and isinstance(track[1], (list, tuple)):
        return (track[0], tuple(track[1]))
    return track
