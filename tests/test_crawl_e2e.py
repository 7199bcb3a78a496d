"""The real ``scrapy crawl news`` against the fixture sites served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import unique_urls

from archive import Archive
from archive.urls import url_key

SITES = ["shamtimes", "nilenews", "carthage"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, fixture_server_module, demo_module):  # type: ignore[no-untyped-def]
    """One complete crawl of the three sites, then a second crawl of the same sites."""
    from conftest import SITE

    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    try:
        first = demo_module.run_crawl(db, server.proxy_url, SITES)
        first_log = list(server.access_log)
        with Archive(db, readonly=True) as archive:
            counts_after_first = {t: archive.db[t].count for t in ("articles", "url_aliases", "article_versions")}
        server.clear_log()
        second = demo_module.run_crawl(db, server.proxy_url, SITES)
    finally:
        server.stop()
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "log": first_log, "first_counts": counts_after_first}


def archived(db: Path) -> list[dict]:
    with Archive(db, readonly=True) as archive:
        return list(archive.articles())


def test_every_expected_article_archived_once(crawled, expected) -> None:
    rows = archived(crawled["db"])
    assert len(rows) == len(expected["articles"])
    by_key = {}
    for row in rows:
        for url in [row["url"], *row["aliases"]]:
            assert url_key(url) not in by_key or by_key[url_key(url)] == row["id"], f"{url} in two records"
            by_key[url_key(url)] = row["id"]
    for article in expected["articles"]:
        ids = {by_key.get(url_key(u)) for u in [article["url"], *article["aliases"]]}
        assert ids != {None}, f"{article['id']} not archived"
        assert len(ids) == 1, f"{article['id']} split over records {ids}"


def test_every_alias_recorded(crawled, expected) -> None:
    rows = {row["id"]: row for row in archived(crawled["db"])}
    for article in expected["articles"]:
        row = next(r for r in rows.values() if url_key(article["url"]) in {url_key(u) for u in r["aliases"]})
        recorded = {url_key(u) for u in row["aliases"]} | {url_key(row["url"])}
        for alias in article["aliases"]:
            assert url_key(alias) in recorded, f"{article['id']}: alias {alias} not recorded"


def test_archived_fields_match_expected(crawled, expected) -> None:
    rows = archived(crawled["db"])
    by_key = {url_key(u): row for row in rows for u in row["aliases"]}
    for article in expected["articles"]:
        row = by_key[url_key(article["url"])]
        if article.get("syndicated_copies") is not None or row["site"] == article["site"]:
            assert row["title"] == article["title"], article["id"]
            assert row["category"] == article["category"], article["id"]
            assert row["published"] == article["published"], article["id"]
        if article["body_exact"]:
            assert row["body"] == article["body"], article["id"]
        assert unique_urls(row["related_links"]) == unique_urls(article["related_links"]), article["id"]


def test_syndicated_copy_is_one_record_owned_by_the_original(crawled, expected) -> None:
    wire = [a for a in expected["articles"] if a.get("syndicated_copies")]
    assert wire
    rows = archived(crawled["db"])
    for article in wire:
        row = next(r for r in rows if url_key(article["url"]) in {url_key(u) for u in r["aliases"]})
        assert row["site"] == article["site"]
        aliases = {url_key(u) for u in row["aliases"]}
        assert all(url_key(copy) in aliases for copy in article["syndicated_copies"])


def test_not_articles_are_not_archived(crawled, expected) -> None:
    keys = {url_key(u) for row in archived(crawled["db"]) for u in [row["url"], *row["aliases"]]}
    for page in expected["not_articles"]:
        assert url_key(page["url"]) not in keys, page


def test_dropped_pages_are_counted_with_their_reason(crawled, expected) -> None:
    import json

    with Archive(crawled["db"], readonly=True) as archive:
        stats = json.loads(archive.db.execute("SELECT stats FROM crawl_runs ORDER BY id LIMIT 1").fetchone()[0])
    reasons = [p["reason"] for p in expected["not_articles"] if not p["reason"].startswith("http_")]
    for reason in set(reasons):
        assert stats.get(f"newscrawl/dropped/{reason}") == reasons.count(reason)
    assert stats.get("httperror/response_ignored_status_count/404", 0) >= sum(
        p["reason"] == "http_404" for p in expected["not_articles"])


def test_windows_1256_articles_are_readable_arabic(crawled, expected) -> None:
    rows = archived(crawled["db"])
    for article in (a for a in expected["articles"] if a["encoding"] == "windows-1256"):
        row = next(r for r in rows if url_key(article["url"]) in {url_key(u) for u in r["aliases"]})
        assert "\ufffd" not in (row["body"] or "")
        assert article["key_sentences"][0] in row["body"]


def test_robots_txt_is_obeyed(crawled, expected) -> None:
    fetched = {(entry["host"], entry["path"]) for entry in crawled["log"]}
    for url in expected["robots_disallowed"]:
        from urllib.parse import urlsplit
        parts = urlsplit(url)
        assert (parts.hostname, parts.path) not in fetched, url
    assert any(path == "/robots.txt" for _, path in fetched)


def test_no_url_fetched_twice(crawled) -> None:
    seen = [(e["host"], e["path"]) for e in crawled["log"] if e["method"] == "GET"]
    assert len(seen) == len(set(seen))


def test_second_crawl_adds_no_rows(crawled) -> None:
    with Archive(crawled["db"], readonly=True) as archive:
        after = {t: archive.db[t].count for t in ("articles", "url_aliases", "article_versions")}
        runs = archive.db.execute("SELECT new, updated FROM crawl_runs ORDER BY id").fetchall()
    assert after == crawled["first_counts"]
    assert runs[1] == (0, 0)
