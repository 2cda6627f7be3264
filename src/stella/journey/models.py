"""The journey: legal-status events (never overwritten), hand-overs between agencies (single and bulk),
tasks (Wiedervorlage), appointments and in-app notifications.

Current state is derived from these dated rows (see `status.py` and `services.py`), never typed in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency, Function
from stella.people.models import IdentityDocument, Person


class EventKind(models.TextChoices):
    """Legal-status events. A BAMF decision carries its `outcome`."""

    EINREISE = "einreise", "Einreise"
    ASYLGESUCH = "asylgesuch", "Asylgesuch"
    ANKUNFTSNACHWEIS = "ankunftsnachweis", "Ankunftsnachweis"
    ASYLANTRAG = "asylantrag", "förmlicher Asylantrag"
    GESTATTUNG = "gestattung", "Aufenthaltsgestattung"
    BAMF_ENTSCHEIDUNG = "bamf_entscheidung", "BAMF-Entscheidung"
    RECHTSKRAFT = "rechtskraft", "Entscheidung rechtskräftig"
    AE_25_1 = "ae_25_1", "Aufenthaltserlaubnis §25 Abs. 1 AufenthG"
    AE_25_2 = "ae_25_2", "Aufenthaltserlaubnis §25 Abs. 2 AufenthG"
    AE_25_3 = "ae_25_3", "Aufenthaltserlaubnis §25 Abs. 3 AufenthG"
    AE_24 = "ae_24", "Aufenthaltserlaubnis §24 AufenthG"
    FIKTION = "fiktion", "Fiktionsbescheinigung"
    DULDUNG_60A = "duldung_60a", "Duldung §60a AufenthG"
    DULDUNG_60B = "duldung_60b", "Duldung §60b AufenthG"
    DULDUNG_60C = "duldung_60c", "Ausbildungsduldung §60c AufenthG"
    DULDUNG_60D = "duldung_60d", "Beschäftigungsduldung §60d AufenthG"
    AUSREISE = "ausreise", "Ausreise"


class DecisionOutcome(models.TextChoices):
    ASYLBERECHTIGUNG = "asylberechtigung", "Asylberechtigung (Art. 16a GG)"
    FLUECHTLINGSSCHUTZ = "fluechtlingsschutz", "Flüchtlingsschutz (§3 AsylG)"
    SUBSIDIAER = "subsidiaer", "subsidiärer Schutz (§4 AsylG)"
    ABSCHIEBUNGSVERBOT = "abschiebungsverbot", "Abschiebungsverbot (§60 Abs. 5/7 AufenthG)"
    ABGELEHNT = "abgelehnt", "Ablehnung (unbegründet)"
    OFFENSICHTLICH_UNBEGRUENDET = "offensichtlich_unbegruendet", "Ablehnung (offensichtlich unbegründet)"
    UNZULAESSIG = "unzulaessig", "Ablehnung (unzulässig)"


POSITIVE_OUTCOMES = frozenset({DecisionOutcome.ASYLBERECHTIGUNG, DecisionOutcome.FLUECHTLINGSSCHUTZ,
                               DecisionOutcome.SUBSIDIAER, DecisionOutcome.ABSCHIEBUNGSVERBOT})


class StatusEvent(models.Model):
    """One dated legal-status event. A correction is a new event pointing at the corrected one."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="status_events")
    kind = models.CharField("Ereignis", max_length=20, choices=EventKind.choices)
    effective_date = models.DateField("wirksam am", help_text="Tag, an dem das Ereignis eintrat")
    outcome = models.CharField("Ergebnis", max_length=30, choices=DecisionOutcome.choices, blank=True,
                               help_text="Nur bei BAMF-Entscheidungen")
    document = models.ForeignKey(IdentityDocument, verbose_name="Dokument", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    note = models.CharField("Anmerkung", max_length=300, blank=True)
    corrects = models.OneToOneField("self", verbose_name="berichtigt", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="correction")
    voids = models.BooleanField("hebt auf", default=False,
                                help_text="Berichtigung, die das berichtigte Ereignis ersatzlos aufhebt")
    agency = models.ForeignKey(Agency, verbose_name="erfasst von Behörde", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erfasst von", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField("erfasst am", default=timezone.now)

    class Meta:
        verbose_name = "Statusereignis"
        verbose_name_plural = "Statusereignisse"
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["person", "effective_date"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Statusereignisse sind unveränderlich; bitte eine Berichtigung erfassen.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class HandOverState(models.TextChoices):
    PROPOSED = "proposed", "vorgeschlagen"
    ACCEPTED = "accepted", "angenommen"
    REJECTED = "rejected", "abgelehnt"
    COMPLETED = "completed", "abgeschlossen"
    CANCELLED = "cancelled", "zurückgezogen"


class HandOver(models.Model):
    """Moving the lead for one function from one agency to another at an effective date."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="handovers")
    function = models.CharField("Aufgabe", max_length=20, choices=Function.choices)
    from_agency = models.ForeignKey(Agency, verbose_name="abgebende Behörde", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="handovers_out")
    to_agency = models.ForeignKey(Agency, verbose_name="übernehmende Behörde", on_delete=models.PROTECT,
                                  related_name="handovers_in")
    reason = models.CharField("Anlass", max_length=300)
    legal_basis = models.CharField("Rechtsgrundlage", max_length=200, blank=True)
    effective_date = models.DateField("wirksam ab")
    summary = models.JSONField("Übergabezusammenfassung", default=dict, blank=True)
    state = models.CharField("Stand", max_length=10, choices=HandOverState.choices, default=HandOverState.PROPOSED)
    trigger = models.ForeignKey(StatusEvent, verbose_name="ausgelöst durch", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="handovers")
    rerouted_from = models.ForeignKey("self", verbose_name="umgeleitet von", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="reroutes")
    bulk_job = models.ForeignKey("BulkHandOverJob", verbose_name="Sammelübergabe", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="handovers")
    decision_note = models.CharField("Begründung", max_length=300, blank=True,
                                     help_text="Pflicht bei Ablehnung")
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erstellt von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField("entschieden am", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="entschieden von",
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField("abgeschlossen am", null=True, blank=True)
    version = models.PositiveIntegerField("Version", default=1)

    class Meta:
        verbose_name = "Übergabe"
        verbose_name_plural = "Übergaben"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["to_agency", "state"]), models.Index(fields=["person", "function"])]
        constraints = [
            # At most one open hand-over per person and function: a re-route closes the old one first.
            models.UniqueConstraint(fields=["person", "function"], condition=models.Q(state__in=["proposed", "accepted"]),
                                    name="one_open_handover_per_function"),
        ]


class BulkJobState(models.TextChoices):
    QUEUED = "queued", "wartet"
    RUNNING = "running", "läuft"
    DONE = "done", "fertig"
    FAILED = "failed", "fehlgeschlagen"


class BulkHandOverJob(models.Model):
    """A group hand-over (e.g. Ukraine, 1 June 2022): criteria, target, progress; items hold the state."""

    criteria = models.JSONField("Auswahlkriterien")
    function = models.CharField("Aufgabe", max_length=20, choices=Function.choices)
    to_agency = models.ForeignKey(Agency, verbose_name="übernehmende Behörde", on_delete=models.PROTECT,
                                  related_name="+")
    effective_date = models.DateField("wirksam ab")
    reason = models.CharField("Anlass", max_length=300)
    state = models.CharField("Stand", max_length=10, choices=BulkJobState.choices, default=BulkJobState.QUEUED)
    total = models.PositiveIntegerField("Personen", default=0)
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erstellt von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField("fertig am", null=True, blank=True)
    legal_basis = models.CharField("Rechtsgrundlage", max_length=200, blank=True,
                                   help_text="Grund des Wechsels, z. B. §74 SGB II (Ukraine, 01.06.2022)")
    task_id = models.CharField("Auftrag", max_length=64, blank=True,
                               help_text="Kennung des zuletzt eingereihten Hintergrundauftrags (django-tasks)")

    class Meta:
        verbose_name = "Sammelübergabe"
        verbose_name_plural = "Sammelübergaben"
        ordering = ["-created_at"]


class ItemState(models.TextChoices):
    PENDING = "pending", "offen"
    DONE = "done", "erledigt"
    SKIPPED = "skipped", "übersprungen"
    FAILED = "failed", "fehlgeschlagen"


class BulkHandOverItem(models.Model):
    """One person of a bulk job: processed at most once (unique), leased while a worker holds it."""

    job = models.ForeignKey(BulkHandOverJob, verbose_name="Sammelübergabe", on_delete=models.PROTECT,
                            related_name="items")
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("Stand", max_length=10, choices=ItemState.choices, default=ItemState.PENDING)
    reason = models.CharField("Grund", max_length=300, blank=True)
    lease_until = models.DateTimeField("in Arbeit bis", null=True, blank=True)
    processed_at = models.DateTimeField("bearbeitet am", null=True, blank=True)

    class Meta:
        verbose_name = "Person einer Sammelübergabe"
        verbose_name_plural = "Personen einer Sammelübergabe"
        constraints = [models.UniqueConstraint(fields=["job", "person"], name="unique_bulk_item")]
        indexes = [models.Index(fields=["job", "state"])]


class TaskState(models.TextChoices):
    OPEN = "open", "offen"
    DONE = "done", "erledigt"
    CANCELLED = "cancelled", "entfallen"


class TaskSource(models.TextChoices):
    MANUAL = "manual", "von Hand"
    HANDOVER = "handover", "Übergabe"
    DEADLINE = "deadline", "Frist"


class Task(models.Model):
    """A Wiedervorlage: assigned to a user or a team of an agency, due on a date, linked to a file."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="tasks")
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, related_name="tasks")
    team = models.CharField("Team", max_length=80, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="zuständig", on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="tasks")
    title = models.CharField("Aufgabe", max_length=200)
    reason = models.CharField("Anlass", max_length=300, blank=True)
    due_date = models.DateField("fällig am", db_index=True)
    source = models.CharField("Herkunft", max_length=10, choices=TaskSource.choices, default=TaskSource.MANUAL)
    source_key = models.CharField("Herkunftsschlüssel", max_length=120, blank=True,
                                  help_text="Verhindert doppelte Fristaufgaben (z. B. vu-ende:123)")
    state = models.CharField("Stand", max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erstellt von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    done_at = models.DateTimeField("erledigt am", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="abgeschlossen von",
                                  on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  help_text="Wer die Aufgabe erledigt oder als entfallen markiert hat")
    close_note = models.CharField("Vermerk zum Abschluss", max_length=300, blank=True,
                                  help_text="z. B. warum die Aufgabe entfallen ist")

    class Meta:
        verbose_name = "Aufgabe"
        verbose_name_plural = "Aufgaben"
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["agency", "source_key"], condition=~models.Q(source_key=""),
                                               name="unique_task_source")]
        indexes = [models.Index(fields=["agency", "state", "due_date"]),
                   models.Index(fields=["assignee", "state"]),
                   models.Index(fields=["person", "state"])]


class Appointment(models.Model):
    """A counselling appointment of an agency with the person."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="appointments")
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField("Beginn")
    ends_at = models.DateTimeField("Ende")
    place = models.CharField("Ort", max_length=200)
    language = models.CharField("Sprache", max_length=3, blank=True, help_text="ISO 639, z. B. ar, prs, ti")
    interpreter_needed = models.BooleanField("Dolmetscher nötig", default=False)
    purpose = models.CharField("Anlass", max_length=200)
    cancelled_at = models.DateTimeField("abgesagt am", null=True, blank=True)
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erstellt von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    counsellor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="Ansprechperson", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="appointments",
                                   help_text="Wer den Termin wahrnimmt („Meine Termine“)")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="abgesagt von", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    cancel_reason = models.CharField("Grund der Absage", max_length=300, blank=True)

    class Meta:
        verbose_name = "Termin"
        verbose_name_plural = "Termine"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["person", "starts_at"]), models.Index(fields=["agency", "starts_at"]),
                   models.Index(fields=["counsellor", "starts_at"])]


class Notification(models.Model):
    """An in-app notification for one user (new hand-over, new task, …)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="Empfänger/in", on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField("Art", max_length=20)
    text = models.CharField("Text", max_length=300)
    link = models.CharField("Link", max_length=200, blank=True)
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    read_at = models.DateTimeField("gelesen am", null=True, blank=True)

    class Meta:
        verbose_name = "Benachrichtigung"
        verbose_name_plural = "Benachrichtigungen"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
