"""Extraction quality gate, in the spirit of trafilatura's tests/eval_gate.py.

newscrawl's extractor runs over the primary set (Arabic + Persian) of ``../shared/corpus`` and
every figure recorded in bench/baseline.json must hold: no drop of more than ``TOLERANCE``
(0.005), and the leak rate no rise of more than that. After an improvement, re-record with
``.venv/bin/python bench/extraction.py --write-baseline``. Skipped when the corpus is absent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from bench.extraction import BASELINE, newscrawl_extract  # noqa: E402
from bench.scoring import (  # noqa: E402
    GATED, TOLERANCE, Metric, PageScore, aggregate, load_corpus, regressions, score_corpus)

RECORDED = json.loads(BASELINE.read_text(encoding="utf-8"))
RERECORD = "re-record with `.venv/bin/python bench/extraction.py --write-baseline`"


@pytest.fixture(scope="module")
def scores() -> list[PageScore]:
    if not (CORPUS / "manifest.jsonl").is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    return score_corpus(load_corpus(CORPUS, sets=[RECORDED["set"]]), newscrawl_extract)


@pytest.fixture(scope="module")
def figures(scores: list[PageScore]) -> dict[str, Metric]:
    return aggregate(scores)


def test_baseline_records_every_gated_figure() -> None:
    assert sorted(RECORDED["metrics"]) == sorted(GATED), RERECORD


def test_corpus_is_the_recorded_one(scores: list[PageScore]) -> None:
    assert sorted(s.id for s in scores) == RECORDED["pages"], f"the corpus changed: {RERECORD}"


def test_no_page_raises(scores: list[PageScore]) -> None:
    assert [f"{s.id}: {s.error}" for s in scores if s.error] == []


@pytest.mark.parametrize("metric", sorted(RECORDED["metrics"]))
def test_figure_holds_baseline(figures: dict[str, Metric], metric: str) -> None:
    failures = regressions(figures, {metric: RECORDED["metrics"][metric]}, TOLERANCE)
    assert not failures, failures[0]
