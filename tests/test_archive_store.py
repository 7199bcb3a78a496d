import contextlib
import sqlite3

import pytest

from archive import (
    Archive,
    ArticleRecord,
    Fetch,
    NoSuchArticle,
    NotAnArchive,
    SchemaTooNew,
)

BODY = "الفقرة الأولى من الخبر عن المدرسة الجديدة في حلب.\n\nالفقرة الثانية من الخبر."


def record(**kw) -> ArticleRecord:
    values = dict(url="http://www.a.test/news/1/", site="a", title="عنوان الخبر", body=BODY,
                  published="2025-05-08T08:00:00Z")
    values.update(kw)
    return ArticleRecord(**values)


def fetch(url: str, **kw) -> Fetch:
    return Fetch(url=url, fetched_at="2025-05-09T00:00:00Z", html=b"<html>page</html>", **kw)


def test_new_then_unchanged(fresh_archive: Archive) -> None:
    assert fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/")).outcome == "new"
    assert fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/")).outcome == "unchanged"
    assert fresh_archive.count() == 1


@pytest.mark.parametrize("variant", [
    "http://www.a.test/news/1/?utm_source=facebook", "http://a.test/news/1",
    "http://www.a.test/news/1/amp/", "http://www.a.test/news/1/#comments",
])
def test_url_variants_merge_as_aliases(fresh_archive: Archive, variant: str) -> None:
    fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/"))
    result = fresh_archive.upsert(record(), fetch(variant))
    assert result.outcome == "merged"
    assert fresh_archive.count() == 1
    assert variant in fresh_archive.get(result.article_id)["aliases"]


def test_redirect_sources_are_aliases(fresh_archive: Archive) -> None:
    result = fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/",
                                                  redirect_urls=["http://www.a.test/news/1"]))
    assert "http://www.a.test/news/1" in fresh_archive.get(result.article_id)["aliases"]


def test_syndicated_copy_merges_and_earliest_publication_owns_the_record(fresh_archive: Archive) -> None:
    copy = record(url="http://www.b.test/x/9", site="b", title="عنوان منقول", published="2025-05-08T12:00:00Z")
    fresh_archive.upsert(copy, fetch("http://www.b.test/x/9"))
    result = fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/"))
    assert result.outcome == "merged" and fresh_archive.count() == 1
    row = fresh_archive.get(result.article_id)
    assert (row["site"], row["title"]) == ("a", "عنوان الخبر")
    assert {"http://www.b.test/x/9", "http://www.a.test/news/1/"} <= set(row["aliases"])
    # the copy seen again changes nothing and does not version the original
    assert fresh_archive.upsert(copy, fetch("http://www.b.test/x/9")).outcome == "unchanged"
    assert fresh_archive.get(result.article_id)["version"] == 1


def test_edit_makes_a_version(fresh_archive: Archive) -> None:
    first = fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/"))
    edited = record(title="عنوان الخبر (محدث)", body=BODY + "\n\nفقرة مضافة بعد التحديث.")
    result = fresh_archive.upsert(edited, fetch("http://www.a.test/news/1/"))
    assert result.outcome == "updated" and set(result.changed) == {"title", "body"}
    assert fresh_archive.get(first.article_id)["version"] == 2
    versions = fresh_archive.db.execute("SELECT version, title FROM article_history ORDER BY version").fetchall()
    assert [v for v, _ in versions] == [1, 2]


def test_amp_copy_does_not_version_the_canonical_page(fresh_archive: Archive) -> None:
    fresh_archive.upsert(record(), fetch("http://www.a.test/news/1/"))
    amp = record(body=BODY.replace("الثانية", "الثانيه من نسخة AMP"), is_amp=True)
    result = fresh_archive.upsert(amp, fetch("http://www.a.test/news/1/amp/"))
    assert result.outcome == "merged"
    assert fresh_archive.get(result.article_id)["version"] == 1


def test_raw_html_is_kept_compressed(fresh_archive: Archive) -> None:
    html = ("<html><body>" + "نص عربي " * 500 + "</body></html>").encode()
    result = fresh_archive.upsert(record(), Fetch(url="http://www.a.test/news/1/", fetched_at="2025-05-09T00:00:00Z", html=html))
    stored = fresh_archive.db.execute("SELECT length(html), compression FROM fetches").fetchone()
    assert stored[0] < len(html) / 5 and stored[1] in ("zstd", "gzip")
    assert fresh_archive.raw_html(result.article_id) == html


def test_batch_is_atomic(fresh_archive: Archive) -> None:
    bad = record(url=None, body="نص مختلف لا يطابق أي خبر.")  # NOT NULL violation mid-batch
    with pytest.raises(Exception):
        fresh_archive.upsert_many([(record(), None), (bad, None)])
    assert fresh_archive.count() == 0


def test_search_index_follows_edits(fresh_archive: Archive) -> None:
    from archive.search import search

    fresh_archive.upsert(record())
    assert [h.id for h in search(fresh_archive.db, "مدرسة")] == [1]
    fresh_archive.upsert(record(body="نص جديد تماما عن المستشفى.\n\nفقرة ثانية."))
    assert list(search(fresh_archive.db, "مدرسة")) == []
    assert [h.id for h in search(fresh_archive.db, "المستشفي")] == [1]


def test_missing_article(fresh_archive: Archive) -> None:
    with pytest.raises(NoSuchArticle):
        fresh_archive.get(42)


def test_newer_schema_is_refused(db_path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _migrations VALUES (999, 'future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew, match="newer newscrawl"):
        Archive(db_path)


def test_not_an_archive(tmp_path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(NotAnArchive):
        Archive(path)
    with pytest.raises(NotAnArchive):
        Archive(tmp_path / "missing.db", readonly=True)


def test_wal_mode(db_path) -> None:
    with Archive(db_path) as archive:
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- large batches: text prepared in a helper process -------------------------------------------
def _big_batch(n: int, start: int = 0) -> list[tuple[ArticleRecord, Fetch]]:
    """*n* records with in-batch duplicates: every 10th repeats an earlier URL (an edit), every 7th
    republishes an earlier text under another site's URL (a copy)."""
    items = []
    for i in range(start, start + n):
        url, body = f"http://www.a.test/news/{i}/", f"{BODY}\n\nخبر رقم {i} عن المدرسة والطلاب."
        if i % 10 == 9:
            url, body = f"http://www.a.test/news/{i - 5}/", f"{BODY}\n\nتحديث: خبر رقم {i - 5}."
        elif i % 7 == 6:
            url, body = f"http://b.test/copy/{i}", f"{BODY}\n\nخبر رقم {i - 3} عن المدرسة والطلاب."
        items.append((record(url=url, body=body, title=f"عنوان {i}", tags=["مدرسة", str(i)]),
                      Fetch(url=url, fetched_at="2025-05-09T00:00:00Z", html=f"<p>{i}</p>".encode())))
    return items


def _contents(archive: Archive) -> list[tuple]:  # type: ignore[type-arg]
    db = archive.db
    return [
        db.execute("SELECT id, url, url_key, title, body, tags, body_hash, version FROM articles ORDER BY id").fetchall(),
        db.execute("SELECT url, url_key, article_id, kind FROM url_aliases ORDER BY url").fetchall(),
        db.execute("SELECT article_id, version, title, body, changed FROM article_versions ORDER BY id").fetchall(),
        db.execute("SELECT article_id, url, html_sha1, html, compression FROM fetches ORDER BY id").fetchall(),
        db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'مدرسه' ORDER BY rowid").fetchall(),
        db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'تحديث' ORDER BY rowid").fetchall(),
    ]


def test_large_batch_in_helper_process_writes_what_one_process_writes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    items = _big_batch(600)  # well over POOL_MIN_BATCH
    with Archive(tmp_path / "local.db", workers=0) as local:
        local_results = local.upsert_many(items)
        expected = _contents(local)
    with Archive(tmp_path / "pooled.db", workers=1) as pooled:
        pooled_results = pooled.upsert_many(items)
        assert pooled._pool is not None            # the helper did the work
        assert pooled_results == local_results
        assert _contents(pooled) == expected
        assert {r.outcome for r in pooled_results} >= {"new", "updated", "merged"}
    assert pooled._pool is None                    # closed with the archive


def test_helper_process_lost_mid_crawl_loses_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal

    with Archive(tmp_path / "pooled.db", workers=1) as archive:
        archive.upsert_many(_big_batch(300))
        assert archive._pool is not None
        for pid in list(archive._pool._processes):  # the helper is killed (OOM killer, kill -9)
            os.kill(pid, signal.SIGKILL)
        results = archive.upsert_many(_big_batch(300, start=300))
        assert len(results) == 300 and archive.workers == 0
        with Archive(tmp_path / "local.db", workers=0) as local:
            local.upsert_many(_big_batch(300))
            local.upsert_many(_big_batch(300, start=300))
            assert _contents(archive) == _contents(local)


def test_stuck_helper_process_is_replaced_by_in_process_work(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal

    from archive import store

    monkeypatch.setattr(store, "_POOL_TIMEOUT", 0.5)
    with Archive(tmp_path / "pooled.db", workers=1) as archive:
        archive.upsert_many(_big_batch(250))
        [pid] = list(archive._pool._processes)
        os.kill(pid, signal.SIGSTOP)                 # alive but never answering
        try:
            results = archive.upsert_many(_big_batch(250, start=250))
        finally:
            with contextlib.suppress(ProcessLookupError):   # killed by the archive already
                os.kill(pid, signal.SIGCONT)
        assert len(results) == 250 and archive.workers == 0 and archive._pool is None
        with Archive(tmp_path / "local.db", workers=0) as local:
            local.upsert_many(_big_batch(250))
            local.upsert_many(_big_batch(250, start=250))
            assert _contents(archive) == _contents(local)


@pytest.mark.parametrize("workers", [0, 1])
def test_upsert_stream_writes_what_upsert_many_writes(tmp_path, workers: int) -> None:  # type: ignore[no-untyped-def]
    items = _big_batch(700)
    with Archive(tmp_path / "many.db", workers=0) as many:
        expected_results = [r for start in range(0, 700, 250) for r in many.upsert_many(items[start:start + 250])]
        expected = _contents(many)
    consumed = []

    def lazily():  # type: ignore[no-untyped-def]
        for item in items:
            consumed.append(item)
            yield item

    with Archive(tmp_path / "stream.db", workers=workers) as stream:
        results = stream.upsert_stream(lazily(), batch_size=100)
        first = next(results)                          # the first batch of 100 is written
        assert len(consumed) <= 100 + 2 * 100 + 64     # read lazily, a bounded distance ahead
        assert [first, *results] == expected_results
        assert _contents(stream) == expected
        assert stream.db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 700


def test_upsert_stream_commits_each_batch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A failure in the third batch leaves the first two archived and nothing of the third."""
    items = _big_batch(600)
    items[520] = (record(url="http://www.a.test/bad", title=None, body=None, tags=object()), None)
    with Archive(tmp_path / "stream.db", workers=1) as archive:
        done = []
        with pytest.raises(TypeError):
            for result in archive.upsert_stream(items, batch_size=250):
                done.append(result)
        assert len(done) == 500
        assert archive.db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 500


# -- new records of a batch are inserted together: the same archive as one record at a time -------
def _mixed_batch() -> list[tuple[ArticleRecord, Fetch | None]]:
    """Everything a crawl's batch can hold, in one group: new pages, edits of a page earlier in the
    batch, AMP and canonical copies in both orders, a syndicated copy published earlier, an
    empty body (no content hash), a record without a fetch, and URLs that only differ in tracking."""
    items: list[tuple[ArticleRecord, Fetch | None]] = list(_big_batch(300))
    for i in range(20):
        canonical = f"http://www.c.test/story/{i}"
        amp = (record(url=canonical, site="c", is_amp=True, title=f"خبر {i}", body=f"{BODY} أمب {i}"),
               fetch(f"{canonical}/amp"))
        page = (record(url=canonical, site="c", title=f"خبر {i}", body=f"{BODY} أمب {i}"), fetch(canonical))
        items[i * 13: i * 13] = [amp, page] if i % 2 else [page, amp]
    items.insert(50, (record(url="http://www.d.test/copy", site="d", published="2025-05-01T00:00:00Z",
                             title="نسخة", body=items[10][0].body), fetch("http://www.d.test/copy")))
    items.insert(60, (record(url="http://www.a.test/empty", body="", title="بلا نص"), fetch("http://www.a.test/empty")))
    items.insert(61, (record(url="http://www.a.test/empty2", body="", title="بلا نص"), None))
    items.insert(70, (record(url="http://www.a.test/news/3/?utm_source=x"), fetch("http://www.a.test/news/3/?utm_source=x")))
    # more URL keys in one group than SQLite allows parameters in a statement before 3.32
    items.insert(80, (record(url="http://www.e.test/many", site="e", title="أسماء كثيرة", body=f"{BODY} كثيرة",
                             aliases=[f"http://www.e.test/alias/{k}" for k in range(1200)]), None))
    items.insert(90, (record(url="http://www.e.test/alias/77", site="e", title="أسماء كثيرة",
                             body=f"{BODY} كثيرة ومعدلة"), fetch("http://www.e.test/alias/77")))
    return items


def _everything(archive: Archive) -> list[list[tuple]]:  # type: ignore[type-arg]
    db = archive.db
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, articles_fts, instance)")
    return [db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("articles", "article_versions", "url_aliases", "fetches", "temp.fts_terms")]


def _index_of_current_text(path) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    """What the search index must hold: the folded current title and body of every article, as a
    freshly built index lists it (the archive's index is contentless, and its deletes must have
    removed exactly the text that was replaced)."""
    from archive.text import fold

    with Archive(path) as archive:
        db = archive.db
        db.execute("CREATE VIRTUAL TABLE temp.rebuilt USING fts5(title, body, content='', tokenize='ascii')")
        db.conn.executemany("INSERT INTO temp.rebuilt (rowid, title, body) VALUES (?, ?, ?)",
                            [(i, fold(t), fold(b)) for i, t, b in db.execute("SELECT id, title, body FROM articles")])
        db.execute("CREATE VIRTUAL TABLE temp.rebuilt_terms USING fts5vocab(temp, rebuilt, instance)")
        return db.execute("SELECT * FROM temp.rebuilt_terms ORDER BY 1, 2").fetchall()


def _one_at_a_time(self: Archive, group, run_id, now):  # type: ignore[no-untyped-def]
    return [self._upsert_one(item, run_id, now) for item in group]


@pytest.mark.parametrize("batch", [1, 7, 128, 1000])
def test_grouped_inserts_write_what_one_record_at_a_time_writes(tmp_path, monkeypatch, batch: int) -> None:  # type: ignore[no-untyped-def]
    items = _mixed_batch()
    with Archive(tmp_path / "grouped.db", workers=0) as grouped:
        results = [r for start in range(0, len(items), batch)
                   for r in grouped.upsert_many(items[start:start + batch], seen_at="2025-05-10T00:00:00Z")]
        actual = _everything(grouped)
    monkeypatch.setattr(Archive, "_write_group", _one_at_a_time)
    with Archive(tmp_path / "single.db", workers=0) as single:
        expected_results = [r for start in range(0, len(items), batch)
                            for r in single.upsert_many(items[start:start + batch], seen_at="2025-05-10T00:00:00Z")]
        expected = _everything(single)
    assert results == expected_results
    assert {r.outcome for r in results} == {"new", "updated", "merged", "unchanged"}
    assert actual[-1] == _index_of_current_text(tmp_path / "grouped.db")
    for got, want in zip(actual, expected, strict=True):
        assert got == want


def test_bulk_load_checkpoints_in_a_thread_and_maps_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Archive(tmp_path / "bulk.db", workers=0) as archive:
        for _ in archive.upsert_stream(_big_batch(600), batch_size=100):
            pass
        checkpointer = archive._checkpointer
        assert checkpointer is not None and checkpointer.errors == 0
        assert archive.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] > 1000
        assert archive.db.execute("PRAGMA mmap_size").fetchone()[0] > 0
        written = archive.count()
    assert archive._checkpointer is None and not checkpointer._thread.is_alive()
    assert checkpointer.checkpoints >= 1
    with Archive(tmp_path / "bulk.db", readonly=True) as reopened:
        assert reopened.count() == written > 400
