"""Batch runs of the duplicate detection and the review queue: who may start a run, what a run writes
(one transaction: candidates, automatic merges above a configured threshold, the run's counts), which
candidates an actor sees, the side-by-side view (never more than the policy allows) and the decisions
"verschiedene Personen" / "gleiche Person" with optimistic locking.

See docs/linkage-review.md for the decisions (scope of a district run, thresholds, the queue's rules)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from stella.agencies.models import Agency, Region, RegionKind, Role
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import SEARCH_ANY_KINDS, Action, Category, decide
from stella.cases.access import file_context, today
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, DomainError, InvalidInput, NotFound
from stella.linkage.models import CandidateState, LinkCandidate, LinkRun, RunState
from stella.linkage.online import queue_threshold, visible_evidence
from stella.linkage.records import LinkRecord, persons_for_linkage, records_of
from stella.people.models import Address, Person

log = logging.getLogger(__name__)

#: Roles that review candidates (they work on identity data of files).
REVIEW_ROLES = frozenset({Role.REGISTRATION, Role.CASEWORKER, Role.TEAM_LEAD})
#: A run that has been "running" this long died with its worker (django-tasks issue #46): it is failed.
STALE_RUN = timedelta(hours=6)
NOTE_MAX = 2000
QUEUE_STATES = ("open", "confirmed", "distinct", "merged", "all")


def auto_merge_threshold() -> float | None:
    """STELLA_LINKAGE_AUTO_MERGE_THRESHOLD: None (default) = never merge automatically."""
    value: Any = getattr(settings, "STELLA_LINKAGE_AUTO_MERGE_THRESHOLD", None)
    return None if value is None or value == "" else float(value)


# --- runs ---------------------------------------------------------------------------------------------------

def may_start_run(actor: Actor) -> bool:
    """Team leads of public bodies (they may find any person anyway), and the platform itself (CLI)."""
    return actor.is_system or (actor.has_role(Role.TEAM_LEAD) and actor.agency_kind in SEARCH_ANY_KINDS
                               and actor.agency_id is not None)


def _own_landkreis(actor: Actor) -> Region | None:
    if actor.agency_id is None:
        return None
    agency = Agency.objects.select_related("landkreis").filter(pk=actor.agency_id).first()
    return agency.landkreis if agency else None


def start_run(*, actor: Actor, district_code: str | None = None, enqueue: bool = True) -> LinkRun:
    """Queue a batch run. Team leads run it for their own Landkreis (the default); a run over the whole
    database is started by the platform (`stella linkage run`). One run per scope at a time."""
    if not may_start_run(actor):
        reason = "Dublettenläufe startet nur die Teamleitung einer öffentlichen Stelle."
        audit.record_denied(actor, AuditAction.CREATE, reason=reason, object_type="link_run")
        raise AccessDenied(reason)
    code = (district_code or "").strip().upper()
    region: Region | None = None
    if code:
        region = Region.objects.filter(code=code, kind=RegionKind.LANDKREIS).first()
        if region is None:
            raise InvalidInput({"district": f"Unbekannter Landkreis „{code}“ (z. B. LK-LB)."})
    if not actor.is_system:
        own = _own_landkreis(actor)
        if region is None:
            region = own
        if region is None or own is None or region.pk != own.pk:
            reason = "Ein Dublettenlauf ist nur für den eigenen Landkreis möglich."
            audit.record_denied(actor, AuditAction.CREATE, reason=reason, object_type="link_run",
                                detail={"district": code})
            raise AccessDenied(reason)
    reap_runs()
    with transaction.atomic():
        busy = LinkRun.objects.select_for_update().filter(
            district=region, state__in=[RunState.QUEUED, RunState.RUNNING]).first()
        if busy is not None:
            raise InvalidInput({"district": f"Für diesen Bereich ist bereits ein Dublettenlauf in Arbeit "
                                            f"(Nr. {busy.pk})."})
        agency_id = actor.agency_id
        if agency_id is None and region is not None:
            agency_id = Agency.objects.filter(landkreis=region).values_list("pk", flat=True).first()
        if agency_id is None:
            agency_id = Agency.objects.order_by("pk").values_list("pk", flat=True).first()
        if agency_id is None:
            raise InvalidInput({"district": "Es ist noch keine Behörde angelegt."})
        run = LinkRun.objects.create(
            district=region, agency_id=agency_id, requested_by_id=actor.user_id,
            parameters={"queue_threshold": queue_threshold(), "auto_merge_threshold": auto_merge_threshold()})
        audit.record(actor, AuditAction.CREATE, object_type="link_run", object_id=run.pk,
                     detail={"district": region.code if region else None, "parameters": run.parameters})
        if enqueue:
            from stella.linkage.tasks import enqueue_run

            transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def reap_runs(now: datetime | None = None) -> list[int]:
    """Runs left 'running' by a killed worker are failed (their writes were one transaction: nothing
    half-written). Returns their ids."""
    now = now or timezone.now()
    stale = list(LinkRun.objects.filter(state=RunState.RUNNING, started_at__lt=now - STALE_RUN)
                 .values_list("pk", flat=True))
    if stale:
        LinkRun.objects.filter(pk__in=stale).update(
            state=RunState.FAILED, finished_at=now,
            error="Abgebrochen: der Lauf hat sich nicht zurückgemeldet (Worker beendet?). Nichts wurde geschrieben.")
    return stale


def run_scope(run: LinkRun) -> QuerySet[Person]:
    """The persons a run compares: all (not merged away), or those linked to the district – a current address
    in one of its municipalities or an active participation of one of its agencies."""
    qs = persons_for_linkage()
    if run.district_id is None:
        return qs
    from stella.agencies.models import Municipality

    names = Municipality.objects.filter(landkreis_id=run.district_id).values("name")
    lives = Address.objects.filter(valid_until__isnull=True, municipality__in=names).values("person_id")
    joined = (Participation.objects.active_on(today()).filter(agency__landkreis_id=run.district_id)
              .values("case_file__person_id"))
    return qs.filter(Q(pk__in=lives) | Q(pk__in=joined))


@dataclass
class _Pair:
    a: int
    b: int
    probability: float
    match_weight: float
    evidence: list[dict[str, Any]]


def _pairs_of(result: Any) -> list[_Pair]:
    """engine.predict answers with ScoredPairs or an Arrow table; both become (a < b) pairs."""
    rows: Iterable[Any] = result.to_pylist() if hasattr(result, "to_pylist") else result
    out: dict[tuple[int, int], _Pair] = {}
    for r in rows:
        get: Any = r.get if isinstance(r, Mapping) else (lambda k, r=r: getattr(r, k, None))
        left, right = int(get("left_id")), int(get("right_id"))
        if left == right:
            continue
        a, b = sorted((left, right))
        pair = _Pair(a, b, float(get("probability")), float(get("match_weight") or 0.0), list(get("evidence") or []))
        if (a, b) not in out or out[(a, b)].probability < pair.probability:
            out[(a, b)] = pair
    return list(out.values())


def _run_actor(run: LinkRun) -> Actor:
    return Actor.system(f"Dublettenlauf Nr. {run.pk}")


def execute_run(run_id: int) -> LinkRun:
    """Do the run: read the records, predict and cluster (engine), then write everything in one transaction.
    Any error leaves the run 'failed' with the message and no candidate or merge written."""
    from stella.linkage import engine

    claimed = LinkRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=timezone.now())
    run = LinkRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        records = list(records_of(run_scope(run)))
        floor = float(run.parameters.get("queue_threshold") or queue_threshold())
        auto = run.parameters.get("auto_merge_threshold")
        raw = list(engine.predict(records, threshold=floor)) if len(records) > 1 else []
        pairs = _pairs_of(raw)
        clusters: dict[str, str] = {}
        if auto is not None and pairs:
            # "Verschiedene Personen" decisions are cannot-link constraints; a chain of weak links never
            # puts two persons into one cluster (engine.cluster), so only direct, strong pairs merge.
            distinct = {frozenset((str(a), str(b))) for a, b in LinkCandidate.objects.filter(
                state=CandidateState.DISTINCT).values_list("person_a_id", "person_b_id")}
            clusters = engine.cluster([r.record_id for r in records], raw, threshold=float(auto),
                                      cannot_link=distinct, records={r.record_id: r for r in records})
        with transaction.atomic():
            counts = _write_run(run, pairs, clusters, None if auto is None else float(auto),
                                getattr(engine, "MODEL_VERSION", ""))
            LinkRun.objects.filter(pk=run.pk).update(
                state=RunState.DONE, finished_at=timezone.now(), persons=len(records), pairs=len(pairs),
                candidates=counts["created"], auto_merged=counts["merged"],
                model_version=str(getattr(engine, "MODEL_VERSION", ""))[:40], error="")
            audit.record(_run_actor(run), AuditAction.UPDATE, object_type="link_run", object_id=run.pk,
                         detail={"state": RunState.DONE, "persons": len(records), "pairs": len(pairs), **counts})
    except Exception as exc:  # noqa: BLE001 – any failure: the run says so, the transaction wrote nothing
        log.exception("Dublettenlauf %s fehlgeschlagen", run_id)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        LinkRun.objects.filter(pk=run_id).update(state=RunState.FAILED, finished_at=timezone.now(), error=message)
        audit.record(_run_actor(run), AuditAction.UPDATE, object_type="link_run", object_id=run_id,
                     detail={"state": RunState.FAILED, "error": message[:300]})
    run.refresh_from_db()
    return run


def _write_run(run: LinkRun, pairs: Sequence[_Pair], clusters: Mapping[str, str], auto: float | None,
               model_version: str) -> dict[str, int]:
    """Upsert the candidates (open ones get the new score, decided ones stay), then merge automatically."""
    now = timezone.now()
    existing: dict[tuple[int, int], tuple[int, str]] = {}
    ids = sorted({p.a for p in pairs})
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for pk, a, b, state in LinkCandidate.objects.filter(person_a_id__in=chunk).values_list(
                "pk", "person_a_id", "person_b_id", "state"):
            existing[(a, b)] = (pk, state)
    new, changed = [], []
    for p in pairs:
        known = existing.get((p.a, p.b))
        if known is None:
            new.append(LinkCandidate(person_a_id=p.a, person_b_id=p.b, run=run, probability=p.probability,
                                     match_weight=p.match_weight, evidence=p.evidence,
                                     model_version=model_version, created_at=now, updated_at=now))
        elif known[1] == CandidateState.OPEN:
            changed.append(LinkCandidate(pk=known[0], run=run, probability=p.probability,
                                         match_weight=p.match_weight, evidence=p.evidence,
                                         model_version=model_version, updated_at=now))
    LinkCandidate.objects.bulk_create(new, batch_size=2000)
    LinkCandidate.objects.bulk_update(changed, ["run", "probability", "match_weight", "evidence", "model_version",
                                                "updated_at"], batch_size=2000)
    merged = _auto_merge(run, pairs, clusters, auto) if auto is not None else 0
    return {"created": len(new), "updated": len(changed), "merged": merged}


def _auto_merge(run: LinkRun, pairs: Sequence[_Pair], clusters: Mapping[str, str], auto: float) -> int:
    """Merge, per cluster, every member into the oldest person when their own pair reaches the threshold.
    A merge the merge service refuses (conflicting fields, already merged, …) leaves the pair in the queue."""
    from stella.linkage.merge import merge_persons

    groups: dict[str, list[int]] = defaultdict(list)
    for rid, cid in clusters.items():
        groups[cid].append(int(rid))
    strong = {(p.a, p.b): p for p in pairs if p.probability >= auto}
    merged = 0
    actor = _run_actor(run)
    for members in groups.values():
        if len(members) < 2:
            continue
        survivor, *others = sorted(members)
        for other in others:
            pair = strong.get((survivor, other))
            if pair is None:
                continue
            cand = LinkCandidate.objects.get(person_a_id=survivor, person_b_id=other)
            if cand.state != CandidateState.OPEN:
                continue
            try:
                with transaction.atomic():
                    merge_persons(actor=actor, survivor_id=survivor, absorbed_id=other, resolution={},
                                  reason=f"Automatisch zusammengeführt (Dublettenlauf Nr. {run.pk}, "
                                         f"Wahrscheinlichkeit {pair.probability:.4f})",
                                  candidate_id=cand.pk)
            except DomainError as exc:
                log.info("Automatische Zusammenführung %s/%s unterlassen: %s", survivor, other, exc.message)
                continue
            merged += 1
    return merged


def runs_for(*, actor: Actor) -> QuerySet[LinkRun]:
    """Runs of the actor's Landkreis and the whole-database runs (counts only: no person data)."""
    if not may_review(actor):
        return LinkRun.objects.none()
    own = _own_landkreis(actor)
    scope = Q(district__isnull=True) | Q(district=own) if own else Q(district__isnull=True)
    return LinkRun.objects.filter(scope).select_related("district", "agency", "requested_by")


def access_run(actor: Actor, run_id: int) -> LinkRun:
    run = runs_for(actor=actor).filter(pk=run_id).first()
    if run is None:
        if LinkRun.objects.filter(pk=run_id).exists():
            audit.record_denied(actor, AuditAction.READ, reason="Der Dublettenlauf gehört zu einem anderen Landkreis.",
                                object_type="link_run", object_id=run_id)
        raise NotFound("Der Dublettenlauf wurde nicht gefunden.")
    return run


# --- the queue ----------------------------------------------------------------------------------------------

def may_review(actor: Actor) -> bool:
    """Caseworkers, registration staff and team leads of public bodies work the queue."""
    return (actor.agency_id is not None and actor.agency_kind in SEARCH_ANY_KINDS
            and bool(actor.roles.intersection(REVIEW_ROLES)))


def _my_persons(actor: Actor) -> QuerySet[Any]:
    return (Participation.objects.active_on(today()).filter(agency_id=actor.agency_id or 0)
            .values("case_file__person_id"))


def _visible(actor: Actor) -> QuerySet[LinkCandidate]:
    if not may_review(actor):
        return LinkCandidate.objects.none()
    mine = _my_persons(actor)
    return LinkCandidate.objects.filter(Q(person_a_id__in=mine) | Q(person_b_id__in=mine))


def queue(actor: Actor, *, district: str | None = None, state: str = "open") -> QuerySet[LinkCandidate]:
    """Candidates of files the actor's agency takes part in, most certain first; pairs another agency has
    confirmed as one person and that wait for this agency come first. `state`: open (undecided, incl.
    waiting for an agency), confirmed, distinct, merged or all. The listing shows base identities: audited."""
    if state not in QUEUE_STATES:
        raise InvalidInput({"state": f"Unbekannter Stand „{state}“ (erlaubt: {', '.join(QUEUE_STATES)})."})
    qs = _visible(actor)
    if district:
        code = district.strip().upper()
        region = Region.objects.filter(code=code, kind=RegionKind.LANDKREIS).first()
        if region is None:
            raise InvalidInput({"district": f"Unbekannter Landkreis „{code}“ (z. B. LK-LB)."})
        there = (Participation.objects.active_on(today()).filter(agency__landkreis=region)
                 .values("case_file__person_id"))
        qs = qs.filter(Q(person_a_id__in=there) | Q(person_b_id__in=there))
    if state == "open":
        qs = qs.filter(state__in=[CandidateState.OPEN, CandidateState.CONFIRMED],
                       person_a__merged_into__isnull=True, person_b__merged_into__isnull=True)
    elif state != "all":
        qs = qs.filter(state=state)
    others = ~Q(confirmed_by_agency_id=actor.agency_id) if actor.agency_id is not None else Q()
    waiting = Case(When(Q(state=CandidateState.CONFIRMED) & others, then=Value(0)), default=Value(1),
                   output_field=IntegerField())
    if may_review(actor):
        audit.record_read(actor, person_id=None, categories=[Category.IDENTITY], object_type="link_queue",
                          detail={"state": state, "district": district or ""})
    return (qs.annotate(waiting=waiting).order_by("waiting", "-probability", "id")
            .select_related("confirmed_by_agency"))


@dataclass
class QueueRow:
    candidate: LinkCandidate
    a: Person
    b: Person
    agencies_a: list[str]
    agencies_b: list[str]
    waiting_for_us: bool

    @property
    def percent(self) -> int:
        return round(self.candidate.probability * 100)


def queue_rows(actor: Actor, candidates: Sequence[LinkCandidate]) -> list[QueueRow]:
    """View rows for one page of the queue: both persons (base identity) and the agencies in their files."""
    ids = {c.person_a_id for c in candidates} | {c.person_b_id for c in candidates}
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids).prefetch_related("names", "nationalities")}
    agencies = _agencies(ids)
    return [QueueRow(c, persons[c.person_a_id], persons[c.person_b_id], agencies.get(c.person_a_id, []),
                     agencies.get(c.person_b_id, []),
                     c.state == CandidateState.CONFIRMED and c.confirmed_by_agency_id != actor.agency_id)
            for c in candidates]


def _agencies(person_ids: Iterable[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for pid, name in (Participation.objects.active_on(today()).filter(case_file__person_id__in=list(person_ids))
                      .order_by("agency__name").values_list("case_file__person_id", "agency__name").distinct()):
        out[pid].append(name)
    return out


# --- one candidate ------------------------------------------------------------------------------------------

NO_ACCESS = "kein Zugriff"


@dataclass
class Side:
    """One of the two records, as far as the actor may see it."""

    person: Person
    participation: str | None
    identity_readable: bool
    writable: bool
    agencies: list[str]
    fields: list[tuple[str, Any]] = field(default_factory=list)  # (label, value); value None = kein Zugriff


@dataclass
class CandidateView:
    candidate: LinkCandidate
    a: Side
    b: Side
    evidence: list[dict[str, Any]]
    may_decide: bool
    may_merge: bool
    waiting_for_us: bool

    @property
    def percent(self) -> int:
        return round(self.candidate.probability * 100)

    @property
    def rows(self) -> list[tuple[str, Any, Any]]:
        """(label, value of A, value of B) per field; None = kein Zugriff."""
        return [(la, va, vb) for (la, va), (_, vb) in zip(self.a.fields, self.b.fields, strict=True)]


def _fetch(actor: Actor, candidate_id: int, audit_action: str = AuditAction.READ) -> LinkCandidate:
    cand = LinkCandidate.objects.select_related("confirmed_by_agency", "decided_by").filter(pk=candidate_id).first()
    if cand is None:
        raise NotFound("Der Prüffall wurde nicht gefunden.")
    if not _visible(actor).filter(pk=candidate_id).exists():
        audit.record_denied(actor, audit_action, reason="Ihre Behörde ist an keiner der beiden Fallakten beteiligt.",
                            object_type="link_candidate", object_id=candidate_id)
        raise NotFound("Der Prüffall wurde nicht gefunden.")
    return cand


def _side(actor: Actor, person: Person, agencies: list[str]) -> Side:
    ctx = file_context(actor, person.pk)
    readable = bool(decide(actor, Action.READ, Category.IDENTITY, ctx))
    writable = bool(decide(actor, Action.WRITE, Category.IDENTITY, ctx))
    names = [n for n in person.names.all() if n.valid_until is None]
    nats = [n.country for n in person.nationalities.all() if n.valid_until is None]
    fields: list[tuple[str, Any]] = [
        ("Namen", names),
        ("Geburtsdatum", person.birth_date_display),
        ("Staatsangehörigkeit", nats),
        ("Geschlecht", person.get_sex_display() if readable else None),
        ("Geburtsort", (person.birth_place or "–") if readable else None),
        ("Geburtsland", (person.birth_country or "–") if readable else None),
        ("Erfasst von", person.registered_by.name if person.registered_by else "–"),
        ("Erfasst am", person.created_at),
    ]
    return Side(person, ctx.participation, readable, writable, agencies, fields)


def _record(person_id: int) -> LinkRecord:
    return next(records_of(Person.objects.filter(pk=person_id)))


def candidate_detail(*, actor: Actor, candidate_id: int) -> CandidateView:
    """Side by side, with the evidence per field. Base identity of both (public bodies may find any person);
    sex, birth place and evidence on them only where the actor may read the identity category. Audited."""
    cand = _fetch(actor, candidate_id)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[cand.person_a_id, cand.person_b_id])
               .select_related("registered_by").prefetch_related("names", "nationalities")}
    agencies = _agencies(persons)
    a = _side(actor, persons[cand.person_a_id], agencies.get(cand.person_a_id, []))
    b = _side(actor, persons[cand.person_b_id], agencies.get(cand.person_b_id, []))
    evidence = list(cand.evidence or [])
    if not evidence:
        evidence = _fresh_evidence(cand)
    for side in (a, b):
        audit.record_read(actor, person_id=side.person.pk,
                          categories=[Category.IDENTITY],
                          object_type="link_candidate", object_id=cand.pk,
                          detail={"full_identity": side.identity_readable})
    undecided = cand.state in (CandidateState.OPEN, CandidateState.CONFIRMED)
    unmerged = a.person.merged_into_id is None and b.person.merged_into_id is None
    return CandidateView(
        candidate=cand, a=a, b=b,
        evidence=visible_evidence(evidence, a.identity_readable and b.identity_readable),
        may_decide=undecided and unmerged and (a.writable or b.writable),
        may_merge=undecided and unmerged and (a.writable or b.writable),
        waiting_for_us=cand.state == CandidateState.CONFIRMED and cand.confirmed_by_agency_id != actor.agency_id,
    )


def _fresh_evidence(cand: LinkCandidate) -> list[dict[str, Any]]:
    """Evidence of a pair stored without it (large batch runs keep only the scores): scored now, not saved."""
    from stella.linkage import engine

    try:
        scored = engine.score_pairs(_record(cand.person_a_id), [_record(cand.person_b_id)])
    except Exception:  # noqa: BLE001 – the page still shows both records without the evidence
        log.exception("Belege für Prüffall %s nicht berechenbar", cand.pk)
        return []
    return [dict(e) for e in scored[0].evidence] if scored else []


# --- decisions ----------------------------------------------------------------------------------------------

def _check_decision(note: str, version: Any, *, note_required: bool) -> str:
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if note_required and not note:
        errors["note"] = "Bitte begründen Sie die Entscheidung."
    if len(note) > NOTE_MAX:
        errors["note"] = f"Die Begründung ist zu lang (höchstens {NOTE_MAX} Zeichen)."
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors["version"] = "Die Version fehlt oder ist ungültig."
    if errors:
        raise InvalidInput(errors)
    return note


def _may_write_one(actor: Actor, cand: LinkCandidate) -> bool:
    return any(decide(actor, Action.WRITE, Category.IDENTITY, file_context(actor, pid))
               for pid in (cand.person_a_id, cand.person_b_id))


def _apply(actor: Actor, cand: LinkCandidate, version: int, updates: dict[str, Any], detail: dict[str, Any]) -> \
        LinkCandidate:
    with transaction.atomic():
        done = LinkCandidate.objects.filter(pk=cand.pk, version=version).filter(
            state__in=[CandidateState.OPEN, CandidateState.CONFIRMED]).update(
            version=F("version") + 1, decided_by_id=actor.user_id, decided_at=timezone.now(),
            updated_at=timezone.now(), **updates)
        if not done:
            current = LinkCandidate.objects.get(pk=cand.pk)
            raise Conflict("Der Prüffall wurde inzwischen von jemand anderem entschieden. Ihre Entscheidung wurde "
                           "nicht gespeichert.", current_version=current.version,
                           changes=[{"state": current.state, "by": current.decided_by.get_username()
                                     if current.decided_by else "", "at": current.decided_at.isoformat()
                                     if current.decided_at else "", "version": current.version}])
        for pid in (cand.person_a_id, cand.person_b_id):
            audit.record(actor, AuditAction.UPDATE, person_id=pid, categories=[Category.IDENTITY],
                         object_type="link_candidate", object_id=cand.pk, detail={**detail, "version": version + 1})
    cand.refresh_from_db()
    return cand


def _guard(actor: Actor, candidate_id: int, version: Any) -> LinkCandidate:
    cand = _fetch(actor, candidate_id, AuditAction.UPDATE)
    if not _may_write_one(actor, cand):
        reason = "Ihre Rolle darf die Identitätsdaten keiner der beiden Fallakten bearbeiten."
        audit.record_denied(actor, AuditAction.UPDATE, reason=reason, object_type="link_candidate",
                            object_id=candidate_id)
        raise AccessDenied(reason)
    if isinstance(version, int) and not isinstance(version, bool) and version != cand.version:
        raise Conflict("Der Prüffall wurde inzwischen geändert. Ihre Entscheidung wurde nicht gespeichert.",
                       current_version=cand.version,
                       changes=[{"state": cand.state, "version": cand.version,
                                 "at": cand.decided_at.isoformat() if cand.decided_at else ""}])
    if cand.state not in (CandidateState.OPEN, CandidateState.CONFIRMED):
        raise InvalidInput({"state": f"Der Prüffall ist bereits entschieden ({cand.get_state_display()})."})
    if Person.objects.filter(pk__in=[cand.person_a_id, cand.person_b_id], merged_into__isnull=False).exists():
        raise InvalidInput({"state": "Eine der beiden Personen ist bereits in eine andere zusammengeführt."})
    return cand


def decide_distinct(*, actor: Actor, candidate_id: int, note: str, version: Any) -> LinkCandidate:
    """'Verschiedene Personen': a cannot-link constraint for all later runs. Needs a reason. One agency's
    'different' outweighs another's 'same' (a merge needs everyone's agreement)."""
    note = _check_decision(note, version, note_required=True)
    cand = _guard(actor, candidate_id, version)
    return _apply(actor, cand, version, {"state": CandidateState.DISTINCT, "note": note},
                  {"decision": CandidateState.DISTINCT})


def confirm_same(*, actor: Actor, candidate_id: int, note: str, version: Any) -> LinkCandidate:
    """'Gleiche Person': the pair is confirmed by the actor's agency. Whoever may write both files goes on to
    the merge; otherwise the pair waits for an agency of the other file (first in that agency's queue).
    A second agency's confirmation keeps the first agency in `confirmed_by_agency` and is recorded in the
    note and the audit trail ('agreed')."""
    note = _check_decision(note, version, note_required=False)
    cand = _guard(actor, candidate_id, version)
    if cand.state == CandidateState.CONFIRMED and cand.confirmed_by_agency_id == actor.agency_id:
        raise InvalidInput({"state": "Ihre Behörde hat diesen Prüffall bereits als gleiche Person bestätigt."})
    agreed = cand.state == CandidateState.CONFIRMED
    text = note
    if agreed:
        text = "\n".join(x for x in (cand.note, f"[{actor.agency_code}] {note}".strip()) if x.strip())
    updates: dict[str, Any] = {"state": CandidateState.CONFIRMED, "note": text[:NOTE_MAX * 2]}
    if not agreed:
        updates["confirmed_by_agency_id"] = actor.agency_id
    return _apply(actor, cand, version, updates, {"decision": CandidateState.CONFIRMED, "agreed": agreed})


def may_confirm_alone(actor: Actor, cand: LinkCandidate) -> bool:
    """Can the actor's agency write both files (then a confirmation leads straight to the merge)?"""
    return all(decide(actor, Action.WRITE, Category.IDENTITY, file_context(actor, pid))
               for pid in (cand.person_a_id, cand.person_b_id))
