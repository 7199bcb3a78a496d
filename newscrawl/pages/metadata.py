"""Page metadata: JSON-LD, OpenGraph / ``article:*`` / named meta tags, microdata.

Each reader returns plain values and never raises: a broken JSON-LD block is logged and skipped
(sites ship trailing commas, raw newlines in strings, several objects concatenated, HTML comments).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

__all__ = ["json_ld_objects", "article_ld", "meta_map", "ld_text", "ld_people", "breadcrumb_ld"]

ARTICLE_TYPES = frozenset({
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting", "report",
    "scholarlyarticle", "socialmediaposting", "techarticle", "advertisercontentarticle",
})

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _loads(raw: str) -> Any:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    fixed = _TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", raw))
    try:
        return json.loads(fixed, strict=False)
    except ValueError:
        # Several objects back to back: "{...}{...}" or "{...}\n{...}"
        decoder, pos, found = json.JSONDecoder(strict=False), 0, []
        while pos < len(fixed):
            while pos < len(fixed) and fixed[pos] not in "{[":
                pos += 1
            if pos >= len(fixed):
                break
            try:
                obj, pos = decoder.raw_decode(fixed, pos)
            except ValueError:
                break
            found.append(obj)
        if found:
            return found
        raise


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(obj, list):
        for item in obj:
            yield from _walk(item, depth + 1)
    elif isinstance(obj, dict):
        yield obj
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in obj:
                yield from _walk(obj[key], depth + 1)


def json_ld_objects(root: etree._Element) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` and lists flattened."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = _loads(script.text or "")
        except ValueError as exc:
            logger.debug("broken JSON-LD block skipped: %s", exc)
            continue
        objects.extend(_walk(data))
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def article_ld(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The first Article-like JSON-LD object, or ``{}``."""
    for obj in objects:
        if _types(obj) & ARTICLE_TYPES:
            return obj
    for obj in objects:  # WebPage with article fields (some CMSs)
        if "headline" in obj or "datePublished" in obj:
            return obj
    return {}


def breadcrumb_ld(objects: list[dict[str, Any]]) -> list[str]:
    """Names of a BreadcrumbList, in order."""
    for obj in objects:
        if "breadcrumblist" in _types(obj):
            items = obj.get("itemListElement") or []
            if isinstance(items, dict):
                items = [items]
            named = []
            for item in sorted((i for i in items if isinstance(i, dict)),
                               key=lambda i: _position(i.get("position"))):
                name = item.get("name")
                inner = item.get("item")
                if not name and isinstance(inner, dict):
                    name = inner.get("name")
                if isinstance(name, str) and name.strip():
                    named.append(name.strip())
            return named
    return []


def _position(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def ld_text(value: Any) -> str | None:
    """A JSON-LD value as one string (first of a list, ``name`` of an object)."""
    if isinstance(value, list):
        for item in value:
            text = ld_text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return ld_text(value.get("name") or value.get("@value") or value.get("url") or value.get("@id"))
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return text or None
    return None


def ld_people(value: Any) -> list[str]:
    """Author names from a JSON-LD ``author`` value (string, object or list)."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = ld_text(name)
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def meta_map(root: etree._Element) -> dict[str, list[str]]:
    """``<meta>`` values by lower-cased ``property``/``name``/``itemprop``, in page order."""
    found: dict[str, list[str]] = {}
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        value = meta.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), []).append(value.strip())
    return found
