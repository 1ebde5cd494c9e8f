"""Robustness of strategy bundles: in what share of plausible futures a bundle of levers meets
the directive (a share of the staff increase met by other solutions than recruitment).

Each draw takes the uncertain assumptions jointly, each uniformly within its range (the assumption
register's `osakerhet`: kompetens/assumptions.yaml, with sources),
together with the Monte Carlo exits of the projection (binomial exits around the expected
path, the rates' estimation uncertainty as gamma multipliers):

- `drivare`: how strongly the need follows the demand index (1 = in proportion, as the
  consultants' method assumes); the need in year t is need(basår) + e · (need(t) − need(basår)).
- `pensionstidpunkt`: years the whole retirement profile moves (negative = earlier).
- `omsattning`: a multiplier on the level of other exits.
- one per lever, its `genomslag`: the share of the lever's setting that takes effect (heltid:
  of the rise to the target; förläng arbetslivet: of the years; the others: of the share).

In every draw the baseline and each bundle see the same assumptions and the same random
numbers. A bundle's contribution is the recruitment need over basår+1..slutår it avoids
against the baseline (fewer persons needed, or more of the staff staying); the directive is
met when that is at least direktiv_andel × the baseline's staff increase (need in slutår −
need in basår) of the same draw. The shortfall is the persons missing when it is not.

This counts what SKR's strategies count ("fler som utökar sin arbetstid ... [och] arbetar
längre innan pension minskar behovet att nyrekrytera"): staff who stay help. The scenario
comparison (kompetens.plan.scenarios.directive) asks the narrower question whether the
levers lower the staff increase itself (fewer persons needed in slutår), which only heltid,
technology and task shifting can do; its share of draws is given beside
(andel_uppfyllt_personalbehov), so the two measures can be read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from kompetens import assumptions as assumptions_register
from kompetens.models.projection import DemographicArrays, FlowArrays, expected_path
from kompetens.models.scenarios import LEVERS, need_levers, rate_levers, shift_pension


def ranges_of(overrides: dict | None = None) -> dict[str, tuple[float, float]]:
    """{assumption: (low, high)}: the assumption register's ranges (kompetens.assumptions,
    `osakerhet`) with the given ones replacing theirs."""
    out = assumptions_register.ranges()
    for key, (low, high) in (overrides or {}).items():
        if key not in out:
            raise ValueError(f"okänt antagande: {key}")
        if low > high:
            raise ValueError(f"{key}: lägsta värdet är större än högsta")
        out[key] = (float(low), float(high))
    return out


def draw_assumptions(ranges: dict[str, tuple[float, float]], draws: int, rng) -> dict[str, np.ndarray]:
    """Each assumption drawn uniformly within its range, independently: {name: [N]}."""
    return {k: rng.uniform(low, high, draws) for k, (low, high) in ranges.items()}


@dataclass(frozen=True)
class BundleDraws:
    """Per draw [N]: the recruitment need over the period, the baseline's staff increase and
    the staff increase with the bundle's levers (persons)."""

    rekrytering: np.ndarray
    personalokning: np.ndarray
    personalokning_paket: np.ndarray


def _with_group(flows: FlowArrays, n_groups: int) -> FlowArrays:
    """Flows for groups a lever adds (kompetensvaxling to a new group): the mean of the others."""
    extra = n_groups - flows.hiring.shape[0]
    if extra <= 0:
        return flows

    def pad(a, axis):
        mean = a.mean(axis=axis, keepdims=True)
        return np.concatenate([a, np.repeat(mean, extra, axis=axis)], axis=axis)

    return replace(
        flows,
        ovriga=pad(flows.ovriga, 1),
        ovriga_first_year=pad(flows.ovriga_first_year, 1),
        intern=pad(flows.intern, 1),
        hiring=pad(flows.hiring, 0),
        events=pad(flows.events, 0),
    )


def _scaled_levers(levers: dict, a: dict[str, np.ndarray]) -> dict:
    """The need levers with each draw's genomslag, as arrays [N, 1, 1]."""
    out = {}
    for key, lever in levers.items():
        g = a[key][:, None, None]
        if key == "heltid":
            out[key] = {**lever, "genomslag": g}
        elif key == "teknik":
            out[key] = {**lever, "andel_per_ar": np.minimum(lever["andel_per_ar"] * g, 1.0)}
        elif key == "kompetensvaxling":
            out[key] = {**lever, "andel": np.minimum(lever["andel"] * g, 1.0)}
    return out


def _exits(n: np.ndarray, p: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Exits among n persons at probability p: the binomial's normal approximation at the
    standard normal deviate z, kept within 0..n (n need not be whole)."""
    n, p = np.maximum(n, 0.0), np.clip(p, 0.0, 1.0)
    return np.clip(n * p + np.sqrt(n * p * (1 - p)) * z, 0.0, n)


def simulate_bundle(
    start: DemographicArrays, levers: dict, assumptions: dict[str, np.ndarray], seed: int
) -> BundleDraws:
    """The recruitment need over basår+1..slutår in each draw of the assumptions, for a bundle
    of levers (an empty one is the baseline), from the plan's arrays without levers."""
    a = assumptions
    stock, need, fte, flows, grupper = start.stock, start.need, start.fte, start.flows, start.grupper
    n = len(next(iter(a.values())))
    need0 = need[..., :1]
    need_n = need0 + a["drivare"][:, None, None, None] * (need - need0)[None]  # [N, D, G, T+1]
    increase = (need_n[..., -1] - need_n[..., 0]).sum(axis=(1, 2))
    need_levers_only = {k: v for k, v in levers.items() if k in ("heltid", "teknik", "kompetensvaxling")}
    groups = list(grupper)
    if need_levers_only:
        central, _, groups = need_levers(need, fte, grupper, start.years, need_levers_only)
        need_n, _, _ = need_levers(need_n, fte, grupper, start.years, _scaled_levers(need_levers_only, a))
    else:
        central = need
    increase_bundle = (need_n[..., -1] - need_n[..., 0]).sum(axis=(1, 2))
    stock = np.concatenate([stock, np.zeros((stock.shape[0], len(groups) - stock.shape[1], *stock.shape[2:]))], 1)
    padded = _with_group(flows, len(groups))
    if "minska_omsattning" in levers:  # the paths at the central share; draws scale around it
        padded = rate_levers(padded, groups, {"minska_omsattning": levers["minska_omsattning"]})

    # the retirement profile moves by pensionstidpunkt plus the lever's years × genomslag; the
    # expected path's rates are interpolated between the whole years around each draw's move
    shift = a["pensionstidpunkt"].copy()
    if levers.get("forlang_arbetslivet"):
        shift += levers["forlang_arbetslivet"] * a["forlang_arbetslivet"]
    low = int(np.floor(shift.min()))
    paths = {}
    for k in range(low, int(np.floor(shift.max())) + 2):
        _, _, rates = expected_path(stock, central, replace(padded, pension=shift_pension(padded.pension, k)))
        paths[k] = {r: np.stack([y[r] for y in rates]) for r in rates[0]}  # [T, D, G]
    whole = np.floor(shift).astype(int)
    w = (shift - whole)[:, None, None, None]
    pension = np.stack([paths[k]["pension"] for k in sorted(paths)])  # [K, T, D, G]
    p_ret = (1 - w) * pension[whole - low] + w * pension[whole - low + 1]  # [N, T, D, G]
    las = np.stack([paths[k]["pension_las"] for k in sorted(paths)])  # reaching the LAS age
    p_las = (1 - w) * las[whole - low] + w * las[whole - low + 1]
    base = paths[0] if 0 in paths else paths[low]
    keep = np.ones(len(groups))
    if "minska_omsattning" in levers:
        lever = levers["minska_omsattning"]
        mask = np.array([lever.get("grupper") is None or g in lever["grupper"] for g in groups])
        central = 1 - lever["andel"] * mask
        drawn = 1 - np.outer(np.minimum(lever["andel"] * a["minska_omsattning"], 1.0), mask)  # [N, G]
        keep = np.divide(drawn, central, out=np.zeros_like(drawn), where=central > 0)
    level = a["omsattning"][:, None] * np.broadcast_to(keep, (n, len(groups)))  # [N, G]
    p_oth = base["ovriga"][None] * level[:, None, None, :]
    p_first = base["forsta_aret"][None] * level[:, None, None, :]
    p_mov = base["intern"]

    # the same normal deviates in every bundle (common random numbers): a bundle differs from
    # the baseline by its levers, not by simulation noise; sized for one added group
    n_t, (n_d, n_g) = need_n.shape[-1] - 1, stock.shape[:2]
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_t, 4, n, n_d, len(grupper) + 1))[..., :n_g]
    ev = np.maximum(_with_group(flows, len(grupper) + 1).events, 1.0)
    theta = rng.gamma(ev[None], 1.0 / ev[None], size=(n, len(grupper) + 1, 3))[:, :n_g]
    th_ret, th_oth, th_mov = (theta[:, None, :, k] for k in range(3))
    s = np.broadcast_to(stock.sum(axis=(2, 3)), (n, n_d, n_g)).astype(float)
    total = np.zeros(n)
    for t in range(n_t):
        forced = s * p_las[:, t]  # exits at the LAS age: certain, not multiplied
        retire = forced + _exits(s - forced, th_ret * p_ret[:, t], z[t, 0])
        other = _exits(s - retire, th_oth * p_oth[:, t], z[t, 1])
        moves = _exits(s - retire - other, th_mov * p_mov[t], z[t, 2])
        remain = s - retire - other - moves
        gap = np.maximum(need_n[..., t + 1] - remain, 0.0)
        leave = np.clip(th_oth * p_first[:, t], 0.0, 0.95)  # a recruit's chance to leave in year one
        mean, var = gap * leave / (1 - leave), gap * leave / (1 - leave) ** 2
        recruits = gap + np.maximum(mean + np.sqrt(var) * z[t, 3], 0.0)
        s = remain + gap
        total += (recruits - moves if start.scope == "namnd" else recruits).sum(axis=(1, 2))
    return BundleDraws(rekrytering=total, personalokning=increase, personalokning_paket=increase_bundle)


def robustness(
    start: DemographicArrays,
    bundles: dict[str, dict],
    direktiv_andel: float,
    ranges: dict[str, tuple[float, float]] | None = None,
    draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per bundle {name: {lever: setting}}: the share of draws in which the directive
    is met by slutår (andel_uppfyllt, 0–1: avoided recruitment ≥ target), the share in which
    the staff increase itself falls by the target (andel_uppfyllt_personalbehov, 0–1), the
    directive's target and the avoided recruitment (medians, persons; p10/p90 of the avoided)
    and the median shortfall in persons (0 when the directive is met in at least half of the
    draws)."""
    r = ranges_of(ranges)
    assumptions = draw_assumptions(r, draws, np.random.default_rng(seed))
    base = simulate_bundle(start, {}, assumptions, seed + 1)
    target = direktiv_andel * base.personalokning
    rows = []
    for name, levers in bundles.items():
        unknown = set(levers) - set(LEVERS)
        if unknown:
            raise ValueError(f"okänd spak: {sorted(unknown)[0]}")
        sim = simulate_bundle(start, levers, assumptions, seed + 1)
        avoided = base.rekrytering - sim.rekrytering
        fewer = base.personalokning - sim.personalokning_paket
        shortfall = np.maximum(target - avoided, 0.0)
        rows.append(
            {
                "paket": name,
                "andel_uppfyllt": float(np.mean(avoided >= target)),
                "andel_uppfyllt_personalbehov": float(np.mean(fewer >= target)),
                "mal_personer": float(np.median(target)),
                "undviken_rekrytering": float(np.median(avoided)),
                "undviken_p10": float(np.percentile(avoided, 10)),
                "undviken_p90": float(np.percentile(avoided, 90)),
                "brist_median": float(np.median(shortfall)),
            }
        )
    return pd.DataFrame(rows).set_index("paket")
