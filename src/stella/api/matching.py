"""Matching over HTTP: ranked offers for a person, ranked persons for an offer, and the explanation of one
pair (why it fits, or why not). Same services, hard rules, score and audit as the web UI."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import IsoDate
from stella.matching import lists
from stella.matching.eligibility import RULE_LABELS
from stella.matching.facts import Failure
from stella.matching.score import Score
from stella.offers.models import OfferKind

router = Router(tags=["Matching"])

Kind = Literal["integration_course", "deufoev", "measure", "training", "vacancy"]


class PartOut(Schema):
    criterion: str = Field(description="occupation, experience, recognition, language, waiting, distance, start, "
                                       "part_time")
    label: str
    points: int
    max: int
    explanation: str = Field(description="Begründung in einem deutschen Satz")


class ScoreOut(Schema):
    total: int = Field(description="0–1000, höher passt besser")
    version: str = Field(description="Version der Bewertungsfunktion (docs/matching.md)")
    parts: list[PartOut]


class FailureOut(Schema):
    rule: str = Field(description="dates, legal_access, level, level_reached, reachable, childcare, women_only, "
                                  "part_time, driving_licence, double_booking")
    label: str
    message: str
    basis: str = Field(description="Rechtsgrundlage, soweit es eine gibt")


class OfferBrief(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    provider: str
    municipality: str
    starts_on: date
    ends_on: date | None
    seats: int
    free_seats: int


class OfferMatchOut(Schema):
    offer: OfferBrief
    eligible: bool
    score: ScoreOut | None
    failures: list[FailureOut]
    waiting_since: date | None = Field(description="Auf der Warteliste dieses Angebots seit")


class OfferListOut(Schema):
    person_id: int
    on: date
    kind: str
    score_version: str
    rule_version: str
    candidates: int = Field(description="geprüfte offene Angebote ab dem Stichtag")
    more: bool = Field(description="weitere geeignete Angebote jenseits von limit")
    matches: list[OfferMatchOut]
    ineligible: list[OfferMatchOut] = Field(description="nur mit include_ineligible=true")


class PersonMatchOut(Schema):
    person_id: int
    name: str
    eligible: bool
    score: ScoreOut | None
    failures: list[FailureOut]
    waiting_since: date | None


class PersonListOut(Schema):
    offer: OfferBrief
    on: date
    score_version: str
    rule_version: str
    candidates: int
    more: bool = Field(description="weitere geeignete Personen jenseits von limit")
    matches: list[PersonMatchOut]
    ineligible: list[PersonMatchOut]


class ExplanationOut(Schema):
    person_id: int
    offer: OfferBrief
    on: date
    status: Literal["enrolled", "rule_failed", "seats_taken", "eligible"]
    message: str
    failures: list[FailureOut]
    score: ScoreOut | None
    cutoff: int | None = Field(description="niedrigste zugelassene Punktzahl, wenn die Plätze vergeben sind")
    cutoff_source: str = Field(description="allocation_run (bestätigter Zuteilungslauf) oder enrolled (angemeldete "
                                           "Personen, zum Stichtag bewertet)")
    score_version: str


class ListQuery(Schema):
    on: IsoDate | None = Field(None, description="Stichtag JJJJ-MM-TT; ohne Angabe: heute")
    limit: int = Field(50, ge=1, le=lists.MAX_LIMIT)
    include_ineligible: bool = Field(False, description="auch ungeeignete Angebote bzw. Personen mit den "
                                                        "verletzten Regeln")


class PersonMatchesQuery(ListQuery):
    kind: Kind | None = None


class ExplanationQuery(Schema):
    on: IsoDate | None = Field(None, description="Stichtag JJJJ-MM-TT; ohne Angabe: heute")


def score_dict(got: Score | None) -> dict[str, Any] | None:
    return got.to_dict() if got is not None else None


def failure_dict(f: Failure) -> dict[str, Any]:
    return {"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule), "message": f.message, "basis": f.basis}


def offer_brief(offer: Any, free_seats: int) -> dict[str, Any]:
    return {"id": offer.pk, "kind": offer.kind, "kind_label": OfferKind(offer.kind).label, "title": offer.title,
            "provider": offer.provider, "municipality": offer.municipality.name, "starts_on": offer.starts_on,
            "ends_on": offer.ends_on, "seats": offer.seats, "free_seats": free_seats}


def _offer_match(m: lists.OfferMatch) -> dict[str, Any]:
    return {"offer": offer_brief(m.offer, m.facts.free_seats), "eligible": m.eligible, "score": score_dict(m.score),
            "failures": [failure_dict(f) for f in m.failures], "waiting_since": m.waiting_since}


def _person_match(m: lists.PersonMatch) -> dict[str, Any]:
    name = m.person.primary_name
    return {"person_id": m.person.pk, "name": name.display if name else f"Person {m.person.pk}",
            "eligible": m.eligible, "score": score_dict(m.score), "failures": [failure_dict(f) for f in m.failures],
            "waiting_since": m.waiting_since}


@router.get("/persons/{person_id}/matches", response=OfferListOut, summary="Passende Angebote einer Person")
def offers_for_person(request: HttpRequest, person_id: int, query: Query[PersonMatchesQuery]) -> Any:
    """Geeignete offene Angebote nach Punktzahl (bei Gleichstand nach Angebotsnummer), jeweils mit der
    Begründung je Kriterium; harte Regeln (Rechtslage am Beginn, Niveau, Termin, Erreichbarkeit, Betreuung,
    Frauenangebot, keine Doppelbelegung) werden nie verletzt."""
    got = lists.offers_for_person(actor=actor(request), person_id=person_id, on=query.on, kind=query.kind,
                                  limit=query.limit, include_ineligible=query.include_ineligible)
    return {"person_id": got.person_id, "on": got.on, "kind": got.kind, "score_version": got.score_version,
            "rule_version": got.rule_version, "candidates": got.candidates, "more": got.more,
            "matches": [_offer_match(m) for m in got.matches],
            "ineligible": [_offer_match(m) for m in got.ineligible]}


@router.get("/offers/{offer_id}/matches", response=PersonListOut, summary="Passende Personen für ein Angebot")
def persons_for_offer(request: HttpRequest, offer_id: int, query: Query[ListQuery]) -> Any:
    """Geeignete Personen unter den Akten, deren Vermittlungsdaten Ihre Behörde lesen darf, nach Punktzahl
    (Wartezeit auf der Warteliste zählt mit); jede gezeigte Person wird protokolliert."""
    got = lists.persons_for_offer(actor=actor(request), offer_id=offer_id, on=query.on, limit=query.limit,
                                  include_ineligible=query.include_ineligible)
    return {"offer": offer_brief(got.offer, got.facts.free_seats), "on": got.on, "score_version": got.score_version,
            "rule_version": got.rule_version, "candidates": got.candidates, "more": got.more,
            "matches": [_person_match(m) for m in got.matches],
            "ineligible": [_person_match(m) for m in got.ineligible]}


@router.get("/persons/{person_id}/matches/{offer_id}", response=ExplanationOut,
            summary="Begründung für ein Angebot (warum passend, warum nicht)")
def explanation(request: HttpRequest, person_id: int, offer_id: int, query: Query[ExplanationQuery]) -> Any:
    """Verletzte Regeln, oder – geeignet, aber ohne Platz – die niedrigste zugelassene Punktzahl im Vergleich."""
    got = lists.why_not(actor=actor(request), person_id=person_id, offer_id=offer_id, on=query.on)
    return {"person_id": got.person_id, "offer": offer_brief(got.offer, got.free_seats), "on": got.on, "status": got.status,
            "message": got.message, "failures": [failure_dict(f) for f in got.failures],
            "score": score_dict(got.score), "cutoff": got.cutoff, "cutoff_source": got.cutoff_source,
            "score_version": got.score_version}
