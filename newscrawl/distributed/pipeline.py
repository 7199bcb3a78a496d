"""Send archived-to-be items to the Redis items stream instead of SQLite (distributed mode).

Takes the place of :class:`~newscrawl.pipelines.store.ArchivePipeline`, after validation and
normalization.  A worker's crawl is framed by a ``run-start`` and a ``run-end`` message, so the
writer records it in ``crawl_runs`` with its stats, as a single-process crawl would be.

The ``XADD`` is synchronous: when ``process_item`` returns, the item is in Redis, and only then does
Scrapy release the request it came from (which acknowledges the request's lease).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings

from newscrawl.distributed import messages
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import worker_id
from newscrawl.items import ArticleItem

try:
    from newscrawl.pipelines.store import items_archived
except ImportError:  # an archive pipeline without the incremental signal
    items_archived = None

__all__ = ["RedisItemPipeline"]


class RedisItemPipeline:
    def __init__(self, crawler: Crawler, server: Any, keys: Keys):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = server
        self.keys = keys
        self.run = worker_id()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        assert crawler.spidercls is not None
        pipeline = cls(crawler, get_redis_from_settings(crawler.settings), Keys(crawler.spidercls.name))
        # After the core stats extension has set finish_reason (pipelines close before that).
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        args = {"spider": spider.name, "worker": self.run, "redis": self.keys.items}
        self.server.xadd(self.keys.items, messages.encode_run_start(
            self.run, getattr(spider, "site_label", None), args))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        self.server.xadd(self.keys.items, messages.encode_item(item, self.run))
        self.stats.inc_value("newscrawl/redis/items")
        if items_archived is not None:
            # As the archive pipeline after a commit: the incremental middleware then records the
            # page's validators, which travel behind the item in the stream (the writer applies
            # them after committing the item).
            self.crawler.signals.send_catch_log(signal=items_archived,
                                                urls=[item.request_url or item.response_url], run_id=None)
        return item

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.server.xadd(self.keys.items, messages.encode_run_end(self.run, reason, self.stats.get_stats()))
