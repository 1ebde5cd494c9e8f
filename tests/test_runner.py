"""End to end: every params file through the runner, the index, failures, the CLI."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import pytest

import kompetens
from conftest import FAILS, PARAMS, ROOT
from kompetens.privacy.suppression import find_personnummer
from kompetens.run.batch import run_batch
from kompetens.run.cli import main


class _Page(HTMLParser):
    """Collects what the tests look at: classes, links, images and text."""

    def __init__(self, text):
        super().__init__()
        self.classes, self.links, self.images, self.alts, self.text = set(), [], [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes.update((attrs.get("class") or "").split())
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
            self.alts.append(attrs.get("alt", ""))

    def handle_data(self, data):
        self.text.append(data)


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
        assert len(page.images) == 13 and all(src.startswith("data:image/png;base64,") for src in page.images)
        # every figure is described by its own title, for readers with screen readers
        assert "Antal anställda per år" in page.alts and len(set(page.alts)) == 13 and all(page.alts)
        assert "Antaganden och deras källor" in text and "Pensionsmyndigheten" in text


def kompetens_notebook_cells():
    import nbformat

    from kompetens.run.execute import NOTEBOOK

    return nbformat.read(NOTEBOOK, as_version=4).cells


def test_key_figures_are_the_models_figures(batch, demo):
    out, results = batch
    for path, r in zip(PARAMS, results):
        written = json.loads((out / r.slug / "nyckeltal.json").read_text(encoding="utf-8"))
        params = kompetens.load_params(path)
        expected = kompetens.key_figures(kompetens.prepare(inputs=demo, **params))
        # the kernel runs its numerics on one thread; this process may not: equal to the last digits
        _assert_close(written, json.loads(json.dumps(expected)))
        assert written["slug"] == r.slug and written["basar"] == 2025 and written["slutar"] == 2030
    board = json.loads((out / "social-och-omsorgsnamnden" / "nyckeltal.json").read_text(encoding="utf-8"))
    assert board["antal_basar"]["Totalt"] == len(demo.personal[demo.personal["ar"] == 2025])


def _assert_close(a, b, path="nyckeltal"):
    """Equal JSON, floats within a relative 1e-9."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), path
    else:
        assert a == b, path


def test_index_links_every_report(batch):
    out, results = batch
    page = _Page((out / "index.html").read_text(encoding="utf-8"))
    assert sorted(page.links) == sorted(f"{r.slug}/{name}" for r in results for name in ("rapport.html", "rapport.pdf"))
    assert all((out / link).exists() for link in page.links)
    assert "1\u202f500" in "".join(page.text)  # the board's headcount in 2025


def test_no_person_id_or_birth_date_in_any_output(batch, demo):
    out, _ = batch
    ids = set(demo.personal["person_id"]) | set(demo.avgangar["person_id"])
    pattern = re.compile(r"\bD\d{5}\b")
    for path in out.rglob("*"):
        if path.is_file():
            readers = {".xlsx": _xlsx_text, ".pdf": _pdf_text}
            text = readers[path.suffix](path) if path.suffix in readers else path.read_text(encoding="utf-8")
            assert not (set(pattern.findall(text)) & ids), path
            assert not find_personnummer(text), path


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _xlsx_text(path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_a_failing_report_keeps_its_old_output_and_others_run(batch, tmp_path, failing_notebook):
    out, _ = batch
    good = tmp_path / "stab.yaml"
    good.write_text("titel: Stab\nslug: stab\nforvaltning: Stab\n", encoding="utf-8")
    bad = tmp_path / "aldreomsorg.yaml"  # same slug as a finished report; fails while it runs
    bad.write_text(f"titel: {FAILS}\nslug: aldreomsorg\nforvaltning: Äldreomsorg\n", encoding="utf-8")
    before = (out / "aldreomsorg" / "nyckeltal.json").read_bytes()
    code = main(["run", str(bad), str(good), "--out", str(out), "--jobs", "1"])
    assert code == 1
    assert (out / "aldreomsorg" / "nyckeltal.json").read_bytes() == before
    assert (out / "stab" / "rapport.html").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folders left
    index = (out / "index.html").read_text(encoding="utf-8")
    # the kept report stays listed, with the failed run's message beside it
    row = re.search(r'<a href="aldreomsorg/rapport.html">.*?</tr>', index, flags=re.S).group(0)
    assert "Senaste körningen misslyckades" in row and "rapporten avbröts i ett test" in row


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


def _visible_text(html: str) -> str:
    """The page's text without tags, styles, scripts and the run-date line."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"(Körning|Run date):\s*\S+", "", text)
    return " ".join(text.split())


def test_two_runs_with_the_same_inputs_are_identical(batch, tmp_path):
    out, _results = batch
    slug = "individ-och-familjeomsorg"
    again = run_batch([ROOT / "params" / f"{slug}.yaml"], tmp_path, jobs=1, progress=False)
    assert again[0].ok, again[0].error
    first, second = out / slug, tmp_path / slug
    assert (first / "nyckeltal.json").read_bytes() == (second / "nyckeltal.json").read_bytes()
    html1, html2 = ((d / "rapport.html").read_text(encoding="utf-8") for d in (first, second))
    assert _visible_text(html1) == _visible_text(html2)
    assert _Page(html1).images == _Page(html2).images  # the figures, byte for byte
    import openpyxl

    def cells(path):
        wb = openpyxl.load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}

    assert cells(first / "tabeller.xlsx") == cells(second / "tabeller.xlsx")


def test_excel_has_the_reports_tables(batch):
    import openpyxl

    out, _ = batch
    wb = openpyxl.load_workbook(out / "social-och-omsorgsnamnden" / "tabeller.xlsx")
    figures = json.loads((out / "social-och-omsorgsnamnden" / "nyckeltal.json").read_text(encoding="utf-8"))
    assert {
        "Personalbehov",
        "Rekryteringsbehov",
        "Ekonomi",
        "Personalomsättning",
        "Chefer",
        "Behörighet",
        "Aktivitetsplan",
        "Lönekostnad och hyrpersonal",
        "Befolkning",
    } <= set(wb.sheetnames)
    need = {row[0].value: [c.value for c in row[1:]] for row in wb["Personalbehov"].iter_rows(min_row=2, max_row=9)}
    # unrounded numbers, shown whole as in the report
    assert need["Totalt"] == pytest.approx([figures["personalbehov"]["Totalt"][str(y)] for y in range(2025, 2031)])
    assert wb["Personalbehov"]["B9"].number_format == "#,##0"
    header = [c.value for c in next(wb["Rekryteringsbehov"].iter_rows())]
    assert header[1:-1] == [str(y) for y in range(2026, 2031)] and header[-1] == "Summa"


def test_every_sheet_is_ready_for_a_controller(batch):
    """Human headers, no index column or empty header, numbers as numbers, percent cells as
    %, hidden cells empty with a note, a frozen header row and column widths."""
    import openpyxl

    out, results = batch
    for r in results:
        wb = openpyxl.load_workbook(out / r.slug / "tabeller.xlsx")
        assert len(wb.sheetnames) >= 20, r.slug
        for ws in wb:
            rows = list(ws.iter_rows())
            header = [c.value for c in rows[0]]
            assert all(isinstance(h, str) and h.strip() for h in header), (ws.title, header)
            assert not any(re.search(r"[a-zåäö]_[a-zåäö]", h) for h in header), (ws.title, header)
            assert ws.freeze_panes == "B2" and rows[0][0].font.b
            assert all(ws.column_dimensions[chr(65 + j)].width >= 10 for j in range(min(len(header), 26)))
            body = [row for row in rows[1:] if any(c.value is not None for c in row[1:])]
            assert "personer och döljs" in rows[-1][0].value, ws.title
            for j, name in enumerate(header[1:], start=1):
                cells = [row[j] for row in body if row[j].value is not None]
                numbers = [c for c in cells if isinstance(c.value, (int, float))]
                if not numbers:
                    continue
                assert len(numbers) == len(cells), (ws.title, name)  # no "–" text among numbers
                percent = "(%)" in name or ("(%)" in rows[-2][0].value and "(" not in name)
                assert all(c.number_format.endswith("%") == bool(percent) for c in numbers), (ws.title, name)
                if percent:
                    assert all(abs(c.value) <= 10 for c in numbers), (ws.title, name)  # fractions, not percent units


def test_the_reports_text_is_the_narrative_of_its_key_figures(batch):
    """Every generated paragraph in the HTML is what the templates make of nyckeltal.json."""
    from kompetens.report import narrative

    out, results = batch
    for r in results:
        figures = json.loads((out / r.slug / "nyckeltal.json").read_text(encoding="utf-8"))
        text = _visible_text((out / r.slug / "rapport.html").read_text(encoding="utf-8")).replace("\u00a0", " ")
        for paragraph in (
            narrative.summary,
            narrative.economics,
            narrative.turnover,
            narrative.absence,
            narrative.scenarios,
            narrative.competence,
        ):
            for sentence in paragraph(figures, "sv").replace("\u00a0", " ").splitlines():
                if sentence.strip():
                    assert " ".join(sentence.split()) in text, (r.slug, sentence)


def test_unchanged_reports_are_skipped_unless_forced(batch, tmp_path):
    from kompetens.run.execute import FINGERPRINT, fingerprint

    out, _ = batch
    slug = "individ-och-familjeomsorg"
    params = ROOT / "params" / f"{slug}.yaml"
    before = (out / slug / "rapport.html").stat().st_mtime_ns
    [again] = run_batch([params], out, jobs=1, progress=False, force=False)
    assert again.ok and again.skipped and again.nyckeltal["slug"] == slug
    assert (out / slug / "rapport.html").stat().st_mtime_ns == before
    assert "individ" in (out / "index.html").read_text(encoding="utf-8")
    # anything the report read changes the fingerprint: params, any file of its data folder
    stamp = json.loads((out / slug / FINGERPRINT).read_text(encoding="utf-8"))["indata"]
    assert fingerprint(params, kompetens.demo_dir()) == stamp
    changed = tmp_path / params.name
    changed.write_text(params.read_text(encoding="utf-8") + "k_anonymitet: 6\n", encoding="utf-8")
    assert fingerprint(changed, kompetens.demo_dir()) != stamp
    data = tmp_path / "data"
    shutil.copytree(kompetens.demo_dir(), data)
    assert fingerprint(params, data) == stamp
    plan = data / "aktivitetsplan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("planerad", "klar", 1), encoding="utf-8")
    assert fingerprint(params, data) != stamp


def test_a_batch_on_a_dask_cluster_gives_the_same_reports(batch, tmp_path):
    """A LocalCluster with two worker processes, against the local run of the same files."""
    distributed = pytest.importorskip("distributed")

    out, _ = batch
    files = [ROOT / "params" / "individ-och-familjeomsorg.yaml", ROOT / "params" / "funktionsstod.yaml"]
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = run_batch(files, tmp_path, progress=False, scheduler=client)
    assert [r.ok for r in results] == [True, True], [r.error for r in results]
    for r in results:
        for name in ("nyckeltal.json", "tabeller.xlsx"):
            assert (tmp_path / r.slug / name).exists()
        assert (tmp_path / r.slug / "nyckeltal.json").read_bytes() == (out / r.slug / "nyckeltal.json").read_bytes()
        html = (tmp_path / r.slug / "rapport.html").read_text(encoding="utf-8")
        assert _visible_text(html) == _visible_text((out / r.slug / "rapport.html").read_text(encoding="utf-8"))
    assert sorted(_Page((tmp_path / "index.html").read_text(encoding="utf-8")).links) == sorted(
        f"{r.slug}/{name}" for r in results for name in ("rapport.html", "rapport.pdf")
    )


#: Swedish words a translated label would have; the data's own names (groups, departments,
#: units, the activity plan) are Swedish in both languages and are taken out first.
SWEDISH = re.compile(
    r"\b(och|för|är|av|med|inte|antal|andel|år|anställda|sjukfrånvaro|personal|enhet|avgång\w*|"
    r"behov|källa|summa|totalt|övrig\w*|kvinnor|män|ålder|planerad|pågår|försenad|klar)\b|[åäö]",
    re.IGNORECASE,
)


def test_an_english_report_has_no_swedish_labels(tmp_path, demo):
    import yaml

    from kompetens.run.execute import run_report

    params = yaml.safe_load((ROOT / "params" / "social-och-omsorgsnamnden.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "board-en.yaml"
    path.write_text(yaml.safe_dump({**params, "slug": "board-en", "sprak": "en"}, allow_unicode=True), encoding="utf-8")
    result = run_report(path, tmp_path / "out")
    assert result.ok, result.error
    html = (tmp_path / "out" / "board-en" / "rapport.html").read_text(encoding="utf-8")
    text = "\n".join(_Page(re.sub(r"<style\b.*?</style>", "", html, flags=re.S)).text)
    assert "Summary" in text and "About the data" in text and "Sammanfattning" not in text
    text = text.split("About the data")[-2]  # the data section names files and parameter keys as they are
    plan = yaml.safe_load((kompetens.demo_dir() / "aktivitetsplan.yaml").read_text(encoding="utf-8"))
    names = {str(v) for row in plan for v in row.values()} | {params["titel"], *params["utbildade_per_ar"]}
    names |= set(demo.personal["forvaltning"]) | set(demo.personal["enhet"]) | set(demo.personal["yrkesgrupp"])
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    leaks = [line.strip() for line in text.splitlines() if SWEDISH.search(line)]
    assert leaks == []


def test_cli_speaks_swedish_throughout(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("användning: kompetens")
    assert "Slutstatus: 0 klart, 1 en rapport misslyckades, 2 fel i indata" in " ".join(text.split())
    for english in ("usage", "positional arguments", "options:", "show this help", "show program"):
        assert english not in text
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.strip() == f"kompetens {kompetens.__version__}"
    with pytest.raises(SystemExit) as exit_:
        main(["valdiate", "data"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "okänt val: 'valdiate'" in err and "Menade du: kompetens validate?" in err and "invalid" not in err
