"""README.md stays true to the code it documents.

The parameter table is generated from the parameter declarations. The option tables of the commands
(``| option | default | meaning |``) are written by hand: every row must name options of the command
whose section holds the table, with the default Click gives them; a table of an option's values
(``| `--method` | ... |``) lists exactly the values the option takes; and every option of a command must be
mentioned in its section, so that a new option cannot go undocumented.
"""

import re

import click
import pytest
from helpers import ROOT

from motifnet.cli.main import COMMANDS, main
from motifnet.model.params import markdown_table

README = (ROOT / "README.md").read_text()

TRAIN_SECTIONS = (
    "`motifnet train FASTA... -o RUN_DIR`",
    "Regression: `motifnet train FASTA... --task regression -o RUN_DIR`",
    "Genomic input: `motifnet train PEAKS.bed... --genome GENOME.fa -o RUN_DIR`",
)

#: Command -> the level-3 headings of its own sections: an option table there (subsections included)
#: documents that command.
SECTIONS = {
    "train": TRAIN_SECTIONS,
    "grid-search": ("`motifnet grid-search FASTA... -o SEARCH_DIR --grid GRID.json`",),
    "predict": ("`motifnet predict RUN_DIR FASTA... [-o FILE]`",),
    "fold": ("`motifnet fold FASTA -o OUT.fa`",),
    "visualize-kernels": ("`motifnet visualize-kernels RUN_DIR -o OUT_DIR [--kernels 0,3,7]`",),
    "compare": ("`motifnet compare QUERY [--db jaspar|FILE] [-o FILE]`",),
    "activations": ("`motifnet activations RUN_DIR -o FILE`",),
    "cluster": ("`motifnet cluster RUN_DIR -o FILE.png [--classes 0,3]`",),
    "optimize-inputs": ("`motifnet optimize-inputs RUN_DIR --layer NAME -o FILE.png [--nodes 0,1]`",),
    "attribute": ("`motifnet attribute RUN_DIR [FASTA...] -o OUT_DIR --method METHOD [--target CLASS] "
                  "[--baseline B]`",),
    "motifs": ("`motifnet motifs RUN_DIR [FASTA...] -o OUT_DIR`",),
    "scan": ("`motifnet scan MOTIFS FASTA... -o OUT_DIR`",),
    "marginalize": ("`motifnet marginalize RUN_DIR --motifs MOTIFS -o OUT_DIR`",),
    "variants": ("`motifnet variants RUN_DIR --vcf FILE.vcf[.gz] --genome GENOME.fa -o OUT_DIR`",),
    "info": ("`motifnet info RUN_DIR`",),
}

#: Command -> sections written for several commands that document some of its options in prose.
SHARED_SECTIONS = {
    "grid-search": TRAIN_SECTIONS,  # "The data options are `train`'s"
    **{command: ("Interpretation: which data",)
       for command in ("activations", "visualize-kernels", "cluster", "attribute", "motifs")},
}

#: Options of every command (motifnet.cli.options.logging_options), documented once under Commands and
#: Performance.
LOGGING_OPTIONS = {"quiet", "verbose", "device"}

#: (command, option) -> (the README's default, why it is not Click's): defaults in words, for options
#: whose value is decided when the command runs (Click's default is None).
PROSE_DEFAULTS = {
    ("train", "--alphabet"): ("detected", "from the letters of the input"),
    ("train", "--class-names"): ("file names", "from the input files"),
    ("scan", "--class-names"): ("file names", "from the input files"),
    ("train", "--seed"): ("random", "drawn and recorded"),
    ("train", "--targets"): ("headers", "values from the FASTA headers"),
    ("train", "--target-names"): ("table header, or target_1...", "from the targets"),
    ("train", "--reference"): ("consensus", "of the training sequences"),
    ("train", "--length"): ("200 for BED input", "FASTA records keep their length"),
    ("visualize-kernels", "--motif-db"): ("JASPAR for DNA", "depends on the model's alphabet"),
    ("visualize-kernels", "--tax-group"): ("all", "no filter"),
    ("visualize-kernels", "--top"): ("all", "every kernel"),
    ("visualize-kernels", "--kernels"): ("all", "every kernel"),
    ("visualize-kernels", "--target"): ("each kernel's own", "the target each kernel correlates with most"),
    ("visualize-kernels", "--jobs"): ("all cores", "the cores this process may use"),
    ("motifs", "--target"): ("every class", "the model's classes"),
    ("marginalize", "--position"): ("centred", "depends on the motif and the model's length"),
    ("variants", "--offset"): ("length // 2", "depends on the model's length"),
}


def headed_sections(text: str) -> list:
    """(level, heading, body) of every markdown heading outside code blocks, the body up to the next heading."""
    sections, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) (.*)", line)
        if heading:
            sections.append((len(heading.group(1)), heading.group(2).strip(), []))
        elif sections:
            sections[-1][2].append(line)
    return [(level, heading, "\n".join(body)) for level, heading, body in sections]


def section_texts(text: str) -> dict:
    """Level-3 heading -> its heading and body with its subsections; a heading written twice maps to None."""
    sections = headed_sections(text)
    texts = {}
    for index, (level, heading, body) in enumerate(sections):
        if level != 3:
            continue
        parts = [heading, body]
        for sub_level, sub_heading, sub_body in sections[index + 1:]:
            if sub_level <= level:
                break
            parts += [sub_heading, sub_body]
        texts[heading] = None if heading in texts else "\n".join(parts)
    return texts


def option_tables(text: str) -> list:
    """The rows of every ``| option | default | meaning |`` table in ``text``, each as a list of cells."""
    lines = text.splitlines()
    tables = []
    for index, line in enumerate(lines):
        if re.fullmatch(r"\|\s*option\s*\|\s*default\s*\|\s*meaning\s*\|", line.strip()):
            rows = []
            for row in lines[index + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]])
            tables.append(rows)
    return tables


def commands() -> dict:
    context = click.Context(main)
    return {name: main.get_command(context, name) for name in COMMANDS}


def options_of(command) -> dict:
    """Option string (``--window``, ``-o``) -> the click.Option."""
    return {opt: param for param in command.params if isinstance(param, click.Option)
            for opt in param.opts + param.secondary_opts}


def click_default(command, option):
    """The default Click gives ``option``: a string or number, or None (no default; a flag off)."""
    default = option.get_default(click.Context(command), call=False)
    if isinstance(default, bool):
        return "on" if default else None
    if isinstance(default, (list, tuple)):
        return ",".join(map(str, default)) or None
    return default if isinstance(default, (str, int, float)) else None  # Click's UNSET sentinel: none


def plain(cell: str) -> str:
    """A table cell as text: no code marks, ``\\|`` as ``|``."""
    return cell.replace("`", "").replace("\\|", "|").strip()


def default_drift(name: str, opt: str, stated: str, everything: dict):
    """Why the README's default ``stated`` (plain text) of ``opt`` of command ``name`` is wrong, or None when it
    is right."""
    command = everything[name]
    option = options_of(command)[opt]
    default = click_default(command, option)
    if PROSE_DEFAULTS.get((name, opt), ("",))[0] == stated:
        return None if default is None else f"README says {stated!r} in words, Click's default is {default!r}"
    other = re.fullmatch(r"as (\S+)", stated)
    if other:  # "as `visualize-kernels`": the same option there
        other_command = everything.get(other.group(1))
        if other_command is None or opt not in options_of(other_command):
            return f"README says {stated!r}, but {other.group(1)} has no option {opt}"
        expected = click_default(other_command, options_of(other_command)[opt])
        return None if default == expected else f"{other.group(1)} has {expected!r}, this command {default!r}"
    if stated == "required":
        return None if option.required else "README says required, Click does not"
    if stated.lower() in ("", "none", "off"):
        return None if default is None else f"README says {stated!r}, Click's default is {default!r}"
    if isinstance(default, (int, float)):
        number = stated.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", stated) else stated
        try:
            same = float(number) == float(default)
        except ValueError:
            same = False
        return None if same else f"README says {stated!r}, Click's default is {default!r}"
    if isinstance(default, str) and stated.lower() == default.lower():
        return None
    return f"README says {stated!r}, Click's default is {default!r}"


def table_drifts(text: str) -> list:
    """Rows of the option tables that name no option of their command, or state a wrong default."""
    everything, sections = commands(), section_texts(text)
    drifts, unused_prose = [], set(PROSE_DEFAULTS)
    for name, headings in SECTIONS.items():
        for heading in headings:
            for rows in option_tables(sections.get(heading) or ""):
                for cells in rows:
                    opts = re.findall(r"`(-[^`\s]+)", cells[0])
                    if len(cells) != 3 or not opts:
                        drifts.append(f"{name}: a row that names no option: {cells}")
                        continue
                    for opt in opts:
                        if opt not in options_of(everything[name]):
                            drifts.append(f"{name}: README row {opt} is not an option of the command")
                            continue
                        stated = plain(cells[1])
                        if PROSE_DEFAULTS.get((name, opt), ("",))[0] == stated:
                            unused_prose.discard((name, opt))
                        why = default_drift(name, opt, stated, everything)
                        if why:
                            drifts.append(f"{name} {opt}: {why}")
    drifts += [f"{name} {opt}: PROSE_DEFAULTS entry that no README row states" for name, opt in sorted(unused_prose)]
    return drifts


def value_tables(text: str) -> list:
    """(option, first cells of the rows) of every table headed by one option (``| `--format` | ... |``)."""
    lines = text.splitlines()
    tables = []
    for index, line in enumerate(lines):
        header = re.match(r"\|\s*`(-[^`\s]+)`\s*\|", line)
        if header and index + 1 < len(lines) and lines[index + 1].startswith("|--"):
            rows = []
            for row in lines[index + 2:]:
                if not row.startswith("|"):
                    break
                rows.append(re.split(r"(?<!\\)\|", row)[1].strip())
            tables.append((header.group(1), rows))
    return tables


def value_table_drifts(text: str) -> list:
    """Tables of an option's values (``--format``, ``--method``) that miss a value, name one the option does not
    take, or mark another default than Click's."""
    everything, sections = commands(), section_texts(text)
    drifts = []
    for name, headings in SECTIONS.items():
        for heading in headings:
            for opt, rows in value_tables(sections.get(heading) or ""):
                option = options_of(everything[name]).get(opt)
                if option is None:
                    drifts.append(f"{name}: a table of the values of {opt}, not an option of the command")
                    continue
                if isinstance(option.type, click.Choice):
                    values = option.type.choices
                else:  # e.g. --background, metavar shuffle|genomic|FILE
                    values = (option.metavar or "").split("|")
                written = [re.match(r"`([^`]+)`", row).group(1) for row in rows]
                if sorted(written) != sorted(values):
                    drifts.append(f"{name} {opt}: the table has {written}, the option takes {list(values)}")
                marked = [value for value, row in zip(written, rows) if "(default)" in row]
                if marked and marked != [click_default(everything[name], option)]:
                    drifts.append(f"{name} {opt}: the table marks {marked} as the default, Click has "
                                  f"{click_default(everything[name], option)!r}")
    return drifts


def undocumented_options(text: str) -> list:
    """Options of each command (not the logging ones) that its README sections never mention."""
    sections = section_texts(text)
    missing = []
    for name, command in commands().items():
        headings = SECTIONS[name] + SHARED_SECTIONS.get(name, ())
        documented = "\n".join(sections.get(heading) or "" for heading in headings)
        for option in command.params:
            if not isinstance(option, click.Option) or option.hidden or option.name in LOGGING_OPTIONS:
                continue
            if not any(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", documented) for opt in option.opts):
                missing.append(f"{name} {'/'.join(option.opts)}")
    return missing


def test_parameter_table_matches_the_parameter_declarations():
    start = README.index("<!-- parameter table")
    start = README.index("\n", start) + 1
    end = README.index("<!-- end of parameter table -->")
    assert README[start:end].strip() == markdown_table()


def test_every_command_has_its_sections():
    assert set(SECTIONS) == set(COMMANDS)
    sections = section_texts(README)
    for name, headings in SECTIONS.items():
        for heading in headings:
            assert heading in sections, f"{name}: no section headed ### {heading}"
            assert sections[heading] is not None, f"two sections headed ### {heading}"
            assert f"`motifnet {name} " in heading
    for heading in sections:  # a section of a command that SECTIONS forgot would go unchecked
        named = re.search(r"`motifnet ([\w-]+)", heading)
        if named:
            assert heading in SECTIONS.get(named.group(1), ()), f"### {heading} is not in SECTIONS"
    own = "\n".join(sections[heading] for headings in SECTIONS.values() for heading in headings)
    assert len(option_tables(own)) == len(option_tables(README)) > 0, "an option table outside a command's section"


def test_option_tables_match_the_commands():
    assert table_drifts(README) == []


def test_value_tables_match_the_options():
    assert value_table_drifts(README) == []


def test_every_option_is_documented_in_its_section():
    assert undocumented_options(README) == []


@pytest.mark.parametrize("old, new, check, expected", [
    ("| `--window N` | 21 |", "| `--window N` | 22 |", table_drifts, "motifs --window: README says '22'"),
    ("| `--threshold P` | 1e-4 |", "| `--threshold P` | 1e-3 |", table_drifts, "scan --threshold"),
    ("| `--sample` | off |", "| `--sample` | on |", table_drifts, "marginalize --sample"),
    ("| `--null N` | 100 |", "| `--nul N` | 100 |", table_drifts, "variants: README row --nul"),
    ("--max-spacing", "--max-gap", undocumented_options, "marginalize --max-spacing"),
    ("| `ism` | logit(mutant)", "| `isn` | logit(mutant)", value_table_drifts, "attribute --method"),
    ("| `context` | sequence;", "| `context` (default) | sequence;", value_table_drifts, "fold --format"),
])
def test_the_checks_catch_a_wrong_readme(old, new, check, expected):
    assert old in README
    assert not any(expected in drift for drift in check(README))
    assert any(expected in drift for drift in check(README.replace(old, new))), check(README.replace(old, new))
