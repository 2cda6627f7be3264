"""The files of `stella link-records`: IN (`record_id,source_agency,given_names,family_name,birth_date,sex,
nationality,birth_place`, columns in any order, UTF-8 with or without BOM) and CLUSTERS (`record_id,cluster_id`).

Reading checks every row before anything is linked and reports each problem with line and reason (the first
`MAX_ERRORS`, then a count); writing replaces the target only when complete (`stella.core.files`).

Values: `birth_date` ISO `YYYY-MM-DD` or empty (a `YYYY-01-01` counts as "year only" for the comparison);
`sex` one of f, m, d, u, x in any case, or empty (u, x and empty are "unknown"; d is diverse); `nationality`
ISO 3166 alpha-3 in any case, XXA/XXB/XXX/XKX, or empty (XXA, XXB, XXX and empty say nothing about identity);
`record_id` non-empty and unique; at least one of given_names, family_name non-empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError

from stella.core.files import CsvFormatError, atomic_text_file
from stella.linkage.records import NO_NATIONALITY, LinkRecord
from stella.people.validators import validate_country

IN_COLUMNS = ("record_id", "source_agency", "given_names", "family_name", "birth_date", "sex", "nationality",
              "birth_place")
OUT_COLUMNS = ("record_id", "cluster_id")
MAX_ERRORS = 50
MAX_FIELD = 500
_SEX = {"f": "f", "m": "m", "d": "d", "u": "", "x": "", "": ""}
_NOT_IDENTIFYING = NO_NATIONALITY | {"XXB"}


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"Zeile {self.line}: {self.reason}" if self.line else self.reason


class _Errors:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, line: int, reason: str) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(Problem(line, f"{self.name}: {reason}" if not line else reason))
        else:
            self.more += 1


def _date(text: str) -> date | None:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"Geburtsdatum „{text}“ ist kein ISO-Datum (JJJJ-MM-TT)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Geburtsdatum „{text}“ gibt es nicht") from None


def parse(text: str, name: str = "Eingabe") -> list[LinkRecord]:
    """The records of an IN file's text, or CsvFormatError with every problem."""
    errors = _Errors(name)
    records: list[LinkRecord] = []
    if "\x00" in text:
        errors.add(0, f"{name} ist keine Textdatei (enthält Nullbytes)")
        raise CsvFormatError(errors.problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    seen: dict[str, int] = {}
    try:
        first = next(reader, None)
        if first is None or not any(h.strip() for h in first):
            errors.add(1, f"die Datei ist leer; erwartet wird die Kopfzeile {','.join(IN_COLUMNS)}")
            raise CsvFormatError(errors.problems)
        header = [h.strip().lower() for h in first]
        missing = [c for c in IN_COLUMNS if c not in header]
        unknown = [h or "(leer)" for h in header if h not in IN_COLUMNS]
        doubled = sorted({h for h in header if header.count(h) > 1})
        parts = []
        if missing:
            parts.append("fehlende Spalte(n) " + ", ".join(missing))
        if unknown:
            parts.append("unbekannte Spalte(n) " + ", ".join(unknown))
        if doubled:
            parts.append("doppelte Spalte(n) " + ", ".join(doubled))
        if parts:
            errors.add(1, f"Kopfzeile: {'; '.join(parts)} (erwartet: {','.join(IN_COLUMNS)})")
            raise CsvFormatError(errors.problems)
        pos = {c: header.index(c) for c in IN_COLUMNS}
        width = len(header)
        for fields in reader:
            line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != width:
                errors.add(line, f"{len(fields)} Felder statt {width}")
                continue
            row = {c: fields[i].strip() for c, i in pos.items()}
            reasons: list[str] = []
            too_long = [c for c, v in row.items() if len(v) > MAX_FIELD]
            if too_long:
                reasons.append(f"Feld(er) {', '.join(too_long)} länger als {MAX_FIELD} Zeichen")
            rid = row["record_id"]
            if not rid:
                reasons.append("record_id fehlt")
            elif rid in seen:
                reasons.append(f"record_id „{rid}“ doppelt (zuerst in Zeile {seen[rid]})")
            else:
                seen[rid] = line
            if not row["given_names"] and not row["family_name"]:
                reasons.append("kein Name (given_names und family_name leer)")
            birth: date | None = None
            if row["birth_date"]:
                try:
                    birth = _date(row["birth_date"])
                except ValueError as exc:
                    reasons.append(str(exc))
            sex = row["sex"].lower()
            if sex not in _SEX:
                reasons.append(f"Geschlecht „{row['sex']}“ unbekannt (erlaubt: f, m, d, u, x oder leer)")
            nat = row["nationality"].upper()
            if nat:
                try:
                    validate_country(nat)
                except ValidationError:
                    reasons.append(f"Staatsangehörigkeit „{row['nationality']}“ ist kein ISO-3166-Alpha-3-Code")
            if reasons:
                errors.add(line, "; ".join(reasons))
                continue
            precision = "unknown" if birth is None else ("year" if (birth.month, birth.day) == (1, 1) else "exact")
            records.append(LinkRecord(
                record_id=rid, names=((row["given_names"], row["family_name"]),), birth_date=birth,
                birth_precision=precision, sex=_SEX[sex], nationality="" if nat in _NOT_IDENTIFYING else nat,
                birth_place=row["birth_place"], source=row["source_agency"]))
    except csv.Error as exc:
        errors.add(reader.line_num, f"kein gültiges CSV ({exc})")
    if errors.problems:
        raise CsvFormatError(errors.problems, errors.more)
    return records


def read(path: Path) -> list[LinkRecord]:
    """The records of an IN file (see `parse`); unreadable or non-UTF-8 files are format errors, too."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvFormatError([Problem(0, f"{path.name}: nicht lesbar ({exc.strerror})")]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CsvFormatError([Problem(line, f"nicht UTF-8-kodiert (ungültiges Byte 0x{data[exc.start]:02x})")]) \
            from exc
    return parse(text, path.name)


def write_clusters(target: Path, records: Sequence[LinkRecord], clusters: dict[str, str]) -> None:
    """CLUSTERS: one row per input record, in input order."""
    with atomic_text_file(target) as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(OUT_COLUMNS)
        for r in records:
            writer.writerow((r.record_id, clusters[r.record_id]))
