"""What a count publishes: the count package, the ballot files, and who may have them.

``elections.services.results`` reads the election into a ``CountSpec``, counts it into a
``CountOutcome`` and calls ``package_build`` before its short closing transaction; the
exports (BLT, CSV, JSON) are written from the same ``CountSpec``, so every file says the
same thing. The package's ``count.json`` is the canonical record: the method actually used
and every option, exactly as ``count_ballots --package`` reuses them.

Ballot publication follows the rule set (``ElectionRules.ballot_publication``): always;
only when every weight class that voted has at least ``turnout_min_class_size`` voters (a
published ballot line whose weight only one voter has identifies that voter's ranking); or
never. Where ballots are withheld, the package (which holds them) goes to the election's
observers and committee only; everybody sees the round-by-round report, the manifest and
its signature, and so the SHA-256 of the ballot file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from core import clock
from core.csv import csv_text
from core.jws import sign_record
from elections.counting import CountResult, seed_order
from elections.counting import Election as CountElection
from elections.counting.package import (
    BALLOTS,
    COUNT,
    README,
    REPORT,
    RESULT,
    TRACKERS,
    build_package,
    readme_text,
    write_blt,
)
from elections.models import BallotPublication, Candidate, CountPackage, Election, ElectionRules, Tracker
from elections.rules import election_rules_for

DEFAULT_MIN_CLASS_SIZE = 5


@dataclass
class CountSpec:
    """Everything a count reads from the database, read before counting (no lock held)."""

    election: Election
    data: CountElection  # candidates in ballot order, grouped weighted ballots, withdrawn
    by_pk: dict[int, Candidate]
    declared_method: str
    engine: str  # the method the count runs (approval for plurality with several seats)
    seats: int
    tie_seed: str | None
    groups: dict[str, str]
    max_per_group: int | None
    sitting: dict[str, int]
    budget_seconds: int
    fallback_method: str
    notes: list[str] = field(default_factory=list)

    @property
    def equal_preferences(self) -> bool:
        """Marks (approval, plurality) rather than rankings."""
        return not self.election.is_ranked


@dataclass
class CountOutcome:
    result_dict: dict[str, Any]
    text: str
    result: CountResult | None
    method: str  # the method actually used
    fallback_used: bool = False


# --- Rules -----------------------------------------------------------------------------


def min_class_size(rules: ElectionRules) -> int:
    """The minimum number of voters of a class (``turnout_min_class_size``, default 5).

    Read through this function so it works whichever branch brought the field."""
    return int(getattr(rules, "turnout_min_class_size", DEFAULT_MIN_CLASS_SIZE))


def small_classes(election: Election, rules: ElectionRules | None = None) -> list[str]:
    """Weight classes that voted with fewer than the minimum number of voters (from the
    turnout frozen at the close)."""
    rules = rules or election_rules_for(rule_set=election.rule_set)
    minimum = min_class_size(rules)
    by_class = (election.turnout or {}).get("by_class") or {}

    def voted(figures: Any) -> int:
        return int((figures or {}).get("voted_rows", 0) or 0)

    # The close stores turnout with small classes already merged into "other": any vote in
    # "other" came from a class below the minimum, however many the merged classes add up to.
    return sorted(
        code
        for code, figures in by_class.items()
        if voted(figures) > 0 and (code == "other" or voted(figures) < minimum)
    )


def ballots_withheld(election: Election, rules: ElectionRules | None = None) -> bool:
    """Whether the rule set keeps this election's ballots (and its package) from the public."""
    rules = rules or election_rules_for(rule_set=election.rule_set)
    if rules.ballot_publication == BallotPublication.ALWAYS:
        return False
    if rules.ballot_publication == BallotPublication.NEVER:
        return True
    return bool(small_classes(election, rules))


# --- Files -------------------------------------------------------------------------------


def blt_text(spec: CountSpec) -> str:
    return write_blt(spec.data, equal=spec.equal_preferences)


def _withdrawn(spec: CountSpec) -> list[str]:
    return [c for c in spec.data.candidates if c in spec.data.withdrawn]


def tie_order(spec: CountSpec) -> list[str]:
    continuing = [c for c in spec.data.candidates if c not in spec.data.withdrawn]
    return seed_order(continuing, spec.tie_seed) if spec.tie_seed else continuing


def _weight(w: Any) -> int | str:
    f = Fraction(w)
    return int(f) if f.denominator == 1 else str(f)


def csv_of(spec: CountSpec) -> str:
    """The ballots as CSV: a header block (seats, method, tie seed and order, each candidate
    with its status), a blank row, then one row per distinct ballot with its weight."""
    rows: list[list[Any]] = [
        ["election", spec.election.slug],
        ["method", spec.engine],
        ["seats", spec.seats],
        ["tie_seed", spec.tie_seed or ""],
        ["tie_order", " > ".join(tie_order(spec))],
    ]
    rows += [
        ["candidate", name, "withdrawn" if name in spec.data.withdrawn else "standing"]
        for name in spec.data.candidates
    ]
    rows.append([])
    rows.append(["weight", "choices"])
    separator = " = " if spec.equal_preferences else " > "
    for weight, ranking in spec.data.ballots:
        rows.append([_weight(weight), separator.join(c for level in ranking for c in level)])
    return csv_text(rows[0], rows[1:])


def json_of(spec: CountSpec) -> str:
    """The ballots as JSON, with every count option (the package's ``count.json`` is the
    canonical record; this file carries the same options beside the ballots)."""
    payload = {
        "election": spec.election.slug,
        "title": spec.election.title,
        "method": spec.engine,
        "declared_method": spec.declared_method,
        "seats": spec.seats,
        "tie_seed": spec.tie_seed,
        "tie_order": tie_order(spec),
        "candidates": [
            {"name": name, "withdrawn": name in spec.data.withdrawn} for name in spec.data.candidates
        ],
        "withdrawn": _withdrawn(spec),
        "ballots": [
            {"weight": _weight(weight), "choices": [c for level in ranking for c in level]}
            for weight, ranking in spec.data.ballots
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def count_record(spec: CountSpec, outcome: CountOutcome, *, version: int, counted_at: str) -> dict[str, Any]:
    """``count.json``: the method actually used and every option, the roll, the result."""
    election = spec.election
    uses_cap = bool(spec.groups) and spec.max_per_group is not None
    return {
        "format": "charter-count-record/1",
        "version": version,
        "counted_at": counted_at,
        "election": {
            "slug": election.slug,
            "title": election.title,
            "rule_set": election.rule_set.version,
        },
        "count": {
            "method": outcome.method,
            "declared_method": spec.declared_method,
            "seats": spec.seats,
            "candidates": list(spec.data.candidates),
            "withdrawn": _withdrawn(spec),
            "tie_seed": spec.tie_seed,
            "tie_order": tie_order(spec),
            "groups": dict(sorted(spec.groups.items())) if uses_cap else {},
            "max_per_group": spec.max_per_group if uses_cap else None,
            "sitting": dict(sorted(spec.sitting.items())) if uses_cap else {},
            "time_budget_seconds": spec.budget_seconds,
            "fallback_method": spec.fallback_method or None,
            "fallback_used": outcome.fallback_used,
        },
        "ballots": {
            "file": BALLOTS,
            "lines": len(spec.data.ballots),
            "total_weight": str(sum((Fraction(w) for w, _ in spec.data.ballots), Fraction(0))),
        },
        "roll": {
            "fingerprint": election.roll_fingerprint,
            "rows": election.roll_rows,
            "weight": election.roll_weight,
            "by_class": election.roll_by_class,
        },
        "turnout": election.turnout or {},
        "trackers": {"file": TRACKERS, "count": Tracker.objects.filter(election=election).count()},
        "elected": list(outcome.result_dict.get("elected", [])),
    }


def package_name(slug: str, version: int) -> str:
    return f"{slug}-count-v{version}.zip"


def recount_command(name: str) -> str:
    return f"python manage.py count_ballots --package {name}"


def package_build(
    spec: CountSpec, outcome: CountOutcome, *, version: int
) -> tuple[bytes, dict[str, Any], str, str]:
    """The signed archive: ``(bytes, manifest, JWS, file name)``."""
    election = spec.election
    name = package_name(election.slug, version)
    counted_at = clock.now().isoformat()
    trackers = sorted(Tracker.objects.filter(election=election).values_list("code", flat=True))
    result_public = {k: v for k, v in outcome.result_dict.items() if k not in ("report_text", "package")}
    files = {
        README: readme_text(slug=election.slug, version=version, package_name=name).encode(),
        BALLOTS: blt_text(spec).encode("utf-8"),
        COUNT: json.dumps(
            count_record(spec, outcome, version=version, counted_at=counted_at),
            indent=2,
            ensure_ascii=False,
        ).encode("utf-8")
        + b"\n",
        RESULT: json.dumps(result_public, indent=2, ensure_ascii=False).encode("utf-8") + b"\n",
        REPORT: outcome.text.encode("utf-8"),
        TRACKERS: ("\n".join(trackers) + ("\n" if trackers else "")).encode("ascii"),
    }
    data, manifest, token = build_package(
        files,
        slug=election.slug,
        version=version,
        created_at=counted_at,
        sign=lambda claims: sign_record(claims, subject=election.slug),
    )
    return data, manifest, token, name


def current_package(election: Election) -> CountPackage | None:
    """The package the election's result rests on (the certified one once certified)."""
    version = (election.result or {}).get("package", {}).get("version")
    if version is None:
        return None
    return CountPackage.objects.filter(election=election, version=version).first()


def manifest_json(package: CountPackage) -> str:
    return json.dumps(package.manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
