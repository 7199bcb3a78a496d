"""Merge archives into one, deduplicating across them (``newscrawl merge TARGET SOURCE…``).

A crawl too big for one SQLite writer is sharded by site into several archives; this puts them back
together.  Every article of every source goes through the target's :meth:`Archive.upsert_many`, the
same write path as a crawl, so an article present in two shards (same URL key, or the same text under
another URL: a syndicated copy) becomes one record, owned by its earliest publication.

What an article brings along:

- its history: an article the target does not know yet is replayed version by version (each with
  the time it was seen), so ``article_versions`` reads as in the source;
- its URLs (``url_aliases``, with their kind) and its fetches (raw HTML, status, time, crawl run);
- the source's crawl runs, copied first and marked ``merged_from``, so the fetches keep their run.

Merging the same source twice adds nothing.  Derived tables (stories, the search index) are not
copied: the search index is filled by the upserts; stories are rebuilt by ``newscrawl stories``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import compress
from .record import ArticleRecord, Fetch
from .history import VERSIONS_SQL
from .store import Archive
from .urls import url_key

__all__ = ["MergeStats", "merge", "merge_archive"]

_RECORD_FIELDS = ("site", "category", "author", "published", "published_raw", "modified", "modified_raw",
                  "language", "extractor_version")


@dataclass
class MergeStats:
    sources: int = 0
    articles: int = 0                                        #: source articles read
    outcomes: Counter[str] = field(default_factory=Counter)  #: new, merged (into a known one), unchanged…
    runs: int = 0                                            #: crawl runs copied


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return json.loads(value or "[]")
    return list(value or [])


def _record(article: dict[str, Any], aliases: list[str], **text: Any) -> ArticleRecord:
    values = {f: article.get(f) for f in _RECORD_FIELDS}
    values.update(text)
    return ArticleRecord(url=article["url"], tags=_json_list(article.get("tags")),
                         images=_json_list(article.get("images")),
                         related_links=_json_list(article.get("related_links")),
                         aliases=[u for u in aliases if u != article["url"]],
                         is_amp=article.get("source_kind") == "amp", **values)


def _copy_runs(source: Archive, target: Archive, name: str) -> tuple[dict[int, int], int]:
    """Copy *source*'s crawl runs into *target* once; map source run id → target run id."""
    mapping, copied = {}, 0
    with target.db.conn:
        for row in source.db.query("SELECT * FROM crawl_runs ORDER BY id"):
            origin = {"archive": name, "run": row["id"], "started": row["started"]}
            found = target.db.execute(
                "SELECT id FROM crawl_runs WHERE json_extract(args, '$.merged_from') = json(?)",
                [json.dumps(origin)]).fetchone()
            if found:
                mapping[row["id"]] = found[0]
                continue
            args = json.loads(row["args"] or "{}")
            args["merged_from"] = origin
            values = {k: v for k, v in row.items() if k != "id"}
            values["args"] = json.dumps(args, ensure_ascii=False)
            columns = ", ".join(f"[{c}]" for c in values)
            cursor = target.db.execute(
                f"INSERT INTO crawl_runs ({columns}) VALUES ({', '.join('?' * len(values))})", list(values.values()))
            mapping[row["id"]] = int(cursor.lastrowid)
            copied += 1
    return mapping, copied


def _fetches(source: Archive, article_id: int) -> Iterator[tuple[Fetch, int | None]]:
    for row in source.db.query("SELECT * FROM fetches WHERE article_id = ? ORDER BY fetched_at, id", [article_id]):
        html = compress.unpack(row["html"], row["compression"]) if row["html"] is not None else None
        yield Fetch(url=row["url"], fetched_at=row["fetched_at"], status=row["status"], final_url=row["final_url"],
                    encoding=row["encoding"], html=html), row["run_id"]


def _known(target: Archive, urls: Sequence[str]) -> bool:
    keys = list({url_key(u) for u in urls})
    marks = ",".join("?" * len(keys))
    # every article's own URL key is one of its aliases' (the archive writes both together)
    return target.db.execute(f"SELECT 1 FROM url_aliases WHERE url_key IN ({marks}) LIMIT 1",
                             keys).fetchone() is not None


def merge_archive(target: Archive, source: Archive, *, name: str | None = None) -> MergeStats:
    """Merge the archive *source* into *target* (both open); *name* identifies the source's runs."""
    stats = MergeStats(sources=1)
    runs, stats.runs = _copy_runs(source, target, name or os.path.basename(source.path))
    for article in source.db.query("SELECT * FROM articles ORDER BY id"):
        stats.articles += 1
        alias_rows = list(source.db.query("SELECT url, kind FROM url_aliases WHERE article_id = ? ORDER BY rowid",
                                          [article["id"]]))
        aliases = [r["url"] for r in alias_rows]
        outcome = None                           # of the first upsert: new, merged or unchanged
        if not _known(target, [article["url"], *aliases]):
            # New to the target: replay its history, each earlier version as it was seen.
            versions = list(source.db.query(VERSIONS_SQL, [article["id"]]))
            for version in versions[:-1]:
                result = target.upsert(_record(article, aliases, title=version["title"], body=version["body"],
                                               modified=version["modified"],
                                               extractor_version=version["extractor_version"]),
                                       None, seen_at=version["seen_at"])
                outcome = outcome or result.outcome
        final = _record(article, aliases, title=article["title"], body=article["body"])
        by_run: dict[int | None, list[tuple[ArticleRecord, Fetch | None]]] = {}
        for fetch, run_id in _fetches(source, article["id"]):
            by_run.setdefault(runs.get(run_id) if run_id is not None else None, []).append((final, fetch))
        for run_id, items in (by_run or {None: [(final, None)]}).items():
            results = target.upsert_many(items, run_id=run_id, seen_at=article["last_seen"])
            outcome = outcome or results[0].outcome
        stats.outcomes[outcome or "unchanged"] += 1
        with target.db.conn:                     # keep how each URL was known (redirect, amp, …)
            target.db.conn.executemany(
                "UPDATE url_aliases SET kind = ? WHERE url = ? AND kind = 'declared' AND ? != 'declared'",
                [(r["kind"], r["url"], r["kind"]) for r in alias_rows if r["kind"]])
    return stats


def merge(target: str | os.PathLike[str], sources: Sequence[str | os.PathLike[str]]) -> MergeStats:
    """Merge the archives at *sources* into the archive at *target* (created if missing).

    :raises NotAnArchive: a source is not a newscrawl archive.
    """
    total = MergeStats()
    with Archive(target) as into:
        for path in sources:
            if Path(path).resolve() == Path(into.path).resolve():
                continue
            with Archive(path, readonly=True) as source:
                stats = merge_archive(into, source, name=Path(path).name)
            total.sources += 1
            total.articles += stats.articles
            total.outcomes.update(stats.outcomes)
            total.runs += stats.runs
    return total
