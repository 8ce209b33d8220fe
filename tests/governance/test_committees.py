"""Committees grant the roles permissions read; the permissions others rely on keep working."""

from __future__ import annotations

import pytest

from core.errors import Conflict
from core.models import RoleAssignment
from elections.permissions import can_certify_election, can_run_election
from governance.models import CommitteeKind
from governance.services.committees import committee_create, committee_member_add, committee_member_end
from members.permissions import can_review_applications
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_membership_committee_member_reviews_applications(clock):
    committee = committee_create(slug="mc", name="Membership committee", kind=CommitteeKind.MEMBERSHIP)
    person = UserFactory()
    committee_member_add(committee=committee, person=person)
    assert can_review_applications(person)


def test_a_plain_role_assignment_still_reviews_applications(clock):
    assert can_review_applications(RoleFactory(role="membership_committee").user)


def test_leaving_the_committee_ends_the_permission(clock):
    committee = committee_create(slug="mc", name="Membership committee", kind=CommitteeKind.MEMBERSHIP)
    person = UserFactory()
    membership = committee_member_add(committee=committee, person=person)
    clock.advance(days=1)
    committee_member_end(membership=membership)
    person = type(person).objects.get(pk=person.pk)  # roles are cached per request on the user
    assert not can_review_applications(person)
    assert RoleAssignment.objects.filter(user=person).exclude(ends_at=None).exists()


def test_only_the_election_committee_runs_elections(clock):
    committee = committee_create(slug="ec", name="Election committee", kind=CommitteeKind.ELECTION)
    member, outsider = UserFactory(), UserFactory()
    committee_member_add(committee=committee, person=member)
    assert can_run_election(member)
    assert not can_run_election(outsider)
    assert not can_review_applications(member)


def test_the_election_committee_chair_certifies(clock):
    committee = committee_create(slug="ec", name="Election committee", kind=CommitteeKind.ELECTION)
    chair, member = UserFactory(), UserFactory()
    committee_member_add(committee=committee, person=chair, is_chair=True)
    committee_member_add(committee=committee, person=member)
    assert can_certify_election(chair)
    assert not can_certify_election(member)


def test_a_committee_has_one_chair(clock):
    committee = committee_create(slug="ec", name="Election committee", kind=CommitteeKind.ELECTION)
    committee_member_add(committee=committee, person=UserFactory(full_name="First Chair"), is_chair=True)
    with pytest.raises(Conflict) as exc:
        committee_member_add(committee=committee, person=UserFactory(), is_chair=True)
    assert "First Chair" in exc.value.message


def test_the_committees_page_lists_members(client, clock):
    committee = committee_create(slug="mc", name="Membership committee", kind=CommitteeKind.MEMBERSHIP)
    committee_member_add(committee=committee, person=UserFactory(full_name="Noor Valdés"), is_chair=True)
    body = client.get("/governance/committees/").content.decode()
    assert "Noor Valdés" in body
