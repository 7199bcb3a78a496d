"""Incremental crawling at scale: a first and a second run over an unchanged synthetic site.

Generates a synthetic site of ``--n`` articles (``fixtures/build_site.py --synthetic N``; the three
fixture sites' host names, so the bundled site configs apply), serves it with nginx
(:mod:`bench.staticserver`, installed from Debian when missing), and runs the real
``newscrawl crawl shamtimes nilenews carthage`` twice into a fresh archive:

- requests served (nginx's access log) and wall time of each run, and their ratios
  (targets: the second run makes >= 10x fewer requests and is >= 5x faster);
- peak RSS of each crawl process (``wait4``), and its RSS sampled over the run, to show that memory
  stays flat (target: < 400 MB for 100,000 articles);
- what the second run did instead of fetching: articles skipped by the archive lookup, sitemap
  entries skipped by ``lastmod``, listing pages whose pagination stopped.

The crawler runs without politeness delays (``-s DOWNLOAD_DELAY=0``, AutoThrottle off, 8
connections per site, 24 in all): the server is local and the point is the crawler's own cost.

Run:  .venv/bin/python bench/incremental.py [--n 100000] [--out bench/out] [--json FILE]
A generated site is kept in ``<out>/synthetic-<n>/`` and reused by the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staticserver import StaticServer  # noqa: E402

BIN = Path(sys.executable).parent
SITES = ["shamtimes", "nilenews", "carthage"]
SPEED = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=24",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO", "-s", "NEWSCRAWL_PROGRESS=log",
         "-s", "NEWSCRAWL_PROGRESS_INTERVAL=30"]


def build_site(n: int, out: Path) -> Path:
    site = out / f"synthetic-{n}"
    expected = site / "expected.json"
    if expected.exists():
        return site
    print(f"generating a synthetic site of {n:,} articles in {site} …", flush=True)
    subprocess.run([sys.executable, str(ROOT / "fixtures" / "build_site.py"), "--synthetic", str(n),
                    "--out", str(site)], check=True)
    return site


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_crawl(db: Path, proxy_url: str, log: Path) -> dict[str, Any]:
    """One ``newscrawl crawl`` run: wall time, peak RSS (wait4) and RSS samples every second."""
    env = dict(os.environ, http_proxy=proxy_url, SCRAPY_SETTINGS_MODULE="newscrawl.settings")
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    command = [str(BIN / "newscrawl"), "crawl", *SITES, "--db", str(db), *SPEED]
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                rss = _rss_kb(process.pid)
                if rss:
                    samples.append((round(time.monotonic() - started, 1), rss))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"crawl failed (exit {process.returncode}), see {log}")
    return {"seconds": round(elapsed, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "rss_samples_mb": [(t, round(kb / 1024, 1)) for t, kb in samples]}


def run_figures(db: Path, run_id: int) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM crawl_run_sites WHERE run_id = ?", [run_id]).fetchall()
        stats = json.loads(conn.execute("SELECT stats FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0])
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    totals = {k: sum(r[k] for r in rows) for k in ("requests", "pages_fetched", "new", "updated", "unchanged",
                                                   "skipped", "not_modified", "errors")}
    return {"archive_articles": articles, **totals,
            "finish": {r["site"]: r["finish_reason"] for r in rows}, "sites": len(stats.get("sites", []))}


def flatness(samples: list[tuple[float, float]]) -> dict[str, float]:
    """RSS at a quarter, half, three quarters and the end of the run (MB)."""
    if not samples:
        return {}
    pick = lambda q: samples[min(int(len(samples) * q), len(samples) - 1)][1]  # noqa: E731
    return {"25%": pick(0.25), "50%": pick(0.5), "75%": pick(0.75), "end": samples[-1][1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles in the synthetic site")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    site = build_site(args.n, args.out)
    work = args.out / f"incremental-{args.n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    db = work / "archive.db"
    results: dict[str, Any] = {"articles_in_site": args.n}
    with StaticServer(site) as server:
        print(f"nginx on {server.proxy_url} serving {site}", flush=True)
        for run_id, name in enumerate(("first", "second"), start=1):
            before = len(server.requests())
            figures = run_crawl(db, server.proxy_url, work / f"{name}.log")
            figures["requests_served"] = len(server.requests()) - before
            figures.update(run_figures(db, run_id))
            figures["rss_flatness_mb"] = flatness(figures["rss_samples_mb"])
            results[name] = figures
            print(f"{name} run: {figures['requests_served']:,} requests, {figures['seconds']:.1f} s, "
                  f"{figures['new']:,} new, peak RSS {figures['peak_rss_mb']:.0f} MB", flush=True)
    first, second = results["first"], results["second"]
    results["ratio_requests"] = round(first["requests_served"] / max(second["requests_served"], 1), 1)
    results["ratio_time"] = round(first["seconds"] / max(second["seconds"], 0.001), 1)
    targets = {"requests >= 10x fewer": results["ratio_requests"] >= 10,
               "time >= 5x faster": results["ratio_time"] >= 5,
               "peak RSS < 400 MB": max(first["peak_rss_mb"], second["peak_rss_mb"]) < 400}
    results["targets"] = targets

    print(f"\nIncremental crawl of a synthetic site of {args.n:,} articles (3 sites, nginx, no delays)\n")
    print(f"  {'':<28}{'first run':>14}{'second run':>14}")
    for label, key, fmt in (("requests served", "requests_served", "{:,}"), ("wall time (s)", "seconds", "{:.1f}"),
                            ("articles new", "new", "{:,}"), ("articles skipped (archived)", "skipped", "{:,}"),
                            ("304 not modified", "not_modified", "{:,}"), ("errors", "errors", "{:,}"),
                            ("peak RSS (MB)", "peak_rss_mb", "{:.0f}")):
        print(f"  {label:<28}{fmt.format(first[key]):>14}{fmt.format(second[key]):>14}")
    for label in ("25%", "50%", "75%", "end"):
        print(f"  {'RSS at ' + label + ' of the run (MB)':<28}{first['rss_flatness_mb'].get(label, 0):>14.0f}"
              f"{second['rss_flatness_mb'].get(label, 0):>14.0f}")
    print(f"\n  second run: {results['ratio_requests']}x fewer requests, {results['ratio_time']}x faster")
    print(f"  archive: {second['archive_articles']:,} articles; finish: {first['finish']} / {second['finish']}")
    for label, ok in targets.items():
        print(f"  target {label}: {'met' if ok else 'NOT MET'}")
    for path in filter(None, [args.json, work / "results.json"]):
        path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
