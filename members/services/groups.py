"""Corporate groups: proposed by members, confirmed, merged and linked by the membership committee.

The one-director-per-group rule counts directors per group (``members.selectors``), so a
group is never typed where the rule reads it: organisations, candidates and directors
choose one from the list, or propose a new one that stays unconfirmed until the committee
confirms it or merges it into the group it duplicates. An organisation's admin may ask to
move it to another group; the move waits for the committee. Every step is audited.

Locks: ``CorporateGroup`` rows (by id), then ``Organisation``, then
``OrganisationGroupChange`` (docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from members.models import (
    CorporateGroup,
    GroupChangeStatus,
    Membership,
    Organisation,
    OrganisationGroupChange,
    group_name_key,
)
from members.permissions import (
    can_declare_employer,
    can_manage_corporate_groups,
    can_propose_corporate_group,
    can_request_group_change,
)

NAME_MAX = 200


def _committee(actor: Any) -> None:
    """The membership committee; ``actor=None`` is the system (demo seeding), as elsewhere."""
    require(
        actor is None or can_manage_corporate_groups(actor),
        _("Only the membership committee confirms, merges and links corporate groups."),
    )


def check_group_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not group_name_key(name):
        raise ValidationFailed(
            _("Give the group's name."), code="group_name_required", detail={"field": "proposed_group"}
        )
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("A group's name has at most %(max)s characters.") % {"max": NAME_MAX},
            code="group_name_too_long",
            detail={"field": "proposed_group"},
        )
    return name


def corporate_group_propose(*, name: str, actor: Any) -> CorporateGroup:
    """A group that is not in the list yet: created unconfirmed (audited).

    If a live group already has exactly this name (ignoring case and spacing) it is
    returned instead, so two people proposing "Acme" get one group; look-alikes ("Acme
    Inc.") are created and left to the committee, whose page suggests the merge.
    """
    require(actor is None or can_propose_corporate_group(actor), _("Sign in to propose a corporate group."))
    name = check_group_name(name)
    with transaction.atomic():
        existing = (
            CorporateGroup.objects.filter(merged_into__isnull=True, name__iexact=name).order_by("pk").first()
        )
        if existing is not None:
            return existing
        group = CorporateGroup.objects.create(
            name=name, name_key=group_name_key(name), proposed_by=actor, created_at=clock.now()
        )
        audit_record(actor=actor, action="corporate_group.proposed", obj=group, data={"name": name})
    return group


def _lock_groups(*groups: CorporateGroup) -> list[CorporateGroup]:
    pks = sorted({g.pk for g in groups})
    locked = {g.pk: g for g in CorporateGroup.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[g.pk] for g in groups]


def _require_live(group: CorporateGroup) -> None:
    if group.merged_into_id is not None:
        raise Conflict(
            _("%(name)s was merged into another group.") % {"name": group.name}, code="group_merged"
        )


def corporate_group_confirm(
    *, group: CorporateGroup, actor: Any, despite_lookalike: bool = False
) -> CorporateGroup:
    """The committee confirms a group is a company of its own.

    A group that looks like a confirmed one (same look-alike key) is refused unless the
    committee says it checked (``despite_lookalike``): it is probably the same company, to merge.
    """
    _committee(actor)
    with transaction.atomic():
        (locked,) = _lock_groups(group)
        _require_live(locked)
        if locked.confirmed:
            raise Conflict(
                _("%(name)s is already confirmed.") % {"name": locked.name}, code="already_confirmed"
            )
        twin = (
            CorporateGroup.objects.filter(confirmed=True, merged_into__isnull=True, name_key=locked.name_key)
            .exclude(pk=locked.pk)
            .first()
        )
        if twin is not None and not despite_lookalike:
            raise Conflict(
                _(
                    "%(name)s looks like the confirmed group %(twin)s: merge it instead, or confirm that they differ."
                )
                % {"name": locked.name, "twin": twin.name},
                code="group_lookalike",
                detail={"twin": twin.pk},
            )
        locked.confirmed = True
        locked.confirmed_at = clock.now()
        locked.confirmed_by = actor
        locked.save(update_fields=["confirmed", "confirmed_at", "confirmed_by"])
        audit_record(
            actor=actor,
            action="corporate_group.confirmed",
            obj=locked,
            data={"name": locked.name, "despite_lookalike": bool(twin)},
        )
    return locked


def _ancestors(group: CorporateGroup) -> set[int]:
    """The ids of ``group`` and every group it forwards to (merges and parents)."""
    seen: set[int] = set()
    current: CorporateGroup | None = group
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        nxt = current.merged_into_id or current.parent_id
        current = CorporateGroup.objects.filter(pk=nxt).first() if nxt else None
    return seen


def corporate_group_merge(*, group: CorporateGroup, into: CorporateGroup, actor: Any) -> CorporateGroup:
    """``group`` is the same company as ``into``: its organisations, subsidiaries and pending
    changes move there, and it forwards to ``into`` from now on (declared employers included)."""
    _committee(actor)
    if group.pk == into.pk:
        raise ValidationFailed(_("A group cannot be merged into itself."), code="merge_into_itself")
    with transaction.atomic():
        locked, target = _lock_groups(group, into)
        _require_live(locked)
        _require_live(target)
        if locked.pk in _ancestors(target):
            raise Conflict(
                _("%(into)s belongs to %(name)s: merge the other way round.")
                % {"into": target.name, "name": locked.name},
                code="merge_cycle",
            )
        now = clock.now()
        moved = Organisation.objects.filter(corporate_group=locked).update(corporate_group=target)
        CorporateGroup.objects.filter(parent=locked).update(parent=target)
        OrganisationGroupChange.objects.filter(group=locked, status=GroupChangeStatus.PENDING).update(
            group=target
        )
        locked.merged_into = target
        locked.merged_at = now
        locked.parent = None
        locked.save(update_fields=["merged_into", "merged_at", "parent"])
        audit_record(
            actor=actor,
            action="corporate_group.merged",
            obj=locked,
            data={
                "name": locked.name,
                "into": target.audit_ref,
                "into_name": target.name,
                "organisations": moved,
            },
        )
    return target


def corporate_group_set_parent(
    *, group: CorporateGroup, parent: CorporateGroup | None, actor: Any
) -> CorporateGroup:
    """Declare ``group`` a subsidiary of ``parent`` (or independent of any parent, with ``None``)."""
    _committee(actor)
    with transaction.atomic():
        if parent is None:
            (locked,) = _lock_groups(group)
            target = None
        else:
            if parent.pk == group.pk:
                raise ValidationFailed(_("A group cannot be its own parent."), code="parent_cycle")
            locked, target = _lock_groups(group, parent)
            _require_live(target)
            if locked.pk in _ancestors(target):
                raise Conflict(
                    _("%(parent)s is itself part of %(name)s.")
                    % {"parent": target.name, "name": locked.name},
                    code="parent_cycle",
                )
        _require_live(locked)
        previous = locked.parent
        locked.parent = target
        locked.save(update_fields=["parent"])
        audit_record(
            actor=actor,
            action="corporate_group.parent_set",
            obj=locked,
            data={
                "from": previous.audit_ref if previous else None,
                "to": target.audit_ref if target else None,
            },
        )
    return locked


# --- An organisation's group -----------------------------------------------------------------------


def _chosen_group(*, group: CorporateGroup | None, proposed_name: str, actor: Any) -> CorporateGroup:
    if group is not None and proposed_name.strip():
        raise ValidationFailed(
            _("Choose a group from the list or propose a new one, not both."),
            code="group_choice_ambiguous",
            detail={"field": "proposed_group"},
        )
    if group is not None:
        if group.merged_into_id is not None:
            return group.merged_into or group
        return group
    if proposed_name.strip():
        return corporate_group_propose(name=proposed_name, actor=actor)
    raise ValidationFailed(
        _("Choose the corporate group from the list, or propose a new one."),
        code="group_required",
        detail={"field": "group"},
    )


def organisation_group_request(
    *,
    organisation: Organisation,
    actor: Any,
    group: CorporateGroup | None = None,
    proposed_name: str = "",
) -> OrganisationGroupChange:
    """Ask to move ``organisation`` to ``group`` (or to a newly proposed one).

    From an organisation's admin the change waits for the membership committee; the
    organisation stays in its group until then. The committee's own request takes effect at once.
    """
    require(
        can_request_group_change(actor, organisation),
        _("Only the organisation's administrators or the membership committee change its group."),
    )
    by_committee = can_manage_corporate_groups(actor)
    with transaction.atomic():
        # A group proposed here is kept only if the request is.
        chosen = _chosen_group(group=group, proposed_name=proposed_name, actor=actor)
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.corporate_group_id == chosen.pk:
            raise Conflict(
                _("%(org)s is already in %(group)s.") % {"org": locked.legal_name, "group": chosen.name},
                code="same_group",
            )
        if OrganisationGroupChange.objects.filter(
            organisation=locked, status=GroupChangeStatus.PENDING
        ).exists():
            raise Conflict(
                _("A change of group is already waiting for the membership committee."),
                code="group_change_pending",
            )
        now = clock.now()
        change = OrganisationGroupChange.objects.create(
            organisation=locked,
            previous_id=locked.corporate_group_id,
            group=chosen,
            requested_by=actor,
            requested_at=now,
        )
        audit_record(
            actor=actor,
            action="organisation.group_change_requested",
            obj=locked,
            data={"change": change.pk, "from": locked.corporate_group_id, "to": chosen.audit_ref},
        )
        if by_committee:
            _apply_change(change, locked, actor=actor, note="")
    return change


def _apply_change(
    change: OrganisationGroupChange, organisation: Organisation, *, actor: Any, note: str
) -> None:
    organisation.corporate_group_id = change.group_id
    organisation.save(update_fields=["corporate_group"])
    change.status = GroupChangeStatus.CONFIRMED
    change.decided_by = actor
    change.decided_at = clock.now()
    change.note = note
    change.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        actor=actor,
        action="organisation.group_changed",
        obj=organisation,
        data={"change": change.pk, "from": change.previous_id, "to": change.group_id},
    )


def organisation_group_decide(
    *, change: OrganisationGroupChange, confirm: bool, actor: Any, note: str = ""
) -> OrganisationGroupChange:
    """The committee confirms (the organisation moves) or rejects a requested change of group."""
    _committee(actor)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=change.organisation_id)
        locked = OrganisationGroupChange.objects.select_for_update().get(pk=change.pk)
        if locked.status != GroupChangeStatus.PENDING:
            raise Conflict(_("This change has already been decided."), code="already_decided")
        if confirm:
            _apply_change(locked, organisation, actor=actor, note=note)
        else:
            locked.status = GroupChangeStatus.REJECTED
            locked.decided_by = actor
            locked.decided_at = clock.now()
            locked.note = note
            locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
            audit_record(
                actor=actor,
                action="organisation.group_change_rejected",
                obj=organisation,
                data={"change": locked.pk},
            )
    return locked


def group_for_new_organisation(
    *, legal_name: str, group: CorporateGroup | None, proposed_name: str, actor: Any
) -> CorporateGroup:
    """The group a new organisation joins: the one chosen, the one proposed, else its own name
    (unconfirmed, so the committee sees it among the groups to confirm or merge)."""
    if group is None and not proposed_name.strip():
        proposed_name = legal_name
    return _chosen_group(group=group, proposed_name=proposed_name, actor=actor)


# --- An individual member's employer -----------------------------------------------------------------


def membership_employer_declare(
    *,
    membership: Membership,
    actor: Any,
    group: CorporateGroup | None = None,
    proposed_name: str = "",
    public: bool = False,
) -> Membership:
    """An individual member declares (or, with neither, clears) their employer's group.

    Optional and private: only the member and the committees see it unless ``public``.
    """
    require(can_declare_employer(actor, membership), _("Members declare their own employer."))
    with transaction.atomic():
        chosen = None
        if group is not None or proposed_name.strip():
            chosen = _chosen_group(group=group, proposed_name=proposed_name, actor=actor)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        locked.employer_group = chosen
        locked.employer_group_public = bool(public and chosen is not None)
        locked.save(update_fields=["employer_group", "employer_group_public"])
        # No group in the entry: the declaration is private unless the member publishes it.
        audit_record(
            actor=actor,
            action="membership.employer_declared",
            obj=locked,
            data={"declared": chosen is not None, "public": locked.employer_group_public},
        )
    return locked
