"""Score article-body extraction on the article-extraction benchmark's layout and metric.

    wirehouse evaluate extraction --benchmark ../shared/corpora/article-html

The layout: `html/<key>.html` (the page as crawled) and `ground-truth.json`
(`{key: {"articleBody": ..., "url": ...}}`). Each page goes through the pipeline's own
extraction (`pages.extract_article`, the same code a run uses) with its URL.

The metric is the benchmark's (scrapinghub/article-extraction-benchmark, evaluate.py):
- tokens are `\\w+` (Unicode, case kept), punctuation dropped;
- a text's shingles are its word 4-grams, as a multiset (1-3 tokens: one shorter shingle);
- per page, true positives, false positives and false negatives are the multiset overlaps,
  normalised by their sum so every page weighs the same;
- precision is averaged over pages with a prediction (a page without an article costs
  recall only), recall over pages with a gold body; F1 is that of the two averages.

Metadata is reported beside it: the share of pages with a title and a publication date.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from pathlib import Path

from wirehouse.evaluation import BenchmarkUnreadable
from wirehouse.evaluation.progress import scoring

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str | None) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))
                   if tokens[i : i + SHINGLE])


def page_counts(gold: str | None, predicted: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) of one page, normalised to sum to 1 (or all 0 when both are empty)."""
    true, pred = shingles(gold), shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def aggregate(counts: list[tuple[float, float, float]]) -> dict:
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"body_f1": f1, "body_precision": precision, "body_recall": recall, "pages": len(counts)}


def evaluate(benchmark_dir: Path, limit: int | None = None) -> dict:
    """Extract every page of the benchmark folder and score it."""
    from wirehouse.transforms.pages import extract_article
    from wirehouse.transforms.records import Article, Page, content_hash_of

    truth_file = benchmark_dir / "ground-truth.json"
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BenchmarkUnreadable(f"{truth_file} is not JSON ({error})") from error
    if not isinstance(truth, dict) or not truth:
        raise BenchmarkUnreadable(f"{truth_file} holds no page (an object of page id -> gold article)")
    keys = sorted(truth)[:limit]
    missing = [key for key in keys if not (benchmark_dir / "html" / f"{key}.html").is_file()]
    if missing:
        raise BenchmarkUnreadable(f"{len(missing)} page(s) of {truth_file} have no html/<id>.html, "
                                  f"e.g. {benchmark_dir / 'html' / (missing[0] + '.html')}")
    counts, titled, dated, rejected = [], 0, 0, {}
    for key in scoring(keys, len(keys), "scoring extraction"):
        data = (benchmark_dir / "html" / f"{key}.html").read_bytes()
        found = extract_article(Page(key, None, data, content_hash_of(data), url=truth[key].get("url")))
        if isinstance(found, Article):
            counts.append(page_counts(truth[key].get("articleBody"), found.body))
            titled += bool(found.title)
            dated += found.published_at is not None
        else:
            counts.append(page_counts(truth[key].get("articleBody"), None))
            rejected[key] = found.reason
    report = aggregate(counts)
    report.update({"title_share": titled / len(keys) if keys else 0.0,
                   "date_share": dated / len(keys) if keys else 0.0,
                   "no_article": rejected, "benchmark_dir": str(benchmark_dir)})
    return report


JSON_KEYS = ("body_f1", "body_precision", "body_recall", "pages", "title_share", "date_share")


def render(report: dict) -> str:
    """A readable summary; the last line is one JSON object with the headline figures."""
    lines = [
        f"Article extraction on {report['pages']} pages ({report.get('benchmark_dir', '')})",
        f"  body (word 4-gram shingles)  precision {report['body_precision']:.4f}  recall "
        f"{report['body_recall']:.4f}  F1 {report['body_f1']:.4f}",
        f"  metadata                     title {report['title_share']:.1%}  publication date "
        f"{report['date_share']:.1%}",
    ]
    for key, reason in sorted(report.get("no_article", {}).items()):
        lines.append(f"  no article: {key} ({reason})")
    lines.append(json.dumps({key: round(report[key], 4) if isinstance(report[key], float) else report[key]
                             for key in JSON_KEYS}))
    return "\n".join(lines)
