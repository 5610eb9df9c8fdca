"""Bulk load: rows/s publishing entity_mention rows into a warehouse that already holds 1M."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa

from wirehouse.transforms.records import ArticleRow, EntityRow, MentionRow, entity_id_for
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.warehouse.store import Warehouse

EXISTING_ROWS = 1_000_000
BATCH_ARTICLES = 500  # the default batch size of a run
MENTIONS_PER_ARTICLE = 100  # 50,000 rows a publish


def measure_load(path: Path, rounds: int = 4) -> dict:
    warehouse = Warehouse.open(path)
    try:
        prefill(warehouse)
        entity_ids = [entity_id_for(f"Entity {n}", "ORG") for n in range(1000)]
        seconds, rows = 0.0, 0
        for round_number in range(rounds):
            batch = mention_batch(round_number, entity_ids)
            started = time.perf_counter()
            warehouse.publish(batch, f"bench-{round_number}")
            seconds += time.perf_counter() - started
            rows += len(batch.mentions)
        total = warehouse.con.execute("SELECT count(*) FROM entity_mention").fetchone()[0]
    finally:
        warehouse.close()
    return {"existing_rows": EXISTING_ROWS, "rows_published": rows, "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds), "rows_after": total,
            "publish": f"{rounds} publishes of {BATCH_ARTICLES} articles x {MENTIONS_PER_ARTICLE} mentions, "
                       "each one transaction (delete old versions, insert, recount touched entities)"}


def prefill(warehouse: Warehouse) -> None:
    """1M mention rows for 4,000 articles, inserted straight from Arrow."""
    articles = EXISTING_ROWS // MENTIONS_PER_ARTICLE
    ids = pa.array([f"pre{n // MENTIONS_PER_ARTICLE:08d}" for n in range(EXISTING_ROWS)])
    starts = pa.array([(n % MENTIONS_PER_ARTICLE) * 10 for n in range(EXISTING_ROWS)], type=pa.int32())
    table = pa.table({
        "article_id": ids, "entity_id": pa.array([entity_id_for(f"Entity {n % 1000}", "ORG")
                                                  for n in range(EXISTING_ROWS)]),
        "mention_text": pa.array(["Entity"] * EXISTING_ROWS), "label": pa.array(["ORG"] * EXISTING_ROWS),
        "raw_label": pa.array(["ORG"] * EXISTING_ROWS), "start_char": starts,
        "end_char": pa.compute.add(starts, 6), "sentence_index": pa.array([0] * EXISTING_ROWS, type=pa.int32()),
    })
    con = warehouse.con
    con.register("prefill", table)
    con.execute("INSERT INTO entity_mention (article_id, entity_id, mention_text, label, raw_label, start_char, "
                "end_char, sentence_index) SELECT * FROM prefill")
    con.unregister("prefill")
    con.execute("INSERT INTO entity (entity_id, canonical_name, label, mention_count, article_count) "
                "SELECT entity_id_for, name, 'ORG', 0, 0 FROM (SELECT DISTINCT entity_id AS entity_id_for, "
                "'Entity' AS name FROM entity_mention)")
    assert articles > 0


def mention_batch(round_number: int, entity_ids: list[str]) -> EnrichedBatch:
    batch = EnrichedBatch()
    body = "Entity " * (MENTIONS_PER_ARTICLE * 2)
    for a in range(BATCH_ARTICLES):
        article_id = f"new{round_number:02d}{a:06d}"
        batch.articles.append(ArticleRow(article_id, f"/bench/{article_id}.txt", None, None, None, body, None, None,
                                         None, "utf-8", len(body), MENTIONS_PER_ARTICLE * 2, 1, "bench"))
        for m in range(MENTIONS_PER_ARTICLE):
            entity_id = entity_ids[(a + m) % len(entity_ids)]
            batch.mentions.append(MentionRow(article_id, entity_id, "Entity", "ORG", "ORG", m * 7, m * 7 + 6, 0))
    batch.entities = [EntityRow(entity_id, f"Entity {n}", "ORG") for n, entity_id in enumerate(entity_ids)]
    return batch
