"""Incremental crawling against the fixture sites: the second run fetches no archived article, the
"next day" run writes exactly the new and the edited articles, and 304s cost no parse and no write.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import Archive, ArticleRecord, Fetch
from archive.crawlstate import ArchivedUrl, CrawlState, UrlState
from archive.urls import url_key
from newscrawl.middlewares.incremental import decide
from newscrawl.spiders.news import PAGINATION_LINKS

SITES = ["shamtimes", "nilenews", "carthage"]
ROOT = Path(__file__).resolve().parents[1]
NEXTDAY = ROOT / "fixtures" / "site_nextday"


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "article_versions", "fetches", "url_aliases")}


def _articles(db: Path) -> dict[int, tuple]:
    with sqlite3.connect(db) as conn:
        return {r[0]: r[1:] for r in conn.execute("SELECT id, url, version, last_seen FROM articles")}


def _run_stats(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        return json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0])


def _is_article_path(host: str, path: str) -> bool:
    from newscrawl.siteconfig import load_sites

    site = next(s for s in load_sites() if host.endswith(s.allowed_domains[0]))
    return site.is_article_url(path.split("?")[0]) or site.is_article_url(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, fixture_server_module, demo_module):  # type: ignore[no-untyped-def]
    """Day 1; day 1 again (unchanged); day 1 again with every article due for a revisit
    (conditional requests); the next day."""
    from conftest import SITE

    db = tmp_path_factory.mktemp("incremental") / "archive.db"
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    result: dict = {"db": db}
    try:
        for name, overlay, extra in (("first", None, ()), ("second", None, ()),
                                     ("revisit", None, ("-s", "NEWSCRAWL_REVISIT_HOURS=10000000")),
                                     ("nextday", NEXTDAY, ())):
            server.set_overlay(overlay)
            server.clear_log()
            before = _counts(db) if db.exists() else None
            articles_before = _articles(db) if db.exists() else {}
            done = demo_module.run_crawl(db, server.proxy_url, SITES, *extra)
            assert done.returncode == 0, done.stderr[-3000:]
            result[name] = {"log": list(server.access_log), "before": before, "after": _counts(db),
                            "articles_before": articles_before, "articles_after": _articles(db),
                            "stats": _run_stats(db)}
    finally:
        server.stop()
    return result


def _gets(run: dict) -> list[dict]:
    return [e for e in run["log"] if e["method"] == "GET"]


def test_second_run_fetches_no_archived_article(runs) -> None:
    second = _gets(runs["second"])
    articles = [e for e in second if _is_article_path(e["host"], e["path"]) and e["status"] == 200]
    assert articles == []
    assert len(second) * 3 < len(_gets(runs["first"]))
    assert runs["second"]["after"] == runs["second"]["before"]


def test_listings_feeds_and_sitemaps_are_always_fetched(runs) -> None:
    paths = {(e["host"], e["path"]) for e in _gets(runs["second"])}
    for host, path in (("www.shamtimes.test", "/sitemap.xml"), ("www.shamtimes.test", "/post-sitemap.xml"),
                       ("www.nilenews.test", "/rss.xml"), ("www.shamtimes.test", "/"),
                       ("www.carthage-info.test", "/")):
        assert (host, path) in paths


def test_pagination_stops_once_a_listing_page_is_known(runs) -> None:
    def pages(run: dict) -> set[str]:
        return {e["path"] for e in _gets(run) if "/page/" in e["path"] or e["path"].endswith(("/2", "/3", "p2.html"))}

    assert {"/news/page/2/", "/archives/p2.html"} <= pages(runs["first"])
    assert pages(runs["second"]) == set()
    assert runs["second"]["stats"]["newscrawl/incremental/pagination_stopped"] >= 3


def test_old_sitemap_entries_are_skipped(runs) -> None:
    assert runs["second"]["stats"]["newscrawl/incremental/sitemap_old"] > 50


def test_next_day_writes_exactly_the_new_and_edited_articles(runs) -> None:
    expected = json.loads((NEXTDAY / "expected.json").read_text(encoding="utf-8"))
    by_id = {a["id"]: a for a in expected["articles"]}
    new_keys = {url_key(by_id[i]["url"]) for i in expected["new"]}
    edited_keys = {url_key(by_id[i]["url"]) for i in expected["edited"]}
    day = runs["nextday"]
    before, after = day["articles_before"], day["articles_after"]
    created = {url_key(after[i][0]) for i in set(after) - set(before)}
    assert created == new_keys
    written = {url_key(after[i][0]) for i in set(after) & set(before) if after[i] != before[i]}
    assert written == edited_keys
    assert day["after"]["article_versions"] - day["before"]["article_versions"] == len(new_keys) + len(edited_keys)


def test_the_edit_is_a_new_version(runs) -> None:
    expected = json.loads((NEXTDAY / "expected.json").read_text(encoding="utf-8"))
    edited = next(a for a in expected["articles"] if a["id"] == expected["edited"][0])
    with Archive(runs["db"], readonly=True) as archive:
        row = next(r for r in archive.articles() if url_key(edited["url"]) in {url_key(u) for u in r["aliases"]})
        versions = list(archive.db.query("SELECT version, body FROM article_history WHERE article_id = ? "
                                         "ORDER BY version", [row["id"]]))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["body"] != versions[1]["body"]
    assert row["body"] == edited["body"] if edited["body_exact"] else edited["key_sentences"][0] in row["body"]


def test_deleted_article_stays_archived(runs) -> None:
    expected = json.loads((NEXTDAY / "expected.json").read_text(encoding="utf-8"))
    deleted = next(a for a in json.loads((ROOT / "fixtures/site/expected.json").read_text(encoding="utf-8"))["articles"]
                   if a["id"] == expected["deleted"][0])
    with CrawlState.open(str(runs["db"])) as state:
        assert state.archived(url_key(deleted["url"])) is not None


def test_304_costs_no_parse_and_no_write(runs) -> None:
    revisit = runs["revisit"]
    not_modified = [e for e in _gets(revisit) if e["status"] == 304]
    assert len(not_modified) > 20
    assert all(_is_article_path(e["host"], e["path"]) for e in not_modified)
    assert revisit["after"] == revisit["before"]
    assert revisit["articles_after"] == revisit["articles_before"]
    assert revisit["stats"]["newscrawl/incremental/not_modified"] == len(not_modified)
    assert "item_scraped_count" not in revisit["stats"] or revisit["stats"]["item_scraped_count"] < 10


def test_conditional_requests_carry_the_validators(runs) -> None:
    with sqlite3.connect(runs["db"]) as conn:
        rows = conn.execute("SELECT count(*), count(etag), count(last_modified) FROM crawl_state "
                            "WHERE kind = 'article' AND error_kind IS NULL").fetchone()
    assert rows[0] > 50 and rows[1] == rows[0] and rows[2] == rows[0]


# -- the decision, without a crawler -------------------------------------------------------------
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SETTLED = "2025-06-01T10:00:00Z"
URL = "http://www.example.test/2025/05/30/story/"


def _archived(first_seen: str = "2025-05-30T08:00:00Z", published: str | None = "2025-05-30T07:00:00Z") -> ArchivedUrl:
    return ArchivedUrl(1, first_seen, published, first_seen, first_seen)


def _state_row(**values: object) -> UrlState:
    return UrlState(URL, url_key(URL), **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("archived, state, settled, changed, expected", [
    (None, None, SETTLED, False, (True, "new", None)),
    (_archived(), None, SETTLED, False, (False, "archived", None)),
    (_archived(published="2025-06-01T01:00:00Z"), _state_row(etag='"x"'), SETTLED, False, (True, "revisit", '"x"')),
    (_archived(published=None, first_seen="2025-05-31T20:00:00Z"), None, SETTLED, False, (True, "revisit", None)),
    (_archived(), _state_row(etag='"x"'), SETTLED, True, (True, "changed", '"x"')),
    (_archived(first_seen="2025-06-01T11:00:00Z"), _state_row(etag='"x"'), SETTLED, False, (True, "unsettled", None)),
    (_archived(), None, None, False, (True, "unsettled", None)),
    (None, _state_row(error_kind="not_found", last_fetched="2025-06-01T09:00:00Z"), SETTLED, False,
     (False, "failed:not_found", None)),
    (None, _state_row(error_kind="not_found", last_fetched="2025-05-20T09:00:00Z"), SETTLED, False, (True, "new", None)),
    (None, _state_row(error_kind="not_found", last_fetched="2025-06-01T11:00:00Z"), SETTLED, False, (True, "new", None)),
    (None, _state_row(error_kind="timeout", last_fetched="2025-06-01T09:00:00Z"), SETTLED, False, (True, "new", None)),
], ids=["unknown", "archived-old", "young-revisit", "young-by-first-seen", "sitemap-changed",
        "archived-by-killed-run", "never-finished", "gone-recently", "gone-long-ago", "gone-in-killed-run",
        "transient-failure"])
def test_decide(archived, state, settled, changed, expected) -> None:
    decision = decide(URL, archived=archived, state=state, settled_before=settled, now=NOW,
                      revisit=timedelta(hours=48), recheck=timedelta(hours=24), changed=changed)
    assert (decision.fetch, decision.reason, decision.etag) == expected


def test_validators_of_another_variant_are_not_sent() -> None:
    other = UrlState(URL + "amp/", url_key(URL), etag='"amp"')
    decision = decide(URL, archived=_archived(published="2025-06-01T01:00:00Z"), state=other,
                      settled_before=SETTLED, now=NOW, revisit=timedelta(hours=48), recheck=timedelta(hours=24))
    assert decision.fetch and decision.etag is None


@pytest.mark.parametrize("query", [
    "SELECT a.id FROM url_aliases u JOIN articles a ON a.id = u.article_id WHERE u.url_key = ?",
    "SELECT url FROM crawl_state WHERE url_key = ?",
    "SELECT url_key FROM crawl_state WHERE url = ?",
])
def test_lookups_are_indexed(tmp_path, query) -> None:
    with Archive(tmp_path / "a.db") as archive:
        plan = " ".join(str(r[-1]) for r in archive.db.execute(f"EXPLAIN QUERY PLAN {query}", ["k"]))
    assert "USING" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", "")


def test_archived_lookup_reads_the_archive(tmp_path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.upsert(ArticleRecord(url=URL, site="x", title="t", body="b " * 40, published="2025-05-30T07:00:00Z"),
                       Fetch(url=URL + "?utm_source=feed", fetched_at="2025-05-30T08:00:00Z"), seen_at="2025-05-30T08:00:00Z")
    with CrawlState.open(str(db)) as state:
        assert state.archived(url_key(URL + "amp/")).article_id == 1
        assert state.archived(url_key("http://www.example.test/other/")) is None
        state.record_failure("http://www.example.test/gone/", site="x", kind="article", error_kind="gone",
                             reason="HTTP 410", at="2025-05-30T09:00:00Z")
        state.record_failure("http://www.example.test/gone/", site="x", kind="article", error_kind="gone",
                             reason="HTTP 410", attempts=2, at="2025-05-30T10:00:00Z")
        state.flush()
        row = state.state("http://www.example.test/gone/")
        assert (row.error_kind, row.attempts, row.last_fetched) == ("gone", 3, "2025-05-30T10:00:00Z")
        assert state.known([url_key(URL), row.url_key, "nope"], before="2025-06-01T00:00:00Z") == {url_key(URL), row.url_key}
        assert state.known([url_key(URL)], before=None) == set()


@pytest.mark.parametrize("page, wanted", [
    ("www.shamtimes.test/news/index.html", "http://www.shamtimes.test/news/page/2/"),
    ("www.nilenews.test/Section/أحدث-الأخبار/97/1", "http://www.nilenews.test/Section/أحدث-الأخبار/97/2"),
    ("www.carthage-info.test/archives/index.html", "http://www.carthage-info.test/archives/p2.html"),
])
def test_pagination_links_are_found(page, wanted) -> None:
    from scrapy.http import HtmlResponse

    path = ROOT / "fixtures" / "site" / page
    url = "http://" + page.removesuffix("index.html")
    response = HtmlResponse(url, body=path.read_bytes())
    links = {response.urljoin(h) for h in response.css(PAGINATION_LINKS).getall()}
    assert url_key(wanted) in {url_key(u) for u in links}


@pytest.mark.parametrize("current, candidates, expected", [
    ("http://x.test/news/", ["http://x.test/news/page/3/", "http://x.test/news/page/2/"], "http://x.test/news/page/2/"),
    ("http://x.test/news/page/2/", ["http://x.test/news/", "http://x.test/news/page/3/"], "http://x.test/news/page/3/"),
    ("http://x.test/Section/a/97/1", ["http://x.test/Section/a/97/2", "http://x.test/Section/a/97/9"],
     "http://x.test/Section/a/97/2"),
    ("http://x.test/archives/", [f"http://x.test/archives/p{i}.html" for i in range(3336, 1, -1)],
     "http://x.test/archives/p2.html"),
    ("http://x.test/list?page=4", ["http://x.test/list?page=3", "http://x.test/list?page=5"], "http://x.test/list?page=5"),
    ("http://x.test/news/page/3/", ["http://x.test/news/", "http://x.test/news/page/2/"], None),
    ("http://x.test/news/", ["http://x.test/news/older"], None),
])
def test_next_page(current, candidates, expected) -> None:
    from newscrawl.spiders.news import next_page

    assert next_page(current, candidates) == expected


def test_news_sitemap_publication_dates() -> None:
    from newscrawl.spiders.news import news_publication_dates

    body = (ROOT / "fixtures/site/www.nilenews.test/sitemaps/news.xml").read_bytes()
    dates = news_publication_dates(body)
    assert len(dates) == 25 and all(v.startswith("2025-") for v in dates.values())
    assert news_publication_dates((ROOT / "fixtures/site/www.nilenews.test/sitemaps/articles-1.xml").read_bytes()) == {}


def test_recent_set_is_bounded() -> None:
    from newscrawl.spiders.news import RecentSet

    recent = RecentSet(3)
    assert [recent.add(x) for x in "abca"] == [True, True, True, False]
    assert recent.add("d") and len(recent) == 3 and "a" not in recent and "d" in recent
