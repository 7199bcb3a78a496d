"""The scheduling examples of docs/scheduling.md (pasted into the README) are run: the crontab line's
command, then the systemd service's ExecStart, against the fixture sites."""

from __future__ import annotations

import configparser
import re
import shlex
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "scheduling.md"
PREFIX = "/srv/newscrawl"
FAST = "-s DOWNLOAD_DELAY=0.02 -s AUTOTHROTTLE_START_DELAY=0.02"


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def crontab_line(text: str) -> str:
    lines = [line for block in blocks(text, "crontab") for line in block.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) == 1, lines
    return lines[0]


def units(text: str) -> dict[str, configparser.ConfigParser]:
    found = {}
    for block in blocks(text, "ini"):
        name = block.splitlines()[0].lstrip("# ").strip().rsplit("/", 1)[-1]
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(block)
        found[name] = parser
    return found


def localise(command: str, tmp: Path) -> str:
    """The documented command with the paths of this checkout and a temporary archive, and the fixture
    server's speed (the bundled sites ask for 0.25 s between requests)."""
    command = command.replace(f"{PREFIX}/archive.db", str(tmp / "archive.db"))
    command = command.replace(f"{PREFIX}/crawl.log", str(tmp / "crawl.log"))
    command = command.replace(PREFIX, str(ROOT))
    head, sep, tail = command.partition(" >>")
    return f"{head} {FAST}{sep}{tail}"


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory, fixture_server_module, demo_module):  # type: ignore[no-untyped-def]
    """The cron command, then the systemd ExecStart (the next hour's run), on one archive."""
    from conftest import SITE

    text = DOC.read_text(encoding="utf-8")
    tmp = tmp_path_factory.mktemp("scheduled")
    cron = localise(crontab_line(text).split(None, 5)[5], tmp)
    service = localise(units(text)["newscrawl.service"]["Service"]["ExecStart"], tmp)
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    try:
        env = demo_module.crawl_env(server.proxy_url)
        first = subprocess.run(["/bin/sh", "-c", cron], env=env, capture_output=True, text=True, timeout=180, check=False)
        requests_first = len(server.access_log)
        server.clear_log()
        second = subprocess.run(shlex.split(service), cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=180, check=False)
        requests_second = len(server.access_log)
    finally:
        server.stop()
    return {"tmp": tmp, "first": first, "second": second, "requests": (requests_first, requests_second)}


def test_crontab_line_is_hourly() -> None:
    fields = crontab_line(DOC.read_text(encoding="utf-8")).split(None, 5)
    minute, hour, dom, month, dow, command = fields
    assert 0 <= int(minute) <= 59 and (hour, dom, month, dow) == ("*", "*", "*", "*")
    assert "newscrawl crawl-all" in command and "CLOSESPIDER_TIMEOUT" in command


def test_systemd_units() -> None:
    found = units(DOC.read_text(encoding="utf-8"))
    service, timer = found["newscrawl.service"], found["newscrawl.timer"]
    assert service["Service"]["Type"] == "oneshot"
    assert "crawl-all" in service["Service"]["ExecStart"]
    assert service["Service"]["ExecStart"].split()[0].startswith("/")       # systemd needs a full path
    assert timer["Timer"]["OnCalendar"] == "hourly" and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.slow
def test_the_cron_command_crawls_into_the_archive(scheduled, expected) -> None:
    assert scheduled["first"].returncode == 0, scheduled["first"].stderr[-3000:]
    log = (scheduled["tmp"] / "crawl.log").read_text(encoding="utf-8")
    assert "progress shamtimes" in log or "Spider closed (finished)" in log
    assert re.search(r"shamtimes\s+\d+\s+\d+", log)                          # the run summary
    with sqlite3.connect(scheduled["tmp"] / "archive.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(expected["articles"])


@pytest.mark.slow
def test_the_next_hour_run_is_incremental(scheduled) -> None:
    assert scheduled["second"].returncode == 0, scheduled["second"].stderr[-3000:]
    first, second = scheduled["requests"]
    assert second * 3 < first
    with sqlite3.connect(scheduled["tmp"] / "archive.db") as conn:
        runs = conn.execute("SELECT finish_reason, new FROM crawl_runs ORDER BY id").fetchall()
    assert runs == [("finished", runs[0][1]), ("finished", 0)]


def test_readme_shows_the_same_schedule() -> None:
    readme = ROOT / "README.md"
    if not readme.exists() or "crawl-all" not in readme.read_text(encoding="utf-8"):
        pytest.skip("README has no scheduling section yet (docs/scheduling.md is the source)")
    text = readme.read_text(encoding="utf-8")
    assert crontab_line(DOC.read_text(encoding="utf-8")) in text
