"""Publication dates from Arabic (and Persian) news pages, as UTC datetimes.

One public entry point, :func:`parse_date`, plus :func:`parse_first` for a list of
candidates. Every date the pipeline stores goes through here.

Why mostly by hand: ``dateparser`` reads many of these strings, but it is ~1 ms a
call, guesses the day or year when they are missing (a wrong date is worse than
none), knows neither the Maghrebi/Moroccan month names nor "كانون 2", and tolerates
no text around the date. So the common shapes are read with precompiled regexes
and dict look-ups; ISO 8601 and RFC 2822 go to the standard library, calendar
conversion to ``hijridate`` (Umm al-Qura) and ``jdatetime`` (Solar Hijri), and
``dateparser`` is kept as a guarded last resort for the rare spelling we miss.

What callers should know:

* A date needs day, month and year (or a relative expression); "8 مايو" and
  "مايو 2025" give ``None``. Date-only strings are set to local noon
  (``ParsedDate.date_only``).
* The first date in the string wins, except that a Gregorian date is preferred to a
  Hijri one ("10 ذو القعدة 1446 هـ الموافق 8 مايو 2025 م"). The time of day is the
  first one after the date, else the last one before it.
* Zone: an offset in the string, else "بتوقيت دمشق"/"(توقيت مكة)"/"GMT+3"/"GST", else
  the site's ``tz``.
* Relative expressions ("منذ 3 ساعات", "أمس") are read only in short strings (60
  characters), and "أمس"/"اليوم" only when they are the whole field besides a label
  and a time. Months and years ago ("منذ 3 أشهر") are too vague: ``None``.
* Numeric Hijri/Solar Hijri dates need their suffix ("1446/11/10 هـ", "1404/02/18 ه.ش");
  without it the calendar is a guess, so ``None``. Hijri is Umm al-Qura, which can
  differ by a day from a country's sighting-based calendar. Solar Hijri needs the
  optional ``jdatetime`` package; without it those strings give ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hijridate import Hijri

from newscrawl import datedata

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

try:  # optional: only Persian pages need it
    import jdatetime
except ImportError:  # pragma: no cover - depends on the environment
    jdatetime = None

__all__ = ["ParsedDate", "UnknownTimezone", "parse_date", "parse_first"]


class UnknownTimezone(ValueError):
    """The ``tz`` given to :func:`parse_date` is not an IANA zone name or offset."""


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date found in a string.

    :param utc: tz-aware datetime in UTC.
    :param raw: the string as given.
    :param tz: IANA zone used to read local time, or ``"UTC"``/``"+03:00"`` when the
        string carried its own offset.
    :param rule: which reader matched: ``iso``, ``rfc2822``, ``arabic_month``,
        ``latin_month``, ``numeric``, ``hijri``, ``persian``, ``relative``, ``dateparser``.
    :param date_only: the string had no time of day. Such dates are set to local
        NOON, not midnight, so that the calendar day survives the shift to UTC for
        any zone between UTC-11 and UTC+11.
    """

    utc: datetime
    raw: str
    tz: str
    rule: str
    date_only: bool = False

    @property
    def iso(self) -> str:
        """``YYYY-MM-DDTHH:MM:SSZ``."""
        return self.utc.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- normalization -----------------------------------------------------------------

def _char_map() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for zero in (0x0660, 0x06F0):  # Arabic-Indic and Persian digits
        for i in range(10):
            table[zero + i] = str(i)
    pairs = {
        "أإآٱٲٳ": "ا", "ىیې": "ي", "ک": "ك", "ةۀەھ": "ه", "ؤ": "و", "ئ": "ي",
        "ڤ": "ف", "،": ",", "؛": ";", "٫": ".", "٬": ",", "؍": "/",
        "\u2010\u2011\u2012\u2013\u2014\u2015\u2212": "-",
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
        "\u202f\u205f\u3000\u200c": " ",  # NBSP and friends; ZWNJ splits Persian words
        "éèêë": "e", "àâ": "a", "ûùü": "u", "îï": "i", "ô": "o", "ç": "c",
    }
    for chars, repl in pairs.items():
        for ch in chars:
            table[ord(ch)] = repl
    deleted = [0x0640, 0x0670, 0x061C, 0x200B, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x00AD]
    deleted += range(0x064B, 0x0660)  # tashkeel (harakat, tanween, shadda, sukun...)
    deleted += range(0x06D6, 0x06EE)  # Quranic annotation marks
    deleted += range(0x202A, 0x202F)  # bidi embeddings and overrides
    deleted += range(0x2066, 0x206A)  # bidi isolates
    for cp in deleted:
        table[cp] = None
    return table


_CHAR_MAP = _char_map()
_MAX_LEN = 500  # a date field, not an article: longer input is cut


def _normalize(text: str) -> str:
    """Lower-case, ASCII digits, one spelling per letter, single spaces."""
    return " ".join(text.lower().translate(_CHAR_MAP).split())


def _squash(word: str) -> str:
    return word.replace(" ", "")


def _lookup(table: dict[int, tuple[str, ...]]) -> dict[str, int]:
    return {_squash(_normalize(w)): n for n, words in table.items() for w in words}


def _alternation(words: Iterable[str]) -> str:
    """Regex alternation of normalized words, longest first, any spacing inside."""
    keys = sorted({_normalize(w) for w in words}, key=len, reverse=True)
    parts = []
    for key in keys:
        part = r"\s*".join(re.escape(p) for p in key.split(" "))
        parts.append(part + (r"(?!\d)" if key[-1].isdigit() else ""))
    return "|".join(parts)


def _all_words(table: dict[int, tuple[str, ...]]) -> list[str]:
    return [w for words in table.values() for w in words]


_GREGORIAN = _lookup(datedata.GREGORIAN_MONTHS)
_HIJRI = _lookup(datedata.HIJRI_MONTHS)
_PERSIAN = _lookup(datedata.PERSIAN_MONTHS)
_WEEKDAY = _lookup(datedata.WEEKDAYS)
_PERIOD = {_squash(_normalize(k)): v for k, v in datedata.DAY_PERIODS.items()}
_ZONE_NAME = {_squash(_normalize(k)): v for k, v in datedata.ZONE_NAMES.items()}
_ZONE_ABBR = {_squash(_normalize(k)): v for k, v in datedata.ZONE_ABBREVIATIONS.items()}
_UNITS = {_squash(_normalize(k)): v for k, v in datedata.RELATIVE_UNITS.items()}
_NUMBERS = {_squash(_normalize(k)): v for k, v in datedata.NUMBER_WORDS.items()}
_DAYS_BACK = {_squash(_normalize(k)): v for k, v in datedata.RELATIVE_DAYS.items()}

_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_G = _alternation(_all_words(datedata.GREGORIAN_MONTHS))
_LATIN_G = _alternation(w for w in _all_words(datedata.GREGORIAN_MONTHS) if w.isascii())
_H = _alternation(_all_words(datedata.HIJRI_MONTHS))
_P = _alternation(_all_words(datedata.PERSIAN_MONTHS))
_AMPM = _alternation(datedata.DAY_PERIODS)
_DAY = r"(?<![\d.:/])(?<!\d-)(\d{1,2})(?:st|nd|rd|th|er)?[\s\-/.,]{0,3}(?:من\s+)?(?:شهر\s+)?"
_YEAR = r"[\s\-/.,:]{0,4}(?:(?:سنه|عام|سال)\s+)?(\d{4})(?!\d)"

# --- patterns (all run on normalized text) -------------------------------------------
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:t(\d{2})(\d{2})(\d{2})?(z|[+-]\d{2}:?\d{2})?)?")
_ISO = re.compile(
    r"(?<![\d/.\-])(\d{4})-(\d{2})-(\d{2})"
    r"(?:(?:t|\s+)(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:\s?(z|[+-]\d{2}(?::?\d{2})?))?)?"
    r"(?![\d\-])"
)
_RFC2822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|gmt|utc|ut|z)(?![\w])"
)
_TEXT_DMY = re.compile(
    rf"{_DAY}({_G}){_NOT_LETTER_AFTER}\.?"
    rf"(?:\s*[/\-(]\s*({_G}){_NOT_LETTER_AFTER}\s*\)?)?{_YEAR}"
)
_TEXT_MDY = re.compile(
    rf"(?<![^\W\d_])({_LATIN_G})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"
)
_HIJRI_TEXT = re.compile(rf"{_DAY}({_H}){_NOT_LETTER_AFTER}{_YEAR}")
_PERSIAN_TEXT = re.compile(rf"{_DAY}({_P}){_NOT_LETTER_AFTER}{_YEAR}")
_NUMERIC = re.compile(
    r"(?<![\d/.\-:])(?:(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})"
    r"|(\d{4})\s*([/.\-])\s*(\d{1,2})\s*\6\s*(\d{1,2}))(?![\d:]|[/.\-]\d)"
)
_SOLAR_SUFFIX = re.compile(rf"\s*(?:{_alternation(datedata.SOLAR_SUFFIXES)}){_NOT_LETTER_AFTER}")
_HIJRI_SUFFIX = re.compile(rf"\s*(?:{_alternation(datedata.HIJRI_SUFFIXES)}){_NOT_LETTER_AFTER}")
_TIME = re.compile(
    r"(?<![\d:.])(?:(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?![\d:])"  # 10:30, French 10h30
    rf"|(?<=الساعه )(\d{{1,2}})(?=\s*(?:{_AMPM}){_NOT_LETTER_AFTER}))"
    rf"(?:\s*({_AMPM}){_NOT_LETTER_AFTER})?"
)
_ZONE = re.compile(
    rf"(?:ب?توقيت|به وقت)\s+({_alternation(datedata.ZONE_NAMES)}){_NOT_LETTER_AFTER}"
    rf"|\(\s*({_alternation(datedata.ZONE_NAMES)})\s*\)"
    r"|(?<![^\W\d_])(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)"
    rf"|(?<![^\W\d_])({_alternation(datedata.ZONE_ABBREVIATIONS)}){_NOT_LETTER_AFTER}"
)
_WEEKDAY_RE = re.compile(rf"(?<![^\W\d_])({_alternation(_all_words(datedata.WEEKDAYS))})"
                         rf"{_NOT_LETTER_AFTER}")
_UNIT = _alternation(datedata.RELATIVE_UNITS)
_COUNT = rf"(\d{{1,3}}|{_alternation(datedata.NUMBER_WORDS)})"
_RELATIVE_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:{_alternation(datedata.RELATIVE_BEFORE)})\s+(?:{_COUNT}\s+)?"
    rf"({_UNIT}){_NOT_LETTER_AFTER}(\s*و\s*نصف)?"
    # a bare unit must end the phrase: "منذ يوم الخميس" is "since Thursday"
    r"(?(1)|(?!\s*[^\W\d_]))"
)
_RELATIVE_AFTER = re.compile(
    rf"(?<![^\W\d_]){_COUNT}\s+({_UNIT})\s+(?:{_alternation(datedata.RELATIVE_AFTER)})"
    rf"{_NOT_LETTER_AFTER}"
)
_MOMENTS = re.compile(rf"(?<![^\W\d_])(?:{_alternation(datedata.RELATIVE_MOMENTS)})"
                      rf"{_NOT_LETTER_AFTER}")
_DAY_WORD_ONLY = re.compile(
    rf"(?:(?:{_alternation(datedata.LABELS)})\s*:?\s*|[^\d:]{{0,30}}:\s*)?"
    rf"(?:(?:{_alternation(_all_words(datedata.WEEKDAYS))})\s*[,\-|]?\s*)?"
    rf"({_alternation(datedata.RELATIVE_DAYS)})[\s,\-|]*"
    r"(?:(?:الساعه|في|at|ساعت|a)\s*)?"
)
_RELATIVE_MAX_LEN = 60  # "قبل 5 أيام من الانتخابات" in a sentence is not a date field
_FALLBACK_SHAPE = re.compile(
    r"(?<!\d)\d{1,2}(?!\d)[^\d]{0,25}?[^\W\d_]{3,}[^\d]{0,10}?(?<!\d)\d{4}(?!\d)"
)
_DIGIT_RUN = re.compile(r"\d+")
_LATIN_LETTER = re.compile(r"[a-z]")

_GREGORIAN_YEARS = range(1900, 2101)
_HIJRI_YEARS = range(1343, 1501)  # hijridate's Umm al-Qura table
_SOLAR_YEARS = range(1300, 1500)
_NOON = (12, 0, 0)


class _Found(NamedTuple):
    day: date
    start: int
    end: int
    rule: str
    hms: tuple[int, int, int] | None = None
    zone: tuple[tzinfo, str] | None = None


# --- zones -----------------------------------------------------------------------

_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?")


def _offset_zone(sign: str, hours: str, minutes: str | None) -> tuple[tzinfo, str] | None:
    h, m = int(hours), int(minutes or 0)
    if h > 14 or m > 59:
        return None
    delta = timedelta(hours=h, minutes=m) * (-1 if sign == "-" else 1)
    if not delta:
        return UTC, "UTC"
    return timezone(delta), f"{sign}{h:02d}:{m:02d}"


@lru_cache(maxsize=256)
def _site_zone(name: str) -> tuple[tzinfo, str]:
    if not isinstance(name, str):
        raise UnknownTimezone(f"timezone must be a string, not {type(name).__name__}")
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC, "UTC"
    if (m := _OFFSET.fullmatch(name)) and (zone := _offset_zone(*m.groups())):
        return zone
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise UnknownTimezone(f"unknown timezone {name!r}; use an IANA name "
                              "such as 'Asia/Damascus'") from exc


def _zone_in_text(text: str) -> tuple[tzinfo, str] | None:
    m = _ZONE.search(text)
    if m is None:
        return None
    if m.group(3):
        return _offset_zone(m.group(3), m.group(4), m.group(5))
    name = m.group(1) or m.group(2)
    iana = _ZONE_NAME[_squash(name)] if name else _ZONE_ABBR[_squash(m.group(6))]
    return _site_zone(iana)


# --- time of day -------------------------------------------------------------------

def _clock(m: re.Match[str]) -> tuple[int, int, int] | None:
    hour = int(m.group(1) or m.group(4))
    minute, second = int(m.group(2) or 0), int(m.group(3) or 0)
    period = _PERIOD.get(_squash(m.group(5) or ""))
    if period == "am" and hour == 12:
        hour = 0
    elif (period == "pm" and 1 <= hour < 12) or (period == "noon" and 1 <= hour <= 5):
        hour += 12
    elif period == "night" and 6 <= hour <= 12:
        hour = (hour + 12) % 24
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The first time after the date, else the last one before it."""
    after = _TIME.search(text, end)
    if after is not None:
        return _clock(after)
    before = None
    for before in _TIME.finditer(text, 0, start):
        pass
    return _clock(before) if before is not None else None


# --- readers -----------------------------------------------------------------------

def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _read_compact(text: str) -> _Found | None:
    m = _COMPACT.fullmatch(text)
    if m is None or int(m.group(1)) not in _GREGORIAN_YEARS:
        return None
    day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if day is None:
        return None
    hms = (int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)) if m.group(4) else None
    return _Found(day, 0, len(text), "iso", hms, _explicit_offset(m.group(7)))


def _explicit_offset(value: str | None) -> tuple[tzinfo, str] | None:
    if not value:
        return None
    if value == "z":
        return UTC, "UTC"
    m = _OFFSET.fullmatch(value)
    return _offset_zone(*m.groups()) if m else None


def _read_iso(text: str) -> _Found | None:
    # datetime.fromisoformat() wants the value alone; here it may sit inside text.
    for m in _ISO.finditer(text):
        if int(m.group(1)) not in _GREGORIAN_YEARS:
            continue
        day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            continue
        hms = None
        if m.group(4):
            hms = (int(m.group(4)), int(m.group(5)), int(m.group(6) or 0))
        return _Found(day, m.start(), m.end(), "iso", hms, _explicit_offset(m.group(7)))
    return None


def _read_rfc2822(text: str) -> _Found | None:
    m = _RFC2822.search(text)
    if m is None:
        return None
    try:
        value = parsedate_to_datetime(m.group(0))
    except (TypeError, ValueError, IndexError):
        return None
    if value is None or value.year not in _GREGORIAN_YEARS:
        return None
    offset = value.utcoffset()  # None for "-0000": UTC, origin unknown
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    zone = _offset_zone("-" if minutes < 0 else "+", *map(str, divmod(abs(minutes), 60)))
    hms = (value.hour, value.minute, value.second)
    return _Found(value.date(), m.start(), m.end(), "rfc2822", hms, zone)


def _read_month_name(text: str) -> _Found | None:
    for m in _TEXT_DMY.finditer(text):
        month = _GREGORIAN[_squash(m.group(2))]
        if m.group(3) and _GREGORIAN[_squash(m.group(3))] != month:
            continue  # "8 مايو/حزيران": two months, no answer
        year = int(m.group(4))
        if year in _GREGORIAN_YEARS and (day := _make_date(year, month, int(m.group(1)))):
            rule = "latin_month" if m.group(2).isascii() else "arabic_month"
            return _Found(day, m.start(), m.end(), rule)
    if _LATIN_LETTER.search(text):
        for m in _TEXT_MDY.finditer(text):
            year = int(m.group(3))
            month = _GREGORIAN[_squash(m.group(1))]
            if year in _GREGORIAN_YEARS and (day := _make_date(year, month, int(m.group(2)))):
                return _Found(day, m.start(), m.end(), "latin_month")
    return None


def _numeric_day(text: str, m: re.Match[str], day_first: bool) -> date | None:
    """Day/month order: the site's default, unless only the other order is valid or
    a weekday name in the text agrees with the other order only."""
    a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    first = (b, a) if day_first else (a, b)  # (month, day)
    options = [first, first[::-1]]
    dates = [d for mo, dd in options if (d := _make_date(year, mo, dd))]
    if len(dates) == 2 and dates[0] != dates[1] and (w := _WEEKDAY_RE.search(text)):
        weekday = _WEEKDAY[_squash(w.group(1))]
        matching = [d for d in dates if d.weekday() == weekday]
        if len(matching) == 1:
            return matching[0]
    return dates[0] if dates else None


def _read_numeric(text: str, day_first: bool) -> _Found | None:
    """Gregorian d/m/Y or Y/m/d; Hijri or Solar Hijri only with their suffix, and only
    when no Gregorian date follows ("1446/11/10 هـ الموافق 2025/05/08 م")."""
    other: _Found | None = None
    for m in _NUMERIC.finditer(text):
        if m.group(1):
            year, month, dd = int(m.group(4)), int(m.group(3)), int(m.group(1))
        else:
            year, month, dd = int(m.group(5)), int(m.group(7)), int(m.group(8))
        if year in _GREGORIAN_YEARS:
            day = _numeric_day(text, m, day_first) if m.group(1) else _make_date(year, month, dd)
            if day:
                return _Found(day, m.start(), m.end(), "numeric")
        elif other is None and _SOLAR_SUFFIX.match(text, m.end()):
            if day := _solar_to_gregorian(year, month, dd):
                other = _Found(day, m.start(), m.end(), "persian")
        elif other is None and _HIJRI_SUFFIX.match(text, m.end()):
            if day := _hijri_to_gregorian(year, month, dd):
                other = _Found(day, m.start(), m.end(), "hijri")
    return other


def _hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    if year not in _HIJRI_YEARS:
        return None
    try:
        return Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None


def _solar_to_gregorian(year: int, month: int, day: int) -> date | None:
    if jdatetime is None or year not in _SOLAR_YEARS:
        return None
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None


def _read_other_calendar(text: str) -> _Found | None:
    for m in _HIJRI_TEXT.finditer(text):
        day = _hijri_to_gregorian(int(m.group(3)), _HIJRI[_squash(m.group(2))], int(m.group(1)))
        if day:
            return _Found(day, m.start(), m.end(), "hijri")
    for m in _PERSIAN_TEXT.finditer(text):
        day = _solar_to_gregorian(int(m.group(3)), _PERSIAN[_squash(m.group(2))],
                                  int(m.group(1)))
        if day:
            return _Found(day, m.start(), m.end(), "persian")
    return None


# --- relative ----------------------------------------------------------------------

def _count(word: str | None, unit: str) -> float:
    if word is None:
        return _UNITS[_squash(unit)][1]
    return int(word) if word.isdigit() else _NUMBERS[_squash(word)]


def _read_relative(text: str, now: datetime) -> datetime | None:
    """``منذ 5 دقائق`` style: an exact instant before ``now``."""
    if len(text) > _RELATIVE_MAX_LEN:
        return None
    if _MOMENTS.search(text):
        return now
    m = _RELATIVE_BEFORE.search(text) or _RELATIVE_AFTER.search(text)
    if m is None:
        return None
    unit = m.group(2)
    amount = _count(m.group(1), unit) + (0.5 if m.re is _RELATIVE_BEFORE and m.group(3) else 0)
    if amount <= 0 or amount > 999:
        return None
    return now - timedelta(**{_UNITS[_squash(unit)][0]: amount})


def _read_day_word(text: str, now: datetime, zone: tzinfo) -> _Found | None:
    """``أمس`` / ``اليوم``, only when they are the whole field (plus label and time):
    "اليوم السابع" is a newspaper, not a date."""
    if len(text) > _RELATIVE_MAX_LEN:
        return None
    time = _TIME.search(text)
    rest = text if time is None else text[:time.start()] + " " + text[time.end():]
    zone_m = _ZONE.search(rest)
    if zone_m is not None:
        rest = rest[:zone_m.start()] + rest[zone_m.end():]
    m = _DAY_WORD_ONLY.fullmatch(rest.strip(" ,-|:()"))
    if m is None:
        return None
    day = now.astimezone(zone).date() - timedelta(days=_DAYS_BACK[_squash(m.group(1))])
    return _Found(day, 0, 0, "relative", _clock(time) if time else None)


# --- dateparser fallback -------------------------------------------------------------

@lru_cache(maxsize=64)
def _dateparser(tz_name: str, day_first: bool) -> DateDataParser:
    from dateparser.date import DateDataParser  # slow import, rarely needed

    return DateDataParser(
        languages=["ar", "fa", "en", "fr"],
        settings={
            "RETURN_AS_TIMEZONE_AWARE": True,
            "TIMEZONE": tz_name,
            "PREFER_DATES_FROM": "past",
            "DATE_ORDER": "DMY" if day_first else "MDY",
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )


def _read_fallback(text: str, day_first: bool) -> _Found | None:
    """Hand the day..year span to dateparser, but only if it looks like a textual
    date: bare numbers, years and phone numbers never get there."""
    if len(text) > 80:
        return None
    runs = _DIGIT_RUN.findall(text)
    if len(runs) > 6 or any(len(r) > 4 for r in runs):
        return None
    m = _FALLBACK_SHAPE.search(text)
    if m is None or int(text[m.end() - 4:m.end()]) not in _GREGORIAN_YEARS:
        return None
    if _TEXT_DMY.search(m.group(0)):  # our month names, already judged ("30 فبراير")
        return None
    # Only the calendar day is taken from it (time and zone are read as above), so its
    # TIMEZONE setting does not matter and one cached parser serves every site.
    try:
        data = _dateparser("UTC", day_first).get_date_data(m.group(0))
    except (ValueError, TypeError, OverflowError, KeyError, IndexError):
        return None
    if data.date_obj is None or data.date_obj.year not in _GREGORIAN_YEARS:
        return None
    return _Found(data.date_obj.date(), m.start(), m.end(), "dateparser")


# --- entry points ------------------------------------------------------------------

def _utc_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(microsecond=0)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC, microsecond=0)
    return now.astimezone(UTC).replace(microsecond=0)


def _read_absolute(text: str, day_first: bool) -> _Found | None:
    return (
        _read_compact(text)
        or _read_iso(text)
        or _read_rfc2822(text)
        or _read_month_name(text)
        or _read_numeric(text, day_first)
        or _read_other_calendar(text)
    )


def parse_date(
    text: str,
    *,
    now: datetime | None = None,
    tz: str | None = None,
    day_first: bool = True,
    max_future: timedelta | None = timedelta(days=1),
) -> ParsedDate | None:
    """Read one date from ``text`` (text around it is tolerated).

    :param text: a meta/JSON-LD value or a visible date line.
    :param now: the fetch time; anchors relative dates and the future check.
        Naive means UTC; default is the current time.
    :param tz: the site's IANA timezone, used when the string has no offset and no
        "بتوقيت ..." phrase. Default ``"UTC"``.
    :param day_first: read ``08/05/2025`` as 8 May (the Arabic default).
    :param max_future: clock-skew allowance; a later date gives ``None``.
        ``None`` disables the check.
    :returns: a :class:`ParsedDate`, or ``None`` when there is no full date
        (day, month and year, or a relative expression) or it is in the future.
    :raises UnknownTimezone: when ``tz`` is not a known zone.
    """
    site_zone = _site_zone(tz or "UTC")
    if not isinstance(text, str) or not text:
        return None
    norm = _normalize(text.strip()[:_MAX_LEN])
    if not norm:
        return None
    now_utc = _utc_now(now)
    found = _read_absolute(norm, day_first)
    if found is None:
        instant = _read_relative(norm, now_utc)
        if instant is not None:
            return ParsedDate(instant, text, site_zone[1], "relative")
        found = _read_day_word(norm, now_utc, site_zone[0]) or _read_fallback(norm, day_first)
        if found is None:
            return None
    hms = found.hms or _time_near(norm, found.start, found.end)
    if found.zone is not None:
        zone = found.zone
    else:
        zone = _zone_in_text(norm) or site_zone
    try:
        local = datetime.combine(found.day, datetime.min.time()).replace(
            hour=(hms or _NOON)[0], minute=(hms or _NOON)[1], second=(hms or _NOON)[2],
            tzinfo=zone[0])
    except ValueError:  # 24:00 and the like
        return None
    utc = local.astimezone(UTC)
    if max_future is not None and utc > now_utc + max_future:
        return None
    return ParsedDate(utc, text, zone[1], found.rule, date_only=hms is None)


def parse_first(candidates: Iterable[str], **kw: object) -> ParsedDate | None:
    """The first candidate that :func:`parse_date` reads (keywords passed through)."""
    for candidate in candidates:
        parsed = parse_date(candidate, **kw)  # type: ignore[arg-type]
        if parsed is not None:
            return parsed
    return None
