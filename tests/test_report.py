"""summary.html rendered whole from what its report folder keeps: report.json, attribution.json, the search.

Also: report folders of an older motifnet (a page without report.json), and the page in headless Chromium.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import check_in_chromium

from motifnet.errors import InputError
from motifnet.report._templates import environment, template_dir
from motifnet.report.attributions import report_entries
from motifnet.report.curves import prediction_images
from motifnet.report.summary import STATE, find_report, kernel_section, render_report

KERNEL_SECTION = '<section class="kernel" id="kernel-'
ATTRIBUTION_SECTION = '<section class="kernel" id="attribution-'
OLD_VERSION_NOTE = "written by an older version of motifnet"


def without_time(html: str) -> str:
    return re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d", "generated", html)


def page(folder: Path) -> str:
    return (folder / "summary.html").read_text(encoding="utf-8")


def run_cli(*args):
    from motifnet.cli.main import main

    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=True)


@pytest.fixture(scope="module")
def kernel_report(trained_run, tmp_path_factory):
    """visualize-kernels of the trained run, all four kernels, matched with JASPAR (read-only: copy it)."""
    folder = tmp_path_factory.mktemp("kernel_report") / "report"
    result = run_cli("visualize-kernels", trained_run[0], "-o", folder, "--group", "all", "--quiet")
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def report(kernel_report, tmp_path):
    return Path(shutil.copytree(kernel_report, tmp_path / "report"))


@pytest.fixture
def log_records(caplog, monkeypatch):
    # The CLI, run in-process by other tests, stops motifnet's log from reaching the root logger.
    monkeypatch.setattr(logging.getLogger("motifnet"), "propagate", True)
    caplog.set_level(logging.INFO, logger="motifnet")
    return caplog


def test_templates_are_found_from_the_installed_package():
    assert (template_dir() / "summary.html").exists()


def test_the_page_is_rendered_whole_and_the_same_every_time(report):
    written = page(report)
    state = json.loads((report / STATE).read_text(), parse_constant=pytest.fail)  # standard JSON: no NaN
    assert state["format"] == 1 and [kernel["kernel"] for kernel in state["kernels"]["kernels"]]
    render_report(report)
    again = page(report)
    render_report(report)
    assert without_time(page(report)) == without_time(again) == without_time(written)
    assert written.count(KERNEL_SECTION) == 4 and OLD_VERSION_NOTE not in written
    assert "attribution section" not in written  # no markers to splice into
    # The shared run reads both strands (DNA's default); the kernels' sites are of the forward strand only.
    assert "The network reads both strands; activations, sites and logos here are those of the" in written
    # The hyperparameters that --param changed are told from the preset's (the page called them all the preset's).
    assert ("(with the values below; 5 of them changed by <code>--param</code> or <code>--params</code>)" in written
            and "<th>preset's value, where changed</th>" in written)
    assert "<tr><td><code>kernel_num</code></td><td>4</td><td>64</td></tr>" in written
    assert "<tr><td><code>conv_num</code></td><td>1</td><td></td></tr>" in written


def test_a_report_json_of_a_run_section_without_the_presets_values_renders(report):
    """report.json written before preset_values: the page has no column for it, and no error."""
    state = json.loads((report / STATE).read_text())
    del state["run"]["preset_values"]
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    html = page(report)
    assert "preset's value, where changed" not in html and "changed by <code>--param</code>" not in html
    assert "<tr><td><code>kernel_num</code></td><td>4</td></tr>" in html


def test_a_report_json_without_the_reason_kernels_were_not_matched_keeps_its_kernel_section(report, caplog):
    """report.json written before not_matched counted as damaged: the page lost its kernel section."""
    state = json.loads((report / STATE).read_text())
    del state["kernels"]["not_matched"]
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    assert page(report).count(KERNEL_SECTION) == 4 and "damaged" not in caplog.text


def test_attribute_after_visualize_kernels_keeps_every_section(trained_run, cli, report):
    run_dir, _ = trained_run
    before = page(report)
    result = cli("attribute", run_dir, "-o", report / "deeplift", "--method", "deeplift", "--target", "up",
                 "--baseline", "shuffle", "--shuffles", "2", "--top", "3", "--group", "all")
    assert result.exit_code == 0, result.stderr
    assert "added the attribution section to" in result.stderr and "warning" not in result.stderr
    assert cli("attribute", run_dir, "-o", report / "ism", "--method", "ism", "--top", "1").exit_code == 0
    html = page(report)
    assert html.count(KERNEL_SECTION) == before.count(KERNEL_SECTION) == 4
    assert html.count(ATTRIBUTION_SECTION) == 2 and "deeplift/attribution_1_" in html and "ism/attributions.npz" in html
    # Only the attribution section is new: the page without it is the page before.
    start, end = html.index('<h2 id="attribution">'), html.rindex("</section>") + len("</section>")
    assert without_time(html[:start] + html[end:]).split() == without_time(before).split()
    # visualize-kernels keeps the attribution sections when it writes the report again.
    assert cli("visualize-kernels", run_dir, "-o", report, "--kernels", "0", "--quiet").exit_code == 0
    html = page(report)
    assert html.count(ATTRIBUTION_SECTION) == 2 and html.count(KERNEL_SECTION) == 1


def test_a_report_folder_of_an_older_motifnet_still_works(trained_run, cli, report):
    run_dir, _ = trained_run
    (report / STATE).unlink()  # motifnet 0.1.0 wrote summary.html only
    result = cli("attribute", run_dir, "-o", report / "ism", "--method", "ism", "--top", "1")
    assert result.exit_code == 0, result.stderr
    assert "no report.json" in result.stderr and "run visualize-kernels again to restore it" in result.stderr
    html = page(report)
    assert html.count(ATTRIBUTION_SECTION) == 1 and KERNEL_SECTION not in html and OLD_VERSION_NOTE in html
    assert "Performance on the test split" in html and "ROC-AUC" in html and "kernels shown for" not in html
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert "roc_curves.png" in images and all((report / image).is_file() for image in images)
    # visualize-kernels brings the kernels back and keeps the attribution.
    assert cli("visualize-kernels", run_dir, "-o", report, "--quiet", "--no-match").exit_code == 0
    html = page(report)
    assert html.count(KERNEL_SECTION) == 4 and html.count(ATTRIBUTION_SECTION) == 1 and OLD_VERSION_NOTE not in html


def influence_cells(html: str) -> list:
    """The influence column of the report's distinct-motif table (third cell of each row)."""
    start = html.index("<h2>Distinct motifs</h2>")
    table = html[start:html.index("</table>", start)]
    return re.findall(r'<tr><td class="num">\d+</td>\s*<td>.*?</td>\s*<td class="num">([^<]*)</td>', table, re.S)


def test_a_report_json_whose_groups_have_no_top_class_still_renders(report):
    """report.json of a motifnet before distinct motifs carried their top class and influence (the same format)."""
    state = json.loads((report / STATE).read_text())
    assert state["kernels"]["distinct"]
    influence = [group["influence"] for group, _ in state["kernels"]["distinct"]]
    assert all(isinstance(value, float) for value in influence) and influence == sorted(influence, reverse=True)
    render_report(report)
    assert influence_cells(page(report)) == [f"{value:.3f}" if abs(value) >= 0.0005 else f"{value:.1e}"
                                             for value in influence]
    for group, _ in state["kernels"]["distinct"]:
        del group["top_class"], group["correlation"], group["class_rank"], group["influence"]
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    html = page(report)
    assert "<th>top class</th>" in html and "<th>influence</th>" in html and html.count(KERNEL_SECTION) == 4
    assert influence_cells(html) == ["-"] * len(influence)


def test_an_influence_that_rounds_to_zero_shows_its_size_and_sign(report):
    # Silencing a group that does nothing measures an influence of about -0.0002: the page said "-0.000", then
    # "0.000", which hid both its size and that it lowered the loss (distinct_motifs.tsv has the value).
    state = json.loads((report / STATE).read_text())
    groups = state["kernels"]["distinct"][:4]
    groups.append(json.loads(json.dumps(groups[-1])))  # a fifth, as the fixture's run has four
    assert len(groups) == 5
    for (group, _), value in zip(groups, (0.25, 0.00028, 0.0, -0.0002, -0.004)):
        group["influence"] = value
    state["kernels"]["distinct"] = groups
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    assert influence_cells(page(report)) == ["0.250", "2.8e-04", "0.000", "-2.0e-04", "-0.004"]


@pytest.mark.parametrize("content,problem", [
    ("{not json", "an unreadable report.json"),
    (json.dumps({"format": 1, "run": {}}), "a damaged report.json (missing or wrong: run_folder, curves, kernels"),
    (json.dumps({"format": 99}), "a report.json of another format (99)"),
    (json.dumps([1, 2]), "an unreadable report.json"),
])
def test_a_damaged_report_json_is_rendered_as_an_old_folder(trained_run, report, log_records, content, problem):
    from motifnet.run.rundir import open_run

    (report / STATE).write_text(content)
    with pytest.raises(InputError, match=re.escape(problem)):
        render_report(report)
    render_report(report, run=open_run(trained_run[0]))
    assert problem in log_records.text and OLD_VERSION_NOTE in page(report)


def test_find_report_takes_the_folder_or_its_parent_but_no_other_page(tmp_path):
    assert find_report(tmp_path / "out") is None
    (tmp_path / "out").mkdir()
    (tmp_path / "summary.html").write_text("<html><head><title>motifnet grid search: s</title>")
    assert find_report(tmp_path / "out") is None  # a grid search's page is not a run report
    (tmp_path / "summary.html").write_text("<html><head><title>motifnet report: run</title>")
    assert find_report(tmp_path / "out") == tmp_path  # an older motifnet's page
    (tmp_path / "out" / STATE).write_text("{}")
    assert find_report(tmp_path / "out") == tmp_path  # a report.json of another tool beside no page of motifnet's
    (tmp_path / "out" / "summary.html").write_text("<html><head><title>motifnet report: run</title>")
    assert find_report(tmp_path / "out") == tmp_path / "out"  # motifnet's page, its report.json damaged


def test_a_folder_of_another_tools_report_json_and_page_is_no_report(tmp_path):
    # attribute and motifs replaced the user's summary.html of a parent folder that held any report.json.
    (tmp_path / "summary.html").write_text("<html>My lab QC</html>")
    (tmp_path / STATE).write_text('{"tool": "myqc"}')
    assert find_report(tmp_path / "at") is None


class FakeDataset(SimpleNamespace):
    def __len__(self):
        return self.n


def test_kernel_section_is_plain_json_with_undefined_means_as_missing():
    match = SimpleNamespace(target_id="MA1", target_name="X", p_value=np.float64(1e-5), q_value=0.01,
                            orientation="-", offset=np.int64(2), target_pwm=np.ones((3, 4)), also=("Y", "Z"))
    kernel = SimpleNamespace(kernel=np.int64(3), importance=np.float32(0.5), top_class="up", correlation=None,
                             target=None, consensus="ACG", structure_consensus="", sites=np.int64(7),
                             class_means=[0.5, float("nan")], images=["motif_kernel_3.png"],
                             top_sites=[("s1", np.float32(1.5), 4)], best_match=match)
    group = SimpleNamespace(best_kernel=3, importance=0.5, members=[3, 1], sites=7, consensus="ACG", best_match=None,
                            top_class="up", correlation=None, target="", motif=object(), influence=np.float64(0.25),
                            structure_consensus="((.")
    section = kernel_section(FakeDataset(n=12, task="classification", class_names=["up", "down"]), [kernel], "all data",
                             "JASPAR", [(group, "motif_kernel_3.png")], n_kernels=4)
    assert json.loads(json.dumps(section, allow_nan=False)) == section
    entry = section["kernels"][0]
    assert entry["class_means"] == [0.5, None] and entry["top_sites"] == [["s1", 1.5, 4]]
    assert entry["best_match"] == {"target_id": "MA1", "target_name": "X", "p_value": 1e-5, "q_value": 0.01,
                                   "orientation": "-", "offset": 2, "also": ["Y", "Z"]}
    assert section["distinct"] == [[{"best_kernel": 3, "influence": 0.25, "importance": 0.5, "top_class": "up",
                                     "class_rank": 1, "correlation": None, "target": "", "members": [3, 1], "sites": 7,
                                     "consensus": "ACG", "structure_consensus": "((.", "best_match": None},
                                    "motif_kernel_3.png"]]
    assert (section["n_sequences"], section["n_kernels"], section["class_names"]) == (12, 4, ["up", "down"])


def test_prediction_images_are_named_after_their_targets():
    assert prediction_images(["a/b", "a b", "c"]) == [
        ("prediction_a_b.png", "a/b: predicted against measured, test split"),
        ("prediction_2_a_b.png", "a b: predicted against measured, test split"),
        ("prediction_c.png", "c: predicted against measured, test split")]


def attribution_entry(**changes) -> dict:
    entry = {"method_label": "ism <i>", "target": "<b>cls</b>", "data": "test split", "n_sequences": 1,
             "score": "s", "npz": "attributions.npz", "completeness": None,
             "top": [{"rank": 1, "id": "<script>x</script>", "target": "<b>cls</b>", "probability": 0.5, "logit": 0.1,
                      "window_start": 1, "window_end": 2, "window_sequence": "AC", "window_structure": None,
                      "window_score": 0.2, "image": "attribution_1_x.png"}]}
    return {**entry, **changes}


def test_attribution_section_escapes_what_comes_from_the_input(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "attribution.json").write_text(json.dumps(attribution_entry()))
    entries = report_entries(tmp_path)
    assert entries[0]["top"][0]["image"] == "sub/attribution_1_x.png" and entries[0]["anchor"] == "attribution-sub"
    html = environment().get_template("attribution_section.html").render(attributions=entries)
    assert "&lt;script&gt;" in html and "<script>" not in html and "&lt;b&gt;cls" in html
    assert environment().get_template("attribution_section.html").render(attributions=[]).strip() == ""


def test_control_and_direction_characters_from_the_input_are_shown_escaped_on_every_page(tmp_path):
    """A right-to-left override in a record id or class name reversed the report's own text after it ("(0.5 at 1)"
    read "(1 ta 5.0)"), and an escape character went into the page as it was."""
    (tmp_path / "sub").mkdir()
    entry = attribution_entry(target="cls\u202eA")
    entry["top"][0].update(id="id\u202e1\x1b[31m", target="cls\u202eA")
    (tmp_path / "sub" / "attribution.json").write_text(json.dumps(entry))
    html = environment().get_template("attribution_section.html").render(attributions=report_entries(tmp_path))
    assert "\u202e" not in html and "\x1b" not in html
    assert "id\\u202e1\\u001b[31m" in html and "cls\\u202eA" in html
    assert environment().from_string("{{ a }}|{{ b|safe }}").render(a="x\u2066\ty", b="<i>\u2066</i>") \
        == "x\\u2066\ty|<i>\u2066</i>"  # tabs kept; markup made by motifnet itself is left as it is


def test_links_to_a_folder_named_with_url_characters_are_percent_encoded(tmp_path):
    # A folder 'ism#2 ?%' linked as written would make the browser read '#2 ?%/...' as a fragment.
    (tmp_path / "ism#2 ?%").mkdir()
    (tmp_path / "ism#2 ?%" / "attribution.json").write_text(json.dumps(attribution_entry()))
    html = environment().get_template("attribution_section.html").render(attributions=report_entries(tmp_path))
    assert 'href="ism%232%20%3F%25/attributions.npz"' in html
    assert html.count('src="ism%232%20%3F%25/attribution_1_x.png"') == 1
    assert ">ism#2 ?%/attributions.npz</a>" in html  # the text shows the name as it is


def test_two_attribution_sections_of_one_method_are_told_apart_by_their_folders(tmp_path):
    """Two runs of one method in one report had the same heading and differed only in a line below it."""
    for folder in ("ism", "ism_test"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "attribution.json").write_text(json.dumps(attribution_entry()))
    html = environment().get_template("attribution_section.html").render(attributions=report_entries(tmp_path))
    headings = re.findall(r"<h3>(.*?)</h3>", html)
    assert headings == ["ism &lt;i&gt; &middot; <code>ism/</code>", "ism &lt;i&gt; &middot; <code>ism_test/</code>"]


def test_damaged_attribution_summaries_are_left_out(tmp_path, log_records):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "attribution.json").write_text("{not json")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "attribution.json").write_text(json.dumps({"method_label": "x", "top": []}))
    assert report_entries(tmp_path) == []
    assert "a/attribution.json cannot be read" in log_records.text and "KeyError" in log_records.text


@pytest.mark.slow
def test_report_opens_in_chromium_with_every_image_loaded(kernel_report, tmp_path):
    html = page(kernel_report)
    report = check_in_chromium(kernel_report / "summary.html", tmp_path / "profile")
    expected_images = len(re.findall(r"<img ", html))
    assert report == {"images": expected_images, "broken": [], "errors": []}
    distinct = [line for line in (kernel_report / "distinct_motifs.tsv").read_text().strip().split("\n")[1:]
                if not line.endswith("none (no sites)")]
    # The distinct-motif table gives each group's top class, as the table file does.
    first = (kernel_report / "distinct_motifs.tsv").read_text().split("\n")[1].split("\t")
    assert first[6] == "1"  # the first group is its top class's first
    assert "<th>top class</th>" in html and f'<td>{first[5]} <span class="ns">#1</span></td>' in html
    # curves + three plots for each of 4 kernels + a logo per distinct motif
    assert expected_images == 3 + 4 * 3 + len(distinct)


@pytest.mark.slow
def test_report_with_attribution_maps_opens_in_chromium(trained_run, cli, report, tmp_path):
    run_dir, _ = trained_run
    for method, top in (("deeplift", "3"), ("ism", "1")):
        assert cli("attribute", run_dir, "-o", report / method, "--method", method, "--top", top).exit_code == 0
    html = page(report)
    loaded = check_in_chromium(report / "summary.html", tmp_path / "profile")
    assert loaded["broken"] == [] and loaded["errors"] == []
    assert loaded["images"] == len(re.findall(r"<img ", html)) and html.count('alt="attribution logo of') == 4


def test_a_section_of_another_runs_model_is_marked_as_such(trained_run, multi_label_run, cli, tmp_path):
    """attribute of run B into run A's report added B's section under A's title, without a word."""
    report = tmp_path / "report"
    assert cli("visualize-kernels", trained_run[0], "-o", report, "--no-match", "--kernels", "0",
               "--jobs", "1").exit_code == 0
    same = cli("attribute", trained_run[0], "-o", report / "own", "--method", "saliency", "--top", "1")
    assert same.exit_code == 0 and "marked as another run's" not in same.stderr
    other = cli("attribute", multi_label_run[0], "-o", report / "other", "--method", "saliency", "--top", "1")
    assert other.exit_code == 0, other.stderr
    assert (f"{report} is the report of {trained_run[0].resolve()}: the attribution section of {multi_label_run[0]} "
            "added to it is marked as another run's") in " ".join(other.stderr.split())
    html = (report / "summary.html").read_text()
    sections = html.split('<section class="kernel" id="attribution-')[1:]
    marked = {section.split('"', 1)[0]: "of another run than this report" in section for section in sections}
    assert marked == {"own": False, "other": True}
    assert str(multi_label_run[0]) in sections[[name for name in marked].index("other")]


@pytest.mark.parametrize("command", ["marginalize", "variants"])
def test_marginalize_and_variants_sections_of_another_runs_model_are_marked(trained_run, multi_label_run, cli,
                                                                              tmp_path, command):
    """marginalize and variants of run B into run A's report added B's section as if it were A's (no run recorded)."""
    from helpers import make_genome

    report = tmp_path / "report"
    assert cli("visualize-kernels", trained_run[0], "-o", report, "--no-match", "--kernels", "0",
               "--jobs", "1").exit_code == 0
    if command == "marginalize":
        motifs = tmp_path / "m.meme"
        motifs.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF gata\nletter-probability matrix: alength= 4 w= 4\n"
                          "0.97 0.01 0.01 0.01\n0.01 0.01 0.97 0.01\n0.97 0.01 0.01 0.01\n0.01 0.01 0.01 0.97\n")
        options = ("--motifs", motifs, "-n", 10)
    else:
        genome = make_genome(tmp_path)
        letter = genome["sequences"]["chr1"][99]
        vcf = tmp_path / "v.vcf"
        vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                       f"chr1\t100\tv1\t{letter}\t{'T' if letter != 'T' else 'A'}\t.\t.\t.\n")
        options = ("--vcf", vcf, "--genome", genome["genome"], "--null", 2, "--top", 0)
    same = cli(command, trained_run[0], "-o", report / "own", *options)
    assert same.exit_code == 0 and "marked as another run's" not in same.stderr, same.stderr
    other = cli(command, multi_label_run[0], "-o", report / "other", *options)
    assert other.exit_code == 0, other.stderr
    section = "marginalisation" if command == "marginalize" else "variants"
    assert (f"{report} is the report of {trained_run[0].resolve()}: the {section} section of {multi_label_run[0]} "
            "added to it is marked as another run's") in " ".join(other.stderr.split())
    html = (report / "summary.html").read_text()
    sections = html.split(f'<section class="kernel" id="{command}-')[1:]
    marked = {part.split('"', 1)[0]: "of another run than this report" in part for part in sections}
    assert marked == {"own": False, "other": True}
    assert str(multi_label_run[0].resolve()) in sections[list(marked).index("other")]


def test_a_section_of_the_reports_own_run_is_not_marked_from_another_working_folder(trained_run, cli, tmp_path,
                                                                                     monkeypatch):
    """Sections recorded the run as given (relative to the working folder then): rendered from another working
    folder, every section of the report's own run was marked as another run's."""
    import shutil

    work = tmp_path / "work"
    shutil.copytree(trained_run[0], work / "run")
    monkeypatch.chdir(work)
    assert cli("visualize-kernels", "run", "-o", "run/report", "--no-match", "--kernels", "0",
               "--jobs", "1").exit_code == 0
    assert cli("attribute", "run", "-o", "run/report/own", "--method", "saliency", "--top", "1").exit_code == 0
    assert json.loads((work / "run/report/own/attribution.json").read_text())["run"] == str((work / "run").resolve())
    monkeypatch.chdir(work / "run")
    result = cli("attribute", ".", "-o", "report/again", "--method", "saliency", "--top", "1")
    assert result.exit_code == 0 and "marked as another run's" not in result.stderr
    assert "of another run than this report" not in (work / "run/report/summary.html").read_text()
    # a section written by a motifnet that recorded the run as given, relative: unknown, not marked
    summary = json.loads((work / "run/report/own/attribution.json").read_text())
    (work / "run/report/own/attribution.json").write_text(json.dumps({**summary, "run": "elsewhere/run"}))
    assert cli("attribute", ".", "-o", "report/again", "--method", "saliency", "--top", "1").exit_code == 0
    assert "of another run than this report" not in (work / "run/report/summary.html").read_text()


def test_records_of_no_class_of_a_multi_label_run_are_counted_on_the_page(multi_label_run, cli, tmp_path):
    """A multi-label file's records of no class ('>s9 -') are a row of the page's class table."""
    report = tmp_path / "report"
    assert cli("visualize-kernels", multi_label_run[0], "-o", report, "--no-match", "--kernels", "0",
               "--jobs", "1").exit_code == 0
    html = (report / "summary.html").read_text()
    assert '<tr><td>x</td><td class="num">31</td></tr>' in html
    assert '<tr><td><em>no class</em></td><td class="num">6</td></tr>' in html
    # the mean row's last cell held the number of test records, under "positives"
    performance = html.split("<th>positives</th>", 1)[1].split("</table>", 1)
    assert re.findall(r'<td class="num">(\d+)</td></tr>', performance[0]) == ["5", "5", "5"]
    assert "<th></th></tr>" in performance[0]
    assert performance[1].lstrip().startswith("<p>10 test records (a record counts among the positives of each")


def test_a_match_names_a_strand_for_dna_alone(report):
    """A protein (or RNA) kernel's match said "same strand": strands are DNA's."""
    state = json.loads((report / STATE).read_text())
    kernel = state["kernels"]["kernels"][0]
    kernel["best_match"] = {"target_id": "MA1", "target_name": "X", "p_value": 1e-5, "q_value": 0.01,
                            "orientation": "+", "offset": 2}
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    assert "same strand, offset 2" in " ".join(page(report).split())
    state["run"]["alphabet"] = "protein (ACDEFGHIKLMNPQRSTVWY)"
    (report / STATE).write_text(json.dumps(state))
    render_report(report)
    html = " ".join(page(report).split())
    assert "same strand" not in html and "q = 0.01, offset 2" in html
