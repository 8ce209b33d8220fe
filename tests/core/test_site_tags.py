"""Template helpers in core/templatetags/charter.py and the shared partials."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.templatetags.charter import account_nav, site_nav, state_badge, url_replace

rf = RequestFactory()


def test_url_replace_changes_one_parameter_and_keeps_the_others():
    request = rf.get("/members/", {"q": "ada", "page": "2", "tag": ["x", "y"]})
    assert url_replace(request, page=3) == "?q=ada&page=3&tag=x&tag=y"


def test_url_replace_removes_a_parameter_set_to_none():
    request = rf.get("/members/", {"q": "ada", "page": "2"})
    assert url_replace(request, page=None) == "?q=ada"


def test_url_replace_is_escaped_in_templates():
    request = rf.get("/members/", {"q": "a&b", "class": "gold"})
    html = Template('{% load charter %}<a href="{% url_replace request page=2 %}">').render(
        Context({"request": request})
    )
    assert html == '<a href="?q=a%26b&amp;class=gold&amp;page=2">'


def _current(items):
    return {str(item.label): item.current for item in items if item.current}


def test_nav_marks_the_most_specific_section():
    assert _current(site_nav(rf.get("/governance/board/seats/"))) == {"Board": "true"}
    assert _current(site_nav(rf.get("/governance/"))) == {"Transparency": "page"}
    assert _current(site_nav(rf.get("/governance/minutes/4/"))) == {"Transparency": "true"}
    assert _current(site_nav(rf.get("/"))) == {}


def test_account_nav_marks_the_dashboard():
    assert _current(account_nav(rf.get("/dashboard/"))) == {"Dashboard": "page"}


def test_state_badge_colours():
    assert state_badge("active") == "success"
    assert state_badge("grace") == "warning"
    assert state_badge("suspended") == "danger"
    assert state_badge("something-new") == "muted"


def render_pagination(page: int, **params: str) -> str:
    request = rf.get("/members/", params)
    page_obj = Paginator(range(200), 10).page(page)
    return render_to_string("partials/pagination.html", {"page_obj": page_obj, "request": request})


def test_pagination_keeps_filters_and_marks_the_current_page():
    html = render_pagination(5, q="linux")
    assert 'aria-label="Pagination"' in html
    assert 'href="?q=linux&amp;page=4" rel="prev"' in html
    assert 'href="?q=linux&amp;page=6" rel="next"' in html
    assert 'href="?q=linux&amp;page=5" aria-current="page"' in html
    assert "…" in html  # elided page range
    assert "Page 5 of 20" in html


def test_pagination_renders_nothing_for_one_page():
    request = rf.get("/members/")
    html = render_to_string(
        "partials/pagination.html", {"page_obj": Paginator(range(3), 10).page(1), "request": request}
    )
    assert html.strip() == ""


class SampleForm(forms.Form):
    name = forms.CharField(help_text="As it should appear in the directory.")
    website = forms.URLField(required=False, assume_scheme="https")
    agree = forms.BooleanField(label="I agree")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def test_form_partial_ties_help_and_errors_to_the_input():
    form = SampleForm(data={"name": "", "website": "not a url"})
    html = render_to_string("partials/form.html", {"form": form})
    assert '<label for="id_name">Name</label>' in html
    assert 'id="id_name_helptext"' in html
    assert 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="errorlist"' in html
    assert "(optional)" in html  # website is not required
    assert 'class="field field-checkbox has-error"' in html
    assert "<fieldset" in html and "<legend>Kind</legend>" in html
    assert 'role="alert"' in html


def test_field_partial_renders_one_field():
    form = SampleForm()
    html = render_to_string("partials/field.html", {"field": form["name"]})
    assert 'class="field"' in html
    assert 'aria-describedby="id_name_helptext"' in html


@pytest.mark.django_db
def test_base_template_blocks():
    request = rf.get("/x/")
    request.user = AnonymousUser()
    html = Template(
        '{% extends "base.html" %}{% block title %}Board{% endblock %}'
        '{% block breadcrumbs %}<nav class="breadcrumbs">crumbs</nav>{% endblock %}'
        "{% block extra_head %}<meta name=x>{% endblock %}{% block content %}<p>hello</p>{% endblock %}"
    ).render(Context({"request": request, "user": request.user, "FOUNDATION_NAME": "F"}))
    assert "<title>Board · F</title>" in html
    assert '<nav class="breadcrumbs">crumbs</nav>' in html
    assert "<meta name=x>" in html
    assert "<p>hello</p>" in html
