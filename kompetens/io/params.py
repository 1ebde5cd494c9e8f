"""Report parameters: the defaults, and loading a Papermill parameter file."""

from __future__ import annotations

from pathlib import Path

import yaml

from kompetens.errors import InputError, Problem

#: Every parameter a report takes, with its default. The notebook's `parameters` cell
#: holds the same values (a test keeps the two equal); a params file overrides them.
DEFAULTS: dict = {
    "titel": "Social- och omsorgsnämnden",  # the report's heading
    "slug": "social-och-omsorgsnamnden",  # folder name under outputs/
    "forvaltning": None,  # a department to report on; None = the whole board
    "data_dir": None,  # input folder; None = the embedded demo data
    "utkatalog": None,  # where nyckeltal.json goes; None = outputs/<slug>
    "basar": None,  # base year; None = the last snapshot year in the data
    "slutar": None,  # last plan year; None = basår + 5
    "k_anonymitet": 5,  # figures about fewer persons than this are suppressed
    "sprak": "sv",  # report language
    "drivare": None,  # demand drivers {yrkesgrupp: {"80+": 0.7, ...}}; None = kompetens.models.demand.DEFAULT_DRIVARE
    "pensionsprofil": None,  # default retirement probability by age; None = kompetens.models.rates.DEFAULT_PENSIONSPROFIL
    "las_alder": 69,  # everyone has left at this age (LAS)
    "simuleringar": 1000,  # Monte Carlo draws for the percentiles; 0 = none
    "seed": 20251123,  # random seed of the Monte Carlo
    "personalbehov_extern": None,  # a consultant's table (CSV/Excel) used instead of the demographic model
    "kostnad_per_person": None,  # kr per person and year: one number or {yrkesgrupp: kr}; None = from salaries
    "po_palagg": 0.4453,  # PO-pålägg on wages (SKR 2023, kommuner)
    "ram_personer": None,  # the budget frame for the staff increase, persons
    "ram_mnkr": None,  # the budget frame for the staff increase, mnkr
    "direktiv_andel": 0.3,  # share of the increase to be met by other solutions
    "backtest_basar": None,  # base year of the backtest; None = basår − 3 when the data has it
    "sjukfranvaro_grans": 0.1,  # units whose last-12-month sick-leave share is above this are flagged
    # SKR's strategies as levers (kompetens.models.scenarios); the defaults mean "no change"
    "heltid": None,  # {"sysselsattningsgrad": 0.95, "ar": 2030}
    "forlang_arbetslivet": 0,  # years later retirement, capped at the LAS age
    "minska_omsattning": None,  # {"andel": 0.2, "grupper": [...]}
    "teknik": None,  # {"andel_per_ar": 0.01, "grupper": [...]}
    "kompetensvaxling": None,  # {"fran": "...", "till": "...", "andel": 0.1, "ar": 2028}
    # competence, managers, agency staff and the activity plan
    "utbildade_per_ar": None,  # local graduates per year: {yrkesgrupp: n}
    "behorighet": None,  # {"grupp": "...", "datum": "2026-07-01", "vidareutbildning_per_ar": 2}
    "chef_max_medarbetare": 30,  # units with more staff per first-line manager are listed
    "hyrpersonal_mal": None,  # target for agency staff as a share of wage cost, e.g. 0.015
    "omraden": None,  # the strategy areas of the activity plan; None = SKL's nine (skr2018)
}

_TYPES = {"titel": str, "slug": str, "forvaltning": (str, type(None)), "data_dir": (str, type(None)),
          "utkatalog": (str, type(None)), "basar": (int, type(None)), "slutar": (int, type(None)),
          "k_anonymitet": int, "sprak": str, "drivare": (dict, type(None)), "pensionsprofil": (dict, type(None)),
          "las_alder": int, "simuleringar": int, "seed": int, "personalbehov_extern": (str, type(None)),
          "kostnad_per_person": (int, float, dict, type(None)), "po_palagg": (int, float),
          "ram_personer": (int, float, type(None)), "ram_mnkr": (int, float, type(None)),
          "direktiv_andel": (int, float), "backtest_basar": (int, type(None)), "sjukfranvaro_grans": (int, float),
          "heltid": (dict, type(None)), "forlang_arbetslivet": int, "minska_omsattning": (dict, type(None)),
          "teknik": (dict, type(None)), "kompetensvaxling": (dict, type(None)),
          "utbildade_per_ar": (dict, type(None)), "behorighet": (dict, type(None)), "chef_max_medarbetare": int,
          "hyrpersonal_mal": (int, float, type(None)), "omraden": (list, type(None))}


def check_params(params: dict, source: str = "parametrar") -> dict:
    """Return the defaults updated with params; raise InputError on any bad key or value."""
    problems = []
    for key, value in params.items():
        if key not in DEFAULTS:
            problems.append(Problem(source, None, key, "okänd parameter"))
        elif isinstance(value, bool) or not isinstance(value, _TYPES[key]):
            problems.append(Problem(source, None, key, "fel typ", value))
    merged = {**DEFAULTS, **params}
    if not problems:
        if merged["k_anonymitet"] < 1:
            problems.append(Problem(source, None, "k_anonymitet", "måste vara minst 1", merged["k_anonymitet"]))
        if merged["sprak"] not in ("sv", "en"):
            problems.append(Problem(source, None, "sprak", "måste vara 'sv' eller 'en'", merged["sprak"]))
        if merged["basar"] is not None and merged["slutar"] is not None and merged["slutar"] <= merged["basar"]:
            problems.append(Problem(source, None, "slutar", "måste vara senare än basar", merged["slutar"]))
        if not 0 <= merged["direktiv_andel"] <= 1:
            problems.append(Problem(source, None, "direktiv_andel", "måste ligga mellan 0 och 1", merged["direktiv_andel"]))
        if merged["simuleringar"] < 0:
            problems.append(Problem(source, None, "simuleringar", "får inte vara negativt", merged["simuleringar"]))
        if not 60 <= merged["las_alder"] <= 75:
            problems.append(Problem(source, None, "las_alder", "måste ligga mellan 60 och 75", merged["las_alder"]))
    if problems:
        raise InputError(problems)
    return merged


def load_params(path: str | Path) -> dict:
    """Read one params/*.yaml file and check it; returns only the keys it sets."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(Problem(str(path), None, None, "filen finns inte")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(str(path), None, None, f"ogiltig YAML: {exc}")) from None
    if not isinstance(raw, dict):
        raise InputError(Problem(str(path), None, None, "ska vara en samling nyckel: värde"))
    check_params(raw, str(path))
    return raw
