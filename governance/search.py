"""One search across the public record: minutes, decisions, policies and (registered) elections.

Sources register themselves (``register_search_source``): governance registers its own in
``AppConfig.ready()``, elections registers its elections, so governance never imports it.
Every source answers only what an anonymous visitor may read (published minutes, the
decisions register, adopted policy versions, elections past their draft).

The match is a case-insensitive substring test of every word of the query (``icontains``, the
same on PostgreSQL and SQLite), and the snippet is cut in Python around the first match:
simple, and the same on both databases. Snippets are escaped first and only then get
``<mark>`` around the matches, so content can never inject markup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from governance.models import Decision, Minutes, MinutesStatus, PolicyVersion

#: Longer queries are refused (the form says so): they are not searches but pasted text.
MAX_QUERY_LENGTH = 100
MIN_TERM_LENGTH = 2
MAX_TERMS = 8
#: Each source returns at most this many hits; the page says when there may be more.
MAX_HITS_PER_SOURCE = 200
SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    url: str
    date: dt.datetime | None
    text: str  # the text the snippet is cut from


@dataclass(frozen=True)
class SearchSource:
    key: str
    label: str | Promise
    find: Callable[[list[str]], Iterable[Hit]]


_SOURCES: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> None:
    """Add ``source`` (once, by key); called from an ``AppConfig.ready()``."""
    _SOURCES[source.key] = source


def search_sources() -> list[SearchSource]:
    return list(_SOURCES.values())


def search_terms(q: str) -> list[str]:
    """The words of the query worth matching: at least two characters, at most eight of them."""
    words = [w for w in q.split() if len(w) >= MIN_TERM_LENGTH]
    return list(dict.fromkeys(w.casefold() for w in words))[:MAX_TERMS]


def matching(queryset: QuerySet, fields: list[str], terms: list[str]) -> QuerySet:
    """Rows where every term occurs in at least one of ``fields``."""
    per_term = [reduce(or_, (Q(**{f"{f}__icontains": t}) for f in fields)) for t in terms]
    return queryset.filter(reduce(and_, per_term))


def site_search(q: str, *, kinds: Iterable[str] | None = None) -> list[Hit]:
    """Every public item matching ``q``, newest first."""
    terms = search_terms(q[:MAX_QUERY_LENGTH])
    if not terms:
        return []
    wanted = set(kinds) if kinds else None
    hits: list[Hit] = []
    for source in search_sources():
        if wanted is None or source.key in wanted:
            hits.extend(list(source.find(terms))[:MAX_HITS_PER_SOURCE])
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(hits, key=lambda h: h.date or epoch, reverse=True)


_MARKUP = re.compile(r"(?m)^\s*>+|[#*_`|~]+|\]\([^)]*\)|\[")


def snippet(text: str, terms: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """An escaped extract of ``text`` around the first match, each match in ``<mark>``."""
    plain = " ".join(_MARKUP.sub(" ", text).split())
    if not terms:
        return mark_safe(escape(plain[:width]))  # noqa: S308 (escaped)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(plain)
    start = max(0, (first.start() if first else 0) - width // 3)
    if start:
        space = plain.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(plain), start + width)
    if end < len(plain):
        space = plain.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    window = plain[start:end]
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(window):
        out.append(escape(window[pos : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        pos = match.end()
    out.append(escape(window[pos:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(plain) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every piece escaped above)


# --- Governance's own sources ------------------------------------------------------------------


def _minutes(terms: list[str]) -> Iterable[Hit]:
    # Only published minutes: their search text is the published version's (drafts never).
    qs = Minutes.objects.filter(status=MinutesStatus.PUBLISHED).select_related("meeting")
    for m in matching(qs, ["search_text"], terms).order_by("-published_at")[:MAX_HITS_PER_SOURCE]:
        yield Hit(
            kind=str(_("Minutes")),
            title=f"{m} — {m.meeting.title}",
            url=reverse("governance:minutes_detail", args=[m.number]),
            date=m.published_at,
            text=m.search_text,
        )


def _decisions(terms: list[str]) -> Iterable[Hit]:
    # The register is public in full: a decision exists only once it was taken.
    qs = matching(Decision.objects.all(), ["title", "text"], terms).order_by("-number")
    for d in qs[:MAX_HITS_PER_SOURCE]:
        yield Hit(
            kind=str(_("Decision")),
            title=f"{d.reference} {d.title}",
            url=reverse("governance:decision_detail", args=[d.number]),
            date=d.decided_at,
            text=f"{d.title}\n{d.text}",
        )


def _policies(terms: list[str]) -> Iterable[Hit]:
    # The version in force of each policy: adopted, never a proposed text.
    qs = PolicyVersion.objects.filter(adopted_at__isnull=False, version=F("policy__current_version"))
    qs = matching(qs.select_related("policy"), ["policy__title", "policy__summary", "body_md"], terms)
    for v in qs.order_by("policy__title")[:MAX_HITS_PER_SOURCE]:
        yield Hit(
            kind=str(_("Policy")),
            title=v.policy.title,
            url=reverse("governance:policy_detail", args=[v.policy.slug]),
            date=v.adopted_at,
            text=f"{v.policy.title}\n{v.policy.summary}\n{v.body_md}",
        )


def register() -> None:
    register_search_source(SearchSource("minutes", _("Minutes"), _minutes))
    register_search_source(SearchSource("decisions", _("Decisions"), _decisions))
    register_search_source(SearchSource("policies", _("Policies"), _policies))
