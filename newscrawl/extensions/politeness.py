"""Per-site politeness: download slots from the site configs, a User-Agent with a contact URL, and
AutoThrottle that never goes below a site's configured delay.

Every request of a site carries ``meta["download_slot"] = site name`` (set by the spider), so a
site's delay and concurrency (``[politeness]`` in its TOML file) apply to all its host names at
once.  A setting given on the command line (``-s DOWNLOAD_DELAY=…``,
``-s CONCURRENT_REQUESTS_PER_DOMAIN=…``) overrides every site's value.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scrapy.extensions.throttle import AutoThrottle
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newscrawl.siteconfig import SiteConfig

__all__ = ["SiteAutoThrottle", "site_slots", "user_agent"]

_CMDLINE = SETTINGS_PRIORITIES["cmdline"]


def _version() -> str:
    try:
        return version("newscrawl")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0"


def user_agent(contact: str, *, product: str = "newscrawl") -> str:
    """``newscrawl/<version> (+<contact>)``: names the project and where to reach its operator."""
    return f"{product}/{_version()} (+{contact})" if contact else f"{product}/{_version()}"


def site_slots(sites: Iterable[SiteConfig], settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """``DOWNLOAD_SLOTS`` entries, one per site, from the sites' ``[politeness]`` tables."""
    delay_forced = (settings.getpriority("DOWNLOAD_DELAY") or 0) >= _CMDLINE
    conc_forced = (settings.getpriority("CONCURRENT_REQUESTS_PER_DOMAIN") or 0) >= _CMDLINE
    slots: dict[str, dict[str, Any]] = {}
    for site in sites:
        delay = settings.getfloat("DOWNLOAD_DELAY") if delay_forced or site.download_delay is None \
            else float(site.download_delay)
        concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") \
            if conc_forced or not site.concurrency else int(site.concurrency)
        slots[site.name] = {"delay": delay, "concurrency": concurrency}
    return slots


def apply_site_politeness(settings: BaseSettings, sites: list[SiteConfig]) -> None:
    """Set ``DOWNLOAD_SLOTS`` for *sites* (and the User-Agent) on a crawler's unfrozen settings."""
    slots = site_slots(sites, settings)
    slots.update(settings.getdict("DOWNLOAD_SLOTS"))          # explicit slots win
    settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
    if len(sites) == 1 and (settings.getpriority("DOWNLOAD_DELAY") or 0) < _CMDLINE:
        # One site per crawler: its delay is also the floor for slots of other hosts (robots.txt).
        settings.set("DOWNLOAD_DELAY", slots[sites[0].name]["delay"], priority="spider")
    contact_priority = settings.getpriority("NEWSCRAWL_CONTACT") or 0
    if contact_priority > (settings.getpriority("USER_AGENT") or 0):
        settings.set("USER_AGENT", user_agent(settings.get("NEWSCRAWL_CONTACT")), priority=contact_priority)


class SiteAutoThrottle(AutoThrottle):
    """AutoThrottle whose lower bound for a slot is the delay ``DOWNLOAD_SLOTS`` gives that slot."""

    def _response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        key = request.meta.get("download_slot")
        per_slot = self.crawler.engine.downloader.per_slot_settings.get(key or "", {})
        floor = float(per_slot.get("delay", self.mindelay))
        mindelay, self.mindelay = self.mindelay, max(self.mindelay, floor)
        try:
            super()._response_downloaded(response, request, spider)
        finally:
            self.mindelay = mindelay
