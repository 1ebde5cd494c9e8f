"""The embedded demo: reproducible from its seed, and shaped like the seeds' plans."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from kompetens import demo_dir
from kompetens.demo import truth, write_demo
from kompetens.demo.generate import DEMO_FILES


def test_committed_demo_data_is_what_the_generator_writes(tmp_path):
    paths = write_demo(tmp_path)
    assert set(paths) == set(DEMO_FILES)
    for name, filename in DEMO_FILES.items():
        assert filecmp.cmp(tmp_path / filename, demo_dir() / filename, shallow=False), name


def test_groups_and_departments_are_the_plans(demo):
    assert sorted(demo.personal["yrkesgrupp"].unique()) == sorted(truth.YRKESGRUPPER)
    assert sorted(demo.personal["forvaltning"].unique()) == sorted(truth.FORVALTNINGAR)
    assert demo.snapshot_years == list(range(2019, 2026))


def test_about_1400_employees_every_year(demo):
    per_year = demo.personal.groupby("ar").size()
    assert per_year.between(1300, 1600).all(), per_year.to_dict()


def _external_leavers(demo):
    a = demo.avgangar
    return a[a["orsak"] != "intern_rorlighet"].assign(ar=a["datum"].dt.year)


def test_external_turnover_is_11_to_14_percent(demo):
    leavers = _external_leavers(demo).groupby("ar").size()
    headcount = demo.personal.groupby("ar").size()
    turnover = leavers / headcount
    assert 0.11 <= turnover.mean() <= 0.14, turnover.round(3).to_dict()
    assert turnover.between(0.10, 0.15).all(), turnover.round(3).to_dict()


def test_about_half_of_leavers_had_under_three_years(demo):
    leavers = _external_leavers(demo)
    tenure = (leavers["datum"] - leavers["anstallningsdatum"]).dt.days / 365.25
    assert 0.40 <= (tenure < 3).mean() <= 0.60


def test_most_leavers_are_30_to_49(demo):
    leavers = _external_leavers(demo)
    age = leavers["ar"] - leavers["fodelsear"]
    share = pd.cut(age, [0, 29, 49, 200]).value_counts(normalize=True).sort_index()
    assert share.iloc[1] > 0.5, share.to_dict()


def test_retirements_average_64_to_65_and_none_after_69(demo):
    r = demo.avgangar[demo.avgangar["orsak"] == "pension"]
    age = r["datum"].dt.year - r["fodelsear"]
    assert 64.0 <= age.mean() <= 65.5
    assert age.max() <= 69 and age.min() >= 61
    assert (demo.personal["ar"] - demo.personal["fodelsear"]).max() <= 69


def _sick_share(df):
    return df["sjuk_tid"].sum() / df["schemalagd_tid"].sum()


def test_sick_leave_level_and_winter_peak(demo):
    f = demo.franvaro
    assert 0.06 <= _sick_share(f) <= 0.08
    month = f["manad"].str[5:].astype(int)
    winter = _sick_share(f[month.isin([1, 2])])
    summer = _sick_share(f[month.isin([6, 7, 8])])
    assert winter > summer + 0.015


def test_one_department_near_three_percent_and_a_few_units_above_ten(demo):
    f = demo.franvaro
    by_dept = f.groupby("forvaltning")[["sjuk_tid", "schemalagd_tid"]].sum()
    lowest = (by_dept["sjuk_tid"] / by_dept["schemalagd_tid"]).min()
    assert 0.02 <= lowest <= 0.035
    last12 = f[f["manad"] >= "2025-01"].groupby("enhet")[["sjuk_tid", "schemalagd_tid"]].sum()
    high = last12["sjuk_tid"] / last12["schemalagd_tid"] > 0.10
    assert 2 <= high.sum() <= 10


def test_sick_leave_rises_among_staff_under_30(demo):
    f = demo.franvaro
    young = f[f["manad"].str[:4].astype(int) - f["fodelsear"] <= 29]
    first, last = young[young["manad"] < "2020-01"], young[young["manad"] >= "2025-01"]
    assert _sick_share(last) - _sick_share(first) > 0.015


def test_about_17_staff_per_first_line_manager(demo):
    p = demo.personal[demo.personal["ar"] == 2025]
    first_line = p[p["chef"] & ~p["enhet"].str.startswith("Ledning ")]
    staff = p[~p["chef"]]
    assert 15 <= len(staff) / len(first_line) <= 19
    assert (p["chef"] == (p["yrkesgrupp"] == "Ledning")).all()


def test_employment_rate_averages_about_0_9(demo):
    assert demo.personal["sysselsattningsgrad"].mean() == pytest.approx(0.9, abs=0.02)


def test_population_grows_about_11_percent_by_2027_with_80_plus_fastest(demo):
    b = demo.befolkning
    assert sorted(b["ar"].unique()) == list(range(2019, 2036))
    assert sorted(b["alder"].unique()) == list(range(0, 101))
    total = b.groupby("ar")["antal"].sum()
    assert total[2027] / total[2019] - 1 == pytest.approx(0.11, abs=0.015)
    bands = pd.cut(b["alder"], [-1, 17, 64, 79, 200], labels=["0-17", "18-64", "65-79", "80+"])
    growth = b.groupby([bands, "ar"], observed=True)["antal"].sum().unstack()
    growth = growth[2027] / growth[2019]
    assert growth.idxmax() == "80+"


def test_costs_cover_every_month_and_department(demo):
    k = demo.kostnader
    assert len(k) == 84 * len(truth.FORVALTNINGAR)
    share = k["hyrpersonal"].sum() / k["lonekostnad"].sum()
    assert 0.01 < share < 0.04


def test_truth_distributions_are_proper():
    assert sum(truth.PENSIONSALDER.values()) == pytest.approx(1.0)
    assert sum(truth.SYSSELSATTNINGSGRAD.values()) == pytest.approx(1.0)
    mean_age = sum(a * p for a, p in truth.PENSIONSALDER.items())
    assert 64 <= mean_age <= 65
    assert max(truth.PENSIONSALDER) == truth.LAS_ALDER
    mean_grade = sum(g * p for g, p in truth.SYSSELSATTNINGSGRAD.items())
    assert mean_grade == pytest.approx(0.9, abs=0.01)
    assert np.isclose(sum(w for w in truth.DRIVARE["Vårdare/undersköterska/assistent"].values()), 1.0)
