"""``newscrawl serve``: browse the archive in Datasette, read-only, with Arabic-aware search.

Datasette runs in this process (``Datasette(...)`` + uvicorn, as ``datasette serve`` does) with
the metadata of :mod:`archive.datasette_metadata` and the plugin :mod:`archive.datasette_plugin`.
The archive is opened as a *mutable* database, which Datasette connects to with ``mode=ro``: no
write is possible, and articles a running crawl commits show up on the next page load.  (Datasette's
``--immutable`` would be wrong for a live archive: it tells SQLite the file never changes, so
commits still in the WAL are invisible and a concurrent checkpoint can give corrupt reads.)
"""

from __future__ import annotations

import importlib.util
import sys
import webbrowser
from pathlib import Path
from typing import Any

import click

from .cli import db_option, open_archive
from .datasette_metadata import search_path
from .store import default_db_path

__all__ = ["serve", "build_datasette", "DatasetteMissing", "INSTALL_HINT"]

INSTALL_HINT = "Datasette is not installed: pip install 'newscrawl[browse]'"


class DatasetteMissing(click.ClickException):
    """Datasette is not importable."""


def build_datasette(db_path: str | Path, *, settings: dict[str, Any] | None = None) -> Any:
    """A :class:`datasette.app.Datasette` serving *db_path* read-only with the plugin and metadata.

    :param settings: Datasette settings overriding :data:`archive.datasette_metadata.SETTINGS`.
    :raises DatasetteMissing: Datasette is not installed.
    """
    if importlib.util.find_spec("datasette") is None:
        raise DatasetteMissing(INSTALL_HINT)
    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import datasette_metadata, datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="newscrawl")
    path = Path(db_path)
    return Datasette(
        [str(path)],
        metadata=datasette_metadata.metadata(path.stem),
        settings={**datasette_metadata.SETTINGS, **(settings or {})},
    )


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 makes the archive visible on your network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True,
              help="Port to listen on (127.0.0.1 only unless --host says otherwise).")
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in a web browser.")
def serve(db_path: str | None, host: str, port: int, open_browser: bool) -> None:
    """Browse the archive in Datasette (read-only; safe while a crawl writes).

    The "search" page and the articles table's search box match spelling variants the way
    `newscrawl search` does (hamza forms, ة/ه, ى/ي, tashkeel, attached و/ب/ل/ال).
    """
    path = db_path or default_db_path()
    open_archive(path).close()          # one-line error for a missing or foreign file
    ds = build_datasette(path)

    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    url = f"http://{host}:{port}{search_path(Path(path).stem)}"
    click.echo(f"Serving {path} read-only at {url}  (Ctrl-C to stop)", err=True)
    if open_browser:
        webbrowser.open(url)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


if __name__ == "__main__":  # python -m archive.serve
    serve(sys.argv[1:], prog_name="newscrawl serve")
