"""The hand-over summary: what the receiving agency needs to take a file over, as JSON stored with the
hand-over (a snapshot of the day it was proposed).

Only categories the receiving agency may read once it leads the file (legal basis, or a valid consent
naming it) go in; the others are listed as withheld. Built set-based for many persons at once, so a bulk
hand-over costs a few queries per chunk instead of a few per person; a single hand-over uses the same
code with one id.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from stella.agencies.models import Agency, Role
from stella.authz.policy import Action, Category, FileContext, decide
from stella.cases.models import Consent, Participation, TimelineEntry
from stella.competences.models import Qualification, WorkExperience
from stella.core.actor import Actor
from stella.journey.models import DecisionOutcome, EventKind, StatusEvent, Task, TaskState
from stella.journey.sets import AnyOf
from stella.journey.status import EventFact, TransitionError, fold
from stella.offers.models import Enrolment, EnrolmentState, Placement
from stella.people.models import (
    AccommodationType,
    Address,
    HouseholdMember,
    LanguageSkill,
    Nationality,
)
from stella.people.validators import country_name, language_name

SUMMARY_VERSION = 1
#: Placement entries ("measures so far") listed per person, newest first.
MAX_MEASURES = 10
MAX_TASKS = 10


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


@lru_cache(maxsize=512)
def _language(code: str) -> str:
    return language_name(code)


@lru_cache(maxsize=512)
def _country(code: str) -> str:
    return country_name(code)


def readable_after_acceptance(agency: Agency, consented: frozenset[Category] = frozenset()) -> list[Category]:
    """Categories the agency's caseworkers may read once the agency leads the file (the policy decides)."""
    reader = Actor(None, "", agency.pk, agency.code, agency.kind, frozenset({Role.CASEWORKER}))
    ctx = FileContext(participation="lead", consented=consented)
    return [c for c in Category if decide(reader, Action.READ, c, ctx).allowed]


def build_summaries(person_ids: list[int], agency: Agency, on: date | None = None) -> dict[int, dict[str, Any]]:
    """One summary per person for the receiving `agency`, with data as of `on` (today by default)."""
    on = on or timezone.localdate()
    ids = list(dict.fromkeys(person_ids))
    consented: dict[int, set[Category]] = defaultdict(set)
    for pid, cats in (Consent.objects.valid_on(on).filter(AnyOf("case_file__person_id", ids), agencies=agency)
                      .values_list("case_file__person_id", "categories")):
        consented[pid].update(Category(c) for c in cats if c in Category._value2member_map_)
    base = readable_after_acceptance(agency)
    allowed: dict[int, list[Category]] = {
        pid: (readable_after_acceptance(agency, frozenset(consented[pid])) if consented.get(pid) else base)
        for pid in ids}
    wanted = set().union(*allowed.values()) if allowed else set()
    parts: dict[str, dict[int, Any]] = {}
    if Category.RESIDENCE in wanted:
        parts["residence"] = _residence(ids, on)
    if Category.IDENTITY in wanted:
        parts["identity"] = _identity(ids, on)
    if Category.COMPETENCES in wanted:
        parts["languages"] = _languages(ids)
        parts["competences"] = _competences(ids)
    if Category.PLACEMENT in wanted:
        parts["measures"] = _measures(ids)
    counts = _entry_counts(ids)
    tasks = _open_tasks(ids)
    participations = _participations(ids, on)
    now = timezone.now().isoformat()
    out: dict[int, dict[str, Any]] = {}
    for pid in ids:
        cats = allowed[pid]
        summary: dict[str, Any] = {
            "version": SUMMARY_VERSION, "generated_at": now, "reference_date": on.isoformat(),
            "for_agency": agency.code, "for_agency_name": agency.name,
            "categories": [c.value for c in cats],
            "withheld": [c.value for c in Category if c not in cats],
            "participations": participations.get(pid, []),
            "open_tasks": tasks.get(pid, {"count": 0, "items": []}),
        }
        if Category.RESIDENCE in cats:
            summary["residence"] = parts["residence"].get(pid, {})
        if Category.IDENTITY in cats:
            summary["identity"] = parts["identity"].get(pid, {})
        if Category.COMPETENCES in cats:
            summary["languages"] = parts["languages"].get(pid, [])
            summary["competences"] = parts["competences"].get(pid, {"occupations": [], "qualifications": []})
        if Category.PLACEMENT in cats:
            summary["measures"] = parts["measures"].get(pid, [])
        summary["entries"] = {c.value: counts.get((pid, c.value), 0) for c in cats}
        out[pid] = summary
    return out


def build_summary(person_id: int, agency: Agency, on: date | None = None) -> dict[str, Any]:
    return build_summaries([person_id], agency, on)[person_id]


# --- parts (each one query over all persons) ------------------------------------------------------

EVENT_LABELS = {k.value: k.label for k in EventKind}
OUTCOME_LABELS = {o.value: o.label for o in DecisionOutcome}
ACCOMMODATION_LABELS = {a.value: a.label for a in AccommodationType}


def _residence(ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    events: dict[int, list[tuple[int, str, date, str]]] = defaultdict(list)
    for row in (StatusEvent.objects.filter(AnyOf("person_id", ids), correction__isnull=True, voids=False)
                .order_by("person_id", "effective_date", "id")
                .values_list("person_id", "id", "kind", "effective_date", "outcome")):
        events[row[0]].append(row[1:])
    addresses: dict[int, tuple[str, str, str, date]] = {}
    for pid, municipality, postcode, accommodation, valid_from in (
            Address.objects.filter(AnyOf("person_id", ids), valid_from__lte=on)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("person_id", "valid_from", "id")
            .values_list("person_id", "municipality", "postcode", "accommodation", "valid_from")):
        addresses[pid] = (municipality, postcode, accommodation, valid_from)  # the latest valid one wins
    out: dict[int, dict[str, Any]] = {}
    for pid in ids:
        history = events.get(pid, [])
        try:
            situation = fold([EventFact(kind, day, outcome, key=pk) for pk, kind, day, outcome in history], until=on)
            state, state_label, since = situation.state.value, situation.state.label, _iso(situation.since)
            final = _iso(situation.decision_final_date)
        except TransitionError:  # cannot happen for stored history; never fail a summary over it
            state, state_label, since, final = "", "", None, None
        address = addresses.get(pid)
        out[pid] = {
            "state": state, "state_label": state_label, "since": since, "decision_final_date": final,
            "history": [{"kind": kind, "label": EVENT_LABELS.get(kind, kind), "date": day.isoformat(),
                         "outcome": outcome, "outcome_label": OUTCOME_LABELS.get(outcome, "")}
                        for _, kind, day, outcome in history],
            "address": ({"municipality": address[0], "postcode": address[1], "accommodation": address[2],
                         "accommodation_label": ACCOMMODATION_LABELS.get(address[2], address[2]),
                         "since": address[3].isoformat()} if address else None),
        }
    return out


def _identity(ids: list[int], on: date) -> dict[int, dict[str, Any]]:
    nationalities: dict[int, list[dict[str, str]]] = defaultdict(list)
    for pid, code in (Nationality.objects.filter(AnyOf("person_id", ids), valid_until__isnull=True)
                      .order_by("person_id", "id").values_list("person_id", "country")):
        nationalities[pid].append({"code": code, "name": _country(code)})
    active = Q(since__lte=on) & (Q(until__isnull=True) | Q(until__gte=on))
    memberships = list(HouseholdMember.objects.filter(active, AnyOf("person_id", ids))
                       .select_related("household").order_by("person_id", "id"))
    members: dict[int, list[HouseholdMember]] = defaultdict(list)
    for m in (HouseholdMember.objects.filter(active, household_id__in={m.household_id for m in memberships})
              .order_by("household_id", "id")):
        members[m.household_id].append(m)
    households: dict[int, dict[str, Any]] = {}
    for m in memberships:
        others = [o for o in members.get(m.household_id, []) if o.person_id != m.person_id]
        households.setdefault(m.person_id, {
            "household_id": m.household_id, "bg_number": m.household.bg_number, "size": len(others) + 1,
            "relationship": m.get_relationship_display(),
            "members": [{"person_id": o.person_id, "relationship": o.get_relationship_display()} for o in others],
        })
    return {pid: {"nationalities": nationalities.get(pid, []), "household": households.get(pid)} for pid in ids}


def _languages(ids: list[int]) -> dict[int, list[dict[str, str]]]:
    out: dict[int, list[dict[str, str]]] = defaultdict(list)
    for pid, code, level in (LanguageSkill.objects.filter(AnyOf("person_id", ids)).order_by("person_id", "id")
                             .values_list("person_id", "language", "level")):
        out[pid].append({"code": code, "name": _language(code), "level": level})
    return out


def _competences(ids: list[int]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Current work experience with its KldB code (or the title as given) and qualifications with recognition."""
    out: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"occupations": [], "qualifications": []})
    for pid, given, code, title, years in (
            WorkExperience.objects.filter(AnyOf("person_id", ids), ended_at__isnull=True).order_by("person_id", "id")
            .values_list("person_id", "title_as_given", "occupation__code", "occupation__title", "years")):
        out[pid]["occupations"].append({"code": code or "", "title": title or given, "as_given": given,
                                        "years": float(years)})
    for q in Qualification.objects.filter(AnyOf("person_id", ids), ended_at__isnull=True).order_by("person_id", "id"):
        out[q.person_id]["qualifications"].append({"title": q.title, "kind": q.get_kind_display(),
                                                   "recognition": q.get_recognition_display()})
    return dict(out)


def _measures(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Courses and measures with a seat, placements and placement notes of the timeline, newest first."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seated = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.DROPPED)
    for e in (Enrolment.objects.filter(AnyOf("person_id", ids), state__in=seated)
              .select_related("offer", "agency")):
        result = f", {e.result_level}" if e.result_level else ""
        found[e.person_id].append({"title": f"{e.offer.title} ({e.get_state_display()}{result})",
                                   "date": (e.enrolled_on or e.offer.starts_on).isoformat(), "agency": e.agency.code})
    for p in Placement.objects.filter(AnyOf("person_id", ids)).select_related("agency"):
        found[p.person_id].append({"title": f"{p.get_kind_display()}: {p.employer}", "date": p.starts_on.isoformat(),
                                   "agency": p.agency.code})
    rows = (TimelineEntry.objects.filter(AnyOf("case_file__person_id", ids), category=Category.PLACEMENT)
            .order_by("case_file__person_id", "-occurred_at", "-id")
            .values_list("case_file__person_id", "title", "occurred_at", "agency__code"))
    for pid, title, occurred, agency in rows:
        found[pid].append({"title": title, "date": timezone.localdate(occurred).isoformat(), "agency": agency or ""})
    return {pid: sorted(items, key=lambda m: m["date"], reverse=True)[:MAX_MEASURES] for pid, items in found.items()}


def _entry_counts(ids: list[int]) -> dict[tuple[int, str], int]:
    rows = (TimelineEntry.objects.filter(AnyOf("case_file__person_id", ids))
            .values_list("case_file__person_id", "category").annotate(n=Count("id")).order_by())
    return {(pid, category): n for pid, category, n in rows}


def _open_tasks(ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for pid, title, due, agency in (Task.objects.filter(AnyOf("person_id", ids), state=TaskState.OPEN)
                                    .order_by("person_id", "due_date", "id")
                                    .values_list("person_id", "title", "due_date", "agency__code")):
        entry = out.setdefault(pid, {"count": 0, "items": []})
        entry["count"] += 1
        if len(entry["items"]) < MAX_TASKS:
            entry["items"].append({"title": title, "due_date": due.isoformat(), "agency": agency})
    return out


def _participations(ids: list[int], on: date) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, code, name, role, since in (Participation.objects.active_on(on).filter(AnyOf("case_file__person_id", ids))
                                         .order_by("case_file__person_id", "since", "id")
                                         .values_list("case_file__person_id", "agency__code", "agency__name",
                                                      "role", "since")):
        out[pid].append({"agency": code, "agency_name": name, "role": role, "since": since.isoformat()})
    return out


def visible_part(summary: dict[str, Any], categories: set[str]) -> dict[str, Any]:
    """The summary reduced to the categories a viewer may read (for viewers other than the receiver)."""
    keys = {"residence": "residence", "identity": "identity", "languages": "competences",
            "competences": "competences", "measures": "placement"}
    out = {k: v for k, v in summary.items() if keys.get(k, "") in categories or k not in keys}
    out["entries"] = {k: v for k, v in summary.get("entries", {}).items() if k in categories}
    return out


__all__ = ["SUMMARY_VERSION", "build_summaries", "build_summary", "readable_after_acceptance", "visible_part"]
