"""Progress of a crawl: one live line on a terminal, plain periodic log lines otherwise (cron).

``NEWSCRAWL_PROGRESS``: ``auto`` (default: ``tty`` when stderr is a terminal, else ``log``),
``tty``, ``log`` or ``off``.  The terminal line is redrawn every second and shows every site of the
process (``newscrawl crawl-all`` runs one crawler per site)::

    shamtimes 12.5 p/s 31 new 0 err | nilenews 9.1 p/s 18 new 2 err

In ``log`` mode one INFO line per site every ``NEWSCRAWL_PROGRESS_INTERVAL`` seconds (default 60).
Figures come from the crawl stats (``newscrawl/site/<site>/…``); :func:`render` is a plain function.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any, ClassVar, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

__all__ = ["Progress", "SiteProgress", "progress_mode", "render"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SiteProgress:
    site: str
    pages: int = 0
    new: int = 0
    updated: int = 0
    errors: int = 0
    rate: float = 0.0          #: pages per second over the last interval
    done: bool = False


def render(rows: list[SiteProgress], width: int = 120) -> str:
    """The one-line display of *rows*, cut to *width* columns."""
    parts = [f"{r.site} {'done' if r.done else f'{r.rate:.1f} p/s'} {r.pages} pages {r.new} new "
             f"{r.updated} upd {r.errors} err" for r in rows]
    line = " | ".join(parts)
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


def progress_mode(setting: str | None, stream: TextIO) -> str:
    mode = (setting or "auto").strip().lower()
    if mode == "auto":
        try:
            return "tty" if stream.isatty() else "log"
        except (AttributeError, ValueError):
            return "log"
    return mode if mode in ("tty", "log", "off") else "log"


class _Board:
    """The terminal line shared by every crawler of the process."""

    crawlers: ClassVar[list[Progress]] = []
    loop: ClassVar[Any] = None
    stream: ClassVar[TextIO] = sys.stderr

    @classmethod
    def join(cls, member: Progress) -> None:
        cls.crawlers.append(member)
        if cls.loop is None:
            cls.loop = create_looping_call(cls.draw)
            cls.loop.start(1.0, now=False)

    @classmethod
    def leave(cls, member: Progress) -> None:
        if all(m.finished for m in cls.crawlers):
            cls.draw()
            cls.stream.write("\n")
            cls.stream.flush()
            if cls.loop is not None and cls.loop.running:
                cls.loop.stop()
            cls.loop = None
            cls.crawlers = []

    @classmethod
    def draw(cls) -> None:
        rows = [row for member in cls.crawlers for row in member.snapshot()]
        width = shutil.get_terminal_size((120, 20)).columns
        cls.stream.write("\r\x1b[K" + render(rows, width - 1))
        cls.stream.flush()


class Progress:
    def __init__(self, crawler: Crawler, mode: str, interval: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.interval = interval
        self.finished = False
        self._last: dict[str, tuple[float, int]] = {}
        self._loop: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        mode = progress_mode(settings.get("NEWSCRAWL_PROGRESS"), sys.stderr)
        if mode == "off":
            raise NotConfigured
        return cls(crawler, mode, settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 60.0))

    def _sites(self) -> list[str]:
        spider = self.crawler.spider
        return [s.name for s in getattr(spider, "sites", [])] if spider is not None else []

    def snapshot(self) -> list[SiteProgress]:
        stats = self.stats.get_stats()
        now = time.monotonic()
        rows = []
        for site in self._sites():
            prefix = f"newscrawl/site/{site}/"
            pages = int(stats.get(prefix + "pages", 0))
            before_time, before_pages = self._last.get(site, (now, pages))
            elapsed = now - before_time
            rate = (pages - before_pages) / elapsed if elapsed > 0 else 0.0
            self._last[site] = (now, pages)
            rows.append(SiteProgress(
                site, pages, int(stats.get(prefix + "new", 0)), int(stats.get(prefix + "updated", 0)),
                sum(int(v) for k, v in stats.items() if k.startswith(prefix + "errors/")), rate,
                self.finished))
        return rows

    def spider_opened(self, spider: Any) -> None:
        now = time.monotonic()
        self._last = {site: (now, 0) for site in self._sites()}
        if self.mode == "tty":
            _Board.join(self)
        else:
            self._loop = create_looping_call(self.log)
            self._loop.start(self.interval, now=False)

    def log(self) -> None:
        for row in self.snapshot():
            logger.info("progress %s: %d pages (%.1f/s), %d new, %d updated, %d errors",
                        row.site, row.pages, row.rate, row.new, row.updated, row.errors)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.finished = True
        if self.mode == "tty":
            _Board.leave(self)
        else:
            if self._loop is not None and self._loop.running:
                self._loop.stop()
            self.log()
