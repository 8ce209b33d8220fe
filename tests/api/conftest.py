"""API fixtures: a client, the people of the permission matrix, a small public record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.models import Role
from core.services.api_tokens import api_token_create
from elections.services.ballots import ballot_cast
from governance.services.decisions import policy_create, policy_version_propose
from governance.services.meetings import minutes_draft, minutes_publish
from tests.auth import sign_in
from tests.elections.conftest import Elections, entry_for
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@dataclass
class People:
    """The members and viewers every voting-rights test is about."""

    listed: Any  # an individual in the public directory
    hidden: Any  # an individual not in the directory
    org_person: Any  # not listed, but the alternate of ``org``
    org: Any  # a Gold sponsor's membership
    representative: Any  # the user representing ``org``
    member_user: Any  # an ordinary member, unrelated to all of the above
    viewers: dict[str, Any]  # role name -> user (None for anonymous)


def _member_user(**kwargs: Any) -> Any:
    user = UserFactory(**kwargs)
    make_member(user=user)
    return user


@pytest.fixture
def people(clock: Any, db: Any) -> People:
    listed = make_member(user=UserFactory(full_name="Lisa Listed"), in_directory=True)
    hidden = make_member(user=UserFactory(full_name="Hugo Hidden"), in_directory=False)
    org_person_user = UserFactory(full_name="Olga Orgperson")
    org_person = make_member(user=org_person_user, in_directory=False)
    representative = _member_user(full_name="Rita Representative")
    organisation = OrganisationFactory(
        legal_name="Acme Linux Inc.", representative=representative, alternate=org_person_user
    )
    org = make_member(organisation=organisation, class_code="gold")
    member_user = _member_user(full_name="Max Member")
    staff = _member_user(full_name="Stan Staff", is_staff=True)
    RoleFactory(user=staff, role=Role.STAFF)
    viewers = {
        "anonymous": None,
        "member": member_user,
        "representative": representative,
        "secretary": RoleFactory(role=Role.SECRETARY).user,
        "committee_member": RoleFactory(role=Role.MEMBERSHIP_COMMITTEE).user,
        "committee_chair": RoleFactory(role=Role.ELECTION_COMMITTEE_CHAIR).user,
        "staff": staff,
    }
    return People(listed, hidden, org_person, org, representative, member_user, viewers)


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        sign_in(client, user)  # with the second factor, as a real sign-in of a role holder
    return client


def token_for(user: Any, name: str = "bot") -> str:
    _token, plaintext = api_token_create(user=user, name=name, second_factor=True)
    return plaintext


@pytest.fixture
def board(clock: Any, db: Any) -> Board:
    return Board()


@pytest.fixture
def record(board: Board, clock: Any) -> dict[str, Any]:
    """A small public record: directors, a decision, published minutes, an adopted policy."""
    directors = board.directors(3)
    meeting = board.meeting(title="January meeting")
    minutes = minutes_draft(meeting=meeting, body_md="# Minutes\n\nThe board met.", actor=board.secretary())
    clock.advance(days=30)
    policy = policy_create(slug="code-of-conduct", title="Code of conduct", actor=board.secretary())
    version = policy_version_propose(policy=policy, body_md="Be kind.", actor=board.secretary())
    approval = board.decide(
        meeting=board.meeting(title="February meeting"),
        approves_minutes=minutes,
        adopts_policy_version=version,
    )
    minutes_publish(minutes=minutes, actor=board.secretary())
    return {"directors": directors, "decision": approval, "minutes": minutes, "policy": policy}


@pytest.fixture
def elections(clock: Any, db: Any) -> Elections:
    return Elections()


@pytest.fixture
def counted(elections: Elections) -> tuple[Any, list[str], tuple[Any, ...]]:
    """A counted election (Bob elected), its tracker codes and its voters."""
    election, (ada, bob), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob"])
    codes = [
        ballot_cast(election=election, voter=v, roll_entry_id=entry_for(election, v).pk, ranks=ranks).tracker
        for v, ranks in ((v1, {bob.pk: 1}), (v2, {bob.pk: 1, ada.pk: 2}), (v3, {ada.pk: 1}))
    ]
    election = elections.close(election)
    return election, codes, (v1, v2, v3)
