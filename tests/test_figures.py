"""The report's figures as the HTML carries them: PNGs drawn once, the same bytes as
matplotlib's own savefig at the report's resolution."""

from __future__ import annotations

import io
import pickle
import struct

import pytest
from IPython.display import Image

import kompetens
from kompetens import report
from kompetens.report import common

SECTIONS = [name for name in report.__all__ if name.endswith(("_figure", "_heatmap"))]


@pytest.fixture(scope="module")
def plan(demo):
    return kompetens.prepare(inputs=demo, forvaltning="Äldreomsorg")


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("section", SECTIONS)
def test_each_figure_is_the_png_savefig_writes(plan, section, monkeypatch):
    """A copy of each figure, made before it is drawn, saved by Figure.savefig at 110 dpi
    (which lays a constrained figure out in a draw of its own) gives the very bytes the
    report embeds, at figsize × 110 pixels."""
    copies = []

    def keep_a_copy(fig):
        copies.append(pickle.loads(pickle.dumps(fig)))
        return common.as_image(fig)

    module = getattr(report, section).__module__
    monkeypatch.setattr(f"{module}.as_image", keep_a_copy)
    shown = getattr(report, section)(plan)
    if not copies:  # a section with nothing to draw for this department says so in text
        assert not isinstance(shown, Image)
        return
    (copy,) = copies
    width, height = copy.get_size_inches()
    buf = io.BytesIO()
    copy.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    assert shown.data == buf.getvalue()
    assert _size(shown.data) == (round(width * 110), round(height * 110))
    assert shown.alt and shown.alt == ". ".join(t for t in [ax.get_title() for ax in copy.axes] if t)


def test_the_department_report_draws_its_figures(plan):
    """Every figure of the department's report has something to draw (so the test above
    compares images, not texts)."""
    drawn = [name for name in SECTIONS if isinstance(getattr(report, name)(plan), Image)]
    assert set(SECTIONS) - set(drawn) <= {"scenario_figure"}
    assert len(drawn) >= 12
