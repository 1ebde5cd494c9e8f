"""The seeded generator of the fictional "Demo kommun".

A monthly stock-flow simulation of one social and care board: employees age, retire at
a planned age, leave for other reasons at rates set by tenure and age, move between
departments, and are replaced by recruits so that each department's staffing follows
its demand drivers. Every parameter comes from `kompetens.demo.truth`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kompetens.demo import truth as T
from kompetens.models.demand import demand_index
from kompetens.vocabulary import ALDERSBAND_NAMN, DAYS_PER_YEAR, age_band_index

_GROUPS = list(T.YRKESGRUPPER)
_DEPTS = list(T.FORVALTNINGAR)
_LEDNING = _GROUPS.index("Ledning")

_UNIT_NAMES = {
    "Äldreomsorg": ["Hemtjänst"] * 14 + ["Särskilt boende"] * 22 + ["Dagverksamhet"] * 2,
    "Funktionsstöd (LSS)": ["Personlig assistans"] * 9 + ["Gruppbostad"] * 9 + ["Daglig verksamhet"] * 2,
    "Individ- och familjeomsorg": ["Barn och unga"] * 3 + ["Vuxen"] * 2 + ["Familjestöd"] * 2,
    "Hälso- och sjukvård": ["Hemsjukvård"] * 5 + ["Rehab"] * 3,
    "Myndighet och bistånd": ["Biståndshandläggning"] * 3 + ["LSS-handläggning"],
    "Stab": ["HR", "Ekonomi", "Kvalitet och utveckling"],
}


def _unit_labels() -> tuple[list[str], list[int]]:
    """All unit names and the department index of each; numbered within a name."""
    labels, dept_of = [], []
    for d, dept in enumerate(_DEPTS):
        names = _UNIT_NAMES[dept]
        assert len(names) == T.FORVALTNINGAR[dept]["enheter"]
        for name in dict.fromkeys(names):
            n = names.count(name)
            for i in range(n):
                labels.append(f"{name} {i + 1}" if n > 1 else name)
                dept_of.append(d)
        labels.append(f"Ledning {dept}")  # senior managers of the department
        dept_of.append(d)
    return labels, dept_of


_UNITS, _UNIT_DEPT = _unit_labels()


def _band_value(table: dict, x: np.ndarray) -> np.ndarray:
    """Look up a value for each x in a table keyed by (first, last) inclusive bands."""
    out = np.full(x.shape, np.nan)
    for (lo, hi), v in table.items():
        out[(x >= lo) & (x < hi + 1)] = v
    return out


def population(years) -> pd.DataFrame:
    """The population forecast: one row per year and single year of age (100 = 100+)."""
    age = np.arange(0, 101)
    profile = np.where(age <= 60, 1.0, np.exp(-(((age - 60) / 22.0) ** 2)))
    base = T.BEFOLKNING_2019 * profile / profile.sum()
    growth = _band_value(T.BEFOLKNING_TILLVAXT, age)
    rows = [
        pd.DataFrame({"ar": y, "alder": age, "antal": np.round(base * np.exp(growth * (y - 2019))).astype(int)})
        for y in years
    ]
    return pd.concat(rows, ignore_index=True)


def _drivers(bands: dict) -> dict:
    """The truth's drivers {(first, last): weight} as the params' age bands {"65-79": weight}."""
    return {f"{lo}-{hi}": weight for (lo, hi), weight in bands.items()}


@dataclass
class _Register:
    """Column arrays of everyone ever employed in the simulation."""

    cols: dict = field(default_factory=dict)

    def add(self, **new):
        for k, v in new.items():
            v = np.asarray(v)
            self.cols[k] = np.concatenate([self.cols[k], v]) if k in self.cols else v

    def __getitem__(self, k):
        return self.cols[k]

    def __setitem__(self, k, v):
        self.cols[k] = v


def _draw_sysselsattningsgrad(rng, n):
    levels = np.array(list(T.SYSSELSATTNINGSGRAD))
    return rng.choice(levels, size=n, p=list(T.SYSSELSATTNINGSGRAD.values()))


def _draw_retirement_age(rng, age_now):
    """Planned retirement age, conditional on not having retired before age_now."""
    ages = np.array(list(T.PENSIONSALDER))
    pmf = np.array(list(T.PENSIONSALDER.values()))
    out = np.empty(len(age_now), dtype=int)
    for i, a in enumerate(age_now):
        p = np.where(ages >= a, pmf, 0.0)
        out[i] = rng.choice(ages, p=p / p.sum())
    return out


def _women_share(groups):
    return np.array([T.ANDEL_KVINNOR.get(_GROUPS[g], T.ANDEL_KVINNOR["default"]) for g in groups])


def _hire(reg, rng, rng_q, month, dept, unit, group, age=None, hired=None):
    """Add new employees; month is a pandas Period; returns nothing."""
    n = len(group)
    if n == 0:
        return
    if age is None:
        a = T.REKRYTERING_ALDER
        age = np.minimum(a["min"] + rng.gamma(a["shape"], a["scale"], n), a["max"]).astype(int)
    birth_year = month.year - age
    if hired is None:
        hired = np.full(n, month.start_time.normalize().to_datetime64())
    reg.add(
        person=np.arange(len(reg.cols.get("group", [])), len(reg.cols.get("group", [])) + n),
        group=np.asarray(group),
        dept=np.asarray(dept),
        unit=np.asarray(unit),
        birth_year=birth_year,
        birth_month=rng.integers(1, 13, n),
        woman=rng.random(n) < _women_share(group),
        grade=_draw_sysselsattningsgrad(rng, n),
        visstid=rng.random(n) < T.ANDEL_VISSTID,
        wage_noise=np.exp(rng.normal(0, 0.04, n)),
        hired=hired.astype("datetime64[D]"),
        retire_age=_draw_retirement_age(rng, np.maximum(age, 0)),
        active=np.ones(n, bool),
        exit_date=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        exit_reason=np.full(n, "", dtype=object),
        frailty=rng.gamma(T.SJUK["frailty_shape"], 1 / T.SJUK["frailty_shape"], n),
        qualified=rng_q.random(n) < np.array([T.ANDEL_BEHORIGA.get(_GROUPS[g], 1.0) for g in group]),
    )


def _targets(pop_index: pd.DataFrame) -> dict:
    """Staff target per (department, group) and year, managers excluded."""
    out = {}
    for d, dept in enumerate(_DEPTS):
        for group, n in T.FORVALTNINGAR[dept]["bemanning"].items():
            out[(d, _GROUPS.index(group))] = n * pop_index[group]
    return out


def simulate(seed: int = T.SEED) -> dict[str, pd.DataFrame]:
    """Run the simulation; returns the raw tables (before formatting for files)."""
    rng = np.random.default_rng(seed)
    # a stream of its own for the qualification draws, so the other draws stay as they were
    rng_q = np.random.default_rng([seed, 2])
    months = pd.period_range(T.BURN_IN_START, T.LAST_MONTH, freq="M")
    years = range(months[0].year, months[-1].year + 2)
    drivers = {group: _drivers(bands) for group, bands in T.DRIVARE.items()}
    pop_index = demand_index(population(years), drivers, list(T.DRIVARE), 2019, list(years))
    targets = _targets(pop_index)
    units_of = {d: [u for u, ud in enumerate(_UNIT_DEPT) if ud == d] for d in range(len(_DEPTS))}
    first_line = [u for u in range(len(_UNITS)) if not _UNITS[u].startswith("Ledning ")]

    reg = _Register()
    start = months[0]
    # initial stock: ages spread over working life, tenure up to 25 years
    for (d, g), tgt in targets.items():
        n = round(tgt.loc[start.year])
        age = rng.integers(20, 66, n)
        tenure = np.minimum(rng.exponential(7.0, n), age - 18)
        hired = (start.start_time - pd.to_timedelta(tenure * DAYS_PER_YEAR, unit="D")).values
        units = rng.choice(units_of[d][:-1], n)
        _hire(reg, rng, rng_q, start, [d] * n, units, [g] * n, age=age, hired=hired)
    for u in range(len(_UNITS)):
        d = _UNIT_DEPT[u]
        n = 1 if u in first_line else T.OVRIG_LEDNING[_DEPTS[d]]
        age = rng.integers(35, 64, n)
        tenure = np.minimum(rng.exponential(6.0, n), age - 18)  # hired at 18 at the earliest
        hired = (start.start_time - pd.to_timedelta(tenure * DAYS_PER_YEAR, unit="D")).values
        _hire(reg, rng, rng_q, start, [d] * n, [u] * n, [_LEDNING] * n, age=age, hired=hired)

    snapshots, absence = [], []
    moves = []
    for m in months:
        year_frac = m.year + (m.month - 1) / 12
        # recruitment at the start of the month: fill each vacancy with probability 0.6
        for (d, g), tgt in targets.items():
            y0 = int(np.floor(year_frac))
            level = np.interp(year_frac, [y0, y0 + 1], [tgt.loc[y0], tgt.loc[y0 + 1]])
            have = int(np.sum(reg["active"] & (reg["dept"] == d) & (reg["group"] == g)))
            gap = round(level) - have
            n = rng.binomial(gap, 0.6) if gap > 0 else 0
            _hire(reg, rng, rng_q, m, [d] * n, rng.choice(units_of[d][:-1], n), [g] * n)
        for u in range(len(_UNITS)):
            want = 1 if u in first_line else T.OVRIG_LEDNING[_DEPTS[_UNIT_DEPT[u]]]
            have = int(np.sum(reg["active"] & (reg["unit"] == u) & (reg["group"] == _LEDNING)))
            if have < want and rng.random() < 0.7:
                _hire(
                    reg,
                    rng,
                    rng_q,
                    m,
                    [_UNIT_DEPT[u]],
                    [u],
                    [_LEDNING],
                    age=np.array([min(int(36 + rng.gamma(2.0, 4.0)), 60)]),
                )
        idx = np.flatnonzero(reg["active"])
        if m.month == T.SNAPSHOT_MONTH and m.year in T.SNAPSHOT_YEARS:
            snapshots.append(_snapshot(reg, idx, m))

        # exits during the month, dated on a random day
        age = m.year - reg["birth_year"][idx]
        tenure = (m.start_time.to_datetime64() - reg["hired"][idx]).astype("timedelta64[D]").astype(
            float
        ) / DAYS_PER_YEAR
        retire = (age >= reg["retire_age"][idx]) & (m.month == reg["birth_month"][idx])
        retire |= age > T.LAS_ALDER
        annual = _band_value(T.OVRIGA_AVGANGAR_ANSTALLNINGSTID, tenure) * _band_value(T.OVRIGA_AVGANGAR_ALDER, age)
        other = ~retire & (rng.random(len(idx)) < 1 - (1 - annual) ** (1 / 12))
        move_p = 1 - (1 - T.INTERN_RORLIGHET) ** (1 / 12)
        move = ~retire & ~other & (reg["group"][idx] != _LEDNING) & (rng.random(len(idx)) < move_p)
        days = m.days_in_month
        day = rng.integers(0, days, len(idx))
        exit_date = m.start_time.to_datetime64().astype("datetime64[D]") + day
        leavers = retire | other
        reason = np.where(
            retire, "pension", np.where(rng.random(len(idx)) < T.ANDEL_EGEN_BEGARAN, "egen_begaran", "ovrigt")
        )
        if m >= pd.Period(T.FIRST_MONTH, "M"):
            frac = np.where(leavers, (day + 1) / days, 1.0)
            absence.append(_absence(reg, idx, m, frac, rng))
        li = idx[leavers]
        reg["active"][li] = False
        reg["exit_date"][li] = exit_date[leavers]
        reg["exit_reason"][li] = reason[leavers]
        for i, dte in zip(idx[move], exit_date[move]):
            others = [d for d in range(len(_DEPTS)) if d != reg["dept"][i] and (d, reg["group"][i]) in targets]
            if not others:
                continue
            new = int(rng.choice(others))
            moves.append(
                {"person": i, "datum": dte, "dept": reg["dept"][i], "unit": reg["unit"][i], "group": reg["group"][i]}
            )
            reg["dept"][i] = new
            reg["unit"][i] = rng.choice(units_of[new][:-1])
    return {
        "register": pd.DataFrame(reg.cols),
        "personal": pd.concat(snapshots, ignore_index=True),
        "franvaro": pd.concat(absence, ignore_index=True),
        "moves": pd.DataFrame(moves),
    }


def _salary(reg, idx, year, hired_days_before):
    tenure = np.minimum(hired_days_before / DAYS_PER_YEAR, 20)
    base = np.array([T.MANADSLON_2019[_GROUPS[g]] for g in reg["group"][idx]])
    wage = base * (1 + T.LONEOKNING_PER_AR) ** (year - 2019) * (1 + T.LONEOKNING_ANSTALLNINGSTID * tenure)
    return np.round(wage * reg["wage_noise"][idx], -2)


def _snapshot(reg, idx, m):
    day = m.start_time.to_datetime64()
    tenure_days = (day - reg["hired"][idx]).astype("timedelta64[D]").astype(float)
    # fixed-term contracts convert to permanent after two years (LAS)
    visstid = reg["visstid"][idx] & (tenure_days < 2 * DAYS_PER_YEAR)
    return pd.DataFrame(
        {
            "person": idx,
            "ar": m.year,
            "dept": reg["dept"][idx],
            "unit": reg["unit"][idx],
            "group": reg["group"][idx],
            "fodelsear": reg["birth_year"][idx],
            "kon": np.where(reg["woman"][idx], "K", "M"),
            "sysselsattningsgrad": reg["grade"][idx],
            "manadslon": _salary(reg, idx, m.year, tenure_days),
            "anstallningsdatum": reg["hired"][idx],
            "anstallningsform": np.where(visstid, "visstid", "tillsvidare"),
            "chef": reg["group"][idx] == _LEDNING,
            "behorig": reg["qualified"][idx],
        }
    )


def _age_band(age):
    return np.array(ALDERSBAND_NAMN, dtype=object)[age_band_index(age)]


def sick_share(reg, idx, m) -> np.ndarray:
    """The true mean sick-leave share of each employee in idx in month m (before frailty)."""
    s = T.SJUK
    age = m.year - reg["birth_year"][idx]
    band = _age_band(age)
    t = m.year + (m.month - 0.5) / 12 - s["trend_origin"]
    eta = (
        s["intercept"]
        + np.array([s["yrkesgrupp"][_GROUPS[g]] for g in reg["group"][idx]])
        + np.array([s["forvaltning"][_DEPTS[d]] for d in reg["dept"][idx]])
        + np.array([s["aldersband"][b] for b in band])
        + np.where(reg["woman"][idx], s["kon"]["K"], s["kon"]["M"])
        + s["manad"][m.month]
        + (s["trend"] + np.array([s["trend_aldersband"][b] for b in band])) * t
        + _unit_effect(reg["unit"][idx])
    )
    return 1 / (1 + np.exp(-eta))


def high_units() -> dict[str, float]:
    """The units given a raised sick-leave level, with their logit effect."""
    out = {}
    for dept, (n, effect) in T.SJUK["enheter_hog"].items():
        d = _DEPTS.index(dept)
        for u in [u for u, ud in enumerate(_UNIT_DEPT) if ud == d][:n]:
            out[_UNITS[u]] = effect
    return out


_UNIT_EFFECT = np.array([high_units().get(name, 0.0) for name in _UNITS])


def _unit_effect(units):
    return _UNIT_EFFECT[units]


def _absence(reg, idx, m, frac, rng):
    s = T.SJUK
    weekdays = np.busday_count(m.start_time.date(), (m.end_time + pd.Timedelta(days=1)).date())
    hours = np.round(T.TIMMAR_PER_MANAD * weekdays / 21.75 * reg["grade"][idx] * frac, 1)
    p = sick_share(reg, idx, m) * reg["frailty"][idx]
    rho = s["andel_lang"]
    long = rng.random(len(idx)) < rho * p
    q = (1 - rho) * p / (1 - rho * p)
    days = np.maximum(np.round(s["arbetsdagar"] * frac).astype(int), 1)
    short_days = rng.binomial(days, q)
    short = np.round(hours * short_days / days, 1)
    sick = np.where(long, hours, short)
    wages = (
        _salary(
            reg, idx, m.year, (m.start_time.to_datetime64() - reg["hired"][idx]).astype("timedelta64[D]").astype(float)
        )
        * reg["grade"][idx]
        * frac
    )
    return pd.DataFrame(
        {
            "person": idx,
            "manad": str(m),
            "dept": reg["dept"][idx],
            "unit": reg["unit"][idx],
            "group": reg["group"][idx],
            "wages": wages,
            "schemalagd_tid": hours,
            "sjuk_tid": sick,
            "sjuk_kort": np.where(long, 0.0, short),
            "sjuk_lang": np.where(long, hours, 0.0),
        }
    )


def _person_ids(persons) -> np.ndarray:
    return np.char.add("D", np.char.zfill(np.asarray(persons).astype(str), 5))


def build_tables(seed: int = T.SEED) -> dict[str, pd.DataFrame]:
    """The demo's input tables, shaped by the data contracts (DESIGN §3)."""
    sim = simulate(seed)
    reg, snap, absn, moves = sim["register"], sim["personal"], sim["franvaro"], sim["moves"]
    groups, depts, units = np.array(_GROUPS), np.array(_DEPTS), np.array(_UNITS)

    def where(table) -> dict:
        """The förvaltning, enhet and yrkesgrupp columns of a table's dept, unit, group codes."""
        codes = [np.asarray(table[k]).astype(int) for k in ("dept", "unit", "group")]
        return {"forvaltning": depts[codes[0]], "enhet": units[codes[1]], "yrkesgrupp": groups[codes[2]]}

    personal = pd.DataFrame(
        {
            "person_id": _person_ids(snap["person"]),
            "ar": snap["ar"],
            **where(snap),
            "fodelsear": snap["fodelsear"],
            "kon": snap["kon"],
            "sysselsattningsgrad": snap["sysselsattningsgrad"],
            "manadslon": snap["manadslon"].astype(int),
            "anstallningsdatum": pd.to_datetime(snap["anstallningsdatum"]).dt.strftime("%Y-%m-%d"),
            "anstallningsform": snap["anstallningsform"],
            "chef": snap["chef"],
            "behorig": snap["behorig"],
        }
    )

    first, last = np.datetime64(T.FIRST_MONTH + "-01"), np.datetime64(T.LAST_MONTH + "-31")
    left = reg[reg["exit_date"].notna()]
    left = left[(left["exit_date"] >= first) & (left["exit_date"] <= last)]
    exits = pd.DataFrame(
        {
            "person": left["person"],
            "datum": left["exit_date"],
            "dept": left["dept"],
            "unit": left["unit"],
            "group": left["group"],
            "orsak": left["exit_reason"],
        }
    )
    mv = moves[(moves["datum"] >= first) & (moves["datum"] <= last)].assign(orsak="intern_rorlighet")
    exits = pd.concat([exits, mv[exits.columns]], ignore_index=True)
    who = reg.set_index("person").loc[exits["person"]]
    tenure = (exits["datum"].values - who["hired"].values).astype("timedelta64[D]").astype(float)
    avgangar = (
        pd.DataFrame(
            {
                "person_id": _person_ids(exits["person"]),
                "datum": pd.to_datetime(exits["datum"]).dt.strftime("%Y-%m-%d"),
                **where(exits),
                "orsak": exits["orsak"].values,
                "anstallningsdatum": pd.to_datetime(who["hired"].values).strftime("%Y-%m-%d"),
                "anstallningsform": np.where(
                    who["visstid"].values & (tenure < 2 * DAYS_PER_YEAR), "visstid", "tillsvidare"
                ),
                "fodelsear": who["birth_year"].values,
                "kon": np.where(who["woman"].values, "K", "M"),
            }
        )
        .sort_values(["datum", "person_id"], kind="stable")
        .reset_index(drop=True)
    )

    pw = reg.set_index("person").loc[absn["person"]]
    franvaro = pd.DataFrame(
        {
            "person_id": _person_ids(absn["person"]),
            "manad": absn["manad"],
            **where(absn),
            "fodelsear": pw["birth_year"].values,
            "kon": np.where(pw["woman"].values, "K", "M"),
            "schemalagd_tid": absn["schemalagd_tid"],
            "sjuk_tid": absn["sjuk_tid"],
            "sjuk_kort": absn["sjuk_kort"],
            "sjuk_lang": absn["sjuk_lang"],
        }
    )

    # an HR export lists absence for the staff it knows: those in a snapshot or with an exit
    known = set(personal["person_id"]) | set(avgangar["person_id"])
    franvaro = franvaro[franvaro["person_id"].isin(known)].reset_index(drop=True)
    kostnader = _costs(absn, seed)
    return {
        "personal": personal,
        "avgangar": avgangar,
        "franvaro": franvaro,
        "befolkning": population(T.POPULATION_YEARS),
        "kostnader": kostnader,
    }


def _costs(absn: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Monthly wage cost (kr, excluding PO-pålägg) and agency-staff cost per department."""
    rng = np.random.default_rng([seed, 1])
    cost = absn.groupby(["manad", "dept"], sort=True)["wages"].sum().reset_index()
    year = cost["manad"].str[:4].astype(int)
    share = np.array([T.HYRPERSONAL_ANDEL[_DEPTS[d]] for d in cost["dept"]])
    share = share * (1 + T.HYRPERSONAL_TREND) ** (year - 2019) * np.exp(rng.normal(0, 0.25, len(cost)))
    return pd.DataFrame(
        {
            "manad": cost["manad"],
            "forvaltning": np.array(_DEPTS)[cost["dept"]],
            "lonekostnad": np.round(cost["wages"], -2).astype(int),
            "hyrpersonal": np.round(cost["wages"] * share, -2).astype(int),
        }
    )


#: File name of each demo table under data/demo/.
DEMO_FILES = {
    "personal": "personal.csv",
    "avgangar": "avgangar.csv",
    "franvaro": "franvaro.csv.gz",
    "befolkning": "befolkning.csv",
    "kostnader": "kostnader.csv",
}


def write_demo(out_dir, seed: int = T.SEED) -> dict[str, str]:
    """Write the demo tables as CSV into out_dir; returns {table: path}."""
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in build_tables(seed).items():
        path = out / DEMO_FILES[name]
        compression = {"method": "gzip", "mtime": 0} if path.suffix == ".gz" else None
        df.to_csv(path, index=False, compression=compression, lineterminator="\n")
        paths[name] = str(path)
    return paths
