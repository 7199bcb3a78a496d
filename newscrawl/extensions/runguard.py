"""Own a crawl's resources before anything opens them: the archive's run lock and the job directory.

Extensions are built before the scheduler opens ``JOBDIR``, so this is where a job directory left
by a killed process is made safe.  Scrapy's job state is only trusted after a *clean* close that
did not finish (Ctrl-C, ``CLOSESPIDER_TIMEOUT``…): then the queue and the seen-requests file agree
and the crawl resumes where it stopped.  After ``SIGKILL`` the disk queue and ``requests.seen`` may
disagree (requests marked seen but never written to the queue), so that state is discarded; the
new run discovers again from the start pages and the archive, which is the source of truth,
decides what is already done.  A finished job is discarded too: the next run is a new job.

The marker ``newscrawl-job.json`` records the archive, the process and how the job ended.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object

from archive import default_db_path
from archive.crawlstate import CrawlState, utc_timestamp
from archive.runs import acquire_run_lock, release_run_lock

__all__ = ["MARKER", "JobDirBusy", "RunGuard", "close_job_dir", "configure_job_dir", "crawlstate_for", "job_dir_for",
           "open_crawlstate", "prepare_job_dir"]

logger = logging.getLogger(__name__)

MARKER = "newscrawl-job.json"
SCRAPY_STATE = ("requests.queue", "requests.seen", "requests.seen.sqlite", "spider.state")
_DEFAULT = SETTINGS_PRIORITIES["default"]
_OFF = {"", "0", "off", "none", "false", "no"}


class JobDirBusy(RuntimeError):
    """Another process uses this job directory (a crawl of the same site into another archive)."""


def db_path_of(settings: BaseSettings) -> str:
    return str(settings.get("NEWSCRAWL_DB") or default_db_path())


def open_crawlstate(settings: BaseSettings) -> CrawlState:
    """The default ``NEWSCRAWL_CRAWLSTATE``: the archive's own tables, on a connection of its own."""
    return CrawlState.open(db_path_of(settings))


def crawlstate_for(settings: BaseSettings) -> CrawlState:
    """Open the crawl state with the factory named by ``NEWSCRAWL_CRAWLSTATE`` (a callable of the
    settings returning an object with :class:`~archive.crawlstate.CrawlState`'s methods; distributed
    mode reads it from Redis)."""
    factory = settings.get("NEWSCRAWL_CRAWLSTATE") or open_crawlstate
    if isinstance(factory, str):
        factory = load_object(factory)
    return factory(settings)


def job_dir_for(settings: BaseSettings, site_names: list[str]) -> str | None:
    """The job directory of a crawl of *site_names*: ``<NEWSCRAWL_JOBS_DIR>/<site>`` (several sites:
    names joined by ``+``); by default ``jobs/`` beside the archive.  ``None`` when disabled."""
    if not site_names:
        return None
    base = settings.get("NEWSCRAWL_JOBS_DIR")
    if base is None:
        db = db_path_of(settings)
        if db == ":memory:":
            return None
        base = os.path.join(os.path.dirname(os.path.abspath(db)), "jobs")
    elif str(base).strip().lower() in _OFF:
        return None
    return os.path.join(str(base), "+".join(sorted(site_names)))


def configure_job_dir(crawler: Crawler) -> str | None:
    """Set ``JOBDIR`` (unless given) to the crawl's per-site job directory, and the disk-backed
    duplicate filter with it (unless another was chosen); return the directory.

    Done here, once add-ons have adjusted the settings and before the scheduler reads them."""
    settings = crawler.settings
    spider = crawler.spider
    job = settings.get("JOBDIR")
    if not job and spider is not None and not getattr(spider, "on_demand_url", None):
        job = job_dir_for(settings, [s.name for s in getattr(spider, "sites", [])])
        if job and not settings.frozen:
            settings.set("JOBDIR", job, priority="spider")
    if job and not settings.frozen and (settings.getpriority("DUPEFILTER_CLASS") or 0) <= _DEFAULT:
        settings.set("DUPEFILTER_CLASS", "newscrawl.extensions.dupefilter.DiskDupeFilter", priority="spider")
    return job or None


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(path: Path, data: dict[str, Any]) -> None:
    tmp = path / (MARKER + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path / MARKER)


def _wipe(path: Path) -> None:
    for name in SCRAPY_STATE:
        target = path / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink()


def prepare_job_dir(path: str | os.PathLike[str], *, db: str) -> str:
    """Make *path* safe to open as ``JOBDIR``; return what was done.

    ``"new"``: nothing there; ``"resume"``: a cleanly stopped job continues; ``"discard: …"``: the
    previous state was thrown away (killed process, finished job, other archive, unknown origin).
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    marker = _read_marker(folder)
    has_state = any((folder / name).exists() for name in SCRAPY_STATE)
    db = os.path.abspath(db)
    if not has_state:
        action = "new"
    elif marker is None:
        action = "discard: job state of unknown origin"
    elif marker.get("db") != db:
        action = f"discard: job state belongs to another archive ({marker.get('db')})"
    elif marker.get("state") == "running":
        action = f"discard: the process that ran it (pid {marker.get('pid')}) was killed"
    elif marker.get("reason") == "finished":
        action = "discard: the previous job finished"
    else:
        action = "resume"
    if action.startswith("discard"):
        _wipe(folder)
    _write_marker(folder, {"db": db, "state": "running", "pid": os.getpid(), "started": utc_timestamp()})
    return action


def close_job_dir(path: str | os.PathLike[str], reason: str) -> None:
    folder = Path(path)
    marker = _read_marker(folder) or {}
    marker.update(state="closed", reason=reason, closed=utc_timestamp())
    _write_marker(folder, marker)


class RunGuard:
    """Takes the archive's run lock and prepares ``JOBDIR`` when the crawler is built."""

    def __init__(self, crawler: Crawler, db_path: str, job_dir: str | None):
        self.crawler = crawler
        self.db_path = db_path
        self.job_dir = job_dir
        self._job_lock: IO[str] | None = None
        acquire_run_lock(db_path)        # raises ArchiveLocked with a clear message
        self._locked = True
        if job_dir:
            Path(job_dir).mkdir(parents=True, exist_ok=True)
            handle = open(Path(job_dir) / ".lock", "a+", encoding="utf-8")  # noqa: SIM115
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                self.release()
                raise JobDirBusy(f"job directory {job_dir} is used by another crawl; "
                                 f"give this one another NEWSCRAWL_JOBS_DIR") from None
            self._job_lock = handle
            action = prepare_job_dir(job_dir, db=db_path)
            crawler.stats.set_value("newscrawl/job", action)
            logger.info("job directory %s: %s", job_dir, action)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        # the run rows are written on spider_closed too: the lock is released only after them
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunGuard:
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_RUN_GUARD", True):
            raise NotConfigured
        return cls(crawler, db_path_of(settings), configure_job_dir(crawler))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.job_dir and self._job_lock is not None:
            close_job_dir(self.job_dir, reason)
            fcntl.flock(self._job_lock.fileno(), fcntl.LOCK_UN)
            self._job_lock.close()
            self._job_lock = None

    def engine_stopped(self) -> None:
        self.release()

    def release(self) -> None:
        if self._locked:
            release_run_lock(self.db_path)
            self._locked = False
