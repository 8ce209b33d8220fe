"""Published heads: a truncated chain with a rewound head is caught from heads kept outside."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.audit import (
    audit_check_heads,
    audit_entries_about,
    audit_head,
    audit_publish_head,
    audit_record,
    audit_verify_chain,
    parse_heads,
)
from core.models import AuditEntry, AuditHead, PublishedHead, RuleSet
from core.tasks import publish_audit_head

pytestmark = pytest.mark.django_db


def _append(n: int) -> None:
    for i in range(n):
        audit_record(actor=None, action="test.event", data={"i": i})


def _truncate_and_rewind(keep: int) -> None:
    """What a database administrator could do: cut the newest entries and move the head back."""
    AuditEntry.objects.filter(seq__gt=keep).delete()
    last = AuditEntry.objects.get(seq=keep)
    AuditHead.objects.filter(id=1).update(seq=keep, hash=last.hash)


def _saved_feed(client) -> str:
    response = client.get("/audit/heads.atom")
    assert response.status_code == 200
    return response.content.decode()


def test_a_rewound_truncation_fools_the_plain_check_but_not_the_published_heads(client, tmp_path):
    _append(5)
    audit_publish_head()
    _append(3)
    audit_publish_head()
    feed = tmp_path / "heads.atom"
    feed.write_text(_saved_feed(client))

    _truncate_and_rewind(keep=6)

    assert audit_verify_chain().ok  # the database alone cannot tell
    with pytest.raises(CommandError, match="published head #8 is no longer in the chain"):
        call_command("verify_audit_chain", heads=str(feed))


def test_an_intact_chain_passes_with_its_heads(client, tmp_path):
    _append(4)
    audit_publish_head()
    feed = tmp_path / "heads.atom"
    feed.write_text(_saved_feed(client))
    _append(2)  # later entries do not matter
    call_command("verify_audit_chain", heads=str(feed))


def test_a_rewritten_entry_at_a_published_head_is_named():
    _append(3)
    audit_publish_head()
    seq, digest = audit_head()
    report = audit_check_heads([(seq, "f" * 64)])
    assert not report.ok and report.first_bad_seq == seq and "rewritten" in report.problem
    assert audit_check_heads([(seq, digest)]).ok


def test_heads_are_read_from_the_api_json_and_from_plain_lines(client):
    _append(2)
    audit_publish_head()
    body = client.get("/api/v1/audit/heads/").json()
    seq, digest = audit_head()
    assert body["results"][0]["seq"] == seq and body["results"][0]["hash"] == digest
    assert parse_heads(json.dumps(body)) == [(seq, digest)]
    assert parse_heads(f"\ufeff{seq} {digest}\n# a comment\n") == [(seq, digest)]


def test_a_file_without_heads_is_refused(tmp_path):
    _append(1)
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here")
    with pytest.raises(CommandError, match="no published heads"):
        call_command("verify_audit_chain", heads=str(empty))


def test_publishing_twice_adds_nothing_and_the_daily_task_publishes():
    _append(2)
    assert publish_audit_head() == 2
    assert publish_audit_head() == 2
    assert PublishedHead.objects.count() == 1


def test_entries_about_a_moved_model_are_found_under_its_old_label_too():
    rule_set = RuleSet.objects.order_by("version").first()
    old = audit_record(actor=None, action="rules.adopted", obj=rule_set)
    AuditEntry.objects.filter(pk=old.pk).update(object_type="governance.ruleset")  # as written before
    new = audit_record(actor=None, action="rules.noted", obj=rule_set)
    assert new.object_type == "core.ruleset"
    assert set(audit_entries_about(rule_set).values_list("pk", flat=True)) == {old.pk, new.pk}


def test_the_feed_links_to_the_site_url_not_example_com(client, settings):
    from django.contrib.sites.models import Site

    from core.sites import site_sync

    settings.SITE_URL = "https://charter.example.org"
    site_sync()
    assert Site.objects.get_current().domain == "charter.example.org"
    _append(1)
    audit_publish_head()
    body = _saved_feed(client)
    assert "example.com" not in body
    assert "https://charter.example.org/audit/heads.atom" in body or "//charter.example.org/" in body
