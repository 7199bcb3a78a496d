"""Failures are recorded per URL with their kind, reason and attempt count, and never stop a crawl:
404/410/5xx, timeouts, DNS errors, redirect loops, non-HTML and oversized responses, a dead site.

:class:`FlakySite` is a tiny local site (served as an HTTP proxy, like the fixture server) whose
pages fail in every way a news site can; ``test_politeness`` uses it too.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import pytest

from archive.urls import url_key
from newscrawl.extensions.failures import classify, status_kind

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
HOST = "www.flaky.test"
ARTICLE = ("<html><head><title>{title}</title><meta property='og:type' content='article'>"
           "<meta property='article:published_time' content='2025-05-20T10:00:00+03:00'></head><body>"
           "<article><h1>{title}</h1><p>{body}</p><p>{body}</p></article></body></html>")
BODY = "قال المتحدث باسم الوزارة إن الأعمال ستستمر حتى نهاية الشهر المقبل في جميع المحافظات " * 3

#: path → (kind recorded, attempts) for the pages that fail
FAILING = {
    "/a/missing": ("not_found", 1),
    "/a/gone": ("gone", 1),
    "/a/error": ("server_error", 2),
    "/a/slow": ("timeout", 2),
    "/a/loop": ("redirect_loop", 1),
    "/a/chain": ("redirect_loop", 1),
    "/a/report.pdf": ("not_html", 1),
    "/a/big": ("too_large", 1),
    "/a/ratelimited": ("rate_limited", 1),
}
SITE_CONFIGS = {
    "flaky": f"""
name = "flaky"
allowed_domains = ["flaky.test"]
start_urls = ["http://{HOST}/"]
article_patterns = ['^/a/']
listing_patterns = ['^/$']
[politeness]
download_delay = 0.3
concurrency = 1
""",
    "deadsite": """
name = "deadsite"
allowed_domains = ["newscrawl-dead.invalid"]
start_urls = ["http://www.newscrawl-dead.invalid/"]
sitemaps = ["http://www.newscrawl-dead.invalid/sitemap.xml"]
article_patterns = ['^/a/']
listing_patterns = ['^/$']
""",
}


class FlakySite:
    """A local site whose pages fail in every way; ``log`` holds (time, path, status, user agent)."""

    def __init__(self, links: list[str] | None = None) -> None:
        self.links = links if links is not None else [*FAILING, "/a/ok", "/a/busy", "/private/secret"]
        self.log: list[tuple[float, str, int, str]] = []
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path or "/"
                site.hits[path] = site.hits.get(path, 0) + 1
                status, headers, body = site.answer(path, site.hits[path])
                site.log.append((time.monotonic(), path, status, self.headers.get("User-Agent", "")))
                if path == "/a/slow":
                    time.sleep(2.5)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *args: None          # a cancelled download resets the socket
        self.proxy_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, hit: int) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"
        if path == "/":
            return 200, html, ("<html><body>" + "".join(f'<a href="{p}">{p}</a>' for p in self.links)
                               + "</body></html>").encode()
        if path in ("/a/ok", "/a/big"):
            body = ARTICLE.format(title=f"خبر {path}", body=BODY + path).encode()
            return 200, html, body + (b"<!-- padding -->" * 8000 if path == "/a/big" else b"")
        if path == "/a/busy":                       # 503 with Retry-After: 1, then fine
            if hit == 1:
                return 503, {"Retry-After": "1", **html}, b"busy"
            return 200, html, ARTICLE.format(title="خبر بعد الانتظار", body="بعد الانتظار " + BODY).encode()
        if path == "/a/missing":
            return 404, html, b"<html><body>not found</body></html>"
        if path == "/a/gone":
            return 410, html, b"<html><body>gone</body></html>"
        if path == "/a/error":
            return 500, html, b"<html><body>error</body></html>"
        if path == "/a/ratelimited":
            return 429, {"Retry-After": "3600", **html}, b"slow down"
        if path == "/a/loop":
            return 302, {"Location": f"http://{HOST}/a/loop"}, b""
        if path.startswith("/a/chain"):                 # /a/chain -> /a/chain/1 -> /a/chain/2 …
            step = int(path.rsplit("/", 1)[1]) + 1 if path.count("/") == 3 else 1
            return 301, {"Location": f"http://{HOST}/a/chain/{step}"}, b""
        if path == "/a/report.pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
        if path == "/a/slow":
            return 200, html, ARTICLE.format(title="بطيء", body=BODY).encode()
        return 404, html, b"not found"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def crawl_flaky(tmp: Path, *extra: str, sites: tuple[str, ...] = ("flaky", "deadsite"),
                links: list[str] | None = None) -> tuple[subprocess.CompletedProcess[str], FlakySite, Path]:
    """``newscrawl crawl flaky deadsite`` against :class:`FlakySite` (the dead site's host does not
    resolve: it is not proxied)."""
    configs = tmp / "sites"
    configs.mkdir(exist_ok=True)
    for name, text in SITE_CONFIGS.items():
        (configs / f"{name}.toml").write_text(text, encoding="utf-8")
    db = tmp / "archive.db"
    with FlakySite(links) as server:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "http_proxy": server.proxy_url,
               "no_proxy": "newscrawl-dead.invalid", "NEWSCRAWL_SITES": str(configs),
               "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
        done = subprocess.run(
            [str(BIN / "newscrawl"), "crawl", *sites, "--db", str(db), "--progress", "off",
             "-s", "RETRY_TIMES=1", "-s", "NEWSCRAWL_RETRY_BACKOFF=0.2", "-s", "DOWNLOAD_TIMEOUT=1",
             "-s", "DOWNLOAD_MAXSIZE=60000", "-s", "REDIRECT_MAX_TIMES=3", "-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "LOG_LEVEL=INFO",
             "-s", "NEWSCRAWL_CONTACT=https://example.org/newscrawl-operator", *extra],
            env=env, capture_output=True, text=True, timeout=120, check=False)
    return done, server, db


@pytest.fixture(scope="module")
def flaky(tmp_path_factory):  # type: ignore[no-untyped-def]
    done, server, db = crawl_flaky(tmp_path_factory.mktemp("flaky"))
    assert done.returncode == 0, done.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return {"done": done, "server": server, "db": db, "conn": conn}


def _state(flaky: dict, path: str, host: str = HOST) -> sqlite3.Row | None:
    return flaky["conn"].execute("SELECT * FROM crawl_state WHERE url_key = ?",
                                 [url_key(f"http://{host}{path}")]).fetchone()


@pytest.mark.parametrize("path", sorted(FAILING))
def test_failure_recorded_with_kind_reason_and_attempts(flaky, path) -> None:
    kind, attempts = FAILING[path]
    row = _state(flaky, path)
    assert row is not None, path
    assert (row["error_kind"], row["attempts"]) == (kind, attempts)
    assert row["error_reason"]


def test_dns_error_of_a_dead_site(flaky) -> None:
    row = _state(flaky, "/", host="www.newscrawl-dead.invalid")
    assert row["error_kind"] == "dns" and row["attempts"] == 2


def test_a_dead_site_never_stops_the_others(flaky) -> None:
    rows = {r["site"]: r for r in flaky["conn"].execute("SELECT * FROM crawl_run_sites")}
    assert rows["deadsite"]["finish_reason"] == "failed"
    assert json.loads(rows["deadsite"]["errors_by_kind"]) == {"dns": 2}
    assert rows["flaky"]["finish_reason"] == "finished"
    assert rows["flaky"]["new"] == 2                        # /a/ok, and /a/busy after its Retry-After
    kinds = json.loads(rows["flaky"]["errors_by_kind"])
    assert kinds == {k: 1 for k, _ in FAILING.values() if k not in ("not_html",)} | kinds
    assert flaky["conn"].execute("SELECT finish_reason FROM crawl_runs").fetchone()[0] == "partial"


def test_errors_are_listed_by_kind(flaky) -> None:
    out = subprocess.run([str(BIN / "newscrawl"), "runs", "--db", str(flaky["db"])], capture_output=True,
                         text=True, check=True).stdout
    assert "deadsite" in out and "failed" in out and "dns 2" in out
    assert "not_found 1" in out and "timeout 1" in out


def test_transient_failures_are_queued_again(tmp_path, flaky) -> None:
    from archive.crawlstate import CrawlState

    with CrawlState.open(str(flaky["db"])) as state:
        urls = {row.url for row in state.pending_retries("flaky", max_attempts=10)}
    assert urls == {f"http://{HOST}/a/error", f"http://{HOST}/a/slow", f"http://{HOST}/a/ratelimited"}


@pytest.mark.parametrize("status, kind", [(404, "not_found"), (410, "gone"), (403, "forbidden"),
                                          (429, "rate_limited"), (400, "client_error"), (503, "server_error")])
def test_status_kind(status, kind) -> None:
    assert status_kind(status) == kind


@pytest.mark.parametrize("exception, kind", [
    ("scrapy.exceptions.DownloadTimeoutError", "timeout"),
    ("scrapy.exceptions.CannotResolveHostError", "dns"),
    ("twisted.internet.error.DNSLookupError", "dns"),
    ("scrapy.exceptions.DownloadConnectionRefusedError", "connection"),
    ("twisted.internet.error.ConnectionLost", "connection"),
])
def test_classify_download_errors(exception, kind) -> None:
    from scrapy.utils.misc import load_object

    assert classify(load_object(exception)("boom"))[0] == kind


@pytest.mark.parametrize("message, kind", [
    ("max redirections reached", "redirect_loop"),
    ("Cancelling download of x: expected response size (200000) larger than download max size (60000).",
     "too_large"),
    ("Forbidden by robots.txt", None),
    ("Filtered offsite request to 'x.test'", None),
])
def test_classify_ignored_requests(message, kind) -> None:
    from scrapy.exceptions import DownloadCancelledError, IgnoreRequest

    exc = DownloadCancelledError(message) if "Cancelling" in message else IgnoreRequest(message)
    found = classify(exc)
    assert (found[0] if found else None) == kind


def test_skips_and_304_are_not_failures() -> None:
    from newscrawl.middlewares.incremental import AlreadyArchived, NotModified

    assert classify(AlreadyArchived("archived: x")) is None
    assert classify(NotModified("not modified: x")) is None
