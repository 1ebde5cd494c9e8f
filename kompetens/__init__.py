"""kompetens: a reproducible personal- och kompetensförsörjningsplan for Swedish municipalities.

The public front door. An analyst's session needs only these names:

    import kompetens as kp
    plan = kp.prepare(forvaltning="Äldreomsorg")   # checked params + validated inputs
    figures = kp.key_figures(plan)                # the run's nyckeltal
    print(kp.summary_text(figures))               # the generated Swedish summary

Each name is imported on first use (PEP 562), so that `import kompetens` and the runner
(`kompetens run`, which never draws a figure or fits a model) do not load pandas, seaborn,
scipy or statsmodels until something asks for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kompetens.io.fingerprint import VERSION

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from kompetens.errors import InputError, KompetensError, Problem, ReportError
    from kompetens.io.fingerprint import VERSION, demo_dir
    from kompetens.io.kolada import read_kolada
    from kompetens.io.load import Inputs, load_inputs, select_forvaltning
    from kompetens.io.params import DEFAULTS, Params, check_params, load_params, params_from
    from kompetens.io.population import read_population
    from kompetens.io.validate import validate_table
    from kompetens.models.absence import AbsenceTrend, fit_absence_trend
    from kompetens.models.projection import Projection, project
    from kompetens.models.rates import FlowRates, estimate_rates
    from kompetens.models.retention import Retention, retention
    from kompetens.models.spells import employment_spells
    from kompetens.models.staff import (
        headcount_by_year,
        sick_leave_by_year,
        staff_by_group_age,
        staff_summary,
    )
    from kompetens.plan.key_figures import key_figures, read_key_figures, write_key_figures
    from kompetens.plan.prepare import Plan, prepare
    from kompetens.plan.robustness import Robustness, robustness
    from kompetens.plan.staffplan import StaffPlan, staff_plan
    from kompetens.privacy.suppression import suppress, suppression_mask
    from kompetens.report.narrative import summary as summary_text

__version__ = VERSION

#: Public name → (module, name in that module), imported when first asked for.
_LAZY = {
    "InputError": ("kompetens.errors", "InputError"),
    "KompetensError": ("kompetens.errors", "KompetensError"),
    "Problem": ("kompetens.errors", "Problem"),
    "ReportError": ("kompetens.errors", "ReportError"),
    "demo_dir": ("kompetens.io.fingerprint", "demo_dir"),
    "read_kolada": ("kompetens.io.kolada", "read_kolada"),
    "Inputs": ("kompetens.io.load", "Inputs"),
    "load_inputs": ("kompetens.io.load", "load_inputs"),
    "select_forvaltning": ("kompetens.io.load", "select_forvaltning"),
    "DEFAULTS": ("kompetens.io.params", "DEFAULTS"),
    "Params": ("kompetens.io.params", "Params"),
    "check_params": ("kompetens.io.params", "check_params"),
    "load_params": ("kompetens.io.params", "load_params"),
    "params_from": ("kompetens.io.params", "params_from"),
    "read_population": ("kompetens.io.population", "read_population"),
    "validate_table": ("kompetens.io.validate", "validate_table"),
    "AbsenceTrend": ("kompetens.models.absence", "AbsenceTrend"),
    "fit_absence_trend": ("kompetens.models.absence", "fit_absence_trend"),
    "Projection": ("kompetens.models.projection", "Projection"),
    "project": ("kompetens.models.projection", "project"),
    "FlowRates": ("kompetens.models.rates", "FlowRates"),
    "estimate_rates": ("kompetens.models.rates", "estimate_rates"),
    "Retention": ("kompetens.models.retention", "Retention"),
    "retention": ("kompetens.models.retention", "retention"),
    "employment_spells": ("kompetens.models.spells", "employment_spells"),
    "headcount_by_year": ("kompetens.models.staff", "headcount_by_year"),
    "sick_leave_by_year": ("kompetens.models.staff", "sick_leave_by_year"),
    "staff_by_group_age": ("kompetens.models.staff", "staff_by_group_age"),
    "staff_summary": ("kompetens.models.staff", "staff_summary"),
    "key_figures": ("kompetens.plan.key_figures", "key_figures"),
    "read_key_figures": ("kompetens.plan.key_figures", "read_key_figures"),
    "write_key_figures": ("kompetens.plan.key_figures", "write_key_figures"),
    "Plan": ("kompetens.plan.prepare", "Plan"),
    "prepare": ("kompetens.plan.prepare", "prepare"),
    "Robustness": ("kompetens.plan.robustness", "Robustness"),
    "robustness": ("kompetens.plan.robustness", "robustness"),
    "StaffPlan": ("kompetens.plan.staffplan", "StaffPlan"),
    "staff_plan": ("kompetens.plan.staffplan", "staff_plan"),
    "suppress": ("kompetens.privacy.suppression", "suppress"),
    "suppression_mask": ("kompetens.privacy.suppression", "suppression_mask"),
    "summary_text": ("kompetens.report.narrative", "summary"),
}


def __getattr__(name: str):
    """A public name on first use (then cached in the module), or a subpackage such as
    `kompetens.report`."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_SUBPACKAGES = ("assumptions", "demo", "errors", "io", "models", "plan", "privacy", "report", "run", "vocabulary")


def explore(plan: Plan):
    """The interactive explorer of a prepared plan (ipywidgets; kompetens.report.explore)."""
    from kompetens.report.explore import explore as _explore

    return _explore(plan)


__all__ = [
    "DEFAULTS",
    "AbsenceTrend",
    "FlowRates",
    "InputError",
    "Inputs",
    "KompetensError",
    "Params",
    "Plan",
    "Problem",
    "Projection",
    "ReportError",
    "Retention",
    "Robustness",
    "StaffPlan",
    "check_params",
    "demo_dir",
    "employment_spells",
    "estimate_rates",
    "explore",
    "fit_absence_trend",
    "headcount_by_year",
    "key_figures",
    "load_inputs",
    "load_params",
    "params_from",
    "prepare",
    "project",
    "read_key_figures",
    "read_kolada",
    "read_population",
    "retention",
    "robustness",
    "select_forvaltning",
    "sick_leave_by_year",
    "staff_by_group_age",
    "staff_plan",
    "staff_summary",
    "summary_text",
    "suppress",
    "suppression_mask",
    "validate_table",
    "write_key_figures",
]
