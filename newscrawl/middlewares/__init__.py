"""Downloader middlewares, one component per module: incremental skips and revalidation, retries."""
