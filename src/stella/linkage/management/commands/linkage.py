"""`stella linkage`: the batch duplicate detection from the command line (and cron).

    stella linkage run [--district LK-LB] [--wait]   queue a run (whole database without --district);
                                                     --wait runs it here and waits for the result
    stella linkage status [--limit 10]               the latest runs with state and counts
    stella linkage reap                              fail runs whose worker died (nothing was written)

The command acts as the platform itself (audited as 'system'); in the web UI and the API, team leads
start runs for their own Landkreis.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stella.core.actor import Actor
from stella.core.errors import DomainError, InvalidInput
from stella.linkage import review
from stella.linkage.models import LinkRun, RunState


def _problem(exc: DomainError) -> CommandError:
    if isinstance(exc, InvalidInput):
        lines = [f"{field}: {msg}" for field, messages in exc.field_errors.items() for msg in messages]
        return CommandError("Ungültige Eingabe – nichts angelegt:\n  " + "\n  ".join(lines))
    return CommandError(exc.message)


def _line(run: LinkRun) -> str:
    scope = run.district.code if run.district else "alle"
    when = timezone.localtime(run.created_at).strftime("%d.%m.%Y %H:%M")
    text = (f"Nr. {run.pk}  {scope:<8} {RunState(run.state).label:<15} {when}  Personen {run.persons}  "
            f"Paare {run.pairs}  neue Prüffälle {run.candidates}  automatisch zusammengeführt {run.auto_merged}")
    if run.error:
        text += f"\n        Fehler: {run.error}"
    return text


class Command(BaseCommand):
    help = "Dublettenlauf starten (ganze Datenbank oder ein Landkreis), Läufe anzeigen, abgebrochene beenden."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Dublettenlauf einreihen (oder mit --wait hier ausführen)")
        run.add_argument("--district", default="", help="Kennung des Landkreises, z. B. LK-LB (ohne: alle Personen)")
        run.add_argument("--wait", action="store_true", help="hier ausführen und das Ergebnis ausgeben")
        status = sub.add_parser("status", help="die letzten Läufe")
        status.add_argument("--limit", type=int, default=10)
        sub.add_parser("reap", help="Läufe, deren Worker nicht mehr lebt, als fehlgeschlagen markieren")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "run":
            actor = Actor.system("Dublettenlauf (Kommandozeile)")
            wait = bool(options["wait"])
            try:
                run = review.start_run(actor=actor, district_code=str(options["district"] or "") or None,
                                       enqueue=not wait)
            except DomainError as exc:
                raise _problem(exc) from exc
            if not wait:
                self.stdout.write(f"Dublettenlauf Nr. {run.pk} eingereiht (Hintergrunddienst: stella db-worker).")
                return
            run = review.execute_run(run.pk)
            self.stdout.write(_line(run))
            if run.state != RunState.DONE:
                raise CommandError(f"Dublettenlauf Nr. {run.pk} fehlgeschlagen; nichts wurde geschrieben.")
        elif action == "status":
            review.reap_runs()
            limit = int(str(options["limit"]))
            if limit < 1:
                raise CommandError("--limit muss mindestens 1 sein.")
            runs = list(LinkRun.objects.select_related("district").order_by("-created_at", "-id")[:limit])
            if not runs:
                self.stdout.write("Noch keine Dublettenläufe.")
            for r in runs:
                self.stdout.write(_line(r))
        else:
            failed = review.reap_runs()
            self.stdout.write(f"{len(failed)} abgebrochene Läufe als fehlgeschlagen markiert."
                              + (f" (Nr. {', '.join(map(str, failed))})" if failed else ""))
