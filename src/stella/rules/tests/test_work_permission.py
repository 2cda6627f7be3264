"""Work permission: one table-driven case set per row of the decision table (law-facts.md §2b), and the
days before and on which a rule changed."""

from __future__ import annotations

import pytest

from stella.rules import RuleInputError, work_permission
from stella.rules.tests.conftest import wp

# (id, input, outcome, decision-table row, unverified)
ROWS = [
    # 1 — AE §25(1)/(2): free access (old §25(1) S.4, from 01.03.2020 §4a)
    ("1-asyl-2016", wp("01.05.2016", "ae_25_1"), "FREE", "1", False),
    ("1-refugee-training", wp("01.05.2018", "ae_25_2", "vocational_training"), "FREE", "1", False),
    ("1-refugee-self-2021", wp("01.05.2021", "ae_25_2", "self_employment"), "FREE", "1", False),
    # 2 — AE §25(3): ABH before 01.03.2020 (practice unverified), then free
    ("2-before-fe-g", wp("01.06.2019", "ae_25_3"), "ABH", "2", True),
    ("2-after-feg", wp("01.06.2020", "ae_25_3", "internship"), "FREE", "2", False),
    # 3 — AE §24 / Fiktionsbescheinigung (Ukraine)
    ("3-ae24", wp("01.06.2022", "ae_24", nationality="UKR"), "FREE", "3", False),
    ("3-fiktion", wp("01.06.2023", "fiktion", "self_employment", nationality="UKR"), "FREE", "3", False),
    ("3-march-2022", wp("15.03.2022", "ae_24", nationality="UKR"), "FREE", "3", True),
    # 4 — Gestattung in the EA below the wait (whole stay until 20.08.2019; 9 months; 6 months from 27.02.2024)
    ("4-whole-stay", wp("01.01.2018", lives_in_reception_centre=True, asylum_request_date="01.03.2017"), "BAN", "4",
     False),
    ("4-nine-months", wp("01.01.2020", lives_in_reception_centre=True, asylum_request_date="01.06.2019"), "BAN",
     "4", False),
    ("4-training", wp("01.01.2020", activity="vocational_training", lives_in_reception_centre=True,
                      asylum_request_date="01.06.2019"), "BAN", "4", False),
    ("4-safe-country", wp("01.06.2020", nationality="ALB", lives_in_reception_centre=True,
                          asylum_request_date="01.08.2015"), "BAN", "4", False),
    ("4-rejected-ou", wp("01.06.2020", lives_in_reception_centre=True, asylum_request_date="01.06.2019",
                         rejected_as="offensichtlich_unbegruendet"), "BAN", "4", False),
    ("4-six-months-2024", wp("01.05.2024", lives_in_reception_centre=True, asylum_request_date="01.12.2023"),
     "BAN", "4", True),
    # 5 — Gestattung in the EA after the wait: mandatory permit
    ("5-employment", wp("01.06.2020", lives_in_reception_centre=True, asylum_request_date="01.06.2019"), "ABH_BA",
     "5", False),
    ("5-training", wp("01.06.2020", "gestattung", "vocational_training", lives_in_reception_centre=True,
                      asylum_request_date="01.06.2019"), "ABH", "5", False),
    ("5-internship", wp("01.06.2020", "gestattung", "internship", lives_in_reception_centre=True,
                        asylum_request_date="01.06.2019"), "ABH", "5", False),
    ("5-suspensive-effect", wp("01.06.2020", lives_in_reception_centre=True, asylum_request_date="01.06.2019",
                               rejected_as="unzulaessig", suspensive_effect_restored=True), "ABH_BA", "5", False),
    ("5-formal-application-later", wp("01.03.2020", lives_in_reception_centre=True, asylum_request_date="01.05.2019",
                                      asylum_application_date="15.06.2019"), "BAN", "4", False),
    # 6 — Gestattung outside the EA below 3 months (9 months 06.09.2013–05.11.2014, 12 months before)
    ("6-three-months", wp("01.03.2016", asylum_request_date="10.01.2016"), "BAN", "6", False),
    ("6-nine-months", wp("01.01.2014", asylum_request_date="01.06.2013"), "BAN", "6", False),
    ("6-twelve-months", wp("01.06.2013", asylum_request_date="01.09.2012"), "BAN", "6", False),
    ("6-prior-lawful-stay-counts", wp("01.03.2016", asylum_request_date="10.01.2016", prior_stay_since="01.10.2015"),
     "ABH_BA", "7", False),
    # 7 — Gestattung outside the EA after the wait
    ("7-issue-example", wp("01.03.2016", entry_date="01.09.2015", asylum_request_date="03.09.2015"), "ABH_BA", "7",
     False),
    ("7-training", wp("01.03.2016", "gestattung", "vocational_training", asylum_request_date="03.09.2015"), "ABH",
     "7", False),
    ("7-internship-before-2015-08", wp("01.03.2015", "gestattung", "internship", asylum_request_date="03.09.2014"),
     "ABH_BA", "7", False),
    ("7-internship-after-2015-08", wp("01.03.2016", "gestattung", "internship", asylum_request_date="03.09.2015"),
     "ABH", "7", False),
    ("7-claim-2020", wp("01.06.2020", asylum_request_date="01.06.2019"), "ABH_BA", "7", False),
    ("7-claim-pre-2019-unverified", wp("01.06.2017", asylum_request_date="01.06.2016"), "ABH_BA", "7", True),
    ("7-long-ea-stay-ends-duty", wp("01.06.2021", lives_in_reception_centre=True, reception_centre_since="01.06.2019",
                                     asylum_request_date="01.06.2019"), "ABH_BA", "7", True),
    ("7-family-ea-duty-six-months", wp("01.06.2020", lives_in_reception_centre=True, with_minor_children=True,
                                        reception_centre_since="01.10.2019", asylum_request_date="01.10.2019"),
     "ABH_BA", "7", False),
    # 7a — four years of stay: no BA consent
    ("7a-four-years", wp("01.03.2016", asylum_request_date="10.01.2012"), "ABH", "7a", False),
    ("7a-duldung", wp("01.03.2018", "duldung", nationality="AFG", duldung_since="01.01.2014"), "ABH", "7a", False),
    ("7a-not-before-nov-2014", wp("01.10.2014", asylum_request_date="10.01.2010"), "ABH_BA", "7", True),
    # 8 — safe-country nationals who applied after the cut-off
    ("8-albania-listed-after-request", wp("01.03.2016", nationality="ALB", asylum_request_date="05.09.2015"), "BAN",
     "8", True),
    ("8-albania", wp("01.03.2016", nationality="ALB", asylum_request_date="05.11.2015"), "BAN", "8", False),
    ("8-albania-before-cutoff", wp("01.03.2016", nationality="ALB", asylum_request_date="20.08.2015"), "ABH_BA", "7",
     True),  # unverified only because of the pre-2019 claim after 6 months (rule 7)
    ("8-albania-before-cutoff-discretion", wp("01.01.2016", nationality="ALB", asylum_request_date="20.08.2015"),
     "ABH_BA", "7", False),
    ("8-serbia-training", wp("01.03.2017", "gestattung", "vocational_training", nationality="SRB",
                             asylum_request_date="01.02.2016"), "BAN", "8", False),
    ("8-georgia-after-2023-cutoff", wp("01.03.2024", nationality="GEO", asylum_request_date="03.09.2023"), "BAN", "8",
     True),
    ("8-georgia-listed-before-request", wp("01.06.2024", nationality="GEO", asylum_request_date="05.01.2024"), "BAN",
     "8", False),
    ("8-georgia-before-2023-cutoff", wp("01.01.2024", nationality="GEO", asylum_request_date="15.08.2023"), "ABH_BA",
     "7", False),
    # 9 — Duldung outside the EA after 3 months
    ("9-kann", wp("01.06.2016", "duldung", nationality="AFG", duldung_since="01.01.2016"), "ABH_BA", "9", False),
    ("9-soll-2024", wp("01.06.2024", "duldung", nationality="AFG", duldung_since="01.01.2024"), "ABH_BA", "9", False),
    ("9-training", wp("01.06.2016", "duldung", "vocational_training", nationality="AFG", duldung_since="01.01.2016"),
     "ABH", "9", False),
    ("9-wait", wp("01.03.2016", "duldung", nationality="AFG", duldung_since="01.01.2016"), "BAN", "9", False),
    ("9-gestattung-time-counts", wp("01.03.2016", "duldung", nationality="AFG", asylum_request_date="01.09.2015",
                                    duldung_since="01.02.2016"), "ABH_BA", "9", False),
    # 10 — §60a(6) grounds
    ("10-own-fault", wp("01.06.2017", "duldung", nationality="AFG", duldung_since="01.01.2016",
                        duldung_grounds=["own_fault"]), "BAN", "10", False),
    ("10-asylblg-purpose", wp("01.06.2017", "duldung", "vocational_training", nationality="AFG",
                              duldung_since="01.01.2016", duldung_grounds=["asylblg_purpose"]), "BAN", "10", False),
    ("10-own-fault-2014-unverified", wp("01.06.2014", "duldung", nationality="AFG", duldung_since="01.01.2012",
                                        duldung_grounds=["own_fault"]), "BAN", "10", True),
    ("10-safe-country-derived", wp("01.06.2017", "duldung", nationality="SRB", asylum_request_date="01.02.2016",
                                   duldung_since="01.01.2017"), "BAN", "10", False),
    ("10-safe-country-no-application", wp("01.06.2017", "duldung", nationality="MKD", duldung_since="01.01.2016"),
     "BAN", "10", False),
    ("10-safe-country-applied-before-cutoff", wp("01.06.2017", "duldung", nationality="SRB",
                                                 asylum_request_date="01.02.2015", duldung_since="01.01.2016"),
     "ABH_BA", "9", False),
    ("10-georgia-duldung-cutoff", wp("01.06.2024", "duldung", nationality="GEO", asylum_request_date="01.10.2023",
                                     duldung_since="01.04.2024"), "BAN", "10", True),
    # 11 — §60b
    ("11-duldung-light", wp("01.06.2020", "duldung_60b", "vocational_training", nationality="GIN"), "BAN", "11",
     False),
    # 12 — Duldung while obliged to live in the EA
    ("12-before-six-months", wp("01.06.2020", "duldung", nationality="AFG", lives_in_reception_centre=True,
                                duldung_since="01.03.2020"), "BAN", "12", False),
    ("12-after-six-months", wp("01.06.2020", "duldung", nationality="AFG", lives_in_reception_centre=True,
                               duldung_since="01.10.2019"), "ABH_BA", "12", False),
    ("12-training-open-in-law-facts", wp("01.06.2020", "duldung", "vocational_training", nationality="AFG",
                                         lives_in_reception_centre=True, duldung_since="01.10.2019"), "ABH", "12",
     True),
    ("12-before-2019", wp("01.06.2018", "duldung", nationality="AFG", lives_in_reception_centre=True,
                          duldung_since="01.10.2017"), "BAN", "12", False),
    ("12-soll-2024-unverified", wp("01.06.2024", "duldung", nationality="AFG", lives_in_reception_centre=True,
                                   duldung_since="01.10.2023"), "ABH_BA", "12", True),
    # 13 — Ausbildungsduldung: training begun as an asylum seeker continues despite <3 months of Duldung
    ("13-60c", wp("01.03.2020", "duldung", "vocational_training", nationality="AFG", entry_date="01.09.2015",
                  asylum_request_date="03.09.2015", duldung_since="01.02.2020", prior_stay_since="01.02.2020",
                  training_begun_as_asylum_seeker=True, identity_clarified=True), "ABH", "13", False),
    ("13-60a-2016", wp("01.10.2016", "duldung", "vocational_training", nationality="AFG",
                       duldung_since="01.09.2016", prior_stay_since="01.09.2016",
                       training_begun_as_asylum_seeker=True), "ABH", "13", False),
    ("13-identity-not-clarified", wp("01.03.2020", "duldung", "vocational_training", nationality="AFG",
                                     entry_date="01.09.2015", duldung_since="01.02.2020",
                                     training_begun_as_asylum_seeker=True, identity_clarified=False), "BAN", "9", False),
    ("13-identity-too-late", wp("01.03.2021", "duldung", "vocational_training", nationality="AFG",
                                entry_date="01.02.2020", duldung_since="01.02.2021",
                                training_begun_as_asylum_seeker=True, identity_clarified=True,
                                identity_clarified_on="01.12.2020"), "BAN", "9", False),
    ("13-before-integrationsgesetz", wp("01.07.2016", "duldung", "vocational_training", nationality="AFG",
                                        duldung_since="01.06.2016", training_begun_as_asylum_seeker=True), "BAN", "9",
     False),
    # 14 — self-employment with Gestattung or Duldung (inference, unverified)
    ("14-gestattung", wp("01.06.2020", "gestattung", "self_employment", asylum_request_date="01.01.2016"), "BAN",
     "14", True),
    ("14-duldung", wp("01.06.2020", "duldung", "self_employment", nationality="AFG", duldung_since="01.01.2016"),
     "BAN", "14", True),
]


@pytest.mark.parametrize(("question", "outcome", "row", "unverified"), [r[1:] for r in ROWS],
                         ids=[r[0] for r in ROWS])
def test_decision_table_rows(question, outcome, row, unverified):
    result = work_permission(question)
    assert (result.outcome, result.details["rule"], result.unverified) == (outcome, row, unverified), \
        result.explanation
    assert result.basis and result.sources and result.explanation
    assert result.reference_date == question.reference_date and result.rule_version
    if unverified:
        assert result.notes, "an unverified answer must say what is unverified"


def test_issue_example_answer():
    result = work_permission(wp("01.03.2016", entry_date="01.09.2015", asylum_request_date="03.09.2015"))
    answer = result.to_dict()
    assert (answer["outcome"], answer["basis"], answer["unverified"]) == ("ABH_BA", ["§61 Abs. 2 AsylG", "§32 BeschV"],
                                                                          False)
    assert "Vorrang" in result.explanation and "03.12.2016" in result.explanation


def test_before_24_10_2015_the_law_is_called_asylvfg():
    assert work_permission(wp("01.03.2015", asylum_request_date="03.09.2014")).basis[0] == "§61 Abs. 2 AsylVfG"


def test_wait_end_is_reported():
    result = work_permission(wp("01.03.2016", asylum_request_date="10.01.2016"))
    assert result.details["wait_ends"] == "2016-04-11"
    assert "10.04.2016" in result.explanation and "11.04.2016" in result.explanation


def test_vorrangpruefung_periods_in_explanation():
    first = work_permission(wp("01.06.2013", asylum_request_date="01.01.2012"))
    districts = work_permission(wp("01.06.2017", asylum_request_date="01.06.2016"))
    none = work_permission(wp("01.06.2020", asylum_request_date="01.06.2019"))
    assert "Vorrangprüfung" in first.explanation
    assert "23 von 156" in districts.explanation
    assert "findet nicht statt" in none.explanation


def test_duldung_return_imminent_turns_soll_into_discretion():
    base = {"nationality": "AFG", "duldung_since": "01.01.2024"}
    soll = work_permission(wp("01.06.2024", "duldung", **base))
    kann = work_permission(wp("01.06.2024", "duldung", duldung_grounds=["return_imminent"], **base))
    assert "„soll“" in soll.explanation and "§60a Abs. 5b" in kann.explanation
    assert soll.outcome == kann.outcome == "ABH_BA"


def test_doubtful_safe_status_is_flagged():
    assert work_permission(wp("01.06.2020", nationality="GMB", asylum_request_date="01.01.2016")).unverified
    assert work_permission(wp("01.06.2025", nationality="MAR", asylum_request_date="01.01.2025")).unverified
    assert not work_permission(wp("01.06.2024", nationality="MAR", asylum_request_date="01.01.2024")).unverified


def test_missing_decisive_input_is_named_not_guessed():
    with pytest.raises(RuleInputError) as err:
        work_permission(wp("01.03.2020", "duldung", "vocational_training", nationality="AFG", entry_date="01.09.2015",
                           duldung_since="01.02.2020", training_begun_as_asylum_seeker=True))
    assert "identity_clarified" in err.value.field_errors
    with pytest.raises(RuleInputError) as err:
        work_permission(wp("01.06.2020", "duldung", nationality="AFG"))
    assert "duldung_since" in err.value.field_errors
    with pytest.raises(RuleInputError) as err:
        work_permission(wp("01.06.2020", "duldung", nationality="AFG", lives_in_reception_centre=True))
    assert "duldung_since" in err.value.field_errors


# --- the day before and the day a rule changed ------------------------------------------------------------

BOUNDARIES = [
    # wait 9 → 3 months (Gestattung) and 12 → 3 months (Duldung) on 06.11.2014
    ("gestattung-wait-2014", {"asylum_request_date": "01.06.2014"}, "gestattung", "05.11.2014", "06.11.2014",
     "BAN", "ABH_BA"),
    ("duldung-wait-2014", {"nationality": "AFG", "duldung_since": "01.03.2014"}, "duldung", "05.11.2014",
     "06.11.2014", "BAN", "ABH_BA"),
    # safe-country ban and Albania's listing on 24.10.2015
    ("albania-2015", {"nationality": "ALB", "asylum_request_date": "05.09.2015", "prior_stay_since": "01.06.2015"},
     "gestattung", "23.10.2015",
     "24.10.2015", "ABH_BA", "BAN"),
    # EA: whole stay → 9 months on 21.08.2019
    ("ea-2019", {"lives_in_reception_centre": True, "asylum_request_date": "01.10.2018"}, "gestattung", "20.08.2019",
     "21.08.2019", "BAN", "ABH_BA"),
    # EA: 9 → 6 months on 27.02.2024
    ("ea-2024", {"lives_in_reception_centre": True, "asylum_request_date": "01.08.2023"}, "gestattung", "26.02.2024",
     "27.02.2024", "BAN", "ABH_BA"),
    # §25(3): ABH → free on 01.03.2020
    ("ae25-3-2020", {}, "ae_25_3", "29.02.2020", "01.03.2020", "ABH", "FREE"),
    # Georgia listed on 23.12.2023
    ("georgia-2023", {"nationality": "GEO", "asylum_request_date": "03.09.2023"}, "gestattung", "22.12.2023",
     "23.12.2023", "ABH_BA", "BAN"),
]


@pytest.mark.parametrize(("extra", "status", "before", "on", "outcome_before", "outcome_on"),
                         [b[1:] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES])
def test_boundary_dates(extra, status, before, on, outcome_before, outcome_on):
    assert work_permission(wp(before, status, **extra)).outcome == outcome_before
    assert work_permission(wp(on, status, **extra)).outcome == outcome_on


def test_ausbildungsduldung_provision_changes_on_01_01_2020():
    def ask(ref):
        return work_permission(wp(ref, "duldung", "vocational_training", nationality="AFG", entry_date="01.09.2015",
                                  duldung_since=ref[:3] + "12.2019" if ref.endswith("2019") else "20.12.2019",
                                  prior_stay_since="20.12.2019", training_begun_as_asylum_seeker=True,
                                  identity_clarified=True))
    assert "§60a Abs. 2 S. 4 AufenthG" in ask("31.12.2019").basis
    assert "§60c AufenthG" in ask("01.01.2020").basis


def test_duldung_60b_exists_from_21_08_2019():
    with pytest.raises(RuleInputError):
        work_permission(wp("20.08.2019", "duldung_60b", nationality="GIN"))
    assert work_permission(wp("21.08.2019", "duldung_60b", nationality="GIN")).outcome == "BAN"


def test_vorrang_and_four_year_rule_flag_november_2014():
    def ask(ref):
        return work_permission(wp(ref, "duldung", nationality="AFG", duldung_since="01.01.2013"))
    assert (ask("31.10.2014").outcome, ask("31.10.2014").unverified) == ("ABH_BA", False)
    assert ask("10.11.2014").unverified is True
    assert (ask("01.12.2014").outcome, ask("01.12.2014").unverified) == ("ABH_BA", False)
