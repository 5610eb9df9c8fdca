"""Text set with the typographic apostrophe (’) is parsed as the same text typed with ASCII (')."""

from __future__ import annotations

import pickle

import pytest
from spacy.attrs import NORM, SHAPE

from wirehouse.transforms.apostrophes import as_typed, read_typeset_apostrophes_as_typed
from wirehouse.transforms.nlp import DEFAULT_MODEL, load_pipeline
from wirehouse.transforms.speakers import _is_expletive

PUBLISHED = ("Ted Cruz’s Iowa director said Brett O’Donnell didn’t know. “It’s taxing on campaign "
             "resources,” O’Donnell said. The filmmaker Dinesh D’Souza spoke on Tuesday; D’Souza’s new film "
             "isn’t out yet.")


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_MODEL)


def analysis(doc):
    return [(t.idx, t.tag_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_) for t in doc]


def test_the_published_text_is_parsed_as_the_typed_one_and_kept_as_published(nlp):
    published, typed = nlp(PUBLISHED), nlp(as_typed(PUBLISHED))
    assert analysis(published) == analysis(typed)
    assert published.text == PUBLISHED
    assert [t.text for t in published][:2] == ["Ted", "Cruz"] and published[2].text == "’s"
    assert published[2].lower_ == "’s"   # what the text says stays; only the models' features change


def test_a_contraction_and_a_name_with_the_typeset_apostrophe_are_what_they_are(nlp):
    doc = nlp(PUBLISHED)
    assert next(t for t in doc if t.text == "n’t").tag_ == "RB"   # was a noun
    people = {e.text for e in doc.ents if e.label_ == "PERSON"}
    assert {"Brett O’Donnell", "Dinesh D’Souza"} <= people   # were an organisation and nothing


def test_speakers_named_with_the_typeset_apostrophe_are_found(nlp):
    text = ("“We probably should have been going to the strategic places,” said Brett O’Donnell, a debate coach "
            "for the campaign. “It’s taxing on campaign resources,” O’Donnell said.\n\n"
            "The filmmaker Dinesh D’Souza spoke at the event on Tuesday. D’Souza told the audience that the "
            "party’s leaders didn’t understand its voters.")
    doc = nlp(text)
    assert [(q.speaker_canonical, q.speaker_label) for q in doc._.quotes] == [("Brett O’Donnell", "PERSON")] * 2
    sources = [(text[a.source_start:a.source_end], a.speaker.canonical)
               for a in doc._.attributions if a.source_start is not None]
    # the second quotation's source, and the person D’Souza is, were not found
    assert ("O’Donnell", "Brett O’Donnell") in sources
    assert ("D’Souza", "Dinesh D’Souza") in sources


def test_the_vocabulary_is_read_once_and_reads_so_after_pickling(nlp):
    getters = dict(nlp.vocab.lex_attr_getters)
    read_typeset_apostrophes_as_typed(nlp)
    assert dict(nlp.vocab.lex_attr_getters) == getters   # wrapped once, not twice
    assert nlp.vocab["Nation’s"].shape_ == nlp.vocab["Nation's"].shape_ == "Xxxxx'x"
    copy = pickle.loads(pickle.dumps(nlp.vocab))
    assert copy.lex_attr_getters[NORM]("O’Donnell") == "o'donnell"
    assert copy.lex_attr_getters[SHAPE]("O’Donnell") == "X'Xxxxx"


def test_it_is_an_expletive_before_either_apostrophe(nlp):
    # "It’s clear that ..." stands for no one, as "It's clear that ..." does
    for text in ("It's clear that the minister will resign.", "It’s clear that the minister will resign."):
        subject = next(token for token in nlp(text) if token.lower_ == "it")
        assert _is_expletive(subject), text
