"""First-layer kernel activations: the maximum per sequence and kernel, its position, and profiles.

All kernels are computed in one forward pass per batch (a sub-model ending at ``conv_1``);
nothing is computed once per kernel.

A network that reads both strands (``strand`` both) runs ``conv_1`` on the sequence and on its
reverse complement with the same kernels; the activations here are by default those on the
sequence as given (the forward strand), so positions and windows are the sequence's own. An
occurrence that the kernel matches only on the other strand (its reverse complement in the
sequence) does not raise these activations. ``max_activations(..., both_strands=True)`` takes
the maximum over both strands instead (positions still on the forward strand, with the strand
read in :attr:`KernelActivations.strand`): where a kernel fires matters more than its motif's
orientation, as when :mod:`motifnet.motifs.distinct` compares where kernels fire.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .._io import atomic_path, text_output, write_npz
from .._progress import Progress
from .._signals import check_stop
from .._validate import check_suffix
from ..data.dataset import Dataset
from ..data.windows import window_table
from ..errors import ParamError, RunDirError
from ..run.rundir import Run

log = logging.getLogger("motifnet")

MOTIF_LAYER = "conv_1"

#: File name endings of :meth:`KernelActivations.save`: NumPy arrays or a tab-separated table.
SAVE_SUFFIXES = (".npz", ".tsv", ".tsv.gz")
#: Rows of the table formatted and written at a time (:meth:`KernelActivations.write_tsv`).
TSV_CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class KernelPlaces:
    """The genome places of the kernels' maxima in records that are genome windows.

    Attributes
    ----------
    chrom, strand : numpy.ndarray of str, shape=(n,)
        Each record's window; ``''`` for records that are not windows (a shuffled background record).
        ``strand`` is the strand the kernels read, the window's.
    start : numpy.ndarray of int64, shape=(n, kernels)
        The 0-based genome start of each maximum's window of ``kernel_len`` bases (-1 where not placed;
        a window near a chromosome's start may start below 0, so ``placed`` tells).
    placed : numpy.ndarray of bool, shape=(n, kernels)
        The maximum has a place: its record is a window and its kernel window holds some of the record's
        letters (not wholly the zeros the model padded a short record with).
    read_start, read_end : numpy.ndarray of int64, shape=(n, kernels)
        The part of the kernel's window that holds the record's letters (narrower than ``start`` +
        ``kernel_len`` where the window reaches into the padding); -1 where not placed.
    """

    chrom: np.ndarray
    strand: np.ndarray
    start: np.ndarray
    placed: np.ndarray
    read_start: np.ndarray
    read_end: np.ndarray


@dataclass
class KernelActivations:
    """Maximum activation of every first-layer kernel in every sequence.

    Attributes
    ----------
    max_activation : numpy.ndarray, shape=(n, kernels)
        Largest output of the kernel (after its activation, ReLU or exponential) over all positions.
    position : numpy.ndarray of int, shape=(n, kernels)
        0-based start, in the input sequence, of the window where the maximum occurs.
    labels : numpy.ndarray, shape=(n, classes)
    ids : numpy.ndarray of str, shape=(n,)
    class_names : list of str
    kernel_len : int
        Width of the kernels (the window length).
    targets : numpy.ndarray or None, shape=(n, targets)
        Regression models: the measured values (``labels`` then has no columns).
    target_names : list of str
    strand : numpy.ndarray of int or None, shape=(n, kernels)
        The strand of each maximum, 1 (forward) or -1 (reverse complement; ``position`` is then
        the window's forward-strand start), when both strands were read; None: forward only.
    input_length : int or None
        The model's input length, which records named as genome windows were cropped or padded to
        (see :func:`motifnet.data.windows.window_table`); None: the records were read as they are.
    lengths : numpy.ndarray of int or None, shape=(n,)
        The records' own lengths, when known.
    """

    max_activation: np.ndarray
    position: np.ndarray
    labels: np.ndarray
    ids: np.ndarray
    class_names: list
    kernel_len: int
    targets: np.ndarray | None = None
    target_names: list = field(default_factory=list)
    strand: np.ndarray | None = None
    input_length: int | None = None
    lengths: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_kernels(self) -> int:
        return self.max_activation.shape[1]

    @property
    def groups(self) -> np.ndarray:
        """Membership of the groups that plots compare: the classes, or one group 'all' (regression)."""
        return group_matrix(self.labels, self.targets)

    @property
    def group_names(self) -> list:
        return ["all"] if self.targets is not None else list(self.class_names)

    def class_means(self) -> np.ndarray:
        """Mean maximum activation per class and kernel, shape=(classes, kernels); NaN for empty classes."""
        counts = self.labels.sum(axis=0).astype(np.float64)
        sums = self.labels.T.astype(np.float64) @ self.max_activation.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums / counts[:, None]

    def save(self, path) -> None:
        """Write ``.npz`` arrays, or a tab-separated table for ``.tsv`` (gzip-compressed: ``.tsv.gz``).

        Raises
        ------
        ParamError
            ``path`` ends in none of them (see :data:`SAVE_SUFFIXES`).
        """
        if check_suffix(path, SAVE_SUFFIXES) != ".npz":
            with atomic_path(path) as tmp, text_output(tmp, path) as handle:
                self.write_tsv(handle)
            return
        if self.targets is not None:
            outcome = {"targets": self.targets, "target_names": np.array(self.target_names, dtype=str)}
        else:
            outcome = {"labels": self.labels, "class_names": np.array(self.class_names, dtype=str)}
        genomic = self.genome_sites()
        if genomic is not None:
            outcome.update(chrom=genomic.chrom, strand=genomic.strand, genome_start=genomic.start,
                           genome_placed=genomic.placed)
        write_npz(path, {"max_activation": self.max_activation, "position": self.position,
                         "ids": self.ids.astype(str), "kernel_len": np.array(self.kernel_len), **outcome})

    def genome_sites(self) -> KernelPlaces | None:
        """Where the maxima lie in the genome, when the records are genome windows (BED input).

        Returns
        -------
        KernelPlaces or None
            None when no record is a window.
        """
        windows = window_table(self.ids, self.input_length, self.lengths)
        if windows is None:
            return None
        start, _ = windows.intervals(self.position, self.kernel_len)
        read_start, read_end, placed = windows.read(self.position, self.kernel_len)
        return KernelPlaces(windows.chrom, windows.strand, np.where(placed, start, -1), placed,
                            np.where(placed, read_start, -1), np.where(placed, read_end, -1))

    def to_tsv(self) -> str:
        """The table of :meth:`write_tsv` as one text."""
        import io

        text = io.StringIO()
        self.write_tsv(text)
        return text.getvalue()

    def write_tsv(self, handle, chunk: int | None = None) -> None:
        """Write the tab-separated table to the text ``handle``, a chunk of rows at a time: memory stays that of a
        chunk's text, and a stop request is heeded between chunks (:func:`motifnet._signals.check_stop`).

        Parameters
        ----------
        handle : text file
            Where the table goes (a file, standard output, :class:`io.StringIO`).
        chunk : int or None
            Rows per write. Default is None: :data:`TSV_CHUNK_ROWS`.

        Raises
        ------
        StopRequested
            A signal asked to stop; the rows of the chunks before are written.
        """
        genomic = self.genome_sites()
        columns = ["id"] + list(self.target_names) if self.targets is not None else ["id", "classes"]
        if genomic is not None:
            columns += ["chrom", "strand"]
        for kernel in range(self.n_kernels):
            columns += [f"kernel_{kernel}_max", f"kernel_{kernel}_position"]
            if genomic is not None:
                columns.append(f"kernel_{kernel}_genome_start")
        handle.write("\t".join(columns) + "\n")
        chunk = chunk or TSV_CHUNK_ROWS
        progress = Progress("writing the table", total=len(self.ids))
        lines = []
        for row in range(len(self.ids)):
            if len(lines) == chunk:
                check_stop()
                handle.write("\n".join(lines) + "\n")
                progress.advance(len(lines))
                lines = []
            if self.targets is not None:
                # the shortest text that reads back as the stored float32 value (1000012.31 and 1000013.13 stay
                # apart, 0.3 is not written 0.300000012), in Python's notation (no exponent below 1e16)
                outcome = [repr(float(str(value))) for value in self.targets[row].astype(np.float32)]
            else:
                outcome = [",".join(name for name, flag in zip(self.class_names, self.labels[row]) if flag)]
            if genomic is not None:
                outcome += [str(genomic.chrom[row]), str(genomic.strand[row])]
            values = []
            for kernel in range(self.n_kernels):
                values += [f"{self.max_activation[row, kernel]:.6g}", str(self.position[row, kernel])]
                if genomic is not None:
                    values.append(str(genomic.start[row, kernel]) if genomic.placed[row, kernel] else "")
            lines.append("\t".join([str(self.ids[row])] + outcome + values))
        if lines:
            handle.write("\n".join(lines) + "\n")


def group_matrix(labels: np.ndarray, targets: np.ndarray | None) -> np.ndarray:
    """Class membership, shape=(n, classes); for regression data (``targets`` given) one group of all."""
    return np.ones((len(labels), 1), dtype=np.uint8) if targets is not None else labels


def _model_and_place(model) -> tuple:
    """A Keras model, and the run folder it came from ('' for a bare model), from a model or a :class:`Run`."""
    if isinstance(model, Run):
        return model.model, f"{model.path}: "
    return model, ""


def motif_layer(model):
    """The first convolutional layer (``conv_1``) of a Keras model or of a run's model.

    Raises
    ------
    RunDirError
        The model has no convolutional layer.
    """
    model, place = _model_and_place(model)
    if MOTIF_LAYER not in [layer.name for layer in model.layers]:
        raise RunDirError(f"{place}the model has no convolutional layer (conv_num=0), so it has no kernels to show")
    return model.get_layer(MOTIF_LAYER)


def check_both_strands(dataset: Dataset) -> None:
    """Refuse reading both strands of input without a reverse complement (protein, structure, tracks).

    Raises
    ------
    ParamError
    """
    if dataset.complement_channels is None:
        raise ParamError(f"both_strands needs input with a reverse complement, received: {dataset.describe_input()}")


def conv_batches(model, dataset: Dataset, batch_size: int = 256, both_strands: bool = False):
    """Yield ``(slice, activations)`` with activations of ``conv_1``, shape=(batch, positions, kernels).

    ``model``: a Keras model or a :class:`Run`. With ``both_strands``, yield
    ``(slice, activations, reverse)``, ``reverse`` being those on the reverse complement of the
    input (position ``p`` there is the window at forward start ``length - p - kernel_len``).
    """
    import keras

    layer = motif_layer(model)
    model, _ = _model_and_place(model)
    sub_model = keras.Model(model.get_layer("sequence").output, layer.output)
    complement = list(dataset.complement_channels) if both_strands else None
    progress = Progress("first-layer activations", total=len(dataset), unit="sequences")
    for start in range(0, len(dataset), batch_size):
        check_stop()  # a signal stops between batches
        rows = slice(start, min(start + batch_size, len(dataset)))
        sequence = dataset.model_inputs(rows)["sequence"]
        forward = np.asarray(sub_model(sequence, training=False))
        if both_strands:
            yield rows, forward, np.asarray(sub_model(sequence[:, ::-1][:, :, complement], training=False))
        else:
            yield rows, forward
        progress.advance(rows.stop - rows.start)


def max_activations(model, dataset: Dataset, batch_size: int = 256, both_strands: bool = False) -> KernelActivations:
    """Maximum activation and its position for every sequence and first-layer kernel.

    Parameters
    ----------
    model : keras.Model or Run
        A motifnet model, or a run folder opened with :func:`motifnet.open_run`.
    dataset : Dataset
        The records to look at (see :func:`motifnet.run.selection.select_data`).
    batch_size : int
        Records per forward pass. Default is 256.
    both_strands : bool
        Take the maximum over the sequence and its reverse complement (see the module
        description); sets :attr:`KernelActivations.strand`. Default is False (forward only).

    Returns
    -------
    KernelActivations

    Raises
    ------
    RunDirError
        The model has no convolutional layer.
    ParamError
        ``both_strands`` for input without a reverse complement (protein, structure, tracks).
    """
    forward, both = _max_activations(model, dataset, batch_size, both_strands)
    return both if both_strands else forward


def forward_and_both_strand_activations(model, dataset: Dataset, batch_size: int = 256) -> tuple:
    """:func:`max_activations` forward only and on both strands, from one pass over the data.

    Returns
    -------
    (KernelActivations, KernelActivations)
        As ``max_activations(..., both_strands=False)`` and ``(..., both_strands=True)``.

    Raises
    ------
    RunDirError, ParamError
        As :func:`max_activations` with ``both_strands``.
    """
    return _max_activations(model, dataset, batch_size, True)


def _max_activations(model, dataset: Dataset, batch_size: int, both_strands: bool) -> tuple:
    """(forward, both strands or None): the two readings share the forward pass."""
    layer = motif_layer(model)
    if both_strands:
        check_both_strands(dataset)
    n, kernels, width = len(dataset), layer.filters, int(layer.kernel_size[0])
    best = np.zeros((n, kernels), dtype=np.float32)
    where = np.zeros((n, kernels), dtype=np.int32)
    if both_strands:
        best_both, where_both = np.zeros_like(best), np.zeros_like(where)
        strand = np.ones((n, kernels), dtype=np.int8)
    for rows, *passes in conv_batches(model, dataset, batch_size, both_strands):
        best[rows] = passes[0].max(axis=1)
        where[rows] = passes[0].argmax(axis=1)
        if both_strands:
            reverse = passes[1]
            better = reverse.max(axis=1) > best[rows]  # ties keep the forward strand
            best_both[rows] = np.where(better, reverse.max(axis=1), best[rows])
            start = dataset.codes.shape[1] - reverse.argmax(axis=1) - width
            where_both[rows] = np.where(better, start, where[rows])
            strand[rows] = np.where(better, -1, 1)

    def reading(maximum, position, strands=None):
        return KernelActivations(maximum, position, dataset.labels, dataset.ids, list(dataset.class_names), width,
                                 dataset.targets, list(dataset.target_names), strands, dataset.encoder.length,
                                 dataset.lengths)

    return reading(best, where), (reading(best_both, where_both, strand) if both_strands else None)


def activation_profiles(model, dataset: Dataset, selected: np.ndarray, kernels=None, batch_size: int = 256):
    """Mean and standard deviation of each kernel's activation along the sequence, per class.

    ``model``: a Keras model or a :class:`Run`. Regression data counts as one class (all sequences).

    Only sequences where ``selected[sequence, i]`` is True count for kernel ``kernels[i]``
    (pysster: those whose maximum activation exceeds the kernel's threshold).

    Returns
    -------
    (mean, std, count)
        ``mean`` and ``std`` of shape=(classes, kernels, positions); ``count`` of shape=(classes, kernels).
    """
    membership = group_matrix(dataset.labels, dataset.targets)
    classes = membership.shape[1]
    total = total_sq = None
    count = np.zeros((classes, selected.shape[1]), dtype=np.float64)
    for rows, activations in conv_batches(model, dataset, batch_size):
        weights = membership[rows].astype(np.float64)[:, :, None] * selected[rows][:, None, :]  # (b, C, K)
        if kernels is not None:
            activations = activations[:, :, kernels]
        values = activations.astype(np.float64)  # (b, P, K)
        batch_sum = np.einsum("bck,bpk->ckp", weights, values)
        batch_sq = np.einsum("bck,bpk->ckp", weights, values ** 2)
        total = batch_sum if total is None else total + batch_sum
        total_sq = batch_sq if total_sq is None else total_sq + batch_sq
        count += weights.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count[:, :, None]
        variance = np.maximum(total_sq / count[:, :, None] - mean ** 2, 0)
    return mean, np.sqrt(variance), count
