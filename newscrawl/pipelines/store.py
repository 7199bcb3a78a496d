"""Store items in the archive: deduplicated, aliased, versioned (see :mod:`archive.store`).

Writes are batched: ``NEWSCRAWL_BATCH_SIZE`` items (default 50) or ``NEWSCRAWL_BATCH_SECONDS``
(default 2 s) per transaction, and whatever is buffered is written when the spider closes.  A batch
lost with a killed process is harmless: its pages are not archived, so the next run fetches them
again.  After each commit the :data:`items_archived` signal names the request URLs now archived
(the incremental middleware stores their HTTP validators only then).

Each crawl is recorded in ``crawl_runs`` with its counts and finish reason, and each site of it in
``crawl_run_sites`` (:mod:`archive.runs`): pages fetched, new / updated / unchanged articles,
errors by kind, duration, finish reason, and a flag when the site's extraction degrades against
its own history.  With ``NEWSCRAWL_RUN_ID`` set (``newscrawl crawl``/``crawl-all``, one run for
several crawlers) the pipeline records its sites under that run and leaves the run row to the caller.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any
from urllib.parse import urldefrag

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from archive import Archive, ArticleRecord, Fetch
from archive.runs import (
    PROCESS_TOKEN,
    SiteCounts,
    finish_site_run,
    lock_held,
    mark_interrupted,
    start_site_run,
    wait_past_last_run,
)
from newscrawl.items import ArticleItem

__all__ = ["ArchivePipeline", "items_archived", "site_counts", "to_record"]

#: Signal sent after each commit: ``urls`` (request URLs whose items are now archived), ``run_id``.
items_archived = object()

_NO_ARTICLE = ("empty_body", "not_article")


def to_record(item: ArticleItem) -> tuple[ArticleRecord, Fetch]:
    aliases = [item.amp_url] if item.amp_url else []
    record = ArticleRecord(
        url=item.url, site=item.site, title=item.title, body=item.body, category=item.category,
        author=item.author, tags=list(item.tags), images=list(item.images),
        related_links=list(item.related_links), published=item.published,
        published_raw=item.published_raw, modified=item.modified, modified_raw=item.modified_raw,
        language=item.language, aliases=aliases, is_amp=item.is_amp,
        extractor_version=item.extractor_version)
    fetch = Fetch(url=_defrag(item.request_url or item.response_url), fetched_at=item.fetched_at,
                  status=item.status, final_url=_defrag(item.response_url), encoding=item.encoding,
                  html=item.html, redirect_urls=[_defrag(u) for u in item.redirect_urls])
    return record, fetch


def _defrag(url: str) -> str:
    """*url* without its ``#fragment`` (never sent to the server, not part of a page's address)."""
    return urldefrag(url)[0] if url and "#" in url else url


def site_counts(stats: dict[str, Any], site: str, tally: Counter[str]) -> SiteCounts:
    """A site's counts from the crawl stats (``newscrawl/site/<site>/…``) and the pipeline's tally."""
    prefix = f"newscrawl/site/{site}/"
    get = lambda name: int(stats.get(prefix + name, 0))
    errors = {k[len(prefix) + 7:]: int(v) for k, v in stats.items() if k.startswith(prefix + "errors/")}
    no_article = sum(tally[f"dropped/{r}"] for r in _NO_ARTICLE)
    return SiteCounts(
        requests=get("requests"), pages_fetched=get("pages"), not_modified=get("not_modified"),
        skipped=get("skipped"), new=tally["new"], updated=tally["updated"], unchanged=tally["unchanged"],
        merged=tally["merged"], dropped=sum(v for k, v in tally.items() if k.startswith("dropped/")),
        errors=sum(errors.values()), candidates=tally["new"] + no_article,
        incomplete=tally["new_undated"] + no_article, errors_by_kind=errors)


class ArchivePipeline:
    def __init__(self, crawler: Crawler, db_path: str, batch_size: int = 50, batch_seconds: float = 2.0,
                 *, run_id: int | None = None, degraded_threshold: float = 0.30, degraded_min: int = 5):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.shared_run_id = run_id
        self.degraded_threshold = degraded_threshold
        self.degraded_min = degraded_min
        self.buffer: list[tuple[ArticleRecord, Fetch]] = []
        self.last_flush = time.monotonic()
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.tally: dict[str, Counter[str]] = {}
        crawler.signals.connect(self._response_received, signal=signals.response_received)
        crawler.signals.connect(self._request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        from archive import default_db_path
        settings = crawler.settings
        run_id = settings.get("NEWSCRAWL_RUN_ID")
        return cls(crawler, settings.get("NEWSCRAWL_DB") or default_db_path(),
                   settings.getint("NEWSCRAWL_BATCH_SIZE", 50),
                   settings.getfloat("NEWSCRAWL_BATCH_SECONDS", 2.0),
                   run_id=int(run_id) if run_id not in (None, "") else None,
                   degraded_threshold=settings.getfloat("NEWSCRAWL_DEGRADED_THRESHOLD", 0.30),
                   degraded_min=settings.getint("NEWSCRAWL_DEGRADED_MIN_ARTICLES", 5))

    # -- per-site tallies -------------------------------------------------------------------------
    def _site_of(self, request: Request | None, url: str) -> str | None:
        site = request.meta.get("site") if request is not None else None
        if site:
            return str(site)
        spider = self.crawler.spider
        config = spider.site_for(url) if spider is not None and hasattr(spider, "site_for") else None
        return config.name if config is not None else None

    def _count(self, site: str | None, name: str, value: int = 1) -> None:
        if site:
            self.tally.setdefault(site, Counter())[name] += value

    def _request_reached(self, request: Request, spider: Any = None) -> None:
        site = self._site_of(request, request.url)
        if site:
            self.stats.inc_value(f"newscrawl/site/{site}/requests")

    def _response_received(self, response: Response, request: Request, spider: Any = None) -> None:
        site = self._site_of(request, response.url)
        if site:
            self.stats.inc_value(f"newscrawl/site/{site}/pages")
            if response.status < 400:
                self.stats.inc_value(f"newscrawl/site/{site}/pages_ok")

    def _item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        if isinstance(item, ArticleItem):
            from newscrawl.pipelines.validate import rejection_reason
            self._count(item.site, f"dropped/{rejection_reason(item) or 'other'}")

    # -- items ------------------------------------------------------------------------------------
    def open_spider(self) -> None:
        self.archive = Archive(self.db_path)
        if lock_held(self.db_path):
            mark_interrupted(self.archive.db)
        spider: Any = self.crawler.spider
        if self.shared_run_id is not None:
            self.run_id = self.shared_run_id
        else:
            self.run_id = self.archive.start_run(getattr(spider, "site_label", None),
                                                 {"spider": spider.name, "db": self.db_path,
                                                  "owner": PROCESS_TOKEN})
        sites = [s.name for s in getattr(spider, "sites", [])] if not getattr(spider, "on_demand_url", None) else []
        wait_past_last_run(self.archive.db, sites)
        for site in sites:
            start_site_run(self.archive.db, self.run_id, site)
        spider.run_id = self.run_id

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
        results = self.archive.upsert_many(batch, run_id=self.run_id)
        for (record, _), result in zip(batch, results, strict=True):
            self.stats.inc_value(f"newscrawl/archive/{result.outcome}")
            self._count(record.site, result.outcome)
            if result.outcome == "new" and not record.published:
                self._count(record.site, "new_undated")
            if record.site:
                self.stats.inc_value(f"newscrawl/site/{record.site}/{result.outcome}")
        self.last_flush = time.monotonic()
        self.crawler.signals.send_catch_log(signal=items_archived, urls=[f.url for _, f in batch],
                                            run_id=self.run_id)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        """Record the run once the spider is closed: only then is its finish reason known."""
        if self.archive is None or self.run_id is None:
            return
        self.flush()
        stats = self.stats.get_stats()
        for site in getattr(spider, "sites", []) if not getattr(spider, "on_demand_url", None) else []:
            counts = site_counts(stats, site.name, self.tally.get(site.name, Counter()))
            site_reason = reason
            if reason == "finished" and not stats.get(f"newscrawl/site/{site.name}/pages_ok") and counts.errors:
                site_reason = "failed"      # nothing could be fetched: not a successful run
            row = finish_site_run(self.archive.db, self.run_id, site.name, reason=site_reason, counts=counts,
                                  threshold=self.degraded_threshold, min_articles=self.degraded_min)
            if row["degraded"]:
                self.stats.set_value(f"newscrawl/site/{site.name}/degraded", row["degraded_reason"])
        if self.shared_run_id is None:
            totals = {
                "pages_fetched": int(stats.get("response_received_count", 0)),
                "new": int(stats.get("newscrawl/archive/new", 0)),
                "updated": int(stats.get("newscrawl/archive/updated", 0)),
                "unchanged": int(stats.get("newscrawl/archive/unchanged", 0)),
                "merged": int(stats.get("newscrawl/archive/merged", 0)),
                "dropped": sum(int(v) for k, v in stats.items() if k.startswith("newscrawl/dropped/")),
                # failures by kind (skips and 304s are not errors) and spider exceptions
                "errors": int(stats.get("spider_exceptions/count", 0)) + sum(
                    int(v) for k, v in stats.items() if k.startswith("newscrawl/errors/")),
            }
            self.archive.finish_run(self.run_id, reason, totals, dict(stats, finish_reason=reason))
        self.archive.close()
        self.archive = None
