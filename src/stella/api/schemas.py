"""Request and response schemas of the API.

Request bodies derive from `Strict`: unknown fields are rejected (a misspelt field must not be
dropped silently), dates must be ISO text (pydantic would otherwise read a number as a Unix
timestamp), times must carry a time zone. Semantic checks (identifier formats, codes, dates in the
future) stay in the services so that the API and the web UI give the same messages.
Response schemas mirror the JSON-ready dicts of `stella.cases.sections`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, model_validator

from stella.agencies.models import Role
from stella.authz.policy import Category
from stella.cases.models import ParticipationRole
from stella.people import services as people
from stella.people.models import (
    AccommodationType,
    ContactKind,
    DatePrecision,
    DocumentKind,
    IdentifierKind,
    NameKind,
    Sex,
)


def _text_only(value: Any) -> Any:
    """Dates and times travel as ISO 8601 text; anything else (e.g. a number) is refused."""
    if isinstance(value, str | date):
        return value
    raise ValueError("Als Text im ISO-Format erwartet, z. B. 2024-03-31 oder 2024-03-31T14:30:00+02:00.")


IsoDate = Annotated[date, BeforeValidator(_text_only)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_text_only)]


class Strict(Schema):
    """Base of every request body: unknown fields are an error; enums arrive as plain values."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Message(Schema):
    detail: str


# --- pagination -----------------------------------------------------------------------------------

MAX_LIMIT = 100
T = TypeVar("T")
M = TypeVar("M", bound=Model)


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Einträge pro Seite (höchstens {MAX_LIMIT})")
    offset: int = Field(0, ge=0, description="Wie viele Einträge übersprungen werden")


class Page(Schema, Generic[T]):
    """One page of a list; `count` is the total over all pages (a lower bound when `count_exact` is false)."""

    count: int
    count_exact: bool = True
    limit: int
    offset: int
    items: list[T]


def paginate(qs: QuerySet[M], page: PageQuery, render: Callable[[M], Any], *,
             count_cap: int | None = None) -> dict[str, Any]:
    """One page; with `count_cap`, counting stops there (see people.services.SEARCH_COUNT_CAP)."""
    items: Iterable[M] = qs[page.offset:page.offset + page.limit]
    count, exact = people.capped_count(qs, count_cap) if count_cap else (qs.count(), True)
    return {"count": count, "count_exact": exact, "limit": page.limit, "offset": page.offset,
            "items": [render(x) for x in items]}


# --- persons: input ---------------------------------------------------------------------------------

class NameIn(Strict):
    family_name: str = Field(max_length=200)
    given_names: str = Field("", max_length=200)
    kind: NameKind = NameKind.REGISTERED

    def to_service(self) -> people.NameIn:
        return people.NameIn(**self.model_dump())


class IdentifierIn(Strict):
    kind: IdentifierKind
    value: str = Field(max_length=40)

    def to_service(self) -> people.IdentifierIn:
        return people.IdentifierIn(**self.model_dump())


class NationalityIn(Strict):
    country: str = Field(max_length=3, description="ISO 3166 Alpha-3, z. B. SYR; XXA staatenlos, XXX ungeklärt")


class LanguageIn(Strict):
    language: str = Field(max_length=3, description="ISO 639-1 oder 639-3, z. B. ar, prs")
    level: str = Field(max_length=2, description="A1 … C2 oder MT (Muttersprache)")

    def to_service(self) -> people.LanguageIn:
        return people.LanguageIn(**self.model_dump())


class ContactIn(Strict):
    kind: ContactKind
    value: str = Field(max_length=200)

    def to_service(self) -> people.ContactIn:
        return people.ContactIn(**self.model_dump())


class AddressIn(Strict):
    municipality: str = Field(max_length=120)
    valid_from: IsoDate
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=5)
    accommodation: AccommodationType = AccommodationType.PRIVATE

    def to_service(self) -> people.AddressIn:
        return people.AddressIn(**self.model_dump())


class DocumentIn(Strict):
    kind: DocumentKind
    number: str = Field(max_length=40)
    issued_on: IsoDate | None = None
    valid_until: IsoDate | None = None
    issuing_authority: str = Field("", max_length=200)
    legal_basis: str = Field("", max_length=60, description="z. B. §25 Abs. 2 AufenthG")

    def to_service(self) -> people.DocumentIn:
        return people.DocumentIn(**self.model_dump())


class PersonCreate(Strict):
    """A registration; only one name is required."""

    names: list[NameIn] = Field(min_length=1)
    sex: Sex = Sex.UNKNOWN
    birth_date: IsoDate | None = None
    birth_date_precision: DatePrecision | None = Field(
        None, description="Ohne Angabe gilt ein 1. Januar als Platzhalter (nur Jahr), sonst taggenau.")
    birth_place: str = Field("", max_length=120)
    birth_country: str = Field("", max_length=3)
    nationalities: list[str] = []
    languages: list[LanguageIn] = []
    identifiers: list[IdentifierIn] = []
    contacts: list[ContactIn] = []
    address: AddressIn | None = None
    documents: list[DocumentIn] = []

    def to_service(self) -> people.PersonIn:
        return people.PersonIn(
            names=[n.to_service() for n in self.names], sex=self.sex, birth_date=self.birth_date,
            birth_date_precision=self.birth_date_precision, birth_place=self.birth_place,
            birth_country=self.birth_country, nationalities=list(self.nationalities),
            languages=[x.to_service() for x in self.languages],
            identifiers=[x.to_service() for x in self.identifiers],
            contacts=[x.to_service() for x in self.contacts],
            address=self.address.to_service() if self.address else None,
            documents=[x.to_service() for x in self.documents],
        )


class PersonPatch(Strict):
    """Changes to core fields, based on `version` (optimistic locking). Omitted fields stay as they are."""

    version: int = Field(ge=1, description="Die Version, auf der die Änderung beruht (aus GET /persons/{id})")
    # Defaults of None without `| None`: the field may be omitted but not set to null.
    sex: Sex = None  # type: ignore[assignment]
    birth_date: IsoDate | None = None
    birth_date_precision: DatePrecision | None = None
    birth_place: str = Field(None, max_length=120)  # type: ignore[assignment]
    birth_country: str = Field(None, max_length=3)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something_changes(self) -> PersonPatch:
        if not self.changes():
            raise ValueError("Bitte mindestens ein Feld angeben, das geändert werden soll.")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"version"})


class SimilarQuery(Schema):
    family_name: str = Field(min_length=1, max_length=200)
    given_names: str = Field("", max_length=200)
    birth_date: IsoDate | None = None
    birth_date_precision: DatePrecision | None = None
    sex: Sex | None = None
    nationality: str = Field("", max_length=3, description="ISO 3166 Alpha-3")
    birth_place: str = Field("", max_length=120)


class PersonSearch(PageQuery):
    name: str = Field("", max_length=200, description="Name in beliebiger Schreibweise; jedes Wort muss passen")
    birth_date: IsoDate | None = None
    identifier: str = Field("", max_length=40, description="AZR-Nummer, BAMF-Aktenzeichen, BA-Kundennummer …")


# --- persons: output --------------------------------------------------------------------------------

class NameOut(Schema):
    id: int
    kind: str
    kind_label: str
    given_names: str
    family_name: str
    script: str
    rtl: bool
    valid_until: datetime | None


class NationalityOut(Schema):
    code: str
    name: str


class PersonOut(Schema):
    """Base identity: what anyone who may find the person sees."""

    id: int
    version: int
    display_name: str
    names: list[NameOut]
    birth_date: date | None
    birth_date_precision: str
    birth_date_display: str
    nationalities: list[NationalityOut]


class EvidenceOut(Schema):
    """The evidence of one field for a possible duplicate (engine.Evidence, with German labels)."""

    field: str = Field(description="name, birth_date, birth_place, nationality oder sex")
    field_label: str
    label: str = Field(description="Vergleichsstufe, z. B. „gleiches Jahr, Tag unbekannt“")
    level: str = Field(description="strong_for, for, neutral, against, strong_against, missing; hidden = kein Zugriff")
    level_label: str
    weight: float = Field(description="log2 des Bayes-Faktors: positiv spricht für eine Person")
    hidden: bool = Field(False, description="Beleg zurückgehalten: Sie dürfen das Feld der anderen Akte nicht lesen")


class SimilarOut(PersonOut):
    """A possible duplicate: base identity, probability and evidence per field."""

    probability: float = Field(description="Übereinstimmungswahrscheinlichkeit 0–1 (Splink-Modell)")
    match_weight: float
    evidence: list[EvidenceOut]


class PersonCreated(PersonOut):
    similar: list[SimilarOut] = Field(description="Mögliche Doppelerfassungen, wahrscheinlichste zuerst")


class PersonUpdated(PersonOut):
    sex: str
    birth_place: str
    birth_country: str


class SectionAccessOut(Schema):
    category: Category
    label: str
    allowed: bool
    reason: str
    basis: str


class FileOut(Schema):
    """The file header: base identity and, per data category, whether the caller may read it and why."""

    person: PersonOut
    participation: str | None
    consented: list[Category]
    sections: list[SectionAccessOut]
    merged_into: int | None = Field(default=None, description="Gesetzt, wenn diese Erfassung mit einer anderen "
                                    "zusammengeführt ist: die Person, bei der ihre Daten jetzt liegen")


class RecordOut(Schema):
    """A sub-record just added; the person's `version` has moved on."""

    id: int
    person_version: int


# --- the file -----------------------------------------------------------------------------------

class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    category: Category
    title: str
    text: str
    occurred_at: datetime
    created_at: datetime
    author: str
    agency: str
    corrects: int | None
    corrected_by: list[int]
    attachments: list[AttachmentOut]


class EntryCreate(Strict):
    kind: Literal["note", "contact"] = "note"
    category: Category
    title: str
    text: str = ""
    occurred_at: IsoDateTime | None = Field(None, description="Wann der Kontakt stattfand (Standard: jetzt)")


class EntryUpload(Strict):
    """Form fields of the multipart variant; the files travel as `files`."""

    kind: Literal["note", "contact", "document"] = "document"
    category: Category
    title: str
    text: str = ""
    occurred_at: IsoDateTime | None = None


class CorrectionCreate(Strict):
    title: str
    text: str = ""
    reason: str = Field(description="Warum berichtigt wird (Pflicht)")


class TimelineQuery(PageQuery):
    category: Category | None = None


class ConsentCreate(Strict):
    categories: list[Category] = Field(min_length=1)
    agencies: list[str] = Field(min_length=1, description="Kennungen der empfangenden Behörden, z. B. JC-LB")
    purpose: str = Field(max_length=300)
    valid_from: IsoDate
    valid_until: IsoDate | None = None


class ConsentRevoke(Strict):
    note: str = Field("", max_length=300)


class ConsentOut(Schema):
    id: int
    categories: list[str]
    agencies: list[str]
    purpose: str
    valid_from: date
    valid_until: date | None
    revoked_at: datetime | None
    revocation_note: str
    form_attachment: int | None


class ParticipationCreate(Strict):
    role: ParticipationRole
    legal_basis: str = Field(max_length=200, description="z. B. §50 SGB II")
    since: IsoDate | None = None


class ParticipationOut(Schema):
    id: int
    agency: str
    agency_name: str
    role: str
    role_label: str
    since: date
    until: date | None
    legal_basis: str


# --- me, audit, users -------------------------------------------------------------------------------

class AgencyOut(Schema):
    id: int
    code: str
    name: str
    kind: str


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    team: str
    is_active: bool
    agency: AgencyOut | None
    roles: list[str]
    last_login: datetime | None

    @staticmethod
    def resolve_roles(obj: Any) -> list[str]:
        return list(obj.role_codes())


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    username: str
    agency: str
    person_id: int | None
    categories: list[str]
    action: str
    purpose: str
    outcome: str
    reason: str
    object_type: str
    object_id: str


class AuditQuery(PageQuery):
    person_id: int | None = None
    user_id: int | None = None
    username: str = Field("", max_length=150)


class VerifyOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


class UserCreate(Strict):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    agency: str = Field(description="Kennung der Behörde, z. B. JC-LB")
    roles: list[Role] = Field(min_length=1)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    team: str = Field("", max_length=80)


class UserPatch(Strict):
    roles: list[Role] = Field(None, min_length=1)  # type: ignore[assignment]
    active: bool = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something_changes(self) -> UserPatch:
        if not self.model_fields_set:
            raise ValueError("Bitte „roles“ und/oder „active“ angeben.")
        return self
