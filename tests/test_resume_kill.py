"""A crawl killed with SIGKILL at random moments, started again, ends with the archive of a crawl
that was never interrupted: no article lost, none duplicated, no half-written row, and every killed
run marked ``interrupted``.  Also: a cleanly stopped crawl (SIGTERM) resumes from its job directory.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive
from archive.urls import url_key

pytestmark = pytest.mark.slow

SITES = ["shamtimes", "nilenews"]      # the sites with AMP pages, URL variants and redirects
BIN = Path(sys.executable).parent
FAST = ["-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "LOG_LEVEL=WARNING",
        "--progress", "off"]


def crawl_command(db: Path) -> list[str]:
    return [str(BIN / "newscrawl"), "crawl", *SITES, "--db", str(db), *FAST]


def snapshot(db: Path) -> dict[str, tuple]:
    """Every article by URL key: its content, version, and the exact URLs it is known by."""
    with Archive(db, readonly=True) as archive:
        rows = list(archive.articles())
    result = {}
    for row in rows:
        key = url_key(row["url"])
        assert key not in result, f"{row['url']} archived twice"
        result[key] = (row["site"], row["title"], row["body"], row["published"], row["category"],
                       row["version"], frozenset(row["aliases"]))
    return result


@pytest.fixture(scope="module")
def reference(tmp_path_factory, fixture_server_module, demo_module):  # type: ignore[no-untyped-def]
    """One uninterrupted crawl, and how long it took."""
    from conftest import SITE

    db = tmp_path_factory.mktemp("reference") / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    try:
        started = time.monotonic()
        done = subprocess.run(crawl_command(db), env=demo_module.crawl_env(server.proxy_url),
                              capture_output=True, text=True, timeout=120, check=False)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        duration = conn.execute("SELECT max(duration) FROM crawl_run_sites").fetchone()[0]
    return {"db": db, "elapsed": elapsed, "duration": max(float(duration or 1.0), 1.0),
            "articles": snapshot(db)}


def _wait_for_run_row(db: Path, after: int, timeout: float = 60.0) -> int:
    """The id of the run the new process recorded (it has opened the archive and is crawling)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    row = conn.execute("SELECT max(id) FROM crawl_runs").fetchone()
                if row and row[0] and row[0] > after:
                    return int(row[0])
            except sqlite3.OperationalError:
                pass                                    # schema not created yet
        time.sleep(0.05)
    raise AssertionError("the crawl never started")


@pytest.fixture(scope="module")
def killed(tmp_path_factory, reference, fixture_server_module, demo_module):  # type: ignore[no-untyped-def]
    """The same crawl killed with SIGKILL four times, then run to its end: once at a random moment
    of its start-up, three times at a random moment of the crawl itself."""
    from conftest import SITE

    seed = int(os.environ.get("NEWSCRAWL_KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    db = tmp_path_factory.mktemp("killed") / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    kills = []
    last_run = 0
    try:
        env = demo_module.crawl_env(server.proxy_url)
        for attempt in range(4):
            process = subprocess.Popen(crawl_command(db), env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            if attempt == 0:
                delay = rng.uniform(0.1, 1.0)
            else:
                last_run = _wait_for_run_row(db, last_run)
                delay = rng.uniform(0.0, 0.8) * reference["duration"]
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            kills.append(round(delay, 2))
        final = subprocess.run(crawl_command(db), env=env, capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.stop()
    assert final.returncode == 0, final.stderr[-3000:]
    return {"db": db, "seed": seed, "kills": kills}


def test_no_article_lost_or_duplicated(reference, killed) -> None:
    got = snapshot(killed["db"])
    want = reference["articles"]
    context = f"seed {killed['seed']}, killed after {killed['kills']} s"
    assert sorted(set(want) - set(got)) == [], f"lost ({context})"
    assert sorted(set(got) - set(want)) == [], f"unexpected ({context})"
    for key, value in want.items():
        assert got[key] == value, f"{key} differs ({context})"


def test_no_half_written_rows(killed) -> None:
    conn = sqlite3.connect(killed["db"])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM articles a LEFT JOIN article_versions v "
                        "ON v.article_id = a.id WHERE v.id IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM url_aliases u LEFT JOIN articles a ON a.id = u.article_id "
                        "WHERE a.id IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM (SELECT url_key FROM articles GROUP BY url_key "
                        "HAVING count(*) > 1)").fetchone()[0] == 0


def test_killed_runs_are_marked_interrupted(killed) -> None:
    conn = sqlite3.connect(killed["db"])
    reasons = [r[0] for r in conn.execute("SELECT finish_reason FROM crawl_runs ORDER BY id")]
    context = f"seed {killed['seed']}, killed after {killed['kills']} s: {reasons}"
    assert reasons[-1] == "finished", context
    assert "running" not in reasons, context
    # a run may end before its kill comes; the others are interrupted (a kill during start-up may
    # come before the run row exists)
    assert set(reasons[:-1]) <= {"interrupted", "finished"}, context
    assert reasons.count("interrupted") >= 1, context
    sites = {r[0] for r in conn.execute("SELECT finish_reason FROM crawl_run_sites WHERE run_id < "
                                        "(SELECT max(id) FROM crawl_runs)")}
    assert sites <= {"interrupted", "finished"}, context      # a site may finish before the kill


def test_job_state_of_a_killed_process_is_discarded(killed) -> None:
    for site in SITES:
        marker = json.loads((killed["db"].parent / "jobs" / site / "newscrawl-job.json").read_text())
        assert marker["state"] == "closed" and marker["reason"] == "finished"


def test_a_cleanly_stopped_crawl_resumes(tmp_path, reference, fixture_server_module, demo_module) -> None:
    """SIGTERM: Scrapy stops cleanly, keeps its queue; the next run resumes it and ends complete."""
    from conftest import SITE

    db = tmp_path / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    try:
        env = demo_module.crawl_env(server.proxy_url)
        process = subprocess.Popen(crawl_command(db), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        _wait_for_run_row(db, 0)
        time.sleep(0.5 * reference["duration"])
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
        final = subprocess.run(crawl_command(db) + ["-s", "LOG_LEVEL=INFO"], env=env, capture_output=True,
                               text=True, timeout=120, check=False)
    finally:
        server.stop()
    assert final.returncode == 0, final.stderr[-3000:]
    conn = sqlite3.connect(db)
    reasons = [r[0] for r in conn.execute("SELECT finish_reason FROM crawl_run_sites ORDER BY run_id, site")]
    if "shutdown" in reasons:
        assert "resume" in final.stderr
    assert snapshot(db) == reference["articles"]



def test_requests_survive_the_disk_queue() -> None:
    import pickle

    from scrapy.utils.request import request_from_dict

    from newscrawl.spiders.news import NewsRequest, NewsSpider

    spider = NewsSpider(site="shamtimes")
    request = spider.make_request("http://www.shamtimes.test/2025/05/08/x/", spider.sites[0], "article",
                                  priority=-1, found_via="sitemap")
    back = request_from_dict(pickle.loads(pickle.dumps(request.to_dict(spider=spider))), spider=spider)
    assert isinstance(back, NewsRequest)
    assert (back.url, back.priority, back.meta, back.callback, back.errback) == (
        request.url, -1, request.meta, spider.parse_article, spider.on_error)


@pytest.mark.parametrize("marker, expected", [
    (None, "discard: job state of unknown origin"),
    ({"state": "running", "pid": 1}, "discard: the process that ran it (pid 1) was killed"),
    ({"state": "closed", "reason": "finished"}, "discard: the previous job finished"),
    ({"state": "closed", "reason": "shutdown"}, "resume"),
    ({"state": "closed", "reason": "closespider_timeout"}, "resume"),
    ({"state": "closed", "reason": "shutdown", "db": "/elsewhere/archive.db"}, "discard: job state belongs"),
])
def test_job_directory_is_trusted_only_after_a_clean_stop(tmp_path, marker, expected) -> None:
    from newscrawl.extensions.runguard import MARKER, prepare_job_dir

    db = str(tmp_path / "archive.db")
    job = tmp_path / "jobs" / "shamtimes"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.seen").write_text("abc\n")
    if marker is not None:
        (job / MARKER).write_text(json.dumps({"db": db, **marker}))
    action = prepare_job_dir(job, db=db)
    assert action.startswith(expected)
    kept = (job / "requests.seen").exists() and (job / "requests.queue").exists()
    assert kept is (expected == "resume")
    assert json.loads((job / MARKER).read_text())["state"] == "running"


def test_new_job_directory(tmp_path) -> None:
    from newscrawl.extensions.runguard import prepare_job_dir

    assert prepare_job_dir(tmp_path / "jobs" / "x", db=str(tmp_path / "a.db")) == "new"


def test_disk_dupefilter_keeps_fingerprints_on_disk(tmp_path) -> None:
    from scrapy import Request

    from newscrawl.extensions.dupefilter import SEEN_FILE, DiskDupeFilter

    seen = DiskDupeFilter(str(tmp_path), batch=2)
    urls = [f"http://www.shamtimes.test/{i}/" for i in range(5)]
    assert [seen.request_seen(Request(u)) for u in urls] == [False] * 5
    assert seen.request_seen(Request(urls[0] + "#respond")) is True      # same fingerprint
    assert len(seen._fingerprints) == 0                                  # nothing held in memory
    seen.close("shutdown")
    again = DiskDupeFilter(str(tmp_path))                                # a resumed job
    assert again.request_seen(Request(urls[3])) is True
    assert again.request_seen(Request("http://www.shamtimes.test/new/")) is False
    again.close("finished")
    assert (tmp_path / SEEN_FILE).exists()
    assert DiskDupeFilter(None).request_seen(Request(urls[0])) is False   # no job directory: in memory


@pytest.mark.parametrize("chosen, expected", [
    (None, "newscrawl.extensions.dupefilter.DiskDupeFilter"),
    ("scrapy_redis.dupefilter.RFPDupeFilter", "scrapy_redis.dupefilter.RFPDupeFilter"),
])
def test_job_directory_and_dupefilter_are_configured_after_addons(tmp_path, chosen, expected) -> None:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from newscrawl import settings as project
    from newscrawl.extensions.runguard import configure_job_dir
    from newscrawl.spiders.news import NewsSpider

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.set("NEWSCRAWL_DB", str(tmp_path / "archive.db"), priority="project")
    if chosen:
        settings.set("DUPEFILTER_CLASS", chosen, priority="addon")
    crawler = Crawler(NewsSpider, settings)
    crawler.spider = NewsSpider.from_crawler(crawler, site="shamtimes")
    assert configure_job_dir(crawler) == str(tmp_path / "jobs" / "shamtimes")
    assert crawler.settings["JOBDIR"] == str(tmp_path / "jobs" / "shamtimes")
    assert crawler.settings["DUPEFILTER_CLASS"] == expected
