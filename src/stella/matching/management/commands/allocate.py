"""`stella allocate --pairs PAIRS.csv --capacities CAPS.csv --out ASSIGN.csv`: optimal allocation in batch.

PAIRS has `person_id,offer_id,score` (one row per feasible pair, integer score, higher is better), CAPS has
`offer_id,capacity`; ASSIGN gets `person_id,offer_id` for every assigned person, sorted by person id. Each
person gets at most one offer, no offer exceeds its capacity, and the total score is a proven maximum
(min-cost flow, `stella.matching.flow`). Bad files: every problem with file, line and reason on stderr,
exit status 1, and the output file is neither created nor changed. No database is needed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.matching import csvio, flow


def _de(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Command(BaseCommand):
    help = ("Optimale Zuteilung: liest PAIRS (person_id,offer_id,score) und CAPS (offer_id,capacity), "
            "schreibt ASSIGN (person_id,offer_id) mit maximaler Gesamtpunktzahl.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pairs", required=True, help="Paare: person_id,offer_id,score (CSV, UTF-8)")
        parser.add_argument("--capacities", required=True, help="Plätze: offer_id,capacity (CSV, UTF-8)")
        parser.add_argument("--out", required=True, help="Ergebnis: person_id,offer_id (CSV, UTF-8)")
        parser.add_argument("--unassigned-cost", type=int, default=0,
                            help="Kosten, wenn eine Person ohne Platz bleibt (Standard 0)")

    def handle(self, *args: Any, pairs: str, capacities: str, out: str, unassigned_cost: int,
               **options: Any) -> None:
        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"Ausgabeverzeichnis fehlt: {target.parent}")
        if target.is_dir():
            raise CommandError(f"Die Ausgabe ist ein Verzeichnis: {target}")
        if not 0 <= unassigned_cost <= flow.MAX_ABS_SCORE:
            raise CommandError(f"--unassigned-cost muss zwischen 0 und {flow.MAX_ABS_SCORE} liegen.")
        started = time.perf_counter()
        try:
            t = csvio.read(Path(pairs), Path(capacities))
        except csvio.CsvFormatError as exc:
            raise CommandError(f"Ungültige Eingabe, nichts geschrieben:\n{exc}") from exc
        read_s = time.perf_counter() - started
        penalty = [unassigned_cost] * len(t.person_ids) if unassigned_cost else None
        try:
            solution = flow.solve(len(t.person_ids), t.capacity, t.pair_person, t.pair_offer, t.pair_score,
                                  unassigned_cost=penalty)
        except flow.AllocationError as exc:
            raise CommandError(f"{exc} Nichts geschrieben.") from exc
        solve_s = time.perf_counter() - started - read_s
        rows = [(t.person_ids[p], t.offer_ids[o]) for p, o in enumerate(solution.offer_of.tolist()) if o >= 0]
        csvio.write_assignment(target, rows)
        seats = int(t.capacity.sum())
        left = len(t.person_ids) - solution.assigned
        if unassigned_cost:
            self.stdout.write(f"Zielwert {_de(solution.objective).replace('-', '−')} (Gesamtpunktzahl "
                              f"{_de(solution.total_score)} − {_de(solution.unassigned_cost)} für {_de(left)} "
                              f"{'Person' if left == 1 else 'Personen'} ohne Platz)")
        self.stdout.write(
            f"Gesamtpunktzahl {_de(solution.total_score)} (bewiesenes Optimum)\n"
            f"Personen: {_de(len(t.person_ids))}, davon zugeteilt {_de(solution.assigned)}, ohne Platz {_de(left)}\n"
            f"Angebote: {_de(len(t.offer_ids))}, Plätze {_de(seats)}, davon belegt {_de(int(solution.seats_used.sum()))}\n"
            f"Paare: {_de(len(t.pair_person))}\n"
            f"Zeit: Einlesen {read_s:.2f} s, Lösen {solve_s:.2f} s\n"
            f"Geschrieben: {target}")
