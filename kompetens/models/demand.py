"""Staff need (personalbehov): base-year staffing × a demographic demand index.

The demand index of a yrkesgrupp is its driver-weighted population relative to the base
year. By default (the assumption register) the weights are the shares of each age band who
use the group's services: elderly care and municipal nursing follow the users of hemtjänst
and särskilt boende among residents 65–79 and 80+ (Socialstyrelsen), personal assistance the
residents under 65 (LSS 9 b §), and groups without a public figure the whole population. It
assumes unchanged organisation and ways of working; scenario levers change that.
"""

from __future__ import annotations

import pandas as pd

from kompetens.assumptions import value
from kompetens.errors import InputError, Problem

#: Default drivers (params key `drivare`), from the assumption register: per yrkesgrupp the
#: share of the residents in each age band ("80+", "65-79", ...) who use its services, so
#: the need follows the number of users. A group not listed follows the whole population.
DEFAULT_DRIVARE = value("drivare")
WHOLE_POPULATION = {"0+": 1.0}


def parse_band(band: str) -> tuple[int, int]:
    """'80+' -> (80, 200); '65-79' or '65–79' -> (65, 79)."""
    text = str(band).strip().replace("–", "-")
    try:
        if text.endswith("+"):
            return int(text[:-1]), 200
        lo, hi = text.split("-")
        return int(lo), int(hi)
    except ValueError:
        raise InputError(
            Problem("parametrar", None, "drivare", "åldersband ska skrivas som '65-79' eller '80+'", band)
        ) from None


def demand_index(befolkning: pd.DataFrame, drivare: dict, groups, basar: int, years) -> pd.DataFrame:
    """Driver-weighted population relative to basar: rows ar (years), columns yrkesgrupp."""
    wide = befolkning.pivot_table(index="ar", columns="alder", values="antal", aggfunc="sum")
    missing = sorted((set(years) | {basar}) - set(wide.index))
    if missing:
        raise InputError(
            Problem("befolkning", None, "ar", "befolkningsprognosen saknar år", ", ".join(map(str, missing)))
        )
    out = {}
    for group in groups:
        bands = drivare.get(group, WHOLE_POPULATION)
        weighted = 0.0
        for band, weight in bands.items():
            lo, hi = parse_band(band)
            weighted = weighted + weight * wide.loc[:, [a for a in wide.columns if lo <= a <= hi]].sum(axis=1)
        out[group] = weighted / weighted.loc[basar]
    return pd.DataFrame(out).loc[list(years)]


def staff_need(base: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
    """Need per (forvaltning, yrkesgrupp) and year: base staffing × the group's index.

    base: columns forvaltning, yrkesgrupp, and a value column (persons or årsarbetare);
    returns rows (forvaltning, yrkesgrupp), columns years.
    """
    value = base.columns.drop(["forvaltning", "yrkesgrupp"])[0]
    wide = base.set_index(["forvaltning", "yrkesgrupp"])[value]
    factors = index.T.reindex(wide.index.get_level_values("yrkesgrupp")).to_numpy()
    return pd.DataFrame(wide.to_numpy()[:, None] * factors, index=wide.index, columns=index.index)
