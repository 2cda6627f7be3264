"""Allocation runs: a proposed optimal assignment of waiting persons to offer seats, reviewed (overrides
with a reason code) and confirmed by a planner; confirmed assignments become enrolments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency, Region
from stella.offers.models import Enrolment, Offer
from stella.people.models import Person


class RunState(models.TextChoices):
    PROPOSED = "proposed", "Vorschlag"
    CONFIRMED = "confirmed", "bestätigt"
    DISCARDED = "discarded", "verworfen"


class AllocationRun(models.Model):
    """One allocation over a set of offers in a district, with its inputs' fingerprint and results."""

    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Region, verbose_name="Landkreis", on_delete=models.PROTECT, related_name="+")
    offers = models.ManyToManyField(Offer, verbose_name="Angebote", related_name="allocation_runs")
    reference_date = models.DateField("Stichtag")
    state = models.CharField("Stand", max_length=10, choices=RunState.choices, default=RunState.PROPOSED)
    score_version = models.CharField("Version der Bewertung", max_length=20)
    parameters = models.JSONField("Parameter", default=dict, help_text="Wartezeitgewicht, Kosten für Nichtzuteilung, Quoten")
    input_sha256 = models.CharField("Prüfsumme der Eingaben", max_length=64)
    total_score = models.BigIntegerField("Gesamtpunktzahl", default=0)
    persons = models.PositiveIntegerField("Personen", default=0)
    assigned = models.PositiveIntegerField("zugeteilt", default=0)
    fairness = models.JSONField("Fairnessbericht", default=dict)
    capacities = models.JSONField("Plätze beim Vorschlag", default=dict,
                                  help_text="je Angebot: Plätze, belegt, frei und Version beim Vorschlag; die "
                                            "Bestätigung prüft, dass sich daran nichts geändert hat")
    left_out = models.PositiveIntegerField("ohne Zugriff nicht berücksichtigt", default=0,
                                           help_text="Wartende, deren Vermittlungsdaten die Behörde nicht lesen darf")
    version = models.PositiveIntegerField("Version", default=1, help_text="Steigt mit jeder Änderung")
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erstellt von", on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("bestätigt/verworfen am", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="bestätigt/verworfen von",
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "Zuteilungslauf"
        verbose_name_plural = "Zuteilungsläufe"
        ordering = ["-created_at", "-id"]


class OverrideReason(models.TextChoices):
    """Why a planner changed a proposed assignment (counted in the run's report)."""

    PERSON_DECLINED = "declined", "Person hat abgelehnt"
    HEALTH = "health", "gesundheitliche Gründe (nicht im Detail erfasst)"
    CARE = "care", "Betreuungspflichten"
    BETTER_KNOWN_FIT = "known_fit", "besser passendes Angebot aus Beratung bekannt"
    TRANSPORT = "transport", "Erreichbarkeit tatsächlich nicht gegeben"
    OTHER = "other", "anderer Grund (siehe Vermerk)"


class Assignment(models.Model):
    """One person's line in a run: the optimiser's proposal and, if overridden, the planner's choice."""

    run = models.ForeignKey(AllocationRun, verbose_name="Lauf", on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="+")
    proposed_offer = models.ForeignKey(Offer, verbose_name="vorgeschlagen", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    offer = models.ForeignKey(Offer, verbose_name="zugeteilt", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", help_text="nach Prüfung; leer = ohne Platz")
    score = models.IntegerField("Punktzahl", null=True, blank=True,
                                help_text="Passung (0–1000) des zugeteilten Angebots; leer = ohne Platz")
    proposed_score = models.IntegerField("Punktzahl des Vorschlags", null=True, blank=True)
    bonus = models.PositiveIntegerField("Wartezeitbonus", default=0,
                                        help_text="Vorrang nach Wartezeit, zur Punktzahl addiert (nur Zuteilung)")
    waiting_days = models.PositiveIntegerField("Wartetage", default=0)
    waiting = models.JSONField("Wartelisteneinträge beim Vorschlag", default=dict,
                               help_text="Angebot → Teilnahme (Warteliste), die die Person zur Kandidatin machten")
    override_reason = models.CharField("Grund der Änderung", max_length=12, choices=OverrideReason.choices,
                                       blank=True)
    override_note = models.CharField("Vermerk", max_length=300, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="geändert von", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    overridden_at = models.DateTimeField("geändert am", null=True, blank=True)
    enrolment = models.ForeignKey(Enrolment, verbose_name="Teilnahme", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", help_text="bei Bestätigung angelegt bzw. übernommen")

    class Meta:
        verbose_name = "Zuteilung"
        verbose_name_plural = "Zuteilungen"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="one_line_per_person_and_run")]
