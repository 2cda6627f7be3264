"""Plain Splink, as its documentation shows it, for the comparison in the same run.

* `febrl4_link`: Splink's FEBRL4 example (docs/demos/examples/duckdb/febrl4), the "detailed" model, without
  the SSN comparison and without the SSN blocking/deterministic rules: NameComparison on given name and surname
  (term frequencies), DateOfBirthComparison, exact street number (tf), Damerau-Levenshtein on postcode (tf);
  blocking as in the example; λ from the deterministic rule (given name, surname, dob) at recall 0.8, u by
  random sampling (1e6 pairs as in the example), m by EM blocked on dob and on postcode; predict at 0.2 and
  connected components at the example's 0.99.
* `dedupe_link`: Splink's deduplication example (docs/demos/examples/duckdb/deduplicate_50k_synthetic) on the
  raw fields of the registrations (first name = given names, surname = family name of the first spelling,
  lower-cased; ISO birth date; birthplace; sex; nationality): ForenameSurnameComparison, DateOfBirthComparison,
  exact birthplace (tf), exact sex, exact nationality; the example's blocking rules without the postcode ones;
  λ from the example's deterministic rules (postcode → birthplace) at recall 0.6, u by random sampling (1e7
  pairs, as the example), m by EM blocked on (first name, surname) and on dob; connected components at the
  same threshold as Stella's engine and at the example's 0.95 (probabilities of two models with other priors are
  not on one scale: at 0.999 plain Splink links almost nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stella.linkage.records import LinkRecord


def _api() -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI()


def _clusters(linker: Any, predictions: Any, threshold: float, ids: Sequence[str],
              id_column: str = "unique_id") -> dict[str, str]:
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    rows = clusters.as_duckdbpyrelation().select(f"{id_column}, cluster_id").fetchall()
    found = {str(u): str(c) for u, c in rows}
    return {i: found.get(i, i) for i in ids}


def febrl4_link(a: list[dict[str, str]], b: list[dict[str, str]], *, threshold: float = 0.99,
                seed: int = 1) -> dict[str, str]:
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    def table(rows: list[dict[str, str]]) -> Any:
        cols = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
                "state", "date_of_birth"]
        return pa.table({c: [(r.get(c) or None) for r in rows] for c in cols})

    blocking_rules: list[Any] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id", link_type="link_only", blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    api = _api()
    linker = Linker([api.register(table(a)), api.register(table(b))], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    return _clusters(linker, predictions, threshold, [r["rec_id"] for r in a + b], "rec_id")


def dedupe_table(records: Sequence[LinkRecord]) -> Any:
    import pyarrow as pa

    def low(text: str) -> str | None:
        return text.strip().lower() or None

    first = [low(r.names[0][0]) if r.names else None for r in records]
    last = [low(r.names[0][1]) if r.names else None for r in records]
    return pa.table({
        "unique_id": [r.record_id for r in records], "first_name": first, "surname": last,
        "first_name_surname_concat": [f"{f or ''} {s or ''}".strip() or None for f, s in zip(first, last, strict=True)],
        "dob": [r.birth_date.isoformat() if r.birth_date else None for r in records],
        "birth_place": [low(r.birth_place) for r in records],
        "sex": [r.sex or None for r in records],
        "nationality": [r.nationality or None for r in records],
    })


def dedupe_link(records: Sequence[LinkRecord], *, threshold: float, seed: int = 1,
                u_pairs: float = 1e7) -> dict[str, str]:
    return dedupe_link_at(records, [threshold], seed=seed, u_pairs=u_pairs)[threshold]


def dedupe_link_at(records: Sequence[LinkRecord], thresholds: Sequence[float], *, seed: int = 1,
                   u_pairs: float = 1e7) -> dict[float, dict[str, str]]:
    """One trained model, connected components at each threshold (the example clusters at 0.95)."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    blocking_rules: list[Any] = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("dob", "birth_place"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only", blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname",
                                         forename_surname_concat_col_name="first_name_surname_concat"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    api = _api()
    linker = Linker(api.register(dedupe_table(records)), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"),
         block_on("substr(first_name,1,2)", "surname", "birth_place"),
         block_on("dob", "birth_place")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    ids = [r.record_id for r in records]
    return {t: _clusters(linker, predictions, t, ids) for t in thresholds}
