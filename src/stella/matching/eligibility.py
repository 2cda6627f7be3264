"""Hard rules of matching: a pair (person, offer) is eligible only if no rule fails; each failure says why.

Rules and their stable codes (the German messages are shown in lists, explanations and enrolment refusals):

- `dates`: the offer is open and starts on or after the reference date;
- `legal_access`: legal access on the offer's start date through `stella.rules`, with the inputs the
  "Rechtliche Einschätzung" derives from the file (see `legal.py`):
  integration course → course access ENTITLED or ADMISSIBLE; vacancy → work permission for employment,
  training place → for vocational training (FREE, or ABH/ABH_BA: a permission is needed but possible; BAN
  fails); DeuFöV → course access ENTITLED/ADMISSIBLE *or* the person may work. The DeuFöV rule is a
  simplification: §4 DeuFöV also admits persons registered as seeking training or work and asylum seekers
  with good prospects, which the rule set does not model separately; measures have no legal condition here.
  An answer the rules cannot give (an input missing, a date outside the covered years) fails: a hard rule
  is never assumed to hold;
- `level`: the German level reaches the offer's minimum; `level_reached`: a language course whose target
  level the person already has is not suitable;
- `reachable`: mobility municipality → same municipality, district → same Landkreis, region → any pilot
  district; a residence obligation (Wohnsitzauflage) limits this to the Landkreis whatever is recorded;
- `childcare`, `women_only` (both ways: wanted → offer must be women-only; a women-only offer only for
  persons recorded as female), `part_time`, `driving_licence`;
- `double_booking`: no overlap with a seat the person holds in another offer or with a running placement.
"""

from __future__ import annotations

from datetime import date

from stella.competences.models import Mobility
from stella.journey.assessment import OUTCOME_LABELS, Answer
from stella.matching.facts import (
    RULE_LABELS,
    Failure,
    OfferFacts,
    PersonFacts,
    level_rank,
    load_offer_facts,
    load_person_facts,
)
from stella.matching.legal import COURSE, COURSE_OK, WORK, WORK_OK
from stella.offers.models import LANGUAGE_KINDS, OfferKind, OfferState
from stella.people.models import Sex
from stella.rules.dates import de

#: Rule codes in the order they are checked and shown (German names: `RULE_LABELS`, defined with `Failure`).
RULES = ("dates", "legal_access", "level", "level_reached", "reachable", "childcare", "women_only", "part_time",
         "driving_licence", "double_booking")

__all__ = ["RULES", "RULE_LABELS", "check_pair", "effective_mobility", "eligible", "failures", "legal_failure"]


#: Plain-string keys: the lists look this up for thousands of offers (an enum lookup costs far more).
ACTIVITY_BY_KIND: dict[str, str] = {OfferKind.VACANCY.value: "employment", OfferKind.TRAINING.value: "vocational_training"}
_ACTIVITY_WORDS = {"employment": "eine Beschäftigung", "vocational_training": "eine Berufsausbildung"}
_COURSE_BASIS = "§44 Abs. 4 AufenthG"


def failures(person: PersonFacts, offer: OfferFacts, *, legal: bool = True) -> list[Failure]:
    """Every hard rule the pair breaks, in the order of `RULES` ([] = eligible).

    `legal=False` leaves out the legal-access rule (the only one that asks the rules package): lists check
    the cheap rules for many pairs first and ask the rules only for the pairs they may show.
    """
    found: list[Failure] = []
    for check in _CHECKS if legal else _CHEAP_CHECKS:
        failure = check(person, offer)
        if failure is not None:
            found.append(failure)
    return found


def legal_failure(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    """Only the legal-access rule (see `failures(..., legal=False)`)."""
    return _legal(person, offer)


def eligible(person: PersonFacts, offer: OfferFacts) -> bool:
    return not failures(person, offer)


def check_pair(person_id: int, offer_id: int, on: date) -> list[Failure]:
    """Convenience for one pair from the database (no access check: callers check access themselves)."""
    person = load_person_facts([person_id], on).get(person_id)
    offer = load_offer_facts([offer_id]).get(offer_id)
    if person is None or offer is None:
        raise LookupError("person or offer not found")
    return failures(person, offer)


# --- the rules -----------------------------------------------------------------------------------------

def _dates(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if offer.state != OfferState.OPEN:
        state = dict(OfferState.choices).get(offer.state, offer.state)
        return Failure("dates", f"Das Angebot ist nicht offen (Stand: {state}).")
    if offer.starts_on < person.on:
        return Failure("dates", f"Das Angebot hat am {de(offer.starts_on)} begonnen, vor dem Stichtag "
                                f"{de(person.on)}.")
    return None


def _legal(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    legal = person.legal
    if legal is None:
        return None
    day = offer.starts_on
    if offer.kind == OfferKind.INTEGRATION_COURSE:
        return _course_failure(legal.answer(COURSE, COURSE, day), day)
    activity = ACTIVITY_BY_KIND.get(offer.kind)
    if activity is not None:
        return _work_failure(legal.answer(WORK, activity, day), activity, day)
    if offer.kind == OfferKind.DEUFOEV:
        course = _course_failure(legal.answer(COURSE, COURSE, day), day)
        work = _work_failure(legal.answer(WORK, "employment", day), "employment", day)
        if course is None or work is None:
            return None
        return Failure("legal_access", f"Keine Zulassung zur berufsbezogenen Deutschsprachförderung am {de(day)}: "
                                       f"weder Zugang zum Integrationskurs ({course.message}) noch "
                                       f"Arbeitsmarktzugang ({work.message}).",
                       basis="§4 DeuFöV")
    return None  # measures: no legal condition modelled


def _course_failure(answer: Answer, day: date) -> Failure | None:
    if answer.result is None:
        return Failure("legal_access", f"Der Zugang zum Integrationskurs am {de(day)} ist nicht prüfbar: "
                                       f"{answer.error}", basis=_COURSE_BASIS)
    if answer.result.outcome in COURSE_OK:
        return None
    return Failure("legal_access", f"Kein Zugang zum Integrationskurs am {de(day)}: "
                                   f"{OUTCOME_LABELS.get(answer.result.outcome, answer.result.outcome)}.",
                   basis="; ".join(answer.result.basis) or _COURSE_BASIS)


def _work_failure(answer: Answer, activity: str, day: date) -> Failure | None:
    what = _ACTIVITY_WORDS[activity]
    if answer.result is None:
        return Failure("legal_access", f"Ob {what} am {de(day)} erlaubt ist, ist nicht prüfbar: {answer.error}")
    if answer.result.outcome in WORK_OK:
        return None
    return Failure("legal_access", f"Kein Arbeitsmarktzugang für {what} am {de(day)}: "
                                   f"{OUTCOME_LABELS.get(answer.result.outcome, answer.result.outcome)}.",
                   basis="; ".join(answer.result.basis))


def _level(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if offer.min_german_level and level_rank(person.german_level) < level_rank(offer.min_german_level):
        have = person.german_level or "kein Nachweis"
        return Failure("level", f"Das Angebot setzt Deutsch {offer.min_german_level} voraus; "
                                f"erfasst ist {have}.")
    return None


def _level_reached(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if offer.kind in LANGUAGE_KINDS and offer.target_level and \
            level_rank(person.german_level) >= level_rank(offer.target_level):
        return Failure("level_reached", f"Der Kurs führt zu {offer.target_level}; die Person hat bereits "
                                        f"{person.german_level}.")
    return None


def effective_mobility(person: PersonFacts) -> str:
    """The recorded mobility, narrowed to the Landkreis by a residence obligation."""
    if person.residence_obligation and person.mobility == Mobility.REGION:
        return Mobility.DISTRICT
    return person.mobility


def _reachable(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if person.municipality_id is None:
        return Failure("reachable", "Für den Stichtag ist kein Wohnort erfasst, der einer Gemeinde in Stella "
                                    "zugeordnet werden kann.")
    mobility = effective_mobility(person)
    if mobility == Mobility.MUNICIPALITY and offer.municipality_id != person.municipality_id:
        return Failure("reachable", "Das Angebot liegt nicht am Wohnort; erreichbar ist nur der Wohnort.")
    if mobility == Mobility.DISTRICT and offer.district_id != person.district_id:
        why = "wegen der Wohnsitzauflage " if person.residence_obligation else ""
        return Failure("reachable", f"Das Angebot liegt außerhalb des Landkreises; {why}erreichbar ist nur der "
                                    "eigene Landkreis.", basis="§12a AufenthG" if why else "")
    return None  # region: every pilot district


def _childcare(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if person.needs_childcare and not offer.childcare:
        return Failure("childcare", "Die Person braucht Kinderbetreuung; das Angebot bietet keine.")
    return None


def _women_only(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if person.women_only and not offer.women_only:
        return Failure("women_only", "Die Person möchte nur Angebote für Frauen; dieses ist nicht nur für Frauen.")
    if offer.women_only and person.sex != Sex.FEMALE:
        return Failure("women_only", "Das Angebot richtet sich nur an Frauen.")
    return None


def _part_time(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if person.part_time_only and not offer.part_time:
        return Failure("part_time", "Die Person kann nur in Teilzeit teilnehmen; das Angebot ist nicht in "
                                    "Teilzeit möglich.")
    return None


def _driving_licence(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    if offer.requires_driving_licence and not person.driving_licence:
        return Failure("driving_licence", "Das Angebot setzt einen Führerschein voraus; keiner ist erfasst.")
    return None


def _double_booking(person: PersonFacts, offer: OfferFacts) -> Failure | None:
    for period in person.busy:
        if period.offer_id is not None and period.offer_id == offer.offer_id:
            continue
        if _overlaps(period.starts_on, period.ends_on, offer.starts_on, offer.ends_on):
            until = f" bis {de(period.ends_on)}" if period.ends_on else ""
            what = f"„{period.label}“" if period.label else "ein anderes Angebot"
            return Failure("double_booking", f"Zeitgleich belegt: {what} ab {de(period.starts_on)}{until}.")
    return None


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (a_end is None or b_start <= a_end) and (b_end is None or a_start <= b_end)


_CHECKS = (_dates, _legal, _level, _level_reached, _reachable, _childcare, _women_only, _part_time,
           _driving_licence, _double_booking)
_CHEAP_CHECKS = tuple(c for c in _CHECKS if c is not _legal)
