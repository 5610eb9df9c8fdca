"""Where an attribution's spans end, as PolNeAR's annotators end them.

The attribution model finds and scores spans trimmed of quotation marks and edge
punctuation (the scorer's convention). The annotated spans are not trimmed; they follow a
rule this module writes down:
- a content takes in the quotation marks that touch it, and before a closing mark the
  punctuation inside it (`“We will win,”`), but not punctuation with no mark after it
  (`… the plan would fail.`);
- a cue takes in a colon that touches it (`said:`), no other punctuation;
- a source takes in the parenthesis it opens (`Sen. Roy Blunt (R-Mo.)`), not the comma
  after it (the annotators put it in 882 times and left it out 875 times).
Applied to PolNeAR train's trimmed gold spans, the rule gives back the annotated span for
98.0% of 19,832 contents, 98.8% of 19,665 cues and 94.0% of 18,361 sources, where the
trimmed span itself is the annotated one for 70.4%, 97.8% and 93.4%; dev: 98.1%, 98.6%,
94.9%. Stored spans follow it; the scorer trims, so its figures do not move (`wirehouse
evaluate attributions` also reports spans matched as annotated).
"""

from __future__ import annotations

import re

Span = tuple[int, int]

QUOTATION_MARKS = frozenset("\"“”'‘’`«»")
# A lone one of these after a content closes a quotation only if the content opened one.
SINGLE_MARKS = ("'", "’")
# What may sit between a span and the quotation mark that closes it: `.”`, `,”`, `?”`, `!”`.
PUNCTUATION = frozenset(".,;:!?…-–—)")


def _touching_after(text: str, end: int) -> str:
    """The quotation marks and punctuation right after `end`, up to any other character (a
    space, a letter)."""
    stop = end
    while stop < len(text) and (text[stop] in QUOTATION_MARKS or text[stop] in PUNCTUATION):
        stop += 1
    return text[end:stop]


def _opens_a_single_quotation(words: str) -> bool:
    """Whether a span holds an opening single mark: ‘, or ' at its start or after a space."""
    return "‘" in words or re.search(r"(^|\s)'(?!')", words) is not None


def content_as_annotated(text: str, span: Span) -> Span:
    start, end = span
    opening = start
    while opening > 0 and text[opening - 1] in QUOTATION_MARKS:
        opening -= 1
    if opening > 0 and text[opening - 1].isalnum():
        opening = start  # an apostrophe inside a word ("rock’n’roll"), not a quotation mark
    after = _touching_after(text, end)
    closing = 1 + max((k for k, char in enumerate(after) if char in QUOTATION_MARKS), default=-1)
    if after[:closing] in SINGLE_MARKS and not _opens_a_single_quotation(text[opening:end]):
        closing = 0  # "the president’s", "Sanders’ plan": the apostrophe of a word, no quotation
    return opening, end + closing


def cue_as_annotated(text: str, span: Span) -> Span:
    start, end = span
    return (start, end + 1) if text[end:end + 1] == ":" else span


def source_as_annotated(text: str, span: Span) -> Span:
    start, end = span
    words = text[start:end]
    if words.count("(") > words.count(")"):
        closing = _touching_after(text, end).find(")")
        if closing >= 0:
            return start, end + closing + 1
    return span
