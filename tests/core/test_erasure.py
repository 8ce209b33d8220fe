"""A member asks to be forgotten (after signing in again); what must happen first; the membership
committee decides; the data goes, what must stay stays, and the audit chain still verifies."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import audit_verify_chain
from core.errors import Conflict, NotAllowed
from core.models import ApiToken, AuditEntry, ErasureRequest, ErasureState, OutgoingEmail, User
from core.services.privacy import (
    erasure_approve,
    erasure_blockers,
    erasure_reject,
    erasure_request,
    erasure_withdraw,
)
from elections.counting import count
from elections.models import Ballot
from elections.services.ballots import ballot_cast
from elections.services.lifecycle import election_cancel
from elections.services.results import count_input, election_certify, export_blt
from governance.models import Seat, SeatHolding
from governance.services.board import board_found, seat_fill, seat_vacate
from members.billing.models import Invoice
from members.models import Invitation, Membership, MembershipApplication, MembershipState
from members.services.organisations import organisation_set_representative
from tests.auth import sign_in
from tests.core.privacy_world import person_with_data, rows_mentioning, sign_in_again
from tests.elections.conftest import Elections, entry_for
from tests.factories import OrganisationFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(clock):
    return RoleFactory(role="membership_committee").user


def _blocker_codes(user) -> set[str]:
    return {b.code for b in erasure_blockers(user=user)}


# --- End to end ----------------------------------------------------------------------------------


def test_an_erasure_removes_the_person_from_every_app_and_keeps_what_must_stay(clock, committee, run_jobs):
    ada = person_with_data("ada")
    number, invoice = ada.membership.number, ada.invoice.number
    erasure = erasure_request(user=ada.user, actor=ada.user)
    run_jobs()
    assert OutgoingEmail.objects.filter(to=ada.email, purpose="privacy.erasure_received").exists()

    erasure_approve(erasure=erasure, actor=committee)

    user = User.objects.get(pk=ada.user.pk)
    assert user.full_name == erasure.pseudonym and user.full_name.startswith("Former member ")
    assert user.email.endswith("@erased.invalid") and not user.is_active and not user.has_usable_password()
    # The address and the name are nowhere any more: not in a table, not in a JSON column.
    assert rows_mentioning(ada.email) == []
    assert rows_mentioning(ada.name) == []
    assert rows_mentioning(ada.statement) == []
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not MembershipApplication.objects.filter(applicant=user).exists()  # it was rejected
    assert not Invitation.objects.filter(email__iexact=ada.email).exists()
    assert not ada.organisation.admins.filter(pk=user.pk).exists()
    # Kept: the member number and its history, the invoice.
    membership = Membership.objects.get(number=number)
    assert membership.user_id == user.pk and membership.state == MembershipState.ENDED
    assert membership.events.filter(kind="ended").exists()
    assert Invoice.objects.filter(number=invoice).exists()
    erasure.refresh_from_db()
    assert erasure.state == ErasureState.ERASED and erasure.decided_by == committee
    assert erasure.summary["account"]["api_tokens"] == 1
    assert erasure.summary["membership"]["memberships_ended"] == 1
    assert erasure.summary["billing"]["invoices_kept"] == 1


def test_the_audit_chain_verifies_after_an_erasure_and_never_held_the_person(clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_approve(erasure=erasure_request(user=ada.user, actor=ada.user), actor=committee)
    assert audit_verify_chain().ok
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)  # exits non-zero on a broken chain
    completed = AuditEntry.objects.get(action="erasure.completed")
    assert completed.data["subject"] == ada.user.audit_ref  # an opaque id, unchanged by the erasure
    assert completed.object_ref == erasure.audit_ref
    # Entries written before the erasure still point at the same opaque id: nothing was rewritten.
    assert AuditEntry.objects.filter(actor_ref=ada.user.audit_ref, action="api.token_created").exists()


def test_the_erased_person_is_signed_out_everywhere(client, clock, committee):
    ada = person_with_data("ada")
    sign_in(client, ada.user)
    assert client.get("/dashboard/").status_code == 200
    erasure_approve(erasure=erasure_request(user=ada.user, actor=ada.user), actor=committee)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not client.login(email=ada.email, password="correct horse battery staple")


def test_the_same_address_may_join_again_after_an_erasure(clock, committee):
    ada = person_with_data("ada")
    erasure_approve(erasure=erasure_request(user=ada.user, actor=ada.user), actor=committee)
    assert UserFactory(email=ada.email).pk != ada.user.pk


def test_a_former_director_stays_in_the_board_history_under_the_pseudonym(client, clock, committee):
    board_found(seats=4)
    ada = person_with_data("ada")
    holding = seat_fill(
        seat=Seat.objects.order_by("number").first(), person=ada.user, employer=None, independent=True
    )
    seat_vacate(holding=holding, reason="resigned")
    erasure = erasure_approve(erasure=erasure_request(user=ada.user, actor=ada.user), actor=committee)
    history = client.get("/governance/board/history/").content.decode()
    assert erasure.pseudonym in history and ada.name not in history
    assert SeatHolding.objects.filter(pk=holding.pk, person=ada.user).exists()


# --- Signing in again ------------------------------------------------------------------------------


def test_asking_needs_a_fresh_sign_in_then_goes_to_the_committee(client, clock):
    ada = person_with_data("ada")
    sign_in(client, ada.user)
    page = client.get("/settings/data/erase/")
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    response = client.post("/settings/data/erase/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert not ErasureRequest.objects.exists()
    # allauth asks for the password, then replays the request it held.
    resumed = client.post(response["Location"], {"password": "correct horse battery staple"})
    assert resumed.status_code == 302 and resumed["Location"] == "/settings/data/"
    assert ErasureRequest.objects.get(user=ada.user).state == ErasureState.REQUESTED
    assert "asked to be forgotten" in client.get("/settings/data/").content.decode()


def test_the_request_needs_the_confirmation(client, clock):
    ada = person_with_data("ada")
    sign_in(client, ada.user)
    sign_in_again(client, ada.user)
    assert client.post("/settings/data/erase/", {}).status_code == 400
    assert not ErasureRequest.objects.exists()


def test_the_person_may_withdraw_before_the_committee_decides(client, clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    sign_in(client, ada.user)
    assert client.post("/settings/data/erase/withdraw/").status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureState.WITHDRAWN
    with pytest.raises(Conflict) as raised:
        erasure_approve(erasure=erasure, actor=committee)
    assert raised.value.code == "already_decided"
    assert User.objects.get(pk=ada.user.pk).email == ada.email


def test_only_the_person_asks_or_withdraws(clock):
    ada, bob = person_with_data("ada"), person_with_data("bob")
    with pytest.raises(NotAllowed):
        erasure_request(user=ada.user, actor=bob.user)
    erasure = erasure_request(user=ada.user, actor=ada.user)
    with pytest.raises(NotAllowed):
        erasure_withdraw(erasure=erasure, actor=bob.user)
    with pytest.raises(Conflict) as raised:
        erasure_request(user=ada.user, actor=ada.user)
    assert raised.value.code == "already_requested"


# --- What must happen first ------------------------------------------------------------------------


def test_a_sitting_director_must_resign_first(client, clock):
    board_found(seats=4)
    ada = person_with_data("ada")
    holding = seat_fill(
        seat=Seat.objects.order_by("number").first(), person=ada.user, employer=None, independent=True
    )
    with pytest.raises(Conflict) as raised:
        erasure_request(user=ada.user, actor=ada.user)
    assert raised.value.code == "erasure_blocked"
    assert {"sitting_director", "holds_role"} <= set(raised.value.detail["blockers"])
    sign_in(client, ada.user)
    page = client.get("/settings/data/erase/").content.decode()
    assert "resign first" in page and 'name="confirm"' not in page
    seat_vacate(holding=holding, reason="resigned")
    assert _blocker_codes(ada.user) == set()
    assert erasure_request(user=ada.user, actor=ada.user).is_open


def test_an_organisations_representative_needs_a_successor_first(clock):
    ada = person_with_data("ada")
    org = OrganisationFactory(representative=ada.user)
    assert _blocker_codes(ada.user) == {"organisation_representative"}
    admin = UserFactory()
    org.admins.add(admin)
    organisation_set_representative(
        organisation=org, actor=admin, email=UserFactory().email, role="representative"
    )
    assert _blocker_codes(ada.user) == set()


def test_a_member_on_an_open_elections_roll_waits_for_its_end(clock):
    elections = Elections()
    ada = person_with_data("ada")
    election, _candidates, _voters = elections.voting(candidates=["Cy"])
    assert election.roll.filter(voter=ada.user).exists()
    with pytest.raises(Conflict) as raised:
        erasure_request(user=ada.user, actor=ada.user)
    assert raised.value.detail["blockers"] == ["on_open_roll"]
    assert "wait for the election's end" in raised.value.message
    election_cancel(election=election, reason="Test.", actor=RoleFactory(role="election_committee").user)
    assert _blocker_codes(ada.user) == set()


def test_a_blocker_that_appears_after_the_request_stops_the_approval(clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    OrganisationFactory(representative=ada.user)
    with pytest.raises(Conflict) as raised:
        erasure_approve(erasure=erasure, actor=committee)
    assert raised.value.code == "erasure_blocked"
    assert User.objects.get(pk=ada.user.pk).email == ada.email
    erasure.refresh_from_db()
    assert erasure.is_open


# --- The committee decides --------------------------------------------------------------------------


def test_only_the_membership_committee_decides_and_never_on_its_own(clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    for outsider in (ada.user, UserFactory(), RoleFactory(role="secretary").user):
        with pytest.raises(NotAllowed):
            erasure_approve(erasure=erasure, actor=outsider)
        with pytest.raises(NotAllowed):
            erasure_reject(erasure=erasure, actor=outsider, reason="No.")
    own = ErasureRequest.objects.create(user=committee)
    with pytest.raises(NotAllowed):
        erasure_approve(erasure=own, actor=committee)


def test_the_committee_approves_on_its_page(client, clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    sign_in(client, committee)
    listing = client.get("/manage/privacy/erasures/").content.decode()
    assert ada.name in listing
    detail = client.get(f"/manage/privacy/erasures/{erasure.pk}/").content.decode()
    assert ada.email in detail and "Approve and erase" in detail
    response = client.post(f"/manage/privacy/erasures/{erasure.pk}/approve/")
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureState.ERASED
    entry = AuditEntry.objects.get(action="erasure.completed")
    assert entry.actor_ref == committee.audit_ref
    after = client.get(f"/manage/privacy/erasures/{erasure.pk}/").content.decode()
    assert erasure.pseudonym in after and ada.email not in after and ada.name not in after


def test_the_committees_page_shows_what_must_happen_first_and_offers_no_approval(client, clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    OrganisationFactory(representative=ada.user, legal_name="Blocking Corp")
    sign_in(client, committee)
    detail = client.get(f"/manage/privacy/erasures/{erasure.pk}/").content.decode()
    assert "Blocking Corp" in detail and "Approve and erase" not in detail
    response = client.post(f"/manage/privacy/erasures/{erasure.pk}/approve/")
    assert response.status_code == 409


def test_a_refusal_gives_the_person_the_reason(client, clock, committee, run_jobs):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    sign_in(client, committee)
    assert client.post(f"/manage/privacy/erasures/{erasure.pk}/reject/", {"reason": ""}).status_code == 400
    response = client.post(
        f"/manage/privacy/erasures/{erasure.pk}/reject/", {"reason": "An open dispute names you as witness."}
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.state == ErasureState.REJECTED and erasure.decided_by == committee
    assert AuditEntry.objects.get(action="erasure.rejected").data == {}
    run_jobs()
    refusal = [m for m in mail.outbox if m.to == [ada.email] and "not approved" in m.subject]
    assert refusal and "An open dispute names you as witness." in refusal[0].body
    client.logout()
    sign_in(client, ada.user)
    assert "An open dispute names you as witness." in client.get("/settings/data/").content.decode()


def test_two_approvals_erase_once(clock, committee):
    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    stale = ErasureRequest.objects.get(pk=erasure.pk)
    erasure_approve(erasure=erasure, actor=committee)
    with pytest.raises(Conflict) as raised:
        erasure_approve(erasure=stale, actor=RoleFactory(role="membership_committee").user)
    assert raised.value.code == "already_decided"
    assert AuditEntry.objects.filter(action="erasure.completed").count() == 1


# --- Elections: ballots stay counted, results recount -------------------------------------------------


def test_an_erased_voter_and_candidate_leave_the_result_and_its_recount_unchanged(clock, committee):
    elections = Elections()
    election, (ada, bob), (v1, v2, v3) = elections.voting(candidates=["Ada", "Bob"])
    for voter, order in ((v1, [bob, ada]), (v2, [ada]), (v3, [ada, bob])):
        ballot_cast(
            election=election,
            voter=voter,
            roll_entry_id=entry_for(election, voter).pk,
            ranks={c.pk: i for i, c in enumerate(order, 1)},
        )
    election = elections.close(election)
    # Counted but not certified: still open (a dispute could change it).
    assert "on_open_roll" in _blocker_codes(v1)
    election = election_certify(election=election, actor=RoleFactory(role="election_committee_chair").user)
    blt, result, ballots = export_blt(election=election), election.result, Ballot.objects.count()

    for person in (v1, bob.person):
        erasure_approve(erasure=erasure_request(user=person, actor=person), actor=committee)

    election.refresh_from_db()
    assert election.result == result
    assert Ballot.objects.count() == ballots
    assert export_blt(election=election) == blt
    data, _by_pk = count_input(election=election)
    recount = count(data, election.method, election.seats.count(), election.tie_seed or None)
    assert recount.elected == result["elected"] == ["Ada"]
    bob.refresh_from_db()
    assert bob.name == "Bob" and bob.statement == ""  # the name on the published ballot stays
    assert audit_verify_chain().ok


def test_the_committees_list_runs_the_same_queries_however_many_requests(client, clock, committee):
    sign_in(client, committee)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/manage/privacy/erasures/").status_code == 200
        return len(captured)

    ErasureRequest.objects.create(user=UserFactory())
    few = queries()
    for _ in range(10):
        ErasureRequest.objects.create(user=UserFactory())
    assert queries() == few


def test_an_erasure_scrubs_stripe_payloads_and_the_admin_log_that_name_the_person(clock, committee):
    """Webhook payloads (a checkout's customer details) and admin log entries about other objects
    quote the person's address and name; after the erasure they say the pseudonym, the rest stays."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from members.billing.models import StripeEvent

    ada = person_with_data("ada")
    event = StripeEvent.objects.create(
        event_id="evt_privacy_1",
        type="checkout.session.completed",
        payload={
            "id": "evt_privacy_1",
            "data": {
                "object": {
                    "amount_total": 500000,
                    "customer_details": {"email": ada.email.upper(), "name": ada.name},
                    "metadata": {"note": f"paid by {ada.name} <{ada.email}>"},
                }
            },
        },
    )
    untouched = StripeEvent.objects.create(
        event_id="evt_privacy_2", type="invoice.paid", payload={"customer_email": "someone@else.example"}
    )
    membership_type = ContentType.objects.get_for_model(Membership)
    entry = LogEntry.objects.create(
        user=committee,
        content_type=membership_type,
        object_id=str(ada.membership.pk),
        object_repr=f"{ada.membership.number} ({ada.email})",
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Notes"]}}, "note": "asked by {ada.name}"}}]',
    )

    erasure = erasure_approve(erasure=erasure_request(user=ada.user, actor=ada.user), actor=committee)

    assert rows_mentioning(ada.email) == []
    assert rows_mentioning(ada.name) == []
    event.refresh_from_db()
    customer = event.payload["data"]["object"]["customer_details"]
    assert customer == {"email": erasure.pseudonym, "name": erasure.pseudonym}
    assert event.payload["data"]["object"]["amount_total"] == 500000
    assert event.payload["data"]["object"]["metadata"]["note"] == (
        f"paid by {erasure.pseudonym} <{erasure.pseudonym}>"
    )
    untouched.refresh_from_db()
    assert untouched.payload == {"customer_email": "someone@else.example"}
    entry.refresh_from_db()
    assert entry.object_repr == f"{ada.membership.number} ({erasure.pseudonym})"
    assert f"asked by {erasure.pseudonym}" in entry.change_message
    assert erasure.summary["billing"]["stripe_events_scrubbed"] == 1
    assert erasure.summary["account"]["admin_log_entries_scrubbed"] == 1


def test_the_pseudonym_is_stored_in_the_sites_language_whatever_the_approvers(clock, committee):
    """A committee member reading in Spanish approves: the stored name is still the site's."""
    from django.utils import translation

    ada = person_with_data("ada")
    erasure = erasure_request(user=ada.user, actor=ada.user)
    with translation.override("es"):
        erasure = erasure_approve(erasure=erasure, actor=committee)
    assert erasure.pseudonym.startswith("Former member ")
    assert User.objects.get(pk=ada.user.pk).full_name == erasure.pseudonym
