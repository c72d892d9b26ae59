"""The HTML report in a real browser (headless Debian Chromium), in both languages: no console error, every
figure loads and is shown at its design size (so its 9.5 pt fonts are 9.5 pt on screen), no text is clipped,
the page does not overflow sideways, and print-to-PDF works. Screenshots and PDFs are kept under
``test-artifacts/`` (git-ignored). Without Chromium the tests skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lca_numerique.cli import example_path
from lca_numerique.inventory import load_inventory
from lca_numerique.report.html import html_report

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
WIDTH = 1280

#: Run in the page once it has loaded; the result is written into the DOM, which ``--dump-dom`` prints.
CHECKS = """
<script>
window.addEventListener("load", () => {
  const clipped = [];
  for (const el of document.querySelectorAll("h1,h2,h3,p,li,caption,figcaption,th,td,dt,dd")) {
    if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.tagName + ": " + el.textContent.slice(0, 60));
  }
  for (const box of document.querySelectorAll(".scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) clipped.push("TABLE too wide: " + box.textContent.slice(0, 60));
  }
  const images = [...document.images].map(img => ({
    alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
    shown: img.getBoundingClientRect().width, design: Number(img.getAttribute("width"))}));
  const result = {clipped, images, pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
                  height: document.documentElement.scrollHeight, lang: document.documentElement.lang};
  const out = document.createElement("pre");
  out.id = "browser-checks";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>
"""


def chromium() -> str:
    """The Chromium executable; skip (or fail under CI=true) when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is required under CI=true (apt-get install chromium)")
    pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium, isolated profile, no network chatter, console messages on stderr."""
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def console_errors(stderr: str) -> list[str]:
    """Console messages of the page (Chromium logs them as ``CONSOLE(line)``) and uncaught errors."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def dump_checks(page: Path, tmp_path: Path) -> tuple[dict, list[str]]:
    result = run_chromium(tmp_path, f"--window-size={WIDTH},900", "--virtual-time-budget=10000", "--dump-dom",
                          page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    match = re.search(r'<pre id="browser-checks">(.*?)</pre>', result.stdout, re.S)
    assert match, "the check script did not run: " + result.stderr[-2000:]
    return json.loads(match.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")), \
        console_errors(result.stderr)


@pytest.fixture(scope="module")
def demo():
    inventory = load_inventory(example_path())
    return inventory, inventory.evaluate()


def test_console_errors_are_detected(tmp_path):
    """The harness itself: a page that logs an error is caught (so a clean run means something)."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html lang='en'><body><p>x</p><script>console.error('broken figure');"
                    "</script>" + CHECKS + "</body></html>", encoding="utf-8")
    _, errors = dump_checks(page, tmp_path)
    assert any("broken figure" in line for line in errors)


def test_clipping_is_detected(tmp_path):
    page = tmp_path / "clipped.html"
    page.write_text("<!DOCTYPE html><html lang='en'><body><table><tr><td style='max-width:40px;overflow:hidden;"
                    "white-space:nowrap'>a-very-long-unbreakable-cell-content</td></tr></table>" + CHECKS +
                    "</body></html>", encoding="utf-8")
    checks, _ = dump_checks(page, tmp_path)
    assert checks["clipped"] and checks["clipped"][0].startswith("TD")


def check_in_browser(document: str, name: str, lang: str, figures: int, tmp_path: Path) -> None:
    """Render ``document`` in Chromium and check it; keep ``test-artifacts/<name>.{html,png,pdf}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / f"{name}.html"
    page.write_text(document.replace("</body>", CHECKS + "</body>"), encoding="utf-8")
    checks, errors = dump_checks(page, tmp_path)

    assert errors == []
    assert checks["lang"] == lang
    assert len(checks["images"]) == figures
    for image in checks["images"]:
        assert image["loaded"], image["alt"]
        assert len(image["alt"]) > 80  # a sentence stating the figure's message, not "figure"
        assert image["shown"] == pytest.approx(image["design"], abs=1), "figure shrunk: its fonts would be < 9 pt"
    assert checks["clipped"] == []
    assert checks["pageWidth"] <= checks["viewport"], "the page overflows sideways"

    shot = ARTIFACTS / f"{name}.png"
    result = run_chromium(tmp_path, f"--window-size={WIDTH},{checks['height']}", f"--screenshot={shot}",
                          page.as_uri())
    assert result.returncode == 0 and shot.stat().st_size > 10_000, result.stderr[-2000:]
    pdf = ARTIFACTS / f"{name}.pdf"
    result = run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", content)) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_renders_cleanly(demo, lang, tmp_path):
    inventory, results = demo
    check_in_browser(html_report(results, inventory, lang=lang), f"report-{lang}", lang, 3, tmp_path)


@pytest.mark.slow
def test_french_report_of_a_filled_template_renders_cleanly(tmp_path):
    """The done-when's report: `lca-numerique template`, filled in, then `assess filled.xlsx --lang fr`."""
    from test_french_report import fill_template

    from lca_numerique.cli import EXIT_OK, main

    filled = tmp_path / "filled.xlsx"
    assert main(["template", "--out", str(filled)]) == EXIT_OK
    fill_template(filled)
    assert main(["assess", str(filled), "--lang", "fr", "--format", "html", "--out", str(tmp_path / "r")]) == EXIT_OK
    document = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    check_in_browser(document, "report-filled-fr", "fr", 3, tmp_path)
