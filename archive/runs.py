"""Crawl runs: the per-archive run lock, per-site run records, degradation flags, the run list.

- :func:`acquire_run_lock` takes ``fcntl.flock`` on ``<db>.lock`` (re-entrant within one process,
  released by the kernel if the process dies), so two crawls never write one archive at once.
- A run row left ``running`` by a process that no longer holds the lock was killed:
  :func:`mark_interrupted` turns it into ``interrupted`` when the next run starts.
- :func:`finish_site_run` writes a site's counts and compares its extraction with the site's own
  history (:func:`degradation`), the way a monitoring tool flags a changed page template.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from .crawlstate import parse_timestamp, utc_timestamp
from .errors import ArchiveLocked

__all__ = [
    "PROCESS_TOKEN",
    "RunLock",
    "SiteCounts",
    "acquire_run_lock",
    "degradation",
    "finish_site_run",
    "list_runs",
    "lock_held",
    "mark_interrupted",
    "start_site_run",
    "wait_past_last_run",
]

logger = logging.getLogger(__name__)

#: Names this process in run rows: ``host:pid:random``.
PROCESS_TOKEN = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_COUNT_FIELDS = ("requests", "pages_fetched", "not_modified", "skipped", "new", "updated", "unchanged",
                 "merged", "dropped", "errors", "candidates", "incomplete")


# -- the run lock -----------------------------------------------------------------------------------
class RunLock:
    """An exclusive ``flock`` on ``<db>.lock``; the file records the holder (pid, start time, command).

    :raises ArchiveLocked: from :meth:`acquire`, when another process holds it.
    """

    def __init__(self, db_path: str | os.PathLike[str]):
        self.db_path = str(db_path)
        self.path = Path(f"{db_path}.lock")
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, *, command: str = "crawl") -> None:
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise ArchiveLocked(
                f"another newscrawl run is writing {self.db_path} ({holder}); this run exits without "
                f"crawling. Runs must not overlap: wait for it, or space the schedule further apart."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, {command} since {utc_timestamp()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is None:
            return
        try:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._file.close()
            self._file = None


_HELD: dict[str, tuple[RunLock, int]] = {}


def _lock_key(db_path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(db_path))


def acquire_run_lock(db_path: str | os.PathLike[str], *, command: str = "crawl") -> None:
    """Take the run lock of the archive at *db_path*; nested calls in one process only count.

    :raises ArchiveLocked: another process holds it.
    """
    if str(db_path) == ":memory:":
        return
    key = _lock_key(db_path)
    lock, count = _HELD.get(key, (None, 0))
    if lock is None:
        lock = RunLock(db_path)
        lock.acquire(command=command)
    _HELD[key] = (lock, count + 1)


def release_run_lock(db_path: str | os.PathLike[str]) -> None:
    if str(db_path) == ":memory:":
        return
    key = _lock_key(db_path)
    lock, count = _HELD.get(key, (None, 0))
    if lock is None:
        return
    if count <= 1:
        lock.release()
        del _HELD[key]
    else:
        _HELD[key] = (lock, count - 1)


def lock_held(db_path: str | os.PathLike[str]) -> bool:
    """True when this process holds the run lock of the archive at *db_path*."""
    return str(db_path) == ":memory:" or _lock_key(db_path) in _HELD


# -- run rows -------------------------------------------------------------------------------------
def mark_interrupted(db: sqlite_utils.Database, *, owner: str = PROCESS_TOKEN) -> list[int]:
    """Mark runs left ``running`` by other (dead) processes as ``interrupted``; return their ids.

    Call it while holding the run lock: then no other process can be crawling this archive.
    What the dead run archived is counted from the archive (``new`` articles first seen since it
    started); its other counts are lost with the process.
    """
    now = utc_timestamp()
    stale_sites = db.execute(
        "SELECT run_id, site, started FROM crawl_run_sites WHERE finish_reason = 'running' "
        "AND coalesce(owner, '') != ?", [owner]).fetchall()
    stale_runs = [r[0] for r in db.execute(
        "SELECT id FROM crawl_runs WHERE finish_reason = 'running' AND ("
        "  id IN (SELECT run_id FROM crawl_run_sites WHERE coalesce(owner, '') != ?) OR "
        "  (json_valid(args) AND json_extract(args, '$.owner') IS NOT NULL "
        "   AND json_extract(args, '$.owner') != ?))", [owner, owner])]
    if not stale_sites and not stale_runs:
        return []
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for run_id, site, started in stale_sites:
            new = db.execute("SELECT count(*) FROM articles WHERE site = ? AND first_seen >= ?",
                             [site, started]).fetchone()[0]
            conn.execute(
                "UPDATE crawl_run_sites SET finish_reason = 'interrupted', finished = ?, new = ?, "
                "duration = ? WHERE run_id = ? AND site = ?",
                [now, new, _seconds_between(started, now), run_id, site])
        for run_id in stale_runs:
            conn.execute(
                "UPDATE crawl_runs SET finish_reason = 'interrupted', finished = ?, new = coalesce(("
                "SELECT sum(new) FROM crawl_run_sites WHERE run_id = ?), new) WHERE id = ?",
                [now, run_id, run_id])
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    for run_id in stale_runs:
        logger.warning("crawl run #%d was killed before it finished: marked as interrupted", run_id)
    return stale_runs


def _seconds_between(start: str | None, end: str | None) -> float | None:
    a, b = parse_timestamp(start), parse_timestamp(end)
    return round((b - a).total_seconds(), 3) if a and b else None


def wait_past_last_run(db: sqlite_utils.Database, sites: list[str], *, sleep: Any = None) -> None:
    """Wait (at most a second) until the clock has left the second in which the last run of one of
    *sites* finished: everything a new run records is then strictly later than that run."""
    import time

    if not sites:
        return
    marks = ",".join("?" * len(sites))
    last = db.execute(f"SELECT max(finished) FROM crawl_run_sites WHERE site IN ({marks})", sites).fetchone()[0]
    while last and utc_timestamp() <= last:
        (sleep or time.sleep)(0.05)


def start_site_run(db: sqlite_utils.Database, run_id: int, site: str, *, owner: str = PROCESS_TOKEN,
                   started: str | None = None) -> None:
    with db.conn:
        db.conn.execute(
            "INSERT INTO crawl_run_sites (run_id, site, owner, started, finish_reason) "
            "VALUES (?, ?, ?, ?, 'running') ON CONFLICT (run_id, site) DO UPDATE SET "
            "owner = excluded.owner, started = excluded.started, finish_reason = 'running'",
            [run_id, site, owner, started or utc_timestamp()])


@dataclass(slots=True)
class SiteCounts:
    """What one site did in one run."""

    requests: int = 0
    pages_fetched: int = 0
    not_modified: int = 0
    skipped: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    dropped: int = 0
    errors: int = 0
    candidates: int = 0        #: new articles + pages on article URLs where no article was found
    incomplete: int = 0        #: … of which without a body or without a publication date
    errors_by_kind: dict[str, int] | None = None


def degradation(candidates: int, incomplete: int, history_candidates: int, history_incomplete: int, *,
                threshold: float = 0.30, min_articles: int = 5) -> str | None:
    """Why a site's extraction looks broken in this run (``None`` when it does not).

    Flagged when at least *min_articles* article pages were seen, the site has a history of at
    least as many, and the share of them without a body or a date exceeds the site's own past
    share by more than *threshold* (0.30: thirty percentage points).
    """
    if candidates < min_articles or history_candidates < min_articles:
        return None
    rate = incomplete / candidates
    baseline = history_incomplete / history_candidates
    if rate - baseline <= threshold:
        return None
    return (f"{incomplete} of {candidates} new article pages ({rate:.0%}) have no body or no date, "
            f"against {baseline:.0%} in this site's previous runs: template changed?")


def _history(db: sqlite_utils.Database, site: str, run_id: int, runs: int = 20) -> tuple[int, int]:
    row = db.execute(
        "SELECT coalesce(sum(candidates), 0), coalesce(sum(incomplete), 0) FROM ("
        "SELECT candidates, incomplete FROM crawl_run_sites WHERE site = ? AND run_id != ? "
        "AND finish_reason = 'finished' ORDER BY started DESC LIMIT ?)", [site, run_id, runs]).fetchone()
    return int(row[0]), int(row[1])


def finish_site_run(db: sqlite_utils.Database, run_id: int, site: str, *, reason: str, counts: SiteCounts,
                    threshold: float = 0.30, min_articles: int = 5) -> dict[str, Any]:
    """Record a site's result in run *run_id*; return the row (with ``degraded_reason``)."""
    hist_candidates, hist_incomplete = _history(db, site, run_id)
    flag = degradation(counts.candidates, counts.incomplete, hist_candidates, hist_incomplete,
                       threshold=threshold, min_articles=min_articles)
    now = utc_timestamp()
    started = db.execute("SELECT started FROM crawl_run_sites WHERE run_id = ? AND site = ?",
                         [run_id, site]).fetchone()
    values: dict[str, Any] = {name: int(getattr(counts, name)) for name in _COUNT_FIELDS}
    values.update(finished=now, finish_reason=reason,
                  duration=_seconds_between(started[0] if started else None, now),
                  errors_by_kind=json.dumps(counts.errors_by_kind or {}, sort_keys=True),
                  degraded=1 if flag else 0, degraded_reason=flag)
    assignments = ", ".join(f"{k} = ?" for k in values)
    with db.conn:
        if started is None:
            db.conn.execute("INSERT INTO crawl_run_sites (run_id, site, owner, started) VALUES (?, ?, ?, ?)",
                            [run_id, site, PROCESS_TOKEN, now])
        db.conn.execute(f"UPDATE crawl_run_sites SET {assignments} WHERE run_id = ? AND site = ?",
                        [*values.values(), run_id, site])
    if flag:
        logger.warning("%s: %s", site, flag)
    return {"run_id": run_id, "site": site, **values}


def list_runs(db: sqlite_utils.Database, *, limit: int = 20, site: str | None = None,
              run_id: int | None = None) -> list[dict[str, Any]]:
    """The last *limit* runs (or run *run_id*), newest first, one dict per run and site (JSON fields
    decoded)."""
    where, params = ("WHERE s.site = ?", [site]) if site else ("", [])
    run_ids = [run_id] if run_id is not None else [r[0] for r in db.execute(
        f"SELECT DISTINCT s.run_id FROM crawl_run_sites s {where} ORDER BY s.run_id DESC LIMIT ?",
        [*params, limit])]
    if not run_ids:
        return []
    marks = ",".join("?" * len(run_ids))
    site_filter, site_params = ("AND s.site = ?", [site]) if site else ("", [])
    rows = []
    for row in db.query(
            f"SELECT s.*, r.started AS run_started, r.finish_reason AS run_finish_reason "
            f"FROM crawl_run_sites s JOIN crawl_runs r ON r.id = s.run_id "
            f"WHERE s.run_id IN ({marks}) {site_filter} ORDER BY s.run_id DESC, s.site",
            [*run_ids, *site_params]):
        row = dict(row)
        row["errors_by_kind"] = json.loads(row["errors_by_kind"] or "{}")
        row["degraded"] = bool(row["degraded"])
        row.pop("owner", None)
        rows.append(row)
    return rows
