"""`stella deadlines scan [--on YYYY-MM-DD] [--out FILE.jsonl] [--enqueue]`: create the deadline tasks
(document expiry, end of provisional accommodation, end of a work-permission wait).

Idempotent: run it daily (cron or a systemd timer); a second run on the same day creates nothing. Writes
one JSON line per created or skipped task (UTF-8) to stdout or, with --out, to a file that appears only
when complete; a summary goes to stderr. `--enqueue` puts the scan on the background queue instead
(run by `stella db-worker`).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.core.files import atomic_text_file
from stella.journey.tasks import ScanReport, scan_deadlines, scan_deadlines_job


class Command(BaseCommand):
    help = ("Fristen: 'scan [--on JJJJ-MM-TT] [--out DATEI.jsonl] [--enqueue]' legt Wiedervorlagen für ablaufende "
            "Dokumente, das Ende der vorläufigen Unterbringung und das Ende von Wartezeiten an.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["scan"])
        parser.add_argument("--on", help="Stichtag (JJJJ-MM-TT); Standard: heute.")
        parser.add_argument("--out", help="Bericht als JSON Lines in diese Datei statt nach stdout.")
        parser.add_argument("--enqueue", action="store_true",
                            help="Nicht sofort ausführen, sondern als Hintergrundauftrag einreihen.")

    def handle(self, *args: Any, action: str, on: str | None, out: str | None, enqueue: bool,
               **options: Any) -> None:
        day = _parse_day(on)
        if out is not None and not Path(out).parent.is_dir():
            raise CommandError(f"Ausgabeverzeichnis fehlt: {Path(out).parent}")
        if enqueue:
            result = scan_deadlines_job.enqueue(day.isoformat() if day else None)
            self.stderr.write(f"Fristenprüfung eingereiht (Auftrag {result.id}).")
            return
        report = scan_deadlines(day)
        lines = [json.dumps(i.to_dict(), ensure_ascii=False) for i in report.items if i.result != "exists"]
        if out is None:
            if hasattr(sys.stdout, "reconfigure"):
                sys.stdout.reconfigure(encoding="utf-8")
            for line in lines:
                self.stdout.write(line)
        else:
            _write_atomic(Path(out), lines)
        self.stderr.write(_summary(report))


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ungültiger Stichtag „{text}“: erwartet JJJJ-MM-TT, z. B. 2026-03-31.") from exc


def _write_atomic(target: Path, lines: list[str]) -> None:
    with atomic_text_file(target) as sink:
        for line in lines:
            sink.write(line + "\n")


def _summary(report: ScanReport) -> str:
    parts = []
    for kind, label in (("doc-expiry", "Dokumente"), ("vu-end", "vorläufige Unterbringung"),
                        ("wait-end", "Wartezeiten")):
        parts.append(f"{label}: {report.count('created', kind)} neu, {report.count('exists', kind)} schon vorhanden, "
                     f"{report.count('skipped', kind)} übersprungen")
    return f"Fristenprüfung zum {report.on:%d.%m.%Y} – " + "; ".join(parts) + "."
