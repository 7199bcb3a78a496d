"""Incremental crawling: skip what the archive already holds, revalidate what may have changed.

For every article request (``meta["kind"] == "article"``) the archive is asked, with two indexed
lookups and nothing held in memory, what it knows about the URL key (:func:`decide`):

- archived, and first recorded before the site's last successful run finished ("settled"): skipped
  (:class:`AlreadyArchived`), unless the article is younger than the revisit window
  (``NEWSCRAWL_REVISIT_HOURS``, default 48, per site ``[politeness] revisit_hours``; age from its
  publication date, else from when it was first archived) or its sitemap ``lastmod`` moved since
  the last successful run; those are fetched with ``If-None-Match``/``If-Modified-Since`` when the
  URL's validators are known, and a ``304`` ends there: no parse, no archive write
  (:class:`NotModified`);
- archived by a run that did not finish (killed): fetched again without validators, so its links
  are followed as the interrupted run would have;
- a page that was not an article, or gone, when last fetched by a finished run: skipped until
  ``NEWSCRAWL_RECHECK_HOURS`` have passed;
- anything else: fetched.

Validators are stored only once the page's item is committed to the archive (the pipeline's
:data:`~newscrawl.pipelines.store.items_archived` signal), so a conditional request can never hide
a version that was lost with a killed process.  Discovery pages (sitemaps, feeds, listings) are
always fetched without validators.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urldefrag

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archive.crawlstate import ArchivedUrl, CrawlState, UrlState, parse_timestamp
from archive.urls import url_key
from newscrawl.extensions.runguard import crawlstate_for
from newscrawl.pipelines.store import items_archived

__all__ = ["AlreadyArchived", "Decision", "IncrementalMiddleware", "NotModified", "decide"]

logger = logging.getLogger(__name__)


class AlreadyArchived(IgnoreRequest):
    """The archive already holds this URL and it is not due for a revisit."""


class NotModified(IgnoreRequest):
    """The server answered 304: the archived version is current."""


@dataclass(frozen=True, slots=True)
class Decision:
    fetch: bool
    reason: str                       #: new, unsettled, revisit, changed, archived, failed:<kind>
    etag: str | None = None
    last_modified: str | None = None


def decide(url: str, *, archived: ArchivedUrl | None, state: UrlState | None, settled_before: str | None,
           now: datetime, revisit: timedelta, recheck: timedelta, changed: bool = False) -> Decision:
    """Whether to fetch article *url*, and with which validators (a plain function of the state)."""
    if archived is not None:
        if settled_before is None or archived.first_seen > settled_before:
            return Decision(True, "unsettled")
        reference = parse_timestamp(archived.published) or parse_timestamp(archived.article_first_seen)
        if reference is not None and now - reference < revisit:
            reason = "revisit"
        elif changed:
            reason = "changed"
        else:
            return Decision(False, "archived")
        if state is not None and state.url == url and (state.etag or state.last_modified):
            return Decision(True, reason, state.etag, state.last_modified)
        return Decision(True, reason)
    if state is not None and state.permanent_failure and state.last_fetched and settled_before \
            and state.last_fetched <= settled_before:
        last = parse_timestamp(state.last_fetched)
        if last is not None and now - last < recheck:
            return Decision(False, f"failed:{state.error_kind}")
    return Decision(True, "new")


class IncrementalMiddleware:
    """Downloader middleware; place it before ``RobotsTxtMiddleware`` so skips cost no robots check."""

    def __init__(self, crawler: Crawler, *, revisit_hours: float, recheck_hours: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.revisit_hours = revisit_hours
        self.recheck = timedelta(hours=recheck_hours)
        self.state: CrawlState | None = None
        self.settled: dict[str, str | None] = {}
        self.revisit: dict[str, timedelta] = {}
        #: validators of fetched articles, stored once their item is archived (bounded: in flight only)
        self.pending: OrderedDict[str, tuple[str | None, str | None, str | None, int]] = OrderedDict()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.items_archived, signal=items_archived)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_INCREMENTAL", True):
            raise NotConfigured
        return cls(crawler, revisit_hours=settings.getfloat("NEWSCRAWL_REVISIT_HOURS", 48.0),
                   recheck_hours=settings.getfloat("NEWSCRAWL_RECHECK_HOURS", 24.0))

    def spider_opened(self, spider: Any) -> None:
        self.state = crawlstate_for(self.crawler.settings)
        forced = (self.crawler.settings.getpriority("NEWSCRAWL_REVISIT_HOURS") or 0) >= 40
        for site in getattr(spider, "sites", []):
            self.settled[site.name] = self.state.settled_before(site.name)
            hours = self.revisit_hours if forced or site.revisit_hours is None else float(site.revisit_hours)
            self.revisit[site.name] = timedelta(hours=hours)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.state is not None:
            self.state.close()
            self.state = None

    def _site(self, request: Request) -> str | None:
        return request.meta.get("site")

    # -- requests -------------------------------------------------------------------------------
    def process_request(self, request: Request) -> None:
        meta = request.meta
        if self.state is None or meta.get("kind") != "article" or meta.get("on_demand") \
                or meta.get("newscrawl_decided") or meta.get("dont_incremental"):
            return
        site = self._site(request)
        url = urldefrag(request.url)[0]
        key = url_key(url)
        decision = decide(
            url, archived=self.state.archived(key), state=self.state.state(url),
            settled_before=self.settled.get(site or ""), now=datetime.now(UTC),
            revisit=self.revisit.get(site or "", timedelta(hours=self.revisit_hours)),
            recheck=self.recheck, changed=bool(meta.get("changed")))
        meta["newscrawl_decided"] = decision.reason       # retries and redirects are not re-decided
        self.stats.inc_value(f"newscrawl/incremental/{decision.reason.split(':')[0]}")
        if not decision.fetch:
            self.stats.inc_value(f"newscrawl/site/{site}/skipped")
            raise AlreadyArchived(f"{decision.reason}: {request.url}")
        if decision.etag:
            request.headers[b"If-None-Match"] = decision.etag
        if decision.last_modified:
            request.headers[b"If-Modified-Since"] = decision.last_modified
        if decision.etag or decision.last_modified:
            meta["newscrawl_conditional"] = True
        return

    # -- responses ------------------------------------------------------------------------------
    def process_response(self, request: Request, response: Response) -> Response:
        meta = request.meta
        if self.state is None or meta.get("kind") != "article":
            return response
        site = self._site(request)
        if response.status == 304 and meta.get("newscrawl_conditional"):
            self.stats.inc_value("newscrawl/incremental/not_modified")
            self.stats.inc_value(f"newscrawl/site/{site}/not_modified")
            self.state.record_not_modified(urldefrag(request.url)[0], site=site)
            raise NotModified(f"not modified: {request.url}")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            original = urldefrag((meta.get("redirect_urls") or [request.url])[0])[0]
            self.pending[original] = (site, etag.decode("latin-1") if etag else None,
                                      modified.decode("latin-1") if modified else None, 200)
            self.pending.move_to_end(original)
            while len(self.pending) > 10_000:
                self.pending.popitem(last=False)
        return response

    # -- after the archive committed ---------------------------------------------------------------
    def items_archived(self, urls: list[str], run_id: int | None = None) -> None:
        if self.state is None:
            return
        for url in urls:
            pending = self.pending.pop(url, None)
            if pending is None:
                continue
            site, etag, modified, status = pending
            self.state.record_ok(url, site=site, kind="article", etag=etag, last_modified=modified,
                                 status=status, run_id=run_id)

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        url = getattr(item, "request_url", None)
        if url:
            self.pending.pop(url, None)
