"""Schema of the archive as registered, transactional migrations (the sqlite-migrate pattern).

Each migration is a function of a :class:`sqlite_utils.Database`, applied once inside a transaction
and recorded in ``_migrations``.  Opening an older archive applies what is missing; an archive that
records a migration this code does not know was written by a newer version and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from .errors import SchemaTooNew

__all__ = ["MIGRATIONS", "migrate", "SCHEMA_VERSION"]

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(number: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((number, name, fn))
        return fn
    return register


@migration(1, "initial")
def _initial(db: sqlite_utils.Database) -> None:
    _script(db, """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        site TEXT,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        title TEXT,
        body TEXT,
        category TEXT,
        author TEXT,
        tags TEXT,
        images TEXT,
        related_links TEXT,
        published TEXT,
        published_raw TEXT,
        modified TEXT,
        modified_raw TEXT,
        language TEXT,
        body_hash TEXT,
        source_kind TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        extractor_version TEXT
    );
    CREATE INDEX articles_body_hash ON articles(body_hash);
    CREATE INDEX articles_url_key ON articles(url_key);
    CREATE INDEX articles_site_published ON articles(site, published);
    CREATE INDEX articles_published ON articles(published);

    CREATE TABLE url_aliases (
        url TEXT PRIMARY KEY,
        url_key TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        site TEXT,
        kind TEXT,
        first_seen TEXT NOT NULL
    );
    CREATE INDEX url_aliases_key ON url_aliases(url_key);
    CREATE INDEX url_aliases_article ON url_aliases(article_id);

    CREATE TABLE article_versions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        seen_at TEXT NOT NULL,
        title TEXT,
        body TEXT,
        modified TEXT,
        changed TEXT,
        extractor_version TEXT,
        UNIQUE (article_id, version)
    );

    CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        final_url TEXT,
        status INTEGER,
        fetched_at TEXT NOT NULL,
        encoding TEXT,
        html_sha1 TEXT,
        html BLOB,
        compression TEXT,
        run_id INTEGER
    );
    CREATE INDEX fetches_article ON fetches(article_id);
    CREATE UNIQUE INDEX fetches_article_html ON fetches(article_id, html_sha1);

    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        site TEXT,
        started TEXT NOT NULL,
        finished TEXT,
        finish_reason TEXT,
        pages_fetched INTEGER DEFAULT 0,
        new INTEGER DEFAULT 0,
        updated INTEGER DEFAULT 0,
        unchanged INTEGER DEFAULT 0,
        merged INTEGER DEFAULT 0,
        dropped INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0,
        stats TEXT,
        args TEXT
    );

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='', tokenize='unicode61 remove_diacritics 0'
    );
    """)


def _script(db: sqlite_utils.Database, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit)."""
    for statement in sql.split(";\n"):
        if statement.strip():
            db.execute(statement)


SCHEMA_VERSION = max(number for number, _, _ in MIGRATIONS)


def applied(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row[0] for row in db.execute("SELECT number FROM _migrations")}


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply missing migrations in order; return the numbers applied.

    :raises SchemaTooNew: the archive has migrations this code does not know.
    """
    done = applied(db)
    unknown = done - {number for number, _, _ in MIGRATIONS}
    if unknown:
        raise SchemaTooNew(
            f"this archive was written by a newer newscrawl (schema migration {max(unknown)}; "
            f"this version knows up to {SCHEMA_VERSION}): upgrade newscrawl to open it")
    ran = []
    for number, name, fn in sorted(MIGRATIONS):
        if number in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations "
                       "(number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?, ?)",
                       [number, name, datetime.now(UTC).isoformat(timespec="seconds")])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        ran.append(number)
    return ran
