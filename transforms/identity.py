"""One identity per person across the warehouse: surnames linked to the full name they stand for.

Pure functions over plain records of one batch and the identity state the warehouse keeps
(identity_state.py: loaded once per run, the short-mention records read by key when needed,
and what each batch changed is written back with the batch; here a record is read with `.get`
and taken out with `[]` only to be changed):

- every person named in full gets an identity, `stable_hash("person", name key)`; spelling
  variants of one full name ("George W Bush" / "George Bush", "Steve" / "Steven Gerrard")
  merge when their sections and company agree, the older id redirected to the winner;
- a surname-only or titled mention ("Bush", "Mr Brown", "President Bush") links first to
  the article's own full names, then to the warehouse's people with that surname when the
  evidence is strong enough (how often each is named in full, how often in this section,
  the names around it, a matching role, gender from honorifics), else stays a person of
  its own article ("undecided") and is decided again when new people with that surname
  arrive; a surname no known person has is one unknown person across the warehouse per
  honorific gender ("mononym");
- mentions spaCy missed ("Mr X", "M Cueto" in a line-up, a known full name or surname) are
  recovered from the body;
- labels are decided across the warehouse (warehouse_labels.py), and a group named in the
  plural is its singular's entity once both are NORP ("Democrats", "a Democrat").

Ids are deterministic: replaying the same articles in the same order gives the same ids.
Every decision records its rule, score and evidence. An article's evidence is counted once
(`state["counted"]`): an article identified again is linked again, not counted again.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from wirehouse.transforms.lexicon import PERSON_ROLE_NOUNS
from wirehouse.transforms.names import (POSSESSIVE_NAMES, group_plurals, group_singular, possessive_forms,
                                       possessive_stem)
from wirehouse.transforms.person_names import PARTICLES, Name, fold, NameParser, names_compatible
from wirehouse.transforms.records import stable_hash
from wirehouse.transforms.warehouse_labels import DETERMINERS, decide_label, label_cues

@dataclass(frozen=True)
class NameMention:
    start_char: int
    end_char: int
    text: str
    label: str  # article-level resolved label
    raw_label: str | None
    role: str | None
    sentence_index: int | None = None
    before: str = ""  # up to 24 characters of body before the mention
    after: str = ""  # up to 24 characters after


@dataclass(frozen=True)
class NameCluster:
    entity_id: str  # today's article-level id: hash(canonical_name, label)
    canonical_name: str
    label: str
    mentions: tuple[NameMention, ...]

    @functools.cached_property  # asked for again and again (116,366 times on BBC)
    def name_key(self) -> str:
        """The folded key of the whole name, as one word: what an article's context is made of."""
        return fold(self.canonical_name.replace(" ", "_"))


@dataclass(frozen=True)
class ArticleNames:
    article_id: str
    path: str
    section: str
    clusters: tuple[NameCluster, ...]
    body: str | None = None  # needed only to recover mentions spaCy missed

    @functools.cached_property  # asked for every short mention of the article; dies with it
    def name_keys(self) -> frozenset:
        """The folded keys of the article's names (not dates or numbers): its context."""
        return frozenset(k for k in (c.name_key for c in self.clusters if c.label not in NON_NAME_LABELS) if k)


@dataclass
class Params:
    # candidate scoring (log space)
    prior_weight: float = 1.0
    section_weight: float = 1.0
    section_alpha: float = 0.5
    context_weight: float = 20.0
    role_bonus: float = 1.5
    new_person_alpha: float = 1.0  # pseudo-count of "someone the warehouse has not named in full"
    new_person_context: float = 0.02  # context similarity an unseen person is credited with
    link_threshold: float = 0.6  # posterior needed to link a surname to a full-name person
    tentative_threshold: float = 0.7  # ... when spaCy did not call the surname a person
    tentative_min_sim: float = 0.1
    local_bonus: float = 3.0
    unknown_gender_penalty: float = 1.0  # "Mrs X" and a candidate whose gender the warehouse does not know  # log-odds kept by the article's own choice among its full names
    # variant merges of full names
    variant_min_section_cosine: float = 0.5
    variant_min_context_cosine: float = 0.3
    # recovery of untagged mentions
    recover: bool = True
    recover_min_articles: int = 2
    # labels
    label_fix: bool = True
    # ablation switches
    merge_variants: bool = True
    use_gender: bool = True


TENTATIVE_LABELS = {"ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "NORP"}
NON_NAME_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
def new_state() -> dict:
    return {
        "n_articles": 0,
        "counted": {},  # article id -> its number among the articles counted: evidence counted once
        "df": Counter(),  # context key -> articles
        "sections": Counter(),
        "identities": {},  # id -> dict
        "key_index": {},  # full-name key -> id
        "surname_index": defaultdict(set),  # surname -> ids of full-name identities
        "redirects": {},  # old id -> new id
        "published": set(),  # ids already written to the warehouse
        "labels": {},  # name key -> {"votes": Counter, "cues": Counter}
        "label_decided": {},  # name key -> label
        "word_case": Counter(),  # "w:lower" / "w:upper_mid" counts, for descriptor words
        "norp_words": Counter(),  # words seen as a NORP entity of their own
        "first_names": defaultdict(set),  # first token -> surnames it precedes in full PERSON names
        "short": {},  # short cluster key -> evidence (re-decided when its surname changes)
        "short_by_surname": defaultdict(set),
    }


def resolve(state: dict, ident: str) -> str:
    seen = set()
    while ident in state["redirects"] and ident not in seen:
        seen.add(ident)
        ident = state["redirects"][ident]
    return ident


# honorifics that go with a first name: "Sir Howard" is Sir Howard Newby
FIRST_NAME_HONORIFICS = ("sir", "dame")


def _new_identity(ident: str, name: Name, kind: str) -> dict:
    return {
        "id": ident, "kind": kind, "key": name.key, "surname": name.surname,
        "forms": Counter(), "articles": 0, "mentions": 0, "anchored_articles": 0,
        "sections": Counter(), "context": Counter(), "roles": Counter(), "gender": Counter(),
        "first": name.first,
    }



def _known_surname(state: dict, name_key: str, batch_surnames: Counter | None = None) -> bool:
    """A one-word name that is the surname of people the warehouse names in full (>= 3 articles)."""
    if " " in name_key:
        return False
    ids = {resolve(state, i) for i in state["surname_index"].get(fold(name_key), ())}
    seen = sum(state["identities"].get(i)["anchored_articles"] for i in ids)
    return seen + (batch_surnames or {}).get(fold(name_key), 0) >= 3


def _context_keys(article: ArticleNames, skip: NameCluster | None) -> set[str]:
    """The article's other names (its context), as folded keys."""
    keys = article.name_keys
    if skip is not None:
        own = skip.name_key
        if own in keys:
            keys = keys - {own}
    return keys


def _similarity(state: dict, keys: Iterable[str], ident: dict) -> float:
    n = max(ident["anchored_articles"], 1)
    N = max(state["n_articles"], 1)
    num = den = 0.0
    for k in keys:
        idf = math.log((N + 1) / (state["df"].get(k, 0) + 1))
        den += idf
        num += idf * min(1.0, ident["context"].get(k, 0) / n)
    return num / den if den else 0.0


def _gender_of(ident: dict) -> str | None:
    """From honorifics (Mr / Mrs, Ms, Lady ...) and, at half weight, pronouns after the full name."""
    g = ident["gender"]
    m = g.get("m", 0) + 0.5 * g.get("m_pron", 0)
    f = g.get("f", 0) + 0.5 * g.get("f_pron", 0)
    if m >= 2 and m >= 4 * f:
        return "m"
    if f >= 2 and f >= 4 * m:
        return "f"
    return None


def score_candidates(state: dict, p: Params, surname: str, section: str, keys: set[str], gender: str | None,
                     role: str | None, initial: str | None, exclude: set[str] = frozenset()):
    """Log-scores of each full-name person with this surname, plus the 'new person' option."""
    n_sections = max(len(state["sections"]), 1)
    out = []
    for cid in sorted({resolve(state, i) for i in state["surname_index"].get(surname, ())}):
        if cid in exclude:
            continue
        c = state["identities"].get(cid)
        if c["anchored_articles"] == 0:
            continue
        if initial and (c["first"] or "")[:1] != initial:
            continue
        cg = _gender_of(c) if p.use_gender else None
        if gender and cg and gender != cg:
            continue
        gender_penalty = p.unknown_gender_penalty if (gender and p.use_gender and cg is None) else 0.0
        a = c["anchored_articles"]
        s = p.prior_weight * math.log(a) - gender_penalty
        s += p.section_weight * math.log((c["sections"].get(section, 0) + p.section_alpha) / (a + p.section_alpha * n_sections))
        sim = _similarity(state, keys, c)
        s += p.context_weight * sim
        role_hit = False
        if role:
            head = role.split()[-1].casefold()
            role_hit = any(r.split()[-1].casefold() == head for r in c["roles"])
            if role_hit:
                s += p.role_bonus
        out.append((s, cid, dict(prior=a, section=c["sections"].get(section, 0), sim=round(sim, 3), role=role_hit)))
    null = math.log(p.new_person_alpha) + p.section_weight * math.log(1.0 / n_sections) + p.context_weight * p.new_person_context
    return sorted(out, key=lambda t: (-t[0], t[1])), null


def posterior(scored, null):
    if not scored:
        return None, 0.0, {}
    mx = max([s for s, _, _ in scored] + [null])
    z = sum(math.exp(s - mx) for s, _, _ in scored) + math.exp(null - mx)
    best = scored[0]
    return best, math.exp(best[0] - mx) / z, best[2]


@dataclass
class BatchResult:
    mentions: list[dict] = field(default_factory=list)
    updated_mentions: list[dict] = field(default_factory=list)
    identities: list[dict] = field(default_factory=list)
    redirects: list[tuple[str, str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    # names whose stored rows, if any, join another name's: a plural group its singular's, a
    # possessive form its stem's (`joined_name`)
    groups: set[str] = field(default_factory=set)
    stats: Counter = field(default_factory=Counter)


def is_group_plural(state: dict, name_key: str) -> bool:
    """Whether the warehouse names this group by its singular: both are decided NORP."""
    singular = group_singular(name_key)
    return singular != name_key and state["label_decided"].get(name_key) == "NORP" \
        and state["label_decided"].get(singular) == "NORP"


def is_possessive_form(state: dict, name_key: str) -> bool:
    """Whether the warehouse names this organisation, work, event or law without the possessive
    spaCy tagged with it ("Deutsche Boerse's bid"): its stem is a name of the same label that
    articles also write without one. A stem most articles write only before "'s" is the
    possessive form clipped by spaCy ("Wendy" of "Wendy's restaurants"): the name is the form.
    No join until articles read for that name the stem (a warehouse upgraded from a version
    without this evidence has counted its articles already)."""
    stem = possessive_stem(name_key)
    label = state["label_decided"].get(name_key)
    if stem == name_key or label not in POSSESSIVE_NAMES or state["label_decided"].get(stem) != label:
        return False
    stem_seen = dict.get(state["labels"], stem)
    read = stem_seen["cues"]["possessive_read"] if stem_seen is not None else 0
    return read > 0 and 2 * stem_seen["cues"]["possessive_after"] <= read


def joined_name(state: dict, name: str, label: str) -> str:
    """The name the warehouse stores a name under: a plural group under its singular, a
    possessive form under its stem, once it knows both; else the name itself."""
    if label == "NORP" and is_group_plural(state, name.casefold()):
        return group_singular(name)
    if label in POSSESSIVE_NAMES and is_possessive_form(state, name.casefold()):
        return possessive_stem(name)
    return name


def _first_name_like(state: dict, name_key: str) -> bool:
    """Does the name start with a word the warehouse uses as the first name of >= 3 people, and is
    that word not, on its own, mostly a place or organisation ("Manchester")?"""
    words = name_key.split()
    if len(words) < 2:
        return False
    w = fold(words[0])
    alone = state["label_decided"].get(words[0])
    return len(state["first_names"].get(w, ())) >= 3 and alone in (None, "PERSON")


def _norp_words(cluster) -> set[str]:
    """The one-word names a group goes by: its canonical name and what its mentions say, each
    also in the singular ("Tories" and "Tory" of "the Tories", whose canonical name is
    "Conservative"), so "Tory Liam Fox" is Liam Fox."""
    names = [cluster.canonical_name, *(m.text for m in cluster.mentions)]
    return {fold(form) for name in names if len(name.split()) == 1 for form in (name, group_singular(name))}


def _descriptor_fn(state: dict):
    def descriptor(word: str, strict: bool = False, two: bool = False) -> bool:
        w = fold(word)
        if state["norp_words"].get(w, 0) >= 2:
            return True  # Briton, Scot, Kenyan, Tory, Australian
        if strict:
            return False
        lower, upper = state["word_case"].get(w + ":l", 0), state["word_case"].get(w + ":u", 0)
        common = lower >= 3 and lower >= 3 * max(upper, 1)
        if two:  # in a two-word name only a common word that never starts another person's name
            return common and len(state["first_names"].get(w, ())) < 2
        return common and len(state["first_names"].get(w, ())) < 2
    return descriptor


_MID_SENTENCE_WORD = re.compile(r"(?<=[a-z,;] )([A-Za-z]+)")


def _count_words(counts: Counter, body: str) -> None:
    """Lower-case vs capitalised-mid-sentence counts of each word, to tell descriptors from names.
    Each distinct form is keyed once (a BBC article repeats most of its ~400 such words)."""
    for w, n in Counter(_MID_SENTENCE_WORD.findall(body)).items():
        counts[w.casefold() + (":l" if w[0].islower() else ":u")] += n


def _covered(spans, start, end):
    return any(s < end and start < e for s, e in spans)


def place_like(state: dict, word: str) -> bool:
    """A word the warehouse, on its own, calls a place, nationality or organisation and never a
    person ("England", "Sri"): not a surname to look for in text."""
    lab = state["labels"].get(word)
    if not lab:
        return False
    votes = lab["votes"]
    if votes.get("PERSON", 0) or sum(votes.values()) < 3:
        return False
    return max(votes, key=lambda k: (votes[k], k)) in ("GPE", "LOC", "FAC", "ORG")  # not NORP: "Briton Tim Henman"


def _recovery_index(state: dict, p: Params, batch_articles=None):
    """Full-name forms (by first word) and surnames of people named in full in >= 2 articles."""
    batch_articles = batch_articles or {}

    def known(ident):
        return ident["anchored_articles"] + len(batch_articles.get(ident["id"], ())) >= p.recover_min_articles

    known_full: dict[str, dict[str, str]] = defaultdict(dict)
    for ident in state["identities"].values():
        if ident["kind"] == "full" and ident["id"] not in state["redirects"] and known(ident) \
                and not place_like(state, ident["surname"]):
            for form in ident["forms"] or [ident["key"].title()]:
                if state["label_decided"].get(form.casefold(), "PERSON") == "PERSON":
                    known_full[form.split()[0]].setdefault(form, ident["id"])
    surnames = {s for s, ids in state["surname_index"].items()
                if not place_like(state, s) and any(known(state["identities"].get(resolve(state, i))) for i in ids)}
    return known_full, surnames


# the tests _recover makes around every capitalised word of a body, compiled once
_HONORIFIC_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Baroness)\.? ([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
_SURNAME_LIKE = re.compile(r"(?<![\w-])([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")
_INITIAL_BEFORE = re.compile(r"(?:^|[\s(;,])([A-Z])\.? $")
_CAPITALISED_BEFORE = re.compile(r"[A-Z][a-z]+ $")
_CAPITALISED_AFTER = re.compile(r" [A-Z][a-z]")
_SENTENCE_START_BEFORE = re.compile(r"(^|[.!?]\s+|[.!?]?\s*[\"“‘']|\n\s*)$")
_WORD_BEFORE = re.compile(r"(\b[A-Za-z]+)\s+$")
_OF_NAME_BEFORE = re.compile(r"[A-Z]\w* of $|[A-Z]\w* de $")
_AND_NAME_AFTER = re.compile(r"\s*(&|and [A-Z])")


def _recover(state: dict, p: Params, article: ArticleNames, covered, batch_articles=None, local=frozenset(),
             index=None) -> list[tuple[NameMention, Name, str]]:
    """Person mentions spaCy missed: 'Mr X', an initial before a known surname ('M Cueto'), a known
    full name, or a known surname standing alone ('Scholes' in a line-up, 'anti-Bush')."""
    body = article.body or ""
    found = []
    known_full, surnames = index if index is not None else _recovery_index(state, p, batch_articles)
    surnames = surnames | set(local)
    taken = list(covered)
    for m in _HONORIFIC_NAME.finditer(body):
        s, e = m.start(2), m.end(2)
        if not _covered(taken, s, e) and fold(m.group(2)) not in DETERMINERS and fold(m.group(2)) not in PERSON_ROLE_NOUNS:
            taken.append((s, e))
            found.append((NameMention(s, e, m.group(2), "PERSON", None, None, None, body[max(0, s - 24):s], body[e:e + 24]),
                          Name((fold(m.group(2)),), m.group(2), m.group(1).casefold()), "recovered_honorific"))
    forms = []
    for w in set(_CAPITALISED.findall(body)):
        forms.extend(f for f in known_full.get(w, ()) if f in body)
    for form in sorted(forms, key=len, reverse=True):
        for m in re.finditer(r"\b" + re.escape(form) + r"\b", body):
            if not _covered(taken, m.start(), m.end()):
                taken.append((m.start(), m.end()))
                tokens = tuple(fold(w) for w in form.split())
                found.append((NameMention(m.start(), m.end(), form, "PERSON", None, None, None,
                                      body[max(0, m.start() - 24):m.start()], body[m.end():m.end() + 24]),
                              Name(tokens, form), "recovered_full"))
    for m in _SURNAME_LIKE.finditer(body):
        w = m.group(1)
        f = fold(w)
        if f not in surnames or _covered(taken, m.start(), m.end()):
            continue
        pre = body[max(0, m.start() - 3):m.start()]
        post = body[m.end():m.end() + 6]
        initial = _INITIAL_BEFORE.search(body[max(0, m.start() - 4):m.start()])
        prev_cap = _CAPITALISED_BEFORE.search(body[max(0, m.start() - 20):m.start()])
        next_cap = _CAPITALISED_AFTER.match(post)
        sentence_start = _SENTENCE_START_BEFORE.search(body[max(0, m.start() - 3):m.start()])
        after_word = _WORD_BEFORE.search(body[max(0, m.start() - 20):m.start()])
        if after_word and (after_word.group(1).casefold() in DETERMINERS
                           or (after_word.group(1) in ("of", "de") and _OF_NAME_BEFORE.search(body[max(0, m.start() - 30):m.start()]))):
            continue  # "the England A side", "School of Rock", "Meet the Fockers"
        if initial:
            found.append((NameMention(m.start(), m.end(), w, "PERSON", None, None, None, body[max(0, m.start() - 24):m.start()],
                                  body[m.end():m.end() + 24]), Name((initial.group(1).casefold(), f), initial.group(1) + " " + w),
                          "recovered_initial"))
            taken.append((m.start(), m.end()))
            continue
        if prev_cap or next_cap or (sentence_start and f not in local) or _AND_NAME_AFTER.match(post):
            continue
        found.append((NameMention(m.start(), m.end(), w, "PERSON", None, None, None, body[max(0, m.start() - 24):m.start()],
                              body[m.end():m.end() + 24]), Name((f,), w), "recovered_surname"))
        taken.append((m.start(), m.end()))
    return found


def process_batch(state: dict, articles: list[ArticleNames], params: Params | None = None,
                  overrides: dict | None = None) -> BatchResult:
    """One batch of articles in, state updated in place (and returned rows out)."""
    p = params or Params()
    overrides = overrides or {}
    res = BatchResult()
    articles = sorted(articles, key=lambda a: a.article_id)
    touched_surnames: set[str] = set()
    new_ids: set[str] = set()

    # An article's evidence is counted once, the first time it is identified: its id is a
    # hash of its body, and an unchanged body enriched again (a new enrichment version) is
    # linked again, not counted again.
    fresh = [art for art in articles if art.article_id not in state["counted"]]
    fresh_ids = {art.article_id for art in fresh}

    # --- 1. corpus statistics: df, sections, word case, NORP words, first names, label votes
    batch_surnames: Counter = Counter()  # surnames of full names this batch calls PERSON
    # each name cluster's local label cues, read again in step 3
    cues_of: dict[int, Counter] = {id(c): label_cues(c) for art in articles for c in art.clusters
                                   if c.label not in NON_NAME_LABELS}
    word_case: Counter = Counter()  # read from step 3 on only, so added once for the batch
    for art in fresh:
        state["n_articles"] += 1
        state["counted"][art.article_id] = state["n_articles"]
        state["sections"][art.section] += 1
        if art.body:
            _count_words(word_case, art.body)
        keys = set()
        for c in art.clusters:
            if c.label in NON_NAME_LABELS:
                continue
            keys.add(c.name_key)
            nk = c.canonical_name.casefold()
            lab = state["labels"].setdefault(nk, {"votes": Counter(), "cues": Counter()})
            lab["votes"][c.label] += 1
            lab["cues"].update(cues_of[id(c)])
            if c.label == "NORP":
                for word in _norp_words(c):
                    state["norp_words"][word] += 1
            if c.label == "PERSON":
                words = c.canonical_name.split()
                if len(words) >= 2:
                    state["first_names"][fold(words[0])].add(fold(words[-1]))
                    batch_surnames[fold(words[-1])] += 1
        for k in keys:
            state["df"][k] += 1
    for w, n in word_case.items():  # not Counter.update: into an empty counter it bypasses __setitem__
        state["word_case"][w] += n

    # --- 2. labels decided by the warehouse for the names whose votes this batch added
    touched_names = {c.canonical_name.casefold() for a in fresh for c in a.clusters if c.label not in NON_NAME_LABELS}
    for nk in sorted(touched_names):
        lab = state["labels"][nk]
        label = overrides.get("labels", {}).get(nk) or (decide_label(lab["votes"], lab["cues"], _first_name_like(state, nk),
                                                                     _known_surname(state, nk, batch_surnames),
                                                                     state["norp_words"].get(nk, 0) >= 1 or nk.endswith("man")
                                                                     and state["norp_words"].get(nk[:-3] + "sh", 0) >= 1) if p.label_fix
                                                        else max(lab["votes"], key=lambda k: (lab["votes"][k], k)))
        if state["label_decided"].get(nk) != label:
            res.labels[nk] = label
        state["label_decided"][nk] = label
    # a group named in the plural is the group its singular names, once the warehouse calls both
    # NORP ("Democrats", "a Democrat"; not "Carstairs", never a group of its own in the singular);
    # a possessive form spaCy tagged ("BBC Radio 4's Today programme") is its stem once the
    # warehouse knows the stem under the same label (not "Moody's" or "Jay-Z's", whose stem is
    # no such name). The stored rows of such a name the batch names, in either form, join the
    # other's, also from articles enriched again (a warehouse built before names were joined)
    for nk in sorted({c.canonical_name.casefold() for a in articles for c in a.clusters
                      if c.label not in NON_NAME_LABELS}):
        label = state["label_decided"].get(nk)
        if label == "NORP":
            res.groups.update(plural for plural in [nk, *group_plurals(nk)] if is_group_plural(state, plural))
        elif label in POSSESSIVE_NAMES:
            res.groups.update(form for form in [nk, *possessive_forms(nk)] if is_possessive_form(state, form))

    descriptor = _descriptor_fn(state)
    names_in = NameParser(descriptor)  # the descriptor's counts are fixed from here on
    names_plain = NameParser()

    def known_person(c: NameCluster) -> bool:
        """A full name an earlier batch took for a person ("Milan Mandaric" before the warehouse
        called Milan a place): it stays one, so its id does not depend on when it is read."""
        names = names_in(c.canonical_name)
        return bool(names) and names[0][0].is_full and names[0][0].key in state["key_index"]

    def is_person_cluster(c: NameCluster) -> bool:
        label = state["label_decided"].get(c.canonical_name.casefold(), c.label)
        words = c.canonical_name.split()
        if label == "PERSON" and len(words) >= 2 and place_like(state, words[0].casefold()) \
                and not cues_of[id(c)]["honorific"] and not known_person(c):
            return False  # "BBC Sport Wales", "Manchester United": its first word alone is no person
        if label == "PERSON":
            return True
        # a person named in full is never ORG / WORK_OF_ART: local person cues on a full name win
        cues = cues_of[id(c)]
        names = names_in(c.canonical_name)
        return bool(c.label == "PERSON" and names and names[0][0].is_full and (cues["honorific"] or cues["title"])
                    and names[0][0].first in state["first_names"] and len(state["first_names"][names[0][0].first]) >= 2)

    # --- 3. full names: one identity per name key (variants merged in step 5)
    plan = []  # (article, cluster or None, mention, Name, kind) for every person mention
    tentatives: set = set()
    for art in articles:
        person_of = {id(c): is_person_cluster(c) for c in art.clusters if c.label not in NON_NAME_LABELS}
        local_keys = {t[0].key for c in art.clusters if person_of.get(id(c))
                      for t in names_in(c.canonical_name)[:1] if t[0].is_full}
        for c in art.clusters:
            if c.label in NON_NAME_LABELS:
                continue
            person = person_of[id(c)]
            for m in c.mentions:
                names = names_in(m.text, m.before)
                if not person and len(m.text.split()) == 1 and c.label in TENTATIVE_LABELS:
                    one = names_plain(m.text, m.before)
                    if one and len(one[0][0].tokens) <= 2 and one[0][0].surname in state["surname_index"] \
                            and not label_cues(NameCluster(c.entity_id, c.canonical_name, c.label, (m,)))["org_follower"]:
                        # "Cole" tagged PRODUCT in a line-up: a person only if a known person claims it
                        tentatives.add((art.article_id, m.start_char))
                        plan.append((art, c, m, one[0][0], "short"))
                        continue
                if not person:
                    # a person inside a non-person span: "Mr Brown's International Finance Facility",
                    # or known surnames listed in a line-up tagged ORG ("Eustace, Brown")
                    listed = len(names) >= 2
                    names = [t for t in names if (t[0].honorific and len(t[0].tokens) == 1)
                             or (len(names) == 1 and t[0].key in local_keys)  # "Martin (Campbell" beside Martin Campbell
                             or (listed and len(t[0].tokens) == 1 and t[0].surname in state["surname_index"])]
                if person and len(names) > 1:
                    # "Jonathan Kaplan - England": keep the parts that can be people
                    names = [t for t in names if state["label_decided"].get(m.text[t[1]:t[2]].casefold(), "PERSON") == "PERSON"
                             and not place_like(state, t[0].key)]
                for name, s, e in names:
                    sub = m if (s == 0 and e == len(m.text)) else NameMention(
                        m.start_char + s, m.start_char + e, m.text[s:e], m.label, m.raw_label, m.role, m.sentence_index,
                        (m.before + m.text[:s])[-24:], m.text[e:] + m.after)
                    plan.append((art, c, sub, name, "full" if name.is_full else "short"))

    def register(items):
        for art, c, m, name, kind in items:
            if kind != "full":
                continue
            _register(art, name)

    def _register(art, name):
        key = name.key
        ident = overrides.get("names", {}).get(key) or state["key_index"].get(key)
        if ident is None:
            ident = stable_hash("person", key)
            state["key_index"][key] = ident
            state["identities"][ident] = _new_identity(ident, name, "full")
            state["surname_index"][name.surname].add(ident)
            new_ids.add(ident)
        ident = resolve(state, ident)
        if art.article_id in fresh_ids:  # a counted article is in anchored_articles already
            batch_articles[ident].add(art.article_id)
        touched_surnames.add(name.surname)

    batch_articles: dict[str, set] = defaultdict(set)
    register(plan)
    plan_of: dict[str, list] = defaultdict(list)  # article -> its items, in plan order
    for t in plan:
        plan_of[t[0].article_id].append(t)
    if p.recover:
        index = _recovery_index(state, p, batch_articles)
        for art in articles:
            if not art.body:
                continue
            covered = [(m.start_char, m.end_char) for c in art.clusters for m in c.mentions]
            local = {t[3].surname for t in plan_of[art.article_id] if t[4] == "full"}
            found = []
            for m, name, rule in _recover(state, p, art, covered, batch_articles, local, index):
                found.append((art, None, m, name, "full" if name.is_full else "short"))
                res.stats[rule] += 1
            register(found)
            plan.extend(found)
            plan_of[art.article_id].extend(found)

    # per-article statistics of full-name identities (anchors)
    anchors: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # article -> surname -> [(start, id)]
    for art, c, m, name, kind in plan:
        if kind == "full":
            anchors[art.article_id][name.surname].append((m.start_char, resolve(state, state["key_index"][name.key])))
    firsts: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))  # article -> first name -> ids
    for art, c, m, name, kind in plan:
        if kind == "full":
            firsts[art.article_id][name.first].add(resolve(state, state["key_index"][name.key]))
    for art in fresh:
        keys_all = {c.name_key for c in art.clusters if c.label not in NON_NAME_LABELS}
        seen = set()
        for surname, lst in anchors[art.article_id].items():
            for _, ident in lst:
                if ident in seen:
                    continue
                seen.add(ident)
                d = state["identities"][ident]
                d["anchored_articles"] += 1
                d["sections"][art.section] += 1
                own = {fold(f.replace(" ", "_")) for f in d["forms"]} | {fold(d["key"].replace(" ", "_"))}
                for k in keys_all - own:
                    d["context"][k] += 1
    for art, c, m, name, kind in plan:
        if kind == "full" and art.article_id in fresh_ids:
            d = state["identities"][resolve(state, state["key_index"][name.key])]
            d["forms"][name.display] += 1
            if art.body and p.use_gender:
                # pronouns right after a full name: "Mr Smith ... he", "Sandra Howard ... she"
                tail = art.body[m.end_char:m.end_char + 160]
                tail = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", tail, maxsplit=2)
                tail = " ".join(tail[:2]).casefold()
                he = len(re.findall(r"\b(?:he|his|him|himself)\b", tail))
                she = len(re.findall(r"\b(?:she|her|hers|herself)\b", tail))
                if he and not she:
                    d["gender"]["m_pron"] += 1
                elif she and not he:
                    d["gender"]["f_pron"] += 1
            if m.role:
                d["roles"][m.role] += 1
            if name.gender:
                d["gender"][name.gender] += 1
    # honorifics / roles of the article's short forms count for the anchored person too
    for art, c, m, name, kind in plan:
        if kind == "short" and c is not None and art.article_id in fresh_ids:
            local = anchors[art.article_id].get(name.surname)
            if local and len({i for _, i in local}) == 1:
                d = state["identities"][local[0][1]]
                if name.gender:
                    d["gender"][name.gender] += 1
                if m.role:
                    d["roles"][m.role] += 1

    # --- 4. variant merges among identities of touched surnames (George Bush ~ George W Bush,
    #        Steve ~ Steven Gerrard, Mathew ~ Matthew Tait) when their sections agree
    no_merge = {frozenset(pair) for pair in overrides.get("no_merge", [])}
    for surname in sorted(touched_surnames) if p.merge_variants else ():
        _merge_variants(state, p, surname, res, no_merge)

    # --- 5. every person mention -> identity
    # the records of short mentions identified before (an article enriched again), read together
    _short_records(state, [skey for art, c, m, name, kind in plan if kind == "short" and art.article_id not in fresh_ids
                           for skey in [_short_key(art, c, m, name)]
                           if skey in state["short_by_surname"].get(name.surname, ())])
    decided_now: set[str] = set()  # short clusters decided in this batch

    def pin_of(art: ArticleNames, m: NameMention) -> str | None:
        """An analyst's person for the mention, None for "not a person", "" for no pin."""
        return overrides.get("mentions", {}).get(f"{art.article_id}:{m.start_char}", "")

    # the one gender an article's honorifics give a surname: "President Kumaratunga ... Mrs
    # Kumaratunga" is one unknown woman, not an unknown person beside her (BBC: 10 of 19
    # names split inside one article were such pairs)
    honorific_genders: dict[tuple[str, str], set] = defaultdict(set)
    for art, c, m, name, kind in plan:
        # not "Sir Howard" (a first name), nor a mention an analyst says is no person
        if kind == "short" and name.gender and name.honorific not in FIRST_NAME_HONORIFICS and \
                pin_of(art, m) is not None:
            honorific_genders[art.article_id, name.surname].add(name.gender)
    for art in articles:
        items = plan_of[art.article_id]
        by_cluster: dict[int, list] = defaultdict(list)
        for t in items:
            by_cluster[id(t[1]) if t[1] is not None else id(t[2])].append(t)
        for group in by_cluster.values():
            for _, c, m, name, kind in group:
                tentative = (art.article_id, m.start_char) in tentatives
                row = dict(article_id=art.article_id, start_char=m.start_char, end_char=m.end_char, text=m.text,
                           entity_id=c.entity_id if c else None)
                pin = pin_of(art, m)
                if pin is None:
                    continue  # the analyst says: not a person
                if pin:
                    row.update(identity_id=pin, rule="override", score=1.0, evidence={})
                elif kind == "full":
                    row.update(identity_id=resolve(state, state["key_index"][name.key]), rule="full_name", score=1.0,
                               evidence={})
                else:
                    genders = honorific_genders.get((art.article_id, name.surname), ())
                    article_gender = next(iter(genders)) if len(genders) == 1 else None
                    row.update(_decide_short(state, p, art, c, m, name, anchors[art.article_id], firsts[art.article_id],
                                             article_gender))
                    if tentative and row["rule"] not in ("corpus_surname", "article_full_name", "article_ambiguous"):
                        continue  # a non-person name that no person claims stays what it was
                    if tentative and row["rule"] == "corpus_surname" and not _tentative_link_holds(p, row):
                        continue
                    decided_now.add(_remember_short(state, art, c, m, name, row, article_gender, tentative))
                    if row["rule"] == "mononym" and (art.article_id in fresh_ids
                                                     or not state["identities"].get(row["identity_id"])["forms"]):
                        # named as written ("McManus", "Jay-Z", "GPRS"), not as its folded key (a
                        # person kept by an older version gets the form when its article is read again)
                        state["identities"][row["identity_id"]]["forms"][name.display] += 1
                res.mentions.append(row)

    # --- 6. short clusters of earlier batches whose surname got new candidates: decide again
    changed = {state["identities"].get(i)["surname"] for i in new_ids} | {
        state["identities"].get(a)["surname"] for a, _, _ in res.redirects}
    skeys = [skey for surname in sorted(changed) for skey in sorted(state["short_by_surname"].get(surname, ()))]
    for skey, ev in _short_records(state, skeys).items():  # read; taken with [] below only when it changes
        if skey in decided_now or ev.get("anchored"):
            continue  # decided just now, or named in full in its own article
        new = _decide_from_evidence(state, p, ev)
        if ev.get("tentative") and not (new["rule"] == "corpus_surname" and _tentative_link_holds(p, new)):
            continue  # a name the warehouse calls no person's moves only to a person it surely is
        if new["identity_id"] != ev["identity_id"]:
            ev = state["short"][skey]
            ev["identity_id"] = new["identity_id"]
            for s, e, text in ev["spans"]:
                res.updated_mentions.append(dict(article_id=ev["article_id"], start_char=s, end_char=e, text=text,
                                                 entity_id=ev["entity_id"], **new))
    # mention counts
    for row in res.mentions:
        if row["identity_id"] in state["identities"] and row["article_id"] in fresh_ids:
            state["identities"][row["identity_id"]]["mentions"] += 1
    for row in res.mentions + res.updated_mentions:
        state["published"].add(row["identity_id"])
    res.identities = [state["identities"].get(i) for i in sorted({r["identity_id"] for r in res.mentions}) if i in state["identities"]]
    return res


def _merge_variants(state: dict, p: Params, surname: str, res: BatchResult, no_merge=frozenset()) -> None:
    ids = sorted({resolve(state, i) for i in state["surname_index"].get(surname, ())})
    changed = True
    while changed:
        changed = False
        for i in range(len(ids)):
            for j in range(i + 1, len(ids)):
                a, b = state["identities"].get(ids[i]), state["identities"].get(ids[j])  # read; `_absorb` writes
                kind = names_compatible(tuple(a["key"].split()), tuple(b["key"].split()))
                if kind in (None, "same") or frozenset((a["key"], b["key"])) in no_merge:
                    continue
                section_cosine = _section_cosine(a["sections"], b["sections"])
                context_cosine = _context_cosine(state, a, b)
                if kind in ("middle", "middle_form"):
                    # a middle initial more or less: one person unless the two keep apart in both
                    # sections and company (George Bush ~ George W Bush)
                    if section_cosine < 0.3 and context_cosine < 0.2:
                        continue
                elif not (section_cosine >= p.variant_min_section_cosine
                          and (context_cosine >= p.variant_min_context_cosine or _context_overlap(state, a, b))):
                    continue
                winner, loser = sorted((a, b), key=lambda d: (-d["anchored_articles"], d["id"]))
                _absorb(state, winner, loser, kind, res)
                ids = sorted({resolve(state, x) for x in ids})
                changed = True
                break
            if changed:
                break


def _section_cosine(a: Counter, b: Counter) -> float:
    num = sum(a[k] * b[k] for k in a)
    den = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return num / den if den else 0.0


def _context_cosine(state: dict, a: dict, b: dict) -> float:
    """Cosine of two people's co-mentioned names, idf-weighted (shared company)."""
    N = max(state["n_articles"], 1)
    def vec(d):
        n = max(d["anchored_articles"], 1)
        return {k: (v / n) * math.log((N + 1) / (state["df"].get(k, 0) + 1)) for k, v in d["context"].items()}
    va, vb = vec(a), vec(b)
    num = sum(v * vb.get(k, 0.0) for k, v in va.items())
    den = math.sqrt(sum(v * v for v in va.values())) * math.sqrt(sum(v * v for v in vb.values()))
    return num / den if den else 0.0


def _context_overlap(state: dict, a: dict, b: dict) -> bool:
    """Two first-name variants are one person when they keep the same company: a shared
    co-mentioned name that is rare in the warehouse (idf above the median of their context)."""
    shared = set(a["context"]) & set(b["context"])
    if not shared:
        return False
    N = max(state["n_articles"], 1)
    return any(math.log((N + 1) / (state["df"].get(k, 0) + 1)) >= math.log(N / 50.0) for k in shared)


def _absorb(state: dict, winner: dict, loser: dict, kind: str, res: BatchResult) -> None:
    winner, loser = state["identities"][winner["id"]], state["identities"][loser["id"]]  # both change
    for f in ("forms", "sections", "context", "roles", "gender"):
        winner[f].update(loser[f])
    for f in ("articles", "mentions", "anchored_articles"):
        winner[f] += loser[f]
    state["redirects"][loser["id"]] = winner["id"]
    res.redirects.append((loser["id"], winner["id"], kind))
    loser["merged_into"] = winner["id"]


def _decide_short(state, p, art, c, m, name, local, first_local=None, article_gender=None) -> dict:
    surname = name.surname
    if len(name.tokens) == 1 and c is not None and not local.get(surname) and not name.honorific:
        # "Steven" / "Robbie" in the cluster of the article's "Steven Gerrard": a first name
        # (never after Mr/Mrs: "Mr Howard" beside "Howard Flight" is a surname)
        starts = {x.start_char for x in c.mentions}
        claimed = {j for anchored in local.values() for s, j in anchored if s in starts}
        mine = {i for i in (first_local or {}).get(surname, ()) if i in claimed}
        if len(mine) == 1:
            return dict(identity_id=next(iter(mine)), rule="article_first_name", score=1.0, evidence={})
    if name.honorific in FIRST_NAME_HONORIFICS and len(name.tokens) == 1:
        # "Sir Howard" is Sir Howard Newby: these honorifics go with the first name
        options = sorted({i for i in (first_local or {}).get(surname, ())})
        if len(options) == 1:
            return dict(identity_id=options[0], rule="article_first_name", score=1.0, evidence={})
        return dict(identity_id=stable_hash("person?", art.article_id, "sir", surname), rule="undecided_first_name",
                    score=0.0, evidence={})
    ev = dict(article_id=art.article_id, section=art.section, surname=surname, gender=name.gender,
              role=m.role, initial=name.initial, keys=sorted(_context_keys(art, c)), article_gender=article_gender)
    here = local.get(surname, [])
    if name.initial:
        here = [(s, i) for s, i in here if (state["identities"].get(i)["first"] or "")[:1] == name.initial]
    if here:
        options = sorted({i for _, i in here})
        if name.gender and p.use_gender:
            options = [i for i in options if _gender_of(state["identities"].get(i)) in (None, name.gender)]
        if len(options) == 1:
            return dict(identity_id=options[0], rule="article_full_name", score=1.0, evidence=dict(local=len(here)))
        if len(options) > 1:
            # the article resolver's own choice: the full name of the cluster the mention is in,
            # else the nearest full name before it
            own = [i for s, i in here if c is not None and i in options
                   and any(x.start_char == s for x in c.mentions)]
            before = [(s, i) for s, i in here if s < m.start_char and i in options]
            nearest = own[0] if own else (max(before)[1] if before else min((s, i) for s, i in here if i in options)[1])
            scored, null = score_candidates(state, p, surname, art.section, set(ev["keys"]), name.gender, m.role, name.initial)
            scored = [(s + (p.local_bonus if cid == nearest else 0.0), cid, e) for s, cid, e in scored if cid in options]
            scored.sort(key=lambda t: (-t[0], t[1]))
            if scored:
                return dict(identity_id=scored[0][1], rule="article_ambiguous", score=1.0,
                            evidence=dict(options=len(options), nearest=scored[0][1] == nearest))
        # every local full name has the other gender ("Mrs Howard" beside Michael Howard): go on
    return _decide_from_evidence(state, p, ev)


def _decide_from_evidence(state, p, ev) -> dict:
    scored, null = score_candidates(state, p, ev["surname"], ev["section"], set(ev["keys"]), ev["gender"], ev["role"],
                                    ev["initial"])
    best, prob, detail = posterior(scored, null)
    if best is not None and prob >= p.link_threshold:
        return dict(identity_id=best[1], rule="corpus_surname", score=round(prob, 3),
                    evidence=dict(detail, candidates=len(scored)))
    # the gender that keeps unknown people apart: the mention's honorific, else its article's
    # (the article's counts only here: as evidence it could tip a known surname to his wife)
    gender = ev["gender"] or ev.get("article_gender") or ""
    if not state["surname_index"].get(ev["surname"]) and not ev["initial"]:
        ident = stable_hash("person", ev["surname"], gender)
        if ident not in state["identities"]:
            state["identities"][ident] = _new_identity(ident, Name((ev["surname"],), ev["surname"]), "mononym")
        return dict(identity_id=ident, rule="mononym", score=1.0, evidence={})
    ident = stable_hash("person?", ev["article_id"], ev["surname"], ev["initial"] or "", gender)
    return dict(identity_id=ident, rule="undecided_surname", score=round(prob, 3) if best else 0.0,
                evidence=dict(candidates=len(scored), best=best[1] if best else None))


def _short_records(state: dict, keys: list[str]) -> dict:
    """Short-mention records by key, in the keys' order. A state kept in the warehouse reads
    those not in memory in one query (identity_state.ShortRecords.read_many)."""
    short = state["short"]
    read_many = getattr(short, "read_many", None)
    return read_many(keys) if read_many is not None else {key: short.get(key) for key in keys}


def _short_key(art, c, m, name) -> str:
    """A short mention's cluster: the article, the name's surname, initial and gender, and its entity."""
    return stable_hash("short", art.article_id, name.surname, name.initial or "", name.gender or "",
                       c.entity_id if c is not None else m.start_char)


def _tentative_link_holds(p: Params, row: dict) -> bool:
    """A link of a name the warehouse calls no person's ("Cole" tagged PRODUCT in a line-up)
    to a known person: only at the stricter threshold, with some company shared."""
    return row["score"] >= p.tentative_threshold and row["evidence"].get("sim", 0) >= p.tentative_min_sim


def _remember_short(state, art, c, m, name, row, article_gender=None, tentative=False) -> str:
    """Keep a short mention's evidence, to decide its cluster again when new candidates
    arrive; returns the cluster's key. A tentative one (a name the warehouse calls no
    person's) is decided again under the same stricter test."""
    skey = _short_key(art, c, m, name)
    known = skey in state["short_by_surname"].get(name.surname, ())  # the index is in memory, the record may not be
    ev = state["short"][skey] if known else None
    if ev is None:
        ev = dict(article_id=art.article_id, section=art.section, surname=name.surname, gender=name.gender,
                  role=m.role, initial=name.initial, entity_id=c.entity_id if c is not None else None,
                  keys=sorted(_context_keys(art, c)), spans=[], identity_id=row["identity_id"], rule=row["rule"])
        state["short"][skey] = ev
        state["short_by_surname"][name.surname].add(skey)
    ev["article_gender"] = article_gender  # records kept by versions before 16 have none
    if tentative:
        ev["tentative"] = True
    if (m.start_char, m.end_char, m.text) not in ev["spans"]:  # the article may be identified again
        ev["spans"].append((m.start_char, m.end_char, m.text))
    ev["identity_id"] = row["identity_id"]
    ev["rule"] = row["rule"]
    if row["rule"].startswith("article_") or row["rule"] == "undecided_first_name":
        ev["anchored"] = True  # decided by the article itself: not re-decided from the corpus
    return skey
