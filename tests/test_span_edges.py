"""Spans end where PolNeAR's annotators end them: the model's trimmed spans are widened by
the rule of transforms/span_edges.py (the pipeline's stored spans: tests/test_attributions.py)."""

from __future__ import annotations

import pytest

from wirehouse.transforms.span_edges import content_as_annotated, cue_as_annotated, source_as_annotated

QUOTED = '“We will win this race,” he said. Then he said: "Fully ready." And: ‘it ended’ there.'
MIXED = 'He called the deal "a disaster." Critics said it was "ill-judged" at best.'
OUTSIDE = 'She called it "a disaster"—and walked out. He called it "a triumph". Nobody agreed.'
NYT = "''We will win,'' he said. They replied: ''Never.''"
REPORTED = "The minister said the plan would fail, and the unions said it would cost jobs."
COLON = "The senator said: “No.” Others said, in private, that it was over."
NAMED = "Sen. Roy Blunt (R-Mo.) said it would pass. Mr. Reid, the leader, said no."
APOSTROPHES = "He said the president’s plan would fail, that rock’n’roll is dead and that voters like Sanders’ plan."


@pytest.mark.parametrize("rule, text, trimmed, stored", [
    # a quoted content takes its marks and the punctuation inside them
    (content_as_annotated, QUOTED, "We will win this race", "“We will win this race,”"),
    (content_as_annotated, QUOTED, "Fully ready", '"Fully ready."'),
    (content_as_annotated, QUOTED, "it ended", "‘it ended’"),
    # a mixed content takes the mark it ends or starts inside
    (content_as_annotated, MIXED, 'the deal "a disaster', 'the deal "a disaster."'),
    (content_as_annotated, MIXED, 'ill-judged" at best', '"ill-judged" at best'),
    # a mark closes the content even when a dash or a full stop follows it
    (content_as_annotated, OUTSIDE, 'it "a disaster', 'it "a disaster"'),
    (content_as_annotated, OUTSIDE, 'it "a triumph', 'it "a triumph"'),
    # quotation marks written as two apostrophes, one content at the very end of the text
    (content_as_annotated, NYT, "We will win", "''We will win,''"),
    (content_as_annotated, NYT, "Never", "''Never.''"),
    # a reported content leaves its punctuation out
    (content_as_annotated, REPORTED, "the plan would fail", "the plan would fail"),
    (content_as_annotated, REPORTED, "it would cost jobs", "it would cost jobs"),
    # an apostrophe inside a word is no quotation mark
    (content_as_annotated, APOSTROPHES, "the president", "the president"),
    (content_as_annotated, APOSTROPHES, "n’roll is dead", "n’roll is dead"),
    (content_as_annotated, APOSTROPHES, "voters like Sanders", "voters like Sanders"),
    # a cue takes its colon and nothing else
    (cue_as_annotated, COLON, "The senator said", "The senator said:"),
    (cue_as_annotated, COLON, "Others said", "Others said"),
    # a source closes the parenthesis it opens but leaves a comma out
    (source_as_annotated, NAMED, "Sen. Roy Blunt (R-Mo", "Sen. Roy Blunt (R-Mo.)"),
    (source_as_annotated, NAMED, "Mr. Reid", "Mr. Reid"),
])
def test_a_trimmed_span_is_stored_as_annotated(rule, text, trimmed, stored):
    start = text.index(trimmed)
    widened = rule(text, (start, start + len(trimmed)))
    assert text[widened[0]:widened[1]] == stored
