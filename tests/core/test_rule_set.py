"""The rule set is versioned: the version in force at a moment governs that moment."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import RuleSet
from core.rules import rules_in_force
from members.models import MembershipClass
from members.rights import voting_rights
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _new_version(effective: dt.datetime, *, weight_changes: dict[str, int]) -> RuleSet:
    current = rules_in_force(at=effective)
    classes = list(MembershipClass.objects.filter(rule_set=current))
    new = RuleSet.objects.create(
        version=current.version + 1,
        name="Amended",
        effective_from=effective,
        adopted_by="Decision 2026-07",
        grace_days=current.grace_days,
    )
    for c in classes:
        c.pk = None
        c.rule_set = new
        c.vote_weight = weight_changes.get(c.code, c.vote_weight)
        c.save()
    return new


def test_shipped_preset_holds_the_reference_values():
    rules = rules_in_force()
    weights = dict(MembershipClass.objects.filter(rule_set=rules).values_list("code", "vote_weight"))
    assert weights == {"platinum": 50, "gold": 15, "ruby": 5, "silver": 5, "individual": 1, "mirror": 1}
    assert rules.reminder_offsets == [30, 7, 1]


def test_version_in_force_follows_effective_dates(clock):
    change = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    new = _new_version(change, weight_changes={})
    assert rules_in_force(at=change - dt.timedelta(seconds=1)).version == 1
    assert rules_in_force(at=change).version == new.version


def test_past_answers_keep_the_weights_that_were_in_force(clock):
    org_member = make_member(user=None, organisation=_org(), class_code="gold")
    change = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    _new_version(change, weight_changes={"gold": 20})
    before = voting_rights(subject=org_member, at=change - dt.timedelta(days=1))
    after = voting_rights(subject=org_member, at=change + dt.timedelta(days=1))
    assert (before.weight, before.rule_set_version) == (15, 1)
    assert (after.weight, after.rule_set_version) == (20, 2)


def _org():
    from tests.factories import OrganisationFactory

    return OrganisationFactory()
