"""``newscrawl reparse``: re-extract archived articles from their stored HTML with today's parser.

The archive side (choosing fetches, comparing, writing versions) is :func:`archive.reparse.reparse`;
this module supplies the extraction, built on the crawler's own steps so a reparsed record is
exactly what a crawl would store now: :class:`newscrawl.pages.ArticlePage` with the site's rules →
:class:`ArticleItem` → the validator's rejection check → the normalizer → ``to_record``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime

import click

from archive import ArticleRecord
from archive.cli import date_option, db_option, format_option, open_archive
from archive.reparse import count_candidates
from archive.reparse import reparse as reparse_archive

__all__ = ["make_extractor", "reparse"]


def make_extractor(warn: Callable[[str], None] | None = None) -> Callable[..., ArticleRecord | None]:
    """An ``extract(html, url, site, *, fetched_at=None)`` for :func:`archive.reparse.reparse`.

    :param warn: told once per site that has no config (generic extraction is used for it).
    """
    from newscrawl.items import ArticleItem
    from newscrawl.pages import ArticlePage
    from newscrawl.pipelines.normalize import normalize_item
    from newscrawl.pipelines.store import to_record
    from newscrawl.pipelines.validate import rejection_reason
    from newscrawl.siteconfig import SiteConfigError, SiteRules, UnknownSite, load_site

    rules: dict[str | None, SiteRules] = {}

    def rules_for(site: str | None) -> SiteRules:
        if site not in rules:
            try:
                rules[site] = load_site(site).rules if site else SiteRules()
            except (UnknownSite, SiteConfigError) as exc:
                if warn is not None:
                    warn(f"site {site!r}: {exc}; using generic extraction")
                rules[site] = SiteRules(name=site)
        return rules[site]

    def extract(html: bytes, url: str, site: str | None, *, fetched_at: str | None = None) -> ArticleRecord | None:
        when = datetime.fromisoformat(fetched_at.replace("Z", "+00:00")) if fetched_at else None
        data = ArticlePage(html, url, rules=rules_for(site), fetched_at=when).to_dict()
        item = ArticleItem.from_page(data, request_url=url, response_url=url, fetched_at=fetched_at or "")
        if rejection_reason(item):
            return None
        record, _ = to_record(normalize_item(item))
        return record

    return extract


@click.command()
@db_option
@click.option("--site", help="Only this site's articles.")
@date_option("--since", "Only articles fetched on or after (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@format_option("text", "json")
def reparse(db_path: str | None, site: str | None, since: str | None, dry_run: bool, fmt: str) -> None:
    """Re-extract archived articles from their stored raw HTML after a parser upgrade.

    Each article's latest stored page goes through the current parser; a changed title or body
    becomes a new version (see `newscrawl history`), changed metadata is updated in place, and
    unchanged articles are left alone.  Progress is shown on stderr.
    """
    def warn(message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    with open_archive(db_path, readonly=dry_run) as archive:
        total = count_candidates(archive, site=site, since=since)
        if not total:
            click.echo("no stored HTML matches these filters: nothing to reparse", err=True)
        with click.progressbar(length=total, label="reparsing", file=sys.stderr) as bar:
            result = reparse_archive(archive, make_extractor(warn), site=site, since=since,
                                     progress=bar.update, dry_run=dry_run)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if fmt == "json":
        click.echo(json.dumps(dict(result.as_dict(), dry_run=dry_run), ensure_ascii=False))
    else:
        would = "would be " if dry_run else ""
        click.echo(f"reparsed {result.examined} articles: {result.versioned} {would}new versions, "
                   f"{result.refreshed} {would}updated metadata, {result.unchanged} unchanged, "
                   f"{result.skipped} no longer articles, {result.failed} failed")
    if result.failed:
        raise click.ClickException(f"{result.failed} articles could not be re-extracted (listed above)")
