"""The ``news`` spider: drives the crawl of configured sites, or extracts one URL on demand.

It only discovers and schedules pages; extraction is :class:`newscrawl.pages.ArticlePage`.

- ``scrapy crawl news -a site=NAME[,NAME…]``: sitemaps (index → post and news sitemaps), feeds
  (RSS/Atom) and start pages; listing pages are followed by the site's ``listing_patterns``,
  articles by ``article_patterns``; links on article pages that match an article pattern are
  followed too (read-also links reach articles that no listing shows any more).
- ``scrapy crawl news -a url=URL``: one page, no config needed (a matching config is used if any).

Incremental by default (see :mod:`newscrawl.middlewares.incremental` for the per-article
decision): sitemaps, feeds and listing pages are always fetched, but

- a sitemap entry whose ``lastmod`` (in a news sitemap: ``news:publication_date``) is older than
  what the last successful run saw in that sitemap (its watermark, on the site's own clock, minus
  ``NEWSCRAWL_LASTMOD_SLACK_HOURS``) is skipped;
- a listing's pagination is followed one page at a time (its ``rel=next`` link, else the next page
  number), and not at all once every article the page links to was already known when the site's
  last successful run finished (``max_listing_pages`` bounds it in any case);
- article URLs whose last fetch failed for a reason that may go away are queued again at start.

Every request carries ``meta["kind"]`` (``sitemap``/``feed``/``listing``/``article``), the site's
download slot, and an errback that announces failures on the :data:`request_failed` signal.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from archive.crawlstate import CrawlState, parse_timestamp, utc_timestamp
from archive.urls import url_key
from newscrawl.extensions.politeness import apply_site_politeness
from newscrawl.extensions.runguard import crawlstate_for
from newscrawl.items import ArticleItem
from newscrawl.pages import ArticlePage
from newscrawl.siteconfig import SiteConfig, SiteRules, load_site, load_sites

__all__ = ["NEXT_PAGE_LINKS", "PAGINATION_LINKS", "NewsRequest", "NewsSpider", "RecentSet", "news_publication_dates",
           "next_page", "request_failed"]

#: Signal sent for every request that ends in an error (``failure``, ``request``, ``spider``).
request_failed = object()

_FEED_LINK_TAGS = ("link", "{http://www.w3.org/2005/Atom}link")

#: Where listing pages put their "next page" links (CSS, ``::attr(href)``).
PAGINATION_LINKS = ", ".join(f"{css}::attr(href)" for css in (
    "link[rel~=next]", "a[rel~=next]", ".pagination a", ".pager a", ".pages-nav a", "a.page-numbers",
    ".nav-links a", ".wp-pagenavi a", ".page-nav a"))


_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def news_publication_dates(body: bytes) -> dict[str, str]:
    """``loc`` → ``news:publication_date`` of a Google News sitemap, whose entries have no
    ``lastmod``; empty for any other sitemap."""
    if _NEWS_NS.encode() not in body[:4096]:
        return {}
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:
        return {}
    dates = {}
    for url in root.iter(f"{_SITEMAP_NS}url"):
        loc = url.findtext(f"{_SITEMAP_NS}loc")
        published = url.findtext(f".//{{{_NEWS_NS}}}publication_date")
        if loc and published:
            dates[loc.strip()] = published.strip()
    return dates


class NewsRequest(scrapy.Request):
    """A request whose callback and errback are spider methods named by their ``__name__``.

    Only its serialization differs: Scrapy finds a callback's name with ``inspect.getmembers`` on
    the spider, which made writing each request to the job directory's disk queue cost more than
    fetching it."""

    def to_dict(self, *, spider: scrapy.Spider | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {"url": self.url, "headers": dict(self.headers),
                             "_class": f"{type(self).__module__}.{type(self).__name__}"}
        for name in ("callback", "errback"):
            method = getattr(self, name)
            d[name] = _method_name(spider, method) if callable(method) else method
        for attr in self.attributes:
            d.setdefault(attr, getattr(self, attr))
        return d


def _method_name(spider: scrapy.Spider | None, method: Any) -> str:
    name = getattr(method, "__name__", "")
    bound = getattr(spider, name, None)
    if getattr(bound, "__func__", None) is getattr(method, "__func__", object()):
        return name
    raise ValueError(f"{method} is not a method of {spider}")


#: How many of the URLs last routed from article pages are remembered (see :class:`RecentSet`).
FOLLOWED_MEMORY = 50_000


class RecentSet:
    """The *size* most recently added strings: a bounded memory of what was just seen.

    Article pages repeat the same sidebar and menu links; remembering the recent ones skips them
    before a Request is built, without keeping every URL of the crawl in memory (Scrapy's
    duplicate filter still has the last word)."""

    def __init__(self, size: int):
        self.size = size
        self._items: dict[str, None] = {}

    def __contains__(self, item: str) -> bool:
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: str) -> bool:
        """Remember *item*; False if it was already there."""
        if item in self._items:
            return False
        self._items[item] = None
        if len(self._items) > self.size:
            del self._items[next(iter(self._items))]
        return True


#: A "next page" link a page declares (``rel=next``): preferred to guessing from page numbers.
NEXT_PAGE_LINKS = "link[rel~=next]::attr(href), a[rel~=next]::attr(href)"
_NUMBER = re.compile(r"\d+")


def next_page(current: str, candidates: Iterable[str]) -> str | None:
    """The pagination link that follows *current*: the lowest page number above its own.

    The page number is the last number of a URL's path and query (``/page/3/``, ``/97/3``,
    ``p3.html``, ``?page=3``); a first page often has none (``/news/``), and is page 1."""
    here_numbers = [int(n) for n in _NUMBER.findall(_path_and_query(current))]
    best: tuple[int, str] | None = None
    for url in candidates:
        numbers = [int(n) for n in _NUMBER.findall(_path_and_query(url))]
        if not numbers or url == current:
            continue
        here = here_numbers[-1] if len(here_numbers) == len(numbers) else 1
        if numbers[-1] > here and (best is None or numbers[-1] < best[0]):
            best = (numbers[-1], url)
    return best[1] if best else None


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


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
        self.crawlstate: CrawlState | None = None
        self.settled: dict[str, str | None] = {}
        self.watermarks: dict[str, str] = {}
        self.seen_lastmod: dict[str, tuple[str, str]] = {}
        self._followed = RecentSet(FOLLOWED_MEMORY)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.sites and not spider.on_demand_url and not settings.frozen:
            apply_site_politeness(settings, spider.sites)     # the job directory: .runguard
        return spider

    # -- routing ----------------------------------------------------------------------------------
    def site_for(self, url: str) -> SiteConfig | None:
        host = _host(url)
        for site in self.sites:
            if any(host == d or host.endswith("." + d) for d in site.allowed_domains):
                return site
        return None

    def make_request(self, url: str, site: SiteConfig, kind: str, *, priority: int = 0,
                     **meta: Any) -> scrapy.Request:
        callback = {"sitemap": self.parse_sitemap, "feed": self.parse_feed,
                    "listing": self.parse_listing}.get(kind, self.parse_article)
        return NewsRequest(url, callback=callback, errback=self.on_error, priority=priority,
                           meta={"site": site.name, "kind": kind, "download_slot": site.name, **meta})

    def route(self, url: str, *, referer_kind: str) -> scrapy.Request | None:
        """The request for a discovered *url*, or ``None`` when it is neither article nor listing.

        The fragment is dropped: ``page/#respond`` is ``page/``, and which of the two a crawl meets
        first must not decide what the archive records."""
        url = urldefrag(url)[0]
        site = self.site_for(url)
        if site is None:
            return None
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if site.is_article_url(parts.path) or site.is_article_url(path):
            return self.make_request(url, site, "article", found_via=referer_kind)
        if site.is_listing_url(path):
            if referer_kind == "article":
                return None
            return self.make_request(url, site, "listing")
        if referer_kind in ("sitemap", "feed") and not any(p.search(path) for p in site.deny_patterns):
            # Sitemaps and feeds list articles: an entry no pattern describes is still a
            # candidate, and the page parser decides (a hub page is dropped as "not_article").
            return self.make_request(url, site, "article", found_via=referer_kind)
        return None

    def _open_state(self) -> None:
        if self.crawlstate is not None or not self.settings.getbool("NEWSCRAWL_INCREMENTAL", True):
            return
        self.crawlstate = crawlstate_for(self.settings)
        self.settled = {s.name: self.crawlstate.settled_before(s.name) for s in self.sites}
        self.watermarks = self.crawlstate.watermarks(s.name for s in self.sites)

    async def start(self) -> AsyncIterator[Any]:
        if self.on_demand_url:
            site = self.sites[0] if self.sites else None
            yield scrapy.Request(self.on_demand_url, callback=self.parse_article,
                                 meta={"site": site.name if site else None, "kind": "article",
                                       "on_demand": True}, dont_filter=True)
            return
        self._open_state()
        for site in self.sites:
            for url in site.sitemaps:
                yield self.make_request(url, site, "sitemap")
            for url in site.feeds:
                yield self.make_request(url, site, "feed")
            for url in site.start_urls:
                yield self.make_request(url, site, "listing")
        if self.crawlstate is not None:
            max_attempts = self.settings.getint("NEWSCRAWL_MAX_ATTEMPTS", 10)
            for site in self.sites:
                for row in self.crawlstate.pending_retries(site.name, max_attempts=max_attempts):
                    self.crawler.stats.inc_value("newscrawl/incremental/retry_queued")
                    yield self.make_request(row.url, site, "article", found_via="retry")

    def on_error(self, failure: Failure) -> Failure | None:
        """Announce the failure; :mod:`newscrawl.extensions.failures` records and logs it.  An HTTP
        error goes on to ``HttpErrorMiddleware`` (its ``httperror/*`` stats and log line)."""
        self.crawler.signals.send_catch_log(signal=request_failed, failure=failure,
                                            request=getattr(failure, "request", None), spider=self)
        return failure if failure.check(HttpError) else None

    # -- discovery ------------------------------------------------------------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(response.body)
            # Read it whole at once: a sitemap's parser (its lxml tree) then lives for this call
            # only, not for as long as the scheduler takes to absorb its thousand requests.
            kind, entries = sitemap.type, list(sitemap)
            del sitemap
        except (etree.XMLSyntaxError, ValueError, StopIteration) as exc:
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            self.crawler.stats.inc_value("newscrawl/errors/bad_sitemap")
            return
        site = self.site_for(response.url)
        source = response.request.url if response.request else response.url
        source = (response.meta.get("redirect_urls") or [source])[0]
        mark = parse_timestamp(self.watermarks.get(source))
        slack = timedelta(hours=self.settings.getfloat("NEWSCRAWL_LASTMOD_SLACK_HOURS", 1.0))
        cutoff = mark - slack if mark else None
        newest: datetime | None = None
        skipped = 0
        published = news_publication_dates(response.body) if kind == "urlset" else {}
        for entry in entries:
            loc = entry.get("loc")
            if not loc:
                continue
            given = entry.get("lastmod") or published.get(loc.strip())
            loc = urljoin(response.url, loc)
            if kind == "sitemapindex":
                child = self.site_for(loc)
                if child is not None:
                    # after the articles already found: the frontier grows one sitemap at a time
                    yield self.make_request(loc, child, "sitemap", priority=-1)
                continue
            lastmod = parse_timestamp(given)
            if lastmod is not None:
                newest = lastmod if newest is None or lastmod > newest else newest
                if cutoff is not None and lastmod < cutoff:
                    skipped += 1
                    continue
            request = self.route(loc, referer_kind="sitemap")
            if request is not None:
                if mark is not None and lastmod is not None and lastmod > mark:
                    # Edited since the last successful run: not to be deduplicated against the
                    # same URL found (without a lastmod) in a news sitemap or a feed.
                    request.meta["changed"] = True
                    request.dont_filter = True
                yield request
        if skipped:
            self.crawler.stats.inc_value("newscrawl/incremental/sitemap_old", skipped)
        if newest is not None and site is not None:
            previous = self.seen_lastmod.get(source)
            stamp = utc_timestamp(newest)
            if previous is None or stamp > previous[1]:
                self.seen_lastmod[source] = (site.name, stamp)

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
        pages = {urldefrag(response.urljoin(h.strip()))[0] for h in response.css(PAGINATION_LINKS).getall()}
        declared = [urldefrag(response.urljoin(h.strip()))[0]
                    for h in response.css(NEXT_PAGE_LINKS).getall()]
        article_keys: list[str] = []
        for url in self._links(response):
            url = urldefrag(url)[0]
            if url in pages:
                continue                    # pagination: only the next page, below
            request = self.route(url, referer_kind="listing")
            if request is None:
                continue
            if request.meta["kind"] == "article":
                article_keys.append(url_key(request.url))
            yield request
        following = declared[0] if declared else next_page(response.url, pages)
        if following and following != response.url and self._follow_pagination(response, article_keys):
            request = self.route(following, referer_kind="listing")
            if request is not None and request.meta["kind"] == "listing":
                request.meta["page_depth"] = response.meta.get("page_depth", 0) + 1
                yield request

    def _follow_pagination(self, response: Response, article_keys: list[str]) -> bool:
        """False once this listing page holds nothing new, or the site's page limit is reached."""
        site = self.site_for(response.url)
        if site is None:
            return False
        if response.meta.get("page_depth", 0) + 1 >= site.max_listing_pages:
            self.crawler.stats.inc_value("newscrawl/incremental/pagination_limit")
            return False
        if self.crawlstate is None:
            return True
        keys = set(article_keys)
        if keys and len(self.crawlstate.known(keys, before=self.settled.get(site.name))) < len(keys):
            return True
        self.crawler.stats.inc_value("newscrawl/incremental/pagination_stopped")
        self.logger.debug("pagination stops at %s: every article on it is known", response.url)
        return False

    # -- articles -----------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        site = self.site_for(response.url) or (self.sites[0] if self.sites and response.meta.get("on_demand") else None)
        rules = site.rules if site else SiteRules()
        fetched_at = datetime.now(UTC)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
        page = ArticlePage(response.body, response.url, content_type=content_type, rules=rules,
                           fetched_at=fetched_at)
        data = page.to_dict()
        # The links are read now and the page (its lxml tree) let go before anything is yielded:
        # this generator stays suspended while the scheduler absorbs its requests, and a few
        # hundred suspended pages held their trees (C memory, a few MB each) in a large crawl.
        links = [] if response.meta.get("on_demand") or not isinstance(response, TextResponse) else \
            page.links() + ([page.amp_url] if page.amp_url else [])
        del page
        request_url = (response.meta.get("redirect_urls") or [response.request.url])[0]
        yield ArticleItem.from_page(
            data, request_url=request_url, response_url=response.url,
            redirect_urls=list(response.meta.get("redirect_urls") or []), status=response.status,
            fetched_at=fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"), content_type=content_type,
            html=response.body)
        # The AMP version is fetched too: sites link it only from <link rel=amphtml>, and its own
        # links (e.g. "?noamp=mobile") are further addresses of the same article.
        # Article pages repeat the same sidebar and menu links on every page: a plain set of the
        # URLs already routed from articles skips them before a Request is even built (Scrapy's
        # dupefilter would drop them too, after fingerprinting each one: measured in bench/crawl.py).
        for url in links:
            url = urldefrag(url)[0]
            if not self._followed.add(url):
                continue
            request = self.route(url, referer_kind="article")
            if request is not None:
                yield request

    def closed(self, reason: str) -> None:
        if self.crawlstate is None:
            return
        try:
            if reason == "finished" and self.seen_lastmod:
                self.crawlstate.set_watermarks(self.seen_lastmod, run_id=getattr(self, "run_id", None))
        finally:
            self.crawlstate.close()
            self.crawlstate = None
