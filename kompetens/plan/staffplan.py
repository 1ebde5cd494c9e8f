"""The plan's projection: from a prepared Plan to personalbehov, flows, costs and backtest.

This is where the pure pieces meet: spells and rates from the board's history, the demand
index from the population forecast (or a consultant's table), the cohort projection, the
economics and the backtest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kompetens.io.load import load_external_projection
from kompetens.models import economics
from kompetens.models.demand import DEFAULT_DRIVARE, demand_index, staff_need
from kompetens.models.projection import (
    TENURE_YEARS,
    DemographicArrays,
    FlowArrays,
    Projection,
    project,
    tenure_weights,
)
from kompetens.models.rates import FIRST_AGE, FlowRates, estimate_rates, exit_history
from kompetens.models.scenarios import need_levers, rate_levers
from kompetens.models.spells import observation_window
from kompetens.vocabulary import TOTAL, age_band_index

if TYPE_CHECKING:
    from kompetens.plan.prepare import Plan


@dataclass(frozen=True)
class StaffPlan:
    """The projection of one report with its economics; tables are groups (+ Totalt) × years."""

    projection: Projection
    basar: int
    slutar: int
    extern: bool  # True when a consultant's table gave personalbehov
    rekrytering_given: bool  # True when that table also gave rekryteringsbehov
    kostnad_per_person: pd.Series  # kr per person and year, per yrkesgrupp
    rates: FlowRates | None
    backtest: pd.DataFrame | None
    backtest_basar: int | None = None


def base_stock(personal: pd.DataFrame, ar: int, forvaltningar, grupper, las_alder: int):
    """Persons per (forvaltning, yrkesgrupp, age, calendar tenure) in year ar, and årsarbetare
    per person per (forvaltning, yrkesgrupp)."""
    staff = personal[personal["ar"] == ar]
    d = pd.Categorical(staff["forvaltning"], categories=forvaltningar).codes
    g = pd.Categorical(staff["yrkesgrupp"], categories=grupper).codes
    a = np.clip(ar - staff["fodelsear"].to_numpy(), FIRST_AGE, las_alder) - FIRST_AGE
    j = np.clip(ar - staff["anstallningsdatum"].dt.year.to_numpy(), 0, TENURE_YEARS - 1)
    keep = (d >= 0) & (g >= 0)
    shape = (len(forvaltningar), len(grupper), las_alder - FIRST_AGE + 1, TENURE_YEARS)
    stock = np.zeros(shape)
    np.add.at(stock, (d[keep], g[keep], a[keep], j[keep]), 1.0)
    fte = np.zeros(shape[:2])
    np.add.at(fte, (d[keep], g[keep]), staff["sysselsattningsgrad"].to_numpy()[keep])
    persons = stock.sum(axis=(2, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(persons > 0, fte / persons, staff["sysselsattningsgrad"].mean())
    return stock, ratio


def flow_arrays(rates: FlowRates, forvaltningar, grupper, scope: str) -> FlowArrays:
    """The estimated rates laid out on the projection's cells. A förvaltning or group the
    history does not know gets the mean over those it does."""
    las = rates.las_alder
    ages = np.arange(FIRST_AGE, las + 1)
    pension = np.append(rates.pension_.reindex(ages, fill_value=0.0).to_numpy(), 1.0)
    ovr = rates.ovriga_.unstack(["aldersband", "anstallningstid"])  # rows (d, g), columns (ab, tb)
    fallback = ovr.mean(axis=0).to_numpy()
    cells = pd.MultiIndex.from_product([list(forvaltningar), list(grupper)])
    found = ovr.index.get_indexer(cells)  # -1: a cell the history does not know
    bands = np.where((found >= 0)[:, None], ovr.to_numpy()[found], fallback).reshape(
        len(forvaltningar), len(grupper), 3, 4
    )
    by_age = bands[:, :, age_band_index(ages), :]  # [D, G, A, 4]
    ovriga = by_age @ tenure_weights().T  # [D, G, A, J]
    first_year = 1 - np.sqrt(1 - by_age[..., 0])
    if scope == "namnd" and len(forvaltningar) == 1 and forvaltningar[0] == TOTAL:
        intern = np.zeros((1, len(grupper)))
    else:
        mean_move = rates.intern_.mean()
        found = rates.intern_.index.get_indexer(cells)
        intern = np.where(found >= 0, rates.intern_.to_numpy()[found], mean_move).reshape(
            len(forvaltningar), len(grupper)
        )
    known = rates.rekryteringsalder_  # a group without hires seen gets the mean profile
    hiring = known.reindex(list(grupper)).to_numpy()
    hiring = np.where(np.isnan(hiring), known.mean(axis=0).to_numpy()[None, :], hiring)
    found = known.columns.get_indexer(ages)  # ages with no hires (the LAS age): 0
    hiring = np.where(found >= 0, hiring[:, found], 0.0)
    hiring = hiring / hiring.sum(axis=1, keepdims=True)
    events = rates.handelser_.reindex(list(grupper)).fillna(rates.handelser_.mean()).to_numpy()
    return FlowArrays(
        pension=pension, ovriga=ovriga, ovriga_first_year=first_year, intern=intern, hiring=hiring, events=events
    )


def _rates(plan: Plan, last_year: int, forvaltningar, grupper) -> FlowRates:
    """The board's flow rates up to last_year, estimated once per plan and the plans made from
    it with other settings (Plan.memo is shared by dataclasses.replace)."""
    key = (
        "rates",
        id(plan.board),
        last_year,
        tuple(forvaltningar),
        tuple(grupper),
        plan.params["las_alder"],
        repr(plan.params["pensionsprofil"]),
    )
    return _memo(plan, key, lambda: _estimate(plan, last_year, forvaltningar, grupper))


def _memo(plan: Plan, key: tuple, compute):
    """compute() once per plan (and the plans made from it) for a key naming all it depends on."""
    if key not in plan.memo:
        plan.memo[key] = compute()
    return plan.memo[key]


def _estimate(plan: Plan, last_year: int, forvaltningar, grupper) -> FlowRates:
    board = plan.board
    spells = plan.board_spells
    start, end = observation_window(board.personal, board.avgangar, last_year)
    known_d = sorted(set(board.personal["forvaltning"]) | set(forvaltningar) - {TOTAL})
    known_g = sorted(set(board.personal["yrkesgrupp"]) | set(grupper))
    history = _memo(  # the same for every retirement assumption: estimated once
        plan,
        ("history", id(board), last_year, tuple(known_d), tuple(known_g)),
        lambda: exit_history(board.personal, board.avgangar, spells, start, end, known_d, known_g),
    )
    return estimate_rates(
        board.personal,
        board.avgangar,
        spells,
        start,
        end,
        known_d,
        known_g,
        plan.params["las_alder"],
        plan.params["pensionsprofil"],
        history,
    )


def _scope(plan: Plan) -> str:
    return "forvaltning" if plan.params["forvaltning"] else "namnd"


def demographic_arrays(plan: Plan, basar: int, slutar: int, levers: dict | None = None) -> DemographicArrays:
    """Base staffing × demand index, and flows from the history up to basar, with the levers."""
    personal = plan.inputs.personal
    staff = personal[personal["ar"] == basar]
    forvaltningar = sorted(staff["forvaltning"].unique())
    grupper = sorted(staff["yrkesgrupp"].unique())
    years = list(range(basar, slutar + 1))
    drivare = plan.params["drivare"] or DEFAULT_DRIVARE
    index = _memo(
        plan,
        ("index", id(plan.inputs.befolkning), repr(drivare), tuple(grupper), tuple(years)),
        lambda: demand_index(plan.inputs.befolkning, drivare, grupper, basar, years),
    )
    base = staff.groupby(["forvaltning", "yrkesgrupp"]).size().rename("antal").reset_index()
    need_table = staff_need(base, index)
    need = np.zeros((len(forvaltningar), len(grupper), len(years)))
    for (d, g), row in need_table.iterrows():
        need[forvaltningar.index(d), grupper.index(g)] = row.to_numpy()
    stock, fte = base_stock(personal, basar, forvaltningar, grupper, plan.params["las_alder"])
    scope = _scope(plan)
    if levers:
        need, fte, grupper = need_levers(need, fte, grupper, years, levers)
        stock = np.concatenate(
            [stock, np.zeros((stock.shape[0], len(grupper) - stock.shape[1], *stock.shape[2:]))], axis=1
        )
    rates = _rates(plan, basar, forvaltningar, grupper)
    flows = _memo(
        plan,
        ("flows", id(rates), tuple(forvaltningar), tuple(grupper), scope),
        lambda: flow_arrays(rates, forvaltningar, grupper, scope),
    )
    if levers:
        flows = rate_levers(flows, grupper, levers)
    return DemographicArrays(stock, need, fte, flows, years, grupper, scope, forvaltningar, rates)


def project_demographic(
    plan: Plan, basar: int, slutar: int, draws: int, levers: dict | None = None
) -> tuple[Projection, FlowRates]:
    """The demographic model: base staffing × demand index, flows from the history up to basar."""
    a = demographic_arrays(plan, basar, slutar, levers)
    proj = project(
        a.stock, a.need, a.fte, a.flows, a.years, a.forvaltningar, a.grupper, a.scope, draws, plan.params["seed"]
    )
    return proj, a.rates


def project_external(plan: Plan, table: pd.DataFrame, draws: int) -> tuple[Projection, FlowRates, bool]:
    """A consultant's personalbehov per yrkesgrupp and year; flows computed unless given."""
    years = sorted(int(y) for y in table["ar"].unique())
    grupper = sorted(table["yrkesgrupp"].unique())
    wide = table.pivot(index="yrkesgrupp", columns="ar", values="personalbehov").reindex(grupper)
    need = wide.to_numpy()[None, :, :]
    personal = plan.inputs.personal
    snapshot = min(plan.inputs.snapshot_years, key=lambda y: (abs(y - years[0]), -y))
    scope_name = plan.params["forvaltning"] or TOTAL
    las = plan.params["las_alder"]
    register_groups = sorted(personal["yrkesgrupp"].unique())
    stock_all, fte_all = base_stock(
        personal.assign(forvaltning=scope_name), snapshot, [scope_name], register_groups, las
    )
    pooled = stock_all.sum(axis=(0, 1))
    stock = np.zeros((1, len(grupper), *pooled.shape))
    fte = np.full((1, len(grupper)), fte_all.mean())
    for i, g in enumerate(grupper):
        comp = stock_all[0, register_groups.index(g)] if g in register_groups else pooled
        comp = comp if comp.sum() > 0 else pooled
        stock[0, i] = comp / comp.sum() * need[0, i, 0]
        if g in register_groups:
            fte[0, i] = fte_all[0, register_groups.index(g)]
    scope = _scope(plan)
    rates = _rates(plan, max(plan.board.snapshot_years), [scope_name], grupper)
    flows = flow_arrays(rates, [scope_name], grupper, scope if scope_name != TOTAL else "namnd")
    proj = project(stock, need, fte, flows, years, [scope_name], grupper, scope, draws, plan.params["seed"])
    given = "rekryteringsbehov" in table and table["rekryteringsbehov"].notna().all()
    if given:
        rec = table.pivot(index="yrkesgrupp", columns="ar", values="rekryteringsbehov").reindex(grupper).to_numpy()
        empty = np.full_like(proj.rekryteringsbehov, np.nan)
        proj = replace(
            proj,
            rekryteringsbehov=rec[None],
            pensionsavgangar=empty,
            ovriga_avgangar=empty,
            interna_flyttar=np.zeros_like(empty),
            draws_rekrytering=None,
        )
    return proj, rates, given


def backtest(plan: Plan, start_year: int, end_year: int) -> pd.DataFrame:
    """Project from start_year with only the history up to it, and compare with the outcome
    in end_year: staff (personalbehov) and the exits over the years in between, per group."""
    sub = replace(plan, params={**plan.params, "simuleringar": 0})
    proj, _ = project_demographic(sub, start_year, end_year, draws=0)
    actual_staff = plan.inputs.personal[plan.inputs.personal["ar"] == end_year].groupby("yrkesgrupp").size()
    exits = plan.inputs.avgangar
    years = exits["datum"].dt.year
    counted = exits[(years > start_year) & (years <= end_year)]
    if _scope(plan) == "namnd":
        counted = counted[counted["orsak"] != "intern_rorlighet"]
    actual_exits = counted.groupby("yrkesgrupp").size()
    projected_exits = (
        (proj.table("pensionsavgangar") + proj.table("ovriga_avgangar")).loc[:, start_year + 1 :].sum(axis=1)
    )
    out = pd.DataFrame(
        {
            "personalbehov_prognos": proj.table("personalbehov")[end_year],
            "personalbehov_utfall": actual_staff.reindex(proj.grupper).fillna(0.0),
            "avgangar_prognos": projected_exits,
            "avgangar_utfall": actual_exits.reindex(proj.grupper).fillna(0.0),
        }
    )
    out.loc[TOTAL, ["personalbehov_utfall", "avgangar_utfall"]] = out.loc[
        proj.grupper, ["personalbehov_utfall", "avgangar_utfall"]
    ].sum()
    for what in ("personalbehov", "avgangar"):  # no relative error against an outcome of 0
        outcome = out[f"{what}_utfall"].where(out[f"{what}_utfall"] > 0)
        out[f"{what}_fel_procent"] = 100 * (out[f"{what}_prognos"] / outcome - 1)
    return out.reindex([*proj.grupper, TOTAL])


def staff_plan(plan: Plan, levers: dict | None = None, draws: int | None = None) -> StaffPlan:
    """The projection, costs and backtest of a prepared plan: the baseline, or the scenario
    of the given levers (see kompetens.models.scenarios; no backtest for a scenario)."""
    draws = plan.params["simuleringar"] if draws is None else draws
    path = plan.params["personalbehov_extern"]
    if path:
        table = load_external_projection(path, plan.params["data_dir"])
        proj, rates, given = project_external(plan, table, draws)
        years = proj.years
        basar = plan.basar if plan.params["basar"] in years else years[0]
        slutar = plan.params["slutar"] if plan.params["slutar"] in years else years[-1]
        bt, bt_year = None, None
    else:
        basar, slutar = plan.basar, plan.slutar
        proj, rates = project_demographic(plan, basar, slutar, draws, levers)
        given = False
        bt_year = plan.params["backtest_basar"] or basar - 3
        has_history = bt_year in plan.inputs.snapshot_years and bt_year > min(plan.inputs.snapshot_years)
        bt = backtest(plan, bt_year, basar) if has_history and bt_year < basar and not levers else None
    cost_year = min(plan.inputs.snapshot_years, key=lambda y: (abs(y - basar), -y))
    cost = economics.cost_per_person(
        plan.inputs.personal, cost_year, proj.grupper, plan.params["po_palagg"], plan.params["kostnad_per_person"]
    )
    return StaffPlan(
        projection=proj,
        basar=basar,
        slutar=slutar,
        extern=bool(path),
        rekrytering_given=given,
        kostnad_per_person=cost,
        rates=rates,
        backtest=bt,
        backtest_basar=bt_year if bt is not None else None,
    )
