"""An attacker's inputs: code in names and titles, paths in params files, YAML bombs, ids the
scanner must find. Reports are opened in headless Chromium next to a loopback HTTP server
that counts every request: nothing may run and nothing may be fetched."""

from __future__ import annotations

import http.server
import re
import shutil
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

import kompetens
from conftest import CHROMIUM, dump_dom
from kompetens.run import batch, execute
from kompetens.run.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TABLES = ("personal.csv", "avgangar.csv", "franvaro.csv.gz", "kostnader.csv", "befolkning.csv")

#: Markup that runs code, loads something, or links to code, if it reaches a page unescaped.
#: {leak} is the counting server; each payload that would run sets the title or the DOM.
PAYLOADS = (
    "<img src=x onerror=\"document.title='XSS'\">",
    "<svg onload=\"document.body.setAttribute('data-xss','1')\"></svg>",
    '<script>document.title="XSS"</script>',
    '<img src="{leak}/img">',
    '<iframe src="{leak}/frame"></iframe>',
    '<link rel="stylesheet" href="{leak}/css">',
    "[länk](javascript:document.title='XSS')",
    '=HYPERLINK("{leak}/xl","x")',
)


def copy_demo(dest: Path, rename: dict) -> Path:
    """The demo data in dest with the names in some columns changed: {column: f(value)}."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        df = pd.read_csv(kompetens.demo_dir() / name, dtype=str, keep_default_na=False)
        for column, f in rename.items():
            if column in df:
                df[column] = df[column].map(f)
        df.to_csv(dest / name, index=False)
    shutil.copy(kompetens.demo_dir() / "aktivitetsplan.yaml", dest / "aktivitetsplan.yaml")
    return dest


class _Counter(http.server.BaseHTTPRequestHandler):
    """Serves the pages under /page/ from a folder and counts every other request."""

    root: Path
    leaks: list

    def do_GET(self):
        if self.path.startswith("/page/"):
            path = self.root / self.path.removeprefix("/page/")
            if path.is_file():
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(path.read_bytes())
                return
        if self.path != "/favicon.ico":  # the browser's own request
            self.leaks.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    handler = type("Handler", (_Counter,), {"root": root, "leaks": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", handler.leaks
    httpd.shutdown()


#: A board text with every way Markdown has to fetch or link: reference-style images and
#: links, autolinks, bare addresses, raw HTML.
BOARD_TEXT = (
    "# Rubrik\n![bild][r] [länk][js] <{leak}/auto> {leak}/bar [data](data:text/html,x)\n"
    "## Under\nText.\n\n"
    '<meta http-equiv="refresh" content="0;url={leak}/meta">\n\n'
    "[r]: {leak}/ref.png\n[js]: javascript:document.title='XSS'\n"
)


def _names(column_payloads, leak):
    """f(name) that puts a payload before every name, rotating through the payloads."""
    seen: dict = {}

    def f(name):
        if name not in seen:
            seen[name] = column_payloads[len(seen) % len(column_payloads)].format(leak=leak) + " " + name
        return seen[name]

    return f


@pytest.fixture(scope="module")
def attacked(server, tmp_path_factory):
    """The board's report and the index made from data with payloads in every name column,
    the activity plan and the title."""
    _, leak, _ = server
    tmp = tmp_path_factory.mktemp("attack")
    data = copy_demo(
        tmp / "data",
        {
            "yrkesgrupp": _names(PAYLOADS[::-1], leak),
            "enhet": _names(PAYLOADS, leak),
            "forvaltning": _names(PAYLOADS[2:], leak),
        },
    )
    plan = yaml.safe_load((data / "aktivitetsplan.yaml").read_text(encoding="utf-8"))
    acts = plan["aktiviteter"] if isinstance(plan, dict) else plan
    for i, act in enumerate(acts):
        act["aktivitet"] = PAYLOADS[i % len(PAYLOADS)].format(leak=leak) + " " + str(act["aktivitet"])
        act["ansvarig"] = PAYLOADS[(i + 3) % len(PAYLOADS)].format(leak=leak)
        act["nar"], act["status"] = "2020-01-01", "planerad"  # late: listed in the report
    (data / "aktivitetsplan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    texts = data / "texter" / "namnd"
    texts.mkdir(parents=True)
    (texts / "inledning.md").write_text(BOARD_TEXT.format(leak=leak), encoding="utf-8")
    params = tmp / "namnd.yaml"
    titel = f"Nämnd [x](javascript:document.title='XSS') <img src=\"{leak}/titel\"> <b>fet</b>"
    namn = f'<meta http-equiv="refresh" content="0;url={leak}/namn">'
    params.write_text(
        yaml.safe_dump({"titel": titel, "slug": "namnd", "andra_losningar_namn": namn}, allow_unicode=True),
        encoding="utf-8",
    )
    out = tmp / "out"
    code = main(["run", str(params), "--out", str(out), "--data", str(data), "--jobs", "1"])
    assert code == 0
    return out, titel


def _browse(server, html: str, name: str) -> str:
    """The page's DOM after loading it from the server in headless Chromium."""
    root, url, _ = server
    (root / name).write_text(html, encoding="utf-8")
    done = dump_dom(f"{url}/page/{name}", root / ("profile-" + name))
    assert "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def _ran(dom: str) -> bool:
    title = re.search(r"<title>(.*?)</title>", dom, flags=re.S)
    body = re.search(r"<body[^>]*>", dom)
    # a payload that runs sets the title to XSS; the report's own title shows the payload as text
    return (title.group(1).strip() if title else "") == "XSS" or "data-xss" in (body.group(0) if body else "")


CSP = re.compile(r"<meta [^>]*http-equiv=\"Content-Security-Policy\"[^>]*>\s*")
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_no_payload_runs_or_fetches_in_a_browser(attacked, server):
    out, _ = attacked
    _, url, leaks = server
    # the harness sees what it must see: an unescaped payload runs, and a remote image is fetched
    control = "<html><head><title>t</title></head><body>" + PAYLOADS[0] + f'<img src="{url}/control"></body></html>'
    assert _ran(_browse(server, control, "control.html"))
    assert "/control" in leaks
    leaks.clear()
    pages = {"rapport": (out / "namnd" / "rapport.html"), "index": out / "index.html"}
    for name, path in pages.items():
        html = path.read_text(encoding="utf-8")
        [meta] = CSP.findall(html)
        assert POLICY in meta and html.index(meta) < html.index("<style"), name
        # with the page's CSP, and without it: escaping alone must hold
        for variant, text in (("csp", html), ("utan-csp", CSP.sub("", html))):
            dom = _browse(server, text, f"{name}-{variant}.html")
            assert not _ran(dom), (name, variant)
            assert leaks == [], (name, variant, leaks)


def test_nothing_from_texts_or_params_is_live_markup_in_the_notebook(attacked, server):
    """The executed notebook (published as rapport.ipynb) carries the board's text only as
    allow-listed HTML and the params' names only escaped: no tag of any output points at
    the beacon, and no Markdown output holds a link or image to it."""
    import nbformat

    out, _ = attacked
    _, leak, _ = server
    nb = nbformat.read(str(out / "namnd" / "rapport.ipynb"), as_version=4)
    markdown = html = ""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            markdown += "".join(data.get("text/markdown", ""))
            html += "".join(data.get("text/html", ""))
    assert "<h3>Under</h3>" in html  # the board's text is there, its subheading a level below
    tags = _Tags(html)
    assert not [(t, a) for t, a in tags.tags if any(leak in str(v) or "javascript:" in str(v) for v in a.values())]
    assert not [t for t, _ in tags.tags if t in ("img", "meta", "script", "iframe")]
    assert f"]({leak}" not in markdown and f"<{leak}" not in markdown and "<meta" not in markdown


class _Tags(HTMLParser):
    """Every tag of a page with its attributes, and its text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags, self.text = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_payloads_are_shown_as_text_and_links_stay_relative(attacked):
    out, titel = attacked
    report = _Tags((out / "namnd" / "rapport.html").read_text(encoding="utf-8"))
    index = _Tags((out / "index.html").read_text(encoding="utf-8"))
    for page in (report, index):
        assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed", "link", "base", "form")]
        assert not [(t, a) for t, attrs in page.tags for a in attrs if a.startswith("on")]
        links = [v for _, attrs in page.tags for k, v in attrs.items() if k in ("href", "src", "action") and v]
        for link in links:
            assert link.startswith(("#", "data:image/png;base64,")) or re.fullmatch(r"[a-z0-9_/.-]+", link), link
    # the names and the title are there, as text
    text = "".join(report.text)
    for payload in PAYLOADS[:3]:
        assert payload in text
    assert titel in text and titel in "".join(index.text)


def test_names_starting_with_equals_are_text_in_excel(attacked):
    out, _ = attacked
    wb = openpyxl.load_workbook(out / "namnd" / "tabeller.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    payload = [c for c in cells if c.value.startswith("=HYPERLINK(")]
    assert payload, "the payload name is in the workbook"
    assert all(c.data_type == "s" and c.quotePrefix for c in payload)
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


# --- paths and resources -------------------------------------------------------------------


def _params(tmp_path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("slug", ["/zz_victim", ".", "..", "a/b", "index.html", "javascript:alert(1)", "Äldre", ""])
def test_unsafe_slugs_are_refused_and_nothing_is_touched(tmp_path, capsys, slug):
    victim = tmp_path / "zz_victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep", encoding="utf-8")
    params = _params(tmp_path, yaml.safe_dump({"titel": "T", "slug": slug}))
    out = tmp_path / "out"
    assert main(["run", str(params), "--out", str(out), "--jobs", "1"]) == 2
    assert "slug" in capsys.readouterr().err
    assert not out.exists()
    assert (victim / "keep.txt").read_text(encoding="utf-8") == "keep"


def test_a_folder_of_another_kind_at_a_slug_is_not_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (out / "stab").symlink_to(target)
    with pytest.raises(kompetens.errors.ReportError, match="ingen rapportmapp"):
        execute._replace_dir(tmp_path / "new", out / "stab")
    assert (out / "stab").is_symlink() and target.is_dir()


def _external_cases(tmp_path: Path, data: Path) -> dict[str, str]:
    """Files a params file may try to name as personalbehov_extern, and the rule expected."""
    outside = tmp_path / "hemlig.csv"
    outside.write_text("ar,yrkesgrupp,personalbehov\n2025,X,1\n2026,X,1\n", encoding="utf-8")
    (data / "lank.csv").symlink_to(outside)
    (data / "stor.csv").write_bytes(b"ar,yrkesgrupp,personalbehov\n" + b"2025,X,1\n" * (6 << 20))
    (data / "katalog.csv").mkdir()
    return {
        "/etc/passwd": "datakatalogen",
        "/dev/zero": "datakatalogen",
        "../hemlig.csv": "datakatalogen",
        str(outside): "datakatalogen",
        "lank.csv": "datakatalogen",
        "stor.csv": "större än",
        "katalog.csv": "ingen vanlig fil",
        "saknas.csv": "finns inte",
    }


def test_files_named_in_params_stay_in_the_data_folder(tmp_path, capsys):
    data = copy_demo(tmp_path / "data", {})
    out = tmp_path / "out"
    for i, (name, rule) in enumerate(_external_cases(tmp_path, data).items()):
        params = _params(tmp_path, yaml.safe_dump({"slug": f"r{i}", "personalbehov_extern": name}), f"p{i}.yaml")
        start = time.perf_counter()
        assert main(["run", str(params), "--out", str(out), "--data", str(data), "--jobs", "1"]) == 2, name
        err = capsys.readouterr().err
        assert rule in err and "personalbehov_extern" in err, (name, err)
        assert time.perf_counter() - start < 30, name
        assert not out.exists()
    with pytest.raises(kompetens.InputError, match="datakatalogen"):
        kompetens.io.load.load_external_projection("/dev/zero", data)


def test_a_params_data_dir_is_checked_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    missing = _params(tmp_path, yaml.safe_dump({"slug": "a", "data_dir": str(tmp_path / "nej")}), "a.yaml")
    assert main(["run", str(missing), "--out", str(out)]) == 2
    assert "data_dir" in capsys.readouterr().err and not out.exists()
    bad = copy_demo(tmp_path / "bad", {"ar": lambda y: "tjugo" if y == "2019" else y})
    params = _params(tmp_path, yaml.safe_dump({"slug": "b", "data_dir": str(bad)}), "b.yaml")
    assert main(["run", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "personal.csv" in err and "'ar'" in err and not out.exists()


def test_yaml_bombs_are_refused_at_once(tmp_path):
    """A few hundred bytes of aliases that would expand to 9**8 strings."""
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    )
    assert len(bomb.encode()) < 450
    start = time.perf_counter()
    with pytest.raises(kompetens.InputError, match="ankare"):
        kompetens.io.params.load_params(_params(tmp_path, "titel: T\nslug: s\n" + bomb))
    plan = tmp_path / "aktivitetsplan.yaml"
    plan.write_text(bomb, encoding="utf-8")
    from kompetens.io.activities import load_activities

    with pytest.raises(kompetens.InputError, match="ankare"):
        load_activities(plan, ["x"])
    assert time.perf_counter() - start < 2


# --- the scanner reads each report against its own inputs ----------------------------------


def test_the_scanner_checks_the_ids_of_the_reports_own_data_folder(monkeypatch, tmp_path):
    """A params file names its own data folder, whose ids (with a /) the demo does not have:
    the leaking notebook shows one of them and must be stopped."""
    data = copy_demo(tmp_path / "data", {"person_id": lambda i: "Q/" + i[1:]})
    monkeypatch.setattr(execute, "NOTEBOOK", FIXTURES / "lacker.ipynb")
    params = _params(tmp_path, yaml.safe_dump({"titel": "Egen data", "slug": "egen", "data_dir": str(data)}))
    out = tmp_path / "out"
    [result] = batch.run_batch([params], out, progress=False)
    assert not result.ok and "person-id" in result.error, result.error
    assert not re.search(r"Q/\d", result.error) and not (out / "egen").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "person-id" in index and not re.search(r"Q/\d", index)
