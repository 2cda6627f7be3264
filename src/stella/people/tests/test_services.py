"""Registering, editing and searching persons through the services."""

from datetime import date, timedelta

import pytest

from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.people.models import DatePrecision, Identifier, Person
from stella.people.services import (
    AddressIn,
    DocumentIn,
    IdentifierIn,
    LanguageIn,
    NameIn,
    PersonIn,
    add_address,
    add_identifier,
    add_language,
    add_name,
    register_person,
    search_persons,
    similar_persons,
    update_person,
)
from stella.tests.factories import register


@pytest.fixture
def clerk(make_user):
    return make_user("LRA", "registration")


def test_register_creates_file_with_lead_participation_and_audit(clerk):
    person = register(clerk, nationalities=["SYR"], languages=[LanguageIn("ar", "MT")],
                      identifiers=[IdentifierIn("bamf", "7654321-475")])
    part = person.case_file.participations.get()
    assert (part.agency, part.role) == (clerk.agency, "lead")
    assert person.identifiers.get().value == "7654321-475"
    assert AuditEvent.objects.filter(person_id=person.pk, action="create").exists()


def test_arabic_original_name_is_stored_with_script(clerk):
    data = PersonIn(names=[NameIn("Al-Hassan", "Mohammed"), NameIn("الحسن", "محمد", kind="original")])
    person = register_person(actor=Actor.for_user(clerk), data=data)
    original = person.names.get(kind="original")
    assert (original.family_name, original.script, original.is_rtl) == ("الحسن", "arab", True)


def test_first_of_january_is_a_year_placeholder_unless_stated_exact(clerk):
    assert register(clerk, birth=date(1990, 1, 1)).birth_date_precision == DatePrecision.YEAR
    exact = register(clerk, family="Haddad", birth=date(1990, 1, 1), birth_date_precision="exact")
    assert exact.birth_date_precision == DatePrecision.EXACT
    assert register(clerk, family="Noori", birth=date(1990, 3, 4)).birth_date_precision == DatePrecision.EXACT


@pytest.mark.parametrize("extra,field", [
    ({"birth": date.today() + timedelta(days=1)}, "birth_date"),
    ({"birth": date(1850, 1, 1)}, "birth_date"),
    ({"sex": "x"}, "sex"),
    ({"nationalities": ["ZZZ"]}, "nationalities.0"),
    ({"identifiers": [IdentifierIn("azr", "12")]}, "identifiers.0.value"),
    ({"languages": [LanguageIn("ar", "B3")]}, "languages.0.level"),
    ({"address": AddressIn(municipality="Tübingen", valid_from=date(2020, 1, 1), postcode="7207")}, "address.postcode"),
    ({"documents": [DocumentIn("duldung", "D1", issued_on=date(2020, 5, 1), valid_until=date(2020, 4, 1))]},
     "documents.0.valid_until"),
])
def test_bad_input_names_the_field_and_writes_nothing(clerk, extra, field):
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        register(clerk, **extra)
    assert field in exc.value.field_errors
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_missing_family_name_and_every_error_reported_at_once(clerk):
    with pytest.raises(InvalidInput) as exc:
        register_person(actor=Actor.for_user(clerk), data=PersonIn(names=[NameIn("")], sex="q"))
    assert {"names.0.family_name", "sex"} <= set(exc.value.field_errors)


def test_identifier_is_unique_across_persons(clerk):
    register(clerk, identifiers=[IdentifierIn("azr", "123456789012")])
    with pytest.raises(InvalidInput, match="bereits einer anderen Person"):
        register(clerk, family="Other", identifiers=[IdentifierIn("azr", "1234 5678 9012")])
    assert Identifier.objects.count() == 1


@pytest.mark.parametrize("role_kind", [("ANALYST", "JC"), ("ADMIN", "JC"), ("DPO", "LRA"), ("CASEWORKER", "KT")])
def test_who_may_not_register(make_user, role_kind):
    role, kind = role_kind
    user = make_user(kind, role.lower())
    with pytest.raises(AccessDenied):
        register(user)
    assert not Person.objects.exists()
    assert AuditEvent.objects.get().outcome == "denied"


@pytest.mark.parametrize("query", ["Muhammad Alhasan", "mohamad hasan", "Hassan Mohammed", "محمد الحسن"])
def test_search_tolerates_spelling_order_and_script(clerk, query):
    person = register(clerk)
    register(clerk, family="Haddad", given="Omar")
    assert list(search_persons(Actor.for_user(clerk), name=query)) == [person]


def test_search_by_birth_date_and_identifier(clerk):
    person = register(clerk, identifiers=[IdentifierIn("ba_kundennummer", "955D123456")])
    actor = Actor.for_user(clerk)
    assert list(search_persons(actor, birth_date=date(1990, 5, 17))) == [person]
    assert list(search_persons(actor, identifier="955d 123456")) == [person]
    assert not search_persons(actor, name="Haddad").exists()


def test_search_needs_a_criterion_and_is_audited(clerk):
    actor = Actor.for_user(clerk)
    with pytest.raises(InvalidInput):
        search_persons(actor)
    with pytest.raises(InvalidInput):
        search_persons(actor, name="--")
    search_persons(actor, name="Hassan")
    assert AuditEvent.objects.filter(action="search", username=clerk.username).count() == 1


def test_kurstraeger_finds_only_persons_of_its_files(clerk, make_user):
    register(clerk)
    kt = make_user("KT", "caseworker")
    assert not search_persons(Actor.for_user(kt), name="Hassan").exists()


def test_similar_persons_for_the_registration_warning(clerk):
    person = register(clerk)
    found = similar_persons(Actor.for_user(clerk), [NameIn("Alhassan", "Muhamad")], date(1990, 1, 1))
    assert found == [person]
    assert similar_persons(Actor.for_user(clerk), [NameIn("Alhassan", "Muhamad")], date(1970, 1, 1)) == []


def test_update_with_current_version_and_conflict_on_stale(clerk, make_user):
    person = register(clerk)
    other = make_user("LRA", "caseworker")
    updated = update_person(actor=Actor.for_user(other), person_id=person.pk, version=1,
                            changes={"birth_place": "Aleppo"})
    assert (updated.version, updated.birth_place) == (2, "Aleppo")
    with pytest.raises(Conflict) as exc:
        update_person(actor=Actor.for_user(clerk), person_id=person.pk, version=1, changes={"birth_place": "Homs"})
    assert exc.value.current_version == 2
    assert exc.value.changes[0]["fields"] == ["birth_place"]
    assert exc.value.changes[0]["by"] == other.username
    person.refresh_from_db()
    assert person.birth_place == "Aleppo"


def test_update_rejects_unknown_fields_and_bad_dates(clerk):
    person = register(clerk)
    with pytest.raises(InvalidInput) as exc:
        update_person(actor=Actor.for_user(clerk), person_id=person.pk, version=1,
                      changes={"version": 7, "birth_date": date(2999, 1, 1)})
    assert {"version", "birth_date"} <= set(exc.value.field_errors)
    person.refresh_from_db()
    assert person.version == 1


def test_add_records_bump_version_and_are_audited(clerk, make_user):
    person = register(clerk)
    actor = Actor.for_user(clerk)
    add_name(actor=actor, person_id=person.pk, name=NameIn("Alhasan", "Muhamad", kind="alias"))
    add_identifier(actor=actor, person_id=person.pk, identifier=IdentifierIn("azr", "123456789012"))
    add_address(actor=actor, person_id=person.pk, address=AddressIn("Ludwigsburg", date(2016, 1, 1), accommodation="vu"))
    new = add_address(actor=actor, person_id=person.pk, address=AddressIn("Kornwestheim", date(2017, 6, 1)))
    person.refresh_from_db()
    assert person.version == 5
    assert person.addresses.get(municipality="Ludwigsburg").valid_until == date(2017, 5, 31)
    assert new.valid_until is None
    with pytest.raises(InvalidInput):
        add_address(actor=actor, person_id=person.pk, address=AddressIn("Marbach", date(2017, 1, 1)))
    # registration clerks do not record competences
    with pytest.raises(AccessDenied):
        add_language(actor=actor, person_id=person.pk, language=LanguageIn("de", "A2"))


def test_unknown_person_is_not_found(clerk):
    with pytest.raises(NotFound):
        add_name(actor=Actor.for_user(clerk), person_id=999999, name=NameIn("X"))


def test_household_with_relationships_and_history(clerk):
    from stella.people.services import (
        MemberIn,
        add_household_member,
        create_household,
        end_household_membership,
    )

    actor = Actor.for_user(clerk)
    mother, child = register(clerk, family="Haddad", given="Amal"), register(clerk, family="Haddad", given="Sami")
    household = create_household(actor=actor, label="Familie Haddad", bg_number="12345BG0012345",
                                 members=[MemberIn(mother.pk, "head"), MemberIn(child.pk, "child")])
    father = register(clerk, family="Haddad", given="Karim")
    add_household_member(actor=actor, household_id=household.pk, member=MemberIn(father.pk, "partner"))
    assert household.members.count() == 3
    end_household_membership(actor=actor, household_id=household.pk, person_id=child.pk, until=date.today())
    assert household.members.get(person=child).until == date.today()
    with pytest.raises(InvalidInput):
        add_household_member(actor=actor, household_id=household.pk, member=MemberIn(father.pk, "partner"))


@pytest.mark.parametrize("kwargs,field", [
    ({"bg_number": "BG-1"}, "bg_number"), ({"members": []}, "members"),
])
def test_bad_households_are_refused(clerk, kwargs, field):
    from stella.people.models import Household
    from stella.people.services import MemberIn, create_household

    person = register(clerk)
    args = {"members": [MemberIn(person.pk, "head")], **kwargs}
    with pytest.raises(InvalidInput) as exc:
        create_household(actor=Actor.for_user(clerk), **args)
    assert field in exc.value.field_errors
    assert not Household.objects.exists()


def test_household_needs_write_access_to_every_member(clerk, make_user):
    from stella.people.services import MemberIn, create_household

    person = register(clerk)
    jc = make_user("JC", "caseworker")
    with pytest.raises(AccessDenied):
        create_household(actor=Actor.for_user(jc), members=[MemberIn(person.pk, "head")])


def test_search_counts_are_capped(clerk):
    from stella.people.services import capped_count

    for given in ("Amal", "Sami", "Karim"):
        register(clerk, given=given)
    hits = search_persons(Actor.for_user(clerk), name="Hassan")
    assert capped_count(hits, cap=5) == (3, True)
    assert capped_count(hits, cap=2) == (2, False)
