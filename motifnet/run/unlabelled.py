"""New sequences without labels, read as ``motifnet predict`` reads them, for commands that explain predictions."""

from __future__ import annotations

import numpy as np

from ..data.dataset import Dataset, check_distinct_files, warn_duplicate_ids
from ..data.fasta import display_name
from ..data.genome import check_genome_options
from ..errors import InputError, ParamError
from .predict import PredictConfig, encoded_chunks
from .rundir import Run


def read_unlabelled(run: Run, fasta, genome=None, labels=None) -> Dataset:
    """Plain FASTA records encoded with the run's encoder, as a :class:`Dataset` without labels.

    The records go through the reader and encoder of :mod:`motifnet.run.predict` (one reading
    path for new sequences), so they are accepted or refused exactly as ``predict`` would. There
    are no labels: ``labels`` has shape=(n, 0), as for regression data, and ``targets`` is None;
    the class (or target) names are the model's.

    Parameters
    ----------
    run : Run
        The opened run folder.
    fasta : list of str
        Plain FASTA files (``-`` for standard input), any number, read in order; BED files
        (``.bed``, ``.narrowPeak``) with ``genome``.
    genome : str or None
        Genome FASTA of the BED files: each BED line is the window of the model's length around
        its summit or centre, named ``chrom:start-end(strand)``. Default is None.
    labels : list of str or None
        How progress names each file (folding, in runs trained with ``--fold``). Default is None: their paths.

    Returns
    -------
    Dataset
        ``sources`` gives the index in ``fasta`` of each record's file.

    Raises
    ------
    ParamError
        The model needs position-wise tracks or per-sequence features, which plain FASTA lacks;
        BED without ``genome``.
    InputError
        No records, or records that do not fit the model's alphabet or length.
    """
    fasta = [str(path) for path in fasta]
    # Records counted twice (and ids repeated) in attributions and seqlets.
    check_distinct_files(fasta, None, "its records would count twice; give each input file once")
    data_meta = run.meta["data"]
    if data_meta.get("tracks") or data_meta.get("features"):
        raise ParamError(
            "this model was trained with position-wise tracks or per-sequence features, which plain FASTA "
            "cannot supply; use --group to look at the run's own data"
        )
    encoder = run.dataset_encoder
    check_genome_options(genome, fasta, encoder.structure_mode)
    ids, codes, structure, sources, files, lengths = [], [], [], [], [], []
    for file_index, path in enumerate(fasta):
        count = 0
        config = PredictConfig([path], genome=genome, labels=[labels[file_index]] if labels else [])
        for chunk_ids, arrays, _ in encoded_chunks(run, config, {}):
            ids.extend(chunk_ids)
            codes.append(arrays["codes"])
            lengths.append(arrays.get("lengths"))
            if arrays.get("structure") is not None:
                structure.append(arrays["structure"])
            count += len(chunk_ids)
        sources.append(np.full(count, file_index, dtype=np.int32))
        files.append({"path": path, "records": count})
    if not ids:
        raise InputError(f"{', '.join(display_name(path) for path in fasta)}: no FASTA records")
    # seqlets.tsv, attributions and hits name records by id
    warn_duplicate_ids(ids, lambda row: _where(files, ids, row))
    regression = run.task == "regression"
    return Dataset(
        encoder, np.concatenate(codes), np.zeros((len(ids), 0), dtype=np.uint8), np.asarray(ids, dtype=str),
        np.concatenate(sources), [] if regression else list(run.class_names), bool(data_meta.get("multi_label")),
        files, structure=np.concatenate(structure) if structure else None, task=run.task,
        target_names=list(run.output_names) if regression else [],
        lengths=np.concatenate(lengths).astype(np.int64) if lengths and all(part is not None for part in lengths)
        else None,  # the records' own lengths, where the bulk reader read them (sequence-only runs)
    )


def _where(files: list, ids: list, row: int) -> str:
    """``FILE, record N ('id')`` of the ``row``-th record read (``files``: path and record count of each)."""
    number = row
    for entry in files:
        if number < entry["records"]:
            return f"{display_name(entry['path'])}, record {number + 1} ({str(ids[row])!r})"
        number -= entry["records"]
    raise IndexError(row)
