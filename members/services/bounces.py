"""Bounces: delivery failures reported after the mail server accepted a message.

A refusal at send time is recorded by ``core.mail``; a bounce arrives later, as a
delivery status notification (RFC 3464: ``multipart/report`` with a
``message/delivery-status`` part) or as a plainer report with the original message
(``message/rfc822``) or its headers (``text/rfc822-headers``) attached. We match it to
the ``OutgoingEmail`` by the original Message-ID, falling back to the failed
recipient's address and the most recent message sent to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import imaplib
import logging
import mailbox
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.errors import ValidationFailed
from core.models import OutgoingEmail

log = logging.getLogger(__name__)

_MESSAGE_ID_LINE = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"[^\s<>;\"']+@[^\s<>;\"']+")


@dataclass
class FailedRecipient:
    address: str
    status: str = ""
    diagnostic: str = ""


@dataclass
class BounceReport:
    """What one bounce message says: which message failed, for whom, and why."""

    original_message_id: str = ""
    failed: list[FailedRecipient] = field(default_factory=list)

    @property
    def error(self) -> str:
        parts = [" ".join(p for p in (f.status, f.diagnostic) if p) for f in self.failed]
        return "; ".join(p for p in parts if p) or _("Bounced (no diagnostic given).")


def _normalise_message_id(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if not value.startswith("<"):
        value = f"<{value.strip('<>')}>"
    return value


def _address(value: str | None) -> str:
    """``rfc822; someone@example.org`` → ``someone@example.org``."""
    if not value:
        return ""
    match = _ADDRESS.search(value.split(";", 1)[-1])
    return match.group(0).strip(".") if match else ""


def _delivery_status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    # Some parsers leave the part as text: split it into header blocks ourselves.
    text = payload if isinstance(payload, str) else ""
    parser = HeaderParser()
    return [parser.parsestr(block) for block in re.split(r"\r?\n\r?\n", text.strip()) if block.strip()]


def _original_message_id(message: Message, raw: bytes) -> str:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            original = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(original, Message) and original.get("Message-ID"):
                return _normalise_message_id(str(original["Message-ID"]))
        elif content_type in ("text/rfc822-headers", "text/rfc822-header"):
            data = part.get_payload(decode=True) or b""
            headers = BytesHeaderParser().parsebytes(data if isinstance(data, bytes) else b"")
            if headers.get("Message-ID"):
                return _normalise_message_id(str(headers["Message-ID"]))
    # Plain-text bounces quote the original headers inline: look below the bounce's own headers.
    body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)
    match = _MESSAGE_ID_LINE.search(body[1]) if len(body) == 2 else None
    return _normalise_message_id(match.group(1).decode("ascii", "replace")) if match else ""


def bounce_parse(raw: bytes) -> BounceReport | None:
    """Read one message; None when it is not a delivery failure (e.g. "delayed")."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report = BounceReport(original_message_id=_original_message_id(message, raw))
    saw_status = False
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        saw_status = True
        for block in _delivery_status_blocks(part):
            action = (block.get("Action") or "").strip().lower()
            recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient"))
            if action == "failed" and recipient:
                report.failed.append(
                    FailedRecipient(
                        address=recipient,
                        status=(block.get("Status") or "").strip(),
                        diagnostic=" ".join((block.get("Diagnostic-Code") or "").split()),
                    )
                )
    if saw_status and not report.failed:
        return None  # a "delayed" or "delivered" notification, not a failure
    if not saw_status:
        for address in (message.get("X-Failed-Recipients") or "").split(","):
            if _address(address):
                report.failed.append(FailedRecipient(address=_address(address)))
        if not report.original_message_id and not report.failed:
            return None  # nothing ties it to a message we sent
    return report


def _match(report: BounceReport, *, at: dt.datetime) -> OutgoingEmail | None:
    if report.original_message_id:
        found = OutgoingEmail.objects.filter(message_id=report.original_message_id).first()
        if found is not None:
            return found
    window = dt.timedelta(days=getattr(settings, "BOUNCE_MATCH_WINDOW_DAYS", 14))
    for failed in report.failed:
        found = (
            OutgoingEmail.objects.filter(
                to__iexact=failed.address,
                status=OutgoingEmail.Status.SENT,
                sent_at__gte=at - window,
            )
            .order_by("-sent_at")
            .first()
        )
        if found is not None:
            return found
    return None


def bounce_record(*, report: BounceReport, at: dt.datetime | None = None) -> OutgoingEmail | None:
    """Mark the matching email bounced; None if nothing matched or it was already marked."""
    at = at or clock.now()
    with transaction.atomic():
        found = _match(report, at=at)
        if found is None:
            return None
        updated = OutgoingEmail.objects.filter(
            pk=found.pk, status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.QUEUED]
        ).update(status=OutgoingEmail.Status.BOUNCED, bounced_at=at, error=report.error[:2000])
        if not updated:
            return None
        audit_record(
            actor=None,
            action="email.bounced",
            obj=found,
            data={"purpose": found.purpose, "subject_ref": found.subject_ref},
        )
    found.refresh_from_db()
    return found


def bounces_process_mailbox(*, messages: Iterable[bytes]) -> int:
    """Parse each raw message; mark the emails they report as bounced; return how many."""
    marked = 0
    for raw in messages:
        try:
            report = bounce_parse(raw)
        except Exception:  # a malformed message must not stop the rest
            log.warning("bounces: could not parse a message", exc_info=True)
            continue
        if report is not None and bounce_record(report=report) is not None:
            marked += 1
    return marked


# --- Reading the bounce mailbox -------------------------------------------------------------


def bounces_fetch_mailbox(*, url: str | None = None) -> int:
    """Process and remove every message in the bounce mailbox; return emails marked.

    ``url`` (default ``settings.BOUNCE_MAILBOX_URL``): ``imap://user:pass@host:port/INBOX``,
    ``imaps://...`` or ``maildir:///path``. Each message is removed after it was
    processed, so a crash leaves it for the next run (processing twice is harmless).
    """
    url = url if url is not None else getattr(settings, "BOUNCE_MAILBOX_URL", "")
    if not url:
        return 0
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        return _fetch_maildir(unquote(parts.path))
    if parts.scheme in ("imap", "imaps"):
        return _fetch_imap(url)
    raise ValidationFailed(
        _("The bounce mailbox must be an imap://, imaps:// or maildir:// address."),
        code="bounce_mailbox_scheme",
    )


def _fetch_maildir(path: str) -> int:
    box = mailbox.Maildir(path, factory=None, create=False)
    marked = 0
    for key in list(box.keys()):
        marked += bounces_process_mailbox(messages=[box.get_bytes(key)])
        box.discard(key)
    return marked


def _fetch_imap(url: str) -> int:
    parts = urlsplit(url)
    secure = parts.scheme == "imaps"
    host = parts.hostname or "localhost"
    port = parts.port or (993 if secure else 143)
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    timeout = getattr(settings, "BOUNCE_MAILBOX_TIMEOUT", 30)
    conn: imaplib.IMAP4 = (
        imaplib.IMAP4_SSL(host, port, timeout=timeout)
        if secure
        else imaplib.IMAP4(host, port, timeout=timeout)
    )
    marked = 0
    try:
        if parts.username:
            conn.login(unquote(parts.username), unquote(parts.password or ""))
        conn.select(folder)
        _, data = conn.uid("SEARCH", None, "ALL")  # type: ignore[arg-type]
        for uid in (data[0] or b"").split():
            _, fetched = conn.uid("FETCH", uid, "(RFC822)")  # type: ignore[arg-type]
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is not None:
                marked += bounces_process_mailbox(messages=[raw])
            conn.uid("STORE", uid, "+FLAGS", "(\\Deleted)")  # type: ignore[arg-type]
        conn.expunge()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return marked
