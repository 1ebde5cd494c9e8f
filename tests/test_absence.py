"""Sick leave: the cell fit equals the person-month fit, the demo's true trends are recovered,
flags and suppression on a hand-made fixture, and bad absence rows are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import kompetens
from kompetens import InputError, validate_table
from kompetens.demo import truth
from kompetens.models.absence import (
    _design,
    _formula,
    fit_absence_trend,
    flagged_units,
    formula_term,
    rolling_12,
    shares,
    unit_month_shares,
    with_age_band,
)


@pytest.fixture(scope="module")
def trend(demo):
    return fit_absence_trend(demo.franvaro)


@pytest.mark.filterwarnings("ignore:cov_type not fully supported with var_weights")  # the sandwich is the same
def test_cell_fit_equals_the_person_month_fit(demo, trend):
    """The same GLM fitted by statsmodels' formula interface on every person-month: equal
    coefficients, and standard errors equal to statsmodels' person-clustered covariance."""
    rows = _design(with_age_band(demo.franvaro), trend.origin)
    model = smf.glm(
        _formula(trend.covariates), data=rows, family=sm.families.Binomial(), var_weights=rows["schemalagd_tid"]
    )
    groups = pd.factorize(rows["person_id"])[0]
    person = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    ours = trend.results_
    names = [formula_term(n) for n in ours.params.index]
    assert sorted(names) == sorted(person.params.index)
    assert trend.se_typ == "person"
    np.testing.assert_allclose(ours.params.to_numpy(), person.params[names].to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.bse.to_numpy(), person.bse[names].to_numpy(), rtol=1e-6)
    pearson = model.fit(scale="X2", start_params=person.params)
    assert trend.pearson_scale == pytest.approx(pearson.scale, rel=1e-9)
    # on the demo a person's months are correlated: clustered SEs of the trend exceed the
    # quasi-binomial ones
    ratio = ours.bse["t"] / pearson.bse["t"]
    assert 1.1 < ratio < 3, ratio
    assert len(trend.cells_) < len(rows) / 5


def test_cell_rows_keep_the_quasi_binomial_standard_errors(demo, trend):
    """Cells without person ids cannot be clustered: the Pearson-scaled SEs of the same fit."""
    from kompetens.models.absence import to_cells

    cells = to_cells(with_age_band(demo.franvaro), trend.covariates)
    by_cells = fit_absence_trend(cells, trend.covariates, trend.origin)
    assert by_cells.se_typ == "pearson"
    np.testing.assert_allclose(by_cells.results_.params, trend.results_.params, atol=1e-9)
    assert by_cells.results_.scale == pytest.approx(trend.pearson_scale, rel=1e-9)
    assert by_cells.results_.bse["t"] < trend.results_.bse["t"]


def test_demo_trends_recover_the_truth(demo, trend):
    """Every age band's true yearly logit trend lies inside its 95 % CI, and so does the
    hours-weighted mean trend."""
    s = truth.SJUK
    true = {band: s["trend"] + extra for band, extra in s["trend_aldersband"].items()}
    bands = trend.trend_aldersband
    for band, value in true.items():
        assert bands.loc[band, "ki_lag"] < value < bands.loc[band, "ki_hog"], (band, value, bands.loc[band])
    hours = with_age_band(demo.franvaro).groupby("aldersband")["schemalagd_tid"].sum()
    overall = sum(true[b] * hours[b] for b in true) / hours.sum()
    assert trend.trend_logit_ci[0] < overall < trend.trend_logit_ci[1]
    assert trend.significant and trend.trend_pp_per_year > 0
    # the seasonal profile: winter above summer, as generated
    coef = trend.coef_.set_index("term")["coef"]
    assert coef["manad[2]"] - coef["manad[7]"] == pytest.approx(s["manad"][2] - s["manad"][7], abs=0.12)


def test_average_marginal_effect_by_hand(trend):
    """The pp trend is the hours-weighted mean of μ(1−μ)·slope over the cells."""
    r = trend.results_
    mu = r.fittedvalues.to_numpy()
    w = r.model.var_weights / r.model.var_weights.sum()
    inter = {b: r.params.get(f"t:aldersband[{b}]", 0.0) for b in ("≤29", "30–49", "≥50")}
    slope = r.params["t"] + np.array([inter[b] for b in trend.cells_["aldersband"]])
    assert trend.trend_pp_per_year == pytest.approx(100 * np.sum(w * mu * (1 - mu) * slope))


def test_fitted_is_each_months_hours_weighted_prediction(trend):
    """fitted(): per month, Σ hours·μ / Σ hours from statsmodels' own fitted values, and a
    delta-method CI worked out per month with statsmodels' covariance."""
    r, cells = trend.results_, trend.cells_
    fitted = trend.fitted().set_index("manad")
    X, mu = r.model.exog, r.fittedvalues.to_numpy()
    for month in ("2019-01", "2022-07", "2025-12"):
        sel = (cells["manad"] == month).to_numpy()
        w = cells["schemalagd_tid"].to_numpy()[sel] / cells["schemalagd_tid"].to_numpy()[sel].sum()
        share = float(w @ mu[sel])
        grad = (w * mu[sel] * (1 - mu[sel])) @ X[sel]
        se = float(np.sqrt(grad @ r.cov_params().to_numpy() @ grad))
        assert fitted.loc[month, "andel"] == pytest.approx(share, rel=1e-12)
        assert fitted.loc[month, "ki_hog"] - fitted.loc[month, "andel"] == pytest.approx(1.959964 * se, rel=1e-6)
    assert len(fitted) == cells["manad"].nunique() == 84


def test_forecast_has_intervals(trend):
    fc = trend.forecast(24)
    assert len(fc) == 24 and fc["manad"].iloc[0] == "2026-01" and fc["manad"].iloc[-1] == "2027-12"
    assert ((fc["ki_lag"] < fc["andel"]) & (fc["andel"] < fc["ki_hog"])).all()
    # the prediction interval for the observed share contains the band for the mean
    assert ((fc["pi_lag"] < fc["ki_lag"]) & (fc["ki_hog"] < fc["pi_hog"])).all()
    total = trend.forecast_total(12)
    assert total["pi_lag"] < total["ki_lag"] < total["andel"] < total["ki_hog"] < total["pi_hog"]
    assert fc["andel"].between(0.05, 0.11).all()
    january = fc.set_index("manad")["andel"]
    assert january["2027-01"] > january["2026-01"]  # the rising trend carries on


def _fixture():
    """Three units over 24 months: A has 6 persons at 12 % sick leave, B has 3 persons at
    20 % (too few to show), C has 6 persons at 5 %."""
    months = pd.period_range("2024-01", "2025-12", freq="M").astype(str)
    rows = []
    for unit, persons, share in (("A", 6, 0.12), ("B", 3, 0.20), ("C", 6, 0.05)):
        for m in months:
            for p in range(persons):
                rows.append(
                    {
                        "person_id": f"{unit}{p}",
                        "manad": m,
                        "enhet": unit,
                        "forvaltning": "X",
                        "schemalagd_tid": 100.0,
                        "sjuk_tid": 100 * share,
                    }
                )
    return pd.DataFrame(rows)


def test_flags_and_suppression_by_hand():
    f = _fixture()
    flagged = flagged_units(f, 0.10, k=5)
    assert list(flagged.index) == ["A"]  # B is above the threshold but has 3 persons
    assert flagged.loc["A", "andel_12_man"] == pytest.approx(0.12)
    assert flagged.loc["A", "forandring_pp"] == pytest.approx(0.0)
    assert list(flagged_units(f, 0.10, k=3).index) == ["B", "A"]
    heat = unit_month_shares(f, k=5)
    assert heat.loc["B"].isna().all() and heat.loc["A"].eq(0.12).all()
    per_unit = shares(f, "enhet", k=5)
    assert np.isnan(per_unit.loc["B", "andel"]) and per_unit.loc["C", "andel"] == pytest.approx(0.05)
    # total: (6·12 + 3·20 + 6·5) / (15·100) per month
    assert shares(f, None, k=5).loc["Totalt", "andel"] == pytest.approx((72 + 60 + 30) / 1500)
    assert rolling_12(f).dropna().round(9).eq(round(162 / 1500, 9)).all()


def _absence_rows():
    return pd.DataFrame(
        {
            "person_id": ["a", "b", "c"],
            "manad": ["2025-01", "2025-02", "2025-03"],
            "schemalagd_tid": ["160", "150", "140"],
            "sjuk_tid": ["8", "0", "10"],
        }
    )


@pytest.mark.parametrize(
    "column,value,rule",
    [
        ("schemalagd_tid", "0", "ska vara större än 0"),
        ("schemalagd_tid", "-5", "ska vara större än 0"),
        ("sjuk_tid", "151", "sjuk_tid större än schemalagd_tid"),
        ("manad", "2025-13", "ska ha formen ÅÅÅÅ-MM"),
        ("manad", "2025-00", "ska ha formen ÅÅÅÅ-MM"),
    ],
)
def test_bad_absence_rows_name_column_and_row(column, value, rule):
    df = _absence_rows()
    df.loc[1, column] = value
    with pytest.raises(InputError) as err:
        validate_table(df, "franvaro", "franvaro.csv")
    problems = [(p.row, p.column, p.rule) for p in err.value.problems]
    assert (3, column, rule) in problems, problems


def test_missing_absence_column_is_named():
    with pytest.raises(InputError) as err:
        validate_table(_absence_rows().drop(columns="sjuk_tid"), "franvaro", "franvaro.csv")
    assert [(p.column, p.rule) for p in err.value.problems] == [("sjuk_tid", "kolumnen saknas")]


def test_a_department_fit_drops_constant_covariates(demo):
    lss = kompetens.select_forvaltning(demo, "Funktionsstöd (LSS)")
    t = fit_absence_trend(lss.franvaro)
    assert "forvaltning" not in t.covariates and "yrkesgrupp" in t.covariates


def test_sick_leave_reported_by_department_and_group_only(demo):
    """A sick-leave file without person ids or units (the contract allows group keys): the
    share is the person-level one, no unit can be flagged and the report says so instead of
    failing; the heatmap of units is a dash."""
    from dataclasses import replace

    from kompetens import report

    keys = ["manad", "forvaltning", "yrkesgrupp"]
    cells = demo.franvaro.groupby(keys, as_index=False)[["schemalagd_tid", "sjuk_tid"]].sum()
    plan = kompetens.prepare(inputs=replace(demo, franvaro=cells), simuleringar=0)
    whole = kompetens.prepare(inputs=demo, simuleringar=0)
    last = plan.key_figures["sjukfranvaro_12_manader"]["andel"]
    assert last == pytest.approx(whole.key_figures["sjukfranvaro_12_manader"]["andel"], rel=1e-12)
    assert plan.key_figures["sjukfranvaro_flaggade"] is None
    assert whole.key_figures["sjukfranvaro_flaggade"] is not None
    assert "inte per enhet" in report.flagged_table(plan).data
    assert report.absence_heatmap(plan).data == "–"
    assert "enheter hade" not in report.absence_text(plan).data
