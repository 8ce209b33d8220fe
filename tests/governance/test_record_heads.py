"""Published minutes carry the audit head as (seq, hash) and publish it: truncation is caught from them."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.audit import audit_head, audit_record, audit_verify_chain
from core.models import AuditEntry, AuditHead, PublishedHead
from governance.models import MinutesVersion
from governance.services.meetings import minutes_draft, minutes_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(board, clock):
    board.directors(3)
    minutes = minutes_draft(
        meeting=board.meeting(title="January"), body_md="The board met.", actor=board.secretary()
    )
    clock.advance(days=30)
    board.decide(meeting=board.meeting(title="February"), approves_minutes=minutes)
    return minutes_publish(minutes=minutes, actor=board.secretary())


def test_published_minutes_keep_the_head_seq_and_hash(published):
    seq, digest = audit_head()
    assert (published.audit_head_seq, published.audit_head_hash) == (seq, digest)
    assert AuditEntry.objects.get(seq=seq, hash=digest).action == "minutes.published"


def test_publishing_minutes_publishes_the_head(published):
    head = PublishedHead.objects.get(seq=published.audit_head_seq)
    assert head.hash == published.audit_head_hash and head.reason == "minutes"


def test_the_minutes_page_shows_the_seq_and_hash(client, published):
    body = client.get(f"/governance/minutes/{published.minutes.number}/").content.decode()
    assert f"entry #{published.audit_head_seq}," in body
    assert published.audit_head_hash in body


def test_minutes_published_before_the_seq_was_kept_show_the_hash_alone(client, published):
    MinutesVersion.objects.filter(pk=published.pk).update(audit_head_seq=None)
    body = client.get(f"/governance/minutes/{published.minutes.number}/").content.decode()
    assert published.audit_head_hash in body and "entry #" not in body


def test_the_heads_feed_carries_the_minutes_head(client, published):
    body = client.get("/audit/heads.atom").content.decode()
    assert f"audit-head:{published.audit_head_seq}:{published.audit_head_hash}" in body


def test_a_rewound_truncation_after_the_minutes_is_caught_from_the_saved_minutes_page(
    client, published, tmp_path
):
    # Someone saved the published minutes page (its head: seq and hash) outside Charter.
    page = client.get(f"/governance/minutes/{published.minutes.number}/").content.decode()
    saved = tmp_path / "minutes.html"
    saved.write_text(page)
    heads = tmp_path / "heads.txt"
    heads.write_text(f"{published.audit_head_seq} {published.audit_head_hash}\n")
    assert re.search(rf"audit-head:{published.audit_head_seq}:{published.audit_head_hash}", page)

    # The database's administrator cuts the chain back before the publication and rewinds the head.
    keep = published.audit_head_seq - 1
    for i in range(3):  # later entries make no difference
        audit_record(actor=None, action="test.later", data={"i": i})
    AuditEntry.objects.filter(seq__gt=keep).delete()
    last = AuditEntry.objects.get(seq=keep)
    AuditHead.objects.filter(id=1).update(seq=keep, hash=last.hash)

    assert audit_verify_chain().ok  # the database alone cannot tell
    message = f"published head #{published.audit_head_seq} is no longer in the chain"
    for copy in (heads, saved):
        with pytest.raises(CommandError, match=message):
            call_command("verify_audit_chain", heads=str(copy))


def test_the_api_gives_the_minutes_head_seq_and_hash(client, published):
    body = client.get(f"/api/v1/minutes/{published.minutes.number}/").json()
    [version] = body["versions"]
    assert (version["audit_head_seq"], version["audit_head_hash"]) == (
        published.audit_head_seq,
        published.audit_head_hash,
    )
