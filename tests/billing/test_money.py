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


@pytest.mark.parametrize(
    ("language", "minor", "currency", "text"),
    [
        ("en", 250000, "USD", "2,500.00 USD"),
        ("es", 250000, "USD", "2\xa0500,00 USD"),  # Django's Spanish groups with a no-break space
        ("ja", 250000, "USD", "2,500.00 USD"),
        ("es", 500000, "JPY", "500\xa0000 JPY"),
        ("es", -1234, "KWD", "-1,234 KWD"),
    ],
)
def test_pages_show_money_with_the_languages_separators(language, minor, currency, text):
    """Pages follow the reader's language; ``format_money`` (emails, CSV, audit) does not."""
    from django.utils import translation

    from core.money import format_money_local

    with translation.override(language):
        assert format_money_local(minor, currency) == text
        assert format_money(minor, currency) == format_money(minor, currency.lower())


def test_a_sponsors_invoice_page_writes_amounts_in_spanish(client, settings):
    """The billing filter is the page's: in Spanish, a decimal comma and grouped thousands."""
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("es"):
        rendered = Template("{% load billing_tags %}{{ 123456789|money:'usd' }}").render(Context())
    assert rendered == "1\xa0234\xa0567,89 USD"
