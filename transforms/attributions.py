"""Who said what, quoted or reported: the `wirehouse_attributions` component.

Direct quotes are one kind of attribution; two in three attributions in news are reported
speech ("The minister said the plan would fail"), which only the parse can find. The
attribution model (attribution_model.py) finds each attribution's cue, content and source;
this component links the source to the person or organisation it is, the way quote
speakers are linked (speakers.py: pronouns to their antecedent, titles to their holder, a
spokesman to the organisation named with him).

Contract used by the rest of the pipeline:
- `Doc._.attributions` is a list of `AttributionMatch`, in text order; offsets are into
  `doc.text`; content, cue and source end where PolNeAR's annotators end them: a quoted
  content with its quotation marks (`“We will win,”`), a cue with its colon (span_edges.py).
- A cue or source lies outside its content, or in a gap the content's words surround: an
  interrupted quotation's unquoted gap ("“A,” he said. “B.”"), or inside a reported content
  that wraps around it ("The bigger risk, he said, is a clash"); see attribution_roles.py.
- A quote and the attribution holding it name one speaker (`agree_on_speakers`), so this
  component rewrites `Doc._.quotes` too.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from wirehouse.transforms import attribution_model, extensions  # noqa: F401 (registers the Doc attributes)
from wirehouse.transforms.attribution_roles import roles_outside
from wirehouse.transforms.quote_spans import find_quote_spans
from wirehouse.transforms.quotes import QuoteMatch, spoken_by
from wirehouse.transforms.span_edges import content_as_annotated, cue_as_annotated, source_as_annotated
from wirehouse.transforms.speakers import INDEFINITE_WORDS, MADE_BY, Speaker, SpeakerFinder

# How a cue is headed (the tag of the anchor word) and how the content was found (the kind
# of candidate span the model chose): together, the `method` stored with each attribution.
CUE_KINDS = {"VB": "verb", "NN": "noun", "IN": "preposition", "JJ": "adjective", "RB": "adverb"}
CONTENT_KINDS = (("q", "quotation"), ("subjcomp", "subject_complement"), ("relsubjcomp", "subject_complement"),
                 ("d", "dependent"), ("cutlast", "dependent"), ("cut1", "cut_at_clause_break"),
                 ("rhull", "right_dependents"), ("hhead", "head_clause"), ("head", "head_clause"),
                 ("sent", "sentence_rest"), ("sub", "sentence_rest"), ("strip", "without_leading_word"))


@dataclass(frozen=True)
class AttributionMatch:
    attribution_type: str  # direct | mixed | indirect
    content_start: int
    content_end: int
    cue_start: int | None
    cue_end: int | None
    source_start: int | None
    source_end: int | None
    speaker: Speaker | None  # who the source is; canonical None (with a reason) when no person or organisation
    confidence: float
    method: str  # "<cue kind>_cue.<content kind>", e.g. "verb_cue.dependent"


@functools.lru_cache(maxsize=1)
def default_model() -> attribution_model.Model:
    return attribution_model.load_model()


@functools.lru_cache(maxsize=1)
def model_version() -> str:
    """The weights' content hash: new weights are a new enrichment version."""
    return hashlib.sha256(Path(attribution_model.DEFAULT_MODEL).read_bytes()).hexdigest()[:12]


@Language.factory("wirehouse_attributions", assigns=["doc._.attributions", "doc._.quotes"],
                  requires=["doc._.resolved_mentions", "doc._.quotes", "token.dep", "token.tag", "token.head",
                            "doc.sents", "doc.tensor"])
def make_attribution_extractor(nlp: Language, name: str):
    return AttributionExtractor(default_model())


class AttributionExtractor:
    def __init__(self, model: attribution_model.Model):
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        doc._.quotes, doc._.attributions = agree_on_speakers(doc._.quotes or [], extract_attributions(doc, self.model))
        return doc


def extract_attributions(doc: Doc, model: attribution_model.Model) -> list[AttributionMatch]:
    text = doc.text  # rebuilt from the tokens on every access: read once
    found = attribution_model.extract(doc, model, text=text)
    if not found:
        return []
    quote_spans = find_quote_spans(text)
    quoted = [(span.open, span.close) for span in quote_spans]
    finder = None
    matches = []
    for raw in found:
        content = content_as_annotated(text, tuple(raw["content"]))
        cue = cue_as_annotated(text, tuple(raw["cue"])) if raw["cue"] and raw["cue"][0] < raw["cue"][1] else None
        source = source_as_annotated(text, tuple(raw["source"])) if raw["source"] else None
        if not roles_outside(content, (cue, source), raw["attribution_type"], quoted) \
                or is_its_cues_subject(doc, content, cue):
            continue
        speaker = None
        if source is not None:
            finder = finder or SpeakerFinder(doc, text, quote_spans)
            speaker = speaker_of(doc, finder, source, text[cue[0]:cue[1]] if cue else None)
        matches.append(AttributionMatch(raw["attribution_type"], content[0], content[1],
                                        cue[0] if cue else None, cue[1] if cue else None,
                                        source[0] if source else None, source[1] if source else None,
                                        speaker, float(raw["confidence"]), method_name(raw["method"])))
    return matches


def is_its_cues_subject(doc: Doc, content: tuple[int, int], cue: tuple[int, int] | None) -> bool:
    """A content that is only the pronoun subject of its own cue ('"...," he added': "he") is
    who spoke, not what was said: no attribution. On BBC 130 rows were a lone pronoun, 68 of
    them such subjects (mostly "he added" after a quotation another attribution holds; the
    others, "support him", "denied it", are what PolNeAR annotates); on 400 PolNeAR train
    articles 6 were such subjects, 1 of them annotated so; dev had none."""
    if cue is None:
        return False
    span = doc.char_span(content[0], content[1], alignment_mode="expand")
    if span is None or len(span) != 1:
        return False
    token = span[0]
    return token.dep_ == "nsubj" and token.tag_ == "PRP" and token.head.idx <= cue[0] < token.head.idx + len(token.head)


def holding_attribution(start: int, end: int, attributions: list[tuple[int, int, int | None]]) -> int | None:
    """The index of the attribution (content start, content end, source start) whose content
    shares the most characters with start..end, None if none does. One whose source lies
    inside start..end is someone the quote's speaker quotes ("... The Audit Commission has
    said that ..." inside Jonathan Morgan's words), so it holds nothing."""
    best, shared = None, 0
    for index, (content_start, content_end, source_start) in enumerate(attributions):
        if source_start is not None and start <= source_start < end:
            continue
        overlap = min(end, content_end) - max(start, content_start)
        if overlap > shared:
            best, shared = index, overlap
    return best


def agree_on_speakers(quotes: list[QuoteMatch],
                      attributions: list[AttributionMatch]) -> tuple[list[QuoteMatch], list[AttributionMatch]]:
    """A quote and the attribution holding it name one speaker: the attribution's when it names
    someone, else that of the first quote it holds that does. The attribution's source comes
    from a model trained on PolNeAR; where the two named different speakers on PolNeAR train,
    the attribution's was right 73 times in 100 and the quote's 32, and where only the
    attribution named one, 92 in 100. A source that is someone the article does not name ("a
    spokeswoman said") names no one: it takes no quote's speaker, and the quotes it holds take
    it as theirs, unless the quote's is an organisation named in it ("an Eton spokesperson")."""
    if not quotes or not attributions:
        return quotes, attributions
    holdings = [(a.content_start, a.content_end, a.source_start) for a in attributions]
    holders = [holding_attribution(quote.start_char, quote.end_char, holdings) for quote in quotes]
    attributions = list(attributions)
    for quote, index in zip(quotes, holders):
        speaker = attributions[index].speaker if index is not None else None
        if index is not None and quote.speaker_canonical is not None and (speaker is None or speaker.canonical is None) \
                and not names_no_one(attributions[index], quote):
            attributions[index] = dataclasses.replace(attributions[index], speaker=Speaker(
                quote.speaker_start_char, quote.speaker_end_char, quote.speaker_text, quote.speaker_canonical,
                quote.speaker_label, quote.cue, "quote"))
    agreed = []
    for quote, index in zip(quotes, holders):
        speaker = attributions[index].speaker if index is not None else None
        names_another = speaker is not None and speaker.canonical is not None \
            and speaker.canonical != quote.speaker_canonical
        is_unnamed_source = index is not None and names_no_one(attributions[index], quote) \
            and (quote.speaker_canonical is not None or quote.speaker_start_char != speaker.start)
        # a source inside the quote's own words is the quote misparsed, as in extract_quotes
        inside = speaker is not None and speaker.start < quote.end_char and quote.start_char < speaker.end
        if (names_another or is_unnamed_source) and not inside:
            quote = spoken_by(quote, speaker, "attribution")
        agreed.append(quote)
    return agreed, attributions


# What is said rather than who said it ("a statement", "an interview"): such a source leaves
# the speaker to be named beside it ("Jake Sullivan said in a statement"), as a quote's may be.
# On PolNeAR train, 9 of the 18 indefinite sources that had taken a quote's speaker were these;
# the other 9 had all taken someone else.
_SAID_IN_WORDS = (
    "interview", "account", "transcript", "message", "sign", "text", "speech", "call", "email", "e-mail", "tweet",
    "post", "posting", "release", "note", "notice", "announcement", "comment", "remark", "article", "column", "book",
    "video", "podcast", "advert", "advertisement", "broadcast", "programme", "documentary", "website", "blog",
    "filing", "lawsuit", "petition", "document", "briefing", "conference", "editorial", "op-ed", "ruling", "story")
SAID_IN = frozenset(MADE_BY) | frozenset(_SAID_IN_WORDS) | {word + "s" for word in _SAID_IN_WORDS} | {
    "speeches", "stories", "letters", "memos"}


def unnamed(speaker: Speaker | None) -> bool:
    """A source that is someone the article does not name: an indefinite description of people
    naming no one ("a spokeswoman", "a police spokesman", "a Trump supporter", "another"),
    which a quote's speaker, found another way (often the nearest person named), seldom is. On
    BBC, 7 in 10 of the speakers such attributions had taken from a quote were someone else
    (the broadcaster's "a spokeswoman" the presenter, "A spokesman" the politician he spoke
    for); the other 3 were right, for "an Eton spokesperson" and a source cut wrong ("a period")."""
    if speaker is None or speaker.canonical is not None:
        return False
    words = speaker.text.split()
    return bool(words) and words[0].lower() in INDEFINITE_WORDS and words[-1].lower() not in SAID_IN


def names_no_one(attribution: AttributionMatch, quote: QuoteMatch) -> bool:
    """The attribution's source is someone unnamed, and the quote's speaker no organisation or
    place named inside that source ("one reviewer in Rolling Stone magazine" and "an Eton
    spokesperson" speak for it; "a Trump supporter" is not Trump, "a Spanish troupe" no Spaniard)."""
    if not unnamed(attribution.speaker):
        return False
    return not (quote.speaker_label in ("ORG", "GPE") and quote.speaker_start_char is not None
                and attribution.source_start is not None and attribution.source_start <= quote.speaker_start_char
                and quote.speaker_end_char <= attribution.source_end)


def speaker_of(doc: Doc, finder: SpeakerFinder, source: tuple[int, int], cue: str | None) -> Speaker | None:
    """The source's head word (the token of the span whose head lies outside it) as a speaker."""
    span = doc.char_span(source[0], source[1], alignment_mode="expand")
    if span is None or not len(span):
        return None
    return finder.make_speaker(span.root, cue, "cue_subject")


def method_name(raw: str) -> str:
    """"anchor:VB>content:d1:ccomp" -> "verb_cue.dependent"."""
    anchor, _, content = raw.partition(">content:")
    tag = anchor.removeprefix("anchor:")
    cue_kind = CUE_KINDS.get(tag[:2], "punctuation" if tag[:1] in ":-,." or tag in ("HY", "NF") else "other")
    content_kind = next((name for prefix, name in CONTENT_KINDS if content.startswith(prefix)), "other")
    return f"{cue_kind}_cue.{content_kind}"
