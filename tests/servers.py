"""Real servers on loopback for tests: a private Redis and an SMTP server that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import socket
import subprocess
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from config.celery import app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Redis:
    """A private redis-server on its own port, so a test can take it down and back up."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


class Mailbox:
    """An SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def use_for(self, settings: Any) -> None:
        """Point Django's mail at this server (``settings`` is pytest-django's fixture)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10

    def wait_for(self, to: str, *, subject: str = "", timeout: float = 30.0) -> EmailMessage:
        """The first message to ``to`` whose subject contains ``subject``, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for message in self.messages:
                    if to.lower() in str(message["To"]).lower() and subject in str(message["Subject"]):
                        return message
            if time.monotonic() > deadline:
                seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages]
                raise AssertionError(f"no message to {to} with {subject!r} within {timeout}s; got {seen}")
            time.sleep(0.1)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def link_in(message: EmailMessage, pattern: str) -> str:
    """The first URL in the message's text that matches ``pattern`` (a regular expression)."""
    for url in re.findall(r"https?://[^\s<>\"]+", body_of(message)):
        if re.search(pattern, url):
            return url
    raise AssertionError(f"no link matching {pattern!r} in:\n{body_of(message)}")


def use_broker(url: str) -> None:
    """Point the project's Celery app at ``url`` (Celery caches the broker it first connected to)."""
    app.conf.broker_url = url
    app.conf.broker_read_url = url  # Celery derives and caches these from the first URL
    app.conf.broker_write_url = url
    app.conf.broker_transport_options = {}
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
