"""kompetens: a reproducible personal- och kompetensförsörjningsplan for Swedish municipalities.

The public front door. An analyst's session needs only these names:

    import kompetens as kp
    plan = kp.prepare(forvaltning="Äldreomsorg")   # checked params + validated inputs
    figures = kp.key_figures(plan)                # the run's nyckeltal
    print(kp.summary_text(figures))               # the generated Swedish summary
"""

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
