"""Who said a quote: the speaker found on the parse, in the unquoted text around it.

1. a cue verb right after the quote ("“…,” he said") or before it ("Bennett said:
   “…”", "according to X"), whose subject is the speaker; failing a cue from the
   lexicon, the subject of the main verb there ("“…!” beamed Hartley", "Dr. Ward
   stated:");
2. for a quote opening a paragraph: a previous paragraph ending in a colon, a
   previous paragraph that is a quote by a known speaker, or a previous paragraph
   whose last sentence has a cue verb ("Bennett also urged …");
3. otherwise the previous quote of the same paragraph ("“…,” he said. “…”").

A pronoun speaker is resolved to the subject of the nearest sentence naming someone it can
stand for (or to what that sentence's own pronoun subject stands for, never to a name in the
clause it reports nor to one of the other sex by honorific), a title ("the Prime Minister",
"the Florida senator") to the person the article says holds it, one of a group ("the
Kentucky Republican") to the person named beside its words, a noun in apposition to a name
to that name, a spokesman, official, campaign, ministry or poll to whom it speaks for, a
report, figures or a statement to whoever made them ("figures from the Bank of England"), a
relative pronoun ("who", "which") to the noun its clause describes, a name the NER missed to
the mention the article has elsewhere, and every speaker to the canonical entity of the
entity resolver.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.attrs import IDX
from spacy.tokens import Doc, Span, Token

from wirehouse.transforms.cues import CUE_VERBS, PERSON_PRONOUNS, SPEAKER_PRONOUNS
from wirehouse.transforms.entity_resolver import mention_at, person_for_title
from wirehouse.transforms.lexicon import (HONORIFIC_GENDER, LOCAL_OFFICES, NATIONS, PERSON_ROLE_NOUNS, TITLE_HEADS,
                                          TITLE_MODIFIERS)
from wirehouse.transforms.names import DETERMINERS, name_key, title_words
from wirehouse.transforms.person_names import HONORIFIC_BEFORE
from wirehouse.transforms.pos import is_determiner, is_verb
from wirehouse.transforms.quote_spans import QuoteSpan, paragraphs

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
RELATIVE_PRONOUNS = {"which", "that", "who", "whom"}
SPOKESPERSONS = {"spokesman", "spokeswoman", "spokesperson", "spokesmen", "spokeswomen", "spokespeople"}
# Nouns an organisation is called by. "The Reuters news agency", "The Usdaw trade union" and
# "the Labour party" speak for the organisation named as the noun's own modifier (SPEAKS_FOR);
# "Sony's parent company", "a Microsoft-backed group" and "the Arsenal supporters club" do
# not speak for the name they hold.
ORGANISATION_NOUNS = {"company", "firm", "group", "bank", "airline", "carrier", "retailer", "maker",
                      "manufacturer", "giant", "operator", "network", "broadcaster", "studio", "club",
                      "newspaper", "paper", "agency", "regulator", "watchdog", "union", "charity", "party"}
# "The company said": a definite description of an organisation stands for one as "it" does,
# the subject of the nearest sentence naming an organisation, near before it (SENTENCES_BACK;
# on BBC, of 30 sampled 22 were right, the rest a regulator or union that was the
# subject, or a product tagged as an organisation). Left out: "the paper", "the newspaper",
# "the union" and "the party", whose antecedent is seldom the last organisation a sentence
# had for its subject ("British Airways said it would cut 500 jobs. The union said",
# "according to the FT ... the paper said"; of the BBC papers resolved so, 1 in 3 was right,
# of the parties none).
DESCRIPTION_NOUNS = ORGANISATION_NOUNS - {"newspaper", "paper", "union", "party"}
# How far back "the company" and a bare "the spokesman" look for whom they stand for: their
# paragraph and the one before, or their sentence and the three before, whichever reaches
# further. Paragraphs alone do not measure it: a wire story wrapped at 65 characters breaks
# every line (Reuters: a paragraph limit left 4,086 of 4,254 descriptions without a speaker,
# most of them named two lines before); sentences alone count each sentence of a quotation
# (BBC: 4 right ones lost behind a quoted paragraph).
SENTENCES_BACK = 3
# Words that make a description another organisation than the last one named ("Microsoft
# sued Sony ... The rival company said").
OTHER_ORGANISATION_WORDS = {"rival", "other", "another", "new", "parent", "sister", "combined", "merged",
                            "former", "second"}


@dataclass(frozen=True)
class Makers:
    """Who may have made what a noun names, by where the phrase names them: before the noun
    ("Labor Department figures") or after it ("figures from the Ministry of Commerce")."""

    before: tuple[str, ...]
    after: tuple[str, ...]


# What people or organisations publish, and who may have made it when the phrase says so after
# the noun ("figures from the Ministry of Commerce", "a study by the Society for Consumer
# Research", "a statement from Mr Spitzer's office"); before it, only an organisation ("Labor
# Department figures") or for a statement or letter a person ("Mr Tanzi's statement"), as
# "the latest UK house price figures" are no figures the UK made. On BBC 250 attributions
# whose source was such a noun had no speaker, about half naming who made it.
MADE_BY = {
    **{word: Makers(before=("ORG",), after=("ORG",))
       for word in ("poll", "polls", "survey", "surveys", "report", "reports", "study", "studies", "research",
                    "analysis", "review", "findings")},
    **{word: Makers(before=("ORG",), after=("ORG", "GPE"))
       for word in ("figures", "data", "estimate", "estimates", "forecast", "forecasts")},
    **{word: Makers(before=("PERSON", "ORG"), after=("PERSON", "ORG", "GPE"))
       for word in ("statement", "statements", "letter", "memo")},
}
# Verbs whose subject made their object ("The ONS published figures"): not "rejected", "read"
PUBLISHING_VERBS = {"published", "publishes", "publish", "released", "releases", "release", "issued", "issues",
                    "issue", "produced", "produces", "unveiled", "unveils", "compiled", "conducted", "commissioned",
                    "sent", "wrote", "put"}
# Nouns that speak for someone the phrase names before them, and who that may be: "a Vodafone
# spokesman" and "U.S. officials" for Vodafone and the United States (on PolNeAR train, 38
# "X officials" or "a X official" named a source no speaker did), "the Clinton campaign" and
# "China's foreign ministry" for Clinton and China, "a Reuters/Ipsos poll" for Reuters/Ipsos.
# Groups of people ("Democratic voters", "Clinton aides") speak for themselves and are left alone.
SPOKESPERSONS_AND_OFFICIALS = SPOKESPERSONS | {"official", "officials"}
SPEAKS_FOR = {
    **{word: ("ORG", "GPE", "NORP") for word in SPOKESPERSONS_AND_OFFICIALS},
    **{word: ("PERSON", "ORG", "GPE", "NORP")
       for word in ("campaign", "campaigns", "camp", "team", "administration", "government", "ministry", "office")},
    **{word: makers.before for word, makers in MADE_BY.items()},
    **{word: ("ORG", "NORP") if word == "party" else ("ORG",) for word in ORGANISATION_NOUNS},
}
# Subjects that are no person or organisation, and why the speaker stays NULL.
NO_SPEAKER_WORDS = {
    "which": "relative_pronoun", "that": "relative_pronoun", "who": "relative_pronoun", "whom": "relative_pronoun",
    "you": "generic_pronoun", "one": "generic_pronoun", "everyone": "generic_pronoun", "someone": "generic_pronoun",
    "people": "generic_pronoun", "this": "demonstrative", "these": "demonstrative", "those": "demonstrative",
}
SPEAKER_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
# A possessive source stands for whom its pronoun would: "his claim that ..." is his ("her"
# is a pronoun already). First person ("my view") is the writer, whom the text does not name.
POSSESSIVE_PRONOUNS = {"his": "he", "their": "they", "its": "it"}
# Words for a people that are no one of them ("the Swiss", "the British", "the Chinese", "the Dutch",
# "the Lib Dems" and "Irishmen" tagged as one)
GROUP_ENDINGS = ("ish", "ese", "ch", "sh", "s", "men")
# First person outside quotation marks is the writer, or a reader on a page of readers' views
# ("I think the government should do more"), whom the text does not name: taken as the subject
# of the sentence before, 132 of BBC's 274 such attributions named someone, and of 25 sampled
# 2 were right (a columnist named in the standfirst), the rest a band, a minister or a game.
FIRST_PERSON = {"i", "me", "my", "we", "us", "our"}  # "US" in capitals is the country
# Pronouns whose subject before them in the antecedent's sentence may be what they stand for
# ("He admitted ... Mr Kerry might have won. He woke up"); first person is left out.
CHAINED_PRONOUNS = {"he", "she", "they", "it"}
# The subject form of a pronoun: "his claim that ..." continues an earlier "he"
PRONOUN_FORMS = {**POSSESSIVE_PRONOUNS, "him": "he", "her": "she", "them": "they"}
# The gender "he" and "she" speak of, as lexicon.HONORIFIC_GENDER writes it
PRONOUN_GENDER = {"he": "m", "she": "f"}
BE_FORMS = {"is", "was", "'s", "’s", "be", "been", "are", "were", "being"}
SENTENCE_END = {".", "!", "?"}
MAX_FRAME_TOKENS = 40
# Words that make a title another one when they come before its head ("the attorney general",
# "the inspector general" are no "Gen."); other nouns there say whose or what of ("the
# planning minister", "a company spokeswoman")
TITLE_WORDS = frozenset(TITLE_HEADS) | frozenset(TITLE_MODIFIERS) | {"inspector", "solicitor", "surgeon", "auditor",
                                                                      "postmaster", "adjutant"}
# Words that make a title one of several ("a senator", "one senator"): a local office so
# written is no one the article names
INDEFINITE_WORDS = {"a", "an", "one", "another", "some", "any"}
# Entity labels that qualify a title without making it another one ("the Florida senator", "the
# Democratic senator"), unlike a noun ("the attorney general", "the company representative")
PLACE_OR_GROUP = {"GPE", "LOC", "NORP"}
# Dependents that leave a name's own noun phrase: clauses and the names joined to it
CLAUSE_OR_JOINED = {"relcl", "acl", "ccomp", "advcl", "conj", "cc"}


@dataclass(frozen=True)
class Speaker:
    start: int
    end: int
    text: str  # the local mention ("he", "the minister", "a spokesman")
    canonical: str | None  # the person or organisation it is; None when it is none
    label: str | None
    cue: str | None
    attribution: str  # how it was found
    reason: str | None = None  # why `canonical` is None (NO_SPEAKER_WORDS, "first_person", "unresolved_pronoun", ...)

    @property
    def method(self) -> str:
        """How the speaker was found, or, without a canonical speaker, why there is none: what
        `quote.attribution` and `attribution.speaker_method` store."""
        return self.attribution if self.canonical is not None else self.reason or "not_an_entity"


class SpeakerFinder:
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
        self._by_name: dict | None = None  # mention text (and a person's last name) -> mentions
        self._sentence_starts: list[int] | None = None  # first token of each sentence
        self._sexes: dict[str, str] | None = None  # canonical person -> "m" or "f" (honorifics)
        self._pronouns: dict = {}  # (token index, labels) -> what resolve_pronoun found
        self._named_with: dict | None = None  # canonical -> the entity names of each mention's own phrase

    # -- positions

    def token_at(self, char: int) -> int:
        """Index of the token containing (or starting after) a character."""
        return max(bisect.bisect_right(self.token_starts, char) - 1, 0)

    def paragraph_of(self, char: int) -> int:
        return max(bisect.bisect_right(self.paragraph_starts, char) - 1, 0)

    def sentence_of(self, token: int) -> int:
        """Index of the sentence holding a token."""
        if self._sentence_starts is None:
            self._sentence_starts = [sentence.start for sentence in self.doc.sents]
        return bisect.bisect_right(self._sentence_starts, token) - 1

    def near_before(self, token: int, head: Token) -> bool:
        """Whether a token lies near enough before head to be what head stands for: in its
        sentence or the SENTENCES_BACK before, or in its paragraph or the one before."""
        return self.sentence_of(token) >= self.sentence_of(head.i) - SENTENCES_BACK or \
            self.paragraph_of(self.doc[token].idx) >= self.paragraph_of(head.idx) - 1

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
        """The local mention around a subject token, linked to its canonical entity; a
        speaker is a person or an organisation, so anything else says why it is none."""
        lower = head.lower_
        found_by_cue = attribution in ("cue_subject", "verb_subject")
        if lower in RELATIVE_PRONOUNS and head.head.dep_ == "relcl" and head.head.head.i != head.head.i:
            antecedent = head.head.head  # "Bennett, who said": the noun the clause describes
            if mention_at(self.doc, antecedent.idx, antecedent.idx + len(antecedent)) is not None:
                return self.make_speaker(antecedent, cue, attribution)
            # a description of someone named: "Tony Wilson, the music mogul who said", "the
            # YouGov poll, which questioned"; a group ("experts who say", "China, India and
            # Russia, the countries which", "Pizzorno and Edwards, a trio which") stays none
            # (BBC: 16 attributions and 2 quotes gained one, all right but a game's)
            if antecedent.tag_.startswith("NN"):
                described_name = antecedent.head
                describes_one = antecedent.dep_ == "appos" and antecedent.tag_ in ("NN", "NNP") and \
                    described_name.dep_ != "conj" and not any(c.dep_ == "conj" for c in described_name.children)
                described = self.make_speaker(described_name if describes_one else antecedent, cue, attribution)
                if described.canonical is not None:
                    return described
        if lower in FIRST_PERSON and (head.text == "I" or not head.text.isupper()) and not self.in_quote(head.idx):
            return Speaker(head.idx, head.idx + len(head), head.text, None, None, cue,
                           "pronoun" if found_by_cue else attribution, "first_person")
        if lower in SPEAKER_PRONOUNS or lower in POSSESSIVE_PRONOUNS:
            canonical = self.resolve_pronoun(head)
            return Speaker(head.idx, head.idx + len(head), head.text,
                           canonical.canonical_name if canonical else None,
                           canonical.label if canonical else None, cue,
                           "pronoun" if found_by_cue else attribution, None if canonical else "unresolved_pronoun")
        if lower in NO_SPEAKER_WORDS:
            return Speaker(head.idx, head.idx + len(head), head.text, None, None, cue, attribution,
                           NO_SPEAKER_WORDS[lower])
        mention = mention_at(self.doc, head.idx, head.idx + len(head))
        if mention is not None and mention.label == "NORP" and _describes_a_member(head):
            phrase = _noun_phrase(head)
            holder = self.described_member(phrase, mention, head)
            return Speaker(phrase.start_char, phrase.end_char, phrase.text,
                           holder.canonical_name if holder else None, holder.label if holder else None, cue,
                           "description" if found_by_cue else attribution,
                           None if holder else "unresolved_description")
        if mention is not None and mention.label in SPEAKER_LABELS:
            return Speaker(mention.start_char, mention.end_char, mention.text,
                           mention.canonical_name, mention.label, cue, attribution)
        phrase = _noun_phrase(head)
        named = self.named_in_apposition(head)
        # "Channel Tunnel operator Eurotunnel" is Eurotunnel: an organisation named beside the
        # noun is the one speaking, not one named before it; so is a person named beside a
        # spokesman or official ("A longtime JNF official, Howard Ingram, said")
        speaks_as_named = named is not None and (
            lower in ORGANISATION_NOUNS or (lower in SPOKESPERSONS_AND_OFFICIALS and named.label == "PERSON"))
        if lower in SPEAKS_FOR and not speaks_as_named:
            principal = self.named_before(head, SPEAKS_FOR[lower])
            if principal is None and lower in SPOKESPERSONS_AND_OFFICIALS:
                principal = self.named_in_title(head, SPEAKS_FOR[lower])
            if principal is None and lower in MADE_BY:
                principal = self.made_by(head, MADE_BY[lower].after) or (
                    self.made_by_earlier(head) if _is_definite_and_bare(head) else None)
            if principal is None and lower in SPOKESPERSONS:
                principal = self.spoken_for(head, SPEAKS_FOR[lower])
                if principal is None and _is_bare_spokesperson(head):
                    principal = self.earlier_spokesperson_for(head, SPEAKS_FOR[lower])
            # "a company spokesman" is the person the article names as one, if it does ("FPL
            # spokeswoman Stacey Shaw"), else speaks for the company (Reuters: of 30 read, 25 right)
            if principal is None and lower in SPOKESPERSONS_AND_OFFICIALS and not (
                    head.tag_ == "NN" and self.resolve_title(phrase, head) is not None):
                principal = self.organisation_described_before(head)
            if principal is not None:
                return Speaker(phrase.start_char, phrase.end_char, phrase.text, principal.canonical_name,
                               principal.label, cue, "spokesperson_for" if lower in SPOKESPERSONS else "speaks_for")
        if named is not None:
            return Speaker(named.start_char, named.end_char, named.text, named.canonical_name, named.label, cue,
                           "appositive")
        if _describes_an_organisation(head):
            holder = self.described_organisation(head)
            return Speaker(phrase.start_char, phrase.end_char, phrase.text,
                           holder.canonical_name if holder else None,
                           holder.label if holder else None, cue,
                           "description" if found_by_cue else attribution,
                           None if holder else "unresolved_description")
        if lower in PERSON_ROLE_NOUNS:
            holder = self.resolve_title(phrase, head)
            return Speaker(phrase.start_char, phrase.end_char, phrase.text,
                           holder.canonical_name if holder else None,
                           holder.label if holder else None, cue,
                           "title" if found_by_cue else attribution, None if holder else "unresolved_title")
        known = self.named_elsewhere(head)
        if known is not None:
            return Speaker(head.idx, head.idx + len(head), head.text, known.canonical_name, known.label, cue,
                           "named_elsewhere")
        return Speaker(phrase.start_char, phrase.end_char, phrase.text, None, None, cue, attribution,
                       "not_an_entity")

    def named_before(self, head: Token, labels: tuple[str, ...]):
        """The first mention of one of labels in head's noun phrase before head ("Vodafone" of
        "a Vodafone spokesman"); for an organisation noun only a name that modifies it. A noun
        like "Bank" that the NER took for a name because it opens a sentence ("Bank officials
        said") names no one; "The Bank's governor" is the Bank of England's."""
        return next((m for m in self.mentions_within(_noun_phrase(head).start_char, head.idx)
                     if m.label in labels and not self.opens_sentence_as_a_noun(m)
                     and (head.lower_ not in ORGANISATION_NOUNS or self.modifies(m, head))),
                    None)

    def named_in_title(self, head: Token, labels: tuple[str, ...]):
        """The organisation named by capitalised words right before a spokesman or official
        that are no mention there ("a Labour spokesman", "A Treasury spokesperson": the
        title scanner keeps them in a title of office), as the article names it elsewhere by
        all those words ("party" aside). Not after a possessive or a modifier ("the party's
        Treasury spokesman", "shadow Treasury spokesman" speak for the opposition), nor where
        a person holds exactly that title ("Labour spokesman John Smith"), nor for a noun
        like "Agency"."""
        phrase = _noun_phrase(head)
        words = [token for token in phrase[:-1]
                 if token.dep_ == "compound" and (token.tag_ == "NNP" or token.lower_ == "party")]
        if not words or words[0].tag_ != "NNP" or words[-1].i != head.i - 1 \
                or any(not is_determiner(token) for token in self.doc[phrase.start:words[0].i]):
            return None
        title = title_words(self.doc[words[0].i:head.i + 1].text)
        if any(cluster.label == "PERSON" and cluster.role and title_words(cluster.role) == title
               for cluster in self.doc._.entity_clusters or ()):
            return None
        name = self.doc[words[0].i:head.i].text
        if name.lower() in ORGANISATION_NOUNS:
            return None  # "Agency officials", "Bank officials": a noun, as in `opens_sentence_as_a_noun`
        forms = [name] + ([name[:-len(" party")]] if words[-1].lower_ == "party" and len(words) > 1 else [])
        by_name = self.speakers_by_name()
        for form in forms:
            known = [mention for mention in by_name.get(form, ()) if mention.label in labels
                     and not phrase.start_char <= mention.start_char < head.idx]
            if known:
                return _nearest(known, head.idx)
        return None

    def opens_sentence_as_a_noun(self, mention) -> bool:
        """"Bank" of "Bank officials said": an organisation noun tagged as a name at a sentence's start."""
        first = self.doc[self.token_at(mention.start_char)]
        return mention.text.lower() in ORGANISATION_NOUNS and bool(first.is_sent_start)

    def spoken_for(self, head: Token, labels: tuple[str, ...]):
        """Whom "a spokesman for ..." speaks for: the organisation named after "for" ("a
        spokesman for NBC"), or the one "the firm" there stands for (on BBC, 60 attributions
        and 45 quotes "A spokesman for ..." had no speaker)."""
        for preposition in head.rights:
            if preposition.dep_ != "prep" or preposition.lower_ != "for":
                continue
            for named in preposition.children:
                if named.dep_ != "pobj":
                    continue
                mention = mention_at(self.doc, named.idx, named.idx + len(named))
                if mention is not None:
                    return mention if mention.label in labels else None
                if _describes_an_organisation(named):
                    return self.described_organisation(named)
        return None

    def made_by(self, head: Token, labels: tuple[str, ...]):
        """Who made what a MADE_BY noun names, as the phrase says after it and one of labels
        is: "from" or "by" X ("data from the CML"; "A report from 2003 by the IFS" passes
        the date), or a participle's agent ("The study, undertaken by the European
        Commission"); X may speak for someone itself ("a statement from Mr Spitzer's
        office"). "A survey of 280 schemes" is about them, not by them."""
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ in ("from", "by"):
                makers = [c for c in child.children if c.dep_ == "pobj"]
            elif child.dep_ == "acl":
                makers = [c for agent in child.children if agent.dep_ == "agent"
                          for c in agent.children if c.dep_ == "pobj"]
            else:
                continue
            for maker in makers:
                mention = mention_at(self.doc, maker.idx, maker.idx + len(maker))
                if mention is not None and mention.label in labels:
                    return mention
                if mention is None and maker.lower_ in SPEAKS_FOR and maker.lower_ not in MADE_BY:
                    found = self.named_before(maker, SPEAKS_FOR[maker.lower_])
                    if found is not None:
                        return found
        return None

    def made_by_earlier(self, head: Token):
        """Who made what "the report" or "the figures" is: whoever made the nearest one of the
        same noun before it, the article's (whole text before: a report introduced in the
        first paragraph is "the report" throughout). The earlier one says who by its own words
        ("A report by the IFS", "ONS figures"), or is what someone published or spoke in ("The
        ONS published figures on Tuesday", "Apple said in a statement")."""
        for token in reversed(self.doc[: _noun_phrase(head).start]):
            # the same word, as a common noun: "reports" before "the report" are seldom that one
            # ("according to press reports"), nor is a programme ("the BBC's World Business Report")
            if token.lower_ != head.lower_ or token.tag_ not in ("NN", "NNS") or self.in_quote(token.idx) or \
                    not (token.is_lower or token.is_sent_start):
                continue
            labels = MADE_BY[token.lower_].after
            found = self.named_before(token, MADE_BY[token.lower_].before) or self.made_by(token, labels)
            if found is not None:
                return found
            verb = token.head.head if token.dep_ == "pobj" and token.head.lower_ in ("in", "with") else \
                token.head if token.dep_ == "dobj" and token.head.lower_ in PUBLISHING_VERBS else None
            subject = _subject_of(verb, climb=False) if verb is not None and is_verb(verb) else None
            if subject is None or subject.lower_ in FIRST_PERSON or self.in_quote(subject.idx):
                return None
            maker = self.make_speaker(subject, verb.text, "made_by")
            return _Principal(maker.canonical, maker.label) if maker.canonical and maker.label in labels else None
        return None

    def modifies(self, mention, noun: Token) -> bool:
        """Whether a word of the mention is a compound modifier of the noun itself ("Reuters" of
        "the Reuters news agency", not "Sony" of "Sony's parent company")."""
        first, last = self.token_at(mention.start_char), self.token_at(mention.end_char - 1)
        return any(token.dep_ == "compound" and token.head.i == noun.i for token in self.doc[first:last + 1])

    def described_organisation(self, head: Token):
        """The organisation "the company" (a DESCRIPTION_NOUNS head) stands for: the subject
        of the nearest sentence naming one near before it (`near_before`), unless the
        description says it is another ("the rival firm", "the Sony-owned firm", "the Bank of
        Japan's policy group": a word of OTHER_ORGANISATION_WORDS, a possessive, or a name
        other than a place or group) or the same noun came in between ("Tesco ... residents
        have formed a campaign group. The group said"; not "Tesco said group sales rose")."""
        phrase = _noun_phrase(head)
        if _says_another_organisation(phrase):
            return None
        if any(m.label not in ("GPE", "NORP", "LOC") for m in self.mentions_within(phrase.start_char, head.idx)):
            return None
        holder = self.resolve_pronoun(head, labels={"ORG"})
        if holder is None or not self.near_before(self.token_at(holder.start_char), head):
            return None
        between = self.doc[self.token_at(holder.end_char - 1) + 1:phrase.start]
        if any(token.lower_ == head.lower_ and token.dep_ not in ("compound", "appos") for token in between):
            return None
        return holder

    def organisation_described_before(self, head: Token):
        """Whom "a company spokesman" or "bank officials" speak for: the organisation the
        description noun before the head stands for, as "the company" would
        (`described_organisation`); not "a rival company spokesman" nor "industry group
        officials" (a group of its own), but "central bank officials"."""
        if _says_another_organisation(_noun_phrase(head)):
            return None
        for modifier in head.lefts:
            if modifier.dep_ == "compound" and modifier.lower_ in DESCRIPTION_NOUNS and modifier.tag_ == "NN" \
                    and not any(child.dep_ == "compound" for child in modifier.children):
                return self.described_organisation(modifier)
        return None

    def earlier_spokesperson_for(self, head: Token, labels: tuple[str, ...]):
        """Whom a bare "the spokesman" speaks for: whom the nearest spokesperson of its sex
        before it, near enough (`near_before`), does ("A Vodafone spokesman said ... The
        spokesman added ... The spokesman also said", "A company spokesman said ... The
        spokesman added"); None if that one speaks for no one. "The prime minister's
        official spokesman" is someone else's."""
        for token in reversed(self.doc[: head.i]):
            if not self.near_before(token.i, head):
                break
            if token.lower_ not in SPOKESPERSONS or not _same_sex(token.lower_, head.lower_):
                continue
            if _is_bare_spokesperson(token):
                continue   # one that stood for an earlier one: look further back
            return self.named_before(token, labels) or self.spoken_for(token, labels) or \
                self.organisation_described_before(token)
        return None

    def named_elsewhere(self, head: Token):
        """A capitalised subject the NER missed here ("Sanders said", tagged as a plural noun;
        "The Lib Dems believe") that the article names elsewhere as a speaker, by its full
        name (with or without "the") or a person's last name: that mention, the nearest
        before it, else the first after."""
        if not head.is_title:
            return None
        by_name = self.speakers_by_name()
        known = by_name.get(head.text) or by_name.get(name_key(_noun_phrase(head).text, possessive=False))
        return _nearest(known, head.idx) if known else None

    def speakers_by_name(self) -> dict[str, list]:
        """Mentions of people, organisations, groups and places by their text, and people's
        also by their last name; built when first asked for."""
        if self._by_name is None:
            self._by_name = {}
            for mention in self.doc._.resolved_mentions or ():
                if mention.label in SPEAKER_LABELS:
                    self._by_name.setdefault(mention.text, []).append(mention)
                    without_the = name_key(mention.text, possessive=False)  # "The Lib Dems" as "Lib Dems"
                    if without_the != mention.text:
                        self._by_name.setdefault(without_the, []).append(mention)
                    if mention.label == "PERSON" and " " in mention.text:
                        self._by_name.setdefault(mention.text.rsplit(" ", 1)[1], []).append(mention)
        return self._by_name

    def named_in_apposition(self, head: Token):
        """The person or organisation a subject names beside its head noun: "His successor,
        Jay Carney, said", "conservative commentator Jonah Goldberg said" (an `appos`
        dependent of the head). "Donald Trump's wife" or "supporters of Sanders" name
        someone else, and are left alone."""
        for child in head.rights:
            if child.dep_ == "appos":
                mention = mention_at(self.doc, child.idx, child.idx + len(child))
                if mention is not None and mention.label in SPEAKER_LABELS:
                    return mention
        return None

    def mentions_before(self, char: int) -> list:
        """The mentions starting before char, the nearest first."""
        k = bisect.bisect_left(self.mention_starts, char)
        return self.mentions[k - 1::-1] if k else []

    def mentions_within(self, start: int, end: int) -> list:
        k = bisect.bisect_left(self.mention_starts, start)
        found = []
        while k < len(self.mentions) and self.mentions[k].start_char < end:
            found.append(self.mentions[k])
            k += 1
        return found

    def resolve_pronoun(self, pronoun: Token, labels: set[str] | None = None):
        """The grammatical subject among the compatible mentions of the nearest sentence
        before a pronoun that has one, the pronoun's own sentence included when a subject
        there comes before it; of several, the shallowest in the parse, joined main clauses
        counting alike ("Tony Blair said he backed it when Gordon Brown argued for it. He
        ..." is Blair). None when no compatible mention there is a subject: a name there
        in passing ("fell in Britain", "Wal-Mart's stores") is rarely what the pronoun
        stands for (of 30 such resolutions sampled on BBC, 8 were right). Four exceptions:
        a subject inside the clause the pronoun reports is not what it stands for
        (`_reported_clause`), nor is a person of the other sex by honorific (`sex_of`), nor,
        for "they", one organisation or place (`names_a_group`); and a pronoun of the same
        form that is that sentence's shallower subject is, so it is resolved in its place
        (`continuing_subject`; memoised, as chains run back through every "he said" of an
        article)."""
        lower = POSSESSIVE_PRONOUNS.get(pronoun.lower_, pronoun.lower_)
        if labels is None:
            labels = {"PERSON"} if lower in PERSON_PRONOUNS | {"i"} else {"ORG", "NORP", "GPE"}
        key = (pronoun.i, frozenset(labels))
        if key not in self._pronouns:
            self._pronouns[key] = self._resolve_pronoun(pronoun, lower, labels)
        return self._pronouns[key]

    def _resolve_pronoun(self, pronoun: Token, lower: str, labels: set[str]):
        reported = _reported_clause(pronoun) if lower in CHAINED_PRONOUNS else None
        sex = PRONOUN_GENDER.get(PRONOUN_FORMS.get(pronoun.lower_, pronoun.lower_))
        k = bisect.bisect_left(self.mention_starts, pronoun.idx) - 1
        own_sentence = pronoun.sent.start_char
        subjects = []
        sentence = None
        while k >= 0:
            mention = self.mentions[k]
            if mention.label in labels and (sex is None or self.sex_of(mention) in (None, sex)):
                first, last = self.token_at(mention.start_char), self.token_at(mention.end_char - 1)
                mention_sentence = self.doc[first].sent
                if sentence is not None and mention_sentence.start_char != sentence.start_char:
                    # past the pronoun's own sentence only when no subject came before it
                    # there ("In Britain, it said": the sentence before says who "it" is)
                    if subjects or sentence.start_char != own_sentence:
                        break
                sentence = mention_sentence
                subject = _subject_within(self.doc, first, min(last, sentence.end - 1))
                if subject is not None and not (reported and reported[0] <= subject.i <= reported[1]):
                    subjects.append((_depth(subject, count_joined=False), subject, mention))
            k -= 1
        # min keeps the first of equal depths: the latest mention
        depth, subject, holder = min(subjects, key=lambda found: found[0]) if subjects else (None, None, None)
        if sentence is not None:
            # a passive's agent is less the topic than the passive's own subject ("He was
            # criticised by Michael Howard. He said")
            continuing = self.continuing_subject(pronoun, sentence, None if depth is None else
                                                 depth + (subject.dep_ == "agent"))
            if continuing is not None:
                return self.resolve_pronoun(continuing, labels)
        if holder is not None and lower == "they" and not self.names_a_group(holder):
            return None
        return holder

    def names_a_group(self, mention) -> bool:
        """Whether "they" can stand for the mention: a group of people ("the Tories",
        "Democrats"; NORP), a plural name ("MPs") or one joined to others ("Labour and the
        SNP"). An organisation or a place alone is "it": on BBC a "they" resolved to one was
        right about 1 time in 5 (of 35 sampled: "Critics say ... They say" as Poland, "Mac
        watchers say ... They speculate" as Apple), to a group 18 times in 23."""
        first, last = self.token_at(mention.start_char), self.token_at(mention.end_char - 1)
        head = self.doc[first:last + 1].root
        # joined to a name outside the mention ("Marks & Spencer" is one company)
        joined = [head.head] if head.dep_ == "conj" else []
        joined += [child for child in head.children if child.dep_ == "conj"]
        return mention.label == "NORP" or head.tag_ in ("NNS", "NNPS") or \
            any(not first <= token.i <= last for token in joined)

    def sex_of(self, mention) -> str | None:
        """"m" or "f" for a person the article calls by a gendered honorific anywhere
        (lexicon.HONORIFIC_GENDER: "Ms Hughes was forced to resign ... And he also urged" is
        not Ms Hughes); None when it never does, or does both. "Mr and Mrs Blair" says
        nothing of Mr Blair."""
        if self._sexes is None:
            found: dict[str, set[str]] = {}
            for other in self.doc._.resolved_mentions or ():
                match = HONORIFIC_BEFORE.search(self.text, max(0, other.start_char - 12), other.start_char)
                gender = HONORIFIC_GENDER.get(match.group(1).casefold()) if match else None
                if other.label == "PERSON" and gender and not self.text.endswith("and ", 0, match.start()):
                    found.setdefault(other.canonical_name, set()).add(gender)
            self._sexes = {name: sexes.pop() for name, sexes in found.items() if len(sexes) == 1}
        return self._sexes.get(mention.canonical_name) if mention.label == "PERSON" else None

    def continuing_subject(self, pronoun: Token, sentence: Span, depth: int | None) -> Token | None:
        """The subject of `sentence`, before the pronoun and shallower than `depth` (any depth
        when None), that is a pronoun of the same form: "Mr Blair has failed, he claimed.
        And he confirmed ..." continues the first "he", not Mr Blair; "He admitted he had
        gone to bed thinking Mr Kerry might have won. He woke up ..." is the first "he"."""
        form = PRONOUN_FORMS.get(pronoun.lower_, pronoun.lower_)
        if form not in CHAINED_PRONOUNS:
            return None
        found = None
        for token in sentence:
            if token.i >= pronoun.i:
                break
            if token.dep_ in SUBJECT_DEPS and token.lower_ == form and not self.in_quote(token.idx) \
                    and not _is_expletive(token):
                token_depth = _depth(token, count_joined=False)
                if (depth is None or token_depth < depth) and (found is None or token_depth <= found[0]):
                    found = (token_depth, token)
        return found[1] if found else None

    def resolve_title(self, phrase: Span, head: Token):
        """The person holding a title ("the Prime Minister"), if the article says so: the one
        person given it (`person_for_title`), else, for a title that is no indefinite one
        ("the senator", not "a senator"), the nearest before named with it or with its head
        word ("Sen. Marco Rubio ... The Florida senator said"). A whole title (after "the" or
        a possessive) with a title word of its own before the head ("the attorney general";
        not "a company spokeswoman", "the planning minister"), or a local office with a noun
        there ("the company representative"; an organisation's name is none), is only a
        holder of that very title, its nouns only ("the Texas attorney general", "NATO's
        secretary general", "the association's first vice president"), not of its last word
        ("Gen. David Petraeus", "Rep. Nancy Pelosi"), nor of a longer role that is another
        office ("Shadow Home Secretary"). A local office (LOCAL_OFFICES) goes to no one when
        indefinite ("one senator") and, with a place below the nation ("the Florida
        senator", not "the US senator"), only to one named with that place (PolNeAR train:
        "the Vermont senator" had been the nearest senator, John McCain, and "The Florida
        senator" the one senator named, Ted Cruz)."""
        local = bool(LOCAL_OFFICES.intersection(title_words(head.text)))
        indefinite = phrase[0].lower_ in INDEFINITE_WORDS
        if local and indefinite:
            return None   # one of many, whom the article does not name
        title = " ".join(t.text for t in phrase if t.dep_ != "det" and not is_determiner(t))
        # the title itself, after whoever's it is ("NATO's secretary general", "the congressman's spokesman")
        owner_end = max((t.i for t in phrase if t.tag_ == "POS"), default=phrase.start - 1)
        own = self.doc[owner_end + 1:phrase.end]
        # a bare title is often a piece the parse cut from the phrase naming its holder
        # ("Joseph Kroger, vice | chairman"): any holder of its words will do, as before
        whole = phrase[0].lower_ in DETERMINERS or owner_end >= phrase.start
        compound = whole and any(t.tag_.startswith("NN") and t.ent_type_ not in PLACE_OR_GROUP | {"ORG"}
                                 and (local or t.lower_ in TITLE_WORDS) for t in own[:-1])
        places = _places(phrase) if local else []
        if compound:   # its own title's nouns, places and groups aside ("the Texas attorney general")
            title = " ".join(t.text for t in own if t.tag_.startswith("NN") and t.ent_type_ not in PLACE_OR_GROUP)
        holder = person_for_title(self.doc, title, shorter_roles=not compound, other_offices=not whole)
        if holder is not None or indefinite:
            return holder if holder is None or self.named_with(holder.canonical_name, places) else None
        wanted = {title_words(title)} if compound else {title_words(title), title_words(head.text)}
        return next((mention for mention in self.mentions_before(phrase.start_char)
                     if mention.label == "PERSON" and mention.role and title_words(mention.role) in wanted
                     and self.named_with(mention.canonical_name, places)), None)

    def described_member(self, phrase: Span, mention, head: Token):
        """The person "the American" or "the Kentucky Republican" (the group's mention) is:
        the nearest before named with its places, or without any with the group's words, in
        his own noun phrase ("Kentucky Sen. Rand Paul", "American Andy Roddick"; "Republican
        Donald Trump" is no Wisconsin Republican, "North Korean leader Kim" no South Korean),
        else the subject "he" would stand for in the nearest sentence before that names one
        person only. A description often names the other of two ("Nadal beat Roddick ... the
        American said" is Roddick)."""
        words = _places(phrase) or [mention.text]
        named = next((candidate for candidate in self.mentions_before(phrase.start_char)
                      if candidate.label == "PERSON" and self.named_with(candidate.canonical_name, words)), None)
        if named is not None:
            return named
        holder = self.resolve_pronoun(head, labels={"PERSON"})
        if holder is None or not self.near_before(self.token_at(holder.start_char), head):
            return None
        sentence = self.doc[self.token_at(holder.start_char)].sent
        people = {m.canonical_name for m in self.mentions_within(sentence.start_char, sentence.end_char)
                  if m.label == "PERSON"}
        return holder if len(people) == 1 else None

    def named_with(self, canonical: str, names: list[str]) -> bool:
        """Whether a mention of the entity has all the names (places, groups: whole entities,
        "Virginia" is not "West Virginia") in its own noun phrase: before the name ("Florida
        Sen. Marco Rubio", "American Andy Roddick") or in what the name governs ("Sen. Marco
        Rubio of Florida", "Rand Paul, a Kentucky Republican"); not in a clause or a name
        joined to it, nor anywhere near it ("Nadal puts the American under pressure" says
        nothing of Nadal). True when there are no names."""
        if not names:
            return True
        if self._named_with is None:
            entities = {token.i: entity.text for entity in self.doc.ents for token in entity[:1]}
            self._named_with = {}
            for mention in self.doc._.resolved_mentions or ():
                first, last = self.token_at(mention.start_char), self.token_at(mention.end_char - 1)
                own = {entities[token.i] for token in _own_phrase(self.doc[first:last + 1].root) if token.i in entities}
                self._named_with.setdefault(mention.canonical_name, []).append(own)
        return any(all(name in own for name in names) for own in self._named_with.get(canonical, ()))


def _with_attribution(speaker: Speaker, attribution: str) -> Speaker:
    return Speaker(speaker.start, speaker.end, speaker.text, speaker.canonical, speaker.label, speaker.cue,
                   attribution, speaker.reason)


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


def _depth(token: Token, count_joined: bool = True) -> int:
    """Distance to the root; bounded, because a parse can hold a cycle. Without
    `count_joined`, the links between joined clauses do not count ("Blair spoke first, and
    Brown said": both subjects at depth 1)."""
    depth = 0
    for _ in range(len(token.doc)):
        if token.head.i == token.i:
            break
        depth += count_joined or token.dep_ != "conj"
        token = token.head
    return depth


def _says_another_organisation(phrase: Span) -> bool:
    """"the rival firm", "the parent company", "Sony's company": a word of
    OTHER_ORGANISATION_WORDS or a possessive says the organisation is not the last one named."""
    return any(token.lower_ in OTHER_ORGANISATION_WORDS or token.tag_ == "POS" for token in phrase)


def _nearest(mentions: list, char: int):
    """The mention nearest before char, else the first after it."""
    before = [mention for mention in mentions if mention.start_char < char]
    return max(before, key=lambda mention: mention.start_char) if before else min(
        mentions, key=lambda mention: mention.start_char)


@dataclass(frozen=True)
class _Principal:
    """Whom a noun speaks for when no single mention says it: what a speaker found for it says."""

    canonical_name: str
    label: str


def _is_definite_and_bare(head: Token) -> bool:
    """"the report", "The latest figures", "this study": a definite noun with no name or
    possessive before it, nor anything after it, so the one named before ("a separate study"
    and "the report on pensions" may be others)."""
    determiners = [c for c in head.lefts if c.dep_ in ("det", "poss")]
    return bool(determiners) and all(c.lower_ in ("the", "this", "these") for c in determiners) and \
        not any(c.dep_ == "compound" for c in head.lefts) and not any(True for _ in head.rights)


def _is_bare_spokesperson(head: Token) -> bool:
    """"the spokesman" alone: no one named before or after it, one person ("a spokesman"
    may be someone else's: "A BT spokesman said ... Ofcom said ... A spokesman said")."""
    return head.tag_ == "NN" and head.i >= 1 and head.doc[head.i - 1].lower_ == "the" and \
        head.left_edge.i == head.i - 1 and not any(True for _ in head.rights)


def _same_sex(one: str, other: str) -> bool:
    """"spokesman" and "spokeswoman" are two people; "spokesperson" may be either."""
    return "person" in one or "person" in other or one == other


def _describes_an_organisation(head: Token) -> bool:
    """"the company", "the German giant": a definite description with a DESCRIPTION_NOUNS head."""
    return head.lower_ in DESCRIPTION_NOUNS and head.tag_ == "NN" and _noun_phrase(head)[0].lower_ == "the"


def _describes_a_member(head: Token) -> bool:
    """"the Kentucky Republican", "the Democrat": one member of a group (a NORP word in the
    singular after "the"), a person described as "he" would be, not the group speaking. Not
    "the Swiss", "the Chinese" (the people, whatever the tag) nor "the GOP"."""
    phrase = _noun_phrase(head)
    return head.tag_ in ("NN", "NNP") and phrase[0].lower_ == "the" and \
        not head.lower_.endswith(GROUP_ENDINGS) and not head.text.isupper() and \
        not any(token.tag_ == "POS" for token in phrase) and \
        not any(child.dep_ in ("conj", "cc") for child in head.children)


def _places(phrase: Span) -> list[str]:
    """The places a title or group word is qualified by, below the nation ("Florida", "New
    Jersey"; not "US")."""
    return [entity.text for entity in phrase.ents if entity.label_ in ("GPE", "LOC")
            and entity.text.lower() not in NATIONS]


def _own_phrase(head: Token) -> list[Token]:
    """A name's noun phrase: its subtree without clauses and joined phrases ("Rand Paul, a
    Kentucky Republican, who said", "Roddick and Spaniard Rafael Nadal")."""
    tokens, stack = [], [head]
    while stack:
        token = stack.pop()
        tokens.append(token)
        stack.extend(child for child in token.children if child.dep_ not in CLAUSE_OR_JOINED)
    return tokens


def _noun_phrase(head: Token) -> Span:
    """The subject's noun phrase up to its head ("the Prime Minister", "a spokesman")."""
    start = head.left_edge.i
    while start < head.i and head.doc[start].is_punct:
        start += 1
    return head.doc[start : head.i + 1]


def _subject_within(doc: Doc, first: int, last: int) -> Token | None:
    """The subject token among tokens first..last: a subject, the subject a name there
    stands in apposition to ("one of the Guildford Four, Gerry Conlon, said") or is joined
    to ("Labour and the Conservatives said", "The Tories, Labour and the SNP said"), or the
    agent of a passive ("chaired by Tony Blair")."""
    for token in doc[first:last + 1]:
        if token.dep_ == "pobj" and token.head.dep_ == "agent":
            return token.head
        phrase = token  # up a chain of joined or apposed names ("The Tories, Labour and the SNP")
        for _ in range(len(doc)):
            if phrase.dep_ not in ("appos", "conj") or phrase.head.i == phrase.i:
                break
            phrase = phrase.head
        if phrase.dep_ in SUBJECT_DEPS:
            return phrase
    return None


def _reported_clause(pronoun: Token) -> tuple[int, int] | None:
    """The tokens of the clause a subject pronoun reports when that clause comes first ("Mr
    Blair has failed, he claimed"; "Mr Blair, he said, can win"): a name there cannot be who
    the pronoun is (it would be "Mr Blair has failed, Mr Blair claimed"), while one in a
    clause before it that says when or why can ("When Kirchner arrived, he began")."""
    if pronoun.dep_ not in SUBJECT_DEPS:
        return None
    verb = pronoun.head
    for child in verb.children:
        # only punctuation between: a parse that hangs "GM added that ..., however it did
        # acknowledge" from "acknowledge" says nothing of whom "it" reports
        if child.i < pronoun.i and child.dep_ == "ccomp" and \
                all(token.is_punct for token in pronoun.doc[child.right_edge.i + 1:pronoun.i]):
            clause = pronoun.doc[child.left_edge.i:child.right_edge.i + 1]
            # one with a report of its own is two sentences the parser ran together ("Ms Hutt
            # said she hoped "..." Asked about waiting lists, she said"): the name may be hers
            if any(_reports(token) for token in clause):
                return None
            return child.left_edge.i, child.right_edge.i
    if verb.dep_ == "parataxis" and verb.head.i != verb.i and verb.head.i > pronoun.i:
        host = verb.head
        return host.left_edge.i, verb.left_edge.i - 1
    return None


def _reports(verb: Token) -> bool:
    """A finite speech verb with a subject and a reported clause of its own ("Ms Hutt said she
    hoped", "... ," said Nick Ross"; not "with China adding 178 million", "what he promised
    voters", "Mr Blair began the war")."""
    return verb.lower_ in CUE_VERBS and verb.tag_ in ("VBD", "VBZ", "VBP") and \
        any(child.dep_ in SUBJECT_DEPS for child in verb.children) and \
        any(child.dep_ == "ccomp" for child in verb.children)


def _is_expletive(subject: Token) -> bool:
    """"It is thought that ...", "It was clear that ...": an "it" that stands for no one."""
    return subject.lower_ == "it" and (subject.dep_ == "nsubjpass" or subject.head.lower_ in BE_FORMS)
