"""Scrapy extensions, one component per module: run guard, politeness, failures, progress."""
