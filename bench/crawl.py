"""Crawl throughput: the full crawl → parse → archive path beside a bare fetch-only spider.

Both run in this one invocation against the same generated site (``fixtures/build_site.py
--synthetic N``: the fixture templates, N articles over the three fixture hosts) served by nginx
(bench/staticserver.py), with the same downloader settings.  The bare spider fetches exactly the
URLs the full crawl fetched (taken from nginx's access log), so the ratio isolates what parsing,
deduplication and archiving cost.  Peak RSS is each crawl process's own (``wait4`` rusage).

    .venv/bin/python bench/crawl.py [--n 5000] [--demo]
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
sys.path.insert(0, str(HERE))
from staticserver import StaticServer  # noqa: E402

BIN = Path(sys.executable).parent
SITES = "shamtimes,nilenews,carthage"
SPEED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=32",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING", "-s", "TELNETCONSOLE_ENABLED=False"]


def run(command: list[str], proxy: str, cwd: Path = ROOT) -> tuple[float, int, int]:
    """(wall seconds, exit status, peak RSS in KiB) of one process."""
    env = dict(os.environ, http_proxy=proxy, SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    env.pop("no_proxy", None)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-3000:])
    return wall, os.waitstatus_to_exitcode(status), usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="articles in the generated site")
    parser.add_argument("--demo", action="store_true", help="also time `make demo`'s crawl script")
    args = parser.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="crawl-", dir=out))
    site = tmp / "site"
    subprocess.run([sys.executable, str(ROOT / "fixtures" / "build_site.py"), "--synthetic", str(args.n),
                    "--out", str(site)], check=True, stdout=subprocess.DEVNULL)
    expected = json.loads((site / "expected.json").read_text(encoding="utf-8"))
    with StaticServer(site) as server:
        db = tmp / "full.db"
        full_wall, code, full_rss = run([str(BIN / "scrapy"), "crawl", "news", "-a", f"site={SITES}",
                                         "-s", f"NEWSCRAWL_DB={db}", "-s", f"NEWSCRAWL_JOBS_DIR={tmp / 'jobs'}",
                                         *SPEED], server.proxy_url)
        if code != 0:
            print("full crawl failed", file=sys.stderr)
            return 1
        time.sleep(0.5)
        fetched = [f"http://{host}{path}" for host, path, _ in server.requests()]
        if os.environ.get("BENCH_DEBUG"):
            print(server.requests()[:20], (server.tmp / "error.log").read_text()[-2000:])
        url_file = tmp / "urls.txt"
        url_file.write_text("\n".join(fetched), encoding="utf-8")
        import sqlite3
        conn = sqlite3.connect(db)
        full_stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])
        archived = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
        bare_stats_file = tmp / "bare.json"
        bare_wall, code, bare_rss = run([str(BIN / "scrapy"), "runspider", str(HERE / "bare_spider.py"),
                                         "-a", f"urls={url_file}", "-a", f"stats={bare_stats_file}",
                                         *SPEED], server.proxy_url)
        if code != 0:
            print("bare crawl failed", file=sys.stderr)
            return 1
        bare_stats = json.loads(bare_stats_file.read_text())
    # Rates over each process's wall time (Scrapy start-up included for both, ~1-2 s).
    full_pages, full_secs = int(full_stats.get("response_received_count", 0)), full_wall
    bare_pages, bare_secs = int(bare_stats.get("response_received_count", 0)), bare_wall
    full_rate, bare_rate = full_pages / full_secs, bare_pages / bare_secs
    print(f"generated site: {args.n} articles ({len(expected['articles'])} in its expected.json), "
          f"served by nginx; {len(fetched)} requests")
    print(f"{'crawl':<34}{'pages':>8}{'seconds':>10}{'pages/s':>10}{'peak RSS':>12}")
    print(f"{'bare fetch (baseline)':<34}{bare_pages:>8}{bare_secs:>10.1f}{bare_rate:>10.1f}"
          f"{bare_rss / 1024:>9.0f} MB")
    print(f"{'full: fetch+parse+dedup+archive':<34}{full_pages:>8}{full_secs:>10.1f}{full_rate:>10.1f}"
          f"{full_rss / 1024:>9.0f} MB")
    print(f"ratio full/bare: {full_rate / bare_rate:.0%} of the bare-fetch rate (target >= 60%); "
          f"{archived} articles archived")
    if args.demo:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "fixtures" / "demo.py"), "--db", str(tmp / "demo.db")],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"demo (fixtures/demo.py, warm .venv): {time.perf_counter() - started:.1f} s (target < 60 s)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
