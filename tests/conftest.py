"""Shared fixtures: the fixture web server (session-scoped, 127.0.0.1) and fresh archives."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SITE = FIXTURES / "site"


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fixture_server_module():  # type: ignore[no-untyped-def]
    return _load("fixture_server", FIXTURES / "server.py")


@pytest.fixture(scope="session")
def demo_module():  # type: ignore[no-untyped-def]
    return _load("fixture_demo", FIXTURES / "demo.py")


@pytest.fixture(scope="session")
def expected() -> dict:
    return json.loads((SITE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def fixture_server(fixture_server_module):  # type: ignore[no-untyped-def]
    server = fixture_server_module.FixtureServer(SITE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def fresh_archive(db_path: Path):  # type: ignore[no-untyped-def]
    from archive import Archive

    with Archive(db_path) as archive:
        yield archive


def fixture_file(url: str) -> Path:
    """The saved page the fixture server answers *url* with."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    path = SITE / (parts.hostname or "") / unquote(parts.path).lstrip("/")
    return path / "index.html" if path.is_dir() else path


def unique_urls(links: list[dict]) -> list[str]:
    """Related-link URLs in page order, each once (a link in both read-also and related-posts
    blocks is one related article)."""
    from archive.urls import url_key

    return list(dict.fromkeys(url_key(link["url"]) for link in links))
