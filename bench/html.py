"""Web pages end to end: `wirehouse run` over saved news pages against the same pipeline over
the text extracted from them, side by side in one run.

The 100 real pages of `../shared/corpora/article-html` are each saved COPIES times, every
copy's paragraphs ending with a word of its own (so no copy's article is a duplicate of
another's); the text corpus is the article each page gives, as .jsonl lines (no headline
heuristics, the same words).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.harness import DATA, SHARED, require, wirehouse_run

BENCHMARK = SHARED / "corpora" / "article-html"
COPIES = 5


def corpora() -> tuple[Path, Path, int]:
    """(pages folder, text folder, pages) built once under bench/data."""
    pages, text = DATA / "html_pages", DATA / "html_text"
    marker = DATA / "html_built"
    if marker.exists():
        return pages, text, int(marker.read_text())
    from wirehouse.transforms.pages import extract_article
    from wirehouse.transforms.records import Article, Page, content_hash_of

    truth = json.loads((require(BENCHMARK) / "ground-truth.json").read_text(encoding="utf-8"))
    pages.mkdir(parents=True, exist_ok=True)
    text.mkdir(parents=True, exist_ok=True)
    lines, count = [], 0
    for key in sorted(truth):
        original = (BENCHMARK / "html" / f"{key}.html").read_bytes()
        for copy in range(COPIES):
            data = original.replace(b"</p>", f" copy{copy}</p>".encode())
            found = extract_article(Page(key, None, data, content_hash_of(data), url=truth[key].get("url")))
            if not isinstance(found, Article):
                continue
            (pages / f"{key}-{copy}.html").write_bytes(data)
            lines.append(json.dumps({"text": found.body, "title": found.title}))
            count += 1
    (text / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    marker.write_text(str(count))
    return pages, text, count


def measure_html(env: dict, work: Path) -> dict:
    pages, text, count = corpora()
    on_pages = wirehouse_run(env, pages, work / "html.duckdb", "--runner", "process", "--workers", "2")
    on_text = wirehouse_run(env, text, work / "text.duckdb", "--runner", "process", "--workers", "2")
    stages = on_pages.summary["stage_seconds"]
    worker_seconds = sum(v for k, v in stages.items() if k.startswith("enrich:"))
    flow_seconds = sum(stages.get(k, 0.0) for k in ("ingest", "validation", "load"))
    extraction = stages.get("enrich:extraction", 0.0)
    return {
        "pages": count,
        "loaded": on_pages.summary["loaded"],
        "html_pages_per_s": round(count / on_pages.wall_seconds, 2),
        "text_docs_per_s": round(count / on_text.wall_seconds, 2),
        "html_vs_text_wall": round(on_pages.wall_seconds / on_text.wall_seconds, 3),
        "extraction_seconds": round(extraction, 2),
        "extraction_share": round(extraction / (worker_seconds + flow_seconds), 4),
        "html_wall_seconds": round(on_pages.wall_seconds, 1),
        "text_wall_seconds": round(on_text.wall_seconds, 1),
    }


if __name__ == "__main__":
    print("run through `make bench` (bench/run_all.py)", file=sys.stderr)
    sys.exit(2)
