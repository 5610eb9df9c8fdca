"""The DuckDB warehouse: migrations, atomic publish, entity counts, rejections."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from wirehouse.transforms.records import (ArticleRow, EntityRow, MentionRow, QuoteRow, Rejection,
                                entity_id_for, quote_id_for)
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.warehouse.connection import WarehouseBusy, connect
from wirehouse.warehouse.migrations import latest_schema_version, schema_version
from wirehouse.warehouse.run_lock import RunLock
from wirehouse.warehouse.store import Warehouse

BENNETT = entity_id_for("Naftali Bennett", "PERSON")


def batch_for(article_id: str, body: str, mention: str = "Bennett") -> EnrichedBatch:
    start = body.index(mention)
    return EnrichedBatch(
        articles=[ArticleRow(article_id, f"/s/{article_id}.txt", None, None, None, body, None, None, None,
                             "utf-8", len(body), len(body.split()), 1, "v1")],
        entities=[EntityRow(BENNETT, "Naftali Bennett", "PERSON")],
        mentions=[MentionRow(article_id, BENNETT, mention, "PERSON", "PERSON", start, start + len(mention), 0)],
        quotes=[QuoteRow(quote_id_for(article_id, 1, 5), article_id, body[1:5], 1, 5, "Naftali Bennett", BENNETT,
                         None, None, "said", "partial", "cue_subject", 0.9, 0)],
    )


@pytest.fixture
def warehouse(tmp_path):
    store = Warehouse.open(tmp_path / "w.duckdb")
    yield store
    store.close()


def test_migrations_are_applied_once_and_versioned(warehouse):
    assert schema_version(warehouse.con) == latest_schema_version()
    from wirehouse.warehouse.migrations import migrate
    assert migrate(warehouse.con) == []


def test_entity_counts_follow_articles_in_and_out(warehouse):
    warehouse.publish(batch_for("a1", "Bennett spoke today."), "run1")
    warehouse.publish(batch_for("a2", "Later Bennett left."), "run1")
    assert warehouse.con.execute("SELECT count(*), max(mention_count), max(article_count) FROM entity").fetchone() \
        == (1, 2, 2)
    # re-publishing the same article replaces it: counts unchanged
    warehouse.publish(batch_for("a2", "Later Bennett left."), "run2")
    assert warehouse.con.execute("SELECT mention_count, article_count FROM entity").fetchone() == (2, 2)
    warehouse.delete_articles(["a1"])
    assert warehouse.con.execute("SELECT mention_count, article_count FROM entity").fetchone() == (1, 1)


def test_a_failing_publish_leaves_nothing_behind(warehouse):
    broken = batch_for("a1", "Bennett spoke today.")
    # the quote, inserted last, breaks a NOT NULL constraint inside the transaction
    broken.quotes.append(dataclasses.replace(broken.quotes[0], quote_text=None))
    with pytest.raises(duckdb.ConstraintException):
        warehouse.publish(broken, "run1")
    counts = warehouse.table_counts()
    assert counts["article"] == counts["entity_mention"] == counts["entity"] == counts["quote"] == 0


def test_a_name_the_warehouse_relabels_moves_its_entities_but_never_a_date_of_that_name(warehouse):
    from wirehouse.expectations.verdict import BatchOutcome
    from wirehouse.transforms.identity_batch import IdentityUpdate, StoredChanges

    body = "In May, May said no."  # the month (DATE) and someone called May (tagged ORG here)
    date, org = entity_id_for("May", "DATE"), entity_id_for("May", "ORG")
    batch = batch_for("a1", body, "May")
    batch.entities = [EntityRow(date, "May", "DATE"), EntityRow(org, "May", "ORG")]
    batch.mentions = [MentionRow("a1", date, "May", "DATE", "DATE", 3, 6, 0),
                      MentionRow("a1", org, "May", "ORG", "ORG", 8, 11, 0)]
    batch.quotes = []
    warehouse.publish(batch, "run1")
    # a later batch's evidence makes the name "May" a person
    warehouse.write_batch(BatchOutcome(1), "run2",
                          identity=IdentityUpdate(StoredChanges(relabelled={"may": "PERSON"}), []))
    assert warehouse.con.execute("SELECT start_char, label, entity_id FROM entity_mention ORDER BY start_char"
                                 ).fetchall() == [(3, "DATE", date), (8, "PERSON", entity_id_for("May", "PERSON"))]
    # and back: the name's rows return to the ORG id, and no redirect leads from an id to itself
    warehouse.write_batch(BatchOutcome(2), "run3",
                          identity=IdentityUpdate(StoredChanges(relabelled={"may": "ORG"}), []))
    assert warehouse.con.execute("SELECT label FROM entity_mention ORDER BY start_char").fetchall() == [
        ("DATE",), ("ORG",)]
    assert warehouse.con.execute("SELECT count(*) FROM entity_redirect WHERE old_id = new_id").fetchone()[0] == 0


def test_a_person_the_warehouse_relabels_a_place_keeps_no_person_resolution(warehouse):
    """entity_resolution holds person mentions only: a warehouse built in two runs, where
    the second made the name a place, holds what one run over both would."""
    from wirehouse.expectations.verdict import BatchOutcome
    from wirehouse.transforms.identity_batch import IdentityUpdate, StoredChanges
    from wirehouse.transforms.records import ResolutionRow

    person = entity_id_for("Scotland", "PERSON")
    batch = batch_for("a1", "Baroness Scotland said no.", "Scotland")
    batch.entities = [EntityRow(person, "Scotland", "PERSON")]
    batch.mentions = [MentionRow("a1", person, "Scotland", "PERSON", "GPE", 9, 17, 0)]
    batch.quotes = []
    batch.resolutions = [ResolutionRow("a1", 9, 17, "Scotland", person, "mononym", 1.0, "{}", "run1")]
    warehouse.publish(batch, "run1")
    warehouse.write_batch(BatchOutcome(1), "run2",
                          identity=IdentityUpdate(StoredChanges(relabelled={"scotland": "GPE"}), []))
    assert warehouse.con.execute("SELECT label FROM entity_mention").fetchall() == [("GPE",)]
    assert warehouse.con.execute("SELECT count(*) FROM entity_resolution").fetchone()[0] == 0


def test_stored_speakers_follow_mentions_decided_again_and_an_attribution_its_quote(warehouse):
    """Three stored mentions of one surname, decided again as two people: a quote's speaker
    takes the person at its span, a pronoun speaker the person most mentions became, and the
    attribution holding the first quote (with no source of its own) that quote's person."""
    from wirehouse.expectations.verdict import BatchOutcome
    from wirehouse.transforms.identity_batch import IdentityUpdate, StoredChanges
    from wirehouse.transforms.records import AttributionRow, ResolutionRow

    body = "x" * 80
    brown, gordon, wes = entity_id_for("Brown", "PERSON"), "person-gordon", "person-wes"
    batch = batch_for("a1", body, "x")
    batch.entities = [EntityRow(brown, "Brown", "PERSON")]
    batch.mentions = [MentionRow("a1", brown, "Brown", "PERSON", "PERSON", start, start + 5, 0) for start in (10, 40, 70)]
    batch.quotes = [QuoteRow("q1", "a1", body[20:30], 20, 30, "Brown", brown, 40, 45, "said", "direct", "cue_subject",
                             0.9, 0, attribution_id="t1"),
                    QuoteRow("q2", "a1", body[50:60], 50, 60, "Brown", brown, 62, 64, "said", "direct", "pronoun",
                             0.75, 0)]
    batch.attributions = [AttributionRow("t1", "a1", "direct", 18, 32, body[18:32], 35, 39, body[35:39], None, None,
                                         None, "Brown", brown, 0.8, "verb_cue.quotation", 0, "quote")]
    warehouse.publish(batch, "run1")
    redecided = [ResolutionRow("a1", start, start + 5, "Brown", person, "corpus_surname", 0.9, "{}", "run2")
                 for start, person in ((10, gordon), (40, wes), (70, gordon))]
    warehouse.write_batch(BatchOutcome(1), "run2", identity=IdentityUpdate(StoredChanges(redecided=redecided), []))
    con = warehouse.con
    assert con.execute("SELECT quote_id, speaker_entity_id FROM quote ORDER BY 1").fetchall() == [
        ("q1", wes), ("q2", gordon)]
    assert con.execute("SELECT speaker_entity_id FROM attribution").fetchall() == [(wes,)]
    assert con.execute("SELECT count(*) FROM entity WHERE entity_id = ?", [brown]).fetchone()[0] == 0
    # two people: the surname's id leads to neither
    assert con.execute("SELECT count(*) FROM entity_redirect").fetchone()[0] == 0


def test_an_entity_whose_every_mention_is_decided_to_be_another_redirects_there(warehouse):
    """A surname stored alone ("Glazer"), every mention of it decided again as the person the
    warehouse now knows in full: its id leads there, as do older ids that led to it."""
    from wirehouse.expectations.verdict import BatchOutcome
    from wirehouse.transforms.identity_batch import IdentityUpdate, StoredChanges
    from wirehouse.transforms.records import ResolutionRow

    body = "x" * 80
    glazer, malcolm = entity_id_for("Glazer", "PERSON"), "person-malcolm-glazer"
    batch = batch_for("a1", body, "x")
    batch.entities = [EntityRow(glazer, "Glazer", "PERSON")]
    batch.mentions = [MentionRow("a1", glazer, "Glazer", "PERSON", "PERSON", start, start + 6, 0) for start in (10, 40)]
    batch.quotes = []
    warehouse.publish(batch, "run1")
    named = batch_for("a2", "Malcolm Glazer bought the club.", "club")
    named.entities = [EntityRow(malcolm, "Malcolm Glazer", "PERSON")]
    named.mentions = [MentionRow("a2", malcolm, "Malcolm Glazer", "PERSON", "PERSON", 0, 14, 0)]
    named.quotes = []
    warehouse.publish(named, "run1")
    warehouse.con.execute("INSERT INTO entity_redirect (old_id, new_id, reason, run_id, redirected_at) "
                          "VALUES ('older-id', ?, 'spelling', 'run1', now())", [glazer])
    redecided = [ResolutionRow("a1", start, start + 6, "Glazer", malcolm, "corpus_surname", 0.9, "{}", "run2")
                 for start in (10, 40)]
    warehouse.write_batch(BatchOutcome(1), "run2", identity=IdentityUpdate(StoredChanges(redecided=redecided), []))
    con = warehouse.con
    assert con.execute("SELECT count(*) FROM entity WHERE entity_id = ?", [glazer]).fetchone()[0] == 0
    assert con.execute("SELECT old_id, new_id, reason, run_id FROM entity_redirect ORDER BY 1").fetchall() == [
        (glazer, malcolm, "decided", "run2"), ("older-id", malcolm, "spelling", "run1")]
    # a namesake's arrival sends them back: the surname has rows of its own, and no redirect
    back = [dataclasses.replace(row, entity_id=glazer, run_id="run3") for row in redecided]
    warehouse.write_batch(BatchOutcome(1), "run3", identity=IdentityUpdate(StoredChanges(redecided=back), []))
    assert con.execute("SELECT count(*) FROM entity WHERE entity_id = ?", [glazer]).fetchone()[0] == 1
    assert con.execute("SELECT old_id, new_id, reason FROM entity_redirect ORDER BY 1").fetchall() == [
        ("older-id", malcolm, "spelling")]


def test_an_entity_with_rows_of_its_own_again_is_no_longer_redirected(warehouse):
    date, org = entity_id_for("Sunday", "DATE"), entity_id_for("Sunday", "ORG")

    def dated(article_id):
        batch = batch_for(article_id, "On Sunday he left.", "Sunday")
        batch.entities = [EntityRow(date, "Sunday", "DATE")]
        batch.mentions = [MentionRow(article_id, date, "Sunday", "DATE", "DATE", 3, 9, 0)]
        batch.quotes = []
        return batch

    def redirects_left_by_an_older_version():
        # a date moved with the name "Sunday" when the warehouse made it an ORG
        warehouse.con.execute("INSERT INTO entity_redirect (old_id, new_id, reason, run_id, redirected_at) "
                              "VALUES (?, ?, 'label', 'run0', now())", [date, org])

    redirects_left_by_an_older_version()
    warehouse.publish(dated("a1"), "run1")  # the date entity new
    assert warehouse.con.execute("SELECT count(*) FROM entity_redirect").fetchone()[0] == 0
    redirects_left_by_an_older_version()
    warehouse.publish(dated("a2"), "run2")  # the date entity stored already
    assert warehouse.con.execute("SELECT count(*) FROM entity_redirect").fetchone()[0] == 0


def test_rejections_keep_one_row_per_input_and_clear_when_loaded(warehouse):
    rejection = Rejection("/s/x.txt", None, "empty", "file is empty (0 bytes)")
    warehouse.record_rejections([rejection], "run1")
    warehouse.record_rejections([rejection], "run2")
    rows = warehouse.con.execute("SELECT reason, run_id, first_run_id FROM rejected_document").fetchall()
    assert rows == [("empty", "run2", "run1")]
    warehouse.clear_rejections(["/s/x.txt"], "run3")
    assert warehouse.con.execute("SELECT count(*) FROM rejected_document").fetchone()[0] == 0


def test_a_file_rejected_whole_in_this_run_stays_rejected_when_a_record_of_it_loads(warehouse):
    """An earlier run's whole-file rejection goes once the file's rows load; this run's stays."""
    earlier = Rejection("/s/feed.csv", None, "missing_text_column", "no 'text' or 'body' column")
    warehouse.record_rejections([earlier], "run1")
    warehouse.record_rejections([Rejection("/s/pages.warc.gz", None, "no_html_records", "no HTML page")], "run2")
    warehouse.record_rejections([], "run2", loaded_keys=["/s/feed.csv#1", "/s/pages.warc.gz#3"])
    assert warehouse.con.execute("SELECT source_key FROM rejected_document").fetchall() == [("/s/pages.warc.gz",)]
    seen = {row[0] for row in warehouse.con.execute("SELECT source_key FROM source_seen").fetchall()}
    assert seen == {"/s/feed.csv#1", "/s/pages.warc.gz", "/s/pages.warc.gz#3"}  # the file itself no longer


def test_second_writer_gets_a_clear_busy_error(tmp_path):
    import multiprocessing

    path = tmp_path / "busy.duckdb"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(WarehouseBusy, match="is busy"):
            connect(path, wait_seconds=1)
    finally:
        release.set()
        holder.join(30)


def test_a_client_holding_the_file_open_is_named_as_such_not_as_the_run_waiting_for_it(tmp_path):
    """The run holds the run lock itself: what holds the file is a client (a BI tool, a
    notebook), named by the PID DuckDB gives, not the run waiting for it."""
    import multiprocessing

    path = tmp_path / "held.duckdb"
    Warehouse.open(path).close()
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold_lock, args=(str(path), ready, release, True))
    holder.start()
    warehouse = None
    try:
        assert ready.wait(30)
        warehouse = Warehouse(path, RunLock.acquire(path, 0, "run-1"), write_wait_seconds=0.5)
        with pytest.raises(WarehouseBusy) as caught:
            warehouse.con
        message = str(caught.value)
        assert f"held open by another process, PID {holder.pid}" in message and "run-1" not in message
    finally:
        release.set()
        holder.join(30)
        if warehouse is not None:
            warehouse.close()


def _hold_lock(path, ready, release, read_only=False):
    con = duckdb.connect(path, read_only=read_only)
    ready.set()
    release.wait(30)
    con.close()


def test_warehouse_file_stays_readable_by_every_duckdb_1x_client(warehouse):
    tags = warehouse.con.execute(
        "SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    assert tags["storage_version"] == "v1.0.0+"
    assert duckdb.__version__.startswith("1.")


def test_writer_memory_is_capped_and_readers_are_not(warehouse):
    # the cap bounds DuckDB's periodic row-group merges during checkpoints (see store.py)
    limit = "SELECT current_setting('memory_limit')"
    assert warehouse.con.execute(limit).fetchone()[0] == "244.1 MiB"  # 256MB as DuckDB shows it
    warehouse.disconnect()
    reader = connect(warehouse.path, read_only=True)
    try:
        assert reader.execute(limit).fetchone()[0] != "244.1 MiB"
    finally:
        reader.close()
