"""Compression of stored raw HTML: zstandard when installed, gzip otherwise (both always readable
when their module is present)."""

from __future__ import annotations

import gzip

try:
    import zstandard
except ImportError:  # pragma: no cover - zstandard is a dependency, gzip is the fallback
    zstandard = None

__all__ = ["pack", "unpack"]

_ZSTD_LEVEL = 6


def pack(data: bytes) -> tuple[bytes, str]:
    if zstandard is not None:
        return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(data), "zstd"
    return gzip.compress(data, compresslevel=6), "gzip"


def unpack(blob: bytes, method: str | None) -> bytes:
    if method == "zstd":
        if zstandard is None:
            raise RuntimeError("this archive stores zstd-compressed HTML: pip install zstandard")
        return zstandard.ZstdDecompressor().decompress(blob)
    if method == "gzip":
        return gzip.decompress(blob)
    return blob
