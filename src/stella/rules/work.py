"""Work permission on a date (law-facts.md §2b): FREE, ABH, ABH_BA or BAN, following the decision table.

`details["rule"]` names the decision-table row that decided ("1"…"14", "7a"), so that caseworkers and
tests can trace the answer back to law-facts.md.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from stella.rules import validate as v
from stella.rules.dates import de, first_day_after, period_end, served
from stella.rules.errors import RuleInputError
from stella.rules.model import (
    ACTIVITIES,
    DULDUNG_GROUNDS,
    REJECTIONS,
    Dated,
    RuleResult,
    WorkPermissionInput,
)
from stella.rules.safety import flag_doubtful, safe_country_on
from stella.rules.tables import countries as ct
from stella.rules.tables import work as wt
from stella.rules.tables.common import p
from stella.rules.trace import Trace, row_at

ACTIVITY_DE = {
    "employment": "eine Beschäftigung",
    "vocational_training": "eine Berufsausbildung",
    "internship": "ein Praktikum",
    "self_employment": "eine selbständige Tätigkeit",
}
OUTCOME_DE = {
    "FREE": "Für {activity} braucht die Person am {day} keine Erlaubnis.",
    "ABH": "Für {activity} braucht die Person am {day} eine Erlaubnis der Ausländerbehörde; die Bundesagentur "
           "für Arbeit (BA) muss nicht zustimmen.",
    "ABH_BA": "Für {activity} braucht die Person am {day} eine Erlaubnis der Ausländerbehörde, der die "
              "Bundesagentur für Arbeit (BA) zustimmen muss.",
    "BAN": "{Activity} ist am {day} nicht erlaubt.",
}
GROUND_DE = {
    "asylblg_purpose": "Einreise, um Leistungen nach dem Asylbewerberleistungsgesetz zu erhalten "
                       "(§60a Abs. 6 S. 1 Nr. 1 AufenthG)",
    "own_fault": "Abschiebung aus selbst zu vertretenden Gründen unmöglich, etwa durch Täuschung über die "
                 "Identität (§60a Abs. 6 S. 1 Nr. 2 AufenthG)",
    "safe_country": "Staatsangehörigkeit eines sicheren Herkunftsstaats und Asylantrag nach dem Stichtag "
                    "abgelehnt oder zurückgenommen oder kein Asylantrag (§60a Abs. 6 S. 1 Nr. 3 AufenthG)",
}
#: Consent of the BA for employment (rows 7, 9): §32 BeschV with §39 AufenthG.
BA_CONSENT = p("§32 BeschV", src=("S3", "S19"))


def work_permission(q: WorkPermissionInput) -> RuleResult:
    """Whether and with which permit the person may take up `q.activity` on `q.reference_date`."""
    _validate(q)
    q = dataclasses.replace(q, nationality=v.check_country(q.nationality))
    t = Trace("work_permission", q.reference_date)
    if q.status in wt.TITLE_ACCESS:
        return _title(q, t)
    if q.activity == "self_employment":
        return _self_employment(q, t)
    if q.status == "duldung_60b":
        return _finish(q, t, "BAN", "11", _sentence(t, wt.DULDUNG_60B,
                       "Mit einer Duldung für Personen mit ungeklärter Identität (§60b AufenthG) ist jede "
                       "Erwerbstätigkeit verboten."))
    if q.status == "duldung":
        return _duldung(q, t)
    return _gestattung(q, t)


# --- input ---------------------------------------------------------------------------------------------

def _validate(q: WorkPermissionInput) -> None:
    v.check_covered("work_permission", q.reference_date)
    v.check_status(q.status, q.reference_date)
    v.check_choice("activity", q.activity, ACTIVITIES, "die Tätigkeit")
    v.check_country(q.nationality)
    for ground in q.duldung_grounds:
        v.check_choice("duldung_grounds", ground, DULDUNG_GROUNDS, "die Duldungsgründe")
    if q.rejected_as is not None:
        v.check_choice("rejected_as", q.rejected_as, REJECTIONS, "die Art der Ablehnung")
    _check_dates(q)
    if q.status == "gestattung":
        v.require("asylum_request_date", q.asylum_request_date, "um die Wartezeit mit Aufenthaltsgestattung zu "
                  "berechnen")
        if q.duldung_grounds:
            raise RuleInputError("duldung_grounds", "Duldungsgründe passen nicht zum Status Aufenthaltsgestattung.")


def _check_dates(q: WorkPermissionInput) -> None:
    day = q.reference_date
    for field in ("entry_date", "asylum_request_date", "asylum_application_date", "reception_centre_since",
                  "duldung_since", "prior_stay_since", "identity_clarified_on"):
        v.check_not_after(field, getattr(q, field), day, "dem Stichtag")
    v.check_not_before("asylum_request_date", q.asylum_request_date, q.entry_date, "der Einreise")
    v.check_not_before("asylum_application_date", q.asylum_application_date, q.asylum_request_date,
                       "dem Asylgesuch")
    for field in ("reception_centre_since", "duldung_since", "prior_stay_since"):
        v.check_not_before(field, getattr(q, field), q.entry_date, "der Einreise")


# --- rows 1–3: residence titles --------------------------------------------------------------------------

def _title(q: WorkPermissionInput, t: Trace) -> RuleResult:
    outcome = t.get(wt.TITLE_ACCESS[q.status])
    rule = {"ae_25_1": "1", "ae_25_2": "1", "ae_25_3": "2"}.get(q.status, "3")
    if outcome == "FREE":
        t.say("Die Aufenthaltserlaubnis erlaubt jede Erwerbstätigkeit, also auch eine Beschäftigung, eine "
              "Ausbildung oder eine selbständige Tätigkeit.")
    else:
        t.say("Mit einer Aufenthaltserlaubnis nach §25 Abs. 3 AufenthG erteilte vor dem 01.03.2020 die "
              "Ausländerbehörde die Erlaubnis, ohne Zustimmung der Bundesagentur für Arbeit (§31 BeschV).")
    return _finish(q, t, outcome, rule)


# --- row 14: self-employment ---------------------------------------------------------------------------

def _self_employment(q: WorkPermissionInput, t: Trace) -> RuleResult:
    return _finish(q, t, "BAN", "14", _sentence(t, wt.SELF_EMPLOYMENT_BAN,
                   "Mit Aufenthaltsgestattung oder Duldung ist eine selbständige Tätigkeit nicht erlaubt: §61 AsylG "
                   "lässt nur eine Beschäftigung zu."))


# --- Gestattung: rows 4–8 ------------------------------------------------------------------------------

def _gestattung(q: WorkPermissionInput, t: Trace) -> RuleResult:
    assert q.asylum_request_date is not None  # checked in _validate
    flag_doubtful(t, q.nationality)
    if _safe_country_ban(q, t, q.asylum_request_date):
        return _finish(q, t, "BAN", "8")
    if _obliged_in_ea(q, t):
        return _gestattung_in_ea(q, t, q.asylum_application_date or q.asylum_request_date)
    start = q.prior_stay_since or q.asylum_request_date
    wait = t.get(wt.GESTATTUNG_WAIT_OUTSIDE_EA)
    if not served(start, wait, t.day):
        return _wait_not_served(q, t, "6", start, wait, "gestatteten oder erlaubten Aufenthalts")
    t.say(f"Die Wartezeit von {wait} Monaten gestatteten oder erlaubten Aufenthalts (seit {de(start)}) ist "
          "erfüllt.")
    return _after_wait(q, t, start, "7")


def _safe_country_ban(q: WorkPermissionInput, t: Trace, request: date) -> bool:
    """Row 8: §61 Abs. 2 S. 4 AsylG bars safe-country nationals who applied after the cut-off."""
    country = safe_country_on(q.nationality, t.day)
    ban = row_at(wt.SAFE_COUNTRY_BAN, t.day)
    if country is None or ban is None or not ban.value:
        return False
    if request <= country.cutoff:
        t.use(country.prov, basis=False)
        t.say(f"{country.name} ist sicherer Herkunftsstaat, das Asylgesuch ({de(request)}) liegt aber nicht nach "
              f"dem {de(country.cutoff)}; das Arbeitsverbot des §61 Abs. 2 S. 4 AsylG greift deshalb nicht.")
        return False
    t.use(ban.prov)
    t.use(country.prov)
    if not country.safe_on(request):
        t.use(ct.LISTED_AFTER_REQUEST, basis=False)
    t.say(f"{country.name} ist sicherer Herkunftsstaat (Anlage II zu §29a AsylG seit {de(country.added)}) und das "
          f"Asylgesuch wurde nach dem {de(country.cutoff)} gestellt ({de(request)}): Während des gesamten "
          "Asylverfahrens ist jede Beschäftigung verboten.")
    return True


def _obliged_in_ea(q: WorkPermissionInput, t: Trace) -> bool:
    """Whether the duty to live in an EA still holds; it ends once its maximum duration has run out."""
    if not q.lives_in_reception_centre:
        return False
    since = q.reception_centre_since
    row = row_at(wt.EA_DUTY_MAX, t.day)
    if since is None or row is None:
        return True
    duty = row.value
    if duty.safe_country_until_decision and safe_country_on(q.nationality, t.day):
        return True
    family = q.with_minor_children and duty.family_months is not None
    months = duty.family_months if family and duty.family_months is not None else duty.months
    if not served(since, months, t.day):
        return True
    # The Land's option to extend (BW) matters only for the general maximum, not for families.
    t.use(dataclasses.replace(row.prov, unverified=False, note="") if family else row.prov)
    t.say(f"Die Wohnpflicht in der Aufnahmeeinrichtung (seit {de(since)}) dauert höchstens {months} Monate und "
          f"ist mit Ablauf des {de(period_end(since, months))} geendet; es gelten die Regeln außerhalb der "
          "Aufnahmeeinrichtung.")
    return False


def _gestattung_in_ea(q: WorkPermissionInput, t: Trace, application: date) -> RuleResult:
    """Rows 4 and 5: Gestattung while obliged to live in an EA."""
    wait = t.get(wt.GESTATTUNG_WAIT_IN_EA)
    if wait is None:
        t.say("Wer in einer Aufnahmeeinrichtung wohnen muss, darf nach der am Stichtag geltenden Fassung während "
              "dieser Zeit nicht arbeiten.")
        return _finish(q, t, "BAN", "4")
    country = safe_country_on(q.nationality, t.day)
    if country is not None:
        t.use(country.prov)
        t.say(f"{country.name} ist sicherer Herkunftsstaat: Staatsangehörige sicherer Herkunftsstaaten dürfen "
              "während der Wohnpflicht in der Aufnahmeeinrichtung nicht arbeiten.")
        return _finish(q, t, "BAN", "4")
    if q.rejected_as is not None and not q.suspensive_effect_restored:
        label = "offensichtlich unbegründet" if q.rejected_as == "offensichtlich_unbegruendet" else "unzulässig"
        t.say(f"Der Asylantrag wurde als {label} abgelehnt und kein Gericht hat die aufschiebende Wirkung "
              "angeordnet: keine Beschäftigung während der Wohnpflicht.")
        return _finish(q, t, "BAN", "4")
    if not served(application, wait, t.day):
        return _wait_not_served(q, t, "4", application, wait, "seit dem Asylantrag in der Aufnahmeeinrichtung")
    t.say(f"Seit dem Asylantrag ({de(application)}) sind {wait} Monate vergangen: Die Erlaubnis ist zu erteilen "
          "(„ist zu erlauben“), eine Vorrangprüfung findet nicht statt.")
    return _finish(q, t, "ABH_BA" if q.activity == "employment" else "ABH", "5")


# --- Duldung: rows 9–13 --------------------------------------------------------------------------------

def _duldung(q: WorkPermissionInput, t: Trace) -> RuleResult:
    flag_doubtful(t, q.nationality)
    if _ban_grounds(q, t):
        return _finish(q, t, "BAN", "10")
    if _obliged_in_ea(q, t):
        return _duldung_in_ea(q, t)
    start = q.prior_stay_since or q.asylum_request_date or q.duldung_since
    v.require("duldung_since", start, "um die Wartezeit mit Duldung zu berechnen (oder prior_stay_since / "
              "asylum_request_date)")
    assert start is not None
    wait = t.get(wt.DULDUNG_WAIT)
    if not served(start, wait, t.day):
        if q.activity == "vocational_training" and q.training_begun_as_asylum_seeker and _ausbildungsduldung(q, t):
            return _finish(q, t, "ABH", "13")
        return _wait_not_served(q, t, "9", start, wait, "geduldeten, gestatteten oder erlaubten Aufenthalts")
    t.say(f"Die Wartezeit von {wait} Monaten geduldeten, gestatteten oder erlaubten Aufenthalts (seit {de(start)}) "
          "ist erfüllt.")
    return _after_wait(q, t, start, "9")


def _ban_grounds(q: WorkPermissionInput, t: Trace) -> bool:
    """Row 10: §60a Abs. 6 grounds, given explicitly or (Nr. 3) derived from nationality and asylum request."""
    found = False
    for ground in dict.fromkeys(g for g in q.duldung_grounds if g != "return_imminent"):
        row = row_at(wt.DULDUNG_BAN_GROUNDS[ground], t.day)
        if row is not None and row.value:
            t.use(row.prov)
            t.say(f"Arbeitsverbot: {GROUND_DE[ground]}.")
            found = True
    if "safe_country" not in q.duldung_grounds and _safe_country_ground(q, t):
        found = True
    return found


def _safe_country_ground(q: WorkPermissionInput, t: Trace) -> bool:
    country = safe_country_on(q.nationality, t.day)
    row = row_at(wt.DULDUNG_BAN_GROUNDS["safe_country"], t.day)
    if country is None or row is None or not row.value:
        return False
    request = q.asylum_request_date
    if request is not None and request <= country.cutoff:
        return False
    t.use(row.prov)
    t.use(country.prov)
    if country.cutoff != ct.GENERAL_CUTOFF:
        t.use(ct.DULDUNG_COUNTRY_CUTOFF, basis=False)
    applied = f"das Asylgesuch vom {de(request)} liegt nach dem {de(country.cutoff)}" if request else \
        "es wurde kein Asylantrag gestellt"
    t.say(f"Arbeitsverbot: {country.name} ist sicherer Herkunftsstaat und {applied} (§60a Abs. 6 S. 1 Nr. 3 "
          "AufenthG).")
    return True


def _duldung_in_ea(q: WorkPermissionInput, t: Trace) -> RuleResult:
    """Row 12: Duldung while obliged to live in an EA."""
    wait = t.get(wt.DULDUNG_WAIT_IN_EA)
    if wait is None:
        t.say("Wer in einer Aufnahmeeinrichtung wohnen muss, darf während dieser Zeit nicht arbeiten.")
        return _finish(q, t, "BAN", "12")
    v.require("duldung_since", q.duldung_since, "um die Wartezeit mit Duldung in der Aufnahmeeinrichtung zu "
              "berechnen")
    assert q.duldung_since is not None
    if not served(q.duldung_since, wait, t.day):
        return _wait_not_served(q, t, "12", q.duldung_since, wait, "Duldung in der Aufnahmeeinrichtung")
    t.say(f"Die Person wohnt in einer Aufnahmeeinrichtung und ist seit {de(q.duldung_since)} länger als {wait} Monate "
          "geduldet.")
    if q.activity == "employment":
        _permit_mode(q, t)
        return _finish(q, t, "ABH_BA", "12")
    return _finish(q, t, "ABH", "12", _sentence(t, wt.DULDUNG_IN_EA_TRAINING,
                   f"Nach {wait} Monaten Duldung kann die Ausländerbehörde die Erlaubnis erteilen."))


def _ausbildungsduldung(q: WorkPermissionInput, t: Trace) -> bool:
    """Row 13: training begun as an asylum seeker continues with an Ausbildungsduldung ("ist zu erteilen")."""
    row = row_at(wt.AUSBILDUNGSDULDUNG, t.day)
    if row is None or row.value is None:
        return False
    if row.value == "§60c AufenthG" and not _identity_in_time(q, t):
        return False
    t.use(row.prov)
    t.say(f"Die Ausbildung wurde mit Aufenthaltsgestattung begonnen: Für ihre Fortsetzung ist die Duldung "
          f"({row.value}) mit Erlaubnis der Ausländerbehörde zu erteilen, ohne Zustimmung der BA.")
    return True


def _identity_in_time(q: WorkPermissionInput, t: Trace) -> bool:
    """§60c: identity clarified by application (entry ≤2016), by 30.06.2020 (2017–2019), or within 6 months."""
    v.require("identity_clarified", q.identity_clarified, "um die Ausbildungsduldung (§60c AufenthG) zu prüfen")
    if not q.identity_clarified:
        t.say("Die Identität ist nicht geklärt; eine Ausbildungsduldung kommt nicht in Betracht.")
        return False
    v.require("entry_date", q.entry_date, "um die Frist zur Identitätsklärung (§60c AufenthG) zu bestimmen")
    assert q.entry_date is not None
    deadline = _identity_deadline(q.entry_date)
    if deadline is None or t.day <= deadline:
        return True
    v.require("identity_clarified_on", q.identity_clarified_on, "weil die Frist zur Identitätsklärung am "
              f"{de(deadline)} abgelaufen ist")
    assert q.identity_clarified_on is not None
    if q.identity_clarified_on > deadline:
        t.say(f"Die Identität wurde erst am {de(q.identity_clarified_on)} geklärt, nach Ablauf der Frist "
              f"({de(deadline)}); eine Ausbildungsduldung kommt nicht in Betracht.")
        return False
    return True


def _identity_deadline(entry: date) -> date | None:
    if entry <= date(2016, 12, 31):
        return None  # by the application for the Ausbildungsduldung: clarified now is in time
    if entry <= date(2019, 12, 31):
        return date(2020, 6, 30)
    return period_end(entry, 6)


# --- rows 7, 7a, 9: permit after the wait ---------------------------------------------------------------

def _after_wait(q: WorkPermissionInput, t: Trace, start: date, rule: str) -> RuleResult:
    if q.activity == "vocational_training":
        t.get(wt.TRAINING_WITHOUT_BA)
        t.say("Für eine Berufsausbildung in einem staatlich anerkannten Ausbildungsberuf braucht es keine "
              "Zustimmung der BA.")
        _training_claim_note(q, t)
        return _finish(q, t, "ABH", rule)
    if q.activity == "internship":
        if t.get(wt.INTERNSHIP_WITHOUT_BA):
            t.say("Für ein Praktikum nach §22 Abs. 1 S. 2 Nr. 1–4 MiLoG braucht es keine Zustimmung der BA.")
            return _finish(q, t, "ABH", rule)
        t.use(BA_CONSENT)
        _vorrang(t, start)
        return _finish(q, t, "ABH_BA", rule)
    return _employment(q, t, start, rule)


def _employment(q: WorkPermissionInput, t: Trace, start: date, rule: str) -> RuleResult:
    four_years = row_at(wt.FOUR_YEAR_RULE, t.day)
    if four_years is not None and four_years.value is not None and served(start, four_years.value, t.day):
        t.use(four_years.prov)
        t.say(f"Nach vier Jahren ununterbrochenen erlaubten, geduldeten oder gestatteten Aufenthalts (seit "
              f"{de(start)}) braucht jede Beschäftigung keine Zustimmung der BA mehr.")
        return _finish(q, t, "ABH", "7a")
    t.use(BA_CONSENT)
    _vorrang(t, start)
    if q.status == "gestattung":
        _claim(t, start)
    else:
        _permit_mode(q, t)
    return _finish(q, t, "ABH_BA", rule)


def _vorrang(t: Trace, start: date) -> None:
    kind = t.get(wt.VORRANGPRUEFUNG, basis=False)
    until = period_end(start, 15)
    within = t.day <= until
    if kind == "always":
        t.say("Die BA prüft dabei auch, ob bevorrechtigte Arbeitsuchende zur Verfügung stehen (Vorrangprüfung, "
              "§39 Abs. 2 AufenthG).")
    elif kind == "first_15_months" and within:
        t.say(f"In den ersten 15 Monaten des Aufenthalts (bis {de(until)}) prüft die BA auch den Vorrang "
              "(§39 Abs. 2 AufenthG).")
    elif kind == "first_15_months_23_districts" and within:
        t.say(f"In den ersten 15 Monaten (bis {de(until)}) prüft die BA den Vorrang nur in 23 von 156 "
              "Agenturbezirken; ob der zuständige Bezirk dazugehört, ist in Stella nicht hinterlegt.")
    else:
        t.say("Eine Vorrangprüfung findet nicht statt; die BA prüft die Arbeitsbedingungen.")


def _claim(t: Trace, start: date) -> None:
    """Row 7: after some months the Gestattung holder has a claim; before, the ABH decides at discretion."""
    row = row_at(wt.GESTATTUNG_CLAIM_AFTER, t.day)
    if row is not None and served(start, row.value, t.day):
        t.use(row.prov, basis=False)
        t.say(f"Nach {row.value} Monaten besteht ein Anspruch auf die Erlaubnis, wenn die BA zustimmt.")
    else:
        t.say("Die Ausländerbehörde entscheidet nach Ermessen.")


def _permit_mode(q: WorkPermissionInput, t: Trace) -> None:
    mode = t.get(wt.DULDUNG_PERMIT_MODE)
    if mode == "soll" and "return_imminent" not in q.duldung_grounds:
        t.say("Die Ausländerbehörde soll die Erlaubnis erteilen („soll“).")
    elif mode == "soll":
        t.say("Weil konkrete Maßnahmen zur Aufenthaltsbeendigung bevorstehen (§60a Abs. 5b AufenthG), entscheidet "
              "die Ausländerbehörde nach Ermessen.")
    else:
        t.say("Die Ausländerbehörde entscheidet nach Ermessen („kann“).")


def _training_claim_note(q: WorkPermissionInput, t: Trace) -> None:
    row = row_at(wt.AUSBILDUNGSDULDUNG, t.day)
    if q.status == "duldung" and row is not None and row.value is not None:
        t.say(f"Liegen die Voraussetzungen der Ausbildungsduldung ({row.value}) vor, besteht ein Anspruch.")


# --- shared ---------------------------------------------------------------------------------------------

def _wait_not_served(q: WorkPermissionInput, t: Trace, rule: str, start: date, months: int, what: str) -> RuleResult:
    ends = first_day_after(start, months)
    t.say(f"Die Wartezeit von {months} Monaten {what} (seit {de(start)}) läuft bis {de(period_end(start, months))}; "
          f"frühestens ab {de(ends)} ist eine Erlaubnis möglich.")
    return _finish(q, t, "BAN", rule, wait_ends=ends.isoformat())


def _sentence(t: Trace, table: tuple[Dated[bool], ...], text: str) -> str:
    t.get(table)
    return text


def _finish(q: WorkPermissionInput, t: Trace, outcome: str, rule: str, extra: str | None = None,
            **details: str) -> RuleResult:
    if extra:
        t.say(extra)
    activity = ACTIVITY_DE[q.activity]
    headline = OUTCOME_DE[outcome].format(activity=activity, Activity=activity[0].upper() + activity[1:],
                                          day=de(t.day))
    t.sentences.insert(0, headline)
    return t.result(outcome, rule=rule, status=q.status, activity=q.activity, **details)
