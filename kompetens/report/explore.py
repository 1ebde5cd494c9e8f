"""The analyst's explorer: ipywidgets controls for the levers, the directive's share, the
demand drivers' weights and the uncertainty ranges, with a live view of the recruitment need
(p10–p90), the staff increase, its cost and the directive's coverage per yrkesgrupp.

`kompetens.explore(plan)` in a JupyterLab cell shows it. Every figure shown is
`staff_plan` (and `plan.scenarios.summarise`) run on the plan with the controls' settings;
only what a change touches is projected again (the flow rates are estimated once per plan, the
baseline once per set of drivers). "Spara som params" writes the settings as a params file
that `kompetens run` takes. The report notebook never calls this (reports stay static).
"""

from __future__ import annotations

import html
import time
from dataclasses import replace
from pathlib import Path

import ipywidgets as w
import numpy as np
import yaml

from kompetens import assumptions
from kompetens.io.params import DEFAULTS, check_params, load_params
from kompetens.models.demand import DEFAULT_DRIVARE, WHOLE_POPULATION
from kompetens.models.scenarios import LEVERS, NAMES, active
from kompetens.plan.prepare import Plan
from kompetens.plan.robustness import robustness
from kompetens.plan.scenarios import directive, summarise
from kompetens.plan.staffplan import staff_plan
from kompetens.report import formats as fmt
from kompetens.vocabulary import TOTAL

_WIDE = {"description_width": "15em"}
_LAYOUT = w.Layout(width="98%")


def _slider(kind, description, value, lo, hi, step, **kw):
    return kind(value=value, min=lo, max=hi, step=step, description=description, style=_WIDE, layout=_LAYOUT, **kw)


def _groups(groups: list, lever: dict) -> w.SelectMultiple:
    """The groups a lever applies to (none chosen = all), starting from the lever's own."""
    chosen = tuple(lever.get("grupper") or ())
    return w.SelectMultiple(
        options=groups, value=chosen, description="  grupper (ingen = alla)", style=_WIDE, layout=_LAYOUT
    )


class Explorer:
    """The explorer of one plan. `controls` holds every widget by name, `figures` what the
    view shows (persons, mnkr, shares), `widget` the whole view."""

    def __init__(self, plan: Plan):
        self.plan = plan
        base = plan.staff_plan
        self.groups = list(base.projection.grupper)
        self.last_seconds = 0.0
        self.figures: dict = {}
        self._baselines = {repr(self._effective_drivers(plan.params["drivare"])): base}
        self._scenarios: dict = {}
        self._base_rows: dict = {}
        self.controls = self._controls()
        self.summary, self.table, self.robust = w.HTML(), w.HTML(), w.HTML()
        self.chart = w.HTML()
        self.path = w.Text(
            value=str(plan.utkatalog / "params-utforskad.yaml"), description="Fil", style=_WIDE, layout=_LAYOUT
        )
        save, run_robust = w.Button(description="Spara som params"), w.Button(description="Beräkna robusthet")
        save.on_click(lambda _: self._save_clicked())
        run_robust.on_click(lambda _: self.show_robustness())
        for control in self.controls.values():
            control.observe(self._changed, "value")
        levers = w.VBox([self.controls[k] for k in self.controls if k.split(".")[0] in LEVERS])
        drivers = w.VBox([c for k, c in self.controls.items() if k.startswith("drivare.")])
        ranges = w.VBox([c for k, c in self.controls.items() if k.startswith("intervall.")] + [run_robust, self.robust])
        settings = w.Accordion(children=[levers, drivers, ranges, w.VBox([self.path, save])])
        for i, title in enumerate(("Spakar och direktiv", "Efterfrågans drivare", "Osäkerhet och robusthet", "Spara")):
            settings.set_title(i, title)
        settings.selected_index = 0
        self.widget = w.HBox(
            [
                w.VBox([self.controls["direktiv_andel"], settings], layout=w.Layout(width="40em", flex="0 0 auto")),
                w.VBox(
                    [self.controls["grupp"], self.summary, self.chart, self.table],
                    layout=w.Layout(flex="1 1 auto", padding="0 0 0 1em"),
                ),
            ]
        )
        self.update()

    # controls

    def _effective_drivers(self, drivare) -> dict:
        chosen = drivare or DEFAULT_DRIVARE
        return {g: dict(chosen.get(g, WHOLE_POPULATION)) for g in self.groups}

    def _controls(self) -> dict:
        p, basar, slutar, groups = self.plan.params, self.plan.basar, self.plan.slutar, self.groups
        heltid, minska, teknik, vaxla = (
            p[k] or {} for k in ("heltid", "minska_omsattning", "teknik", "kompetensvaxling")
        )
        c = {
            "direktiv_andel": _slider(w.FloatSlider, "Direktivets andel", p["direktiv_andel"], 0, 1, 0.05),
            "grupp": w.Dropdown(
                options=[TOTAL, *groups], value=TOTAL, description="Visa", layout=w.Layout(width="28em")
            ),
            "heltid": w.Checkbox(
                value=bool(heltid), description=NAMES["heltid"], indent=False, layout=w.Layout(width="auto")
            ),
            "heltid.sysselsattningsgrad": _slider(
                w.FloatSlider, "  mål sysselsättningsgrad", heltid.get("sysselsattningsgrad", 0.95), 0.5, 1, 0.01
            ),
            "heltid.ar": _slider(w.IntSlider, "  år", heltid.get("ar", slutar), basar + 1, slutar + 10, 1),
            "forlang_arbetslivet": _slider(
                w.IntSlider, NAMES["forlang_arbetslivet"] + " (år)", p["forlang_arbetslivet"], 0, 10, 1
            ),
            "minska_omsattning.andel": _slider(
                w.FloatSlider, NAMES["minska_omsattning"], minska.get("andel", 0.0), 0, 1, 0.01
            ),
            "minska_omsattning.grupper": _groups(groups, minska),
            "teknik.andel_per_ar": _slider(
                w.FloatSlider,
                NAMES["teknik"] + " (per år)",
                teknik.get("andel_per_ar", 0.0),
                0,
                0.2,
                0.005,
                readout_format=".3f",
            ),
            "teknik.grupper": _groups(groups, teknik),
            "kompetensvaxling.andel": _slider(
                w.FloatSlider, NAMES["kompetensvaxling"], vaxla.get("andel", 0.0), 0, 1, 0.01
            ),
            "kompetensvaxling.fran": w.Dropdown(
                options=groups,
                value=vaxla.get("fran", groups[-1]) if vaxla.get("fran") in groups else groups[-1],
                description="  från",
                style=_WIDE,
                layout=_LAYOUT,
            ),
            "kompetensvaxling.till": w.Text(
                value=vaxla.get("till", "Serviceassistent"),
                description="  till (ny eller befintlig)",
                style=_WIDE,
                layout=_LAYOUT,
                continuous_update=False,
            ),
            "kompetensvaxling.ar": _slider(w.IntSlider, "  år", vaxla.get("ar", slutar), basar + 1, slutar + 10, 1),
        }
        for g, bands in self._effective_drivers(p["drivare"]).items():
            for band, weight in bands.items():
                c[f"drivare.{g}.{band}"] = _slider(w.FloatSlider, f"{g}: {band}", float(weight), 0, 1, 0.05)
        for key, spec in assumptions.uncertainty().items():  # the register's ranges and names
            lo, hi = spec["intervall"]
            span = (-3.0, 3.0) if key == "pensionstidpunkt" else (0.0, 2.0)
            c[f"intervall.{key}"] = w.FloatRangeSlider(
                value=(lo, hi),
                min=span[0],
                max=span[1],
                step=0.05,
                description=spec["namn"],
                tooltip=f"{spec['enhet']}. Källa: {spec['kalla']}",
                style=_WIDE,
                layout=_LAYOUT,
            )
        return c

    def levers(self) -> dict:
        """The levers the controls set, as params keys ({} when none)."""
        v = {k: c.value for k, c in self.controls.items()}
        out: dict = {}
        if v["heltid"]:
            out["heltid"] = {"sysselsattningsgrad": v["heltid.sysselsattningsgrad"], "ar": v["heltid.ar"]}
        if v["forlang_arbetslivet"]:
            out["forlang_arbetslivet"] = v["forlang_arbetslivet"]
        for key, amount in (("minska_omsattning", "andel"), ("teknik", "andel_per_ar")):
            if v[f"{key}.{amount}"] > 0:
                out[key] = {amount: v[f"{key}.{amount}"]}
                if v[f"{key}.grupper"]:
                    out[key]["grupper"] = list(v[f"{key}.grupper"])
        till = v["kompetensvaxling.till"].strip()
        if v["kompetensvaxling.andel"] > 0 and till and till != v["kompetensvaxling.fran"]:
            out["kompetensvaxling"] = {
                "fran": v["kompetensvaxling.fran"],
                "till": till,
                "andel": v["kompetensvaxling.andel"],
                "ar": v["kompetensvaxling.ar"],
            }
        return out

    def drivers(self) -> dict | None:
        """The drivers' weights the controls set; None while they are the plan's own."""
        weights: dict = {}
        for key, control in self.controls.items():
            if key.startswith("drivare."):
                group, band = key.removeprefix("drivare.").rsplit(".", 1)
                weights.setdefault(group, {})[band] = control.value
        if weights == self._effective_drivers(self.plan.params["drivare"]):
            return self.plan.params["drivare"]
        return weights

    def ranges(self) -> dict:
        """{assumption: (low, high)} as the range controls set them."""
        return {k.split(".", 1)[1]: tuple(c.value) for k, c in self.controls.items() if k.startswith("intervall.")}

    def settings(self) -> dict:
        """The params the controls set: every lever key, direktiv_andel and drivare."""
        levers = self.levers()
        out = {k: levers.get(k, 0 if k == "forlang_arbetslivet" else None) for k in LEVERS}
        return {**out, "direktiv_andel": self.controls["direktiv_andel"].value, "drivare": self.drivers()}

    def current_plan(self) -> Plan:
        """The plan with the controls' settings (checked as a params file would be)."""
        return replace(self.plan, params=check_params({**self.plan.params, **self.settings()}))

    # the view

    def _changed(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Project what the change touched and redraw the view."""
        start = time.perf_counter()
        plan = self.current_plan()
        key = repr(plan.params["drivare"])
        if key not in self._baselines:
            self._baselines[key] = staff_plan(plan)
        base = self._baselines[key]
        levers = active(plan.params)
        lever_key = (key, repr(levers))
        if lever_key not in self._scenarios:
            self._scenarios = {lever_key: staff_plan(plan, levers) if levers else base}  # keep the latest only
        sp = self._scenarios[lever_key]
        if key not in self._base_rows:
            self._base_rows[key] = summarise(base, base)
        self.figures = _figures(plan, base, sp, self._base_rows[key])
        self._render()
        self.last_seconds = time.perf_counter() - start

    def _render(self) -> None:
        f, group = self.figures, self.controls["grupp"].value
        row, d = f["grupper"][group], f["direktiv"][group]
        span = fmt.years(f["basar"] + 1, f["slutar"])
        n = fmt.number
        self.summary.value = (
            f"<b>{html.escape(group)}</b>: personalökning {n(row['personalokning'])} personer till {f['slutar']} "
            f"(baslinjen {n(f['baslinje'][group]['personalokning'])}), kostnad {fmt.number(row['kostnad_personalokning_mnkr'], 1)} "
            f"mnkr/år; rekryteringsbehov {span} {n(row['rekryteringsbehov_period'])} "
            f"(p10–p90 {n(row['rekrytering_p10'])}–{n(row['rekrytering_p90'])}).<br>"
            f"Direktivet ({fmt.percent(f['direktiv_andel'], 0)} av ökningen, {n(d['direktiv_personer'])} personer): "
            f"spakarna minskar ökningen med {n(d['minskning_personer'])} personer, "
            f"<b>täckning {fmt.percent(d['tackning'], 0) if d['tackning'] is not None else '–'}</b>."
        )
        if self.plan.params["personalbehov_extern"]:
            self.summary.value += "<br><i>Spakarna påverkar inte en konsults framskrivning (personalbehov_extern).</i>"
        self.chart.value = _svg(f, group)
        head = (
            "<tr><th>Yrkesgrupp</th><th>Rekrytering</th><th>p10–p90</th><th>Ökning</th>"
            "<th>Kostnad, mnkr/år</th><th>Direktivet täckt</th></tr>"
        )
        rows = "".join(
            f"<tr><td>{html.escape(g)}</td><td>{n(r['rekryteringsbehov_period'])}</td>"
            f"<td>{n(r['rekrytering_p10'])}–{n(r['rekrytering_p90'])}</td><td>{n(r['personalokning'])}</td>"
            f"<td>{n(r['kostnad_personalokning_mnkr'], 1)}</td>"
            f"<td>{fmt.percent(f['direktiv'][g]['tackning'], 0) if f['direktiv'][g]['tackning'] is not None else '–'}</td></tr>"
            for g, r in f["grupper"].items()
        )
        self.table.value = f'<table style="white-space:nowrap">{head}{rows}</table>'

    def show_robustness(self):
        """Robustness of the current levers (each alone and together) within the ranges set."""
        plan = self.current_plan()
        result = robustness(plan, ranges=self.ranges())
        if result is None:
            self.robust.value = "Robusthet kräver den demografiska modellen."
            return None
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{fmt.percent(r.andel_uppfyllt, 0)}</td>"
            f"<td>{fmt.number(r.brist_median)}</td></tr>"
            for name, r in result.table.iterrows()
        )
        note = " (exempelnivåer: inga spakar valda)" if result.exempel else ""
        self.robust.value = (
            f"<p>Andel av {result.draws} utfall där spakarna minskar rekryteringsbehovet med minst "
            f"direktivets andel av personalökningen{note}.</p>"
            f"<table><tr><th>Paket</th><th>Når målet</th><th>Brist (median, personer)</th></tr>{rows}</table>"
        )
        return result

    # saving

    def params(self) -> dict:
        """The params file's content: the plan's own settings that differ from the defaults
        (not its output folder) with the controls' settings."""
        p = self.current_plan().params
        out = {k: v for k, v in p.items() if v != DEFAULTS[k] and k != "utkatalog"}
        check_params(out)
        return out

    def save(self, path: str | Path | None = None) -> Path:
        """Write the settings as a params YAML (checked by reading it back) and return its path."""
        path = Path(path or self.path.value)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "# Sparad från kompetens.explore\n" + yaml.safe_dump(self.params(), allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        load_params(path)
        return path

    def _save_clicked(self) -> None:
        path = self.save()
        self.robust.value = f"Sparad: {html.escape(str(path))}"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _figures(plan: Plan, base, sp, base_rows: dict) -> dict:
    """What the view shows, per yrkesgrupp and Totalt: the scenario's and the baseline's
    summaries, the recruitment need per year with its p10/p90, and the directive."""
    share = plan.params["direktiv_andel"]
    proj = sp.projection
    groups = [*proj.grupper, TOTAL]
    span = slice(sp.basar + 1, sp.slutar)
    recruit = proj.table("rekryteringsbehov").loc[:, span]
    base_recruit = base.projection.table("rekryteringsbehov").loc[:, span]
    rows = summarise(sp, base)
    out = {"basar": sp.basar, "slutar": sp.slutar, "direktiv_andel": share, "grupper": rows, "baslinje": {}}
    out["direktiv"], out["per_ar"] = {}, {}
    simulated = proj.draws_rekrytering is not None
    if simulated:
        per_group = np.maximum(proj.draws_rekrytering.sum(axis=1), 0)  # [N, G, T] as Projection.percentiles
        period = np.concatenate([per_group.sum(axis=2), per_group.sum(axis=(1, 2))[:, None]], axis=1)  # [N, G+1]
        low, high = np.percentile(period, [10, 90], axis=0)
        p10, p90 = proj.percentiles(10), proj.percentiles(90)
    empty = {k: 0.0 for k in rows[TOTAL]}
    for i, g in enumerate(groups):
        row, baseline = rows[g], base_rows.get(g, empty)
        row["rekrytering_p10"] = float(low[i]) if simulated else np.nan
        row["rekrytering_p90"] = float(high[i]) if simulated else np.nan
        out["baslinje"][g] = baseline
        d = directive(share, baseline, row)
        d["tackning"] = d["minskning_personer"] / d["direktiv_personer"] if d["direktiv_personer"] > 0 else None
        out["direktiv"][g] = d
        out["per_ar"][g] = {
            "rekryteringsbehov": recruit.loc[g].to_dict(),
            "p10": p10.loc[g].to_dict() if simulated else None,
            "p90": p90.loc[g].to_dict() if simulated else None,
            "baslinje": base_recruit.loc[g].to_dict() if g in base_recruit.index else None,
        }
    return out


def _svg(figures: dict, group: str, width: int = 560, height: int = 250) -> str:
    """The recruitment need per year of one group as an SVG line chart: the scenario with its
    p10–p90 band, and the baseline dashed (drawn by hand: a tenth of matplotlib's time)."""
    y = figures["per_ar"][group]
    years = list(y["rekryteringsbehov"])
    series = [list(y["rekryteringsbehov"].values())]
    for key in ("p10", "p90", "baslinje"):
        series.append(list(y[key].values()) if y[key] is not None else None)
    top = max(max(v for v in s if np.isfinite(v)) for s in series if s is not None) or 1.0
    step = 10 ** np.floor(np.log10(top / 4)) if top > 4 else 1.0
    step *= next(m for m in (1, 2, 5, 10) if top / (step * m) <= 5)
    top = step * np.ceil(top / step)
    left, right, up, down = 50, 130, 28, 30
    px = {a: left + (i + 0.5) * (width - left - right) / len(years) for i, a in enumerate(years)}

    def py(v):
        return up + (height - up - down) * (1 - v / top)

    def path(values):
        return " ".join(f"{px[a]:.1f},{py(v):.1f}" for a, v in zip(years, values))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" font-size="11">'
    ]
    parts.append(f'<text x="{left}" y="16" font-weight="bold">Rekryteringsbehov per år: {html.escape(group)}</text>')
    for k in range(round(top / step) + 1):
        v = k * step
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{fmt.number(v)}</text>')
    for a in years:
        parts.append(f'<text x="{px[a]:.1f}" y="{height - 10}" text-anchor="middle">{a}</text>')
    _, p10, p90, baseline = series
    if p10 is not None:
        band = path(p10) + " " + " ".join(reversed(path(p90).split(" ")))
        parts.append(f'<polygon points="{band}" fill="#0173b2" fill-opacity="0.2"/>')
    if baseline is not None:
        parts.append(f'<polyline points="{path(baseline)}" fill="none" stroke="#666" stroke-dasharray="5,4"/>')
    parts.append(f'<polyline points="{path(series[0])}" fill="none" stroke="#0173b2" stroke-width="2"/>')
    for a, v in zip(years, series[0]):
        parts.append(f'<circle cx="{px[a]:.1f}" cy="{py(v):.1f}" r="3" fill="#0173b2"/>')
    legend = [("#0173b2", "", "Med spakarna"), ("#666", ' stroke-dasharray="5,4"', "Baslinje")]
    for i, (color, dash, label) in enumerate(legend):
        yy = up + 8 + 18 * i
        parts.append(
            f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{yy}" y2="{yy}" stroke="{color}" stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{width - right + 35}" y="{yy + 4}">{label}</text>')
    if p10 is not None:
        yy = up + 8 + 36
        parts.append(
            f'<rect x="{width - right + 10}" y="{yy - 5}" width="20" height="10" fill="#0173b2" fill-opacity="0.2"/>'
        )
        parts.append(f'<text x="{width - right + 35}" y="{yy + 4}">p10–p90</text>')
    parts.append("</svg>")
    return "".join(parts)


def explore(plan: Plan) -> Explorer:
    """The interactive explorer of a prepared plan (shown when it is a cell's last value)."""
    return Explorer(plan)
