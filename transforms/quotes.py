"""Direct quotes and their speakers: the `wirehouse_quotes` component.

Quotes are found on the characters (quote_spans.py), speakers on the parse around them
(speakers.py), and every speaker is linked to the canonical entity of the entity resolver.

Contract used by the rest of the pipeline:
- `Doc._.quotes` is a list of `QuoteMatch`, in text order; `text == doc.text[start_char:end_char]`
  and excludes the quotation marks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from wirehouse.transforms import extensions  # noqa: F401 (registers the Doc attributes)
from wirehouse.transforms.quote_spans import find_quote_spans, quote_type
from wirehouse.transforms.speakers import Speaker, SpeakerFinder

# How much a quote's speaker can be trusted, by how it was found.
CONFIDENCE = {
    "cue_subject": 0.9, "according_to": 0.85, "appositive": 0.85, "title": 0.8, "spokesperson_for": 0.8,
    "speaks_for": 0.75, "pronoun": 0.75, "colon": 0.75, "continuation": 0.7, "named_elsewhere": 0.7,
    "verb_subject": 0.6, "preceding_sentence": 0.6, "none": 0.2,
    # "the company": right 22 times in 30 sampled on BBC (speakers.DESCRIPTION_NOUNS)
    "description": 0.7,
    # the speaker of the attribution holding the quote, where the two differed
    # (attributions.agree_on_speakers): right 0.754 of the time on PolNeAR train (126 quotes)
    "attribution": 0.75,
}
# A quote whose speaker is no person or organisation keeps the local mention's offsets, and
# `attribution` says why there is no speaker (speakers.NO_SPEAKER_WORDS, "not_an_entity", ...).
NO_SPEAKER_CONFIDENCE = 0.3


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


@Language.factory("wirehouse_quotes", assigns=["doc._.quotes"],
                  requires=["doc._.resolved_mentions", "doc._.entity_clusters", "token.dep", "token.tag", "doc.sents"])
def make_quote_extractor(nlp: Language, name: str):
    return QuoteExtractor()


def quote_confidence(speaker_confidence: float, quote_type: str) -> float:
    """A quote's confidence from its speaker's: a partial quote (a phrase in running text)
    is trusted less than a whole one."""
    return round(speaker_confidence * (0.8 if quote_type == "partial" else 1.0), 3)


def spoken_by(quote: QuoteMatch, speaker: Speaker, attribution: str) -> QuoteMatch:
    """The quote with another speaker, found as `attribution` says; a speaker that is no
    person or organisation says why instead, as `extract_quotes` records it."""
    confidence = CONFIDENCE[attribution]
    if speaker.canonical is None:
        attribution, confidence = speaker.method, NO_SPEAKER_CONFIDENCE
    return dataclasses.replace(
        quote, speaker_text=speaker.text, speaker_start_char=speaker.start, speaker_end_char=speaker.end,
        speaker_canonical=speaker.canonical, speaker_label=speaker.label, cue=speaker.cue, attribution=attribution,
        confidence=quote_confidence(confidence, quote.quote_type))


class QuoteExtractor:
    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc)
        return doc


def extract_quotes(doc: Doc) -> list[QuoteMatch]:
    text = doc.text  # rebuilt from the tokens on every access: read once
    spans = find_quote_spans(text)
    if not spans:
        return []
    finder = SpeakerFinder(doc, text, spans)
    found: list[QuoteMatch] = []
    speakers: list[Speaker | None] = []
    for index, span in enumerate(spans):
        words = len(text[span.start : span.end].split())
        kind = quote_type(text, span, words)
        speaker = finder.speaker(index, speakers)
        if speaker is not None and speaker.start < span.end and span.start < speaker.end:
            speaker = None  # a "speaker" overlapping the quote's own words is the quote misparsed
        speakers.append(speaker)
        attribution = speaker.attribution if speaker else "none"
        confidence = CONFIDENCE[attribution]
        if speaker and speaker.canonical is None:
            attribution, confidence = speaker.method, NO_SPEAKER_CONFIDENCE
        found.append(
            QuoteMatch(
                start_char=span.start,
                end_char=span.end,
                text=text[span.start : span.end],
                quote_type=kind,
                speaker_text=speaker.text if speaker else None,
                speaker_start_char=speaker.start if speaker else None,
                speaker_end_char=speaker.end if speaker else None,
                speaker_canonical=speaker.canonical if speaker else None,
                speaker_label=speaker.label if speaker else None,
                cue=speaker.cue if speaker else None,
                attribution=attribution,
                confidence=quote_confidence(confidence, kind),
            )
        )
    return found
