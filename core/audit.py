"""The audit chain: append and verify.

``audit_record`` is called inside the service's own transaction, as its last write,
so an entry exists exactly when the change it describes was committed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from core import clock
from core.models import AuditEntry, AuditHead, PublishedHead

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"


def actor_ref(actor: Any) -> str:
    """An opaque reference for whoever acted: a user, or the system."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return SYSTEM_ACTOR
    return actor.audit_ref


def object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    ref = getattr(obj, "audit_ref", None) or str(obj.pk)
    return obj._meta.label_lower, str(ref)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    # Store exactly what is hashed: a JSON round trip turns dates, Decimals and UUIDs
    # into the strings the database will hand back.
    normalised: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return normalised


def entry_hash(
    *,
    seq: int,
    created_at: str,
    actor_ref: str,
    action: str,
    object_type: str,
    object_ref: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 of the canonical JSON of an entry (documented in the README)."""
    canonical = json.dumps(
        {
            "seq": seq,
            "created_at": created_at,
            "actor": actor_ref,
            "action": action,
            "object_type": object_type,
            "object_ref": object_ref,
            "data": data,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _timestamp(value: Any) -> str:
    return value.isoformat(timespec="microseconds")


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Personal data must not be put in ``data``."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        object_type, ref = object_ref(obj)
        payload = _normalise(data or {})
        created_at = clock.now()
        seq = head.seq + 1
        actor = actor_ref(actor)
        digest = entry_hash(
            seq=seq,
            created_at=_timestamp(created_at),
            actor_ref=actor,
            action=action,
            object_type=object_type,
            object_ref=ref,
            data=payload,
            prev_hash=head.hash,
        )
        entry = AuditEntry.objects.create(
            seq=seq,
            created_at=created_at,
            actor_ref=actor,
            action=action,
            object_type=object_type,
            object_ref=ref,
            data=payload,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(id=1).update(seq=seq, hash=digest)
    return entry


def audit_head_hash() -> str:
    head = AuditHead.objects.filter(id=1).first()
    return head.hash if head else GENESIS_HASH


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def audit_verify_chain() -> ChainReport:
    """Recompute every link; report the first entry that does not fit."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    fields = ("seq", "created_at", "actor_ref", "action", "object_type", "object_ref")
    rows = AuditEntry.objects.order_by("seq").values_list(*fields, "data", "prev_hash", "hash")
    for seq, created_at, actor, action, otype, oref, data, prev_hash, digest in rows.iterator(
        chunk_size=2000
    ):
        if seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if prev_hash != prev:
            return ChainReport(False, checked, seq, f"entry #{seq} does not link to #{seq - 1}")
        recomputed = entry_hash(
            seq=seq,
            created_at=_timestamp(created_at),
            actor_ref=actor,
            action=action,
            object_type=otype,
            object_ref=oref,
            data=data,
            prev_hash=prev_hash,
        )
        if recomputed != digest:
            return ChainReport(False, checked, seq, f"entry #{seq} was altered")
        prev = digest
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.seq != checked or head.hash != prev):
        return ChainReport(
            False, checked, checked + 1, f"the chain ends at #{checked} but its head is #{head.seq}"
        )
    return ChainReport(True, checked)


# --- Published heads ------------------------------------------------------------------------
# Labels of models that moved between apps: entries keep the label they were hashed with.
LEGACY_OBJECT_TYPES: dict[str, tuple[str, ...]] = {
    "core.ruleset": ("governance.ruleset",),
    "core.roleassignment": ("governance.roleassignment",),
}


def object_type_labels(label: str) -> tuple[str, ...]:
    """Every ``object_type`` an entry about ``label`` may carry (today's and older labels)."""
    return (label, *LEGACY_OBJECT_TYPES.get(label, ()))


def audit_entries_about(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """Entries about ``obj``, whichever label its model had when they were written."""
    otype, ref = object_ref(obj)
    return AuditEntry.objects.filter(object_type__in=object_type_labels(otype), object_ref=ref)


def audit_head() -> tuple[int, str]:
    """The chain's head as ``(seq, hash)``: what minutes and results publish."""
    head = AuditHead.objects.filter(id=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def audit_publish_head(*, reason: str = "daily") -> PublishedHead | None:
    """Publish the current head (once per head: running it twice adds nothing)."""
    seq, digest = audit_head()
    if seq == 0:
        return None
    published, _created = PublishedHead.objects.get_or_create(
        seq=seq, defaults={"hash": digest, "reason": reason, "published_at": clock.now()}
    )
    return published


_HEAD_IN_TEXT = re.compile(r"audit-head:(\d+):([0-9a-f]{64})")
_HEAD_IN_LINE = re.compile(r"^\s*#?(\d+)[\s,;:]+([0-9a-f]{64})\s*$")


def parse_heads(text: str) -> list[tuple[int, str]]:
    """Heads from a saved copy: the Atom feed, the API's JSON (a page or a list) or ``seq hash`` lines."""
    text = text.lstrip("\ufeff")
    heads: list[tuple[int, str]] = []
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        items = data.get("results", data.get("heads", [])) if isinstance(data, dict) else data
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "seq" in item and "hash" in item:
                heads.append((int(item["seq"]), str(item["hash"]).lower()))
    else:
        heads = [(int(s), h) for s, h in _HEAD_IN_TEXT.findall(text)]
        if not heads:
            for line in text.splitlines():
                match = _HEAD_IN_LINE.match(line)
                if match:
                    heads.append((int(match.group(1)), match.group(2).lower()))
    return sorted(set(heads))


def audit_check_heads(heads: list[tuple[int, str]]) -> ChainReport:
    """Check that the chain still contains every head in ``heads`` (kept outside Charter)."""
    if not heads:
        return ChainReport(False, 0, None, "no published heads were found in the file")
    stored = dict(AuditEntry.objects.filter(seq__in=[seq for seq, _ in heads]).values_list("seq", "hash"))
    for seq, digest in heads:
        if seq not in stored:
            return ChainReport(
                False, len(stored), seq, f"published head #{seq} is no longer in the chain (truncated)"
            )
        if stored[seq] != digest:
            return ChainReport(
                False, len(stored), seq, f"entry #{seq} no longer has the published hash (rewritten)"
            )
    return ChainReport(True, len(heads))
