"""Distributed mode's throughput: 1 and 2 workers beside the single-process crawl, and the writer's limit.

All in one run, against one generated site (``fixtures/build_site.py --synthetic N``) served by nginx
(bench/staticserver.py, installed if missing) and a real redis-server (scripts/redis-server.sh):

1. the single-process crawl (``scrapy crawl news``, SQLite written by the crawler itself);
2. ``newscrawl seed`` + 1 worker + ``newscrawl archive-writer``;
3. the same with 2 workers;
4. the writer alone: the articles of crawl 1 as stream items (with their HTML), drained into a new
   archive, to measure how many articles/s one SQLite writer can take;

and from 2-4 the number of workers at which the single writer saturates.  Pages/s is responses
over the time from the first process start until the frontier is empty (distributed) or the crawl
process exits (single); Scrapy's start-up is in both.  "archived after": until the last item of
the crawl is committed (the stream is empty).  Same downloader settings as bench/crawl.py.

    .venv/bin/python bench/distributed.py [--n 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, bench/ is first on sys.path, and bench/archive.py would shadow the archive package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    """A module by path: bench/ has an archive.py that must not shadow the archive package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


RedisServer = _load("conftest_redis", ROOT / "tests" / "conftest_redis.py").RedisServer
StaticServer = _load("staticserver", HERE / "staticserver.py").StaticServer

BIN = Path(sys.executable).parent
SITES = ["shamtimes", "nilenews", "carthage"]
SPEED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=32",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=False"]


def env_for(proxy: str) -> dict[str, str]:
    env = dict(os.environ, http_proxy=proxy, SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    env.pop("no_proxy", None)
    return env


def crawl_command(*extra: str) -> list[str]:
    return [str(BIN / "scrapy"), "crawl", "news", "-a", f"site={','.join(SITES)}", *SPEED, *extra]


def reap(process: subprocess.Popen) -> float:  # type: ignore[type-arg]
    """Wait for *process*; its CPU seconds (user + system)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{process.args[:4]} failed with exit status {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def single(tmp: Path, proxy: str) -> dict[str, float]:
    db = tmp / "single.db"
    started = time.perf_counter()
    cpu = reap(subprocess.Popen(crawl_command("-s", f"NEWSCRAWL_DB={db}", "-s", f"NEWSCRAWL_JOBS_DIR={tmp / 'jobs'}"),
                                cwd=tmp, env=env_for(proxy), stdout=subprocess.DEVNULL))
    seconds = time.perf_counter() - started
    import sqlite3

    conn = sqlite3.connect(db)
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    pages = int(stats.get("response_received_count", 0))
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds, "articles": articles, "cpu": cpu}


def distributed(tmp: Path, proxy: str, redis_url: str, workers: int) -> dict[str, float]:
    import redis

    from newscrawl.distributed.keys import Keys
    from newscrawl.distributed.lease import frontier_size
    from newscrawl.distributed.seed import seed

    keys = Keys()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    db = tmp / f"distributed-{workers}.db"
    env = env_for(proxy)
    started = time.perf_counter()
    seed(client, SITES)
    writer = subprocess.Popen([str(BIN / "newscrawl"), "archive-writer", "--redis", redis_url, "--db", str(db),
                               "--exit-when-idle", "1"], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                              stderr=(tmp / "writer.log").open("wb"))
    procs = [subprocess.Popen(crawl_command("-s", f"NEWSCRAWL_REDIS_URL={redis_url}", "-s", "NEWSCRAWL_IDLE_SECONDS=1"),
                              cwd=tmp, env=env, stdout=subprocess.DEVNULL)
             for _ in range(workers)]
    busy_seen = False
    while True:                                   # until the frontier is empty for good
        queued, inflight = frontier_size(client, keys)
        if queued or inflight:
            busy_seen = True
        elif busy_seen:
            break
        time.sleep(0.1)
    crawled = time.perf_counter() - started
    while client.xlen(keys.items) and writer.poll() is None:   # the writer deletes what it committed
        time.sleep(0.05)
    drained = time.perf_counter() - started
    worker_cpu = sum(reap(proc) for proc in procs)
    writer_cpu = reap(writer)
    import sqlite3

    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    pages = conn.execute("SELECT sum(pages_fetched) FROM crawl_runs").fetchone()[0] or 0   # the workers' runs
    conn.close()
    return {"pages": pages, "seconds": crawled, "rate": pages / crawled, "articles": articles,
            "archived_seconds": drained, "cpu": worker_cpu, "writer_cpu": writer_cpu}


def writer_alone(tmp: Path, source_db: Path, redis_url: str) -> dict[str, float]:
    """Drain the articles of *source_db*, as stream items, into a new archive."""
    import redis

    from archive import Archive
    from archive.compress import unpack
    from newscrawl.distributed import messages
    from newscrawl.distributed.keys import Keys
    from newscrawl.distributed.writer import run_writer
    from newscrawl.items import ArticleItem

    keys = Keys()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    count = 0
    with Archive(source_db, readonly=True) as archive, client.pipeline(transaction=False) as pipe:
        pipe.xadd(keys.items, messages.encode_run_start("bench:1:w", ",".join(SITES), {}))
        for row in archive.db.query(
                "SELECT a.*, f.url AS f_url, f.final_url, f.fetched_at, f.html, f.compression FROM articles a "
                "JOIN fetches f ON f.article_id = a.id GROUP BY a.id"):
            item = ArticleItem(url=row["url"], site=row["site"], title=row["title"], body=row["body"],
                               category=row["category"], author=row["author"], tags=json.loads(row["tags"] or "[]"),
                               images=json.loads(row["images"] or "[]"),
                               related_links=json.loads(row["related_links"] or "[]"), published=row["published"],
                               request_url=row["f_url"], response_url=row["final_url"] or row["f_url"],
                               fetched_at=row["fetched_at"], html=unpack(row["html"], row["compression"]))
            pipe.xadd(keys.items, messages.encode_item(item, "bench:1:w"))
            count += 1
        pipe.xadd(keys.items, messages.encode_run_end("bench:1:w", "finished", {}))
        pipe.execute()
    started, cpu_started = time.perf_counter(), time.process_time()
    stats = run_writer(redis_url, str(tmp / "writer-alone.db"), batch=200, exit_when_idle=0)
    seconds = time.perf_counter() - started - 1.0          # the last, empty read waits 1 s
    cpu = time.process_time() - cpu_started
    return {"articles": stats.articles, "seconds": seconds, "rate": stats.articles / seconds,
            "transaction_rate": stats.insert_rate, "items": count, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="articles in the generated site")
    args = parser.parse_args()
    subprocess.run(["sh", str(ROOT / "scripts" / "redis-server.sh")], check=True)
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="distributed-", dir=out))
    site = tmp / "site"
    subprocess.run([sys.executable, str(ROOT / "fixtures" / "build_site.py"), "--synthetic", str(args.n),
                    "--out", str(site)], check=True, stdout=subprocess.DEVNULL)
    redis_server = RedisServer(tmp).start()
    try:
        with StaticServer(site) as server:
            results = {"single process": single(tmp, server.proxy_url)}
            for workers in (1, 2):
                results[f"{workers} worker{'s' if workers > 1 else ''} + writer"] = distributed(
                    tmp, server.proxy_url, redis_server.url, workers)
        alone = writer_alone(tmp, tmp / "single.db", redis_server.url)
    finally:
        redis_server.stop()
    print(f"generated site: {args.n} articles, served by nginx; redis-server on 127.0.0.1; "
          f"{os.cpu_count()} CPUs for everything (load average before: {load_before})")
    print(f"{'crawl':<22}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'articles':>10}{'archived after':>16}"
          f"{'crawler CPU ms/page':>21}{'writer CPU ms/article':>23}")
    for name, r in results.items():
        after = f"{r['archived_seconds']:.1f} s" if "archived_seconds" in r else "-"
        writer_cpu = f"{1000 * r['writer_cpu'] / r['articles']:.1f}" if "writer_cpu" in r else "(in the crawl)"
        print(f"{name:<22}{r['pages']:>7}{r['seconds']:>9.1f}{r['rate']:>9.1f}{r['articles']:>10}{after:>16}"
              f"{1000 * r['cpu'] / r['pages']:>21.1f}{writer_cpu:>23}")
    print(f"writer alone (backlog of {alone['items']} items): {alone['articles']} articles in {alone['seconds']:.1f} s "
          f"= {alone['rate']:.0f} articles/s, {1000 * alone['cpu'] / alone['articles']:.2f} ms CPU per article "
          f"(SQLite transactions alone: {alone['transaction_rate']:.0f} articles/s)")
    one = results["1 worker + writer"]
    per_page = one["cpu"] / one["pages"]                      # CPU seconds a worker spends per page
    articles_per_page = one["articles"] / one["pages"]
    worker_rate = articles_per_page / per_page                # articles/s of a worker with a CPU of its own
    print(f"a worker with a CPU of its own: {1 / per_page:.0f} pages/s = {worker_rate:.0f} articles/s; "
          f"the writer saturates at about {alone['rate'] / worker_rate:.0f} such workers "
          f"({alone['rate']:.0f} / {worker_rate:.0f} articles/s); at 2 articles/s per polite worker, "
          f"about {alone['rate'] / 2:.0f} workers, {alone['rate'] * 86400 / 1e6:.0f} million articles a day")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
