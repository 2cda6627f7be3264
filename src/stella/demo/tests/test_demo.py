"""`stella demo`: pilot agencies and demo users, synthetic persons that pass the validators and can be
found by any spelling, the audit chain after a bulk load, and the guard rails (debug only, --if-empty)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from stella.accounts.models import User
from stella.agencies.models import Agency, Region
from stella.audit.models import AuditEvent
from stella.audit.service import verify_chain
from stella.cases.models import Consent, Participation, TimelineEntry
from stella.core.actor import Actor
from stella.demo.catalog import ORIGIN_BY_ISO
from stella.demo.generator import CountingIds, Generator, keys_for_names
from stella.demo.loader import missing_columns
from stella.demo.setup import DEMO_PASSWORD, ROLES, agency_specs, demo_accounts, staff_ids
from stella.people import validators as v
from stella.people.models import (
    HouseholdMember,
    Identifier,
    LanguageSkill,
    NameKey,
    Nationality,
    Person,
    PersonName,
)
from stella.people.names import detect_script, name_keys
from stella.people.services import refresh_name_keys, search_persons
from stella.tests.factories import make_district, make_user, register

TODAY = date(2026, 3, 16)
KINDS = ("aa", "jc", "lra", "stadt", "abh", "kt", "mb")


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo(**options) -> str:
    out = StringIO()
    options.setdefault("force_demo", True)
    options.setdefault("no_progress", True)
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def generated(db):
    demo(persons=200, today=TODAY.isoformat(), chunk_size=80)
    # The bulk-loaded persons (registered by the Landratsamt), without the Jobcenter's double registrations
    # that `stella demo` adds through the services for the review queue (dated today, not TODAY).
    return Person.objects.filter(registered_by__kind="LRA").order_by("pk")


def jc_actor() -> Actor:
    return Actor.for_user(User.objects.select_related("agency").get(username="jc.caseworker"))


# -- agencies and users -------------------------------------------------------------------------------

def test_agencies_and_users_are_created_and_idempotent(db):
    demo(persons=0)
    codes = set(Agency.objects.values_list("code", flat=True))
    assert {"AA-LB", "AA-OG", "AA-RT", "JC-LB", "JC-OG", "JC-RT", "JC-TUE", "LRA-TUE", "ABH-OG", "STADT-TUE",
            "KT-RT", "MB-LB"} <= codes
    assert len(codes) == 3 + 4 * 6
    assert Agency.objects.get(code="STADT-TUE").name == "Universitätsstadt Tübingen"
    assert Agency.objects.get(code="AA-RT").agenturbezirk.name == "Reutlingen"
    assert Agency.objects.get(code="JC-TUE").agenturbezirk.code == "AB-RT"  # Reutlingen covers Tübingen
    assert Agency.objects.get(code="JC-OG").agenturbezirk.name == "Offenburg"
    assert set(Region.objects.values_list("code", flat=True)) == {"LK-LB", "LK-OG", "LK-RT", "LK-TUE", "AB-LB",
                                                                   "AB-OG", "AB-RT"}
    for kind in KINDS:
        for role in ROLES:
            user = User.objects.select_related("agency").get(username=f"{kind}.{role}")
            assert user.agency.code == f"{kind.upper()}-LB"
            assert user.role_codes() == [role]
    assert User.objects.get(username="jc.caseworker").check_password(DEMO_PASSWORD)
    users, agencies = User.objects.count(), Agency.objects.count()
    demo(persons=0)
    assert (User.objects.count(), Agency.objects.count()) == (users, agencies) == (len(demo_accounts()), 27)


def test_existing_agencies_are_kept(db):
    make_district("LB", "Ludwigsburg")  # test factory: agencies JC-LB … with other names
    demo(persons=0)
    assert Agency.objects.get(code="JC-LB").name == "Jobcenter (SGB II) Ludwigsburg"
    assert User.objects.get(username="jc.caseworker").agency.code == "JC-LB"


def test_refused_without_debug_mode(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="STELLA_DEBUG"):
        demo(persons=5, force_demo=False)
    assert not Agency.objects.exists() and not Person.objects.exists()


def test_runs_in_debug_mode_and_with_force(db, settings):
    settings.DEBUG = True
    demo(persons=3, force_demo=False, no_activity=True)
    settings.DEBUG = False
    demo(persons=2, no_activity=True)
    assert Person.objects.count() == 5


def test_if_empty_does_nothing_when_persons_exist(db):
    user = make_user(make_district(), "LRA", "registration")
    register(user)
    out = demo(persons=20, if_empty=True)
    assert "bereits Personen" in out
    assert Person.objects.count() == 1
    demo(persons=0)
    assert demo(persons=10, if_empty=True)
    assert Person.objects.count() == 1


def test_if_empty_fills_an_empty_database(db):
    demo(persons=12, if_empty=True, no_activity=True)
    assert Person.objects.count() == 12


def test_bad_arguments(db):
    with pytest.raises(CommandError, match="negativ"):
        demo(persons=-1)
    with pytest.raises(CommandError, match="Datum"):
        demo(persons=1, today="16.03.2026")


def test_loader_writes_every_required_column():
    assert missing_columns() == {}


# -- persons -------------------------------------------------------------------------------------------

def test_names_in_transliteration_and_original_script(generated):
    originals = PersonName.objects.filter(kind="original")
    scripts = Counter(originals.values_list("script", flat=True))
    assert {"arab", "cyrl"} <= set(scripts)
    for name in originals:
        assert detect_script(name.family_name + name.given_names) == name.script
    for person in generated.prefetch_related("names", "nationalities"):
        kinds = [n.kind for n in person.names.all()]
        assert kinds.count("registered") == 1
        registered = next(n for n in person.names.all() if n.kind == "registered")
        assert registered.script == "latn" and registered.family_name
        origin = ORIGIN_BY_ISO.get(person.nationalities.all()[0].country)
        if origin and origin.script != "latn" and person.pk % 7 == 0:
            assert "original" in kinds
    assert PersonName.objects.filter(kind="original", script="arab").exists()
    common = Counter(PersonName.objects.filter(kind="registered").values_list("given_names", flat=True))
    assert common.most_common(1)[0][1] >= 3  # frequent names repeat (Mohammed, Ahmad …)


def test_eritrean_names_in_geez_script(db):
    demo(persons=600, today=TODAY.isoformat(), no_activity=True, seed=3)
    assert PersonName.objects.filter(kind="original", script="ethi").exists()


def test_identifiers_are_valid_and_unique(generated):
    values = list(Identifier.objects.values_list("kind", "value", "person__nationalities__country"))
    assert {k for k, _, _ in values} == {"azr", "bamf", "ba_kundennummer", "bg_nummer"}
    for kind, value, country in values:
        assert v.validate_identifier(kind, value) == value
        if kind == "bamf" and country != "XXA":  # stateless Syrians keep the Syrian key
            assert value.endswith("-" + ORIGIN_BY_ISO[country].bamf_key)
    assert len({(k, val) for k, val, _ in values}) == Identifier.objects.count()


def test_appending_keeps_identifiers_unique(db):
    demo(persons=30, no_activity=True)
    demo(persons=30, no_activity=True)
    assert Person.objects.count() == 60
    assert Identifier.objects.filter(kind="azr").values("value").distinct().count() == \
        Identifier.objects.filter(kind="azr").count() > 50
    names_first = list(PersonName.objects.filter(person_id__lte=30, kind="registered").values_list("family_name"))
    names_second = list(PersonName.objects.filter(person_id__gt=30, kind="registered").values_list("family_name"))
    assert names_first != names_second  # the second run continues the sequence, it does not repeat it


def test_codes_and_dates_pass_the_validators(generated):
    for code in Nationality.objects.values_list("country", flat=True).distinct():
        assert v.validate_country(code) == code
    for code in Person.objects.exclude(birth_country="").values_list("birth_country", flat=True).distinct():
        assert v.validate_country(code) == code
    for lang, level in LanguageSkill.objects.values_list("language", "level").distinct():
        assert v.validate_language(lang) == lang and v.validate_cefr(level) == level
    precisions = Counter()
    for birth, precision in Person.objects.values_list("birth_date", "birth_date_precision"):
        precisions[precision] += 1
        assert date(1930, 1, 1) < birth <= TODAY
        if precision == "year":
            assert (birth.month, birth.day) == (1, 1)
        if precision == "exact":
            assert (birth.month, birth.day) != (1, 1)
    assert precisions["year"] > 0 and precisions["exact"] > precisions["year"]


def test_name_keys_match_the_service(generated):
    for person in generated[:120]:
        stored = set(NameKey.objects.filter(person=person).values_list("key", flat=True))
        names = [(n.given_names, n.family_name) for n in person.names.filter(valid_until__isnull=True)]
        assert stored == set(keys_for_names(names))
        refresh_name_keys(person)
        assert set(NameKey.objects.filter(person=person).values_list("key", flat=True)) == stored


def test_search_finds_a_generated_person_by_a_transliteration_variant(generated):
    actor = jc_actor()
    found = 0
    for name in PersonName.objects.filter(kind="registered", person__nationalities__country__in=["SYR", "IRQ", "AFG"]):
        origin = ORIGIN_BY_ISO[name.person.nationalities.first().country]
        given = name.given_names.split(" ")[0]
        form = next((f for f in origin.male + origin.female if given in f.latin), None)
        if form is None:
            continue
        variants = [x for x in form.latin if x != given and name_keys(x) == name_keys(given)]
        if not variants:
            continue
        query = f"{variants[0]} {name.family_name}"
        assert name.person in search_persons(actor, name=query), query
        found += 1
        if found == 5:
            break
    assert found == 5


def test_search_by_original_script(generated):
    actor = jc_actor()
    name = PersonName.objects.filter(kind="original", script__in=["cyrl", "arab"]).first()
    assert name.person in search_persons(actor, name=f"{name.given_names} {name.family_name}")


def test_households_participations_consents_and_timeline(generated):
    families = Counter(HouseholdMember.objects.values_list("household_id", flat=True))
    assert families and max(families.values()) >= 3
    for member in HouseholdMember.objects.filter(relationship="child").select_related("person", "household")[:50]:
        head = HouseholdMember.objects.get(household=member.household, relationship="head").person
        assert member.person.birth_date > head.birth_date
    for person in generated:
        parts = list(Participation.objects.filter(case_file__person=person).select_related("agency"))
        active_leads = [p for p in parts if p.role == "lead" and p.until is None]
        assert len(active_leads) == 1, [(p.agency.code, p.since, p.until) for p in parts]
        for p in parts:
            assert p.since <= TODAY and (p.until is None or p.since <= p.until <= TODAY)
        jc = [p for p in parts if p.agency.kind == "JC"]
        lra = [p for p in parts if p.agency.kind == "LRA"]
        if jc and lra:  # Rechtskreiswechsel: the Landratsamt's lead ends the day before the Jobcenter's
            assert lra[0].until == jc[0].since - timedelta(days=1)
    ukraine = Participation.objects.filter(agency__kind="JC", case_file__person__nationalities__country="UKR",
                                           since=date(2022, 6, 1))
    assert ukraine.exists()  # the bulk hand-over of 1 June 2022
    assert Consent.objects.exists()
    entries = TimelineEntry.objects.select_related("author", "agency").filter(created_at__date__lte=TODAY)
    assert entries.count() > 200  # (the notes written through the services afterwards are dated today)
    staff = set(staff_ids().values())
    for entry in entries[:300]:
        assert entry.author_id in staff and entry.author.agency_id == entry.agency_id
        assert entry.occurred_at.date() <= TODAY


def test_audit_chain_verifies_after_demo(generated):
    bulk = AuditEvent.objects.filter(object_type="demo_bulk").order_by("seq")
    assert [e.detail["persons"] for e in bulk] == [80, 80, 40]
    assert bulk[0].username == "system" and bulk[0].detail["rows"]["people.Person"] == 80
    assert AuditEvent.objects.filter(action="read", username="jc.caseworker").exists()
    assert AuditEvent.objects.filter(object_type="entry", action="create").exists()  # notes via the service
    assert AuditEvent.objects.filter(outcome="denied").exists()
    result = verify_chain()
    assert result.ok, result.problems


def test_generation_is_deterministic():
    agencies = {s.code: i + 1 for i, s in enumerate(agency_specs())}
    staff = {(code, role): i + 1 for i, (_, code, role) in enumerate(demo_accounts())}

    def rows(seed: int):
        gen = Generator(seed=seed, today=TODAY, agencies=agencies, staff=staff, ids=CountingIds())
        return gen.chunk(0, 300).tables

    assert rows(1) == rows(1)
    assert rows(1)["people.PersonName"] != rows(2)["people.PersonName"]
    tables = rows(1)
    assert len(tables["people.Person"]) == 300
    person_ids = {r[0] for r in tables["people.Person"]}
    for label in ("people.PersonName", "people.NameKey", "people.Identifier", "cases.CaseFile"):
        assert {r[0] if label != "cases.CaseFile" else r[1] for r in tables[label]} <= person_ids


def test_generated_status_histories_are_possible(generated):
    """Every generated history replays through the transition table, on any date."""
    from stella.journey.models import StatusEvent
    from stella.journey.services import situation_on
    from stella.journey.status import State

    assert StatusEvent.objects.exists()
    states = {situation_on(p.pk, TODAY).state for p in generated}  # raises on an impossible history
    assert State.NONE not in states and State.RESIDENCE_PERMIT in states and len(states) >= 3


def test_offers_profiles_enrolments_and_placements(generated):
    from stella.competences.models import WorkExperience
    from stella.journey.models import Appointment, HandOver
    from stella.offers.models import Enrolment, Offer, Placement

    offers = Offer.objects.all()
    assert {o.municipality.landkreis.code for o in offers} == {"LK-LB", "LK-OG", "LK-RT", "LK-TUE"}
    assert offers.filter(state="closed", starts_on__lte=TODAY).exists()  # past course runs of the bulk load
    assert all(o.occupation_id for o in offers.filter(kind__in=["training", "vacancy"]))
    assert offers.filter(kind__in=["training", "vacancy"]).exists()
    assert WorkExperience.objects.filter(occupation__isnull=False).exists()
    assert WorkExperience.objects.filter(occupation__isnull=True).exists()  # titles still to confirm
    waiting = Enrolment.objects.filter(state="waiting").select_related("offer")
    assert all(e.offer.starts_on > TODAY for e in waiting)
    done = Enrolment.objects.filter(state="completed").select_related("offer")
    assert done.exists() and all(e.ended_on <= TODAY and e.enrolled_on <= e.offer.starts_on for e in done)
    for e in Enrolment.objects.exclude(enrolled_on=None).select_related("offer")[:200]:
        assert e.requested_at.date() <= e.enrolled_on and e.offer.seats >= 1
    seats = Counter(Enrolment.objects.exclude(state__in=["waiting", "withdrawn"]).values_list("offer_id", flat=True))
    assert all(n <= Offer.objects.get(pk=oid).seats for oid, n in seats.items())
    placements = Placement.objects.all()
    assert placements.exists() and all(p.starts_on <= TODAY for p in placements)
    assert all(p.ends_on is None or p.starts_on <= p.ends_on < TODAY for p in placements)
    assert {p.agency.kind for p in placements.select_related("agency")} <= {"LRA", "JC"}
    assert Appointment.objects.filter(counsellor__isnull=False, agency__kind__in=["LRA", "JC"]).exists()
    for a in Appointment.objects.select_related("counsellor")[:100]:
        assert a.counsellor.agency_id == a.agency_id
    handovers = HandOver.objects.select_related("from_agency", "to_agency")
    assert handovers.filter(state="completed").exists()
    assert all((h.from_agency.kind, h.to_agency.kind) == ("LRA", "JC") for h in handovers)
    assert AuditEvent.objects.filter(object_type="demo_integration").count() == 1


def test_lead_participations_have_teams_and_team_leads_a_team(generated):
    leads = Participation.objects.filter(case_file__person__in=generated, role="lead")
    teams = Counter(leads.values_list("team", flat=True))
    assert set(teams) == {"Team 1", "Team 2", "Team 3"}
    assert not Participation.objects.filter(role="contributing").exclude(team="").exists()
    assert User.objects.get(username="jc.team_lead").team == "Team 1"
    assert User.objects.get(username="jc.analyst").team == ""


def test_double_registrations_wait_in_the_review_queue(generated):
    from stella.linkage import review
    from stella.linkage.models import LinkCandidate, LinkRun

    jc = Agency.objects.get(code="JC-LB")
    doubles = Person.objects.filter(registered_by=jc)
    assert doubles.count() == 12
    run = LinkRun.objects.get()
    assert run.state == "done" and run.candidates == LinkCandidate.objects.count() > 0
    # Most double registrations are found; each pair joins a double registration to an older record.
    found = LinkCandidate.objects.filter(person_b__registered_by=jc).exclude(person_a__registered_by=jc)
    assert found.count() >= 8
    # The Jobcenter's caseworker sees them in the queue (the Jobcenter takes part in both files).
    assert set(review.queue(jc_actor())) >= set(found)
    # A second demo run adds no further doubles or runs.
    demo(persons=0)
    assert LinkRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_load_on_postgresql():
    """Worker processes generate and copy whole chunks; the result equals the single-process load's shape."""
    from django.db import connection

    from stella.demo.loader import load
    from stella.offers.models import Enrolment, Placement

    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    result = load(240, today=TODAY, chunk_size=80, progress=False, workers=2)
    assert result.persons == Person.objects.count() == 240 and result.chunks == 3
    assert result.rows["offers.Enrolment"] == Enrolment.objects.count() > 0
    assert result.rows["offers.Placement"] == Placement.objects.count() > 0
    bulk = AuditEvent.objects.filter(object_type="demo_bulk")
    assert sorted(e.detail["index"] for e in bulk) == [0, 80, 160]
    assert verify_chain().ok
