"""Atom feeds for published minutes and for the decisions register.

Django's Atom feed declares every summary ``type="html"``, so a reader renders it as markup:
each summary is the plain text HTML-escaped (line breaks kept), never a decision's text as is.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from governance.models import Decision, Minutes, MinutesStatus

FEED_SIZE = 50


def _as_html(text: str) -> str:
    """Plain text as the HTML a ``type="html"`` summary carries: escaped, paragraphs kept."""
    return linebreaks(text, autoescape=True)


class MinutesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Board minutes")
    link = reverse_lazy("governance:minutes_list")
    subtitle = _("Published minutes of the board, newest first.")

    def items(self) -> QuerySet[Minutes]:
        return (
            Minutes.objects.filter(status=MinutesStatus.PUBLISHED)
            .select_related("meeting")
            .order_by("-published_at", "-number")[:FEED_SIZE]
        )

    def item_title(self, item: Minutes) -> str:
        return f"{item} — {item.meeting.title}"

    def item_description(self, item: Minutes) -> str:
        return _as_html(
            str(
                _("Minutes of the meeting of %(date)s.")
                % {"date": item.meeting.scheduled_at.date().isoformat()}
            )
        )

    def item_link(self, item: Minutes) -> str:
        return reverse("governance:minutes_detail", args=[item.number])

    def item_pubdate(self, item: Minutes) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Minutes) -> dt.datetime | None:
        return item.updated_at

    def author_name(self) -> str:
        return settings.FOUNDATION_NAME


class DecisionsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Board decisions")
    link = reverse_lazy("governance:decisions_list")
    subtitle = _("The decisions register, newest first.")

    def items(self) -> QuerySet[Decision]:
        return Decision.objects.order_by("-number")[:FEED_SIZE]

    def item_title(self, item: Decision) -> str:
        return f"{item.reference} {item.title} ({item.get_outcome_display()})"

    def item_description(self, item: Decision) -> str:
        return _as_html(item.text)

    def item_link(self, item: Decision) -> str:
        return reverse("governance:decision_detail", args=[item.number])

    def item_pubdate(self, item: Decision) -> dt.datetime | None:
        return item.decided_at

    def author_name(self) -> str:
        return settings.FOUNDATION_NAME
