"""Outputs of ``motifnet attribute``: ``attributions.npz``, logos of the top sequences,
``attribution.json``, and the attribution section of an existing ``summary.html``.

The report rule: when ``summary.html`` (written by ``visualize-kernels``) is in OUT_DIR or in
its parent folder, its attribution section is rewritten from every ``attribution.json`` in
that report folder and its immediate subfolders (one per ``attribute`` output), so several
methods can be shown side by side (``-o report/deeplift``, ``-o report/ism``).
``visualize-kernels`` keeps the section when it writes the report again.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import numpy as np

from .._io import write_json, write_npz, write_text
from .._progress import Progress
from .._version import __version__
from ..interpret.attribution import AttributionConfig, attribute, strongest_windows
from ..report.attributions import SUMMARY, render_section

log = logging.getLogger("motifnet")


NPZ = "attributions.npz"
REPORT = "summary.html"
_SECTION_BEGIN = "<!-- attribution section: begin -->"
_SECTION_END = "<!-- attribution section: end -->"
#: Sequences longer than this are drawn as a profile of the whole sequence and logos of a window.
MAX_LOGO_POSITIONS = 120
DEFAULT_WINDOW = 10

METHOD_LABELS = {
    "saliency": "saliency (|gradient| of the target logit)",
    "grad-input": "gradient x input",
    "integrated-gradients": "integrated gradients",
    "deeplift": "DeepLIFT (rescale rule)",
    "ism": "in-silico mutagenesis",
}
SCORE_LABELS = {
    "saliency": "saliency of the observed letter",
    "grad-input": "gradient x input of the observed letter",
    "integrated-gradients": "attribution summed over the letters of each position",
    "deeplift": "attribution summed over the letters of each position",
    "ism": "minus the mean change of the logit over the substitutions of each position",
}
#: Short y-axis labels of the logos.
AXIS_LABELS = {"saliency": "|gradient|", "grad-input": "grad x input", "integrated-gradients": "attribution",
               "deeplift": "attribution", "ism": "-mean change"}


def method_label(config: AttributionConfig) -> str:
    label = METHOD_LABELS[config.method]
    if config.method == "integrated-gradients":
        label += f", {config.steps} steps"
    if config.baseline == "shuffle":
        label += f", baseline: {config.shuffles} dinucleotide shuffles (seed {config.seed})"
    elif config.baseline:
        label += f", baseline: {config.baseline}"
    return label


# -- numbers behind the plots ----------------------------------------------------------------------------

def logo_heights(scores: np.ndarray, sequence: np.ndarray, encoder) -> tuple:
    """Letter heights of an attribution logo: each position's score on its observed letter(s).

    Parameters
    ----------
    scores : numpy.ndarray, shape=(length,)
        Per-position scores (:attr:`motifnet.interpret.attribution.Attributions.scores`).
    sequence : numpy.ndarray, shape=(length, channels)
        The model input of the sequence (track channels after the sequence channels are ignored).
    encoder : motifnet.data.encoding.Encoder

    Returns
    -------
    (sequence_heights, structure_heights)
        shape=(length, letters), and shape=(length, structure_letters) or None. A position's
        score goes to its letter (split by the encoding for ambiguity codes, 0 for padding),
        and for sequence+structure models also to its structure letter(s) in the second matrix.
    """
    encoded = np.asarray(sequence, dtype=np.float64)[:, :encoder.channels]
    scores = np.asarray(scores, dtype=np.float64)[:, None]
    if encoder.structure is None:
        return scores * encoded, None
    joint = encoded.reshape(len(encoded), len(encoder.alphabet.letters), len(encoder.structure.letters))
    return scores * joint.sum(axis=2), scores * joint.sum(axis=1)


def decode(encoder, codes: np.ndarray) -> tuple:
    """Letters of a row of codes: the sequence and the structure string (or None); '-' is padding."""
    codes = np.asarray(codes, dtype=np.int64)
    sequence_symbols = "-" + encoder.alphabet.symbols
    if encoder.structure_mode != "letters":
        return "".join(sequence_symbols[c] for c in codes), None
    n_struct = len(encoder.structure.symbols) + 1
    structure_symbols = "-" + encoder.structure.symbols
    return ("".join(sequence_symbols[c // n_struct] for c in codes),
            "".join(structure_symbols[c % n_struct] for c in codes))


def completeness(result) -> dict | None:
    """How closely attributions sum to the change of the logit (integrated gradients, DeepLIFT)."""
    if result.reference_logits is None:
        return None
    difference = result.logits.astype(np.float64) - result.reference_logits
    values = result.values  # possibly memory-mapped: summed a block of records at a time
    totals = np.concatenate([np.asarray(values[start:start + 1024]).sum(axis=(1, 2), dtype=np.float64)
                             for start in range(0, len(values), 1024)])
    error = np.abs(totals - difference) / np.maximum(np.abs(difference), 1e-12)
    return {"median_relative_error": float(np.median(error)), "max_relative_error": float(np.max(error)),
            "mean_logit_difference": float(np.mean(difference))}


def top_order(probabilities: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest probabilities, highest first (ties: input order)."""
    return np.argsort(-np.asarray(probabilities, dtype=np.float64), kind="stable")[:count]


# -- plots ---------------------------------------------------------------------------------------------------

def plot_attribution_logo(heights: np.ndarray, letters: str, ax=None, title: str | None = None,
                          structure: bool = False, first_position: int = 1, ylabel: str = "attribution"):
    """Draw an attribution logo: letters above zero support the target, letters below oppose it.

    Parameters
    ----------
    heights : numpy.ndarray, shape=(positions, letters)
        Signed letter heights (see :func:`logo_heights`).
    letters : str
    ax : matplotlib Axes or None
    title : str or None
    structure : bool
        Use structure-letter colours.
    first_position : int
        Number of the first position on the axis (1-based positions).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from ..plot.figures import letter_colors

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 2))
    heights = np.asarray(heights, dtype=np.float64)
    _draw_glyphs(ax, heights, letters, letter_colors(letters, structure), first_position)
    top = max(float(np.clip(heights, 0, None).sum(axis=1).max(initial=0)), 0.0)
    bottom = min(float(np.clip(heights, None, 0).sum(axis=1).min(initial=0)), 0.0)
    span = max(top - bottom, 1e-9)
    ax.set_ylim(bottom - 0.06 * span, top + 0.06 * span)
    ax.axhline(0, color="0.55", linewidth=0.6, zorder=0)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlim(first_position - 0.5, first_position + len(heights) - 0.5)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return ax


def _draw_glyphs(ax, heights: np.ndarray, letters: str, colors: dict, first_position: int) -> int:
    """Stack logomaker glyphs: positive heights upwards from zero, negative ones downwards.

    Only letters with a height get a glyph (logomaker's ``Logo`` draws every letter at every
    position, which is several times slower for attribution logos, where one letter per
    position is non-zero). Larger heights sit further from zero. Returns the number of glyphs.
    """
    import logomaker

    for side in ax.spines.values():
        side.set_visible(False)
    scale = float(np.abs(heights).max(initial=0))
    drawn = 0
    for row, values in enumerate(heights):
        up = down = 0.0
        for column in np.argsort(np.abs(values), kind="stable"):
            value = float(values[column])
            if abs(value) <= 1e-9 * scale or value == 0:
                continue
            floor, ceiling = (up, up + value) if value > 0 else (down + value, down)
            logomaker.Glyph(first_position + row, letters[column], floor, ceiling, ax=ax, width=0.95,
                            font_name="DejaVu Sans Mono", color=colors[letters[column]])
            if value > 0:
                up = ceiling
            else:
                down = floor
            drawn += 1
    return drawn


def plot_letter_strip(matrix: np.ndarray, letters: str, ax, structure: bool = False, first_position: int = 1,
                      label: str = "sequence"):
    """The sequence itself, each letter at full height, under a logo whose letters may be tiny."""
    from ..plot.figures import letter_colors

    _draw_glyphs(ax, np.asarray(matrix, dtype=np.float64), letters, letter_colors(letters, structure),
                 first_position)
    ax.set_xlim(first_position - 0.5, first_position + len(matrix) - 0.5)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    return ax


def plot_letter_heatmap(values: np.ndarray, channel_names, ax, first_position: int = 1, label: str = "value"):
    """Every letter's value at every position (ISM changes, saliencies), centred on zero."""
    values = np.asarray(values, dtype=np.float64)
    limit = float(np.abs(values).max(initial=0)) or 1.0
    # Signed values on a diverging scale centred on zero; magnitudes (saliency) on a sequential one.
    signed = values.min(initial=0) < 0
    image = ax.imshow(values.T, aspect="auto", cmap="RdBu_r" if signed else "Reds", vmin=-limit if signed else 0,
                      vmax=limit, interpolation="nearest",
                      extent=(first_position - 0.5, first_position + len(values) - 0.5, len(channel_names) - 0.5,
                              -0.5))
    ax.set_yticks(np.arange(len(channel_names)))
    ax.set_yticklabels(channel_names, fontsize=7 if len(channel_names) > 8 else 8, family="DejaVu Sans Mono")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # The colour bar sits outside the axes so that every row keeps the same positions.
    bar = ax.inset_axes([1.008, 0.0, 0.008, 1.0])
    ax.figure.colorbar(image, cax=bar)
    bar.tick_params(labelsize=7)
    bar.set_ylabel(label, fontsize=7)
    return ax


def _position_ticks(ax, first: int, last: int) -> None:
    span = last - first + 1
    step = 1 if span <= 30 else 5 if span <= 60 else 10
    start = first if step == 1 else int(np.ceil(first / step) * step)
    ax.set_xticks(np.arange(start, last + 1, step))


def plot_sequence_attribution(result, index: int, sequence: np.ndarray, encoder, class_names, record_id: str,
                              rank: int | None = None, window_width: int = DEFAULT_WINDOW):
    """One figure for one sequence: attribution logo, the sequence's letters, and per-letter values.

    Rows: for sequences longer than :data:`MAX_LOGO_POSITIONS`, the score along the whole
    sequence with the shown window shaded; the logo (structure logo too for sequence+structure
    models); the sequence (and structure) letters; for ``saliency`` and ``ism`` a heat map of
    every letter's value.

    Returns
    -------
    matplotlib.figure.Figure
        The caller saves and closes it.
    """
    import matplotlib.pyplot as plt

    config = result.config
    scores = np.asarray(result.scores[index], dtype=np.float64)
    values = np.asarray(result.values[index], dtype=np.float64)
    length = len(scores)
    first, last = 0, length
    long = length > MAX_LOGO_POSITIONS
    if long:
        centre = int(strongest_windows(scores[None], window_width)[0]) + min(window_width, length) // 2
        first = int(np.clip(centre - MAX_LOGO_POSITIONS // 2, 0, length - MAX_LOGO_POSITIONS))
        last = first + MAX_LOGO_POSITIONS
    shown = slice(first, last)
    sequence_heights, structure_heights = logo_heights(scores, sequence, encoder)
    strip_sequence, strip_structure = logo_heights(np.ones(length), sequence, encoder)
    heatmap = config.method in ("saliency", "ism")
    rows = (["profile"] if long else []) + ["logo"] + (["structure"] if structure_heights is not None else [])
    rows += ["strip"] + (["strip_structure"] if strip_structure is not None else []) + (["heatmap"] if heatmap else [])
    heights = {"profile": 1.3, "logo": 1.9, "structure": 1.3, "strip": 0.32, "strip_structure": 0.32,
               "heatmap": 0.3 + 0.16 * values.shape[1]}
    width = float(np.clip(2.0 + 0.15 * (last - first), 7, 22))
    figure = plt.figure(figsize=(width, sum(heights[r] for r in rows) + 0.7), layout="constrained")
    grid = figure.add_gridspec(len(rows), 1, height_ratios=[heights[r] for r in rows])
    axes = {}
    for position, row in enumerate(rows):
        share = axes.get("logo") if row not in ("profile", "logo") else None
        axes[row] = figure.add_subplot(grid[position], sharex=share)

    target = int(result.targets[index])
    head = f"{rank}. " if rank is not None else ""
    value = "predicted" if result.task == "regression" else "probability"
    title = (f"{head}{record_id}: target {class_names[target]} ({value} {float(result.probabilities[index]):.3f}, "
             f"logit {float(result.logits[index]):.2f}); {method_label(config)}")
    letters = encoder.alphabet.letters
    first_position = first + 1
    if long:
        ax = axes["profile"]
        ax.bar(np.arange(1, length + 1), scores, width=1.0, color=np.where(scores >= 0, "#b2182b", "#2166ac"))
        ax.axvspan(first + 0.5, last + 0.5, color="0.85", zorder=0)
        ax.axhline(0, color="0.55", linewidth=0.6)
        ax.set_xlim(0.5, length + 0.5)
        ax.set_ylabel("score", fontsize=9)
        ax.set_title(title + f"\nwhole sequence; positions {first + 1}-{last} shown below", fontsize=10, loc="left")
    plot_attribution_logo(sequence_heights[shown], letters, ax=axes["logo"], first_position=first_position,
                          title=None if long else title, ylabel=AXIS_LABELS[config.method])
    if structure_heights is not None:
        plot_attribution_logo(structure_heights[shown], encoder.structure.letters, ax=axes["structure"],
                              structure=True, first_position=first_position, ylabel="structure")
    plot_letter_strip(strip_sequence[shown], letters, axes["strip"], first_position=first_position)
    if strip_structure is not None:
        plot_letter_strip(strip_structure[shown], encoder.structure.letters, axes["strip_structure"], structure=True,
                          first_position=first_position, label="structure")
    if heatmap:
        label = "change of logit" if config.method == "ism" else "|gradient|"
        plot_letter_heatmap(values[shown], result.channel_names, axes["heatmap"], first_position=first_position,
                            label=label)
    bottom = axes[rows[-1]]
    for row in rows:
        if row == "profile":
            continue
        axes[row].tick_params(axis="x", labelbottom=axes[row] is bottom, labelsize=8,
                              length=3.5 if axes[row] is bottom else 0)
        axes[row].set_xlabel("")
    _position_ticks(bottom, first_position, last)
    bottom.set_xlabel("position")
    return figure


# -- files --------------------------------------------------------------------------------------------------

def _file_name(rank: int, width: int, record_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", record_id).strip("._")[:60] or "record"
    return f"attribution_{rank:0{width}d}_{safe}.png"


def save_npz(path, result, dataset) -> None:
    """Write ``attributions.npz`` (no pickle; the attributions stream from ``result.values``)."""
    config = result.config
    names = list(dataset.output_names)
    arrays = {
        "attributions": result.values,
        "position_scores": result.scores,
        "ids": np.asarray(dataset.ids).astype(str),
        "labels": dataset.labels,
        "class_names": np.array(names, dtype=str),
        "target": result.targets.astype(np.int32),
        "target_name": np.array([names[t] for t in result.targets], dtype=str),
        "probability": result.probabilities.astype(np.float32),
        "logit": result.logits.astype(np.float32),
        "channel_names": np.array(result.channel_names, dtype=str),
        "method": np.array(config.method),
        "baseline": np.array(config.baseline or ""),
        "steps": np.array(config.steps or 0),
        "shuffles": np.array(config.shuffles or 0),
        "seed": np.array(config.seed),
    }
    if result.reference_logits is not None:
        arrays["reference_logit"] = result.reference_logits.astype(np.float32)
    write_npz(path, arrays)


def attribute_run(run, dataset, out_dir, config: AttributionConfig, top: int = 20,
                  data_label: str = "test split") -> dict:
    """Compute attributions for ``dataset`` with the run's model and write every output to ``out_dir``.

    Parameters
    ----------
    run : motifnet.run.rundir.Run
    dataset : motifnet.data.dataset.Dataset
        The records (see :func:`motifnet.run.selection.select_data`).
    out_dir : path
        Created if needed; gets ``attributions.npz``, ``attribution_<rank>_<id>.png`` for the
        ``top`` sequences with the highest probability of their target class, and
        ``attribution.json``. An existing report (``summary.html`` here or in the parent
        folder) gets its attribution section rewritten.
    config : AttributionConfig
    top : int
        Number of logos. Default is 20.
    data_label : str
        How the summary names the data.

    Returns
    -------
    dict
        The content of ``attribution.json``.

    Raises
    ------
    ParamError
        Bad options, an unknown target, DeepLIFT on a recurrent model.
    """
    from ..interpret.attribution import ism_channel_names
    from ..plot.figures import save_figure

    config = config.checked()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    encoder = dataset.encoder
    n = len(dataset)
    width = _window_width(run)
    log.info("%s of %d sequences (%s)", method_label(config), n, data_label)

    counter = Progress("attributions", total=n, unit="sequences")

    def progress(done, total):
        counter.update(done)

    for stale in out.glob("attribution_*.png"):  # logos of an earlier run here would be mistaken for these
        stale.unlink()
    channels = (len(ism_channel_names(encoder)) if config.method == "ism"
                else encoder.channels + len(dataset.track_names))
    # The attributions of every sequence go to a memory-mapped scratch file, so memory stays
    # bounded by the batch size however many sequences there are.
    scratch = tempfile.NamedTemporaryFile(dir=out, prefix=".attributions.", suffix=".npy", delete=False)
    scratch.close()
    try:
        values = np.lib.format.open_memmap(scratch.name, mode="w+", dtype=np.float32,
                                           shape=(n, encoder.length, channels))
        result = attribute(run.model, dataset, config, out=values, progress=progress)
        save_npz(out / NPZ, result, dataset)
        checks = completeness(result)
        if checks:
            log.info("attributions sum to the logit change within %.2g (median) / %.2g (worst) relative error%s",
                     checks["median_relative_error"], checks["max_relative_error"],
                     "; more --steps make integrated gradients closer" if config.method == "integrated-gradients"
                     else "")
        order = top_order(result.probabilities, min(top, n))
        windows = strongest_windows(result.scores[order], width) if len(order) else np.zeros(0, dtype=int)
        digits = len(str(max(len(order), 1)))
        rows = []
        for rank, (index, start) in enumerate(zip(order, windows), start=1):
            record_id = str(dataset.ids[index])
            sequence = dataset.model_inputs(np.array([index]))["sequence"][0]
            image = _file_name(rank, digits, record_id)
            save_figure(plot_sequence_attribution(result, int(index), sequence, encoder, dataset.output_names,
                                                  record_id, rank, width), out / image)
            letters, structure = decode(encoder, dataset.codes[index])
            stop = int(start) + min(width, encoder.length)
            rows.append({"rank": rank, "id": record_id, "target": dataset.output_names[int(result.targets[index])],
                         "probability": float(result.probabilities[index]), "logit": float(result.logits[index]),
                         "window_start": int(start) + 1, "window_end": stop,
                         "window_sequence": letters[int(start):stop],
                         "window_structure": structure[int(start):stop] if structure else None,
                         "window_score": float(np.sum(result.scores[index][int(start):stop])),
                         "image": image})
    finally:
        Path(scratch.name).unlink(missing_ok=True)
    target = ("each sequence's predicted class" if config.target is None and result.task != "regression"
              else dataset.output_names[int(result.targets[0])])
    summary = {
        "motifnet_version": __version__,
        "run": str(run.path),
        "method": config.method,
        "method_label": method_label(config),
        "baseline": config.baseline,
        "steps": config.steps,
        "shuffles": config.shuffles,
        "seed": config.seed,
        "target": target,
        "explained_output": "logit of the target class (input of the output layer's softmax/sigmoid)",
        "score": SCORE_LABELS[config.method],
        "data": data_label,
        "n_sequences": n,
        "window_width": width,
        "completeness": checks,
        "npz": NPZ,
        "top": rows,
    }
    write_json(out / SUMMARY, summary)
    log.info("wrote %s, %s and %d logo(s) to %s", NPZ, SUMMARY, len(rows), out)
    report = update_report(out)
    if report:
        log.info("added the attribution section to %s", report)
    return summary


def _window_width(run) -> int:
    """Width of the windows named in the summary: the first-layer kernel length (the model's motif scale)."""
    try:
        return int(run.model.get_layer("conv_1").kernel_size[0])
    except (ValueError, AttributeError):
        return DEFAULT_WINDOW


# -- the report section --------------------------------------------------------------------------------------


def update_report(out_dir) -> Path | None:
    """Rewrite the attribution section of ``summary.html`` in ``out_dir`` or its parent; the page's path, or None."""
    out = Path(out_dir).resolve()
    for folder in (out, out.parent):
        page = folder / REPORT
        if page.is_file():
            break
    else:
        return None
    html = page.read_text(encoding="utf-8")
    section = f"{_SECTION_BEGIN}\n{render_section(folder)}\n{_SECTION_END}"
    pattern = re.compile(re.escape(_SECTION_BEGIN) + ".*?" + re.escape(_SECTION_END), re.S)
    if pattern.search(html):
        html = pattern.sub(lambda _: section, html, count=1)
    elif "</main>" in html:
        html = html.replace("</main>", section + "\n</main>", 1)
    else:
        log.warning("warning: %s has no place for an attribution section (not a motifnet report?)", page)
        return None
    write_text(page, html)
    return page
