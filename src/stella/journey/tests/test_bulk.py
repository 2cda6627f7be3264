"""Bulk hand-over: selection, preview, the job and its items, exactly-once processing across a worker that
dies mid-run (lease, reaper, re-run), the per-person report, the real database worker, bad input."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from stella.agencies.models import Function, Municipality, Responsibility
from stella.audit.models import AuditEvent
from stella.audit.service import verify_chain
from stella.cases.models import Participation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import bulk
from stella.journey import handovers as ho
from stella.journey.models import (
    BulkHandOverItem,
    BulkHandOverJob,
    BulkJobState,
    HandOver,
    HandOverState,
    ItemState,
    Notification,
)
from stella.journey.tests.handover_setup import first_of_this_month, make_person, record, scene
from stella.tests.factories import AgencyFactory

ARRIVAL = date(2022, 3, 10)
UKRAINE = {"status": ["fiktion", "ae_24"], "nationality": ["UKR"], "landkreis": "LK-LB"}


def A(user):
    return Actor.for_user(user)


@pytest.fixture
def s(district):
    return scene(district)


def ukrainian(s, given, *, municipality="Ludwigsburg", accommodation_vu=True):
    person = make_person(s.district, s.lra, s.aa, family="Kovalenko", given=given, arrival=ARRIVAL,
                         municipality=municipality, nationalities=("UKR",))
    record(s.lra, person, "einreise", ARRIVAL)
    record(s.lra, person, "fiktion", ARRIVAL + timedelta(days=5))  # Fiktionsbescheinigung: proposes nothing
    if not accommodation_vu:
        person.addresses.update(accommodation="private")
    return person


@pytest.fixture
def group(s, district):
    """Seven Ukrainians to hand over, plus one the Jobcenter already leads, one with an open proposal and one
    living where another Jobcenter is responsible (not selected at all)."""
    persons = [ukrainian(s, f"Person {i}", accommodation_vu=i % 2 == 0) for i in range(7)]
    led = ukrainian(s, "Schon-beim-JC")
    Participation.objects.filter(case_file__person=led, agency=district["LRA"]).update(until=date(2022, 5, 31))
    Participation.objects.create(case_file=led.case_file, agency=district["JC"], role="lead",
                                 since=date(2022, 6, 1), legal_basis="§74 SGB II")
    pending = ukrainian(s, "Mit-Vorschlag")
    record(s.lra, pending, "ae_24", ARRIVAL + timedelta(days=40))  # the hook proposes a hand-over
    other_jc = AgencyFactory(kind="JC", code="JC-NORD", name="Jobcenter Nord", landkreis=district["JC"].landkreis)
    nord = Municipality.objects.create(name="Nordheim", landkreis=district["JC"].landkreis)
    Responsibility.objects.create(municipality=nord, function=Function.BENEFITS_SGB2, agency=other_jc)
    ukrainian(s, "Woanders", municipality="Nordheim")
    return {"handed": persons, "led": led, "pending": pending}


def create(s, **extra):
    args = {"actor": A(s.jc_lead), "criteria": UKRAINE, "function": Function.BENEFITS_SGB2,
            "to_agency_id": s.district["JC"].pk, "effective_date": first_of_this_month(),
            "reason": "Rechtskreiswechsel Ukraine", "legal_basis": "§74 SGB II", "start": False}
    return bulk.create_bulk_job(**{**args, **extra})


def assert_each_once(job, persons):
    """Every selected person handled exactly once: one item, at most one hand-over and one new lead."""
    per_person = Counter(HandOver.objects.filter(bulk_job=job).values_list("person_id", flat=True))
    assert set(per_person) == {p.pk for p in persons} and set(per_person.values()) == {1}
    leads = (Participation.objects.filter(agency=job.to_agency, role="lead", case_file__person__in=persons)
             .values("case_file").annotate(n=Count("id")))
    assert {row["n"] for row in leads} == {1} and len(leads) == len(persons)
    audited = Counter(AuditEvent.objects.filter(object_type="handover", detail__bulk_job=job.pk)
                      .values_list("person_id", flat=True))
    assert set(audited.values()) == {1} and set(audited) == {p.pk for p in persons}
    assert not BulkHandOverItem.objects.filter(job=job, state=ItemState.PENDING).exists()


# --- selection and creation ------------------------------------------------------------------------

def test_preview_counts_without_creating(s, group):
    preview = bulk.preview_bulk(actor=A(s.jc_lead), criteria=UKRAINE, function=Function.BENEFITS_SGB2,
                                to_agency_id=s.district["JC"].pk, effective_date=first_of_this_month())
    assert preview.count == 9 and preview.by_municipality == [("Ludwigsburg", 9)]
    assert not BulkHandOverJob.objects.exists()
    assert AuditEvent.objects.filter(object_type="bulk_handover_preview", detail__count=9).exists()


def test_empty_selection_is_refused_and_nothing_is_created(s, group):
    with pytest.raises(InvalidInput, match="keine Person"):
        create(s, criteria={"status": ["duldung_60a"], "landkreis": "LK-LB"})
    assert not BulkHandOverJob.objects.exists() and not BulkHandOverItem.objects.exists()


@pytest.mark.parametrize(("criteria", "field"), [
    ({"status": ["geburt"]}, "criteria.status"),
    ({"nationality": ["UKX"]}, "criteria.nationality"),
    ({"landkreis": "LK-LB"}, "criteria"),
    ({"status": ["ae_24"], "landkreis": "LK-XX"}, "criteria.landkreis"),
    ({"status": ["ae_24"], "status_from": "2022-13-01"}, "criteria.status_from"),
    ({"status": ["ae_24"], "status_from": "2022-06-01", "status_until": "2022-05-01"}, "criteria.status_until"),
    ({"status": ["ae_24"], "farbe": "blau"}, "criteria.farbe"),
])
def test_bad_criteria_are_refused(s, criteria, field):
    with pytest.raises(InvalidInput) as exc:
        create(s, criteria=criteria)
    assert field in exc.value.field_errors
    assert not BulkHandOverJob.objects.exists()


def test_bad_date_agency_and_rights_are_refused(s, district, group, make_user):
    with pytest.raises(InvalidInput) as exc:
        create(s, effective_date=date(2022, 6, 1))  # the real Ukraine date is far beyond the correction window
    assert "mehr als 90 Tage" in exc.value.field_errors["effective_date"][0]
    with pytest.raises(InvalidInput) as exc:
        create(s, to_agency_id=district["STADT"].pk, actor=A(make_user("STADT", "team_lead")))
    assert "in keiner Gemeinde" in exc.value.field_errors["to_agency"][0]
    with pytest.raises(AccessDenied):
        create(s, actor=A(s.jc))  # a caseworker, not the team lead
    create(s, actor=A(make_user("LRA", "team_lead")))  # the handing-over district's team lead may
    assert BulkHandOverJob.objects.count() == 1


def test_job_has_one_item_per_selected_person_and_is_queued_after_commit(s, group,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = create(s, start=True)
    assert job.total == 9 and job.items.count() == 9
    assert job.state == BulkJobState.QUEUED and job.criteria["nationality"] == ["UKR"]
    job.refresh_from_db()
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == TaskResultStatus.READY and task.args_kwargs["args"] == [job.pk]
    runs = DBTaskResult.objects.filter(task_path="stella.journey.bulk.run_bulk_job", status=TaskResultStatus.READY)
    assert runs.count() == bulk.PARALLEL_TASKS  # one per worker that may run side by side
    assert DBTaskResult.objects.filter(task_path="stella.journey.bulk.watch_bulk_job").exists()
    assert AuditEvent.objects.filter(object_type="bulk_handover", object_id=str(job.pk), detail__persons=9).exists()


# --- processing --------------------------------------------------------------------------------------

def test_processing_hands_over_skips_with_reasons_and_audits_per_person(s, district, group):
    job = create(s)
    progress = bulk.process_job(job.pk, chunk_size=4)
    assert (progress.done, progress.skipped, progress.failed, progress.finished) == (7, 2, 0, True)
    job.refresh_from_db()
    assert job.state == BulkJobState.DONE and job.finished_at is not None
    reasons = dict(BulkHandOverItem.objects.filter(job=job, state=ItemState.SKIPPED)
                   .values_list("person_id", "reason"))
    assert "bereits federführend" in reasons[group["led"].pk]
    assert "offene Übergabe" in reasons[group["pending"].pk]
    assert_each_once(job, group["handed"])
    eff = first_of_this_month()
    h = HandOver.objects.get(bulk_job=job, person=group["handed"][1])
    assert (h.state, h.from_agency, h.to_agency, h.effective_date, h.legal_basis) == (
        HandOverState.COMPLETED, district["LRA"], district["JC"], eff, "§74 SGB II")
    assert h.summary["for_agency"] == "JC-LB" and h.summary["residence"]["state"] == "fiktion"
    lra = {(p.role, p.until) for p in Participation.objects.filter(case_file__person=group["handed"][1],
                                                                   agency=district["LRA"])}
    assert lra == {("lead", eff - timedelta(days=1)),
                   ("contributing", max(eff, date.today()) + timedelta(days=89))}
    in_vu = Participation.objects.get(case_file__person=group["handed"][0], agency=district["LRA"],
                                      role="contributing")
    assert in_vu.until is None  # still in the Landratsamt's provisional accommodation
    assert Notification.objects.filter(user=s.jc_lead, kind="bulk_handover", link=f"/uebergaben/sammel/{job.pk}/")
    assert verify_chain().ok


def test_worker_dying_mid_run_is_resumed_without_doubles_or_gaps(s, group, monkeypatch):
    job = create(s)
    persons = group["handed"]
    # Worker 1 processes one chunk, claims the next and dies in the middle of writing it.
    first = bulk.process_chunk(job, bulk.job_actor(job), bulk.JobContext.load(job), bulk.claim(job.pk, 3))
    assert first["done"] + first["skipped"] == 3
    DBTaskResult.objects.create(task_path="stella.journey.bulk.run_bulk_job", args_kwargs={"args": [job.pk],
                                "kwargs": {}}, status=TaskResultStatus.RUNNING, backend_name="default",
                                queue_name="default", priority=0)  # what the database backend leaves behind
    second = bulk.claim(job.pk, 3)
    real_end_leads = ho.end_leads

    def die(*args, **kwargs):
        real_end_leads(*args, **kwargs)  # half of the chunk's writes are done …
        raise SystemExit("worker killed")  # … when the process is killed (not an Exception: not caught)

    monkeypatch.setattr(ho, "end_leads", die)
    with pytest.raises(SystemExit):
        bulk.process_chunk(job, bulk.job_actor(job), bulk.JobContext.load(job), second)
    monkeypatch.setattr(ho, "end_leads", real_end_leads)
    # Nothing of the dead chunk was written; its items are still leased.
    assert BulkHandOverItem.objects.filter(pk__in=second, state=ItemState.PENDING, lease_until__isnull=False).count() == 3
    assert HandOver.objects.filter(bulk_job=job).count() == first["done"]
    # A second worker (restart) does the rest but leaves the leased chunk alone while the lease runs.
    progress = bulk.process_job(job.pk, chunk_size=3)
    assert not progress.finished
    assert BulkHandOverItem.objects.filter(job=job, state=ItemState.PENDING).count() == 3
    assert bulk.reap() == []  # the lease is still valid: nobody is declared dead too early
    # After the lease the reaper frees the chunk and re-queues the job; the re-run finishes it.
    later = timezone.now() + timedelta(seconds=bulk.LEASE_SECONDS + 1)
    assert bulk.reap(now=later) == [job.pk]
    job.refresh_from_db()
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert bulk.process_job(job.pk, chunk_size=3).finished
    assert_each_once(job, persons)
    # Running the finished job again changes nothing.
    before = HandOver.objects.count(), Participation.objects.count(), AuditEvent.objects.count()
    assert bulk.process_job(job.pk).finished
    assert (HandOver.objects.count(), Participation.objects.count(), AuditEvent.objects.count()) == before
    assert verify_chain().ok


def test_a_slow_worker_whose_lease_expired_cannot_process_twice(s, group):
    job = create(s)
    slow = bulk.claim(job.pk, 9)
    later = timezone.now() + timedelta(seconds=bulk.LEASE_SECONDS + 1)
    fast = bulk.claim(job.pk, 9, now=later)  # the lease ran out: another worker takes the same items
    assert sorted(fast) == sorted(slow)
    actor, context = bulk.job_actor(job), bulk.JobContext.load(job)
    assert bulk.process_chunk(job, actor, context, fast)["done"] == 7
    assert bulk.process_chunk(job, actor, context, slow) == {"done": 0, "skipped": 0, "failed": 0}
    assert_each_once(job, group["handed"])


def test_a_failing_person_is_recorded_and_the_others_go_through(s, group, monkeypatch):
    job = create(s)
    victim = group["handed"][3].pk
    real = bulk.build_summaries

    def broken(ids, *args, **kwargs):
        if victim in ids:
            raise ValueError("Zusammenfassung kaputt")
        return real(ids, *args, **kwargs)

    monkeypatch.setattr(bulk, "build_summaries", broken)
    progress = bulk.process_job(job.pk)
    assert (progress.done, progress.skipped, progress.failed) == (6, 2, 1)
    item = BulkHandOverItem.objects.get(job=job, person_id=victim)
    assert item.state == ItemState.FAILED and "Zusammenfassung kaputt" in item.reason
    assert not HandOver.objects.filter(bulk_job=job, person_id=victim).exists()


def test_the_database_worker_runs_the_job(s, group, django_capture_on_commit_callbacks, monkeypatch):
    # The worker closes connections that are not in autocommit mode – the test's own, on PostgreSQL.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = create(s, start=True)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.state == BulkJobState.DONE
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.SUCCESSFUL
    assert_each_once(job, group["handed"])


# --- reading ------------------------------------------------------------------------------------------

def test_status_items_and_csv_report(s, group, make_user):
    job = create(s)
    status = bulk.job_status(actor=A(s.jc_lead), job_id=job.pk)
    assert status.counts["pending"] == 9 and status.percent == 0 and not status.stalled
    bulk.process_job(job.pk)
    status = bulk.job_status(actor=A(s.jc), job_id=job.pk)
    assert (status.counts["done"], status.counts["skipped"], status.percent) == (7, 2, 100)
    assert bulk.job_items(actor=A(s.jc), job_id=job.pk, state="skipped").count() == 2
    rows = list(bulk.report_rows(actor=A(s.jc_lead), job_id=job.pk))
    assert rows[0] == bulk.REPORT_HEADER and len(rows) == 10
    assert {r[3] for r in rows[1:]} == {"erledigt", "übersprungen"}
    assert AuditEvent.objects.filter(object_type="bulk_handover_report", object_id=str(job.pk)).exists()
    with pytest.raises(NotFound):
        bulk.job_status(actor=A(make_user("STADT", "team_lead")), job_id=job.pk)
    assert list(bulk.jobs_for(actor=A(s.jc))) == [job]


def test_stalled_job_is_shown_and_resumed_by_the_team_lead(s, group, monkeypatch):
    job = create(s)
    BulkHandOverJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert bulk.job_status(actor=A(s.jc_lead), job_id=job.pk).stalled
    with pytest.raises(AccessDenied):
        bulk.resume_job(actor=A(s.jc), job_id=job.pk)
    assert bulk.resume_job(actor=A(s.jc_lead), job_id=job.pk)
    job.refresh_from_db()
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert not bulk.job_status(actor=A(s.jc_lead), job_id=job.pk).stalled  # a task waits in the queue


# --- command line --------------------------------------------------------------------------------------

def test_command_line_dry_run_run_report_and_reap(s, group, tmp_path, capsys):
    from django.core.management.base import CommandError

    base = ["--user", s.jc_lead.username, "--to", "JC-LB", "--effective", first_of_this_month().isoformat(),
            "--criteria", "status=fiktion,ae_24", "nationality=UKR", "landkreis=LK-LB"]
    call_command("handover_bulk", *base, "--dry-run")
    assert "9 Personen" in capsys.readouterr().out and not BulkHandOverJob.objects.exists()
    with pytest.raises(CommandError, match="nichts angelegt"):
        call_command("handover_bulk", *base[:6], "--criteria", "status=duldung_60a", "--reason", "x")
    call_command("handover_bulk", *base, "--reason", "Rechtskreiswechsel", "--run")
    job = BulkHandOverJob.objects.get()
    assert job.state == BulkJobState.DONE and "Erledigt: 7" in capsys.readouterr().out
    target = tmp_path / "bericht.csv"
    call_command("handover_bulk", "--user", s.jc_lead.username, "--report", str(job.pk), "--output", str(target))
    assert target.read_text(encoding="utf-8-sig").count("\n") == 10
    call_command("handover_bulk", "--reap")
    assert "keine" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--user"):
        call_command("handover_bulk", "--to", "JC-LB")


def test_second_job_for_the_labour_market_ends_the_agenturs_lead(s, district, group):
    bulk.process_job(create(s).pk)
    labour = create(s, function=Function.LABOUR_SGB2, legal_basis="")
    progress = bulk.process_job(labour.pk)
    # The Jobcenter leads already; the Agentur's lead still had to end – also for the person the Jobcenter
    # took over in 2022. Only the person with an open labour proposal (from the §24 hook) is skipped.
    assert (progress.done, progress.skipped) == (8, 1)
    person = group["handed"][2]
    aa = {(p.role, p.until) for p in Participation.objects.filter(case_file__person=person, agency=district["AA"])}
    eff = first_of_this_month()
    assert aa == {("lead", eff - timedelta(days=1)), ("contributing", max(eff, date.today()) + timedelta(days=29))}
    assert Participation.objects.filter(case_file__person=person, agency=district["JC"], role="lead").count() == 1
