"""Outcome reports over the API (issue 7): the indicator catalogue, the organisational units, one report per
indicator (the same `services.run_report` as the dashboard, so the same confidentiality and the same audit
event per run) and the team lead's targets.

Only published figures leave this module: a suppressed figure has `display` "*", a `suppressed` kind and a
German `reason`, and every number of it is null – the report shapes never carry a hidden value.
Query parameters are strict: a misspelt filter is refused (422) rather than dropped, because a dropped filter
would answer with a number for another population.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from stella.api.auth import actor
from stella.api.schemas import Strict
from stella.core.errors import AccessDenied, InvalidInput
from stella.reporting import indicators
from stella.reporting import services as reporting
from stella.reporting.indicators import LABEL, LABEL_NOTE, Indicator
from stella.reporting.report import Figure, Report, ReportRequest, Row

router = Router(tags=["Auswertungen"])

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_MESSAGE = "Ungültiger Monat: erwartet JJJJ-MM, z. B. 2025-06."


# --- schemas -------------------------------------------------------------------------------------------------

class AnchorOut(Schema):
    value: float
    label: str
    source: str


class IndicatorOut(Schema):
    code: str
    title: str
    group: str = Field(description="Kennzahlen im Stil des SGB II, Wege durch die Integration oder Bestände")
    kind: str = Field(description="rate (Prozent), duration (Tage: Median und Quartile), count, curve")
    definition: str
    formula: str
    official: str = Field(description="amtliches Gegenstück (oder „keine amtliche Entsprechung“)")
    unit: str
    default_breakdown: str
    breakdowns: list[str] = Field(description="erlaubte Werte für `breakdown` bei dieser Kennzahl")
    anchors: list[AnchorOut] = Field(description="veröffentlichte Vergleichswerte mit Quelle")
    reference: dict[str, float] = Field(description="Vergleichskurve {Jahre seit Einreise: Prozent} (nur curve)")
    reference_label: str


class CatalogueOut(Schema):
    label: str = Field(description="„Stella-Fallbasis“: keine amtliche Statistik")
    label_note: str
    breakdowns: dict[str, str] = Field(description="erlaubte Werte für `breakdown` mit Bezeichnung")
    filter_dims: dict[str, str] = Field(description="erlaubte Werte für `filter_dim` mit Bezeichnung")
    filter_values: dict[str, dict[str, str]] = Field(description="bekannte Ausprägungen je Merkmal")
    indicators: list[IndicatorOut]


class AgencyUnitOut(Schema):
    code: str = Field(description="Wert für `agency`, z. B. JC-LB")
    name: str
    teams: list[str] = Field(description="Werte für `team`")


class DistrictUnitOut(Schema):
    code: str = Field(description="Wert für `district`, z. B. LK-LB")
    name: str
    agencies: list[AgencyUnitOut]


class UnitsOut(Schema):
    districts: list[DistrictUnitOut]


class FigureOut(Schema):
    display: str = Field(description="deutsch formatiert: „21,3 %“, „1.204“, „*“ (unterdrückt), „–“ (nicht berechenbar)")
    value: float | None = Field(description="Quote in Prozent, Anzahl oder Median in Tagen; null wenn unterdrückt")
    numerator: int | None
    denominator: float | None = Field(description="Nenner (Ø Bestand kann gebrochen sein); null wenn unterdrückt")
    quartiles: list[float] | None = Field(description="Dauern: Q1, Median, Q3 in Tagen")
    suppressed: str = Field(description="'' | primary | secondary | denominator | no_data")
    reason: str = Field(description="warum „*“ (deutsch)")


class RowOut(Schema):
    key: str = Field(description="Ausprägung der Aufgliederung ('' = insgesamt; Monat als JJJJ-MM-TT)")
    label: str
    figure: FigureOut
    previous_year: FigureOut | None = Field(description="gleicher Wert zwölf Monate früher")
    ytd: FigureOut | None = Field(description="Jahresfortschrittswert (Januar bis Bezugsmonat)")
    target: float | None = Field(description="Zielwert der Teamleitung für Einheit und Jahr")
    drill: dict[str, str] | None = Field(description="Parameter der nächsttieferen Abfrage; null an der "
                                                     "Vertraulichkeitsgrenze")


class RequestOut(Schema):
    district: str
    agency: str
    team: str
    filter_dim: str
    filter_value: str
    breakdown: str


class ReportOut(Schema):
    label: str = Field(description="immer „Stella-Fallbasis“")
    label_note: str
    indicator: IndicatorOut
    month: str = Field(description="Bezugsmonat JJJJ-MM")
    data_until: str | None = Field(description="letzter vollständig berechneter Monat JJJJ-MM")
    breakdown: str
    breakdown_label: str
    request: RequestOut
    rows: list[RowOut]
    total: RowOut
    trend: list[RowOut] = Field(description="Gesamtwert der letzten Monate, älteste zuerst")
    notes: list[str]


class ReportQuery(Schema):
    """Query parameters of a report; unknown parameters are refused in the handler (ninja does not hand them to
    the schema), because a dropped filter would be a wrong number."""

    month: str = Field("", description="Bezugsmonat JJJJ-MM (ohne: der neueste vollständige Monat)")
    district: str = Field("", max_length=20, description="Landkreis, z. B. LK-LB (ohne: alle)")
    agency: str = Field("", max_length=30, description="Behörde, z. B. JC-LB (ohne: alle)")
    team: str = Field("", max_length=80, description="Team der Behörde")
    filter_dim: str = Field("", max_length=20,
                            description="ein demografisches Merkmal: " + ", ".join(indicators.DEMOGRAPHIC_DIMS))
    filter_value: str = Field("", max_length=20, description="seine Ausprägung, z. B. f (bei filter_dim=sex)")
    breakdown: str = Field("", max_length=20, description="Aufgliederung: " + ", ".join(b for b in indicators.BREAKDOWNS if b)
                           + " (ohne: die der Kennzahl)")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        value = value.strip()
        if value and parse_month(value) is None:
            raise ValueError(MONTH_MESSAGE)
        return value


class TargetIn(Strict):
    """Range checks (year, per cent, own agency and team) are the service's, with the web form's messages."""

    indicator: str = Field(max_length=40, description="Kennzahl, z. B. k2")
    year: int = Field(description="Jahr, für das das Ziel gilt")
    district: str = Field("", max_length=20, description="nur im Landkreis der eigenen Behörde (ohne: überall)")
    agency: str = Field("", max_length=30, description="die eigene Behörde (ohne: die eigene)")
    team: str = Field("", max_length=80, description="ein Team der eigenen Behörde (ohne: die ganze Behörde)")
    value: float | str = Field(description="Zielwert in der Einheit der Kennzahl (Quoten in Prozent, 0 bis 100)")
    note: str = Field("", max_length=300)


class TargetOut(Schema):
    id: int
    indicator: str
    year: int
    district: str
    agency: str
    team: str
    value: float
    note: str
    set_by: str
    set_at: datetime


# --- shaping -------------------------------------------------------------------------------------------------

def parse_month(text: str) -> date | None:
    """`2025-06` → 1 June 2025; None for anything else (also 2025-13)."""
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def _month(d: date | None) -> str | None:
    return d.strftime("%Y-%m") if d else None


def _num(value: Decimal | int | float | None) -> float | None:
    return None if value is None else float(value)


def indicator_dict(ind: Indicator) -> dict[str, Any]:
    return {"code": ind.code, "title": ind.title, "group": str(ind.group), "kind": str(ind.kind),
            "definition": ind.definition, "formula": ind.formula, "official": ind.official, "unit": ind.unit,
            "default_breakdown": ind.default_breakdown, "breakdowns": reporting.allowed_breakdowns(ind.code),
            "anchors": [{"value": a.value, "label": a.label, "source": a.source} for a in ind.anchors],
            "reference": {str(k): v for k, v in ind.reference.items()}, "reference_label": ind.reference_label}


def figure_dict(f: Figure) -> dict[str, Any]:
    if f.suppressed:  # never a hidden value, whatever the service left in the object
        return {"display": "*" if f.suppressed != "no_data" else f.display, "value": None, "numerator": None,
                "denominator": None, "quartiles": None, "suppressed": f.suppressed, "reason": f.reason}
    return {"display": f.display, "value": _num(f.value), "numerator": f.numerator,
            "denominator": _num(f.denominator),
            "quartiles": [float(q) for q in f.quartiles] if f.quartiles else None,
            "suppressed": "", "reason": f.reason}


def row_dict(r: Row) -> dict[str, Any]:
    return {"key": r.key, "label": r.label, "figure": figure_dict(r.figure),
            "previous_year": figure_dict(r.previous_year) if r.previous_year else None,
            "ytd": figure_dict(r.ytd) if r.ytd else None, "target": _num(r.target),
            "drill": dict(r.drill) if r.drill is not None else None}


def report_dict(report: Report) -> dict[str, Any]:
    req = report.request
    return {"label": report.label, "label_note": LABEL_NOTE, "indicator": indicator_dict(report.indicator),
            "month": _month(report.month), "data_until": _month(report.data_until),
            "breakdown": report.breakdown, "breakdown_label": indicators.DIM_LABELS.get(report.breakdown, ""),
            "request": {"district": req.district, "agency": req.agency, "team": req.team,
                        "filter_dim": req.filter_dim, "filter_value": req.filter_value, "breakdown": req.breakdown},
            "rows": [row_dict(r) for r in report.rows], "total": row_dict(report.total),
            "trend": [row_dict(r) for r in report.trend], "notes": list(report.notes)}


def _may_report(request: HttpRequest) -> None:
    """Catalogue and units are for the reporting roles as the reports are (403 with the service's reason)."""
    if not reporting.may_run_reports(actor(request)):
        raise AccessDenied(reporting.REPORT_REFUSAL)


def _target(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "indicator": t.indicator, "year": t.year, "district": t.district, "agency": t.agency,
            "team": t.team, "value": float(t.value), "note": t.note, "set_by": t.set_by.username,
            "set_at": t.set_at}


# --- endpoints -----------------------------------------------------------------------------------------------

@router.get("/indicators", response=CatalogueOut, summary="Kennzahlenkatalog")
def catalogue(request: HttpRequest) -> Any:
    """Every indicator with definition, formula, official counterpart, anchor figures and allowed breakdowns;
    the filters a report accepts. Roles: Auswertung, Teamleitung, Administration, Datenschutz."""
    _may_report(request)
    return {"label": LABEL, "label_note": LABEL_NOTE,
            "breakdowns": {b: indicators.DIM_LABELS[b] for b in indicators.BREAKDOWNS if b},
            "filter_dims": {d: indicators.DIM_LABELS[d] for d in indicators.DEMOGRAPHIC_DIMS},
            "filter_values": indicators.VALUE_LABELS, "indicators": reporting.indicator_catalogue()}


@router.get("/units", response=UnitsOut, summary="Landkreise, Behörden und Teams")
def units(request: HttpRequest) -> Any:
    """The organisational units with data (codes for `district`, `agency`, `team`)."""
    _may_report(request)
    return {"districts": reporting.units()}


@router.post("/targets", response={201: TargetOut}, summary="Zielwert setzen")
def set_target(request: HttpRequest, payload: TargetIn) -> Any:
    """A team lead sets the target for an indicator, a year and their agency or one of its teams. Append-only:
    the newest target for the key is in force."""
    target = reporting.set_target(actor=actor(request), indicator=payload.indicator, year=payload.year,
                                  district=payload.district, agency=payload.agency, team=payload.team,
                                  value=payload.value, note=payload.note)
    return Status(201, _target(target))


@router.get("/{indicator}", response=ReportOut, summary="Auswertung einer Kennzahl")
def report(request: HttpRequest, indicator: str, query: Query[ReportQuery]) -> Any:
    """One report: the figure per row of the breakdown, the total, the trend and notes – as published
    (cells below 3 persons or 3 households, rates with a denominator under 10 and cells that would reveal them
    are "*" with null numbers and a reason). Every run is recorded in the audit trail."""
    unknown = sorted(set(request.GET) - set(ReportQuery.model_fields))
    if unknown:
        allowed = ", ".join(ReportQuery.model_fields)
        raise InvalidInput({name[:40]: f"Unbekannter Parameter (erlaubt: {allowed})." for name in unknown})
    req = ReportRequest(indicator=indicator, month=parse_month(query.month) if query.month else None,
                        district=query.district.strip(), agency=query.agency.strip(), team=query.team.strip(),
                        filter_dim=query.filter_dim, filter_value=query.filter_value.strip(),
                        breakdown=query.breakdown)
    return report_dict(reporting.run_report(actor=actor(request), request=req))
