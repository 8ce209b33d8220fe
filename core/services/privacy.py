"""Members' data rights: export, and erasure approved by the membership committee.

Every app contributes through the registry in ``core/privacy.py``; these services only
collect and order what was registered.

- ``personal_data_export``: everything Charter holds about a person, as JSON-ready data. The
  audit entry says that an export happened, never what it held.
- ``erasure_request`` (the person, after signing in again), ``erasure_withdraw`` (the person),
  ``erasure_approve`` and ``erasure_reject`` (the membership committee, never on their own
  request). A request is refused while something must happen first (``erasure_blockers``:
  a seat to resign, a new representative, an election to end), and approval checks again.
- Approval runs every part's ``erase`` in the lock order and replaces the person's name and
  address by a pseudonym. Audit entries are never touched: they refer to people by opaque
  ids only, so the chain still verifies afterwards (``verify_audit_chain``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.account_data import pseudonym_for, user_addresses
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.models import ErasureRequest, ErasureState, User
from core.permissions import (
    can_decide_erasure,
    can_export_personal_data,
    can_request_erasure,
    can_withdraw_erasure,
)
from core.privacy import Blocker, ErasureContext, privacy_parts

EXPORT_FORMAT = "charter.personal-data/1"


# --- Export -----------------------------------------------------------------------------------------


def personal_data_export(*, user: User, actor: Any) -> dict[str, Any]:
    """Everything Charter holds about ``user``, one section per registered part (audited)."""
    require(
        can_export_personal_data(actor, user),
        _("You can download your own data only."),
        code="not_your_data",
    )
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "foundation": settings.FOUNDATION_NAME,
        "generated_at": clock.now(),
        "about": _(
            "Everything this foundation's Charter holds about you. Ballots are not included: they "
            "are anonymous, and nothing links them to you."
        ),
    }
    parts = privacy_parts(for_reading=True)
    for part in parts:
        data[part.key] = part.export(user=user)
    audit_record(
        actor=actor, action="personal_data.exported", obj=user, data={"parts": [p.key for p in parts]}
    )
    return data


# --- Erasure ----------------------------------------------------------------------------------------


def erasure_blockers(*, user: User) -> list[Blocker]:
    """What must happen before ``user`` can be forgotten (empty: nothing)."""
    return [blocker for part in privacy_parts(for_reading=True) for blocker in part.blockers(user=user)]


def _check_no_blockers(user: User) -> None:
    blockers = erasure_blockers(user=user)
    if blockers:
        raise Conflict(
            " ".join([_("This must happen first:"), *(b.message for b in blockers)]),
            code="erasure_blocked",
            detail={"blockers": [b.code for b in blockers]},
        )


def erasure_request(*, user: User, actor: Any) -> ErasureRequest:
    """``user`` asks to be forgotten; the membership committee then decides.

    The view asks the person to sign in again first (allauth's reauthentication).
    """
    require(can_request_erasure(actor, user), _("Only you can ask for your data to be erased."))
    _check_no_blockers(user)
    with transaction.atomic():
        try:
            with transaction.atomic():  # one open request per person: a database constraint
                erasure = ErasureRequest.objects.create(user=user, requested_at=clock.now())
        except IntegrityError:
            raise Conflict(
                _("You have already asked; the membership committee will decide."), code="already_requested"
            ) from None
        audit_record(actor=actor, action="erasure.requested", obj=erasure, data={"subject": user.audit_ref})
        email_queue(
            to=user.email,
            template="emails/core/erasure_received",
            context={"user": user, "erasure": erasure},
            purpose="privacy.erasure_received",
        )
    return erasure


def _lock_open(erasure: ErasureRequest) -> ErasureRequest:
    locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if locked.state != ErasureState.REQUESTED:
        raise Conflict(
            _("This request has already been %(state)s.") % {"state": locked.get_state_display().lower()},
            code="already_decided",
        )
    return locked


def erasure_withdraw(*, erasure: ErasureRequest, actor: Any) -> ErasureRequest:
    require(can_withdraw_erasure(actor, erasure), _("Only the person who asked can withdraw the request."))
    with transaction.atomic():
        locked = _lock_open(erasure)
        locked.state = ErasureState.WITHDRAWN
        locked.decided_at = clock.now()
        locked.save(update_fields=["state", "decided_at"])
        audit_record(actor=actor, action="erasure.withdrawn", obj=locked)
    return locked


def erasure_reject(*, erasure: ErasureRequest, actor: Any, reason: str) -> ErasureRequest:
    """The committee refuses, with a reason the person is sent."""
    require(
        can_decide_erasure(actor, erasure),
        _("Only the membership committee decides, and never on its members' own requests."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason: the person is told."), code="reason_required", detail={"field": "reason"}
        )
    with transaction.atomic():
        locked = _lock_open(erasure)
        locked.state = ErasureState.REJECTED
        locked.decided_at = clock.now()
        locked.decided_by = actor
        locked.reason = reason
        locked.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        # The reason stays on the request (the person's export shows it), not in the chain.
        audit_record(actor=actor, action="erasure.rejected", obj=locked)
        email_queue(
            to=locked.user.email,
            template="emails/core/erasure_rejected",
            context={"user": locked.user, "erasure": locked},
            purpose="privacy.erasure_rejected",
        )
    return locked


def erasure_approve(*, erasure: ErasureRequest, actor: Any) -> ErasureRequest:
    """The committee approves: every app erases or pseudonymises the person's data, now.

    Parts run in the project's lock order (elections, members, governance, core; billing only counts);
    the request row is locked and checked again last, so of two simultaneous approvals one
    erases and the other rolls back with ``already_decided``.
    """
    require(
        can_decide_erasure(actor, erasure),
        _("Only the membership committee decides, and never on its members' own requests."),
    )
    if erasure.state != ErasureState.REQUESTED:
        raise Conflict(_("This request has already been decided."), code="already_decided")
    with transaction.atomic():
        user = User.objects.get(pk=erasure.user_id)
        _check_no_blockers(user)
        context = ErasureContext(
            user=user,
            pseudonym=pseudonym_for(user),
            addresses=user_addresses(user),
            at=clock.now(),
            actor=actor,
        )
        for part in privacy_parts():
            context.counts[part.key] = part.erase(context)
        locked = _lock_open(erasure)
        locked.state = ErasureState.ERASED
        locked.decided_at = context.at
        locked.decided_by = actor
        locked.pseudonym = context.pseudonym
        locked.summary = context.counts
        locked.save(update_fields=["state", "decided_at", "decided_by", "pseudonym", "summary"])
        # Opaque refs and counts only: the chain must never hold what was erased.
        audit_record(
            actor=actor,
            action="erasure.completed",
            obj=locked,
            data={"subject": user.audit_ref, "counts": context.counts},
        )
    erasure.refresh_from_db()
    return erasure
