"""The online duplicate check: candidates for one registration from the name-key index, scored by the
Splink model, shown as far as the access policy allows.

Candidates come from `people.NameKey` in at most two index-range queries (key + birth year ±1, see
ADR 0004), the persons' records in one more query with two prefetches; `engine.score_pairs` scores
them in-process. `check_person` is the service behind the registration warning (web and API)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, Value, When
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Action, Category, decide
from stella.cases.access import file_context, persons_for_actor
from stella.core.actor import Actor
from stella.linkage.models import CandidateState, LinkCandidate
from stella.linkage.records import LinkRecord, records_by_id, records_of
from stella.people.models import NameKey, Person
from stella.people.names import name_keys

#: Persons scored per check at most (the engine scores ~200 pairs within the time budget).
CANDIDATE_CAP = 60
#: Probability from which a candidate is shown (setting STELLA_LINKAGE_SHOW_THRESHOLD). Low on purpose: the
#: model's prior is the batch one (two random records), while a registration that shares name keys and birth
#: year is far more often a duplicate; a common name on a 1 January placeholder scores a few per cent. Only
#: clearly contradicted candidates (other sex, nationality and birthplace) fall below it.
DEFAULT_SHOW_THRESHOLD = 0.01
#: Probability from which a pair enters the review queue (setting STELLA_LINKAGE_QUEUE_THRESHOLD).
DEFAULT_QUEUE_THRESHOLD = 0.5
#: Evidence about these fields is only shown to an actor who may read the identity category of the
#: other file: base identity (names, birth date, nationality) is what any public body may see.
_RESTRICTED_EVIDENCE_WORDS = ("place", "ort", "sex", "geschlecht")


def show_threshold() -> float:
    value = getattr(settings, "STELLA_LINKAGE_SHOW_THRESHOLD", None)
    return DEFAULT_SHOW_THRESHOLD if value is None else float(value)


def queue_threshold() -> float:
    value = getattr(settings, "STELLA_LINKAGE_QUEUE_THRESHOLD", None)
    return DEFAULT_QUEUE_THRESHOLD if value is None else float(value)


def record_keys(record: LinkRecord) -> list[str]:
    """The name keys of every spelling of the record, as `people.services.refresh_name_keys` stores them."""
    keys: dict[str, None] = {}
    for given, family in record.names:
        for key in name_keys(given, family):
            keys.setdefault(key[:40], None)
    return list(keys)


def candidate_ids(record: LinkRecord, *, exclude_person: int | None = None, cap: int = CANDIDATE_CAP) -> list[int]:
    """Ids of persons that may be the record, best first (most shared name keys).

    With a birth date: persons whose keys carry a birth year within ±1 (or none) and who share ≥ 2 keys
    (1 when the record has only one key) – one range scan of the (key, birth_year, person) index, grouped;
    plus persons with the identical birth date sharing one key (a changed family name). Frequent keys on
    a 1 January placeholder cannot explode: both parts are ordered by shared keys and capped.
    Without a birth date: persons that have every key of the record (like the search), capped."""
    keys = record_keys(record)
    if not keys:
        return []
    need = 2 if len(keys) >= 2 else 1
    found: dict[int, int] = {}
    if record.birth_date is None:
        qs = Person.objects.all()
        for key in keys:
            qs = qs.filter(pk__in=NameKey.objects.filter(key=key).values("person_id"))
        if exclude_person is not None:
            qs = qs.exclude(pk=exclude_person)
        return list(qs.order_by("pk").values_list("pk", flat=True)[:cap])
    year = record.birth_date.year
    # Two range scans of the (key, birth_year, person) index – an OR of both year conditions would make
    # PostgreSQL read every row of a frequent key – then most shared keys first, the same birth year before
    # a neighbouring one, persons without a birth date last (all key rows of a person carry one year).
    ranked: list[tuple[int, int, int]] = []
    for years, rank in (([year - 1, year, year + 1], None), (None, 2)):
        rows = NameKey.objects.filter(key__in=keys)
        rows = rows.filter(birth_year__in=years) if years else rows.filter(birth_year__isnull=True)
        if exclude_person is not None:
            rows = rows.exclude(person_id=exclude_person)
        same_year_first = Case(When(birth_year=year, then=Value(0)), default=Value(1))
        grouped = (rows.values("person_id", "birth_year").annotate(shared=Count("id")).filter(shared__gte=need)
                   .order_by("-shared", same_year_first, "person_id")
                   .values_list("person_id", "birth_year", "shared")[:cap])
        ranked += [(pid, rank if rank is not None else (0 if y == year else 1), shared) for pid, y, shared in grouped]
    ranked.sort(key=lambda r: (-r[2], r[1], r[0]))
    found.update((pid, shared) for pid, _, shared in ranked[:cap])
    if need > 1 and len(found) < cap:
        same_day = (NameKey.objects.filter(key__in=keys, birth_year=year, person__birth_date=record.birth_date)
                    .exclude(person_id__in=list(found)))
        if exclude_person is not None:
            same_day = same_day.exclude(person_id=exclude_person)
        found.update(same_day.values("person_id").annotate(shared=Count("id")).order_by("-shared", "person_id")
                     .values_list("person_id", "shared")[:cap - len(found)])
    return list(found)[:cap]  # the grouped query's order (keys, then year), then the same-day additions


def _score(record: LinkRecord, rights: Sequence[LinkRecord]) -> list[Any]:
    from stella.linkage import engine  # imported late: loading Splink costs time only when needed

    return list(engine.score_pairs(record, rights))


def find_candidates(record: LinkRecord, *, limit: int = 10, exclude_person: int | None = None,
                    threshold: float | None = None) -> list[Any]:
    """Scored candidates (`engine.ScoredPair`, right_id = person id) above the display threshold, best first.
    Merged-away persons (`merged_into` set) are never candidates."""
    ids = candidate_ids(record, exclude_person=exclude_person)
    if not ids:
        return []
    rights = records_by_id(ids)
    if not rights:
        return []
    floor = show_threshold() if threshold is None else threshold
    pairs = [p for p in _score(record, rights) if p.probability >= floor]
    pairs.sort(key=lambda p: (-p.probability, int(p.right_id)))
    return pairs[:limit]


# --- the service ------------------------------------------------------------------------------------------

def restricted_field(name: str) -> bool:
    """Evidence on this field says more than base identity (birth place, sex)."""
    low = name.lower()
    return any(word in low for word in _RESTRICTED_EVIDENCE_WORDS)


#: German names of the engine's evidence fields and coarse levels (engine.Evidence).
FIELD_LABELS = {"name": "Namen", "birth_date": "Geburtsdatum", "birth_place": "Geburtsort",
                "nationality": "Staatsangehörigkeit", "sex": "Geschlecht"}
LEVEL_LABELS = {"strong_for": "spricht stark dafür", "for": "spricht dafür", "neutral": "neutral",
                "against": "spricht dagegen", "strong_against": "spricht stark dagegen", "missing": "fehlt",
                "hidden": "kein Zugriff"}


def visible_evidence(evidence: Iterable[dict[str, Any]], identity_readable: bool) -> list[dict[str, Any]]:
    """Evidence rows as far as the actor may know them: without read access to the identity category of
    the other file, evidence on birth place and sex is withheld (the probability stays an aggregate).
    Each row gets German `field_label` and `level_label`."""
    out = []
    for e in evidence:
        row = dict(e)
        name = str(row.get("field", ""))
        row.setdefault("hidden", False)
        if not identity_readable and restricted_field(name):
            row.update(level="hidden", weight=0.0, hidden=True, label="kein Zugriff")
        row["field_label"] = FIELD_LABELS.get(name, name)
        row["level_label"] = LEVEL_LABELS.get(str(row.get("level", "")), str(row.get("level", "")))
        out.append(row)
    return out


@dataclass
class Hit:
    """One possible duplicate as the actor may see it: the person (base identity), the probability and
    the evidence per field (restricted fields withheld when the actor may not read them)."""

    person: Person
    probability: float
    match_weight: float
    evidence: list[dict[str, Any]]
    identity_readable: bool


@dataclass
class CheckResult:
    hits: list[Hit]
    #: Every scored pair above the display threshold, visible or not (for the review queue only).
    pairs: list[Any] = field(default_factory=list)

    @property
    def person_ids(self) -> list[int]:
        return [h.person.pk for h in self.hits]


def check_person(*, actor: Actor, record: LinkRecord, exclude_person: int | None = None, limit: int = 10,
                 audit_search: bool = True) -> CheckResult:
    """The duplicate warning on registration and edit: candidates the actor may find (public bodies: any
    person, base identity; others: only files they take part in), best first, with field evidence.
    The look-up is audited as a search."""
    pairs = find_candidates(record, limit=CANDIDATE_CAP, exclude_person=exclude_person)
    ids = [int(p.right_id) for p in pairs]
    visible: dict[int, Person] = {}
    if ids:
        visible = {p.pk: p for p in persons_for_actor(actor).filter(pk__in=ids)
                   .prefetch_related("names", "nationalities")}
    hits = []
    for p in pairs:
        person = visible.get(int(p.right_id))
        if person is None:
            continue
        readable = bool(decide(actor, Action.READ, Category.IDENTITY, file_context(actor, person.pk)))
        hits.append(Hit(person, float(p.probability), float(p.match_weight),
                        visible_evidence(p.evidence or [], readable), readable))
        if len(hits) >= limit:
            break
    if audit_search:
        audit.record(actor, AuditAction.SEARCH, categories=[Category.IDENTITY], object_type="person",
                     detail={"duplicate_check": True, "hits": [h.person.pk for h in hits],
                             "birth_year": record.birth_date.year if isinstance(record.birth_date, date) else None})
    return CheckResult(hits, pairs)


def record_candidates(*, actor: Actor, person_id: int, pairs: Sequence[Any]) -> list[LinkCandidate]:
    """After a registration or edit: the pairs (this person × candidate) from the queue threshold on go into
    the review queue as open candidates, so that the duplicate is decided even when the warning was
    overridden. Decided pairs keep their decision; open ones get the new score. One transaction, audited."""
    from stella.linkage import engine

    floor = queue_threshold()
    chosen = [p for p in pairs if p.probability >= floor and int(p.right_id) != person_id]
    if not chosen:
        return []
    now = timezone.now()
    version = getattr(engine, "MODEL_VERSION", "")
    out: list[LinkCandidate] = []
    with transaction.atomic():
        for p in chosen:
            a, b = sorted((person_id, int(p.right_id)))
            cand, created = LinkCandidate.objects.select_for_update().get_or_create(
                person_a_id=a, person_b_id=b,
                defaults={"probability": p.probability, "match_weight": p.match_weight,
                          "evidence": list(p.evidence or []), "model_version": version})
            if not created and cand.state == CandidateState.OPEN:
                LinkCandidate.objects.filter(pk=cand.pk).update(
                    probability=p.probability, match_weight=p.match_weight, evidence=list(p.evidence or []),
                    model_version=version, updated_at=now)
            out.append(cand)
            audit.record(actor, AuditAction.CREATE if created else AuditAction.UPDATE, person_id=person_id,
                         categories=[Category.IDENTITY], object_type="link_candidate", object_id=cand.pk,
                         detail={"other": a if b == person_id else b, "probability": round(p.probability, 4),
                                 "source": "online"})
    return out


def check_and_record(*, actor: Actor, person: Person, limit: int = 10) -> CheckResult:
    """For a saved person (after registration or an edit of names/birth date): check and queue."""
    record = next(records_of(Person.objects.filter(pk=person.pk)))
    result = check_person(actor=actor, record=record, exclude_person=person.pk, limit=limit)
    record_candidates(actor=actor, person_id=person.pk, pairs=result.pairs)
    return result


def record_for_registration(data: Any) -> LinkRecord:
    """The LinkRecord of a registration that is not saved yet (a `people.services.PersonIn`)."""
    from stella.linkage.records import record_from_input

    nats = [c for c in (data.nationalities or []) if c]
    return record_from_input("neu", [(n.given_names or "", n.family_name or "") for n in data.names],
                             birth_date=data.birth_date, birth_precision=data.birth_date_precision,
                             sex=data.sex or "", nationality=nats[0] if nats else "",
                             birth_place=data.birth_place or "")
