"""The article page object: one method per field, the spider and ``newscrawl extract`` share it.

Metadata goes through a fallback chain, as in trafilatura: site rule → JSON-LD → OpenGraph /
``article:*`` meta → microdata → DOM heuristics → URL.  Every field is ``None``/empty when it
cannot be found, never an exception; what went wrong is listed in :attr:`ArticlePage.errors`.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from newscrawl.dates import ParsedDate, parse_date
from newscrawl.siteconfig import SiteRules
from newscrawl.text import clean_text, join_paragraphs, norm_phrase

from .body import BodyResult, _absolute, extract_body, harvest_related
from .boilerplate import STRIP_TAGS
from .decode import Decoded, decode_html
from .tree import Element as HtmlElement
from .tree import drop, parse_html, text_of
from .metadata import article_ld, breadcrumb_ld, json_ld_objects, ld_people, ld_text, meta_map

__all__ = ["ArticlePage", "EXTRACTOR_VERSION", "FIELDS"]

EXTRACTOR_VERSION = "1.0"
FIELDS = ("url", "canonical_url", "site", "title", "body", "category", "published", "published_raw",
          "modified", "modified_raw", "author", "tags", "related_links", "images", "language")

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»«:•·~]{1,2}\s+|\s*\|\s*|\s+::\s+")
_DATE_CLASS = re.compile(r"date|time|publish|posted|created|tarikh|timestamp|modified|updated", re.I)
#: Date widgets that show today's date or a clock, not the article's.
_NOT_ARTICLE_DATE = re.compile(r"today|current|jour|now|clock|weather|header-?date|top-?date", re.I)
_HAS_TIME = re.compile(r"\d{1,2}[:：]\d{2}|[T ]\d{2}:\d{2}")
_UPDATED_WORDS = ("اخر تحديث", "تحديث", "تم التحديث", "اخر تحيين", "تحيين", "updated", "modified", "mis a jour", "mise a jour", "اخر تعديل", "به روز")
#: A breadcrumb trail named as a path ("Path", "site-path", "news_path").
_PATH_CLASS = re.compile(r"(?:^|[-_ ])path(?:$|[-_ ])")
#: A labelled publication date in running text ("تاريخ النشر: 2024/05/07 14:20"), for pages that
#: mark it with no date class or <time> element.
_PUBLISHED_LABEL = re.compile(r"(?:تاريخ|تأريخ)\s+(?:النشر|الخبر|الإضافة|الاضافة)|(?:نشر|نشرت)\s+(?:في|بتاريخ)|"
                              r"published(?:\s+on)?|publié\s+le|تاریخ\s+انتشار|شائع\s+(?:کردہ|ہوا)", re.I)
_TEXT_NODES = etree.XPath("//text()[string-length(normalize-space()) > 8]")
#: Where an update stamp starts inside a visible date line (the original spellings of _UPDATED_WORDS).
_UPDATE_LABEL = re.compile(r"(?:آخر|اخر|تم)\s+(?:تحديث|تحيين|تعديل|التحديث)|تحديث|تحيين|updated|modified|"
                           r"mise?\s+[àa]\s+jour|به[\u200c ]?روز", re.I)
_AUTHOR_CLASS = re.compile(r"author|auteur|byline|writer|writeby|kateb|journalist|reporter|contributor|signature", re.I)
_CATEGORY_CLASS = re.compile(r"(?:^|[-_ ])(?:post-)?cat(?:egory|egories|egorie)?(?:$|[-_ ])|"
                             r"section-?(?:name|label|link|title)|(?:^|[-_ ])kicker|article-section|"
                             r"news-?cat|(?:^|[-_ ])rubri(?:que|c)(?:$|[-_ ])", re.I)
_TAG_CLASS = re.compile(r"(?:^|[-_ ])tags?(?:$|[-_ ])|post-tags|tagcloud|keywords|hashtags|mots-?cl[eé]s|etiquettes", re.I)
_BYLINE_PREFIX = re.compile(r"^\s*(?:كتب|كتبت|بقلم|إعداد|اعداد|تقرير|by)\s*[:：\-–]?\s*", re.I)
_HOME_WORDS = {"الرئيسية", "الرئيسيه", "الصفحة الرئيسية", "home", "accueil", "خانه", "صفحه اصلی"}
_PERSIAN = re.compile(r"[پچژگکی]")
_URDU = re.compile(r"[ٹڈڑںےۓھ]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z]")
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$)")
_BAD_IMAGE = re.compile(r"logo|sprite|icon|avatar|placeholder|blank\.gif|pixel|spacer|loading|lazy\.|"
                        r"/ads?/|banner|\.svg(?:$|\?)", re.I)
# The DOM heuristics (dates, bylines, breadcrumbs, categories, tags, microdata) share one walk of
# the page (ArticlePage._elements) and memoised class-name regexes: measured on the corpus, that is
# faster than one XPath per heuristic such as ``//*[@class or @id]`` (libxml2's ``//*`` with a
# predicate costs more than the Python loop it replaces).
# Elements that may be hidden, found through their attributes (``//@hidden | //@style`` costs half
# of ``//*[@hidden or @style]`` in libxml2).
_HIDDEN_ATTRS = etree.XPath("//@hidden | //@style")


def _parse(text: str) -> HtmlElement | None:
    text = text.replace("\x00", "")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return None
    return parse_html(text)


def _txt(el: HtmlElement | None) -> str:
    return clean_text(text_of(el)) if el is not None else ""


class ArticlePage:
    """An article extracted from one HTML page.

    :param html: the page as received (bytes are decoded like a browser) or already-decoded text.
    :param url: the address the page was fetched from (resolves relative links and site rules).
    :param content_type: the HTTP ``Content-Type`` header, when known.
    :param rules: site-specific selectors and settings (``None``: generic extraction only).
    :param fetched_at: anchors relative dates ("منذ ساعتين"); defaults to now.
    """

    def __init__(self, html: bytes | str, url: str, *, content_type: str | None = None,
                 rules: SiteRules | None = None, fetched_at: datetime | None = None):
        self.url = url
        self.rules = rules or SiteRules()
        self.fetched_at = fetched_at
        self.errors: list[str] = []
        self.decoded: Decoded = decode_html(html, content_type)
        if self.decoded.replaced:
            self.errors.append(f"decoding: {self.decoded.replaced} undecodable bytes replaced "
                               f"({self.decoded.encoding})")
        self.root = _parse(self.decoded.text)
        if self.root is None:
            self.errors.append("not HTML: nothing to parse")
            self.root = parse_html("<html><body></body></html>")
        self._selector = Selector(root=self.root, type="html") if self.rules.selectors else None

    # -- shared lookups -----------------------------------------------------------------------------
    @cached_property
    def meta(self) -> dict[str, list[str]]:
        return meta_map(self.root)

    def _meta(self, *names: str) -> str | None:
        for name in names:
            values = self.meta.get(name)
            if values:
                return clean_text(values[0]) or None
        return None

    @cached_property
    def ld_objects(self) -> list[dict[str, Any]]:
        return json_ld_objects(self.root)

    @cached_property
    def ld(self) -> dict[str, Any]:
        return article_ld(self.ld_objects)

    @cached_property
    def base_url(self) -> str:
        base = self.root.find(".//base")
        href = base.get("href") if base is not None else None
        return urljoin(self.url, href) if href else self.url

    def _rule(self, name: str) -> list[str] | None:
        """Values of a site selector for field *name* (``None`` when the site gives none)."""
        query = self.rules.selectors.get(name)
        if not query or self._selector is None:
            return None
        if query.startswith("xpath:"):
            nodes = self._selector.xpath(query[6:])
        else:
            nodes = self._selector.css(query.removeprefix("css:"))
        values = []
        for node in nodes:
            root = node.root
            text = text_of(root) if isinstance(root, HtmlElement) else str(root)
            text = clean_text(text)
            if text:
                values.append(text)
        return values

    def _links(self, rel: str) -> str | None:
        for link in self.root.iter("link"):
            if rel in (link.get("rel") or "").lower().split() and link.get("href"):
                return urljoin(self.base_url, link.get("href").strip())
        return None

    # -- fields ------------------------------------------------------------------------------------
    @cached_property
    def is_amp(self) -> bool:
        html = self.root if self.root.tag == "html" else self.root.getroottree().getroot()
        return "amp" in html.attrib or "⚡" in html.attrib

    @cached_property
    def canonical_url(self) -> str:
        """``rel=canonical`` → ``og:url`` → JSON-LD ``url`` → the page URL.  A canonical that points
        at a site's home page (a common CMS mistake) is ignored."""
        own_path = urlsplit(self.url).path
        candidates = [self._links("canonical"), self._meta("og:url"),
                      ld_text(self.ld.get("mainEntityOfPage")) if isinstance(self.ld.get("mainEntityOfPage"), (str, dict)) else None,
                      ld_text(self.ld.get("url"))]
        for candidate in candidates:
            if not candidate or not candidate.startswith(("http://", "https://", "/")):
                continue
            url = urljoin(self.base_url, candidate)
            path = urlsplit(url).path
            if path.strip("/") == "" and own_path.strip("/") != "":
                continue
            return url
        return self.url

    @cached_property
    def amp_url(self) -> str | None:
        return None if self.is_amp else self._links("amphtml")

    @cached_property
    def site_name(self) -> str | None:
        publisher = self.ld.get("publisher")
        return self._meta("og:site_name", "application-name", "al:android:app_name") or (
            ld_text(publisher) if isinstance(publisher, (dict, list)) else None)

    @cached_property
    def _h1s(self) -> list[str]:
        return [t for t in (_txt(h) for h in self.root.iter("h1")) if t]

    @cached_property
    def title(self) -> str | None:
        rule = self._rule("title")
        if rule:
            return rule[0]
        html_title = _txt(self.root.find(".//title"))
        meta_title = self._meta("og:title", "twitter:title") or ld_text(self.ld.get("headline")) \
            or ld_text(self.ld.get("name"))
        reference = [norm_phrase(t) for t in (meta_title, html_title) if t]
        # An <h1> that agrees with the declared title is the cleanest form (no site name in it).
        for h1 in self._h1s:
            phrase = norm_phrase(h1)
            # (a logo in an <h1> is the site's name: it is in the declared title too, but short)
            if len(phrase.split()) >= 2 and not self._is_site_name(h1) and any(
                    phrase and (ref in phrase or (phrase in ref and len(phrase) >= 0.5 * len(ref)))
                    for ref in reference if ref):
                return h1
        for candidate in (meta_title, html_title):
            if candidate:
                return self._strip_site_name(candidate)
        long_h1 = [h for h in self._h1s if len(h.split()) >= 3]
        return long_h1[0] if long_h1 else None

    def _strip_site_name(self, title: str) -> str:
        parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
        if len(parts) < 2:
            return title
        site = norm_phrase(self.site_name) if self.site_name else None
        host = urlsplit(self.url).hostname or ""
        host_words = {w for w in re.split(r"[.\-]", host.lower()) if w not in ("www", "com", "net", "org")}
        kept = []
        for part in parts:
            phrase = norm_phrase(part)
            if site and (phrase == site or phrase in site or site in phrase) and len(phrase) < len(norm_phrase(title)):
                continue
            if phrase.replace(" ", "") in host_words:
                continue
            kept.append(part)
        if not kept:
            return title
        if len(kept) < len(parts):
            # rebuild with the original separators between the kept parts
            start = title.find(kept[0])
            end = title.rfind(kept[-1]) + len(kept[-1])
            return clean_text(title[start:end]) if start >= 0 and end > start else kept[0]
        # No site name recognised: drop a short trailing/leading segment only when it repeats on
        # the page as the publisher's name somewhere else is unknown, keep the longest otherwise.
        longest = max(parts, key=len)
        return longest if len(longest.split()) >= 0.6 * len(title.split()) else title

    @cached_property
    def _body(self) -> BodyResult:
        tree = copy.deepcopy(self.root)
        etree.strip_elements(tree, *STRIP_TAGS, with_tail=False)
        for query in self.rules.drop:
            for node in _select(tree, query):
                if node.getparent() is not None:
                    drop(node)
        for el in dict.fromkeys(attr.getparent() for attr in _HIDDEN_ATTRS(tree)):
            hidden = el.get("hidden") is not None or \
                "display:none" in (el.get("style") or "").replace(" ", "")
            if hidden and el.getparent() is not None:
                drop(el)
        self._related = harvest_related(tree, self.base_url, self.url)
        body_rule = self.rules.selectors.get("body")
        if body_rule:
            nodes = _select(tree, body_rule)
            if nodes:
                from .body import _clean_container, _paragraphs
                images = [img for node in nodes for img in node.iter("img", "amp-img")]
                for node in nodes:
                    _clean_container(node)
                chunks, headline_links = _paragraphs(nodes)
                return BodyResult([text for text, *_ in chunks], [], self._image_urls(images),
                                  headline_links, 0, True)
        result = extract_body(tree, title=self.title)
        result.images = self._image_urls(result.images)
        return result

    def _image_urls(self, images: list[HtmlElement]) -> list[str]:
        """Addresses of the article's images (lazy-loading attributes first), without icons."""
        found = []
        for img in images:
            src = img.get("data-src") or img.get("data-lazy-src") or img.get("data-original") or img.get("src")
            if not src and img.get("srcset"):
                src = img.get("srcset").split(",")[0].split()[0]
            url = _absolute(self.base_url, src)
            if not url or _BAD_IMAGE.search(url):
                continue
            width = img.get("width")
            if width and width.isdigit() and int(width) < 100:
                continue
            found.append(url)
        return found

    @cached_property
    def body(self) -> str:
        return join_paragraphs(self._body.paragraphs)

    @cached_property
    def related_links(self) -> list[dict[str, str]]:
        self._body  # noqa: B018 - harvesting happens while the body is extracted
        own = {self.url, self.canonical_url}
        return [link for link in self._related if link["url"] not in own]

    @cached_property
    def images(self) -> list[str]:
        urls = []
        for value in (self._meta("og:image", "og:image:url", "twitter:image", "twitter:image:src"),
                      _ld_image(self.ld.get("image") or self.ld.get("thumbnailUrl"))):
            if value:
                urls.append(urljoin(self.base_url, value))
        urls += self._body.images
        return list(dict.fromkeys(u for u in urls if u))

    def _parse_date(self, value: str | None) -> ParsedDate | None:
        if not value:
            return None
        try:
            return parse_date(value, now=self.fetched_at, tz=self.rules.timezone,
                              day_first=self.rules.day_first)
        except ValueError as exc:
            self.errors.append(f"date: {exc}")
            return None

    @cached_property
    def _elements(self) -> list[tuple[HtmlElement, str, str | None, str | None, str | None]]:
        """(element, tag, class, id, itemprop) of every element, in document order."""
        return [(el, el.tag, el.get("class"), el.get("id"), el.get("itemprop"))
                for el in self.root.iter(etree.Element)]

    @cached_property
    def _property_nodes(self) -> list[HtmlElement]:
        return [el for el, _, _, _, prop in self._elements
                if prop is not None or el.get("property") is not None]

    def _microdata(self, *names: str) -> list[str]:
        """Values of microdata (``itemprop``) and RDFa (``property``) date fields in the body."""
        wanted = set(names)
        values = []
        for el in self._property_nodes:
            if (el.get("itemprop") in wanted or el.get("property") in wanted) and el.tag != "meta":
                value = el.get("content") or el.get("datetime") or _txt(el)
                if value:
                    values.append(value)
        return values

    @cached_property
    def _dom_dates(self) -> list[tuple[str, bool]]:
        """Visible date strings near the headline: (text, looks like an update stamp)."""
        found: list[tuple[int, str, bool]] = []
        h1_pos = None
        # pos counts the <h1>, <time> and named elements (class, id or itemprop) in document order
        pos = -1
        for el, tag, cls, id_, prop in self._elements:
            if tag != "h1" and tag != "time" and cls is None and id_ is None and prop is None:
                continue
            pos += 1
            if tag == "h1":
                h1_pos = pos if h1_pos is None else h1_pos
                continue
            attrs = f"{cls or ''} {id_ or ''} {prop or ''}"
            is_date, is_widget = _date_attrs(attrs)
            if (el.tag != "time" and not is_date) or is_widget:
                continue
            if len(el) > 8 or _inside_chrome(el):
                continue
            shown = _txt(el)
            text = el.get("datetime") or el.get("content") or shown
            if not text or len(text) > 120:
                continue
            phrase = norm_phrase(attrs + " " + shown)
            updated = any(w in phrase for w in _UPDATED_WORDS)
            split = _UPDATE_LABEL.search(shown) if updated and text is shown else None
            if split and split.start() > 0 and not any(w in norm_phrase(attrs) for w in _UPDATED_WORDS):
                # "الأحد 14 جويلية 2024 | آخر تحديث: 15 جويلية": publication, then the update stamp
                found.append((pos, shown[:split.start()], False))
                text = shown[split.start():]
            found.append((pos, text, updated))
        # Nearest the headline first; without a headline, stamps with a time of day first (a bare
        # date in a page header is usually today's date).
        if h1_pos is not None:
            found.sort(key=lambda item: (item[0] < h1_pos - 4, abs(item[0] - h1_pos)))
        else:
            found.sort(key=lambda item: not _HAS_TIME.search(item[1]))
        return [(text, updated) for _, text, updated in found]

    def _labelled_dates(self) -> Iterator[str]:
        """"تاريخ النشر: 2024/05/07 14:20" in an info line with no date class or <time>: the text
        after the label.  A fallback step: it reads every text node of the page."""
        for node in _TEXT_NODES(self.root):
            match = _PUBLISHED_LABEL.search(node)
            if match is None:
                continue
            el = node.getparent()
            if el is not None and node.is_tail:
                el = el.getparent()
            if el is None or _inside_chrome(el):
                continue
            # the label's element, when small, holds the whole line ("تاريخ النشر: <b>…</b>")
            shown = _txt(el) if len(el) <= 8 else ""
            found = _PUBLISHED_LABEL.search(shown)
            line, match = (shown, found) if found else (str(node), match)
            value = line[match.end():].lstrip(" :：-–").split("|")[0].strip()
            if value and len(value) <= 80:
                yield value

    @cached_property
    def _published(self) -> ParsedDate | None:
        """Site rule → JSON-LD → meta → microdata/RDFa → visible date near the headline → URL.
        Each step runs only when the ones before found nothing parseable."""
        return self._first_date([
            lambda: self._rule("published") or [],
            lambda: [ld_text(self.ld.get("datePublished")), ld_text(self.ld.get("dateCreated")),
                     self._meta("article:published_time", "og:article:published_time",
                                "datepublished", "pubdate", "publishdate", "publish-date",
                                "article.published", "dcterms.created", "dc.date.issued", "dc.date",
                                "date", "sailthru.date", "parsely-pub-date",
                                "cxenseparse:recs:publishtime", "og:published_time")],
            lambda: self._microdata("datePublished", "dc:date", "dc:created", "dcterms:created",
                                    "article:published_time", "dc:date.issued"),
            lambda: [text for text, updated in self._dom_dates if not updated],
            self._labelled_dates,
            lambda: ["-".join(m.groups())
                     for m in [_URL_DATE.search(unquote(urlsplit(self.canonical_url).path))] if m],
        ])

    def _first_date(self, steps: list[Callable[[], Iterable[str | None]]]) -> ParsedDate | None:
        for step in steps:
            for value in step():
                parsed = self._parse_date(value)
                if parsed:
                    return parsed
        return None

    @cached_property
    def _modified(self) -> ParsedDate | None:
        return self._first_date([
            lambda: self._rule("modified") or [],
            lambda: [ld_text(self.ld.get("dateModified")),
                     self._meta("article:modified_time", "og:updated_time", "datemodified",
                                "last-modified", "dcterms.modified", "article.updated")],
            lambda: self._microdata("dateModified", "dcterms:modified", "article:modified_time"),
            lambda: [text for text, updated in self._dom_dates if updated],
        ])

    @property
    def published(self) -> str | None:
        return self._published.iso if self._published else None

    @property
    def published_raw(self) -> str | None:
        return self._published.raw if self._published else None

    @property
    def modified(self) -> str | None:
        """The update time, ``None`` when the page declares none or the publication time itself."""
        if not self._modified or (self._published and self._modified.utc <= self._published.utc):
            return None
        return self._modified.iso

    @property
    def modified_raw(self) -> str | None:
        return self._modified.raw if self.modified else None

    @cached_property
    def category(self) -> str | None:
        rule = self._rule("category")
        if rule:
            return rule[0]
        section = self.ld.get("articleSection")
        value = ld_text(section) or self._meta("article:section", "og:article:section", "section",
                                                "parsely-section", "category")
        if value:
            return value
        crumbs = breadcrumb_ld(self.ld_objects) or self._dom_breadcrumbs()
        crumbs = [c for c in crumbs if norm_phrase(c) not in _HOME_WORDS and not self._is_site_name(c)]
        title = norm_phrase(self.title or "")
        crumbs = [c for c in crumbs if norm_phrase(c) != title and not (title and norm_phrase(c) in title and len(c.split()) > 4)]
        if crumbs:
            return crumbs[-1]
        for el, tag, cls, id_, _ in self._elements:
            if tag != "a":
                continue
            rel = (el.get("rel") or "").lower().split()
            if "category" in rel or _category_attrs(f"{cls or ''} {id_ or ''}"):
                text = _txt(el)
                if text and len(text.split()) <= 5 and not _inside_chrome(el):
                    return text
        for el, tag, cls, id_, _ in self._elements:
            if tag not in ("span", "div", "p", "td", "li", "strong") or (cls is None and id_ is None):
                continue
            if _category_attrs(f"{cls or ''} {id_ or ''}") and len(el) <= 3:
                text = _txt(el)
                if text and len(text.split()) <= 4 and not _inside_chrome(el):
                    return text
        return None

    def _dom_breadcrumbs(self) -> list[str]:
        for el, _, cls, id_, _ in self._elements:
            label = el.get("aria-label")
            if cls is None and id_ is None and label is None:
                continue
            if _breadcrumb_attrs(f"{cls or ''} {id_ or ''} {label or ''}"):
                items = [_txt(a) for a in el.iter("a", "span", "li") if len(a) == 0]
                items = [i for i in items if i and i not in ("»", "›", "/", ">", "<", "«", "‹")]
                if items:
                    return list(dict.fromkeys(items))
        return []

    def _is_site_name(self, text: str) -> bool:
        if not self.site_name:
            return False
        a, b = norm_phrase(text), norm_phrase(self.site_name)
        return bool(a) and (a == b or a in b or b in a)

    @cached_property
    def author(self) -> str | None:
        rule = self._rule("author")
        names = list(rule or [])
        names += ld_people(self.ld.get("author"))
        meta_author = self._meta("author", "article:author", "dc.creator", "byl", "parsely-author")
        if meta_author and not meta_author.startswith("http"):
            names.append(meta_author)
        for name in itertools.chain(names, self._dom_bylines()):
            name = clean_text(_BYLINE_PREFIX.sub("", name))
            if name and not self._is_site_name(name) and len(name.split()) <= 8 \
                    and not name.startswith("http") and norm_phrase(name) not in ("", "admin"):
                return name
        return None

    def _dom_bylines(self) -> Iterator[str]:
        """Short texts of byline-like elements, lazily (read only when metadata names nobody)."""
        for el, _, cls, id_, prop in self._elements:
            rel = el.get("rel")
            if (cls is None and id_ is None and prop is None and rel is None) or len(el) > 4:
                continue
            attrs = f"{cls or ''} {id_ or ''} {rel or ''} {prop or ''}"
            if _author_attrs(attrs) and not _inside_chrome(el):
                text = _txt(el)
                if text and len(text.split()) <= 8:
                    yield text

    @cached_property
    def tags(self) -> list[str]:
        rule = self._rule("tags")
        tags = list(rule or [])
        tags += self.meta.get("article:tag", [])
        keywords = self.ld.get("keywords")
        if isinstance(keywords, str):
            tags += [k for k in re.split(r"[,،؛;]", keywords)]
        elif isinstance(keywords, list):
            tags += [str(k) for k in keywords]
        if not tags:
            for el, tag, _, _, _ in self._elements:
                if tag == "a" and "tag" in (el.get("rel") or "").lower().split():
                    tags.append(_txt(el))
        if not tags:
            for el, tag, cls, id_, _ in self._elements:
                if tag not in ("div", "ul", "p", "section", "span") or (cls is None and id_ is None):
                    continue
                if _tag_attrs(f"{cls or ''} {id_ or ''}"):
                    tags += [_txt(a) for a in el.iter("a")]
                    if tags:
                        break
        cleaned = [clean_text(t).lstrip("#").strip() for t in tags]
        return list(dict.fromkeys(t for t in cleaned if t and len(t.split()) <= 6))

    @cached_property
    def language(self) -> str | None:
        html = self.root.getroottree().getroot()
        declared = (html.get("lang") or html.get("xml:lang") or self._meta("og:locale", "language",
                    "content-language") or "").lower().replace("_", "-").split("-")[0] or None
        sample = (self.title or "") + " " + self.body[:2000]
        arabic = len(_ARABIC.findall(sample))
        latin = len(_LATIN.findall(sample))
        if arabic > latin:
            if len(_URDU.findall(sample)) > 0.01 * arabic:
                detected = "ur"
            elif len(_PERSIAN.findall(sample)) > 0.01 * arabic:
                detected = "fa"
            else:
                detected = "ar"
            if declared in ("ar", "fa", "ur", "ps", "ku", "ckb") and (declared == detected or
                                                                      detected == "ar"):
                return declared
            return detected
        return declared

    def links(self) -> list[str]:
        """Absolute URLs of every ``<a href>`` on the page (for the crawler; no second parse)."""
        urls = []
        for a in self.root.iter("a"):
            url = _absolute(self.base_url, a.get("href"))
            if url:
                urls.append(url)
        return urls

    # -- verdict -----------------------------------------------------------------------------------
    @cached_property
    def article_signals(self) -> int:
        signals = 0
        if self.ld:
            signals += 1
        if (self._meta("og:type") or "").lower() == "article":
            signals += 1
        if self._meta("article:published_time") or self.ld.get("datePublished"):
            signals += 1
        return signals

    @cached_property
    def rejection(self) -> str | None:
        """Why this page is not an archivable article (``None`` when it is).

        ``not_article``: a listing, hub or author page (teaser links, excerpts ending in "…", a
        page that declares itself a website/profile and has no article metadata);
        ``empty_body``: an article page without text (a video page, a removed story).
        """
        if self.root.find(".//body") is None and not self.body:
            return "not_html"
        paragraphs = self._body.paragraphs
        words = len(self.body.split())
        signals = self.article_signals
        og_type = (self._meta("og:type") or "").lower()
        excerpts = sum(1 for p in paragraphs if p.endswith(("…", "...", "[…]")))
        if self._body.headline_links >= 5 and (signals == 0 or words < 60):
            return "not_article"
        if signals == 0 and (excerpts >= 2 or (og_type in ("website", "profile") and words < 150)):
            return "not_article"
        if words < 25:
            return "empty_body" if signals else "not_article"
        return None

    def to_dict(self) -> dict[str, Any]:
        """Every field of the article item, plus ``errors``, ``is_amp``, ``amp_url``, ``encoding``.

        Never raises: a field whose extraction fails is empty and its error is listed (a parser
        bug on one page must not lose the page or stop the crawl)."""
        data: dict[str, Any] = {}
        for name in FIELDS + ("is_amp", "amp_url", "rejection"):
            if name == "site":
                data["site"] = self.rules.name
                continue
            try:
                data[name] = getattr(self, name)
            except Exception as exc:  # noqa: BLE001 - recorded, never raised
                data[name] = [] if name in ("tags", "related_links", "images") else (
                    "" if name == "body" else None)
                self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        data.update(encoding=self.decoded.encoding, extractor_version=EXTRACTOR_VERSION,
                    errors=list(self.errors))
        if data["rejection"]:
            data["errors"].append(f"not archived: {data['rejection']}")
        return data


def _select(tree: HtmlElement, query: str) -> list[HtmlElement]:
    selector = Selector(root=tree, type="html")
    nodes = selector.xpath(query[6:]) if query.startswith("xpath:") else selector.css(query.removeprefix("css:"))
    return [n.root for n in nodes if isinstance(n.root, HtmlElement)]


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")  # "@id" names the node, not the file
    return value if isinstance(value, str) and value.strip() else None


@lru_cache(maxsize=8192)
def _date_attrs(attrs: str) -> tuple[bool, bool]:
    """(names a date field, names a today's-date/clock widget): memoised, pages repeat class names."""
    return bool(_DATE_CLASS.search(attrs)), bool(_NOT_ARTICLE_DATE.search(attrs))


@lru_cache(maxsize=8192)
def _author_attrs(attrs: str) -> bool:
    return bool(_AUTHOR_CLASS.search(attrs))


@lru_cache(maxsize=8192)
def _breadcrumb_attrs(attrs: str) -> bool:
    lowered = attrs.lower()
    return "crumb" in lowered or "ariane" in lowered or "مسار" in attrs or bool(_PATH_CLASS.search(lowered))


@lru_cache(maxsize=8192)
def _category_attrs(attrs: str) -> bool:
    return bool(_CATEGORY_CLASS.search(attrs))


@lru_cache(maxsize=8192)
def _tag_attrs(attrs: str) -> bool:
    return bool(_TAG_CLASS.search(attrs))


_CHROME_CLASS = re.compile(r"sidebar|widget|footer|related|most-?read|popular|latest|ticker|breaking|"
                           r"recommend|more-?news|also", re.I)


@lru_cache(maxsize=8192)
def _chrome_attrs(attrs: str) -> bool:
    return bool(_CHROME_CLASS.search(attrs))


def _inside_chrome(el: HtmlElement) -> bool:
    """True when *el* sits in a sidebar, footer, nav, related or most-read block."""
    node = el.getparent()
    depth = 0
    while node is not None and depth < 12:
        if node.tag in ("aside", "footer", "nav"):
            return True
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
        if attrs.strip() and _chrome_attrs(attrs):
            return True
        node = node.getparent()
        depth += 1
    return False
