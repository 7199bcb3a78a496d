"""Retries with backoff that honour ``Retry-After`` (Scrapy's ``RetryMiddleware`` retries at once).

A retried request waits before it goes back to the scheduler: the seconds a ``429``/``503`` names
in ``Retry-After`` (delta-seconds or an HTTP date), otherwise an exponential backoff
(``NEWSCRAWL_RETRY_BACKOFF`` × 2^(attempt-1), at most ``NEWSCRAWL_RETRY_BACKOFF_MAX``).  While it
waits, the site's download slot is slowed to the same pace, so the other requests of a site that
asked for a pause make one too.  A ``Retry-After`` longer than ``NEWSCRAWL_RETRY_AFTER_MAX`` is not
waited for within the run: the response is given up (and recorded), and the next run tries again.

The count of attempts and the limits are Scrapy's (``RETRY_TIMES``, ``meta["max_retry_times"]``,
``meta["dont_retry"]``); the logic is in :func:`retry_delay`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import call_later, sleep
from scrapy.utils.response import response_status_message

__all__ = ["BackoffRetryMiddleware", "retry_after_seconds", "retry_delay"]

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, *, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (``None`` if absent or unreadable)."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry_delay(attempt: int, *, retry_after: float | None, base: float, cap: float) -> float:
    """Seconds to wait before retry number *attempt* (1-based)."""
    if retry_after is not None:
        return retry_after
    return min(cap, base * 2 ** max(attempt - 1, 0))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF", 2.0)
        self.backoff_max = settings.getfloat("NEWSCRAWL_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 300.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = None
        if response.status in (429, 503):
            retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
            if retry_after is not None and retry_after > self.retry_after_max:
                self.crawler.stats.inc_value("newscrawl/retry/retry_after_too_long")
                logger.warning("%s asks to retry after %.0f s (more than NEWSCRAWL_RETRY_AFTER_MAX=%.0f): "
                               "left for the next run", request.url, retry_after, self.retry_after_max)
                request.meta["retry_after"] = retry_after
                return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(request, retry, retry_after)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._wait(request, retry, None)
        return retry

    async def _wait(self, request: Request, retry: Request, retry_after: float | None) -> None:
        delay = retry_delay(retry.meta.get("retry_times", 1), retry_after=retry_after, base=self.backoff,
                            cap=self.backoff_max)
        if delay <= 0:
            return
        retry.meta["retry_delay"] = delay
        self.crawler.stats.inc_value("newscrawl/retry/waited_ms", round(delay * 1000))
        self._slow_slot(request, delay)
        await sleep(delay)

    def _slow_slot(self, request: Request, delay: float) -> None:
        """Space the slot's next requests by *delay* for *delay* seconds, then restore its pace."""
        engine = getattr(self.crawler, "engine", None)
        slot = engine.downloader.slots.get(request.meta.get("download_slot", "")) if engine else None
        if slot is None:
            return
        previous = slot.delay
        if delay <= previous:
            return
        slot.delay = delay
        slot.lastseen = monotonic()

        def restore() -> None:
            if slot.delay == delay:
                slot.delay = previous

        call_later(delay, restore)
