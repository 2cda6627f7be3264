"""The files of `stella allocate`: PAIRS (`person_id,offer_id,score`), CAPS (`offer_id,capacity`) and ASSIGN
(`person_id,offer_id`), UTF-8 CSV with a header row.

Reading checks everything before anything is solved and reports each problem with file, line and reason
(up to `MAX_ERRORS`); writing goes to a temporary file beside the target that replaces it only when
complete, so a failed run never leaves a half-written or changed output file.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import numpy.typing as npt

from stella.core.files import CsvFormatError, atomic_text_file
from stella.matching.flow import MAX_ABS_SCORE, canonical, has_duplicates, id_sort_key

PAIRS_COLUMNS = ("person_id", "offer_id", "score")
CAPS_COLUMNS = ("offer_id", "capacity")
ASSIGN_COLUMNS = ("person_id", "offer_id")
MAX_ERRORS = 20
MAX_CAPACITY = 10_000_000
_ASCII_SPACE = " \t\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip() removes besides CR, LF and non-ASCII
_CHUNK_CHARS = 4_000_000  # PAIRS is read in pieces of about this size (bounded memory)
_DIGITS_ONLY = re.compile(r"[0-9,\n-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Problem:
    """One finding: file name, line (1 = header) and a German reason."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, Zeile {self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0
        self.unreadable: set[Path] = set()  # files whose rows could not be read at all

    def add(self, file: str, line: int, reason: str) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(Problem(file, line, reason))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.problems:
            files = list(dict.fromkeys(p.file for p in self.problems))
            ordered = sorted(self.problems, key=lambda p: (files.index(p.file), p.line))
            raise CsvFormatError(ordered, self.more)


@dataclass
class Tables:
    """Both inputs as canonical, dense arrays (ids sorted by `flow.id_sort_key`)."""

    person_ids: list[str]
    offer_ids: list[str]
    capacity: npt.NDArray[np.int64]
    pair_person: npt.NDArray[np.int64]
    pair_offer: npt.NDArray[np.int64]
    pair_score: npt.NDArray[np.int64]
    pair_lines: npt.NDArray[np.int64] = field(repr=False)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Millions of small lists and strings would trigger the cyclic garbage collector over and over
    (reading 2 million rows took 4× as long); they hold no cycles, so it can rest meanwhile."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _decode(path: Path, errors: _Collector) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        errors.add(path.name, 0, f"nicht lesbar ({exc.strerror})")
        errors.unreadable.add(path)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        errors.add(path.name, line, f"ist nicht UTF-8-kodiert (ungültiges Byte 0x{data[exc.start]:02x} an "
                                    f"Position {exc.start + 1})")
        errors.unreadable.add(path)
        return None


def _header_problem(header: list[str], columns: Sequence[str]) -> str:
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    doubled = sorted({h for h in header if header.count(h) > 1})
    parts = []
    if missing:
        parts.append("fehlende Spalte(n) " + ", ".join(missing))
    if unknown:
        parts.append("unbekannte Spalte(n) " + ", ".join(h or "(leer)" for h in unknown))
    if doubled:
        parts.append("doppelte Spalte(n) " + ", ".join(doubled))
    return f"Kopfzeile: {'; '.join(parts)} (erwartet: {','.join(columns)})" if parts else ""


def _rows(path: Path, text: str | None, columns: Sequence[str],
          errors: _Collector) -> Iterator[tuple[int, list[str]]]:
    """(line, fields in the order of `columns`) of each data row, checking every row on its own: exact
    line numbers for the messages (the careful path; `_fast_pairs` is the quick one)."""
    if text is None:
        return
    name = path.name
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        first = next(reader, None)
        if first is None:
            errors.add(name, 0, f"ist leer; erwartet wird die Kopfzeile {','.join(columns)}")
            errors.unreadable.add(path)
            return
        header = [h.strip() for h in first]
        problem = _header_problem(header, columns)
        if problem:
            errors.add(name, 1, problem)
            errors.unreadable.add(path)
            return
        positions = [header.index(c) for c in columns]
        width = len(header)
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line (e.g. at the end of the file)
            if len(fields) != width:
                errors.add(name, reader.line_num, f"{len(fields)} Felder statt {width}")
                continue
            yield reader.line_num, [fields[i].strip() for i in positions]
    except csv.Error as exc:
        errors.add(name, reader.line_num, f"kein gültiges CSV ({exc})")


def _integer(text: str) -> int | None:
    return int(text) if _INTEGER.fullmatch(text) else None


@dataclass
class _Pairs:
    person_index: dict[str, int]
    offer_index: dict[str, int]
    person: npt.NDArray[np.int64]
    offer: npt.NDArray[np.int64]
    score: npt.NDArray[np.int64]
    lines: npt.NDArray[np.int64] | None  # None: read by the quick path, which found nothing wrong


def _fast_pairs(text: str, offer_index: dict[str, int]) -> _Pairs | None:
    """PAIRS read column-wise in chunks with C-level string operations (split, map, dict) – many times
    faster than the csv module row by row. Only for plain files (no quotes, no lone CR, no blank lines);
    returns None at the first thing that is not plainly right, and the careful path then says what and where."""
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    head, _, body = text.partition("\n")
    header = [h.strip() for h in head.split(",")]
    if _header_problem(header, PAIRS_COLUMNS):
        return None
    positions = [header.index(c) for c in PAIRS_COLUMNS]
    width = len(header)
    body = body.removesuffix("\n")
    if _DIGITS_ONLY.fullmatch(body) and not _leading_zero(body):
        numeric = _numeric_pairs(body, positions, width, offer_index)
        if numeric is not None:
            return numeric
    person_index: dict[str, int] = {}
    persons, offers, scores = [], [], []
    start = 0
    while start < len(body):
        end = body.find("\n", start + _CHUNK_CHARS)
        end = len(body) if end < 0 else end
        chunk = body[start:end]
        start = end + 1
        lines = chunk.split("\n")
        commas = list(map(str.count, lines, repeat(",", len(lines))))
        if min(commas) != width - 1 or max(commas) != width - 1:
            return None  # a blank line or a row with too few or too many fields
        flat = chunk.replace("\n", ",").split(",")
        if not chunk.isascii() or any(c in chunk for c in _ASCII_SPACE):
            flat = list(map(str.strip, flat))  # as the careful path does
        p_col, o_col, s_col = (flat[i::width] for i in positions)
        fresh = [p for p in dict.fromkeys(p_col) if p not in person_index]
        person_index.update(zip(fresh, range(len(person_index), len(person_index) + len(fresh)), strict=True))
        if "" in person_index or not offer_index.keys() >= set(o_col):
            return None
        digits = "".join(s_col).replace("-", "").replace("+", "")
        if not (digits.isascii() and digits.isdigit()):
            return None  # int() would also take "1_000", " 1" or Arabic-Indic digits
        try:
            scores.append(np.fromiter(map(int, s_col), np.int64, len(s_col)))
        except (ValueError, OverflowError):
            return None  # "", "1-2", "--1", far too large
        persons.append(np.fromiter(map(person_index.__getitem__, p_col), np.int64, len(p_col)))
        offers.append(np.fromiter(map(offer_index.__getitem__, o_col), np.int64, len(o_col)))
    result = _Pairs(person_index, offer_index, _concat(persons), _concat(offers), _concat(scores), None)
    if len(result.score) and np.abs(result.score).max() > MAX_ABS_SCORE:
        return None
    if has_duplicates(result.person, result.offer, len(offer_index)):
        return None
    return result


def _leading_zero(body: str) -> bool:
    """Does a field start with 0 followed by a digit ("007")? Then ids are not plain numbers."""
    text = "\n" + body
    for prefix in ("\n0", ",0", "\n-0", ",-0"):
        at = text.find(prefix)
        while at >= 0:
            after = at + len(prefix)
            if after < len(text) and text[after].isdigit():
                return True
            at = text.find(prefix, after)
    return False


def _numeric_pairs(body: str, positions: list[int], width: int, offer_index: dict[str, int]) -> _Pairs | None:
    """The quickest path, for files of plain integers (ids without sign or leading zero): NumPy's C parser
    reads the whole table. An integer id then stands for exactly one text id, so the result is the same as
    reading the ids as text."""
    offer_ids = list(offer_index)
    caps = np.array([int(o) for o in offer_ids], dtype=np.int64) if all(
        o.isascii() and o.isdigit() and (o == "0" or o[0] != "0") and len(o) < 19 for o in offer_ids) else None
    if caps is None or not body:
        return None
    try:
        table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.int64, comments=None, ndmin=2)
    except (ValueError, OverflowError):
        return None
    if table.shape[1] != width or body.count("\n") + 1 != len(table):
        return None  # blank lines or ragged rows: the careful path says where
    person_col, offer_col, score = (np.ascontiguousarray(table[:, i]) for i in positions)
    if person_col.min() < 0 or offer_col.min() < 0 or np.abs(score).max() > MAX_ABS_SCORE:
        return None
    people, person = np.unique(person_col, return_inverse=True)
    order = np.argsort(caps)
    where = np.searchsorted(caps[order], offer_col)
    where[where >= len(caps)] = 0
    if not (caps[order][where] == offer_col).all():
        return None  # an unknown offer
    offer = np.asarray([offer_index[offer_ids[i]] for i in order.tolist()], dtype=np.int64)[where]
    person = person.astype(np.int64).ravel()
    if has_duplicates(person, offer, len(offer_ids)):
        return None
    return _Pairs({str(p): i for i, p in enumerate(people.tolist())}, offer_index, person, offer, score, None)


def _concat(parts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _careful_pairs(path: Path, text: str | None, offer_index: dict[str, int], check_offers: bool,
                   rejected: set[str], caps_name: str, errors: _Collector) -> _Pairs:
    name = path.name
    offer_index = dict(offer_index)
    person_index: dict[str, int] = {}
    persons: list[int] = []
    offers: list[int] = []
    scores: list[int] = []
    lines: list[int] = []
    for line, (person, offer, score) in _rows(path, text, PAIRS_COLUMNS, errors):
        value = _integer(score)
        if not person:
            errors.add(name, line, "leere person_id")
        elif not offer:
            errors.add(name, line, "leere offer_id")
        elif offer not in offer_index and offer not in rejected and check_offers:
            errors.add(name, line, f"unbekanntes Angebot „{offer}“ (nicht in {caps_name})")
        elif value is None:
            errors.add(name, line, f"Punktzahl „{score}“ ist keine ganze Zahl")
        elif abs(value) > MAX_ABS_SCORE:
            errors.add(name, line, f"Punktzahl {value} liegt außerhalb von ±{MAX_ABS_SCORE}")
        else:
            persons.append(person_index.setdefault(person, len(person_index)))
            offers.append(offer_index.setdefault(offer, len(offer_index)))
            scores.append(value)
            lines.append(line)
    return _Pairs(person_index, offer_index, np.asarray(persons, dtype=np.int64),
                  np.asarray(offers, dtype=np.int64), np.asarray(scores, dtype=np.int64),
                  np.asarray(lines, dtype=np.int64))


def read(pairs_path: Path, caps_path: Path) -> Tables:
    """Read and check both files; raises CsvFormatError listing every problem found (up to MAX_ERRORS)."""
    errors = _Collector()
    caps_name = caps_path.name
    with _gc_paused():
        offer_line: dict[str, int] = {}
        capacities: list[int] = []
        rejected: set[str] = set()  # offers whose CAPS row was wrong: not "unknown" in PAIRS as well
        for line, (offer, capacity) in _rows(caps_path, _decode(caps_path, errors), CAPS_COLUMNS, errors):
            value = _integer(capacity)
            if offer and offer not in offer_line and (value is None or not 0 <= value <= MAX_CAPACITY):
                rejected.add(offer)
            if not offer:
                errors.add(caps_name, line, "leere offer_id")
            elif offer in offer_line:
                errors.add(caps_name, line, f"Angebot „{offer}“ doppelt (zuerst in Zeile {offer_line[offer]})")
            elif value is None:
                errors.add(caps_name, line, f"Kapazität „{capacity}“ ist keine ganze Zahl")
            elif value < 0:
                errors.add(caps_name, line, f"Kapazität {value} ist negativ")
            elif value > MAX_CAPACITY:
                errors.add(caps_name, line, f"Kapazität {value} ist größer als {MAX_CAPACITY}")
            else:
                offer_line[offer] = line
                capacities.append(value)
        offer_index = {offer: i for i, offer in enumerate(offer_line)}

        text = _decode(pairs_path, errors)
        pairs = _fast_pairs(text, offer_index) if text is not None and not errors.problems else None
        if pairs is None:
            # Without a readable CAPS every offer would look unknown: then check PAIRS' own format only.
            pairs = _careful_pairs(pairs_path, text, offer_index, caps_path not in errors.unreadable, rejected,
                                   caps_name, errors)
        del text

    person_ids, person_rank = canonical(list(pairs.person_index))
    offer_ids, offer_rank = canonical(list(pairs.offer_index))
    capacity = np.zeros(len(offer_ids), dtype=np.int64)
    capacity[offer_rank[:len(capacities)]] = capacities
    tables = Tables(person_ids=person_ids, offer_ids=offer_ids, capacity=capacity,
                    pair_person=person_rank[pairs.person], pair_offer=offer_rank[pairs.offer], pair_score=pairs.score,
                    pair_lines=pairs.lines if pairs.lines is not None else np.zeros(0, dtype=np.int64))
    if pairs.lines is not None:
        _check_duplicates(tables, pairs_path.name, errors)
    errors.raise_if_any()
    return tables


def _check_duplicates(t: Tables, name: str, errors: _Collector) -> None:
    """Duplicate pairs by sorting (a set of 2 million tuples would cost far more memory)."""
    if len(t.pair_person) < 2:
        return
    order = np.lexsort((t.pair_lines, t.pair_offer, t.pair_person))
    p, o = t.pair_person[order], t.pair_offer[order]
    same = np.nonzero((p[1:] == p[:-1]) & (o[1:] == o[:-1]))[0]
    for i in same.tolist():
        first, again = int(t.pair_lines[order[i]]), int(t.pair_lines[order[i + 1]])
        errors.add(name, again, f"Paar Person „{t.person_ids[p[i]]}“, Angebot „{t.offer_ids[o[i]]}“ doppelt "
                                f"(zuerst in Zeile {first})")


def write_assignment(path: Path, rows: Sequence[tuple[str, str]]) -> None:
    """Write ASSIGN (sorted by person id) atomically: readers see the old file or the whole new one."""
    with atomic_text_file(path, newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(ASSIGN_COLUMNS)
        writer.writerows(sorted(rows, key=lambda r: id_sort_key(r[0])))
