"""Who controls the board: power, blocking, passing and quorum at each threshold, at any date."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from core.errors import NotFound, ValidationFailed
from core.models import RuleSet
from core.rules import rules_in_force
from governance.control import (
    MAJORITY,
    SUPERMAJORITY,
    WRITTEN_CONSENT,
    board_power,
    decision_thresholds,
    parse_control_at,
    power_of,
    power_timeline,
)
from governance.control_groups import GROUP, INDEPENDENT, Affiliation, board_groups, group_choices
from governance.models import HoldingEnd, SeatHolding
from governance.services.board import seat_fill, seat_vacate
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def group(name: str) -> Affiliation:
    return Affiliation(key=f"group:{name.lower()}", label=name, kind=GROUP)


def independents(count: int) -> list[tuple[Affiliation, int, list[str]]]:
    return [
        (Affiliation(f"independent:{i}", f"Independent {i}", INDEPENDENT), 1, [f"I{i}"]) for i in range(count)
    ]


def board_of(*sizes: int, independent: int = 0, rules: RuleSet | None = None):
    """A hand-made board: groups A, B, … with ``sizes`` seats, plus ``independent`` directors."""
    composition = [
        (group(chr(65 + i)), n, [f"{chr(65 + i)}{k}" for k in range(n)]) for i, n in enumerate(sizes)
    ]
    composition += independents(independent)
    seats = sum(sizes) + independent
    return power_of(
        composition, rules=rules or rules_in_force(), seats=seats, at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )


def standing(board, name: str, key: str):
    return board.group(f"group:{name.lower()}").standings[key]


def looser(**fields) -> RuleSet:
    """A rule-set version in force from 2026-01-01 with ``fields`` changed (the rest reference values)."""
    current = rules_in_force()
    return RuleSet.objects.create(
        version=current.version + 1,
        name="Looser",
        effective_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        **fields,
    )


# --- Thresholds from the rule set ------------------------------------------------------------------


def test_thresholds_come_from_the_rule_set_in_force(clock):
    thresholds = {t.key: t.quota for t in decision_thresholds(rules_in_force(), 9)}
    # More than 1/2 of 9 votes cast: 5; at least 2/3 of 9 in office: 6; written consent
    # fails at 2 objections, so 8 of 9 must agree.
    assert thresholds == {MAJORITY: 5, SUPERMAJORITY: 6, WRITTEN_CONSENT: 8}


def test_other_fractions_and_limits_change_the_thresholds(clock):
    rules = looser(
        majority_strict=False,
        supermajority_numerator=3,
        supermajority_denominator=4,
        written_consent_objection_limit=4,
    )
    thresholds = {t.key: t.quota for t in decision_thresholds(rules, 8)}
    assert thresholds == {MAJORITY: 4, SUPERMAJORITY: 6, WRITTEN_CONSENT: 5}


# --- Blocking and passing on hand-made boards, at each threshold --------------------------------


def test_a_third_of_nine_seats_blocks_only_written_consent(clock):
    board = board_of(3, independent=6)
    a = {key: standing(board, "A", key) for key in (MAJORITY, SUPERMAJORITY, WRITTEN_CONSENT)}
    assert [a[k].can_block for k in (MAJORITY, SUPERMAJORITY, WRITTEN_CONSENT)] == [False, False, True]
    assert not any(s.can_pass for s in a.values())
    assert not board.group("group:a").denies_quorum


def test_three_of_eight_seats_block_the_supermajority(clock):
    board = board_of(3, independent=5)
    assert not standing(board, "A", MAJORITY).can_block
    assert standing(board, "A", SUPERMAJORITY).can_block  # 6 needed, the other 5 cannot
    assert standing(board, "A", WRITTEN_CONSENT).can_block
    assert any("fewer than half the seats" in line and "supermajority" in line for line in board.findings)


def test_a_majority_group_passes_ordinary_decisions_and_denies_quorum(clock):
    board = board_of(4, independent=3)
    assert standing(board, "A", MAJORITY).can_pass
    assert standing(board, "A", MAJORITY).banzhaf == 1
    assert not standing(board, "A", SUPERMAJORITY).can_pass
    assert standing(board, "A", SUPERMAJORITY).can_block
    assert board.group("group:a").denies_quorum
    assert board.largest.group.key == "group:a"


def test_two_equal_halves_each_block_and_deny_quorum(clock):
    board = board_of(3, 3)
    for name in ("A", "B"):
        s = standing(board, name, MAJORITY)
        assert s.can_block and not s.can_pass and s.banzhaf == Fraction(1, 2)
        assert board.group(f"group:{name.lower()}").denies_quorum


def test_a_non_strict_majority_lets_half_the_board_pass(clock):
    board = board_of(3, 3, rules=looser(majority_strict=False))
    assert standing(board, "A", MAJORITY).can_pass
    assert standing(board, "B", MAJORITY).can_pass


def test_independents_are_each_their_own_group_with_equal_power(clock):
    board = board_of(independent=5)
    assert len(board.groups) == 5
    assert {g.standings[MAJORITY].banzhaf for g in board.groups} == {Fraction(1, 5)}
    assert not any(g.standings[SUPERMAJORITY].can_block for g in board.groups)
    assert not any(g.denies_quorum for g in board.groups)


def test_an_independent_can_have_more_power_than_its_seats(clock):
    # 4 + 4 + 1 of 9, majority 5: the lone director swings as often as each big group.
    board = board_of(4, 4, independent=1)
    lone = next(g for g in board.groups if g.group.kind == INDEPENDENT)
    assert lone.standings[MAJORITY].banzhaf == Fraction(1, 3)
    assert lone.seat_share == Fraction(1, 9)


def test_a_lower_consent_limit_gives_every_director_a_veto_on_written_consent(clock):
    board = board_of(independent=4, rules=looser(written_consent_objection_limit=1))
    assert all(g.standings[WRITTEN_CONSENT].can_block for g in board.groups)


def test_cap_findings_say_what_a_group_at_the_cap_could_do(clock):
    assert "cannot pass or block" in " ".join(board_of(independent=8).cap)
    loose = board_of(independent=8, rules=looser(board_max_per_group=3))
    text = " ".join(loose.cap)
    assert "at most 3 of the 8" in text and "fewer than half" in text
    assert "block all decisions that need the supermajority" in text


def test_an_empty_board_has_no_groups_and_no_findings(clock):
    board = board_of()
    assert board.groups == [] and board.findings == [] and board.cap == []


# --- The board in the database, at any date ---------------------------------------------------------


def test_directors_of_one_corporate_group_count_together(board, clock):
    looser(board_max_per_group=2)
    parent = OrganisationFactory(legal_name="Mega Cloud", corporate_group="Mega Holdings")
    sibling = OrganisationFactory(legal_name="Mega Chips", corporate_group="  mega holdings ")
    board.directors(5, employers=[parent, sibling])
    figures = board_power()
    mega = figures.largest
    assert mega.group.label == "Mega Holdings" and mega.seats == 2
    assert len(figures.groups) == 4  # the group and three independents
    assert [kind for _h, g in board_groups() for kind in [g.kind]].count(INDEPENDENT) == 3


def test_vacant_seats_do_not_vote(board, clock):
    board.seats(5)
    board.directors(3)
    figures = board_power()
    assert (figures.seats, figures.in_office, figures.vacancies) == (5, 3, 2)
    assert {t.key: t.quota for t in figures.thresholds}[MAJORITY] == 2


def test_a_past_date_shows_the_board_and_rules_then(board, clock):
    people = board.directors(4)
    before = clock.now()
    clock.advance(days=10)
    holding = SeatHolding.objects.active().get(person=people[0])
    seat_vacate(holding=holding, reason=HoldingEnd.RESIGNED)
    assert board_power(at=before).in_office == 4
    assert board_power().in_office == 3


def test_the_rule_set_in_force_at_the_date_is_used(board, clock):
    board.directors(4)
    later = looser(supermajority_numerator=3, supermajority_denominator=4)
    later.effective_from = clock.now() + dt.timedelta(days=1)
    later.save()
    assert board_power().rules.version == 1
    clock.advance(days=2)
    assert board_power().rules.version == later.version


def test_before_any_rule_set_there_is_no_board_power(clock):
    with pytest.raises(NotFound):
        board_power(at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def test_group_choices_list_sitting_organisations_by_group(board, clock):
    make_member(
        organisation=OrganisationFactory(legal_name="Acme", corporate_group="Acme Group"), class_code="gold"
    )
    make_member(
        organisation=OrganisationFactory(legal_name="Acme Sub", corporate_group="ACME group"),
        class_code="ruby",
    )
    labels = [g.label for g in group_choices()]
    assert labels.count("Acme Group") + labels.count("ACME group") == 1


# --- ?at= ----------------------------------------------------------------------------------------------


def test_at_accepts_a_date_or_a_moment(clock):
    assert parse_control_at("2026-05-01") == dt.datetime(2026, 5, 1, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert parse_control_at("2026-05-01T12:00:00Z") == dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    assert parse_control_at("2026-06-01") == clock.now()  # today: now
    assert parse_control_at("") is None


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-02-30", "2026-13-01", "9999-12-31T23:59:59-05:00", "x" * 300]
)
def test_a_bad_at_is_refused_clearly(clock, value):
    with pytest.raises(ValidationFailed) as exc:
        parse_control_at(value)
    assert exc.value.code in {"invalid_at", "at_in_future"}


def test_a_future_at_is_refused(clock):
    with pytest.raises(ValidationFailed) as exc:
        parse_control_at("2026-06-02")
    assert exc.value.code == "at_in_future"


# --- Over time ------------------------------------------------------------------------------------------


def test_the_timeline_follows_changes_elections_and_rule_sets(board, clock):
    looser(board_max_per_group=3)  # from 2026-01-01, before the board
    acme = OrganisationFactory(legal_name="Acme")
    board.directors(4, employers=[acme])
    clock.advance(days=30)
    holding = SeatHolding.objects.active().exclude(employer=acme).first()
    seat_vacate(holding=holding, reason=HoldingEnd.RESIGNED)
    clock.advance(days=30)
    seat_fill(seat=holding.seat, person=UserFactory(), employer=acme, source="election")
    points = power_timeline()
    assert [p.in_office for p in points] == [4, 3, 4]
    assert [p.largest.seats for p in points] == [1, 1, 2]
    assert [p.election for p in points] == [False, False, True]
    assert points[-1].largest.group.label == "Acme"
    assert points[-1].largest.seat_share == Fraction(1, 2)
    assert {p.rule_set for p in points} == {2}


def test_the_timeline_is_empty_before_the_first_seat(clock):
    assert power_timeline() == []
