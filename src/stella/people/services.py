"""Use cases on person data: register, edit (optimistic locking), add names, identifiers and the
like, search. Every function takes a keyword-only `actor`, checks the policy, writes the audit
event in the same transaction and raises a core.errors exception on bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.authz.policy import Action, Category, can_create_person
from stella.cases.access import access_person, check, persons_for_actor, today
from stella.cases.models import CaseFile, Participation, ParticipationRole
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.people import validators as v
from stella.people.models import (
    RESIDENCE_DOCUMENTS,
    AccommodationType,
    Address,
    Contact,
    ContactKind,
    DatePrecision,
    DocumentKind,
    Household,
    HouseholdMember,
    Identifier,
    IdentityDocument,
    LanguageSkill,
    NameKey,
    NameKind,
    Nationality,
    Person,
    PersonName,
    Relationship,
    Sex,
)
from stella.people.names import detect_script, name_keys

EARLIEST_BIRTH = date(1900, 1, 1)
#: Search results are counted only up to this many: an exact count of "Mohammed" among a million
#: persons costs more than the whole page of results, and nobody pages through a thousand hits.
SEARCH_COUNT_CAP = 1000


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the number of rows, or (cap, False) when there are more than `cap`."""
    cap = SEARCH_COUNT_CAP if cap is None else cap
    n = qs[: cap + 1].count()
    return (n, True) if n <= cap else (cap, False)


@dataclass
class NameIn:
    family_name: str
    given_names: str = ""
    kind: str = NameKind.REGISTERED


@dataclass
class IdentifierIn:
    kind: str
    value: str


@dataclass
class LanguageIn:
    language: str
    level: str


@dataclass
class ContactIn:
    kind: str
    value: str


@dataclass
class AddressIn:
    municipality: str
    valid_from: date
    street: str = ""
    postcode: str = ""
    accommodation: str = AccommodationType.PRIVATE


@dataclass
class DocumentIn:
    kind: str
    number: str
    issued_on: date | None = None
    valid_until: date | None = None
    issuing_authority: str = ""
    legal_basis: str = ""


@dataclass
class PersonIn:
    """Everything a registration may carry; only one name is required."""

    names: list[NameIn]
    sex: str = Sex.UNKNOWN
    birth_date: date | None = None
    birth_date_precision: str | None = None
    birth_place: str = ""
    birth_country: str = ""
    nationalities: list[str] = field(default_factory=list)
    languages: list[LanguageIn] = field(default_factory=list)
    identifiers: list[IdentifierIn] = field(default_factory=list)
    contacts: list[ContactIn] = field(default_factory=list)
    address: AddressIn | None = None
    documents: list[DocumentIn] = field(default_factory=list)


class _Errors:
    """Collects field errors so that one response names every problem."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def run(self, key: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            for msg in exc.messages:
                self.add(key, msg)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def _choice(errors: _Errors, key: str, value: str, choices: Any, label: str) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        errors.add(key, f"Unbekannter Wert „{value}“ für {label} (erlaubt: {allowed}).")


def resolve_birth_precision(birth_date: date | None, precision: str | None) -> str:
    """A 1 January given without a precision is a placeholder: year only, never exact."""
    if birth_date is None:
        return DatePrecision.UNKNOWN
    if precision:
        return precision
    if (birth_date.month, birth_date.day) == (1, 1):
        return DatePrecision.YEAR
    return DatePrecision.EXACT


def _check_birth(errors: _Errors, birth_date: date | None, precision: str | None) -> None:
    if precision is not None:
        _choice(errors, "birth_date_precision", precision, DatePrecision, "die Genauigkeit")
    if birth_date is None:
        if precision not in (None, DatePrecision.UNKNOWN):
            errors.add("birth_date", "Bei bekannter Genauigkeit ist ein Geburtsdatum nötig.")
        return
    if birth_date > today():
        errors.add("birth_date", "Das Geburtsdatum liegt in der Zukunft.")
    elif birth_date < EARLIEST_BIRTH:
        errors.add("birth_date", "Das Geburtsdatum liegt vor 1900.")


def _check_names(errors: _Errors, names: Sequence[NameIn], prefix: str = "names") -> None:
    if not names:
        errors.add(prefix, "Mindestens ein Name ist erforderlich.")
    for i, n in enumerate(names):
        if not (n.family_name or "").strip():
            errors.add(f"{prefix}.{i}.family_name", "Der Familienname fehlt.")
        _choice(errors, f"{prefix}.{i}.kind", n.kind, NameKind, "die Namensart")
        for part, key in ((n.family_name, "family_name"), (n.given_names, "given_names")):
            if len(part or "") > 200:
                errors.add(f"{prefix}.{i}.{key}", "Der Name ist zu lang (höchstens 200 Zeichen).")


def _check_identifiers(errors: _Errors, items: Sequence[IdentifierIn], exclude_person: int | None = None) -> list[str]:
    values: list[str] = []
    for i, ident in enumerate(items):
        norm = errors.run(f"identifiers.{i}.value", partial(v.validate_identifier, ident.kind, ident.value))
        values.append(norm or "")
        others = Identifier.objects.filter(kind=ident.kind, value=norm)
        if exclude_person is not None:
            others = others.exclude(person_id=exclude_person)
        if norm and others.exists():
            errors.add(f"identifiers.{i}.value", "Diese Kennung ist bereits einer anderen Person zugeordnet.")
    return values


def _check_documents(errors: _Errors, items: Sequence[DocumentIn], prefix: str = "documents") -> None:
    for i, d in enumerate(items):
        _choice(errors, f"{prefix}.{i}.kind", d.kind, DocumentKind, "die Dokumentart")
        if not (d.number or "").strip():
            errors.add(f"{prefix}.{i}.number", "Die Dokumentnummer fehlt.")
        if d.issued_on and d.valid_until and d.valid_until < d.issued_on:
            errors.add(f"{prefix}.{i}.valid_until", "„Gültig bis“ liegt vor dem Ausstellungsdatum.")
        if d.issued_on and d.issued_on > today():
            errors.add(f"{prefix}.{i}.issued_on", "Das Ausstellungsdatum liegt in der Zukunft.")


def _check_contacts(errors: _Errors, items: Sequence[ContactIn], prefix: str = "contacts") -> None:
    for i, c in enumerate(items):
        _choice(errors, f"{prefix}.{i}.kind", c.kind, ContactKind, "die Kontaktart")
        if not (c.value or "").strip():
            errors.add(f"{prefix}.{i}.value", "Der Kontakt ist leer.")
        elif c.kind == ContactKind.EMAIL and "@" not in c.value:
            errors.add(f"{prefix}.{i}.value", "Ungültige E-Mail-Adresse.")


def _check_address(errors: _Errors, a: AddressIn | None, prefix: str = "address") -> None:
    if a is None:
        return
    if not a.municipality.strip():
        errors.add(f"{prefix}.municipality", "Die Gemeinde fehlt.")
    if a.postcode and not (len(a.postcode) == 5 and a.postcode.isdigit()):
        errors.add(f"{prefix}.postcode", "Die Postleitzahl hat fünf Ziffern.")
    _choice(errors, f"{prefix}.accommodation", a.accommodation, AccommodationType, "die Unterbringung")


def _write_names(person: Person, names: Sequence[NameIn], actor: Actor) -> None:
    PersonName.objects.bulk_create([
        PersonName(person=person, kind=n.kind, family_name=n.family_name.strip(), given_names=n.given_names.strip(),
                   script=detect_script(n.family_name + n.given_names), source_agency_id=actor.agency_id)
        for n in names
    ])
    refresh_name_keys(person)


def refresh_name_keys(person: Person) -> None:
    """Rebuild the search keys from all current names (a derived index, not history)."""
    keys: dict[str, None] = {}
    for n in person.names.filter(valid_until__isnull=True):
        for k in name_keys(n.given_names, n.family_name):
            keys.setdefault(k[:40], None)
    year = person.birth_date.year if person.birth_date else None
    NameKey.objects.filter(person=person).delete()
    NameKey.objects.bulk_create([NameKey(person=person, key=k, birth_year=year) for k in keys])


def similar_persons(actor: Actor, names: Sequence[NameIn], birth_date: date | None, limit: int = 10,
                    *, audit_search: bool = False) -> list[Person]:
    """Persons visible to the actor with the same name keys and birth year (warning before registering).

    `audit_search=True` records the look-up as a search (the API shows the hits' base identities).
    """
    keys = name_keys(*[f"{n.given_names} {n.family_name}" for n in names[:1]])
    if not keys:
        return []
    qs = search_persons(actor, name=" ".join(n.family_name + " " + n.given_names for n in names[:1]),
                        audit_search=audit_search)
    if birth_date is not None:
        qs = qs.filter(birth_date__year=birth_date.year)
    return list(qs[:limit])


def register_person(*, actor: Actor, data: PersonIn, legal_basis: str = "") -> Person:
    """Create a person with its file; the actor's agency joins the file (lead if none leads yet)."""
    if not can_create_person(actor):
        audit.record_denied(actor, AuditAction.CREATE, reason="Rolle/Behörde darf keine Personen anlegen.",
                            object_type="person")
        raise AccessDenied("Ihre Rolle oder Behörde darf keine Personen registrieren.")
    errors = _Errors()
    _check_names(errors, data.names)
    _choice(errors, "sex", data.sex, Sex, "das Geschlecht")
    _check_birth(errors, data.birth_date, data.birth_date_precision)
    if data.birth_country:
        errors.run("birth_country", lambda: v.validate_country(data.birth_country))
    nats = [errors.run(f"nationalities.{i}", partial(v.validate_country, c)) for i, c in enumerate(data.nationalities)]
    langs = [
        (errors.run(f"languages.{i}.language", partial(v.validate_language, x.language)),
         errors.run(f"languages.{i}.level", partial(v.validate_cefr, x.level)))
        for i, x in enumerate(data.languages)
    ]
    ident_values = _check_identifiers(errors, data.identifiers)
    _check_contacts(errors, data.contacts)
    _check_address(errors, data.address)
    _check_documents(errors, data.documents)
    errors.raise_if_any()
    on = today()
    try:
        with transaction.atomic():
            person = Person.objects.create(
                sex=data.sex, birth_date=data.birth_date,
                birth_date_precision=resolve_birth_precision(data.birth_date, data.birth_date_precision),
                birth_place=data.birth_place.strip(), birth_country=(data.birth_country or "").upper(),
                registered_by_id=actor.agency_id,
            )
            _write_names(person, data.names, actor)
            Nationality.objects.bulk_create([Nationality(person=person, country=c) for c in dict.fromkeys(nats) if c])
            LanguageSkill.objects.bulk_create([LanguageSkill(person=person, language=lang, level=lvl)
                                               for lang, lvl in langs if lang and lvl])
            Identifier.objects.bulk_create([Identifier(person=person, kind=i.kind, value=val, source_agency_id=actor.agency_id)
                                            for i, val in zip(data.identifiers, ident_values, strict=True)])
            Contact.objects.bulk_create([Contact(person=person, kind=c.kind, value=c.value.strip()) for c in data.contacts])
            if data.address:
                a = data.address
                Address.objects.create(person=person, municipality=a.municipality.strip(), street=a.street.strip(),
                                       postcode=a.postcode, accommodation=a.accommodation, valid_from=a.valid_from)
            IdentityDocument.objects.bulk_create([IdentityDocument(person=person, **d.__dict__) for d in data.documents])
            case_file = CaseFile.objects.create(person=person)
            if actor.agency_id is not None:
                Participation.objects.create(
                    case_file=case_file, agency_id=actor.agency_id, role=ParticipationRole.LEAD, since=on,
                    legal_basis=legal_basis or "Erstregistrierung", created_by_id=actor.user_id,
                )
            audit.record(actor, AuditAction.CREATE, person_id=person.pk,
                         categories=[Category.IDENTITY, Category.RESIDENCE], object_type="person", object_id=person.pk)
    except IntegrityError as exc:  # a concurrent registration took an identifier first
        raise InvalidInput({"identifiers": ["Eine Kennung ist bereits einer anderen Person zugeordnet."]}) from exc
    return person


#: Person fields that `update_person` may change, with the category they belong to.
EDITABLE_FIELDS = ("sex", "birth_date", "birth_date_precision", "birth_place", "birth_country")


def changes_since(person_id: int, version: int) -> list[dict[str, Any]]:
    """What changed after `version` (from the audit trail): who, when, which fields."""
    events = AuditEvent.objects.filter(person_id=person_id, object_type="person", action=AuditAction.UPDATE,
                                       outcome="allowed").order_by("seq")
    out = []
    for e in events:
        if int(e.detail.get("version", 0)) > version:
            out.append({"at": e.occurred_at.isoformat(), "by": e.username, "agency": e.agency_code,
                        "fields": e.detail.get("fields", []), "version": e.detail.get("version")})
    return out


def update_person(*, actor: Actor, person_id: int, version: int, changes: dict[str, Any]) -> Person:
    """Change core fields if `version` is current; otherwise raise Conflict and change nothing."""
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.WRITE, Category.IDENTITY)
    errors = _Errors()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    for key in sorted(unknown):
        errors.add(key, "Dieses Feld kann hier nicht geändert werden.")
    if "sex" in changes:
        _choice(errors, "sex", changes["sex"], Sex, "das Geschlecht")
    birth_date = changes.get("birth_date", person.birth_date)
    precision = changes.get("birth_date_precision")
    if "birth_date" in changes or "birth_date_precision" in changes:
        _check_birth(errors, birth_date, precision)
        changes["birth_date_precision"] = resolve_birth_precision(birth_date, precision)
    if changes.get("birth_country"):
        changes["birth_country"] = errors.run("birth_country", lambda: v.validate_country(changes["birth_country"]))
    errors.raise_if_any()
    changed = sorted(k for k, val in changes.items() if getattr(person, k) != val)
    with transaction.atomic():
        updated = Person.objects.filter(pk=person_id, version=version).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes
        )
        if not updated:
            current = Person.objects.values_list("version", flat=True).get(pk=person_id)
            raise Conflict(
                "Die Person wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht gespeichert.",
                current_version=current, changes=changes_since(person_id, version),
            )
        person.refresh_from_db()
        if "birth_date" in changed:
            refresh_name_keys(person)  # the keys carry the birth year for the duplicate check
        audit.record(actor, AuditAction.UPDATE, person_id=person_id, categories=[Category.IDENTITY],
                     object_type="person", object_id=person_id, detail={"fields": changed, "version": version + 1})
    return person


def _touch(person_id: int) -> None:
    Person.objects.filter(pk=person_id).update(version=F("version") + 1, updated_at=timezone.now())


def _add_record(actor: Actor, person_id: int, category: Category, object_type: str,
                create: Callable[[Person], Any]) -> Any:
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.WRITE, category)
    with transaction.atomic():
        obj = create(person)
        _touch(person_id)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[category],
                     object_type=object_type, object_id=getattr(obj, "pk", ""))
    return obj


def add_name(*, actor: Actor, person_id: int, name: NameIn) -> PersonName:
    errors = _Errors()
    _check_names(errors, [name], prefix="name")
    errors.raise_if_any()

    def create(person: Person) -> PersonName:
        _write_names(person, [name], actor)
        return person.names.order_by("-id").first()  # type: ignore[return-value]

    return _add_record(actor, person_id, Category.IDENTITY, "name", create)  # type: ignore[no-any-return]


def add_identifier(*, actor: Actor, person_id: int, identifier: IdentifierIn) -> Identifier:
    errors = _Errors()
    (value,) = _check_identifiers(errors, [identifier])
    errors.raise_if_any()
    return _add_record(actor, person_id, Category.IDENTITY, "identifier",  # type: ignore[no-any-return]
                       lambda p: Identifier.objects.create(person=p, kind=identifier.kind, value=value,
                                                           source_agency_id=actor.agency_id))


def add_nationality(*, actor: Actor, person_id: int, country: str) -> Nationality:
    errors = _Errors()
    code = errors.run("country", lambda: v.validate_country(country))
    errors.raise_if_any()
    return _add_record(actor, person_id, Category.IDENTITY, "nationality",  # type: ignore[no-any-return]
                       lambda p: Nationality.objects.create(person=p, country=code))


def add_language(*, actor: Actor, person_id: int, language: LanguageIn) -> LanguageSkill:
    errors = _Errors()
    lang = errors.run("language", lambda: v.validate_language(language.language))
    level = errors.run("level", lambda: v.validate_cefr(language.level))
    errors.raise_if_any()
    return _add_record(actor, person_id, Category.COMPETENCES, "language",  # type: ignore[no-any-return]
                       lambda p: LanguageSkill.objects.create(person=p, language=lang, level=level))


def add_contact(*, actor: Actor, person_id: int, contact: ContactIn) -> Contact:
    errors = _Errors()
    _check_contacts(errors, [contact], prefix="contact")
    errors.raise_if_any()
    return _add_record(actor, person_id, Category.IDENTITY, "contact",  # type: ignore[no-any-return]
                       lambda p: Contact.objects.create(person=p, kind=contact.kind, value=contact.value.strip()))


def add_address(*, actor: Actor, person_id: int, address: AddressIn) -> Address:
    """A new address from a date; the previous open one ends the day before."""
    errors = _Errors()
    _check_address(errors, address)
    errors.raise_if_any()

    def create(person: Person) -> Address:
        previous = person.addresses.filter(valid_until__isnull=True).order_by("-valid_from").first()
        if previous is not None:
            if address.valid_from <= previous.valid_from:
                raise InvalidInput({"address.valid_from": "Die neue Anschrift muss nach der bisherigen beginnen."})
            previous.valid_until = address.valid_from - timedelta(days=1)
            previous.save(update_fields=["valid_until"])
        return Address.objects.create(person=person, municipality=address.municipality.strip(),
                                      street=address.street.strip(), postcode=address.postcode,
                                      accommodation=address.accommodation, valid_from=address.valid_from)

    return _add_record(actor, person_id, Category.RESIDENCE, "address", create)  # type: ignore[no-any-return]


def add_document(*, actor: Actor, person_id: int, document: DocumentIn) -> IdentityDocument:
    errors = _Errors()
    _check_documents(errors, [document], prefix="document")
    errors.raise_if_any()
    category = Category.RESIDENCE if document.kind in RESIDENCE_DOCUMENTS else Category.IDENTITY
    return _add_record(actor, person_id, category, "document",  # type: ignore[no-any-return]
                       lambda p: IdentityDocument.objects.create(person=p, **document.__dict__))


def search_persons(actor: Actor, *, name: str = "", birth_date: date | None = None, identifier: str = "",
                   audit_search: bool = True) -> QuerySet[Person]:
    """Spelling-tolerant search over the persons the actor may find; every token must match a key."""
    qs = persons_for_actor(actor)
    keys = name_keys(name) if name else []
    if name and not keys:
        raise InvalidInput({"name": "Der Suchbegriff enthält keinen Namen."})
    if not (keys or birth_date or identifier):
        raise InvalidInput({"name": "Bitte Name, Geburtsdatum oder Kennung angeben."})
    for key in keys:
        # One semi-join per key: PostgreSQL intersects the (key, person) index ranges with a merge join
        # that stops after the first page. Grouping the rows of all keys (GROUP BY … HAVING) read and
        # hashed every row of frequent keys (Mohammed, Hassan: >100,000 each at 1M persons) – see
        # docs/benchmarks.md.
        qs = qs.filter(pk__in=NameKey.objects.filter(key=key).values("person_id"))
    if birth_date:
        qs = qs.filter(birth_date=birth_date)
    if identifier:
        qs = qs.filter(identifiers__value=v.normalise_identifier(identifier))
    if audit_search:
        audit.record(actor, AuditAction.SEARCH, categories=[Category.IDENTITY], object_type="person",
                     detail={"name": name, "birth_date": birth_date.isoformat() if birth_date else "",
                             "identifier": bool(identifier)})
    return qs.order_by("pk")


@dataclass
class MemberIn:
    person_id: int
    relationship: str
    since: date | None = None


def _check_members(errors: _Errors, members: Sequence[MemberIn], prefix: str = "members") -> None:
    seen: set[int] = set()
    for i, m in enumerate(members):
        _choice(errors, f"{prefix}.{i}.relationship", m.relationship, Relationship, "die Beziehung")
        if m.person_id in seen:
            errors.add(f"{prefix}.{i}.person_id", "Die Person ist doppelt angegeben.")
        seen.add(m.person_id)
        if m.since and m.since > today():
            errors.add(f"{prefix}.{i}.since", "Das Datum liegt in der Zukunft.")


def _member_write_access(actor: Actor, person_ids: Sequence[int]) -> None:
    for pid in person_ids:
        person, ctx = access_person(actor, pid)
        check(actor, pid, ctx, Action.WRITE, Category.IDENTITY)


def create_household(*, actor: Actor, members: Sequence[MemberIn], label: str = "", bg_number: str = "") -> Household:
    """A household / Bedarfsgemeinschaft of persons whose files the actor may write (identity)."""
    errors = _Errors()
    if not members:
        errors.add("members", "Ein Haushalt braucht mindestens ein Mitglied.")
    _check_members(errors, members)
    bg = errors.run("bg_number", partial(v.validate_identifier, "bg_nummer", bg_number)) if bg_number else ""
    errors.raise_if_any()
    _member_write_access(actor, [m.person_id for m in members])
    with transaction.atomic():
        household = Household.objects.create(label=label.strip()[:120], bg_number=bg or "")
        HouseholdMember.objects.bulk_create([
            HouseholdMember(household=household, person_id=m.person_id, relationship=m.relationship,
                            since=m.since or today())
            for m in members
        ])
        for m in members:
            _touch(m.person_id)
            audit.record(actor, AuditAction.CREATE, person_id=m.person_id, categories=[Category.IDENTITY],
                         object_type="household", object_id=household.pk, detail={"relationship": m.relationship})
    return household


def add_household_member(*, actor: Actor, household_id: int, member: MemberIn) -> HouseholdMember:
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        raise NotFound("Der Haushalt wurde nicht gefunden.")
    errors = _Errors()
    _check_members(errors, [member], prefix="member")
    if household.members.filter(person_id=member.person_id, until__isnull=True).exists():
        errors.add("member.person_id", "Die Person gehört dem Haushalt bereits an.")
    errors.raise_if_any()
    existing = list(household.members.filter(until__isnull=True).values_list("person_id", flat=True)[:1])
    _member_write_access(actor, [member.person_id, *existing])
    with transaction.atomic():
        row = HouseholdMember.objects.create(household=household, person_id=member.person_id,
                                             relationship=member.relationship, since=member.since or today())
        _touch(member.person_id)
        audit.record(actor, AuditAction.CREATE, person_id=member.person_id, categories=[Category.IDENTITY],
                     object_type="household", object_id=household.pk, detail={"relationship": member.relationship})
    return row


def end_household_membership(*, actor: Actor, household_id: int, person_id: int, until: date) -> HouseholdMember:
    """A member leaves the household on `until` (the row stays as history)."""
    row = HouseholdMember.objects.filter(household_id=household_id, person_id=person_id, until__isnull=True).first()
    if row is None:
        raise NotFound("Die Mitgliedschaft wurde nicht gefunden.")
    if until < row.since:
        raise InvalidInput({"until": "Das Ende liegt vor dem Beginn der Mitgliedschaft."})
    _member_write_access(actor, [person_id])
    with transaction.atomic():
        HouseholdMember.objects.filter(pk=row.pk).update(until=until)
        _touch(person_id)
        audit.record(actor, AuditAction.UPDATE, person_id=person_id, categories=[Category.IDENTITY],
                     object_type="household", object_id=household_id, detail={"until": until.isoformat()})
    row.refresh_from_db()
    return row
