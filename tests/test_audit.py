"""Great Expectations audits: suites load and count, bad rows are caught."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from wirehouse.expectations.audit import SUITES_DIR, Auditor, SuiteError, staged_frames
from wirehouse.transforms.tables import AUDITED

AUDITED_TABLES = tuple(table.name for table in AUDITED)
from tests.test_store import batch_for


@pytest.fixture(scope="module")
def auditor():
    return Auditor()


def test_every_suite_loads_with_all_its_expectations(auditor):
    for table in AUDITED_TABLES:
        spec = json.loads((SUITES_DIR / f"{table}.json").read_text())
        assert auditor.expectation_counts[table] == len(spec["expectations"])


def test_suite_regexes_capture_nothing():
    """pandas warns on every batch ("has match groups") when a matched regex captures."""
    regexes = [e["kwargs"]["regex"] for table in AUDITED_TABLES
               for e in json.loads((SUITES_DIR / f"{table}.json").read_text())["expectations"] if "regex" in e["kwargs"]]
    assert regexes and all(re.compile(regex).groups == 0 for regex in regexes), regexes


def test_a_clean_batch_passes(auditor):
    batch = batch_for("a" * 32, "Bennett spoke today.")
    batch.articles[0].article_id = batch.mentions[0].article_id = batch.quotes[0].article_id = _real_id(batch)
    report = auditor.audit(batch, 0)
    assert report.passed, report.critical_failures


def _real_id(batch):
    from wirehouse.transforms.records import article_id_for
    return article_id_for(batch.articles[0].body)


def test_quote_offsets_outside_the_body_fail_critically(auditor):
    batch = batch_for("x", "Bennett spoke today.")
    batch.articles[0].article_id = batch.mentions[0].article_id = batch.quotes[0].article_id = _real_id(batch)
    batch.quotes[0].start_char, batch.quotes[0].end_char = 500, 510
    report = auditor.audit(batch, 3)
    failed = {(o.suite, o.column) for o in report.critical_failures}
    assert ("quote", "offsets_in_body") in failed and ("quote", "text_matches_body") in failed
    assert not report.passed


def test_warning_expectations_do_not_block(auditor):
    batch = batch_for("x", "Bennett spoke today.")
    batch.articles[0].article_id = batch.mentions[0].article_id = batch.quotes[0].article_id = _real_id(batch)
    batch.quotes[0].speaker_name = None
    report = auditor.audit(batch, 0)
    assert report.passed
    assert [(o.suite, o.column) for o in report.warnings] == [("quote", "speaker_name")]
    # the sample says which article to look at, not only the missing value
    [warning] = report.warnings
    assert json.loads(warning.unexpected_sample) == [{"article_id": _real_id(batch), "speaker_name": None}]


def test_derived_columns_check_cross_table_references():
    batch = batch_for("x", "Bennett spoke today.")
    batch.mentions[0].entity_id = "missing"
    frames = staged_frames(batch)
    assert frames["entity_mention"]["entity_exists"].tolist() == [False]
    assert frames["entity_mention"]["text_matches_body"].tolist() == [True]


def test_a_mistyped_expectation_is_an_error_not_dropped(tmp_path):
    for table in AUDITED_TABLES:
        shutil.copy(SUITES_DIR / f"{table}.json", tmp_path / f"{table}.json")
    spec = json.loads((tmp_path / "quote.json").read_text())
    spec["expectations"].append({"type": "expect_column_values_to_be_betwen", "kwargs": {"column": "confidence"}})
    (tmp_path / "quote.json").write_text(json.dumps(spec))
    with pytest.raises(SuiteError, match="unknown type 'expect_column_values_to_be_betwen'"):
        Auditor(suites_dir=tmp_path)


def test_a_misspelt_argument_is_an_error(tmp_path):
    for table in AUDITED_TABLES:
        shutil.copy(SUITES_DIR / f"{table}.json", tmp_path / f"{table}.json")
    spec = json.loads((tmp_path / "entity.json").read_text())
    spec["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"colum": "label"}})
    (tmp_path / "entity.json").write_text(json.dumps(spec))
    with pytest.raises(SuiteError, match="invalid"):
        Auditor(suites_dir=tmp_path)
