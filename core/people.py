"""Names for the opaque references audit records and histories keep (``user:<public id>``).

Privileged pages (a member's history, the committee's lists) show who acted by name, never
the raw reference; ``names_by_ref`` resolves a page's references in one query. A reference
that is not a person (``system``) or whose account is gone stays as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from core.models import User


def names_by_ref(refs: Iterable[str]) -> dict[str, str]:
    ids: dict[uuid.UUID, str] = {}
    for ref in set(refs):
        kind, _sep, value = ref.partition(":")
        if kind != "user":
            continue
        try:
            ids[uuid.UUID(value)] = ref
        except ValueError:
            continue
    if not ids:
        return {}
    return {ids[user.public_id]: str(user) for user in User.objects.filter(public_id__in=ids)}
