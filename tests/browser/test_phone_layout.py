"""At phone width (390 px) the transparency pages, published minutes and the dashboard fit the
screen: no sideways scrolling of the page, the dashboard's "View" link on screen, and every
table wrapper that still scrolls is a named, keyboard-focusable region (axe's
scrollable-region-focusable). ``site.go`` also audits each page with axe at both sizes."""

from __future__ import annotations

import pytest

from governance.models import Minutes
from governance.services.meetings import minutes_draft, minutes_publish
from members.services.applications import application_submit_personal
from tests.browser.conftest import PHONE, Site
from tests.factories import UserFactory
from tests.governance.conftest import Board

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WIDTHS = """() => ({
  page: document.scrollingElement.scrollWidth,
  unreachable: [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.scrollWidth > w.clientWidth + 1)
    .filter((w) => w.getAttribute('tabindex') !== '0' || w.getAttribute('role') !== 'region'
                   || !w.getAttribute('aria-label'))
    .length,
})"""


def _published_minutes(site: Site) -> Minutes:
    board = Board()
    board.directors(3)
    minutes = minutes_draft(
        meeting=board.meeting(title="January meeting"),
        body_md="The board met. " + "A long paragraph of the minutes. " * 20,
        actor=board.secretary(),
    )
    site.advance(days=1)
    board.decide(
        meeting=board.meeting(title="February meeting"), approves_minutes=minutes, title="Approve the minutes"
    )
    minutes_publish(minutes=minutes, actor=board.secretary())
    return minutes


def _fits(page) -> None:
    page.set_viewport_size(PHONE)
    widths = page.evaluate(WIDTHS)
    assert widths["page"] <= PHONE["width"], f"{page.url} is {widths['page']} px wide"
    assert widths["unreachable"] == 0, f"{page.url}: a scrolling table cannot be reached by keyboard"


def test_public_pages_fit_a_phone(site: Site):
    minutes = _published_minutes(site)
    page = site.new_page(phone=True)
    for url in (
        "/governance/",
        f"/governance/minutes/{minutes.number}/",
        "/governance/minutes/",
        "/governance/decisions/",
        "/governance/decisions/1/",
        "/governance/search/?q=minutes",
    ):
        site.go(page, url)
        _fits(page)


def test_the_dashboard_applications_table_fits_a_phone(site: Site):
    user = UserFactory(email="lin@example.org", full_name="Lin Applicant")
    application_submit_personal(applicant=user, class_code="individual", statement="I package software.")
    page = site.new_page(phone=True)
    site.login(page, "lin@example.org")
    site.audit(page)
    site.go(page, "/dashboard/")
    _fits(page)
    view = page.get_by_role("link", name="View").first
    box = view.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
