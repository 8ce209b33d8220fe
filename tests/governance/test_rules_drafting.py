"""The board drafts a rule-set version (with its classes and election rules) and adopts it by a decision."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from core import clock as core_clock
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.models import AuditEntry, RuleSet
from core.rules import rules_in_force
from elections.models import ElectionRules
from elections.rules import election_rules_for
from governance.forms import MembershipClassFormSet, RuleSetAdoptForm, RuleSetForm
from governance.manage.rules import part_forms
from governance.models import Decision, DecisionKind, VoteChoice
from governance.services.rules import (
    CLASS_FIELDS,
    adoptable_decisions,
    rule_set_adopt,
    rule_set_draft,
    rule_set_update,
)
from members.models import MembershipClass
from tests.auth import sign_in
from tests.factories import RoleFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(board: Any) -> Any:
    return board.secretary()


def _classes(rule_set: RuleSet) -> list[dict[str, Any]]:
    return [
        {n: getattr(k, n) for n in CLASS_FIELDS}
        for k in MembershipClass.objects.filter(rule_set=rule_set).order_by("position", "code")
    ]


def _adopting_decision(board: Any, **kwargs: Any) -> Decision:
    board.directors(3)
    return board.decide(kind=kwargs.pop("kind", DecisionKind.RULE_SET_CHANGE), **kwargs)


def _actions(rule_set: RuleSet) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_ref=str(rule_set.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- Drafting ------------------------------------------------------------------------------------


def test_a_draft_copies_the_version_in_force_with_its_classes_and_election_rules(secretary):
    current = rules_in_force()
    ElectionRules.objects.filter(rule_set=current).update(min_voting_days=21)

    draft = rule_set_draft(actor=secretary)

    assert draft.version == current.version + 1 and draft.is_draft
    assert draft.board_max_size == current.board_max_size
    assert [(k["code"], k["vote_weight"], k["annual_dues_minor"]) for k in _classes(draft)] == [
        (k["code"], k["vote_weight"], k["annual_dues_minor"]) for k in _classes(current)
    ]
    assert _classes(draft)
    assert ElectionRules.objects.get(rule_set=draft).min_voting_days == 21
    assert AuditEntry.objects.filter(action="rule_set.drafted").count() == 1


def test_a_draft_is_never_in_force(secretary):
    current = rules_in_force()
    rule_set_draft(actor=secretary)
    assert rules_in_force() == current
    assert rules_in_force(at=core_clock.now() + dt.timedelta(days=3650)) == current


def test_one_draft_at_a_time(secretary):
    rule_set_draft(actor=secretary)
    with pytest.raises(Conflict) as caught:
        rule_set_draft(actor=secretary)
    assert caught.value.code == "draft_exists"


def test_only_the_secretary_or_the_chair_drafts_edits_and_adopts(board, secretary):
    director = RoleFactory(role="director").user
    with pytest.raises(NotAllowed):
        rule_set_draft(actor=director)
    draft = rule_set_draft(actor=secretary)
    with pytest.raises(NotAllowed):
        rule_set_update(actor=director, rule_set=draft, board_max_size=9)
    decision = _adopting_decision(board)
    with pytest.raises(NotAllowed):
        rule_set_adopt(
            actor=director, rule_set=draft, decision=decision, effective_from=core_clock.now().date()
        )
    chair = RoleFactory(role="chair").user
    assert rule_set_update(actor=chair, rule_set=draft, board_max_size=9).board_max_size == 9


# --- Editing ---------------------------------------------------------------------------------------


def test_the_board_edits_numbers_and_classes_of_a_draft(secretary):
    draft = rule_set_draft(actor=secretary)
    classes = _classes(draft)
    classes[0]["vote_weight"] = 7
    classes.append({**classes[0], "code": "patron", "name": "Patron", "annual_dues_minor": 500000})

    rule_set_update(actor=secretary, rule_set=draft, board_max_size=11, classes=classes)

    draft.refresh_from_db()
    assert draft.board_max_size == 11
    assert MembershipClass.objects.get(rule_set=draft, code=classes[0]["code"]).vote_weight == 7
    assert MembershipClass.objects.filter(rule_set=draft, code="patron").exists()
    entry = AuditEntry.objects.get(action="rule_set.updated")
    assert entry.data["fields"] == {"board_max_size": 11}
    assert entry.data["classes"]["added"] == ["patron"]
    # The version in force is untouched.
    assert MembershipClass.objects.get(rule_set=rules_in_force(), code=classes[0]["code"]).vote_weight != 7


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"board_quorum_denominator": 0}, "board_quorum_denominator"),
        ({"majority_numerator": 3, "majority_denominator": 2}, "majority_numerator"),
        ({"board_min_size": 9, "board_normal_min_size": 7}, "board_normal_min_size"),
        ({"board_normal_min_size": 14, "board_max_size": 13}, "board_normal_min_size"),
        ({"supermajority_numerator": 1, "supermajority_denominator": 3}, "supermajority_numerator"),
        ({"lobbying_share_percent": 101}, "lobbying_share_percent"),
        ({"reminder_offsets_days": ["x"]}, "reminder_offsets_days"),
        ({"board_cohorts": []}, "board_cohorts"),
        ({"supermajority_decision_types": ["coup"]}, "supermajority_decision_types"),
        ({"board_max_size": -1}, "board_max_size"),
        ({"name": "  "}, "name"),
    ],
)
def test_numbers_that_make_no_sense_are_refused(secretary, fields, field):
    draft = rule_set_draft(actor=secretary)
    before = RuleSet.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(ValidationFailed) as caught:
        rule_set_update(actor=secretary, rule_set=draft, **fields)
    assert caught.value.detail == {"field": field}
    assert RuleSet.objects.filter(pk=draft.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="rule_set.updated").exists()


def test_a_negative_weight_is_refused_and_nothing_is_stored(secretary):
    draft = rule_set_draft(actor=secretary)
    classes = _classes(draft)
    classes[0]["vote_weight"] = -1
    with pytest.raises(ValidationFailed) as caught:
        rule_set_update(actor=secretary, rule_set=draft, board_max_size=11, classes=classes)
    assert caught.value.detail == {"field": "classes"}
    draft.refresh_from_db()
    assert draft.board_max_size != 11  # all or nothing


def test_a_class_members_hold_cannot_be_dropped(clock, secretary):
    make_member(class_code="individual")
    draft = rule_set_draft(actor=secretary)
    classes = [k for k in _classes(draft) if k["code"] != "individual"]
    with pytest.raises(ValidationFailed) as caught:
        rule_set_update(actor=secretary, rule_set=draft, classes=classes)
    assert caught.value.code == "class_in_use"
    assert MembershipClass.objects.filter(rule_set=draft, code="individual").exists()


def test_election_rules_are_edited_through_their_registered_part(secretary):
    draft = rule_set_draft(actor=secretary)
    rule_set_update(actor=secretary, rule_set=draft, parts={"elections": {"min_voting_days": 20}})
    assert election_rules_for(rule_set=draft).min_voting_days == 20
    assert election_rules_for(rule_set=rules_in_force()).min_voting_days != 20
    with pytest.raises(ValidationFailed):
        rule_set_update(
            actor=secretary,
            rule_set=draft,
            parts={"elections": {"nominations_open_days": 5, "nominations_close_days": 10}},
        )
    assert election_rules_for(rule_set=draft).nominations_open_days != 5


# --- Adopted versions never change --------------------------------------------------------------------


def test_the_version_in_force_cannot_be_updated(secretary):
    current = rules_in_force()
    with pytest.raises(Conflict) as caught:
        rule_set_update(actor=secretary, rule_set=current, board_max_size=99)
    assert caught.value.code == "rule_set_adopted"
    current.refresh_from_db()
    assert current.board_max_size != 99


def test_an_adopted_draft_is_frozen(board, secretary):
    draft = rule_set_draft(actor=secretary)
    decision = _adopting_decision(board)
    rule_set_adopt(actor=secretary, rule_set=draft, decision=decision, effective_from=core_clock.now().date())
    with pytest.raises(Conflict) as caught:
        rule_set_update(actor=secretary, rule_set=draft, board_max_size=9)
    assert caught.value.code == "rule_set_adopted"
    with pytest.raises(Conflict):
        rule_set_adopt(
            actor=secretary, rule_set=draft, decision=decision, effective_from=core_clock.now().date()
        )


def test_a_draft_the_board_voted_on_no_longer_changes(board, secretary):
    draft = rule_set_draft(actor=secretary)
    _adopting_decision(board, adopts_rule_set=draft)
    with pytest.raises(Conflict) as caught:
        rule_set_update(actor=secretary, rule_set=draft, board_max_size=9)
    assert caught.value.code == "rule_set_decided"


# --- Adoption -------------------------------------------------------------------------------------


def test_adoption_by_a_decision_puts_the_version_in_force_on_its_day(board, secretary):
    old = rules_in_force()
    draft = rule_set_draft(actor=secretary)
    decision = _adopting_decision(board)
    day = core_clock.now().date() + dt.timedelta(days=10)

    rule_set_adopt(actor=secretary, rule_set=draft, decision=decision, effective_from=day)

    draft.refresh_from_db()
    decision.refresh_from_db()
    assert draft.effective_from == dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    assert draft.adopted_by.startswith(decision.reference)
    assert decision.adopts_rule_set == draft
    assert rules_in_force() == old
    assert rules_in_force(at=draft.effective_from) == draft
    assert _actions(draft) == ["rule_set.drafted", "rule_set.adopted"]
    assert AuditEntry.objects.get(action="rule_set.adopted").data["decision"] == decision.number


def test_adoption_needs_an_adopted_decision(board, secretary):
    draft = rule_set_draft(actor=secretary)
    directors = board.directors(3)
    rejected = board.decide(kind=DecisionKind.RULE_SET_CHANGE, votes=dict.fromkeys(directors, VoteChoice.NO))
    with pytest.raises(ValidationFailed) as caught:
        rule_set_adopt(
            actor=secretary, rule_set=draft, decision=rejected, effective_from=core_clock.now().date()
        )
    assert caught.value.code == "not_adopted"
    assert rejected not in adoptable_decisions(draft)
    draft.refresh_from_db()
    assert draft.is_draft


def test_adoption_needs_a_rule_change_or_bylaws_amendment(board, secretary):
    draft = rule_set_draft(actor=secretary)
    ordinary = _adopting_decision(board, kind=DecisionKind.ORDINARY)
    with pytest.raises(ValidationFailed) as caught:
        rule_set_adopt(
            actor=secretary, rule_set=draft, decision=ordinary, effective_from=core_clock.now().date()
        )
    assert caught.value.code == "wrong_kind"


def test_a_decision_adopts_one_version_only(board, secretary):
    other = RuleSet.objects.create(version=99, name="Other", effective_from=None)
    decision = _adopting_decision(board, adopts_rule_set=other)
    RuleSet.objects.filter(pk=other.pk).update(effective_from=core_clock.now())
    draft = rule_set_draft(actor=secretary)
    with pytest.raises(Conflict) as caught:
        rule_set_adopt(
            actor=secretary, rule_set=draft, decision=decision, effective_from=core_clock.now().date()
        )
    assert caught.value.code == "decision_used"


def test_a_version_cannot_take_effect_in_the_past(board, secretary):
    draft = rule_set_draft(actor=secretary)
    decision = _adopting_decision(board)
    with pytest.raises(ValidationFailed) as caught:
        rule_set_adopt(
            actor=secretary,
            rule_set=draft,
            decision=decision,
            effective_from=core_clock.now().date() - dt.timedelta(days=1),
        )
    assert caught.value.detail == {"field": "effective_from"}
    draft.refresh_from_db()
    assert draft.is_draft


# --- The pages ----------------------------------------------------------------------------------------


def _form_data(form: Any) -> dict[str, Any]:
    """What a browser would post for ``form`` as rendered (initial values)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | dict):
            value = json.dumps(value)
        data[bound.html_name] = "" if value is None else value
    return data


def _page_data(draft: RuleSet, **changes: Any) -> dict[str, Any]:
    data = _form_data(RuleSetForm(instance=draft))
    formset = MembershipClassFormSet(initial=_classes(draft), prefix="classes")
    data.update(_form_data(formset.management_form))
    for class_form in formset.forms[: len(_classes(draft))]:
        data.update(_form_data(class_form))
    data["classes-TOTAL_FORMS"] = len(_classes(draft))
    for _part, part_form in part_forms(draft):
        data.update(_form_data(part_form))
    data.update(changes)
    return data


def test_the_secretary_drafts_edits_and_adopts_through_the_pages(client, board, secretary):
    sign_in(client, secretary)
    assert client.get("/manage/governance/rules/").status_code == 200
    response = client.post("/manage/governance/rules/draft/")
    draft = RuleSet.objects.get(effective_from__isnull=True)
    assert (
        response.status_code == 302 and response["Location"] == f"/manage/governance/rules/{draft.version}/"
    )
    assert client.get(f"/manage/governance/rules/{draft.version}/").status_code == 200

    first = _classes(draft)[0]["code"]
    response = client.post(
        f"/manage/governance/rules/{draft.version}/",
        _page_data(draft, board_max_size=11, **{"classes-0-vote_weight": 5, "elections-min_voting_days": 18}),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.board_max_size == 11
    assert MembershipClass.objects.get(rule_set=draft, code=first).vote_weight == 5
    assert election_rules_for(rule_set=draft).min_voting_days == 18

    decision = _adopting_decision(board)
    form = RuleSetAdoptForm(decisions=adoptable_decisions(draft))
    assert decision in form.fields["decision"].queryset
    response = client.post(
        f"/manage/governance/rules/{draft.version}/adopt/",
        {"decision": decision.number, "effective_from": core_clock.now().date().isoformat()},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    assert rules_in_force() == draft
    assert _actions(draft) == ["rule_set.drafted", "rule_set.updated", "rule_set.adopted"]
    assert client.get(f"/manage/governance/rules/{draft.version}/").status_code == 200


def test_bad_numbers_on_the_page_are_a_form_error_and_nothing_is_saved(client, secretary):
    sign_in(client, secretary)
    draft = rule_set_draft(actor=secretary)
    response = client.post(
        f"/manage/governance/rules/{draft.version}/",
        _page_data(draft, board_quorum_denominator=0, board_max_size=11),
    )
    assert response.status_code == 200
    assert "denominator must be at least 1" in response.content.decode()
    draft.refresh_from_db()
    assert draft.board_max_size != 11


def test_a_past_effective_date_on_the_page_is_a_form_error(client, board, secretary):
    sign_in(client, secretary)
    draft = rule_set_draft(actor=secretary)
    decision = _adopting_decision(board)
    yesterday = core_clock.now().date() - dt.timedelta(days=1)
    response = client.post(
        f"/manage/governance/rules/{draft.version}/adopt/",
        {"decision": decision.number, "effective_from": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert "cannot take effect in the past" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_posting_to_an_adopted_version_changes_nothing(client, secretary):
    sign_in(client, secretary)
    current = rules_in_force()
    response = client.post(f"/manage/governance/rules/{current.version}/", {"board_max_size": 99})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.board_max_size != 99


def test_a_director_cannot_open_the_rules_pages(client, board):
    director = RoleFactory(role="director").user
    sign_in(client, director)
    assert client.get("/manage/governance/rules/").status_code == 403
    assert client.post("/manage/governance/rules/draft/").status_code == 403
    assert not RuleSet.objects.filter(effective_from__isnull=True).exists()


def test_a_draft_is_not_published_until_adopted(secretary, client):
    draft = rule_set_draft(actor=secretary)
    page = client.get("/governance/rules/").content.decode()
    assert f"Version {draft.version}:" not in page and "Version 1:" in page
    body = client.get("/api/v1/rule-sets/").json()
    versions = [item["version"] for item in (body["results"] if isinstance(body, dict) else body)]
    assert draft.version not in versions
    assert versions  # the adopted versions are still there
