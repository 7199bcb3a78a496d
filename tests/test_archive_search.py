import pytest

from archive import Archive, ArticleRecord, InvalidQuery
from archive.search import compile_query, search, snippet

ARTICLES = [
    ("مدرسة جديدة في حلب", "افتتحت وزارة التربية المدرسة الجديدة في حلب، وبالمدرسة ثلاثون صفاً."),
    ("إسرائيل وتركيا في باكو", "تجتمع تركيا وإسرائيل اليوم في باكو لإجراء جولة ثانية من المحادثات."),
    ("أسعار الذهب", "ارتفعت أسعار الذهب في السوق المصرية خلال عام ٢٠٢٥ بنسبة كبيرة."),
    ("مستشفى الأطفال", "وصلت شحنة أدوية إلى مستشفى الأطفال في دمشق."),
]


@pytest.fixture
def archive(fresh_archive: Archive) -> Archive:
    for i, (title, body) in enumerate(ARTICLES):
        fresh_archive.upsert(ArticleRecord(url=f"http://x.test/{i}", site="x", title=title, body=body,
                                           published=f"2025-05-0{i + 1}T10:00:00Z", category="أخبار"))
    return fresh_archive


@pytest.mark.parametrize(("query", "titles"), [
    ("مدرسة", {"مدرسة جديدة في حلب"}),
    ("المدرسه", {"مدرسة جديدة في حلب"}),
    ("اسرائيل", {"إسرائيل وتركيا في باكو"}),
    ("وإسرائيل", {"إسرائيل وتركيا في باكو"}),
    ("2025", {"أسعار الذهب"}),
    ("٢٠٢٥", {"أسعار الذهب"}),
    ("مستشفي", {"مستشفى الأطفال"}),
    ("مَدْرَسَة", {"مدرسة جديدة في حلب"}),
    ("مـدرسـة", {"مدرسة جديدة في حلب"}),
    ('"جولة ثانية"', {"إسرائيل وتركيا في باكو"}),
    ('"ثانية جولة"', set()),
    ("مدرس*", {"مدرسة جديدة في حلب"}),
    ("حلب OR دمشق", {"مدرسة جديدة في حلب", "مستشفى الأطفال"}),
    ("في -حلب", {"إسرائيل وتركيا في باكو", "أسعار الذهب", "مستشفى الأطفال"}),
    ("(حلب OR دمشق) NOT أدوية", {"مدرسة جديدة في حلب"}),
])
def test_arabic_search(archive: Archive, query: str, titles: set[str]) -> None:
    assert {h.title for h in search(archive.db, query)} == titles


@pytest.mark.parametrize("query", ['"مدرسة', "-", "*", "NEAR(", "مدرسة AND", "(مدرسة", "مدرسة)", "",
                                   "-حلب", "()", "مد*رسة"])
def test_malformed_queries_give_one_line_errors(query: str) -> None:
    with pytest.raises(InvalidQuery) as info:
        compile_query(query)
    assert "\n" not in str(info.value) and str(info.value)


@pytest.mark.parametrize("query", ["x'; DROP TABLE articles; --", 'a" OR 1=1 --', "articles_fts MATCH '*'"])
def test_nothing_reaches_sql_unescaped(archive: Archive, query: str) -> None:
    try:
        list(search(archive.db, query))
    except InvalidQuery:
        pass  # a clear refusal is fine; SQL errors and side effects are not
    assert archive.count() == len(ARTICLES)


def test_filters(archive: Archive) -> None:
    assert [h.title for h in search(archive.db, "في", since="2025-05-03", until="2025-05-03")] == ["أسعار الذهب"]
    assert list(search(archive.db, "في", site="other")) == []


def test_snippet_highlights_original_spelling() -> None:
    text = "افتتحت وزارة التربية المدرسة الجديدة في حلب، وبالمدرسة ثلاثون صفاً."
    assert snippet(text, [("مدرسه", False)]) == "افتتحت وزارة التربية [المدرسة] الجديدة في حلب، [وبالمدرسة] ثلاثون صفاً."
