"""Summaries of an archive: what a researcher checks first (and how a broken parser shows)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

__all__ = ["summary"]

_FIELDS = ("title", "published", "category", "author", "body")


def summary(db: sqlite_utils.Database) -> dict[str, Any]:
    """Counts per site, category and month, missing-field rates per site, aliases and runs."""
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    per_site = [dict(r) for r in db.query(
        "SELECT site, count(*) AS articles, min(published) AS first, max(published) AS last "
        "FROM articles GROUP BY site ORDER BY articles DESC, site")]
    per_category = [dict(r) for r in db.query(
        "SELECT site, category, count(*) AS articles FROM articles GROUP BY site, category "
        "ORDER BY site, articles DESC, category")]
    per_month = [dict(r) for r in db.query(
        "SELECT substr(published, 1, 7) AS month, count(*) AS articles FROM articles "
        "GROUP BY month ORDER BY month")]
    missing = []
    for row in db.query("SELECT site, count(*) AS n, " + ", ".join(
            f"sum(CASE WHEN {f} IS NULL OR {f} = '' THEN 1 ELSE 0 END) AS {f}" for f in _FIELDS)
            + " FROM articles GROUP BY site ORDER BY site"):
        n = row["n"] or 1
        missing.append({"site": row["site"], **{f: round(row[f] / n, 3) for f in _FIELDS}})
    runs = [dict(r) for r in db.query(
        "SELECT id, site, started, finished, finish_reason, pages_fetched, new, updated, unchanged, "
        "merged, dropped, errors FROM crawl_runs ORDER BY id DESC LIMIT 5")]
    articles = one("SELECT count(*) FROM articles")
    urls = one("SELECT count(*) FROM url_aliases")
    return {
        "articles": articles,
        "urls": urls,
        "duplicate_urls_merged": max(urls - articles, 0),
        "articles_with_several_urls": one(
            "SELECT count(*) FROM (SELECT article_id FROM url_aliases GROUP BY article_id HAVING count(*) > 1)"),
        "sites_per_article_max": one(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(DISTINCT site) AS n FROM url_aliases GROUP BY article_id)"),
        "versions": one("SELECT count(*) FROM article_versions"),
        "per_site": per_site,
        "per_category": per_category,
        "per_month": per_month,
        "missing_rate": missing,
        "recent_runs": runs,
    }
