"""Normalize text and URLs of an item before it is archived.

Text: NFC, bidi and zero-width marks removed (ZWNJ kept), whitespace collapsed per paragraph.
URLs: percent-encoded, tracking parameters and fragments removed (``archive.urls.clean_url``); the
identity key used for deduplication (``archive.urls.url_key``) is computed by the archive itself.
"""

from __future__ import annotations

from typing import Any

from archive.urls import clean_url
from newscrawl.items import ArticleItem
from newscrawl.text import clean_text, join_paragraphs

__all__ = ["NormalizePipeline", "normalize_item"]

_TEXT_FIELDS = ("title", "category", "author", "published_raw", "modified_raw")


def normalize_item(item: ArticleItem) -> ArticleItem:
    for name in _TEXT_FIELDS:
        value = getattr(item, name)
        setattr(item, name, clean_text(value) or None if value else None)
    if item.body:
        item.body = join_paragraphs(item.body.split("\n\n"))
    item.tags = list(dict.fromkeys(t for t in (clean_text(t) for t in item.tags) if t))
    item.related_links = [{"url": clean_url(link["url"]), "text": clean_text(link.get("text"))}
                          for link in item.related_links if link.get("url")]
    item.images = list(dict.fromkeys(clean_url(u) for u in item.images))
    item.url = clean_url(item.url)
    if item.amp_url:
        item.amp_url = clean_url(item.amp_url)
    return item


class NormalizePipeline:
    def process_item(self, item: Any) -> Any:
        return normalize_item(item) if isinstance(item, ArticleItem) else item
