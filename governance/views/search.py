"""The public search page: one box across minutes, decisions, policies and elections."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from governance.search import MAX_QUERY_LENGTH, search_sources, search_terms, site_search, snippet
from governance.views.filters import SearchForm

PAGE_SIZE = 20


def search(request: HttpRequest) -> HttpResponse:
    sources = search_sources()
    form = SearchForm(request.GET or None, kinds=[(s.key, str(s.label)) for s in sources])
    q, kind, terms = "", "", []
    if form.is_valid():
        q, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        terms = search_terms(q)
    hits = site_search(q, kinds=[kind] if kind else None) if terms else []
    page_obj = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    results = [(hit, snippet(hit.text, terms)) for hit in page_obj]
    return render(
        request,
        "governance/search.html",
        {
            "form": form,
            "q": q,
            "terms": terms,
            "page_obj": page_obj,
            "results": results,
            "max_length": MAX_QUERY_LENGTH,
            "too_short": bool(q) and not terms,
        },
        status=400 if form.errors else 200,
    )
