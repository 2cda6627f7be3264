"""`stella linkage-train --synthetic N --out PATH`: train the duplicate-detection model on N synthetic persons
(`stella.linkage.synthetic`, seed 1000 by default: not a benchmark seed) and write the model JSON. The shipped
`linkage/data/model.json` is made this way: `stella linkage-train --synthetic 20000 --out
src/stella/linkage/data/model.json`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stella.core.files import atomic_text_file


class Command(BaseCommand):
    help = "Das Modell der Dublettenerkennung auf synthetischen Registrierungen trainieren."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--synthetic", type=int, required=True, help="Zahl der synthetischen Personen")
        parser.add_argument("--seed", type=int, default=1000, help="Zufallssaat (Standard 1000)")
        parser.add_argument("--out", required=True, help="Ziel: Modell-JSON")

    def handle(self, *args: Any, synthetic: int, seed: int, out: str, **options: Any) -> None:
        import json

        from stella.linkage import engine
        from stella.linkage.synthetic import generate

        target = Path(out)
        if not target.parent.is_dir():
            raise CommandError(f"Ausgabeverzeichnis fehlt: {target.parent}")
        if not 100 <= synthetic <= 1_000_000:
            raise CommandError("--synthetic muss zwischen 100 und 1.000.000 liegen.")
        started = time.perf_counter()
        data = generate(synthetic, seed=seed)
        model = engine.train_model(data.records, truth=data.entity, seed=seed)
        model["meta"].update({"synthetic_persons": synthetic, "synthetic_seed": seed})
        with atomic_text_file(target) as sink:
            sink.write(json.dumps(model, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        self.stdout.write(f"Modell trainiert auf {len(data.records)} Registrierungen in "
                          f"{time.perf_counter() - started:.1f} s; geschrieben: {target}")
