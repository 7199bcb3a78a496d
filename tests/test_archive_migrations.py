"""Schema migrations: recorded, transactional, applied on open; older archives upgraded in place."""

import sqlite3

import pytest

from archive import Archive, ArticleRecord, Fetch, SchemaTooNew, schema
from archive.search import search
from archive.stories import assign_stories, story_of

BODY = ("افتتحت وزارة التربية المدرسة الجديدة في حلب اليوم بحضور عدد من المسؤولين.\n\n"
        "وقال مدير التربية إن المدرسة تضم ثلاثين صفاً ومختبرين للعلوم والحاسوب.")


def _only_first_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    schema._load_migrations()
    monkeypatch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] == 1])


@pytest.fixture
def v1_archive(db_path, monkeypatch):  # type: ignore[no-untyped-def]
    """An archive written by a newscrawl that knew only migration 1, with an edited article."""
    with monkeypatch.context() as patch:
        _only_first_migration(patch)
        with Archive(db_path) as archive:
            archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="مدرسة جديدة", body=BODY,
                                         published="2025-05-08T08:00:00Z"),
                           Fetch(url="http://a.test/1", fetched_at="2025-05-08T09:00:00Z", html=b"<html>v1</html>"))
            archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="مدرسة جديدة في حلب",
                                         body=BODY, published="2025-05-08T08:00:00Z"))
            tables = set(archive.db.table_names())
    assert "stories" not in tables
    return db_path


def known() -> list[int]:
    schema._load_migrations()
    return sorted(n for n, _, _ in schema.MIGRATIONS)


def _migrations(path) -> list[int]:  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT number FROM _migrations ORDER BY number")]
    finally:
        conn.close()


def test_fresh_archive_records_every_migration(fresh_archive: Archive) -> None:
    rows = fresh_archive.db.execute("SELECT number, name, applied_at FROM _migrations ORDER BY number").fetchall()
    assert [n for n, _, _ in rows] == known() and known()[:2] == [1, 2]
    assert [(n, name) for n, name, _ in rows][:2] == [(1, "initial"), (2, "stories")]
    assert all(applied for _, _, applied in rows)
    assert schema.schema_version() == max(known())


def test_v1_archive_is_upgraded_on_open_with_its_data_intact(v1_archive) -> None:  # type: ignore[no-untyped-def]
    assert _migrations(v1_archive) == [1]
    with Archive(v1_archive) as archive:
        assert _migrations(v1_archive) == known()
        assert {"stories", "article_stories", "minhashes", "minhash_bands"} <= set(archive.db.table_names())
        row = archive.get(1)
        assert (archive.count(), row["title"], row["version"]) == (1, "مدرسة جديدة في حلب", 2)
        assert row["aliases"] == ["http://a.test/1"]
        assert archive.raw_html(1) == b"<html>v1</html>"
        assert [h.id for h in search(archive.db, "المدرسه")] == [1]
        assert archive.db.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 2
        # the new tables work on the old data
        assign_stories(archive)
        assert story_of(archive.db, 1) is not None


def test_readonly_open_does_not_upgrade(v1_archive) -> None:  # type: ignore[no-untyped-def]
    with Archive(v1_archive, readonly=True) as archive:
        assert archive.get(1)["title"] == "مدرسة جديدة في حلب"
    assert _migrations(v1_archive) == [1]


def test_failed_migration_rolls_back_and_is_not_recorded(db_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    Archive(db_path).close()

    def broken(db) -> None:  # type: ignore[no-untyped-def]
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("INSERT INTO half_done VALUES (1)")
        raise RuntimeError("migration bug")

    before = known()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, (max(before) + 1, "broken", broken)])
    with pytest.raises(RuntimeError, match="migration bug"):
        Archive(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    conn.close()
    assert _migrations(db_path) == before


def test_archive_from_a_newer_version_is_refused(db_path) -> None:  # type: ignore[no-untyped-def]
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    future = max(known()) + 1
    conn.execute("INSERT INTO _migrations VALUES (?, 'future', '2030-01-01')", [future])
    conn.commit()
    conn.close()
    for readonly in (False, True):      # a reader must not misread a newer layout either
        with pytest.raises(SchemaTooNew, match=rf"newer newscrawl \(schema migration {future}; "
                                                rf"this version knows up to {future - 1}\)"):
            Archive(db_path, readonly=readonly)


# secure_delete 2 is FAST, whatever the SQLite build's default (Debian's is ON: see Archive.__init__)
@pytest.mark.parametrize(("pragma", "value"), [("journal_mode", "wal"), ("foreign_keys", 1), ("secure_delete", 2)])
def test_pragmas(db_path, pragma: str, value) -> None:  # type: ignore[no-untyped-def]
    with Archive(db_path) as archive:
        assert archive.db.execute(f"PRAGMA {pragma}").fetchone()[0] == value


@pytest.mark.parametrize("table", ["article_stories", "minhashes", "minhash_bands"])
def test_story_rows_go_with_their_article(fresh_archive: Archive, table: str) -> None:
    fresh_archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="t", body=BODY))
    assign_stories(fresh_archive)
    assert fresh_archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    with fresh_archive.db.conn:
        fresh_archive.db.execute("DELETE FROM articles WHERE id = 1")
    assert fresh_archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_upgrade_rebuilds_the_search_index_with_the_ascii_tokenizer(v1_archive) -> None:  # type: ignore[no-untyped-def]
    """Migration 4 re-tokenizes the index (same folded words, a faster tokenizer) and keeps history."""
    with Archive(v1_archive) as archive:
        sql = archive.db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
        assert "tokenize='ascii'" in sql
        for query in ("المدرسه", "وبالمدرسة", '"مدرسة جديدة في حلب"', "مختبر*", "حلب -دمشق"):
            assert [h.id for h in search(archive.db, query)] == [1], query
        assert archive.db.execute("SELECT version, title FROM article_history ORDER BY version").fetchall() == [
            (1, "مدرسة جديدة"), (2, "مدرسة جديدة في حلب")]
        # an edit after the upgrade removes the old words from the index and adds the new ones
        archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="مدرسة في دمشق",
                                     body=BODY.replace("حلب", "دمشق"), published="2025-05-08T08:00:00Z"))
        assert [h.id for h in search(archive.db, "دمشق")] == [1]
        assert list(search(archive.db, "حلب")) == []


@pytest.mark.parametrize("older", [False, True])
def test_search_index_merges_sixteen_segments_a_level(db_path, monkeypatch, older: bool) -> None:  # type: ignore[no-untyped-def]
    """Migration 6 sets the index's merge settings, on a new archive and on one made before it."""
    if older:
        with monkeypatch.context() as patch:
            schema._load_migrations()
            patch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] < 6])
            with Archive(db_path) as archive:
                archive.upsert(ArticleRecord(url="http://a.test/1", site="a", title="مدرسة", body=BODY))
                assert dict(archive.db.execute("SELECT k, v FROM articles_fts_config").fetchall())["automerge"] == 8
    with Archive(db_path) as archive:
        config = dict(archive.db.execute("SELECT k, v FROM articles_fts_config").fetchall())
        assert (config["automerge"], config["crisismerge"]) == (16, 32)
        assert [h.id for h in search(archive.db, "المدرسه")] == ([1] if older else [])
