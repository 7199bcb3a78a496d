"""The archive's commands (``stats``, ``search``, ``show``, ``history``, ``stories``, ``export``);
``newscrawl`` adds :data:`COMMANDS` to its group.

Thin wrappers: each validates its input, calls the library, and turns a named error into a
one-line message with a hint (``click.ClickException``), never a traceback.  Every command takes
``--db PATH`` (default ``$NEWSCRAWL_DB`` or ``./archive.db``); those that print records take
``--format json`` (one JSON object per line).  Progress and notes go to stderr, data to stdout.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .errors import ArchiveError
from .export import ExportFilter, text_stream, write_csv, write_jsonl, write_parquet
from .export import rows as export_rows
from .history import history as article_history
from .history import render_diff
from .search import search as run_search
from .stats import summary
from .store import Archive, default_db_path

__all__ = ["db_option", "format_option", "date_option", "open_archive", "stats", "search", "show",
           "history", "stories", "export", "COMMANDS"]


def db_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db_path", default=None, metavar="PATH",
                        help="Archive file (default: $NEWSCRAWL_DB or ./archive.db).")(fn)


def format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                        show_default=True, help="Output format; json prints one object per line.")


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD (or an ISO datetime)") from None
    return value


def date_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A ``--since``/``--until`` style option that accepts an ISO date or datetime only."""
    return click.option(name, metavar="DATE", callback=_iso_date, help=help_text)


def open_archive(db_path: str | None, *, readonly: bool = True) -> Archive:
    """Open the archive or fail with one line; never creates a missing file."""
    path = db_path or default_db_path()
    if not readonly and path != ":memory:" and not Path(path).exists():
        raise click.ClickException(f"no archive at {path} (crawl something first, or pass --db)")
    try:
        return Archive(path, readonly=readonly)    # a newer schema is refused, read-only too
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _jsonl(rows: Any) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False))


def _isolate(text: str) -> str:
    """Wrap right-to-left text in a bidi isolate so it does not reorder the line around it."""
    return f"\u2067{text}\u2069"


# -- stats ------------------------------------------------------------------------------------------
@click.command()
@db_option
@format_option("text", "json")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, writable=True), metavar="FILE.png",
              help="Also draw articles per day per site to this image (png, svg or pdf; "
                   "needs matplotlib: pip install newscrawl[plot]).")
def stats(db_path: str | None, fmt: str, plot_path: str | None) -> None:
    """Articles per site, category and month; missing-field rates per site; recent crawl runs."""
    with open_archive(db_path) as archive:
        if plot_path:
            from .plot import plot_per_day

            try:
                drawn = plot_per_day(archive.db, plot_path)
            except (ArchiveError, ValueError) as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"plot written to {drawn['path']}: {len(drawn['sites'])} sites, "
                       f"{drawn['first_day']} … {drawn['last_day']}", err=True)
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


# -- search -----------------------------------------------------------------------------------------
@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@db_option
@click.option("--site", help="Only this site.")
@click.option("--category", help="Only this category.")
@date_option("--since", "Published on or after (YYYY-MM-DD).")
@date_option("--until", "Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="At most this many results.")
@click.option("--collapse", is_flag=True,
              help="One result per story: the best hit of each group of near-duplicates "
                   "(stories are built by `newscrawl stories`).")
@format_option("table", "json", "csv")
def search(query: tuple[str, ...], db_path: str | None, site: str | None, category: str | None,
           since: str | None, until: str | None, limit: int, collapse: bool, fmt: str) -> None:
    """Arabic-aware full-text search: hamza/alef forms, ة/ه, ى/ي, tashkeel, tatweel, digits and
    attached و/ب/ل/ال are all matched.  Words are ANDed; "exact phrase", prefix*, OR, NOT, -word
    and parentheses work."""
    # Unknown options are let through so that `search غزة -حماس` excludes a word; a mistyped
    # long option must still fail rather than become part of the query.
    for word in query:
        if word.startswith("--") and len(word) > 2:
            raise click.UsageError(f"no such option: {word} (to search for it, put it in quotes: '\"{word}\"')")
    text = " ".join(query)
    with open_archive(db_path) as archive:
        try:
            hits = [h.as_dict() for h in run_search(archive.db, text, site=site, category=category,
                                                     since=since, until=until, limit=limit,
                                                     collapse_stories=collapse)]
        except ArchiveError as exc:
            raise click.ClickException(f"bad query: {exc}") from exc
        if collapse:
            _warn_unclustered(archive)
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
            more = f"  (+{hit['collapsed']} more in story #{hit['story_id']})" if hit["collapsed"] else ""
            click.echo(f"#{hit['id']}  {(hit['published'] or '')[:10]}  {hit['site']}  {hit['category'] or ''}{more}")
            click.echo(f"  {_isolate(hit['title'] or '(no title)')}")
            click.echo(f"  {_isolate(hit['snippet'])}")
            click.echo(f"  {hit['url']}\n")


def _warn_unclustered(archive: Archive) -> None:
    from .stories import pending_count

    if "article_stories" not in archive.db.table_names():
        click.echo("note: this archive has no stories yet; run `newscrawl stories` to build them", err=True)
        return
    pending = pending_count(archive.db)
    if pending:
        click.echo(f"note: {pending} articles are not in a story yet; run `newscrawl stories` "
                   "to cluster them", err=True)


# -- show -------------------------------------------------------------------------------------------
@click.command()
@click.argument("article_id", type=int)
@db_option
@format_option("text", "json")
def show(article_id: int, db_path: str | None, fmt: str) -> None:
    """One archived article: every field, its URL aliases, related links and body."""
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


# -- history ----------------------------------------------------------------------------------------
@click.command()
@click.argument("article_id", type=int)
@db_option
@click.option("--context", type=click.IntRange(0, 1000), default=8, show_default=True,
              help="Unchanged words shown around each change.")
@format_option("text", "json")
def history(article_id: int, db_path: str | None, context: int, fmt: str) -> None:
    """Every archived version of an article, with a word-level diff from the previous one.

    In text, deleted words show as [-…-] and inserted ones as {+…+}; json prints one object per
    version with its full title and body and the diffs as lists of {op, old, new}.
    """
    with open_archive(db_path) as archive:
        try:
            data = article_history(archive.db, article_id)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        _jsonl({"article_id": article_id, **v.as_dict(texts=True)} for v in data["versions"])
        return
    click.echo(f"#{data['id']}  {data['site'] or '-'}  {data['url']}")
    click.echo(f"  {_isolate(data['title'] or '(no title)')}")
    click.echo(f"  first seen {data['first_seen']}, last seen {data['last_seen']}, "
               f"{len(data['versions'])} version(s)")
    for version in data["versions"]:
        changed = ", ".join(version.changed) or "-"
        click.echo(f"\n── version {version.version}  seen {version.seen_at}  ({changed})"
                   f"  extractor {version.extractor_version or '?'}")
        if version.version == data["versions"][0].version:
            words = len((version.body or "").split())
            click.echo(f"  title: {_isolate(version.title or '(none)')}")
            click.echo(f"  body: {words} words")
            continue
        if any(op.op != "equal" for op in version.title_diff):
            click.echo(f"  title: {render_diff(version.title_diff, context=context)}")
        if any(op.op != "equal" for op in version.body_diff):
            body = render_diff(version.body_diff, context=context)
            click.echo("  body:\n    " + body.replace("\n", "\n    "))
        if version.modified:
            click.echo(f"  modified (as the page declares): {version.modified}")


# -- stories ----------------------------------------------------------------------------------------
@click.command()
@click.argument("story_id", type=int, required=False)
@db_option
@date_option("--since", "Only stories first published on or after (YYYY-MM-DD).")
@date_option("--until", "Only stories first published on or before (YYYY-MM-DD).")
@click.option("--min-size", type=click.IntRange(1), default=2, show_default=True,
              help="Only stories with at least this many articles.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="At most this many stories.")
@click.option("--no-assign", is_flag=True,
              help="Only list; do not cluster new articles first (opens the archive read-only).")
@format_option("text", "json")
def stories(story_id: int | None, db_path: str | None, since: str | None, until: str | None,
            min_size: int, limit: int, no_assign: bool, fmt: str) -> None:
    """The largest stories: the same news item across sites and URLs (near-duplicates by MinHash
    over word 3-shingles).  New articles are clustered first.  With STORY_ID, that story's articles.
    """
    from .stories import assign_stories, largest, members, pending_count

    with open_archive(db_path, readonly=no_assign) as archive:
        if not no_assign:
            pending = pending_count(archive.db)
            if pending:
                with click.progressbar(length=pending, label="clustering",
                                       file=sys.stderr) as bar:
                    done = assign_stories(archive, progress=bar.update)
                click.echo(f"clustered {done.clustered} articles: {done.joined} joined a story, "
                           f"{done.new_stories} new stories", err=True)
        try:
            if story_id is not None:
                story = members(archive.db, story_id)
            else:
                found = largest(archive.db, since=since, until=until, min_size=min_size, limit=limit)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
    if story_id is not None:
        if fmt == "json":
            _jsonl(dict(a, story_id=story_id) for a in story["articles"])
            return
        click.echo(f"story #{story['id']}: {story['size']} articles, {', '.join(story['sites'])}")
        click.echo(f"  {_isolate(story['title'] or '(no title)')}\n")
        for a in story["articles"]:
            similarity = "founder" if a["similarity"] is None else f"{a['similarity']:.2f}"
            click.echo(f"  #{a['id']:<7} {(a['published'] or '')[:16]:<16}  {a['site'] or '-':<14} {similarity:>7}  "
                       f"{_isolate(a['title'] or '')}")
        return
    if fmt == "json":
        _jsonl(found)
        return
    if not found:
        click.echo("no stories with that many articles", err=True)
    for s in found:
        click.echo(f"#{s['id']:<7} {s['size']:>4} articles  {(s['first_published'] or '')[:10]:<10}  "
                   f"{','.join(s['sites'])}")
        click.echo(f"         {_isolate(s['title'] or '(no title)')}")


# -- export -----------------------------------------------------------------------------------------
@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True, help="jsonl: one object per line; csv: header + rows (lists as "
                                      "JSON); parquet: needs pyarrow (pip install newscrawl[parquet]).")
@click.option("--site", help="Only this site.")
@click.option("--category", help="Only this category.")
@date_option("--since", "Published on or after (YYYY-MM-DD).")
@date_option("--until", "Published on or before (YYYY-MM-DD).")
@click.option("--query", help="Only articles matching this search query (same syntax as `search`).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              default="-", show_default=True, help="Output file; - is stdout (not for parquet).")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark so Excel "
                                          "shows Arabic correctly.")
def export(db_path: str | None, fmt: str, site: str | None, category: str | None, since: str | None,
           until: str | None, query: str | None, output: str, bom: bool) -> None:
    """Export articles (streamed, constant memory) as JSON Lines, CSV or Parquet, with their URL
    aliases and story id.  Filters combine with AND."""
    if fmt == "parquet" and output == "-":
        raise click.ClickException("parquet is binary: write it to a file with -o FILE.parquet")
    if bom and fmt != "csv":
        raise click.ClickException("--bom only applies to --format csv")
    with open_archive(db_path) as archive:
        try:
            records = export_rows(archive.db, ExportFilter(site, category, since, until, query))
        except ArchiveError as exc:
            raise click.ClickException(f"bad query: {exc}") from exc
        try:
            if fmt == "parquet":
                n = write_parquet(records, output)
            else:
                n = _write_text(records, fmt, output, bom)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"exported {n} articles to {'stdout' if output == '-' else output}", err=True)


def _write_text(records: Any, fmt: str, output: str, bom: bool) -> int:
    if output == "-":
        stream = text_stream(sys.stdout.buffer)
        try:
            return write_csv(records, stream, bom=bom) if fmt == "csv" else write_jsonl(records, stream)
        finally:
            stream.flush()
            stream.detach()
    with open(output, "w", encoding="utf-8", newline="") as out:
        return write_csv(records, out, bom=bom) if fmt == "csv" else write_jsonl(records, out)


COMMANDS = [stats, search, show, history, stories, export]
