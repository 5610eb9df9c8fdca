"""Row types that travel between stages, and the deterministic ids that key them.

Every stage hands the next one plain dataclasses; the warehouse turns lists of them
into Arrow tables in bulk (`tables.py` says which row type fills which table). Ids are content hashes so re-running a load is idempotent
by construction.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime


def stable_hash(*parts: object, length: int = 32) -> str:
    """Hex digest of the parts joined by a separator no text contains."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=length // 2).hexdigest()


def normalize_text(text: str) -> str:
    """The form of a text that decides identity: NFC, whitespace folded, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())  # str.split() folds what re's \s matches


def content_hash_of(data: bytes) -> str:
    """The identity of a page as fetched: a hash of its bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def article_id_for(body: str) -> str:
    return stable_hash("article", normalize_text(body))


def entity_id_for(canonical_name: str, label: str) -> str:
    return stable_hash("entity", label, canonical_name)


def quote_id_for(article_id: str, start_char: int, end_char: int) -> str:
    return stable_hash("quote", article_id, start_char, end_char)


def attribution_id_for(article_id: str, content_start: int, content_end: int) -> str:
    return stable_hash("attribution", article_id, content_start, content_end)


@dataclass(frozen=True)
class SourceKey:
    """Where a document came from: a file, or one document inside a file (a .jsonl line).

    Its text form, `path` or `path#position`, keys `rejected_document` and the planner's
    index; the view `article_source` (warehouse/views.sql) builds the same text in SQL."""

    path: str
    # 1-based position of the document inside its file: the line of a .jsonl file, the row of
    # a .csv or .parquet table, the record of a WARC archive; None for a whole-file document
    position: int | None = None

    def __str__(self) -> str:
        return self.path if self.position is None else f"{self.path}#{self.position}"

    @classmethod
    def parse(cls, text: str) -> "SourceKey":
        path, hash_mark, position = text.rpartition("#")
        if hash_mark and position.isdigit():
            return cls(path, int(position))
        return cls(text)


@dataclass(frozen=True)
class Article:
    """One ingested document, ready for enrichment. Offsets everywhere index `body`."""

    article_id: str
    source_path: str
    source_line: int | None  # SourceKey.position: None for a whole-file document
    title: str | None
    body: str
    published_at: datetime | None = None  # UTC
    source: str | None = None
    url: str | None = None
    external_id: str | None = None
    encoding: str = "utf-8"
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    date_basis: str | None = None  # where published_at came from: "published" (the source says so) or "crawled"
    content_hash: str | None = None  # hash of the page it was extracted from (web pages)
    extraction: str | None = None  # how its body was extracted (pages.EXTRACTION_VERSION)

    @property
    def source_key(self) -> str:
        return str(SourceKey(self.source_path, self.source_line))


@dataclass(frozen=True)
class Page:
    """A web page as read (an .html file or a WARC response), before its article is
    extracted where enrichment runs. `content_hash` (of the bytes) decides whether an
    unchanged page can be skipped."""

    source_path: str
    source_line: int | None
    data: bytes
    content_hash: str
    url: str | None = None
    content_type: str | None = None  # the HTTP Content-Type header, with its charset
    crawled_at: datetime | None = None  # the WARC-Date: the date of last resort

    @property
    def source_key(self) -> str:
        return str(SourceKey(self.source_path, self.source_line))

    def rejection(self, reason: str, detail: str) -> "Rejection":
        preview = self.data[:64].decode("latin-1").encode("unicode_escape").decode("ascii")
        return Rejection(self.source_path, self.source_line, reason, detail, preview)


@dataclass(frozen=True)
class Skipped:
    """An input record that is not a document (a WARC request, an image), counted as skipped."""

    source_path: str
    source_line: int | None
    reason: str  # e.g. "warc_request", "not_html"
    detail: str

    @property
    def source_key(self) -> str:
        return str(SourceKey(self.source_path, self.source_line))


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
        return str(SourceKey(self.source_path, self.source_line))


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
    site_name: str | None = None
    authors: list[str] | None = None
    language: str | None = None
    date_basis: str | None = None
    content_hash: str | None = None

    @property
    def source_key(self) -> str:
        return str(SourceKey(self.source_path, self.source_line))


@dataclass
class SentenceRow:
    article_id: str
    sentence_index: int
    start_char: int
    end_char: int


@dataclass
class EntityRow:
    entity_id: str  # a person's warehouse identity; any other name: hash of canonical name + label
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
    attribution: str  # how the speaker was found, e.g. "cue_subject", "pronoun", "continuation", "attribution"
    confidence: float
    sentence_index: int
    attribution_id: str | None = None  # the attribution (table attribution) the quote belongs to


@dataclass
class ResolutionRow:
    """Why a person mention got its entity: the rule, the score and the evidence it rested on."""

    article_id: str
    start_char: int
    end_char: int
    mention_text: str
    entity_id: str
    rule: str  # e.g. "full_name", "article_full_name", "corpus_surname", "recovered_honorific", "override"
    score: float
    evidence: str  # JSON
    run_id: str

    @classmethod
    def of(cls, decision: dict, entity_id: str, run_id: str) -> "ResolutionRow":
        return cls(decision["article_id"], decision["start_char"], decision["end_char"], decision["text"], entity_id,
                   decision["rule"], float(decision.get("score") or 0.0),
                   json.dumps(decision.get("evidence") or {}, sort_keys=True, default=str), run_id)


@dataclass
class AttributionRow:
    """Who said (or thought, or reported) what: one attribution as PARC 3.0 and PolNeAR define
    it, with the source, the cue and the content as offsets into the article body."""

    attribution_id: str
    article_id: str
    attribution_type: str  # "direct" (all quoted), "mixed" (partly quoted), "indirect" (reported)
    content_start_char: int
    content_end_char: int
    content_text: str  # body[content_start_char:content_end_char]
    cue_start_char: int | None
    cue_end_char: int | None
    cue_text: str | None
    source_start_char: int | None  # None when the source is not in the text ("it is said")
    source_end_char: int | None
    source_text: str | None  # the local mention, e.g. "he", "the campaign"
    speaker_name: str | None  # canonical when resolved, else NULL (speaker_method says why)
    speaker_entity_id: str | None
    confidence: float
    method: str  # how it was found: "<cue kind>_cue.<content kind>", e.g. "verb_cue.dependent"
    sentence_index: int
    # how the speaker was found ("cue_subject", "pronoun", "appositive", "speaks_for", "quote", ...),
    # or why there is none ("not_an_entity", ...); None without a source in the text
    speaker_method: str | None = None
