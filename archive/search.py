"""Arabic-aware full-text search over the archive.

The user's query is parsed here (never handed to FTS5 as typed), folded with the same
:func:`archive.text.fold` the index was built with, and rebuilt as an FTS5 expression in which every
term is a double-quoted string.  Supported: words (implicit AND), ``"exact phrases"``, ``prefix*``,
``AND``/``OR``/``NOT``, ``-word``, parentheses.  Anything else is an :class:`InvalidQuery` with a
one-line reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from .errors import InvalidQuery
from .text import fold, words

__all__ = ["compile_query", "search", "snippet", "SearchHit", "query_terms"]

_TOKEN = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<lpar>\()|(?P<rpar>\))|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + (" *" if self.prefix else "")


def _lex(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    query = query.strip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("quote") is not None:
            text = m.group("quote")
            if len(text) < 2 or not text.endswith('"'):
                raise InvalidQuery('unbalanced quote: close the phrase with a second "')
            tokens.append(("phrase", text[1:-1]))
        elif m.group("lpar"):
            tokens.append(("(", "("))
        elif m.group("rpar"):
            tokens.append((")", ")"))
        else:
            word = m.group("word")
            if word in _OPERATORS:
                tokens.append((word, word))
            elif word.upper().startswith("NEAR"):
                raise InvalidQuery("NEAR queries are not supported: use an exact \"phrase\" instead")
            elif word == "-":
                tokens.append(("NOT", "-"))
            elif not re.search(r"\w", word) and "*" not in word:
                continue  # lone punctuation (";", "--", "،") carries nothing to search for
            elif word.startswith("-") and len(word) > 1:
                tokens.append(("NOT", "-"))
                tokens.append(("word", word[1:]))
            else:
                tokens.append(("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> str:
        if not self.tokens:
            raise InvalidQuery("empty query: give at least one word to search for")
        expr = self.or_expr()
        if self.peek() is not None:
            kind = self.peek()
            raise InvalidQuery("unbalanced parenthesis: a ')' has no '('" if kind == ")"
                               else f"unexpected {self.tokens[self.i][1]!r}")
        return expr

    def or_expr(self) -> str:
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def and_expr(self) -> str:
        positive: list[str] = []
        negative: list[str] = []
        while self.peek() not in (None, "OR", ")"):
            if self.peek() == "AND":
                self.take()
                if self.peek() in (None, "OR", ")", "AND"):
                    raise InvalidQuery("AND needs a word on both sides")
                continue
            if self.peek() == "NOT":
                op = self.take()[1]
                if self.peek() in (None, "OR", ")", "AND", "NOT"):
                    raise InvalidQuery("a bare '-' or NOT needs a word after it" if op == "-"
                                       else "NOT needs a word after it")
                negative.append(self.atom())
            else:
                positive.append(self.atom())
        if not positive:
            if negative:
                raise InvalidQuery("a query cannot only exclude words: add a word to search for")
            raise InvalidQuery("missing words around an operator")
        expr = positive[0] if len(positive) == 1 else "(" + " AND ".join(positive) + ")"
        for neg in negative:
            expr = f"({expr} NOT {neg})"
        return expr

    def atom(self) -> str:
        kind, value = self.take()
        if kind == "(":
            if self.peek() == ")":
                raise InvalidQuery("empty parentheses")
            expr = self.or_expr()
            if self.peek() != ")":
                raise InvalidQuery("unbalanced parenthesis: a '(' is never closed")
            self.take()
            return expr
        if kind == ")":
            raise InvalidQuery("unbalanced parenthesis: a ')' has no '('")
        if kind == "phrase":
            folded = words(value)
            if not folded:
                raise InvalidQuery("empty phrase: put words between the quotes")
            return _Term(tuple(folded)).fts()
        if kind == "word":
            prefix = value.endswith("*")
            core = value.rstrip("*")
            if "*" in core:
                raise InvalidQuery(f"'*' may only end a word (prefix search), not stand inside {value!r}")
            folded = words(core)
            if not folded:
                raise InvalidQuery("a bare '*' needs letters before it, e.g. مدرس*" if prefix
                                   else f"{value!r} has no letters or digits to search for")
            return _Term(tuple(folded), prefix).fts()
        raise InvalidQuery(f"{value} needs a word after it")


def compile_query(query: str) -> str:
    """The FTS5 MATCH expression for a user query.

    :raises InvalidQuery: with a one-line explanation.
    """
    return _Parser(_lex(query)).parse()


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Folded (word, is_prefix) pairs of the positive terms, for highlighting."""
    terms = []
    tokens = _lex(query)
    negate = False
    for kind, value in tokens:
        if kind == "NOT":
            negate = True
            continue
        if kind in ("word", "phrase") and not negate:
            prefix = kind == "word" and value.endswith("*")
            terms += [(w, prefix) for w in words(value.rstrip("*"))]
        negate = False
    return terms


_WORD_SPAN = re.compile(r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200C]+")


_GROUP = re.Match.group


@lru_cache(maxsize=100_000)
def _fold_one(word: str) -> str:
    return fold(word)


def snippet(text: str | None, terms: list[tuple[str, bool]], *, width: int = 28,
            mark: tuple[str, str] = ("[", "]")) -> str:
    """A window of about *width* words of *text* around the densest run of query terms, the
    matched words wrapped in *mark* — highlighted in the original spelling, not the folded one."""
    if not text:
        return ""
    spans = list(_WORD_SPAN.finditer(text))
    if not spans:
        return ""
    # Per word: one cached fold, one set lookup, one C-level startswith over all prefixes (a
    # search shows 20 snippets of whole articles: this loop is most of a search's time).
    exact = {t for t, prefix in terms if not prefix}
    prefixes = tuple(t for t, prefix in terms if prefix)
    folded = map(_fold_one, map(_GROUP, spans))
    if prefixes:
        hits = [i for i, f in enumerate(folded) if f in exact or f.startswith(prefixes)]
    else:
        hits = [i for i, f in enumerate(folded) if f in exact]
    if hits:
        best = max(hits, key=lambda i: sum(1 for j in hits if i <= j < i + width))
        start = max(0, best - width // 4)
    else:
        start = 0
    end = min(len(spans), start + width)
    chosen = set(hits)
    out, pos = [], spans[start].start()
    for i in range(start, end):
        m = spans[i]
        out.append(text[pos:m.start()])
        out.append(f"{mark[0]}{m.group()}{mark[1]}" if i in chosen else m.group())
        pos = m.end()
    if end == len(spans):
        out.append(text[pos:])
    piece = " ".join("".join(out).split())
    return ("… " if start else "") + piece + (" …" if end < len(spans) else "")


@dataclass(slots=True)
class SearchHit:
    id: int
    title: str | None
    site: str | None
    url: str
    published: str | None
    category: str | None
    snippet: str
    score: float
    story_id: int | None = None   #: the article's story, once clustered (``newscrawl stories``)
    collapsed: int = 0            #: other matching articles of the same story left out (collapse)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def search(db: sqlite_utils.Database, query: str, *, site: str | None = None,
           category: str | None = None, since: str | None = None, until: str | None = None,
           limit: int = 20, mark: tuple[str, str] = ("[", "]"),
           collapse_stories: bool = False) -> Iterator[SearchHit]:
    """Ranked articles matching *query* (best first), with filters on site, category and dates.

    :param since: ISO date or datetime, inclusive lower bound on ``published``.
    :param until: ISO date or datetime, inclusive upper bound (a bare date covers the whole day).
    :param collapse_stories: keep only the best-ranked hit of each story (see
        :mod:`archive.stories`); articles not clustered yet count as stories of their own.
    :raises InvalidQuery: the query cannot be parsed.
    """
    match = compile_query(query)
    terms = query_terms(query)
    where = ["articles_fts MATCH :match"]
    params: dict[str, Any] = {"match": match, "limit": int(limit)}
    if site:
        where.append("a.site = :site")
        params["site"] = site
    if category:
        where.append("a.category = :category")
        params["category"] = category
    if since:
        where.append("a.published >= :since")
        params["since"] = since
    if until:
        where.append("a.published <= :until")
        params["until"] = until + ("T23:59:59Z" if len(until) == 10 else "")
    stories = "article_stories" in db.table_names()
    # Rank on ids and scores only, then read the few winning rows: selecting the bodies of every
    # match before ORDER BY … LIMIT made common words slow (measured in bench/archive.py).
    # The story of every hit is needed only to collapse by story; otherwise only the winners'.
    filtered = len(where) > 1
    join_stories = stories and collapse_stories
    hits = ("SELECT articles_fts.rowid AS id, bm25(articles_fts, 4.0, 1.0) AS score"
            + (", s.story_id AS story_id " if join_stories else " ")
            + "FROM articles_fts "
            + ("JOIN articles a ON a.id = articles_fts.rowid " if filtered else "")
            + ("LEFT JOIN article_stories s ON s.article_id = articles_fts.rowid " if join_stories else "")
            + f"WHERE {' AND '.join(where)}")
    if collapse_stories:
        # One row per story: the best-scored hit, and how many others of its story matched.
        story = "story_id" if join_stories else "NULL"
        top = (f"WITH hits AS ({hits}), ranked AS (SELECT *, {story} AS story, "
               f"row_number() OVER (PARTITION BY coalesce({story}, -id) ORDER BY score, id) AS rank, "
               f"count(*) OVER (PARTITION BY coalesce({story}, -id)) - 1 AS collapsed FROM hits) "
               "SELECT id, score, collapsed FROM ranked WHERE rank = 1 "
               "ORDER BY score, id LIMIT :limit")
    else:
        top = f"SELECT id, score, 0 AS collapsed FROM ({hits}) ORDER BY score, id LIMIT :limit"
    story_of = "s.story_id" if stories else "NULL"
    sql = ("SELECT a.id, a.title, a.site, a.url, a.published, a.category, a.body, t.score, "
           f"{story_of} AS story_id, t.collapsed FROM ({top}) t JOIN articles a ON a.id = t.id "
           + ("LEFT JOIN article_stories s ON s.article_id = t.id " if stories else "")
           + "ORDER BY t.score, a.id")
    for row in db.query(sql, params):
        yield SearchHit(row["id"], row["title"], row["site"], row["url"], row["published"],
                        row["category"], snippet(row["body"], terms, mark=mark), row["score"],
                        row["story_id"], row["collapsed"])
