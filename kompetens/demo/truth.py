"""The demo generator's true parameters, in one place.

Everything the generator draws from is defined here, so that tests can check that the
estimators in `kompetens` recover these values from the generated data. Rates are per
year unless the name says otherwise; money is in kronor; hours are hours.
"""

from __future__ import annotations

SEED = 20251101

KOMMUN = "Demo kommun"
NAMND = "Social- och omsorgsnämnden"

#: The simulation runs monthly from BURN_IN_START so that the tenure mix has settled
#: before the first observed month; only FIRST_MONTH..LAST_MONTH is written.
BURN_IN_START = "2012-01"
FIRST_MONTH = "2019-01"
LAST_MONTH = "2025-12"
SNAPSHOT_YEARS = tuple(range(2019, 2026))
SNAPSHOT_MONTH = 11  # employment on 1 November each year
POPULATION_YEARS = tuple(range(2019, 2036))

YRKESGRUPPER = (
    "Administratör",
    "Ledning",
    "Personlig assistent",
    "Socialsekreterare/biståndsbedömare",
    "Vårdare/undersköterska/assistent",
    "Sjuksköterska",
    "Övriga yrkeskategorier",
)

#: Departments (column `forvaltning`): number of units (enheter, one first-line manager
#: each) and the 2019 headcount per yrkesgrupp, managers excluded.
FORVALTNINGAR = {
    "Äldreomsorg": {
        "enheter": 38,
        "bemanning": {
            "Vårdare/undersköterska/assistent": 560,
            "Sjuksköterska": 20,
            "Övriga yrkeskategorier": 60,
            "Administratör": 10,
        },
    },
    "Funktionsstöd (LSS)": {
        "enheter": 20,
        "bemanning": {
            "Personlig assistent": 190,
            "Vårdare/undersköterska/assistent": 80,
            "Övriga yrkeskategorier": 20,
            "Administratör": 5,
        },
    },
    "Individ- och familjeomsorg": {
        "enheter": 7,
        "bemanning": {
            "Socialsekreterare/biståndsbedömare": 70,
            "Administratör": 10,
            "Övriga yrkeskategorier": 15,
        },
    },
    "Hälso- och sjukvård": {
        "enheter": 8,
        "bemanning": {
            "Sjuksköterska": 75,
            "Övriga yrkeskategorier": 40,
            "Administratör": 5,
        },
    },
    "Myndighet och bistånd": {
        "enheter": 4,
        "bemanning": {
            "Socialsekreterare/biståndsbedömare": 45,
            "Administratör": 8,
        },
    },
    "Stab": {
        "enheter": 3,
        "bemanning": {
            "Administratör": 32,
            "Övriga yrkeskategorier": 5,
        },
    },
}
#: Managers above the first line (verksamhetschefer, förvaltningsledning), per department.
OVRIG_LEDNING = {
    "Äldreomsorg": 3,
    "Funktionsstöd (LSS)": 2,
    "Individ- och familjeomsorg": 1,
    "Hälso- och sjukvård": 1,
    "Myndighet och bistånd": 1,
    "Stab": 3,
}

#: Population forecast: the 2019 population by single year of age is a smooth profile
#: scaled to BEFOLKNING_2019 (ages 0..100, 100 meaning 100+); each age band then grows
#: at its own yearly rate.
BEFOLKNING_2019 = 46_000
BEFOLKNING_TILLVAXT = {  # (first age, last age): growth per year
    (0, 17): 0.012,
    (18, 64): 0.0125,
    (65, 79): 0.015,
    (80, 100): 0.03,
}

#: Demand drivers: population age bands and their weights, per yrkesgrupp. The demo's
#: staffing follows the weighted population relative to 2019. Deliberately not the
#: package's defaults (the assumption register's users per resident): a backtest with the
#: defaults shows how far a wrong demand model misses, one with these drivers how close the
#: flows come.
DRIVARE = {
    "Vårdare/undersköterska/assistent": {(80, 100): 0.7, (65, 79): 0.3},
    "Sjuksköterska": {(80, 100): 0.6, (65, 79): 0.4},
    "Personlig assistent": {(0, 17): 0.3, (18, 64): 0.7},
    "Socialsekreterare/biståndsbedömare": {(0, 17): 0.5, (18, 64): 0.5},
    "Övriga yrkeskategorier": {(80, 100): 0.4, (65, 79): 0.3, (18, 64): 0.3},
    "Administratör": {(80, 100): 0.3, (65, 79): 0.2, (0, 64): 0.5},
    "Ledning": {(80, 100): 0.4, (65, 79): 0.2, (0, 64): 0.4},
}

#: Retirement: each employee's planned retirement age is drawn from this distribution
#: (mean 64.3 years, earlier than the register's default of 65.5 and with retirements at 61
#: and 62 where the default has none, so that recovering it proves the estimator reads the
#: data); nobody works past the LAS age 69.
PENSIONSALDER = {61: 0.08, 62: 0.10, 63: 0.14, 64: 0.18, 65: 0.30, 66: 0.09, 67: 0.06, 68: 0.03, 69: 0.02}
LAS_ALDER = 69

#: Other exits (egen_begaran + ovrigt): yearly hazard = base by tenure band × age factor.
OVRIGA_AVGANGAR_ANSTALLNINGSTID = {  # (from years, to years): yearly hazard
    (0, 1): 0.21,
    (1, 3): 0.14,
    (3, 10): 0.09,
    (10, 99): 0.06,
}
OVRIGA_AVGANGAR_ALDER = {(0, 29): 1.25, (30, 49): 1.0, (50, 99): 0.6}
ANDEL_EGEN_BEGARAN = 0.8  # the rest of other exits are orsak "ovrigt"
#: Yearly probability of moving to another department of the board, for staff whose
#: yrkesgrupp exists in another department (managers and groups found in one department
#: only never move).
INTERN_RORLIGHET = 0.02

#: Recruits: age at hire is 19 + a gamma draw (mean 19 + shape*scale ≈ 34 years).
REKRYTERING_ALDER = {"min": 19, "shape": 3.0, "scale": 5.0, "max": 60}
#: Share of recruits with the formal qualification (behörighet) the group's work will
#: require; groups not listed are all qualified.
ANDEL_BEHORIGA = {"Socialsekreterare/biståndsbedömare": 0.85}
ANDEL_VISSTID = 0.35  # share of recruits hired on a fixed-term contract (visstid)
ANDEL_KVINNOR = {"Ledning": 0.85, "Sjuksköterska": 0.9, "default": 0.82}

#: Employment rate (sysselsättningsgrad): levels and probabilities; the mean is 0.90.
SYSSELSATTNINGSGRAD = {1.0: 0.62, 0.9: 0.08, 0.8: 0.12, 0.75: 0.12, 0.5: 0.06}

#: Monthly salary in 2019, kronor, at zero tenure; +0.8 % per year of tenure (max 20
#: years) and general wage growth per year.
MANADSLON_2019 = {
    "Administratör": 29_500,
    "Ledning": 47_000,
    "Personlig assistent": 25_500,
    "Socialsekreterare/biståndsbedömare": 36_000,
    "Vårdare/undersköterska/assistent": 26_500,
    "Sjuksköterska": 37_000,
    "Övriga yrkeskategorier": 30_000,
}
LONEOKNING_PER_AR = 0.03
LONEOKNING_ANSTALLNINGSTID = 0.008
PO_PALAGG = 0.4453  # PO-pålägg for municipalities, SKR 2023: 31.42 % fees + 0.13 % insurance + 12.98 % pension

#: Agency staff (hyrpersonal) cost as a share of wage cost, in 2019, per department,
#: falling by HYRPERSONAL_TREND (relative) per year.
HYRPERSONAL_ANDEL = {
    "Äldreomsorg": 0.025,
    "Funktionsstöd (LSS)": 0.015,
    "Individ- och familjeomsorg": 0.04,
    "Hälso- och sjukvård": 0.08,
    "Myndighet och bistånd": 0.01,
    "Stab": 0.0,
}
HYRPERSONAL_TREND = -0.08

#: Sick leave: logit(share) = intercept + group + department + age band + kön + month
#: + (trend + trend by age band) × (years since TREND_ORIGIN) + unit effect.
#: Each person has a frailty with mean 1 that multiplies the share, so that the mean
#: share given the covariates is exactly the logistic model (see the generator).
SJUK = {
    "intercept": -2.72,  # about 6.2 % for the reference cells
    "trend_origin": 2022.0,  # years are measured from 1 Jan of this year
    "trend": 0.02,  # logit per year, age band 30-49
    "trend_aldersband": {"≤29": 0.07, "30–49": 0.0, "≥50": -0.01},  # added to trend
    "aldersband": {"≤29": -0.05, "30–49": 0.0, "≥50": 0.18},
    "kon": {"K": 0.0, "M": -0.35},
    "yrkesgrupp": {
        "Administratör": -0.35,
        "Ledning": -0.55,
        "Personlig assistent": 0.05,
        "Socialsekreterare/biståndsbedömare": -0.15,
        "Vårdare/undersköterska/assistent": 0.12,
        "Sjuksköterska": -0.1,
        "Övriga yrkeskategorier": -0.05,
    },
    "forvaltning": {
        "Äldreomsorg": 0.1,
        "Funktionsstöd (LSS)": 0.0,
        "Individ- och familjeomsorg": -0.05,
        "Hälso- och sjukvård": -0.05,
        "Myndighet och bistånd": -0.75,  # the department near 3 %
        "Stab": -0.25,
    },
    # month-of-year seasonality: winter peaks, a summer low
    "manad": {
        1: 0.22,
        2: 0.25,
        3: 0.12,
        4: 0.0,
        5: -0.06,
        6: -0.12,
        7: -0.3,
        8: -0.15,
        9: 0.0,
        10: 0.05,
        11: 0.1,
        12: 0.12,
    },
    # a few units well above 10 %
    "enheter_hog": {"Äldreomsorg": (3, 0.75), "Funktionsstöd (LSS)": (2, 0.7)},
    "frailty_shape": 3.0,  # gamma shape of the person frailty (mean 1, sd 0.58)
    "andel_lang": 0.35,  # share of absence that is long-term (whole months, 60+ days)
    "arbetsdagar": 21,  # working days per month for the short absence draws
}
TIMMAR_PER_MANAD = 165.0  # scheduled hours for a full-time employee in an average month
