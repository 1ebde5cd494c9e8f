"""Figures of the report (seaborn), apart from the models. Each returns a Figure.

Figures are built on matplotlib.figure.Figure, not pyplot, so a notebook shows each
once and nothing global is left behind. Hidden (suppressed) values are NaN and are
not drawn.
"""

from __future__ import annotations

from contextlib import contextmanager

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from kompetens.staff import TOTAL

PALETTE = "colorblind"

LABELS = {
    "sv": {"antal": "Antal anställda", "ar": "År", "aldersband": "Ålder", "yrkesgrupp": "Yrkesgrupp",
           "staff_age": "Anställda per yrkesgrupp och ålder {ar}", "history": "Antal anställda per år",
           "sick": "Sjukfrånvaro per år", "sick_share": "Sjukfrånvaro (andel av schemalagd tid)"},
    "en": {"antal": "Employees", "ar": "Year", "aldersband": "Age", "yrkesgrupp": "Occupational group",
           "staff_age": "Employees by occupational group and age, {ar}", "history": "Employees per year",
           "sick": "Sick leave per year", "sick_share": "Sick leave (share of scheduled hours)"},
}


@contextmanager
def _style():
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        yield


def staff_by_group_age(counts: pd.DataFrame, ar: int, sprak: str = "sv") -> Figure:
    """Horizontal bars of persons per yrkesgrupp, one bar per age band."""
    t = LABELS[sprak]
    with _style():
        fig = Figure(figsize=(8, 4.8), layout="constrained")
        ax = fig.subplots()
        sns.barplot(data=counts, y="yrkesgrupp", x="antal", hue="aldersband", palette=PALETTE, ax=ax)
        ax.set(title=t["staff_age"].format(ar=ar), xlabel=t["antal"], ylabel="")
        ax.legend(title=t["aldersband"], bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


def headcount_history(headcount: pd.DataFrame, sprak: str = "sv") -> Figure:
    """Lines of persons per yrkesgrupp and snapshot year."""
    t = LABELS[sprak]
    long = (headcount.drop(index=TOTAL).rename_axis(index="yrkesgrupp", columns="ar")
            .stack(future_stack=True).rename("antal").reset_index())
    with _style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        sns.lineplot(data=long, x="ar", y="antal", hue="yrkesgrupp", marker="o", palette=PALETTE, ax=ax)
        ax.set(title=t["history"], xlabel=t["ar"], ylabel=t["antal"])
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(title=t["yrkesgrupp"], fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


def sick_leave_history(share: pd.Series, sprak: str = "sv") -> Figure:
    """Bars of the yearly sick-leave share, in percent."""
    t = LABELS[sprak]
    with _style():
        fig = Figure(figsize=(7, 3.6), layout="constrained")
        ax = fig.subplots()
        sns.barplot(x=share.index.astype(str), y=100 * share.to_numpy(), color=sns.color_palette(PALETTE)[0], ax=ax)
        ax.set(title=t["sick"], xlabel=t["ar"], ylabel=t["sick_share"] + " (%)")
    return fig
