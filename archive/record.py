"""The record the archive stores: what a parser extracted plus where and when it was fetched."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ArticleRecord", "Fetch"]


@dataclass(slots=True)
class Fetch:
    """Provenance of one fetch of a page."""

    url: str                      #: the URL requested (percent-encoded)
    fetched_at: str               #: UTC ISO 8601
    status: int | None = 200
    final_url: str | None = None  #: after redirects
    encoding: str | None = None
    html: bytes | None = None     #: raw body as received (stored compressed)
    redirect_urls: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ArticleRecord:
    """One extracted article, ready to archive.  Lists are plain Python lists."""

    url: str                                   #: the page's canonical URL (or its own URL)
    site: str | None = None
    title: str | None = None
    body: str | None = None
    category: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    related_links: list[dict[str, str]] = field(default_factory=list)
    published: str | None = None               #: UTC ISO 8601
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    language: str | None = None
    aliases: list[str] = field(default_factory=list)  #: other URLs known to show this article
    is_amp: bool = False
    extractor_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
