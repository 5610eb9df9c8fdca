"""The typeset apostrophe read as the typed one: "O’Donnell" parsed as "O'Donnell".

en_core_web_sm learnt English from text typed with the ASCII apostrophe; news published on
the web sets the typographic one (U+2019: "O’Donnell", "didn’t"). spaCy's tokenizer splits
both spellings alike, but the tagger, parser and NER see a word through the features NORM,
PREFIX, SUFFIX and SHAPE, and with the typeset apostrophe "n’t" was tagged a noun, "O’Donnell"
a common noun and "Brett O’Donnell" an organisation.

Here a word's four features are those of its spelling with the ASCII apostrophe, so spaCy's
models give the published text the analysis they give the typed one (tags, dependencies,
heads and entities: on 120 PolNeAR train articles 1,384 of 90,522 tokens differed, none now),
while the Doc keeps the text as published. What reads the words themselves still sees the
typeset apostrophe: token texts, lower-case forms and offsets, so every stored text, and the
attribution model's word features (trained on the same text, they are its own). A pipeline
with static vectors (md, lg) looks them up by the exact spelling, which this leaves alone.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from spacy.attrs import NORM, PREFIX, SHAPE, SUFFIX
from spacy.language import Language

TYPESET = "’"
TYPED = "'"
# The lexical attributes the pipeline's tok2vec layers embed (en_core_web_sm's config).
MODEL_FEATURES = (NORM, PREFIX, SUFFIX, SHAPE)


def as_typed(word: str) -> str:
    return word.replace(TYPESET, TYPED)


def _of_typed_spelling(getter: Callable[[str], Any], word: str) -> Any:
    return getter(as_typed(word))


def read_typeset_apostrophes_as_typed(nlp: Language) -> None:
    """Make the pipeline's vocabulary give every word the model features of its typed
    spelling: the getters that set a new word's attributes, and the words the pipeline
    already holds (its tokenizer's special cases, "’s", "n’t")."""
    getters = nlp.vocab.lex_attr_getters
    for attr in MODEL_FEATURES:
        getter = getters[attr]
        if getattr(getter, "func", None) is not _of_typed_spelling:  # once per vocabulary
            # a partial, not a closure: spaCy's own getters stay picklable, and so do these
            getters[attr] = functools.partial(_of_typed_spelling, getter)
    for lexeme in list(nlp.vocab):
        if TYPESET in lexeme.orth_:   # setting a norm also records it in the vocab's norm table
            lexeme.norm_ = getters[NORM](lexeme.orth_)
            lexeme.prefix_ = getters[PREFIX](lexeme.orth_)
            lexeme.suffix_ = getters[SUFFIX](lexeme.orth_)
            lexeme.shape_ = getters[SHAPE](lexeme.orth_)
