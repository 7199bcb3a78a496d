"""Stop a worker when the shared frontier has been empty for ``NEWSCRAWL_IDLE_SECONDS``.

A worker's own engine runs dry long before the crawl is over: the other workers still have requests
in flight whose pages will add links to the frontier.  So "empty" means no request of the worker's
sites waiting in Redis *and* none in flight on any live worker; the in-flight requests of dead
workers are put back into the frontier first.  Scrapy sends ``spider_idle`` about every 5 s while the
engine is idle; ``DontCloseSpider`` keeps the worker waiting until the frontier has stayed empty long
enough.  A negative ``NEWSCRAWL_IDLE_SECONDS`` keeps the worker waiting for work forever.
"""

from __future__ import annotations

import logging
import math
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider

from newscrawl.distributed.lease import frontier_size, reclaim_dead

__all__ = ["IdleClose"]

logger = logging.getLogger(__name__)


class IdleClose:
    """Extension of distributed mode (needs :class:`~newscrawl.distributed.scheduler.LeasingScheduler`)."""

    def __init__(self, crawler: Crawler, idle_seconds: float):
        self.crawler = crawler
        self.idle_seconds = idle_seconds
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdleClose:
        idle = crawler.settings.getfloat("NEWSCRAWL_IDLE_SECONDS", 60.0)
        return cls(crawler, math.inf if idle < 0 else idle)

    def spider_idle(self) -> None:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        leases = getattr(scheduler, "leases", None)
        if leases is None:
            return
        leases.ack_all()                      # our engine is idle: none of our requests is in flight
        reclaim_dead(leases.server, leases.keys, exclude=leases.worker)
        queued, inflight = frontier_size(leases.server, leases.keys, scheduler.queue_keys)
        now = time.monotonic()
        if queued or inflight:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
            logger.info("shared frontier empty: closing in %.0f s unless new requests arrive",
                        self.idle_seconds)
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider
        if not self.crawler.stats.get_value("response_received_count"):
            logger.warning("nothing to crawl: the frontier of this worker's sites is empty "
                           "(start a round with `newscrawl seed SITE…`)")
