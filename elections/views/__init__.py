"""Public election pages (``urls.py``, namespace ``elections``); the committee's are in ``manage/``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from elections.models import Election


def election_or_404(slug: str) -> Election:
    """The election at ``slug`` (with its rule set), or a 404."""
    return get_object_or_404(Election.objects.select_related("rule_set"), slug=slug)
