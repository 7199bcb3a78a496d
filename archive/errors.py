"""Named exceptions of the archive; the CLI turns each into a one-line message."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose."""


class SchemaTooNew(ArchiveError):
    """The database was written by a newer newscrawl than this one."""


class NotAnArchive(ArchiveError):
    """The file exists but is not a SQLite database (or not ours)."""


class InvalidQuery(ArchiveError):
    """A search query that cannot be parsed; the message says what is wrong."""


class NoSuchArticle(ArchiveError):
    """No article has the requested id."""


class ArchiveLocked(ArchiveError):
    """Another process holds the archive's run lock."""
