"""At phone width (390 px) the transparency pages, published minutes and the dashboard fit the
screen: no sideways scrolling of the page, the dashboard's "View" link on screen, and every
table wrapper that still scrolls is a named, keyboard-focusable region."""

from __future__ import annotations

import pytest

from governance.models import Minutes
from governance.services.meetings import minutes_draft, minutes_publish
from members.services.applications import application_submit_personal
from tests.browser.test_journeys import _login, page  # noqa: F401  (the page fixture)
from tests.factories import UserFactory
from tests.governance.conftest import Board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}

WIDTHS = """() => ({
  page: document.scrollingElement.scrollWidth,
  unreachable: [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.scrollWidth > w.clientWidth + 1)
    .filter((w) => w.getAttribute('tabindex') !== '0' || w.getAttribute('role') !== 'region' || !w.getAttribute('aria-label'))
    .length,
})"""


def _published_minutes(clock) -> Minutes:
    board = Board()
    board.directors(3)
    minutes = minutes_draft(
        meeting=board.meeting(title="January meeting"),
        body_md="The board met. " + "A long paragraph of the minutes. " * 20,
        actor=board.secretary(),
    )
    clock.advance(days=30)
    board.decide(
        meeting=board.meeting(title="February meeting"), approves_minutes=minutes, title="Approve the minutes"
    )
    minutes_publish(minutes=minutes, actor=board.secretary())
    return minutes


def _fits(page) -> None:  # noqa: F811
    widths = page.evaluate(WIDTHS)
    assert widths["page"] <= PHONE["width"], f"{page.url} is {widths['page']} px wide"
    assert widths["unreachable"] == 0, f"{page.url}: a scrolling table cannot be reached by keyboard"


def test_public_pages_fit_a_phone(page, clock):  # noqa: F811
    minutes = _published_minutes(clock)
    page.set_viewport_size(PHONE)
    for url in (
        "/governance/",
        f"/governance/minutes/{minutes.number}/",
        "/governance/minutes/",
        "/governance/decisions/",
        "/governance/decisions/1/",
        "/governance/search/?q=minutes",
    ):
        page.goto(url)
        _fits(page)


def test_the_dashboard_applications_table_fits_a_phone(page, clock):  # noqa: F811
    user = UserFactory(email="lin@example.org", full_name="Lin Applicant")
    application_submit_personal(applicant=user, class_code="individual", statement="I package software.")
    page.set_viewport_size(PHONE)
    _login(page, "lin@example.org")
    page.goto("/dashboard/")
    _fits(page)
    view = page.get_by_role("link", name="View").first
    box = view.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
