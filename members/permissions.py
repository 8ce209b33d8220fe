"""Who may see and change applications and organisations: ``can_<verb>_<thing>(user, obj)``."""

from __future__ import annotations

from typing import Any

from governance.permissions import can_review_applications
from members.models import MembershipApplication, Organisation


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can_view_application(user: Any, application: MembershipApplication) -> bool:
    """The applicant and the membership committee; nobody else learns it exists."""
    if not _authenticated(user):
        return False
    return application.applicant_id == user.pk or can_review_applications(user)


def can_answer_application(user: Any, application: MembershipApplication) -> bool:
    return _authenticated(user) and application.applicant_id == user.pk and application.is_open


def can_withdraw_application(user: Any, application: MembershipApplication) -> bool:
    return can_answer_application(user, application)


def can_decide_application(user: Any, application: MembershipApplication) -> bool:
    """Committee members decide, but never on their own application."""
    return (
        _authenticated(user)
        and can_review_applications(user)
        and application.applicant_id != user.pk
        and application.is_open
    )


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Organisation admins edit the profile and choose the representatives."""
    if not _authenticated(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return organisation.admins.filter(pk=user.pk).exists()


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    if not _authenticated(user):
        return False
    if user.pk in (organisation.representative_id, organisation.alternate_id):
        return True
    return can_manage_organisation(user, organisation) or can_review_applications(user)
