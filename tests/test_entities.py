"""Document-level entity resolution: the seed article, the alias table, titles and roles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Span

from wirehouse.transforms import entity_resolver, lexicon, titles
from wirehouse.transforms.aliases import ALIAS_FILE, AliasTable
from wirehouse.transforms.entity_resolver import ResolvedMention, mention_at, person_for_title
from wirehouse.transforms.names import name_key
from wirehouse.transforms.nlp import DEFAULT_MODEL, load_pipeline
from wirehouse.transforms.records import entity_id_for

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_d52ae41cd31c4038.txt"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BBC = SHARED / "corpora" / "bbc"


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def seed(nlp):
    return nlp(SEED.read_text(encoding="utf-8"))


def mentions_of(doc, word):
    """The resolved mention covering every whole-word occurrence of `word`."""
    found = []
    for match in re.finditer(rf"\b{re.escape(word)}\b", doc.text):
        found.append((match.start(), mention_at(doc, match.start(), match.end())))
    return found


# --- the seed article ------------------------------------------------------------------
@pytest.mark.parametrize(
    "surname, canonical",
    [("Blinken", "Antony Blinken"), ("Lapid", "Yair Lapid"), ("Bennett", "Naftali Bennett")],
)
def test_every_seed_mention_of_a_person_maps_to_the_full_name(seed, surname, canonical):
    found = mentions_of(seed, surname)
    assert len(found) >= 3
    for offset, mention in found:
        assert mention is not None, f"{surname} at {offset} has no resolved mention"
        assert (mention.canonical_name, mention.label) == (canonical, "PERSON"), (offset, mention)


def test_seed_has_no_place_or_organisation_named_after_a_person(seed):
    for mention in seed._.resolved_mentions:
        if mention.label != "PERSON":
            for name in ("Blinken", "Lapid", "Bennett"):
                assert name not in mention.canonical_name, mention


def test_raw_spacy_labels_are_kept_next_to_the_resolved_ones(seed):
    blinken = [m for m in seed._.resolved_mentions if m.text == "Blinken"]
    assert {m.raw_label for m in blinken} >= {"GPE"}  # what the small model said
    assert {m.label for m in blinken} == {"PERSON"}


def test_united_states_aliases_are_one_entity(seed):
    forms = {"US", "the United States", "U.S."}
    found = [m for m in seed._.resolved_mentions if m.text in forms]
    assert {m.text for m in found} == forms
    assert {(m.canonical_name, m.label) for m in found} == {("United States", "GPE")}
    assert len({entity_id_for(m.canonical_name, m.label) for m in found}) == 1


def test_hyphenated_compound_is_split_into_its_places(seed):
    start = seed.text.index("U.S.-Israel")
    inside = [m for m in seed._.resolved_mentions if start <= m.start_char < start + len("U.S.-Israel")]
    assert [(m.text, m.label, m.canonical_name, m.raw_label) for m in inside] == [
        ("U.S.", "GPE", "United States", "NORP"),
        ("Israel", "GPE", "Israel", "NORP"),
    ]


def test_titles_are_roles_not_organisations(seed):
    texts = {(m.text, m.label) for m in seed._.resolved_mentions}
    assert ("State", "ORG") not in texts  # from "Secretary of State"
    assert not any("National Security Adviser" in m.text for m in seed._.resolved_mentions)
    assert ("the National Security Council", "ORG") in texts  # a real organisation stays
    roles = {m.canonical_name: m.role for m in seed._.resolved_mentions if m.label == "PERSON"}
    assert roles == {
        "Yair Lapid": "Foreign Minister",
        "Antony Blinken": "Secretary of State",
        "Naftali Bennett": "Prime Minister",
    }


def test_person_for_title(seed):
    prime = person_for_title(seed, "the Prime Minister")
    assert prime is not None and prime.canonical_name == "Naftali Bennett"
    assert prime.text == "Naftali Bennett"
    secretary = person_for_title(seed, "The Secretary of State")
    assert secretary is not None and secretary.canonical_name == "Antony Blinken"
    assert person_for_title(seed, "US Secretary of State").canonical_name == "Antony Blinken"
    assert person_for_title(seed, "the Foreign Minister").canonical_name == "Yair Lapid"
    assert person_for_title(seed, "the National Security Adviser") is None  # nobody named
    assert person_for_title(seed, "Minister") is None  # two ministers: ambiguous
    assert person_for_title(seed, "") is None


def test_mentions_are_in_text_order_and_match_the_text(seed):
    mentions = seed._.resolved_mentions
    assert mentions == sorted(mentions, key=lambda m: (m.start_char, m.end_char))
    for mention in mentions:
        assert isinstance(mention, ResolvedMention)
        assert seed.text[mention.start_char : mention.end_char] == mention.text


def test_every_raw_entity_is_accounted_for(seed):
    """Each spaCy entity yields mentions inside it, unless it was a title of office."""
    for ent in seed.ents:
        inside = [m for m in seed._.resolved_mentions if ent.start_char <= m.start_char < ent.end_char]
        if ent.text in ("State", "the National Security Adviser"):
            assert not inside
        else:
            assert inside, ent


def test_entity_clusters_group_mentions(seed):
    clusters = {(c.canonical_name, c.label): c for c in seed._.entity_clusters}
    lapid = clusters[("Yair Lapid", "PERSON")]
    assert lapid.role == "Foreign Minister"
    assert [m.text for m in lapid.mentions].count("Lapid") >= 3
    assert lapid.titled is not None and lapid.titled.text == "Yair Lapid"


def test_mention_at_prefers_cover_then_person_overlap(seed):
    start = seed.text.index("US Secretary of State Antony Blinken")
    end = start + len("US Secretary of State Antony Blinken")
    assert mention_at(seed, start, end).canonical_name == "Antony Blinken"
    us = mention_at(seed, start, start + 2)
    assert us.canonical_name == "United States"
    assert mention_at(seed, 0, 1) is None


# --- pipeline contract ------------------------------------------------------------------
def test_components_are_registered_after_ner(nlp):
    names = nlp.pipe_names
    assert names.index("ner") < names.index("wirehouse_titles") < names.index("wirehouse_entity_resolver")
    assert names[names.index("wirehouse_entity_resolver") + 1] == "wirehouse_quotes"


def test_raw_entities_are_not_modified(nlp):
    text = SEED.read_text(encoding="utf-8")
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser", "ner"]):
        plain = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    full = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert full == plain


def test_canonical_names_do_not_depend_on_the_title(nlp):
    one = nlp("Naftali Bennett visited Kyiv on Monday. Bennett met officials.")
    two = nlp("Prime Minister Naftali Bennett spoke on Tuesday. The Prime Minister said Bennett would return.")
    ids = set()
    for doc in (one, two):
        people = {(m.canonical_name, m.label) for m in doc._.resolved_mentions if "Bennett" in m.text}
        assert people == {("Naftali Bennett", "PERSON")}
        ids |= {entity_id_for(*person) for person in people}
    assert len(ids) == 1
    assert {m.role for m in two._.resolved_mentions if m.label == "PERSON"} == {"Prime Minister"}
    assert {m.role for m in one._.resolved_mentions if m.label == "PERSON"} == {None}


def test_possessives_and_determiners_do_not_change_the_entity(nlp):
    doc = nlp("Russia's aggression worried the United States. The United States and Russia talked.")
    russia = {m.canonical_name for m in doc._.resolved_mentions if "Russia" in m.text}
    assert russia == {"Russia"}
    assert all(not m.text.endswith("'s") for m in doc._.resolved_mentions if m.label in ("GPE", "PERSON"))
    us = {(m.canonical_name, m.label) for m in doc._.resolved_mentions if "United States" in m.text}
    assert us == {("United States", "GPE")}


def test_a_party_whose_first_word_the_ner_left_out_is_not_another_party(nlp):
    # spaCy's small model tags only "Democrat" of the party here (BBC, 2005)
    def parties(text):
        return [m.text for m in nlp(text)._.resolved_mentions if m.label == "NORP"]

    assert parties("On Monday Liberal Democrat spokeswoman Sandra Gidley said the plan was wrong. "
                   "The Democrats in Congress agreed.") == ["Liberal Democrat", "Democrats"]
    assert parties("The Liberal Democrats said the tax was unfair.") == ["Liberal Democrats"]
    # a sentence's first word is capitalised anyway: it joins a name the article spells so elsewhere
    assert parties("Liberal Democrat leader Charles Kennedy has begun a tour.") == ["Democrat"]
    assert parties("Liberal Democrat leader Charles Kennedy has begun a tour. "
                   "He said Liberal Democrat voters would decide.")[0] == "Liberal Democrat"
    assert parties("Liberal Democrat leader Charles Kennedy has begun a tour. "
                   "He said the Liberal Democrats would decide.")[0] == "Liberal Democrat"
    # as at a line's start and after a dateline, however often; an initial belongs to a person's name
    for text, name in [("Rival Sony said it would cut prices.", "Sony"),   # "Rival" tagged a proper noun
                       ("Election 2005\nRival Sony said it would cut prices.", "Sony"),
                       ("LONDON (Reuters) - Rival Sony said it would cut prices.", "Sony"),
                       ("WASHINGTON (AP) - Top Democrats said the bill would fail. Top Democrats met on Monday.",
                        "Democrats")]:
        assert [m.text for m in nlp(text)._.resolved_mentions if m.label != "DATE"][-1] == name
    assert parties("Labour attacked the plan. (Liberal Democrat spokeswoman Sandra Gidley said it was wrong.)") == [
        "Liberal Democrat"]
    doc = nlp("Replacements: S Easterby, A Masi, B Hinshelwood.")   # the surnames tagged ORG
    assert "S Easterby" not in [m.text for m in doc._.resolved_mentions]


# --- deterministic resolver behaviour on hand-labelled docs -----------------------------------
@pytest.fixture(scope="module")
def bare():
    """A tokenizer-only pipeline with our two components: entities are set by hand."""
    blank = spacy.blank("en")
    entity_resolver.add_to_pipeline(blank)
    return blank


def resolve(nlp, text, labelled):
    doc = nlp.make_doc(text)
    spans = []
    for surface, label, occurrence in labelled:
        starts = [m.start() for m in re.finditer(re.escape(surface), text)]
        start = starts[occurrence]
        spans.append(doc.char_span(start, start + len(surface), label=label))
    doc.ents = spans
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def test_surname_under_any_label_joins_the_full_name(bare):
    doc = resolve(
        bare,
        "Jane Roe met Minister Doe. Later Roe called John Doe, and Doe agreed.",
        [("Jane Roe", "PERSON", 0), ("Minister Doe", "ORG", 0), ("Roe", "GPE", 1), ("John Doe", "PERSON", 0), ("Doe", "ORG", 2)],
    )
    got = [(m.text, m.label, m.canonical_name, m.role) for m in doc._.resolved_mentions]
    assert got == [
        ("Jane Roe", "PERSON", "Jane Roe", None),
        ("Doe", "PERSON", "John Doe", "Minister"),  # title cut off the ORG span
        ("Roe", "PERSON", "Jane Roe", None),
        ("John Doe", "PERSON", "John Doe", "Minister"),
        ("Doe", "PERSON", "John Doe", "Minister"),
    ]
    assert [m.raw_label for m in doc._.resolved_mentions] == ["PERSON", "ORG", "GPE", "PERSON", "ORG"]


def test_short_form_of_an_organisation_is_not_taken_for_a_person(bare):
    doc = resolve(
        bare,
        "Merrill Lynch was founded by Charles Merrill. Merrill grew fast.",
        [("Merrill Lynch", "ORG", 0), ("Charles Merrill", "PERSON", 0), ("Merrill", "ORG", 2)],
    )
    assert [(m.text, m.label) for m in doc._.resolved_mentions] == [
        ("Merrill Lynch", "ORG"), ("Charles Merrill", "PERSON"), ("Merrill", "ORG"),
    ]


def test_same_surname_goes_to_the_nearest_preceding_full_name(bare):
    doc = resolve(
        bare,
        "George Bush spoke. Bush left. Laura Bush arrived. Bush smiled.",
        [("George Bush", "PERSON", 0), ("Bush", "PERSON", 1), ("Laura Bush", "PERSON", 0), ("Bush", "PERSON", 3)],
    )
    assert [m.canonical_name for m in doc._.resolved_mentions] == [
        "George Bush", "George Bush", "Laura Bush", "Laura Bush",
    ]


def test_label_is_decided_by_the_article_majority(bare):
    doc = resolve(
        bare,
        "Knin fell. Troops left Knin. Knin is quiet.",
        [("Knin", "PERSON", 0), ("Knin", "GPE", 1), ("Knin", "GPE", 2)],
    )
    assert {(m.label, m.canonical_name) for m in doc._.resolved_mentions} == {("GPE", "Knin")}
    assert [m.raw_label for m in doc._.resolved_mentions] == ["PERSON", "GPE", "GPE"]


def test_a_place_named_like_a_person_is_not_a_person(bare):
    doc = resolve(
        bare,
        "Little Rock is calm. Little Rock voted. Visitors love Little Rock.",
        [("Little Rock", "PERSON", 0), ("Little Rock", "GPE", 1), ("Little Rock", "GPE", 2)],
    )
    assert {m.label for m in doc._.resolved_mentions} == {"GPE"}


def test_alias_label_wins_and_titles_are_dropped(bare):
    doc = resolve(
        bare,
        "The U.S. and the National Security Adviser met the Finance Minister of the UN.",
        [("U.S.", "ORG", 0), ("the National Security Adviser", "ORG", 0), ("Finance", "ORG", 0), ("UN", "ORG", 0)],
    )
    assert [(m.text, m.label, m.canonical_name) for m in doc._.resolved_mentions] == [
        ("U.S.", "GPE", "United States"),
        ("UN", "ORG", "United Nations"),
    ]


def test_all_caps_names_get_the_article_spelling(bare):
    doc = resolve(bare, "NAIROBI, Kenya. Nairobi is hot.", [("NAIROBI", "GPE", 0), ("Nairobi", "GPE", 0)])
    assert {m.canonical_name for m in doc._.resolved_mentions} == {"Nairobi"}
    alone = resolve(bare, "NAIROBI, Kenya.", [("NAIROBI", "GPE", 0)])
    assert alone._.resolved_mentions[0].canonical_name == "Nairobi"
    acronym = resolve(bare, "ACME grew.", [("ACME", "ORG", 0)])
    assert acronym._.resolved_mentions[0].canonical_name == "ACME"


def test_numbers_and_dates_pass_through(bare):
    doc = resolve(bare, "On Monday 5,000 people came.", [("Monday", "DATE", 0), ("5,000", "CARDINAL", 0)])
    assert [(m.text, m.label, m.raw_label, m.canonical_name) for m in doc._.resolved_mentions] == [
        ("Monday", "DATE", "DATE", "Monday"), ("5,000", "CARDINAL", "CARDINAL", "5,000"),
    ]


def test_empty_doc(bare):
    doc = bare("")
    assert doc._.resolved_mentions == []
    assert person_for_title(doc, "the President") is None
    assert mention_at(doc, 0, 0) is None


# --- the alias table ------------------------------------------------------------------------
def test_name_key():
    assert name_key("the United States") == "United States"
    assert name_key("The  United\nStates") == "United States"
    assert name_key("Russia's") == "Russia"
    assert name_key("Russia’s") == "Russia"
    assert name_key("Moody's", possessive=False) == "Moody's"
    assert name_key("The") == "The"


def test_alias_file_parses_and_maps_united_states():
    table = AliasTable.from_files([ALIAS_FILE])
    for alias in ("US", "U.S.", "the United States", "United States", "united states", "USA"):
        assert table.lookup(name_key(alias)) == ("United States", "GPE"), alias
    assert table.lookup("us") is None  # capitalised aliases match their exact spelling only
    assert table.lookup("Atlantis") is None


def test_a_party_is_one_group_under_its_nicknames(nlp):
    # BBC: "Tory" and "Conservative" were two speakers (89 and 44 attributions), "Lib Dems" and
    # "Liberal Democrat" two more
    doc = nlp("The Tories said the plan would fail. The Conservatives agreed. The Lib Dems said it was too "
              "late, and the Liberal Democrats said so too. GOP leaders said they would block it.")
    assert [(m.text, m.label, m.canonical_name) for m in doc._.resolved_mentions] == [
        ("Tories", "NORP", "Conservative"), ("Conservatives", "NORP", "Conservative"),
        ("The Lib Dems", "NORP", "Liberal Democrat"), ("Liberal Democrats", "NORP", "Liberal Democrat"),
        ("GOP", "NORP", "Republican")]


def test_alias_files_can_be_extended(tmp_path):
    extra = tmp_path / "extra.tsv"
    extra.write_text("# mine\nBlighty\tUnited Kingdom\tGPE\nUS\tUSA (override)\tGPE\n", encoding="utf-8")
    table = AliasTable.from_files([ALIAS_FILE, extra])
    assert table.lookup("Blighty") == ("United Kingdom", "GPE")
    assert table.lookup("US") == ("USA (override)", "GPE")
    bad = tmp_path / "bad.tsv"
    bad.write_text("only two\tcolumns\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.tsv:1"):
        AliasTable.from_files([bad])


def test_extra_alias_file_reaches_the_pipeline(tmp_path):
    extra = tmp_path / "extra.tsv"
    extra.write_text("Zembla\tKingdom of Zembla\tGPE\n", encoding="utf-8")
    blank = spacy.blank("en")
    entity_resolver.add_to_pipeline(blank, alias_files=[extra])
    doc = blank.make_doc("Zembla is far.")
    doc.ents = [Span(doc, 0, 1, label="ORG")]
    for _, component in blank.pipeline:
        doc = component(doc)
    assert [(m.canonical_name, m.label) for m in doc._.resolved_mentions] == [("Kingdom of Zembla", "GPE")]


# --- real articles ----------------------------------------------------------------------------
@pytest.mark.corpus
@pytest.mark.skipif(not BBC.is_dir(), reason=f"BBC corpus not found at {BBC} (needs ../shared/corpora)")
def test_invariants_on_bbc_articles(nlp):
    paths = sorted((BBC / "politics").glob("*.txt"))[:15] + sorted((BBC / "business").glob("*.txt"))[:15]
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in paths]
    for doc in nlp.pipe(texts):
        mentions = doc._.resolved_mentions
        assert mentions == sorted(mentions, key=lambda m: (m.start_char, m.end_char))
        by_name: dict[str, set[str]] = {}
        for mention in mentions:
            assert doc.text[mention.start_char : mention.end_char] == mention.text
            assert mention.canonical_name.strip() == mention.canonical_name != ""
            assert mention.role is None or mention.label == "PERSON"
            if mention.label in entity_resolver.NAME_LABELS:
                by_name.setdefault(mention.canonical_name, set()).add(mention.label)
            if mention.label == "PERSON" and len(mention.canonical_name.split()) >= 2:
                assert mention.text.split()[-1] in mention.canonical_name
        # within one article a name has one label
        assert all(len(labels) == 1 for labels in by_name.values()), by_name


# --- the title scanner against the same grammar in spaCy's Matcher -----------------------------
def matcher_title_patterns() -> list[dict]:
    """The title grammar as SpanRuler patterns: the reference the scanner must agree with."""
    head = {"LOWER": {"IN": list(lexicon.TITLE_HEADS)}}
    modifier = {"LOWER": {"IN": list(lexicon.TITLE_MODIFIERS)}}
    starts = ([head], [modifier, {**modifier, "OP": "*"}, head])
    tails = ([], [{"ORTH": "-", "OP": "?"}, {"LOWER": "general"}],
             [{"LOWER": {"IN": ["of", "for"]}}, {"LOWER": "the", "OP": "?"},
              {"LOWER": {"IN": list(lexicon.TITLE_DEPARTMENTS)}, "OP": "+"}])
    patterns = [{"label": titles.TITLE, "pattern": start + tail} for start in starts for tail in tails]
    patterns.append({"label": titles.HONORIFIC, "pattern": [{"LOWER": {"IN": list(lexicon.HONORIFICS)}}]})
    return patterns


def title_spans_both_ways(texts):
    from spacy.pipeline import SpanRuler
    from spacy.util import filter_spans

    tokenizer = spacy.blank("en")
    ruler = SpanRuler(tokenizer, "reference", spans_key="reference", overwrite=True,
                      spans_filter=lambda existing, new: filter_spans([*existing, *new]))
    ruler.add_patterns(matcher_title_patterns())
    scanner = titles.TitleScanner(tokenizer.vocab)
    for text in texts:
        doc = scanner(ruler(tokenizer(text)))
        yield ([(s.start, s.end, s.label_) for s in doc.spans["reference"]],
               [(s.start, s.end, s.label_) for s in doc.spans[titles.TITLE_SPANS_KEY]])


def test_title_scanner_gives_the_spans_of_the_matcher_grammar():
    texts = [SEED.read_text(encoding="utf-8"),
             "Deputy Prime Minister and Foreign Minister Yair Lapid met Mr. Blinken, the Secretary of State.",
             "Attorney General Garland, attorney - general Smith, the U.N. Secretary-General and Dr Who.",
             "Former national security adviser Rice; chief executive officer Jones; the secretary of the "
             "treasury; Secretary of Homeland Security and Transportation Lee. The minister",
             "", "minister", "of the state"]
    pairs = list(title_spans_both_ways(texts))
    assert sum(len(reference) for reference, _ in pairs) > 15
    for reference, scanned in pairs:
        assert scanned == reference


@pytest.mark.corpus
@pytest.mark.skipif(not BBC.is_dir(), reason=f"BBC corpus not found at {BBC} (needs ../shared/corpora)")
def test_title_scanner_agrees_with_the_matcher_on_bbc_articles():
    paths = sorted(BBC.glob("*/*.txt"))[::10]
    texts = [path.read_bytes().decode("utf-8", errors="replace") for path in paths]
    pairs = list(title_spans_both_ways(texts))
    assert sum(len(reference) for reference, _ in pairs) > 200
    assert [scanned for _, scanned in pairs] == [reference for reference, _ in pairs]


def test_a_bracket_the_name_leaves_open_or_never_opened_ends_it_and_what_it_cut_off_is_a_name_of_its_own(bare):
    # spaCy's small model tags these spans so: the closing bracket outside, or the opening one
    doc = resolve(
        bare,
        "The International Labour Organisation (ILO) met B Cohen (England, capt) and M Corry (Leicester) at the "
        "Nasa) Ames Research Center and the Institute for Fiscal Studies (IFS).",
        [("International Labour Organisation (ILO", "ORG", 0), ("B Cohen (England, capt", "ORG", 0),
         ("M Corry (Leicester", "PERSON", 0),
         ("Nasa) Ames Research Center", "ORG", 0), ("Institute for Fiscal Studies (IFS)", "ORG", 0)],
    )
    assert [(m.text, m.canonical_name, m.label) for m in doc._.resolved_mentions] == [
        ("International Labour Organisation", "International Labour Organisation", "ORG"),
        ("ILO", "ILO", "ORG"),
        ("B Cohen", "B Cohen", "ORG"),
        ("England", "England", "ORG"),   # up to the comma, of the span's label
        ("M Corry", "M Corry", "PERSON"),   # a person's bracket holds something else: no name
        ("Nasa", "NASA", "ORG"),
        ("Ames Research Center", "Ames Research Center", "ORG"),
        ("Institute for Fiscal Studies", "Institute for Fiscal Studies", "ORG"),  # its closing bracket trimmed first
        ("IFS", "IFS", "ORG"),
    ]


def resolve_tagged(nlp, text, labelled):
    """`resolve`, with every capitalised word tagged a proper noun as the tagger would."""
    doc = nlp.make_doc(text)
    for token in doc:
        token.tag_ = "NNP" if token.is_title else "NN"
    spans, after = [], 0
    for surface, label in labelled:  # in text order
        start = text.index(surface, after)
        after = start + len(surface)
        spans.append(doc.char_span(start, after, label=label))
    doc.ents = spans
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def test_a_name_after_an_honorific_is_a_person_whatever_the_ner_called_it(bare):
    doc = resolve_tagged(bare, "Ms Lomax said the plan was sound. Mr Diemont agreed, and Dr Vancheshwar Rao left. "
                               "Robert Kilroy-Silk quit. Mr Kilroy-Silk said so, and Mr Jean-Paul Sartre wrote.",
                         [("Lomax", "ORG"), ("Robert Kilroy-Silk", "PERSON"), ("Kilroy-Silk", "ORG")])
    assert [(m.text, m.label, m.raw_label, m.canonical_name) for m in doc._.resolved_mentions] == [
        ("Lomax", "PERSON", "ORG", "Lomax"),
        ("Diemont", "PERSON", "", "Diemont"),   # the NER missed it
        ("Vancheshwar Rao", "PERSON", "", "Vancheshwar Rao"),
        ("Robert Kilroy-Silk", "PERSON", "PERSON", "Robert Kilroy-Silk"),
        ("Kilroy-Silk", "PERSON", "ORG", "Robert Kilroy-Silk"),
        ("Jean-Paul Sartre", "PERSON", "", "Jean-Paul Sartre"),
    ]


def test_an_honorific_does_not_make_a_company_a_work_or_a_run_of_capitals_a_person(bare):
    doc = resolve_tagged(bare, "Dr Reddy's shares rose. Mr Bean was shown. Mr Smith Jones Brown Green spoke. "
                               "Dame Julie Andrews sang, and Dame Julie smiled.",
                         [("Dr Reddy's", "ORG"), ("Bean", "WORK_OF_ART"), ("Julie Andrews", "PERSON")])
    assert [(m.text, m.label, m.canonical_name) for m in doc._.resolved_mentions] == [
        ("Dr Reddy's", "ORG", "Dr Reddy's"),    # a tagged name with its possessive keeps its label
        ("Bean", "WORK_OF_ART", "Bean"),         # a work keeps its label
        # no name of four words after "Mr"
        ("Julie Andrews", "PERSON", "Julie Andrews"),
        ("Julie", "PERSON", "Julie Andrews"),    # "Dame" and "Sir" take a first name
    ]
