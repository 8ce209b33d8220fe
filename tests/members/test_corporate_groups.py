"""Issue 18, item 2: corporate groups are an entity the membership committee confirms.

Organisations choose a group from the list or propose one (unconfirmed until the committee
confirms or merges it); a change asked by an organisation's admin waits for the committee;
look-alike names are suggested for merging; every step is audited.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry
from members.models import CorporateGroup, GroupChangeStatus, OrganisationGroupChange, group_name_key
from members.selectors import group_merge_hints, group_of_employer, group_of_organisation
from members.services.groups import (
    corporate_group_confirm,
    corporate_group_merge,
    corporate_group_set_parent,
    membership_employer_declare,
    organisation_group_decide,
    organisation_group_request,
)
from tests.auth import sign_in
from tests.factories import CorporateGroupFactory, OrganisationFactory, RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(clock):
    return RoleFactory(role="membership_committee").user


def _org_with_admin(group):
    admin = UserFactory()
    org = OrganisationFactory(corporate_group=group)
    org.admins.add(admin)
    return org, admin


# --- Look-alike names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ACME Inc.", "Acme"),
        ("Zeta Group, Inc.", "Zeta Group"),
        ("Bluefin GmbH", "bluefin"),
        ("Lumen S.A.", "Lumen SA"),
        ("Contoso, LLC", "Contoso"),
        ("Delta Silicon Ltd", "Delta Silicon Limited"),
        ("The Example Company", "Example Co."),
        ("Société Générale", "Societe Generale"),
    ],
)
def test_names_differing_in_case_punctuation_or_legal_form_look_alike(a, b):
    assert group_name_key(a) == group_name_key(b)


def test_different_companies_do_not_look_alike():
    assert group_name_key("Acme Cloud") != group_name_key("Acme")
    assert group_name_key("Group") == "group"  # a name made only of legal words keeps them


# --- Who counts as one company ---------------------------------------------------------------------


def test_unconfirmed_look_alikes_count_as_one_company_until_the_committee_decides(committee):
    acme = OrganisationFactory(corporate_group=CorporateGroupFactory(name="ACME Inc.", confirmed=False))
    other = OrganisationFactory(corporate_group=CorporateGroupFactory(name="Acme", confirmed=False))
    assert group_of_organisation(acme).key == group_of_organisation(other).key
    corporate_group_confirm(group=acme.corporate_group, actor=committee)
    # A look-alike of a confirmed group still counts with it...
    assert (
        group_of_organisation(other).key
        == group_of_organisation(acme).key
        == f"group:{acme.corporate_group_id}"
    )
    # ...until the committee confirms it as a company of its own.
    corporate_group_confirm(group=other.corporate_group, actor=committee, despite_lookalike=True)
    assert group_of_organisation(other).key != group_of_organisation(acme).key


def test_a_subsidiary_counts_with_its_parent_and_a_merged_group_with_its_target(committee):
    parent = CorporateGroupFactory(name="Mega Holdings")
    cloud = OrganisationFactory(corporate_group=CorporateGroupFactory(name="Mega Cloud"))
    typo = OrganisationFactory(corporate_group=CorporateGroupFactory(name="Mega Holdngs", confirmed=False))
    corporate_group_set_parent(group=cloud.corporate_group, parent=parent, actor=committee)
    corporate_group_merge(group=typo.corporate_group, into=parent, actor=committee)
    typo.refresh_from_db()
    assert typo.corporate_group == parent
    assert group_of_organisation(cloud).key == group_of_organisation(typo).key == f"group:{parent.pk}"
    assert group_of_organisation(cloud).label == "Mega Holdings"
    assert (
        group_of_employer(group=CorporateGroup.objects.get(name="Mega Holdngs")).key == f"group:{parent.pk}"
    )
    assert group_of_employer(independent=True) is None


# --- The committee ---------------------------------------------------------------------------------


def test_confirming_a_look_alike_of_a_confirmed_group_is_refused_with_the_twin(committee):
    CorporateGroupFactory(name="Acme")
    twin = CorporateGroupFactory(name="ACME, Inc.", confirmed=False)
    with pytest.raises(Conflict) as error:
        corporate_group_confirm(group=twin, actor=committee)
    assert error.value.code == "group_lookalike" and "Acme" in error.value.message


def test_merges_and_parents_are_audited_and_never_make_a_cycle(committee):
    a, b = CorporateGroupFactory(name="Alpha"), CorporateGroupFactory(name="Beta")
    corporate_group_set_parent(group=b, parent=a, actor=committee)
    with pytest.raises(Conflict) as error:
        corporate_group_set_parent(group=a, parent=b, actor=committee)
    assert error.value.code == "parent_cycle"
    with pytest.raises(Conflict):
        corporate_group_merge(group=a, into=b, actor=committee)
    corporate_group_merge(group=b, into=a, actor=committee)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"corporate_group.parent_set", "corporate_group.merged"} <= actions


@pytest.mark.parametrize("role", [None, "staff", "secretary"])
def test_only_the_membership_committee_confirms_merges_and_links(clock, role):
    actor = RoleFactory(role=role).user if role else UserFactory()
    group, other = CorporateGroupFactory(confirmed=False), CorporateGroupFactory()
    for act in (
        lambda: corporate_group_confirm(group=group, actor=actor),
        lambda: corporate_group_merge(group=group, into=other, actor=actor),
        lambda: corporate_group_set_parent(group=group, parent=other, actor=actor),
    ):
        with pytest.raises(NotAllowed):
            act()
    group.refresh_from_db()
    assert not group.confirmed and group.merged_into is None and group.parent is None


def test_the_committee_page_suggests_the_merge_and_does_it(client, committee):
    confirmed = CorporateGroupFactory(name="Northwind Holdings")
    lookalike = CorporateGroupFactory(name="Northwind Holdings, Inc.", confirmed=False)
    OrganisationFactory(legal_name="Evergreen Data", corporate_group=lookalike)
    assert [(h.target, h.others) for h in group_merge_hints()] == [(confirmed, [lookalike])]
    TOTP.activate(committee, generate_totp_secret())
    sign_in(client, committee)
    page = client.get("/manage/members/groups/").content.decode()
    assert "Merge “Northwind Holdings, Inc.” into “Northwind Holdings”" in page
    response = client.post("/manage/members/groups/merge/", {"group": lookalike.pk, "into": confirmed.pk})
    assert response.status_code == 302
    lookalike.refresh_from_db()
    assert lookalike.merged_into == confirmed
    assert group_merge_hints() == []


# --- An organisation's group ---------------------------------------------------------------------


def test_an_admins_change_of_group_waits_for_the_committee(committee):
    old, new = CorporateGroupFactory(name="Old Parent"), CorporateGroupFactory(name="New Parent")
    org, admin = _org_with_admin(old)
    change = organisation_group_request(organisation=org, actor=admin, group=new)
    org.refresh_from_db()
    assert change.status == GroupChangeStatus.PENDING and org.corporate_group == old
    assert AuditEntry.objects.filter(action="organisation.group_change_requested").exists()
    organisation_group_decide(change=change, confirm=True, actor=committee)
    org.refresh_from_db()
    assert org.corporate_group == new
    assert AuditEntry.objects.filter(action="organisation.group_changed").exists()


def test_an_admin_cannot_leave_the_group_empty_nor_ask_twice(committee):
    org, admin = _org_with_admin(CorporateGroupFactory())
    with pytest.raises(ValidationFailed) as error:
        organisation_group_request(organisation=org, actor=admin)
    assert error.value.code == "group_required"
    organisation_group_request(organisation=org, actor=admin, proposed_name="Brand New Parent")
    with pytest.raises(Conflict) as again:
        organisation_group_request(organisation=org, actor=admin, group=CorporateGroupFactory())
    assert again.value.code == "group_change_pending"
    proposed = CorporateGroup.objects.get(name="Brand New Parent")
    assert not proposed.confirmed and proposed.proposed_by == admin


def test_a_rejected_change_leaves_the_organisation_where_it_was(committee):
    old = CorporateGroupFactory()
    org, admin = _org_with_admin(old)
    change = organisation_group_request(organisation=org, actor=admin, group=CorporateGroupFactory())
    organisation_group_decide(change=change, confirm=False, note="Not a subsidiary", actor=committee)
    org.refresh_from_db()
    assert org.corporate_group == old
    assert OrganisationGroupChange.objects.get().status == GroupChangeStatus.REJECTED


def test_strangers_cannot_ask_to_move_an_organisation(clock):
    org, _admin = _org_with_admin(CorporateGroupFactory())
    with pytest.raises(NotAllowed):
        organisation_group_request(organisation=org, actor=UserFactory(), group=CorporateGroupFactory())


def test_the_organisation_page_offers_the_list_and_shows_the_pending_change(client, committee):
    org, admin = _org_with_admin(CorporateGroupFactory(name="Old Parent"))
    target = CorporateGroupFactory(name="New Parent")
    client.force_login(admin)
    page = client.get(f"/members/organisations/{org.slug}/").content.decode()
    assert 'name="group"' in page and "New Parent" in page
    response = client.post(f"/members/organisations/{org.slug}/group/", {"group": target.pk})
    assert response.status_code == 302
    page = client.get(f"/members/organisations/{org.slug}/").content.decode()
    assert "waiting for the membership committee" in page


def test_the_form_refuses_a_group_that_is_not_in_the_list(client, committee):
    org, admin = _org_with_admin(CorporateGroupFactory())
    client.force_login(admin)
    response = client.post(f"/members/organisations/{org.slug}/group/", {"group": "Acme Inc."})
    assert response.status_code == 400
    assert not OrganisationGroupChange.objects.exists()


# --- An individual's employer -----------------------------------------------------------------------


def test_an_individual_may_declare_an_employer_privately(client, clock):
    member = make_member()
    group = CorporateGroupFactory(name="Acme")
    membership_employer_declare(membership=member, actor=member.user, group=group)
    member.refresh_from_db()
    assert member.employer_group == group and not member.employer_group_public
    entry = AuditEntry.objects.get(action="membership.employer_declared")
    assert entry.data == {"declared": True, "public": False}  # no group in the public chain
    with pytest.raises(NotAllowed):
        membership_employer_declare(membership=member, actor=UserFactory(), group=group)
    client.force_login(member.user)
    client.post("/members/membership/employer/", {"group": "", "proposed_group": "", "public": ""})
    member.refresh_from_db()
    assert member.employer_group is None


def test_the_directory_shows_an_employer_only_when_the_member_publishes_it(client, clock):
    member = make_member(user=UserFactory(full_name="Grace Hopper"), in_directory=True)
    group = CorporateGroupFactory(name="Remington Rand")
    membership_employer_declare(membership=member, actor=member.user, group=group)
    assert "Remington Rand" not in client.get("/members/").content.decode()
    membership_employer_declare(membership=member, actor=member.user, group=group, public=True)
    assert "Remington Rand" in client.get("/members/").content.decode()
