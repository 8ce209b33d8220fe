"""Whatever the bylaws govern is read-only in the Django admin, even for a superuser.

Every change to roles, rule sets, classes and weights, memberships, seats, committees,
elections, decisions, minutes, policies or invoices goes through a service that checks who
acts and writes an audit entry; the admin only shows. Ballots (sealed or opened), election
keys, trackers, roll entries and pending receipts are not in the admin at all.
"""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from core.models import RoleAssignment, RuleSet, User
from core.rules import rules_in_force
from demo.elections import seed_elections
from demo.governance import seed_governance
from demo.members import seed_members, seed_people
from elections.models import (
    Ballot,
    BallotKey,
    Candidate,
    Election,
    ElectionRules,
    Nomination,
    PendingReceipt,
    RollEntry,
    SealedBallot,
    Tracker,
)
from governance.models import (
    Cohort,
    Committee,
    CommitteeMembership,
    Decision,
    Meeting,
    Minutes,
    MinutesVersion,
    Policy,
    PolicyVersion,
    Seat,
    SeatHolding,
    Vote,
)
from members.billing.models import Invoice, Payment
from members.models import Membership, MembershipApplication, MembershipClass, Organisation
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

GOVERNED: list[type[models.Model]] = [
    RoleAssignment,
    RuleSet,
    MembershipClass,
    Membership,
    MembershipApplication,
    Organisation,
    Cohort,
    Seat,
    SeatHolding,
    Committee,
    CommitteeMembership,
    Election,
    ElectionRules,
    Candidate,
    Nomination,
    Meeting,
    Decision,
    Vote,
    Minutes,
    MinutesVersion,
    Policy,
    PolicyVersion,
    Invoice,
    Payment,
]
#: What the admin may still edit: accounts (with the audited two-factor reset action), groups,
#: allauth's email addresses and the site name. None of it is governed by the bylaws.
WRITABLE = {"core.User", "auth.Group", "account.EmailAddress", "sites.Site"}
#: Together these would link a voter to a ballot: never shown, not even read-only.
SECRET = [Ballot, Tracker, RollEntry, PendingReceipt, SealedBallot, BallotKey]


@pytest.fixture
def superuser() -> User:
    return cast(User, UserFactory(is_staff=True, is_superuser=True))


def _request(user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("model", GOVERNED, ids=lambda m: m._meta.label)
def test_governed_models_are_read_only_for_a_superuser(model, superuser):
    model_admin = admin.site._registry[model]
    request = _request(superuser)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request, None):
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request, None)
        assert not inline.has_delete_permission(request, None)


def test_every_model_in_the_admin_is_read_only_unless_listed(superuser):
    request = _request(superuser)
    writable = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    }
    assert writable <= WRITABLE


@pytest.mark.parametrize("model", SECRET, ids=lambda m: m._meta.label)
def test_ballots_trackers_roll_entries_and_receipts_are_not_in_the_admin(model):
    assert not admin.site.is_registered(model)


@pytest.fixture
def admin_client(client: Any, superuser: User) -> Any:
    sign_in(client, superuser)
    return client


def _change_url(obj: models.Model) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


@pytest.mark.parametrize(
    ("build", "field", "posted"),
    [
        (lambda: rules_in_force(), "board_max_size", "99"),
        (lambda: MembershipClass.objects.filter(rule_set=rules_in_force()).first(), "vote_weight", "1000"),
        (lambda: RoleFactory(role="director"), "role", "chair"),
        (lambda: make_member(), "class_code", "platinum"),
    ],
    ids=["rule_set", "class_weight", "role", "membership"],
)
def test_a_post_to_a_change_page_changes_nothing(clock, admin_client, build, field, posted):
    obj = build()
    before = getattr(obj, field)
    response = admin_client.post(_change_url(obj), {field: posted})
    assert response.status_code == 403
    obj.refresh_from_db()
    assert getattr(obj, field) == before


def test_adding_through_the_admin_is_refused(admin_client):
    before = RuleSet.objects.count()
    response = admin_client.post("/admin/core/ruleset/add/", {"version": "77", "name": "Back door"})
    assert response.status_code == 403
    assert RuleSet.objects.count() == before


def test_every_change_page_opens_read_only_and_refuses_a_post(admin_client):
    out = io.StringIO()
    seed_members(stdout=out, people=seed_people(stdout=out))
    seed_governance(stdout=out)
    seed_elections(stdout=out)
    opened = 0
    for model in admin.site._registry:
        if model._meta.label in WRITABLE:
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        url = _change_url(obj)
        page = admin_client.get(url)
        assert page.status_code == 200, url
        assert b'name="_save"' not in page.content, url
        assert admin_client.post(url, {}).status_code == 403, url
        assert admin_client.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403, url
        assert model._default_manager.filter(pk=obj.pk).exists()
        opened += 1
    assert opened >= len(GOVERNED)
