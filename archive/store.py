"""The archive: one SQLite file, written through sqlite-utils.

``Archive.upsert(record, fetch)`` is the single write path.  It deduplicates, keeps URL aliases,
versions edits and stores provenance, so the crawler, ``reparse`` and ``merge`` share one logic:

1. the record's URL keys (canonical URL, fetched URL, redirect sources, declared aliases) are looked
   up in ``url_aliases``; a hit is the same article;
2. otherwise an identical folded body (``body_hash``) is the same article published elsewhere
   (syndication, a URL the site forgot to canonicalise);
3. otherwise it is new.

A matched article whose title or body changed gets a new ``article_versions`` row; an identical
one only has ``last_seen`` moved.  A copy found by body hash is merged, and the earliest publication
becomes the record's primary URL, so the result does not depend on crawl order.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
import logging
import multiprocessing
import operator
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from . import compress
from .checkpoint import BACKSTOP_PAGES, Checkpointer
from .errors import NoSuchArticle, NotAnArchive
from .record import ArticleRecord, Fetch
from .schema import migrate, refuse_newer
from .text import body_hash, fold, fold_utf8
from .urls import url_key

__all__ = ["Archive", "UpsertResult", "default_db_path"]

DEFAULT_DB = "archive.db"


def default_db_path() -> str:
    """``$NEWSCRAWL_DB`` or ``archive.db`` in the current folder."""
    return os.environ.get("NEWSCRAWL_DB") or DEFAULT_DB


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class UpsertResult:
    article_id: int
    outcome: str          #: "new", "updated", "unchanged" or "merged" (a new URL for a known article)
    changed: tuple[str, ...] = ()


_JSON_FIELDS = ("tags", "images", "related_links")
_CONTENT_FIELDS = ("title", "body")
_META_FIELDS = ("category", "author", "tags", "images", "related_links", "published",
                "published_raw", "modified", "modified_raw", "language")


#: Page cache of a writing connection, in KiB (SQLite's default is 2 MB).
WRITER_CACHE_KB = 65_536

#: Batches at least this large have their text prepared in a helper process (starting one, and
#: sending the records to it, costs more than it saves on a crawl's batches of a few dozen).
POOL_MIN_BATCH = 200
_POOL_CHUNK = 64
#: Seconds to wait for one chunk from the helper before preparing it here (a chunk takes ~10 ms).
_POOL_TIMEOUT = 60.0

log = logging.getLogger(__name__)

_Derived = tuple[list[tuple[str, str, str]], bytes, bytes, "str | None", tuple["bytes | None", "str | None", "str | None"],
                 tuple[str, ...]]


@dataclass(slots=True)
class _Prepared:
    """What the write of one record needs that does not depend on the database."""

    record: ArticleRecord
    fetch: Fetch | None
    urls: list[tuple[str, str, str]]    #: (url, kind, url_key), primary first
    keys: list[str]                     #: distinct URL keys, primary first
    folded_title: bytes                 #: fold(title), UTF-8 (see _derive)
    folded_body: bytes
    digest: str | None
    row: tuple[Any, ...]                #: the :data:`_NEW_COLUMNS` of the record, JSON fields encoded
    html: tuple[bytes | None, str | None, str | None]   #: compressed raw HTML, method, SHA-1

    @property
    def values(self) -> dict[str, Any]:
        """The :data:`_NEW_COLUMNS` by name (for updating a known article)."""
        return dict(zip(_NEW_COLUMNS, self.row, strict=True))


# What _derive needs of a record and its fetch, as a plain tuple: pickling a slotted dataclass
# for the helper process runs Python code per field, a tuple of strings is pickled in C.  The body
# goes as UTF-8: the helper folds it as bytes (text.fold_utf8), and bytes are unpickled without
# being decoded.
_Inputs = tuple[str, bool, list[str], "str | None", bytes, "str | None", "str | None", list[str],
                "bytes | None", tuple[Any, ...]]


def _inputs(record: ArticleRecord, fetch: Fetch | None) -> _Inputs:
    lists = (record.tags, record.images, record.related_links)
    body = record.body.encode() if record.body else b""
    if fetch is None:
        return (record.url, record.is_amp, record.aliases, record.title, body, None, None, [], None, lists)
    return (record.url, record.is_amp, record.aliases, record.title, body, fetch.url, fetch.final_url,
            fetch.redirect_urls, fetch.html, lists)


def _record_urls(url: str, is_amp: bool, aliases: list[str], fetch_url: str | None,
                 final_url: str | None, redirect_urls: list[str]) -> list[tuple[str, str, str]]:
    """(url, kind, url_key) for every URL this record is known by, primary first."""
    urls = [(url, "amp-canonical" if is_amp else "canonical")]
    if fetch_url is not None:
        urls += [(u, "redirect") for u in redirect_urls]
        urls.append((fetch_url, "amp" if is_amp else "fetched"))
        if final_url:
            urls.append((final_url, "amp" if is_amp else "fetched"))
    urls += [(u, "declared") for u in aliases]
    seen: set[str] = set()
    unique = []
    for u, kind in urls:
        if u and u not in seen:
            seen.add(u)
            unique.append((u, kind, url_key(u)))
    return unique


def _derive(inputs: _Inputs) -> _Derived:
    """The CPU-heavy part: URL keys, the folded text for the index and the hash, compressed HTML."""
    url, is_amp, aliases, title, body, fetch_url, final_url, redirect_urls, raw, lists = inputs
    urls = _record_urls(url, is_amp, aliases, fetch_url, final_url, redirect_urls)
    folded_title, folded_body = fold(title).encode(), fold_utf8(body)
    html: tuple[bytes | None, str | None, str | None] = (None, None, None)
    if raw is not None:
        blob, method = compress.pack(raw)
        html = (blob, method, hashlib.sha1(raw).hexdigest())
    encoded = tuple(json.dumps(value or [], ensure_ascii=False) for value in lists)
    # The folded text only goes to the search index: sent back and bound as UTF-8 bytes, it is
    # neither decoded when unpickled nor encoded again when bound (FTS5 reads a blob's bytes as
    # UTF-8 text; the index is contentless, so nothing is stored as a blob).
    return urls, folded_title, folded_body, body_hash(None, folded=folded_body), html, encoded


def _derive_chunk(chunk: list[_Inputs]) -> list[_Derived]:
    """:func:`_derive` for several records, in a helper process."""
    return [_derive(inputs) for inputs in chunk]


#: The columns of an article taken from its record (all but the JSON fields), read in one C call.
_PLAIN_FIELDS = tuple(f for f in (*_CONTENT_FIELDS, *_META_FIELDS, "extractor_version") if f not in _JSON_FIELDS)
_plain_values = operator.attrgetter(*_PLAIN_FIELDS)
#: The columns of a new article that come from its record, in :attr:`_Prepared.row` order.
_NEW_COLUMNS = (*_PLAIN_FIELDS, *_JSON_FIELDS, "body_hash", "source_kind")


def _assemble(record: ArticleRecord, fetch: Fetch | None, derived: _Derived) -> _Prepared:
    urls, folded_title, folded_body, digest, html, encoded = derived
    row = (*_plain_values(record), *encoded, digest, "amp" if record.is_amp else "html")
    return _Prepared(record, fetch, urls, list(dict.fromkeys(key for _, _, key in urls)),
                     folded_title, folded_body, digest, row, html)


def _prepare(item: tuple[ArticleRecord, Fetch | None]) -> _Prepared:
    record, fetch = item
    return _assemble(record, fetch, _derive(_inputs(record, fetch)))


_FETCH_SQL = (
    "INSERT INTO fetches (article_id, url, final_url, status, fetched_at, encoding, html_sha1, "
    "html, compression, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (article_id, html_sha1) DO UPDATE SET fetched_at = excluded.fetched_at, "
    "status = excluded.status, run_id = excluded.run_id")


def _fetch_row(article_id: int, item: _Prepared, run_id: int | None) -> tuple[Any, ...]:
    fetch = item.fetch
    assert fetch is not None
    blob, method, sha1 = item.html
    return (article_id, fetch.url, fetch.final_url, fetch.status, fetch.fetched_at, fetch.encoding,
            sha1, blob, method, run_id)


_INSERT_ARTICLE = (
    f"INSERT INTO articles (id, site, url, url_key, version, first_seen, last_seen, {', '.join(_NEW_COLUMNS)}) "
    f"VALUES (?, ?, ?, ?, 1, ?, ?, {', '.join('?' * len(_NEW_COLUMNS))})")
#: Memory map of a bulk load's connection (SQLite caps it at its own maximum, 2 GB in most builds).
BULK_MMAP_BYTES = 1 << 31
#: Records :meth:`Archive.upsert_stream` has prepared at most ahead of those written (~10 KB each).
STREAM_LOOKAHEAD = 4096
#: Records looked up together and, when new, inserted together (see :meth:`Archive._write_group`).
_GROUP = 128


def _default_workers() -> int:
    return 1 if (os.cpu_count() or 1) >= 2 else 0


class Archive:
    """A newscrawl archive at *path* (created and migrated on open).

    :param path: the SQLite file; ``":memory:"`` for a throw-away archive.
    :param readonly: open without migrating or writing (for readers during a crawl).
    :param workers: helper processes that prepare the text of large batches (at least
        :data:`POOL_MIN_BATCH` records) while this process writes; default 1 on a machine with
        two or more CPUs, 0 to prepare everything in this process.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False,
                 workers: int | None = None):
        self.path = str(path or default_db_path())
        self.workers = _default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._checkpointer: Checkpointer | None = None
        #: The transaction's search-index writes, made at its end (see _fts_insert)
        self._fts_ops: list[tuple[int, int, str, bytes, bytes] | None] = []
        self._fts_last: dict[int, int] = {}
        if readonly and self.path != ":memory:" and not Path(self.path).exists():
            raise NotAnArchive(f"no archive at {self.path} (crawl something first, or pass --db)")
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA foreign_keys = ON")
            if readonly:
                self.db.execute("PRAGMA query_only = ON")
            else:
                if self.path != ":memory:":
                    self.db.enable_wal()
                self.db.execute("PRAGMA synchronous = NORMAL")
                # A writer touches random pages of several indexes (content hash, URL keys, LSH
                # bands); SQLite's default 2 MB page cache makes each such write a read first.
                self.db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KB}")
                # Debian's and Ubuntu's SQLite are built with SECURE_DELETE: every freed page is zeroed
                # and written, and the search index frees pages all the time (each FTS5 merge drops
                # the segments it merged): at a million articles, a quarter of the log a bulk load
                # writes.  FAST (SQLite's default elsewhere is OFF) still clears deleted content in
                # the pages a write touches anyway, without writing freed pages out.
                self.db.execute("PRAGMA secure_delete = FAST")
                migrate(self.db)
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as exc:  # sqlite3.DatabaseError: file is not a database
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise NotAnArchive(f"{self.path} is not a newscrawl archive: {exc}") from exc
            raise
        if readonly:
            try:
                if "articles" not in self.db.table_names():
                    raise NotAnArchive(f"{self.path} is not a newscrawl archive (no articles table)")
                refuse_newer(self.db)       # a read-only open does not migrate, but must not misread
            except BaseException:
                self.db.conn.close()
                raise

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self.db.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes --------------------------------------------------------------------------------
    def upsert(self, record: ArticleRecord, fetch: Fetch | None = None, *,
               run_id: int | None = None, seen_at: str | None = None) -> UpsertResult:
        """Archive one record in its own transaction.  See :meth:`upsert_many`."""
        return self.upsert_many([(record, fetch)], run_id=run_id, seen_at=seen_at)[0]

    def upsert_many(self, items: Iterable[tuple[ArticleRecord, Fetch | None]], *,
                    run_id: int | None = None, seen_at: str | None = None) -> list[UpsertResult]:
        """Archive several records in one transaction; all or nothing.

        What does not depend on the database (folding the text for the index and the content hash,
        URL keys, compressing the raw HTML) is, for a large batch, computed in a helper process a
        few dozen records ahead of the writes: the two run on two cores.
        """
        items = list(items)
        prepared: Iterable[_Prepared] = (self._prepared_in_pool(items)
                                         if self.workers > 0 and len(items) >= POOL_MIN_BATCH
                                         else map(_prepare, items))
        return self._write(prepared, run_id, seen_at)

    def _write(self, prepared: Iterable[_Prepared], run_id: int | None, seen_at: str | None) -> list[UpsertResult]:
        """Write *prepared* records in one transaction (none at all: no transaction)."""
        results: list[UpsertResult] = []
        conn = self.db.conn
        now = seen_at or utcnow()
        it = iter(prepared)
        first = next(it, None)
        if first is None:
            return results
        conn.execute("BEGIN IMMEDIATE")
        try:
            source = itertools.chain((first,), it)
            while group := list(itertools.islice(source, _GROUP)):
                results += self._write_group(group, run_id, now)
            self._fts_write()
        except BaseException:
            self._fts_ops, self._fts_last = [], {}
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if self._checkpointer is not None:
            self._checkpointer.poke()
        return results

    def _write_group(self, group: list[_Prepared], run_id: int | None, now: str) -> list[UpsertResult]:
        """Write *group* (inside the open transaction), in order.

        A record none of whose URL keys and whose body hash are known, to the archive or to an
        earlier record of the group, is a new article: such records are inserted together, a few
        ``executemany`` calls for the whole run of them instead of seven statements each (the
        ids they get are the ones one-by-one inserts would give: ``max(id) + 1`` onwards, and no other
        writer runs inside this transaction).  Any other record goes through :meth:`_upsert_one`,
        after the new ones before it are written, so it sees them.
        """
        known_keys = self._known("SELECT url_key FROM url_aliases WHERE url_key IN",
                                 {key for item in group for key in item.keys})
        known_digests = self._known("SELECT body_hash FROM articles WHERE body_hash IN",
                                    {item.digest for item in group if item.digest})
        results: list[UpsertResult] = []
        fresh: list[tuple[int, _Prepared]] = []
        next_id = self._next_id()
        for item in group:
            if known_keys.isdisjoint(item.keys) and not (item.digest and item.digest in known_digests):
                fresh.append((next_id, item))
                results.append(UpsertResult(next_id, "new"))
                next_id += 1
            else:
                if fresh:
                    self._insert_new(fresh, run_id, now)
                    fresh = []
                result = self._upsert_one(item, run_id, now)
                results.append(result)
                next_id += result.outcome == "new"     # (a known article takes no id)
            known_keys.update(item.keys)
            if item.digest:
                known_digests.add(item.digest)
        if fresh:
            self._insert_new(fresh, run_id, now)
        return results

    def _next_id(self) -> int:
        """The id SQLite would give the next article (inside the write transaction: no other writer)."""
        return int(self.db.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0])

    def _known(self, select: str, values: set[str]) -> set[str]:
        """The *values* that ``select … IN (values)`` finds, asked 500 at a time (SQLite before
        3.32 allows 999 parameters a statement)."""
        found: set[str] = set()
        ordered = list(values)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            found.update(row[0] for row in self.db.conn.execute(f"{select} ({','.join('?' * len(chunk))})", chunk))
        return found

    def _insert_new(self, fresh: list[tuple[int, _Prepared]], run_id: int | None, now: str) -> None:
        """Insert new articles (ids given) with their first version, index entry, URLs and fetch:
        what :meth:`_upsert_one` does for one new article, as one statement per table."""
        conn = self.db.conn
        conn.executemany(_INSERT_ARTICLE, [(i, item.record.site, item.record.url, item.keys[0], now, now) + item.row
                                           for i, item in fresh])
        conn.executemany(
            "INSERT INTO article_versions (article_id, version, seen_at, modified, changed, extractor_version) "
            "VALUES (?, 1, ?, ?, '[\"created\"]', ?)",
            [(i, now, item.record.modified, item.record.extractor_version) for i, item in fresh])
        for i, item in fresh:
            self._fts_insert(i, item.folded_title, item.folded_body)
        conn.executemany(
            "INSERT OR IGNORE INTO url_aliases (url, url_key, article_id, site, kind, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(u, key, i, item.record.site, kind, now) for i, item in fresh for u, kind, key in item.urls])
        fetched = [(i, item) for i, item in fresh if item.fetch is not None]
        if fetched:
            conn.executemany(_FETCH_SQL, [_fetch_row(i, item, run_id) for i, item in fetched])

    def upsert_stream(self, items: Iterable[tuple[ArticleRecord, Fetch | None]], *, batch_size: int = 5000,
                      run_id: int | None = None, seen_at: str | None = None) -> Iterator[UpsertResult]:
        """Archive a long sequence of records (an import, a merge), *batch_size* per transaction, each
        transaction all or nothing; the results come in order, a batch at a time.

        Unlike calling :meth:`upsert_many` batch after batch, the helper process keeps preparing
        the next records while a batch commits, so preparing and writing overlap all along, and
        the write-ahead log is checkpointed by a thread of its own (:mod:`archive.checkpoint`) from
        the first batch until :meth:`close`.  Records are read from *items* lazily (at most
        two batches, and at most :data:`STREAM_LOOKAHEAD` records, ahead).

        Large transactions are what makes a bulk load fast: the search index writes each
        transaction's terms as one segment, and fewer, larger segments mean less merging later
        (on a million-article archive, transactions of 5,000 write a third faster than of 1,000).
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        source = iter(items)
        if self._checkpointer is None and self.path != ":memory:":
            # Checkpoints in a thread of their own from now on (see archive.checkpoint).
            self._checkpointer = Checkpointer(self.path)
            self.db.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
            # Index pages read through a memory map instead of a read() each into the page cache:
            # a bulk load reads many (lookups, FTS merges); 12% faster at 300k articles.  Only here,
            # so that a crawl's resident memory does not grow with the archive.
            self.db.execute(f"PRAGMA mmap_size = {BULK_MMAP_BYTES}")
        if self.workers > 0:
            prepared: Iterator[_Prepared] = self._prepared_in_pool(
                source, lookahead=min(2 * batch_size, STREAM_LOOKAHEAD))
        else:
            prepared = map(_prepare, source)
        while True:
            batch = itertools.islice(prepared, batch_size)
            results = self._write(batch, run_id, seen_at)
            if not results:
                return
            yield from results

    def _prepared_in_pool(self, items: Iterable[tuple[ArticleRecord, Fetch | None]], *,
                          lookahead: int | None = None) -> Iterator[_Prepared]:
        """:func:`_prepare` for every item, in order, the deriving done by the helper process, which
        works up to *lookahead* records ahead of what has been taken (default: all of them)."""
        source = iter(items)
        pending: collections.deque[tuple[list[tuple[ArticleRecord, Fetch | None]], Future[list[_Derived]] | None]]
        pending = collections.deque()
        ahead = 0

        def fill() -> None:
            nonlocal ahead
            while lookahead is None or ahead < lookahead:
                chunk = list(itertools.islice(source, _POOL_CHUNK))
                if not chunk:
                    return
                future = None
                if self._pool is not None:
                    try:
                        future = self._pool.submit(_derive_chunk, [_inputs(r, f) for r, f in chunk])
                    except (RuntimeError, BrokenProcessPool) as exc:  # the chunk is kept: done here
                        self._lose_pool(f"helper process lost ({exc!r})")
                pending.append((chunk, future))
                ahead += len(chunk)

        if self._pool is None:
            try:
                # fork, not spawn: a spawned helper re-imports the caller's __main__, which re-runs
                # any script without a __name__ guard.  The forked helper only runs _derive_chunk:
                # it never touches the inherited SQLite connection and leaves through os._exit.
                self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=multiprocessing.get_context("fork"))
            except (OSError, RuntimeError) as exc:
                self._lose_pool(f"no helper process ({exc!r})")
        fill()
        while pending:
            chunk, future = pending.popleft()
            ahead -= len(chunk)
            derived = None
            if future is not None and self._pool is not None:
                try:
                    derived = future.result(timeout=_POOL_TIMEOUT)
                except (BrokenProcessPool, TimeoutError) as exc:  # killed, out of memory, stuck
                    self._lose_pool(f"helper process lost ({exc!r})")
            if derived is None:
                derived = _derive_chunk([_inputs(record, fetch) for record, fetch in chunk])
            for (record, fetch), d in zip(chunk, derived, strict=True):
                yield _assemble(record, fetch, d)
            fill()

    def _lose_pool(self, why: str) -> None:
        """Stop using the helper process (for good: this archive prepares in-process from now on)."""
        log.warning("archive: %s; preparing records in this process", why)
        pool, self._pool, self.workers = self._pool, None, 0
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):  # a stuck helper
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def _find(self, keys: list[str], digest: str | None) -> tuple[dict[str, Any] | None, str]:
        conn = self.db.conn
        for key in keys:
            cursor = conn.execute("SELECT a.* FROM url_aliases u JOIN articles a ON a.id = u.article_id "
                                  "WHERE u.url_key = ? LIMIT 1", [key])
            row = cursor.fetchone()
            if row is not None:
                return self._row(cursor, row), "url"
        if digest:
            cursor = conn.execute("SELECT * FROM articles WHERE body_hash = ? LIMIT 1", [digest])
            row = cursor.fetchone()
            if row is not None:
                return self._row(cursor, row), "body"
        return None, ""

    @staticmethod
    def _row(cursor: Any, row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip((d[0] for d in cursor.description), row, strict=True))

    def _upsert_one(self, item: _Prepared, run_id: int | None, now: str) -> UpsertResult:
        record, fetch, urls, keys, digest, values = (item.record, item.fetch, item.urls, item.keys, item.digest,
                                                     item.values)
        existing, matched_by = self._find(keys, digest)
        if existing is None:
            article_id = self._next_id()
            self._insert_new([(article_id, item)], run_id, now)
            return UpsertResult(article_id, "new")
        article_id = existing["id"]
        changed = tuple(f for f in _CONTENT_FIELDS if (values[f] or "") != (existing[f] or ""))
        update: dict[str, Any] = {"last_seen": now}
        is_copy = existing["url_key"] not in keys and (
            matched_by == "body" or (existing["site"] or "") != (record.site or ""))
        if is_copy:
            # Another URL (usually another site) with the same text: a copy of a known article.
            # The earliest publication owns the record, whatever order the crawl found them in.
            # A copy whose text later diverged stays attached by its URL but never versions the
            # original: only the primary URL's page can edit the record.
            if digest == existing["body_hash"] and record.published and (
                    not existing["published"] or record.published < existing["published"]):
                update.update(values, site=record.site, url=record.url, url_key=keys[0])
            changed, outcome = (), "merged"
        elif existing["source_kind"] == "amp" and not record.is_amp:
            # The canonical page supersedes what was read from its AMP copy: not an edit.
            update.update(values, url=record.url, url_key=keys[0])
            changed, outcome = (), "merged"
        elif record.is_amp and existing["source_kind"] != "amp":
            changed, outcome = (), "merged"     # AMP copy of a known page: alias only
        elif changed:
            update.update(values, version=existing["version"] + 1)
            self._keep_version_text(article_id, existing)
            self._add_version(article_id, existing["version"] + 1, record, now, list(changed))
            outcome = "updated"
        else:
            # Unchanged text; metadata may have been filled in (e.g. a modified date).
            update.update({k: v for k, v in values.items() if v not in (None, "", "[]")})
            outcome = "unchanged"
        if any(f in update for f in _CONTENT_FIELDS):   # the record's text replaces the archived one
            self._fts_delete(article_id, fold(existing["title"]).encode(), fold(existing["body"]).encode())
            self._fts_insert(article_id, item.folded_title, item.folded_body)
        self._update("articles", article_id, update)
        new_alias = self._new_alias_count(urls)
        if outcome in ("merged", "unchanged"):
            outcome = "merged" if new_alias else "unchanged"
        self._add_aliases(article_id, record.site, urls, now)
        if fetch is not None:
            self._add_fetch(article_id, item, run_id)
        return UpsertResult(article_id, outcome, tuple(changed))

    def _new_alias_count(self, urls: list[tuple[str, str, str]]) -> int:
        placeholders = ",".join("?" * len(urls))
        known = self.db.conn.execute(f"SELECT count(*) FROM url_aliases WHERE url IN ({placeholders})",
                                [u for u, _, _ in urls]).fetchone()[0]
        return len(urls) - known

    def _add_aliases(self, article_id: int, site: str | None, urls: list[tuple[str, str, str]], now: str) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO url_aliases (url, url_key, article_id, site, kind, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(u, key, article_id, site, kind, now) for u, kind, key in urls])

    # Writes inside upsert_many's explicit transaction use plain SQL: sqlite-utils' Table.update
    # wraps itself in ``with conn:``, which would commit half a batch.
    def _update(self, table: str, rowid: int, row: dict[str, Any]) -> None:
        assignments = ", ".join(f"[{c}] = ?" for c in row)
        self.db.conn.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?", [*row.values(), rowid])

    def _add_version(self, article_id: int, version: int, record: ArticleRecord, now: str,
                     changed: list[str]) -> None:
        """The row of the article's new current version.  It keeps no copy of the text: that is
        the article's text in ``articles`` (half the bytes written per new article);
        :meth:`_keep_version_text` fills it in when a newer version replaces it."""
        self.db.conn.execute(
            "INSERT INTO article_versions (article_id, version, seen_at, modified, changed, extractor_version) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [article_id, version, now, record.modified, json.dumps(changed), record.extractor_version])

    def _keep_version_text(self, article_id: int, existing: dict[str, Any]) -> None:
        """Copy the text being replaced into its version row (if that row does not have it yet)."""
        self.db.conn.execute(
            "UPDATE article_versions SET title = ?, body = ? WHERE article_id = ? AND version = ? "
            "AND body IS NULL", [existing["title"], existing["body"], article_id, existing["version"]])

    def _add_fetch(self, article_id: int, item: _Prepared, run_id: int | None) -> None:
        self.db.conn.execute(_FETCH_SQL, _fetch_row(article_id, item, run_id))

    # FTS5 gathers a transaction's terms in memory and writes them out as one segment, but only while
    # rowids come in increasing order: a write to a lower rowid (re-indexing an article already
    # archived), or a second write to the same rowid after an insert, first writes out what it has
    # gathered.  Done in place, every update in a batch would cut the batch's segment in two, and
    # the many small segments cost merges that made a third of the write time on a large archive.
    # So the index is written at the end of the transaction, in rowid order, one segment per batch;
    # operations on one rowid keep their order, and an insert undone by a delete of the same text
    # later in the batch (an article edited twice within it) is dropped with that delete.
    def _fts_insert(self, article_id: int, folded_title: bytes, folded_body: bytes) -> None:
        self._fts_last[article_id] = len(self._fts_ops)
        self._fts_ops.append((article_id, len(self._fts_ops), "insert", folded_title, folded_body))

    def _fts_delete(self, article_id: int, folded_title: bytes, folded_body: bytes) -> None:
        last = self._fts_last.pop(article_id, None)     # the article's pending insert, if any
        if last is not None and (op := self._fts_ops[last]) is not None and op[3:] == (folded_title, folded_body):
            self._fts_ops[last] = None
            return
        self._fts_ops.append((article_id, len(self._fts_ops), "delete", folded_title, folded_body))

    def _fts_write(self) -> None:
        # (A contentless FTS5 table forgets a row by being told the exact values it indexed.)
        ops = sorted(op for op in self._fts_ops if op is not None)
        self._fts_ops, self._fts_last = [], {}
        for kind, run in itertools.groupby(ops, key=lambda op: op[2]):
            sql = ("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)" if kind == "insert" else
                   "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)")
            self.db.conn.executemany(sql, [(rowid, title, body) for rowid, _, _, title, body in run])

    # -- crawl runs ----------------------------------------------------------------------------
    def start_run(self, site: str | None, args: dict[str, Any] | None = None) -> int:
        with self.db.conn:
            return self.db["crawl_runs"].insert({
                "site": site, "started": utcnow(), "finish_reason": "running",
                "args": json.dumps(args or {}, ensure_ascii=False)}).last_pk

    def finish_run(self, run_id: int, reason: str, counts: dict[str, int], stats: dict[str, Any]) -> None:
        with self.db.conn:
            self.db["crawl_runs"].update(run_id, dict(
                counts, finished=utcnow(), finish_reason=reason,
                stats=json.dumps(stats, ensure_ascii=False, default=str)))

    # -- reads ---------------------------------------------------------------------------------
    def get(self, article_id: int) -> dict[str, Any]:
        """One article as a dict (JSON fields decoded, aliases included)."""
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        if not rows:
            raise NoSuchArticle(f"no article with id {article_id}")
        return self._decode(rows[0])

    def _decode(self, row: dict[str, Any]) -> dict[str, Any]:
        for name in _JSON_FIELDS:
            if isinstance(row.get(name), str):
                row[name] = json.loads(row[name])
        row["aliases"] = [r["url"] for r in self.db.query(
            "SELECT url FROM url_aliases WHERE article_id = ? ORDER BY rowid", [row["id"]])]
        return row

    def articles(self, *, site: str | None = None) -> Iterator[dict[str, Any]]:
        """Every article, oldest first (streamed)."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        for row in self.db.query(f"SELECT * FROM articles {where} ORDER BY id", params):
            yield self._decode(row)

    def raw_html(self, article_id: int) -> bytes | None:
        row = self.db.execute("SELECT html, compression FROM fetches WHERE article_id = ? "
                              "ORDER BY fetched_at DESC, id DESC LIMIT 1", [article_id]).fetchone()
        return compress.unpack(row[0], row[1]) if row and row[0] is not None else None

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
