"""Every file an input names or a data folder holds is read through one guard: regular files
inside the data folder only (no link, pipe, device or /proc file), sizes measured by reading,
all of it inside the check before any report runs and inside the report's fingerprint. And
no input, however odd, gives a traceback or a hang."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kompetens
from kompetens import InputError
from kompetens.io.activities import STRATEGIES, load_activities
from kompetens.io.guard import read_input
from kompetens.io.kolada import parse_kolada
from kompetens.io.load import check_data_dir, load_external_projection, read_table
from kompetens.io.params import load_params
from kompetens.io.texts import load_texts
from kompetens.privacy.scanner import find_personnummer, scan_text
from kompetens.run.cli import main
from kompetens.run.execute import fingerprint

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "bad_inputs"))
from make_corpus import EXTERN, TABLES  # noqa: E402  the small valid tables of the corpus


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail (instead of hanging) when the block takes longer than seconds."""

    def stop(*_):
        raise TimeoutError(f"mer än {seconds} s: hänger")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def small_folder(path: Path) -> Path:
    """The corpus's small valid data folder, with an activity plan."""
    path.mkdir(parents=True, exist_ok=True)
    for table, lines in TABLES.items():
        (path / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(kompetens.demo_dir() / "aktivitetsplan.yaml", path / "aktivitetsplan.yaml")
    return path


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _link(target: str):
    def make(path: Path) -> None:
        path.unlink(missing_ok=True)
        os.symlink(target, path)

    return make


SPECIAL = {
    "pipe": _fifo,
    "lank_till_proc": _link("/proc/self/environ"),
    "lank_till_enhet": _link("/dev/zero"),
    "lank_utanfor": _link("/etc/hostname"),
}


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("name", ["personal.csv", "befolkning.csv", "kolada.json", "aktivitetsplan.yaml"])
def test_a_table_or_plan_that_is_a_link_pipe_or_device_is_refused_by_name(tmp_path, monkeypatch, kind, name):
    from kompetens.io import load

    monkeypatch.setattr(load, "CACHE_DIR", tmp_path / "cache")
    folder = small_folder(tmp_path / "data")
    SPECIAL[kind](folder / name)
    with time_limit(20), pytest.raises(InputError) as err:
        check_data_dir(folder)
    [problem] = [p for p in err.value.problems if p.file.endswith(name)]
    assert any(word in problem.rule for word in ("symbolisk länk", "ingen vanlig fil")), str(problem)


def test_a_named_file_in_a_hidden_folder_is_read_and_a_linked_one_is_not(tmp_path):
    folder = small_folder(tmp_path / "data")
    (folder / ".dold").mkdir()
    (folder / ".dold" / "extern.csv").write_text("\n".join(EXTERN) + "\n", encoding="utf-8")
    assert len(load_external_projection(".dold/extern.csv", folder)) == 4
    os.symlink(folder / ".dold", folder / "lankad")
    with pytest.raises(InputError, match="symbolisk länk"):
        load_external_projection("lankad/extern.csv", folder)
    _fifo(folder / "ror.csv")
    with time_limit(10), pytest.raises(InputError, match="ingen vanlig fil"):
        load_external_projection("ror.csv", folder)


def test_sizes_are_measured_by_reading_not_by_stat(tmp_path):
    path = tmp_path / "stor.md"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputError, match="större än"):
        read_input(path, tmp_path, 1000)
    assert read_input(path, tmp_path, 1001) == b"x" * 1001
    with pytest.raises(InputError, match="systemfil"):  # /proc reports size 0
        read_input("/proc/self/environ", None, 10)


def test_a_text_over_32_kib_stops_run_at_the_gate_with_nothing_written(tmp_path, capsys):
    folder = small_folder(tmp_path / "data")
    (folder / "texter" / "x").mkdir(parents=True)
    (folder / "texter" / "x" / "inledning.md").write_text("Lång. " * 6000, encoding="utf-8")
    params = tmp_path / "x.yaml"
    params.write_text("titel: X\nslug: x\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(folder), "--out", str(out), str(params)]) == 2
    err = capsys.readouterr().err
    assert "inledning.md: filen är större än 32 KiB" in err and "Traceback" not in err
    assert not out.exists()


def _stamp(params: Path, folder: Path) -> str:
    return fingerprint(params, folder)


def test_the_fingerprint_covers_hidden_texts_hidden_tables_and_the_run_date(tmp_path, monkeypatch):
    import datetime

    folder = small_folder(tmp_path / "data")
    (folder / ".texter").mkdir()
    (folder / ".texter" / "inledning.md").write_text("Första.", encoding="utf-8")
    (folder / ".extern.csv").write_text("\n".join(EXTERN) + "\n", encoding="utf-8")
    params = tmp_path / "x.yaml"
    params.write_text("titel: X\nslug: x\ntexter: .texter\npersonalbehov_extern: .extern.csv\n", encoding="utf-8")
    first = _stamp(params, folder)
    assert _stamp(params, folder) == first
    (folder / ".texter" / "inledning.md").write_text("Andra.", encoding="utf-8")
    second = _stamp(params, folder)
    assert second != first
    (folder / ".extern.csv").write_text("\n".join(EXTERN[:3]) + "\n", encoding="utf-8")
    third = _stamp(params, folder)
    assert third != second

    real = datetime.date

    class Tomorrow(real):
        @classmethod
        def today(cls):
            return real.fromordinal(real.today().toordinal() + 1)

    monkeypatch.setattr(datetime, "date", Tomorrow)
    assert _stamp(params, folder) != third  # an activity may be overdue tomorrow
    (folder / "aktivitetsplan.yaml").unlink()
    tomorrow = _stamp(params, folder)
    monkeypatch.undo()
    assert _stamp(params, folder) == tomorrow  # no activity plan: the date does not matter


def test_the_scenario_heading_shows_the_boards_name_as_text(demo):
    from kompetens.report.common import heading

    name = '<meta http-equiv="refresh" content="0;url=https://beacon.example/">'
    plan = kompetens.prepare(inputs=demo, andra_losningar_namn=name)
    text = heading(plan, "scenarier").data
    assert text == (
        '<a id="scenarier"></a>\n\n## Scenarier: &#60;meta http-equiv=&#34;refresh&#34; '
        "content=&#34;0;url=https&#58;//beacon.example/&#34;&#62;"
    )


def test_the_scanner_and_the_gate_know_every_form_of_personnummer(tmp_path):
    numbers = ["811228-9874", "8112289874", "19811228-9874", "198112289874", "19811228 9874", "701063-2391"]
    for number in numbers:
        assert find_personnummer(f"id {number}.") == [number], number
        assert [f.what for f in scan_text(f"<td>{number}</td>", "rapport.html", set())] == ["personnummer"]
    assert find_personnummer("ordernummer 8112289875 och 1234567890") == []  # check digit wrong, not a date


# --- never a traceback, never a hang -------------------------------------------------------

_NAMES = st.one_of(
    st.text(min_size=1, max_size=12),
    st.sampled_from(["$\\foo$", "$x^2$", "A\u030angström", "\u0410dministratör", "a\x00b", "\u202eevil", "$", "\\"]),
)


def _json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _as_population(path: Path, tmp: Path):
    """The data folder of the corpus with path as its population forecast (befolkning.*)."""
    folder = small_folder(tmp / "data")
    (folder / "befolkning.csv").unlink()
    target = folder / ("befolkning" + "".join(path.suffixes))
    os.rename(path, target) if not path.is_symlink() else os.symlink(os.readlink(path), target)
    return lambda: check_data_dir(folder)


def _entry_points(path: Path):
    folder = path.parent
    return [
        lambda: read_table(path, folder),
        lambda: parse_kolada(path, folder),
        lambda: load_activities(path, STRATEGIES["skr2018"]),
        lambda: load_params(path),
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["nested", "fifo", "dev", "proc", "text"]),
    depth=st.integers(1, 5000),
    name=_NAMES,
    suffix=st.sampled_from([".csv", ".json", ".yaml", ".xlsx", ".parquet", ".csv.gz"]),
)
def test_no_input_gives_a_traceback_or_a_hang(tmp_path_factory, kind, depth, name, suffix):
    """Nested JSON, pipes, devices, /proc files and random names (mathtext, NFD, control
    characters) fed to every reader and to the data folder's check (as its population
    forecast): each returns or raises InputError, within its time limit."""
    folder = tmp_path_factory.mktemp("in")
    path = folder / f"fil{suffix}"
    if kind == "nested":
        path.write_bytes(b'{"values": ' + _json(depth) + b"}" if depth % 2 else _json(depth))
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev":
        os.symlink("/dev/zero", path)
    elif kind == "proc":
        os.symlink("/proc/self/status", path)
    else:
        path.write_text(f"ar,yrkesgrupp,antal\n2025,{json.dumps(name)},3\n- {name}: {name}\n", encoding="utf-8")
    for read in _entry_points(path):
        with time_limit(10), contextlib.suppress(InputError):
            read()
    with time_limit(10), contextlib.suppress(InputError):
        load_texts(folder, "x", {"inledning": path.name})
    with time_limit(30), contextlib.suppress(InputError):
        _as_population(path, folder)()


@settings(max_examples=25, deadline=None)
@given(names=st.lists(_NAMES, min_size=1, max_size=3, unique=True))
def test_any_name_validates_or_is_refused_and_always_draws(names):
    from kompetens.report.common import as_image
    from kompetens.report.figures import staff_by_group_age

    rows = [
        {**dict(zip(TABLES["personal"][0].split(";"), TABLES["personal"][1].split(";"))), "person_id": f"A{i}"}
        for i in range(len(names))
    ]
    for row, name in zip(rows, names):
        row["yrkesgrupp"] = name
    from kompetens import validate_table

    with contextlib.suppress(InputError):
        validate_table(pd.DataFrame(rows, dtype=object), "personal", "personal.csv")
    counts = pd.DataFrame({"yrkesgrupp": names, "antal": range(1, len(names) + 1), "aldersband": "30–49"})
    with time_limit(30):
        assert as_image(staff_by_group_age(counts, 2025)).data.startswith(b"\x89PNG")
