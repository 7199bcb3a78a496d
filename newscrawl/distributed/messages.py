"""The messages of the items stream, from workers to ``newscrawl archive-writer``.

Each message is one Redis stream entry (a flat map of byte strings) with a ``kind``:

- ``run-start``: a worker began a crawl (``run``: the worker's id, ``site``, ``args``: JSON);
- ``item``: one :class:`~newscrawl.items.ArticleItem` after validation and normalization (``run``,
  ``item``: the fields as JSON, ``html``: the raw page, zstd-compressed, or empty);
- ``run-end``: the worker stopped (``run``, ``reason``, ``stats``: the Scrapy stats as JSON);
- ``state``: a write of the incremental crawl state (``op``: a method of
  :class:`archive.crawlstate.CrawlState` such as ``record_ok``, ``kwargs``: JSON), applied by the
  writer after the items before it in the stream are committed.

A writer of another version reads what it knows: unknown item fields are ignored, missing ones
take their defaults.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import zstandard

from newscrawl.items import ArticleItem

__all__ = ["BadMessage", "Message", "decode", "encode_item", "encode_run_end", "encode_run_start", "encode_state"]

_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleItem))
_COMPRESSOR = zstandard.ZstdCompressor(level=3)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


class BadMessage(ValueError):
    """A stream entry that is not a message of this format."""


@dataclasses.dataclass(slots=True)
class Message:
    kind: str
    run: str
    item: ArticleItem | None = None
    site: str | None = None
    args: dict[str, Any] = dataclasses.field(default_factory=dict)
    reason: str | None = None
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)
    op: str | None = None
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=str).encode()


def encode_item(item: ArticleItem, run: str) -> dict[str, bytes]:
    fields = {f: getattr(item, f) for f in _FIELDS if f != "html"}
    return {"kind": b"item", "run": run.encode(), "item": _json(fields),
            "html": _COMPRESSOR.compress(item.html) if item.html is not None else b""}


def encode_run_start(run: str, site: str | None, args: dict[str, Any]) -> dict[str, bytes]:
    return {"kind": b"run-start", "run": run.encode(), "site": (site or "").encode(), "args": _json(args)}


def encode_run_end(run: str, reason: str, stats: dict[str, Any]) -> dict[str, bytes]:
    return {"kind": b"run-end", "run": run.encode(), "reason": reason.encode(), "stats": _json(stats)}


def encode_state(run: str, op: str, kwargs: dict[str, Any]) -> dict[str, bytes]:
    return {"kind": b"state", "run": run.encode(), "op": op.encode(), "kwargs": _json(kwargs)}


def decode(fields: dict[bytes, bytes]) -> Message:
    """The message of a stream entry.

    :raises BadMessage: the entry is not a message (unknown kind, broken JSON or compression).
    """
    try:
        kind = fields[b"kind"].decode()
        run = fields[b"run"].decode()
        if kind == "item":
            data = json.loads(fields[b"item"])
            html = fields.get(b"html") or b""
            item = ArticleItem(**{k: v for k, v in data.items() if k in _FIELDS})
            item.html = _DECOMPRESSOR.decompress(html) if html else None
            return Message(kind, run, item=item)
        if kind == "run-start":
            return Message(kind, run, site=fields[b"site"].decode() or None, args=json.loads(fields[b"args"]))
        if kind == "run-end":
            return Message(kind, run, reason=fields[b"reason"].decode(), stats=json.loads(fields[b"stats"]))
        if kind == "state":
            return Message(kind, run, op=fields[b"op"].decode(), kwargs=json.loads(fields[b"kwargs"]))
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, zstandard.ZstdError) as exc:
        raise BadMessage(f"unreadable stream entry: {exc!r}") from exc
    raise BadMessage(f"unknown message kind {kind!r}")
