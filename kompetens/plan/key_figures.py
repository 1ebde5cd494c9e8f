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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kompetens.io.kolada import RIKET
from kompetens.models import absence, economics, staff, turnover
from kompetens.plan.staffplan import StaffPlan, staff_plan
from kompetens.privacy.suppression import hidden_groups, protect, small
from kompetens.vocabulary import ALDERSBAND, ALDERSBAND_NAMN, SUPPRESSED, TOTAL, age_band_index

if TYPE_CHECKING:
    from kompetens.plan.prepare import Plan

FILENAME = "nyckeltal.json"


def _clean(x):
    """JSON-ready value: floats stay unrounded, NaN and ±inf become null, keys become strings."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item"):  # numpy scalar
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):  # NaN, or an error against an outcome of 0
        return None
    return x


MIN_MONTHS_FOR_TREND = 24


def absence_trend(plan: Plan) -> absence.AbsenceTrend | None:
    """The plan's sick-leave trend model, or None when there are fewer than 24 months."""
    f = plan.inputs.franvaro
    if f["manad"].nunique() < MIN_MONTHS_FOR_TREND:
        return None
    return absence.fit_absence_trend(f)


def _rows(table: pd.DataFrame, hidden: set) -> dict:
    """{row: {year: value}} with the rows of hidden groups set to null."""
    out = table.to_dict(orient="index")
    return {g: ({y: None for y in v} if g in hidden else v) for g, v in out.items()}


def _change_percent(table: pd.DataFrame, last: int, hidden: set) -> dict:
    """Per row: 100 × (value in last / first year with a value − 1)."""
    out = {}
    for g, row in table.iterrows():
        row = row.loc[:last].dropna()
        out[g] = None if g in hidden or len(row) < 2 or row.iloc[0] == 0 else 100 * (row.iloc[-1] / row.iloc[0] - 1)
    return out


def projection_figures(sp: StaffPlan, plan: Plan) -> dict:
    """The projection's key figures (the contract in the README); hidden groups are null."""
    proj, basar, slutar = sp.projection, sp.basar, sp.slutar
    hidden = set() if sp.extern else plan.masks.grupper | ({TOTAL} if plan.masks.totalt_dolt else set())
    years = [y for y in proj.years if basar <= y <= slutar]
    need = proj.table("personalbehov")[years]
    recruit = proj.table("rekryteringsbehov")[years].dropna(axis=1, how="all")
    pension = proj.table("pensionsavgangar")[recruit.columns]
    other = proj.table("ovriga_avgangar")[recruit.columns]
    increase = economics.staff_increase(need, basar, slutar)
    cost_mnkr = economics.increase_cost(increase, sp.kostnad_per_person)
    figures = {
        "grupper": proj.grupper,
        "basar": basar,
        "slutar": slutar,
        "personalbehov_extern": sp.extern,
        "personalbehov": _rows(need, hidden),
        "arsarbetare": _rows(proj.table("arsarbetare")[years], hidden),
        "rekryteringsbehov": _rows(recruit, hidden),
        "pensionsavgangar": _rows(pension, hidden) if not sp.rekrytering_given else None,
        "ovriga_avgangar": _rows(other, hidden) if not sp.rekrytering_given else None,
        "okat_behov": _rows(proj.table("bestand")[years].diff(axis=1)[recruit.columns], hidden)
        if not sp.rekrytering_given
        else None,
        "rekryteringsbehov_period": {g: (None if g in hidden else v) for g, v in recruit.sum(axis=1).items()},
        "pensionsavgangar_period": {g: (None if g in hidden else v) for g, v in pension.sum(axis=1).items()}
        if not sp.rekrytering_given
        else None,
        "personalokning": {g: (None if g in hidden else v) for g, v in increase.items()},
        "forandring_procent": {
            "personalbehov": _change_percent(need, slutar, hidden),
            "rekryteringsbehov": _change_percent(recruit, slutar, hidden),
        },
        "kostnad_per_person": {g: (None if g in hidden else v) for g, v in sp.kostnad_per_person.items()},
        "kostnad_personalokning_mnkr": {g: (None if g in hidden else v) for g, v in cost_mnkr.items()},
        "direktiv": economics.directive(increase, cost_mnkr, plan.params["direktiv_andel"]),
        "ram_personer": plan.params["ram_personer"],
        "ram_mnkr": plan.params["ram_mnkr"],
        "ram": economics.frame_gap(
            increase[TOTAL], cost_mnkr[TOTAL], plan.params["ram_personer"], plan.params["ram_mnkr"]
        ),
    }
    for g in hidden:
        figures["direktiv"]["personer"][g] = figures["direktiv"]["mnkr"][g] = None
    if plan.params["budgetperiod"]:
        first, last = plan.params["budgetperiod"]
        budget = economics.staff_increase(need, basar, last)
        budget_cost = economics.increase_cost(budget, sp.kostnad_per_person)
        andel = plan.params["direktiv_andel"]
        figures["budgetperiod"] = {
            "forsta": first,
            "sista": last,
            "personalokning": float(budget[TOTAL]),
            "kostnad_personalokning_mnkr": float(budget_cost[TOTAL]),
            "direktiv_personer": andel * float(budget[TOTAL]),
            "direktiv_mnkr": andel * float(budget_cost[TOTAL]),
        }
    if proj.draws_rekrytering is not None:
        for q in (10, 50, 90):
            figures[f"rekryteringsbehov_p{q}"] = _rows(proj.percentiles(q)[recruit.columns], hidden)
    if sp.backtest is not None:
        bt = _protect_backtest(sp.backtest, hidden, plan.k)
        figures["backtest"] = {"basar": int(sp.backtest_basar), "slutar": basar, "tabell": bt.to_dict(orient="index")}
    return figures


def _protect_backtest(bt: pd.DataFrame, hidden: set, k: int) -> pd.DataFrame:
    """The backtest with hidden groups blank, and the observed exits (a count per group, summing
    to Totalt) suppressed with their complements, the error in percent with them."""
    exits = bt["avgangar_utfall"].fillna(0.0)
    seed = bt.index.isin(list(hidden))
    if TOTAL in bt.index:  # the Totalt row last: the column's published sum
        exits = pd.concat([exits.drop(TOTAL), exits[[TOTAL]]])
        seed = exits.index.isin(list(hidden))
    mask = protect(exits.to_numpy(), k, hidden=seed) if TOTAL in bt.index else small(exits, k) | seed
    bt = bt.copy()
    bt.loc[list(hidden & set(bt.index))] = float("nan")
    bt.loc[list(exits.index[mask]), ["avgangar_utfall", "avgangar_fel_procent"]] = float("nan")
    return bt


def _tenure(tenure: dict, k: int) -> dict:
    """Shares of leavers with under 1 and under 3 years, hidden when they or their
    differences (shares × antal are counts) describe 1..k-1 persons."""
    n = tenure["antal"]
    c1, c3 = round(tenure["under_1_ar"] * n) if n else 0, round(tenure["under_3_ar"] * n) if n else 0
    out = dict(tenure)
    hide1 = n < k or small(c1, k) or small(n - c1, k)
    hide3 = n < k or small(c3, k) or small(n - c3, k) or (not hide1 and small(c3 - c1, k))
    if hide1:
        out["under_1_ar"] = None
    if hide3:
        out["under_3_ar"] = None
    return out


#: The turnover variants of turnover.reconciliation: (extern, pension).
VARIANTS = {
    "extern, med pension": (True, True),
    "extern, utan pension": (True, False),
    "inklusive intern rörlighet": (False, True),
}


def _hidden_turnover(plan: Plan, starters: pd.Series) -> dict:
    """Years to hide per variant (extern, pension) in every definition of turnover. Each
    variant is a sum of exit counts (all exits, minus internal moves, minus retirements), so a
    variant is hidden in a year where the report's exit table hides the total or a part the
    variant leaves out, and where it or its difference to a neighbouring variant of any
    definition counts 1..k-1 persons (with bases that are published, rate × base is a count)."""
    inp, k, mask = plan.inputs, plan.k, plan.masks.avgangar
    years = list(inp.snapshot_years)

    def hidden_cells(orsak):
        return {int(y) for y in years if orsak in mask.index and y in mask.columns and mask.loc[orsak, y]}

    total, pension, intern = hidden_cells(TOTAL), hidden_cells("pension"), hidden_cells("intern_rorlighet")
    out = {(True, True): total | intern, (True, False): total | intern | pension, (False, True): set(total)}
    for definition in turnover.DEFINITIONS:
        n = {v: turnover.turnover(inp.personal, inp.avgangar, definition, *v, "ar", starters)["avgangar"] for v in out}
        for v in out:
            out[v] |= set(n[v].index[small(n[v], k)])
        if definition == "nyckeltalsinstitutet":
            continue  # min(starters, leavers): a difference of two variants counts nobody
        out[(True, False)] |= set(n[(True, True)].index[small(n[(True, True)] - n[(True, False)], k)])
        moves = set(n[(False, True)].index[small(n[(False, True)] - n[(True, True)], k)])
        out[(True, True)] |= moves
        out[(True, False)] |= moves
    return out


def turnover_figures(plan: Plan) -> dict:
    """Turnover by definition, leavers' age and tenure, and retention (Kaplan–Meier)."""
    inp, k = plan.inputs, plan.k
    extern = plan.params["forvaltning"] is None  # a department counts moves out as leavers
    spells = plan.spells
    years = inp.snapshot_years
    rate = turnover.turnover(inp.personal, inp.avgangar, "kolada", extern=extern)
    hidden = _hidden_turnover(plan, spells["anstallningsdatum"])
    small_year = rate.index.isin(list(hidden[(extern, True)]))
    leavers = inp.avgangar[inp.avgangar["datum"].dt.year.between(years[0], years[-1])]
    if extern:
        leavers = leavers[leavers["orsak"] != "intern_rorlighet"]
    bands = pd.Series(
        np.array([b[0] for b in ALDERSBAND])[age_band_index(leavers["datum"].dt.year - leavers["fodelsear"])]
    ).value_counts()
    band_share = (bands / bands.sum()).drop(list(hidden_groups(bands, k))) if len(bands) else bands
    band_share = band_share.reindex(bands.index)
    tenure = _tenure(turnover.tenure_shares(inp.avgangar, years, extern=extern), k)
    exit_totals = plan.masks.avgangar.loc[TOTAL].reindex(years).fillna(False)
    if exit_totals.any():  # the number of leavers over the years would give a hidden year back
        tenure["antal"] = None
    by_band = turnover.by_category(inp.personal, inp.avgangar, plan.basar, "aldersband", k, extern)["andel"]
    ret = plan.retention if len(spells) >= k else None
    summary = {} if ret is None else ret.sammanfattning.to_dict(orient="index")
    return {
        "personalomsattning": rate["andel"].where(~small_year).to_dict(),
        "personalomsattning_avser": rate["avser"].iloc[0] if len(rate) else turnover.ALLA,
        "personalomsattning_definitioner": {
            f"{d}, {v}": row.where(~row.index.isin(list(hidden[VARIANTS[v]]))).to_dict()
            for (d, v), row in turnover.reconciliation(
                inp.personal, inp.avgangar, spells["anstallningsdatum"]
            ).iterrows()
        },
        "avgangar_period": [years[0], years[-1]],
        "avgangar_aldersband_andel": band_share.to_dict(),
        "personalomsattning_aldersband": {b: _clean(v) for b, v in by_band.items()},
        "avgangar_anstallningstid": tenure,
        "retention": summary,
    }


def absence_figures(plan: Plan, trend: absence.AbsenceTrend | None) -> dict:
    """Sick leave: the last 12 months by category, the trend, its sensitivity, the
    forecast and the flagged units (units with fewer than k persons are never listed)."""
    f, k = plan.inputs.franvaro, plan.k
    months = sorted(f["manad"].unique())
    last = absence.with_age_band(f[f["manad"].isin(months[-12:])])  # banded once, not per table
    out = {
        "sjukfranvaro_period": [months[-12], months[-1]],
        "sjukfranvaro_12_manader": absence.shares(last, None, k).iloc[0].drop("personer", errors="ignore").to_dict(),
    }
    board = ("forvaltning",) if plan.params["forvaltning"] is None else ()  # the board's report: per department
    for by in ("yrkesgrupp", *board, "aldersband", "kon"):
        if by in last:
            values = absence.shares(last, by, k)["andel"]
            if by == "yrkesgrupp":
                values = values.mask(values.index.isin(list(plan.masks.grupper)))
            if by == "aldersband":
                values = values.reindex([b for b in ALDERSBAND_NAMN if b in values.index])
            out[f"sjukfranvaro_per_{by}"] = values.to_dict()
    flagged = absence.flagged_units(f, plan.params["sjukfranvaro_grans"], k)
    out["sjukfranvaro_grans"] = plan.params["sjukfranvaro_grans"]
    out["sjukfranvaro_flaggade"] = (  # None: the sick-leave file has no units
        [{"enhet": unit, **row.drop("personer").to_dict()} for unit, row in flagged.iterrows()]
        if "enhet" in f
        else None
    )
    if trend is not None:
        bands = trend.trend_aldersband
        persons = None
        if "person_id" in f:  # persons per age band (the band computed without copying the table)
            persons = f["person_id"].groupby(absence.age_bands(f)).nunique()
        if persons is not None:
            bands = bands[persons.reindex(bands.index).fillna(0) >= k]
        out["sjukfranvaro_trend"] = {
            "pp_per_ar": trend.trend_pp_per_year,
            "ki_lag": trend.trend_pp_per_year_ci[0],
            "ki_hog": trend.trend_pp_per_year_ci[1],
            "logit": trend.trend_logit,
            "logit_ki": list(trend.trend_logit_ci),
            "signifikant": trend.significant,
            "skala": float(trend.pearson_scale),
            "standardfel": trend.se_typ,
            "aldersband": {
                b: {"pp_per_ar": r["pp_per_ar"], "ki_lag": r["pp_ki_lag"], "ki_hog": r["pp_ki_hog"]}
                for b, r in bands.iterrows()
            },
            "kanslighet": absence.sensitivity(f, trend),
        }
        out["sjukfranvaro_prognos"] = trend.forecast_total(12)
    return out


def competence_figures(plan: Plan, sp: StaffPlan, figures: dict) -> dict:
    """Education supply, qualification gaps, managers, agency staff and the activity plan."""
    from kompetens.io import activities
    from kompetens.models import competence

    inp, k, p = plan.inputs, plan.k, plan.params
    out = {}
    recruit = pd.DataFrame.from_dict(figures["rekryteringsbehov"], orient="index")
    if p["utbildade_per_ar"]:
        cov = competence.education_coverage(p["utbildade_per_ar"], recruit)
        out["utbildning"] = cov.to_dict(orient="records")
    if "behorig" in inp.personal:
        q = competence.qualified_share(inp.personal, plan.basar, k, plan.masks.grupper)
        out["behorighet"] = q.to_dict(orient="index")
        lever = p["behorighet"]
        if (
            lever
            and lever["grupp"] in q.index
            and q.loc[lever["grupp"], "obehoriga"] == q.loc[lever["grupp"], "obehoriga"]
        ):
            proj = sp.projection
            exits = (proj.table("pensionsavgangar") + proj.table("ovriga_avgangar")).loc[lever["grupp"]].dropna()
            rate = exits / proj.table("bestand").loc[lever["grupp"]].shift(1).dropna()
            path = competence.unqualified_path(
                q.loc[lever["grupp"], "obehoriga"], rate.dropna(), lever.get("vidareutbildning_per_ar", 0)
            )
            out["behorighet_framskrivning"] = {
                "grupp": lever["grupp"],
                "datum": str(lever.get("datum")),
                **{col: path[col].to_dict() for col in path.columns},
            }
    units = competence.first_line_staff(inp.personal, plan.basar)
    if len(units):
        span = competence.span_of_control(units, k)
        wide = competence.wide_spans(units, p["chef_max_medarbetare"])
        out["chefer"] = {
            "per_chef": span.to_dict(orient="index"),
            "grans": p["chef_max_medarbetare"],
            "over_grans": wide[["forvaltning", "enhet", "per_chef"]].to_dict(orient="records"),
            "kon_alder": competence.managers(inp.personal, plan.basar, k, plan.masks.chefer)
            .replace(SUPPRESSED, None)
            .to_dict(orient="index"),
        }
    if inp.kostnader is not None:
        share = competence.agency_share(inp.kostnader)
        last = inp.kostnader[inp.kostnader["manad"].isin(sorted(inp.kostnader["manad"].unique())[-12:])]
        out["hyrpersonal"] = {
            **competence.agency_trend(share["Totalt"]),
            "andel_12_man": float(last["hyrpersonal"].sum() / last["lonekostnad"].sum()),
            "mal": p["hyrpersonal_mal"],
        }
    acts = plan.activities
    if acts is not None:
        out["aktivitetsplan"] = {
            "per_omrade": activities.summary(acts).to_dict(orient="index"),
            "forsenade": acts[acts["status"] == "försenad"][["omrade", "aktivitet", "ansvarig"]]
            .assign(nar=acts["nar"].astype(str))
            .to_dict(orient="records"),
        }
    return out


def key_figures(plan: Plan, sp: StaffPlan | None = None, trend=False) -> dict:
    """All key figures of a run, as plain JSON-ready data. sp and trend: the plan's projection
    and sick-leave trend, when the caller has them already."""
    sp = staff_plan(plan) if sp is None else sp
    trend = absence_trend(plan) if trend is False else trend
    inp, k = plan.inputs, plan.k
    summary = staff.staff_summary(inp.personal, plan.basar, k, plan.masks)
    headcount = staff.headcount_by_year(inp.personal, k, plan.masks)
    exits = staff.exits_by_year(inp.avgangar, k, plan.masks)
    figures = {
        "titel": plan.params["titel"],
        "slug": plan.params["slug"],
        "forvaltning": plan.params["forvaltning"],
        "basar": plan.basar,
        "slutar": plan.slutar,
        "k_anonymitet": k,
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
    figures.update(projection_figures(sp, plan))
    figures.update(turnover_figures(plan))
    figures.update(absence_figures(plan, trend))
    if not sp.extern:
        from kompetens.plan.scenarios import compare

        figures["scenarier"] = compare(plan, sp)
        figures["robusthet"] = robustness_figures(plan)
    figures["kompetens"] = competence_figures(plan, sp, figures)
    from kompetens.plan.sensitivity import register_table

    figures["antaganden"] = register_table(plan)
    figures["kanslighet_antaganden"] = plan.sensitivity
    if inp.kolada is not None:
        figures["kolada"] = kolada_comparison(inp.kolada, figures)
    if inp.kostnader is not None:
        costs = staff.costs_by_year(inp.kostnader)
        figures["lonekostnad_mnkr"] = (costs["lonekostnad"] / 1e6).to_dict()
        figures["hyrpersonal_andel"] = costs["hyrpersonal_andel"].to_dict()
    return _clean(figures)


def robustness_figures(plan: Plan) -> dict | None:
    """The robustness of the strategy bundles (kompetens.robustness) as key figures: per
    bundle its levers, the share of draws meeting the directive and the persons behind it."""
    from kompetens.plan.robustness import robustness

    result = robustness(plan)
    if result is None:
        return None
    return {
        "simuleringar": result.draws,
        "direktiv_andel": result.direktiv_andel,
        "exempel": result.exempel,
        "intervall": {k: list(v) for k, v in result.ranges.items()},
        "paket": {
            name: {"spakar": result.bundles[name], **row} for name, row in result.table.to_dict(orient="index").items()
        },
    }


def key_figures_json(figures: dict) -> str:
    """The text of nyckeltal.json: sorted keys, indented, UTF-8 characters kept."""
    return json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def write_key_figures(figures: dict, out_dir: str | Path) -> Path:
    """Write figures as out_dir/nyckeltal.json atomically (key_figures_json, UTF-8)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key_figures_json(figures))
    path = out / FILENAME
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def read_key_figures(out_dir: str | Path) -> dict:
    return json.loads((Path(out_dir) / FILENAME).read_text(encoding="utf-8"))


#: The Kolada KPIs the report compares with, and what in the report they match.
KOLADA_KPI = {
    "N00090": ("Sjukfrånvaro, kommunalt anställda (%)", "sjukfranvaro"),
    "N00216": ("Personalomsättning, tillsvidareanställda (%)", "personalomsattning"),
}


def kolada_comparison(kolada: pd.DataFrame, figures: dict) -> dict:
    """Per known KPI, its latest year with a value for the municipality (kon T): the
    municipality's and the country's value (%) and the report's own figure for that year."""
    out = {}
    total = kolada[(kolada["kon"] == "T") & kolada["varde"].notna()]
    for kpi, (label, key) in KOLADA_KPI.items():
        rows = total[total["kpi"] == kpi]
        local = rows[rows["kommun"] != RIKET]
        if local.empty:
            continue
        year = int(local["ar"].max())
        country = rows[(rows["kommun"] == RIKET) & (rows["ar"] == year)]["varde"]
        ours = (figures.get(key) or {}).get(str(year))
        out[kpi] = {
            "namn": label,
            "ar": year,
            "kommun": float(local[local["ar"] == year]["varde"].iloc[0]),
            "riket": float(country.iloc[0]) if len(country) else None,
            "rapport": None if ours is None else 100 * ours,
        }
    return out
