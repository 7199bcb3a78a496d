"""ArticlePage's DOM heuristics (newscrawl/pages/article.py) on small hand-written pages."""

from __future__ import annotations

from newscrawl.pages import ArticlePage

URL = "https://news.example.com/story"
TEXT = "<p>" + "The council approved the budget after a long debate on Monday evening. " * 4 + "</p>"


def test_visible_date_nearest_the_headline_wins() -> None:
    filler = "".join(f"<div class='box{i}'>x</div>" for i in range(6))
    html = (f"<html><body><span class='date'>1 March 2024</span>{filler}"
            f"<h1>Council approves the budget</h1><span class='post-date'>13 May 2024</span>"
            f"<div class='content'>{TEXT}</div></body></html>")
    assert ArticlePage(html, URL).published.startswith("2024-05-13")


def test_byline_category_and_tags_from_class_names() -> None:
    html = (f"<html><body><nav><a class='cat' href='/c'>Menu</a></nav>"
            f"<h1>Council approves the budget</h1><span class='writer'>Jane Doe</span>"
            f"<a class='post-category' href='/politics'>Politics</a>"
            f"<div class='content'>{TEXT}</div>"
            f"<div class='post-tags'><a href='/t/1'>budget</a><a href='/t/2'>council</a></div>"
            f"</body></html>")
    page = ArticlePage(html, URL)
    assert (page.author, page.category, page.tags) == ("Jane Doe", "Politics", ["budget", "council"])


def test_hidden_blocks_are_not_text() -> None:
    html = (f"<html><body><h1>Council approves the budget</h1><div class='content'>{TEXT}"
            f"<p hidden>Hidden note for editors only, never shown to readers of the page.</p>"
            f"<p style='display: none'>Another hidden note that no reader can see at all.</p>"
            f"</div></body></html>")
    assert "note" not in ArticlePage(html, URL).body
