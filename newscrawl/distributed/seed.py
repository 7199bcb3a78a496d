"""``newscrawl seed SITE…``: push the sitemaps, feeds and start pages of configured sites into the
shared frontier, as the requests the ``news`` spider itself would start with.

The requests come from the spider's own ``start()`` and are written with scrapy-redis's queue and
duplicate filter, so a worker decodes them to the spider's callbacks (``parse_sitemap``,
``parse_feed``, ``parse_listing``) like any request another worker scheduled.

Rounds: the shared duplicate filter remembers every URL fetched since the round began, so a URL is
fetched once per round however many workers find it.  When the frontier is idle (nothing waiting,
nothing in flight on any live worker) the previous round is over, and seeding starts a new one: the
duplicate filter is cleared first.  While a round runs, seeding adds to it, and a start URL the round
has already fetched is skipped.  ``new_round=True`` forces a new round, ``False`` never starts one.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from newscrawl.distributed.crawlstate import RedisCrawlState
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import frontier_size, reclaim_dead

__all__ = ["SeedBusy", "SeedResult", "seed", "start_requests"]


class SeedBusy(RuntimeError):
    """Another ``newscrawl seed`` is running against the same crawl."""


@dataclass
class SeedResult:
    pushed: list[str] = field(default_factory=list)     #: URLs added to the frontier
    skipped: list[str] = field(default_factory=list)    #: already seen in this round
    new_round: bool = False                             #: the duplicate filter was cleared first
    reclaimed: int = 0                                  #: in-flight requests of dead workers put back


def _project_settings() -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    return get_project_settings()


def start_requests(sites: list[str], settings: Settings | None = None, *,
                   crawlstate: Any = None) -> tuple[Any, list[Request]]:
    """The ``news`` spider for *sites* and the requests its ``start()`` yields (with *crawlstate*,
    the incremental state the spider reads: the crawl's in Redis; retries of failed pages are start
    requests too)."""
    from newscrawl.spiders.news import NewsSpider

    settings = (settings or _project_settings()).copy()
    if crawlstate is not None:
        settings.set("NEWSCRAWL_CRAWLSTATE", lambda _settings: crawlstate, priority="cmdline")
    crawler = Crawler(NewsSpider, settings)
    crawler.stats = load_object(settings["STATS_CLASS"])(crawler)
    spider = NewsSpider.from_crawler(crawler, site=",".join(sites))

    async def collect() -> list[Request]:
        return [r async for r in spider.start() if isinstance(r, Request)]

    return spider, asyncio.run(collect())


def seed(server: Any, sites: list[str], *, new_round: bool | None = None, settings: Settings | None = None,
         keys: Keys | None = None) -> SeedResult:
    """Push the start requests of *sites* into the frontier of the crawl on *server*.

    :param server: ``redis.Redis`` client (bytes responses).
    :param sites: names of configured sites.
    :param new_round: ``None``: start a new round when the frontier is idle; ``True``: always;
        ``False``: never (add to the current round).
    :raises SeedBusy: another seed is running.
    """
    keys = keys or Keys()
    settings = settings or _project_settings()
    serializer = settings.get("SCHEDULER_SERIALIZER") or picklecompat
    if isinstance(serializer, str):
        serializer = importlib.import_module(serializer)
    spider, requests = start_requests(sites, settings, crawlstate=RedisCrawlState(server, keys))
    if not server.set(keys.seeding, os.getpid(), nx=True, ex=60):
        raise SeedBusy("another `newscrawl seed` is running; try again in a minute")
    try:
        result = SeedResult(reclaimed=reclaim_dead(server, keys))
        queued, inflight = frontier_size(server, keys)
        result.new_round = (queued == 0 and inflight == 0) if new_round is None else new_round
        if result.new_round:
            server.delete(keys.dupefilter, keys.robots)
            server.incr(keys.round)
        dupefilter = RFPDupeFilter(server, keys.dupefilter)
        queues: dict[str, PriorityQueue] = {}
        for request in requests:
            if not request.dont_filter and dupefilter.request_seen(request):
                result.skipped.append(request.url)
                continue
            key = keys.site_queue(request.meta.get("site"))
            if key not in queues:
                queues[key] = PriorityQueue(server, spider, key, serializer=serializer)
                server.sadd(keys.queues, key)
            queues[key].push(request)
            result.pushed.append(request.url)
    finally:
        server.delete(keys.seeding)
    return result
