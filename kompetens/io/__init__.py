"""Inputs: reading files, the data contracts, validation, parameters and public formats.

Owns: every read of a user's file (tables, population forecasts in `population`, Kolada
answers in `kolada`, payroll snapshots through `importer`, the activity plan, params files),
the pandera contracts, the input cache and file hashes.
Everything it returns is validated; every problem is an `InputError` naming file, row and
column. May import: `kompetens.errors`, `kompetens.vocabulary`, `kompetens.privacy`.
"""
