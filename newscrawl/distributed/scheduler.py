"""scrapy-redis's scheduler, with a frontier per site and each request leased to the worker that took it.

What stays scrapy-redis's: the duplicate filter (``RFPDupeFilter`` on ``news:dupefilter``, one for all
workers), the priority queues (sorted sets) and their request serialization, ``SCHEDULER_PERSIST``.
What differs:

- one queue per site (``news:requests:<site>``, from ``meta["site"]``): a worker takes only the
  requests of the sites it was started with (``-a site=…``), so workers may split the sites between
  them without one dropping another's requests as off-site;
- the pop is an atomic pop-and-lease (:mod:`.lease`) instead of pop-and-forget, so the requests of
  a killed worker go back to the frontier;
- an idle worker looks at the frontier twice a second (Scrapy's engine would only every 5 s), so a
  second worker joins in as soon as the first one's pages add links;
- a page has dozens of links that were seen long ago: the fingerprints this worker has already
  found in the shared duplicate filter are remembered for the current round, so that only new ones
  cost a round trip to Redis.

``SCHEDULER_PERSIST`` must be on (distributed mode sets it): with it off, the first worker to finish
would delete the frontier and the duplicate filter of all the others.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import Leases, queue_keys, reclaim_dead, worker_id

__all__ = ["LeasingScheduler"]

logger = logging.getLogger(__name__)

# KEYS: duplicate filter, queue; ARGV: fingerprint, score, data.  1 if queued, 0 if seen before.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

POLL_SECONDS = 0.5
SEEN_CACHE = 1_000_000       #: fingerprints remembered per worker (then forgotten, and asked again)


class LeasingScheduler(RedisScheduler):
    """``SCHEDULER`` of distributed mode.  Settings: ``NEWSCRAWL_WORKER_LEASE`` (seconds, default 60):
    a worker silent for that long is dead and its in-flight requests are crawled by the others."""

    crawler: Crawler | None = None
    leases: Leases | None = None
    lease_seconds: float = 60.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        if not crawler.settings.getbool("SCHEDULER_PERSIST"):
            raise ValueError("SCHEDULER_PERSIST must be on with several workers (distributed mode sets it)")
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.lease_seconds = crawler.settings.getfloat("NEWSCRAWL_WORKER_LEASE", 60.0)
        return scheduler

    def open(self, spider: Any) -> None:
        # As scrapy-redis's open(), without its deprecated Spider.log() call.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider, serializer=self.serializer,
                                                 key=self.queue_key % {"spider": spider.name})
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.keys = Keys(spider.name)
        self.site_queues: dict[str, PriorityQueue] = {self.queue.key: self.queue}
        for site in getattr(spider, "sites", []):
            self._queue_for(site.name)
        self.queue_keys = list(self.site_queues)
        self.seen: set[str] = set()
        self.round: str | None = None
        self._push_unseen = self.server.register_script(_PUSH_UNSEEN)
        if self.flush_on_start:
            self.flush()
        self.leases = Leases(self.server, self.keys, worker_id(), self.lease_seconds)
        self.leases.beat()
        if moved := reclaim_dead(self.server, self.keys, exclude=self.leases.worker):
            spider.logger.info("%d requests of dead workers put back into the frontier", moved)
        self._heartbeat = LoopingCall(self._beat)
        self._heartbeat.start(self.lease_seconds / 4, now=False)
        self._poll = LoopingCall(self._wake_engine)
        self._poll.start(POLL_SECONDS, now=False)
        spider.logger.info("distributed worker %s: %d requests waiting for its sites",
                           self.leases.worker, len(self))

    def _queue_for(self, site: str | None) -> PriorityQueue:
        key = self.keys.site_queue(site)
        queue = self.site_queues.get(key)
        if queue is None:
            queue = PriorityQueue(server=self.server, spider=self.spider, key=key, serializer=self.serializer)
            self.site_queues[key] = queue
            self.server.sadd(self.keys.queues, key)
        return queue

    def __len__(self) -> int:
        with self.server.pipeline(transaction=False) as pipe:
            for key in self.queue_keys:
                pipe.zcard(key)
            return sum(pipe.execute())

    def flush(self) -> None:
        """Forget the whole frontier and the seen URLs (``SCHEDULER_FLUSH_ON_START``; all workers')."""
        self.df.clear()
        for key in queue_keys(self.server, self.keys):
            self.server.delete(key)

    def has_pending_requests(self) -> bool:
        return len(self) > 0

    def enqueue_request(self, request: Request) -> bool:
        """Queue *request* unless the round has seen it (scrapy-redis's fingerprint and shared set):
        one round trip, the check and the push being one script."""
        queue = self._queue_for(request.meta.get("site"))
        if request.dont_filter:
            queue.push(request)
        else:
            fingerprint = self.df.request_fingerprint(request)
            if fingerprint in self.seen:
                self.df.log(request, self.spider)
                return False
            if len(self.seen) >= SEEN_CACHE:
                self.seen.clear()
            self.seen.add(fingerprint)
            if not self._push_unseen(keys=[self.df.key, queue.key],
                                     args=[fingerprint, -request.priority, queue._encode_request(request)]):
                self.df.log(request, self.spider)
                return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        assert self.leases is not None
        while (popped := self.leases.pop(*self.queue_keys)) is not None:
            token, data, round_ = popped
            if round_ != self.round:            # a new round forgot every URL: so does this worker
                self.seen.clear()
                self.round = round_
            try:
                request = self.queue._decode_request(data)
            except Exception:
                # Written by another version of the spider (a callback that no longer exists):
                # dropping it is the only way forward, and it is logged.
                logger.exception("cannot decode a request of the frontier; dropped")
                self.leases.ack(token)
                if self.stats:
                    self.stats.inc_value("scheduler/dequeued/redis/undecodable")
                continue
            self.leases.track(request, token)
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None

    def _beat(self) -> None:
        assert self.leases is not None
        self.leases.beat()
        reclaim_dead(self.server, self.keys, exclude=self.leases.worker)

    def _wake_engine(self) -> None:
        """Make an idle engine ask for requests now if the frontier has some."""
        engine = self.crawler.engine if self.crawler else None
        slot = getattr(engine, "_slot", None)      # Scrapy has no public "poll the scheduler now"
        if slot is None or engine.needs_backout() or not self.has_pending_requests():
            return
        slot.nextcall.schedule()

    def close(self, reason: str) -> None:
        for loop in (getattr(self, "_heartbeat", None), getattr(self, "_poll", None)):
            if loop is not None and loop.running:
                loop.stop()
        if self.leases is not None:
            self.leases.release()
        super().close(reason)
