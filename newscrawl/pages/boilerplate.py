"""Boilerplate as data: the phrases and block patterns that are never article text.

Phrases are compared in :func:`newscrawl.text.norm_phrase` form (hamza/alef, ة/ه, ى/ي, tashkeel and
punctuation folded), so one spelling here covers "اقرأ أيضاً", "إقرأ ايضا" and "اقرا ايضا:".
Extend these lists (or a site's ``drop`` selectors) when a site shows a new widget; no code change.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newscrawl.text import norm_phrase

#: Headings of in-body and end-of-article "read also" / related-article blocks.  Their links become
#: ``related_links``; the blocks never reach the body.
RELATED_HEADINGS: tuple[str, ...] = (
    "اقرأ أيضا", "إقرأ أيضا", "إقراء ايضا", "اقرأ ايضا", "اقرأ أيضًا", "اقرأ كذلك", "اقرأ المزيد",
    "إقرأ المزيد", "طالع أيضا", "طالع أيضاً", "شاهد أيضا", "شاهد أيضاً", "شاهد كذلك", "للمزيد",
    "قد يهمك", "قد يهمك أيضا", "قد يعجبك أيضا", "يستحق الانتباه", "قصص مقترحة", "قصص ذات صلة",
    "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة", "موضوعات ذات صلة", "تقارير ذات صلة",
    "مواد ذات صلة", "روابط ذات صلة", "ذات صلة", "أخبار متعلقة", "مواضيع متعلقة", "مقالات متعلقة",
    "المزيد من الأخبار ذات الصلة", "اقرأ أيضا في", "ننصحك بقراءة", "تابع أيضا",
    "الموضوعات المتعلقة", "موضوعات متعلقة", "الأخبار المتعلقة", "المقالات المتعلقة",
    "مواضيع ذات علاقة", "أخبار ذات علاقة", "مقالات ذات علاقة", "موضوعات ذات علاقة", "ذات علاقة",
    "مواضيع مشابهة", "أخبار مشابهة", "مقالات مشابهة", "أخبار مرتبطة", "مواضيع مرتبطة",
    # Persian / Urdu
    "بیشتر بخوانید", "بخوانید", "مطالب مرتبط", "اخبار مرتبط", "مطالب پیشنهادی", "متعلقہ خبریں",
    # English / French on bilingual sites
    "read also", "read more", "related", "related articles", "related news", "related stories",
    "lire aussi", "à lire aussi",
)

#: Headings of page-wide feeds whose links are *not* related links (and never body text).
FEED_HEADINGS: tuple[str, ...] = (
    "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا", "الأكثر تعليقا", "آخر الأخبار", "أحدث الأخبار",
    "أخبار عاجلة", "عاجل", "اخترنا لك", "المزيد من", "آخر الأخبار", "الأكثر شعبية", "فيديو",
    "most read", "latest news", "popular",
)

#: Short paragraphs that start with one of these are boilerplate (comment forms, share bars,
#: subscription boxes, copyright lines, back-to-top buttons).
BOILERPLATE_PREFIXES: tuple[str, ...] = (
    "اترك تعليقاً", "اترك تعليقا", "اترك رد", "أضف تعليق", "أضف تعليقك", "إضافة تعليق",
    "لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها",
    "زر الذهاب إلى الأعلى", "العودة إلى الأعلى", "الذهاب إلى الأعلى", "إلى الأعلى",
    "شارك هذا المقال", "شارك الخبر", "شارك المقال", "شارك عبر", "انشر على",
    "تابعونا على", "تابعنا على", "تابعوا", "تابع آخر الأخبار", "تابع أخبارنا",
    "اشترك في النشرة", "اشترك في نشرتنا", "اشترك الآن", "اشترك في قناتنا", "للاشتراك",
    "سجل بريدك", "النشرة البريدية", "حمل تطبيق", "حمّل تطبيق", "جميع الحقوق محفوظة",
    "حقوق النشر", "يحظر نشر", "اضغط هنا", "انقر هنا", "الوسوم", "الكلمات المفتاحية",
    "كلمات مفتاحية", "الكلمات الدالة", "نسخ الرابط", "رابط مختصر",
    "تم نسخ الرابط", "مصدر الصورة", "الصورة:", "تصوير:",
    "برچسب ها", "کد خبر", "follow us", "subscribe to",
)

#: Lines that are boilerplate only when they are the whole line (common words otherwise:
#: "شارك الوزير في …", "مشاركة واسعة …").
BOILERPLATE_LINES: tuple[str, ...] = (
    "مشاركة", "شارك", "شاركها", "التعليقات", "تعليقات", "تعليق", "طباعة", "إعلان", "وسوم",
    "share", "print", "advertisement", "facebook", "twitter", "whatsapp", "telegram",
)

#: Paragraph prefixes of bylines and credits ("كتب: …"): dropped from the body when short.
BYLINE_PREFIXES: tuple[str, ...] = (
    "كتب", "كتبت", "بقلم", "إعداد", "تحرير", "متابعة", "ترجمة", "تقرير", "حوار", "by",
)
BYLINE_MAX_WORDS = 8

#: Words of class/id names (split at case changes, dashes and underscores: "selectionShareable"
#: is selection+shareable, not "share") that mark blocks which are never article text.
NEGATIVE_WORDS: frozenset[str] = frozenset({
    "comment", "comments", "respond", "reply", "replies", "share", "sharing", "shares", "sharer",
    "social", "sociable", "tag", "tags", "tagcloud", "keywords", "related", "relatednews",
    "readalso", "alsoread", "readmore", "newsletter", "subscribe", "subscription", "signup",
    "sidebar", "widget", "widgets", "advert", "advertisement", "advertising", "ads", "ad",
    "adsense", "dfp", "banner", "sponsor", "sponsored", "promo", "cookie", "cookies", "consent",
    "popup", "modal", "breadcrumb", "breadcrumbs", "pagination", "pager", "footer", "masthead",
    "navbar", "nav", "navigation", "menu", "byline", "writeby", "caption", "credit", "credits",
    "print", "rating", "poll", "popular", "mostread", "trending", "ticker", "breaking", "hidden",
    "outbrain", "taboola", "toolbar", "recommend", "recommended", "recommendations", "gototop",
    "backtotop", "uplcaption", "imgcaption", "wp-caption-text", "disqus", "jp-relatedposts",
})
#: Pairs of words that together mark chrome ("read also", "most read", "post meta").
NEGATIVE_PAIRS: tuple[tuple[str, str], ...] = (
    ("read", "also"), ("also", "read"), ("more", "news"), ("most", "read"), ("go", "top"),
    ("back", "top"), ("scroll", "top"), ("author", "box"), ("author", "bio"), ("author", "info"),
    ("post", "meta"), ("entry", "meta"), ("article", "meta"), ("meta", "info"), ("screen", "reader"),
    ("sr", "only"), ("skip", "link"), ("visually", "hidden"), ("post", "nav"), ("video", "player"),
    ("img", "cap"), ("image", "caption"), ("more", "stories"), ("latest", "news"),
)
#: Words of class/id names of the article text container.
POSITIVE_WORDS: frozenset[str] = frozenset({
    "article", "articles", "content", "entry", "body", "story", "text", "detail", "details", "main",
    "cont", "txt", "matn", "single", "articlebody", "newsbody", "newstext", "newsdetails",
    "post", "news",
})
#: Words of class names of a standfirst / summary paragraph between headline and text.
LEAD_WORDS: frozenset[str] = frozenset({
    "lead", "summary", "intro", "introtext", "standfirst", "excerpt", "subtitle", "subheadline",
    "subhead", "dek", "deck", "chapo", "chapeau", "sapo", "teaser", "abstract", "strapline",
    "lede", "brief", "resume", "nabza", "subtitulo", "entradilla", "sottotitolo", "lid",
})
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def class_words(names: str) -> frozenset[str]:
    """Lower-cased words of class/id names: "articleCont post-body" → article, cont, post, body."""
    return frozenset(w.lower() for w in _NAME_WORDS.findall(names))


@lru_cache(maxsize=8192)
def is_negative_class(names: str) -> bool:
    if not names.strip():
        return False
    words = class_words(names)
    lowered = {n.lower() for n in names.split()}
    return bool(words & NEGATIVE_WORDS or lowered & NEGATIVE_WORDS) or any(
        a in words and b in words for a, b in NEGATIVE_PAIRS)


@lru_cache(maxsize=8192)
def is_lead_class(names: str) -> bool:
    return bool(names.strip()) and bool(class_words(names) & LEAD_WORDS)


@lru_cache(maxsize=8192)
def is_positive_class(names: str) -> bool:
    return bool(names.strip()) and bool(class_words(names) & POSITIVE_WORDS)


#: Elements removed before anything is read (their text is never content).
STRIP_TAGS: tuple[str, ...] = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "video", "audio", "select", "button", "input", "textarea", "link", "meta", "map", "dialog",
    "amp-ad", "amp-analytics", "amp-social-share", "amp-sidebar", "amp-iframe", "amp-video",
    "amp-youtube", "amp-list", "amp-consent", "amp-auto-ads", "amp-sticky-ad", "amp-img-lightbox",
)

#: Elements that hold page chrome, not article text (removed inside the chosen container).
CHROME_TAGS: tuple[str, ...] = ("nav", "footer", "aside", "form", "figure", "figcaption", "header")

RELATED = frozenset(norm_phrase(p) for p in RELATED_HEADINGS)
FEEDS = frozenset(norm_phrase(p) for p in FEED_HEADINGS)
BOILERPLATE = tuple(norm_phrase(p) for p in BOILERPLATE_PREFIXES if norm_phrase(p))
BOILERPLATE_WHOLE = frozenset(norm_phrase(p) for p in BOILERPLATE_LINES)
BYLINES = tuple(norm_phrase(p) for p in BYLINE_PREFIXES)


_FIRST_WORDS = frozenset(p.split()[0] for p in RELATED | FEEDS if p)
_ANY_FIRST_WORD = re.compile("|".join(sorted((re.escape(w) for w in _FIRST_WORDS), key=len, reverse=True)))


def could_be_heading(text: str) -> bool:
    """A cheap pre-check: does *text* contain the first word of any related/feed heading?"""
    return bool(_ANY_FIRST_WORD.search(norm_phrase(text[:80])))


def heading_kind(text: str) -> str | None:
    """``"related"`` for a read-also/related heading, ``"feed"`` for a most-read/latest heading."""
    if not text or len(text) > 60:
        return None
    phrase = norm_phrase(text)
    if not phrase:
        return None
    if phrase in RELATED:
        return "related"
    if phrase in FEEDS:
        return "feed"
    words = phrase.split()
    if len(words) <= 6:
        for n in range(min(len(words), 4), 0, -1):
            head = " ".join(words[:n])
            if head in RELATED:
                return "related"
            if head in FEEDS:
                return "feed"
    return None


def is_boilerplate_line(text: str) -> bool:
    """A short paragraph that is chrome (comment form, share bar, copyright, back-to-top…)."""
    phrase = norm_phrase(text)
    if not phrase:
        return True
    words = phrase.split()
    if len(words) > 25:
        return False
    if phrase in BOILERPLATE_WHOLE or ("©" in text and len(words) <= 15):
        return True
    return any(phrase == p or phrase.startswith(p + " ") for p in BOILERPLATE)


_LABEL_ONLY = re.compile(r"^[^\s:：]{1,20}(?:\s[^\s:：]{1,20})?\s*[:：]\s*$")
_DATELINE = re.compile(r"^\(\s*[^()]{2,60}\s*\)$")
_META_LINE = re.compile(r"^\s*(?:التاريخ|تاريخ النشر|نشر في|نشر بتاريخ|آخر تحديث|المصدر|"
                        r"مصدر|date|source)\s*[:：]", re.I)


def is_meta_line(text: str) -> bool:
    """A label with nothing after it ("المصدر:"), a parenthesised dateline ("(أبوظبي - البيان)"),
    or a short "التاريخ: …"/"المصدر: …" line: article metadata printed in the text column."""
    words = len(text.split())
    if _LABEL_ONLY.match(text):
        return True
    if _DATELINE.match(text) and words <= 6:
        return True
    return words <= 8 and bool(_META_LINE.match(text))


def is_byline(text: str) -> bool:
    phrase = norm_phrase(text)
    words = phrase.split()
    return 0 < len(words) <= BYLINE_MAX_WORDS and any(
        phrase.startswith(p + " ") for p in BYLINES) and (":" in text or "/" in text or len(words) <= 4)
