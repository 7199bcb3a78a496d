"""Distributed mode: scrapy-redis frontier shared by real ``scrapy crawl news`` workers, items through a
Redis stream to one ``newscrawl archive-writer``; a real redis-server (tests/conftest_redis.py)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive import Archive, ArchiveError, ArticleRecord, Fetch
from archive.urls import url_key
from newscrawl.distributed import messages
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import Leases, frontier_size, queue_keys, reclaim_dead
from newscrawl.items import ArticleItem

pytest_plugins = ["conftest_redis"]          # a real redis-server: redis_server, redis_url, redis_client

SITES = ["shamtimes", "nilenews", "carthage"]
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
KEYS = Keys()
DOC = ROOT / "docs" / "distributed.md"


# -- helpers ------------------------------------------------------------------------------------------
def doc_command(prefix: str) -> list[str]:
    """The example of docs/distributed.md (the README's section) that starts with *prefix*: the
    tests run the documented commands."""
    for block in re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL):
        for line in (line.strip() for line in block.splitlines()):
            if line.startswith(prefix):
                return shlex.split(line)
    raise AssertionError(f"docs/distributed.md has no `{prefix}` example")


def worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A real ``scrapy crawl news`` worker, as documented (distributed mode from $NEWSCRAWL_REDIS_URL)."""
    program, *args = doc_command("scrapy crawl news")
    command = [str(BIN / program), *args, "-s", "NEWSCRAWL_IDLE_SECONDS=1", "-s", "NEWSCRAWL_WORKER_LEASE=3",
               "-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_START_DELAY=0.02", "-s", "LOG_LEVEL=INFO", *extra]
    return subprocess.Popen(command, cwd=log.parent, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def writer(db: Path, env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """``newscrawl archive-writer``, as documented, into *db*."""
    program, *args = doc_command("newscrawl archive-writer")
    args = [str(db) if arg.endswith(".db") else arg for arg in args]
    return subprocess.Popen([str(BIN / program), *args, *extra], cwd=log.parent, env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def newscrawl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "newscrawl"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)


def redis_env(demo_module, proxy_url: str, redis_url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert doc_command("export NEWSCRAWL_REDIS_URL=")                   # how the docs switch it on
    return dict(demo_module.crawl_env(proxy_url), NEWSCRAWL_REDIS_URL=redis_url)


def wait(process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{process.args[:3]} still running after {timeout} s:\n{log.read_text()[-3000:]}")
    assert code == 0, log.read_text(errors="replace")[-3000:]


def wait_until(condition, timeout: float = 30, step: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(step)


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with Archive(db, readonly=True) as archive:
            return archive.count()
    except (ArchiveError, sqlite3.Error):      # not created yet, or mid-migration
        return 0


def assert_archive_is_expected(db: Path, expected: dict) -> None:
    """The archive holds every expected article exactly once, and nothing else."""
    with Archive(db, readonly=True) as archive:
        rows = list(archive.articles())
        versions = archive.db.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        fetches = archive.db.execute("SELECT count(*), count(DISTINCT article_id || html_sha1) FROM fetches").fetchone()
    assert len(rows) == len(expected["articles"])
    assert versions == len(rows), "a redelivered item made a new version"
    assert fetches[0] == fetches[1]
    by_key: dict[str, int] = {}
    for row in rows:
        for url in [row["url"], *row["aliases"]]:
            assert by_key.setdefault(url_key(url), row["id"]) == row["id"], f"{url} in two records"
    for article in expected["articles"]:
        ids = {by_key.get(url_key(u)) for u in [article["url"], *article["aliases"]]}
        assert ids != {None}, f"{article['id']} not archived"
        assert len(ids) == 1, f"{article['id']} split over records {ids}"
    not_articles = {url_key(p["url"]) for p in expected["not_articles"]}
    assert not not_articles & set(by_key)


def worker_id_of(client, pid: int) -> str | None:  # type: ignore[no-untyped-def]
    for member in client.smembers(KEYS.workers):
        worker_id = member.decode()
        if worker_id.split(":")[1] == str(pid):
            return worker_id
    return None


# -- components, without Scrapy ----------------------------------------------------------------------
def test_distributed_mode_is_off_without_a_redis_url(monkeypatch) -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.settings import Settings

    from newscrawl.distributed.addon import DistributedAddon

    monkeypatch.delenv("NEWSCRAWL_REDIS_URL", raising=False)
    with pytest.raises(NotConfigured):
        DistributedAddon().update_settings(Settings({"ITEM_PIPELINES": {}}))


@pytest.mark.parametrize("name", ["NEWSCRAWL_REDIS_URL", "REDIS_URL"])
def test_one_setting_switches_distributed_mode_on(name: str) -> None:
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list

    from newscrawl.distributed.addon import DistributedAddon

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    settings: Settings = get_project_settings()
    settings.set(name, "redis://127.0.0.1:1/0", priority="cmdline")
    DistributedAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "newscrawl.distributed.scheduler.LeasingScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert not settings.getbool("NEWSCRAWL_RUN_GUARD")               # workers do not own the archive
    assert settings["NEWSCRAWL_CRAWLSTATE"] == "newscrawl.distributed.crawlstate.open_redis_state"
    pipelines = build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    assert pipelines[-1] == "newscrawl.distributed.pipeline.RedisItemPipeline"
    assert "newscrawl.pipelines.store.ArchivePipeline" not in pipelines
    assert "newscrawl.pipelines.validate.ValidatePipeline" in pipelines
    assert "newscrawl.distributed.idle.IdleClose" in build_component_list(settings.getwithbase("EXTENSIONS"))


def test_the_project_registers_the_addon() -> None:
    from newscrawl import settings

    assert "newscrawl.distributed.addon.DistributedAddon" in getattr(settings, "ADDONS", {})


def test_item_message_round_trip() -> None:
    item = ArticleItem(url="http://www.shamtimes.test/a/", site="shamtimes", title="عنوان", body="نص",
                       tags=["وسم"], related_links=[{"url": "http://x.test/", "text": "ت"}], status=200,
                       fetched_at="2025-05-01T10:00:00Z", html="<html>نص</html>".encode("windows-1256"))
    fields = {k.encode(): v for k, v in messages.encode_item(item, "host:1:ab").items()}
    message = messages.decode(fields)
    assert message.kind == "item" and message.run == "host:1:ab"
    assert message.item == item
    with pytest.raises(messages.BadMessage):
        messages.decode({b"kind": b"item", b"run": b"r", b"item": b"{not json"})


def test_leases_put_a_dead_workers_requests_back_with_their_priority(redis_client) -> None:
    from scrapy import Request, Spider
    from scrapy_redis.queue import PriorityQueue

    class News(Spider):
        name = "news"

        def parse_article(self, response):  # type: ignore[no-untyped-def]
            pass

    spider = News()
    queue = PriorityQueue(redis_client, spider, KEYS.queue)
    for i, priority in enumerate([0, 5, 1]):
        queue.push(Request(f"http://x.test/{i}", callback=spider.parse_article, priority=priority))
    dead = Leases(redis_client, KEYS, "host:1:dead", ttl=0.2)
    alive = Leases(redis_client, KEYS, "host:2:alive", ttl=30)
    dead.beat()
    alive.beat()
    _, data, _ = dead.pop(KEYS.queue)
    assert queue._decode_request(data).url == "http://x.test/1"          # highest priority first
    token2, _, _ = alive.pop(KEYS.queue)
    assert frontier_size(redis_client, KEYS) == (1, 2)
    assert reclaim_dead(redis_client, KEYS) == 0                         # both alive
    time.sleep(0.3)                                                      # dead's heartbeat expires
    assert reclaim_dead(redis_client, KEYS) == 1
    assert frontier_size(redis_client, KEYS) == (2, 1)
    assert queue.pop().url == "http://x.test/1"                          # back, priority kept
    alive.ack(token2)
    assert frontier_size(redis_client, KEYS) == (1, 0)


def test_a_lease_is_acknowledged_once_scrapy_releases_the_request(redis_client) -> None:
    from scrapy import Request

    leases = Leases(redis_client, KEYS, "host:3:w", ttl=30)
    leases.beat()
    redis_client.zadd(KEYS.queue, {b"data": 0})
    token, _, _ = leases.pop(KEYS.queue)
    request = Request("http://x.test/")
    leases.track(request, token)
    assert leases.pending() == 1
    del request
    assert leases.pending() == 0


def fixture_items(count: int) -> list[dict[bytes, bytes]]:
    """Stream entries of *count* distinct articles (and the run frame around them)."""
    entries = [messages.encode_run_start("host:9:w", "shamtimes", {"spider": "news"})]
    for i in range(count):
        item = ArticleItem(url=f"http://www.shamtimes.test/2025/05/01/a-{i}/", site="shamtimes",
                           title=f"عنوان {i}", body=f"نص المقال رقم {i}", request_url=f"http://www.shamtimes.test/?p={i}",
                           response_url=f"http://www.shamtimes.test/2025/05/01/a-{i}/", status=200,
                           fetched_at="2025-05-01T10:00:00Z", html=f"<p>{i}</p>".encode())
        entries.append(messages.encode_item(item, "host:9:w"))
    entries.append(messages.encode_run_end("host:9:w", "finished", {"response_received_count": count}))
    return [{k.encode(): v for k, v in e.items()} for e in entries]


def test_writer_killed_between_commit_and_ack_duplicates_nothing(redis_client, db_path) -> None:
    from newscrawl.distributed.writer import ArchiveWriter

    for fields in fixture_items(30):
        redis_client.xadd(KEYS.items, fields)

    class Killed(Exception):
        pass

    with Archive(db_path) as archive:
        first = ArchiveWriter(redis_client, archive, KEYS, batch=10)
        first.lock()
        first.ensure_group()
        entries = first.read()

        def die(ids: list[bytes]) -> None:   # the transaction has committed; the process dies here
            raise Killed

        first.ack = die  # type: ignore[method-assign]
        with pytest.raises(Killed):
            first.write(entries)
        assert archive.count() == 9
    redis_client.delete(KEYS.writer_lock)    # (a dead process's lock is taken over; here: same pid)
    with Archive(db_path) as archive:
        stats = ArchiveWriter(redis_client, archive, KEYS, batch=10).run(exit_when_idle=0)
        assert stats.redelivered == 10
        assert archive.count() == 30
        assert archive.db["article_versions"].count == 30
        assert archive.db["fetches"].count == 30
        run = archive.db.execute("SELECT finish_reason, new, pages_fetched FROM crawl_runs").fetchall()
    assert run == [("finished", 30, 30)]
    assert redis_client.xlen(KEYS.items) == 0


def test_writer_keeps_unreadable_entries_as_dead_letters(redis_url, redis_client, db_path) -> None:
    from newscrawl.distributed.writer import run_writer

    redis_client.xadd(KEYS.items, {"kind": "item", "run": "r", "item": "{broken"})
    for fields in fixture_items(2):
        redis_client.xadd(KEYS.items, fields)
    stats = run_writer(redis_url, str(db_path), exit_when_idle=0)
    assert (stats.articles, stats.dead) == (2, 1)
    dead = redis_client.xrange(KEYS.dead_items)
    assert len(dead) == 1 and b"error" in dead[0][1]


def test_only_one_writer_at_a_time(redis_client, db_path) -> None:
    from newscrawl.distributed.writer import ArchiveWriter, WriterBusy

    with Archive(db_path) as archive:
        first = ArchiveWriter(redis_client, archive, KEYS)
        first.lock()
        with pytest.raises(WriterBusy):
            ArchiveWriter(redis_client, archive, KEYS).lock(wait=0.2)
        first.unlock()


def test_seed_starts_a_round_then_adds_to_it(redis_client) -> None:
    from newscrawl.distributed.seed import seed

    first = seed(redis_client, ["shamtimes"])
    assert first.new_round
    assert "http://www.shamtimes.test/sitemap.xml" in first.pushed
    again = seed(redis_client, ["shamtimes", "nilenews"])             # the round is running
    assert not again.new_round
    assert set(again.skipped) == set(first.pushed)
    assert again.pushed and all(urlsplit(u).hostname == "www.nilenews.test" for u in again.pushed)
    for key in queue_keys(redis_client, KEYS):                          # the round is over
        redis_client.delete(key)
    assert seed(redis_client, ["shamtimes"]).new_round


def test_seeded_requests_decode_to_the_spiders_callbacks(redis_client) -> None:
    from scrapy_redis.queue import PriorityQueue

    from newscrawl.distributed.seed import seed, start_requests

    seed(redis_client, ["carthage"])
    spider, _ = start_requests(["carthage"])
    queue = PriorityQueue(redis_client, spider, KEYS.site_queue("carthage"))
    callbacks = set()
    while (request := queue.pop()) is not None:
        callbacks.add(request.callback.__name__)
    assert callbacks == {"parse_sitemap", "parse_feed", "parse_listing"}


def test_merge_command_is_documented() -> None:
    from newscrawl.distributed.cli import COMMANDS

    for command in COMMANDS:
        assert command.help, command.name


# -- real workers and writers ---------------------------------------------------------------------------
def counts(db: Path) -> dict[str, int]:
    with Archive(db, readonly=True) as archive:
        return {t: archive.db[t].count for t in ("articles", "url_aliases", "article_versions", "fetches")}


@pytest.fixture(scope="module")
def two_workers_and_a_killed_writer(tmp_path_factory, redis_server, fixture_server_module,
                                    demo_module):  # type: ignore[no-untyped-def]
    """Round 1: `newscrawl seed`, two workers and a writer crawl the fixture sites, the writer is
    killed (SIGKILL) mid-stream and restarted.  Round 2: the same sites again, one worker."""
    import redis
    from conftest import SITE

    tmp = tmp_path_factory.mktemp("distributed")
    logs = tmp / "logs"                       # the workers' working directory
    logs.mkdir()
    url = redis_server.url.rsplit("/", 1)[0] + "/1"
    client = redis.Redis.from_url(url)
    client.flushdb()
    db = tmp / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    env = redis_env(demo_module, server.proxy_url, url)
    try:
        seeded = newscrawl(*doc_command("newscrawl seed")[1:], env=env).stdout
        first_writer = writer(db, env, logs / "writer1.log", "--batch", "4")
        workers = [worker(env, logs / f"worker{i}.log") for i in range(2)]
        wait_until(lambda: article_count(db) >= 12)
        first_writer.send_signal(signal.SIGKILL)
        first_writer.wait()
        killed_at = article_count(db)
        second_writer = writer(db, env, logs / "writer2.log", "--exit-when-idle", "1")
        for i, process in enumerate(workers):
            wait(process, logs / f"worker{i}.log")
        wait(second_writer, logs / "writer2.log")
        first_log, first_counts = list(server.access_log), counts(db)
        server.clear_log()
        reseeded = newscrawl(*doc_command("newscrawl seed")[1:], env=env).stdout
        round2 = [worker(env, logs / "round2-worker.log"),
                  writer(db, env, logs / "round2-writer.log", "--exit-when-idle", "1")]
        for process, name in zip(round2, ("round2-worker", "round2-writer")):
            wait(process, logs / f"{name}.log")
    finally:
        server.stop()
        client.flushdb()
    return {"db": db, "log": first_log, "seeded": seeded, "killed_at": killed_at, "tmp": tmp,
            "workers": [p.pid for p in workers], "first_counts": first_counts, "reseeded": reseeded,
            "round2_log": list(server.access_log), "round2_counts": counts(db)}


def test_workers_never_open_the_sqlite_archive(two_workers_and_a_killed_writer) -> None:
    logs = two_workers_and_a_killed_writer["tmp"] / "logs"
    assert [p.name for p in logs.iterdir() if not p.name.endswith(".log")] == []


def test_two_workers_and_a_writer_archive_exactly_the_expected_articles(two_workers_and_a_killed_writer,
                                                                         expected) -> None:
    assert_archive_is_expected(two_workers_and_a_killed_writer["db"], expected)


def test_both_workers_crawled(two_workers_and_a_killed_writer) -> None:
    pids = {str(pid) for pid in two_workers_and_a_killed_writer["workers"]}
    with Archive(two_workers_and_a_killed_writer["db"], readonly=True) as archive:
        runs = [run for run in archive.db.query("SELECT finish_reason, pages_fetched, args FROM crawl_runs")
                if json.loads(run["args"])["worker"].split(":")[1] in pids]
    assert len(runs) == 2
    assert all(run["finish_reason"] == "finished" and run["pages_fetched"] > 0 for run in runs)


def test_no_url_fetched_twice_across_workers(two_workers_and_a_killed_writer) -> None:
    fetched = Counter((e["host"], e["path"]) for e in two_workers_and_a_killed_writer["log"] if e["method"] == "GET")
    assert [url for url, n in fetched.items() if n > 1] == []
    assert fetched[("www.shamtimes.test", "/robots.txt")] == 1              # shared by the workers


def test_robots_txt_is_obeyed_by_every_worker(two_workers_and_a_killed_writer, expected) -> None:
    fetched = {(e["host"], e["path"]) for e in two_workers_and_a_killed_writer["log"]}
    for url in expected["robots_disallowed"]:
        parts = urlsplit(url)
        assert (parts.hostname, parts.path) not in fetched, url


def test_the_writer_was_killed_mid_stream(two_workers_and_a_killed_writer, expected) -> None:
    assert 12 <= two_workers_and_a_killed_writer["killed_at"] < len(expected["articles"])


def test_seed_starts_rounds(two_workers_and_a_killed_writer) -> None:
    assert two_workers_and_a_killed_writer["seeded"].startswith("new round: 9 start URLs pushed")
    assert two_workers_and_a_killed_writer["reseeded"].startswith("new round: 9 start URLs pushed")


def test_the_next_round_fetches_no_archived_article(two_workers_and_a_killed_writer) -> None:
    from newscrawl.siteconfig import load_sites

    sites = load_sites()

    def is_article(host: str, path: str) -> bool:
        site = next(s for s in sites if host.endswith(s.allowed_domains[0]))
        return site.is_article_url(path.split("?")[0]) or site.is_article_url(path)

    second = [e for e in two_workers_and_a_killed_writer["round2_log"] if e["method"] == "GET"]
    assert second, "round 2 fetched nothing at all"
    assert [e for e in second if is_article(e["host"], e["path"]) and e["status"] == 200] == []
    assert len(second) * 3 < len(two_workers_and_a_killed_writer["log"])
    assert two_workers_and_a_killed_writer["round2_counts"] == two_workers_and_a_killed_writer["first_counts"]


def test_a_killed_worker_leaves_the_rest_to_the_other(tmp_path, redis_url, redis_client, fixture_server,
                                                       demo_module, expected) -> None:
    from newscrawl.distributed.seed import seed

    db = tmp_path / "archive.db"
    env = redis_env(demo_module, fixture_server.proxy_url, redis_url)
    seed(redis_client, SITES)
    slow = ("-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_START_DELAY=0.1")
    victim = worker(env, tmp_path / "victim.log", *slow)
    wait_until(lambda: (w := worker_id_of(redis_client, victim.pid)) is not None
               and redis_client.hlen(KEYS.inflight(w)) > 0 and redis_client.scard(KEYS.dupefilter) > 30)
    survivor = worker(env, tmp_path / "survivor.log")
    time.sleep(1.0)
    victim_id = worker_id_of(redis_client, victim.pid)
    in_flight = redis_client.hlen(KEYS.inflight(victim_id))
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    the_writer = writer(db, env, tmp_path / "writer.log", "--exit-when-idle", "1")
    wait(survivor, tmp_path / "survivor.log", timeout=90)
    wait(the_writer, tmp_path / "writer.log")
    assert in_flight > 0
    assert "put back into the frontier" in (tmp_path / "survivor.log").read_text()
    assert frontier_size(redis_client, KEYS) == (0, 0)
    assert_archive_is_expected(db, expected)


# -- the incremental crawl state over Redis ------------------------------------------------------------
def test_crawl_state_round_trip_through_the_writer(redis_client, db_path) -> None:
    from newscrawl.distributed.crawlstate import RedisCrawlState
    from newscrawl.distributed.writer import ArchiveWriter

    worker_state = RedisCrawlState(redis_client, KEYS, run="host:9:w")
    entries = fixture_items(2)
    for fields in entries[:-1]:                               # run-start, two items
        redis_client.xadd(KEYS.items, fields)
    first, second = "http://www.shamtimes.test/?p=0", "http://www.shamtimes.test/?p=1"
    worker_state.record_ok(first, site="shamtimes", kind="article", etag='"abc"', last_modified=None)
    worker_state.record_failure("http://www.shamtimes.test/late/", site="shamtimes", kind="article",
                                error_kind="timeout", reason="read timed out", attempts=4)
    worker_state.set_watermarks({"http://www.shamtimes.test/sitemap.xml": ("shamtimes", "2025-05-01T00:00:00Z")})
    redis_client.xadd(KEYS.items, entries[-1])                # run-end: finished
    assert worker_state.archived(url_key(first)) is None      # nothing before the writer commits
    with Archive(db_path) as archive:
        ArchiveWriter(redis_client, archive, KEYS).run(exit_when_idle=0)
        article_id = archive.db.execute("SELECT article_id FROM fetches WHERE url = ?", [first]).fetchone()[0]
        assert archive.db.execute("SELECT etag FROM crawl_state WHERE url = ?", [first]).fetchone() == ('"abc"',)
    hit = worker_state.archived(url_key(first))
    assert hit is not None and hit.article_id == article_id
    assert worker_state.archived(url_key("http://www.shamtimes.test/2025/05/01/a-1/")) is not None
    assert worker_state.archived(url_key(second)) is not None
    assert worker_state.state(first).etag == '"abc"'
    [retry] = worker_state.pending_retries("shamtimes", max_attempts=10)
    assert retry.url == "http://www.shamtimes.test/late/" and retry.attempts == 4
    assert worker_state.pending_retries("shamtimes", max_attempts=4) == []
    assert worker_state.settled_before("shamtimes") is not None
    assert worker_state.watermarks(["shamtimes"]) == {"http://www.shamtimes.test/sitemap.xml": "2025-05-01T00:00:00Z"}
    settled = worker_state.settled_before("shamtimes")
    assert worker_state.known([url_key(first), url_key("http://x.test/")], before="9999") == {url_key(first)}
    assert worker_state.known([url_key(first)], before=settled[:4]) == set()
    worker_state.record_failure("http://www.shamtimes.test/gone/", site="shamtimes", kind="article",
                                error_kind="gone", reason="410", at="2025-05-01T00:00:00Z")
    with Archive(db_path) as archive:
        ArchiveWriter(redis_client, archive, KEYS).run(exit_when_idle=0)
    gone = url_key("http://www.shamtimes.test/gone/")
    assert worker_state.known([gone], before="2025-05-01T00:00:00Z") == {gone}
    assert worker_state.known([gone], before="2025-04-30T00:00:00Z") == set()


def test_a_new_redis_gets_the_whole_archives_state(redis_client, db_path) -> None:
    from newscrawl.distributed.crawlstate import RedisCrawlState, StatePublisher

    with Archive(db_path) as archive:
        archive.upsert(ArticleRecord(url="http://www.shamtimes.test/old/", site="shamtimes", title="ت", body="ن"),
                       Fetch(url="http://www.shamtimes.test/?p=7", fetched_at="2025-01-01T00:00:00Z"))
        publisher = StatePublisher(redis_client, archive, KEYS)
        assert publisher.sync_all()
        assert not publisher.sync_all()                          # once per Redis
    state = RedisCrawlState(redis_client, KEYS)
    assert state.archived(url_key("http://www.shamtimes.test/?p=7")) is not None
    assert state.archived(url_key("http://www.shamtimes.test/old/")) is not None
