"""Boilerplate data and checks (newscrawl/pages/boilerplate.py): the fast paths give the same
answers as the plain definitions."""

from __future__ import annotations

import unicodedata

import pytest

from archive.text import strip_marks
from newscrawl.pages.boilerplate import (
    could_be_heading,
    could_be_headings,
    is_boilerplate_line,
    is_byline,
)
from newscrawl.text import clean_text, norm_phrase

TEXTS = [
    "اقرأ أيضاً:", "إقـــرأ ايضا", "اِقْرَأْ أَيْضًا", "أخبار ذات صلة", "الأكثر قراءة", "بیشتر بخوانید",
    "READ MORE", "Ｒｅａｄ ａｌｓｏ", "Related stories", "à lire aussi", "Lire aussi :",
    "ﻻ شيء هنا", "ﷲ أكبر", "نص عادي بلا عنوان", "Weather today", "", " ", "\ue000", "a\ue000b",
    "ق\u200cد", "Σ final ΣΑΣ", "İstanbul haberleri", "x" * 200,
]


def test_batch_heading_check_matches_one_by_one() -> None:
    assert could_be_headings(TEXTS) == [could_be_heading(t) for t in TEXTS]
    assert could_be_headings([]) == []


@pytest.mark.parametrize("text", TEXTS + ["شارك هذا المقال", "جميع الحقوق محفوظة 2024", "كتب: محمد",
                                          "by Jane Doe", "Share", "Reporting by A; Editing by B"])
def test_known_phrase_gives_the_same_answer(text: str) -> None:
    phrase = norm_phrase(text)
    assert is_boilerplate_line(text, phrase) == is_boilerplate_line(text)
    assert is_byline(text, phrase) == is_byline(text)


def test_clean_text_strips_marks_keeps_zwnj() -> None:
    assert clean_text("می\u200cخواهم\u200f  \u202bسلام\u202c\u200b") == "می\u200cخواهم سلام"
    assert clean_text("plain  text ") == "plain text"


def test_clean_text_fast_path_agrees_with_strip_marks() -> None:
    formats = [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) in ("Cf", "Mn")
               and not 0xD800 <= c <= 0xDFFF]
    for char in formats:
        text = f"ab{char}c"
        assert clean_text(text) == strip_marks(unicodedata.normalize("NFC", text)), hex(ord(char))
