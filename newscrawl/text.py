"""Text hygiene for extracted fields: what a reader sees, without invisible debris.

- Unicode NFC;
- bidi controls (U+200E/U+200F, U+202A–U+202E, U+2066–U+2069, U+061C) and stray zero-width
  characters (U+200B, U+200D, U+FEFF, soft hyphen) removed, **U+200C ZWNJ kept** (it separates
  Persian and Urdu morphemes: removing it merges words);
- every kind of space (NBSP, thin spaces, tabs, newlines) collapsed to one space inside a paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from archive.text import fold_chars, strip_marks

__all__ = ["clean_text", "fold_chars", "join_paragraphs", "norm_phrase", "word_count"]

_SPACES = re.compile(r"[\s\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+")
_PUNCT = re.compile(r"[^\w\s]+")


def clean_text(text: str | None) -> str:
    """One paragraph or field of display text, cleaned (see module docstring)."""
    if not text:
        return ""
    text = strip_marks(unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs separated by one blank line, empty ones dropped."""
    return "\n\n".join(p for p in (clean_text(p) for p in paragraphs) if p)


def norm_phrase(text: str) -> str:
    """A comparison form for short phrases: folded letters, no punctuation or tashkeel, single spaces."""
    return " ".join(_PUNCT.sub(" ", fold_chars(text).replace("ـ", "")).split())


def word_count(text: str) -> int:
    return len(text.split())
