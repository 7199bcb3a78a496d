"""The ``news`` spider: drives the crawl of configured sites, or extracts one URL on demand.

It only discovers and schedules pages; extraction is :class:`newscrawl.pages.ArticlePage`.

- ``scrapy crawl news -a site=NAME[,NAME…]``: sitemaps (index → post and news sitemaps), feeds
  (RSS/Atom) and start pages; listing pages are followed by the site's ``listing_patterns``,
  articles by ``article_patterns``; links on article pages that match an article pattern are
  followed too (read-also links reach articles that no listing shows any more).
- ``scrapy crawl news -a url=URL``: one page, no config needed (a matching config is used if any).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from newscrawl.items import ArticleItem
from newscrawl.pages import ArticlePage
from newscrawl.siteconfig import SiteConfig, SiteRules, load_site, load_sites

__all__ = ["NewsSpider"]

_FEED_LINK_TAGS = ("link", "{http://www.w3.org/2005/Atom}link")


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, site: str | None = None, url: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not site and not url:
            raise ValueError("give -a site=NAME (a configured site, or several separated by commas) "
                             "or -a url=URL (one article on demand)")
        self.on_demand_url = url
        names = [s.strip() for s in (site or "").split(",") if s.strip()]
        self.sites: list[SiteConfig] = [load_site(n) for n in names]
        if url and not self.sites:
            host = _host(url)
            self.sites = [s for s in load_sites() if any(host == d or host.endswith("." + d)
                                                         for d in s.allowed_domains)][:1]
        self.allowed_domains = [d for s in self.sites for d in s.allowed_domains] if not url else []
        self.site_label = ",".join(s.name for s in self.sites) or None

    # -- routing ----------------------------------------------------------------------------------
    def site_for(self, url: str) -> SiteConfig | None:
        host = _host(url)
        for site in self.sites:
            if any(host == d or host.endswith("." + d) for d in site.allowed_domains):
                return site
        return None

    def route(self, url: str, *, referer_kind: str) -> scrapy.Request | None:
        """The request for a discovered *url*, or ``None`` when it is neither article nor listing."""
        site = self.site_for(url)
        if site is None:
            return None
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if site.is_article_url(parts.path) or site.is_article_url(path):
            return scrapy.Request(url, callback=self.parse_article, meta={"site": site.name,
                                  "found_via": referer_kind})
        if site.is_listing_url(path):
            if referer_kind == "article":
                return None
            return scrapy.Request(url, callback=self.parse_listing, meta={"site": site.name})
        if referer_kind in ("sitemap", "feed") and not any(p.search(path) for p in site.deny_patterns):
            # Sitemaps and feeds list articles: an entry no pattern describes is still a
            # candidate, and the page parser decides (a hub page is dropped as "not_article").
            return scrapy.Request(url, callback=self.parse_article, meta={"site": site.name,
                                  "found_via": referer_kind})
        return None

    async def start(self) -> AsyncIterator[Any]:
        if self.on_demand_url:
            yield scrapy.Request(self.on_demand_url, callback=self.parse_article,
                                 meta={"site": self.sites[0].name if self.sites else None,
                                       "on_demand": True}, dont_filter=True)
            return
        for site in self.sites:
            for url in site.sitemaps:
                yield scrapy.Request(url, callback=self.parse_sitemap, meta={"site": site.name})
            for url in site.feeds:
                yield scrapy.Request(url, callback=self.parse_feed, meta={"site": site.name})
            for url in site.start_urls:
                yield scrapy.Request(url, callback=self.parse_listing, meta={"site": site.name})

    # -- discovery ------------------------------------------------------------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(response.body)
        except (etree.XMLSyntaxError, ValueError) as exc:
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value("newscrawl/errors/bad_sitemap")
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            loc = urljoin(response.url, loc)
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_sitemap, meta=response.meta.copy())
            else:
                request = self.route(loc, referer_kind="sitemap")
                if request is not None:
                    yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            root = etree.fromstring(response.body, parser=etree.XMLParser(recover=True, resolve_entities=False,
                                                                           no_network=True))
        except etree.XMLSyntaxError as exc:
            self.logger.warning("unreadable feed %s: %s", response.url, exc)
            self.crawler.stats.inc_value("newscrawl/errors/bad_feed")
            return
        if root is None:
            return
        for el in root.iter():
            if not isinstance(el.tag, str) or etree.QName(el).localname != "link":
                continue
            href = el.get("href") or (el.text or "").strip()
            rel = el.get("rel", "alternate")
            if href and rel == "alternate":
                request = self.route(urljoin(response.url, href), referer_kind="feed")
                if request is not None:
                    yield request

    def _links(self, response: TextResponse) -> Iterator[str]:
        for href in response.css("a::attr(href)").getall():
            href = href.strip()
            if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
                yield response.urljoin(href)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        for url in self._links(response):
            request = self.route(url, referer_kind="listing")
            if request is not None:
                yield request

    # -- articles -----------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        site = self.site_for(response.url) or (self.sites[0] if self.sites and response.meta.get("on_demand") else None)
        rules = site.rules if site else SiteRules()
        fetched_at = datetime.now(UTC)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        page = ArticlePage(response.body, response.url, content_type=content_type, rules=rules,
                           fetched_at=fetched_at)
        data = page.to_dict()
        request_url = (response.meta.get("redirect_urls") or [response.request.url])[0]
        yield ArticleItem.from_page(
            data, request_url=request_url, response_url=response.url,
            redirect_urls=list(response.meta.get("redirect_urls") or []), status=response.status,
            fetched_at=fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"), content_type=content_type,
            html=response.body)
        if response.meta.get("on_demand") or not isinstance(response, TextResponse):
            return
        # The AMP version is fetched too: sites link it only from <link rel=amphtml>, and its own
        # links (e.g. "?noamp=mobile") are further addresses of the same article.
        for url in page.links() + ([page.amp_url] if page.amp_url else []):
            request = self.route(url, referer_kind="article")
            if request is not None:
                yield request
