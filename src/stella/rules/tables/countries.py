"""Safe countries of origin (Anlage II zu §29a AsylG) and the good-prospects list for integration courses.

Codes are ISO 3166 alpha-3, Kosovo XKX (as in `stella.people.validators`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stella.rules.model import Dated, Provenance
from stella.rules.tables.common import d, p

#: Safe-country nationals who requested asylum after this day may not work (§61 Abs. 2 S. 4 AsylG).
GENERAL_CUTOFF = d("31.08.2015")


@dataclass(frozen=True)
class SafeCountry:
    """A country in Anlage II from `added` (to `removed`, inclusive), with its application-date cut-off."""

    code: str
    name: str
    added: date
    removed: date | None
    cutoff: date
    prov: Provenance

    def safe_on(self, day: date) -> bool:
        return self.added <= day and (self.removed is None or day <= self.removed)


_EU = p("Anlage II zu §29a AsylG", src=("S9b",))
_EU_MEMBERS = {
    "AUT": "Österreich", "BEL": "Belgien", "BGR": "Bulgarien", "CYP": "Zypern", "CZE": "Tschechien",
    "DNK": "Dänemark", "EST": "Estland", "FIN": "Finnland", "FRA": "Frankreich", "GRC": "Griechenland",
    "HUN": "Ungarn", "IRL": "Irland", "ITA": "Italien", "LVA": "Lettland", "LTU": "Litauen",
    "LUX": "Luxemburg", "MLT": "Malta", "NLD": "Niederlande", "POL": "Polen", "PRT": "Portugal",
    "ROU": "Rumänien", "SVK": "Slowakei", "SVN": "Slowenien", "ESP": "Spanien", "SWE": "Schweden",
}
_1993 = d("01.07.1993")

SAFE_COUNTRIES: tuple[SafeCountry, ...] = (
    *(SafeCountry(code, name, _1993, None, GENERAL_CUTOFF, _EU) for code, name in _EU_MEMBERS.items()),
    SafeCountry("HRV", "Kroatien", d("01.07.2013"), None, GENERAL_CUTOFF,
                p("Anlage II zu §29a AsylG", src=("S9b",), interpretation=True,
                  note="Kroatien als EU-Mitgliedstaat ab dem EU-Beitritt 01.07.2013 (abgeleitet).")),
    SafeCountry("GBR", "Vereinigtes Königreich", _1993, d("31.01.2020"), GENERAL_CUTOFF,
                p("Anlage II zu §29a AsylG", src=("S9b",), interpretation=True,
                  note="Vereinigtes Königreich als EU-Mitgliedstaat bis zum Austritt 31.01.2020 (abgeleitet).")),
    SafeCountry("GHA", "Ghana", _1993, None, GENERAL_CUTOFF, p("Anlage II zu §29a AsylG", src=("S9b",))),
    SafeCountry("SEN", "Senegal", _1993, None, GENERAL_CUTOFF, p("Anlage II zu §29a AsylG", src=("S9b",))),
    *(SafeCountry(code, name, d("06.11.2014"), None, GENERAL_CUTOFF,
                  p("Anlage II zu §29a AsylG", src=("S7", "S8")))
      for code, name in (("BIH", "Bosnien und Herzegowina"), ("MKD", "Nordmazedonien"), ("SRB", "Serbien"))),
    *(SafeCountry(code, name, d("24.10.2015"), None, GENERAL_CUTOFF, p("Anlage II zu §29a AsylG", src=("S9",)))
      for code, name in (("ALB", "Albanien"), ("XKX", "Kosovo"), ("MNE", "Montenegro"))),
    *(SafeCountry(code, name, d("23.12.2023"), None, d("30.08.2023"),
                  p("Anlage II zu §29a AsylG", "§61 Abs. 2 S. 4 AsylG", src=("S10", "S11")))
      for code, name in (("GEO", "Georgien"), ("MDA", "Republik Moldau"))),
)

SAFE_COUNTRY_BY_CODE: dict[str, SafeCountry] = {c.code: c for c in SAFE_COUNTRIES}

#: Nationalities whose safe-country status on a date is doubtful, with the window and the reason.
DOUBTFUL_SAFE_STATUS: tuple[tuple[str, Dated[str]], ...] = (
    ("GMB", Dated(d("01.01.2013"), None, "Gambia",
                  p("Anlage II zu §29a AsylG", src=("S9b",), unverified=True,
                    note="Gambia stand 1993 in Anlage II und wurde später gestrichen; das Datum der Streichung "
                         "ist nicht belegt (hier: kein sicherer Herkunftsstaat).")),),
    *((code, Dated(d("01.01.2025"), None, name,
                   p("Anlage II zu §29a AsylG", src=("S9c",), unverified=True,
                     note=f"Mögliche Einstufung von {name} als sicherer Herkunftsstaat per Rechtsverordnung "
                          "2025/26 nicht geprüft (hier: kein sicherer Herkunftsstaat).")))
      for code, name in (("DZA", "Algerien"), ("MAR", "Marokko"), ("TUN", "Tunesien"))),
)

_LIST_2016 = ("Liste der Herkunftsländer mit guter Bleibeperspektive: bestätigt ist nur der Stand 2016 "
              "(Syrien, Eritrea, Iran, Irak; Somalia ab etwa 08/2016); das BAMF passt sie laufend an.")
_FOUR = frozenset({"SYR", "ERI", "IRN", "IRQ"})
_FIVE = _FOUR | {"SOM"}

#: Countries whose asylum seekers are expected to stay lawfully and permanently (§44 Abs. 4 S. 2 AufenthG).
GOOD_PROSPECTS: tuple[Dated[frozenset[str]], ...] = (
    Dated(d("24.10.2015"), d("31.12.2015"), _FOUR,
          p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"), unverified=True,
            note="Liste für 2015 aus dem Stand 2016 übernommen. " + _LIST_2016)),
    Dated(d("01.01.2016"), d("31.07.2016"), _FOUR, p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"))),
    Dated(d("01.08.2016"), d("31.08.2016"), _FIVE,
          p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"), unverified=True,
            note="Genauer Tag der Aufnahme Somalias (etwa 08/2016) nicht belegt.")),
    Dated(d("01.09.2016"), d("31.12.2016"), _FIVE, p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"))),
    Dated(d("01.01.2017"), None, _FIVE,
          p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"), unverified=True, note=_LIST_2016)),
)

#: Law-facts row 8 reads "Anlage II in force at the application date"; the Georgia/Moldova cut-off (30.08.2023,
#: before their listing on 23.12.2023) only makes sense if the list in force on the reference date counts.
LISTED_AFTER_REQUEST = p("Anlage II zu §29a AsylG", src=("S10", "S59"), unverified=True, interpretation=True,
                         note="Das Land stand am Tag des Asylgesuchs noch nicht in Anlage II. Maßgeblich ist hier die "
                              "Liste am Stichtag (sonst liefe die Stichtagsregel für Georgien/Moldau leer); nach "
                              "der Lesart „Liste am Antragstag“ bestünde kein Verbot.")

#: The Georgia/Moldova cut-off applied to §60a Abs. 6 S. 1 Nr. 3 AufenthG (Duldung), by analogy to §61 AsylG.
DULDUNG_COUNTRY_CUTOFF = p("§60a Abs. 6 S. 1 Nr. 3 AufenthG", src=("S10",), unverified=True, interpretation=True,
                           note="Dass die Stichtagsregel 30.08.2023 für Georgien/Moldau auch für das Arbeitsverbot "
                                "mit Duldung gilt, ist aus §61 AsylG übertragen, nicht belegt.")
