"""Figures of the report (seaborn), apart from the models. Each returns a Figure.

Figures are built on matplotlib.figure.Figure, not pyplot, so a notebook shows each
once and nothing global is left behind. Hidden (suppressed) values are NaN and are
not drawn.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kompetens.vocabulary import TOTAL

PALETTE = "colorblind"

LABELS = {
    "sv": {
        "antal": "Antal anställda",
        "ar": "År",
        "aldersband": "Ålder",
        "yrkesgrupp": "Yrkesgrupp",
        "staff_age": "Anställda per yrkesgrupp och ålder {ar}",
        "history": "Antal anställda per år",
        "sick": "Sjukfrånvaro per år",
        "sick_share": "Sjukfrånvaro (andel av schemalagd tid)",
    },
    "en": {
        "antal": "Employees",
        "ar": "Year",
        "aldersband": "Age",
        "yrkesgrupp": "Occupational group",
        "staff_age": "Employees by occupational group and age, {ar}",
        "history": "Employees per year",
        "sick": "Sick leave per year",
        "sick_share": "Sick leave (share of scheduled hours)",
    },
}


#: Every text of a figure is shown as written: a name from the data with `$…$` is never
#: read as matplotlib mathtext (which fails on unknown commands such as `$\\foo$`).
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


@contextmanager
def plain_text():
    """Texts made inside (titles, labels, legends, and tick labels made while drawing) are
    plain text, never mathtext or TeX."""
    with mpl.rc_context(PLAIN_TEXT):
        yield


@contextmanager
def _style():
    with plain_text(), sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
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


def lines_by_group(
    table: pd.DataFrame, title: str, ylabel: str, sprak: str = "sv", legend: str | None = None
) -> Figure:
    """Lines of a yrkesgrupp (rows) × year (columns) table; Totalt and hidden (NaN) cells left out."""
    t = LABELS[sprak]
    long = (
        table.drop(index=TOTAL, errors="ignore")
        .rename_axis(index="yrkesgrupp", columns="ar")
        .stack(future_stack=True)
        .rename("antal")
        .reset_index()
        .dropna()
    )
    with _style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        sns.lineplot(data=long, x="ar", y="antal", hue="yrkesgrupp", marker="o", palette=PALETTE, ax=ax)
        ax.set(title=title, xlabel=t["ar"], ylabel=ylabel)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(title=legend or t["yrkesgrupp"], fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


def headcount_history(headcount: pd.DataFrame, sprak: str = "sv") -> Figure:
    """Persons per yrkesgrupp and snapshot year."""
    return lines_by_group(headcount, LABELS[sprak]["history"], LABELS[sprak]["antal"], sprak)


def sick_leave_history(share: pd.Series, sprak: str = "sv") -> Figure:
    """Bars of the yearly sick-leave share, in percent."""
    t = LABELS[sprak]
    with _style():
        fig = Figure(figsize=(7, 3.6), layout="constrained")
        ax = fig.subplots()
        sns.barplot(x=share.index.astype(str), y=100 * share.to_numpy(), color=sns.color_palette(PALETTE)[0], ax=ax)
        ax.set(title=t["sick"], xlabel=t["ar"], ylabel=t["sick_share"] + " (%)")
    return fig


LABELS["sv"].update(
    {
        "need": "Personalbehov per yrkesgrupp",
        "recruit": "Rekryteringsbehov per år",
        "persons": "Personer",
        "band": "10:e–90:e percentilen",
        "expected": "Rekryteringsbehov",
        "pension": "Pensionsavgångar",
        "other": "Övriga avgångar",
        "growth": "Ökat behov",
    }
)
LABELS["en"].update(
    {
        "need": "Staff need per occupational group",
        "recruit": "Recruitment need per year",
        "persons": "Persons",
        "band": "10th–90th percentile",
        "expected": "Recruitment need",
        "pension": "Retirements",
        "other": "Other exits",
        "growth": "Increased need",
    }
)


def need_by_group(need: pd.DataFrame, sprak: str = "sv") -> Figure:
    """Personalbehov per yrkesgrupp and year."""
    return lines_by_group(need, LABELS[sprak]["need"], LABELS[sprak]["persons"], sprak)


def recruitment_need(components: pd.DataFrame, band: pd.DataFrame | None, sprak: str = "sv") -> Figure:
    """Stacked bars of the recruitment need's parts per year (rows pension, other, growth),
    with the simulated 10th–90th percentile band of the total when there is one."""
    t = LABELS[sprak]
    colors = sns.color_palette(PALETTE)
    years = [str(y) for y in components.columns]
    with _style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        bottom = pd.Series(0.0, index=components.columns)
        for i, (key, label) in enumerate((("pension", t["pension"]), ("other", t["other"]), ("growth", t["growth"]))):
            if key in components.index:
                values = components.loc[key].fillna(0.0)
                ax.bar(years, values.to_numpy(), bottom=bottom.to_numpy(), color=colors[i], label=label)
                bottom = bottom + values
        if band is not None:
            ax.fill_between(
                years,
                band.loc["p10"].to_numpy(),
                band.loc["p90"].to_numpy(),
                color="0.2",
                alpha=0.18,
                step=None,
                label=t["band"],
            )
            ax.plot(years, band.loc["p50"].to_numpy(), color="0.2", marker="o", lw=1, label=t["expected"] + " (median)")
        ax.set(title=t["recruit"], xlabel=t["ar"], ylabel=t["persons"])
        ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


LABELS["sv"].update(
    {"retention": "Andel som är kvar i anställningen", "tenure_years": "År sedan anställning", "share": "Andel kvar"}
)
LABELS["en"].update(
    {"retention": "Share still employed", "tenure_years": "Years since hire", "share": "Share still employed"}
)


def retention_curves(survival: pd.DataFrame, sprak: str = "sv", max_years: float = 10.0) -> Figure:
    """Kaplan–Meier curves per group (columns grupp, ar, andel_kvar, ki_lag, ki_hog)."""
    t = LABELS[sprak]
    data = survival[survival["ar"] <= max_years]
    with _style():
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        ax = fig.subplots()
        colors = sns.color_palette(PALETTE, n_colors=max(data["grupp"].nunique(), 1))
        for color, (group, curve) in zip(colors, data.groupby("grupp", sort=True)):
            ax.step(curve["ar"], 100 * curve["andel_kvar"], where="post", color=color, label=group)
            ax.fill_between(
                curve["ar"], 100 * curve["ki_lag"], 100 * curve["ki_hog"], step="post", color=color, alpha=0.12
            )
        ax.set(title=t["retention"], xlabel=t["tenure_years"], ylabel=t["share"] + " (%)", ylim=(0, 100))
        ax.legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


LABELS["sv"].update(
    {
        "monthly": "Sjukfrånvaro per månad",
        "observed": "Utfall",
        "model": "Modellens värde (trend och säsong)",
        "forecast": "Prognos: förväntat värde (95 % KI)",
        "prediction": "95 % prognosintervall för utfallet",
        "month": "Månad",
        "rolling": "Rullande 12 månader",
        "pp_year": "Procentenheter per år",
        "bands": "Förändring per år och åldersgrupp (95 % KI)",
        "heat": "Sjukfrånvaro (%) per enhet och månad",
        "unit": "Enhet",
    }
)
LABELS["en"].update(
    {
        "monthly": "Sick leave per month",
        "observed": "Observed",
        "model": "Model (trend and season)",
        "forecast": "Forecast: expected value (95% CI)",
        "prediction": "95% prediction interval for the outcome",
        "month": "Month",
        "rolling": "Rolling 12 months",
        "pp_year": "Percentage points per year",
        "bands": "Change per year by age group (95% CI)",
        "heat": "Sick leave (%) by unit and month",
        "unit": "Unit",
    }
)


def sick_leave_monthly(
    observed: pd.Series,
    fitted: pd.DataFrame,
    forecast: pd.DataFrame,
    sprak: str = "sv",
    rolling: pd.Series | None = None,
) -> Figure:
    """The observed monthly share, its rolling 12-month value, the model's expected share and
    the forecast with the band for the expected share and, lighter, the prediction interval
    for the share that will be observed."""
    t = LABELS[sprak]
    colors = sns.color_palette(PALETTE)
    x_obs = pd.PeriodIndex(observed.index, freq="M").to_timestamp()
    with _style():
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax = fig.subplots()
        ax.plot(x_obs, 100 * observed.to_numpy(), color=colors[0], marker=".", lw=1, label=t["observed"])
        if rolling is not None:
            x_roll = pd.PeriodIndex(rolling.index, freq="M").to_timestamp()
            ax.plot(x_roll, 100 * rolling.to_numpy(), color=colors[4], lw=2, label=t["rolling"])
        x_fit = pd.PeriodIndex(fitted["manad"], freq="M").to_timestamp()
        ax.plot(x_fit, 100 * fitted["andel"], color=colors[1], lw=1.5, label=t["model"])
        x_fc = pd.PeriodIndex(forecast["manad"], freq="M").to_timestamp()
        ax.plot(x_fc, 100 * forecast["andel"], color=colors[2], lw=1.5, ls="--", label=t["forecast"])
        if "pi_lag" in forecast:
            ax.fill_between(
                x_fc,
                100 * forecast["pi_lag"],
                100 * forecast["pi_hog"],
                color=colors[2],
                alpha=0.12,
                label=t["prediction"],
            )
        ax.fill_between(x_fc, 100 * forecast["ki_lag"], 100 * forecast["ki_hog"], color=colors[2], alpha=0.3)
        ax.set(title=t["monthly"], xlabel=t["month"], ylabel=t["sick_share"] + " (%)")
        ax.legend(fontsize="small", loc="upper left")
    return fig


#: Age bands as every table and figure of the report writes them.
AGE_LABELS = {"≤29": "–29", "≥50": "50–"}


def age_band_trends(bands: pd.DataFrame, sprak: str = "sv") -> Figure:
    """Yearly change in percentage points per age band with 95 % CIs."""
    t = LABELS[sprak]
    with _style():
        fig = Figure(figsize=(6, 3.2), layout="constrained")
        ax = fig.subplots()
        y = range(len(bands))
        ax.errorbar(
            bands["pp_per_ar"],
            y,
            xerr=[bands["pp_per_ar"] - bands["ki_lag"], bands["ki_hog"] - bands["pp_per_ar"]],
            fmt="o",
            color=sns.color_palette(PALETTE)[0],
            capsize=4,
        )
        ax.axvline(0, color="0.4", lw=1)
        ax.set_yticks(list(y), [AGE_LABELS.get(b, b) for b in bands.index])
        ax.set(title=t["bands"], xlabel=t["pp_year"], ylabel=t["aldersband"])
    return fig


def unit_heatmap(shares: pd.DataFrame, sprak: str = "sv") -> Figure:
    """Units (rows) × months (columns) of the sick-leave share in percent; hidden cells blank."""
    t = LABELS[sprak]
    with _style():
        fig = Figure(figsize=(10, 1.2 + 0.22 * len(shares)), layout="constrained")
        # seaborn measures every tick label to see whether they overlap; without a canvas each
        # measurement makes (and each label keeps) a renderer of the whole figure: 38 labels,
        # over 100 MiB. With one, they share its renderer.
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        sns.heatmap(100 * shares, cmap="viridis", ax=ax, cbar_kws={"label": "%"}, xticklabels=3)
        ax.set(title=t["heat"], xlabel=t["month"], ylabel=t["unit"])
    return fig


LABELS["sv"].update(
    {
        "waterfall": "Rekryteringsbehov {span}: från baslinje till scenario",
        "baseline": "Baslinje",
        "scenario": "Med alla spakar",
    }
)
LABELS["en"].update(
    {
        "waterfall": "Recruitment need {span}: from baseline to scenario",
        "baseline": "Baseline",
        "scenario": "All levers",
    }
)


def waterfall(baseline: float, steps: list[tuple[str, float]], span: str, sprak: str = "sv") -> Figure:
    """The recruitment need of the baseline, each lever's change, and the scenario's total."""
    t = LABELS[sprak]
    colors = sns.color_palette(PALETTE)
    labels = [t["baseline"], *[name for name, _ in steps], t["scenario"]]
    with _style():
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax = fig.subplots()
        ax.bar(0, baseline, color=colors[0])
        level = baseline
        for i, (_, change) in enumerate(steps, start=1):
            ax.bar(i, change, bottom=level, color=colors[2] if change < 0 else colors[3])
            level += change
        ax.bar(len(steps) + 1, level, color=colors[0])
        ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right")
        ax.set(title=t["waterfall"].format(span=span), ylabel=t["persons"])
    return fig


def _bars(n: int, width: float, per_bar: float, margin: float) -> tuple[Figure, Axes, list[int]]:
    """A figure for n horizontal bars, the first on top: (figure, axes, the bars' y positions);
    width in inches, height per_bar inches a bar plus margin."""
    fig = Figure(figsize=(width, per_bar * n + margin), layout="constrained")
    return fig, fig.subplots(), list(range(n))[::-1]


LABELS["sv"].update({"robust": "Andel av {n} utfall där paketet når direktivet", "robust_x": "Andel av utfallen (%)"})
LABELS["en"].update(
    {"robust": "Share of {n} outcomes in which the bundle meets the directive", "robust_x": "Share of outcomes (%)"}
)


def robustness_bars(shares: pd.Series, draws: int, sprak: str = "sv") -> Figure:
    """Horizontal bars: per bundle (index) the share of draws meeting the directive (0–1),
    written at each bar's end, with a line at one half."""
    t, colors = LABELS[sprak], sns.color_palette(PALETTE)
    with _style():
        fig, ax, y = _bars(len(shares), 8, 0.5, 1.4)
        values = 100 * shares.to_numpy()
        ax.barh(y, values, color=[colors[2] if v >= 50 else colors[3] for v in values])
        for yy, v in zip(y, values):
            ax.text(min(v + 1.5, 88), yy, f"{v:.0f}\u00a0%" if sprak == "sv" else f"{v:.0f}%", va="center")
        ax.axvline(50, color="0.4", lw=1, ls="--")
        ax.set_yticks(y, list(shares.index))
        ax.set_xlim(0, 100)
        ax.set(
            title=t["robust"].format(n=f"{draws:,}".replace(",", "\u202f" if sprak == "sv" else ",")),
            xlabel=t["robust_x"],
        )
    return fig


LABELS["sv"].update({"agency": "Hyrpersonal, andel av lönekostnaden per månad", "target": "Mål", "dept": "Förvaltning"})
LABELS["en"].update({"agency": "Agency staff, share of wage cost per month", "target": "Target", "dept": "Department"})


def agency_staff(share: pd.DataFrame, target: float | None, sprak: str = "sv") -> Figure:
    """Monthly agency-staff share (%) per department (columns) and in total, with the target."""
    t = LABELS[sprak]
    x = pd.PeriodIndex(share.index, freq="M").to_timestamp()
    with _style():
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax = fig.subplots()
        colors = sns.color_palette(PALETTE, n_colors=len(share.columns))
        for color, col in zip(colors, share.columns):
            ax.plot(
                x,
                100 * share[col].to_numpy(),
                color="0.1" if col == TOTAL else color,
                lw=2.2 if col == TOTAL else 1,
                label=col,
            )
        if target is not None:
            ax.axhline(100 * target, color="0.3", ls="--", lw=1, label=t["target"])
        ax.set(title=t["agency"], xlabel=t["month"], ylabel="%")
        ax.legend(title=t["dept"], fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    return fig


LABELS["sv"].update(
    {
        "tornado": "Rekryteringsbehov {span} när ett antagande i taget ändras",
        "tornado_low": "Lägre värde",
        "tornado_high": "Högre värde",
    }
)
LABELS["en"].update(
    {
        "tornado": "Recruitment need {span} when one assumption at a time changes",
        "tornado_low": "Lower value",
        "tornado_high": "Higher value",
    }
)


def tornado(rows: list[tuple[str, float, float]], baseline: float, span: str, sprak: str = "sv") -> Figure:
    """A tornado chart: per assumption (largest swing on top) the change in the recruitment
    need from the baseline at the low and the high end of its plausible range."""
    t, colors = LABELS[sprak], sns.color_palette(PALETTE)
    with _style():
        fig, ax, y = _bars(len(rows), 9, 0.6, 1.8)
        ax.barh(y, [lo - baseline for _, lo, _ in rows], color=colors[2], label=t["tornado_low"])
        ax.barh(y, [hi - baseline for _, _, hi in rows], color=colors[3], alpha=0.8, label=t["tornado_high"])
        ax.axvline(0, color="0.3", lw=1)
        ax.set_yticks(y, [name for name, _, _ in rows])
        ax.set(title=t["tornado"].format(span=span), xlabel=t["persons"])
        ax.legend(fontsize="small", loc="lower right")
    return fig
