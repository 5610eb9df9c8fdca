"""The title scanner: titles of office and honorifics, marked where the resolver finds them.

`wirehouse_titles` writes `doc.spans["wirehouse_titles"]`: spans labelled TITLE ("Foreign
Minister", "Secretary of State", "the National Security Adviser") or HONORIFIC ("Mr",
"Dr"). It never writes `doc.ents`: spaCy's NER output is kept as it is.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from wirehouse.transforms.lexicon import HONORIFICS, TITLE_DEPARTMENTS, TITLE_HEADS, TITLE_MODIFIERS

TITLE_SPANS_KEY = "wirehouse_titles"
TITLE = "TITLE"
HONORIFIC = "HONORIFIC"


class TitleScanner:
    """Marks titles of office and honorifics in `doc.spans["wirehouse_titles"]`.

    The grammar above, matched around each head word: a run of modifiers before it and
    the longest tail after it; overlapping candidates keep the longest (`filter_spans`).
    It gives the spans a spaCy SpanRuler with the same grammar gives (tests compare the
    two) at a tenth of the cost: one array pass over the words' lower-case hashes instead
    of the Matcher trying every pattern at every token."""

    def __init__(self, vocab) -> None:
        strings = vocab.strings
        self.heads = numpy.array([strings.add(w) for w in TITLE_HEADS], dtype=numpy.uint64)
        self.honorifics = numpy.array([strings.add(w) for w in HONORIFICS], dtype=numpy.uint64)
        self.modifiers = {strings.add(w) for w in TITLE_MODIFIERS}
        self.departments = {strings.add(w) for w in TITLE_DEPARTMENTS}
        self.of_for = {strings.add("of"), strings.add("for")}
        self.the, self.hyphen, self.general = strings.add("the"), strings.add("-"), strings.add("general")

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        if len(doc):
            lowers = doc.to_array(LOWER)
            for i in numpy.flatnonzero(numpy.isin(lowers, self.honorifics)).tolist():
                spans.append(Span(doc, i, i + 1, label=HONORIFIC))
            words = None
            for i in numpy.flatnonzero(numpy.isin(lowers, self.heads)).tolist():
                words = words if words is not None else lowers.tolist()
                first = i
                while first > 0 and words[first - 1] in self.modifiers:
                    first -= 1
                ends = self._tail_ends(words, i + 1)
                spans.extend(Span(doc, start, end, label=TITLE) for start in range(first, i + 1) for end in ends)
        doc.spans[TITLE_SPANS_KEY] = filter_spans(spans)
        return doc

    def _tail_ends(self, words: list[int], after: int) -> list[int]:
        """Every end a title can have after its head word at `after - 1`."""
        n = len(words)
        ends = [after]
        k = after + 1 if after < n and words[after] == self.hyphen else after
        if k < n and words[k] == self.general:
            ends.append(k + 1)
        if after < n and words[after] in self.of_for:
            k = after + 1
            if k < n and words[k] == self.the:
                k += 1
            while k < n and words[k] in self.departments:
                k += 1
                ends.append(k)
        return ends


@Language.factory("wirehouse_titles", assigns=["doc.spans"], requires=[])
def make_title_scanner(nlp: Language, name: str) -> TitleScanner:
    return TitleScanner(nlp.vocab)
