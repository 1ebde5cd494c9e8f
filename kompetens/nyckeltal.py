"""The run's key figures (nyckeltal.json): computed values for automation and reviewers.

Numbers are unrounded floats; rounding belongs to presentation. Figures about fewer than
k persons are null. The keys are documented in the README and kept stable.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from kompetens import staff
from kompetens.plan import Plan

FILENAME = "nyckeltal.json"


def _clean(x):
    """JSON-ready value: floats stay unrounded, NaN becomes null, keys become strings."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):  # numpy scalar
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def key_figures(plan: Plan) -> dict:
    """All key figures of a run, as plain JSON-ready data."""
    inp, k = plan.inputs, plan.k
    summary = staff.staff_summary(inp.personal, plan.basar, k)
    headcount = staff.headcount_by_year(inp.personal, k)
    exits = staff.exits_by_year(inp.avgangar, k)
    figures = {
        "titel": plan.params["titel"],
        "slug": plan.params["slug"],
        "forvaltning": plan.params["forvaltning"],
        "basar": plan.basar,
        "slutar": plan.slutar,
        "k_anonymitet": k,
        "grupper": staff.groups(inp.personal[inp.personal["ar"] == plan.basar]),
        "antal_anstallda": headcount.T.to_dict(),
        "antal_basar": summary["antal"].to_dict(),
        "arsarbetare_basar": summary["arsarbetare"].to_dict(),
        "sysselsattningsgrad_basar": summary["sysselsattningsgrad"].to_dict(),
        "medelalder_basar": summary["medelalder"].to_dict(),
        "andel_60_plus_basar": summary["andel_60_plus"].to_dict(),
        "avgangar": exits.T.to_dict(),
        "sjukfranvaro": staff.sick_leave_by_year(inp.franvaro, k).to_dict(),
        "befolkning_forandring": staff.population_change(inp.befolkning, plan.basar, plan.slutar),
    }
    if inp.kostnader is not None:
        costs = staff.costs_by_year(inp.kostnader)
        figures["lonekostnad_mnkr"] = (costs["lonekostnad"] / 1e6).to_dict()
        figures["hyrpersonal_andel"] = costs["hyrpersonal_andel"].to_dict()
    return _clean(figures)


def write_key_figures(figures: dict, out_dir: str | Path) -> Path:
    """Write figures as out_dir/nyckeltal.json atomically (sorted keys, UTF-8)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(figures, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.write("\n")
    path = out / FILENAME
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def read_key_figures(out_dir: str | Path) -> dict:
    return json.loads((Path(out_dir) / FILENAME).read_text(encoding="utf-8"))
