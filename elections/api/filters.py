from __future__ import annotations

import django_filters

from elections.models import Election, ElectionState


class ElectionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ElectionState.choices)

    class Meta:
        model = Election
        fields = ["state"]
