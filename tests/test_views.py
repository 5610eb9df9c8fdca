"""Analysis views (warehouse/views.sql) over a small hand-made warehouse with known answers."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from wirehouse.warehouse.migrations import VIEWS_FILE
from wirehouse.warehouse.store import Warehouse

ANALYSIS_VIEWS = ("article_date", "quoted_speakers", "speaker_quotes", "entity_co_mentions", "entity_timeline",
                  "article_overview", "who_said_what", "speaker_subjects", "speaker_timeline")
INGESTED = datetime(2024, 5, 20, 9, 30)

# article_id, title, published_at (None: a .txt file)
ARTICLES = [
    ("a1", "Rates rise", datetime(2024, 3, 1, 10, 0)),
    ("a2", "Rates hold", datetime(2024, 3, 1, 18, 0)),
    ("a3", "Undated story", None),
    ("a4", "Nothing found", datetime(2024, 4, 2, 8, 0)),
]
# entity_id, canonical_name, label
ENTITIES = [
    ("e_ann", "Ann Smith", "PERSON"),
    ("e_bank", "Central Bank", "ORG"),
    ("e_london", "London", "GPE"),
    ("e_monday", "Monday", "DATE"),
    ("e_bob", "Bob Jones", "PERSON"),
]
# article_id, entity_id, start_char (mentions; label copied from the entity)
MENTIONS = [
    ("a1", "e_ann", 0), ("a1", "e_ann", 40), ("a1", "e_bank", 10), ("a1", "e_london", 20), ("a1", "e_monday", 30),
    ("a2", "e_ann", 0), ("a2", "e_bank", 10), ("a2", "e_monday", 30),
    ("a3", "e_bob", 0), ("a3", "e_ann", 10), ("a3", "e_london", 20),
]
# quote_id, article_id, speaker_name, speaker_entity_id, quote_type, confidence
QUOTES = [
    ("q1", "a1", "Ann Smith", "e_ann", "direct", 0.9),
    ("q2", "a1", "Ann Smith", "e_ann", "partial", 0.6),
    ("q3", "a2", "Ann Smith", "e_ann", "direct", 0.8),
    ("q4", "a3", "Ann Smith", "e_ann", "direct", 0.7),
    ("q5", "a3", "a spokesman", None, "direct", 0.5),
    ("q6", "a2", None, None, "direct", 0.4),
]
# attribution_id, article_id, attribution_type, content offsets, speaker_name, speaker_entity_id
# (the mentions above run from start_char to start_char + 5)
ATTRIBUTIONS = [
    ("t1", "a1", "indirect", (11, 36), "Ann Smith", "e_ann"),    # London; the bank starts before it
    ("t2", "a1", "direct", (38, 46), "Ann Smith", "e_ann"),      # only Ann herself
    ("t3", "a2", "mixed", (0, 16), "Bob Jones", "e_bob"),        # Ann, the bank
    ("t4", "a3", "indirect", (9, 26), "a spokesman", None),      # Ann, London
    ("t5", "a2", "indirect", (8, 16), "Ann Smith", "e_ann"),     # the bank
    ("t6", "a3", "direct", (0, 30), None, None),                 # no speaker: left out
    ("t7", "a1", "indirect", (0, 46), "Bob Jones", "e_bob"),     # Ann twice, the bank, London, Monday
]


def build_warehouse(path: Path, articles=ARTICLES, entities=ENTITIES, mentions=MENTIONS, quotes=QUOTES,
                    attributions=()) -> Path:
    """A migrated warehouse file holding the given rows (entity counts computed from the mentions)."""
    Warehouse.open(path).close()  # tables and views, as a run creates them
    con = duckdb.connect(str(path))
    try:
        for article_id, title, published in articles:
            body = f"Body of {article_id}. " * 5
            con.execute("INSERT INTO article (article_id, source_path, title, body, published_at, encoding, "
                        "char_count, word_count, sentence_count, enrichment_version, ingested_at, run_id) "
                        "VALUES (?, ?, ?, ?, ?, 'utf-8', ?, 15, 5, 'v1', ?, 'run-1')",
                        [article_id, f"/seeds/{article_id}.txt", title, body, published, len(body), INGESTED])
        labels = {entity_id: label for entity_id, _, label in entities}
        for entity_id, name, label in entities:
            mine = [m for m in mentions if m[1] == entity_id]
            con.execute("INSERT INTO entity (entity_id, canonical_name, label, mention_count, article_count) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [entity_id, name, label, len(mine), len({m[0] for m in mine})])
        for article_id, entity_id, start in mentions:
            con.execute("INSERT INTO entity_mention VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)",
                        [article_id, entity_id, entity_id, labels[entity_id], labels[entity_id], start, start + 5])
        for n, (quote_id, article_id, speaker, speaker_id, kind, confidence) in enumerate(quotes):
            con.execute("INSERT INTO quote (quote_id, article_id, quote_text, start_char, end_char, speaker_name, "
                        "speaker_entity_id, quote_type, attribution, confidence, sentence_index) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'cue_subject', ?, 0)",
                        [quote_id, article_id, f"quote {quote_id}", n * 10, n * 10 + 7, speaker, speaker_id, kind,
                         confidence])
        for attribution_id, article_id, kind, (start, end), speaker, speaker_id in attributions:
            con.execute("INSERT INTO attribution (attribution_id, article_id, attribution_type, content_start_char, "
                        "content_end_char, content_text, speaker_name, speaker_entity_id, confidence, method, "
                        "sentence_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0.8, 'test', 0)",
                        [attribution_id, article_id, kind, start, end, f"content {attribution_id}", speaker,
                         speaker_id])
        con.execute("INSERT INTO pipeline_run (run_id, started_at, finished_at, status, documents_seen, "
                    "documents_loaded, documents_skipped, documents_rejected, accounting_ok, counts) VALUES "
                    "('run-1', ?, ?, 'completed', 4, 4, 0, 0, true, '{}')", [INGESTED, INGESTED])
    finally:
        con.close()
    return path


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


@pytest.fixture
def con(tmp_path):
    path = build_warehouse(tmp_path / "views.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def said(tmp_path):
    """The same warehouse with attributions."""
    path = build_warehouse(tmp_path / "said.duckdb", attributions=ATTRIBUTIONS)
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_every_analysis_view_is_created_by_a_run_and_article_source_is_kept(con):
    views = {name for (name,) in rows(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert set(ANALYSIS_VIEWS) | {"article_source"} <= views
    assert rows(con, "SELECT source_key FROM article_source WHERE article_id = 'a1'") == [("/seeds/a1.txt",)]
    declared = re.findall(r"CREATE OR REPLACE VIEW (\w+)", VIEWS_FILE.read_text(encoding="utf-8"))
    assert set(declared) == set(ANALYSIS_VIEWS) | {"article_source"}


def test_article_date_falls_back_to_ingestion_and_says_so(con):
    assert rows(con, "SELECT article_id, published_at, article_date, date_basis FROM article_date "
                     "ORDER BY article_id") == [
        ("a1", datetime(2024, 3, 1, 10, 0), date(2024, 3, 1), "published"),
        ("a2", datetime(2024, 3, 1, 18, 0), date(2024, 3, 1), "published"),
        ("a3", None, date(2024, 5, 20), "ingested"),
        ("a4", datetime(2024, 4, 2, 8, 0), date(2024, 4, 2), "published"),
    ]


def test_quoted_speakers_counts_quotes_articles_and_dates(con):
    result = rows(con, "SELECT speaker_name, speaker_entity_id, speaker_label, quote_count, direct_quotes, "
                       "partial_quotes, article_count, first_date, last_date, date_basis, avg_confidence "
                       "FROM quoted_speakers ORDER BY quote_count DESC, speaker_name")
    assert result == [
        ("Ann Smith", "e_ann", "PERSON", 4, 3, 1, 3, date(2024, 3, 1), date(2024, 5, 20), "mixed", 0.75),
        ("a spokesman", None, None, 1, 1, 0, 1, date(2024, 5, 20), date(2024, 5, 20), "ingested", 0.5),
    ]  # the unattributed quote q6 is left out


def test_quoted_speakers_adds_attributions_to_quotes_by_speaker(said):
    result = rows(said, "SELECT speaker_name, attribution_count, direct_attributions, mixed_attributions, "
                        "indirect_attributions, quote_count, direct_quotes, partial_quotes, article_count, "
                        "first_date, last_date, date_basis, avg_confidence FROM quoted_speakers ORDER BY speaker_name")
    march, may = date(2024, 3, 1), date(2024, 5, 20)
    assert result == [
        ("Ann Smith", 3, 1, 0, 2, 4, 3, 1, 3, march, may, "mixed", 0.8),   # confidence: of attributions
        ("Bob Jones", 2, 0, 1, 1, 0, 0, 0, 2, march, march, "published", 0.8),
        ("a spokesman", 1, 0, 0, 1, 1, 1, 0, 1, may, may, "ingested", 0.8),
    ]


def test_speaker_quotes_carry_the_article_title_and_date(con):
    result = rows(con, "SELECT quote_id, speaker_name, title, published_at, article_date, date_basis "
                       "FROM speaker_quotes ORDER BY quote_id")
    assert len(result) == len(QUOTES)
    assert result[0] == ("q1", "Ann Smith", "Rates rise", datetime(2024, 3, 1, 10, 0), date(2024, 3, 1),
                         "published")
    assert result[3] == ("q4", "Ann Smith", "Undated story", None, date(2024, 5, 20), "ingested")
    assert result[5][1] is None  # unattributed quotes are listed with no speaker


def test_co_mentions_count_each_pair_once_per_article_and_skip_dates(con):
    result = rows(con, "SELECT entity_a_id, entity_b_id, entity_a, entity_b, article_count, first_date, last_date "
                       "FROM entity_co_mentions ORDER BY entity_a_id, entity_b_id")
    pairs = {(a, b): (count, first, last) for a, b, _, _, count, first, last in result}
    assert all(a < b for a, b in pairs)
    assert pairs == {
        ("e_ann", "e_bank"): (2, date(2024, 3, 1), date(2024, 3, 1)),   # a1 (Ann twice: still one) and a2
        ("e_ann", "e_london"): (2, date(2024, 3, 1), date(2024, 5, 20)),  # a1 and a3
        ("e_bank", "e_london"): (1, date(2024, 3, 1), date(2024, 3, 1)),
        ("e_ann", "e_bob"): (1, date(2024, 5, 20), date(2024, 5, 20)),
        ("e_bob", "e_london"): (1, date(2024, 5, 20), date(2024, 5, 20)),
    }  # Monday (DATE) pairs with nobody
    names = {(a, b): (name_a, name_b) for a, b, name_a, name_b, *_ in result}
    assert names[("e_ann", "e_bank")] == ("Ann Smith", "Central Bank")


def test_co_mentions_grow_with_entities_per_article_not_mentions(tmp_path):
    # one article, 30 named entities mentioned 5 times each: 30*29/2 pairs, each in one article
    entities = [(f"e{n:02}", f"Person {n}", "PERSON") for n in range(30)]
    mentions = [("a1", entity_id, 100 * k + n) for n, (entity_id, _, _) in enumerate(entities) for k in range(5)]
    path = build_warehouse(tmp_path / "wide.duckdb", articles=ARTICLES[:1], entities=entities, mentions=mentions,
                           quotes=[])
    with duckdb.connect(str(path), read_only=True) as con:
        assert rows(con, "SELECT count(*), max(article_count) FROM entity_co_mentions") == [(435, 1)]


def test_entity_timeline_counts_mentions_per_day_and_rolls_up_by_month(con):
    result = rows(con, "SELECT day, month, date_basis, mentions, article_count FROM entity_timeline "
                       "WHERE entity_id = 'e_ann' ORDER BY day")
    assert result == [
        (date(2024, 3, 1), date(2024, 3, 1), "published", 3, 2),   # two in a1, one in a2
        (date(2024, 5, 20), date(2024, 5, 1), "ingested", 1, 1),   # a3 has no date of its own
    ]
    monthly = rows(con, "SELECT month, sum(mentions), sum(article_count) FROM entity_timeline "
                        "WHERE entity_id = 'e_ann' AND date_basis = 'published' GROUP BY month ORDER BY month")
    assert monthly == [(date(2024, 3, 1), 3, 2)]
    total = rows(con, "SELECT sum(mentions) FROM entity_timeline")[0][0]
    assert total == len(MENTIONS)


def test_article_overview_counts_entities_and_quotes_per_article(con):
    result = rows(con, "SELECT article_id, title, entity_mentions, distinct_entities, people, organisations, "
                       "places, quotes, direct_quotes, speakers FROM article_overview ORDER BY article_id")
    assert result == [
        ("a1", "Rates rise", 5, 3, 1, 1, 1, 2, 1, 1),   # Monday is a mention, not a named entity
        ("a2", "Rates hold", 3, 2, 1, 1, 0, 2, 2, 1),
        ("a3", "Undated story", 3, 3, 2, 0, 1, 2, 2, 2),
        ("a4", "Nothing found", 0, 0, 0, 0, 0, 0, 0, 0),
    ]


def test_article_overview_counts_the_speakers_of_quotes_and_attributions_alike(said):
    result = rows(said, "SELECT article_id, quotes, attributions, speakers FROM article_overview ORDER BY article_id")
    # a1: Ann quoted, Bob only reported; a2: Ann quoted, Bob reported; a3: Ann and a spokesman
    assert result == [("a1", 2, 3, 2), ("a2", 2, 2, 2), ("a3", 2, 2, 2), ("a4", 0, 0, 0)]


def test_views_survive_a_reopen_and_see_new_rows(tmp_path):
    path = build_warehouse(tmp_path / "again.duckdb")
    Warehouse.open(path).close()  # the next run re-creates the views over the same tables
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM quote WHERE speaker_entity_id = 'e_ann' AND article_id = 'a3'")
        assert rows(con, "SELECT quote_count, article_count FROM quoted_speakers WHERE speaker_entity_id = 'e_ann'"
                    ) == [(3, 2)]


def test_speaker_subjects_count_attributions_naming_an_entity_inside_their_content(said):
    result = rows(said, "SELECT speaker_name, subject_name, subject_label, attribution_count, direct_attributions, "
                        "mixed_attributions, indirect_attributions, article_count, first_date, last_date "
                        "FROM speaker_subjects ORDER BY speaker_name, subject_name")
    march, may = date(2024, 3, 1), date(2024, 5, 20)
    assert result == [
        ("Ann Smith", "Central Bank", "ORG", 1, 0, 0, 1, 1, march, march),   # t5; t1 holds the bank only in part
        ("Ann Smith", "London", "GPE", 1, 0, 0, 1, 1, march, march),         # t1; never Ann herself (t2)
        ("Bob Jones", "Ann Smith", "PERSON", 2, 0, 1, 1, 2, march, march),   # t7 names her twice: counted once
        ("Bob Jones", "Central Bank", "ORG", 2, 0, 1, 1, 2, march, march),
        ("Bob Jones", "London", "GPE", 1, 0, 0, 1, 1, march, march),         # Monday (DATE) is no subject
        ("a spokesman", "Ann Smith", "PERSON", 1, 0, 0, 1, 1, may, may),
        ("a spokesman", "London", "GPE", 1, 0, 0, 1, 1, may, may),
    ]  # t6 has no speaker
    labels = rows(said, "SELECT DISTINCT speaker_name, speaker_label FROM speaker_subjects ORDER BY 1")
    assert labels == [("Ann Smith", "PERSON"), ("Bob Jones", "PERSON"), ("a spokesman", None)]


def test_speaker_timeline_counts_attributions_per_day_by_type(said):
    result = rows(said, "SELECT speaker_name, day, month, date_basis, attribution_count, direct_attributions, "
                        "mixed_attributions, indirect_attributions, article_count FROM speaker_timeline "
                        "ORDER BY speaker_name, day")
    assert result == [
        ("Ann Smith", date(2024, 3, 1), date(2024, 3, 1), "published", 3, 1, 0, 2, 2),
        ("Bob Jones", date(2024, 3, 1), date(2024, 3, 1), "published", 2, 0, 1, 1, 2),
        ("a spokesman", date(2024, 5, 20), date(2024, 5, 1), "ingested", 1, 0, 0, 1, 1),
    ]
    total = rows(said, "SELECT sum(attribution_count) FROM speaker_timeline")[0][0]
    assert total == sum(1 for *_, speaker, _ in ATTRIBUTIONS if speaker is not None)


def test_what_a_speaker_talks_about_is_inside_their_words_not_beside_them(run_flow, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.txt").write_text(
        "Rates rise again\n\n"
        "“The European Central Bank will have to act before the summer,” Christine Lagarde told BBC News on "
        "Monday. “Germany and France agree, and the markets know it.”\n", encoding="utf-8")
    warehouse = tmp_path / "wh" / "wirehouse.duckdb"
    run_flow(seeds, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        attributions = rows(con, "SELECT attribution_type, speaker_name, source_text FROM attribution")
        subjects = rows(con, "SELECT speaker_name, subject_name FROM speaker_subjects ORDER BY subject_name")
        between = rows(con, "SELECT count(*) FROM entity_mention WHERE mention_text = 'BBC News'")
    assert attributions == [("direct", "Christine Lagarde", "Christine Lagarde")]  # one, over both parts
    assert between == [(1,)]  # the broadcaster is a mention, told between the two parts
    assert {subject for _, subject in subjects} == {"European Central Bank", "Germany", "France"}
