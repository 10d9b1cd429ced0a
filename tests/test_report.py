"""summary.html opened in headless Chromium: every image loads and the page logs no error."""

import json
import os
import re
import shutil
import subprocess

import pytest

from motifnet.report._templates import template_dir

CHECKER = """<script>
window.__problems = [];
window.addEventListener("error", function (event) {
  var target = event.target || {};
  window.__problems.push(target.src || target.href || String(event.message));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                     .map(function (i) { return i.getAttribute("src"); });
  var out = document.createElement("pre");
  out.id = "motifnet-check";
  out.textContent = JSON.stringify({images: images.length, broken: broken, errors: window.__problems});
  document.body.appendChild(out);
});
</script>"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing; .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def check_in_chromium(html_path, profile) -> dict:
    """Open a report in headless Chromium; return its image count, broken images and load errors."""
    html = html_path.read_text()
    checked = html_path.with_name("checked.html")
    checked.write_text(html.replace("<head>", "<head>\n" + CHECKER, 1))
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--virtual-time-budget=10000", "--dump-dom", checked.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="motifnet-check">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def test_templates_are_found_from_the_installed_package():
    assert (template_dir() / "summary.html").exists()


@pytest.mark.slow
def test_report_opens_in_chromium_with_every_image_loaded(trained_run, cli, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "report"
    assert cli("visualize-kernels", run_dir, "-o", out, "--group", "all").exit_code == 0
    html = (out / "summary.html").read_text()
    report = check_in_chromium(out / "summary.html", tmp_path / "profile")
    expected_images = len(re.findall(r"<img ", html))
    assert report == {"images": expected_images, "broken": [], "errors": []}
    distinct = [line for line in (out / "distinct_motifs.tsv").read_text().strip().split("\n")[1:]
                if not line.endswith("none (no sites)")]
    # curves + three plots for each of 4 kernels + a logo per distinct motif
    assert expected_images == 3 + 4 * 3 + len(distinct)
