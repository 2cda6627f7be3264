"""Offers with seats and requirements, enrolments (waiting list → enrolled → completed) with attendance
and result, and placements into training or work with their outcomes after 6 and 12 months.

An offer is not personal data; enrolments and placements are (category "placement", course results also
"competences"). State changes are services; each writes its audit event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency, Municipality
from stella.competences.models import CEFR_CHOICES, Occupation
from stella.people.models import Person


class OfferKind(models.TextChoices):
    INTEGRATION_COURSE = "integration_course", "Integrationskurs"
    DEUFOEV = "deufoev", "Berufsbezogene Deutschsprachförderung (DeuFöV)"
    MEASURE = "measure", "Qualifizierungs- oder Aktivierungsmaßnahme"
    TRAINING = "training", "Ausbildungsplatz"
    VACANCY = "vacancy", "Stelle"


#: Kinds that are language courses (their result is a CEFR level reached).
LANGUAGE_KINDS = frozenset({OfferKind.INTEGRATION_COURSE, OfferKind.DEUFOEV})
#: Kinds that are work or training (need a work permission on the start date; placements follow).
WORK_KINDS = frozenset({OfferKind.TRAINING, OfferKind.VACANCY})


class MeasureType(models.TextChoices):
    """Common programmes; "other" with a title for the rest."""

    NONE = "", "—"
    PERF = "perf", "PerF (Perspektiven für Flüchtlinge)"
    KOMPAS = "kompas", "KompAS (Kompetenzfeststellung, Aktivierung, Sprache)"
    EQ = "eq", "Einstiegsqualifizierung (EQ)"
    MAG = "mag", "Maßnahme bei einem Arbeitgeber (MAG)"
    OTHER = "other", "andere Maßnahme"


class OfferState(models.TextChoices):
    OPEN = "open", "offen"
    CLOSED = "closed", "geschlossen"
    CANCELLED = "cancelled", "abgesagt"


class Offer(models.Model):
    """A course, measure, training place or vacancy with seats, requirements, place and dates."""

    kind = models.CharField("Art", max_length=20, choices=OfferKind.choices)
    title = models.CharField("Titel", max_length=200)
    measure_type = models.CharField("Programm", max_length=10, choices=MeasureType.choices, blank=True)
    module = models.CharField("Modul", max_length=120, blank=True, help_text="z. B. Basissprachkurs, Aufbaukurs")
    target_level = models.CharField("Zielniveau", max_length=2, choices=CEFR_CHOICES, blank=True)
    occupation = models.ForeignKey(Occupation, verbose_name="Beruf (KldB 2010)", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    provider = models.CharField("Träger bzw. Arbeitgeber", max_length=200)
    provider_agency = models.ForeignKey(Agency, verbose_name="Kursträger in Stella", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="provided_offers",
                                        help_text="Ein Kursträger sieht nur die Teilnahmen an seinen Angeboten")
    owner = models.ForeignKey(Agency, verbose_name="verwaltet von", on_delete=models.PROTECT,
                              related_name="owned_offers")
    municipality = models.ForeignKey(Municipality, verbose_name="Ort", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("Beginn")
    ends_on = models.DateField("Ende", null=True, blank=True)
    seats = models.PositiveIntegerField("Plätze")
    min_german_level = models.CharField("Mindestniveau Deutsch", max_length=2, choices=CEFR_CHOICES, blank=True)
    childcare = models.BooleanField("Kinderbetreuung", default=False)
    women_only = models.BooleanField("nur für Frauen", default=False)
    part_time = models.BooleanField("Teilzeit möglich", default=False)
    requires_driving_licence = models.BooleanField("Führerschein nötig", default=False)
    state = models.CharField("Stand", max_length=10, choices=OfferState.choices, default=OfferState.OPEN)
    created_at = models.DateTimeField("angelegt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="angelegt von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField("Version", default=1, help_text="Steigt mit jeder Änderung")

    class Meta:
        verbose_name = "Angebot"
        verbose_name_plural = "Angebote"
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["state", "kind", "starts_on"]), models.Index(fields=["municipality"])]

    def __str__(self) -> str:
        return self.title


class EnrolmentState(models.TextChoices):
    WAITING = "waiting", "Warteliste"
    ENROLLED = "enrolled", "angemeldet"
    COMPLETED = "completed", "abgeschlossen"
    DROPPED = "dropped", "abgebrochen"
    WITHDRAWN = "withdrawn", "zurückgezogen"


#: States that hold (or wait for) a seat; at most one such enrolment per person and offer.
ACTIVE_ENROLMENT_STATES = (EnrolmentState.WAITING, EnrolmentState.ENROLLED)


class Enrolment(models.Model):
    """A person's place (or waiting-list entry) in an offer, with result when completed."""

    offer = models.ForeignKey(Offer, verbose_name="Angebot", on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField("Stand", max_length=10, choices=EnrolmentState.choices, default=EnrolmentState.WAITING)
    requested_at = models.DateTimeField("Anmeldung (Warteliste seit)", default=timezone.now)
    enrolled_on = models.DateField("Platz ab", null=True, blank=True)
    ended_on = models.DateField("beendet am", null=True, blank=True)
    result_level = models.CharField("erreichtes Niveau", max_length=2, choices=CEFR_CHOICES, blank=True)
    result_note = models.CharField("Ergebnis", max_length=300, blank=True, help_text="z. B. DTZ B1 bestanden")
    reason = models.CharField("Begründung", max_length=300, blank=True, help_text="bei Abbruch oder Rückzug")
    agency = models.ForeignKey(Agency, verbose_name="angemeldet durch", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("Version", default=1)

    class Meta:
        verbose_name = "Teilnahme"
        verbose_name_plural = "Teilnahmen"
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["offer", "person"],
                                               condition=models.Q(state__in=["waiting", "enrolled"]),
                                               name="one_active_enrolment")]
        indexes = [models.Index(fields=["offer", "state"]), models.Index(fields=["person", "state"])]


class Attendance(models.Model):
    """Attendance of an enrolled person on one course day (recorded by the provider or the agency)."""

    enrolment = models.ForeignKey(Enrolment, verbose_name="Teilnahme", on_delete=models.PROTECT,
                                  related_name="attendance")
    day = models.DateField("Tag")
    present = models.BooleanField("anwesend")
    excused = models.BooleanField("entschuldigt", default=False)
    recorded_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Anwesenheit"
        verbose_name_plural = "Anwesenheiten"
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="unique_attendance_day")]


class PlacementKind(models.TextChoices):
    """Kinds of integration as the SGB II key figures count them (K2: first three; K2E1: minijob)."""

    EMPLOYMENT = "employment", "sozialversicherungspflichtige Beschäftigung"
    TRAINING = "training", "voll qualifizierende Berufsausbildung"
    SELF_EMPLOYED = "self_employed", "selbständige Tätigkeit"
    MINIJOB = "minijob", "geringfügige Beschäftigung (Minijob)"


class Outcome(models.TextChoices):
    EMPLOYED = "employed", "weiterhin beschäftigt bzw. in Ausbildung"
    OTHER_JOB = "other_job", "anderweitig beschäftigt"
    ENDED = "ended", "beendet, nicht beschäftigt"
    UNKNOWN = "unknown", "unbekannt"


class Placement(models.Model):
    """A placement into training or work, with employer, start and the outcome after 6 and 12 months."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="placements")
    offer = models.ForeignKey(Offer, verbose_name="Angebot", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="placements")
    kind = models.CharField("Art", max_length=15, choices=PlacementKind.choices)
    employer = models.CharField("Arbeitgeber bzw. Ausbildungsbetrieb", max_length=200)
    occupation = models.ForeignKey(Occupation, verbose_name="Beruf (KldB 2010)", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    municipality = models.ForeignKey(Municipality, verbose_name="Ort", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    starts_on = models.DateField("Beginn")
    ends_on = models.DateField("Ende", null=True, blank=True)
    ends_benefit_receipt = models.BooleanField("bedarfsdeckend", null=True, blank=True,
                                               help_text="beendet den Leistungsbezug (sofern bekannt)")
    outcome_6m = models.CharField("Stand nach 6 Monaten", max_length=10, choices=Outcome.choices, blank=True)
    outcome_12m = models.CharField("Stand nach 12 Monaten", max_length=10, choices=Outcome.choices, blank=True)
    agency = models.ForeignKey(Agency, verbose_name="erfasst durch", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    version = models.PositiveIntegerField("Version", default=1)

    class Meta:
        verbose_name = "Vermittlung"
        verbose_name_plural = "Vermittlungen"
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["person", "starts_on"])]
