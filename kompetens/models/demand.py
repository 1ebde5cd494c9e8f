"""Staff need (personalbehov): base-year staffing × a demographic demand index.

The demand index of a yrkesgrupp is its driver-weighted population relative to the base
year: elderly care follows residents 80+ and 65–79, personal assistance 0–64, case work
0–17 and 18–64, and management, administration and other groups follow a mix of the groups
they serve. It assumes unchanged organisation and ways of working; scenario levers change that.
"""

from __future__ import annotations

import pandas as pd

from kompetens.errors import InputError, Problem

#: Default drivers (params key `drivare`): population age bands ("80+", "65-79", ...) and
#: their weights per yrkesgrupp. A group not listed follows the whole population.
DEFAULT_DRIVARE = {
    "Vårdare/undersköterska/assistent": {"80+": 0.7, "65-79": 0.3},
    "Sjuksköterska": {"80+": 0.6, "65-79": 0.4},
    "Personlig assistent": {"0-64": 1.0},
    "Socialsekreterare/biståndsbedömare": {"0-17": 0.5, "18-64": 0.5},
    "Övriga yrkeskategorier": {"80+": 0.4, "65-79": 0.3, "18-64": 0.3},
    "Administratör": {"80+": 0.3, "65-79": 0.2, "0-64": 0.5},
    "Ledning": {"80+": 0.4, "65-79": 0.2, "0-64": 0.4},
}
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
