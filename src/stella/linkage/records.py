"""The record the linkage engine compares: one person (or one input row of `stella link-records`)
reduced to the fields that identify them. The engine never sees other personal data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, QuerySet

from stella.people.models import DatePrecision, Nationality, Person, PersonName
from stella.people.services import resolve_birth_precision

#: Nationality codes that say nothing about identity (stateless, unclear).
NO_NATIONALITY = frozenset({"", "XXA", "XXX"})


@dataclass(frozen=True)
class LinkRecord:
    """One registration as the engine sees it. `names` holds every current spelling (given, family);
    the first is the primary name. Birth dates carry their precision (a 1 January may mean 'year only')."""

    record_id: str
    names: tuple[tuple[str, str], ...]
    birth_date: date | None = None
    birth_precision: str = DatePrecision.EXACT
    sex: str = ""  # f, m, d or "" (unknown)
    nationality: str = ""  # ISO 3166 alpha-3; "" for unknown, XXA and XXX
    birth_place: str = ""
    source: str = ""  # agency code or the CSV's source_agency
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def persons_for_linkage() -> QuerySet[Person]:
    """Persons that take part in duplicate detection: not merged into another person."""
    return Person.objects.filter(merged_into__isnull=True)


def _prefetched(qs: QuerySet[Person]) -> QuerySet[Person]:
    return qs.select_related("registered_by").prefetch_related(
        Prefetch("names", queryset=PersonName.objects.filter(valid_until__isnull=True).order_by("id")),
        Prefetch("nationalities", queryset=Nationality.objects.filter(valid_until__isnull=True).order_by("id")),
    )


def record_of(person: Person) -> LinkRecord:
    """The LinkRecord of a person whose names and nationalities are prefetched (see `records_of`)."""
    names = sorted(person.names.all(), key=lambda n: (n.kind != "registered", n.id))
    nats = [n.country for n in person.nationalities.all() if n.country not in NO_NATIONALITY]
    sex = person.sex if person.sex in {"f", "m", "d"} else ""
    return LinkRecord(
        record_id=str(person.pk),
        names=tuple((n.given_names, n.family_name) for n in names),
        birth_date=person.birth_date if person.birth_date_precision != DatePrecision.UNKNOWN else None,
        birth_precision=person.birth_date_precision,
        sex=sex,
        nationality=nats[0] if nats else "",
        birth_place=person.birth_place,
        source=person.registered_by.code if person.registered_by else "",
    )


def records_of(qs: QuerySet[Person], chunk: int = 2000) -> Iterator[LinkRecord]:
    """LinkRecords of the persons in `qs`, read in chunks (constant memory over a million persons)."""
    for person in _prefetched(qs.order_by("pk")).iterator(chunk_size=chunk):
        yield record_of(person)


def record_from_input(record_id: str, names: Iterable[tuple[str, str]], *, birth_date: date | None,
                      birth_precision: str | None = None, sex: str = "", nationality: str = "",
                      birth_place: str = "") -> LinkRecord:
    """A LinkRecord for a registration that is not saved yet (the online check before registering)."""
    nat = nationality.upper()
    return LinkRecord(
        record_id=record_id, names=tuple(names), birth_date=birth_date,
        birth_precision=resolve_birth_precision(birth_date, birth_precision),
        sex=sex if sex in {"f", "m", "d"} else "", nationality="" if nat in NO_NATIONALITY else nat,
        birth_place=birth_place,
    )
