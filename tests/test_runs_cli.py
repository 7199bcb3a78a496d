"""``newscrawl crawl-all`` / ``crawl`` / ``runs``: one run over every enabled site, a lock against
overlapping runs, per-site run records, degradation flags, and the progress display."""

from __future__ import annotations

import json
import logging
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.runs import (
    RunLock,
    SiteCounts,
    degradation,
    finish_site_run,
    mark_interrupted,
    start_site_run,
)
from newscrawl.cli import cli, format_runs
from newscrawl.extensions.progress import SiteProgress, progress_mode, render

BIN = Path(sys.executable).parent
FAST = ["-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_START_DELAY=0.02"]
DEAD_SITE = """
name = "deadsite"
allowed_domains = ["newscrawl-dead.invalid"]
start_urls = ["http://www.newscrawl-dead.invalid/"]
article_patterns = ['^/a/']
listing_patterns = ['^/$']
"""
RUN_KEYS = {"run_id", "site", "pages_fetched", "new", "updated", "unchanged", "errors", "errors_by_kind",
            "finish_reason", "duration", "degraded"}


def _env(proxy_url: str, sites_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, http_proxy=proxy_url, no_proxy="newscrawl-dead.invalid",
               SCRAPY_SETTINGS_MODULE="newscrawl.settings", **extra)
    env.pop("NO_PROXY", None)
    if sites_dir is not None:
        env["NEWSCRAWL_SITES"] = str(sites_dir)
    return env


@pytest.fixture(scope="module")
def crawl_all(tmp_path_factory, fixture_server_module):  # type: ignore[no-untyped-def]
    """``newscrawl crawl-all`` over the three fixture sites and a site whose host does not resolve."""
    from conftest import SITE

    tmp = tmp_path_factory.mktemp("crawlall")
    (tmp / "sites").mkdir()
    (tmp / "sites" / "deadsite.toml").write_text(DEAD_SITE, encoding="utf-8")
    db = tmp / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    try:
        done = subprocess.run([str(BIN / "newscrawl"), "crawl-all", "--db", str(db), *FAST,
                               "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.5", "-s", "RETRY_TIMES=0"],
                              env=_env(server.proxy_url, tmp / "sites"), capture_output=True, text=True,
                              timeout=120, check=False)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    runs = subprocess.run([str(BIN / "newscrawl"), "runs", "--db", str(db), "--format", "json"],
                          capture_output=True, text=True, check=True).stdout
    return {"db": db, "done": done, "rows": [json.loads(line) for line in runs.splitlines()]}


@pytest.mark.slow
def test_crawl_all_records_every_site(crawl_all, expected) -> None:
    rows = {r["site"]: r for r in crawl_all["rows"]}
    assert set(rows) == {"shamtimes", "nilenews", "carthage", "deadsite"}
    assert len({r["run_id"] for r in rows.values()}) == 1
    for row in rows.values():
        assert RUN_KEYS <= set(row)
    for site in ("shamtimes", "nilenews", "carthage"):
        assert rows[site]["finish_reason"] == "finished"
        assert rows[site]["pages_fetched"] > 10
    assert sum(rows[s]["new"] for s in ("shamtimes", "nilenews", "carthage")) == len(expected["articles"])


@pytest.mark.slow
def test_a_dead_site_is_recorded_not_fatal(crawl_all) -> None:
    dead = next(r for r in crawl_all["rows"] if r["site"] == "deadsite")
    assert dead["finish_reason"] == "failed"
    assert dead["errors_by_kind"] == {"dns": 1} and dead["errors"] == 1
    assert "deadsite" in crawl_all["done"].stdout and "failed" in crawl_all["done"].stdout


@pytest.mark.slow
def test_progress_is_logged_when_not_on_a_terminal(crawl_all) -> None:
    lines = [line for line in crawl_all["done"].stderr.splitlines() if "progress shamtimes:" in line]
    assert lines and "pages" in lines[-1]
    assert "\x1b[K" not in crawl_all["done"].stderr


@pytest.mark.slow
def test_runs_text_lists_sites_and_errors(crawl_all) -> None:
    out = CliRunner().invoke(cli, ["runs", "--db", str(crawl_all["db"])])
    assert out.exit_code == 0
    assert "run #1" in out.output and "dns 1" in out.output
    for site in ("shamtimes", "nilenews", "carthage", "deadsite"):
        assert site in out.output


def test_a_second_run_on_a_locked_archive_exits_with_a_message(tmp_path) -> None:
    db = tmp_path / "archive.db"
    lock = RunLock(db)
    lock.acquire(command="test holder")
    try:
        started = time.monotonic()
        for args in (["crawl-all"], ["crawl", "shamtimes"]):
            done = subprocess.run([str(BIN / "newscrawl"), *args, "--db", str(db)], capture_output=True,
                                  text=True, timeout=60, check=False)
            assert done.returncode == 1
            assert "another newscrawl run is writing" in done.stderr
            assert f"pid {os.getpid()}" in done.stderr and "Traceback" not in done.stderr
        assert time.monotonic() - started < 30
    finally:
        lock.release()
    assert not db.exists()                    # nothing was written


@pytest.mark.slow
def test_live_progress_line_on_a_terminal(tmp_path, fixture_server_module) -> None:
    from conftest import SITE

    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([str(BIN / "newscrawl"), "crawl", "carthage", "--db", str(tmp_path / "a.db"),
                                    *FAST, "-s", "LOG_LEVEL=WARNING"], env=_env(server.proxy_url),
                                   stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        output = b""
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        process.wait(60)
    finally:
        os.close(master)
        server.stop()
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text[-2000:]
    assert "\r\x1b[K" in text and "carthage" in text and "done" in text


def test_killed_runs_are_marked_interrupted(tmp_path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        dead = archive.start_run("shamtimes", {"owner": "otherhost:1:dead"})
        start_site_run(archive.db, dead, "shamtimes", owner="otherhost:1:dead")
        mine = archive.start_run("nilenews", {})
        start_site_run(archive.db, mine, "nilenews")
        assert mark_interrupted(archive.db) == [dead]
        reasons = dict(archive.db.execute("SELECT id, finish_reason FROM crawl_runs").fetchall())
        sites = dict(archive.db.execute("SELECT site, finish_reason FROM crawl_run_sites").fetchall())
    assert reasons == {dead: "interrupted", mine: "running"}
    assert sites == {"shamtimes": "interrupted", "nilenews": "running"}


@pytest.mark.parametrize("candidates, incomplete, history, flagged", [
    (20, 10, (200, 10), True),          # 50% against 5%: template changed
    (20, 3, (200, 10), False),          # 15% against 5%
    (20, 10, (200, 80), False),         # 50% against 40%: this site is always like that
    (3, 3, (200, 10), False),           # too few articles to tell
    (20, 20, (0, 0), False),            # no history yet
])
def test_degradation(candidates, incomplete, history, flagged) -> None:
    assert bool(degradation(candidates, incomplete, *history)) is flagged


def test_degraded_site_is_flagged_in_the_run_and_the_log(tmp_path, caplog) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for _ in range(3):
            run = archive.start_run("shamtimes", {})
            start_site_run(archive.db, run, "shamtimes")
            finish_site_run(archive.db, run, "shamtimes", reason="finished", counts=SiteCounts(new=30, candidates=30, incomplete=1))
        run = archive.start_run("shamtimes", {})
        start_site_run(archive.db, run, "shamtimes")
        with caplog.at_level(logging.WARNING, logger="archive.runs"):
            row = finish_site_run(archive.db, run, "shamtimes", reason="finished",
                                  counts=SiteCounts(new=25, candidates=25, incomplete=15))
        from archive.runs import list_runs
        listed = list_runs(archive.db, limit=1)
    assert row["degraded"] == 1 and "template changed?" in row["degraded_reason"]
    assert any("template changed?" in r.getMessage() for r in caplog.records)
    assert listed[0]["degraded"] is True
    assert "template changed?" in format_runs(listed)


def test_runs_on_an_archive_without_runs(tmp_path) -> None:
    with Archive(tmp_path / "a.db"):
        pass
    out = CliRunner().invoke(cli, ["runs", "--db", str(tmp_path / "a.db")])
    assert out.exit_code == 0 and "no crawl runs recorded" in out.output


@pytest.mark.parametrize("command", ["crawl", "crawl-all", "runs"])
def test_commands_are_documented(command) -> None:
    out = CliRunner().invoke(cli, [command, "--help"])
    assert out.exit_code == 0
    assert len(cli.commands[command].help or "") > 40


def test_render_progress_line() -> None:
    rows = [SiteProgress("shamtimes", 120, 30, 2, 1, 12.5), SiteProgress("nilenews", 80, 10, 0, 0, 0.0, done=True)]
    line = render(rows, width=200)
    assert line == "shamtimes 12.5 p/s 120 pages 30 new 2 upd 1 err | nilenews done 80 pages 10 new 0 upd 0 err"
    assert len(render(rows, width=40)) == 40


@pytest.mark.parametrize("setting, tty, mode", [("auto", True, "tty"), ("auto", False, "log"), ("off", True, "off"),
                                                ("log", True, "log"), (None, False, "log")])
def test_progress_mode(setting, tty, mode) -> None:
    class Stream:
        def isatty(self) -> bool:
            return tty

    assert progress_mode(setting, Stream()) == mode  # type: ignore[arg-type]
