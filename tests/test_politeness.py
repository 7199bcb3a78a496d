"""Politeness: robots.txt obeyed, a User-Agent naming the project and a contact URL, AutoThrottle on
with each site's own delay and concurrency, retries that back off and honour Retry-After."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newscrawl.extensions.politeness import site_slots, user_agent
from newscrawl.extensions.runguard import job_dir_for
from newscrawl.middlewares.retry import retry_after_seconds, retry_delay
from newscrawl.siteconfig import load_site
from newscrawl.spiders.news import NewsSpider

ROOT = Path(__file__).resolve().parents[1]
CONTACT = "https://example.org/newscrawl-operator"


@pytest.fixture(scope="module")
def polite(tmp_path_factory):  # type: ignore[no-untyped-def]
    from test_failures import crawl_flaky

    tmp = tmp_path_factory.mktemp("polite")
    done, server, db = crawl_flaky(tmp, sites=("flaky",),
                                   links=["/a/ok", "/a/busy", "/a/error", "/a/ratelimited", "/private/secret"])
    assert done.returncode == 0, done.stderr[-3000:]
    # the next run: the home page links nothing any more; what failed for a passing reason is retried
    again, later, _ = crawl_flaky(tmp, sites=("flaky",), links=[])
    assert again.returncode == 0, again.stderr[-3000:]
    return {"log": server.log, "hits": server.hits, "db": db, "stderr": done.stderr, "next": later.hits}


@pytest.mark.slow
def test_robots_txt_is_obeyed(polite) -> None:
    assert polite["hits"].get("/robots.txt") == 1
    assert "/private/secret" not in polite["hits"]


def test_fixture_robots_txt_disallows_what_expected_json_says() -> None:
    from protego import Protego

    expected = json.loads((ROOT / "fixtures/site/expected.json").read_text(encoding="utf-8"))
    agent = user_agent(CONTACT)
    for url in expected["robots_disallowed"]:
        host = url.split("/")[2]
        robots = Protego.parse((ROOT / "fixtures/site" / host / "robots.txt").read_text(encoding="utf-8"))
        assert not robots.can_fetch(url, agent), url


@pytest.mark.slow
def test_user_agent_names_the_project_and_the_contact(polite) -> None:
    agents = {ua for _, _, _, ua in polite["log"]}
    assert agents == {user_agent(CONTACT)}
    assert agents.pop().startswith("newscrawl/")


@pytest.mark.slow
def test_site_delay_and_concurrency_are_applied(polite) -> None:
    times = [t for t, path, _, _ in polite["log"] if path != "/robots.txt"]
    gaps = [b - a for a, b in pairwise(times)]
    # [politeness] download_delay = 0.3, concurrency = 1, jittered by ±50%
    assert min(gaps) >= 0.3 * 0.5 - 0.02, gaps


@pytest.mark.slow
def test_retry_after_is_honoured(polite) -> None:
    busy = [t for t, path, _, _ in polite["log"] if path == "/a/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 1.0
    with sqlite3.connect(polite["db"]) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE title LIKE '%الانتظار%'").fetchone()[0] == 1


@pytest.mark.slow
def test_retries_back_off(polite) -> None:
    errors = [t for t, path, _, _ in polite["log"] if path == "/a/error"]
    assert len(errors) == 2 and errors[1] - errors[0] >= 0.2      # NEWSCRAWL_RETRY_BACKOFF=0.2


@pytest.mark.slow
def test_a_retry_after_beyond_the_limit_is_left_to_the_next_run(polite) -> None:
    assert polite["hits"]["/a/ratelimited"] == 1
    with sqlite3.connect(polite["db"]) as conn:
        kind, reason = conn.execute("SELECT error_kind, error_reason FROM crawl_state "
                                    "WHERE url LIKE '%ratelimited'").fetchone()
    assert kind == "rate_limited" and "Retry-After: 3600" in reason


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, seconds", [
    (b"120", 120.0), ("0", 0.0), (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
    (format_datetime(NOW - timedelta(seconds=90), usegmt=True), 0.0), (b"soon", None), (None, None), (b"", None),
])
def test_retry_after_seconds(value, seconds) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


@pytest.mark.parametrize("attempt, retry_after, expected", [
    (1, None, 2.0), (2, None, 4.0), (3, None, 8.0), (10, None, 60.0), (1, 30.0, 30.0), (3, 0.0, 0.0)])
def test_retry_delay(attempt, retry_after, expected) -> None:
    assert retry_delay(attempt, retry_after=retry_after, base=2.0, cap=60.0) == expected


def _crawler(tmp_path: Path, site: str, **cmdline: object):  # type: ignore[no-untyped-def]
    """A crawler whose spider was created (settings adjusted per site), not started."""
    from scrapy.crawler import Crawler

    from newscrawl import settings as project

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.set("NEWSCRAWL_DB", str(tmp_path / "archive.db"), priority="project")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    crawler = Crawler(NewsSpider, settings)
    NewsSpider.from_crawler(crawler, site=site)
    return crawler


@pytest.mark.parametrize("site", ["shamtimes", "nilenews", "carthage"])
def test_per_site_slots_jobdir_and_throttle(tmp_path, site) -> None:
    crawler = _crawler(tmp_path, site)
    config = load_site(site)
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    assert slots[site] == {"delay": config.download_delay, "concurrency": config.concurrency}
    assert job_dir_for(crawler.settings, [site]) == str(tmp_path / "jobs" / site)
    assert crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
    extensions = crawler.settings.getdict("EXTENSIONS")
    assert extensions["scrapy.extensions.throttle.AutoThrottle"] is None
    assert "newscrawl.extensions.politeness.SiteAutoThrottle" in extensions


def test_command_line_overrides_every_site(tmp_path) -> None:
    crawler = _crawler(tmp_path, "shamtimes", DOWNLOAD_DELAY=0.02, CONCURRENT_REQUESTS_PER_DOMAIN=8,
                       NEWSCRAWL_CONTACT=CONTACT)
    assert crawler.settings.getdict("DOWNLOAD_SLOTS")["shamtimes"] == {"delay": 0.02, "concurrency": 8}
    assert crawler.settings["USER_AGENT"] == user_agent(CONTACT)


def test_site_slots_without_politeness_table(tmp_path) -> None:
    from newscrawl.siteconfig import parse_site

    bare = parse_site({"name": "bare", "allowed_domains": ["bare.test"]})
    settings = Settings({"DOWNLOAD_DELAY": 1.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    assert site_slots([bare], settings) == {"bare": {"delay": 1.5, "concurrency": 2}}


@pytest.mark.slow
def test_transient_failures_are_retried_by_the_next_run(polite) -> None:
    assert polite["next"].get("/a/error") == 2                 # queued at start, retried once more
    assert polite["next"].get("/a/ratelimited") == 1
    assert "/a/ok" not in polite["next"] and "/a/busy" not in polite["next"]
    with sqlite3.connect(polite["db"]) as conn:
        attempts = conn.execute("SELECT attempts FROM crawl_state WHERE url LIKE '%/a/error'").fetchone()[0]
    assert attempts == 4                                        # 2 attempts in each run
