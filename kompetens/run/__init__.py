"""Running reports: Papermill per params file, the HTML export, fingerprints for
incremental runs, the batch (processes or a Dask cluster), the index page and the CLI.

Owns: every write to the outputs folder. May import every other layer.
"""
