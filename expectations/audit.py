"""Audit a staged batch with Great Expectations before it may be published.

The suites are the JSON files beside this module, one per table. A batch is staged as
pandas DataFrames (GX's pandas data source; its SQL data source cannot read DuckDB),
with derived columns for the checks that span tables (offsets inside the body, slices
equal to the stored text, references to rows of the same batch). A failed expectation
of severity "critical" stops the batch; "warning" ones are reported only.

Great Expectations is imported lazily: it takes seconds, and only runs that audit pay it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from wirehouse.expectations.verdict import AuditReport, ExpectationOutcome
from wirehouse.expectations.web_assets import localize
from wirehouse.transforms.attribution_roles import roles_outside
from wirehouse.transforms.quote_spans import find_quote_spans
from wirehouse.transforms.records import article_id_for, entity_id_for
from wirehouse.transforms.tables import AUDITED, BY_NAME, EnrichedBatch, rows_as_columns

SUITES_DIR = Path(__file__).resolve().parent
_SAMPLE_SIZE = 5


class SuiteError(ValueError):
    """A suite file is missing, unreadable, or names an expectation GX does not know."""


def read_suite_file(path: Path) -> dict[str, Any]:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SuiteError(f"cannot read expectation suite {path}: {error}") from None
    if not isinstance(spec.get("expectations"), list) or not spec["expectations"]:
        raise SuiteError(f"expectation suite {path} has no 'expectations' list")
    return spec


def staged_frames(batch: EnrichedBatch) -> dict[str, pd.DataFrame]:
    """The batch as one DataFrame per audited table, plus the derived check columns."""
    frames = {table.name: pd.DataFrame(rows_as_columns(batch.rows(table), table)) for table in AUDITED}
    bodies = {row.article_id: row.body for row in batch.articles}
    entity_ids = {row.entity_id for row in batch.entities}
    mentions_per_article: dict[str, int] = {}
    for mention in batch.mentions:
        mentions_per_article[mention.article_id] = mentions_per_article.get(mention.article_id, 0) + 1

    article = frames["article"]
    article["id_matches_body"] = [article_id_for(r.body) == r.article_id for r in batch.articles]
    article["char_count_matches_body"] = [r.char_count == len(r.body) for r in batch.articles]
    article["entity_count"] = [mentions_per_article.get(r.article_id, 0) for r in batch.articles]

    # a person's id is its warehouse identity (entity_resolution says why); any other name's id
    # is the hash of its canonical name and label
    frames["entity"]["id_matches_name"] = [
        r.label == "PERSON" or entity_id_for(r.canonical_name, r.label) == r.entity_id for r in batch.entities
    ]

    mention = frames["entity_mention"]
    mention["offsets_in_body"] = [_offsets_ok(bodies.get(r.article_id), r.start_char, r.end_char)
                                  for r in batch.mentions]
    mention["text_matches_body"] = [_slice_matches(bodies.get(r.article_id), r.start_char, r.end_char,
                                                   r.mention_text) for r in batch.mentions]
    mention["article_exists"] = [r.article_id in bodies for r in batch.mentions]
    mention["entity_exists"] = [r.entity_id in entity_ids for r in batch.mentions]

    quote = frames["quote"]
    quote["offsets_in_body"] = [_offsets_ok(bodies.get(r.article_id), r.start_char, r.end_char)
                                for r in batch.quotes]
    quote["text_matches_body"] = [_slice_matches(bodies.get(r.article_id), r.start_char, r.end_char,
                                                 r.quote_text) for r in batch.quotes]
    quote["speaker_offsets_valid"] = [_speaker_ok(bodies.get(r.article_id), r) for r in batch.quotes]
    quote["speaker_outside_quote"] = [_speaker_outside(r) for r in batch.quotes]
    quote["article_exists"] = [r.article_id in bodies for r in batch.quotes]
    quote["speaker_entity_exists"] = [r.speaker_entity_id is None or r.speaker_entity_id in entity_ids
                                      for r in batch.quotes]
    attribution_ids = {r.attribution_id for r in batch.attributions}
    quote["attribution_exists"] = [r.attribution_id is None or r.attribution_id in attribution_ids
                                   for r in batch.quotes]

    attribution = frames["attribution"]
    quoted: dict[str, list[tuple[int, int]]] = {}  # per article with attributions, computed once

    def quoted_in(article_id: str) -> list[tuple[int, int]]:
        if article_id not in quoted:
            quoted[article_id] = quoted_characters(bodies.get(article_id, ""))
        return quoted[article_id]

    attribution["article_exists"] = [r.article_id in bodies for r in batch.attributions]
    attribution["content_matches_body"] = [
        _slice_matches(bodies.get(r.article_id), r.content_start_char, r.content_end_char, r.content_text)
        for r in batch.attributions]
    attribution["cue_matches_body"] = [
        _optional_slice_matches(bodies.get(r.article_id), r.cue_start_char, r.cue_end_char, r.cue_text)
        for r in batch.attributions]
    attribution["source_matches_body"] = [
        _optional_slice_matches(bodies.get(r.article_id), r.source_start_char, r.source_end_char, r.source_text)
        for r in batch.attributions]
    attribution["roles_outside_content"] = [_roles_outside_content(r, quoted_in(r.article_id))
                                            for r in batch.attributions]
    attribution["speaker_entity_exists"] = [r.speaker_entity_id is None or r.speaker_entity_id in entity_ids
                                            for r in batch.attributions]
    return frames


def _unexpected_sample(details: dict) -> list | None:
    """The first failing rows with the id of the article they belong to: a value alone
    ("null", "false") does not say where to look."""
    rows = details.get("unexpected_index_list") or details.get("partial_unexpected_list")
    if not rows:
        return None
    return [{k: _plain(v) for k, v in row.items()} if isinstance(row, dict) else _plain(row)
            for row in rows[:_SAMPLE_SIZE]]


def _plain(value: Any) -> Any:
    """A value of a frame as JSON has it: numpy scalars as Python's, missing values as null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def _failing_ids(details: dict, id_column: str) -> frozenset[str] | None:
    rows = details.get("unexpected_index_list")
    if not rows or not isinstance(rows[0], dict) or id_column not in rows[0]:
        return None
    return frozenset(str(row[id_column]) for row in rows)


def _offsets_ok(body: str | None, start: int, end: int) -> bool:
    return body is not None and 0 <= start < end <= len(body)


def _slice_matches(body: str | None, start: int, end: int, text: str) -> bool:
    return _offsets_ok(body, start, end) and body[start:end] == text


def _optional_slice_matches(body: str | None, start: int | None, end: int | None, text: str | None) -> bool:
    """An absent span has no offsets and no text; a present one slices the body to its text."""
    if start is None and end is None:
        return text is None
    return start is not None and end is not None and _slice_matches(body, start, end, text)


def quoted_characters(body: str) -> list[tuple[int, int]]:
    """The body's quotation marks and the words inside them, as (open, close) spans."""
    return [(span.open, span.close) for span in find_quote_spans(body)]


def _roles_outside_content(row: Any, quoted: list[tuple[int, int]]) -> bool:
    """Cue and source outside the content, or in a gap its words surround (attribution_roles.py)."""
    cue = (row.cue_start_char, row.cue_end_char) if row.cue_start_char is not None else None
    source = (row.source_start_char, row.source_end_char) if row.source_start_char is not None else None
    return roles_outside((row.content_start_char, row.content_end_char), (cue, source), row.attribution_type, quoted)


def _speaker_ok(body: str | None, quote: Any) -> bool:
    if quote.speaker_start_char is None and quote.speaker_end_char is None:
        return True
    if quote.speaker_start_char is None or quote.speaker_end_char is None:
        return False
    return _offsets_ok(body, quote.speaker_start_char, quote.speaker_end_char)


def _speaker_outside(quote: Any) -> bool:
    if quote.speaker_start_char is None or quote.speaker_end_char is None:
        return True
    return quote.speaker_end_char <= quote.start_char or quote.speaker_start_char >= quote.end_char


class Auditor:
    """Holds one ephemeral GX context for a run: suites loaded and counted once."""

    def __init__(self, suites_dir: Path = SUITES_DIR, data_docs_dir: Path | None = None,
                 web_assets_dir: Path | None = None, run_name: str = "wirehouse"):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx  # lazy: seconds to import
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.data_docs_dir = data_docs_dir
        self.web_assets_dir = web_assets_dir
        self.run_name = run_name
        self._run_identifier = RunIdentifier
        if data_docs_dir is not None:
            self.context.add_data_docs_site(
                site_name="wirehouse",
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                      "base_directory": str(Path(data_docs_dir).absolute())},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        source = self.context.data_sources.add_pandas("wirehouse_staging")
        self.validations = {}
        self.batch_definitions = {}
        self.expectation_counts: dict[str, int] = {}
        for table in AUDITED:
            suite = self._load_suite(Path(suites_dir) / f"{table.suite}.json")
            batch_definition = source.add_dataframe_asset(table.name).add_batch_definition_whole_dataframe(table.name)
            self.batch_definitions[table.name] = batch_definition
            self.validations[table.name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"audit_{table.name}", data=batch_definition, suite=suite)
            )

    def _load_suite(self, path: Path):
        spec = read_suite_file(path)
        gx = self._gx
        suite = gx.ExpectationSuite(name=spec.get("name", path.stem))
        for number, item in enumerate(spec["expectations"], start=1):
            expectation_type = item.get("type", "")
            class_name = "".join(part.title() for part in expectation_type.split("_"))
            expectation_class = getattr(gx.expectations, class_name, None)
            if not expectation_type.startswith("expect_") or expectation_class is None:
                raise SuiteError(f"{path.name}: expectation #{number} has unknown type {expectation_type!r}")
            try:
                expectation = expectation_class(**item.get("kwargs", {}), severity=item.get("severity", "critical"),
                                                notes=item.get("notes"))
            except Exception as error:  # pydantic raises on a misspelt or missing argument
                raise SuiteError(f"{path.name}: expectation #{number} ({expectation_type}) is invalid: {error}") \
                    from None
            suite.add_expectation(expectation)
        suite = self.context.suites.add(suite)
        if len(suite.expectations) != len(spec["expectations"]):
            raise SuiteError(f"{path.name}: {len(spec['expectations'])} expectations in the file, "
                             f"{len(suite.expectations)} loaded")
        self.expectation_counts[suite.name] = len(suite.expectations)
        return suite

    def audit(self, batch: EnrichedBatch, batch_index: int, expected_articles: int | None = None) -> AuditReport:
        """Validate every table of a staged batch; `expected_articles` is how many articles
        the run sent to enrichment and got back (defaults to the batch's own count)."""
        frames = staged_frames(batch)
        report = AuditReport(batch_index)
        parameters = {"expected_article_count": len(batch.articles) if expected_articles is None
                      else expected_articles}
        for table in (t.name for t in AUDITED):
            frame = frames[table]
            owner = BY_NAME[table].owner_column
            # Pass/fail of every expectation first (cheap, and what Data Docs show); the
            # failing rows are fetched only for the expectations that failed.
            result = self.validations[table].run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                result_format="BOOLEAN_ONLY",
                run_id=self._run_identifier(run_name=f"{self.run_name} batch {batch_index}"),
            )
            gx_batch = None
            for item in result.results:
                config = item.expectation_config
                details: dict = {}
                if not item.success:
                    gx_batch = gx_batch or self.batch_definitions[table].get_batch(
                        batch_parameters={"dataframe": frame})
                    details = gx_batch.validate(
                        config.to_domain_obj(), expectation_parameters=parameters,
                        result_format={"result_format": "COMPLETE",
                                       "unexpected_index_column_names": [owner]},
                    ).result or {}
                sample = _unexpected_sample(details)
                report.outcomes.append(ExpectationOutcome(
                    suite=table,
                    expectation=config.type,
                    column=config.kwargs.get("column"),
                    severity=str(getattr(config, "severity", "critical").value
                                 if hasattr(getattr(config, "severity", None), "value")
                                 else getattr(config, "severity", "critical")),
                    success=bool(item.success),
                    element_count=details.get("element_count", len(frame)),
                    unexpected_count=details.get("unexpected_count", 0 if item.success else None),
                    unexpected_sample=json.dumps(sample, default=str) if sample else None,
                    failing_ids=_failing_ids(details, owner),
                ))
        return report

    def build_data_docs(self) -> Path | None:
        """Render the Data Docs site for this run's validations; returns its index.html."""
        if self.data_docs_dir is None:
            return None
        site = Path(self.data_docs_dir).absolute()
        if site.exists():  # the site shows the latest run; history lives in validation_result
            shutil.rmtree(site)
        self.context.build_data_docs(site_names=["wirehouse"])
        localize(site, self.web_assets_dir)
        return site / "index.html"
