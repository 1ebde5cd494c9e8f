"""The fictional "Demo kommun": a seeded generator and its true parameters (`truth`).

Owns: data/demo/. May import `kompetens.models.demand` (the demand index it staffs to) and
the base modules; the truth it draws from is its own.
"""

from kompetens.demo.generate import build_tables, write_demo

__all__ = ["build_tables", "write_demo"]
