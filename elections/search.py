"""Elections in the public search (``governance.search``): title and description of every
election past its draft, as the public election pages show them."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from elections.models import Election, ElectionState
from governance.search import MAX_HITS_PER_SOURCE, Hit, SearchSource, matching


def _elections(terms: list[str]) -> Iterable[Hit]:
    qs = matching(Election.objects.exclude(state=ElectionState.DRAFT), ["title", "description"], terms)
    for election in qs.order_by("-voting_opens_at")[:MAX_HITS_PER_SOURCE]:
        yield Hit(
            kind=str(_("Election")),
            title=election.title,
            url=reverse("elections:detail", args=[election.slug]),
            date=election.voting_opens_at,
            text=f"{election.title}\n{election.description}",
        )


ELECTIONS_SOURCE = SearchSource("elections", _("Elections"), _elections)
