from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from governance.models import Decision, DecisionKind, Minutes, Outcome, SeatHolding
from governance.selectors import search


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2999)
        super().__init__(*args, **kwargs)


def _search(queryset: Any, name: str, value: str) -> Any:
    return search(queryset, value)


class DecisionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices)
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    year = YearFilter(field_name="decided_at", help_text="Decided in this year.")
    director = django_filters.UUIDFilter(
        field_name="votes__director__public_id", distinct=True, help_text="A director's public id."
    )
    q = django_filters.CharFilter(method=_search, max_length=200, help_text="Full-text search.")

    class Meta:
        model = Decision
        fields = ["kind", "outcome", "year", "director", "q"]


class MinutesFilter(django_filters.FilterSet):
    year = YearFilter(field_name="meeting__scheduled_at", help_text="Meetings held in this year.")
    q = django_filters.CharFilter(method=_search, max_length=200, help_text="Full-text search.")

    class Meta:
        model = Minutes
        fields = ["year", "q"]


class BoardHistoryFilter(django_filters.FilterSet):
    seat = django_filters.NumberFilter(field_name="seat__number", min_value=1, max_value=10_000)
    person = django_filters.UUIDFilter(field_name="person__public_id", help_text="A person's public id.")

    class Meta:
        model = SeatHolding
        fields = ["seat", "person"]
