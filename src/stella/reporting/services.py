"""Use cases of the outcome reports: run a report (aggregates only, confidentiality applied, audited), set a
target (team leads), and the catalogue of indicators and organisational units for the adapters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stella.agencies.models import Role
from stella.audit.models import AuditAction
from stella.audit.service import record, record_denied
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput
from stella.reporting import query
from stella.reporting.indicators import INDICATORS, LABEL, LABEL_NOTE, Kind, Measure
from stella.reporting.indicators import get as get_indicator
from stella.reporting.models import Cell, RefreshState, Target
from stella.reporting.report import Report, ReportRequest, Row

#: Roles that may run reports (aggregates only; any unit).
REPORT_ROLES = (Role.ANALYST, Role.TEAM_LEAD, Role.ADMIN, Role.DPO)
REPORT_REFUSAL = ("Auswertungen dürfen nur Personen mit der Rolle Auswertung, Teamleitung, Administration oder "
                  "Datenschutzbeauftragte/r abrufen.")
TARGET_REFUSAL = "Zielwerte dürfen nur Teamleitungen setzen."
FIRST_TARGET_YEAR = 2015


def may_run_reports(actor: Actor) -> bool:
    return actor.has_role(*REPORT_ROLES)


#: Minutes after which a report run queues a background refresh (setting STELLA_REPORTING_REFRESH_MINUTES; 0: never).
DEFAULT_REFRESH_MINUTES = 10


def refresh_if_stale() -> bool:
    """Queue the incremental refresh (task `refresh_reports`, run by `stella db-worker`) when the figures are
    older than the refresh interval and none is running – so reports stay current without a cron job, and the
    request itself never waits for it. At most one queued task per interval and process. True if queued."""
    minutes = int(getattr(settings, "STELLA_REPORTING_REFRESH_MINUTES", DEFAULT_REFRESH_MINUTES))
    if minutes <= 0:
        return False
    now = timezone.now()
    state = RefreshState.objects.order_by("pk").first()
    if state is not None and state.running_since is not None and now - state.running_since < timedelta(hours=1):
        return False
    if state is not None and state.refreshed_at is not None and now - state.refreshed_at < timedelta(minutes=minutes):
        return False
    if not cache.add("stella-reporting-refresh-queued", True, timeout=minutes * 60):
        return False
    from stella.reporting.tasks import enqueue_refresh

    transaction.on_commit(enqueue_refresh)
    return True


def run_report(*, actor: Actor, request: ReportRequest, today: date | None = None) -> Report:
    """Answer a report request from the cells: AccessDenied (German reason, audited) for roles without
    reporting access, InvalidInput with German field errors for a bad request; one audit event per run."""
    if not may_run_reports(actor):
        record_denied(actor, AuditAction.READ, reason=REPORT_REFUSAL, object_type="report",
                      detail={"indicator": request.indicator})
        raise AccessDenied(REPORT_REFUSAL)
    refresh_if_stale()
    resolved = query.resolve(request, today=today)
    report = query.answer(resolved)
    with transaction.atomic():
        record(actor, AuditAction.READ, object_type="report", object_id=resolved.indicator.code, detail={
            "indicator": resolved.indicator.code,
            "month": resolved.month.isoformat(),
            "unit": resolved.unit.as_dict(),
            "filter": {"dim": resolved.filter_dim, "value": resolved.filter_value} if resolved.filter_dim else {},
            "breakdown": resolved.breakdown,
            "suppressed": query.suppressed_count(report),
        })
    return report


def record_export(*, actor: Actor, report: Report | None = None, fmt: str, detail: dict[str, Any] | None = None) -> None:
    """Audit an export of report figures (CSV, XLSX, PDF) – what left the system, in which format. The figures
    were already answered by `run_report` (and audited as read); only reporting roles may export."""
    if not may_run_reports(actor):
        raise AccessDenied(REPORT_REFUSAL)
    info: dict[str, Any] = {"format": fmt, **(detail or {})}
    if report is not None:
        req = report.request
        info.update(indicator=req.indicator, month=report.month.isoformat(), district=req.district,
                    agency=req.agency, team=req.team, filter_dim=req.filter_dim, filter_value=req.filter_value,
                    breakdown=report.breakdown)
    with transaction.atomic():
        record(actor, AuditAction.EXPORT, object_type="report",
               object_id=report.request.indicator if report is not None else str(info.get("object", "")),
               detail=info)


def set_target(*, actor: Actor, indicator: str, year: int, value: Decimal | int | float | str, district: str = "",
               agency: str = "", team: str = "", note: str = "") -> Target:
    """Store a team lead's target for an indicator, year and unit (a new row; the newest is in force).

    Rules (docs/reporting.md, "Zielwerte"): only team leads; only for their own agency (agency '' means the own
    agency), optionally one of its teams, and optionally restricted to the agency's own Landkreis; rates
    0 … 100 (per cent), other indicators ≥ 0; years 2015 … next year."""
    if not actor.has_role(Role.TEAM_LEAD):
        record_denied(actor, AuditAction.CREATE, reason=TARGET_REFUSAL, object_type="report_target",
                      detail={"indicator": indicator})
        raise AccessDenied(TARGET_REFUSAL)
    agency = agency or actor.agency_code
    if agency != actor.agency_code:
        reason = "Zielwerte dürfen nur für die eigene Behörde und ihre Teams gesetzt werden."
        record_denied(actor, AuditAction.CREATE, reason=reason, object_type="report_target",
                      detail={"indicator": indicator, "agency": agency})
        raise AccessDenied(reason)

    errors: dict[str, str] = {}
    ind = None
    try:
        ind = get_indicator(indicator)
    except KeyError:
        errors["indicator"] = f"Unbekannte Kennzahl „{indicator}“."
    next_year = timezone.localdate().year + 1
    if not isinstance(year, int) or not FIRST_TARGET_YEAR <= year <= next_year:
        errors["year"] = f"Das Jahr muss zwischen {FIRST_TARGET_YEAR} und {next_year} liegen."
    try:
        amount = Decimal(str(value).replace(",", "."))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = "Bitte eine Zahl angeben."
    else:
        if ind is not None and ind.kind in (Kind.RATE, Kind.CURVE) and not 0 <= amount <= 100:
            errors["value"] = "Ein Zielwert für eine Quote liegt zwischen 0 und 100 (Prozent)."
        elif amount < 0:
            errors["value"] = "Der Zielwert darf nicht negativ sein."
        elif amount.as_tuple().exponent < -2 or abs(amount) >= 10 ** 6:  # type: ignore[operator]
            errors["value"] = "Höchstens zwei Nachkommastellen und weniger als 1.000.000."
    own_district = _agency_district(agency)
    if district and district != own_district:
        errors["district"] = (f"Die Behörde {agency} gehört zum Landkreis {own_district or 'unbekannt'}; "
                              f"ein Zielwert für {district} ist nicht möglich.")
    if team and team not in teams_of(agency):
        errors["team"] = f"Das Team „{team}“ ist in der Behörde {agency} nicht bekannt."
    if len(note) > 300:
        errors["note"] = "Die Anmerkung darf höchstens 300 Zeichen lang sein."
    if errors:
        raise InvalidInput(errors)

    assert actor.user_id is not None  # a team lead is a user
    with transaction.atomic():
        target = Target.objects.create(indicator=indicator, year=year, district=district, agency=agency, team=team,
                                       value=amount.quantize(Decimal("0.01")), note=note, set_by_id=actor.user_id)
        record(actor, AuditAction.CREATE, object_type="report_target", object_id=target.pk, detail={
            "indicator": indicator, "year": year, "district": district, "agency": agency, "team": team,
            "value": str(target.value)})
    return target


def targets(*, indicator: str = "", year: int | None = None) -> QuerySet[Target]:
    """Targets, newest first (the first per key is in force)."""
    qs = Target.objects.all()
    if indicator:
        qs = qs.filter(indicator=indicator)
    if year is not None:
        qs = qs.filter(year=year)
    return qs


def _agency_district(agency: str) -> str:
    from stella.agencies.models import Agency

    found = Agency.objects.filter(code=agency).values_list("landkreis__code", flat=True).first()
    return found or ""


def teams_of(agency: str) -> list[str]:
    """Teams of an agency: those in the cells, and those its users belong to."""
    from stella.accounts.models import User

    found = set(Cell.objects.filter(measure=Measure.STOCK, agency=agency, district="", dim="").exclude(team="")
                .values_list("team", flat=True).distinct())
    found |= set(User.objects.filter(agency__code=agency).exclude(team="").values_list("team", flat=True))
    return sorted(found)


def indicator_catalogue() -> list[dict[str, Any]]:
    """Every indicator with its definition, formula, official counterpart and anchors (German), for the UI/API."""
    out = []
    for ind in INDICATORS:
        out.append({
            "code": ind.code, "title": ind.title, "group": str(ind.group), "kind": str(ind.kind), "unit": ind.unit,
            "definition": ind.definition, "formula": ind.formula, "official": ind.official,
            "anchors": [asdict(a) for a in ind.anchors],
            "reference": {str(k): v for k, v in ind.reference.items()}, "reference_label": ind.reference_label,
            "default_breakdown": ind.default_breakdown,
            "breakdowns": allowed_breakdowns(ind.code),
            "label": LABEL, "label_note": LABEL_NOTE,
        })
    return out


def allowed_breakdowns(code: str) -> list[str]:
    ind = get_indicator(code)
    org = ["district", "agency", *(["team"] if query.has_teams(ind) else [])]
    return [*org, *query.dims_of(ind), "month", *(["bucket"] if ind.kind == Kind.CURVE else [])]


def units() -> list[dict[str, Any]]:
    """Districts (code, name), their agencies and the agencies' teams, as the newest month's cells show them."""
    from stella.agencies.models import Agency, Region, RegionKind

    span = query.data_range()
    if span is None:
        return []
    # the units of the newest month (indexed: measure, month, dim …)
    newest = Cell.objects.filter(measure=Measure.STOCK, month=span[1], dim="")
    pairs = set(newest.filter(team="").exclude(district="").exclude(agency="")
                .values_list("district", "agency").distinct())
    team_rows = set(newest.filter(district="").exclude(agency="").exclude(team="")
                    .values_list("agency", "team").distinct())
    teams: dict[str, list[str]] = {}
    for agency, team in sorted(team_rows):
        teams.setdefault(agency, []).append(team)
    names = dict(Agency.objects.filter(code__in={a for _, a in pairs}).values_list("code", "name"))
    codes = {d for d, _ in pairs}
    out = []
    for region in Region.objects.filter(kind=RegionKind.LANDKREIS).order_by("name"):
        if codes and region.code not in codes:
            continue
        agencies = sorted(a for d, a in pairs if d == region.code)
        out.append({"code": region.code, "name": region.name, "agencies": [
            {"code": a, "name": names.get(a, a), "teams": teams.get(a, [])} for a in agencies]})
    return out


def data_status() -> dict[str, Any]:
    """The data range of the reports (first month, newest complete month), for the UI/API."""
    span = query.data_range()
    if span is None:
        return {"first_month": None, "data_until": None}
    return {"first_month": span[0], "data_until": span[1]}


# --- the pilot-district overview (one call, one audit event) ------------------------------------------------------

#: The overview's key figures, in this order.
OVERVIEW_INDICATORS = ("k2", "activation", "dur_first_integration", "handover30", "count_district")


@dataclass(frozen=True)
class OverviewFigure:
    """One key figure of the overview. `report` is exactly what `run_report` gives for
    ReportRequest(code, month, breakdown="district"); `trends` maps every district whose row is published (not
    "*", not "–") to exactly the `trend` of run_report(ReportRequest(code, month, district=…, breakdown="month"))
    – a district hidden in the Land table gets no trend (its own report would show the hidden value)."""

    report: Report
    trends: dict[str, list[Row]] = field(default_factory=dict)


@dataclass(frozen=True)
class Overview:
    month: date
    data_until: date
    figures: list[OverviewFigure]


def overview(*, actor: Actor, month: date | None = None, today: date | None = None) -> Overview:
    """The pilot-district overview: every key figure for the Land by district and each published district's
    trend, with the same figures and "*" decisions as the single `run_report` calls would give – but one
    audit event ("overview") instead of one per report, and the districts' trends of a figure from one cell read
    (all districts and trend months at once) instead of one report run per district. AccessDenied (audited) for
    roles without reporting access; InvalidInput for a month outside the data."""
    if not may_run_reports(actor):
        record_denied(actor, AuditAction.READ, reason=REPORT_REFUSAL, object_type="report",
                      detail={"indicator": "overview"})
        raise AccessDenied(REPORT_REFUSAL)
    refresh_if_stale()
    key = _overview_key(month, today or timezone.localdate())
    result: Overview | None = cache.get(key)
    if result is None:
        result = _overview(month, today)
        cache.set(key, result, timeout=OVERVIEW_CACHE_SECONDS)
    with transaction.atomic():  # every run is audited, also one answered from the cache
        record(actor, AuditAction.READ, object_type="report", object_id="overview", detail={
            "indicator": "overview",
            "indicators": list(OVERVIEW_INDICATORS),
            "month": result.month.isoformat(),
            "unit": query.Unit().as_dict(),
            "breakdown": "district",
            "suppressed": sum(query.suppressed_count(f.report) for f in result.figures),
        })
    return result


#: The overview is the same for everyone allowed to see it and changes only with the cells and the targets; it
#: is cached under a key that names both (a cube build raises RefreshState.cells_version, a new target is a new
#: row), so a cached answer is never out of date – the timeout only bounds the memory.
OVERVIEW_CACHE_SECONDS = 600


def _overview_key(month: date | None, today: date) -> str:
    version = RefreshState.objects.order_by("pk").values_list("cells_version", flat=True).first() or 0
    target = Target.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"stella-reporting-overview:{month or 'neuester'}:{today.isoformat()}:{version}:{target}"


def _overview(month: date | None, today: date | None) -> Overview:
    figures: list[OverviewFigure] = []
    first: query.Resolved | None = None
    for code in OVERVIEW_INDICATORS:
        request = ReportRequest(code, month=first.month if first else month, breakdown="district")
        if first is None:
            first = resolved = query.resolve(request, today=today)
        else:  # same month and data range; only the indicator differs (a Land-by-district request is valid for all)
            resolved = replace(first, indicator=get_indicator(code))
        linked = query.linked_for(resolved)  # the districts' trends reuse the cells and decisions of Land by district
        land = query.answer(resolved, drills=False, linked=linked)  # the overview links to the indicator pages
        figures.append(OverviewFigure(land, _district_trends(resolved, land, linked)))
    assert first is not None
    return Overview(month=first.month, data_until=first.data_until, figures=figures)


def _district_trends(res: query.Resolved, land: Report, linked: query.Linked) -> dict[str, list[Row]]:
    """The trend rows of every published district of `land`, exactly as each district's own report publishes
    them (`query.unit_trend`: the linked-table decisions of `answer`, one read per table)."""
    ind = res.indicator
    districts = [r.key for r in land.rows if not r.figure.suppressed]
    if not districts:
        return {}
    months = [date.fromisoformat(r.key) for r in land.trend]
    units = [query.Unit(district=d) for d in districts]
    figures = query.unit_trend(ind, units, months, filter_dim=res.filter_dim, filter_value=res.filter_value,
                               linked=linked)
    targets = {year: query.targets_in_force(ind, year) for year in {m.year for m in months}}
    out: dict[str, list[Row]] = {}
    for u in units:
        spec = query.RowSpec("", "", u.district, "", "", res.filter_dim, res.filter_value)
        out[u.district] = [Row(key=m.isoformat(), label=query.month_label(m), figure=fig,
                               target=query.target_for(targets[m.year], spec))
                           for m, fig in zip(months, figures[u], strict=True)]
    return out
