"""One way for HTML views to turn a service's ``DomainError`` into what the person sees.

::

    with domain_errors(request, form) as outcome:
        meeting = meeting_create(actor=request.user, **form.cleaned_data)
    if outcome.ok:
        messages.success(request, _("Meeting called."))
        return redirect(...)
    # otherwise fall through and render the form again, now showing the error

- ``NotFound`` becomes a 404 and ``NotAllowed`` a 403, as in the API;
- any other ``DomainError`` becomes a form error (on the field named in ``detail["field"]``
  when the form has it, else a non-field error) or, without a form, an error message
  for the next page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from core.errors import DomainError, NotAllowed, NotFound


@dataclass
class Outcome:
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _field(form: forms.BaseForm, error: DomainError) -> str | None:
    detail = error.detail if isinstance(error.detail, dict) else {}
    field = detail.get("field")
    return field if isinstance(field, str) and field in form.fields else None


@contextmanager
def domain_errors(request: HttpRequest, form: forms.BaseForm | None = None) -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        outcome.error = exc
        if form is not None:
            form.add_error(_field(form, exc), exc.message)
        else:
            messages.error(request, exc.message)
