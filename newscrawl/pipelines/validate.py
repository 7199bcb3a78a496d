"""Drop what is not an article, with a reason that shows in the crawl stats."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newscrawl.items import ArticleItem

__all__ = ["ValidatePipeline", "rejection_reason"]

MISSING_FIELDS = ("title", "published", "category", "author")


def rejection_reason(item: ArticleItem) -> str | None:
    """Why *item* must not be archived (``None`` when it may)."""
    if item.status >= 400:
        return f"http_{item.status}"
    if item.rejection:
        return item.rejection
    if not item.body or not item.body.strip():
        return "empty_body"
    return None


class ValidatePipeline:
    """Counts ``newscrawl/dropped/<reason>`` and ``newscrawl/missing/<field>`` in the stats."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        reason = rejection_reason(item)
        if reason:
            self.stats.inc_value(f"newscrawl/dropped/{reason}")
            raise DropItem(f"not archived ({reason}): {item.response_url}", log_level="INFO")
        for name in MISSING_FIELDS:
            if not getattr(item, name):
                self.stats.inc_value(f"newscrawl/missing/{name}")
        for error in item.errors:
            self.stats.inc_value(f"newscrawl/warnings/{error.split(':')[0]}")
        return item
