"""Direct quotes and their speakers.

Quotes are found on the characters (quotation marks are more reliable than the
tokenizer or the sentence splitter around them); speakers are found on the parse, in
the text around each quote that is not itself quoted:

1. a cue verb right after the quote ("“…,” he said") or before it ("Bennett said:
   “…”", "according to X"), whose subject is the speaker; failing a cue from the
   lexicon, the subject of the main verb there ("“…!” beamed Hartley", "Dr. Ward
   stated:");
2. for a quote opening a paragraph: a previous paragraph ending in a colon, a
   previous paragraph that is a quote by a known speaker, or a previous paragraph
   whose last sentence has a cue verb ("Bennett also urged …");
3. otherwise the previous quote of the same paragraph ("“…,” he said. “…”").

A pronoun speaker is resolved to the most recent salient person, a title ("the
Prime Minister") to the person the article says holds it, and every speaker to the
canonical entity of the entity resolver.

Contract used by the rest of the pipeline:
- `add_to_pipeline(nlp)` adds the registered component after the entity resolver.
- `Doc._.quotes` is a list of `QuoteMatch`, in text order; `text == doc.text[start_char:end_char]`
  and excludes the quotation marks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from wirehouse.transforms import entities
from wirehouse.transforms.entities import mention_at
from wirehouse.transforms.pos import is_determiner, is_verb

Doc.set_extension("quotes", default=None, force=True)


def _forms(*stems: str) -> set[str]:
    """Every inflected form written out, "say said says saying" -> four entries."""
    return {form for stem in stems for form in stem.split()}


# Matched on the inflected form: the pipeline runs without a lemmatizer.
CUE_VERBS = _forms(
    "say said says saying", "tell told tells telling", "write wrote writes writing written",
    "add added adds adding", "urge urged urges urging", "warn warned warns warning",
    "tweet tweeted tweets tweeting", "explain explained explains explaining",
    "insist insisted insists insisting", "claim claimed claims claiming", "ask asked asks asking",
    "note noted notes noting", "argue argued argues arguing", "declare declared declares declaring",
    "acknowledge acknowledged acknowledges acknowledging", "announce announced announces announcing",
    "state stated states stating", "continue continued continues continuing",
    "recall recalled recalls recalling", "remark remarked remarks remarking",
    "reply replied replies replying", "respond responded responds responding",
    "answer answered answers answering", "admit admitted admits admitting",
    "assert asserted asserts asserting", "concede conceded concedes conceding",
    "confirm confirmed confirms confirming", "predict predicted predicts predicting",
    "promise promised promises promising", "vow vowed vows vowing", "suggest suggested suggests suggesting",
    "observe observed observes observing", "quip quipped quips quipping", "joke joked jokes joking",
    "boast boasted boasts boasting", "complain complained complains complaining",
    "contend contended contends contending", "recount recounted recounts recounting",
    "reiterate reiterated reiterates reiterating", "emphasize emphasized emphasizes emphasizing",
    "stress stressed stresses stressing", "testify testified testifies testifying",
    "shout shouted shouts shouting", "yell yelled yells yelling", "exclaim exclaimed exclaims exclaiming",
    "post posted posts posting", "read reads", "mention mentioned mentions mentioning",
    "report reported reports reporting", "counter countered counters countering",
    "retort retorted retorts retorting", "lament lamented laments lamenting",
    "conclude concluded concludes concluding", "wonder wondered wonders wondering",
    "muse mused muses musing", "thunder thundered thunders thundering", "chant chanted chants chanting",
    "proclaim proclaimed proclaims proclaiming", "pledge pledged pledges pledging",
    "brag bragged brags bragging", "scoff scoffed scoffs scoffing", "sigh sighed sighs sighing",
    "begin began begins beginning", "describe described describes describing",
    "speak spoke speaks speaking", "call called calls calling",
)
PERSON_PRONOUNS = {"he", "she", "him", "her"}
GROUP_PRONOUNS = {"they", "we", "it"}
SPEAKER_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | {"i"}
TITLE_NOUNS = {
    "president", "minister", "secretary", "senator", "governor", "spokesman", "spokeswoman",
    "spokesperson", "chairman", "chairwoman", "chair", "director", "candidate", "nominee", "mayor",
    "leader", "ambassador", "chancellor", "chief", "speaker", "congressman", "congresswoman",
    "representative", "lawmaker", "attorney", "judge", "official", "adviser", "advisor", "manager",
    "strategist", "aide", "general", "commissioner", "king", "queen", "pope", "premier", "sheriff",
}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
SPEAKER_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
OPENING_MARKS = "“„«"
CLOSING_MARKS = "”»"
SENTENCE_END = {".", "!", "?"}
MAX_FRAME_TOKENS = 40

# How much a quote's speaker can be trusted, by how it was found.
CONFIDENCE = {
    "cue_subject": 0.9, "according_to": 0.85, "title": 0.8, "pronoun": 0.75, "colon": 0.75,
    "continuation": 0.7, "verb_subject": 0.6, "preceding_sentence": 0.6, "none": 0.2,
}


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


@dataclass(frozen=True)
class QuoteSpan:
    """Words inside one pair of marks; open/close are the marks' outer edges."""

    start: int
    end: int
    open: int
    close: int


@dataclass(frozen=True)
class Speaker:
    start: int
    end: int
    text: str
    canonical: str | None
    label: str | None
    cue: str | None
    attribution: str


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
        return "close", 2
    return None


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Pair double quotation marks paragraph by paragraph.

    Straight and curly marks pair with each other (a quote may open with " and close
    with ”). A paragraph left open continues when the next paragraph starts with an
    opening mark (the newswire convention for multi-paragraph quotes); otherwise it
    ends at the end of its paragraph. Curly pairs inside an open quote and single
    quotes are quotations within the quotation and stay inside.
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


def _add_span(spans: list[QuoteSpan], text: str, open_mark: int, content_end: int, close: int) -> None:
    start = open_mark + (2 if text.startswith("``", open_mark) else 1)
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


# ---------------------------------------------------------------- the component


@Language.factory("wirehouse_quotes")
def make_quote_extractor(nlp: Language, name: str):
    return QuoteExtractor()


class QuoteExtractor:
    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes = extract_quotes(doc)
        return doc


def add_to_pipeline(nlp: Language) -> None:
    nlp.add_pipe("wirehouse_quotes", after="wirehouse_entity_resolver")


def extract_quotes(doc: Doc) -> list[QuoteMatch]:
    text = doc.text  # rebuilt from the tokens on every access: read once
    spans = find_quote_spans(text)
    if not spans:
        return []
    context = _Context(doc, text, spans)
    found: list[QuoteMatch] = []
    speakers: list[Speaker | None] = []
    for index, span in enumerate(spans):
        words = len(text[span.start : span.end].split())
        kind = quote_type(text, span, words)
        speaker = context.speaker(index, speakers)
        if speaker is not None and speaker.start < span.end and span.start < speaker.end:
            speaker = None  # a "speaker" overlapping the quote's own words is the quote misparsed
        speakers.append(speaker)
        attribution = speaker.attribution if speaker else "none"
        confidence = CONFIDENCE[attribution]
        if speaker and speaker.canonical is None and attribution in ("pronoun", "title"):
            confidence -= 0.15
        if kind == "partial":
            confidence *= 0.8
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
                confidence=round(confidence, 3),
            )
        )
    return found


class _Context:
    """Per-document lookups shared by all quotes of a Doc."""

    def __init__(self, doc: Doc, text: str, spans: list[QuoteSpan]):
        self.doc = doc
        self.text = text
        self.spans = spans
        self.token_starts = doc.to_array(IDX).tolist()  # one C-level pass, no Token objects
        self.paragraphs = paragraphs(self.text)
        self.paragraph_starts = [start for start, _ in self.paragraphs]
        self.quoted = [(span.open, span.close) for span in spans]
        self.quoted_starts = [span.open for span in spans]
        self.mentions = [
            m for m in (doc._.resolved_mentions or ()) if not self.in_quote(m.start_char)
        ]
        self.mention_starts = [m.start_char for m in self.mentions]

    # -- positions

    def token_at(self, char: int) -> int:
        """Index of the token containing (or starting after) a character."""
        return max(bisect.bisect_right(self.token_starts, char) - 1, 0)

    def paragraph_of(self, char: int) -> int:
        return max(bisect.bisect_right(self.paragraph_starts, char) - 1, 0)

    def in_quote(self, char: int) -> bool:
        k = bisect.bisect_right(self.quoted_starts, char) - 1
        return k >= 0 and self.quoted[k][0] <= char < self.quoted[k][1]

    def starts_paragraph(self, span: QuoteSpan) -> bool:
        start = self.paragraph_starts[self.paragraph_of(span.open)]
        return not self.text[start : span.open].strip()

    # -- frames: unquoted tokens around a quote

    def after_frame(self, index: int) -> list[Token]:
        """Unquoted tokens after the quote up to the sentence end, the next quote or
        the paragraph end."""
        span = self.spans[index]
        limit = self.spans[index + 1].open if index + 1 < len(self.spans) else len(self.text)
        newline = self.text.find("\n", span.close)
        limit = min(limit, newline if newline >= 0 else limit)
        frame: list[Token] = []
        i = self.token_at(span.close)
        while i < len(self.doc) and len(frame) < MAX_FRAME_TOKENS:
            token = self.doc[i]
            if token.idx >= limit:
                break
            if token.idx >= span.close:
                if token.text in SENTENCE_END:
                    break
                frame.append(token)
            i += 1
        return frame

    def before_frame(self, index: int) -> list[Token]:
        """Unquoted tokens from the start of the sentence (or the previous quote, or
        the paragraph) up to the quote."""
        span = self.spans[index]
        floor = max(self.paragraph_starts[self.paragraph_of(span.open)], self.spans[index - 1].close if index else 0)
        frame: list[Token] = []
        i = self.token_at(span.open)
        i -= self.doc[i].idx >= span.open
        while i >= 0 and len(frame) < MAX_FRAME_TOKENS:
            token = self.doc[i]
            if token.idx < floor or token.text in SENTENCE_END:
                break
            if token.idx + len(token) <= span.open:
                frame.append(token)
            i -= 1
        frame.reverse()
        return frame

    def sentence_frame(self, end_char: int) -> list[Token]:
        """Unquoted tokens of the last sentence ending before end_char."""
        i = self.token_at(end_char - 1)
        while i >= 0 and (self.doc[i].is_space or self.doc[i].idx >= end_char):
            i -= 1
        if i < 0:
            return []
        sent = self.doc[i].sent
        return [t for t in sent if t.idx < end_char and not self.in_quote(t.idx)]

    # -- speakers

    def speaker(self, index: int, previous: list[Speaker | None]) -> Speaker | None:
        span = self.spans[index]
        after, before = self.after_frame(index), self.before_frame(index)
        near_before = before[-4:]
        attaches = self.after_frame_attaches(index, after)
        found = (
            self.from_frame(near_before, last=True)
            or (self.from_frame(after, last=False) if attaches else None)
            or self.from_frame(before, last=True)
            or (self.from_verb(before, "colon") if before and before[-1].text == ":" else None)
            or (self.from_verb(after, "verb_subject", first=True) if attaches else None)
            or self.from_verb(before, "verb_subject")
        )
        if found:
            return found
        if self.starts_paragraph(span):
            return self.from_previous_paragraph(index, previous)
        same_paragraph = index and self.paragraph_of(self.spans[index - 1].close - 1) == self.paragraph_of(span.open)
        if same_paragraph and previous[-1]:
            return _with_attribution(previous[-1], "continuation")
        return None

    def after_frame_attaches(self, index: int, frame: list[Token]) -> bool:
        """Text after a quote attributes it when the quote does not end its sentence
        ("“…,” he said") or the sentence after it is short ("“….” Bennett said.")."""
        if not frame:
            return False
        span = self.spans[index]
        last = self.text[span.start : span.end].rstrip()[-1:]
        return last != "." or len(frame) <= 6

    def from_frame(self, frame: list[Token], last: bool) -> Speaker | None:
        """The subject of the cue verb nearest the quote in a frame."""
        ordered = list(reversed(frame)) if last else frame
        for token in ordered:
            lower = token.lower_
            if lower == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
                objects = [c for c in self.doc[token.i + 1].children if c.dep_ == "pobj"]
                if objects:
                    return self.make_speaker(objects[0], "according to", "according_to")
            if lower in CUE_VERBS and token.tag_.startswith("VB"):
                subject = _subject_of(token)
                if subject is None or self.in_quote(subject.idx):
                    subject = self.nearest_name(frame, token)
                if subject is not None:
                    return self.make_speaker(subject, token.text, "cue_subject")
        return None

    def nearest_name(self, frame: list[Token], cue: Token) -> Token | None:
        """A named entity or pronoun in the frame when the parse gives the cue no subject."""
        candidates = [t for t in frame if t.ent_type_ in SPEAKER_LABELS or t.lower_ in SPEAKER_PRONOUNS]
        if not candidates:
            return None
        return min(candidates, key=lambda t: abs(t.i - cue.i))

    def from_verb(self, frame: list[Token], attribution: str, first: bool = False) -> Speaker | None:
        """The subject of the main verb of a frame when no cue verb is there: "Continued
        Stone:", "“…!” beamed Hartley". After a quote the first verb counts, before it
        the one closest to the root of the parse."""
        verbs = [t for t in frame if is_verb(t) and self.unquoted_subject(t) is not None]
        if not verbs:
            return None
        verb = verbs[0] if first else min(verbs, key=_depth)
        return self.make_speaker(self.unquoted_subject(verb), verb.text, attribution)

    def unquoted_subject(self, verb: Token) -> Token | None:
        subject = _subject_of(verb, climb=False)
        return subject if subject is not None and not self.in_quote(subject.idx) else None

    def from_previous_paragraph(self, index: int, previous: list[Speaker | None]) -> Speaker | None:
        """A quote opening a paragraph, with no cue of its own, belongs to the speaker
        the previous paragraph introduces: by a colon, by quoting them, or by a cue verb
        in its last sentence."""
        paragraph = self.paragraph_of(self.spans[index].open)
        if paragraph == 0:
            return None
        end = self.paragraphs[paragraph - 1][1]
        frame = self.sentence_frame(end)
        if self.text[end - 1] == ":":
            found = self.from_frame(frame, last=True) or self.from_verb(frame, "colon")
            if found:
                return _with_attribution(found, "colon")
        if index and previous[-1] and self.paragraph_of(self.spans[index - 1].close - 1) >= paragraph - 1:
            return _with_attribution(previous[-1], "continuation")
        found = self.from_frame(frame, last=False)
        return _with_attribution(found, "preceding_sentence") if found else None

    def make_speaker(self, head: Token, cue: str, attribution: str) -> Speaker:
        """The local mention around a subject token, linked to its canonical entity."""
        lower = head.lower_
        if lower in SPEAKER_PRONOUNS:
            canonical = self.resolve_pronoun(head)
            return Speaker(head.idx, head.idx + len(head), head.text,
                           canonical.canonical_name if canonical else None,
                           canonical.label if canonical else None, cue,
                           "pronoun" if attribution in ("cue_subject", "verb_subject") else attribution)
        mention = mention_at(self.doc, head.idx, head.idx + len(head))
        if mention is not None and mention.label in SPEAKER_LABELS:
            return Speaker(mention.start_char, mention.end_char, mention.text,
                           mention.canonical_name, mention.label, cue, attribution)
        phrase = _noun_phrase(head)
        if lower in TITLE_NOUNS:
            holder = self.resolve_title(phrase, head)
            return Speaker(phrase.start_char, phrase.end_char, phrase.text,
                           holder.canonical_name if holder else None,
                           holder.label if holder else None, cue,
                           "title" if attribution in ("cue_subject", "verb_subject") else attribution)
        return Speaker(phrase.start_char, phrase.end_char, phrase.text, None, None, cue, attribution)

    def resolve_pronoun(self, pronoun: Token):
        """The most recent salient compatible mention before a pronoun: in the nearest
        sentence that has one, its grammatical subject if any, else its first one."""
        labels = {"PERSON"} if pronoun.lower_ in PERSON_PRONOUNS | {"i"} else {"ORG", "NORP", "GPE"}
        k = bisect.bisect_left(self.mention_starts, pronoun.idx) - 1
        best = None
        sentence_start = None
        while k >= 0:
            mention = self.mentions[k]
            if mention.label in labels:
                token = self.doc[self.token_at(mention.start_char)]
                start = token.sent.start_char
                if sentence_start is not None and start != sentence_start:
                    break
                sentence_start = start
                best = mention
                if _is_subject(self.doc, self.token_at(mention.start_char), self.token_at(mention.end_char - 1)):
                    return mention
            k -= 1
        return best

    def resolve_title(self, phrase: Span, head: Token):
        """The person holding a title ("the Prime Minister"), if the article says so."""
        title = " ".join(t.text for t in phrase if t.dep_ != "det" and not is_determiner(t))
        person_for_title = getattr(entities, "person_for_title", None)
        holder = person_for_title(self.doc, title) if person_for_title is not None else None
        if holder is not None:
            return holder
        wanted = title.lower()
        k = bisect.bisect_left(self.mention_starts, phrase.start_char) - 1
        while k >= 0:
            mention = self.mentions[k]
            if mention.label == "PERSON" and mention.role and mention.role.lower() in (wanted, head.lower_):
                return mention
            k -= 1
        return None


def _with_attribution(speaker: Speaker, attribution: str) -> Speaker:
    return Speaker(speaker.start, speaker.end, speaker.text, speaker.canonical, speaker.label, speaker.cue,
                   attribution)


def _subject_of(verb: Token, climb: bool = True) -> Token | None:
    """The subject of a cue verb, looking up the parse through conjunctions and
    participles ("smiled and said", "before asking her") to the verb that has one; a
    relative pronoun stands for the noun it modifies ("Packer, who said")."""
    for _ in range(4):
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS:
                if child.lower_ in ("who", "that") and verb.dep_ == "relcl":
                    return verb.head
                return child
        if not climb or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _depth(token: Token) -> int:
    """Distance to the root; bounded, because a parse can hold a cycle."""
    depth = 0
    for _ in range(len(token.doc)):
        if token.head.i == token.i:
            break
        token, depth = token.head, depth + 1
    return depth


def _noun_phrase(head: Token) -> Span:
    """The subject's noun phrase up to its head ("the Prime Minister", "a spokesman")."""
    start = head.left_edge.i
    while start < head.i and head.doc[start].is_punct:
        start += 1
    return head.doc[start : head.i + 1]


def _is_subject(doc: Doc, first: int, last: int) -> bool:
    return any(doc[i].dep_ in SUBJECT_DEPS for i in range(first, last + 1))
