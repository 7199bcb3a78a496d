"""Record every failed URL with its kind, reason and attempt count; never stop the crawl for it.

Failures reach this extension three ways: the spider's errback sends
:data:`~newscrawl.spiders.news.request_failed` for everything Scrapy gives up on (HTTP errors after
``HttpErrorMiddleware``, timeouts and DNS errors after the retries, redirect chains over
``REDIRECT_MAX_TIMES``, downloads over ``DOWNLOAD_MAXSIZE``, responses that are not web pages);
``request_dropped`` shows a redirect back to a visited address (a loop, which the scheduler drops);
and ``item_dropped`` says which fetched pages were not articles (``not_article``, ``empty_body``).  Each is classified by :func:`classify`, counted in the stats
(``newscrawl/errors/<kind>`` and per site) and written to the archive's ``crawl_state``, where a
transient kind is retried at the next run's start and a permanent one is not fetched again before a
re-check period (see :mod:`newscrawl.middlewares.incremental`).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import response_status_message
from twisted.internet import error as twisted_errors
from twisted.internet.defer import TimeoutError as DeferTimeoutError

from archive.crawlstate import CrawlState
from newscrawl.extensions.runguard import crawlstate_for
from newscrawl.middlewares.contenttype import NotHtml
from newscrawl.middlewares.incremental import AlreadyArchived, NotModified
from newscrawl.spiders.news import request_failed

__all__ = ["FailureRecorder", "classify", "status_kind"]

logger = logging.getLogger(__name__)

_TIMEOUTS = (DownloadTimeoutError, DeferTimeoutError, twisted_errors.TimeoutError, TimeoutError)
_DNS = (CannotResolveHostError, twisted_errors.DNSLookupError)
_CONNECTION = (DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError,
               twisted_errors.ConnectError, twisted_errors.ConnectionLost, twisted_errors.ConnectionDone,
               ConnectionError)


def status_kind(status: int) -> str:
    if status == 404:
        return "not_found"
    if status == 410:
        return "gone"
    if status in (401, 403, 451):
        return "forbidden"
    if status == 429:
        return "rate_limited"
    if 400 <= status < 500:
        return "client_error"
    if status >= 500:
        return "server_error"
    return "other"


def classify(exc: BaseException) -> tuple[str, str] | None:
    """``(kind, reason)`` of a failed request; ``None`` for what is not a failure (a skip, a 304,
    robots.txt or offsite filtering)."""
    if isinstance(exc, (AlreadyArchived, NotModified)):
        return None
    if isinstance(exc, HttpError):
        response = exc.response
        reason = f"HTTP {response_status_message(response.status)}"
        retry_after = response.request.meta.get("retry_after") if response.request is not None else None
        if retry_after is not None:
            reason += f" (Retry-After: {retry_after:.0f} s)"
        return status_kind(response.status), reason
    message = str(exc) or type(exc).__name__
    if isinstance(exc, NotHtml):
        return "not_html", message
    if isinstance(exc, IgnoreRequest):
        lowered = message.lower()
        if "robots.txt" in lowered or "offsite" in lowered:
            return None
        if "redirection" in lowered:
            return "redirect_loop", message
        if "size" in lowered:
            return "too_large", message
        return "other", message
    if isinstance(exc, _TIMEOUTS):
        return "timeout", message
    if isinstance(exc, _DNS):
        return "dns", message
    if isinstance(exc, DownloadCancelledError):
        return ("too_large" if "size" in message.lower() else "other"), message
    if isinstance(exc, _CONNECTION):
        return "connection", f"{type(exc).__name__}: {message}"
    return "other", f"{type(exc).__name__}: {message}"


class FailureRecorder:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.state: CrawlState | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.request_failed, signal=request_failed)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureRecorder:
        if not crawler.settings.getbool("NEWSCRAWL_RECORD_FAILURES", True):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        self.state = crawlstate_for(self.crawler.settings)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.state is not None:
            self.state.close()
            self.state = None

    def _run_id(self) -> int | None:
        return getattr(self.crawler.spider, "run_id", None)

    def request_failed(self, failure: Any, request: Request | None, spider: Any = None) -> None:
        if request is None:
            return
        exc = failure.value
        if isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc).lower():
            self.stats.inc_value("newscrawl/skipped/robots")
        found = classify(exc)
        if found is None:
            return
        kind, reason = found
        attempts = int(request.meta.get("retry_times", 0)) + 1
        status = exc.response.status if isinstance(exc, HttpError) else None
        self._record(request, kind, reason, attempts, status)

    def _record(self, request: Request, kind: str, reason: str, attempts: int, status: int | None) -> None:
        site = request.meta.get("site")
        self.stats.inc_value(f"newscrawl/errors/{kind}")
        if site:
            self.stats.inc_value(f"newscrawl/site/{site}/errors/{kind}")
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        logger.warning("%s: %s after %d attempt%s: %s (%s)", site or "-", kind, attempts,
                       "" if attempts == 1 else "s", url, reason)
        if self.state is not None:
            self.state.record_failure(url, site=site, kind=request.meta.get("kind"), error_kind=kind,
                                      reason=reason, attempts=attempts, status=status, run_id=self._run_id())

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        """A redirect back to an address already visited is dropped by the scheduler: a loop."""
        if request.url in (request.meta.get("redirect_urls") or []):
            chain = " -> ".join([*request.meta["redirect_urls"], request.url])
            self._record(request, "redirect_loop", f"redirect loop: {chain}",
                         int(request.meta.get("redirect_times", 1)), None)

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        from newscrawl.items import ArticleItem
        from newscrawl.pipelines.validate import rejection_reason

        if not isinstance(item, ArticleItem) or self.state is None or not item.request_url:
            return
        reason = rejection_reason(item) or "other"
        self.state.record_failure(item.request_url, site=item.site, kind="article", error_kind=reason,
                                  reason=f"not archived: {reason}", attempts=1, status=item.status,
                                  run_id=self._run_id())
