"""Re-extract archived articles from their stored HTML, e.g. after a parser upgrade.

The parser lives in ``newscrawl`` (the archive cannot import it), so :func:`reparse` takes the
extraction as a function: ``extract(html, url, site) -> ArticleRecord | None`` (``None``: the page
is not an article).  If that function also accepts a ``fetched_at`` keyword it receives the fetch
time (ISO 8601), which relative dates ("منذ ساعتين") are anchored to.

For each article, one stored fetch is re-extracted: the latest fetch of the article's own primary
URL when there is one (not a merged copy from another site), else its latest fetch.  The result is
compared with the archived fields; only when the title or body changed (→ a new version) or a
metadata field now has a different non-empty value (→ updated in place) is it written, through
:meth:`Archive.upsert` like any crawl.  A re-extraction is not a new sighting: ``last_seen`` stays.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from . import compress
from .record import ArticleRecord
from .store import Archive
from .urls import is_amp_url, url_key

__all__ = ["Extractor", "ReparseResult", "candidates", "count_candidates", "reparse", "differences"]

Extractor = Callable[[bytes, str, str | None], ArticleRecord | None]

_CONTENT = ("title", "body")
_META = ("category", "author", "tags", "images", "related_links", "published", "published_raw",
         "modified", "modified_raw", "language")
_PAGE = 200
_MAX_ERRORS = 50


@dataclass(slots=True)
class ReparseResult:
    examined: int = 0      #: articles whose HTML was re-extracted
    versioned: int = 0     #: title or body changed: a new version was written
    refreshed: int = 0     #: only metadata changed: updated in place
    unchanged: int = 0
    skipped: int = 0       #: the extractor no longer sees an article in the page
    failed: int = 0        #: the HTML could not be read or the extractor raised
    errors: list[str] = field(default_factory=list)  #: the first few failures, "article N: reason"

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def _filters(site: str | None, since: str | None) -> tuple[str, str, list[Any]]:
    """(article condition, fetch condition, parameters in that order)."""
    article, fetch, params = "", "", []
    if site:
        article = " AND a.site = ?"
        params.append(site)
    if since:
        fetch = " AND f.fetched_at >= ?"
        params.append(since)
    return article, fetch, params


def count_candidates(archive: Archive, *, site: str | None = None, since: str | None = None) -> int:
    """How many articles :func:`reparse` will examine with these filters."""
    article, fetch, params = _filters(site, since)
    return archive.db.execute(
        f"SELECT count(*) FROM articles a WHERE 1{article} AND EXISTS (SELECT 1 FROM fetches f "
        f"WHERE f.article_id = a.id AND f.html IS NOT NULL{fetch})", params).fetchone()[0]


def candidates(archive: Archive, *, site: str | None = None,
               since: str | None = None) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(article, chosen fetch) pairs, by article id, in pages (no cursor stays open across writes).

    :param site: only this site's articles.
    :param since: only fetches made on or after this ISO date or datetime.
    """
    article, fetch, params = _filters(site, since)
    last = 0
    while True:
        ids = [r[0] for r in archive.db.execute(
            f"SELECT a.id FROM articles a WHERE a.id > ?{article} AND EXISTS (SELECT 1 FROM fetches f "
            f"WHERE f.article_id = a.id AND f.html IS NOT NULL{fetch}) ORDER BY a.id LIMIT {_PAGE}",
            [last, *params])]
        if not ids:
            return
        for article_id in ids:
            row = archive.get(article_id)
            fetches = [dict(r) for r in archive.db.query(
                "SELECT f.id, f.url, f.final_url, f.fetched_at FROM fetches f WHERE f.article_id = ? "
                f"AND f.html IS NOT NULL{fetch} ORDER BY f.fetched_at DESC, f.id DESC",
                [article_id, *([since] if since else [])])]
            yield row, _choose(row, fetches)
        last = ids[-1]


def _choose(article: dict[str, Any], fetches: list[dict[str, Any]]) -> dict[str, Any]:
    """The latest fetch of the article's own page (of its kind, AMP or not), else the latest."""
    amp = article.get("source_kind") == "amp"
    for f in fetches:
        url = f["final_url"] or f["url"]
        if url_key(url) == article["url_key"] and is_amp_url(url) == amp:
            return f
    for f in fetches:
        if url_key(f["final_url"] or f["url"]) == article["url_key"]:
            return f
    return fetches[0]


def differences(article: dict[str, Any], record: ArticleRecord) -> tuple[list[str], list[str]]:
    """(changed content fields, changed metadata fields) of *record* against the archived *article*.

    Content fields differ on any change; a metadata field only when the new value is non-empty
    (the archive never erases a field a newer extraction could not find).
    """
    content = [f for f in _CONTENT if (getattr(record, f) or "") != (article.get(f) or "")]
    meta = []
    for name in _META:
        new, old = getattr(record, name), article.get(name)
        if new in (None, "", []):
            continue
        if isinstance(new, list):
            same = json.dumps(new, ensure_ascii=False, sort_keys=True) == \
                json.dumps(old or [], ensure_ascii=False, sort_keys=True)
        else:
            same = new == old
        if not same:
            meta.append(name)
    return content, meta


def _takes_fetched_at(extract: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(extract).parameters
    except (TypeError, ValueError):
        return False
    return "fetched_at" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def reparse(archive: Archive, extract: Extractor, *, site: str | None = None, since: str | None = None,
            progress: Callable[[int], None] | None = None, dry_run: bool = False) -> ReparseResult:
    """Re-extract stored HTML and write what changed.

    :param extract: ``(html, url, site) -> ArticleRecord | None``; *url* is the address the HTML
        was fetched from (after redirects), *site* the article's site.
    :param site: only this site's articles.
    :param since: only articles with a fetch made on or after this ISO date or datetime.
    :param progress: called with 1 after each article (e.g. a progress bar's ``update``).
    :param dry_run: compare only; write nothing.
    """
    result = ReparseResult()
    with_time = _takes_fetched_at(extract)
    for article, fetch in candidates(archive, site=site, since=since):
        try:
            _reparse_one(archive, extract, article, fetch, with_time, dry_run, result)
        except Exception as exc:  # one bad page must not stop a long reparse; it is reported
            result.failed += 1
            if len(result.errors) < _MAX_ERRORS:
                result.errors.append(f"article {article['id']}: {type(exc).__name__}: {exc}")
        if progress is not None:
            progress(1)
    return result


def _reparse_one(archive: Archive, extract: Callable[..., ArticleRecord | None], article: dict[str, Any],
                 fetch: dict[str, Any], with_time: bool, dry_run: bool, result: ReparseResult) -> None:
    blob, method = archive.db.execute("SELECT html, compression FROM fetches WHERE id = ?",
                                      [fetch["id"]]).fetchone()
    html = compress.unpack(blob, method)
    url = fetch["final_url"] or fetch["url"]
    kwargs = {"fetched_at": fetch["fetched_at"]} if with_time else {}
    result.examined += 1
    record = extract(html, url, article["site"], **kwargs)
    if record is None:
        result.skipped += 1
        return
    content, meta = differences(article, record)
    if not content and not meta:
        result.unchanged += 1
        return
    if dry_run:
        if content:
            result.versioned += 1
        else:
            result.refreshed += 1
        return
    # Reparse rewrites content, not identity: the record is written to *this* article under its
    # archived URL and source kind (a URL the new parser reads from the page, e.g. a different
    # canonical link, could belong to another article and is not trusted as an alias).
    record = replace(record, url=article["url"], site=article["site"], aliases=[],
                     is_amp=article.get("source_kind") == "amp")
    outcome = archive.upsert(record, None, seen_at=article["last_seen"])
    if outcome.outcome == "updated":
        result.versioned += 1
    else:
        result.refreshed += 1
