"""The warehouse tables an enriched batch fills, declared once, and the batch itself.

Everything that handles a batch's tables (building rows, auditing, staging as Arrow,
publishing, quarantining, deleting an article, counting rows, the run report)
iterates `TABLES` instead of naming tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Iterable

from wirehouse.transforms.records import ArticleRow, AttributionRow, EntityRow, MentionRow, QuoteRow, ResolutionRow, \
    SentenceRow


@dataclass(frozen=True)
class Table:
    name: str
    row_type: type
    batch_field: str  # the EnrichedBatch attribute holding its rows
    key: tuple[str, ...]  # columns that identify a row (unique; kept so by the loader, not by an index)
    suite: str | None = None  # expectation suite (expectations/<suite>.json); None: not audited
    child_of_article: bool = False  # rows hang off one article and are deleted with it
    entity_columns: tuple[str, ...] = ()  # columns holding an entity_id
    maintained: tuple[str, ...] = ()  # columns the warehouse keeps up to date itself, not in the rows

    @property
    def columns(self) -> list[str]:
        return [f.name for f in fields(self.row_type)]

    @property
    def owner_column(self) -> str:
        """The column naming a failing row's owner, so a bad article can be set apart."""
        return "entity_id" if self.name == "entity" else "article_id"


ARTICLE = Table("article", ArticleRow, "articles", key=("article_id",), suite="article")
SENTENCE = Table("sentence", SentenceRow, "sentences", key=("article_id", "sentence_index"), child_of_article=True)
ENTITY = Table("entity", EntityRow, "entities", key=("entity_id",), suite="entity",
               maintained=("mention_count", "article_count", "kb_id"))
ENTITY_MENTION = Table("entity_mention", MentionRow, "mentions", key=("article_id", "start_char", "end_char"),
                       suite="entity_mention", child_of_article=True, entity_columns=("entity_id",))
QUOTE = Table("quote", QuoteRow, "quotes", key=("quote_id",), suite="quote", child_of_article=True,
              entity_columns=("speaker_entity_id",))
ATTRIBUTION = Table("attribution", AttributionRow, "attributions", key=("attribution_id",), suite="attribution",
                    child_of_article=True, entity_columns=("speaker_entity_id",))

ENTITY_RESOLUTION = Table("entity_resolution", ResolutionRow, "resolutions", key=("article_id", "start_char", "end_char"),
                          child_of_article=True, entity_columns=("entity_id",))

# In publishing order: an article before the rows that hang off it.
TABLES: tuple[Table, ...] = (ARTICLE, SENTENCE, ENTITY, ENTITY_MENTION, QUOTE, ATTRIBUTION, ENTITY_RESOLUTION)
BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}
AUDITED: tuple[Table, ...] = tuple(table for table in TABLES if table.suite)
ARTICLE_CHILDREN: tuple[Table, ...] = tuple(table for table in TABLES if table.child_of_article)
# Tables whose row counts a run reports: the batch tables and the rejected inputs.
COUNTED_TABLES: tuple[str, ...] = (*(table.name for table in TABLES), "rejected_document")


def rows_as_columns(rows: Iterable[Any], table: Table) -> dict[str, list[Any]]:
    """Column-major view of dataclass rows, the shape Arrow and pandas build from fastest."""
    rows = rows if isinstance(rows, list) else list(rows)
    return {name: [getattr(row, name) for row in rows] for name in table.columns}


@dataclass
class EnrichedBatch:
    """Everything the enrichment stage produced for a batch of articles, one list per table."""

    articles: list[ArticleRow] = field(default_factory=list)
    sentences: list[SentenceRow] = field(default_factory=list)
    entities: list[EntityRow] = field(default_factory=list)
    mentions: list[MentionRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)
    attributions: list[AttributionRow] = field(default_factory=list)
    resolutions: list[ResolutionRow] = field(default_factory=list)
    # seconds spent per pipeline component ("tokenizer", "ner", "wirehouse_quotes", …) and "rows"
    timings: dict[str, float] = field(default_factory=dict)

    def rows(self, table: Table) -> list[Any]:
        return getattr(self, table.batch_field)

    def extend(self, other: "EnrichedBatch") -> None:
        for table in TABLES:
            self.rows(table).extend(other.rows(table))
        for name, seconds in other.timings.items():
            self.timings[name] = self.timings.get(name, 0.0) + seconds

    def entity_ids_used(self) -> set[str]:
        return {value for table in TABLES for column in table.entity_columns for row in self.rows(table)
                if (value := getattr(row, column)) is not None}

    def articles_owning(self, table_name: str, owner_ids: Iterable[str]) -> set[str]:
        """The articles behind failing rows: the ids themselves for article-owned rows,
        the articles whose rows use them for entities."""
        ids = set(owner_ids)
        if BY_NAME[table_name].owner_column == "article_id":
            return ids
        return {row.article_id for table in TABLES for column in table.entity_columns
                for row in self.rows(table) if getattr(row, column) in ids}

    def split(self, article_ids: set[str]) -> tuple["EnrichedBatch", "EnrichedBatch"]:
        """(rows of these articles, rows of the others); each keeps the entities it uses."""
        def part(keep) -> "EnrichedBatch":
            batch = EnrichedBatch()
            for table in TABLES:
                if table is not ENTITY:
                    batch.rows(table).extend(row for row in self.rows(table) if keep(row.article_id))
            used = batch.entity_ids_used()
            batch.entities = [e for e in self.entities if e.entity_id in used]
            return batch

        return part(lambda a: a in article_ids), part(lambda a: a not in article_ids)

    def dedupe_entities(self) -> "EnrichedBatch":
        """One row per entity: articles of a batch share entities."""
        self.entities = list({row.entity_id: row for row in self.entities}.values())
        return self
