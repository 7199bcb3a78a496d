"""The ``newscrawl`` command: crawl, crawl-all, runs, extract, and the archive's commands.

Thin: every command calls the library (:mod:`newscrawl.pages`, :mod:`archive`) and reports user
mistakes as one line (``click.ClickException``), never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive.cli import COMMANDS as ARCHIVE_COMMANDS
from archive.cli import db_option, format_option, open_archive
from archive.serve import serve
from newscrawl.cli_reparse import reparse
from newscrawl.distributed.cli import COMMANDS as DISTRIBUTED_COMMANDS

__all__ = ["cli", "format_runs", "main", "run_crawl"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscrawl")
def cli() -> None:
    """Crawl Arabic news sites into a deduplicated, searchable SQLite archive."""


for command in ARCHIVE_COMMANDS:
    cli.add_command(command)
for command in DISTRIBUTED_COMMANDS:       # seed, archive-writer, merge
    cli.add_command(command)
cli.add_command(reparse)                   # re-extract stored HTML after a parser upgrade
cli.add_command(serve)                     # Datasette on the archive, read-only


def _scrapy_settings(db_path: str | None, overrides: tuple[str, ...]):  # type: ignore[no-untyped-def]
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if db_path:
        settings.set("NEWSCRAWL_DB", db_path, priority="cmdline")
    for item in overrides:
        if "=" not in item:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="-s")
        name, value = item.split("=", 1)
        settings.set(name, value, priority="cmdline")
    return settings


def crawl_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by ``crawl`` and ``crawl-all``."""
    for option in reversed([
        db_option,
        click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
                     help="A Scrapy setting for this crawl (repeatable), e.g. -s CLOSESPIDER_TIMEOUT=3000."),
        click.option("--jobs-dir", metavar="DIR", default=None,
                     help="Job directories, one per site, for resuming (default: jobs/ beside the "
                          "archive; 'off' to disable)."),
        click.option("--progress", type=click.Choice(["auto", "tty", "log", "off"]), default=None,
                     help="auto (default): a live line on a terminal, log lines otherwise."),
    ]):
        fn = option(fn)
    return fn


def run_crawl(site_names: list[str], *, db_path: str | None, overrides: tuple[str, ...],
              jobs_dir: str | None, progress: str | None, command: str) -> list[dict[str, Any]]:
    """Crawl *site_names* in one run (one crawler per site, one process); return the run's site rows.

    :raises click.ClickException: another run holds the archive's lock.
    """
    from scrapy.crawler import CrawlerProcess

    from archive import Archive, ArchiveLocked, default_db_path
    from archive.runs import (
        PROCESS_TOKEN,
        acquire_run_lock,
        list_runs,
        mark_interrupted,
        release_run_lock,
    )

    settings = _scrapy_settings(db_path, overrides)
    if jobs_dir is not None:
        settings.set("NEWSCRAWL_JOBS_DIR", jobs_dir, priority="cmdline")
    if progress is not None:
        settings.set("NEWSCRAWL_PROGRESS", progress, priority="cmdline")
    db = str(settings.get("NEWSCRAWL_DB") or default_db_path())
    try:
        acquire_run_lock(db, command=f"newscrawl {command}")
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        with Archive(db) as archive:
            mark_interrupted(archive.db)
            run_id = archive.start_run(",".join(site_names), {
                "command": command, "sites": site_names, "db": db, "owner": PROCESS_TOKEN})
        settings.set("NEWSCRAWL_RUN_ID", run_id, priority="cmdline")
        process = CrawlerProcess(settings)
        for name in site_names:
            process.crawl("news", site=name)
        process.start()
        with Archive(db) as archive:
            rows = list_runs(archive.db, run_id=run_id)
            reasons = {r["finish_reason"] for r in rows}
            reason = reasons.pop() if len(reasons) == 1 else "partial"
            if len(rows) < len(site_names):
                reason = "partial"
            counts = {name: sum(int(r[name]) for r in rows) for name in (
                "pages_fetched", "new", "updated", "unchanged", "merged", "dropped", "errors")}
            archive.finish_run(run_id, reason or "finished", counts, {"sites": rows})
            for row in rows:
                row["run_finish_reason"] = reason
    finally:
        release_run_lock(db)
    return rows


def _load_site_names(names: tuple[str, ...]) -> list[str]:
    """*names* checked (a config name or a ``.toml`` path each), one per site."""
    from newscrawl.siteconfig import SiteConfigError, UnknownSite, load_site

    chosen: dict[str, str] = {}
    try:
        for name in names:
            chosen.setdefault(load_site(name).name, name)
    except (UnknownSite, SiteConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    return list(chosen.values())


def _summary(rows: list[dict[str, Any]]) -> None:
    click.echo(format_runs(rows))
    if rows and all(r["finish_reason"] == "failed" for r in rows):
        raise click.ClickException("no site could be crawled: every one failed (see the errors above)")


@cli.command()
@click.argument("sites", nargs=-1, required=True)
@crawl_options
def crawl(sites: tuple[str, ...], db_path: str | None, overrides: tuple[str, ...], jobs_dir: str | None,
          progress: str | None) -> None:
    """Crawl configured SITES (names of files in newscrawl/sites/) into the archive.

    Incremental (archived articles are not fetched again unless they are young or changed) and
    resumable (a killed run loses nothing: start it again).  A lock keeps two runs from writing one
    archive at once; the second exits with a message.
    """
    names = _load_site_names(sites)
    _summary(run_crawl(names, db_path=db_path, overrides=overrides, jobs_dir=jobs_dir, progress=progress,
                       command="crawl"))


@cli.command("crawl-all")
@crawl_options
def crawl_all(db_path: str | None, overrides: tuple[str, ...], jobs_dir: str | None,
              progress: str | None) -> None:
    """Crawl every enabled site in one run (for cron or a systemd timer).

    Sites are crawled side by side; a dead or blocking site is recorded and never stops the
    others.  See `newscrawl runs` for what each run did.
    """
    from newscrawl.siteconfig import SiteConfigError, load_sites

    try:
        names = [s.name for s in load_sites(enabled_only=True)]
    except SiteConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if not names:
        raise click.ClickException("no enabled site: add a config to newscrawl/sites/ or $NEWSCRAWL_SITES")
    _summary(run_crawl(names, db_path=db_path, overrides=overrides, jobs_dir=jobs_dir, progress=progress,
                       command="crawl-all"))


def format_runs(rows: list[dict[str, Any]]) -> str:
    """Runs as text: one block per run, one line per site."""
    if not rows:
        return "no crawl runs recorded"
    lines: list[str] = []
    current = None
    for row in rows:
        if row["run_id"] != current:
            current = row["run_id"]
            if lines:
                lines.append("")
            lines.append(f"run #{row['run_id']}  {row['run_started']}  {row['run_finish_reason']}")
            lines.append(f"  {'site':<16} {'pages':>6} {'new':>5} {'upd':>5} {'unch':>5} {'skip':>6} "
                         f"{'304':>5} {'errors':>6} {'time':>8}  finish")
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(row["errors_by_kind"].items()))
        duration = f"{row['duration']:.1f}s" if row["duration"] is not None else "-"
        line = (f"  {row['site']:<16} {row['pages_fetched']:>6} {row['new']:>5} {row['updated']:>5} "
                f"{row['unchanged']:>5} {row['skipped']:>6} {row['not_modified']:>5} {row['errors']:>6} "
                f"{duration:>8}  {row['finish_reason']}")
        if kinds:
            line += f"  ({kinds})"
        if row["degraded"]:
            line += f"\n  {'':<16} ! {row['degraded_reason']}"
        lines.append(line)
    return "\n".join(lines)


@cli.command()
@db_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True, help="The last N runs.")
@click.option("--site", help="Only this site.")
@format_option("text", "json")
def runs(db_path: str | None, limit: int, site: str | None, fmt: str) -> None:
    """Crawl runs, newest first, per site: pages fetched, new / updated / unchanged articles,
    skipped and 304 (not modified) pages, errors by kind, duration, finish reason, and a flag when a
    site's extraction degraded against its own history."""
    from archive.runs import list_runs

    with open_archive(db_path) as archive:
        rows = list_runs(archive.db, limit=limit, site=site) if "crawl_run_sites" in archive.db.table_names() else []
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(format_runs(rows))


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", help="The page's address (resolves relative links, picks site rules).")
@click.option("--site", help="Use this site config's rules (timezone, selectors).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json",
              show_default=True, help="json: one indented object per page; jsonl: one line per page.")
def extract(files: tuple[str, ...], url: str | None, site: str | None, fmt: str) -> None:
    """Extract the article from saved HTML FILES (or - for stdin) with the crawler's parser.

    Bad input never fails: bytes that are not HTML, an empty file or a page that is not an
    article give an object with empty fields and an "errors" list.  Only a missing file is an error.
    """
    from newscrawl.pages import ArticlePage
    from newscrawl.siteconfig import SiteConfigError, SiteRules, UnknownSite, load_site

    try:
        rules = load_site(site).rules if site else SiteRules()
    except (UnknownSite, SiteConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    for name in files or ("-",):
        if name == "-":
            data = sys.stdin.buffer.read()
            page_url = url or "http://localhost/"
        else:
            path = Path(name)
            if not path.exists():
                raise click.ClickException(f"no such file: {name}")
            data = path.read_bytes()
            page_url = url or path.resolve().as_uri()
        record = ArticlePage(data, page_url, rules=rules).to_dict()
        record["file"] = name
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        elif fmt == "json":
            click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        else:
            click.echo(f"# {record['title'] or '(no title)'}")
            click.echo(f"{record['published'] or ''}  {record['category'] or ''}  {record['author'] or ''}")
            click.echo("")
            click.echo(record["body"] or "")
            for error in record["errors"]:
                click.echo(f"! {error}", err=True)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
