"""Faults a careless user or a bad day brings: a tampered or growing cache, a killed run,
stale reports, the notebook run by hand, two runs at once, read-only and full disks, a lost
Dask worker. Each must end with a clear message and nothing lost or half-published."""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_security import copy_demo

import kompetens
from conftest import FAILS
from kompetens.io import load
from kompetens.run import batch, distributed, execute
from kompetens.run.cli import main
from kompetens.run.execute import FINGERPRINT, WORK, RunResult

# --- the input cache -----------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_cache_is_private_verified_and_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(load, "CACHE_KEY_FILE", tmp_path / "nyckel" / "cachenyckel")
    data = copy_demo(tmp_path / "data", {})
    fresh = load.load_inputs(data, cache=False)
    load.load_inputs(data)
    [entry] = (tmp_path / "cache").iterdir()
    assert _mode(tmp_path / "cache") == 0o700 and _mode(entry) == 0o700
    assert {_mode(p) for p in entry.iterdir()} == {0o600}
    assert sorted(json.loads((entry / "manifest.json").read_text())["filer"]) == sorted(
        p.name for p in entry.iterdir() if p.name != "manifest.json"
    )
    # an edited salary and an injected name in the cached register are not trusted
    personal = pd.read_parquet(entry / "personal.parquet")
    personal["manadslon"] = personal["manadslon"] * 10
    personal["yrkesgrupp"] = "<b>Inskjuten</b>"
    personal.to_parquet(entry / "personal.parquet")
    again = load.load_inputs(data)
    pd.testing.assert_frame_equal(again.personal, fresh.personal)
    assert load._read_cache(entry) is not None  # the entry was validated again and replaced
    # a removed file, or an extra one, is a mismatch too
    (entry / "extra.parquet").write_bytes(b"x")
    assert load._read_cache(entry) is None and not entry.exists()
    # pruning keeps the most recently used entries
    for i in range(load.CACHE_ENTRIES + 3):
        (tmp_path / "cache" / f"old{i:02d}").mkdir()
        os.utime(tmp_path / "cache" / f"old{i:02d}", (i, i))
    load.load_inputs(data)
    kept = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(kept) == load.CACHE_ENTRIES and "old00" not in kept
    assert main(["clean", "--out", str(tmp_path / "out")]) == 0
    assert not (tmp_path / "cache").exists()


def test_a_cache_entry_forged_with_its_manifest_is_not_trusted(tmp_path, monkeypatch):
    """Parquet and manifest replaced together (forged rows with a personnummer as id and a
    markup name, the manifest's SHA-256 recomputed) fail the installation's HMAC: the
    folder is validated again, and a key readable by others is never used."""
    import hashlib

    monkeypatch.setattr(load, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(load, "CACHE_KEY_FILE", tmp_path / "nyckel" / "cachenyckel")
    data = copy_demo(tmp_path / "data", {})
    fresh = load.load_inputs(data)
    assert _mode(tmp_path / "nyckel" / "cachenyckel") == 0o600
    [entry] = (tmp_path / "cache").iterdir()
    personal = pd.read_parquet(entry / "personal.parquet")
    personal["person_id"] = "811228-9874"
    personal["yrkesgrupp"] = "<img src=https://beacon.example/x>"
    personal.to_parquet(entry / "personal.parquet")
    manifest = json.loads((entry / "manifest.json").read_text())
    manifest["filer"]["personal.parquet"] = hashlib.sha256((entry / "personal.parquet").read_bytes()).hexdigest()
    (entry / "manifest.json").write_text(json.dumps(manifest))
    assert load._read_cache(entry) is None
    pd.testing.assert_frame_equal(load.load_inputs(data).personal, fresh.personal)
    (tmp_path / "nyckel" / "cachenyckel").chmod(0o644)
    assert load._cache_secret() is None


# --- stale reports, the work area, the index -----------------------------------------------


@pytest.fixture(scope="module")
def stab(tmp_path_factory):
    """A department's report on a copy of the demo data (so its files can be edited)."""
    tmp = tmp_path_factory.mktemp("stab")
    data = copy_demo(tmp / "data", {})
    params = tmp / "stab.yaml"
    params.write_text("titel: Stab\nslug: stab\nforvaltning: Stab\nsimuleringar: 0\n", encoding="utf-8")
    out = tmp / "out"
    [first] = batch.run_batch([params], out, data_dir=data, progress=False, force=False)
    assert first.ok and not first.skipped, first.error
    return params, data, out


def _run(stab) -> RunResult:
    params, data, out = stab
    [r] = batch.run_batch([params], out, data_dir=data, progress=False, force=False)
    assert r.ok, r.error
    return r


def test_a_report_is_skipped_only_when_nothing_it_read_or_wrote_changed(stab):
    _, data, out = stab
    assert _run(stab).skipped
    # the activity plan is read by the report
    plan = data / "aktivitetsplan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: pågår", "status: klar", 1), encoding="utf-8")
    assert not _run(stab).skipped
    assert _run(stab).skipped
    # an output edited or overwritten after the run (e.g. by the notebook run by hand)
    figures = out / "stab" / "nyckeltal.json"
    figures.write_text(figures.read_text(encoding="utf-8").replace('"Stab"', '"Ändrad"'), encoding="utf-8")
    assert not _run(stab).skipped
    assert '"Ändrad"' not in figures.read_text(encoding="utf-8")
    record = json.loads((out / "stab" / FINGERPRINT).read_text(encoding="utf-8"))
    from kompetens.report import pdf

    printed = {"rapport.pdf"} if pdf.chromium() else set()
    assert set(record["utdata"]) == {"nyckeltal.json", "rapport.html", "rapport.ipynb", "tabeller.xlsx"} | printed


def test_a_killed_runs_folders_are_never_published_and_go_on_the_next_run(stab, monkeypatch):
    params, data, out = stab
    left = out / WORK / "stab-abc123"
    left.mkdir(parents=True)
    (left / "nyckeltal.json").write_text('{"person_id": "D00003"}', encoding="utf-8")
    seen = []
    real_scan = execute.scan_outputs
    monkeypatch.setattr(execute, "scan_outputs", lambda folder, *a: seen.append(Path(folder)) or real_scan(folder, *a))
    [r] = batch.run_batch([params], out, data_dir=data, progress=False, force=True)
    assert r.ok and seen and seen[0].parent == out / WORK
    assert not (out / WORK).exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "abc123" not in index and "D00003" not in index


def test_the_index_lists_every_report_present_with_its_last_failure(stab, tmp_path, failing_notebook, monkeypatch):
    params, data, out = stab
    shutil.copytree(out / "stab", out / "stab-kopia")  # a report of an earlier batch
    shutil.copytree(out / "stab", out / "aldre")  # and one of an older version, with fewer key figures
    (out / "aldre" / "nyckeltal.json").write_text('{"titel": "<i>Äldre</i>", "basar": 2020}', encoding="utf-8")
    bad = tmp_path / "stab.yaml"
    bad.write_text(f"titel: {FAILS}\nslug: stab\nforvaltning: Stab\n", encoding="utf-8")
    before = (out / "stab" / "nyckeltal.json").read_bytes()
    [r] = batch.run_batch([bad], out, data_dir=data, progress=False)
    assert not r.ok and "rapporten avbröts i ett test" in r.error
    assert (out / "stab" / "nyckeltal.json").read_bytes() == before
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="stab/rapport.html"' in index and 'href="stab-kopia/rapport.html"' in index
    assert 'href="aldre/rapport.html">&lt;i&gt;Äldre&lt;/i&gt;</a>' in index
    [message] = [html.unescape(m) for m in re.findall(r"<small class=\"fel\">(.*?)</small>", index, flags=re.S)]
    assert "Senaste körningen misslyckades" in message and "rapporten avbröts i ett test" in message
    assert not re.search(r"\d", message)  # sanitised: no numbers, ids or dates from the error
    monkeypatch.undo()  # the report notebook again
    # the next good run clears the failure
    [ok] = batch.run_batch([params], out, data_dir=data, progress=False, force=False)
    assert ok.skipped and "Senaste körningen misslyckades" not in (out / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(out / "stab-kopia")
    shutil.rmtree(out / "aldre")


def test_the_notebook_run_by_hand_never_writes_into_outputs(tmp_path):
    plan = kompetens.prepare(titel="Stab", slug="stab", forvaltning="Stab", simuleringar=0)
    assert not plan.utkatalog.is_relative_to(kompetens.io.fingerprint.PACKAGE_ROOT / "outputs")
    assert plan.utkatalog.is_relative_to(tempfile.gettempdir())
    asked = kompetens.prepare(slug="stab", forvaltning="Stab", simuleringar=0, utkatalog=str(tmp_path))
    assert asked.utkatalog == tmp_path


# --- concurrent runs, disks, Dask ----------------------------------------------------------


def test_a_second_run_waits_then_stops_with_a_clear_message(stab, monkeypatch, capsys):
    params, data, out = stab
    index = (out / "index.html").read_bytes()
    monkeypatch.setattr(batch, "LOCK_WAIT", 0.5)
    with batch.batch_lock(out):
        code = main(["run", str(params), "--out", str(out), "--data", str(data), "--force"])
    assert code == 1
    assert "en annan körning skriver redan" in capsys.readouterr().err
    assert (out / "index.html").read_bytes() == index


@contextlib.contextmanager
def _tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_read_only_out_folder_ends_with_a_message_and_nothing_lost(stab, tmp_path, capsys):
    params, data, out = stab
    with _tmpfs(tmp_path / "ro", "64m") as disk:
        shutil.copytree(out / "stab", disk / "stab")
        shutil.copy(out / "index.html", disk / "index.html")
        before = _snapshot(disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        code = main(["run", str(params), "--out", str(disk), "--data", str(data), "--force", "--jobs", "1"])
        err = capsys.readouterr().err
        assert code == 1 and "kan inte skriva" in err and "Traceback" not in err, err
        assert _snapshot(disk) == before


def test_a_full_disk_ends_with_a_message_and_nothing_lost(stab, tmp_path, capsys):
    params, data, out = stab
    with _tmpfs(tmp_path / "full", "16m") as disk:
        shutil.copytree(out / "stab", disk / "stab")
        shutil.copy(out / "index.html", disk / "index.html")
        with contextlib.suppress(OSError), open(disk / "fyllnad", "wb") as f:
            while True:
                f.write(b"\0" * (1 << 16))
        before = _snapshot(disk)
        code = main(["run", str(params), "--out", str(disk), "--data", str(data), "--force", "--jobs", "1"])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err, err
        after = _snapshot(disk)
        assert {k: v for k, v in after.items() if k in before} == before
        assert not [k for k in after if k not in before and not k.endswith(".fel")], sorted(after)


def test_a_lost_dask_worker_fails_its_report_only(tmp_path, monkeypatch):
    dask = pytest.importorskip("distributed")

    def on_worker(params_name, params_text, data_dir):
        if params_name.startswith("trasig"):
            raise RuntimeError("the worker died")
        slug = yaml.safe_load(params_text)["slug"]
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            page = f"<html>{slug}</html>".encode()
            info = tarfile.TarInfo(f"{slug}/rapport.html")
            info.size = len(page)
            tar.addfile(info, io.BytesIO(page))
        return RunResult(params_name, slug, slug, ok=True, seconds=0.0), buffer.getvalue()

    monkeypatch.setattr(distributed, "_run_on_worker", on_worker)
    files = []
    for name in ("hel", "trasig", "hel2"):
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(f"slug: {name}\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()

    class Bar:
        def update(self):
            pass

    with dask.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
        results = distributed.run_on_cluster(client, [(f, tmp_path) for f in files], out, Bar())
    by_slug = {r.slug: r for r in results}
    assert set(by_slug) == {"hel", "trasig", "hel2"}
    assert by_slug["hel"].ok and by_slug["hel2"].ok and not by_slug["trasig"].ok
    assert "the worker died" in by_slug["trasig"].error
    assert (out / "hel" / "rapport.html").read_text() == "<html>hel</html>"
    assert (out / "hel2" / "rapport.html").exists() and not (out / "trasig").exists()
