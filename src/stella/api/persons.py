"""Persons: search, duplicate check, registration, the file header, edits and added sub-records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from stella.api.auth import actor
from stella.api.schemas import (
    AddressIn,
    ContactIn,
    DocumentIn,
    FileOut,
    IdentifierIn,
    LanguageIn,
    NameIn,
    NationalityIn,
    Page,
    PersonCreate,
    PersonCreated,
    PersonOut,
    PersonPatch,
    PersonSearch,
    PersonUpdated,
    RecordOut,
    SimilarOut,
    SimilarQuery,
    paginate,
)
from stella.cases import services as cases
from stella.cases.sections import base_identity
from stella.core.actor import Actor
from stella.linkage import online
from stella.linkage.merge import merged_into_chain
from stella.linkage.records import record_from_input
from stella.people import services as people
from stella.people.models import Person

router = Router(tags=["Personen"])

#: How many possible duplicates a registration reports.
SIMILAR_LIMIT = 10


@router.get("", response=Page[PersonOut], summary="Personen suchen")
def search(request: HttpRequest, filters: Query[PersonSearch]) -> Any:
    """Spelling-tolerant search by name, birth date and/or identifier over the persons the caller may
    find (Kursträger: only persons in their courses). Hits show the base identity only; audited."""
    qs = people.search_persons(actor(request), name=filters.name, birth_date=filters.birth_date,
                               identifier=filters.identifier)
    return paginate(qs.prefetch_related("names", "nationalities"), filters, base_identity,
                    count_cap=people.SEARCH_COUNT_CAP)


def _hits(result: online.CheckResult) -> list[dict[str, Any]]:
    return [{**base_identity(h.person), "probability": h.probability, "match_weight": h.match_weight,
             "evidence": h.evidence} for h in result.hits]


@router.get("/similar", response=list[SimilarOut], summary="Mögliche Doppelerfassungen")
def similar(request: HttpRequest, query: Query[SimilarQuery]) -> Any:
    """Persons that may be the same (duplicate model of `stella.linkage`: spelling variants, birth date with
    precision, nationality, sex, birthplace), most probable first, with the evidence per field – the warning
    shown before registering. Evidence on fields the caller may not read in the other file is withheld."""
    record = record_from_input("neu", [(query.given_names, query.family_name)], birth_date=query.birth_date,
                               birth_precision=query.birth_date_precision, sex=query.sex or "",
                               nationality=query.nationality, birth_place=query.birth_place)
    return _hits(online.check_person(actor=actor(request), record=record, limit=SIMILAR_LIMIT))


@router.post("", response={201: PersonCreated}, summary="Person registrieren")
def register(request: HttpRequest, response: HttpResponse, payload: PersonCreate) -> Any:
    """Register a person with their file; the caller's agency becomes lead. The answer lists
    persons that may be the same (`similar`) so that a duplicate can be merged early."""
    me = actor(request)
    data = payload.to_service()
    person = people.register_person(actor=me, data=data)
    # Check the saved person and put likely duplicates into the review queue (docs/linkage-review.md).
    found = online.check_and_record(actor=me, person=person, limit=SIMILAR_LIMIT)
    response["Location"] = reverse("api:get_person", kwargs={"person_id": person.pk})
    return Status(201, {**base_identity(person), "similar": _hits(found)})


@router.get("/{int:person_id}", response=FileOut, summary="Fallakte öffnen")
def get_person(request: HttpRequest, person_id: int) -> Any:
    """Base identity and, per data category, whether the caller may read it and why (audited). A record merged
    into another person answers with `merged_into`: its data now lives in that file."""
    overview = cases.open_file(actor=actor(request), person_id=person_id)
    return {
        "person": base_identity(overview.person),
        "participation": overview.context.participation,
        "consented": sorted(overview.context.consented),
        "sections": [{"category": s.category, "label": s.category.label, "allowed": s.decision.allowed,
                      "reason": s.decision.reason, "basis": s.decision.basis} for s in overview.sections],
        "merged_into": merged_into_chain(person_id) if overview.person.merged_into_id else None,
    }


@router.patch("/{int:person_id}", response=PersonUpdated, summary="Stammdaten ändern")
def update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    """Change core fields. Based on a stale `version`, nothing is written and the answer is 409 with
    `current_version` and what changed since."""
    person = people.update_person(actor=actor(request), person_id=person_id, version=payload.version,
                                  changes=payload.changes())
    return {**base_identity(person), "sex": person.sex, "birth_place": person.birth_place,
            "birth_country": person.birth_country}


# --- sub-records: one small handler each, all answered alike --------------------------------------

def _added(person_id: int, add: Callable[[Actor], Any], request: HttpRequest) -> Status[dict[str, int]]:
    record = add(actor(request))
    version = Person.objects.values_list("version", flat=True).get(pk=person_id)
    return Status(201, {"id": record.pk, "person_version": version})


@router.post("/{int:person_id}/names", response={201: RecordOut}, summary="Namen (Schreibweise) hinzufügen")
def add_name(request: HttpRequest, person_id: int, payload: NameIn) -> Any:
    return _added(person_id, lambda a: people.add_name(actor=a, person_id=person_id, name=payload.to_service()),
                  request)


@router.post("/{int:person_id}/identifiers", response={201: RecordOut}, summary="Kennung hinzufügen")
def add_identifier(request: HttpRequest, person_id: int, payload: IdentifierIn) -> Any:
    return _added(person_id, lambda a: people.add_identifier(actor=a, person_id=person_id,
                                                             identifier=payload.to_service()), request)


@router.post("/{int:person_id}/nationalities", response={201: RecordOut}, summary="Staatsangehörigkeit hinzufügen")
def add_nationality(request: HttpRequest, person_id: int, payload: NationalityIn) -> Any:
    return _added(person_id, lambda a: people.add_nationality(actor=a, person_id=person_id,
                                                              country=payload.country), request)


@router.post("/{int:person_id}/languages", response={201: RecordOut}, summary="Sprachkenntnis hinzufügen")
def add_language(request: HttpRequest, person_id: int, payload: LanguageIn) -> Any:
    return _added(person_id, lambda a: people.add_language(actor=a, person_id=person_id,
                                                           language=payload.to_service()), request)


@router.post("/{int:person_id}/contacts", response={201: RecordOut}, summary="Kontakt hinzufügen")
def add_contact(request: HttpRequest, person_id: int, payload: ContactIn) -> Any:
    return _added(person_id, lambda a: people.add_contact(actor=a, person_id=person_id,
                                                          contact=payload.to_service()), request)


@router.post("/{int:person_id}/addresses", response={201: RecordOut}, summary="Neue Anschrift")
def add_address(request: HttpRequest, person_id: int, payload: AddressIn) -> Any:
    """A new address from `valid_from`; the previous one ends the day before."""
    return _added(person_id, lambda a: people.add_address(actor=a, person_id=person_id,
                                                          address=payload.to_service()), request)


@router.post("/{int:person_id}/documents", response={201: RecordOut}, summary="Ausweisdokument hinzufügen")
def add_document(request: HttpRequest, person_id: int, payload: DocumentIn) -> Any:
    return _added(person_id, lambda a: people.add_document(actor=a, person_id=person_id,
                                                           document=payload.to_service()), request)
