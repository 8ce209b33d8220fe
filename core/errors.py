"""One family of domain errors.

Services raise these; the API's exception handler renders them as
``{"code", "message", "detail"}`` with ``http_status``; HTML views show ``message``.
``code`` is stable: clients and tests match on it, never on the message text.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    http_status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationFailed(DomainError):
    http_status = 400
    default_code = "invalid"


class NotAllowed(DomainError):
    http_status = 403
    default_code = "not_allowed"


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state forbids it (e.g. already voted)."""

    http_status = 409
    default_code = "conflict"


class Unavailable(DomainError):
    """A dependency (Stripe, the broker) could not be reached; nothing was written."""

    http_status = 503
    default_code = "unavailable"
