"""Switch distributed mode on from one setting: ``NEWSCRAWL_REDIS_URL`` or ``REDIS_URL``.

Registered in the project settings (``ADDONS``); does nothing when neither setting nor the
``NEWSCRAWL_REDIS_URL`` environment variable is set, so a plain ``scrapy crawl news`` is unchanged::

    scrapy crawl news -a site=shamtimes -s NEWSCRAWL_REDIS_URL=redis://10.0.0.5:6379/0
"""

from __future__ import annotations

import os

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newscrawl.distributed.settings import (
    ARCHIVE_PIPELINE,
    DEFAULTS,
    DOWNLOADER_MIDDLEWARES,
    EXTENSIONS,
    ITEM_PIPELINE,
    SETTINGS,
)

__all__ = ["DistributedAddon", "redis_url"]


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis URL that turns distributed mode on, or ``None``."""
    return (settings.get("NEWSCRAWL_REDIS_URL") or settings.get("REDIS_URL")
            or os.environ.get("NEWSCRAWL_REDIS_URL") or None)


class DistributedAddon:
    """Scrapy add-on: scrapy-redis scheduler and duplicate filter, items to Redis, idle stop."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedAddon:
        return cls()

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            raise NotConfigured
        try:
            import scrapy_redis  # noqa: F401
        except ImportError as exc:
            raise RuntimeError("distributed mode needs scrapy-redis: pip install 'newscrawl[distributed]'") from exc
        for name, value in SETTINGS.items():
            settings.set(name, value, priority="project")   # over the project's own choice
        for name, value in DEFAULTS.items():
            settings.set(name, value, priority="addon")
        # The spider picks a job directory before add-ons run; the frontier is in Redis instead.
        settings.set("JOBDIR", None, priority="spider")
        settings.set("REDIS_URL", url, priority="cmdline")
        settings.set("NEWSCRAWL_REDIS_URL", url, priority="cmdline")
        pipelines = settings["ITEM_PIPELINES"]
        order = pipelines.get(ARCHIVE_PIPELINE) or 300
        pipelines.set(ARCHIVE_PIPELINE, None, priority="cmdline")
        pipelines.set(ITEM_PIPELINE, order, priority="cmdline")
        for setting, components in (("EXTENSIONS", EXTENSIONS), ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES)):
            for path, order in components.items():
                settings[setting].set(path, order, priority="addon")
