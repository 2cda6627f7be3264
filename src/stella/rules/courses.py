"""Integration-course admission on a date (law-facts.md §5): ENTITLED, ADMISSIBLE (places permitting) or
NOT_ADMISSIBLE. Covers asylum seekers (Gestattung) and recognised persons (§25 Abs. 1/2)."""

from __future__ import annotations

import dataclasses

from stella.rules import validate as v
from stella.rules.dates import de, first_day_after, served
from stella.rules.errors import RuleInputError
from stella.rules.model import CourseAccessInput, RuleResult
from stella.rules.safety import flag_doubtful, safe_country_on
from stella.rules.tables import countries as ct
from stella.rules.tables import courses as cr
from stella.rules.trace import Trace, row_at

COVERED_STATUSES = ("gestattung", "ae_25_1", "ae_25_2")


def course_access(q: CourseAccessInput) -> RuleResult:
    """Whether the person may be admitted to the integration course on `q.reference_date`."""
    _validate(q)
    q = dataclasses.replace(q, nationality=v.check_country(q.nationality))
    t = Trace("course_access", q.reference_date)
    if q.status != "gestattung":
        t.get(cr.RECOGNISED_CLAIM)
        t.say("Mit einer Aufenthaltserlaubnis nach §25 Abs. 1 oder 2 AufenthG besteht ein Anspruch auf Teilnahme "
              "am Integrationskurs.")
        return _done(t, "ENTITLED")
    return _asylum_seeker(q, t)


def _validate(q: CourseAccessInput) -> None:
    v.check_covered("course_access", q.reference_date)
    v.check_status(q.status, q.reference_date)
    v.check_country(q.nationality)
    if q.status not in COVERED_STATUSES:
        raise RuleInputError("status", "Für diesen Status enthält der Regelsatz keine Regel zum Integrationskurs "
                                       "(abgedeckt: Aufenthaltsgestattung, Aufenthaltserlaubnis §25 Abs. 1/2).")
    for field in ("entry_date", "asylum_request_date", "gestattung_since"):
        v.check_not_after(field, getattr(q, field), q.reference_date, "dem Stichtag")
    v.check_not_before("asylum_request_date", q.asylum_request_date, q.entry_date, "der Einreise")
    v.check_not_before("gestattung_since", q.gestattung_since, q.entry_date, "der Einreise")


def _asylum_seeker(q: CourseAccessInput, t: Trace) -> RuleResult:
    rule = t.get(cr.COURSE_RULES)
    if not rule.good_prospects:
        t.say("Asylsuchende mit Aufenthaltsgestattung konnten vor dem 24.10.2015 nicht zum Integrationskurs "
              "zugelassen werden.")
        return _done(t, "NOT_ADMISSIBLE")
    flag_doubtful(t, q.nationality)
    country = safe_country_on(q.nationality, t.day)
    if country is not None:
        t.use(country.prov)
        t.say(f"{country.name} ist sicherer Herkunftsstaat: Asylsuchende aus sicheren Herkunftsstaaten werden nicht "
              "zugelassen.")
        return _done(t, "NOT_ADMISSIBLE")
    prospects = row_at(ct.GOOD_PROSPECTS, t.day)
    if prospects is not None and q.nationality in prospects.value:
        t.use(prospects.prov)
        t.say("Das Herkunftsland steht auf der Liste mit guter Bleibeperspektive („rechtmäßiger und dauerhafter "
              "Aufenthalt zu erwarten“): Zulassung im Rahmen freier Plätze möglich.")
        return _done(t, "ADMISSIBLE")
    if prospects is not None:
        t.use(prospects.prov, basis=False)  # the answer relies on the country not being on the list
    if rule.extension_entry_before is not None and rule.extension_months is not None:
        return _extension(q, t, rule)
    t.say("Das Herkunftsland steht nicht auf der Liste mit guter Bleibeperspektive: keine Zulassung.")
    return _done(t, "NOT_ADMISSIBLE")


def _extension(q: CourseAccessInput, t: Trace, rule: cr.CourseRule) -> RuleResult:
    """Since 01.08.2019: entry before 01.08.2019, 3 months with a Gestattung and close to the labour market."""
    assert rule.extension_entry_before is not None and rule.extension_months is not None
    v.require("entry_date", q.entry_date, "um die Erweiterung vom 01.08.2019 (Einreise vor dem Stichtag) zu prüfen")
    assert q.entry_date is not None
    if q.entry_date >= rule.extension_entry_before:
        t.say(f"Kein Land mit guter Bleibeperspektive und Einreise nicht vor dem {de(rule.extension_entry_before)}: "
              "keine Zulassung.")
        return _done(t, "NOT_ADMISSIBLE")
    since = q.gestattung_since or q.asylum_request_date
    v.require("gestattung_since", since, "um die drei Monate mit Aufenthaltsgestattung zu prüfen")
    assert since is not None
    if not served(since, rule.extension_months, t.day):
        t.say(f"Einreise vor dem {de(rule.extension_entry_before)}, aber noch keine {rule.extension_months} Monate "
              f"mit Aufenthaltsgestattung (ab {de(first_day_after(since, rule.extension_months))}).")
        return _done(t, "NOT_ADMISSIBLE")
    v.require("labour_market_close", q.labour_market_close, "um die Arbeitsmarktnähe (Erweiterung 2019) zu prüfen")
    if not q.labour_market_close:
        t.say("Einreise vor dem 01.08.2019 und drei Monate Gestattung, aber keine Arbeitsmarktnähe: keine Zulassung.")
        return _done(t, "NOT_ADMISSIBLE")
    t.say(f"Einreise vor dem {de(rule.extension_entry_before)}, seit mindestens {rule.extension_months} Monaten "
          "Aufenthaltsgestattung und arbeitsmarktnah: Zulassung im Rahmen freier Plätze möglich.")
    return _done(t, "ADMISSIBLE")


HEADLINE = {
    "ENTITLED": "Am {day} besteht ein Anspruch auf den Integrationskurs.",
    "ADMISSIBLE": "Am {day} kann die Person zum Integrationskurs zugelassen werden, soweit Plätze frei sind.",
    "NOT_ADMISSIBLE": "Am {day} kann die Person nicht zum Integrationskurs zugelassen werden.",
}


def _done(t: Trace, outcome: str) -> RuleResult:
    t.sentences.insert(0, HEADLINE[outcome].format(day=de(t.day)))
    return t.result(outcome)
