"""Stories: the same news item across sites and URLs, found by near-duplicate detection.

The archive already merges *identical* texts (same folded ``body_hash``).  A story groups what is
left: a wire report republished with a different intro line, another agency credit ("(أ ف ب)" vs
"(رويترز)"), a trimmed last paragraph.

Each article's body (its title when the body is empty) is folded like the search index
(:func:`archive.text.words`) and cut into word 3-shingles; a :class:`datasketch.MinHash` of those
shingles estimates the Jaccard similarity of two articles.  Signatures are stored (``minhashes``)
and indexed by LSH bands (``minhash_bands``, the banding parameters chosen by
:class:`datasketch.MinHashLSH` for the threshold), so clustering is incremental: a new article is
compared only with the stored articles that share a band, and joins the story of the most similar
one whose estimated similarity reaches :data:`THRESHOLD`; otherwise it founds a story of its own.
An article whose text changed since it was signed (its ``body_hash`` differs from the stamp on its
signature) leaves its story and is clustered again.

Why :data:`THRESHOLD` = 0.5: a copy with a replaced first sentence and a different agency credit
keeps, for an article of 80+ words, 65–90 % of its 3-shingles (each changed word breaks at most
three shingles); two reports about *different* events on the same topic share names and stock
phrases ("وزير الخارجية التركي", "في العاصمة الأذربيجانية باكو") but rarely three words in a row
beyond them, and stay under 15 %.  0.5 sits in the middle of that gap, far from both sides compared
with the estimation error of 128 permutations (±0.045 at 0.5).  The LSH index is tuned for recall
(MinHashLSH with weights 0.2/0.8 picks 30 bands of 4 rows): a pair at 0.5 is a candidate with
probability 0.86, at 0.6 with 0.98, at 0.65 with 0.997; a pair at 0.2 with 0.05 (then rejected
by the comparison of signatures).

Shingles are hashed from cached CRC-32 hashes of their folded words (:func:`shingle_hashes`), the
signature uses datasketch's ``affine32`` scheme (32-bit values, pinned, recorded with the other
parameters in ``stories_meta``: the index is rebuilt if any of them changes).
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlite_utils
from datasketch import MinHash, MinHashLSH

from .errors import ArchiveError
from .store import Archive
from .text import Memo, fold_chars, fold_word, words

__all__ = ["THRESHOLD", "NUM_PERM", "SHINGLE_SIZE", "AssignResult", "NoSuchStory", "assign_stories",
           "pending_count", "folded_words", "shingles", "shingle_hashes", "signature", "jaccard",
           "largest", "members", "story_of"]

#: Estimated Jaccard similarity of word 3-shingles from which two articles are one story.
THRESHOLD = 0.5
#: MinHash permutations: estimation error about ±0.045 at the threshold.
NUM_PERM = 128
#: Words per shingle.
SHINGLE_SIZE = 3
_SEED = 1
#: datasketch's permutation scheme (pinned: schemes cannot be compared with each other).
_SCHEME = "affine32"
#: How a signature's hash values are stored (``affine32`` values are 32-bit).
_SIG_DTYPE = "<u4"
#: MinHashLSH's (false positive, false negative) weights: a missed pair splits a story, while a
#: false candidate only costs one comparison of signatures, so recall is favoured.
_LSH_WEIGHTS = (0.2, 0.8)
_BATCH = 500
#: Bumped when shingling or hashing changes, so stored signatures are rebuilt.
_SIGNATURE_VERSION = "1"


class NoSuchStory(ArchiveError):
    """No story has the requested id."""


@dataclass(slots=True)
class AssignResult:
    clustered: int = 0     #: articles given a story in this run
    joined: int = 0        #: of which joined an existing story
    new_stories: int = 0   #: of which founded a story
    resigned: int = 0      #: articles whose text changed and were clustered again
    rebuilt: bool = False  #: the index was rebuilt (new parameters)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


_WORD = re.compile(r"\w+")


def folded_words(text: str | None) -> list[str]:
    """:func:`archive.text.words`, or nothing for no text."""
    return words(text) if text else []


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> set[str]:
    """The folded word *size*-shingles of *text* (a single shingle when it has fewer words)."""
    tokens = folded_words(text)
    if not tokens:
        return set()
    if len(tokens) <= size:
        return {" ".join(tokens)}
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def shingle_hashes(text: str | None, size: int = SHINGLE_SIZE) -> list[int]:
    """32-bit hashes of :func:`shingles` (equal shingles, equal hashes), computed from cached word
    hashes with numpy instead of building and hashing every shingle string."""
    tokens = _WORD.findall(fold_chars(text)) if text else []
    if not tokens:
        return []
    words = np.fromiter(map(_WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    width = min(size, len(tokens))
    n = len(tokens) - width + 1
    combined = np.zeros(n, dtype=np.uint64)
    for k in range(width):                          # a polynomial hash of each window of words
        combined = combined * np.uint64(0x100000001B3) + words[k:k + n]
    combined ^= combined >> np.uint64(32)
    return np.unique(combined & np.uint64(0xFFFFFFFF)).tolist()


def _word_hash(word: str) -> int:
    """CRC-32 (plus 1: never 0) of a character-folded word's clitic-stripped form."""
    return zlib.crc32(fold_word(word).encode("utf-8")) + 1


#: :func:`_word_hash` of each distinct word, computed once: a plain dict lookup is what keeps
#: signing fast.
_WORD_HASHES: Memo[str, int] = Memo(_word_hash, 500_000)


def signature(text: str | None, num_perm: int = NUM_PERM) -> MinHash | None:
    """The MinHash of *text*'s shingles (``None`` when it has no words)."""
    hashes = shingle_hashes(text)
    if not hashes:
        return None
    minhash = MinHash(num_perm=num_perm, seed=_SEED, permutations=_permutations(num_perm), scheme=_SCHEME,
                      hashfunc=int)
    minhash.update_batch(hashes)
    return minhash


@functools.cache
def _permutations(num_perm: int) -> Any:
    """The MinHash permutations for *num_perm* (drawn once, not for every article)."""
    return MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME).permutations


def jaccard(a: str | None, b: str | None) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (what the MinHash estimates)."""
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


# -- the stored index -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Params:
    threshold: float
    num_perm: int
    hashranges: tuple[tuple[int, int], ...]

    def as_meta(self) -> dict[str, str]:
        return {"threshold": repr(self.threshold), "num_perm": str(self.num_perm),
                "bands": json.dumps(self.hashranges), "shingle_size": str(SHINGLE_SIZE),
                "lsh_weights": json.dumps(_LSH_WEIGHTS), "seed": str(_SEED), "scheme": _SCHEME,
                "hash": "crc32-words-poly64", "band_key": "poly64-fmix64", "signature_version": _SIGNATURE_VERSION}


def _params(threshold: float) -> _Params:
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=_LSH_WEIGHTS)
    ranges = tuple((int(s), int(e)) for s, e in lsh.hashranges)
    if ranges != tuple((i * lsh.r, (i + 1) * lsh.r) for i in range(lsh.b)):
        raise RuntimeError(f"unexpected LSH band layout from datasketch: {ranges[:3]} …")
    return _Params(threshold, NUM_PERM, ranges)


def _band_keys(hashvalues: np.ndarray, params: _Params) -> list[int]:
    """One signed 64-bit key per LSH band: a mixed polynomial hash of the band's values and index."""
    rows = params.hashranges[0][1]
    bands = hashvalues[:len(params.hashranges) * rows].astype(np.uint64).reshape(-1, rows)
    keys = np.arange(1, len(bands) + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for column in range(rows):
        keys = keys * np.uint64(0x100000001B3) + bands[:, column]
    keys ^= keys >> np.uint64(33)                   # MurmurHash3's 64-bit finalizer
    keys *= np.uint64(0xFF51AFD7ED558CCD)
    keys ^= keys >> np.uint64(33)
    return keys.view(np.int64).tolist()


def _ensure_params(db: sqlite_utils.Database, params: _Params) -> bool:
    """Record the index parameters; clear the index when it was built with others.  True if cleared."""
    wanted = params.as_meta()
    stored = dict(db.execute("SELECT name, value FROM stories_meta").fetchall())
    if stored == wanted:
        return False
    rebuilt = bool(stored)
    if rebuilt:
        for table in ("minhash_bands", "minhashes", "article_stories", "stories"):
            db.execute(f"DELETE FROM {table}")
    db.execute("DELETE FROM stories_meta")
    db.conn.executemany("INSERT INTO stories_meta (name, value) VALUES (?, ?)", list(wanted.items()))
    return rebuilt


_PENDING = ("FROM articles a LEFT JOIN minhashes m ON m.article_id = a.id "
            "LEFT JOIN article_stories s ON s.article_id = a.id "
            "WHERE (m.article_id IS NULL OR s.article_id IS NULL OR m.body_hash IS NOT a.body_hash)")


def pending_count(db: sqlite_utils.Database) -> int:
    """How many articles :func:`assign_stories` would cluster (new, or text changed)."""
    return db.execute(f"SELECT count(*) {_PENDING}").fetchone()[0]


def assign_stories(archive: Archive, article_ids: Iterable[int] | None = None, *,
                   threshold: float = THRESHOLD,
                   progress: Callable[[int], None] | None = None) -> AssignResult:
    """Give every article without a (current) story one: join the most similar stored article's
    story, or found a new one.  Earliest publications are clustered first, so they found stories.

    :param article_ids: only these articles (default: every article without a story).
    :param threshold: estimated Jaccard similarity needed to join a story; changing it rebuilds the
        index on the next run.
    :param progress: called with the number of articles clustered after each batch.
    """
    params = _params(threshold)
    db = archive.db
    result = AssignResult()
    with _transaction(db):
        result.rebuilt = _ensure_params(db, params)
    order = "ORDER BY coalesce(a.published, a.first_seen), a.id"
    if article_ids is None:
        # One scan for the work list (ids only, in publication order), then batches by id.
        ids = array("q", (r[0] for r in db.execute(f"SELECT a.id {_PENDING} {order}")))
    else:
        ids = array("q", dict.fromkeys(int(i) for i in article_ids))
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start:start + _BATCH].tolist()
        # Re-checked inside the write transaction: rows another `stories` run took meanwhile are skipped.
        with _transaction(db):
            rows = db.execute(
                f"SELECT a.id, a.title, a.body, a.body_hash, m.article_id IS NOT NULL AS signed {_PENDING} "
                f"AND a.id IN ({','.join('?' * len(chunk))}) {order}", chunk).fetchall()
            touched: set[int] = set()
            batch = _Batch(db)
            for article_id, title, body, digest, signed in rows:
                if signed:
                    touched |= _forget(db, article_id)
                    result.resigned += 1
                story_id, joined = _cluster_one(db, batch, article_id, body or title, digest, params)
                touched.add(story_id)
                result.clustered += 1
                result.joined += joined
                result.new_stories += not joined
            batch.flush()
            _refresh(db, touched)
        if progress is not None:
            progress(len(chunk))
    return result


@contextmanager
def _transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any error."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def _forget(db: sqlite_utils.Database, article_id: int) -> set[int]:
    """Take an article out of the index and its story; the stories it left."""
    left = {r[0] for r in db.execute("SELECT story_id FROM article_stories WHERE article_id = ?", [article_id])}
    db.execute("DELETE FROM article_stories WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM minhash_bands WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM minhashes WHERE article_id = ?", [article_id])
    return left


class _Batch:
    """The writes of one transaction, buffered and written together at the end; the articles it
    holds are searched like stored ones, so copies within one batch still find each other."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.next_story = db.execute("SELECT coalesce(max(id), 0) + 1 FROM stories").fetchone()[0]
        self.created = datetime.now(UTC).isoformat(timespec="seconds")
        self.stories: list[tuple[int, str]] = []
        self.minhashes: list[tuple[int, str | None, bytes]] = []
        self.bands: list[tuple[int, int]] = []
        self.members: list[tuple[int, int, float | None]] = []
        self.by_key: dict[int, list[int]] = {}                    # band key -> article ids
        self.signed: dict[int, tuple[np.ndarray, int]] = {}       # article id -> (signature, story)

    def new_story(self) -> int:
        story_id = self.next_story
        self.next_story += 1
        self.stories.append((story_id, self.created))
        return story_id

    def add(self, article_id: int, digest: str | None, hashvalues: np.ndarray | None, keys: list[int],
            story_id: int, similarity: float | None) -> None:
        self.minhashes.append((article_id, digest, b"" if hashvalues is None else hashvalues.tobytes()))
        self.members.append((article_id, story_id, similarity))
        self.bands += [(key, article_id) for key in keys]
        if hashvalues is not None:
            self.signed[article_id] = (hashvalues, story_id)
            for key in keys:
                self.by_key.setdefault(key, []).append(article_id)

    def candidates(self, keys: Sequence[int]) -> list[tuple[np.ndarray, int]]:
        found = {a for key in keys for a in self.by_key.get(key, ())}
        return [self.signed[a] for a in sorted(found)]

    def flush(self) -> None:
        conn = self.db.conn
        conn.executemany("INSERT INTO stories (id, size, created) VALUES (?, 0, ?)", self.stories)
        conn.executemany("INSERT INTO minhashes (article_id, body_hash, sig) VALUES (?, ?, ?)", self.minhashes)
        conn.executemany("INSERT OR IGNORE INTO minhash_bands (key, article_id) VALUES (?, ?)", self.bands)
        conn.executemany("INSERT INTO article_stories (article_id, story_id, similarity) VALUES (?, ?, ?)",
                         self.members)


def _cluster_one(db: sqlite_utils.Database, batch: _Batch, article_id: int, text: str | None,
                 digest: str | None, params: _Params) -> tuple[int, bool]:
    """Sign and place one article; (story id, whether it joined an existing story)."""
    minhash = signature(text, params.num_perm)
    best: tuple[float, int] | None = None
    hashvalues, keys = None, []
    if minhash is not None:
        hashvalues = minhash.hashvalues.astype(_SIG_DTYPE)
        keys = _band_keys(hashvalues, params)
        best = _best_match(db, batch, article_id, hashvalues, keys, params.threshold)
    if best is None:
        story_id, similarity = batch.new_story(), None
    else:
        similarity, story_id = best
    batch.add(article_id, digest, hashvalues, keys, story_id, similarity)
    return story_id, best is not None


def _best_match(db: sqlite_utils.Database, batch: _Batch, article_id: int, hashvalues: np.ndarray,
                keys: Sequence[int], threshold: float) -> tuple[float, int] | None:
    """(similarity, story id) of the most similar indexed article at or above *threshold*."""
    rows = db.execute(
        "SELECT m.sig, s.story_id FROM minhashes m JOIN article_stories s ON s.article_id = m.article_id "
        f"WHERE m.article_id IN (SELECT article_id FROM minhash_bands WHERE key IN ({','.join('?' * len(keys))})) "
        "AND m.article_id != ?", [*keys, article_id]).fetchall()
    candidates = [(np.frombuffer(sig, dtype=_SIG_DTYPE), story_id) for sig, story_id in rows]
    best: tuple[float, int] | None = None
    for other, story_id in candidates + batch.candidates(keys):
        if other.shape != hashvalues.shape:
            continue
        similarity = round(float(np.count_nonzero(other == hashvalues)) / len(hashvalues), 4)
        if similarity >= threshold and (best is None or (similarity, -story_id) > (best[0], -best[1])):
            best = (similarity, story_id)
    return best


def _refresh(db: sqlite_utils.Database, story_ids: set[int]) -> None:
    """Recompute the cached size, first publication and title of *story_ids*; drop empty stories."""
    ids = sorted(story_ids)
    for chunk in (ids[i:i + _BATCH] for i in range(0, len(ids), _BATCH)):
        where = f"id IN ({','.join('?' * len(chunk))})"
        db.execute(
            "UPDATE stories SET size = (SELECT count(*) FROM article_stories WHERE story_id = stories.id), "
            "first_published = (SELECT min(a.published) FROM article_stories s JOIN articles a "
            "ON a.id = s.article_id WHERE s.story_id = stories.id), "
            "title = (SELECT a.title FROM article_stories s JOIN articles a ON a.id = s.article_id "
            "WHERE s.story_id = stories.id ORDER BY a.published IS NULL, a.published, a.id LIMIT 1) "
            f"WHERE {where}", chunk)
        db.execute(f"DELETE FROM stories WHERE {where} AND size = 0", chunk)


# -- reads ------------------------------------------------------------------------------------------
def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    """The story *article_id* belongs to (``None`` when it has not been clustered yet)."""
    row = db.execute("SELECT story_id FROM article_stories WHERE article_id = ?", [article_id]).fetchone()
    return row[0] if row else None


def _has_stories(db: sqlite_utils.Database) -> bool:
    return "article_stories" in db.table_names()


def largest(db: sqlite_utils.Database, *, since: str | None = None, until: str | None = None,
            min_size: int = 2, limit: int = 20) -> list[dict[str, Any]]:
    """The largest stories, with the sites that carried them.

    :param since: only stories first published on or after this ISO date.
    :param until: only stories first published on or before this ISO date (a bare date: that day).
    :param min_size: at least this many articles.
    """
    if not _has_stories(db):
        return []
    where: list[str] = ["st.size >= ?"]
    params: list[Any] = [min_size]
    if since:
        where.append("st.first_published >= ?")
        params.append(since)
    if until:
        where.append("st.first_published <= ?")
        params.append(until + ("T23:59:59Z" if len(until) == 10 else ""))
    params.append(limit)
    stories = [dict(r) for r in db.query(
        "SELECT st.id, st.size, st.first_published, st.title FROM stories st "
        f"WHERE {' AND '.join(where)} ORDER BY st.size DESC, st.first_published DESC, st.id LIMIT ?", params)]
    for story in stories:
        story["sites"] = _sites(db, story["id"])
    return stories


def _sites(db: sqlite_utils.Database, story_id: int) -> list[str]:
    """Every site that published an article of the story (its own or a merged copy's URL)."""
    return [r[0] for r in db.execute(
        "SELECT site FROM (SELECT a.site AS site FROM article_stories s JOIN articles a ON a.id = s.article_id "
        "WHERE s.story_id = :id UNION SELECT u.site FROM article_stories s JOIN url_aliases u "
        "ON u.article_id = s.article_id WHERE s.story_id = :id) WHERE site IS NOT NULL ORDER BY site",
        {"id": story_id})]


def members(db: sqlite_utils.Database, story_id: int) -> dict[str, Any]:
    """One story with its articles, earliest first.

    :raises NoSuchStory: no story has this id.
    """
    row = db.execute("SELECT id, size, first_published, title FROM stories WHERE id = ?",
                     [story_id]).fetchone() if _has_stories(db) else None
    if row is None:
        raise NoSuchStory(f"no story with id {story_id} (run `newscrawl stories` to list them)")
    story = dict(zip(("id", "size", "first_published", "title"), row, strict=True))
    story["sites"] = _sites(db, story_id)
    story["articles"] = [dict(r) for r in db.query(
        "SELECT a.id, a.site, a.published, a.title, a.url, s.similarity FROM article_stories s "
        "JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? "
        "ORDER BY a.published IS NULL, a.published, a.id", [story_id])]
    return story
