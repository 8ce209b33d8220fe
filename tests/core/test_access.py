"""core.access (who acts as which role; the one view decorator) and core.views.errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from core.access import active_roles, acts_as, has_role, is_privileged, permission_required
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.models import Role, User
from core.views.errors import domain_errors
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The same person as a new object (``active_roles`` caches on the object, per request)."""
    return User.objects.get(pk=user.pk)


# --- acts_as / has_role / active_roles ------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_a_superuser_acts_as_every_role_without_holding_it(role):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert acts_as(superuser, role)
    assert not has_role(superuser, role)


def test_has_role_counts_a_superusers_real_assignment():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    RoleFactory(user=superuser, role=Role.TREASURER)
    assert has_role(fresh(superuser), Role.TREASURER)
    assert not has_role(fresh(superuser), Role.SECRETARY)


@pytest.mark.parametrize("role", Role.values)
def test_a_holder_acts_as_their_role_and_no_other(role):
    holder = RoleFactory(role=role).user
    assert acts_as(holder, role) and has_role(holder, role)
    others = [r for r in Role.values if r != role]
    assert not acts_as(holder, *others)
    assert not has_role(holder, *others)


def test_acts_as_any_of_several_roles():
    secretary = RoleFactory(role=Role.SECRETARY).user
    assert acts_as(secretary, Role.CHAIR, Role.SECRETARY)
    assert not acts_as(secretary, Role.CHAIR, Role.TREASURER)


def test_a_plain_user_and_an_anonymous_visitor_act_as_nothing():
    plain = UserFactory()
    assert not acts_as(plain, *Role.values)
    assert not acts_as(AnonymousUser(), *Role.values)
    assert not acts_as(None, Role.DIRECTOR)
    assert active_roles(AnonymousUser()) == set()


def test_acts_as_with_no_role_named_is_the_superuser_rule_alone():
    assert acts_as(UserFactory(is_superuser=True))
    assert not acts_as(RoleFactory(role=Role.DIRECTOR).user)


def test_active_roles_respects_start_and_end(clock):
    now = clock.now()
    user = UserFactory()
    RoleFactory(user=user, role=Role.DIRECTOR, starts_at=now - dt.timedelta(days=10))
    RoleFactory(user=user, role=Role.TREASURER, starts_at=now + dt.timedelta(days=1))  # not yet
    RoleFactory(
        user=user,
        role=Role.SECRETARY,
        starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=1),  # over
    )
    RoleFactory(
        user=user, role=Role.CHAIR, starts_at=now - dt.timedelta(days=5), ends_at=now + dt.timedelta(days=5)
    )
    assert active_roles(fresh(user)) == {Role.DIRECTOR, Role.CHAIR}
    assert active_roles(fresh(user), at=now - dt.timedelta(days=20)) == {Role.SECRETARY}
    assert active_roles(fresh(user), at=now + dt.timedelta(days=2)) == {
        Role.DIRECTOR,
        Role.CHAIR,
        Role.TREASURER,
    }


def test_a_role_ends_exactly_at_its_end(clock):
    now = clock.now()
    assignment = RoleFactory(role=Role.DIRECTOR, starts_at=now - dt.timedelta(days=3), ends_at=now)
    assert not has_role(fresh(assignment.user), Role.DIRECTOR)
    assert has_role(fresh(assignment.user), Role.DIRECTOR, at=now - dt.timedelta(seconds=1))


def test_an_ended_role_no_longer_makes_anyone_privileged(clock):
    assignment = RoleFactory(role=Role.DIRECTOR)
    assert is_privileged(fresh(assignment.user))
    assignment.ends_at = clock.now()
    assignment.save()
    assert not is_privileged(fresh(assignment.user))
    assert not acts_as(fresh(assignment.user), Role.DIRECTOR)


# --- permission_required ------------------------------------------------------------------------


def request_as(user: Any, path: str = "/manage/thing/?page=2") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user if user is not None else AnonymousUser()
    return request


def make_view(check: Any, **kwargs: Any) -> tuple[Any, list[tuple[Any, ...]]]:
    calls: list[tuple[Any, ...]] = []

    @permission_required(check, **kwargs)
    def view(request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
        calls.append((args, kw))
        return HttpResponse("opened")

    return view, calls


def test_an_anonymous_visitor_is_sent_to_sign_in_and_comes_back():
    checked: list[Any] = []
    view, calls = make_view(lambda user: checked.append(user) or True)
    response = view(request_as(None))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/manage/thing/%3Fpage%3D2"
    assert not calls and not checked


def test_a_signed_in_person_who_fails_the_check_gets_403():
    view, calls = make_view(lambda user: False)
    with pytest.raises(PermissionDenied):
        view(request_as(UserFactory()))
    assert not calls


def test_a_person_who_passes_the_check_opens_the_view_with_its_arguments():
    user = UserFactory()
    seen: list[Any] = []
    view, calls = make_view(lambda u: seen.append(u) or True)
    response = view(request_as(user), 7, slug="x")
    assert response.content == b"opened"
    assert calls == [((7,), {"slug": "x"})]
    assert seen == [user]


def test_the_check_is_given_the_object_obj_finds():
    user = UserFactory()
    seen: list[tuple[Any, Any]] = []

    def find(request: HttpRequest, pk: int) -> dict[str, int]:
        return {"pk": pk}

    def check(u: Any, obj: Any) -> bool:
        seen.append((u, obj))
        return obj["pk"] == 3

    view, calls = make_view(check, obj=find)
    assert view(request_as(user), pk=3).status_code == 200
    with pytest.raises(PermissionDenied):
        view(request_as(user), pk=4)
    assert seen == [(user, {"pk": 3}), (user, {"pk": 4})]
    assert calls == [((), {"pk": 3})]


def test_a_missing_object_is_a_404_before_the_check_runs():
    checked: list[Any] = []

    def find(request: HttpRequest, pk: int) -> Any:
        raise Http404

    view, calls = make_view(lambda u, obj: checked.append(obj) or False, obj=find)
    with pytest.raises(Http404):
        view(request_as(UserFactory()), pk=1)
    assert not checked and not calls


def test_anonymous_is_sent_to_sign_in_before_the_object_is_looked_up():
    looked: list[Any] = []
    view, _ = make_view(lambda u, obj: True, obj=lambda request, **kw: looked.append(kw))
    assert view(request_as(None), pk=1).status_code == 302
    assert not looked


def test_the_decorator_keeps_the_views_name_and_records_its_check():
    def check(user: Any) -> bool:
        return True

    @permission_required(check)
    def some_page(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert some_page.__name__ == "some_page"
    assert some_page.charter_permission is check  # type: ignore[attr-defined]


# --- domain_errors ------------------------------------------------------------------------------


class ThingForm(forms.Form):
    title = forms.CharField(required=False)


def request_with_messages() -> HttpRequest:
    request = RequestFactory().post("/x/")
    request.session = SessionStore()  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def bound_form() -> ThingForm:
    form = ThingForm(data={"title": "x"})
    assert form.is_valid()
    return form


def test_without_an_error_the_outcome_is_ok_and_the_form_untouched():
    form = bound_form()
    with domain_errors(request_with_messages(), form) as outcome:
        pass
    assert outcome.ok and outcome.error is None
    assert not form.errors


def test_not_found_becomes_a_404():
    with pytest.raises(Http404), domain_errors(request_with_messages(), bound_form()):
        raise NotFound("No such meeting.")


def test_not_allowed_becomes_a_403():
    with pytest.raises(PermissionDenied), domain_errors(request_with_messages(), bound_form()):
        raise NotAllowed("Only the secretary.")


def test_a_validation_error_lands_on_the_field_it_names():
    form = bound_form()
    with domain_errors(request_with_messages(), form) as outcome:
        raise ValidationFailed("Too long.", code="too_long", detail={"field": "title"})
    assert not outcome.ok and outcome.error is not None and outcome.error.code == "too_long"
    assert form.errors == {"title": ["Too long."]}
    assert not form.non_field_errors()


@pytest.mark.parametrize("detail", [None, {"field": "no_such_field"}, ["title"], {"field": 3}])
def test_a_validation_error_without_a_field_of_the_form_is_a_non_field_error(detail):
    form = bound_form()
    with domain_errors(request_with_messages(), form) as outcome:
        raise ValidationFailed("Not now.", detail=detail)
    assert not outcome.ok
    assert form.non_field_errors() == ["Not now."]
    assert "title" not in form.errors


def test_any_other_domain_error_is_a_form_error_too():
    form = bound_form()
    with domain_errors(request_with_messages(), form) as outcome:
        raise Conflict("Already voted.")
    assert isinstance(outcome.error, Conflict)
    assert form.non_field_errors() == ["Already voted."]


def test_without_a_form_the_error_becomes_a_message():
    request = request_with_messages()
    with domain_errors(request) as outcome:
        raise ValidationFailed("The ballot could not be read.")
    assert not outcome.ok
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "The ballot could not be read.")
    ]


def test_errors_that_are_not_domain_errors_pass_through():
    with pytest.raises(KeyError), domain_errors(request_with_messages(), bound_form()):
        raise KeyError("bug")
