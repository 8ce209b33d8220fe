"""Names on the ballot: what the published ballot file (BLT) can carry.

BLT has no escape syntax (a name runs from one double quote to the next), so a name with a
double quote or a control character could not be published and recounted as it is. Such a
name is refused when the person is nominated; migration 0008 repaired older ones.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from elections.counting import blt_name_problem


def check_ballot_name(name: str) -> None:
    """Raise ``ValidationFailed`` (code ``name_not_on_ballot``) for a name BLT cannot carry."""
    if blt_name_problem(name) is None:
        return
    raise ValidationFailed(
        _(
            "“%(name)s” cannot appear on the ballot as it is: a name on the ballot may not contain "
            'a double quote (") or a control character. The nominee can change the name in '
            "their profile, then be nominated."
        )
        % {"name": name},
        code="name_not_on_ballot",
    )
