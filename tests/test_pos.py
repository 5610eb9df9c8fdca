"""The word-class predicates agree with the attribute_ruler they replace, word for word."""

from __future__ import annotations

import itertools

import pytest
import spacy

from tests.conftest import SEED, shared_path
from wirehouse.transforms import nlp as enrichment
from wirehouse.transforms.pos import is_determiner, is_proper_noun, is_verb

SENTENCES = [
    "Prime Minister Naftali Bennett said that he had been to Kyiv, and that was all.",
    "The ministers do not know which plan both sides would accept; all the others did.",
    "“We will,” said Mr. Lapid, whose party has won. Do you know what that means?",
]


@pytest.fixture(scope="module")
def tagged_pipeline():
    """The model with its attribute_ruler: the reference for token.pos_."""
    return spacy.load(enrichment.DEFAULT_MODEL, exclude=["lemmatizer"])


def disagreements(docs) -> list[tuple[str, str, str, str]]:
    found = []
    for token in itertools.chain.from_iterable(docs):
        for name, predicate, expected in (
            ("proper noun", is_proper_noun, token.pos_ == "PROPN"),
            ("verb", is_verb, token.pos_ in ("VERB", "AUX")),
            ("determiner", is_determiner, token.pos_ == "DET"),
        ):
            if predicate(token) != expected:
                found.append((name, token.text, token.tag_, token.dep_))
    return found


def test_predicates_match_the_attribute_ruler_on_the_seed(tagged_pipeline):
    docs = list(tagged_pipeline.pipe([SEED.read_text(encoding="utf-8"), *SENTENCES]))
    assert sum(len(doc) for doc in docs) > 500
    assert disagreements(docs) == []


def test_predicates_match_the_attribute_ruler_on_bbc_news(tagged_pipeline):
    files = sorted(shared_path("corpora", "bbc", "politics").glob("*.txt"))[:40]
    texts = [path.read_bytes().decode("utf-8", errors="replace") for path in files]
    assert disagreements(tagged_pipeline.pipe(texts)) == []


def test_enrichment_pipeline_runs_without_the_unused_components():
    names = enrichment.load_pipeline(enrichment.DEFAULT_MODEL).pipe_names
    assert "attribute_ruler" not in names and "lemmatizer" not in names
    assert {"tok2vec", "tagger", "parser", "ner"} <= set(names)
