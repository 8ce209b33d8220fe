"""Every form of the site, posted with generated values by each kind of person: never a 5xx.

The forms are the URL patterns whose view accepts POST (a class-based view with ``post``;
a function view behind ``require_POST``/``require_http_methods([... "POST"])``, or one that
reads ``request.POST``/``request.method`` itself or in a helper of its module). Left out: the
Django admin (staff only, and read-only for what the bylaws govern) and the API, which
schemathesis fuzzes in ``tests/api/test_schema.py``. Each form is posted at the concrete URL of
its row in the URL x role table (``tests/test_url_roles.py``), in the same seeded world.

The fields of a form come from the Django form classes its view names (their types), merged
with every ``<form method="post">`` of the table's pages that posts to it (a select's options,
hidden values), fetched as an anonymous visitor, the member, the sponsor's representative,
the superuser and a voter on the open election's roll. Each example starts from values the
form should accept (valid dates in the fields' order, a number, an offered choice), then
mutates or drops some fields: unicode text, ``99999999999999999999``, ``-1``, ``1e20``,
``0``, dates in year 1 and 9999, malformed dates, empty values, strings over 10,000
characters, NUL characters, values not among a select's choices, files; and adds unknown
fields. So a single bad value reaches the service behind a form that is otherwise valid.

Who posts: the anonymous visitor, the member (no role), the sponsor's representative, and
each role holder the table lets open the page, signed in with the second factor. A page any
signed-in person opens alike (no role makes a difference) and a public page (sign-in,
sign-up, password reset, two-factor pages, the webhook, the language switch) are posted by
one role holder, the secretary (who has TOTP on), standing for all of them; the ballot also
by a voter on the roll. A person the table refuses (sign in first, 403, 404) is turned away
before any field is read: 4 examples each; everyone else: 20 (``derandomize``, the same
values every run; no shrinking: a failure names the form, the person and every value). Each
example runs in a savepoint rolled back after it; Stripe is a fake on loopback. The whole
module takes about 1.5 minutes on 2 cores with PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core import clock as core_clock
from core.models import Role
from elections.models import Election, RollEntry
from members.billing.fakestripe.server import FakeStripe
from tests import test_url_roles
from tests.roles import ANONYMOUS, FORBIDDEN, LOGIN, MEMBER, NOT_FOUND, SPONSOR, SUPERUSER, TWO_FA, sign_in
from tests.test_url_roles import TABLE, Row

world = test_url_roles.world  # the same seeded foundation as the URL table, once per module

EXAMPLES = 20
WEBHOOK_SECRET = "whsec_test_charter_form_fuzz"
VOTER = "voter"  # a demo member on the open election's roll (the ballot form)
ROLE_STAND_IN: str = Role.SECRETARY  # stands for every role holder where no role makes a difference
EXCLUDED_PREFIXES = ("admin/", "api/")

# --- which URL patterns are forms ---------------------------------------------------------------


def _patterns() -> Iterator[tuple[str, str, Any]]:
    """(key, route, callback) of every pattern; the key as the URL table names its row."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name
                if name and namespace:
                    name = f"{namespace}:{name}"
                yield name or route, route, pattern.callback

    yield from walk(get_resolver().url_patterns, "", "")


def accepts_post(callback: Any) -> bool:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    if not inspect.isfunction(callback):
        return False  # a feed object, for instance
    function: Any = callback
    while function is not None:
        for cell in function.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(contents, list | tuple | set | frozenset)
                and contents
                and all(isinstance(m, str) and m.isupper() for m in contents)
            ):
                return "POST" in contents  # require_http_methods and friends
        inner = getattr(function, "__wrapped__", None)
        if inner is None:
            break
        function = inner
    return reads_post(function, set())


def reads_post(function: Any, seen: set[Any]) -> bool:
    """Whether ``function``, or a function of its module it calls, reads the POST data or the method."""
    seen.add(function)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    if "request.POST" in source or "request.method" in source:
        return True
    helpers = (function.__globals__.get(name) for name in function.__code__.co_names)
    return any(
        reads_post(inspect.unwrap(helper), seen)
        for helper in helpers
        if inspect.isfunction(helper) and helper.__module__ == function.__module__ and helper not in seen
    )


def form_rows() -> list[Row]:
    rows = {row.key: row for row in TABLE}
    found = []
    for key, route, callback in _patterns():
        if route.startswith(EXCLUDED_PREFIXES) or not accepts_post(callback):
            continue
        if key in rows:  # a form without a row fails test_every_form_has_a_row (and the table's own test)
            found.append(rows[key])
    return found


def forms_without_a_row() -> list[str]:
    rows = {row.key for row in TABLE}
    return [
        key
        for key, route, callback in _patterns()
        if not route.startswith(EXCLUDED_PREFIXES) and accepts_post(callback) and key not in rows
    ]


ALLOWED_OUTCOMES = {200, 405, "302 elsewhere"}  # the person gets past the permission check


def actors_for(row: Row) -> list[str]:
    base = [ANONYMOUS, MEMBER, SPONSOR]
    extra: list[str]
    if row.expect is None:
        extra = [ROLE_STAND_IN]
    else:
        allowed = [
            r
            for r in Role.values
            if not isinstance(row.expect[r], frozenset) and row.expect[r] in ALLOWED_OUTCOMES
        ]
        extra = [ROLE_STAND_IN] if len(allowed) == len(Role.values) else allowed
        if not extra:  # a page only for members or sponsors: one role holder is still refused cleanly
            extra = [ROLE_STAND_IN]
    actors = base + [a for a in extra if a not in base]
    if row.key == "elections:ballot":
        actors.append(VOTER)
    return actors


REFUSALS = {LOGIN, FORBIDDEN, NOT_FOUND, TWO_FA}
#: A person the table refuses (sign in, 403, 404) is turned away before any field is read:
#: a few examples show it stays so whatever is posted.
REFUSED_EXAMPLES = 4


def examples_for(row: Row, actor: str) -> int:
    refused = row.expect is not None and actor in row.expect and row.expect[actor] in REFUSALS
    return REFUSED_EXAMPLES if refused else EXAMPLES


FORMS = form_rows()
CASES = [
    pytest.param(row, actor, examples_for(row, actor), id=f"{row.key}-{actor}")
    for row in FORMS
    for actor in actors_for(row)
]


def test_every_form_has_a_row() -> None:
    """The concrete URL of a form comes from its row in the URL x role table."""
    assert not forms_without_a_row(), (
        f"forms without a row in tests/test_url_roles.py: {forms_without_a_row()}"
    )


def test_the_forms_are_found() -> None:
    keys = {row.key for row in FORMS}
    # A few that must be there, of each kind: allauth, a signed-in page, a POST-only page, /manage/.
    assert {"account_login", "members:apply", "members_manage:application_ask", "elections:ballot"} <= keys
    assert "governance:minutes_list" not in keys and "core:audit_heads_feed" not in keys


# --- the fields of each form, read from the pages -----------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input type, "select", "select-multiple" or "textarea"
    values: set[str] = field(default_factory=set)  # what the page offered (value, options)
    type: str = ""  # the Django form field's class, when a form class declares the field
    order: int = 0  # its place in the form class (dates are made valid in that order: opens < closes)


class FormParser(HTMLParser):
    """Collect every ``<form method="post">``: its action and its fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[Field]]] = []
        self._fields: list[Field] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select is not None:
            if "value" in a:
                self._select.values.add(a["value"])
            return
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._fields = []
                self.forms.append((a.get("action", ""), self._fields))
            return
        if self._fields is None or not a.get("name"):
            return
        name = a["name"]
        if tag in ("input", "button"):
            kind = a.get("type", "text").lower() if tag == "input" else "submit"
            self._fields.append(Field(name, kind, {a["value"]} if "value" in a else set()))
        elif tag == "select":
            self._select = Field(name, "select-multiple" if "multiple" in a else "select")
            self._fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "textarea")
            self._fields.append(self._textarea)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and data.strip():
            self._textarea.values.add(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_classes(callback: Any) -> list[type[forms.BaseForm]]:
    """The Django form classes a view uses: a class-based view's ``form_class``, or the form
    classes a function view (or a helper of its module it calls) names."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        found = getattr(view_class, "form_class", None)
        return [found] if found is not None else []
    classes: list[type[forms.BaseForm]] = []
    seen: set[Any] = set()
    todo = [inspect.unwrap(callback)] if inspect.isfunction(callback) else []
    while todo:
        function = todo.pop()
        seen.add(function)
        for name in function.__code__.co_names:
            target = function.__globals__.get(name)
            if inspect.isclass(target) and issubclass(target, forms.BaseForm):
                classes.append(target)
            elif inspect.isfunction(target) and target.__module__ == function.__module__:
                target = inspect.unwrap(target)
                if target not in seen:
                    todo.append(target)
    return classes


def fields_of(form_class: type[forms.BaseForm]) -> dict[str, Field]:
    found = {}
    declared: dict[str, forms.Field] = form_class.base_fields  # type: ignore[attr-defined]
    for order, (name, form_field) in enumerate(declared.items()):
        widget = form_field.widget
        if isinstance(widget, forms.SelectMultiple | forms.CheckboxSelectMultiple):
            kind = "select-multiple"
        elif isinstance(widget, forms.Select):
            kind = "select"
        elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            kind = "file"
        else:
            kind = getattr(widget, "input_type", "textarea")
        values: set[str] = set()  # a model's choices come from the page (no database here)
        if kind.startswith("select") and not isinstance(form_field, forms.ModelChoiceField):
            values = {str(value) for value, _ in getattr(form_field, "choices", [])}
        found[name] = Field(name, kind, values, type(form_field).__name__, order)
    return found


def fields_from_code() -> dict[str, dict[str, Field]]:
    """Form key -> the fields of the Django forms its view uses (before any page is read)."""
    fields: dict[str, dict[str, Field]] = {}
    for key, route, callback in _patterns():
        if route.startswith(EXCLUDED_PREFIXES) or not accepts_post(callback):
            continue
        for form_class in form_classes(callback):
            fields.setdefault(key, {}).update(fields_of(form_class))
    return fields


def key_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name if match.url_name else match.route


def crawl(clients: dict[str, Client], rows: list[Row], params: dict[str, Any]) -> dict[str, dict[str, Field]]:
    """Form key -> its fields (name -> Field): its forms' fields, merged with those of every
    page that posts to it (what the page offers: a select's options, hidden values)."""
    fields = fields_from_code()
    for row in rows:
        if row.key.startswith("api") or row.url.startswith("/api/"):
            continue
        page = row.url.format(**params)
        for actor, client in clients.items():
            if row.expect is not None and actor in row.expect and row.expect[actor] != 200:
                continue
            response = client.get(page)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode(errors="replace"))
            for action, found in parser.forms:
                target = urlsplit(urljoin(page, action or page)).path
                key = key_of(target)
                if key is None:
                    continue
                known = fields.setdefault(key, {})
                for f in found:
                    if f.name == "csrfmiddlewaretoken":
                        continue
                    merged = known.setdefault(f.name, Field(f.name, f.kind))
                    merged.values |= f.values
                    if merged.kind in ("text", "textarea") and f.kind not in ("text", "textarea"):
                        merged.kind = f.kind  # the page knows better (a hidden input, a select)
    return fields


@pytest.fixture(scope="module")
def form_fields(world: dict[str, Any], django_db_blocker: Any) -> dict[str, dict[str, Field]]:
    people = world["people"]
    with django_db_blocker.unblock(), transaction.atomic():
        core_clock.freeze(world["now"])
        clients: dict[str, Client] = {ANONYMOUS: Client()}
        for actor in (MEMBER, SPONSOR, SUPERUSER):
            clients[actor] = Client()
            sign_in(clients[actor], people[actor])
        clients[VOTER] = Client()
        sign_in(clients[VOTER], world_voter(world))
        found = crawl(clients, TABLE, world["params"])
        transaction.set_rollback(True)
    return found


def world_voter(world: dict[str, Any]) -> Any:
    election = Election.objects.get(slug=world["params"]["election"])
    entry = (
        RollEntry.objects.filter(election=election, has_voted=False, voter__isnull=False)
        .select_related("voter")
        .order_by("member_number")
        .first()
    )
    assert entry is not None, "no one on the open election's roll has yet to vote"
    return entry.voter


# --- the values ---------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "1e20",
    "0",
    "NaN",
    "inf",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2024-02-30",
    "2024-13-45",
    "31/12/2024",
    "not a date",
    "x" * 10_001,
    "é\u202e" * 5_001,
    "a\x00b",
    "<script>alert(1)</script>",
    "'; DROP TABLE core_user; --",
    "M-0000-0000",
    "../../etc/passwd",
    "http://evil.example.com/",
    "//evil.example.com",
]

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
numbers = st.integers(min_value=-(10**22), max_value=10**22).map(str)
anything = st.one_of(st.sampled_from(NASTY), text, numbers)
EXTRA_NAMES = ["extra", "id", "pk", "user", "actor", "state", "weight", "is_staff", "number", "version"]


DATES = ["0001-01-01", "9999-12-31", "2024-02-30", "2024-13-45", "31/12/2024", "not a date", "0", ""]
DATETIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01 00:00:00", "2024-02-30T12:00", "24:61", ""]
NUMBERS = ["99999999999999999999", "-99999999999999999999", "-1", "1e20", "0", "NaN", "inf", "1.5", ""]


def valid_value(f: Field) -> Any:
    """A value the form should accept, so that a mutation of one field reaches the service."""
    offered = sorted(v for v in f.values if v)
    soon = core_clock.now() + dt.timedelta(days=30 + 30 * f.order)
    if f.type == "DateField":
        return soon.date().isoformat()
    if f.type == "DateTimeField":
        return soon.strftime("%Y-%m-%dT%H:%M")
    if f.type in ("IntegerField", "DecimalField", "FloatField", "TypedChoiceField") and not offered:
        return "1"
    if f.type == "EmailField" or f.kind == "email":
        return "fuzz@example.org"
    if f.type == "URLField" or f.kind == "url":
        return "https://example.org/"
    if f.type == "SlugField":
        return "fuzzed-form"
    if f.kind == "file":
        return None
    if f.kind in ("select-multiple",) or "Multiple" in f.type:
        return offered[:1]
    if offered:
        return offered[0]
    if f.kind == "checkbox" or f.type == "BooleanField":
        return "on"
    return "Fuzzed text"


def mutation(f: Field) -> st.SearchStrategy[Any]:
    offered = sorted(f.values)
    choices: list[st.SearchStrategy[Any]] = [anything]
    if f.type == "DateField" or f.kind == "date":
        choices.append(st.sampled_from(DATES))
    if f.type == "DateTimeField" or f.kind == "datetime-local":
        choices.append(st.sampled_from(DATETIMES))
    if f.type in ("IntegerField", "DecimalField", "FloatField", "TypedChoiceField") or f.kind == "number":
        choices.append(st.sampled_from(NUMBERS))
    if offered:
        choices.append(st.sampled_from(offered))
    if f.kind == "select-multiple" or (f.kind == "checkbox" and len(offered) > 1):
        pool = st.sampled_from(offered) if offered else anything
        choices.append(st.lists(st.one_of(pool, anything), max_size=4))
    if f.kind == "file":
        choices.append(
            st.builds(
                lambda name, content: SimpleUploadedFile(name or "f", content),
                st.sampled_from(["logo.png", "a.svg", "x" * 300 + ".png", "", "..png"]),
                st.binary(max_size=200),
            )
        )
    return st.one_of(*choices)


KEEP, MUTATE, OMIT = "keep", "mutate", "omit"


@st.composite
def form_data(draw: st.DrawFn, fields: dict[str, Field]) -> dict[str, Any]:
    """Mostly valid data with a few fields mutated or missing, and unknown fields added."""
    data: dict[str, Any] = {}
    for name, f in sorted(fields.items()):
        how = draw(st.sampled_from([KEEP, KEEP, MUTATE, OMIT]), label=name)
        if how == OMIT:
            continue
        value = valid_value(f) if how == KEEP else None
        if value is None:
            value = draw(mutation(f), label=name)
        data[name] = value
    for name, value in draw(st.dictionaries(st.sampled_from(EXTRA_NAMES), anything, max_size=2)).items():
        data.setdefault(name, value)
    return data


def shown(data: dict[str, Any]) -> str:
    def one(value: Any) -> str:
        if isinstance(value, SimpleUploadedFile):
            return f"<file {value.name!r}, {value.size} bytes>"
        r = repr(value)
        return r if len(r) <= 80 else f"{r[:60]}...({len(r)} chars)"

    return "{" + ", ".join(f"{k!r}: {one(v)}" for k, v in data.items()) + "}"


# --- the test -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[FakeStripe]:
    """Stripe on loopback, for the sponsor's checkout, portal and send buttons."""
    with FakeStripe(
        webhook_secret=WEBHOOK_SECRET,
        api_key="sk_test_charter",
        clock=lambda: core_clock.now().timestamp(),
        auto_deliver=False,
    ) as fake:
        yield fake


@pytest.fixture
def post(
    world: dict[str, Any],
    form_fields: dict[str, dict[str, Field]],
    fake_stripe: FakeStripe,
    settings: Any,
    db: None,
) -> Callable[..., Any]:
    core_clock.freeze(world["now"])
    settings.STRIPE_SECRET_KEY = "sk_test_charter"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_API_BASE = fake_stripe.url
    # The seeded world's block and the test's own stand for the test case's wrapper: the
    # application's rule "no Stripe call inside a transaction" looks past them.
    for block in connection.atomic_blocks:
        block._from_testcase = True  # type: ignore[attr-defined]
    voter = world_voter(world)

    def _post(row: Row, actor: str, data: dict[str, Any]) -> int:
        user = voter if actor == VOTER else world["people"][actor]
        path = row.url.format(**world["params"])
        where = f"{actor} POST {path} ({row.key}) with {shown(data)}"
        example = transaction.atomic()
        example._from_testcase = True  # type: ignore[attr-defined]
        with example:
            client = Client()
            if user is not None:
                sign_in(client, user)
            try:
                response = client.post(path, data)
            except Exception as exc:  # the test client re-raises what the view raised
                raise AssertionError(f"{where}: raised {exc!r}") from exc
            finally:
                for value in data.values():
                    if isinstance(value, SimpleUploadedFile):
                        value.seek(0)
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{where}: {response.status_code}"
        return response.status_code

    return _post


@pytest.mark.parametrize(("row", "actor", "examples"), CASES)
def test_a_form_never_answers_5xx(
    post: Callable[..., Any], form_fields: dict[str, dict[str, Field]], row: Row, actor: str, examples: int
) -> None:
    @given(data=form_data(form_fields.get(row.key, {})))
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(data: dict[str, Any]) -> None:
        post(row, actor, data)

    fuzz()


def test_every_form_on_a_page_is_fuzzed(form_fields: dict[str, dict[str, Field]], db: None) -> None:
    """A page's ``<form method="post">`` that posts to a pattern the discovery missed fails here."""
    fuzzed = {row.key for row in FORMS}
    missed = sorted(key for key in form_fields if key not in fuzzed and not key.startswith(EXCLUDED_PREFIXES))
    assert not missed, f"forms posted by pages but not fuzzed: {missed}"


def test_the_fields_of_a_form_are_found(form_fields: dict[str, dict[str, Field]], db: None) -> None:
    """From the page (a select's options, hidden values) or from the view's form class."""
    assert {"statement", "membership_class"} <= set(form_fields["members:apply"])
    assert {"record_date", "seats", "approval_max_marks"} <= set(form_fields["elections_manage:index"])
    assert form_fields["members:apply"]["membership_class"].values  # the options
    assert "body" in form_fields["elections:dispute"]
    assert "login" in form_fields["account_login"]
