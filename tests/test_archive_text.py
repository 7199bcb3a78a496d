import pytest

from archive.text import body_hash, fold, strip_marks

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
