"""The fictional "Demo kommun": a seeded generator and its true parameters (`truth`)."""

from kompetens.demo.generate import build_tables, write_demo

__all__ = ["build_tables", "write_demo"]
