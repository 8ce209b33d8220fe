"""Sealed ballots and the election key (elections/sealing.py), and where casting and the close use them."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured

from core.models import AuditEntry
from elections import sealing
from elections.models import Ballot, BallotKey, SealedBallot
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for, opened_ballots

ELECTION = 7


@pytest.fixture
def pair(settings):
    return sealing.generate_key(election_id=ELECTION, candidates=5)


def _private_raw(private):
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_a_sealed_ballot_opens_with_the_election_key_only(pair):
    blob = sealing.seal(
        election_id=ELECTION, public=pair.public, pad_to=pair.pad_to, choices=[3, 1], weight=50
    )
    private = sealing.unwrap_key(election_id=ELECTION, wrapped_private=pair.wrapped_private)
    assert sealing.open_sealed(election_id=ELECTION, private=private, sealed=blob) == ([3, 1], 50)
    other = sealing.unwrap_key(
        election_id=ELECTION,
        wrapped_private=sealing.generate_key(election_id=ELECTION, candidates=5).wrapped_private,
    )
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(election_id=ELECTION, private=other, sealed=blob)


def test_a_sealed_ballot_is_bound_to_its_election_and_refuses_tampering(pair):
    blob = sealing.seal(election_id=ELECTION, public=pair.public, pad_to=pair.pad_to, choices=[1], weight=1)
    private = sealing.unwrap_key(election_id=ELECTION, wrapped_private=pair.wrapped_private)
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(election_id=ELECTION + 1, private=private, sealed=blob)
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(sealing.SealError):
        sealing.open_sealed(election_id=ELECTION, private=private, sealed=flipped)


def test_every_ballot_has_one_length_whatever_its_preferences_and_weight(pair):
    lengths = {
        len(sealing.seal(election_id=ELECTION, public=pair.public, pad_to=pair.pad_to, choices=c, weight=w))
        for c, w in (([], 1), ([9], 1), ([1, 2, 3, 4, 5], 1), ([5, 4], 50), ([2], 5), ([10**18] * 5, 10**9))
    }
    assert len(lengths) == 1


def test_two_sealings_of_the_same_ballot_differ(pair):
    one, two = (
        sealing.seal(election_id=ELECTION, public=pair.public, pad_to=pair.pad_to, choices=[1], weight=1)
        for _ in range(2)
    )
    assert one != two


def test_the_private_key_is_stored_only_wrapped_by_the_key_encryption_key(pair, settings):
    private = sealing.unwrap_key(election_id=ELECTION, wrapped_private=pair.wrapped_private)
    assert _private_raw(private) not in pair.wrapped_private
    settings.BALLOT_KEK = "another-key-encryption-key-of-at-least-32-chars"
    with pytest.raises(sealing.SealError):
        sealing.unwrap_key(election_id=ELECTION, wrapped_private=pair.wrapped_private)


def test_the_key_encryption_key_must_be_long_and_not_the_development_one_in_production():
    with pytest.raises(ImproperlyConfigured):
        sealing.check_kek("", production=False)
    with pytest.raises(ImproperlyConfigured):
        sealing.check_kek("too-short", production=True)
    with pytest.raises(ImproperlyConfigured):
        sealing.check_kek(sealing.DEV_BALLOT_KEK, production=True)
    sealing.check_kek(sealing.DEV_BALLOT_KEK, production=False)
    sealing.check_kek("x" * 40, production=True)


# --- In the services -------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_opening_voting_generates_the_key_and_audits_its_public_half(elections):
    election, _, _ = elections.voting(candidates=["Ada", "Bob"])
    key = BallotKey.objects.get(election=election)
    entry = AuditEntry.objects.get(action="election.voting_opened")
    assert entry.data["ballot_key_sha256"] == hashlib.sha256(bytes(key.public_key)).hexdigest()
    assert key.kek_id == sealing.kek_id()


def test_casting_stores_the_ballot_sealed_never_in_the_clear(elections):
    election, (ada, bob), (voter, *_) = elections.voting(candidates=["Ada", "Bob"])
    ballot_cast(
        election=election,
        voter=voter,
        roll_entry_id=entry_for(election, voter).pk,
        ranks={ada.pk: 1, bob.pk: 2},
    )
    assert not Ballot.objects.filter(election=election).exists()
    (row,) = SealedBallot.objects.filter(election=election)
    assert f"[{ada.pk},{bob.pk}]".encode() not in bytes(row.sealed)
    assert opened_ballots(election) == [([ada.pk, bob.pk], 1)]


def test_sealed_ballots_of_an_election_all_have_one_length(elections):
    election, (ada, bob), voters = elections.voting(candidates=["Ada", "Bob"], voters=3)
    for voter, ranks in zip(voters, ({ada.pk: 1, bob.pk: 2}, {bob.pk: 1}, {}), strict=True):
        ballot_cast(election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks=ranks)
    assert len({len(bytes(s)) for s in SealedBallot.objects.values_list("sealed", flat=True)}) == 1
