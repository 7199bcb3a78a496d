"""The incremental crawl state in distributed mode: read from Redis by workers, kept by the writer.

Workers on other machines cannot read the SQLite archive, yet the incremental rules
(:mod:`newscrawl.middlewares.incremental`, the spider's sitemap watermarks and retries, the failure
recorder) ask it what is archived and what failed.  So:

- the writer publishes what they read into Redis hashes (:class:`StatePublisher`): for each URL key
  of each archived article the lookup :meth:`archive.crawlstate.CrawlState.archived` would return,
  each URL's ``crawl_state`` row, the URL keys found gone or not articles, the articles whose last
  fetch failed transiently (per site), when each site's last successful run finished, and the
  sitemap watermarks; a writer that finds Redis
  without them (a new Redis, or an archive crawled before in single-process mode) publishes the
  whole archive's state first;
- workers read them through :class:`RedisCrawlState`, which has the read methods of
  :class:`~archive.crawlstate.CrawlState` (one ``HGET``/``HMGET`` each, like the indexed queries they
  replace); its write methods (``record_ok``, ``record_failure``…) become ``state`` messages in the
  items stream, applied to the archive by the writer after the items before them are committed,
  then published back.  The SQLite archive stays the one source of truth.

Memory in Redis: about 1 KB per archived URL (its lookup and its HTTP validators).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from archive import Archive
from archive.crawlstate import TRANSIENT_KINDS, ArchivedUrl, CrawlState, UrlState, utc_timestamp
from archive.urls import url_key
from newscrawl.distributed import messages
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import worker_id

__all__ = ["WRITES", "RedisCrawlState", "StatePublisher", "open_redis_state"]

#: The write methods of :class:`CrawlState` a worker forwards to the writer.
WRITES = ("record_ok", "record_not_modified", "record_failure", "set_watermarks")

_URL_COLUMNS = tuple(UrlState.__dataclass_fields__)


def _loads(value: bytes | None) -> Any:
    return json.loads(value) if value is not None else None


def compact(row: UrlState) -> str:
    """A ``crawl_state`` row as published: its fields that are set, but the URL (the hash's key)."""
    return json.dumps({k: v for k, v in asdict(row).items() if v is not None and k not in ("url", "url_key")})


def state_of(url: str, value: bytes) -> UrlState:
    fields = {k: v for k, v in json.loads(value).items() if k in _URL_COLUMNS}
    return UrlState(**dict(fields, url=url, url_key=url_key(url)))


class RedisCrawlState:
    """:class:`archive.crawlstate.CrawlState`'s interface over Redis, for a worker.

    :param server: ``redis.Redis`` client (bytes responses).
    """

    def __init__(self, server: Any, keys: Keys | None = None, *, run: str | None = None):
        self.server = server
        self.keys = keys or Keys()
        self.run = run or worker_id()

    @classmethod
    def from_settings(cls, settings: Any) -> RedisCrawlState:
        """The state of the crawl whose Redis the Scrapy *settings* name (distributed mode)."""
        from scrapy_redis.connection import get_redis_from_settings

        return cls(get_redis_from_settings(settings))

    def close(self) -> None:
        pass

    def flush(self) -> None:
        pass

    # -- reads ----------------------------------------------------------------------------------
    def archived(self, key: str) -> ArchivedUrl | None:
        value = _loads(self.server.hget(self.keys.state_archived, key))
        return ArchivedUrl(*value) if value else None

    def state(self, url: str) -> UrlState | None:
        value = self.server.hget(self.keys.state_urls, url)
        return state_of(url, value) if value is not None else None

    def known(self, keys: Iterable[str], *, before: str | None) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted or before is None:
            return set()
        found = set()
        for key, archived, failed in zip(wanted, self.server.hmget(self.keys.state_archived, wanted),
                                         self.server.hmget(self.keys.state_failed, wanted)):
            if archived is not None and json.loads(archived)[1] <= before or failed is not None and failed.decode() <= before:
                found.add(key)
        return found

    def settled_before(self, site: str) -> str | None:
        value = self.server.hget(self.keys.state_settled, site)
        return value.decode() if value else None

    def pending_retries(self, site: str, *, max_attempts: int, limit: int = 10_000) -> list[UrlState]:
        rows = [state_of(url.decode(), v) for url, v in self.server.hgetall(self.keys.state_retry(site)).items()]
        rows = [r for r in rows if r.attempts < max_attempts and r.error_kind in TRANSIENT_KINDS]
        return sorted(rows, key=lambda r: r.last_fetched or "")[:limit]

    def watermarks(self, sites: Iterable[str]) -> dict[str, str]:
        names = set(sites)
        marks = {}
        for url, value in self.server.hgetall(self.keys.state_watermarks).items():
            site, lastmod = json.loads(value)
            if site in names:
                marks[url.decode()] = lastmod
        return marks

    # -- writes: to the writer, through the items stream -------------------------------------------
    def _forward(self, op: str, url: str | None = None, **kwargs: Any) -> None:
        if url is not None:
            kwargs["url"] = url
        if op != "set_watermarks" and not kwargs.get("at"):
            kwargs["at"] = utc_timestamp()          # when the worker saw it, not when the writer did
        self.server.xadd(self.keys.items, messages.encode_state(self.run, op, kwargs))

    def record_ok(self, url: str, **kwargs: Any) -> None:
        self._forward("record_ok", url, **kwargs)

    def record_not_modified(self, url: str, **kwargs: Any) -> None:
        self._forward("record_not_modified", url, **kwargs)

    def record_failure(self, url: str, **kwargs: Any) -> None:
        self._forward("record_failure", url, **kwargs)

    def set_watermarks(self, marks: dict[str, tuple[str | None, str]], **kwargs: Any) -> None:
        if marks:
            self._forward("set_watermarks", marks={u: list(v) for u, v in marks.items()}, **kwargs)


def open_redis_state(settings: Any) -> RedisCrawlState:
    """``NEWSCRAWL_CRAWLSTATE`` of distributed mode: the crawl state of a worker, from Redis."""
    return RedisCrawlState.from_settings(settings)


class StatePublisher:
    """The writer's side: applies forwarded writes to the archive and publishes the state to Redis.

    :param server: ``redis.Redis`` client.
    :param archive: the writer's open archive.
    """

    def __init__(self, server: Any, archive: Archive, keys: Keys | None = None):
        self.server = server
        self.archive = archive
        self.keys = keys or Keys()
        self.state = CrawlState(archive.db, batch_size=1_000_000, batch_seconds=1e9)
        self._touched: set[str] = set()
        self._watermarks = False

    # -- forwarded writes -------------------------------------------------------------------------
    def apply(self, op: str, kwargs: dict[str, Any], *, run_id: int | None) -> None:
        """Buffer one forwarded write (committed by :meth:`commit`)."""
        if op not in WRITES:
            raise ValueError(f"unknown crawl-state operation {op!r}")
        if "run_id" not in kwargs or kwargs["run_id"] is None:
            kwargs["run_id"] = run_id
        if op == "set_watermarks":
            marks = {u: tuple(v) for u, v in kwargs.pop("marks").items()}
            self.state.set_watermarks(marks, **kwargs)
            self._watermarks = True
            return
        url = kwargs.pop("url")
        getattr(self.state, op)(url, **kwargs)
        self._touched.add(url)

    def commit(self) -> None:
        """Commit the buffered writes, then publish the rows they changed."""
        self.state.flush()
        keys, self._touched = sorted(self._touched), set()
        self.publish_urls(keys)
        if self._watermarks:
            self.publish_watermarks()
            self._watermarks = False

    # -- publishing ------------------------------------------------------------------------------
    def publish_articles(self, article_ids: Sequence[int]) -> int:
        """Publish the lookups of every URL key of these articles; return how many keys."""
        ids = list(dict.fromkeys(article_ids))
        mapping: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.archive.db.execute(
                    f"SELECT a.url_key, a.id, a.first_seen, a.published, a.first_seen, a.last_seen "
                    f"FROM articles a WHERE a.id IN ({marks})", chunk):
                mapping[row[0]] = json.dumps(row[1:])
            for row in self.archive.db.execute(
                    f"SELECT u.url_key, a.id, min(u.first_seen), a.published, a.first_seen, a.last_seen "
                    f"FROM url_aliases u JOIN articles a ON a.id = u.article_id WHERE u.article_id IN ({marks}) "
                    f"GROUP BY u.url_key", chunk):
                mapping[row[0]] = json.dumps(row[1:])
        self._hset(self.keys.state_archived, mapping)
        return len(mapping)

    def publish_urls(self, urls: Sequence[str]) -> None:
        """Publish the ``crawl_state`` rows of *urls* (and the failure indexes)."""
        rows = []
        for start in range(0, len(urls), 500):
            chunk = list(urls[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows += self.archive.db.execute(
                f"SELECT {', '.join(_URL_COLUMNS)} FROM crawl_state WHERE url IN ({marks})", chunk).fetchall()
        self._publish_rows([UrlState(*r) for r in rows])

    def _publish_rows(self, rows: list[UrlState]) -> None:
        """Publish rows; one that holds neither validators nor a failure reads as no row at all."""
        with self.server.pipeline(transaction=False) as pipe:
            for row in rows:
                value = compact(row)
                if row.etag or row.last_modified or row.error_kind:
                    pipe.hset(self.keys.state_urls, row.url, value)
                else:
                    pipe.hdel(self.keys.state_urls, row.url)
                if row.permanent_failure and row.last_fetched:
                    pipe.hset(self.keys.state_failed, row.url_key, row.last_fetched)
                if row.site:
                    if row.kind == "article" and row.error_kind in TRANSIENT_KINDS:
                        pipe.hset(self.keys.state_retry(row.site), row.url, value)
                    else:
                        pipe.hdel(self.keys.state_retry(row.site), row.url)
            pipe.execute()

    def publish_settled(self, sites: Iterable[str]) -> None:
        mapping = {}
        for site in sites:
            settled = self.state.settled_before(site)
            if settled:
                mapping[site] = settled
        self._hset(self.keys.state_settled, mapping)

    def publish_watermarks(self) -> None:
        mapping = {url: json.dumps([site, lastmod]) for url, site, lastmod in self.archive.db.execute(
            "SELECT url, site, lastmod FROM crawl_watermarks")}
        self._hset(self.keys.state_watermarks, mapping)

    def sync_all(self) -> bool:
        """Publish the whole archive's state, once per Redis (``False``: it was already there)."""
        if self.server.exists(self.keys.state_synced):
            return False
        ids = [r[0] for r in self.archive.db.execute("SELECT id FROM articles ORDER BY id")]
        for start in range(0, len(ids), 5000):
            self.publish_articles(ids[start:start + 5000])
        columns = ", ".join(_URL_COLUMNS)
        cursor = self.archive.db.execute(f"SELECT {columns} FROM crawl_state")
        while batch := cursor.fetchmany(5000):
            self._publish_rows([UrlState(*r) for r in batch])
        sites = {r[0] for r in self.archive.db.execute("SELECT DISTINCT site FROM articles WHERE site IS NOT NULL")}
        for (label,) in self.archive.db.execute("SELECT DISTINCT site FROM crawl_runs WHERE site IS NOT NULL"):
            sites.update(s for s in label.split(",") if s)
        self.publish_settled(sites)
        self.publish_watermarks()
        self.server.set(self.keys.state_synced, utc_timestamp())
        return True

    def _hset(self, key: str, mapping: dict[str, Any]) -> None:
        items = list(mapping.items())
        for start in range(0, len(items), 5000):
            self.server.hset(key, mapping=dict(items[start:start + 5000]))
