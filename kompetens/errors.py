"""The exceptions kompetens raises; the CLI maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class KompetensError(Exception):
    """Base class of every error kompetens raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One violation in an input: where it is and what is wrong."""

    file: str
    row: int | None  # the row number as the user sees it in Excel (header = row 1)
    column: str | None
    rule: str
    value: object = None
    where: str = "kolumn"  # what `column` names: a table's column, or a params file's key path

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", rad {self.row}"
        if self.column is not None:
            where += f", {self.where} {self.column!r}"
        value = "" if self.value is None else f" (värde: {self.value!r})"
        return f"{where}: {self.rule}{value}"


class InputError(KompetensError):
    """Bad input (data or parameters): lists every problem found. CLI exit status 2."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="", row=None, column=None, rule=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__(self.summary())

    def summary(self, limit: int = 20) -> str:
        lines = [str(p).lstrip(": ") for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... och {len(self.problems) - limit} fel till")
        head = f"{len(self.problems)} fel i indata:" if len(self.problems) > 1 else "Fel i indata:"
        return "\n".join([head, *("  " + line for line in lines)])


class ReportError(KompetensError):
    """A report failed to run or render. CLI exit status 1."""
