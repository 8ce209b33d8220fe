"""Member organisations: profile, representatives, and invitations for people without accounts.

Lock order (shared with ``applications``): MembershipApplication, then Organisation,
then Invitation, then Membership. Every change of representative or alternate writes a
``RepresentativeChange`` (rolls read it) and an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import clock
from core.access import is_authenticated, require
from core.audit import audit_record
from core.errors import Conflict, NotFound, ValidationFailed
from core.mail import email_queue
from members.models import CorporateGroup, Invitation, Organisation, RepresentativeChange
from members.permissions import can_accept_invitation, can_manage_organisation

Role = RepresentativeChange.Role

INVITATION_SALT = "members.invitation.v1"
PROFILE_FIELDS = (
    "legal_name",
    "website",
    "billing_contact_name",
    "billing_contact_email",
    "billing_address",
    "tax_id",
    "in_directory",
)


_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def legal_name_key(name: str) -> str:
    """The name two applications for one organisation share: case, spacing and punctuation ignored."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def organisation_unique_slug(legal_name: str) -> str:
    base = (slugify(legal_name) or "organisation")[:200]
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def user_by_email(email: str) -> Any:
    """The account that owns ``email`` (its login address or a verified extra address)."""
    User = get_user_model()
    email = (email or "").strip()
    if not email:
        return None
    return (
        User.objects.filter(
            Q(email__iexact=email) | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        )
        .distinct()
        .order_by("pk")
        .first()
    )


def organisation_create(
    *,
    actor: Any,
    legal_name: str,
    corporate_group: CorporateGroup | None = None,
    website: str = "",
    billing_contact_name: str = "",
    billing_contact_email: str = "",
    admin: Any = None,
) -> Organisation:
    """Create an organisation (called by an approval, inside its transaction).

    ``corporate_group`` is the group chosen or proposed (``groups.group_for_new_organisation``);
    changing it later goes through ``groups.organisation_group_request``.
    """
    if not legal_name.strip():
        raise ValidationFailed(_("An organisation needs its legal name."), code="legal_name_required")
    with transaction.atomic():
        organisation = Organisation.objects.create(
            legal_name=legal_name.strip(),
            slug=organisation_unique_slug(legal_name),
            corporate_group=corporate_group,
            website=website,
            billing_contact_name=billing_contact_name.strip(),
            billing_contact_email=billing_contact_email,
            created_at=clock.now(),
        )
        if admin is not None:
            organisation.admins.add(admin)
        audit_record(
            actor=actor,
            action="organisation.created",
            obj=organisation,
            data={
                "slug": organisation.slug,
                "admin": admin.audit_ref if admin else None,
                "group": corporate_group.audit_ref if corporate_group else None,
            },
        )
    return organisation


def organisation_update_profile(
    *,
    organisation: Organisation,
    actor: Any,
    changes: dict[str, Any],
    logo: ContentFile | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Change the profile fields an organisation's admins manage; ``logo`` must be cleaned already."""
    require(
        can_manage_organisation(actor, organisation),
        _("Only the organisation's administrators can change its profile."),
    )
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here."), detail=sorted(unknown))
    if "legal_name" in changes and not str(changes["legal_name"]).strip():
        raise ValidationFailed(_("An organisation needs its legal name."), code="legal_name_required")
    old_logo = None
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = sorted(f for f, v in changes.items() if getattr(locked, f) != v)
        for field_name in changed:
            setattr(locked, field_name, changes[field_name])
        if logo is not None or (remove_logo and locked.logo):
            old_logo = locked.logo.name or None
            locked.logo = logo or ""  # type: ignore[assignment]
            changed.append("logo")
        if not changed:
            return locked
        locked.full_clean(exclude=["representative", "alternate"])
        locked.save()  # the storage writes the new logo file here
        audit_record(
            actor=actor,
            action="organisation.profile_changed",
            obj=locked,
            data={"fields": changed},
        )
        if old_logo:
            storage = locked.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    organisation.refresh_from_db()
    return organisation


@dataclass(frozen=True)
class RepresentativeResult:
    """What setting a representative did: set an existing user, or invite by email."""

    user: Any = None
    invitation: Invitation | None = None


def organisation_set_representative(
    *,
    organisation: Organisation,
    actor: Any,
    email: str,
    role: str,
) -> RepresentativeResult:
    """Make the owner of ``email`` the representative or the alternate, or invite them."""
    require(
        can_manage_organisation(actor, organisation),
        _("Only the organisation's administrators can choose its representatives."),
    )
    if role not in Role.values:
        raise ValidationFailed(_("Choose representative or alternate."), code="invalid_role")
    email = (email or "").strip()
    if not email:
        raise ValidationFailed(_("Enter an email address."), code="email_required")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        user = user_by_email(email)
        if user is None:
            invitation = invitation_create(organisation=locked, email=email, role=role, actor=actor)
            result = RepresentativeResult(invitation=invitation)
        else:
            representative_assign(organisation=locked, user=user, role=role, actor=actor)
            result = RepresentativeResult(user=user)
    organisation.refresh_from_db()
    return result


def organisation_remove_alternate(*, organisation: Organisation, actor: Any) -> Organisation:
    require(
        can_manage_organisation(actor, organisation),
        _("Only the organisation's administrators can choose its representatives."),
    )
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _revoke_open_invitations(locked, Role.ALTERNATE)
        if locked.alternate_id is None:
            raise Conflict(_("This organisation has no alternate."), code="no_alternate")
        _record_change(locked, Role.ALTERNATE, None, actor)
    organisation.refresh_from_db()
    return organisation


def representative_assign(*, organisation: Organisation, user: Any, role: str, actor: Any) -> None:
    """Set ``user`` in ``role`` on a locked organisation; the caller owns the transaction."""
    current = organisation.representative_id if role == Role.REPRESENTATIVE else organisation.alternate_id
    if current == user.pk:
        raise Conflict(_("This person already holds that role for the organisation."), code="already_in_role")
    if role == Role.ALTERNATE and organisation.representative_id == user.pk:
        raise Conflict(
            _("The representative cannot also be the alternate; choose someone else."),
            code="alternate_is_representative",
        )
    _revoke_open_invitations(organisation, role)
    if role == Role.REPRESENTATIVE and organisation.alternate_id == user.pk:
        # Promoting the alternate: they stop being the alternate (the bylaws want two people).
        _record_change(organisation, Role.ALTERNATE, None, actor)
    _record_change(organisation, role, user, actor)


def _record_change(organisation: Organisation, role: str, user: Any, actor: Any) -> None:
    field_name = "representative" if role == Role.REPRESENTATIVE else "alternate"
    current = getattr(organisation, f"{field_name}_id")
    if (
        current is not None
        and not RepresentativeChange.objects.filter(organisation=organisation, role=role).exists()
    ):
        # The first recorded change: say first who held the role until now (since the
        # organisation was created), so rolls whose record date falls before this change
        # name the person who was in force then, not the newcomer.
        RepresentativeChange.objects.create(
            organisation=organisation, role=role, user_id=current, changed_at=organisation.created_at
        )
    setattr(organisation, field_name, user)
    organisation.save(update_fields=[field_name])
    now = clock.now()
    RepresentativeChange.objects.create(
        organisation=organisation,
        role=role,
        user=user,
        changed_at=now,
        changed_by=actor if is_authenticated(actor) else None,
    )
    audit_record(
        actor=actor,
        action=f"organisation.{role}_changed",
        obj=organisation,
        data={"role": role, "user": user.audit_ref if user else None, "at": now},
    )


# --- Invitations -----------------------------------------------------------------------


def invitation_days() -> int:
    """How long an invitation link works (an operational setting, not a bylaws number)."""
    return int(getattr(settings, "CHARTER_INVITATION_DAYS", 14))


def _fingerprint(invitation: Invitation) -> str:
    # Changes when the invitation is accepted or revoked, so a link works for one state only.
    state = "|".join(
        str(v)
        for v in (
            invitation.pk,
            invitation.email.casefold(),
            invitation.role,
            invitation.created_at.isoformat(),
            invitation.accepted_at.isoformat() if invitation.accepted_at else "",
            invitation.revoked_at.isoformat() if invitation.revoked_at else "",
        )
    )
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "s": _fingerprint(invitation)}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("members:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return settings.SITE_URL.rstrip("/") + path


def invitation_create(*, organisation: Organisation, email: str, role: str, actor: Any) -> Invitation:
    """Invite ``email`` to ``role``; an earlier open invitation for the same role is revoked."""
    now = clock.now()
    with transaction.atomic():
        _revoke_open_invitations(organisation, role)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email.strip(),
            role=role,
            invited_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(days=invitation_days()),
        )
        email_queue(
            to=invitation.email,
            template="emails/members/invitation_representative",
            context={
                "organisation_name": organisation.legal_name,
                "role": Role(role).label,
                "url": invitation_url(invitation),
                "expires_at": invitation.expires_at,
            },
            purpose="organisation.invitation",
            subject_ref=str(invitation.pk),
        )
        audit_record(
            actor=actor,
            action="organisation.invitation_sent",
            obj=organisation,
            data={"invitation": invitation.pk, "role": role, "expires_at": invitation.expires_at},
        )
    return invitation


def _revoke_open_invitations(organisation: Organisation, role: str) -> None:
    Invitation.objects.filter(
        organisation=organisation, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=clock.now())


def invitation_access(*, token: str) -> Invitation:
    """The open invitation a link stands for, or a clear error saying why it no longer works."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation_id = int(payload["i"])
        fingerprint = str(payload["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(
            _("This invitation link is not valid. Check that you copied all of it."),
            code="invitation_invalid",
        ) from None
    invitation = Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("This invitation no longer exists."), code="invitation_invalid")
    check_invitation_open(invitation)
    if fingerprint != _fingerprint(invitation):
        raise NotFound(_("This invitation link is not valid any more."), code="invitation_invalid")
    return invitation


def check_invitation_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted."), code="invitation_used")
    if invitation.revoked_at is not None:
        raise Conflict(
            _("This invitation was withdrawn by the organisation. Ask its administrators for a new one."),
            code="invitation_revoked",
        )
    if invitation.expires_at <= clock.now():
        raise Conflict(
            _("This invitation expired on %(date)s. Ask the organisation's administrators to send a new one.")
            % {"date": invitation.expires_at.date().isoformat()},
            code="invitation_expired",
        )


def invitation_accept(*, token: str, user: Any) -> Invitation:
    """The invited person, signed in with the invited address, takes up the role. Once."""
    invitation = invitation_access(token=token)
    require(
        can_accept_invitation(user, invitation),
        _("This invitation was sent to another email address. Sign in with the address it was sent to."),
        code="invitation_wrong_user",
    )
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=invitation.organisation_id)
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=invitation.pk)
        )
        check_invitation_open(locked)
        organisation = locked.organisation
        locked.accepted_at = clock.now()
        locked.save(update_fields=["accepted_at"])
        representative_assign(organisation=organisation, user=user, role=locked.role, actor=user)
        audit_record(
            actor=user,
            action="organisation.invitation_accepted",
            obj=organisation,
            data={"invitation": locked.pk, "role": locked.role},
        )
    return locked
