"""Sjukfrånvaro: shares as SKR defines them, a trend regression, a forecast and flagged units.

The share is sick hours / scheduled hours. The trend model is a binomial GLM on the share,
weighted by scheduled hours, with the scale estimated from Pearson's chi-square
(quasi-binomial), so clustered absence does not make the intervals too narrow. Terms: a
linear trend in years, month-of-year seasonality, group terms, and trend × age band.

The model is fitted on cells (month × covariates) that carry the sums needed to reproduce
the person-month fit exactly: the coefficients and their standard errors equal those of
the same GLM fitted on every person-month, at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from kompetens.privacy.suppression import hidden_groups, small
from kompetens.vocabulary import ALDERSBAND_NAMN, age_band_index

REFERENCE_BAND = "30–49"
DEFAULT_COVARIATES = ("yrkesgrupp", "forvaltning", "aldersband", "kon")
Z = NormalDist().inv_cdf(0.975)


def with_age_band(franvaro: pd.DataFrame) -> pd.DataFrame:
    """Add aldersband (≤29, 30–49, ≥50: age reached in the month's year) when fodelsear is given."""
    if "aldersband" in franvaro or "fodelsear" not in franvaro:
        return franvaro
    age = _year(franvaro["manad"]) - franvaro["fodelsear"].to_numpy()
    codes = age_band_index(age)
    return franvaro.assign(aldersband=np.array(ALDERSBAND_NAMN, dtype=object)[codes])


def _year(manad: pd.Series) -> np.ndarray:
    """The year of each YYYY-MM, parsed once per distinct month."""
    codes, months = pd.factorize(manad)
    return np.array([int(m[:4]) for m in months])[codes]


def shares(franvaro: pd.DataFrame, by: str | None, k: int) -> pd.DataFrame:
    """Sick-leave share, with the long-term (60+ days) and short-term (days 1–14) parts of the
    sick hours when the data has them, in total or per category. Categories with fewer than
    k persons are NaN, and with them the next smallest until the hidden ones hold k persons
    (the total is published)."""
    df = with_age_band(franvaro)
    keys = [by] if by else []
    grouped = df.groupby(keys) if keys else df.assign(_all="Totalt").groupby("_all")
    sums = grouped[["sjuk_tid", "schemalagd_tid"]].sum()
    out = pd.DataFrame({"andel": sums["sjuk_tid"] / sums["schemalagd_tid"]})
    for part in ("sjuk_lang", "sjuk_kort"):
        if part in df:
            out[f"andel_{part.split('_')[1]}"] = grouped[part].sum() / sums["sjuk_tid"]
    if "person_id" in df:
        persons = grouped["person_id"].nunique()
        out["personer"] = persons
        hidden = out.index.isin(list(hidden_groups(persons, k))) if by else small(persons, k)
        out.loc[hidden | (persons == 0).to_numpy(), out.columns.drop("personer")] = np.nan
    return out


def rolling_12(franvaro: pd.DataFrame) -> pd.Series:
    """The share over the 12 months up to each month, so that seasonality does not mislead."""
    monthly = franvaro.groupby("manad")[["sjuk_tid", "schemalagd_tid"]].sum().sort_index()
    rolled = monthly.rolling(12).sum()
    return (rolled["sjuk_tid"] / rolled["schemalagd_tid"]).rename("andel_12_manader")


def to_cells(franvaro: pd.DataFrame, covariates) -> pd.DataFrame:
    """Aggregate person-months to cells of month × covariates with the sums that reproduce
    the person-level fit: hours, sick hours, Σ sick²/hours and the number of rows."""
    keys = ["manad", *covariates]
    month_codes, months = pd.factorize(franvaro["manad"])
    factorized = {"manad": (month_codes, months)}
    if "aldersband" in covariates and "aldersband" not in franvaro:
        # the band from fodelsear and the month's year, as integer codes (no text per row)
        years = np.array([int(m[:4]) for m in months])[month_codes]
        age = years - franvaro["fodelsear"].to_numpy()
        band = age_band_index(age)
        present = np.unique(band)
        factorized["aldersband"] = (np.searchsorted(present, band), np.array(ALDERSBAND_NAMN, dtype=object)[present])
    for k in keys:
        if k not in factorized:
            factorized[k] = pd.factorize(franvaro[k])
    codes, uniques = zip(*(factorized[k] for k in keys))
    cell = np.zeros(len(franvaro), dtype=np.int64)
    for c, u in zip(codes, uniques):
        cell = cell * len(u) + c
    inverse, cell_id = pd.factorize(cell)  # hashing, no sort: the cells' order does not matter
    hours = franvaro["schemalagd_tid"].to_numpy(dtype=float)
    sick = franvaro["sjuk_tid"].to_numpy(dtype=float)
    out, rest = {}, cell_id
    for key, u in reversed(list(zip(keys, uniques))):
        out[key] = np.asarray(u)[rest % len(u)]
        rest = rest // len(u)
    out = {k: out[k] for k in keys}
    out.update(
        schemalagd_tid=np.bincount(inverse, hours),
        sjuk_tid=np.bincount(inverse, sick),
        sjuk_kvadrat=np.bincount(inverse, sick**2 / hours),
        rader=np.bincount(inverse),
    )
    return pd.DataFrame(out)


def _design(cells: pd.DataFrame, origin: float) -> pd.DataFrame:
    """Model columns: t (years from origin, at mid-month), manad_nr (1–12) and andel."""
    codes, months = pd.factorize(cells["manad"])
    month = np.array([int(m[5:7]) for m in months])[codes]
    year = np.array([int(m[:4]) for m in months])[codes]
    return cells.assign(
        t=year + (month - 0.5) / 12 - origin, manad_nr=month, andel=cells["sjuk_tid"] / cells["schemalagd_tid"]
    )


def _formula(covariates) -> str:
    """The model as a statsmodels formula: the reference a person-level fit can use."""
    terms = ["t", "C(manad_nr)"]
    for c in covariates:
        terms.append(f"C(aldersband, Treatment('{REFERENCE_BAND}'))" if c == "aldersband" else f"C({c})")
    if "aldersband" in covariates:
        terms.append(f"t:C(aldersband, Treatment('{REFERENCE_BAND}'))")
    return "andel ~ " + " + ".join(terms)


def formula_term(name: str) -> str:
    """A coefficient name of the cell fit as statsmodels' formula interface names it, for
    comparing with a person-level fit made with _formula."""
    if name.startswith("manad["):
        return f"C(manad_nr)[T.{name[6:-1]}]"
    if name.startswith("t:aldersband["):
        return f"t:C(aldersband, Treatment('{REFERENCE_BAND}'))[T.{name[13:-1]}]"
    if name.startswith("aldersband["):
        return f"C(aldersband, Treatment('{REFERENCE_BAND}'))[T.{name[11:-1]}]"
    if "[" in name:
        var, level = name[:-1].split("[", 1)
        return f"C({var})[T.{level}]"
    return name


@dataclass(frozen=True)
class Encoder:
    """Treatment coding of the model's terms, without a formula parser (fast on cells):
    Intercept, t, month 2–12, each covariate's levels but the first (30–49 for aldersband),
    and t × each age band but the reference."""

    levels: dict

    @classmethod
    def from_data(cls, design: pd.DataFrame, covariates) -> Encoder:
        levels = {}
        for c in covariates:
            values = sorted(pd.unique(design[c].astype(str)))
            if c == "aldersband" and REFERENCE_BAND in values:
                values = [REFERENCE_BAND] + [v for v in values if v != REFERENCE_BAND]
            levels[c] = values
        return cls(levels)

    @property
    def names(self) -> list[str]:
        names = ["Intercept", "t"] + [f"manad[{m}]" for m in range(2, 13)]
        for c, values in self.levels.items():
            names += [f"{c}[{v}]" for v in values[1:]]
        if "aldersband" in self.levels:
            names += [f"t:aldersband[{v}]" for v in self.levels["aldersband"][1:]]
        return names

    def matrix(self, design: pd.DataFrame) -> pd.DataFrame:
        n = len(design)
        t = design["t"].to_numpy(dtype=float)
        month = np.asarray(design["manad_nr"], dtype=int)
        blocks = [np.ones((n, 1)), t[:, None], (month[:, None] == np.arange(2, 13)[None, :]).astype(float)]
        for c, values in self.levels.items():
            col = design[c].astype(str).to_numpy()
            blocks.append((col[:, None] == np.array(values[1:], dtype=object)[None, :]).astype(float))
        if "aldersband" in self.levels:
            band = design["aldersband"].astype(str).to_numpy()
            blocks.append(
                t[:, None] * (band[:, None] == np.array(self.levels["aldersband"][1:], dtype=object)[None, :])
            )
        return pd.DataFrame(np.hstack(blocks), columns=self.names, index=design.index)


@dataclass(frozen=True)
class AbsenceTrend:
    """A fitted sick-leave trend (attributes end in _ as in lifelines' fitters)."""

    results_: object  # the statsmodels GLMResults
    coef_: pd.DataFrame  # term, coef, se, ki_lag, ki_hog, p
    trend_logit: float  # yearly trend on the logit scale, hours-weighted over age bands
    trend_logit_ci: tuple
    trend_pp_per_year: float  # average marginal effect, percentage points per year
    trend_pp_per_year_ci: tuple
    trend_aldersband: pd.DataFrame  # per age band: logit, ki_lag, ki_hog, pp_per_ar, pp_ki_lag, pp_ki_hog
    origin: float
    cells_: pd.DataFrame
    covariates: tuple
    encoder_: Encoder

    @property
    def significant(self) -> bool:
        """True when the 95 % CI of the yearly trend excludes zero."""
        lo, hi = self.trend_pp_per_year_ci
        return lo > 0 or hi < 0

    def forecast(self, months: int = 12) -> pd.DataFrame:
        """The expected share for `months` months after the data, with a 95 % CI: the last
        12 months' mix of covariates and hours carried forward along the trend."""
        return self._expected(self._ahead(months), "manad")[["manad", "andel", "ki_lag", "ki_hog"]]

    def forecast_total(self, months: int = 12) -> dict:
        """The expected share over the `months` months after the data as one figure, 95 % CI."""
        ahead = self._ahead(months)
        row = self._expected(ahead.assign(hela=0), "hela").iloc[0]
        return {
            "forsta": ahead["manad"].iloc[0],
            "sista": ahead["manad"].iloc[-1],
            **row[["andel", "ki_lag", "ki_hog"]].to_dict(),
        }

    def _ahead(self, months: int) -> pd.DataFrame:
        """The last 12 months' cells moved to each of the `months` months after the data."""
        last = sorted(self.cells_["manad"].unique())[-12:]
        base = self.cells_[self.cells_["manad"].isin(last)]
        end = pd.Period(last[-1], "M")
        parts = []
        for step in range(1, months + 1):
            target = end + step
            parts.append(base[base["manad"].str[5:7] == f"{target.month:02d}"].assign(manad=str(target)))
        return pd.concat(parts, ignore_index=True)

    def fitted(self) -> pd.DataFrame:
        """The model's expected share per month of the data, with a 95 % CI."""
        return self._expected(self.cells_, "manad")[["manad", "andel", "ki_lag", "ki_hog"]]

    def _expected(self, cells: pd.DataFrame, by: str) -> pd.DataFrame:
        """The hours-weighted expected share per value of the column `by`, with a 95 % CI
        by the delta method."""
        design = _design(cells, self.origin)
        X = self._exog(design)
        mu = 1 / (1 + np.exp(-(X @ self.results_.params.to_numpy())))
        codes, labels = pd.factorize(cells[by], sort=True)
        hours = design["schemalagd_tid"].to_numpy()
        w = hours / np.bincount(codes, hours)[codes]
        share = np.bincount(codes, w * mu, minlength=len(labels))
        grad = pd.DataFrame((w * mu * (1 - mu))[:, None] * X).groupby(codes).sum().to_numpy()
        se = np.sqrt(np.einsum("ij,jk,ik->i", grad, self.results_.cov_params().to_numpy(), grad))
        return pd.DataFrame({by: labels, "andel": share, "ki_lag": share - Z * se, "ki_hog": share + Z * se})

    def _exog(self, design: pd.DataFrame) -> np.ndarray:
        return self.encoder_.matrix(design).to_numpy()


def fit_absence_trend(
    franvaro: pd.DataFrame, covariates=DEFAULT_COVARIATES, origin: float | None = None
) -> AbsenceTrend:
    """Fit the quasi-binomial trend model on person-month or cell rows.

    franvaro: rows with manad (YYYY-MM), schemalagd_tid, sjuk_tid and the covariate columns
    (aldersband, or fodelsear to derive it). Person-month rows are aggregated to cells first;
    cell rows may carry sjuk_kvadrat (Σ sick²/hours) and rader (rows) to keep the person-level
    scale, otherwise the scale is the cells' own. Covariates with one level are dropped.
    origin: the year the trend is measured from (default: the middle year of the data).
    """
    person_rows = "person_id" in franvaro
    df = franvaro if person_rows else with_age_band(franvaro)
    banded = "aldersband" in df or "fodelsear" in df
    covariates = tuple(c for c in covariates if c in df or (c == "aldersband" and banded))
    cells = to_cells(df, covariates) if person_rows else df
    covariates = tuple(c for c in covariates if cells[c].nunique() > 1)
    years = _year(cells["manad"])
    origin = float(round((years.min() + years.max()) / 2)) if origin is None else float(origin)
    design = _design(cells, origin)
    encoder = Encoder.from_data(design, covariates)
    from statsmodels.genmod.families import Binomial  # imported here: statsmodels takes a second to import
    from statsmodels.genmod.generalized_linear_model import GLM, GLMResults, GLMResultsWrapper

    model = GLM(design["andel"], encoder.matrix(design), family=Binomial(), var_weights=design["schemalagd_tid"])
    first = model.fit(scale=1.0, start_params=_start(design, model.exog))
    # the same fit with the person-level Pearson scale: only the covariance changes
    results = GLMResults(model, first.params, first.normalized_cov_params, _pearson_scale(design, first))
    results = GLMResultsWrapper(results)
    return _summarize(results, design, covariates, origin, cells, encoder)


def _start(design: pd.DataFrame, X: np.ndarray) -> np.ndarray:
    """Starting values for IRLS: weighted least squares on the empirical logit of each cell,
    which leaves IRLS a few iterations instead of six or seven."""
    hours = design["schemalagd_tid"].to_numpy()
    share = (design["sjuk_tid"].to_numpy() + 0.5) / (hours + 1.0)
    w = np.sqrt(hours * share * (1 - share))
    return np.linalg.lstsq(X * w[:, None], np.log(share / (1 - share)) * w, rcond=None)[0]


def _pearson_scale(design: pd.DataFrame, results) -> float:
    """Pearson chi-square / residual df of the person-level fit, from the cells' sums."""
    mu = results.fittedvalues.to_numpy()
    w, y = design["schemalagd_tid"].to_numpy(), design["andel"].to_numpy()
    if {"sjuk_kvadrat", "rader"} <= set(design.columns):
        sum_wy2 = design["sjuk_kvadrat"].to_numpy()
        n = design["rader"].sum()
    else:
        sum_wy2, n = w * y**2, len(design)
    chi2 = np.sum((sum_wy2 - 2 * mu * w * y + mu**2 * w) / (mu * (1 - mu)))
    return float(chi2 / (n - len(results.params)))


def _summarize(results, design, covariates, origin, cells, encoder) -> AbsenceTrend:
    params, cov = results.params, results.cov_params()
    names = list(params.index)
    ci = results.conf_int()
    coef = pd.DataFrame(
        {
            "term": names,
            "coef": params.to_numpy(),
            "se": results.bse.to_numpy(),
            "ki_lag": ci[0].to_numpy(),
            "ki_hog": ci[1].to_numpy(),
            "p": results.pvalues.to_numpy(),
        }
    )
    mu = results.fittedvalues.to_numpy()
    w = design["schemalagd_tid"].to_numpy()
    X = np.asarray(results.model.exog)
    bands = design["aldersband"].to_numpy() if "aldersband" in covariates else np.full(len(design), "alla")
    rows, weights = [], []
    for band in sorted(set(bands), key=lambda b: ALDERSBAND_NAMN.index(b) if b in ALDERSBAND_NAMN else 0):
        c = np.zeros(len(names))
        c[names.index("t")] = 1.0
        inter = f"t:aldersband[{band}]"
        if inter in names:
            c[names.index(inter)] = 1.0
        sel = bands == band
        pp, pp_se = _marginal(c, X[sel], mu[sel], w[sel], params.to_numpy(), cov.to_numpy())
        est, se = float(c @ params), float(np.sqrt(c @ cov.to_numpy() @ c))
        rows.append(
            {
                "aldersband": band,
                "logit": est,
                "ki_lag": est - Z * se,
                "ki_hog": est + Z * se,
                "pp_per_ar": 100 * pp,
                "pp_ki_lag": 100 * (pp - Z * pp_se),
                "pp_ki_hog": 100 * (pp + Z * pp_se),
                "kontrast": c,
            }
        )
        weights.append(w[sel].sum())
    weights = np.array(weights) / np.sum(weights)
    c_all = sum(wt * r["kontrast"] for wt, r in zip(weights, rows))
    est, se = float(c_all @ params), float(np.sqrt(c_all @ cov.to_numpy() @ c_all))
    order = {r["aldersband"]: i for i, r in enumerate(rows)}
    band_index = np.array([order[b] for b in bands])
    contrasts = np.stack([r["kontrast"] for r in rows])[band_index]  # per cell: its band's trend contrast
    pp, pp_se = _marginal(contrasts, X, mu, w, params.to_numpy(), cov.to_numpy())
    table = pd.DataFrame(rows).drop(columns="kontrast").set_index("aldersband")
    return AbsenceTrend(
        results_=results,
        coef_=coef,
        trend_logit=est,
        trend_logit_ci=(est - Z * se, est + Z * se),
        trend_pp_per_year=100 * pp,
        trend_pp_per_year_ci=(100 * (pp - Z * pp_se), 100 * (pp + Z * pp_se)),
        trend_aldersband=table,
        origin=origin,
        cells_=cells,
        covariates=covariates,
        encoder_=encoder,
    )


def _marginal(contrast, X, mu, w, params, cov):
    """Hours-weighted average marginal effect of time on the share, and its delta-method SE.

    contrast: the coefficients' combination that is each row's trend (one vector for all
    rows, or one row per observation)."""
    contrast = np.broadcast_to(contrast, (len(mu), len(params)))
    slope = contrast @ params
    weights = w / w.sum()
    d = mu * (1 - mu)
    effect = float(weights @ (d * slope))
    # d/dβ of μ(1−μ)·slope = μ(1−μ)(1−2μ)·slope·x + μ(1−μ)·contrast
    grad = (weights * d * (1 - 2 * mu) * slope) @ X + (weights * d) @ contrast
    return effect, float(np.sqrt(grad @ cov @ grad))


def sensitivity(franvaro: pd.DataFrame, trend: AbsenceTrend, leave_out=("2020", "2021")) -> dict:
    """Refit without the pandemic years and compare the yearly trend (percentage points)."""
    rest = franvaro[~franvaro["manad"].str[:4].isin(leave_out)]
    if rest["manad"].str[:4].nunique() < 3:
        return {"utan": list(leave_out), "pp_per_ar": None, "ki": None, "skillnad_pp": None}
    refit = fit_absence_trend(rest, trend.covariates, trend.origin)
    return {
        "utan": list(leave_out),
        "pp_per_ar": refit.trend_pp_per_year,
        "ki": list(refit.trend_pp_per_year_ci),
        "skillnad_pp": refit.trend_pp_per_year - trend.trend_pp_per_year,
    }


def flagged_units(franvaro: pd.DataFrame, threshold: float, k: int) -> pd.DataFrame:
    """Units (enheter) whose share over the last 12 months is above threshold, with the share
    the 12 months before and the change in percentage points. Units with fewer than k persons
    in the last 12 months are never listed."""
    months = sorted(franvaro["manad"].unique())
    last, before = months[-12:], months[-24:-12]
    recent = franvaro[franvaro["manad"].isin(last)]
    g = recent.groupby("enhet")
    share = g["sjuk_tid"].sum() / g["schemalagd_tid"].sum()
    persons = g["person_id"].nunique() if "person_id" in recent else pd.Series(k, index=share.index)
    earlier = franvaro[franvaro["manad"].isin(before)].groupby("enhet")
    prev = (earlier["sjuk_tid"].sum() / earlier["schemalagd_tid"].sum()).reindex(share.index)
    out = pd.DataFrame(
        {
            "andel_12_man": share,
            "andel_foregaende_12_man": prev,
            "forandring_pp": 100 * (share - prev),
            "personer": persons,
        }
    )
    out = out[(out["andel_12_man"] > threshold) & (out["personer"] >= k)]
    if "forvaltning" in recent:
        out.insert(0, "forvaltning", g["forvaltning"].first().reindex(out.index))
    return out.sort_values("andel_12_man", ascending=False)


def unit_month_shares(franvaro: pd.DataFrame, k: int, months: int = 24) -> pd.DataFrame:
    """Share per unit (rows) and month (columns) over the last `months` months; cells about
    fewer than k persons are NaN."""
    keep = sorted(franvaro["manad"].unique())[-months:]
    df = franvaro[franvaro["manad"].isin(keep)]
    g = df.groupby(["enhet", "manad"])
    share = (g["sjuk_tid"].sum() / g["schemalagd_tid"].sum()).unstack()
    if "person_id" in df:
        persons = g["person_id"].nunique().unstack().fillna(0)
        share = share.mask(small(persons, k) | (persons == 0))
    return share
