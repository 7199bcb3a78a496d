"""Article responses that are not HTML (PDFs, images, videos…) are not parsed: :class:`NotHtml`.

The failure is recorded like any other (kind ``not_html``) by
:mod:`newscrawl.extensions.failures`.  A response without a ``Content-Type``, or with a textual or
XML one, goes to the parser, which decides.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

__all__ = ["ContentTypeMiddleware", "NotHtml", "is_html"]

_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
_TEXTUAL_APPLICATIONS = ("application/xhtml+xml", "application/xml", "application/octet-stream")


class NotHtml(IgnoreRequest):
    """An article URL answered with a document that is not a web page."""


def is_html(content_type: bytes | str | None) -> bool:
    """False only for media types that cannot be an article page."""
    if not content_type:
        return True
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    media = text.split(";", 1)[0].strip().lower()
    if media.startswith(_BINARY_PREFIXES):
        return False
    if media.startswith("application/"):
        return media in _TEXTUAL_APPLICATIONS or media.endswith("+xml")
    return True


class ContentTypeMiddleware:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentTypeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("kind") != "article" or response.status != 200:
            return response
        content_type = response.headers.get(b"Content-Type")
        if is_html(content_type):
            return response
        self.stats.inc_value("newscrawl/errors/not_html_response")
        media = content_type.decode("latin-1") if content_type else ""
        raise NotHtml(f"not a web page ({media}): {request.url}")
