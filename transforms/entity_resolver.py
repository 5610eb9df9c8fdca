"""Document-level entity resolution: one entity per person, place or organisation an article names.

spaCy's NER labels every span on its own, so the small model can call "Lapid" an ORG and
"Blinken" a GPE three sentences after "Yair Lapid" and "Antony Blinken" were tagged PERSON.
`wirehouse_entity_resolver`, registered after "ner" and the title scanner (titles.py),
fixes that per article and writes `doc._.resolved_mentions` and `doc._.entity_clusters`,
without changing spaCy's own `doc.ents`.

Resolution, in order (each step a function below; candidates are never changed, a step
returns new ones):
1. `candidates`: names from spaCy's spans. Titles are not entities: a name-type span inside
   a title ("State" in "Secretary of State") is dropped; a title or honorific at the start
   of a span is cut off the mention ("President Bush" -> "Bush"), becoming its role. A
   NORP/GPE compound that joins known places ("U.S.-Israel") is split into its places. A
   NORP or ORG span takes in the capitalised words before it that modify it ("Liberal" of
   "Liberal Democrat spokeswoman", which the small NER tags "Democrat").
   Names are normalised for matching (names.py) and looked up in the alias table.
   `honoured_names`: a name right after an honorific ("Mr Ebbers", "Ms Lomax") is a person
   whatever spaCy called it, and one spaCy missed there becomes a candidate.
2. `person_clusters`: full person names (two or more words, tagged PERSON) form clusters;
   shorter forms ("Bennett", "Minister Lapid") and the same words under another label
   join the cluster of the nearest full name.
3. `recovered_surnames`: untagged occurrences of a known person's surname are added.
4. A span whose leading title was cut off but which is no person after all gets its title back.
5. `other_clusters`: every other name clusters by its normalised form; the cluster label
   is the alias table's, else the majority of spaCy's labels over the article.
6. `appositive_roles`: a title in apposition ("Yair Lapid, the foreign minister") is a role too.

Canonical names never depend on other articles: a person's is the fullest name the
article gives, without title, honorific or possessive; places and organisations use the
alias table.

Contract used by the rest of the pipeline:
- `Doc._.resolved_mentions`: list of `ResolvedMention`, in text order, with
  `doc.text[start_char:end_char] == text`.
- `mention_at(doc, start_char, end_char)`: the resolved mention covering a span.
- `person_for_title(doc, "the Prime Minister")`: the mention of the person the article
  gives that title to.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span

from wirehouse.transforms import extensions  # noqa: F401 (registers the Doc attributes)
from wirehouse.transforms.aliases import ALIAS_FILE, KEEP_LABEL, AliasTable, load_aliases
from wirehouse.transforms.names import (
    DETERMINERS,
    NAME_SUFFIXES,
    POSSESSIVE_NAMES,
    POSSESSIVE_TOKENS,
    best_form,
    contiguous_in,
    fix_caps,
    is_full_name,
    is_subsequence,
    name_key,
    name_words,
    surname,
    title_words,
)
from wirehouse.transforms.lexicon import OTHER_OFFICE_WORDS
from wirehouse.transforms.pos import is_proper_noun
from wirehouse.transforms.titles import HONORIFIC, TITLE, TITLE_SPANS_KEY

# Labels that name something; the numeric and temporal ones pass through untouched.
NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC"})
# Labels under which the small model commonly hides a person's surname.
SURNAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"})
_HYPHEN = re.compile(r"[-–]")
# Labels whose spans spaCy's small NER may start a word late: "Liberal Democrat spokeswoman"
# is tagged "Democrat" (NORP), "The Liberal Democrats said" "Democrats", so the UK party
# joined the US one (BBC: 22 attributions "the Liberal Democrats said" stored as "Democrat").
LATE_START_LABELS = frozenset({"NORP", "ORG"})


# --- resolved output ---------------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedMention:
    start_char: int
    end_char: int
    text: str
    raw_label: str  # spaCy's label for the span the mention came from; "" if spaCy missed it
    label: str  # decided by the article as a whole
    canonical_name: str
    role: str | None = None  # the person's title in this article, e.g. "Prime Minister"


@dataclass(frozen=True)
class EntityCluster:
    """All mentions of one entity in one article."""

    canonical_name: str
    label: str
    role: str | None
    mentions: tuple[ResolvedMention, ...]
    titled: ResolvedMention | None = None  # the mention a title was attached to, if any


# --- working data ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A name (or a date, amount, ...) as found in the text, before it joins an entity."""

    start_char: int
    end_char: int
    surface: str  # doc.text[start_char:end_char]
    raw_label: str
    label: str
    key: str  # names.name_key of the surface
    tokens: tuple[str, ...]  # casefolded words of the key; () for labels that are not names
    tok_start: int | None = None  # token index of the (trimmed) mention start
    tok_end: int | None = None
    role: str | None = None  # the title cut off its start
    untrimmed: Span | None = None  # the span before a leading title was cut off
    alias: tuple[str, str] | None = None
    honorific: str | None = None  # "Mr" of "Mr Ebbers": a person's name, whatever spaCy called it

    def with_title(self, aliases: AliasTable) -> "Candidate":
        """The span with its leading title back: the title was only worth cutting if the
        rest turned out to be a person."""
        span = self.untrimmed
        key = name_key(span.text, possessive=self.raw_label not in POSSESSIVE_NAMES)
        return dataclasses.replace(self, start_char=span.start_char, end_char=span.end_char, surface=span.text,
                                   key=key, tokens=name_words(key), role=None, alias=aliases.lookup(key))


@dataclass
class Cluster:
    """Candidates (by index) of one entity; `forms` are the full names of a person."""

    label: str
    forms: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)


@dataclass
class Clustering:
    """Which cluster each candidate (by index) joined."""

    clusters: list[Cluster] = field(default_factory=list)
    cluster_of: dict[int, int] = field(default_factory=dict)

    def join(self, index: int, number: int, form: bool = False) -> None:
        self.cluster_of[index] = number
        self.clusters[number].members.append(index)
        if form:
            self.clusters[number].forms.append(index)

    def new(self, label: str, index: int | None = None, form: bool = False) -> int:
        self.clusters.append(Cluster(label))
        number = len(self.clusters) - 1
        if index is not None:
            self.join(index, number, form)
        return number


def _weight(cand: Candidate) -> float:
    """A label vote; the model's labels on text set in capitals (datelines) count half."""
    return 0.5 if cand.surface.isupper() else 1.0


# --- the component ---------------------------------------------------------------------------
@Language.factory(
    "wirehouse_entity_resolver",
    default_config={"alias_files": [], "recover_surnames": True},
    assigns=["doc._.resolved_mentions", "doc._.entity_clusters"],
    requires=["doc.ents", "token.tag", "token.dep", "doc.spans"],
)
def make_entity_resolver(nlp: Language, name: str, alias_files: list[str], recover_surnames: bool):
    return EntityResolver(alias_files=alias_files, recover_surnames=recover_surnames)


class EntityResolver:
    """Turns `doc.ents` (plus the title spans) into article-level entities."""

    def __init__(self, alias_files: Sequence[str] = (), recover_surnames: bool = True) -> None:
        self.aliases = load_aliases((str(ALIAS_FILE), *map(str, alias_files)))
        self.recover_surnames = recover_surnames

    def __call__(self, doc: Doc) -> Doc:
        titles = TitleIndex(doc)
        found = honoured_names(doc, candidates(doc, titles, self.aliases), titles)
        names = [i for i, cand in enumerate(found) if cand.tokens]
        clustering = person_clusters(found, names)
        if self.recover_surnames and clustering.clusters:
            recovered = recovered_surnames(doc, found, clustering, titles)
            names.extend(range(len(found), len(found) + len(recovered)))
            for cand, number in recovered:
                found.append(cand)
                clustering.join(len(found) - 1, number)
        for i in names:
            cand = found[i]
            if (i not in clustering.cluster_of and cand.untrimmed is not None and cand.raw_label != "PERSON"
                    and cand.honorific is None):
                found[i] = cand.with_title(self.aliases)
        other_clusters(found, names, clustering)
        roles = appositive_roles(doc, found, names, clustering, titles)
        doc._.resolved_mentions, doc._.entity_clusters = _resolved(found, clustering, roles)
        return doc


class TitleIndex:
    """The title scanner's spans by the tokens they cover and the token they end before."""

    def __init__(self, doc: Doc) -> None:
        self.spans = list(doc.spans[TITLE_SPANS_KEY]) if TITLE_SPANS_KEY in doc.spans else []
        self.covering: dict[int, Span] = {}
        self.ending_at: dict[int, Span] = {}
        for span in self.spans:
            for i in range(span.start, span.end):
                self.covering[i] = span
            self.ending_at[span.end] = span


OPENING_BRACKETS = frozenset({"(", "[", "{"})
CLOSING_BRACKETS = frozenset({")", "]", "}"})


# --- step 1 -------------------------------------------------------------------------------
def candidates(doc: Doc, titles: TitleIndex, aliases: AliasTable) -> list[Candidate]:
    """One candidate per entity span spaCy found (compounds of places split, names a bracket
    cuts off apart), in text order."""
    covering, ending_at = titles.covering, titles.ending_at
    ents = doc.ents
    # (doc.text is rebuilt from all tokens on every access: only span texts are read here)
    places = {name_key(ent.text).casefold() for ent in ents if ent.label_ in PLACE_LABELS}
    found: list[Candidate] = []
    for ent in ents:
        label = ent.label_
        if label not in NAME_LABELS:
            surface = ent.text
            found.append(Candidate(ent.start_char, ent.end_char, surface, label, label, " ".join(surface.split()), (),
                                   ent.start, ent.end))
            continue
        start, end = ent.start, ent.end
        if label in LATE_START_LABELS:
            start = _with_leading_name_words(doc, start, end, covering)
        while end - start > 1 and (doc[start].is_quote or doc[start].is_bracket):
            start += 1  # "``Douglas Cardinal": the quotation mark is not part of the name
        while end - start > 1 and (doc[end - 1].is_quote or doc[end - 1].is_bracket):
            if doc[end - 1].lower_ in POSSESSIVE_TOKENS:
                break
            end -= 1
        start, end, cut_off = _balanced(doc, start, end)
        found.extend(_cut_off_names(doc, cut_off, label, aliases))
        lead = start
        if end - start > 1 and doc[start].lower_ in DETERMINERS:
            start += 1
        if label not in POSSESSIVE_NAMES and end - start > 1 and doc[end - 1].lower_ in POSSESSIVE_TOKENS:
            end -= 1  # "Russia's": the name is "Russia"
        inside = covering.get(start)
        if inside is not None and end <= inside.end and label != "PERSON" and inside.label_ == TITLE:
            continue  # a title of office, not an organisation or place
        role = None
        untrimmed = None
        while start in covering and covering[start].end < end:
            span = covering[start]
            if span.start != start:
                break
            if span.label_ == TITLE:
                role = span.text
            if untrimmed is None:
                untrimmed = lead
            start = span.end
        if untrimmed is None and lead in ending_at and ending_at[lead].label_ == TITLE:
            role = ending_at[lead].text
        if label in ("NORP", "GPE") and ("-" in ent.text or "–" in ent.text):
            parts = _compound_parts(ent, places, aliases)
            if parts:
                found.extend(parts)
                continue
        span = doc[start if untrimmed is not None else lead : end]
        key = name_key(span.text, possessive=label not in POSSESSIVE_NAMES)
        found.append(Candidate(
            span.start_char, span.end_char, span.text, label, label, key, name_words(key), start, end,
            role=" ".join(role.split()) if role else None,
            # the span to fall back on if the rest is not a person after all
            untrimmed=doc[untrimmed:end] if untrimmed is not None else None,
            alias=aliases.lookup(key),
        ))
    found.sort(key=lambda cand: cand.start_char)  # a name cut off after a bracket comes after its span's
    return found


def _with_leading_name_words(doc: Doc, start: int, end: int, covering: dict) -> int:
    """The start of a span with the capitalised words before it that modify it and are no
    entity of their own ("Liberal" of "Liberal Democrat spokeswoman"), never an initial (a
    team sheet's "A Masi", tagged ORG, is a person). A word that opens a sentence or a line,
    or follows a dateline's dash or bracket, a colon or a quotation mark, is capitalised
    anyway ("Rival Sony", "WASHINGTON (AP) - Top Democrats"): it joins only a name the
    article also spells so where nothing else capitalises it ("Liberal Democrat leader
    Charles Kennedy ... said the Liberal Democrat plans")."""
    while start > 0:
        word = doc[start - 1]
        if not (word.is_title and word.is_alpha and len(word) > 1) or word.ent_iob_ != "O" or word.i in covering:
            break
        if word.dep_ not in ("compound", "amod") or not start <= word.head.i < end:
            break
        if _capitalised_anyway(word) and not _spelt_so_elsewhere(doc, word.i, end):
            break
        start -= 1
    return start


def _capitalised_anyway(word) -> bool:
    k = word.i - 1
    while k >= 0 and word.doc[k].is_space and "\n" not in word.doc[k].text:
        k -= 1
    before = word.doc[k] if k >= 0 else None
    return word.is_sent_start or before is None or "\n" in before.text or before.is_quote or before.text in (
        "-", "--", "–", "—", ":", ")", "]")


def _spelt_so_elsewhere(doc: Doc, start: int, end: int) -> bool:
    """Whether the words start..end occur elsewhere in the text, as whole words (a plural
    too: "Liberal Democrat" in "the Liberal Democrats"), where their first is capitalised for
    no other reason."""
    name = doc[start:end].text
    text = doc.text
    starts = [token.idx for token in doc]
    for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"s?(?!\w)", text):
        k = bisect.bisect_left(starts, match.start())
        if k < len(doc) and starts[k] == match.start() and k != start and not _capitalised_anyway(doc[k]):
            return True
    return False


def _balanced(doc: Doc, start: int, end: int) -> tuple[int, int, list[tuple[int, int]]]:
    """The tokens of start..end without a bracket left open or closed unopened, and the
    pieces cut off beyond it: spaCy's small NER ends "International Labour Organisation (ILO"
    and "B Cohen (England" before the closing bracket and starts "Nasa) Ames Research
    Center" after the opening one (108 of the BBC corpus's mentions, in 68 articles). A piece
    runs up to the first punctuation ("Ireland" of "B O'Driscoll (Ireland, capt")."""
    opened: list[int] = []
    pieces: list[tuple[int, int]] = []
    for k in range(start, end):
        text = doc[k].text
        if text in OPENING_BRACKETS:
            opened.append(k)
        elif text in CLOSING_BRACKETS:
            if opened:
                opened.pop()
            elif k + 1 < end:
                pieces.append((start, k))
                start = k + 1  # closes what the span never opened: the name starts after it
    if opened and opened[0] > start:
        pieces.append((opened[0] + 1, end))
        end = opened[0]  # opened and never closed: the name ends before it
    kept = []
    for lo, hi in pieces:
        stop = next((k for k in range(lo, hi) if doc[k].is_punct), hi)
        if stop > lo:
            kept.append((lo, stop))
    return start, end, kept


def _cut_off_names(doc: Doc, pieces: list[tuple[int, int]], label: str, aliases: AliasTable) -> list[Candidate]:
    """The names a bracket cut off a span, each a candidate of the span's label ("ILO" of
    "International Labour Organisation (ILO"); none from a person's span, whose bracket holds
    something of another kind (a club, a party, a country: "M Corry (Leicester")."""
    if label == "PERSON":
        return []
    found = []
    for lo, hi in pieces:
        span = doc[lo:hi]
        key = name_key(span.text, possessive=label not in POSSESSIVE_NAMES)
        if key[:1].isupper():
            found.append(Candidate(span.start_char, span.end_char, span.text, label, label, key, name_words(key),
                                   lo, hi, alias=aliases.lookup(key)))
    return found


def _compound_parts(ent: Span, places: set[str], aliases: AliasTable) -> list[Candidate]:
    """"U.S.-Israel" -> the places it joins; [] when it joins no known place."""
    text = ent.text
    pieces = []
    position = 0
    for match in [*_HYPHEN.finditer(text), None]:
        stop = match.start() if match else len(text)
        piece = text[position:stop]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            pieces.append((ent.start_char + position + lead, piece))
        position = match.end() if match else position
    if len(pieces) < 2:
        return []
    found = []
    any_place = False
    for start_char, piece in pieces:
        key = name_key(piece)
        alias = aliases.lookup(key)
        is_place = (alias is not None and alias[1] in PLACE_LABELS) or key.casefold() in places
        any_place = any_place or is_place
        if is_place or piece[:1].isupper():
            found.append(Candidate(start_char, start_char + len(piece), piece, ent.label_,
                                   "GPE" if is_place else ent.label_, key, name_words(key), ent.start, ent.end,
                                   alias=alias))
    return found if any_place else []


# --- step 1b ------------------------------------------------------------------------------
# spaCy's labels that an honorific before the name overrules; a work or an event keeps its own
# ("Mr Bean" tagged WORK_OF_ART, "Miss World" tagged EVENT; untagged, both become people).
HONOURED_LABELS = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT"})
NAME_TAGS = frozenset({"NNP", "NNPS", "NN"})  # a name the small model does not know is often tagged NN ("Hannity")
MAX_HONOURED_WORDS = 3
HYPHENS = frozenset({"-", "–"})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # "O’Donnell", not "Forsyth/" nor "Smith-"


def honoured_names(doc: Doc, found: list[Candidate], titles: TitleIndex) -> list[Candidate]:
    """Names right after an honorific are people: spaCy's ORG or GPE there becomes PERSON
    ("Ms Lomax said", "Mr Ebbers"), and a name it did not tag becomes a candidate ("Ms
    Diemont says"). On 400 BBC articles 92 of 538 honorific names were no person before.
    A tagged name with its possessive keeps spaCy's reading ("Dr Reddy's", a company), and
    more than MAX_HONOURED_WORDS capitalised words in a row are no name."""
    honorifics = [span.start for span in titles.spans if span.label_ == HONORIFIC and doc[span.start].is_title]
    if not honorifics:
        return found
    after_honorific = {i + 1: doc[i].text for i in honorifics}
    out = []
    for cand in found:
        honorific = after_honorific.get(cand.tok_start)
        if (honorific is not None and cand.label in HONOURED_LABELS and cand.tokens and cand.alias is None
                and _is_name(doc, cand.tok_start, cand.tok_end, titles)):
            cand = dataclasses.replace(cand, label="PERSON", honorific=honorific)
        out.append(cand)
    for i in honorifics:
        start = end = i + 1
        while end < len(doc) and doc[end].ent_iob == 2 and _is_name(doc, start, end + 1, titles):
            end += 1
        if end > start and doc[end - 1].text in HYPHENS:
            end -= 1
        if end == start or (end < len(doc) and doc[end].is_title and (
                doc[end].ent_iob != 2 or _is_name(doc, end, end + 1, titles))):
            continue  # no name, one that runs on into a span spaCy tagged, or a longer run of capitals
        span = doc[start:end]
        key = name_key(span.text)
        out.append(Candidate(span.start_char, span.end_char, span.text, "", "PERSON", key, name_words(key),
                             start, end, honorific=doc[i].text))
    out.sort(key=lambda cand: cand.start_char)
    return out


def _is_name(doc: Doc, start: int, end: int, titles: TitleIndex) -> bool:
    """Capitalised name words only, a hyphen joining two of them ("Kilroy-Silk"): no title of
    office, possessive or sentence start."""
    words = 0
    for token in doc[start:end]:
        if token.text in HYPHENS and token.i > start and not doc[token.i - 1].whitespace_ and not token.whitespace_:
            continue
        if not (token.is_title and token.tag_ in NAME_TAGS and _NAME_WORD.fullmatch(token.text)
                and token.i not in titles.covering and not token.is_sent_start):
            return False
        words += 1
    return words <= MAX_HONOURED_WORDS


# --- step 2 -------------------------------------------------------------------------------
def person_clusters(found: list[Candidate], names: list[int]) -> Clustering:
    """Full names become person clusters; shorter forms join the nearest full name."""
    clustering = Clustering()

    def blocked(cand: Candidate) -> bool:
        return cand.alias is not None and cand.alias[1] not in ("PERSON", KEEP_LABEL)

    votes: dict[tuple[str, ...], Counter] = {}
    for i in names:
        votes.setdefault(found[i].tokens, Counter())[found[i].label] += _weight(found[i])
    first_label: dict[tuple[str, ...], str] = {}
    for i in sorted(names, key=lambda i: found[i].start_char):
        first_label.setdefault(found[i].tokens, found[i].label)

    def person_by_vote(cand: Candidate) -> bool:
        counts = votes[cand.tokens]
        top = max(counts.values())
        others = max((v for label, v in counts.items() if label != "PERSON"), default=0)
        return counts["PERSON"] > others or (counts["PERSON"] == top and first_label[cand.tokens] == "PERSON")

    full = [i for i in names if found[i].label == "PERSON" and is_full_name(found[i].tokens)
            and not blocked(found[i]) and person_by_vote(found[i])]
    for i in sorted(full, key=lambda i: (-len(found[i].tokens), found[i].start_char)):
        cand = found[i]
        for number, cluster in enumerate(clustering.clusters):
            longest = found[cluster.forms[0]].tokens
            if (is_subsequence(cand.tokens, longest) and surname(cand.tokens) == surname(longest)
                    and cand.tokens[0] == longest[0]):
                clustering.join(i, number, form=True)
                break
        else:
            clustering.new("PERSON", i, form=True)
    if not clustering.clusters:
        return clustering
    by_surname: dict[str, list[int]] = {}
    by_first: dict[str, list[int]] = {}
    for number, cluster in enumerate(clustering.clusters):
        for form in cluster.forms:
            by_surname.setdefault(surname(found[form].tokens), []).append(number)
            by_first.setdefault(found[form].tokens[0], []).append(number)
    options_of: list[tuple[int, set[int]]] = []
    for i in names:
        cand = found[i]
        if i in clustering.cluster_of or cand.label not in SURNAME_LABELS or blocked(cand):
            continue
        words = cand.tokens
        options: set[int] = set()
        if len(words) == 1 and cand.label == "PERSON":
            options.update(by_first.get(words[0], ()))
        for number in by_surname.get(surname(words), ()):
            if any(contiguous_in(words, found[form].tokens) for form in clustering.clusters[number].forms):
                options.add(number)
        if options:
            options_of.append((i, options))
    # Words of multi-word names that are not persons ("Merrill" in "Merrill Lynch"): a
    # short form the model did not tag PERSON may stand for that name instead.
    linked = {i for i, _ in options_of}
    other_words = {
        word for i in names
        if i not in clustering.cluster_of and found[i].label != "PERSON" and len(found[i].tokens) > 1
        and i not in linked
        for word in found[i].tokens
    }
    for i, options in options_of:
        cand = found[i]
        if cand.label != "PERSON" and len(cand.tokens) == 1 and cand.tokens[0] in other_words:
            continue
        clustering.join(i, nearest(cand, found, clustering, options))
    return clustering


def nearest(cand: Candidate, found: list[Candidate], clustering: Clustering, options: set[int]) -> int:
    """Of the clusters a short form could join, the one named in full last before it
    (else first after it)."""
    if len(options) == 1:
        return next(iter(options))
    forms = [(found[f].start_char, n) for n in options for f in clustering.clusters[n].forms]
    before = [form for form in forms if form[0] < cand.start_char]
    if before:
        return max(before)[1]
    return min(forms)[1]


# --- step 3 -------------------------------------------------------------------------------
def recovered_surnames(doc: Doc, found: list[Candidate], clustering: Clustering,
                       titles: TitleIndex) -> list[tuple[Candidate, int]]:
    """Untagged occurrences of a known person's surname (spaCy missed them), with the
    cluster each joins."""
    surnames: dict[str, set[int]] = {}
    for number, cluster in enumerate(clustering.clusters):
        for form in cluster.forms:
            surnames.setdefault(surname(found[form].tokens), set()).add(number)
    wanted = {doc.vocab.strings[s] for s in surnames if s in doc.vocab.strings}
    if not wanted:
        return []
    recovered: list[tuple[Candidate, int]] = []
    held = {cand.tok_start for cand in found if not cand.raw_label}  # untagged names already found
    lowers = doc.to_array(LOWER)  # one C-level pass instead of a Token per word
    hits = numpy.flatnonzero(numpy.isin(lowers, numpy.fromiter(wanted, dtype=lowers.dtype)))
    for i in hits.tolist():
        token = doc[i]
        if token.ent_iob != 2 or not token.is_title or token.i in titles.covering or token.i in held:
            continue
        if not is_proper_noun(token):
            continue
        neighbours = (doc[token.i - 1] if token.i else None, doc[token.i + 1] if token.i + 1 < len(doc) else None)
        if any(n is not None and is_proper_noun(n) and n.ent_iob == 2 and n.is_title for n in neighbours):
            continue  # part of a longer name spaCy did not tag
        cand = Candidate(token.idx, token.idx + len(token.text), token.text, "", "PERSON", token.text,
                         (token.lower_,), token.i, token.i + 1)
        recovered.append((cand, nearest(cand, found, clustering, surnames[token.lower_])))
    return recovered


# --- step 5 -------------------------------------------------------------------------------
def other_clusters(found: list[Candidate], names: list[int], clustering: Clustering) -> None:
    """Everything that is not a known person: one cluster per normalised name."""
    groups: dict[str, list[int]] = {}
    for i in names:
        if i in clustering.cluster_of:
            continue
        cand = found[i]
        group_key = cand.alias[0].casefold() if cand.alias else cand.key.casefold()
        groups.setdefault(group_key, []).append(i)
    for members in groups.values():
        alias = next((found[i].alias for i in members if found[i].alias), None)
        if alias is not None and alias[1] != KEEP_LABEL:
            label = alias[1]
        else:
            votes: Counter = Counter()
            for i in members:
                votes[found[i].label] += _weight(found[i])
            top = max(votes.values())
            label = next(found[i].label for i in members if votes[found[i].label] == top)
        number = clustering.new(label)
        for i in members:
            clustering.join(i, number)


# --- step 6 -------------------------------------------------------------------------------
def appositive_roles(doc: Doc, found: list[Candidate], names: list[int], clustering: Clustering,
                     titles: TitleIndex) -> dict[int, str]:
    """Titles in apposition ("Yair Lapid, the foreign minister"): candidate index -> role,
    for person mentions that have no title of their own."""
    by_token: dict[int, int] = {}
    for i in names:
        cand = found[i]
        if clustering.clusters[clustering.cluster_of[i]].label == "PERSON" and cand.tok_start is not None:
            for t in range(cand.tok_start, cand.tok_end):
                by_token[t] = i
    roles: dict[int, str] = {}
    if not by_token:
        return roles
    for title in titles.spans:
        if title.label_ != TITLE:
            continue
        root = title.root
        owner = None
        if root.dep_ == "appos" and root.head.i in by_token:
            owner = by_token[root.head.i]
        else:
            for child in root.children:
                if child.dep_ == "appos" and child.i in by_token:
                    owner = by_token[child.i]
                    break
        if owner is not None and found[owner].role is None and owner not in roles:
            roles[owner] = " ".join(title.text.split())
    return roles


# --- output ---------------------------------------------------------------------------------
def _resolved(found: list[Candidate], clustering: Clustering,
              roles: dict[int, str]) -> tuple[list[ResolvedMention], list[EntityCluster]]:
    def role_of(i: int) -> str | None:
        return found[i].role or roles.get(i)

    def cluster_role(cluster: Cluster) -> str | None:
        held = [role_of(i) for i in sorted(cluster.members, key=lambda i: found[i].start_char) if role_of(i)]
        if not held:
            return None
        return max(held, key=lambda role: (len(role.split()), -held.index(role)))

    def canonical(cluster: Cluster) -> str:
        if cluster.forms:
            longest = max(len(found[f].tokens) for f in cluster.forms)
            name = best_form(found[f].key for f in cluster.forms if len(found[f].tokens) == longest)
            return fix_caps(name, cluster.label)
        alias = next((found[i].alias for i in cluster.members if found[i].alias), None)
        if alias is not None:
            return alias[0]
        return fix_caps(best_form(found[i].key for i in cluster.members), cluster.label)

    described = [(canonical(cluster), cluster_role(cluster)) for cluster in clustering.clusters]
    mentions: list[ResolvedMention] = []
    by_index: dict[int, ResolvedMention] = {}
    for i in sorted(range(len(found)), key=lambda i: (found[i].start_char, found[i].end_char)):
        cand = found[i]
        if cand.tokens:
            number = clustering.cluster_of[i]
            label = clustering.clusters[number].label
            name, role = described[number]
        else:
            label, name, role = cand.label, cand.key, None
        mention = ResolvedMention(cand.start_char, cand.end_char, cand.surface, cand.raw_label, label, name,
                                  role if label == "PERSON" else None)
        mentions.append(mention)
        by_index[i] = mention
    entity_clusters = []
    for cluster, (name, role) in zip(clustering.clusters, described):
        if not cluster.members:
            continue
        members = sorted(cluster.members, key=lambda i: found[i].start_char)
        entity_clusters.append(EntityCluster(
            name, cluster.label, role if cluster.label == "PERSON" else None,
            tuple(by_index[i] for i in members),
            next((by_index[i] for i in members if role_of(i) and role_of(i) == role), None),
        ))
    return mentions, entity_clusters


# --- lookups for the components after this one ----------------------------------------------
def mention_at(doc: Doc, start_char: int, end_char: int) -> ResolvedMention | None:
    """The resolved mention covering a span; else the one overlapping it most (persons first)."""
    best = None
    best_rank = None
    for mention in doc._.resolved_mentions or ():
        if mention.start_char >= end_char:
            break
        if mention.end_char <= start_char:
            continue
        if mention.start_char <= start_char and end_char <= mention.end_char:
            return mention
        overlap = min(end_char, mention.end_char) - max(start_char, mention.start_char)
        rank = (mention.label == "PERSON", overlap, mention.start_char)
        if best_rank is None or rank > best_rank:
            best, best_rank = mention, rank
    return best


def person_for_title(doc: Doc, title_text: str, shorter_roles: bool = True,
                     other_offices: bool = True) -> ResolvedMention | None:
    """The person the article gives this title to ("the Prime Minister" -> Naftali Bennett).

    The title matches a person's role exactly, or one is a word-suffix of the other ("US
    Secretary of State" / "Secretary of State", "the Minister" / "Foreign Minister"); not,
    without `other_offices`, a longer role that is another office ("Shadow Home Secretary"
    for "the home secretary"), nor, without `shorter_roles`, a shorter one ("Gen." for "the
    attorney general"). An ambiguous title (two people with matching roles at the best
    strength) gives None.
    """
    wanted = title_words(title_text)
    if not wanted:
        return None
    ranked: dict[int, list[EntityCluster]] = {}
    for cluster in doc._.entity_clusters or ():
        if cluster.label != "PERSON" or not cluster.role:
            continue
        role = title_words(cluster.role)
        if role == wanted:
            strength = 3
        elif shorter_roles and len(role) < len(wanted) and wanted[-len(role):] == role:
            strength = 2
        elif len(wanted) < len(role) and role[-len(wanted):] == wanted and \
                (other_offices or not OTHER_OFFICE_WORDS.intersection(role[:-len(wanted)])):
            strength = 1
        else:
            continue
        ranked.setdefault(strength, []).append(cluster)
    if not ranked:
        return None
    best = ranked[max(ranked)]
    if len({(c.canonical_name, c.label) for c in best}) != 1:
        return None
    cluster = best[0]
    return cluster.titled or cluster.mentions[0]


def add_to_pipeline(nlp: Language, alias_files: Sequence[str] = ()) -> None:
    """Add the title scanner and the resolver right after "ner" (the resolver last).

    Without an "ner" component (tests that set `doc.ents` by hand) they go at the end."""
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("wirehouse_titles", after="ner")
    else:
        nlp.add_pipe("wirehouse_titles")
    nlp.add_pipe("wirehouse_entity_resolver", after="wirehouse_titles",
                 config={"alias_files": [str(path) for path in alias_files]})
