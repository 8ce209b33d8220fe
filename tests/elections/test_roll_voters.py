"""Issue 18, item 1: every organisation line of a roll names who votes for it.

An organisation with no recorded change of representative that changed it after the record
date got a roll row with no voter (``not_on_roll`` for both people, its weight still in the
quorum's total); on the demo, Lumen Devices, Contoso, Wingtip and Litware had no voter.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps

from core import clock
from core.errors import Conflict
from elections.models import RollEntry
from elections.services.ballots import ballot_cast
from elections.services.roll import roll_correct, roll_freeze
from members.services.organisations import organisation_set_representative
from tests.auth import sign_in
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def _organisation(*, rep=None, created_days_ago: int = 300, name: str = ""):
    """A gold member organisation; its representative was set at creation (no change recorded)."""
    fields = {"legal_name": name} if name else {}
    org = OrganisationFactory(**fields, **({"representative": rep} if rep else {}))
    org.created_at = clock.now() - dt.timedelta(days=created_days_ago)
    org.save(update_fields=["created_at"])
    org.admins.add(UserFactory())
    make_member(organisation=org, class_code="gold", start=clock.now() - dt.timedelta(days=200))
    return org


def _line(election, org):
    return RollEntry.objects.get(election=election, member_number=org.memberships.get().number)


def _nominations_done(elections, election):
    elections.open_nominations(election)
    elections.stand(election, name="Ada")
    return election


def test_a_change_of_representative_after_the_record_date_leaves_the_vote_with_the_one_in_force(elections):
    election = _nominations_done(elections, elections.create())
    first = UserFactory()
    org = _organisation(rep=first)
    # The admin names someone else after the record date, before the roll is frozen.
    clock.freeze(election.record_date + dt.timedelta(hours=1))
    later = UserFactory()
    organisation_set_representative(
        organisation=org, actor=org.admins.get(), email=later.email, role="representative"
    )
    roll_freeze(election=election)
    assert _line(election, org).voter == first


def test_an_organisation_without_any_history_before_the_record_date_votes_through_its_representative(
    elections,
):
    """The demo's sponsors: recorded after the record date, no change of representative on record."""
    election = _nominations_done(elections, elections.create())
    rep = UserFactory()
    org = _organisation(rep=rep, created_days_ago=0)
    org.created_at = election.record_date + dt.timedelta(days=1)
    org.save(update_fields=["created_at"])
    elections.goto(election.record_date)
    election.refresh_from_db()
    assert election.roll_frozen_at is not None
    assert _line(election, org).voter == rep
    elections.goto(election.voting_opens_at)
    ballot_cast(
        election=election,
        voter=rep,
        roll_entry_id=_line(election, org).pk,
        ranks={election.candidates.get().pk: 1},
    )
    assert _line(election, org).has_voted


def test_the_freeze_refuses_a_line_nobody_could_vote_and_names_the_organisation(elections):
    election = _nominations_done(elections, elections.create())
    org = _organisation(name="Voiceless Ltd")
    org.representative = None
    org.save(update_fields=["representative"])
    clock.freeze(election.record_date)
    with pytest.raises(Conflict) as error:
        roll_freeze(election=election)
    assert error.value.code == "roll_line_without_voter"
    assert "Voiceless Ltd" in error.value.message
    assert error.value.detail == {"members": [org.memberships.get().number]}
    election.refresh_from_db()
    assert election.roll_frozen_at is None and not RollEntry.objects.filter(election=election).exists()


def test_the_committee_fixes_the_line_and_the_roll_freezes(elections):
    election = _nominations_done(elections, elections.create())
    org = _organisation(name="Voiceless Ltd")
    org.representative = None
    org.save(update_fields=["representative"])
    roll_correct(
        election=election,
        membership=org.memberships.get(),
        action="exclude",
        reason="No representative named in time",
        actor=RoleFactory(role="election_committee").user,
    )
    elections.goto(election.record_date)
    election.refresh_from_db()
    assert election.roll_frozen_at is not None
    assert not RollEntry.objects.filter(election=election, voter__isnull=True).exists()


def test_the_provisional_roll_page_flags_organisations_without_a_voter(client, elections):
    election = elections.create()
    org = _organisation(name="Voiceless Ltd")
    org.representative = None
    org.save(update_fields=["representative"])
    _organisation(name="Heard Inc")
    user = RoleFactory(role="election_committee").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    page = client.get(f"/manage/elections/{election.slug}/roll/").content.decode()
    assert "1 organisation on the roll has nobody to vote for it." in page
    assert "Voiceless Ltd" in page and org.memberships.get().number in page
    flagged = client.get(f"/manage/elections/{election.slug}/roll/?show=no_voter").content.decode()
    assert "Voiceless Ltd" in flagged and "Heard Inc" not in flagged


def test_the_migration_repairs_rolls_still_open_and_leaves_closed_ones(elections):
    election = _nominations_done(elections, elections.create())
    rep = UserFactory()
    org = _organisation(rep=rep)
    elections.goto(election.record_date)
    election.refresh_from_db()
    RollEntry.objects.filter(election=election).update(voter=None)  # as the old code froze it
    migration = importlib.import_module("elections.migrations.0009_voters_groups_strikes")
    migration.repair_open_rolls(apps, None)
    assert _line(election, org).voter == rep
    assert not RollEntry.objects.filter(election=election, voter__isnull=True).exists()


def test_the_committee_page_says_why_the_roll_is_not_frozen_after_the_record_date(client, elections):
    election = _nominations_done(elections, elections.create())
    org = _organisation(name="Voiceless Ltd")
    org.representative = None
    org.save(update_fields=["representative"])
    elections.goto(election.record_date)  # the schedule tries to freeze, and is refused
    user = RoleFactory(role="election_committee").user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    page = client.get(f"/manage/elections/{election.slug}/").content.decode()
    assert "the roll is not frozen" in page and "?show=no_voter" in page
