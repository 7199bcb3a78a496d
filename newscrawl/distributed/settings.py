"""What distributed mode changes in the Scrapy settings (applied by :class:`.addon.DistributedAddon`).

scrapy-redis's duplicate filter and queue replace Scrapy's, under newscrawl's leasing scheduler;
items go to the Redis items stream instead of the SQLite archive; an extension stops the worker
when the shared frontier has stayed empty.  Everything else (politeness, robots.txt, validation,
normalization, the incremental rules) is the same as in a single-process crawl.
"""

from __future__ import annotations

from newscrawl.distributed.keys import Keys

__all__ = ["ARCHIVE_PIPELINE", "DEFAULTS", "DOWNLOADER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINE", "SETTINGS", "redis_settings"]

ARCHIVE_PIPELINE = "newscrawl.pipelines.store.ArchivePipeline"
ITEM_PIPELINE = "newscrawl.distributed.pipeline.RedisItemPipeline"
EXTENSIONS = {"newscrawl.distributed.idle.IdleClose": 500}
DOWNLOADER_MIDDLEWARES = {"newscrawl.distributed.robots.SharedRobotsTxt": 50}

_KEYS = Keys()

#: What distributed mode needs, whatever the project settings say (a command-line -s still wins).
SETTINGS = {
    "SCHEDULER": "newscrawl.distributed.scheduler.LeasingScheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
    "SCHEDULER_QUEUE_KEY": "%(spider)s:requests",
    "SCHEDULER_DUPEFILTER_KEY": "%(spider)s:dupefilter",
    # Never flush the shared frontier when one worker stops; a new round is started by `newscrawl seed`.
    "SCHEDULER_PERSIST": True,
    "SCHEDULER_FLUSH_ON_START": False,
    # Workers do not own the archive: no archive run lock, no Scrapy job directory (the frontier is
    # in Redis); the incremental rules read the crawl state from Redis (see .crawlstate).
    "NEWSCRAWL_RUN_GUARD": False,
    "NEWSCRAWL_JOBS_DIR": "off",
    "NEWSCRAWL_CRAWLSTATE": "newscrawl.distributed.crawlstate.open_redis_state",
}

#: Defaults of distributed mode's own settings (the project settings may change them).
DEFAULTS = {
    "NEWSCRAWL_IDLE_SECONDS": 60.0,
    "NEWSCRAWL_WORKER_LEASE": 60.0,
}

assert SETTINGS["SCHEDULER_QUEUE_KEY"] % {"spider": _KEYS.spider} == _KEYS.queue
assert SETTINGS["SCHEDULER_DUPEFILTER_KEY"] % {"spider": _KEYS.spider} == _KEYS.dupefilter


def redis_settings(url: str) -> dict[str, object]:
    """The connection settings scrapy-redis reads."""
    return {"REDIS_URL": url}
