"""Benefit regime, Regelbedarfsstufe and monthly standard amount on a date; the switch to SGB II.

Regimes: "asylblg_3" (basic benefits §3/§3a AsylbLG), "asylblg_2" (analogue benefits at SGB XII level,
§2 AsylbLG), "sgb2" (Bürgergeld / ALG II). Amounts are whole euros (`int`) and cents (`int`), never float.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from stella.rules import validate as v
from stella.rules.dates import (
    de,
    end_of_month,
    first_day_after,
    first_of_next_month,
    period_end,
    served,
)
from stella.rules.errors import RuleInputError
from stella.rules.model import (
    HOUSEHOLDS,
    RECOGNISED_STATUSES,
    BenefitInput,
    HouseholdBenefits,
    HouseholdMember,
    RegimeInputs,
    RegimeSwitch,
    RuleResult,
)
from stella.rules.tables import benefits as bt
from stella.rules.tables.common import p
from stella.rules.trace import Trace, row_at

ASYLBLG_ENTITLED = p("§1 Abs. 1 AsylbLG", src=("S3",))
ANALOGUE_AMOUNTS = p("§2 Abs. 1 AsylbLG", "§28 SGB XII", src=("S3", "S36"))
STAGE_DE = {
    1: "alleinstehende oder alleinerziehende erwachsene Person",
    2: "Erwachsene in Partnerschaft oder Alleinstehende in einer Sammelunterkunft",
    3: "Erwachsene unter 25 Jahren im Haushalt der Eltern",
    4: "Jugendliche von 14 bis 17 Jahren",
    5: "Kinder von 6 bis 13 Jahren",
    6: "Kinder bis 5 Jahre",
}
REGIME_DE = {
    "asylblg_3": "Grundleistungen nach §3/§3a AsylbLG",
    "asylblg_2": "Analogleistungen nach §2 AsylbLG (Niveau SGB XII)",
    "sgb2": "Bürgergeld (bis 2022 Arbeitslosengeld II) nach dem SGB II",
}
MAX_AGE = 130


def benefit(q: BenefitInput) -> RuleResult:
    """Regime, Regelbedarfsstufe and monthly standard amount of one person on `q.reference_date`."""
    _validate(q.reference_date, q.regime_inputs, q.age, q.household)
    t = Trace("benefit", q.reference_date)
    regime = _regime(q.regime_inputs, t)
    stage = _stage(regime, q.age, q.household, t)
    details = _amount(regime, stage, t)
    return t.result(regime, regime=regime, stage=stage, **details)


def household_benefits(reference_date: date, members: Sequence[HouseholdMember]) -> HouseholdBenefits:
    """Each member's regime, stage and amount on one date, and the household's monthly total."""
    if not members:
        raise RuleInputError("members", "Der Haushalt hat keine Mitglieder.")
    results = tuple(benefit(BenefitInput(reference_date, m.regime_inputs, m.age, m.household)) for m in members)
    amounts = [r.details["amount_eur"] for r in results]
    total = None if any(a is None for a in amounts) else sum(amounts)
    return HouseholdBenefits(results, total, any(r.unverified for r in results))


def regime_switch_date(final_decision_date: date) -> RegimeSwitch:
    """After a final recognition: AsylbLG to the end of that month, SGB II from the 1st of the next month."""
    v.check_covered("regime_switch", final_decision_date)
    t = Trace("regime_switch", final_decision_date)
    last, first = end_of_month(final_decision_date), first_of_next_month(final_decision_date)
    t.use(bt.REGIME_SWITCH)
    t.say(f"Die Entscheidung des BAMF wurde am {de(final_decision_date)} bestandskräftig; damit erlischt die "
          f"Aufenthaltsgestattung (§67 Abs. 1 Nr. 6 AsylG). Leistungen nach dem AsylbLG gibt es bis zum Ende dieses "
          f"Monats ({de(last)}), Bürgergeld nach dem SGB II ab dem {de(first)}; ein Antrag beim Jobcenter wirkt "
          "auf den Monatsersten zurück (§37 Abs. 2 S. 2 SGB II).")
    if final_decision_date.year < 2020:
        t.say("Bis etwa 2019 nannte §1 Abs. 3 AsylbLG auch die noch nicht bestandskräftige Anerkennung als "
              "Asylberechtigter; dann kann das Ende früher liegen.")
    result = t.result("sgb2", last_asylblg_day=last.isoformat(), first_sgb2_day=first.isoformat())
    return RegimeSwitch(last, first, True, result)


# --- input ---------------------------------------------------------------------------------------------

def _validate(day: date, ri: RegimeInputs, age: int, household: str) -> None:
    v.check_covered("benefit", day)
    v.check_status(ri.status, day)
    v.check_choice("household", household, HOUSEHOLDS, "die Haushaltssituation")
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE:
        raise RuleInputError("age", f"Alter muss eine ganze Zahl von 0 bis {MAX_AGE} sein.")
    for field in ("entry_date", "decision_final_date"):
        v.check_not_after(field, getattr(ri, field), day, "dem Stichtag")
    v.check_not_before("analogue_since", ri.analogue_since, ri.entry_date, "der Einreise")
    v.check_not_before("decision_final_date", ri.decision_final_date, ri.entry_date, "der Einreise")
    if ri.decision_final_date is not None and ri.status not in RECOGNISED_STATUSES:
        raise RuleInputError("decision_final_date", "Ein Datum der bestandskräftigen Anerkennung passt nur zu einer "
                                                    "Aufenthaltserlaubnis nach §25 Abs. 1–3 AufenthG.")
    _check_analogue_since(ri)


def _check_analogue_since(ri: RegimeInputs) -> None:
    """A recorded start of analogue benefits before the waiting time could have run is contradictory."""
    if ri.analogue_since is None or ri.entry_date is None:
        return
    row = row_at(bt.ANALOGUE_WAIT, ri.analogue_since)
    if row is None or row.value.counted != "stay":
        return
    earliest = period_end(ri.entry_date, row.value.months)  # one day's grace for the §187 Abs. 2 BGB reading
    if ri.analogue_since < earliest:
        raise RuleInputError("analogue_since", f"Analogleistungen ab {de(ri.analogue_since)} sind bei Einreise am "
                                               f"{de(ri.entry_date)} nicht möglich (Wartezeit {row.value.months} "
                                               "Monate): widersprüchliche Angaben.")


# --- regime --------------------------------------------------------------------------------------------

def _regime(ri: RegimeInputs, t: Trace) -> str:
    if ri.status in RECOGNISED_STATUSES:
        return _recognised(ri, t)
    if ri.status in ("ae_24", "fiktion"):
        return _ukraine(ri, t)
    t.use(ASYLBLG_ENTITLED)
    t.say("Mit Aufenthaltsgestattung oder Duldung gilt das Asylbewerberleistungsgesetz.")
    return _asylblg(ri, t)


def _recognised(ri: RegimeInputs, t: Trace) -> str:
    final = ri.decision_final_date
    if final is not None and t.day <= end_of_month(final):
        t.use(bt.REGIME_SWITCH)
        t.say(f"Die Anerkennung wurde am {de(final)} bestandskräftig; bis zum Monatsende ({de(end_of_month(final))}) "
              "gilt noch das AsylbLG, ab dem Monatsersten danach das SGB II.")
        return _asylblg(ri, t)
    t.use(bt.SGB2_FOR_TITLES)
    t.say("Mit einer Aufenthaltserlaubnis nach §25 Abs. 1–3 AufenthG gilt das SGB II (Bürgergeld; für Kinder unter "
          "15 Jahren Sozialgeld); Erwerbsfähigkeit und Altersgrenze (§7a SGB II) sind hier nicht geprüft.")
    return "sgb2"


def _ukraine(ri: RegimeInputs, t: Trace) -> str:
    if t.day < bt.UKRAINE_SGB2_FROM:
        t.use(bt.UKRAINE_ASYLBLG)
        t.say("Mit Aufenthaltserlaubnis nach §24 AufenthG oder Fiktionsbescheinigung galt bis 31.05.2022 das AsylbLG.")
        return _asylblg(ri, t)
    if t.day >= bt.UKRAINE_REVERSAL_FROM:
        v.require("entry_date", ri.entry_date, "weil ab 01.07.2026 das Einreisedatum über AsylbLG oder SGB II "
                  "entscheidet")
        assert ri.entry_date is not None
        if ri.entry_date > bt.UKRAINE_REVERSAL_ENTRY_AFTER:
            t.use(bt.UKRAINE_REVERSAL)
            t.say("Bei Einreise nach dem 01.04.2025 gilt ab 01.07.2026 wieder das AsylbLG; bestehende "
                  "SGB-II-Bewilligungen laufen höchstens drei Monate weiter.")
            return _asylblg(ri, t)
    t.use(bt.UKRAINE_SGB2)
    t.say("Seit 01.06.2022 erhalten Geflüchtete aus der Ukraine mit Aufenthaltserlaubnis nach §24 AufenthG oder "
          "Fiktionsbescheinigung Leistungen nach dem SGB II.")
    return "sgb2"


def _asylblg(ri: RegimeInputs, t: Trace) -> str:
    """§3 basic or §2 analogue benefits: waiting time counted to the day from entry, transitional rules."""
    first_amounts = bt.ASYLBLG_AMOUNTS[0].valid_from
    if t.day < first_amounts:
        raise RuleInputError("reference_date", f"AsylbLG-Beträge sind erst ab {de(first_amounts)} hinterlegt "
                                               "(abgedeckt: 01.03.2015 bis 31.12.2026).")
    v.require("entry_date", ri.entry_date, "um die Wartezeit für Analogleistungen (§2 AsylbLG) zu berechnen")
    assert ri.entry_date is not None
    wait = t.get(bt.ANALOGUE_WAIT, basis=False)
    if ri.abuse_of_law:
        t.say("Die Aufenthaltsdauer wurde rechtsmissbräuchlich selbst beeinflusst: keine Analogleistungen "
              "(§2 Abs. 1 AsylbLG).")
        return "asylblg_3"
    if t.day >= bt.TRANSITION_2024_DAY and _on_analogue_by(ri, bt.TRANSITION_2024_DAY, 18, t):
        t.use(bt.TRANSITION_2024)
        t.say("Wer am 26.02.2024 schon Analogleistungen bezog, behält sie trotz der neuen Wartezeit von 36 Monaten "
              "(§20 AsylbLG).")
        return "asylblg_2"
    if served(ri.entry_date, wait.months, t.day):
        t.use(p("§2 Abs. 1 AsylbLG", src=()))
        t.say(f"Die Person hält sich seit {de(ri.entry_date)} und damit länger als {wait.months} Monate im "
              f"Bundesgebiet auf (Wartezeit tagesgenau erfüllt am {de(period_end(ri.entry_date, wait.months))}): "
              "Analogleistungen nach §2 AsylbLG.")
        return "asylblg_2"
    if t.day > bt.TRANSITION_2019_DAY and _on_analogue_by(ri, bt.TRANSITION_2019_DAY, 15, t):
        t.use(bt.TRANSITION_2019)
        t.say("Die Person bezog schon vor dem 21.08.2019 nach 15 Monaten Analogleistungen; sie werden hier "
              "weiter angenommen.")
        return "asylblg_2"
    t.use(p("§3 AsylbLG", src=()), basis=False)
    t.say(f"Die Wartezeit für Analogleistungen ({wait.months} Monate Aufenthalt seit {de(ri.entry_date)}) ist erst "
          f"mit Ablauf des {de(period_end(ri.entry_date, wait.months))} erfüllt: bis dahin Grundleistungen; "
          f"Analogleistungen frühestens ab {de(first_day_after(ri.entry_date, wait.months))}.")
    return "asylblg_3"


def _on_analogue_by(ri: RegimeInputs, day: date, months: int, t: Trace) -> bool:
    """Whether the person received analogue benefits on `day`: recorded, or derived from the waiting time."""
    if ri.analogue_since is not None:
        return ri.analogue_since <= day
    assert ri.entry_date is not None
    if served(ri.entry_date, months, day):
        t.say(f"Ohne Angabe zum tatsächlichen Bezug ist aus der Einreise abgeleitet, dass am {de(day)} die damalige "
              f"Wartezeit von {months} Monaten erfüllt war.")
        return True
    return False


# --- stage and amount ----------------------------------------------------------------------------------

def _stage(regime: str, age: int, household: str, t: Trace) -> int:
    if age < 18:
        stage = 6 if age <= 5 else 5 if age <= 13 else 4
    elif household == "couple":
        stage = 2
    elif household == "child_in_household":
        stage = 3 if age <= 24 else 1
        if stage == 1 and regime == "asylblg_3" and t.day <= bt.OLD_ASYLBLG_STAGE_3_UNTIL:
            t.use(bt.OLD_ASYLBLG_STAGE_3, basis=False)
    elif household == "collective_housing":
        stage = _collective_stage(regime, t)
    else:
        stage = 1
    t.say(f"Regelbedarfsstufe {stage} ({STAGE_DE[stage]}).")
    return stage


def _collective_stage(regime: str, t: Trace) -> int:
    if regime == "sgb2":
        return 1
    table = bt.COLLECTIVE_HOUSING_STAGE_2 if regime == "asylblg_3" else bt.ANALOGUE_COLLECTIVE_STAGE_2
    return 2 if t.get(table) else 1


def _amount(regime: str, stage: int, t: Trace) -> dict[str, Any]:
    if regime == "asylblg_3":
        return _asylblg_amount(stage, t)
    row = row_at(bt.SGB2_AMOUNTS, t.day)
    assert row is not None  # SGB2_AMOUNTS spans the benefit coverage (tests/test_tables.py)
    t.use(row.prov if regime == "sgb2" else ANALOGUE_AMOUNTS)
    t.use(row.prov, basis=False)
    amount = row.value[stage - 1]
    details: dict[str, Any] = {"amount_eur": amount, "amount_cents": amount * 100}
    t.say(f"{REGIME_DE[regime]}: Regelbedarf {amount} € im Monat.")
    if regime == "sgb2" and stage >= 3:
        supplement = t.get(bt.CHILD_SUPPLEMENT, basis=False)
        if supplement:
            t.use(p("§72 SGB II", src=()))
            t.say(f"Dazu kommt der Kindersofortzuschlag von {supplement} € (§72 SGB II).")
        details["child_supplement_eur"] = supplement
    return details


def _asylblg_amount(stage: int, t: Trace) -> dict[str, Any]:
    row = row_at(bt.ASYLBLG_AMOUNTS, t.day)
    assert row is not None  # AsylbLG dates before the table are rejected in _asylblg
    t.use(row.prov)
    amount = row.value[stage - 1]
    details: dict[str, Any] = {"amount_eur": None, "amount_cents": None}
    if amount is None:
        t.use(bt.AMOUNT_NOT_ESTABLISHED, basis=False)
        t.say(f"{REGIME_DE['asylblg_3']}: Der Monatsbetrag in Stufe {stage} ist nicht belegt; bitte bei der "
              "Leistungsbehörde erfragen.")
    else:
        details.update(amount_eur=amount.total, amount_cents=amount.total * 100, nb_eur=amount.nb, npb_eur=amount.npb)
        split = f" (notwendiger Bedarf {amount.nb} € + persönlicher Bedarf {amount.npb} €)" if amount.nb else ""
        t.say(f"{REGIME_DE['asylblg_3']}: {amount.total} € im Monat{split}.")
    if row.prov.contested:
        details.update(_besitzschutz(stage, amount.total if amount else None, t))
    return details


def _besitzschutz(stage: int, amount: int | None, t: Trace) -> dict[str, Any]:
    reference = row_at(bt.ASYLBLG_AMOUNTS, bt.BESITZSCHUTZ_REFERENCE)
    assert reference is not None
    protected = reference.value[stage - 1]
    if protected is None or (amount is not None and amount >= protected.total):
        return {}
    t.say(f"Umstritten: Gilt der Besitzschutz des §28a Abs. 5 SGB XII auch im AsylbLG, bleibt es beim Betrag 2024 "
          f"von {protected.total} €.")
    return {"amount_besitzschutz_eur": protected.total}
