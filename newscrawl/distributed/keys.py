"""Every Redis key distributed mode uses, in one place (scrapy-redis keeps its own in ``defaults.py``).

The frontier and the duplicate filter are scrapy-redis's own keys (``news:requests``, a sorted set of
serialized requests; ``news:dupefilter``, a set of request fingerprints); the rest is newscrawl's.
One Redis database holds one crawl: run a second, independent crawl in another database
(``redis://host:6379/1``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SPIDER", "Keys"]

SPIDER = "news"


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys of the crawl of spider *spider*."""

    spider: str = SPIDER

    @property
    def queue(self) -> str:
        """scrapy-redis frontier (``SCHEDULER_QUEUE_KEY``) of requests without a site: sorted set,
        score = -priority."""
        return f"{self.spider}:requests"

    def site_queue(self, site: str | None) -> str:
        """The frontier of one site's requests (``meta["site"]``): a worker takes only its sites'."""
        return f"{self.spider}:requests:{site}" if site else self.queue

    @property
    def queues(self) -> str:
        """Set of the frontier keys in use."""
        return f"{self.spider}:queues"

    @property
    def dupefilter(self) -> str:
        """scrapy-redis duplicate filter (``SCHEDULER_DUPEFILTER_KEY``): fingerprints of this round."""
        return f"{self.spider}:dupefilter"

    @property
    def round(self) -> str:
        """Counter of crawl rounds (``newscrawl seed`` increments it when it clears the duplicate filter)."""
        return f"{self.spider}:round"

    @property
    def workers(self) -> str:
        """Set of the ids of registered workers."""
        return f"{self.spider}:workers"

    def heartbeat(self, worker: str) -> str:
        """A worker's heartbeat: exists (with a TTL) while the worker lives."""
        return f"{self.spider}:worker:{worker}"

    def inflight(self, worker: str) -> str:
        """Hash of the requests a worker took from the frontier and has not finished: ``score:seq`` → data."""
        return f"{self.spider}:inflight:{worker}"

    @property
    def sequence(self) -> str:
        """Counter making in-flight tokens unique."""
        return f"{self.spider}:inflight-seq"

    @property
    def seeding(self) -> str:
        """Lock held by ``newscrawl seed`` while it starts a round."""
        return f"{self.spider}:seeding"

    @property
    def robots(self) -> str:
        """Hash netloc → robots.txt as first fetched this round (``status url\\n`` + body)."""
        return f"{self.spider}:robots"

    def robots_lock(self, netloc: str) -> str:
        """Held by the worker fetching *netloc*'s robots.txt for everyone."""
        return f"{self.spider}:robots-lock:{netloc}"

    @property
    def items(self) -> str:
        """Stream of archived-to-be items and crawl-run records, read by ``newscrawl archive-writer``."""
        return f"{self.spider}:items"

    @property
    def dead_items(self) -> str:
        """Stream of the messages the writer could not archive, with the error (never retried)."""
        return f"{self.spider}:items:dead"

    @property
    def writer_group(self) -> str:
        """Consumer group of the items stream."""
        return "archive-writer"

    @property
    def writer_lock(self) -> str:
        """Held by the running writer: one writer per archive."""
        return f"{self.spider}:writer"

    # The incremental crawl state, published by the writer from the archive (see .crawlstate).
    @property
    def state_archived(self) -> str:
        """Hash url_key → ``[article_id, first_seen, published, article_first_seen, last_seen]``."""
        return f"{self.spider}:state:archived"

    @property
    def state_urls(self) -> str:
        """Hash URL → the URL's ``crawl_state`` row (validators, last failure) as JSON."""
        return f"{self.spider}:state:urls"

    @property
    def state_failed(self) -> str:
        """Hash url_key → when a URL of that key was last found gone or not an article."""
        return f"{self.spider}:state:failed"

    def state_retry(self, site: str) -> str:
        """Hash URL → ``crawl_state`` row of the site's articles whose last fetch failed transiently."""
        return f"{self.spider}:state:retry:{site}"

    @property
    def state_settled(self) -> str:
        """Hash site → when its last successful run finished."""
        return f"{self.spider}:state:settled"

    @property
    def state_watermarks(self) -> str:
        """Hash sitemap URL → ``[site, lastmod]``."""
        return f"{self.spider}:state:watermarks"

    @property
    def state_synced(self) -> str:
        """Set when the whole archive's state has been published (by the first writer)."""
        return f"{self.spider}:state:synced"
