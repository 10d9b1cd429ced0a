"""``motifnet variants``: SNVs of a VCF file scored through a run's model, written to ``variants.tsv``."""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path

import numpy as np

from .._io import remove_unwritten, staged_outputs, write_json, write_text
from .._signals import StopRequested, check_stop
from .._validate import check_output_folder
from ..data.genome import Genome
from ..data.vcf import read_snvs
from ..errors import OptionValueError, ParamError
from ..interpret.attribution_summary import method_label
from ..interpret.variants import (
    LOGO_ATTRIBUTION,
    VariantConfig,
    VariantEffects,
    padded_windows,
    score_variants,
    variant_logos,
)
from ..report.summary import find_report, render_report, warn_if_other_run
from ._output import check_own_folder, locked_output_folder, refuse_unlisted
from ._variant_checkpoint import VariantCheckpoint, check_resume_folder, remove_kept_scores, weights_digest

log = logging.getLogger("motifnet")

VARIANTS_FILE = "variants.tsv"
SUMMARY_FILE = "variants.json"
#: Logos of the top variants: ``variant_RANK_CHROM-POS-REF-ALT.png``; only such files are ever deleted.
_LOGO_NAME = re.compile(r"^variant_\d+_[A-Za-z0-9_.-]*\.png$")
#: Positions on either side of the variant in its logos.
LOGO_FLANK = 20
DEFAULT_TOP = 10
#: Rows of variants.tsv formatted between checks for a stop request.
_ROWS_BETWEEN_STOPS = 10_000


def variant_logo(name: str) -> bool:
    """Whether ``motifnet variants`` writes a logo of this name (``variant_RANK_CHROM-POS-REF-ALT.png``)."""
    return _LOGO_NAME.fullmatch(name) is not None


def check_variants_run(run) -> None:
    """Refuse a run whose model does not read plain DNA sequence (tracks, features, structure, other alphabets)."""
    data = run.meta["data"]
    encoder = run.dataset_encoder
    if data.get("tracks") or data.get("features") or encoder.structure is not None \
            or encoder.alphabet.letters.upper() != "ACGT":
        raise ParamError(f"variants needs a model of DNA sequence alone; this one reads {encoder.describe_input()}"
                         + (" with tracks or features" if data.get("tracks") or data.get("features") else ""))


def variant_columns(output_names: list, task: str) -> list:
    """The columns of ``variants.tsv`` for a model of these outputs."""
    columns = ["chrom", "pos", "id", "ref", "alt"]
    for name in output_names:
        columns += [f"ref_{name}", f"alt_{name}", f"delta_{name}"]
        if task != "regression":
            columns.append(f"logit_delta_{name}")
    return columns + ["max_abs_delta", "p_value"]


def variants_table(variants: list, effects: VariantEffects, output_names: list, task: str) -> str:
    """``variants.tsv``: one row per SNV, sorted by the largest ``|delta|`` (descending; ties in file order)."""
    order = top_variants(effects, len(variants))
    # Computed once: the properties compute their arrays for every SNV (read per row, the table was quadratic).
    delta, logit_delta, largest = effects.delta, effects.logit_delta, effects.max_abs_delta
    lines = ["\t".join(variant_columns(output_names, task))]
    for done, row in enumerate(order.tolist()):
        if done % _ROWS_BETWEEN_STOPS == 0:
            check_stop()
        variant = variants[row]
        cells = [variant.chrom, str(variant.pos), variant.id, variant.ref, variant.alt]
        for column in range(len(output_names)):
            values = [effects.ref[row, column], effects.alt[row, column], delta[row, column]]
            if task != "regression":
                values.append(logit_delta[row, column])
            # as predict writes them: 9 digits read back as the model's float32 (6 wrote 1000012.31 as 1.00001e+06)
            cells += [format(value, ".9g") for value in values]
        p_value = effects.p_values[row]
        cells += [format(largest[row], ".6g"), "" if np.isnan(p_value) else format(p_value, ".6g")]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def variants_to_folder(run, vcf: str, genome_path: str, out_dir, config: VariantConfig, top: int = DEFAULT_TOP) -> dict:
    """Score the SNVs of ``vcf`` with the run's model; write ``variants.tsv``, ``variants.json`` and logos.

    The ``top`` variants with the largest ``|delta|`` get a figure of attribution logos of their
    reference and alternative windows; when ``out_dir`` is a report folder of
    ``visualize-kernels`` (or a subfolder of one), its ``summary.html`` is rendered again with a
    section for them. Every file is written once all the work is done, and the logos an earlier
    call listed in ``variants.json`` that this one did not write again are removed after that: a
    stop (see :mod:`motifnet._signals`) or a failure on the way leaves an earlier call's files as
    they were, and no folder this call made.

    Returns
    -------
    dict
        What is written to ``variants.json``: SNVs scored, indels (and other non-SNV alleles)
        skipped, REF mismatches skipped, window length and offset, null substitutions, seed, and
        the ``top`` variants with their logos.

    Raises
    ------
    ParamError
        ``out_dir`` is a file or lies below one, a run that does not read DNA sequence alone, or
        options out of range; all before any work.
    InputError
        A VCF or genome that cannot be used (see :func:`motifnet.data.vcf.read_snvs` and
        :class:`motifnet.data.genome.Genome`).
    """
    from ..plot.figures import save_figure

    out = Path(out_dir)
    check_output_folder(out, "-o")
    check_variants_run(run)
    own = check_own_folder(out, SUMMARY_FILE, _is_variants_summary, (VARIANTS_FILE,), "variants")
    check_resume_folder(out)
    if top < 0:
        raise OptionValueError(f"--top must be 0 or more, received: {top}")
    encoder = run.dataset_encoder
    config = config.checked(encoder.length)
    offset = encoder.length // 2 if config.offset is None else config.offset
    # The folder is held from the start: a second run into it is refused before its work, not after hours of it.
    with locked_output_folder(out, "variants"):
        checkpoint, variants = _checkpoint(run, config, offset, out), []
        try:
            with Genome(genome_path) as genome:
                variants, counts, padded = _read_variants(vcf, genome, config, encoder.length, offset)
                effects = score_variants(run.model, encoder, genome, variants, config, scale=run.output_scale,
                                         checkpoint=checkpoint)
                if checkpoint.reused:
                    log.info("took the scores of %s SNV(s) from %s", f"{checkpoint.reused:,}", checkpoint.folder)
                rows, figures = variant_logo_figures(run, genome, variants, effects, offset, top, config.batch_size)
            summary = {"run": str(Path(run.path).resolve()),  # absolute: the report compares it with its own run
                       "vcf": str(vcf), "genome": str(genome_path), "snvs": counts.snvs,
                       "skipped_indels": counts.indels, "skipped_mismatches": counts.mismatches,
                       "repeated": counts.duplicates, "padded_windows": padded,
                       "window_length": encoder.length, "offset": offset, "null": config.null, "seed": config.seed,
                       # what max_abs_delta and the p-values compare: targets of different sizes in their own SDs
                       "max_abs_delta_unit": ("target SD" if effects.scale is not None
                                              else "value" if run.task == "regression" else "probability"),
                       # no logo, no method of one (--top 0)
                       "logo_method": method_label(LOGO_ATTRIBUTION.checked()) if rows else None, "top": rows}
            table = variants_table(variants, effects, run.output_names, run.task)
            earlier_logos = _earlier_logos(out)
            if not own:  # the logos' names are known now
                check_own_folder(out, SUMMARY_FILE, _is_variants_summary, figures, "variants")
            else:  # a logo's namesake that the earlier run did not draw is the user's
                refuse_unlisted(out, figures, earlier_logos, SUMMARY_FILE, "variants")
            # All renamed into place at the end, variants.json (which lists the logos) last: a stop while the logos are
            # drawn (or a second signal) leaves an earlier run's files whole, not a mix of two runs.
            with staged_outputs() as stage:
                for image, draw in figures.items():
                    check_stop()
                    save_figure(draw(), stage(out / image, ".png"))
                write_text(stage(out / VARIANTS_FILE), table)
                write_json(stage(out / SUMMARY_FILE), summary)  # staged last: renamed last
        except StopRequested:  # while scoring, or after: the scores not yet saved are kept
            checkpoint.save()
            if checkpoint.reused + checkpoint.saved:
                log.info("kept the scores of %s of %s SNV(s) in %s: the same command continues from them",
                         f"{checkpoint.reused + checkpoint.saved:,}", f"{len(variants):,}", checkpoint.folder)
            raise
        remove_unwritten(out, earlier_logos, figures)
        remove_kept_scores(out)  # of this run, or of a stopped one: now in variants.tsv
    log.info("scored %d SNV(s); wrote %s", counts.snvs, out / VARIANTS_FILE)
    report = find_report(out)
    if report is not None:
        warn_if_other_run(report, run, "variants")
        log.info("added the variants section to %s", render_report(report, run=run))
    return summary


def _read_variants(vcf: str, genome, config: VariantConfig, length: int, offset: int) -> tuple:
    """The SNVs of ``vcf``, the counts of what was skipped, and how many windows reach past a chromosome's end;
    each said on the log."""
    variants, counts = read_snvs(vcf, genome, config.skip_mismatches)
    if counts.indels:
        log.info("%s: skipped %d indel(s) and other non-SNV allele(s)", vcf, counts.indels)
    if counts.mismatches:
        log.warning("%s: skipped %d variant(s) whose REF disagrees with %s", vcf, counts.mismatches, genome.path)
    if counts.duplicates:
        log.warning("%s: %d SNV(s) repeat an earlier line (the same CHROM, POS and ALT); each line "
                    "is scored and listed", vcf, counts.duplicates)
    if not variants:
        skipped = [text for count, text in ((counts.indels, "indels, symbolic or other non-SNV alleles"),
                                            (counts.mismatches, "variants whose REF disagrees with the genome"))
                   if count]
        log.warning("%s holds no SNV to score (%s); variants.tsv has its header only", vcf,
                    "all skipped: " + " and ".join(skipped) if skipped else "no records")
    padded = padded_windows(genome, variants, length, offset)
    if padded:
        log.warning("%s: the %d-base windows of %d SNV(s) reach past a chromosome's start or end and are "
                    "padded with N there, which the model saw rarely or never in training", vcf, length, padded)
    return variants, counts, padded


def _checkpoint(run, config: VariantConfig, offset: int, out: Path) -> VariantCheckpoint:
    """Where the run keeps each chunk's scores (see :mod:`._variant_checkpoint`), with those an earlier run of the
    same model and options kept, which :func:`score_variants` takes for the same SNVs and windows."""
    scale = run.output_scale
    checkpoint = VariantCheckpoint(out, {"model": weights_digest(run.model), "length": run.dataset_encoder.length,
                                         # not --batch-size: a smaller one after running out of memory keeps them
                                         "offset": offset, "null": config.null, "seed": config.seed,
                                         "scale": None if scale is None else [float(value) for value in scale]})
    if checkpoint.kept_snvs:
        log.info("%s: the scores of %s SNV(s) kept by an earlier run that stopped; taken where the VCF and genome "
                 "give the same windows", checkpoint.folder, f"{checkpoint.kept_snvs:,}")
    return checkpoint


def top_variants(effects: VariantEffects, top: int) -> np.ndarray:
    """Rows of the ``top`` variants with the largest ``|delta|`` (ties in file order), as ``variants.tsv`` sorts."""
    return np.argsort(-effects.max_abs_delta, kind="stable")[:top]


def largest_change(deltas: np.ndarray, tolerance: float = 1e-5) -> np.ndarray:
    """Per row of ``deltas`` (shape=(variants, outputs)), the output whose change is largest; of changes equal
    within ``tolerance`` (relative), the first. Two classes of a softmax change by the same amount: float32 noise
    in the 7th digit chose between them, so logos of like variants explained opposite classes."""
    size = np.nan_to_num(np.abs(deltas), nan=-1.0)  # a NaN change is no change to explain (all NaN: the first)
    return (size >= size.max(axis=1, keepdims=True) * (1 - tolerance)).argmax(axis=1)


def variant_logo_figures(run, genome, variants: list, effects: VariantEffects, offset: int, top: int,
                         batch_size: int = 256) -> tuple:
    """The logos of the ``top`` variants: their rows of ``variants.json`` and how to draw each figure.

    The attributions are computed here (a stop is honoured between their batches); drawing waits
    for the caller, which saves each figure under its name. Each figure shows :data:`LOGO_FLANK`
    positions on either side of the variant, in genome coordinates, for the output whose
    probability (or value) the variant changes most.

    Returns
    -------
    list of dict, dict
        The rows, largest ``|delta|`` first, and image name -> a callable without arguments that
        draws that figure and returns it.
    """
    order = top_variants(effects, top)
    if not len(order):
        return [], {}
    chosen = [variants[row] for row in order]
    targets = largest_change(effects.scaled_delta[order])
    encoder = run.dataset_encoder
    logos = variant_logos(run.model, encoder, genome, chosen, targets, run.output_names, offset, run.task,
                          batch_size)
    first, last = max(offset - LOGO_FLANK, 0), min(offset + LOGO_FLANK + 1, encoder.length)
    digits = len(str(len(order)))
    value = "value" if run.task == "regression" else "p"
    rows, figures = [], {}
    for rank, (row, variant) in enumerate(zip(order.tolist(), chosen), start=1):
        target = int(targets[rank - 1])
        name = run.output_names[target]
        image = f"variant_{rank:0{digits}d}_{_safe(variant.chrom)}-{variant.pos}-{variant.ref}-{variant.alt}.png"
        # The log-odds of variants.tsv (its logit_delta), not the logit the attributions explain: one meaning here.
        titles = [f"{rank}. {variant.chrom}:{variant.pos} {variant.id} {kind} {letter}: {name} {value} "
                  f"{float(values[row, target]):.3f}"
                  + ("" if odds is None else f", log-odds {float(odds[row, target]):.2f}")
                  for kind, letter, values, odds in (("ref", variant.ref, effects.ref, effects.ref_log_odds),
                                                      ("alt", variant.alt, effects.alt, effects.alt_log_odds))]
        figures[image] = functools.partial(_logo_figure, logos.ref[rank - 1, first:last],
                                           logos.alt[rank - 1, first:last], encoder.alphabet.letters,
                                           variant.pos - offset + first, variant.pos, titles,
                                           genome.lengths[variant.chrom])
        rows.append({"rank": rank, "chrom": variant.chrom, "pos": variant.pos, "id": variant.id, "ref": variant.ref,
                     "alt": variant.alt, "target": name, "ref_value": float(effects.ref[row, target]),
                     "alt_value": float(effects.alt[row, target]), "delta": float(effects.delta[row, target]),
                     "p_value": None if np.isnan(effects.p_values[row]) else float(effects.p_values[row]),
                     "image": image})
    return rows, figures


def _logo_figure(ref, alt, letters: str, first_position: int, variant_position: int, titles, chrom_length: int):
    """The figure of :func:`motifnet.plot.variants.plot_variant_logos`, for the caller to save."""
    from ..plot.variants import plot_variant_logos

    return plot_variant_logos(ref, alt, letters, first_position, variant_position, titles,
                              chrom_length=chrom_length)[0].figure


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", text)[:40]


def _is_variants_summary(summary: dict) -> bool:
    """Whether a ``variants.json`` is one that ``variants`` wrote."""
    return "snvs" in summary and isinstance(summary.get("top"), list)


def _earlier_logos(out: Path) -> list:
    """The variant logos an earlier ``variants`` wrote to ``out``, as its ``variants.json`` lists them.

    Only names of the logos' form: a file the user named otherwise stays whatever that file says.
    """
    try:
        earlier = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8")).get("top", [])
    except (OSError, ValueError, AttributeError):
        return []
    names = [entry.get("image") if isinstance(entry, dict) else None for entry in
             (earlier if isinstance(earlier, list) else [])]
    return [name for name in names if isinstance(name, str) and _LOGO_NAME.match(name)]
