"""Competence: local education supply against recruitment need, qualification (behörighet)
gaps, managers' span of control, and agency staff (hyrpersonal) against its target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetens.privacy.suppression import hidden_groups, protect, small
from kompetens.vocabulary import CHEF_ALDERSBAND, SUPPRESSED, TOTAL


def education_coverage(graduates: dict, recruitment: pd.DataFrame) -> pd.DataFrame:
    """Per group given in `graduates` ({grupp: per year}) and year: local graduates,
    recruitment need and coverage = graduates / need."""
    rows = []
    for group, per_year in graduates.items():
        if group not in recruitment.index:
            continue
        for year, need in recruitment.loc[group].dropna().items():
            rows.append(
                {
                    "yrkesgrupp": group,
                    "ar": int(year),
                    "utbildade": float(per_year),
                    "rekryteringsbehov": need,
                    "tackning": per_year / need if need > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["yrkesgrupp", "ar", "utbildade", "rekryteringsbehov", "tackning"])


def qualified_share(personal: pd.DataFrame, ar: int, k: int, hidden: set | None = None) -> pd.DataFrame:
    """Per yrkesgrupp in year ar: staff, staff without the qualification (behorig false) and the
    share qualified. Groups in `hidden` (default: those under k with complements) are
    NaN; the unqualified and qualified counts (and so the share) are hidden where either is
    1..k-1 persons, with complements so that no hidden count follows from Totalt."""
    staff = personal[personal["ar"] == ar]
    grouped = staff.groupby("yrkesgrupp")
    out = pd.DataFrame({"antal": grouped.size(), "obehoriga": grouped["behorig"].apply(lambda s: (~s).sum())})
    hidden = hidden_groups(out["antal"], k) if hidden is None else hidden
    counts = out[["obehoriga"]].assign(behoriga=out["antal"] - out["obehoriga"])
    counts.loc[TOTAL] = counts.sum()
    out.loc[TOTAL] = out.sum()
    out = out.astype(float)
    seed = np.zeros(counts.shape, dtype=bool)
    seed[counts.index.isin(list(hidden))] = True
    cells = np.column_stack([counts.to_numpy(dtype=float), counts.sum(axis=1)])  # + antal
    mask = protect(cells, k, hidden=np.column_stack([seed, seed[:, 0]]))
    out["andel_behoriga"] = 1 - out["obehoriga"] / out["antal"]
    out.loc[mask[:, 0] | mask[:, 1], ["obehoriga", "andel_behoriga"]] = np.nan
    out.loc[mask[:, 2], ["antal", "obehoriga", "andel_behoriga"]] = np.nan
    return out


def unqualified_path(start: float, exit_rate: pd.Series, upskilled_per_year: float) -> pd.DataFrame:
    """How the number without the qualification falls, year by year: `slutar` leave with the
    group's exit rate (retirements and other exits over the stock) and `vidareutbildade`
    qualify through planned training; `obehoriga` is what is left, never below zero."""
    rows, left = {}, float(start)
    for year, rate in exit_rate.items():
        leaving = left * rate
        trained = min(upskilled_per_year, left - leaving)
        left = max(left - leaving - trained, 0.0)
        rows[year] = {"slutar": leaving, "vidareutbildade": trained, "obehoriga": left}
    return pd.DataFrame.from_dict(rows, orient="index")


def first_line_staff(personal: pd.DataFrame, ar: int) -> pd.DataFrame:
    """Per unit with a manager and staff: forvaltning, managers, staff (non-managers) and
    staff per manager. Units with managers only (management teams) are left out."""
    staff = personal[personal["ar"] == ar]
    units = staff.groupby(["forvaltning", "enhet"]).agg(
        chefer=("chef", "sum"), medarbetare=("chef", lambda c: (~c).sum())
    )
    units = units[(units["chefer"] > 0) & (units["medarbetare"] > 0)].reset_index()
    units["per_chef"] = units["medarbetare"] / units["chefer"]
    return units


def span_of_control(units: pd.DataFrame, k: int) -> pd.DataFrame:
    """Staff per first-line manager by förvaltning and in total: mean (staff / managers),
    the smallest, the median and the largest unit. Rows of förvaltningar with 1..k-1 managers
    (and complements, the total being shown) are NaN."""

    def describe(u):
        return pd.Series(
            {
                "enheter": len(u),
                "chefer": u["chefer"].sum(),
                "medarbetare": u["medarbetare"].sum(),
                "per_chef": u["medarbetare"].sum() / u["chefer"].sum(),
                "minst": u["per_chef"].min(),
                "median": u["per_chef"].median(),
                "storst": u["per_chef"].max(),
            }
        )

    out = units.groupby("forvaltning").apply(describe, include_groups=False)
    out.loc[TOTAL] = describe(units)
    hidden = hidden_groups(out["chefer"].drop(TOTAL), k)
    if small(out.loc[TOTAL, "chefer"], k):
        hidden |= {TOTAL}
    out = out.astype(float)
    out.loc[list(hidden)] = np.nan
    return out


def managers(personal: pd.DataFrame, ar: int, k: int, mask: pd.DataFrame | None = None) -> pd.DataFrame:
    """Managers by kön (rows) and age band (columns) with totals; hidden cells shown as –.
    mask: the report's (Masks.chefer, decided with the board's other reports); default the
    table's own suppression."""
    staff = personal[(personal["ar"] == ar) & personal["chef"]]
    age = staff["ar"] - staff["fodelsear"]
    labels = [b[0] for b in CHEF_ALDERSBAND]
    band = pd.cut(age, [b[1] - 0.5 for b in CHEF_ALDERSBAND] + [200.5], labels=labels)
    table = pd.crosstab(staff["kon"], band).reindex(columns=labels, fill_value=0)
    table.columns = table.columns.astype(str)
    from kompetens.models.staff import with_totals_suppressed

    if mask is None:
        return with_totals_suppressed(table, k)
    full = table.copy()
    full[TOTAL] = table.sum(axis=1)
    full.loc[TOTAL] = full.sum(axis=0)
    hide = mask.reindex(index=full.index, columns=full.columns).fillna(False).astype(bool)
    return full.astype(object).mask(hide, SUPPRESSED)


def wide_spans(units: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Units whose managers have more than `limit` staff each."""
    return units[units["per_chef"] > limit].sort_values("per_chef", ascending=False)


def agency_share(kostnader: pd.DataFrame) -> pd.DataFrame:
    """Agency staff as a share of wage cost per month and förvaltning (rows month)."""
    sums = kostnader.groupby(["manad", "forvaltning"])[["hyrpersonal", "lonekostnad"]].sum()
    share = (sums["hyrpersonal"] / sums["lonekostnad"]).unstack()
    total = kostnader.groupby("manad")[["hyrpersonal", "lonekostnad"]].sum()
    share[TOTAL] = total["hyrpersonal"] / total["lonekostnad"]
    return share


def agency_trend(share: pd.Series) -> dict:
    """Least-squares trend of a monthly share in percentage points per year, with the last
    12 months' share."""
    months = pd.PeriodIndex(share.index, freq="M")
    years = months.year + (months.month - 0.5) / 12
    slope = np.polyfit(years, share.to_numpy(), 1)[0]
    return {"pp_per_ar": 100 * float(slope), "andel_12_man": float(share.iloc[-12:].mean())}
