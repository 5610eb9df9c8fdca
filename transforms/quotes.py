"""Direct quotes and their speakers (first version: paired marks, cue-verb subject).

Contract used by the rest of the pipeline:
- `add_to_pipeline(nlp)` adds the registered component after the entity resolver.
- `Doc._.quotes` is a list of `QuoteMatch`, in text order; `text == doc.text[start_char:end_char]`
  and excludes the quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from transforms.entities import mention_at

Doc.set_extension("quotes", default=None, force=True)

CUE_VERBS = {"say", "said", "says", "saying", "tell", "told", "tells", "write", "wrote", "writes",
             "add", "added", "adds", "urge", "urged", "warn", "warned", "tweet", "tweeted"}
_QUOTE = re.compile(r"[\"“]([^\"“”]+)[\"”]")


@dataclass(frozen=True)
class QuoteMatch:
    start_char: int
    end_char: int
    text: str
    quote_type: str
    speaker_text: str | None
    speaker_start_char: int | None
    speaker_end_char: int | None
    speaker_canonical: str | None
    speaker_label: str | None
    cue: str | None
    attribution: str
    confidence: float


@Language.factory("wirehouse_quotes")
def make_quote_extractor(nlp: Language, name: str):
    return QuoteExtractor()


class QuoteExtractor:
    def __call__(self, doc: Doc) -> Doc:
        found = []
        for match in _QUOTE.finditer(doc.text):
            start, end = match.span(1)
            span = doc.char_span(start, end, alignment_mode="expand")
            sent = span.sent if span is not None else None
            speaker = cue = None
            if sent is not None:
                for token in sent:
                    if token.lower_ in CUE_VERBS and not (start <= token.idx < end):
                        cue = token
                        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
                        speaker = doc[subjects[0].left_edge.i : subjects[0].i + 1] if subjects else None
                        break
            resolved = mention_at(doc, speaker.start_char, speaker.end_char) if speaker is not None else None
            found.append(QuoteMatch(
                start, end, doc.text[start:end],
                "direct" if len(doc.text[start:end].split()) > 5 else "partial",
                speaker.text if speaker is not None else None,
                speaker.start_char if speaker is not None else None,
                speaker.end_char if speaker is not None else None,
                resolved.canonical_name if resolved else None,
                resolved.label if resolved else None,
                cue.text if cue is not None else None,
                "cue_subject" if speaker is not None else "none",
                0.8 if speaker is not None else 0.2,
            ))
        doc._.quotes = found
        return doc


def add_to_pipeline(nlp: Language) -> None:
    nlp.add_pipe("wirehouse_quotes", after="wirehouse_entity_resolver")
