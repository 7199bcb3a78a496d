"""Speed and accuracy of newscrawl.dates.parse_date against plain dateparser.parse.

The strings are the labelled rows of tests/test_dates.py (dates and non-dates) plus a
few page strings that are not dates, repeated and shuffled with a fixed seed to
10,000. Both parsers get the same site timezone and fetch time for each string.

A string is "right" when the result is the expected UTC instant (to the minute); for
a date-only string, when the calendar day in the site's zone is right (dateparser
sets midnight, we set noon); for a non-date, when the result is None.

Run: .venv/bin/python bench/dates.py [--n 10000] [--check]
(--check exits 1 when the targets are missed: >= 10x dateparser's rate and at least
as many strings right.)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dateparser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_dates import CASES, HAVE_JDATETIME, NONE_CASES, PERSIAN, Case  # noqa: E402

from newscrawl.dates import parse_date  # noqa: E402

SEED = 20250508
TARGET_RATIO = 10.0
EXTRA_NON_DATES = [
    "بقلم: محمد أحمد", "الرئيسية", "عدد المشاهدات: 1520", "اقرأ أيضا", "شارك",
    "صفحة 2 من 15", "0096311223344", "2024", "تعليقات (3)", "الجزيرة نت",
    "رقم العدد 17000", "سعر الدولار 50.25 جنيه", "المباراة انتهت 3-1", "ص.ب 1234",
]
DATEPARSER_LANGUAGES = ["ar", "fa", "en", "fr"]
_TIME_IN_TEXT = re.compile(r"\d\s*[:h]\s*\d|[٠-٩۰-۹]:[٠-٩۰-۹]|منذ|قبل|ago|پیش")

Item = tuple[str, str, datetime, datetime | None]  # text, tz, now, expected UTC


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def build_items(n: int) -> list[Item]:
    cases = [c for c in CASES if HAVE_JDATETIME or c not in PERSIAN]
    cases += NONE_CASES + [Case(text, "Asia/Damascus", None) for text in EXTRA_NON_DATES]
    pool = [(c.text, c.tz, _dt(c.now), _dt(c.expected) if c.expected else None) for c in cases]
    rng = random.Random(SEED)
    items = [pool[i % len(pool)] for i in range(n)]
    rng.shuffle(items)
    return items


def is_right(item: Item, got: datetime | None) -> bool:
    text, tz, _, expected = item
    if expected is None or got is None:
        return expected is got
    zone = ZoneInfo(tz) if "/" in tz else None
    local = expected.astimezone(zone) if zone else expected
    date_only = local.hour == 12 and local.minute == 0 and not _TIME_IN_TEXT.search(text)
    if date_only:
        got_local = got.astimezone(zone) if zone else got
        return got_local.date() == local.date()
    return abs(got - expected) < timedelta(minutes=1)


def ours(item: Item) -> datetime | None:
    text, tz, now, _ = item
    result = parse_date(text, now=now, tz=tz)
    return result.utc if result else None


def theirs(item: Item) -> datetime | None:
    text, tz, now, _ = item
    zone = ZoneInfo(tz) if "/" in tz else None
    base = (now.astimezone(zone) if zone else now).replace(tzinfo=None)
    got = dateparser.parse(text, languages=DATEPARSER_LANGUAGES, settings={
        "TIMEZONE": tz, "RETURN_AS_TIMEZONE_AWARE": True, "RELATIVE_BASE": base,
        "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past"})
    return got


def run(parse: Callable[[Item], datetime | None], items: list[Item]) -> tuple[float, int]:
    for item in set(items):  # warm caches and lazy imports outside the clock
        parse(item)
    start = time.perf_counter()
    results = [parse(item) for item in items]
    elapsed = time.perf_counter() - start
    right = sum(is_right(item, got) for item, got in zip(items, results))
    return len(items) / elapsed, right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of strings")
    parser.add_argument("--check", action="store_true", help="exit 1 when targets are missed")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # dateparser's pytz/regex deprecation noise
    items = build_items(args.n)
    our_rate, our_right = run(ours, items)
    their_rate, their_right = run(theirs, items)
    ratio = our_rate / their_rate
    width = 26
    print(f"{'parser':<{width}} {'calls/s':>12} {'right':>14}")
    print(f"{'newscrawl.dates.parse_date':<{width}} {our_rate:>12,.0f} "
          f"{our_right:>7}/{len(items)}")
    print(f"{'dateparser.parse':<{width}} {their_rate:>12,.0f} "
          f"{their_right:>7}/{len(items)}")
    print(f"{'ratio':<{width}} {ratio:>11.1f}x")
    met = ratio >= TARGET_RATIO and our_right >= their_right
    print(f"targets (>= {TARGET_RATIO:.0f}x, right >= dateparser): {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
