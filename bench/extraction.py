"""Extraction quality and speed of newscrawl's ArticlePage against trafilatura, on ../shared/corpus.

Every page of the corpus (its stored bytes and its ``url``) goes through each extractor once and is
scored by ``bench/scoring.py`` exactly as the corpus README defines the metrics; figures are printed
for the primary set (Arabic + Persian), the secondary set and all pages, then a per-page table of
newscrawl's results so that a regression points at a page.

trafilatura runs with the settings it recommends for news (``bare_extraction`` with metadata,
``include_comments=False, include_tables=True, include_formatting=False``) and gets the same raw
bytes; it does not look for related links, so those figures are n/a for it.

Speed: docs/second in this single process, measured over the corpus repeated until each extractor
has run for at least ``--min-seconds`` (after the scoring pass has warmed both up).

Run:  .venv/bin/python bench/extraction.py [--corpus DIR] [--extractor newscrawl|trafilatura|all]
                                           [--per-page] [--json FILE] [--write-baseline]
``--write-baseline`` records newscrawl's primary-set figures in bench/baseline.json, the floor that
tests/test_eval_gate.py holds the extractor to. Exits 0 with "corpus not found, skipped" when the
corpus folder is absent.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scoring import (  # noqa: E402
    DATE_RULE, GATED, METRICS, Extraction, Metric, Page, PageScore, aggregate, load_corpus,
    score_corpus)
from newscrawl.pages import EXTRACTOR_VERSION, ArticlePage  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
BASELINE = ROOT / "bench" / "baseline.json"
SETS = ("primary", "secondary", "all")


# -- extractors -------------------------------------------------------------------------------------
def newscrawl_extract(page: Page) -> Extraction:
    """newscrawl's generic extraction (no site rules), as the spider runs it."""
    item = ArticlePage(page.html, page.url).to_dict()
    category = item.get("category")
    categories = category if isinstance(category, list) else [category] if category else []
    related = [link.get("url") for link in item.get("related_links") or [] if isinstance(link, dict)]
    return Extraction(item.get("title"), item.get("body"), categories, item.get("published"),
                      item.get("published_raw"), related)


def trafilatura_extract(page: Page) -> Extraction:
    """trafilatura's ``bare_extraction`` with its recommended settings for news."""
    import trafilatura

    doc = trafilatura.bare_extraction(page.html, url=page.url or None, with_metadata=True,
                                      include_comments=False, include_tables=True,
                                      include_formatting=False)
    if doc is None:
        return Extraction()
    return Extraction(doc.title, doc.text, [c for c in doc.categories or [] if c], doc.date)


EXTRACTORS: dict[str, Callable[[Page], Extraction]] = {
    "newscrawl": newscrawl_extract,
    "trafilatura": trafilatura_extract,
}


def docs_per_second(extract: Callable[[Page], Extraction], pages: list[Page],
                    min_seconds: float) -> tuple[float, int, float]:
    """(docs/s, docs, seconds): whole passes over *pages* until *min_seconds* have elapsed."""
    done, start = 0, time.perf_counter()
    while True:
        for page in pages:
            try:
                extract(page)
            except Exception:  # noqa: BLE001 - counted by the scoring pass
                pass
        done += len(pages)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed, done, elapsed


# -- output -----------------------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _flag(value: bool | None) -> str:
    return "-" if value is None else "ok" if value else "MISS"


def set_table(name: str, pages: int, figures: dict[str, dict[str, Metric]]) -> str:
    names = list(figures)
    width = max(len(label) for _, label in METRICS)
    lines = [f"{name} set ({pages} pages)",
             f"  {'metric':<{width}} {'n':>4} " + " ".join(f"{n:>12}" for n in names)]
    for key, label in METRICS:
        n = max(figures[e][key].n for e in names)
        lines.append(f"  {label:<{width}} {n:>4} "
                     + " ".join(f"{_fmt(figures[e][key].value):>12}" for e in names))
    return "\n".join(lines)


def page_table(name: str, scores: list[PageScore]) -> str:
    width = max(len(s.id) for s in scores)
    lines = [f"per page: {name}",
             f"  {'id':<{width}} {'set':<9} {'body F1':>7} {'keys':>5} {'title':>5} {'date':>5} "
             f"{'categ':>5} {'rel F1':>6} {'leaks':>5}"]
    for s in scores:
        related = s.related_prf
        lines.append(
            f"  {s.id:<{width}} {s.set:<9} {s.body_f1:>7.3f} {s.keys_hit:>2}/{s.keys_total:<2} "
            f"{_flag(s.title_ok):>5} {_flag(s.date_ok):>5} {_flag(s.category_ok):>5} "
            f"{_fmt(related and related[2]):>6} {s.leaks_found:>2}/{s.leaks_total:<2}"
            + (f"  error: {s.error}" if s.error else ""))
    return "\n".join(lines)


def _subset(scores: list[PageScore], name: str) -> list[PageScore]:
    return scores if name == "all" else [s for s in scores if s.set == name]


def baseline_data(scores: list[PageScore]) -> dict[str, Any]:
    """The content of bench/baseline.json for newscrawl's *scores*."""
    primary = _subset(scores, "primary")
    figures = aggregate(primary)
    return {
        "about": "Quality floor of newscrawl's extractor on the primary set of ../shared/corpus. "
                 "tests/test_eval_gate.py fails when a figure drops more than 0.005 below it "
                 "(leak_rate: rises more than 0.005 above it). Re-record after an improvement with "
                 "`.venv/bin/python bench/extraction.py --write-baseline`.",
        "extractor_version": EXTRACTOR_VERSION,
        "set": "primary",
        "pages": sorted(s.id for s in primary),
        "metrics": {key: round(figures[key].value, 4) for key in GATED
                    if figures[key].value is not None},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with manifest.jsonl and pages/ (default: ../shared/corpus)")
    parser.add_argument("--extractor", choices=[*EXTRACTORS, "all"], default="all")
    parser.add_argument("--per-page", action="store_true",
                        help="per-page tables for every extractor (default: newscrawl's only)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--min-seconds", type=float, default=3.0,
                        help="minimum timed run per extractor; 0 skips the speed measurement")
    parser.add_argument("--write-baseline", action="store_true",
                        help=f"record newscrawl's primary-set figures in {BASELINE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    names = list(EXTRACTORS) if args.extractor == "all" else [args.extractor]
    if args.write_baseline and "newscrawl" not in names:
        parser.error("--write-baseline records newscrawl's figures: use --extractor newscrawl or all")
    if not (args.corpus / "manifest.jsonl").is_file():
        print("corpus not found, skipped")
        return 0
    for logger in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)

    pages = load_corpus(args.corpus)
    scores = {name: score_corpus(pages, EXTRACTORS[name]) for name in names}
    figures = {set_name: {name: aggregate(_subset(scores[name], set_name)) for name in names}
               for set_name in SETS}
    speed = {name: docs_per_second(EXTRACTORS[name], pages, args.min_seconds)
             for name in names} if args.min_seconds > 0 else {}

    print(f"corpus: {args.corpus} ({len(pages)} pages)")
    print(textwrap.fill(DATE_RULE, width=100))
    for set_name in SETS:
        count = sum(set_name in ("all", page.set) for page in pages)
        print()
        print(set_table(set_name, count, figures[set_name]))
    if speed:
        print()
        print(f"speed (single process, >= {args.min_seconds:g} s each)")
        for name, (rate, docs, seconds) in speed.items():
            print(f"  {name:<12} {rate:>8.1f} docs/s  ({docs} docs in {seconds:.1f} s)")
        if len(speed) == 2:
            ratio = speed["newscrawl"][0] / speed["trafilatura"][0]
            print(f"  {'ratio':<12} {ratio:>8.2f}x  (newscrawl / trafilatura)")
    for name in names:
        if name == "newscrawl" or args.per_page:
            print()
            print(page_table(name, scores[name]))

    if args.json:
        report = {
            "corpus": str(args.corpus), "date_rule": DATE_RULE,
            "newscrawl_extractor_version": EXTRACTOR_VERSION,
            "sets": {set_name: {name: {key: {"value": m.value, "n": m.n}
                                       for key, m in figures[set_name][name].items()}
                                for name in names} for set_name in SETS},
            "speed": {name: {"docs_per_s": rate, "docs": docs, "seconds": seconds}
                      for name, (rate, docs, seconds) in speed.items()},
            "pages": {name: [s.as_dict() for s in scores[name]] for name in names},
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    if args.write_baseline:
        BASELINE.write_text(json.dumps(baseline_data(scores["newscrawl"]), ensure_ascii=False,
                                       indent=1) + "\n", encoding="utf-8")
        print(f"baseline written to {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
