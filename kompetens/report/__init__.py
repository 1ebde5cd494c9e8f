"""The report's sections as displayable objects: one call per notebook cell.

Every function takes the prepared Plan first and returns Markdown, a styled table or an
image, labelled in the report's language; the key figures and the sick-leave trend live on
the plan and are computed once. The sections live in
their own modules; the notebook reaches them all as ``report.<name>``.

Owns: everything a reader sees: number formats, figures, the generated text and its
templates, tables in the report's language, the Excel workbook. May import
`kompetens.plan`, `kompetens.models`, `kompetens.io`, `kompetens.privacy` and the base modules.
"""

from kompetens.report.assumptions import assumptions_table, sensitivity_figure
from kompetens.report.common import (
    as_image,
    excel_tables,
    heading,
    provenance,
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
    recruitment_figure,
    recruitment_table,
    staff_by_group_age_figure,
    staff_by_group_age_table,
    staff_summary_table,
)

__all__ = [
    "absence_age_band_figure",
    "absence_heatmap",
    "absence_monthly_figure",
    "absence_table",
    "absence_text",
    "activity_table",
    "agency_figure",
    "as_image",
    "assumptions_table",
    "backtest_table",
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
    "provenance",
    "qualification_path_table",
    "qualification_table",
    "recruitment_figure",
    "recruitment_table",
    "retention_figure",
    "retention_table",
    "retirement_table",
    "robustness_figure",
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
