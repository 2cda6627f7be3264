"""`stella handover-bulk`: create a bulk hand-over from the command line, run it, write its report, or
run the reaper (for cron).

    stella handover-bulk --user jc.team_lead --to JC-LB --effective 2026-12-01 \\
        --criteria status=ae_24,fiktion nationality=UKR landkreis=LK-LB --reason "Rechtskreiswechsel" [--dry-run] [--run]
    stella handover-bulk --reap
    stella handover-bulk --report 12 --output bericht.csv
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.accounts.models import User
from stella.agencies.models import Function
from stella.core.actor import Actor
from stella.core.errors import DomainError, InvalidInput
from stella.core.files import atomic_text_file
from stella.journey import bulk
from stella.journey import handovers as ho


def _date(text: str) -> date:
    try:
        if "." in text:
            d, m, y = text.split(".")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ungültiges Datum „{text}“ (JJJJ-MM-TT oder TT.MM.JJJJ).") from exc


def _criteria(parts: list[str]) -> dict[str, Any]:
    """`{"status": …}` as one JSON argument, or key=value pairs with comma-separated lists."""
    if len(parts) == 1 and parts[0].lstrip().startswith("{"):
        try:
            data = json.loads(parts[0])
        except ValueError as exc:
            raise CommandError(f"--criteria ist kein gültiges JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("--criteria muss ein JSON-Objekt sein.")
        return data
    out: dict[str, Any] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep:
            raise CommandError(f"Kriterium „{part}“: erwartet name=wert, z. B. nationality=UKR.")
        out[key.strip()] = value.split(",") if key.strip() in ("status", "nationality") else value
    return out


def _problem(exc: DomainError) -> CommandError:
    if isinstance(exc, InvalidInput):
        lines = [f"{field}: {msg}" for field, messages in exc.field_errors.items() for msg in messages]
        return CommandError("Ungültige Eingabe – nichts angelegt:\n  " + "\n  ".join(lines))
    return CommandError(exc.message)


class Command(BaseCommand):
    help = "Sammelübergabe anlegen und ausführen, Bericht schreiben oder liegengebliebene Aufträge fortsetzen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--criteria", nargs="+", default=[], metavar="NAME=WERT",
                            help="status=ae_24,fiktion nationality=UKR landkreis=LK-LB municipality=… "
                                 "status_from=JJJJ-MM-TT status_until=… (oder ein JSON-Objekt)")
        parser.add_argument("--to", dest="to_agency", help="Kennung der übernehmenden Behörde, z. B. JC-LB")
        parser.add_argument("--function", default=Function.BENEFITS_SGB2, choices=Function.values)
        parser.add_argument("--effective", help="wirksam ab (JJJJ-MM-TT oder TT.MM.JJJJ)")
        parser.add_argument("--reason", default="", help="Anlass")
        parser.add_argument("--legal-basis", default="", help="z. B. §74 SGB II")
        parser.add_argument("--user", help="Benutzername der Teamleitung, in deren Namen angelegt wird")
        parser.add_argument("--dry-run", action="store_true", help="nur zählen, nichts anlegen")
        parser.add_argument("--run", action="store_true", help="gleich hier ausführen (ohne Hintergrunddienst)")
        parser.add_argument("--reap", action="store_true", help="liegengebliebene Sammelübergaben wieder einreihen")
        parser.add_argument("--report", type=int, metavar="NR", help="Ergebnis der Sammelübergabe NR als CSV")
        parser.add_argument("--output", type=Path, help="Datei für --report (Standard: Standardausgabe)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reap"]:
            requeued = bulk.reap()
            self.stdout.write(f"Wieder eingereiht: {', '.join(map(str, requeued)) or 'keine'}")
            return
        actor = self._actor(opts["user"])
        if opts["report"] is not None:
            self._report(actor, opts["report"], opts["output"])
            return
        missing = [name for name in ("to_agency", "effective") if not opts[name]]
        if missing:
            raise CommandError("Es fehlen: " + ", ".join("--to" if m == "to_agency" else f"--{m}" for m in missing))
        try:
            agency = ho.agency_by_code(opts["to_agency"])
            args = {"criteria": _criteria(opts["criteria"]), "function": opts["function"], "to_agency_id": agency.pk,
                    "effective_date": _date(opts["effective"])}
            if opts["dry_run"]:
                preview = bulk.preview_bulk(actor=actor, **args)
                self.stdout.write(f"Die Auswahl trifft auf {preview.count} Personen zu.")
                for name, n in preview.by_municipality:
                    self.stdout.write(f"  {name}: {n}")
                return
            job = bulk.create_bulk_job(actor=actor, reason=opts["reason"], legal_basis=opts["legal_basis"],
                                       start=not opts["run"], **args)
        except DomainError as exc:
            raise _problem(exc) from exc
        self.stdout.write(f"Sammelübergabe Nr. {job.pk} mit {job.total} Personen angelegt.")
        if opts["run"]:
            progress = bulk.process_job(job.pk)
            self.stdout.write(f"Erledigt: {progress.done}, übersprungen: {progress.skipped}, "
                              f"fehlgeschlagen: {progress.failed}.")
        else:
            self.stdout.write("Sie läuft im Hintergrund (stella db-worker); Stand: "
                              f"stella handover-bulk --report {job.pk} --user …")

    def _actor(self, username: str | None) -> Actor:
        if not username:
            raise CommandError("--user fehlt: in wessen Namen (Teamleitung)?")
        user = User.objects.select_related("agency").filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Unbekannter oder gesperrter Benutzer „{username}“.")
        return Actor.for_user(user, purpose="Sammelübergabe (Kommandozeile)")

    def _report(self, actor: Actor, job_id: int, output: Path | None) -> None:
        try:
            lines = bulk.csv_lines(bulk.report_rows(actor=actor, job_id=job_id))
            if output is None:
                for line in lines:
                    sys.stdout.write(line)
                return
            with atomic_text_file(output, newline="") as handle:  # never a half-written report
                handle.writelines(lines)
        except DomainError as exc:
            raise _problem(exc) from exc
        self.stdout.write(f"Bericht geschrieben: {output}", self.style.SUCCESS)
