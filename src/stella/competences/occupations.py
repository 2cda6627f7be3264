"""German occupation search over the active KldB 2010 version: by title, short title, the BA's example job
titles ("Zugeordnete Berufe", e.g. "Bäcker/in") and activities (Einschlüsse), or by a code prefix.

Matching is per word, case- and umlaut-insensitive (ä = ae, ß = ss); every query word must match. A query word
matches a word of an entry that it starts, or – from four letters on – that it ends (the head of a German
compound: "Kraftfahrer" finds "Berufskraftfahrer"); inside a word it is a weak hit. A female form also finds
the male one ("Lehrerin" → "Lehrer/in"), and a compound that matches nothing falls back to its head
("Mathematiklehrer" → "lehrer", weak).

Ranking, best first: an entry whose whole title, short title or example job title is the query ("Bäcker" =
"Bäcker/in"; title before short title before example); entries without weak hits; the field the entry needed
(title, short title, example titles, activities); whole words before prefixes; more example titles matched;
the shorter title. The 2,195 positions are indexed in memory per active version; each search checks the
active version with one small query, so a newly loaded version is seen at once.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from stella.authz.policy import CASE_ROLES
from stella.competences.kldb import example_titles, normalize, skill_level_label
from stella.competences.models import KldbVersion, Occupation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, NotFound

FIELDS = ("title", "short_title", "examples", "activities")
FIELD_LABELS = {"code": "Schlüssel", "title": "Titel", "short_title": "Kurztitel", "examples": "Berufsbezeichnung",
                "activities": "Tätigkeiten"}
#: Words that carry no meaning in a query ("Berufe in der Pflege"); kept if the query has nothing else.
STOPWORDS = frozenset({"in", "im", "der", "die", "das", "den", "dem", "des", "und", "oder", "von", "vom", "fuer",
                       "mit", "am", "an", "als", "zu", "zum", "zur", "ein", "eine", "berufe", "beruf"})
EXACT, PREFIX, INFIX = 0, 1, 2
NO_MATCH = 9
MIN_INFIX = 4
MIN_HEAD = 6
MAX_LIMIT = 100


@dataclass(frozen=True)
class Hit:
    """One search result; `matched_in` is "code", "title", "short_title", "examples" or "activities"."""

    code: str
    level: int
    title: str
    short_title: str
    skill_level: str  # Helfer, Fachkraft, Spezialist, Experte (level 5 only)
    matched_in: str
    example: str = ""  # the example job title that matched, e.g. "Bäcker/in"

    @property
    def matched_label(self) -> str:
        return FIELD_LABELS[self.matched_in]

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "level": self.level, "title": self.title, "short_title": self.short_title,
                "skill_level": self.skill_level, "matched_in": self.matched_in, "example": self.example}


_ALTERNATIVE = re.compile(r"\((?:e/)?(?:in|r|e|n|en|innen)\)|/\S*|\([^)]*\)")
_FEMALE_WORD = re.compile(r"/\s*(\w{3,})")


def phrase(text: str) -> str:
    """Comparison key of a whole name: the masculine form without the female alternative ("Bäcker/in",
    "Koch/Köchin", "Kaufmann/-frau", "Gehilf(e/in)" → "baecker", "koch", "kaufmann", "gehilf") and without
    remarks in parentheses."""
    return normalize(_ALTERNATIVE.sub(" ", text))


def _phrases(text: str) -> set[str]:
    # "Arzt/Ärztin" is also named by "Ärztin" (a separate female word, not a suffix like "/in").
    keys = {phrase(text)}
    female = _FEMALE_WORD.search(text)
    if female and " " not in text[:female.start()]:
        keys.add(phrase(female.group(1) + text[female.end():]))
    return keys


@dataclass
class _Entry:
    code: str
    level: int
    title: str
    short_title: str
    examples: list[str]
    norm_examples: list[str]
    phrases: dict[str, int]  # `phrase()` keys of the title (0), short title (1), examples (2)


@dataclass
class _Index:
    key: tuple[int, str]
    version_name: str
    entries: list[_Entry] = field(default_factory=list)
    by_code: dict[str, int] = field(default_factory=dict)
    postings: dict[str, dict[int, int]] = field(default_factory=dict)  # word → entry → best field rank
    example_counts: dict[str, dict[int, int]] = field(default_factory=dict)  # word → entry → examples with it
    vocabulary: list[str] = field(default_factory=list)
    blob: str = ""  # the vocabulary joined by newlines: infix search in one C-level scan
    offsets: list[int] = field(default_factory=list)

    def add(self, occupation: Occupation) -> None:
        examples = example_titles(occupation.also_includes)
        norm_examples = [normalize(x) for x in examples]
        phrases: dict[str, int] = {}
        for rank, texts in enumerate(([occupation.title], [occupation.short_title], examples)):
            for text in texts:
                for key in _phrases(text):
                    phrases.setdefault(key, rank)
        entry = _Entry(occupation.code, occupation.level, occupation.title, occupation.short_title, examples,
                       norm_examples, phrases)
        idx = len(self.entries)
        self.entries.append(entry)
        self.by_code[entry.code] = idx
        fields = (normalize(occupation.title), normalize(occupation.short_title), " ".join(norm_examples),
                  normalize(occupation.activities))
        for rank, text in enumerate(fields):
            for word in text.split():
                slot = self.postings.setdefault(word, {})
                if slot.get(idx, NO_MATCH) > rank:
                    slot[idx] = rank
        for norm in norm_examples:
            for word in set(norm.split()):
                counts = self.example_counts.setdefault(word, {})
                counts[idx] = counts.get(idx, 0) + 1

    def freeze(self) -> None:
        self.vocabulary = sorted(self.postings)
        self.offsets, position = [], 0
        for word in self.vocabulary:
            self.offsets.append(position)
            position += len(word) + 1
        self.blob = "\n".join(self.vocabulary)

    def words_for(self, token: str) -> list[tuple[str, int]]:
        """Vocabulary words the token matches, with the kind of match (exact, prefix, infix)."""
        out: list[tuple[str, int]] = []
        start = bisect.bisect_left(self.vocabulary, token)
        for word in self.vocabulary[start:]:
            if not word.startswith(token):
                break
            out.append((word, EXACT if word == token else PREFIX))
        if len(token) >= MIN_INFIX:
            seen: set[int] = set()
            position = self.blob.find(token)
            while position >= 0:
                i = bisect.bisect_right(self.offsets, position) - 1
                if position != self.offsets[i] and i not in seen:
                    seen.add(i)
                    word = self.vocabulary[i]
                    # The end of a German compound is its head ("Berufskraftfahrer" is a "Kraftfahrer"): as good
                    # as a prefix. Anything else inside a word is a weak hit.
                    out.append((word, PREFIX if word.endswith(token) else INFIX))
                position = self.blob.find(token, position + 1)
        return out

    def head(self, token: str) -> str | None:
        """The longest vocabulary word that ends the token ("mathematiklehrer" → "lehrer"), if any."""
        for start in range(3, len(token) - MIN_HEAD + 1):
            if token[start:] in self.postings:
                return token[start:]
        return None


_lock = threading.Lock()
_index: _Index | None = None


def invalidate() -> None:
    """Forget the in-memory index (kldb.load calls this after loading or re-activating a version)."""
    global _index
    with _lock:
        _index = None


def _current() -> _Index | None:
    global _index
    active = KldbVersion.objects.filter(active=True).values_list("pk", "sha256", "name").first()
    if active is None:
        return None
    key = (active[0], active[1])  # the hash as well: a rolled-back test database may reuse a primary key
    with _lock:
        if _index is None or _index.key != key:
            index = _Index(key=key, version_name=active[2])
            for occupation in Occupation.objects.filter(version_id=active[0]).order_by("code"):
                index.add(occupation)
            index.freeze()
            _index = index
        return _index


def _token_variants(token: str) -> list[str]:
    # Female forms: "Lehrerin" should find "Lehrer/in", "Köchinnen" "Köchin".
    variants = [token]
    if token.endswith("innen") and len(token) > 7:
        variants.append(token[:-5])
    elif token.endswith("in") and len(token) > 5:
        variants.append(token[:-2])
    return variants


@dataclass
class _Score:
    field: int = 0  # worst field any query word needed
    kinds: int = 0  # sum of match kinds (0 exact … 2 inside a word)
    weak: bool = False  # some word matched only inside a word or through its compound head
    examples: int = 10**6  # fewest example titles any query word matched


def _token_hits(index: _Index, token: str) -> dict[int, tuple[int, int, int]]:
    """Entry → (field rank, kind, example titles matched) for one query word."""
    best: dict[int, tuple[int, int, int]] = {}
    counts: dict[int, int] = {}
    variants = _token_variants(token)
    for variant in variants:
        for word, kind in index.words_for(variant):
            if variant != token and kind == EXACT:
                kind = PREFIX
            for idx, rank in index.postings[word].items():
                if (rank, kind) < best.get(idx, (NO_MATCH, NO_MATCH, 0))[:2]:
                    best[idx] = (rank, kind, 0)
            for idx, n in index.example_counts.get(word, {}).items():
                counts[idx] = counts.get(idx, 0) + n
    if not best:
        head = index.head(variants[-1])
        if head:
            for idx, rank in index.postings[head].items():
                best[idx] = (rank, INFIX, 0)
            counts = index.example_counts.get(head, {})
    return {idx: (rank, kind, counts.get(idx, 0)) for idx, (rank, kind, _) in best.items()}


def _match(index: _Index, tokens: list[str]) -> dict[int, _Score]:
    """Entries every query word matches, with their scores."""
    result: dict[int, _Score] | None = None
    for token in tokens:
        hits = _token_hits(index, token)
        if result is None:
            result = {idx: _Score() for idx in hits}
        result = {idx: score for idx, score in result.items() if idx in hits}
        for idx, score in result.items():
            rank, kind, examples = hits[idx]
            score.field = max(score.field, rank)
            score.kinds += kind
            score.weak = score.weak or kind == INFIX
            score.examples = min(score.examples, examples)
        if not result:
            return {}
    return result or {}


def search(query: str, limit: int = 20, level: int | None = 5) -> list[Hit]:
    """Occupations of the active version for a German query or a code prefix, best first (see module doc).

    `level` None searches all levels; a code prefix ("293") lists the codes under it."""
    limit = max(1, min(limit, MAX_LIMIT))
    index = _current()
    text = normalize(query or "")
    if index is None or not text:
        return []
    compact = text.replace(" ", "")
    if compact.isdigit():
        hits = [e for e in index.entries if e.code.startswith(compact) and (level is None or e.level == level)]
        return [_hit(e, "code") for e in hits[:limit]]
    tokens = [t for t in text.split() if t not in STOPWORDS] or text.split()
    keys = {phrase(query), " ".join(_token_variants(t)[-1] for t in tokens)}  # "Bäckerin" is "Bäcker" too
    ranked = []
    for idx, score in _match(index, tokens).items():
        entry = index.entries[idx]
        if level is not None and entry.level != level:
            continue
        whole = min((entry.phrases.get(k, NO_MATCH) for k in keys), default=NO_MATCH)
        field_rank = whole if whole != NO_MATCH else score.field
        ranked.append(((whole, score.weak, field_rank, score.kinds, -score.examples, len(entry.title), entry.code),
                       idx, field_rank))
    ranked.sort()
    return [_hit(index.entries[idx], FIELDS[rank], tokens, keys) for _, idx, rank in ranked[:limit]]


def _hit(entry: _Entry, matched_in: str, tokens: list[str] | None = None, keys: set[str] | None = None) -> Hit:
    example = ""
    if matched_in == "examples" and tokens:
        # The example to show: the one named exactly, else the one with the most query words, else the shortest.
        stems = [_token_variants(t)[-1] for t in tokens]
        candidates = [(phrase(raw) not in (keys or ()),
                       sum(not any(s in w for w in norm.split()) for s in stems), len(norm), raw)
                      for raw, norm in zip(entry.examples, entry.norm_examples, strict=True)]
        example = min(candidates)[3] if candidates else ""
    return Hit(entry.code, entry.level, entry.title, entry.short_title, skill_level_label(entry.code), matched_in,
               example)


def version_name() -> str:
    """Name of the active version ("" if none is loaded)."""
    index = _current()
    return index.version_name if index else ""


def by_code(code: str) -> Hit | None:
    """The entry for a code of the active version, or None."""
    index = _current()
    if index is None or code not in index.by_code:
        return None
    return _hit(index.entries[index.by_code[code]], "code")


def lookup(codes: Iterable[str]) -> dict[str, Hit]:
    """Entries for several codes of the active version at once (unknown codes are left out)."""
    index = _current()
    if index is None:
        return {}
    return {c: _hit(index.entries[index.by_code[c]], "code") for c in codes if c in index.by_code}


def entries(level: int = 5) -> list[Hit]:
    """All positions of one level of the active version (the job-title mapper indexes them)."""
    index = _current()
    return [_hit(e, "code") for e in index.entries if e.level == level] if index else []


def examples_of(code: str) -> list[str]:
    """The example job titles of a code of the active version."""
    index = _current()
    if index is None or code not in index.by_code:
        return []
    return list(index.entries[index.by_code[code]].examples)


def version_key() -> tuple[int, str] | None:
    """(primary key, SHA-256) of the active version as indexed, for caches derived from this index."""
    index = _current()
    return index.key if index else None


def require_case_role(actor: Actor) -> None:
    """The classification is no personal data, but only people who work on files use it (not audited)."""
    if not actor.roles.intersection(CASE_ROLES):
        raise AccessDenied("Die Berufssuche steht nur Rollen zur Verfügung, die mit Fallakten arbeiten.")


def detail(code: str) -> Occupation:
    """The occupation with this code (any level) in the active version, or NotFound in German."""
    version = KldbVersion.objects.filter(active=True).first()
    found = Occupation.objects.filter(version=version, code=code).first() if version else None
    if found is None:
        raise NotFound(f"Den KldB-Schlüssel „{code}“ gibt es in der geladenen Fassung "
                       f"({version.name if version else 'keine Fassung geladen'}) nicht.")
    return found
