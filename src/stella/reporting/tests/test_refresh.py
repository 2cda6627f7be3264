"""The incremental refresh: the audit trail names the changed persons (person events, demo ranges, offer
changes), only they are recomputed, cells are rebuilt from the earliest changed month, the watermark moves;
one refresh at a time (lease, stale lease taken over); a failure changes nothing but `last_error`; the task
and the `stella reporting` command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from stella.agencies.models import Municipality
from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.core.actor import Actor
from stella.offers.models import EnrolmentState, OfferKind
from stella.reporting import cube, refresh
from stella.reporting.models import EventKind, FactEvent, FactSpan, PersonFact, RefreshState
from stella.reporting.tests.factsetup import Builder, offer
from stella.tests.factories import make_district

TODAY = date(2024, 6, 15)
SYSTEM = Actor.system("Test")


@pytest.fixture
def world(db):
    lb = make_district("LB", "Ludwigsburg")
    Municipality.objects.create(name="Ludwigsburg", landkreis=lb["JC"].landkreis)
    return lb


@pytest.fixture
def cube_calls(monkeypatch):
    """Cells are helper CUBE's: here only the calls are recorded (its own tests cover the cells)."""
    calls: list[dict[str, date | None]] = []

    def build(*, since=None, until=None):
        calls.append({"since": since, "until": until})
        return 7

    monkeypatch.setattr(cube, "build", build)
    return calls


def client(lb, registered: date = date(2023, 1, 2)) -> Builder:
    b = Builder(registered).lead(lb["JC"], registered).lives("Ludwigsburg", registered)
    b.status("einreise", date(2022, 6, 1)).status("ae_24", date(2022, 6, 10))
    return b


def touch(pid: int | None, object_type: str = "placement", action: str = AuditAction.CREATE, **kw) -> None:
    audit.record(SYSTEM, action, person_id=pid, object_type=object_type, **kw)


def test_first_refresh_is_full_and_sets_the_watermark(world, cube_calls):
    a, b = client(world), client(world)
    touch(a.pk)
    result = refresh.refresh(today=TODAY)
    assert result.full and result.persons == 2 and result.cells == 7
    assert cube_calls == [{"since": date(2023, 1, 1), "until": date(2024, 5, 1)}]  # first month with facts
    state = RefreshState.objects.get()
    assert state.audit_id == refresh.audit_head() == result.audit_id
    assert state.full_at is not None and state.running_since is None and state.data_until == date(2024, 5, 1)
    assert set(PersonFact.objects.values_list("person_id", flat=True)) == {a.pk, b.pk}


def test_incremental_refresh_recomputes_exactly_the_named_persons(world, cube_calls):
    a, b = client(world), client(world)
    refresh.refresh(today=TODAY)
    b_computed = PersonFact.objects.get(person_id=b.pk).computed_at
    a.placement("employment", date(2023, 8, 10))
    touch(a.pk)  # a write names a
    b.placement("employment", date(2023, 9, 1))  # changed without an audit event: not picked up
    touch(b.pk, action=AuditAction.READ)  # reads never trigger
    cube_calls.clear()
    result = refresh.refresh(today=TODAY)
    assert (result.full, result.persons, result.dirty_from) == (False, 1, date(2023, 8, 10))
    assert cube_calls == [{"since": date(2023, 8, 1), "until": date(2024, 5, 1)}]
    assert FactEvent.objects.filter(person_id=a.pk, kind=EventKind.INTEGRATION).count() == 1
    assert not FactEvent.objects.filter(person_id=b.pk, kind=EventKind.INTEGRATION).exists()
    assert PersonFact.objects.get(person_id=b.pk).computed_at == b_computed
    assert RefreshState.objects.get().audit_id == refresh.audit_head()

    cube_calls.clear()  # nothing new: no persons, no cells
    again = refresh.refresh(today=TODAY)
    assert (again.persons, again.cells, cube_calls) == (0, None, [])


def test_every_run_that_reads_histories_is_audited_once_and_ignores_its_own_event(world, cube_calls):
    a = client(world)
    full = refresh.refresh(today=TODAY)
    events = list(AuditEvent.objects.filter(object_type="reporting_refresh").order_by("seq"))
    assert len(events) == 1 and events[0].username == "system" and events[0].person_id is None
    assert events[0].action == AuditAction.UPDATE and events[0].purpose == "Auswertungen aktualisieren"
    assert events[0].detail["full"] is True and events[0].detail["persons"] == full.persons == 1
    assert events[0].object_id == "2024-05-01"  # data until
    assert RefreshState.objects.get().audit_id == events[0].seq == full.audit_id  # its own event included

    cube_calls.clear()  # its own event is no change: nothing read, nothing audited
    idle = refresh.refresh(today=TODAY)
    assert (idle.persons, idle.cells, cube_calls) == (0, None, [])
    assert AuditEvent.objects.filter(object_type="reporting_refresh").count() == 1

    a.placement("employment", date(2023, 8, 10))
    touch(a.pk)
    refresh.refresh(today=TODAY)
    latest = AuditEvent.objects.filter(object_type="reporting_refresh").latest("seq")
    assert latest.detail["full"] is False and latest.detail["persons"] == 1 and latest.detail["cells"] == 7
    assert latest.detail["dirty_from"] == "2023-08-10"
    assert audit.verify_chain().ok


def test_unchanged_facts_rebuild_no_cells(world, cube_calls):
    a = client(world)
    refresh.refresh(today=TODAY)
    touch(a.pk, object_type="person", action=AuditAction.UPDATE)  # e.g. a phone number: facts stay the same
    cube_calls.clear()
    result = refresh.refresh(today=TODAY)
    assert (result.persons, result.dirty_from, result.cells, cube_calls) == (1, None, None, [])


def test_demo_bulk_range_and_offer_changes_name_persons(world, cube_calls):
    a, b, c = client(world), client(world), client(world)
    refresh.refresh(today=TODAY)
    touch(None, object_type="demo_bulk", detail={"first_person_id": a.pk, "last_person_id": b.pk})
    changes = refresh.changed_persons(RefreshState.objects.get().audit_id, refresh.audit_head())
    assert changes.persons == {a.pk, b.pk} and not changes.full

    course = offer(world["LRA"], Municipality.objects.get(), OfferKind.INTEGRATION_COURSE)
    c.enrol(course, EnrolmentState.ENROLLED, requested=date(2023, 2, 1), enrolled=date(2023, 2, 10))
    touch(None, object_type="offer", action=AuditAction.UPDATE, object_id=course.pk)
    touch(None, object_type="demo_integration", object_id=f"{c.pk}-{c.pk}")
    changes = refresh.changed_persons(RefreshState.objects.get().audit_id, refresh.audit_head())
    assert changes.persons == {a.pk, b.pk, c.pk}

    touch(None, object_type="demo_other")  # a bulk write that does not say whom it touched
    assert refresh.changed_persons(RefreshState.objects.get().audit_id, refresh.audit_head()).full
    result = refresh.refresh(today=TODAY)
    assert result.full and result.persons == 3


def test_a_failure_leaves_facts_and_watermark_unchanged(world, monkeypatch):
    monkeypatch.setattr(cube, "build", lambda **kw: 0)
    a = client(world)
    refresh.refresh(today=TODAY)
    before = (RefreshState.objects.get().audit_id, list(FactSpan.objects.values_list("starts_on", "ends_on", "phase")))
    a.placement("employment", date(2023, 8, 10))
    touch(a.pk)

    def broken(**kw):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(cube, "build", broken)
    with pytest.raises(RuntimeError):
        refresh.refresh(today=TODAY)
    state = RefreshState.objects.get()
    assert (state.audit_id, list(FactSpan.objects.values_list("starts_on", "ends_on", "phase"))) == before
    assert not FactEvent.objects.filter(kind=EventKind.INTEGRATION).exists()
    assert "Datenbank weg" in state.last_error and state.running_since is None
    assert AuditEvent.objects.filter(object_type="reporting_refresh").count() == 1  # the failed run: no event

    monkeypatch.setattr(cube, "build", lambda **kw: 0)  # the next run picks the change up and clears the error
    result = refresh.refresh(today=TODAY)
    assert result.persons == 1 and FactEvent.objects.filter(kind=EventKind.INTEGRATION).count() == 1
    assert RefreshState.objects.get().last_error == ""


def test_one_refresh_at_a_time_and_a_stale_lease_is_taken_over(world, cube_calls):
    client(world)
    RefreshState.objects.create(running_since=timezone.now() - timedelta(minutes=5))
    with pytest.raises(refresh.RefreshBusy, match="bereits aktualisiert"):
        refresh.refresh(today=TODAY)
    assert not PersonFact.objects.exists()
    RefreshState.objects.update(running_since=timezone.now() - timedelta(hours=2))
    assert refresh.refresh(today=TODAY).full
    assert RefreshState.objects.get().running_since is None


def test_a_long_full_run_keeps_its_lease_alive(world, cube_calls, monkeypatch):
    """At 1,000,000 persons the facts take longer than the lease: every chunk renews it, so a refresh queued
    meanwhile is refused as busy instead of taking the lease over and running a second full build."""
    from stella.reporting import facts

    persons = [client(world) for _ in range(3)]
    monkeypatch.setattr(facts, "CHUNK", 1)
    store, seen = facts.store, []

    def spying(ids, **kw):
        seen.append(RefreshState.objects.get().running_since)
        if len(seen) == 1:  # as if the run had begun almost one lease ago
            RefreshState.objects.update(running_since=timezone.now() - refresh.LEASE + timedelta(minutes=1))
        if len(seen) == 2:  # renewed after the first chunk: a refresh queued two minutes later is refused
            assert seen[1] > timezone.now() - timedelta(minutes=1)
            with pytest.raises(refresh.RefreshBusy):
                refresh._acquire(timezone.now() + timedelta(minutes=2))
        return store(ids, **kw)

    monkeypatch.setattr(facts, "store", spying)
    result = refresh.refresh(full=True, today=TODAY)
    assert result.persons == len(persons) and len(seen) == 3
    assert RefreshState.objects.get().running_since is None


def test_a_new_month_rebuilds_all_facts(world, cube_calls):
    client(world)
    refresh.refresh(today=TODAY)
    RefreshState.objects.update(full_at=timezone.now() - timedelta(days=40))
    result = refresh.refresh()
    assert result.full and "neuer Monat" in result.reasons[0]


def test_full_refresh_on_request(world, cube_calls):
    a = client(world)
    refresh.refresh(today=TODAY)
    a.placement("employment", date(2023, 8, 10))  # no audit event: only a full run sees it
    assert refresh.refresh(today=TODAY).persons == 0
    assert refresh.refresh(full=True, today=TODAY).full
    assert FactEvent.objects.filter(kind=EventKind.INTEGRATION).count() == 1


def test_task_runs_the_refresh_and_reports_busy(world, cube_calls, settings):
    from stella.reporting.tasks import enqueue_refresh, refresh_reports

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client(world)
    assert enqueue_refresh()
    assert PersonFact.objects.count() == 1
    RefreshState.objects.update(running_since=timezone.now())
    assert refresh_reports.call()["skipped"] is True


def test_command_refresh_and_status(world, cube_calls):
    client(world)
    out = StringIO()
    call_command("reporting", "refresh", stdout=out)
    assert "Auswertungen aktualisiert (vollständig" in out.getvalue() and "1 Personen" in out.getvalue()
    out = StringIO()
    call_command("reporting", "status", stdout=out)
    assert "Zuletzt aktualisiert" in out.getvalue() and "Läuft gerade:                nein" in out.getvalue()
    RefreshState.objects.update(running_since=timezone.now(), last_error="x")
    with pytest.raises(CommandError, match="bereits aktualisiert"):
        call_command("reporting", "refresh", stdout=StringIO())
    out = StringIO()
    call_command("reporting", "status", stdout=out)
    assert "Letzter Fehler" in out.getvalue() and "seit" in out.getvalue()


def test_command_refresh_failure_exits_nonzero(world, monkeypatch):
    def broken(**kw):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(cube, "build", broken)
    client(world)
    with pytest.raises(CommandError, match="nichts wurde geändert"):
        call_command("reporting", "refresh", "--full", stdout=StringIO())
    assert RefreshState.objects.get().full_at is None


def test_a_household_change_recomputes_the_other_members(world, cube_calls):
    from stella.people.models import HouseholdMember
    from stella.reporting.tests.factsetup import household

    mother = client(world)
    child = Builder(date(2023, 1, 2), birth=date(2016, 3, 1))
    partner = Builder(date(2023, 1, 2), sex="m")
    hh = household((mother, "head", date(2023, 1, 2), None), (child, "child", date(2023, 1, 2), None))
    refresh.refresh(today=TODAY)
    assert FactSpan.objects.get(person_id=mother.pk).single_parent is True
    HouseholdMember.objects.create(household=hh, person=partner.person, relationship="partner",
                                   since=date(2024, 2, 1))
    touch(partner.pk, object_type="household_member")  # the audit names only the partner
    cube_calls.clear()
    result = refresh.refresh(today=TODAY)
    assert result.persons == 3 and result.dirty_from == date(2024, 2, 1)
    assert list(FactSpan.objects.filter(person_id=mother.pk).order_by("starts_on").values_list(
        "starts_on", "single_parent")) == [(date(2023, 1, 2), True), (date(2024, 2, 1), False)]
    assert cube_calls == [{"since": date(2024, 2, 1), "until": date(2024, 5, 1)}]


def test_a_large_bulk_range_becomes_a_full_rebuild(world, cube_calls, monkeypatch):
    a, b = client(world), client(world)
    refresh.refresh(today=TODAY)
    monkeypatch.setattr(refresh, "MAX_INCREMENTAL", 1)
    touch(None, object_type="demo_bulk", object_id=f"{a.pk}-{b.pk}")
    changes = refresh.changed_persons(RefreshState.objects.get().audit_id, refresh.audit_head())
    assert changes.full and "Sammelimport von 2 Personen" in changes.reasons[0]


def test_an_offer_change_rebuilds_cells_from_its_start_even_without_enrolments(world, cube_calls):
    client(world)
    refresh.refresh(today=TODAY)
    course = offer(world["LRA"], Municipality.objects.get(), OfferKind.INTEGRATION_COURSE, starts=date(2023, 11, 6))
    touch(None, object_type="offer", action=AuditAction.UPDATE, object_id=course.pk)
    cube_calls.clear()
    result = refresh.refresh(today=TODAY)
    assert result.persons == 0 and cube_calls == [{"since": date(2023, 11, 1), "until": date(2024, 5, 1)}]


def test_refresh_with_the_real_cube_counts_the_caseload(world, settings):
    from stella.reporting.indicators import Measure
    from stella.reporting.models import Cell

    settings.STELLA_REPORTING_MONTHS = 3
    for _ in range(3):
        client(world, registered=date(2024, 2, 1))
    result = refresh.refresh(today=TODAY)
    assert result.cells and result.cells > 0
    stock = Cell.objects.get(month=date(2024, 5, 1), measure=Measure.STOCK, district="LK-LB", agency="", team="",
                             dim="")
    assert (stock.value, stock.persons) == (3, 3)


def test_command_refresh_queue_hands_over_to_the_worker(world, cube_calls, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client(world)
    out = StringIO()
    call_command("reporting", "refresh", "--queue", stdout=out)
    assert "Aktualisierung eingereiht" in out.getvalue()
    assert PersonFact.objects.count() == 1  # the immediate backend ran it at once
