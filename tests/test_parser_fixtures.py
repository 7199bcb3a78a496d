"""The page parser on every fixture article, against fixtures/site/expected.json (all templates:
WordPress, custom CMS with JSON-LD, AMP, windows-1256 old CMS; truncated, title-less and
invalid-UTF-8 pages included)."""

import json

import pytest
from conftest import SITE, fixture_file, unique_urls

from archive.urls import url_key
from newscrawl.pages import ArticlePage
from newscrawl.siteconfig import load_site

EXPECTED = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
ARTICLES = {a["id"]: a for a in EXPECTED["articles"]}


def parse(url: str, site: str) -> dict:
    return ArticlePage(fixture_file(url).read_bytes(), url, content_type="text/html",
                       rules=load_site(site).rules).to_dict()


@pytest.fixture(scope="module", params=sorted(ARTICLES))
def case(request):  # type: ignore[no-untyped-def]
    expected = ARTICLES[request.param]
    return expected, parse(expected["url"], expected["site"])


def test_title(case) -> None:
    expected, got = case
    assert got["title"] == expected["title"]


def test_body(case) -> None:
    expected, got = case
    if expected["body_exact"]:
        assert got["body"] == expected["body"]
    for sentence in expected["key_sentences"]:
        assert sentence in got["body"]


@pytest.mark.parametrize("field", ["category", "author", "published", "modified", "language"])
def test_metadata(case, field: str) -> None:
    expected, got = case
    assert got[field] == expected[field]


def test_tags(case) -> None:
    expected, got = case
    assert got["tags"] == expected["tags"]


def test_related_links(case) -> None:
    expected, got = case
    assert unique_urls(got["related_links"]) == unique_urls(expected["related_links"])
    texts = {url_key(link["url"]): link["text"] for link in expected["related_links"]}
    for link in got["related_links"]:
        assert link["text"] == texts[url_key(link["url"])]


def test_images(case) -> None:
    expected, got = case
    assert {url_key(u) for u in got["images"]} == {url_key(u) for u in expected["images"]}


def test_is_an_article(case) -> None:
    assert case[1]["rejection"] is None


@pytest.mark.parametrize("page", EXPECTED["not_articles"], ids=lambda p: p["reason"])
def test_not_articles_are_recognised(page: dict) -> None:
    path = fixture_file(page["url"])
    if page["reason"].startswith("http_"):
        assert not path.exists()
        return
    site = next(name for name, s in EXPECTED["sites"].items() if s["host"] in page["url"])
    assert parse(page["url"], site)["rejection"] == page["reason"]


EXAMPLE_BODY = """جولة تفاوض ثانية بين تركيا وإسرائيل:تجتمع تركيا وإسرائيل اليوم الخميس في العاصمة الأذربيجانية باكو لإجراء الجولة الثانية من المحادثات التي تهدف إلى خفض التوترات ومنع التصادمات بينهما في سوريا. وتأتي هذه المفاوضات تحت رعاية أذربيجان، والتي تسعى إلى تخفيف الضغوط الأمنية في المنطقة.

حسب ما ذكرته وسائل الإعلام العبرية، ستكون إسرائيل حريصة على طرح مطلبين رئيسيين خلال هذه المحادثات. الأول هو ضمان عدم وجود أي قوى عسكرية بالقرب من حدودها مع سوريا قد تشكل تهديدًا للأمن الإسرائيلي. أما المطلب الثاني، فهو التأكيد على خلو سوريا من الأسلحة الاستراتيجية التي قد تشكل خطرًا مباشرًا على الأمن القومي الإسرائيلي.

في نيسان الماضي، كانت تركيا وإسرائيل قد عقدتا اجتماعًا في باكو بهدف مناقشة خفض التوتر ومنع التصادم في سوريا، حيث عرض الجانبان مصالحهما الأمنية والإقليمية واتفقا على استمرارية الحوار عبر قناة تواصل مباشرة للحفاظ على الاستقرار الأمني.

ووفقًا لبيان صادر عن مكتب رئيس الوزراء الإسرائيلي بنيامين نتنياهو، تم الاتفاق على مواصلة هذه المناقشات بشكل منتظم، حيث أبدت إسرائيل استعدادًا لقبول وجود قاعدة عسكرية تركية محدودة في سوريا، وهو ما يعكس تفاؤلًا كبيرًا حول هذه المفاوضات بين الطرفين.

ستكون هذه الجولة الثانية من المحادثات خطوة مهمة نحو التوصل إلى اتفاقات يمكن أن تؤثر بشكل كبير على الوضع الأمني في المنطقة، وتعكس أيضًا الانفتاح الإسرائيلي على استراتيجيات جديدة لإدارة العلاقات مع تركيا في سياق الأزمة السورية."""
READ_ALSO = [
    "وفد من وجهاء السويداء يزور داريا والأمن العام يفرض سيطرته على أشرفية صحنايا",
    "بعد اعتداء فصائل السويداء..مراسلون بلا حدود تطالب بحماية الصحفيين في سوريا",
    "اجتماع في القنيطرة بين الأهالي وقائد قوات الأندوف بعد منعهم من الاقتراب من الحدود",
    "ماكرون يستقبل الشرع في قصر الإليزيه: مباحثات حول الأمن والإعمار واستقبال شعبي من الجالية السورية في فرنسا",
    "إسرائيل تعلن رسمياً تنفيذ مهام داخل سوريا للمرة الأولى: تصعيد خطير وانتهاك للسيادة",
    "وزير الاقتصاد يبحث مع مؤسسة التمويل الدولية تعزيز التعاون المالي ودعم التعافي الاقتصادي",
]


def test_the_issue_example_page() -> None:
    """The WordPress page quoted in the end-to-end issue: exact category, title, five paragraphs,
    read-also and related-post links as related_links, no boilerplate."""
    got = ARTICLES["shamtimes:turkey-israel-baku-talks"]
    record = parse(got["url"], "shamtimes")
    assert record["category"] == "أخبار سياسية"
    assert record["title"] == "جولة تفاوض ثانية بين تركيا وإسرائيل في باكو لاحتواء التوتر العسكري في سوريا"
    assert record["body"] == EXAMPLE_BODY
    texts = [link["text"] for link in record["related_links"]]
    assert texts[:6] == READ_ALSO
    assert len(texts) > 6  # the "مقالات ذات صلة" widget's posts follow
    for phrase in ("إقراء ايضا", "مقالات ذات صلة", "اترك تعليقاً", "لن يتم نشر عنوان بريدك",
                   "زر الذهاب إلى الأعلى", *READ_ALSO):
        assert phrase not in record["body"]
