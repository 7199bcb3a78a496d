"""Boilerplate as data: the phrases and block patterns that are never article text.

Phrases are compared in :func:`newscrawl.text.norm_phrase` form (hamza/alef, ة/ه, ى/ي, tashkeel and
punctuation folded), so one spelling here covers "اقرأ أيضاً", "إقرأ ايضا" and "اقرا ايضا:".
Extend these lists (or a site's ``drop`` selectors) when a site shows a new widget; no code change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from newscrawl.text import fold_chars, norm_phrase

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
    "مزید پڑھیں", "یہ بھی پڑھیں", "یہ بھی دیکھیں", "متعلقہ مضامین", "متعلقہ",
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
    # the label over an advertisement slot, in the languages of the sites we meet
    "anzeige", "werbung", "publicité", "publicidad", "pubblicità", "reklam", "reklama", "реклама",
    "διαφήμιση", "quảng cáo", "広告", "广告", "광고", "विज्ञापन", "تبلیغات",
)

#: Paragraph prefixes of bylines and credits ("كتب: …"): dropped from the body when short.
BYLINE_PREFIXES: tuple[str, ...] = (
    "كتب", "كتبت", "بقلم", "إعداد", "تحرير", "متابعة", "ترجمة", "تقرير", "حوار", "by",
)
BYLINE_MAX_WORDS = 8
#: Credit lines of wire copy ("Reporting by …; Editing by …"): dropped up to CREDIT_MAX_WORDS.
CREDIT_PREFIXES: tuple[str, ...] = (
    "reporting by", "additional reporting by", "writing by", "editing by", "edited by",
    "compiled by", "reporting and writing by",
)
CREDIT_MAX_WORDS = 40

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
    "adv", "tooltip", "popover", "dropdown", "author", "date",
    # embedded third-party posts (blockquote.twitter-tweet, instagram-media, tiktok-embed): not the
    # article's prose
    "tweet", "instagram", "tiktok",
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


#: Joins texts folded in one pass: a private-use character, which folding keeps as it is and which
#: never composes with a neighbour under NFKC, so the folded blob splits back into the same texts.
_SEPARATOR = "\ue000"


def could_be_headings(texts: Sequence[str]) -> list[bool]:
    """:func:`could_be_heading` of every text, folding them all in one call (a page has a few
    hundred short texts, and the per-call overhead of folding was most of the cost).

    The first words are runs of word characters, so they occur in the folded text exactly when
    they occur in its :func:`norm_phrase` form (which only turns punctuation into spaces and
    collapses spaces)."""
    if not texts:
        return []
    blob = _SEPARATOR.join(text[:80] for text in texts)
    folded = fold_chars(blob).replace("ـ", "").split(_SEPARATOR)
    if len(folded) != len(texts):          # a page that uses U+E000 itself
        return [could_be_heading(text) for text in texts]
    return [_ANY_FIRST_WORD.search(text) is not None for text in folded]


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


_BOILERPLATE_STARTS = tuple(p + " " for p in BOILERPLATE)
_BYLINE_STARTS = tuple(p + " " for p in BYLINES)
_CREDIT_STARTS = tuple(norm_phrase(p) + " " for p in CREDIT_PREFIXES)


def is_boilerplate_line(text: str, phrase: str | None = None) -> bool:
    """A short paragraph that is chrome (comment form, share bar, copyright, back-to-top…).

    :param phrase: ``norm_phrase(text)`` when the caller has it already."""
    phrase = norm_phrase(text) if phrase is None else phrase
    if not phrase:
        return True
    words = phrase.split()
    if len(words) > 25:
        return False
    if phrase in BOILERPLATE_WHOLE or ("©" in text and len(words) <= 15):
        return True
    return (phrase + " ").startswith(_BOILERPLATE_STARTS)


_LABEL_ONLY = re.compile(r"^[^\s:：]{1,20}(?:\s[^\s:：]{1,20})?\s*[:：]\s*$")
_DATELINE = re.compile(r"^\(\s*[^()]{2,60}\s*\)$")
_META_LINE = re.compile(r"^\s*(?:التاريخ|تاريخ النشر|نشر في|نشر بتاريخ|آخر تحديث|المصدر|"
                        r"مصدر|منبع|date|source|quelle|fuente|fonte|źródło|источник|джерело|kaynak|"
                        r"nguồn)\s*[:：]", re.I)


def is_meta_line(text: str) -> bool:
    """A label with nothing after it ("المصدر:"), a parenthesised dateline ("(أبوظبي - البيان)"),
    or a short "التاريخ: …"/"المصدر: …" line: article metadata printed in the text column."""
    words = len(text.split())
    if _LABEL_ONLY.match(text):
        return True
    if _DATELINE.match(text) and words <= 6:
        return True
    return words <= 8 and bool(_META_LINE.match(text))


def is_byline(text: str, phrase: str | None = None) -> bool:
    """A short credit line ("كتب: …", "by …").  :param phrase: ``norm_phrase(text)`` if known."""
    phrase = norm_phrase(text) if phrase is None else phrase
    words = phrase.split()
    if len(words) <= CREDIT_MAX_WORDS and phrase.startswith(_CREDIT_STARTS):
        return True
    return 0 < len(words) <= BYLINE_MAX_WORDS and phrase.startswith(_BYLINE_STARTS) \
        and (":" in text or "/" in text or len(words) <= 4)
