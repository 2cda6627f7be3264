"""Spelling-tolerant name keys: the same key for common transliterations of one name.

A key is a consonant skeleton: Mohammed, Muhammad, Mohamad and محمد all give "mhmd";
Al-Hassan, Alhassan, Hasan and الحسن give "hsn". Rules are data (the tables below) so that the
linkage work can refine them; tests pin every rule.
"""

from __future__ import annotations

import re
import unicodedata

#: Arabic and Persian letters mapped to a Latin consonant class ("" = vowel carrier, dropped).
ARABIC_TO_LATIN: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "a", "آ": "a", "ء": "", "ؤ": "", "ئ": "", "ى": "", "ة": "",
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "j", "چ": "j", "ح": "h", "خ": "h",
    "د": "d", "ذ": "d", "ر": "r", "ز": "s", "ژ": "s", "س": "s", "ش": "s", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "d", "ع": "", "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ک": "k", "گ": "g",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "v", "ي": "i", "ی": "i",
}
#: Latin digraphs and letters folded to one class, applied in this order.
LATIN_FOLDS: list[tuple[str, str]] = [
    ("dsch", "j"), ("tsch", "j"), ("sch", "s"), ("dj", "j"), ("dzh", "j"), ("zh", "s"),
    ("sh", "s"), ("kh", "h"), ("ch", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"),
    ("ck", "k"), ("q", "k"), ("c", "k"), ("x", "ks"), ("w", "v"), ("z", "s"), ("y", "i"), ("ou", "u"),
    ("ee", "i"), ("oo", "u"), ("ß", "s"),
]
#: Particles that are dropped as separate tokens or as a hyphenated prefix.
PARTICLES = frozenset({"al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ال"})
VOWELS = set("aeiou")
_TOKEN_SPLIT = re.compile(r"[^\w]+|_")
_ARABIC_RANGE = re.compile(r"[\u0600-\u06FF\u0750-\u077F]")


def strip_marks(text: str) -> str:
    """Remove diacritics (é → e, ğ → g) and Arabic harakat, keeping base letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch != "\u0640")


def tokens(text: str) -> list[str]:
    """Lower-cased tokens without particles; hyphenated particles (al-, el-) are split off."""
    out: list[str] = []
    for raw in _TOKEN_SPLIT.split(strip_marks(text).lower()):
        if not raw:
            continue
        if raw.startswith("ال") and len(raw) > 3:
            raw = raw[2:]
        if raw in PARTICLES:
            continue
        out.append(raw)
    return out


def _latin_skeleton(token: str) -> str:
    if len(token) >= 6 and token[:2] in {"al", "el"} and token[2] not in VOWELS:
        token = token[2:]  # Alhassan → hassan, but Ali and Elena stay
    token = re.sub(r"(?<=[aeiou])h$", "", token)  # Fatimah → Fatima
    for src, dst in LATIN_FOLDS:
        token = token.replace(src, dst)
    first, rest = token[:1], token[1:]
    if first in VOWELS or first == "i":
        first = "a"  # Ibrahim/Ebrahim/Abraham, Omar/Umar
    skeleton = first + "".join(ch for ch in rest if ch not in VOWELS)
    return re.sub(r"(.)\1+", r"\1", skeleton)


def _arabic_skeleton(token: str) -> str:
    letters = [ARABIC_TO_LATIN.get(ch, "") for ch in token]
    first = letters[0] if letters else ""
    if first == "i":
        first = "a"  # initial ي / ی as in Yusuf, like the Latin initial vowel
    # و and ي inside a word are usually long vowels (Mahmoud, Said): dropped like Latin vowels.
    mapped = first + "".join(ch for ch in letters[1:] if ch not in {"a", "i", "v", ""})
    return re.sub(r"(.)\1+", r"\1", mapped)


def name_key(token: str) -> str:
    """The spelling-tolerant key of one name token."""
    if _ARABIC_RANGE.search(token):
        return _arabic_skeleton(token)
    return _latin_skeleton(token)


def name_keys(*parts: str) -> list[str]:
    """Distinct keys of all tokens in the given name parts, in order of first appearance."""
    seen: dict[str, None] = {}
    for part in parts:
        for tok in tokens(part or ""):
            key = name_key(tok)
            if key:
                seen.setdefault(key, None)
    return list(seen)


def detect_script(text: str) -> str:
    """'arab', 'ethi', 'cyrl' or 'latn' by the first letter outside Latin (ISO 15924 codes)."""
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith(("ARABIC", "PERSIAN")):
            return "arab"
        if name.startswith("ETHIOPIC"):
            return "ethi"
        if name.startswith("CYRILLIC"):
            return "cyrl"
    return "latn"


RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa"})
