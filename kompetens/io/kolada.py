"""A saved Kolada answer (API v3, `/v3/data/kpi/<kpi>/municipality/<kommun>/year/<år>`, or a
saved v2 answer of the same shape) as kpi, kommun, ar, kon, varde.

Kolada's API v2 was shut down in spring 2026; v3 answers carry `isdeleted` on values that
were withdrawn (they are dropped) and page with `next_url` (v2: `next_page`): a saved first
page of several is read with a warning. Nothing is fetched.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd

from kompetens.errors import InputError, Problem

RIKET = "0000"  # Kolada's code for the whole country
COLUMNS = ["kpi", "kommun", "ar", "kon", "varde"]


def _deleted(item: dict) -> bool:
    flag = item.get("isdeleted", item.get("is_deleted", False))
    return flag is True or str(flag).lower() in ("true", "1")


#: The largest saved Kolada answer read (a year of every municipality's KPIs is a few MB).
MAX_KOLADA_BYTES = 64 * 1024 * 1024


def parse_kolada(path: str | Path, folder: str | Path | None = None) -> pd.DataFrame:
    """Every live value of a saved Kolada answer, for every municipality in it (a file of
    folder, default the folder it is in, read through the guard)."""
    from kompetens.io.guard import read_input

    path = Path(path)
    raw = read_input(path, folder if folder is not None else path.absolute().parent, MAX_KOLADA_BYTES, source=path.name)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        if data.get("next_url") or data.get("next_page"):
            warnings.warn(
                f"{path.name}: bara första sidan av ett svar med flera sidor är sparad; "
                "hämta alla sidor (next_url) eller färre kommuner och år",
                UserWarning,
                stacklevel=2,
            )
        rows = [
            {
                "kpi": str(item["kpi"]),
                "kommun": str(item["municipality"]),
                "ar": int(item["period"]),
                "kon": str(v.get("gender", "T")),
                "varde": None if v.get("value") is None else float(v["value"]),
            }
            for item in data["values"]
            if not _deleted(item)
            for v in item["values"]
            if not _deleted(v)
        ]
    except RecursionError:
        raise InputError(
            Problem(path.name, None, None, "kan inte läsas som ett Kolada-svar: för djupt nästlad JSON")
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(Problem(path.name, None, None, f"kan inte läsas som ett Kolada-svar: {exc}")) from None
    return pd.DataFrame(rows, columns=COLUMNS).astype({"varde": float})


def select_kommun(kolada: pd.DataFrame, kommunkod: str | None, source: str = "kolada.json") -> pd.DataFrame:
    """The rows of one municipality (kommunkod, or the only one in the file) and of the
    country; a file of several municipalities without kommunkod is refused by name."""
    kommuner = sorted(set(kolada["kommun"]) - {RIKET})
    if kommunkod is None:
        if len(kommuner) > 1:
            raise InputError(
                Problem(
                    source,
                    None,
                    "kommun",
                    "filen har flera kommuner; ange kommunkod i parametrarna",
                    ", ".join(kommuner[:10]),
                )
            )
        return kolada
    if kommunkod not in kommuner:
        raise InputError(Problem(source, None, "kommunkod", "kommunen finns inte i filen", kommunkod))
    return kolada[kolada["kommun"].isin([kommunkod, RIKET])].reset_index(drop=True)


def read_kolada(path: str | Path, kommunkod: str | None = None) -> pd.DataFrame:
    """A saved Kolada answer as kpi, kommun, ar, kon (T, K, M), varde (the KPI's value, e.g.
    %), for the municipality kommunkod (needed when the file has several) and the country."""
    return select_kommun(parse_kolada(path), kommunkod, Path(path).name)
