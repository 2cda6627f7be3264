"""Translations of domain labels and service messages for the English UI.

German is the source language: models, the policy and the services speak German. Their labels and
the messages they raise are listed here with gettext_noop so that makemessages keeps them in the
catalogue; `tr()` translates one at render time, and `translate_message()` also handles the
messages that carry a value (a category label, a file size) by pattern.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext_noop, pgettext_lazy
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
    # competences.models (profile rows, their choices) and competences.services.KINDS
    gettext_noop("ohne Abschluss"), gettext_noop("Grundschule"), gettext_noop("Abschluss der Sekundarstufe I (etwa Hauptschule)"),
    gettext_noop("mittlerer Abschluss (etwa Realschule)"), gettext_noop("Hochschulreife"),
    gettext_noop("Berufsabschluss"), gettext_noop("Hochschulabschluss"),
    gettext_noop("nicht beantragt"), gettext_noop("beantragt"), gettext_noop("teilweise gleichwertig"), gettext_noop("voll gleichwertig"),
    gettext_noop("Fähigkeit"), gettext_noop("Führerschein"),
    gettext_noop("Prüfungszeugnis"), gettext_noop("Kursergebnis"), gettext_noop("Selbsteinschätzung"),
    gettext_noop("nur Wohnort"), gettext_noop("im Landkreis"), gettext_noop("in den Nachbarkreisen (Pilotregion)"),
    gettext_noop("Schulbildung"), gettext_noop("Qualifikation"), gettext_noop("Berufserfahrung"), gettext_noop("Sprachstand"),
    gettext_noop("Rahmenbedingungen"),
    # offers.models
    gettext_noop("Berufsbezogene Deutschsprachförderung (DeuFöV)"),
    gettext_noop("Qualifizierungs- oder Aktivierungsmaßnahme"), gettext_noop("Ausbildungsplatz"), gettext_noop("Stelle"),
    gettext_noop("PerF (Perspektiven für Flüchtlinge)"), gettext_noop("KompAS (Kompetenzfeststellung, Aktivierung, Sprache)"),
    gettext_noop("Einstiegsqualifizierung (EQ)"), gettext_noop("Maßnahme bei einem Arbeitgeber (MAG)"), gettext_noop("andere Maßnahme"),
    gettext_noop("offen"), gettext_noop("geschlossen"), gettext_noop("abgesagt"),
    gettext_noop("Warteliste"), gettext_noop("angemeldet"), gettext_noop("abgeschlossen"), gettext_noop("abgebrochen"), gettext_noop("zurückgezogen"),
    gettext_noop("sozialversicherungspflichtige Beschäftigung"), gettext_noop("voll qualifizierende Berufsausbildung"),
    gettext_noop("selbständige Tätigkeit"), gettext_noop("geringfügige Beschäftigung (Minijob)"),
    gettext_noop("weiterhin beschäftigt bzw. in Ausbildung"), gettext_noop("anderweitig beschäftigt"),
    gettext_noop("beendet, nicht beschäftigt"),
    # offers.services.STATE_PHRASES (inside the enrolment-state messages below)
    gettext_noop("steht auf der Warteliste"), gettext_noop("hat bereits einen Platz"), gettext_noop("hat das Angebot abgeschlossen"),
    gettext_noop("hat das Angebot abgebrochen"), gettext_noop("ist abgemeldet (zurückgezogen)"),
    # matching.models (run states, override reasons)
    gettext_noop("Vorschlag"), gettext_noop("bestätigt"), gettext_noop("verworfen"),
    gettext_noop("bestätigen"), gettext_noop("verwerfen"),  # verbs inside "Der Lauf ist bereits …"
    gettext_noop("Person hat abgelehnt"), gettext_noop("gesundheitliche Gründe (nicht im Detail erfasst)"),
    gettext_noop("Betreuungspflichten"), gettext_noop("besser passendes Angebot aus Beratung bekannt"),
    gettext_noop("Erreichbarkeit tatsächlich nicht gegeben"), gettext_noop("anderer Grund (siehe Vermerk)"),
    # matching.score.CRITERIA (the rules' labels are in RULE_LABELS below)
    gettext_noop("Beruf"), gettext_noop("Berufserfahrung"), gettext_noop("Anerkennung"), gettext_noop("Deutschniveau"),
    gettext_noop("Wartezeit"), gettext_noop("Entfernung"), gettext_noop("Beginn"), gettext_noop("Teilzeit"),
    # matching.fairness (dimensions, group labels, notes)
    gettext_noop("Geschlecht"), gettext_noop("Staatsangehörigkeit"), gettext_noop("Altersgruppe"), gettext_noop("Landkreis (Wohnort)"),
    gettext_noop("Behinderung"), gettext_noop("andere"), gettext_noop("nicht erfasst"), gettext_noop("unter 25"), gettext_noop("55 und älter"),
    gettext_noop("Eine Behinderung wird in Stella nicht erfasst; dieser Teil des Berichts bleibt leer, bis es ein Merkmal dafür "
                 "gibt (nur für diesen Bericht, nie für die Bewertung)."),
    gettext_noop("Staatsangehörigkeiten mit weniger als 5 Personen sind unter „andere“ zusammengefasst; bei mehreren zählt die "
                 "zuerst erfasste."),
    # competences.kldb.LEVEL_NAMES stay German (KldB terms); the digits inside the level message do not
    gettext_noop("fünfstellig"),
    # journey.status and journey.models: labels shown through |tr that were added to the catalogue by hand;
    # listed so that makemessages keeps them
    gettext_noop("nichts erfasst"), gettext_noop("eingereist"), gettext_noop("Asylgesuch gestellt"), gettext_noop("förmlicher Asylantrag"),
    gettext_noop("im Asylverfahren"), gettext_noop("BAMF-Entscheidung, noch nicht rechtskräftig"), gettext_noop("Schutzstatus rechtskräftig"),
    gettext_noop("Ablehnung rechtskräftig"), gettext_noop("ausgereist"), gettext_noop("keiner"),
    gettext_noop("Einreise"), gettext_noop("Asylgesuch"), gettext_noop("BAMF-Entscheidung"), gettext_noop("Ausreise"),
    gettext_noop("Asylberechtigung (Art. 16a GG)"), gettext_noop("Flüchtlingsschutz (§3 AsylG)"), gettext_noop("subsidiärer Schutz (§4 AsylG)"),
    gettext_noop("Abschiebungsverbot (§60 Abs. 5/7 AufenthG)"), gettext_noop("Ablehnung (unbegründet)"),
    gettext_noop("Ablehnung (offensichtlich unbegründet)"), gettext_noop("Ablehnung (unzulässig)"),
    gettext_noop("Aufenthaltserlaubnis §25 Abs. 1 AufenthG"), gettext_noop("Aufenthaltserlaubnis §25 Abs. 2 AufenthG"),
    gettext_noop("Aufenthaltserlaubnis §25 Abs. 3 AufenthG"), gettext_noop("Aufenthaltserlaubnis §24 AufenthG"),
    gettext_noop("Duldung §60a AufenthG"), gettext_noop("Duldung §60b AufenthG"), gettext_noop("Ausbildungsduldung §60c AufenthG"),
    gettext_noop("Beschäftigungsduldung §60d AufenthG"),
    gettext_noop("Ankommen"), gettext_noop("Asylverfahren"), gettext_noop("Leistungsbezug"), gettext_noop("Qualifizierung"),
    gettext_noop("Ausbildung/Arbeit"),
    # linkage.models (run and review-case states, verbose names); the review queue's filter states are in
    # web.views.duplicates
    gettext_noop("wartet"), gettext_noop("läuft"), gettext_noop("fertig"), gettext_noop("fehlgeschlagen"),
    gettext_noop("gleiche Person – Zustimmung der anderen Behörde fehlt"), gettext_noop("zusammengeführt"),
    gettext_noop("verschiedene Personen"), gettext_noop("Dublettenlauf"), gettext_noop("Dublettenläufe"),
    gettext_noop("Prüffall (mögliche Dublette)"), gettext_noop("Prüffälle (mögliche Dubletten)"),
    gettext_noop("Zusammenführung"), gettext_noop("Zusammenführungen"),
    gettext_noop("übernommener Datensatz"), gettext_noop("übernommene Datensätze"),
    # linkage.online (evidence fields and coarse levels; the engine's detailed comparison labels stay German
    # and are shown with lang="de"), linkage.review and web.views.merges (the compared fields)
    gettext_noop("Namen"), gettext_noop("Geburtsdatum"), gettext_noop("Geburtsort"), gettext_noop("Geburtsland"),
    gettext_noop("Geschlecht"), gettext_noop("Erfasst von"), gettext_noop("Erfasst am"),
    gettext_noop("spricht stark dafür"), gettext_noop("spricht dafür"), gettext_noop("neutral"),
    gettext_noop("spricht dagegen"), gettext_noop("spricht stark dagegen"), gettext_noop("fehlt"), gettext_noop("kein Zugriff"),
    gettext_noop("Kennungen"), gettext_noop("Kontakte"), gettext_noop("Ausweisdokumente"), gettext_noop("Anschriften"),
    gettext_noop("Aufenthaltsdokumente"), gettext_noop("Sprachen"), gettext_noop("(leer)"),
    # linkage.merge.move_counts: the kinds of rows a merge moves (verbose_name_plural of the models)
    gettext_noop("Staatsangehörigkeiten"), gettext_noop("Sprachkenntnisse"), gettext_noop("Haushaltsmitglieder"),
    gettext_noop("Statusereignisse"), gettext_noop("Übergaben"), gettext_noop("Personen einer Sammelübergabe"),
    gettext_noop("Aufgaben"), gettext_noop("Termine"), gettext_noop("Qualifikationen"), gettext_noop("Berufserfahrungen"),
    gettext_noop("Fähigkeiten"), gettext_noop("Sprachstände"), gettext_noop("Teilnahmen"), gettext_noop("Vermittlungen"),
    gettext_noop("Zuteilungen"), gettext_noop("Beteiligungen"), gettext_noop("Zeitstrahl-Einträge"),
    gettext_noop("Einwilligungen"),
]

#: Names of the hard rules of matching (matching.facts.RULE_LABELS), translated in the context "Regel" by
#: `{% translate f.label context "Regel" %}`: "Termin" there is the offer's dates, not an appointment.
RULE_LABELS = [
    pgettext_lazy("Regel", "Termin"), pgettext_lazy("Regel", "Rechtlicher Zugang"), pgettext_lazy("Regel", "Deutschniveau"),
    pgettext_lazy("Regel", "Zielniveau bereits erreicht"), pgettext_lazy("Regel", "Erreichbarkeit"),
    pgettext_lazy("Regel", "Kinderbetreuung"), pgettext_lazy("Regel", "Angebot für Frauen"), pgettext_lazy("Regel", "Teilzeit"),
    pgettext_lazy("Regel", "Führerschein"), pgettext_lazy("Regel", "Doppelbelegung"),
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
    # competences (profile rows, occupation codes)
    gettext_noop("Die Berufserfahrung wurde nicht gefunden."),
    gettext_noop("Diese Angabe wurde inzwischen von jemand anderem beendet."),
    gettext_noop("Ohne Antrag auf Anerkennung gibt es keine Stelle und kein Datum."),
    gettext_noop("Bitte die Stelle angeben, bei der die Anerkennung beantragt ist oder die entschieden hat (z. B. IHK FOSA)."),
    gettext_noop("Bitte das Datum der Entscheidung angeben."),
    gettext_noop("Die Anerkennung liegt vor dem Abschlussjahr."),
    gettext_noop("Bitte einen Beruf (KldB-Schlüssel) angeben."),
    gettext_noop("„MT“ (Muttersprache) gibt es nur als Selbsteinschätzung, nicht als Prüfungs- oder Kursergebnis."),
    gettext_noop("Bitte mindestens für eine Fertigkeit (Sprechen, Hören/Verstehen, Lesen, Schreiben) ein Niveau angeben."),
    gettext_noop("Bitte angeben, wann das Niveau festgestellt wurde."),
    gettext_noop("„MT“ (Muttersprache) ist kein Kursergebnis."),
    gettext_noop("Es ist keine KldB-Fassung geladen (stella kldb load)."),
    # offers
    gettext_noop("Nur Mitarbeitende einer Behörde arbeiten mit Angeboten und Vermittlungen."),
    gettext_noop("Angebote legen Fallbearbeitung und Teamleitung von Agentur für Arbeit, Jobcenter, Landratsamt und Stadt an."),
    gettext_noop("Das Angebot wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht gespeichert."),
    gettext_noop("„MT“ (Muttersprache) ist kein Sprachniveau, das ein Angebot voraussetzen oder ein Kurs erreichen kann."),
    gettext_noop("Bitte die Art des Angebots angeben."),
    gettext_noop("Als Kursträger in Stella kann nur eine Behörde der Art „Kursträger“ gewählt werden."),
    gettext_noop("Die Art kann nicht mehr geändert werden: es gibt bereits Anmeldungen."),
    gettext_noop("Anwesenheit wird nur für Personen mit Platz im Angebot erfasst (nicht auf der Warteliste oder nach dem Ende)."),
    gettext_noop("Der Tag fehlt."),
    # matching.allocation
    gettext_noop("Zuteilungsläufe planen Fallbearbeitung und Teamleitung von Agentur für Arbeit, Jobcenter, Landratsamt und Stadt."),
    gettext_noop("Der Zuteilungslauf wurde nicht gefunden."),
    gettext_noop("Die Zuteilung wurde nicht gefunden."),
    gettext_noop("Für einzelne Zuteilungen gelten die Regeln nicht mehr – bitte diese Zeilen ändern; es wurde nichts gespeichert."),
    gettext_noop("Die Begründung darf höchstens 300 Zeichen lang sein."),
    # linkage.review and linkage.merge (duplicates, merge, unmerge)
    gettext_noop("Die Version fehlt oder ist ungültig."),
    gettext_noop("Es ist noch keine Behörde angelegt."),
    gettext_noop("Eine Person kann nicht mit sich selbst zusammengeführt werden."),
    gettext_noop("Der Prüffall gehört nicht zu diesen beiden Personen."),
    gettext_noop("Bitte begründen Sie die Zusammenführung."),
    gettext_noop("Bitte begründen Sie die Aufhebung."),
    gettext_noop("Diese Zusammenführung gibt es nicht."),
    gettext_noop("Unbekanntes Feld."),
    gettext_noop("Objekt mit Feld → „survivor“/„absorbed“ erwartet."),
    gettext_noop("Bitte „survivor“ (bleibende Erfassung) oder „absorbed“ (aufgenommene Erfassung) wählen."),
    gettext_noop("Eine der beiden Personen wurde inzwischen geändert. Bitte prüfen Sie den Vergleich erneut; nichts "
                 "wurde zusammengeführt."),
    gettext_noop("Keine Behörde ist für diese Fallakte federführend."),
    gettext_noop("Abgebrochen: der Lauf hat sich nicht zurückgemeldet (Worker beendet?). Nichts wurde geschrieben."),
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
    # competences.services / competences.kldb (labels: the kinds of profile rows, offer and run states)
    (re.compile(r"Die Angabe \((?P<label>[^)]+)\) wurde nicht gefunden\."),
     gettext_noop("Die Angabe (%(label)s) wurde nicht gefunden.")),
    (re.compile(r"Diese Angabe \((?P<label>[^)]+)\) ist bereits beendet\."),
     gettext_noop("Diese Angabe (%(label)s) ist bereits beendet.")),
    (re.compile(r"„(?P<value>[^“]*)“ ist bereits erfasst\."), gettext_noop("„%(value)s“ ist bereits erfasst.")),
    (re.compile(r"„(?P<value>[^“]*)“ ist keine Zahl von Jahren\."), gettext_noop("„%(value)s“ ist keine Zahl von Jahren.")),
    (re.compile(r"Die Schuljahre müssen zwischen 0 und (?P<n>\d+) liegen\."),
     gettext_noop("Die Schuljahre müssen zwischen 0 und %(n)s liegen.")),
    (re.compile(r"Die Jahre Erfahrung müssen zwischen 0 und (?P<n>\d+) liegen\."),
     gettext_noop("Die Jahre Erfahrung müssen zwischen 0 und %(n)s liegen.")),
    (re.compile(r"Unbekannte Führerscheinklasse „(?P<value>[^“]*)“ \(erlaubt: (?P<allowed>[^)]*)\)\."),
     gettext_noop("Unbekannte Führerscheinklasse „%(value)s“ (erlaubt: %(allowed)s).")),
    (re.compile(r"Das Datum liegt vor (?P<day>[\d.]+)\."), gettext_noop("Das Datum liegt vor %(day)s.")),
    (re.compile(r"Den KldB-Schlüssel „(?P<code>[^“]*)“ gibt es in der geladenen Fassung \((?P<version>.+)\) nicht\."),
     gettext_noop("Den KldB-Schlüssel „%(code)s“ gibt es in der geladenen Fassung (%(version)s) nicht.")),
    (re.compile(r"Der KldB-Schlüssel „(?P<code>[^“]*)“ ist keine (?P<expected>\w+) \(Ebene (?P<level>\d), "
                r"(?P<digits>[\w-]+)\), sondern eine (?P<found>\w+)\."),
     gettext_noop("Der KldB-Schlüssel „%(code)s“ ist keine %(expected)s (Ebene %(level)s, %(digits)s), sondern eine "
                  "%(found)s.")),
    # offers.services
    (re.compile(r"Das Angebot ist bereits (?P<label>[^.;]+)\."), gettext_noop("Das Angebot ist bereits %(label)s.")),
    (re.compile(r"Das Angebot ist (?P<label>[^.;]+) und kann nicht mehr geändert werden\."),
     gettext_noop("Das Angebot ist %(label)s und kann nicht mehr geändert werden.")),
    (re.compile(r"Das Angebot ist (?P<label>[^.;]+); Anmeldungen und Aufnahmen sind nicht mehr möglich\."),
     gettext_noop("Das Angebot ist %(label)s; Anmeldungen und Aufnahmen sind nicht mehr möglich.")),
    (re.compile(r"Das Angebot ist voll \((?P<taken>\d+) von (?P<seats>\d+) Plätzen belegt\)\. Ein Platz wird frei, "
                r"wenn eine Teilnahme abgebrochen oder zurückgezogen wird\."),
     gettext_noop("Das Angebot ist voll (%(taken)s von %(seats)s Plätzen belegt). Ein Platz wird frei, wenn eine "
                  "Teilnahme abgebrochen oder zurückgezogen wird.")),
    (re.compile(r"Es sind bereits (?P<n>\d+) Plätze belegt; weniger Plätze sind nicht möglich\."),
     gettext_noop("Es sind bereits %(n)s Plätze belegt; weniger Plätze sind nicht möglich.")),
    (re.compile(r"Höchstens (?P<n>\d+) Plätze je Angebot\."), gettext_noop("Höchstens %(n)s Plätze je Angebot.")),
    (re.compile(r"Das Ende \((?P<end>[\d.]+)\) liegt vor dem Beginn \((?P<start>[\d.]+)\)\."),
     gettext_noop("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s).")),
    (re.compile(r"Das Zielniveau \((?P<target>\w+)\) muss über dem Mindestniveau \((?P<minimum>\w+)\) liegen\."),
     gettext_noop("Das Zielniveau (%(target)s) muss über dem Mindestniveau (%(minimum)s) liegen.")),
    (re.compile(r"Das Angebot ist am (?P<day>[\d.]+) zu Ende gegangen\."),
     gettext_noop("Das Angebot ist am %(day)s zu Ende gegangen.")),
    (re.compile(r"Das Angebot endet am (?P<end>[\d.]+); eine Aufnahme ab (?P<day>[\d.]+) ist nicht möglich\."),
     gettext_noop("Das Angebot endet am %(end)s; eine Aufnahme ab %(day)s ist nicht möglich.")),
    (re.compile(r"Die Person (?P<label>[^;]+); das ist in diesem Stand nicht möglich\."),
     gettext_noop("Die Person %(label)s; das ist in diesem Stand nicht möglich.")),
    (re.compile(r"Die Person (?P<label>[^;]+); aufgenommen werden kann nur, wer auf der Warteliste steht\."),
     gettext_noop("Die Person %(label)s; aufgenommen werden kann nur, wer auf der Warteliste steht.")),
    (re.compile(r"Der (?P<day>[\d.]+) liegt vor dem ersten Kurstag der Person \((?P<first>[\d.]+)\)\."),
     gettext_noop("Der %(day)s liegt vor dem ersten Kurstag der Person (%(first)s).")),
    (re.compile(r"Der (?P<day>[\d.]+) liegt nach dem Ende des Angebots \((?P<end>[\d.]+)\)\."),
     gettext_noop("Der %(day)s liegt nach dem Ende des Angebots (%(end)s).")),
    (re.compile(r"Für den (?P<day>[\d.]+) ist die Anwesenheit bereits erfasst\."),
     gettext_noop("Für den %(day)s ist die Anwesenheit bereits erfasst.")),
    (re.compile(r"Der Stand nach (?P<months>\d+) Monaten kann erst ab dem (?P<day>[\d.]+) erfasst werden\."),
     gettext_noop("Der Stand nach %(months)s Monaten kann erst ab dem %(day)s erfasst werden.")),
    (re.compile(r"Die Vermittlung ist bereits am (?P<day>[\d.]+) beendet\."),
     gettext_noop("Die Vermittlung ist bereits am %(day)s beendet.")),
    (re.compile(r"Das Angebot ist ein (?P<label>.+); die Art der Vermittlung passt nicht dazu\."),
     gettext_noop("Das Angebot ist ein %(label)s; die Art der Vermittlung passt nicht dazu.")),
    # matching.allocation
    (re.compile(r"Zu viele Wartende für einen Lauf \((?P<n>\d+); höchstens (?P<limit>\d+)\)\. Bitte weniger Angebote "
                r"wählen\."),
     gettext_noop("Zu viele Wartende für einen Lauf (%(n)s; höchstens %(limit)s). Bitte weniger Angebote wählen.")),
    (re.compile(r"Der Lauf ist bereits (?P<label>\w+); (?P<verb>\w+) geht nur einmal, solange er ein Vorschlag ist\."),
     gettext_noop("Der Lauf ist bereits %(label)s; %(verb)s geht nur einmal, solange er ein Vorschlag ist.")),
    # linkage.review
    (re.compile(r"Unbekannter Landkreis „(?P<value>[^“]*)“ \(z\. B\. LK-LB\)\."),
     gettext_noop("Unbekannter Landkreis „%(value)s“ (z. B. LK-LB).")),
    (re.compile(r"Unbekannter Stand „(?P<value>[^“]*)“ \(erlaubt: (?P<allowed>[^)]*)\)\."),
     gettext_noop("Unbekannter Stand „%(value)s“ (erlaubt: %(allowed)s).")),
    (re.compile(r"Für diesen Bereich ist bereits ein Dublettenlauf in Arbeit \(Nr\. (?P<n>\d+)\)\."),
     gettext_noop("Für diesen Bereich ist bereits ein Dublettenlauf in Arbeit (Nr. %(n)s).")),
    (re.compile(r"Die Begründung ist zu lang \(höchstens (?P<n>\d+) Zeichen\)\."),
     gettext_noop("Die Begründung ist zu lang (höchstens %(n)s Zeichen).")),
    (re.compile(r"Der Prüffall ist bereits entschieden \((?P<label>[^)]+)\)\."),
     gettext_noop("Der Prüffall ist bereits entschieden (%(label)s).")),
    # linkage.merge ("msg…" groups are messages themselves, "labels" a comma-separated list of field labels)
    (re.compile(r"Person #(?P<a>\d+) ist bereits in Person #(?P<b>\d+) zusammengeführt\."),
     gettext_noop("Person #%(a)s ist bereits in Person #%(b)s zusammengeführt.")),
    (re.compile(r"Person #(?P<a>\d+) ist bereits in Person #(?P<b>\d+) zusammengeführt \(Zusammenführung "
                r"#(?P<n>\d+)\)\."),
     gettext_noop("Person #%(a)s ist bereits in Person #%(b)s zusammengeführt (Zusammenführung #%(n)s).")),
    (re.compile(r"Widerspruch bei „(?P<label>[^“]+)“: bitte wählen, welcher Wert gilt\."),
     gettext_noop("Widerspruch bei „%(label)s“: bitte wählen, welcher Wert gilt.")),
    (re.compile(r"Diese Zusammenführung wurde bereits am (?P<when>[\d.: ]+) aufgehoben\."),
     gettext_noop("Diese Zusammenführung wurde bereits am %(when)s aufgehoben.")),
    (re.compile(r"Person #(?P<a>\d+) wurde danach in Person #(?P<b>\d+) zusammengeführt \(Zusammenführung "
                r"#(?P<n>\w+)\)\. Bitte heben Sie zuerst jene Zusammenführung auf\."),
     gettext_noop("Person #%(a)s wurde danach in Person #%(b)s zusammengeführt (Zusammenführung #%(n)s). Bitte heben "
                  "Sie zuerst jene Zusammenführung auf.")),
    (re.compile(r"Datensätze dieser Zusammenführung wurden später erneut übernommen \(Zusammenführung "
                r"(?P<ids>[#\d, ]+)\)\. Bitte heben Sie zuerst jene auf\."),
     gettext_noop("Datensätze dieser Zusammenführung wurden später erneut übernommen (Zusammenführung %(ids)s). "
                  "Bitte heben Sie zuerst jene auf.")),
    (re.compile(r"Nach der Zusammenführung wurden geändert: (?P<labels>.+)\. Bitte stellen Sie die Werte zuerst "
                r"wieder her oder klären Sie die Aufhebung anders\."),
     gettext_noop("Nach der Zusammenführung wurden geändert: %(labels)s. Bitte stellen Sie die Werte zuerst wieder "
                  "her oder klären Sie die Aufhebung anders.")),
    (re.compile(r"(?P<label>.+) #(?P<a>\d+) der aufgenommenen Erfassung #(?P<absorbed>\d+) kollidiert mit "
                r"#(?P<s>\d+) der bleibenden Erfassung #(?P<survivor>\d+) \(nur eines je Person erlaubt\): bitte "
                r"zuerst einen der beiden Datensätze abschließen\."),
     gettext_noop("%(label)s #%(a)s der aufgenommenen Erfassung #%(absorbed)s kollidiert mit #%(s)s der bleibenden "
                  "Erfassung #%(survivor)s (nur eines je Person erlaubt): bitte zuerst einen der beiden Datensätze "
                  "abschließen.")),
    (re.compile(r"Federführend für diese Fallakte: (?P<value>.+) – bitte wenden Sie sich dorthin\."),
     gettext_noop("Federführend für diese Fallakte: %(value)s – bitte wenden Sie sich dorthin.")),
    (re.compile(r"Sie dürfen die Identitätsdaten der Person #(?P<n>\d+) nicht bearbeiten: (?P<msg>.+?) "
                r"(?P<msg_lead>(?:Federführend für diese Fallakte: .+ – bitte wenden Sie sich dorthin|Keine Behörde "
                r"ist für diese Fallakte federführend)\.)"),
     gettext_noop("Sie dürfen die Identitätsdaten der Person #%(n)s nicht bearbeiten: %(msg)s %(msg_lead)s")),
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
            return _(msgid) % {k: _param(k, v) for k, v in match.groupdict().items()}
    return text


def _param(name: str, value: str) -> str:
    """One value inside a message: a message of its own ("msg…"), a list of labels ("labels") or a label."""
    if name.startswith("msg"):
        return translate_message(value)
    if name == "labels":
        return ", ".join(_(v) for v in value.split(", "))
    return _(value)
