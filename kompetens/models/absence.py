"""Sjukfrånvaro: shares as SKR defines them, a trend regression, a forecast and flagged units.

The share is sick hours / scheduled hours. The trend model is a binomial GLM on the share,
weighted by scheduled hours. Terms: a linear trend in years, month-of-year seasonality,
group terms, and trend × age band. The coefficients are population-averaged: the model
describes the mean share of each month and group, not one person's.

A person's months are correlated (a frailty that lasts, sick spells that run for months), so
on person-month data the standard errors are person-clustered (the sandwich, with the CR1
small-sample factor that statsmodels' cluster covariance uses). The Pearson scale
(quasi-binomial) is kept as a description of overdispersion and used for the standard errors
only when the rows are cells without person ids, where clustering cannot be seen (then the
intervals are too narrow if a person's months are correlated).

The model is fitted on cells (month × covariates) that carry the sums needed to reproduce
the person-month fit exactly: the coefficients equal those of the same GLM fitted on every
person-month, at a fraction of the cost. The clustered covariance needs each person's score,
Σ over the person's months of x·(sick − hours·μ): one sparse person × cell sum of the
person-months' residuals times the cells' design matrix.

The forecast gives two intervals: ki_* is the 95 % confidence band for the expected share
(the mean), pi_* the 95 % prediction interval for the share that will be observed, which
adds the persons' own variation (their residuals summed over the period, from the same
months of the data) and month-to-month shocks common to everyone (estimated from the monthly
residuals beyond what the persons explain).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    return franvaro.assign(aldersband=age_bands(franvaro))


def age_bands(franvaro: pd.DataFrame) -> np.ndarray:
    """Each row's aldersband: the column, or from fodelsear and the month's year."""
    if "aldersband" in franvaro:
        return franvaro["aldersband"].to_numpy()
    age = _year(franvaro["manad"]) - franvaro["fodelsear"].to_numpy()
    return np.array(ALDERSBAND_NAMN, dtype=object)[age_band_index(age)]


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


@dataclass(frozen=True)
class PersonMonths:
    """The person-month rows behind the cells, as codes: enough for person-clustered
    standard errors and the persons' variation in a prediction interval."""

    person: np.ndarray  # person code per row, 0..n_persons−1
    cell: np.ndarray  # the row's cell (row of cells_)
    sjuk: np.ndarray  # sick hours
    timmar: np.ndarray  # scheduled hours

    @property
    def n_persons(self) -> int:
        return int(self.person.max()) + 1 if len(self.person) else 0

    def residual_sums(self, mu: np.ndarray, cells: np.ndarray | None = None):
        """Sparse persons × cells matrix of Σ (sick − hours·μ_cell) over each person's rows
        (only the rows in `cells`, a boolean mask over cells, when given)."""
        from scipy.sparse import csr_matrix

        r = self.sjuk - self.timmar * mu[self.cell]
        if cells is not None:
            r = np.where(cells[self.cell], r, 0.0)
        return csr_matrix((r, (self.person, self.cell)), shape=(self.n_persons, len(mu)))


def to_cells(franvaro: pd.DataFrame, covariates) -> pd.DataFrame:
    """Aggregate person-months to cells of month × covariates with the sums that reproduce
    the person-level fit: hours, sick hours, Σ sick²/hours and the number of rows."""
    return _cells(franvaro, covariates)[0]


def _cells(franvaro: pd.DataFrame, covariates) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells and each person-month's cell (an index into them)."""
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
    return pd.DataFrame(out), inverse


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
    pearson_scale: float = 1.0  # Pearson χ² / residual df of the person-month fit
    se_typ: str = "pearson"  # "person": person-clustered SEs; "pearson": quasi-binomial SEs
    variation_: Variation | None = None

    @property
    def significant(self) -> bool:
        """True when the 95 % CI of the yearly trend excludes zero."""
        lo, hi = self.trend_pp_per_year_ci
        return lo > 0 or hi < 0

    def forecast(self, months: int = 12) -> pd.DataFrame:
        """The share for `months` months after the data: the last 12 months' mix of
        covariates and hours carried forward along the trend. andel is the expected share;
        ki_lag/ki_hog its 95 % confidence band (the mean); pi_lag/pi_hog the 95 % prediction
        interval for the share each month will show (persons' variation in the same month of
        the data, plus the months' common shocks)."""
        ahead = self._ahead(months)
        out = self._expected(ahead, "manad")
        analogue = ahead.groupby("manad")["fran_manad"].first().reindex(out["manad"]).to_numpy()
        var = self.variation_.month_variance(analogue) if self.variation_ is not None else 0.0
        return _with_prediction(out, var)[["manad", "andel", "ki_lag", "ki_hog", "pi_lag", "pi_hog"]]

    def forecast_total(self, months: int = 12) -> dict:
        """The share over the `months` months after the data as one figure: expected share
        with its 95 % confidence band (ki_*) and the 95 % prediction interval (pi_*) for the
        share the period will show, with each person's residuals summed over the last
        `months` months of the data (persistence) and independent monthly shocks."""
        ahead = self._ahead(months)
        row = self._expected(ahead.assign(hela=0), "hela")
        var = 0.0
        if self.variation_ is not None:
            hours = ahead.groupby("manad")["schemalagd_tid"].sum().to_numpy()
            var = self.variation_.period_variance(months, hours)
        row = _with_prediction(row, var).iloc[0]
        return {
            "forsta": ahead["manad"].iloc[0],
            "sista": ahead["manad"].iloc[-1],
            **row[["andel", "ki_lag", "ki_hog", "pi_lag", "pi_hog"]].to_dict(),
        }

    def _ahead(self, months: int) -> pd.DataFrame:
        """The last 12 months' cells moved to each of the `months` months after the data;
        fran_manad is the data month each row was taken from."""
        last = sorted(self.cells_["manad"].unique())[-12:]
        base = self.cells_[self.cells_["manad"].isin(last)].reset_index(drop=True)
        month_of_year = base["manad"].str[5:7].astype(int).to_numpy()
        end = pd.Period(last[-1], "M")
        targets = [end + step for step in range(1, months + 1)]
        rows = [np.flatnonzero(month_of_year == target.month) for target in targets]
        labels = np.repeat([str(target) for target in targets], [len(r) for r in rows])
        ahead = base.iloc[np.concatenate(rows)].reset_index(drop=True)
        return ahead.assign(fran_manad=ahead["manad"], manad=labels)

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


@dataclass(frozen=True)
class Variation:
    """How observed shares scatter around the model's expected share, for prediction
    intervals. months: the data's months in order; hours: scheduled hours per month;
    person_month: persons × months sparse matrix of each person's residual hours
    (sick − hours·μ) in the month, None for cell rows; shock: the variance of a month's
    share common to all staff (month-level shocks beyond the persons' own variation)."""

    months: np.ndarray
    hours: np.ndarray
    person_month: object
    shock: float

    def month_variance(self, months) -> np.ndarray:
        """Variance of one month's observed share around its mean, for months like these."""
        j = np.searchsorted(self.months, months)
        persons = 0.0
        if self.person_month is not None:
            persons = np.asarray(self.person_month.power(2).sum(axis=0)).ravel()[j] / self.hours[j] ** 2
        return persons + self.shock

    def period_variance(self, months: int, hours: np.ndarray) -> float:
        """Variance of the observed share over a period of `months` months with these hours
        per month: each person's residuals summed over the last `months` months of the data
        (so a spell or frailty that lasts counts in full), plus independent monthly shocks."""
        persons = 0.0
        if self.person_month is not None:
            window = slice(max(len(self.months) - months, 0), None)
            sums = np.asarray(self.person_month[:, window].sum(axis=1)).ravel()
            persons = float(sums @ sums) / self.hours[window].sum() ** 2
        return persons + self.shock * float(np.sum(hours**2)) / float(np.sum(hours)) ** 2


def _with_prediction(expected: pd.DataFrame, outcome_var) -> pd.DataFrame:
    """Add the 95 % prediction interval: the mean's variance (from its CI) plus the outcome's."""
    se_mean = (expected["ki_hog"] - expected["andel"]) / Z
    half = Z * np.sqrt(se_mean**2 + outcome_var)
    return expected.assign(pi_lag=np.maximum(expected["andel"] - half, 0.0), pi_hog=expected["andel"] + half)


def _variation(cells: pd.DataFrame, mu: np.ndarray, rows: PersonMonths | None) -> Variation:
    """The persons' and the months' variation around the fitted shares (see Variation)."""
    codes, months = pd.factorize(cells["manad"], sort=True)
    hours = np.bincount(codes, cells["schemalagd_tid"].to_numpy())
    resid = np.bincount(codes, cells["sjuk_tid"].to_numpy() - cells["schemalagd_tid"].to_numpy() * mu)
    share_resid = resid / hours
    person_month, persons = None, np.zeros(len(months))
    if rows is not None:
        from scipy.sparse import csr_matrix

        r = rows.sjuk - rows.timmar * mu[rows.cell]
        person_month = csr_matrix((r, (rows.person, codes[rows.cell])), shape=(rows.n_persons, len(months)))
        persons = np.asarray(person_month.power(2).sum(axis=0)).ravel() / hours**2
    # the months' residuals hold the persons' variation and common shocks; the 13 time terms
    # (intercept, trend, 11 months) were fitted to them
    df = max(len(months) - 13, 1)
    shock = max(float(np.sum(share_resid**2 - persons)) / df, 0.0)
    return Variation(np.asarray(months), hours, person_month, shock)


def _cluster_cov(results, rows: PersonMonths) -> np.ndarray:
    """Person-clustered (sandwich) covariance of the cell fit's coefficients: bread (X'WX)⁻¹,
    meat Σ_persons u u' with u = Σ over the person's months of x·(sick − hours·μ), and the
    CR1 factor G/(G−1)·(N−1)/(N−K) of statsmodels' cluster covariance (G persons, N
    person-months, K coefficients)."""
    X = np.asarray(results.model.exog)
    scores = rows.residual_sums(np.asarray(results.fittedvalues)) @ X  # persons × K
    bread = np.asarray(results.normalized_cov_params)
    n, g, k = len(rows.person), rows.n_persons, X.shape[1]
    factor = g / (g - 1) * (n - 1) / (n - k)
    return factor * bread @ (scores.T @ scores) @ bread


def fit_absence_trend(
    franvaro: pd.DataFrame, covariates=DEFAULT_COVARIATES, origin: float | None = None
) -> AbsenceTrend:
    """Fit the binomial trend model on person-month or cell rows.

    franvaro: rows with manad (YYYY-MM), schemalagd_tid, sjuk_tid and the covariate columns
    (aldersband, or fodelsear to derive it). Person-month rows (with person_id) are
    aggregated to cells first and get person-clustered standard errors. Cell rows get
    quasi-binomial ones: they may carry sjuk_kvadrat (Σ sick²/hours) and rader (rows) to keep
    the person-level Pearson scale, otherwise the scale is the cells' own. Covariates with
    one level are dropped. origin: the year the trend is measured from (default: the
    middle year of the data).
    """
    person_rows = "person_id" in franvaro
    df = franvaro if person_rows else with_age_band(franvaro)
    banded = "aldersband" in df or "fodelsear" in df
    covariates = tuple(c for c in covariates if c in df or (c == "aldersband" and banded))
    rows = None
    if person_rows:
        cells, inverse = _cells(df, covariates)
        rows = PersonMonths(
            person=pd.factorize(df["person_id"])[0],
            cell=inverse,
            sjuk=df["sjuk_tid"].to_numpy(dtype=float),
            timmar=df["schemalagd_tid"].to_numpy(dtype=float),
        )
    else:
        cells = df
    covariates = tuple(c for c in covariates if cells[c].nunique() > 1)
    years = _year(cells["manad"])
    origin = float(round((years.min() + years.max()) / 2)) if origin is None else float(origin)
    design = _design(cells, origin)
    encoder = Encoder.from_data(design, covariates)
    from statsmodels.genmod.families import Binomial  # imported here: statsmodels takes a second to import
    from statsmodels.genmod.generalized_linear_model import GLM, GLMResults, GLMResultsWrapper

    model = GLM(design["andel"], encoder.matrix(design), family=Binomial(), var_weights=design["schemalagd_tid"])
    first = model.fit(scale=1.0, start_params=_start(design, model.exog))
    scale = _pearson_scale(design, first)
    # the same fit with another covariance: clustered by person, or the Pearson scale's
    if rows is not None and rows.n_persons > 1:
        results = GLMResults(model, first.params, _cluster_cov(first, rows), 1.0)
        se_typ = "person"
    else:
        results = GLMResults(model, first.params, first.normalized_cov_params, scale)
        se_typ = "pearson"
    results = GLMResultsWrapper(results)
    trend = _summarize(results, design, covariates, origin, cells, encoder)
    variation = _variation(cells, np.asarray(first.fittedvalues), rows)
    return replace(trend, pearson_scale=scale, se_typ=se_typ, variation_=variation)


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
    codes, months = pd.factorize(franvaro["manad"])  # the years read once per distinct month
    years = pd.Series(months, dtype=object).str[:4]
    left_out = years.isin(leave_out).to_numpy()
    rest = franvaro[~np.append(left_out, False)[codes]]
    if years[~left_out].nunique() < 3:
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
    in the last 12 months are never listed. No rows without an enhet column (sick leave
    reported by department or group only): there are no units to list."""
    if "enhet" not in franvaro:
        return pd.DataFrame(columns=["andel_12_man", "andel_foregaende_12_man", "forandring_pp", "personer"])
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
    fewer than k persons are NaN. No rows without an enhet column."""
    keep = sorted(franvaro["manad"].unique())[-months:]
    if "enhet" not in franvaro:
        return pd.DataFrame(columns=pd.Index(keep, name="manad"), dtype=float)
    df = franvaro[franvaro["manad"].isin(keep)]
    g = df.groupby(["enhet", "manad"])
    share = (g["sjuk_tid"].sum() / g["schemalagd_tid"].sum()).unstack()
    if "person_id" in df:
        persons = g["person_id"].nunique().unstack().fillna(0)
        share = share.mask(small(persons, k) | (persons == 0))
    return share
