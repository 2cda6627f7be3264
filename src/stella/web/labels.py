"""Translations of domain labels and service messages for the English UI.

German is the source language: models, the policy and the services speak German. Their labels and
the messages they raise are listed here with gettext_noop so that makemessages keeps them in the
catalogue; `tr()` translates one at render time, and `translate_message()` also handles the
messages that carry a value (a category label, a file size) by pattern.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

#: Labels of choices defined outside the web app (models, policy); listed for makemessages.
DOMAIN_LABELS = [
    # authz.policy.CATEGORY_LABELS
    gettext_noop("Identität"), gettext_noop("Aufenthalt"), gettext_noop("Leistungen"), gettext_noop("Gesundheit"), gettext_noop("Kompetenzen"),
    gettext_noop("Vermittlung"), gettext_noop("Beratungsvermerke"),
    # people.models
    gettext_noop("weiblich"), gettext_noop("männlich"), gettext_noop("divers"), gettext_noop("unbekannt"),
    gettext_noop("taggenau"), gettext_noop("nur Monat und Jahr"), gettext_noop("nur Jahr"),
    gettext_noop("laut Dokument"), gettext_noop("wie registriert"), gettext_noop("Originalschrift"), gettext_noop("weitere Schreibweise"),
    gettext_noop("AZR-Nummer"), gettext_noop("BAMF-Aktenzeichen"), gettext_noop("BA-Kundennummer"), gettext_noop("BG-Nummer (Jobcenter)"),
    gettext_noop("Ankunftsnachweis"), gettext_noop("Aufenthaltsgestattung"), gettext_noop("Duldung"), gettext_noop("Aufenthaltserlaubnis"),
    gettext_noop("Fiktionsbescheinigung"), gettext_noop("Reisepass"),
    gettext_noop("Erstaufnahme (Land)"), gettext_noop("vorläufige Unterbringung (Landkreis)"),
    gettext_noop("Anschlussunterbringung (Gemeinde)"), gettext_noop("Privatwohnung"),
    gettext_noop("Telefon"), gettext_noop("E-Mail"), gettext_noop("Sonstiges"),
    gettext_noop("Haushaltsvorstand"), gettext_noop("Partner/in"), gettext_noop("Kind"), gettext_noop("Elternteil"), gettext_noop("Geschwister"), gettext_noop("sonstige"),
    gettext_noop("staatenlos"), gettext_noop("Flüchtling (Genfer Konvention)"), gettext_noop("ungeklärt"),
    # cases.models
    gettext_noop("Beratungskontakt"), gettext_noop("Vermerk"), gettext_noop("Dokument"), gettext_noop("Statusereignis"),
    gettext_noop("federführend"), gettext_noop("mitwirkend"),
    # agencies.models
    gettext_noop("Agentur für Arbeit (SGB III)"), gettext_noop("Jobcenter (SGB II)"), gettext_noop("Landratsamt"), gettext_noop("Stadt / Gemeinde"),
    gettext_noop("Ausländerbehörde"), gettext_noop("Kursträger"), gettext_noop("Migrationsberatung"),
    gettext_noop("Registrierung"), gettext_noop("Fallbearbeitung"), gettext_noop("Leistungssachbearbeitung"), gettext_noop("Teamleitung"),
    gettext_noop("Auswertung"), gettext_noop("Datenschutzbeauftragte/r"), gettext_noop("Administration"),
    # audit.models
    gettext_noop("Lesen"), gettext_noop("Suche"), gettext_noop("Anlegen"), gettext_noop("Ändern"), gettext_noop("Berichtigen"), gettext_noop("Widerrufen"), gettext_noop("Export"),
    gettext_noop("Anmeldung"), gettext_noop("Fehlgeschlagene Anmeldung"), gettext_noop("Abmeldung"), gettext_noop("API-Token"), gettext_noop("Verwaltung"),
    gettext_noop("erlaubt"), gettext_noop("verweigert"),
    # rules.assessment (labels of statuses, households, Duldung grounds, activities, outcomes, questions, inputs)
    gettext_noop("Duldung (§60a AufenthG)"), gettext_noop("Duldung für Personen mit ungeklärter Identität (§60b AufenthG)"),
    gettext_noop("Aufenthaltserlaubnis §25 Abs. 1 AufenthG (Asylberechtigung)"),
    gettext_noop("Aufenthaltserlaubnis §25 Abs. 2 AufenthG (Flüchtlingsschutz, subsidiärer Schutz)"),
    gettext_noop("Aufenthaltserlaubnis §25 Abs. 3 AufenthG (Abschiebungsverbot)"),
    gettext_noop("Aufenthaltserlaubnis §24 AufenthG (vorübergehender Schutz)"), gettext_noop("Fiktionsbescheinigung (Ukraine)"),
    gettext_noop("alleinstehend im eigenen Haushalt"), gettext_noop("in Partnerschaft"), gettext_noop("im Haushalt der Eltern"),
    gettext_noop("alleinstehend in einer Sammelunterkunft"),
    gettext_noop("Einreise, um AsylbLG-Leistungen zu erhalten (§60a Abs. 6 S. 1 Nr. 1 AufenthG)"),
    gettext_noop("Abschiebung aus selbst zu vertretenden Gründen unmöglich (§60a Abs. 6 S. 1 Nr. 2 AufenthG)"),
    gettext_noop("sicherer Herkunftsstaat (§60a Abs. 6 S. 1 Nr. 3 AufenthG)"),
    gettext_noop("konkrete Maßnahmen zur Aufenthaltsbeendigung stehen bevor (§60a Abs. 5b AufenthG)"),
    gettext_noop("Beschäftigung"), gettext_noop("Berufsausbildung"), gettext_noop("Praktikum"), gettext_noop("Selbständigkeit"),
    gettext_noop("Erwerbstätigkeit erlaubt, keine Erlaubnis nötig"), gettext_noop("Erlaubnis der Ausländerbehörde nötig"),
    gettext_noop("Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig"), gettext_noop("Nicht erlaubt"),
    gettext_noop("AsylbLG §3 (Grundleistungen)"), gettext_noop("AsylbLG §2 (Analogleistungen)"), gettext_noop("SGB II (Bürgergeld)"),
    gettext_noop("Anspruch auf Teilnahme"), gettext_noop("Zulassung möglich, soweit Plätze frei sind"), gettext_noop("Keine Zulassung"),
    gettext_noop("Arbeitsmarktzugang"), gettext_noop("Rechtskreiswechsel"), gettext_noop("Integrationskurs"),
    gettext_noop("Stichtag"), gettext_noop("Aufenthaltsstatus"), gettext_noop("Einreisedatum"), gettext_noop("Datum des Asylgesuchs"),
    gettext_noop("Beginn der Duldung"), gettext_noop("Wohnpflicht in der Aufnahmeeinrichtung"),
    gettext_noop("Beginn der Wohnpflicht in der Aufnahmeeinrichtung"), gettext_noop("Mit minderjährigen Kindern im Haushalt"),
    gettext_noop("Alter"), gettext_noop("Haushaltssituation"), gettext_noop("Gründe für ein Arbeitsverbot mit Duldung"),
    gettext_noop("Identität geklärt"), gettext_noop("Arbeitsmarktnähe"), gettext_noop("Beginn der Analogleistungen"),
    gettext_noop("Datum der Bestandskraft der Anerkennung"), gettext_noop("ja"), gettext_noop("nein"), gettext_noop("nicht bekannt"),
    # rules.benefits.STAGE_DE
    gettext_noop("alleinstehende oder alleinerziehende erwachsene Person"),
    gettext_noop("Erwachsene in Partnerschaft oder Alleinstehende in einer Sammelunterkunft"),
    gettext_noop("Erwachsene unter 25 Jahren im Haushalt der Eltern"), gettext_noop("Jugendliche von 14 bis 17 Jahren"),
    gettext_noop("Kinder von 6 bis 13 Jahren"), gettext_noop("Kinder bis 5 Jahre"),
]

#: Messages raised by the policy and the services without a variable part.
SERVICE_MESSAGES = [
    gettext_noop("Ihre Rolle hat keinen Zugriff auf Personendaten."),
    gettext_noop("Ihre Behörde ist an dieser Fallakte nicht beteiligt und hat keine Einwilligung."),
    gettext_noop("Ihre Behörde sieht nur Personen, an deren Fallakte sie beteiligt ist."),
    gettext_noop("Ihre Rolle oder Behörde darf keine Personen registrieren."),
    gettext_noop("Nur beteiligte Behörden dürfen Einwilligungen erfassen."),
    gettext_noop("Nur beteiligte Behörden dürfen Einwilligungen widerrufen."),
    gettext_noop("Ihre Rolle kann keine Beteiligung begründen."),
    gettext_noop("Ihre Behörde ist an dieser Fallakte bereits beteiligt."),
    gettext_noop("Die Rechtsgrundlage der Beteiligung fehlt."),
    gettext_noop("Nur Administratoren dürfen Benutzer verwalten."),
    gettext_noop("Der Datensatz wurde nicht gefunden."),
    gettext_noop("Die Person wurde nicht gefunden."),
    gettext_noop("Der Bereich wurde nicht gefunden."),
    gettext_noop("Der Eintrag wurde nicht gefunden."),
    gettext_noop("Der Anhang wurde nicht gefunden."),
    gettext_noop("Die Einwilligung wurde nicht gefunden."),
    gettext_noop("Der Benutzer wurde nicht gefunden."),
    gettext_noop("Die Person wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht gespeichert."),
    gettext_noop("Mindestens ein Name ist erforderlich."),
    gettext_noop("Der Familienname fehlt."),
    gettext_noop("Der Name ist zu lang (höchstens 200 Zeichen)."),
    gettext_noop("Bei bekannter Genauigkeit ist ein Geburtsdatum nötig."),
    gettext_noop("Das Geburtsdatum liegt in der Zukunft."),
    gettext_noop("Das Geburtsdatum liegt vor 1900."),
    gettext_noop("Diese Kennung ist bereits einer anderen Person zugeordnet."),
    gettext_noop("Eine Kennung ist bereits einer anderen Person zugeordnet."),
    gettext_noop("Die Dokumentnummer fehlt."),
    gettext_noop("„Gültig bis“ liegt vor dem Ausstellungsdatum."),
    gettext_noop("Das Ausstellungsdatum liegt in der Zukunft."),
    gettext_noop("Der Kontakt ist leer."),
    gettext_noop("Ungültige E-Mail-Adresse."),
    gettext_noop("Die Gemeinde fehlt."),
    gettext_noop("Die Postleitzahl hat fünf Ziffern."),
    gettext_noop("Die neue Anschrift muss nach der bisherigen beginnen."),
    gettext_noop("Dieses Feld kann hier nicht geändert werden."),
    gettext_noop("Der Suchbegriff enthält keinen Namen."),
    gettext_noop("Bitte Name, Geburtsdatum oder Kennung angeben."),
    gettext_noop("Die Datei ist leer."),
    gettext_noop("Die Datei ist zu groß."),
    gettext_noop("Dateityp nicht erlaubt: nur PDF, PNG oder JPEG."),
    gettext_noop("Der Betreff fehlt."),
    gettext_noop("Der Betreff ist zu lang (höchstens 200 Zeichen)."),
    gettext_noop("Der Zeitpunkt liegt in der Zukunft."),
    gettext_noop("Bitte den Grund der Berichtigung angeben."),
    gettext_noop("Mindestens eine Datenkategorie angeben."),
    gettext_noop("Der Zweck der Einwilligung fehlt."),
    gettext_noop("„Gültig bis“ liegt vor „gültig ab“."),
    gettext_noop("Mindestens eine empfangende Behörde angeben."),
    gettext_noop("Die Einwilligung ist bereits widerrufen."),
    gettext_noop("Der Benutzername fehlt."),
    gettext_noop("Dieser Benutzername ist bereits vergeben."),
    gettext_noop("Mindestens eine Rolle angeben."),
    gettext_noop("Sie können Ihr eigenes Konto nicht sperren."),
    gettext_noop("Beteiligung (lead) und Rechtsgrundlage"),
    gettext_noop("Beteiligung (contributing) und Rechtsgrundlage"),
    gettext_noop("Einwilligung der Person"),
]

#: Messages with a variable part: (German pattern, msgid with named placeholders).
#: Placeholders named "label" are category labels and are translated too.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Ihre Rolle darf den Bereich „(?P<label>[^“]+)“ nicht lesen\."),
     gettext_noop("Ihre Rolle darf den Bereich „%(label)s“ nicht lesen.")),
    (re.compile(r"Ihre Rolle darf den Bereich „(?P<label>[^“]+)“ nicht bearbeiten\."),
     gettext_noop("Ihre Rolle darf den Bereich „%(label)s“ nicht bearbeiten.")),
    (re.compile(r"Die Einwilligung erlaubt nur das Lesen des Bereichs „(?P<label>[^“]+)“\."),
     gettext_noop("Die Einwilligung erlaubt nur das Lesen des Bereichs „%(label)s“.")),
    (re.compile(r"Für den Bereich „(?P<label>[^“]+)“ fehlt Ihrer Behörde eine Rechtsgrundlage oder eine "
                r"gültige Einwilligung\."),
     gettext_noop("Für den Bereich „%(label)s“ fehlt Ihrer Behörde eine Rechtsgrundlage oder eine gültige Einwilligung.")),
    (re.compile(r"Die Datei ist zu groß \(höchstens (?P<limit>\d+) MB\)\."),
     gettext_noop("Die Datei ist zu groß (höchstens %(limit)s MB).")),
    (re.compile(r"Ungültige (?P<label>.+): erwartet (?P<help>.+), z\. B\. (?P<example>\S+)\."),
     gettext_noop("Ungültige %(label)s: erwartet %(help)s, z. B. %(example)s.")),
    (re.compile(r"Unbekannter Ländercode „(?P<value>[^“]*)“ \(ISO 3166 Alpha-3 erwartet, z\. B\. SYR\)\."),
     gettext_noop("Unbekannter Ländercode „%(value)s“ (ISO 3166 Alpha-3 erwartet, z. B. SYR).")),
    (re.compile(r"Unbekannter Sprachcode „(?P<value>[^“]*)“ \(ISO 639, z\. B\. ar, prs, ti\)\."),
     gettext_noop("Unbekannter Sprachcode „%(value)s“ (ISO 639, z. B. ar, prs, ti).")),
    (re.compile(r"Unbekannte Behörde\(n\): (?P<value>.+)\."), gettext_noop("Unbekannte Behörde(n): %(value)s.")),
    (re.compile(r"Unbekannte Behörde „(?P<value>[^“]*)“\."), gettext_noop("Unbekannte Behörde „%(value)s“.")),
    (re.compile(r"Unbekannte Rolle\(n\): (?P<value>.+)\."), gettext_noop("Unbekannte Rolle(n): %(value)s.")),
    # rules.assessment: one missing input (its label is translated too)
    (re.compile(r"Für diese Einschätzung fehlt: (?P<label>[^,(]+)\."),
     gettext_noop("Für diese Einschätzung fehlt: %(label)s.")),
]

#: Help texts of identifier formats (validators.IDENTIFIER_FORMATS), used inside the pattern above.
IDENTIFIER_HELP = [
    gettext_noop("12 Ziffern (Ausländerzentralregister)"),
    gettext_noop("7 Ziffern, Bindestrich, 3-stelliger Herkunftslandschlüssel"),
    gettext_noop("3 Ziffern, 1 Buchstabe, 6 Ziffern"),
    gettext_noop("5 Ziffern, „BG“, 7 Ziffern"),
]


def tr(value: object) -> str:
    """Translate one German label (no-op in German or for unknown labels)."""
    text = "" if value is None else str(value)
    return _(text) if text else text


def translate_message(message: object) -> str:
    """Translate a German policy or service message, also when it carries values."""
    text = str(message)
    if not text or (get_language() or "de").startswith("de"):
        return text
    direct = _(text)
    if direct != text:
        return direct
    for pattern, msgid in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            params = {k: _(v) for k, v in match.groupdict().items()}
            return _(msgid) % params
    return text
