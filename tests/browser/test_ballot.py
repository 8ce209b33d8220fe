"""The ballot in a browser (issue 14 item 6): ranked with the keyboard only, reviewed, cast;
and the same ballot without JavaScript, where the selects are the form.

Run with `make browser` (marker ``browser``). Debian's chromium, never a download.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.elections.conftest import Elections, entry_for, opened_ballots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def new_page(live_server) -> Iterator[Callable[..., object]]:
    """Pages in fresh contexts of one chromium: ``new_page(javascript=False)`` for the fallback."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is needed: apt-get install chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )

        def make(*, javascript: bool = True) -> object:
            context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
            return context.new_page()

        yield make
        browser.close()


@pytest.fixture
def elections(clock, transactional_db) -> Elections:
    """Elections built through the services; the live server shares this process's clock."""
    return Elections()


def _login(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _serious_axe_violations(page) -> list[str]:
    """axe-core (bundled with axe-playwright-python, never fetched): serious or critical only."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def _focused(page) -> str:
    return page.evaluate(
        "document.activeElement && (document.activeElement.getAttribute('aria-label') || document.activeElement.id || document.activeElement.textContent.trim())"
    )


def _announced(page, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('[data-announce]').textContent === t", arg=text, timeout=5000
    )


def test_a_member_ranks_with_the_keyboard_reviews_and_casts(new_page, elections):
    election, (ada, ben, chen, dara), (voter, _) = elections.voting(
        candidates=["Ada", "Ben", "Chen", "Dara"], voters=2
    )
    page = new_page()
    _login(page, voter.email)
    page.goto(f"/elections/{election.slug}/ballot/")

    # The script replaced the selects with the ranking lists; the live region is there.
    assert page.locator("[data-rank-fallback]").is_hidden()
    assert page.locator("[data-announce]").get_attribute("aria-live") == "polite"
    # Statements are on the ballot, collapsed.
    assert page.get_by_text("Ada will serve.").is_hidden()
    assert _serious_axe_violations(page) == []

    page.get_by_role("button", name="Rank Ada").focus()
    page.keyboard.press("Enter")
    _announced(page, "Ada ranked at position 1 of 1.")
    assert _focused(page) == "Remove Ada from your ranking"  # Up and Down are disabled at 1 of 1
    page.keyboard.press("Tab")
    assert _focused(page) == "Rank Ben"
    page.keyboard.press("Enter")
    _announced(page, "Ben ranked at position 2 of 2.")
    assert _focused(page) == "Move Ben up"
    page.keyboard.press("Enter")
    _announced(page, "Ben moved to position 1 of 2.")
    assert _focused(page) == "Move Ben down"  # Up is disabled at the top: focus stays on Ben
    page.get_by_role("button", name="Rank Dara").focus()
    page.keyboard.press("Space")
    _announced(page, "Dara ranked at position 3 of 3.")
    page.keyboard.press("Enter")  # Move Dara up
    _announced(page, "Dara moved to position 2 of 3.")
    page.get_by_role("button", name="Remove Dara from your ranking").focus()
    page.keyboard.press("Enter")
    _announced(page, "Dara removed from your ranking; 2 ranked.")
    assert _focused(page) == "Rank Dara"

    # The hidden selects carry the order the lists show.
    values = {pk: page.locator(f"#rank-{pk}").input_value() for pk in (ada.pk, ben.pk, chen.pk, dara.pk)}
    assert values == {ben.pk: "1", ada.pk: "2", chen.pk: "", dara.pk: ""}
    assert _serious_axe_violations(page) == []

    page.get_by_role("button", name="Review my ballot").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Review your ballot").wait_for()
    assert "1. Ben, 2. Ada; Chen and Dara not ranked" in page.locator("main").inner_text()
    assert not opened_ballots(election)
    assert _serious_axe_violations(page) == []

    page.get_by_role("button", name="Cast my ballot").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your ballot was recorded").wait_for()
    assert page.locator("main code").inner_text()
    ((choices, _weight),) = opened_ballots(election)
    assert choices == [ben.pk, ada.pk]

    page.goto("/dashboard/")
    assert "You voted in Board election." in page.locator("main").inner_text()
    page.goto(f"/elections/{election.slug}/ballot/")
    assert "You have already voted in Board election." in page.locator("main").inner_text()


def test_without_javascript_the_selects_work_and_an_error_takes_the_focus(new_page, elections):
    election, (ada, ben, *_), (voter, _) = elections.voting(candidates=["Ada", "Ben", "Chen"], voters=2)
    page = new_page(javascript=False)
    _login(page, voter.email)
    page.goto(f"/elections/{election.slug}/ballot/")
    assert page.locator("[data-ranker]").is_hidden()
    page.get_by_label("Rank for Ada").select_option("1")
    page.get_by_label("Rank for Ben").select_option("1")
    page.get_by_role("button", name="Review my ballot").click()
    assert "a rank is used twice" in page.get_by_role("alert").inner_text()
    assert _focused(page) == "ballot-error"  # autofocus, without the script

    page.get_by_label("Rank for Ben").select_option("2")
    page.get_by_role("button", name="Review my ballot").click()
    assert "1. Ada, 2. Ben; Chen not ranked" in page.locator("main").inner_text()
    page.get_by_role("button", name="Change", exact=True).click()
    assert page.get_by_label("Rank for Ben").input_value() == "2"
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    assert "Your tracker code" in page.locator("main").inner_text()
    assert entry_for(election, voter).has_voted is True
    ((choices, _weight),) = opened_ballots(election)
    assert choices == [ada.pk, ben.pk]


def test_dragging_a_candidate_ranks_it_where_it_is_dropped_and_says_so(new_page, elections):
    election, (ada, ben, chen), (voter, _) = elections.voting(candidates=["Ada", "Ben", "Chen"], voters=2)
    page = new_page()
    _login(page, voter.email)
    page.goto(f"/elections/{election.slug}/ballot/")
    page.get_by_role("button", name="Rank Ada").click()
    page.get_by_role("button", name="Rank Ben").click()
    ranked = page.locator("[data-ranked] > li")
    chen_item = page.locator(f'[data-unranked] > li[data-pk="{chen.pk}"]')
    chen_item.drag_to(ranked.first, target_position={"x": 5, "y": 2})  # the top half of Ada: before her
    _announced(page, "Chen ranked at position 1 of 3.")
    assert [page.locator(f"#rank-{pk}").input_value() for pk in (chen.pk, ada.pk, ben.pk)] == ["1", "2", "3"]
    page.locator(f'[data-ranked] > li[data-pk="{ada.pk}"]').drag_to(
        page.get_by_text("Everyone is ranked.")
    )  # the empty list says so
    _announced(page, "Ada removed from your ranking; 2 ranked.")
    assert page.locator(f"#rank-{ada.pk}").input_value() == ""
