"""The elected board is visible before it takes office (issue 14 item 4).

A cohort election certified before the cohort's term ends seats the winners at the term's
end (correct), and until then the board page, the board history, the change history and the
board API say "elected, takes office on DATE". The certify step shows the winners and asks
for confirmation; the public reason belongs to Cancel alone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils.formats import date_format

from elections.models import ElectionState
from elections.services.ballots import ballot_cast
from elections.services.results import election_certify
from governance.models import ChangeRecord, SeatHolding
from tests.auth import sign_in
from tests.elections.conftest import Elections, entry_for
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def elections(clock, db) -> Elections:
    return Elections()


def _counted(elections: Elections):
    """A cohort election for one seat, counted: Ada elected, the cohort's term still running."""
    seat = elections.seats(1)[0]
    election = elections.create(cohort=seat.cohort, seats=[seat])
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada Lovelace")
    elections.stand(election, name="Ben Okafor")
    voters = [elections.member() for _ in range(3)]
    election = elections.open_voting(election)
    for voter in voters:
        ballot_cast(
            election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
        )
    election = elections.close(election)
    assert election.state == ElectionState.COUNTED
    seat.cohort.refresh_from_db()
    assert seat.cohort.term_end > election.voting_closes_at.date()
    return election, seat, ada


def _chair(client=None):
    chair = RoleFactory(role="election_committee_chair").user
    if client is not None:
        TOTP.activate(chair, generate_totp_secret())
        sign_in(client, chair)
    return chair


def test_the_board_page_shows_the_director_elect_and_when_they_take_office(client, elections):
    election, seat, ada = _counted(elections)
    assert "elected, takes office on" not in client.get(reverse("governance:board")).content.decode()
    election_certify(election=election, actor=_chair())
    assert not SeatHolding.objects.filter(person=ada.person).exists()  # not in office yet
    page = client.get(reverse("governance:board")).content.decode()
    date = seat.cohort.term_end
    assert "Directors-elect" in page and "Ada Lovelace" in page
    # The date as the reader's language writes it, ISO for machines: "Jan. 1, 2027" in English.
    assert (
        f'elected, takes office on <time class="date" datetime="{date.isoformat()}">'
        f"{date_format(date, 'DATE_FORMAT')}</time>"
    ) in page
    assert reverse("elections:results", args=[election.slug]) in page


def test_the_board_history_lists_the_director_elect_first(client, elections):
    election, seat, _ = _counted(elections)
    election_certify(election=election, actor=_chair())
    page = client.get(reverse("governance:board_history")).content.decode()
    assert (
        "Ada Lovelace" in page
        and f'takes office on <time class="date" datetime="{seat.cohort.term_end.isoformat()}">' in page
    )
    assert "No directors yet." not in page


def test_the_change_history_records_the_election_and_the_date(client, elections):
    election, seat, _ = _counted(elections)
    election_certify(election=election, actor=_chair())
    record = ChangeRecord.objects.get(item_type="board", summary__startswith="Elected in")
    assert (
        record.summary
        == f"Elected in Board election: Ada Lovelace; takes office on {seat.cohort.term_end.isoformat()}"
    )
    page = client.get(reverse("governance:changes")).content.decode()
    assert "Elected in Board election: Ada Lovelace; takes office on" in page


def test_the_board_api_shows_the_director_elect_on_the_board_and_on_the_seat(client, elections):
    election, seat, ada = _counted(elections)
    assert client.get("/api/v1/board/").json()["directors_elect"] == []
    election_certify(election=election, actor=_chair())
    body = client.get("/api/v1/board/").json()
    (elect,) = body["directors_elect"]
    assert elect["status"] == "elected"
    assert elect["person"]["name"] == "Ada Lovelace" and elect["person"]["public_id"] == str(
        ada.person.public_id
    )
    assert elect["seat"] == seat.number and elect["takes_office_on"] == seat.cohort.term_end.isoformat()
    assert elect["election_url"] == reverse("elections:results", args=[election.slug])
    (api_seat,) = [s for s in body["seats"] if s["number"] == seat.number]
    assert api_seat["elected"] == elect


def test_once_the_term_ends_the_director_elect_is_in_office_and_no_longer_elect(client, elections):
    election, seat, ada = _counted(elections)
    election_certify(election=election, actor=_chair())
    elections.goto(dt.datetime.combine(seat.cohort.term_end, dt.time.min, tzinfo=dt.UTC))
    assert SeatHolding.objects.active().filter(person=ada.person, seat=seat).exists()
    body = client.get("/api/v1/board/").json()
    assert body["directors_elect"] == []
    page = client.get(reverse("governance:board")).content.decode()
    assert "Directors-elect" not in page and "Ada Lovelace" in page


def test_the_certify_step_shows_the_winners_and_asks_for_confirmation(client, elections):
    election, seat, _ = _counted(elections)
    _chair(client)
    page = client.get(reverse("elections_manage:detail", args=[election.slug])).content.decode()
    certify = page[
        page.index('id="certify-h"') : page.index('id="cancel-h"') if 'id="cancel-h"' in page else None
    ]
    assert "Ada Lovelace" in certify and "Ben Okafor" not in certify
    assert f'datetime="{seat.cohort.term_end.isoformat()}">' in certify and ", when the cohort" in certify
    assert 'name="confirm" required' in certify and 'name="reason"' not in certify

    refused = client.post(reverse("elections_manage:certify", args=[election.slug]))
    assert refused.status_code == 400
    assert "Tick the box to confirm the winners before certifying." in refused.content.decode()
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED

    client.post(reverse("elections_manage:certify", args=[election.slug]), {"confirm": "on"})
    election.refresh_from_db()
    assert election.state == ElectionState.CERTIFIED


def test_the_public_reason_belongs_to_cancel_only(client, elections):
    election = elections.open_nominations(elections.create())
    _chair(client)
    page = client.get(reverse("elections_manage:detail", args=[election.slug])).content.decode()
    assert page.count("Public reason") == 1
    label = page.index("Public reason for cancelling")
    form_start = page.rindex("<form", 0, label)
    form = page[form_start : page.index("</form>", form_start)]
    assert reverse("elections_manage:cancel", args=[election.slug]) in form
    assert form_start > page.index('id="cancel-h"')
    # No other action's form carries it.
    for action in ("close", "recount", "certify"):
        url = reverse(f"elections_manage:{action}", args=[election.slug])
        if url in page:
            start = page.index(url)
            assert "Public reason" not in page[start : page.index("</form>", start)]


def test_the_board_page_without_officers_says_so_outside_the_officers_list(client, elections):
    """A <dl> holds only <dt>/<dd> pairs (axe: definition-list): the empty state is a paragraph."""
    elections.seats(1)
    page = client.get(reverse("governance:board")).content.decode()
    assert '<p class="muted">No officers recorded.</p>' in page
    assert "<dl><dd" not in page
