"""The three word classes enrichment needs, read from the fine-grained (Penn Treebank) tag.

en_core_web_sm fills `token.pos_` with its `attribute_ruler`: a Matcher over 179 tag and
word patterns that costs about a sixth of the whole pipeline's time (measured on BBC
articles). Wirehouse only asks three questions of a word's class, so the pipeline runs
without that component and these predicates apply the same rules the ruler applies for
those classes (English tag map plus its dependency-based exceptions).
"""

from __future__ import annotations

from spacy.tokens import Token

_PROPER_NOUN_TAGS = frozenset({"NNP", "NNPS"})
_VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD", "BES", "HVS"})
_ALWAYS_DETERMINER_TAGS = frozenset({"PDT", "WP$"})
# DT/WDT words are determiners only in a determiner relation; elsewhere ("that was") pronouns
_DETERMINER_TAGS = frozenset({"DT", "WDT"})
_DETERMINER_DEPS = frozenset({"det", "quantmod", ""})
_AUXILIARY_DEPS = frozenset({"aux", "auxpass"})


def is_proper_noun(token: Token) -> bool:
    """pos_ == "PROPN" (unless the parse attaches the word as an auxiliary)."""
    return token.tag_ in _PROPER_NOUN_TAGS and token.dep_ not in _AUXILIARY_DEPS


def is_verb(token: Token) -> bool:
    """pos_ in ("VERB", "AUX"): verb tags, modals, and any word attached as an auxiliary."""
    tag = token.tag_
    return tag in _VERB_TAGS or (token.dep_ in _AUXILIARY_DEPS and tag not in ("TO", ""))


def is_determiner(token: Token) -> bool:
    """pos_ == "DET"."""
    tag = token.tag_
    if tag in _ALWAYS_DETERMINER_TAGS:
        return True
    if tag == "WDT" and token.lower_ == "that":
        return False  # the relative pronoun
    return tag in _DETERMINER_TAGS and token.dep_ in _DETERMINER_DEPS
