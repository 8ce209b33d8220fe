"""Money: integer minor units plus an ISO 4217 currency code, and the one way to show it.

Amounts are never floats. How many minor units make a unit depends on the currency
(``currency_exponent``); the lists below are the union of ISO 4217 and what Stripe
treats as zero- or three-decimal, so an amount means the same thing to us and to Stripe.

The text is the same in every language (``2,500.00 USD``): it goes into emails, CSV
exports and audit data, where a locale-dependent separator would be ambiguous.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

# Currencies without a minor unit: amounts are whole units.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
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
    }
)
# Currencies with three decimals (the rest we meet have two).
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def currency_exponent(currency: str) -> int:
    """How many decimals ``currency`` has: 0, 2 or 3."""
    code = (currency or "").upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def format_money(minor: int, currency: str) -> str:
    """``250000, "USD"`` → ``"2,500.00 USD"``; ``5000, "JPY"`` → ``"5,000 JPY"``; ``1234, "KWD"`` → ``"1.234 KWD"``."""
    code = (currency or "").upper()
    exponent = currency_exponent(code)
    sign = "-" if minor < 0 else ""
    units, rest = divmod(abs(int(minor)), 10**exponent)
    amount = f"{units:,}" + (f".{rest:0{exponent}d}" if exponent else "")
    return f"{sign}{amount} {code}".strip()


def format_money_local(minor: int, currency: str) -> str:
    """``format_money`` for a page, in the active language's separators: ``2,500.00 USD`` in
    English, ``2.500,00 USD`` in Spanish. Emails, CSV files and audit data keep ``format_money``."""
    code = (currency or "").upper()
    exponent = currency_exponent(code)
    amount = Decimal(int(minor)).scaleb(-exponent)
    text = formats.number_format(amount, decimal_pos=exponent, use_l10n=True, force_grouping=True)
    return f"{text} {code}".strip()
