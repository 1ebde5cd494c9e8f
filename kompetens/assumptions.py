"""The assumption register: every default assumption of the models as data, with its public
source, vintage and plausible range, read from the package's own assumptions.yaml.

The register is constant package data (not user input), so every layer may read it; params
files override single values, and the report shows which.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

#: The keys of the register, in the order the report shows them.
KEYS = ("pensionsalder", "las_alder", "riktalder", "po_palagg", "drivare")
#: The robustness analysis's uncertain assumptions (the register's `osakerhet`), in order.
UNCERTAIN = (
    "drivare",
    "pensionstidpunkt",
    "omsattning",
    "heltid",
    "forlang_arbetslivet",
    "minska_omsattning",
    "teknik",
    "kompetensvaxling",
)


@cache
def register() -> dict:
    """{key: {namn, varde, enhet, kalla, argang, motivering, intervall}} from assumptions.yaml,
    and under `osakerhet` the robustness analysis's ranges."""
    import yaml

    text = resources.files("kompetens").joinpath("assumptions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def value(key: str):
    """The default value of one assumption (a fresh copy of dicts, so callers may change it)."""
    v = register()[key]["varde"]
    return {k: (dict(x) if isinstance(x, dict) else x) for k, x in v.items()} if isinstance(v, dict) else v


def uncertainty() -> dict[str, dict]:
    """{assumption: {namn, intervall, enhet, kalla, argang, motivering}}: the ranges the
    robustness analysis draws from, with their sources."""
    return {k: register()["osakerhet"][k] for k in UNCERTAIN}


def ranges() -> dict[str, tuple[float, float]]:
    """{assumption: (low, high)} of the robustness analysis, from the register."""
    return {k: (float(v["intervall"][0]), float(v["intervall"][1])) for k, v in uncertainty().items()}


def retirement_hazards(distribution: dict | None = None, las_alder: int | None = None) -> dict[int, float]:
    """Yearly probability of retiring at each age for someone still employed, from a
    distribution of retirement ages (shares summing to 1): P(age) / P(age or later); 1 at
    the LAS age."""
    distribution = distribution or value("pensionsalder")
    las_alder = las_alder or value("las_alder")
    ages = sorted(a for a in distribution if a <= las_alder)
    remaining = sum(distribution[a] for a in ages)
    hazards = {}
    for a in ages:
        hazards[a] = distribution[a] / remaining if remaining > 0 else 0.0
        remaining -= distribution[a]
    hazards[las_alder] = 1.0
    return hazards
