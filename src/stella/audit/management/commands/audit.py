"""`stella audit verify`: recompute the hash chain and report altered or removed entries."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.audit.service import verify_chain


class Command(BaseCommand):
    help = "Protokoll-Werkzeuge: 'verify' prüft die Hash-Kette."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"Protokoll beschädigt: {len(result.problems)} Befund(e) in {result.checked} Einträgen.")
        self.stdout.write(f"Protokoll unversehrt: {result.checked} Einträge geprüft.")
