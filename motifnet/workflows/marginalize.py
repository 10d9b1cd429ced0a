"""``motifnet marginalize``: motifs of a MEME file inserted into (or ablated from) sequences, through a run's model."""

from __future__ import annotations

import functools
import logging
import re
import tempfile
from pathlib import Path

import numpy as np

from .._io import write_json, write_text
from ..data.folding import CONTEXTS
from ..errors import InputError, ParamError
from ..interpret.marginalize import (
    ABLATION_COLUMNS,
    EFFECT_COLUMNS,
    ORIENTATIONS,
    PAIR_COLUMNS,
    MarginalizeConfig,
    OutputsAndLogits,
    ablation_effects,
    background_codes,
    check_marginalize_encoder,
    insertion_effects,
    pair_effects,
    pairs_of,
    sequence_codes,
    top_motifs,
)
from ..motifs.meme import read_meme
from ..motifs.scan import load_scan_motifs, motif_file
from ..run.fold_new_inputs import recorded_fold_options

log = logging.getLogger("motifnet")


def _table(columns, rows) -> str:
    def cell(value):
        return f"{value:.6g}" if isinstance(value, (float, np.floating)) else str(value)
    return "\n".join(["\t".join(columns)] + ["\t".join(cell(value) for value in row) for row in rows]) + "\n"


def check_marginalize_run(run) -> None:
    """Refuse runs whose inputs an insertion cannot change consistently.

    Runs trained with ``train --fold`` are accepted: each changed sequence is folded again.

    Raises
    ------
    ParamError
        Tracks, per-sequence features, structure given in the input, or not DNA/RNA.
    """
    data = run.meta["data"]
    if data.get("tracks") or data.get("features"):
        raise ParamError("marginalize needs a model of sequence alone; this one was trained with position-wise "
                         "tracks or per-sequence features")
    encoder = run.dataset_encoder
    check_marginalize_encoder(encoder, folded=encoder.structure is not None and recorded_fold_options(run) is not None)


def folded_inputs(run):
    """``fold(sequences)`` for :class:`OutputsAndLogits`: sequences folded and encoded as ``predict`` reads them.

    The sequences are written to a temporary FASTA file and read through
    :func:`motifnet.run.unlabelled.read_unlabelled`, which folds plain records with the run's folding
    options (ViennaRNA, in worker processes) and encodes them with the run's encoder. A sampled
    profile is seeded by the record's place in that file, as ``predict`` seeds it in the user's file.
    """
    from ..run.unlabelled import read_unlabelled

    def fold(sequences) -> dict:
        with tempfile.TemporaryDirectory(prefix="motifnet-marginalize-") as folder:
            path = Path(folder) / "marginalize.fa"
            write_text(path, "".join(f">s{number}\n{sequence}\n" for number, sequence in enumerate(sequences)))
            dataset = read_unlabelled(run, [path], labels=["the changed sequences"])
        return {"codes": dataset.codes, "structure": dataset.structure}

    return fold


def load_sequence_motifs(motif_path):
    """The motifs of :func:`motifnet.motifs.scan.load_scan_motifs`, refusing structure motifs in one line.

    Raises
    ------
    InputError
        As :func:`load_scan_motifs`; a file of structure motifs (``motifs_structure.meme`` of a
        sequence+structure model) is named, with the sequence motifs to give instead.
    """
    source = motif_file(motif_path)
    letters, _ = read_meme(source)
    if letters and set(letters.upper()) <= set(CONTEXTS + "()."):
        sibling = source.with_name(source.name.replace("motifs_structure", "motifs"))
        instead = sibling if sibling != source and sibling.is_file() else "a MEME file of DNA or RNA motifs"
        raise InputError(f"{source}: structure motifs (alphabet {letters!r}); marginalize inserts sequence "
                         f"motifs and folds the changed sequences itself: give {instead}")
    return load_scan_motifs(source, "marginalize")


def read_hit_sites(path, motif_names) -> list:
    """(motif name, record id, start, end) of each row of a ``motifnet scan`` hits.tsv.

    Raises
    ------
    InputError
        A missing file, missing columns or a motif that is not among ``motif_names``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such hits file (write one with 'motifnet scan')")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t") if lines else []
    missing = [c for c in ("motif", "record", "start", "end") if c not in header]
    if missing:
        raise InputError(f"{path}: not a hits.tsv of motifnet scan (missing columns: {', '.join(missing)})")
    columns = [header.index(c) for c in ("motif", "record", "start", "end")]
    sites, unknown = [], set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        try:
            motif, record, start, end = (fields[i] for i in columns)
            sites.append((motif, record, int(start), int(end)))
        except (IndexError, ValueError):
            raise InputError(f"{path}, line {number}: expected motif, record, start and end") from None
        if motif not in motif_names:
            unknown.add(motif)
    if unknown:
        raise InputError(f"{path}: motifs not in the --motifs file: {', '.join(sorted(unknown))}")
    return sites


def _record_lengths(files) -> list:
    from ..data.fasta import read_fasta

    return [sum(len(line) for line in record.lines) for path in files for record in read_fasta(path)]


def ablation_sites(sites, motif_names, ids, lengths, model_length: int) -> list:
    """Sites of :func:`read_hit_sites` as (motif index, row, start, end) in the model's positions.

    A record longer or shorter than the model was centre-cropped or padded (see
    :func:`motifnet.data.encoding.fit_length`): the sites move with it, and sites that fall outside
    the model's positions are left out.
    """
    row_of = {}
    for row, record_id in enumerate(ids):
        row_of.setdefault(str(record_id), row)
    motif_index = {name: i for i, name in enumerate(motif_names)}
    result, outside, unmatched = [], 0, set()
    for motif, record, start, end in sites:
        row = row_of.get(record)
        if row is None:
            unmatched.add(record)
            continue
        shift = (model_length - lengths[row]) // 2 if lengths[row] < model_length else \
            -((lengths[row] - model_length) // 2)
        start, end = max(start + shift, 0), min(end + shift, model_length)
        if start >= end:
            outside += 1
            continue
        result.append((motif_index[motif], row, start, end))
    if unmatched:
        raise InputError(f"hits of {len(unmatched)} record(s) not in the --fasta files (e.g. "
                         f"{sorted(unmatched)[0]!r}); give the FASTA files that were scanned")
    if outside:
        log.warning("warning: %d site(s) lie outside the %d positions the model reads; left out", outside,
                    model_length)
    return result


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _pair_figure(result: dict, name_a: str, name_b: str, outputs):
    """The cooperativity of a pair (:func:`pair_effects`) by spacing, one panel per output."""
    import matplotlib.pyplot as plt

    from ..plot.scan import plot_spacing

    figure, axes = plt.subplots(len(outputs), 1, figsize=(2.0 + 0.35 * len(result["spacings"]), 2.0 * len(outputs)),
                                squeeze=False)
    for c, output in enumerate(outputs):
        plot_spacing(result["cooperativity"][:, :, c], list(ORIENTATIONS), result["spacings"],
                     f"{name_a} then {name_b}: {output}", ax=axes[c, 0])
    figure.tight_layout()
    return figure


def marginalize_to_folder(run, motif_path, out_dir, config: MarginalizeConfig, hits=None, fasta=()) -> dict:
    """Insert each motif into shuffled records of the run's data (and pairs, and ablate hits); write OUT_DIR.

    Writes ``effects.tsv``, ``effects.png`` and ``marginalize.json`` (what the report shows); with
    ``config.pairs`` ``pairs.tsv`` and ``pair_A_B.png``; with ``hits`` ``ablation.tsv``. When OUT_DIR
    or its parent is a report folder of ``visualize-kernels``, its page is rendered again with the
    marginalisation section. For a run trained with ``train --fold``, every sequence predicted (the
    backgrounds, each with its insertions, and the records before and after ablation) is folded again
    with the run's folding options and encoded as ``predict`` encodes it (:func:`folded_inputs`).

    Parameters
    ----------
    run : Run
    motif_path : path
        A MEME file or report folder (see :func:`motifnet.motifs.scan.motif_file`).
    out_dir : path
    config : MarginalizeConfig
    hits : path or None
        A hits.tsv of ``motifnet scan`` on ``fasta``.
    fasta : list of path
        The FASTA files the hits were found in.

    Returns
    -------
    dict
        ``effects`` (Effects), ``motifs`` (names), ``pairs`` (dict per (a, b) of :func:`pair_effects`),
        ``background`` (numpy.ndarray, shape=(n, length): sequence codes of the background sequences).
    """
    from ..plot.figures import save_figure
    from ..plot.scan import plot_effects
    from ..report.motif_sites import MARGINALIZE_SUMMARY
    from ..report.summary import find_report, render_report
    from ..run.unlabelled import read_unlabelled

    config = config.checked()
    check_marginalize_run(run)
    if hits and not fasta:
        raise ParamError("--hits needs --fasta: the FASTA file(s) that were scanned, whose records are ablated")
    motifs = load_sequence_motifs(motif_path)
    sites = read_hit_sites(hits, motifs.names) if hits else None
    out = Path(out_dir)
    names = run.output_names
    encoder = run.dataset_encoder
    fold_options = recorded_fold_options(run) if encoder.structure is not None else None
    predict = OutputsAndLogits(run.model, encoder, config.batch_size,
                               folded_inputs(run) if fold_options is not None else None)
    rng = np.random.default_rng(config.seed)
    background, _ = background_codes(sequence_codes(encoder, run.dataset.codes), config.n, rng)
    folded = f"; each sequence folded again ({fold_options.describe()})" if fold_options is not None else ""
    log.info("inserting %d motifs into %d shuffled records%s", len(motifs.names), config.n, folded)
    effects = insertion_effects(predict, background, motifs.pwms, config, rng)
    rows = [(motif, name, effects.mean[m, c], effects.low[m, c], effects.high[m, c], effects.logit[m, c])
            for m, motif in enumerate(motifs.names) for c, name in enumerate(names)]
    # Every file is written at the end, once all the work is done: a failure or a stop on the way
    # (a pair that does not fit, a signal) leaves an earlier run's files as they were, not a mix.
    texts = {"effects.tsv": _table(EFFECT_COLUMNS, rows)}
    figures = {"effects.png": lambda: plot_effects(effects.mean, motifs.names, names).figure}

    pairs, pair_images = {}, []
    if config.pairs:
        chosen = top_motifs(effects, config.pairs)
        pair_rows = []
        for a, b in pairs_of(chosen):
            log.info("pair %s + %s at spacings 0 to %d", motifs.names[a], motifs.names[b], config.max_spacing)
            result = pair_effects(predict, background, motifs.pwms[a], motifs.pwms[b], config, rng)
            pairs[motifs.names[a], motifs.names[b]] = result
            for o, orientation in enumerate(ORIENTATIONS):
                for s, spacing in enumerate(result["spacings"]):
                    for c, name in enumerate(names):
                        pair_rows.append((motifs.names[a], motifs.names[b], orientation, spacing, name,
                                          result["pair"][o, s, c], result["expected"][o, s, c],
                                          result["cooperativity"][o, s, c]))
            pair_images.append(f"pair_{_safe(motifs.names[a])}_{_safe(motifs.names[b])}.png")
            figures[pair_images[-1]] = functools.partial(_pair_figure, result, motifs.names[a], motifs.names[b], names)
        texts["pairs.tsv"] = _table(PAIR_COLUMNS, pair_rows)

    if sites is not None:
        dataset = read_unlabelled(run, list(fasta))
        located = ablation_sites(sites, motifs.names, dataset.ids, _record_lengths(fasta), dataset.codes.shape[1])
        ablation_rows = []
        codes = sequence_codes(encoder, dataset.codes)
        for m, (records, result) in enumerate(ablation_effects(predict, codes, located, len(motifs.names), rng)):
            for c, name in enumerate(names):
                if result is None:
                    ablation_rows.append((motifs.names[m], name, records, "NA", "NA", "NA", "NA"))
                else:
                    ablation_rows.append((motifs.names[m], name, records, result.mean[0, c], result.low[0, c],
                                          result.high[0, c], result.logit[0, c]))
        texts["ablation.tsv"] = _table(ABLATION_COLUMNS, ablation_rows)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        write_text(out / name, text)
    for name, draw in figures.items():
        save_figure(draw(), out / name)
    inserted = "instances sampled from each matrix" if config.sample else "consensus"
    inserted += f" at position {config.position}" if config.position is not None else ", centred"
    inserted += folded
    write_json(out / MARGINALIZE_SUMMARY, {
        "motif_file": str(motifs.path), "n": config.n, "inserted": inserted,
        "effects": [dict(zip(EFFECT_COLUMNS, (row[0], row[1], *(float(value) for value in row[2:]))))
                    for row in rows],
        "image": "effects.png", "pair_images": pair_images})
    report = find_report(out)
    if report is not None:
        log.info("added the marginalisation section to %s", render_report(report, run=run))
    return {"effects": effects, "motifs": motifs.names, "pairs": pairs, "background": background}
