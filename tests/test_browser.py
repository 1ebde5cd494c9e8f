"""The rendered report in a real browser (Debian's headless Chromium): no code visible,
every image loads, and every table-of-contents link has its target."""

from __future__ import annotations

import json
import os
import re

import pytest

from conftest import CHROMIUM, dump_dom

CHECK = """
<script>
window.addEventListener("load", () => {
  const visible = el => el.offsetParent !== null && el.getClientRects().length > 0;
  const code = [...document.querySelectorAll(".jp-InputArea, .jp-CodeMirrorEditor, .input_area, .highlight")]
    .filter(visible).length;
  const images = [...document.images];
  const broken = images.filter(img => !(img.complete && img.naturalWidth > 0)).length;
  const toc = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute("href").slice(1))
    .filter(id => id.length > 0);
  const missing = toc.filter(id => !document.getElementById(id));
  const ids = [...document.querySelectorAll("[id]")].map(el => el.id);
  const headers = [...document.querySelectorAll("th")].filter(visible).map(th => th.textContent.trim());
  const out = document.createElement("pre");
  out.id = "kompetens-check";
  out.textContent = JSON.stringify({code, images: images.length, broken, toc: toc.length, missing, ids, headers});
  document.body.appendChild(out);
});
</script>
"""


def _check_in_browser(html_path, tmp_path) -> dict:
    page = tmp_path / "page.html"
    # the page forbids scripts (Content-Security-Policy); the check is this test's own script
    html = re.sub(r"<meta [^>]*Content-Security-Policy[^>]*>", "", html_path.read_text(encoding="utf-8"))
    page.write_text(html.replace("</body>", CHECK + "</body>"), encoding="utf-8")
    done = dump_dom(page.as_uri(), tmp_path / "profile", budget_ms=10000)
    found = re.search(r'<pre id="kompetens-check">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (apt-get install chromium); CI installs it",
)
def test_reports_read_right_in_a_browser(batch, tmp_path):
    out, results = batch
    for r in results:
        result = _check_in_browser(out / r.slug / "rapport.html", tmp_path)
        assert result["code"] == 0, r.slug
        assert result["images"] >= 5 and result["broken"] == 0, result
        assert result["toc"] >= 7 and result["missing"] == [], result
        # the board's own words, the population and the whole activity plan are on the page
        assert {"befolkning", "aktivitetsplan"} <= set(result["ids"]), r.slug
        assert {"Vad", "Aktivitet", "Ansvarig", "Uppföljning", "Status"} <= set(result["headers"]), r.slug
        if r.slug == "social-och-omsorgsnamnden":
            assert {"inledning", "utmaningar", "uppfoljning"} <= set(result["ids"])


WIDTH = """
<script>
window.addEventListener("load", () => {
  const box = document.querySelector(".tabell");
  const out = document.createElement("pre");
  out.id = "kompetens-check";
  out.textContent = JSON.stringify({page: document.documentElement.scrollWidth, box: box.clientWidth,
    table: box.scrollWidth, first: document.querySelector("tbody td").textContent.trim()});
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (apt-get install chromium); CI installs it",
)
def test_index_fits_a_1280_pixel_screen_with_the_board_first(batch, tmp_path):
    out, _ = batch
    page = tmp_path / "index.html"
    # the page forbids scripts (Content-Security-Policy); the measurement is this test's own script
    html = re.sub(r"<meta [^>]*Content-Security-Policy[^>]*>", "", (out / "index.html").read_text(encoding="utf-8"))
    page.write_text(html.replace("</body>", WIDTH + "</body>"), encoding="utf-8")
    done = dump_dom(page.as_uri(), tmp_path / "profile", "--window-size=1280,800")
    found = re.search(r'<pre id="kompetens-check">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, done.stderr[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result["page"] <= 1280 and result["table"] <= result["box"], result
    assert result["first"].startswith("Social- och omsorgsnämnden") and "Hela nämnden" in result["first"]
