"""Read-only reporting data: per-person facts derived from the shared file's dated history, and the
pre-aggregated cells the dashboard, exports and API read (never personal data leaves this app: a cell is
a count with the number of persons and households behind it, checked by `confidentiality` before it is shown).

Three layers (docs/reporting.md):
1. `PersonFact`, `FactSpan`, `FactEvent` – per person, recomputed by `facts.refresh_persons` for every
   person whose file changed (the audit trail says which), so a refresh is incremental;
2. `Cell` – per month, measure, organisational unit and at most one demographic breakdown, rebuilt by
   `cube.build` for the months a change touched;
3. `Target` – the team lead's targets (append-only: the newest row for a key is in force).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stella.people.models import Person


class PersonFact(models.Model):
    """The fixed facts and journey milestones of one person (dates are the first time it happened)."""

    person = models.OneToOneField(Person, verbose_name="Person", on_delete=models.CASCADE, primary_key=True,
                                  related_name="reporting_fact")
    sex = models.CharField("Geschlecht", max_length=1, blank=True)
    birth_year = models.PositiveSmallIntegerField("Geburtsjahr", null=True, blank=True)
    origin = models.CharField("Herkunftsgruppe", max_length=12, blank=True,
                              help_text="asyl8 (acht Asylherkunftsländer), ukraine, other")
    household = models.PositiveIntegerField("Haushalt", null=True, blank=True,
                                            help_text="Kennung des aktuellen Haushalts (für die Haushaltsregel)")
    arrival_on = models.DateField("Einreise", null=True, blank=True)
    registered_on = models.DateField("erfasst in Stella", null=True, blank=True)
    first_counselling_on = models.DateField("erste Beratung", null=True, blank=True)
    first_course_start_on = models.DateField("erster Sprachkursbeginn", null=True, blank=True)
    first_course_end_on = models.DateField("erster Sprachkurs abgeschlossen", null=True, blank=True)
    first_course_level = models.CharField("erreichtes Niveau", max_length=2, blank=True)
    first_integration_on = models.DateField("erste Integration", null=True, blank=True)
    recognition_on = models.DateField("Schutzstatus rechtskräftig", null=True, blank=True)
    first_jc_appointment_on = models.DateField("erster Termin im Jobcenter nach Anerkennung", null=True, blank=True)
    computed_at = models.DateTimeField("berechnet", default=timezone.now)

    class Meta:
        verbose_name = "Auswertungsfakt Person"
        verbose_name_plural = "Auswertungsfakten Personen"


class FactSpan(models.Model):
    """A period in which the person was a Stella client with the same attributes (caseload, status group,
    benefit regime, phase, accommodation, lead agency and team, district). A change of any of them starts a
    new span; `ends_on` is the last day (null: still open)."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField("von")
    ends_on = models.DateField("bis", null=True, blank=True)
    district = models.CharField("Landkreis", max_length=20, help_text="Region.code, z. B. LK-LB")
    agency = models.CharField("federführende Behörde", max_length=30, help_text="Agency.code")
    team = models.CharField("Team", max_length=80, blank=True)
    sex = models.CharField("Geschlecht", max_length=1, blank=True)
    birth_year = models.PositiveSmallIntegerField("Geburtsjahr", null=True, blank=True)
    origin = models.CharField("Herkunftsgruppe", max_length=12, blank=True)
    status_group = models.CharField("Statusgruppe", max_length=12, blank=True,
                                    help_text="gestattung, schutz, duldung, ukraine, sonstige")
    regime = models.CharField("Rechtskreis", max_length=12, blank=True, help_text="asylblg, sgb2, sgb3, keiner")
    phase = models.CharField("Phase", max_length=20, blank=True)
    accommodation = models.CharField("Unterbringung", max_length=10, blank=True)
    activated = models.BooleanField("in Maßnahme oder Kurs", default=False)
    single_parent = models.BooleanField("alleinerziehend", default=False)
    household = models.PositiveIntegerField("Haushalt", null=True, blank=True)

    class Meta:
        verbose_name = "Auswertungszeitraum"
        verbose_name_plural = "Auswertungszeiträume"
        indexes = [models.Index(fields=["person"]), models.Index(fields=["starts_on", "ends_on"])]


class EventKind(models.TextChoices):
    INTEGRATION = "integration", "Integration (K2)"
    MINIJOB = "minijob", "Eintritt Minijob (K2E1)"
    COUNSELLING = "counselling", "erste Beratung"
    COURSE_START = "course_start", "erster Sprachkursbeginn"
    COURSE_END = "course_end", "Sprachkurs abgeschlossen"
    FIRST_INTEGRATION = "first_integration", "erste Integration"
    RECOGNITION = "recognition", "Anerkennung → erster Jobcenter-Termin"
    HANDOVER = "handover", "Übergabe"
    COURSE_WAIT = "course_wait", "Wartezeit auf einen Kursplatz"
    ARRIVAL_YEAR = "arrival_year", "Jahrestag der Einreise"


class FactEvent(models.Model):
    """A dated event of a person with the attributes of the span it fell in (denormalised for the cube).
    `days` carries a duration (e.g. registration → first counselling), `bucket` a small number (years since
    arrival for ARRIVAL_YEAR), `flag` a yes/no (integration: still employed after 12 months; arrival year:
    employed on that day; hand-over: completed within 30 days), `flag2` a second one (integration:
    benefit receipt ended within 3 months)."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("Art", max_length=20, choices=EventKind.choices)
    on = models.DateField("am")
    district = models.CharField("Landkreis", max_length=20)
    agency = models.CharField("federführende Behörde", max_length=30)
    team = models.CharField("Team", max_length=80, blank=True)
    sex = models.CharField("Geschlecht", max_length=1, blank=True)
    birth_year = models.PositiveSmallIntegerField("Geburtsjahr", null=True, blank=True)
    origin = models.CharField("Herkunftsgruppe", max_length=12, blank=True)
    status_group = models.CharField("Statusgruppe", max_length=12, blank=True)
    regime = models.CharField("Rechtskreis", max_length=12, blank=True)
    single_parent = models.BooleanField("alleinerziehend", default=False)
    household = models.PositiveIntegerField("Haushalt", null=True, blank=True)
    days = models.IntegerField("Dauer (Tage)", null=True, blank=True)
    bucket = models.SmallIntegerField("Stufe", null=True, blank=True)
    flag = models.BooleanField("ja/nein", null=True, blank=True)
    flag2 = models.BooleanField("ja/nein (2)", null=True, blank=True)
    detail = models.CharField("Zusatz", max_length=20, blank=True, help_text="z. B. Art der Integration, Niveau")

    class Meta:
        verbose_name = "Auswertungsereignis"
        verbose_name_plural = "Auswertungsereignisse"
        indexes = [models.Index(fields=["person"]), models.Index(fields=["kind", "on"])]


class Cell(models.Model):
    """One pre-aggregated number: a measure for a month (the reference month; windows such as "the last 12
    months" end in it), an organisational unit (district / agency / team, '' = all) and at most one
    demographic breakdown (`dim` = '' for none, else e.g. 'sex' with `dim_value` 'f').

    `value` is what the measure counts (events, persons, person-months, seats), `persons` and `households`
    the distinct persons and households behind it (the confidentiality rule needs both), `hist` a histogram
    {days: count} for duration measures (quartiles are computed from it)."""

    month = models.DateField("Monat", help_text="erster Tag des Bezugsmonats")
    measure = models.CharField("Messgröße", max_length=40)
    district = models.CharField("Landkreis", max_length=20, blank=True)
    agency = models.CharField("Behörde", max_length=30, blank=True)
    team = models.CharField("Team", max_length=80, blank=True)
    dim = models.CharField("Aufgliederung", max_length=20, blank=True)
    dim_value = models.CharField("Ausprägung", max_length=20, blank=True)
    bucket = models.SmallIntegerField("Stufe", null=True, blank=True)
    value = models.BigIntegerField("Wert")
    persons = models.IntegerField("Personen")
    households = models.IntegerField("Haushalte")
    hist = models.JSONField("Verteilung", null=True, blank=True)

    class Meta:
        verbose_name = "Auswertungszelle"
        verbose_name_plural = "Auswertungszellen"
        indexes = [models.Index(fields=["measure", "month", "dim", "district", "agency", "team"])]


class RefreshState(models.Model):
    """Progress of the incremental refresh (one row): audit events up to `audit_id` are reflected in the
    facts; `dirty_from` is the earliest month whose cells must be rebuilt (null: cells are current)."""

    audit_id = models.BigIntegerField("verarbeitet bis Audit-Ereignis", default=0)
    dirty_from = models.DateField("Zellen neu zu bilden ab", null=True, blank=True)
    refreshed_at = models.DateTimeField("zuletzt aktualisiert", null=True, blank=True)
    full_at = models.DateTimeField("zuletzt vollständig neu berechnet", null=True, blank=True)
    data_until = models.DateField("Daten bis", null=True, blank=True,
                                  help_text="letzter vollständig berechneter Monat (Stand der Auswertungen)")
    running_since = models.DateTimeField("läuft seit", null=True, blank=True)
    last_error = models.TextField("letzter Fehler", blank=True)
    #: raised by every cube build: what was answered from cells before is out of date (the overview's cache key)
    cells_version = models.BigIntegerField("Stand der Zellen", default=0)

    class Meta:
        verbose_name = "Stand der Auswertungen"
        verbose_name_plural = "Stand der Auswertungen"


class Target(models.Model):
    """A target a team lead sets for an indicator, year and unit. Append-only: a change is a new row; the
    newest row for (indicator, year, district, agency, team) is in force."""

    indicator = models.CharField("Kennzahl", max_length=40)
    year = models.PositiveSmallIntegerField("Jahr")
    district = models.CharField("Landkreis", max_length=20, blank=True)
    agency = models.CharField("Behörde", max_length=30, blank=True)
    team = models.CharField("Team", max_length=80, blank=True)
    value = models.DecimalField("Zielwert", max_digits=8, decimal_places=2)
    note = models.CharField("Anmerkung", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="gesetzt von", on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField("gesetzt am", default=timezone.now)

    class Meta:
        verbose_name = "Zielwert"
        verbose_name_plural = "Zielwerte"
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["indicator", "year", "district", "agency", "team"])]
