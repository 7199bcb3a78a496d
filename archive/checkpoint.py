"""A thread that copies the archive's write-ahead log into the database file while the writer goes on.

In WAL mode SQLite checkpoints from the committing connection once the log passes
``wal_autocheckpoint`` pages (4 MB): the commit that crosses it copies the log into the database and
waits for the ``fsync``.  A bulk load crosses it at every batch and spends a sixth of its time in
that wait.  :class:`Checkpointer` runs SQLite's own ``PASSIVE`` checkpoint (``PRAGMA
wal_checkpoint``) from a connection of its own, on a thread: the ``sqlite3`` module releases the
GIL while SQLite works, and a passive checkpoint never blocks the writer or readers, so the copy and
the ``fsync`` overlap the next batch.  Once a checkpoint has copied the whole log, SQLite starts the
log over at the next commit, so it stays a few batches long.

The writer keeps its automatic checkpoint, raised to :data:`BACKSTOP_PAGES`, in case this thread
falls behind.  Durability is unchanged: with ``synchronous = NORMAL`` a commit is durable once the
log is synced at checkpoint time, whichever connection runs it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["BACKSTOP_PAGES", "Checkpointer"]

log = logging.getLogger(__name__)

#: The writer's own ``wal_autocheckpoint`` while a :class:`Checkpointer` runs (64 MB of 4 KB pages).
BACKSTOP_PAGES = 16_384


class Checkpointer:
    """Checkpoint the WAL of the database at *path* after each :meth:`poke`, on a daemon thread."""

    def __init__(self, path: str):
        self.path = path
        self.checkpoints = 0
        self.errors = 0
        self._wake = threading.Event()
        self._stopping = False
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="archive-checkpointer", daemon=True)
        self._thread.start()
        self._ready.wait()

    def poke(self) -> None:
        """A transaction was committed: checkpoint when the thread is free (pokes do not queue up)."""
        self._wake.set()

    def close(self) -> None:
        """Stop the thread after the checkpoint in progress, if any."""
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        except sqlite3.Error as exc:     # the writer checkpoints by itself, as without this thread
            log.warning("archive: no checkpoint thread (%s)", exc)
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.checkpoints += 1
                except sqlite3.Error as exc:  # busy or I/O error: the writer's backstop still holds
                    self.errors += 1
                    log.warning("archive: background checkpoint failed (%s)", exc)
        finally:
            conn.close()
