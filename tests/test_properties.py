"""Property-based: random article texts with random quotation marks, newlines and
unicode go through ingest normalisation, spaCy enrichment, the audit's derived checks and
a publish; every stored offset slices the body to the stored text, and nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wirehouse.expectations.audit import staged_frames
from wirehouse.transforms import ingest, nlp
from wirehouse.transforms.records import Article, article_id_for
from wirehouse.warehouse.store import Warehouse

QUOTE_MARKS = ['"', "“", "”", "‘", "’", "'", "``", "''", "«", "»", "„", "‹", "›", "「", "」"]
WORDS = ["Mayor", "Ann", "Smith", "said", "told", "reporters", "in", "London", "Paris", "the", "Prime",
         "Minister", "Naftali", "Bennett", "he", "she", "added", "according", "to", "Apple", "U.S.", "on",
         "Monday", "we", "will", "not", "back", "down", "Dr.", "O'Neil", "José", "Müller", "東京", "Zoë"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(QUOTE_MARKS),
    st.sampled_from([".", ",", ":", ";", "?", "!", "—", "…", "(", ")", "-", "\n", "\n\n", "\r\n", "\t"]),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=4),  # any unicode, emoji, marks
)
TEXTS = st.lists(PIECES, min_size=1, max_size=80).map(
    lambda pieces: "".join(p if p in QUOTE_MARKS or p.startswith(("\n", "\r")) else f" {p}" for p in pieces))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    store = Warehouse.open(tmp_path_factory.mktemp("properties") / "w.duckdb")
    yield store
    store.close()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(text=TEXTS)
@example(text=" Mayor“ London : Mayor“")  # an attribution's source inside the quote it holds
def test_random_texts_keep_every_offset_exact_and_never_raise(warehouse, text):
    item = ingest.article_from_text("/random.txt", None, text, "utf-8", ingest.Limits(), "")
    if not isinstance(item, Article):
        assert item.reason in ("whitespace_only", "binary")  # NUL characters are rejected, not loaded
        return
    batch = nlp.enrich([item])
    body = item.body
    (article,) = batch.articles
    assert article.article_id == article_id_for(body) and article.char_count == len(body)
    for sentence in batch.sentences:
        assert 0 <= sentence.start_char < sentence.end_char <= len(body)
    for mention in batch.mentions:
        assert body[mention.start_char:mention.end_char] == mention.mention_text
    for quote in batch.quotes:
        assert body[quote.start_char:quote.end_char] == quote.quote_text
        if quote.speaker_start_char is not None:
            assert 0 <= quote.speaker_start_char < quote.speaker_end_char <= len(body)
    # the audit's derived checks hold for every row
    for table, frame in staged_frames(batch).items():
        for column in frame.columns:
            if frame[column].dtype == bool:
                assert frame[column].all(), f"{table}.{column} fails on {text!r}"
    # and DuckDB slices the stored body to the same text (character, not byte, offsets)
    with warehouse.session() as con:
        warehouse.publish(batch, "property-run")
        bad = con.execute(
            "SELECT count(*) FROM (SELECT m.mention_text AS t, m.start_char AS s, m.end_char AS e, a.body "
            "FROM entity_mention m JOIN article a USING (article_id) WHERE a.article_id = $1 UNION ALL "
            "SELECT q.quote_text, q.start_char, q.end_char, a.body FROM quote q JOIN article a USING (article_id) "
            "WHERE a.article_id = $1) WHERE substr(body, s + 1, e - s) <> t", [article.article_id]).fetchone()[0]
    assert bad == 0
