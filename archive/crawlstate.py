"""What the incremental crawler knows about URLs: indexed lookups, batched writes.

The archive itself answers "is this URL archived?" (``url_aliases``, indexed by ``url_key``); the
``crawl_state`` table (migration 3) adds what the archive does not keep: HTTP validators for
conditional requests, the last status, and the last failure with its kind, reason and the number of
consecutive failed attempts.  Nothing here holds a set of all URLs in memory: every question is one
indexed query, and writes are buffered and committed in small transactions.

"Settled" is the notion that makes a crawl resumable after ``SIGKILL``: a URL recorded *by the time
the last successful run of its site finished* had its page fully processed (its links followed).  A
URL recorded later may come from an interrupted run, so the crawler treats it as not yet settled.
Timestamps have a resolution of one second, so a run never starts in the second its site's last
run finished (:func:`archive.runs.wait_past_last_run`).

.. code-block:: python

    state = CrawlState.open("archive.db")
    hit = state.archived(url_key(url))          # ArchivedUrl | None
    state.record_failure(url, site="x", kind="article", error_kind="timeout", reason="…", attempts=4)
    state.flush()
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import sqlite_utils

from .store import Archive
from .urls import url_key

__all__ = [
    "PERMANENT_KINDS",
    "TRANSIENT_KINDS",
    "ArchivedUrl",
    "CrawlState",
    "UrlState",
    "parse_timestamp",
    "utc_timestamp",
]

#: Failures that are a property of the page: not fetched again before a re-check period.
PERMANENT_KINDS: frozenset[str] = frozenset({
    "not_found", "gone", "forbidden", "client_error", "redirect_loop", "too_large", "not_html",
    "not_article", "empty_body"})
#: Failures that may go away: the URL is tried again at the start of the next run.
TRANSIENT_KINDS: frozenset[str] = frozenset({
    "rate_limited", "server_error", "timeout", "dns", "connection", "other"})

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_timestamp(moment: datetime | None = None) -> str:
    """The archive's timestamp format (UTC, second resolution, sortable as text)."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(_FORMAT)


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 / W3C datetime (``Z``, offsets, bare dates) as an aware UTC datetime, or None."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class UrlState:
    """One ``crawl_state`` row."""

    url: str
    url_key: str
    site: str | None = None
    kind: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_status: int | None = None
    attempts: int = 0
    error_kind: str | None = None
    error_reason: str | None = None
    first_fetched: str | None = None
    last_fetched: str | None = None
    last_ok: str | None = None
    run_id: int | None = None

    @property
    def permanent_failure(self) -> bool:
        return self.error_kind in PERMANENT_KINDS


@dataclass(frozen=True, slots=True)
class ArchivedUrl:
    """An archived article reached by a URL key (``url_aliases`` joined with ``articles``)."""

    article_id: int
    first_seen: str              #: when this URL key was first recorded
    published: str | None
    article_first_seen: str
    last_seen: str


_STATE_COLUMNS = ("url", "url_key", "site", "kind", "etag", "last_modified", "last_status", "attempts",
                  "error_kind", "error_reason", "first_fetched", "last_fetched", "last_ok", "run_id")

_UPSERT_OK = """
INSERT INTO crawl_state (url, url_key, site, kind, etag, last_modified, last_status, attempts,
                         error_kind, error_reason, first_fetched, last_fetched, last_ok, run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET site = coalesce(excluded.site, site),
    kind = coalesce(excluded.kind, kind), etag = excluded.etag, last_modified = excluded.last_modified,
    last_status = excluded.last_status, attempts = 0, error_kind = NULL, error_reason = NULL,
    last_fetched = excluded.last_fetched, last_ok = excluded.last_ok, run_id = excluded.run_id
"""

_UPSERT_NOT_MODIFIED = """
INSERT INTO crawl_state (url, url_key, site, kind, last_status, attempts, first_fetched, last_fetched,
                         last_ok, run_id)
VALUES (?, ?, ?, ?, 304, 0, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET last_status = 304, attempts = 0, error_kind = NULL,
    error_reason = NULL, last_fetched = excluded.last_fetched, run_id = excluded.run_id
"""

_UPSERT_FAILURE = """
INSERT INTO crawl_state (url, url_key, site, kind, last_status, attempts, error_kind, error_reason,
                         first_fetched, last_fetched, run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET site = coalesce(excluded.site, site),
    kind = coalesce(excluded.kind, kind), last_status = excluded.last_status,
    attempts = CASE WHEN error_kind IS NULL THEN excluded.attempts ELSE attempts + excluded.attempts END,
    error_kind = excluded.error_kind, error_reason = excluded.error_reason,
    last_fetched = excluded.last_fetched, run_id = excluded.run_id
"""


class CrawlState:
    """Lookups and buffered writes on an archive's crawl state.

    :param db: an open :class:`sqlite_utils.Database` of a migrated archive.
    :param batch_size: buffered writes committed together (also on :meth:`flush` and every
        *batch_seconds*).
    """

    def __init__(self, db: sqlite_utils.Database, *, batch_size: int = 200, batch_seconds: float = 2.0,
                 owner: Archive | None = None):
        self.db = db
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._owner = owner
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._last_flush = time.monotonic()

    @classmethod
    def open(cls, path: str, **kwargs: Any) -> CrawlState:
        """Open (create, migrate) the archive at *path* with a connection of its own."""
        archive = Archive(path)
        return cls(archive.db, owner=archive, **kwargs)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.flush()
        if self._owner is not None:
            self._owner.close()
            self._owner = None

    # -- reads ----------------------------------------------------------------------------------
    def archived(self, key: str) -> ArchivedUrl | None:
        """The archived article known by URL key *key*, or ``None``."""
        row = self.db.execute(
            "SELECT a.id, u.first_seen, a.published, a.first_seen, a.last_seen FROM url_aliases u "
            "JOIN articles a ON a.id = u.article_id WHERE u.url_key = ? "
            "ORDER BY u.first_seen LIMIT 1", [key]).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT id, first_seen, published, first_seen, last_seen FROM articles "
                "WHERE url_key = ? LIMIT 1", [key]).fetchone()
        return ArchivedUrl(*row) if row else None

    def state(self, url: str) -> UrlState | None:
        """What is known about exactly *url* (validators belong to one URL, not to its variants)."""
        row = self.db.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM crawl_state WHERE url = ?",
                              [url]).fetchone()
        return UrlState(*row) if row else None

    def known(self, keys: Iterable[str], *, before: str | None) -> set[str]:
        """The URL keys among *keys* that were archived, or found not to be articles or to be gone,
        at or before *before* (a timestamp; ``None``: nothing is known)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted or before is None:
            return set()
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT url_key FROM url_aliases WHERE url_key IN ({marks}) AND first_seen <= ?",
                [*chunk, before]))
            permanent = ",".join("?" * len(PERMANENT_KINDS))
            found.update(r[0] for r in self.db.execute(
                f"SELECT DISTINCT url_key FROM crawl_state WHERE url_key IN ({marks}) AND last_fetched <= ? "
                f"AND error_kind IN ({permanent})", [*chunk, before, *sorted(PERMANENT_KINDS)]))
        return found

    def settled_before(self, site: str) -> str | None:
        """When the last successful run of *site* finished (``None`` if it never finished)."""
        row = self.db.execute(
            "SELECT max(finished) FROM crawl_run_sites WHERE site = ? AND finish_reason = 'finished'",
            [site]).fetchone()
        if row and row[0]:
            return str(row[0])
        # Archives written before per-site run records: a finished run whose label names the site.
        row = self.db.execute(
            "SELECT max(finished) FROM crawl_runs WHERE finish_reason = 'finished' "
            "AND (',' || site || ',') LIKE ('%,' || ? || ',%') "
            "AND id NOT IN (SELECT run_id FROM crawl_run_sites)", [site]).fetchone()
        return str(row[0]) if row and row[0] else None

    def pending_retries(self, site: str, *, max_attempts: int, limit: int = 10_000) -> list[UrlState]:
        """Article URLs of *site* whose last attempt failed for a reason that may go away."""
        transient = ",".join("?" * len(TRANSIENT_KINDS))
        rows = self.db.execute(
            f"SELECT {', '.join(_STATE_COLUMNS)} FROM crawl_state WHERE site = ? AND kind = 'article' "
            f"AND error_kind IN ({transient}) AND attempts < ? ORDER BY last_fetched LIMIT ?",
            [site, *sorted(TRANSIENT_KINDS), max_attempts, limit]).fetchall()
        return [UrlState(*r) for r in rows]

    def watermarks(self, sites: Iterable[str]) -> dict[str, str]:
        """Sitemap URL → newest ``lastmod`` (UTC) seen by the last successful run of its site."""
        names = list(sites)
        if not names:
            return {}
        marks = ",".join("?" * len(names))
        return {url: lastmod for url, lastmod in self.db.execute(
            f"SELECT url, lastmod FROM crawl_watermarks WHERE site IN ({marks})", names)}

    # -- writes ---------------------------------------------------------------------------------
    def record_ok(self, url: str, *, site: str | None, kind: str | None, etag: str | None,
                  last_modified: str | None, status: int = 200, at: str | None = None,
                  run_id: int | None = None) -> None:
        """A fetch whose result is safely handled (archived): keep its validators, clear failures."""
        now = at or utc_timestamp()
        self._add(_UPSERT_OK, (url, url_key(url), site, kind, etag, last_modified, status, now, now, now,
                               run_id))

    def record_not_modified(self, url: str, *, site: str | None, kind: str | None = "article",
                            at: str | None = None, run_id: int | None = None) -> None:
        now = at or utc_timestamp()
        self._add(_UPSERT_NOT_MODIFIED, (url, url_key(url), site, kind, now, now, now, run_id))

    def record_failure(self, url: str, *, site: str | None, kind: str | None, error_kind: str,
                       reason: str, attempts: int = 1, status: int | None = None, at: str | None = None,
                       run_id: int | None = None) -> None:
        """A failed fetch (or a page that is not an article); *attempts* add up while failures last."""
        now = at or utc_timestamp()
        self._add(_UPSERT_FAILURE, (url, url_key(url), site, kind, status, max(attempts, 1), error_kind,
                                    reason[:500], now, now, run_id))

    def set_watermarks(self, marks: Mapping[str, tuple[str | None, str]], *, run_id: int | None = None) -> None:
        """Store ``{sitemap_url: (site, lastmod)}`` (committed at once)."""
        if not marks:
            return
        now = utc_timestamp()
        self.flush()
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO crawl_watermarks (url, site, lastmod, run_id, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET site = excluded.site, lastmod = excluded.lastmod, "
                "run_id = excluded.run_id, updated = excluded.updated",
                [(url, site, lastmod, run_id, now) for url, (site, lastmod) in marks.items()])
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _add(self, sql: str, params: tuple[Any, ...]) -> None:
        self._pending.append((sql, params))
        if len(self._pending) >= self.batch_size or time.monotonic() - self._last_flush >= self.batch_seconds:
            self.flush()

    def flush(self) -> None:
        """Commit the buffered writes in one transaction."""
        self._last_flush = time.monotonic()
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in batch:
                conn.execute(sql, params)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
