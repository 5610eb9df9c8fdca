"""Decide, before any NLP, what each ingested article needs: enrich, skip, or reject.

Pure logic over the warehouse's index of stored articles, so the rules (content hash,
enrichment version, duplicates, changed files) are testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirehouse.transforms.records import Article, Rejection


@dataclass(frozen=True)
class StoredArticle:
    article_id: str
    source_key: str
    enrichment_version: str


@dataclass
class WarehouseIndex:
    """What the warehouse holds, keyed both ways."""

    by_id: dict[str, StoredArticle] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)  # source_key -> article_id

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str]]) -> "WarehouseIndex":
        index = cls()
        for article_id, source_key, version in rows:
            index.by_id[article_id] = StoredArticle(article_id, source_key, version)
            index.by_source[source_key] = article_id
        return index


@dataclass
class Plan:
    to_enrich: list[Article] = field(default_factory=list)
    skipped: list[Article] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    # article ids whose rows must be deleted when the new rows are published, with the
    # source key of the article replacing each (so a partly quarantined batch keeps the rest)
    replaces: dict[str, str] = field(default_factory=dict)

    def replaced_by(self, source_keys: set[str]) -> set[str]:
        return {old for old, key in self.replaces.items() if key in source_keys}


class Planner:
    """Classifies articles one batch at a time, remembering what this run has seen."""

    def __init__(self, index: WarehouseIndex, enrichment_version: str):
        self.index = index
        self.version = enrichment_version
        self.seen_ids: dict[str, str] = {}  # article_id -> source_key, this run
        self.seen_sources: set[str] = set()

    def plan(self, articles: list[Article]) -> Plan:
        plan = Plan()
        for article in articles:
            key = article.source_key
            self.seen_sources.add(key)
            first_seen_at = self.seen_ids.get(article.article_id)
            if first_seen_at is not None:
                plan.rejected.append(_duplicate(article, first_seen_at, "earlier in this run"))
                continue
            stored = self.index.by_id.get(article.article_id)
            if stored is not None and stored.source_key != key:
                plan.rejected.append(_duplicate(article, stored.source_key, "already in the warehouse"))
                continue
            self.seen_ids[article.article_id] = key
            old_id = self.index.by_source.get(key)
            if stored is not None and stored.enrichment_version == self.version and stored.source_key == key:
                plan.skipped.append(article)
                continue
            plan.to_enrich.append(article)
            if stored is not None:
                plan.replaces[article.article_id] = key  # re-enrichment under a new version
            if old_id is not None and old_id != article.article_id:
                plan.replaces[old_id] = key  # the file changed: its old article goes
        return plan

    def missing_sources(self, under: str) -> list[str]:
        """Stored sources below `under` that this run did not see: removed files."""
        prefix = under.rstrip("/") + "/"
        return sorted(
            key for key in self.index.by_source
            if key.startswith(prefix) and key not in self.seen_sources
        )


def _duplicate(article: Article, other_key: str, where: str) -> Rejection:
    return Rejection(
        article.source_path,
        article.source_line,
        "duplicate",
        f"same text as {other_key} ({where}); stored once",
        article.body[:64].encode("unicode_escape").decode("ascii"),
    )
