"""The Splink model of duplicate detection: comparisons with German level labels (shown to caseworkers as the
evidence per field), blocking rules and training passes.

The SQL is DuckDB's dialect, declared as the base dialect so that Splink translates it (sqlglot) when the engine
runs on Spark. Columns are those of `stella.linkage.features`.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_library import CustomComparison

DIALECT = "duckdb"

_SHARED = "len(list_intersect(name_keys_l, name_keys_r))"
# No given-name key of one side appears anywhere in the other's name (given/family swaps excluded).
_NO_GIVEN_SHARED = ("given_keys_l IS NOT NULL AND given_keys_r IS NOT NULL "
                    "AND len(list_intersect(given_keys_l, name_keys_r)) = 0 "
                    "AND len(list_intersect(given_keys_r, name_keys_l)) = 0")
_NO_FAMILY_SHARED = ("family_keys_l IS NOT NULL AND family_keys_r IS NOT NULL "
                     "AND len(list_intersect(family_keys_l, name_keys_r)) = 0 "
                     "AND len(list_intersect(family_keys_r, name_keys_l)) = 0")
_NOT_PH = "NOT dob_ph_l AND NOT dob_ph_r"
# The first given name of each side (the name one is called by) appears somewhere in the other's name. An extra
# name in front ("Tarek Ahmad Hasan" vs "Ahmad Hasan") is mostly another person of the family (the father's name
# follows the given name or precedes the family name); an extra name after it is mostly the father's name.
_FIRST_KEPT = ("(first_keys_l IS NULL OR len(list_intersect(first_keys_l, name_keys_r)) > 0) "
               "AND (first_keys_r IS NULL OR len(list_intersect(first_keys_r, name_keys_l)) > 0)")


def _level(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=DIALECT)


def names_comparison() -> ComparisonCreator:
    """Names as sets of token keys (order-independent: given/family swapped compare equal)."""
    return CustomComparison(
        output_column_name="name", comparison_description="Namen",
        comparison_levels=[
            _level("name_keys_l IS NULL OR name_keys_r IS NULL", "Name fehlt").configure(is_null_level=True),
            _level("keyset_l = keyset_r", "gleiche Namen (Schreibvarianten, Reihenfolge egal)")
            .configure(tf_adjustment_column="keyset", tf_adjustment_weight=1.0),
            _level(f"{_SHARED} >= 2 AND {_SHARED} = least(len(name_keys_l), len(name_keys_r)) AND {_FIRST_KEPT}",
                   "ein Name enthält den anderen (zusätzlicher oder fehlender Namensteil, z. B. Vatername)"),
            _level(f"{_SHARED} >= 2 AND {_SHARED} = least(len(name_keys_l), len(name_keys_r))",
                   "ein Name enthält den anderen, aber ein Vorname fehlt im anderen (Verwandte?)"),
            _level(f"{_SHARED} >= 2 AND {_FIRST_KEPT}", "mindestens zwei gemeinsame Namensteile, Vornamen gemeinsam"),
            _level(f"{_SHARED} >= 2", "mindestens zwei gemeinsame Namensteile, ein Vorname fehlt im anderen"),
            _level(f"{_SHARED} >= 1 AND {_NO_GIVEN_SHARED}",
                   "nur der Familienname gemeinsam, Vornamen verschieden (Geschwister?)"),
            _level(f"{_SHARED} >= 1 AND {_NO_FAMILY_SHARED}",
                   "nur ein Vorname gemeinsam, Familiennamen verschieden"),
            _level(f"{_SHARED} >= 1 AND jaro_winkler_similarity(name_folded_l, name_folded_r) >= 0.85",
                   "ein gemeinsamer Namensteil, übrige Schreibung ähnlich"),
            _level("jaro_winkler_similarity(name_folded_l, name_folded_r) >= 0.9",
                   "ähnliche Schreibung (Tippfehler)"),
            _level(f"{_SHARED} >= 1", "nur ein gemeinsamer Namensteil"),
            cll.ElseLevel().configure(label_for_charts="Namen verschieden"),
        ],
    )


#: Marks the birth-date levels that exist twice: once for pairs with the same name set, once for the rest.
SAME_NAMES = "keyset_l = keyset_r"
SAME_NAMES_SUFFIX = " – bei gleichen Namen"


def _split(sql: str, label: str) -> tuple[cll.CustomLevel, cll.CustomLevel]:
    """A weak birth-date agreement twice: with the same names and without. Namesakes (same common name,
    1 January birthday) make a weak date agreement far more likely among different people with the same name
    than among random pairs; the 'same names' variant gets its u from such pairs (`engine.train_model`), so the
    model does not count the name twice."""
    return (_level(f"{SAME_NAMES} AND {sql}", label + SAME_NAMES_SUFFIX), _level(sql, label))


#: The namesake pattern: the same name set and at least one birth date without a real day (a placeholder such
#: as 1 January, or missing). Among different people in this pattern birthplace, nationality and sex agree far
#: more often than among random pairs (namesakes are relatives or compatriots, often of one city), so these
#: comparisons have their own levels for it, with u from such pairs (`engine.train_model`): otherwise the
#: model would count the shared name again in each of them.
NAMESAKE = "keyset_l = keyset_r AND (dob_ph_l OR dob_ph_r)"
NAMESAKE_SUFFIX = " – bei gleichen Namen, Geburtstag unbekannt"


def _namesake(sql: str | None, label: str) -> cll.CustomLevel:
    """The level `sql` (None: any value) within the namesake pattern (`NAMESAKE`)."""
    return _level(NAMESAKE if sql is None else f"{NAMESAKE} AND {sql}", label + NAMESAKE_SUFFIX)


def birth_date_comparison() -> ComparisonCreator:
    """Birth dates with precision: 1 January / 30 June / 31 December and year-only dates count as the year only."""
    return CustomComparison(
        output_column_name="birth_date", comparison_description="Geburtsdatum",
        comparison_levels=[
            _level("dob_year_l IS NULL OR dob_year_r IS NULL", "Geburtsdatum fehlt").configure(is_null_level=True),
            _level(f"dob_l = dob_r AND {_NOT_PH}", "gleiches Geburtsdatum"),
            _level(f"{_NOT_PH} AND dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                   "Tag und Monat vertauscht"),
            _level(f"{_NOT_PH} AND abs(dob_year_l - dob_year_r) = 1 AND dob_month_l = dob_month_r "
                   "AND dob_day_l = dob_day_r", "Jahr um eins verschieden, Tag und Monat gleich"),
            _level(f"{_NOT_PH} AND damerau_levenshtein(dob_l, dob_r) <= 1", "eine Ziffer verschieden (Tippfehler)"),
            *_split("dob_ph_l AND dob_ph_r AND dob_year_l = dob_year_r",
                    "gleiches Jahr, beide Tage unbekannt (Platzhalter wie 1. Januar)"),
            *_split("(dob_ph_l OR dob_ph_r) AND dob_year_l = dob_year_r",
                    "gleiches Jahr, ein Tag unbekannt (Platzhalter wie 1. Januar)"),
            *_split("dob_year_l = dob_year_r", "gleiches Geburtsjahr, Tag verschieden"),
            *_split("(dob_ph_l OR dob_ph_r) AND abs(dob_year_l - dob_year_r) = 1",
                    "Jahr um eins verschieden, Tag unbekannt"),
            cll.ElseLevel().configure(label_for_charts="Geburtsdatum verschieden"),
        ],
    )


def birth_place_comparison() -> ComparisonCreator:
    """Birthplaces; every level twice: within the namesake pattern (`NAMESAKE`) and outside it."""
    return CustomComparison(
        output_column_name="birth_place", comparison_description="Geburtsort",
        comparison_levels=[
            _level("birth_place_key_l IS NULL OR birth_place_key_r IS NULL", "Geburtsort fehlt")
            .configure(is_null_level=True),
            _namesake("birth_place_key_l = birth_place_key_r", "gleicher Geburtsort (Schreibvarianten)"),
            _namesake("jaro_winkler_similarity(birth_place_folded_l, birth_place_folded_r) >= 0.88",
                      "ähnlicher Geburtsort"),
            _namesake(None, "Geburtsort verschieden"),
            _level("birth_place_key_l = birth_place_key_r", "gleicher Geburtsort (Schreibvarianten)")
            .configure(tf_adjustment_column="birth_place_key", tf_adjustment_weight=0.5),
            _level("jaro_winkler_similarity(birth_place_folded_l, birth_place_folded_r) >= 0.88",
                   "ähnlicher Geburtsort"),
            cll.ElseLevel().configure(label_for_charts="Geburtsort verschieden"),
        ],
    )


def _exact(column: str, out: str, description: str, missing: str, same: str, other: str) -> ComparisonCreator:
    """An exact comparison; both levels twice: within the namesake pattern (`NAMESAKE`) and outside it."""
    return CustomComparison(
        output_column_name=out, comparison_description=description,
        comparison_levels=[
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", missing).configure(is_null_level=True),
            _namesake(f"{column}_l = {column}_r", same),
            _namesake(None, other),
            _level(f"{column}_l = {column}_r", same),
            cll.ElseLevel().configure(label_for_charts=other),
        ],
    )


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    return [
        names_comparison(),
        birth_date_comparison(),
        birth_place_comparison(),
        _exact("nationality", "nationality", "Staatsangehörigkeit", "Staatsangehörigkeit unbekannt",
               "gleiche Staatsangehörigkeit", "andere Staatsangehörigkeit"),
        _exact("sex", "sex", "Geschlecht", "Geschlecht unbekannt", "gleiches Geschlecht", "anderes Geschlecht"),
    ]


def blocking_rules() -> list[BlockingRuleCreator | dict[str, Any]]:
    """Pairs that are scored at all (OR'd). Measured recall on the synthetic set: see docs/linkage.md.

    A single shared name key is blocked only together with the birth year AND the birthplace: with the year
    alone the common keys (Mohammed, Ahmad, …) make the pairs grow with the square of the data (715,000 pairs
    at 20,000 persons, 45 million at 200,000) for 1 % more blocked true pairs that the model scores below
    any cluster threshold anyway (one shared key and a placeholder date)."""
    return [
        # a shared name key, the same birth year and birthplace (covers swaps, typos in day/month, placeholders)
        block_on("name_keys", "dob_year", "birth_place_key", arrays_to_explode=["name_keys"]),
        # two shared name keys and the birth year equal or one off (two overlapping two-year buckets: a pair
        # one year apart shares one of them)
        block_on("key_pairs", "dob_y2a", arrays_to_explode=["key_pairs"]),
        block_on("key_pairs", "dob_y2b", arrays_to_explode=["key_pairs"]),
        # a shared name key and the same real day and month (year typos, year ±1)
        block_on("name_keys", "dob_md", arrays_to_explode=["name_keys"]),
        # the same real birth date and sex (names transliterated beyond recognition)
        block_on("dob_exact", "sex"),
        # the same name set when a birth date is missing
        {"blocking_rule": 'l."keyset" = r."keyset" AND (l."dob_year" IS NULL OR r."dob_year" IS NULL)',
         "sql_dialect": DIALECT},
    ]


#: Blocking passes of the expectation-maximisation training: each leaves the other fields free to learn. (Not on
#: `keyset`: the namesake levels of birth date, birthplace, nationality and sex use it, so Splink would leave
#: those comparisons out of a pass blocked on it.)
def training_blocks() -> list[BlockingRuleCreator]:
    return [
        block_on("dob"),  # trains names, birthplace, nationality, sex
        block_on("key_pairs", "dob_year", arrays_to_explode=["key_pairs"]),  # trains birthplace, nationality, sex
        block_on("key_pairs", "birth_place_key", arrays_to_explode=["key_pairs"]),  # trains the birth date
    ]


def settings(probability_two_random_records_match: float = 1e-5) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


def settings_dict(**kwargs: Any) -> dict[str, Any]:
    """The settings as the JSON dict Splink saves (untrained m/u)."""
    return settings(**kwargs).get_settings(DIALECT).as_dict()
