"""`stella serve`: serve the application with waitress (a production-grade pure-Python WSGI server)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Startet den Webserver (Standard: http://127.0.0.1:8000)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from waitress import serve  # type: ignore[import-untyped]

        from stella.wsgi import application

        self.stdout.write(f"Stella läuft auf http://{host}:{port}/ (Strg+C beendet)")
        serve(application, host=host, port=port, threads=threads)
