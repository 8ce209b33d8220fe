"""Membership statistics by class over time, from the membership history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.selectors import board_composition, members_by_class_monthly, weight_shares
from governance.services.board import seat_fill
from members.services.transitions import membership_end
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_members_are_counted_per_class_at_each_month_end(clock):
    make_member(class_code="individual", start=dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    make_member(class_code="individual", start=dt.datetime(2026, 4, 15, tzinfo=dt.UTC))
    series = members_by_class_monthly(months=6)
    by_label = dict(zip(series.labels, series.values, strict=True))
    assert by_label["2026-02-01"] == {"Individual": 1}
    assert by_label["2026-05-01"] == {"Individual": 2}


def test_members_who_left_are_not_counted(clock):
    membership = make_member(class_code="individual", start=dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    membership_end(membership=membership, actor=None)
    series = members_by_class_monthly(months=3)
    assert series.values[-1] == {}


def test_statistics_take_a_constant_number_of_queries(clock):
    make_member(class_code="individual", start=dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as small:
        members_by_class_monthly()
    for _i in range(30):
        make_member(class_code="individual", start=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as large:
        members_by_class_monthly()
    assert len(small) == len(large)


def test_weight_shares_by_class_and_largest_organisation(clock):
    org = OrganisationFactory(legal_name="Big Sponsor")
    make_member(organisation=org, class_code="gold")
    make_member(class_code="individual")
    shares = weight_shares()
    assert shares.largest_org[0] == "Big Sponsor"
    assert shares.total == sum(w for _n, w, _s in shares.by_class)


def test_composition_counts_directors_by_affiliation(board):
    org = OrganisationFactory(legal_name="Sub", corporate_group="Parent Group")

    seats = board.seats(2)
    seat_fill(seat=seats[0], person=UserFactory(), employer=org)
    seat_fill(seat=seats[1], person=UserFactory(), employer=None, independent=True)
    _by_class, by_group = board_composition()
    assert by_group.values[-1] == {"Parent Group": 1, "Independent": 1}


def test_the_statistics_chart_titles_both_axes_and_shows_its_data_as_a_table(client, clock):
    make_member(class_code="individual", start=dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    page = client.get("/governance/statistics/").content.decode()
    assert "Members →" in page and "Date ↓" in page  # the value axis and the label axis
    assert "<summary>Show the data as a table</summary>" in page
    assert '<th scope="col">Individual</th>' in page and '<th scope="col">individual</th>' not in page
