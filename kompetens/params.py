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
}

_TYPES = {"titel": str, "slug": str, "forvaltning": (str, type(None)), "data_dir": (str, type(None)),
          "utkatalog": (str, type(None)), "basar": (int, type(None)), "slutar": (int, type(None)),
          "k_anonymitet": int, "sprak": str}


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
