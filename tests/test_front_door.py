"""The lazy front doors: `kompetens` and `kompetens.report` offer every public name, and the
runner starts without the plotting and statistics libraries it never uses."""

from __future__ import annotations

import subprocess
import sys

import kompetens
from kompetens import report

HEAVY = ("seaborn", "scipy", "statsmodels", "matplotlib", "lifelines")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()


def test_the_runner_does_not_import_plotting_or_statistics():
    assert _loaded_after("import kompetens.run.cli, kompetens.run.execute, kompetens.run.batch") == []
    assert _loaded_after("import kompetens; from kompetens import report") == []
    # the names still lead to the code that needs them
    assert "seaborn" in _loaded_after("from kompetens import report; report.need_figure")
    assert "matplotlib" in _loaded_after("import kompetens; kompetens.explore; kompetens.report.as_image")


def test_every_public_name_resolves_and_is_listed():
    for package in (kompetens, report):
        assert len(package.__all__) == len(set(package.__all__)) >= 40
        for name in package.__all__:
            value = getattr(package, name)
            assert callable(value) or name == "DEFAULTS", name
        assert set(package.__all__) <= set(dir(package))
    assert set(report._LAZY) == set(report.__all__)
    assert set(kompetens._LAZY) | {"explore"} == set(kompetens.__all__)
    assert kompetens.summary_text.__module__ == "kompetens.report.narrative"
    assert report.summary.__module__ == "kompetens.report.common"
    from kompetens.io.fingerprint import VERSION

    assert kompetens.__version__ == VERSION


def test_from_import_and_subpackages_work():
    from kompetens import Plan, prepare
    from kompetens import report as rep
    from kompetens.report import excel_tables

    assert rep is report and excel_tables is report.excel_tables
    assert Plan.__name__ == "Plan" and prepare.__module__ == "kompetens.plan.prepare"
    assert kompetens.models.__name__ == "kompetens.models"
    try:
        kompetens.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
