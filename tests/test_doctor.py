"""`wirehouse doctor`: a healthy warehouse passes; each kind of damage is named."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import PROJECT
from wirehouse.transforms.records import (ArticleRow, EntityRow, MentionRow, QuoteRow, SentenceRow,
                                entity_id_for, quote_id_for)
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.warehouse import doctor
from wirehouse.warehouse.migrations import migrate
from wirehouse.warehouse.store import Warehouse

BENNETT = entity_id_for("Naftali Bennett", "PERSON")
BODY = "\"We will help,\" Bennett said. Bennett left."


def good_batch(article_id: str = "a1") -> EnrichedBatch:
    return EnrichedBatch(
        articles=[ArticleRow(article_id, f"/s/{article_id}.txt", None, None, None, BODY, None, None, None, "utf-8",
                             len(BODY), 7, 2, "v1")],
        sentences=[SentenceRow(article_id, 0, 0, 29), SentenceRow(article_id, 1, 30, len(BODY))],
        entities=[EntityRow(BENNETT, "Naftali Bennett", "PERSON")],
        mentions=[MentionRow(article_id, BENNETT, "Bennett", "PERSON", "PERSON", 16, 23, 0),
                  MentionRow(article_id, BENNETT, "Bennett", "PERSON", "PERSON", 30, 37, 1)],
        quotes=[QuoteRow(quote_id_for(article_id, 1, 13), article_id, "We will help", 1, 13, "Naftali Bennett",
                         BENNETT, 16, 23, "said", "direct", "cue_subject", 0.9, 0)],
    )


@pytest.fixture
def healthy(tmp_path):
    path = tmp_path / "w.duckdb"
    warehouse = Warehouse.open(path, run_id="run1")
    with warehouse.session():
        warehouse.start_run("run1", "/s", "m", "m==1", "v1")
        warehouse.publish(good_batch(), "run1")
        warehouse.finish_run("run1", "completed", 1, 1, 0, 0, {})
    warehouse.close()
    return path


def wirehouse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wirehouse", *args], cwd=PROJECT, capture_output=True, text=True,
                          timeout=300)


def test_a_healthy_warehouse_is_healthy(healthy):
    report = doctor.examine(healthy)
    assert report.healthy and not report.problems(), report.render()
    assert report.schema_version == report.latest_schema_version
    assert report.tables["article"] == 1 and report.tables["quote"] == 1
    assert "verdict    healthy" in report.render()


def test_every_kind_of_damage_is_named(healthy):
    con = duckdb.connect(str(healthy))
    con.execute("INSERT INTO entity_mention VALUES ('gone', ?, 'Bennett', 'PERSON', NULL, 0, 7, 0, NULL)",
                [BENNETT])  # orphan (and it throws the entity counts off)
    con.execute("INSERT INTO sentence VALUES ('a1', 1, 30, 43)")  # duplicate sentence
    con.execute("INSERT INTO entity SELECT * FROM entity")  # every entity twice (no key stops it)
    con.execute("UPDATE quote SET end_char = 12")  # offsets no longer slice to the text
    con.execute("INSERT INTO pipeline_run (run_id, started_at, status, documents_seen, documents_loaded, "
                "documents_skipped, documents_rejected, accounting_ok) "
                "VALUES ('run2', now(), 'completed', 5, 1, 1, 1, false)")  # 5 != 3
    con.execute("INSERT INTO pipeline_run (run_id, started_at, status) VALUES ('run3', now(), 'running')")
    con.execute("INSERT INTO validation_result VALUES ('run2', 0, 'quote', 'expect_column_values_to_be_in_set', "
                "'quote_type', 'critical', false, 3, 1, '[\"x\"]', now())")
    con.close()
    report = doctor.examine(healthy)
    assert not report.healthy
    errors = {f.check for f in report.problems("error")}
    assert {"orphan_mention", "entity_counts", "duplicate_sentence", "duplicate_entity", "quote_offsets",
            "accounting"} <= errors
    warnings = {f.check for f in report.problems("warning")}
    assert "validation" in warnings
    assert "interrupted_run" in {f.check for f in report.findings if f.severity == "info"}  # history, not damage
    text = report.render()
    assert "1 entity_mention rows whose article is not stored (e.g. gone)" in text
    assert "run run2: accounting does not hold: seen 5 != loaded 1 + skipped 1 + rejected 1" in text
    assert "run run3 ended without finishing" in text
    assert "UNHEALTHY" in text

    result = wirehouse("doctor", "--warehouse", str(healthy))
    assert result.returncode == 1 and "orphan" not in result.stderr and "Traceback" not in result.stderr
    assert "entity_mention rows whose article is not stored" in result.stdout
    as_json = json.loads(wirehouse("doctor", "--warehouse", str(healthy), "--format", "json").stdout)
    assert as_json["healthy"] is False and {f["check"] for f in as_json["findings"]} >= errors


def test_a_redirect_away_from_a_stored_entity_is_a_warning(healthy):
    con = duckdb.connect(str(healthy))
    con.execute("INSERT INTO entity_redirect (old_id, new_id, reason, run_id, redirected_at) "
                "VALUES (?, 'elsewhere', 'label', 'run0', now())", [BENNETT])  # as versions before 12 left some
    con.close()
    report = doctor.examine(healthy)
    assert report.healthy and {f.check for f in report.problems("warning")} == {"redirect_from_stored_entity"}
    assert "1 redirects leading away from an entity that has rows of its own" in report.render()


def test_a_speaker_left_on_an_entity_without_mentions_is_a_warning_the_upgrade_repairs(healthy):
    """Before schema 10 a speaker kept its entity when a later batch decided its person's
    mentions again; the upgrade gives it the person mention at its span, else the one person
    of its article named as the entity it had."""
    def ghost_speaker(span):
        con = duckdb.connect(str(healthy))
        con.execute("DELETE FROM schema_migration WHERE version >= 10")
        con.execute("INSERT INTO entity VALUES ('ghost', 'Bennett', 'PERSON', 0, 0, NULL)")
        con.execute("UPDATE quote SET speaker_entity_id = 'ghost', speaker_name = 'Bennett', attribution_id = 't1', "
                    "speaker_start_char = ?, speaker_end_char = ?", list(span))
        con.execute("DELETE FROM attribution")  # the attribution holding the quote, its speaker taken from it
        con.execute("INSERT INTO attribution (attribution_id, article_id, attribution_type, content_start_char, "
                    "content_end_char, content_text, speaker_name, speaker_entity_id, confidence, method, "
                    "sentence_index, speaker_method) VALUES ('t1', 'a1', 'direct', 0, 14, ?, 'Bennett', 'ghost', 0.9, "
                    "'verb_cue.quotation', 0, 'quote')", [BODY[:14]])
        con.close()
        report = doctor.examine(healthy)
        assert {f.check for f in report.problems("warning")} == {"schema_version", "speaker_without_mention",
                                                                 "attribution_speaker_without_mention"}
        assert "1 quotes whose speaker is an entity with no mention left" in report.render()

    def upgraded():
        con = duckdb.connect(str(healthy))
        try:
            migrate(con)
            return con.execute("SELECT speaker_entity_id, speaker_name FROM quote UNION ALL "
                               "SELECT speaker_entity_id, speaker_name FROM attribution").fetchall(), \
                con.execute("SELECT count(*) FROM entity WHERE entity_id = 'ghost'").fetchone()[0]
        finally:
            con.close()

    for span in ((16, 23), (None, None)):  # "Bennett said"; a speaker found through "he"
        ghost_speaker(span)
        assert upgraded() == ([(BENNETT, "Naftali Bennett")] * 2, 0)
        report = doctor.examine(healthy)
        assert report.healthy and not report.problems(), report.render()


def test_schema_versions_older_and_newer(tmp_path):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    migrate(con, target=1)
    con.close()
    report = doctor.examine(old)
    assert report.schema_version == 1 and report.healthy  # usable: the next run upgrades it
    assert any("older than this Wirehouse" in f.message for f in report.problems("warning"))

    con = duckdb.connect(str(old))
    con.execute("INSERT INTO schema_migration VALUES (999, '999_future.sql', now())")
    con.close()
    report = doctor.examine(old)
    assert not report.healthy and "newer than this Wirehouse" in report.render()


def test_a_run_in_progress_is_not_called_interrupted(healthy):
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(str(healthy), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        report = doctor.examine(healthy)
        assert report.healthy and "interrupted_run" not in report.checks(), report.render()
        assert any("run live-run (PID" in f.message and "in progress" in f.message for f in report.findings)
    finally:
        release.set()
        holder.join(30)


def _hold(path, ready, release):
    warehouse = Warehouse.open(path, run_id="live-run")
    with warehouse.session():
        warehouse.start_run("live-run", "/s", "m", "m==1", "v1")
    ready.set()
    release.wait(30)
    warehouse.close()


def test_missing_file_and_cli_exit_codes(tmp_path, healthy):
    assert wirehouse("doctor", "--warehouse", str(tmp_path / "none.duckdb")).returncode == 2
    result = wirehouse("doctor", "--warehouse", str(healthy))
    assert result.returncode == 0 and "verdict    healthy" in result.stdout, result.stdout + result.stderr


def test_runs_that_did_not_complete_are_history_and_only_completed_runs_must_add_up(healthy):
    """A cancelled, failed or killed run is reported as info with what it published; after
    a run that loads everything, the warehouse is healthy."""
    con = duckdb.connect(str(healthy))
    for run_id, status in (("cancelled-run", "cancelled"), ("failed-run", "failed"), ("killed-run", "incomplete")):
        con.execute("INSERT INTO pipeline_run (run_id, started_at, status, documents_seen, documents_loaded, "
                    "documents_skipped, documents_rejected, accounting_ok, message) "
                    "VALUES (?, now(), ?, 49, 0, 0, 0, false, ?)",
                    [run_id, status, "cancelled by SIGTERM" if status == "cancelled" else None])
    con.close()
    report = doctor.examine(healthy)
    assert report.healthy and not report.problems(), report.render()
    info = {f.check: f.message for f in report.findings if f.severity == "info"}
    assert {"cancelled_run", "failed_run", "incomplete_run"} <= set(info)
    assert "run cancelled-run cancelled: cancelled by SIGTERM (0 of the stored articles are from it" \
        in info["cancelled_run"]
    assert "1 of the stored articles are from it" not in info["failed_run"]
    assert wirehouse("doctor", "--warehouse", str(healthy)).returncode == 0


def test_an_input_that_was_seen_but_is_neither_stored_nor_rejected_is_damage(healthy):
    con = duckdb.connect(str(healthy))
    con.execute("INSERT INTO source_seen VALUES ('/s/a1.txt', 'run1', 'run1', now())")  # stored: accounted for
    con.execute("INSERT INTO source_seen VALUES ('/s/lost.txt', 'run1', 'run1', now())")
    con.close()
    report = doctor.examine(healthy)
    (finding,) = [f for f in report.problems("error") if f.check == "unaccounted_source"]
    assert finding.examples == ["/s/lost.txt"] and "neither stored nor rejected" in finding.message
