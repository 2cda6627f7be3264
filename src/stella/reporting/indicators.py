"""The indicators of the outcome reports: definition, formula, official counterpart and anchor figures, and
the pre-aggregated measures (`Cell.measure`) each one is computed from. Every figure is labelled
"Stella-Fallbasis" (case-management data) so that it is never taken for an official BA figure.

Sources: shared domain notes on outcome indicators (SGB II key figures under § 48a SGB II, BA statistics,
IAB research), copied as anchors below with year and source. Conventions: the reference month M is a
calendar month; its Stichtag is the last day of M; "12-month window" means the months M-11 … M; the average
caseload for K2-type rates is that of the 12 months preceding the window's end (M-12 … M-1, BIAJ alignment);
the caseload counts clients of working age only (15–64 by birth year, `facts.WORKING_AGE`), as K2 counts
erwerbsfähige Leistungsberechtigte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

#: Shown with every figure (web, exports, API).
LABEL = "Stella-Fallbasis"
LABEL_NOTE = ("Stella-Fallbasis: berechnet aus den Falldaten der Stella-Partner, keine amtliche Statistik der "
              "Bundesagentur für Arbeit.")


class Measure(StrEnum):
    """What a `Cell` counts. Point measures are taken on the Stichtag (last day of M); window measures over
    the months given; `value` is the count, `persons`/`households` the distinct persons/households behind it."""

    STOCK = "stock"  # active clients on the Stichtag
    STOCK_ACTIVATED = "stock_activated"  # … in a measure or language course on the Stichtag
    STOCK_SINGLE_PARENT = "stock_single_parent"  # … single parents
    STOCK_AVG12 = "stock_avg12"  # Σ monthly STOCK over M-12 … M-1 (person-months; ÷ 12 = average caseload)
    STOCK_AVG12_SINGLE_PARENT = "stock_avg12_single_parent"
    INT12 = "int12"  # integrations (SV job, full vocational training, self-employment; ≤ 1 per person and month) M-11 … M
    INT12_SINGLE_PARENT = "int12_single_parent"
    INT12_BD_BASE = "int12_bd_base"  # integrations in M-14 … M-3 (the 3-month follow-up is known)
    INT12_BD = "int12_bd"  # … of these, benefit receipt ended within 3 months ("bedarfsdeckend")
    INT12_CONT_BASE = "int12_cont_base"  # SV-job integrations in M-23 … M-12
    INT12_CONT = "int12_cont"  # … of these, in SV employment 12 months later
    MINIJOB12 = "minijob12"  # entries into a minijob M-11 … M
    INT_YTD = "int_ytd"  # integrations January … M of M's year (Jahresfortschrittswert, numerator)
    STOCK_AVG_YTD = "stock_avg_ytd"  # Σ monthly STOCK over the months preceding January … M (÷ their number)
    DUR_COUNSELLING = "dur_counselling"  # registration → first counselling (days, hist; by end date in M-11 … M)
    DUR_COURSE_START = "dur_course_start"  # registration → first language course start
    DUR_COURSE_END = "dur_course_end"  # registration → first language course completed (dim 'level')
    DUR_FIRST_INTEGRATION = "dur_first_integration"  # registration → first integration
    DUR_RECOGNITION_JC = "dur_recognition_jc"  # protection final → first Jobcenter appointment
    HANDOVER12 = "handover12"  # hand-overs completed in M-11 … M (value = hand-overs)
    HANDOVER12_30 = "handover12_30"  # … completed within 30 days of their effective date
    COURSE_WAIT = "course_wait"  # days on the waiting list until a seat (hist; by seat date in M-11 … M)
    SEATS = "seats"  # seats of language courses and measures running on the Stichtag (value = seats)
    SEATS_TAKEN = "seats_taken"  # enrolled persons in those offers on the Stichtag
    ARRIVAL_K = "arrival_k"  # persons whose k-th anniversary of arrival (bucket = k) fell on or before the Stichtag
    ARRIVAL_K_EMPLOYED = "arrival_k_employed"  # … employed (SV, training, self-employed) on that anniversary


class Kind(StrEnum):
    RATE = "rate"  # numerator / denominator in per cent
    DURATION = "duration"  # quartiles of a histogram in days
    COUNT = "count"  # a count of persons (or events)
    CURVE = "curve"  # a rate per bucket (years since arrival) against a reference curve


class Group(StrEnum):
    KEY_FIGURES = "Kennzahlen im Stil des SGB II (§ 48a)"
    JOURNEY = "Wege durch die Integration"
    COUNTS = "Bestände"


@dataclass(frozen=True)
class Anchor:
    """A published reference figure: value, what it is, year and source (as in the shared notes)."""

    value: float
    label: str
    source: str


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    group: Group
    kind: Kind
    definition: str  # one paragraph, German
    formula: str  # German, human readable
    numerator: Measure | None = None
    denominator: Measure | None = None
    #: the denominator's value is divided by this (12 for an average over 12 months of person-months)
    denominator_divisor: int = 1
    #: a count indicator: the measure counted and the breakdown it is shown by default
    measure: Measure | None = None
    default_breakdown: str = "district"
    official: str = ""  # official counterpart (or "keine amtliche Entsprechung")
    anchors: tuple[Anchor, ...] = ()
    #: for CURVE: the reference curve {years since arrival: per cent}
    reference: dict[int, float] = field(default_factory=dict)
    reference_label: str = ""
    unit: str = "%"
    #: the dim of a duration measure's extra breakdown (e.g. 'level' for course completion)
    extra_dim: str = ""


K2_ANCHORS = (
    Anchor(21.0, "Integrationsquote SGB II Deutschland 2024", "Bundesregierung, BT-Drs. 21/3728 (hib)"),
    Anchor(21.6, "Integrationsquote SGB II Deutschland 2025", "Bundesregierung, BT-Drs. 21/3728 (hib)"),
)
#: IAB: employment rate of refugees by years since arrival (arrivals 2013–2019 / 2013–2016), see the shared notes.
NATIONAL_CURVE = {1: 7.0, 3: 32.0, 4: 41.0, 5: 50.0, 6: 54.0, 7: 62.0, 8: 68.0, 9: 64.0}
NATIONAL_CURVE_LABEL = ("Geflüchtete in Deutschland (IAB-BAMF-SOEP; IAB-Kurzberichte 13/2023, 10/2024, 17/2025; "
                        "BT-Drs. 19/31218): Kohorte 2015 und Zuzüge 2013–2019")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "k2", "Integrationsquote (K2-analog)", Group.KEY_FIGURES, Kind.RATE,
        "Integrationen in sozialversicherungspflichtige Beschäftigung, voll qualifizierende Berufsausbildung oder "
        "selbständige Tätigkeit (höchstens eine je Person und Monat; ohne Minijobs und öffentlich geförderte "
        "Beschäftigung) in den letzten 12 Monaten im Verhältnis zum durchschnittlichen Bestand der betreuten "
        "Personen in den 12 vorangehenden Monaten. Zählt Ereignisse, nicht Personen.",
        "Σ Integrationen (M-11 … M) ÷ Ø Bestand (M-12 … M-1) × 100",
        numerator=Measure.INT12, denominator=Measure.STOCK_AVG12, denominator_divisor=12,
        official="K2 nach § 5 der Kennzahlen-Verordnung zu § 48a SGB II", anchors=K2_ANCHORS,
        default_breakdown="sex"),
    Indicator(
        "k2e3", "Kontinuierliche Beschäftigung nach Integration (K2E3-analog)", Group.KEY_FIGURES, Kind.RATE,
        "Anteil der Integrationen in sozialversicherungspflichtige Beschäftigung vor 12 bis 23 Monaten, nach denen "
        "die Person 12 Monate später sozialversicherungspflichtig beschäftigt war (gleich in welcher Stelle).",
        "Σ Integrationen (M-23 … M-12) mit Beschäftigung 12 Monate später ÷ Σ Integrationen (M-23 … M-12) × 100",
        numerator=Measure.INT12_CONT, denominator=Measure.INT12_CONT_BASE,
        official="K2E3 (bis 2019: Nachhaltigkeit der Integrationen)"),
    Indicator(
        "bedarfsdeckend", "Anteil bedarfsdeckender Integrationen", Group.KEY_FIGURES, Kind.RATE,
        "Anteil der Integrationen, nach denen die Person drei Monate später keine Leistungen nach dem SGB II mehr "
        "bezog. Integrationen der letzten drei Monate sind noch offen und zählen nicht mit.",
        "Σ Integrationen (M-14 … M-3) ohne Leistungsbezug 3 Monate danach ÷ Σ Integrationen (M-14 … M-3) × 100",
        numerator=Measure.INT12_BD, denominator=Measure.INT12_BD_BASE,
        official="BA-Statistik „bedarfsdeckende Integrationen“; Monitoring der Zielvereinbarung SGB II 2024",
        anchors=(Anchor(43.7, "Anteil bedarfsdeckender Integrationen, Januar 2019",
                        "BA-Tabelle, zitiert in BT-Anfrage (kleineanfragen.org/vorgang/260673)"),)),
    Indicator(
        "k2e1", "Quote der Eintritte in geringfügige Beschäftigung (K2E1-analog)", Group.KEY_FIGURES, Kind.RATE,
        "Eintritte in Minijobs in den letzten 12 Monaten im Verhältnis zum durchschnittlichen Bestand.",
        "Σ Eintritte Minijob (M-11 … M) ÷ Ø Bestand (M-12 … M-1) × 100",
        numerator=Measure.MINIJOB12, denominator=Measure.STOCK_AVG12, denominator_divisor=12,
        official="K2E1"),
    Indicator(
        "k2e4", "Integrationsquote der Alleinerziehenden (K2E4-analog)", Group.KEY_FIGURES, Kind.RATE,
        "Wie die Integrationsquote, beschränkt auf Alleinerziehende (Haushaltsvorstand mit Kind, ohne Partner/in).",
        "Σ Integrationen Alleinerziehender (M-11 … M) ÷ Ø Bestand Alleinerziehender (M-12 … M-1) × 100",
        numerator=Measure.INT12_SINGLE_PARENT, denominator=Measure.STOCK_AVG12_SINGLE_PARENT,
        denominator_divisor=12, official="K2E4",
        anchors=(Anchor(15.3, "K2E4 September 2017, niedrigster Länderwert (HB); höchster 29,1 % (TH)", "BIAJ 2018"),)),
    Indicator(
        "activation", "Aktivierungsquote (K3E2-analog)", Group.KEY_FIGURES, Kind.RATE,
        "Anteil der am Stichtag betreuten Personen, die an einer Maßnahme oder einem Sprachkurs teilnehmen "
        "(Stella-Variante: alle Betreuten, nicht nur Langzeitleistungsbeziehende; Sprachkurse zählen mit).",
        "Betreute in Maßnahme oder Kurs am Stichtag ÷ Betreute am Stichtag × 100",
        numerator=Measure.STOCK_ACTIVATED, denominator=Measure.STOCK,
        official="K3E2 (amtlich nur für Langzeitleistungsbeziehende)"),
    Indicator(
        "dur_counselling", "Zeit bis zur ersten Beratung", Group.JOURNEY, Kind.DURATION,
        "Tage von der Erfassung in Stella bis zur ersten Beratung (erster wahrgenommener Termin oder erster "
        "Beratungsvermerk), für Personen, deren erste Beratung in den letzten 12 Monaten lag.",
        "Median und Quartile der Tage (Erfassung → erste Beratung)", measure=Measure.DUR_COUNSELLING,
        official="keine amtliche Entsprechung", unit="Tage"),
    Indicator(
        "dur_course_start", "Zeit bis zum ersten Sprachkurs", Group.JOURNEY, Kind.DURATION,
        "Tage von der Erfassung bis zum Beginn des ersten Sprachkurses (Integrationskurs oder Berufssprachkurs).",
        "Median und Quartile der Tage (Erfassung → erster Kursbeginn)", measure=Measure.DUR_COURSE_START,
        official="keine amtliche Entsprechung", unit="Tage"),
    Indicator(
        "dur_course_end", "Zeit bis zum Kursabschluss (mit erreichtem Niveau)", Group.JOURNEY, Kind.DURATION,
        "Tage von der Erfassung bis zum Abschluss des ersten Sprachkurses, aufgegliedert nach erreichtem Niveau.",
        "Median und Quartile der Tage (Erfassung → Kursabschluss)", measure=Measure.DUR_COURSE_END,
        official="keine amtliche Entsprechung", unit="Tage", extra_dim="level", default_breakdown="level"),
    Indicator(
        "dur_first_integration", "Zeit bis zur ersten Integration", Group.JOURNEY, Kind.DURATION,
        "Tage von der Erfassung bis zur ersten Integration (Beschäftigung, Ausbildung, Selbständigkeit).",
        "Median und Quartile der Tage (Erfassung → erste Integration)", measure=Measure.DUR_FIRST_INTEGRATION,
        official="keine amtliche Entsprechung (IAB: +6 Monate Asylverfahren senken die Übergangsrate um 11 %)",
        unit="Tage"),
    Indicator(
        "dur_recognition_jc", "Zeit von der Anerkennung bis zum ersten Jobcenter-Termin", Group.JOURNEY, Kind.DURATION,
        "Tage von der Rechtskraft der Schutzgewährung bis zum ersten Termin im Jobcenter.",
        "Median und Quartile der Tage (Anerkennung → erster Termin Jobcenter)",
        measure=Measure.DUR_RECOGNITION_JC, official="keine (Rechtskreiswechsel als Schwachstelle benannt)",
        unit="Tage"),
    Indicator(
        "handover30", "Übergaben innerhalb von 30 Tagen", Group.JOURNEY, Kind.RATE,
        "Anteil der in den letzten 12 Monaten abgeschlossenen Übergaben, die spätestens 30 Tage nach ihrem "
        "Wirksamkeitsdatum abgeschlossen waren.",
        "Σ Übergaben ≤ 30 Tage ÷ Σ abgeschlossene Übergaben (M-11 … M) × 100",
        numerator=Measure.HANDOVER12_30, denominator=Measure.HANDOVER12, official="keine amtliche Entsprechung"),
    Indicator(
        "seat_occupancy", "Auslastung der Kurs- und Maßnahmeplätze", Group.JOURNEY, Kind.RATE,
        "Belegte Plätze ÷ angebotene Plätze der am Stichtag laufenden Sprachkurse und Maßnahmen.",
        "belegte Plätze ÷ Plätze am Stichtag × 100", numerator=Measure.SEATS_TAKEN, denominator=Measure.SEATS,
        official="keine amtliche Entsprechung"),
    Indicator(
        "course_wait", "Wartezeit auf einen Kursplatz", Group.JOURNEY, Kind.DURATION,
        "Tage von der Anmeldung (Warteliste) bis zum Platz, für Plätze der letzten 12 Monate.",
        "Median und Quartile der Tage (Anmeldung → Platz)", measure=Measure.COURSE_WAIT,
        official="keine amtliche Entsprechung", unit="Tage"),
    Indicator(
        "employment_by_arrival", "Beschäftigungsquote nach Jahren seit Einreise", Group.JOURNEY, Kind.CURVE,
        "Anteil der Personen, die am k-ten Jahrestag ihrer Einreise sozialversicherungspflichtig beschäftigt, in "
        "Ausbildung oder selbständig waren, für k = 1 … 10, verglichen mit der bundesweiten Kurve.",
        "beschäftigt am k-ten Jahrestag ÷ Personen mit k-tem Jahrestag × 100",
        numerator=Measure.ARRIVAL_K_EMPLOYED, denominator=Measure.ARRIVAL_K,
        official="IAB-BAMF-SOEP-Befragung (Erwerbstätigenquote nach Aufenthaltsdauer)",
        reference=NATIONAL_CURVE, reference_label=NATIONAL_CURVE_LABEL, default_breakdown="bucket"),
    Indicator(
        "count_phase", "Personen nach Phase", Group.COUNTS, Kind.COUNT,
        "Am Stichtag betreute Personen nach Phase ihres Wegs.", "Anzahl Personen am Stichtag",
        measure=Measure.STOCK, default_breakdown="phase", unit="Personen"),
    Indicator(
        "count_status", "Personen nach Statusgruppe", Group.COUNTS, Kind.COUNT,
        "Am Stichtag betreute Personen nach aufenthaltsrechtlicher Statusgruppe.", "Anzahl Personen am Stichtag",
        measure=Measure.STOCK, default_breakdown="status_group", unit="Personen"),
    Indicator(
        "count_regime", "Personen nach Rechtskreis", Group.COUNTS, Kind.COUNT,
        "Am Stichtag betreute Personen nach Leistungsrechtskreis (AsylbLG, SGB II, SGB III, keiner).",
        "Anzahl Personen am Stichtag", measure=Measure.STOCK, default_breakdown="regime", unit="Personen"),
    Indicator(
        "count_accommodation", "Personen nach Unterbringung", Group.COUNTS, Kind.COUNT,
        "Am Stichtag betreute Personen nach Unterbringungsstufe.", "Anzahl Personen am Stichtag",
        measure=Measure.STOCK, default_breakdown="accommodation", unit="Personen"),
    Indicator(
        "count_district", "Personen nach Landkreis", Group.COUNTS, Kind.COUNT,
        "Am Stichtag betreute Personen nach Landkreis.", "Anzahl Personen am Stichtag",
        measure=Measure.STOCK, default_breakdown="district", unit="Personen"),
)

BY_CODE = {i.code: i for i in INDICATORS}


def get(code: str) -> Indicator:
    """The indicator with this code; KeyError for an unknown one (callers turn it into a clear message)."""
    return BY_CODE[code]


# --- dimensions --------------------------------------------------------------------------------------------

#: Organisational levels (Cell.district / agency / team; '' = all).
ORG_DIMS = ("district", "agency", "team")
#: Demographic and status breakdowns (Cell.dim / dim_value); at most one per cell.
DEMOGRAPHIC_DIMS = ("sex", "age_band", "origin", "status_group", "regime", "phase", "accommodation", "level")
#: Every breakdown a report may ask for ('month' = the trend over the last months, 'bucket' = years since arrival).
BREAKDOWNS = ("", *ORG_DIMS, *DEMOGRAPHIC_DIMS, "month", "bucket")
#: the breakdowns a demographic filter allows ("" = the indicator's default, then the trend): an organisational
#: or second demographic breakdown of a filtered report would link tables that cannot be protected together
#: (query.resolve refuses them; docs/reporting-confidentiality.md "Verknüpfte Tabellen")
BREAKDOWNS_WITH_FILTER = ("", "month", "bucket")

DIM_LABELS = {
    "district": "Landkreis", "agency": "Behörde", "team": "Team", "sex": "Geschlecht", "age_band": "Altersgruppe",
    "origin": "Herkunft", "status_group": "Statusgruppe", "regime": "Rechtskreis", "phase": "Phase",
    "accommodation": "Unterbringung", "level": "erreichtes Niveau", "month": "Monat",
    "bucket": "Jahre seit Einreise", "": "insgesamt",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "sex": {"f": "Frauen", "m": "Männer", "x": "divers", "u": "unbekannt"},
    "origin": {"asyl8": "acht Asylherkunftsländer", "ukraine": "Ukraine", "other": "andere Herkunft"},
    "status_group": {"gestattung": "Aufenthaltsgestattung", "schutz": "Schutzstatus / Aufenthaltserlaubnis",
                     "duldung": "Duldung", "ukraine": "vorübergehender Schutz (§ 24)", "sonstige": "sonstige/ungeklärt"},
    "regime": {"asylblg": "AsylbLG", "sgb2": "SGB II", "sgb3": "SGB III", "keiner": "ohne Leistungen"},
    "accommodation": {"ea": "Erstaufnahme", "vu": "vorläufige Unterbringung", "au": "Anschlussunterbringung",
                      "private": "Privatwohnung", "": "unbekannt"},
    "age_band": {"u25": "unter 25", "25-34": "25 bis 34", "35-44": "35 bis 44", "45-54": "45 bis 54",
                 "55+": "55 und älter", "?": "unbekannt"},
}
#: The eight non-European asylum origin countries of the BA/IAB statistics (origin group 'asyl8').
ASYL8 = frozenset({"AFG", "ERI", "IRQ", "IRN", "NGA", "PAK", "SOM", "SYR"})


def age_band(age: int | None) -> str:
    if age is None:
        return "?"
    if age < 25:
        return "u25"
    if age >= 55:
        return "55+"
    low = 25 + (age - 25) // 10 * 10
    return f"{low}-{low + 9}"


def origin_group(nationality: str) -> str:
    if nationality in ASYL8:
        return "asyl8"
    return "ukraine" if nationality == "UKR" else "other"
