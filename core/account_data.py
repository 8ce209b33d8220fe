"""Core's part of the members' data registry (core/privacy.py): the account itself.

The account holds the sign-in address and name, verified addresses, second factors, API
tokens, roles, the log of emails sent, and the opaque id (``public_id``) by which the audit
chain, rolls and decisions refer to the person. Erasing it replaces the name and address by a
pseudonym, disables sign-in, and deletes addresses, second factors, tokens and the email log;
the row and its opaque id stay, so every record that points at it (and the hashed audit
chain, which never held a name or an address) stays intact.
"""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import (
    ApiToken,
    AuditEntry,
    ErasureRequest,
    OutgoingEmail,
    Role,
    RoleAssignment,
    RuleSet,
    User,
)
from core.privacy import ORDER_CORE, Blocker, Collected, ErasureContext, Kept, PrivacyPart


def user_addresses(user: User) -> frozenset[str]:
    """Every address the person signed in or was written to with, lower-cased."""
    addresses = {user.email.lower()}
    addresses.update(
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return frozenset(a for a in addresses if a)


def addressed_to(addresses: frozenset[str], field: str = "to") -> Q:
    """Rows whose ``field`` is one of ``addresses``, ignoring case (never matches nothing-to-nothing)."""
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field}__iexact": address})
    return query


def scrub_text(text: str, *, needles: frozenset[str], pseudonym: str) -> str:
    """``text`` with every occurrence of ``needles`` (addresses, the name; any case) replaced by ``pseudonym``."""
    for needle in sorted(needles, key=len, reverse=True):
        if needle:
            text = re.sub(re.escape(needle), pseudonym, text, flags=re.IGNORECASE)
    return text


def scrub_json(value: Any, *, needles: frozenset[str], pseudonym: str) -> Any:
    """``scrub_text`` on every string (keys included) of a JSON value, however deep."""
    if isinstance(value, str):
        return scrub_text(value, needles=needles, pseudonym=pseudonym)
    if isinstance(value, list):
        return [scrub_json(v, needles=needles, pseudonym=pseudonym) for v in value]
    if isinstance(value, dict):
        return {
            scrub_text(k, needles=needles, pseudonym=pseudonym): scrub_json(
                v, needles=needles, pseudonym=pseudonym
            )
            for k, v in value.items()
        }
    return value


def personal_needles(context: ErasureContext) -> frozenset[str]:
    """What identifies the person in free text: their addresses, full name and display name."""
    names = {
        (context.user.full_name or "").strip(),
        (getattr(context.user, "display_name", "") or "").strip(),
    }
    return context.addresses | {name for name in names if name}


def mentioning(needles: frozenset[str], field: str) -> Q:
    """Rows whose ``field`` contains any of ``needles``, ignoring case."""
    query = Q(pk__in=[])
    for needle in needles:
        query |= Q(**{f"{field}__icontains": needle})
    return query


def pseudonym_for(user: User) -> str:
    """The name an erased person's account is shown under: stable, and meaningless outside Charter.

    Stored, so written in the site's language whatever language the approving request used."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Former member %(id)s") % {"id": user.public_id.hex[:8].upper()}


# --- Export ---------------------------------------------------------------------------------------


def export_account(*, user: User) -> dict[str, Any]:
    addresses = user_addresses(user)
    return {
        "account": {
            "id": str(user.public_id),
            "email": user.email,
            "full_name": user.full_name,
            "display_name": user.display_name,
            "pronouns": user.pronouns,
            "country": user.country,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
            "staff": user.is_staff,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Which kinds of second factor are on, and since when: never their secrets.
        "second_factors": [
            {"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        # Names and dates only: the secret was shown once and only its hash is stored.
        "api_tokens": [
            {
                "name": t.name,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
                "privileged": t.second_factor,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "roles": [
            {"role": r.role, "starts_at": r.starts_at, "ends_at": r.ends_at, "note": r.note}
            for r in RoleAssignment.objects.filter(user=user).order_by("starts_at", "pk")
        ],
        "emails_sent_to_you": [
            {
                "to": e.to,
                "subject": e.subject,
                "body": e.body,
                "purpose": e.purpose,
                "status": e.status,
                "created_at": e.created_at,
                "sent_at": e.sent_at,
                "bounced_at": e.bounced_at,
            }
            for e in OutgoingEmail.objects.filter(addressed_to(addresses)).order_by("created_at")
        ],
        "erasure_requests": [
            {"state": r.state, "requested_at": r.requested_at, "decided_at": r.decided_at, "reason": r.reason}
            for r in ErasureRequest.objects.filter(user=user).order_by("requested_at", "pk")
        ],
        # The audit chain names you by your opaque id only; these are the entries that do.
        "audit_entries": [
            {"seq": seq, "at": at, "action": action, "object_type": otype, "object": oref}
            for seq, at, action, otype, oref in AuditEntry.objects.filter(
                Q(actor_ref=user.audit_ref) | Q(object_ref=user.audit_ref)
            )
            .order_by("seq")
            .values_list("seq", "created_at", "action", "object_type", "object_ref")
        ],
    }


# --- Erasure ---------------------------------------------------------------------------------------


def account_blockers(*, user: User) -> list[Blocker]:
    blockers = []
    if user.is_staff or user.is_superuser:
        blockers.append(
            Blocker(
                "staff_account",
                _("Yours is a staff account: an administrator must remove its staff access first."),
            )
        )
    roles = sorted(set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True)))
    if roles:
        blockers.append(
            Blocker(
                "holds_role",
                _("You hold a role (%(roles)s): it must end first (the board ends it, or you resign).")
                % {"roles": ", ".join(str(Role(r).label) for r in roles)},
            )
        )
    return blockers


def erase_account(context: ErasureContext) -> dict[str, int]:
    """Delete addresses, second factors, tokens and the email log; pseudonymise the account."""
    user = User.objects.select_for_update().get(pk=context.user.pk)
    emails, _detail = OutgoingEmail.objects.filter(addressed_to(context.addresses)).delete()
    tokens, _detail = ApiToken.objects.filter(user=user).delete()
    factors, _detail = Authenticator.objects.filter(user=user).delete()
    addresses, _detail = EmailAddress.objects.filter(user=user).delete()
    # The admin's change log names the account as it was (its email): say the pseudonym instead.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=context.pseudonym)
    # Other objects' entries may name the person too (a membership shown as its member's
    # address, a change message quoting a field): replace what identifies them, keep the rest.
    needles = personal_needles(context)
    entries = 0
    for entry in LogEntry.objects.filter(
        mentioning(needles, "object_repr") | mentioning(needles, "change_message")
    ):
        entry.object_repr = scrub_text(entry.object_repr, needles=needles, pseudonym=context.pseudonym)
        entry.change_message = scrub_text(entry.change_message, needles=needles, pseudonym=context.pseudonym)
        entry.save(update_fields=["object_repr", "change_message"])
        entries += 1
    user.email = f"erased-{user.public_id.hex}@erased.invalid"
    user.full_name = context.pseudonym
    user.display_name = user.pronouns = user.country = user.preferred_language = ""
    user.is_active = False
    user.last_login = None
    # A new (unusable) password hash also ends every session: Django checks it on each request.
    user.set_unusable_password()
    user.save(
        update_fields=[
            "email",
            "full_name",
            "display_name",
            "pronouns",
            "country",
            "preferred_language",
            "is_active",
            "last_login",
            "password",
        ]
    )
    return {
        "emails": emails,
        "api_tokens": tokens,
        "second_factors": factors,
        "email_addresses": addresses,
        "admin_log_entries_scrubbed": entries,
    }


def kept_account(rules: RuleSet) -> list[Kept]:
    return [
        Kept(
            gettext_lazy("The account, under a pseudonym, and its opaque id"),
            gettext_lazy(
                "The audit chain, rolls, decisions and minutes refer to people by this id. The chain is "
                "hashed and append-only, and never held a name or an address, so it still verifies."
            ),
        ),
        Kept(
            gettext_lazy("Roles you held, and when"),
            gettext_lazy("Who held a board or committee role is part of the foundation's public record."),
        ),
        Kept(
            gettext_lazy("That you asked to be forgotten, and when it was done"),
            gettext_lazy("To show that the request was carried out (no content of what was erased)."),
        ),
    ]


PART = PrivacyPart(
    key="account",
    label=gettext_lazy("Your account"),
    order=ORDER_CORE,
    position=10,
    collected=(
        Collected(
            gettext_lazy("Your email addresses, name, and when you joined and last signed in"),
            gettext_lazy("To sign you in and to write to you about your membership."),
            gettext_lazy("You; the membership committee; staff."),
        ),
        Collected(
            gettext_lazy("Your profile: a public display name, pronouns, country and preferred language"),
            gettext_lazy(
                "To show you by the name you choose on public pages, and to write to you in your language."
            ),
            gettext_lazy(
                "The display name: anyone, where you appear in public (nominations, ballots, the "
                "directory if you are listed); the rest: you, the membership committee and staff."
            ),
        ),
        Collected(
            gettext_lazy("Your password (only a salted hash) and second factors"),
            gettext_lazy("To sign you in securely; privileged pages require a second factor."),
            gettext_lazy("Nobody: secrets are never shown."),
        ),
        Collected(
            gettext_lazy("API tokens: their names and dates (the secret only as a hash)"),
            gettext_lazy("So programs can read the API as you."),
            gettext_lazy("You."),
        ),
        Collected(
            gettext_lazy("A log of the emails we sent you, with what the mail server said"),
            gettext_lazy("To see who was not reached by a renewal reminder and contact them another way."),
            gettext_lazy("You (in your export); the membership committee."),
        ),
        Collected(
            gettext_lazy("Roles you hold (director, officer, committee member) and when"),
            gettext_lazy("To give you access to the pages your role needs, and for the public record."),
            gettext_lazy("Everyone, for board and committee roles."),
        ),
    ),
    export=export_account,
    erase=erase_account,
    blockers=account_blockers,
    kept=kept_account,
)
