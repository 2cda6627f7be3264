"""`stella reporting`: the reporting refresh from the command line (and cron).

    stella reporting refresh [--full] [--queue]   update facts and cells now (incrementally; --full: all persons);
                                                  --queue hands it to the background worker instead
    stella reporting status                       when the reports were last updated, and how far

The command acts as the platform itself; the facts and cells it writes are derived, never personal data typed in.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stella.core.errors import DomainError
from stella.reporting import refresh as reporting_refresh


def _when(dt: datetime | None) -> str:
    return timezone.localtime(dt).strftime("%d.%m.%Y %H:%M") if dt else "nie"


def _month(d: date | None) -> str:
    return d.strftime("%m/%Y") if d else "–"


class Command(BaseCommand):
    help = "Auswertungen aktualisieren (inkrementell oder vollständig) und den Stand anzeigen."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("refresh", help="Fakten und Zellen jetzt aktualisieren")
        run.add_argument("--full", action="store_true", help="alle Personen neu berechnen (sonst nur geänderte)")
        run.add_argument("--queue", action="store_true", help="dem Hintergrunddienst übergeben statt hier ausführen")
        sub.add_parser("status", help="Stand der Auswertungen")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "refresh":
            full = bool(options["full"])
            if options["queue"]:
                from stella.reporting.tasks import enqueue_refresh

                task_id = enqueue_refresh(full=full)
                self.stdout.write(f"Aktualisierung eingereiht (Auftrag {task_id}; Hintergrunddienst: stella db-worker).")
                return
            try:
                result = reporting_refresh.refresh(full=full)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            except Exception as exc:
                raise CommandError(f"Aktualisierung fehlgeschlagen, nichts wurde geändert: {exc}") from exc
            kind = "vollständig" if result.full else "inkrementell"
            why = f": {'; '.join(result.reasons)}" if result.reasons else ""
            cells = "unverändert" if result.cells is None else str(result.cells)
            changed = result.dirty_from.strftime("%d.%m.%Y") if result.dirty_from else "–"
            self.stdout.write(f"Auswertungen aktualisiert ({kind}{why}): {result.persons} Personen neu berechnet, "
                              f"Änderungen ab {changed}, Zellen {cells}, Protokoll bis Nr. {result.audit_id}, "
                              f"Daten bis {_month(result.data_until)}.")
            return
        state = reporting_refresh.status()
        lines = [
            f"Zuletzt aktualisiert:        {_when(state.refreshed_at)}",
            f"Zuletzt vollständig:         {_when(state.full_at)}",
            f"Daten bis (Monat):           {_month(state.data_until)}",
            f"Protokoll verarbeitet bis:   Nr. {state.audit_id} (neuestes: Nr. {reporting_refresh.audit_head()})",
            f"Zellen neu zu bilden ab:     {_month(state.dirty_from)}",
            f"Läuft gerade:                {'seit ' + _when(state.running_since) if state.running_since else 'nein'}",
        ]
        if state.last_error:
            lines.append(f"Letzter Fehler:              {state.last_error}")
        self.stdout.write("\n".join(lines))
