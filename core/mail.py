"""Email through the outbox, with a record of what the mail server said.

``email_queue`` is called inside a service's transaction; the message leaves only
after commit, from a worker. Delivery records acceptance or refusal; bounces found
later in the bounce mailbox mark the message bounced (``members`` parses them).
"""

from __future__ import annotations

import smtplib
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from core import clock
from core.models import OutgoingEmail
from core.outbox import enqueue


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    purpose: str,
    subject_ref: str = "",
) -> OutgoingEmail:
    """Render ``template`` (``<name>_subject.txt`` and ``<name>_body.txt``) and queue it."""
    ctx = {"FOUNDATION_NAME": settings.FOUNDATION_NAME, "SITE_URL": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", ctx).strip().replace("\n", " ")
        body = render_to_string(f"{template}_body.txt", ctx)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "charter.invalid"
    record = OutgoingEmail.objects.create(
        to=to,
        subject=subject[:300],
        body=body,
        purpose=purpose,
        subject_ref=subject_ref,
        message_id=make_msgid(domain=domain),
    )
    enqueue("core.send_email", email_id=str(record.pk))
    return record


def deliver_queued_email(*, email_id: str) -> None:
    """Send one queued email once. Safe to run twice: a sent message is not resent."""
    record = OutgoingEmail.objects.filter(pk=email_id).first()
    if record is None or record.status != OutgoingEmail.Status.QUEUED:
        return
    message = EmailMessage(
        subject=record.subject,
        body=record.body,
        to=[record.to],
        headers={"Message-ID": record.message_id},
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        OutgoingEmail.objects.filter(pk=record.pk).update(
            status=OutgoingEmail.Status.REFUSED, error=str(exc)[:2000], sent_at=clock.now()
        )
        return
    OutgoingEmail.objects.filter(pk=record.pk, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.SENT, sent_at=clock.now()
    )
