"""A prepared report: its checked parameters and the inputs it covers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from kompetens.io.fingerprint import demo_dir
from kompetens.io.kolada import select_kommun
from kompetens.io.load import Inputs, load_inputs, select_forvaltning
from kompetens.io.params import check_params


def _param(key: str, doc: str) -> property:
    """A read-only attribute that is the checked params' value of key."""
    return property(lambda plan: plan.params[key], doc=doc)


@dataclass(frozen=True)
class Plan:
    """Everything a report section needs: parameters with basår/slutår resolved, and the
    validated inputs of the board or department."""

    params: dict
    inputs: Inputs  # the board's or department's inputs
    board: Inputs  # the whole board's inputs: rates are estimated from all of its history
    # results that depend only on the inputs and the keys they are stored under (estimated
    # rates, their layout, demand indices); dataclasses.replace passes the same dict on, so a
    # plan with other levers or drivers reuses them
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    basar = _param("basar", "the plan's base year (the last snapshot's, unless set)")
    slutar = _param("slutar", "the plan's end year")
    k = _param("k_anonymitet", "the smallest number of persons a published figure may be about")
    sprak = _param("sprak", "the report's language, sv or en")

    @property
    def utkatalog(self) -> Path:
        return Path(self.params["utkatalog"])

    @property
    def observationsstart(self) -> pd.Timestamp:
        """1 January of the first snapshot year: where the register's history begins."""
        return pd.Timestamp(f"{min(self.inputs.snapshot_years)}-01-01")

    @property
    def data_dir(self) -> Path:
        """The data folder the inputs, the activity plan and the board's texts come from."""
        return Path(self.params["data_dir"]) if self.params["data_dir"] else demo_dir()

    @cached_property
    def texts(self) -> dict[str, str]:
        """The board's own words {section: Markdown} (inledning, utmaningar, uppfoljning)."""
        from kompetens.io.texts import load_texts

        return load_texts(self.data_dir, self.params["slug"], self.params["texter"])

    @cached_property
    def activities(self) -> pd.DataFrame | None:
        """The activity plan with late activities marked försenad, or None without one."""
        import datetime as dt

        from kompetens.io import activities

        path = self.data_dir / activities.FILENAME
        if not path.exists():
            return None
        areas = self.params["omraden"] or activities.STRATEGIES["skr2018"]
        return activities.with_delays(activities.load_activities(path, areas), dt.date.today())

    # Derived tables several report sections share, computed once per plan.

    @cached_property
    def board_spells(self) -> pd.DataFrame:
        """Employment spells of the whole board's register, made once per plan: the rates
        of the projection and of its backtest and the report's own spells all start here.
        Shared through memo with the plans made from this one (other levers or settings)."""
        from kompetens.models.spells import employment_spells

        key = ("spells", id(self.board))
        if key not in self.memo:  # the board is kept with them, so its id is not reused
            self.memo[key] = (self.board, employment_spells(self.board.personal, self.board.avgangar))
        return self.memo[key][1]

    @cached_property
    def spells(self) -> pd.DataFrame:
        """Employment spells from the board's register (a history can span departments),
        kept for the report's förvaltning."""
        spells = self.board_spells
        if self.params["forvaltning"]:
            spells = spells[spells["forvaltning"] == self.params["forvaltning"]]
        return spells

    @cached_property
    def retention(self):
        """Kaplan–Meier retention and Aalen–Johansen exit causes of all employments."""
        from kompetens.models.retention import retention

        return retention(self.spells, observationsstart=self.observationsstart)

    @cached_property
    def retention_by_group(self):
        """Retention per yrkesgrupp with at least k employments, less complements: the groups
        left out must hold k employments together (the total of all is shown)."""
        from kompetens.models.retention import retention
        from kompetens.privacy.suppression import hidden_groups

        counts = self.spells["yrkesgrupp"].value_counts()
        spells = self.spells[~self.spells["yrkesgrupp"].isin(list(hidden_groups(counts, self.k)))]
        return retention(spells, by="yrkesgrupp", observationsstart=self.observationsstart)

    @cached_property
    def masks(self):
        """The cells this report hides, decided with every other report of the board from the
        board's register (kompetens.privacy.disclosure)."""
        from kompetens.privacy.disclosure import batch_masks

        masks = batch_masks(self.board.personal, self.board.avgangar, self.basar, self.k)
        return masks[self.params["forvaltning"]]

    @cached_property
    def staff_plan(self):
        """The baseline projection with its economics and backtest (kompetens.staff_plan)."""
        from kompetens.plan.staffplan import staff_plan

        return staff_plan(self)

    @cached_property
    def absence_trend(self):
        """The sick-leave trend model, or None when the data has fewer than 24 months."""
        from kompetens.plan.key_figures import absence_trend

        return absence_trend(self)

    @cached_property
    def sensitivity(self) -> list[dict]:
        """The sensitivity ranking of the assumption register (kompetens.plan.sensitivity)."""
        from kompetens.plan.sensitivity import sensitivity

        return sensitivity(self)

    @cached_property
    def key_figures(self) -> dict:
        """The run's key figures (nyckeltal.json), computed once per plan."""
        from kompetens.plan.key_figures import key_figures

        return key_figures(self, self.staff_plan, self.absence_trend)


def scratch_dir(slug: str) -> Path:
    """Where a notebook run without a runner (JupyterLab, nbconvert) writes its key figures
    and Excel file: a scratch folder outside outputs/, so published reports are only ever
    written by the runner, which passes utkatalog."""
    import tempfile

    return Path(tempfile.gettempdir()) / "kompetens-skiss" / slug


def prepare(inputs: Inputs | None = None, **params) -> Plan:
    """Check params, load and validate the inputs (unless given), and cut them to the
    report's förvaltning. basar defaults to the last snapshot year, slutar to basar + 5."""
    p = check_params(params)
    board = inputs if inputs is not None else load_inputs(p["data_dir"])
    if board.kolada is not None:  # the municipality's own Kolada rows (and the country's)
        fil = board.sources.get("kolada", {}).get("fil", "kolada.json")
        board = replace(board, kolada=select_kommun(board.kolada, p["kommunkod"], fil))
    inputs = select_forvaltning(board, p["forvaltning"])
    basar = p["basar"] if p["basar"] is not None else max(inputs.snapshot_years)
    slutar = p["slutar"] if p["slutar"] is not None else basar + 5
    utkatalog = p["utkatalog"] or str(scratch_dir(p["slug"]))
    resolved = check_params({**p, "basar": basar, "slutar": slutar, "utkatalog": utkatalog})
    plan = Plan(params=resolved, inputs=inputs, board=board)
    _ = plan.texts  # a text named in params that does not exist is bad input: found before any output
    return plan
