import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.urls import _slow_url_key, clean_url, is_amp_url, url_key

SAME = [
    ("http://www.shamtimes.test/2025/05/08/جولة-تفاوض/",
     "HTTP://WWW.ShamTimes.test/2025/05/08/%D8%AC%D9%88%D9%84%D8%A9-%D8%AA%D9%81%D8%A7%D9%88%D8%B6"),
    ("http://www.x.test/a/", "http://x.test/a?utm_source=facebook&utm_medium=social"),
    ("http://www.x.test/a/", "http://www.x.test/a/?fbclid=IwAR0abc#comments"),
    ("http://www.x.test/2025/05/08/slug/", "http://www.x.test/2025/05/08/slug/amp/"),
    ("http://www.x.test/story/1", "http://amp.x.test/story/1"),
    ("http://x.test/news?id=5&page=2", "http://x.test/news?page=2&id=5&utm_campaign=z"),
    ("http://x.test/a/index.html", "http://x.test/a/"),
]
DIFFERENT = [
    ("http://x.test/a", "http://x.test/b"),
    ("http://x.test/news?id=5", "http://x.test/news?id=6"),
    ("http://x.test/a", "http://y.test/a"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_page_same_key(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_pages_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(("url", "amp"), [
    ("http://x.test/2025/05/08/slug/amp/", True), ("http://x.test/amp/story/1", True),
    ("http://amp.x.test/story/1", True), ("http://x.test/story/1?amp=1", True),
    ("http://x.test/story/1.amp", True), ("http://x.test/story/ampere", False),
    ("http://x.test/story/1", False),
])
def test_is_amp_url(url: str, amp: bool) -> None:
    assert is_amp_url(url) is amp


def test_clean_url_keeps_a_fetchable_address() -> None:
    assert clean_url("http://WWW.x.test/مقال?utm_source=a&id=3#top") == \
        "http://www.x.test/%D9%85%D9%82%D8%A7%D9%84?id=3"


# -- the fast path of url_key gives the key of the full canonicalisation -------------------------


_HOSTS = st.sampled_from(["www.a.test", "a.test", "m.news.example", "amp.site.example", "www1.x.y.z",
                          "www.test", "m.test", "news-site.example", "1.2.3.4", "a..b.test", "www.x-.test"])
_SEGMENTS = st.lists(st.sampled_from(["news", "2024", "05", "amp", "index.html", "default.aspx", "a.amp",
                                      "amp.html", "", ".", "..", "x~y", "a_b", "A-B", "article.php",
                                      "%D8%A7", "ar", "AMP", "x.html"]), max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http", "https"]), _HOSTS, _SEGMENTS, st.booleans())
def test_fast_url_key_equals_full_canonicalisation(scheme: str, host: str, segments: list[str],
                                                    slash: bool) -> None:
    url = f"{scheme}://{host}" + ("/" + "/".join(segments) if segments or slash else "") + ("/" if slash else "")
    assert url_key(url) == _slow_url_key(url), url


@pytest.mark.parametrize("url", [
    "https://www.youm7.example/story/2024/5/8/amp", "http://a.test", "http://a.test/", "https://m.a.test/x/",
    "https://www.a.test/news/1/index.php", "https://a.test/a//b/", "https://a.test/./b", "https://a.test/a/../b",
])
def test_fast_url_key_examples(url: str) -> None:
    assert url_key(url) == _slow_url_key(url)
