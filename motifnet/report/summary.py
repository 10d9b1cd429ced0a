"""``summary.html``: one offline page with the data, training, metrics, kernels and attribution maps.

The page is rendered whole, never patched, by :func:`render_report` from what the report
folder keeps for each section:

- ``report.json`` (written by ``visualize-kernels``, :func:`write_report_state`): the run's facts and
  metrics, the curve images, the kernels and the distinct motifs, as plain JSON;
- ``attribution.json`` in the folder and its immediate subfolders (written by ``motifnet
  attribute``, see :mod:`motifnet.report.attributions`);
- ``patterns.json`` in the folder and its immediate subfolders (written by ``motifnet motifs``,
  see :mod:`motifnet.report.patterns`);
- ``scan.json`` and ``marginalize.json`` in the folder and its immediate subfolders (written by
  ``motifnet scan`` and ``motifnet marginalize``, see :mod:`motifnet.report.motif_sites`);
- ``variants.json`` in the folder and its immediate subfolders (written by ``motifnet variants``,
  see :mod:`motifnet.report.variants`);
- the grid search the run is the best of, when there is one (read from the search folder).

Rendered with Jinja2 (autoescape on) from ``templates/summary.html``; images are linked by
relative path and live beside the page (attribution logos in subfolders).

Report folders written before ``report.json`` existed (by an older motifnet) hold only the page:
:func:`render_report` renders them again from the run, without the kernel section, and says
that ``visualize-kernels`` restores it.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
from pathlib import Path

from .._io import write_json, write_text
from .._version import __version__
from ..data.dataset import Dataset
from ..errors import InputError
from ..model.params import changed_from_preset
from ..motifs.colocation import SAME_SITES, SIMILAR_P, SIMILAR_SITES
from ..motifs.distinct import SAME_P, class_ranks
from ..run.info import describe_structure
from ..run.rundir import Run, read_metrics
from ._templates import environment
from .attributions import report_entries
from .curves import curve_images, write_curves
from .motif_sites import marginalize_entries, scan_entries
from .patterns import report_entries as pattern_entries
from .search_summary import search_link
from .variants import variant_entries

log = logging.getLogger("motifnet")

PAGE = "summary.html"
STATE = "report.json"
#: Version of the layout of ``report.json``; a report folder with another one is rendered as an old one.
STATE_FORMAT = 1
# What identifies the page of a run report (a grid search's summary.html has another title).
_RUN_PAGE_TITLE = "<title>motifnet report: "


def write_report_state(run: Run, out: Path, dataset: Dataset, kernels, data_label: str,
                       motif_database: str | None = None, distinct=None, n_kernels: int | None = None,
                       outputs=None, not_matched: str | None = None) -> None:
    """Write the curve images and ``report.json`` into ``out``; :func:`render_report` renders ``summary.html`` from
    the folder the report ends up in.

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    out : pathlib.Path
        The folder the files are written to.
    dataset : motifnet.data.dataset.Dataset
        The records the kernels were looked at in.
    kernels : list of motifnet.workflows.visualize.KernelPlots
        The kernels with plots, most important first.
    data_label : str
        How the report names the data looked at.
    motif_database : str or None
        What the kernels were matched against.
    distinct : list of (MotifGroup, str or None) or None
        Distinct motifs and their logos, shown first (see :mod:`motifnet.motifs.distinct`).
    n_kernels : int or None
        Kernels in all, when ``kernels`` holds only the plotted ones.
    outputs : list of str or None
        The names of the other files the run writes into the report folder. With them, ``report.json`` lists
        every file of the run (``outputs``: these, the curve images, itself and the page), so that a rerun
        removes only those. Default is None: no list.
    not_matched : str or None
        Why the kernels were not matched with known motifs (the page says it), where they were not.
    """
    curves = write_curves(run, out)
    state = {
        "format": STATE_FORMAT,
        "motifnet_version": __version__,
        "run_folder": str(Path(run.path).resolve()),
        "run": run_facts(run),
        "curves": curves,
        "kernels": kernel_section(dataset, kernels, data_label, motif_database, distinct, n_kernels, not_matched),
    }
    if outputs is not None:
        state["outputs"] = sorted({*outputs, *(image[0] for image in curves), STATE, PAGE})
    write_json(out / STATE, state)


def render_report(report_dir, run: Run | None = None) -> Path:
    """Render ``summary.html`` of a report folder whole, with every section the folder has.

    Parameters
    ----------
    report_dir : path
        A folder written by ``visualize-kernels``.
    run : motifnet.run.rundir.Run or None
        The run, for a folder without a readable ``report.json`` (written by an older motifnet):
        its page is rendered from the run's facts and the images already in the folder, without
        the kernel section, and a warning says that ``visualize-kernels`` restores it.

    Returns
    -------
    pathlib.Path
        The page.

    Raises
    ------
    InputError
        The folder has no readable ``report.json`` and no ``run`` is given.
    """
    report_dir = Path(report_dir)
    state, problem = _read_state(report_dir)
    if state is None:
        if run is None:
            raise InputError(f"{report_dir}: not a report folder of visualize-kernels ({problem})")
        log.warning("%s has %s: its page is rendered without the kernel section; run visualize-kernels "
                    "again to restore it", report_dir, problem)
        state = _state_of_old_folder(report_dir, run)
    context = {
        **state["run"],
        "curves": state["curves"],
        **_NO_KERNELS, **(state["kernels"] or {}),  # a report.json of an older motifnet lacks the newer keys
        "kernel_section": state["kernels"] is not None,
        "motif_files": _motif_files(state),
        "attributions": _marked_other_runs(report_entries(report_dir), state["run_folder"]),
        "patterns": _marked_other_runs(pattern_entries(report_dir), state["run_folder"]),
        "scans": scan_entries(report_dir),
        "marginalizations": _marked_other_runs(marginalize_entries(report_dir), state["run_folder"]),
        "variants": _marked_other_runs(variant_entries(report_dir), state["run_folder"]),
        "search": search_link(Path(state["run_folder"]), report_dir),  # the run is the best of a grid search
        "version": __version__,
        "generated": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "grouping": {"same_p": _exponent(SAME_P), "same_sites": SAME_SITES, "similar_sites": SIMILAR_SITES,
                     "similar_p": _exponent(SIMILAR_P)},
    }
    html = environment().get_template(PAGE).render(**context)
    path = report_dir / PAGE
    write_text(path, html)
    return path


def other_run(entry_run, run_folder) -> str | None:
    """``entry_run`` (the run a section's ``.json`` names), when it is not the report's run ``run_folder``."""
    # A relative path (written by a motifnet before sections recorded absolute ones) is unknown: it was relative to
    # a working folder that is not known now.
    if not isinstance(entry_run, str) or not run_folder or not Path(entry_run).is_absolute():
        return None
    try:
        same = Path(entry_run).resolve() == Path(run_folder).resolve()
    except (OSError, RuntimeError):
        same = False
    return None if same else entry_run


def warn_if_other_run(report_dir, run, section: str) -> None:
    """Warn that the report of ``report_dir`` shows another run than ``run``, whose ``section`` is added to it
    (the section names its run on the page)."""
    state, _ = _read_state(Path(report_dir))
    theirs = other_run(str(Path(run.path).resolve()), state["run_folder"]) if state is not None else None
    if theirs is not None:
        log.warning("%s is the report of %s: the %s section of %s added to it is marked as another run's",
                    report_dir, state["run_folder"], section, run.path)


def _marked_other_runs(entries: list, run_folder) -> list:
    """``entries`` with ``other_run`` set where a section explains another run's model than the report's."""
    for entry in entries:
        entry["other_run"] = other_run(entry.get("run"), run_folder)
    return entries


def _exponent(value: float) -> str:
    """``1e-4``, not Python's ``1e-04``."""
    return f"{value:.0e}".replace("e-0", "e-")


def find_report(folder) -> Path | None:
    """The report folder whose page shows what ``motifnet attribute`` wrote to ``folder``, or None.

    ``folder`` itself or its parent, the first that holds motifnet's ``report.json`` or a run report's
    ``summary.html`` (an older motifnet wrote no ``report.json``). A ``report.json`` of another tool beside a page
    that is not motifnet's makes no report folder: that page is the user's, which rendering would replace.
    """
    folder = Path(folder)
    for candidate in (folder, folder.resolve().parent):
        if _read_state(candidate)[0] is not None or _is_run_page(candidate / PAGE):
            return candidate
    return None


def _is_run_page(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return _RUN_PAGE_TITLE in handle.read(4096)
    except OSError:
        return False


# -- the sections visualize-kernels keeps in report.json ----------------------------------------------------

def run_facts(run: Run) -> dict:
    """The run's data, model, training and test metrics, as the page shows them."""
    meta = run.meta
    data = meta["data"]
    encoder = data["encoder"]
    alphabet = f"{encoder['alphabet']['name']} ({encoder['alphabet']['letters']})"
    if encoder.get("structure_alphabet"):
        alphabet += f"; structure {describe_structure(encoder)}"
    return {
        "title": f"motifnet report: {run.path.name}",
        "run_path": str(run.path),
        "training": {**meta["training"], "status": run.status},  # a killed run's "running" is "interrupted"
        "seed": meta.get("seed"),
        # Runs from before presets were trained with pysster's values.
        "preset": meta.get("preset", "pysster"),
        # Preset auto: which preset it took, and why (input-derived text, escaped by the template).
        "preset_reason": (meta.get("preset_choice") or {}).get("reason"),
        "alphabet": alphabet,
        "length": encoder["length"],
        "resized": encoder.get("resize"),
        "multi_label": data["multi_label"],
        "classes": [[name, count] for name, count in zip(data["class_names"], data["records_per_class"])],
        "records_of_no_class": data.get("records_of_no_class") or 0,  # multi-label: records with no class index
        "files": data["files"],
        "split": meta["split"],
        "origin": describe_origin(data.get("origin"), meta["split"]),
        "params": meta["params"],
        # name -> the preset's value, for those the run changed (--param, --params)
        "preset_values": changed_from_preset(meta.get("preset", "pysster"), meta["params"],
                                             meta.get("params_given", ())),
        "metrics": read_metrics(run.path),
        "regression": _regression_facts(meta),
    }


def describe_origin(origin: dict | None, split: dict) -> list:
    """How genomic inputs, a generated background and a chromosome hold-out were made, as (term, text) pairs.

    Empty for plain FASTA input split at random (``origin`` is ``data.origin`` of ``motifnet.json``).
    """
    facts = []
    origin = origin or {}
    if origin.get("genome"):
        windows = f"; windows of {origin['window_length']} bases around each BED line's summit or centre" \
            if origin.get("window_length") else ""
        facts.append(("genome", f"{origin['genome']['path']} ({origin['genome']['chromosomes']} chromosomes){windows}"))
    background = origin.get("background")
    if background:
        kind = background.get("kind")
        if kind == "shuffle":
            text = (f"{background['records']} shuffled copies of the inputs, each keeping its "
                    f"{background['shuffle_k']}-mer counts ({background['ratio']:g} per input, "
                    f"seed {background['seed']})")
        elif kind == "genomic":
            text = (f"{background['records']} random windows of the genome matched to the inputs' GC content in bins "
                    f"of 0.1 and overlapping no input ({background['ratio']:g} per input, seed {background['seed']})")
        else:
            text = f"the records of {background.get('path')}"
        facts.append(("class background", text))
    if split.get("val_chroms") or split.get("test_chroms"):
        held = [f"{group} {', '.join(split[key])}" for group, key in (("validation", "val_chroms"),
                                                                         ("test", "test_chroms")) if split.get(key)]
        facts.append(("chromosome hold-out", "; ".join(held)))
    if split.get("dropped_overlapping"):
        facts.append(("dropped", f"{split['dropped_overlapping']} validation/test window(s) overlapping a training "
                                 "window"))
    return facts


def _regression_facts(meta: dict) -> dict | None:
    """Targets (training mean and sd) and the epistatic landscape of a regression run; None otherwise."""
    if meta["data"].get("task") != "regression":
        return None
    described = meta.get("regression", {})
    names = meta["data"]["target_names"]
    means = described.get("mean", [None] * len(names))
    sds = described.get("std", [None] * len(names))
    return {"targets": [[name, _number(mean), _number(sd)] for name, mean, sd in zip(names, means, sds)],
            "epistasis": described.get("epistasis")}


def _motif_files(state: dict) -> list:
    """The kernels' motif files the report's run wrote (``--formats``; ``motifs_structure.*`` too for a model of
    sequence and structure): the page links those alone. A report.json without the list of its files (older
    motifnet) had motifs.meme, as every run then wrote it."""
    from ..motifs.export import FORMATS

    outputs = state.get("outputs", ["motifs.meme"])
    return [f"{stem}.{name}" for stem in ("motifs", "motifs_structure") for name in FORMATS
            if f"{stem}.{name}" in outputs]


def kernel_section(dataset: Dataset, kernels, data_label: str, motif_database: str | None = None, distinct=None,
                   n_kernels: int | None = None, not_matched: str | None = None) -> dict:
    """The kernel and distinct-motif sections as plain values (see :func:`write_report_state`)."""
    distinct = distinct or []
    ranks = class_ranks([group for group, _ in distinct])
    return {
        "data_label": data_label,
        "n_sequences": len(dataset),
        "class_names": ["all"] if dataset.task == "regression" else list(dataset.class_names),
        "motif_database": motif_database,
        "not_matched": not_matched,
        "n_kernels": n_kernels if n_kernels is not None else len(kernels),
        "kernels": [_kernel_entry(item) for item in kernels],
        "distinct": [[_group_entry(group, rank), image] for (group, image), rank in zip(distinct, ranks)],
    }


def _kernel_entry(item) -> dict:
    return {
        "kernel": int(item.kernel),
        "importance": float(item.importance),
        "top_class": item.top_class,
        "correlation": _number(item.correlation),
        "target": item.target,
        "consensus": item.consensus,
        "structure_consensus": item.structure_consensus,
        "sites": int(item.sites),
        "class_means": [_number(value) for value in item.class_means],
        "images": list(item.images),
        "top_sites": [[str(record_id), float(value), int(start)] for record_id, value, start in item.top_sites],
        "best_match": _match_entry(item.best_match),
    }


def _group_entry(group, class_rank: int | None) -> dict:
    return {"best_kernel": int(group.best_kernel), "influence": _number(group.influence),
            "importance": float(group.importance),
            "top_class": group.top_class, "class_rank": class_rank, "correlation": _number(group.correlation),
            "target": group.target, "members": [int(kernel) for kernel in group.members], "sites": int(group.sites),
            "consensus": group.consensus, "structure_consensus": group.structure_consensus,
            "best_match": _match_entry(group.best_match)}


def _match_entry(match) -> dict | None:
    """What the page shows of a known-motif match (``motifnet.motifs.matching.MotifMatch``)."""
    if match is None:
        return None
    return {"target_id": match.target_id, "target_name": match.target_name, "p_value": float(match.p_value),
            "q_value": float(match.q_value), "orientation": match.orientation, "offset": int(match.offset),
            "also": list(getattr(match, "also", ()))}


def _number(value) -> float | None:
    """A float for JSON: None for a missing or undefined (NaN) value, which the page shows as n/a."""
    if value is None or math.isnan(float(value)):
        return None
    return float(value)


# -- reading them back ----------------------------------------------------------------------------------------

_NO_KERNELS = {"data_label": None, "n_sequences": None, "class_names": [], "motif_database": None, "n_kernels": 0,
               "kernels": [], "distinct": [], "not_matched": None}
#: Keys of _NO_KERNELS that a report.json of an older motifnet lacks: the page goes without them, not without its
#: kernel section.
_NEWER_KERNEL_KEYS = ("not_matched",)
_STATE_KEYS = {"run_folder": str, "run": dict, "curves": list, "kernels": dict}
_RUN_KEYS = ("title", "run_path", "training", "seed", "alphabet", "length", "resized", "multi_label", "classes",
             "files", "split", "params", "metrics", "regression")


def _read_state(report_dir: Path) -> tuple:
    """``report.json`` of a report folder, checked: (state, None), or (None, what is wrong with it)."""
    path = report_dir / STATE
    if not path.is_file():
        return None, f"no {STATE} (written by an older motifnet)"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != STATE_FORMAT:
            return None, f"a {STATE} of another format ({state.get('format')!r})"
        wrong = [key for key, kind in _STATE_KEYS.items() if not isinstance(state.get(key), kind)]
        kernel_keys = [key for key in _NO_KERNELS if key not in _NEWER_KERNEL_KEYS]
        for section, keys in (("run", _RUN_KEYS), ("kernels", kernel_keys)):
            if isinstance(state.get(section), dict):
                wrong += [f"{section}.{key}" for key in keys if key not in state[section]]
        if wrong:
            return None, f"a damaged {STATE} (missing or wrong: {', '.join(wrong)})"
    except (OSError, ValueError, AttributeError) as error:
        return None, f"an unreadable {STATE} ({type(error).__name__}: {error})"
    return state, None


def _state_of_old_folder(report_dir: Path, run: Run) -> dict:
    """What can be read for a report folder without ``report.json``: the run's facts and the curves drawn then."""
    return {"run_folder": str(Path(run.path).resolve()), "run": run_facts(run),
            "curves": [list(image) for image in curve_images(run) if (report_dir / image[0]).is_file()],
            "kernels": None}
