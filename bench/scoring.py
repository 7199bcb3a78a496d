"""Scoring of extracted articles against the gold of ``../shared/corpus``.

Implements "How quality is scored" of the corpus README, so that figures are comparable:

- ``normalize``: NFKC, format characters dropped (bidi controls, zero-width marks including ZWNJ,
  soft hyphen, BOM), Arabic tashkeel and tatweel removed, whitespace collapsed to one space;
- ``tokens``: the normalized text cut into word tokens (runs of letters, marks and digits); in
  scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) every character is a token;
- body precision/recall/F1 over the bag of tokens, macro-averaged over pages; an empty body scores 0;
- key-sentence hit rate and leak rate: share of all ``key_sentences`` / ``boilerplate`` strings whose
  normalized form is a substring of the normalized body;
- title exact: normalized title equals the normalized ``title`` or one of ``title_alts``;
- category: one of the extracted categories normalizes to one of the gold names (pages without a gold
  category are not counted);
- date: see :data:`DATE_RULE` (pages without a gold date are not counted);
- related links: URLs compared after percent-decoding; per page precision is 1 for an empty
  prediction only when the gold is empty too (likewise recall); counted on pages whose gold
  ``related_links`` is a list; micro, macro, and macro F1 over pages with at least one gold link;
- ZWNJ kept: share of Persian/Urdu pages whose body has at least 90% as many U+200C as the gold
  body (a page whose gold has none passes).

A metric with no page (or string) to count is ``None``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

__all__ = ["Extraction", "Metric", "Page", "PageScore", "DATE_RULE", "GATED", "LOWER_IS_BETTER",
           "METRICS", "TOLERANCE", "accepted_days", "aggregate", "load_corpus", "normalize",
           "regressions", "score_corpus", "score_page", "site_zone", "tokens"]

TOLERANCE = 0.005
ZWNJ = "\u200c"
ZWNJ_SHARE = 0.9
ZWNJ_LANGS = frozenset({"fa", "ur"})

#: (key, label) of every figure, in print order.
METRICS: tuple[tuple[str, str], ...] = (
    ("body_p", "body precision (macro)"),
    ("body_r", "body recall (macro)"),
    ("body_f1", "body F1 (macro)"),
    ("key_hits", "key sentences hit"),
    ("leak_rate", "leak rate (lower is better)"),
    ("title_exact", "title exact"),
    ("date_acc", "date accuracy"),
    ("category_acc", "category accuracy"),
    ("related_p_micro", "related P (micro)"),
    ("related_r_micro", "related R (micro)"),
    ("related_f1_micro", "related F1 (micro)"),
    ("related_p", "related P (macro)"),
    ("related_r", "related R (macro)"),
    ("related_f1", "related F1 (macro)"),
    ("related_f1_linked", "related F1 (pages with links)"),
    ("zwnj_kept", "ZWNJ kept (fa/ur pages)"),
)
#: Figures of the primary set that the gate (tests/test_eval_gate.py) holds to the baseline.
GATED: tuple[str, ...] = ("body_f1", "key_hits", "leak_rate", "title_exact", "date_acc",
                          "category_acc", "related_f1", "related_f1_micro", "related_f1_linked",
                          "zwnj_kept")
LOWER_IS_BETTER = frozenset({"leak_rate"})

# -- text -------------------------------------------------------------------------------------------
_TASHKEEL = {*range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5),
             0x06E7, 0x06E8, *range(0x06EA, 0x06EE), 0x0640}
_UNSPACED = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF),
             (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
             (0x20000, 0x3FFFF))


class _DropTable(dict):
    """``str.translate`` table, filled on first sight: format characters and tashkeel → deleted."""

    def __missing__(self, code: int) -> str | None:
        drop = code in _TASHKEEL or unicodedata.category(chr(code)) == "Cf"
        self[code] = value = None if drop else chr(code)
        return value


class _TokenTable(dict):
    """``str.translate`` table: word characters kept, unspaced-script characters isolated, the rest
    (punctuation, symbols, spaces) → space."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if any(lo <= code <= hi for lo, hi in _UNSPACED) and unicodedata.category(char)[0] in "LMN":
            value = f" {char} "
        elif unicodedata.category(char)[0] in "LMN":
            value = char
        else:
            value = " "
        self[code] = value
        return value


_DROP = _DropTable()
_TOKEN = _TokenTable()


def normalize(text: str | None) -> str:
    """The comparison form of *text* (see module docstring); ``""`` for ``None``."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_DROP).split())


def tokens(text: str | None) -> list[str]:
    """Word tokens of the normalized *text*."""
    return normalize(text).translate(_TOKEN).split()


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else float(n_gold == 0)
    recall = tp / n_gold if n_gold else float(n_pred == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# -- dates ------------------------------------------------------------------------------------------
#: How the date is scored; printed by bench/extraction.py.
DATE_RULE = (
    "date: the gold is the calendar day in the site's local time. A full timestamp (ours, UTC) is "
    "moved to the UTC offset written in published_raw (ISO +03:00/+0300/Z, RFC 2822 +0300, GMT/UTC) "
    "before its day is taken; when published_raw has no offset, the UTC day or the day in the "
    "site's country zone (by host: .eg/youm7 Cairo, .ae Dubai, .sa/alyaum Riyadh, .tn Tunis, "
    ".lb/lbcgroup Beirut, .ir/varzesh3 Tehran, else UTC) is accepted. A date-only value "
    "(trafilatura's YYYY-MM-DD) is compared as it is. Counted on pages with a gold date.")

_SITE_ZONES: tuple[tuple[str, str], ...] = (
    (".eg", "Africa/Cairo"), ("youm7", "Africa/Cairo"),
    (".ae", "Asia/Dubai"),
    (".sa", "Asia/Riyadh"), ("alyaum", "Asia/Riyadh"),
    (".tn", "Africa/Tunis"),
    (".lb", "Asia/Beirut"), ("lbcgroup", "Asia/Beirut"),
    (".ir", "Asia/Tehran"), ("varzesh3", "Asia/Tehran"),
)
_OFFSET = re.compile(r"""
    \d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?                        # the time, then its offset:
    (?: \s*(?:Z|GMT|UTC)(?![A-Za-z])(?:(?P<s1>[+-])(?P<h1>\d{1,2})(?::?(?P<m1>\d{2}))?)?
      | (?P<s2>[+-])(?P<h2>\d{2})(?::?(?P<m2>\d{2}))?            # ISO: +03:00 +0300 +03
      | \s(?P<s3>[+-])(?P<h3>\d{2})(?P<m3>\d{2})                 # RFC 2822: " +0300"
    )(?![\d:/.-])""", re.I | re.X)


def site_zone(site: str) -> str:
    """The IANA zone implied by a site's host (``"UTC"`` when the host says nothing)."""
    host = site.lower().split("/")[0]
    for marker, zone in _SITE_ZONES:
        if host.endswith(marker) if marker.startswith(".") else marker in host:
            return zone
    return "UTC"


def _raw_offset(raw: str | None) -> timezone | None:
    """The UTC offset written after the time in *raw*, or ``None``."""
    match = _OFFSET.search(raw or "")
    if not match:
        return None
    for sign, hours, minutes in (match.group("s1", "h1", "m1"), match.group("s2", "h2", "m2"),
                                 match.group("s3", "h3", "m3")):
        if sign:
            delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
            return timezone(-delta if sign == "-" else delta)
    return timezone.utc


def accepted_days(published: str | None, published_raw: str | None, site: str) -> set[str]:
    """The calendar days (``YYYY-MM-DD``) that an extracted date stands for (see :data:`DATE_RULE`).

    :param published: the extracted date: a UTC timestamp or a plain ``YYYY-MM-DD`` day.
    :param published_raw: the string it was read from, which may carry the site's UTC offset.
    :param site: the page's host, for the country zone when the raw string has no offset.
    """
    if not published:
        return set()
    published = published.strip()
    if len(published) == 10:
        return {published}
    try:
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return set()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    offset = _raw_offset(published_raw)
    if offset is not None:
        return {moment.astimezone(offset).date().isoformat()}
    zones = {timezone.utc, ZoneInfo(site_zone(site))}
    return {moment.astimezone(zone).date().isoformat() for zone in zones}


# -- corpus and extractions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One corpus page: manifest entry plus the stored bytes."""

    id: str
    lang: str
    set: str
    site: str
    url: str
    html: bytes
    gold: dict[str, Any]


@dataclass
class Extraction:
    """What an extractor found, in the shape the scorer reads.

    ``related_urls`` is ``None`` when the extractor does not look for related links at all.
    """

    title: str | None = None
    body: str | None = None
    categories: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    related_urls: list[str] | None = None


def load_corpus(corpus: Path, sets: Iterable[str] | None = None) -> list[Page]:
    """Pages of ``corpus/manifest.jsonl`` (only those of *sets* when given), in manifest order."""
    wanted = set(sets) if sets is not None else None
    pages = []
    with open(corpus / "manifest.jsonl", encoding="utf-8") as manifest:
        for line in manifest:
            if not line.strip():
                continue
            entry = json.loads(line)
            if wanted is not None and entry["set"] not in wanted:
                continue
            html = (corpus / "pages" / f"{entry['id']}.html").read_bytes()
            pages.append(Page(entry["id"], entry["lang"], entry["set"], entry["site"],
                              entry.get("url") or "", html, entry["gold"]))
    return pages


# -- per page ---------------------------------------------------------------------------------------
@dataclass
class PageScore:
    """The scores of one page; ``None`` where the page has no gold for the field."""

    id: str
    set: str
    lang: str
    body_p: float
    body_r: float
    body_f1: float
    keys_hit: int
    keys_total: int
    leaks_found: int
    leaks_total: int
    title_ok: bool | None
    date_ok: bool | None
    category_ok: bool | None
    related: tuple[int, int, int] | None  # true positives, extracted, gold
    zwnj_ok: bool | None
    error: str | None = None

    @property
    def related_prf(self) -> tuple[float, float, float] | None:
        return _prf(*self.related) if self.related is not None else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        prf = self.related_prf
        data.update(related_p=prf and prf[0], related_r=prf and prf[1], related_f1=prf and prf[2])
        return data


def _norm_url(url: str) -> str:
    return unquote(url.strip())


def score_page(page: Page, got: Extraction, error: str | None = None) -> PageScore:
    """Score one extraction against the gold of *page*."""
    gold = page.gold
    body = normalize(got.body)
    found, wanted = tokens(got.body), tokens(gold["body"])
    body_p, body_r, body_f1 = _prf(sum((Counter(found) & Counter(wanted)).values()),
                                   len(found), len(wanted))
    keys = [normalize(k) for k in gold.get("key_sentences") or []]
    leaks = [normalize(b) for b in gold.get("boilerplate") or []]

    title_ok = None
    if gold.get("title"):
        titles = [gold["title"], *(gold.get("title_alts") or [])]
        title_ok = normalize(got.title) in {normalize(t) for t in titles}
    date_ok = None
    if gold.get("date"):
        days = accepted_days(got.published, got.published_raw, page.site)
        date_ok = bool(days & {gold["date"], *(gold.get("date_alts") or [])})
    category_ok = None
    if gold.get("category"):
        names = {normalize(c) for c in gold["category"]}
        category_ok = any(normalize(c) in names for c in got.categories if c)
    related = None
    if isinstance(gold.get("related_links"), list) and got.related_urls is not None:
        gold_urls = {_norm_url(link["url"]) for link in gold["related_links"]}
        urls = {_norm_url(u) for u in got.related_urls if u}
        related = (len(urls & gold_urls), len(urls), len(gold_urls))
    zwnj_ok = None
    if page.lang in ZWNJ_LANGS:
        want = gold["body"].count(ZWNJ)
        zwnj_ok = want == 0 or (got.body or "").count(ZWNJ) >= ZWNJ_SHARE * want

    return PageScore(page.id, page.set, page.lang, body_p, body_r, body_f1,
                     sum(k in body for k in keys), len(keys), sum(b in body for b in leaks),
                     len(leaks), title_ok, date_ok, category_ok, related, zwnj_ok, error)


def score_corpus(pages: Iterable[Page], extract: Callable[[Page], Extraction]) -> list[PageScore]:
    """Run *extract* on every page and score it; an exception counts as an empty extraction."""
    scores = []
    for page in pages:
        try:
            got, error = extract(page), None
        except Exception as exc:  # noqa: BLE001 - a crash is a (counted) failed page
            got, error = Extraction(), f"{type(exc).__name__}: {exc}"
        scores.append(score_page(page, got, error))
    return scores


# -- aggregates -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """One figure and the number of pages (or strings) it is computed over."""

    value: float | None
    n: int


def _mean(values: list[float]) -> Metric:
    return Metric(sum(values) / len(values) if values else None, len(values))


def _share(flags: Iterable[bool | None]) -> Metric:
    return _mean([float(f) for f in flags if f is not None])


def _ratio(hits: int, total: int) -> Metric:
    return Metric(hits / total if total else None, total)


def aggregate(scores: list[PageScore]) -> dict[str, Metric]:
    """Every figure of :data:`METRICS` over *scores*."""
    related = [s for s in scores if s.related is not None]
    prfs = [s.related_prf for s in related]
    tp, n_pred, n_gold = (sum(s.related[i] for s in related) for i in range(3))  # type: ignore[index]
    micro = _prf(tp, n_pred, n_gold)
    linked = [s.related_prf[2] for s in related if s.related[2]]  # type: ignore[index]
    figures = {
        "body_p": _mean([s.body_p for s in scores]),
        "body_r": _mean([s.body_r for s in scores]),
        "body_f1": _mean([s.body_f1 for s in scores]),
        "key_hits": _ratio(sum(s.keys_hit for s in scores), sum(s.keys_total for s in scores)),
        "leak_rate": _ratio(sum(s.leaks_found for s in scores), sum(s.leaks_total for s in scores)),
        "title_exact": _share(s.title_ok for s in scores),
        "date_acc": _share(s.date_ok for s in scores),
        "category_acc": _share(s.category_ok for s in scores),
        "related_p": _mean([p[0] for p in prfs]),
        "related_r": _mean([p[1] for p in prfs]),
        "related_f1": _mean([p[2] for p in prfs]),
        "related_f1_linked": _mean(linked),
        "zwnj_kept": _share(s.zwnj_ok for s in scores),
    }
    for i, key in enumerate(("related_p_micro", "related_r_micro", "related_f1_micro")):
        figures[key] = Metric(micro[i] if related else None, len(related))
    return {key: figures[key] for key, _ in METRICS}


def regressions(figures: dict[str, Metric], baseline: dict[str, float],
                tolerance: float = TOLERANCE) -> list[str]:
    """Messages for every baseline figure that *figures* fall short of (beyond *tolerance*)."""
    failures = []
    for key, recorded in baseline.items():
        now = figures[key].value
        if now is None:
            failures.append(f"{key}: no longer measured (baseline {recorded:.4f})")
        elif key in LOWER_IS_BETTER and now > recorded + tolerance:
            failures.append(f"{key}: {now:.4f} rose above baseline {recorded:.4f}")
        elif key not in LOWER_IS_BETTER and now < recorded - tolerance:
            failures.append(f"{key}: {now:.4f} fell below baseline {recorded:.4f}")
    return failures
