"""Query sets over offers and enrolments: seat counts (`free_seats`), waiting-list positions and the offer
search filters. Counting is done in the database with correlated subqueries, so lists of many offers cost
one query and the counts do not multiply with other joins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from stella.competences.kldb import normalize
from stella.offers.models import Enrolment, EnrolmentState, Offer, OfferState
from stella.people.validators import CEFR_LEVELS

#: CEFR levels in order (MT, mother tongue, is not a level an offer can require or reach).
LEVELS = tuple(x for x in CEFR_LEVELS if x != "MT")


def _count(qs: QuerySet[Enrolment], group: str) -> Coalesce:
    """A correlated COUNT(*) over `qs` as an integer expression (0 when there is no row)."""
    counted = qs.order_by().values(group).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Offer]) -> QuerySet[Offer]:
    """Annotate `enrolled` (seats taken), `waiting` (on the waiting list) and `free_seats` (seats − enrolled)."""
    enrolled = Enrolment.objects.filter(offer=OuterRef("pk"), state=EnrolmentState.ENROLLED)
    waiting = Enrolment.objects.filter(offer=OuterRef("pk"), state=EnrolmentState.WAITING)
    return (qs.annotate(enrolled=_count(enrolled, "offer"), waiting=_count(waiting, "offer"))
            .annotate(free_seats=F("seats") - F("enrolled")))


def with_waiting_position(qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `waiting_position`: 1 for the first on its offer's waiting list (order of `requested_at`,
    then id), None for enrolments that are not waiting."""
    ahead = Enrolment.objects.filter(offer=OuterRef("offer"), state=EnrolmentState.WAITING).filter(
        Q(requested_at__lt=OuterRef("requested_at")) | Q(requested_at=OuterRef("requested_at"), id__lt=OuterRef("id")))
    position = Case(When(state=EnrolmentState.WAITING, then=F("_ahead") + 1), default=None,
                    output_field=IntegerField())
    return qs.annotate(_ahead=_count(ahead, "offer")).annotate(waiting_position=position)


def levels_up_to(level: str) -> list[str]:
    """The CEFR levels at or below `level` (an unknown level: none)."""
    return list(LEVELS[:LEVELS.index(level) + 1]) if level in LEVELS else []


@dataclass(frozen=True)
class OfferFilter:
    """Search filters of the offer list (every field optional)."""

    kind: str = ""
    municipality_id: int | None = None
    district_id: int | None = None  # Landkreis (Region) id
    starts_after: date | None = None
    level: str = ""  # the person's German level: only offers whose minimum it meets
    target_level: str = ""
    childcare: bool = False
    women_only: bool = False
    part_time: bool = False
    free_seats: bool = False
    text: str = ""
    state: str = OfferState.OPEN  # "" = every state
    agency_id: int | None = None  # "my offers": owned or provided by this agency


def search(qs: QuerySet[Offer], f: OfferFilter) -> QuerySet[Offer]:
    """Apply the filters to offers annotated by `with_counts`."""
    if f.state:
        qs = qs.filter(state=f.state)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.municipality_id is not None:
        qs = qs.filter(municipality_id=f.municipality_id)
    if f.district_id is not None:
        qs = qs.filter(municipality__landkreis_id=f.district_id)
    if f.starts_after is not None:
        qs = qs.filter(starts_on__gte=f.starts_after)
    if f.level:
        qs = qs.filter(min_german_level__in=["", *levels_up_to(f.level)])
    if f.target_level:
        qs = qs.filter(target_level=f.target_level)
    if f.childcare:
        qs = qs.filter(childcare=True)
    if f.women_only:
        qs = qs.filter(women_only=True)
    if f.part_time:
        qs = qs.filter(part_time=True)
    if f.free_seats:
        qs = qs.filter(Q(free_seats__gt=0))  # an annotation of with_counts()
    if f.agency_id is not None:
        qs = qs.filter(Q(owner_id=f.agency_id) | Q(provider_agency_id=f.agency_id))
    for word in f.text.split():
        match = (Q(title__icontains=word) | Q(provider__icontains=word) | Q(module__icontains=word)
                 | Q(municipality__name__icontains=word))
        key = normalize(word)
        if key:
            match |= Q(occupation__search_text__contains=key)
        qs = qs.filter(match)
    return qs


__all__ = ["LEVELS", "OfferFilter", "levels_up_to", "search", "with_counts", "with_waiting_position"]
