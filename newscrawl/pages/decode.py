"""Bytes to text the way a browser does it: BOM, then the HTTP header, then ``<meta charset>``,
then detection for pages that declare nothing.

The order and the declaration parsing are w3lib's :func:`~w3lib.encoding.html_to_unicode` (the
function Scrapy uses); detection is ours only in its first step, strict UTF-8 (an undeclared page
that is valid UTF-8 is UTF-8: detectors sometimes call short Arabic UTF-8 pages cp1256 mojibake),
then charset-normalizer.  One real-world correction is added: a page whose ``<meta>`` *declares* another encoding but
whose bytes are valid multi-byte UTF-8 is read as UTF-8 (seen with cp1256 and gb2312 meta tags) (CMS templates often keep an old
``<meta>`` after a database migration).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

__all__ = ["decode_html", "Decoded"]

_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    source: str          #: "bom", "header", "meta", "detected" or "default"
    replaced: int        #: characters that could not be decoded (U+FFFD inserted)


def _normal(name: str) -> str:
    return name.replace("_", "-").lower()


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str | None:
    if _valid_utf8(data):
        return "utf-8"
    # Mostly UTF-8 with a few broken sequences (a truncated upload, one bad paste): still UTF-8.
    # A legacy single-byte page decoded as UTF-8 fails on nearly every non-ASCII byte instead.
    replaced = data.decode("utf-8", "replace").count("\ufffd")
    if replaced * 50 < len(_NON_ASCII.findall(data)):
        return "utf-8"
    from charset_normalizer import from_bytes  # imported lazily: only undeclared legacy pages need it

    best = from_bytes(data[:200_000], cp_isolation=["utf_8", "cp1256", "iso8859_6", "cp1252",
                                                     "cp720", "cp864", "utf_16"]).best()
    return best.encoding if best else None


def decode_html(data: bytes | str, content_type: str | None = None) -> Decoded:
    """Decode a page.  Never raises: undecodable bytes become U+FFFD and are counted."""
    if isinstance(data, str):
        return Decoded(data, "unicode", "unicode", 0)
    header = http_content_type_encoding(content_type) if content_type else None
    declared = header or html_body_declared_encoding(data[:8192])
    if not header and declared and _normal(declared) not in ("utf-8", "utf8") \
            and _NON_ASCII.search(data) and _valid_utf8(data):
        encoding, text = "utf-8", data.decode("utf-8")
        source = "detected"
    else:
        encoding, text = html_to_unicode(content_type, data, auto_detect_fun=_detect)
        if text.startswith("\ufeff"):
            text = text[1:]
        source = ("header" if header else "meta" if declared else
                  "bom" if data[:3] == b"\xef\xbb\xbf" or data[:2] in (b"\xff\xfe", b"\xfe\xff")
                  else "detected")
    return Decoded(text, encoding, source, text.count("\ufffd"))
