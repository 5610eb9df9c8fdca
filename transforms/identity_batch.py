"""An enriched batch through the identity step: its names in, its rows rewritten, the stored rows' changes out.

`names_of(batch)` gives the identity step (identity.py) each article's entity clusters with
the text around every mention. `apply(batch, result, state)` writes the step's decisions
into the batch's rows before they are audited and published: person mentions take their
warehouse identity, names take the warehouse's label (a plural group its singular's name, a
possessive form its stem's),
recovered mentions become rows, speakers follow their person, and every decision gets an
`entity_resolution` row. What the step decided about rows already stored (a surname decided
again, two ids merged, a name relabelled, a plural group or a possessive form joined) comes back
as `StoredChanges` for the same transaction.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

from wirehouse.transforms.identity import (NON_NAME_LABELS, ArticleNames, BatchResult, NameCluster, NameMention,
                                          joined_name, resolve)
from wirehouse.transforms.lexicon import HONORIFIC_GENDER
from wirehouse.transforms.person_names import fold
from wirehouse.transforms.quotes import NO_SPEAKER_CONFIDENCE, quote_confidence
from wirehouse.transforms.records import EntityRow, MentionRow, QuoteRow, ResolutionRow, entity_id_for
from wirehouse.transforms.tables import EnrichedBatch

CONTEXT_CHARS = 24  # characters of body kept on each side of a mention (honorifics, following words)
PERSON = "PERSON"
PERSONAL = frozenset({"he", "she"})  # pronouns that stand for a person (not "they", "it", "we": groups speak so)


def section_of(source_path: str, source_line: int | None) -> str:
    """Where an article stands in its source: the folder of a file (BBC: business, sport, ...),
    the file itself for a document inside a file (a .jsonl line, a table row, a WARC record)."""
    path = PurePath(source_path)
    if source_line is not None:
        return path.stem
    return path.parent.name


def names_of(batch: EnrichedBatch) -> list[ArticleNames]:
    """Each article's clusters of names, in the identity step's records."""
    bodies = {row.article_id: row for row in batch.articles}
    entities = {row.entity_id: row for row in batch.entities}
    clusters: dict[str, dict[str, list[MentionRow]]] = defaultdict(lambda: defaultdict(list))
    for mention in batch.mentions:
        clusters[mention.article_id][mention.entity_id].append(mention)
    found = []
    for article_id, row in bodies.items():
        body = row.body
        named = []
        for entity_id, mentions in sorted(clusters[article_id].items()):
            entity = entities[entity_id]
            named.append(NameCluster(entity_id, entity.canonical_name, entity.label, tuple(
                NameMention(m.start_char, m.end_char, m.mention_text, m.label, m.raw_label, m.role, m.sentence_index,
                            body[max(0, m.start_char - CONTEXT_CHARS):m.start_char],
                            body[m.end_char:m.end_char + CONTEXT_CHARS])
                for m in sorted(mentions, key=lambda m: m.start_char))))
        found.append(ArticleNames(article_id, row.source_path, section_of(row.source_path, row.source_line),
                                  tuple(named), body))
    return found


@dataclass
class IdentityUpdate:
    """What a batch's identity step writes beside the batch: changes to stored rows, and the
    state entries the batch changed (part, key, JSON value or None for a deleted entry)."""

    changes: "StoredChanges"
    state_rows: list[tuple[str, str, str | None]]


@dataclass
class StoredChanges:
    """What the step decided about rows stored by earlier batches, for the batch's transaction."""

    redecided: list[ResolutionRow] = field(default_factory=list)  # person mentions decided again
    redirects: list[tuple[str, str, str]] = field(default_factory=list)  # (old id, new id, why)
    relabelled: dict[str, str] = field(default_factory=dict)  # name key (casefolded) -> its warehouse label
    grouped: set[str] = field(default_factory=set)  # name keys whose rows join another's entity (`joined_name`)
    person_names: dict[str, str] = field(default_factory=dict)  # person id -> its canonical name now
    person_of_name: dict[str, str] = field(default_factory=dict)  # name key -> the person named so, if any
    label_of: dict[str, str] = field(default_factory=dict)  # new entity id -> its label (filled when written)
    name_of: dict[str, str] = field(default_factory=dict)  # new entity id -> its name (filled when written)


def canonical_name(state: dict, identity_id: str, fallback: str) -> str:
    """The form a person is named by most often, else the name key as written."""
    identity = dict.get(state["identities"], identity_id)
    if identity is None:
        return fallback
    forms = identity["forms"]
    if forms:
        return max(forms, key=lambda form: (forms[form], form))
    return " ".join(word.capitalize() for word in identity["key"].split())


GENDERED_HONORIFICS = frozenset(word for word, gender in HONORIFIC_GENDER.items() if gender)
POSSESSIVE = re.compile(r"['’]s?\b|['’]")
WORD = re.compile(r"[^\W\d_]+|\d+")


# what a span named after a titled person is when it is no person ("Mr Bean", "Miss Saigon")
TITLED_THINGS = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE"})


def only_around(mention: MentionRow, parts: list[dict], label: str) -> bool:
    """Whether a span is only the one person it holds, a possessive or punctuation aside,
    `label` being the warehouse's label for the span's own name: a gendered honorific before
    the name ("Mr Ebbers'" tagged ORG), unless the warehouse calls the name a work or a
    product ("Miss Saigon", "Mr Bean"); "Dr Pepper" stays, doctors have no gender. Or, where
    the warehouse calls the span's name a person, nothing or "the" ("the Robert de Niro"
    FAC). "Black Sabbath's" and "Reddy's" (ORG) stay beside whatever person was found
    inside them."""
    if len(parts) != 1:
        return False
    start, end = parts[0]["start_char"] - mention.start_char, parts[0]["end_char"] - mention.start_char
    rest = POSSESSIVE.sub(" ", mention.mention_text[:start] + " " + mention.mention_text[end:])
    words = [word.casefold() for word in WORD.findall(rest)]
    if len(words) == 1 and words[0] in GENDERED_HONORIFICS:
        return label not in TITLED_THINGS
    return label == PERSON and all(word == "the" for word in words)


def apply(batch: EnrichedBatch, result: BatchResult, state: dict, run_id: str) -> StoredChanges:
    """Rewrite the batch's rows with the step's decisions (in place); returns the changes to
    rows stored earlier."""
    decided = {(r["article_id"], r["start_char"], r["end_char"]): r for r in result.mentions}
    entities = {row.entity_id: row for row in batch.entities}
    sentences: dict[str, list[int]] = defaultdict(list)
    for sentence in batch.sentences:
        sentences[sentence.article_id].append(sentence.start_char)
    for starts in sentences.values():
        starts.sort()

    def identity_of(row: dict) -> str:
        return resolve(state, row["identity_id"])

    @functools.cache  # a name's id under its label, asked for every mention of it (92,133 on BBC)
    def name_as(canonical: str, label: str) -> tuple[str, str]:
        """The name's id and name under its label: a group named in the plural is its singular,
        a possessive form its stem (`joined_name`)."""
        canonical = joined_name(state, canonical, label)
        return entity_id_for(canonical, label), canonical

    def entity_id(canonical: str, label: str) -> str:
        return name_as(canonical, label)[0]

    # person mentions: the decided span, or the row whose span holds decided ones
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in result.mentions:
        by_article[row["article_id"]].append(row)
    starts_of: dict[str, list[int]] = {}  # each article's decided rows in text order, to find those in a span
    for article_id, rows in by_article.items():
        rows.sort(key=lambda row: row["start_char"])
        starts_of[article_id] = [row["start_char"] for row in rows]
    placed: set[tuple[str, int, int]] = set()
    mentions_of: dict[str, list[MentionRow]] = defaultdict(list)  # as spaCy's spans were, per article
    for mention in batch.mentions:
        mentions_of[mention.article_id].append(mention)
    person_of_cluster: dict[tuple[str, str], Counter] = defaultdict(Counter)
    kept: list[MentionRow] = []
    entity_before: dict[tuple[str, int, int], str] = {}  # each spaCy mention's entity in its article
    for mention in batch.mentions:
        key = (mention.article_id, mention.start_char, mention.end_char)
        old_entity = entity_before[key] = mention.entity_id
        row = decided.get(key)
        if row is not None:
            placed.add(key)
            mention.entity_id, mention.label = identity_of(row), PERSON
            person_of_cluster[(mention.article_id, old_entity)][mention.entity_id] += 1
            kept.append(mention)
            continue
        inside = []
        if mention.article_id in starts_of:
            starts = starts_of[mention.article_id]
            first = bisect.bisect_left(starts, mention.start_char)
            last = bisect.bisect_left(starts, mention.end_char, first)
            inside = [r for r in by_article[mention.article_id][first:last] if r["end_char"] <= mention.end_char]
        entity = entities[old_entity]
        label = mention.label if entity.label in NON_NAME_LABELS else \
            dict.get(state["label_decided"], entity.canonical_name.casefold(), mention.label)
        if inside and (entity.label == PERSON or only_around(mention, inside, label)):
            # a person span holding names of its own ("Carragher and Brown", "Briton Tim Henman"),
            # or any span that is only one person (`only_around`: BBC, 41 had stayed beside their
            # person as another entity): the names take its place, each with its own span; the
            # new rows are added below
            for part in inside:
                person_of_cluster[(mention.article_id, old_entity)][identity_of(part)] += 1
            continue
        # not a person: the warehouse's label for its name (a person inside it gets a row below)
        mention.label = label
        mention.entity_id = entity_id(entity.canonical_name, label)
        kept.append(mention)
    # decided spans no row holds: recovered mentions, and names inside a longer span
    for row in result.mentions:
        key = (row["article_id"], row["start_char"], row["end_char"])
        if key in placed:
            continue
        starts = sentences.get(row["article_id"], [0])
        holder = next((m for m in mentions_of[row["article_id"]]
                       if m.start_char <= row["start_char"] and row["end_char"] <= m.end_char), None)
        kept.append(MentionRow(row["article_id"], identity_of(row), row["text"], PERSON,
                               holder.raw_label if holder is not None else None, row["start_char"],
                               row["end_char"], max(bisect.bisect_right(starts, row["start_char"]) - 1, 0),
                               holder.role if holder is not None else None))
    kept.sort(key=lambda m: (m.article_id, m.start_char, m.end_char))
    batch.mentions = kept

    # speakers follow the mention they were found at, else the person their cluster became. A
    # source span can hold several people ("Kenteris' lawyer Gregory Ioannidis", "Iron Maiden's
    # Bruce Dickinson"): the one the article named as the speaker goes first, not the first
    # one (BBC: 80 attributions had named the other; of 40 sampled, none was right, 38 are now)
    spans: dict[str, list[MentionRow]] = defaultdict(list)
    for mention in kept:
        spans[mention.article_id].append(mention)

    def speaker_entity(article_id: str, start: int | None, end: int | None, old: str | None) -> str | None:
        if old is None:
            return None
        first = None
        for mention in spans.get(article_id, ()) if start is not None else ():
            if mention.start_char >= end:
                break  # in text order
            if start < mention.end_char and mention.label == PERSON:
                if entity_before.get((article_id, mention.start_char, mention.end_char)) == old:
                    return mention.entity_id
                first = first or mention
        if first is not None:
            return first.entity_id
        people = person_of_cluster.get((article_id, old))
        if people:
            return max(people, key=lambda person: (people[person], person))
        entity = entities.get(old)
        if entity is None:
            return old
        label = dict.get(state["label_decided"], entity.canonical_name.casefold(), entity.label)
        return entity_id(entity.canonical_name, label)

    # an attribution sharing its speaker with a quote it holds shares the quote's person: the
    # quote's speaker span is the name itself, an attribution's source may hold more ("Nikki
    # Rocco, head of distribution at Universal")
    quoted_speaker: dict[tuple[str, str | None], str | None] = {}
    for quote in batch.quotes:
        old = quote.speaker_entity_id
        quote.speaker_entity_id = speaker_entity(quote.article_id, quote.speaker_start_char, quote.speaker_end_char, old)
        if quote.attribution_id is not None:
            quoted_speaker.setdefault((quote.attribution_id, old), quote.speaker_entity_id)
    for attribution in batch.attributions:
        old = attribution.speaker_entity_id
        key = (attribution.attribution_id, old)
        attribution.speaker_entity_id = quoted_speaker[key] if old is not None and key in quoted_speaker else \
            speaker_entity(attribution.article_id, attribution.source_start_char, attribution.source_end_char, old)

    # the batch's entities: people by their identity's name, other names by their warehouse label
    names: dict[str, EntityRow] = {}
    for mention in kept:
        if mention.entity_id in names:
            continue
        if mention.label == PERSON and mention.entity_id not in entities:
            names[mention.entity_id] = EntityRow(mention.entity_id,
                                                 canonical_name(state, mention.entity_id, mention.mention_text), PERSON)
    for old in entities.values():
        label = dict.get(state["label_decided"], old.canonical_name.casefold(), old.label)
        if old.label in NON_NAME_LABELS:
            label = old.label
        new_id, name = name_as(old.canonical_name, label)
        names.setdefault(new_id, EntityRow(new_id, name, label))
    unresolve_pronouns_of_non_people(batch, names)
    used = {m.entity_id for m in kept} | {q.speaker_entity_id for q in batch.quotes} | \
        {a.speaker_entity_id for a in batch.attributions}
    batch.entities = [row for entity_id, row in names.items() if entity_id in used]
    by_id = {row.entity_id: row for row in batch.entities}
    for quote in batch.quotes:
        if quote.speaker_entity_id in by_id:
            quote.speaker_name = by_id[quote.speaker_entity_id].canonical_name
    for attribution in batch.attributions:
        if attribution.speaker_entity_id in by_id:
            attribution.speaker_name = by_id[attribution.speaker_entity_id].canonical_name

    batch.resolutions = [ResolutionRow.of(row, identity_of(row), run_id) for row in result.mentions]
    changes = StoredChanges(
        redecided=[ResolutionRow.of(row, identity_of(row), run_id) for row in result.updated_mentions],
        redirects=list(result.redirects),
        relabelled=dict(result.labels),
        grouped=set(result.groups),
    )
    touched = {identity_of(row) for row in result.mentions + result.updated_mentions}
    touched |= {resolve(state, new) for _, new, _ in result.redirects}
    changes.person_names = {person: canonical_name(state, person, "") for person in touched
                            if dict.get(state["identities"], person) is not None}
    for name in result.labels:
        key = " ".join(fold(word) for word in name.split())
        person = dict.get(state["key_index"], key)
        if person is not None:
            changes.person_of_name[name] = resolve(state, person)
    return changes


def unresolve_pronouns_of_non_people(batch: EnrichedBatch, names: dict[str, EntityRow]) -> None:
    """"He" and "she" stand for a person: a speaker found only through them whose entity the
    warehouse labels otherwise was the wrong antecedent (BBC at version 15: "he" as Labour 20 times, Yukos
    13, the Lib Dems 11, each tagged PERSON by spaCy where the pronoun found it), so it is
    left unresolved, in the quote and in the attribution holding it alike. One of them naming
    the speaker outright ("Labour said") keeps it for both."""
    bodies = {article.article_id: article.body for article in batch.articles}

    def key(quote: QuoteRow) -> tuple[str, str | None]:
        return (quote.attribution_id or quote.quote_id, quote.speaker_entity_id)

    written: dict[tuple[str, str | None], list[str]] = defaultdict(list)  # how each speaker is written
    for quote in batch.quotes:
        if quote.speaker_start_char is not None:
            written[key(quote)].append(bodies.get(quote.article_id, "")[quote.speaker_start_char:quote.speaker_end_char])
    for attribution in batch.attributions:
        if attribution.speaker_method != "quote":  # its own source, not one taken from a quote
            written[(attribution.attribution_id, attribution.speaker_entity_id)].append(attribution.source_text or "")
    unresolved = {speaker for speaker, texts in written.items()
                  if speaker[1] in names and names[speaker[1]].label != PERSON
                  and all(text.lower() in PERSONAL for text in texts)}
    for quote in batch.quotes:
        if key(quote) in unresolved:
            quote.speaker_entity_id, quote.speaker_name = None, None
            quote.attribution = "unresolved_pronoun"
            quote.confidence = quote_confidence(NO_SPEAKER_CONFIDENCE, quote.quote_type)
    for attribution in batch.attributions:
        if (attribution.attribution_id, attribution.speaker_entity_id) in unresolved:
            attribution.speaker_entity_id, attribution.speaker_name = None, None
            attribution.speaker_method = "unresolved_pronoun"
