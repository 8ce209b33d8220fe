"""Refusals and bounces: a real SMTP server on loopback and a real Maildir."""

from __future__ import annotations

import datetime as dt
import mailbox
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import CommandError, call_command

from core.models import OutgoingEmail
from members.models import Reminder
from members.services.bounces import bounce_parse, bounces_process_mailbox
from members.services.reminders import reminders_send_due
from tests.auth import sign_in
from tests.factories import RoleFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
REFUSED = "nobody@refusing.example"


class RefusingHandler:
    """Accepts mail, except for one recipient it refuses with 550."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() == REFUSED:
            return "550 5.1.1 <nobody@refusing.example>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings) -> Iterator[RefusingHandler]:
    handler = RefusingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield handler
    finally:
        controller.stop()


def _committee_client(client):
    user = UserFactory()
    RoleFactory(user=user, role="membership_committee")
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return client


def test_refused_reminder_is_recorded_and_the_member_is_not_reached(clock, client, run_jobs, smtp_server):
    refused = make_member(user=UserFactory(email=REFUSED))
    accepted = make_member()
    clock.set(refused.expires_at - 30 * DAY)
    reminders_send_due()
    run_jobs()
    refused_email = Reminder.objects.get(membership=refused).email
    accepted_email = Reminder.objects.get(membership=accepted).email
    refused_email.refresh_from_db()
    accepted_email.refresh_from_db()
    assert refused_email.status == OutgoingEmail.Status.REFUSED
    assert "550" in refused_email.error
    assert accepted_email.status == OutgoingEmail.Status.SENT
    [(rcpt_tos, content)] = smtp_server.received
    assert rcpt_tos == [accepted.user.email]
    assert accepted_email.message_id.encode() in content
    page = _committee_client(client).get("/manage/members/not-reached/").content.decode()
    assert refused.number in page
    assert "refused" in page
    assert accepted.number not in page


def _dsn(*, original_message_id: str, recipient: str, attach: str = "rfc822") -> bytes:
    original_headers = (
        f"From: Charter <noreply@charter.invalid>\r\n"
        f"To: {recipient}\r\n"
        f"Subject: Your membership expires in 30 days: please renew\r\n"
        f"Message-ID: {original_message_id}\r\n"
        f"Date: Mon, 01 Jun 2026 12:00:00 +0000\r\n"
    )
    if attach == "rfc822":
        original_part = (
            "Content-Type: message/rfc822\r\n"
            "Content-Description: Undelivered Message\r\n\r\n"
            f"{original_headers}\r\nHello,\r\n"
        )
    else:
        original_part = (
            "Content-Type: text/rfc822-headers\r\n"
            "Content-Description: Undelivered Message Headers\r\n\r\n"
            f"{original_headers}"
        )
    return (
        "Return-Path: <>\r\n"
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n"
        "To: noreply@charter.invalid\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <20260601120500.ABC123@mx.example.net>\r\n"
        "Date: Mon, 01 Jun 2026 12:05:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n'
        "\r\n"
        "--BOUNDARY\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.net.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "--BOUNDARY\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n"
        "X-Postfix-Queue-ID: ABC123\r\n"
        "Arrival-Date: Mon, 01 Jun 2026 12:00:01 +0000\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.2.2\r\n"
        "Remote-MTA: dns; mail.example.org\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n\r\n"
        "--BOUNDARY\r\n"
        f"{original_part}\r\n"
        "--BOUNDARY--\r\n"
    ).encode()


def _sent_reminder(clock, run_jobs) -> tuple:
    member = make_member()
    clock.set(member.expires_at - 30 * DAY)
    reminders_send_due()
    run_jobs()
    email = Reminder.objects.get(membership=member).email
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    return member, email


def test_bounce_in_the_maildir_marks_the_reminder_bounced_and_lists_the_member(
    clock, client, run_jobs, tmp_path
):
    member, email = _sent_reminder(clock, run_jobs)
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(_dsn(original_message_id=email.message_id, recipient=member.user.email))
    clock.advance(hours=1)
    call_command("fetch_bounces", url=f"maildir://{tmp_path / 'bounces'}")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.BOUNCED
    assert email.bounced_at == clock.now()
    assert "Mailbox full" in email.error
    assert len(mailbox.Maildir(tmp_path / "bounces")) == 0
    page = _committee_client(client).get("/manage/members/not-reached/").content.decode()
    assert member.number in page
    assert "bounced" in page


def test_bounce_mailbox_url_comes_from_settings(clock, run_jobs, tmp_path, settings):
    member, email = _sent_reminder(clock, run_jobs)
    box = mailbox.Maildir(tmp_path / "b", create=True)
    box.add(_dsn(original_message_id=email.message_id, recipient=member.user.email))
    settings.BOUNCE_MAILBOX_URL = f"maildir://{tmp_path / 'b'}"
    call_command("fetch_bounces")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.BOUNCED


def test_dsn_with_only_the_original_headers_is_matched(clock, run_jobs):
    member, email = _sent_reminder(clock, run_jobs)
    raw = _dsn(original_message_id=email.message_id, recipient=member.user.email, attach="headers")
    assert bounce_parse(raw).original_message_id == email.message_id
    assert bounces_process_mailbox(messages=[raw]) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.BOUNCED


def test_bounce_without_message_id_falls_back_to_the_recipient(clock, run_jobs):
    member, email = _sent_reminder(clock, run_jobs)
    raw = _dsn(original_message_id="<unknown@elsewhere.example>", recipient=member.user.email)
    assert bounces_process_mailbox(messages=[raw]) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.BOUNCED


def test_processing_the_same_bounce_twice_marks_once(clock, run_jobs):
    member, email = _sent_reminder(clock, run_jobs)
    raw = _dsn(original_message_id=email.message_id, recipient=member.user.email)
    assert bounces_process_mailbox(messages=[raw, raw]) == 1


def test_delay_notification_is_not_a_bounce(clock, run_jobs):
    member, email = _sent_reminder(clock, run_jobs)
    raw = _dsn(original_message_id=email.message_id, recipient=member.user.email).replace(
        b"Action: failed", b"Action: delayed"
    )
    assert bounce_parse(raw) is None
    assert bounces_process_mailbox(messages=[raw]) == 0
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT


def test_garbage_is_skipped(db):
    assert bounces_process_mailbox(messages=[b"not an email at all", b""]) == 0


def test_unknown_mailbox_scheme_is_refused():
    with pytest.raises(CommandError):
        call_command("fetch_bounces", url="pop3://mail.example.org/")


class _FakeImapHandler(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib: LOGIN, SELECT, UID SEARCH/FETCH/STORE, EXPUNGE."""

    def _send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        store: dict[int, bytes] = self.server.messages  # type: ignore[attr-defined]
        deleted: set[int] = set()
        self._send("* OK IMAP4rev1 fake server ready")
        while line := self.rfile.readline():
            tag, command, *args = [*line.decode().strip().split(" ", 2), ""]
            command = command.upper()
            rest = args[0]
            if command == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                self.server.logins.append(rest)  # type: ignore[attr-defined]
            elif command == "SELECT":
                self._send(f"* {len(store)} EXISTS")
                self._send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID":
                sub, _, uid_args = rest.partition(" ")
                sub = sub.upper()
                if sub == "SEARCH":
                    self._send("* SEARCH " + " ".join(str(uid) for uid in sorted(store)))
                elif sub == "FETCH":
                    uid = int(uid_args.split(" ")[0])
                    body = store[uid]
                    self.wfile.write(
                        f"* {uid} FETCH (UID {uid} RFC822 {{{len(body)}}}\r\n".encode() + body + b")\r\n"
                    )
                elif sub == "STORE":
                    uid = int(uid_args.split(" ")[0])
                    deleted.add(uid)
                    self._send(f"* {uid} FETCH (UID {uid} FLAGS (\\Deleted))")
            elif command == "EXPUNGE":
                for uid in sorted(deleted):
                    store.pop(uid, None)
                    self._send(f"* {uid} EXPUNGE")
                deleted.clear()
            elif command == "LOGOUT":
                self._send("* BYE")
                self._send(f"{tag} OK LOGOUT completed")
                return
            self._send(f"{tag} OK {command} completed")


@pytest.fixture
def imap_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeImapHandler)
    server.daemon_threads = True
    server.messages = {}  # type: ignore[attr-defined]
    server.logins = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_bounce_in_an_imap_mailbox_is_processed_and_deleted(clock, run_jobs, imap_server):
    member, email = _sent_reminder(clock, run_jobs)
    imap_server.messages[7] = _dsn(original_message_id=email.message_id, recipient=member.user.email)
    imap_server.messages[8] = b"From: someone@example.org\r\nSubject: hello\r\n\r\nNot a bounce.\r\n"
    port = imap_server.server_address[1]
    call_command("fetch_bounces", url=f"imap://bounces%40charter.invalid:s3cret@127.0.0.1:{port}/INBOX")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.BOUNCED
    assert imap_server.messages == {}
    assert imap_server.logins and imap_server.logins[0].startswith("bounces@charter.invalid ")
