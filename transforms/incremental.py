"""Decide, before any NLP, what each ingested document needs: enrich, skip, or reject.

Pure logic over the warehouse's index of stored articles, so the rules (content hash,
enrichment version, duplicates, changed files) are testable without a database.

A text document is known by its article id (a hash of its text). A web page is known by
the hash of its bytes (`content_hash`): an unchanged page is skipped before its article is
extracted; a new or changed page is extracted where enrichment runs, and its article then
goes through the same duplicate rules (`admit`) before any NLP.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence, TypeVar

from wirehouse.transforms.records import Article, Page, Rejection, SourceKey
from wirehouse.transforms.source_spellings import SourceSpellings
from wirehouse.transforms.versions import stored_version


@dataclass(frozen=True)
class StoredArticle:
    article_id: str
    source_key: str
    enrichment_version: str
    content_hash: str | None = None


@dataclass
class WarehouseIndex:
    """What the warehouse holds, keyed both ways."""

    by_id: dict[str, StoredArticle] = field(default_factory=dict)
    by_source: dict[str, StoredArticle] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence]) -> "WarehouseIndex":
        """Rows of (article_id, source_key, enrichment_version[, content_hash])."""
        index = cls()
        for row in rows:
            stored = StoredArticle(*row)
            index.by_id[stored.article_id] = stored
            index.by_source[stored.source_key] = stored
        return index


@dataclass
class Plan:
    to_enrich: list[Article] = field(default_factory=list)
    to_extract: list[Page] = field(default_factory=list)  # web pages: extracted first, then admitted
    skipped: list[Article | Page] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    # article ids whose rows must be deleted when the new rows are published, with the
    # source key of the document replacing each (so a partly quarantined batch keeps the rest)
    replaces: dict[str, str] = field(default_factory=dict)

    def replaced_by(self, source_keys: set[str]) -> set[str]:
        return {old for old, key in self.replaces.items() if key in source_keys}


Spelt = TypeVar("Spelt", Article, Page, Rejection)


class Planner:
    """Classifies documents one batch at a time, remembering what this run has seen.

    With `spellings`, a document is planned under the key it is stored under, however the
    run spelt its path; `to_forget` collects the other spellings' rejections it replaces.
    With `root` too (the seeds folder), a text stored under a file below it that the run does
    not read any more has moved, not been duplicated (a renamed file)."""

    def __init__(self, index: WarehouseIndex, enrichment_version: str, extraction_version: str | None = None,
                 spellings: SourceSpellings | None = None, root: str | None = None):
        self.index = index
        self.spellings = spellings
        self.root = root
        self.version = enrichment_version
        self.page_version = stored_version(enrichment_version, extraction_version)
        self.seen_ids: dict[str, str] = {}  # article_id -> source_key, this run
        self.seen_sources: set[str] = set()
        self.extracting: set[str] = set()  # pages whose article is known once extracted
        self.to_forget: set[str] = set()
        self.claimed: set[str] = set()  # stored keys a reading under another spelling took

    def plan(self, documents: Sequence[Article | Page], rejections: Sequence[Rejection] = ()) -> Plan:
        """Plan a batch's documents; the inputs rejected while reading it join `rejected`
        first, under their stored spelling too."""
        plan = Plan()
        plan.rejected.extend(self._stored_spelling(rejection) for rejection in rejections)
        for document in documents:
            document = self._stored_spelling(document)
            if isinstance(document, Page):
                self._plan_page(document, plan)
            else:
                self._plan_article(document, plan)
        return plan

    def _stored_spelling(self, document: Spelt) -> Spelt:
        if self.spellings is None:
            return document
        read_path = document.source_path
        stored = self.spellings.stored_spellings(SourceKey(read_path, document.source_line))
        if stored and (path := self._holding(stored, document)) != read_path:
            key = str(SourceKey(path, document.source_line))
            if key not in self.claimed:  # else another reading of this run took it: a duplicate
                self.claimed.add(key)
                document = replace(document, source_path=path)
        self.to_forget.update(self.spellings.others(SourceKey(document.source_path, document.source_line), read_path))
        return document

    def _holding(self, paths: list[str], document: Spelt) -> str:
        """Of a document's stored spellings, the one holding its text (or page) as read now,
        else the first (its own, if stored): the others hold older versions of it, and the run
        reports them gone (`--prune` deletes them)."""
        for path in paths:
            stored = self.index.by_source.get(str(SourceKey(path, document.source_line)))  # gone if its text moved
            if stored is None:
                continue
            if (isinstance(document, Article) and stored.article_id == document.article_id) or \
                    (isinstance(document, Page) and stored.content_hash == document.content_hash):
                return path
        return paths[0]

    def _plan_article(self, article: Article, plan: Plan) -> None:
        key = article.source_key
        self.seen_sources.add(key)
        rejection = self._duplicate_of(article)
        if rejection is not None:
            plan.rejected.append(rejection)
            return
        stored = self.index.by_id.get(article.article_id)
        self.seen_ids[article.article_id] = key
        old = self.index.by_source.get(key)
        if stored is not None and stored.enrichment_version == self.version and stored.source_key == key:
            plan.skipped.append(article)
            return
        plan.to_enrich.append(article)
        if stored is not None:
            plan.replaces[article.article_id] = key  # re-enrichment under a new version
        if old is not None and old.article_id != article.article_id:
            plan.replaces[old.article_id] = key  # the file changed: its old article goes

    def _plan_page(self, page: Page, plan: Plan) -> None:
        key = page.source_key
        self.seen_sources.add(key)
        old = self.index.by_source.get(key)
        if old is not None and old.content_hash == page.content_hash and old.enrichment_version == self.page_version:
            self.seen_ids.setdefault(old.article_id, key)
            plan.skipped.append(page)
            return
        plan.to_extract.append(page)
        self.extracting.add(key)
        if old is not None:
            plan.replaces[old.article_id] = key  # the page changed (or a new version): its old article goes

    def admit(self, articles: Sequence[Article], plan: Plan) -> None:
        """Articles extracted from the plan's pages: duplicates are rejected, the rest join
        `to_enrich`."""
        for article in articles:
            rejection = self._duplicate_of(article)
            if rejection is not None:
                plan.rejected.append(rejection)
                continue
            self.seen_ids[article.article_id] = article.source_key
            plan.to_enrich.append(article)
            stored = self.index.by_id.get(article.article_id)
            if stored is not None:
                plan.replaces[article.article_id] = article.source_key

    def _duplicate_of(self, article: Article) -> Rejection | None:
        """The same text from another source, earlier in this run or already stored (unless
        it moved there: then the stored source no longer holds it)."""
        key = article.source_key
        first_seen_at = self.seen_ids.get(article.article_id)
        if first_seen_at is not None:
            return _duplicate(article, first_seen_at, "earlier in this run")
        stored = self.index.by_id.get(article.article_id)
        if stored is not None and stored.source_key != key:
            if self._moved_from(stored.source_key, article):
                # stored again under its new key (publishing it deletes the old rows); its
                # old key, read later in the run, holds a new document, not this one
                self.index.by_source.pop(stored.source_key, None)
                return None
            return _duplicate(article, stored.source_key, "already in the warehouse")
        return None

    def _moved_from(self, stored_key: str, article: Article) -> bool:
        """Whether the text stored under `stored_key` now lives at the article's key: the
        stored source was read earlier in this run holding something else, or is a position
        of the article's own file (a feed's lines shift when one is inserted or deleted), or
        its file, below the seeds folder, is no longer read (renamed or removed)."""
        if stored_key in self.seen_sources and stored_key not in self.extracting:
            return True  # (a page being extracted may hold the same text again)
        stored = SourceKey.parse(stored_key)
        if stored.position is not None and article.source_line is not None and stored.path == article.source_path:
            return True  # the same spelling (a reading under another one is a file read twice)
        spellings = self.spellings
        return spellings is not None and self.root is not None and spellings.under(stored_key, self.root) \
            and not spellings.reads(stored.path)

    def missing_sources(self, under: str, unfinished: Sequence[str] = ()) -> list[str]:
        """Stored sources below `under` that this run did not see: removed files. Not those in
        `unfinished` files (a .jsonl file that changed while read), however spelt."""
        prefix = under.rstrip("/") + "/"
        spellings = self.spellings
        file_of = spellings.file_of if spellings is not None else (lambda path: path)
        unfinished_files = {file_of(path) for path in unfinished}
        return sorted(
            key for key in self.index.by_source
            if key not in self.seen_sources
            and (spellings.under(key, under) if spellings is not None else key.startswith(prefix))
            and file_of(SourceKey.parse(key).path) not in unfinished_files
        )


def _duplicate(article: Article, other_key: str, where: str) -> Rejection:
    return Rejection(
        article.source_path,
        article.source_line,
        "duplicate",
        f"same text as {other_key} ({where}); stored once",
        article.body[:64].encode("unicode_escape").decode("ascii"),
    )
