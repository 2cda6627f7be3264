"""Benefit tables (law-facts.md §3): AsylbLG §3/§3a and SGB II amounts, §2 AsylbLG waiting times, stages.

Amounts are whole euros as published (`int`); a stage whose amount no source gives is `None` and
answered as "not established", never filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stella.rules.model import Dated
from stella.rules.tables.common import BEFORE_COVERAGE as B
from stella.rules.tables.common import d, p


@dataclass(frozen=True)
class Amount:
    """Monthly amount of one Regelbedarfsstufe: total, and the split into notwendiger Bedarf (nb) and
    notwendiger persönlicher Bedarf (npb) where the source gives it."""

    total: int
    nb: int | None = None
    npb: int | None = None


def _split(*pairs: tuple[int, int]) -> tuple[Amount | None, ...]:
    return tuple(Amount(nb + npb, nb, npb) for nb, npb in pairs)


def _totals(*totals: int) -> tuple[Amount | None, ...]:
    return tuple(Amount(total) for total in totals)


# Stages 1–6 in order; index 0 is stage 1.
_2015 = _split((216, 143), (194, 129), (174, 113), (198, 85), (157, 92), (133, 84))
_2016 = _split((219, 145), (196, 131), (176, 114), (200, 86), (159, 93), (135, 85))
_2016_03 = _split((219, 135), (196, 122), (176, 108), (200, 76), (159, 83), (135, 79))
_2025_CONTESTED = ("Ob der Besitzschutz des §28a Abs. 5 SGB XII (keine Absenkung) auch im AsylbLG gilt, ist "
                   "gerichtlich umstritten (z. B. SG Marburg, SG Speyer); angegeben ist der bekannt gemachte "
                   "Betrag, daneben der Betrag 2024.")

#: §3/§3a AsylbLG basic benefits (Grundleistungen), €/month per stage.
ASYLBLG_AMOUNTS: tuple[Dated[tuple[Amount | None, ...]], ...] = (
    Dated(d("01.03.2015"), d("23.10.2015"), _2015, p("§3 AsylbLG", "Bek. §14 AsylbLG", src=("S22", "S23"))),
    Dated(d("24.10.2015"), d("31.12.2015"), _2015,
          p("§3 AsylbLG", "Bek. §14 AsylbLG", src=("S22", "S24b"),
            note="Seit 24.10.2015 in der Erstaufnahme überwiegend als Sachleistung.")),
    Dated(d("01.01.2016"), d("16.03.2016"), _2016, p("§3 AsylbLG", "Bek. BGBl. I 2015, 1793", src=("S3",))),
    Dated(d("17.03.2016"), d("31.12.2016"), _2016_03, p("§3 Abs. 1 S. 8 AsylbLG", src=("S3", "S24", "S25"))),
    Dated(d("01.01.2017"), d("31.08.2019"), _2016_03,
          p("§3 Abs. 1 S. 8 AsylbLG", src=("S26b",), unverified=True,
            note="2017 bis 08/2019 trat keine Fortschreibung in Kraft; dass weiter die Beträge vom 17.03.2016 "
                 "(z. B. 354 € in Stufe 1) galten, ist nicht belegt.")),
    Dated(d("01.09.2019"), d("31.12.2019"), (None,) * 6,
          p("§3a AsylbLG", src=("S3",), unverified=True,
            note="Beträge nach dem 3. AsylbLG-Änderungsgesetz für 09–12/2019 nicht belegt.")),
    Dated(d("01.01.2020"), d("31.12.2020"),
          _split((198, 153), (177, 139), (158, 122), (200, 80), (174, 99), (132, 86)),
          p("§3a AsylbLG", "Bek. BGBl. I 2019, 1429", src=("S3",))),
    Dated(d("01.01.2021"), d("31.12.2021"), _totals(364, 328, 292, 323, 282, 247),
          p("§3a AsylbLG", src=("S26",))),
    Dated(d("01.01.2022"), d("31.12.2022"),
          _split((204, 163), (183, 147), (163, 131), (215, 111), (174, 109), (144, 105)),
          p("§3a AsylbLG", "Bek. BGBl. I 2021, 4678", src=("S3", "S26"))),
    Dated(d("01.01.2023"), d("31.12.2023"),
          _split((228, 182), (205, 164), (182, 146), (240, 124), (182, 122), (161, 117)),
          p("§3a AsylbLG", "Bek. 2023", src=("S27",))),
    Dated(d("01.01.2024"), d("31.12.2024"),
          (*_split((256, 204), (229, 184), (204, 164), (269, 139), (204, 137)), Amount(312)),
          p("§3a AsylbLG", "Bek. 2024", src=("S28",))),
    Dated(d("01.01.2025"), d("31.12.2025"), (*_split((245, 196), (220, 177), (196, 157)), None, None, None),
          p("§3a AsylbLG", "Bek. 29.10.2024", src=("S29", "S31"), contested=True, note=_2025_CONTESTED)),
    Dated(d("01.01.2026"), d("31.12.2026"),
          _split((253, 202), (227, 182), (202, 163), (267, 138), (202, 135), (179, 130)),
          p("§3a AsylbLG", "Bek. BGBl. 2025 I Nr. 251", src=("S30", "S31"), contested=True, note=_2025_CONTESTED)),
)

#: The period whose amounts the contested Besitzschutz would keep (the last amounts before the reduction).
BESITZSCHUTZ_REFERENCE = d("01.01.2024")

#: SGB II Regelbedarf (ALG II; Bürgergeld from 2023) = SGB XII Regelbedarf, €/month per stage 1–6.
SGB2_AMOUNTS: tuple[Dated[tuple[int, ...]], ...] = tuple(
    Dated(date(year, 1, 1), date(year, 12, 31), amounts,
          p("§20 SGB II", "§23 SGB II", "Anlage zu §28 SGB XII",
            src=("S36", "S37") if year >= 2025 else ("S36",),
            note="Nullrunde (§28a Abs. 5 SGB XII)." if year >= 2025 else ""))
    for year, amounts in (
        (2015, (399, 360, 320, 302, 267, 234)),
        (2016, (404, 364, 324, 306, 270, 237)),
        (2017, (409, 368, 327, 311, 291, 236)),
        (2018, (416, 374, 332, 316, 296, 240)),
        (2019, (424, 382, 339, 322, 302, 245)),
        (2020, (432, 389, 345, 328, 308, 250)),
        (2021, (446, 401, 357, 373, 309, 283)),
        (2022, (449, 404, 360, 376, 311, 285)),
        (2023, (502, 451, 402, 420, 348, 318)),
        (2024, (563, 506, 451, 471, 390, 357)),
        (2025, (563, 506, 451, 471, 390, 357)),
        (2026, (563, 506, 451, 471, 390, 357)),
    )
)

#: Kindersofortzuschlag (§72 SGB II) for stages 3–6 in SGB II, €/month; 0 before it existed.
CHILD_SUPPLEMENT: tuple[Dated[int], ...] = (
    Dated(d("01.01.2015"), d("30.06.2022"), 0, p("§72 SGB II", src=("S36",))),
    Dated(d("01.07.2022"), d("31.12.2024"), 20, p("§72 SGB II", src=("S36",))),
    Dated(d("01.01.2025"), None, 25, p("§72 SGB II", src=("S36",))),
)


@dataclass(frozen=True)
class AnalogueWait:
    """§2 AsylbLG: months of stay ("stay") or of prior basic-benefit receipt ("receipt")."""

    months: int
    counted: str


#: Waiting time for Analogleistungen (§2 AsylbLG), counted to the day (LSG NRW L 20 AY 40/19).
ANALOGUE_WAIT: tuple[Dated[AnalogueWait], ...] = (
    Dated(d("01.06.1997"), d("27.08.2007"), AnalogueWait(36, "receipt"), p("§2 Abs. 1 AsylbLG", src=("S32",))),
    Dated(d("28.08.2007"), d("28.02.2015"), AnalogueWait(48, "receipt"), p("§2 Abs. 1 AsylbLG", src=("S32",))),
    Dated(d("01.03.2015"), d("20.08.2019"), AnalogueWait(15, "stay"), p("§2 Abs. 1 AsylbLG", src=("S3", "S33"))),
    Dated(d("21.08.2019"), d("31.08.2019"), AnalogueWait(18, "stay"),
          p("§2 Abs. 1 AsylbLG", src=("S3",), unverified=True,
            note="Ob die Wartezeit von 18 Monaten ab 21.08.2019 oder erst ab 01.09.2019 gilt, ist nicht belegt.")),
    Dated(d("01.09.2019"), d("26.02.2024"), AnalogueWait(18, "stay"), p("§2 Abs. 1 AsylbLG", src=("S3",))),
    Dated(d("27.02.2024"), None, AnalogueWait(36, "stay"), p("§2 Abs. 1 AsylbLG", src=("S34",))),
)

#: §20 AsylbLG: who was on Analogleistungen on this day keeps them under the 36-month rule.
TRANSITION_2024_DAY = d("26.02.2024")
TRANSITION_2024 = p("§20 AsylbLG", src=("S34",))

#: Analogleistungen granted under the 15-month rule before the 2019 change: no transitional rule in law-facts.
TRANSITION_2019_DAY = d("20.08.2019")
TRANSITION_2019 = p("§2 AsylbLG", src=("S3",), unverified=True,
                    note="Ob vor dem 21.08.2019 nach 15 Monaten bewilligte Analogleistungen fortbestehen "
                         "(Übergangsregel 2019), ist nicht geprüft; angenommen wie §20 AsylbLG 2024.")

#: AsylbLG: single adults in collective housing get stage 2 (§3a Abs. 1 Nr. 2 b, §2 Abs. 1 S. 4 Nr. 1).
COLLECTIVE_HOUSING_STAGE_2: tuple[Dated[bool], ...] = (
    Dated(B, d("31.08.2019"), False, p("§3 AsylbLG", src=("S3",))),
    Dated(d("01.09.2019"), None, True, p("§3a Abs. 1 Nr. 2 b AsylbLG", src=("S3",))),
)

#: Analogue benefits in collective housing: the BVerfG (1 BvL 3/21, 19.10.2022) struck down stage 2 in §2.
ANALOGUE_COLLECTIVE_STAGE_2: tuple[Dated[bool], ...] = (
    Dated(B, d("31.08.2019"), False, p("§2 Abs. 1 AsylbLG", src=("S3",))),
    Dated(d("01.09.2019"), d("18.10.2022"), True, p("§2 Abs. 1 S. 4 Nr. 1 AsylbLG", src=("S3",))),
    Dated(d("19.10.2022"), None, False,
          p("§2 Abs. 1 AsylbLG", "BVerfG 1 BvL 3/21", src=("S3",), unverified=True,
            note="Stufe 1 statt 2 für Alleinstehende in Sammelunterkünften mit Analogleistungen nach "
                 "BVerfG-Beschluss vom 19.10.2022 (1 BvL 3/21): nicht Teil der Rechtsfakten.")),
)

#: Stage 3 in AsylbLG before 01.09.2019 was "adult without own household", not "under 25 with parents".
OLD_ASYLBLG_STAGE_3_UNTIL = d("31.08.2019")
OLD_ASYLBLG_STAGE_3 = p("§3 AsylbLG", src=("S3",), unverified=True,
                        note="Vor dem 01.09.2019 galt im AsylbLG Stufe 3 für Erwachsene ohne eigenen Haushalt; "
                             "hier für Personen ab 25 im Haushalt der Eltern Stufe 1 angenommen.")

#: Ukraine: AE §24 / Fiktionsbescheinigung moved from AsylbLG to SGB II on 01.06.2022 (Sofortzuschlagsgesetz).
UKRAINE_SGB2_FROM = d("01.06.2022")
UKRAINE_SGB2 = p("§74 SGB II", "§18 AsylbLG", src=("S38", "S39"),
                 note="Voraussetzung ist die erkennungsdienstliche Behandlung (Übergang bis 31.10.2022).")
UKRAINE_ASYLBLG = p("§1 Abs. 1 Nr. 3 AsylbLG", src=("S38",))
#: Leistungsrechtsanpassungsgesetz (draft): Ukrainians entering after 01.04.2025 back to AsylbLG.
UKRAINE_REVERSAL_FROM = d("01.07.2026")
UKRAINE_REVERSAL_ENTRY_AFTER = d("01.04.2025")
UKRAINE_REVERSAL = p("§1 AsylbLG (Leistungsrechtsanpassungsgesetz, Entwurf)", src=("S40",), unverified=True,
                     note="Leistungsrechtsanpassungsgesetz (Einreise nach dem 01.04.2025 → AsylbLG ab 01.07.2026): "
                          "Verabschiedung nicht belegt; hier als geltend angenommen.")

#: Rechtskreiswechsel: AsylbLG to the end of the month of the final decision, SGB II from the 1st of the next.
REGIME_SWITCH = p("§1 Abs. 3 AsylbLG", "§67 Abs. 1 Nr. 6 AsylG", "§7 Abs. 1 S. 2 Nr. 3 SGB II",
                  "§37 Abs. 2 S. 2 SGB II", src=("S3", "S40b"), interpretation=True,
                  note="Monatsende/Monatserster ist eine Lesart der Gesetze; die Fachlichen Weisungen der BA "
                       "müssen sie bestätigen.")

SGB2_FOR_TITLES = p("§7 Abs. 1 SGB II", "§1 Abs. 1 AsylbLG", src=("S3",))

#: Used when a stage's amount is None: the answer gives no amount rather than a guessed one.
AMOUNT_NOT_ESTABLISHED = p("§3a AsylbLG", src=("S29", "S31"), unverified=True,
                           note="Grundleistungen ohne belegten Betrag (09–12/2019 alle Stufen, 2025 Stufen 4–6): "
                                "Stella nennt keinen Betrag; bitte bei der Leistungsbehörde erfragen.")
