"""Models: pure functions of DataFrames and parameters, deterministic for a seed.

Owns: spells and exposure, flow rates, demand, the cohort projection with its Monte Carlo,
scenario levers, economics, turnover and retention, the sick-leave trend, competence and
the descriptive staff tables. No file is read or written here. May import:
`kompetens.errors`, `kompetens.vocabulary`, `kompetens.privacy` (suppression of the counts a
table publishes); never `kompetens.io`, `kompetens.plan`, `kompetens.report` or `kompetens.run`.
"""
