"""Descriptive figures of the current staff and its history (pure functions of the inputs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetens.privacy.disclosure import Masks, apply, own_masks
from kompetens.privacy.suppression import suppress, suppress_series
from kompetens.vocabulary import PERSONAL_ALDERSBAND, SUPPRESSED, TOTAL


def age_band(age: pd.Series, bands=PERSONAL_ALDERSBAND) -> pd.Series:
    """Label each age (years) with its band, as an ordered categorical."""
    labels = [b[0] for b in bands]
    edges = [bands[0][1] - 0.5] + [b[2] + 0.5 for b in bands]
    return pd.cut(age, edges, labels=labels, ordered=True)


def snapshot(personal: pd.DataFrame, ar: int) -> pd.DataFrame:
    """The staff of one snapshot year, with age (years reached during the year)."""
    rows = personal[personal["ar"] == ar]
    if rows.empty:
        raise ValueError(f"no staff in snapshot year {ar}")
    return rows.assign(alder=rows["ar"] - rows["fodelsear"])


def staff_by_group_age(personal: pd.DataFrame, ar: int, k: int, masks: Masks | None = None) -> pd.DataFrame:
    """Persons per yrkesgrupp (rows) and age band (columns) with totals; hidden cells shown as –.
    masks: the report's masks (kompetens.privacy.disclosure); default the table's own."""
    staff = snapshot(personal, ar)
    masks = masks or own_masks(personal, None, ar, k)
    counts = pd.crosstab(staff["yrkesgrupp"], age_band(staff["alder"]), dropna=False)
    counts = counts.reindex(columns=[b[0] for b in PERSONAL_ALDERSBAND], fill_value=0)
    counts.columns = counts.columns.astype(str)
    full = counts.copy()
    full[TOTAL] = counts.sum(axis=1)
    full.loc[TOTAL] = full.sum(axis=0)
    hide = masks.alder.reindex(index=full.index, columns=full.columns).fillna(False).astype(bool)
    return full.astype(object).mask(hide, SUPPRESSED).rename_axis(index="Yrkesgrupp", columns="Ålder")


def with_totals_suppressed(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """A count table with a Totalt row and column added, then suppressed as one linked
    table: every row and column, totals included, has no or at least two hidden cells."""
    full = counts.copy()
    full[TOTAL] = counts.sum(axis=1)
    full.loc[TOTAL] = full.sum(axis=0)
    return suppress(full, full, k)


def staff_counts_by_group_age(personal: pd.DataFrame, ar: int, k: int, masks: Masks | None = None) -> pd.DataFrame:
    """Long table of persons per yrkesgrupp and age band for plotting; hidden cells are NaN."""
    table = staff_by_group_age(personal, ar, k, masks).drop(index=TOTAL, columns=TOTAL)
    long = table.reset_index().melt(id_vars="Yrkesgrupp", var_name="aldersband", value_name="antal")
    long["antal"] = pd.to_numeric(long["antal"], errors="coerce")
    return long.rename(columns={"Yrkesgrupp": "yrkesgrupp"})


def _with_total(df: pd.DataFrame, by: str, value) -> pd.Series:
    per_group = df.groupby(by).apply(value, include_groups=False)
    per_group.loc[TOTAL] = value(df)
    return per_group


def staff_summary(personal: pd.DataFrame, ar: int, k: int, masks: Masks | None = None) -> pd.DataFrame:
    """Per yrkesgrupp and in total: persons, årsarbetare (FTE), mean sysselsättningsgrad,
    mean age (years) and share aged 60 or more. The figures of a hidden group (masks.grupper)
    are NaN, and the share 60+ wherever the age table hides its 60– cell (share × persons is
    that cell)."""
    staff = snapshot(personal, ar)
    masks = masks or own_masks(personal, None, ar, k)
    out = pd.DataFrame(
        {
            "antal": _with_total(staff, "yrkesgrupp", len),
            "arsarbetare": _with_total(staff, "yrkesgrupp", lambda d: d["sysselsattningsgrad"].sum()),
            "sysselsattningsgrad": _with_total(staff, "yrkesgrupp", lambda d: d["sysselsattningsgrad"].mean()),
            "medelalder": _with_total(staff, "yrkesgrupp", lambda d: d["alder"].mean()),
            "andel_60_plus": _with_total(staff, "yrkesgrupp", lambda d: (d["alder"] >= 60).mean()),
        }
    )
    hidden = masks.alder[TOTAL].reindex(out.index).fillna(True).astype(bool)
    aged_60 = masks.alder[PERSONAL_ALDERSBAND[-1][0]].reindex(out.index).fillna(True).astype(bool)
    out = out.astype(float).mask(hidden, float("nan"))
    out["andel_60_plus"] = out["andel_60_plus"].mask(aged_60)
    return out


def headcount_by_year(personal: pd.DataFrame, k: int, masks: Masks | None = None) -> pd.DataFrame:
    """Persons per yrkesgrupp (rows, plus Totalt) and snapshot year (columns); hidden cells NaN."""
    counts = pd.crosstab(personal["yrkesgrupp"], personal["ar"])
    counts.loc[TOTAL] = counts.sum(axis=0)
    masks = masks or own_masks(personal, None, max(personal["ar"]), k)
    return apply(counts, masks.antal)


def exits_by_year(avgangar: pd.DataFrame, k: int, masks: Masks | None = None) -> pd.DataFrame:
    """Ended employments per orsak (rows, plus Totalt) and calendar year (columns); hidden cells NaN."""
    years = avgangar["datum"].dt.year.rename("ar")
    if avgangar.empty:  # no exits at all: a Totalt row and no years
        return pd.DataFrame(index=pd.Index([TOTAL], name="orsak"), columns=pd.Index([], name="ar"), dtype=float)
    counts = pd.crosstab(avgangar["orsak"], years)
    counts.loc[TOTAL] = counts.sum(axis=0)
    if masks is None:
        staff = pd.DataFrame({"ar": [], "forvaltning": [], "yrkesgrupp": [], "fodelsear": []})
        masks = own_masks(staff, avgangar, 0, k)
    return apply(counts, masks.avgangar)


def sick_leave_by_year(franvaro: pd.DataFrame, k: int) -> pd.Series:
    """Sick-leave share (sick hours / scheduled hours) per calendar year; NaN for years
    with fewer than k persons."""
    codes, months = pd.factorize(franvaro["manad"])  # the year parsed once per distinct month
    year = pd.Series(np.array([int(m[:4]) for m in months], dtype=np.int64)[codes], index=franvaro.index, name="ar")
    hours = franvaro.groupby(year)[["sjuk_tid", "schemalagd_tid"]].sum()
    share = hours["sjuk_tid"] / hours["schemalagd_tid"]
    if "person_id" in franvaro:
        persons = franvaro.groupby(year)["person_id"].nunique()
        share = suppress_series(share, persons, k)
    return share.rename("sjukfranvaro")


def costs_by_year(kostnader: pd.DataFrame) -> pd.DataFrame:
    """Wage cost and agency-staff cost per year (kronor), and agency staff as a share of wage cost."""
    year = kostnader["manad"].str[:4].astype(int).rename("ar")
    out = kostnader.groupby(year)[["lonekostnad", "hyrpersonal"]].sum()
    out["hyrpersonal_andel"] = out["hyrpersonal"] / out["lonekostnad"]
    return out


#: The population's age bands: the groups that drive the demand model (and Totalt).
BEFOLKNING_BAND = {"0–17": (0, 17), "18–64": (18, 64), "65–79": (65, 79), "80+": (80, 200), "Totalt": (0, 200)}


def population_by_band(befolkning: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Residents per age band (rows, Totalt last) and year first..last (columns)."""
    years = list(range(first, last + 1))
    rows = {
        name: befolkning[befolkning["alder"].between(lo, hi)].groupby("ar")["antal"].sum().reindex(years)
        for name, (lo, hi) in BEFOLKNING_BAND.items()
    }
    return pd.DataFrame(rows).T.astype(float)


def population_change(befolkning: pd.DataFrame, first: int, last: int) -> dict[str, float]:
    """Relative change of the population from first to last year, in total and per band."""
    bands = {"Totalt": (0, 200), **{k: v for k, v in BEFOLKNING_BAND.items() if k != "Totalt"}}
    out = {}
    for name, (lo, hi) in bands.items():
        sel = befolkning[befolkning["alder"].between(lo, hi)].groupby("ar")["antal"].sum()
        sel = sel.reindex([first, last], fill_value=0)
        out[name] = float(sel.loc[last] / sel.loc[first] - 1) if sel.loc[first] > 0 else float("nan")
    return out
