"""One enriched Doc flattened into warehouse rows (pure: no I/O).

Runs where the Doc was parsed, so no Doc ever crosses a process boundary: workers send
back plain rows.
"""

from __future__ import annotations

import bisect

from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.tokens import Doc

from wirehouse.transforms.attributions import holding_attribution
from wirehouse.transforms.records import (
    Article,
    ArticleRow,
    AttributionRow,
    EntityRow,
    MentionRow,
    QuoteRow,
    SentenceRow,
    attribution_id_for,
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


def as_stored(body: str, start: int, end: int, text: str) -> str:
    """A span's text as the body has it: the pipeline reads a hard-wrapped line's break as a
    space (transforms/line_wraps.py), and the stored text keeps the break. Any other
    difference stays, for the audit to find (offsets that do not slice the body to the text)."""
    stored = body[start:end]
    if stored == text or len(stored) != len(text):
        return text
    return stored if all(a == b or (a == "\n" and b == " ") for a, b in zip(stored, text)) else text


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
                mention_text=as_stored(article.body, mention.start_char, mention.end_char, mention.text),
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
                quote_text=as_stored(article.body, found.start_char, found.end_char, found.text),
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

    attribution_rows = attributions_for_doc(article, doc, quote_rows, entity_rows, sentence_of)

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
        # a date a feed or table gives is the source's own; a page says where its date came from
        date_basis=article.date_basis or ("published" if article.published_at is not None else None),
        content_hash=article.content_hash,
    )
    return EnrichedBatch(
        articles=[article_row],
        sentences=sentences,
        entities=list(entity_rows.values()),
        mentions=mentions,
        quotes=quote_rows,
        attributions=attribution_rows,
    )


def first_word(text: str, start: int, end: int) -> int:
    """The span's first letter or digit (its start if it has none): the sentence a content is
    in is that of its words, and the parser can leave a content's opening quotation mark at
    the end of the sentence before it (22 of 2,080 stored contents on PolNeAR dev)."""
    return next((k for k in range(start, end) if text[k].isalnum()), start)


def attributions_for_doc(article: Article, doc: Doc, quote_rows: list[QuoteRow], entity_rows: dict[str, EntityRow],
                         sentence_of) -> list[AttributionRow]:
    """The Doc's attributions as rows. Each quote points at the attribution whose content
    holds most of it, the one whose speaker it shares (attributions.agree_on_speakers)."""
    body = article.body
    rows: list[AttributionRow] = []
    for found in doc._.attributions or ():
        speaker = found.speaker
        speaker_name = speaker.canonical if speaker else None
        speaker_entity_id = entity_id_for(speaker.canonical, speaker.label) if speaker and speaker.canonical else None
        if speaker_entity_id and speaker_entity_id not in entity_rows:
            entity_rows[speaker_entity_id] = EntityRow(speaker_entity_id, speaker.canonical, speaker.label)
        rows.append(AttributionRow(
            attribution_id=attribution_id_for(article.article_id, found.content_start, found.content_end),
            article_id=article.article_id,
            attribution_type=found.attribution_type,
            content_start_char=found.content_start,
            content_end_char=found.content_end,
            content_text=body[found.content_start:found.content_end],
            cue_start_char=found.cue_start,
            cue_end_char=found.cue_end,
            cue_text=body[found.cue_start:found.cue_end] if found.cue_start is not None else None,
            source_start_char=found.source_start,
            source_end_char=found.source_end,
            source_text=body[found.source_start:found.source_end] if found.source_start is not None else None,
            speaker_name=speaker_name,
            speaker_entity_id=speaker_entity_id,
            confidence=round(found.confidence, 4),
            method=found.method,
            sentence_index=sentence_of(first_word(body, found.content_start, found.content_end)),
            speaker_method=speaker.method if speaker else None,
        ))
    holdings = [(row.content_start_char, row.content_end_char, row.source_start_char) for row in rows]
    for quote in quote_rows:
        index = holding_attribution(quote.start_char, quote.end_char, holdings)
        if index is not None:
            quote.attribution_id = rows[index].attribution_id
    return rows
