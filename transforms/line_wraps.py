"""Hard-wrapped text: line breaks that only wrap a line, told from those that end a paragraph.

Wire copy (Reuters, AP) is wrapped at about 70 characters and marks paragraphs by an
indented line; the parser, the quote finder and the attribution model read every line
break as a paragraph's end, so a sentence wrapped over three lines was three fragments
and a quotation wrapped once was closed at the wrap. `unwrapped` gives the text enrichment
reads: the same length, each wrapping line break a space, so every offset into it is an
offset into the stored body.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

# A line ending so ends a sentence (or a quotation, or a bracket) and may end a paragraph.
_FINAL = tuple('.!?:;"\'”’)]…')
# A wrapped text's lines are no longer than this (but for one in twenty: a URL, a table's
# row); a paragraph per line runs longer.
MAX_WRAP_WIDTH = 100
# Of the lines a wrapped text continues on the next line, at least this share are full: the
# next line's first word would not have fitted on them. A list's or a table's lines are not.
MIN_FULL_SHARE = 0.6
# ... at least this share end inside a sentence (lines of one short sentence each are all
# "full" too) ...
MIN_MID_SENTENCE = 0.5
# ... and at least this share go on with a lower-case word, which a list's or a table's
# rows of one length do not. Of Reuters texts with more than three wraps, 98.5% have 0.3 or
# more (half have 0.8), and every IE-ER text 0.56 or more.
MIN_LOWER_START = 0.3
MIN_WRAPPED_LINES = 3
_LINE_BREAK = re.compile(r"\n")
_URL = re.compile(r"https?:|www\.")


def wrapping_breaks(text: str) -> list[int]:
    """The offsets of the line breaks that only wrap a line. Unless the text is hard-wrapped
    (95% of its lines at most MAX_WRAP_WIDTH long; of those the next line continues, most
    full and ending inside a sentence, and enough followed by a lower-case word), only those
    inside a sentence (`mid_sentence_breaks`). In a wrapped text a break before an indented
    or blank line ends a paragraph, and so does one after a line that is not full and ends a
    sentence."""
    if text.count("\n") < MIN_WRAPPED_LINES:
        return mid_sentence_breaks(text)
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    lines = [text[start:end - 1].rstrip() for start, end in zip(starts, starts[1:])] + [text[starts[-1]:].rstrip()]
    joins = [k for k in range(len(lines) - 1) if lines[k].strip() and _continues(lines[k + 1])]
    if len(joins) < MIN_WRAPPED_LINES:
        return mid_sentence_breaks(text)
    lengths = sorted(len(line) for line in lines if line.strip())
    width = lengths[int(0.95 * (len(lengths) - 1))]
    if width > MAX_WRAP_WIDTH:
        return mid_sentence_breaks(text)
    full = [len(lines[k]) + 1 + len(lines[k + 1].split(None, 1)[0]) > width for k in joins]
    ends = [lines[k].endswith(_FINAL) for k in joins]
    lower = sum(1 for k in joins if lines[k + 1][:1].islower() and not _URL.match(lines[k + 1]))
    if sum(full) < MIN_FULL_SHARE * len(joins) or len(joins) - sum(ends) < MIN_MID_SENTENCE * len(joins) \
            or lower < MIN_LOWER_START * len(joins):
        return mid_sentence_breaks(text)
    return [starts[k + 1] - 1 for k, is_full, ends_sentence in zip(joins, full, ends) if is_full or not ends_sentence]


# A line ending inside a sentence (a letter, a digit or a comma) and the next beginning
# with a lower-case word ("my6sense", "eZ", "iTunes" are names, a link is none): one
# sentence wrapped, in any text. On BBC it never happens; on PolNeAR 11 times in 3 texts and
# on 100 web pages 7 times in 3, all wraps but a German list's 3 lines ("in § 291a ...").
_MID_SENTENCE_BREAK = re.compile(r"(?<=[\w,])\n(?=(?!https?:|www\.)[a-z]+(?!\w))")  # the same links as _URL


def mid_sentence_breaks(text: str) -> list[int]:
    """The line breaks inside a sentence, wherever they are."""
    return [found.start() for found in _MID_SENTENCE_BREAK.finditer(text)]


def _continues(line: str) -> bool:
    """A line that may go on the one before it: not blank, not indented."""
    return bool(line.strip()) and not line[:1].isspace()


def unwrapped(text: str) -> str:
    """The text with each wrapping line break a space (same length, same offsets)."""
    breaks = wrapping_breaks(text)
    if not breaks:
        return text
    chars = list(text)
    for offset in breaks:
        chars[offset] = " "
    return "".join(chars)


class UnwrappingTokenizer:
    """A pipeline's tokenizer reading the text unwrapped: the Doc's text is `unwrapped(text)`,
    of the same length, so every offset the pipeline finds is one into the text given."""

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        return self.tokenizer(unwrapped(text))

    def __getattr__(self, name: str) -> Any:  # explain, vocab, rules, ... are the tokenizer's
        if name == "tokenizer":  # not set yet: an object being unpickled or copied
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


def read_wrapped_lines_as_one(nlp: Language) -> None:
    """Make the pipeline read a wrapped line's break as the space it stands for."""
    if not isinstance(nlp.tokenizer, UnwrappingTokenizer):
        nlp.tokenizer = UnwrappingTokenizer(nlp.tokenizer)
