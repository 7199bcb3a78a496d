"""Scale of the archive: a synthetic archive of Arabic articles written with ``Archive.upsert_many``.

Measures, beside plain sqlite-utils (``insert_all`` + ``enable_fts(["title", "body"])``, the
``unicode61`` tokenizer on the raw text) written in the same run from the same records:

- insert throughput in batched upserts (``--batch`` records per transaction; target >= 5,000/s),
  through ``Archive.upsert_stream``, the bulk-load path: a helper process prepares the text (Arabic
  folding, URL keys) of the next records while the archive writes and commits (``--workers 0``
  measures one process alone);
- database size per 100k articles (after a WAL checkpoint), with a per-table breakdown;
- search latency, median and p95 over 20 mixed queries (target median < 50 ms), and how many
  articles each finds: the baseline misses spelling variants by design;
- export throughput (``archive.export`` to JSON Lines; the baseline streams rows to JSON Lines);
- stories clustering time for 10k new articles (``archive.stories.assign_stories``; target < 10 s);
- reads during writes: a writer process upserts in a loop while two reader processes search
  (one reopening the archive for every search like ``newscrawl search``, one keeping its connection
  like ``newscrawl serve``); every reader error is counted (target: 0).

The text is generated with a seeded RNG from a fixed list of news words plus pseudo-words built
from Arabic roots and patterns (a Zipf-like distribution over ~50k word forms, realistic word
lengths, hamza-less and ه-for-ة variants, attached clitics, years in both digit sets), ~3 KB of
UTF-8 per body.  5 % of the records are near-copies of a recent article on another site (a new
first sentence: one story, two articles) and 1 % exact copies (merged into the original by the
writer).  No raw HTML is stored (``Fetch.html`` is None), so the sizes are those of text,
index and provenance rows only.

Run: .venv/bin/python bench/archive.py [--n 1000000] [--workdir DIR] [--keep] [--json out.json]
A quick run: --n 100000.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file is named archive.py: put the project (and its archive package) before bench/.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import sqlite_utils  # noqa: E402

from archive import Archive, ArticleRecord, Fetch  # noqa: E402
from archive.search import compile_query, search  # noqa: E402

SEED = 20250508
TARGETS = {"insert_per_s": 5000, "search_median_ms": 50, "stories_10k_s": 10}

# -- synthetic text -----------------------------------------------------------------------------
NEWS_WORDS = """
في من على إلى أن عن مع التي الذي هذا هذه بين بعد قبل خلال أو كما حيث لدى منذ حتى عند
الحكومة الرئيس وزير الوزراء رئيس المدرسة مدرسة الجامعة الطلاب التعليم وزارة التربية
إسرائيل فلسطين غزة لبنان سوريا مصر الأردن العراق تركيا إيران السعودية الإمارات قطر المغرب
تونس الجزائر ليبيا السودان اليمن الكويت البحرين عمان روسيا أوكرانيا أمريكا الصين أوروبا
الأمم المتحدة مجلس الأمن الدولي الجامعة العربية الاتحاد الأوروبي البرلمان الانتخابات
انتخابات المعارضة الحزب الأحزاب الدستور القانون المحكمة القضاء الشرطة الجيش القوات
الأمن الاقتصاد الاقتصادية الاستثمار الأسعار أسعار الذهب النفط الغاز الطاقة الكهرباء المياه
البنك المركزي الدولار الليرة الجنيه الدينار التضخم الموازنة الميزانية الضرائب الشركات الشركة
السوق الأسواق البورصة التجارة الصادرات الواردات الزراعة الصناعة السياحة الصحة المستشفى
مستشفى الأطباء المرضى الوباء اللقاح الأدوية أدوية المساعدات الإنسانية اللاجئين النازحين
الحرب السلام المفاوضات المحادثات الاتفاق اتفاقية الهدنة وقف إطلاق النار القصف الغارات
الضحايا القتلى الجرحى المدنيين الأطفال النساء المجتمع الثقافة الفن السينما المسرح الكتاب
الرياضة المنتخب الدوري المباراة الفريق اللاعب المدرب الملعب البطولة كأس العالم الأولمبية
أعلن أعلنت قال قالت أكد أكدت أضاف أضافت أشار أشارت أوضح أوضحت صرح تصريحات بيان مؤتمر صحفي
اجتماع اجتمع زيارة زار استقبل التقى مسؤول مسؤولين مصادر مصدر وكالة الأنباء رويترز
اليوم أمس غدا الأسبوع الشهر العام السنة الماضي المقبل الحالي الجديد الجديدة الأولى الثانية
كبيرة كبير صغيرة عدد أكثر أقل جميع بعض كل نحو حوالي مليون مليار ألف نسبة بالمئة المائة
المدينة العاصمة القرية المنطقة الإقليم المحافظة الولاية الحدود الشمال الجنوب الشرق الغرب
دمشق بيروت القاهرة عمان بغداد الرياض الدوحة أبوظبي دبي الرباط تونس الخرطوم صنعاء طهران أنقرة
القدس حلب الموصل البصرة الإسكندرية باكو جنيف باريس لندن واشنطن موسكو بكين
""".split()
FUNCTION_WORDS = 21  # في … عند: the first words of NEWS_WORDS
PHRASES = ["مجلس الأمن", "الأمم المتحدة", "وزير الخارجية", "رئيس الوزراء", "وقف إطلاق النار",
           "البنك المركزي", "كأس العالم", "الاتحاد الأوروبي", "مؤتمر صحفي", "جولة ثانية"]
YEARS = [str(y) for y in range(2010, 2026)] + ["".join("٠١٢٣٤٥٦٧٨٩"[int(c)] for c in str(y))
                                               for y in range(2010, 2026)]
SITES = ["alwatan", "annahar", "alyaum", "albayan", "youm7", "assabah", "shamtimes", "nilenews"]
CATEGORIES = ["سياسة", "اقتصاد", "رياضة", "ثقافة", "صحة", "تعليم", "دولي", "محليات", "تكنولوجيا",
              "منوعات"]
_ROOT_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
_PATTERNS: list[Callable[[str], str]] = [
    lambda r: r, lambda r: r + "ة", lambda r: "م" + r[0] + r[1] + "و" + r[2],
    lambda r: r[0] + "ا" + r[1] + r[2], lambda r: "ت" + r[0] + r[1] + "ي" + r[2],
    lambda r: "است" + r[0] + r[1] + "ا" + r[2], lambda r: "م" + r + "ة", lambda r: r[0] + r[1] + "ا" + r[2] + "ة",
    lambda r: "ي" + r, lambda r: "أ" + r, lambda r: "إ" + r[0] + r[1] + "ا" + r[2], lambda r: r + "ات",
    lambda r: "ال" + r + "ة", lambda r: "و" + r[0] + "ا" + r[1] + r[2], lambda r: "بال" + r, lambda r: r + "ون",
]


def _variant(word: str) -> str:
    """A common misspelling: hamza dropped from alef, ه for final ة, ي for final ى."""
    out = word.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    if out.endswith("ة"):
        out = out[:-1] + "ه"
    elif out.endswith("ى"):
        out = out[:-1] + "ي"
    return out


def vocabulary(rng: random.Random, roots: int = 3500) -> tuple[list[str], list[float]]:
    """Word forms with cumulative Zipf weights: function words first, the news words, phrases and
    years spread over the next ranks (each in a few percent of the articles, like real content
    words), the pseudo-words after and between them."""
    function_words = NEWS_WORDS[:FUNCTION_WORDS]
    content = NEWS_WORDS[FUNCTION_WORDS:] + PHRASES + YEARS
    tail: list[str] = []
    seen = set(NEWS_WORDS + PHRASES + YEARS)
    while len(tail) < roots * len(_PATTERNS) // 2:
        root = "".join(rng.choice(_ROOT_LETTERS) for _ in range(3))
        for pattern in rng.sample(_PATTERNS, len(_PATTERNS) // 2):
            form = pattern(root)
            if form not in seen:
                seen.add(form)
                tail.append(form)
    rng.shuffle(tail)
    ranked = function_words + tail
    for word in content:                # ranks ~40..3000: doc frequency roughly 1-30 %
        ranked.insert(len(function_words) + int(rng.uniform(20, 3000)), word)
    words: list[str] = []
    weights: list[float] = []
    for rank, word in enumerate(ranked):
        weight = 1.0 / (rank + 10) ** 1.05
        variant = _variant(word)
        if variant != word:             # a quarter of the uses of a word with a variant misspell it
            words += [word, variant]
            weights += [weight * 0.75, weight * 0.25]
        else:
            words.append(word)
            weights.append(weight)
    return words, list(itertools.accumulate(weights))


class Generator:
    """Deterministic synthetic articles: ``batch(start, size)`` gives records start..start+size-1."""

    def __init__(self, seed: int = SEED, body_bytes: int = 3000):
        self.rng = random.Random(seed)
        self.words, self.cum = vocabulary(self.rng)
        total = self.cum[-1]
        mean = sum((c - p) / total * (len(w.encode()) + 1)
                   for w, c, p in zip(self.words, self.cum, [0.0, *self.cum[:-1]]))
        self.body_words = int(body_bytes / mean)
        self.recent: list[tuple[str, str]] = []
        self.start_day = 16436  # 2015-01-01 in days since the epoch

    def _sentences(self, n_words: int) -> list[str]:
        tokens = self.rng.choices(self.words, cum_weights=self.cum, k=n_words)
        sentences, i = [], 0
        while i < len(tokens):
            j = i + self.rng.randint(8, 18)
            sentences.append(" ".join(tokens[i:j]) + self.rng.choice((".", ".", "،")))
            i = j
        return sentences

    def _body(self) -> str:
        sentences = self._sentences(int(self.body_words * self.rng.uniform(0.8, 1.2)))
        paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
        return "\n\n".join(paragraphs)

    def record(self, i: int) -> tuple[ArticleRecord, Fetch]:
        rng = self.rng
        site = SITES[i % len(SITES)]
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        roll = rng.random()
        if roll < 0.01 and self.recent:            # exact copy on another site: merged
            title, body = rng.choice(self.recent)
        elif roll < 0.06 and self.recent:          # near copy: new first sentence, same story
            title, old = rng.choice(self.recent)
            first_end = old.find(".") + 1
            body = self._sentences(12)[0] + old[first_end:]
        else:
            title = " ".join(rng.choices(self.words, cum_weights=self.cum, k=rng.randint(5, 10)))
            body = self._body()
            self.recent.append((title, body))
            if len(self.recent) > 2000:
                self.recent.pop(0)
        seconds = (self.start_day + i * 3650 // 1_000_000) * 86400 + rng.randrange(86400)
        published = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
        url = f"https://{site}.example/{CATEGORIES.index(category)}/{i}"
        record = ArticleRecord(url=url, site=site, title=title, body=body, category=category,
                               published=published, published_raw=published[:10], language="ar",
                               tags=rng.choices(NEWS_WORDS[FUNCTION_WORDS:], k=3), extractor_version="bench")
        return record, Fetch(url=url, fetched_at=published, status=200)

    def batch(self, start: int, size: int) -> list[tuple[ArticleRecord, Fetch]]:
        return [self.record(i) for i in range(start, start + size)]


#: 20 mixed queries: common and rare words, variant spellings, clitics, phrases, prefixes,
#: OR/NOT, digits in both scripts.
QUERIES = [
    "الحكومة", "المدرسه", "اسرائيل", "وزير الخارجية", '"مجلس الأمن"', "الاقتصاد", "مستشفي",
    "انتخابات البرلمان", "اقتصاد*", "غزة OR لبنان", "الحكومة -البرلمان", "٢٠٢٤", "2019",
    "وبالمدرسة", "القدس الشرطة", "مؤتمر صحفي", '"وقف إطلاق النار"', "الذهب الدولار", "باكو",
    "الأمم المتحدة اللاجئين",
]


# -- helpers ------------------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def breakdown(db: sqlite_utils.Database) -> dict[str, int] | None:
    """Bytes per table (indexes counted with their table; FTS shadow tables as 'fts')."""
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    except Exception:  # dbstat not compiled in
        return None
    owner = {name: tbl for name, tbl in db.execute("SELECT name, tbl_name FROM sqlite_master")}
    out: dict[str, int] = {}
    for name, size in rows:
        table = owner.get(name, name)
        if table.startswith("sqlite_autoindex_"):
            table = table.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0]
        if "_fts" in table:
            table = "fts"
        out[table] = out.get(table, 0) + size
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def baseline_row(record: ArticleRecord) -> dict[str, Any]:
    return {"site": record.site, "url": record.url, "title": record.title, "body": record.body,
            "category": record.category, "published": record.published,
            "published_raw": record.published_raw, "language": record.language,
            "tags": json.dumps(record.tags, ensure_ascii=False)}


# -- stages -------------------------------------------------------------------------------------
def load(n: int, batch: int, ours_path: Path, base_path: Path, gen: Generator,
         workers: int | None = None, chunk: int = 20_000) -> dict[str, Any]:
    """Write *n* records to both databases, *chunk* generated records at a time (generation is not
    timed): ours with ``Archive.upsert_stream`` (a transaction every *batch* records), the
    baseline with ``insert_all(batch_size=batch)``."""
    ours = Archive(ours_path, workers=workers)
    base = sqlite_utils.Database(base_path)
    base.enable_wal()
    base.execute("PRAGMA synchronous = NORMAL")   # same durability as the archive
    base["articles"].create({"id": int, "site": str, "url": str, "title": str, "body": str,
                             "category": str, "published": str, "published_raw": str,
                             "language": str, "tags": str}, pk="id")
    base["articles"].enable_fts(["title", "body"], create_triggers=True)
    t_ours = t_base = 0.0
    window = (0, 0.0)
    body_bytes = 0
    started = time.perf_counter()
    chunk = max(chunk, batch)
    for start in range(0, n, chunk):
        items = gen.batch(start, min(chunk, n - start))
        body_bytes += sum(len(r.body.encode()) for r, _ in items)
        t0 = time.perf_counter()
        for _ in ours.upsert_stream(items, batch_size=batch):
            pass
        t1 = time.perf_counter()
        base["articles"].insert_all([baseline_row(r) for r, _ in items], batch_size=batch)
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_base += t2 - t1
        done = start + len(items)
        if done % 100_000 == 0 or done == n:
            log(f"  {done:>9,} records  ours {done / t_ours:,.0f}/s (last {done - window[0]:,}: "
                f"{(done - window[0]) / (t_ours - window[1]):,.0f}/s)  baseline {done / t_base:,.0f}/s  "
                f"(wall {time.perf_counter() - started:,.0f} s)")
            window = (done, t_ours)
    articles, workers = ours.count(), ours.workers   # (0 if the helper was lost on the way)
    for db in (ours.db, base):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ours.close()
    base.conn.close()
    return {"records": n, "articles": articles, "mean_body_bytes": body_bytes / n,
            "ours_s": t_ours, "base_s": t_base, "workers": workers}


def measure_search(ours_path: Path, base_path: Path, runs: int) -> dict[str, Any]:
    results: dict[str, Any] = {"queries": []}
    with Archive(ours_path, readonly=True) as archive:
        base = sqlite_utils.Database(base_path)
        for q in QUERIES:
            t_ours, hits = timed(lambda: list(search(archive.db, q, limit=20)), runs)
            t_base, base_hits = timed(lambda: list(base["articles"].search(q, limit=20, quote=True)), runs)
            top = ("WITH hits AS (SELECT rowid, bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts "
                   "WHERE articles_fts MATCH ? ORDER BY score LIMIT 20) SELECT a.id, a.title, a.body "
                   "FROM hits JOIN articles a ON a.id = hits.rowid ORDER BY hits.score")
            t_top, _ = timed(lambda: archive.db.execute(top, [compile_query(q)]).fetchall(), runs)
            n_ours = archive.db.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                [compile_query(q)]).fetchone()[0]
            n_base = base.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                                  [base.quote_fts(q)]).fetchone()[0]
            results["queries"].append({"q": q, "ours_ms": t_ours * 1000, "base_ms": t_base * 1000,
                                       "top_ms": t_top * 1000,
                                       "ours_found": n_ours, "base_found": n_base})
        base.conn.close()
    return results


def measure_export(ours_path: Path, base_path: Path, limit: int, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        from archive import export
    except ImportError:
        export = None
    with Archive(ours_path, readonly=True) as archive:
        target = workdir / "export.jsonl"
        t0 = time.perf_counter()
        with open(target, "w", encoding="utf-8") as fh:
            if export is not None:
                rows = export.write_jsonl(itertools.islice(export.rows(archive.db), limit), fh)
                out["ours_label"] = "archive.export.rows + write_jsonl"
            else:
                rows = 0
                for row in itertools.islice(archive.db.query("SELECT * FROM articles ORDER BY id"), limit):
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    rows += 1
                out["ours_label"] = "plain streaming SELECT to JSONL (archive.export absent)"
        out["ours_s"] = time.perf_counter() - t0
        out["ours_rows"] = rows
        out["ours_mb"] = target.stat().st_size / 1e6
        target.unlink()
    base = sqlite_utils.Database(base_path)
    target = workdir / "export-base.jsonl"
    t0 = time.perf_counter()
    rows = 0
    with open(target, "w", encoding="utf-8") as fh:
        for row in base["articles"].rows_where(order_by="id", limit=limit):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows += 1
    out["base_s"] = time.perf_counter() - t0
    out["base_rows"] = rows
    out["base_mb"] = target.stat().st_size / 1e6
    target.unlink()
    base.conn.close()
    return out


def measure_stories(ours_path: Path, indexed: int, new: int) -> dict[str, Any] | None:
    try:
        from archive.stories import assign_stories
    except ImportError:
        return None
    with Archive(ours_path) as archive:
        ids = [r[0] for r in archive.db.execute("SELECT id FROM articles ORDER BY id LIMIT ?",
                                                [indexed + new])]
        t0 = time.perf_counter()
        first = assign_stories(archive, ids[:indexed])
        t1 = time.perf_counter()
        second = assign_stories(archive, ids[indexed:indexed + new])
        t2 = time.perf_counter()
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"indexed": len(ids[:indexed]), "new": len(ids[indexed:]), "index_s": t1 - t0,
            "new_s": t2 - t1, "joined": second.joined, "new_stories": second.new_stories,
            "first": first.as_dict()}


# -- concurrency: a writer and two readers in separate processes --------------------------------
def _writer(path: str, start: int, seconds: float, queue: Any) -> None:
    gen = Generator(seed=SEED + 1)
    done = errors = 0
    messages: list[str] = []
    deadline = time.monotonic() + seconds
    with Archive(path) as archive:
        while time.monotonic() < deadline:
            try:
                archive.upsert_many(gen.batch(start + done, 100))
                done += 100
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                errors += 1
                messages.append(str(exc))
    queue.put(("writer", {"records": done, "errors": errors, "messages": messages[:3]}))


def _reader(path: str, seconds: float, reopen: bool, queue: Any) -> None:
    ok = errors = locked = 0
    messages: list[str] = []
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    archive = None if reopen else Archive(path, readonly=True)
    for q in itertools.cycle(QUERIES):
        if time.monotonic() >= deadline:
            break
        t0 = time.perf_counter()
        try:
            if reopen:
                with Archive(path, readonly=True) as fresh:
                    list(search(fresh.db, q, limit=20))
            else:
                list(search(archive.db, q, limit=20))
            ok += 1
            latencies.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001
            errors += 1
            locked += "locked" in str(exc)
            messages.append(f"{type(exc).__name__}: {exc}")
    if archive is not None:
        archive.close()
    queue.put(("reader-reopen" if reopen else "reader-persistent",
               {"searches": ok, "errors": errors, "locked": locked, "messages": messages[:3],
                "median_ms": statistics.median(latencies) * 1000 if latencies else None,
                "p95_ms": p95(latencies) * 1000 if latencies else None}))


def measure_concurrency(path: Path, start: int, seconds: float) -> dict[str, Any]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(path), start, seconds, queue)),
             ctx.Process(target=_reader, args=(str(path), seconds, True, queue)),
             ctx.Process(target=_reader, args=(str(path), seconds, False, queue))]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=seconds + 600) for _ in procs)
    for p in procs:
        p.join()
    return results


# -- report -------------------------------------------------------------------------------------
def report(r: dict[str, Any]) -> str:
    lo, s, ex, st, cc = r["load"], r["sizes"], r["export"], r["stories"], r["concurrency"]
    q = r["search"]["queries"]
    ours_ms = [x["ours_ms"] for x in q]
    base_ms = [x["base_ms"] for x in q]
    top_ms = [x["top_ms"] for x in q]
    per100k = 100_000 / lo["records"]
    rows = [
        ("records upserted (articles after merging copies)",
         f"{lo['records']:,} ({lo['articles']:,})", f"{lo['records']:,}", ""),
        ("mean body size", f"{lo['mean_body_bytes']:,.0f} B UTF-8", "same records", ""),
        (f"insert throughput, upsert_stream, transactions of {r['batch']:,} ({lo['workers']} helper process(es))",
         f"{lo['records'] / lo['ours_s']:,.0f} articles/s",
         f"{lo['records'] / lo['base_s']:,.0f} rows/s", f">= {TARGETS['insert_per_s']:,}/s"),
        ("database size per 100k articles", f"{s['ours'] * per100k / 1e9:.2f} GB",
         f"{s['base'] * per100k / 1e9:.2f} GB", ""),
        ("search latency, median of 20 queries", f"{statistics.median(ours_ms):.1f} ms",
         f"{statistics.median(base_ms):.1f} ms", f"< {TARGETS['search_median_ms']} ms"),
        ("search latency, p95 of 20 queries", f"{p95(ours_ms):.1f} ms", f"{p95(base_ms):.1f} ms", ""),
        ("search latency median / p95, ranking query alone (no snippets)",
         f"{statistics.median(top_ms):.1f} / {p95(top_ms):.1f} ms", "", ""),
        (f"export throughput ({ex['ours_rows']:,} rows)",
         f"{ex['ours_rows'] / ex['ours_s']:,.0f} rows/s ({ex['ours_mb'] / ex['ours_s']:.0f} MB/s)",
         f"{ex['base_rows'] / ex['base_s']:,.0f} rows/s ({ex['base_mb'] / ex['base_s']:.0f} MB/s)", ""),
    ]
    if st is None:
        rows.append(("stories: clustering 10k new articles", "stories: not available", "—", "< 10 s"))
    else:
        rows.append((f"stories: clustering {st['new']:,} new articles ({st['indexed']:,} indexed)",
                     f"{st['new_s']:.1f} s ({st['joined']:,} joined a story)", "—",
                     f"< {TARGETS['stories_10k_s']} s"))
    readers = [v for k, v in cc.items() if k.startswith("reader")]
    rows.append((f"searches during writes ({r['concurrency_s']:.0f} s, 2 readers + 1 writer)",
                 f"{sum(x['searches'] for x in readers):,} searches, "
                 f"{sum(x['errors'] for x in readers)} errors "
                 f"({sum(x['locked'] for x in readers)} 'database is locked'); writer "
                 f"{cc['writer']['records']:,} records, {cc['writer']['errors']} errors", "—", "0 errors"))
    out = ["| measure | newscrawl Archive | plain sqlite-utils / unicode61 | target |",
           "| --- | --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out += ["", "| query | newscrawl ms | ranking only ms | found | sqlite-utils ms | found |",
            "| --- | --- | --- | --- | --- | --- |"]
    out += [f"| `{x['q']}` | {x['ours_ms']:.1f} | {x['top_ms']:.1f} | {x['ours_found']:,} | {x['base_ms']:.1f} "
            f"| {x['base_found']:,} |" for x in q]
    if s.get("ours_tables"):
        out += ["", "Size breakdown, newscrawl (GB per 100k): " + ", ".join(
            f"{k} {v * per100k / 1e9:.3f}" for k, v in s["ours_tables"].items() if v * per100k >= 1e6)]
        out += ["Size breakdown, baseline (GB per 100k): " + ", ".join(
            f"{k} {v * per100k / 1e9:.3f}" for k, v in (s.get("base_tables") or {}).items() if v * per100k >= 1e6)]
    out += ["", f"export: {ex['ours_label']}; baseline: sqlite-utils rows_where to JSONL"]
    for name, v in cc.items():
        out.append(f"{name}: {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records to write (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=5000,
                        help="records per transaction (upsert_stream's default)")
    parser.add_argument("--workers", type=int, default=None,
                        help="Archive(workers=...): helper processes preparing text for large batches "
                             "(default: the archive's own default, 1 on a machine with 2+ CPUs; 0: none)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median taken)")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--stories-indexed", type=int, default=20_000,
                        help="articles clustered before the timed 10k")
    parser.add_argument("--stories-new", type=int, default=10_000)
    parser.add_argument("--concurrency-seconds", type=float, default=20.0)
    parser.add_argument("--workdir", help="where to write the databases (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="newscrawl-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    ours_path, base_path = workdir / "archive.db", workdir / "baseline.db"
    for path in (ours_path, base_path):
        for f in path.parent.glob(path.name + "*"):
            f.unlink()
    results: dict[str, Any] = {"n": args.n, "batch": args.batch, "concurrency_s": args.concurrency_seconds}
    try:
        started = time.perf_counter()
        log(f"writing {args.n:,} records to {workdir} ...")
        results["load"] = load(args.n, args.batch, ours_path, base_path, Generator(), args.workers)
        log("sizes ...")
        results["sizes"] = {"ours": file_size(ours_path), "base": file_size(base_path)}
        with Archive(ours_path, readonly=True) as archive:
            results["sizes"]["ours_tables"] = breakdown(archive.db)
        base = sqlite_utils.Database(base_path)
        results["sizes"]["base_tables"] = breakdown(base)
        base.conn.close()
        log("search ...")
        results["search"] = measure_search(ours_path, base_path, args.runs)
        log("export ...")
        results["export"] = measure_export(ours_path, base_path, args.export_rows, workdir)
        log("stories ...")
        results["stories"] = measure_stories(ours_path, args.stories_indexed, args.stories_new)
        log("concurrency ...")
        results["concurrency"] = measure_concurrency(ours_path, args.n + 10_000_000, args.concurrency_seconds)
        results["wall_s"] = time.perf_counter() - started
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(results))
    print(f"\nwall time {results['wall_s']:,.0f} s, Python {sys.version.split()[0]}, "
          f"SQLite {__import__('sqlite3').sqlite_version}, {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
