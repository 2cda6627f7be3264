"""`stella link-records IN.csv --out CLUSTERS.csv`: duplicate detection over a CSV file, for checking and for
other tools. IN has `record_id,source_agency,given_names,family_name,birth_date,sex,nationality,birth_place`
(any column order; see `stella.linkage.csvio` for the values); CLUSTERS gets `record_id,cluster_id` for every
input record in input order, the cluster id being the record id of the cluster's first record. Bad input: every
problem with line and reason on stderr, exit status 1, the output file neither created nor changed. No database
is needed.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.linkage import csvio, engine


class Command(BaseCommand):
    help = ("Dubletten in einer CSV-Datei finden: liest IN (record_id,source_agency,given_names,family_name,"
            "birth_date,sex,nationality,birth_place) und schreibt CLUSTERS (record_id,cluster_id).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="Eingabe (CSV, UTF-8)")
        parser.add_argument("--out", required=True, help="Ergebnis: record_id,cluster_id (CSV, UTF-8)")
        parser.add_argument("--threshold", type=float, default=None,
                            help=f"Schwelle der Zusammenfassung 0–1 (Standard {engine.DEFAULT_THRESHOLD})")
        parser.add_argument("--train", action="store_true",
                            help="u-Werte und Grundrate auf den Eingabedaten neu schätzen (andere Daten als "
                                 "Registrierungen Geflüchteter)")

    def handle(self, *args: Any, input: str, out: str, threshold: float | None, train: bool,
               **options: Any) -> None:
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"Ausgabeverzeichnis fehlt: {target.parent}")
        if target.is_dir():
            raise CommandError(f"Die Ausgabe ist ein Verzeichnis: {target}")
        if threshold is not None and not 0.0 < threshold <= 1.0:
            raise CommandError("--threshold muss größer als 0 und höchstens 1 sein.")
        started = time.perf_counter()
        try:
            records = csvio.read(Path(input))
        except csvio.CsvFormatError as exc:
            raise CommandError(f"Ungültige Eingabe, nichts geschrieben:\n{exc}") from exc
        read_s = time.perf_counter() - started
        clusters = engine.link_records(records, threshold=threshold, train=train)
        link_s = time.perf_counter() - started - read_s
        csvio.write_clusters(target, records, clusters)
        sizes = Counter(clusters.values())
        self.stdout.write(f"Datensätze: {len(records)}, Personen (Cluster): {len(sizes)}, "
                          f"davon mit Dubletten: {sum(1 for n in sizes.values() if n > 1)}\n"
                          f"Modell {engine.MODEL_VERSION}, Zeit: Einlesen {read_s:.2f} s, Abgleich {link_s:.2f} s\n"
                          f"Geschrieben: {target}")
