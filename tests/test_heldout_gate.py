"""Issue #3's targets on the held-out pages in ``fixtures/heldout/``.

The pages imitate Arabic, Persian and Urdu news sites the parser was not written for (written by
someone who had not read the extractor; see ``fixtures/heldout/README.md``).  Unlike the shared
corpus they live in the repository, so this gate runs in every CI build.  It scores newscrawl and
trafilatura the same way ``bench/extraction.py --corpus fixtures/heldout`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "fixtures" / "heldout"
sys.path.insert(0, str(ROOT))

from bench.extraction import newscrawl_extract, trafilatura_extract
from bench.scoring import Metric, PageScore, aggregate, load_corpus, score_corpus

#: The issue's targets (minimum; leak rate: maximum).  One date is known to miss: ar_gulf_2's only
#: machine stamp is UTC ("…T20:20:00Z") and the page's offset (+04:00) is written nowhere, so its
#: local calendar day (the next day) cannot be known.
TARGETS = {"title_exact": 0.95, "date_acc": 0.95, "category_acc": 0.90, "related_f1_linked": 0.90,
           "zwnj_kept": 1.0, "key_hits": 0.95}
MAX_LEAK = 0.0


@pytest.fixture(scope="module")
def pages():  # type: ignore[no-untyped-def]
    return load_corpus(HELDOUT)


@pytest.fixture(scope="module")
def ours(pages) -> dict[str, Metric]:  # type: ignore[no-untyped-def]
    scores: list[PageScore] = score_corpus(pages, newscrawl_extract)
    assert [f"{s.id}: {s.error}" for s in scores if s.error] == []
    return aggregate(scores)


def test_the_set_is_there(pages) -> None:  # type: ignore[no-untyped-def]
    assert len(pages) >= 24 and {p.lang for p in pages} >= {"ar", "fa", "ur"}


def test_body_f1_beats_trafilatura_by_a_point(pages, ours: dict[str, Metric]) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("trafilatura")
    theirs = aggregate(score_corpus(pages, trafilatura_extract))
    assert ours["body_f1"].value >= theirs["body_f1"].value + 0.01, (ours["body_f1"], theirs["body_f1"])


@pytest.mark.parametrize(("metric", "target"), sorted(TARGETS.items()))
def test_target(ours: dict[str, Metric], metric: str, target: float) -> None:
    assert ours[metric].value is not None and ours[metric].value >= target, ours[metric]


def test_no_boilerplate_leaks(ours: dict[str, Metric]) -> None:
    assert ours["leak_rate"].value <= MAX_LEAK, ours["leak_rate"]
