"""Synthetic refugee registrations with known truth, for training and benchmarking duplicate detection.

`generate(persons, seed=…)` makes `persons` true people and one registration (a `LinkRecord`) per
agency that registered them, together with the truth (record → person) and, for every repeated
registration, the labels of the variations that were applied to it.

Assumptions (they decide whether a benchmark on this set means anything; docs/benchmarks.md repeats them):

* **Who**: origin countries, given and family names (original script and Latin transliterations) and
  birthplaces come from the demo catalogue (`stella.demo.catalog`). Names are drawn with Zipf weights in
  catalogue order (given names s = 1.0, family names s = 0.8), so a few names are very common and
  MANY different people share a name: among Syrian men "Mohammed" is drawn for about one in seven.
  Birthplaces are Zipf-weighted over the big cities of the origin (s = 1.0), so thousands share "Aleppo".
  Birth years: adults 18–60 (skewed young), 25 % children; placeholder birthdays at the origin's
  `year_only` share (Afghanistan 35 %, Somalia 30 %, Eritrea 20 %, Syria 5 %, …) written as 1 January,
  plus 1.5 % written as 30 June or 31 December (recorded as exact: the registering office did not say).
* **Families (hard negatives)**: 40 % of draws are sibling groups of 2–4 (so about 60 % of people
  have a sibling in the set): same family name, same
  father, same birthplace and nationality, birth years 1–6 apart (with the origin's placeholder share,
  so siblings often share 1 January). In Eritrea and Somalia the family name is the father's given name.
  4 % of people are "namesakes": the given and family name of an earlier person, a 1 January birthday
  within ±2 years, same nationality, half of them the same birthplace — different people the engine must
  keep apart.
* **Duplicates**: `duplicate_share` (default 0.3) of the people were registered more than once
  (75 % twice, 25 % three times), each time by another agency (LRA, AA, JC, ABH, Stadt of one district).
  The first registration is the base; every further one copies it and applies 1–4 variations drawn
  from `VARIATIONS` (weights there): another catalogue transliteration, a rule-made transliteration
  (ou/u/o, ee/i, kh/ch/h, q/k, sh/sch, j/dj/dsch, w/v, th/t/s, y/j, e/a vowels, doubled consonants,
  final -a/-ah/-eh, German umlaut spellings), given and family name swapped, the father's name added as
  a second given name or as (part of) the family name, the al-/el- prefix dropped, glued or changed,
  the name written only in original script, a 1 January placeholder instead of the real birthday (or the
  real birthday where the base had the placeholder), day and month swapped, year ±1, one typing error,
  another spelling of the birthplace (Aleppo/Halab, Dschalalabad/Jalalabad, …), missing nationality,
  sex or birthplace, a wrong sex.
* **Every registration** independently: 20 % of registrations from non-Latin-script origins also carry
  the original-script spelling as a second name; 12 % have no birthplace; 2 % no nationality; 1 % no sex.

Deterministic for a seed; 200,000 persons take a few seconds (pure Python, one `random.Random`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from stella.demo.catalog import ORIGINS, NameForm, Origin
from stella.demo.generator import Choice, zipf
from stella.linkage.records import LinkRecord

#: Reference date: nobody is born after it.
TODAY = date(2025, 6, 1)

#: Variation labels with their relative weights (a duplicate registration draws 1–4 of them).
VARIATIONS: dict[str, float] = {
    "translit_catalog": 20,   # another Latin transliteration from the catalogue
    "translit_rule": 20,      # a rule-made transliteration of one name token
    "swap": 6,                # given and family name swapped
    "father_given": 6,        # father's name added as a second given name
    "father_family": 4,       # father's name as family name (replacing it or put before it)
    "prefix": 6,              # al-/el- dropped, glued, changed or added
    "script": 4,              # only the original-script name (Arabic script, Ge'ez, Cyrillic)
    "placeholder": 8,         # 1 January placeholder vs the real birthday
    "daymonth_swap": 4,       # day and month swapped
    "year_pm1": 5,            # birth year one off
    "typo": 8,                # one edit in a name
    "birthplace_variant": 8,  # another spelling of the birthplace
    "missing_nationality": 4,
    "missing_sex": 2,
    "missing_birthplace": 5,
    "sex_wrong": 1,
}
#: Number of variations on a repeated registration: 1, 2, 3, 4 with these weights.
VARIATION_COUNT_WEIGHTS = (35, 35, 20, 10)

#: Registering agencies (kind) per district; repeated registrations use another kind.
AGENCY_KINDS = ("LRA", "AA", "JC", "ABH", "STADT")
DISTRICT_CODES = ("LB", "OG", "RT", "TUE")
DISTRICT_WEIGHTS = (0.36, 0.29, 0.19, 0.16)

#: Rule-made transliteration changes (lower case, applied to one occurrence in one name token).
TRANSLIT_RULES: tuple[tuple[str, str], ...] = (
    ("ou", "u"), ("u", "ou"), ("ou", "o"), ("o", "u"), ("u", "o"), ("oo", "u"), ("ee", "i"), ("i", "ee"),
    ("kh", "ch"), ("ch", "kh"), ("kh", "h"), ("q", "k"), ("k", "q"), ("sh", "sch"), ("sch", "sh"),
    ("j", "dj"), ("j", "dsch"), ("dsch", "j"), ("dj", "j"), ("w", "v"), ("v", "w"), ("th", "t"), ("th", "s"),
    ("y", "j"), ("j", "y"), ("e", "a"), ("a", "e"), ("ei", "ai"), ("ai", "ei"), ("z", "s"), ("ks", "x"),
    ("ü", "ue"), ("ue", "ü"), ("ö", "oe"), ("ä", "ae"), ("ş", "s"), ("ç", "c"), ("ë", "e"),
)
_DOUBLE = re.compile(r"([bcdfgklmnprstz])\1")
_SINGLE = re.compile(r"(?<=[aeiou])([bdfgklmnprstz])(?=[aeiou])")

#: Other spellings of the catalogue's birthplaces (German exonym first in the catalogue).
BIRTHPLACE_VARIANTS: dict[str, tuple[str, ...]] = {
    "Aleppo": ("Halab", "Haleb"), "Damaskus": ("Damascus", "Dimashq"), "Homs": ("Hims",),
    "Idlib": ("Edlib",), "Deir ez-Zor": ("Deir ezZor", "Dayr az-Zawr", "Deir Ezzor"), "Rakka": ("Raqqa", "Al-Raqqa"),
    "Hasaka": ("Hasakah", "Al-Hasakah", "Hassake"), "Qamischli": ("Qamishli", "Kamishli"),
    "Latakia": ("Lattakia", "Latakiya"), "Hama": ("Hamah",), "Daraa": ("Deraa", "Dara'a"), "Afrin": ("Efrin",),
    "Kabul": ("Kabol",), "Herat": ("Harat",), "Masar-e Scharif": ("Mazar-i-Sharif", "Mazar-e Sharif"),
    "Kandahar": ("Qandahar",), "Ghazni": ("Ghasni", "Gazni"), "Kundus": ("Kunduz",),
    "Dschalalabad": ("Jalalabad", "Djalalabad"), "Baglan": ("Baghlan",), "Teheran": ("Tehran",),
    "Maschhad": ("Mashhad", "Mashad"), "Bagdad": ("Baghdad",), "Mossul": ("Mosul",), "Erbil": ("Arbil", "Hewler"),
    "Basra": ("Basrah",), "Kirkuk": ("Kerkuk",), "Sindschar": ("Sinjar", "Shingal"), "Dohuk": ("Duhok", "Dahuk"),
    "Sulaimaniyya": ("Sulaymaniyah", "Slemani"), "Falludscha": ("Fallujah", "Falluja"), "Asmara": ("Asmera",),
    "Dekemhare": ("Dekamhare",), "Massawa": ("Massaua", "Mitsiwa"), "Adi Keyh": ("Adi Keih",),
    "Isfahan": ("Esfahan",), "Schiras": ("Shiraz",), "Täbris": ("Tabriz", "Taebris"), "Ahvaz": ("Ahwaz",),
    "Kermanschah": ("Kermanshah",), "Karadsch": ("Karaj",), "Shkodër": ("Shkodra", "Shkoder"),
    "Durrës": ("Durres", "Durazzo"), "Korçë": ("Korce", "Korca"), "Pristina": ("Prishtina", "Priština"),
    "Peja": ("Pec", "Peć"), "Ferizaj": ("Urosevac",), "Gjakova": ("Gjakove", "Djakovica"),
    "Mogadischu": ("Mogadishu", "Muqdisho"), "Kismayo": ("Kismaayo",), "Baidoa": ("Baydhabo",),
    "Galkayo": ("Gaalkacyo",), "Bosaso": ("Boosaaso",), "Karatschi": ("Karachi",), "Peschawar": ("Peshawar",),
    "Kyjiw": ("Kyiv", "Kiew", "Kiev"), "Charkiw": ("Kharkiv", "Charkow"), "Odesa": ("Odessa",),
    "Dnipro": ("Dnepr", "Dnipropetrowsk"), "Saporischschja": ("Zaporizhzhia", "Saporoshje"),
    "Mykolajiw": ("Mykolaiv",), "Lwiw": ("Lviv", "Lemberg"), "Cherson": ("Kherson",), "Poltawa": ("Poltava",),
    "Diyarbakır": ("Diyarbakir",), "Şanlıurfa": ("Sanliurfa", "Urfa"), "Benin City": ("Benin",),
    "Serekunda": ("Serrekunda",),
}

_PREFIX = re.compile(r"^(al|el|Al|El|AL|EL)[- ]?(?=\w)")


@dataclass
class SyntheticSet:
    """Generated registrations and their truth.

    `entity`: record_id → true person id. `variations`: record_id → labels of the variations of a
    repeated registration (empty for a person's first registration). `kind`: person id → "" (ordinary),
    "sibling" (has a sibling in the set) or "namesake" (shares the name of an earlier, different person).
    `family`: person id → sibling group id (persons of one group are siblings)."""

    records: list[LinkRecord]
    entity: dict[str, str]
    variations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)

    def clusters(self) -> dict[str, list[str]]:
        """True person id → its record ids."""
        out: dict[str, list[str]] = {}
        for rid, pid in self.entity.items():
            out.setdefault(pid, []).append(rid)
        return out

    def true_pairs(self) -> set[tuple[str, str]]:
        """All pairs (a < b) of records of the same person."""
        pairs: set[tuple[str, str]] = set()
        for rids in self.clusters().values():
            rids = sorted(rids)
            for i, a in enumerate(rids):
                for b in rids[i + 1:]:
                    pairs.add((a, b))
        return pairs


@dataclass
class _Tables:
    origin: Origin
    male: Choice
    female: Choice
    family: Choice
    place: Choice


@dataclass
class _Person:
    pid: str
    origin: Origin
    sex: str
    given: list[NameForm]
    family: NameForm
    father: NameForm
    birth: date
    precision: str
    place: str
    nationality: str
    kind: str = ""
    group: str = ""


@dataclass
class _Reg:
    """One registration while it is being built."""

    given: list[str]  # Latin spelling per given-name token
    family: str
    original: tuple[str, str] | None  # original-script (given, family) if the origin has one
    show_original: bool  # original-script spelling stored as an extra name
    only_original: bool
    birth: date | None
    precision: str
    sex: str
    nationality: str
    place: str
    source: str


def _spelling(rng: random.Random, form: NameForm) -> str:
    """The most usual Latin spelling in 60 % of registrations, otherwise another one."""
    if len(form.latin) == 1 or rng.random() < 0.6:
        return form.latin[0]
    return form.latin[1 + int(rng.random() * (len(form.latin) - 1))]


def _match_case(new: str, like: str) -> str:
    if like[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def rule_variant(rng: random.Random, token: str) -> str | None:
    """Another spelling of `token` by one transliteration rule, or None if no rule applies."""
    low = token.lower()
    options: list[tuple[int, int, str]] = []  # (start, end, replacement)
    for src, dst in TRANSLIT_RULES:
        start = low.find(src)
        if start >= 0:
            options.append((start, start + len(src), dst))
    m = _DOUBLE.search(low)
    if m:
        options.append((m.start(), m.end(), m.group(1)))
    m = _SINGLE.search(low)
    if m:
        options.append((m.start(), m.end(), m.group(1) * 2))
    for ending, alts in (("ah", ("a", "eh")), ("eh", ("a", "ah")), ("a", ("ah", "eh")), ("e", ("eh",))):
        if low.endswith(ending) and len(low) > len(ending) + 2:
            options.extend((len(low) - len(ending), len(low), alt) for alt in alts)
            break
    if not options:
        return None
    start, end, dst = options[int(rng.random() * len(options))]
    out = low[:start] + dst + low[end:]
    if out == low:
        return None
    return _match_case(out, token)


def typo(rng: random.Random, text: str) -> str:
    """One typing error: substitution, deletion, insertion or transposition of adjacent letters."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text + "e"
    i = letters[1 + int(rng.random() * (len(letters) - 1))]  # keep the first letter (as people do)
    kind = rng.random()
    alphabet = "aeioubdhklmnrst"
    if kind < 0.35:
        ch = alphabet[int(rng.random() * len(alphabet))]
        if ch == text[i].lower():
            ch = "y"
        return text[:i] + ch + text[i + 1:]
    if kind < 0.6:
        return text[:i] + text[i + 1:]
    if kind < 0.8:
        return text[:i] + alphabet[int(rng.random() * len(alphabet))] + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + text[i + 1:]


def _prefix_variant(rng: random.Random, family: str) -> str:
    m = _PREFIX.match(family)
    if m:
        rest = family[m.end():]
        rest = rest[:1].upper() + rest[1:]
        options = [rest, "Al" + rest.lower(), "El-" + rest, "Al " + rest, "al-" + rest]
        options = [o for o in options if o != family]
        return options[int(rng.random() * len(options))]
    return ("Al-" if rng.random() < 0.7 else "El-") + family


def _birth(rng: random.Random, origin: Origin, year: int) -> tuple[date, str]:
    r = rng.random()
    if r < origin.year_only:
        return date(year, 1, 1), "year"
    if r < origin.year_only + 0.015:
        return (date(year, 6, 30) if rng.random() < 0.6 else date(year, 12, 31)), "exact"
    d = date(year, 1, 1) + timedelta(days=int(rng.random() * 365))
    if (d.month, d.day) in {(1, 1), (6, 30), (12, 31)}:  # a real birthday, not a stand-in day
        d += timedelta(days=-1 if d.month == 12 else 1)
    return min(d, TODAY - timedelta(days=30)), "exact"


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"stella-synthetic:{seed}")
        self.origins = Choice(
            [_Tables(o, zipf(o.male, 1.0), zipf(o.female, 1.0), zipf(o.family, 0.8), zipf(o.birth_places, 1.0))
             for o in ORIGINS],
            [o.weight for o in ORIGINS],
        )
        self.district = Choice(DISTRICT_CODES, DISTRICT_WEIGHTS)
        self.variation = Choice(list(VARIATIONS), list(VARIATIONS.values()))
        self.n_variations = Choice([1, 2, 3, 4], VARIATION_COUNT_WEIGHTS)

    # -- people ----------------------------------------------------------------------------------

    def _given(self, t: _Tables, male: bool, avoid: set[str]) -> list[NameForm]:
        pick = t.male if male else t.female
        first: NameForm = pick(self.rng)
        for _ in range(5):
            if first.latin[0] not in avoid:
                break
            first = pick(self.rng)
        names = [first]
        if t.origin.iso3 != "UKR" and self.rng.random() < 0.12:
            second = pick(self.rng)
            if second is not first:
                names.append(second)
        return names

    def _birth_year(self) -> int:
        rng = self.rng
        age = int(rng.random() * 18) if rng.random() < 0.25 else 18 + int(rng.random() ** 1.6 * 42)
        return TODAY.year - 1 - age

    def people(self, n: int) -> list[_Person]:
        rng = self.rng
        out: list[_Person] = []
        while len(out) < n:
            t: _Tables = self.origins(rng)
            o = t.origin
            father: NameForm = t.male(rng)
            family: NameForm = father if o.family_from_father else t.family(rng)
            place = t.place(rng)
            nationality = o.iso3
            if o.iso3 in {"SYR", "IRQ"} and rng.random() < 0.03:
                nationality = "XXA"  # stateless (Kurds from Syria, Bidun)
            size = 1
            if rng.random() < 0.4:
                size = 2 + int(rng.random() ** 1.5 * 3)
            size = min(size, n - len(out))
            year = self._birth_year()
            group = f"g{len(out)}"
            used: set[str] = set()
            for k in range(size):
                male = rng.random() < (o.adult_male_share if k == 0 else 0.52)
                given = self._given(t, male, used)
                used.add(given[0].latin[0])
                y = year if k == 0 else min(year + (1 + int(rng.random() * 6)) * (1 if rng.random() < 0.5 else -1),
                                             TODAY.year - 1)
                birth, precision = _birth(rng, o, y)
                pid = f"p{len(out)}"
                out.append(_Person(pid, o, "m" if male else "f", given, family, father, birth, precision, place,
                                   nationality, "sibling" if size > 1 else "", group))
        # namesakes: the name of an earlier person, a 1 January birthday close to theirs
        for i in range(1, len(out)):
            if rng.random() < 0.04:
                other = out[int(rng.random() * i)]
                p = out[i]
                if p.origin is not other.origin or rng.random() < 0.5:
                    p.place = other.place  # a big city of the same country
                p.origin, p.nationality = other.origin, other.nationality
                p.given, p.family, p.sex = list(other.given), other.family, other.sex
                p.birth = date(min(other.birth.year - 2 + int(rng.random() * 5), TODAY.year - 1), 1, 1)
                p.precision = "year"
                p.kind = "namesake"
        return out

    # -- registrations ---------------------------------------------------------------------------

    def base(self, p: _Person, source: str) -> _Reg:
        rng = self.rng
        o = p.origin
        has_original = o.script != "latn" and all(f.original for f in p.given) and bool(p.family.original)
        original = (" ".join(f.original for f in p.given), p.family.original) if has_original else None
        return _Reg(
            given=[_spelling(rng, f) for f in p.given], family=_spelling(rng, p.family), original=original,
            show_original=has_original and rng.random() < 0.2, only_original=False,
            birth=p.birth, precision=p.precision,
            sex="" if rng.random() < 0.01 else p.sex,
            nationality="" if rng.random() < 0.02 or p.nationality == "XXA" else p.nationality,
            place="" if rng.random() < 0.12 else p.place, source=source,
        )

    def repeat(self, p: _Person, base: _Reg, source: str) -> tuple[_Reg, tuple[str, ...]]:
        rng = self.rng
        reg = _Reg(list(base.given), base.family, base.original,
                   base.original is not None and rng.random() < 0.2, False,
                   base.birth, base.precision, base.sex, base.nationality, base.place, source)
        wanted = self.n_variations(rng)
        labels: list[str] = []
        for _ in range(wanted * 4):
            if len(labels) >= wanted:
                break
            label = self.variation(rng)
            if label in labels or not self._apply(label, p, reg):
                continue
            labels.append(label)
        if not labels and self._apply("typo", p, reg):  # every repeated registration differs somehow
            labels.append("typo")
        return reg, tuple(labels)

    def _apply(self, label: str, p: _Person, reg: _Reg) -> bool:  # noqa: C901, PLR0911, PLR0912
        rng = self.rng
        if label == "translit_catalog":
            forms = [(i, f) for i, f in enumerate(p.given) if len(f.latin) > 1]
            if len(p.family.latin) > 1:
                forms.append((-1, p.family))
            if not forms:
                return False
            i, form = forms[int(rng.random() * len(forms))]
            current = reg.family if i == -1 else reg.given[i] if i < len(reg.given) else ""
            others = [v for v in form.latin if v != current]
            if not others:
                return False
            new = others[int(rng.random() * len(others))]
            if i == -1:
                reg.family = new
            elif i < len(reg.given):
                reg.given[i] = new
            else:
                return False
            return True
        if label == "translit_rule":
            slots = list(range(len(reg.given))) + [-1]
            rng.shuffle(slots)
            for i in slots:
                parts = (reg.family if i == -1 else reg.given[i]).split(" ")
                j = int(rng.random() * len(parts))
                changed = rule_variant(rng, parts[j])
                if changed:
                    parts[j] = changed
                    if i == -1:
                        reg.family = " ".join(parts)
                    else:
                        reg.given[i] = " ".join(parts)
                    return True
            return False
        if label == "swap":
            if len(reg.given) != 1:
                return False
            reg.given, reg.family = [reg.family], reg.given[0]
            return True
        if label == "father_given":
            if any(f is p.father for f in p.given):
                return False
            reg.given = reg.given + [_spelling(rng, p.father)]
            return True
        if label == "father_family":
            if p.family is p.father:
                return False
            father = _spelling(rng, p.father)
            reg.family = father if rng.random() < 0.5 else f"{father} {reg.family}"
            return True
        if label == "prefix":
            if p.origin.script != "arab" and not _PREFIX.match(reg.family):
                return False
            reg.family = _prefix_variant(rng, reg.family)
            return True
        if label == "script":
            if reg.original is None:
                return False
            reg.only_original = True
            return True
        if label == "placeholder":
            if reg.birth is None:
                return False
            if p.precision == "year":
                reg.birth, reg.precision = p.birth + timedelta(days=1 + int(rng.random() * 360)), "exact"
            else:
                reg.birth, reg.precision = date(reg.birth.year, 1, 1), "year"
            return True
        if label == "daymonth_swap":
            b = reg.birth
            if b is None or reg.precision != "exact" or b.day > 12 or b.day == b.month:
                return False
            reg.birth = date(b.year, b.day, b.month)
            return True
        if label == "year_pm1":
            b = reg.birth
            if b is None:
                return False
            shift = 1 if rng.random() < 0.5 or b.year + 1 >= TODAY.year else -1
            try:
                reg.birth = b.replace(year=b.year + shift)
            except ValueError:  # 29 February
                reg.birth = b.replace(year=b.year + shift, day=28)
            return True
        if label == "typo":
            if rng.random() < 0.5:
                reg.family = typo(rng, reg.family)
            else:
                i = int(rng.random() * len(reg.given))
                reg.given[i] = typo(rng, reg.given[i])
            return True
        if label == "birthplace_variant":
            if not reg.place:
                return False
            alts = BIRTHPLACE_VARIANTS.get(reg.place)
            if alts:
                reg.place = alts[int(rng.random() * len(alts))]
            else:
                place = rule_variant(rng, reg.place)
                if not place:
                    return False
                reg.place = place
            return True
        if label == "missing_nationality":
            if not reg.nationality:
                return False
            reg.nationality = ""
            return True
        if label == "missing_sex":
            if not reg.sex:
                return False
            reg.sex = ""
            return True
        if label == "missing_birthplace":
            if not reg.place:
                return False
            reg.place = ""
            return True
        if label == "sex_wrong":
            if reg.sex not in {"f", "m"}:
                return False
            reg.sex = "f" if reg.sex == "m" else "m"
            return True
        raise ValueError(label)


def _record(record_id: str, reg: _Reg) -> LinkRecord:
    names: list[tuple[str, str]] = []
    if reg.only_original and reg.original is not None:
        names.append(reg.original)
    else:
        names.append((" ".join(reg.given), reg.family))
        if reg.show_original and reg.original is not None:
            names.append(reg.original)
    return LinkRecord(
        record_id=record_id, names=tuple(names), birth_date=reg.birth,
        birth_precision=reg.precision if reg.birth else "unknown", sex=reg.sex, nationality=reg.nationality,
        birth_place=reg.place, source=reg.source,
    )


def generate(persons: int, *, seed: int = 1, duplicate_share: float = 0.3) -> SyntheticSet:
    """`persons` synthetic people, registered 1–3 times each; deterministic for `seed`.

    Record ids are assigned after shuffling (r0000001, …) and say nothing about the truth."""
    if persons < 0:
        raise ValueError("persons must not be negative")
    if not 0.0 <= duplicate_share <= 1.0:
        raise ValueError("duplicate_share must be between 0 and 1")
    gen = _Generator(seed)
    rng = gen.rng
    people = gen.people(persons)
    regs: list[tuple[str, _Reg, tuple[str, ...]]] = []
    for p in people:
        district = gen.district(rng)
        kinds = list(AGENCY_KINDS)
        rng.shuffle(kinds)
        first = gen.base(p, f"{kinds[0]}-{district}")
        regs.append((p.pid, first, ()))
        if rng.random() < duplicate_share:
            extra = 1 if rng.random() < 0.75 else 2
            for k in range(extra):
                reg, labels = gen.repeat(p, first, f"{kinds[1 + k]}-{district}")
                regs.append((p.pid, reg, labels))
    rng.shuffle(regs)
    width = max(7, len(str(len(regs))))
    records: list[LinkRecord] = []
    entity: dict[str, str] = {}
    variations: dict[str, tuple[str, ...]] = {}
    for i, (pid, reg, labels) in enumerate(regs, start=1):
        rid = f"r{i:0{width}d}"
        records.append(_record(rid, reg))
        entity[rid] = pid
        variations[rid] = labels
    return SyntheticSet(records=records, entity=entity, variations=variations,
                        kind={p.pid: p.kind for p in people}, family={p.pid: p.group for p in people})
