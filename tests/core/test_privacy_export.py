"""A member downloads everything Charter holds about them: their data, nobody else's, no secrets,
no ballots; the download is audited without its content."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from core.errors import NotAllowed
from core.models import AuditEntry
from core.services.privacy import personal_data_export
from elections.models import Ballot, SealedBallot, Tracker
from elections.services.ballots import ballot_cast
from elections.services.nominations import candidate_accept, nomination_create
from governance.services.committees import conflict_declaration_file
from tests.auth import sign_in
from tests.core.privacy_world import person_with_data
from tests.elections.conftest import Elections, entry_for

pytestmark = pytest.mark.django_db


def _export(person) -> dict:
    return personal_data_export(user=person.user, actor=person.user)


def _text(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


def test_the_export_holds_the_members_data_from_every_app(clock):
    ada = person_with_data("ada")
    conflict_declaration_file(person=ada.user, interests="Ada consults for Widgets Ltd")
    data = _export(ada)
    assert data["account"]["account"]["email"] == ada.email
    assert data["account"]["account"]["full_name"] == ada.name
    assert [t["name"] for t in data["account"]["api_tokens"]] == ["ada-mailing-list-bot"]
    assert data["account"]["second_factors"][0]["type"] == "totp"
    assert any(e["purpose"] == "membership.reminder" for e in data["account"]["emails_sent_to_you"])
    membership = data["membership"]["memberships"][0]
    assert membership["number"] == ada.membership.number
    assert membership["history"] and membership["renewal_reminders"][0]["days_before"] == 30
    application = data["membership"]["applications"][0]
    assert application["statement"] == ada.statement
    assert application["messages"] == [
        {"from": "you", "at": application["messages"][0]["at"], "body": "ada's answer"}
    ]
    assert data["membership"]["organisations"][0]["your_roles"] == ["administrator", "billing contact"]
    assert data["membership"]["invitations_to_you"][0]["role"] == "alternate"
    assert [i["number"] for i in data["billing"]["invoices_you_are_the_contact_for"]] == [ada.invoice.number]
    assert data["governance"]["conflict_declarations"][0]["interests"] == "Ada consults for Widgets Ltd"


def test_the_export_holds_nominations_and_roll_lines_but_no_ballot(clock):
    elections = Elections()
    ada = person_with_data("ada")
    election = elections.create()
    elections.open_nominations(election)
    candidate = elections.member(name="Candidate Cy")
    nomination_create(election=election, nominator=ada.membership, nominee=candidate, actor=ada.user)
    cy = candidate_accept(
        candidate=election.candidates.get(),
        statement="Cy will serve.",
        employer=None,
        independent=True,
        actor=candidate,
    )
    election = elections.open_voting(election)
    receipt = ballot_cast(
        election=election, voter=ada.user, roll_entry_id=entry_for(election, ada.user).pk, ranks={cy.pk: 1}
    )
    data = _export(ada)
    assert data["elections"]["nominations_made"][0]["candidate"] == "Candidate Cy"
    (line,) = data["elections"]["roll_lines"]
    assert line["member_number"] == ada.membership.number and line["voted"] is True
    text = _text(data)
    # During voting the ballot exists only sealed: neither its row nor its ciphertext is exported.
    sealed = SealedBallot.objects.get(election=election)
    assert str(sealed.pk) not in text and "ballots" not in data["elections"]
    assert not Ballot.objects.filter(election=election).exists()
    assert Tracker.objects.filter(election=election, code=receipt.tracker).exists()
    assert receipt.tracker not in text


def test_the_export_holds_nobody_elses_data(clock):
    ada = person_with_data("ada")
    bob = person_with_data("bob")
    text = _text(_export(ada))
    for trace in (
        bob.email,
        bob.name,
        bob.membership.number,
        bob.organisation.legal_name,
        bob.invoice.number,
        bob.token.name,
        bob.statement,
        "bob's answer",
        str(bob.user.public_id),
    ):
        assert trace not in text, trace
    assert ada.email in text and ada.membership.number in text


def test_the_export_never_holds_a_token_secret_or_hash(clock):
    ada = person_with_data("ada")
    text = _text(_export(ada))
    assert ada.token_secret not in text
    assert ada.token.token_hash not in text
    assert ada.token.prefix not in text


def test_the_export_is_audited_without_its_content(clock):
    ada = person_with_data("ada")
    _export(ada)
    entry = AuditEntry.objects.get(action="personal_data.exported")
    assert entry.actor_ref == ada.user.audit_ref and entry.object_ref == ada.user.audit_ref
    assert ada.email not in _text(entry.data) and ada.name not in _text(entry.data)
    assert set(entry.data["parts"]) == {"account", "membership", "billing", "governance", "elections"}


def test_nobody_exports_someone_elses_data(clock):
    ada, bob = person_with_data("ada"), person_with_data("bob")
    with pytest.raises(NotAllowed):
        personal_data_export(user=ada.user, actor=bob.user)
    assert not AuditEntry.objects.filter(action="personal_data.exported").exists()


def test_the_settings_page_offers_the_download_as_json(client, clock):
    ada = person_with_data("ada")
    sign_in(client, ada.user)
    page = client.get("/settings/data/").content.decode()
    assert 'action="/settings/data/export/"' in page
    assert client.get("/settings/data/export/").status_code == 405
    response = client.post("/settings/data/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["format"] == "charter.personal-data/1"
    assert data["membership"]["memberships"][0]["number"] == ada.membership.number


def test_the_account_settings_menu_links_your_data(client, clock):
    ada = person_with_data("ada")
    sign_in(client, ada.user)
    assert 'href="/settings/data/"' in client.get("/accounts/email/").content.decode()
