"""Competence profile of a person and the KldB 2010 occupation classification it is coded in.

Profile rows are history: they are added and ended (`ended_at`), never overwritten, like the person's
other sub-records. The classification is loaded by `stella kldb load` from the copy shipped in
`competences/data/` and keeps its version; codes are validated against the active version.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency
from stella.people.models import Person
from stella.people.validators import CEFR_LEVELS

CEFR_CHOICES = [(x, x) for x in CEFR_LEVELS]


class KldbVersion(models.Model):
    """A loaded version of the Klassifikation der Berufe 2010; exactly one is active."""

    name = models.CharField("Fassung", max_length=80, help_text="z. B. KldB 2010, Fassung 2020")
    source_file = models.CharField("Quelldatei", max_length=200)
    sha256 = models.CharField("SHA-256 der Quelldatei", max_length=64, unique=True)
    loaded_at = models.DateTimeField("geladen", default=timezone.now)
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "KldB-Fassung"
        verbose_name_plural = "KldB-Fassungen"
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="one_active_kldb_version")]

    def __str__(self) -> str:
        return self.name


class Occupation(models.Model):
    """One position of the KldB 2010 (levels 1–5; level 5 is the Berufsgattung with Anforderungsniveau)."""

    version = models.ForeignKey(KldbVersion, verbose_name="Fassung", on_delete=models.PROTECT,
                                related_name="occupations")
    code = models.CharField("Schlüssel", max_length=5, help_text="mit führenden Nullen, z. B. 01 oder 29302")
    level = models.PositiveSmallIntegerField("Ebene", help_text="1 Berufsbereich … 5 Berufsgattung")
    title = models.CharField("Titel", max_length=300)
    short_title = models.CharField("Kurztitel", max_length=300, blank=True)
    activities = models.TextField("Einschlüsse (typische Tätigkeiten)", blank=True)
    also_includes = models.TextField("Umfasst ferner", blank=True)
    excludes = models.TextField("Ausschlüsse", blank=True)
    search_text = models.TextField("Suchtext", blank=True, help_text="normalisiert, für die Berufssuche")

    class Meta:
        verbose_name = "Beruf (KldB 2010)"
        verbose_name_plural = "Berufe (KldB 2010)"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_kldb_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.short_title or self.title}"

    @property
    def skill_level(self) -> int | None:
        """Anforderungsniveau (1 Helfer, 2 Fachkraft, 3 Spezialist, 4 Experte) of a level-5 code."""
        return int(self.code[4]) if self.level == 5 and len(self.code) == 5 else None


class ProfileRow(models.Model):
    """Common columns of profile rows: whose, recorded by which agency when, ended when."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(Agency, verbose_name="erfasst von", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    ended_at = models.DateTimeField("beendet", null=True, blank=True,
                                    help_text="Gesetzt, wenn die Angabe nicht mehr gilt (nie gelöscht)")
    replaces = models.ForeignKey("self", verbose_name="ersetzt", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+",
                                 help_text="Die beendete Angabe, die diese fortschreibt (z. B. bestätigter Beruf, "
                                           "neuer Stand der Anerkennung)")

    class Meta:
        abstract = True
        ordering = ["id"]


class Certificate(models.TextChoices):
    NONE = "none", "ohne Abschluss"
    PRIMARY = "primary", "Grundschule"
    LOWER_SECONDARY = "lower_secondary", "Abschluss der Sekundarstufe I (etwa Hauptschule)"
    MIDDLE = "middle", "mittlerer Abschluss (etwa Realschule)"
    UNIVERSITY_ENTRANCE = "university_entrance", "Hochschulreife"


class SchoolEducation(ProfileRow):
    """School education: years attended, certificate and country."""

    years = models.PositiveSmallIntegerField("Schuljahre")
    certificate = models.CharField("Abschluss", max_length=30, choices=Certificate.choices, default=Certificate.NONE)
    country = models.CharField("Land", max_length=3, blank=True, help_text="ISO 3166 Alpha-3")

    class Meta(ProfileRow.Meta):
        verbose_name = "Schulbildung"
        verbose_name_plural = "Schulbildung"


class QualificationKind(models.TextChoices):
    VOCATIONAL = "vocational", "Berufsabschluss"
    ACADEMIC = "academic", "Hochschulabschluss"


class Recognition(models.TextChoices):
    """Status of the recognition (Anerkennung) of a foreign qualification in Germany."""

    NOT_STARTED = "not_started", "nicht beantragt"
    APPLIED = "applied", "beantragt"
    PARTIAL = "partial", "teilweise gleichwertig"
    FULL = "full", "voll gleichwertig"


class Qualification(ProfileRow):
    """A vocational or academic qualification and the state of its recognition in Germany."""

    kind = models.CharField("Art", max_length=12, choices=QualificationKind.choices)
    title = models.CharField("Bezeichnung", max_length=200, help_text="wie angegeben, in jeder Schrift")
    country = models.CharField("Land", max_length=3, blank=True, help_text="ISO 3166 Alpha-3")
    year = models.PositiveSmallIntegerField("Abschlussjahr", null=True, blank=True)
    occupation = models.ForeignKey(Occupation, verbose_name="Beruf (KldB 2010)", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    recognition = models.CharField("Anerkennung", max_length=12, choices=Recognition.choices,
                                   default=Recognition.NOT_STARTED)
    recognition_body = models.CharField("anerkennende Stelle", max_length=200, blank=True,
                                        help_text="z. B. IHK FOSA, HWK, Regierungspräsidium")
    recognition_date = models.DateField("Datum der Entscheidung bzw. des Antrags", null=True, blank=True)

    class Meta(ProfileRow.Meta):
        verbose_name = "Qualifikation"
        verbose_name_plural = "Qualifikationen"


class WorkExperience(ProfileRow):
    """Work experience: the job title as the person gave it and, once confirmed, its KldB 2010 code."""

    title_as_given = models.CharField("Berufsbezeichnung wie angegeben", max_length=200,
                                      help_text="in jeder Sprache und Schrift")
    title_language = models.CharField("Sprache der Angabe", max_length=3, blank=True, help_text="ISO 639")
    occupation = models.ForeignKey(Occupation, verbose_name="Beruf (KldB 2010)", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   help_text="leer, bis die Fachkraft einen Vorschlag bestätigt")
    years = models.DecimalField("Jahre Erfahrung", max_digits=4, decimal_places=1)
    country = models.CharField("Land", max_length=3, blank=True, help_text="ISO 3166 Alpha-3")

    class Meta(ProfileRow.Meta):
        verbose_name = "Berufserfahrung"
        verbose_name_plural = "Berufserfahrungen"


class SkillKind(models.TextChoices):
    SKILL = "skill", "Fähigkeit"
    DRIVING_LICENCE = "driving_licence", "Führerschein"


class Skill(ProfileRow):
    """A skill (free text) or a driving-licence class (B, C1, …)."""

    kind = models.CharField("Art", max_length=20, choices=SkillKind.choices)
    value = models.CharField("Angabe", max_length=120)

    class Meta(ProfileRow.Meta):
        verbose_name = "Fähigkeit"
        verbose_name_plural = "Fähigkeiten"


class LevelSource(models.TextChoices):
    CERTIFICATE = "certificate", "Prüfungszeugnis"
    COURSE = "course", "Kursergebnis"
    SELF = "self", "Selbsteinschätzung"


class LanguageAssessment(ProfileRow):
    """A dated CEFR assessment of one language per skill, with its source; the newest one counts."""

    language = models.CharField("Sprache", max_length=3, help_text="ISO 639-1 oder 639-3")
    speaking = models.CharField("Sprechen", max_length=2, choices=CEFR_CHOICES, blank=True)
    understanding = models.CharField("Hören/Verstehen", max_length=2, choices=CEFR_CHOICES, blank=True)
    reading = models.CharField("Lesen", max_length=2, choices=CEFR_CHOICES, blank=True)
    writing = models.CharField("Schreiben", max_length=2, choices=CEFR_CHOICES, blank=True)
    source = models.CharField("Quelle", max_length=12, choices=LevelSource.choices)
    source_detail = models.CharField("Nachweis", max_length=200, blank=True, help_text="z. B. DTZ, telc B1")
    assessed_on = models.DateField("festgestellt am")

    class Meta(ProfileRow.Meta):
        verbose_name = "Sprachstand"
        verbose_name_plural = "Sprachstände"
        indexes = [models.Index(fields=["person", "language"])]


class Mobility(models.TextChoices):
    MUNICIPALITY = "municipality", "nur Wohnort"
    DISTRICT = "district", "im Landkreis"
    REGION = "region", "in den Nachbarkreisen (Pilotregion)"


class Circumstances(ProfileRow):
    """What offers must fit: childcare, women-only, part-time, how far the person can travel.

    Hard rules of matching read the newest row. A residence obligation (Wohnsitzauflage) narrows mobility
    to the district whatever is recorded here.
    """

    needs_childcare = models.BooleanField("braucht Kinderbetreuung", default=False)
    women_only = models.BooleanField("nur Angebote für Frauen", default=False)
    part_time_only = models.BooleanField("nur Teilzeit", default=False)
    mobility = models.CharField("erreichbar", max_length=12, choices=Mobility.choices, default=Mobility.DISTRICT)
    residence_obligation = models.BooleanField("Wohnsitzauflage", default=False)

    class Meta(ProfileRow.Meta):
        verbose_name = "Rahmenbedingung"
        verbose_name_plural = "Rahmenbedingungen"
