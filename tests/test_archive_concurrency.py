"""Researchers read while a crawl writes: a search during writes never fails with "database is locked".

Two processes for about three seconds: one upserts batches in a loop (as the crawl's store pipeline
does), the other searches, opening the archive afresh for half of its searches (``newscrawl search``)
and keeping one connection for the rest (``newscrawl serve``).  bench/archive.py measures the same at
scale.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from archive import Archive, ArticleRecord

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 3.0

WRITER = """
import json, sys, time
from archive import Archive, ArticleRecord
path, seconds = sys.argv[1], float(sys.argv[2])
body = " ".join(["افتتحت وزارة التربية المدرسة الجديدة في حلب وبالمدرسة ثلاثون صفا"] * 30)
written, errors = 0, []
deadline = time.monotonic() + seconds
with Archive(path) as archive:
    while time.monotonic() < deadline:
        batch = [(ArticleRecord(url=f"http://w.test/{written + i}", site="w", title=f"خبر رقم {written + i}",
                                body=f"{body} {written + i}"), None) for i in range(50)]
        try:
            archive.upsert_many(batch)
            written += len(batch)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"written": written, "errors": errors}))
"""

READER = """
import json, sys, time
from archive import Archive
from archive.search import search
path, seconds = sys.argv[1], float(sys.argv[2])
searches, found, errors = 0, 0, []
deadline = time.monotonic() + seconds
kept = Archive(path, readonly=True)
while time.monotonic() < deadline:
    try:
        if searches % 2:
            hits = list(search(kept.db, "المدرسه", limit=5))
        else:
            with Archive(path, readonly=True) as fresh:
                hits = list(search(fresh.db, "المدرسه", limit=5))
                fresh.count()
        searches += 1
        found = max(found, len(hits))
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
kept.close()
print(json.dumps({"searches": searches, "found": found, "errors": errors}))
"""


def _start(code: str, path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code, str(path), str(SECONDS)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_searches_during_writes_never_fail(db_path: Path) -> None:
    with Archive(db_path) as archive:       # an archive with something to find before the writer starts
        archive.upsert(ArticleRecord(url="http://w.test/seed", site="w", title="المدرسة",
                                     body="افتتحت وزارة التربية المدرسة الجديدة"))
    writer, reader = _start(WRITER, db_path), _start(READER, db_path)
    wrote, read = _result(writer), _result(reader)
    assert read["errors"] == [], read["errors"][:3]
    assert wrote["errors"] == [], wrote["errors"][:3]
    assert read["searches"] > 0 and read["found"] > 0
    assert wrote["written"] > 0
    with Archive(db_path, readonly=True) as archive:
        assert archive.count() == wrote["written"] + 1
