"""Plain, JSON-ready views of a file's sections: one builder per data category.

The API returns these dicts, the web UI renders them, the Art. 15 export collects them.
Builders do no access checks: callers (services) decide first.
"""

from __future__ import annotations

from typing import Any

from stella.audit.models import AuditEvent
from stella.authz.policy import Category
from stella.cases.models import Consent, Participation, TimelineEntry
from stella.people.models import RESIDENCE_DOCUMENTS, HouseholdMember, Person
from stella.people.validators import country_name, language_name


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def name_dict(n: Any) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "kind_label": n.get_kind_display(), "given_names": n.given_names,
            "family_name": n.family_name, "script": n.script, "rtl": n.is_rtl, "valid_until": _iso(n.valid_until)}


def base_identity(person: Person) -> dict[str, Any]:
    """What any actor who may find the person sees (search hits, the file header)."""
    primary = person.primary_name
    return {
        "id": person.pk,
        "version": person.version,
        "display_name": primary.display if primary else "",
        "names": [name_dict(n) for n in person.names.all() if n.valid_until is None],
        "birth_date": _iso(person.birth_date),
        "birth_date_precision": person.birth_date_precision,
        "birth_date_display": person.birth_date_display,
        "nationalities": [{"code": n.country, "name": country_name(n.country)}
                          for n in person.nationalities.all() if n.valid_until is None],
    }


def _documents(person: Person, residence: bool) -> list[dict[str, Any]]:
    return [
        {"id": d.pk, "kind": d.kind, "kind_label": d.get_kind_display(), "number": d.number,
         "issued_on": _iso(d.issued_on), "valid_until": _iso(d.valid_until),
         "issuing_authority": d.issuing_authority, "legal_basis": d.legal_basis}
        for d in person.documents.all() if (d.kind in RESIDENCE_DOCUMENTS) == residence
    ]


def _identity(person: Person) -> dict[str, Any]:
    data = base_identity(person)
    households = HouseholdMember.objects.filter(person=person).select_related("household")
    data.update({
        "all_names": [name_dict(n) for n in person.names.all()],
        "sex": person.sex,
        "sex_label": person.get_sex_display(),
        "birth_place": person.birth_place,
        "birth_country": person.birth_country,
        "identifiers": [{"id": i.pk, "kind": i.kind, "kind_label": i.get_kind_display(), "value": i.value}
                        for i in person.identifiers.all()],
        "contacts": [{"id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "value": c.value}
                     for c in person.contacts.all() if c.valid_until is None],
        "documents": _documents(person, residence=False),
        "households": [
            {"household_id": m.household_id, "label": m.household.label, "bg_number": m.household.bg_number,
             "relationship": m.get_relationship_display(), "since": _iso(m.since), "until": _iso(m.until),
             "members": [
                 {"person_id": o.person_id, "relationship": o.get_relationship_display()}
                 for o in m.household.members.all() if o.person_id != person.pk
             ]}
            for m in households
        ],
    })
    return data


def _residence(person: Person) -> dict[str, Any]:
    return {
        "addresses": [
            {"id": a.pk, "street": a.street, "postcode": a.postcode, "municipality": a.municipality,
             "accommodation": a.accommodation, "accommodation_label": a.get_accommodation_display(),
             "valid_from": _iso(a.valid_from), "valid_until": _iso(a.valid_until)}
            for a in person.addresses.all()
        ],
        "documents": _documents(person, residence=True),
    }


def _competences(person: Person) -> dict[str, Any]:
    return {"languages": [{"id": lang.pk, "language": lang.language, "name": language_name(lang.language),
                           "level": lang.level} for lang in person.languages.all()]}


BUILDERS = {Category.IDENTITY: _identity, Category.RESIDENCE: _residence, Category.COMPETENCES: _competences}


def entry_dict(e: TimelineEntry) -> dict[str, Any]:
    return {
        "id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "category": e.category,
        "title": e.title, "text": e.text, "occurred_at": _iso(e.occurred_at), "created_at": _iso(e.created_at),
        "author": e.author.get_username() if e.author else "", "agency": e.agency.name if e.agency else "",
        "corrects": e.corrects_id,
        "corrected_by": [c.pk for c in e.corrections.all()],
        "attachments": [{"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in e.attachments.all()],
    }


def build(person: Person, category: Category, with_timeline: bool = True) -> dict[str, Any]:
    builder = BUILDERS.get(category)
    data: dict[str, Any] = {"category": category.value, "label": category.label}
    data.update(builder(person) if builder else {})
    if with_timeline:
        entries = (TimelineEntry.objects.filter(case_file__person=person, category=category)
                   .select_related("author", "agency").prefetch_related("attachments", "corrections"))
        data["entries"] = [entry_dict(e) for e in entries]
    return data


def participation_dict(p: Participation) -> dict[str, Any]:
    return {"id": p.pk, "agency": p.agency.code, "agency_name": p.agency.name, "role": p.role,
            "role_label": p.get_role_display(), "since": _iso(p.since), "until": _iso(p.until),
            "legal_basis": p.legal_basis}


def consent_dict(c: Consent) -> dict[str, Any]:
    return {"id": c.pk, "categories": c.categories, "agencies": [a.code for a in c.agencies.all()],
            "purpose": c.purpose, "valid_from": _iso(c.valid_from), "valid_until": _iso(c.valid_until),
            "revoked_at": _iso(c.revoked_at), "revocation_note": c.revocation_note,
            "form_attachment": c.form_id}


def audit_dict(e: AuditEvent) -> dict[str, Any]:
    return {"seq": e.seq, "occurred_at": _iso(e.occurred_at), "username": e.username, "agency": e.agency_code,
            "person_id": e.person_id, "categories": e.categories, "action": e.action, "purpose": e.purpose,
            "outcome": e.outcome, "reason": e.reason, "object_type": e.object_type, "object_id": e.object_id}
