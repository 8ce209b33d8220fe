"""Nominations: who may nominate whom, acceptance with a frozen employer, withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError

from core import clock
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import OutgoingEmail
from elections.models import Candidate, CandidateState, Nomination
from elections.selectors import candidate_group, public_candidates
from elections.services.nominations import candidate_accept, candidate_withdraw, nomination_create
from members.selectors import group_of_organisation
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(elections):
    return elections.open_nominations(elections.create())


def test_a_member_nominates_someone_and_the_nominee_is_emailed(elections, election):
    nominator, nominee = elections.member(), elections.member(name="Ada")
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=nominee, actor=nominator
    )
    candidate = Candidate.objects.get(election=election, person=nominee)
    assert candidate.state == CandidateState.NOMINATED
    assert OutgoingEmail.objects.filter(to=nominee.email, purpose="elections.nominated").exists()


def test_members_cannot_nominate_themselves(elections, election):
    me = elections.member()
    with pytest.raises(ValidationFailed) as exc:
        nomination_create(election=election, nominator=me.memberships.get(), nominee=me, actor=me)
    assert exc.value.code == "self_nomination"


def test_a_member_nominates_at_most_one_person(elections, election):
    nominator = elections.member()
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=elections.member(), actor=nominator
    )
    with pytest.raises(Conflict) as exc:
        nomination_create(
            election=election,
            nominator=nominator.memberships.get(),
            nominee=elections.member(),
            actor=nominator,
        )
    assert exc.value.code == "already_nominated"


def test_the_database_allows_one_nomination_per_nominator(elections, election):
    nominator = elections.member()
    first = nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=elections.member(), actor=nominator
    )
    with pytest.raises(IntegrityError):
        Nomination.objects.create(
            election=election, nominator=first.nominator, nominated_by=nominator, candidate=first.candidate
        )


def test_nobody_nominates_on_behalf_of_someone_else(elections, election):
    nominator, intruder = elections.member(), elections.member()
    with pytest.raises(NotAllowed) as exc:
        nomination_create(
            election=election,
            nominator=nominator.memberships.get(),
            nominee=elections.member(),
            actor=intruder,
        )
    assert exc.value.code == "not_nominator"


def test_an_organisation_nominates_only_its_own_people(elections, election):
    rep = elections.member()
    org = OrganisationFactory(representative=rep)
    make_member(organisation=org, class_code="gold", start=clock.now() - dt.timedelta(days=200))
    with pytest.raises(ValidationFailed) as exc:
        nomination_create(
            election=election, nominator=org.memberships.get(), nominee=elections.member(), actor=rep
        )
    assert exc.value.code == "not_own_person"
    colleague = elections.member()
    org.admins.add(colleague)
    nomination_create(election=election, nominator=org.memberships.get(), nominee=colleague, actor=rep)


def test_a_member_who_missed_renewal_cannot_nominate(elections, election):
    nominator = elections.member()
    nominator.memberships.get().events.update(expires_at=clock.now() - dt.timedelta(days=40))
    with pytest.raises(NotAllowed) as exc:
        nomination_create(
            election=election,
            nominator=nominator.memberships.get(),
            nominee=elections.member(),
            actor=nominator,
        )
    assert exc.value.code == "nominator_not_in_good_standing"


def test_a_nominee_in_good_standing_for_too_few_days_is_refused_with_the_reason(elections, election):
    nominator = elections.member()
    newcomer = UserFactory()
    make_member(user=newcomer, start=clock.now() - dt.timedelta(days=59))
    with pytest.raises(Conflict) as exc:
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=newcomer, actor=nominator
        )
    assert exc.value.code == "nominee_not_in_good_standing"
    assert "60 days" in exc.value.message


def test_election_committee_members_cannot_stand(elections, election):
    nominator, member = elections.member(), elections.member()
    RoleFactory(user=member, role="election_committee")
    with pytest.raises(Conflict) as exc:
        nomination_create(
            election=election, nominator=nominator.memberships.get(), nominee=member, actor=nominator
        )
    assert exc.value.code == "nominee_on_committee"


def test_election_committee_members_cannot_nominate(elections, election):
    chair = elections.member()
    RoleFactory(user=chair, role="election_committee_chair")
    with pytest.raises(NotAllowed) as exc:
        nomination_create(
            election=election, nominator=chair.memberships.get(), nominee=elections.member(), actor=chair
        )
    assert exc.value.code == "committee_member"


def test_nominating_outside_the_window_is_refused(elections):
    election = elections.create()
    nominator = elections.member()
    with pytest.raises(Conflict) as exc:
        nomination_create(
            election=election,
            nominator=nominator.memberships.get(),
            nominee=elections.member(),
            actor=nominator,
        )
    assert exc.value.code == "nominations_closed"


def test_accepting_freezes_statement_and_employer(elections, election):
    employer = OrganisationFactory(corporate_group="MegaCorp")
    candidate = elections.stand(election, name="Ada", employer=employer)
    assert candidate.state == CandidateState.ACCEPTED
    assert candidate.employer_name == employer.legal_name
    assert candidate_group(candidate) == group_of_organisation(employer)
    assert candidate_group(candidate).label == "MegaCorp"
    with pytest.raises(Conflict):
        candidate_accept(candidate=candidate, statement="again", employer=None, actor=candidate.person)


def test_only_the_nominee_accepts(elections, election):
    nominator, nominee = elections.member(), elections.member()
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=nominee, actor=nominator
    )
    candidate = Candidate.objects.get(person=nominee)
    with pytest.raises(NotAllowed):
        candidate_accept(candidate=candidate, statement="x", employer=None, actor=nominator)


def test_a_candidate_may_withdraw_before_voting(elections, election):
    candidate = elections.stand(election, name="Ada")
    withdrawn = candidate_withdraw(candidate=candidate, actor=candidate.person)
    assert withdrawn.state == CandidateState.WITHDRAWN and not withdrawn.withdrawn_after_voting_opened


def test_public_list_shows_each_candidate_with_their_nominators(elections, election):
    candidate = elections.stand(election, name="Ada")
    (listed,) = public_candidates(election=election)
    assert listed == candidate
    assert [n.nominator.subject_name for n in listed.nominations.all()] != []
