"""The ballot's review step, the cast from it, and the messages after voting (issue 14 item 6).

All without JavaScript: the ballot posts to a review page that says the ballot in words and
carries it in hidden fields; only the review's "Cast my ballot" casts, checking everything again.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from core import clock
from elections.models import RollEntry
from elections.services.ballots import ballot_cast
from tests.elections.conftest import entry_for, opened_ballots
from tests.elections.test_roll import _org_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(elections):
    return elections.voting(candidates=["Ada", "Ben", "Chen", "Dara"], voters=2)


def _url(election):
    return reverse("elections:ballot", args=[election.slug])


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_the_ballot_posts_to_a_review_in_words_and_records_nothing(client, voting):
    election, (ada, ben, chen, dara), (voter, _) = voting
    client.force_login(voter)
    session = Session.objects.get(session_key=client.session.session_key).session_data
    entry = entry_for(election, voter)
    response = client.post(
        _url(election),
        {"action": "review", "entry": str(entry.pk), f"rank-{ben.pk}": "2", f"rank-{ada.pk}": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Review your ballot" in page
    assert "1. Ada, 2. Ben; Chen and Dara not ranked" in page
    assert ">Cast my ballot</button>" in page and ">Change</button>" in page
    fields = _hidden(page)
    assert fields["entry"] == str(entry.pk)
    assert fields[f"rank-{ada.pk}"] == "1" and fields[f"rank-{ben.pk}"] == "2"
    assert f"rank-{chen.pk}" not in fields and f"rank-{dara.pk}" not in fields
    assert not opened_ballots(election)
    entry.refresh_from_db()
    assert entry.has_voted is False
    assert Session.objects.get(session_key=client.session.session_key).session_data == session


def test_a_post_without_an_action_only_reviews(client, voting):
    election, (ada, *_), (voter, _) = voting
    client.force_login(voter)
    response = client.post(
        _url(election), {"entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"}
    )
    assert "Review your ballot" in response.content.decode()
    assert not opened_ballots(election)


def test_casting_from_the_review_form_records_the_reviewed_order(client, voting):
    election, (ada, ben, *_), (voter, _) = voting
    client.force_login(voter)
    entry = entry_for(election, voter)
    review = client.post(
        _url(election),
        {"action": "review", "entry": str(entry.pk), f"rank-{ben.pk}": "1", f"rank-{ada.pk}": "2"},
    ).content.decode()
    cast = client.post(_url(election), {**_hidden(review), "action": "cast"})
    assert cast.status_code == 200 and "Your tracker code" in cast.content.decode()
    (ballot,) = opened_ballots(election)
    assert ballot[0] == [ben.pk, ada.pk]


def test_a_tampered_review_is_checked_again_on_cast_and_nothing_is_stored(client, voting):
    election, (ada, ben, *_), (voter, _) = voting
    client.force_login(voter)
    entry = entry_for(election, voter)
    response = client.post(
        _url(election),
        {"action": "cast", "entry": str(entry.pk), f"rank-{ada.pk}": "1", f"rank-{ben.pk}": "3"},
    )
    assert response.status_code == 400
    assert "rank 2 is missing" in response.content.decode()
    assert not opened_ballots(election)


def test_change_goes_back_to_the_ballot_with_the_choices_filled_in(client, voting):
    election, (ada, ben, *_), (voter, _) = voting
    client.force_login(voter)
    entry = entry_for(election, voter)
    response = client.post(
        _url(election),
        {"action": "change", "entry": str(entry.pk), f"rank-{ada.pk}": "2", f"rank-{ben.pk}": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Review my ballot" in page
    assert re.search(rf'name="rank-{ada.pk}".*?<option value="2" selected>', page, re.S)
    assert re.search(rf'name="rank-{ben.pk}".*?<option value="1" selected>', page, re.S)
    assert 'role="alert"' not in page
    assert not opened_ballots(election)


def test_a_blank_ranked_ballot_is_reviewed_as_blank(client, voting):
    election, _, (voter, _) = voting
    client.force_login(voter)
    page = client.post(
        _url(election), {"action": "review", "entry": str(entry_for(election, voter).pk)}
    ).content.decode()
    assert "You ranked no one: this is a blank vote." in page


def test_an_approval_ballot_has_the_same_review(client, elections):
    election, (ada, _bob, cy), (voter, *_) = elections.voting(
        candidates=["Ada", "Bob", "Cy"], method="approval", approval_max_marks=2
    )
    client.force_login(voter)
    entry = entry_for(election, voter)
    review = client.post(
        _url(election), {"action": "review", "entry": str(entry.pk), "mark": [str(cy.pk), str(ada.pk)]}
    ).content.decode()
    assert "You marked Ada and Cy; Bob not marked" in review
    assert not opened_ballots(election)
    data = {"entry": str(entry.pk), "mark": [ada.pk, cy.pk], "action": "cast"}
    assert re.findall(r'name="mark" value="(\d+)"', review) == [str(ada.pk), str(cy.pk)]
    assert "Your tracker code" in client.post(_url(election), data).content.decode()
    assert opened_ballots(election)[0][0] == sorted([ada.pk, cy.pk])


def test_an_error_is_summarised_in_an_alert_that_takes_the_focus(client, voting):
    election, (ada, ben, *_), (voter, _) = voting
    client.force_login(voter)
    page = client.post(
        _url(election),
        {
            "action": "review",
            "entry": str(entry_for(election, voter).pk),
            f"rank-{ada.pk}": "1",
            f"rank-{ben.pk}": "1",
        },
    ).content.decode()
    summary = re.search(r"<div [^>]*id=\"ballot-error\"[^>]*>", page).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert "autofocus" in summary and "data-focus-on-load" in summary
    assert "a rank is used twice" in page


def test_the_ballot_shows_each_statement_collapsed(client, voting):
    election, _, (voter, _) = voting
    client.force_login(voter)
    page = client.get(_url(election)).content.decode()
    assert "<details>" in page and "<details open" not in page
    assert "Ada’s statement" in page and "Ada will serve." in page
    assert 'src="/static/js/ballot.js"' in page and "<script>" not in page


def test_a_second_tab_after_voting_says_already_voted_and_nothing_about_correcting(client, voting):
    election, (ada, ben, *_), (voter, _) = voting
    client.force_login(voter)
    entry = entry_for(election, voter)
    ballot_cast(election=election, voter=voter, roll_entry_id=entry.pk, ranks={ada.pk: 1})
    for action in ("review", "cast"):
        response = client.post(
            _url(election), {"action": action, "entry": str(entry.pk), f"rank-{ben.pk}": "1"}
        )
        page = response.content.decode()
        assert response.status_code == 409
        assert "You have already voted in Board election." in page
        for wrong in ("correct", "cast it again", "Choose which", "which vote", "Review your ballot"):
            assert wrong not in page, wrong
    (ballot,) = opened_ballots(election)
    assert ballot[0] == [ada.pk]


def test_a_member_with_one_vote_is_never_asked_which_vote(client, voting):
    election, (ada, *_), (voter, _) = voting
    client.force_login(voter)
    ballot_cast(
        election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
    )
    page = client.get(_url(election)).content.decode()
    assert "You have already voted in Board election." in page
    assert "more than one vote" not in page and "Choose which" not in page


def test_a_representative_with_two_votes_picks_one_and_is_told_per_vote(client, elections):
    election = elections.create()
    elections.open_nominations(election)
    ada = elections.stand(election, name="Ada")
    person = elections.member(name="Rep")
    _org_member("gold", rep=person)
    election = elections.open_voting(election)
    own, org = RollEntry.objects.filter(election=election, voter=person).order_by("subject_type")
    client.force_login(person)
    assert "Choose which" in client.get(_url(election)).content.decode()
    ballot_cast(election=election, voter=person, roll_entry_id=own.pk, ranks={ada.pk: 1})
    # One vote left: the ballot goes straight to it.
    page = client.get(_url(election)).content.decode()
    assert f'name="entry" value="{org.pk}"' in page and "Choose which" not in page
    # The vote already cast names the member number and offers the other one.
    done = client.get(_url(election), {"for": str(own.pk)}).content.decode()
    assert f"A ballot has already been cast in Board election for member {own.member_number}." in done
    assert f"?for={org.pk}" in done and "correct" not in done
    # Both cast: no choice is offered, and the page says so for both.
    ballot_cast(election=election, voter=person, roll_entry_id=org.pk, ranks={ada.pk: 1})
    both = client.get(_url(election)).content.decode()
    assert "You have already voted in Board election for every vote you hold" in both
    assert own.member_number in both and org.member_number in both and "Choose which" not in both


def test_the_dashboard_says_you_voted_while_voting_is_open_and_nothing_after_the_close(
    client, elections, voting
):
    election, (ada, *_), (voter, _) = voting
    client.force_login(voter)
    assert "Vote in Board election" in client.get("/dashboard/").content.decode()
    client.post(
        _url(election), {"action": "cast", "entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"}
    )
    page = client.get("/dashboard/").content.decode()
    assert "You voted in Board election." in page and "Vote in Board election" not in page
    election = elections.close(election)
    page = client.get("/dashboard/").content.decode()
    assert "You voted in" not in page and "Vote in Board election" not in page


def test_a_review_after_the_voting_time_is_refused(client, voting):
    election, (ada, *_), (voter, _) = voting
    client.force_login(voter)
    entry = entry_for(election, voter)
    clock.freeze(election.voting_closes_at)  # the time is up; the schedule has not closed it yet
    response = client.post(
        _url(election), {"action": "review", "entry": str(entry.pk), f"rank-{ada.pk}": "1"}
    )
    page = response.content.decode()
    assert "Review your ballot" not in page and "Voting is open from" in page
    assert not opened_ballots(election)
