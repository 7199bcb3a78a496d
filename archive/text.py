"""Arabic-aware text folding for search and deduplication.

Written by hand because no maintained library folds Arabic the way a search index needs it
(PyArabic's ``strip_tashkeel``/``normalize_hamza`` cover part of it, but not clitics, digits and
bidi marks together, and one pass of ``str.translate`` is several times faster than chaining them).

``fold(text)`` is the *index form*: what FTS5 stores and what queries are matched against.  The same
function is applied to the user's query, so both sides agree on every variant:

- tashkeel (U+064B–U+065F, U+0670, Quranic marks) and tatweel (U+0640) removed;
- hamza-carrying alefs أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي;
- Arabic-Indic (٠-٩) and Persian (۰-۹) digits → ASCII;
- bidi controls and zero-width marks dropped (ZWNJ becomes a space in the index form only);
- Persian ک/ی → Arabic ك/ي, so mixed-keyboard text matches;
- lower-case for Latin text;
- attached clitics removed from the front of each word (و، ف، ب، ك، ل with ال: وال، بال، فال،
  كال، لل، وبال …, and a leading و on words long enough to survive it), a light stemmer in the
  spirit of Larkey's light10 that only touches prefixes so phrase and prefix queries keep working.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import TypeVar

__all__ = ["Memo", "body_hash", "fold", "fold_chars", "fold_utf8", "fold_word", "strip_marks", "words"]

_TASHKEEL = [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u06D6", "\u06D7", "\u06D8",
    "\u06D9", "\u06DA", "\u06DB", "\u06DC", "\u06DF", "\u06E0", "\u06E1", "\u06E2", "\u06E3",
    "\u06E4", "\u06E7", "\u06E8", "\u06EA", "\u06EB", "\u06EC", "\u06ED", "\u0640"]
_BIDI_AND_ZW = ["\u200B", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D",
    "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u061C", "\uFEFF", "\u00AD"]

_FOLD_TABLE: dict[int, str | None] = {ord(c): None for c in _TASHKEEL + _BIDI_AND_ZW}
_FOLD_TABLE.update({ord(a): b for a, b in {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه",
    "ؤ": "و",
    "ک": "ك", "ڪ": "ك",
    "\u200C": " ", "\u00A0": " ",
}.items()})
_FOLD_TABLE.update({0x0660 + i: str(i) for i in range(10)})
_FOLD_TABLE.update({0x06F0 + i: str(i) for i in range(10)})

# Mark removal for display-side hygiene (bidi/zero-width, but ZWNJ kept).
_MARKS_TABLE: dict[int, None] = {ord(c): None for c in _BIDI_AND_ZW}

#: Clitic prefixes, longest first.  A prefix is stripped only when at least MIN_STEM letters remain.
CLITIC_PREFIXES: tuple[str, ...] = (
    "وبال", "وكال", "وفال", "ولل", "فبال", "فلل", "وال", "بال", "كال", "فال", "لل", "ال",
)
#: A bare leading و is a conjunction far more often than a root letter in long words.
CONJUNCTIONS: tuple[str, ...] = ("و",)
MIN_STEM = 3

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


# A regex character class scans in C; ``str.translate`` with a dict looks up every character.
_MARKS_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _MARKS_TABLE) + "]+")


def strip_marks(text: str) -> str:
    """Remove bidi controls and zero-width marks (keeping ZWNJ) from display text."""
    return _MARKS_RE.sub("", text)


# ``str.translate`` with a dict looks every character up in Python (~60 ns a character: 95 µs for a
# 3 KB body).  The same folding as one C-speed regex pass for the deletions and one ``str.replace``
# per mapped character actually present is five times faster; both give identical results (no
# mapped character's replacement is itself folded again), which tests/test_archive_text.py checks.
_DELETE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c, v in _FOLD_TABLE.items() if v is None) + "]+")
_REPLACE_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (chr(c), v) for c, v in _FOLD_TABLE.items() if v is not None)
# Punctuation and symbols become spaces; ``str.split`` then takes the words (the same runs as
# ``\w+``: ``split`` and ``\s`` agree on what whitespace is).  A pattern that starts with a character
# class lets ``re`` scan in its fast loop instead of trying a match at every position.
_SEPARATORS_RE = re.compile(r"[^\w\s]+")


def fold_chars(text: str) -> str:
    """Character folding only (no clitic stripping), lower-cased: for comparing short phrases."""
    text = _DELETE_RE.sub("", unicodedata.normalize("NFKC", text))
    for char, replacement in _REPLACE_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text.lower()


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Strip attached clitics from one already-folded word (memoised: news vocabulary repeats)."""
    if len(word) <= MIN_STEM or not _ARABIC_LETTER.match(word):
        return word
    for prefix in CLITIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM - (prefix == "ال"):
            return word[len(prefix):]
    if word[0] in CONJUNCTIONS and len(word) - 1 >= MIN_STEM:
        rest = word[1:]
        for prefix in ("ال", "بال", "لل", "كال"):
            if rest.startswith(prefix) and len(rest) - len(prefix) >= MIN_STEM - 1:
                return rest[len(prefix):]
        return rest
    return word


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Memo(dict[_K, _V]):
    """*function* of every key met (strings, bytes), in a plain dict emptied when it holds *maximum*
    entries: ``map(memo.__getitem__, keys)`` costs a third of going through ``lru_cache`` per call."""

    def __init__(self, function: Callable[[_K], _V], maximum: int):
        super().__init__()
        self.function, self.maximum = function, maximum

    def __missing__(self, key: _K) -> _V:
        if len(self) >= self.maximum:
            self.clear()
        value = self[key] = self.function(key)
        return value


#: :func:`fold_word` of every word met (a news vocabulary stays far below the bound).
_folded_word: Callable[[str], str] = Memo(fold_word, 500_000).__getitem__


def words(text: str) -> list[str]:
    """The folded words of *text*, in order (the tokens the FTS index holds)."""
    return list(map(_folded_word, _SEPARATORS_RE.sub(" ", fold_chars(text)).split()))


def _fold_piece(piece: str) -> str:
    return " ".join(words(piece))


# The index form of every whitespace-separated piece of raw text met ("«والمدرسة،" → "مدرسه").
# Folding distributes over whitespace: every step of fold() works inside a piece (NFKC never
# composes across a whitespace character, which is a starter that composes with nothing;
# deletions, replacements, lower-casing, whose final-sigma context stops at whitespace, and the
# separator pass are per character or per run of non-space characters), so the fold of a text is
# the folds of its pieces joined by spaces, the empty ones left out.  News text repeats its pieces,
# so an article is mostly dictionary lookups: twice as fast as folding the whole text
# (tests/test_archive_text.py holds both equal to the plain definition).
_folded_piece: Callable[[str], str] = Memo(_fold_piece, 200_000).__getitem__


def fold(text: str | None) -> str:
    """The index form of *text*: folded words joined by single spaces."""
    if not text:
        return ""
    return " ".join(filter(None, map(_folded_piece, text.split())))


def _fold_piece_utf8(piece: bytes) -> bytes:
    return _fold_piece(piece.decode()).encode()


_folded_piece_utf8: Callable[[bytes], bytes] = Memo(_fold_piece_utf8, 200_000).__getitem__


def fold_utf8(data: bytes) -> bytes:
    """:func:`fold` of UTF-8 text, as UTF-8: ``fold_utf8(text.encode()) == fold(text).encode()``.

    The archive's write path folds text it has as bytes and hands the result to SQLite as bytes.
    ``bytes.split`` is cheaper than ``str.split`` on Arabic (which tests every character against
    Unicode's whitespace) and leaves no result to encode.  It splits at ASCII whitespace only,
    and an ASCII byte is never part of a multi-byte character, so every piece is whole UTF-8 text; a
    piece that still holds other whitespace (a no-break space, U+2003…) is folded whole, which
    gives the same words since folding distributes over whitespace (see ``_folded_piece``).
    """
    return b" ".join(filter(None, map(_folded_piece_utf8, data.split())))


def body_hash(body: str | None, *, folded: str | bytes | None = None) -> str | None:
    """A content hash that survives whitespace, punctuation, tashkeel and spelling-variant noise.

    :param folded: ``fold(body)``, or its UTF-8, when the caller has it already (the archive folds
        once per write).
    """
    folded = fold(body) if folded is None else folded
    if not folded:
        return None
    return hashlib.sha1(folded.encode("utf-8") if isinstance(folded, str) else folded).hexdigest()
