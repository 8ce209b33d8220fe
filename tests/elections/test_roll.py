"""The voter roll: frozen at the record date, representatives from history, fingerprint, corrections."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from core import clock
from core.errors import Conflict, NotAllowed
from core.models import OutgoingEmail
from elections.models import RollCorrection, RollEntry
from elections.services.roll import canonical_roll_text, roll_correct, roll_freeze
from members.models import Membership, RepresentativeChange
from members.services.transitions import membership_transition
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _org_member(class_code: str = "gold", *, rep=None):
    org = OrganisationFactory(representative=rep or UserFactory())
    org.created_at = clock.now() - dt.timedelta(days=300)
    org.save(update_fields=["created_at"])
    make_member(organisation=org, class_code=class_code, start=clock.now() - dt.timedelta(days=200))
    return org


def _frozen(elections, election):
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    elections.goto(election.record_date)
    election.refresh_from_db()
    return election


def test_roll_has_one_row_per_eligible_member_with_its_class_weight(elections):
    election = elections.create()
    org = _org_member("gold")
    election = _frozen(elections, election)
    row = RollEntry.objects.get(election=election, member_number=org.memberships.get().number)
    assert row.weight == 15 and row.voter == org.representative and row.subject_type == "organisation"


def test_a_person_who_is_member_and_representative_has_two_rows(elections):
    election = elections.create()
    person = elections.member()
    _org_member("silver", rep=person)
    election = _frozen(elections, election)
    assert RollEntry.objects.filter(election=election, voter=person).count() == 2


def test_a_lapsed_member_is_left_off(elections):
    election = elections.create()
    user = elections.member()
    membership = user.memberships.get()
    membership_transition(membership=membership, to_state="lapsed", kind="lapsed", at=clock.now())
    election = _frozen(elections, election)
    assert not RollEntry.objects.filter(election=election, member_number=membership.number).exists()


def test_the_representative_on_record_at_the_record_date_votes_not_a_later_one(elections):
    election = elections.create()
    first, later = UserFactory(), UserFactory()
    org = _org_member("gold", rep=first)
    RepresentativeChange.objects.create(
        organisation=org, role="representative", user=first, changed_at=clock.now() - dt.timedelta(days=100)
    )
    RepresentativeChange.objects.create(
        organisation=org,
        role="representative",
        user=later,
        changed_at=election.record_date + dt.timedelta(hours=1),
    )
    election = _frozen(elections, election)
    assert RollEntry.objects.get(election=election, subject_type="organisation").voter == first


def test_an_alternate_named_after_the_record_date_cannot_vote(elections):
    election = elections.create()
    org = _org_member("gold")
    RepresentativeChange.objects.create(
        organisation=org,
        role="representative",
        user=org.representative,
        changed_at=clock.now() - dt.timedelta(days=100),
    )
    RepresentativeChange.objects.create(
        organisation=org, role="alternate", user=UserFactory(), changed_at=election.record_date
    )
    election = _frozen(elections, election)
    assert RollEntry.objects.get(election=election, subject_type="organisation").alternate is None


def test_fingerprint_is_sha256_of_the_documented_canonical_text(elections):
    """Version 2: one "<token> <weight>" line per row, sorted; the token is the member number of a
    member shown in the directory (organisations always are), else sha256(number + salt)."""
    election = elections.create()
    _org_member("gold")
    election = _frozen(elections, election)
    rows = [
        (n if listed else hashlib.sha256(f"{n}{salt}".encode()).hexdigest(), w)
        for n, w, salt, listed in RollEntry.objects.filter(election=election).values_list(
            "member_number", "weight", "salt", "listed"
        )
    ]
    text = "".join(f"{n} {w}\n" for n, w in sorted(rows))
    assert canonical_roll_text(rows) == text
    assert election.roll_fingerprint == hashlib.sha256(text.encode()).hexdigest()
    assert election.roll_fingerprint_version == 2
    assert election.roll_rows == len(rows) and election.roll_weight == sum(w for _, w in rows)
    assert election.roll_by_class["gold"] == {"rows": 1, "weight": 15}


def test_committee_correction_includes_a_member_with_a_reason(elections):
    election = elections.create()
    user = elections.member()
    membership = user.memberships.get()
    membership_transition(membership=membership, to_state="lapsed", kind="lapsed", at=clock.now())
    roll_correct(
        election=election,
        membership=membership,
        action="include",
        reason="Paid by wire on time",
        actor=RoleFactory(role="election_committee").user,
    )
    election = _frozen(elections, election)
    assert RollEntry.objects.get(election=election, member_number=membership.number).weight == 1


def test_the_roll_cannot_be_corrected_once_frozen(elections):
    election = _frozen(elections, elections.create())
    with pytest.raises(Conflict):
        roll_correct(
            election=election,
            membership=Membership.objects.first(),
            action="exclude",
            reason="x",
            actor=RoleFactory(role="election_committee").user,
        )


@pytest.mark.parametrize("role", [None, "election_observer"])
def test_only_the_committee_corrects_the_roll(elections, role):
    election = elections.create()
    membership = elections.member().memberships.get()
    person = RoleFactory(role=role).user if role else elections.member()
    with pytest.raises(NotAllowed) as exc:
        roll_correct(election=election, membership=membership, action="exclude", reason="x", actor=person)
    assert exc.value.code == "not_committee"
    assert not RollCorrection.objects.exists()


def test_freezing_twice_is_refused(elections):
    election = _frozen(elections, elections.create())
    with pytest.raises(Conflict) as exc:
        roll_freeze(election=election)
    assert exc.value.code == "roll_frozen"


def test_members_who_would_be_left_off_are_told_why_when_the_provisional_roll_is_published(elections):
    election = elections.create()
    user = elections.member()
    membership = user.memberships.get()
    # Their term runs out before the record date (and past the grace period).
    membership.events.update(expires_at=election.record_date - dt.timedelta(days=60))
    elections.goto(election.provisional_roll_at)
    mail = OutgoingEmail.objects.get(purpose="elections.provisional_roll", to=user.email)
    assert "lapsed" in mail.body
    election.refresh_from_db()
    assert election.provisional_notified_at is not None


def test_the_published_canonical_text_hashes_to_the_fingerprint(client, elections):
    election = _frozen(elections, elections.create())
    client.force_login(UserFactory())
    text = client.get(f"/elections/{election.slug}/roll.txt").content
    assert hashlib.sha256(text).hexdigest() == election.roll_fingerprint
