"""An attacker in the test suite: every differencing route tried on every report of a batch.

A batch's reports are public. Each route below reads only what the reports publish
(nyckeltal.json and tabeller.xlsx, whose numbers the HTML and the notebook show too) and
combines figures the way a reader could: a total minus the visible cells, the board minus
its departments, one definition of turnover minus another, a share times a count, a mean
times a count. A route reports a leak when what it computes describes 1..k-1 persons, which
it checks against the register (the truth the attacker is after). Every route must find
nothing, on the demo batch as shipped and on a fixture batch built to have small groups
(a lone Administratör with a known salary, a lone manager, two men, three retirements, two
without the qualification), with every department published so that board minus
departments is exact.

To add a route: write a function (batch) -> iterable of Leak, decorate it with @route.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kompetens
from kompetens.plan.key_figures import read_key_figures
from kompetens.plan.prepare import prepare
from kompetens.report import excel
from kompetens.report.common import HEADERS
from kompetens.vocabulary import SUPPRESSED, TOTAL

ROOT = Path(__file__).resolve().parent.parent
K = 5


@dataclass(frozen=True)
class Leak:
    route: str
    report: str
    what: str
    value: float
    persons: int

    def __str__(self) -> str:
        return f"{self.route} · {self.report} · {self.what} = {self.value:.6g} ({self.persons} personer)"


@dataclass
class Report:
    slug: str
    forvaltning: str | None
    figures: dict  # nyckeltal.json as read back
    sheets: dict = field(default_factory=dict)  # tabeller.xlsx: name -> DataFrame ("–" is NaN)
    html: dict = field(default_factory=dict)  # count tables only the HTML shows: name -> DataFrame


@dataclass
class Batch:
    reports: dict  # forvaltning (None: the board) -> Report
    personal: pd.DataFrame  # the board's register: the truth
    avgangar: pd.DataFrame
    basar: int
    k: int = K

    @property
    def departments(self) -> list[str]:
        return sorted(set(self.personal["forvaltning"]))

    @property
    def complete(self) -> bool:
        """Every department has a report beside the board's: board minus departments is exact."""
        return None in self.reports and all(d in self.reports for d in self.departments)

    def staff(self, dept: str | None) -> pd.DataFrame:
        p = self.personal[self.personal["ar"] == self.basar]
        return p if dept is None else p[p["forvaltning"] == dept]

    def exits(self, dept: str | None) -> pd.DataFrame:
        a = self.avgangar
        return a if dept is None else a[a["forvaltning"] == dept]


ROUTES: list[Callable[[Batch], Iterable[Leak]]] = []


def route(fn):
    ROUTES.append(fn)
    return fn


def _num(x) -> float | None:
    """A published number, or None when hidden."""
    if x is None or x == SUPPRESSED:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _small(n, k) -> bool:
    return n is not None and 0.5 <= n <= k - 0.5


def _persons_in(staff: pd.DataFrame, groups) -> int:
    return int(staff["yrkesgrupp"].isin(list(groups)).sum())


def _count_tables(rep: Report) -> dict[str, pd.DataFrame]:
    """The report's tables of person counts, rows × columns, each with a Totalt row (and the
    age table a Totalt column): what a reader can add up."""
    f = rep.figures
    out = {
        "antal_anstallda": pd.DataFrame(f["antal_anstallda"]).T,
        "avgangar": pd.DataFrame(f["avgangar"]).T,
        "antal_basar": pd.Series(f["antal_basar"]).to_frame("antal"),
    }
    q = f.get("kompetens", {}).get("behorighet")
    if q:
        out["behorighet"] = pd.DataFrame(q).T[["antal", "obehoriga"]]
    chefer = f.get("kompetens", {}).get("chefer")
    if chefer:
        out["chefer_per_forvaltning"] = pd.DataFrame(chefer["per_chef"]).T[["chefer", "medarbetare"]]
        out["chefer_kon_alder"] = pd.DataFrame(chefer["kon_alder"]).T
    if f.get("backtest"):
        out["backtest_utfall"] = pd.DataFrame(f["backtest"]["tabell"]).T[["personalbehov_utfall", "avgangar_utfall"]]
    if "Ålder" in rep.sheets:
        out["alder"] = rep.sheets["Ålder"]
    out.update(rep.html)
    return {name: t.map(_num) for name, t in out.items()}


# --- routes -----------------------------------------------------------------------------


@route
def visible_small_counts(batch: Batch):
    """A count of 1..k-1 persons shown as it is."""
    for rep in batch.reports.values():
        for name, table in _count_tables(rep).items():
            for (row, col), v in table.stack().items():
                if _small(v, batch.k):
                    yield Leak("synlig", rep.slug, f"{name}[{row}, {col}]", v, round(v))
        t = rep.figures["avgangar_anstallningstid"]
        if _small(_num(t["antal"]), batch.k):
            yield Leak("synlig", rep.slug, "avgangar_anstallningstid.antal", t["antal"], t["antal"])


@route
def total_minus_visible(batch: Batch):
    """Totalt minus the visible cells of its row or column: the hidden cells together."""
    for rep in batch.reports.values():
        for name, table in _count_tables(rep).items():
            lines = [("kolumn", table)]
            if TOTAL in table.columns:
                lines.append(("rad", table.T))
            for direction, t in lines:
                if TOTAL not in t.index:
                    continue
                for col in t.columns:
                    cells = t[col].drop(TOTAL)
                    total = t.loc[TOTAL, col]
                    if total is None or not cells.isna().any():
                        continue
                    hidden = total - cells.dropna().sum()
                    if _small(hidden, batch.k):
                        yield Leak("totalt − synliga", rep.slug, f"{name} {direction} {col}", hidden, round(hidden))


@route
def board_minus_departments(batch: Batch):
    """The board's count minus the departments' visible counts: the hidden departments' cells."""
    if not batch.complete:
        return
    tables = ("antal_anstallda", "avgangar", "antal_basar", "alder", "chefer_kon_alder", "html Anställningstid (år)")
    for name in tables:
        board = _count_tables(batch.reports[None]).get(name)
        if board is None:
            continue
        depts = {d: _count_tables(batch.reports[d])[name] for d in batch.departments}
        for (row, col), v in board.stack(future_stack=True).items():
            if v is None or math.isnan(v):
                continue
            if name.startswith("html") and col != "Anställda":
                continue  # the board counts leavers without internal moves, departments with them
            values = [t.loc[row, col] if row in t.index and col in t.columns else 0.0 for t in depts.values()]
            if not any(x is None or (isinstance(x, float) and math.isnan(x)) for x in values):
                continue
            hidden = v - sum(x for x in values if x is not None and not math.isnan(x))
            if _small(hidden, batch.k):
                yield Leak("nämnd − förvaltningar", "alla", f"{name}[{row}, {col}]", hidden, round(hidden))


def _mean_routes(batch: Batch, key: str, value_of: Callable[[pd.DataFrame], pd.Series], label: str):
    """A mean per group times its count, summed: within a report (Totalt minus the visible
    groups) and across the batch (board minus departments). Leaks when the persons behind
    the difference are 1..k-1."""
    for rep in batch.reports.values():
        f = rep.figures
        means, counts = f.get(key) or {}, f["antal_basar"]
        if TOTAL not in means or _num(means[TOTAL]) is None or _num(counts.get(TOTAL)) is None:
            continue
        visible = [g for g in means if g != TOTAL and _num(means[g]) is not None and _num(counts.get(g)) is not None]
        hidden = [g for g in counts if g != TOTAL and g not in visible]
        persons = _persons_in(batch.staff(rep.forvaltning), hidden)
        if hidden and _small(persons, batch.k):
            value = means[TOTAL] * counts[TOTAL] - sum(means[g] * counts[g] for g in visible)
            yield Leak(label, rep.slug, f"{key} dolda grupper {hidden}", value, persons)
    if not batch.complete:
        return
    board = batch.reports[None].figures
    for g, mean in (board.get(key) or {}).items():
        n = _num(board["antal_basar"].get(g))
        if g == TOTAL or _num(mean) is None or n is None:
            continue
        hidden = [
            d
            for d in batch.departments
            if _num((batch.reports[d].figures.get(key) or {}).get(g)) is None
            or _num(batch.reports[d].figures["antal_basar"].get(g)) is None
        ]
        persons = sum(_persons_in(batch.staff(d), [g]) for d in hidden)
        if hidden and _small(persons, batch.k):
            value = mean * n - sum(
                batch.reports[d].figures[key].get(g, 0) * batch.reports[d].figures["antal_basar"].get(g, 0)
                for d in batch.departments
                if d not in hidden and g in batch.reports[d].figures["antal_basar"]
            )
            truth = value_of(batch.staff(None)[batch.staff(None)["forvaltning"].isin(hidden)])
            truth = truth[truth.index == g].sum()
            assert value == pytest.approx(truth, rel=1e-6, abs=1e-6), "the route computes the hidden sum"
            yield Leak(label + ", nämnd − förvaltningar", "alla", f"{key}[{g}] i {hidden}", value, persons)


@route
def mean_age_times_count(batch: Batch):
    """medelålder × antal: the ages of the persons of the hidden groups."""

    def ages(staff):
        return (staff["ar"] - staff["fodelsear"]).groupby(staff["yrkesgrupp"]).sum()

    yield from _mean_routes(batch, "medelalder_basar", ages, "medelålder × antal")


@route
def employment_rate_times_count(batch: Batch):
    """sysselsättningsgrad × antal = årsarbetare: the hidden groups' employment rates."""

    def rates(staff):
        return staff["sysselsattningsgrad"].groupby(staff["yrkesgrupp"]).sum()

    yield from _mean_routes(batch, "sysselsattningsgrad_basar", rates, "sysselsättningsgrad × antal")


@route
def cost_per_person_times_count(batch: Batch):
    """kostnad_per_person × antal across the batch: a hidden group's salaries."""
    if not batch.complete:
        return
    board = batch.reports[None].figures
    for g, cost in board["kostnad_per_person"].items():
        n = _num(board["antal_basar"].get(g))
        if _num(cost) is None or n is None:
            continue
        hidden = [
            d
            for d in batch.departments
            if g in batch.reports[d].figures["antal_basar"]
            and (
                _num(batch.reports[d].figures["kostnad_per_person"].get(g)) is None
                or _num(batch.reports[d].figures["antal_basar"].get(g)) is None
            )
        ]
        persons = sum(_persons_in(batch.staff(d), [g]) for d in hidden)
        if hidden and _small(persons, batch.k):
            value = cost * n - sum(
                batch.reports[d].figures["kostnad_per_person"][g] * batch.reports[d].figures["antal_basar"][g]
                for d in batch.departments
                if d not in hidden and g in batch.reports[d].figures["antal_basar"]
            )
            yield Leak("kostnad per person × antal", "alla", f"{g} i {hidden}", value, persons)


@route
def share_60_plus_times_count(batch: Batch):
    """andel 60+ × antal: persons aged 60 or more in a group."""
    for rep in batch.reports.values():
        f = rep.figures
        for g, share in f["andel_60_plus_basar"].items():
            n = _num(f["antal_basar"].get(g))
            if _num(share) is not None and n is not None and _small(share * n, batch.k):
                yield Leak("andel 60+ × antal", rep.slug, g, share * n, round(share * n))
        shares, counts = f["andel_60_plus_basar"], f["antal_basar"]
        if _num(shares.get(TOTAL)) is not None and _num(counts.get(TOTAL)) is not None:
            visible = [g for g in shares if g != TOTAL and _num(shares[g]) is not None and _num(counts.get(g))]
            rest = shares[TOTAL] * counts[TOTAL] - sum(shares[g] * counts[g] for g in visible)
            if len(visible) < len(counts) - 1 and _small(rest, batch.k):
                yield Leak("andel 60+ × antal, totalt − synliga", rep.slug, "dolda grupper", rest, round(rest))


@route
def leaver_shares_times_count(batch: Batch):
    """Leavers' age-band and tenure shares × the number of leavers."""
    for rep in batch.reports.values():
        f = rep.figures
        n = _num(f["avgangar_anstallningstid"]["antal"])
        if n is None:
            continue
        bands = f["avgangar_aldersband_andel"]
        visible = {b: s for b, s in bands.items() if _num(s) is not None}
        for b, s in visible.items():
            if _small(s * n, batch.k):
                yield Leak("andel × antal avgångar", rep.slug, f"åldersband {b}", s * n, round(s * n))
        if len(visible) < len(bands):
            rest = n * (1 - sum(visible.values()))
            if _small(rest, batch.k):
                yield Leak("andel × antal avgångar", rep.slug, "dolda åldersband", rest, round(rest))
        t = f["avgangar_anstallningstid"]
        u1, u3 = _num(t["under_1_ar"]), _num(t["under_3_ar"])
        parts = {"<1": u1, "≥3": None if u3 is None else 1 - u3}
        if u1 is not None and u3 is not None:
            parts["1–3"] = u3 - u1
        if u1 is None and u3 is not None:
            parts["<3"] = u3
        for what, s in parts.items():
            if s is not None and _small(s * n, batch.k):
                yield Leak("andel × antal avgångar", rep.slug, f"anställningstid {what}", s * n, round(s * n))


@route
def turnover_definition_differences(batch: Batch):
    """Turnover with minus without retirements (and with minus without internal moves) ×
    the mean headcount (Arbetsgivarverket's base, published as antal anställda)."""
    for rep in batch.reports.values():
        f = rep.figures
        defs = f["personalomsattning_definitioner"]
        heads = f["antal_anstallda"].get(TOTAL, {})
        exits = batch.exits(rep.forvaltning)
        year = exits["datum"].dt.year
        for y, med in defs["arbetsgivarverket, extern, med pension"].items():
            prev = _num(heads.get(str(int(y) - 1)))
            now = _num(heads.get(y))
            if prev is None or now is None or _num(med) is None:
                continue
            base = (prev + now) / 2
            for other, orsak in (
                ("arbetsgivarverket, extern, utan pension", "pension"),
                ("arbetsgivarverket, inklusive intern rörlighet", "intern_rorlighet"),
            ):
                v = _num(defs[other].get(y))
                if v is None:
                    continue
                count = abs(med - v) * base
                truth = int(((year == int(y)) & (exits["orsak"] == orsak)).sum())
                if _small(count, batch.k) and round(count) == truth:
                    yield Leak("definitionsskillnad × bas", rep.slug, f"{orsak} {y}", count, truth)


@route
def qualification_share_times_count(batch: Batch):
    """(1 − andel behöriga) × antal: persons without the qualification."""
    for rep in batch.reports.values():
        q = rep.figures.get("kompetens", {}).get("behorighet") or {}
        for g, row in q.items():
            share, n = _num(row["andel_behoriga"]), _num(row["antal"])
            if share is not None and n is not None:
                for what, c in (("obehöriga", (1 - share) * n), ("behöriga", share * n)):
                    if _small(c, batch.k):
                        yield Leak("andel behöriga × antal", rep.slug, f"{g} {what}", c, round(c))


# --- the batches --------------------------------------------------------------------------


def _params(data_dir: Path | None, forvaltning: str | None, out: Path) -> dict:
    slug = "namnd" if forvaltning is None else "".join(c for c in forvaltning.lower() if c.isascii() and c.isalnum())
    return {
        "titel": forvaltning or "Nämnden",
        "slug": slug,
        "forvaltning": forvaltning,
        "data_dir": None if data_dir is None else str(data_dir),
        "utkatalog": str(out / slug),
        "simuleringar": 0,
    }


def _batch_in_process(inputs, params: list[dict], out: Path) -> Batch:
    """Each report's key figures and workbook, written and read back as published."""
    reports = {}
    for p in params:
        plan = prepare(inputs, **p)
        figures = plan.key_figures
        target = out / p["slug"]
        kompetens.plan.key_figures.write_key_figures(figures, target)
        excel.write_tables(plan, target)
        reports[p["forvaltning"]] = _read_report(target, p["slug"], p["forvaltning"])
        reports[p["forvaltning"]].html = _html_tables(plan)
    return Batch(reports, inputs.personal, inputs.avgangar, plan.basar)


def _html_tables(plan) -> dict[str, pd.DataFrame]:
    """The count tables of the HTML that are in neither JSON nor workbook, as the report's
    sections hold them before formatting: leavers and staff by age and tenure band in the base
    year (one table per banding, each with its Totalt), employments per yrkesgrupp."""
    from kompetens import report

    leavers = report.leavers_table(plan).data.iloc[:, :2]
    out = {f"html {label}": leavers.loc[label] for label in leavers.index.get_level_values(0).unique()}
    retention = report.retention_table(plan).data.iloc[:, :1]
    out["html anställningar"] = retention.rename(index={retention.index[-1]: TOTAL})
    return out


def _read_report(folder: Path, slug: str, forvaltning: str | None) -> Report:
    figures = read_key_figures(folder)
    book = pd.read_excel(folder / excel.FILENAME, sheet_name=None, index_col=0)
    # each sheet's table ends at its first row without a label; its title and the note on hidden cells follow
    book = {
        n: t.iloc[: next((i for i, label in enumerate(t.index) if pd.isna(label)), len(t))] for n, t in book.items()
    }
    sheets = {n: t.mask(t == SUPPRESSED).infer_objects() for n, t in book.items()}
    return Report(slug, forvaltning, figures, sheets)


def small_groups(src: Path, dst: Path) -> Path:
    """The demo data with small groups planted in the base year 2025 (and history kept
    consistent): Myndighet och bistånd keeps one Administratör (monthly salary 41 300 kr,
    the others become case officers), Stab one manager, Individ- och familjeomsorg two men
    and two Administratörer without the qualification, Funktionsstöd three retirements
    in 2024."""
    shutil.copytree(src, dst)
    p = pd.read_csv(dst / "personal.csv", dtype={"person_id": str})
    a = pd.read_csv(dst / "avgangar.csv", dtype={"person_id": str})
    f = pd.read_csv(dst / "franvaro.csv.gz", dtype={"person_id": str})
    now = p["ar"] == 2025
    adm = p[now & (p["forvaltning"] == "Myndighet och bistånd") & (p["yrkesgrupp"] == "Administratör")]
    p.loc[adm.index[1:], "yrkesgrupp"] = "Socialsekreterare/biståndsbedömare"
    p.loc[adm.index[0], "manadslon"] = 41300
    moved = set(p.loc[adm.index[1:], "person_id"])
    f.loc[f["person_id"].isin(moved) & f["manad"].str.startswith("2025"), "yrkesgrupp"] = (
        "Socialsekreterare/biståndsbedömare"
    )
    bosses = p[now & (p["forvaltning"] == "Stab") & p["chef"]]
    p.loc[bosses.index[1:], "chef"] = False
    ifo = p["forvaltning"] == "Individ- och familjeomsorg"
    men = sorted(set(p.loc[now & ifo & (p["kon"] == "M"), "person_id"]))[2:]
    for t in (p, a, f):
        t.loc[t["person_id"].isin(men), "kon"] = "K"
    unq = p[now & ifo & (p["yrkesgrupp"] == "Administratör")].index[:2]
    p.loc[unq, "behorig"] = False
    hsv = (a["forvaltning"] == "Funktionsstöd (LSS)") & a["datum"].str.startswith("2024")
    pension = a[hsv & (a["orsak"] == "pension")].index
    a.loc[pension[3:], "orsak"] = "egen_begaran"
    p.to_csv(dst / "personal.csv", index=False)
    a.to_csv(dst / "avgangar.csv", index=False)
    f.to_csv(dst / "franvaro.csv.gz", index=False)
    return dst


@pytest.fixture(scope="module")
def fixture_batch(tmp_path_factory):
    """Board and every department of the small-group data, each report written and read back."""
    tmp = tmp_path_factory.mktemp("disclosure")
    data = small_groups(ROOT / "data" / "demo", tmp / "data")
    inputs = kompetens.load_inputs(data, cache=False)
    depts = sorted(set(inputs.personal["forvaltning"]))
    params = [_params(data, d, tmp / "out") for d in [None, *depts]]
    return _batch_in_process(inputs, params, tmp / "out")


@pytest.fixture(scope="module")
def demo_batch(batch, demo):
    """The demo params files as the runner published them (conftest's batch)."""
    out, _ = batch
    reports = {}
    for path in sorted((ROOT / "params").glob("*.yaml")):
        p = yaml.safe_load(path.read_text(encoding="utf-8"))
        reports[p.get("forvaltning")] = _read_report(out / p["slug"], p["slug"], p.get("forvaltning"))
        reports[p.get("forvaltning")].html = _html_tables(prepare(demo, **{**p, "simuleringar": 0}))
    basar = reports[None].figures["basar"]
    return Batch(reports, demo.personal, demo.avgangar, basar)


def test_the_fixture_has_the_small_groups_it_names(fixture_batch):
    staff = fixture_batch.staff("Myndighet och bistånd")
    lone = staff[staff["yrkesgrupp"] == "Administratör"]
    assert len(lone) == 1 and lone["manadslon"].iloc[0] == 41300
    assert int(fixture_batch.staff("Stab")["chef"].sum()) == 1
    assert int((fixture_batch.staff("Individ- och familjeomsorg")["kon"] == "M").sum()) == 2
    ex = fixture_batch.exits("Funktionsstöd (LSS)")
    assert int(((ex["datum"].dt.year == 2024) & (ex["orsak"] == "pension")).sum()) == 3
    assert fixture_batch.complete


@pytest.mark.parametrize("attack", ROUTES, ids=[r.__name__ for r in ROUTES])
def test_no_route_recovers_a_small_group_in_the_fixture_batch(fixture_batch, attack):
    leaks = list(attack(fixture_batch))
    assert not leaks, "\n".join(map(str, leaks[:20]))


@pytest.mark.parametrize("attack", ROUTES, ids=[r.__name__ for r in ROUTES])
def test_no_route_recovers_a_small_group_in_the_demo_batch(demo_batch, attack):
    leaks = list(attack(demo_batch))
    assert not leaks, "\n".join(map(str, leaks[:20]))


def test_the_lone_administrator_is_hidden_wherever_their_figures_could_come_from(fixture_batch):
    mob = fixture_batch.reports["Myndighet och bistånd"].figures
    for key in ("antal_basar", "medelalder_basar", "sysselsattningsgrad_basar", "kostnad_per_person"):
        assert mob[key]["Administratör"] is None, key
    # and the complement: another department or the board hides Administratör too
    others = [
        d
        for d in fixture_batch.reports
        if d != "Myndighet och bistånd"
        and fixture_batch.reports[d].figures["antal_basar"].get("Administratör", 0) is None
    ]
    assert others


def test_the_other_planted_groups_are_hidden(fixture_batch):
    board, ifo = fixture_batch.reports[None].figures, fixture_batch.reports["Individ- och familjeomsorg"].figures
    # two men: their sick leave is hidden, and the women's with it (the total is shown)
    assert ifo["sjukfranvaro_per_kon"]["M"] is None and ifo["sjukfranvaro_per_kon"]["K"] is None
    assert ifo["sjukfranvaro_12_manader"]["andel"] is not None
    # the lone manager: Stab's row of the board's span-of-control table is blank
    assert all(v is None for v in board["kompetens"]["chefer"]["per_chef"]["Stab"].values())
    # two without the qualification among the Administratörer of Individ- och familjeomsorg
    q = ifo["kompetens"]["behorighet"]
    assert q["Administratör"]["obehoriga"] is None and q["Administratör"]["andel_behoriga"] is None
    # three retirements in Funktionsstöd 2024: the exit cell and the variants without them
    lss = fixture_batch.reports["Funktionsstöd (LSS)"].figures
    assert lss["avgangar"]["pension"]["2024"] is None
    for definition in ("kolada", "arbetsgivarverket", "nyckeltalsinstitutet"):
        assert lss["personalomsattning_definitioner"][f"{definition}, extern, utan pension"]["2024"] is None


def test_every_output_hides_the_same_cells(fixture_batch):
    """The workbook's count sheets hide exactly what nyckeltal.json hides."""
    for rep in fixture_batch.reports.values():
        f, s = rep.figures, rep.sheets
        json_heads = pd.DataFrame(f["antal_anstallda"]).T
        sheet = s["Antal anställda"]
        sheet.columns = [str(c) for c in sheet.columns]
        assert (sheet.isna().to_numpy() == json_heads.loc[sheet.index, sheet.columns].isna().to_numpy()).all()
        json_exits = pd.DataFrame(f["avgangar"]).T.rename(
            index=lambda x: HEADERS["sv"].get(x, x)
        )  # as the sheet shows them
        sheet = s["Avgångar per orsak"]
        sheet.columns = [str(c) for c in sheet.columns]
        assert (sheet.isna().to_numpy() == json_exits.loc[sheet.index, sheet.columns].isna().to_numpy()).all()
        summary = s["Personal idag"]
        assert summary["Antal anställda"].isna().tolist() == [f["antal_basar"][g] is None for g in summary.index]


def test_routes_find_a_planted_leak():
    """The attacker is not blind: a hand-made report with one small cell unhidden, or hidden
    alone, is caught by the routes that should catch it."""
    personal = pd.DataFrame(
        {
            "ar": 2025,
            "forvaltning": ["A"] * 13 + ["B"] * 10,
            "yrkesgrupp": ["X"] * 10 + ["Y"] * 3 + ["X"] * 10,
            "fodelsear": [1980] * 10 + [1960, 1970, 1990] + [1985] * 10,
            "sysselsattningsgrad": 1.0,
        }
    )
    avg = pd.DataFrame({"forvaltning": [], "datum": pd.to_datetime([]), "orsak": []})

    def fig(counts, ages):
        total = sum(v for v in counts.values() if v is not None)
        return {
            "antal_anstallda": {g: {"2025": v} for g, v in {**counts, TOTAL: total}.items()},
            "avgangar": {TOTAL: {"2025": 0.0}},
            "antal_basar": {**counts, TOTAL: total},
            "medelalder_basar": {**ages},
            "sysselsattningsgrad_basar": {},
            "andel_60_plus_basar": {},
            "kostnad_per_person": {},
            "avgangar_anstallningstid": {"antal": 0, "under_1_ar": None, "under_3_ar": None},
            "avgangar_aldersband_andel": {},
            "personalomsattning_definitioner": {"arbetsgivarverket, extern, med pension": {}},
        }

    leaky = Batch(
        {None: Report("a", None, fig({"X": 20.0, "Y": None}, {"X": 42.5, "Y": None, TOTAL: 43.2}))},
        personal,
        avg,
        2025,
    )
    leaky.reports[None].figures["antal_basar"][TOTAL] = 23.0
    leaky.reports[None].figures["antal_anstallda"][TOTAL]["2025"] = 23.0
    found = {leak.route for attack in ROUTES for leak in attack(leaky)}
    assert {"totalt − synliga", "medelålder × antal"} <= found
    shown = Batch({None: Report("a", None, fig({"X": 20.0, "Y": 3.0}, {}))}, personal, avg, 2025)
    assert "synlig" in {leak.route for attack in ROUTES for leak in attack(shown)}
