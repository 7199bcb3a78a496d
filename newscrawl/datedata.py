"""Word tables for :mod:`newscrawl.dates`, kept as plain data.

Names are written here as they appear on pages (hamza, ta marbuta, Persian letters
and all); :mod:`newscrawl.dates` normalizes both the tables and the input with the
same function, so a spelling variant that differs only by hamza/alef, alef
maksura, ta marbuta, tatweel or tashkeel needs no entry of its own.
"""

from __future__ import annotations

# --- Gregorian months -------------------------------------------------------------
# One tuple per month, every regional family mixed: the month number is what matters.
GREGORIAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: (
        "كانون الثاني", "كانون ثاني", "كانون 2",          # Levant, Iraq
        "يناير",                                          # Egypt, Gulf, Morocco
        "جانفي",                                          # Algeria, Tunisia
        "ژانویه",                                         # Persian
        "january", "jan", "janvier", "janv",
    ),
    2: ("شباط", "فبراير", "فيفري", "فيڤري", "فوریه",
        "february", "feb", "fevrier", "fev", "fevr"),
    3: ("آذار", "مارس", "march", "mar", "mars"),
    4: ("نيسان", "أبريل", "ابريل", "إبريل", "أفريل", "افريل", "آوریل",
        "april", "apr", "avril", "avr"),
    5: ("أيار", "مايو", "ماي", "مه", "می", "may", "mai"),
    6: ("حزيران", "يونيو", "يونيه", "جوان", "ژوئن", "june", "jun", "juin"),
    7: ("تموز", "يوليو", "يوليه", "يوليوز", "جويلية", "ژوئیه", "جولای",
        "july", "jul", "juillet", "juil"),
    8: ("آب", "أغسطس", "اغسطس", "أغسطوس", "أوت", "غشت", "آگوست",
        "august", "aug", "aout"),
    9: ("أيلول", "سبتمبر", "سيبتمبر", "شتنبر", "سپتامبر",
        "september", "sep", "sept", "septembre"),
    10: ("تشرين الأول", "تشرين أول", "تشرين 1", "أكتوبر", "اوكتوبر", "اکتبر",
         "october", "oct", "octobre"),
    11: ("تشرين الثاني", "تشرين ثاني", "تشرين 2", "تشرين الآخر", "نوفمبر", "نونبر",
         "نوامبر", "november", "nov", "novembre"),
    12: ("كانون الأول", "كانون أول", "كانون 1", "ديسمبر", "دجنبر", "دسامبر",
         "december", "dec", "decembre"),
}

# --- Hijri (lunar) months ---------------------------------------------------------
HIJRI_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("محرم", "محرم الحرام"),
    2: ("صفر", "صفر الخير"),
    3: ("ربيع الأول", "ربيع أول", "ربيع الاول"),
    4: ("ربيع الثاني", "ربيع الآخر", "ربيع ثاني", "ربيع الأخر"),
    5: ("جمادى الأولى", "جمادى الأول", "جمادى الاولى"),
    6: ("جمادى الآخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الثاني", "جمادى الأخرة"),
    7: ("رجب", "رجب الفرد"),
    8: ("شعبان",),
    9: ("رمضان", "رمضان المبارك"),
    10: ("شوال",),
    11: ("ذو القعدة", "ذي القعدة", "ذوالقعدة", "ذى القعدة"),
    12: ("ذو الحجة", "ذي الحجة", "ذوالحجة", "ذى الحجة"),
}

# --- Solar Hijri (Iranian) months ------------------------------------------------
PERSIAN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("فروردین",),
    2: ("اردیبهشت",),
    3: ("خرداد",),
    4: ("تیر",),
    5: ("مرداد", "امرداد"),
    6: ("شهریور",),
    7: ("مهر",),
    8: ("آبان",),
    9: ("آذر",),
    10: ("دی",),
    11: ("بهمن",),
    12: ("اسفند",),
}

# --- Weekdays (Monday = 0, as datetime.weekday()) ----------------------------------
WEEKDAYS: dict[int, tuple[str, ...]] = {
    0: ("الاثنين", "الإثنين", "اثنين", "دوشنبه", "monday", "mon", "lundi"),
    1: ("الثلاثاء", "ثلاثاء", "سه‌شنبه", "سه شنبه", "سهشنبه", "tuesday", "tue", "mardi"),
    2: ("الأربعاء", "أربعاء", "چهارشنبه", "wednesday", "wed", "mercredi"),
    3: ("الخميس", "خميس", "پنجشنبه", "پنج‌شنبه", "thursday", "thu", "jeudi"),
    4: ("الجمعة", "جمعة", "جمعه", "friday", "fri", "vendredi"),
    5: ("السبت", "سبت", "شنبه", "saturday", "sat", "samedi"),
    6: ("الأحد", "أحد", "یکشنبه", "یک‌شنبه", "sunday", "sun", "dimanche"),
}

# --- Time of day ------------------------------------------------------------------
# Marker -> how to shift a 12-hour clock reading: "am", "pm", "noon" (1-5 are p.m.),
# "night" (6-11 are p.m., 12 is midnight).
DAY_PERIODS: dict[str, str] = {
    "ص": "am", "صباحا": "am", "صباحاً": "am", "صباح": "am", "فجرا": "am", "فجراً": "am",
    "am": "am", "a.m.": "am", "a.m": "am", "ق.ظ": "am", "قبل از ظهر": "am",
    "م": "pm", "مساء": "pm", "مساءً": "pm", "مساءا": "pm", "عصرا": "pm", "عصراً": "pm",
    "pm": "pm", "p.m.": "pm", "p.m": "pm", "ب.ظ": "pm", "بعد از ظهر": "pm",
    "ظهرا": "noon", "ظهراً": "noon",
    "ليلا": "night", "ليلاً": "night", "شب": "night",
}

# --- Named zones in visible text ("بتوقيت مكة", "(توقيت دمشق)", "GST") ------------
ZONE_NAMES: dict[str, str] = {
    "غرينتش": "UTC", "غرينيتش": "UTC", "جرينتش": "UTC", "جرينيتش": "UTC",
    "غرنيتش": "UTC", "غرينتيش": "UTC", "گرینویچ": "UTC",
    "مكة": "Asia/Riyadh", "مكة المكرمة": "Asia/Riyadh", "الرياض": "Asia/Riyadh",
    "السعودية": "Asia/Riyadh",
    "دمشق": "Asia/Damascus", "سوريا": "Asia/Damascus",
    "القاهرة": "Africa/Cairo", "مصر": "Africa/Cairo",
    "بيروت": "Asia/Beirut", "لبنان": "Asia/Beirut",
    "بغداد": "Asia/Baghdad", "العراق": "Asia/Baghdad",
    "الأردن": "Asia/Amman",  # not "عمان": Amman and Oman normalize alike
    "القدس": "Asia/Jerusalem", "فلسطين": "Asia/Hebron", "غزة": "Asia/Gaza",
    "أبوظبي": "Asia/Dubai", "أبو ظبي": "Asia/Dubai", "دبي": "Asia/Dubai",
    "الإمارات": "Asia/Dubai",
    "الدوحة": "Asia/Qatar", "قطر": "Asia/Qatar",
    "الكويت": "Asia/Kuwait", "المنامة": "Asia/Bahrain", "البحرين": "Asia/Bahrain",
    "مسقط": "Asia/Muscat", "صنعاء": "Asia/Aden", "اليمن": "Asia/Aden",
    "الخرطوم": "Africa/Khartoum", "السودان": "Africa/Khartoum",
    "ليبيا": "Africa/Tripoli", "تونس": "Africa/Tunis", "الجزائر": "Africa/Algiers",
    "الرباط": "Africa/Casablanca", "المغرب": "Africa/Casablanca",
    "نواكشوط": "Africa/Nouakchott", "موريتانيا": "Africa/Nouakchott",
    "طهران": "Asia/Tehran", "تهران": "Asia/Tehran",
}
# Latin abbreviations seen next to times on Arabic sites.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "gmt": "UTC", "utc": "UTC", "ت.غ": "UTC", "ت غ": "UTC",
    "gst": "Asia/Dubai", "ksa": "Asia/Riyadh",
}

# --- Relative expressions ---------------------------------------------------------
# Unit word -> (timedelta keyword, count). A dual form carries its count (2).
# Months and years are deliberately absent: "منذ 3 أشهر" is too vague to store.
RELATIVE_UNITS: dict[str, tuple[str, int]] = {
    "ثانية": ("seconds", 1), "ثوان": ("seconds", 1), "ثواني": ("seconds", 1),
    "ثانيتين": ("seconds", 2), "ثانيتان": ("seconds", 2),
    "دقيقة": ("minutes", 1), "دقائق": ("minutes", 1), "دقيقتين": ("minutes", 2),
    "دقيقتان": ("minutes", 2),
    "ساعة": ("hours", 1), "ساعات": ("hours", 1), "ساعتين": ("hours", 2),
    "ساعتان": ("hours", 2),
    "يوم": ("days", 1), "أيام": ("days", 1), "يومين": ("days", 2), "يومان": ("days", 2),
    "أسبوع": ("weeks", 1), "أسابيع": ("weeks", 1), "أسبوعين": ("weeks", 2),
    "أسبوعان": ("weeks", 2),
    # Persian ("۵ دقیقه پیش") and English ("5 minutes ago")
    "ثانیه": ("seconds", 1), "دقیقه": ("minutes", 1), "ساعت": ("hours", 1),
    "روز": ("days", 1), "هفته": ("weeks", 1),
    "second": ("seconds", 1), "seconds": ("seconds", 1), "minute": ("minutes", 1),
    "minutes": ("minutes", 1), "min": ("minutes", 1), "mins": ("minutes", 1),
    "hour": ("hours", 1), "hours": ("hours", 1), "day": ("days", 1), "days": ("days", 1),
    "week": ("weeks", 1), "weeks": ("weeks", 1),
}
# Words that introduce ("منذ 5 دقائق") or close ("5 minutes ago") a relative phrase.
RELATIVE_BEFORE: tuple[str, ...] = ("منذ", "قبل")
RELATIVE_AFTER: tuple[str, ...] = ("ago", "پیش", "قبل")
# "منذ لحظات" / "just now": the fetch time itself.
RELATIVE_MOMENTS: tuple[str, ...] = ("منذ لحظات", "قبل لحظات", "منذ لحظة", "just now")

NUMBER_WORDS: dict[str, int] = {
    "واحد": 1, "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5,
    "ست": 6, "ستة": 6, "سبع": 7, "سبعة": 7, "ثماني": 8, "ثمان": 8, "ثمانية": 8,
    "تسع": 9, "تسعة": 9, "عشر": 10, "عشرة": 10, "بضع": 3, "بضعة": 3,
    "a": 1, "an": 1, "one": 1,
}

# Day words -> days back from today in the site's timezone.
RELATIVE_DAYS: dict[str, int] = {
    "اليوم": 0, "امروز": 0, "today": 0, "aujourd'hui": 0,
    "أمس": 1, "الأمس": 1, "البارحة": 1, "بالأمس": 1, "دیروز": 1, "yesterday": 1, "hier": 1,
    "أول أمس": 2, "أول من أمس": 2, "أمس الأول": 2, "پریروز": 2,
}

# Labels that may stand before a date ("نشر في: ...", "آخر تحديث").
LABELS: tuple[str, ...] = (
    "نشر", "نشر في", "نشر بتاريخ", "منشور", "تاريخ النشر", "آخر تحديث", "اخر تحديث",
    "تم التحديث", "محدث", "تحديث", "التاريخ", "بتاريخ", "في", "published", "updated",
    "publié le", "mis à jour", "انتشار", "به‌روزرسانی",
)

# Suffix letters after a year: "هـ"/"ه" (Hijri), "م" (Gregorian), "ه.ش"/"ش" (Solar Hijri).
HIJRI_SUFFIXES: tuple[str, ...] = ("هـ", "ه", "ه.ق", "هـ.ق", "ق")
SOLAR_SUFFIXES: tuple[str, ...] = ("ه.ش", "هـ.ش", "هـ ش", "ه ش", "ش", "خورشیدی", "شمسی")
