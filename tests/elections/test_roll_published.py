"""The published roll respects the directory: hidden members appear as sha256(number + salt).

The fingerprint (version 2) is over the published lines, so anyone can verify it and each
member can find their own line; rolls fingerprinted before (version 1) keep their recorded
fingerprint, verifiable by the committee. The lines are deleted after the retention period.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.models import AuditEntry
from elections.models import ElectionState, RollEntry
from elections.services.ballots import ballot_cast
from elections.services.results import election_certify
from elections.services.roll import canonical_roll_text, roll_purge_expired
from tests.auth import sign_in
from tests.elections.conftest import entry_for
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(elections):
    election = elections.create()
    hidden = elections.member(name="Hidden Person")  # not in the directory (the default)
    listed = elections.member(name="Listed Person", in_directory=True)
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.record_date)
    election.refresh_from_db()
    return election, hidden, listed


def _number(user):
    return user.memberships.get().number


def test_a_hidden_members_number_is_not_published_but_its_salted_hash_is(client, frozen):
    election, hidden, listed = frozen
    client.force_login(UserFactory())
    text = client.get(f"/elections/{election.slug}/roll.txt").content.decode()
    entry = entry_for(election, hidden)
    assert _number(hidden) not in text
    assert f"{hashlib.sha256((entry.member_number + entry.salt).encode()).hexdigest()} 1\n" in text
    assert f"{_number(listed)} 1\n" in text
    assert entry.salt not in text


def test_the_fingerprint_is_the_sha256_of_the_published_lines(client, frozen):
    election, _, _ = frozen
    client.force_login(UserFactory())
    text = client.get(f"/elections/{election.slug}/roll.txt").content
    assert election.roll_fingerprint_version == 2
    assert hashlib.sha256(text).hexdigest() == election.roll_fingerprint


def test_a_member_sees_their_own_salt_and_line_and_nobody_elses(client, frozen):
    election, hidden, listed = frozen
    entry = entry_for(election, hidden)
    client.force_login(hidden)
    own = client.get(f"/elections/{election.slug}/roll/").content.decode()
    assert (
        entry.salt in own and hashlib.sha256((entry.member_number + entry.salt).encode()).hexdigest() in own
    )
    client.force_login(listed)
    other = client.get(f"/elections/{election.slug}/roll/").content.decode()
    assert entry.salt not in other and entry.member_number not in other


def test_the_committee_gets_every_line_with_its_number_and_salt(client, frozen):
    election, hidden, _ = frozen
    committee = RoleFactory(role="election_committee").user
    TOTP.activate(committee, generate_totp_secret())
    sign_in(client, committee)
    text = client.get(f"/manage/elections/{election.slug}/roll/lines.txt").content.decode()
    entry = entry_for(election, hidden)
    assert f"{entry.member_number} {entry.salt} hidden" in text


def test_listing_is_frozen_with_the_roll_so_the_fingerprint_never_changes(client, frozen):
    election, hidden, _ = frozen
    hidden.memberships.update(in_directory=True)
    client.force_login(UserFactory())
    text = client.get(f"/elections/{election.slug}/roll.txt").content
    assert hashlib.sha256(text).hexdigest() == election.roll_fingerprint


def test_a_version_1_roll_keeps_its_fingerprint_verifiable_by_the_committee(client, frozen):
    """A roll frozen before published lines were hashed: its recorded fingerprint is over numbers."""
    election, hidden, _ = frozen
    rows = list(RollEntry.objects.filter(election=election).values_list("member_number", "weight"))
    v1 = hashlib.sha256(canonical_roll_text(rows).encode()).hexdigest()
    RollEntry.objects.filter(election=election).update(listed=None)
    election.roll_fingerprint, election.roll_fingerprint_version = v1, 1
    election.save(update_fields=["roll_fingerprint", "roll_fingerprint_version"])
    committee = RoleFactory(role="election_committee").user
    TOTP.activate(committee, generate_totp_secret())
    sign_in(client, committee)  # with the second factor: the committee's view
    assert hashlib.sha256(client.get(f"/elections/{election.slug}/roll.txt").content).hexdigest() == v1
    client.force_login(UserFactory())
    public = client.get(f"/elections/{election.slug}/roll.txt").content.decode()
    assert _number(hidden) not in public, "the directory decides, now, for an old roll"
    page = client.get(f"/elections/{election.slug}/roll/").content.decode()
    assert "version 1" in page


# --- Retention ---------------------------------------------------------------------------------


@pytest.fixture
def certified(elections):
    election, (ada,), (voter, *_) = elections.voting(candidates=["Ada"])
    ballot_cast(
        election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
    )
    election = elections.close(election)
    chair = RoleFactory(role="election_committee_chair").user
    return election_certify(election=election, actor=chair)


def test_the_roll_lines_are_deleted_after_the_retention_period_keeping_fingerprint_and_totals(
    certified, clock, client
):
    election = certified
    assert election.state == ElectionState.CERTIFIED
    fingerprint, rows = election.roll_fingerprint, election.roll_rows
    clock.set(election.certified_at + dt.timedelta(days=89))
    assert roll_purge_expired() == []
    assert RollEntry.objects.filter(election=election).exists()
    clock.set(election.certified_at + dt.timedelta(days=90))
    assert roll_purge_expired() == [f"{election.slug}: roll lines deleted"]
    election.refresh_from_db()
    assert not RollEntry.objects.filter(election=election).exists()
    assert election.roll_fingerprint == fingerprint and election.roll_rows == rows and election.roll_purged_at
    assert AuditEntry.objects.filter(action="election.roll_purged").count() == 1
    client.force_login(UserFactory())
    assert client.get(f"/elections/{election.slug}/roll.txt").status_code == 404
    assert "were deleted on" in client.get(f"/elections/{election.slug}/roll/").content.decode()
    assert roll_purge_expired() == [], "safe to run twice"
