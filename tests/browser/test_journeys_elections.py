"""Journeys 3 and 4: nominations, and an election from the ballot to the board page.

(3) During the nomination period a member nominates another; the nominee, emailed through
the SMTP server, signs in from the link and accepts with a statement; the refusals the app
enforces (a nominee who has not been a member long enough, a second nomination, accepting
without declaring an employer) are shown in the page. (4) A member ranks the candidates with
the keyboard only, reviews the order in words and casts; the tracker is on the page and in
the receipt email; the clock moves past the close, the schedule closes the vote and the
worker counts it; the committee's chair (with an authenticator code) certifies after ticking
the confirmation; the member finds the tracker in the published list; the board page shows
the director-elect. Journey 4 runs in English at desktop size and in Japanese at phone size,
with selectors that do not depend on English text.

Elections open and close on their schedule: the shared clock moves (``site.advance``) and
the schedule task runs on the real worker (``site.run_schedule``). Every page is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from core import clock as core_clock
from elections.models import Candidate, CandidateState, Election, ElectionState
from elections.rules import election_rules_for
from elections.services.ballots import ballot_cast
from elections.services.nominations import candidate_accept, nomination_create
from governance.models import Seat
from tests.browser.conftest import PASSWORD, Site
from tests.elections.conftest import Elections, entry_for
from tests.factories import RoleFactory, UserFactory, make_member
from tests.servers import body_of, link_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCHEDULE = "elections.run_schedule"


def _click(site: Site, page: Any, locator: Any) -> None:
    locator.click()
    page.wait_for_load_state("load")
    site.audit(page)


def _move_to(site: Site, moment: dt.datetime) -> None:
    """Move the shared clock just past ``moment`` and run what the beat would run then."""
    ahead = (moment - core_clock.now()).total_seconds() + 60
    site.advance(seconds=max(ahead, 0))
    site.run_schedule(SCHEDULE)


def _cohort_seat(elections: Elections, closes: dt.datetime) -> Seat:
    """A seat whose cohort's term runs past the close: its winner is a director-elect until then."""
    elections.seats(4)
    seat = Seat.objects.select_related("cohort").order_by("-cohort__term_end", "number").first()
    assert seat is not None and seat.cohort is not None
    assert seat.cohort.term_end > closes.date(), "the board's cohorts all end before the close"
    return seat


def _election_in_nominations(site: Site, elections: Elections) -> Election:
    """A cohort election scheduled through the service; the clock moves to its nominations."""
    opens = core_clock.now() + dt.timedelta(days=47)
    closes = opens + dt.timedelta(days=14)
    seat = _cohort_seat(elections, closes)
    election = elections.create(
        seats=[seat],
        cohort=seat.cohort,
        record_date=opens - dt.timedelta(days=5),
        voting_opens_at=opens,
        voting_closes_at=closes,
    )
    assert election.state == ElectionState.DRAFT
    _move_to(site, election.nominations_open_at)
    election.refresh_from_db()
    assert election.state == ElectionState.NOMINATIONS_OPEN
    return election


def _sign_in_here(site: Site, page: Any, email: str) -> None:
    """On the sign-in page the site sent us to: fill it in and follow it back."""
    assert "/accounts/login/" in page.url, page.url
    site.audit(page)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    _click(site, page, page.locator("main form [type=submit]").first)


def test_journey_3_a_member_nominates_another_who_accepts_with_a_statement(site: Site):
    elections = Elections()
    election = _election_in_nominations(site, elections)
    nominator = elections.member(name="Noor Haddad")
    nominee = elections.member(name="Ada Lovelace")
    another = elections.member(name="Omar Diallo")
    newcomer = UserFactory(full_name="Nell Newcomer")
    make_member(user=newcomer, start=core_clock.now() - dt.timedelta(days=3))
    days = election_rules_for(rule_set=election.rule_set).nominee_standing_days

    page = site.new_page()
    site.login(page, nominator.email)
    site.audit(page)
    site.go(page, f"/elections/{election.slug}/")
    _click(site, page, page.get_by_role("link", name="Nominate someone"))
    assert page.get_by_role("heading", name="Nominate a candidate").is_visible()

    # Refused, with the reason: the nominee has not been a member long enough.
    page.get_by_label("Nominee's email address").fill(newcomer.email)
    _click(site, page, page.get_by_role("button", name="Nominate", exact=True))
    assert "/nominate/" in page.url
    assert page.get_by_role("alert").inner_text().strip() == (
        f"Nell Newcomer has not been a member in good standing for the last {days} days."
    )
    assert not Candidate.objects.filter(election=election).exists()

    # An address nobody uses is refused on the field.
    page.get_by_label("Nominee's email address").fill("nobody@example.org")
    _click(site, page, page.get_by_role("button", name="Nominate", exact=True))
    assert "No account uses this address." in page.locator("main").inner_text()

    page.get_by_label("Nominee's email address").fill(nominee.email)
    _click(site, page, page.get_by_role("button", name="Nominate", exact=True))
    assert page.url.endswith(f"/elections/{election.slug}/"), page.url
    candidates = page.locator("section[aria-labelledby=cand-h]")
    assert "Ada Lovelace" in candidates.inner_text()
    assert "Nominated by: Noor Haddad" in candidates.inner_text()

    # A second nomination by the same member is refused, and says why.
    _click(site, page, page.get_by_role("link", name="Nominate someone"))
    page.get_by_label("Nominee's email address").fill(another.email)
    _click(site, page, page.get_by_role("button", name="Nominate", exact=True))
    assert (
        page.get_by_role("alert").inner_text().strip()
        == "This member has already nominated someone in this election."
    )
    assert list(Candidate.objects.filter(election=election).values_list("name", flat=True)) == [
        "Ada Lovelace"
    ]

    # The nominee is emailed a link to their candidacy page, and signs in from it.
    site.settle()
    message = site.mail.wait_for(nominee.email, subject="You were nominated")
    assert "Noor Haddad nominated you" in body_of(message)
    link = link_in(message, rf"/elections/{election.slug}/candidacy/")
    nominee_page = site.new_page()
    nominee_page.goto(link)
    _sign_in_here(site, nominee_page, nominee.email)
    assert nominee_page.url == link, nominee_page.url
    main = nominee_page.locator("main")
    assert nominee_page.get_by_role("heading", name="Your nomination").is_visible()

    # Accepting without declaring an employer (or independence) is refused on the page.
    statement = "I will keep the mirrors running and the minutes short."
    nominee_page.get_by_label("Your statement to the members").fill(statement)
    _click(site, nominee_page, nominee_page.get_by_role("button", name="Accept the nomination"))
    assert "Choose your employer from the list, or declare being independent." in main.inner_text()
    assert Candidate.objects.get(election=election).state == CandidateState.NOMINATED

    assert nominee_page.get_by_label("Your statement to the members").input_value() == statement
    nominee_page.get_by_label("Your employer", exact=True).select_option("independent")
    _click(site, nominee_page, nominee_page.get_by_role("button", name="Accept the nomination"))
    assert nominee_page.url == link, nominee_page.url
    assert nominee_page.locator("header .badge").inner_text() == CandidateState.ACCEPTED.label
    assert statement in main.inner_text()
    candidate = Candidate.objects.get(election=election)
    assert candidate.state == CandidateState.ACCEPTED and candidate.statement == statement
    assert candidate.independent

    # Everyone sees the candidate and the statement on the election's page.
    site.go(nominee_page, f"/elections/{election.slug}/")
    assert statement in nominee_page.locator("section[aria-labelledby=cand-h]").inner_text()


def _stand(elections: Elections, election: Election, name: str) -> Candidate:
    """``name`` is nominated and accepts through the services (journey 3 covers the pages)."""
    person = elections.member(name=name)
    nominator = elections.member()
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=person, actor=nominator
    )
    candidate = Candidate.objects.get(election=election, person=person)
    return candidate_accept(
        candidate=candidate, statement=f"{name} will serve.", employer=None, independent=True, actor=person
    )


def _rank_with_keys(page: Any, t: Any, name: str, key: str = "Enter") -> None:
    page.get_by_role("button", name=t("Rank %(name)s") % {"name": name}, exact=True).focus()
    page.keyboard.press(key)


def _announced(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('[data-announce]').textContent === t", arg=text, timeout=5000
    )


def _focused_label(page: Any) -> str:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-label')")


@pytest.mark.parametrize(
    ("phone", "locale"), [(False, "en-GB"), (True, "ja-JP")], ids=["desktop-en", "phone-ja"]
)
def test_journey_4_rank_cast_track_certify_and_see_the_director_elect(site: Site, phone: bool, locale: str):
    language = locale.split("-")[0]

    def t(message: str) -> str:
        """``message`` in the page's language; a template's msgid doubles its % signs."""
        with translation.override(language):
            if "%" in message:
                escaped = message.replace("%", "%%")
                if (translated := gettext(escaped)) != escaped:
                    return translated.replace("%%", "%")
            return gettext(message)

    if language != "en":  # the page really is in another language, and so are the selectors
        assert t("Review your ballot") != "Review your ballot"
        assert t("Rank %(name)s") != "Rank %(name)s"
    elections = Elections()
    election = _election_in_nominations(site, elections)
    ada, ben, chen = (_stand(elections, election, n) for n in ("Ada Lovelace", "Ben Okafor", "Chen Wei"))
    voter = elections.member(name="Vera Voter")
    others = [elections.member() for _ in range(2)]
    chair = RoleFactory(role="election_committee_chair", user=UserFactory(full_name="Chidi Chair")).user
    TOTP.activate(chair, generate_totp_secret())

    # Nominations close, the roll freezes and voting opens, each on its schedule.
    _move_to(site, election.voting_opens_at)
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING
    for other in others:
        ballot_cast(
            election=election, voter=other, roll_entry_id=entry_for(election, other).pk, ranks={ada.pk: 1}
        )

    page = site.new_page(phone=phone, locale=locale)
    site.login(page, voter.email)
    site.audit(page)
    assert page.locator("html").get_attribute("lang") == language
    site.go(page, f"/elections/{election.slug}/")
    _click(site, page, page.locator(f"main a[href$='/elections/{election.slug}/ballot/']").first)
    assert page.locator("[data-rank-fallback]").is_hidden()  # the script's lists replace the selects

    # Ranked with the keyboard only; each move is announced in the page's language.
    def said(message: str, name: str, position: int | None, total: int) -> str:
        return t(message) % {"name": name, "position": position, "total": total}

    _rank_with_keys(page, t, ben.name)
    _announced(page, said("%(name)s ranked at position %(position)s of %(total)s.", ben.name, 1, 1))
    _rank_with_keys(page, t, ada.name, key="Space")
    _announced(page, said("%(name)s ranked at position %(position)s of %(total)s.", ada.name, 2, 2))
    assert _focused_label(page) == t("Move %(name)s up") % {"name": ada.name}
    page.keyboard.press("Enter")
    _announced(page, said("%(name)s moved to position %(position)s of %(total)s.", ada.name, 1, 2))
    _rank_with_keys(page, t, chen.name)
    _announced(page, said("%(name)s ranked at position %(position)s of %(total)s.", chen.name, 3, 3))
    page.get_by_role("button", name=t("Remove %(name)s from your ranking") % {"name": chen.name}).focus()
    page.keyboard.press("Enter")
    _announced(page, said("%(name)s removed from your ranking; %(total)s ranked.", chen.name, None, 2))
    assert _focused_label(page) == t("Rank %(name)s") % {"name": chen.name}
    site.audit(page)  # the ballot as ranked, with the script's lists

    page.locator("button[name=action][value=review]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.audit(page)
    order = f"1. {ada.name}, 2. {ben.name}"
    assert page.locator("[data-ballot-words]").inner_text() == t("%(order)s; %(rest)s not ranked") % {
        "order": order,
        "rest": chen.name,
    }
    assert page.locator("h1").inner_text() == t("Review your ballot")

    page.locator("button[name=action][value=cast]").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.audit(page)
    assert page.locator("h1").inner_text() == t("Your ballot was recorded")
    tracker = page.locator("main p.lead code").inner_text().strip()
    assert tracker
    assert entry_for(election, voter).has_voted

    # The receipt follows by email, in a batch the schedule sends (small batches here).
    site.run_schedule(SCHEDULE)
    receipt = site.mail.wait_for(voter.email, subject=election.title)
    assert tracker in body_of(receipt)

    # Past the close: the schedule closes the vote and the worker counts it.
    _move_to(site, election.voting_closes_at)
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED, election.state

    # The chair signs in with an authenticator code and certifies after ticking the box.
    chair_page = site.new_page(phone=phone, locale=locale)
    site.login(chair_page, chair.email, totp_user=chair)
    site.audit(chair_page)
    assert "/accounts/" not in chair_page.url, f"the chair is not signed in: {chair_page.url}"
    site.go(chair_page, f"/manage/elections/{election.slug}/")
    winners = chair_page.locator("table:has(#winners-caption) tbody tr")
    assert winners.count() == 1
    assert winners.first.locator("th").inner_text() == ada.name
    term_end = election.cohort.term_end

    def written(day: dt.date) -> str:
        """The date as the page's language writes it (ISO stays in <time datetime>)."""
        with translation.override(language):
            return date_format(day, "DATE_FORMAT")

    assert winners.first.locator(f"time[datetime='{term_end.isoformat()}']").inner_text() == written(term_end)
    certify = chair_page.locator("form[action$='/certify/']")
    certify.locator("#certify-confirm").check()
    _click(site, chair_page, certify.locator("[type=submit]"))
    assert t("Result certified.") in chair_page.locator("body").inner_text()
    election.refresh_from_db()
    assert election.state == ElectionState.CERTIFIED

    # The member finds the tracker in the published list.
    site.go(page, f"/elections/{election.slug}/trackers/")
    assert tracker in page.locator("main ul code").all_inner_texts()
    page.locator("form[role=search] input[name=code]").fill(tracker)
    _click(site, page, page.locator("form[role=search] [type=submit]"))
    found = page.locator("main .alert-success[role=status]")
    assert found.inner_text().strip() == t(
        "Found: this code was issued for a ballot that is in the counted set."
    )

    # The board page names the director-elect and the day the seat is taken.
    site.go(page, "/governance/board/")
    elect = page.locator("section[aria-labelledby=elect-h]")
    assert elect.locator("h2").inner_text() == t("Directors-elect")
    row = elect.locator("tbody tr", has_text=ada.name)
    assert row.locator(f"time[datetime='{term_end.isoformat()}']").inner_text() == written(term_end)
    if language == "en":
        assert f"elected, takes office on {written(term_end)}" in row.inner_text()
