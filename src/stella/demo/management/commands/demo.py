"""`stella demo`: the four pilot districts, demo users and synthetic persons (development only)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from stella.demo.activity import simulate
from stella.demo.duplicates import seed_duplicates
from stella.demo.generator import HISTORY_TABLES
from stella.demo.integration import seed_integration
from stella.demo.loader import DEFAULT_CHUNK, DEFAULT_SEED, load, missing_columns
from stella.demo.setup import DEMO_PASSWORD, demo_accounts, ensure_agencies, ensure_users
from stella.people.models import Person


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ungültiges Datum „{value}“ (erwartet JJJJ-MM-TT).") from exc


class Command(BaseCommand):
    help = (
        "Legt die vier Pilotkreise (Ludwigsburg, Ortenaukreis, Reutlingen, Tübingen) mit ihren Behörden, "
        f"je einen Demo-Benutzer pro Rolle und Behördenart (Passwort „{DEMO_PASSWORD}“) und synthetische "
        "Personen mit Fallakten an. Nur im Entwicklungsmodus (STELLA_DEBUG=1) oder mit --force-demo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=200,
                            help="Anzahl synthetischer Personen (Standard 200; bis 1 000 000 und mehr)")
        parser.add_argument("--if-empty", action="store_true",
                            help="Nichts tun, wenn bereits Personen vorhanden sind")
        parser.add_argument("--force-demo", action="store_true",
                            help="Auch ohne STELLA_DEBUG ausführen (nie auf einem Produktivsystem!)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"Startwert des Zufallsgenerators (Standard {DEFAULT_SEED}); gleicher Wert, "
                                 "gleiche Daten")
        parser.add_argument("--today", type=_date, default=None,
                            help="Stichtag der Daten (JJJJ-MM-TT; Standard: heute)")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK,
                            help=f"Personen je Transaktion (Standard {DEFAULT_CHUNK})")
        parser.add_argument("--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen")
        parser.add_argument("--no-activity", action="store_true",
                            help="Keine Beispielarbeit über die Dienste (Suchen, Lesen, Vermerke) erzeugen")

    def handle(self, *args: Any, persons: int, if_empty: bool, force_demo: bool, seed: int, today: date | None,
               chunk_size: int, no_progress: bool, no_activity: bool, **options: Any) -> None:
        if not settings.DEBUG and not force_demo:
            raise CommandError(
                "Demodaten werden nur im Entwicklungsmodus angelegt (STELLA_DEBUG=1). Sie enthalten Konten "
                f"mit dem bekannten Passwort „{DEMO_PASSWORD}“. Auf einem Testsystem ohne Debug-Modus: --force-demo."
            )
        if isinstance(today, str):  # call_command(today="…") skips the parser's conversion
            today = _date(today)
        if persons < 0:
            raise CommandError("--persons darf nicht negativ sein.")
        if chunk_size < 1:
            raise CommandError("--chunk-size muss mindestens 1 sein.")
        if if_empty and Person.objects.exists():
            self.stdout.write("Es sind bereits Personen vorhanden – keine Demodaten angelegt (--if-empty).")
            return
        lacking = missing_columns()
        if lacking:
            raise CommandError(f"Der Demodaten-Lader kennt Pflichtfelder nicht: {lacking} (stella/demo/generator.py).")
        if persons == 0:
            ensure_agencies()
            ensure_users()
            self.stdout.write(f"Behörden und {len(demo_accounts())} Demo-Benutzer sind angelegt.")
            return
        show_progress = not no_progress and (sys.stderr.isatty() or persons >= 10_000)
        result = load(persons, seed=seed, today=today, chunk_size=chunk_size, progress=show_progress)
        rate = result.persons / result.seconds if result.seconds else 0
        self.stdout.write(
            f"{result.persons} Personen mit {result.total_rows} Datensätzen in {result.seconds:.1f} s angelegt "
            f"({rate:,.0f} Personen/s, {connection.vendor}, {result.chunks} Protokolleinträge „demo_bulk“)."
        )
        if not no_activity and result.first_person_id is not None and result.last_person_id is not None:
            act = simulate(seed=seed, first_person_id=result.first_person_id, last_person_id=result.last_person_id)
            self.stdout.write(
                f"Beispielarbeit über die Dienste: {act.searches} Suchen, {act.reads} Lesezugriffe, "
                f"{act.notes} Vermerke, {act.refusals} verweigerte Zugriffe (im Protokoll)."
            )
        if result.first_person_id is not None and result.last_person_id is not None:
            integ = seed_integration(seed=seed, first_person_id=result.first_person_id,
                                     last_person_id=result.last_person_id, today=today)
            rows = result.rows
            history = sum(rows.get(t, 0) for t in HISTORY_TABLES)
            self.stdout.write(
                f"Verläufe: {rows.get('offers.Offer', 0)} Kursdurchläufe, {rows.get('offers.Enrolment', 0)} "
                f"Kursteilnahmen, {rows.get('offers.Placement', 0)} Vermittlungen, "
                f"{rows.get('journey.Appointment', 0)} Termine, {rows.get('journey.HandOver', 0)} Übergaben "
                f"({history / max(result.persons, 1):.1f} Verlaufsereignisse je Person)."
            )
            self.stdout.write(
                f"Qualifizierung und Arbeit: {integ.offers} Ausbildungsplätze und Stellen, "
                f"{integ.profiles} Kompetenzprofile."
            )
        if not no_activity and result.first_person_id is not None and result.last_person_id is not None:
            dup = seed_duplicates(seed=seed, first_person_id=result.first_person_id,
                                  last_person_id=result.last_person_id)
            self.stdout.write(
                f"Dubletten: {dup.registered} Doppelerfassungen durch das Jobcenter, {dup.candidates} Prüffälle "
                "in der Liste „Dubletten“."
            )
        if result.first_person_id is not None:
            from stella.reporting.tasks import enqueue_refresh

            enqueue_refresh()
            self.stdout.write("Auswertungen: Neuberechnung eingereiht (läuft im Hintergrund mit „stella db-worker“; "
                              "sofort: „stella reporting refresh“).")
        self.stdout.write(
            f"Anmeldung z. B. als jc.caseworker, lra.benefits, jc.dpo, jc.analyst oder jc.admin mit dem Passwort "
            f"„{DEMO_PASSWORD}“."
        )
