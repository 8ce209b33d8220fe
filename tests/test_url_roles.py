"""Every URL of the project, and what each kind of person gets from it: one table.

Each URL pattern has a row (by its name, or its route when it has none); the Django admin
is one class of rows by prefix (every admin page goes through ``admin_view``), probed on
its index, every changelist and one object's pages. A public row is asked by an anonymous
visitor and must not fail (no 5xx). Any other row states, for each column of
``tests.roles.ACTORS``, the status that person gets on GET:

- 200; 302 to sign in (``/accounts/login/``); 302 to two-factor set-up (a role holder
  without TOTP on /admin/ or /manage/); 302 to the admin's own login; 302 elsewhere;
  403; 404 (a page that does not reveal the object exists); 405 (a POST-only page).

A new page without its row fails ``test_every_url_pattern_has_a_row``. Where the real
status differs from what the page should answer, the cell is a strict ``xfail`` naming
the suspected bug, so fixing it turns the test red until the table says so.

Only GET is used. The demo foundation is seeded once per module (per xdist worker),
inside a transaction that is rolled back at the end; each test runs in a savepoint.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core import clock as core_clock
from core.models import ErasureRequest, Role, RuleSet
from core.services.api_tokens import api_token_create
from demo.elections import seed_elections
from demo.governance import seed_governance
from demo.members import seed_members, seed_people
from elections.models import Dispute, Election
from governance.models import Decision, Minutes, Policy, SeatHolding
from governance.services.consents import written_consent_propose
from members.billing.models import BillingFlag
from members.billing.services.invoices import invoice_issue
from members.models import CorporateGroup, MembershipApplication, OrganisationGroupChange, Reminder
from tests.factories import make_member
from tests.roles import (
    ACTORS,
    ADMIN_LOGIN,
    ANONYMOUS,
    ELSEWHERE,
    FORBIDDEN,
    LOGIN,
    MEMBER,
    NO_TOTP,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    SUPERUSER,
    TWO_FA,
    Outcome,
    build_actors,
    expectation,
    outcome,
    sign_in,
)

R = Role

# --- the rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # the pattern's name (namespaced), or its route when it has no name
    url: str  # a concrete path; {placeholders} are filled from the seeded world
    expect: Mapping[str, Any] | None = None  # None: a public page
    bugs: Mapping[str, str] = field(default_factory=dict)  # actor -> suspected bug (strict xfail)

    @property
    def public(self) -> bool:
        return self.expect is None


def public(key: str, url: str) -> Row:
    return Row(key, url)


def signed_in(
    key: str, url: str, default: Any = OK, bugs: Mapping[str, str] | None = None, **cells: Any
) -> Row:
    """A page for anyone signed in (no role needed): anonymous visitors are sent to sign in."""
    return Row(key, url, expectation(default, {ANONYMOUS: LOGIN, **cells}), bugs or {})


def manage(
    key: str,
    url: str,
    *allowed: str,
    yes: Any = OK,
    no: Any = FORBIDDEN,
    bugs: Mapping[str, str] | None = None,
    **cells: Any,
) -> Row:
    """A page under /manage/: ``allowed`` roles (and the superuser, who acts as every role) get
    ``yes``, other signed-in people ``no``; a role holder without TOTP is sent to set it up."""
    overrides = {ANONYMOUS: LOGIN, SUPERUSER: yes, NO_TOTP: TWO_FA, **dict.fromkeys(allowed, yes), **cells}
    return Row(key, url, expectation(no, overrides), bugs or {})


#: A GET on a POST-only page: 405, or (when the permission check runs first) the refusal.
#: Either way GET reveals and changes nothing, so the table accepts both orders.
ANON_POST_ONLY = frozenset({LOGIN, NOT_ALLOWED})


def post_only(key: str, url: str, *, no: Any = NOT_ALLOWED) -> Row:
    """A POST-only page for anyone signed in (object checks answer ``no`` when they run first)."""
    return Row(key, url, expectation(no, {ANONYMOUS: ANON_POST_ONLY}))


def manage_post_only(key: str, url: str, *allowed: str) -> Row:
    return manage(
        key, url, *allowed, yes=NOT_ALLOWED, no=frozenset({FORBIDDEN, NOT_ALLOWED}), anonymous=ANON_POST_ONLY
    )


#: The committee member who reads applications and organisations (and only those).
COMMITTEE_READS = {R.MEMBERSHIP_COMMITTEE: OK, SUPERUSER: OK, NO_TOTP: TWO_FA}
#: Outside /manage/ a committee member without the second factor sees what a member sees:
#: another person's application or organisation is a 404 (its existence does not leak).
COMMITTEE_READS_OUTSIDE_MANAGE = {**COMMITTEE_READS, NO_TOTP: NOT_FOUND}

ACCOUNTS = [
    public("account_login", "/accounts/login/"),
    public("account_logout", "/accounts/logout/"),
    public("account_inactive", "/accounts/inactive/"),
    public("account_signup", "/accounts/signup/"),
    public("account_reauthenticate", "/accounts/reauthenticate/"),
    public("account_email", "/accounts/email/"),
    public("account_email_verification_sent", "/accounts/confirm-email/"),
    public("account_change_password", "/accounts/password/change/"),
    public("account_set_password", "/accounts/password/set/"),
    public("account_reset_password", "/accounts/password/reset/"),
    public("account_confirm_login_code", "/accounts/login/code/confirm/"),
    public("account_confirm_email", "/accounts/confirm-email/not-a-key/"),
    public("account_reset_password_from_key_done", "/accounts/password/reset/key/done/"),
    public("account_reset_password_from_key", "/accounts/password/reset/key/1-not-a-key/"),
    public("account_reset_password_done", "/accounts/password/reset/done/"),
    public("mfa_index", "/accounts/2fa/"),
    public("mfa_authenticate", "/accounts/2fa/authenticate/"),
    public("mfa_reauthenticate", "/accounts/2fa/reauthenticate/"),
    public("mfa_activate_totp", "/accounts/2fa/totp/activate/"),
    public("mfa_deactivate_totp", "/accounts/2fa/totp/deactivate/"),
    public("mfa_view_recovery_codes", "/accounts/2fa/recovery-codes/"),
    public("mfa_generate_recovery_codes", "/accounts/2fa/recovery-codes/generate/"),
    public("mfa_download_recovery_codes", "/accounts/2fa/recovery-codes/download/"),
]

SITE = [
    public("core:home", "/"),
    signed_in("core:dashboard", "/dashboard/"),
    signed_in("profile:edit", "/settings/profile/"),
    signed_in("tokens:list", "/settings/tokens/"),
    post_only("tokens:revoke", "/settings/tokens/{token}/revoke/", no=frozenset({NOT_ALLOWED, NOT_FOUND})),
    # Members' data: one's own export and erasure request (the page asks what must happen first).
    public("core:privacy", "/privacy/"),
    signed_in("personal_data:index", "/settings/data/"),
    post_only("personal_data:export", "/settings/data/export/"),
    signed_in("personal_data:erase", "/settings/data/erase/"),
    post_only("personal_data:withdraw", "/settings/data/erase/withdraw/"),
    public("jwks", "/.well-known/jwks.json"),
    public("core:audit_heads_feed", "/audit/heads.atom"),
    public("set_language", "/i18n/setlang/"),
    public("api-schema", "/api/schema/"),
    public("api-docs", "/api/docs/"),
    # Health probes: the same JSON for everyone, no session; /readyz is 503 until beat has
    # been seen (tests run no beat), so its row accepts both (tests/core/test_health.py).
    Row("core:healthz", "/healthz", expectation(OK)),
    Row("core:readyz", "/readyz", expectation(frozenset({OK, 503}))),
]

ADMIN_LOGIN_ROW = Row(
    "admin:login",
    "/admin/login/",
    # Only the site's own login (allauth, with its TOTP stage) signs anyone in: the admin's
    # form sends visitors there, and refuses signed-in people who are not staff.
    expectation(FORBIDDEN, {ANONYMOUS: LOGIN, SUPERUSER: ELSEWHERE, NO_TOTP: TWO_FA}),
)

MEMBERS = [
    signed_in("members:apply", "/members/apply/"),
    signed_in("members:apply_organisation", "/members/apply/organisation/"),
    signed_in("members:my_applications", "/members/applications/"),
    signed_in(
        "members:application_detail",
        "/members/applications/{application}/",
        NOT_FOUND,
        **COMMITTEE_READS_OUTSIDE_MANAGE,
    ),
    post_only(
        "members:application_answer",
        "/members/applications/{application}/answer/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "members:application_withdraw",
        "/members/applications/{application}/withdraw/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    signed_in(
        "members:organisation_detail",
        "/members/organisations/{org}/",
        NOT_FOUND,
        sponsor=OK,
        **COMMITTEE_READS_OUTSIDE_MANAGE,
    ),
    post_only(
        "members:organisation_profile",
        "/members/organisations/{org}/profile/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "members:organisation_representative",
        "/members/organisations/{org}/representatives/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "members:organisation_remove_alternate",
        "/members/organisations/{org}/alternate/remove/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    # Asking for another corporate group: the organisation's admins and the membership committee.
    post_only(
        "members:organisation_group",
        "/members/organisations/{org}/group/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    public("members:invitation_accept", "/members/invitations/not-a-token/"),
    public("members:directory", "/members/"),
    signed_in("members:membership", "/members/membership/"),
    post_only("members:directory_listing", "/members/membership/directory/"),
    # An individual member's employer: their own membership (404 for whoever has none).
    post_only(
        "members:employer_declare",
        "/members/membership/employer/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    # Leaving and renewing act on one's own membership: 404 for whoever has none.
    signed_in("members:leave", "/members/membership/leave/", NOT_FOUND, member=OK),
    signed_in("members:renew", "/members/renew/", NOT_FOUND, member=OK),
    signed_in("members:renew_for", "/members/renew/{org_number}/", NOT_FOUND, sponsor=OK),
    post_only(
        "members:reminder_dismiss",
        "/members/reminders/{reminder}/dismiss/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
]

BILLING = [
    # With one organisation to pay for, the index sends its representative straight to it.
    signed_in("billing:index", "/billing/", sponsor=ELSEWHERE),
    public("billing:stripe_webhook", "/billing/stripe/webhook/"),
    # Those who pay for an organisation (representative, alternate, admins, billing contact).
    signed_in("billing:dashboard", "/billing/org/{org}/", FORBIDDEN, sponsor=OK),
    signed_in("billing:invoice", "/billing/org/{org}/invoices/{invoice}/", FORBIDDEN, sponsor=OK),
    # The PDFs: the organisation's billing people, and the treasurer and staff (two-factor);
    # the seeded invoice is open, so its receipt does not exist yet.
    signed_in(
        "billing:invoice_pdf",
        "/billing/org/{org}/invoices/{invoice}/invoice.pdf",
        FORBIDDEN,
        **dict.fromkeys(("sponsor", R.TREASURER, R.STAFF, SUPERUSER), OK),
    ),
    signed_in(
        "billing:receipt_pdf",
        "/billing/org/{org}/invoices/{invoice}/receipt.pdf",
        FORBIDDEN,
        **dict.fromkeys(("sponsor", R.TREASURER, R.STAFF, SUPERUSER), NOT_FOUND),
    ),
    post_only(
        "billing:invoice_details",
        "/billing/org/{org}/invoices/{invoice}/details/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "billing:invoice_checkout",
        "/billing/org/{org}/invoices/{invoice}/checkout/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "billing:invoice_send",
        "/billing/org/{org}/invoices/{invoice}/send/",
        no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN}),
    ),
    post_only(
        "billing:portal", "/billing/org/{org}/portal/", no=frozenset({NOT_ALLOWED, NOT_FOUND, FORBIDDEN})
    ),
]

GOVERNANCE = [
    public("governance:index", "/governance/"),
    public("governance:board", "/governance/board/"),
    public("governance:board_history", "/governance/board/history/"),
    public("governance:committees", "/governance/committees/"),
    public("governance:minutes_list", "/governance/minutes/"),
    public("governance:minutes_feed", "/governance/minutes/feed/"),
    public("governance:minutes_detail", "/governance/minutes/{minutes}/"),
    public("governance:minutes_version", "/governance/minutes/{minutes}/v1/"),
    public("governance:decisions_list", "/governance/decisions/"),
    public("governance:decisions_feed", "/governance/decisions/feed/"),
    public("governance:decision_detail", "/governance/decisions/{decision}/"),
    public("governance:policies", "/governance/policies/"),
    public("governance:policy_detail", "/governance/policies/{policy}/"),
    public("governance:policy_version", "/governance/policies/{policy}/v1/"),
    public("governance:policy_diff", "/governance/policies/{policy}/diff/1/2/"),
    public("governance:rules", "/governance/rules/"),
    public("governance:statistics", "/governance/statistics/"),
    public("governance:control", "/governance/control/"),
    public("governance:changes", "/governance/changes/"),
    public("governance:search", "/governance/search/?q=board"),
]

ELECTIONS = [
    public("elections:index", "/elections/"),
    public("elections:detail", "/elections/{election}/"),
    public("elections:roll", "/elections/{election}/roll/"),
    signed_in("elections:roll_text", "/elections/{election}/roll.txt"),
    signed_in("elections:nominate", "/elections/{election}/nominate/"),
    # Only a nominee has a candidacy page.
    signed_in("elections:candidacy", "/elections/{election}/candidacy/", NOT_FOUND),
    signed_in("elections:ballot", "/elections/{election}/ballot/"),
    public("elections:trackers", "/elections/{past}/trackers/"),
    public("elections:results", "/elections/{past}/results/"),
    signed_in("elections:dispute", "/elections/{past}/dispute/"),
    public("elections:download", "/elections/{past}/files/report.txt"),
]

BOARD_READERS = (R.DIRECTOR, R.CHAIR, R.SECRETARY, R.TREASURER)
ELECTION_COMMITTEE = (R.ELECTION_COMMITTEE, R.ELECTION_COMMITTEE_CHAIR)

MANAGE = [
    # Membership committee: applications.
    manage("members_manage:application_queue", "/manage/members/applications/", R.MEMBERSHIP_COMMITTEE),
    manage(
        "members_manage:application_review",
        "/manage/members/applications/{application}/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    manage_post_only(
        "members_manage:application_ask",
        "/manage/members/applications/{application}/ask/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    manage_post_only(
        "members_manage:application_approve",
        "/manage/members/applications/{application}/approve/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    manage_post_only(
        "members_manage:application_reject",
        "/manage/members/applications/{application}/reject/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    # Corporate groups: the membership committee confirms, merges, links, decides changes.
    manage("members_manage:group_list", "/manage/members/groups/", R.MEMBERSHIP_COMMITTEE),
    manage_post_only(
        "members_manage:group_confirm", "/manage/members/groups/{group}/confirm/", R.MEMBERSHIP_COMMITTEE
    ),
    manage_post_only("members_manage:group_merge", "/manage/members/groups/merge/", R.MEMBERSHIP_COMMITTEE),
    manage_post_only("members_manage:group_parent", "/manage/members/groups/parent/", R.MEMBERSHIP_COMMITTEE),
    manage_post_only(
        "members_manage:group_change_decide",
        "/manage/members/groups/changes/{group_change}/decide/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    # The member list: committee and staff; suspension: by board decision (secretary, chair).
    manage("members_manage:member_list", "/manage/members/", R.MEMBERSHIP_COMMITTEE, R.STAFF),
    manage("members_manage:member_export", "/manage/members/export.csv", R.MEMBERSHIP_COMMITTEE, R.STAFF),
    manage("members_manage:not_reached", "/manage/members/not-reached/", R.MEMBERSHIP_COMMITTEE, R.STAFF),
    manage("members_manage:member_detail", "/manage/members/{number}/", R.MEMBERSHIP_COMMITTEE, R.STAFF),
    manage(
        "governance_suspensions:member_suspend", "/manage/members/{number}/suspend/", R.SECRETARY, R.CHAIR
    ),
    manage(
        "governance_suspensions:member_reinstate", "/manage/members/{number}/reinstate/", R.SECRETARY, R.CHAIR
    ),
    # The treasurer's pages.
    manage("billing_manage:overview", "/manage/billing/", R.TREASURER, R.STAFF),
    manage("billing_manage:export", "/manage/billing/export.csv", R.TREASURER, R.STAFF),
    manage("billing_manage:in_kind", "/manage/billing/invoices/{invoice}/in-kind/", R.TREASURER, R.STAFF),
    manage_post_only(
        "billing_manage:resolve_flag", "/manage/billing/flags/{flag}/resolve/", R.TREASURER, R.STAFF
    ),
    manage_post_only("billing_manage:retry_event", "/manage/billing/events/evt_table/retry/", R.TREASURER),
    # The board: directors and officers read; the chair and secretary call meetings; the
    # secretary records them; the secretary and the chair manage seats, officers, committees.
    manage("governance_manage:index", "/manage/governance/", *BOARD_READERS),
    manage("governance_manage:meeting_create", "/manage/governance/meetings/new/", R.CHAIR, R.SECRETARY),
    manage("governance_manage:meeting", "/manage/governance/meetings/{meeting}/", *BOARD_READERS),
    manage("governance_manage:attendance", "/manage/governance/meetings/{meeting}/attendance/", R.SECRETARY),
    manage(
        "governance_manage:decision_create",
        "/manage/governance/meetings/{meeting}/decisions/new/",
        R.SECRETARY,
    ),
    manage("governance_manage:minutes_edit", "/manage/governance/meetings/{meeting}/minutes/", R.SECRETARY),
    # GET asks for confirmation; the POST with it publishes.
    manage("governance_manage:minutes_publish", "/manage/governance/minutes/{minutes}/publish/", R.SECRETARY),
    # Written consents: the secretary proposes; directors vote on the consent's page.
    manage("governance_manage:consent_create", "/manage/governance/consents/new/", R.SECRETARY),
    manage("governance_manage:consent", "/manage/governance/consents/{consent}/", *BOARD_READERS),
    manage("governance_manage:minutes_correct", "/manage/governance/minutes/{minutes}/correct/", R.SECRETARY),
    manage("governance_manage:board", "/manage/governance/board/", R.SECRETARY, R.CHAIR),
    manage_post_only(
        "governance_manage:seat_fill", "/manage/governance/board/seats/fill/", R.SECRETARY, R.CHAIR
    ),
    manage_post_only(
        "governance_manage:seat_vacate",
        "/manage/governance/board/holdings/{holding}/vacate/",
        R.SECRETARY,
        R.CHAIR,
    ),
    manage_post_only(
        "governance_manage:officer_appoint", "/manage/governance/board/officers/", R.SECRETARY, R.CHAIR
    ),
    manage_post_only(
        "governance_manage:committee_member_add", "/manage/governance/board/committees/", R.SECRETARY, R.CHAIR
    ),
    manage_post_only(
        "governance_manage:required_seats", "/manage/governance/board/required-seats/", R.SECRETARY, R.CHAIR
    ),
    manage("governance_manage:declaration", "/manage/governance/declaration/", *BOARD_READERS),
    manage("governance_manage:rules", "/manage/governance/rules/", R.SECRETARY, R.CHAIR),
    manage_post_only("governance_manage:rule_draft", "/manage/governance/rules/draft/", R.SECRETARY, R.CHAIR),
    manage("governance_manage:rule_detail", "/manage/governance/rules/{rule_set}/", R.SECRETARY, R.CHAIR),
    manage("governance_manage:control_what_if", "/manage/governance/control/", R.SECRETARY, R.CHAIR),
    manage_post_only(
        "governance_manage:rule_adopt", "/manage/governance/rules/{rule_set}/adopt/", R.SECRETARY, R.CHAIR
    ),
    # Elections: the committee and its observers look; the committee runs; its chair certifies.
    manage("elections_manage:index", "/manage/elections/", *ELECTION_COMMITTEE, R.ELECTION_OBSERVER),
    manage(
        "elections_manage:detail", "/manage/elections/{election}/", *ELECTION_COMMITTEE, R.ELECTION_OBSERVER
    ),
    manage(
        "elections_manage:packages",
        "/manage/elections/{past}/packages/",
        *ELECTION_COMMITTEE,
        R.ELECTION_OBSERVER,
    ),
    manage(
        "elections_manage:package_download",
        "/manage/elections/{past}/packages/1.zip",
        *ELECTION_COMMITTEE,
        R.ELECTION_OBSERVER,
    ),
    manage_post_only("elections_manage:cancel", "/manage/elections/{election}/cancel/", *ELECTION_COMMITTEE),
    manage_post_only("elections_manage:close", "/manage/elections/{election}/close/", *ELECTION_COMMITTEE),
    manage_post_only(
        "elections_manage:recount", "/manage/elections/{election}/recount/", *ELECTION_COMMITTEE
    ),
    manage_post_only(
        "elections_manage:certify", "/manage/elections/{election}/certify/", R.ELECTION_COMMITTEE_CHAIR
    ),
    # The provisional roll; once frozen (as in every demo election), the lines struck since.
    manage(
        "elections_manage:roll",
        "/manage/elections/{election}/roll/",
        *ELECTION_COMMITTEE,
        R.ELECTION_OBSERVER,
    ),
    manage_post_only(
        "elections_manage:correct", "/manage/elections/{election}/roll/correct/", *ELECTION_COMMITTEE
    ),
    # Every frozen line with its member number and salt: the committee only, not its observers.
    manage("elections_manage:roll_lines", "/manage/elections/{election}/roll/lines.txt", *ELECTION_COMMITTEE),
    manage_post_only(
        "elections_manage:dispute_decide",
        "/manage/elections/disputes/{dispute}/decide/",
        R.ELECTION_COMMITTEE_CHAIR,
    ),
    # Requests to be forgotten: the membership committee decides.
    manage("privacy_manage:erasure_list", "/manage/privacy/erasures/", R.MEMBERSHIP_COMMITTEE),
    manage("privacy_manage:erasure_detail", "/manage/privacy/erasures/{erasure}/", R.MEMBERSHIP_COMMITTEE),
    manage_post_only(
        "privacy_manage:erasure_approve",
        "/manage/privacy/erasures/{erasure}/approve/",
        R.MEMBERSHIP_COMMITTEE,
    ),
    manage_post_only(
        "privacy_manage:erasure_reject", "/manage/privacy/erasures/{erasure}/reject/", R.MEMBERSHIP_COMMITTEE
    ),
]

API = [
    public("api-audit-head", "/api/v1/audit/head/"),
    public("api-audit-heads", "/api/v1/audit/heads/"),
    public("api-jwks", "/api/v1/keys/"),
    public("api-voting-rights-me", "/api/v1/voting-rights/me/"),
    public("api-voting-rights-member", "/api/v1/voting-rights/members/{number}/"),
    public("api-voting-rights-organisation", "/api/v1/voting-rights/organisations/{org_number}/"),
    public("api-membership-classes", "/api/v1/membership-classes/"),
    public("api-organisations", "/api/v1/organisations/"),
    public("api-rule-sets", "/api/v1/rule-sets/"),
    public("api-rule-set", "/api/v1/rule-sets/{rule_set}/"),
    public("api-board", "/api/v1/board/"),
    public("api-board-history", "/api/v1/board/history/"),
    public("api-decisions", "/api/v1/decisions/"),
    public("api-decision", "/api/v1/decisions/{decision}/"),
    public("api-minutes", "/api/v1/minutes/"),
    public("api-minutes-detail", "/api/v1/minutes/{minutes}/"),
    public("api-policies", "/api/v1/policies/"),
    public("api-policy", "/api/v1/policies/{policy}/"),
    public("api-control", "/api/v1/control/"),
    public("api-elections", "/api/v1/elections/"),
    public("api-election", "/api/v1/elections/{past}/"),
    public("api-election-candidates", "/api/v1/elections/{past}/candidates/"),
    public("api-election-results", "/api/v1/elections/{past}/results/"),
    public("api-election-tracker", "/api/v1/elections/{past}/trackers/ABCD-EFGH-JKLM-NPQR/"),
    public("api-not-found", "/api/v1/no-such-endpoint/"),
]

#: Every admin page goes through ``AdminSite.admin_view``: staff only (``is_staff``; the
#: "staff" *role* is not the admin flag), behind TOTP like /manage/.
ADMIN_PREFIX = "admin/"
ADMIN_EXPECT = expectation(ADMIN_LOGIN, {SUPERUSER: OK, NO_TOTP: TWO_FA})
ADMIN_OBJECT_PAGES = ("change", "history", "delete")


def admin_rows() -> list[Row]:
    rows = [
        Row("admin:index", "/admin/", ADMIN_EXPECT),
        Row("admin:app_list", "/admin/members/", ADMIN_EXPECT),
        Row("admin:password_change", "/admin/password_change/", ADMIN_EXPECT),
        ADMIN_LOGIN_ROW,
    ]
    # One changelist per app: every ModelAdmin sits behind the same ``admin_view`` guard.
    first_of_app: dict[str, Any] = {}
    for model in admin.site._registry:
        first_of_app.setdefault(model._meta.app_label, model._meta)
    for meta in first_of_app.values():
        rows.append(
            Row(
                f"admin:{meta.app_label}_{meta.model_name}_changelist",
                f"/admin/{meta.app_label}/{meta.model_name}/",
                ADMIN_EXPECT,
            )
        )
    for page in ADMIN_OBJECT_PAGES:
        rows.append(Row(f"admin:core_user_{page}", f"/admin/core/user/{{member_pk}}/{page}/", ADMIN_EXPECT))
    return rows


TABLE: list[Row] = [*ACCOUNTS, *SITE, *MEMBERS, *BILLING, *GOVERNANCE, *ELECTIONS, *MANAGE, *API]
ADMIN_TABLE = admin_rows()


# --- the URL patterns --------------------------------------------------------------------------


def url_patterns() -> Iterator[tuple[str, str | None]]:
    """(route, name) of every pattern, the name namespaced as ``reverse`` wants it."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str | None]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                yield prefix + str(pattern.pattern), name

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_url_pattern_has_a_row() -> None:
    keys = {row.key for row in TABLE}
    missing = [
        f"{route} (name={name})"
        for route, name in url_patterns()
        if not route.startswith(ADMIN_PREFIX) and (name or route) not in keys
    ]
    assert not missing, "URL patterns without a row in tests/test_url_roles.py:\n" + "\n".join(missing)


def test_no_row_names_a_pattern_that_does_not_exist() -> None:
    known = {name or route for route, name in url_patterns()}
    stale = [row.key for row in [*TABLE, *ADMIN_TABLE] if row.key not in known]
    assert not stale, f"rows naming no URL pattern: {stale}"


def test_rows_are_unique_and_complete() -> None:
    keys = [row.key for row in TABLE]
    assert len(keys) == len(set(keys)), "a pattern has two rows"
    for row in [*TABLE, *ADMIN_TABLE]:
        if row.expect is not None:
            assert set(row.expect) == set(ACTORS), row.key
            assert set(row.bugs) <= set(ACTORS), row.key


# --- the world the URLs point into -------------------------------------------------------------


def one(queryset: QuerySet[Any]) -> Any:
    found = queryset.first()
    assert found is not None, f"the demo holds no {queryset.model.__name__} for the table"
    return found


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo foundation plus one person per column, seeded once and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            now = core_clock.now()
            core_clock.freeze(now)
            out = io.StringIO()
            seed_members(stdout=out, people=seed_people(stdout=out))
            seed_governance(stdout=out)
            seed_elections(stdout=out)  # dues are not needed: the table bills its own sponsor
            people, own, sponsored = build_actors()
            member = people[MEMBER]
            assert member is not None and sponsored.organisation is not None
            invoice = invoice_issue(membership=sponsored)
            token, _ = api_token_create(user=member, name="table")
            group = one(CorporateGroup.objects.filter(merged_into__isnull=True).order_by("pk"))
            group_change = OrganisationGroupChange.objects.create(
                organisation=sponsored.organisation, group=group, requested_by=member
            )
            voting = one(Election.objects.filter(roll_frozen_at__isnull=False, closed_at__isnull=True))
            past = one(Election.objects.filter(state="certified"))
            minutes = one(Minutes.objects.filter(status="published").order_by("number"))
            params = {
                "application": one(MembershipApplication.objects.filter(state="submitted")).pk,
                "org": sponsored.organisation.slug,
                "invoice": invoice.number,
                "number": own.number,
                "org_number": sponsored.number,
                "reminder": one(Reminder.objects.all()).pk,
                "token": token.pk,
                "meeting": minutes.meeting_id,
                "minutes": minutes.number,
                "decision": one(Decision.objects.order_by("number")).number,
                "policy": one(Policy.objects.filter(slug="conflict-of-interest")).slug,
                "holding": one(SeatHolding.objects.active()).pk,
                "election": voting.slug,
                "past": past.slug,
                "dispute": Dispute.objects.create(election=past, filed_by=member, body="For the table.").pk,
                "flag": BillingFlag.objects.create(kind=BillingFlag.Kind.PAYMENT_FAILED, invoice=invoice).pk,
                "rule_set": one(RuleSet.objects.order_by("-pk")).version,
                "member_pk": member.pk,
                # A member (no role, nothing to resign) who asked to be forgotten.
                "erasure": ErasureRequest.objects.create(user=make_member().user).pk,
                "group": group.pk,
                "group_change": group_change.pk,
                "consent": written_consent_propose(
                    title="For the table",
                    text="Resolved.",
                    deadline=now + dt.timedelta(days=7),
                    actor=people[R.SECRETARY],
                ).pk,
            }
            yield {"now": now, "people": people, "params": params}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            core_clock.reset()


@pytest.fixture
def get(world: dict[str, Any], db: None) -> Any:
    core_clock.freeze(world["now"])

    def _get(row: Row, actor: str) -> Any:
        client = Client()
        user = world["people"][actor]
        if user is not None:
            sign_in(client, user)
        return client.get(row.url.format(**world["params"]))

    return _get


def _cases(rows: list[Row]) -> list[Any]:
    cases = []
    for row in rows:
        if row.public:
            cases.append(pytest.param(row, ANONYMOUS, id=f"{row.key}-public"))
            continue
        for actor in ACTORS:
            marks = [pytest.mark.xfail(strict=True, reason=row.bugs[actor])] if actor in row.bugs else []
            cases.append(pytest.param(row, actor, id=f"{row.key}-{actor}", marks=marks))
    return cases


def _check(row: Row, actor: str, got: Outcome) -> None:
    if row.expect is None:
        assert not (isinstance(got, int) and got >= 500), f"GET {row.url} anonymously: {got}"
        return
    expected = row.expect[actor]
    allowed = expected if isinstance(expected, frozenset) else {expected}
    assert got in allowed, f"{actor} GET {row.url} ({row.key}): expected {expected}, got {got}"


@pytest.mark.parametrize(("row", "actor"), _cases(TABLE))
def test_url_answers_each_role_as_the_table_says(get: Any, row: Row, actor: str) -> None:
    _check(row, actor, outcome(get(row, actor)))


@pytest.mark.parametrize(("row", "actor"), _cases(ADMIN_TABLE))
def test_admin_answers_each_role_as_the_table_says(get: Any, row: Row, actor: str) -> None:
    _check(row, actor, outcome(get(row, actor)))
