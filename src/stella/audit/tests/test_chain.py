"""The audit trail is append-only and its hash chain reveals any change or removal."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from stella.audit.models import AuditEvent
from stella.audit.service import record, verify_chain
from stella.core.actor import Actor

ACTOR = Actor(7, "jc.caseworker", 3, "JC-LB", "JC", frozenset({"caseworker"}), "Beratung")


@pytest.fixture
def chain(db):
    return [record(ACTOR, "read", person_id=i, categories=["identity"]) for i in range(1, 6)]


def test_chain_links_each_event_to_the_previous(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    result = verify_chain()
    assert result.ok and result.checked == 5


def test_application_cannot_update_or_delete(chain):
    event = chain[0]
    event.reason = "x"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update(chain):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2")


def _without_trigger(sql: str) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update")
            cur.execute(sql)
            cur.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute(sql)


def test_verify_detects_altered_entry(chain):
    _without_trigger("UPDATE audit_auditevent SET username = 'someone' WHERE seq = 3")
    result = verify_chain()
    assert not result.ok and any("Eintrag 3" in p for p in result.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_verify_detects_removed_entries(chain):
    _without_trigger("DELETE FROM audit_auditevent WHERE seq = 2")
    assert any("Lücke" in p for p in verify_chain().problems)


def test_verify_detects_removed_tail(chain):
    _without_trigger("DELETE FROM audit_auditevent WHERE seq = 5")
    assert any("Ende der Kette" in p for p in verify_chain().problems)


def test_verify_command_reports_success(chain, capsys):
    call_command("audit", "verify")
    assert "5 Einträge" in capsys.readouterr().out
