"""Quote extraction: quotation marks, quote types and speakers on short real sentences.

Sentences are from the seed document and from PolNeAR news articles (2015-16).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wirehouse.transforms.quote_spans import find_quote_spans, paragraphs

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_d52ae41cd31c4038.txt"


def spans_text(text: str) -> list[str]:
    return [text[span.start : span.end] for span in find_quote_spans(text)]


# ---------------------------------------------------------------- marks (no model needed)


def test_curly_and_straight_marks_pair_with_each_other():
    text = '"I spoke with Israeli Foreign Minister Yair Lapid today,” he wrote.'
    assert spans_text(text) == ["I spoke with Israeli Foreign Minister Yair Lapid today,"]


def test_newswire_backtick_marks():
    assert spans_text("``They're all accurate,'' he said.") == ["They're all accurate,"]


def test_nested_single_quotes_stay_inside():
    text = "“We’re like ‘Ebony and Ivory,’” he explained with a smile."
    assert spans_text(text) == ["We’re like ‘Ebony and Ivory,’"]


def test_quote_spanning_paragraphs_reopened_by_a_new_mark():
    text = "Cruz continued:\n\n“You look at the questions.\n\n“How about the issues people care about?”\n\nEnd."
    [quote] = spans_text(text)
    assert quote.startswith("You look") and quote.endswith("care about?") and "\n\n“How" in quote


def test_unclosed_paragraph_not_reopened_ends_at_the_paragraph():
    assert spans_text("“We will win.\nThe crowd cheered.") == ["We will win."]


def test_quote_left_open_before_a_new_quote_after_a_full_stop_ends_there():
    # BBC, 2004: paragraphs run together, the first left without its closing mark
    text = ('"I fully welcome the words of Mr Snow," said Joaquin Almunia, "but we will need to see decisions '
            'adopted in that direction. "If the imbalances are not adjusted, the market will decide." '
            'Economists point out that a weaker dollar is a boon.')
    assert spans_text(text) == ["I fully welcome the words of Mr Snow,",
                                "but we will need to see decisions adopted in that direction.",
                                "If the imbalances are not adjusted, the market will decide."]


def test_straight_quote_inside_a_straight_quote_after_a_comma():
    text = ('Sanders said: "If somebody walks in and says, "I\'d like 10,000 rounds of ammunition," '
            'you might be suspicious about that." The crowd cheered.')
    assert spans_text(text) == ['If somebody walks in and says, "I\'d like 10,000 rounds of ammunition," '
                                'you might be suspicious about that.']


def test_a_quote_left_open_before_a_colon_and_a_new_quote_ends_there():
    # BBC, 2005: the first quote's closing mark lost, the narrative between runs on
    text = ('Mr Begg said: "I have lost three years of my life. He added: "The authorities wanted to break me." '
            'His lawyer agreed.')
    assert spans_text(text)[-1] == "The authorities wanted to break me."


def test_newswire_marks_that_open_with_two_apostrophes():
    # The New York Times in PolNeAR writes '' for both marks
    text = "''We finally may be seeing some wage acceleration,'' the economist said. He called it ''a big story.''"
    assert spans_text(text) == ["We finally may be seeing some wage acceleration,", "a big story."]


def test_a_closing_mark_with_nothing_open_opens_nothing():
    text = 'He bought a 12" single and said "it was worth every penny."'
    assert spans_text(text) == ["it was worth every penny."]


def test_paragraphs_skip_blank_lines():
    assert paragraphs("One.\n\nTwo.\n") == [(0, 4), (6, 10)]


# ---------------------------------------------------------------- with the pipeline


@pytest.fixture(scope="module")
def nlp():
    from wirehouse.transforms.nlp import load_pipeline

    return load_pipeline()


def quotes_of(nlp, text: str):
    doc = nlp(text)
    for quote in doc._.quotes:
        assert quote.text == text[quote.start_char : quote.end_char]
        assert 0.0 <= quote.confidence <= 1.0
    return doc._.quotes


def speaker_of(text: str, quote) -> str | None:
    if quote.speaker_start_char is None:
        return None
    return text[quote.speaker_start_char : quote.speaker_end_char]


def test_seed_document_quotes_and_speakers(nlp):
    text = SEED.read_text(encoding="utf-8")
    direct = [q for q in quotes_of(nlp, text) if q.quote_type == "direct"]
    assert [q.text.split()[0:3] for q in direct] == [
        ["I", "spoke", "with"], ["Like", "everyone", "else,"], ["These", "are", "difficult"], ["I", "take", "this"],
    ]
    blinken, *bennett = direct
    assert speaker_of(text, blinken) == "he" and blinken.cue == "wrote" and blinken.attribution == "pronoun"
    assert blinken.speaker_canonical == "Antony Blinken"
    assert [speaker_of(text, q) for q in bennett] == ["Bennett", "Bennett", "Bennett"]
    assert {q.speaker_canonical for q in bennett} == {"Naftali Bennett"}
    assert [q.attribution for q in bennett] == ["cue_subject", "continuation", "preceding_sentence"]
    assert direct[0].text.endswith("Russia's aggression,")  # opened with " and closed with ”


def test_partial_quote_is_kept_and_flagged(nlp):
    text = SEED.read_text(encoding="utf-8")
    [partial] = [q for q in quotes_of(nlp, text) if q.quote_type == "partial"]
    assert partial.text == "difficult and tragic"
    assert speaker_of(text, partial) == "The Prime Minister" and partial.attribution == "title"


def test_cue_after_the_quote_with_inverted_subject(nlp):
    text = "“This is fantastic!” beamed Donald Hartley of Madison, Alabama."
    [quote] = quotes_of(nlp, text)
    assert quote.quote_type == "direct" and speaker_of(text, quote) == "Donald Hartley"


def test_quote_interrupted_by_the_attribution(nlp):
    text = ("“I was going to bite my tongue and vote for Hillary, but I never really trusted her,” "
            "Robert Stone said. “Every time she opens her mouth, I can’t help but think she’s lying.”")
    first, second = quotes_of(nlp, text)
    assert speaker_of(text, first) == speaker_of(text, second) == "Robert Stone"
    assert first.attribution == "cue_subject" and second.attribution == "continuation"


def test_colon_introduced_quote_in_the_same_sentence(nlp):
    text = "Bennett said: “Israel will mobilize to extend humanitarian aid as needed.”"
    [quote] = quotes_of(nlp, text)
    assert speaker_of(text, quote) == "Bennett" and quote.cue == "said"


def test_cue_sentence_ending_in_a_colon_before_a_quoted_paragraph(nlp):
    text = ("Of course, Cruz called them on it:\n\n“The questions asked in this debate illustrate why "
            "the American people don’t trust the media.”")
    [quote] = quotes_of(nlp, text)
    assert speaker_of(text, quote) == "Cruz" and quote.attribution == "colon"


def test_according_to(nlp):
    text = "According to Trump, “the polls are rigged and everybody knows it.”"
    [quote] = quotes_of(nlp, text)
    assert speaker_of(text, quote) == "Trump" and quote.attribution == "according_to"


def test_quote_paragraph_without_cue_continues_the_previous_speaker(nlp):
    text = ("“Like everyone else, we pray for peace,” Bennett said.\n"
            "“These are difficult and tragic moments, and our hearts are with the civilians.”")
    first, second = quotes_of(nlp, text)
    assert second.attribution == "continuation"
    assert (second.speaker_start_char, second.speaker_end_char) == (first.speaker_start_char, first.speaker_end_char)


def test_pronoun_resolves_to_the_subject_person_before_it(nlp):
    text = ("Secretary of State Antony Blinken later tweeted about the conversation with Yair Lapid.\n"
            "“I reaffirmed the importance of the bilateral relationship,” he wrote.")
    [quote] = quotes_of(nlp, text)
    assert speaker_of(text, quote) == "he" and quote.speaker_canonical == "Antony Blinken"


@pytest.mark.parametrize("text, speaker", [
    # the main clause's subject, not the later one of a clause inside it
    ('Tony Blair said he had backed the plans when Gordon Brown argued for them in Cabinet. '
     '"ID cards are a means to a more secure society," he said.', "Tony Blair"),
    # a name in apposition to the subject
    ('One of the Guildford Four, Gerry Conlon, said the families were delighted. '
     '"Mr Blair spoke with such sincerity," he said.', "Gerry Conlon"),
    # a subject in the sentence before, a place in passing in the pronoun's own
    ('Tesco posted record profits on Tuesday. In Britain, it said, "sales rose by 10% over Christmas."', "Tesco"),
    # two main clauses joined: the later subject
    ('Tony Blair spoke first, and Gordon Brown said the plans were costly. "We cannot afford them," he said.',
     "Gordon Brown"),
    # the agent of a passive, and a subject joined to another
    ('The talks were chaired by Tony Blair on Monday. "We made real progress," he said.', "Tony Blair"),
    ('Labour and the Conservatives attacked the plans on Monday. "They do not add up," they said.', "Conservative"),
    ('The Tories, Labour and the SNP attacked the plans on Monday. "They do not add up," they said.', "SNP"),
])
def test_pronoun_resolves_to_the_subject_however_the_sentence_holds_it(nlp, text, speaker):
    [quote] = quotes_of(nlp, text)
    assert quote.attribution == "pronoun" and quote.speaker_canonical == speaker


def test_the_company_is_the_organisation_named_as_a_subject_before(nlp):
    text = 'Apple has filed a lawsuit in California. "We will fight the leak," the company said.'
    [quote] = quotes_of(nlp, text)
    assert (speaker_of(text, quote), quote.speaker_canonical, quote.attribution) == ("the company", "Apple",
                                                                                     "description")


def test_pronoun_is_not_a_place_named_in_passing(nlp):
    # BBC, 2005: the house-builder's "it", once resolved to the United Kingdom
    text = ("Sales of new homes fell in Britain last year. "
            "\"The market slowed sharply across the country,\" it added.")
    [quote] = quotes_of(nlp, text)
    assert speaker_of(text, quote) == "it"
    assert quote.speaker_canonical is None and quote.attribution == "unresolved_pronoun"


def test_title_resolves_to_the_holder_named_in_the_article(nlp):
    text = ("Prime Minister Naftali Bennett spoke at a graduation ceremony on Thursday.\n"
            "“We will help Ukraine's citizens as much as possible,” the Prime Minister said.")
    quote = quotes_of(nlp, text)[-1]
    assert speaker_of(text, quote) == "the Prime Minister" and quote.attribution == "title"
    assert quote.speaker_canonical == "Naftali Bennett"


def test_scare_quote_in_running_text_is_partial(nlp):
    text = "Jeb Bush reserved his passion for the cause of “comprehensive immigration reform.”"
    [quote] = quotes_of(nlp, text)
    assert quote.quote_type == "partial"


# ---------------------------------------------------------------- speakers are people or organisations


@pytest.mark.parametrize("text, reason", [
    # a relative pronoun with no entity for an antecedent (BBC, 2005: a scare-quoted label)
    ('Ministers want so-called "control orders on suspects", which said nothing about trials.', None),
    ('"It changes everything," you might say.', "generic_pronoun"),
    ('"The figures are clear," the report said.', "not_an_entity"),
    ('"This is the end of an era," this says.', "demonstrative"),
    # the writer, not the organisation named in the sentence before (BBC, 2005)
    ('Thousands of visitors came to CeBit. "Welcome to CeBit 2005," I wrote as we landed.', "first_person"),
    # an organisation named in passing is not what "the firm" stands for
    ('Shares in Vodafone rose. "Sales were strong," the firm said.', "unresolved_description"),
])
def test_no_speaker_name_but_a_reason(nlp, text, reason):
    (quote,) = [q for q in nlp(text)._.quotes if q.quote_type == "direct"] or nlp(text)._.quotes
    assert quote.speaker_canonical is None
    if reason:
        assert quote.attribution == reason and quote.confidence == 0.3


def test_a_spokesman_speaks_for_his_organisation(nlp):
    doc = nlp('Vodafone cut its prices on Monday. "We will keep investing in the network," a Vodafone spokesman '
              'said.')
    (quote,) = doc._.quotes
    assert (quote.speaker_canonical, quote.speaker_label, quote.attribution) == ("Vodafone", "ORG", "spokesperson_for")
    assert quote.speaker_text == "a Vodafone spokesman"


def test_a_campaign_speaks_for_its_candidate(nlp):
    doc = nlp('"The ad is misleading," the Jeb Bush campaign said.')
    (quote,) = doc._.quotes
    assert (quote.speaker_canonical, quote.attribution) == ("Jeb Bush", "speaks_for")


def test_a_speaker_named_in_apposition_is_the_person_it_names(nlp):
    doc = nlp('"It will fail," said his rival, Hillary Clinton.')
    (quote,) = doc._.quotes
    assert (quote.speaker_canonical, quote.attribution, quote.speaker_text) == (
        "Hillary Clinton", "appositive", "Hillary Clinton")


def test_a_relative_pronoun_stands_for_the_person_it_describes(nlp):
    doc = nlp('Prime Minister Tony Blair, who said "we will not waver", left for Brussels on Monday.')
    (quote,) = doc._.quotes
    assert quote.speaker_canonical == "Tony Blair"
