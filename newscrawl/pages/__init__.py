"""Page objects: extraction separated from crawling."""

from .article import EXTRACTOR_VERSION, FIELDS, ArticlePage

__all__ = ["ArticlePage", "EXTRACTOR_VERSION", "FIELDS"]
