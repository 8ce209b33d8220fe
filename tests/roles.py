"""Builders for the URL x role table: one person per role, and what a response amounts to.

Each role holder holds exactly one role (so a page open to "the secretary" is not also
opened by a director role the same person happens to hold) and has TOTP turned on, as
the middleware requires on /admin/ and /manage/. :func:`sign_in` stands for a session
that passed allauth's two-factor stage: it writes allauth's authentication records
(password, then TOTP) into the session, as allauth's login flow does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client

from core.models import Role, User
from members.models import Membership, Organisation
from tests import auth
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

#: Who the table asks about, in column order.
ANONYMOUS = "anonymous"
MEMBER = "member"  # an individual member, no role
SPONSOR = "sponsor"  # the representative of a sponsoring organisation, no role
SUPERUSER = "superuser"  # is_staff and is_superuser, TOTP on: acts as every role
NO_TOTP = "no_totp"  # a membership committee member who has not turned TOTP on
ROLES: tuple[str, ...] = tuple(Role.values)
ACTORS: tuple[str, ...] = (ANONYMOUS, MEMBER, SPONSOR, *ROLES, SUPERUSER, NO_TOTP)
NO_TOTP_ROLE = Role.MEMBERSHIP_COMMITTEE

# What a response amounts to.
OK = 200
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # a POST-only page asked with GET
LOGIN = "302 login"  # to /accounts/login/
LOGIN_PATH = "/accounts/login/"
TWO_FA = "302 two-factor set-up"  # to the TOTP activation page
ADMIN_LOGIN = "302 admin login"  # Django admin's own login page
ELSEWHERE = "302 elsewhere"  # any other redirect (a page that sends you on, e.g. to your dashboard)

Outcome = int | str


def outcome(response: HttpResponseBase) -> Outcome:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(LOGIN_PATH):
            return LOGIN
        if location.startswith(settings.MFA_ACTIVATE_TOTP_URL):
            return TWO_FA
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        return ELSEWHERE
    return response.status_code


#: Where allauth keeps whose records they are (``allauth.account.internal.flows.login``).
AUTHENTICATION_METHODS_USER_SESSION_KEY = "account_authentication_methods_user"


def sign_in(client: Client, user: User) -> None:
    """Sign ``user`` in; one with TOTP on also passes the second factor, as allauth records it."""
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    auth.sign_in(client, user, second_factor=has_totp)


def _person(label: str) -> User:
    user = UserFactory(email=f"{label.replace('_', '-')}@url-roles.example.org", full_name=f"Table {label}")
    return cast(User, user)


def with_totp(user: User) -> User:
    TOTP.activate(user, generate_totp_secret())
    return user


def build_actors() -> tuple[dict[str, User | None], Membership, Membership]:
    """One person per column of the table; returns them with the member's and the sponsor's memberships."""
    people: dict[str, User | None] = {ANONYMOUS: None}
    member = _person(MEMBER)
    people[MEMBER] = member
    own = make_member(user=member)
    sponsor = _person(SPONSOR)
    people[SPONSOR] = sponsor
    organisation = cast(
        Organisation,
        OrganisationFactory(
            representative=sponsor,
            slug="url-roles-sponsor",
            billing_contact_email="billing@url-roles.example.org",
            billing_address="1 Main St\nSpringfield",
            tax_id="US-12-3456789",
        ),
    )
    sponsored = make_member(organisation=organisation, class_code="silver")
    for role in ROLES:
        holder = _person(role)
        RoleFactory(user=holder, role=role)
        people[role] = with_totp(holder)
    superuser = _person(SUPERUSER)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    people[SUPERUSER] = with_totp(superuser)
    no_totp = _person(NO_TOTP)
    RoleFactory(user=no_totp, role=NO_TOTP_ROLE)
    people[NO_TOTP] = no_totp
    return people, own, sponsored


def expectation(
    default: Outcome | frozenset[Outcome],
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Outcome | frozenset[Outcome]]:
    """Every actor gets ``default`` unless named in ``overrides``."""
    table: dict[str, Outcome | frozenset[Outcome]] = dict.fromkeys(ACTORS, default)
    for actor, value in (overrides or {}).items():
        if actor not in table:
            raise KeyError(f"no actor {actor!r} in the table")
        table[actor] = value
    return table
