"""The shared file (Fallakte): agency participations, the append-only timeline, attachments, consents."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stella.agencies.models import Agency
from stella.authz.policy import CATEGORY_LABELS, Category
from stella.people.models import Person

CATEGORY_CHOICES = [(c.value, CATEGORY_LABELS[c]) for c in Category]


class CaseFile(models.Model):
    """The one shared file of one person."""

    person = models.OneToOneField(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="case_file")
    opened_at = models.DateTimeField("angelegt", default=timezone.now)

    class Meta:
        verbose_name = "Fallakte"
        verbose_name_plural = "Fallakten"

    def __str__(self) -> str:
        return f"Fallakte {self.pk} ({self.person})"


class ParticipationRole(models.TextChoices):
    LEAD = "lead", "federführend"
    CONTRIBUTING = "contributing", "mitwirkend"


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def active_on(self, on: date) -> ParticipationQuerySet:
        return self.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


class Participation(models.Model):
    """An agency's part in a file: role, period and legal basis. Ended by setting `until`, never deleted."""

    case_file = models.ForeignKey(CaseFile, verbose_name="Fallakte", on_delete=models.PROTECT, related_name="participations")
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, related_name="participations")
    role = models.CharField("Rolle", max_length=12, choices=ParticipationRole.choices)
    since = models.DateField("seit")
    until = models.DateField("bis", null=True, blank=True)
    legal_basis = models.CharField("Rechtsgrundlage", max_length=200)
    team = models.CharField("zuständiges Team", max_length=80, blank=True, db_default="",
                            help_text="Team der Behörde, das den Fall führt (Auswertungen nach Team)")
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erfasst von", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "Beteiligung"
        verbose_name_plural = "Beteiligungen"
        ordering = ["since", "id"]
        indexes = [models.Index(fields=["agency", "case_file"])]


class EntryKind(models.TextChoices):
    CONTACT = "contact", "Beratungskontakt"
    NOTE = "note", "Vermerk"
    DOCUMENT = "document", "Dokument"
    STATUS = "status", "Statusereignis"


class TimelineEntry(models.Model):
    """One append-only entry of the file's timeline. A correction is a new entry pointing to the old one."""

    case_file = models.ForeignKey(CaseFile, verbose_name="Fallakte", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("Art", max_length=10, choices=EntryKind.choices)
    category = models.CharField("Datenkategorie", max_length=20, choices=CATEGORY_CHOICES)
    title = models.CharField("Betreff", max_length=200)
    text = models.TextField("Text", blank=True)
    occurred_at = models.DateTimeField("Zeitpunkt", default=timezone.now, help_text="Wann der Kontakt stattfand")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="Verfasser/in", on_delete=models.PROTECT,
                               null=True, blank=True, related_name="+")
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    corrects = models.ForeignKey("self", verbose_name="berichtigt", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections")
    created_at = models.DateTimeField("erfasst", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "Zeitstrahl-Eintrag"
        verbose_name_plural = "Zeitstrahl-Einträge"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case_file", "category", "-occurred_at"])]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Zeitstrahl-Einträge sind unveränderlich; bitte eine Berichtigung anlegen.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Attachment(models.Model):
    """A file (PDF, image) stored outside the database, addressed by its SHA-256 checksum."""

    entry = models.ForeignKey(TimelineEntry, verbose_name="Eintrag", on_delete=models.PROTECT, related_name="attachments",
                              null=True, blank=True)
    filename = models.CharField("Dateiname", max_length=200)
    content_type = models.CharField("Dateityp", max_length=100)
    size = models.PositiveIntegerField("Größe (Bytes)")
    sha256 = models.CharField("Prüfsumme (SHA-256)", max_length=64)
    storage_name = models.CharField("Ablageort", max_length=200, help_text="relativ zum Ablageverzeichnis")
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Anhang"
        verbose_name_plural = "Anhänge"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def valid_on(self, on: date) -> ConsentQuerySet:
        return (self.filter(valid_from__lte=on, revoked_at__isnull=True)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)))


class Consent(models.Model):
    """The person's consent to share categories with agencies for a purpose; dated and revocable."""

    case_file = models.ForeignKey(CaseFile, verbose_name="Fallakte", on_delete=models.PROTECT, related_name="consents")
    categories = models.JSONField("Datenkategorien", help_text="Liste der freigegebenen Datenkategorien")
    agencies = models.ManyToManyField(Agency, verbose_name="empfangende Behörden", related_name="consents")
    purpose = models.CharField("Zweck", max_length=300)
    valid_from = models.DateField("gültig ab")
    valid_until = models.DateField("gültig bis", null=True, blank=True)
    form = models.ForeignKey(Attachment, verbose_name="unterschriebenes Formular", on_delete=models.PROTECT,
                             null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField("erfasst", default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="erfasst von", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField("widerrufen am", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="Widerruf erfasst von",
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revocation_note = models.CharField("Anmerkung zum Widerruf", max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "Einwilligung"
        verbose_name_plural = "Einwilligungen"
        ordering = ["-valid_from", "-id"]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_valid_on(self, on: date) -> bool:
        return (self.revoked_at is None and self.valid_from <= on
                and (self.valid_until is None or self.valid_until >= on))
