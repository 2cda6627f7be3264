"""Tasks through the services: who sees what, assignment rules, reassignment (audited, notified),
closing, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent, Outcome
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import tasks
from stella.journey.models import Notification, Task, TaskState
from stella.journey.tests.tasks_setup import actor, join, register, user


@pytest.fixture
def jc(district):
    return user(district, "JC", "caseworker", team="Team Nord", username="jc-anna", email="anna@jc.example")


@pytest.fixture
def jc_colleague(district):
    return user(district, "JC", "caseworker", team="Team Nord", username="jc-ben", email="ben@jc.example")


@pytest.fixture
def jc_south(district):
    return user(district, "JC", "caseworker", team="Team Süd", username="jc-cem")


@pytest.fixture
def jc_lead(district):
    return user(district, "JC", "team_lead", team="Team Nord", username="jc-lead")


@pytest.fixture
def other_district():
    from stella.tests.factories import make_district

    return make_district("RT", "Reutlingen")


@pytest.fixture
def jc_other(other_district):
    return user(other_district, "JC", "caseworker", team="Team Nord", username="jc-rt")


@pytest.fixture
def person(jc):
    return register(jc)


def soon(days: int = 7):
    return timezone.localdate() + timedelta(days=days)


def test_task_by_hand_defaults_to_me_is_audited_and_not_notified(jc, person):
    task = tasks.create_task(actor=actor(jc), title="Zeugnisse anfordern", due_date=soon(), person_id=person.pk,
                             reason="Anerkennung")
    assert task.assignee == jc and task.team == "Team Nord" and task.agency == jc.agency
    assert task.source == "manual" and task.state == TaskState.OPEN
    event = AuditEvent.objects.get(object_type="task", object_id=str(task.pk), action="create")
    assert event.person_id == person.pk and event.categories == ["counselling"]
    assert not Notification.objects.exists()


def test_new_assignee_is_notified_in_app_and_by_mail(jc, jc_colleague, person, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = tasks.create_task(actor=actor(jc), title="Rückruf", due_date=soon(), assignee_id=jc_colleague.pk)
    note = Notification.objects.get(user=jc_colleague)
    assert note.kind == "task" and note.link == f"/aufgaben/{task.pk}/" and "Rückruf" in note.text
    assert [m.to for m in mailoutbox] == [["ben@jc.example"]]
    assert "Al-Hassan" not in mailoutbox[0].body  # no personal data of the person in e-mails


def test_team_assignment_notifies_the_team(jc, jc_colleague, jc_south, person):
    task = tasks.create_task(actor=actor(jc_south), title="Teamaufgabe", due_date=soon(), team="Team Nord")
    assert task.assignee is None and task.team == "Team Nord"
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"jc-anna", "jc-ben"}


@pytest.mark.parametrize("bad", ["other_agency", "unknown_team", "past", "no_title", "mismatch", "far"])
def test_bad_input_is_refused_and_nothing_written(bad, jc, jc_south, jc_other, person):
    kwargs = {"title": "Aufgabe", "due_date": soon()}
    field = {"other_agency": "assignee", "unknown_team": "team", "past": "due_date", "no_title": "title",
             "mismatch": "team", "far": "due_date"}[bad]
    if bad == "other_agency":
        kwargs["assignee_id"] = jc_other.pk
    elif bad == "unknown_team":
        kwargs["team"] = "Team West"
    elif bad == "past":
        kwargs["due_date"] = soon(-1)
    elif bad == "no_title":
        kwargs["title"] = "   "
    elif bad == "mismatch":
        kwargs.update(assignee_id=jc_south.pk, team="Team Nord")
    else:
        kwargs["due_date"] = soon(366 * 11)
    with pytest.raises(InvalidInput) as exc:
        tasks.create_task(actor=actor(jc), person_id=person.pk, **kwargs)
    assert field in exc.value.field_errors
    assert not Task.objects.exists()


def test_other_agency_sees_nothing_and_the_refusal_is_audited(jc, jc_other, person):
    task = tasks.create_task(actor=actor(jc), title="Intern", due_date=soon(), person_id=person.pk)
    free = tasks.create_task(actor=actor(jc), title="Ohne Person", due_date=soon())
    other = actor(jc_other)
    for task_id in (task.pk, free.pk):
        with pytest.raises(NotFound):
            tasks.get_task(actor=other, task_id=task_id)
        with pytest.raises(NotFound):
            tasks.complete_task(actor=other, task_id=task_id)
    assert not tasks.visible_tasks(other).exists()
    assert all(not qs.exists() for qs in tasks.my_tasks(actor=other).values())
    denied = AuditEvent.objects.filter(object_type="task", outcome=Outcome.DENIED)
    assert denied.count() == 4 and denied.filter(person_id=person.pk).count() == 2


def test_person_linked_tasks_need_counselling_read(district, jc, person):
    registration = user(district, "JC", "registration", team="Team Nord")
    linked = tasks.create_task(actor=actor(jc), title="Beratung", due_date=soon(), person_id=person.pk,
                               team="Team Nord")
    free = tasks.create_task(actor=actor(jc), title="Allgemein", due_date=soon(), team="Team Nord")
    visible = tasks.my_tasks(actor=actor(registration))["team"]
    assert list(visible) == [free]
    with pytest.raises(NotFound):
        tasks.get_task(actor=actor(registration), task_id=linked.pk)
    with pytest.raises(AccessDenied):
        tasks.create_task(actor=actor(registration), title="x", due_date=soon(), person_id=person.pk)


def test_file_without_participation_hides_the_task_again(district, jc, person):
    """A task follows the file's access: when the agency's participation ends, the task disappears."""
    from stella.cases.models import Participation

    task = tasks.create_task(actor=actor(jc), title="Beratung", due_date=soon(), person_id=person.pk)
    Participation.objects.filter(case_file__person=person).update(until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(NotFound):
        tasks.get_task(actor=actor(jc), task_id=task.pk)
    assert not tasks.my_tasks(actor=actor(jc))["mine"].exists()


def test_my_tasks_overdue_first_and_team_and_unassigned_queues(jc, jc_colleague, person):
    me = actor(jc)
    later = tasks.create_task(actor=me, title="Später", due_date=soon(20))
    overdue = tasks.create_task(actor=me, title="Überfällig", due_date=soon(1))
    Task.objects.filter(pk=overdue.pk).update(due_date=soon(-3))
    team_task = tasks.create_task(actor=actor(jc_colleague), title="Fürs Team", due_date=soon(), team="Team Nord")
    Task.objects.filter(pk=team_task.pk).update(assignee=None)
    queue = Task.objects.create(agency=jc.agency, title="Frist", due_date=soon(2), source="deadline", source_key="k")
    theirs = tasks.create_task(actor=actor(jc_colleague), title="Bens Aufgabe", due_date=soon())
    lists = tasks.my_tasks(actor=me)
    assert [t.title for t in lists["mine"]] == ["Überfällig", "Später"]
    assert list(lists["team"]) == [Task.objects.get(pk=team_task.pk)]
    assert list(lists["unassigned"]) == [queue]
    assert theirs not in lists["mine"] and later in lists["mine"]
    assert AuditEvent.objects.filter(object_type="tasks", detail__view="mine").exists()


def test_team_lead_sees_the_team_and_its_overdue_work(jc, jc_colleague, jc_south, jc_lead, person):
    a = tasks.create_task(actor=actor(jc), title="A", due_date=soon(3), person_id=person.pk)
    b = tasks.create_task(actor=actor(jc_colleague), title="B", due_date=soon(1))
    Task.objects.filter(pk=b.pk).update(due_date=soon(-2))
    south = tasks.create_task(actor=actor(jc_south), title="Süd", due_date=soon(1))
    seen = list(tasks.team_tasks(actor=actor(jc_lead)))
    assert [t.title for t in seen] == ["B", "A"] and south not in seen
    load = tasks.workload(seen)
    assert load[0].label == "jc-ben" and load[0].overdue == 1
    with pytest.raises(AccessDenied):
        tasks.team_tasks(actor=actor(jc))
    assert a in seen


def test_team_lead_of_no_team_sees_the_agency(district, jc, jc_south):
    lead = user(district, "JC", "team_lead")
    tasks.create_task(actor=actor(jc), title="Nord", due_date=soon())
    tasks.create_task(actor=actor(jc_south), title="Süd", due_date=soon())
    assert {t.title for t in tasks.team_tasks(actor=actor(lead))} == {"Nord", "Süd"}


def test_reassignment_is_audited_and_notifies_the_new_assignee(jc, jc_colleague, person):
    task = tasks.create_task(actor=actor(jc), title="Unterlagen prüfen", due_date=soon(), person_id=person.pk)
    tasks.reassign_task(actor=actor(jc), task_id=task.pk, assignee_id=jc_colleague.pk, due_date=soon(9))
    task.refresh_from_db()
    assert task.assignee == jc_colleague and task.due_date == soon(9)
    event = AuditEvent.objects.filter(object_type="task", object_id=str(task.pk), action="update").get()
    assert event.detail["change"] == "reassign"
    assert event.detail["from"] == {"assignee": "jc-anna", "team": "Team Nord"}
    assert event.detail["to"] == {"assignee": "jc-ben", "team": "Team Nord"}
    note = Notification.objects.get(user=jc_colleague)
    assert "übertragen" in note.text and note.link == f"/aufgaben/{task.pk}/"


def test_reassignment_to_another_agency_or_of_a_closed_task_is_refused(jc, jc_colleague, jc_other, person):
    task = tasks.create_task(actor=actor(jc), title="x", due_date=soon())
    with pytest.raises(InvalidInput) as exc:
        tasks.reassign_task(actor=actor(jc), task_id=task.pk, assignee_id=jc_other.pk)
    assert "assignee" in exc.value.field_errors
    with pytest.raises(InvalidInput):
        tasks.reassign_task(actor=actor(jc), task_id=task.pk)
    with pytest.raises(InvalidInput):
        tasks.reassign_task(actor=actor(jc), task_id=task.pk, assignee_id=jc.pk)  # no change
    tasks.complete_task(actor=actor(jc), task_id=task.pk)
    with pytest.raises(InvalidInput):
        tasks.reassign_task(actor=actor(jc), task_id=task.pk, assignee_id=jc_colleague.pk)
    assert not Notification.objects.exists()


def test_complete_and_cancel(jc, person):
    me = actor(jc)
    done = tasks.complete_task(actor=me, task_id=tasks.create_task(actor=me, title="a", due_date=soon()).pk,
                               note="erledigt per Telefon")
    assert done.state == TaskState.DONE and done.closed_by == jc and done.done_at is not None
    with pytest.raises(InvalidInput):
        tasks.complete_task(actor=me, task_id=done.pk)
    task = tasks.create_task(actor=me, title="b", due_date=soon(), person_id=person.pk)
    with pytest.raises(InvalidInput) as exc:
        tasks.cancel_task(actor=me, task_id=task.pk, note=" ")
    assert "note" in exc.value.field_errors
    cancelled = tasks.cancel_task(actor=me, task_id=task.pk, note="Person verzogen")
    assert cancelled.state == TaskState.CANCELLED and cancelled.close_note == "Person verzogen"
    changes = AuditEvent.objects.filter(object_type="task", action="update").values_list("detail__change", flat=True)
    assert sorted(changes) == ["cancel", "complete"]
    assert list(tasks.person_tasks(actor=me, person_id=person.pk)) == [cancelled]


def test_roles_without_files_have_no_tasks(district):
    admin = user(district, "JC", "admin")
    with pytest.raises(AccessDenied):
        tasks.my_tasks(actor=actor(admin))


def test_ensure_task_is_idempotent_per_agency_and_key(jc, person):
    from stella.core.actor import Actor

    system = Actor.system("Test")
    first, created = tasks.ensure_task(actor=system, agency=jc.agency, person=person, title="Frist",
                                       due_date=soon(), source="deadline", source_key="doc-expiry:1")
    again, created_again = tasks.ensure_task(actor=system, agency=jc.agency, person=person, title="Frist",
                                             due_date=soon(), source="deadline", source_key="doc-expiry:1")
    assert created and not created_again and first == again
    assert Task.objects.count() == 1


def test_readable_persons_follow_participation_and_consent(district, jc, person):
    """The batch check answers like the policy: participation with a counselling basis, or a consent
    to counselling (read only)."""
    from stella.cases import services as files

    stadt = user(district, "STADT", "caseworker", team="Integration")
    aa = user(district, "AA", "caseworker")
    assert tasks.readable_person_ids(actor(stadt), [person.pk]) == set()
    join(stadt, person)
    assert tasks.readable_person_ids(actor(stadt), [person.pk]) == {person.pk}
    files.record_consent(actor=actor(jc), person_id=person.pk, categories=["counselling"], agency_ids=[aa.agency_id],
                         purpose="Beratung", valid_from=timezone.localdate(), valid_until=None)
    assert tasks.readable_person_ids(actor(aa), [person.pk]) == {person.pk}
    assert tasks.readable_person_ids(actor(aa), [person.pk], action=tasks.Action.WRITE) == set()
