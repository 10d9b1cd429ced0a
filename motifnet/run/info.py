"""A readable description of a run folder (``motifnet info``)."""

from __future__ import annotations

from pathlib import Path

from ..data.fasta import display_name
from ..errors import RunDirError
from ..model.params import changed_from_preset, from_json, to_json
from .evaluation import format_metric
from .rundir import METRICS, Run, read_metrics


def layer_rows(model) -> list:
    """(name, type, output shape, nodes, weights) for each layer of the model."""
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape) if shape is not None else ()
        nodes = shape[-1] if shape else ""
        rows.append((layer.name, layer.__class__.__name__, str(shape[1:]), nodes, layer.count_params()))
    return rows


def describe_structure(encoder: dict) -> str:
    """A structure alphabet as info and the report show it: ``letters ( ) .`` (one letter per position) or
    ``profile over ...`` (probabilities of each); spaced, as its letters may be marks that read as punctuation."""
    kind = "profile over" if encoder["structure_mode"] == "pwm" else encoder["structure_mode"]
    return f"{kind} {' '.join(encoder['structure_alphabet']['letters'])}"


def describe_run(run: Run) -> str:
    meta = run.meta
    data = meta["data"]
    encoder = data["encoder"]
    status = run.status
    if status != meta["training"].get("status"):
        status = f"{status} (no live process holds the run)"
    best, epochs = meta["training"].get("best_epoch"), meta["training"].get("epochs_run")
    progress = f"best epoch {_or_none(best)} of {epochs}" if epochs else "no epoch finished"
    lines = [f"run folder: {run.path}", f"motifnet version: {meta.get('motifnet_version')}",
             f"training: {status}, {progress}", f"seed: {meta.get('seed')}", "",
             f"alphabet: {encoder['alphabet']['name']} ({encoder['alphabet']['letters']})"]
    if encoder.get("structure_alphabet"):
        lines.append(f"structure: {describe_structure(encoder)}")
    lines.append(f"length: {encoder['length']}{' (centre-cropped/padded)' if encoder.get('resize') else ''}")
    if data.get("task") == "regression":
        from .regression import info_lines

        lines += info_lines(meta)
    else:
        lines.append(f"labels: {'multi-label' if data['multi_label'] else 'single-label'}")
        unlabelled = data.get("records_of_no_class")  # multi-label runs of 2026-12-06 on
        lines.append("classes: " + ", ".join(f"{name} ({count})" for name, count in
                                              zip(data["class_names"], data["records_per_class"]))
                     + (f"; records of no class: {unlabelled}" if unlabelled else ""))
    for entry in data["files"]:
        # Standard input is read once: the checksum is of its records as read, not of its bytes.
        kind = "records sha256" if entry["path"] == display_name("-") else "sha256"
        checksum = f", {kind} {entry['sha256']}" if entry["sha256"] else ""  # none for records motifnet made
        lines.append(f"input: {entry['path']} ({entry['records']} records{checksum})")
    fold = meta.get("fold")
    if not isinstance(fold, dict):  # a train --fold run records the files it folded instead (below)
        read = {entry["path"] for entry in data["files"]}
        for entry in meta.get("inputs") or []:  # features, tracks, targets, reference, background
            if isinstance(entry, dict) and entry.get("path") not in read and entry.get("path") != "-":  # stdin: above
                lines.append(f"input: {entry.get('path')} (sha256 {entry.get('sha256')})")
    if data.get("tracks"):
        lines.append(f"tracks: {', '.join(data['tracks'])} (predict needs --track NAME=FILE for each, one file per "
                     "FASTA file)")
    if isinstance(data.get("features"), dict):
        lines.append(f"features: {', '.join(data['features'].get('names') or [])} (predict needs --features FILE, "
                     "one per FASTA file)")
    if isinstance(fold, dict):  # train --fold: the inputs above are the folded copies of these
        sampled = fold.get("format") == "profile" and not fold.get("exact") and not fold.get("window")
        settings = ", ".join(f"{key} {value}" for key, value in fold.items()
                             if value not in (None, False) and (key != "seed" or sampled))
        sources = ", ".join(entry["path"] for entry in meta.get("inputs") or [] if isinstance(entry, dict))
        lines.append(f"folded by train --fold ({settings}) from: {sources or 'files not recorded'}")
    for layer, entry in meta.get("adjacency", {}).items():
        lines.append(f"adjacency of {layer}: {entry['path']} ({entry['shape'][0]} x {entry['shape'][1]}, "
                     f"{entry['connections']} connections, sha256 {entry['sha256']})")
    origin = data.get("origin") or {}
    if origin.get("genome"):
        window = f", windows of {origin['window_length']}" if origin.get("window_length") else ""
        lines.append(f"genome: {origin['genome']['path']} ({origin['genome']['chromosomes']} chromosomes{window})")
    background = origin.get("background") or {}
    if background.get("kind") in ("shuffle", "genomic"):
        made = (f"shuffled inputs keeping their {background.get('shuffle_k', 2)}-mer counts"
                if background["kind"] == "shuffle" else "GC-matched windows of the genome")
        lines.append(f"background: {background['kind']}, {made}, ratio {background['ratio']:g}, seed "
                     f"{background['seed']}")
    split = meta["split"]
    chroms = "".join(f", {group} chromosomes {', '.join(split[f'{group}_chroms'])}" for group in ("val", "test")
                     if split.get(f"{group}_chroms"))
    lines.append(f"split: train {split['train']}, val {split['val']}, test {split['test']}{chroms}")
    # Runs from before a parameter existed were built as its pysster value: from_json fills those in.
    reason = (meta.get("preset_choice") or {}).get("reason")
    chosen = f", chosen by preset auto for {reason}" if reason else ""
    preset = meta.get("preset", "pysster")
    params = to_json(from_json(meta["params"]))
    changed = changed_from_preset(preset, meta["params"], meta.get("params_given", ()))
    lines += ["", f"parameters (preset {preset}{chosen}{'; * set by --param or --params' if changed else ''}):"] + [
        f"  {key} = {value}" + (f"  * (preset: {changed[key]})" if key in changed else "")
        for key, value in params.items()]
    missing = run.missing_model()
    if missing:  # a diverged or stopped training: the rest of the run is still worth showing
        lines += ["", f"layers: none; {missing}"]
    else:
        try:
            lines += ["", "layers (name, type, output shape, nodes, weights):"] + _layer_lines(run.model)
        except RunDirError as error:  # a damaged model.keras: the data, parameters and metrics are still there
            lines += ["", f"layers: none; {error}"]
    metrics = read_metrics(run.path)
    lines.append("")
    if metrics and metrics.get("task") == "regression":
        from .regression import metrics_lines

        lines += metrics_lines(metrics)
    elif metrics:
        lines.append(f"test metrics ({metrics['n']} records): ROC-AUC mean {format_metric(metrics['roc_auc_mean'])}, "
                     f"PR-AUC mean {format_metric(metrics['pr_auc_mean'])}")
        for name, scores in metrics["per_class"].items():
            lines.append(f"  {name}: ROC-AUC {format_metric(scores['roc_auc'])}, PR-AUC "
                         f"{format_metric(scores['pr_auc'])}, {scores['positives']} positives")
    elif run.status in ("diverged", "failed"):
        lines.append(f"test metrics: none (training {run.status})")
    elif run.status == "complete":
        lines.append(f"test metrics: none (training is complete, but {METRICS} is missing or damaged)")
    elif run.status == "running":
        lines.append("test metrics: none yet (training is running)")
    elif (Path(run.path).parent / "search.json").is_file():  # grid-search's best/: the search retrains it
        lines.append("test metrics: none yet (training stopped before it finished; run the same motifnet "
                     "grid-search command again to continue it)")
    else:  # stopped by a signal, or killed: --resume goes on from the last finished epoch
        lines.append("test metrics: none yet (training stopped before it finished; run the same motifnet train "
                     "command with --resume to continue it)")
    return "\n".join(lines)


def _layer_lines(model) -> list:
    """One line per layer of :func:`layer_rows`, in columns as wide as their longest entry (layer types vary)."""
    from ..model.layers import sparse_weights

    rows = [[str(value) for value in row] for row in layer_rows(model)]
    widths = [max([minimum] + [len(row[i]) for row in rows]) for i, minimum in enumerate((20, 20, 16, 6))]
    lines = []
    for name, kind, shape, nodes, weights in rows:
        sparse = sparse_weights(model.get_layer(name))
        note = f"  (sparse: {sparse[0]} of {sparse[1]} weights live)" if sparse else ""
        lines.append(f"  {name:<{widths[0]}} {kind:<{widths[1]}} {shape:<{widths[2]}} {nodes:<{widths[3]}} "
                     f"{weights}{note}")
    return lines


def _or_none(value) -> str:
    return "none" if value is None else str(value)
