"""The feature columns the Splink model compares: a `LinkRecord` reduced to name-key sets, folded name forms,
birth-date parts with a placeholder flag, a birthplace key, nationality and sex.

Name knowledge comes from `stella.people.names` (transliteration folds, particles, Arabic script); this module
only arranges its output into columns. Work per distinct name string is cached, so 200k records take seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def _folded_token(token: str) -> str:
    """A token in a spelling-neutral form that keeps vowel classes (for Jaro-Winkler): `names.folded`."""
    fold = getattr(_names, "folded", None)
    return str(fold(token)) if callable(fold) else token


@lru_cache(maxsize=200_000)
def name_features(given: str, family: str) -> tuple[tuple[str, ...], str]:
    """(sorted distinct token keys, folded sorted tokens) of one spelling."""
    keys = tuple(sorted(set(_names.name_keys(given, family))))
    toks = _names.tokens(given or "") + _names.tokens(family or "")
    folded = " ".join(sorted(_folded_token(t) for t in toks))
    return keys, folded


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


def features(record: LinkRecord) -> Features:
    """The feature row of one record."""
    keys: set[str] = set()
    given_keys: set[str] = set()
    family_keys: set[str] = set()
    folded: str | None = None
    for given, family in record.names:
        k, f = name_features(given or "", family or "")
        keys.update(k)
        given_keys.update(name_features(given or "", "")[0])
        family_keys.update(name_features("", family or "")[0])
        if folded is None and f:
            folded = f
    key_list = sorted(keys)
    d = record.birth_date
    ph = is_placeholder(d, record.birth_precision)
    place_key, place_folded = place_features(record.birth_place)
    return Features(
        unique_id=record.record_id,
        name_keys=key_list or None,
        given_keys=sorted(given_keys) or None,
        family_keys=sorted(family_keys) or None,
        key_pairs=[f"{a} {b}" for i, a in enumerate(key_list[:8]) for b in key_list[i + 1:8]] or None,
        keyset=" ".join(key_list) or None,
        name_folded=folded or None,
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


def feature_rows(records: Iterable[LinkRecord]) -> list[Features]:
    """Feature rows of many records (input order kept)."""
    return [features(r) for r in records]


def feature_table(rows: Sequence[Features]) -> Any:
    """The rows as a pyarrow table with fixed column types (an empty list still has every column)."""
    import pyarrow as pa

    schema = pa.schema([
        ("unique_id", pa.string()), ("name_keys", pa.list_(pa.string())),
        ("given_keys", pa.list_(pa.string())),
        ("key_pairs", pa.list_(pa.string())), ("family_keys", pa.list_(pa.string())), ("keyset", pa.string()),
        ("name_folded", pa.string()), ("dob", pa.string()), ("dob_exact", pa.string()), ("dob_md", pa.string()),
        ("dob_year", pa.int32()), ("dob_y2a", pa.int32()), ("dob_y2b", pa.int32()),
        ("dob_month", pa.int32()), ("dob_day", pa.int32()), ("dob_ph", pa.bool_()),
        ("birth_place_key", pa.string()), ("birth_place_folded", pa.string()), ("nationality", pa.string()),
        ("sex", pa.string()),
    ])
    columns = {name: [row[name] for row in rows] for name in COLUMNS}  # type: ignore[literal-required]
    return pa.table(columns, schema=schema)
