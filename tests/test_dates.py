"""newscrawl.dates: a table of date strings as Arabic news sites print them.

Every expected value is the UTC instant worked out by hand from the site's zone
(Cairo and Beirut are +03:00 in May 2025 and +02:00 in winter, Casablanca is
+00:00 in Ramadan, Tehran had +04:30 in summer 2020). Date-only strings are local
noon. ``bench/dates.py`` reuses ``CASES`` and ``NONE_CASES``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from hijridate import Hijri
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl import datedata
from newscrawl.dates import ParsedDate, UnknownTimezone, parse_date, parse_first

NOW = "2025-05-10T12:00:00Z"

try:
    import jdatetime  # noqa: F401
    HAVE_JDATETIME = True
except ImportError:  # pragma: no cover
    HAVE_JDATETIME = False


class Case(NamedTuple):
    text: str
    tz: str
    expected: str | None  # UTC, "YYYY-MM-DDTHH:MM:SSZ"
    rule: str | None = None
    now: str = NOW


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


CAIRO, BEIRUT, DAMASCUS, AMMAN, BAGHDAD = (
    "Africa/Cairo", "Asia/Beirut", "Asia/Damascus", "Asia/Amman", "Asia/Baghdad")
RIYADH, DUBAI, TUNIS, ALGIERS, RABAT, TEHRAN = (
    "Asia/Riyadh", "Asia/Dubai", "Africa/Tunis", "Africa/Algiers", "Africa/Casablanca",
    "Asia/Tehran")

META = [  # JSON-LD datePublished, <meta property="article:published_time">, RSS pubDate
    Case("2025-05-08T11:20:00+03:00", CAIRO, "2025-05-08T08:20:00Z", "iso"),
    Case("2025-05-08T08:20:00Z", RIYADH, "2025-05-08T08:20:00Z", "iso"),
    Case("2025-05-08 11:20:00", RIYADH, "2025-05-08T08:20:00Z", "iso"),
    Case("Thu, 08 May 2025 08:20:00 +0000", DAMASCUS, "2025-05-08T08:20:00Z", "rfc2822"),
    Case("20250508", DUBAI, "2025-05-08T08:00:00Z", "iso"),
    Case("2025-05-08T11:20:00.000+0300", "UTC", "2025-05-08T08:20:00Z", "iso"),
    Case("2025-05-08T11:20:00.123456Z", CAIRO, "2025-05-08T11:20:00Z", "iso"),
    Case("2025-05-08T14:05", TUNIS, "2025-05-08T13:05:00Z", "iso"),
    Case("2025-05-08", BAGHDAD, "2025-05-08T09:00:00Z", "iso"),
    Case("Thu, 08 May 2025 11:20:00 +0300", "UTC", "2025-05-08T08:20:00Z", "rfc2822"),
    Case("Thu, 08 May 2025 08:20:00 GMT", BEIRUT, "2025-05-08T08:20:00Z", "rfc2822"),
    Case("2025-05-08T10:20:00+01:00", RABAT, "2025-05-08T09:20:00Z", "iso"),
    Case("2024-12-31T23:30:00-05:00", "UTC", "2025-01-01T04:30:00Z", "iso"),
    Case("2025-05-08T11:20:00+03", BAGHDAD, "2025-05-08T08:20:00Z", "iso"),
    Case("20250508T112000Z", CAIRO, "2025-05-08T11:20:00Z", "iso"),
    Case("2025-05-08T11:20:00+04:00", DUBAI, "2025-05-08T07:20:00Z", "iso"),
    Case("Sat, 11 Jan 2025 15:20:00 +0100", TUNIS, "2025-01-11T14:20:00Z", "rfc2822"),
    Case("2025-01-14 09:15:00", BEIRUT, "2025-01-14T07:15:00Z", "iso"),
    Case(" 2025-05-08T11:20:00+03:00\n", CAIRO, "2025-05-08T08:20:00Z", "iso"),
]

EGYPT_GULF = [  # Youm7, Masrawy, Shorouk, Ahram, Okaz, Al Bayan, Al Arabiya, Al Khaleej...
    Case("نشر في: الخميس 8 مايو 2025 - 10:30 م", CAIRO, "2025-05-08T19:30:00Z", "arabic_month"),
    Case("الخميس، 8 مايو 2025 - 10:30 م", CAIRO, "2025-05-08T19:30:00Z"),
    Case("الخميس، 08 مايو 2025 10:30 ص", CAIRO, "2025-05-08T07:30:00Z"),
    Case("10:30 ص الخميس 08 مايو 2025", CAIRO, "2025-05-08T07:30:00Z"),
    Case("نشر في: الخميس 8 مايو 2025 - 10:30 ص | آخر تحديث: الخميس 8 مايو 2025 - 11:45 ص",
         CAIRO, "2025-05-08T07:30:00Z"),
    Case("الأربعاء 15 يناير 2025 - 09:00 م", CAIRO, "2025-01-15T19:00:00Z"),
    Case("الثلاثاء 1 أبريل 2025", CAIRO, "2025-04-01T10:00:00Z"),
    Case("5 ابريل 2025", CAIRO, "2025-04-05T10:00:00Z"),
    Case("20 إبريل 2025 04:15 م", CAIRO, "2025-04-20T14:15:00Z"),
    Case("الجمعة 2 مايو 2025 - 11:00 ص", CAIRO, "2025-05-02T08:00:00Z"),
    Case("الاثنين 16 يونيو 2025 10:00 م", CAIRO, "2025-06-16T19:00:00Z",
         now="2025-07-01T00:00:00Z"),
    Case("18 يونيه 2024", CAIRO, "2024-06-18T09:00:00Z"),
    Case("3 يوليه 2024 - 08:45 م", CAIRO, "2024-07-03T17:45:00Z"),
    Case("12 أغسطس 2024 - 07:00 ص", CAIRO, "2024-08-12T04:00:00Z"),
    Case("12 اغسطس 2024", RIYADH, "2024-08-12T09:00:00Z"),
    Case("30 سبتمبر 2024 | 01:05 م", RIYADH, "2024-09-30T10:05:00Z"),
    Case("الأحد 6 أكتوبر 2024 06:30 مساءً", DUBAI, "2024-10-06T14:30:00Z"),
    Case("6 اكتوبر 2024", DUBAI, "2024-10-06T08:00:00Z"),
    Case("28 نوفمبر 2024 - 9:05 ص", "Asia/Kuwait", "2024-11-28T06:05:00Z"),
    Case("31 ديسمبر 2024 11:59 م", "Asia/Qatar", "2024-12-31T20:59:00Z"),
    Case("التاريخ: 08 مايو 2025", DUBAI, "2025-05-08T08:00:00Z"),
    Case("08 مايو 2025 10:30", DUBAI, "2025-05-08T06:30:00Z"),
    Case("نشر في: 08 مايو ,2025: 10:30 ص GST", RIYADH, "2025-05-08T06:30:00Z"),
    Case("آخر تحديث: 08 مايو ,2025: 02:35 م GST", DUBAI, "2025-05-08T10:35:00Z"),
    Case("17 فبراير 2025 - 03:20 م", "Asia/Bahrain", "2025-02-17T12:20:00Z"),
    Case("الأحد 9 مارس 2025 5:45 مساء", RIYADH, "2025-03-09T14:45:00Z"),
    Case("السبت 10 مايو 2025 - 12:15 ص", CAIRO, "2025-05-09T21:15:00Z"),
    Case("الجمعة 9 مايو 2025 - 12:30 م", CAIRO, "2025-05-09T09:30:00Z"),
    Case("الخميس 8 من مايو 2025", RIYADH, "2025-05-08T09:00:00Z"),
    Case("8 مايو، 2025", "Africa/Khartoum", "2025-05-08T10:00:00Z"),
    Case("08-مايو-2025", CAIRO, "2025-05-08T09:00:00Z"),
    Case("8 مايو 2025م", "Asia/Aden", "2025-05-08T09:00:00Z"),
]

LEVANT_IRAQ = [  # SANA, Enab Baladi, Annahar, Al Akhbar, Alghad, Alrai, Alsumaria, Shafaq
    Case("آخر تحديث: 14 كانون الثاني 2024 | 09:15", BEIRUT, "2024-01-14T07:15:00Z",
         "arabic_month"),
    Case("الخميس، 8 أيار 2025", DAMASCUS, "2025-05-08T09:00:00Z"),
    Case("8 أيار 2025 - 10:30", DAMASCUS, "2025-05-08T07:30:00Z"),
    Case("الأحد 2 شباط 2025", DAMASCUS, "2025-02-02T09:00:00Z"),
    Case("17 آذار 2025 الساعة 14:00", AMMAN, "2025-03-17T11:00:00Z"),
    Case("الثلاثاء 22 نيسان 2025 - 08:10 مساءً", BEIRUT, "2025-04-22T17:10:00Z"),
    Case("12 حزيران 2024", BAGHDAD, "2024-06-12T09:00:00Z"),
    Case("4 تموز 2024 | 11:00", BEIRUT, "2024-07-04T08:00:00Z"),
    Case("15 آب 2024 - 19:45", AMMAN, "2024-08-15T16:45:00Z"),
    Case("1 أيلول 2024", DAMASCUS, "2024-09-01T09:00:00Z"),
    Case("7 تشرين الأول 2024 | 06:00", BEIRUT, "2024-10-07T03:00:00Z"),
    Case("25 تشرين الثاني 2024", BAGHDAD, "2024-11-25T09:00:00Z"),
    Case("31 كانون الأول 2024 - 23:00", DAMASCUS, "2024-12-31T20:00:00Z"),
    Case("14 كانون 2 2024", BEIRUT, "2024-01-14T10:00:00Z"),
    Case("5 تشرين 1 2024", BAGHDAD, "2024-10-05T09:00:00Z"),
    Case("20 تشرين 2 2023 - 10:00", DAMASCUS, "2023-11-20T07:00:00Z"),
    Case("3 كانون 1 2023", AMMAN, "2023-12-03T09:00:00Z"),
    Case("الأربعاء 9 تشرين أول 2024", BEIRUT, "2024-10-09T09:00:00Z"),
    Case("الاثنين 13 كانون ثاني 2025", BAGHDAD, "2025-01-13T09:00:00Z"),
    Case("السبت 10 أيار 2025 | 08:00 صباحاً", BEIRUT, "2025-05-10T05:00:00Z"),
    Case("تاريخ النشر: 2025-05-08 | 14:20", BEIRUT, "2025-05-08T11:20:00Z", "iso"),
    Case("آخر تحديث 28 شباط 2025", BEIRUT, "2025-02-28T10:00:00Z"),
    Case("الأحد 11 أيار 2025 - 01:30", DAMASCUS, "2025-05-10T22:30:00Z",
         now="2025-05-11T06:00:00Z"),
    Case("بغداد/ 8 أيار 2025", BAGHDAD, "2025-05-08T09:00:00Z"),
]

MAGHREB = [  # Hespress, Le360, Echorouk, Ennahar, Mosaique FM, Assabah, APS
    Case("السبت 11 جانفي 2025 - 15:20", TUNIS, "2025-01-11T14:20:00Z", "arabic_month"),
    Case("الخميس 08 ماي 2025 - 10:30", RABAT, "2025-05-08T09:30:00Z"),
    Case("الجمعة 09 غشت 2024 - 12:00", RABAT, "2024-08-09T11:00:00Z"),
    Case("الاثنين 10 مارس 2025 - 10:30", RABAT, "2025-03-10T10:30:00Z"),  # Ramadan: +00
    Case("الخميس 20 مارس 2025 - 22:15", RABAT, "2025-03-20T22:15:00Z"),
    Case("الأحد 6 أبريل 2025 - 18:00", RABAT, "2025-04-06T17:00:00Z"),
    Case("12 فيفري 2025", ALGIERS, "2025-02-12T11:00:00Z"),
    Case("3 أفريل 2025 - 09:45", ALGIERS, "2025-04-03T08:45:00Z"),
    Case("25 جوان 2024", TUNIS, "2024-06-25T11:00:00Z"),
    Case("14 جويلية 2024 | 20:30", TUNIS, "2024-07-14T19:30:00Z"),
    Case("15 أوت 2024", ALGIERS, "2024-08-15T11:00:00Z"),
    Case("08 ماي 2025 10:30", ALGIERS, "2025-05-08T09:30:00Z"),
    Case("22 سبتمبر 2024 - 17:00", TUNIS, "2024-09-22T16:00:00Z"),
    Case("الثلاثاء 17 شتنبر 2024 - 09:00", RABAT, "2024-09-17T08:00:00Z"),
    Case("29 نونبر 2024", RABAT, "2024-11-29T11:00:00Z"),
    Case("الأربعاء 25 دجنبر 2024 - 21:30", RABAT, "2024-12-25T20:30:00Z"),
    Case("الجمعة 19 يوليوز 2024 - 08:00", RABAT, "2024-07-19T07:00:00Z"),
    Case("1er mai 2025", TUNIS, "2025-05-01T11:00:00Z", "latin_month"),
    Case("Publié le 08 mai 2025 à 10h30", TUNIS, "2025-05-08T09:30:00Z", "latin_month"),
    Case("Jeudi 8 mai 2025 - 10:30", ALGIERS, "2025-05-08T09:30:00Z"),
    Case("08 février 2025", ALGIERS, "2025-02-08T11:00:00Z"),
    Case("Mis à jour le 8 Mai 2025 à 11:05", RABAT, "2025-05-08T10:05:00Z"),
]

DOUBLED = [  # BBC Arabic, Jordanian and Lebanese papers print both month names
    Case("5 نيسان/أبريل 2025", BEIRUT, "2025-04-05T09:00:00Z", "arabic_month"),
    Case("8 مايو/ أيار 2025", "UTC", "2025-05-08T12:00:00Z"),
    Case("8 أيار (مايو) 2025", AMMAN, "2025-05-08T09:00:00Z"),
    Case("21 تشرين الأول/أكتوبر 2024", BEIRUT, "2024-10-21T09:00:00Z"),
    Case("1 كانون الثاني/يناير 2025 - 00:05", BEIRUT, "2024-12-31T22:05:00Z"),
    Case("14 شباط - فبراير 2025", BAGHDAD, "2025-02-14T09:00:00Z"),
    Case("8 أيار / مايو 2025. 10:30 صباحاً", AMMAN, "2025-05-08T07:30:00Z"),
]

NUMERIC = [  # Al Jazeera, Ahram, Almasry Alyoum, Echorouk, Ammon, Maan
    Case("تاريخ النشر : 2025/05/08", RIYADH, "2025-05-08T09:00:00Z", "numeric"),
    Case("08/05/2025", CAIRO, "2025-05-08T09:00:00Z", "numeric"),
    Case("8/5/2025", RIYADH, "2025-05-08T09:00:00Z"),
    Case("آخر تحديث: 8/5/2025 10:30 (توقيت مكة)", "UTC", "2025-05-08T07:30:00Z"),
    Case("8-5-2025 | 10:30", CAIRO, "2025-05-08T07:30:00Z"),
    Case("الخميس 08-05-2025 10:30", CAIRO, "2025-05-08T07:30:00Z"),
    Case("2025/05/08 10:30", ALGIERS, "2025-05-08T09:30:00Z"),
    Case("08.05.2025 - 10:30", TUNIS, "2025-05-08T09:30:00Z"),
    Case("نشر في الشروق الجديد يوم 08 - 05 - 2025", CAIRO, "2025-05-08T09:00:00Z"),
    Case("12/25/2024", "UTC", "2024-12-25T12:00:00Z"),  # only month-first is valid
    Case("2025-5-8 10:30", AMMAN, "2025-05-08T07:30:00Z", "numeric"),
    Case("08/05/2025 10:30 PM", AMMAN, "2025-05-08T19:30:00Z"),
    Case("الخميس 05/08/2025", RIYADH, "2025-05-08T09:00:00Z"),  # 5 Aug is a Tuesday
    Case("آخر تحديث: 2015/5/8 الساعة 10:30 (مكة المكرمة)", "UTC", "2015-05-08T07:30:00Z"),
    Case("القدس - 08/05/2025 - 14:45", "Asia/Jerusalem", "2025-05-08T11:45:00Z"),
]

DIGITS = [  # Arabic-Indic and Persian digits
    Case("الخميس ٨ مايو ٢٠٢٥ - ١٠:٣٠ ص", CAIRO, "2025-05-08T07:30:00Z"),
    Case("٠٨/٠٥/٢٠٢٥", RIYADH, "2025-05-08T09:00:00Z"),
    Case("٢٠٢٥-٠٥-٠٨ ١١:٢٠", BAGHDAD, "2025-05-08T08:20:00Z"),
    Case("۸ مه ۲۰۲۵", TEHRAN, "2025-05-08T08:30:00Z"),
    Case("منذ ٥ دقائق", CAIRO, "2025-05-10T11:55:00Z"),
    Case("١٠ ذو القعدة ١٤٤٦ هـ", RIYADH, "2025-05-08T09:00:00Z", "hijri"),
    Case("٢٢ نيسان ٢٠٢٥", DAMASCUS, "2025-04-22T09:00:00Z"),
    Case("\u200f٨ مايو ٢٠٢٥\u200f", CAIRO, "2025-05-08T09:00:00Z"),  # RLM marks
]

TIMES = [  # ص/م, صباحاً/مساءً, ظهراً, الساعة, بتوقيت ...
    Case("الخميس 8 مايو 2025 الساعة 10 مساءً", CAIRO, "2025-05-08T19:00:00Z"),
    Case("8 مايو 2025 الساعة 10:30 صباحاً", RIYADH, "2025-05-08T07:30:00Z"),
    Case("8 مايو 2025 - 10:30 بتوقيت مكة المكرمة", TUNIS, "2025-05-08T07:30:00Z"),
    Case("8 أيار 2025 - 10:30 بتوقيت دمشق", "UTC", "2025-05-08T07:30:00Z"),
    Case("8 مايو 2025 - 10:30 بتوقيت غرينتش", RIYADH, "2025-05-08T10:30:00Z"),
    Case("8 مايو 2025 10:30 GMT", RIYADH, "2025-05-08T10:30:00Z"),
    Case("8 مايو 2025 | 10:30 (GMT+03:00)", "UTC", "2025-05-08T07:30:00Z"),
    Case("الخميس 8 مايو 2025 - 1:15 ظهراً", CAIRO, "2025-05-08T10:15:00Z"),
    Case("8 مايو 2025 - 4:30 عصراً", RIYADH, "2025-05-08T13:30:00Z"),
    Case("8 مايو 2025 - 9:00 ليلاً", RIYADH, "2025-05-08T18:00:00Z"),
    Case("8 مايو 2025 - 12:10 ص", RIYADH, "2025-05-07T21:10:00Z"),
    Case("8 مايو 2025 - 12:10 م", RIYADH, "2025-05-08T09:10:00Z"),
    Case("8 مايو 2025 الساعة 10:30 بتوقيت القاهرة", RIYADH, "2025-05-08T07:30:00Z"),
    Case("الخميس 8 مايو 2025 10:30:45", RIYADH, "2025-05-08T07:30:45Z"),
    Case("8 مايو 2025 - 20:05 بتوقيت أبوظبي", CAIRO, "2025-05-08T16:05:00Z"),
    Case("8 مايو 2025 - 10:30 بتوقيت الجزائر", "UTC", "2025-05-08T09:30:00Z"),
]

RELATIVE = [  # now = 2025-05-10 12:00 UTC
    Case("منذ 5 دقائق", CAIRO, "2025-05-10T11:55:00Z", "relative"),
    Case("قبل ساعة", CAIRO, "2025-05-10T11:00:00Z", "relative"),
    Case("منذ ساعتين", RIYADH, "2025-05-10T10:00:00Z"),
    Case("منذ 3 ساعات", RIYADH, "2025-05-10T09:00:00Z"),
    Case("منذ يومين", RIYADH, "2025-05-08T12:00:00Z"),
    Case("أمس", CAIRO, "2025-05-09T09:00:00Z", "relative"),
    Case("اليوم", CAIRO, "2025-05-10T09:00:00Z", "relative"),
    Case("قبل أسبوع", RIYADH, "2025-05-03T12:00:00Z"),
    Case("منذ 10 دقائق", DAMASCUS, "2025-05-10T11:50:00Z"),
    Case("منذ دقيقة", DAMASCUS, "2025-05-10T11:59:00Z"),
    Case("منذ دقيقتين", DAMASCUS, "2025-05-10T11:58:00Z"),
    Case("قبل 4 أيام", BAGHDAD, "2025-05-06T12:00:00Z"),
    Case("أمس 10:30 م", CAIRO, "2025-05-09T19:30:00Z"),
    Case("اليوم الساعة 09:15", RIYADH, "2025-05-10T06:15:00Z"),
    Case("نشر: منذ ساعة", BEIRUT, "2025-05-10T11:00:00Z"),
    Case("منذ ساعة ونصف", BEIRUT, "2025-05-10T10:30:00Z"),
    Case("قبل ثلاث ساعات", AMMAN, "2025-05-10T09:00:00Z"),
    Case("منذ 45 ثانية", AMMAN, "2025-05-10T11:59:15Z"),
    Case("آخر تحديث: أمس", CAIRO, "2025-05-09T09:00:00Z"),
    Case("أول أمس", CAIRO, "2025-05-08T09:00:00Z"),
    Case("منذ أسبوعين", DUBAI, "2025-04-26T12:00:00Z"),
    Case("5 minutes ago", DUBAI, "2025-05-10T11:55:00Z"),
    Case("۳ ساعت پیش", TEHRAN, "2025-05-10T09:00:00Z"),
    Case("منذ لحظات", RIYADH, "2025-05-10T12:00:00Z"),
    # 01:00 on 10 May in Cairo is still 9 May in UTC: "yesterday" is local.
    Case("أمس", CAIRO, "2025-05-09T09:00:00Z", now="2025-05-09T22:00:00Z"),
    Case("اليوم - 08:40 ص", TUNIS, "2025-05-10T07:40:00Z"),
]

HIJRI = [  # Saudi and Yemeni papers; Umm al-Qura
    Case("10 ذو القعدة 1446 هـ", RIYADH, "2025-05-08T09:00:00Z", "hijri"),
    Case("10 ذو القعدة 1446 ه", RIYADH, "2025-05-08T09:00:00Z", "hijri"),
    Case("10 ذو القعدة 1446 هـ الموافق 8 مايو 2025 م", RIYADH, "2025-05-08T09:00:00Z",
         "arabic_month"),
    Case("الخميس - 10 ذو القعدة 1446 هـ - 08 مايو 2025 مـ رقم العدد [17000]", RIYADH,
         "2025-05-08T09:00:00Z", "arabic_month"),
    Case("الخميس 10 ذو القعدة 1446هـ 8 مايو 2025م", "Asia/Aden", "2025-05-08T09:00:00Z"),
    Case("1 رمضان 1446 هـ", RIYADH, "2025-03-01T09:00:00Z", "hijri"),
    Case("1 شوال 1446هـ", RIYADH, "2025-03-30T09:00:00Z", "hijri"),
    Case("الخميس 1446/11/10 هـ الموافق 2025/05/08 م", RIYADH, "2025-05-08T09:00:00Z",
         "numeric"),
    Case("1446/11/10 هـ", RIYADH, "2025-05-08T09:00:00Z", "hijri"),
    Case("10 ذي الحجة 1445 هـ", RIYADH, "2024-06-16T09:00:00Z", "hijri"),
    Case("15 شعبان 1446", RIYADH, "2025-02-14T09:00:00Z", "hijri"),
    Case("12 ربيع الأول 1446 هـ", RIYADH, "2024-09-15T09:00:00Z", "hijri"),
    Case("الاثنين 1 جمادى الآخرة 1446 هـ", RIYADH, "2024-12-02T09:00:00Z", "hijri"),
]

PERSIAN = [  # Solar Hijri on Persian pages (needs jdatetime)
    Case("2 تیر 1399", TEHRAN, "2020-06-22T07:30:00Z", "persian"),
    Case("پنجشنبه ۱۸ اردیبهشت ۱۴۰۴ - ۱۰:۳۰", TEHRAN, "2025-05-08T07:00:00Z", "persian"),
    Case("۱۸ اردیبهشت ۱۴۰۴ ساعت ۱۰:۳۰", TEHRAN, "2025-05-08T07:00:00Z", "persian"),
    Case("1 فروردین 1404", TEHRAN, "2025-03-21T08:30:00Z", "persian"),
    Case("۱۴۰۴/۰۲/۱۸ ه.ش", TEHRAN, "2025-05-08T08:30:00Z", "persian"),
]

CASES = META + EGYPT_GULF + LEVANT_IRAQ + MAGHREB + DOUBLED + NUMERIC + DIGITS + TIMES \
    + RELATIVE + HIJRI + PERSIAN

NONE_CASES = [Case(text, CAIRO, None) for text in (
    "2025 عام التحديات",
    "0933123456",
    "+963 11 123 4567",
    "هاتف: 02 2025 1234",
    "صفحة 1 من 20",
    "عدد الصفحات: 250",
    "8 مايو",
    "مايو 2025",
    "كانون الثاني 2024",
    "10:30",
    "الخميس",
    "اليوم السابع",
    "أخبار اليوم",
    "مصر اليوم",
    "لا يوجد تاريخ",
    "32 مايو 2025",
    "30 فبراير 2024",
    "31/02/2025",
    "1446/11/10",
    "2025",
    "منذ 3 أشهر",
    "منذ 3 سنوات",
    "ربع نهائي 2-1",
    "العدد 17000",
    "1.2.3",
    "8 مايو 1446",
    "20251340",
    "2025-05-08T25:00:00Z",
    "   ",
    "قبل 5 أيام من الانتخابات التي جرت في البلاد وسط مشاركة ضعيفة من الناخبين والمراقبين",
    "9 آلاف 2025",
    "8-10 مايو 2025",  # a range, not a publication date
    "منذ يوم الخميس",  # "since Thursday"
)]


def _check(case: Case) -> None:
    result = parse_date(case.text, now=_dt(case.now), tz=case.tz)
    if case.expected is None:
        assert result is None, result
        return
    assert result is not None
    assert result.iso == case.expected
    assert result.utc.tzinfo is UTC
    assert result.raw == case.text
    if case.rule:
        assert result.rule == case.rule


@pytest.mark.parametrize("case", [c for c in CASES if c not in PERSIAN], ids=lambda c: c.text)
def test_real_world_strings(case: Case) -> None:
    _check(case)


@pytest.mark.skipif(not HAVE_JDATETIME, reason="jdatetime not installed")
@pytest.mark.parametrize("case", PERSIAN, ids=lambda c: c.text)
def test_persian_solar_hijri(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", NONE_CASES, ids=lambda c: c.text)
def test_not_a_date(case: Case) -> None:
    _check(case)


def test_table_is_large_enough() -> None:
    assert len(CASES) - len(PERSIAN) >= 120
    assert len(NONE_CASES) >= 15


@pytest.mark.parametrize("value", [None, 12345, b"2025-05-08", "", ["8 مايو 2025"]])
def test_non_string_or_empty_gives_none(value: object) -> None:
    assert parse_date(value) is None  # type: ignore[arg-type]


# --- future and clock skew ---------------------------------------------------------

@pytest.mark.parametrize("text, accepted", [
    ("15 مايو 2025", False),
    ("2025-05-11T10:00:00Z", True),   # 22 h ahead: clock skew
    ("2025-05-11T13:00:00Z", False),  # 25 h ahead
    ("2026-01-01", False),
])
def test_future_is_rejected(text: str, accepted: bool) -> None:
    assert (parse_date(text, now=_dt(NOW), tz="UTC") is not None) is accepted


def test_max_future_is_configurable() -> None:
    assert parse_date("2026-01-01", now=_dt(NOW), max_future=None) is not None
    assert parse_date("2025-05-10T12:00:01Z", now=_dt(NOW), max_future=timedelta(0)) is None


def test_utc_plus_14_site_publishing_tomorrow_still_works() -> None:
    # 11 May at noon in Kiritimati is 22:00 UTC on 10 May: 10 h ahead of the fetch.
    result = parse_date("11 مايو 2025", now=_dt(NOW), tz="Pacific/Kiritimati")
    assert result is not None and result.iso == "2025-05-10T22:00:00Z"


# --- zones -------------------------------------------------------------------------

@pytest.mark.parametrize("tz, expected", [
    ("Asia/Damascus", "2025-05-08T07:30:00Z"),
    ("Africa/Cairo", "2025-05-08T07:30:00Z"),      # Egyptian summer time: +03:00
    ("Africa/Tunis", "2025-05-08T09:30:00Z"),
    ("Asia/Riyadh", "2025-05-08T07:30:00Z"),
    ("Asia/Dubai", "2025-05-08T06:30:00Z"),
    ("Africa/Casablanca", "2025-05-08T09:30:00Z"),
    ("Asia/Baghdad", "2025-05-08T07:30:00Z"),
    ("Asia/Beirut", "2025-05-08T07:30:00Z"),        # Lebanese summer time: +03:00
    ("UTC", "2025-05-08T10:30:00Z"),
    ("+02:00", "2025-05-08T08:30:00Z"),
])
def test_site_timezone(tz: str, expected: str) -> None:
    result = parse_date("8 مايو 2025 - 10:30", now=_dt(NOW), tz=tz)
    assert result is not None and result.iso == expected and result.tz == tz


@pytest.mark.parametrize("text, tz, expected", [
    ("15 يناير 2025 - 10:30", "Africa/Cairo", "2025-01-15T08:30:00Z"),
    ("15 كانون الثاني 2025 - 10:30", "Asia/Beirut", "2025-01-15T08:30:00Z"),
    ("الاثنين 10 مارس 2025 - 10:30", "Africa/Casablanca", "2025-03-10T10:30:00Z"),
])
def test_winter_and_ramadan_offsets(text: str, tz: str, expected: str) -> None:
    result = parse_date(text, now=_dt(NOW), tz=tz)
    assert result is not None and result.iso == expected


def test_offset_in_string_wins_over_site_zone() -> None:
    result = parse_date("2025-05-08T11:20:00+03:00", now=_dt(NOW), tz="Africa/Tunis")
    assert result is not None and result.tz == "+03:00"
    result = parse_date("2025-05-08T08:20:00Z", now=_dt(NOW), tz="Africa/Tunis")
    assert result is not None and result.tz == "UTC"


def test_zone_phrase_wins_over_site_zone() -> None:
    result = parse_date("8 مايو 2025 - 10:30 بتوقيت مكة", now=_dt(NOW), tz="Africa/Tunis")
    assert result is not None and result.tz == "Asia/Riyadh"


@pytest.mark.parametrize("tz", ["Asia/Damscus", "Mars/Olympus", "../etc/passwd", "+25:00"])
def test_unknown_timezone_raises(tz: str) -> None:
    with pytest.raises(UnknownTimezone):
        parse_date("8 مايو 2025", tz=tz)
    assert issubclass(UnknownTimezone, ValueError)


def test_default_tz_is_utc_and_naive_now_is_utc() -> None:
    result = parse_date("8 مايو 2025 10:30", now=datetime(2025, 5, 10, 12))
    assert result is not None and result.iso == "2025-05-08T10:30:00Z" and result.tz == "UTC"
    relative = parse_date("منذ 5 دقائق", now=datetime(2025, 5, 10, 12))
    assert relative is not None and relative.iso == "2025-05-10T11:55:00Z"


def test_default_now_is_the_current_time() -> None:
    result = parse_date("منذ ساعة")
    assert result is not None
    assert abs(result.utc - (datetime.now(UTC) - timedelta(hours=1))) < timedelta(minutes=1)


# --- numeric order -------------------------------------------------------------------

@pytest.mark.parametrize("text, day_first, expected", [
    ("05/08/2025", True, "2025-08-05T12:00:00Z"),
    ("05/08/2025", False, "2025-05-08T12:00:00Z"),
    ("25/12/2024", False, "2024-12-25T12:00:00Z"),  # only one order is valid
    ("2025/05/08", False, "2025-05-08T12:00:00Z"),  # year first is never ambiguous
    ("الخميس 08/05/2025", False, "2025-05-08T12:00:00Z"),  # 5 Aug is a Tuesday
])
def test_day_first_is_configurable(text: str, day_first: bool, expected: str) -> None:
    result = parse_date(text, now=_dt("2025-09-01T00:00:00Z"), day_first=day_first)
    assert result is not None and result.iso == expected


# --- Hijri against hijridate ---------------------------------------------------------

@pytest.mark.parametrize("year, month, day", [
    (1446, 11, 10), (1446, 9, 1), (1446, 10, 1), (1445, 12, 10), (1446, 1, 1),
    (1430, 2, 15), (1420, 5, 29), (1446, 6, 30),
])
def test_hijri_months_agree_with_hijridate(year: int, month: int, day: int) -> None:
    expected = Hijri(year, month, day).to_gregorian()
    for name in datedata.HIJRI_MONTHS[month]:
        result = parse_date(f"{day} {name} {year} هـ", now=_dt(NOW), tz="UTC")
        assert result is not None and result.utc.date() == expected, name


def test_impossible_hijri_day_gives_none() -> None:
    assert parse_date("30 ذو القعدة 1446 هـ", now=_dt(NOW)) is None  # a 29-day month


# --- data tables -----------------------------------------------------------------------

def test_month_spellings_are_all_read() -> None:
    for month, names in datedata.GREGORIAN_MONTHS.items():
        for name in names:
            result = parse_date(f"3 {name} 2024", now=_dt(NOW), tz="UTC")
            assert result is not None and result.utc.month == month, name


def test_calendars_share_no_month_name() -> None:
    from newscrawl.dates import _GREGORIAN, _HIJRI, _PERSIAN, _lookup

    assert not (_GREGORIAN.keys() & _HIJRI.keys())
    assert not (_GREGORIAN.keys() & _PERSIAN.keys())
    assert not (_HIJRI.keys() & _PERSIAN.keys())
    # no spelling is listed under two months of the same calendar
    for table in (datedata.GREGORIAN_MONTHS, datedata.HIJRI_MONTHS, datedata.PERSIAN_MONTHS):
        flat = [k for n, words in table.items() for k in _lookup({n: words})]
        assert len(flat) == len(set(flat))


# --- API ---------------------------------------------------------------------------

def test_parsed_date_shape() -> None:
    result = parse_date("الخميس 8 مايو 2025", now=_dt(NOW), tz="Asia/Riyadh")
    assert isinstance(result, ParsedDate)
    assert result.date_only and result.iso == "2025-05-08T09:00:00Z"
    assert result.tz == "Asia/Riyadh" and result.rule == "arabic_month"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rule = "x"  # type: ignore[misc]
    timed = parse_date("الخميس 8 مايو 2025 10:30", now=_dt(NOW), tz="Asia/Riyadh")
    assert timed is not None and not timed.date_only


def test_parse_first() -> None:
    result = parse_first(["", "غير معروف", "8 مايو 2025", "9 مايو 2025"],
                         now=_dt(NOW), tz="Asia/Riyadh")
    assert result is not None and result.raw == "8 مايو 2025"
    assert parse_first(["لا", "شيء"]) is None


def test_dateparser_fallback_reads_what_the_tables_miss() -> None:
    result = parse_date("8th of May 2025", now=_dt(NOW), tz="Asia/Riyadh")
    assert result is not None and result.rule == "dateparser"
    assert result.iso == "2025-05-08T09:00:00Z"


# --- robustness ------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "8", "٨", "2025", "١٤٤٦", "10:30", "مايو", "كانون 2", "ذو القعدة", "هـ", "م", "ص",
    "منذ", "قبل", "ساعة", "أمس", "اليوم", "/", "-", ":", "،", "بتوقيت", "مكة", "GMT",
    "+03:00", "T", "Z", "  ", "\u200f", "(", ")", "ونصف", "ثلاث", "99", "0",
])


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=12).map(" ".join)))
def test_random_text_never_raises(text: str) -> None:
    result = parse_date(text, now=_dt(NOW), tz="Asia/Damascus")
    assert result is None or result.utc <= _dt(NOW) + timedelta(days=1)
