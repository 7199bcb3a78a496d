"""``newscrawl merge``: shards of a crawl put back together, deduplicated across shards."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive, ArticleRecord, Fetch
from archive.merge import merge
from archive.urls import url_key

BODY = "نص المقال الأول.\n\nفقرة ثانية من المقال."


def record(url: str, site: str, *, title: str = "عنوان", body: str = BODY, published: str = "2025-05-01T08:00:00Z",
           aliases: list[str] | None = None) -> ArticleRecord:
    return ArticleRecord(url=url, site=site, title=title, body=body, published=published, aliases=aliases or [])


def fetch(url: str, at: str = "2025-05-01T09:00:00Z", html: bytes = b"<html>1</html>",
          redirects: list[str] | None = None) -> Fetch:
    return Fetch(url=url, fetched_at=at, status=200, final_url=url, html=html, redirect_urls=redirects or [])


@pytest.fixture
def shards(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "shard-sham.db", tmp_path / "shard-nile.db"
    with Archive(one) as archive:
        run = archive.start_run("shamtimes", {"spider": "news"})
        archive.upsert(record("http://www.shamtimes.test/a/", "shamtimes", title="الأولى"),
                       fetch("http://www.shamtimes.test/a/", redirects=["http://www.shamtimes.test/?p=1"]),
                       run_id=run, seen_at="2025-05-01T09:00:00Z")
        archive.upsert(record("http://www.shamtimes.test/a/", "shamtimes", title="الأولى (محدث)"),
                       fetch("http://www.shamtimes.test/a/", "2025-05-02T09:00:00Z", b"<html>2</html>"),
                       run_id=run, seen_at="2025-05-02T09:00:00Z")
        archive.upsert(record("http://www.shamtimes.test/b/", "shamtimes", body="مقال آخر لا مثيل له."),
                       fetch("http://www.shamtimes.test/b/"), run_id=run)
        archive.finish_run(run, "finished", {"new": 2}, {})
    with Archive(two) as archive:
        run = archive.start_run("nilenews", {"spider": "news"})
        # the same wire story, published later on another site: a copy of shamtimes' /a/ (v1 text)
        archive.upsert(record("http://www.nilenews.test/copy/", "nilenews", title="الأولى",
                              published="2025-05-01T12:00:00Z"),
                       fetch("http://www.nilenews.test/copy/", html=b"<html>copy</html>"), run_id=run)
        archive.upsert(record("http://www.nilenews.test/own/", "nilenews", body="خبر خاص بالنيل."),
                       fetch("http://www.nilenews.test/own/", html=b"<html>own</html>"), run_id=run)
        archive.finish_run(run, "finished", {"new": 2}, {})
    return one, two


def test_merge_keeps_every_article_once(shards, tmp_path) -> None:
    target = tmp_path / "all.db"
    stats = merge(target, list(shards))
    assert stats.articles == 4 and stats.runs == 2
    with Archive(target, readonly=True) as archive:
        urls = sorted(row["url"] for row in archive.articles())
    # the nilenews copy is not an article of its own
    assert urls == ["http://www.nilenews.test/own/", "http://www.shamtimes.test/a/", "http://www.shamtimes.test/b/"]


def test_merge_dedups_across_shards_by_body(tmp_path: Path) -> None:
    one, two = tmp_path / "1.db", tmp_path / "2.db"
    with Archive(one) as archive:
        archive.upsert(record("http://www.shamtimes.test/x/", "shamtimes"), fetch("http://www.shamtimes.test/x/"))
    with Archive(two) as archive:
        archive.upsert(record("http://www.nilenews.test/y/", "nilenews", published="2025-04-30T08:00:00Z"),
                       fetch("http://www.nilenews.test/y/"))
    stats = merge(tmp_path / "all.db", [one, two])
    assert stats.outcomes == {"new": 1, "merged": 1}
    with Archive(tmp_path / "all.db", readonly=True) as archive:
        [row] = list(archive.articles())
    assert row["url"] == "http://www.nilenews.test/y/"           # the earliest publication owns it
    assert {url_key(u) for u in row["aliases"]} >= {url_key("http://www.shamtimes.test/x/")}


def test_merge_keeps_history_aliases_fetches_and_runs(shards, tmp_path) -> None:
    target = tmp_path / "all.db"
    merge(target, list(shards))
    with Archive(target, readonly=True) as archive:
        [row] = [r for r in archive.articles() if r["url"] == "http://www.shamtimes.test/a/"]
        versions = archive.db.execute("SELECT version, title, seen_at FROM article_history WHERE article_id = ? "
                                      "ORDER BY version", [row["id"]]).fetchall()
        kinds = dict(archive.db.execute("SELECT url, kind FROM url_aliases WHERE article_id = ?", [row["id"]]).fetchall())
        fetches = archive.db.execute("SELECT fetched_at, run_id FROM fetches WHERE article_id = ? AND url = ? "
                                     "ORDER BY fetched_at", [row["id"], row["url"]]).fetchall()
        runs = {r[0]: r[1] for r in archive.db.execute("SELECT id, site FROM crawl_runs")}
        assert archive.raw_html(row["id"]) == b"<html>2</html>"
    assert [(v, t) for v, t, _ in versions] == [(1, "الأولى"), (2, "الأولى (محدث)")]
    assert versions[0][2] == "2025-05-01T09:00:00Z" and row["first_seen"] == "2025-05-01T09:00:00Z"
    assert kinds["http://www.shamtimes.test/?p=1"] == "redirect"
    assert kinds["http://www.nilenews.test/copy/"] in ("fetched", "canonical")
    assert [f[0] for f in fetches] == ["2025-05-01T09:00:00Z", "2025-05-02T09:00:00Z"]
    assert {runs[f[1]] for f in fetches} == {"shamtimes"}


def test_merging_a_shard_twice_adds_nothing(shards, tmp_path) -> None:
    target = tmp_path / "all.db"
    merge(target, list(shards))

    def counts() -> dict[str, int]:
        with Archive(target, readonly=True) as archive:
            return {t: archive.db[t].count for t in ("articles", "url_aliases", "article_versions", "fetches",
                                                     "crawl_runs")}

    before = counts()
    again = merge(target, list(shards))
    assert counts() == before
    assert again.runs == 0 and set(again.outcomes) == {"unchanged"}


def test_merge_command_as_documented(shards, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from newscrawl.cli import cli
    from test_distributed import doc_command

    program, command, *paths = doc_command("newscrawl merge")      # newscrawl merge archive.db shard-1.db …
    assert (program, command) == ("newscrawl", "merge")
    target, *sources = [p for p in paths if p != "…"]
    for source, shard in zip(sources, shards):
        shard.rename(tmp_path / source)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["merge", target, *sources])
    assert result.exit_code == 0, result.output
    assert "merged 4 articles from 2 archives" in result.output
    assert "3 new, 1 merged" in result.output or "1 merged, 3 new" in result.output
    bad = tmp_path / "not.db"
    bad.write_text("not sqlite")
    result = CliRunner().invoke(cli, ["merge", target, str(bad)])
    assert result.exit_code == 1 and "not a newscrawl archive" in result.output
