"""The assumption register as the plan ran with it, and the sensitivity ranking: how much the
recruitment need over the plan period (and the yearly cost of the staff increase) moves when
each assumption moves across the plausible range the register gives."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kompetens import assumptions
from kompetens.io.params import DEFAULTS
from kompetens.models import economics
from kompetens.models.demand import DEFAULT_DRIVARE
from kompetens.vocabulary import TOTAL

if TYPE_CHECKING:
    from kompetens.plan.prepare import Plan

#: The params key that overrides each register entry (None: shown only, not a parameter).
PARAMS_KEY = {
    "pensionsalder": "pensionsprofil",
    "las_alder": "las_alder",
    "riktalder": None,
    "po_palagg": "po_palagg",
    "drivare": "drivare",
}


def register_table(plan: Plan) -> list[dict]:
    """Per assumption: namn, the value the plan used (varde), enhet, kalla, argang,
    motivering, intervall and andrad (True when a params file overrode the default)."""
    rows = []
    for key in assumptions.KEYS:
        entry = assumptions.register()[key]
        param = PARAMS_KEY[key]
        changed = param is not None and plan.params[param] != DEFAULTS[param]
        rows.append(
            {
                "nyckel": key,
                **{k: entry[k] for k in ("namn", "enhet", "kalla", "argang", "motivering")},
                "intervall": list(entry["intervall"]),
                "varde": plan.params[param] if changed else entry["varde"],
                "andrad": bool(changed),
            }
        )
    return rows


def _shifted_profile(plan: Plan, years: int) -> dict:
    """The retirement hazards in use moved `years` later (earlier when negative); everyone
    still leaves at the LAS age."""
    las = plan.params["las_alder"]
    base = plan.params["pensionsprofil"] or assumptions.retirement_hazards(las_alder=las)
    moved = {int(a) + years: h for a, h in base.items() if int(a) + years < las}
    moved[las] = 1.0
    return moved


def _scaled_drivers(plan: Plan, factor: float) -> dict:
    """The demand drivers in use with the weight of every 80+ band multiplied by factor."""
    drivers = plan.params["drivare"] or DEFAULT_DRIVARE
    return {
        g: {b: w * factor if b.strip().startswith("80") else w for b, w in bands.items()}
        for g, bands in drivers.items()
    }


def _override(plan: Plan, key: str, value) -> dict:
    if key == "pensionsalder":
        return {"pensionsprofil": _shifted_profile(plan, int(value))}
    if key == "drivare":
        return {"drivare": _scaled_drivers(plan, float(value))}
    return {PARAMS_KEY[key]: value}


def _outcome(plan: Plan) -> dict:
    """Recruitment need over basår+1..slutår and the yearly cost of the staff increase (mnkr)."""
    from kompetens.plan.staffplan import project_demographic, staff_plan

    if plan.params["personalbehov_extern"]:
        sp = staff_plan(plan, draws=0)
        proj, basar, slutar, cost = sp.projection, sp.basar, sp.slutar, sp.kostnad_per_person
    else:  # the projection alone: no backtest, no simulation
        basar, slutar = plan.basar, plan.slutar
        proj, _ = project_demographic(plan, basar, slutar, draws=0)
        year = min(plan.inputs.snapshot_years, key=lambda y: (abs(y - basar), -y))
        cost = economics.cost_per_person(
            plan.inputs.personal, year, proj.grupper, plan.params["po_palagg"], plan.params["kostnad_per_person"]
        )
    recruit = proj.table("rekryteringsbehov").loc[TOTAL, basar + 1 : slutar].sum()
    increase = economics.staff_increase(proj.table("personalbehov"), basar, slutar)
    mnkr = economics.increase_cost(increase, cost)[TOTAL]
    return {"rekryteringsbehov": float(recruit), "kostnad_mnkr": float(mnkr)}


def sensitivity(plan: Plan) -> list[dict]:
    """Per assumption with a range: the outcome at the range's low and high end (the other
    assumptions as the plan has them), sorted by how far the recruitment need swings, then
    the cost. Assumptions the projection does not use (riktålder) are left out."""
    base = _outcome(replace(plan, params={**plan.params, "simuleringar": 0}))
    rows = []
    for key in assumptions.KEYS:
        low, high = assumptions.register()[key]["intervall"]
        if PARAMS_KEY[key] is None or low == high:
            continue
        ends = {}
        for name, value in (("lag", low), ("hog", high)):
            params = {**plan.params, **_override(plan, key, value), "simuleringar": 0}
            ends[name] = _outcome(replace(plan, params=params))
        rows.append(
            {
                "nyckel": key,
                "namn": assumptions.register()[key]["namn"],
                "lag": low,
                "hog": high,
                "rekryteringsbehov_bas": base["rekryteringsbehov"],
                "rekryteringsbehov_lag": ends["lag"]["rekryteringsbehov"],
                "rekryteringsbehov_hog": ends["hog"]["rekryteringsbehov"],
                "kostnad_mnkr_bas": base["kostnad_mnkr"],
                "kostnad_mnkr_lag": ends["lag"]["kostnad_mnkr"],
                "kostnad_mnkr_hog": ends["hog"]["kostnad_mnkr"],
            }
        )

    def swing(r):
        return (
            abs(r["rekryteringsbehov_hog"] - r["rekryteringsbehov_lag"]),
            abs(r["kostnad_mnkr_hog"] - r["kostnad_mnkr_lag"]),
        )

    return sorted(rows, key=swing, reverse=True)
