"""Commands of distributed mode: ``newscrawl seed``, ``newscrawl archive-writer``, ``newscrawl merge``.

Registered in :mod:`newscrawl.cli` (``for command in COMMANDS: cli.add_command(command)``).  Thin:
each validates its input and calls :mod:`.seed`, :mod:`.writer` or :mod:`archive.merge`.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import click

from archive.cli import db_option

__all__ = ["COMMANDS", "archive_writer", "merge", "seed"]

redis_option = click.option(
    "--redis", "redis_url", envvar="NEWSCRAWL_REDIS_URL", required=True, metavar="URL",
    help="The crawl's Redis, e.g. redis://10.0.0.5:6379/0 (default: $NEWSCRAWL_REDIS_URL).")


def _connect(url: str) -> Any:
    try:
        import redis
    except ImportError as exc:
        raise click.ClickException("distributed mode needs redis and scrapy-redis: "
                                   "pip install 'newscrawl[distributed]'") from exc
    server = redis.Redis.from_url(url)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise click.ClickException(f"cannot reach Redis at {url}: {exc}") from exc
    return server


@click.command()
@click.argument("sites", nargs=-1, required=True)
@redis_option
@click.option("--new-round/--same-round", "new_round", default=None,
              help="Forget which URLs were fetched (start a new round) / add to the running round. "
                   "Default: a new round when the frontier is idle.")
def seed(sites: tuple[str, ...], redis_url: str, new_round: bool | None) -> None:
    """Push the sitemaps, feeds and start pages of configured SITES into the shared frontier."""
    from newscrawl.distributed.seed import SeedBusy
    from newscrawl.distributed.seed import seed as push
    from newscrawl.siteconfig import SiteConfigError, UnknownSite, load_site

    try:
        for name in sites:
            load_site(name)
    except (UnknownSite, SiteConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        result = push(_connect(redis_url), list(sites), new_round=new_round)
    except SeedBusy as exc:
        raise click.ClickException(str(exc)) from exc
    if result.reclaimed:
        click.echo(f"{result.reclaimed} requests of dead workers put back into the frontier")
    click.echo(f"{'new round' if result.new_round else 'running round'}: {len(result.pushed)} start URLs "
               f"pushed, {len(result.skipped)} already fetched in this round")
    if result.skipped and not result.pushed:
        click.echo("nothing new to crawl: pass --new-round to crawl these sites again now")


@click.command("archive-writer")
@redis_option
@db_option
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Items per transaction (at most).")
@click.option("--exit-when-idle", type=click.FloatRange(0), metavar="SECONDS",
              help="Stop once the frontier is empty, no worker is registered and no item has arrived "
                   "for SECONDS (default: run until SIGTERM or Ctrl-C).")
def archive_writer(redis_url: str, db_path: str | None, batch: int, exit_when_idle: float | None) -> None:
    """Move crawled items from Redis into the SQLite archive (one writer per archive)."""
    from archive import default_db_path
    from newscrawl.distributed.writer import WriterBusy, run_writer

    _connect(redis_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    db = db_path or default_db_path()
    click.echo(f"archive-writer: {redis_url} -> {db}", err=True)
    try:
        stats = run_writer(redis_url, db, batch=batch, exit_when_idle=exit_when_idle, stop=stop)
    except WriterBusy as exc:
        raise click.ClickException(str(exc)) from exc
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(stats.outcomes.items())) or "nothing"
    click.echo(f"archive-writer: {stats.messages} messages, {stats.articles} articles ({outcomes}), "
               f"{stats.redelivered} taken over, {stats.dead} dead letters; "
               f"{stats.insert_rate:.0f} articles/s in transactions", err=True)


@click.command()
@click.argument("target", type=click.Path(dir_okay=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def merge(target: str, sources: tuple[str, ...]) -> None:
    """Merge the archives SOURCES (e.g. shards by site) into TARGET, deduplicating across them."""
    from archive.errors import ArchiveError
    from archive.merge import merge as merge_archives

    try:
        stats = merge_archives(target, list(sources))
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(stats.outcomes.items())) or "nothing"
    click.echo(f"merged {stats.articles} articles from {len(sources)} archives into {target}: {outcomes}; "
               f"{stats.runs} crawl runs copied")


COMMANDS = [seed, archive_writer, merge]

