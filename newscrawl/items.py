"""The item the spider yields: the extracted article plus the provenance of its fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ArticleItem"]


@dataclass(slots=True)
class ArticleItem:
    url: str                                      #: canonical URL as the page declares it
    site: str | None = None
    title: str | None = None
    body: str | None = None
    category: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    related_links: list[dict[str, str]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    is_amp: bool = False
    amp_url: str | None = None
    encoding: str | None = None
    extractor_version: str | None = None
    rejection: str | None = None                  #: why it is not an article (the validator drops it)
    errors: list[str] = field(default_factory=list)
    # provenance
    request_url: str = ""
    response_url: str = ""
    redirect_urls: list[str] = field(default_factory=list)
    status: int = 200
    fetched_at: str = ""
    content_type: str | None = None
    html: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_page(cls, data: dict[str, Any], **provenance: Any) -> ArticleItem:
        names = cls.__dataclass_fields__
        values = {k: v for k, v in data.items() if k in names}
        values["url"] = data.get("canonical_url") or provenance.get("response_url", "")
        values.update(provenance)
        return cls(**values)
