"""Builders for the members' data tests: a person with something in every app, and helpers to
look for their traces anywhere in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from core import clock
from core.mail import email_queue
from core.models import ApiToken, User
from core.services.api_tokens import api_token_create
from members.billing.models import Invoice
from members.billing.services.invoices import invoice_issue
from members.models import (
    ApplicationMessage,
    ApplicationState,
    Invitation,
    Membership,
    MembershipApplication,
    Organisation,
    Reminder,
)
from tests.auth import ensure_totp
from tests.factories import OrganisationFactory, UserFactory, make_member


@dataclass
class Person:
    user: User
    membership: Membership
    organisation: Organisation
    invoice: Invoice
    token: ApiToken
    token_secret: str
    statement: str
    email: str
    name: str


def person_with_data(label: str) -> Person:
    """A member who administers an organisation (and is its billing contact), with an API token,
    a second factor, a rejected application with a message, a reminder and an invitation."""
    email = f"{label}@privacy.example.org"
    name = f"{label.title()} Zanzibar-{label}"
    user = UserFactory(email=email, full_name=name)
    ensure_totp(user)
    membership = make_member(user=user, start=clock.now() - dt.timedelta(days=200))
    organisation = OrganisationFactory(
        legal_name=f"{label.title()} Widgets Ltd", slug=f"{label}-widgets", billing_contact_email=email
    )
    organisation.admins.add(user)
    invoice = invoice_issue(membership=make_member(organisation=organisation, class_code="silver"))
    token, secret = api_token_create(user=user, name=f"{label}-mailing-list-bot")
    statement = f"{label} wants to help with the mirrors"
    application = MembershipApplication.objects.create(
        applicant=user,
        class_code="mirror",
        statement=statement,
        state=ApplicationState.REJECTED,
        decision_reason="No mirror yet.",
        decided_at=clock.now(),
    )
    ApplicationMessage.objects.create(application=application, author=user, body=f"{label}'s answer")
    Reminder.objects.create(
        membership=membership,
        term_expires_at=membership.expires_at,
        offset_days=30,
        email=email_queue(
            to=email,
            template="emails/members/reminder",
            context={
                "name": name,
                "number": membership.number,
                "class_name": "Individual",
                "days_left": 30,
                "expires_at": membership.expires_at,
                "renew_url": "/members/renew/",
            },
            purpose="membership.reminder",
            subject_ref=membership.number,
        ),
    )
    other_org = OrganisationFactory(legal_name=f"{label.title()} Invites Inc", slug=f"{label}-invites")
    Invitation.objects.create(
        organisation=other_org,
        email=email,
        role="alternate",
        invited_by=other_org.representative,
        expires_at=clock.now() + dt.timedelta(days=14),
    )
    return Person(user, membership, organisation, invoice, token, secret, statement, email, name)


def rows_mentioning(text: str, *, exclude: tuple[type[models.Model], ...] = ()) -> list[str]:
    """``app.Model#pk.field`` of every row whose text or JSON columns contain ``text`` (any case)."""
    found = []
    for model in apps.get_models():
        if model in exclude or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.EmailField):
                lookup = {f"{field.attname}__icontains": text}
            elif isinstance(field, models.JSONField):
                # The JSON as text: keys and values, however deep.
                rows = model._default_manager.exclude(**{f"{field.attname}__isnull": True})
                found.extend(
                    f"{model._meta.label}#{pk}.{field.attname}"
                    for pk, value in rows.values_list("pk", field.attname).iterator()
                    if text.lower() in str(value).lower()
                )
                continue
            else:
                continue
            found.extend(
                f"{model._meta.label}#{pk}.{field.attname}"
                for pk in model._default_manager.filter(**lookup).values_list("pk", flat=True)
            )
    return found


def sign_in_again(client: Any, user: User) -> None:
    """What allauth records when the person re-enters their password (``/accounts/reauthenticate/``)."""
    import time

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    records.append({"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
