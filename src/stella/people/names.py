"""Spelling-tolerant name keys and folded forms: the same key for common spellings of one name.

A key is a consonant skeleton of one name word: Mohammed, Muhammad, Mohamad, Mehmet and محمد give
"mhmd"; Al-Hassan, Alhassan, Hasan and الحسن give "hsn"; Hussein, Husain, Hossein and حسین give "hsyn".
All knowledge about names (particles, compounds, transliteration folds, the Arabic and Ge'ez letter
maps) is data in ``data/name_knowledge.toml``; this module only interprets it. The rules, their
reasons and their limits are described in docs/linkage-names.md.

Pipeline for one name part: marks and apostrophes removed, lower-cased, split into words; Arabic and
Ethiopic words transliterated to rough Latin (``transliterate``); particles dropped, compound prefixes
and suffixes glued (``tokens``); per word the Latin folds applied and the vowels reduced to the
skeleton (``name_key``) or to three vowel classes (``folded``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "RTL_SCRIPTS", "clear_caches", "detect_script", "folded", "knowledge", "name_key", "name_keys", "strip_marks",
    "token_keys", "tokens", "transliterate",
]

KEY_LENGTH = 40  # people.NameKey.key max_length

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ETHIOPIC = re.compile(r"[\u1200-\u137F]")
_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE_CONSONANT = re.compile(r"([b-df-hj-np-tv-z])\1+")


@dataclass(frozen=True)
class Knowledge:
    """The parsed name_knowledge.toml, with its regular expressions compiled."""

    version: str
    drop: frozenset[str]
    char_map: dict[str, str]
    particles: frozenset[str]
    glued: tuple[str, ...]
    glued_min_rest: int
    glued_keep: frozenset[str]
    arabic_article: str
    arabic_article_keep: frozenset[str]
    prefixes: frozenset[str]
    suffixes: frozenset[str]
    normalise: tuple[tuple[re.Pattern[str], str], ...]
    folds: tuple[tuple[re.Pattern[str], str], ...]
    vowels: frozenset[str]
    initial: str
    glide: str
    folded_vowels: dict[str, str]
    arabic_letters: dict[str, str]
    arabic_positional: dict[str, dict[str, str]]
    arabic_following_vowels: frozenset[str]
    arabic_initial_carriers: frozenset[str]
    arabic_diphthong_words: frozenset[str]
    arabic_maqsura_words: frozenset[str]
    separator: str
    separate_before_h: frozenset[str]
    ethiopic_orders: tuple[str, ...]
    ethiopic_rows: dict[int, str]
    ethiopic_labialised: frozenset[int]


def _rules(rows: list[list[str]]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(row[0]), row[1]) for row in rows)


def parse_knowledge(data: dict[str, Any]) -> Knowledge:
    """Build the interpreter's tables from the TOML data (tests use this with modified copies)."""
    p, c, lat, ar, eth = data["particles"], data["compounds"], data["latin"], data["arabic"], data["ethiopic"]
    return Knowledge(
        version=data["version"],
        drop=frozenset(data["characters"]["drop"]),
        char_map=dict(data["characters"]["map"]),
        particles=frozenset(p["separate"]),
        glued=tuple(p["glued"]),
        glued_min_rest=int(p["glued_min_rest"]),
        glued_keep=frozenset(p["glued_keep"]),
        arabic_article=p["arabic_article"],
        arabic_article_keep=frozenset(p["arabic_article_keep"]),
        prefixes=frozenset(c["prefixes"]),
        suffixes=frozenset(c["suffixes"]),
        normalise=_rules(c["normalise"]),
        folds=_rules(lat["folds"]),
        vowels=frozenset(lat["vowels"]),
        initial=lat["initial"],
        glide=lat["glide"],
        folded_vowels=dict(lat["folded_vowels"]),
        arabic_letters=dict(ar["letters"]),
        arabic_positional={k: dict(v) for k, v in ar["positional"].items()},
        arabic_following_vowels=frozenset(ar["vowel_letters"]["following"]),
        arabic_initial_carriers=frozenset(ar["vowel_letters"]["initial_carriers"]),
        arabic_diphthong_words=frozenset(ar["words"]["diphthong_words"]),
        arabic_maqsura_words=frozenset(ar["words"]["maqsura_words"]),
        separator=ar["separator"]["char"],
        separate_before_h=frozenset(ar["separator"]["before_h"]),
        ethiopic_orders=tuple(eth["orders"]),
        ethiopic_rows={int(k, 16): v for k, v in eth["rows"].items()},
        ethiopic_labialised=frozenset(int(k, 16) for k in eth["labialised"]),
    )


def clear_caches() -> None:
    """Forget cached results (after swapping the knowledge in tests)."""
    for fn in (knowledge, _transliterate_word, _tokens, _fold, _key, name_key):
        fn.cache_clear()


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The shipped name knowledge (read once)."""
    text = resources.files("stella.people").joinpath("data/name_knowledge.toml").read_text(encoding="utf-8")
    return parse_knowledge(tomllib.loads(text))


# --------------------------------------------------------------------------------------------------
# Characters and scripts
# --------------------------------------------------------------------------------------------------

def strip_marks(text: str) -> str:
    """Remove diacritics (é → e, ğ → g) and Arabic harakat, keeping base letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch != "\u0640")


def _clean(text: str) -> str:
    k = knowledge()
    text = "".join(ch for ch in text if ch not in k.drop)
    text = "".join(k.char_map.get(ch, ch) for ch in text)
    text = strip_marks(text).lower()
    return "".join(k.char_map.get(ch, ch) for ch in text)  # İ → i̇ → i, and lower-case forms


def _arabic_word(word: str, k: Knowledge) -> str:
    out: list[str] = []
    n = len(word)
    carriers = 0
    while carriers < n and word[carriers] in k.arabic_initial_carriers:
        carriers += 1
    for i, ch in enumerate(word):
        table = k.arabic_positional.get(ch)
        so_far = "".join(out)
        if table is None:
            piece = k.arabic_letters.get(ch, ch if ch.isascii() else "")
            if piece.startswith("h") and so_far[-1:] in k.separate_before_h:
                piece = k.separator + piece  # ز+ه is z-h, not the digraph zh
            out.append(piece)
            continue
        nxt = word[i + 1] if i + 1 < n else ""
        if i == 0:
            position = "initial"
        elif nxt in k.arabic_following_vowels and "before_vowel" in table:
            position = "before_vowel"
        elif 0 < carriers == i and "after_initial" in table and word not in k.arabic_diphthong_words:
            position = "after_initial"
        elif so_far[-1:] in k.vowels and "after_vowel" in table:
            position = "after_vowel"
        elif i == n - 1:
            position = "maqsura" if word in k.arabic_maqsura_words and "maqsura" in table else "final"
        else:
            position = "diphthong" if word in k.arabic_diphthong_words and "diphthong" in table else "medial"
        piece = table.get(position, table.get("medial", ""))
        if piece.startswith("h") and so_far[-1:] in k.separate_before_h:
            piece = k.separator + piece
        out.append(piece)
    return "".join(out)


def _ethiopic_word(word: str, k: Knowledge) -> str:
    out: list[str] = []
    for ch in word:
        cp = ord(ch)
        if not 0x1200 <= cp <= 0x137F:
            out.append(ch if ch.isascii() else "")
            continue
        row = cp & ~7
        consonant = k.ethiopic_rows.get(row)
        if consonant is None:  # punctuation, numerals, unmapped rows
            continue
        vowel = "" if row in k.ethiopic_labialised else k.ethiopic_orders[cp - row]
        out.append(consonant + vowel)
    return "".join(out)


@lru_cache(maxsize=65536)
def _transliterate_word(word: str) -> str:
    k = knowledge()
    if _ARABIC.search(word):
        return _arabic_word(word, k)
    if _ETHIOPIC.search(word):
        return _ethiopic_word(word, k)
    return word


def transliterate(text: str) -> str:
    """Arabic-script and Ge'ez words → rough lower-case Latin; Latin words are only cleaned.

    Display-free: the result feeds comparisons (keys, ``folded``), it is not a romanisation
    standard. Short vowels that Arabic script does not write are missing ("محمد" → "mhmd").
    """
    k = knowledge()
    words = ("-".join(k.glued[0] if p == k.arabic_article else _transliterate_word(p) for p in _split_article(w, k))
             for w in _WORD.findall(_clean(text)))
    return " ".join(words).replace(k.separator, "")


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


# --------------------------------------------------------------------------------------------------
# Words of a name part
# --------------------------------------------------------------------------------------------------

def _split_article(word: str, k: Knowledge) -> list[str]:
    """Arabic ال and Latin al/el written together with the name become a separate particle."""
    art = k.arabic_article
    if word.startswith(art) and len(word) > len(art) + 1 and word not in k.arabic_article_keep:
        return [art, word[len(art):]]
    for prefix in k.glued:
        rest = word[len(prefix):]
        if (word.startswith(prefix) and len(rest) >= k.glued_min_rest and word not in k.glued_keep
                and not rest.startswith(prefix[-1])):
            return [prefix, rest]
    return [word]


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    k = knowledge()
    words: list[str] = []
    for raw in _WORD.findall(_clean(text)):
        for part in _split_article(raw, k):
            words.append(k.glued[0] if part == k.arabic_article else _transliterate_word(part))
    kept = [w for i, w in enumerate(words) if w and not (w in k.particles and i < len(words) - 1)]
    glued: list[str] = []
    for w in kept:
        if glued and (w in k.suffixes or glued[-1] in k.prefixes):
            glued[-1] += w
        else:
            glued.append(w)
    out: list[str] = []
    for w in glued:
        for pattern, repl in k.normalise:
            w = pattern.sub(repl, w)
        out.append(w)
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The normalised words of one name part, in order, as rough lower-case Latin.

    Marks and apostrophes removed, original script transliterated, particles (al-, el-, bin, ال …)
    dropped unless they are the whole part, compound prefixes (Abd, Abu, Gebre …) glued to the next word
    and suffixes (ullah, uddin …) to the previous one.
    """
    return list(_tokens(text or ""))


# --------------------------------------------------------------------------------------------------
# Keys and folded forms
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """The Latin folds of the knowledge file, with doubled consonants collapsed before and after."""
    k = knowledge()
    word = _DOUBLE_CONSONANT.sub(r"\1", word)
    for pattern, repl in k.folds:
        word = pattern.sub(repl, word)
    return _DOUBLE_CONSONANT.sub(r"\1", word.replace(k.separator, ""))


def _groups(word: str, k: Knowledge) -> list[tuple[bool, str]]:
    """(is_vowel_group, text) runs; a y left after the folds is the vowel i."""
    out: list[tuple[bool, str]] = []
    for ch in word.replace("y", "i"):
        is_vowel = ch in k.vowels
        if out and out[-1][0] == is_vowel and is_vowel:
            out[-1] = (True, out[-1][1] + ch)
        else:
            out.append((is_vowel, ch))
    return out


def _is_glide(group: str, final: bool) -> bool:
    return (len(group) >= 2 and ("i" in group[1:] or group[0] == "i")) or (final and group == "i")


def _skeleton(word: str, k: Knowledge) -> str:
    out: list[str] = []
    groups = _groups(word, k)
    for index, (is_vowel, text) in enumerate(groups):
        if not is_vowel:
            out.append(text)
        elif index == 0:
            out.append(k.initial)
        elif _is_glide(text, index == len(groups) - 1):
            out.append(k.glide)
    key = "".join(out)
    return re.sub(f"{k.glide}+", k.glide, key) if k.glide else key


def _folded_word(word: str, k: Knowledge) -> str:
    out: list[str] = []
    groups = _groups(word, k)
    for index, (is_vowel, text) in enumerate(groups):
        if not is_vowel:
            out.append(text)
        elif index > 0 and _is_glide(text, index == len(groups) - 1) and len(text) > 1:
            out.append(k.glide)
        else:
            out.append(k.folded_vowels.get(text[0], text[0]))
    return "".join(out)


@lru_cache(maxsize=200_000)
def name_key(token: str) -> str:
    """The spelling-tolerant key of one name word (Latin, Arabic script or Ge'ez), at most 40 chars."""
    return _key("".join(_tokens(token or "")))


@lru_cache(maxsize=200_000)
def _key(word: str) -> str:
    """Key of one normalised word (an element of ``tokens``)."""
    return _skeleton(_fold(word), knowledge())[:KEY_LENGTH] if word else ""


def token_keys(text: str) -> list[str]:
    """Keys of the words of one name part in word order (duplicates kept, empty keys left out)."""
    return [key for key in (_key(t) for t in _tokens(text or "")) if key]


def name_keys(*parts: str) -> list[str]:
    """Distinct keys of all words in the given name parts, in order of first appearance."""
    seen: dict[str, None] = {}
    for part in parts:
        for key in token_keys(part):
            seen.setdefault(key, None)
    return list(seen)


def folded(text: str) -> str:
    """A folded Latin form of one name part for Jaro-Winkler comparisons of typos.

    The words of ``tokens`` with the Latin folds applied, doubled consonants collapsed and vowels
    reduced to three classes (a/e → a, i → i, o/u → u; a diphthong or glide → j), joined by one
    space: "Mohammed al-Hassan" → "muhamad hasan", "Hussein" → "husjn", "محمد" → "mhmd".
    """
    k = knowledge()
    return " ".join(w for w in (_folded_word(_fold(t), k) for t in _tokens(text or "")) if w)
