"""Schema of the archive as registered, transactional migrations (the sqlite-migrate pattern).

Each migration is a function of a :class:`sqlite_utils.Database`, applied once inside a transaction
and recorded in ``_migrations``.  Opening an older archive applies what is missing; an archive that
records a migration this code does not know was written by a newer version and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from .errors import SchemaTooNew

__all__ = ["MIGRATIONS", "migrate", "migration", "refuse_newer", "run_script", "schema_version"]

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(number: int, name: str) -> Callable[[Migration], Migration]:
    """Register a migration; one module per migration under :mod:`archive.migrations`."""
    def register(fn: Migration) -> Migration:
        if any(n == number for n, _, _ in MIGRATIONS):
            raise RuntimeError(f"two migrations numbered {number}")
        MIGRATIONS.append((number, name, fn))
        return fn
    return register


def run_script(db: sqlite_utils.Database, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit)."""
    for statement in sql.split(";\n"):
        if statement.strip():
            db.execute(statement)


def schema_version() -> int:
    _load_migrations()
    return max(number for number, _, _ in MIGRATIONS)


def _load_migrations() -> None:
    import importlib
    import pkgutil

    from . import migrations

    for info in sorted(pkgutil.iter_modules(migrations.__path__), key=lambda m: m.name):
        importlib.import_module(f"{migrations.__name__}.{info.name}")


def applied(db: sqlite_utils.Database) -> set[int]:
    if "_migrations" not in db.table_names():
        return set()
    return {row[0] for row in db.execute("SELECT number FROM _migrations")}


def refuse_newer(db: sqlite_utils.Database) -> set[int]:
    """The migrations recorded in *db*.

    :raises SchemaTooNew: the archive has migrations this code does not know.
    """
    _load_migrations()
    done = applied(db)
    unknown = done - {number for number, _, _ in MIGRATIONS}
    if unknown:
        raise SchemaTooNew(
            f"this archive was written by a newer newscrawl (schema migration {max(unknown)}; "
            f"this version knows up to {schema_version()}): upgrade newscrawl to open it")
    return done


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply missing migrations in order; return the numbers applied.

    :raises SchemaTooNew: the archive has migrations this code does not know.
    """
    done = refuse_newer(db)
    ran = []
    for number, name, fn in sorted(MIGRATIONS):
        if number in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations "
                       "(number INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?, ?)",
                       [number, name, datetime.now(UTC).isoformat(timespec="seconds")])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        ran.append(number)
    return ran
