"""Membership applications: submit, questions and answers, withdraw, approve, reject.

Lock order (shared with ``organisations``): MembershipApplication, then Organisation,
then Invitation, then Membership. Membership state changes go through
``members.services.transitions``; this module only creates the first, pending row and
its "approved" history event when dues must be paid before the term starts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.access import require
from core.audit import actor_ref, audit_record
from core.errors import Conflict, ValidationFailed
from core.mail import email_queue
from core.rules import rules_in_force
from members.models import (
    ApplicationMessage,
    ApplicationState,
    CorporateGroup,
    Membership,
    MembershipApplication,
    MembershipClass,
    MembershipEvent,
    MembershipState,
    Organisation,
    RepresentativeChange,
)
from members.permissions import (
    can_answer_application,
    can_apply_for_membership,
    can_apply_for_renewal,
    can_decide_application,
    can_review_applications,
    can_withdraw_application,
)
from members.services.groups import check_group_name, group_for_new_organisation
from members.services.organisations import (
    RepresentativeResult,
    invitation_create,
    legal_name_key,
    organisation_create,
    representative_assign,
    user_by_email,
)
from members.services.transitions import membership_renew, membership_transition
from members.standing import refresh_standings

A = ApplicationState
Role = RepresentativeChange.Role
S = MembershipState
# A subject whose membership is in one of these states is a member: it cannot apply again.
LIVE_STATES = (S.PENDING, S.ACTIVE, S.GRACE)
MAX_MESSAGE_LENGTH = 10_000


# --- Reads used by forms and views --------------------------------------------------------


def classes_in_force() -> list[MembershipClass]:
    return list(
        MembershipClass.objects.filter(rule_set=rules_in_force())
        .select_related("rule_set")
        .order_by("position", "code")
    )


def application_classes(*, for_organisation: bool) -> list[MembershipClass]:
    """The classes someone may apply for now, for a person or for an organisation."""
    return [c for c in classes_in_force() if (c.for_organisations if for_organisation else c.for_individuals)]


def class_in_force(code: str) -> MembershipClass | None:
    return MembershipClass.objects.filter(rule_set=rules_in_force(), code=code).first()


# --- Checks -----------------------------------------------------------------------------------


def _check_class(code: str, *, for_organisation: bool) -> MembershipClass:
    klass = class_in_force(code)
    if klass is None or not (klass.for_organisations if for_organisation else klass.for_individuals):
        raise ValidationFailed(
            _("This membership class is not open for applications under the rules in force."),
            code="class_not_available",
        )
    return klass


def _check_mirror(klass: MembershipClass, mirror_url: str) -> None:
    if klass.requires_mirror_url and not mirror_url.strip():
        raise ValidationFailed(
            _("Give the URL of the mirror you host: the committee checks it before approving."),
            code="mirror_url_required",
        )


def _check_existing_membership(membership: Membership | None, *, organisation: bool) -> None:
    if membership is None:
        return
    if membership.state == S.SUSPENDED:
        raise Conflict(
            _(
                "This membership is suspended: a new application is not possible until the board lifts the suspension."
            ),
            code="membership_suspended",
        )
    if membership.state in LIVE_STATES:
        if organisation:
            raise Conflict(
                _("This organisation is already a member (number %(number)s); it cannot apply again.")
                % {"number": membership.number},
                code="organisation_already_member",
            )
        raise Conflict(
            _("You are already a member (number %(number)s): there is nothing to apply for.")
            % {"number": membership.number},
            code="already_member",
        )


def _check_message(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a message."), code="message_required")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ValidationFailed(
            _("The message is too long (at most %(n)s characters).") % {"n": MAX_MESSAGE_LENGTH},
            code="message_too_long",
        )
    return body


def _existing_organisation(key: str, legal_name: str) -> Organisation | None:
    """An organisation we already know under this name (exactly, or through an approved application)."""
    by_application = (
        MembershipApplication.objects.filter(legal_name_key=key, state=A.APPROVED, organisation__isnull=False)
        .order_by("-decided_at")
        .values_list("organisation_id", flat=True)
        .first()
    )
    if by_application:
        return Organisation.objects.filter(pk=by_application).first()
    return Organisation.objects.filter(legal_name__iexact=legal_name.strip()).order_by("pk").first()


def _insert(application: MembershipApplication, *, duplicate: Conflict) -> None:
    """Insert, turning the open-application constraints into a clear error."""
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:
        raise duplicate from None


# --- Submitting ------------------------------------------------------------------------------


def _duplicate_personal() -> Conflict:
    return Conflict(
        _("You already have an open application. You can follow it, answer questions or withdraw it."),
        code="duplicate_application",
    )


def _duplicate_organisation() -> Conflict:
    return Conflict(
        _("An application for this organisation is already under review."),
        code="duplicate_organisation_application",
    )


def application_submit_personal(
    *, applicant: Any, class_code: str, statement: str = "", mirror_url: str = ""
) -> MembershipApplication:
    """A person applies for themself (individual or mirror class)."""
    _check_applicant(applicant)
    klass = _check_class(class_code, for_organisation=False)
    _check_mirror(klass, mirror_url)
    now = clock.now()
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=applicant).first()
        _check_existing_membership(membership, organisation=False)
        if MembershipApplication.objects.filter(
            applicant=applicant, legal_name_key="", state__in=(A.SUBMITTED, A.NEEDS_INFO)
        ).exists():
            raise _duplicate_personal()
        application = MembershipApplication(
            applicant=applicant,
            class_code=klass.code,
            statement=statement.strip(),
            mirror_url=mirror_url.strip(),
            membership=membership,  # a lapsed or ended membership is re-used on approval
            submitted_at=now,
            updated_at=now,
        )
        _insert(application, duplicate=_duplicate_personal())
        _after_submit(application, klass)
    return application


def application_submit_organisation(
    *,
    applicant: Any,
    class_code: str,
    legal_name: str,
    representative_email: str,
    corporate_group: CorporateGroup | None = None,
    proposed_group: str = "",
    website: str = "",
    billing_contact_name: str = "",
    billing_contact_email: str = "",
    statement: str = "",
    mirror_url: str = "",
) -> MembershipApplication:
    """Someone applies on behalf of an organisation; they become its admin on approval."""
    _check_applicant(applicant)
    klass = _check_class(class_code, for_organisation=True)
    _check_mirror(klass, mirror_url)
    key = legal_name_key(legal_name)
    if not key:
        raise ValidationFailed(_("Give the organisation's legal name."), code="legal_name_required")
    if corporate_group is not None and proposed_group.strip():
        raise ValidationFailed(
            _("Choose a group from the list or propose a new one, not both."),
            code="group_choice_ambiguous",
            detail={"field": "proposed_group"},
        )
    proposed_group = check_group_name(proposed_group) if proposed_group.strip() else ""
    if not representative_email.strip():
        raise ValidationFailed(
            _("Name the organisation's designated representative by email."), code="representative_required"
        )
    if not klass.is_free and not (billing_contact_name.strip() and billing_contact_email.strip()):
        raise ValidationFailed(
            _("A paid membership needs a billing contact (name and email)."), code="billing_contact_required"
        )
    now = clock.now()
    with transaction.atomic():
        organisation = _existing_organisation(key, legal_name)
        membership = None
        if organisation is not None:
            membership = Membership.objects.select_for_update().filter(organisation=organisation).first()
            _check_existing_membership(membership, organisation=True)
        if MembershipApplication.objects.filter(
            legal_name_key=key, state__in=(A.SUBMITTED, A.NEEDS_INFO)
        ).exists():
            raise _duplicate_organisation()
        application = MembershipApplication(
            applicant=applicant,
            class_code=klass.code,
            statement=statement.strip(),
            mirror_url=mirror_url.strip(),
            organisation=organisation,
            legal_name=legal_name.strip(),
            legal_name_key=key,
            corporate_group=corporate_group,
            proposed_group=proposed_group,
            website=website.strip(),
            billing_contact_name=billing_contact_name.strip(),
            billing_contact_email=billing_contact_email.strip(),
            representative_email=representative_email.strip(),
            membership=membership,
            submitted_at=now,
            updated_at=now,
        )
        _insert(application, duplicate=_duplicate_organisation())
        _after_submit(application, klass)
    return application


def application_submit_renewal(*, membership: Membership, applicant: Any) -> MembershipApplication:
    """A renewal the committee must approve (classes with ``renewal_needs_approval``)."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.state == S.SUSPENDED:
            raise Conflict(
                _("This membership is suspended: it cannot be renewed until the board lifts the suspension."),
                code="membership_suspended",
            )
        if locked.state == S.PENDING:
            raise Conflict(_("This membership has not started yet."), code="membership_pending")
        org = locked.organisation
        require(
            can_apply_for_renewal(applicant, locked),
            _("Only the organisation's administrators can renew its membership.")
            if org is not None
            else _("Only the member can renew this membership."),
        )
        klass = class_in_force(locked.class_code)
        if klass is None:
            raise ValidationFailed(
                _(
                    "This membership class no longer exists under the rules in force; apply for another class."
                ),
                code="class_not_available",
            )
        key = legal_name_key(org.legal_name) if org else ""
        open_apps = MembershipApplication.objects.filter(state__in=(A.SUBMITTED, A.NEEDS_INFO))
        duplicate = _duplicate_organisation() if org else _duplicate_personal()
        if (
            open_apps.filter(legal_name_key=key)
            if org
            else open_apps.filter(applicant=applicant, legal_name_key="")
        ).exists():
            raise duplicate
        now = clock.now()
        application = MembershipApplication(
            applicant=applicant,
            class_code=locked.class_code,
            is_renewal=True,
            mirror_url=locked.mirror_url,
            organisation=org,
            legal_name=org.legal_name if org else "",
            legal_name_key=key,
            corporate_group=org.corporate_group if org else None,
            website=org.website if org else "",
            billing_contact_name=org.billing_contact_name if org else "",
            billing_contact_email=org.billing_contact_email if org else "",
            membership=locked,
            submitted_at=now,
            updated_at=now,
        )
        _insert(application, duplicate=duplicate)
        _after_submit(application, klass)
    return application


def _after_submit(application: MembershipApplication, klass: MembershipClass) -> None:
    audit_record(
        actor=application.applicant,
        action="membership_application.submitted",
        obj=application,
        data={
            "application": application.pk,
            "class": klass.code,
            "renewal": application.is_renewal,
            "organisation": application.is_organisation,
        },
    )
    _notify(application, "application_received", purpose="membership.application_received")


# --- The thread -------------------------------------------------------------------------------


def _lock_open(application: MembershipApplication) -> MembershipApplication:
    locked = MembershipApplication.objects.select_for_update().get(pk=application.pk)
    if not locked.is_open:
        raise Conflict(
            _("This application is already %(state)s.") % {"state": locked.get_state_display().lower()},
            code="application_closed",
        )
    return locked


def _check_applicant(applicant: Any) -> None:
    require(can_apply_for_membership(applicant), _("Sign in to apply for membership."))
    # The committee decides on a named person, never on an email address (the profile page
    # asks for the name; accounts made before sign-up asked are sent there first).
    if not (getattr(applicant, "full_name", "") or "").strip():
        raise ValidationFailed(
            _("Give your full name in your profile (Account → Profile) before applying."),
            code="name_required",
        )


def _check_committee(actor: Any, application: MembershipApplication) -> None:
    require(can_review_applications(actor), _("Only the membership committee can do this."))
    require(
        can_decide_application(actor, application),
        _("You cannot decide on your own application; another committee member must."),
        code="own_application",
    )


def _thread_post(
    *, application: MembershipApplication, actor: Any, body: str, from_committee: bool, action: str
) -> tuple[MembershipApplication, ApplicationMessage]:
    """Add a message to the thread and hand the application to the other side."""
    locked = _lock_open(application)
    message = ApplicationMessage.objects.create(
        application=locked, author=actor, from_committee=from_committee, body=body, created_at=clock.now()
    )
    _set_state(locked, A.NEEDS_INFO if from_committee else A.SUBMITTED)
    audit_record(
        actor=actor,
        action=f"membership_application.{action}",
        obj=locked,
        data={"application": locked.pk, "message": message.pk},
    )
    return locked, message


def application_ask(*, application: MembershipApplication, actor: Any, body: str) -> ApplicationMessage:
    """The committee asks the applicant a question; the application waits for the answer."""
    _check_committee(actor, application)
    body = _check_message(body)
    with transaction.atomic():
        locked, message = _thread_post(
            application=application, actor=actor, body=body, from_committee=True, action="question_asked"
        )
        _notify(locked, "application_question", purpose="membership.application_question", question=body)
    application.refresh_from_db()
    return message


def application_answer(*, application: MembershipApplication, actor: Any, body: str) -> ApplicationMessage:
    """The applicant writes in the thread; the application goes back to the committee."""
    require(can_answer_application(actor, application), _("Only the applicant can answer in this thread."))
    body = _check_message(body)
    with transaction.atomic():
        _locked, message = _thread_post(
            application=application, actor=actor, body=body, from_committee=False, action="answered"
        )
    application.refresh_from_db()
    return message


def application_withdraw(*, application: MembershipApplication, actor: Any) -> MembershipApplication:
    require(
        can_withdraw_application(actor, application), _("Only the applicant can withdraw an application.")
    )
    with transaction.atomic():
        locked = _lock_open(application)
        _set_state(locked, A.WITHDRAWN)
        audit_record(
            actor=actor,
            action="membership_application.withdrawn",
            obj=locked,
            data={"application": locked.pk},
        )
    application.refresh_from_db()
    return application


def _set_state(application: MembershipApplication, state: str, **fields: Any) -> None:
    application.state = state
    application.updated_at = clock.now()
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()


# --- Decisions ------------------------------------------------------------------------------------


def application_reject(
    *, application: MembershipApplication, actor: Any, reason: str
) -> MembershipApplication:
    _check_committee(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the rejection: the applicant is told."), code="reason_required"
        )
    with transaction.atomic():
        locked = _lock_open(application)
        _set_state(locked, A.REJECTED, decision_reason=reason, decided_by=actor, decided_at=clock.now())
        audit_record(
            actor=actor,
            action="membership_application.rejected",
            obj=locked,
            data={"application": locked.pk, "class": locked.class_code},
        )
        _notify(locked, "application_rejected", purpose="membership.application_rejected", reason=reason)
    application.refresh_from_db()
    return application


def application_approve(*, application: MembershipApplication, actor: Any) -> MembershipApplication:
    """Approve: create or re-use the membership (and the organisation), all or nothing."""
    _check_committee(actor, application)
    with transaction.atomic():
        locked = _lock_open(application)
        klass = class_in_force(locked.class_code)
        if klass is None:
            raise Conflict(
                _(
                    "The class applied for is not in the rules in force any more; ask the applicant to choose another."
                ),
                code="class_not_available",
            )
        representative: RepresentativeResult | None = None
        organisation = None
        if locked.is_organisation:
            organisation, representative = _approve_organisation(locked, actor)
        membership = _approve_membership(locked, klass, organisation, actor)
        _set_state(
            locked,
            A.APPROVED,
            decided_by=actor,
            decided_at=clock.now(),
            membership=membership,
            organisation=organisation,
        )
        audit_record(
            actor=actor,
            action="membership_application.approved",
            obj=locked,
            data={
                "application": locked.pk,
                "class": klass.code,
                "membership": membership.number,
                "membership_state": membership.state,
                "organisation": organisation.slug if organisation else None,
                "representative_invited": bool(representative and representative.invitation),
            },
        )
        _notify(
            locked,
            "application_approved",
            purpose="membership.application_approved",
            membership=membership,
            dues_due=membership.state == S.PENDING,
            organisation=organisation,
        )
    application.refresh_from_db()
    return application


def _approve_organisation(
    application: MembershipApplication, actor: Any
) -> tuple[Organisation, RepresentativeResult | None]:
    if application.organisation_id:
        organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
        organisation.admins.add(application.applicant)
        return organisation, None
    group = group_for_new_organisation(
        legal_name=application.legal_name,
        group=application.corporate_group,
        proposed_name=application.proposed_group,
        actor=actor,
    )
    organisation = organisation_create(
        actor=actor,
        legal_name=application.legal_name,
        corporate_group=group,
        website=application.website,
        billing_contact_name=application.billing_contact_name,
        billing_contact_email=application.billing_contact_email,
        admin=application.applicant,
    )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    rep_user = user_by_email(application.representative_email)
    if rep_user is not None:
        representative_assign(organisation=organisation, user=rep_user, role=Role.REPRESENTATIVE, actor=actor)
        return organisation, RepresentativeResult(user=rep_user)
    invitation = invitation_create(
        organisation=organisation,
        email=application.representative_email,
        role=Role.REPRESENTATIVE,
        actor=actor,
    )
    return organisation, RepresentativeResult(invitation=invitation)


def _approve_membership(
    application: MembershipApplication, klass: MembershipClass, organisation: Organisation | None, actor: Any
) -> Membership:
    now = clock.now()
    subject: dict[str, Any] = (
        {"organisation": organisation} if organisation else {"user": application.applicant}
    )
    existing = Membership.objects.select_for_update().filter(**subject).first()
    if existing is None:
        membership = Membership.objects.create(
            **subject,
            class_code=klass.code,
            mirror_url=application.mirror_url,
            state=S.PENDING,
            created_at=now,
            updated_at=now,
        )
        return _start_or_await_dues(membership, klass, actor, kind="approved")
    _check_existing_membership_for_approval(existing, application)
    if existing.mirror_url != application.mirror_url and application.mirror_url:
        existing.mirror_url = application.mirror_url
        existing.save(update_fields=["mirror_url"])
    if existing.state in (S.ACTIVE, S.GRACE):
        # A renewal that needed approval: a free class renews now, a paid one on payment.
        if klass.is_free:
            return membership_renew(membership=existing, actor=actor, kind="renewal_approved")
        return existing
    # Lapsed or ended: re-admission, possibly into another class.
    return _start_or_await_dues(existing, klass, actor, kind="readmitted")


def _check_existing_membership_for_approval(
    membership: Membership, application: MembershipApplication
) -> None:
    if membership.state == S.SUSPENDED:
        raise Conflict(
            _(
                "The applicant's membership is suspended: it cannot be approved until the board lifts the suspension."
            ),
            code="membership_suspended",
        )
    if membership.state == S.PENDING or (
        membership.state in (S.ACTIVE, S.GRACE) and not application.is_renewal
    ):
        raise Conflict(
            _("The applicant is already a member (number %(number)s).") % {"number": membership.number},
            code="already_member",
        )


def _start_or_await_dues(
    membership: Membership, klass: MembershipClass, actor: Any, *, kind: str
) -> Membership:
    """A free class starts its term now; a paid one waits, pending, for its first dues."""
    now = clock.now()
    if klass.is_free:
        term = rules_in_force(at=now).membership_term_days
        return membership_transition(
            membership=membership,
            to_state=S.ACTIVE,
            kind=kind,
            actor=actor,
            at=now,
            class_code=klass.code,
            term_start=now,
            expires_at=now + dt.timedelta(days=term),
            member_since=now,
        )
    if membership.state != S.PENDING:
        return membership_transition(
            membership=membership, to_state=S.PENDING, kind=kind, actor=actor, at=now, class_code=klass.code
        )
    # A fresh row: nothing to transition from, but its history starts with the approval.
    MembershipEvent.objects.create(
        membership=membership,
        at=now,
        kind=kind,
        state=S.PENDING,
        class_code=klass.code,
        actor_ref=actor_ref(actor),
        recorded_at=now,
    )
    refresh_standings([membership.pk])
    audit_record(
        actor=actor,
        action=f"membership.{kind}",
        obj=membership,
        data={"from": None, "to": S.PENDING, "at": now, "class": klass.code},
    )
    return membership


# --- Email ---------------------------------------------------------------------------------------


def _notify(application: MembershipApplication, template: str, *, purpose: str, **extra: Any) -> None:
    url = reverse("members:application_detail", kwargs={"pk": application.pk})
    email_queue(
        to=application.applicant.email,
        template=f"emails/members/{template}",
        context={
            "application": application,
            "class_code": application.class_code,
            "organisation_name": application.legal_name,
            "url": url,
            **extra,
        },
        purpose=purpose,
        subject_ref=str(application.pk),
    )
