"""URL identity: the key under which the archive recognises the same page reached by many URLs.

Built on :func:`w3lib.url.canonicalize_url` (percent-encoding, query order, fragments); this module
adds what news sites need on top of it: host case and ``www``/``m``/``amp`` sub-domains, tracking
parameters, trailing slashes and AMP variants.  ``url_key`` is an identity key, not a URL to fetch.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

__all__ = ["url_key", "clean_url", "TRACKING_PARAMS", "is_amp_url"]

#: Query parameters that identify a campaign or a click, never a page.
TRACKING_PARAMS: frozenset[str] = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "ref_src", "ref_url", "ito", "ocid", "cmpid", "_ga",
    "amp", "noamp", "amp_js_v", "usqp", "outputtype", "share", "s_cid", "spm", "xtor",
})
TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "pk_", "mtm_", "hsa_", "__twitter", "_hs")
_HOST_PREFIXES = ("www.", "www1.", "www2.", "m.", "mobile.", "amp.")
_AMP_PATH = re.compile(r"(?:/amp)(?=/|$)|(?:\.amp)(?=$|\.html?$)|(?:/amp\.html?)$", re.I)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """*url* percent-encoded, without fragment and tracking parameters (still fetchable)."""
    parts = urlsplit(safe_url_string(url.strip()))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       urlencode(query, doseq=True), ""))


def is_amp_url(url: str) -> bool:
    """True for the usual AMP address forms: ``/amp/`` segment, ``.amp`` suffix, ``amp.`` host, ``?amp``."""
    parts = urlsplit(url)
    if parts.netloc.lower().startswith("amp."):
        return True
    if any(k.lower() in ("amp", "outputtype") for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    return bool(_AMP_PATH.search(parts.path))


# A URL that is already canonical for every step of the slow path: http(s), lower-case host, no
# port, user, query or fragment, and a path of unreserved characters only.  Most article URLs are
# like this; skipping the parse → re-encode → parse round trip of w3lib for them saves most of the
# cost.  tests/test_archive_urls.py checks both paths give the same key.
_PLAIN_URL = re.compile(r"https?://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(/[A-Za-z0-9._~/-]*)?")


@lru_cache(maxsize=65_536)
def url_key(url: str) -> str:
    """The identity key of *url*: scheme-less, host without ``www``, path without AMP markers or
    trailing slash, tracking parameters removed, percent-encoding and query order canonical."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and ".." not in plain.group(1) and "/." not in (plain.group(2) or ""):
        return _key(plain.group(1), None, plain.group(2) or "/", "")     # (dot segments: slow path)
    return _slow_url_key(url)


def _slow_url_key(url: str) -> str:
    """:func:`url_key` through the full canonicalisation (every URL the fast path does not take)."""
    parts = urlsplit(canonicalize_url(clean_url(url)))
    return _key(parts.hostname or "", parts.port, parts.path, parts.query)


def _key(host: str, port: int | None, path: str, query: str) -> str:
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = _AMP_PATH.sub("", path) or "/"
    path = _INDEX_PAGE.sub("/", path)
    path = path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{query}" if query else "")


_INDEX_PAGE = re.compile(r"/(index|default)\.(html?|php|aspx?)$", re.I)
