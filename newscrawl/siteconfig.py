"""Site configurations: declarative TOML files, one per site, under ``newscrawl/sites/``.

A config is data only: names, URLs, regular expressions and selectors.  Nothing in it is evaluated.

.. code-block:: toml

    name = "shamtimes"
    title = "شام تايمز"
    allowed_domains = ["shamtimes.test"]
    start_urls = ["http://www.shamtimes.test/"]
    sitemaps = ["http://www.shamtimes.test/sitemap.xml"]
    feeds = ["http://www.shamtimes.test/feed/"]
    article_patterns = ['^/\\d{4}/\\d{2}/\\d{2}/[^/]+/?$']
    listing_patterns = ['^/category/']
    timezone = "Asia/Damascus"

    [selectors]            # optional: override the generic extractor for these fields only
    category = "css:.post-cat"
    [drop]
    selectors = ["css:.ad-slot"]
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["SiteRules", "SiteConfig", "load_site", "load_sites", "SiteConfigError", "UnknownSite",
           "SITES_DIR"]

SITES_DIR = Path(__file__).parent / "sites"
SELECTOR_FIELDS = frozenset({"title", "body", "category", "published", "modified", "author", "tags"})


class SiteConfigError(ValueError):
    """A site config file is invalid; the message names the file and the key."""


class UnknownSite(KeyError):
    """No config file for that site name."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class SiteRules:
    """What the page parser needs from a site config."""

    name: str | None = None
    timezone: str | None = None
    day_first: bool = True
    selectors: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteConfig:
    name: str
    title: str = ""
    allowed_domains: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article_patterns: tuple[re.Pattern[str], ...] = ()
    listing_patterns: tuple[re.Pattern[str], ...] = ()
    deny_patterns: tuple[re.Pattern[str], ...] = ()
    timezone: str = "UTC"
    day_first: bool = True
    enabled: bool = True
    max_listing_pages: int = 50
    download_delay: float | None = None
    concurrency: int | None = None
    revisit_hours: float | None = None
    selectors: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    path: str | None = None

    @property
    def rules(self) -> SiteRules:
        return SiteRules(self.name, self.timezone, self.day_first, dict(self.selectors), self.drop)

    def is_article_url(self, path_and_query: str) -> bool:
        return any(p.search(path_and_query) for p in self.article_patterns) and \
            not any(p.search(path_and_query) for p in self.deny_patterns)

    def is_listing_url(self, path_and_query: str) -> bool:
        return any(p.search(path_and_query) for p in self.listing_patterns) and \
            not any(p.search(path_and_query) for p in self.deny_patterns)


def _patterns(data: dict[str, Any], key: str, source: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in data.get(key, []):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SiteConfigError(f"{source}: {key}: bad regular expression {pattern!r}: {exc}") from exc
    return tuple(compiled)


def parse_site(data: dict[str, Any], source: str = "<config>") -> SiteConfig:
    """Validate a config mapping and build a :class:`SiteConfig`."""
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise SiteConfigError(f"{source}: 'name' is required")
    timezone = data.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SiteConfigError(f"{source}: timezone {timezone!r} is not an IANA zone name") from exc
    selectors = data.get("selectors", {})
    unknown = set(selectors) - SELECTOR_FIELDS
    if unknown:
        raise SiteConfigError(f"{source}: selectors for unknown fields {sorted(unknown)}; "
                              f"known: {sorted(SELECTOR_FIELDS)}")
    politeness = data.get("politeness", {})
    return SiteConfig(
        name=data["name"], title=data.get("title", ""),
        allowed_domains=tuple(data.get("allowed_domains", [])),
        start_urls=tuple(data.get("start_urls", [])), sitemaps=tuple(data.get("sitemaps", [])),
        feeds=tuple(data.get("feeds", [])),
        article_patterns=_patterns(data, "article_patterns", source),
        listing_patterns=_patterns(data, "listing_patterns", source),
        deny_patterns=_patterns(data, "deny_patterns", source),
        timezone=timezone, day_first=bool(data.get("day_first", True)),
        enabled=bool(data.get("enabled", True)),
        max_listing_pages=int(data.get("max_listing_pages", 50)),
        download_delay=politeness.get("download_delay"), concurrency=politeness.get("concurrency"),
        revisit_hours=politeness.get("revisit_hours"),
        selectors={k: str(v) for k, v in selectors.items()},
        drop=tuple(data.get("drop", {}).get("selectors", [])), path=source)


def sites_dirs() -> list[Path]:
    """Config folders: ``$NEWSCRAWL_SITES`` (``os.pathsep``-separated) first, then the bundled one."""
    extra = [Path(p) for p in os.environ.get("NEWSCRAWL_SITES", "").split(os.pathsep) if p]
    return extra + [SITES_DIR]


def load_site(name: str) -> SiteConfig:
    """The config of site *name* (a name, or a path to a ``.toml`` file)."""
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.exists():
        return _load(candidate)
    for folder in sites_dirs():
        path = folder / f"{name}.toml"
        if path.exists():
            return _load(path)
    known = ", ".join(sorted(s.name for s in load_sites())) or "none"
    raise UnknownSite(f"no site config named {name!r} (known: {known})")


def load_sites(*, enabled_only: bool = False) -> list[SiteConfig]:
    seen: dict[str, SiteConfig] = {}
    for folder in sites_dirs():
        for path in sorted(folder.glob("*.toml")):
            site = _load(path)
            seen.setdefault(site.name, site)
    sites = list(seen.values())
    return [s for s in sites if s.enabled] if enabled_only else sites


def _load(path: Path) -> SiteConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_site(data, str(path))
