"""The deadline scan: which tasks, for which agency, due on which date (month ends, leap years), and
that running it again creates nothing."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from stella import rules
from stella.audit.models import AuditEvent
from stella.journey import services as journey
from stella.journey import tasks
from stella.journey.models import Task
from stella.journey.tests.tasks_setup import actor, backdate, join, register, user
from stella.people.services import AddressIn, DocumentIn, add_address, add_document
from stella.tests.factories import make_municipality


@pytest.fixture
def lra(district):
    make_municipality(district)
    return user(district, "LRA", "caseworker", username="lra-sb")


@pytest.fixture
def aa(district):
    return user(district, "AA", "caseworker", username="aa-sb")


@pytest.fixture
def jc(district):
    return user(district, "JC", "caseworker", username="jc-sb")


@pytest.fixture
def abh(district):
    return user(district, "ABH", "registration", username="abh-sb")


def keys(report, result="created"):
    return sorted((i.source_key, i.agency, i.due_date) for i in report.items if i.result == result)


# --- end of provisional accommodation ------------------------------------------------------------------------


@pytest.mark.parametrize(("admitted", "humanitarian", "end"), [
    (date(2024, 2, 29), False, date(2026, 2, 28)),  # 24 months from a leap day: no 29 Feb in 2026
    (date(2023, 8, 31), True, date(2024, 2, 29)),   # 6 months (§24) into a leap February
    (date(2022, 8, 31), True, date(2023, 2, 28)),
    (date(2024, 3, 15), False, date(2026, 3, 15)),
    (date(2023, 12, 31), True, date(2024, 6, 30)),
])
def test_vu_end_dates(admitted, humanitarian, end):
    assert tasks.vu_end(admitted, humanitarian) == end


def test_vu_end_becomes_a_task_for_the_landratsamt_once(lra, aa):
    person = register(lra)
    join(aa, person)
    address = add_address(actor=actor(lra), person_id=person.pk,
                          address=AddressIn("Ludwigsburg", date(2024, 2, 29), accommodation="vu"))
    backdate(person, date(2015, 1, 1))
    assert tasks.scan_deadlines(date(2025, 12, 1)).created == []  # 89 days before: not yet
    report = tasks.scan_deadlines(date(2026, 1, 15))
    assert keys(report) == [(f"vu-end:{address.pk}", "LRA-LB", date(2026, 2, 28))]
    task = Task.objects.get(source="deadline")
    assert task.agency == lra.agency and task.person == person and task.source == "deadline"
    assert "28.02.2026" in task.title and "24 Monate" in task.reason and "FlüAG" in task.reason
    again = tasks.scan_deadlines(date(2026, 1, 16))
    assert again.created == [] and again.count("exists") == 1 and Task.objects.filter(source="deadline").count() == 1
    assert AuditEvent.objects.filter(object_type="deadline_scan").count() == 3


def test_section_24_holders_leave_after_six_months(lra):
    person = register(lra)
    journey.record_status_event(actor=actor(lra), person_id=person.pk, kind="ae_24", effective_date=date(2023, 8, 31))
    add_address(actor=actor(lra), person_id=person.pk, address=AddressIn("Ludwigsburg", date(2023, 8, 31),
                                                                          accommodation="vu"))
    backdate(person, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2024, 2, 1))
    assert [i.due_date for i in report.created] == [date(2024, 2, 29)]
    assert "§24" in Task.objects.get(source="deadline").reason


def test_moved_out_or_departed_persons_get_no_vu_task(lra):
    moved = register(lra, family="Haddad")
    add_address(actor=actor(lra), person_id=moved.pk, address=AddressIn("Ludwigsburg", date(2024, 1, 10),
                                                                         accommodation="vu"))
    add_address(actor=actor(lra), person_id=moved.pk, address=AddressIn("Ludwigsburg", date(2025, 6, 1),
                                                                         accommodation="au"))
    departed = register(lra, family="Nasser")
    add_address(actor=actor(lra), person_id=departed.pk, address=AddressIn("Ludwigsburg", date(2024, 1, 10),
                                                                            accommodation="vu"))
    journey.record_status_event(actor=actor(lra), person_id=departed.pk, kind="ausreise",
                                effective_date=date(2025, 5, 1))
    backdate(moved, date(2015, 1, 1))
    backdate(departed, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2025, 12, 20))
    assert report.created == []
    assert [(i.person_id, i.reason) for i in report.items] == [(departed.pk, "Die Person ist ausgereist.")]


def test_no_landratsamt_in_the_file_is_reported_not_guessed(jc):
    person = register(jc)
    add_address(actor=actor(jc), person_id=person.pk, address=AddressIn("Ludwigsburg", date(2024, 3, 1),
                                                                         accommodation="vu"))
    backdate(person, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2026, 2, 20))
    assert report.created == [] and report.items[0].result == "skipped"
    assert "Landratsamt" in report.items[0].reason


# --- document expiry -----------------------------------------------------------------------------------------


def test_expiring_document_goes_to_the_counselling_lead_once(jc, aa, abh):
    person = register(jc)
    join(aa, person)
    join(abh, person)
    soon = date(2026, 3, 20)
    doc = add_document(actor=actor(jc), person_id=person.pk,
                       document=DocumentIn("gestattung", "G1234567", date(2025, 9, 20), soon))
    later = add_document(actor=actor(jc), person_id=person.pk,
                         document=DocumentIn("passport", "P7654321", date(2020, 1, 1), date(2026, 6, 30)))
    backdate(person, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2026, 2, 18))  # 30 days before
    assert keys(report) == [(f"doc-expiry:{doc.pk}", "JC-LB", soon)]
    assert "Aufenthaltsgestattung läuft am 20.03.2026 ab" in Task.objects.get(source="deadline").title
    assert tasks.scan_deadlines(date(2026, 2, 18)).created == []
    assert tasks.scan_deadlines(date(2026, 2, 17)).created == []  # already there
    assert later.pk not in {int(i.source_key.split(":")[1]) for i in report.items}
    assert tasks.scan_deadlines(date(2026, 6, 10)).created[0].source_key == f"doc-expiry:{later.pk}"


def test_expiring_document_without_counselling_lead_goes_to_contributing_agencies(abh, aa):
    person = register(abh)  # the ABH leads but may not see counselling tasks
    join(aa, person)
    doc = add_document(actor=actor(abh), person_id=person.pk,
                       document=DocumentIn("duldung", "D1", date(2025, 12, 1), date(2026, 3, 1)))
    backdate(person, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2026, 2, 20))
    assert keys(report) == [(f"doc-expiry:{doc.pk}", "AA-LB", date(2026, 3, 1))]


def test_renewed_document_is_skipped(jc):
    person = register(jc)
    add_document(actor=actor(jc), person_id=person.pk,
                 document=DocumentIn("ae", "A1", date(2023, 3, 1), date(2026, 3, 1)))
    add_document(actor=actor(jc), person_id=person.pk,
                 document=DocumentIn("ae", "A2", date(2026, 2, 1), date(2029, 2, 28)))
    backdate(person, date(2015, 1, 1))
    report = tasks.scan_deadlines(date(2026, 2, 20))
    assert report.created == [] and "neueres Dokument" in report.items[0].reason


# --- end of a wait period --------------------------------------------------------------------------------------


def _asylum_seeker(lra, aa, request: date):
    person = register(lra, nationalities=["SYR"])
    join(aa, person)
    journey.record_status_event(actor=actor(lra), person_id=person.pk, kind="asylgesuch", effective_date=request)
    add_address(actor=actor(lra), person_id=person.pk, address=AddressIn("Ludwigsburg", request, accommodation="vu"))
    backdate(person, date(2015, 1, 1))
    return person


@pytest.mark.parametrize(("request_day", "scan_day", "wait_ends"), [
    (date(2023, 11, 30), date(2024, 2, 10), date(2024, 3, 1)),  # period ends 29.02.2024 (leap year)
    (date(2022, 11, 30), date(2023, 2, 10), date(2023, 3, 1)),  # period ends 28.02.2023
    (date(2024, 5, 31), date(2024, 8, 10), date(2024, 9, 1)),   # 31 → 31.08.
])
def test_wait_end_follows_the_rules_for_agentur_and_landratsamt(lra, aa, request_day, scan_day, wait_ends):
    person = _asylum_seeker(lra, aa, request_day)
    expected = rules.work_permission(rules.WorkPermissionInput(
        reference_date=scan_day, status="gestattung", activity="employment", nationality="SYR",
        asylum_request_date=request_day))
    assert expected.details["wait_ends"] == wait_ends.isoformat()
    report = tasks.scan_deadlines(scan_day)
    rule = expected.details["rule"]
    assert keys(report) == [(f"wait-end:{person.pk}:{rule}", "AA-LB", wait_ends),
                            (f"wait-end:{person.pk}:{rule}", "LRA-LB", wait_ends)]
    assert Task.objects.filter(reason__contains="§61 Abs. 2 AsylG").count() == 2
    assert tasks.scan_deadlines(scan_day).created == []


def test_no_wait_task_before_the_lead_time_or_after_the_wait(lra, aa):
    _asylum_seeker(lra, aa, date(2023, 11, 30))
    assert tasks.scan_deadlines(date(2023, 12, 15)).created == []  # 77 days ahead
    assert tasks.scan_deadlines(date(2024, 3, 5)).created == []  # wait served: no wait_ends any more


def test_recognised_persons_have_no_wait(lra, aa):
    person = _asylum_seeker(lra, aa, date(2023, 11, 30))
    for kind, day, outcome in (("gestattung", date(2023, 12, 5), ""),
                               ("bamf_entscheidung", date(2024, 1, 20), "fluechtlingsschutz"),
                               ("rechtskraft", date(2024, 2, 5), "")):
        journey.record_status_event(actor=actor(lra), person_id=person.pk, kind=kind, effective_date=day,
                                    outcome=outcome)
    assert [i for i in tasks.scan_deadlines(date(2024, 2, 10)).items if i.kind == "wait-end"] == []


# --- command and job -----------------------------------------------------------------------------------------


def test_command_writes_json_lines_and_refuses_a_bad_date(lra, aa, tmp_path):
    _asylum_seeker(lra, aa, date(2023, 11, 30))
    out, err = io.StringIO(), io.StringIO()
    call_command("deadlines", "scan", "--on", "2024-02-10", stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {(x["kind"], x["result"], x["due_date"]) for x in lines} == {("wait-end", "created", "2024-03-01")}
    assert "Wartezeiten: 2 neu" in err.getvalue()
    target = tmp_path / "bericht.jsonl"
    call_command("deadlines", "scan", "--on", "2024-02-10", "--out", str(target), stderr=io.StringIO())
    assert target.read_text(encoding="utf-8") == ""  # nothing new the second time
    with pytest.raises(CommandError, match="Ungültiger Stichtag"):
        call_command("deadlines", "scan", "--on", "2024-02-30")
    with pytest.raises(CommandError, match="Ausgabeverzeichnis"):
        call_command("deadlines", "scan", "--out", str(tmp_path / "fehlt" / "x.jsonl"))


def test_background_job_runs_the_same_scan(lra, aa, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _asylum_seeker(lra, aa, date(2023, 11, 30))
    result = tasks.scan_deadlines_job.using(backend="default").enqueue("2024-02-10")
    assert result.return_value == {"created": 2, "exists": 0, "skipped": 0}
