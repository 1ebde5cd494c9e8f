"""The levers against the baseline: each of SKR's strategies alone, added one by one (the
waterfall) and all together, and whether they cover the directive's share."""

from __future__ import annotations

import numpy as np

from kompetens.models.scenarios import NAMES, active
from kompetens.plan.staffplan import staff_plan


def compare(plan, baseline) -> dict:
    """The baseline, each active lever alone, the levers added one by one (the waterfall) and
    all combined: staff need in slutår, staff increase, recruitment need over the period and
    the yearly cost of the increase. Also whether the levers cover the directive's share."""
    levers = active(plan.params)

    base_persons = baseline.projection.personalbehov[:, :, 0].sum(axis=0)
    base_fte = baseline.projection.arsarbetare[:, :, 0].sum(axis=0)
    cost_per_fte = dict(
        zip(
            baseline.projection.grupper,
            baseline.kostnad_per_person.reindex(baseline.projection.grupper).to_numpy()
            * np.where(base_fte > 0, base_persons / np.where(base_fte > 0, base_fte, 1), 1.0),
        )
    )

    def summary(sp) -> dict:
        """Persons, recruitment and the yearly cost of the increase in årsarbetare (so that
        working more hours is paid for: heltid lowers recruitment, not the wage bill)."""
        proj = sp.projection
        need = proj.table("personalbehov")
        recruit = proj.table("rekryteringsbehov").loc["Totalt", sp.basar + 1 : sp.slutar]
        fte_end = dict(zip(proj.grupper, proj.arsarbetare[:, :, -1].sum(axis=0)))
        fte_start = dict(zip(baseline.projection.grupper, base_fte))
        mean_cost = float(np.mean(list(cost_per_fte.values())))
        cost = sum(cost_per_fte.get(g, mean_cost) * (fte_end[g] - fte_start.get(g, 0.0)) for g in proj.grupper) / 1e6
        return {
            "personalbehov_slutar": float(need.loc["Totalt", sp.slutar]),
            "personalokning": float(need.loc["Totalt", sp.slutar] - need.loc["Totalt", sp.basar]),
            "rekryteringsbehov_period": float(recruit.sum()),
            "kostnad_personalokning_mnkr": float(cost),
        }

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
    share = plan.params["direktiv_andel"]
    fewer = base["personalokning"] - combined["personalokning"]
    out.update(
        direktiv_personer=share * base["personalokning"],
        minskning_personer=fewer,
        direktiv_mnkr=share * base["kostnad_personalokning_mnkr"],
        besparing_mnkr=base["kostnad_personalokning_mnkr"] - combined["kostnad_personalokning_mnkr"],
        direktiv_tackt=bool(fewer >= share * base["personalokning"]),
    )
    return out
