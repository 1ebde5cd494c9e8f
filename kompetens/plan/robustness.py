"""Robustness of the plan's strategy bundles (kompetens.models.robustness on a prepared plan).

The bundles are the levers the params set, each alone and all together, plus any the caller
names. When the params set none, example settings stand in (EXEMPEL: the examples in the
params schema), so that a report still shows how far each strategy would go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from kompetens.models import robustness as model
from kompetens.models.scenarios import NAMES, active
from kompetens.plan.staffplan import demographic_arrays

if TYPE_CHECKING:
    from kompetens.plan.prepare import Plan

#: Example settings of the levers when the params set none (those in the params schema's text).
EXEMPEL = {
    "heltid": {"sysselsattningsgrad": 0.95},  # target year: the plan's slutår
    "forlang_arbetslivet": 1,
    "minska_omsattning": {"andel": 0.2},
    "teknik": {"andel_per_ar": 0.01},
}
ALL = "Alla tillsammans"


@dataclass(frozen=True)
class Robustness:
    """One row per bundle (see kompetens.models.robustness.robustness), with what it assumed."""

    table: pd.DataFrame
    bundles: dict  # {name: {lever: setting}}
    ranges: dict  # {assumption: (low, high)}
    draws: int
    direktiv_andel: float
    exempel: bool  # True when the levers are the example settings, not the params'


def default_bundles(plan: Plan) -> tuple[dict, bool]:
    """Each of the plan's levers alone and all together ({name: levers}), and whether the
    example settings stood in because the params set no lever."""
    levers = active(plan.params)
    exempel = not levers
    if exempel:
        levers = {k: dict(v) if isinstance(v, dict) else v for k, v in EXEMPEL.items()}
        levers["heltid"]["ar"] = plan.slutar
    bundles = {NAMES[k]: {k: v} for k, v in levers.items()}
    if len(levers) > 1:
        bundles[ALL] = dict(levers)
    return bundles, exempel


def robustness(
    plan: Plan, bundles: dict | None = None, draws: int | None = None, ranges: dict | None = None
) -> Robustness | None:
    """The share of draws in which each bundle meets the directive by slutår, and the median
    shortfall in persons; bundles {name: {lever: setting}} come after the default ones.
    draws defaults to the plan's simuleringar (at least 100). None for an external projection,
    whose need has no demographic drivers to vary."""
    if plan.params["personalbehov_extern"]:
        return None
    chosen, exempel = default_bundles(plan)
    chosen.update(bundles or {})
    draws = max(plan.params["simuleringar"], 100) if draws is None else draws
    r = model.ranges_of(ranges)
    start = demographic_arrays(plan, plan.basar, plan.slutar)
    table = model.robustness(start, chosen, plan.params["direktiv_andel"], r, draws, plan.params["seed"])
    return Robustness(table, chosen, r, draws, plan.params["direktiv_andel"], exempel)
