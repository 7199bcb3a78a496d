"""A duplicate-request filter that keeps the fingerprints seen in a crawl on disk, not in memory.

Scrapy's ``RFPDupeFilter`` holds every fingerprint of a crawl in a Python set (about 90 bytes each,
several per article) and, with ``JOBDIR``, appends them to ``requests.seen``.  This one keeps them
in a SQLite table in the job directory (``requests.seen.sqlite``, 20-byte keys, a bounded page
cache), so memory stays flat however large the crawl.  Without a job directory it is Scrapy's filter.

The table is committed every ``NEWSCRAWL_DUPEFILTER_BATCH`` new fingerprints and when the crawl
closes; after ``SIGKILL`` the whole job state is discarded anyway (:mod:`.runguard`), so nothing
here needs to survive a crash.  :mod:`.runguard` installs it when it sets up a job directory and no
other filter was chosen.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

__all__ = ["SEEN_FILE", "DiskDupeFilter"]

SEEN_FILE = "requests.seen.sqlite"


class DiskDupeFilter(RFPDupeFilter):
    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter: Any = None,
                 batch: int = 5000):
        super().__init__(None, debug, fingerprinter=fingerprinter)
        self.conn: sqlite3.Connection | None = None
        self.batch = batch
        self._uncommitted = 0
        if path:
            Path(path).mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(Path(path) / SEEN_FILE, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode = OFF")
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("PRAGMA cache_size = -4096")
            self.conn.execute("CREATE TABLE IF NOT EXISTS seen (fp BLOB PRIMARY KEY) WITHOUT ROWID")
            self.conn.execute("BEGIN")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskDupeFilter:
        settings = crawler.settings
        return cls(job_dir(settings), settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter,
                   batch=settings.getint("NEWSCRAWL_DUPEFILTER_BATCH", 5000))

    def request_seen(self, request: Request) -> bool:
        if self.conn is None:
            return super().request_seen(request)
        fingerprint = self._fingerprint(request)
        if self.conn.execute("INSERT OR IGNORE INTO seen (fp) VALUES (?)", (fingerprint,)).rowcount == 0:
            return True
        self._uncommitted += 1
        if self._uncommitted >= self.batch:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")
            self._uncommitted = 0
        return False

    def close(self, reason: str) -> None:
        if self.conn is not None:
            self.conn.execute("COMMIT")
            self.conn.close()
            self.conn = None
        super().close(reason)
