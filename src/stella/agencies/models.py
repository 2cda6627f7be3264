"""Partner agencies and the regions (Landkreis, Agenturbezirk) the data is organised by."""

from __future__ import annotations

from datetime import date

from django.db import models


class AgencyKind(models.TextChoices):
    """Kinds of partner agencies; the access policy is written per kind."""

    AA = "AA", "Agentur für Arbeit (SGB III)"
    JC = "JC", "Jobcenter (SGB II)"
    LRA = "LRA", "Landratsamt"
    STADT = "STADT", "Stadt / Gemeinde"
    ABH = "ABH", "Ausländerbehörde"
    KURSTRAEGER = "KT", "Kursträger"
    MIGRATIONSBERATUNG = "MB", "Migrationsberatung"


class Role(models.TextChoices):
    """Roles a user holds within their agency (a user may hold several)."""

    REGISTRATION = "registration", "Registrierung"
    CASEWORKER = "caseworker", "Fallbearbeitung"
    BENEFITS = "benefits", "Leistungssachbearbeitung"
    TEAM_LEAD = "team_lead", "Teamleitung"
    ANALYST = "analyst", "Auswertung"
    DPO = "dpo", "Datenschutzbeauftragte/r"
    ADMIN = "admin", "Administration"


class RegionKind(models.TextChoices):
    LANDKREIS = "landkreis", "Landkreis"
    AGENTURBEZIRK = "agenturbezirk", "Agenturbezirk"


class Region(models.Model):
    """A Landkreis or an Agenturbezirk (agency district)."""

    kind = models.CharField("Art", max_length=20, choices=RegionKind.choices)
    code = models.CharField("Kennung", max_length=20, unique=True, help_text="z. B. LK-LB, AB-LB")
    name = models.CharField("Name", max_length=120)

    class Meta:
        verbose_name = "Region"
        verbose_name_plural = "Regionen"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class Agency(models.Model):
    """A partner agency (one office) that users belong to and that participates in files."""

    kind = models.CharField("Art", max_length=10, choices=AgencyKind.choices)
    code = models.CharField("Kennung", max_length=30, unique=True, help_text="Eindeutige Kennung, z. B. JC-LB")
    name = models.CharField("Name", max_length=200)
    landkreis = models.ForeignKey(
        Region, verbose_name="Landkreis", on_delete=models.PROTECT, related_name="agencies_in_landkreis",
        limit_choices_to={"kind": RegionKind.LANDKREIS},
    )
    agenturbezirk = models.ForeignKey(
        Region, verbose_name="Agenturbezirk", on_delete=models.PROTECT, related_name="agencies_in_bezirk",
        null=True, blank=True, limit_choices_to={"kind": RegionKind.AGENTURBEZIRK},
    )
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "Behörde"
        verbose_name_plural = "Behörden"
        ordering = ["landkreis__name", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A Gemeinde in a Landkreis; the unit the responsibility table is written for."""

    name = models.CharField("Name", max_length=120)
    landkreis = models.ForeignKey(Region, verbose_name="Landkreis", on_delete=models.PROTECT,
                                  related_name="municipalities", limit_choices_to={"kind": RegionKind.LANDKREIS})

    class Meta:
        verbose_name = "Gemeinde"
        verbose_name_plural = "Gemeinden"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["landkreis", "name"], name="unique_municipality")]

    def __str__(self) -> str:
        return self.name


class Function(models.TextChoices):
    """What an agency is responsible for; leads are decided per function."""

    BENEFITS_ASYLBLG = "benefits_asylblg", "Leistungen nach AsylbLG"
    BENEFITS_SGB2 = "benefits_sgb2", "Leistungen nach SGB II"
    LABOUR_SGB3 = "labour_sgb3", "Arbeitsmarktintegration (SGB III)"
    LABOUR_SGB2 = "labour_sgb2", "Arbeitsmarktintegration (SGB II)"
    ACCOMMODATION_VU = "accommodation_vu", "vorläufige Unterbringung"
    ACCOMMODATION_AU = "accommodation_au", "Anschlussunterbringung"
    RESIDENCE = "residence", "Aufenthaltsrecht (Ausländerbehörde)"


class Responsibility(models.Model):
    """Which agency serves a municipality for a function (the regional responsibility table), dated."""

    municipality = models.ForeignKey(Municipality, verbose_name="Gemeinde", on_delete=models.PROTECT,
                                     related_name="responsibilities")
    function = models.CharField("Aufgabe", max_length=20, choices=Function.choices)
    agency = models.ForeignKey(Agency, verbose_name="Behörde", on_delete=models.PROTECT,
                               related_name="responsibilities")
    valid_from = models.DateField("gültig ab", default=date(2013, 1, 1))
    valid_until = models.DateField("gültig bis", null=True, blank=True)

    class Meta:
        verbose_name = "Zuständigkeit"
        verbose_name_plural = "Zuständigkeiten"
        ordering = ["municipality__name", "function", "valid_from"]
        indexes = [models.Index(fields=["municipality", "function"])]
