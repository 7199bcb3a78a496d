"""``newscrawl serve``: Datasette on the archive with Arabic-aware search.

The browser tests start ``python -m archive.serve`` on a free 127.0.0.1 port and let a real
headless Chromium render the search pages (``--dump-dom``); a word typed in another spelling
(ه for ة, alef without hamza) must find the article.  Chromium comes from
``scripts/install-chromium.sh`` (``make test`` runs it); without /usr/bin/chromium they skip.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from archive import Archive, ArticleRecord

pytest.importorskip("datasette", reason="Datasette is not installed (pip install 'newscrawl[browse]')")

from archive import datasette_plugin, serve  # noqa: E402
from archive.datasette_metadata import metadata, search_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TARGET = "افتتاح المدرسة الجديدة قرب حدود إسرائيل"
OTHER = "أسعار الذهب في السوق المصرية"


@pytest.fixture
def archive_file(tmp_path: Path) -> Path:
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        archive.upsert(ArticleRecord(
            url="http://x.test/school", site="x", title=TARGET, category="تعليم",
            published="2025-05-01T10:00:00Z",
            body="افتتحت وزارة التربية المدرسة الجديدة في بلدة قريبة من حدود إسرائيل."))
        archive.upsert(ArticleRecord(
            url="http://y.test/gold", site="y", title=OTHER, category="اقتصاد",
            published="2025-05-02T10:00:00Z", body="ارتفعت أسعار الذهب في السوق المصرية خلال عام ٢٠٢٥."))
    return path


# -- without a browser: the plugin's functions and Datasette's JSON ---------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("المدرسه", '"مدرسه"'),
    ('"مدرسة', '"مدرسه"'),          # unbalanced quote: still searched, as words
    ("مدرسة AND", '"مدرسه"'),
    ("", '""'),
    ("  ;; ", '""'),
    ("-", '""'),
])
def test_arabic_match_never_raises(query: str, expected: str) -> None:
    assert datasette_plugin.arabic_match(query) == expected


def test_metadata_links_search_and_hides_index_tables() -> None:
    data = metadata("my archive")
    assert search_path("my archive") in data["description_html"]
    tables = data["databases"]["my archive"]["tables"]
    assert tables["articles_fts_data"]["hidden"] and tables["_migrations"]["hidden"]
    assert "arabic_match(:q)" in data["databases"]["my archive"]["queries"]["search"]["sql"]


def _get_json(ds, path: str):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        response = await ds.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()
    return asyncio.run(go())


@pytest.mark.parametrize("query", ["المدرسه", "اسرائيل", "وبالمدرسة", "مدرس*", '"المدرسة الجديدة"'])
def test_search_query_folds_like_the_index(archive_file: Path, query: str) -> None:
    ds = serve.build_datasette(archive_file)
    rows = _get_json(ds, f"/archive/search.json?_shape=array&q={quote(query)}")
    assert [r["title"] for r in rows] == [TARGET]
    assert "[" in rows[0]["snippet"]


def test_table_search_box_uses_the_folded_index(archive_file: Path) -> None:
    ds = serve.build_datasette(archive_file)
    rows = _get_json(ds, f"/archive/articles.json?_shape=array&_search={quote('المدرسه')}")
    assert [r["title"] for r in rows] == [TARGET]
    everything = _get_json(ds, "/archive/articles.json?_shape=array")
    assert len(everything) == 2


def test_bad_query_is_an_empty_result_not_an_error(archive_file: Path) -> None:
    ds = serve.build_datasette(archive_file)
    assert _get_json(ds, f"/archive/search.json?_shape=array&q={quote('(((')}") == []


def test_serve_without_datasette_says_what_to_install(archive_file: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(serve.importlib.util, "find_spec", lambda name: None)
    result = CliRunner().invoke(serve.serve, ["--db", str(archive_file)])
    assert result.exit_code == 1
    assert "pip install 'newscrawl[browse]'" in result.output


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve.serve, ["--db", str(tmp_path / "nothing.db")])
    assert result.exit_code == 1 and "no archive at" in result.output


# -- in a real headless Chromium ------------------------------------------------------------------
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK),
    reason=f"{CHROMIUM} is absent: run scripts/install-chromium.sh (make test does)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(archive_file: Path):  # type: ignore[no-untyped-def]
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "archive.serve", "--db", str(archive_file),
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"newscrawl serve did not start: {out}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _dump_dom(url: str, profile: Path) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode("utf-8")


@needs_chromium
@pytest.mark.parametrize(("path", "query"), [
    ("/archive/search?q=", "المدرسه"),            # ه for ة
    ("/archive/search?q=", "اسرائيل"),            # alef without hamza
    ("/archive/articles?_search=", "المدرسه"),    # the table's own search box
])
def test_browser_finds_article_by_variant_spelling(server: str, tmp_path: Path, path: str,
                                                   query: str) -> None:
    dom = _dump_dom(server + path + quote(query), tmp_path / "chromium-profile")
    assert TARGET in dom
    assert OTHER not in dom


@needs_chromium
def test_browser_home_page_links_the_search(server: str, tmp_path: Path) -> None:
    dom = _dump_dom(server + "/", tmp_path / "chromium-profile")
    assert "newscrawl archive" in dom
    assert 'href="/archive/search"' in dom
    assert "articles_fts_data" not in dom
