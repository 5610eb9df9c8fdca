"""Document-level entity resolution: one entity per person, place or organisation an article names.

spaCy's NER labels every span on its own, so the small model can call "Lapid" an ORG and
"Blinken" a GPE three sentences after "Yair Lapid" and "Antony Blinken" were tagged PERSON.
Two registered components, run in the same `nlp.pipe` pass after "ner", fix that per article:

- `wirehouse_titles`: a scanner that marks titles of office ("Foreign Minister",
  "Secretary of State", "National Security Adviser") and honorifics ("Mr", "Dr") in
  `doc.spans["wirehouse_titles"]`. It never writes `doc.ents`: the raw NER output is kept.
- `wirehouse_entity_resolver` (the last of ours; the quote extractor runs after it):
  turns `doc.ents` into `doc._.resolved_mentions` and `doc._.entity_clusters`.

Resolution, in order:
1. Titles are not entities: a name-type span lying inside a title ("State" in "Secretary of
   State", "the National Security Adviser") is dropped; a title or honorific at the start of a
   person span is cut off the mention ("President Bush" -> "Bush").
2. A NORP/GPE compound that joins known places ("U.S.-Israel") is split into its places.
3. Names are normalised for matching (whitespace folded, leading "the" and trailing
   possessive dropped) and looked up in the alias table `entity_aliases.tsv`.
4. Full person names (two or more words, tagged PERSON) form person clusters; shorter forms
   ("Bennett", "Minister Lapid") and the same words under another label join the cluster of
   the nearest full name, so a surname of a known person is PERSON wherever it appears.
   Untagged occurrences of a known surname are added (with an empty raw label).
5. Every other name is clustered by its normalised form; the cluster label is the alias
   table's, else the majority of spaCy's labels over the article.
6. A title right before a person mention (or in apposition to it) becomes that person's
   role in the article; the cluster keeps its most specific title.

Canonical names never depend on other articles: a person's is the fullest name the article
gives, without title, honorific or possessive, so "Prime Minister Naftali Bennett" and
"Naftali Bennett" are both "Naftali Bennett"; places and organisations use the alias table.

Contract used by the rest of the pipeline:
- `add_to_pipeline(nlp)` adds the components after "ner".
- `Doc._.resolved_mentions` is a list of `ResolvedMention`, in text order, with
  `doc.text[start_char:end_char] == text`.
- `mention_at(doc, start_char, end_char)` returns the resolved mention covering a span.
- `person_for_title(doc, "the Prime Minister")` returns the mention of the person the
  article gives that title to.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from wirehouse.transforms.pos import is_proper_noun

Doc.set_extension("resolved_mentions", default=None, force=True)
Doc.set_extension("entity_clusters", default=None, force=True)

ALIAS_FILE = Path(__file__).with_name("entity_aliases.tsv")
TITLE_SPANS_KEY = "wirehouse_titles"
TITLE = "TITLE"
HONORIFIC = "HONORIFIC"
KEEP_LABEL = "*"

# Labels that name something; the numeric and temporal ones pass through untouched.
NAME_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
PLACE_LABELS = frozenset({"GPE", "LOC"})
# Labels under which the small model commonly hides a person's surname.
SURNAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"})

# --- titles -----------------------------------------------------------------------------
# A title is: modifiers* head ["general"] | modifiers* head ("of"|"for") ["the"] department+
TITLE_HEADS = (
    "minister", "secretary", "president", "vice-president", "premier", "chancellor", "adviser",
    "advisor", "director", "ambassador", "envoy", "spokesman", "spokeswoman", "spokesperson",
    "senator", "sen.", "governor", "gov.", "mayor", "chairman", "chairwoman", "chairperson",
    "commissioner", "general", "gen.", "lieutenant", "lt.", "colonel", "col.", "captain", "capt.",
    "admiral", "adm.", "sergeant", "sgt.", "rep.", "representative", "congressman",
    "congresswoman", "sheriff", "prosecutor", "attorney", "justice", "judge", "chief",
    "executive", "officer", "leader", "manager", "coach", "boss", "secretary-general",
)
TITLE_MODIFIERS = (
    "prime", "foreign", "defense", "defence", "finance", "interior", "home", "deputy", "vice",
    "assistant", "associate", "chief", "acting", "junior", "senior", "shadow", "national",
    "security", "trade", "health", "education", "culture", "justice", "environment", "energy",
    "economy", "economic", "agriculture", "transport", "transportation", "labor", "labour",
    "treasury", "executive", "operating", "financial", "first", "state", "commerce", "industry",
    "sports", "sport", "information", "communications", "housing", "development",
    "international", "attorney", "press", "cabinet", "opposition", "majority", "minority",
    "party", "police", "army", "military", "managing", "general", "special", "presidential",
    "former", "then", "-",
)
TITLE_DEPARTMENTS = (
    "state", "defense", "defence", "treasury", "commerce", "energy", "interior", "health",
    "labor", "labour", "education", "agriculture", "transportation", "transport", "justice",
    "finance", "foreign", "affairs", "homeland", "security", "veterans", "housing", "culture",
    "trade", "industry", "environment", "economy", "home", "war", "navy", "army", "europe",
    "human", "services", "urban", "development", "and", "&",
)
HONORIFICS = ("mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "dr", "dr.", "messrs", "messrs.")
_FUNCTION_WORDS = frozenset({"of", "for", "the", "and", "&", "-"})
_DETERMINERS = frozenset({"the", "a", "an"})
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
# Labels whose names may end in "'s" ("Moody's", "McDonald's"): never cut there.
_POSSESSIVE_NAMES = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})


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


@Language.factory("wirehouse_titles")
def make_title_scanner(nlp: Language, name: str) -> TitleScanner:
    return TitleScanner(nlp.vocab)


# --- aliases ------------------------------------------------------------------------------
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_HYPHEN = re.compile(r"[-–]")


def name_key(text: str, possessive: bool = True) -> str:
    """The form of a name used for matching: whitespace folded, no leading "the", no possessive."""
    key = " ".join(text.split())
    stripped = _LEADING_THE.sub("", key)
    key = stripped or key
    if possessive:
        stripped = _POSSESSIVE.sub("", key).rstrip()
        key = stripped or key
    return key


@dataclass(frozen=True)
class AliasTable:
    """Alias -> (canonical name, label); see entity_aliases.tsv for the format."""

    exact: dict[str, tuple[str, str]] = field(default_factory=dict)
    folded: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_files(cls, paths: Sequence[Path | str]) -> "AliasTable":
        table = cls()
        for path in paths:
            table.load(Path(path))
        return table

    def load(self, path: Path) -> None:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [part.strip() for part in line.split("\t")]
            if len(parts) != 3 or not all(parts):
                raise ValueError(
                    f"{path}:{number}: expected 'alias<TAB>canonical name<TAB>label', got {line!r}"
                )
            self.add(*parts)

    def add(self, alias: str, canonical: str, label: str) -> None:
        for name in (canonical, alias):
            key = name_key(name)
            if key.isupper():
                self.exact[key] = (canonical, label)
            else:
                self.folded[key.casefold()] = (canonical, label)

    def lookup(self, key: str) -> tuple[str, str] | None:
        return self.exact.get(key) or self.folded.get(key.casefold())


@functools.lru_cache(maxsize=8)
def load_aliases(paths: tuple[str, ...] = (str(ALIAS_FILE),)) -> AliasTable:
    return AliasTable.from_files(paths)


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


@dataclass
class _Candidate:
    start_char: int
    end_char: int
    surface: str  # doc.text[start_char:end_char]
    raw_label: str
    label: str
    key: str
    tokens: tuple[str, ...]  # casefolded words of the key
    tok_start: int | None = None  # token index of the (trimmed) mention start
    tok_end: int | None = None
    role: str | None = None
    untrimmed: Span | None = None  # the span before a leading title was cut off
    alias: tuple[str, str] | None = None
    cluster: int = -1


@dataclass
class _Cluster:
    label: str
    forms: list[_Candidate] = field(default_factory=list)  # full names (persons)
    members: list[_Candidate] = field(default_factory=list)
    canonical: str = ""


def _fix_caps(name: str, label: str) -> str:
    """'NAIROBI' -> 'Nairobi' for names set in capitals (headlines); acronyms stay."""
    if label in ("ORG", "PRODUCT", "WORK_OF_ART", "LAW", "EVENT") or not name.isupper():
        return name
    if not any(len(word) >= 4 and word.isalpha() for word in name.split()):
        return name
    return " ".join(word.capitalize() for word in name.split(" "))


def _weight(cand: _Candidate) -> float:
    """A label vote; the model's labels on text set in capitals (datelines) count half."""
    return 0.5 if cand.surface.isupper() else 1.0


def _best_form(forms: Iterable[str]) -> str:
    forms = list(forms)
    mixed = [form for form in forms if not form.isupper()] or forms
    counts = Counter(mixed)
    return max(mixed, key=lambda form: (counts[form], -mixed.index(form)))


def _name_words(key: str) -> tuple[str, ...]:
    return tuple(key.casefold().split())


def _surname(words: tuple[str, ...]) -> str:
    core = [word for word in words if word not in _NAME_SUFFIXES] or list(words)
    return core[-1]


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    position = 0
    for word in short:
        try:
            position = long.index(word, position) + 1
        except ValueError:
            return False
    return True


def _contiguous_in(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    size = len(short)
    return any(long[i : i + size] == short for i in range(len(long) - size + 1))


@Language.factory(
    "wirehouse_entity_resolver",
    default_config={"alias_files": [], "recover_surnames": True},
)
def make_entity_resolver(nlp: Language, name: str, alias_files: list[str], recover_surnames: bool):
    return EntityResolver(alias_files=alias_files, recover_surnames=recover_surnames)


class EntityResolver:
    """Turns `doc.ents` (plus the title spans) into article-level entities."""

    def __init__(self, alias_files: Sequence[str] = (), recover_surnames: bool = True) -> None:
        self.aliases = load_aliases((str(ALIAS_FILE), *map(str, alias_files)))
        self.recover_surnames = recover_surnames

    # -- step 1 and 2: candidates from spaCy's spans --------------------------------------
    def _candidates(self, doc: Doc) -> tuple[list[_Candidate], dict[int, Span], dict[int, Span]]:
        titles = list(doc.spans[TITLE_SPANS_KEY]) if TITLE_SPANS_KEY in doc.spans else []
        covering: dict[int, Span] = {}
        ending_at: dict[int, Span] = {}
        for span in titles:
            for i in range(span.start, span.end):
                covering[i] = span
            ending_at[span.end] = span
        ents = doc.ents
        # (doc.text is rebuilt from all tokens on every access: only span texts are read here)
        places = {name_key(ent.text).casefold() for ent in ents if ent.label_ in PLACE_LABELS}
        candidates: list[_Candidate] = []
        for ent in ents:
            label = ent.label_
            if label not in NAME_LABELS:
                surface = ent.text
                candidates.append(
                    _Candidate(
                        ent.start_char, ent.end_char, surface, label, label, " ".join(surface.split()), (),
                        ent.start, ent.end,
                    )
                )
                continue
            start, end = ent.start, ent.end
            while end - start > 1 and (doc[start].is_quote or doc[start].is_bracket):
                start += 1  # "``Douglas Cardinal": the quotation mark is not part of the name
            while end - start > 1 and (doc[end - 1].is_quote or doc[end - 1].is_bracket):
                if doc[end - 1].lower_ in _POSSESSIVE_TOKENS:
                    break
                end -= 1
            lead = start
            if end - start > 1 and doc[start].lower_ in _DETERMINERS:
                start += 1
            possessive = (
                label not in _POSSESSIVE_NAMES and end - start > 1 and doc[end - 1].lower_ in _POSSESSIVE_TOKENS
            )
            if possessive:
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
            ent_text = ent.text
            if label in ("NORP", "GPE") and ("-" in ent_text or "–" in ent_text):
                parts = self._split_compound(ent, ent_text, places)
                if parts:
                    candidates.extend(parts)
                    continue
            span = doc[start if untrimmed is not None else lead : end]
            key = name_key(span.text, possessive=label not in _POSSESSIVE_NAMES)
            candidates.append(
                _Candidate(
                    span.start_char, span.end_char, span.text, label, label, key, _name_words(key), start, end,
                    role=" ".join(role.split()) if role else None,
                    # the span to fall back on if the rest is not a person after all
                    untrimmed=doc[untrimmed:end] if untrimmed is not None else None,
                )
            )
        return candidates, covering, ending_at

    def _split_compound(self, ent: Span, text: str, places: set[str]) -> list[_Candidate]:
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
            alias = self.aliases.lookup(key)
            is_place = (alias is not None and alias[1] in PLACE_LABELS) or key.casefold() in places
            any_place = any_place or is_place
            if is_place or piece[:1].isupper():
                found.append(
                    _Candidate(
                        start_char, start_char + len(piece), piece, ent.label_,
                        "GPE" if is_place else ent.label_, key, _name_words(key), ent.start, ent.end,
                    )
                )
        return found if any_place else []

    # -- steps 3 to 6 ------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        candidates, covering, ending_at = self._candidates(doc)
        names = [c for c in candidates if c.tokens]
        for cand in names:
            cand.alias = self.aliases.lookup(cand.key)
        clusters = self._person_clusters(names)
        if self.recover_surnames and clusters:
            recovered = self._recover(doc, clusters, covering)
            names.extend(recovered)
            candidates.extend(recovered)
        for cand in names:
            if cand.cluster < 0 and cand.untrimmed is not None and cand.raw_label != "PERSON":
                # the title trim was only worth it if the rest turned out to be a person
                span = cand.untrimmed
                cand.start_char, cand.end_char, cand.surface = span.start_char, span.end_char, span.text
                cand.key = name_key(span.text, possessive=cand.raw_label not in _POSSESSIVE_NAMES)
                cand.tokens = _name_words(cand.key)
                cand.role = None
                cand.alias = self.aliases.lookup(cand.key)
        self._other_clusters(names, clusters)
        self._roles(doc, names, clusters, ending_at)

        for cluster in clusters:
            cluster.canonical = self._canonical(cluster)
        mentions: list[ResolvedMention] = []
        by_candidate: dict[int, ResolvedMention] = {}
        candidates.sort(key=lambda c: (c.start_char, c.end_char))
        for cand in candidates:
            if cand.tokens:
                cluster = clusters[cand.cluster]
                label, canonical, role = cluster.label, cluster.canonical, cluster_role(cluster)
            else:
                label, canonical, role = cand.label, cand.key, None
            mention = ResolvedMention(
                cand.start_char, cand.end_char, cand.surface,
                cand.raw_label, label, canonical, role if label == "PERSON" else None,
            )
            mentions.append(mention)
            by_candidate[id(cand)] = mention
        doc._.resolved_mentions = mentions
        doc._.entity_clusters = [
            EntityCluster(
                cluster.canonical,
                cluster.label,
                cluster_role(cluster) if cluster.label == "PERSON" else None,
                tuple(by_candidate[id(c)] for c in sorted(cluster.members, key=lambda c: c.start_char)),
                next(
                    (by_candidate[id(c)] for c in sorted(cluster.members, key=lambda c: c.start_char)
                     if c.role and c.role == cluster_role(cluster)),
                    None,
                ),
            )
            for cluster in clusters
            if cluster.members
        ]
        return doc

    def _person_clusters(self, names: list[_Candidate]) -> list[_Cluster]:
        """Full names become person clusters; shorter forms join the nearest full name."""
        clusters: list[_Cluster] = []

        def blocked(cand: _Candidate) -> bool:
            return cand.alias is not None and cand.alias[1] not in ("PERSON", KEEP_LABEL)

        votes: dict[tuple[str, ...], Counter] = {}
        for cand in names:
            votes.setdefault(cand.tokens, Counter())[cand.label] += _weight(cand)
        first_label: dict[tuple[str, ...], str] = {}
        for cand in sorted(names, key=lambda c: c.start_char):
            first_label.setdefault(cand.tokens, cand.label)

        def person_by_vote(cand: _Candidate) -> bool:
            counts = votes[cand.tokens]
            top = max(counts.values())
            others = max((v for label, v in counts.items() if label != "PERSON"), default=0)
            return counts["PERSON"] > others or (
                counts["PERSON"] == top and first_label[cand.tokens] == "PERSON"
            )

        full = [
            c for c in names
            if c.label == "PERSON" and len([w for w in c.tokens if w not in _NAME_SUFFIXES]) >= 2
            and not blocked(c) and person_by_vote(c)
        ]
        for cand in sorted(full, key=lambda c: (-len(c.tokens), c.start_char)):
            for number, cluster in enumerate(clusters):
                longest = cluster.forms[0].tokens
                if (
                    _is_subsequence(cand.tokens, longest)
                    and _surname(cand.tokens) == _surname(longest)
                    and cand.tokens[0] == longest[0]
                ):
                    cand.cluster = number
                    cluster.forms.append(cand)
                    cluster.members.append(cand)
                    break
            else:
                cand.cluster = len(clusters)
                clusters.append(_Cluster("PERSON", [cand], [cand]))
        if not clusters:
            return clusters
        by_surname: dict[str, list[int]] = {}
        by_first: dict[str, list[int]] = {}
        for number, cluster in enumerate(clusters):
            for form in cluster.forms:
                by_surname.setdefault(_surname(form.tokens), []).append(number)
                by_first.setdefault(form.tokens[0], []).append(number)
        options_of: list[tuple[_Candidate, set[int]]] = []
        for cand in names:
            if cand.cluster >= 0 or cand.label not in SURNAME_LABELS or blocked(cand):
                continue
            words = cand.tokens
            options: set[int] = set()
            if len(words) == 1 and cand.label == "PERSON":
                options.update(by_first.get(words[0], ()))
            for number in by_surname.get(_surname(words), ()):
                if any(_contiguous_in(words, form.tokens) for form in clusters[number].forms):
                    options.add(number)
            if options:
                options_of.append((cand, options))
        # Words of multi-word names that are not persons ("Merrill" in "Merrill Lynch"): a
        # short form the model did not tag PERSON may stand for that name instead.
        linked = {id(cand) for cand, _ in options_of}
        other_words = {
            word for c in names
            if c.cluster < 0 and c.label != "PERSON" and len(c.tokens) > 1 and id(c) not in linked
            for word in c.tokens
        }
        for cand, options in options_of:
            if cand.label != "PERSON" and len(cand.tokens) == 1 and cand.tokens[0] in other_words:
                continue
            cand.cluster = self._nearest(cand, clusters, options)
            clusters[cand.cluster].members.append(cand)
        return clusters

    @staticmethod
    def _nearest(cand: _Candidate, clusters: list[_Cluster], options: set[int]) -> int:
        if len(options) == 1:
            return next(iter(options))
        before = [(f.start_char, n) for n in options for f in clusters[n].forms if f.start_char < cand.start_char]
        if before:
            return max(before)[1]
        return min((f.start_char, n) for n in options for f in clusters[n].forms)[1]

    def _recover(self, doc: Doc, clusters: list[_Cluster], covering: dict[int, Span]) -> list[_Candidate]:
        """Untagged occurrences of a known person's surname (spaCy missed them)."""
        surnames: dict[str, set[int]] = {}
        for number, cluster in enumerate(clusters):
            for form in cluster.forms:
                surnames.setdefault(_surname(form.tokens), set()).add(number)
        wanted = {doc.vocab.strings[s] for s in surnames if s in doc.vocab.strings}
        if not wanted:
            return []
        found = []
        lowers = doc.to_array(LOWER)  # one C-level pass instead of a Token per word
        hits = numpy.flatnonzero(numpy.isin(lowers, numpy.fromiter(wanted, dtype=lowers.dtype)))
        for i in hits.tolist():
            token = doc[i]
            if token.ent_iob != 2 or not token.is_title or token.i in covering:
                continue
            if not is_proper_noun(token):
                continue
            neighbours = (doc[token.i - 1] if token.i else None, doc[token.i + 1] if token.i + 1 < len(doc) else None)
            if any(n is not None and is_proper_noun(n) and n.ent_iob == 2 and n.is_title for n in neighbours):
                continue  # part of a longer name spaCy did not tag
            cand = _Candidate(
                token.idx, token.idx + len(token.text), token.text, "", "PERSON", token.text,
                (token.lower_,), token.i, token.i + 1,
            )
            cand.cluster = self._nearest(cand, clusters, surnames[token.lower_])
            clusters[cand.cluster].members.append(cand)
            found.append(cand)
        return found

    def _other_clusters(self, names: list[_Candidate], clusters: list[_Cluster]) -> None:
        """Everything that is not a known person: one cluster per normalised name."""
        groups: dict[str, list[_Candidate]] = {}
        for cand in names:
            if cand.cluster >= 0:
                continue
            group_key = cand.alias[0].casefold() if cand.alias else cand.key.casefold()
            groups.setdefault(group_key, []).append(cand)
        for members in groups.values():
            alias = next((c.alias for c in members if c.alias), None)
            if alias is not None and alias[1] != KEEP_LABEL:
                label = alias[1]
            else:
                votes = Counter()
                for cand in members:
                    votes[cand.label] += _weight(cand)
                top = max(votes.values())
                label = next(c.label for c in members if votes[c.label] == top)
            cluster = _Cluster(label, [], members)
            number = len(clusters)
            clusters.append(cluster)
            for cand in members:
                cand.cluster = number

    def _roles(self, doc: Doc, names: list[_Candidate], clusters: list[_Cluster], ending_at: dict[int, Span]) -> None:
        """Titles in apposition ("Yair Lapid, the foreign minister") are roles too."""
        by_token: dict[int, _Candidate] = {}
        for cand in names:
            if clusters[cand.cluster].label == "PERSON" and cand.tok_start is not None:
                for i in range(cand.tok_start, cand.tok_end):
                    by_token[i] = cand
        if not by_token:
            return
        for title in doc.spans[TITLE_SPANS_KEY] if TITLE_SPANS_KEY in doc.spans else ():
            if title.label_ != TITLE:
                continue
            root = title.root
            cand = None
            if root.dep_ == "appos" and root.head.i in by_token:
                cand = by_token[root.head.i]
            else:
                for child in root.children:
                    if child.dep_ == "appos" and child.i in by_token:
                        cand = by_token[child.i]
                        break
            if cand is not None and cand.role is None:
                cand.role = " ".join(title.text.split())

    @staticmethod
    def _canonical(cluster: _Cluster) -> str:
        if cluster.forms:
            longest = max(len(f.tokens) for f in cluster.forms)
            name = _best_form(f.key for f in cluster.forms if len(f.tokens) == longest)
            return _fix_caps(name, cluster.label)
        alias = next((c.alias for c in cluster.members if c.alias), None)
        if alias is not None:
            return alias[0]
        return _fix_caps(_best_form(c.key for c in cluster.members), cluster.label)


def cluster_role(cluster: _Cluster) -> str | None:
    roles = [c.role for c in sorted(cluster.members, key=lambda c: c.start_char) if c.role]
    if not roles:
        return None
    return max(roles, key=lambda role: (len(role.split()), -roles.index(role)))


def add_to_pipeline(nlp: Language, alias_files: Sequence[str] = ()) -> None:
    """Add the title ruler and the resolver right after "ner" (the resolver last).

    Without an "ner" component (tests that set `doc.ents` by hand) they go at the end.
    """
    if "ner" in nlp.pipe_names:
        nlp.add_pipe("wirehouse_titles", after="ner")
    else:
        nlp.add_pipe("wirehouse_titles")
    nlp.add_pipe(
        "wirehouse_entity_resolver",
        after="wirehouse_titles",
        config={"alias_files": [str(path) for path in alias_files]},
    )


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


_TITLE_NOISE = re.compile(r"^(?:the|a|an|his|her|their|its)\s+", re.IGNORECASE)


def _title_words(text: str) -> tuple[str, ...]:
    text = _POSSESSIVE.sub("", " ".join(text.split()))
    text = _TITLE_NOISE.sub("", text)
    return tuple(word.strip(",.;:").casefold() for word in text.split() if word.strip(",.;:"))


def person_for_title(doc: Doc, title_text: str) -> ResolvedMention | None:
    """The person the article gives this title to ("the Prime Minister" -> Naftali Bennett).

    The title matches a person's role exactly, or one is a word-suffix of the other
    ("US Secretary of State" / "Secretary of State", "the Minister" / "Foreign Minister");
    an ambiguous title (two people with matching roles at the best strength) gives None.
    """
    wanted = _title_words(title_text)
    if not wanted:
        return None
    ranked: dict[int, list[EntityCluster]] = {}
    for cluster in doc._.entity_clusters or ():
        if cluster.label != "PERSON" or not cluster.role:
            continue
        role = _title_words(cluster.role)
        if role == wanted:
            strength = 3
        elif len(role) < len(wanted) and wanted[-len(role):] == role:
            strength = 2
        elif len(wanted) < len(role) and role[-len(wanted):] == wanted:
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
