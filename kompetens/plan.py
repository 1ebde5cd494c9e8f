"""A prepared report: its checked parameters and the inputs it covers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kompetens.load import PACKAGE_ROOT, Inputs, load_inputs, select_forvaltning
from kompetens.params import check_params


@dataclass(frozen=True)
class Plan:
    """Everything a report section needs: parameters with basår/slutår resolved, and the
    validated inputs of the board or department."""

    params: dict
    inputs: Inputs  # the board's or department's inputs
    board: Inputs  # the whole board's inputs: rates are estimated from all of its history

    @property
    def basar(self) -> int:
        return self.params["basar"]

    @property
    def slutar(self) -> int:
        return self.params["slutar"]

    @property
    def k(self) -> int:
        return self.params["k_anonymitet"]

    @property
    def sprak(self) -> str:
        return self.params["sprak"]

    @property
    def utkatalog(self) -> Path:
        return Path(self.params["utkatalog"])


def prepare(inputs: Inputs | None = None, **params) -> Plan:
    """Check params, load and validate the inputs (unless given), and cut them to the
    report's förvaltning. basar defaults to the last snapshot year, slutar to basar + 5."""
    p = check_params(params)
    board = inputs if inputs is not None else load_inputs(p["data_dir"])
    inputs = select_forvaltning(board, p["forvaltning"])
    basar = p["basar"] if p["basar"] is not None else max(inputs.snapshot_years)
    slutar = p["slutar"] if p["slutar"] is not None else basar + 5
    utkatalog = p["utkatalog"] or str(PACKAGE_ROOT / "outputs" / p["slug"])
    resolved = check_params({**p, "basar": basar, "slutar": slutar, "utkatalog": utkatalog})
    return Plan(params=resolved, inputs=inputs, board=board)
