"""The parser never raises and stays fast on hostile input (bytes, tag soup, nesting, size)."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.pages import ArticlePage

URL = "http://www.example.test/2025/05/08/x/"
TAGS = ["p", "div", "span", "a", "h1", "script", "table", "td", "ul", "li", "br", "article", "form",
        "strong", "img", "meta", "title", "html", "body", "head"]


def extract(data: bytes | str) -> dict:
    result = ArticlePage(data, URL).to_dict()
    assert isinstance(result["errors"], list)
    assert isinstance(result["body"], str)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data: bytes) -> None:
    extract(data)


@st.composite
def tag_soup(draw) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 4))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag} class='{draw(st.sampled_from(['content', 'share', 'related', 'entry-content', '']))}'>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوية ،.:\"'<>&;0123456789", max_size=80)))
        elif kind == 3:
            parts.append(draw(st.sampled_from(["اقرأ أيضا:", "مقالات ذات صلة", "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"datePublished\": ",
                                               "<!--", "-->", "<![CDATA[", "&#x200f;", "\u202b", "\x00"])))
        else:
            parts.append(f"<a href='{draw(st.text(max_size=20))}'>{draw(st.text(max_size=20))}</a>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup())
def test_random_tag_soup_never_raises(html: str) -> None:
    extract(html)
    extract(html.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("depth", [100, 1000, 5000])
def test_deeply_nested_markup(depth: int) -> None:
    html = "<html><body>" + "<div>" * depth + "<p>" + "نص عربي طويل في مقال. " * 30 + "</p>" + "</div>" * depth
    started = time.perf_counter()
    result = extract(html)
    assert time.perf_counter() - started < 5
    assert isinstance(result["body"], str)


def test_twenty_megabyte_page_under_a_second_per_megabyte() -> None:
    paragraph = "<p>" + "تجتمع تركيا وإسرائيل اليوم الخميس في العاصمة الأذربيجانية باكو، " * 8 + "</p>\n"
    sidebar = "<li><a href='/x'>خبر في الشريط الجانبي رقم</a></li>\n"
    chunk = paragraph * 20 + "<ul class='sidebar'>" + sidebar * 40 + "</ul>"
    html = ("<html><head><title>صفحة ضخمة</title></head><body><article>"
            + chunk * (20 * 1024 * 1024 // len(chunk.encode())) + "</article></body></html>").encode()
    size_mb = len(html) / 1024 / 1024
    started = time.perf_counter()
    result = extract(html)
    elapsed = time.perf_counter() - started
    assert elapsed < size_mb, f"{elapsed:.1f} s for {size_mb:.0f} MB"
    assert result["body"].startswith("تجتمع تركيا")


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x00\x00", b"%PDF-1.4 binary", b"{\"json\": true}",
                                  b"<html></html>", b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
                                  "<html><body><p>نص</p></body></html>".encode("utf-16")])
def test_degenerate_inputs_give_errors_not_exceptions(data: bytes) -> None:
    result = extract(data)
    assert result["rejection"] is not None
    assert result["errors"]
