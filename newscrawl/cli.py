"""The ``newscrawl`` command: crawl, extract, and the archive's commands (stats, search, show).

Thin: every command calls the library (:mod:`newscrawl.pages`, :mod:`archive`) and reports user
mistakes as one line (``click.ClickException``), never as a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from archive.cli import COMMANDS as ARCHIVE_COMMANDS
from archive.cli import db_option

__all__ = ["main", "cli"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscrawl")
def cli() -> None:
    """Crawl Arabic news sites into a deduplicated, searchable SQLite archive."""


for command in ARCHIVE_COMMANDS:
    cli.add_command(command)


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


@cli.command()
@click.argument("sites", nargs=-1, required=True)
@db_option
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting for this crawl (repeatable), e.g. -s DOWNLOAD_DELAY=2.")
def crawl(sites: tuple[str, ...], db_path: str | None, overrides: tuple[str, ...]) -> None:
    """Crawl configured SITES (names of files in newscrawl/sites/) into the archive."""
    from scrapy.crawler import CrawlerProcess

    from newscrawl.siteconfig import SiteConfigError, UnknownSite, load_site

    try:
        for name in sites:
            load_site(name)
    except (UnknownSite, SiteConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    process = CrawlerProcess(_scrapy_settings(db_path, overrides))
    process.crawl("news", site=",".join(sites))
    process.start()


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
