"""Write-audit-publish as a pure decision: batches of one to three articles, audit reports
built by hand, no Prefect, no GX, no DuckDB (test_write_audit_publish.py runs it for real)."""

from __future__ import annotations

from wirehouse.expectations.verdict import AuditReport, ExpectationOutcome, decide, settle
from wirehouse.transforms.records import ArticleRow, EntityRow, MentionRow, QuoteRow, entity_id_for
from wirehouse.transforms.tables import EnrichedBatch

SMITH = entity_id_for("Ann Smith", "PERSON")


def batch(*article_ids: str) -> EnrichedBatch:
    """One article per id, each mentioning Ann Smith once and quoting her once."""
    built = EnrichedBatch(entities=[EntityRow(SMITH, "Ann Smith", "PERSON")])
    for article_id in article_ids:
        body = f"Ann Smith said it. ({article_id})"
        built.articles.append(ArticleRow(article_id, f"/s/{article_id}.txt", None, None, None, body, None, None,
                                         None, "utf-8", len(body), 5, 1, "v1"))
        built.mentions.append(MentionRow(article_id, SMITH, "Ann Smith", "PERSON", "PERSON", 0, 9, 0))
        built.quotes.append(QuoteRow(f"q-{article_id}", article_id, "it", 15, 17, "Ann Smith", SMITH, 0, 9, "said",
                                     "partial", "cue_subject", 0.9, 0))
    return built


def failure(suite: str, ids: set[str] | None, column: str = "offsets_in_body") -> ExpectationOutcome:
    return ExpectationOutcome(suite, "expect_column_values_to_be_in_set", column, "critical", False, 3, 1, None,
                              frozenset(ids) if ids is not None else None)


def passed(suite: str = "article") -> ExpectationOutcome:
    return ExpectationOutcome(suite, "expect_column_values_to_not_be_null", "article_id", "critical", True, 3, 0, None)


def warning(suite: str = "quote") -> ExpectationOutcome:
    return ExpectationOutcome(suite, "expect_column_values_to_not_be_null", "speaker_name", "warning", False, 3, 1,
                              None, frozenset({"a1"}))


def test_a_batch_that_passes_publishes_as_it_is_warnings_included():
    staged = batch("a1")
    verdict = decide(staged, AuditReport(0, [passed(), warning()]))
    assert verdict.publish is staged and verdict.quarantine is None and verdict.audit_again is None
    assert verdict.rejections == ()


def test_failing_articles_are_set_apart_and_the_rest_is_audited_again():
    verdict = decide(batch("a1", "a2", "a3"), AuditReport(4, [passed(), failure("quote", {"a2"})]))
    assert verdict.publish is None
    assert [row.article_id for row in verdict.quarantine.articles] == ["a2"]
    assert [row.article_id for row in verdict.audit_again.articles] == ["a1", "a3"]
    assert {row.article_id for row in verdict.audit_again.quotes} == {"a1", "a3"}
    assert verdict.quarantine.entities == verdict.audit_again.entities  # both parts keep the entity they use
    (rejection,) = verdict.rejections
    assert (rejection.source_path, rejection.reason) == ("/s/a2.txt", "failed_validation")
    assert rejection.detail == "batch 4 failed critical expectations: expect_column_values_to_be_in_set(offsets_in_body)"


def test_a_failure_that_names_no_rows_quarantines_the_whole_batch():
    staged = batch("a1", "a2")
    verdict = decide(staged, AuditReport(0, [failure("article", None, column="article_id")]))
    assert verdict.quarantine is staged and verdict.audit_again is None
    assert len(verdict.rejections) == 2


def test_an_entity_failure_points_at_the_articles_that_use_the_entity():
    verdict = decide(batch("a1", "a2"), AuditReport(0, [failure("entity", {SMITH}, column="id_matches_name")]))
    assert verdict.audit_again is None  # both articles use the bad entity
    assert {row.article_id for row in verdict.quarantine.articles} == {"a1", "a2"}


def test_settle_audits_until_what_is_left_passes():
    audited: list[tuple[list[str], int]] = []

    def audit(staged: EnrichedBatch, expected: int) -> AuditReport:
        ids = [row.article_id for row in staged.articles]
        audited.append((ids, expected))
        return AuditReport(7, [failure("quote", {"a3"})] if "a3" in ids else [passed()])

    outcome = settle(batch("a1", "a2", "a3"), 7, 3, audit)
    assert audited == [(["a1", "a2", "a3"], 3), (["a1", "a2"], 2)]
    assert [row.article_id for row in outcome.published.articles] == ["a1", "a2"]
    assert outcome.loaded_keys == ["/s/a1.txt", "/s/a2.txt"]
    assert [[row.article_id for row in part.articles] for part, _ in outcome.quarantined] == [["a3"]]
    assert [r.source_path for r in outcome.rejections] == ["/s/a3.txt"] and len(outcome.audits) == 2


def test_settle_of_a_batch_where_everything_fails_publishes_nothing():
    outcome = settle(batch("a1"), 0, 1, lambda staged, expected: AuditReport(0, [failure("article", {"a1"})]))
    assert outcome.published is None and outcome.loaded_keys == [] and len(outcome.quarantined) == 1
