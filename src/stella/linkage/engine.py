"""The matching engine: the Splink model of `stella.linkage.model` over the features of
`stella.linkage.features`, used the same way by the batch run (`predict`, `link_records`) and the online check
(`score_pairs`), so that a caseworker sees the evidence of the very model that ranked the pair.

All backend-specific code is in `_db_api()` (DuckDB by default); a Land-wide batch swaps in Splink's SparkAPI
there (docs/linkage.md). The shipped model lives in `data/model.json`: the Splink settings with trained m and u
probabilities (`splink`), the average term frequencies for the online check (`tf`) and how it was trained
(`meta`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

from stella.linkage import clustering, features, model
from stella.linkage.records import LinkRecord

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.json"
#: Pairs below this probability are not kept by `link_records` (they only veto joins in the clustering).
PREDICT_FLOOR = 0.01
#: The clustering threshold of `link_records` when none is given: the match probability a join needs at the size
#: the model was trained on (larger inputs: `size_adjusted_threshold`). Chosen for cluster precision ≥ 0.98 with
#: margin on the synthetic sets (docs/linkage.md).
DEFAULT_THRESHOLD = 0.99
#: Term-frequency columns of the model; the online check supplies `tf_<column>` values.
TF_COLUMNS = ("keyset", "birth_place_key")
#: Inputs smaller than this use the shipped term frequencies instead of their own.
TF_MIN_RECORDS = 5000
#: How many of the most frequent values per TF column the shipped model keeps.
TF_TOP = 3000

logging.getLogger("splink").setLevel(logging.WARNING)


class Evidence(TypedDict):
    """The evidence of one field: German label of the comparison level, a coarse level and the weight
    (log2 of the Bayes factor; positive speaks for one person)."""

    field: str
    label: str
    level: str  # strong_for, for, neutral, against, strong_against, missing
    weight: float


@dataclass
class ScoredPair:
    left_id: str
    right_id: str
    probability: float
    match_weight: float
    evidence: list[Evidence]


FIELD_LABELS = {"name": "Namen", "birth_date": "Geburtsdatum", "birth_place": "Geburtsort",
                "nationality": "Staatsangehörigkeit", "sex": "Geschlecht"}


def _db_api() -> Any:
    """The Splink database API (the one place to swap DuckDB for Spark)."""
    from splink import DuckDBAPI

    return DuckDBAPI()


def _file_version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "untrained"


#: The version of the shipped model: the first 12 hex digits of the sha256 of `data/model.json`.
MODEL_VERSION: str = _file_version(MODEL_PATH)


@lru_cache(maxsize=4)
def _load(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_model(path: Path | None = None) -> dict[str, Any]:
    """The trained model ({"splink": settings, "tf": averages, "meta": training facts}); a fresh copy."""
    data: dict[str, Any] = json.loads(_load(str(path or MODEL_PATH)))
    return data


# --------------------------------------------------------------------------------------------- training


def _linker(table: Any, settings: Mapping[str, Any] | Any, db_api: Any | None = None) -> Any:
    from splink import Linker

    api = db_api or _db_api()
    frame = api.register(table)
    return Linker(frame, dict(settings) if isinstance(settings, Mapping) else settings)


def _top_tf(table: Any, column: str, limit: int = TF_TOP) -> dict[str, Any]:
    """Relative frequencies of the most common values of a column, and the mean frequency of the rest."""
    values = [v for v in table.column(column).to_pylist() if v]
    total = len(values)
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = {k: c / total for k, c in ranked[:limit]} if total else {}
    rest = ranked[limit:]
    default = (sum(c for _, c in rest) / len(rest) / total) if rest else (1.0 / total if total else 1.0)
    return {"values": top, "default": default}


def train_model(records: Sequence[LinkRecord], *, truth: Mapping[str, str] | None = None, seed: int = 1,
                max_pairs: float = 2e6) -> dict[str, Any]:
    """Train the model on `records`. u by random sampling. With `truth` (record_id → person, e.g. the synthetic
    set) m is estimated from the true pairs and λ is their share of all pairs; without it m comes from
    expectation maximisation over `model.training_blocks()` and λ from deterministic rules. Returns the model
    dict to save. (EM alone learns the birth-date levels badly: every block that leaves the birth date free
    is dominated by namesakes and siblings, so the shipped model is trained with the synthetic truth.)"""
    import pyarrow as pa
    from splink import block_on

    table = features.feature_table(features.feature_rows(records))
    linker = _linker(table, model.settings())
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    if truth is not None:
        groups: dict[str, list[str]] = {}
        for r in records:
            groups.setdefault(truth[r.record_id], []).append(r.record_id)
        left: list[str] = []
        right: list[str] = []
        for ids in groups.values():
            for i, a in enumerate(ids):
                for b in ids[i + 1:]:
                    left.append(a)
                    right.append(b)
        n = len(records)
        linker._settings_obj._probability_two_random_records_match = max(len(left), 1) / (n * (n - 1) / 2)
        labels = linker.table_management.register_table(
            pa.table({"unique_id_l": left, "unique_id_r": right}), "__stella_labels", overwrite=True)
        linker.training.estimate_m_from_pairwise_labels(labels)
        settings = _with_priors(linker.misc.save_model_to_json())
        _condition_on_names(settings, table, truth)
    else:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("keyset", "dob_exact"), block_on("keyset", "dob_year", "birth_place_key")], recall=0.7)
        for rule in model.training_blocks():
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule, fix_u_probabilities=True)
            except ValueError as exc:  # a level's m underflows on small data: that pass teaches nothing
                logging.getLogger(__name__).warning("EM-Durchgang übersprungen: %s", exc)
        settings = _with_priors(linker.misc.save_model_to_json())
    return {
        "splink": settings,
        "tf": {col: _top_tf(table, col) for col in TF_COLUMNS},
        "meta": {"records": len(records), "seed": seed, "model": "stella-linkage-1",
                 "m_from": "labels" if truth is not None else "em"},
    }


def _condition_on_names(settings: dict[str, Any], table: Any, truth: Mapping[str, str]) -> None:
    """Give the conditioned levels their u, so that their Bayes factor is P(level | condition, match) /
    P(level | condition, non-match) and the shared name is not counted again in each field:

    * birth-date levels 'bei gleichen Namen' (`model._split`, condition: same name set):
      u = P(level | same names, non-match) × P(same names | match);
    * birthplace, nationality and sex levels 'bei gleichen Namen, Geburtstag unbekannt' (`model.NAMESAKE`):
      u = P(level | namesake pattern, field known, non-match) × P(namesake pattern, field known | match).

    The non-matches are counted among the pairs with the same name set (all of them: the probe blocks on the
    key set), the matches among all true pairs."""
    probe = dict(settings)
    probe["blocking_rules_to_generate_predictions"] = [{"blocking_rule": 'l."keyset" = r."keyset"',
                                                         "sql_dialect": model.DIALECT}]
    probe["retain_matching_columns"] = True
    linker = _linker(table, probe)
    frame = linker.inference.predict(warning_mode="never")
    comps = {c["output_column_name"]: c for c in settings["comparisons"]}
    columns = list(comps)
    rel = frame.as_duckdbpyrelation().select(
        "unique_id_l, unique_id_r, dob_ph_l OR dob_ph_r, " + ", ".join(f"gamma_{c}" for c in columns))
    # per comparison: (non-match counts per gamma, non-matches in the condition, matches in the condition)
    counts: dict[str, dict[int, int]] = {c: {} for c in columns}
    in_cond_u: dict[str, int] = dict.fromkeys(columns, 0)
    in_cond_m: dict[str, int] = dict.fromkeys(columns, 0)
    for left, right, ph, *gammas in rel.fetchall():
        match = truth[left] == truth[right]
        for col, gamma in zip(columns, gammas, strict=True):
            if gamma is None or int(gamma) == -1 or (col != "birth_date" and not ph):
                continue
            if match:
                in_cond_m[col] += 1
            else:
                in_cond_u[col] += 1
                counts[col][int(gamma)] = counts[col].get(int(gamma), 0) + 1
    groups: dict[str, int] = {}
    for person in truth.values():
        groups[person] = groups.get(person, 0) + 1
    true_pairs = max(sum(k * (k - 1) // 2 for k in groups.values()), 1)
    for col, comp in comps.items():
        real = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        suffix = model.SAME_NAMES_SUFFIX if col == "birth_date" else model.NAMESAKE_SUFFIX
        split = [k for k, lv in enumerate(real) if lv.get("label_for_charts", "").endswith(suffix)]
        if not split:
            continue
        p_cond_match = max(in_cond_m[col], 1) / true_pairs
        for k in split:
            gamma = len(real) - 1 - k
            p = (counts[col].get(gamma, 0) + 1) / (in_cond_u[col] + len(real))
            real[k]["u_probability"] = p * p_cond_match
            real[k]["fix_u_probability"] = True  # a re-estimation on other data (train=True) keeps it


#: The least m probability of a level (a registration error the training data happened not to show).
M_FLOOR = 1e-3


def _with_priors(settings: dict[str, Any]) -> dict[str, Any]:
    """Levels whose m the training could not estimate (never observed among true pairs) get the prior
    `M_FLOOR`, then each comparison's m are normalised again: a difference the data never showed must not count
    as impossible."""
    for comp in settings["comparisons"]:
        real = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for lv in real:
            if not lv.get("m_probability") or lv["m_probability"] < M_FLOOR:
                lv["m_probability"] = M_FLOOR
        total = sum(lv["m_probability"] for lv in real)
        for lv in real:
            lv["m_probability"] = lv["m_probability"] / total
    return settings


def save_model(data: Mapping[str, Any], path: Path) -> None:
    from stella.core.files import atomic_text_file

    with atomic_text_file(path) as sink:
        sink.write(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _retrain(linker: Any, *, seed: int = 1) -> None:
    """Re-estimate u and λ on the data at hand (m stays as trained: it describes the errors of registration,
    which do not depend on the data set; u and λ describe the population, which does)."""
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("keyset", "dob_exact"), block_on("keyset", "dob_year", "birth_place_key")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)


# --------------------------------------------------------------------------------------------- batch


def _settings_for_predict(data: Mapping[str, Any]) -> dict[str, Any]:
    settings = dict(data["splink"])
    settings["retain_intermediate_calculation_columns"] = False
    settings["retain_matching_columns"] = False
    return settings


def _predict_frame(records: Iterable[LinkRecord], *, threshold: float, train: bool,
                   model_data: Mapping[str, Any] | None, evidence: bool) -> tuple[Any, Any]:
    data = model_data or load_model()
    table = features.feature_table(features.feature_rows(records))
    settings = _settings_for_predict(data)
    if evidence:
        settings["retain_intermediate_calculation_columns"] = True
        settings["retain_matching_columns"] = True
    api = _db_api()
    linker = _linker(table, settings, api)
    if table.num_rows < TF_MIN_RECORDS:
        _register_shipped_tf(linker, api, table, data.get("tf", {}))
    if train:
        _retrain(linker)
    return linker, linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


def _register_shipped_tf(linker: Any, api: Any, table: Any, shipped: Mapping[str, Any]) -> None:
    """Term frequencies of a small input are noise (three records, two with one name: 'very common'); such
    inputs use the shipped averages instead."""
    import pyarrow as pa

    for col in TF_COLUMNS:
        avg = shipped.get(col, {})
        values = sorted({v for v in table.column(col).to_pylist() if v is not None})
        freqs = [float(avg.get("values", {}).get(v, avg.get("default", 1e-4))) for v in values]
        frame = api.register(pa.table({col: pa.array(values, pa.string()), f"tf_{col}": pa.array(freqs, pa.float64())}))
        linker.table_management.register_term_frequency_lookup(frame, col)


def predict(records: Iterable[LinkRecord], *, threshold: float = 0.5, train: bool = False,
            evidence: bool = False, model_data: Mapping[str, Any] | None = None) -> list[ScoredPair]:
    """Every pair found by the blocking rules whose probability is at least `threshold` (left_id < right_id
    as strings). `train=True` re-estimates u and λ on `records` first (other data than the model's);
    `evidence=True` adds the evidence per field (slower: use for the pairs a caseworker will see)."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1")
    data = model_data or load_model()
    linker, frame = _predict_frame(records, threshold=threshold, train=train, model_data=data, evidence=evidence)
    try:
        if evidence:
            return [_scored(row, _levels(data)) for row in frame.as_record_list()]
        rel = frame.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability, match_weight")
        out = []
        for left, right, prob, weight in rel.fetchall():
            if left > right:
                left, right = right, left
            out.append(ScoredPair(left, right, float(prob), float(weight), []))
        return out
    finally:
        del linker


def size_adjusted_threshold(threshold: float, records: int, model_data: Mapping[str, Any] | None = None) -> float:
    """The cluster threshold for an input of `records` records: `threshold` holds at the size the model was
    trained on (`meta.records`); a larger input needs more evidence per pair, log2(records / trained) bits of
    match weight more. The prior λ (share of matching pairs among all pairs) falls with 1/size — duplicates
    grow with the data, pairs with its square —, and so do the odds of every pair; namesakes with a common
    name grow with the square. Never lowered for smaller inputs."""
    data = model_data or load_model()
    trained = int(data.get("meta", {}).get("records") or 0)
    if trained < 2 or records <= trained or not 0.0 < threshold < 1.0:
        return threshold
    weight = math.log2(threshold / (1.0 - threshold)) + math.log2((records - 1) / (trained - 1))
    return 1.0 / (1.0 + 2.0 ** -weight)


def link_records(records: Sequence[LinkRecord], *, threshold: float | None = None, train: bool = False,
                 cannot_link: set[frozenset[str]] | None = None, max_size: int | None = clustering.DEFAULT_MAX_SIZE,
                 model_data: Mapping[str, Any] | None = None) -> dict[str, str]:
    """record_id → cluster_id (the first record of the cluster in input order) for every record. `threshold`
    (default `DEFAULT_THRESHOLD`) is the match probability a join needs at the model's training size; larger
    inputs need more (`size_adjusted_threshold`)."""
    thr = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0.0 < thr <= 1.0:
        raise ValueError("threshold must be above 0 and at most 1")
    data = model_data or load_model()
    effective = size_adjusted_threshold(thr, len(records), data)
    pairs = _cluster_pairs(records, floor=min(PREDICT_FLOOR, thr), strong=effective, train=train, model_data=data) \
        if records else []
    with features.without_gc():
        by_id = {r.record_id: r for r in records}
        return clustering.cluster([r.record_id for r in records], pairs, threshold=effective,
                                  cannot_link=cannot_link or set(), records=by_id, max_size=max_size)


def _cluster_pairs(records: Sequence[LinkRecord], *, floor: float, strong: float, train: bool,
                   model_data: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """The scored pairs the clustering can use: those among records that have at least one pair at or above
    `strong` (only such pairs start a join; the weaker ones between such records can veto it). Filtered in the
    database: at 200,000 persons a million pairs are above the floor, a few thousand of them matter."""
    linker, frame = _predict_frame(records, threshold=floor, train=train, model_data=model_data, evidence=False)
    try:
        rel = frame.as_duckdbpyrelation().query("p", f"""
            WITH s AS (SELECT unique_id_l AS id FROM p WHERE match_probability >= {float(strong)!r}
                       UNION SELECT unique_id_r FROM p WHERE match_probability >= {float(strong)!r})
            SELECT unique_id_l, unique_id_r, match_probability FROM p
            WHERE unique_id_l IN (SELECT id FROM s) AND unique_id_r IN (SELECT id FROM s)""")  # noqa: S608
        return [(str(a), str(b), float(p)) for a, b, p in rel.fetchall()]
    finally:
        del linker


def cluster(record_ids: Sequence[str], pairs: Iterable[Any], *, threshold: float,
            cannot_link: set[frozenset[str]] | None = None, records: Mapping[str, LinkRecord] | None = None,
            max_size: int | None = clustering.DEFAULT_MAX_SIZE) -> dict[str, str]:
    """Constrained clustering (see `stella.linkage.clustering.cluster`)."""
    return clustering.cluster(record_ids, pairs, threshold=threshold, cannot_link=cannot_link or set(),
                              records=records, max_size=max_size)


# --------------------------------------------------------------------------------------------- evidence


def _levels(data: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison output column → {gamma value → German label}."""
    out: dict[str, dict[int, str]] = {}
    for comp in data["splink"]["comparisons"]:
        levels = comp["comparison_levels"]
        real = [lv for lv in levels if not lv.get("is_null_level")]
        labels: dict[int, str] = {-1: next((lv["label_for_chart"] if "label_for_chart" in lv
                                            else lv.get("label_for_charts", "") for lv in levels
                                            if lv.get("is_null_level")), "fehlt")}
        for k, lv in enumerate(real):
            labels[len(real) - 1 - k] = lv.get("label_for_charts", lv.get("label_for_chart", ""))
        out[comp["output_column_name"]] = labels
    return out


def _coarse(weight: float, gamma: int) -> str:
    if gamma == -1:
        return "missing"
    if weight >= 3:
        return "strong_for"
    if weight >= 0.5:
        return "for"
    if weight <= -3:
        return "strong_against"
    if weight <= -0.5:
        return "against"
    return "neutral"


def _scored(row: Mapping[str, Any], levels: Mapping[str, Mapping[int, str]]) -> ScoredPair:
    ev: list[Evidence] = []
    for column, labels in levels.items():
        gamma = int(row.get(f"gamma_{column}", -1))
        weight = float(row.get(f"mw_{column}") or 0.0) + float(row.get(f"mw_tf_adj_{column}") or 0.0)
        ev.append(Evidence(field=column, label=labels.get(gamma, ""), level=_coarse(weight, gamma),
                           weight=round(weight, 2)))
    left, right = str(row["unique_id_l"]), str(row["unique_id_r"])
    return ScoredPair(left_id=left, right_id=right, probability=float(row["match_probability"]),
                      match_weight=float(row["match_weight"]), evidence=ev)


# --------------------------------------------------------------------------------------------- online


class _Online(threading.local):
    api: Any = None
    #: model version → name of the prepared scoring statement on this thread's connection
    prepared: dict[str, str]

    def __init__(self) -> None:
        self.prepared = {}


_online = _Online()
_LEFT, _RIGHT = "__splink__compare_records_left_stella", "__splink__compare_records_right_stella"


def _online_api() -> Any:
    """One database connection per thread (DuckDB connections are not shared between threads), made once."""
    if _online.api is None:
        _online.api = _db_api()
    return _online.api


def _prepared_statement(version: str, settings: Mapping[str, Any], left: Any, right: Any) -> str:
    """The name of a prepared DuckDB statement that scores the tables registered as `_LEFT` × `_RIGHT`.

    Splink generates the SQL (`compare_records`, whose cache keeps it per key with the table names of that first
    call); we rename its tables to fixed names and prepare it once per model version and thread. Each check then
    only registers its two Arrow tables and executes the plan: Splink's own path re-plans the 15 kB query and
    creates, checks and drops three tables per call (~30 ms more per check, docs/benchmarks.md)."""
    name = _online.prepared.get(version)
    if name is not None:
        return name
    from splink.internals.realtime import _sql_cache, compare_records

    key = f"stella-linkage-{version}"
    first = compare_records(left, right, dict(settings), _online_api(), sql_cache_key=key)
    first.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    _forget_inputs(_online_api())
    sql, uid = _sql_cache._cache[key]
    sql = sql.replace(f"__splink__compare_records_left_{uid}", _LEFT)
    sql = sql.replace(f"__splink__compare_records_right_{uid}", _RIGHT)
    name = f"stella_score_{len(_online.prepared)}"
    con = _online_api()._con
    con.register(_LEFT, left)
    con.register(_RIGHT, right)
    try:
        con.execute(f"PREPARE {name} AS {sql}")
    finally:
        con.unregister(_LEFT)
        con.unregister(_RIGHT)
    _online.prepared[version] = name
    return name


def _with_tf(row: features.Features, tf: Mapping[str, Mapping[str, float]] | None,
             shipped: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(row)
    for col in TF_COLUMNS:
        value = row[col]  # type: ignore[literal-required]
        given = (tf or {}).get(col)
        freq: float | None = None
        if value is not None:
            if given is not None and value in given:
                freq = float(given[value])
            else:
                avg = shipped.get(col, {})
                freq = float(avg.get("values", {}).get(value, avg.get("default", 1e-4)))
        out[f"tf_{col}"] = freq
    return out


def _forget_inputs(api: Any) -> None:
    """compare_records registers its two inputs as views of Arrow tables and leaves them: unregister them so
    that a long-running thread does not keep every checked registration."""
    con = api._con
    for (name,) in con.execute("SELECT view_name FROM duckdb_views() "
                               "WHERE view_name LIKE '__splink__compare_records_%'").fetchall():
        con.unregister(name)


def _as_table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    base = features.feature_table([{k: v for k, v in r.items() if not k.startswith("tf_")}  # type: ignore[misc]
                                   for r in rows])
    for col in TF_COLUMNS:
        base = base.append_column(f"tf_{col}", pa.array([r[f"tf_{col}"] for r in rows], pa.float64()))
    return base


def score_pairs(left: LinkRecord, rights: Sequence[LinkRecord], *,
                tf: Mapping[str, Mapping[str, float]] | None = None,
                model_data: Mapping[str, Any] | None = None) -> list[ScoredPair]:
    """Score `left` against each of `rights` (no blocking: the caller chose the candidates) with evidence per
    field, highest probability first. `tf` maps a TF column (`keyset`, `birth_place_key`) to
    {value: relative frequency in the population}; values missing there fall back to the shipped averages
    (`model.json` → `tf`)."""
    if not rights:
        return []

    data = model_data or load_model()
    version = MODEL_VERSION if model_data is None else hashlib.sha256(
        json.dumps(model_data, sort_keys=True).encode()).hexdigest()[:12]
    shipped = data.get("tf", {})
    lrow = _with_tf(features.features(left), tf, shipped)
    rrows = [_with_tf(features.features(r), tf, shipped) for r in rights]
    settings = dict(data["splink"])
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    ltable, rtable = _as_table([lrow]), _as_table(rrows)
    statement = _prepared_statement(version, settings, ltable, rtable)
    con = _online_api()._con
    con.register(_LEFT, ltable)
    con.register(_RIGHT, rtable)
    try:
        cursor = con.execute(f"EXECUTE {statement}")
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    finally:
        con.unregister(_LEFT)
        con.unregister(_RIGHT)
    levels = _levels(data)
    pairs = [_scored(row, levels) for row in rows]
    for p in pairs:
        if p.left_id != left.record_id:
            p.left_id, p.right_id = p.right_id, p.left_id
    return sorted(pairs, key=lambda p: (-p.probability, p.right_id))


# --------------------------------------------------------------------------------------------- baseline


def plain_splink_link(records: Sequence[LinkRecord], *, threshold: float = 0.95, seed: int = 1) -> dict[str, str]:
    """Plain Splink for the benchmarks: Splink's documented example model (NameComparison on first name and
    surname, DateOfBirthComparison, exact city with term frequencies; blocking on first name + dob and on
    surname) on the raw fields, trained on the data, clustered with connected components at `threshold`."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    table = pa.table({
        "unique_id": [r.record_id for r in records],
        "first_name": [(r.names[0][0].strip().lower() or None) if r.names else None for r in records],
        "surname": [(r.names[0][1].strip().lower() or None) if r.names else None for r in records],
        "dob": [r.birth_date.isoformat() if r.birth_date else None for r in records],
        "city": [r.birth_place.strip().lower() or None for r in records],
        "sex": [r.sex or None for r in records],
    })
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname")],
    )
    api = _db_api()
    linker = Linker(api.register(table), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=0.5 * threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold)
    rows = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
    found = {str(u): str(c) for u, c in rows}
    return {r.record_id: found.get(r.record_id, r.record_id) for r in records}
