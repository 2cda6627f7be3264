"""Merging two records of one person and undoing it: preview with conflicts, merge with provenance, unmerge.

A merge re-points every row that references the absorbed person (or its file) to the survivor (or the
survivor's file) and records each re-pointed row as a `MergeMove`; both persons' fields are kept as
snapshots. An unmerge moves exactly those rows back and restores both persons. The rows to re-point are
found generically through the reverse relations of `Person` and `CaseFile` (`references()`), so that a model
added later is re-pointed too; `KEPT` lists the few references that deliberately stay where they are.
See docs/linkage-merge.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.authz.policy import (
    Action,
    Category,
    Decision,
    FileContext,
    decide,
    may_find_person,
    readable_categories,
)
from stella.cases import sections
from stella.cases.access import access_person, file_context, today
from stella.cases.models import (
    CaseFile,
    Consent,
    EntryKind,
    Participation,
    ParticipationRole,
    TimelineEntry,
)
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage.models import CandidateState, LinkCandidate, Merge, MergeMove
from stella.people.models import NameKind, Person, PersonName
from stella.people.services import refresh_name_keys

# ---------------------------------------------------------------------------------------------------------------
# Which rows reference a person or a file

#: References that are not re-pointed, with the reason (shown in docs and checked by a test).
KEPT: dict[str, str] = {
    "cases.CaseFile.person": "Die Fallakte bleibt bei ihrer Erfassung; ihre Beteiligungen, Einträge und "
                             "Einwilligungen werden umgehängt.",
    "people.NameKey.person": "Abgeleiteter Suchindex: wird für beide Personen neu aufgebaut.",
    "people.Person.merged_into": "Verweis einer früheren Zusammenführung; eine Kette wird beim Öffnen verfolgt.",
    "linkage.LinkCandidate.person_a": "Prüffälle beziehen sich auf die Erfassungen, nicht auf die Daten.",
    "linkage.LinkCandidate.person_b": "Prüffälle beziehen sich auf die Erfassungen, nicht auf die Daten.",
    "linkage.Merge.survivor": "Geschichte der Zusammenführungen.",
    "linkage.Merge.absorbed": "Geschichte der Zusammenführungen.",
    "reporting.PersonFact.person": "Abgeleitete Auswertungsdaten: die Aktualisierung berechnet beide Personen neu "
                                   "(die aufgenommene hat keine mehr).",
    "reporting.FactSpan.person": "Abgeleitete Auswertungsdaten: werden für beide Personen neu berechnet.",
    "reporting.FactEvent.person": "Abgeleitete Auswertungsdaten: werden für beide Personen neu berechnet.",
}

#: The data category a moved row belongs to (counts in the preview are shown only where readable).
#: Models not listed count under COUNSELLING, the most narrowly shared category.
MODEL_CATEGORY: dict[str, Category] = {
    "people.PersonName": Category.IDENTITY,
    "people.Nationality": Category.IDENTITY,
    "people.Contact": Category.IDENTITY,
    "people.Identifier": Category.IDENTITY,
    "people.IdentityDocument": Category.IDENTITY,
    "people.HouseholdMember": Category.IDENTITY,
    "people.Address": Category.RESIDENCE,
    "people.LanguageSkill": Category.COMPETENCES,
    "cases.Participation": Category.IDENTITY,
    "cases.Consent": Category.IDENTITY,
    "journey.StatusEvent": Category.RESIDENCE,
    "journey.HandOver": Category.RESIDENCE,
    "journey.BulkHandOverItem": Category.RESIDENCE,
    "journey.Task": Category.COUNSELLING,
    "journey.Appointment": Category.COUNSELLING,
    "competences.SchoolEducation": Category.COMPETENCES,
    "competences.Qualification": Category.COMPETENCES,
    "competences.WorkExperience": Category.COMPETENCES,
    "competences.Skill": Category.COMPETENCES,
    "competences.LanguageAssessment": Category.COMPETENCES,
    "competences.Circumstances": Category.COMPETENCES,
    "offers.Enrolment": Category.PLACEMENT,
    "offers.Placement": Category.PLACEMENT,
    "matching.Assignment": Category.PLACEMENT,
}


@dataclass(frozen=True)
class Reference:
    """One foreign key to Person or CaseFile: `model.field` points at a `target` ("person" or "case_file")."""

    model: type[models.Model]
    field: str  # the field's name; its column holds the id
    attname: str
    target: str

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name_plural)


class UnhandledReference(Exception):
    """A relation the merge cannot re-point (many-to-many); a test fails on it."""


def references() -> list[Reference]:
    """Every foreign key to Person or CaseFile that a merge re-points (all apps, hidden ones included)."""
    out: list[Reference] = []
    for target_model, target in ((Person, "person"), (CaseFile, "case_file")):
        for rel in target_model._meta.get_fields(include_hidden=True):
            if not (rel.is_relation and rel.auto_created and not rel.concrete):
                continue
            fk = rel.field  # type: ignore[union-attr]
            key = f"{fk.model._meta.label}.{fk.name}"
            if key in KEPT:
                continue
            if rel.many_to_many:
                raise UnhandledReference(key)
            out.append(Reference(fk.model, fk.name, fk.attname, target))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Person fields, conflicts and snapshots

#: Person fields that can conflict, with their German labels; birth_date carries its precision.
CONFLICT_FIELDS: dict[str, str] = {
    "sex": "Geschlecht",
    "birth_date": "Geburtsdatum",
    "birth_place": "Geburtsort",
    "birth_country": "Geburtsland",
}
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "sex": ("sex",),
    "birth_date": ("birth_date", "birth_date_precision"),
    "birth_place": ("birth_place",),
    "birth_country": ("birth_country",),
}
CHOICES = ("survivor", "absorbed")
#: Not restored by an unmerge: the version only grows (optimistic locking) and the change time moves on.
NOT_RESTORED = frozenset({"id", "version", "updated_at"})


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def snapshot(person: Person) -> dict[str, Any]:
    """All concrete fields of the person, JSON-ready (the column names are the keys)."""
    return {f.attname: _json(getattr(person, f.attname)) for f in Person._meta.concrete_fields}


def _from_json(attname: str, value: Any) -> Any:
    f = next(f for f in Person._meta.concrete_fields if f.attname == attname)
    if value is None:
        return None
    if isinstance(f, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(f, models.DateField):
        return date.fromisoformat(value)
    return value


def _field_value(person: Person, name: str) -> tuple[Any, ...]:
    return tuple(getattr(person, c) for c in FIELD_COLUMNS[name])


def _display(person: Person, name: str) -> str:
    if name == "sex":
        return str(person.get_sex_display())
    if name == "birth_date":
        return person.birth_date_display
    value = getattr(person, name)
    return str(value) if value else "(leer)"


def _source(person: Person, name: str) -> str:
    """Where a field's value came from: the last recorded change, else the registration."""
    columns = set(FIELD_COLUMNS[name])
    for e in AuditEvent.objects.filter(person_id=person.pk, object_type="person", action=AuditAction.UPDATE,
                                       outcome="allowed").order_by("-seq")[:50]:
        if columns & set(e.detail.get("fields", [])):
            when = timezone.localtime(e.occurred_at).strftime("%d.%m.%Y")
            return f"Erfassung #{person.pk}, geändert von {e.agency_code or e.username} am {when}"
    agency = person.registered_by.name if person.registered_by else "unbekannt"
    when = timezone.localtime(person.created_at).strftime("%d.%m.%Y")
    return f"Erfassung #{person.pk}, erfasst von {agency} am {when}"


@dataclass(frozen=True)
class ConflictValue:
    value: Any
    display: str
    source: str


@dataclass(frozen=True)
class FieldConflict:
    """One person field whose values differ; `readable` is False when the actor may not see the values."""

    field: str
    label: str
    readable: bool
    survivor: ConflictValue | None
    absorbed: ConflictValue | None


def conflicts_between(survivor: Person, absorbed: Person, *, readable: bool = True) -> list[FieldConflict]:
    out = []
    for name, label in CONFLICT_FIELDS.items():
        if _field_value(survivor, name) == _field_value(absorbed, name):
            continue
        if not readable:
            out.append(FieldConflict(name, label, False, None, None))
            continue
        out.append(FieldConflict(
            name, label, True,
            ConflictValue([_json(v) for v in _field_value(survivor, name)], _display(survivor, name),
                          _source(survivor, name)),
            ConflictValue([_json(v) for v in _field_value(absorbed, name)], _display(absorbed, name),
                          _source(absorbed, name)),
        ))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Rows to move, and rows that cannot move because of a unique constraint


def _owner_ids(person_id: int) -> dict[str, int | None]:
    file_id = CaseFile.objects.filter(person_id=person_id).values_list("pk", flat=True).first()
    return {"person": person_id, "case_file": file_id}


def _rows(ref: Reference, owner: int | None) -> models.QuerySet[Any]:
    if owner is None:
        return ref.model._base_manager.none()
    return ref.model._base_manager.filter(**{ref.attname: owner})


def _unique_sets(ref: Reference) -> list[tuple[list[str], Q | None, str]]:
    """Unique constraints that include the reference: (other fields, condition, name)."""
    out: list[tuple[list[str], Q | None, str]] = []
    meta = ref.model._meta
    f = meta.get_field(ref.field)
    if getattr(f, "unique", False):
        out.append(([], None, f"{ref.field} unique"))
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and ref.field in (c.fields or ()):
            out.append(([x for x in c.fields if x != ref.field], c.condition, c.name))  # type: ignore[arg-type]
    for fields in meta.unique_together:
        if ref.field in fields:
            out.append(([x for x in fields if x != ref.field], None, "unique_together"))
    return out


def blocking_rows(survivor_id: int, absorbed_id: int) -> list[str]:
    """Rows of the absorbed person that would break a unique constraint on the survivor (German messages).

    Both rows are kept wherever the model allows it; where it does not (e.g. two open hand-overs for the
    same task, two active enrolments in the same offer), the caseworker must settle one of them first.
    """
    owners = (_owner_ids(survivor_id), _owner_ids(absorbed_id))
    messages: list[str] = []
    for ref in references():
        for others, condition, _name in _unique_sets(ref):
            surv = _rows(ref, owners[0][ref.target])
            absd = _rows(ref, owners[1][ref.target])
            if condition is not None:
                surv, absd = surv.filter(condition), absd.filter(condition)
            if not others:
                pairs = [(a, s) for a in absd.values_list("pk", flat=True)[:1]
                         for s in surv.values_list("pk", flat=True)[:1]]
            else:
                taken = {tuple(row[1:]): row[0] for row in surv.values_list("pk", *others)}
                pairs = [(row[0], taken[tuple(row[1:])]) for row in absd.values_list("pk", *others)
                         if tuple(row[1:]) in taken]
            for a, s in pairs:
                messages.append(
                    f"{ref.model._meta.verbose_name} #{a} der aufgenommenen Erfassung #{absorbed_id} kollidiert mit "
                    f"#{s} der bleibenden Erfassung #{survivor_id} (nur eines je Person erlaubt): bitte zuerst "
                    f"einen der beiden Datensätze abschließen."
                )
    return messages


def _counts(owners: dict[str, int | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ref in references():
        n = _rows(ref, owners[ref.target]).count()
        counts[ref.key] = counts.get(ref.key, 0) + n
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Access


def lead_agencies(person_id: int) -> list[str]:
    on = today()
    return list(Participation.objects.active_on(on).filter(case_file__person_id=person_id,
                                                           role=ParticipationRole.LEAD)
                .values_list("agency__name", flat=True).order_by("agency__name").distinct())


def _write_refusal(person_id: int, decision: Decision, leads: Sequence[str]) -> str:
    lead = (f"Federführend für diese Fallakte: {', '.join(leads)} – bitte wenden Sie sich dorthin." if leads
            else "Keine Behörde ist für diese Fallakte federführend.")
    return f"Sie dürfen die Identitätsdaten der Person #{person_id} nicht bearbeiten: {decision.reason} {lead}"


def _require_write(actor: Actor, person_id: int, ctx: FileContext, leads: Sequence[str], what: str) -> None:
    decision = decide(actor, Action.WRITE, Category.IDENTITY, ctx)
    if not decision:
        reason = _write_refusal(person_id, decision, leads)
        audit.record_denied(actor, AuditAction.UPDATE, person_id=person_id, categories=[Category.IDENTITY],
                            reason=reason, object_type=what, object_id=person_id)
        raise AccessDenied(reason)


def merge_refusal(actor: Actor, person_id: int, ctx: FileContext) -> str:
    """Why the actor may not take part in merging this person ("" if allowed); nothing audited."""
    decision = decide(actor, Action.WRITE, Category.IDENTITY, ctx)
    return "" if decision else _write_refusal(person_id, decision, lead_agencies(person_id))


# ---------------------------------------------------------------------------------------------------------------
# Preview


@dataclass
class PersonSide:
    """What the actor may see of one person in the merge preview."""

    person_id: int
    version: int
    merged_into: int | None
    identity: dict[str, Any]
    sections: dict[str, dict[str, Any]]
    refusals: dict[str, str]


@dataclass(frozen=True)
class MoveCount:
    key: str
    label: str
    category: str
    readable: bool
    survivor: int | None
    absorbed: int | None


@dataclass
class MergePreview:
    survivor: PersonSide
    absorbed: PersonSide
    conflicts: list[FieldConflict]
    moves: list[MoveCount]
    blocking: list[str]
    may_merge: bool
    refusal: str
    problems: list[str] = field(default_factory=list)


def _side(actor: Actor, person: Person, ctx: FileContext) -> PersonSide:
    readable = readable_categories(actor, ctx)
    data: dict[str, dict[str, Any]] = {}
    refusals: dict[str, str] = {}
    for cat in (Category.IDENTITY, Category.RESIDENCE, Category.COMPETENCES):
        if cat in readable:
            data[cat.value] = sections.build(person, cat, with_timeline=False)
        else:
            refusals[cat.value] = decide(actor, Action.READ, cat, ctx).reason
    for cat in Category:
        if cat not in readable and cat.value not in refusals:
            refusals[cat.value] = decide(actor, Action.READ, cat, ctx).reason
    return PersonSide(person.pk, person.version, person.merged_into_id, sections.base_identity(person), data, refusals)


def _validate_pair(survivor_id: int, absorbed_id: int) -> None:
    if survivor_id == absorbed_id:
        raise InvalidInput({"absorbed": "Eine Person kann nicht mit sich selbst zusammengeführt werden."})


def _merged_problem(person: Person) -> str | None:
    if person.merged_into_id is None:
        return None
    merge = Merge.objects.filter(absorbed=person, undone_at__isnull=True).values_list("pk", flat=True).first()
    via = f" (Zusammenführung #{merge})" if merge else ""
    return f"Person #{person.pk} ist bereits in Person #{person.merged_into_id} zusammengeführt{via}."


def _refuse_merged(survivor: Person, absorbed: Person) -> None:
    problems = {k: p for k, p in (("survivor", _merged_problem(survivor)), ("absorbed", _merged_problem(absorbed)))
                if p}
    if problems:
        raise InvalidInput(problems)


def merge_preview(*, actor: Actor, survivor_id: int, absorbed_id: int) -> MergePreview:
    """Both persons side by side as far as the actor may read them, the conflicts and what would move."""
    _validate_pair(survivor_id, absorbed_id)
    survivor, s_ctx = access_person(actor, survivor_id)
    absorbed, a_ctx = access_person(actor, absorbed_id)
    s_side, a_side = _side(actor, survivor, s_ctx), _side(actor, absorbed, a_ctx)
    both_identity = (decide(actor, Action.READ, Category.IDENTITY, s_ctx).allowed
                     and decide(actor, Action.READ, Category.IDENTITY, a_ctx).allowed)
    conflicts = conflicts_between(survivor, absorbed, readable=both_identity)
    s_counts, a_counts = _counts(_owner_ids(survivor_id)), _counts(_owner_ids(absorbed_id))
    s_read, a_read = set(readable_categories(actor, s_ctx)), set(readable_categories(actor, a_ctx))
    moves = []
    for ref in references():
        cat = MODEL_CATEGORY.get(ref.label, Category.COUNSELLING)
        s_ok, a_ok = cat in s_read, cat in a_read
        s_n = s_counts.get(ref.key, 0) if s_ok else None
        a_n = a_counts.get(ref.key, 0) if a_ok else None
        if ref.label == "cases.TimelineEntry":  # entries carry their own category
            s_n = _rows(ref, _owner_ids(survivor_id)["case_file"]).filter(category__in=list(s_read)).count()
            a_n = _rows(ref, _owner_ids(absorbed_id)["case_file"]).filter(category__in=list(a_read)).count()
            s_ok = a_ok = True
        moves.append(MoveCount(ref.key, ref.verbose_name, cat.value, s_ok and a_ok, s_n, a_n))
    problems = [p for p in (_merged_problem(survivor), _merged_problem(absorbed)) if p]
    refusal = merge_refusal(actor, survivor_id, s_ctx) or merge_refusal(actor, absorbed_id, a_ctx)
    blocking = blocking_rows(survivor_id, absorbed_id)
    for pid, cats in ((survivor_id, sorted(s_read)), (absorbed_id, sorted(a_read))):
        audit.record_read(actor, person_id=pid, categories=cats, object_type="merge_preview",
                          detail={"survivor": survivor_id, "absorbed": absorbed_id})
    return MergePreview(s_side, a_side, conflicts, moves, blocking, may_merge=not refusal and not problems
                        and not blocking, refusal=refusal, problems=problems)


# ---------------------------------------------------------------------------------------------------------------
# Merge


def _check_resolution(conflicts: Sequence[FieldConflict], resolution: dict[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    names = {c.field for c in conflicts}
    for key, choice in resolution.items():
        if key not in CONFLICT_FIELDS:
            errors.setdefault(f"resolution.{key}", []).append("Unbekanntes Feld.")
        elif choice not in CHOICES:
            errors.setdefault(f"resolution.{key}", []).append(
                "Bitte „survivor“ (bleibende Erfassung) oder „absorbed“ (aufgenommene Erfassung) wählen.")
    for name in names:
        if name not in resolution:
            errors.setdefault(f"resolution.{name}", []).append(
                f"Widerspruch bei „{CONFLICT_FIELDS[name]}“: bitte wählen, welcher Wert gilt.")
    if errors:
        raise InvalidInput(errors)


def _candidate(candidate_id: int | None, survivor_id: int, absorbed_id: int) -> LinkCandidate | None:
    a, b = sorted((survivor_id, absorbed_id))
    if candidate_id is None:
        return (LinkCandidate.objects.select_for_update()
                .filter(person_a_id=a, person_b_id=b, state__in=[CandidateState.OPEN, CandidateState.CONFIRMED])
                .first())
    cand = LinkCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if cand is None or (cand.person_a_id, cand.person_b_id) != (a, b):
        raise InvalidInput({"candidate": "Der Prüffall gehört nicht zu diesen beiden Personen."})
    if cand.state not in (CandidateState.OPEN, CandidateState.CONFIRMED):
        raise InvalidInput({"candidate": f"Der Prüffall ist bereits entschieden ({cand.get_state_display()})."})
    return cand


def _lock(*person_ids: int) -> dict[int, Person]:
    locked = list(Person.objects.select_for_update().filter(pk__in=sorted(person_ids)).order_by("pk"))
    return {p.pk: p for p in locked}


def _entry(actor: Actor, person_id: int, title: str, text: str) -> None:
    case_file, _ = CaseFile.objects.get_or_create(person_id=person_id)
    TimelineEntry.objects.create(case_file=case_file, kind=EntryKind.NOTE, category=Category.IDENTITY,
                                 title=title[:200], text=text, author_id=actor.user_id, agency_id=actor.agency_id)


def _labelled_counts(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if v}


def merge_persons(*, actor: Actor, survivor_id: int, absorbed_id: int, resolution: dict[str, str], reason: str,
                  candidate_id: int | None = None, versions: tuple[int, int] | None = None) -> Merge:
    """Merge `absorbed` into `survivor`: every row moves with provenance; conflicts resolved as chosen.

    The platform itself (`Actor.system`, automatic merges above the configured threshold) needs no
    participation; everyone else needs write access to the identity of both persons.
    """
    _validate_pair(survivor_id, absorbed_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Bitte begründen Sie die Zusammenführung."})
    if not isinstance(resolution, dict):
        raise InvalidInput({"resolution": "Objekt mit Feld → „survivor“/„absorbed“ erwartet."})
    if not actor.is_system:
        s_person, s_ctx = access_person(actor, survivor_id, audit_action=AuditAction.UPDATE)
        a_person, a_ctx = access_person(actor, absorbed_id, audit_action=AuditAction.UPDATE)
        _refuse_merged(s_person, a_person)
        _require_write(actor, survivor_id, s_ctx, lead_agencies(survivor_id), "merge")
        _require_write(actor, absorbed_id, a_ctx, lead_agencies(absorbed_id), "merge")
    with transaction.atomic():
        persons = _lock(survivor_id, absorbed_id)
        if len(persons) != 2:
            raise NotFound("Die Person wurde nicht gefunden.")
        survivor, absorbed = persons[survivor_id], persons[absorbed_id]
        _refuse_merged(survivor, absorbed)
        if versions is not None and tuple(versions) != (survivor.version, absorbed.version):
            raise Conflict(
                "Eine der beiden Personen wurde inzwischen geändert. Bitte prüfen Sie den Vergleich erneut; "
                "nichts wurde zusammengeführt.",
                current_version=survivor.version,
                changes=[{"person_id": survivor.pk, "version": survivor.version},
                         {"person_id": absorbed.pk, "version": absorbed.version}],
            )
        conflicts = conflicts_between(survivor, absorbed)
        _check_resolution(conflicts, resolution)
        blocking = blocking_rows(survivor_id, absorbed_id)
        if blocking:
            raise InvalidInput({"blocking": blocking})
        candidate = _candidate(candidate_id, survivor_id, absorbed_id)

        survivor_before, absorbed_before = snapshot(survivor), snapshot(absorbed)
        applied: dict[str, Any] = {}
        changes: dict[str, Any] = {}
        for c in conflicts:
            choice = resolution[c.field]
            source = survivor if choice == "survivor" else absorbed
            applied[c.field] = {"choice": choice, "from": source.pk, "value": _display(source, c.field)}
            if choice == "absorbed":
                for col in FIELD_COLUMNS[c.field]:
                    changes[col] = getattr(absorbed, col)
        now = timezone.now()
        merge = Merge.objects.create(
            survivor=survivor, absorbed=absorbed, survivor_before=survivor_before, absorbed_before=absorbed_before,
            resolution=applied, survivor_version=survivor.version + 1, reason=reason, candidate=candidate,
            automatic=actor.is_system, agency_id=actor.agency_id, merged_by_id=actor.user_id, merged_at=now,
        )
        counts = _move_all(merge, _owner_ids(absorbed_id), _owner_ids(survivor_id))
        merge.relabelled_names = _relabel_registered_names(merge, survivor_id)
        Person.objects.filter(pk=survivor_id).update(version=F("version") + 1, updated_at=now, **changes)
        Person.objects.filter(pk=absorbed_id).update(version=F("version") + 1, updated_at=now,
                                                     merged_into_id=survivor_id)
        survivor.refresh_from_db()
        absorbed.refresh_from_db()
        refresh_name_keys(survivor)
        refresh_name_keys(absorbed)
        if candidate is not None:
            LinkCandidate.objects.filter(pk=candidate.pk).update(
                state=CandidateState.MERGED, merge=merge, decided_by_id=actor.user_id, decided_at=now,
                note=reason, version=F("version") + 1, updated_at=now)
        detail = {"merge": merge.pk, "survivor": survivor_id, "absorbed": absorbed_id,
                  "moved": _labelled_counts(counts), "resolution": applied, "automatic": actor.is_system,
                  "relabelled_names": merge.relabelled_names}
        for pid, role in ((survivor_id, "survivor"), (absorbed_id, "absorbed")):
            audit.record(actor, AuditAction.UPDATE, person_id=pid, categories=[Category.IDENTITY],
                         object_type="merge", object_id=merge.pk, detail={**detail, "role": role})
        moved = sum(counts.values())
        _entry(actor, survivor_id, f"Erfassungen zusammengeführt: Erfassung #{absorbed_id} in Person #{survivor_id}",
               f"{reason}\n\nÜbernommene Datensätze: {moved} (Zusammenführung #{merge.pk}).")
    return merge


def _relabel_registered_names(merge: Merge, survivor_id: int) -> list[int]:
    """The survivor keeps its registered name as the primary one (the file heading): the absorbed person's
    current registered names become further spellings ("weitere Schreibweise"); unmerge turns them back."""
    moved = merge.moves.filter(model="people.PersonName").values_list("object_id", flat=True)
    names = PersonName.objects.filter(person_id=survivor_id, valid_until__isnull=True, kind=NameKind.REGISTERED)
    if not names.exclude(pk__in=moved).exists():
        return []  # the survivor has no registered name of its own: the absorbed one stays primary
    ids = list(names.filter(pk__in=moved).values_list("pk", flat=True))
    PersonName.objects.filter(pk__in=ids).update(kind=NameKind.ALIAS)
    Merge.objects.filter(pk=merge.pk).update(relabelled_names=ids)
    return ids


def _move_all(merge: Merge, source: dict[str, int | None], target: dict[str, int | None]) -> dict[str, int]:
    """Re-point every referencing row from `source` to `target` owners; one MergeMove per row."""
    person_id = target["person"]
    if source["case_file"] is not None and target["case_file"] is None and person_id is not None:
        target = {**target, "case_file": CaseFile.objects.create(person_id=person_id).pk}
    counts: dict[str, int] = {}
    moves: list[MergeMove] = []
    for ref in references():
        src, dst = source[ref.target], target[ref.target]
        if src is None or dst is None:
            continue
        ids = list(_rows(ref, src).values_list("pk", flat=True))
        if not ids:
            continue
        ref.model._base_manager.filter(pk__in=ids).update(**{ref.attname: dst})
        moves += [MergeMove(merge=merge, model=ref.label, object_id=pk, field=ref.field, from_id=src, to_id=dst)
                  for pk in ids]
        counts[ref.key] = counts.get(ref.key, 0) + len(ids)
    MergeMove.objects.bulk_create(moves, batch_size=1000)
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Unmerge


def _restored_context(actor: Actor, merge: Merge) -> FileContext:
    """The actor's FileContext on the absorbed person as the unmerge would restore it (its rows moved back)."""
    if actor.agency_id is None:
        return FileContext()
    moved = defaultdict(list)
    for model, pk in MergeMove.objects.filter(merge=merge, model__in=["cases.Participation", "cases.Consent"]) \
            .values_list("model", "object_id"):
        moved[model].append(pk)
    on = today()
    roles = list(Participation.objects.active_on(on).filter(pk__in=moved["cases.Participation"],
                                                            agency_id=actor.agency_id).values_list("role", flat=True))
    current = file_context(actor, merge.absorbed_id)
    roles += [current.participation] if current.participation else []
    participation = "lead" if "lead" in roles else (roles[0] if roles else None)
    consented = set(current.consented)
    for cats in Consent.objects.valid_on(on).filter(pk__in=moved["cases.Consent"], agencies=actor.agency_id) \
            .values_list("categories", flat=True):
        consented.update(Category(c) for c in cats if c in Category._value2member_map_)
    return FileContext(participation=participation, consented=frozenset(consented))


def _after_merge(merge: Merge, name: str) -> tuple[Any, ...]:
    choice = merge.resolution.get(name, {}).get("choice", "survivor")
    before = merge.absorbed_before if choice == "absorbed" else merge.survivor_before
    return tuple(_from_json(c, before.get(c)) for c in FIELD_COLUMNS[name])


def unmerge(*, actor: Actor, merge_id: int, reason: str) -> Merge:
    """Undo a merge: the moved rows go back, both persons get their fields back, the pair becomes distinct.

    Rows added to the survivor after the merge stay with the survivor.
    """
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise NotFound("Diese Zusammenführung gibt es nicht.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Bitte begründen Sie die Aufhebung."})
    if not actor.is_system:
        survivor, s_ctx = access_person(actor, merge.survivor_id, audit_action=AuditAction.UPDATE)
        a_ctx = _restored_context(actor, merge)
        if not may_find_person(actor, a_ctx):
            raise NotFound("Diese Zusammenführung gibt es nicht.")
        _refuse_undo_state(merge, survivor)
        _require_write(actor, merge.survivor_id, s_ctx, lead_agencies(merge.survivor_id), "unmerge")
        _require_write(actor, merge.absorbed_id, a_ctx, lead_agencies(merge.survivor_id), "unmerge")
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge_id)
        persons = _lock(merge.survivor_id, merge.absorbed_id)
        survivor, absorbed = persons[merge.survivor_id], persons[merge.absorbed_id]
        _refuse_undo_state(merge, survivor)
        later_ids = _later_merges(merge)
        if later_ids:
            ids = ", ".join(f"#{i}" for i in later_ids)
            raise Conflict(f"Datensätze dieser Zusammenführung wurden später erneut übernommen (Zusammenführung {ids}). "
                           f"Bitte heben Sie zuerst jene auf.", current_version=survivor.version)
        edited = [label for name, label in CONFLICT_FIELDS.items()
                  if _field_value(survivor, name) != _after_merge(merge, name)]
        if edited:
            raise Conflict(f"Nach der Zusammenführung wurden geändert: {', '.join(edited)}. Bitte stellen Sie die "
                           f"Werte zuerst wieder her oder klären Sie die Aufhebung anders.",
                           current_version=survivor.version, changes=[{"fields": edited}])
        now = timezone.now()
        counts = _move_back(merge)
        PersonName.objects.filter(pk__in=merge.relabelled_names).update(kind=NameKind.REGISTERED)
        for person, before in ((survivor, merge.survivor_before), (absorbed, merge.absorbed_before)):
            restore = {k: _from_json(k, v) for k, v in before.items() if k not in NOT_RESTORED}
            Person.objects.filter(pk=person.pk).update(version=F("version") + 1, updated_at=now, **restore)
            person.refresh_from_db()
            refresh_name_keys(person)
        Merge.objects.filter(pk=merge.pk).update(undone_by_id=actor.user_id, undone_at=now, undo_reason=reason)
        merge.refresh_from_db()
        _mark_distinct(actor, merge, reason, now)
        detail = {"merge": merge.pk, "survivor": merge.survivor_id, "absorbed": merge.absorbed_id,
                  "moved_back": _labelled_counts(counts)}
        for pid, role in ((merge.survivor_id, "survivor"), (merge.absorbed_id, "absorbed")):
            audit.record(actor, AuditAction.UPDATE, person_id=pid, categories=[Category.IDENTITY],
                         object_type="unmerge", object_id=merge.pk, detail={**detail, "role": role})
        _entry(actor, merge.survivor_id,
               f"Zusammenführung aufgehoben: Erfassung #{merge.absorbed_id} wieder getrennt von Person #{merge.survivor_id}",
               f"{reason}\n\nZurückgegebene Datensätze: {sum(counts.values())} (Zusammenführung #{merge.pk}).")
    return merge


def _refuse_undo_state(merge: Merge, survivor: Person) -> None:
    if merge.undone_at is not None:
        when = timezone.localtime(merge.undone_at).strftime("%d.%m.%Y %H:%M")
        raise InvalidInput({"merge": f"Diese Zusammenführung wurde bereits am {when} aufgehoben."})
    if survivor.merged_into_id is not None:
        later = Merge.objects.filter(absorbed=survivor, undone_at__isnull=True).values_list("pk", flat=True).first()
        raise Conflict(f"Person #{survivor.pk} wurde danach in Person #{survivor.merged_into_id} zusammengeführt "
                       f"(Zusammenführung #{later}). Bitte heben Sie zuerst jene Zusammenführung auf.",
                       current_version=survivor.version)


def _later_merges(merge: Merge) -> list[int]:
    """Merges after this one, not undone, that moved any of this merge's rows again."""
    found: set[int] = set()
    by_model: dict[str, list[int]] = defaultdict(list)
    for model, pk in merge.moves.values_list("model", "object_id"):
        by_model[model].append(pk)
    for model, ids in by_model.items():
        for start in range(0, len(ids), 500):
            found.update(MergeMove.objects.filter(merge__undone_at__isnull=True, merge_id__gt=merge.pk, model=model,
                                                  object_id__in=ids[start:start + 500])
                         .values_list("merge_id", flat=True))
    return sorted(found)


def _move_back(merge: Merge) -> dict[str, int]:
    refs = {(r.label, r.field): r for r in references()}
    groups: dict[tuple[str, str, int, int], list[int]] = defaultdict(list)
    for model, fld, pk, src, dst in merge.moves.values_list("model", "field", "object_id", "from_id", "to_id"):
        groups[(model, fld, src, dst)].append(pk)
    counts: dict[str, int] = {}
    for (model, fld, src, dst), ids in groups.items():
        ref = refs.get((model, fld))
        if ref is None:  # the model was removed since; nothing to move back
            continue
        for start in range(0, len(ids), 500):
            n = ref.model._base_manager.filter(pk__in=ids[start:start + 500], **{ref.attname: dst}) \
                .update(**{ref.attname: src})
            counts[ref.key] = counts.get(ref.key, 0) + n
    return counts


def _mark_distinct(actor: Actor, merge: Merge, reason: str, now: datetime) -> None:
    """A wrong merge is a cannot-link: the pair's review case becomes "verschiedene Personen"."""
    a, b = sorted((merge.survivor_id, merge.absorbed_id))
    cand = merge.candidate or LinkCandidate.objects.filter(person_a_id=a, person_b_id=b).first()
    if cand is None:
        LinkCandidate.objects.create(person_a_id=a, person_b_id=b, probability=0.0, match_weight=0.0,
                                     state=CandidateState.DISTINCT, decided_by_id=actor.user_id, decided_at=now,
                                     note=reason, merge=merge)
        return
    LinkCandidate.objects.filter(pk=cand.pk).update(state=CandidateState.DISTINCT, decided_by_id=actor.user_id,
                                                    decided_at=now, note=reason, version=F("version") + 1,
                                                    updated_at=now)


# ---------------------------------------------------------------------------------------------------------------
# History and provenance


def merges_of(person_id: int) -> list[Merge]:
    """Every merge the person took part in (as survivor or absorbed), undone ones included, newest first."""
    return list(Merge.objects.filter(Q(survivor_id=person_id) | Q(absorbed_id=person_id))
                .select_related("merged_by", "undone_by", "agency").order_by("-merged_at", "-id"))


def provenance_for(person_id: int) -> dict[tuple[str, int], Merge]:
    """(model label, pk) → the merge that brought the row to this person (active merges only)."""
    merges = {m.pk: m for m in Merge.objects.filter(survivor_id=person_id, undone_at__isnull=True)}
    out: dict[tuple[str, int], Merge] = {}
    for merge_id, model, pk in MergeMove.objects.filter(merge_id__in=list(merges)).order_by("merge_id") \
            .values_list("merge_id", "model", "object_id"):
        out[(model, pk)] = merges[merge_id]
    return out


def provenance_text(merge: Merge) -> str:
    when = timezone.localtime(merge.merged_at).strftime("%d.%m.%Y")
    return f"stammt aus Erfassung #{merge.absorbed_id}, übernommen am {when}"


#: Lists in a file section's data (cases.sections) and the model of their rows.
SECTION_ROWS: dict[str, str] = {
    "all_names": "people.PersonName", "identifiers": "people.Identifier", "contacts": "people.Contact",
    "documents": "people.IdentityDocument", "addresses": "people.Address", "languages": "people.LanguageSkill",
    "entries": "cases.TimelineEntry", "participations": "cases.Participation", "consents": "cases.Consent",
}


def annotate_provenance(person_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Mark every row of a section that a merge brought to this person with `provenance` ("stammt aus
    Erfassung #…") and `from_person` (the absorbed record); other rows are left as they are."""
    found = provenance_for(person_id)
    if not found:
        return data
    for key, label in SECTION_ROWS.items():
        for row in data.get(key) or []:
            merge = found.get((label, int(row["id"]))) if isinstance(row, dict) and "id" in row else None
            if merge is not None:
                row["provenance"] = provenance_text(merge)
                row["from_person"] = merge.absorbed_id
                row["merged_on"] = timezone.localtime(merge.merged_at).date()
    return data


def merged_into_chain(person_id: int) -> int | None:
    """The person that now holds the data of `person_id` (following merge chains), or None if not merged."""
    seen: set[int] = set()
    current: int | None = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
    last = None
    while current is not None and current not in seen:
        seen.add(current)
        last = current
        current = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
    return last


def audit_person_ids(person_id: int) -> list[int]:
    """The person and every record currently merged into it (transitively): whose audit events its file shows."""
    ids = [person_id]
    frontier = [person_id]
    while frontier:
        nxt = [pk for pk in Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
               if pk not in ids]
        ids += nxt
        frontier = nxt
    return ids


def merge_history(*, actor: Actor, person_id: int) -> list[Merge]:
    """`merges_of` for someone who may find the person (audited read)."""
    access_person(actor, person_id)
    audit.record_read(actor, person_id=person_id, categories=[Category.IDENTITY], object_type="merges")
    return merges_of(person_id)


def merge_detail(*, actor: Actor, merge_id: int) -> Merge:
    """One merge, for whoever may find the surviving person (audited read); otherwise NotFound."""
    merge = Merge.objects.select_related("agency", "merged_by", "undone_by").filter(pk=merge_id).first()
    if merge is None:
        raise NotFound("Diese Zusammenführung gibt es nicht.")
    try:
        access_person(actor, merge.survivor_id)
    except NotFound as exc:
        raise NotFound("Diese Zusammenführung gibt es nicht.") from exc
    audit.record_read(actor, person_id=merge.survivor_id, categories=[Category.IDENTITY], object_type="merge",
                      object_id=merge.pk)
    return merge


def move_counts(merge: Merge) -> dict[str, int]:
    """Moved rows per model (verbose name plural), for the history page."""
    labels = {r.label: r.verbose_name for r in references()}
    counts: dict[str, int] = {}
    for model, n in merge.moves.values_list("model").annotate(n=models.Count("id")).values_list("model", "n"):
        counts[labels.get(model, model)] = counts.get(labels.get(model, model), 0) + n
    return dict(sorted(counts.items()))


__all__ = [
    "CONFLICT_FIELDS", "KEPT", "ConflictValue", "FieldConflict", "MergePreview", "MoveCount", "PersonSide",
    "Reference", "audit_person_ids", "blocking_rows", "conflicts_between", "merge_detail", "merge_history",
    "merge_persons",
    "merge_preview", "merged_into_chain", "merges_of", "move_counts", "provenance_for", "provenance_text",
    "references", "snapshot", "unmerge",
]
