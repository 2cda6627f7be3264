"""Dated tables for access to work (law-facts.md §2a/§2b): wait periods, EA duty, Vorrangprüfung, permits.

Paragraphs are written with today's law name "AsylG"; answers for dates before 24.10.2015 say "AsylVfG".
Where law-facts.md gives only a month or an approximate day for a change, the rows on both sides of the
modelled day are split off for that window and flagged unverified, so answers far from it stay clean.
"""

from __future__ import annotations

from dataclasses import dataclass

from stella.rules.model import Dated
from stella.rules.tables.common import BEFORE_COVERAGE as B
from stella.rules.tables.common import d, p

_NOV_2014 = ("Genauer Tag der BeschV-Änderung im November 2014 nicht belegt (hier ab 06.11.2014 angenommen); "
             "Antworten im November 2014 sind deshalb ungeprüft.")
_RUEFUEVG_61 = ("Neuer Wortlaut von §61 AsylG nach dem Rückführungsverbesserungsgesetz (27.02.2024) nicht gelesen: "
                "6-Monats-Frist ungeprüft.")

#: Months of permitted stay before a Gestattung holder outside the EA may get a permit (rule 6, §61 Abs. 2 S. 1).
GESTATTUNG_WAIT_OUTSIDE_EA: tuple[Dated[int], ...] = (
    Dated(B, d("05.09.2013"), 12, p("§61 Abs. 2 AsylG", src=("S3",))),
    Dated(d("06.09.2013"), d("05.11.2014"), 9, p("§61 Abs. 2 AsylG", src=("S6",))),
    Dated(d("06.11.2014"), None, 3, p("§61 Abs. 2 AsylG", src=("S3", "S7"))),
)

#: Months after the asylum application after which a Gestattung holder obliged to live in an EA must be
#: allowed to work (rules 4/5); None: no work for the whole EA stay (§61 Abs. 1 S. 1 AsylG).
GESTATTUNG_WAIT_IN_EA: tuple[Dated[int | None], ...] = (
    Dated(B, d("20.08.2019"), None, p("§61 Abs. 1 S. 1 AsylG", src=("S3",))),
    Dated(d("21.08.2019"), d("26.02.2024"), 9, p("§61 Abs. 1 S. 2 AsylG", src=("S3", "S18", "S20"))),
    Dated(d("27.02.2024"), None, 6,
          p("§61 Abs. 1 S. 2 AsylG", src=("S16", "S17", "S18"), unverified=True, note=_RUEFUEVG_61)),
)

#: Gestattung outside the EA: months of stay after which the permit is a claim rather than discretion (rule 7).
GESTATTUNG_CLAIM_AFTER: tuple[Dated[int], ...] = (
    Dated(B, d("20.08.2019"), 6,
          p("§61 Abs. 2 AsylG", src=("S3",), unverified=True,
            note="Anspruch auf die Erlaubnis nach 6 Monaten vor dem 21.08.2019 (so die Rechtsfakten) ist im "
                 "Gesetzestext nicht belegt; §61 Abs. 2 AsylG a. F. sah Ermessen vor.")),
    Dated(d("21.08.2019"), d("26.02.2024"), 9, p("§61 AsylG", src=("S3", "S18"))),
    Dated(d("27.02.2024"), None, 6, p("§61 AsylG", src=("S18",), unverified=True, note=_RUEFUEVG_61)),
)

#: Months of tolerated/permitted stay before a Duldung holder outside the EA may get a permit (rule 9).
DULDUNG_WAIT: tuple[Dated[int], ...] = (
    Dated(B, d("05.11.2014"), 12, p("§32 Abs. 1 BeschV", src=("S7", "S7b"))),
    Dated(d("06.11.2014"), None, 3, p("§32 Abs. 1 BeschV", src=("S3", "S7"))),
)

#: Duldung holders obliged to live in an EA (rule 12): months of Duldung before a permit; None: no work.
DULDUNG_WAIT_IN_EA: tuple[Dated[int | None], ...] = (
    Dated(B, d("20.08.2019"), None,
          p("§61 Abs. 1 S. 1 AsylG", src=("S3",), interpretation=True,
            note="Vor dem 21.08.2019 gilt das Erwerbsverbot des §61 Abs. 1 AsylG für jeden, der in einer "
                 "Aufnahmeeinrichtung wohnen muss, auch mit Duldung (Lesart des Gesetzes).")),
    Dated(d("21.08.2019"), d("26.02.2024"), 6, p("§61 Abs. 1 S. 2 AsylG", src=("S3", "S17"))),
    Dated(d("27.02.2024"), None, 6, p("§61 Abs. 1 S. 2 AsylG", src=("S16", "S17"), unverified=True,
                                       note=_RUEFUEVG_61)),
)

#: How the ABH decides on a Duldung holder's permit: "kann" (discretion) or "soll" (rule 9, 12).
DULDUNG_PERMIT_MODE: tuple[Dated[str], ...] = (
    Dated(B, d("26.02.2024"), "kann", p("§32 Abs. 1 BeschV", src=("S3",))),
    Dated(d("27.02.2024"), None, "soll", p("§32 Abs. 1 BeschV", "§60a Abs. 5b AufenthG", src=("S16", "S18"))),
)


@dataclass(frozen=True)
class EaDuty:
    """Maximum duty to live in an Aufnahmeeinrichtung (§47 AsylG)."""

    months: int
    family_months: int | None  # with minor children
    safe_country_until_decision: bool  # §47 Abs. 1a: safe-country nationals stay until the decision


EA_DUTY_MAX: tuple[Dated[EaDuty], ...] = (
    Dated(B, d("23.10.2015"), EaDuty(3, None, False), p("§47 Abs. 1 AsylG", src=("S3", "S41"))),
    Dated(d("24.10.2015"), d("20.08.2019"), EaDuty(6, None, True),
          p("§47 Abs. 1, 1a AsylG", src=("S5", "S41", "S42"))),
    Dated(d("21.08.2019"), None, EaDuty(18, 6, True),
          p("§47 Abs. 1, 1a AsylG", src=("S3", "S41"), unverified=True,
            note="Dass Baden-Württemberg die 24-Monats-Option des §47 Abs. 1b AsylG nicht nutzt, ist nur "
                 "zum Stand der Quelle belegt.")),
)

#: Vorrangprüfung for BA consent: "always", "first_15_months", "first_15_months_23_districts", "none".
VORRANGPRUEFUNG: tuple[Dated[str], ...] = (
    Dated(B, d("31.10.2014"), "always", p("§39 Abs. 2 AufenthG", "§32 BeschV", src=("S6",))),
    Dated(d("01.11.2014"), d("05.11.2014"), "always",
          p("§39 Abs. 2 AufenthG", "§32 BeschV", src=("S15",), unverified=True, note=_NOV_2014)),
    Dated(d("06.11.2014"), d("30.11.2014"), "first_15_months",
          p("§39 Abs. 2 AufenthG", "§32 Abs. 5 BeschV", src=("S15",), unverified=True, note=_NOV_2014)),
    Dated(d("01.12.2014"), d("05.08.2016"), "first_15_months",
          p("§39 Abs. 2 AufenthG", "§32 Abs. 5 BeschV", src=("S15",))),
    Dated(d("06.08.2016"), d("05.08.2019"), "first_15_months_23_districts",
          p("§39 Abs. 2 AufenthG", "§32 Abs. 5 BeschV", src=("S13", "S14"))),
    Dated(d("06.08.2019"), None, "none", p("§32 BeschV", src=("S12", "S13"))),
)

#: Months of uninterrupted lawful/tolerated/permitted stay after which employment needs no BA consent
#: (rule 7a, §32 Abs. 2 Nr. 5 BeschV); None: no such rule yet.
FOUR_YEAR_RULE: tuple[Dated[int | None], ...] = (
    Dated(B, d("31.10.2014"), None, p("§32 BeschV", src=("S3",))),
    Dated(d("01.11.2014"), d("05.11.2014"), None, p("§32 BeschV", src=("S15",), unverified=True, note=_NOV_2014)),
    Dated(d("06.11.2014"), d("30.11.2014"), 48,
          p("§32 Abs. 2 Nr. 5 BeschV", src=("S3", "S15"), unverified=True, note=_NOV_2014)),
    Dated(d("01.12.2014"), None, 48, p("§32 Abs. 2 Nr. 5 BeschV", src=("S3", "S15"))),
)

_INTERNSHIP = ("Seit wann Praktika ohne Zustimmung der BA erlaubt werden können (um den 01.08.2015), ist nicht "
               "genau belegt; Antworten von Juli bis August 2015 sind ungeprüft.")
#: Internships (§22 Abs. 1 S. 2 Nr. 1–4 MiLoG) permitted without BA consent.
INTERNSHIP_WITHOUT_BA: tuple[Dated[bool], ...] = (
    Dated(B, d("30.06.2015"), False, p("§32 BeschV", src=("S19b",))),
    Dated(d("01.07.2015"), d("31.07.2015"), False, p("§32 BeschV", src=("S19b",), unverified=True, note=_INTERNSHIP)),
    Dated(d("01.08.2015"), d("31.08.2015"), True,
          p("§32 Abs. 2 Nr. 1 BeschV", src=("S19b",), unverified=True, note=_INTERNSHIP)),
    Dated(d("01.09.2015"), None, True, p("§32 Abs. 2 Nr. 1 BeschV", src=("S19b",))),
)

#: Vocational training in a recognised occupation needs no BA consent (§32 Abs. 2 BeschV).
TRAINING_WITHOUT_BA: tuple[Dated[bool], ...] = (
    Dated(B, None, True, p("§32 Abs. 2 Nr. 2 BeschV", src=("S3",))),
)

#: Work permission by residence title (rules 1–3). Outcome codes as in law-facts.md §2b.
TITLE_ACCESS: dict[str, tuple[Dated[str], ...]] = {
    "ae_25_1": (
        Dated(B, d("29.02.2020"), "FREE", p("§25 Abs. 1 S. 4 AufenthG a. F.", src=("S3",))),
        Dated(d("01.03.2020"), None, "FREE", p("§4a Abs. 1 AufenthG", src=("S3", "S19"))),
    ),
    "ae_25_2": (
        Dated(B, d("29.02.2020"), "FREE", p("§25 Abs. 2 S. 2, Abs. 1 S. 4 AufenthG a. F.", src=("S3",))),
        Dated(d("01.03.2020"), None, "FREE", p("§4a Abs. 1 AufenthG", src=("S3", "S19"))),
    ),
    "ae_25_3": (
        Dated(B, d("29.02.2020"), "ABH",
              p("§31 BeschV", src=("S3",), unverified=True,
                note="Praxis vor dem 01.03.2020 (§25 Abs. 3: Erlaubnis der ABH ohne Zustimmung der BA) "
                     "nicht belegt.")),
        Dated(d("01.03.2020"), None, "FREE", p("§4a Abs. 1 AufenthG", src=("S3", "S19"))),
    ),
    "ae_24": (
        Dated(d("01.03.2022"), d("31.03.2022"), "FREE",
              p("§24 AufenthG", "§4a Abs. 1 AufenthG", src=("S38",), unverified=True,
                note="Genauer Beginn der Praxis „Erwerbstätigkeit erlaubt“ im März 2022 nicht belegt.")),
        Dated(d("01.04.2022"), None, "FREE", p("§24 AufenthG", "§4a Abs. 1 AufenthG", src=("S38",))),
    ),
    "fiktion": (
        Dated(d("01.03.2022"), d("31.03.2022"), "FREE",
              p("§81 Abs. 5 AufenthG", "§4a Abs. 1 AufenthG", src=("S38",), unverified=True,
                note="Genauer Beginn der Praxis „Erwerbstätigkeit erlaubt“ im März 2022 nicht belegt.")),
        Dated(d("01.04.2022"), None, "FREE", p("§81 Abs. 5 AufenthG", "§4a Abs. 1 AufenthG", src=("S38",))),
    ),
}

#: §61 Abs. 2 S. 4 AsylG: safe-country nationals who applied after the cut-off may not work (rule 8).
SAFE_COUNTRY_BAN: tuple[Dated[bool], ...] = (
    Dated(B, d("23.10.2015"), False, p("§61 Abs. 2 AsylG", src=("S5",))),
    Dated(d("24.10.2015"), None, True, p("§61 Abs. 2 S. 4 AsylG", src=("S5", "S10"))),
)

#: §60a Abs. 6 AufenthG grounds that bar work for Duldung holders (rule 10).
DULDUNG_BAN_GROUNDS: dict[str, tuple[Dated[bool], ...]] = {
    "asylblg_purpose": (
        Dated(B, d("23.10.2015"), True,
              p("§33 BeschV a. F.", src=("S3",), unverified=True,
                note="Seit wann das Verbot bei Einreise zum Bezug von AsylbLG-Leistungen gilt, ist nicht belegt.")),
        Dated(d("24.10.2015"), None, True, p("§60a Abs. 6 S. 1 Nr. 1 AufenthG", src=("S3", "S5"))),
    ),
    "own_fault": (
        Dated(B, d("23.10.2015"), True,
              p("§33 BeschV a. F.", src=("S3",), unverified=True,
                note="Seit wann das Verbot bei selbst verschuldetem Abschiebungshindernis gilt, ist nicht belegt.")),
        Dated(d("24.10.2015"), None, True, p("§60a Abs. 6 S. 1 Nr. 2 AufenthG", src=("S3", "S5"))),
    ),
    "safe_country": (
        Dated(B, d("23.10.2015"), False, p("§60a AufenthG", src=("S5",))),
        Dated(d("24.10.2015"), None, True, p("§60a Abs. 6 S. 1 Nr. 3 AufenthG", src=("S3", "S5"))),
    ),
}

#: §60b "Duldung für Personen mit ungeklärter Identität": absolute work ban (rule 11).
DULDUNG_60B: tuple[Dated[bool], ...] = (
    Dated(d("21.08.2019"), None, True, p("§60b Abs. 5 S. 2 AufenthG", src=("S20",))),
)

#: Ausbildungsduldung (rule 13): the provision in force, or None.
AUSBILDUNGSDULDUNG: tuple[Dated[str | None], ...] = (
    Dated(B, d("05.08.2016"), None, p("§60a AufenthG", src=("S3",))),
    Dated(d("06.08.2016"), d("31.12.2019"), "§60a Abs. 2 S. 4 AufenthG", p("§60a Abs. 2 S. 4 AufenthG",
                                                                             src=("S3", "S13"))),
    Dated(d("01.01.2020"), None, "§60c AufenthG", p("§60c AufenthG", src=("S3", "S21"))),
)

#: Rule 14: self-employment with Gestattung or Duldung.
SELF_EMPLOYMENT_BAN: tuple[Dated[bool], ...] = (
    Dated(B, None, True,
          p("§61 AsylG", "§4a Abs. 4 AufenthG", src=("S3",), unverified=True, interpretation=True,
            note="Selbständige Tätigkeit mit Gestattung oder Duldung: Verbot abgeleitet, weil §61 AsylG nur "
                 "„Beschäftigung“ erlaubt (Schluss aus dem Gesetz, nicht belegt).")),
)

#: Duldung holders in an EA, vocational training: law-facts leaves it open (rule 12, "—").
DULDUNG_IN_EA_TRAINING: tuple[Dated[bool], ...] = (
    Dated(d("21.08.2019"), None, True,
          p("§61 Abs. 1 S. 2 AsylG", "§32 Abs. 2 BeschV", src=("S3",), unverified=True, interpretation=True,
            note="Ausbildung mit Duldung in der Aufnahmeeinrichtung: in den Rechtsfakten offen; hier wie "
                 "Beschäftigung behandelt, aber ohne Zustimmung der BA (§32 Abs. 2 BeschV).")),
)
