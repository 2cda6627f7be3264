"""Duplicate detection and reversible merges: batch runs, the review queue of candidate pairs, and
merges that record every re-pointed row (provenance) so that an unmerge restores both persons exactly."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from stella.agencies.models import Agency, Region
from stella.people.models import Person


class RunState(models.TextChoices):
    QUEUED = "queued", "wartet"
    RUNNING = "running", "läuft"
    DONE = "done", "fertig"
    FAILED = "failed", "fehlgeschlagen"


class LinkRun(models.Model):
    """One batch run of the duplicate detection over the whole database or one district."""

    district = models.ForeignKey(Region, verbose_name="Landkreis", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", help_text="leer: alle Personen")
    state = models.CharField("Stand", max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    model_version = models.CharField("Modellversion", max_length=40, blank=True)
    parameters = models.JSONField("Parameter", default=dict, help_text="Schwellen für Prüfliste und automatische "
                                                                       "Zusammenführung")
    persons = models.PositiveIntegerField("geprüfte Personen", default=0)
    pairs = models.PositiveIntegerField("verglichene Paare", default=0)
    candidates = models.PositiveIntegerField("neue Prüffälle", default=0)
    auto_merged = models.PositiveIntegerField("automatisch zusammengeführt", default=0)
    error = models.TextField("Fehler", blank=True)
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="angestoßen von",
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("angelegt", default=timezone.now)
    started_at = models.DateTimeField("begonnen", null=True, blank=True)
    finished_at = models.DateTimeField("beendet", null=True, blank=True)

    class Meta:
        verbose_name = "Dublettenlauf"
        verbose_name_plural = "Dublettenläufe"
        ordering = ["-created_at", "-id"]


class CandidateState(models.TextChoices):
    OPEN = "open", "offen"
    CONFIRMED = "confirmed", "gleiche Person – Zustimmung der anderen Behörde fehlt"
    MERGED = "merged", "zusammengeführt"
    DISTINCT = "distinct", "verschiedene Personen"


class LinkCandidate(models.Model):
    """A pair of persons that may be one: an entry of the review queue (person_a has the lower id).

    One row per pair for all time: a later run updates the scores of an open pair; a decided pair keeps
    its decision ("verschiedene Personen" is a cannot-link constraint for later runs)."""

    person_a = models.ForeignKey(Person, verbose_name="Person A", on_delete=models.PROTECT, related_name="+")
    person_b = models.ForeignKey(Person, verbose_name="Person B", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkRun, verbose_name="gefunden im Lauf", on_delete=models.PROTECT, null=True,
                            blank=True, related_name="found", help_text="leer: bei Registrierung/Änderung gefunden")
    probability = models.FloatField("Wahrscheinlichkeit", help_text="Übereinstimmungswahrscheinlichkeit 0–1")
    match_weight = models.FloatField("Gewicht", help_text="log2 des Bayes-Faktors (Fellegi-Sunter)")
    evidence = models.JSONField("Belege je Feld", default=list)
    model_version = models.CharField("Modellversion", max_length=40, blank=True)
    state = models.CharField("Stand", max_length=10, choices=CandidateState.choices, default=CandidateState.OPEN)
    confirmed_by_agency = models.ForeignKey(Agency, verbose_name="als gleich bestätigt von", on_delete=models.PROTECT,
                                            null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="entschieden von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("entschieden am", null=True, blank=True)
    note = models.TextField("Begründung", blank=True)
    merge = models.ForeignKey("Merge", verbose_name="Zusammenführung", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField("gefunden", default=timezone.now)
    updated_at = models.DateTimeField("aktualisiert", default=timezone.now)
    version = models.PositiveIntegerField("Version", default=1, help_text="Steigt mit jeder Entscheidung")

    class Meta:
        verbose_name = "Prüffall (mögliche Dublette)"
        verbose_name_plural = "Prüffälle (mögliche Dubletten)"
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="unique_link_candidate"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="link_candidate_ordered"),
        ]
        indexes = [models.Index(fields=["state", "-probability"], name="link_candidate_queue")]


class Merge(models.Model):
    """`absorbed` merged into `survivor`. Every re-pointed row is a MergeMove (provenance); the person
    fields of both before the merge are kept, so that an unmerge restores both exactly."""

    survivor = models.ForeignKey(Person, verbose_name="bleibende Person", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey(Person, verbose_name="aufgenommene Person", on_delete=models.PROTECT,
                                 related_name="+")
    survivor_before = models.JSONField("bleibende Person vorher", default=dict)
    absorbed_before = models.JSONField("aufgenommene Person vorher", default=dict)
    resolution = models.JSONField("Entscheidungen bei Widersprüchen", default=dict,
                                  help_text="je Feld: welcher Wert gilt und aus welcher Erfassung")
    survivor_version = models.PositiveIntegerField("Version der bleibenden Person danach", default=1)
    relabelled_names = models.JSONField("zu weiteren Schreibweisen gewordene Namen", default=list, blank=True,
                                        help_text="IDs der „wie registriert“-Namen der aufgenommenen Person, die "
                                                  "bei der bleibenden Person „weitere Schreibweise“ sind (die "
                                                  "Aufhebung macht das rückgängig)")
    reason = models.TextField("Begründung", blank=True)
    candidate = models.ForeignKey(LinkCandidate, verbose_name="Prüffall", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    automatic = models.BooleanField("automatisch", default=False)
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="zusammengeführt von",
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    merged_at = models.DateTimeField("zusammengeführt am", default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="aufgehoben von", on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField("aufgehoben am", null=True, blank=True)
    undo_reason = models.TextField("Begründung der Aufhebung", blank=True)

    class Meta:
        verbose_name = "Zusammenführung"
        verbose_name_plural = "Zusammenführungen"
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("absorbed")), name="merge_not_self"),
            # An absorbed person is in at most one merge that is not undone.
            models.UniqueConstraint(fields=["absorbed"], condition=Q(undone_at__isnull=True),
                                    name="merge_absorbed_once"),
        ]


class MergeMove(models.Model):
    """One row that a merge re-pointed from the absorbed person (or its file) to the survivor."""

    merge = models.ForeignKey(Merge, verbose_name="Zusammenführung", on_delete=models.PROTECT, related_name="moves")
    model = models.CharField("Tabelle", max_length=60, help_text="app_label.Model")
    object_id = models.BigIntegerField("Datensatz")
    field = models.CharField("Feld", max_length=60)
    from_id = models.BigIntegerField("vorher", help_text="ID der aufgenommenen Person bzw. ihrer Fallakte")
    to_id = models.BigIntegerField("nachher", help_text="ID der bleibenden Person bzw. ihrer Fallakte")

    class Meta:
        verbose_name = "übernommener Datensatz"
        verbose_name_plural = "übernommene Datensätze"
        ordering = ["merge_id", "id"]
        indexes = [models.Index(fields=["model", "object_id"], name="merge_move_object")]
