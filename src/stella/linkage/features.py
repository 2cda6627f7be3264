"""The feature columns the Splink model compares: a `LinkRecord` reduced to name-key sets, folded name forms,
birth-date parts with a placeholder flag, a birthplace key, nationality and sex.

Name knowledge comes from `stella.people.names` (transliteration folds, particles, Arabic script); this module
only arranges its output into columns. Work per distinct name string is cached, so 200k records take seconds.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any, TypedDict

from stella.linkage.records import LinkRecord
from stella.people import names as _names

#: Birth dates that usually stand for "day (and month) unknown": 1 January, 30 June, 31 December.
PLACEHOLDER_DAYS = frozenset({(1, 1), (6, 30), (12, 31)})
#: Precisions whose day is not real.
_VAGUE_PRECISIONS = frozenset({"year", "month", "unknown"})


class Features(TypedDict):
    """One row of the engine's input table (column names are the Splink model's)."""

    unique_id: str
    name_keys: list[str] | None  # sorted distinct token keys of every spelling
    given_keys: list[str] | None  # the keys of the given names only (every spelling)
    family_keys: list[str] | None  # the keys of the family names only (every spelling)
    first_keys: list[str] | None  # the key of the first given name of every spelling (the name one is called by)
    key_pairs: list[str] | None  # every two of the keys ("ahmd mhmd"), for blocking on two shared keys
    keyset: str | None  # the same keys joined: equal sets compare equal, term frequencies attach here
    name_folded: str | None  # primary name, folded, tokens sorted (order-independent fuzzy comparison)
    dob: str | None  # ISO date
    dob_exact: str | None  # ISO date when the day is real (not a placeholder), for blocking
    dob_md: str | None  # MM-DD when the day is real, for blocking year typos
    dob_year: int | None
    dob_y2a: int | None  # year // 2: with dob_y2b, two overlapping two-year buckets for blocking
    dob_y2b: int | None  # (year + 1) // 2
    dob_month: int | None
    dob_day: int | None
    dob_ph: bool  # placeholder: year-only/month precision or 1 Jan / 30 Jun / 31 Dec
    birth_place_key: str | None
    birth_place_folded: str | None
    nationality: str | None
    sex: str | None


#: Column order of the input table.
COLUMNS: tuple[str, ...] = tuple(Features.__annotations__)


@lru_cache(maxsize=200_000)
def _folded_token(token: str) -> str:
    """A token in a spelling-neutral form that keeps vowel classes (for Jaro-Winkler): `names.folded`."""
    fold = getattr(_names, "folded", None)
    return str(fold(token)) if callable(fold) else token


@lru_cache(maxsize=200_000)
def _part(part: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(token keys in order, folded tokens) of one name part; parts repeat far more than whole names."""
    if not part:
        return (), ()
    return tuple(_names.name_keys(part)), tuple(_folded_token(t) for t in _names.tokens(part))


def first_key(given: str) -> str | None:
    """The key of the first given name (None without one)."""
    keys = _part(given)[0]
    return keys[0] if keys else None


@lru_cache(maxsize=200_000)
def name_features(given: str, family: str) -> tuple[tuple[str, ...], str]:
    """(sorted distinct token keys, folded sorted tokens) of one spelling."""
    g, f = _part(given), _part(family)
    return tuple(sorted(set(g[0] + f[0]))), " ".join(sorted(g[1] + f[1]))


#: Birthplaces known under unrelated names (exonyms, Arabic/Kurdish/Serbian names, old names): every name of a
#: group gets the key of the group's first. Spelling variants (Kabul/Kabol, Dschalalabad/Jalalabad) need no
#: entry: the name keys fold them.
PLACE_ALIASES: tuple[tuple[str, ...], ...] = (
    ("Aleppo", "Halab", "Haleb"), ("Damaskus", "Damascus", "Dimashq"), ("Homs", "Hims"),
    ("Deir ez-Zor", "Dayr az-Zawr"), ("Rakka", "Raqqa"), ("Erbil", "Arbil", "Hewler", "Hawler"),
    ("Sulaimaniyya", "Slemani"), ("Sindschar", "Sinjar", "Shingal"), ("Dohuk", "Duhok", "Dahuk"),
    ("Massawa", "Massaua", "Mitsiwa"), ("Mogadischu", "Mogadishu", "Muqdisho"), ("Baidoa", "Baydhabo"),
    ("Galkayo", "Gaalkacyo"), ("Bosaso", "Boosaaso"), ("Kismayo", "Kismaayo"),
    ("Kyjiw", "Kyiv", "Kiew", "Kiev"), ("Charkiw", "Kharkiv", "Charkow"), ("Lwiw", "Lviv", "Lemberg"),
    ("Dnipro", "Dnepr", "Dnipropetrowsk"), ("Saporischschja", "Zaporizhzhia", "Saporoshje"),
    ("Peja", "Pec", "Peć"), ("Ferizaj", "Urosevac"), ("Gjakova", "Djakovica"), ("Durrës", "Durazzo"),
    ("Şanlıurfa", "Urfa"), ("Benin City", "Benin"), ("Masar-e Scharif", "Mazar-i-Sharif"),
)
_PLACE_CANON: dict[str, str] = {}


def _place_canon(place: str) -> str:
    if not _PLACE_CANON:
        for group in PLACE_ALIASES:
            target = " ".join(_names.name_keys(group[0]))
            for alias in group:
                _PLACE_CANON.setdefault(" ".join(_names.name_keys(alias)), target)
    key = " ".join(_names.name_keys(place))
    return _PLACE_CANON.get(key, key)


@lru_cache(maxsize=100_000)
def place_features(place: str) -> tuple[str | None, str | None]:
    """(key, folded form) of a birthplace; None for an empty one. Known other names share the key."""
    if not place or not place.strip():
        return None, None
    keys = [_place_canon(place)] if _names.name_keys(place) else []
    toks = _names.tokens(place)
    return (" ".join(keys) or None), (" ".join(_folded_token(t) for t in toks) or None)


def is_placeholder(birth_date: date | None, precision: str) -> bool:
    """True when the day of the date is not real: vague precision or a typical stand-in day."""
    if birth_date is None:
        return True
    return precision in _VAGUE_PRECISIONS or (birth_date.month, birth_date.day) in PLACEHOLDER_DAYS


@lru_cache(maxsize=200_000)
def _name_columns(names: tuple[tuple[str, str], ...]) -> tuple[
        list[str] | None, list[str] | None, list[str] | None, list[str] | None, list[str] | None, str | None,
        str | None]:
    """(name_keys, given_keys, family_keys, first_keys, key_pairs, keyset, name_folded) of a record's spellings:
    many records share their names, so the work is done once per distinct name tuple."""
    keys: set[str] = set()
    given_keys: set[str] = set()
    family_keys: set[str] = set()
    first_keys: set[str] = set()
    folded: str | None = None
    for given, family in names:
        k, f = name_features(given or "", family or "")
        keys.update(k)
        first = first_key(given or "")
        if first:
            first_keys.add(first)
        given_keys.update(_part(given or "")[0])
        family_keys.update(_part(family or "")[0])
        if folded is None and f:
            folded = f
    key_list = sorted(keys)
    return (key_list or None, sorted(given_keys) or None, sorted(family_keys) or None, sorted(first_keys) or None,
            [f"{a} {b}" for i, a in enumerate(key_list[:8]) for b in key_list[i + 1:8]] or None,
            " ".join(key_list) or None, folded or None)


def features(record: LinkRecord) -> Features:
    """The feature row of one record."""
    name_keys, given_keys, family_keys, first_keys, key_pairs, keyset, folded = _name_columns(
        tuple((g or "", f or "") for g, f in record.names))
    d = record.birth_date
    ph = is_placeholder(d, record.birth_precision)
    place_key, place_folded = place_features(record.birth_place)
    return Features(
        unique_id=record.record_id,
        name_keys=list(name_keys) if name_keys else None,
        given_keys=list(given_keys) if given_keys else None,
        family_keys=list(family_keys) if family_keys else None,
        first_keys=list(first_keys) if first_keys else None,
        key_pairs=list(key_pairs) if key_pairs else None,
        keyset=keyset,
        name_folded=folded,
        dob=d.isoformat() if d else None,
        dob_exact=d.isoformat() if d and not ph else None,
        dob_md=f"{d.month:02d}-{d.day:02d}" if d and not ph else None,
        dob_year=d.year if d else None,
        dob_y2a=d.year // 2 if d else None,
        dob_y2b=(d.year + 1) // 2 if d else None,
        dob_month=d.month if d and record.birth_precision != "year" else None,
        dob_day=d.day if d and not ph else None,
        dob_ph=ph,
        birth_place_key=place_key,
        birth_place_folded=place_folded,
        nationality=record.nationality or None,
        sex=record.sex or None,
    )


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: building hundreds of thousands of rows (no cycles among them)
    otherwise triggers full collections over the whole heap again and again (200,000 persons: 40 s instead
    of 8 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def feature_rows(records: Iterable[LinkRecord]) -> list[Features]:
    """Feature rows of many records (input order kept)."""
    with without_gc():
        return [features(r) for r in records]


def feature_table(rows: Sequence[Features]) -> Any:
    """The rows as a pyarrow table with fixed column types (an empty list still has every column)."""
    import pyarrow as pa

    schema = pa.schema([
        ("unique_id", pa.string()), ("name_keys", pa.list_(pa.string())),
        ("given_keys", pa.list_(pa.string())),
        ("key_pairs", pa.list_(pa.string())), ("family_keys", pa.list_(pa.string())),
        ("first_keys", pa.list_(pa.string())), ("keyset", pa.string()),
        ("name_folded", pa.string()), ("dob", pa.string()), ("dob_exact", pa.string()), ("dob_md", pa.string()),
        ("dob_year", pa.int32()), ("dob_y2a", pa.int32()), ("dob_y2b", pa.int32()),
        ("dob_month", pa.int32()), ("dob_day", pa.int32()), ("dob_ph", pa.bool_()),
        ("birth_place_key", pa.string()), ("birth_place_folded", pa.string()), ("nationality", pa.string()),
        ("sex", pa.string()),
    ])
    with without_gc():
        columns = {name: [row[name] for row in rows] for name in COLUMNS}  # type: ignore[literal-required]
        return pa.table(columns, schema=schema)
