"""Store items in the archive: deduplicated, aliased, versioned (see :mod:`archive.store`).

Writes are batched: ``NEWSCRAWL_BATCH_SIZE`` items (default 50) or ``NEWSCRAWL_BATCH_SECONDS``
(default 2 s) per transaction, and whatever is buffered is written when the spider closes.  Each
crawl is recorded in ``crawl_runs`` with its counts and finish reason.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy.crawler import Crawler

from archive import Archive, ArticleRecord, Fetch
from newscrawl.items import ArticleItem

__all__ = ["ArchivePipeline", "to_record"]


def to_record(item: ArticleItem) -> tuple[ArticleRecord, Fetch]:
    aliases = [item.amp_url] if item.amp_url else []
    record = ArticleRecord(
        url=item.url, site=item.site, title=item.title, body=item.body, category=item.category,
        author=item.author, tags=list(item.tags), images=list(item.images),
        related_links=list(item.related_links), published=item.published,
        published_raw=item.published_raw, modified=item.modified, modified_raw=item.modified_raw,
        language=item.language, aliases=aliases, is_amp=item.is_amp,
        extractor_version=item.extractor_version)
    fetch = Fetch(url=item.request_url or item.response_url, fetched_at=item.fetched_at,
                  status=item.status, final_url=item.response_url, encoding=item.encoding,
                  html=item.html, redirect_urls=list(item.redirect_urls))
    return record, fetch


class ArchivePipeline:
    def __init__(self, crawler: Crawler, db_path: str, batch_size: int = 50, batch_seconds: float = 2.0):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.buffer: list[tuple[ArticleRecord, Fetch]] = []
        self.last_flush = time.monotonic()
        self.archive: Archive | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        from archive import default_db_path
        settings = crawler.settings
        return cls(crawler, settings.get("NEWSCRAWL_DB") or default_db_path(),
                   settings.getint("NEWSCRAWL_BATCH_SIZE", 50),
                   settings.getfloat("NEWSCRAWL_BATCH_SECONDS", 2.0))

    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)
        spider = self.crawler.spider
        self.run_id = self.archive.start_run(getattr(spider, "site_label", None),
                                             {"spider": spider.name, "db": self.db_path})
        spider.run_id = self.run_id  # type: ignore[attr-defined]

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        self.buffer.append(to_record(item))
        if len(self.buffer) >= self.batch_size or time.monotonic() - self.last_flush >= self.batch_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer or self.archive is None:
            return
        batch, self.buffer = self.buffer, []
        for result in self.archive.upsert_many(batch, run_id=self.run_id):
            self.stats.inc_value(f"newscrawl/archive/{result.outcome}")
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        if self.archive is None:
            return
        self.flush()
        stats = self.stats.get_stats()
        reason = stats.get("finish_reason") or "finished"
        counts = {
            "pages_fetched": int(stats.get("response_received_count", 0)),
            "new": int(stats.get("newscrawl/archive/new", 0)),
            "updated": int(stats.get("newscrawl/archive/updated", 0)),
            "unchanged": int(stats.get("newscrawl/archive/unchanged", 0)),
            "merged": int(stats.get("newscrawl/archive/merged", 0)),
            "dropped": sum(int(v) for k, v in stats.items() if k.startswith("newscrawl/dropped/")),
            "errors": int(stats.get("log_count/ERROR", 0)) + sum(
                int(v) for k, v in stats.items() if k.startswith("downloader/exception_type_count/")),
        }
        self.archive.finish_run(self.run_id, reason, counts, stats)
        self.archive.close()
