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


def _record(pk: int, sex: str, birth_date: date | None, precision: str, birth_place: str, source: str | None,
            names: list[tuple[str, int, str, str]], nationalities: list[str]) -> LinkRecord:
    """The one place that reduces a person to a LinkRecord; `names` as (kind, id, given, family)."""
    ordered = sorted(names, key=lambda n: (n[0] != "registered", n[1]))
    nats = [c for c in nationalities if c not in NO_NATIONALITY]
    return LinkRecord(
        record_id=str(pk),
        names=tuple((given, family) for _, _, given, family in ordered),
        birth_date=birth_date if precision != DatePrecision.UNKNOWN else None,
        birth_precision=precision,
        sex=sex if sex in {"f", "m", "d"} else "",
        nationality=nats[0] if nats else "",
        birth_place=birth_place,
        source=source or "",
    )


def record_of(person: Person) -> LinkRecord:
    """The LinkRecord of a person whose names and nationalities are prefetched (see `records_of`)."""
    return _record(person.pk, person.sex, person.birth_date, person.birth_date_precision, person.birth_place,
                   person.registered_by.code if person.registered_by else "",
                   [(n.kind, n.id, n.given_names, n.family_name) for n in person.names.all()],
                   [n.country for n in person.nationalities.all()])


def records_of(qs: QuerySet[Person], chunk: int = 2000) -> Iterator[LinkRecord]:
    """LinkRecords of the persons in `qs`, read in chunks (constant memory over a million persons)."""
    for person in _prefetched(qs.order_by("pk")).iterator(chunk_size=chunk):
        yield record_of(person)


def records_by_id(ids: Iterable[int]) -> list[LinkRecord]:
    """LinkRecords of a few persons (the online check's candidates) in three plain queries, without model
    instances – the same records as `records_of`, in the order of `ids`; merged-away persons are left out."""
    wanted = list(dict.fromkeys(ids))
    persons = {row[0]: row for row in persons_for_linkage().filter(pk__in=wanted).values_list(
        "pk", "sex", "birth_date", "birth_date_precision", "birth_place", "registered_by__code")}
    names: dict[int, list[tuple[str, int, str, str]]] = {pk: [] for pk in persons}
    for pid, kind, pk, given, family in PersonName.objects.filter(
            person_id__in=list(persons), valid_until__isnull=True).values_list(
            "person_id", "kind", "pk", "given_names", "family_name"):
        names[pid].append((kind, pk, given, family))
    nats: dict[int, list[str]] = {pk: [] for pk in persons}
    for pid, country in Nationality.objects.filter(person_id__in=list(persons), valid_until__isnull=True) \
            .order_by("id").values_list("person_id", "country"):
        nats[pid].append(country)
    return [_record(*persons[pk], names[pk], nats[pk]) for pk in wanted if pk in persons]


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
