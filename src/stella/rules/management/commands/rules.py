"""`stella rules check IN.jsonl [--out OUT.jsonl]`: answer legal questions in bulk (one JSON object a line).

`stella rules years` prints the covered years per question. Exit status 1 if any line failed; the output
file is written to a temporary file beside it and renamed only when complete.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.core.files import atomic_text_file
from stella.rules.batch import run
from stella.rules.tables import RULE_VERSION, covered_years


class Command(BaseCommand):
    help = ("Rechtsregeln: 'check IN.jsonl [--out OUT.jsonl]' beantwortet Fragen zeilenweise (JSON Lines), "
            "'years' zeigt die abgedeckten Jahre.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "years"])
        parser.add_argument("infile", nargs="?", help="Eingabe (JSON Lines, UTF-8); '-' liest von stdin.")
        parser.add_argument("--out", help="Ausgabedatei (JSON Lines); ohne --out nach stdout.")

    def handle(self, *args: Any, action: str, infile: str | None, out: str | None, **options: Any) -> None:
        if action == "years":
            for question, (first, last) in covered_years().items():
                self.stdout.write(f"{question}: {first}–{last}")
            self.stdout.write(f"Regelsatz {RULE_VERSION}")
            return
        if not infile:
            raise CommandError("Bitte die Eingabedatei angeben: stella rules check IN.jsonl [--out OUT.jsonl]")
        with self._open_input(infile) as source:
            total, failed = self._answer(_lines(source), out)
        self.stderr.write(f"{total} Fragen beantwortet, {failed} mit Fehler (Regelsatz {RULE_VERSION}).")
        if failed:
            raise CommandError(f"{failed} von {total} Zeilen konnten nicht beantwortet werden (siehe \"error\").")

    def _open_input(self, infile: str) -> IO[bytes]:
        if infile == "-":
            return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
        try:
            return Path(infile).open("rb")
        except OSError as exc:
            raise CommandError(f"Eingabedatei nicht lesbar: {infile} ({exc.strerror}).") from exc

    def _answer(self, lines: Iterator[bytes], out: str | None) -> tuple[int, int]:
        if out is None:
            if isinstance(sys.stdout, io.TextIOWrapper):  # UTF-8 whatever the locale says
                sys.stdout.reconfigure(encoding="utf-8")
            return _write(lines, self.stdout.write)
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"Ausgabeverzeichnis fehlt: {target.parent}")
        with atomic_text_file(target) as sink:
            return _write(lines, lambda text: sink.write(text + "\n"))


def _lines(source: IO[bytes]) -> Iterator[bytes]:
    for raw in source:
        yield raw.rstrip(b"\r\n")


def _write(lines: Iterator[bytes], emit: Any) -> tuple[int, int]:
    total = failed = 0
    for result, ok in run(lines):
        total += 1
        failed += not ok
        emit(json.dumps(result, ensure_ascii=False))
    return total, failed
