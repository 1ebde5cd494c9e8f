"""Report parameters as one typed schema (pydantic): every key, each lever's nested settings,
their types, ranges, defaults and Swedish descriptions; loading a Papermill params file.

`DEFAULTS`, the README's parameter table and the notebook's `parameters` cell are all
generated from or tested against `Params`. A params file is YAML read with limits (size, no
aliases); every problem names the file, the key path, the line and the rule.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kompetens.assumptions import value
from kompetens.errors import InputError, Problem

MAX_PARAMS_BYTES = 64 * 1024  # a params file is a few hundred bytes; anything far larger is not one
SLUG = r"^[a-z0-9][a-z0-9_-]{0,79}$"
BAND = re.compile(r"^\s*(\d{1,3})\s*(?:[-–]\s*(\d{1,3})|\+)\s*$")

_STRICT = ConfigDict(strict=True, extra="forbid")
Share = Annotated[float, Field(ge=0, le=1)]
Year = Annotated[int, Field(ge=1990, le=2120)]
Groups = Annotated[list[str], Field(min_length=1)]
#: A count or an amount as written: 2 stays 2 (the key figures repeat it), 2.5 stays 2.5.
Amount = Annotated[int, Field(ge=0)] | Annotated[float, Field(ge=0)]


class Heltid(BaseModel):
    """Fler jobbar mer: the mean employment rate rises linearly to the target by the target year."""

    model_config = _STRICT
    sysselsattningsgrad: float = Field(gt=0, le=1, description="målet för den genomsnittliga sysselsättningsgraden")
    ar: Year = Field(description="året då målet ska vara nått")


class MinskaOmsattning(BaseModel):
    """Minska personalomsättningen: other exits lower by the share."""

    model_config = _STRICT
    andel: Share = Field(description="hur mycket lägre övriga avgångar blir (0,2 = 20 % lägre)")
    grupper: Groups | None = Field(None, description="yrkesgrupperna som berörs; utelämnat = alla")


class Teknik(BaseModel):
    """Använd tekniken: productivity lowers the need by a share each year."""

    model_config = _STRICT
    andel_per_ar: float = Field(ge=0, le=0.2, description="minskat behov per år (0,01 = 1 %), högst 20 %")
    grupper: Groups | None = Field(None, description="yrkesgrupperna som berörs; utelämnat = alla")


class Kompetensvaxling(BaseModel):
    """Använd kompetensen rätt: a share of one group's need moves to another by a year."""

    model_config = _STRICT
    fran: str = Field(min_length=1, description="yrkesgruppen som lämnar över uppgifter")
    till: str = Field(min_length=1, description="yrkesgruppen som tar över (kan vara en ny grupp)")
    andel: Share = Field(description="andelen av behovet som flyttas")
    ar: Year = Field(description="året då hela andelen är flyttad")

    @model_validator(mode="after")
    def _different(self):
        if self.fran == self.till:
            raise ValueError("fran och till måste vara olika yrkesgrupper")
        return self


class Behorighet(BaseModel):
    """The group whose qualification becomes mandatory, and the planned training."""

    model_config = _STRICT
    grupp: str = Field(min_length=1, description="yrkesgruppen som får behörighetskrav")
    datum: Annotated[dt.date, Field(strict=False)] = Field(description="från när kravet gäller (ÅÅÅÅ-MM-DD)")
    vidareutbildning_per_ar: Amount = Field(0, description="planerad vidareutbildning, personer per år")


class Params(BaseModel):
    """Every parameter a report takes. The defaults run the whole board on the demo data."""

    model_config = ConfigDict(strict=True, extra="forbid", validate_default=True)

    titel: str = Field("Social- och omsorgsnämnden", min_length=1, max_length=200, description="rapportens rubrik")
    slug: str = Field(
        "social-och-omsorgsnamnden",
        pattern=SLUG,
        description="mappens namn under outputs/ (små bokstäver a–z, siffror, - och _)",
    )
    forvaltning: str | None = Field(
        None, min_length=1, description="förvaltningen som rapporten gäller; null = hela nämnden"
    )
    data_dir: str | None = Field(None, description="datakatalogen; null = data/demo/")
    kommunkod: str | None = Field(
        None,
        pattern=r"^\d{4}$",
        description="kommunens fyrsiffriga kod i Kolada-filen (t.ex. 0580); null = filens enda kommun",
    )
    utkatalog: str | None = Field(
        None, description="var nyckeltal.json och tabeller.xlsx skrivs; null = en skissmapp (runnern anger sin egen)"
    )
    basar: Year | None = Field(None, description="basår; null = sista ögonblicksbildens år i personal")
    slutar: Year | None = Field(None, description="planens sista år; null = basår + 5")
    k_anonymitet: int = Field(
        5, ge=3, le=100, description="uppgifter om färre personer än så döljs (minst 3: med 1 eller 2 döljs inget)"
    )
    sprak: Literal["sv", "en"] = Field("sv", description="rapportens språk: sv eller en")
    drivare: dict[str, dict[str, float]] | None = Field(
        None, description='efterfrågans drivare {yrkesgrupp: {"80+": 0.7, "65-79": 0.3}}; null = standardantagandena'
    )
    pensionsprofil: dict[int, Share] | None = Field(
        None, description="sannolikhet att gå i pension per ålder (skattningens priori); null = standardantagandet"
    )
    las_alder: int = Field(value("las_alder"), ge=60, le=75, description="åldern då alla har slutat (LAS)")
    simuleringar: int = Field(1000, ge=0, le=100_000, description="Monte Carlo-dragningar för percentilerna; 0 = inga")
    seed: int = Field(20251123, ge=0, description="Monte Carlo-simuleringens frö: samma frö, samma siffror")
    personalbehov_extern: str | None = Field(
        None,
        description="en konsults tabell (CSV/Excel, sökväg i datakatalogen) i stället för den demografiska modellen",
    )
    kostnad_per_person: Amount | dict[str, Amount] | None = Field(
        None, description="kr per person och år, ett tal eller {yrkesgrupp: kr}; null = från lönerna"
    )
    po_palagg: Share = Field(value("po_palagg"), description="PO-pålägg på lönen")
    ram_personer: int | float | None = Field(None, description="nämndens ram för personalökningen, personer")
    ram_mnkr: int | float | None = Field(None, description="nämndens ram för personalökningen, mnkr")
    budgetperiod: Annotated[list[Year], Field(min_length=2, max_length=2)] | None = Field(
        None,
        description="budgetperioden [första år, sista år]: ökning, kostnad och direktiv även för den; null = ingen",
    )
    direktiv_andel: Share = Field(0.3, description="andelen av ökningen som ska mötas med andra lösningar")
    backtest_basar: Year | None = Field(None, description="efterhandsprövningens basår; null = basår − 3")
    sjukfranvaro_grans: float = Field(0.1, gt=0, lt=1, description="enheter över denna sjukfrånvaro (12 mån) listas")
    heltid: Heltid | None = Field(None, description="spak: {sysselsattningsgrad: 0.95, ar: 2030}")
    forlang_arbetslivet: int = Field(
        0, ge=0, le=10, description="spak: pension så många år senare, högst till LAS-åldern"
    )
    minska_omsattning: MinskaOmsattning | None = Field(None, description="spak: {andel: 0.2, grupper: [...]}")
    teknik: Teknik | None = Field(None, description="spak: {andel_per_ar: 0.01, grupper: [...]}")
    kompetensvaxling: Kompetensvaxling | None = Field(
        None, description="spak: {fran: A, till: B, andel: 0.1, ar: 2028}"
    )
    utbildade_per_ar: dict[str, Amount] | None = Field(None, description="lokalt utbildade per år {yrkesgrupp: antal}")
    behorighet: Behorighet | None = Field(None, description="{grupp, datum, vidareutbildning_per_ar}")
    chef_max_medarbetare: int = Field(30, ge=1, description="enheter med fler medarbetare per chef listas")
    hyrpersonal_mal: Share | None = Field(None, description="mål för hyrpersonal som andel av lönekostnaden")
    omraden: Groups | None = Field(None, description="aktivitetsplanens strategiområden; null = SKL:s nio (2018)")
    texter: str | dict[Literal["inledning", "utmaningar", "uppfoljning"], str] | None = Field(
        None,
        description="nämndens egna texter (Markdown) i datakatalogen: en mapp eller {avsnitt: fil}; null = texter/<slug>/",
    )
    andra_losningar_namn: str = Field(
        "andra lösningar",
        min_length=1,
        max_length=80,
        description="nämndens namn på arbetet med andra lösningar, som det skrivs i texten",
    )

    @field_validator("drivare")
    @classmethod
    def _bands(cls, value):
        for group, bands in (value or {}).items():
            if not bands:
                raise ValueError(f"{group}: minst ett åldersband")
            for band, weight in bands.items():
                m = BAND.match(band)
                if not m or (m.group(2) is not None and int(m.group(2)) < int(m.group(1))):
                    raise ValueError(f"{group}: åldersband skrivs '65-79' eller '80+', inte {band!r}")
                if weight < 0:
                    raise ValueError(f"{group}: vikten för {band} får inte vara negativ")
            if sum(bands.values()) <= 0:
                raise ValueError(f"{group}: vikterna måste ha en positiv summa")
        return value

    @field_validator("pensionsprofil")
    @classmethod
    def _ages(cls, value):
        bad = [a for a in (value or {}) if not 15 <= a <= 75]
        if bad:
            raise ValueError(f"åldrarna ska ligga mellan 15 och 75, inte {bad[0]}")
        return value

    @model_validator(mode="after")
    def _years(self):
        if self.basar is not None and self.slutar is not None and self.slutar <= self.basar:
            raise ValueError("slutar: måste vara senare än basar")
        if self.budgetperiod is not None and self.budgetperiod[1] < self.budgetperiod[0]:
            raise ValueError("budgetperiod: sista året får inte komma före det första")
        if self.budgetperiod is not None and self.basar is not None:
            slutar = self.slutar if self.slutar is not None else self.basar + 5
            if not self.basar < self.budgetperiod[1] <= slutar:
                raise ValueError(f"budgetperiod: sista året ska ligga efter basåret {self.basar} och senast {slutar}")
        return self


#: Every parameter and its default: the notebook's `parameters` cell holds the same values.
DEFAULTS: dict = {name: field.default for name, field in Params.model_fields.items()}

_RULES = {
    "int_type": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "string_type": "ska vara text",
    "dict_type": "ska vara en samling nyckel: värde",
    "list_type": "ska vara en lista",
    "bool_type": "ska vara true eller false",
    "model_type": "ska vara en samling nyckel: värde",
    "extra_forbidden": "okänd parameter",
    "missing": "saknas",
    "string_too_short": "får inte vara tom",
    "too_short": "får inte vara tom",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
}


def _rule(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    bounds = {
        "greater_than_equal": "måste vara minst {ge}",
        "greater_than": "måste vara större än {gt}",
        "less_than_equal": "får vara högst {le}",
        "less_than": "måste vara mindre än {lt}",
        "string_too_long": "får vara högst {max_length} tecken",
        "string_pattern_mismatch": "har fel form (tillåtet: små bokstäver a–z, siffror, - och _)",
        "literal_error": "måste vara ett av {expected}",
    }
    if kind in bounds:
        ctx = {k: _number(v) for k, v in ctx.items()}
        if "expected" in ctx:
            ctx["expected"] = ctx["expected"].replace("'", "").replace(" or ", " eller ")
        return bounds[kind].format(**ctx)
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind.endswith("_type") and kind not in _RULES:
        return "fel typ"
    return _RULES.get(kind, "ogiltigt värde")


def _number(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _key_path(loc: tuple) -> str:
    """The key path of an error, without pydantic's tags for the members of a union."""
    tags = ("int", "float", "str", "bool", "constrained-", "function-", "dict[", "list[", "Annotated[")
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p.startswith(tags)))


def check_params(params: dict, source: str = "parametrar", lines: dict | None = None) -> dict:
    """Return the defaults updated with params as plain data; raise InputError naming every
    bad key (its path, the line when known, and the rule)."""
    try:
        model = Params.model_validate(params)
    except ValidationError as exc:
        found: dict[str, list] = {}
        for error in exc.errors():
            key, rule = _key_path(error["loc"]), _rule(error)
            if ": " in rule and not key:  # a rule across keys names its key first
                key, rule = rule.split(": ", 1)
            value = error["input"]
            if error["type"] in ("missing", "extra_forbidden") or isinstance(value, (dict, list)):
                value = None
            found.setdefault(key, []).append((error["type"].endswith("_type"), rule, value))
        problems = []
        for key, errors in found.items():
            # of a union's members, the rule the value broke rather than the types it is not
            if all(e[0] for e in errors) and any(k.startswith(key + ".") for k in found if key):
                continue  # the value had the right shape; the problem is inside it
            numbers = {e[1] for e in errors} >= {"ska vara ett heltal", "ska vara ett tal"}
            specific = (
                [e for e in errors if not e[0]] or [(True, "ska vara ett tal", errors[0][2])] * numbers or errors[:1]
            )
            for _, rule, value in dict.fromkeys(specific):
                line = (lines or {}).get(key) or (lines or {}).get(key.split(".")[0])
                problems.append(Problem(source, line, key or None, rule, value, where="nyckel"))
        raise InputError(problems) from None
    out = model.model_dump()
    for lever in ("heltid", "minska_omsattning", "teknik", "kompetensvaxling", "behorighet"):
        if out[lever] is not None:
            out[lever] = {k: v for k, v in out[lever].items() if v is not None}
    if out["behorighet"] is not None:
        out["behorighet"]["datum"] = out["behorighet"]["datum"].isoformat()
    return out


def params_from(namespace: dict) -> dict:
    """The report parameters among a notebook's variables (its `parameters` cell, or the
    values Papermill injected)."""
    return {key: namespace[key] for key in DEFAULTS if key in namespace}


def _lines(node, prefix: str = "") -> dict:
    """{key path: line number} of every key in a composed YAML mapping."""
    out = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = f"{prefix}{key.value}"
            out[path] = key.start_mark.line + 1
            out.update(_lines(value, path + "."))
    return out


def read_yaml(path: Path, limit: int = MAX_PARAMS_BYTES, folder: Path | None = None):
    """(data, {key path: line}) of a YAML file read safely: through the guard (a regular file
    of folder, or any regular file when folder is None; its size limit measured by reading),
    no aliases or anchors (a few hundred bytes of aliases can expand to gigabytes), no
    custom tags, no key given twice in one mapping."""
    from kompetens.io.guard import read_input

    source = str(path)
    raw = read_input(path, folder, limit, source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(source, None, None, "filen är inte UTF-8-text")) from None
    if _bracket_depth(text) > MAX_YAML_DEPTH:  # the YAML scanner slows down with every level
        raise InputError(Problem(source, None, None, f"ogiltig YAML: nästlad djupare än {MAX_YAML_DEPTH} nivåer"))
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise InputError(
                    Problem(source, line, None, "YAML-ankare och alias (& och *) är inte tillåtna", where="nyckel")
                )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        _duplicate_keys(node, source)
        data = yaml.safe_load(text)
    except RecursionError:
        raise InputError(Problem(source, None, None, "ogiltig YAML: för djupt nästlad")) from None
    except (ValueError, OverflowError):  # a date that does not exist, e.g. 2026-02-30
        line, value = _bad_timestamp(node)
        raise InputError(Problem(source, line, None, "datumet finns inte", value, where="nyckel")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            Problem(source, line, None, f"ogiltig YAML: {getattr(exc, 'problem', exc)}", where="nyckel")
        ) from None
    return data, _lines(node)


#: The deepest nesting of [ and { a YAML file may have (params and plans need a few levels).
MAX_YAML_DEPTH = 50


def _bracket_depth(text: str) -> int:
    """The deepest nesting of [ and { in text (brackets inside quotes counted too: an upper
    bound, enough to refuse a file built to be slow to parse)."""
    depth = deepest = 0
    for c in text:
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(0, depth - 1)
    return deepest


def _bad_timestamp(node) -> tuple[int | None, str | None]:
    """(line, text) of the first YAML date in node that is no real date."""
    loader = yaml.SafeLoader("")
    stack = [node]
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return node.start_mark.line + 1, node.value
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None, None


def _duplicate_keys(node, source: str) -> None:
    """Refuse a key given twice in one mapping (YAML would keep the last one silently)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key, value in node.value:
                name = getattr(key, "value", None)
                if isinstance(name, str) and name in seen:
                    rule = f"nyckeln står två gånger (rad {seen[name]} och {key.start_mark.line + 1})"
                    raise InputError(Problem(source, key.start_mark.line + 1, name, rule, where="nyckel"))
                seen[name] = key.start_mark.line + 1
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_params(path: str | Path) -> dict:
    """Read one params/*.yaml file and check it; returns only the keys it sets."""
    path = Path(path)
    raw, lines = read_yaml(path)
    raw = raw or {}
    if not isinstance(raw, dict):
        raise InputError(Problem(str(path), None, None, "ska vara en samling nyckel: värde"))
    bad = [k for k in raw if not isinstance(k, str)]
    if bad:
        raise InputError(Problem(str(path), None, str(bad[0]), "nyckeln ska vara text", where="nyckel"))
    check_params(raw, str(path), lines)
    return raw


def _shown(value) -> str:
    """A default as the README's table writes it (YAML-like)."""
    if value is None:
        return "null"
    return str(value)


def params_table() -> str:
    """The README's parameter table (Markdown), generated from the schema."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for name, field in Params.model_fields.items():
        rows.append(f"| `{name}` | {_shown(field.default)} | {field.description} |")
    return "\n".join(rows)
