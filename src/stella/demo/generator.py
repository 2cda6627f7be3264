"""Deterministic generator of synthetic persons, households and files as plain row tuples per table.

The generator knows nothing about the database except the ids it is handed (`IdSource`): it produces
households (singles and families) of one origin, with names in transliteration variants and original
script, birth dates (1 January placeholders where only the year is known), a residence history that
follows the asylum procedure (Gestattung → protection, Duldung; §24 for Ukraine), accommodation stages,
identifiers in valid formats, participations that hand the lead from the Landratsamt to the Jobcenter
(led by a team), consents and timeline entries; `journeys` adds each person's appointments, course runs and
enrolments, placements and the hand-over to the Jobcenter, calibrated to the reporting anchors.
`loader` writes the rows.

Determinism: a chunk's content depends only on (seed, index of its first person, reference date) and on
the person ids it is given; identifier values are bijections of the person id, so they never collide.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from stella.demo.catalog import (
    DISTRICTS,
    EMPLOYERS,
    ENTRY_TEXTS,
    GOOD_PROSPECTS,
    OCCUPATIONS,
    ORIGINS,
    PARTICIPATION_BASIS,
    RECEPTION_CENTRES,
    SAFE_COUNTRIES,
    STREETS,
    TEAMS,
    UKRAINE_HANDOVER,
    UKRAINE_PROTECTION_UNTIL,
    District,
    NameForm,
    Origin,
)
from stella.demo.journeys import Journeys, Life
from stella.demo.setup import agency_code
from stella.people.names import name_keys

T = TypeVar("T")

#: Columns written per table (model attribute names; `loader` maps them to columns).
COLUMNS: dict[str, tuple[str, ...]] = {
    "people.Person": ("id", "sex", "birth_date", "birth_date_precision", "birth_place", "birth_country",
                      "registered_by_id", "created_at", "updated_at", "version"),
    "people.PersonName": ("person_id", "kind", "given_names", "family_name", "script", "source_agency_id",
                          "created_at", "valid_until"),
    "people.NameKey": ("person_id", "key", "birth_year"),
    "people.Nationality": ("person_id", "country", "created_at", "valid_until"),
    "people.LanguageSkill": ("person_id", "language", "level", "created_at"),
    "people.Contact": ("person_id", "kind", "value", "created_at", "valid_until"),
    "people.Address": ("person_id", "street", "postcode", "municipality", "accommodation", "valid_from",
                       "valid_until", "created_at"),
    "people.Identifier": ("person_id", "kind", "value", "source_agency_id", "created_at"),
    "people.IdentityDocument": ("person_id", "kind", "number", "issued_on", "valid_until", "issuing_authority",
                                "legal_basis", "created_at"),
    "people.Household": ("id", "label", "bg_number", "created_at"),
    "people.HouseholdMember": ("household_id", "person_id", "relationship", "since", "until"),
    "cases.CaseFile": ("id", "person_id", "opened_at"),
    "cases.Participation": ("case_file_id", "agency_id", "role", "since", "until", "legal_basis", "team",
                            "created_at", "created_by_id"),
    "cases.TimelineEntry": ("case_file_id", "kind", "category", "title", "text", "occurred_at", "author_id",
                            "agency_id", "corrects_id", "created_at"),
    "cases.Consent": ("id", "case_file_id", "categories", "purpose", "valid_from", "valid_until", "form_id",
                      "recorded_at", "recorded_by_id", "revoked_at", "revoked_by_id", "revocation_note"),
    "cases.Consent_agencies": ("consent_id", "agency_id"),
    "journey.StatusEvent": ("person_id", "kind", "effective_date", "outcome", "note", "voids", "agency_id",
                            "recorded_at"),
    # The journey (demo.journeys): course runs first, they are referenced by the enrolments.
    "offers.Offer": ("id", "kind", "title", "measure_type", "module", "target_level", "provider",
                     "provider_agency_id", "owner_id", "municipality_id", "starts_on", "ends_on", "seats",
                     "min_german_level", "childcare", "women_only", "part_time", "requires_driving_licence", "state",
                     "created_at", "version"),
    "offers.Enrolment": ("offer_id", "person_id", "state", "requested_at", "enrolled_on", "ended_on", "result_level",
                         "result_note", "reason", "agency_id", "version"),
    "offers.Placement": ("person_id", "kind", "employer", "starts_on", "ends_on", "ends_benefit_receipt",
                         "outcome_6m", "outcome_12m", "agency_id", "created_at", "version"),
    "journey.Appointment": ("person_id", "agency_id", "starts_at", "ends_at", "place", "language",
                            "interpreter_needed", "purpose", "cancelled_at", "created_at", "created_by_id",
                            "counsellor_id", "cancelled_by_id", "cancel_reason"),
    "journey.HandOver": ("person_id", "function", "from_agency_id", "to_agency_id", "reason", "legal_basis",
                         "effective_date", "summary", "state", "decision_note", "created_at", "created_by_id",
                         "decided_at", "decided_by_id", "completed_at", "version"),
}
#: Tables with the history of a person (the benchmark counts these rows as "history events").
HISTORY_TABLES = ("journey.StatusEvent", "cases.TimelineEntry", "cases.Participation", "people.Address",
                  "offers.Enrolment", "offers.Placement", "journey.Appointment", "journey.HandOver")
#: Tables whose ids the generator assigns (they are referenced by other rows).
ID_TABLES = ("people.Person", "people.Household", "cases.CaseFile", "cases.Consent", "offers.Offer")

# Fictional office numbers used as prefixes of BA customer numbers and BG numbers.
BA_PREFIX = {"AA-LB": "718", "AA-OG": "776", "AA-RT": "727"}
BG_PREFIX = {"LB": "71801", "OG": "77601", "RT": "72701", "TUE": "72001"}
EAT_LETTERS = "CFGHJKLMNPRTVWXYZ"
EAT_CHARS = "0123456789" + EAT_LETTERS


class IdSource(Protocol):
    def take(self, table: str, n: int) -> list[int]: ...


class CountingIds:
    """Ids counted up from given starting points (tests and SQLite, where one process writes)."""

    def __init__(self, start: dict[str, int] | None = None) -> None:
        self.next = {t: (start or {}).get(t, 1) for t in ID_TABLES}

    def take(self, table: str, n: int) -> list[int]:
        first = self.next[table]
        self.next[table] = first + n
        return list(range(first, first + n))


# --------------------------------------------------------------------------------------------------
# Identifier values: bijections of the person id (unique as long as ids are).
# --------------------------------------------------------------------------------------------------

def azr_number(person_id: int) -> str:
    return f"{(person_id * 7_919_306_593 + 104_729) % 10**12:012d}"


def bamf_number(person_id: int, country_key: str) -> str:
    return f"{(person_id * 3_704_453 + 1_000_003) % 10**7:07d}-{country_key}"


def ba_number(person_id: int, aa_code: str) -> str:
    n = (person_id * 9_999_991 + 12_345) % 26_000_000
    return f"{BA_PREFIX.get(aa_code, '955')}{chr(65 + n // 1_000_000)}{n % 1_000_000:06d}"


def bg_number(person_id: int, district: str) -> str:
    return f"{BG_PREFIX.get(district, '12345')}BG{(person_id * 1_234_567 + 7_654_321) % 10**7:07d}"


# --------------------------------------------------------------------------------------------------
# Name keys exactly as people.services.refresh_name_keys builds them
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def _part_keys(part: str) -> tuple[str, ...]:
    return tuple(name_keys(part))


def keys_for_names(names: Sequence[tuple[str, str]]) -> list[str]:
    """Distinct search keys of the current names [(given_names, family_name)], cut to 40 characters.

    Same result as `refresh_name_keys`: `name_keys(given, family)` is the ordered union of the keys
    of each part, so caching per part changes nothing but the speed.
    """
    keys: dict[str, None] = {}
    for given, family in names:
        for part in (given, family):
            for k in _part_keys(part or ""):
                keys.setdefault(k[:40], None)
    return list(keys)


# --------------------------------------------------------------------------------------------------
# Weighted choice helpers
# --------------------------------------------------------------------------------------------------

class Choice:
    """Weighted choice with precomputed cumulative weights (random.choices is slower per call)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf(items: Sequence[T], s: float) -> Choice:
    """Earlier items are more frequent (name lists are ordered by popularity)."""
    return Choice(items, [1.0 / (i + 1) ** s for i in range(len(items))])


@dataclass
class OriginTables:
    origin: Origin
    male: Choice
    female: Choice
    family: Choice
    arrival_year: Choice
    mother_tongue: Choice


def _variant(rng: random.Random, form: NameForm) -> str:
    """The most usual spelling in 60 % of cases, otherwise another one."""
    if len(form.latin) == 1 or rng.random() < 0.6:
        return form.latin[0]
    return form.latin[1 + int(rng.random() * (len(form.latin) - 1))]


def _other_variant(rng: random.Random, form: NameForm, used: str) -> str:
    others = [v for v in form.latin if v != used]
    return others[int(rng.random() * len(others))] if others else used


# --------------------------------------------------------------------------------------------------
# Chunk output
# --------------------------------------------------------------------------------------------------

@dataclass
class Rows:
    """Row tuples per table (in COLUMNS order) for one chunk."""

    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in COLUMNS})
    persons: int = 0
    first_person_id: int | None = None
    last_person_id: int | None = None

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.tables[table].append(row)

    def counts(self) -> dict[str, int]:
        return {t: len(rows) for t, rows in self.tables.items()}


@dataclass
class Member:
    role: str  # head, partner, child
    sex: str
    birth: date
    precision: str
    given: list[NameForm]
    family: NameForm
    born_in_germany: bool = False


@dataclass
class Part:
    """A participation as the generator plans it."""

    kind: str  # agency kind
    code: str  # agency code
    role: str
    since: date
    until: date | None
    basis: str
    team: str = ""


class Generator:
    """Produces chunks of synthetic persons; see the module docstring."""

    def __init__(self, *, seed: int, today: date, agencies: dict[str, int], staff: dict[tuple[str, str], int],
                 ids: IdSource, now: datetime | None = None, municipalities: dict[str, int] | None = None) -> None:
        """`municipalities`: district code → id of its city's Municipality (where the course runs take place;
        placeholders 1…4 if not given, for generating without a database)."""
        self.seed = seed
        self.today = today
        self.now = now or datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)
        self.agencies = agencies
        self.staff = staff
        self.ids = ids
        self.origin_choice = Choice(
            [OriginTables(o, zipf(o.male, 1.0), zipf(o.female, 1.0), zipf(o.family, 0.8),
                          Choice([y for y, _ in o.arrivals], [w for _, w in o.arrivals]),
                          Choice([m.code for m in o.mother_tongues], [m.weight for m in o.mother_tongues]))
             for o in ORIGINS],
            [o.weight for o in ORIGINS],
        )
        self.district_choice = Choice(list(DISTRICTS), [d.weight for d in DISTRICTS])
        self.team_choice = Choice([t for t, _ in TEAMS], [w for _, w in TEAMS])
        self.journeys = Journeys(today=today, now=self.now, agencies=agencies,
                                 municipalities=municipalities or {d.code: i + 1 for i, d in enumerate(DISTRICTS)},
                                 user=self._user, take_id=ids.take)
        self.muni_choice = {
            d.code: Choice([(m, pcs) for m, pcs, _ in d.municipalities], [w for _, _, w in d.municipalities])
            for d in DISTRICTS
        }

    # -- public --------------------------------------------------------------------------------

    def chunk(self, first_index: int, persons: int) -> Rows:
        """Households until `persons` persons are made; `first_index` numbers the demo sequence."""
        rng = random.Random(f"stella-demo:{self.seed}:{first_index}")
        rows = Rows()
        self.journeys.new_chunk()
        while rows.persons < persons:
            self._household(rng, rows, persons - rows.persons)
        return rows

    # -- helpers -------------------------------------------------------------------------------

    def _user(self, code: str, role: str = "caseworker") -> int | None:
        """The demo account of agency `code` with `role` (a caseworker if there is none)."""
        return self.staff.get((code, role)) or self.staff.get((code, "caseworker"))

    def _date_between(self, rng: random.Random, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=int(rng.random() * ((end - start).days + 1)))

    def _at(self, rng: random.Random, day: date) -> datetime:
        """An office-hours moment on `day` (UTC), never after the reference time."""
        moment = datetime(day.year, day.month, day.day, 6 + int(rng.random() * 9), int(rng.random() * 60),
                          int(rng.random() * 60), tzinfo=UTC)
        return min(moment, self.now)

    def _birth(self, rng: random.Random, origin: Origin, year: int, force_exact: bool = False) -> tuple[date, str]:
        r = rng.random()
        if not force_exact and r < origin.year_only:
            return date(year, 1, 1), "year"
        if not force_exact and r < origin.year_only + 0.01:
            return date(year, 1 + int(rng.random() * 12), 1), "month"
        doy = int(rng.random() * 365)
        d = date(year, 1, 1) + timedelta(days=doy)
        if d > self.today:
            d = self.today - timedelta(days=30)
        if (d.month, d.day) == (1, 1):  # a real 1 January would read as a placeholder
            d = date(year, 1, 2)
        return d, "exact"

    # -- households ----------------------------------------------------------------------------

    def _household(self, rng: random.Random, rows: Rows, room: int) -> None:
        tables: OriginTables = self.origin_choice(rng)
        origin = tables.origin
        district: District = self.district_choice(rng)
        year = tables.arrival_year(rng)
        arrival = self._date_between(rng, date(year, 1, 1), min(date(year, 12, 31), self.today - timedelta(days=20)))
        if origin.iso3 == "UKR" and arrival < date(2022, 2, 24):
            arrival = date(2022, 3, 1) + timedelta(days=int(rng.random() * 60))
        members = self._members(rng, tables, arrival)[:room]
        self._write_household(rng, rows, tables, district, arrival, members)

    def _members(self, rng: random.Random, t: OriginTables, arrival: date) -> list[Member]:
        o = t.origin
        r = rng.random()
        ukr = o.iso3 == "UKR"
        if ukr:
            kind = "mother" if r < 0.42 else "single" if r < 0.77 else "couple"
        else:
            kind = "single" if r < 0.52 else "couple" if r < 0.9 else "mother"
        ay = arrival.year
        family = t.family(rng)
        out: list[Member] = []
        if kind == "single":
            male = rng.random() < (o.adult_male_share if not ukr else 0.3)
            age = 18 + int(rng.random() ** 1.8 * 40) if not ukr else 18 + int(rng.random() * 52)
            if ukr and male and 22 < age < 60:
                age = 60 + int(rng.random() * 12)
            b, p = self._birth(rng, o, ay - age)
            out.append(Member("head", "m" if male else "f", b, p, self._given(rng, t, male), family))
            return out
        head_age = 24 + int(rng.random() * 24)
        if kind == "couple":
            hb, hp = self._birth(rng, o, ay - head_age)
            father_given = self._given(rng, t, True)
            out.append(Member("head", "m", hb, hp, father_given, family))
            wife_family = family if o.iso3 in {"UKR", "ALB", "XKX", "TUR", "NGA"} else t.family(rng)
            wb, wp = self._birth(rng, o, ay - head_age + int(rng.random() * 8))
            out.append(Member("partner", "f", wb, wp, self._given(rng, t, False), wife_family))
            mother_age = head_age - (out[1].birth.year - out[0].birth.year)
        else:
            mb, mp = self._birth(rng, o, ay - head_age)
            out.append(Member("head", "f", mb, mp, self._given(rng, t, False), family))
            father_given = self._given(rng, t, True)
            mother_age = head_age
        children_family = father_given[0] if o.family_from_father else family
        n_children = 1 + int(rng.random() ** 1.5 * (5 if not ukr else 3))
        if kind == "couple" and rng.random() < 0.12:
            n_children = 0
        for _ in range(n_children):
            age = int(rng.random() * min(17, max(mother_age - 18, 1)))
            born_here = False
            if rng.random() < 0.15 and (self.today - arrival).days > 500:
                year = ay + 1 + int(rng.random() * max((self.today.year - ay - 1), 1))
                born_here = True
            else:
                year = ay - age
            year = min(year, self.today.year)
            male = rng.random() < 0.52
            b, p = self._birth(rng, o, year, force_exact=born_here)
            if b > self.today:
                b = self.today - timedelta(days=40)
            out.append(Member("child", "m" if male else "f", b, p, self._given(rng, t, male),
                              children_family, born_in_germany=born_here))
        return out

    def _given(self, rng: random.Random, t: OriginTables, male: bool) -> list[NameForm]:
        pick = t.male if male else t.female
        names = [pick(rng)]
        if t.origin.iso3 != "UKR" and rng.random() < 0.18:
            second = pick(rng)
            if second is not names[0]:
                names.append(second)
        return names

    # -- the household's files -----------------------------------------------------------------

    def _status(self, rng: random.Random, o: Origin, arrival: date) -> tuple[str, date | None, str]:
        """(status, date of the decision or grant, legal basis of the current title)."""
        days = (self.today - arrival).days
        if o.iso3 == "UKR":
            grant = arrival + timedelta(days=20 + int(rng.random() * 90))
            if grant > self.today or rng.random() < 0.04:
                return "fiktion", arrival + timedelta(days=7), "§81 Abs. 3 AufenthG"
            return "p24", grant, "§24 Abs. 1 AufenthG"
        slow = 1.6 if arrival.year in (2015, 2016) else 1.0
        duration = int((90 + rng.random() * 330) * slow)
        pending = (days < duration) or (days < 3 * 365 and rng.random() < 0.08) or rng.random() < 0.015
        if pending:
            return "pending", None, "§55 Abs. 1 AsylG"
        decision = arrival + timedelta(days=min(duration, days - 1))
        protection = o.protection * (1.15 if o.iso3 == "AFG" and arrival.year >= 2021 else 1.0)
        if rng.random() < protection:
            r = rng.random()
            if o.iso3 == "SYR":
                basis = "§25 Abs. 2 S. 1 Alt. 1 AufenthG" if arrival.year <= 2015 or r < 0.45 else \
                    "§25 Abs. 2 S. 1 Alt. 2 AufenthG"
            elif o.iso3 == "AFG" and r < 0.35:
                basis = "§25 Abs. 3 AufenthG"
            elif r < 0.02:
                basis = "§25 Abs. 1 AufenthG"
            elif r < 0.65:
                basis = "§25 Abs. 2 S. 1 Alt. 1 AufenthG"
            elif r < 0.9:
                basis = "§25 Abs. 2 S. 1 Alt. 2 AufenthG"
            else:
                basis = "§25 Abs. 3 AufenthG"
            return "protected", decision, basis
        years = days / 365
        if years > 6 and rng.random() < 0.35:
            grant = max(decision, date(2023, 1, 1)) + timedelta(days=int(rng.random() * 500))
            if grant < self.today:
                return "bleiberecht", grant, "§104c AufenthG" if rng.random() < 0.5 else "§25b AufenthG"
        r = rng.random()
        basis = "§60c AufenthG" if r < 0.1 else "§60b AufenthG" if r < 0.16 else "§60a Abs. 2 S. 1 AufenthG"
        return "duldung", decision, basis

    def _write_household(self, rng: random.Random, rows: Rows, t: OriginTables, d: District, arrival: date,
                         members: list[Member]) -> None:
        o = t.origin
        n = len(members)
        person_ids = self.ids.take("people.Person", n)
        file_ids = self.ids.take("cases.CaseFile", n)
        if rows.first_person_id is None:
            rows.first_person_id = person_ids[0]
        rows.last_person_id = person_ids[-1]
        rows.persons += n
        status, decided, basis = self._status(rng, o, arrival)
        ea_days = int((20 + rng.random() * (160 if arrival.year >= 2019 else 70)) * (0.5 if n > 1 else 1))
        vu_start = arrival + timedelta(days=ea_days)
        if o.iso3 == "UKR":
            vu_start = arrival + timedelta(days=3)
        in_ea = vu_start > self.today
        # Lead moves to the Jobcenter when a title is granted (the month after the decision).
        jc_since: date | None = None
        final: date | None = None
        if status in ("protected", "bleiberecht") and decided:
            final = decided + timedelta(days=14 + int(rng.random() * 30))
            jc_since = (final.replace(day=1) + timedelta(days=32)).replace(day=1)
        elif status in ("p24", "fiktion"):
            jc_since = UKRAINE_HANDOVER if arrival < UKRAINE_HANDOVER else \
                (arrival.replace(day=1) + timedelta(days=32)).replace(day=1)
        if jc_since is not None and jc_since > self.today:
            jc_since = None
        lra_id = self.agencies[f"LRA-{d.code}"]
        created = self._at(rng, min(vu_start if not in_ea else arrival + timedelta(days=3), self.today))
        addresses = self._addresses(rng, d, o, arrival, vu_start, in_ea, jc_since, status)
        municipality = addresses[-1][2]
        household_id: int | None = None
        head_bg: str | None = None
        if jc_since is not None:
            head_bg = bg_number(person_ids[0], d.code)
        if n > 1:
            household_id = self.ids.take("people.Household", 1)[0]
            rows.add("people.Household", (household_id, f"Familie {_variant(rng, members[0].family)}",
                                          head_bg or "", created))
        aa_code = agency_code("AA", d.code)
        # One team of each agency leads the whole household's files.
        teams = {"LRA": self.team_choice(rng), "JC": self.team_choice(rng)}
        with_children = any(m.role == "child" for m in members)
        with_partner = any(m.role == "partner" for m in members)
        registered = created.date()
        for i, (m, pid, fid) in enumerate(zip(members, person_ids, file_ids, strict=True)):
            age_now = self.today.year - m.birth.year
            adult = age_now >= 18
            birth_country = "DEU" if m.born_in_germany else (
                "IRN" if o.iso3 == "AFG" and rng.random() < 0.2 else o.iso3)
            birth_place = municipality if m.born_in_germany else \
                o.birth_places[int(rng.random() * len(o.birth_places))]
            if birth_country == "IRN" and not m.born_in_germany:
                birth_place = "Teheran" if rng.random() < 0.5 else "Maschhad"
            rows.add("people.Person", (pid, m.sex, m.birth, m.precision, birth_place, birth_country, lra_id,
                                       created, created, 1))
            names = self._names(rng, rows, o, m, pid, created, lra_id)
            for k in keys_for_names(names):
                rows.add("people.NameKey", (pid, k, m.birth.year))
            nationality = "XXA" if o.iso3 == "SYR" and rng.random() < 0.01 else o.iso3
            rows.add("people.Nationality", (pid, nationality, created, None))
            mother_tongue = t.mother_tongue(rng) if age_now >= 3 else ""
            for street, postcode, muni, stage, since, until in addresses:
                if until is None or until >= m.birth:
                    rows.add("people.Address", (pid, street, postcode, muni, stage, max(since, m.birth), until,
                                                created))
            if adult and rng.random() < 0.6:
                rows.add("people.Contact", (pid, "phone", f"+49 30 23125{int(rng.random() * 1000):03d}", created, None))
            if adult and rng.random() < 0.15:
                mail_name = _ascii(f"{m.given[0].latin[0]}.{m.family.latin[0]}")
                rows.add("people.Contact", (pid, "email", f"{mail_name}{pid % 1000}@example.org", created, None))
            # identifiers
            if rng.random() < 0.98:
                rows.add("people.Identifier", (pid, "azr", azr_number(pid), lra_id, created))
            if o.iso3 != "UKR":
                rows.add("people.Identifier", (pid, "bamf", bamf_number(pid, o.bamf_key), lra_id, created))
            parts = self._participations(rng, d, o, status, arrival, vu_start, jc_since, decided, age_now,
                                         addresses, m.birth)
            if any(p.kind in ("AA", "JC") for p in parts) and age_now >= 15:
                rows.add("people.Identifier", (pid, "ba_kundennummer", ba_number(pid, aa_code),
                                               self.agencies[aa_code], created))
            if i == 0 and head_bg:
                rows.add("people.Identifier", (pid, "bg_nummer", head_bg, self.agencies[f"JC-{d.code}"], created))
            self._documents(rng, rows, o, d, pid, m, status, basis, arrival, vu_start, decided, in_ea, created)
            self._status_events(rows, pid, o, status, basis, max(arrival, m.birth), decided, final, lra_id, created)
            if household_id is not None:
                rel = {"head": "head", "partner": "partner", "child": "child"}[m.role]
                rows.add("people.HouseholdMember", (household_id, pid, rel, max(arrival, m.birth), None))
            rows.add("cases.CaseFile", (fid, pid, created))
            for p in parts:
                team = teams.get(p.kind, "") if p.role == "lead" else ""
                rows.add("cases.Participation", (fid, self.agencies[p.code], p.role, p.since, p.until, p.basis,
                                                 team, self._at(rng, p.since), self._user(p.code)))
            if adult:
                self._consents(rng, rows, d, fid, parts)
            life = Life(pid=pid, fid=fid, sex=m.sex, birth=m.birth, iso3=o.iso3, district=d.code, status=status,
                        basis=basis, arrival=max(arrival, m.birth), registered=max(registered, m.birth),
                        vu_start=vu_start, decided=decided, final=final, jc_since=jc_since,
                        lra_lead=any(p.kind == "LRA" and p.role == "lead" and p.until is not None for p in parts),
                        parent=m.role != "child" and with_children, partner=m.role != "child" and with_partner,
                        mother_tongue=mother_tongue, municipality=municipality)
            reached, first_counselling = self.journeys.write(rng, rows, life)
            self._languages(rng, rows, t, pid, m, arrival, created, adult, mother_tongue, reached)
            self._entries(rng, rows, d, o, fid, parts, adult, municipality, first_counselling)

    # -- pieces of a person --------------------------------------------------------------------

    def _names(self, rng: random.Random, rows: Rows, o: Origin, m: Member, pid: int, created: datetime,
               agency_id: int) -> list[tuple[str, str]]:
        given_forms, family_form = m.given, m.family
        given = " ".join(_variant(rng, f) for f in given_forms)
        family = _variant(rng, family_form)
        names = [(given, family)]
        rows.add("people.PersonName", (pid, "registered", given, family, _script_of(given + family), agency_id,
                                       created, None))
        if o.script != "latn" and all(f.original for f in given_forms) and family_form.original:
            og = " ".join(f.original for f in given_forms)
            rows.add("people.PersonName", (pid, "original", og, family_form.original, o.script, agency_id, created,
                                           None))
            names.append((og, family_form.original))
        if rng.random() < 0.3:
            dg = " ".join(_other_variant(rng, f, v) for f, v in zip(given_forms, given.split(" "), strict=False))
            df = _other_variant(rng, family_form, family)
            if (dg, df) != (given, family):
                rows.add("people.PersonName", (pid, "document", dg, df, _script_of(dg + df), agency_id, created, None))
                names.append((dg, df))
        if o.iso3 in ("AFG", "SOM", "ERI") and rng.random() < 0.04:
            # Registered elsewhere with given and family name swapped (no family names in the home country).
            rows.add("people.PersonName", (pid, "alias", family, given, "latn", agency_id, created, None))
            names.append((family, given))
        return names

    def _languages(self, rng: random.Random, rows: Rows, t: OriginTables, pid: int, m: Member, arrival: date,
                   created: datetime, adult: bool, mt: str, reached: str = "") -> None:
        """Mother tongue, other languages and German (at least the level reached in a course)."""
        if not mt:
            return
        rows.add("people.LanguageSkill", (pid, mt, "MT", created))
        if adult:
            for lang, p in t.origin.second_languages:
                if lang != mt and rng.random() < p:
                    rows.add("people.LanguageSkill", (pid, lang, ("A2", "B1", "B2", "C1")[int(rng.random() * 4)],
                                                      created))
        years = (self.today - max(arrival, m.birth)).days / 365
        if m.born_in_germany or (not adult and years > 3):
            level = ("B2", "C1", "C2")[int(rng.random() * 3)]
        elif years < 0.5:
            level = "A1" if rng.random() < 0.5 else ""
        elif years < 2:
            level = "A1" if rng.random() < 0.5 else "A2"
        elif years < 4:
            level = ("A2", "A2", "B1", "B1", "B2")[int(rng.random() * 5)]
        else:
            level = ("A1", "A2", "A2", "B1", "B1", "B1", "B1", "B2", "B2", "C1")[int(rng.random() * 10)]
        if reached and _CEFR.index(reached) > _CEFR.index(level):
            level = reached
        if level:
            rows.add("people.LanguageSkill", (pid, "de", level, created))

    def _addresses(self, rng: random.Random, d: District, o: Origin, arrival: date, vu_start: date, in_ea: bool,
                   jc_since: date | None, status: str) -> list[tuple[str, str, str, str, date, date | None]]:
        """(street, postcode, municipality, accommodation, from, until), oldest first."""
        if in_ea:
            muni, postcode, street = RECEPTION_CENTRES[int(rng.random() * len(RECEPTION_CENTRES))]
            return [(street, postcode, muni, "ea", arrival, None)]
        out: list[tuple[str, str, str, str, date, date | None]] = []

        def place() -> tuple[str, str, str]:
            muni, pcs = self.muni_choice[d.code](rng)
            return (f"{STREETS[int(rng.random() * len(STREETS))]} {1 + int(rng.random() ** 2 * 120)}",
                    pcs[int(rng.random() * len(pcs))], muni)

        if o.iso3 == "UKR" and rng.random() < 0.6:
            s, pc, mu = place()
            return [(s, pc, mu, "private", vu_start, None)]
        s, pc, mu = place()
        # vorläufige Unterbringung ends with the title or after 24 months (§9 FlüAG BW); 6 months for §24.
        limit = vu_start + timedelta(days=183 if o.iso3 == "UKR" else 730)
        au_start = min(jc_since or limit, limit)
        if status in ("pending",) and au_start > self.today:
            return [(s, pc, mu, "vu", vu_start, None)]
        if au_start > self.today:
            return [(s, pc, mu, "vu", vu_start, None)]
        out.append((s, pc, mu, "vu", vu_start, au_start - timedelta(days=1)))
        s, pc, mu = place()
        private_from = au_start + timedelta(days=int(365 + rng.random() * 1460))
        if private_from <= self.today and rng.random() < 0.55:
            out.append((s, pc, mu, "au", au_start, private_from - timedelta(days=1)))
            s2, pc2, mu2 = place() if rng.random() < 0.4 else (s, pc, mu)
            if s2 == s:
                s2 = f"{STREETS[int(rng.random() * len(STREETS))]} {1 + int(rng.random() * 60)}"
            out.append((s2, pc2, mu2, "private", private_from, None))
        else:
            out.append((s, pc, mu, "au", au_start, None))
        return out

    def _documents(self, rng: random.Random, rows: Rows, o: Origin, d: District, pid: int, m: Member, status: str,
                   basis: str, arrival: date, vu_start: date, decided: date | None, in_ea: bool,
                   created: datetime) -> None:
        abh = f"Ausländerbehörde – Landratsamt {d.landkreis}" if d.code != "OG" else \
            "Ausländerbehörde – Landratsamt Ortenaukreis"
        since = max(arrival, m.birth)

        def eat() -> str:
            return EAT_LETTERS[int(rng.random() * len(EAT_LETTERS))] + "".join(
                EAT_CHARS[int(rng.random() * len(EAT_CHARS))] for _ in range(8))

        def renewed(start: date, months: int) -> tuple[date, date]:
            """The current certificate: renewed every `months` since `start`; 6 % are overdue."""
            step = timedelta(days=months * 30)
            elapsed = max((self.today - start).days, 0)
            issued = start + timedelta(days=(elapsed // step.days) * step.days)
            if rng.random() < 0.06 and issued - step >= start:
                issued -= step
            return issued, issued + step

        if o.iso3 != "UKR":
            if in_ea or (status == "pending" and (self.today - arrival).days < 60):
                rows.add("people.IdentityDocument", (pid, "akn", f"AKN{pid % 10**8:08d}", since,
                                                     since + timedelta(days=182), "Landeserstaufnahmeeinrichtung",
                                                     "§63a AsylG", created))
            elif status == "pending":
                issued, until = renewed(max(vu_start, since), 6)
                rows.add("people.IdentityDocument", (pid, "gestattung", f"G{d.code}{pid % 10**7:07d}", issued, until,
                                                     abh, "§55 Abs. 1 AsylG", created))
            elif decided and decided > max(vu_start, since):
                # The last Gestattung, ended by the decision (kept: documents are history).
                issued = max(vu_start, since, decided - timedelta(days=int(rng.random() * 170)))
                until = min(issued + timedelta(days=182), decided)
                rows.add("people.IdentityDocument", (pid, "gestattung", f"G{d.code}{pid % 10**7:07d}", issued, until,
                                                     abh, "§55 Abs. 1 AsylG", created))
        if status in ("protected", "bleiberecht", "p24") and decided:
            first = decided + timedelta(days=20 + int(rng.random() * 60))
            if first <= self.today:
                if status == "p24":
                    issued, until = first, UKRAINE_PROTECTION_UNTIL
                else:
                    issued, until = renewed(first, _title_months(basis, decided))
                rows.add("people.IdentityDocument", (pid, "ae", eat(), issued, until, abh, basis, created))
        elif status == "fiktion":
            issued, until = renewed(since, 6)
            rows.add("people.IdentityDocument", (pid, "fiktion", eat(), issued, until, abh, basis, created))
        elif status == "duldung" and decided:
            issued, until = renewed(decided + timedelta(days=30), 6)
            rows.add("people.IdentityDocument", (pid, "duldung", f"D{pid % 10**8:08d}", issued, until, abh, basis,
                                                 created))
        adult = self.today.year - m.birth.year >= 18
        if not m.born_in_germany and rng.random() < o.passport * (1 if adult else 0.5):
            issued = arrival - timedelta(days=int(200 + rng.random() * 1800))
            valid_years = 2 + int(rng.random() * 5) if o.iso3 == "SYR" else 10 if adult else 5
            rows.add("people.IdentityDocument", (
                pid, "passport", f"{o.passport_prefix}{(pid * 7_777_777 + 1) % 10**7:07d}",
                max(issued, m.birth), max(issued, m.birth) + timedelta(days=365 * valid_years),
                o.passport_issuer, "", created))

    def _status_events(self, rows: Rows, pid: int, o: Origin, status: str, basis: str, arrival: date,
                       decided: date | None, final: date | None, agency_id: int, created: datetime) -> None:
        """The legal-status history behind the generated status (journey.status accepts every sequence)."""
        events: list[tuple[str, date, str]] = [("einreise", arrival, "")]
        if o.iso3 == "UKR":
            events.append(("fiktion", arrival + timedelta(days=7), ""))
            if status == "p24" and decided:
                events.append(("ae_24", max(decided, arrival + timedelta(days=8)), ""))
        else:
            events += [("asylgesuch", arrival + timedelta(days=1), ""), ("gestattung", arrival + timedelta(days=30), "")]
            if status in ("protected", "bleiberecht", "duldung") and decided:
                decision_day = max(decided, arrival + timedelta(days=31))
                if status == "bleiberecht":  # rejected and tolerated years before the §25b/§104c title
                    decision_day = arrival + timedelta(days=200)
                if status in ("duldung", "bleiberecht"):
                    final_day = decision_day + timedelta(days=30)
                    kind = "duldung_60c" if "60c" in basis else "duldung_60b" if "60b" in basis else "duldung_60a"
                    events += [("bamf_entscheidung", decision_day, "abgelehnt"), ("rechtskraft", final_day, ""),
                               (kind, final_day + timedelta(days=15), "")]
                else:
                    outcome, title = _OUTCOMES.get(basis, ("fluechtlingsschutz", "ae_25_2"))
                    final_day = max(final or decision_day, decision_day + timedelta(days=1))
                    events += [("bamf_entscheidung", decision_day, outcome), ("rechtskraft", final_day, ""),
                               (title, final_day + timedelta(days=30), "")]
        for kind, day, outcome in events:
            if day <= self.today:
                rows.add("journey.StatusEvent", (pid, kind, day, outcome, "", False, agency_id, created))

    def _participations(self, rng: random.Random, d: District, o: Origin, status: str, arrival: date,
                        vu_start: date, jc_since: date | None, decided: date | None, age: int,
                        addresses: Sequence[tuple[str, str, str, str, date, date | None]], birth: date) -> list[Part]:
        """Lead: Landratsamt (AsylbLG) until a title moves it to the Jobcenter; contributing agencies."""
        parts: list[Part] = []
        lra_since = min(vu_start, self.today)
        lra_code, jc_code, aa_code = f"LRA-{d.code}", f"JC-{d.code}", agency_code("AA", d.code)
        if jc_since is not None and jc_since > lra_since:
            parts.append(Part("LRA", lra_code, "lead", lra_since, jc_since - timedelta(days=1),
                              PARTICIPATION_BASIS["LRA"]))
        elif jc_since is None:
            parts.append(Part("LRA", lra_code, "lead", lra_since, None, PARTICIPATION_BASIS["LRA"]))
        if jc_since is not None:
            parts.append(Part("JC", jc_code, "lead", jc_since, None, PARTICIPATION_BASIS["JC"]))
        barred = o.iso3 in SAFE_COUNTRIES and status == "pending"  # §61(2) S.4 AsylG: no work, no measures
        if 16 <= age <= 64 and not barred and rng.random() < 0.6:
            since = min(lra_since + timedelta(days=int(30 + rng.random() * 180)), self.today)
            # The Agentur places persons outside SGB II; with the Jobcenter's lead its part ends.
            if jc_since is None or since < jc_since:
                early = o.iso3 in GOOD_PROSPECTS and status != "duldung"
                until = jc_since - timedelta(days=1) if jc_since else None
                parts.append(Part("AA", aa_code, "contributing", since, until,
                                  PARTICIPATION_BASIS["AA_EARLY" if early else "AA"]))
        if (status in ("duldung", "pending", "fiktion") and rng.random() < 0.5) or rng.random() < 0.15:
            since = min((decided or arrival) + timedelta(days=int(rng.random() * 60)), self.today)
            parts.append(Part("ABH", f"ABH-{d.code}", "contributing", since, None, PARTICIPATION_BASIS["ABH"]))
        current = addresses[-1]
        if current[2] == d.city_municipality and current[3] in ("au", "private") and rng.random() < 0.7:
            parts.append(Part("STADT", f"STADT-{d.code}", "contributing", current[4], None,
                              PARTICIPATION_BASIS["STADT"]))
        course_access = status != "pending" or o.iso3 in GOOD_PROSPECTS
        if 18 <= age <= 60 and course_access and rng.random() < 0.35:
            start = min(lra_since + timedelta(days=int(60 + rng.random() * 500)), self.today)
            end = start + timedelta(days=int(180 + rng.random() * 200))
            parts.append(Part("KT", f"KT-{d.code}", "contributing", start, end if end <= self.today else None,
                              PARTICIPATION_BASIS["KT"]))
        out = []
        for p in parts:  # a child born here joins the file at birth
            if p.since < birth:
                p.since = birth
            if p.until is None or p.until >= p.since:
                out.append(p)
        return out or [Part("LRA", lra_code, "lead", max(lra_since, birth), None, PARTICIPATION_BASIS["LRA"])]

    def _consents(self, rng: random.Random, rows: Rows, d: District, fid: int, parts: Sequence[Part]) -> None:
        lead = next((p for p in reversed(parts) if p.role == "lead"), parts[0])
        recorder = self._user(lead.code)
        offers: list[tuple[list[str], list[str], str]] = []
        if rng.random() < 0.2:
            offers.append((["competences", "identity", "residence"], [f"MB-{d.code}"],
                           "Migrationsberatung: Unterstützung bei Anerkennung und Arbeitssuche"))
        if lead.kind == "JC" and rng.random() < 0.06:
            offers.append((["health"], [f"JC-{d.code}", agency_code("AA", d.code)],
                           "Berücksichtigung gesundheitlicher Einschränkungen bei der Vermittlung"))
        for categories, codes, purpose in offers:
            cid = self.ids.take("cases.Consent", 1)[0]
            valid_from = self._date_between(rng, lead.since, self.today)
            valid_until = valid_from + timedelta(days=730) if rng.random() < 0.5 else None
            revoked_at = None
            if rng.random() < 0.08:
                revoked_at = self._at(rng, self._date_between(rng, valid_from, self.today))
            rows.add("cases.Consent", (cid, fid, categories, purpose, valid_from, valid_until, None,
                                       self._at(rng, valid_from), recorder, revoked_at,
                                       recorder if revoked_at else None,
                                       "Widerruf mündlich in der Beratung erklärt" if revoked_at else ""))
            for code in codes:
                rows.add("cases.Consent_agencies", (cid, self.agencies[code]))

    def _entries(self, rng: random.Random, rows: Rows, d: District, o: Origin, fid: int, parts: Sequence[Part],
                 adult: bool, municipality: str, first_counselling: date | None = None) -> None:
        """Notes of the participating agencies; contacts not before the first counselling (if known)."""
        for p in parts:
            options = [(cat, texts) for (kind, cat), texts in ENTRY_TEXTS.items() if kind == p.kind]
            if not options:
                continue
            mean = {"JC": 2.2, "AA": 1.0, "LRA": 1.2, "ABH": 0.8, "STADT": 1.0, "KT": 1.0}.get(p.kind, 0.5)
            if not adult:
                mean *= 0.15
            count = int(rng.random() * 2 * mean + 0.5)
            end = min(p.until or self.today, self.today)
            for _ in range(count):
                cat, texts = options[int(rng.random() * len(options))]
                kind, title, template = texts[int(rng.random() * len(texts))]
                occ, fld = OCCUPATIONS[int(rng.random() * len(OCCUPATIONS))]
                day = self._date_between(rng, p.since, end)
                if kind == "contact" and first_counselling is not None and day < first_counselling:
                    day = self._date_between(rng, first_counselling, max(end, first_counselling))
                text = template.format(
                    occ=occ, field=fld, emp=EMPLOYERS[int(rng.random() * len(EMPLOYERS))], muni=municipality,
                    lvl=("A1", "A2", "B1", "B2")[int(rng.random() * 4)], kt=d.kt_name,
                    date=(day + timedelta(days=int(rng.random() * 60))).strftime("%d.%m.%Y"), origin=o.label)
                role = "benefits" if cat == "benefits" else "caseworker"
                occurred = self._at(rng, day)
                recorded = min(occurred + timedelta(minutes=int(5 + rng.random() * 600)), self.now)
                rows.add("cases.TimelineEntry", (fid, kind, cat, title, text, occurred, self._user(p.code, role),
                                                 self.agencies[p.code], None, recorded))


_CEFR = ("", "A1", "A2", "B1", "B2", "C1", "C2")

#: Legal basis of the generated title → (BAMF outcome, residence-permit event).
_OUTCOMES = {
    "§25 Abs. 1 AufenthG": ("asylberechtigung", "ae_25_1"),
    "§25 Abs. 2 S. 1 Alt. 1 AufenthG": ("fluechtlingsschutz", "ae_25_2"),
    "§25 Abs. 2 S. 1 Alt. 2 AufenthG": ("subsidiaer", "ae_25_2"),
    "§25 Abs. 3 AufenthG": ("abschiebungsverbot", "ae_25_3"),
}


def _title_months(basis: str, decided: date) -> int:
    """Validity of a residence permit (§26 AufenthG): 3 years for asylum and refugee status, 1 year for
    subsidiary protection before 27.02.2024 (3 years after), at least 1 year for §25(3)."""
    if "Alt. 1" in basis or basis.startswith("§25 Abs. 1 "):
        return 36
    if "Alt. 2" in basis:
        return 12 if decided < date(2024, 2, 27) else 36
    if basis.startswith("§104c"):
        return 18
    if basis.startswith("§25b"):
        return 24
    return 12


def _script_of(text: str) -> str:
    return "latn" if text.isascii() else _detect(text)


@lru_cache(maxsize=10_000)
def _detect(text: str) -> str:
    from stella.people.names import detect_script

    return detect_script(text)


_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ë": "e", "ç": "c", "ş": "s", "ı": "i",
                        "ğ": "g", "İ": "I", " ": "", "-": "", "'": ""})


def _ascii(text: str) -> str:
    return text.lower().translate(_ASCII).encode("ascii", "ignore").decode()


