import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import (
    _FOLD_TABLE,
    body_hash,
    fold,
    fold_chars,
    fold_utf8,
    fold_word,
    strip_marks,
    words,
)

SAME = [
    ("أحمد", "احمد"), ("إسرائيل", "اسرائيل"), ("آمال", "امال"), ("المدرسة", "المدرسه"),
    ("مستشفى", "مستشفي"), ("مَدْرَسَةٌ", "مدرسة"), ("مـــدرســة", "مدرسة"), ("٢٠٢٤", "2024"),
    ("۱۴۰۳", "1403"), ("والمدرسة", "مدرسة"), ("بالمدرسة", "مدرسة"), ("للمدرسة", "مدرسة"),
    ("فالمدرسة", "مدرسة"), ("وبالمدرسة", "مدرسة"), ("مؤتمر", "موتمر"), ("رئيس", "رييس"),
    ("کتاب", "كتاب"), ("ی", "ي"), ("Gaza", "gaza"), ("\u200fغزة\u200e", "غزة"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_variants_fold_together(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(("a", "b"), [("مدرسة", "مدرس"), ("كتاب", "كتب"), ("ولد", "لد"), ("وطن", "طن")])
def test_distinct_words_stay_distinct(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_body_hash_ignores_presentation_noise() -> None:
    a = "قال الوزيرُ إنّ الخطة جاهزة.\n\nوأضاف: ٢٠٢٥ عام التنفيذ"
    b = "قال الوزير ان الخطه جاهزة\n\n وأضاف 2025 عام التنفيذ  "
    assert body_hash(a) == body_hash(b)
    assert body_hash("نص آخر تماما") != body_hash(a)
    assert body_hash("") is None and body_hash(None) is None


def test_strip_marks_keeps_zwnj() -> None:
    assert strip_marks("می\u200cخواهم\u200f \u202bسلام\u202c\u200b") == "می\u200cخواهم سلام"


# -- the fast fold is the same function as the obvious one --------------------------------------
# fold() is the index form: a change in its output would leave rows in a contentless FTS index that
# can no longer be deleted.  The straightforward definition (translate table, \w+ words, one clitic
# rule per word) is kept here as the reference the optimised code must equal.


def reference_fold(text: str) -> str:
    base = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE).lower()
    return " ".join(fold_word(w) for w in re.findall(r"\w+", base))


ARABIC_SAMPLES = [
    "قالَ الرئيسُ، في مؤتمرٍ صحفيّ: «إنّ الحكومة ستُعلن عن الخطة» (٢٠٢٤)…",
    "وبالمدرسة والمستشفى ـ للطلاب فالكتاب كالبحر ولل والال بال",
    "می\u200cخواهم کتاب ۱۴۰۳ را بخوانم\u200f؛ \u202bسلام\u202c\u200b  \t\n\n ok_yes ＡＢＣ ﻻ ①",
    "", " ", "\u200c", "__", "a\u00a0b", "ـــ", "ﷺ ﷲ",
]


@pytest.mark.parametrize("text", ARABIC_SAMPLES)
def test_fold_equals_reference(text: str) -> None:
    assert fold(text) == reference_fold(text)
    assert fold_utf8(text.encode()) == reference_fold(text).encode()
    assert words(text) == reference_fold(text).split()
    assert fold_chars(text) == unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE).lower()


_ALPHABET = st.sampled_from(
    [chr(c) for c in _FOLD_TABLE] + list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءلوبفك .،؛:!?-_\n\t\"'«»()0123456789aZé")
    + ["\u0610", "\u06e5", "\u2028", "\u3000", "\ufdfa", "\ufefb", "\u00b2", "\u2460",
       "\u00a8", "\u02dc", "\u1fbd", "\u0308", "\u03a3", "\u1c80", "\x1c", "\x85"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_fold_equals_reference_on_generated_text(text: str) -> None:
    assert fold(text) == reference_fold(text)
    assert fold_utf8(text.encode()) == reference_fold(text).encode()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_fold_equals_reference_on_any_unicode(text: str) -> None:
    assert fold(text) == reference_fold(text)
    assert fold_utf8(text.encode()) == reference_fold(text).encode()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["والمدرسة،", "«أحمد»", "\u00a8ب", "ΟΔΟΣ.", "ـــ", "٢٠٢٤م", " ", "\n", "\u200c"]),
                max_size=30).map("".join))
def test_fold_of_repeated_pieces_equals_reference(text: str) -> None:
    """fold() caches the fold of each whitespace-separated piece: a piece met again (the cache hit)
    folds as the first time, and a piece whose NFKC form holds a space (¨ is space + U+0308) or
    whose lower-casing depends on context (final sigma) folds as in the whole text."""
    assert fold(text) == reference_fold(text)
    assert fold(text) == reference_fold(text)
    for _ in range(2):      # the UTF-8 fold's own cache, keyed by byte pieces
        assert fold_utf8(text.encode()) == reference_fold(text).encode()


def test_fold_piece_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import text as text_module

    memo = text_module._folded_piece.__self__
    monkeypatch.setattr(memo, "maximum", 5)
    memo.clear()
    sample = " ".join(ARABIC_SAMPLES)
    assert fold(sample) == reference_fold(sample)
    assert len(memo) <= 5


def test_body_hash_of_utf8_fold_is_the_same() -> None:
    body = ARABIC_SAMPLES[0]
    assert body_hash(None, folded=fold_utf8(body.encode())) == body_hash(body) == body_hash(None, folded=fold(body))
    assert body_hash(None, folded=b"") is None


def test_fold_utf8_piece_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import text as text_module

    memo = text_module._folded_piece_utf8.__self__
    monkeypatch.setattr(memo, "maximum", 5)
    memo.clear()
    sample = " ".join(ARABIC_SAMPLES)
    assert fold_utf8(sample.encode()) == reference_fold(sample).encode()
    assert len(memo) <= 5
