import pytest

from core.money import format_money


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (250000, "USD", "2,500.00 USD"),
        (5, "usd", "0.05 USD"),
        (500000, "JPY", "500,000 JPY"),
        (1234, "KWD", "1.234 KWD"),
        (-1050, "EUR", "-10.50 EUR"),
        (0, "USD", "0.00 USD"),
    ],
)
def test_format_money_respects_the_currency_exponent(minor, currency, text):
    assert format_money(minor, currency) == text
