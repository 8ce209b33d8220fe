"""A person's profile: full name, public display name, pronouns, country, preferred language."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.countries import COUNTRY_NAMES
from core.errors import NotAllowed, ValidationFailed
from core.models import User
from core.permissions import can_edit_profile

PROFILE_FIELDS = ("full_name", "display_name", "pronouns", "country", "preferred_language")
NAME_MAX_LENGTH = 200
DISPLAY_NAME_MAX_LENGTH = 100
PRONOUNS_MAX_LENGTH = 40


# Joiners shape names in several scripts (Persian, Indic); every other format character is invisible.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


def _forbidden(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch not in _ALLOWED_FORMAT
    return category in {"Cc", "Cs", "Co", "Cn"} or ch in {"\u2028", "\u2029"}


def check_person_name(value: str, *, required: bool, max_length: int = NAME_MAX_LENGTH) -> str:
    """A name as people type it: trimmed, inner whitespace collapsed, no control characters.

    Returns the cleaned name; raises ``ValidationFailed`` (code ``invalid_name``) otherwise.
    """
    if any(_forbidden(ch) for ch in value):
        raise ValidationFailed(
            _("Names cannot contain control or invisible characters."), code="invalid_name"
        )
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise ValidationFailed(_("Give your name."), code="invalid_name")
    if len(cleaned) > max_length:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": max_length}, code="invalid_name")
    return cleaned


def check_country(value: str) -> str:
    code = value.strip().upper()
    if code and code not in COUNTRY_NAMES:
        raise ValidationFailed(_("Choose a country from the list."), code="invalid_country")
    return code


def check_language(value: str) -> str:
    if value and value not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("Choose a language from the list."), code="invalid_language")
    return value


def user_update_profile(*, actor: Any, user: User, **changes: str) -> list[str]:
    """Change one's own profile; returns the names of the fields that changed (audited, without values)."""
    if not can_edit_profile(actor, user):
        raise NotAllowed(_("You can only change your own profile."))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown profile fields."), detail=sorted(unknown))
    cleaners = {
        "full_name": lambda v: check_person_name(v, required=True),
        "display_name": lambda v: check_person_name(v, required=False, max_length=DISPLAY_NAME_MAX_LENGTH),
        "pronouns": lambda v: check_person_name(v, required=False, max_length=PRONOUNS_MAX_LENGTH),
        "country": check_country,
        "preferred_language": check_language,
    }
    cleaned = {name: cleaners[name](value or "") for name, value in changes.items()}
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, cleaned[name])
        locked.save(update_fields=changed)
        audit_record(actor=actor, action="account.profile_updated", obj=locked, data={"fields": changed})
    for name in changed:
        setattr(user, name, cleaned[name])
    return changed
