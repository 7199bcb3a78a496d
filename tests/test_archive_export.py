"""Export: JSON Lines, CSV (Excel-safe UTF-8) and Parquet, filtered, streamed in constant memory."""

import csv
import io
import json
import sys
import tracemalloc
from pathlib import Path

import pytest

from archive import Archive, ArticleRecord, InvalidQuery
from archive.export import COLUMNS, ExportFilter, MissingPyarrow, rows, write_csv, write_jsonl, write_parquet

ARTICLES = [
    dict(site="a", title="مدرسة جديدة في حلب", category="محليات", published="2025-05-01T08:00:00Z",
         body="افتتحت وزارة التربية المدرسة الجديدة في حلب.\n\nوتضم المدرسة ثلاثين صفاً، \"حديثة\" التجهيز.",
         tags=["تعليم", "حلب"], related_links=[{"url": "http://a.test/r", "text": "مدارس"}]),
    dict(site="a", title="أسعار الذهب", category="اقتصاد", published="2025-05-02T23:30:00Z",
         body="ارتفعت أسعار الذهب في السوق خلال عام ٢٠٢٥ بنسبة كبيرة, وفق التجار."),
    dict(site="b", title="مستشفى الأطفال", category="محليات", published="2025-05-03T10:00:00Z",
         body="وصلت شحنة أدوية إلى مستشفى الأطفال في دمشق."),
]


@pytest.fixture
def archive(fresh_archive: Archive) -> Archive:
    for i, values in enumerate(ARTICLES, 1):
        fresh_archive.upsert(ArticleRecord(url=f"http://{values['site']}.test/{i}", **values))
    fresh_archive.upsert(ArticleRecord(url="http://a.test/1?utm_source=x", **ARTICLES[0]))  # an alias
    return fresh_archive


def read_back(fmt: str, archive: Archive, path: Path, where: ExportFilter | None = None) -> list[dict]:
    if fmt == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
        write_parquet(rows(archive.db, where), str(path))
        return pq.read_table(path).to_pylist()
    with open(path, "w", encoding="utf-8", newline="") as out:
        (write_csv if fmt == "csv" else write_jsonl)(rows(archive.db, where), out)
    text = path.read_text(encoding="utf-8")
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    for record in records:
        for name in ("tags", "images", "related_links", "aliases"):
            record[name] = json.loads(record[name])
        for name in ("id", "version"):
            record[name] = int(record[name])
    return records


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_round_trip(archive: Archive, tmp_path: Path, fmt: str) -> None:
    records = read_back(fmt, archive, tmp_path / f"out.{fmt}")
    assert [r["id"] for r in records] == [1, 2, 3]
    first = records[0]
    assert set(first) == set(COLUMNS)
    assert (first["title"], first["body"]) == (ARTICLES[0]["title"], ARTICLES[0]["body"])
    assert first["tags"] == ["تعليم", "حلب"]
    assert first["related_links"] == [{"url": "http://a.test/r", "text": "مدارس"}]
    assert first["aliases"] == ["http://a.test/1", "http://a.test/1?utm_source=x"]


@pytest.mark.parametrize(("where", "ids"), [
    (ExportFilter(), [1, 2, 3]),
    (ExportFilter(site="a"), [1, 2]),
    (ExportFilter(category="محليات"), [1, 3]),
    (ExportFilter(since="2025-05-02"), [2, 3]),
    (ExportFilter(until="2025-05-02"), [1, 2]),          # a bare date covers the whole day
    (ExportFilter(since="2025-05-02", until="2025-05-02"), [2]),
    (ExportFilter(query="المدرسه"), [1]),
    (ExportFilter(query="حلب OR دمشق", site="b"), [3]),
    (ExportFilter(site="none"), []),
])
def test_filters(archive: Archive, where: ExportFilter, ids: list[int]) -> None:
    assert [r["id"] for r in rows(archive.db, where)] == ids


def test_bad_query_fails_before_any_output(archive: Archive) -> None:
    with pytest.raises(InvalidQuery):
        rows(archive.db, ExportFilter(query='"unclosed'))


@pytest.mark.parametrize("bom", [True, False])
def test_csv_is_utf8_for_excel(archive: Archive, tmp_path: Path, bom: bool) -> None:
    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        write_csv(rows(archive.db), out, bom=bom)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") is bom
    assert data.split(b"\r\n")[0].lstrip(b"\xef\xbb\xbf") == ",".join(COLUMNS).encode()
    assert "مدرسة جديدة في حلب".encode() in data
    # a body with paragraph breaks, quotes and commas stays one cell
    [header, *cells] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(cells) == 3 and cells[0][header.index("body")] == ARTICLES[0]["body"]


def test_missing_pyarrow_is_a_one_line_hint(archive: Archive, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingPyarrow, match=r"^Parquet export needs pyarrow: pip install newscrawl\[parquet\]$"):
        write_parquet(rows(archive.db), str(tmp_path / "x.parquet"))
    assert not (tmp_path / "x.parquet").exists()


def test_empty_export_is_a_valid_parquet_file(fresh_archive: Archive, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    assert write_parquet(rows(fresh_archive.db), str(tmp_path / "empty.parquet")) == 0
    assert pq.read_table(tmp_path / "empty.parquet").schema.names == list(COLUMNS)


# -- constant memory ----------------------------------------------------------------------------------
def synthetic_archive(path: Path, n: int) -> Archive:
    archive = Archive(path)
    body = "نص عربي طويل لخبر تجريبي يتكرر في الأرشيف " * 25
    with archive.db.conn:
        archive.db.conn.executemany(
            "INSERT INTO articles (id, site, url, url_key, title, body, tags, images, related_links, published, "
            "version, first_seen, last_seen) VALUES (?, 's', ?, ?, ?, ?, '[\"وسم\"]', '[]', '[]', ?, 1, 'x', 'x')",
            ((i, f"http://s.test/{i}", f"s.test/{i}", f"عنوان الخبر رقم {i}", f"{body} {i}",
              f"2025-05-{i % 28 + 1:02d}T10:00:00Z") for i in range(1, n + 1)))
    return archive


def peak_memory(fmt: str, archive: Archive, out: Path) -> int:
    tracemalloc.start()
    try:
        if fmt == "parquet":
            write_parquet(rows(archive.db), str(out))
        else:
            with open(out, "w", encoding="utf-8", newline="") as f:
                (write_csv if fmt == "csv" else write_jsonl)(rows(archive.db), f)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_memory_does_not_grow_with_the_archive(tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    peaks = {}
    for n in (2_000, 20_000):
        with synthetic_archive(tmp_path / f"{n}.db", n) as archive:
            peaks[n] = peak_memory(fmt, archive, tmp_path / f"{n}.{fmt}")
    assert peaks[20_000] < 2 * peaks[2_000], peaks
