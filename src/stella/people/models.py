"""The person (Kundin/Kunde): names in several spellings and scripts, birth date with precision,
nationalities, languages, contacts, addresses, identifiers, identity documents and households.

Sub-records are history: they are added and ended (valid_until), not overwritten.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency
from stella.people.names import RTL_SCRIPTS
from stella.people.validators import CEFR_LEVELS, IDENTIFIER_FORMATS


class Sex(models.TextChoices):
    FEMALE = "f", "weiblich"
    MALE = "m", "männlich"
    DIVERSE = "d", "divers"
    UNKNOWN = "u", "unbekannt"


class DatePrecision(models.TextChoices):
    EXACT = "exact", "taggenau"
    MONTH = "month", "nur Monat und Jahr"
    YEAR = "year", "nur Jahr"
    UNKNOWN = "unknown", "unbekannt"


class Person(models.Model):
    """A refugee with one shared file. `version` guards against lost updates (optimistic locking)."""

    sex = models.CharField("Geschlecht", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField("Geburtsdatum", null=True, blank=True, db_index=True,
                                  help_text="Bei ungenauem Datum Platzhalter (1. des Monats bzw. 1. Januar)")
    birth_date_precision = models.CharField("Genauigkeit des Geburtsdatums", max_length=10,
                                            choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    birth_place = models.CharField("Geburtsort", max_length=120, blank=True)
    birth_country = models.CharField("Geburtsland", max_length=3, blank=True, help_text="ISO 3166 Alpha-3")
    registered_by = models.ForeignKey(Agency, verbose_name="erfasst von", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("angelegt", default=timezone.now)
    updated_at = models.DateTimeField("geändert", default=timezone.now)
    version = models.PositiveIntegerField("Version", default=1, help_text="Steigt mit jeder Änderung")
    merged_into = models.ForeignKey("self", verbose_name="zusammengeführt in", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    help_text="Gesetzt, solange diese Erfassung in eine andere Person zusammengeführt ist "
                                              "(Dublette); die Daten liegen dann bei jener Person")

    class Meta:
        verbose_name = "Person"
        verbose_name_plural = "Personen"

    def __str__(self) -> str:
        name = self.primary_name
        return name.display if name else f"Person {self.pk}"

    @property
    def primary_name(self) -> PersonName | None:
        names = list(self.names.all())
        for kind in (NameKind.REGISTERED, NameKind.DOCUMENT, NameKind.ORIGINAL, NameKind.ALIAS):
            for n in names:
                if n.kind == kind and n.valid_until is None:
                    return n
        return names[0] if names else None

    @property
    def birth_date_display(self) -> str:
        d, p = self.birth_date, self.birth_date_precision
        if d is None or p == DatePrecision.UNKNOWN:
            return "unbekannt"
        if p == DatePrecision.YEAR:
            return f"{d.year} (nur Jahr)"
        if p == DatePrecision.MONTH:
            return f"{d.month:02d}/{d.year}"
        return d.strftime("%d.%m.%Y")

    def age_on(self, on: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class NameKind(models.TextChoices):
    DOCUMENT = "document", "laut Dokument"
    REGISTERED = "registered", "wie registriert"
    ORIGINAL = "original", "Originalschrift"
    ALIAS = "alias", "weitere Schreibweise"


class PersonName(models.Model):
    """One spelling of a person's name; several per person, none overwritten."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="names")
    kind = models.CharField("Art", max_length=12, choices=NameKind.choices)
    given_names = models.CharField("Vornamen", max_length=200, blank=True)
    family_name = models.CharField("Familienname", max_length=200)
    script = models.CharField("Schrift", max_length=4, default="latn", help_text="ISO 15924, z. B. latn, arab")
    source_agency = models.ForeignKey(Agency, verbose_name="Quelle", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    valid_until = models.DateTimeField("ungültig seit", null=True, blank=True)

    class Meta:
        verbose_name = "Name"
        verbose_name_plural = "Namen"
        ordering = ["person_id", "id"]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return f"{self.family_name}, {self.given_names}" if self.given_names else self.family_name

    @property
    def is_rtl(self) -> bool:
        return self.script in RTL_SCRIPTS


class NameKey(models.Model):
    """Spelling-tolerant search key of one name token (see people/names.py); rebuilt from names."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField("Schlüssel", max_length=40)
    birth_year = models.PositiveSmallIntegerField("Geburtsjahr", null=True, blank=True,
                                                  help_text="Kopie aus der Person, damit die Dublettenprüfung Schlüssel "
                                                            "und Jahr in einem Index findet")

    class Meta:
        verbose_name = "Namensschlüssel"
        verbose_name_plural = "Namensschlüssel"
        constraints = [models.UniqueConstraint(fields=["key", "person"], name="unique_name_key")]
        indexes = [models.Index(fields=["key", "birth_year", "person"], name="name_key_year")]


class Nationality(models.Model):
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="nationalities")
    country = models.CharField("Staatsangehörigkeit", max_length=3, help_text="ISO 3166 Alpha-3; XXA staatenlos, XXX ungeklärt")
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    valid_until = models.DateTimeField("ungültig seit", null=True, blank=True)

    class Meta:
        verbose_name = "Staatsangehörigkeit"
        verbose_name_plural = "Staatsangehörigkeiten"
        ordering = ["id"]


class LanguageSkill(models.Model):
    """A language the person speaks, with CEFR level (MT = mother tongue)."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="languages")
    language = models.CharField("Sprache", max_length=3, help_text="ISO 639-1 oder 639-3")
    level = models.CharField("Niveau", max_length=2, choices=[(x, x) for x in CEFR_LEVELS])
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Sprachkenntnis"
        verbose_name_plural = "Sprachkenntnisse"
        ordering = ["id"]


class ContactKind(models.TextChoices):
    PHONE = "phone", "Telefon"
    EMAIL = "email", "E-Mail"
    OTHER = "other", "Sonstiges"


class Contact(models.Model):
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("Art", max_length=10, choices=ContactKind.choices)
    value = models.CharField("Wert", max_length=200)
    created_at = models.DateTimeField("erfasst", default=timezone.now)
    valid_until = models.DateTimeField("ungültig seit", null=True, blank=True)

    class Meta:
        verbose_name = "Kontakt"
        verbose_name_plural = "Kontakte"
        ordering = ["id"]


class AccommodationType(models.TextChoices):
    ERSTAUFNAHME = "ea", "Erstaufnahme (Land)"
    VORLAEUFIG = "vu", "vorläufige Unterbringung (Landkreis)"
    ANSCHLUSS = "au", "Anschlussunterbringung (Gemeinde)"
    PRIVATE = "private", "Privatwohnung"


class Address(models.Model):
    """Where the person lives from a date; the newest row without an end is current."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField("Straße und Hausnummer", max_length=200, blank=True)
    postcode = models.CharField("PLZ", max_length=5, blank=True)
    municipality = models.CharField("Gemeinde", max_length=120)
    accommodation = models.CharField("Unterbringung", max_length=10, choices=AccommodationType.choices,
                                     default=AccommodationType.PRIVATE)
    valid_from = models.DateField("gültig ab")
    valid_until = models.DateField("gültig bis", null=True, blank=True)
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Anschrift"
        verbose_name_plural = "Anschriften"
        ordering = ["-valid_from", "-id"]


class IdentifierKind(models.TextChoices):
    AZR = "azr", IDENTIFIER_FORMATS["azr"].label
    BAMF = "bamf", IDENTIFIER_FORMATS["bamf"].label
    BA = "ba_kundennummer", IDENTIFIER_FORMATS["ba_kundennummer"].label
    BG = "bg_nummer", IDENTIFIER_FORMATS["bg_nummer"].label


class Identifier(models.Model):
    """An official number; unique per kind across all persons."""

    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField("Art", max_length=20, choices=IdentifierKind.choices)
    value = models.CharField("Wert", max_length=40, help_text="normalisiert: Großbuchstaben, ohne Leerzeichen")
    source_agency = models.ForeignKey(Agency, verbose_name="Quelle", on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Kennung"
        verbose_name_plural = "Kennungen"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_identifier")]
        ordering = ["id"]


class DocumentKind(models.TextChoices):
    ANKUNFTSNACHWEIS = "akn", "Ankunftsnachweis"
    GESTATTUNG = "gestattung", "Aufenthaltsgestattung"
    DULDUNG = "duldung", "Duldung"
    AUFENTHALTSERLAUBNIS = "ae", "Aufenthaltserlaubnis"
    FIKTION = "fiktion", "Fiktionsbescheinigung"
    PASSPORT = "passport", "Reisepass"


#: Documents that belong to the residence category (the passport is identity).
RESIDENCE_DOCUMENTS = frozenset({DocumentKind.ANKUNFTSNACHWEIS, DocumentKind.GESTATTUNG, DocumentKind.DULDUNG,
                                 DocumentKind.AUFENTHALTSERLAUBNIS, DocumentKind.FIKTION})


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("Art", max_length=12, choices=DocumentKind.choices)
    number = models.CharField("Nummer", max_length=40)
    issued_on = models.DateField("ausgestellt am", null=True, blank=True)
    valid_until = models.DateField("gültig bis", null=True, blank=True)
    issuing_authority = models.CharField("ausstellende Behörde", max_length=200, blank=True)
    legal_basis = models.CharField("Rechtsgrundlage", max_length=60, blank=True, help_text="z. B. §25 Abs. 2 AufenthG")
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Ausweisdokument"
        verbose_name_plural = "Ausweisdokumente"
        ordering = ["-issued_on", "-id"]


class Household(models.Model):
    """A household / Bedarfsgemeinschaft (benefit unit under SGB II, or for accommodation)."""

    label = models.CharField("Bezeichnung", max_length=120, blank=True)
    bg_number = models.CharField("BG-Nummer", max_length=20, blank=True, help_text="Nummer der Bedarfsgemeinschaft")
    created_at = models.DateTimeField("angelegt", default=timezone.now)

    class Meta:
        verbose_name = "Haushalt / Bedarfsgemeinschaft"
        verbose_name_plural = "Haushalte / Bedarfsgemeinschaften"


class Relationship(models.TextChoices):
    HEAD = "head", "Haushaltsvorstand"
    PARTNER = "partner", "Partner/in"
    CHILD = "child", "Kind"
    PARENT = "parent", "Elternteil"
    SIBLING = "sibling", "Geschwister"
    OTHER = "other", "sonstige"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, verbose_name="Haushalt", on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, verbose_name="Person", on_delete=models.CASCADE, related_name="household_memberships")
    relationship = models.CharField("Beziehung", max_length=10, choices=Relationship.choices)
    since = models.DateField("seit")
    until = models.DateField("bis", null=True, blank=True)

    class Meta:
        verbose_name = "Haushaltsmitglied"
        verbose_name_plural = "Haushaltsmitglieder"
        ordering = ["household_id", "id"]
