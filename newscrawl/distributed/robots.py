"""One robots.txt fetch per host and round, shared by all workers.

Scrapy's ``RobotsTxtMiddleware`` downloads each host's robots.txt once per process, so N workers
would fetch it N times.  This downloader middleware sits in front of the download of those requests
(``dont_obey_robotstxt`` + path ``/robots.txt``): the first worker to ask takes a short lock in
Redis and downloads it; the others wait for its copy (``news:robots``) and get it as a response
without touching the site.  ``RobotsTxtMiddleware`` still parses and applies it in every worker.  A
new round (``newscrawl seed``) forgets the copies, so robots.txt is read again once per round.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from scrapy_redis.connection import get_redis_from_settings

from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import worker_id

__all__ = ["SharedRobotsTxt", "pack", "unpack"]

LOCK_SECONDS = 30


def pack(response: Response) -> bytes:
    return f"{response.status} {response.url}\n".encode() + response.body


def unpack(data: bytes, request: Request) -> Response:
    head, _, body = data.partition(b"\n")
    status, _, url = head.decode().partition(" ")
    headers = {"Content-Type": "text/plain"}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url or request.url, status=int(status), body=body, request=request, headers=headers,
               flags=["shared"])


def _is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"


class SharedRobotsTxt:
    """Downloader middleware of distributed mode (before ``RobotsTxtMiddleware``'s download)."""

    def __init__(self, server: Any, keys: Keys):
        self.server = server
        self.keys = keys
        self.me = worker_id()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRobotsTxt:
        assert crawler.spidercls is not None
        return cls(get_redis_from_settings(crawler.settings), Keys(crawler.spidercls.name))

    async def process_request(self, request: Request) -> Response | None:
        if not _is_robots(request) or "newscrawl_robots_lock" in request.meta:
            return None                         # not robots.txt, or ours to fetch (after a redirect)
        netloc = urlsplit(request.url).netloc
        deadline = time.monotonic() + LOCK_SECONDS
        while time.monotonic() < deadline:
            cached = self.server.hget(self.keys.robots, netloc)
            if cached is not None:
                return unpack(cached, request)
            if self.server.set(self.keys.robots_lock(netloc), self.me, nx=True, ex=LOCK_SECONDS):
                request.meta["newscrawl_robots_lock"] = netloc
                return None                     # ours to fetch
            await asyncio.sleep(0.1)            # another worker is fetching it
        return None                             # its fetch failed or stalled: fetch it ourselves

    def process_response(self, request: Request, response: Response) -> Response:
        netloc = request.meta.pop("newscrawl_robots_lock", None)
        if netloc and "shared" not in response.flags:
            self.server.hset(self.keys.robots, netloc, pack(response))
            self.server.delete(self.keys.robots_lock(netloc))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        netloc = request.meta.pop("newscrawl_robots_lock", None)
        if netloc:
            self.server.delete(self.keys.robots_lock(netloc))     # let another worker try
