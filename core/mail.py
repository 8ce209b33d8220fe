"""Email through the outbox, with a record of what the mail server said.

``email_queue`` is called inside a service's transaction; the message leaves only
after commit, from a worker. Delivery records acceptance or refusal; bounces found
later in the bounce mailbox mark the message bounced (``members`` parses them).

``email_send_unstored`` is for messages whose content must never be stored (a ballot
receipt carries the voter's tracker code): it renders and sends at once, from a job and
outside any transaction, and the row it keeps holds only the recipient, the template name,
the purpose and what the server said. ``email_forget`` deletes such rows when even the
fact that a message was sent must go (a receipt says who voted).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from core import clock
from core.models import OutgoingEmail, User
from core.outbox import enqueue

log = logging.getLogger(__name__)

# What a registered source returns for a reference: (file name, content, MIME type), or None
# when the document is gone (the message is then sent without it, and that is logged).
Attachment = tuple[str, bytes, str]
_ATTACHMENT_SOURCES: dict[str, Callable[[str], Attachment | None]] = {}


def register_attachment_source(kind: str, source: Callable[[str], Attachment | None]) -> None:
    """Apps register, in ``AppConfig.ready()``, how to fetch the files their emails attach."""
    _ATTACHMENT_SOURCES[kind] = source


def _attach(message: EmailMessage, attachments: Sequence[Sequence[str]]) -> None:
    for kind, ref in attachments:
        source = _ATTACHMENT_SOURCES.get(kind)
        found = source(ref) if source is not None else None
        if found is None:
            log.warning("mail: attachment %s %s not found; sent without it", kind, ref)
            continue
        message.attach(*found)


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    purpose: str,
    subject_ref: str = "",
    attachments: Sequence[tuple[str, str]] = (),
    language: str | None = None,
) -> OutgoingEmail:
    """Render ``template`` (``<name>_subject.txt`` and ``<name>_body.txt``) and queue it.

    ``attachments`` are ``(kind, ref)`` pairs resolved when the message is sent (see
    ``register_attachment_source``). It is written in ``language``, else in the preferred
    language of the account with that address (its profile), else the site's."""
    if language is None:
        language = _languages_for([to]).get(to.casefold(), "")
    subject, body = _render(template, context, language=language)
    record = OutgoingEmail.objects.create(
        to=to,
        subject=subject[:300],
        body=body,
        template=template,
        purpose=purpose,
        subject_ref=subject_ref,
        message_id=_message_id(),
        attachments=[[kind, ref] for kind, ref in attachments],
    )
    enqueue("core.send_email", email_id=str(record.pk))
    return record


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "charter.invalid"
    return make_msgid(domain=domain)


def _languages_for(addresses: Sequence[str]) -> dict[str, str]:
    """The preferred language of each address's account, by casefolded address (one query)."""
    folded = {a.casefold() for a in addresses if a}
    if not folded:
        return {}
    rows = User.objects.filter(email__in=folded).exclude(preferred_language="")
    return {email.casefold(): language for email, language in rows.values_list("email", "preferred_language")}


def _render(template: str, context: dict[str, Any], *, language: str = "") -> tuple[str, str]:
    ctx = {"FOUNDATION_NAME": settings.FOUNDATION_NAME, "SITE_URL": settings.SITE_URL, **context}
    offered = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in offered else settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", ctx).strip().replace("\n", " ")
        body = render_to_string(f"{template}_body.txt", ctx)
    return subject, body


def email_send_unstored(
    *,
    messages: Sequence[tuple[str, dict[str, Any]]],
    template: str,
    purpose: str,
    subject_ref: str = "",
    record: bool = True,
) -> tuple[list[OutgoingEmail], list[int]]:
    """Send ``(to, context)`` messages now, storing none of their content.

    For a job, outside any transaction (it talks to the mail server). Each message is
    rendered and sent in the order given; with ``record`` one row per message is kept with
    the recipient, the template name, the purpose and the server's answer, all with the
    same time (the batch's, not the message's). Returns the rows and the positions of the
    messages that could not be sent because the server was unreachable (to try again
    later); a refused recipient is recorded as refused. Nothing about a message is logged.
    """
    at = clock.now()
    rows: list[OutgoingEmail] = []
    unreachable: list[int] = []
    connection = get_connection()
    try:
        connection.open()  # one session for the whole batch
    except OSError:
        log.warning("mail: the server is unreachable; %s %s messages wait", len(messages), purpose)
        return [], list(range(len(messages)))
    languages = _languages_for([to for to, _context in messages])
    try:
        for position, (to, context) in enumerate(messages):
            subject, body = _render(template, context, language=languages.get(to.casefold(), ""))
            message_id = _message_id()
            status, error = OutgoingEmail.Status.SENT, ""
            try:
                EmailMessage(
                    subject=subject,
                    body=body,
                    to=[to],
                    headers={"Message-ID": message_id},
                    connection=connection,
                ).send(fail_silently=False)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                status, error = OutgoingEmail.Status.REFUSED, type(exc).__name__
            except OSError:
                unreachable.append(position)
                continue
            rows.append(
                OutgoingEmail(
                    to=to,
                    subject="",
                    body="",
                    template=template,
                    purpose=purpose,
                    subject_ref=subject_ref,
                    status=status,
                    error=error,
                    message_id=message_id,
                    created_at=at,
                    sent_at=at,
                )
            )
    finally:
        connection.close()
    if unreachable:
        log.warning(
            "mail: %s of %s %s messages could not be sent now", len(unreachable), len(messages), purpose
        )
    if record and rows:
        OutgoingEmail.objects.bulk_create(rows)
    return (rows if record else []), unreachable


def email_forget(*, purpose: str, subject_ref: str) -> int:
    """Delete the rows of the messages sent for ``purpose`` about ``subject_ref``."""
    deleted, _ = OutgoingEmail.objects.filter(purpose=purpose, subject_ref=subject_ref).delete()
    return deleted


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
    _attach(message, record.attachments or [])
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
