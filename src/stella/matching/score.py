"""The matching score: a documented, versioned integer 0–1000 from weighted criteria, each explained in German.

Only eligible pairs are scored in lists (hard rules come first, see `eligibility.py`). The criteria and
their maxima (sum 1000) are listed in `CRITERIA` and documented in docs/matching.md; a criterion that does
not apply to an offer (e.g. occupation for a language course) gives half its points to every person, so it
neither helps nor hurts anyone in that offer's ranking. Inputs are only the occupational, language, waiting,
place and date facts of `PersonFacts`: protected characteristics (sex, nationality, religion, health, age)
are never read here — `tests/test_score.py` checks both the source and the behaviour.
Changing a weight or a criterion changes `SCORE_VERSION`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from stella.matching.facts import OfferFacts, PersonFacts, level_rank
from stella.offers.models import LANGUAGE_KINDS
from stella.rules.dates import de

SCORE_VERSION = "2026.1"
MAX_TOTAL = 1000

#: (code, German label, maximum points); the order is the order of explanations.
CRITERIA: tuple[tuple[str, str, int], ...] = (
    ("occupation", "Beruf", 250),
    ("experience", "Berufserfahrung", 100),
    ("recognition", "Anerkennung", 100),
    ("language", "Deutschniveau", 200),
    ("waiting", "Wartezeit", 150),
    ("distance", "Entfernung", 100),
    ("start", "Beginn", 50),
    ("part_time", "Teilzeit", 50),
)
MAX = {code: points for code, _label, points in CRITERIA}
LABELS = {code: label for code, label, _points in CRITERIA}

#: Occupation fit by the length of the common KldB prefix: 5 digits (same Berufsgattung), 3 (Berufsgruppe),
#: 1 (Berufsbereich).
OCCUPATION_POINTS = {5: 250, 4: 215, 3: 180, 2: 120, 1: 80, 0: 0}
EXPERIENCE_FULL_YEARS = 5  # years in the offer's occupation group that earn the full experience points
RECOGNITION_POINTS = {"full": 100, "partial": 60, "none": 0}
WAITING_FULL_DAYS = 180  # days on the offer's waiting list that earn the full waiting points
SOON_DAYS = 14  # starting within two weeks earns the full start points …
LATE_DAYS = 180  # … falling linearly to nothing for a start half a year ahead
DISTANCE_POINTS = {"municipality": 100, "district": 60, "elsewhere": 20}
#: Language course: distance from the person's level to the course's target (1 = the next level up, best).
COURSE_GAP_POINTS = {1: 200, 2: 120}
COURSE_FAR_POINTS = 60
#: Other offers: points by how far the German level exceeds the requirement (0, 1, 2+ levels).
MARGIN_POINTS = {0: 100, 1: 150, 2: 200}


@dataclass(frozen=True)
class Part:
    """One criterion's contribution: points out of `max_points`, with a German sentence saying why."""

    criterion: str
    points: int
    max_points: int
    explanation: str

    @property
    def label(self) -> str:
        return LABELS[self.criterion]


@dataclass(frozen=True)
class Score:
    total: int
    parts: tuple[Part, ...]
    version: str = SCORE_VERSION

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "version": self.version,
                "parts": [{"criterion": p.criterion, "label": p.label, "points": p.points, "max": p.max_points,
                           "explanation": p.explanation} for p in self.parts]}


def score(person: PersonFacts, offer: OfferFacts) -> Score:
    """The score of a pair with one explained part per criterion (in the order of `CRITERIA`)."""
    parts = tuple(Part(code, points, MAX[code], explain())
                  for code, (points, explain) in zip(CODES, (c(person, offer) for c in _CRITERIA), strict=True))
    return Score(sum(p.points for p in parts), parts)


def total(person: PersonFacts, offer: OfferFacts) -> int:
    """`score(person, offer).total` without writing the explanations."""
    return sum(c(person, offer)[0] for c in _CRITERIA)


class Ranker:
    """`total` of one person against many offers: each criterion's points are computed once per distinct value
    of the offer fields it reads, e.g. the three occupation criteria once per KldB code, the start once per date.
    A test checks it against `score` on random offers."""

    def __init__(self, person: PersonFacts) -> None:
        self.person = person
        # Without a common Berufsbereich (first digit) all three occupation criteria give 0 points.
        self._areas = {code[:1] for code in person.occupation_codes}
        self._occupation: dict[str, int] = {}
        self._language: dict[tuple[str, str, str], int] = {}
        self._place: dict[tuple[int, int], int] = {}
        self._start: dict[date, int] = {}

    def total(self, offer: OfferFacts) -> int:
        p = self.person
        code = offer.occupation_code
        occupation = 0 if code and code[:1] not in self._areas else self._occupation.get(code)
        if occupation is None:
            occupation = self._occupation[code] = (
                _occupation(p, offer)[0] + _experience(p, offer)[0] + _recognition(p, offer)[0])
        key = (offer.kind, offer.target_level, offer.min_german_level)
        language = self._language.get(key)
        if language is None:
            language = self._language[key] = _language(p, offer)[0]
        place = self._place.get((offer.municipality_id, offer.district_id))
        if place is None:
            place = self._place[(offer.municipality_id, offer.district_id)] = _distance(p, offer)[0]
        start = self._start.get(offer.starts_on)
        if start is None:
            start = self._start[offer.starts_on] = _start(p, offer)[0]
        waiting = _waiting(p, offer)[0] if offer.offer_id in p.waiting_since else 0
        return occupation + language + place + start + waiting + _part_time(p, offer)[0]


# --- criteria: each returns its points and a function that writes the German sentence ---------------------

Explained = tuple[int, Callable[[], str]]


def _neutral(criterion: str, why: str) -> Explained:
    return MAX[criterion] // 2, lambda: f"{why}; neutral bewertet."


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _best_match(codes: frozenset[str], target: str) -> tuple[int, str]:
    """(common prefix length, person's code) of the person's code closest to `target`; ties by code."""
    best = (0, "")
    for code in sorted(codes):
        n = _common_prefix(code, target)
        if n > best[0]:
            best = (n, code)
    return best


_NO_OCCUPATION = "Das Angebot ist keinem Beruf zugeordnet"


def _occupation(person: PersonFacts, offer: OfferFacts) -> Explained:
    target = offer.occupation_code
    if not target:
        return _neutral("occupation", _NO_OCCUPATION)
    n, code = _best_match(person.occupation_codes, target)
    points = OCCUPATION_POINTS[min(n, 5)]
    if n >= 5:
        return points, lambda: f"Gleicher Beruf wie in Erfahrung oder Qualifikation (KldB {target})."
    if n >= 3:
        return points, lambda: f"Verwandter Beruf: gleiche Berufsgruppe {target[:3]} (erfasst: KldB {code})."
    if n >= 1:
        return points, lambda: (f"Gleicher Berufsbereich {target[:1]} (erfasst: KldB {code}, Angebot: "
                                f"KldB {target}).")
    return points, lambda: f"Kein bestätigter Beruf passt zum Angebot (KldB {target})."


def _related(codes: frozenset[str] | dict[str, float], target: str) -> list[str]:
    """The person's codes in the offer's occupation group (three-digit prefix, or the whole shorter code)."""
    width = min(3, len(target))
    return sorted(c for c in codes if c[:width] == target[:width])


def _experience(person: PersonFacts, offer: OfferFacts) -> Explained:
    target = offer.occupation_code
    if not target:
        return _neutral("experience", _NO_OCCUPATION)
    years = sum(person.experience_years[c] for c in _related(person.experience_years, target))
    if years <= 0:
        return 0, lambda: f"Keine Berufserfahrung in der Berufsgruppe {target[:3]} erfasst."
    points = int(MAX["experience"] * min(years, EXPERIENCE_FULL_YEARS) / EXPERIENCE_FULL_YEARS)
    shown = f"{years:.1f}".replace(".", ",").removesuffix(",0")
    return points, lambda: (f"{shown} Jahre Berufserfahrung in der Berufsgruppe {target[:3]} (volle Punktzahl ab "
                            f"{EXPERIENCE_FULL_YEARS} Jahren).")


def _recognition(person: PersonFacts, offer: OfferFacts) -> Explained:
    target = offer.occupation_code
    if not target:
        return _neutral("recognition", _NO_OCCUPATION)
    if _related(person.full_recognition, target):
        return RECOGNITION_POINTS["full"], lambda: "Abschluss in diesem Berufsfeld voll anerkannt."
    if _related(person.recognised_codes, target):
        return RECOGNITION_POINTS["partial"], lambda: "Abschluss in diesem Berufsfeld teilweise anerkannt."
    return 0, lambda: "Kein anerkannter Abschluss in diesem Berufsfeld erfasst."


def _language(person: PersonFacts, offer: OfferFacts) -> Explained:
    have = level_rank(person.german_level)
    shown = person.german_level or "kein Nachweis"
    target = offer.target_level
    if target and offer.kind in LANGUAGE_KINDS:
        gap = level_rank(target) - have
        if gap <= 0:
            return 0, lambda: f"Zielniveau {target} ist bereits erreicht ({shown})."
        if gap == 1:
            return COURSE_GAP_POINTS[1], lambda: f"Der Kurs führt von {shown} zur nächsten Stufe {target}: beste Passung."
        return COURSE_GAP_POINTS.get(gap, COURSE_FAR_POINTS), lambda: (
            f"Der Kurs führt von {shown} zu {target}, {gap} Stufen höher; die nächste Stufe passt besser.")
    minimum = offer.min_german_level
    margin = have - level_rank(minimum)
    if margin < 0:
        return 0, lambda: f"Deutsch {shown} liegt unter der Voraussetzung {minimum}."
    if not minimum:
        return MARGIN_POINTS[min(margin, 2)], lambda: f"Deutsch {shown} (keine Voraussetzung; je höher, desto besser)."
    more = "erfüllt" if margin == 0 else f"um {margin} Stufe{'n' if margin > 1 else ''} übertroffen"
    return MARGIN_POINTS[min(margin, 2)], lambda: f"Deutsch {shown}: Voraussetzung {minimum} {more}."


def _waiting(person: PersonFacts, offer: OfferFacts) -> Explained:
    since = person.waiting_since.get(offer.offer_id)
    if since is None:
        return 0, lambda: "Nicht auf der Warteliste dieses Angebots."
    days = max((person.on - since).days, 0)
    return MAX["waiting"] * min(days, WAITING_FULL_DAYS) // WAITING_FULL_DAYS, lambda: (
        f"Seit {de(since)} auf der Warteliste ({days} Tage; volle Punktzahl ab {WAITING_FULL_DAYS} Tagen).")


def _distance(person: PersonFacts, offer: OfferFacts) -> Explained:
    if person.municipality_id is not None and offer.municipality_id == person.municipality_id:
        return DISTANCE_POINTS["municipality"], lambda: "Das Angebot ist am Wohnort."
    if person.district_id is not None and offer.district_id == person.district_id:
        return DISTANCE_POINTS["district"], lambda: "Das Angebot ist im eigenen Landkreis."
    return DISTANCE_POINTS["elsewhere"], lambda: "Das Angebot ist außerhalb des eigenen Landkreises."


def _start(person: PersonFacts, offer: OfferFacts) -> Explained:
    days = (offer.starts_on - person.on).days
    points = MAX["start"] if days <= SOON_DAYS else max(0, MAX["start"] * (LATE_DAYS - days) // (LATE_DAYS - SOON_DAYS))
    return points, lambda: (f"Beginn am {de(offer.starts_on)}, in {max(days, 0)} Tagen (volle Punktzahl bis "
                            f"{SOON_DAYS} Tage, keine ab {LATE_DAYS} Tagen).")


def _part_time(person: PersonFacts, offer: OfferFacts) -> Explained:
    if not person.part_time_only:
        return MAX["part_time"], lambda: "Keine Einschränkung der Arbeitszeit erfasst."
    if offer.part_time:
        return MAX["part_time"], lambda: "Teilzeit wird gebraucht und ist möglich."
    return 0, lambda: "Teilzeit wird gebraucht, ist aber nicht möglich."


#: The criteria in the order of `CRITERIA`.
_CRITERIA: tuple[Callable[[PersonFacts, OfferFacts], Explained], ...] = (
    _occupation, _experience, _recognition, _language, _waiting, _distance, _start, _part_time)
CODES = tuple(code for code, _label, _points in CRITERIA)
