"""``newscrawl archive-writer``: move items from the Redis items stream into the SQLite archive.

The stream is read through a consumer group.  A batch of entries is archived in one transaction per
crawl run (:meth:`archive.Archive.upsert_many`), and its entries are acknowledged (``XACK``) and
deleted (``XDEL``) only after the commit.  A writer killed at any moment leaves the entries it had
not acknowledged pending in the group; the next writer takes them over first and archives them
again, which is harmless: the upsert is idempotent (an article written twice is found by its URL,
only its ``last_seen`` moves; a fetch with the same HTML is one row).  Nothing is lost, nothing
is duplicated.

One writer at a time: SQLite has a single writer anyway, and a lock in Redis keeps a second
``archive-writer`` from fighting the first over the pending entries.  A lock left by a writer that
died on this machine is taken over at once; one left from another machine expires after
``LOCK_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from archive import Archive, ArticleRecord, Fetch
from newscrawl.distributed import messages
from newscrawl.distributed.crawlstate import StatePublisher
from newscrawl.distributed.keys import Keys
from newscrawl.distributed.lease import frontier_size
from newscrawl.pipelines.store import to_record

__all__ = ["ArchiveWriter", "WriterBusy", "WriterStats", "run_writer"]

logger = logging.getLogger(__name__)

LOCK_SECONDS = 15.0
CONSUMER = "archive-writer"

Entry = tuple[bytes, dict[bytes, bytes]]

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_UNLOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class WriterBusy(RuntimeError):
    """Another archive-writer holds the lock of this crawl."""


@dataclass
class WriterStats:
    """What a writer did: messages read, articles written and their outcomes, time in transactions."""

    messages: int = 0
    articles: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    redelivered: int = 0          #: entries taken over from a previous writer (maybe already written)
    runs: int = 0                 #: crawl runs opened (run-start messages)
    dead: int = 0                 #: entries moved to the dead-letter stream
    transactions: int = 0
    write_seconds: float = 0.0

    @property
    def insert_rate(self) -> float:
        """Articles per second of transaction time."""
        return self.articles / self.write_seconds if self.write_seconds else 0.0


def _holder_alive(holder: str) -> bool:
    """False when *holder* (``host:pid:rand``) is a process of this machine that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ArchiveWriter:
    """Reads the items stream of *keys* and writes it into *archive*.

    :param server: ``redis.Redis`` client (bytes responses).
    :param archive: an open :class:`archive.Archive`.
    :param batch: entries read (and archived) per round.
    :param block: seconds one read waits for new entries.
    """

    def __init__(self, server: Any, archive: Archive, keys: Keys | None = None, *, batch: int = 200,
                 block: float = 1.0, consumer: str = CONSUMER):
        self.server = server
        self.archive = archive
        self.keys = keys or Keys()
        self.batch = batch
        self.block = block
        self.consumer = consumer
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
        self.stats = WriterStats()
        self._runs: dict[str, int] = {}
        self.publisher = StatePublisher(server, archive, self.keys)
        self._renew = server.register_script(_RENEW)
        self._unlock = server.register_script(_UNLOCK)

    # -- lock ------------------------------------------------------------------------------------
    def lock(self, wait: float = LOCK_SECONDS + 1) -> None:
        """Take the writer lock, waiting up to *wait* seconds for a dead writer's lock to expire.

        :raises WriterBusy: another writer is alive.
        """
        deadline = time.monotonic() + wait
        ttl = int(LOCK_SECONDS * 1000)
        while not self.server.set(self.keys.writer_lock, self.identity, nx=True, px=ttl):
            holder = (self.server.get(self.keys.writer_lock) or b"").decode()
            if holder and not _holder_alive(holder):
                logger.warning("taking over the lock of dead writer %s", holder)
                self.server.delete(self.keys.writer_lock)
                continue
            if time.monotonic() >= deadline:
                raise WriterBusy(f"another archive-writer is running ({holder}): one writer per crawl")
            time.sleep(0.5)

    def renew(self) -> None:
        if not self._renew(keys=[self.keys.writer_lock], args=[self.identity, int(LOCK_SECONDS * 1000)]):
            raise WriterBusy("lost the writer lock (this writer stalled for longer than "
                             f"{LOCK_SECONDS:.0f} s and another one took over)")

    def unlock(self) -> None:
        self._unlock(keys=[self.keys.writer_lock], args=[self.identity])

    # -- reading ---------------------------------------------------------------------------------
    def ensure_group(self) -> None:
        try:
            self.server.xgroup_create(self.keys.items, self.keys.writer_group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def take_over(self) -> None:
        """Make every pending entry of the group (a previous writer's) this consumer's."""
        start = "0-0"
        while True:
            reply = self.server.xautoclaim(self.keys.items, self.keys.writer_group, self.consumer,
                                           min_idle_time=0, start_id=start, count=self.batch)
            start = reply[0]
            if start in (b"0-0", "0-0"):
                return

    def pending(self) -> Iterable[list[Entry]]:
        """Batches of the entries delivered to this consumer and never acknowledged."""
        last: bytes | str = "0"
        while True:
            reply = self.server.xreadgroup(self.keys.writer_group, self.consumer, {self.keys.items: last},
                                           count=self.batch)
            raw = reply[0][1] if reply else []
            if not raw:
                return
            last = raw[-1][0]
            self.ack([i for i, f in raw if not f])          # deleted from the stream: nothing to write
            entries = [(i, f) for i, f in raw if f]
            self.stats.redelivered += len(entries)
            if entries:
                yield entries

    def read(self) -> list[Entry]:
        """New entries (waits up to *block* seconds for the first one)."""
        reply = self.server.xreadgroup(self.keys.writer_group, self.consumer, {self.keys.items: ">"},
                                       count=self.batch, block=max(1, int(self.block * 1000)))
        return list(reply[0][1]) if reply else []

    # -- writing ---------------------------------------------------------------------------------
    def write(self, entries: list[Entry]) -> None:
        """Archive *entries* in order, then acknowledge them."""
        group: list[tuple[Entry, tuple[ArticleRecord, Fetch]]] = []
        group_run = ""
        for entry in entries:
            self.stats.messages += 1
            try:
                message = messages.decode(entry[1])
            except messages.BadMessage as exc:
                self.dead_letter(entry, str(exc))
                continue
            if message.kind == "item" and message.item is not None:
                if group and message.run != group_run:
                    self._upsert(group, group_run)
                    group = []
                group_run = message.run
                group.append((entry, to_record(message.item)))
                continue
            if group:
                self._upsert(group, group_run)
                group = []
            if message.kind == "run-start":
                self._run_id(message.run, message.site, message.args)
            elif message.kind == "run-end":
                self.publisher.commit()
                self._finish_run(message)
            elif message.kind == "state" and message.op:
                try:
                    self.publisher.apply(message.op, message.kwargs, run_id=self._known_run(message.run))
                except (TypeError, ValueError) as exc:      # an operation this version cannot apply
                    self.dead_letter(entry, repr(exc))
        if group:
            self._upsert(group, group_run)
        self.publisher.commit()
        self.ack([entry_id for entry_id, _ in entries])

    def ack(self, ids: list[bytes]) -> None:
        if ids:
            with self.server.pipeline(transaction=True) as pipe:
                pipe.xack(self.keys.items, self.keys.writer_group, *ids)
                pipe.xdel(self.keys.items, *ids)
                pipe.execute()

    def _upsert(self, group: list[tuple[Entry, tuple[ArticleRecord, Fetch]]], run: str) -> None:
        run_id = self._run_id(run)
        items = [pair for _, pair in group]
        started = time.perf_counter()
        try:
            results = self.archive.upsert_many(items, run_id=run_id)
        except sqlite3.OperationalError:
            raise                               # locked or I/O: the batch is retried by the next writer
        except Exception as exc:  # noqa: BLE001 - one bad record must not block the stream
            logger.warning("batch of %d failed (%r): writing its records one by one", len(group), exc)
            results, items = [], []
            for entry, (record, fetch) in group:
                try:
                    results.append(self.archive.upsert(record, fetch, run_id=run_id))
                    items.append((record, fetch))
                except sqlite3.OperationalError:
                    raise
                except Exception as one:  # noqa: BLE001 - kept as a dead letter, with the error
                    self.dead_letter(entry, repr(one))
        self.stats.write_seconds += time.perf_counter() - started
        self.stats.transactions += 1
        self.stats.articles += len(results)
        outcomes = Counter(r.outcome for r in results)
        self.stats.outcomes.update(outcomes)
        with self.archive.db.conn:
            self.archive.db.execute(
                "UPDATE crawl_runs SET new = new + ?, updated = updated + ?, unchanged = unchanged + ?, "
                "merged = merged + ? WHERE id = ?",
                [outcomes["new"], outcomes["updated"], outcomes["unchanged"], outcomes["merged"], run_id])
        self.publisher.publish_articles([r.article_id for r in results])

    def _run_id(self, run: str, site: str | None = None, args: dict[str, Any] | None = None) -> int:
        """The ``crawl_runs`` row of worker run *run* (created once, found again after a restart)."""
        if run in self._runs:
            return self._runs[run]
        row = self.archive.db.execute(
            "SELECT id FROM crawl_runs WHERE json_extract(args, '$.worker') = ? ORDER BY id LIMIT 1",
            [run]).fetchone()
        if row is None:
            run_id = self.archive.start_run(site, dict(args or {}, worker=run))
            self.stats.runs += 1
        else:
            run_id = row[0]
        self._runs[run] = run_id
        return run_id

    def _known_run(self, run: str) -> int | None:
        """The ``crawl_runs`` row of *run* if it has one (``None``: never create one for it)."""
        if run in self._runs:
            return self._runs[run]
        row = self.archive.db.execute(
            "SELECT id FROM crawl_runs WHERE json_extract(args, '$.worker') = ? ORDER BY id LIMIT 1", [run]).fetchone()
        if row is not None:
            self._runs[run] = row[0]
        return row[0] if row else None

    def _finish_run(self, message: messages.Message) -> None:
        run_id = self._run_id(message.run)
        stats = message.stats
        row = self.archive.db.execute("SELECT new, updated, unchanged, merged FROM crawl_runs WHERE id = ?",
                                      [run_id]).fetchone()
        counts = dict(zip(("new", "updated", "unchanged", "merged"), row))
        counts.update(
            pages_fetched=int(stats.get("response_received_count", 0)),
            dropped=sum(int(v) for k, v in stats.items() if k.startswith("newscrawl/dropped/")),
            errors=int(stats.get("log_count/ERROR", 0)) + sum(
                int(v) for k, v in stats.items() if k.startswith("downloader/exception_type_count/")))
        self.archive.finish_run(run_id, message.reason or "finished", counts, stats)
        site = self.archive.db.execute("SELECT site FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0]
        self.publisher.publish_settled((site or "").split(","))

    def dead_letter(self, entry: Entry, error: str) -> None:
        """Keep an entry that cannot be archived in the dead-letter stream, with the error."""
        entry_id, fields = entry
        logger.error("entry %s not archived, moved to %s: %s", entry_id.decode(), self.keys.dead_items, error)
        self.server.xadd(self.keys.dead_items, {**fields, b"entry": entry_id, b"error": error.encode()})
        self.stats.dead += 1

    # -- loop ------------------------------------------------------------------------------------
    def run(self, *, stop: threading.Event | None = None, exit_when_idle: float | None = None,
            on_batch: Callable[[WriterStats], None] | None = None) -> WriterStats:
        """Write until *stop* is set, or (with *exit_when_idle*) until the stream, the frontier and
        the worker registry have been empty for that many seconds."""
        stop = stop or threading.Event()
        self.lock()
        try:
            self.ensure_group()
            if self.publisher.sync_all():
                logger.info("published the archive's crawl state to Redis")
            self.take_over()
            for entries in self.pending():
                self.write(entries)
                self.renew()
            idle_since = time.monotonic()
            while not stop.is_set():
                entries = self.read()
                self.renew()
                if entries:
                    self.write(entries)
                    idle_since = time.monotonic()
                    if on_batch:
                        on_batch(self.stats)
                elif exit_when_idle is not None:
                    queued, inflight = frontier_size(self.server, self.keys)
                    if queued or inflight or self.server.scard(self.keys.workers):
                        idle_since = time.monotonic()
                    elif time.monotonic() - idle_since >= exit_when_idle:
                        break
        finally:
            self.unlock()
        return self.stats


def run_writer(redis_url: str, db_path: str, *, batch: int = 200, block: float = 1.0,
               exit_when_idle: float | None = None, stop: threading.Event | None = None,
               keys: Keys | None = None) -> WriterStats:
    """Run an archive writer from *redis_url* into the archive at *db_path* (see :class:`ArchiveWriter`).

    :param exit_when_idle: return once the stream and the frontier have been empty and no worker
        registered for this many seconds (``None``: run until *stop* is set).
    """
    server = redis.Redis.from_url(redis_url)
    server.ping()
    with Archive(db_path) as archive:
        writer = ArchiveWriter(server, archive, keys, batch=batch, block=block)
        return writer.run(stop=stop, exit_when_idle=exit_when_idle)
