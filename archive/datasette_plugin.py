"""Datasette plugin: Arabic-aware search over the archive's folded FTS index.

``newscrawl serve`` registers this module with Datasette (:mod:`archive.serve`).  It adds

- SQL functions on every connection: ``arabic_match(q)`` (the user's query folded and compiled by
  :func:`archive.search.compile_query`, ready for ``articles_fts MATCH``), ``arabic_snippet(text, q)``
  (the matched words in their original spelling, in ``[…]``) and ``arabic_fold(text)``;
- the ``articles`` table page's own search box, answered from the folded index through
  ``arabic_match`` (Datasette's built-in ``_search`` would hand the raw text to FTS5, where
  ``المدرسه`` never matches ``المدرسة``);
- a short placeholder instead of the compressed raw HTML in ``fetches.html``.

The canned query ``search`` and the table descriptions live in :mod:`archive.datasette_metadata`.
Only ``serve`` imports this module, so :mod:`archive` stays usable without Datasette.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments

from .errors import InvalidQuery
from .search import compile_query, query_terms, snippet
from .text import fold, words

__all__ = ["arabic_match", "arabic_snippet", "NOTHING"]

#: An FTS5 expression that is valid and matches no row (an empty phrase).
NOTHING = '""'
SEARCH_PARAM = "newscrawl_search"
_OPERATORS = {"AND", "OR", "NOT"}


def arabic_match(query: str | None) -> str:
    """The FTS5 expression for *query*, folded like the index.

    A query :func:`compile_query` refuses (an unbalanced quote, a stray operator) still searches:
    its words are ANDed as quoted terms.  A query without a word matches nothing.  Neither case
    raises, so a web form never shows an SQL error.
    """
    if not query or not query.strip():
        return NOTHING
    try:
        return compile_query(query)
    except InvalidQuery:
        terms = _fallback_words(query)
        return " ".join(f'"{w}"' for w in terms) if terms else NOTHING


def _fallback_words(query: str) -> list[str]:
    """The folded words of a query the parser refused, its operators left out."""
    return words(" ".join(t for t in query.split() if t not in _OPERATORS))


def arabic_snippet(text: str | None, query: str | None) -> str:
    """About 28 words of *text* around the best run of query terms, matches in ``[…]``."""
    if not text:
        return ""
    try:
        terms = query_terms(query or "")
    except InvalidQuery:
        terms = [(w, False) for w in _fallback_words(query or "")]
    return snippet(text, terms)


def _fold(text: str | None) -> str:
    return fold(text)


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("arabic_match", 1, arabic_match, deterministic=True)
    conn.create_function("arabic_snippet", 2, arabic_snippet, deterministic=True)
    conn.create_function("arabic_fold", 1, _fold, deterministic=True)


# trylast: Datasette merges each hook's extra_context in call order, and its own search filter
# (which finds no FTS table for ``articles``: the index is contentless) sets supports_search=False.
@hookimpl(trylast=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    if table != "articles":
        return None

    async def inner() -> FilterArguments | None:
        db = datasette.get_database(database)
        if not await db.table_exists("articles_fts"):
            return None
        query = request.args.get("_search", "")
        context = {"supports_search": True, "search": query}
        if not query.strip():
            return FilterArguments([], extra_context=context)
        return FilterArguments(
            [f"id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH arabic_match(:{SEARCH_PARAM}))"],
            params={SEARCH_PARAM: query},
            human_descriptions=[f'Arabic-aware search matches "{query}"'],
            extra_context=context)

    return inner


@hookimpl
def render_cell(value: Any, column: str, table: str | None) -> str | None:
    if table == "fetches" and column == "html" and isinstance(value, bytes):
        return f"{len(value):,} bytes, compressed (Archive.raw_html(article_id) reads it)"
    return None
