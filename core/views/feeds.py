"""The published heads of the audit chain as an Atom feed, for anyone to save."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from core.models import PublishedHead

FEED_SIZE = 200


class AuditHeadsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Audit chain: published heads")
    link = reverse_lazy("core:audit_heads_feed")
    subtitle = _(
        "Save this feed: verify_audit_chain --heads FILE proves the chain still contains each head, "
        "so no one can quietly cut the record short."
    )

    def items(self) -> QuerySet[PublishedHead]:
        return PublishedHead.objects.order_by("-seq")[:FEED_SIZE]

    def item_title(self, item: PublishedHead) -> str:
        return str(_("Audit head #%(seq)s") % {"seq": item.seq})

    def item_description(self, item: PublishedHead) -> str:
        return f"{item.seq} {item.hash}"

    def item_link(self, item: PublishedHead) -> str:
        return f"{reverse('core:audit_heads_feed')}#{item.seq}"

    def item_guid(self, item: PublishedHead) -> str:
        # The id carries the head itself, so a saved feed is enough to check the chain.
        return f"urn:charter:audit-head:{item.seq}:{item.hash}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PublishedHead) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: PublishedHead) -> dt.datetime:
        return item.published_at
