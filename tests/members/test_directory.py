"""The public member directory at /members/."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.services.transitions import membership_end, membership_suspend
from tests.factories import OrganisationFactory, UserFactory, make_member, register_decision

pytestmark = pytest.mark.django_db

# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


def _listed_person(name: str, **kwargs):
    return make_member(user=UserFactory(full_name=name), in_directory=True, **kwargs)


def test_lists_opted_in_individuals_and_organisations(clock, client):
    _listed_person("Ada Lovelace")
    make_member(user=UserFactory(full_name="Hidden Person"), in_directory=False)
    make_member(organisation=OrganisationFactory(legal_name="Acme Linux Inc"), class_code="gold")
    make_member(
        organisation=OrganisationFactory(legal_name="Private Corp", in_directory=False), class_code="silver"
    )
    content = client.get("/members/").content.decode()
    assert "Ada Lovelace" in content
    assert "Acme Linux Inc" in content
    assert "Hidden Person" not in content
    assert "Private Corp" not in content


def test_email_addresses_are_never_shown(clock, client):
    user = UserFactory(full_name="Grace Hopper", email="grace@navy.example")
    make_member(user=user, in_directory=True)
    content = client.get("/members/").content.decode()
    assert "Grace Hopper" in content
    assert "grace@navy.example" not in content


def test_only_live_memberships_are_listed(clock, client):
    suspended = _listed_person("Suspended Sam")
    membership_suspend(
        membership=suspended,
        actor=None,
        reason="x",
        notice_date=clock.now().date(),
        decision_number=register_decision().number,
    )
    ended = _listed_person("Ended Erin")
    membership_end(membership=ended, actor=None)
    _listed_person("Active Alex")
    content = client.get("/members/").content.decode()
    assert "Active Alex" in content
    assert "Suspended Sam" not in content
    assert "Ended Erin" not in content


def test_grouped_by_class_in_class_order(clock, client):
    _listed_person("Zed Individual")
    make_member(organisation=OrganisationFactory(legal_name="Platinum Org"), class_code="platinum")
    make_member(organisation=OrganisationFactory(legal_name="Silver Org"), class_code="silver")
    content = client.get("/members/").content.decode()
    assert content.index("Platinum Org") < content.index("Silver Org") < content.index("Zed Individual")
    assert content.index(">Platinum<") < content.index(">Silver<") < content.index(">Individual<")


def test_search_by_name(clock, client):
    _listed_person("Linus Example")
    _listed_person("Margaret Other")
    content = client.get("/members/", {"q": "linus"}).content.decode()
    assert "Linus Example" in content
    assert "Margaret Other" not in content


def test_organisation_logo_is_shown(clock, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = OrganisationFactory(legal_name="Logo Corp")
    org.logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    org.save()
    make_member(organisation=org, class_code="gold")
    content = client.get("/members/").content.decode()
    assert org.logo.url in content
    assert 'alt="Logo Corp logo"' in content


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _populate(n: int) -> None:
    for i in range(n):
        if i % 2:
            _listed_person(f"Person {i:04d}")
        else:
            make_member(organisation=OrganisationFactory(legal_name=f"Org {i:04d}"), class_code="mirror")


def test_query_count_does_not_grow_with_members(clock, client):
    _populate(10)
    small = _queries(client, "/members/")
    _populate(990)
    large = _queries(client, "/members/?page=3")
    assert large == small


def test_paginated(clock, client):
    _populate(120)
    page1 = client.get("/members/")
    page3 = client.get("/members/?page=3")
    assert page1.context["page_obj"].paginator.num_pages == 3
    assert len(page3.context["entries"]) == 20


def test_a_listed_person_appears_under_their_display_name_and_is_found_by_it(clock, client):
    make_member(
        user=UserFactory(full_name="Augusta Ada King", display_name="Ada Lovelace"), in_directory=True
    )
    make_member(user=UserFactory(full_name="", display_name="Nameless"), in_directory=True)
    content = client.get("/members/").content.decode()
    assert "Ada Lovelace" in content and "Augusta Ada King" not in content
    assert "Nameless" not in content  # no full name, not listed (the rule keys on it)
    assert "Ada Lovelace" in client.get("/members/", {"q": "lovelace"}).content.decode()
