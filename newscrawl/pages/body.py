"""Finding and cleaning the article text, and harvesting read-also / related links.

Readability-style scoring by hand, because none of the maintained extractors can be used as a
component here: trafilatura and readability-lxml return cleaned text, not the node and its links,
and they drop U+200C and read-also link targets (measured in ``bench/extraction.py``).

1. Related-link blocks are found first, anywhere on the page, by their heading text
   (:data:`~newscrawl.pages.boilerplate.RELATED_HEADINGS`); their links are kept, the blocks removed.
   Feed blocks ("الأكثر قراءة", "آخر الأخبار") are removed without keeping their links.
2. Text blocks (``<p>``, and ``<div>``/``<td>`` holding text between ``<br>``) score by their length
   without link text; each gives its score to its parent and half to its grand-parent.  Class/id
   names nudge the score (``entry-content`` up, ``sidebar`` down).
3. The best node (with same-parent siblings that scored well, and sibling ``<p>`` of prose) is
   cleaned of chrome and split into paragraphs.  Chrome: chrome tags, chrome class names (except a
   subheading that introduces prose), list items that are mostly a link (teasers); then short
   boilerplate lines, bylines, captions (a line repeating an image's alt text) and the short
   labels left after the last sentence (a byline, a date, a widget's heading) are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newscrawl.text import clean_text, norm_phrase

from .tree import Element as HtmlElement
from .tree import drop as _drop_node
from .tree import text_of
from .boilerplate import (CHROME_TAGS, could_be_headings, heading_kind, is_lead_class, is_meta_line, is_boilerplate_line, is_byline,
                          is_negative_class, is_positive_class)

__all__ = ["BodyResult", "extract_body", "harvest_related"]

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "p", "div",
                          "li", "header", "section", "legend", "label", "em", "i", "u", "dt", "th",
                          "font", "a", "td"})
BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
                        "pre", "td", "th", "tr", "table", "dd", "dt", "dl", "section", "article",
                        "header", "footer", "aside", "figure", "figcaption", "main", "address",
                        "center", "br", "hr", "tbody", "thead", "caption"})
TEXT_CONTAINERS = frozenset({"div", "td", "section", "article", "font", "span", "li", "dd",
                             "blockquote", "main", "center"})
MIN_BLOCK_CHARS = 25
SUBHEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
#: How sentences end, in the scripts we meet (a paragraph of prose ends with one of these).
SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？", "؟", "।", "॥", "»", '"', "”", "'", "’", "」", "』")
#: A last paragraph this short that does not end a sentence is a label (byline, date, widget
#: heading), not the end of the article.
LIST_ITEM_TAGS = frozenset({"li", "td", "th", "dd", "dt"})
TRAILING_LABEL_WORDS = 6
TRAILING_LABEL_CHARS = 60
LIST_TAGS = frozenset({"ul", "ol", "div", "p", "section", "nav", "aside", "table", "dl"})


@dataclass(slots=True)
class BodyResult:
    paragraphs: list[str] = field(default_factory=list)
    related_links: list[dict[str, str]] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    headline_links: int = 0         #: links with headline-like text left in the container
    teasers: int = 0                #: headings linking elsewhere outside chrome (listing pages)
    container_found: bool = False


def _text(el: HtmlElement) -> str:
    return " ".join(text_of(el).split())


def _attrs(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _drop(el: HtmlElement) -> None:
    _drop_node(el)


def _link_text_len(el: HtmlElement) -> int:
    return sum(len(" ".join(text_of(a).split())) for a in el.iter("a"))


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "whatsapp:", "data:")):
        return None
    url = urljoin(base, href)
    return url if urlsplit(url).scheme in ("http", "https") else None


# -- 1. related blocks ------------------------------------------------------------------------
def _lead_text(el: HtmlElement) -> str:
    """Text an element starts with, before its first link (a heading inside a paragraph)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "a":
            break
        if isinstance(child.tag, str):
            parts.append(text_of(child) if len(child) < 4 else (child.text or ""))
        parts.append(child.tail or "")
        if sum(map(len, parts)) > 80:
            break
    return " ".join("".join(parts).split())


def _is_linkish(el: HtmlElement) -> bool:
    text = _text(el)
    return bool(text) and _link_text_len(el) >= 0.6 * len(text) and el.find(".//a") is not None


def _block_for_heading(heading: HtmlElement) -> list[HtmlElement]:
    """The elements that make up the block a related/feed heading introduces."""
    # (a) the heading element is itself the box ("<div class=related>أخبار ذات صلة<ul>…")
    if heading.tag not in ("a", "p") and any(_headline_link(a) for a in heading.iter("a")) \
            and len(_text(heading)) - _link_text_len(heading) <= 300:
        return [heading]
    # (b) a wrapper that holds the heading and a list of headline links, and little else
    node, own = heading, heading
    for _ in range(6):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        links = [a for a in parent.iter("a") if not _inside(a, own)]
        if any(_headline_link(a) for a in links):
            text_len = len(_text(parent)) - len(_text(own))
            link_len = sum(len(_text(a)) for a in links)
            # Teaser dates and "more" labels are fine; paragraphs of prose mean the wrapper also
            # holds the article (or a whole column), which must not be removed with the block.
            prose = text_len - link_len
            if len(links) <= 40 and link_len >= 0.55 * max(text_len, 1) \
                    and prose <= 300 + 0.1 * link_len and parent.find(".//h1") is None:
                return [parent]
            break
        node = parent
        own = parent
    # (c) a heading followed by sibling link lists (in-body "إقرأ أيضا:" + <ul>)
    start = heading
    while start.getparent() is not None and start.getnext() is None and start.getparent().tag in (
            "strong", "b", "span", "em", "font", "u"):
        start = start.getparent()
    if start.tag in ("strong", "b", "span", "em", "font", "u") and start.getparent() is not None \
            and start.getparent().tag in ("p", "div", "h2", "h3", "h4", "h5", "h6"):
        start = start.getparent()
    # (d) table layouts: the heading is the only cell of its row, the links fill the next rows
    row = start.getparent() if start.tag in ("td", "th") else None
    if row is not None and row.tag == "tr" and len(row) == 1:
        start = row
    follows = LIST_TAGS | {"h3", "h4", "h5", "li"} | ({"tr"} if start.tag == "tr" else set())
    block, sibling = [start], start.getnext()
    while sibling is not None and len(block) < 12:
        if sibling.tag in ("ul", "ol") or (sibling.tag in follows and _is_linkish(sibling)):
            block.append(sibling)
            sibling = sibling.getnext()
            continue
        break
    if len(block) == 1 and start.find(".//a") is not None and _lead_text(start) \
            and len(_text(start)) <= 300:
        return block                      # "اقرأ أيضاً: <a>…</a>" in one paragraph
    return block if len(block) > 1 else []


def _anchor_text(a: HtmlElement) -> str:
    """A link's headline: its text, else its title or its image's alt (image-only teaser links)."""
    text = clean_text(text_of(a)) or clean_text(a.get("title"))
    if not text:
        img = a.find(".//img")
        text = clean_text(img.get("alt")) if img is not None else ""
    return text if len(text.split()) >= 3 else ""


def _headline_link(a: HtmlElement) -> bool:
    """A link to another story (not the block's own "مقالات ذات صلة" title link)."""
    text = _anchor_text(a)
    return bool(text) and heading_kind(text) is None


def _inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


_SHORT_TEXTS = etree.XPath("//text()[string-length(normalize-space()) > 2 and string-length(normalize-space()) < 61]")


def _heading_candidates(root: HtmlElement) -> list[HtmlElement]:
    """Elements whose text starts like a related/feed heading, outermost wrapper of that text
    first, in document order.  Walks the short text nodes (an XPath in C) instead of every element."""
    candidates: list[HtmlElement] = []
    seen: set[HtmlElement] = set()
    nodes = _SHORT_TEXTS(root)
    for node, possible in zip(nodes, could_be_headings([str(node) for node in nodes])):
        if not possible:
            continue
        el = node.getparent()
        if el is None:
            continue
        if node.is_tail:
            el = el.getparent()
            if el is None:
                continue
        text = _text(el)
        while True:
            parent = el.getparent()
            if parent is None or parent.tag not in HEADING_TAGS or _text(parent) != text:
                break
            el = parent
        if el.tag in HEADING_TAGS and el not in seen:
            seen.add(el)
            candidates.append(el)
        # the box around the heading may itself start with it ("<div>أخبار ذات صلة<ul>…")
        parent = el.getparent()
        if parent is not None and parent.tag in HEADING_TAGS and parent not in seen and len(parent) <= 6:
            seen.add(parent)
            candidates.insert(len(candidates) - 1 if candidates and candidates[-1] is el else len(candidates), parent)
    return candidates


def harvest_related(root: HtmlElement, base_url: str, page_url: str) -> list[dict[str, str]]:
    """Remove read-also/related and feed blocks from *root*; return the related links in order."""
    found: list[tuple[str, list[HtmlElement]]] = []
    claimed: set[HtmlElement] = set()
    for el in _heading_candidates(root):
        if el in claimed or len(el) > 6:
            continue
        text = _text(el) if len(el) <= 3 else _lead_text(el)
        kind = heading_kind(text) if len(text) <= 60 else None
        if kind is None and el.find(".//a") is not None:
            lead = _lead_text(el)
            kind = heading_kind(lead) if lead and len(lead) < len(text) else None
            if kind is None:
                continue
        if kind is None:
            continue
        block = _block_for_heading(el)
        if not block:
            continue
        for part in block:
            for sub in part.iter():
                claimed.add(sub)
        found.append((kind, block))
    links: list[dict[str, str]] = []
    seen: set[str] = {page_url}
    for kind, block in found:
        if kind == "related":
            for part in block:
                for a in part.iter("a"):
                    url = _absolute(base_url, a.get("href"))
                    text = _anchor_text(a)
                    if url and url not in seen and text:
                        seen.add(url)
                        links.append({"url": url, "text": text})
        for part in block:
            _drop(part)
    return links


# -- 2. container scoring -----------------------------------------------------------------------
def _own_text_len(el: HtmlElement) -> int:
    """Characters of text directly in *el* or in its inline children (not in nested blocks)."""
    text = el.text
    total = len(text.strip()) if text else 0
    for child in el:
        tag = child.tag
        if tag not in BLOCK_TAGS and isinstance(tag, str):
            text = text_of(child) if len(child) else child.text
            if text:
                total += len(" ".join(text.split()))
        tail = child.tail
        if tail:
            total += len(tail.strip())
    return total


def _class_weight(el: HtmlElement) -> float:
    names = _attrs(el)
    if not names.strip():
        return 1.0
    weight = 1.0
    if is_negative_class(names):
        weight *= 0.3
    if is_positive_class(names):
        weight *= 1.5
    if el.get("itemprop") in ("articleBody", "text"):
        weight *= 2.0
    return weight


def _best_containers(root: HtmlElement) -> list[HtmlElement]:
    scores: dict[HtmlElement, float] = {}
    for el in root.iter("p", "pre", *TEXT_CONTAINERS):
        if el.tag in ("p", "pre"):
            text = text_of(el)
            length = len(" ".join(text.split()))
            if length < MIN_BLOCK_CHARS:
                continue
            links = sum(len(_text(a)) for a in el.iter("a"))
        else:
            length = _own_text_len(el)
            if length < MIN_BLOCK_CHARS:
                continue
            text = text_of(el)
            links = sum(len(_text(a)) for a in el if a.tag == "a")
        density = min(links / max(length, 1), 1.0)
        score = length * (1.0 - density) * (1.0 + 0.3 * min(_punct(text), 5))
        if score <= 0:
            continue
        host = el if el.tag not in ("p", "pre") else el.getparent()
        if host is None:
            continue
        scores[host] = scores.get(host, 0.0) + score
        grand = host.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    if not scores:
        return []
    ranked = sorted(((s * _class_weight(el), el) for el, s in scores.items()), key=lambda x: -x[0])
    best_score, best = ranked[0]
    if best.tag in ("body", "html") and len(ranked) > 1 and ranked[1][0] > 0.5 * best_score:
        best_score, best = ranked[1]
    parent = best.getparent()
    if parent is None:
        return [best]
    floor = max(0.25 * best_score, 200)
    chosen = [sibling for sibling in parent if sibling is best or (
        isinstance(sibling.tag, str) and scores.get(sibling, 0) * _class_weight(sibling) >= floor)]
    # Paragraphs of prose right before or after the chosen block(s) (empty elements between them,
    # such as picture wrappers, are passed over).
    kept = set(chosen)
    for step in (_previous, _next):
        node = step(chosen[0] if step is _previous else chosen[-1])
        while node is not None:
            if node.tag == "p" and _sibling_paragraph(node):
                kept.add(node)
            elif not isinstance(node.tag, str) or _text(node):
                break
            node = step(node)
    return [sibling for sibling in parent if sibling in kept]


def _previous(el: HtmlElement) -> HtmlElement | None:
    return el.getprevious()


def _next(el: HtmlElement) -> HtmlElement | None:
    return el.getnext()


def _sibling_paragraph(p: HtmlElement) -> bool:
    """A ``<p>`` beside the text block that is prose too (often the first paragraph, set apart
    from the rest by the CMS): long with few links, or a whole sentence without links
    (readability's rule for sibling paragraphs)."""
    text = _text(p)
    names = _attrs(p)
    if len(text) < MIN_BLOCK_CHARS or is_negative_class(names) or is_lead_class(names):
        return False                      # a standfirst is _find_lead's (it knows its repeats)
    links = _link_text_len(p)
    return (len(text) >= 80 and links < 0.25 * len(text)) or (links == 0 and text.endswith(SENTENCE_ENDS))


def _punct(text: str) -> int:
    return text.count("،") + text.count(".") + text.count("؛") + text.count(",")


# -- 3. cleaning and paragraphs ------------------------------------------------------------------
def _introduces_prose(heading: HtmlElement) -> bool:
    """True when *heading* is followed by a paragraph of prose: an in-article subheading, whatever
    its class says ("widget-title" on a CMS's text blocks).  Pictures between them are skipped."""
    if len(_text(heading)) > 150:
        return False
    sibling = heading.getnext()
    for _ in range(4):
        if sibling is None:
            return False
        text = _text(sibling) if isinstance(sibling.tag, str) else ""
        if text:
            return len(text) >= 80 and _link_text_len(sibling) < 0.3 * len(text) \
                and not is_negative_class(_attrs(sibling))
        sibling = sibling.getnext()
    return False


def _clean_container(container: HtmlElement) -> int:
    """Remove chrome from *container*; return the count of headline links in the teasers removed
    (a listing page is still told apart by them, see :attr:`BodyResult.headline_links`)."""
    total = len(_text(container)) or 1
    doomed = []
    teaser_links = 0
    for el in container.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        if el.tag in CHROME_TAGS or el.tag == "h1":
            doomed.append(el)
            continue
        if el.tag == "li":
            # a list item that is mostly a link is a teaser (headline, excerpt, date), not text
            length = len(_text(el))
            if length and _link_text_len(el) >= 0.6 * length:
                doomed.append(el)
                teaser_links += sum(len(text_of(a).split()) >= 4 for a in el.iter("a"))
                continue
        names = _attrs(el)
        if is_negative_class(names) and el.get("itemprop") not in ("articleBody", "text"):
            if el.tag in SUBHEADING_TAGS and _introduces_prose(el):
                continue
            if len(_text(el)) < 0.5 * total:
                doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            _drop(el)
    return teaser_links


def _paragraphs(containers: Iterable[HtmlElement]) -> tuple[list[tuple[str, int, str]], int]:
    """Text chunks split at block boundaries, each with its count of link characters and the tag
    of the block it is the text of; and the count of headline-like links."""
    chunks: list[tuple[str, int, str]] = []
    buf: list[str] = []
    link_chars = 0
    headline_links = 0
    link_depth = 0
    blocks: list[str] = []                # the block elements open at this point of the walk

    def flush() -> None:
        nonlocal buf, link_chars
        text = clean_text("".join(buf))
        if text:
            chunks.append((text, link_chars, blocks[-1] if blocks else ""))
        buf, link_chars = [], 0

    for container in containers:
        for event, el in etree.iterwalk(container, events=("start", "end")):
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                if tag in BLOCK_TAGS:
                    flush()
                    blocks.append(tag)
                if tag == "a":
                    link_depth += 1
                    if len((text_of(el) or "").split()) >= 4:
                        headline_links += 1
                if el.text and tag:
                    buf.append(el.text)
                    if link_depth:
                        link_chars += len(el.text.strip())
            else:
                if tag == "a":
                    link_depth -= 1
                if tag in BLOCK_TAGS:
                    flush()
                    blocks.pop()
                if el.tail and el is not container:
                    buf.append(el.tail)
                    if link_depth:
                        link_chars += len(el.tail.strip())
        flush()
    return chunks, headline_links


LEAD_TAGS = ("p", "h2", "div", "span", "h3")


def _precedes(a: HtmlElement, b: HtmlElement) -> bool:
    """True when *a* comes before *b* in document order (and is not inside it)."""
    ancestors_b = {id(x): x for x in [b, *b.iterancestors()]}
    if id(a) in ancestors_b:
        return False
    child_a = a
    for node in a.iterancestors():
        if id(node) in ancestors_b:
            if node is b:
                return False          # a is inside b
            child_b = b
            while child_b.getparent() is not node:
                child_b = child_b.getparent()
            return node.index(child_a) < node.index(child_b)
        child_a = node
    return False


def _find_lead(root: HtmlElement, container: HtmlElement) -> str | None:
    """The standfirst/summary paragraph shown between the headline and the text (``p.lead``,
    ``.summary``, ``.standfirst``, ``.chapo``, an ``<h2>`` right after the ``<h1>``): part of the
    article, but outside its text container."""
    # Only elements before the container can be its standfirst: the walk stops at the container.
    candidates = []
    for el in root.iter(*LEAD_TAGS, container.tag):
        if el is container:
            break
        if el.tag in LEAD_TAGS and (is_lead_class(el.get("class") or "")
                                    or el.get("itemprop") == "description"):
            candidates.append(el)
    h1 = root.find(".//h1")
    if h1 is not None:
        following = h1.getnext()
        if following is not None and following.tag in ("h2", "p", "div"):
            candidates.append(following)
    for el in candidates:
        text = clean_text(text_of(el))
        words = len(text.split())
        if not 8 <= words <= 150 or _link_text_len(el) > 0.3 * len(text):
            continue
        if _negative_text_len(el) >= 0.5 * len(text):
            continue                      # an author/date line under the headline, not a standfirst
        if _precedes(el, container) and not is_negative_class(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return text
    return None


def _negative_text_len(el: HtmlElement) -> int:
    """Characters of *el*'s text inside descendants with a chrome class (byline, date, share…)."""
    total, stack = 0, list(el)
    while stack:
        sub = stack.pop()
        if not isinstance(sub.tag, str):
            continue
        if is_negative_class(_attrs(sub)):
            total += len(_text(sub))
        else:
            stack.extend(sub)
    return total


def count_teasers(root: HtmlElement) -> int:
    """Headings that link to another page (teaser cards), outside nav/footer/aside.  A listing or
    hub page has many; an article has few once its related blocks are removed."""
    count = 0
    for heading in root.iter("h2", "h3", "h4"):
        link = heading.find(".//a")
        if link is None and heading.getparent() is not None and heading.getparent().tag == "a":
            link = heading.getparent()
        if link is None or len(_text(heading).split()) < 4:
            continue
        node, chrome = heading.getparent(), False
        while node is not None:
            if node.tag in ("nav", "footer", "aside"):
                chrome = True
                break
            node = node.getparent()
        count += not chrome
    return count


def extract_body(root: HtmlElement, *, title: str | None = None) -> BodyResult:
    """Paragraphs of the article in *root* (which is modified: read metadata first)."""
    result = BodyResult(teasers=count_teasers(root))
    containers = _best_containers(root)
    if not containers:
        return result
    result.container_found = True
    lead = _find_lead(root, containers[0])
    # A lead picture placed just before the text block (older CMSs) belongs to the article.
    sibling = containers[0].getprevious()
    for _ in range(3):
        if sibling is None:
            break
        if sibling.tag in ("img", "amp-img"):
            result.images.append(sibling)
        elif sibling.tag in ("figure", "div", "p", "a") and len(_text(sibling)) < 200:
            result.images += list(sibling.iter("img", "amp-img"))
        sibling = sibling.getprevious()
    result.images.reverse()
    # A short line that repeats an image's alt text is its caption.
    alts: set[str] = set()
    teaser_links = 0
    for container in containers:
        for img in container.iter("img", "amp-img"):
            result.images.append(img)  # type: ignore[arg-type]
            alt = norm_phrase(img.get("alt") or "")
            if len(alt.split()) >= 2:
                alts.add(alt)
        teaser_links += _clean_container(container)
    chunks, headline_links = _paragraphs(containers)
    result.headline_links = headline_links + teaser_links
    if lead:
        # The text often starts by repeating the standfirst (then it is not added twice); a
        # standfirst much longer than the first paragraph summarises the article instead.
        lead_phrase = norm_phrase(lead)
        first = norm_phrase(chunks[0][0]) if chunks else ""
        if not (lead_phrase[:80] in first and len(first) >= 0.8 * len(lead_phrase)):
            chunks.insert(0, (lead, 0, "p"))
    title_phrase = norm_phrase(title) if title else None
    kept: list[tuple[str, str]] = []
    for text, links, block in chunks:
        words = len(text.split())
        if links and links >= 0.6 * len(text) and words <= 20:
            continue                      # a stray link line: navigation, tag, "more"
        phrase = norm_phrase(text)
        if is_boilerplate_line(text, phrase) or is_byline(text, phrase) or is_meta_line(text):
            continue
        if title_phrase and words < 40 and phrase == title_phrase:
            continue
        if words <= 20 and phrase in alts:
            continue
        kept.append((text, block))
    # Short labels after the last sentence go; the items of a final list or table stay.
    while len(kept) > 1 and kept[-1][1] not in LIST_ITEM_TAGS and _trailing_label(kept[-1][0]):
        kept.pop()
    result.paragraphs = [text for text, _ in kept]
    return result


def _trailing_label(text: str) -> bool:
    """A short last line that ends no sentence: a byline, a date, the heading of a widget that
    follows the article ("Lê Phương", "1月13日", "おすすめ情報")."""
    return len(text.split()) <= TRAILING_LABEL_WORDS and len(text) <= TRAILING_LABEL_CHARS \
        and not text.rstrip().endswith(SENTENCE_ENDS)
