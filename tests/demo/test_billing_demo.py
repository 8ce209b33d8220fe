import io

import pytest

from demo.billing import seed_billing
from members.billing.models import Invoice, InvoiceStatus
from members.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_has_invoices_in_every_state_and_a_sponsor_in_grace_and_one_overdue(clock):
    slugs = seed_billing(stdout=io.StringIO())
    assert set(Invoice.objects.values_list("status", flat=True)) == set(InvoiceStatus.values)
    assert Membership.objects.get(organisation__slug=slugs["grace"]).state == "grace"
    overdue = Membership.objects.get(organisation__slug=slugs["overdue"])
    assert overdue.state == "lapsed" and overdue.invoices.filter(status="open").exists()


def test_demo_seeds_once(clock):
    seed_billing(stdout=io.StringIO())
    count = Invoice.objects.count()
    out = io.StringIO()
    seed_billing(stdout=out)
    assert Invoice.objects.count() == count and "not seeded" in out.getvalue()


def test_demo_bills_the_members_demo_sponsors(clock):
    import demo.members as members_demo

    out = io.StringIO()
    people = members_demo.seed_people(stdout=out)
    members_demo.seed_members(stdout=out, people=people)
    seed_billing(stdout=out)
    persona_org = Membership.objects.get(organisation__representative=people["sponsor"])
    assert persona_org.invoices.filter(status="open", due_at=persona_org.expires_at).exists()
