"""Builders for merge tests: every kind of row that can hang on a person or a file, and a full snapshot
of all rows that reference a set of persons (to prove that unmerge restores them exactly)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import models

from stella.accounts.models import User
from stella.agencies.models import Agency, Function, Municipality
from stella.cases.models import CaseFile, Consent, Participation, TimelineEntry
from stella.competences.models import (
    Circumstances,
    LanguageAssessment,
    Qualification,
    SchoolEducation,
    Skill,
    WorkExperience,
)
from stella.journey.models import (
    Appointment,
    BulkHandOverItem,
    BulkHandOverJob,
    HandOver,
    StatusEvent,
    Task,
)
from stella.matching.models import AllocationRun, Assignment
from stella.offers.models import Enrolment, Offer, Placement
from stella.people.models import (
    Address,
    Contact,
    Household,
    HouseholdMember,
    Identifier,
    IdentityDocument,
    LanguageSkill,
    NameKey,
    Nationality,
    Person,
    PersonName,
)

_n = itertools.count(1)
T0 = datetime(2016, 3, 1, 9, 0, tzinfo=UTC)


def _offer(agency: Agency, municipality: Municipality) -> Offer:
    return Offer.objects.create(kind="integration_course", title=f"Kurs {next(_n)}", provider="VHS", owner=agency,
                                municipality=municipality, starts_on=date(2024, 1, 8), seats=20)


def _file(person: Person) -> CaseFile:
    return CaseFile.objects.get_or_create(person=person)[0]


def builders(agency: Agency, user: User, municipality: Municipality) -> dict[str, Callable[[Person, int], Any]]:
    """kind → function(person, i) that adds the i-th row of that kind to the person."""
    district = agency.landkreis

    def household(p: Person, i: int) -> Any:
        h = Household.objects.create(label=f"Haushalt {next(_n)}")
        return HouseholdMember.objects.create(household=h, person=p, relationship="head", since=date(2016, 1, 1))

    def consent(p: Person, i: int) -> Any:
        c = Consent.objects.create(case_file=_file(p), categories=["competences"], purpose="Vermittlung",
                                   valid_from=date(2016, 1, 1) + timedelta(days=i))
        c.agencies.set([agency])
        return c

    def run(p: Person, i: int) -> Any:
        r = AllocationRun.objects.create(agency=agency, district=district, reference_date=date(2024, 1, 1),
                                         score_version="t", input_sha256=f"{next(_n):064d}", created_by=user)
        return Assignment.objects.create(run=r, person=p, waiting_days=i)

    def bulk(p: Person, i: int) -> Any:
        job = BulkHandOverJob.objects.create(criteria={}, function=Function.LABOUR_SGB2, to_agency=agency,
                                             effective_date=date(2022, 6, 1), reason="Ukraine")
        return BulkHandOverItem.objects.create(job=job, person=p)

    return {
        "names": lambda p, i: PersonName.objects.create(
            person=p, kind=["registered", "document", "original", "alias"][i % 4],
            given_names=["Mohammed", "محمد", "ሙሓመድ", "Muhammad"][i % 4],
            family_name=["Al-Hassan", "الحسن", "ሓሰን", "Alhassan"][i % 4],
            script=["latn", "arab", "ethi", "latn"][i % 4], source_agency=agency),
        "identifiers": lambda p, i: Identifier.objects.create(person=p, kind="azr", value=f"AZR{next(_n):09d}"),
        "documents": lambda p, i: IdentityDocument.objects.create(person=p, kind=["passport", "duldung"][i % 2],
                                                                  number=f"D{next(_n)}"),
        "nationalities": lambda p, i: Nationality.objects.create(person=p, country=["SYR", "AFG", "ERI"][i % 3]),
        "languages": lambda p, i: LanguageSkill.objects.create(person=p, language=["ar", "prs", "ti"][i % 3],
                                                               level="B1"),
        "contacts": lambda p, i: Contact.objects.create(person=p, kind="phone", value=f"0176 {next(_n)}"),
        "addresses": lambda p, i: Address.objects.create(person=p, municipality="Ludwigsburg",
                                                         valid_from=date(2016, 1, 1) + timedelta(days=30 * i)),
        "households": household,
        "participations": lambda p, i: Participation.objects.create(
            case_file=_file(p), agency=agency, role=["lead", "contributing"][i % 2], since=date(2016, 1, 1),
            legal_basis="§50 SGB II"),
        "timeline": lambda p, i: TimelineEntry.objects.create(case_file=_file(p), kind="note",
                                                              category=["counselling", "identity"][i % 2],
                                                              title=f"Vermerk {i}", occurred_at=T0, agency=agency),
        "consents": consent,
        "status": lambda p, i: StatusEvent.objects.create(person=p, kind="gestattung",
                                                          effective_date=date(2016, 1, 1) + timedelta(days=i)),
        "handovers": lambda p, i: HandOver.objects.create(person=p, function=Function.LABOUR_SGB2, to_agency=agency,
                                                          reason="Anerkennung", effective_date=date(2017, 1, 1),
                                                          state="completed"),
        "tasks": lambda p, i: Task.objects.create(person=p, agency=agency, title=f"Aufgabe {i}",
                                                  due_date=date(2024, 1, 1)),
        "appointments": lambda p, i: Appointment.objects.create(person=p, agency=agency, starts_at=T0,
                                                                ends_at=T0 + timedelta(hours=1), place="Raum 1",
                                                                purpose="Beratung"),
        "enrolments": lambda p, i: Enrolment.objects.create(offer=_offer(agency, municipality), person=p,
                                                            agency=agency),
        "placements": lambda p, i: Placement.objects.create(person=p, kind="employment", employer="Bäckerei",
                                                            starts_on=date(2019, 1, 1), agency=agency),
        "competences": lambda p, i: [
            Skill.objects.create(person=p, kind="skill", value="Schweißen", recorded_by=agency),
            SchoolEducation.objects.create(person=p, years=9),
            Qualification.objects.create(person=p, kind="vocational", title="Elektriker"),
            WorkExperience.objects.create(person=p, title_as_given="نجار", years=3),
            LanguageAssessment.objects.create(person=p, language="de", source="course", speaking="A2",
                                              assessed_on=date(2018, 1, 1)),
            Circumstances.objects.create(person=p, needs_childcare=bool(i % 2)),
        ],
        "assignments": run,
        "bulk_items": bulk,
    }


KINDS = ("names", "identifiers", "documents", "nationalities", "languages", "contacts", "addresses", "households",
         "participations", "timeline", "consents", "status", "handovers", "tasks", "appointments", "enrolments",
         "placements", "competences", "assignments", "bulk_items")


def _row(obj: models.Model) -> dict[str, Any]:
    data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for f in obj._meta.many_to_many:
        data[f.name] = sorted(o.pk for o in getattr(obj, f.name).all())
    return data


def full_snapshot(person_ids: list[int]) -> dict[tuple[str, int], dict[str, Any]]:
    """Every row of every model that references one of the persons or their files, with all values;
    the persons themselves without `version`/`updated_at` (they only move forward)."""
    from stella.linkage.merge import references

    files = list(CaseFile.objects.filter(person_id__in=person_ids).values_list("pk", flat=True))
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for ref in references():
        owners = person_ids if ref.target == "person" else files
        for obj in ref.model._base_manager.filter(**{f"{ref.attname}__in": owners}):
            out[(ref.label, obj.pk)] = _row(obj)
    for p in Person.objects.filter(pk__in=person_ids):
        row = _row(p)
        row.pop("version")
        row.pop("updated_at")
        out[("people.Person", p.pk)] = row
    for f in CaseFile.objects.filter(pk__in=files):
        out[("cases.CaseFile", f.pk)] = _row(f)
    for pid in person_ids:
        out[("people.NameKey", pid)] = {"keys": sorted(NameKey.objects.filter(person_id=pid)
                                                       .values_list("key", "birth_year"))}
    return out
