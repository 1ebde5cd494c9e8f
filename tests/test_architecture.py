"""The tree's layers, the import contracts, lint, formatting and the dependency lock."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold():
    """Layers import only the layers below them, models are pure, no cycles anywhere."""
    done = _run(str(BIN / "lint-imports"), "--no-cache")
    assert done.returncode == 0, done.stdout[-3000:]
    assert done.stdout.count(" KEPT") == 3, done.stdout[-3000:]


def test_every_layer_says_what_it_owns_and_may_import():
    package = ROOT / "kompetens"
    layers = [p for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    assert {p.name for p in layers} >= {"io", "models", "privacy", "plan", "report", "run", "demo"}
    for layer in layers:
        doc = (layer / "__init__.py").read_text(encoding="utf-8")
        assert doc.startswith('"""'), layer
        if layer.name != "demo":
            assert "May import" in doc or "may import" in doc, layer


def test_ruff_lint_and_format_are_clean():
    lint = _run(str(BIN / "ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-3000:]


def _locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_lock_files_match_pyproject():
    """Every dependency of pyproject.toml is pinned, with hashes, at a version it allows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for lock, extras in (("requirements/report.lock", []), ("requirements/test.lock", ["test"])):
        path = ROOT / lock
        text = path.read_text(encoding="utf-8")
        pins = _locked(path)
        assert "--hash=sha256:" in text
        assert all(
            "--hash=sha256:" in block
            for block in re.split(r"\n(?=[a-z0-9])", text.split("\n\n", 1)[-1])
            if "==" in block
        )
        wanted = list(project["dependencies"]) + [r for e in extras for r in project["optional-dependencies"][e]]
        for spec in wanted:
            req = Requirement(spec)
            name = req.name.lower().replace("_", "-")
            assert name in pins, f"{lock}: {name} is not locked"
            assert req.specifier.contains(pins[name], prereleases=True), f"{lock}: {name}=={pins[name]} vs {spec}"


def test_provenance_names_the_lock_file_and_any_drift_from_it(tmp_path):
    import kompetens
    from kompetens import report
    from kompetens.io.fingerprint import LOCK_FILE, environment_drift, sha256

    text = report.provenance(kompetens.prepare(simuleringar=0)).data
    assert f"`requirements/report.lock`, SHA-256 `{sha256(LOCK_FILE)}`" in text
    fake = tmp_path / "x.lock"
    fake.write_text("numpy==0.0.1 \\\n    --hash=sha256:00\nnot-installed-anywhere==1.0\n", encoding="utf-8")
    from importlib.metadata import version

    assert environment_drift(fake) == ["not-installed-anywhere: saknas ≠ 1.0", f"numpy: {version('numpy')} ≠ 0.0.1"]
