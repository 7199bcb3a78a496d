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

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from . import compress
from .errors import NoSuchArticle, NotAnArchive
from .record import ArticleRecord, Fetch
from .schema import migrate
from .text import body_hash, fold
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


class Archive:
    """A newscrawl archive at *path* (created and migrated on open).

    :param path: the SQLite file; ``":memory:"`` for a throw-away archive.
    :param readonly: open without migrating or writing (for readers during a crawl).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, readonly: bool = False):
        self.path = str(path or default_db_path())
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
                migrate(self.db)
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as exc:  # sqlite3.DatabaseError: file is not a database
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise NotAnArchive(f"{self.path} is not a newscrawl archive: {exc}") from exc
            raise
        if readonly and "articles" not in self.db.table_names():
            raise NotAnArchive(f"{self.path} is not a newscrawl archive (no articles table)")

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
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
        """Archive several records in one transaction; all or nothing."""
        results = []
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for record, fetch in items:
                results.append(self._upsert_one(record, fetch, run_id, seen_at or utcnow()))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return results

    def _record_urls(self, record: ArticleRecord, fetch: Fetch | None) -> list[tuple[str, str]]:
        """(url, kind) pairs for every URL this record is known by, primary first."""
        urls = [(record.url, "amp-canonical" if record.is_amp else "canonical")]
        if fetch is not None:
            urls += [(u, "redirect") for u in fetch.redirect_urls]
            urls.append((fetch.url, "amp" if record.is_amp else "fetched"))
            if fetch.final_url:
                urls.append((fetch.final_url, "amp" if record.is_amp else "fetched"))
        urls += [(u, "declared") for u in record.aliases]
        seen: set[str] = set()
        unique = []
        for url, kind in urls:
            if url and url not in seen:
                seen.add(url)
                unique.append((url, kind))
        return unique

    def _find(self, keys: list[str], digest: str | None) -> tuple[dict[str, Any] | None, str]:
        for key in keys:
            row = self.db.execute(
                "SELECT a.* FROM url_aliases u JOIN articles a ON a.id = u.article_id "
                "WHERE u.url_key = ? LIMIT 1", [key]).fetchone()
            if row is not None:
                return self._row(row), "url"
        if digest:
            row = self.db.execute("SELECT * FROM articles WHERE body_hash = ? LIMIT 1", [digest]).fetchone()
            if row is not None:
                return self._row(row), "body"
        return None, ""

    def _row(self, row: tuple[Any, ...]) -> dict[str, Any]:
        columns = self.db["articles"].columns_dict
        return dict(zip(columns, row))

    def _upsert_one(self, record: ArticleRecord, fetch: Fetch | None, run_id: int | None,
                    now: str) -> UpsertResult:
        urls = self._record_urls(record, fetch)
        keys = list(dict.fromkeys(url_key(u) for u, _ in urls))
        folded_title, folded_body = fold(record.title), fold(record.body)
        digest = body_hash(record.body, folded=folded_body)
        existing, matched_by = self._find(keys, digest)
        values = {f: getattr(record, f) for f in _CONTENT_FIELDS + _META_FIELDS}
        for name in _JSON_FIELDS:
            values[name] = json.dumps(values[name] or [], ensure_ascii=False)
        values.update(body_hash=digest, extractor_version=record.extractor_version,
                      source_kind="amp" if record.is_amp else "html")

        if existing is None:
            article_id = self._insert("articles", dict(
                values, site=record.site, url=record.url, url_key=keys[0], version=1,
                first_seen=now, last_seen=now))
            self._add_version(article_id, 1, record, now, ["created"])
            self._fts_insert(article_id, folded_title, folded_body)
            outcome, changed = "new", ()
        else:
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
                self._add_version(article_id, existing["version"] + 1, record, now, list(changed))
                outcome = "updated"
            else:
                # Unchanged text; metadata may have been filled in (e.g. a modified date).
                update.update({k: v for k, v in values.items() if v not in (None, "", "[]")})
                outcome = "unchanged"
            if any(f in update for f in _CONTENT_FIELDS):
                self._fts_delete(article_id, fold(existing["title"]), fold(existing["body"]))
                self._fts_insert(article_id, fold(update.get("title", existing["title"])),
                                 fold(update.get("body", existing["body"])))
            self._update("articles", article_id, update)
            new_alias = self._new_alias_count(urls)
            if outcome in ("merged", "unchanged"):
                outcome = "merged" if new_alias else "unchanged"
        self._add_aliases(article_id, record.site, urls, now)
        if fetch is not None:
            self._add_fetch(article_id, fetch, run_id)
        return UpsertResult(article_id, outcome, tuple(changed))

    def _new_alias_count(self, urls: list[tuple[str, str]]) -> int:
        placeholders = ",".join("?" * len(urls))
        known = self.db.execute(f"SELECT count(*) FROM url_aliases WHERE url IN ({placeholders})",
                                [u for u, _ in urls]).fetchone()[0]
        return len(urls) - known

    def _add_aliases(self, article_id: int, site: str | None, urls: list[tuple[str, str]], now: str) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO url_aliases (url, url_key, article_id, site, kind, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(u, url_key(u), article_id, site, kind, now) for u, kind in urls])

    # Writes inside upsert_many's explicit transaction use plain SQL: sqlite-utils' Table.insert and
    # Table.update wrap themselves in ``with conn:``, which would commit half a batch.
    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(f"[{c}]" for c in row)
        cursor = self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})",
                                 list(row.values()))
        return int(cursor.lastrowid)

    def _update(self, table: str, rowid: int, row: dict[str, Any]) -> None:
        assignments = ", ".join(f"[{c}] = ?" for c in row)
        self.db.execute(f"UPDATE [{table}] SET {assignments} WHERE rowid = ?", [*row.values(), rowid])

    def _add_version(self, article_id: int, version: int, record: ArticleRecord, now: str,
                     changed: list[str]) -> None:
        self.db.execute(
            "INSERT INTO article_versions (article_id, version, seen_at, title, body, modified, changed, "
            "extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [article_id, version, now, record.title, record.body, record.modified,
             json.dumps(changed), record.extractor_version])

    def _add_fetch(self, article_id: int, fetch: Fetch, run_id: int | None) -> None:
        blob, method, sha1 = None, None, None
        if fetch.html is not None:
            sha1 = hashlib.sha1(fetch.html).hexdigest()
            blob, method = compress.pack(fetch.html)
        self.db.execute(
            "INSERT INTO fetches (article_id, url, final_url, status, fetched_at, encoding, html_sha1, "
            "html, compression, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (article_id, html_sha1) DO UPDATE SET fetched_at = excluded.fetched_at, "
            "status = excluded.status, run_id = excluded.run_id",
            [article_id, fetch.url, fetch.final_url, fetch.status, fetch.fetched_at, fetch.encoding,
             sha1, blob, method, run_id])

    def _fts_insert(self, article_id: int, folded_title: str, folded_body: str) -> None:
        self.db.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                        [article_id, folded_title, folded_body])

    def _fts_delete(self, article_id: int, folded_title: str, folded_body: str) -> None:
        # A contentless FTS5 table forgets a row by being told the exact values it indexed.
        self.db.execute("INSERT INTO articles_fts (articles_fts, rowid, title, body) "
                        "VALUES ('delete', ?, ?, ?)", [article_id, folded_title, folded_body])

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
