"""``motifnet marginalize``: motifs of a motif file inserted into (or ablated from) sequences, through a run's model."""

from __future__ import annotations

import functools
import json
import logging
import re
import tempfile
from pathlib import Path

import numpy as np

from .._io import remove_unwritten, staged_outputs, write_json, write_text
from .._signals import check_stop
from .._text import short_text
from .._validate import check_output_folder, repeated_file
from ..data.fasta import display_name, iter_text_stream, refuse_pipes
from ..data.folding import CONTEXTS
from ..data.genome import reverse_complement
from ..errors import InputError, OptionValueError, ParamError
from ..interpret.marginalize import (
    ABLATION_COLUMNS,
    BACKGROUND_COLUMN,
    EFFECT_COLUMNS,
    ORIENTATIONS,
    PAIR_COLUMNS,
    Backgrounds,
    MarginalizeConfig,
    ablation_effects,
    check_marginalize_encoder,
    insertion_effects,
    pair_effects,
    pair_layout,
    pairs_of,
    sequence_codes,
    top_motifs,
)
from ..interpret.outputs import OutputsAndLogits, in_units
from ..motifs.readers import read_motifs
from ..motifs.scan import motif_file, scan_motifs
from ..run.fold_new_inputs import recorded_fold_options
from ._output import check_own_folder, locked_output_folder, refuse_unlisted

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
    database = read_motifs(source)  # read once: standard input cannot be read again
    letters = database.letters
    if letters and set(letters.upper()) <= set(CONTEXTS + "()."):
        sibling = None if source == "-" else source.with_name(source.name.replace("motifs_structure", "motifs"))
        kept = sibling not in (None, source) and sibling.is_file()
        instead = sibling if kept else "a motif file of DNA or RNA motifs"
        raise InputError(f"{display_name(source)}: structure motifs (alphabet {letters!r}); marginalize inserts "
                         f"sequence motifs and folds the changed sequences itself: give {instead}")
    return scan_motifs(database, source, "marginalize")


def read_hit_sites(path, motif_names) -> list:
    """The sites of a ``motifnet scan`` hits.tsv: (motif name, record id, start, end, letters, where, strand) per row.

    ``letters`` are the site's letters on the record's strand, upper case, U as T, from the
    ``sequence`` and ``strand`` columns (None without them, and so is ``strand``: a table of the
    four columns alone is read too); ``where`` names the file and line.

    Raises
    ------
    InputError
        A missing file, missing columns or a motif that is not among ``motif_names``.
    """
    path = Path(path)
    if path.is_dir() and (path / "hits.tsv").is_file():  # scan's OUT_DIR, as --motifs takes a folder
        path = path / "hits.tsv"
    if path.is_dir():
        raise InputError(f"{path}: a folder without hits.tsv; give scan's hits.tsv (or the folder scan wrote it to)")
    if not path.exists():  # a pipe (<(grep ... hits.tsv)) is read once, as a file
        raise InputError(f"{path}: no such hits file (write one with 'motifnet scan')")
    with iter_text_stream(path, "a hits.tsv of motifnet scan") as stream:
        lines = [line.rstrip("\r\n") for line in stream]  # line by line: a NUL byte is refused naming its line
    header = lines[0].split("\t") if lines else []
    missing = [c for c in ("motif", "record", "start", "end") if c not in header]
    if missing == ["record"] and "chrom" in header:
        raise InputError(f"{path}: hits on the genome (a scan of BED files with --genome); --hits ablates sites in "
                         "FASTA records: scan the FASTA files given with --fasta")
    if missing:
        raise InputError(f"{path}: not a hits.tsv of motifnet scan (missing columns: {', '.join(missing)})")
    columns = [header.index(c) for c in ("motif", "record", "start", "end")]
    checked = [header.index(c) for c in ("strand", "sequence")] if {"strand", "sequence"} <= set(header) else None
    sites, unknown = [], set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        try:
            motif, record, start, end = (fields[i] for i in columns)
            strand, letters = (fields[i] for i in checked) if checked else (None, None)
        except IndexError:
            raise InputError(f"{path}, line {number}: expected motif, record, start and end"
                             + (", strand and sequence" if checked else "")) from None
        positions = []
        for name, text in (("start", start), ("end", end)):
            try:
                positions.append(int(text))
            except ValueError:
                raise InputError(f"{path}, line {number}: {name} {text!r} is not a whole number (scan's positions "
                                 "are 0-based)") from None
        start, end = positions
        if not 0 <= start < end:
            raise InputError(f"{path}, line {number}: a site from {start} to {end}; scan's sites start at 0 or later "
                             "and end after their start")
        if letters is not None:
            letters, strand = letters.strip().upper().replace("U", "T"), strand.strip()
            if strand == "-":
                letters = _reverse_complement_text(letters)
        sites.append((motif, record, start, end, letters, f"{path}, line {number}", strand))
        if motif not in motif_names:
            unknown.add(motif)
    if unknown:
        raise InputError(f"{path}: motifs not in the --motifs file: {', '.join(sorted(unknown))}")
    if not sites:
        log.warning("%s holds no hits: no site to ablate, so ablation.tsv has no effect to show", path)
    return sites


def _reverse_complement_text(letters: str) -> str:
    return reverse_complement(letters.encode("ascii", "replace")).decode("ascii")


def hit_records(files) -> list:
    """The letters of each record of the FASTA files that ``--hits`` names by id, in input order (upper
    case, U as T).

    Raises
    ------
    InputError
        A file given twice, a file that cannot be read as FASTA, or a record id that occurs twice in
        the files: a hit names its record by id alone, so it would be applied to the first record of
        that id.
    """
    from ..data.fasta import read_fasta

    repeated = repeated_file(files)
    if repeated:
        raise InputError(f"--fasta {repeated[1]} is given twice (as {repeated[0]}); give each file once")
    records, first_of = [], {}
    for index, path in enumerate(files):
        for record in read_fasta(path):
            earlier = first_of.setdefault(record.id, (index, record.where()))
            if earlier != (index, record.where()):
                raise InputError(f"--fasta {record.where()}: the same id as {earlier[1]}; --hits name records by "
                                 "id, give every record a distinct id")
            records.append(b"".join(record.lines).decode("latin-1").upper().replace("U", "T"))
    return records


def ablation_sites(sites, motif_names, ids, records, model_length: int) -> list:
    """Sites of :func:`read_hit_sites` as (motif index, row, start, end) in the model's positions.

    ``records`` are the letters of :func:`hit_records`: a site whose letters differ from the
    record's there is refused (a FASTA file of other records of the same ids). A record longer
    or shorter than the model was centre-cropped or padded (see
    :func:`motifnet.data.encoding.fit_length`): the sites move with it, and sites that fall outside
    the model's positions are left out.
    """
    row_of = {}
    for row, record_id in enumerate(ids):
        row_of.setdefault(str(record_id), row)
    motif_index = {name: i for i, name in enumerate(motif_names)}
    result, outside, unmatched = [], 0, set()
    for motif, record, start, end, letters, where, strand in sites:
        row = row_of.get(record)
        if row is None:
            unmatched.add(record)
            continue
        length = len(records[row])
        if end > length:
            raise InputError(f"--hits {where}: the site of {motif} in record {record!r} ends at {end}, past the "
                             f"record's {length} positions; give the FASTA files that were scanned")
        if letters is not None and records[row][start:end] != letters:
            # Both on the site's strand, as the sequence column gives it.
            given, found = (letters, records[row][start:end]) if strand != "-" else (
                _reverse_complement_text(letters), _reverse_complement_text(records[row][start:end]))
            raise InputError(f"--hits {where}: the site of {motif} in record {record!r} ({start} to {end}, strand "
                             f"{strand}) is {given} in its sequence column, but the record reads {found} there; "
                             "give the FASTA files that were scanned")
        shift = (model_length - length) // 2 if length < model_length else -((length - model_length) // 2)
        start, end = max(start + shift, 0), min(end + shift, model_length)
        if start >= end:
            outside += 1
            continue
        result.append((motif_index[motif], row, start, end))
    if unmatched:
        raise InputError(f"hits of {len(unmatched)} record(s) not in the --fasta files (e.g. "
                         f"{sorted(unmatched)[0]!r}); give the FASTA files that were scanned")
    if outside:
        log.warning("%d site(s) lie outside the %d positions the model reads; left out", outside,
                    model_length)
    return result


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def pair_image_name(rank: int, name_a: str, name_b: str) -> str:
    """``pair_NN_A_B.png`` of the ``rank``-th pair (1-based): motif names alone may map to one file name."""
    return f"pair_{rank:02d}_{_safe(name_a)}_{_safe(name_b)}.png"


_PAIR_IMAGE = re.compile(r"pair_[0-9]+_[A-Za-z0-9_.-]+\.png")
#: Names an earlier run's ``marginalize.json`` may list as its files: plain file names in OUT_DIR.
_EARLIER_OUTPUT = re.compile(r"(effects\.tsv|effects\.png|pairs\.tsv|ablation\.tsv|pair_[A-Za-z0-9_.-]+\.png)")


def pair_figure(name: str) -> bool:
    """Whether ``motifnet marginalize`` writes a pair figure of this name (``pair_NN_A_B.png``)."""
    return _PAIR_IMAGE.fullmatch(name) is not None


def replaced_pair_figure(out_dir):
    """Whether a run into ``out_dir`` writes or removes a pair figure of a given name.

    Those are the ``pair_NN_A_B.png`` figures (:func:`pair_figure`) and the files that an
    earlier run's ``marginalize.json`` there lists, which may have an older form of name
    (:func:`remove_stale_outputs` removes them): an input of either name would be lost.
    """
    earlier = set(earlier_outputs(Path(out_dir)) or ())

    def replaced(name: str) -> bool:
        return pair_figure(name) or name in earlier

    return replaced


def earlier_outputs(out: Path) -> list | None:
    """The files that the ``marginalize.json`` already in ``out`` says its run wrote; None without one.

    Its ``files`` list (every run since 2026-12-05 records one); an older summary lists its pair
    figures alone (``pair_images``), and only those are taken as its: a ``pairs.tsv`` or
    ``ablation.tsv`` beside it may be the user's.
    """
    from ..report.motif_sites import MARGINALIZE_SUMMARY

    if not (out / MARGINALIZE_SUMMARY).is_file():
        return None
    try:
        summary = json.loads((out / MARGINALIZE_SUMMARY).read_text(encoding="utf-8"))
        names = summary["files"] if "files" in summary else summary.get("pair_images", [])
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    if not isinstance(names, list):
        return []
    return [name for name in names if isinstance(name, str) and _EARLIER_OUTPUT.fullmatch(name)]


def remove_stale_outputs(out: Path, written, earlier) -> list:
    """Remove what an earlier ``marginalize`` run wrote in ``out`` and this run did not write again.

    ``earlier`` is :func:`earlier_outputs` as the run began: the files the earlier run's
    ``marginalize.json`` lists (None without one). No other file is touched: a ``pairs.tsv``
    the earlier run did not write is not its. Called once every new file is written, so that a
    run that stops on the way keeps the earlier results.

    Returns
    -------
    list of Path
        The files removed.
    """
    return remove_unwritten(out, earlier or (), written)


def _pair_figure(result: dict, name_a: str, name_b: str, outputs, key: str = "logit_cooperativity", scale=None,
                 limit: float | None = None, label: str = "cooperativity"):
    """The cooperativity of a pair (:func:`pair_effects`; ``key``: of the logits, or of the outputs) by spacing,
    one panel per output; with ``scale`` (a regression model's targets' standard deviations), in those units.
    ``limit``: the colour scale's end (default: this pair's largest absolute value); ``label``: the colour bar's
    (the caller names what ``key`` measures for the model)."""
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    from ..plot.figures import DIVERGING, class_labels, symmetric_limit
    from ..plot.scan import plot_spacing

    size = (max(4.8, 2.6 + 0.35 * len(result["spacings"])), 0.8 + 1.9 * len(outputs))
    figure, axes = plt.subplots(len(outputs), 1, figsize=size, squeeze=False, layout="constrained")
    figure.suptitle(f"{short_text(name_a, 40)} then {short_text(name_b, 40)}", fontsize=11)
    # one colour scale for every panel, so that one colour is one value across the outputs
    values = in_units(result[key], scale)
    limit = symmetric_limit(values) if limit is None else limit
    for c, output in enumerate(class_labels(outputs)):
        plot_spacing(values[:, :, c], list(ORIENTATIONS), result["spacings"], output, ax=axes[c, 0],
                     label=None, limit=limit)
        axes[c, 0].title.set_fontsize(10)
    figure.colorbar(ScalarMappable(Normalize(-limit, limit), DIVERGING), ax=axes[:, 0].tolist(), shrink=0.9,
                    label=label)
    return figure


def _log_spacings(length: int, pwm_a, pwm_b, config: MarginalizeConfig, names: tuple) -> None:
    """Say the spacings a pair is inserted at; a warning when wider ones of ``--max-spacing`` do not fit.

    Part of the request is honoured (spacings 0 to the widest that fits), and which pairs are
    inserted is known only once the single effects are measured: a warning, not a refusal.
    """
    start_a, spacings = pair_layout(length, len(pwm_a), len(pwm_b), config, names)
    if spacings[-1] < config.max_spacing:
        log.warning("--max-spacing %d capped at %d for the pair %s + %s: wider spacings do not fit the "
                    "model's %d positions (%d + %d positions from position %d)", config.max_spacing, spacings[-1],
                    *names, length, len(pwm_a), len(pwm_b), start_a)
    else:
        log.info("pair %s + %s at spacings 0 to %d", *names, spacings[-1])


#: The refusal of ``--hits`` without ``--fasta`` (a usage error on the command line).
HITS_NEED_FASTA = "--hits needs --fasta: the FASTA file(s) that were scanned, whose records are ablated"


def marginalize_to_folder(run, motif_path, out_dir, config: MarginalizeConfig, hits=None, fasta=()) -> dict:
    """Insert each motif into shuffled records of the run's data (and pairs, and ablate hits); write OUT_DIR.

    Writes ``effects.tsv``, ``effects.png`` and ``marginalize.json`` (what the report shows); with
    ``config.pairs`` ``pairs.tsv`` and ``pair_NN_A_B.png`` (NN: the pair's rank); with ``hits``
    ``ablation.tsv``. Outputs of an earlier run into OUT_DIR that this run does not write again are
    removed once the new files are written (:func:`remove_stale_outputs`). When OUT_DIR or its parent
    is a report folder of ``visualize-kernels``, its page is rendered again with the marginalisation
    section. For a run trained with ``train --fold``, every sequence predicted (the
    backgrounds, each with its insertions, and the records before and after ablation) is folded again
    with the run's folding options and encoded as ``predict`` encodes it (:func:`folded_inputs`).

    Parameters
    ----------
    run : Run
    motif_path : path
        A motif file or report folder (see :func:`motifnet.motifs.scan.motif_file`).
    out_dir : path
    config : MarginalizeConfig
    hits : path or None
        A hits.tsv of ``motifnet scan`` on ``fasta``.
    fasta : list of path
        The FASTA files the hits were found in.

    Raises
    ------
    ParamError
        OUT_DIR is a file; ``fasta`` without ``hits`` or ``hits`` without ``fasta``; a run or
        config marginalize cannot use.
    InputError
        A motif, hits or FASTA file that cannot be used (checked before any prediction).

    Returns
    -------
    dict
        ``effects`` (Effects), ``motifs`` (names), ``pairs`` (dict per (a, b) of :func:`pair_effects`),
        ``background`` (:class:`motifnet.interpret.marginalize.Backgrounds`, array-like, shape=(n, length):
        sequence codes of the background sequences, made on request).
    """
    from ..plot.figures import save_figure
    from ..plot.scan import plot_effects
    from ..report.motif_sites import MARGINALIZE_SUMMARY
    from ..report.summary import find_report, render_report, warn_if_other_run
    from ..run.unlabelled import read_unlabelled

    config = config.checked()
    out = Path(out_dir)
    check_output_folder(out, "-o")
    check_marginalize_run(run)
    # Refused before the work, the names known now: effects.tsv and effects.png, which every run writes, and
    # pairs.tsv and ablation.tsv of --pairs and --hits; the pair figures are checked once their names are known.
    tables = ["pairs.tsv"] * bool(config.pairs) + ["ablation.tsv"] * bool(hits)
    own = check_own_folder(out, MARGINALIZE_SUMMARY, _is_marginalize_summary, ("effects.tsv", "effects.png", *tables),
                           "marginalize")
    if own:
        refuse_unlisted(out, tables, earlier_outputs(out) or [], MARGINALIZE_SUMMARY, "marginalize")
    if hits and not fasta:
        raise ParamError(HITS_NEED_FASTA)
    if fasta and not hits:
        raise ParamError(f"--fasta {fasta[0]}: used only to ablate the sites of --hits (the backgrounds are the "
                         "run's data); give --hits too, or leave out --fasta")
    motifs = load_sequence_motifs(motif_path)
    if config.pairs and len(motifs.names) < 2:
        raise ParamError(f"--pairs: {motifs.path} holds one motif ({motifs.names[0]}), and a pair needs two; give "
                         "a file of two or more motifs, or leave out --pairs")
    sites = read_hit_sites(hits, motifs.names) if hits else None
    if sites is not None:
        # Read (and, for a run trained with --fold, fold) before any prediction: a bad file stops here.
        why = "marginalize --hits reads the --fasta files twice (their letters, then their records)"
        if "-" in [str(path) for path in fasta]:
            raise OptionValueError(f"--fasta - (standard input): {why}, and standard input can be read only once; "
                                   "save it to a file")
        refuse_pipes(fasta, why, "save it to a file")
        letters = hit_records(fasta)
        dataset = read_unlabelled(run, list(fasta))
        located = ablation_sites(sites, motifs.names, dataset.ids, letters, dataset.codes.shape[1])
    names = run.output_names
    encoder = run.dataset_encoder
    if config.pairs:  # which pairs is known once the single effects are: if the narrowest do not fit, none does
        narrowest = sorted(range(len(motifs.names)), key=lambda m: len(motifs.pwms[m]))[:2]
        pair_layout(encoder.length, *(len(motifs.pwms[m]) for m in narrowest), config,
                    tuple(motifs.names[m] for m in narrowest))
    # The folder is held from the start: a second run into it is refused before its work, not after it.
    with locked_output_folder(out, "marginalize"):
        fold_options = recorded_fold_options(run) if encoder.structure is not None else None
        predict = OutputsAndLogits(run.model, encoder, config.batch_size,
                                   folded_inputs(run) if fold_options is not None else None)
        # Made a chunk at a time by each experiment (memory does not grow with -n), each sequence seeded by its number.
        background = Backgrounds(sequence_codes(encoder, run.dataset.codes), config.n, config.seed)
        folded = f"; each sequence folded again ({fold_options.describe()})" if fold_options is not None else ""
        records = len(background.codes)
        drawn = (f" (drawn with replacement: -n is more than the run's {records:,} records)" if background.rows is None
                 else "")
        log.info("inserting %d motif(s) into %s shuffled record(s)%s%s", len(motifs.names), f"{config.n:,}", drawn,
                 folded)
        effects = insertion_effects(predict, background, motifs.pwms, config, motifs.names, source=motifs.path)
        # A regression model's outputs are values, not probabilities: no logit, and no logit column (as variants)
        logits = run.task != "regression"
        effect_columns = (*(EFFECT_COLUMNS if logits else EFFECT_COLUMNS[:-1]), BACKGROUND_COLUMN)
        rows = [(motif, name, effects.mean[m, c], effects.low[m, c], effects.high[m, c],
                 *([effects.logit[m, c]] if logits else []), effects.background[c])
                for m, motif in enumerate(motifs.names) for c, name in enumerate(names)]
        # Every file is written at the end, once all the work is done: a failure or a stop on the way
        # (a pair that does not fit, a signal) leaves an earlier run's files as they were, not a mix.
        texts = {"effects.tsv": _table(effect_columns, rows)}
        scale = run.output_scale  # regression: targets of different sizes compared in their standard deviations
        figures = {"effects.png": lambda: plot_effects(effects.mean, motifs.names, names, scale=scale).figure}

        pairs, pair_images = {}, []
        if config.pairs:
            pair_columns = PAIR_COLUMNS if logits else PAIR_COLUMNS[:-3]
            chosen = top_motifs(effects, config.pairs, scale)
            if config.pairs > len(motifs.names):  # K was cut without a word: the run looked like one of K motifs
                pairs_made = len(chosen) * (len(chosen) - 1) // 2
                log.warning("--pairs %d: %s holds %d motifs; pairing all of them (%d pair%s)", config.pairs,
                            motifs.path, len(motifs.names), pairs_made, "" if pairs_made == 1 else "s")
            pair_rows = []
            for a, b in pairs_of(chosen):
                _log_spacings(background.shape[1], motifs.pwms[a], motifs.pwms[b], config,
                              (motifs.names[a], motifs.names[b]))
                result = pair_effects(predict, background, motifs.pwms[a], motifs.pwms[b], config,
                                      (motifs.names[a], motifs.names[b]))
                pairs[motifs.names[a], motifs.names[b]] = result
                for o, orientation in enumerate(ORIENTATIONS):
                    for s, spacing in enumerate(result["spacings"]):
                        for c, name in enumerate(names):
                            pair_rows.append(tuple(
                                (motifs.names[a], motifs.names[b], orientation, spacing, name)
                                + tuple(result[key][o, s, c] for key in ("pair", "expected", "cooperativity",
                                                                         "pair_logit", "expected_logit",
                                                                         "logit_cooperativity"))
                            )[:len(pair_columns)])
                pair_images.append(pair_image_name(len(pair_images) + 1, motifs.names[a], motifs.names[b]))
            texts["pairs.tsv"] = _table(pair_columns, pair_rows)
            # one colour scale for every pair figure: the report stacks them, and one colour is one value in all
            from ..plot.figures import symmetric_limit

            key = "logit_cooperativity" if logits else "cooperativity"
            limit = max(symmetric_limit(in_units(result[key], scale)) for result in pairs.values())
            label = {"softmax": "logit cooperativity (class against the others' mean)",
                     "sigmoid": "log-odds cooperativity"}.get(predict.activation, "cooperativity" if scale is None
                                                              else "cooperativity (SD of the target)")
            for image, ((name_a, name_b), result) in zip(pair_images, pairs.items()):
                figures[image] = functools.partial(_pair_figure, result, name_a, name_b, names, key, scale, limit,
                                                   label)

        if sites is not None:
            log.info("ablating %d site(s) of %d motif(s) in %d record(s): each replaced by shuffled letters of its "
                     "record", len(located), len({site[0] for site in located}), len({site[1] for site in located}))
            rng = np.random.default_rng(config.seed)
            ablation_rows = []
            codes = sequence_codes(encoder, dataset.codes)
            for m, (records, result) in enumerate(ablation_effects(predict, codes, located, len(motifs.names), rng)):
                for c, name in enumerate(names):
                    if result is None:
                        row = (motifs.names[m], name, records, "NA", "NA", "NA", "NA")
                    else:
                        row = (motifs.names[m], name, records, result.mean[0, c], result.low[0, c], result.high[0, c],
                               result.logit[0, c])
                    ablation_rows.append(row if logits else row[:-1])
            texts["ablation.tsv"] = _table(ABLATION_COLUMNS if logits else ABLATION_COLUMNS[:-1], ablation_rows)
        earlier = earlier_outputs(out)
        if not own:
            check_own_folder(out, MARGINALIZE_SUMMARY, _is_marginalize_summary, [*texts, *figures], "marginalize")
        else:  # a pairs.tsv, ablation.tsv or pair figure that the earlier run did not write is the user's
            refuse_unlisted(out, [name for name in [*texts, *figures] if name not in ("effects.tsv", "effects.png")],
                            earlier or [], MARGINALIZE_SUMMARY, "marginalize")
        # All renamed into place at the end, the summary last: a stop while the figures are drawn (or a second
        # signal) leaves an earlier run's files whole, not a mix of two runs (and no new folder).
        with staged_outputs() as stage:
            for name, text in texts.items():
                write_text(stage(out / name), text)
            for name, draw in figures.items():
                check_stop()
                save_figure(draw(), stage(out / name, ".png"))
            _write_summary(stage(out / MARGINALIZE_SUMMARY), run, motifs, config, folded, effect_columns, rows,
                           pair_images, [*texts, *figures])
        for path in remove_stale_outputs(out, [*texts, *figures], earlier):
            log.info("removed %s of an earlier marginalize run", path)
    report = find_report(out)
    if report is not None:
        warn_if_other_run(report, run, "marginalisation")
        log.info("added the marginalisation section to %s", render_report(report, run=run))
    return {"effects": effects, "motifs": motifs.names, "pairs": pairs, "background": background}


def _is_marginalize_summary(summary: dict) -> bool:
    """Whether a ``marginalize.json`` is one that ``marginalize`` wrote (see :func:`_write_summary`)."""
    return "motif_file" in summary and isinstance(summary.get("effects"), list)


def _write_summary(path, run, motifs, config: MarginalizeConfig, folded: str, effect_columns, rows, pair_images,
                   files) -> None:
    """``marginalize.json``: what the report shows."""
    inserted = "instances sampled from each matrix" if config.sample else "consensus"
    inserted += f" at position {config.position}" if config.position is not None else ", centred"
    inserted += folded
    write_json(path, {
        "run": str(Path(run.path).resolve()),  # absolute: the report compares it with its own run
        "motif_file": str(motifs.path), "n": config.n, "inserted": inserted,
        "effects": [dict(zip(effect_columns, (row[0], row[1], *(float(value) for value in row[2:]))))
                    for row in rows],
        "image": "effects.png", "pair_images": pair_images, "files": sorted(files)})
