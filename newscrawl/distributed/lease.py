"""Leases: a request taken from the shared frontier belongs to one worker until that worker is done.

scrapy-redis pops a request from Redis and forgets it, so a worker killed with requests in flight
loses them (their fingerprints are in the duplicate filter: nobody fetches them again this round).
Here the pop moves the request into the worker's in-flight hash in one atomic step (a Lua script);
the request leaves the hash when the worker is done with it, and the in-flight requests of a worker
whose heartbeat has expired are put back into the frontier by any other worker (or by ``seed``).

"Done" is the moment Scrapy releases the request object: the engine holds each scheduled request
from ``next_request()`` until its response and everything the callback yielded have been processed
(links pushed to the frontier, items through the item pipelines, i.e. in the item stream).  A
``weakref.finalize`` on the request queues its token for acknowledgement.  An acknowledgement can
come late (a reference cycle waits for the garbage collector), never early; late only means that a
request may be fetched once more if its worker dies at that moment: at least once, never lost.  When
the worker's engine is idle, nothing of it is in flight, and :meth:`Leases.ack_all` clears its hash.
"""

from __future__ import annotations

import collections
import gc
import logging
import os
import secrets
import socket
import weakref
from typing import Any

from newscrawl.distributed.keys import Keys

__all__ = ["Leases", "frontier_size", "queue_keys", "reclaim_dead", "worker_id"]

logger = logging.getLogger(__name__)

# KEYS: inflight hash, sequence, round, queue 1, queue 2, …; ARGV: tokens to acknowledge first.
# Takes the best request (lowest score = highest priority) of the first non-empty queue, records it
# as ``<score>|<queue>|<seq>`` → data in the in-flight hash and returns {token, data, round}.
_POP = """
if #ARGV > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV)) end
for i = 4, #KEYS do
  local top = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if #top > 0 then
    redis.call('ZREM', KEYS[i], top[1])
    local token = top[2] .. '|' .. KEYS[i] .. '|' .. redis.call('INCR', KEYS[2])
    redis.call('HSET', KEYS[1], token, top[1])
    return {token, top[1], redis.call('GET', KEYS[3]) or '0'}
  end
end
return false
"""

# KEYS: inflight hash, heartbeat, workers set; ARGV: worker id.
# Puts a dead worker's in-flight requests back into their queues with their priority, forgets it.
_RECLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local score, queue = string.match(entries[i], '^(.-)|(.*)|%d+$')
  redis.call('ZADD', queue, tonumber(score) or 0, entries[i + 1])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return #entries / 2
"""


_worker_id: tuple[int, str] | None = None


def worker_id() -> str:
    """This process's id in the crawl, ``host:pid:random``: unique across machines and restarts, the
    same for every component of the process (its leases, its crawl run, its crawl-state writes)."""
    global _worker_id
    if _worker_id is None or _worker_id[0] != os.getpid():
        _worker_id = (os.getpid(), f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}")
    return _worker_id[1]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def reclaim_dead(server: Any, keys: Keys, *, exclude: str | None = None) -> int:
    """Put the in-flight requests of every worker whose heartbeat expired back into the frontier.

    :returns: the number of requests put back.
    """
    script = server.register_script(_RECLAIM)
    total = 0
    for member in server.smembers(keys.workers):
        worker = _text(member)
        if worker == exclude:
            continue
        moved = script(keys=[keys.inflight(worker), keys.heartbeat(worker), keys.workers], args=[worker])
        if moved and moved > 0:
            logger.warning("worker %s is gone: %d of its requests put back into the frontier",
                           worker, moved)
        total += max(int(moved or 0), 0)
    return total


def queue_keys(server: Any, keys: Keys) -> list[str]:
    """Every frontier key in use (the sites' and the default one)."""
    return sorted({keys.queue} | {_text(m) for m in server.smembers(keys.queues)})


def frontier_size(server: Any, keys: Keys, queues: list[str] | None = None) -> tuple[int, int]:
    """(requests waiting in *queues* (default: every frontier), requests in flight on registered
    workers)."""
    queues = queue_keys(server, keys) if queues is None else queues
    workers = [_text(m) for m in server.smembers(keys.workers)]
    with server.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.zcard(queue)
        for worker in workers:
            pipe.hlen(keys.inflight(worker))
        counts = pipe.execute()
    return sum(int(n) for n in counts[:len(queues)]), sum(int(n) for n in counts[len(queues):])


class Leases:
    """The requests one worker took from the frontier and has not finished.

    :param server: a ``redis.Redis`` client (bytes responses).
    :param keys: the crawl's keys.
    :param worker: this worker's id (:func:`worker_id`).
    :param ttl: seconds without a heartbeat after which the worker counts as dead.
    """

    def __init__(self, server: Any, keys: Keys, worker: str, ttl: float = 60.0):
        self.server = server
        self.keys = keys
        self.worker = worker
        self.ttl = ttl
        self.inflight_key = keys.inflight(worker)
        self._pop = server.register_script(_POP)
        self._done: collections.deque[str] = collections.deque()

    def beat(self) -> None:
        """Register or refresh this worker (call more often than every *ttl* seconds)."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.heartbeat(self.worker), "1", px=int(self.ttl * 1000))
            pipe.sadd(self.keys.workers, self.worker)
            pipe.execute()
        self.flush()

    def pop(self, *queues: str) -> tuple[str, bytes, str] | None:
        """Take the best request of the first non-empty queue: ``(token, data, round)``, or ``None``
        (and send the acknowledgements queued since the last call, in the same round trip)."""
        tokens = [self._done.popleft() for _ in range(min(len(self._done), 1000))]
        popped = self._pop(keys=[self.inflight_key, self.keys.sequence, self.keys.round, *queues], args=tokens)
        if not popped:
            return None
        token, data, round_ = popped
        return _text(token), data, _text(round_)

    def track(self, request: object, token: str) -> None:
        """Acknowledge *token* once *request* has been released by Scrapy."""
        weakref.finalize(request, self._done.append, token)

    def ack(self, *tokens: str) -> None:
        if tokens:
            self.server.hdel(self.inflight_key, *tokens)

    def flush(self) -> int:
        """Send the acknowledgements queued since the last flush."""
        tokens = []
        while self._done:
            tokens.append(self._done.popleft())
        self.ack(*tokens)
        return len(tokens)

    def ack_all(self) -> None:
        """This worker has nothing in progress: forget all its leases."""
        self._done.clear()
        self.server.delete(self.inflight_key)

    def pending(self) -> int:
        """Requests of this worker not acknowledged yet."""
        gc.collect()
        self.flush()
        return int(self.server.hlen(self.inflight_key))

    def release(self) -> None:
        """Leave the crawl (the spider is closing: Scrapy has finished every request it took)."""
        self._done.clear()
        with self.server.pipeline(transaction=False) as pipe:
            pipe.delete(self.keys.heartbeat(self.worker), self.inflight_key)
            pipe.srem(self.keys.workers, self.worker)
            pipe.execute()
