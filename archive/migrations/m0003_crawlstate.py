"""Incremental-crawl state: per-URL fetch state, per-site run records, sitemap watermarks.

- ``crawl_state``: one row per URL the crawler fetched (validators for conditional requests, last
  status, the last failure with its kind, reason and consecutive attempts), indexed by URL key too.  Whether a URL is
  *archived* is never stored here: ``url_aliases`` is the source of truth.
- ``crawl_run_sites``: one row per site per crawl run (counts, errors by kind, finish reason,
  extraction-degradation flag); ``owner`` names the process so a row left ``running`` by a
  killed process can be told from one of the live process.
- ``crawl_watermarks``: per sitemap, the newest ``lastmod`` seen by the last successful run.
"""

import sqlite_utils

from archive.schema import migration, run_script


@migration(3, "crawlstate")
def _crawlstate(db: sqlite_utils.Database) -> None:
    run_script(db, """
    CREATE TABLE crawl_state (
        url TEXT PRIMARY KEY,
        url_key TEXT NOT NULL,
        site TEXT,
        kind TEXT,
        etag TEXT,
        last_modified TEXT,
        last_status INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_reason TEXT,
        first_fetched TEXT,
        last_fetched TEXT,
        last_ok TEXT,
        run_id INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX crawl_state_key ON crawl_state(url_key);
    CREATE INDEX crawl_state_errors ON crawl_state(site, error_kind) WHERE error_kind IS NOT NULL;

    CREATE TABLE crawl_run_sites (
        run_id INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
        site TEXT NOT NULL,
        owner TEXT,
        started TEXT NOT NULL,
        finished TEXT,
        duration REAL,
        finish_reason TEXT NOT NULL DEFAULT 'running',
        requests INTEGER DEFAULT 0,
        pages_fetched INTEGER DEFAULT 0,
        not_modified INTEGER DEFAULT 0,
        skipped INTEGER DEFAULT 0,
        new INTEGER DEFAULT 0,
        updated INTEGER DEFAULT 0,
        unchanged INTEGER DEFAULT 0,
        merged INTEGER DEFAULT 0,
        dropped INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0,
        errors_by_kind TEXT,
        candidates INTEGER DEFAULT 0,
        incomplete INTEGER DEFAULT 0,
        degraded INTEGER NOT NULL DEFAULT 0,
        degraded_reason TEXT,
        PRIMARY KEY (run_id, site)
    );
    CREATE INDEX crawl_run_sites_site ON crawl_run_sites(site, finish_reason, finished);
    CREATE INDEX crawl_run_sites_running ON crawl_run_sites(finish_reason) WHERE finish_reason = 'running';

    CREATE TABLE crawl_watermarks (
        url TEXT PRIMARY KEY,
        site TEXT,
        lastmod TEXT NOT NULL,
        run_id INTEGER,
        updated TEXT NOT NULL
    );
    CREATE INDEX crawl_watermarks_site ON crawl_watermarks(site)
    """)
