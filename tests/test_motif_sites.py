"""The report sections of ``motifnet scan`` and ``motifnet marginalize`` (motifnet.report.motif_sites)."""

from __future__ import annotations

import json

import pytest
from helpers import read_tsv

from motifnet.report.motif_sites import marginalize_entries, scan_entries


@pytest.mark.slow
def test_scan_and_marginalize_add_their_sections_to_the_report(trained_run, cli, tmp_path):
    run_dir, (up, down) = trained_run
    report = tmp_path / "report"
    result = cli("visualize-kernels", run_dir, "-o", report, "--group", "all", "--no-match", "--quiet")
    assert result.exit_code == 0, result.output
    before = (report / "summary.html").read_text()
    # The report folder itself is the motif source: its motifs_distinct.meme.
    result = cli("scan", report, up, down, "-o", report / "scan", "--threshold", "0.01")
    assert result.exit_code == 0, result.output
    assert "added the scan section to" in result.output
    result = cli("marginalize", run_dir, "--motifs", report, "-o", report / "marginalize", "-n", 20)
    assert result.exit_code == 0, result.output
    assert "added the marginalisation section to" in result.output
    html = (report / "summary.html").read_text()
    assert '<h2 id="scan">' in html and '<h2 id="marginalize">' in html
    assert "scan/enrichment.png" in html and "marginalize/effects.png" in html and "scan/hits.tsv" in html
    # The page said "uniform background" whatever the scan used (here the input's letter frequencies).
    frequencies = json.loads((report / "scan" / "scan.json").read_text())["background_frequencies"]
    assert "uniform background" not in html
    assert "background input (" + ", ".join(f"{letter} {value:.3f}" for letter, value in frequencies.items()) in html
    assert html.count('class="kernel"') == before.count('class="kernel"') + 2
    [scan] = scan_entries(report)
    _, rows = read_tsv((report / "scan" / "enrichment.tsv").read_text())
    assert len(scan["enrichment"]) == len(rows) and scan["classes"] == ["up", "down"]
    [marginalize] = marginalize_entries(report)
    assert marginalize["n"] == 20 and marginalize["image"] == "marginalize/effects.png"
    # each change beside what it starts from: the class's mean probability without the motif
    section = html[html.index('<h2 id="marginalize">'):]
    _, effects = read_tsv((report / "marginalize" / "effects.tsv").read_text())
    assert "<th>mean without the motif</th><th>mean change</th>" in section
    assert f'<td class="num">{float(effects[0][-1]):.3f}</td><td class="num">{float(effects[0][2]):.3f}</td>' in section
    json.loads((report / "scan" / "scan.json").read_text(), parse_constant=lambda name: 1 / 0)  # no NaN or inf
    # visualize-kernels keeps both sections when it writes the page again.
    assert cli("visualize-kernels", run_dir, "-o", report, "--no-match", "--quiet").exit_code == 0
    html = (report / "summary.html").read_text()
    assert '<h2 id="scan">' in html and '<h2 id="marginalize">' in html


def test_a_marginalize_summary_of_an_older_motifnet_without_the_background_mean_is_shown(tmp_path):
    from motifnet.report._templates import environment

    (tmp_path / "marginalize.json").write_text(json.dumps({
        "motif_file": "m.meme", "n": 20, "inserted": "consensus, centred", "image": "effects.png", "pair_images": [],
        "files": [], "effects": [{"motif": "m", "class": "a", "mean_delta": 0.25, "ci_low": 0.2, "ci_high": 0.3,
                                  "mean_logit_delta": 1.5}]}))
    html = environment().get_template("marginalize_section.html").render(marginalizations=marginalize_entries(tmp_path))
    assert '<td class="num">0.250</td>' in html and "without the motif" not in html


def test_a_scan_summary_of_an_older_motifnet_without_its_background_is_shown(tmp_path):
    """scan.json of an earlier motifnet has no background: rendering the page failed (UndefinedError) for every
    section, as the template read entry.background."""
    from motifnet.report._templates import environment

    (tmp_path / "scan.json").write_text(json.dumps({
        "motif_file": "m.meme", "classes": ["a", "b"], "records": 10, "hits": 2, "threshold": 1e-4,
        "q_threshold": None, "image": None,
        "enrichment": [{"motif": "m", "class": "a", "records_with_hit": 2, "fraction": 0.4, "log2_odds_ratio": 1.5,
                        "q_value": 0.2}]}))
    html = environment().get_template("scan_section.html").render(scans=scan_entries(tmp_path))
    assert "<h3>m.meme</h3>" in html and "background" not in html.split("<h3>")[1].split("</div>")[0]


def test_the_scan_section_names_each_motif_by_its_id_and_alternate_name(tmp_path):
    """A scan of a JASPAR collection listed matrix IDs only (MA0035.4): the factor's name was nowhere."""
    from motifnet.report._templates import environment

    rows = [{"motif": "MA0035.4", "motif_alt_id": "<Gata1>", "class": "a", "records_with_hit": 2, "fraction": 0.4,
             "log2_odds_ratio": 1.5, "q_value": 0.2},
            {"motif": "m2", "motif_alt_id": "", "class": "a", "records_with_hit": 1, "fraction": 0.2,
             "log2_odds_ratio": 0.5, "q_value": 0.5}]
    (tmp_path / "scan.json").write_text(json.dumps({
        "motif_file": "m.jaspar", "classes": ["a", "b"], "records": 10, "hits": 3, "threshold": 1e-4,
        "q_threshold": None, "image": None, "enrichment": rows}))
    html = environment().get_template("scan_section.html").render(scans=scan_entries(tmp_path))
    assert "<td>MA0035.4 (&lt;Gata1&gt;)</td>" in html and "<td>m2</td>" in html
