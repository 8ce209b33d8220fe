"""Money as integer minor units plus an ISO 4217 currency."""

from __future__ import annotations

from django.utils.formats import number_format

# Currencies Stripe treats as having no minor unit (amounts are whole units).
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
THREE_DECIMAL_CURRENCIES = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def currency_exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def format_money(minor: int, currency: str) -> str:
    """``format_money(250000, "USD")`` → ``"2,500.00 USD"``; ``format_money(5000, "JPY")`` → ``"5,000 JPY"``."""
    exponent = currency_exponent(currency)
    sign = "-" if minor < 0 else ""
    units, rest = divmod(abs(minor), 10**exponent)
    whole = number_format(units, decimal_pos=0, force_grouping=True)
    if exponent == 0:
        return f"{sign}{whole} {currency.upper()}"
    return f"{sign}{whole}.{rest:0{exponent}d} {currency.upper()}"
