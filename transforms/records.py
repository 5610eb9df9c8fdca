"""Row types that travel between stages, and the deterministic ids that key them.

Every stage hands the next one plain dataclasses; the warehouse turns lists of them
into Arrow tables in bulk. Ids are content hashes so re-running a load is idempotent
by construction.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Iterable


def stable_hash(*parts: object, length: int = 32) -> str:
    """Hex digest of the parts joined by a separator no text contains."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=length // 2).hexdigest()


def normalize_text(text: str) -> str:
    """The form of a text that decides identity: NFC, whitespace folded, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())  # str.split() folds what re's \s matches


def article_id_for(body: str) -> str:
    return stable_hash("article", normalize_text(body))


def entity_id_for(canonical_name: str, label: str) -> str:
    return stable_hash("entity", label, canonical_name)


def quote_id_for(article_id: str, start_char: int, end_char: int) -> str:
    return stable_hash("quote", article_id, start_char, end_char)


@dataclass(frozen=True)
class Article:
    """One ingested document, ready for enrichment. Offsets everywhere index `body`."""

    article_id: str
    source_path: str
    source_line: int | None  # 1-based line in a .jsonl file, None for .txt
    title: str | None
    body: str
    published_at: datetime | None = None
    source: str | None = None
    url: str | None = None
    external_id: str | None = None
    encoding: str = "utf-8"

    @property
    def source_key(self) -> str:
        """Where the article came from: a file, or a line of a .jsonl file."""
        return self.source_path if self.source_line is None else f"{self.source_path}#{self.source_line}"


@dataclass(frozen=True)
class Rejection:
    """An input that could not become an article, with the reason a user can act on."""

    source_path: str
    source_line: int | None
    reason: str  # short machine-readable code, e.g. "empty", "binary", "duplicate"
    detail: str  # one human sentence
    first_bytes: str = ""

    @property
    def source_key(self) -> str:
        return self.source_path if self.source_line is None else f"{self.source_path}#{self.source_line}"


@dataclass
class ArticleRow:
    article_id: str
    source_path: str
    source_line: int | None
    external_id: str | None
    title: str | None
    body: str
    published_at: datetime | None
    source: str | None
    url: str | None
    encoding: str
    char_count: int
    word_count: int
    sentence_count: int
    enrichment_version: str
    ingested_at: datetime | None = None  # set at publish time
    run_id: str | None = None  # set at publish time


@dataclass
class SentenceRow:
    article_id: str
    sentence_index: int
    start_char: int
    end_char: int


@dataclass
class EntityRow:
    entity_id: str
    canonical_name: str
    label: str


@dataclass
class MentionRow:
    article_id: str
    entity_id: str
    mention_text: str
    label: str  # resolved label (decided by the whole article)
    raw_label: str | None  # what spaCy's NER said for this span; None where it found no entity
    start_char: int
    end_char: int
    sentence_index: int
    role: str | None = None  # title held in this article, e.g. "Prime Minister"


@dataclass
class QuoteRow:
    quote_id: str
    article_id: str
    quote_text: str  # the words inside the quotation marks, exactly body[start:end]
    start_char: int
    end_char: int
    speaker_name: str | None  # canonical name when resolved, else the local mention
    speaker_entity_id: str | None
    speaker_start_char: int | None  # the local mention the speaker was attributed from
    speaker_end_char: int | None
    cue: str | None
    quote_type: str  # "direct" | "partial"
    attribution: str  # how the speaker was found, e.g. "cue_subject", "pronoun", "continuation"
    confidence: float
    sentence_index: int


@dataclass
class EnrichedBatch:
    """Everything the enrichment stage produced for a batch of articles."""

    articles: list[ArticleRow] = field(default_factory=list)
    sentences: list[SentenceRow] = field(default_factory=list)
    entities: list[EntityRow] = field(default_factory=list)
    mentions: list[MentionRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)
    # seconds spent per pipeline component ("tokenizer", "ner", "wirehouse_quotes", …) and "rows"
    timings: dict[str, float] = field(default_factory=dict)

    def extend(self, other: "EnrichedBatch") -> None:
        for name in ("articles", "sentences", "entities", "mentions", "quotes"):
            getattr(self, name).extend(getattr(other, name))
        for name, seconds in other.timings.items():
            self.timings[name] = self.timings.get(name, 0.0) + seconds

    def split(self, article_ids: set[str]) -> tuple["EnrichedBatch", "EnrichedBatch"]:
        """(rows of these articles, rows of the others); each keeps the entities it uses."""
        def part(keep) -> "EnrichedBatch":
            mentions = [m for m in self.mentions if keep(m.article_id)]
            quotes = [q for q in self.quotes if keep(q.article_id)]
            used = {m.entity_id for m in mentions} | {q.speaker_entity_id for q in quotes}
            return EnrichedBatch(
                articles=[a for a in self.articles if keep(a.article_id)],
                sentences=[s for s in self.sentences if keep(s.article_id)],
                entities=[e for e in self.entities if e.entity_id in used],
                mentions=mentions, quotes=quotes,
            )

        return part(lambda a: a in article_ids), part(lambda a: a not in article_ids)

    def dedupe_entities(self) -> "EnrichedBatch":
        """One row per entity: articles of a batch share entities."""
        self.entities = list({row.entity_id: row for row in self.entities}.values())
        return self


TABLE_ROW_TYPES: dict[str, type] = {
    "article": ArticleRow,
    "sentence": SentenceRow,
    "entity": EntityRow,
    "entity_mention": MentionRow,
    "quote": QuoteRow,
}


def column_names(row_type: type) -> list[str]:
    return [f.name for f in fields(row_type)]


def rows_as_columns(rows: Iterable[Any], row_type: type) -> dict[str, list[Any]]:
    """Column-major view of dataclass rows, the shape Arrow and pandas build from fastest."""
    rows = rows if isinstance(rows, list) else list(rows)
    return {name: [getattr(row, name) for row in rows] for name in column_names(row_type)}
