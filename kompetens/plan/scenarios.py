"""The levers against the baseline: each of SKR's strategies alone, added one by one (the
waterfall) and all together, and whether they cover the directive's share."""

from __future__ import annotations

import numpy as np

from kompetens.models.scenarios import NAMES, active
from kompetens.plan.staffplan import staff_plan
from kompetens.vocabulary import TOTAL


def cost_per_fte(baseline) -> dict:
    """Yearly cost (kr) of one årsarbetare per yrkesgrupp in the baseline."""
    base_persons = baseline.projection.personalbehov[:, :, 0].sum(axis=0)
    base_fte = baseline.projection.arsarbetare[:, :, 0].sum(axis=0)
    return dict(
        zip(
            baseline.projection.grupper,
            baseline.kostnad_per_person.reindex(baseline.projection.grupper).to_numpy()
            * np.where(base_fte > 0, base_persons / np.where(base_fte > 0, base_fte, 1), 1.0),
        )
    )


def summarise(sp, baseline) -> dict:
    """{yrkesgrupp and Totalt: staff need in slutår, staff increase and recruitment need over
    the period (persons), and the yearly cost of the increase in årsarbetare (mnkr; so that
    working more hours is paid for: heltid lowers recruitment, not the wage bill)}."""
    proj, costs = sp.projection, cost_per_fte(baseline)
    need = proj.table("personalbehov")
    recruit = proj.table("rekryteringsbehov").loc[:, sp.basar + 1 : sp.slutar].sum(axis=1)
    fte_end = dict(zip(proj.grupper, proj.arsarbetare[:, :, -1].sum(axis=0)))
    fte_start = dict(zip(baseline.projection.grupper, baseline.projection.arsarbetare[:, :, 0].sum(axis=0)))
    mean_cost = float(np.mean(list(costs.values())))
    cost = {g: costs.get(g, mean_cost) * (fte_end[g] - fte_start.get(g, 0.0)) / 1e6 for g in proj.grupper}
    cost[TOTAL] = sum(cost.values())
    return {
        g: {
            "personalbehov_slutar": float(need.loc[g, sp.slutar]),
            "personalokning": float(need.loc[g, sp.slutar] - need.loc[g, sp.basar]),
            "rekryteringsbehov_period": float(recruit[g]),
            "kostnad_personalokning_mnkr": float(cost[g]),
        }
        for g in [*proj.grupper, TOTAL]
    }


def directive(share: float, base: dict, combined: dict) -> dict:
    """The directive (share of the baseline's staff increase to be met by other solutions)
    against what the levers take off the increase: persons, mnkr and whether it is covered."""
    fewer = base["personalokning"] - combined["personalokning"]
    return {
        "direktiv_personer": share * base["personalokning"],
        "minskning_personer": fewer,
        "direktiv_mnkr": share * base["kostnad_personalokning_mnkr"],
        "besparing_mnkr": base["kostnad_personalokning_mnkr"] - combined["kostnad_personalokning_mnkr"],
        "direktiv_tackt": bool(fewer >= share * base["personalokning"]),
    }


def compare(plan, baseline) -> dict:
    """The baseline, each active lever alone, the levers added one by one (the waterfall) and
    all combined: staff need in slutår, staff increase, recruitment need over the period and
    the yearly cost of the increase. Also whether the levers cover the directive's share."""
    levers = active(plan.params)

    def summary(sp) -> dict:
        return summarise(sp, baseline)[TOTAL]

    base = summary(baseline)
    out = {"baslinje": base, "var_for_sig": {}, "vattenfall": [], "tillsammans": base}
    if not levers:
        return {**out, "direktiv_tackt": None}
    steps, so_far = [], {}
    for key, value in levers.items():
        alone = summary(staff_plan(plan, {key: value}, draws=0))
        out["var_for_sig"][key] = {
            **alone,
            "namn": NAMES[key],
            "skillnad_rekrytering": alone["rekryteringsbehov_period"] - base["rekryteringsbehov_period"],
        }
        before = summary(staff_plan(plan, so_far, draws=0)) if so_far else base
        so_far = {**so_far, key: value}
        after = summary(staff_plan(plan, so_far, draws=0))
        steps.append(
            {
                "spak": key,
                "namn": NAMES[key],
                "rekryteringsbehov": after["rekryteringsbehov_period"] - before["rekryteringsbehov_period"],
                "kostnad_mnkr": after["kostnad_personalokning_mnkr"] - before["kostnad_personalokning_mnkr"],
            }
        )
        combined = after
    out["vattenfall"], out["tillsammans"] = steps, combined
    out.update(directive(plan.params["direktiv_andel"], base, combined))
    return out
