"""The KldB 2010 classification in the database: load a version from the BA's CSV, keep exactly one active,
look codes up in it.

`stella kldb load` and `ensure_loaded()` call `load()`. A file is identified by its SHA-256: loading the
same file again changes nothing; a different file becomes a new version and the only active one (old
versions stay, because profile rows point at their occupations). Codes in the file lose their leading
zeros ("1" at level 2 is "01"); they are restored here so that every code has as many digits as its level.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.competences.models import KldbVersion, Occupation
from stella.core.actor import Actor
from stella.core.errors import InvalidInput

#: The copy shipped with Stella (see SOURCE.md beside it).
SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "kldb2010-v2020-gliederung.csv"

HEADER_CODE = "Schlüssel KldB 2010"
COLUMNS = ("code", "level", "title", "short_title", "remarks", "activities", "also_includes", "excludes")
SKILL_LEVELS = {1: "Helfer", 2: "Fachkraft", 3: "Spezialist", 4: "Experte"}

# Arabic-script spelling variants (Arabic and Persian keyboards, hamza seats, tatweel) fold together.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک",
                              "ة": "ه", "ؤ": "و", "ـ": None})
_ARABIC = re.compile("[\u0600-\u06ff]")
_NON_WORD = re.compile(r"[\W_]+")
_LATIN_ACCENTED = re.compile("[\u00c0-\u024f]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_EXAMPLE = re.compile(r"\b\d{5}-\d{3}\s+(.+?)(?=\s+\d{5}-\d{3}\s|$)", re.S)


def _strip_accent(match: re.Match[str]) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", match.group()) if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lower case, ä→ae, ö→oe, ü→ue, ß→ss, other Latin accents dropped, anything but letters and digits a space.

    The same key for "Bäcker", "BAECKER" and "Baecker"; used for the stored `search_text` and for queries.
    Other scripts stay (the job-title mapper normalises Arabic, Cyrillic or Ge'ez titles the same way); Arabic
    vowel marks are dropped and Arabic/Persian letter variants folded (ي/ی, ك/ک, أ/ا, ة/ه)."""
    text = text.lower()
    if not text.isascii():  # str.replace and regex scans run in C; translate() with a dict would not
        text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        text = _LATIN_ACCENTED.sub(_strip_accent, text)
        if _ARABIC.search(text):
            text = _ARABIC_MARKS.sub("", text.translate(_ARABIC_FOLD))
    return _NON_WORD.sub(" ", text).strip()


def example_titles(also_includes: str) -> list[str]:
    """The "Zugeordnete Berufe (Beispiele)" of a level-5 position: job titles such as "Bäcker/in"."""
    if "Zugeordnete Berufe" not in also_includes:
        return []
    return [m.strip() for m in _EXAMPLE.findall(also_includes)]


@dataclass(frozen=True)
class LoadResult:
    version: KldbVersion
    created: bool  # False: the same file was loaded before (nothing written unless it was re-activated)
    reactivated: bool
    counts: dict[int, int]  # positions per level

    @property
    def message(self) -> str:
        total = sum(self.counts.values())
        if self.created:
            return f"{self.version.name} geladen: {total} Positionen ({_levels(self.counts)}); jetzt aktiv."
        if self.reactivated:
            return f"{self.version.name} war bereits geladen (gleiche Datei) und ist jetzt wieder aktiv."
        return f"{self.version.name} ist bereits geladen (gleiche Datei, SHA-256 {self.version.sha256[:12]}…); " \
               "nichts geändert."


def _levels(counts: dict[int, int]) -> str:
    return ", ".join(f"Ebene {level}: {n}" for level, n in sorted(counts.items()))


def _clean(value: str) -> str:
    return html.unescape(value).strip()


def parse(data: bytes, source: str) -> tuple[str, list[Occupation]]:
    """The version name and unsaved Occupation rows of a KldB CSV file; InvalidInput naming the line if it is
    not one (wrong encoding, wrong header, a code that does not fit its level, a duplicate code)."""
    def fail(message: str) -> InvalidInput:
        return InvalidInput({"file": f"{source}: {message}"})

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"keine UTF-8-Datei (Byte {exc.start}).") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if not header or not header[0].startswith(HEADER_CODE) or len(header) < len(COLUMNS):
        raise fail(f"keine KldB-2010-Gliederung (erwartet: Kopfzeile „{HEADER_CODE}…;Ebene;Titel;Kurztitel;…“ "
                   "mit Semikolon als Trennzeichen).")
    year = re.search(r"V\.\s*(\d{4})", header[0])
    name = f"KldB 2010, Fassung {year.group(1)}" if year else "KldB 2010"
    rows: list[Occupation] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) < len(COLUMNS):
            raise fail(f"Zeile {line}: {len(raw)} statt {len(COLUMNS)} Spalten.")
        values = dict(zip(COLUMNS, (_clean(cell) for cell in raw), strict=False))
        code, level_text = values["code"], values["level"]
        if not level_text.isdigit() or not 1 <= int(level_text) <= 5:
            raise fail(f"Zeile {line}: Ebene „{level_text}“ ist keine Zahl von 1 bis 5.")
        level = int(level_text)
        if not code.isdigit() or len(code) > level:
            raise fail(f"Zeile {line}: Schlüssel „{code}“ passt nicht zu Ebene {level} (höchstens {level} Ziffern).")
        code = code.zfill(level)  # the file drops leading zeros: "1" at level 2 is "01"
        if code in seen:
            raise fail(f"Zeile {line}: Schlüssel {code} kommt doppelt vor.")
        if not values["title"]:
            raise fail(f"Zeile {line}: Titel fehlt.")
        seen.add(code)
        occupation = Occupation(code=code, level=level, title=values["title"], short_title=values["short_title"],
                                activities=values["activities"], also_includes=values["also_includes"],
                                excludes=values["excludes"])
        occupation.search_text = search_text(occupation)
        rows.append(occupation)
    if not any(o.level == 5 for o in rows):
        raise fail("keine Berufsgattungen (Ebene 5) gefunden.")
    return name, rows


def search_text(occupation: Occupation) -> str:
    """Normalised title, short title, example job titles and activities (what the occupation search reads)."""
    parts = [occupation.title, occupation.short_title, *example_titles(occupation.also_includes),
             occupation.activities]
    return " ".join(normalize(p) for p in parts if p)


def load(path: Path | str | None = None, *, actor: Actor | None = None) -> LoadResult:
    """Load a KldB CSV (default: the shipped copy) as the active version; idempotent per file content."""
    path = Path(path) if path is not None else SHIPPED_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput({"file": f"{path}: Datei nicht lesbar ({exc.strerror or exc})."}) from exc
    sha = hashlib.sha256(data).hexdigest()
    actor = actor or Actor.system("KldB 2010 laden")
    existing = KldbVersion.objects.filter(sha256=sha).first()
    if existing is not None:
        with transaction.atomic():
            reactivate = not existing.active
            if reactivate:
                KldbVersion.objects.filter(active=True).update(active=False)
                KldbVersion.objects.filter(pk=existing.pk).update(active=True)
                existing.active = True
                audit.record(actor, AuditAction.ADMIN, object_type="kldb_version", object_id=existing.pk,
                             detail={"activated": existing.name, "sha256": sha})
        _invalidate()
        return LoadResult(existing, created=False, reactivated=reactivate, counts=counts(existing))
    name, rows = _parse_once(sha, data, path.name)
    with transaction.atomic():
        KldbVersion.objects.filter(active=True).update(active=False)
        version = KldbVersion.objects.create(name=name, source_file=path.name[:200], sha256=sha, active=True)
        for row in rows:
            row.version = version
        Occupation.objects.bulk_create(rows, batch_size=500)
        by_level = _count(rows)
        audit.record(actor, AuditAction.ADMIN, object_type="kldb_version", object_id=version.pk,
                     detail={"loaded": name, "sha256": sha, "file": path.name, "positions": len(rows)})
    _invalidate()
    return LoadResult(version, created=True, reactivated=False, counts=by_level)


#: Parsed files by sha256: parsing takes seconds (HTML entities, search texts), loading the rows milliseconds.
#: Tests load the classification into a fresh database again and again; the file content never changes per sha.
_PARSED: dict[str, tuple[str, list[dict[str, Any]]]] = {}
_FIELDS = ("code", "level", "title", "short_title", "activities", "also_includes", "excludes", "search_text")


def _parse_once(sha: str, data: bytes, source: str) -> tuple[str, list[Occupation]]:
    if sha not in _PARSED:
        name, rows = parse(data, source)
        _PARSED.clear()
        _PARSED[sha] = (name, [{f: getattr(r, f) for f in _FIELDS} for r in rows])
    name, values = _PARSED[sha]
    return name, [Occupation(**v) for v in values]


def _count(rows: list[Occupation]) -> dict[int, int]:
    out: dict[int, int] = {}
    for row in rows:
        out[row.level] = out.get(row.level, 0) + 1
    return out


def counts(version: KldbVersion) -> dict[int, int]:
    """Positions per level of a version."""
    return _count(list(version.occupations.only("level")))


def active_version() -> KldbVersion | None:
    return KldbVersion.objects.filter(active=True).first()


def ensure_loaded() -> KldbVersion:
    """The active version; loads the shipped file first if none is active (demo data, tests)."""
    return active_version() or load().version


LEVEL_NAMES = {1: "Berufsbereich", 2: "Berufshauptgruppe", 3: "Berufsgruppe", 4: "Berufsuntergruppe",
               5: "Berufsgattung"}


def occupation_by_code(code: str, level: int | None = 5) -> Occupation:
    """The occupation with this code in the active version (by default a level-5 Berufsgattung, as profiles and
    offers are coded), or InvalidInput in German (field "occupation")."""
    version = active_version()
    if version is None:
        raise InvalidInput({"occupation": "Es ist keine KldB-Fassung geladen (stella kldb load)."})
    code = (code or "").strip()
    found = Occupation.objects.filter(version=version, code=code).first() if code.isdigit() else None
    if found is None:
        raise InvalidInput({"occupation": f"Den KldB-Schlüssel „{code}“ gibt es in der geladenen Fassung "
                                          f"({version.name}) nicht."})
    if level is not None and found.level != level:
        raise InvalidInput({"occupation": f"Der KldB-Schlüssel „{code}“ ist keine {LEVEL_NAMES[level]} (Ebene "
                                          f"{level}, {'fünfstellig' if level == 5 else f'{level}-stellig'}), "
                                          f"sondern eine {LEVEL_NAMES[found.level]}."})
    return found


def skill_level_label(code: str) -> str:
    """Anforderungsniveau of a level-5 code in words ("" for other levels)."""
    return SKILL_LEVELS.get(int(code[4]), "") if len(code) == 5 and code.isdigit() else ""


def _invalidate() -> None:
    # The occupation search keeps the active version in memory; a new or re-activated version replaces it.
    from stella.competences import occupations

    occupations.invalidate()
