"""Auswertungen (issue 7): the pilot-district overview, the indicator page (definition, SVG trend chart with its
data table, filters, drill-down, target form), the table exports (CSV, XLSX) and the monthly PDF report.

Every number comes from `reporting.services.run_report` (the overview: `services.overview`, all key figures in
one call and one audit event), which applies the confidentiality rules and audits the run; this module only formats what was published. Exports are audited as EXPORT here as well (one event
per file: what was exported, never a person). Roles: analyst, team lead, admin, data-protection officer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from stella.agencies.models import Agency, RegionKind, Role
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.reporting import exports, indicators, svg
from stella.reporting.indicators import DEMOGRAPHIC_DIMS, DIM_LABELS, VALUE_LABELS, Indicator, Kind
from stella.reporting.numbers import de_number
from stella.reporting.report import Report, ReportRequest, Row
from stella.web.forms import StellaForm
from stella.web.labels import translate_message
from stella.web.views.common import _role_guard, actor_of, refuse

REPORT_ROLES = (Role.ANALYST, Role.TEAM_LEAD, Role.ADMIN, Role.DPO)
#: The monthly PDF: the SGB II-style key figures, the journey figures (not the cohort curve) and the stock.
MONTHLY = tuple(i.code for i in indicators.INDICATORS
                if i.kind is not Kind.CURVE and (i.group is not indicators.Group.COUNTS or i.code == "count_district"))
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def may_report(actor: Actor) -> bool:
    return actor.has_role(*REPORT_ROLES)


report_role_required = _role_guard(
    may_report,
    lambda: _("Auswertungen sehen nur Personen mit der Rolle Auswertung, Teamleitung, Administration oder "
              "Datenschutz. Fallbearbeitende sehen ihre Fälle unter „Meine Fälle“."))


def _services() -> Any:
    """The reporting services (imported on use: the web app must load even while the cube is empty)."""
    from stella.reporting import services

    return services


# ---------------------------------------------------------------------------------------------------------------
# Forms


def parse_month(text: str) -> date:
    m = MONTH_RE.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise forms.ValidationError(_("Bitte den Monat als JJJJ-MM angeben, z. B. 2026-09."), code="month")
    return date(int(m.group(1)), int(m.group(2)), 1)


class MonthField(forms.Field):
    """A reference month typed as JJJJ-MM (the first day of that month, or None)."""

    def to_python(self, value: Any) -> date | None:
        text = str(value or "").strip()
        return parse_month(text) if text else None


def _district_choices() -> list[tuple[str, str]]:
    from stella.agencies.models import Region

    return [("", _("alle Pilotkreise"))] + [
        (r.code, r.name) for r in Region.objects.filter(kind=RegionKind.LANDKREIS).order_by("name")]


def _agency_choices() -> list[tuple[str, str]]:
    return [("", _("alle Behörden"))] + [
        (a.code, a.name) for a in Agency.objects.filter(active=True).order_by("name")]


class ReportFilterForm(StellaForm):
    """The GET filters of an indicator page (and its exports). The service checks the rest (unknown unit,
    period outside the data, a combination that would reveal a person) and its errors land on these fields."""

    error_map = {"filter_value": "filter_value", "dim": "filter_dim", "value": "filter_value"}

    month = MonthField(label=gettext_lazy("Bezugsmonat"), required=False,
                       help_text=gettext_lazy("JJJJ-MM; leer: neuester Monat mit vollständigen Daten"),
                       widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                     "placeholder": "2026-09", "size": 8,
                                                     "maxlength": 7}))
    district = forms.ChoiceField(label=gettext_lazy("Landkreis"), required=False,
                                 error_messages={"invalid_choice": gettext_lazy("Unbekannter Landkreis.")})
    agency = forms.ChoiceField(label=gettext_lazy("Behörde"), required=False,
                               error_messages={"invalid_choice": gettext_lazy("Unbekannte Behörde.")})
    team = forms.CharField(label=gettext_lazy("Team"), required=False, max_length=80)
    filter_dim = forms.ChoiceField(
        label=gettext_lazy("Nur Personen mit Merkmal"), required=False,
        choices=[("", gettext_lazy("kein Merkmalsfilter"))] + [(d, DIM_LABELS[d]) for d in DEMOGRAPHIC_DIMS],
        error_messages={"invalid_choice": gettext_lazy("Unbekanntes Merkmal.")})
    filter_value = forms.CharField(label=gettext_lazy("Ausprägung"), required=False, max_length=20,
                                   help_text=gettext_lazy("z. B. f (Frauen), asyl8, sgb2, u25"))
    breakdown = forms.ChoiceField(
        label=gettext_lazy("Aufgliedern nach"), required=False,
        choices=[("", gettext_lazy("Standard der Kennzahl"))]
        + [(b, DIM_LABELS[b]) for b in indicators.BREAKDOWNS if b],
        help_text=gettext_lazy("Mit einem Merkmalsfilter nur nach Monat (statistische Geheimhaltung)."),
        # stella.js disables the options a filter does not allow while a filter is chosen (the service refuses
        # them again: query.resolve)
        widget=forms.Select(attrs={"data-filter-source": "id_filter_dim", "data-allowed-with-filter": " ".join(
            b for b in indicators.BREAKDOWNS_WITH_FILTER if b)}),
        error_messages={"invalid_choice": gettext_lazy("Unbekannte Aufgliederung.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = _district_choices()  # type: ignore[attr-defined]
        self.fields["agency"].choices = _agency_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dim, value = data.get("filter_dim") or "", (data.get("filter_value") or "").strip()
        data["filter_value"] = value
        if dim and not value:
            self.add_error("filter_value", _("Bitte die Ausprägung des Merkmals angeben."))
        elif value and not dim:
            self.add_error("filter_dim", _("Bitte das Merkmal wählen, zu dem die Ausprägung gehört."))
        elif dim in VALUE_LABELS and value and value not in VALUE_LABELS[dim]:
            allowed = ", ".join(f"{k} ({v})" for k, v in VALUE_LABELS[dim].items() if k)
            self.add_error("filter_value", _("Unbekannte Ausprägung. Möglich sind: %(allowed)s.") % {"allowed": allowed})
        return data

    def report_request(self, code: str) -> ReportRequest:
        c = self.cleaned_data
        return ReportRequest(code, month=c.get("month"), district=c.get("district") or "",
                             agency=c.get("agency") or "", team=(c.get("team") or "").strip(),
                             filter_dim=c.get("filter_dim") or "", filter_value=c.get("filter_value") or "",
                             breakdown=c.get("breakdown") or "")


class TargetForm(StellaForm):
    """A team lead's target for the own agency or the own team."""

    year = forms.IntegerField(label=gettext_lazy("Jahr"), min_value=2015, max_value=2100,
                              error_messages={"invalid": gettext_lazy("Bitte ein Jahr angeben, z. B. 2026."),
                                              "min_value": gettext_lazy("Das Jahr muss 2015 oder später sein."),
                                              "max_value": gettext_lazy("Das Jahr ist zu weit in der Zukunft.")})
    value = forms.CharField(label=gettext_lazy("Zielwert"), max_length=12,
                            help_text=gettext_lazy("Quote in Prozent, Dauer in Tagen, Bestand als Anzahl; z. B. 22,5"))
    unit = forms.ChoiceField(label=gettext_lazy("Gilt für"))
    note = forms.CharField(label=gettext_lazy("Anmerkung"), required=False, max_length=300)

    def __init__(self, *args: Any, actor: Actor, team: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("agency", _("eigene Behörde (%(code)s)") % {"code": actor.agency_code})]
        if team:
            choices.append(("team", _("eigenes Team (%(team)s)") % {"team": team}))
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]
        self.team = team

    def clean_value(self) -> Decimal:
        raw = (self.cleaned_data.get("value") or "").strip().replace(" ", "").replace("%", "")
        try:
            value = Decimal(raw.replace(".", "").replace(",", ".") if "," in raw else raw)
        except InvalidOperation:
            raise forms.ValidationError(_("Bitte eine Zahl angeben, z. B. 22,5.")) from None
        if not value.is_finite() or value < 0:
            raise forms.ValidationError(_("Der Zielwert darf nicht negativ sein."))
        return value


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _indicator(code: str) -> Indicator:
    try:
        return indicators.get(code)
    except KeyError:
        raise Http404(_("Unbekannte Kennzahl „%(code)s“.") % {"code": code}) from None


def _value(row: Row | None) -> Decimal | None:
    if row is None or row.figure.suppressed:
        return None
    return row.figure.value


def _digits(ind: Indicator) -> int:
    return 1 if ind.kind in (Kind.RATE, Kind.CURVE) else 0


def _unit(ind: Indicator) -> str:
    return "%" if ind.kind in (Kind.RATE, Kind.CURVE) else ind.unit


def _run(actor: Actor, request: ReportRequest) -> Report:
    return _services().run_report(actor=actor, request=request)


def _query(params: dict[str, str]) -> str:
    clean = {k: v for k, v in params.items() if v}
    return f"?{urlencode(clean)}" if clean else ""


def _month_param(month: date | None) -> str:
    return f"{month.year:04d}-{month.month:02d}" if month else ""


@dataclass
class Crumb:
    label: str
    url: str = ""


@dataclass
class Page:
    """What the indicator template shows, prepared here so the template stays simple."""

    report: Report
    table: exports.Table
    charts: list[SafeString] = field(default_factory=list)
    trend_rows: list[tuple[str, str]] = field(default_factory=list)
    curve_rows: list[tuple[str, str, str]] = field(default_factory=list)
    drill_links: list[dict[str, str]] = field(default_factory=list)


def _charts(report: Report) -> tuple[list[SafeString], list[tuple[str, str]], list[tuple[str, str, str]]]:
    ind = report.indicator
    unit, digits = _unit(ind), _digits(ind)
    charts: list[SafeString] = []
    labels = [exports.month_short(date.fromisoformat(r.key)) if _is_iso(r.key) else r.label for r in report.trend]
    trend_rows = [(label, r.figure.display) for label, r in zip(labels, report.trend, strict=True)]
    curve_rows: list[tuple[str, str, str]] = []
    if ind.kind is Kind.CURVE:
        buckets = [r for r in report.rows if r.key.isdigit()]
        x = [r.label for r in buckets]
        ref = [Decimal(str(ind.reference[int(r.key)])) if int(r.key) in ind.reference else None for r in buckets]
        charts.append(svg.line_chart(
            x, [svg.Series(_("Stella (diese Auswahl)"), [_value(r) for r in buckets]),
                svg.Series(_("bundesweit (IAB)"), ref)],
            title=_("%(title)s: Stella gegen bundesweite Kurve") % {"title": ind.title}, uid="chart-curve",
            y_label=_("Beschäftigungsquote (%)"), x_label=_("Jahre seit Einreise"), digits=1))
        curve_rows = [(r.label, r.figure.display, de_number(v, 1) + " %" if v is not None else "–")
                      for r, v in zip(buckets, ref, strict=True)]
    elif ind.kind is Kind.DURATION:
        rows = [*report.rows, report.total]
        charts.append(svg.quartile_chart(
            [r.label for r in rows],
            [None if r.figure.suppressed or r.figure.quartiles is None else r.figure.quartiles for r in rows],
            title=_("%(title)s: Median und Quartile nach %(dim)s") % {
                "title": ind.title, "dim": DIM_LABELS.get(report.breakdown, report.breakdown)},
            uid="chart-quartiles"))
        if report.trend:
            charts.append(svg.line_chart(
                labels, [svg.Series(_("Median (Tage)"), [_value(r) for r in report.trend])],
                title=_("%(title)s: Median im Verlauf") % {"title": ind.title}, uid="chart-trend", unit="Tage",
                y_label=_("Tage"), x_label=_("Bezugsmonat"), digits=0))
    elif report.trend:
        charts.append(svg.line_chart(
            labels, [svg.Series(ind.title, [_value(r) for r in report.trend])],
            title=_("%(title)s im Verlauf") % {"title": ind.title}, uid="chart-trend", unit=unit,
            y_label=_("Quote (%)") if unit == "%" else ind.unit, x_label=_("Bezugsmonat"), digits=digits,
            bars=ind.kind is Kind.COUNT))
    return charts, trend_rows, curve_rows


def _is_iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


NEXT_LEVEL = {"district": "agency", "agency": "team"}


def _drill(report: Report, base: dict[str, str], code: str) -> list[dict[str, str]]:
    """Per row: the link one level down, or the reason why there is none."""
    out = []
    url = reverse("web:report", args=[code])
    for row in report.rows:
        if report.breakdown not in ("district", "agency", "team"):
            break
        if row.drill:
            params = {**base, **{k: v for k, v in row.drill.items() if k != "indicator"}}
            if row.drill.get("month"):
                params["month"] = row.drill["month"][:7]  # the service speaks ISO dates, the form JJJJ-MM
            nxt = row.drill.get("breakdown", NEXT_LEVEL.get(report.breakdown, ""))
            out.append({"key": row.key, "url": url + _query(params),
                        "text": _("%(label)s nach %(dim)s") % {"label": row.label, "dim": DIM_LABELS.get(nxt, nxt)}})
        elif report.breakdown == "team":
            out.append({"key": row.key, "why": _("Team ist die unterste Ebene der Auswertung.")})
        elif row.figure.suppressed == exports.NO_DATA:
            out.append({"key": row.key, "why": _("keine Daten")})
        elif row.figure.suppressed:
            out.append({"key": row.key, "why": _("gesperrt (*): %(reason)s") % {"reason": row.figure.reason or "–"}})
        else:
            out.append({"key": row.key, "why": _("Keine weitere Aufgliederung: die nächste Ebene läge unter der "
                                                 "Geheimhaltungsgrenze (weniger als 3 Personen oder Haushalte).")})
    return out


def _unit_names() -> dict[str, str]:
    """Names of districts and agencies by code (for the crumbs and the selection line)."""
    return {**dict(_district_choices()[1:]), **dict(_agency_choices()[1:])}


def _crumbs(code: str, req: ReportRequest, base: dict[str, str]) -> list[Crumb]:
    names = _unit_names()
    url = reverse("web:report", args=[code])
    keep = {k: v for k, v in base.items() if k in ("month", "filter_dim", "filter_value")}
    crumbs = [Crumb(_("alle Pilotkreise"), url + _query({**keep, "breakdown": "district"}))]
    if req.district:
        crumbs.append(Crumb(names.get(req.district, req.district),
                            url + _query({**keep, "district": req.district, "breakdown": "agency"})))
    if req.agency:
        crumbs.append(Crumb(names.get(req.agency, req.agency),
                            url + _query({**keep, "district": req.district, "agency": req.agency,
                                          "breakdown": "team"})))
    if req.team:
        crumbs.append(Crumb(req.team))
    crumbs[-1].url = ""
    return crumbs


def _base_params(form: ReportFilterForm) -> dict[str, str]:
    c = form.cleaned_data
    return {"month": _month_param(c.get("month")), "district": c.get("district") or "",
            "agency": c.get("agency") or "", "team": (c.get("team") or "").strip(),
            "filter_dim": c.get("filter_dim") or "", "filter_value": c.get("filter_value") or "",
            "breakdown": c.get("breakdown") or ""}


def _user_team(request: HttpRequest) -> str:
    return str(getattr(request.user, "team", "") or "")


# ---------------------------------------------------------------------------------------------------------------
# Overview


@dataclass
class OverviewRow:
    label: str
    key: str
    figure: str
    previous: str
    suppressed: bool
    reason: str
    spark: SafeString | None = None
    url: str = ""


@dataclass
class OverviewBlock:
    indicator: Indicator
    rows: list[OverviewRow]
    url: str


def _family_blank(series: dict[str, list[Decimal | None]]) -> dict[str, list[Decimal | None]]:
    """Blank a month in every district's sparkline when one district has no published value in it: for counts,
    which add up to the Land total beside them, the others' values would let a reader compute the missing one.
    (Rates and medians do not add up; their sparklines show only values the district's own report publishes.)"""
    if not series:
        return series
    n = max(len(v) for v in series.values())
    holes = {i for v in series.values() for i in range(n) if i >= len(v) or v[i] is None}
    return {k: [None if i in holes else x for i, x in enumerate(v)] for k, v in series.items()}


def _overview_block(land: Report, own_trends: dict[str, list[Row]]) -> OverviewBlock:
    """One key figure: the Land table by district with a sparkline per row. A district's sparkline is its own
    trend (published by its own report); a district hidden in the Land table gets none (only its "*")."""
    ind, code = land.indicator, land.indicator.code
    trends: dict[str, list[Decimal | None]] = {}
    labels: dict[str, list[str]] = {}
    for row in land.rows:
        own = own_trends.get(row.key)
        if row.figure.suppressed or own is None:
            trends[row.key] = [None]
            labels[row.key] = [exports.month_short(land.month)]
            continue
        values = [_value(r) for r in own]
        if values:
            values[-1] = _value(row)  # the breakdown's (secondarily suppressed) figure wins
        trends[row.key] = values
        labels[row.key] = [exports.month_short(date.fromisoformat(r.key)) if _is_iso(r.key) else r.label
                           for r in own]
    width = max((len(v) for v in trends.values()), default=0)
    trends = {k: v + [None] * (width - len(v)) for k, v in trends.items()}
    if ind.kind is Kind.COUNT:  # counts add up to the Land total: close the differencing gap
        trends = _family_blank(trends)
    url = reverse("web:report", args=[code])
    rows = []
    for i, row in enumerate([*land.rows, land.total]):
        total = row is land.total
        values = [_value(r) for r in land.trend] if total else trends.get(row.key, [])
        lab = ([exports.month_short(date.fromisoformat(r.key)) if _is_iso(r.key) else r.label
                for r in land.trend] if total else labels.get(row.key, []))
        lab = lab + [""] * (len(values) - len(lab))
        spark = svg.sparkline(values, labels=lab, uid=f"spark-{code}-{i}", unit=_unit(ind),
                              digits=_digits(ind),
                              title=_("Verlauf %(indicator)s, %(unit)s") % {
                                  "indicator": ind.title, "unit": row.label}) if values else None
        params = {"month": _month_param(land.month)}
        if not total:
            params.update({"district": row.key, "breakdown": "agency"})
        else:
            params["breakdown"] = "district"
        rows.append(OverviewRow(
            row.label, row.key, row.figure.display, row.previous_year.display if row.previous_year else "–",
            bool(row.figure.suppressed) and row.figure.suppressed != exports.NO_DATA,
            row.figure.reason, spark,
            "" if row.figure.suppressed else url + _query(params)))
    return OverviewBlock(ind, rows, url + _query({"month": _month_param(land.month)}))


@report_role_required
def overview(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    month: date | None = None
    month_error = ""
    raw = (request.GET.get("month") or "").strip()
    if raw:
        try:
            month = parse_month(raw)
        except forms.ValidationError as exc:
            month_error = exc.messages[0]
    blocks: list[OverviewBlock] = []
    report_month: date | None = None
    data_until: date | None = None
    notes: list[str] = []
    error = ""
    if not month_error:
        try:
            result = _services().overview(actor=actor, month=month)
            report_month, data_until = result.month, result.data_until
            for fig in result.figures:
                land = fig.report
                notes.extend(n for n in land.notes if n not in notes)
                blocks.append(_overview_block(land, fig.trends))
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except (InvalidInput, NotFound) as exc:
            error = translate_message(exc.message)
            blocks = []
    context = {
        "blocks": blocks, "month": report_month, "data_until": data_until, "notes": notes,
        "month_value": raw, "month_error": month_error, "error": error,
        "label_note": indicators.LABEL_NOTE, "star_note": exports.STAR_NOTE,
        "pdf_url": reverse("web:report_pdf") + _query({"month": _month_param(report_month)}),
        "groups": _catalogue(),
    }
    status = 400 if month_error or error else 200
    return render(request, "web/reports/overview.html", context, status=status)


def _catalogue() -> list[tuple[str, list[Indicator]]]:
    groups: dict[str, list[Indicator]] = {}
    for ind in indicators.INDICATORS:
        groups.setdefault(ind.group.value, []).append(ind)
    return list(groups.items())


# ---------------------------------------------------------------------------------------------------------------
# Indicator page


def _indicator_page(request: HttpRequest, code: str, *, target_form: TargetForm | None = None,
                    status: int = 200) -> HttpResponse:
    ind = _indicator(code)
    actor = actor_of(request)
    form = ReportFilterForm(request.GET)
    is_lead = actor.has_role(Role.TEAM_LEAD)
    if is_lead and target_form is None:
        target_form = TargetForm(actor=actor, team=_user_team(request),
                                 initial={"year": timezone.localdate().year, "unit": "agency"})
    context: dict[str, Any] = {"indicator": ind, "form": form, "target_form": target_form if is_lead else None,
                               "label_note": indicators.LABEL_NOTE, "star_note": exports.STAR_NOTE,
                               "dash_note": exports.DASH_NOTE, "page": None, "error": ""}
    if not form.is_valid():
        return render(request, "web/reports/indicator.html", context, status=400)
    req = form.report_request(code)
    try:
        report = _run(actor, req)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except InvalidInput as exc:
        if request.GET:
            form.apply_service_errors(exc)
            context["form"] = form
        else:
            context["error"] = translate_message(exc.message)
        return render(request, "web/reports/indicator.html", context, status=400)
    except NotFound as exc:
        context["error"] = translate_message(exc.message)
        return render(request, "web/reports/indicator.html", context, status=404)
    base = _base_params(form)
    base["month"] = _month_param(report.month)
    charts, trend_rows, curve_rows = _charts(report)
    page = Page(report, exports.build_table(report), charts, trend_rows, curve_rows, _drill(report, base, code))
    drill_by_key = {d["key"]: d for d in page.drill_links}
    lines = [(row, None if row.is_total else drill_by_key.get(row.key)) for row in page.table.rows]
    export_params = dict(base)
    context.update({
        "page": page, "lines": lines, "has_drill": bool(drill_by_key), "crumbs": _crumbs(code, req, base),
        "csv_url": reverse("web:report_csv", args=[code]) + _query(export_params),
        "xlsx_url": reverse("web:report_xlsx", args=[code]) + _query(export_params),
        "pdf_url": reverse("web:report_pdf") + _query({"month": base["month"]}),
        "target_url": reverse("web:report_target", args=[code]) + _query(base),
        "breakdown_label": DIM_LABELS.get(report.breakdown, report.breakdown),
        "filter_text": _filter_text(req),
    })
    return render(request, "web/reports/indicator.html", context, status=status)


def _filter_text(req: ReportRequest) -> str:
    names = _unit_names() if req.district or req.agency else {}
    parts = []
    if req.district:
        parts.append(f"{DIM_LABELS['district']} {names.get(req.district, req.district)}")
    if req.agency:
        parts.append(names.get(req.agency, req.agency))
    if req.team:
        parts.append(f"{DIM_LABELS['team']} {req.team}")
    if req.filter_dim:
        value = VALUE_LABELS.get(req.filter_dim, {}).get(req.filter_value, req.filter_value)
        parts.append(f"{DIM_LABELS.get(req.filter_dim, req.filter_dim)}: {value}")
    return ", ".join(parts)


@report_role_required
def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    return _indicator_page(request, code)


@require_POST
@report_role_required
def set_target(request: HttpRequest, code: str) -> HttpResponse:
    ind = _indicator(code)
    actor = actor_of(request)
    if not actor.has_role(Role.TEAM_LEAD):
        return refuse(request, _("Zielwerte setzen nur Teamleitungen, für die eigene Behörde oder ihre Teams."))
    team = _user_team(request)
    form = TargetForm(request.POST, actor=actor, team=team)
    if form.is_valid():
        c = form.cleaned_data
        unit_team = team if c["unit"] == "team" else ""
        try:
            _services().set_target(actor=actor, indicator=ind.code, year=c["year"], value=c["value"],
                                   agency=actor.agency_code, team=unit_team, note=c["note"])
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("Zielwert %(value)s für %(year)s gespeichert (%(unit)s).") % {
                "value": de_number(c["value"], _digits(ind)), "year": c["year"],
                "unit": unit_team or actor.agency_code})
            params = {"agency": actor.agency_code, "team": unit_team,
                      "breakdown": "team" if not unit_team else ""}
            return redirect(reverse("web:report", args=[code]) + _query(params))
    return _indicator_page(request, code, target_form=form, status=400)


# ---------------------------------------------------------------------------------------------------------------
# Exports


def _export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _indicator(code)
    actor = actor_of(request)
    form = ReportFilterForm(request.GET or {})
    back = reverse("web:report", args=[code]) + (f"?{request.GET.urlencode()}" if request.GET else "")
    if not form.is_valid():
        messages.error(request, _("Export nicht möglich: bitte die Filter prüfen."))
        return redirect(back)
    req = form.report_request(code)
    try:
        report = _run(actor, req)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except (InvalidInput, NotFound) as exc:
        messages.error(request, _("Export nicht möglich: %(reason)s") % {"reason": translate_message(exc.message)})
        return redirect(back)
    body = exports.to_csv(report) if fmt == "csv" else exports.to_xlsx(report)
    _audit_export(actor, fmt, report)
    stamp = _month_param(report.month)
    name = f"stella-{code}-{stamp}{'-' + report.request.district if report.request.district else ''}.{fmt}"
    ctype = ("text/csv; charset=utf-8" if fmt == "csv"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _audit_export(actor: Actor, fmt: str, report: Report) -> None:
    _services().record_export(actor=actor, report=report, fmt=fmt)


@report_role_required
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, "csv")


@report_role_required
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, "xlsx")


@require_http_methods(["GET"])
@report_role_required
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    raw = (request.GET.get("month") or "").strip()
    back = reverse("web:reports")
    try:
        month = parse_month(raw) if raw else None
    except forms.ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(back)
    reports: list[Report] = []
    try:
        for code in MONTHLY:
            reports.append(_run(actor, ReportRequest(code, month=month or (reports[0].month if reports else None),
                                                     breakdown="district")))
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except (InvalidInput, NotFound) as exc:
        messages.error(request, _("Monatsbericht nicht möglich: %(reason)s") % {
            "reason": translate_message(exc.message)})
        return redirect(back + _query({"month": raw}))
    first = reports[0]
    created = timezone.localtime().strftime("%d.%m.%Y %H:%M")
    body = exports.monthly_pdf(reports, month=first.month, data_until=first.data_until, created=created)
    _services().record_export(actor=actor, fmt="pdf", detail={
        "object": "monatsbericht", "month": first.month.isoformat(), "indicators": list(MONTHLY)})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stella-monatsbericht-{_month_param(first.month)}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
