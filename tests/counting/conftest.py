"""Shared fixtures for the counting tests: ballot data location and a droop report parser."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "ballots"
_CAND = re.compile(r"^\t(Elected|Hopeful|Pending|Defeated):\s+(.*) \(([-0-9.]+)\)$")


def parse_droop_report(text: str) -> list[tuple[int, list[dict]]]:
    """Split a droop report into rounds; each round is a list of action snapshots
    ``{"action", "votes": {name: Decimal}, "states": {name: state}, "quota"}``."""
    header_quota = None
    sections: list[tuple[int, list[dict]]] = [(0, [])]
    snap: dict | None = None
    for line in text.splitlines():
        if line.startswith("\tQuota:") and snap is None:
            header_quota = Decimal(line.split()[1])
            continue
        m = re.match(r"^Round (\d+):", line)
        if m:
            sections.append((int(m.group(1)), []))
            snap = None
            continue
        if line.startswith("Action: "):
            snap = {"action": line[8:], "votes": {}, "states": {}, "quota": header_quota}
            sections[-1][1].append(snap)
            continue
        if snap is None:
            continue
        m = _CAND.match(line)
        if m:
            state, names, value = m.groups()
            # droop lists several zero-vote defeated candidates on one line
            group = names.split(", ") if state == "Defeated" and Decimal(value) == 0 else [names]
            for name in group:
                snap["votes"][name] = Decimal(value)
                snap["states"][name] = state
        elif line.startswith("\tQuota:"):
            snap["quota"] = Decimal(line.split()[1])
    return sections


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def droop_report():
    return parse_droop_report
