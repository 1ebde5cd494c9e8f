"""The report's sections as displayable objects: one call per notebook cell.

Every function takes the prepared Plan first and returns Markdown, a styled table or an
image, labelled in the report's language; the key figures and the sick-leave trend live on
the plan and are computed once. The sections live in
their own modules; the notebook reaches them all as ``report.<name>``.
Each is imported on first use (PEP 562): the runner imports `report.pdf` and the
narrative's templates without loading seaborn, scipy or statsmodels.

Owns: everything a reader sees: number formats, figures, the generated text and its
templates, tables in the report's language, the Excel workbook. May import
`kompetens.plan`, `kompetens.models`, `kompetens.io`, `kompetens.privacy` and the base modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from kompetens.report.assumptions import assumptions_table, sensitivity_figure
    from kompetens.report.common import (
        as_image,
        board_text,
        excel_tables,
        heading,
        provenance,
        reading_guide,
        save_key_figures,
        summary,
        table_of_contents,
        title,
    )
    from kompetens.report.exits import (
        exit_causes_table,
        leavers_table,
        retention_figure,
        retention_table,
        retirement_table,
        turnover_table,
        turnover_text,
    )
    from kompetens.report.sickleave import (
        absence_age_band_figure,
        absence_heatmap,
        absence_monthly_figure,
        absence_table,
        absence_text,
        flagged_table,
        kolada_table,
        sick_leave_figure,
    )
    from kompetens.report.skills import (
        activity_plan_table,
        activity_table,
        agency_figure,
        competence_text,
        education_table,
        late_activities,
        managers_by_sex_age,
        managers_table,
        qualification_path_table,
        qualification_table,
        robustness_figure,
        robustness_ranges,
        robustness_table,
        robustness_text,
        scenario_figure,
        scenario_table,
        scenario_text,
    )
    from kompetens.report.staffing import (
        backtest_table,
        components_table,
        costs_table,
        economics_table,
        economics_text,
        exits_table,
        headcount_figure,
        headcount_table,
        need_figure,
        need_table,
        population_figure,
        population_table,
        recruitment_figure,
        recruitment_table,
        staff_by_group_age_figure,
        staff_by_group_age_table,
        staff_summary_table,
    )

#: Section function → the module that defines it, imported when first asked for.
_LAZY = {
    "absence_age_band_figure": "kompetens.report.sickleave",
    "absence_heatmap": "kompetens.report.sickleave",
    "absence_monthly_figure": "kompetens.report.sickleave",
    "absence_table": "kompetens.report.sickleave",
    "absence_text": "kompetens.report.sickleave",
    "activity_plan_table": "kompetens.report.skills",
    "activity_table": "kompetens.report.skills",
    "agency_figure": "kompetens.report.skills",
    "as_image": "kompetens.report.common",
    "assumptions_table": "kompetens.report.assumptions",
    "backtest_table": "kompetens.report.staffing",
    "board_text": "kompetens.report.common",
    "competence_text": "kompetens.report.skills",
    "components_table": "kompetens.report.staffing",
    "costs_table": "kompetens.report.staffing",
    "economics_table": "kompetens.report.staffing",
    "economics_text": "kompetens.report.staffing",
    "education_table": "kompetens.report.skills",
    "excel_tables": "kompetens.report.common",
    "exit_causes_table": "kompetens.report.exits",
    "exits_table": "kompetens.report.staffing",
    "flagged_table": "kompetens.report.sickleave",
    "headcount_figure": "kompetens.report.staffing",
    "headcount_table": "kompetens.report.staffing",
    "heading": "kompetens.report.common",
    "kolada_table": "kompetens.report.sickleave",
    "late_activities": "kompetens.report.skills",
    "leavers_table": "kompetens.report.exits",
    "managers_by_sex_age": "kompetens.report.skills",
    "managers_table": "kompetens.report.skills",
    "need_figure": "kompetens.report.staffing",
    "need_table": "kompetens.report.staffing",
    "population_figure": "kompetens.report.staffing",
    "population_table": "kompetens.report.staffing",
    "provenance": "kompetens.report.common",
    "qualification_path_table": "kompetens.report.skills",
    "qualification_table": "kompetens.report.skills",
    "reading_guide": "kompetens.report.common",
    "recruitment_figure": "kompetens.report.staffing",
    "recruitment_table": "kompetens.report.staffing",
    "retention_figure": "kompetens.report.exits",
    "retention_table": "kompetens.report.exits",
    "retirement_table": "kompetens.report.exits",
    "robustness_figure": "kompetens.report.skills",
    "robustness_ranges": "kompetens.report.skills",
    "robustness_table": "kompetens.report.skills",
    "robustness_text": "kompetens.report.skills",
    "save_key_figures": "kompetens.report.common",
    "scenario_figure": "kompetens.report.skills",
    "scenario_table": "kompetens.report.skills",
    "scenario_text": "kompetens.report.skills",
    "sensitivity_figure": "kompetens.report.assumptions",
    "sick_leave_figure": "kompetens.report.sickleave",
    "staff_by_group_age_figure": "kompetens.report.staffing",
    "staff_by_group_age_table": "kompetens.report.staffing",
    "staff_summary_table": "kompetens.report.staffing",
    "summary": "kompetens.report.common",
    "table_of_contents": "kompetens.report.common",
    "title": "kompetens.report.common",
    "turnover_table": "kompetens.report.exits",
    "turnover_text": "kompetens.report.exits",
}


def __getattr__(name: str):
    """A section function on first use (then cached in the package)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "absence_age_band_figure",
    "absence_heatmap",
    "absence_monthly_figure",
    "absence_table",
    "absence_text",
    "activity_plan_table",
    "activity_table",
    "agency_figure",
    "as_image",
    "assumptions_table",
    "backtest_table",
    "board_text",
    "competence_text",
    "components_table",
    "costs_table",
    "economics_table",
    "economics_text",
    "education_table",
    "excel_tables",
    "exit_causes_table",
    "exits_table",
    "flagged_table",
    "headcount_figure",
    "headcount_table",
    "heading",
    "kolada_table",
    "late_activities",
    "leavers_table",
    "managers_by_sex_age",
    "managers_table",
    "need_figure",
    "need_table",
    "population_figure",
    "population_table",
    "provenance",
    "qualification_path_table",
    "qualification_table",
    "reading_guide",
    "recruitment_figure",
    "recruitment_table",
    "retention_figure",
    "retention_table",
    "retirement_table",
    "robustness_figure",
    "robustness_ranges",
    "robustness_table",
    "robustness_text",
    "save_key_figures",
    "scenario_figure",
    "scenario_table",
    "scenario_text",
    "sensitivity_figure",
    "sick_leave_figure",
    "staff_by_group_age_figure",
    "staff_by_group_age_table",
    "staff_summary_table",
    "summary",
    "table_of_contents",
    "title",
    "turnover_table",
    "turnover_text",
]
