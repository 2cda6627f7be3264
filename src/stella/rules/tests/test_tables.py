"""The tables themselves: no gaps or overlaps in the covered years, provenance complete, version pinned."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from stella.people.validators import validate_country
from stella.rules import catalog
from stella.rules.tables import COVERAGE, RULE_VERSION, TABLES, covered_years, fingerprint
from stella.rules.tables.countries import GOOD_PROSPECTS, SAFE_COUNTRIES

#: Pinned with RULE_VERSION. If this fails after a table change: bump RULE_VERSION, then update the pin.
PINNED = ("2026.2", "ed43a402ac688decf9352b84542367cf44790d61f359210eaa172468004409d6")
SOURCE_KEY = re.compile(r"S\d+[a-z]?")
DOCS = Path(__file__).resolve().parents[4] / "docs" / "rules.md"


def test_rule_version_is_bumped_when_a_table_changes():
    assert (RULE_VERSION, fingerprint()) == PINNED, (
        "Tables changed: bump RULE_VERSION in stella/rules/tables/__init__.py and update PINNED here."
    )


@pytest.mark.parametrize("name", sorted(TABLES))
def test_rows_are_ordered_without_overlap(name):
    _, rows = TABLES[name]
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert earlier.valid_to is not None, f"{name}: only the last row may be open-ended"
        assert later.valid_from == earlier.valid_to + timedelta(days=1), f"{name}: gap or overlap at {later}"


@pytest.mark.parametrize("name", sorted(n for n, (q, _) in TABLES.items() if q))
def test_tables_span_their_question_coverage(name):
    question, rows = TABLES[name]
    first, last = COVERAGE[question]
    assert rows[0].valid_from <= first
    assert rows[-1].valid_to is None or rows[-1].valid_to >= last


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_row_has_basis_and_sources(name):
    for row in TABLES[name][1]:
        assert row.prov.basis and all(b.strip() for b in row.prov.basis)
        assert row.prov.sources and all(SOURCE_KEY.fullmatch(s) for s in row.prov.sources)
        if row.prov.unverified or row.prov.contested or row.prov.interpretation:
            assert row.prov.note, f"{name}: flagged row without a note for the caseworker: {row}"


def test_country_codes_are_valid_and_unique():
    codes = [c.code for c in SAFE_COUNTRIES]
    assert len(codes) == len(set(codes))
    for code in codes + sorted(set().union(*(row.value for row in GOOD_PROSPECTS))):
        assert validate_country(code) == code


def test_covered_years_helper():
    assert covered_years() == {"work_permission": (2013, 2027), "course_access": (2013, 2027),
                               "benefit": (2015, 2026), "regime_switch": (2015, 2026)}
    assert covered_years("benefit") == {"benefit": (2015, 2026)}


def test_every_caveat_has_a_kind_and_the_known_ones_are_listed():
    caveats = catalog.caveats()
    assert all(c.kind and c.note for c in caveats)
    notes = " ".join(c.note for c in caveats)
    for marker in ("November 2014", "01.08.2015", "Gambia", "21.08.2019", "Besitzschutz", "Rückführungsverbesserungs",
                   "Leistungsrechtsanpassungsgesetz", "Stand 2016", "2022–2026", "Selbständige"):
        assert marker in notes


def test_docs_list_every_caveat_as_shown_to_caseworkers():
    if not DOCS.exists():
        pytest.skip("docs/rules.md is not part of this checkout")
    text = DOCS.read_text(encoding="utf-8")
    missing = [c.note for c in catalog.caveats() if c.note not in text]
    assert not missing, "docs/rules.md is out of date: run `python -m stella.rules.catalog` and paste the table"


def test_runtime_code_never_imports_gettsim():
    package = Path(__file__).resolve().parents[2]  # src/stella
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py")
                 if "tests" not in path.parts and re.search(r"^\s*(import|from)\s+gettsim", path.read_text(
                     encoding="utf-8"), re.MULTILINE)]
    assert not offenders, f"gettsim is AGPL and test-only; imported by {offenders}"
