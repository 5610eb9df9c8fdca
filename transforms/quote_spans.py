"""Quotation marks paired into quotes, on the characters.

Quotes are found on the text, not the tokens: quotation marks are more reliable than the
tokenizer or the sentence splitter around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING_MARKS = "“„«"
CLOSING_MARKS = "”»"


@dataclass(frozen=True)
class QuoteSpan:
    """Words inside one pair of marks; open/close are the marks' outer edges."""

    start: int
    end: int
    open: int
    close: int


# ---------------------------------------------------------------- quotation marks


# where the scan has something to decide: a line break or any quotation mark
_MARK_OR_NEWLINE = re.compile("[\\n\"" + OPENING_MARKS + CLOSING_MARKS + "]|``|''")


def _mark_at(text: str, i: int) -> tuple[str, int] | None:
    """("open"|"close"|"either", length) for a quotation mark starting at i."""
    char = text[i]
    if char in OPENING_MARKS:
        return "open", 1
    if char in CLOSING_MARKS:
        return "close", 1
    if char == '"':
        return "either", 1
    if text.startswith("``", i):
        return "open", 2
    if text.startswith("''", i):
        return "either", 2  # newswire closes with it, and some papers open with it too
    return None


_OPENS_BEFORE = "([{—–-/"
_CLOSES_BEFORE = ",.;:!?)]}…—–-'’"


def straight_mark_shape(text: str, i: int, length: int = 1) -> str | None:
    """Which way a straight mark (`"`, `''`) faces: "open" after a space or an opening
    bracket and before a word, "close" after a word and before a space, punctuation or the
    end, None when it could be either."""
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + length] if i + length < len(text) else "\n"
    if (before.isspace() or before in _OPENS_BEFORE) and (after.isalnum() or after in "'‘[($£€…"):
        return "open"
    if not before.isspace() and before not in _OPENS_BEFORE and (after.isspace() or after in _CLOSES_BEFORE):
        return "close"
    return None


def opens_anew(text: str, open_at: int, i: int) -> bool:
    """Whether a straight mark opening at i, while the quote opened at open_at is still open,
    starts a new quote rather than one inside it: it comes after a full stop ('... in that
    direction. "If the imbalances ...': paragraphs run together, the first left without its
    closing mark), or after a colon once the open quote has run past a full stop ('... a
    Muslim. He added: "The authorities ...'). After a word or a comma it is a quotation
    inside the quotation ('says, "I'd like ...," you know', 'the "time-shifting" debate')."""
    k = _before(text, i)
    if k > 0 and text[k] in "'’":
        k -= 1
    if k >= 0 and text[k] in ".?!…":
        return True
    return k >= 0 and text[k] == ":" and _SENTENCE_END.search(text, open_at, k) is not None


_SENTENCE_END = re.compile(r"[.?!…][\"'’”]*\s")


def _before(text: str, i: int) -> int:
    """The position of the last character before i that is no space (a line break counts)."""
    k = i - 1
    while k >= 0 and text[k].isspace() and text[k] != "\n":
        k -= 1
    return k


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Pair double quotation marks paragraph by paragraph.

    Straight and curly marks pair with each other (a quote may open with " and close
    with ”). A paragraph left open continues when the next paragraph starts with an
    opening mark (the newswire convention for multi-paragraph quotes); otherwise it
    ends at the end of its paragraph. Curly pairs inside an open quote and single
    quotes are quotations within the quotation and stay inside. A straight mark (" or
    '') faces the way its neighbours show: one opening while a quote is open starts a
    new quote where `opens_anew` says so, else a quotation within the quotation; one
    closing with nothing open is no quote.
    """
    spans: list[QuoteSpan] = []
    open_at: int | None = None
    depth = 0
    n = len(text)
    found = _MARK_OR_NEWLINE.search(text)
    while found is not None:
        i = found.start()
        if text[i] == "\n":
            if open_at is not None:
                j = i
                while j < n and text[j].isspace():
                    j += 1
                mark = _mark_at(text, j) if j < n else None
                if mark and mark[0] != "close":
                    depth = 1  # the quote goes on in the next paragraph
                    found = _MARK_OR_NEWLINE.search(text, j + mark[1])
                    continue
                _add_span(spans, text, open_at, i, i)
                open_at = None
            found = _MARK_OR_NEWLINE.search(text, i + 1)
            continue
        kind, length = _mark_at(text, i)
        if kind == "either":
            # a straight mark faces the way its neighbours show; one closing with nothing
            # open (an inch sign, a lost opening mark) opens nothing
            shape = straight_mark_shape(text, i, length)
            if shape == "open" and open_at is not None and depth == 1 and opens_anew(text, open_at, i):
                _add_span(spans, text, open_at, i, i)  # the open quote ran on unclosed
                open_at = None
            kind = shape or kind
        if open_at is None and kind != "close":
            open_at, depth = i, 1
        elif open_at is not None and kind == "open":
            depth += 1  # a quotation inside the quotation
        elif open_at is not None:
            depth -= 1
            if depth == 0 or kind == "either":
                _add_span(spans, text, open_at, i, i + length)
                open_at = None
        found = _MARK_OR_NEWLINE.search(text, i + length)
    if open_at is not None:
        _add_span(spans, text, open_at, n, n)
    return spans


_PAIRED_MARK = re.compile(r"``|''|[\"“”]|\n")


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Double-quote regions (character spans with their marks), paired within a paragraph:
    what the attribution model reads as quoted and its scorer types by
    (`evaluation.attributions.quoted_mask`). A quote left open at a paragraph's end is
    closed there (news style reopens it in the next paragraph); a curly opening mark inside
    an open quote starts a new one; a straight mark (`"`, `''`) faces the way its neighbours
    show: one opening while a quote is open ends that quote there when `opens_anew` says
    so, else it is a quotation inside it; one closing with nothing open is no quote. Regex
    based because a character loop costs ~2 ms per document, a large part of the model's
    budget."""
    out = []
    open_at = None
    inner = 0   # straight quotations open inside the open one
    for m in _PAIRED_MARK.finditer(text):
        q = m.group()
        if q == "\n":
            if open_at is not None:
                out.append((open_at, m.start()))
                open_at, inner = None, 0
            continue
        kind = "open" if q in ("“", "``") else ("close" if q == "”" else "any")
        if q == '"' or q == "''":
            shape = straight_mark_shape(text, m.start(), len(q))
            if shape == "close" and open_at is None:
                continue
            if shape == "open" and open_at is not None:
                if inner == 0 and opens_anew(text, open_at, m.start()):
                    out.append((open_at, m.start()))
                    open_at = m.start()
                else:
                    inner += 1
                continue
            if shape == "close" and inner:
                inner -= 1
                continue
        if open_at is None:
            if kind != "close":
                open_at = m.start()
        elif kind == "open":
            open_at = m.start()
        else:
            out.append((open_at, m.end()))
            open_at, inner = None, 0
    if open_at is not None:
        out.append((open_at, len(text)))
    return out


def _add_span(spans: list[QuoteSpan], text: str, open_mark: int, content_end: int, close: int) -> None:
    start = open_mark + (2 if text.startswith(("``", "''"), open_mark) else 1)
    end = content_end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(QuoteSpan(start, end, open_mark, close))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the non-blank lines: news paragraphs are separated by one or
    more line breaks."""
    found = []
    start = 0
    for line in text.split("\n"):
        stripped = line.rstrip()
        if stripped.strip():
            found.append((start, start + len(stripped)))
        start += len(line) + 1
    return found


# ---------------------------------------------------------------- quote type


def quote_type(text: str, span: QuoteSpan, word_count: int) -> str:
    """"direct" for quoted speech, "partial" for quoted phrases inside a sentence
    (“difficult and tragic”, titles, scare quotes)."""
    i = span.open - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    previous = text[i] if i >= 0 else "\n"
    inner = text[span.start : span.end]
    ends_like_speech = inner[-1] in ".,?!…—-:;"
    if previous in "\n.!?:;":
        return "direct" if word_count >= 10 or ends_like_speech else "partial"
    if previous == "," or previous in "—–-(":
        return "direct" if word_count >= 4 or (inner[0].isupper() and ends_like_speech) else "partial"
    return "direct" if word_count >= 6 and (inner[0].isupper() or ends_like_speech) else "partial"
