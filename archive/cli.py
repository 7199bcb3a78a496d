"""The archive's commands (``stats``, ``search``, ``show``); ``newscrawl`` adds them to its group.

Thin wrappers: each validates its input, calls the library, and turns a named error into a
one-line message with a hint (``click.ClickException``), never a traceback.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import ArchiveError
from .search import search as run_search
from .stats import summary
from .store import Archive, default_db_path

__all__ = ["db_option", "format_option", "open_archive", "stats", "search", "show", "COMMANDS"]


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_path", default=None, metavar="PATH",
                        help="Archive file (default: $NEWSCRAWL_DB or ./archive.db).")(fn)


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                        show_default=True, help="Output format; json prints one object per line.")


def open_archive(db_path: str | None, *, readonly: bool = True) -> Archive:
    try:
        return Archive(db_path or default_db_path(), readonly=readonly)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _jsonl(rows: Any) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


@click.command()
@db_option
@format_option("text", "json")
def stats(db_path: str | None, fmt: str) -> None:
    """Articles per site, category and month; missing-field rates per site; recent crawl runs."""
    with open_archive(db_path) as archive:
        data = summary(archive.db)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{data['articles']} articles, {data['urls']} URLs "
               f"({data['duplicate_urls_merged']} duplicate URLs merged into "
               f"{data['articles_with_several_urls']} articles), {data['versions']} versions")
    click.echo("\nArticles per site:")
    for row in data["per_site"]:
        click.echo(f"  {row['site'] or '-':<16} {row['articles']:>6}   {row['first'] or ''} … {row['last'] or ''}")
    click.echo("\nArticles per site and category:")
    for row in data["per_category"]:
        click.echo(f"  {row['site'] or '-':<16} {row['articles']:>6}  {row['category'] or '(none)'}")
    click.echo("\nMissing-field rate per site:")
    for row in data["missing_rate"]:
        rates = "  ".join(f"{k}={v:.0%}" for k, v in row.items() if k != "site")
        click.echo(f"  {row['site'] or '-':<16} {rates}")
    if data["recent_runs"]:
        click.echo("\nRecent crawl runs:")
        for run in data["recent_runs"]:
            click.echo(f"  #{run['id']} {run['site'] or '-'} {run['started']} {run['finish_reason']}: "
                       f"{run['pages_fetched']} pages, {run['new']} new, {run['updated']} updated, "
                       f"{run['unchanged']} unchanged, {run['merged']} merged, {run['dropped']} dropped")


@click.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--site", help="Only this site.")
@click.option("--category", help="Only this category.")
@click.option("--since", metavar="DATE", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@format_option("table", "json", "csv")
def search(query: tuple[str, ...], db_path: str | None, site: str | None, category: str | None,
           since: str | None, until: str | None, limit: int, fmt: str) -> None:
    """Arabic-aware full-text search: hamza/alef forms, ة/ه, ى/ي, tashkeel, tatweel, digits and
    attached و/ب/ل/ال are all matched.  Words are ANDed; "exact phrase", prefix*, OR, NOT, -word
    and parentheses work."""
    text = " ".join(query)
    with open_archive(db_path) as archive:
        try:
            hits = [h.as_dict() for h in run_search(archive.db, text, site=site, category=category,
                                                     since=since, until=until, limit=limit)]
        except ArchiveError as exc:
            raise click.ClickException(f"bad query: {exc}") from exc
    if fmt == "json":
        _jsonl(hits)
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(hits[0]) if hits else ["id"])
        writer.writeheader()
        writer.writerows(hits)
    else:
        if not hits:
            click.echo("no match", err=True)
        for hit in hits:
            click.echo(f"#{hit['id']}  {(hit['published'] or '')[:10]}  {hit['site']}  {hit['category'] or ''}")
            click.echo(f"  \u2067{hit['title'] or '(no title)'}\u2069")
            click.echo(f"  \u2067{hit['snippet']}\u2069")
            click.echo(f"  {hit['url']}\n")


@click.command()
@click.argument("article_id", type=int)
@db_option
@format_option("text", "json")
def show(article_id: int, db_path: str | None, fmt: str) -> None:
    """One archived article with its aliases."""
    with open_archive(db_path) as archive:
        try:
            row = archive.get(article_id)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(row, ensure_ascii=False))
        return
    for key in ("id", "site", "url", "title", "category", "author", "published", "published_raw",
                "modified", "language", "version", "first_seen", "last_seen"):
        click.echo(f"{key:>14}: {row[key]}")
    click.echo(f"{'tags':>14}: {', '.join(row['tags'])}")
    click.echo(f"{'aliases':>14}: " + "\n                ".join(row["aliases"]))
    click.echo(f"{'related':>14}: " + "\n                ".join(
        f"{link['text']} <{link['url']}>" for link in row["related_links"]))
    click.echo("\n" + (row["body"] or ""))


COMMANDS = [stats, search, show]
