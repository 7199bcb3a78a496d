"""Export the archive as JSON Lines, CSV or Parquet, streamed in constant memory.

Rows come from one SQLite cursor read in batches (:func:`rows`); each writer consumes them as they
come: a line per row for JSON Lines and CSV, a record batch of :data:`PARQUET_BATCH` rows for
Parquet (:class:`pyarrow.parquet.ParquetWriter`).  Nothing holds the whole archive.

CSV is UTF-8 with CRLF line ends; ``bom=True`` writes a byte-order mark, which Excel needs to read
UTF-8 (without it Arabic shows as mojibake).  List fields (tags, images, related links, aliases) are
JSON in CSV cells and real lists in JSON Lines and Parquet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import sqlite_utils

from .errors import ArchiveError
from .search import compile_query

__all__ = ["COLUMNS", "ExportFilter", "MissingPyarrow", "rows", "write_jsonl", "write_csv",
           "write_parquet", "parquet_schema", "text_stream", "PARQUET_BATCH"]

#: Exported columns, in order.
COLUMNS = ("id", "site", "url", "title", "body", "category", "author", "tags", "images",
           "related_links", "published", "published_raw", "modified", "modified_raw", "language",
           "version", "first_seen", "last_seen", "extractor_version", "aliases", "story_id")
_LIST_COLUMNS = ("tags", "images", "related_links", "aliases")
_INT_COLUMNS = ("id", "version", "story_id")
PARQUET_BATCH = 1000
_FETCH = 500


class MissingPyarrow(ArchiveError):
    """Parquet export needs the optional ``pyarrow`` package."""


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which articles to export; every field is optional and they combine with AND.

    :param since: published on or after this ISO date or datetime.
    :param until: published on or before (a bare date covers the whole day).
    :param query: a search query (same syntax as ``newscrawl search``).
    """

    site: str | None = None
    category: str | None = None
    since: str | None = None
    until: str | None = None
    query: str | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        """SQL conditions on ``articles AS a`` and their parameters.

        :raises InvalidQuery: the query cannot be parsed.
        """
        clauses, params = [], {}
        if self.site:
            clauses.append("a.site = :site")
            params["site"] = self.site
        if self.category:
            clauses.append("a.category = :category")
            params["category"] = self.category
        if self.since:
            clauses.append("a.published >= :since")
            params["since"] = self.since
        if self.until:
            clauses.append("a.published <= :until")
            params["until"] = self.until + ("T23:59:59Z" if len(self.until) == 10 else "")
        if self.query is not None:
            clauses.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match)")
            params["match"] = compile_query(self.query)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def rows(db: sqlite_utils.Database, where: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
    """Matching articles as dicts of :data:`COLUMNS` (lists decoded), oldest id first, streamed.

    :raises InvalidQuery: the filter's query cannot be parsed (raised before the first row).
    """
    clause, params = (where or ExportFilter()).where()
    story = ("(SELECT story_id FROM article_stories WHERE article_id = a.id)"
             if "article_stories" in db.table_names() else "NULL")
    sql = ("SELECT a.id, a.site, a.url, a.title, a.body, a.category, a.author, a.tags, a.images, "
           "a.related_links, a.published, a.published_raw, a.modified, a.modified_raw, a.language, "
           "a.version, a.first_seen, a.last_seen, a.extractor_version, "
           "(SELECT json_group_array(url) FROM (SELECT url FROM url_aliases WHERE article_id = a.id "
           f"ORDER BY rowid)) AS aliases, {story} AS story_id FROM articles a{clause} ORDER BY a.id")
    return _stream(db, sql, params)


def _stream(db: sqlite_utils.Database, sql: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    cursor = db.conn.execute(sql, params)
    try:
        while batch := cursor.fetchmany(_FETCH):
            for values in batch:
                row = dict(zip(COLUMNS, values, strict=True))
                for name in _LIST_COLUMNS:
                    row[name] = json.loads(row[name]) if row[name] else []
                yield row
    finally:
        cursor.close()


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line (UTF-8, Arabic unescaped); the number of rows written."""
    n = 0
    for row in records:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(records: Iterator[dict[str, Any]], out: IO[str], *, bom: bool = False) -> int:
    """CSV with a header row; list fields as JSON.  *bom* writes U+FEFF first for Excel.

    *out* must be a text stream opened with ``newline=""`` (the CSV module writes CRLF itself).
    """
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    n = 0
    for row in records:
        writer.writerow([json.dumps(row[c], ensure_ascii=False) if c in _LIST_COLUMNS else row[c]
                         for c in COLUMNS])
        n += 1
    return n


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise MissingPyarrow("Parquet export needs pyarrow: pip install newscrawl[parquet]") from exc
    return pyarrow, pyarrow.parquet


def parquet_schema() -> Any:
    """The Arrow schema of an export (explicit, so empty and all-null batches agree)."""
    pa, _ = _pyarrow()
    fields = []
    for name in COLUMNS:
        if name in _INT_COLUMNS:
            kind = pa.int64()
        elif name == "related_links":
            kind = pa.list_(pa.struct([("url", pa.string()), ("text", pa.string())]))
        elif name in _LIST_COLUMNS:
            kind = pa.list_(pa.string())
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def write_parquet(records: Iterator[dict[str, Any]], path: str | IO[bytes], *,
                  batch_size: int = PARQUET_BATCH) -> int:
    """Parquet (zstd-compressed) written in record batches of *batch_size* rows.

    :raises MissingPyarrow: pyarrow is not installed.
    """
    pa, pq = _pyarrow()
    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in records:
            row["related_links"] = [{"url": link.get("url"), "text": link.get("text")}
                                    for link in row["related_links"]]
            batch.append(row)
            if len(batch) >= batch_size:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def text_stream(binary: IO[bytes]) -> io.TextIOWrapper:
    """A UTF-8 text stream over *binary* suitable for :func:`write_csv` and :func:`write_jsonl`."""
    return io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)
