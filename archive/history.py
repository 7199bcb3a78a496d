"""An article's history: every version the archive kept, and word-level diffs between them.

Diffs are computed over whitespace-separated words, the unit an Arabic reader scans (a word with its
attached و/ب/ال is one token), with paragraph breaks kept as their own token.  ``difflib``'s
"popular element" heuristic is switched off: in Arabic prose في، من، على، أن are so frequent that
it would treat them as junk and turn small edits into whole-paragraph replacements.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from .errors import NoSuchArticle

__all__ = ["Version", "DiffOp", "versions", "word_diff", "tokens", "history", "render_diff", "PARAGRAPH"]

#: The token standing for a paragraph break in a diff (and how it is written back).
PARAGRAPH = "\n\n"
_TOKEN = re.compile(r"\n\s*\n|\S+")


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One step of a diff: ``equal``, ``insert``, ``delete`` or ``replace`` of word runs."""

    op: str
    old: str = ""
    new: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"op": self.op, "old": self.old, "new": self.new}


@dataclass(slots=True)
class Version:
    """One stored version of an article, with what changed since the previous one."""

    version: int
    seen_at: str
    title: str | None
    body: str | None
    modified: str | None
    changed: list[str]
    extractor_version: str | None
    title_diff: list[DiffOp] = field(default_factory=list)
    body_diff: list[DiffOp] = field(default_factory=list)

    def as_dict(self, *, texts: bool = False) -> dict[str, Any]:
        """JSON-ready; the full title and body only with *texts* (diffs always)."""
        data: dict[str, Any] = {
            "version": self.version, "seen_at": self.seen_at, "changed": self.changed,
            "modified": self.modified, "extractor_version": self.extractor_version,
            "title_diff": [d.as_dict() for d in self.title_diff],
            "body_diff": [d.as_dict() for d in self.body_diff]}
        if texts:
            data.update(title=self.title, body=self.body)
        return data


def tokens(text: str | None) -> list[str]:
    """Words of *text* with each paragraph break as one :data:`PARAGRAPH` token."""
    return [PARAGRAPH if t.isspace() else t for t in _TOKEN.findall(text or "")]


def _join(words: list[str]) -> str:
    out = ""
    for word in words:
        if word == PARAGRAPH:
            out = out.rstrip(" ") + PARAGRAPH
        else:
            out += ("" if not out or out.endswith(PARAGRAPH) else " ") + word
    return out


def word_diff(old: str | None, new: str | None) -> list[DiffOp]:
    """Word-level diff of two texts; joining the ``old`` parts gives *old*, the ``new`` parts *new*
    (modulo whitespace)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [DiffOp(tag, _join(a[i1:i2]), _join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


#: The versions of one article.  The newest version row keeps no copy of the text (it is the
#: article's current text, in ``articles``) until a newer version replaces it; archives written
#: before schema migration 4 have the copy.  (The ``article_history`` view reads the same way.)
VERSIONS_SQL = (
    "SELECT v.version, v.seen_at, "
    "CASE WHEN v.body IS NULL AND v.version = a.version THEN a.title ELSE v.title END AS title, "
    "CASE WHEN v.body IS NULL AND v.version = a.version THEN a.body ELSE v.body END AS body, "
    "v.modified, v.changed, v.extractor_version "
    "FROM article_versions v JOIN articles a ON a.id = v.article_id "
    "WHERE v.article_id = ? ORDER BY v.version")


def versions(db: sqlite_utils.Database, article_id: int) -> list[Version]:
    """Every version of *article_id*, oldest first, each with its diff from the previous one
    (the first version's diff is against nothing: all inserted).

    :raises NoSuchArticle: no article has this id.
    """
    if db.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone() is None:
        raise NoSuchArticle(f"no article with id {article_id}")
    result: list[Version] = []
    previous: Version | None = None
    for row in db.query(VERSIONS_SQL, [article_id]):
        try:
            changed = json.loads(row["changed"] or "[]")
        except ValueError:
            changed = [row["changed"]]
        current = Version(row["version"], row["seen_at"], row["title"], row["body"], row["modified"],
                          list(changed), row["extractor_version"])
        current.title_diff = word_diff(previous.title if previous else None, current.title)
        current.body_diff = word_diff(previous.body if previous else None, current.body)
        result.append(current)
        previous = current
    return result


def history(db: sqlite_utils.Database, article_id: int) -> dict[str, Any]:
    """The article's identity (id, site, url, first/last seen) and its versions."""
    row = db.execute("SELECT id, site, url, title, first_seen, last_seen, version FROM articles WHERE id = ?",
                     [article_id]).fetchone()
    if row is None:
        raise NoSuchArticle(f"no article with id {article_id}")
    article = dict(zip(("id", "site", "url", "title", "first_seen", "last_seen", "version"), row, strict=True))
    article["versions"] = versions(db, article_id)
    return article


def render_diff(ops: list[DiffOp], *, context: int = 8,
                marks: tuple[str, str, str, str] = ("[-", "-]", "{+", "+}")) -> str:
    """A readable word diff: deletions in ``[-…-]``, insertions in ``{+…+}`` (``git diff
    --word-diff`` style), long unchanged runs shortened to *context* words each side.
    Each marked run is wrapped in bidi isolates so Arabic and the ASCII marks do not reorder."""
    del_open, del_close, ins_open, ins_close = marks
    out: list[str] = []
    last = len(ops) - 1
    for i, op in enumerate(ops):
        if op.op == "equal":
            out.append(_shorten(op.old, context, head=i > 0, tail=i < last))
            continue
        if op.old:
            out.append(_mark(op.old, del_open, del_close))
        if op.new:
            out.append(_mark(op.new, ins_open, ins_close))
    text = " ".join(piece for piece in out if piece)
    return text.replace(f" {PARAGRAPH}", PARAGRAPH).replace(f"{PARAGRAPH} ", PARAGRAPH)


def _mark(text: str, open_: str, close: str) -> str:
    """*text* between marks, in a bidi isolate; paragraph breaks at its ends stay outside the
    marks (a break on its own shows as ¶)."""
    core = text.strip("\n ")
    if not core:
        return f"\u2068{open_}¶{close}\u2069"
    head = PARAGRAPH if text.startswith(PARAGRAPH) else ""
    tail = PARAGRAPH if text.endswith(PARAGRAPH) else ""
    return f"{head}\u2068{open_}{core}{close}\u2069{tail}"


def _shorten(text: str, context: int, *, head: bool, tail: bool) -> str:
    """Keep *context* words after a change (head) and before the next one (tail)."""
    words = tokens(text)
    keep_head = context if head else 0
    keep_tail = context if tail else 0
    if len(words) <= keep_head + keep_tail + 1:
        return _join(words)
    parts = []
    if keep_head:
        parts.append(_join(words[:keep_head]))
    parts.append("…")
    if keep_tail:
        parts.append(_join(words[-keep_tail:]))
    return " ".join(parts)
