"""kompetens: a reproducible personal- och kompetensförsörjningsplan for Swedish municipalities.

The public front door. An analyst's session needs only these names:

    import kompetens as kp
    plan = kp.prepare(forvaltning="Äldreomsorg")   # checked params + validated inputs
    figures = kp.key_figures(plan)                # the run's nyckeltal
    print(kp.summary_text(figures))               # the generated Swedish summary
"""

from kompetens.models.absence import AbsenceTrend, fit_absence_trend
from kompetens.errors import InputError, KompetensError, Problem, ReportError
from kompetens.io.fingerprint import VERSION, demo_dir
from kompetens.io.load import Inputs, load_inputs, select_forvaltning
from kompetens.report.narrative import summary as summary_text
from kompetens.plan.key_figures import key_figures, read_key_figures, write_key_figures
from kompetens.io.params import DEFAULTS, check_params, load_params
from kompetens.plan.prepare import Plan, prepare
from kompetens.privacy.suppression import suppress, suppression_mask
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
from kompetens.plan.staffplan import StaffPlan, staff_plan
from kompetens.io.validate import validate_table

__version__ = VERSION

__all__ = [
    "AbsenceTrend", "DEFAULTS", "FlowRates", "fit_absence_trend", "retention", "InputError", "Inputs", "KompetensError", "Plan", "Problem", "Projection",
    "ReportError", "Retention", "StaffPlan", "employment_spells", "estimate_rates", "project", "staff_plan",
    "check_params", "demo_dir", "headcount_by_year", "key_figures", "load_inputs", "load_params",
    "prepare", "read_key_figures", "select_forvaltning", "sick_leave_by_year", "staff_by_group_age",
    "staff_summary", "summary_text", "suppress", "suppression_mask", "validate_table", "write_key_figures",
]
