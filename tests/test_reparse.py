"""Reparse: re-extract stored HTML, write a version only where the result changed.

The archive side is tested with plain extract functions (no Scrapy, no parser); the command with
the real parser on pages built here.
"""

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from archive import Archive, ArticleRecord, Fetch
from archive.reparse import count_candidates, differences, reparse
from newscrawl.cli_reparse import make_extractor
from newscrawl.cli_reparse import reparse as reparse_command

PARAGRAPHS = [
    "عقد وفدان من سوريا وتركيا جولة ثانية من المحادثات في العاصمة الأذربيجانية باكو اليوم الخميس في "
    "إطار مساعي البلدين لتنظيم الوضع الأمني على الحدود المشتركة.",
    "وقال مصدر دبلوماسي مطلع إن الجولة تناولت ملف المعابر الحدودية وعودة اللاجئين السوريين المقيمين في "
    "تركيا إضافة إلى آليات التنسيق بين الأجهزة الأمنية.",
    "وأضاف المصدر أن الطرفين اتفقا على تشكيل لجان فنية مشتركة تجتمع بشكل دوري لمتابعة تنفيذ ما تم التوصل إليه.",
]
URL = "http://www.shamtimes.test/2025/05/08/talks/"


def page(title: str = "جولة ثانية من المحادثات في باكو", paragraphs: list[str] = PARAGRAPHS,
         category: str = "سياسة") -> bytes:
    ps = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{title} | شام تايمز</title><link rel="canonical" href="{URL}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-05-08T10:00:00+03:00">
<meta property="article:section" content="{category}"></head>
<body><header><nav><a href="/">الرئيسية</a></nav></header>
<article><h1>{title}</h1><div class="entry-content">{ps}</div></article>
<footer>جميع الحقوق محفوظة</footer></body></html>""".encode()


def stored(archive: Archive, record: ArticleRecord, html: bytes, *, url: str | None = None,
           fetched_at: str = "2025-05-09T00:00:00Z") -> int:
    fetch = Fetch(url=url or record.url, fetched_at=fetched_at, html=html, final_url=url or record.url)
    return archive.upsert(record, fetch, seen_at=fetched_at).article_id


def record(**kw: object) -> ArticleRecord:
    values: dict = dict(url="http://a.test/1", site="a", title="عنوان", body="نص الخبر الأول.",
                        category="سياسة", published="2025-05-08T07:00:00Z")
    values.update(kw)
    return ArticleRecord(**values)


def versions(archive: Archive, article_id: int = 1) -> int:
    return archive.db.execute("SELECT count(*) FROM article_versions WHERE article_id = ?",
                              [article_id]).fetchone()[0]


# -- archive side -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("new", "counts", "n_versions"), [
    ({}, {"unchanged": 1}, 1),
    ({"body": "نص الخبر الأول بعد تحسين المستخرج."}, {"versioned": 1}, 2),
    ({"title": "عنوان كامل"}, {"versioned": 1}, 2),
    ({"category": "اقتصاد"}, {"refreshed": 1}, 1),
    ({"tags": ["سوريا", "تركيا"]}, {"refreshed": 1}, 1),
    ({"category": None, "author": ""}, {"unchanged": 1}, 1),   # a field the new parser misses stays
])
def test_only_changes_are_written(fresh_archive: Archive, new: dict, counts: dict, n_versions: int) -> None:
    stored(fresh_archive, record(), b"<html>stored</html>")
    before = fresh_archive.get(1)
    result = reparse(fresh_archive, lambda html, url, site: replace(record(), **new))
    expected = {"examined": 1, "versioned": 0, "refreshed": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    expected.update(counts)
    assert {k: v for k, v in result.as_dict().items() if k != "errors"} == expected
    after = fresh_archive.get(1)
    assert versions(fresh_archive) == n_versions
    assert after["last_seen"] == before["last_seen"]            # re-extraction is not a sighting
    for name, value in new.items():
        if value:
            assert after[name] == value


def test_extractor_gets_the_stored_html_the_fetched_url_and_the_site(fresh_archive: Archive) -> None:
    stored(fresh_archive, record(), b"<html>page one</html>", url="http://a.test/1?from=rss")
    calls = []

    def extract(html: bytes, url: str, site: str | None, *, fetched_at: str | None = None) -> None:
        calls.append((html, url, site, fetched_at))

    result = reparse(fresh_archive, extract)
    assert calls == [(b"<html>page one</html>", "http://a.test/1?from=rss", "a", "2025-05-09T00:00:00Z")]
    assert result.skipped == 1 and fresh_archive.get(1)["title"] == "عنوان"


def test_the_primary_pages_fetch_is_used_not_a_later_copys(fresh_archive: Archive) -> None:
    stored(fresh_archive, record(body="نص مشترك بين موقعين."), b"<html>primary</html>")
    copy = record(url="http://b.test/9", site="b", body="نص مشترك بين موقعين.")
    stored(fresh_archive, copy, b"<html>copy</html>", fetched_at="2025-05-10T00:00:00Z")
    assert fresh_archive.count() == 1
    seen = []
    reparse(fresh_archive, lambda html, url, site: seen.append(html))
    assert seen == [b"<html>primary</html>"]


@pytest.mark.parametrize(("kw", "examined"), [
    ({}, 3), ({"site": "b"}, 1), ({"since": "2025-05-10"}, 1), ({"site": "a", "since": "2025-05-10"}, 0),
])
def test_filters(fresh_archive: Archive, kw: dict, examined: int) -> None:
    stored(fresh_archive, record(url="http://a.test/1", body="خبر أول."), b"<html>1</html>")
    stored(fresh_archive, record(url="http://a.test/2", body="خبر ثان."), b"<html>2</html>")
    stored(fresh_archive, record(url="http://b.test/3", site="b", body="خبر ثالث."), b"<html>3</html>",
           fetched_at="2025-05-11T00:00:00Z")
    fresh_archive.upsert(record(url="http://a.test/4", body="خبر بلا صفحة محفوظة."))  # no HTML: never examined
    ticks = []
    result = reparse(fresh_archive, lambda html, url, site: None, progress=ticks.append, **kw)
    assert result.examined == count_candidates(fresh_archive, **kw) == examined == len(ticks)


def test_a_failing_page_is_reported_and_the_rest_continues(fresh_archive: Archive) -> None:
    stored(fresh_archive, record(url="http://a.test/1", body="خبر أول."), b"<html>bad</html>")
    stored(fresh_archive, record(url="http://a.test/2", body="خبر ثان."), b"<html>good</html>")

    def extract(html: bytes, url: str, site: str | None) -> ArticleRecord:
        if html == b"<html>bad</html>":
            raise ValueError("parser bug")
        return record(url=url, body="خبر ثان بنص أفضل.")

    result = reparse(fresh_archive, extract)
    assert (result.failed, result.versioned) == (1, 1)
    assert result.errors == ["article 1: ValueError: parser bug"]


def test_dry_run_writes_nothing(fresh_archive: Archive) -> None:
    stored(fresh_archive, record(), b"<html></html>")
    result = reparse(fresh_archive, lambda html, url, site: record(body="نص آخر."), dry_run=True)
    assert result.versioned == 1 and versions(fresh_archive) == 1


def test_record_is_written_to_its_own_article_whatever_url_the_page_now_declares(fresh_archive: Archive) -> None:
    stored(fresh_archive, record(), b"<html>article</html>")
    stored(fresh_archive, record(url="http://a.test/home", body="خبر آخر مختلف."), b"<html>home</html>")

    def extract(html: bytes, url: str, site: str | None) -> ArticleRecord | None:
        # a new parser bug: the article's page now declares the home page as its canonical URL
        return record(url="http://a.test/home", body="نص محسن للخبر.") if html == b"<html>article</html>" else None

    assert reparse(fresh_archive, extract).versioned == 1
    assert fresh_archive.get(1)["body"] == "نص محسن للخبر."
    assert fresh_archive.get(2)["body"] == "خبر آخر مختلف."
    assert "http://a.test/home" not in fresh_archive.get(1)["aliases"]


@pytest.mark.parametrize(("field", "old", "new", "kind"), [
    ("body", "أ", "ب", "content"), ("title", None, "عنوان", "content"), ("tags", ["أ"], ["أ", "ب"], "meta"),
    ("tags", ["أ"], [], None), ("published", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", None),
])
def test_differences(field: str, old: object, new: object, kind: str | None) -> None:
    article = dict(record().as_dict(), **{field: old})
    content, meta = differences(article, replace(record(), **{field: new}))
    assert (content, meta) == (([field], []) if kind == "content" else ([], [field]) if kind == "meta" else ([], []))


# -- with the real parser -----------------------------------------------------------------------------
def old_parser_output() -> ArticleRecord:
    """What an older parser stored: the site name left in the title, the last paragraph lost."""
    extract = make_extractor()
    current = extract(page(), URL, "shamtimes")
    assert current is not None
    return replace(current, title=current.title + " | شام تايمز", body="\n\n".join(PARAGRAPHS[:2]),
                   extractor_version="0.9")


def test_parser_upgrade_makes_one_new_version_then_nothing(fresh_archive: Archive) -> None:
    stored(fresh_archive, old_parser_output(), page())
    first = reparse(fresh_archive, make_extractor())
    assert (first.examined, first.versioned) == (1, 1)
    row = fresh_archive.get(1)
    assert row["title"] == "جولة ثانية من المحادثات في باكو"
    assert row["body"] == "\n\n".join(PARAGRAPHS)
    assert row["version"] == 2 and row["extractor_version"] != "0.9"
    again = reparse(fresh_archive, make_extractor())
    assert (again.unchanged, again.versioned) == (1, 0) and versions(fresh_archive) == 2


def test_page_that_is_no_longer_an_article_is_skipped(fresh_archive: Archive) -> None:
    stored(fresh_archive, old_parser_output(), b"<html><body><p>404</p></body></html>")
    assert reparse(fresh_archive, make_extractor()).skipped == 1


def test_unknown_site_uses_generic_rules_and_warns_once(fresh_archive: Archive) -> None:
    stored(fresh_archive, replace(old_parser_output(), site="gone"), page())
    warnings: list[str] = []
    assert reparse(fresh_archive, make_extractor(warnings.append)).versioned == 1
    assert len(warnings) == 1 and "gone" in warnings[0]


# -- the command ----------------------------------------------------------------------------------------
def test_command(db_path) -> None:  # type: ignore[no-untyped-def]
    with Archive(db_path) as archive:
        stored(archive, old_parser_output(), page())
    runner = CliRunner()
    result = runner.invoke(reparse_command, ["--db", str(db_path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 would be new versions" in result.stdout
    result = runner.invoke(reparse_command, ["--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["examined"], summary["versioned"], summary["dry_run"]) == (1, 1, False)
    assert "reparsing" in result.stderr               # the progress bar is on stderr
    result = runner.invoke(reparse_command, ["--db", str(db_path), "--site", "shamtimes"])
    assert "0 new versions, 0 updated metadata, 1 unchanged" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "yesterday"], "is not a date"),
    (["--db", "/nonexistent/archive.db"], "no archive at /nonexistent/archive.db"),
])
def test_command_rejects_bad_input_in_one_line(db_path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    Archive(db_path).close()
    result = CliRunner().invoke(reparse_command, ["--db", str(db_path), *args])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert message in result.stderr and "Traceback" not in result.output


def test_command_fails_when_a_page_fails(db_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with Archive(db_path) as archive:
        stored(archive, old_parser_output(), page())

    def broken(warn=None):  # type: ignore[no-untyped-def]
        def extract(html: bytes, url: str, site: str | None) -> None:
            raise RuntimeError("boom")
        return extract

    monkeypatch.setattr("newscrawl.cli_reparse.make_extractor", broken)
    result = CliRunner().invoke(reparse_command, ["--db", str(db_path)])
    assert result.exit_code == 1
    assert "error: article 1: RuntimeError: boom" in result.stderr
    assert "1 articles could not be re-extracted" in result.stderr
