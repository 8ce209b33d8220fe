"""The audit chain: intact chains verify; any edit or deletion is caught and named."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from core.audit import GENESIS_HASH, audit_head_hash, audit_record, audit_verify_chain
from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _append(n: int) -> None:
    for i in range(n):
        audit_record(actor=None, action="test.event", data={"i": i})


def test_entries_link_to_their_predecessor():
    _append(3)
    first, second, third = AuditEntry.objects.order_by("seq")
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert audit_head_hash() == third.hash
    assert audit_verify_chain().ok


def test_actor_is_an_opaque_reference_not_personal_data():
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace")
    entry = audit_record(actor=user, action="test.event", obj=user)
    stored = f"{entry.actor_ref} {entry.object_ref} {entry.data}"
    assert str(user.public_id) in entry.actor_ref
    assert "ada@example.org" not in stored and "Lovelace" not in stored


def test_an_edited_entry_breaks_the_chain_and_is_named():
    _append(5)
    AuditEntry.objects.filter(seq=3).update(data={"i": 99})  # bypasses the model's guard
    report = audit_verify_chain()
    assert not report.ok and report.first_bad_seq == 3
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit_chain")


def test_a_deleted_entry_in_the_middle_is_caught():
    _append(5)
    AuditEntry.objects.filter(seq=2).delete()  # QuerySet.delete bypasses the model's guard
    report = audit_verify_chain()
    assert not report.ok and report.first_bad_seq == 2


def test_deleting_the_newest_entry_is_caught_by_the_head():
    _append(4)
    AuditEntry.objects.filter(seq=4).delete()
    report = audit_verify_chain()
    assert not report.ok and report.first_bad_seq == 4


def test_models_refuse_updates_and_deletes():
    entry = audit_record(actor=None, action="test.event")
    entry.action = "changed"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_verify_command_succeeds_on_an_intact_chain(capsys):
    _append(2)
    call_command("verify_audit_chain")
    assert "2 entries" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    """Eight threads, each its own connection and transactions, append 25 entries each."""
    threads_n, per_thread = 8, 25
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                audit_record(actor=None, action="test.concurrent", data={"thread": k, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert connection.vendor == "postgresql"
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_n * per_thread + 1))
    assert audit_verify_chain().ok
