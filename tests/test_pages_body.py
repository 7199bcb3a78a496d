"""Body extraction rules (newscrawl/pages/body.py) on small hand-written pages.

Each case is the smallest page that shows one structural pattern met on news sites; the text is
made up.  The corpus of real pages is measured by bench/extraction.py, never copied here.
"""

from __future__ import annotations

import pytest

from newscrawl.pages import ArticlePage

URL = "https://news.example.com/2024/05/13/story"
P1 = ("The ministry said on Tuesday that the new electric taxi service would start next week, "
      "with ten cars in the first phase and more to follow.")
P2 = ("Officials added that bookings would open through a phone application, and that every car "
      "would carry cameras inside and outside for the safety of riders.")
P3 = ("The service is part of a wider plan for clean transport in the new capital, which also "
      "includes electric buses and a monorail line now under construction.")


def body_of(main: str, *, before: str = "", after: str = "") -> str:
    html = (f"<html><head><title>Electric taxis start next week</title></head><body>"
            f"<h1>Electric taxis start next week</h1>{before}"
            f"<div class='article-body'>{main}</div>{after}</body></html>")
    return ArticlePage(html, URL).body


def paragraphs(main: str, **kwargs: str) -> list[str]:
    return body_of(main, **kwargs).split("\n\n")


# -- container -------------------------------------------------------------------------------------
def test_paragraph_beside_the_text_block_is_part_of_the_article() -> None:
    html = (f"<html><body><h1>Electric taxis start next week</h1><article>"
            f"<div class='share'>Share</div><p>{P1}</p>"
            f"<div class='story'><p>{P2}</p><p>{P3}</p></div></article></body></html>")
    assert ArticlePage(html, URL).body.split("\n\n") == [P1, P2, P3]


def test_link_line_beside_the_text_block_is_not_added() -> None:
    html = (f"<html><body><h1>Electric taxis start next week</h1><article>"
            f"<p><a href='/a'>Electric buses arrive in the capital</a> and "
            f"<a href='/b'>the monorail line opens in spring next year</a></p>"
            f"<div class='story'><p>{P2}</p><p>{P3}</p></div></article></body></html>")
    assert ArticlePage(html, URL).body.split("\n\n") == [P2, P3]


def test_paragraph_apart_from_the_text_block_is_not_added() -> None:
    html = (f"<html><body><h1>Electric taxis start next week</h1><article>"
            f"<div class='story'><p>{P2}</p><p>{P3}</p></div><div class='box'>More news</div>"
            f"<p>Copyright 2024 Example News Company, all rights reserved.</p></article></body></html>")
    assert ArticlePage(html, URL).body.split("\n\n") == [P2, P3]


# -- cleaning --------------------------------------------------------------------------------------
def test_line_repeating_an_image_alt_is_a_caption() -> None:
    main = (f"<p>{P1}</p><div><img src='/a.jpg' alt='The electric taxi'></div>"
            f"<div><span>The electric taxi</span></div><p>{P2}</p>")
    assert paragraphs(main) == [P1, P2]


def test_subheading_with_a_widget_class_that_introduces_text_is_kept() -> None:
    main = (f"<p>{P1}</p><h2 class='widget-title'>BOOKINGS</h2>"
            f"<div class='widget-image'><img src='/b.jpg'></div><p>{P2}</p>")
    assert paragraphs(main) == [P1, "BOOKINGS", P2]


def test_widget_heading_over_links_is_still_dropped() -> None:
    main = (f"<p>{P1}</p><p>{P2}</p><h3 class='widget-title'>Elsewhere</h3>"
            f"<p><a href='/x'>Trains</a> <a href='/y'>Buses</a></p><p>{P3}</p>")
    assert "Elsewhere" not in paragraphs(main)


@pytest.mark.parametrize("label", ["REKLAM", "Anzeige", "Publicité", "广告"])
def test_advertisement_label_is_dropped(label: str) -> None:
    main = (f"<p>{P1}</p><div class='adv-news'><div class='head'><span>{label}</span></div>"
            f"<div class='body'></div></div><p>{P2}</p><p>{label}</p><p>{P3}</p>")
    assert paragraphs(main) == [P1, P2, P3]


@pytest.mark.parametrize("widget", ["js-tooltip-content", "lmd-dropdown__content", "popover"])
def test_tooltip_and_dropdown_texts_are_dropped(widget: str) -> None:
    main = (f"<p>{P1}</p><p>{P2}</p><div class='{widget}'><p>Reactions are for members. "
            f"Please register to use them.</p></div><p>{P3}</p>")
    assert paragraphs(main) == [P1, P2, P3]


def test_teaser_list_items_go_with_their_dates() -> None:
    teasers = "".join(f"<li><p><a href='/n/{i}'>Another story number {i} of the day</a></p>"
                      f"<p><span>1月13日</span></p></li>" for i in range(3))
    main = f"<p>{P1}</p><p>{P2}</p><ul class='list'>{teasers}</ul><p>{P3}</p>"
    assert paragraphs(main) == [P1, P2, P3]


def test_list_with_some_links_in_the_text_is_kept() -> None:
    items = ("<li>The first phase covers the <a href='/gov'>government district</a> and the "
             "business quarter, with stations every two kilometres.</li>")
    assert "government district" in body_of(f"<p>{P1}</p><ul>{items}</ul><p>{P2}</p>")


# -- standfirst ------------------------------------------------------------------------------------
def test_standfirst_repeated_by_the_first_paragraph_is_not_doubled() -> None:
    before = f"<p class='lead'>{P1}</p>"
    assert paragraphs(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", before=before) == [P1, P2, P3]


def test_summary_longer_than_the_first_paragraph_is_kept() -> None:
    summary = f"{P1} {P2} {P3}"
    before = f"<h2 class='text-base'>{summary}</h2>"
    got = paragraphs(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", before=before)
    assert got == [summary, P1, P2, P3]


def test_author_and_date_line_under_the_headline_is_not_a_standfirst() -> None:
    before = ("<div class='authordate'><span class='author'>Staff reporter, Jan Kowalski</span>"
              "<span class='date'>21-12-2011, last updated 21-12-2011 15:27</span></div>")
    assert paragraphs(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", before=before) == [P1, P2, P3]


# -- lines -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tail", [
    ["Lê Phương"],                              # byline under the text
    ["17302"],                                  # a story number
    ["Follow this category", "Recommended", "1月13日", "1月13日"],   # widget headings, dates
    ["เรื่องที่เกี่ยวข้อง"],                          # "related stories", Thai
])
def test_short_labels_after_the_text_are_trimmed(tail: list[str]) -> None:
    main = f"<p>{P1}</p><p>{P2}</p>" + "".join(f"<p>{line}</p>" for line in tail)
    assert paragraphs(main) == [P1, P2]


def test_a_final_list_is_not_trimmed() -> None:
    main = f"<p>{P1}</p><p>The winners are:</p><ul><li>Ahmed Ali</li><li>Sara Omar</li></ul>"
    assert paragraphs(main)[-2:] == ["Ahmed Ali", "Sara Omar"]


@pytest.mark.parametrize("last", ["It will run all week.", "« Désaccord total »", "ราคา 10 บาท ต่อ กิโลเมตร แรก และ 5 บาท ต่อ กิโลเมตร ต่อไป ตลอด ทั้ง วัน"])
def test_a_last_sentence_is_not_a_label(last: str) -> None:
    assert paragraphs(f"<p>{P1}</p><p>{P2}</p><p>{last}</p>")[-1] == last


def test_wire_credit_line_is_dropped() -> None:
    credit = ("Reporting by Jane Doe; additional reporting by John Roe and Ann Poe; "
              "Editing by Nick Smith and Dan Brown")
    assert paragraphs(f"<p>{P1}</p><p>{P2}</p><p>{credit}</p>") == [P1, P2]


@pytest.mark.parametrize("label", ["źródło: Fotorzepa", "Quelle: dpa", "Fuente: EFE", "منبع: ایسنا"])
def test_source_label_line_is_dropped(label: str) -> None:
    assert paragraphs(f"<p>{label}</p><p>{P1}</p><p>{P2}</p>") == [P1, P2]


def test_listing_page_is_still_not_an_article() -> None:
    teasers = "".join(f"<li><a href='/n/{i}'>Council story number {i} of this busy week</a> "
                      f"<span>13 May</span></li>" for i in range(8))
    html = ("<html><head><meta property='og:type' content='article'></head><body>"
            f"<h1>Council archive</h1><div class='content'><ul>{teasers}</ul></div></body></html>")
    assert ArticlePage(html, URL).rejection == "not_article"
