"""The voting-rights API's precompiled statement loads what the ORM's ``rights_memberships``
loads: every field of the membership, its user, organisation, standing and event, and the id
of the rule set in force, with no query when the relations are read; and the plain-dict answer
is the JSON the documented serializer gives."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from core import clock as core_clock
from members.api.serializers import VotingRightsSerializer, rights_answer
from members.models import Membership, MembershipStanding
from members.rights import RULE_SET_AT, Reason, VotingRights, rights_memberships, voting_rights
from members.rights_loader import membership_for_rights, membership_of_for_rights
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.members.histories import apply_op

pytestmark = pytest.mark.django_db


def _fields(obj):
    return None if obj is None else [getattr(obj, f.attname) for f in obj._meta.concrete_fields]


def _related(m):
    standing = getattr(m, "standing", None)
    return {
        "membership": _fields(m),
        "user": _fields(m.user),
        "organisation": _fields(m.organisation),
        "standing": _fields(standing),
        "event": _fields(standing.event if standing else None),
        "rule_set": getattr(m, RULE_SET_AT),
    }


def _both(membership, at):
    orm = rights_memberships(at).get(pk=membership.pk)
    with CaptureQueriesContext(connection) as ctx:
        fast = membership_for_rights(
            number=membership.number, organisation=membership.organisation_id is not None, at=at
        )
        loaded = _related(fast)
    assert len(ctx.captured_queries) == 1  # the statement; reading the relations costs nothing
    return _related(orm), loaded, orm, fast


@pytest.fixture
def members(clock):
    person = make_member(user=UserFactory(full_name="Ada Lovelace"), in_directory=True)
    sponsor = make_member(organisation=OrganisationFactory(legal_name="Acme"), class_code="gold")
    suspended = make_member()
    apply_op("suspend", suspended)
    applicant = Membership.objects.create(user=UserFactory(), class_code="individual")  # no history
    bare = make_member()
    MembershipStanding.objects.filter(membership=bare).delete()  # a history without its row
    return [person, sponsor, suspended, applicant, bare]


def test_every_field_equals_the_orm_and_the_answers_agree(members, clock):
    for at in (
        core_clock.now(),
        core_clock.now() + dt.timedelta(days=400),
        core_clock.now() - dt.timedelta(days=30),
    ):
        for membership in members:
            orm_fields, fast_fields, orm, fast = _both(membership, at)
            assert fast_fields == orm_fields, membership
            assert voting_rights(subject=fast, at=at) == voting_rights(subject=orm, at=at)
            # By the membership, its person or its organisation: the same rows, one query.
            for subject in (
                Membership.objects.get(pk=membership.pk),
                membership.user or membership.organisation,
            ):
                with CaptureQueriesContext(connection) as ctx:
                    loaded = _related(membership_of_for_rights(subject=subject, at=at))
                assert loaded == orm_fields, subject
                assert len(ctx.captured_queries) == 1


def test_someone_without_a_membership_has_none(members, clock):
    from django.contrib.auth.models import AnonymousUser

    now = core_clock.now()
    assert membership_of_for_rights(subject=UserFactory(), at=now) is None
    assert membership_of_for_rights(subject=OrganisationFactory(), at=now) is None
    assert membership_of_for_rights(subject=AnonymousUser(), at=now) is None


def test_a_moment_before_any_rule_set_has_no_rule_set(members):
    at = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
    orm_fields, fast_fields, *_ = _both(members[0], at)
    assert fast_fields["rule_set"] is None
    assert fast_fields == orm_fields


def test_the_kind_of_subject_must_match_and_unknown_numbers_find_nothing(members, clock):
    person, sponsor = members[0], members[1]
    now = core_clock.now()
    assert membership_for_rights(number=person.number, organisation=True, at=now) is None
    assert membership_for_rights(number=sponsor.number, organisation=False, at=now) is None
    assert membership_for_rights(number="M-0000-0000", organisation=False, at=now) is None
    assert membership_for_rights(number=sponsor.number, organisation=True, at=now).pk == sponsor.pk


_moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
_text = st.text(max_size=30)


@given(
    rights=st.builds(
        VotingRights,
        subject=_text,
        subject_type=st.sampled_from(["individual", "organisation"]),
        name=_text,
        eligible=st.booleans(),
        weight=st.integers(min_value=0, max_value=10_000),
        class_code=_text,
        class_name=_text,
        standing=st.sampled_from(["active", "grace", "lapsed", "none"]),
        reasons=st.lists(
            st.builds(Reason, code=_text, message=_text, since=st.none() | _moments), max_size=3
        ),
        as_of=_moments,
        rule_set_version=st.none() | st.integers(min_value=1, max_value=1000),
    ),
    full=st.booleans(),
    election=st.sampled_from(["", "board-2026"]),
)
def test_the_plain_answer_is_the_serializers_json(rights, full, election):
    documented = dict(VotingRightsSerializer(rights).data)
    if election:
        documented["election"] = election
    if not full:
        documented.pop("standing")
        documented.pop("reasons")
        documented["subject"] = {k: v for k, v in documented["subject"].items() if k != "name"}
    render = JSONRenderer().render
    assert render(rights_answer(rights, full=full, election=election)) == render(documented)
    assert json.loads(render(documented))  # the comparison is of real JSON


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: prepared statements")
@pytest.mark.parametrize("enabled", [True, False])
def test_on_postgresql_the_statement_is_prepared_once_per_connection(members, clock, settings, enabled):
    settings.DB_PREPARED_STATEMENTS = enabled
    person = members[0]
    for _ in range(3):
        found = membership_for_rights(number=person.number, organisation=False, at=core_clock.now())
        assert found.pk == person.pk
    ours = [s for s in _prepared_statements() if "members_membershipstanding" in s]
    assert len(ours) == (1 if enabled else 0)
