"""Scale: docs/s and peak RSS of `wirehouse run` on synthetic corpora of growing size.

`python -m bench.scale` (make bench-scale) runs 100,000 articles; `make bench` runs 1k and 10k.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import DATA, SHARED, prefect_server, require, update_results, wirehouse_run

GENERATOR = SHARED / "tools" / "make_synthetic_corpus.py"
POOL = SHARED / "corpora" / "reuters_articles.jsonl"


def synthetic_corpus(size: int) -> Path:
    """A folder holding one JSONL file of `size` synthetic articles (cached in bench/data)."""
    folder = DATA / f"synthetic_{size}"
    corpus = folder / "articles.jsonl"
    if not corpus.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(require(GENERATOR)), "--pool", str(require(POOL)), "--n", str(size),
                        "--out", str(corpus)], check=True, capture_output=True)
    return folder


def measure_scale(env: dict, work: Path, sizes: tuple[int, ...]) -> dict:
    results = {}
    for size in sizes:
        measured = wirehouse_run(env, synthetic_corpus(size), work / f"scale_{size}.duckdb", "--runner", "process",
                                 "--workers", "2")
        results[str(size)] = {"docs_per_s": round(size / measured.wall_seconds, 2),
                              "steady_docs_per_s": measured.summary["steady_docs_per_s"],
                              "wall_seconds": round(measured.wall_seconds, 1),
                              "peak_rss_mb": round(measured.peak_rss_mb),
                              "peak_flow_rss_mb": round(measured.peak_flow_rss_mb),
                              "peak_worker_rss_mb": round(measured.peak_worker_rss_mb),
                              "seconds_to_peak": round(measured.seconds_to_peak), "loaded": measured.summary["loaded"],
                              "rejected": measured.summary["rejected"]}
        print(f"scale {size:,}: {results[str(size)]}")
    return results


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="wirehouse-bench-scale-"))
    try:
        with prefect_server() as env:
            result = measure_scale(env, work, sizes=(100_000,))["100000"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    headline = {"peak_rss_mb_100k": result["peak_rss_mb"], "docs_per_s_100k": result["docs_per_s"],
                "steady_docs_per_s_100k": result["steady_docs_per_s"]}
    update_results("scale_100k", result | {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z")}, headline)
    print(headline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
