"""The baseline of bench/crawl.py: a bare Scrapy spider that only fetches a list of URLs.

Run with ``scrapy runspider bench/bare_spider.py -a urls=FILE -a stats=OUT.json``; same downloader
settings as the full crawl, no parsing, no pipelines.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"ITEM_PIPELINES": {}, "SPIDER_MODULES": [], "LOG_FORMATTER": "scrapy.logformatter.LogFormatter"}

    def __init__(self, urls: str, stats: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.url_file = urls
        self.stats_file = stats

    async def start(self) -> AsyncIterator[scrapy.Request]:
        with open(self.url_file, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield scrapy.Request(line.strip(), callback=self.parse, dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        return None

    def closed(self, reason: str) -> None:
        with open(self.stats_file, "w", encoding="utf-8") as handle:
            json.dump(self.crawler.stats.get_stats(), handle, default=str)
