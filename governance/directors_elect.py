"""Directors-elect: people elected to the board who have not taken their seats yet.

A cohort election certified before the cohort's term ends seats the elected when the term
ends (``elections.services.results.election_seat_elected``); until then the board page, its
history and the API show them as "elected, takes office on DATE". Elections belong to the
app above this one: it registers a source here in ``ElectionsConfig.ready()``
(``elections.selectors.directors_elect``), so governance reads them without importing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DirectorElect:
    person: Any  # the user, shown as the board shows its holders
    seat_number: int
    cohort_code: str
    employer_label: str
    takes_office_on: dt.date
    election_title: str
    election_url: str
    certified_at: dt.datetime


#: ``source()``: every director-elect not seated yet, in any order.
DirectorsElectSource = Callable[[], list[DirectorElect]]
_SOURCES: list[DirectorsElectSource] = []


def register_directors_elect(source: DirectorsElectSource) -> None:
    """Let ``source`` add directors-elect to the board's public pages and API (once per source)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def directors_elect() -> list[DirectorElect]:
    """Everyone elected and not seated yet, by the day they take office, then seat."""
    found = [d for source in _SOURCES for d in source()]
    return sorted(found, key=lambda d: (d.takes_office_on, d.seat_number, d.election_url))
