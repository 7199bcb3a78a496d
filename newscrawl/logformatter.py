"""Log lines for dropped items that name the URL and the reason, not the whole item (with its HTML)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class NewscrawlLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> dict[str, Any]:  # type: ignore[override]
        level = getattr(exception, "log_level", None) or "WARNING"
        return {"level": getattr(logging, str(level).upper(), logging.WARNING),
                "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
