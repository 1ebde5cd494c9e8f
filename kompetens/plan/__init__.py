"""One report's plan: checked parameters and validated inputs (`prepare`), the projection
with its economics and backtest (`staff_plan`), the levers against the baseline, and the
run's key figures.

Owns: where the pure models meet one board's or department's data. May import:
`kompetens.io`, `kompetens.models`, `kompetens.privacy` and the base modules.
"""

from kompetens.plan.prepare import Plan, prepare

__all__ = ["Plan", "prepare"]
