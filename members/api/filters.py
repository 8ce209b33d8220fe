from __future__ import annotations

import django_filters

from members.models import Membership


class DirectoryOrganisationFilter(django_filters.FilterSet):
    class_code = django_filters.CharFilter(field_name="class_code", max_length=40, help_text="A class code.")
    q = django_filters.CharFilter(
        field_name="organisation__legal_name",
        lookup_expr="icontains",
        max_length=100,
        help_text="Name contains.",
    )

    class Meta:
        model = Membership
        fields = ["class_code", "q"]
