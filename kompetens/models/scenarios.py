"""SKR's strategies as levers on the projection, each a params key whose default means "no
change", and their effect on the recruitment need and the cost against the baseline.

- `heltid` {"sysselsattningsgrad": 0.95, "ar": 2030}: the mean employment rate rises linearly
  from its basår value to the target in the target year (never lowered; part of the way when
  the target year is after slutår), so the same årsarbetare need fewer persons.
- `forlang_arbetslivet` N: the retirement profile moves N years later, capped at the LAS age.
- `minska_omsattning` {"andel": 0.2, "grupper": [...]}: other exits fall by the share, for
  the groups listed (all when none are).
- `teknik` {"andel_per_ar": 0.01, "grupper": [...]}: productivity lowers the need by the
  share each year, for the groups listed (all when none are).
- `kompetensvaxling` {"fran": A, "till": B, "andel": 0.1, "ar": 2028}: a share of A's need moves
  to B (a new group is added with the board's pooled rates) by the target year.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kompetens.models.projection import FlowArrays

LEVERS = ("heltid", "forlang_arbetslivet", "minska_omsattning", "teknik", "kompetensvaxling")
NAMES = {
    "heltid": "Fler jobbar mer (heltid)",
    "forlang_arbetslivet": "Förläng arbetslivet",
    "minska_omsattning": "Minska personalomsättningen",
    "teknik": "Använd tekniken",
    "kompetensvaxling": "Använd kompetensen rätt",
}


def active(params: dict) -> dict:
    """The levers that change something, in LEVERS order."""
    return {k: params[k] for k in LEVERS if params.get(k)}


def _ramp(years, basar: int, target_year: int) -> np.ndarray:
    """0 in basår rising linearly to 1 in the target year, 1 after it."""
    span = max(target_year - basar, 1)
    return np.clip((np.asarray(years) - basar) / span, 0.0, 1.0)


def _groups_mask(grupper, chosen) -> np.ndarray:
    return np.array([chosen is None or g in chosen for g in grupper])


def need_levers(need: np.ndarray, fte: np.ndarray, grupper: list, years: list, levers: dict):
    """Apply the levers that change the need in persons: heltid, teknik, kompetensvaxling.

    need [..., D, G, T]; fte [D, G] årsarbetare per person in basår. A lever's numbers may be
    arrays shaped [N, 1, 1] for N draws of need [N, D, G, T]. heltid may carry "genomslag",
    the share of the rise to the target that is achieved (default 1). Returns the new need,
    the årsarbetare per person in each year ([..., D, G, T]) and the groups (kompetensvaxling
    may add one, with no staff in basår). heltid moves each group's rate linearly from its
    basår value to the target (never lower) over basår..ar, so the årsarbetare stay the
    baseline's in every year (basår included) and only the persons needed for them fall."""
    need, fte, grupper = need.astype(float).copy(), fte.copy(), list(grupper)
    basar = years[0]
    if "kompetensvaxling" in levers:
        lever = levers["kompetensvaxling"]
        source = grupper.index(lever["fran"])
        if lever["till"] not in grupper:
            grupper.append(lever["till"])
            need = np.concatenate([need, np.zeros_like(need[..., :1, :])], axis=-2)
            fte = np.concatenate([fte, fte[:, source : source + 1]], axis=1)
        target = grupper.index(lever["till"])
        moved = need[..., source, :] * lever["andel"] * _ramp(years, basar, lever.get("ar", years[-1]))
        need[..., source, :] -= moved
        need[..., target, :] += moved
    if "teknik" in levers:
        lever = levers["teknik"]
        factor = (1 - np.asarray(lever["andel_per_ar"])[..., None]) ** (np.asarray(years) - basar)
        need[..., _groups_mask(grupper, lever.get("grupper")), :] *= factor
    if "heltid" in levers:
        lever = levers["heltid"]
        rise = np.maximum(fte, lever["sysselsattningsgrad"]) - fte
        target = fte + np.asarray(lever.get("genomslag", 1.0)) * rise
        grade = fte[..., None] + (target - fte)[..., None] * _ramp(years, basar, lever["ar"])
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.where(grade > 0, need * fte[..., None] / grade, need)
        fte = grade
    else:
        fte = np.repeat(fte[..., None], len(years), axis=-1)
    return need, fte, grupper


def shift_pension(pension: np.ndarray, years: int) -> np.ndarray:
    """The retirement profile by age [A + 1] moved `years` later (earlier when negative).
    The last two slots (the LAS age and past it) stay 1; ages the move uncovers at the old
    end keep the oldest probability before the LAS age."""
    core = pension[:-2]
    moved = np.zeros_like(core)
    if years >= 0:
        if years < len(core):
            moved[years:] = core[: len(core) - years]
    else:
        moved[: len(core) + years] = core[-years:]
        moved[len(core) + years :] = core[-1]
    return np.append(moved, [1.0, 1.0])


def rate_levers(flows: FlowArrays, grupper: list, levers: dict) -> FlowArrays:
    """Apply the levers that change the flow rates: forlang_arbetslivet, minska_omsattning."""
    if levers.get("forlang_arbetslivet"):
        flows = replace(flows, pension=shift_pension(flows.pension, int(levers["forlang_arbetslivet"])))
    if "minska_omsattning" in levers:
        lever = levers["minska_omsattning"]
        mask = _groups_mask(grupper, lever.get("grupper"))
        keep = np.where(mask, 1 - lever["andel"], 1.0)
        flows = replace(
            flows,
            ovriga=flows.ovriga * keep[None, :, None, None],
            ovriga_first_year=flows.ovriga_first_year * keep[None, :, None],
        )
    return flows
