"""Journeys 1 and 2 (issue 14): joining the foundation, and a sponsor paying its dues.

(1) An anonymous visitor signs up with a name, confirms the address from the email the real
SMTP server received, applies for individual membership; a membership committee member
(password and authenticator code) approves it; the new member's dashboard shows the member
number and a voting weight of 1.

(2) A sponsor's year runs out while the clock moves (the worker issues the invoice and the
reminder, then puts the membership in grace); its representative sees the grace standing and
the open invoice, pays on the fake Stripe's checkout page, comes back to standing restored
(active, paid a year further, no renew banner) and downloads the PDF receipt.

Every page of the live server a journey lands on is audited (tests/browser/conftest.py); the
fake Stripe's own pages are on another origin and are not.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils.formats import date_format

from core import clock as core_clock
from core.models import Role
from core.rules import rules_in_force
from members.billing.models import Invoice, InvoiceStatus
from members.models import Membership, MembershipApplication, MembershipState
from tests.billing.conftest import make_sponsor
from tests.browser.conftest import PASSWORD, Site
from tests.factories import RoleFactory, UserFactory
from tests.servers import body_of, link_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _click(site: Site, page, locator) -> None:
    locator.click()
    page.wait_for_load_state("load")
    site.audit(page)


def _main(page) -> str:
    return page.locator("main").inner_text()


def test_journey_1_sign_up_confirm_apply_and_be_approved(site: Site):
    committee = RoleFactory(
        role=Role.MEMBERSHIP_COMMITTEE, user=UserFactory(email="cora@example.org", full_name="Cora Committee")
    ).user
    TOTP.activate(committee, generate_totp_secret())

    # An anonymous visitor joins from the home page, giving a name with the address.
    page = site.new_page()
    site.go(page, "/")
    _click(site, page, page.get_by_role("link", name="Join the foundation"))
    assert "/accounts/signup/" in page.url, page.url
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Full name").fill("Ana Applicant")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    _click(site, page, page.locator("main form [type=submit]").first)
    assert "/accounts/confirm-email/" in page.url, page.url

    # The confirmation arrives through the SMTP server; its link confirms the address.
    message = site.mail.wait_for("ana@example.org", subject="Confirm")
    confirm = link_in(message, r"/accounts/confirm-email/")
    page.goto(confirm)
    site.audit(page)
    _click(site, page, page.locator("main form [type=submit]").first)
    if "/accounts/login/" in page.url:  # signed in by the confirmation, or asked to sign in
        site.login(page, "ana@example.org")
        site.audit(page)
    assert "/dashboard/" in page.url, page.url
    assert "Signed in as Ana Applicant" in _main(page)
    assert "You are not a member yet" in _main(page)

    # Applying for individual membership.
    _click(site, page, page.get_by_role("link", name="Apply", exact=True))
    assert "/members/apply/" in page.url, page.url
    page.get_by_role("radio", name=re.compile(r"^Individual")).check()
    page.get_by_label("Why you are applying").fill("I package the project for my distribution.")
    _click(site, page, page.get_by_role("button", name="Submit the application"))
    assert "Your application was received" in _main(page)
    application = MembershipApplication.objects.get(applicant__email="ana@example.org")
    site.logout(page)
    site.audit(page)

    # The committee member signs in with password and code and approves it from the queue.
    site.login(page, committee.email, totp_user=committee)
    site.audit(page)
    site.go(page, "/manage/members/applications/")
    row = page.get_by_role("row").filter(has_text="Ana Applicant")
    _click(site, page, row.get_by_role("link"))
    assert f"/manage/members/applications/{application.pk}/" in page.url, page.url
    assert "I package the project for my distribution." in _main(page)
    _click(site, page, page.get_by_role("button", name="Approve the application"))
    assert "The application was approved" in _main(page)
    site.settle()  # the worker sends the news
    approved = site.mail.wait_for("ana@example.org", subject="approved")
    membership = Membership.objects.get(user__email="ana@example.org")
    assert membership.state == MembershipState.ACTIVE
    assert f"The member number is {membership.number}." in body_of(approved)
    site.logout(page)
    site.audit(page)

    # The new member's dashboard: the number, and a weight of 1.
    site.login(page, "ana@example.org")
    site.go(page, "/dashboard/")
    stats = page.locator(".stats")
    assert membership.number in stats.inner_text()
    weight = stats.locator(".stat").filter(has_text="Voting weight").locator(".stat-value")
    assert weight.inner_text().strip() == "1"
    assert "You may vote in elections, with a weight of 1." in _main(page)


def test_journey_2_a_sponsor_in_grace_pays_and_gets_a_receipt(site: Site):
    # A Silver sponsor whose term (the rule set's) ends in ten days.
    term = dt.timedelta(days=rules_in_force().membership_term_days)
    sponsor = make_sponsor(
        start=core_clock.now() - term + dt.timedelta(days=10),
        legal_name="Acme Mirrors Ltd",
        billing_contact_email="billing@acme.example",
    )
    representative = sponsor.organisation.representative
    old_expiry = sponsor.expires_at
    # The beat's daily work: the next year's invoice and the renewal reminder.
    site.run_schedule("billing.issue_due_invoices", "members.run_membership_schedule")
    invoice = Invoice.objects.get(membership=sponsor)
    site.mail.wait_for("billing@acme.example", subject=invoice.number)
    # The year runs out: the membership is in grace.
    site.advance(days=15)
    site.run_schedule("members.run_membership_schedule")
    sponsor.refresh_from_db()
    assert sponsor.state == MembershipState.GRACE

    page = site.new_page()
    site.login(page, representative.email)
    site.go(page, "/dashboard/")
    renew_link = page.locator(f"a[href='/members/renew/{sponsor.number}/']")
    assert renew_link.count() == 1  # one renew banner, in the past tense
    banner = page.locator(".alert").filter(has=renew_link).inner_text()
    assert f"Membership {sponsor.number} of an organisation you represent expired on" in banner
    _click(site, page, page.get_by_role("link", name="Dues and invoices"))
    assert page.locator("#membership-state").inner_text() == "In grace period"
    assert page.locator("#voting-rights").inner_text() == "Does not vote"
    status = page.locator(f"[data-invoice-status='{invoice.number}']")
    assert status.inner_text() == "Open"
    dues_url = page.url

    # Paying on Stripe's checkout page (the fake's, another origin: not audited).
    page.get_by_role("row").filter(has_text=invoice.number).get_by_role("button", name="Pay now").click()
    page.wait_for_load_state("load")
    assert page.url.startswith(site.stripe.url), page.url
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_url(f"{dues_url}?checkout=success")
    site.audit(page)
    site.settle()  # the signed webhook was delivered; the worker records the payment

    invoice.refresh_from_db()
    sponsor.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert sponsor.state == MembershipState.ACTIVE and sponsor.expires_at > old_expiry
    site.go(page, dues_url)
    assert page.locator("#membership-state").inner_text() == "Active"
    assert "Votes (weight 5)" in page.locator("#voting-rights").inner_text()
    paid_until = page.locator(".stat").filter(has_text="Paid until").locator("time")
    assert paid_until.get_attribute("datetime") == f"{sponsor.expires_at:%Y-%m-%d}"
    assert paid_until.inner_text() == date_format(sponsor.expires_at, "DATE_FORMAT")  # "Dec. 10, 2027"
    assert status.inner_text() == "Paid"

    # The receipt, as a PDF.
    _click(site, page, page.get_by_role("link", name="Receipt"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    href = page.get_by_role("link", name="Download the receipt (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    # No more asking to renew the year just paid.
    site.go(page, "/dashboard/")
    assert page.locator(f"a[href='/members/renew/{sponsor.number}/']").count() == 0
    assert "Eligible" in page.get_by_role("row").filter(has_text="Acme Mirrors Ltd").inner_text()
