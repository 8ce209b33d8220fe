"""Helpers shared by the election services."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.errors import NotFound
from elections.models import Election


def lock_election(election: Election | int) -> Election:
    """Take the election row lock (always the first lock an election service takes)."""
    pk = election.pk if isinstance(election, Election) else election
    try:
        return Election.objects.select_for_update().select_related("rule_set").get(pk=pk)
    except Election.DoesNotExist:
        raise NotFound(_("No such election."), code="election_not_found") from None


def day(value: dt.datetime | None) -> str:
    return date_format(value, "Y-m-d H:i e") if value else "?"
