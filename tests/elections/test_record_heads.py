"""Certified results carry the audit head as (seq, hash) and publish it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from core.audit import audit_head
from core.models import AuditEntry, AuditHead, PublishedHead
from elections.services.ballots import ballot_cast
from elections.services.results import election_certify
from tests.elections.conftest import entry_for
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(elections):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"])
    for voter, order in zip(voters, ([ada], [ada, bob], [bob]), strict=True):
        ballot_cast(
            election=election,
            voter=voter,
            roll_entry_id=entry_for(election, voter).pk,
            ranks={c.pk: i for i, c in enumerate(order, 1)},
        )
    election = elections.close(election)
    return election_certify(election=election, actor=RoleFactory(role="election_committee_chair").user)


def test_certified_results_keep_the_head_seq_and_hash_and_publish_it(certified):
    assert (certified.certified_head_seq, certified.certified_head_hash) == audit_head()
    head = PublishedHead.objects.get(seq=certified.certified_head_seq)
    assert head.hash == certified.certified_head_hash and head.reason == "election"
    assert AuditEntry.objects.filter(action="election.certified", seq__lte=head.seq).exists()


def test_the_results_page_shows_the_seq_and_hash(client, certified):
    body = client.get(reverse("elections:results", args=[certified.slug])).content.decode()
    assert f"entry #{certified.certified_head_seq}," in body
    assert certified.certified_head_hash in body


def test_the_heads_feed_carries_the_certification_head(client, certified):
    body = client.get("/audit/heads.atom").content.decode()
    assert f"audit-head:{certified.certified_head_seq}:{certified.certified_head_hash}" in body


def test_a_rewound_truncation_before_the_certification_is_caught_from_the_results_page(
    client, certified, tmp_path
):
    saved = tmp_path / "results.html"
    saved.write_text(client.get(reverse("elections:results", args=[certified.slug])).content.decode())
    keep = certified.certified_head_seq - 1
    AuditEntry.objects.filter(seq__gt=keep).delete()
    AuditHead.objects.filter(id=1).update(seq=keep, hash=AuditEntry.objects.get(seq=keep).hash)
    with pytest.raises(CommandError, match=f"published head #{certified.certified_head_seq} is no longer"):
        call_command("verify_audit_chain", heads=str(saved))


def test_the_api_gives_the_certification_head(client, certified):
    body = client.get(f"/api/v1/elections/{certified.slug}/results/").json()
    assert (body["certified_head_seq"], body["certified_head_hash"]) == (
        certified.certified_head_seq,
        certified.certified_head_hash,
    )
