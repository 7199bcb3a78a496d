"""Datasette metadata for an archive: titles, column descriptions, facets, the ``search`` query.

Plain data (no Datasette import).  Datasette names a database after its file's stem, so the
metadata is built for that name: ``metadata("archive")`` for ``archive.db``.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["metadata", "search_path", "SEARCH_SQL", "SETTINGS", "HIDDEN_TABLES"]

#: The canned query behind the search page; ``:q`` goes through the same folding as the index.
#: The 50 best matches are ranked inside the FTS table first, so only their 50 article rows are
#: read (joining before ranking would read every matching article's body).
SEARCH_SQL = """WITH hits AS (
  SELECT rowid, bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts
  WHERE articles_fts MATCH arabic_match(:q) ORDER BY score LIMIT 50
)
SELECT a.id, a.title, a.site, a.category, a.published, arabic_snippet(a.body, :q) AS snippet, a.url
FROM hits JOIN articles a ON a.id = hits.rowid
ORDER BY hits.score"""

#: Datasette settings for large archives: short cells, facets given time, no facet suggestions
#: (suggesting means a GROUP BY per column of a million rows on every table page).
SETTINGS: dict[str, Any] = {
    "truncate_cells_html": 160,
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 5000,
    "suggest_facets": False,
}

HIDDEN_TABLES = ("articles_fts", "articles_fts_data", "articles_fts_idx", "articles_fts_docsize",
                 "articles_fts_config", "_migrations", "minhashes", "minhash_bands", "stories_meta")

#: What the search folds, as HTML (each Arabic run isolated so the sentence keeps its order).
_FOLDING = ('alef forms (<bdi>أ إ آ</bdi> as <bdi>ا</bdi>), <bdi>ة</bdi> as <bdi>ه</bdi>, '
            '<bdi>ى</bdi> as <bdi>ي</bdi>, tashkeel, tatweel, Arabic-Indic digits and attached '
            '<bdi>و ب ل ال</bdi> are folded in the query and in the index alike')

#: Only the columns whose meaning is not obvious from their name (Datasette lists them all above
#: the table, so each line pushes the rows further down).
ARTICLES_COLUMNS = {
    "site": "Site config the article was crawled with (newscrawl/sites/NAME.toml).",
    "url": "Primary URL: the canonical URL of the earliest publication of this text.",
    "url_key": "Normalized url used for deduplication (scheme, www, tracking parameters dropped).",
    "body": "Article text as extracted; search it with the search box (Arabic-aware).",
    "tags": "JSON list of the page's keywords.",
    "related_links": "JSON list of {text, url} links to related articles.",
    "published": "Publication time, UTC ISO 8601; published_raw is the date as the page wrote it.",
    "body_hash": "SHA-1 of the folded body: equal for copies that differ only in spelling variants.",
    "source_kind": "html, or amp when the text came from the AMP page.",
    "version": "Current text version (see article_versions); first_seen/last_seen are crawl times (UTC).",
}

URL_ALIASES_COLUMNS = {
    "url": "A URL the article is known by.",
    "url_key": "Normalized form of url.",
    "article_id": "The article (articles.id).",
    "site": "Site the URL belongs to.",
    "kind": "How the URL was learned: canonical, fetched, redirect, declared, amp, amp-canonical.",
    "first_seen": "When the URL was first seen (UTC).",
}

ARTICLE_VERSIONS_COLUMNS = {
    "id": "Version row number.",
    "article_id": "The article (articles.id).",
    "version": "1 for the first text, +1 for every edit of title or body.",
    "seen_at": "When this text was first archived (UTC).",
    "title": "Headline of this version (empty in the current version row: see article_history).",
    "body": "Text of this version (empty in the current version row: the text is in articles).",
    "modified": "The page's modification time when this version was seen.",
    "changed": "JSON list of what changed from the previous version (created, title, body).",
    "extractor_version": "Version of the parser that extracted this text.",
}

CRAWL_RUNS_COLUMNS = {
    "id": "Run number (fetches.run_id).",
    "site": "Site(s) crawled.",
    "started": "Start time (UTC).",
    "finished": "End time (UTC); empty while running or after a crash.",
    "finish_reason": "Scrapy's finish reason (finished, shutdown, closespider_…); running while under way.",
    "pages_fetched": "Pages downloaded.",
    "new": "Articles archived for the first time.",
    "updated": "Known articles whose text changed (a new version).",
    "unchanged": "Known articles seen again unchanged.",
    "merged": "New URLs or copies attached to a known article.",
    "dropped": "Pages that were not articles or failed validation.",
    "errors": "Download or parse errors.",
    "stats": "JSON of Scrapy's crawl statistics.",
    "args": "JSON of the arguments the crawl was started with.",
}

FETCHES_COLUMNS = {
    "id": "Fetch number.",
    "article_id": "The article (articles.id).",
    "url": "URL requested.",
    "final_url": "URL after redirects.",
    "status": "HTTP status.",
    "fetched_at": "When it was downloaded (UTC).",
    "encoding": "Character encoding the page was decoded with.",
    "html_sha1": "SHA-1 of the raw HTML.",
    "html": "Raw HTML, compressed; not shown here (Archive.raw_html(article_id) returns it).",
    "compression": "Compression of html (zstd or gzip).",
    "run_id": "The crawl run (crawl_runs.id).",
}


_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def search_path(database: str) -> str:
    """The path of the search page of *database* (names are tilde-encoded, as Datasette does)."""
    name = "".join(chr(b) if b in _URL_SAFE else "+" if b == 32 else f"~{b:02X}"
                   for b in database.encode("utf-8"))
    return f"/{name}/search"


def _search_link(database: str) -> str:
    return (f'<p><strong><a href="{escape(search_path(database))}">Search the archive</a></strong> '
            f"(Arabic-aware: {_FOLDING}). Words are ANDed; \"exact phrase\", prefix*, OR, "
            "NOT and -word work. The search box of the articles table uses the same index.</p>")


def metadata(database: str = "archive") -> dict[str, Any]:
    """Metadata for the archive served under the name *database*."""
    link = _search_link(database)
    return {
        "title": "newscrawl archive",
        "description_html": link,
        "databases": {
            database: {
                "description_html": link,
                "tables": {
                    "articles": {
                        "description_html": "One row per article (copies and aliases merged). " + link,
                        "label_column": "title",
                        "facets": ["site", "category", {"date": "published"}],
                        "sortable_columns": ["id", "site", "category", "published", "modified",
                                             "first_seen", "last_seen", "version"],
                        "sort_desc": "published",
                        "columns": ARTICLES_COLUMNS,
                    },
                    "url_aliases": {
                        "description": "Every URL an article is known by (canonical, redirects, AMP, copies).",
                        "facets": ["site", "kind"],
                        "columns": URL_ALIASES_COLUMNS,
                    },
                    "article_versions": {
                        "description": "Each distinct text of an article, oldest first: how stories were "
                                       "edited. The current version's text is not copied here; "
                                       "article_history shows every version with its text.",
                        "columns": ARTICLE_VERSIONS_COLUMNS,
                    },
                    "article_history": {
                        "description": "Every version of every article with its full text, oldest first.",
                        "columns": {**ARTICLE_VERSIONS_COLUMNS, "title": "Headline of this version.",
                                    "body": "Text of this version."},
                    },
                    "crawl_runs": {
                        "description": "One row per crawl: what it fetched and how it ended.",
                        "sort_desc": "id",
                        "facets": ["site", "finish_reason"],
                        "columns": CRAWL_RUNS_COLUMNS,
                    },
                    "fetches": {
                        "description": "Provenance: every download of an article's page.",
                        "columns": FETCHES_COLUMNS,
                    },
                    "stories": {
                        "description": "Near-duplicate clusters: the same news item across sites and URLs.",
                        "label_column": "title",
                        "sort_desc": "size",
                    },
                    "article_stories": {
                        "description": "The story of each clustered article and its similarity to the "
                                       "article it joined.",
                    },
                    **{name: {"hidden": True} for name in HIDDEN_TABLES},
                },
                "queries": {
                    "search": {
                        "title": "Search articles",
                        "description_html": (
                            f"<p>Arabic-aware full-text search: {_FOLDING}. Words are ANDed; "
                            "\"exact phrase\", prefix*, OR, NOT and -word work. Best matches first "
                            "(at most 50); the snippet marks matched words in [brackets].</p>"),
                        "sql": SEARCH_SQL,
                        "hide_sql": True,
                    },
                },
            },
        },
    }
