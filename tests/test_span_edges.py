"""Spans end where PolNeAR's annotators end them: the model's trimmed spans are widened by
the rule of transforms/span_edges.py, and the pipeline stores them so."""

from __future__ import annotations

from wirehouse.transforms.span_edges import content_as_annotated, cue_as_annotated, source_as_annotated


def between(text: str, inner: str) -> tuple[int, int]:
    start = text.index(inner)
    return start, start + len(inner)


def widened(text: str, role, inner: str) -> str:
    start, end = role(text, between(text, inner))
    return text[start:end]


def test_a_quoted_content_takes_its_marks_and_the_punctuation_inside_them():
    text = '“We will win this race,” he said. Then he said: "Fully ready." And: ‘it ended’ there.'
    assert widened(text, content_as_annotated, "We will win this race") == "“We will win this race,”"
    assert widened(text, content_as_annotated, "Fully ready") == '"Fully ready."'
    assert widened(text, content_as_annotated, "it ended") == "‘it ended’"


def test_a_mixed_content_takes_the_mark_it_ends_or_starts_inside():
    text = 'He called the deal "a disaster." Critics said it was "ill-judged" at best.'
    assert widened(text, content_as_annotated, 'the deal "a disaster') == 'the deal "a disaster."'
    assert widened(text, content_as_annotated, 'ill-judged" at best') == '"ill-judged" at best'


def test_a_reported_content_leaves_its_punctuation_out():
    text = "The minister said the plan would fail, and the unions said it would cost jobs."
    assert widened(text, content_as_annotated, "the plan would fail") == "the plan would fail"
    assert widened(text, content_as_annotated, "it would cost jobs") == "it would cost jobs"


def test_a_cue_takes_its_colon_and_nothing_else():
    text = "The senator said: “No.” Others said, in private, that it was over."
    assert widened(text, cue_as_annotated, "said") == "said:"
    assert widened(text, cue_as_annotated, "Others said")[-4:] == "said"


def test_a_source_closes_the_parenthesis_it_opens_but_leaves_a_comma_out():
    text = "Sen. Roy Blunt (R-Mo.) said it would pass. Mr. Reid, the leader, said no."
    assert widened(text, source_as_annotated, "Sen. Roy Blunt (R-Mo") == "Sen. Roy Blunt (R-Mo.)"
    assert widened(text, source_as_annotated, "Mr. Reid") == "Mr. Reid"


def test_an_apostrophe_inside_a_word_is_no_quotation_mark():
    text = "He said the president’s plan would fail and that rock’n’roll is dead."
    assert widened(text, content_as_annotated, "the president") == "the president"
    assert widened(text, content_as_annotated, "n’roll is dead") == "n’roll is dead"
