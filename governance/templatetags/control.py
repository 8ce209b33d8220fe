"""Figures of the control page: ``{% load control %}``.

- ``{{ fraction|percent }}``: a share as ``37.5 %`` (one decimal), as the API's floats round;
- ``{{ fraction|exact }}``: the exact value, e.g. ``421/2145``, for a ``title`` attribute;
- ``{{ group_power|standing:threshold }}``: the group's ``power.Standing`` for one threshold.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import template

from governance.control import percent as _percent

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    if value is None or value == "":
        return ""
    return _percent(Fraction(value))


@register.filter
def exact(value: Any) -> str:
    if value is None or value == "":
        return ""
    fraction = Fraction(value)
    return (
        str(fraction.numerator)
        if fraction.denominator == 1
        else f"{fraction.numerator}/{fraction.denominator}"
    )


@register.filter
def standing(group: Any, threshold: Any) -> Any:
    """``group.standings[threshold.key]`` (or ``None`` for a missing group)."""
    if group is None:
        return None
    return group.standings.get(getattr(threshold, "key", threshold))
