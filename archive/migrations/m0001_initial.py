"""Articles, URL aliases, versions, fetches (raw HTML), crawl runs, the Arabic FTS index."""

import sqlite_utils

from archive.schema import migration, run_script


@migration(1, "initial")
def _initial(db: sqlite_utils.Database) -> None:
    run_script(db, """
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


