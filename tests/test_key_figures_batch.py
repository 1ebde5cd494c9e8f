"""`kompetens run --bara-nyckeltal`: key figures without the notebook, in worker processes and
on a Dask cluster, byte for byte those of the full report."""

from __future__ import annotations

import json

import pytest

from conftest import PARAMS, ROOT
from kompetens.run.cli import main
from kompetens.run.execute import FINGERPRINT
from kompetens.run.key_figures_batch import run_key_figures, write_text

SMALL = [ROOT / "params" / "individ-och-familjeomsorg.yaml", ROOT / "params" / "funktionsstod.yaml"]


def test_key_figures_only_equal_the_full_reports_byte_for_byte(batch, tmp_path):
    out, _ = batch
    results = run_key_figures(PARAMS, tmp_path, jobs=2)
    assert [r.ok for r in results] == [True] * len(PARAMS), [r.error for r in results]
    assert [r.slug for r in results] == [json.loads(r.text)["slug"] for r in results]
    for r in results:
        written = tmp_path / r.slug / "nyckeltal.json"
        assert written.read_bytes() == (out / r.slug / "nyckeltal.json").read_bytes()
        assert sorted(p.name for p in (tmp_path / r.slug).iterdir()) == ["nyckeltal.json"]  # no notebook, no HTML


def test_key_figures_on_a_dask_cluster_are_the_same_bytes(tmp_path):
    distributed = pytest.importorskip("distributed")

    local = run_key_figures(SMALL, tmp_path / "lokal", jobs=1)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_key_figures(SMALL, tmp_path / "dask", scheduler=client)
    assert [r.slug for r in remote] == ["individ-och-familjeomsorg", "funktionsstod"]
    for a, b in zip(local, remote, strict=True):
        assert a.ok and b.ok, (a.error, b.error)
        assert (tmp_path / "dask" / b.slug / "nyckeltal.json").read_bytes() == (
            tmp_path / "lokal" / a.slug / "nyckeltal.json"
        ).read_bytes()
    figures = json.loads((tmp_path / "dask" / "funktionsstod" / "nyckeltal.json").read_text(encoding="utf-8"))
    assert figures["forvaltning"] == "Funktionsstöd (LSS)"
    assert sum(v for v in figures["antal_basar"].values() if v is not None) > 0


def test_the_cli_writes_key_figures_per_params_file(tmp_path, capsys):
    assert main(["run", "--bara-nyckeltal", *map(str, SMALL), "--out", str(tmp_path), "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "klar  individ-och-familjeomsorg" in printed and "klar  funktionsstod" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["funktionsstod", "individ-och-familjeomsorg"]


def test_bad_data_stops_the_batch_with_exit_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    folder = ROOT / "tests" / "bad_inputs" / "folders" / "okand_person_i_franvaro"
    bad.write_text(f"titel: X\nslug: x\ndata_dir: {folder}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--bara-nyckeltal", str(SMALL[0]), str(bad), "--out", str(out), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "franvaro.csv, rad 4, kolumn 'person_id'" in err and "Traceback" not in err
    assert not out.exists()


def test_a_failing_params_file_does_not_stop_the_others(tmp_path, monkeypatch):
    """A report that fails while its key figures are computed (after the input gate) is
    reported as failed and the others are written. Workers run in this process (a Dask
    cluster of threads), so the failure can be planted."""
    import distributed

    from kompetens.plan import key_figures as module
    from kompetens.run.key_figures_batch import run_key_figures

    real = module.key_figures

    def failing(plan, *args, **kwargs):
        if plan.params["slug"] == "x":
            raise RuntimeError("planted failure")
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(module, "key_figures", failing)
    bad = tmp_path / "bad.yaml"
    bad.write_text("titel: X\nslug: x\nsimuleringar: 0\n", encoding="utf-8")
    out = tmp_path / "out"
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = run_key_figures([bad, SMALL[0]], out, scheduler=client)
    assert [(r.slug, r.ok) for r in results] == [("x", False), ("individ-och-familjeomsorg", True)]
    assert "planted failure" in results[0].error
    assert sorted(p.name for p in out.iterdir()) == ["individ-och-familjeomsorg"]


def test_a_bad_forvaltning_names_the_params_file(tmp_path, capsys):
    bad = tmp_path / "skola.yaml"
    bad.write_text("titel: Skola\nslug: skola\nforvaltning: Skola\n", encoding="utf-8")
    assert main(["run", "--bara-nyckeltal", str(bad), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, nyckel 'forvaltning': okänd förvaltning" in err
    assert not (tmp_path / "out").exists()


def test_new_key_figures_invalidate_a_full_report_in_the_folder(tmp_path):
    folder = tmp_path / "aldreomsorg"
    folder.mkdir()
    (folder / "nyckeltal.json").write_text('{"a": 1}\n', encoding="utf-8")
    (folder / FINGERPRINT).write_text("abc", encoding="utf-8")
    write_text(folder, '{"a": 1}\n')  # unchanged: the report stays current
    assert (folder / FINGERPRINT).exists()
    write_text(folder, '{"a": 2}\n')
    assert not (folder / FINGERPRINT).exists()
    assert (folder / "nyckeltal.json").read_text(encoding="utf-8") == '{"a": 2}\n'
    assert [p.name for p in folder.iterdir()] == ["nyckeltal.json"]


def test_each_data_folder_is_validated_once_in_its_worker_and_not_cached(tmp_path, monkeypatch):
    """Two params files on one data folder: its tables are read and validated once, by the
    worker that computes both key figures (a Dask cluster of threads here, so the reads can
    be counted), and no cache entry is written for tables read once."""
    import distributed

    from kompetens.io import load

    reads = []
    real = load._load_inputs
    monkeypatch.setattr(load, "_load_inputs", lambda folder: reads.append(folder) or real(folder))
    before = set(load.CACHE_DIR.iterdir()) if load.CACHE_DIR.is_dir() else set()
    with (
        distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = run_key_figures(SMALL, tmp_path, scheduler=client)
    assert [(r.slug, r.ok) for r in results] == [("individ-och-familjeomsorg", True), ("funktionsstod", True)]
    assert len(reads) == 1
    assert (set(load.CACHE_DIR.iterdir()) if load.CACHE_DIR.is_dir() else set()) == before
