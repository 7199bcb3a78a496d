"""The newscrawl archive: deduplicated Arabic news articles in SQLite, usable without Scrapy."""

from .errors import (ArchiveError, ArchiveLocked, InvalidQuery, NoSuchArticle, NotAnArchive,
                     SchemaTooNew)
from .record import ArticleRecord, Fetch
from .store import Archive, UpsertResult, default_db_path

__all__ = ["Archive", "ArticleRecord", "Fetch", "UpsertResult", "default_db_path", "ArchiveError",
           "ArchiveLocked", "InvalidQuery", "NoSuchArticle", "NotAnArchive", "SchemaTooNew"]
