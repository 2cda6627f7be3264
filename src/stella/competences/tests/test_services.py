"""Competence profile services and read model: happy paths, bad input leaving nothing written, permission
refusals as `authz.policy.decide` says, audit events, history kept after ending, the German level rule."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.audit.models import AuditEvent
from stella.authz.policy import Action, Category, decide
from stella.cases.access import file_context
from stella.cases.models import CaseFile, Consent, Participation
from stella.competences import profile as read
from stella.competences import services as svc
from stella.competences.models import (
    Circumstances,
    LanguageAssessment,
    Qualification,
    SchoolEducation,
    Skill,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.people.models import LanguageSkill
from stella.people.validators import CEFR_LEVELS
from stella.tests.factories import register

TODAY = date.today()
MODELS = (SchoolEducation, Qualification, WorkExperience, Skill, LanguageAssessment, Circumstances)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def me(jc):
    return Actor.for_user(jc)


@pytest.fixture
def person(jc):
    return register(jc)


def rows_written() -> int:
    return sum(m.objects.count() for m in MODELS)


def events(person, object_type: str, outcome: str = "allowed"):
    return AuditEvent.objects.filter(person_id=person.pk, object_type=object_type, outcome=outcome)


def assert_invalid(fn, field: str, fragment: str = "") -> InvalidInput:
    """The call fails naming `field` (German message) and writes no profile row."""
    before = rows_written()
    with pytest.raises(InvalidInput) as info:
        fn()
    assert field in info.value.field_errors, info.value.field_errors
    if fragment:
        assert fragment in " ".join(info.value.field_errors[field])
    assert rows_written() == before
    return info.value


# ---------------------------------------------------------------------------------------------------------------
# School education


def test_school_education_is_recorded_and_audited(me, person):
    row = svc.add_school_education(actor=me, person_id=person.pk, years=12, certificate="university_entrance",
                                   country="syr")
    assert (row.years, row.certificate, row.country, row.recorded_by_id) == (12, "university_entrance", "SYR",
                                                                             me.agency_id)
    event = events(person, "school_education").get()
    assert event.action == "create" and event.categories == ["competences"] and event.object_id == str(row.pk)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"years": -1}, "years"),
    ({"years": 40}, "years"),
    ({"years": 9, "country": "XYZ"}, "country"),
    ({"years": 9, "certificate": "abitur"}, "certificate"),
])
def test_school_education_bad_input(me, person, kwargs, field):
    assert_invalid(lambda: svc.add_school_education(actor=me, person_id=person.pk, **kwargs), field)


def test_unknown_country_message_is_german(me, person):
    exc = assert_invalid(lambda: svc.add_school_education(actor=me, person_id=person.pk, years=6, country="ABC"),
                         "country", "Unbekannter Ländercode")
    assert exc.status == 422


# ---------------------------------------------------------------------------------------------------------------
# Qualifications and recognition


def test_qualification_with_recognition_and_code(me, person, kldb):
    row = svc.add_qualification(actor=me, person_id=person.pk, kind="vocational", title="ممرض", country="SYR",
                                year=2012, occupation_code="81302", recognition="full",
                                recognition_body="Regierungspräsidium Stuttgart",
                                recognition_date=date(2020, 3, 1))
    assert row.occupation.code == "81302" and row.occupation.version == kldb
    assert row.title == "ممرض"


def test_recognition_progress_keeps_history(me, person):
    first = svc.add_qualification(actor=me, person_id=person.pk, kind="academic", title="Bachelor Informatik",
                                  year=2015)
    applied = svc.update_recognition(actor=me, person_id=person.pk, row_id=first.pk, recognition="applied",
                                     recognition_body="ZAB", recognition_date=TODAY - timedelta(days=30))
    full = svc.update_recognition(actor=me, person_id=person.pk, row_id=applied.pk, recognition="full",
                                  recognition_body="ZAB", recognition_date=TODAY)
    first.refresh_from_db()
    applied.refresh_from_db()
    assert first.ended_at and applied.ended_at and full.ended_at is None
    assert (full.replaces_id, applied.replaces_id) == (applied.pk, first.pk)
    assert full.title == "Bachelor Informatik" and full.year == 2015
    current = read.profile(actor=me, person_id=person.pk).qualifications
    assert [q.pk for q in current] == [full.pk]
    history = read.profile(actor=me, person_id=person.pk, history=True).qualifications
    assert [q.recognition for q in history] == ["not_started", "applied", "full"]


@pytest.mark.parametrize(("kwargs", "field", "fragment"), [
    ({"recognition_date": TODAY + timedelta(days=1), "recognition": "full", "recognition_body": "IHK FOSA"},
     "recognition_date", "Zukunft"),
    ({"recognition": "full", "recognition_body": "IHK FOSA"}, "recognition_date", "Datum der Entscheidung"),
    ({"recognition": "applied"}, "recognition_body", "Stelle"),
    ({"recognition_body": "IHK"}, "recognition_body", "Ohne Antrag"),
    ({"recognition": "granted"}, "recognition", "Unbekannter Wert"),
    ({"year": 2200}, "year", "zwischen"),
    ({"title": "  "}, "title", "fehlt"),
    ({"kind": "school"}, "kind", ""),
    ({"country": "Syrien"}, "country", ""),
])
def test_qualification_bad_input(me, person, kwargs, field, fragment):
    data = {"kind": "vocational", "title": "Koch", **kwargs}
    assert_invalid(lambda: svc.add_qualification(actor=me, person_id=person.pk, **data), field, fragment)


def test_occupation_codes_must_be_berufsgattungen_of_the_loaded_version(me, person, kldb):
    for code, fragment in (("99999", "gibt es in der geladenen Fassung"), ("2930", "keine Berufsgattung"),
                           ("abc", "gibt es in der geladenen Fassung")):
        assert_invalid(lambda c=code: svc.add_qualification(actor=me, person_id=person.pk, kind="vocational",
                                                            title="Koch", occupation_code=c),
                       "occupation_code", fragment)
        assert_invalid(lambda c=code: svc.add_work_experience(actor=me, person_id=person.pk, title="Koch", years=1,
                                                              occupation_code=c),
                       "occupation_code", fragment)


def test_occupation_code_without_a_loaded_version(me, person):
    assert_invalid(lambda: svc.add_work_experience(actor=me, person_id=person.pk, title="Koch", years=1,
                                                   occupation_code="29302"), "occupation_code", "stella kldb load")


def test_update_recognition_bad_input_changes_nothing(me, person):
    row = svc.add_qualification(actor=me, person_id=person.pk, kind="vocational", title="Koch")
    assert_invalid(lambda: svc.update_recognition(actor=me, person_id=person.pk, row_id=row.pk,
                                                  recognition="full", recognition_body="IHK",
                                                  recognition_date=TODAY + timedelta(days=3)), "recognition_date")
    row.refresh_from_db()
    assert row.ended_at is None


# ---------------------------------------------------------------------------------------------------------------
# Work experience and the confirmed occupation


def test_experience_title_as_given_then_confirmed(me, person, kldb):
    row = svc.add_work_experience(actor=me, person_id=person.pk, title="طباخ", language="ar", years="4.5",
                                  country="SYR")
    assert (row.title_as_given, row.title_language, row.years, row.occupation) == ("طباخ", "ar", Decimal("4.5"),
                                                                                    None)
    assert [e.pk for e in read.profile(actor=me, person_id=person.pk).unconfirmed] == [row.pk]
    confirmed = svc.confirm_occupation(actor=me, person_id=person.pk, row_id=row.pk, code="29302")
    row.refresh_from_db()
    assert row.ended_at is not None and row.occupation is None  # the old row is history, unchanged
    assert confirmed.replaces_id == row.pk and confirmed.occupation.code == "29302"
    assert (confirmed.title_as_given, confirmed.years, confirmed.country) == ("طباخ", Decimal("4.5"), "SYR")
    event = events(person, "work_experience").filter(detail__occupation="29302").get()
    assert event.detail["replaces"] == row.pk
    profile = read.profile(actor=me, person_id=person.pk)
    assert [e.pk for e in profile.experience] == [confirmed.pk] and profile.unconfirmed == []


def test_confirm_with_code_not_in_version_changes_nothing(me, person, kldb):
    row = svc.add_work_experience(actor=me, person_id=person.pk, title="Cook", language="en", years=2)
    assert_invalid(lambda: svc.confirm_occupation(actor=me, person_id=person.pk, row_id=row.pk, code="12345"),
                   "code", "nicht")
    assert_invalid(lambda: svc.confirm_occupation(actor=me, person_id=person.pk, row_id=row.pk, code=""), "code")
    row.refresh_from_db()
    assert row.ended_at is None


def test_confirm_an_ended_row_is_refused(me, person, kldb):
    row = svc.add_work_experience(actor=me, person_id=person.pk, title="Cook", years=2)
    svc.end_row(actor=me, person_id=person.pk, kind="experience", row_id=row.pk)
    assert_invalid(lambda: svc.confirm_occupation(actor=me, person_id=person.pk, row_id=row.pk, code="29302"),
                   "row", "bereits beendet")


def test_confirm_row_of_another_person_is_not_found(me, person, jc, kldb):
    other = register(jc, family="Haddad", given="Rania")
    row = svc.add_work_experience(actor=me, person_id=other.pk, title="Cook", years=2)
    with pytest.raises(NotFound):
        svc.confirm_occupation(actor=me, person_id=person.pk, row_id=row.pk, code="29302")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"years": -1}, "years"),
    ({"years": 61}, "years"),
    ({"years": "viel"}, "years"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"language": "xx"}, "language"),
    ({"country": "QQQ"}, "country"),
])
def test_experience_bad_input(me, person, kwargs, field):
    data = {"title": "Schweißer", "years": 3, **kwargs}
    assert_invalid(lambda: svc.add_work_experience(actor=me, person_id=person.pk, **data), field)


# ---------------------------------------------------------------------------------------------------------------
# Skills and driving licences


def test_skills_and_driving_licences(me, person):
    svc.add_skill(actor=me, person_id=person.pk, kind="skill", value="Gabelstapler fahren")
    licence = svc.add_skill(actor=me, person_id=person.pk, kind="driving_licence", value=" ce ")
    assert licence.value == "CE"
    profile = read.profile(actor=me, person_id=person.pk)
    assert [s.value for s in profile.driving_licences] == ["CE"]
    assert [s.value for s in profile.free_skills] == ["Gabelstapler fahren"]


@pytest.mark.parametrize(("kind", "value", "fragment"), [
    ("driving_licence", "Z", "Unbekannte Führerscheinklasse"),
    ("driving_licence", "", "Unbekannte Führerscheinklasse"),
    ("skill", " ", "fehlt"),
    ("hobby", "Fußball", "Unbekannter Wert"),
])
def test_skill_bad_input(me, person, kind, value, fragment):
    field = "kind" if kind == "hobby" else "value"
    assert_invalid(lambda: svc.add_skill(actor=me, person_id=person.pk, kind=kind, value=value), field, fragment)


def test_same_driving_licence_twice_is_refused(me, person):
    svc.add_skill(actor=me, person_id=person.pk, kind="driving_licence", value="B")
    assert_invalid(lambda: svc.add_skill(actor=me, person_id=person.pk, kind="driving_licence", value="b"),
                   "value", "bereits erfasst")


# ---------------------------------------------------------------------------------------------------------------
# Language assessments


def test_language_assessment(me, person):
    row = svc.add_language_assessment(actor=me, person_id=person.pk, language="de", source="certificate",
                                      source_detail="telc Deutsch B1", assessed_on=TODAY, speaking="b1",
                                      understanding="B1", reading="B2", writing="A2")
    assert (row.speaking, row.reading, row.writing) == ("B1", "B2", "A2")
    assert read.assessment_level(row) == "A2"
    assert events(person, "language_assessment").get().detail == {"language": "de", "source": "certificate"}


def test_nonexistent_cefr_level_names_the_skill(me, person):
    exc = assert_invalid(lambda: svc.add_language_assessment(
        actor=me, person_id=person.pk, language="de", source="self", assessed_on=TODAY, speaking="B3",
        writing="A1"), "speaking", "Unbekanntes Sprachniveau „B3“")
    assert "writing" not in exc.field_errors


@pytest.mark.parametrize(("kwargs", "field", "fragment"), [
    ({"speaking": ""}, "levels", "mindestens"),
    ({"assessed_on": TODAY + timedelta(days=1)}, "assessed_on", "Zukunft"),
    ({"assessed_on": None}, "assessed_on", "wann"),
    ({"assessed_on": date(1980, 1, 1)}, "assessed_on", "vor"),
    ({"language": "deutsch"}, "language", "Sprachcode"),
    ({"source": "teacher"}, "source", "Unbekannter Wert"),
    ({"source": "certificate", "speaking": "MT"}, "speaking", "Muttersprache"),
])
def test_language_assessment_bad_input(me, person, kwargs, field, fragment):
    data = {"language": "de", "source": "self", "assessed_on": TODAY, "speaking": "A2", **kwargs}
    assert_invalid(lambda: svc.add_language_assessment(actor=me, person_id=person.pk, **data), field, fragment)


@given(level=st.text(max_size=3))
def test_only_real_cefr_levels_are_accepted(me, person, level):
    call = lambda: svc.add_language_assessment(actor=me, person_id=person.pk, language="ar", source="self",  # noqa: E731
                                               assessed_on=TODAY, reading=level)
    if level.strip().upper() in CEFR_LEVELS:
        assert call().reading == level.strip().upper()
    elif not level.strip():
        assert_invalid(call, "levels")
    else:
        assert_invalid(call, "reading", "Unbekanntes Sprachniveau")


def test_course_result_for_all_or_some_skills(me, person):
    all_four = svc.record_course_result(actor=me, person_id=person.pk, level="B1", on=TODAY,
                                        source_detail="DTZ")
    assert [getattr(all_four, s) for s in read.SKILL_FIELDS] == ["B1"] * 4
    assert (all_four.source, all_four.language, all_four.source_detail) == ("course", "de", "DTZ")
    some = svc.record_course_result(actor=me, person_id=person.pk, level="A2", on=TODAY,
                                    skills=["speaking", "understanding"])
    assert (some.speaking, some.understanding, some.reading, some.writing) == ("A2", "A2", "", "")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"level": "B3"}, "level"),
    ({"level": "MT"}, "level"),
    ({"level": "B1", "on": TODAY + timedelta(days=2)}, "assessed_on"),
    ({"level": "B1", "skills": []}, "skills"),
    ({"level": "B1", "skills": ["singing"]}, "skills"),
])
def test_course_result_bad_input(me, person, kwargs, field):
    data = {"on": TODAY, **kwargs}
    assert_invalid(lambda: svc.record_course_result(actor=me, person_id=person.pk, **data), field)


# ---------------------------------------------------------------------------------------------------------------
# Circumstances


def test_newest_circumstances_count_and_older_ones_stay(me, person):
    first = svc.set_circumstances(actor=me, person_id=person.pk, needs_childcare=True, mobility="municipality")
    second = svc.set_circumstances(actor=me, person_id=person.pk, part_time_only=True)
    first.refresh_from_db()
    assert first.ended_at is not None and second.replaces_id == first.pk
    profile = read.profile(actor=me, person_id=person.pk)
    assert profile.current_circumstances == second and len(profile.circumstances) == 1
    assert len(read.profile(actor=me, person_id=person.pk, history=True).circumstances) == 2


def test_circumstances_bad_mobility(me, person):
    assert_invalid(lambda: svc.set_circumstances(actor=me, person_id=person.pk, mobility="worldwide"), "mobility")


# ---------------------------------------------------------------------------------------------------------------
# Ending rows


def test_end_keeps_history_and_is_audited(me, person):
    row = svc.add_skill(actor=me, person_id=person.pk, kind="skill", value="Schweißen")
    ended = svc.end_row(actor=me, person_id=person.pk, kind="skills", row_id=row.pk)
    assert ended.ended_at is not None and Skill.objects.filter(pk=row.pk).exists()
    assert read.profile(actor=me, person_id=person.pk).skills == []
    assert [s.pk for s in read.profile(actor=me, person_id=person.pk, history=True).skills] == [row.pk]
    assert events(person, "skill").filter(action="update", detail__ended=True).count() == 1
    assert_invalid(lambda: svc.end_row(actor=me, person_id=person.pk, kind="skills", row_id=row.pk), "row")


def test_end_unknown_kind_or_row(me, person):
    with pytest.raises(NotFound):
        svc.end_row(actor=me, person_id=person.pk, kind="hobbies", row_id=1)
    with pytest.raises(NotFound):
        svc.end_row(actor=me, person_id=person.pk, kind="skills", row_id=999999)


# ---------------------------------------------------------------------------------------------------------------
# Permissions (expectations derived from the policy)


def _all_writes(actor, person_id):
    return [
        lambda: svc.add_school_education(actor=actor, person_id=person_id, years=9),
        lambda: svc.add_qualification(actor=actor, person_id=person_id, kind="vocational", title="Koch"),
        lambda: svc.add_work_experience(actor=actor, person_id=person_id, title="Koch", years=1),
        lambda: svc.add_skill(actor=actor, person_id=person_id, kind="driving_licence", value="B"),
        lambda: svc.add_language_assessment(actor=actor, person_id=person_id, language="de", source="self",
                                            assessed_on=TODAY, speaking="A1"),
        lambda: svc.record_course_result(actor=actor, person_id=person_id, level="A2", on=TODAY),
        lambda: svc.set_circumstances(actor=actor, person_id=person_id),
    ]


@pytest.mark.parametrize(("kind", "roles"), [("JC", ("registration",)), ("JC", ("team_lead",)),
                                             ("JC", ("benefits",)), ("AA", ("caseworker",))])
def test_writes_refused_where_the_policy_refuses(make_user, person, kind, roles):
    other = Actor.for_user(make_user(kind, *roles))
    decision = decide(other, Action.WRITE, Category.COMPETENCES, file_context(other, person.pk))
    assert not decision
    for write in _all_writes(other, person.pk):
        with pytest.raises(AccessDenied) as info:
            write()
        assert info.value.reason == decision.reason
    assert rows_written() == 0
    assert AuditEvent.objects.filter(person_id=person.pk, outcome="denied", username=other.username).count() == 7


def test_registration_clerk_may_not_end_rows(make_user, me, person):
    row = svc.add_skill(actor=me, person_id=person.pk, kind="skill", value="Schweißen")
    clerk = Actor.for_user(make_user("JC", "registration"))
    with pytest.raises(AccessDenied, match="Kompetenzen"):
        svc.end_row(actor=clerk, person_id=person.pk, kind="skills", row_id=row.pk)
    row.refresh_from_db()
    assert row.ended_at is None


def test_course_provider_without_participation_cannot_find_the_person(make_user, person):
    kt = Actor.for_user(make_user("KT", "caseworker"))
    for write in _all_writes(kt, person.pk):
        with pytest.raises(NotFound):
            write()
    with pytest.raises(NotFound):
        read.profile(actor=kt, person_id=person.pk)
    assert rows_written() == 0
    assert AuditEvent.objects.filter(person_id=person.pk, outcome="denied", username=kt.username).exists()


def test_course_provider_with_consent_reads_but_does_not_write(make_user, me, person, district):
    consent = Consent.objects.create(case_file=CaseFile.objects.get(person=person), categories=["competences"],
                                     purpose="Integrationskurs", valid_from=TODAY)
    consent.agencies.set([district["KT"]])
    kt = Actor.for_user(make_user("KT", "caseworker"))
    assert read.profile(actor=kt, person_id=person.pk).person_id == person.pk
    with pytest.raises(AccessDenied, match="Einwilligung erlaubt nur das Lesen"):
        svc.record_course_result(actor=kt, person_id=person.pk, level="B1", on=TODAY)


def test_participating_course_provider_records_a_course_result(make_user, person, district):
    Participation.objects.create(case_file=CaseFile.objects.get(person=person), agency=district["KT"],
                                 role="contributing", since=TODAY, legal_basis="§8 IntV")
    kt = Actor.for_user(make_user("KT", "caseworker"))
    assert decide(kt, Action.WRITE, Category.COMPETENCES, file_context(kt, person.pk))
    row = svc.record_course_result(actor=kt, person_id=person.pk, level="B1", on=TODAY, source_detail="DTZ")
    assert row.recorded_by_id == kt.agency_id
    assert read.german_level(person.pk) == "B1"


def test_reading_the_profile_is_audited_and_refused_without_right(make_user, me, person):
    read.profile(actor=me, person_id=person.pk, history=True)
    event = events(person, "competence_profile").get()
    assert event.action == "read" and event.detail == {"history": True}
    analyst = Actor.for_user(make_user("JC", "analyst"))
    with pytest.raises(NotFound):  # no case role: the person cannot even be found
        read.profile(actor=analyst, person_id=person.pk)
    clerk = Actor.for_user(make_user("JC", "registration"))
    with pytest.raises(AccessDenied):
        read.profile(actor=clerk, person_id=person.pk)
    assert events(person, "person", "denied").filter(categories=["competences"]).exists()


# ---------------------------------------------------------------------------------------------------------------
# German level (the rule matching uses)


def _assess(me, person, source, on, **levels):
    return svc.add_language_assessment(actor=me, person_id=person.pk, language="de", source=source, assessed_on=on,
                                       **levels)


def test_german_level_rule(me, person):
    assert read.german_level(person.pk) == ""
    LanguageSkill.objects.create(person=person, language="de", level="A1")
    assert read.german_level(person.pk) == "A1"  # master data, while nothing was assessed
    _assess(me, person, "certificate", TODAY - timedelta(days=100), speaking="B2", writing="B1")
    assert read.german_level(person.pk) == "B1"  # the weakest assessed skill
    _assess(me, person, "self", TODAY - timedelta(days=10), speaking="C1")
    assert read.german_level(person.pk) == "B1"  # a newer self-assessment does not beat a certificate
    _assess(me, person, "certificate", TODAY - timedelta(days=10), speaking="A2")
    _assess(me, person, "course", TODAY - timedelta(days=10), speaking="B2")
    assert read.german_level(person.pk) == "A2"  # same day: certificate > course > self
    newest = _assess(me, person, "course", TODAY, reading="B2", writing="B1")
    assert read.german_level(person.pk) == "B1"
    svc.end_row(actor=me, person_id=person.pk, kind="languages", row_id=newest.pk)
    assert read.german_level(person.pk) == "A2"  # ended rows do not count
    assert read.profile(actor=me, person_id=person.pk).german_level == "A2"


def test_self_assessment_counts_only_while_nothing_is_proven(me, person):
    _assess(me, person, "self", TODAY - timedelta(days=300), speaking="A2")
    assert read.german_level(person.pk) == "A2"
    _assess(me, person, "self", TODAY - timedelta(days=30), speaking="B1")
    assert read.german_level(person.pk) == "B1"  # the newer self-assessment
    _assess(me, person, "course", TODAY - timedelta(days=200), speaking="A2")
    assert read.german_level(person.pk) == "A2"  # proven beats self, even older


def test_german_level_ignores_other_languages_and_works_in_bulk(me, person, jc):
    other = register(jc, family="Haddad", given="Rania")
    svc.add_language_assessment(actor=me, person_id=person.pk, language="ar", source="self", assessed_on=TODAY,
                                speaking="MT")
    svc.record_course_result(actor=me, person_id=other.pk, level="B1", on=TODAY, language="deu")
    assert read.german_levels([person.pk, other.pk]) == {other.pk: "B1"}
