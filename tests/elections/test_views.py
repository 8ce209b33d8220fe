"""The election pages: public pages, the ballot without JavaScript, receipts, committee pages."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.urls import reverse

from elections.models import Dispute, ElectionRules, ElectionState, SealedBallot
from elections.selectors import member_election_prompts
from elections.services.ballots import ballot_cast
from elections.services.nominations import nomination_create
from tests.auth import sign_in
from tests.elections.conftest import entry_for, opened_ballots
from tests.factories import RoleFactory


def _only(ballots):
    (ballot,) = ballots
    return ballot


pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(elections):
    return elections.voting(candidates=["Ada", "Bob", "Cy"], voters=3)


def _committee(client, role="election_committee_chair"):
    user = RoleFactory(role=role).user
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


def test_public_election_page_shows_candidates_nominators_rule_set_and_threat_model(client, voting):
    election, (_ada, *_), _ = voting
    page = client.get(reverse("elections:detail", args=[election.slug])).content.decode()
    assert "Ada" in page and "Nominated by" in page
    assert str(election.rule_set) in page
    assert election.tie_seed in page and election.roll_fingerprint in page
    assert "Threat model" in page and "What weighted voting cannot hide." in page
    assert "learns who has voted, not how" in page


def test_the_ranked_ballot_is_a_form_of_labelled_selects_without_script(client, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    page = client.get(reverse("elections:ballot", args=[election.slug])).content.decode()
    assert f'<label class="visually-hidden" for="rank-{ada.pk}">Rank for Ada</label>' in page
    assert f'<select id="rank-{ada.pk}" name="rank-{ada.pk}"' in page
    assert "<script>" not in page and 'style="' not in page


def test_casting_through_the_form_renders_the_receipt_and_leaves_the_session_alone(client, voting):
    election, (ada, bob, _), (voter, *_) = voting
    client.force_login(voter)
    session_key = client.session.session_key
    before = Session.objects.get(session_key=session_key).session_data
    response = client.post(
        reverse("elections:ballot", args=[election.slug]),
        {
            "action": "cast",
            "entry": str(entry_for(election, voter).pk),
            f"rank-{bob.pk}": "1",
            f"rank-{ada.pk}": "2",
        },
    )
    assert response.status_code == 200
    assert "Your tracker code" in response.content.decode()
    assert _only(opened_ballots(election))[0] == [bob.pk, ada.pk]
    assert Session.objects.get(session_key=session_key).session_data == before
    assert "messages" not in response.cookies


def test_a_bad_ballot_is_shown_again_with_the_reason_and_nothing_is_stored(client, voting):
    election, (ada, bob, _), (voter, *_) = voting
    client.force_login(voter)
    response = client.post(
        reverse("elections:ballot", args=[election.slug]),
        {
            "action": "cast",
            "entry": str(entry_for(election, voter).pk),
            f"rank-{bob.pk}": "1",
            f"rank-{ada.pk}": "1",
        },
    )
    assert response.status_code == 400
    assert "a rank is used twice" in response.content.decode()
    assert not opened_ballots(election)


def test_tracker_lookup_finds_a_counted_ballot_after_the_close(client, elections, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    response = client.post(
        reverse("elections:ballot", args=[election.slug]),
        {"action": "cast", "entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"},
    )
    code = response.context["receipt"].tracker
    election = elections.close(election)
    page = client.post(
        reverse("elections:trackers", args=[election.slug]), {"code": code.lower()}
    ).content.decode()
    assert "Found: this code was issued for a ballot that is in the counted set." in page
    assert "What a tracker proves" in page


def test_the_tracker_check_is_a_post_so_codes_stay_out_of_urls_and_logs(client, elections, voting):
    election, (ada, *_), (voter, *_) = voting
    code = ballot_cast(
        election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
    ).tracker
    election = elections.close(election)
    page = client.get(reverse("elections:trackers", args=[election.slug]), {"code": code}).content.decode()
    assert "Found:" not in page and 'method="post"' in page
    missing = client.post(
        reverse("elections:trackers", args=[election.slug]), {"code": "AAAA-AAAA-AAAA-AAAA"}
    )
    assert "This code is not in the list." in missing.content.decode()


def test_results_page_has_the_chart_turnout_and_downloads(client, elections, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    client.post(
        reverse("elections:ballot", args=[election.slug]),
        {"action": "cast", "entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"},
    )
    election = elections.close(election)
    # One voter in a class is below the reference minimum: publish anyway for this test.
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="always")
    page = client.get(reverse("elections:results", args=[election.slug])).content.decode()
    assert "<svg" in page and "Ada" in page and election.roll_fingerprint in page
    blt = client.get(reverse("elections:download", args=[election.slug, "ballots.blt"])).content.decode()
    assert blt.startswith("3 1\n") and '"Ada"' in blt


def test_nomination_through_the_site(client, elections):
    election = elections.open_nominations(elections.create())
    nominator, nominee = elections.member(), elections.member(name="Ada")
    client.force_login(nominator)
    response = client.post(
        reverse("elections:nominate", args=[election.slug]),
        {"on_behalf_of": nominator.memberships.get().number, "nominee_email": nominee.email},
    )
    assert response.status_code == 302
    client.force_login(nominee)
    response = client.post(
        reverse("elections:candidacy", args=[election.slug]),
        {"action": "accept", "statement": "I will serve.", "employer": "independent"},
    )
    assert response.status_code == 302
    assert election.candidates.get().stands


def test_the_candidacy_form_does_not_call_the_employer_optional_and_refuses_it_blank(client, elections):
    election = elections.open_nominations(elections.create())
    nominator, nominee = elections.member(), elections.member(name="Ada")
    nomination_create(
        election=election, nominator=nominator.memberships.get(), nominee=nominee, actor=nominator
    )
    client.force_login(nominee)
    url = reverse("elections:candidacy", args=[election.slug])
    page = client.get(url).content.decode()
    assert '<label for="id_employer">Your employer</label>' in page
    assert '<label for="id_proposed_employer">Or your employer' in page and "(optional)" in page
    response = client.post(url, {"action": "accept", "statement": "I will serve."})
    assert response.status_code == 200
    assert "Choose your employer from the list, or declare being independent." in response.content.decode()
    assert not election.candidates.get().stands


def test_committee_page_shows_live_quorum(client, voting):
    election, *_ = voting
    _committee(client, "election_committee")
    page = client.get(reverse("elections_manage:detail", args=[election.slug])).content.decode()
    assert "Live quorum" in page and "Quorum not reached" in page
    # The 64-character fingerprint in the sentence wraps on a phone instead of widening the page.
    assert '<p class="wrap-anywhere">Frozen: ' in page and election.roll_fingerprint in page


def test_an_observer_sees_the_committee_page_but_cannot_act(client, voting):
    election, *_ = voting
    _committee(client, "election_observer")
    page = client.get(reverse("elections_manage:detail", args=[election.slug])).content.decode()
    assert "You are an observer" in page and "Close voting and count" not in page
    response = client.post(reverse("elections_manage:cancel", args=[election.slug]), {"reason": "x"})
    assert response.status_code == 403
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING


def test_members_cannot_open_committee_pages(client, voting):
    election, _, (voter, *_) = voting
    client.force_login(voter)
    assert client.get(reverse("elections_manage:detail", args=[election.slug])).status_code == 403


def test_the_chair_closes_counts_and_certifies_from_the_committee_page(
    client, elections, voting, clock, run_jobs
):
    election, (ada, *_), voters = voting
    for voter in voters:
        client.force_login(voter)
        client.post(
            reverse("elections:ballot", args=[election.slug]),
            {"action": "cast", "entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"},
        )
    clock.set(election.voting_closes_at)
    _committee(client)
    client.post(reverse("elections_manage:close", args=[election.slug]))
    election.refresh_from_db()
    # The close commits without counting; the count is a job of its own.
    assert election.state == ElectionState.COUNTING
    assert "Counting" in client.get(reverse("elections:detail", args=[election.slug])).content.decode()
    run_jobs()
    election.refresh_from_db()
    assert election.state == ElectionState.COUNTED
    client.post(reverse("elections_manage:certify", args=[election.slug]), {"confirm": "on"})
    election.refresh_from_db()
    assert election.state == ElectionState.CERTIFIED


def test_a_member_files_a_dispute_and_the_chair_decides_it(client, elections, voting):
    election, _, (voter, *_) = voting
    client.force_login(voter)
    client.post(reverse("elections:dispute", args=[election.slug]), {"body": "Wrong roll."})
    dispute = Dispute.objects.get()
    _committee(client)
    client.post(
        reverse("elections_manage:dispute_decide", args=[dispute.pk]),
        {f"d{dispute.pk}-upheld": "0", f"d{dispute.pk}-reason": "The roll follows the records."},
    )
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.REJECTED
    page = client.get(reverse("elections:detail", args=[election.slug])).content.decode()
    assert "The roll follows the records." in page


def test_a_member_sees_their_provisional_line_with_the_reason(client, elections, clock):
    election = elections.create()
    member = elections.member()
    member.memberships.get().events.update(expires_at=election.record_date - dt.timedelta(days=60))
    client.force_login(member)
    page = client.get(reverse("elections:roll", args=[election.slug])).content.decode()
    assert "not on the roll" in page and "lapsed" in page


def test_dashboard_prompts_a_nominee_to_answer_and_a_voter_to_vote(elections):
    _, _, (voter, *_) = elections.voting(candidates=["Ada"])
    assert [p.kind for p in member_election_prompts(user=voter)] == ["vote"]
    other = elections.open_nominations(elections.create())
    nominator, nominee = elections.member(), elections.member()
    nomination_create(election=other, nominator=nominator.memberships.get(), nominee=nominee, actor=nominator)
    assert [p.kind for p in member_election_prompts(user=nominee)] == ["accept_nomination"]


def test_the_approval_ballot_is_labelled_checkboxes_and_casts_marks(client, elections):
    election, (ada, bob), (voter, *_) = elections.voting(
        candidates=["Ada", "Bob"], method="approval", approval_max_marks=2
    )
    client.force_login(voter)
    page = client.get(reverse("elections:ballot", args=[election.slug])).content.decode()
    assert (
        f'<label for="mark-{ada.pk}">Ada (Independent)</label>' in page
        and "Mark at most 2 candidates" in page
    )
    client.post(
        reverse("elections:ballot", args=[election.slug]),
        {"action": "cast", "entry": str(entry_for(election, voter).pk), "mark": [str(ada.pk), str(bob.pk)]},
    )
    assert _only(opened_ballots(election))[0] == sorted([ada.pk, bob.pk])


def test_every_published_file_downloads(client, elections, voting):
    election, (ada, *_), (voter, *_) = voting
    client.force_login(voter)
    client.post(
        reverse("elections:ballot", args=[election.slug]),
        {"action": "cast", "entry": str(entry_for(election, voter).pk), f"rank-{ada.pk}": "1"},
    )
    election = elections.close(election)
    # One voter in a class is below the reference minimum: publish anyway for this test.
    ElectionRules.objects.filter(rule_set=election.rule_set).update(ballot_publication="always")
    for kind in ("ballots.blt", "ballots.csv", "ballots.json", "report.txt", "report.json"):
        response = client.get(reverse("elections:download", args=[election.slug, kind]))
        assert response.status_code == 200 and response.content, kind


def test_results_are_not_public_before_the_count(client, voting):
    election, *_ = voting
    assert client.get(reverse("elections:results", args=[election.slug])).status_code == 404


def test_the_committee_schedules_an_election_from_its_page(client, elections, clock):
    seat = elections.seats(1)[0]
    _committee(client, "election_committee")
    opens = clock.now() + dt.timedelta(days=60)
    response = client.post(
        reverse("elections_manage:index"),
        {
            "title": "Board 2027",
            "slug": "board-2027",
            "method": "meek",
            "seats": [seat.pk],
            "record_date": (opens - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
            "voting_opens_at": opens.strftime("%Y-%m-%d %H:%M"),
            "voting_closes_at": (opens + dt.timedelta(days=14)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("elections_manage:detail", args=["board-2027"])


def test_a_cancelled_election_shows_its_public_reason(client, elections):
    election = elections.create()
    _committee(client, "election_committee")
    client.post(reverse("elections_manage:cancel", args=[election.slug]), {"reason": "The bylaws changed."})
    page = client.get(reverse("elections:detail", args=[election.slug])).content.decode()
    assert "This election was cancelled." in page and "The bylaws changed." in page


def test_ballots_are_not_in_the_admin(client, admin_user, voting):
    election, (ada, *_), (voter, *_) = voting
    TOTP.activate(admin_user, generate_totp_secret())
    sign_in(client, admin_user)
    ballot_cast(
        election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
    )
    assert SealedBallot.objects.exists()
    assert client.get("/admin/elections/ballot/").status_code == 404
    assert client.get("/admin/elections/sealedballot/").status_code == 404
    assert client.get("/admin/elections/ballotkey/").status_code == 404


def test_chart_coordinates_stay_svg_numbers_in_every_language(client, elections, voting):
    election, (ada, *_), (voter, *_) = voting
    ballot_cast(
        election=election, voter=voter, roll_entry_id=entry_for(election, voter).pk, ranks={ada.pk: 1}
    )
    election = elections.close(election)
    client.cookies["charter_language"] = "es"
    page = client.get(reverse("elections:results", args=[election.slug])).content.decode()
    assert '<rect x="90.00"' in page, page[page.find("<svg") : page.find("<svg") + 600]


def _post_as_observer(client, name, args, data=None):
    _committee(client, "election_observer")
    return client.post(reverse(f"elections_manage:{name}", args=args), data or {})


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("close", None),
        ("recount", None),
        ("certify", None),
        ("correct", {"member_number": "M1", "action": "exclude", "reason": "x"}),
    ],
)
def test_observers_cannot_act_on_an_election(client, voting, name, data):
    election, *_ = voting
    response = _post_as_observer(client, name, [election.slug], data)
    assert response.status_code == 403
    election.refresh_from_db()
    assert election.state == ElectionState.VOTING


def test_observers_cannot_schedule_an_election(client, elections):
    response = _post_as_observer(client, "index", [], {"title": "x"})
    assert response.status_code == 403


def test_observers_cannot_decide_a_dispute(client, voting):
    election, _, (voter, *_) = voting
    dispute = Dispute.objects.create(election=election, filed_by=voter, body="Wrong roll.")
    response = _post_as_observer(
        client, "dispute_decide", [dispute.pk], {f"d{dispute.pk}-upheld": "1", f"d{dispute.pk}-reason": "x"}
    )
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.OPEN


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("elections_manage:index", []),
        ("elections_manage:detail", ["board-1"]),
        ("elections:ballot", ["board-1"]),
        ("elections:nominate", ["board-1"]),
        ("elections:candidacy", ["board-1"]),
        ("elections:dispute", ["board-1"]),
        ("elections:roll_text", ["board-1"]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, elections, name, args):
    elections.create(slug="board-1")
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_refusal_by_the_service_is_a_403_with_its_reason(client, elections):
    election = elections.open_nominations(elections.create())
    nominator, nominee = elections.member(), elections.member()
    RoleFactory(role="election_committee", user=nominator)
    client.force_login(nominator)
    response = client.post(
        reverse("elections:nominate", args=[election.slug]),
        {"on_behalf_of": nominator.memberships.get().number, "nominee_email": nominee.email},
    )
    assert response.status_code == 403
    assert "Members of the election committee cannot nominate." in response.content.decode()
    assert not election.nominations.exists()


def test_a_refused_withdrawal_is_shown_on_the_candidacy_page(client, elections, voting):
    election, (ada, *_), _ = voting
    election = elections.close(elections.close(elections.close(election)))
    client.force_login(ada.person)
    response = client.post(reverse("elections:candidacy", args=[election.slug]), {"action": "withdraw"})
    assert response.status_code == 200
    assert "It is too late to withdraw: voting has closed." in response.content.decode()
