"""Committees (their members and chairs grant roles) and conflict-of-interest declarations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from core.models import Role, RoleAssignment
from governance import permissions
from governance.models import Committee, CommitteeKind, CommitteeMembership, ConflictDeclaration
from governance.services.common import change_record, role_grant

KIND_ROLES = {
    CommitteeKind.MEMBERSHIP: (Role.MEMBERSHIP_COMMITTEE, ""),
    CommitteeKind.ELECTION: (Role.ELECTION_COMMITTEE, Role.ELECTION_COMMITTEE_CHAIR),
}


def _check_manager(actor: Any) -> None:
    """Committees are the secretary's and the chair's to change; ``actor=None`` is the system."""
    require(
        actor is None or permissions.can_manage_board(actor),
        _("Only the secretary or the chair changes committees."),
    )


def committee_create(
    *, slug: str, name: str, kind: str, description: str = "", actor: Any = None
) -> Committee:
    _check_manager(actor)
    if kind not in CommitteeKind.values:
        raise ValidationFailed(_("Unknown kind of committee."), code="invalid_kind")
    member_role, chair_role = KIND_ROLES.get(CommitteeKind(kind), ("", ""))
    with transaction.atomic():
        if Committee.objects.filter(slug=slug).exists():
            raise Conflict(_("A committee called “%(slug)s” exists.") % {"slug": slug}, code="duplicate")
        committee = Committee.objects.create(
            slug=slug,
            name=name,
            kind=kind,
            description=description,
            member_role=member_role,
            chair_role=chair_role,
        )
        audit_record(
            actor=actor, action="committee.created", obj=committee, data={"slug": slug, "kind": kind}
        )
        change_record(
            item_type="committee",
            item_label=name,
            url=reverse("governance:committees"),
            summary=_("Committee created"),
        )
    return committee


def committee_member_add(
    *,
    committee: Committee,
    person: Any,
    is_chair: bool = False,
    term_end: dt.date | None = None,
    actor: Any = None,
) -> CommitteeMembership:
    """Seat ``person`` on ``committee``; they get its member role (and chair role), which permissions read."""
    _check_manager(actor)
    at = clock.now()
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        current = CommitteeMembership.objects.active(at).filter(committee=locked)
        if current.filter(person=person).exists():
            raise Conflict(
                _("%(person)s already sits on the %(committee)s.")
                % {"person": person, "committee": locked.name},
                code="already_member",
            )
        if is_chair:
            chair = current.filter(is_chair=True).select_related("person").first()
            if chair is not None:
                raise Conflict(
                    _("The %(committee)s already has a chair (%(chair)s).")
                    % {"committee": locked.name, "chair": chair.person},
                    code="has_chair",
                )
        membership = CommitteeMembership.objects.create(
            committee=locked, person=person, is_chair=is_chair, starts_at=at, term_end=term_end
        )
        grants: list[RoleAssignment] = []
        if locked.member_role:
            grants.append(role_grant(person, locked.member_role, at, note=locked.name))
        if is_chair and locked.chair_role:
            grants.append(role_grant(person, locked.chair_role, at, note=locked.name))
        membership.assignments.set(grants)
        audit_record(
            actor=actor,
            action="committee.member_added",
            obj=locked,
            data={"person": person.audit_ref, "chair": is_chair},
        )
        change_record(
            item_type="committee",
            item_label=locked.name,
            url=reverse("governance:committees"),
            summary=_("Chair appointed") if is_chair else _("Member appointed"),
        )
    return membership


def committee_member_end(*, membership: CommitteeMembership, actor: Any = None) -> CommitteeMembership:
    _check_manager(actor)
    at = clock.now()
    with transaction.atomic():
        locked = (
            CommitteeMembership.objects.select_for_update(of=("self",))
            .select_related("committee", "person")
            .get(pk=membership.pk)
        )
        if locked.ends_at is not None:
            raise Conflict(_("That committee membership has already ended."), code="already_ended")
        locked.ends_at = at
        locked.save(update_fields=["ends_at"])
        granted = RoleAssignment.objects.filter(pk__in=locked.assignments.values("pk"), ends_at__isnull=True)
        granted.filter(starts_at__lt=at).update(ends_at=at)
        granted.filter(starts_at__gte=at).delete()
        audit_record(
            actor=actor,
            action="committee.member_ended",
            obj=locked.committee,
            data={"person": locked.person.audit_ref},
        )
        change_record(
            item_type="committee",
            item_label=locked.committee.name,
            url=reverse("governance:committees"),
            summary=_("Member left"),
        )
    return locked


def conflict_declaration_file(*, person: Any, interests: str, actor: Any = None) -> ConflictDeclaration:
    """A director's yearly declaration; it stays current for the rule set's period.

    A person files their own (``actor`` is ``person``); ``actor=None`` records one as the system.
    """
    require(
        actor is None or permissions.can_declare_conflicts(actor, person),
        _("Directors and officers file their own conflict-of-interest declaration."),
    )
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.create(
            person=person, filed_at=clock.now(), interests=interests
        )
        audit_record(
            actor=actor or person,
            action="board.conflict_declared",
            obj=declaration,
            data={"person": person.audit_ref},
        )
    return declaration
