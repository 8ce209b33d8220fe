from django import template

from core.money import format_money_local

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``{{ invoice.amount_minor|money:invoice.currency }}``, with the page language's separators."""
    return format_money_local(int(minor or 0), currency) if currency else ""


@register.filter
def status_badge(status: str) -> str:
    return {
        "paid": "badge-success",
        "open": "badge-warning",
        "uncollectible": "badge-danger",
        "refunded": "badge-info",
        "void": "badge-muted",
        "active": "badge-success",
        "grace": "badge-warning",
        "lapsed": "badge-danger",
        "pending": "badge-info",
    }.get(status, "badge-muted")
