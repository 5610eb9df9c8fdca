"""One enriched Doc flattened into warehouse rows (pure: no I/O).

Runs where the Doc was parsed, so no Doc ever crosses a process boundary: workers send
back plain rows.
"""

from __future__ import annotations

import bisect

from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.tokens import Doc

from wirehouse.transforms.records import (
    Article,
    ArticleRow,
    EntityRow,
    MentionRow,
    QuoteRow,
    SentenceRow,
    entity_id_for,
    quote_id_for,
)
from wirehouse.transforms.tables import EnrichedBatch
from wirehouse.transforms.versions import stored_version


def word_count(doc: Doc) -> int:
    """Tokens that are neither punctuation nor whitespace (array pass, no Token objects)."""
    if not len(doc):
        return 0
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int((flags.sum(axis=1) == 0).sum())


def rows_for_doc(article: Article, doc: Doc, version: str) -> EnrichedBatch:
    """Flatten one enriched Doc into warehouse rows (pure: no I/O)."""
    sentence_starts = [sent.start_char for sent in doc.sents]
    sentences = [
        SentenceRow(article.article_id, index, sent.start_char, sent.end_char)
        for index, sent in enumerate(doc.sents)
    ]

    def sentence_of(char: int) -> int:
        return max(bisect.bisect_right(sentence_starts, char) - 1, 0)

    entity_rows: dict[str, EntityRow] = {}
    mentions: list[MentionRow] = []
    for mention in doc._.resolved_mentions:
        entity_id = entity_id_for(mention.canonical_name, mention.label)
        entity_rows.setdefault(entity_id, EntityRow(entity_id, mention.canonical_name, mention.label))
        mentions.append(
            MentionRow(
                article_id=article.article_id,
                entity_id=entity_id,
                mention_text=mention.text,
                label=mention.label,
                raw_label=mention.raw_label or None,
                start_char=mention.start_char,
                end_char=mention.end_char,
                sentence_index=sentence_of(mention.start_char),
                role=mention.role,
            )
        )

    quote_rows = []
    for found in doc._.quotes:
        speaker_entity_id = (
            entity_id_for(found.speaker_canonical, found.speaker_label)
            if found.speaker_canonical and found.speaker_label
            else None
        )
        if speaker_entity_id and speaker_entity_id not in entity_rows:
            entity_rows[speaker_entity_id] = EntityRow(
                speaker_entity_id, found.speaker_canonical, found.speaker_label
            )
        quote_rows.append(
            QuoteRow(
                quote_id=quote_id_for(article.article_id, found.start_char, found.end_char),
                article_id=article.article_id,
                quote_text=found.text,
                start_char=found.start_char,
                end_char=found.end_char,
                speaker_name=found.speaker_canonical,  # a person or an organisation, else NULL (see attribution)
                speaker_entity_id=speaker_entity_id,
                speaker_start_char=found.speaker_start_char,
                speaker_end_char=found.speaker_end_char,
                cue=found.cue,
                quote_type=found.quote_type,
                attribution=found.attribution,
                confidence=found.confidence,
                sentence_index=sentence_of(found.start_char),
            )
        )

    article_row = ArticleRow(
        article_id=article.article_id,
        source_path=article.source_path,
        source_line=article.source_line,
        external_id=article.external_id,
        title=article.title,
        body=article.body,
        published_at=article.published_at,
        source=article.source,
        url=article.url,
        encoding=article.encoding,
        char_count=len(article.body),
        word_count=word_count(doc),
        sentence_count=len(sentences),
        enrichment_version=stored_version(version, article.extraction),
        site_name=article.site_name,
        authors=list(article.authors) or None,
        language=article.language,
        date_basis=article.date_basis,
        content_hash=article.content_hash,
    )
    return EnrichedBatch(
        articles=[article_row],
        sentences=sentences,
        entities=list(entity_rows.values()),
        mentions=mentions,
        quotes=quote_rows,
    )
