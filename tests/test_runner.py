"""End to end: every params file through the runner, the index, failures, the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import kompetens
from kompetens.cli import main
from kompetens.runner import run_batch

ROOT = Path(__file__).resolve().parent.parent
PARAMS = sorted((ROOT / "params").glob("*.yaml"))


class _Page(HTMLParser):
    """Collects what the tests look at: classes, links, images and text."""

    def __init__(self, text):
        super().__init__()
        self.classes, self.links, self.images, self.text = set(), [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes.update((attrs.get("class") or "").split())
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    results = run_batch(PARAMS, out, jobs=2, progress=False)
    return out, results


def test_every_report_is_written(batch):
    out, results = batch
    assert [r.ok for r in results] == [True] * len(PARAMS), [r.error for r in results]
    for r in results:
        for name in ("rapport.ipynb", "rapport.html", "nyckeltal.json"):
            assert (out / r.slug / name).stat().st_size > 1000, name
    assert sorted(p.name for p in out.iterdir()) == sorted([r.slug for r in results] + ["index.html"])


def test_html_shows_no_code_and_has_the_report(batch):
    out, results = batch
    sources = [c.source for c in kompetens_notebook_cells() if c.cell_type == "code"]
    for r in results:
        html = (out / r.slug / "rapport.html").read_text(encoding="utf-8")
        page = _Page(html)
        assert not {"jp-InputArea", "jp-InputPrompt", "input_area"} & page.classes
        assert not any(line in html for src in sources for line in src.splitlines() if "report." in line)
        text = "".join(page.text)
        assert r.titel in text and "Sammanfattning" in text and "Om underlaget" in text
        assert len(page.images) == 9 and all(src.startswith("data:image/png;base64,") for src in page.images)


def kompetens_notebook_cells():
    import nbformat

    from kompetens.runner import NOTEBOOK

    return nbformat.read(NOTEBOOK, as_version=4).cells


def test_key_figures_are_the_models_figures(batch, demo):
    out, results = batch
    for path, r in zip(PARAMS, results):
        written = json.loads((out / r.slug / "nyckeltal.json").read_text(encoding="utf-8"))
        params = kompetens.load_params(path)
        expected = kompetens.key_figures(kompetens.prepare(inputs=demo, **params))
        assert written == json.loads(json.dumps(expected))
        assert written["slug"] == r.slug and written["basar"] == 2025 and written["slutar"] == 2030
    board = json.loads((out / "social-och-omsorgsnamnden" / "nyckeltal.json").read_text(encoding="utf-8"))
    assert board["antal_basar"]["Totalt"] == len(demo.personal[demo.personal["ar"] == 2025])


def test_index_links_every_report(batch):
    out, results = batch
    page = _Page((out / "index.html").read_text(encoding="utf-8"))
    assert sorted(page.links) == sorted(f"{r.slug}/rapport.html" for r in results)
    assert all((out / link).exists() for link in page.links)
    assert "1\u202f504" in "".join(page.text)  # the board's headcount in 2025


def test_no_person_id_or_birth_date_in_any_output(batch, demo):
    out, _ = batch
    ids = set(demo.personal["person_id"]) | set(demo.avgangar["person_id"])
    pattern = re.compile(r"\bD\d{5}\b")
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not (set(pattern.findall(text)) & ids), path
            assert not re.search(r"\b(19|20)\d{6}[-+]?\d{4}\b", text), path  # personnummer


def test_a_failing_report_keeps_its_old_output_and_others_run(batch, tmp_path):
    out, _ = batch
    good = tmp_path / "stab.yaml"
    good.write_text("titel: Stab\nslug: stab\nforvaltning: Stab\n", encoding="utf-8")
    bad = tmp_path / "aldreomsorg.yaml"  # same slug as a finished report, unknown department
    bad.write_text("titel: Äldreomsorg\nslug: aldreomsorg\nforvaltning: Skola\n", encoding="utf-8")
    before = (out / "aldreomsorg" / "nyckeltal.json").read_bytes()
    code = main(["run", str(bad), str(good), "--out", str(out), "--jobs", "1"])
    assert code == 1
    assert (out / "aldreomsorg" / "nyckeltal.json").read_bytes() == before
    assert (out / "stab" / "rapport.html").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folders left
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Rapporter som misslyckades" in index and "okänd förvaltning" in index


def test_cli_exit_codes(tmp_path, capsys):
    assert main(["validate", str(kompetens.demo_dir())]) == 0
    assert "personal" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "saknas")]) == 2
    assert "datakatalogen finns inte" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("titel: X\nslug: x\nokand: 1\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    assert "okänd parameter" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        main(["run", "--jobs", "x"])
    assert exc.value.code == 2


def test_cli_demo_writes_the_demo(tmp_path):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "personal.csv").read_bytes() == (kompetens.demo_dir() / "personal.csv").read_bytes()
