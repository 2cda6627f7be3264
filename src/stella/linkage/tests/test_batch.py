"""Batch runs: who may start one and for which scope, the end-to-end run into the review queue (decided pairs
untouched), automatic merges only above the configured threshold, failures that write nothing, the task and
the `stella linkage` command."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from stella.agencies.models import Region, RegionKind
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput
from stella.linkage import engine, review
from stella.linkage.models import CandidateState, LinkCandidate, LinkRun, RunState
from stella.linkage.tests.review_setup import register
from stella.people.models import Person

pytestmark = pytest.mark.django_db
A = Actor.for_user
SYSTEM = Actor.system("Test")


@pytest.fixture
def persons(make_user):
    """Three registrations of one man by three agencies, his brother, and an unrelated woman."""
    jc, lra, aa = make_user("JC", "caseworker"), make_user("LRA", "caseworker"), make_user("AA", "caseworker")
    one = [register(jc, "Al-Hassan", "Mohammed", sex="m", nationalities=["SYR"], birth_place="Aleppo"),
           register(lra, "Alhasan", "Muhammad", sex="m", nationalities=["SYR"], birth_place="Aleppo"),
           register(aa, "Hassan", "Mohamad", sex="m", nationalities=["SYR"], birth_place="Halab")]
    brother = register(jc, "Al-Hassan", "Ahmad", date(1994, 2, 3), sex="m", nationalities=["SYR"],
                       birth_place="Aleppo")
    other = register(lra, "Tesfay", "Selam", date(1999, 8, 1), sex="f", nationalities=["ERI"], birth_place="Asmara")
    return {"one": one, "brother": brother, "other": other}


def _run(**kw) -> LinkRun:
    run = review.start_run(actor=SYSTEM, enqueue=False, **kw)
    return review.execute_run(run.pk)


def test_run_fills_the_queue_with_the_duplicates_only(persons):
    run = _run(district_code="LK-LB")
    assert run.state == RunState.DONE and run.error == ""
    ids = sorted(p.pk for p in persons["one"])
    pairs = set(LinkCandidate.objects.values_list("person_a_id", "person_b_id"))
    # the engine's calibration is its own business: the clear pair is in, brother and stranger never are
    assert (ids[0], ids[1]) in pairs
    assert pairs <= {(ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])}
    assert run.persons == 5 and run.pairs >= len(pairs) and run.candidates == len(pairs) and run.auto_merged == 0
    assert all(c.state == CandidateState.OPEN and c.run_id == run.pk and c.model_version == engine.MODEL_VERSION
               for c in LinkCandidate.objects.all())
    assert Person.objects.filter(merged_into__isnull=False).count() == 0  # never automatic by default


def test_run_updates_open_pairs_and_keeps_decisions(persons):
    ids = sorted(p.pk for p in persons["one"])
    # found online earlier (open) and one already decided – the run must not reopen it
    online = LinkCandidate.objects.create(person_a_id=ids[0], person_b_id=ids[1], probability=0.42, match_weight=0)
    decided = LinkCandidate.objects.create(person_a_id=ids[1], person_b_id=ids[2], probability=0.42, match_weight=0,
                                           state=CandidateState.DISTINCT, note="Brüder")
    run = _run()
    online.refresh_from_db()
    decided.refresh_from_db()
    assert online.probability > 0.42 and online.run_id == run.pk and online.state == CandidateState.OPEN
    assert decided.probability == 0.42 and decided.run_id is None and decided.state == CandidateState.DISTINCT
    assert run.candidates == LinkCandidate.objects.filter(run=run).exclude(pk=online.pk).count()
    count = LinkCandidate.objects.count()
    again = _run()
    assert again.candidates == 0 and LinkCandidate.objects.count() == count


def test_failed_run_writes_nothing(persons, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("DuckDB: out of memory")

    monkeypatch.setattr(engine, "predict", boom)
    run = _run()
    assert run.state == RunState.FAILED and "out of memory" in run.error and run.finished_at
    assert not LinkCandidate.objects.exists()


def test_failure_while_writing_rolls_back_every_candidate(persons, monkeypatch, settings):
    settings.STELLA_LINKAGE_AUTO_MERGE_THRESHOLD = 0.5

    def boom(*args, **kwargs):
        assert LinkCandidate.objects.exists()  # written in this transaction …
        raise RuntimeError("merge crashed")

    monkeypatch.setattr(review, "_auto_merge", boom)
    run = _run()
    assert run.state == RunState.FAILED and "merge crashed" in run.error
    assert not LinkCandidate.objects.exists()  # … and rolled back with it
    assert run.candidates == 0


def test_automatic_merge_only_above_the_threshold(persons, settings):
    settings.STELLA_LINKAGE_AUTO_MERGE_THRESHOLD = 0.999999999
    run = _run()
    strong = LinkCandidate.objects.filter(probability__gte=0.999999999).count()
    assert run.parameters["auto_merge_threshold"] == 0.999999999
    assert run.auto_merged <= strong
    assert Person.objects.filter(merged_into__isnull=False).count() == run.auto_merged
    assert Person.objects.filter(pk=persons["brother"].pk, merged_into__isnull=True).exists()


def test_automatic_merge_never_joins_distinct_pairs(persons, settings):
    _run()
    LinkCandidate.objects.update(state=CandidateState.DISTINCT)
    settings.STELLA_LINKAGE_AUTO_MERGE_THRESHOLD = 0.01
    run = _run()
    assert run.state == RunState.DONE and run.auto_merged == 0
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_automatic_merge_merges_into_the_oldest(persons, settings):
    settings.STELLA_LINKAGE_AUTO_MERGE_THRESHOLD = 0.5
    run = _run()
    assert run.state == RunState.DONE, run.error
    first = min(p.pk for p in persons["one"])
    merged = Person.objects.filter(merged_into__isnull=False)
    assert run.auto_merged == merged.count() and run.auto_merged >= 1
    assert set(merged.values_list("merged_into_id", flat=True)) == {first}
    assert LinkCandidate.objects.filter(state=CandidateState.MERGED).count() == run.auto_merged


def test_district_run_compares_only_persons_of_the_district(persons):
    from stella.tests.factories import make_district, make_user

    other = make_district("TÜ", "Tübingen")
    register(make_user(other, "JC", "caseworker"), "Alhassan", "Mohammed", sex="m", nationalities=["SYR"])
    run = _run(district_code="LK-TÜ")
    assert run.persons == 1 and run.candidates == 0


# --- starting --------------------------------------------------------------------------------------------

def test_team_leads_start_runs_for_their_own_landkreis(make_user, django_capture_on_commit_callbacks):
    lead = A(make_user("JC", "team_lead"))
    with django_capture_on_commit_callbacks() as callbacks:
        run = review.start_run(actor=lead, enqueue=False)
    assert callbacks == []
    assert run.district.code == "LK-LB" and run.state == RunState.QUEUED and run.requested_by_id == lead.user_id
    with pytest.raises(InvalidInput) as exc:  # one run per scope at a time
        review.start_run(actor=lead, district_code="LK-LB")
    assert "district" in exc.value.field_errors
    Region.objects.create(code="LK-TÜ", name="Tübingen", kind=RegionKind.LANDKREIS)
    with pytest.raises(AccessDenied):
        review.start_run(actor=lead, district_code="LK-TÜ")
    with pytest.raises(InvalidInput):
        review.start_run(actor=lead, district_code="LK-NIRGENDS")
    assert LinkRun.objects.count() == 1


@pytest.mark.parametrize(("kind", "role"), [("JC", "caseworker"), ("KT", "team_lead"), ("MB", "team_lead"),
                                            ("JC", "dpo"), ("JC", "admin")])
def test_others_may_not_start_runs(make_user, kind, role):
    with pytest.raises(AccessDenied):
        review.start_run(actor=A(make_user(kind, role)))
    assert not LinkRun.objects.exists()


def test_start_queues_the_task_on_commit(make_user, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django_tasks import task_backends

    task_backends._settings = None  # type: ignore[attr-defined]
    if hasattr(task_backends, "_backends"):
        task_backends._backends.clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        run = review.start_run(actor=A(make_user("JC", "team_lead")))
    run.refresh_from_db()
    assert run.state == RunState.DONE


def test_stale_running_runs_are_failed(make_user):
    run = review.start_run(actor=SYSTEM, enqueue=False)
    LinkRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING,
                                             started_at=timezone.now() - timedelta(hours=7))
    assert review.reap_runs() == [run.pk]
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "Nichts wurde geschrieben" in run.error
    review.start_run(actor=SYSTEM, enqueue=False)  # the scope is free again


def test_runs_visible_to_the_own_landkreis_only(make_user):
    run = review.start_run(actor=SYSTEM, enqueue=False, district_code="LK-LB")
    assert list(review.runs_for(actor=A(make_user("JC", "caseworker")))) == [run]
    assert list(review.runs_for(actor=A(make_user("KT", "caseworker")))) == []


# --- the command -----------------------------------------------------------------------------------------

def test_command_run_wait_and_status(persons, capsys):
    call_command("linkage", "run", "--district", "LK-LB", "--wait")
    out = capsys.readouterr().out
    assert "fertig" in out and f"neue Prüffälle {LinkCandidate.objects.count()}" in out
    call_command("linkage", "status")
    assert f"Nr. {LinkRun.objects.get().pk} " in capsys.readouterr().out  # ids are not 1 on PostgreSQL
    call_command("linkage", "run")
    assert "eingereiht" in capsys.readouterr().out
    call_command("linkage", "reap")


def test_command_bad_district_is_a_clear_error():
    with pytest.raises(CommandError, match="Unbekannter Landkreis"):
        call_command("linkage", "run", "--district", "LK-NIRGENDS")
    assert not LinkRun.objects.exists()
