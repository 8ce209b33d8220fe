"""What a restore must keep, as JSON: run in the test's process on the source database and
in a subprocess on the restored one (``python -m tests.core.backup_digest``).

The audit chain's verdict and head; for every election its stored roll fingerprint and the
one recomputed from its roll rows, a digest of its ballots, its stored result and a recount
from the stored ballots (``count_run``, which writes nothing); every signed count package's
recorded SHA-256 and that of its stored bytes; row counts; and the uploaded file an
organisation's logo names.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def digest() -> dict[str, Any]:
    from pathlib import Path

    from core.audit import audit_verify_chain
    from core.models import AuditEntry, AuditHead, User
    from elections.models import Ballot, CountPackage, Election, RollEntry, Tracker
    from elections.services.results import count_run, count_spec, grouped_ballots
    from elections.services.roll import published_roll_lines, roll_fingerprint
    from members.models import Membership, Organisation

    report = audit_verify_chain()
    head = AuditHead.objects.get(id=1)
    elections: dict[str, Any] = {}
    for election in Election.objects.order_by("slug"):
        entry: dict[str, Any] = {
            "state": election.state,
            "stored_fingerprint": election.roll_fingerprint,
            # Version 1 hashed member numbers; version 2 hashes the published lines (hidden
            # members as sha256(number + salt)).
            "recomputed_fingerprint": (
                roll_fingerprint(
                    RollEntry.objects.filter(election=election).values_list("member_number", "weight")
                )
                if election.roll_fingerprint_version == 1
                else roll_fingerprint(published_roll_lines(election=election))
            )
            if election.roll_frozen_at
            else "",
            "ballots": hashlib.sha256(json.dumps(grouped_ballots(election=election)).encode()).hexdigest(),
            "stored_result": _plain(election.result),
        }
        if election.result:
            # The count again from the stored ballots (count_run writes nothing), against the
            # stored result without what only the stored one has (ids, the package's name).
            outcome = count_run(count_spec(election=election))
            entry["recount"] = _plain({**outcome.result_dict, "report_text": outcome.text})
            entry["stored_count"] = _plain(
                {k: v for k, v in election.result.items() if k not in ("candidate_ids", "package")}
            )
        entry["packages"] = [
            {"version": v, "sha256": digest, "data_sha256": hashlib.sha256(bytes(data)).hexdigest()}
            for v, digest, data in CountPackage.objects.filter(election=election)
            .order_by("version")
            .values_list("version", "sha256", "data")
        ]
        elections[election.slug] = entry
    logos = {}
    for org in Organisation.objects.exclude(logo="").order_by("pk"):
        path = Path(settings.MEDIA_ROOT) / org.logo.name
        logos[org.logo.name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return {
        "audit": {"ok": report.ok, "checked": report.checked, "head": [head.seq, head.hash]},
        "audit_entries": AuditEntry.objects.count(),
        "elections": elections,
        "rows": {
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "ballots": Ballot.objects.count(),
            "trackers": Tracker.objects.count(),
        },
        "logos": logos,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(digest(), sort_keys=True))
